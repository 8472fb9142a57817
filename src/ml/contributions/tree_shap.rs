//! Path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2; `shap.TreeExplainer` with
//! `feature_perturbation="tree_path_dependent"`): the exact Shapley values of a tree whose
//! answer for a subset of features is the average of its leaves over the training rows that
//! follow the split on every feature outside the subset. Each node's cover is its training
//! rows ([`FlatTree::stats`](crate::ml::tree::FlatTree), a boosted node's `rows`, which is
//! scikit-learn's `count` that shap reads for its histogram boosting). A forest's values are
//! the mean of its trees', in probability of the explained class; a boosted model's are the
//! sum of the trees of the explained output, in raw space (the log-odds, a class's raw
//! score, or the value), from the baseline plus the trees' expected values.

use ndarray::ArrayView1;

use super::RowResult;
use crate::ml::boost::{level_from_values, BoostTree, BoostedModel, Loss};
use crate::ml::tree::{FlatTree, Node};

/// What TreeSHAP reads of a tree: each node's cover, and where a row goes.
trait ShapTree {
    /// The training rows that reached node `at`.
    fn cover(&self, at: usize) -> f64;
    /// A leaf's value (for the explained class), or a split's feature and the child `row`
    /// goes to first, then the other.
    fn step(&self, at: usize, row: ArrayView1<f64>, class: usize) -> Step;
}

enum Step {
    Leaf(f64),
    Split {
        feature: usize,
        hot: usize,
        cold: usize,
    },
}

impl ShapTree for FlatTree {
    fn cover(&self, at: usize) -> f64 {
        self.stats[at].cover()
    }

    fn step(&self, at: usize, row: ArrayView1<f64>, class: usize) -> Step {
        match &self.nodes[at] {
            Node::Leaf { proba } => Step::Leaf(proba.get(class).copied().unwrap_or(0.0)),
            &Node::Split {
                feature,
                threshold,
                left,
                right,
            } => {
                let (hot, cold) = if row[feature] < threshold {
                    (left, right)
                } else {
                    (right, left)
                };
                Step::Split { feature, hot, cold }
            }
        }
    }
}

impl ShapTree for BoostTree {
    fn cover(&self, at: usize) -> f64 {
        self.nodes[at].rows as f64
    }

    fn step(&self, at: usize, row: ArrayView1<f64>, _class: usize) -> Step {
        let node = &self.nodes[at];
        if node.is_leaf() {
            return Step::Leaf(node.value);
        }
        // A split on levels reads the indicator that is 1; its feature is the column's first.
        let left = node.goes_left(
            |f| row[f],
            |first, width| level_from_values(|f| row[f], first, width),
        );
        let (hot, cold) = if left {
            (node.left, node.right)
        } else {
            (node.right, node.left)
        };
        Step::Split {
            feature: node.feature,
            hot,
            cold,
        }
    }
}

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

struct Walk<'t, 'r, 'p, T: ShapTree> {
    tree: &'t T,
    row: ArrayView1<'r, f64>,
    class: usize,
    phi: &'p mut [f64],
    /// Every level's path, one after another (as shap's C++ keeps them): a node's path is
    /// its parent's copied past the parent's end, then extended.
    paths: Vec<PathElement>,
}

impl<T: ShapTree> Walk<'_, '_, '_, T> {
    fn cover(&self, at: usize) -> f64 {
        self.tree.cover(at)
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
        match self.tree.step(at, self.row, self.class) {
            Step::Leaf(value) => {
                let path = &self.paths[start..=start + depth];
                for (i, element) in path.iter().enumerate().skip(1) {
                    let w = unwound_sum(path, depth, i);
                    if let Some(f) = element.feature {
                        self.phi[f] += w * (element.one - element.zero) * value;
                    }
                }
            }
            Step::Split {
                feature: split,
                hot,
                cold,
            } => {
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

/// The average prediction of `class` over the training rows, the leaves' values weighted
/// by their rows: the value each split's children make, weighted by their covers.
fn expected<T: ShapTree>(tree: &T, at: usize, row: ArrayView1<f64>, class: usize) -> f64 {
    match tree.step(at, row, class) {
        Step::Leaf(value) => value,
        Step::Split { hot, cold, .. } => {
            let node = tree.cover(at);
            (tree.cover(hot) * expected(tree, hot, row, class)
                + tree.cover(cold) * expected(tree, cold, row, class))
                / node
        }
    }
}

/// TreeSHAP values of one tree for `row` and `class`, added into `phi` (one per feature);
/// returns the tree's expected value and its prediction.
fn tree_values<T: ShapTree>(
    tree: &T,
    row: ArrayView1<f64>,
    class: usize,
    phi: &mut [f64],
) -> (f64, f64) {
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
        match tree.step(at, row, class) {
            Step::Leaf(value) => break value,
            Step::Split { hot, .. } => at = hot,
        }
    };
    (expected(tree, 0, row, class), prediction)
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

/// The TreeSHAP values of a boosted model for `row` in raw space: for output `output`, the
/// sum over its trees from the baseline plus their expected values. Explaining class 0 of a
/// two-class model, whose one output is the log-odds of class 1, negates everything.
pub(super) fn boosted_row(model: &BoostedModel, row: ArrayView1<f64>, class: usize) -> RowResult {
    let output = match model.loss {
        Loss::Multinomial => class,
        Loss::Binomial | Loss::SquaredError => 0,
    };
    let mut features = vec![0.0; row.len()];
    let mut base = model.baseline.get(output).copied().unwrap_or(0.0);
    let mut prediction = base;
    for iteration in &model.trees {
        if let Some(tree) = iteration.get(output) {
            let (b, p) = tree_values(tree, row, 0, &mut features);
            base += b;
            prediction += p;
        }
    }
    if model.loss == Loss::Binomial && class == 0 {
        features.iter_mut().for_each(|v| *v = -*v);
        (base, prediction) = (-base, -prediction);
    }
    RowResult::Features {
        base,
        prediction,
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
    fn brute_force<T: ShapTree>(tree: &T, row: ArrayView1<f64>, class: usize) -> Vec<f64> {
        fn value<T: ShapTree>(
            tree: &T,
            at: usize,
            row: ArrayView1<f64>,
            set: u32,
            class: usize,
        ) -> f64 {
            match tree.step(at, row, class) {
                Step::Leaf(v) => v,
                Step::Split { feature, hot, cold } => {
                    if set & (1 << feature) != 0 {
                        value(tree, hot, row, set, class)
                    } else {
                        let n = tree.cover(at);
                        tree.cover(hot) / n * value(tree, hot, row, set, class)
                            + tree.cover(cold) / n * value(tree, cold, row, set, class)
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

    /// A boosted node splitting `feature` (on `levels` of a 3-level column when given) with
    /// these children and training rows.
    fn boost_node(
        feature: usize,
        threshold: f64,
        levels: Option<Vec<u32>>,
        missing_left: bool,
        (left, right): (usize, usize),
        rows: usize,
    ) -> crate::ml::boost::BoostNode {
        crate::ml::boost::BoostNode {
            feature,
            threshold,
            missing_left,
            levels: levels.map(|left| crate::ml::boost::LevelSplit { width: 3, left }),
            left,
            right,
            value: 0.0,
            gain: 1.0,
            rows,
        }
    }

    fn boost_leaf(value: f64, rows: usize) -> crate::ml::boost::BoostNode {
        crate::ml::boost::BoostNode {
            value,
            ..boost_node(0, 0.0, None, false, (0, 0), rows)
        }
    }

    /// A boosted tree on three features: x0 ≤ 0 (missing right) → (x1 ≤ 1, missing left →
    /// −1 : 2) : (x0 ≤ 5 → (x2 ≤ 0 → 0.5 : 1.5) : −2), with 10 rows split 6 + 4, 6 as
    /// 2 + 4, 4 as 3 + 1 and 3 as 1 + 2.
    fn boost_tree() -> BoostTree {
        let node = |feature, threshold, missing_left, left, right, rows| {
            boost_node(feature, threshold, None, missing_left, (left, right), rows)
        };
        let leaf = |value, rows| boost_leaf(value, rows);
        BoostTree {
            nodes: vec![
                node(0, 0.0, false, 1, 2, 10),
                node(1, 1.0, true, 3, 4, 6),
                node(0, 5.0, false, 5, 6, 4),
                leaf(-1.0, 2),
                leaf(2.0, 4),
                node(2, 0.0, false, 7, 8, 3),
                leaf(-2.0, 1),
                leaf(0.5, 1),
                leaf(1.5, 2),
            ],
        }
    }

    #[test]
    fn boosted_tree_shap_follows_missing_values_and_equals_the_shapley_values() {
        let tree = boost_tree();
        let nan = f64::NAN;
        for row in [
            array![-1.0, nan, 0.0],
            array![nan, 0.0, 3.0],
            array![3.0, 2.0, -1.0],
            array![7.0, nan, nan],
        ] {
            let mut phi = vec![0.0; 3];
            let (base, prediction) = tree_values(&tree, row.view(), 0, &mut phi);
            let want = brute_force(&tree, row.view(), 0);
            for (a, b) in phi.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "{row}: {phi:?} vs {want:?}");
            }
            // The average leaf over the training rows (2 × −1, 4 × 2, 1 × −2, 1 × 0.5,
            // 2 × 1.5 of 10), and the row's own leaf.
            let leaves = (-2.0 + 8.0 - 2.0 + 0.5 + 3.0) / 10.0;
            assert!((base - leaves).abs() < 1e-12, "{base}");
            assert_eq!(
                prediction,
                tree.predict(row.view()),
                "{row}: the walk and the model agree"
            );
            assert!((base + phi.iter().sum::<f64>() - prediction).abs() < 1e-12);
        }
    }

    #[test]
    fn a_split_on_levels_credits_its_column_and_equals_the_shapley_values() {
        let node = boost_node;
        let leaf = boost_leaf;
        let tree = BoostTree {
            nodes: vec![
                node(1, 0.0, Some(vec![0, 2]), false, (1, 2), 20),
                node(0, 0.0, None, true, (3, 4), 12),
                node(1, 0.0, Some(vec![1]), true, (5, 6), 8),
                leaf(-1.0, 5),
                leaf(2.0, 7),
                leaf(0.5, 6),
                leaf(-3.0, 2),
            ],
        };
        for row in [
            array![-1.0, 1.0, 0.0, 0.0],
            array![2.0, 0.0, 0.0, 1.0],
            array![2.0, 0.0, 1.0, 0.0],
            array![-2.0, 0.0, 0.0, 0.0],
        ] {
            let mut phi = vec![0.0; 4];
            let (base, prediction) = tree_values(&tree, row.view(), 0, &mut phi);
            let want = brute_force(&tree, row.view(), 0);
            for (a, b) in phi.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "{row}: {phi:?} vs {want:?}");
            }
            assert_eq!(
                (phi[2], phi[3]),
                (0.0, 0.0),
                "the column's credit is at its first"
            );
            assert_eq!(prediction, tree.predict(row.view()));
            assert!((base + phi.iter().sum::<f64>() - prediction).abs() < 1e-12);
        }
        // No level (a level never seen) goes right at the root, then left: 0.5.
        assert_eq!(tree.predict(array![-2.0, 0.0, 0.0, 0.0].view()), 0.5);
        assert_eq!(tree.predict(array![2.0, 0.0, 0.0, 1.0].view()), 2.0);
    }

    #[test]
    fn a_boosted_model_adds_its_trees_from_the_baseline_in_raw_space() {
        let two = BoostedModel {
            loss: Loss::Binomial,
            baseline: vec![0.25],
            trees: vec![vec![boost_tree()], vec![boost_tree()]],
            learning_rate: 0.1,
        };
        let row = array![3.0, 2.0, -1.0];
        let RowResult::Features {
            base,
            prediction,
            features,
        } = boosted_row(&two, row.view(), 1)
        else {
            panic!("exact values are per feature")
        };
        let raw = two.raw(row.view().insert_axis(ndarray::Axis(0)))[[0, 0]];
        assert!((prediction - raw).abs() < 1e-12, "{prediction} vs {raw}");
        assert!((base + features.iter().sum::<f64>() - raw).abs() < 1e-12);
        let mut one = vec![0.0; 3];
        tree_values(&boost_tree(), row.view(), 0, &mut one);
        for (a, b) in features.iter().zip(&one) {
            assert!((a - 2.0 * b).abs() < 1e-12);
        }
        // Class 0 of two: the log-odds of class 0, everything negated.
        let RowResult::Features {
            base: base0,
            prediction: prediction0,
            features: features0,
        } = boosted_row(&two, row.view(), 0)
        else {
            panic!("exact values are per feature")
        };
        assert_eq!((base0, prediction0), (-base, -prediction));
        assert!(features0.iter().zip(&features).all(|(a, b)| *a == -*b));
    }
}
