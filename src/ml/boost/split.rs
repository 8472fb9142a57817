//! The best split of a node from its histograms, as scikit-learn's splitter finds it: for
//! each feature a scan of its bins from the left with missing values going right, and when
//! the feature has missing values a second scan from the right with them going left; the
//! gain is the reduction of `−G²/(H + λ)`, a split must leave `min_samples_leaf` rows and a
//! hessian of 1e-3 on each side, and the first feature with the largest gain wins.
//!
//! A one-hot column split natively is one feature whose categories are its levels (rows
//! with none, a level never seen in training, being the missing category), split as
//! scikit-learn's `_find_best_bin_to_split_category` splits one: the categories with enough
//! support sorted by `G / (H + 10)`, then scanned from each end to the middle, the scanned
//! ones going left and the rest, low-support categories with them, right.

use rayon::prelude::*;

use super::binning::{Binned, BinnedLevels};
use super::histogram::{HistBin, Histograms};

/// scikit-learn's `min_hessian_to_split`.
const MIN_HESSIAN: f64 = 1e-3;

/// scikit-learn's `MIN_CAT_SUPPORT` (LightGBM's `cat_smooth`): a category needs this much
/// hessian (in rows when hessians are constant) to be sorted and scanned, and it smooths the
/// ratio categories are sorted by.
const MIN_CATEGORY_SUPPORT: f64 = 10.0;

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
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub gain: f64,
    /// The feature; for a one-hot column split natively, its first indicator.
    pub feature: usize,
    /// Bins up to this one go left (a numeric split).
    pub bin: u8,
    pub missing_left: bool,
    pub left: Sums,
    pub right: Sums,
    /// A one-hot column split natively: the levels that go left, in increasing order (rows of
    /// no level go left when `missing_left`).
    pub levels: Option<Vec<u32>>,
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
    // A natively split one-hot column is searched once, at its first indicator; its other
    // indicators are not features of their own.
    let found: Vec<Option<Split>> = (0..binned.columns.len())
        .into_par_iter()
        .map(|f| match binned.level_of[f] {
            Some((k, level)) if binned.levels[k].native => (level == 0)
                .then(|| category_split(binned, &binned.levels[k], hist, node, rules))?,
            _ => {
                let bins = &hist[binned.hist_range(f)];
                feature_split(f, bins, binned.bins[f], binned.has_missing[f], node, rules)
            }
        })
        .collect();
    // A later feature must beat the best by more than rounding: two splits of equal gain
    // (two levels of a column with the same rows' sums, say) go to the first feature whatever
    // order the sums were added in, so level indices and indicator columns grow one tree.
    let mut best: Option<Split> = None;
    for split in found.into_iter().flatten() {
        if best
            .as_ref()
            .is_none_or(|b| split.gain > b.gain + TIE * b.gain.abs())
        {
            best = Some(split);
        }
    }
    best
}

fn gain(left: Sums, right: Sums, current: f64, l2: f64) -> f64 {
    let loss = |s: Sums| s.gradients * node_value(s, l2);
    current - loss(left) - loss(right)
}

/// The best split of a one-hot column's levels, scikit-learn's categorical split: the rows
/// of no level are one more category, whose sums are the node's less the levels'.
fn category_split(
    binned: &Binned,
    column: &BinnedLevels,
    hist: &Histograms,
    node: Sums,
    rules: SplitRules,
) -> Option<Split> {
    let hessians = |b: &HistBin| {
        if rules.constant_hessians {
            b.count as f64
        } else {
            b.hessians
        }
    };
    let width = column.cut.len();
    // Per category (levels, then "no level" as `width`): its sums.
    let mut categories: Vec<(u32, Sums)> = Vec::with_capacity(width + 1);
    let mut rest = node;
    for level in 0..width {
        let b = &hist[binned.hist_offsets[column.first + level] + 1];
        let sums = Sums {
            gradients: b.gradients,
            hessians: hessians(b),
            rows: b.count as usize,
        };
        rest.gradients -= sums.gradients;
        rest.hessians -= sums.hessians;
        rest.rows -= sums.rows;
        categories.push((level as u32, sums));
    }
    categories.push((width as u32, rest));
    // scikit-learn's support factor: 1 with constant hessians. When every row's hessian is
    // the same (the first tree) a category's support is its row count, up to rounding, which
    // must not drop a category of exactly 10 rows.
    let support = node.rows as f64 / node.hessians;
    let enough = MIN_CATEGORY_SUPPORT * (1.0 - TIE);
    let mut used: Vec<(f64, u32, Sums)> = categories
        .into_iter()
        .filter(|(_, s)| s.rows > 0 && s.hessians * support >= enough)
        .map(|(c, s)| (s.gradients / (s.hessians + MIN_CATEGORY_SUPPORT), c, s))
        .collect();
    if used.len() <= 1 {
        return None;
    }
    used.sort_by(|a, b| a.0.total_cmp(&b.0));
    let current = node.gradients * node_value(node, rules.l2);
    let mut best: Option<(f64, bool, usize, Sums, Sums)> = None;
    for forward in [true, false] {
        let middle = if forward {
            used.len().div_ceil(2)
        } else {
            used.len().div_ceil(2) - 1
        };
        let mut left = Sums {
            gradients: 0.0,
            hessians: 0.0,
            rows: 0,
        };
        for i in 0..middle {
            let at = if forward { i } else { used.len() - 1 - i };
            let s = used[at].2;
            left.gradients += s.gradients;
            left.hessians += s.hessians;
            left.rows += s.rows;
            let right = Sums {
                gradients: node.gradients - left.gradients,
                hessians: node.hessians - left.hessians,
                rows: node.rows - left.rows,
            };
            if left.rows < rules.min_samples_leaf || left.hessians < MIN_HESSIAN {
                continue;
            }
            if right.rows < rules.min_samples_leaf || right.hessians < MIN_HESSIAN {
                break;
            }
            let g = gain(left, right, current, rules.l2);
            if g > best.map_or(0.0, |b| b.0) {
                best = Some((g, forward, i, left, right));
            }
        }
    }
    let (gain, forward, i, left, right) = best?;
    let taken = if forward {
        &used[..=i]
    } else {
        &used[used.len() - 1 - i..]
    };
    let missing_left = taken.iter().any(|t| t.1 == width as u32);
    let mut levels: Vec<u32> = taken
        .iter()
        .map(|t| t.1)
        .filter(|&c| c != width as u32)
        .collect();
    levels.sort_unstable();
    Some(Split {
        gain,
        feature: column.first,
        bin: 0,
        missing_left,
        left,
        right,
        levels: Some(levels),
    })
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
            if g > best.as_ref().map_or(0.0, |s: &Split| s.gain) {
                best = Some(Split {
                    gain: g,
                    feature,
                    bin: at as u8,
                    missing_left,
                    left,
                    right,
                    levels: None,
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
