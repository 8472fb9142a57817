//! The best split of a node from its histograms, as scikit-learn's splitter finds it: for
//! each feature a scan of its bins from the left with missing values going right, and when
//! the feature has missing values a second scan from the right with them going left; the
//! gain is the reduction of `−G²/(H + λ)`, a split must leave `min_samples_leaf` rows and a
//! hessian of 1e-3 on each side, and the first feature with the largest gain wins.

use rayon::prelude::*;

use super::binning::Binned;
use super::histogram::{HistBin, Histograms, BINS};

/// scikit-learn's `min_hessian_to_split`.
const MIN_HESSIAN: f64 = 1e-3;

/// Gains closer than this share are equal.
const TIE: f64 = 1e-9;

/// What the splitter needs of the fit's parameters.
#[derive(Debug, Clone, Copy)]
pub struct SplitRules {
    pub min_samples_leaf: usize,
    pub l2: f64,
    pub constant_hessians: bool,
}

/// A node's sums.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sums {
    pub gradients: f64,
    pub hessians: f64,
    pub rows: usize,
}

/// The best split found for a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    pub gain: f64,
    pub feature: usize,
    /// Bins up to this one go left.
    pub bin: u8,
    pub missing_left: bool,
    pub left: Sums,
    pub right: Sums,
}

/// A node's value, `−G / (H + λ)` (before the learning rate).
pub fn node_value(sums: Sums, l2: f64) -> f64 {
    -sums.gradients / (sums.hessians + l2 + 1e-15)
}

/// The best split of a node with sums `node` and histograms `hist`; `None` when no split
/// has a positive gain.
pub fn best_split(
    binned: &Binned,
    hist: &Histograms,
    node: Sums,
    rules: SplitRules,
) -> Option<Split> {
    let found: Vec<Option<Split>> = (0..binned.columns.len())
        .into_par_iter()
        .map(|f| {
            let bins = &hist[f * BINS..(f + 1) * BINS];
            feature_split(f, bins, binned.bins[f], binned.has_missing[f], node, rules)
        })
        .collect();
    // A later feature must beat the best by more than rounding: two splits of equal gain
    // (two levels of a column with the same rows' sums, say) go to the first feature whatever
    // order the sums were added in, so level indices and indicator columns grow one tree.
    let mut best: Option<Split> = None;
    for split in found.into_iter().flatten() {
        if best.is_none_or(|b| split.gain > b.gain + TIE * b.gain.abs()) {
            best = Some(split);
        }
    }
    best
}

fn gain(left: Sums, right: Sums, current: f64, l2: f64) -> f64 {
    let loss = |s: Sums| s.gradients * node_value(s, l2);
    current - loss(left) - loss(right)
}

fn feature_split(
    feature: usize,
    hist: &[HistBin],
    bins: usize,
    has_missing: bool,
    node: Sums,
    rules: SplitRules,
) -> Option<Split> {
    let current = node.gradients * node_value(node, rules.l2);
    let hessians = |b: &HistBin| {
        if rules.constant_hessians {
            b.count as f64
        } else {
            b.hessians
        }
    };
    let other = |side: Sums| Sums {
        gradients: node.gradients - side.gradients,
        hessians: node.hessians - side.hessians,
        rows: node.rows - side.rows,
    };
    let mut best: Option<Split> = None;
    // One scan: the side being filled takes the bins in `order` one at a time; the split
    // after `bin` sends missing values left when `missing_left`.
    let mut scan = |order: &mut dyn Iterator<Item = usize>, missing_left: bool| {
        let mut filled = Sums {
            gradients: 0.0,
            hessians: 0.0,
            rows: 0,
        };
        for bin in order {
            // Filled from the left, the split is after `bin`; from the right, before it.
            let b = &hist[bin];
            filled.rows += b.count as usize;
            filled.hessians += hessians(b);
            filled.gradients += b.gradients;
            let rest = other(filled);
            if filled.rows < rules.min_samples_leaf || filled.hessians < MIN_HESSIAN {
                continue;
            }
            if rest.rows < rules.min_samples_leaf || rest.hessians < MIN_HESSIAN {
                break;
            }
            let (left, right, at) = match missing_left {
                false => (filled, rest, bin),
                true => (rest, filled, bin - 1),
            };
            let g = gain(left, right, current, rules.l2);
            if g > best.map_or(0.0, |s: Split| s.gain) {
                best = Some(Split {
                    gain: g,
                    feature,
                    bin: at as u8,
                    missing_left,
                    left,
                    right,
                });
            }
        }
    };
    // Left to right, missing values to the right; the last step puts every number left.
    scan(&mut (0..bins - 1 + has_missing as usize), false);
    if has_missing && bins >= 2 {
        // Right to left, missing values to the left.
        scan(&mut (1..bins).rev(), true);
    }
    best
}
