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
    let mut best: Option<Split> = None;
    for split in found.into_iter().flatten() {
        if best.is_none_or(|b| split.gain > b.gain) {
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
    let mut best: Option<Split> = None;
    let mut best_gain = -1.0;
    let other = |side: Sums| Sums {
        gradients: node.gradients - side.gradients,
        hessians: node.hessians - side.hessians,
        rows: node.rows - side.rows,
    };
    // Left to right, missing values to the right; the last step puts every number left.
    let end = bins - 1 + has_missing as usize;
    let mut left = Sums {
        gradients: 0.0,
        hessians: 0.0,
        rows: 0,
    };
    for (bin, b) in hist.iter().enumerate().take(end) {
        left.rows += b.count as usize;
        left.hessians += hessians(b);
        left.gradients += b.gradients;
        let right = other(left);
        if left.rows < rules.min_samples_leaf {
            continue;
        }
        if right.rows < rules.min_samples_leaf {
            break;
        }
        if left.hessians < MIN_HESSIAN {
            continue;
        }
        if right.hessians < MIN_HESSIAN {
            break;
        }
        let g = gain(left, right, current, rules.l2);
        if g > best_gain && g > 0.0 {
            best_gain = g;
            best = Some(Split {
                gain: g,
                feature,
                bin: bin as u8,
                missing_left: false,
                left,
                right,
            });
        }
    }
    if has_missing && bins >= 2 {
        // Right to left, missing values to the left.
        let mut right = Sums {
            gradients: 0.0,
            hessians: 0.0,
            rows: 0,
        };
        for bin in (0..bins - 1).rev() {
            let b = &hist[bin + 1];
            right.rows += b.count as usize;
            right.hessians += hessians(b);
            right.gradients += b.gradients;
            let left = other(right);
            if right.rows < rules.min_samples_leaf {
                continue;
            }
            if left.rows < rules.min_samples_leaf {
                break;
            }
            if right.hessians < MIN_HESSIAN {
                continue;
            }
            if left.hessians < MIN_HESSIAN {
                break;
            }
            let g = gain(left, right, current, rules.l2);
            if g > best_gain && g > 0.0 {
                best_gain = g;
                best = Some(Split {
                    gain: g,
                    feature,
                    bin: bin as u8,
                    missing_left: true,
                    left,
                    right,
                });
            }
        }
    }
    best
}
