//! Path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2; `shap.TreeExplainer` with
//! `feature_perturbation="tree_path_dependent"`): the exact Shapley values of a tree whose
//! answer for a subset of features is the average of its leaves over the training rows that
//! follow the split on every feature outside the subset. Each node's cover is its training
//! rows ([`FlatTree::stats`](crate::ml::tree::FlatTree)); a forest's values are the mean of
//! its trees'. Values are in probability of the explained class.

use ndarray::ArrayView1;

use super::RowResult;
use crate::ml::tree::{FlatTree, Node};

/// One feature on the path from the root: the share of training rows that follow the path
/// (`zero`), whether the row does (`one`), and the weight of the subsets it sits in.
#[derive(Debug, Clone, Copy)]
struct PathElement {
    feature: Option<usize>,
    zero: f64,
    one: f64,
    weight: f64,
}

/// Add a feature at `depth` of the path (`path[..depth]` already on it), updating the subset
/// weights.
fn extend(path: &mut [PathElement], depth: usize, zero: f64, one: f64, feature: Option<usize>) {
    path[depth] = PathElement {
        feature,
        zero,
        one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let d = depth as f64;
    for i in (0..depth).rev() {
        path[i + 1].weight += one * path[i].weight * (i as f64 + 1.0) / (d + 1.0);
        path[i].weight = zero * path[i].weight * (d - i as f64) / (d + 1.0);
    }
}

/// Take the element at `index` back out of `path[..=depth]`, undoing its [`extend`].
fn unwind(path: &mut [PathElement], depth: usize, index: usize) {
    let d = depth as f64;
    let PathElement { one, zero, .. } = path[index];
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let kept = path[i].weight;
            path[i].weight = next * (d + 1.0) / ((i as f64 + 1.0) * one);
            next = kept - path[i].weight * zero * (d - i as f64) / (d + 1.0);
        } else {
            path[i].weight = path[i].weight * (d + 1.0) / (zero * (d - i as f64));
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

/// The total weight `path[..=depth]` would have without the element at `index`.
fn unwound_sum(path: &[PathElement], depth: usize, index: usize) -> f64 {
    let d = depth as f64;
    let PathElement { one, zero, .. } = path[index];
    let mut next = path[depth].weight;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let w = next * (d + 1.0) / ((i as f64 + 1.0) * one);
            total += w;
            next = path[i].weight - w * zero * (d - i as f64) / (d + 1.0);
        } else if zero != 0.0 {
            total += path[i].weight / zero / ((d - i as f64) / (d + 1.0));
        }
    }
    total
}

const EMPTY: PathElement = PathElement {
    feature: None,
    zero: 0.0,
    one: 0.0,
    weight: 0.0,
};

struct Walk<'t, 'r, 'p> {
    tree: &'t FlatTree,
    row: ArrayView1<'r, f64>,
    class: usize,
    phi: &'p mut [f64],
    /// Every level's path, one after another (as shap's C++ keeps them): a node's path is
    /// its parent's copied past the parent's end, then extended.
    paths: Vec<PathElement>,
}

impl Walk<'_, '_, '_> {
    fn cover(&self, at: usize) -> f64 {
        self.tree.stats[at].cover()
    }

    /// Walk node `at`, whose parent's path is `paths[parent..parent + depth]`.
    fn recurse(
        &mut self,
        at: usize,
        parent: usize,
        depth: usize,
        zero: f64,
        one: f64,
        feature: Option<usize>,
    ) {
        let start = parent + depth + 1;
        if self.paths.len() < start + depth + 1 {
            self.paths.resize(start + depth + 1, EMPTY);
        }
        self.paths.copy_within(parent..parent + depth, start);
        let mut depth = depth;
        extend(&mut self.paths[start..], depth, zero, one, feature);
        match &self.tree.nodes[at] {
            Node::Leaf { proba } => {
                let value = proba.get(self.class).copied().unwrap_or(0.0);
                let path = &self.paths[start..=start + depth];
                for (i, element) in path.iter().enumerate().skip(1) {
                    let w = unwound_sum(path, depth, i);
                    if let Some(f) = element.feature {
                        self.phi[f] += w * (element.one - element.zero) * value;
                    }
                }
            }
            &Node::Split {
                feature: split,
                threshold,
                left,
                right,
            } => {
                let (hot, cold) = if self.row[split] < threshold {
                    (left, right)
                } else {
                    (right, left)
                };
                let (mut incoming_zero, mut incoming_one) = (1.0, 1.0);
                // A feature met again on the path is unwound first, its fractions carried on.
                let path = &mut self.paths[start..=start + depth];
                if let Some(k) = path.iter().position(|e| e.feature == Some(split)) {
                    incoming_zero = path[k].zero;
                    incoming_one = path[k].one;
                    unwind(path, depth, k);
                    depth -= 1;
                }
                let node = self.cover(at);
                let hot_zero = self.cover(hot) / node;
                let cold_zero = self.cover(cold) / node;
                let (zero, one) = (hot_zero * incoming_zero, incoming_one);
                self.recurse(hot, start, depth + 1, zero, one, Some(split));
                let zero = cold_zero * incoming_zero;
                self.recurse(cold, start, depth + 1, zero, 0.0, Some(split));
            }
        }
    }
}

/// The average prediction of `class` over the training rows: the leaves' values weighted by
/// their rows.
fn expected(tree: &FlatTree, class: usize) -> f64 {
    let root = tree.stats[0].cover();
    tree.nodes
        .iter()
        .zip(&tree.stats)
        .filter_map(|(node, stats)| match node {
            Node::Leaf { proba } => {
                Some(stats.cover() / root * proba.get(class).copied().unwrap_or(0.0))
            }
            Node::Split { .. } => None,
        })
        .sum()
}

/// TreeSHAP values of one tree for `row` and `class`, added into `phi` (one per feature);
/// returns the tree's expected value and its prediction.
fn tree_values(tree: &FlatTree, row: ArrayView1<f64>, class: usize, phi: &mut [f64]) -> (f64, f64) {
    let mut walk = Walk {
        tree,
        row,
        class,
        phi,
        paths: Vec::new(),
    };
    walk.recurse(0, 0, 0, 1.0, 1.0, None);
    let mut at = 0;
    let prediction = loop {
        match &tree.nodes[at] {
            Node::Leaf { proba } => break proba.get(class).copied().unwrap_or(0.0),
            &Node::Split {
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
        }
    };
    (expected(tree, class), prediction)
}

/// The mean TreeSHAP values of `trees` (one tree, or a forest's) for `row` and `class`, every
/// tree keeping its nodes' statistics.
pub(super) fn forest_row(trees: &[FlatTree], row: ArrayView1<f64>, class: usize) -> RowResult {
    let mut features = vec![0.0; row.len()];
    let (mut base, mut prediction) = (0.0, 0.0);
    for tree in trees {
        let (b, p) = tree_values(tree, row, class, &mut features);
        base += b;
        prediction += p;
    }
    let n = trees.len() as f64;
    features.iter_mut().for_each(|v| *v /= n);
    RowResult::Features {
        base: base / n,
        prediction: prediction / n,
        features,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::algorithms::decision_tree::Criterion;
    use crate::ml::tree::NodeStats;
    use ndarray::array;

    fn leaf(p1: f64) -> Node {
        Node::Leaf {
            proba: vec![1.0 - p1, p1],
        }
    }

    /// x0 < 0 → (x1 < 0 → 0.0 : 1.0) : 0.5, with 2 + 2 rows left and 4 right.
    fn small_tree() -> FlatTree {
        let split = |feature, left, right| Node::Split {
            feature,
            threshold: 0.0,
            left,
            right,
        };
        let stats = |a: u64, b: u64| NodeStats::of(&[a, b], &[1.0, 1.0], Criterion::Gini);
        FlatTree {
            nodes: vec![
                split(0, 1, 4),
                split(1, 2, 3),
                leaf(0.0),
                leaf(1.0),
                leaf(0.5),
            ],
            stats: vec![
                stats(4, 4),
                stats(2, 2),
                stats(2, 0),
                stats(0, 2),
                stats(2, 2),
            ],
        }
    }

    /// The Shapley values of the tree's path-dependent value function, from every subset.
    fn brute_force(tree: &FlatTree, row: ArrayView1<f64>, class: usize) -> Vec<f64> {
        fn value(tree: &FlatTree, at: usize, row: ArrayView1<f64>, set: u32, class: usize) -> f64 {
            match &tree.nodes[at] {
                Node::Leaf { proba } => proba[class],
                &Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    if set & (1 << feature) != 0 {
                        let next = if row[feature] < threshold {
                            left
                        } else {
                            right
                        };
                        value(tree, next, row, set, class)
                    } else {
                        let n = tree.stats[at].cover();
                        let l = tree.stats[left].cover() / n;
                        let r = tree.stats[right].cover() / n;
                        l * value(tree, left, row, set, class)
                            + r * value(tree, right, row, set, class)
                    }
                }
            }
        }
        let m = row.len();
        let factorial = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
        (0..m)
            .map(|j| {
                let mut phi = 0.0;
                for set in 0..(1u32 << m) {
                    if set & (1 << j) != 0 {
                        continue;
                    }
                    let s = set.count_ones() as usize;
                    let weight = factorial(s) * factorial(m - s - 1) / factorial(m);
                    phi += weight
                        * (value(tree, 0, row, set | (1 << j), class)
                            - value(tree, 0, row, set, class));
                }
                phi
            })
            .collect()
    }

    #[test]
    fn tree_shap_equals_the_shapley_values_from_every_subset_and_adds_up() {
        let mut tree = small_tree();
        // A third feature split twice on one path, to exercise the unwinding.
        tree.nodes[4] = Node::Split {
            feature: 2,
            threshold: 1.0,
            left: 5,
            right: 6,
        };
        tree.nodes.push(Node::Split {
            feature: 2,
            threshold: -1.0,
            left: 7,
            right: 8,
        });
        tree.nodes.push(leaf(0.9));
        tree.nodes.push(leaf(0.1));
        tree.nodes.push(leaf(0.6));
        let stats = |a: u64, b: u64| NodeStats::of(&[a, b], &[1.0, 1.0], Criterion::Gini);
        tree.stats[4] = stats(2, 2);
        tree.stats
            .extend([stats(2, 1), stats(0, 1), stats(1, 0), stats(1, 1)]);
        for row in [
            array![-1.0, 1.0, 0.0],
            array![1.0, -1.0, -2.0],
            array![2.0, 0.0, 3.0],
        ] {
            for class in 0..2 {
                let mut phi = vec![0.0; 3];
                let (base, prediction) = tree_values(&tree, row.view(), class, &mut phi);
                let want = brute_force(&tree, row.view(), class);
                for (a, b) in phi.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-12, "{phi:?} vs {want:?}");
                }
                let total = base + phi.iter().sum::<f64>();
                assert!(
                    (total - prediction).abs() < 1e-12,
                    "{total} vs {prediction}"
                );
            }
        }
        // Root: 4 + 4 rows, base 0.5 for either class.
        let mut phi = vec![0.0; 3];
        let (base, _) = tree_values(&small_tree(), array![-1.0, 1.0, 0.0].view(), 1, &mut phi);
        assert!((base - 0.5).abs() < 1e-15);
    }
}
