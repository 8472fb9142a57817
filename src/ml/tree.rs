//! Decision trees and random forests over linfa-trees.
//!
//! linfa's tree predicts a leaf's majority class only; curves need probabilities, so each
//! fitted tree is copied into a flat [`FlatTree`] whose leaves hold the class shares of the
//! training rows that reach them (scikit-learn's `predict_proba`). The forest is our own
//! bagging loop around linfa-trees rather than linfa-ensemble, because that crate fits all
//! trees in one call: no progress, no cancel, and a panic on a failed tree.

use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality, TreeNode};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::ModelError;
use super::spec::{Criterion, ForestSpec, TreeSpec};

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
}

impl FlatTree {
    /// The leaf `row` falls into.
    fn leaf(&self, row: ArrayView1<f64>) -> usize {
        let mut at = 0;
        while let Node::Split {
            feature,
            threshold,
            left,
            right,
        } = self.nodes[at]
        {
            at = if row[feature] < threshold {
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

    /// Copy linfa's tree, renaming feature `i` to `features[i]`, and give every leaf the
    /// class shares of the rows `x`/`y` that reach it.
    fn from_linfa(
        tree: &DecisionTree<f64, usize>,
        features: &[usize],
        x: ArrayView2<f64>,
        y: &[usize],
        classes: usize,
    ) -> FlatTree {
        let mut flat = FlatTree { nodes: Vec::new() };
        let mut majority = Vec::new();
        copy_node(tree.root_node(), features, &mut flat, &mut majority);
        let mut counts = vec![vec![0u64; classes]; flat.nodes.len()];
        for (row, &class) in x.rows().into_iter().zip(y) {
            // `x` holds only the tree's own columns; route with the local indices.
            let mut at = 0;
            while let Node::Split {
                feature,
                threshold,
                left,
                right,
            } = flat.nodes[at]
            {
                let local = features.iter().position(|&f| f == feature).unwrap_or(0);
                at = if row[local] < threshold { left } else { right };
            }
            counts[at][class] += 1;
        }
        for (i, node) in flat.nodes.iter_mut().enumerate() {
            if let Node::Leaf { proba } = node {
                let total: u64 = counts[i].iter().sum();
                *proba = if total == 0 {
                    // No training row reaches it: trust linfa's label.
                    (0..classes)
                        .map(|c| f64::from(u8::from(Some(c) == majority[i])))
                        .collect()
                } else {
                    counts[i].iter().map(|&c| c as f64 / total as f64).collect()
                };
            }
        }
        flat
    }
}

fn copy_node(
    node: &TreeNode<f64, usize>,
    features: &[usize],
    flat: &mut FlatTree,
    majority: &mut Vec<Option<usize>>,
) -> usize {
    let at = flat.nodes.len();
    flat.nodes.push(Node::Leaf { proba: Vec::new() });
    majority.push(node.prediction());
    let children = node.children();
    if let (false, Some(left), Some(right)) = (node.is_leaf(), children[0], children[1]) {
        let (feature, threshold, _) = node.split();
        let left = copy_node(left, features, flat, majority);
        let right = copy_node(right, features, flat, majority);
        flat.nodes[at] = Node::Split {
            feature: features[feature],
            threshold,
            left,
            right,
        };
    }
    at
}

fn linfa_tree(
    x: ArrayView2<f64>,
    y: &[usize],
    max_depth: Option<usize>,
    min_split: usize,
    min_leaf: usize,
    criterion: Criterion,
) -> Result<DecisionTree<f64, usize>, ModelError> {
    let dataset = DatasetBase::new(x, Array1::from(y.to_vec()));
    DecisionTree::params()
        .max_depth(max_depth)
        .min_weight_split(min_split as f32)
        .min_weight_leaf(min_leaf as f32)
        .split_quality(match criterion {
            Criterion::Gini => SplitQuality::Gini,
            Criterion::Entropy => SplitQuality::Entropy,
        })
        .fit(&dataset)
        .map_err(|e| ModelError::Linfa {
            algorithm: "decision tree",
            message: e.to_string(),
        })
}

/// How often a wait for a fit that cannot stop by itself asks whether to go on.
const POLL: std::time::Duration = std::time::Duration::from_millis(40);

/// Run `work` on a thread of its own and wait for its result, asking `keep_going` every
/// [`POLL`]; when it says stop, return `None` at once and leave the thread to finish unseen.
///
/// linfa's tree fit has no progress or cancel hook and takes tens of seconds on large
/// tables; this keeps Cancel prompt at the cost of the abandoned fit's CPU until it ends.
fn cancellable<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    keep_going: &mut dyn FnMut() -> bool,
) -> Option<T> {
    let (sender, receiver) = crossbeam_channel::bounded(1);
    let spawned = std::thread::Builder::new()
        .name("tree-fit".into())
        .spawn(move || {
            let _ = sender.send(work());
        });
    if spawned.is_err() {
        return None;
    }
    loop {
        match receiver.recv_timeout(POLL) {
            Ok(result) => return Some(result),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) if keep_going() => {}
            Err(_) => return None,
        }
    }
}

/// Fit one classification tree on `x` with classes `y` in `0..classes`; `keep_going` is
/// asked every 40 ms while linfa works, and a `false` returns [`ModelError::Cancelled`].
pub fn fit_tree(
    x: ArrayView2<f64>,
    y: &[usize],
    classes: usize,
    spec: &TreeSpec,
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<FlatTree, ModelError> {
    let (owned_x, owned_y, spec) = (x.to_owned(), y.to_vec(), spec.clone());
    cancellable(
        move || {
            let tree = linfa_tree(
                owned_x.view(),
                &owned_y,
                spec.max_depth,
                spec.min_samples_split,
                spec.min_samples_leaf,
                spec.criterion,
            )?;
            let features: Vec<usize> = (0..owned_x.ncols()).collect();
            Ok(FlatTree::from_linfa(
                &tree,
                &features,
                owned_x.view(),
                &owned_y,
                classes,
            ))
        },
        keep_going,
    )
    .unwrap_or(Err(ModelError::Cancelled))
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
}

/// Fit a forest; the trees of one batch (one per core) grow in parallel and `progress`
/// hears the trees done after each batch, returning false to cancel.
pub fn fit_forest(
    x: ArrayView2<f64>,
    y: &[usize],
    classes: usize,
    spec: &ForestSpec,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<ForestModel, ModelError> {
    let rows = x.nrows();
    let sample = ((rows as f64 * spec.sample_fraction).ceil() as usize).clamp(1, rows.max(1));
    let width =
        ((x.ncols() as f64 * spec.feature_fraction).ceil() as usize).clamp(1, x.ncols().max(1));
    let shared = std::sync::Arc::new((x.to_owned(), y.to_vec(), spec.clone()));
    let grow = move |shared: &(Array2<f64>, Vec<usize>, ForestSpec),
                     i: usize|
          -> Result<FlatTree, ModelError> {
        let (x, y, spec) = shared;
        let mut rng = StdRng::seed_from_u64(spec.seed.wrapping_add(i as u64));
        let picked: Vec<usize> = (0..sample).map(|_| rng.gen_range(0..rows)).collect();
        let mut features = rand::seq::index::sample(&mut rng, x.ncols(), width).into_vec();
        features.sort_unstable();
        let sub = x.select(Axis(0), &picked).select(Axis(1), &features);
        let sub_y: Vec<usize> = picked.iter().map(|&r| y[r]).collect();
        let tree = linfa_tree(
            sub.view(),
            &sub_y,
            spec.max_depth,
            2,
            spec.min_samples_leaf,
            Criterion::Gini,
        )?;
        Ok(FlatTree::from_linfa(
            &tree,
            &features,
            sub.view(),
            &sub_y,
            classes,
        ))
    };
    let batch = rayon::current_num_threads().max(1);
    let mut trees = Vec::with_capacity(spec.trees);
    while trees.len() < spec.trees {
        if !progress(trees.len() as u64) {
            return Err(ModelError::Cancelled);
        }
        let start = trees.len();
        let end = (start + batch).min(spec.trees);
        let batch_data = std::sync::Arc::clone(&shared);
        let done = trees.len() as u64;
        let grown = cancellable(
            move || -> Result<Vec<FlatTree>, ModelError> {
                (start..end)
                    .into_par_iter()
                    .map(|i| grow(&batch_data, i))
                    .collect()
            },
            &mut || progress(done),
        )
        .ok_or(ModelError::Cancelled)?;
        trees.extend(grown?);
    }
    Ok(ForestModel { trees, classes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

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
        let tree = fit_tree(x.view(), &y, 2, &TreeSpec::default(), &mut || true).unwrap();
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
        let tree = fit_tree(x.view(), &[0, 0, 1, 1], 2, &stump, &mut || true).unwrap();
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
        let a = fit_forest(x.view(), &y, 2, &spec, &mut |_| true).unwrap();
        let b = fit_forest(x.view(), &y, 2, &spec, &mut |_| true).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.trees.len(), 8);
        let proba = a.predict_proba(x.view());
        let right = (0..60).filter(|&i| proba[[i, y[i]]] > 0.5).count();
        assert!(right >= 58, "{right} of 60");
        let mut calls = 0;
        let cancelled = fit_forest(x.view(), &y, 2, &spec, &mut |_| {
            calls += 1;
            calls < 2
        });
        assert_eq!(cancelled.unwrap_err(), ModelError::Cancelled);
    }

    #[test]
    fn a_long_tree_fit_stops_when_asked() {
        // Random features and labels: every split gains a little, so the fit grows to the
        // full default depth, far longer than one 40 ms poll.
        let mut random = crate::test_random::Random(7);
        let x = Array2::from_shape_fn((50_000, 6), |_| random.below(1000) as f64);
        let y: Vec<usize> = (0..50_000).map(|_| random.below(2)).collect();
        // Grown in full, it is deep (a few hundred milliseconds of fitting).
        let whole = fit_tree(x.view(), &y, 2, &TreeSpec::default(), &mut || true).unwrap();
        assert!(whole.nodes.len() > 200, "{} nodes", whole.nodes.len());
        let mut asked = 0;
        let result = fit_tree(x.view(), &y, 2, &TreeSpec::default(), &mut || {
            asked += 1;
            false
        });
        assert_eq!(result.unwrap_err(), ModelError::Cancelled);
        assert_eq!(asked, 1, "the first question already stops it");
    }
}
