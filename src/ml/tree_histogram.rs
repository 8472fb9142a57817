//! The forest's histogram splitter: the training matrix cut into at most 255 bins per
//! feature once per fit (scikit-learn's `_BinMapper`, `boost::binning`), shared by every
//! tree; a node's split is then searched over the class counts of each drawn feature's bins,
//! one pass over the node's rows, instead of over sorted values.
//!
//! A tree holds each bootstrap row once with the number of times it was drawn. A split after
//! bin `b` sends `x <= edge[b]` left, which a node stores as `x < edge[b].next_up()`: the
//! same rows, the same tree format (ONNX, TreeSHAP, rules). On a feature with at most 255
//! distinct values every bin holds one value, so the splits are the exact splitter's, cut at
//! the midpoint to the next value of the whole table rather than of the node.

use ndarray::s;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::boost::binning::{fit_edges, fit_feature_edges, MAX_BINS};
use super::model::ModelError;
use super::prep::Features;
use super::tree::{FlatTree, Growth, Node, Side, POLL};
use super::tree_stats::NodeStats;

/// Bins per feature in a histogram: `MAX_BINS` of values and the last for missing ones.
const SLOTS: usize = MAX_BINS + 1;

/// The training matrix as bins, made once for all the trees of a forest. One-hot columns
/// stay level indices: an indicator's bin is 1 on its level's rows (when it was cut), else 0.
pub(super) struct ForestBins {
    /// Each feature's bin edges: value `x` is in bin `i` when `edges[i - 1] < x <= edges[i]`.
    edges: Vec<Vec<f64>>,
    /// Rows × the byte-binned features, row-major: each tree copies the rows it drew.
    by_row: Vec<u8>,
    /// Rows × one-hot columns, each row's levels, row-major; copied as `by_row`.
    codes: Vec<u32>,
    /// Where each feature's bin is.
    slots: Vec<BinSlot>,
    /// Byte-binned features and one-hot columns a row.
    dense: usize,
    one_hot: usize,
}

/// Where a feature's bin is in a row.
#[derive(Debug, Clone, Copy)]
enum BinSlot {
    /// This byte of the row's bins.
    Byte(usize),
    /// Whether the row's level in this one-hot column is `level` (0 everywhere when not cut).
    Level {
        column: usize,
        level: u32,
        cut: bool,
    },
}

impl BinSlot {
    #[inline]
    fn bin(self, bins: &[u8], codes: &[u32]) -> usize {
        match self {
            BinSlot::Byte(at) => usize::from(bins[at]),
            BinSlot::Level { column, level, cut } => usize::from(cut && codes[column] == level),
        }
    }
}

impl ForestBins {
    /// Bin every column of `x` (one-hot columns kept as level indices) (edges from a seeded sample of its rows when there are more
    /// than scikit-learn's 200,000), a few columns at a time: `keep_going` is asked between
    /// them, and a `false` returns [`ModelError::Cancelled`].
    pub(super) fn of(
        x: Features<'_>,
        seed: u64,
        keep_going: &mut dyn FnMut() -> bool,
    ) -> Result<Self, ModelError> {
        let rows = x.rows();
        let dense = x.dense.ncols();
        let all: Vec<usize> = (0..rows).collect();
        let step = rayon::current_num_threads().max(1);
        let mut edges = vec![Vec::new(); x.width];
        let mut columns = Vec::with_capacity(dense);
        let mut slots = vec![BinSlot::Byte(0); x.width];
        for start in (0..dense).step_by(step) {
            if !keep_going() {
                return Err(ModelError::Cancelled);
            }
            let part = x.dense.slice(s![.., start..(start + step).min(dense)]);
            let found = fit_edges(part, &all, None, MAX_BINS, seed);
            let binned: Vec<Vec<u8>> = (0..part.ncols())
                .into_par_iter()
                .map(|f| part.column(f).iter().map(|&v| found.bin(f, v)).collect())
                .collect();
            for (k, found) in found.edges.into_iter().enumerate() {
                let feature = x.dense_feature(start + k);
                edges[feature] = found;
                slots[feature] = BinSlot::Byte(start + k);
            }
            columns.extend(binned);
        }
        let mut by_row = vec![0_u8; rows * dense];
        for (f, column) in columns.iter().enumerate() {
            for (i, &bin) in column.iter().enumerate() {
                by_row[i * dense + f] = bin;
            }
        }
        // Indicators are cut at 0.5 when the rows hold their level and others, as 0/1 columns.
        let one_hot = x.one_hot.len();
        let mut codes = vec![0_u32; rows * one_hot];
        if one_hot > 0 {
            let levels_only = Features {
                dense: x.dense.slice(s![.., 0..0]),
                dense_features: Some(&[]),
                ..x
            };
            let found = fit_feature_edges(levels_only, &all, None, MAX_BINS, seed);
            for (column, c) in x.one_hot.iter().enumerate() {
                for level in 0..c.width {
                    let feature = c.first + level;
                    edges[feature] = found.edges[feature].clone();
                    slots[feature] = BinSlot::Level {
                        column,
                        level: level as u32,
                        cut: !edges[feature].is_empty(),
                    };
                }
                for (i, &level) in c.levels.iter().enumerate() {
                    codes[i * one_hot + column] = level;
                }
            }
        }
        Ok(ForestBins {
            edges,
            by_row,
            codes,
            slots,
            dense,
            one_hot,
        })
    }

    fn features(&self) -> usize {
        self.edges.len()
    }

    /// Bins holding values (not the missing bin) of `feature`.
    fn value_bins(&self, feature: usize) -> usize {
        self.edges[feature].len() + 1
    }
}

/// The best split of a node found so far: bins `..=bin` of `feature` go left.
#[derive(Clone, Copy)]
struct BinSplit {
    feature: usize,
    bin: usize,
    /// Children's impurity times rows, summed (lower is better).
    score: f64,
}

/// A node waiting to be split or made a leaf: its rows are `lo..hi` of the tree's rows.
struct Pending {
    node: usize,
    lo: usize,
    hi: usize,
    depth: usize,
}

/// A tree's rows in node order: each node's rows lie side by side, so summing or
/// partitioning them streams through memory instead of jumping about the table.
struct TreeRows {
    /// Byte-binned features a row.
    features: usize,
    /// One-hot columns a row.
    one_hot: usize,
    /// The rows' bins, rows × `features`.
    bins: Vec<u8>,
    /// The rows' levels, rows × `one_hot`.
    codes: Vec<u32>,
    /// Each row's class and the times the bootstrap drew it.
    rows: Vec<(u32, u32)>,
}

impl TreeRows {
    /// The rows drawn at least once, in table order.
    fn gather(table: &ForestBins, y: &[usize], drawn: &[u32]) -> Self {
        let (features, one_hot) = (table.dense, table.one_hot);
        let taken = drawn.iter().filter(|&&d| d > 0).count();
        let mut bins = Vec::with_capacity(taken * features);
        let mut codes = Vec::with_capacity(taken * one_hot);
        let mut rows = Vec::with_capacity(taken);
        for (r, (&class, &d)) in y.iter().zip(drawn).enumerate() {
            if d > 0 {
                bins.extend_from_slice(&table.by_row[r * features..(r + 1) * features]);
                codes.extend_from_slice(&table.codes[r * one_hot..(r + 1) * one_hot]);
                rows.push((class as u32, d));
            }
        }
        TreeRows {
            features,
            one_hot,
            bins,
            codes,
            rows,
        }
    }

    fn empty(&self) -> Self {
        TreeRows {
            features: self.features,
            one_hot: self.one_hot,
            bins: Vec::new(),
            codes: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Reorder rows `lo..hi` so that those with `bin <= last` of the feature at `slot` come
    /// first, each side in its former order; the number on the first side.
    fn partition(
        &mut self,
        lo: usize,
        hi: usize,
        slot: BinSlot,
        last: usize,
        scratch: &mut Self,
    ) -> usize {
        let (f, o) = (self.features, self.one_hot);
        scratch.bins.clear();
        scratch.codes.clear();
        scratch.rows.clear();
        let mut kept = lo;
        for i in lo..hi {
            let bin = slot.bin(
                &self.bins[i * f..(i + 1) * f],
                &self.codes[i * o..(i + 1) * o],
            );
            if bin <= last {
                if kept != i {
                    self.bins.copy_within(i * f..(i + 1) * f, kept * f);
                    self.codes.copy_within(i * o..(i + 1) * o, kept * o);
                    self.rows[kept] = self.rows[i];
                }
                kept += 1;
            } else {
                scratch
                    .bins
                    .extend_from_slice(&self.bins[i * f..(i + 1) * f]);
                scratch
                    .codes
                    .extend_from_slice(&self.codes[i * o..(i + 1) * o]);
                scratch.rows.push(self.rows[i]);
            }
        }
        self.bins[kept * f..hi * f].copy_from_slice(&scratch.bins);
        self.codes[kept * o..hi * o].copy_from_slice(&scratch.codes);
        self.rows[kept..hi].copy_from_slice(&scratch.rows);
        kept - lo
    }
}

/// Grow a tree on the binned rows, row `r` counting `drawn[r]` times (its draws in the
/// bootstrap; 0 leaves it out), with classes `y`. Cancelled as `tree::grow`: `keep_going`
/// every [`POLL`], `stop` at every node.
pub(super) fn grow_binned(
    table: &ForestBins,
    y: &[usize],
    drawn: &[u32],
    class_weights: &[f64],
    growth: Growth,
    stop: &AtomicBool,
    keep_going: &mut dyn FnMut(f32) -> bool,
) -> Result<FlatTree, ModelError> {
    if stop.load(Ordering::Relaxed) {
        return Err(ModelError::Cancelled);
    }
    let mut asked = Instant::now();
    let classes = class_weights.len();
    let mut rows = TreeRows::gather(table, y, drawn);
    let mut scratch = rows.empty();
    let total: u64 = drawn.iter().map(|&d| u64::from(d)).sum();
    let mut tree = FlatTree {
        nodes: vec![Node::Leaf { proba: Vec::new() }],
        stats: vec![NodeStats::default()],
    };
    let mut pending = vec![Pending {
        node: 0,
        lo: 0,
        hi: rows.rows.len(),
        depth: 0,
    }];
    let mut search = Search {
        table,
        growth,
        hist: vec![0; table.features() * SLOTS * classes],
        left: Side::new(class_weights),
        right: Side::new(class_weights),
    };
    let mut candidates: Vec<usize> = (0..table.features()).collect();
    let mut rng = StdRng::seed_from_u64(growth.features_per_split.map_or(0, |(_, seed)| seed));
    let mut settled = 0_u64;
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
            if !keep_going(settled as f32 / total.max(1) as f32) {
                return Err(ModelError::Cancelled);
            }
            asked = Instant::now();
        }
        let mut counts = vec![0_u64; classes];
        for &(class, d) in &rows.rows[lo..hi] {
            counts[class as usize] += u64::from(d);
        }
        let n: u64 = counts.iter().sum();
        tree.stats[node] = NodeStats::of(&counts, class_weights, growth.criterion);
        let best = if growth.may_split(depth, n as usize, &counts) {
            let wanted = growth.draw(&mut candidates, &mut rng);
            let node_rows = NodeRows {
                bins: &rows.bins[lo * rows.features..hi * rows.features],
                codes: &rows.codes[lo * rows.one_hot..hi * rows.one_hot],
                rows: &rows.rows[lo..hi],
                counts: &counts,
            };
            search.best(node_rows, &candidates, wanted)
        } else {
            None
        };
        let Some(best) = best else {
            settled += n;
            tree.nodes[node] = Node::Leaf {
                proba: tree.stats[node].shares(),
            };
            continue;
        };
        // Bins up to `best.bin` go left (the missing bin, last, goes right).
        let slot = table.slots[best.feature];
        let mid = lo + rows.partition(lo, hi, slot, best.bin, &mut scratch);
        let (l, r) = (tree.nodes.len(), tree.nodes.len() + 1);
        tree.nodes.push(Node::Leaf { proba: Vec::new() });
        tree.nodes.push(Node::Leaf { proba: Vec::new() });
        tree.stats
            .extend([NodeStats::default(), NodeStats::default()]);
        tree.nodes[node] = Node::Split {
            feature: best.feature,
            // `x <= edge` as the node's `x < threshold`.
            threshold: table.edges[best.feature][best.bin].next_up(),
            left: l,
            right: r,
        };
        // Depth first, left before right, as `tree::grow`.
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

/// The rows of one node, side by side, and their class counts.
struct NodeRows<'a> {
    /// Rows × byte-binned features.
    bins: &'a [u8],
    /// Rows × one-hot columns.
    codes: &'a [u32],
    /// Class and draws of each row.
    rows: &'a [(u32, u32)],
    counts: &'a [u64],
}

/// What a tree's split search reuses from node to node.
struct Search<'a> {
    table: &'a ForestBins,
    growth: Growth,
    /// Class counts per bin, `SLOTS × classes` per feature being looked at.
    hist: Vec<u32>,
    left: Side,
    right: Side,
}

impl Search<'_> {
    /// The split of a node's rows that lowers the children's impurity the most, if any
    /// leaves `min_leaf` rows on each side: over the `candidates` in turn until `wanted` of
    /// them that vary in the node were looked at and a split was found, as
    /// `tree::best_split`. Ties keep the first found.
    fn best(
        &mut self,
        node: NodeRows<'_>,
        candidates: &[usize],
        wanted: usize,
    ) -> Option<BinSplit> {
        let criterion = self.growth.criterion;
        let counts = node.counts;
        let classes = counts.len();
        let slots = SLOTS * classes;
        let n: u64 = counts.iter().sum();
        let min_leaf = self.growth.min_leaf.max(1) as u64;
        let (dense, one_hot) = (self.table.dense, self.table.one_hot);
        let mut best: Option<BinSplit> = None;
        let mut looked = 0;
        let mut next = 0;
        while next < candidates.len() && !(looked >= wanted && best.is_some()) {
            // The histograms of as many candidates as may still be needed, in one pass.
            let end = (next + wanted.saturating_sub(looked).max(1)).min(candidates.len());
            let batch = &candidates[next..end];
            next = end;
            let hist = &mut self.hist[..batch.len() * slots];
            hist.fill(0);
            if one_hot == 0 {
                for (row_bins, &(class, drawn)) in node.bins.chunks_exact(dense).zip(node.rows) {
                    for (k, &feature) in batch.iter().enumerate() {
                        let bin = usize::from(row_bins[feature]);
                        hist[k * slots + bin * classes + class as usize] += drawn;
                    }
                }
            } else {
                let at: Vec<BinSlot> = batch.iter().map(|&f| self.table.slots[f]).collect();
                for (i, &(class, drawn)) in node.rows.iter().enumerate() {
                    let row_bins = &node.bins[i * dense..(i + 1) * dense];
                    let row_codes = &node.codes[i * one_hot..(i + 1) * one_hot];
                    for (k, slot) in at.iter().enumerate() {
                        let bin = slot.bin(row_bins, row_codes);
                        hist[k * slots + bin * classes + class as usize] += drawn;
                    }
                }
            }
            for (k, &feature) in batch.iter().enumerate() {
                let hist = &self.hist[k * slots..(k + 1) * slots];
                let filled =
                    |b: &usize| hist[b * classes..(b + 1) * classes].iter().any(|&c| c > 0);
                let value_bins = self.table.value_bins(feature);
                // A feature with its values (missing ones aside) in one bin does not count
                // towards `wanted`.
                let (Some(first), Some(last)) = (
                    (0..value_bins).find(filled),
                    (0..value_bins).rev().find(filled),
                ) else {
                    continue;
                };
                if first == last {
                    continue;
                }
                looked += 1;
                let (left, right) = (&mut self.left, &mut self.right);
                left.clear();
                right.reset_to(counts, criterion);
                let mut taken = 0;
                for bin in first..last {
                    let cell = &hist[bin * classes..(bin + 1) * classes];
                    let mut moved = 0;
                    for (class, &c) in cell.iter().enumerate() {
                        if c > 0 {
                            left.take_from(right, class, u64::from(c), criterion);
                            moved += u64::from(c);
                        }
                    }
                    if moved == 0 {
                        continue;
                    }
                    taken += moved;
                    if taken < min_leaf {
                        continue;
                    }
                    if n - taken < min_leaf {
                        break;
                    }
                    let score =
                        left.weighted_impurity(criterion) + right.weighted_impurity(criterion);
                    if best.is_none_or(|best| score < best.score) {
                        best = Some(BinSplit {
                            feature,
                            bin,
                            score,
                        });
                    }
                }
                if looked >= wanted && best.is_some() {
                    break;
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::algorithms::decision_tree::Criterion;
    use crate::ml::algorithms::random_forest::{ForestSpec, Splitter};
    use crate::ml::tree::{fit_forest, ForestModel};
    use ndarray::Array2;

    /// Rows of a few whole numbers per feature (one feature constant, some values missing),
    /// classes from the first two features with noise.
    fn few_values(rows: usize) -> (Array2<f64>, Vec<usize>) {
        let mut random = crate::test_random::Random(11);
        let x = Array2::from_shape_fn((rows, 5), |(_, j)| match j {
            0 => random.below(30) as f64,
            1 if random.below(20) == 0 => f64::NAN,
            1 => random.below(8) as f64 - 4.0,
            2 => 7.0,
            _ => random.below(200) as f64 / 4.0,
        });
        let y = (0..rows)
            .map(|i| {
                let signal = x[[i, 0]] / 30.0 + x[[i, 1]].max(-4.0) / 8.0;
                usize::from(signal + random.unit() * 0.6 > 0.8)
            })
            .collect();
        (x, y)
    }

    fn forest(x: &Array2<f64>, y: &[usize], splitter: Splitter) -> ForestModel {
        let spec = ForestSpec {
            trees: 6,
            min_samples_leaf: 3,
            feature_fraction: 0.4,
            splitter,
            ..ForestSpec::default()
        };
        fit_forest(x.view(), y, &[1.0, 1.0], &spec, &mut |_| true).unwrap()
    }

    #[test]
    fn on_few_distinct_values_the_histogram_forest_splits_as_the_exact_one() {
        let (x, y) = few_values(3_000);
        let exact = forest(&x, &y, Splitter::Exact);
        let binned = forest(&x, &y, Splitter::Histogram);
        for (e, b) in exact.trees.iter().zip(&binned.trees) {
            assert_eq!(e.stats, b.stats, "same rows and classes in every node");
            assert_eq!(e.nodes.len(), b.nodes.len());
            for (en, bn) in e.nodes.iter().zip(&b.nodes) {
                match (en, bn) {
                    (
                        Node::Split {
                            feature: ef,
                            left: el,
                            right: er,
                            ..
                        },
                        Node::Split {
                            feature: bf,
                            left: bl,
                            right: br,
                            ..
                        },
                    ) => assert_eq!((ef, el, er), (bf, bl, br)),
                    (Node::Leaf { proba: ep }, Node::Leaf { proba: bp }) => assert_eq!(ep, bp),
                    _ => panic!("a split against a leaf: {en:?} {bn:?}"),
                }
            }
        }
        // The same class counts in every node: each split sends the same drawn rows left. The
        // thresholds may sit at another midpoint (of the table's values, not the node's), so
        // rows a tree did not draw may land elsewhere.
        assert!(exact.trees.iter().all(|t| t.depth() >= 3));
    }

    #[test]
    fn every_node_holds_the_rows_its_thresholds_send_it() {
        // Many distinct values: features cut at percentiles, several values to a bin.
        let mut random = crate::test_random::Random(5);
        let rows = 4_000;
        let x = Array2::from_shape_fn((rows, 3), |(i, j)| {
            if (i + j) % 97 == 0 {
                f64::NAN
            } else {
                random.unit() * 100.0 - 50.0
            }
        });
        let y: Vec<usize> = (0..rows)
            .map(|i| usize::from(x[[i, 0]].abs() + 10.0 * random.unit() > 30.0))
            .collect();
        let bins = ForestBins::of(Features::matrix(x.view()), 0, &mut || true).unwrap();
        let drawn: Vec<u32> = (0..rows).map(|i| (i % 3) as u32).collect();
        let growth = Growth {
            max_depth: Some(6),
            min_split: 2,
            min_leaf: 1,
            criterion: Criterion::Gini,
            features_per_split: None,
        };
        let tree = grow_binned(
            &bins,
            &y,
            &drawn,
            &[1.0, 1.0],
            growth,
            &AtomicBool::new(false),
            &mut |_| true,
        )
        .unwrap();
        assert!(tree.nodes.len() > 20, "{} nodes", tree.nodes.len());
        // Each row, counted as often as drawn, walked down by the stored `x < threshold`.
        let mut reached = vec![vec![0_u64; 2]; tree.nodes.len()];
        for (i, row) in x.rows().into_iter().enumerate() {
            let mut at = 0;
            loop {
                reached[at][y[i]] += u64::from(drawn[i]);
                match tree.nodes[at] {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        at = if row[feature] < threshold {
                            left
                        } else {
                            right
                        }
                    }
                    Node::Leaf { .. } => break,
                }
            }
        }
        for (stats, reached) in tree.stats.iter().zip(&reached) {
            assert_eq!(&stats.counts, reached);
        }
    }

    #[test]
    fn a_histogram_forest_is_reproducible_weighs_classes_and_stops_when_asked() {
        let (x, y) = few_values(2_000);
        let spec = ForestSpec {
            trees: 5,
            splitter: Splitter::Histogram,
            ..ForestSpec::default()
        };
        let classes = ["a".to_string(), "b".to_string()];
        let weights = crate::ml::class_weight::ClassWeight::Balanced.weights(&y, &classes);
        let a = fit_forest(x.view(), &y, &weights, &spec, &mut |_| true).unwrap();
        assert_eq!(
            a,
            fit_forest(x.view(), &y, &weights, &spec, &mut |_| true).unwrap()
        );
        let root = &a.trees[0].stats[0];
        assert_eq!(
            root.rows(),
            2_000,
            "the bootstrap's draws, a row drawn twice twice"
        );
        assert!(!root.weighted.is_empty());
        let cancelled = fit_forest(x.view(), &y, &weights, &spec, &mut |_| false);
        assert_eq!(cancelled.unwrap_err(), ModelError::Cancelled);
    }

    #[test]
    fn one_hot_levels_read_as_indices_grow_the_forest_of_the_indicator_matrix() {
        use crate::ml::prep::{Design, OneHotCodes, NO_LEVEL};
        let mut random = crate::test_random::Random(3);
        let rows = 3_000;
        let dense = Array2::from_shape_fn((rows, 2), |_| random.below(50) as f64 / 5.0);
        let many: Vec<u32> = (0..rows)
            .map(|_| match random.below(34) {
                k if k >= 30 => NO_LEVEL,
                k => k as u32,
            })
            .collect();
        let few: Vec<u32> = (0..rows).map(|_| random.below(3) as u32).collect();
        let y: Vec<usize> = (0..rows)
            .map(|i| {
                let level = if many[i] != NO_LEVEL && many[i] % 4 == 1 {
                    4.0
                } else {
                    0.0
                };
                usize::from(dense[[i, 0]] + level + f64::from(few[i]) + random.unit() * 3.0 > 8.0)
            })
            .collect();
        // Level 30 of the first column (its last) is never seen.
        let design = Design {
            dense,
            dense_features: vec![0, 32],
            one_hot: vec![
                OneHotCodes {
                    first: 1,
                    width: 31,
                    levels: many,
                },
                OneHotCodes {
                    first: 33,
                    width: 3,
                    levels: few,
                },
            ],
            width: 36,
        };
        let x = design.to_dense();
        let spec = ForestSpec {
            trees: 8,
            min_samples_leaf: 2,
            feature_fraction: 0.3,
            splitter: Splitter::Histogram,
            ..ForestSpec::default()
        };
        let by_levels = crate::ml::tree::fit_forest_of(
            Features::design(&design),
            &y,
            &[1.0, 1.5],
            &spec,
            &mut |_| true,
        )
        .unwrap();
        let by_matrix = fit_forest(x.view(), &y, &[1.0, 1.5], &spec, &mut |_| true).unwrap();
        assert_eq!(
            by_levels, by_matrix,
            "class counts are whole: the very same trees"
        );
        let on_levels = by_levels
            .trees
            .iter()
            .flat_map(|t| &t.nodes)
            .filter(|n| matches!(n, Node::Split { feature, .. } if (1..32).contains(feature)));
        assert!(on_levels.count() > 5);
        assert_eq!(
            by_levels.predict_proba_of(Features::design(&design)),
            by_matrix.predict_proba(x.view())
        );
        // The exact splitter gets the indicators written out, and grows its own trees.
        let exact = ForestSpec {
            splitter: Splitter::Exact,
            ..spec
        };
        assert_eq!(
            crate::ml::tree::fit_forest_of(
                Features::design(&design),
                &y,
                &[1.0, 1.5],
                &exact,
                &mut |_| true
            )
            .unwrap(),
            fit_forest(x.view(), &y, &[1.0, 1.5], &exact, &mut |_| true).unwrap()
        );
    }
}
