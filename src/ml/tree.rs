//! Decision trees and random forests: CART grown here, as scikit-learn grows it.
//!
//! Every node is split at the threshold that lowers the Gini impurity (or entropy) of its
//! children the most, over every feature (in a forest, a random share of them drawn at each
//! split); leaves hold the class shares of the training rows that reach them (scikit-learn's
//! `predict_proba`). Each feature's rows are sorted once per tree and kept sorted within
//! each node as nodes split, so a level of the tree costs one pass over rows × features.
//! A forest on many rows searches its splits on bins instead (`tree_histogram`).
//! The fit asks whether to go on every 40 ms and stops within one node when told to.

use ndarray::{Array2, ArrayView1, ArrayView2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::algorithms::decision_tree::{Criterion, TreeSpec};
use super::algorithms::random_forest::ForestSpec;
use super::model::ModelError;
use super::prep::{Features, NO_LEVEL};
use super::tree_histogram::{grow_binned, ForestBins};
pub use super::tree_stats::NodeStats;

/// One node of a flattened tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Node {
    /// Rows with `x[feature] < threshold` go to `left`, the others to `right`.
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    /// Class probabilities of the rows that end here.
    Leaf { proba: Vec<f64> },
}

/// A fitted classification tree; node 0 is the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlatTree {
    pub nodes: Vec<Node>,
    /// Each node's training rows by class and impurity, beside `nodes`. Empty for trees
    /// stored before they were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stats: Vec<NodeStats>,
}

impl FlatTree {
    /// The leaf `row` falls into.
    fn leaf(&self, row: ArrayView1<f64>) -> usize {
        self.leaf_by(|f| row[f])
    }

    /// Class probabilities of rows whose one-hot columns may be level indices.
    pub fn predict_proba_of(&self, x: Features<'_>, classes: usize) -> Array2<f64> {
        if x.is_matrix() {
            return self.predict_proba(x.dense, classes);
        }
        let value = x.values();
        let mut out = Array2::zeros((x.rows(), classes));
        for (i, mut target) in out.rows_mut().into_iter().enumerate() {
            if let Node::Leaf { proba } = &self.nodes[self.leaf_by(|f| value(i, f))] {
                for (t, p) in target.iter_mut().zip(proba) {
                    *t += p;
                }
            }
        }
        out
    }

    /// The leaf of the row whose feature `f` is `value(f)`.
    fn leaf_by(&self, value: impl Fn(usize) -> f64) -> usize {
        let mut at = 0;
        while let Node::Split {
            feature,
            threshold,
            left,
            right,
        } = self.nodes[at]
        {
            at = if value(feature) < threshold {
                left
            } else {
                right
            };
        }
        at
    }

    /// Class probabilities, rows × classes.
    pub fn predict_proba(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), classes));
        self.add_proba(x, &mut out);
        out
    }

    fn add_proba(&self, x: ArrayView2<f64>, out: &mut Array2<f64>) {
        for (row, mut target) in x.rows().into_iter().zip(out.rows_mut()) {
            if let Node::Leaf { proba } = &self.nodes[self.leaf(row)] {
                for (t, p) in target.iter_mut().zip(proba) {
                    *t += p;
                }
            }
        }
    }

    /// Number of levels below the root.
    pub fn depth(&self) -> usize {
        fn depth_of(tree: &FlatTree, at: usize) -> usize {
            match tree.nodes[at] {
                Node::Leaf { .. } => 0,
                Node::Split { left, right, .. } => {
                    1 + depth_of(tree, left).max(depth_of(tree, right))
                }
            }
        }
        depth_of(self, 0)
    }
}

/// How a tree may grow.
#[derive(Debug, Clone, Copy)]
pub(super) struct Growth {
    pub(super) max_depth: Option<usize>,
    pub(super) min_split: usize,
    pub(super) min_leaf: usize,
    pub(super) criterion: Criterion,
    /// A random forest's trees: each split looks at this many features, drawn afresh at
    /// every node from this seed (and further ones while none of them can split the node,
    /// as scikit-learn's `max_features`). `None`: every feature.
    pub(super) features_per_split: Option<(usize, u64)>,
}

impl Growth {
    /// Whether a node at `depth` with `rows` rows and these class counts may be split.
    pub(super) fn may_split(&self, depth: usize, rows: usize, counts: &[u64]) -> bool {
        let pure = counts.iter().filter(|&&c| c > 0).count() <= 1;
        !pure
            && self.max_depth.is_none_or(|d| depth < d)
            && rows >= self.min_split.max(2)
            && rows >= 2 * self.min_leaf.max(1)
    }

    /// How many of `candidates` a split should look at, after putting them in a fresh
    /// random order when the split looks at a random share of them.
    pub(super) fn draw(&self, candidates: &mut [usize], rng: &mut StdRng) -> usize {
        match self.features_per_split {
            Some((wanted, _)) => {
                // A fresh random order: the first `wanted` that vary in the node count.
                for i in 0..candidates.len() {
                    let j = rng.gen_range(i..candidates.len());
                    candidates.swap(i, j);
                }
                wanted.clamp(1, candidates.len())
            }
            None => candidates.len(),
        }
    }
}

/// How often a growing tree asks whether to go on.
pub(super) const POLL: Duration = Duration::from_millis(40);

/// The impurity sums of one side of a candidate split, updated a row at a time. A class's
/// rows count times its weight (all 1 without class weights).
pub(super) struct Side {
    counts: Vec<u64>,
    weights: Vec<f64>,
    /// The rows' summed weight.
    total: f64,
    /// Gini: the sum of squared weighted class counts; entropy: the sum of `c ln c`.
    sum: f64,
}

impl Side {
    pub(super) fn new(weights: &[f64]) -> Self {
        Side {
            counts: vec![0; weights.len()],
            weights: weights.to_vec(),
            total: 0.0,
            sum: 0.0,
        }
    }

    pub(super) fn reset_to(&mut self, counts: &[u64], criterion: Criterion) {
        self.counts.copy_from_slice(counts);
        self.total = 0.0;
        self.sum = 0.0;
        for (&c, &w) in counts.iter().zip(&self.weights) {
            self.total += c as f64 * w;
            self.sum += term(c, w, criterion);
        }
    }

    pub(super) fn clear(&mut self) {
        self.counts.fill(0);
        self.total = 0.0;
        self.sum = 0.0;
    }

    fn add(&mut self, class: usize, criterion: Criterion) {
        let (c, w) = (self.counts[class], self.weights[class]);
        self.sum += term(c + 1, w, criterion) - term(c, w, criterion);
        self.counts[class] = c + 1;
        self.total += w;
    }

    fn remove(&mut self, class: usize, criterion: Criterion) {
        let (c, w) = (self.counts[class], self.weights[class]);
        self.sum += term(c - 1, w, criterion) - term(c, w, criterion);
        self.counts[class] = c - 1;
        self.total -= w;
    }

    /// `rows` rows of `class` move from `from` to this side at once.
    pub(super) fn take_from(
        &mut self,
        from: &mut Side,
        class: usize,
        rows: u64,
        criterion: Criterion,
    ) {
        let w = self.weights[class];
        let (c, f) = (self.counts[class], from.counts[class]);
        self.sum += term(c + rows, w, criterion) - term(c, w, criterion);
        from.sum += term(f - rows, w, criterion) - term(f, w, criterion);
        self.counts[class] = c + rows;
        from.counts[class] = f - rows;
        self.total += rows as f64 * w;
        from.total -= rows as f64 * w;
    }

    /// The side's impurity times its weight (Gini: `n − Σc²/n`; entropy: `n ln n − Σ c ln c`,
    /// in nats: the choice of split is the same in any base).
    pub(super) fn weighted_impurity(&self, criterion: Criterion) -> f64 {
        let n = self.total;
        match criterion {
            Criterion::Gini => n - self.sum / n,
            Criterion::Entropy => n * n.ln() - self.sum,
        }
    }
}

/// One class's part of a side's sum for `count` rows of weight `weight`: `c²` (Gini) or
/// `c ln c` (entropy) of `c = count · weight`.
fn term(count: u64, weight: f64, criterion: Criterion) -> f64 {
    let c = count as f64 * weight;
    match criterion {
        Criterion::Gini => c * c,
        Criterion::Entropy if count == 0 => 0.0,
        Criterion::Entropy => c * c.ln(),
    }
}

/// The rows of a node: `lo..hi` of every sorted column, and their class counts.
#[derive(Clone, Copy)]
struct NodeRows<'a> {
    lo: usize,
    hi: usize,
    counts: &'a [u64],
    /// Every row, each node's in its range.
    members: &'a [u32],
}

/// The best split of a node found so far.
#[derive(Clone, Copy)]
struct Split {
    /// The feature.
    column: usize,
    threshold: f64,
    /// Children's impurity times rows, summed (lower is better).
    score: f64,
}

/// The features a tree grows on, for each row of its sample: numbers as values, and the
/// indicators of a one-hot column as each row's level, never written out.
pub(super) struct TreeColumns {
    /// Per feature, its values; empty for an indicator of a one-hot column.
    values: Vec<Vec<f64>>,
    /// Per feature, the one-hot column (index into `levels`) and level it indicates.
    level_of: Vec<Option<(usize, u32)>>,
    /// Per one-hot column, each row's level ([`NO_LEVEL`] for none), and its width.
    levels: Vec<(Vec<u32>, usize)>,
}

impl TreeColumns {
    /// The rows `rows` of `x` (a row drawn twice twice), its one-hot columns as levels.
    fn of(x: Features<'_>, rows: &[usize]) -> Self {
        let mut values = vec![Vec::new(); x.width];
        let gathered: Vec<Vec<f64>> = x
            .dense
            .columns()
            .into_iter()
            .map(|column| rows.iter().map(|&r| column[r]).collect())
            .collect();
        for (c, column) in gathered.into_iter().enumerate() {
            values[x.dense_feature(c)] = column;
        }
        let levels = x
            .one_hot
            .iter()
            .map(|codes| (rows.iter().map(|&r| codes.levels[r]).collect(), codes.width))
            .collect();
        TreeColumns {
            values,
            level_of: x.level_of(),
            levels,
        }
    }

    fn width(&self) -> usize {
        self.values.len()
    }

    /// Feature `feature` of row `row`: an indicator is 1 on the rows of its level.
    #[inline]
    fn value(&self, feature: usize, row: usize) -> f64 {
        match self.level_of[feature] {
            None => self.values[feature][row],
            Some((k, level)) => f64::from(u8::from(self.levels[k].0[row] == level)),
        }
    }
}

/// A node waiting to be split or made a leaf: its rows are `lo..hi` of every sorted column.
struct Pending {
    node: usize,
    lo: usize,
    hi: usize,
    depth: usize,
}

/// Grow a tree on the rows of `columns` (feature `j`'s values, one per row) with classes `y`
/// in `0..classes`. `keep_going` hears the share of the rows already in leaves every
/// [`POLL`], and returning false cancels; `stop`, when set by another thread, ends the fit at
/// the next node. Both give [`ModelError::Cancelled`].
fn grow(
    columns: &TreeColumns,
    y: &[usize],
    class_weights: &[f64],
    growth: Growth,
    stop: &AtomicBool,
    keep_going: &mut dyn FnMut(f32) -> bool,
) -> Result<FlatTree, ModelError> {
    if stop.load(Ordering::Relaxed) {
        return Err(ModelError::Cancelled);
    }
    // Counted from here: sorting the columns of a large table takes more than one poll.
    let mut asked = Instant::now();
    let rows = y.len();
    // Each column of values' rows in increasing order of its values (NaN last), kept sorted
    // within each node's range as the nodes split; the rows of an indicator, no order.
    let mut sorted: Vec<Vec<u32>> = columns
        .values
        .par_iter()
        .zip(&columns.level_of)
        .map(|(values, level)| {
            if level.is_some() {
                return Vec::new();
            }
            let mut pairs: Vec<(f64, u32)> = values.iter().copied().zip(0..).collect();
            // NaN last whatever its sign bit (`total_cmp` alone puts negative NaN first).
            pairs.sort_unstable_by(|a, b| {
                (a.0.is_nan().cmp(&b.0.is_nan()))
                    .then(a.0.total_cmp(&b.0))
                    .then(a.1.cmp(&b.1))
            });
            pairs.into_iter().map(|(_, row)| row).collect()
        })
        .collect();
    let mut tree = FlatTree {
        nodes: vec![Node::Leaf { proba: Vec::new() }],
        stats: vec![NodeStats::default()],
    };
    let mut pending = vec![Pending {
        node: 0,
        lo: 0,
        hi: rows,
        depth: 0,
    }];
    let classes = class_weights.len();
    let (mut left, mut right) = (Side::new(class_weights), Side::new(class_weights));
    let mut candidates: Vec<usize> = (0..columns.width()).collect();
    // Every row, kept within its node's range as the nodes split, in increasing order (the
    // partitions are stable): the order of an indicator's 0s in its written-out column.
    let mut members: Vec<u32> = (0..rows as u32).collect();
    // Per one-hot column, the node's rows of each level and class, when asked.
    let mut level_counts: Vec<Option<Vec<u64>>> = vec![None; columns.levels.len()];
    let mut rng = StdRng::seed_from_u64(growth.features_per_split.map_or(0, |(_, seed)| seed));
    let mut goes_left = vec![false; rows];
    let mut scratch: Vec<u32> = Vec::with_capacity(rows);
    // Rows in finished leaves: how far the fit is.
    let mut settled = 0;
    while let Some(Pending {
        node,
        lo,
        hi,
        depth,
    }) = pending.pop()
    {
        if stop.load(Ordering::Relaxed) {
            return Err(ModelError::Cancelled);
        }
        if asked.elapsed() >= POLL {
            if !keep_going(settled as f32 / rows.max(1) as f32) {
                return Err(ModelError::Cancelled);
            }
            asked = Instant::now();
        }
        let n = hi - lo;
        let mut counts = vec![0_u64; classes];
        for &row in &members[lo..hi] {
            counts[y[row as usize]] += 1;
        }
        tree.stats[node] = NodeStats::of(&counts, class_weights, growth.criterion);
        let best = if growth.may_split(depth, n, &counts) {
            let wanted = growth.draw(&mut candidates, &mut rng);
            let node_rows = NodeRows {
                lo,
                hi,
                counts: &counts,
                members: &members,
            };
            level_counts.fill(None);
            best_split(
                columns,
                &sorted,
                &mut level_counts,
                y,
                node_rows,
                &candidates,
                wanted,
                growth,
                &mut left,
                &mut right,
            )
        } else {
            None
        };
        let Some(best) = best else {
            settled += n;
            // The (weighted) class shares, as scikit-learn's `predict_proba`.
            tree.nodes[node] = Node::Leaf {
                proba: tree.stats[node].shares(),
            };
            continue;
        };
        let mut left_rows = 0;
        for &row in &members[lo..hi] {
            let left = columns.value(best.column, row as usize) < best.threshold;
            goes_left[row as usize] = left;
            left_rows += usize::from(left);
        }
        // A stable partition of every column's range keeps each side sorted.
        for order in sorted
            .iter_mut()
            .filter(|o| !o.is_empty())
            .chain([&mut members])
        {
            scratch.clear();
            let range = &mut order[lo..hi];
            let mut kept = 0;
            for i in 0..range.len() {
                let row = range[i];
                if goes_left[row as usize] {
                    range[kept] = row;
                    kept += 1;
                } else {
                    scratch.push(row);
                }
            }
            range[kept..].copy_from_slice(&scratch);
        }
        let (l, r) = (tree.nodes.len(), tree.nodes.len() + 1);
        tree.nodes.push(Node::Leaf { proba: Vec::new() });
        tree.nodes.push(Node::Leaf { proba: Vec::new() });
        tree.stats
            .extend([NodeStats::default(), NodeStats::default()]);
        tree.nodes[node] = Node::Split {
            feature: best.column,
            threshold: best.threshold,
            left: l,
            right: r,
        };
        let mid = lo + left_rows;
        // Depth first, left before right.
        pending.push(Pending {
            node: r,
            lo: mid,
            hi,
            depth: depth + 1,
        });
        pending.push(Pending {
            node: l,
            lo,
            hi: mid,
            depth: depth + 1,
        });
    }
    Ok(tree)
}

/// The split of a node that lowers the children's impurity the most, if any leaves `min_leaf`
/// rows on each side: over the `candidates` in turn, until `wanted` of them that vary in the
/// node were looked at and a split was found. Ties keep the first found.
#[allow(clippy::too_many_arguments)]
fn best_split(
    columns: &TreeColumns,
    sorted: &[Vec<u32>],
    level_counts: &mut [Option<Vec<u64>>],
    y: &[usize],
    node: NodeRows<'_>,
    candidates: &[usize],
    wanted: usize,
    growth: Growth,
    left: &mut Side,
    right: &mut Side,
) -> Option<Split> {
    let NodeRows {
        lo,
        hi,
        counts,
        members,
    } = node;
    let classes = counts.len();
    let criterion = growth.criterion;
    // An indicator's split is scored from counts: exactly, or within a bound on rounding
    // that depends on the node's own sums.
    let exact_from_counts = whole_sums(criterion, counts, &left.weights);
    right.reset_to(counts, criterion);
    let node_sums = (right.total, right.sum);
    let n = hi - lo;
    let min_leaf = growth.min_leaf.max(1);
    let mut best: Option<Split> = None;
    let mut looked = 0;
    for &column in candidates {
        if looked >= wanted && best.is_some() {
            break;
        }
        if let Some((k, level)) = columns.level_of[column] {
            // An indicator: its 0s go left and its 1s, the rows of its level, right.
            let per_level = level_counts[k].get_or_insert_with(|| {
                let (codes, width) = &columns.levels[k];
                let mut per_level = vec![0_u64; width * classes];
                for &row in &members[lo..hi] {
                    let level = codes[row as usize];
                    if level != NO_LEVEL {
                        per_level[level as usize * classes + y[row as usize]] += 1;
                    }
                }
                per_level
            });
            let ones = &per_level[level as usize * classes..(level as usize + 1) * classes];
            let level_rows = ones.iter().sum::<u64>() as usize;
            if level_rows == 0 || level_rows == n {
                continue;
            }
            looked += 1;
            if level_rows < min_leaf || n - level_rows < min_leaf {
                continue;
            }
            // From the counts first. With whole numbers throughout (Gini, whole class weights,
            // sums below 2^53) this is exactly what the row-by-row scan of the written-out
            // column would give. Otherwise it is an estimate: a split worse than the best by
            // more than the scan's rounding could make up is passed over, and the others
            // are scored again row by row, in the order of the column's 0s, so that their
            // impurities round alike.
            let zeros: Vec<u64> = counts.iter().zip(ones).map(|(c, o)| c - o).collect();
            left.reset_to(&zeros, criterion);
            right.reset_to(ones, criterion);
            let estimate = left.weighted_impurity(criterion) + right.weighted_impurity(criterion);
            if !exact_from_counts {
                let smallest = left.total.min(right.total);
                let bound = scan_rounding(n, node_sums, smallest);
                if best.is_some_and(|best| estimate - bound > best.score) {
                    continue;
                }
                let codes = &columns.levels[k].0;
                left.clear();
                right.reset_to(counts, criterion);
                for &row in &members[lo..hi] {
                    if codes[row as usize] != level {
                        left.add(y[row as usize], criterion);
                        right.remove(y[row as usize], criterion);
                    }
                }
            }
            let score = left.weighted_impurity(criterion) + right.weighted_impurity(criterion);
            if best.is_none_or(|best| score < best.score) {
                best = Some(Split {
                    column,
                    threshold: threshold_between(0.0, 1.0),
                    score,
                });
            }
            continue;
        }
        let values = &columns.values[column];
        let order = &sorted[column][lo..hi];
        // A feature constant in the node (NaN, sorted last, aside) does not count towards
        // `wanted`.
        let first = values[order[0] as usize];
        let last = order
            .iter()
            .rev()
            .map(|&row| values[row as usize])
            .find(|v| !v.is_nan());
        if last.is_none_or(|last| first.partial_cmp(&last) != Some(std::cmp::Ordering::Less)) {
            continue;
        }
        looked += 1;
        left.clear();
        right.reset_to(counts, criterion);
        for k in 0..n - 1 {
            let row = order[k] as usize;
            left.add(y[row], criterion);
            right.remove(y[row], criterion);
            let taken = k + 1;
            if taken < min_leaf {
                continue;
            }
            if n - taken < min_leaf {
                break;
            }
            let (a, b) = (values[row], values[order[k + 1] as usize]);
            // Only between two different values (NaN, sorted last, is never split off).
            if a.partial_cmp(&b) != Some(std::cmp::Ordering::Less) {
                continue;
            }
            let score = left.weighted_impurity(criterion) + right.weighted_impurity(criterion);
            if best.is_none_or(|best| score < best.score) {
                best = Some(Split {
                    column,
                    threshold: threshold_between(a, b),
                    score,
                });
            }
        }
    }
    best
}

/// Whether a node's impurity sums are whole numbers below 2^53 at every step of a scan, so
/// that no step rounds: Gini with whole class weights.
fn whole_sums(criterion: Criterion, counts: &[u64], weights: &[f64]) -> bool {
    let total: f64 = counts
        .iter()
        .zip(weights)
        .map(|(&c, &w)| c as f64 * w)
        .sum();
    criterion == Criterion::Gini
        && weights.iter().all(|w| w.fract() == 0.0)
        && total * total < 2f64.powi(53)
}

/// A bound on how far the score of a split scanned row by row over a node's `n` rows may
/// round from the same split's score from counts: each step rounds a side's total and sum by
/// a few ε of the node's whole total and sum (`node_sums`), and an impurity divides the sum
/// by the smaller side's total `smallest` (Gini) or adds it (entropy).
fn scan_rounding(n: usize, node_sums: (f64, f64), smallest: f64) -> f64 {
    let (total, sum) = (node_sums.0.abs(), node_sums.1.abs());
    let smallest = smallest.max(f64::MIN_POSITIVE);
    8.0 * (n as f64 + 4.0)
        * f64::EPSILON
        * (total * (2.0 + total.ln().abs()) + sum * (1.0 + 1.0 / smallest))
}

/// The threshold for a split between the sorted values `a < b`: scikit-learn sends
/// `x <= (a + b) / 2` left; a node here sends `x < threshold` left, so the threshold is the
/// float just above that midpoint (or `b`, when the midpoint rounds to `b` itself).
fn threshold_between(a: f64, b: f64) -> f64 {
    let mid = a / 2.0 + b / 2.0;
    if mid >= b || !mid.is_finite() {
        return if mid.is_finite() { b } else { a.next_up() };
    }
    mid.next_up()
}

/// Fit one classification tree on `x` with classes `y`, indices into `class_weights` (each
/// class's weight, the spec's `class_weight` resolved for the target); `keep_going` hears
/// the share of the rows already in leaves every 40 ms, and a `false` returns
/// [`ModelError::Cancelled`].
pub fn fit_tree(
    x: Features<'_>,
    y: &[usize],
    class_weights: &[f64],
    spec: &TreeSpec,
    keep_going: &mut dyn FnMut(f32) -> bool,
) -> Result<FlatTree, ModelError> {
    let rows = x.rows();
    if rows == 0 || y.len() != rows {
        return Err(ModelError::OneClass("decision tree"));
    }
    let growth = Growth {
        max_depth: spec.max_depth,
        min_split: spec.min_samples_split,
        min_leaf: spec.min_samples_leaf,
        criterion: spec.criterion,
        features_per_split: None,
    };
    super::tree_memory::check(
        "the decision tree",
        1,
        rows,
        x.dense.ncols() + x.one_hot.len(),
    )?;
    let all: Vec<usize> = (0..rows).collect();
    grow(
        &TreeColumns::of(x, &all),
        y,
        class_weights,
        growth,
        &AtomicBool::new(false),
        keep_going,
    )
}

/// A fitted random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestModel {
    pub trees: Vec<FlatTree>,
    pub classes: usize,
}

impl ForestModel {
    /// The mean of the trees' class probabilities, rows × classes.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.classes));
        for tree in &self.trees {
            tree.add_proba(x, &mut out);
        }
        out /= self.trees.len().max(1) as f64;
        out
    }

    /// [`predict_proba`](Self::predict_proba) of rows whose one-hot columns may be level
    /// indices.
    pub fn predict_proba_of(&self, x: Features<'_>) -> Array2<f64> {
        if x.is_matrix() {
            return self.predict_proba(x.dense);
        }
        let value = x.values();
        let mut out = Array2::zeros((x.rows(), self.classes));
        for (i, mut target) in out.rows_mut().into_iter().enumerate() {
            for tree in &self.trees {
                if let Node::Leaf { proba } = &tree.nodes[tree.leaf_by(|f| value(i, f))] {
                    for (t, p) in target.iter_mut().zip(proba) {
                        *t += p;
                    }
                }
            }
        }
        out /= self.trees.len().max(1) as f64;
        out
    }
}

/// SplitMix64's finaliser: nearby inputs give unrelated outputs.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Fit a forest: each tree on a bootstrap sample of the rows, each of its splits over a random
/// share of the features (scikit-learn's `max_features`), seeded by the tree's number; on
/// sorted values or, as `spec.splitter` says, on bins made once for all the trees;
/// `class_weights` as for [`fit_tree`]. `progress` hears how many trees are done every 40 ms at most; returning false cancels, and
/// the trees still growing stop within one node.
pub fn fit_forest(
    x: ArrayView2<f64>,
    y: &[usize],
    class_weights: &[f64],
    spec: &ForestSpec,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<ForestModel, ModelError> {
    fit_forest_of(Features::matrix(x), y, class_weights, spec, progress)
}

/// [`fit_forest`] of [`Features`]: one-hot columns stay level indices, with histograms and
/// with the exact splitter alike.
pub fn fit_forest_of(
    x: Features<'_>,
    y: &[usize],
    class_weights: &[f64],
    spec: &ForestSpec,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<ForestModel, ModelError> {
    let rows = x.rows();
    let features = x.width;
    if rows == 0 || y.len() != rows {
        return Err(ModelError::OneClass("random forest"));
    }
    let classes = class_weights.len();
    let sample = ((rows as f64 * spec.sample_fraction).ceil() as usize).clamp(1, rows.max(1));
    let width =
        ((features as f64 * spec.feature_fraction).ceil() as usize).clamp(1, features.max(1));
    let at_once = rayon::current_num_threads().clamp(1, spec.trees.max(1));
    let binned = spec.splitter.uses_bins(rows);
    // A binned row holds a byte a number and a level index (4 bytes) a one-hot column.
    let cells = x.dense.ncols() + 4 * x.one_hot.len();
    match binned {
        true => {
            super::tree_memory::check_binned("the random forest", at_once, rows, features, cells)?
        }
        false => super::tree_memory::check(
            "the random forest",
            at_once,
            sample,
            x.dense.ncols() + x.one_hot.len(),
        )?,
    }
    // The bins, once for every tree; the question between columns keeps Cancel quick.
    let bins = match binned {
        true => {
            let mut asked = Instant::now();
            let mut keep_going = || {
                if asked.elapsed() < POLL {
                    return true;
                }
                asked = Instant::now();
                progress(0)
            };
            Some(ForestBins::of(x, spec.seed, &mut keep_going)?)
        }
        false => None,
    };
    // Weights from every training row, as scikit-learn's "balanced" (each tree's bootstrap
    // then counts a row drawn twice twice).
    let one_tree = |i: usize, stop: &AtomicBool, keep_going: &mut dyn FnMut(f32) -> bool| {
        if stop.load(Ordering::Relaxed) {
            return Err(ModelError::Cancelled);
        }
        // Mixed, so that the trees of seed 1 are not those of seed 0 shifted by one.
        let mut rng = StdRng::seed_from_u64(mix(mix(spec.seed) ^ i as u64));
        let picked: Vec<usize> = (0..sample).map(|_| rng.gen_range(0..rows)).collect();
        let growth = Growth {
            max_depth: spec.max_depth,
            min_split: 2,
            min_leaf: spec.min_samples_leaf,
            criterion: Criterion::Gini,
            features_per_split: Some((width, rng.gen())),
        };
        if let Some(bins) = &bins {
            // Each row once, with the times the bootstrap drew it.
            let mut drawn = vec![0_u32; rows];
            for &r in &picked {
                drawn[r] += 1;
            }
            return grow_binned(bins, y, &drawn, class_weights, growth, stop, keep_going);
        }
        // The bootstrap sample's columns, gathered straight from `x`, its one-hot columns as
        // levels.
        let columns = TreeColumns::of(x, &picked);
        let sub_y: Vec<usize> = picked.iter().map(|&r| y[r]).collect();
        grow(&columns, &sub_y, class_weights, growth, stop, keep_going)
    };
    let stop = AtomicBool::new(false);
    // The trees grow on a pool of their own, while this thread hears `progress`: were they
    // spawned on the global pool from one of its threads, a pool busy with callers like this
    // one (two algorithms training side by side) would have no thread free to run them.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads().max(1))
        .thread_name(|i| format!("forest-{i}"))
        .build();
    let Ok(pool) = pool else {
        // No threads to be had: grow the trees here, one after another.
        let mut trees = Vec::with_capacity(spec.trees);
        let mut asked = Instant::now();
        for i in 0..spec.trees {
            let done = i as u64;
            if asked.elapsed() >= POLL {
                if !progress(done) {
                    return Err(ModelError::Cancelled);
                }
                asked = Instant::now();
            }
            trees.push(one_tree(i, &stop, &mut |_| progress(done))?);
        }
        return Ok(ForestModel { trees, classes });
    };
    let mut slots: Vec<Option<FlatTree>> = vec![None; spec.trees];
    let mut outcome = Ok(());
    let (sender, receiver) = crossbeam_channel::unbounded();
    pool.in_place_scope(|scope| {
        for i in 0..spec.trees {
            let (sender, stop, one_tree) = (sender.clone(), &stop, &one_tree);
            scope.spawn(move |_| {
                let _ = sender.send((i, one_tree(i, stop, &mut |_| true)));
            });
        }
        drop(sender);
        let mut grown = 0;
        while grown < spec.trees {
            match receiver.recv_timeout(POLL) {
                Ok((i, Ok(tree))) => {
                    slots[i] = Some(tree);
                    grown += 1;
                }
                Ok((_, Err(error))) => outcome = Err(error),
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            }
            if outcome.is_ok() && !progress(grown as u64) {
                outcome = Err(ModelError::Cancelled);
            }
            if outcome.is_err() {
                // The scope still waits for the trees under way; they stop at their next node.
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
    });
    outcome?;
    let trees = slots.into_iter().flatten().collect::<Vec<_>>();
    if trees.len() < spec.trees {
        return Err(ModelError::Cancelled);
    }
    Ok(ForestModel { trees, classes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// A tree with the default spec on two classes, never cancelled.
    fn default_tree(x: ArrayView2<f64>, y: &[usize]) -> FlatTree {
        fit_tree(
            Features::matrix(x),
            y,
            &[1.0, 1.0],
            &TreeSpec::default(),
            &mut |_| true,
        )
        .unwrap()
    }

    #[test]
    fn a_tree_separates_classes_and_its_leaves_hold_shares() {
        let x = array![
            [0.0, 5.0],
            [1.0, 5.0],
            [2.0, 5.0],
            [10.0, 5.0],
            [11.0, 5.0],
            [12.0, 5.0]
        ];
        let y = [0, 0, 0, 1, 1, 1];
        let tree = default_tree(x.view(), &y);
        let proba = tree.predict_proba(x.view(), 2);
        for (i, &class) in y.iter().enumerate() {
            assert_eq!(proba[[i, class]], 1.0, "{proba:?}");
        }
        assert_eq!(tree.depth(), 1);
        // A stump cannot split a mixed leaf: its shares are the class fractions.
        let stump = TreeSpec {
            max_depth: Some(1),
            ..Default::default()
        };
        let x = array![[0.0], [0.0], [0.0], [1.0]];
        let tree = fit_tree(
            Features::matrix(x.view()),
            &[0, 0, 1, 1],
            &[1.0, 1.0],
            &stump,
            &mut |_| true,
        )
        .unwrap();
        let p = tree.predict_proba(array![[0.0]].view(), 2);
        assert!((p[[0, 0]] - 2.0 / 3.0).abs() < 1e-12, "{p:?}");
    }

    #[test]
    fn a_forest_is_reproducible_and_cancellable() {
        let x = Array2::from_shape_fn((60, 3), |(i, j)| {
            ((i * 7 + j * 13) % 17) as f64 + (i / 30) as f64 * 20.0
        });
        let y: Vec<usize> = (0..60).map(|i| i / 30).collect();
        let spec = ForestSpec {
            trees: 8,
            ..Default::default()
        };
        let a = fit_forest(x.view(), &y, &[1.0, 1.0], &spec, &mut |_| true).unwrap();
        let b = fit_forest(x.view(), &y, &[1.0, 1.0], &spec, &mut |_| true).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.trees.len(), 8);
        let proba = a.predict_proba(x.view());
        let right = (0..60).filter(|&i| proba[[i, y[i]]] > 0.5).count();
        assert!(right >= 58, "{right} of 60");
        let mut calls = 0;
        let cancelled = fit_forest(x.view(), &y, &[1.0, 1.0], &spec, &mut |_| {
            calls += 1;
            calls < 2
        });
        assert_eq!(cancelled.unwrap_err(), ModelError::Cancelled);
    }

    #[test]
    fn forests_grown_from_busy_pool_threads_finish_alike_and_report() {
        let mut random = crate::test_random::Random(3);
        let x = Array2::from_shape_fn((2_000, 4), |_| random.unit());
        let y: Vec<usize> = (0..2_000)
            .map(|i| usize::from(x[[i, 0]] + 0.3 * random.unit() > 0.6))
            .collect();
        let spec = ForestSpec {
            trees: 40,
            ..Default::default()
        };
        let alone = fit_forest(x.view(), &y, &[1.0, 1.0], &spec, &mut |_| true).unwrap();
        // Two forests at once, each started from one of the two threads of a pool.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let side_by_side: Vec<(ForestModel, u32)> = pool.install(|| {
            (0..2)
                .into_par_iter()
                .map(|_| {
                    let mut heard = 0;
                    let forest = fit_forest(x.view(), &y, &[1.0, 1.0], &spec, &mut |_| {
                        heard += 1;
                        true
                    });
                    (forest.unwrap(), heard)
                })
                .collect()
        });
        for (forest, heard) in side_by_side {
            assert_eq!(forest, alone);
            assert!(heard >= 1, "progress was heard");
        }
    }

    #[test]
    fn one_hot_columns_read_as_levels_grow_the_trees_of_the_written_out_indicators() {
        // 600 rows: two numbers and a column of 40 levels (rows of none among them), whose
        // level shifts the class; class weights make the impurities fractions.
        use crate::ml::prep::OneHotCodes;
        let n = 600;
        let levels: Vec<u32> = (0..n)
            .map(|i| match i % 13 {
                0 => NO_LEVEL,
                _ => ((i * 7919) % 40) as u32,
            })
            .collect();
        let dense = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (j + 3) * 37) % 101) as f64);
        let y: Vec<usize> = (0..n)
            .map(|i| usize::from((dense[[i, 0]] + 3.0 * f64::from(levels[i] % 7)) % 29.0 > 13.0))
            .collect();
        let one_hot = [OneHotCodes {
            first: 1,
            width: 40,
            levels,
        }];
        let by_level = Features {
            dense: dense.view(),
            dense_features: Some(&[0, 41]),
            one_hot: &one_hot,
            width: 42,
        };
        let written = by_level.to_dense();
        // Whole weights: scored from counts alone; fractions: scored again row by row when
        // within rounding of the best.
        for weights in [[1.0, 1.0], [1.3, 0.7]] {
            for spec in [
                TreeSpec::default(),
                TreeSpec {
                    max_depth: Some(4),
                    min_samples_leaf: 5,
                    criterion: Criterion::Entropy,
                    ..TreeSpec::default()
                },
            ] {
                let tree = |x| fit_tree(x, &y, &weights, &spec, &mut |_| true).unwrap();
                let from_levels = tree(by_level);
                assert!(from_levels.nodes.len() > 9);
                assert!(from_levels == tree(Features::matrix(written.view())));
                assert_eq!(
                    from_levels.predict_proba_of(by_level, 2),
                    from_levels.predict_proba(written.view(), 2)
                );
            }
            let forest = ForestSpec {
                trees: 5,
                splitter: crate::ml::algorithms::random_forest::Splitter::Exact,
                ..ForestSpec::default()
            };
            let grow = |x| fit_forest_of(x, &y, &weights, &forest, &mut |_| true).unwrap();
            assert!(grow(by_level) == grow(Features::matrix(written.view())));
        }
    }

    #[test]
    fn a_scan_rounds_whole_sums_never_and_others_within_the_bound() {
        // Gini with whole weights: the sums stay whole numbers, so counts give the scan's
        // very score.
        assert!(whole_sums(Criterion::Gini, &[3, 4], &[1.0, 2.0]));
        assert!(!whole_sums(Criterion::Gini, &[3, 4], &[1.5, 1.0]));
        assert!(!whole_sums(Criterion::Entropy, &[3, 4], &[1.0, 1.0]));
        assert!(!whole_sums(Criterion::Gini, &[100_000_000, 1], &[1.0, 1.0]));
        // Fractional weights on 200,000 rows: the row-by-row score of a split stays within
        // the bound of its score from counts.
        let weights = [1.3, 0.7, 2.1];
        let y: Vec<usize> = (0..200_000).map(|i| (i * 7919 + i / 3) % 3).collect();
        let goes_left = |i: usize| (i * 31) % 97 < 40;
        for criterion in [Criterion::Gini, Criterion::Entropy] {
            let (mut left, mut right) = (Side::new(&weights), Side::new(&weights));
            let mut counts = [0_u64; 3];
            let mut left_counts = [0_u64; 3];
            for (i, &class) in y.iter().enumerate() {
                counts[class] += 1;
                left_counts[class] += u64::from(goes_left(i));
            }
            let right_counts: Vec<u64> = counts
                .iter()
                .zip(&left_counts)
                .map(|(c, l)| c - l)
                .collect();
            left.reset_to(&left_counts, criterion);
            right.reset_to(&right_counts, criterion);
            let estimate = left.weighted_impurity(criterion) + right.weighted_impurity(criterion);
            let mut whole = Side::new(&weights);
            whole.reset_to(&counts, criterion);
            let smallest = left.total.min(right.total);
            let bound = scan_rounding(y.len(), (whole.total, whole.sum), smallest);
            left.clear();
            right.reset_to(&counts, criterion);
            for (_, &class) in y.iter().enumerate().filter(|&(i, _)| goes_left(i)) {
                left.add(class, criterion);
                right.remove(class, criterion);
            }
            let scanned = left.weighted_impurity(criterion) + right.weighted_impurity(criterion);
            assert!(
                (scanned - estimate).abs() <= bound,
                "{criterion:?}: {scanned} against {estimate}, bound {bound}"
            );
            assert!(
                bound < 1e-3 * estimate,
                "{criterion:?}: a bound of {bound} is no filter"
            );
        }
    }

    #[test]
    fn missing_values_go_right_and_do_not_stop_a_split() {
        let x = array![[0.0], [1.0], [f64::NAN], [-f64::NAN]];
        let tree = default_tree(x.view(), &[0, 1, 1, 1]);
        let Node::Split { threshold, .. } = tree.nodes[0] else {
            panic!("no split: {tree:?}");
        };
        assert!(threshold > 0.0 && threshold <= 1.0);
        let proba = tree.predict_proba(array![[0.0], [f64::NAN]].view(), 2);
        assert_eq!(proba.row(0).to_vec(), vec![1.0, 0.0]);
        assert_eq!(proba.row(1).to_vec(), vec![0.0, 1.0]);
    }

    #[test]
    fn without_features_a_tree_is_one_leaf_of_the_class_shares() {
        let x = Array2::<f64>::zeros((4, 0));
        let tree = default_tree(x.view(), &[0, 1, 1, 1]);
        assert_eq!(
            tree.nodes,
            vec![Node::Leaf {
                proba: vec![0.25, 0.75]
            }]
        );
    }

    #[test]
    fn a_long_tree_fit_stops_when_asked() {
        // Random features and labels grown until every leaf is pure: a fit far longer than
        // one 40 ms poll.
        let mut random = crate::test_random::Random(7);
        let rows = 300_000;
        let x = Array2::from_shape_fn((rows, 6), |_| random.below(1000) as f64);
        let y: Vec<usize> = (0..rows).map(|_| random.below(2)).collect();
        let unbounded = TreeSpec {
            max_depth: None,
            ..TreeSpec::default()
        };
        let mut asked = 0;
        let result = fit_tree(
            Features::matrix(x.view()),
            &y,
            &[1.0, 1.0],
            &unbounded,
            &mut |_| {
                asked += 1;
                false
            },
        );
        assert_eq!(result.unwrap_err(), ModelError::Cancelled);
        assert_eq!(asked, 1, "the first question already stops it");
        // Asked and told to go on, it grows the whole tree, hearing the share of the rows
        // already in leaves grow.
        let mut heard = Vec::new();
        let whole = fit_tree(
            Features::matrix(x.view()),
            &y,
            &[1.0, 1.0],
            &unbounded,
            &mut |settled| {
                heard.push(settled);
                true
            },
        )
        .unwrap();
        assert!(
            !heard.is_empty() && whole.nodes.len() > 10_000,
            "{} questions, {} nodes",
            heard.len(),
            whole.nodes.len()
        );
        assert!(heard.windows(2).all(|w| w[0] <= w[1]), "{heard:?}");
        assert!(heard.iter().all(|&h| (0.0..=1.0).contains(&h)), "{heard:?}");
    }
}
