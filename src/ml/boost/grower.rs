//! One boosted tree, grown leaf-wise as scikit-learn's `TreeGrower` grows it: the splittable
//! node with the largest gain is split next, until `max_leaf_nodes` leaves; a node is a leaf
//! at `max_depth`, below `2 × min_samples_leaf` rows, or when no split gains. Rows are kept
//! in one index array in which every node owns a contiguous range.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::binning::BinnedLevels;
use super::binning::{BinColumn, BinEdges, Binned};
use super::histogram::{build, subtract, Histograms};
use super::model::{BoostNode, BoostTree, LevelSplit};
use super::split::{best_split, node_value, Split, SplitRules, Sums};

/// The limits of one tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeLimits {
    pub max_leaf_nodes: Option<usize>,
    pub max_depth: Option<usize>,
    pub rules: SplitRules,
    pub learning_rate: f64,
}

/// A grown tree, the bins of its splits (to route binned rows) and its leaves' rows.
pub struct Grown {
    pub tree: BoostTree,
    /// Per node, the last bin that goes left.
    pub bins: Vec<u8>,
    /// Per leaf, the range of [`Grower::rows`] it holds and its value.
    pub leaves: Vec<(usize, usize, f64)>,
}

/// Grows trees on one binned matrix, reusing its buffers.
pub struct Grower<'a> {
    binned: &'a Binned,
    edges: &'a BinEdges,
    limits: TreeLimits,
    /// Row indices; each node owns a range.
    pub rows: Vec<u32>,
    scratch: Vec<u32>,
    ordered_gradients: Vec<f32>,
    ordered_hessians: Vec<f32>,
}

struct Pending {
    gain: f64,
    node: usize,
    split: Split,
    hist: Histograms,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// The largest gain first; of equal gains, the older node.
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then(other.node.cmp(&self.node))
    }
}

/// Where a node's rows lie and what it sums to, while the tree grows.
#[derive(Clone, Copy)]
struct Place {
    start: usize,
    end: usize,
    depth: usize,
    sums: Sums,
}

impl<'a> Grower<'a> {
    pub fn new(binned: &'a Binned, edges: &'a BinEdges, limits: TreeLimits) -> Self {
        Grower {
            binned,
            edges,
            limits,
            rows: Vec::new(),
            scratch: Vec::new(),
            ordered_gradients: Vec::new(),
            ordered_hessians: Vec::new(),
        }
    }

    /// Grow one tree on the gradients and hessians of every binned row.
    pub fn grow(&mut self, gradients: &[f32], hessians: &[f32]) -> Grown {
        let n = self.binned.rows();
        let rules = self.limits.rules;
        self.rows.clear();
        self.rows.extend(0..n as u32);
        let root = Sums {
            gradients: gradients.iter().map(|&g| f64::from(g)).sum(),
            hessians: if rules.constant_hessians {
                n as f64
            } else {
                hessians.iter().map(|&h| f64::from(h)).sum()
            },
            rows: n,
        };
        let mut places = vec![Place {
            start: 0,
            end: n,
            depth: 0,
            sums: root,
        }];
        let mut tree = vec![self.leaf(root)];
        let mut bins = vec![0u8];
        let mut heap = BinaryHeap::new();
        if n >= 2 * rules.min_samples_leaf && root.hessians >= 1e-3 {
            let hist = build(
                self.binned,
                None,
                gradients,
                hessians,
                rules.constant_hessians,
            );
            if let Some(split) = best_split(self.binned, &hist, root, rules) {
                heap.push(Pending {
                    gain: split.gain,
                    node: 0,
                    split,
                    hist,
                });
            }
        }
        let mut leaves = 1;
        while let Some(Pending {
            node, split, hist, ..
        }) = heap.pop()
        {
            let place = places[node];
            let left_end = self.partition(place, &split);
            let depth = place.depth + 1;
            let left_place = Place {
                start: place.start,
                end: left_end,
                depth,
                sums: split.left,
            };
            let right_place = Place {
                start: left_end,
                end: place.end,
                depth,
                sums: split.right,
            };
            let (left, right) = (tree.len(), tree.len() + 1);
            tree.push(self.leaf(split.left));
            tree.push(self.leaf(split.right));
            places.push(left_place);
            places.push(right_place);
            bins.extend([0, 0]);
            let column = self.native_column(split.feature);
            let has_missing = match column {
                Some(column) => column.has_missing,
                None => self.binned.has_missing[split.feature],
            };
            let missing_left = if has_missing {
                split.missing_left
            } else {
                split.left.rows > split.right.rows
            };
            let parent = &mut tree[node];
            parent.feature = split.feature;
            match (&split.levels, column) {
                (Some(levels), Some(column)) => {
                    parent.levels = Some(LevelSplit {
                        width: column.cut.len(),
                        left: levels.clone(),
                    });
                }
                _ => {
                    let edges = &self.edges.edges[split.feature];
                    parent.threshold = if split.bin as usize == self.binned.bins[split.feature] - 1
                    {
                        f64::MAX
                    } else {
                        edges[split.bin as usize]
                    };
                }
            }
            parent.missing_left = missing_left;
            parent.left = left;
            parent.right = right;
            parent.gain = split.gain;
            bins[node] = split.bin;
            leaves += 1;
            if self.limits.max_leaf_nodes == Some(leaves) {
                break;
            }
            let splittable = |p: &Place| {
                self.limits.max_depth.is_none_or(|d| p.depth < d)
                    && p.sums.rows >= 2 * rules.min_samples_leaf
            };
            let (split_left, split_right) = (splittable(&left_place), splittable(&right_place));
            if !split_left && !split_right {
                continue;
            }
            let smaller_is_left = left_place.sums.rows <= right_place.sums.rows;
            let smaller = if smaller_is_left {
                left_place
            } else {
                right_place
            };
            let smaller_hist = self.histograms(gradients, hessians, smaller);
            let larger_hist = subtract(&hist, &smaller_hist);
            drop(hist);
            let (left_hist, right_hist) = if smaller_is_left {
                (smaller_hist, larger_hist)
            } else {
                (larger_hist, smaller_hist)
            };
            for (child, place, hist, wanted) in [
                (left, left_place, left_hist, split_left),
                (right, right_place, right_hist, split_right),
            ] {
                if !wanted {
                    continue;
                }
                if let Some(split) = best_split(self.binned, &hist, place.sums, rules) {
                    heap.push(Pending {
                        gain: split.gain,
                        node: child,
                        split,
                        hist,
                    });
                }
            }
        }
        let leaves = tree
            .iter()
            .zip(&places)
            .filter(|(node, _)| node.is_leaf())
            .map(|(node, p)| (p.start, p.end, node.value))
            .collect();
        Grown {
            tree: BoostTree { nodes: tree },
            bins,
            leaves,
        }
    }

    /// A leaf of these sums, its value shrunk by the learning rate.
    fn leaf(&self, sums: Sums) -> BoostNode {
        BoostNode {
            feature: 0,
            threshold: 0.0,
            missing_left: false,
            levels: None,
            left: 0,
            right: 0,
            value: node_value(sums, self.limits.rules.l2) * self.limits.learning_rate,
            gain: 0.0,
            rows: sums.rows,
        }
    }

    /// The histograms of a node's rows.
    fn histograms(&mut self, gradients: &[f32], hessians: &[f32], place: Place) -> Histograms {
        let rows = &self.rows[place.start..place.end];
        gather(&mut self.ordered_gradients, rows, gradients);
        if !self.limits.rules.constant_hessians {
            gather(&mut self.ordered_hessians, rows, hessians);
        }
        build(
            self.binned,
            Some(rows),
            &self.ordered_gradients,
            &self.ordered_hessians,
            self.limits.rules.constant_hessians,
        )
    }

    /// Put the node's rows that go left first, keeping their order; the end of the left part.
    /// Branch-free: which side a row takes is as good as random to the processor. A large
    /// node's rows are cut into parts partitioned side by side, then joined: the left rows of
    /// every part, then the right rows of every part.
    fn partition(&mut self, place: Place, split: &Split) -> usize {
        if let (Some(levels), Some(column)) = (&split.levels, self.native_column(split.feature)) {
            // Per level, then for no level: whether it goes left.
            let mut left = vec![false; column.cut.len() + 1];
            for &l in levels {
                left[l as usize] = true;
            }
            left[column.cut.len()] = split.missing_left;
            let width = column.cut.len();
            if let Some(bytes) = &column.bytes {
                // Per byte: its level's side, or no level's.
                let mut side = [split.missing_left; 256];
                side[..width].copy_from_slice(&left[..width]);
                return self.partition_by(place, |row: u32| side[bytes[row as usize] as usize]);
            }
            let codes = &column.codes;
            return self.partition_by(place, |row: u32| {
                left[(codes[row as usize] as usize).min(width)]
            });
        }
        let missing = self.binned.missing_bin;
        let goes_left = move |bin: u8| {
            let is_missing = bin == missing;
            (!is_missing & (bin <= split.bin)) | (is_missing & split.missing_left)
        };
        match self.binned.column(split.feature) {
            BinColumn::Bytes(bins) => {
                self.partition_by(place, |row: u32| goes_left(bins[row as usize]))
            }
            column => self.partition_by(place, |row: u32| goes_left(column.get(row as usize))),
        }
    }

    /// The one-hot column split natively whose first indicator is `feature`, if it is one.
    fn native_column(&self, feature: usize) -> Option<&'a BinnedLevels> {
        match self.binned.level_of[feature] {
            Some((k, 0)) if self.binned.levels[k].native => Some(&self.binned.levels[k]),
            _ => None,
        }
    }

    /// [`partition`](Self::partition) by `goes_left`.
    fn partition_by(&mut self, place: Place, goes_left: impl Fn(u32) -> bool + Sync) -> usize {
        let rows = &mut self.rows[place.start..place.end];
        self.scratch.clear();
        self.scratch.resize(rows.len(), 0);
        let parts = (rows.len() / PARALLEL_PARTITION_ROWS).clamp(1, rayon::current_num_threads());
        if parts == 1 {
            let (kept, moved) = partition_part(rows, &mut self.scratch, &goes_left);
            rows[kept..].copy_from_slice(&self.scratch[..moved]);
            return place.start + kept;
        }
        let size = rows.len().div_ceil(parts);
        let counts: Vec<(usize, usize)> = rows
            .par_chunks_mut(size)
            .zip(self.scratch.par_chunks_mut(size))
            .map(|(rows, scratch)| partition_part(rows, scratch, &goes_left))
            .collect();
        // The left rows of every part, then the right rows of every part.
        let mut left = 0;
        for (p, &(kept, _)) in counts.iter().enumerate() {
            rows.copy_within(p * size..p * size + kept, left);
            left += kept;
        }
        let mut at = left;
        for (p, &(_, moved)) in counts.iter().enumerate() {
            rows[at..at + moved].copy_from_slice(&self.scratch[p * size..p * size + moved]);
            at += moved;
        }
        place.start + left
    }
}

/// `values` of `rows`, in their order, into `out`; in parallel for a large node.
fn gather(out: &mut Vec<f32>, rows: &[u32], values: &[f32]) {
    out.clear();
    out.resize(rows.len(), 0.0);
    out.par_iter_mut()
        .zip(rows.par_iter())
        .with_min_len(PARALLEL_GATHER_ROWS)
        .for_each(|(o, &r)| *o = values[r as usize]);
}

/// Rows a thread gathers at least.
const PARALLEL_GATHER_ROWS: usize = 8192;

/// Rows a thread partitions at least.
const PARALLEL_PARTITION_ROWS: usize = 16_384;

/// Keep the rows of `rows` that go left at its start and put the others at the start of
/// `scratch`, each side in order; how many of each.
fn partition_part(
    rows: &mut [u32],
    scratch: &mut [u32],
    goes_left: &(impl Fn(u32) -> bool + Sync),
) -> (usize, usize) {
    let (mut kept, mut moved) = (0, 0);
    for i in 0..rows.len() {
        let row = rows[i];
        let left = goes_left(row);
        // `kept <= i`: this only overwrites rows already read.
        rows[kept] = row;
        scratch[moved] = row;
        kept += left as usize;
        moved += !left as usize;
    }
    (kept, moved)
}

/// The raw output of a binned row through a grown tree.
pub fn predict_binned(grown: &Grown, binned: &Binned, row: usize) -> f64 {
    let nodes = &grown.tree.nodes;
    let mut at = 0;
    while !nodes[at].is_leaf() {
        let node = &nodes[at];
        let left = match (&node.levels, binned.level_of[node.feature]) {
            (Some(split), Some((k, _))) => match binned.levels[k].level(row) {
                Some(level) => split.contains(level),
                None => node.missing_left,
            },
            _ => {
                let bin = binned.column(node.feature).get(row);
                if bin == binned.missing_bin {
                    node.missing_left
                } else {
                    bin <= grown.bins[at]
                }
            }
        };
        at = if left { node.left } else { node.right };
    }
    nodes[at].value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::boost::split::SplitRules;

    #[test]
    fn a_large_node_split_on_two_threads_keeps_each_sides_order() {
        // 100,000 rows (two threads partition them), bins 0..7 with missing values.
        let n = 100_000;
        let column: Vec<u8> = (0..n)
            .map(|i| match (i * 7919) % 11 {
                10 => 255,
                k => k as u8 % 8,
            })
            .collect();
        let binned = Binned::from_columns(vec![column.clone()], vec![8], vec![true], 255);
        let edges = BinEdges {
            edges: vec![(0..7).map(f64::from).collect()],
            missing_bin: 255,
        };
        let limits = TreeLimits {
            max_leaf_nodes: None,
            max_depth: None,
            rules: SplitRules {
                min_samples_leaf: 1,
                l2: 0.0,
                constant_hessians: true,
            },
            learning_rate: 0.1,
        };
        let mut grower = Grower::new(&binned, &edges, limits);
        // A node of the rows in a shuffled order, past a first block that stays put.
        let order: Vec<u32> = (0..n as u64)
            .map(|i| ((i * 48_271) % n as u64) as u32)
            .collect();
        grower.rows = order.clone();
        let sums = Sums {
            gradients: 0.0,
            hessians: 0.0,
            rows: 0,
        };
        for missing_left in [false, true] {
            grower.rows.clone_from(&order);
            let place = Place {
                start: 10,
                end: n,
                depth: 0,
                sums,
            };
            let split = Split {
                gain: 1.0,
                feature: 0,
                bin: 3,
                missing_left,
                left: sums,
                right: sums,
                levels: None,
            };
            let end = grower.partition(place, &split);
            let goes_left = |r: u32| match column[r as usize] {
                255 => missing_left,
                b => b <= 3,
            };
            let node = &order[10..];
            let left: Vec<u32> = node.iter().copied().filter(|&r| goes_left(r)).collect();
            let right: Vec<u32> = node.iter().copied().filter(|&r| !goes_left(r)).collect();
            assert_eq!(end, 10 + left.len());
            assert_eq!(&grower.rows[..10], &order[..10]);
            assert_eq!(&grower.rows[10..end], &left[..]);
            assert_eq!(&grower.rows[end..], &right[..]);
        }
    }
}
