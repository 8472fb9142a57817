//! What a fitted tree learned beyond its splits: each node's training rows by class and
//! impurity (as scikit-learn's `tree_.value`, `n_node_samples` and `impurity` hold them),
//! and the impurity-based feature importances computed from them (`feature_importances_`).

use serde::{Deserialize, Serialize};

use super::algorithms::decision_tree::Criterion;
use super::tree::{FlatTree, ForestModel, Node};

/// A node's training rows by class, and their impurity (Gini, or entropy in bits, as
/// scikit-learn reports them). In a forest the rows are those of the tree's bootstrap sample,
/// a row drawn twice counting twice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeStats {
    pub counts: Vec<u64>,
    pub impurity: f64,
}

impl NodeStats {
    pub fn of(counts: &[u64], criterion: Criterion) -> Self {
        NodeStats {
            counts: counts.to_vec(),
            impurity: impurity(counts, criterion),
        }
    }

    /// Training rows that reached the node.
    pub fn rows(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Each class's share of the node's rows.
    pub fn shares(&self) -> Vec<f64> {
        let rows = self.rows().max(1) as f64;
        self.counts.iter().map(|&c| c as f64 / rows).collect()
    }
}

/// Gini impurity `1 − Σ p²`, or entropy `−Σ p log₂ p`, of rows with these class counts.
pub fn impurity(counts: &[u64], criterion: Criterion) -> f64 {
    let rows: u64 = counts.iter().sum();
    if rows == 0 {
        return 0.0;
    }
    let n = rows as f64;
    match criterion {
        Criterion::Gini => 1.0 - counts.iter().map(|&c| (c as f64 / n).powi(2)).sum::<f64>(),
        Criterion::Entropy => -counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n;
                p * p.log2()
            })
            .sum::<f64>(),
    }
}

impl FlatTree {
    /// Whether the tree keeps its nodes' rows and impurity (trees stored earlier do not).
    pub fn has_stats(&self) -> bool {
        self.stats.len() == self.nodes.len() && !self.stats.is_empty()
    }

    /// Impurity-based importance of each of `features` features: the impurity decrease of
    /// every split on it, weighted by the rows it splits and summed, as shares of the total
    /// (scikit-learn's `feature_importances_`). `None` for a tree stored without its nodes'
    /// statistics; all zeros for a tree that never split.
    pub fn impurity_importances(&self, features: usize) -> Option<Vec<f64>> {
        if !self.has_stats() {
            return None;
        }
        let mut importances = vec![0.0; features];
        let weighted = |at: usize| self.stats[at].rows() as f64 * self.stats[at].impurity;
        for (at, node) in self.nodes.iter().enumerate() {
            if let Node::Split {
                feature,
                left,
                right,
                ..
            } = *node
            {
                if let Some(importance) = importances.get_mut(feature) {
                    *importance += weighted(at) - weighted(left) - weighted(right);
                }
            }
        }
        let root = self.stats[0].rows().max(1) as f64;
        importances.iter_mut().for_each(|v| *v /= root);
        let total: f64 = importances.iter().sum();
        if total > 0.0 {
            importances.iter_mut().for_each(|v| *v /= total);
        }
        Some(importances)
    }
}

/// Importances over a forest's trees: per feature (or column), the mean over the trees, as
/// shares of the total, and the standard deviation over the trees.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestImportances {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl ForestModel {
    /// Each tree's importances (of those trees that split at all); `None` when the trees
    /// were stored without their nodes' statistics.
    pub fn tree_importances(&self, features: usize) -> Option<Vec<Vec<f64>>> {
        self.trees
            .iter()
            .filter(|tree| tree.nodes.len() > 1)
            .map(|tree| tree.impurity_importances(features))
            .collect()
    }

    /// The trees' importances averaged and normalised as scikit-learn's forests do.
    pub fn impurity_importances(&self, features: usize) -> Option<ForestImportances> {
        Some(ForestImportances::over(
            &self.tree_importances(features)?,
            features,
        ))
    }
}

impl ForestImportances {
    /// The mean and spread of `per_tree` importances of `features` features.
    pub fn over(per_tree: &[Vec<f64>], features: usize) -> Self {
        let n = per_tree.len().max(1) as f64;
        let mut mean = vec![0.0; features];
        for tree in per_tree {
            mean.iter_mut().zip(tree).for_each(|(m, v)| *m += v / n);
        }
        let std: Vec<f64> = (0..features)
            .map(|j| {
                let var = per_tree
                    .iter()
                    .map(|t| (t[j] - mean[j]).powi(2))
                    .sum::<f64>()
                    / n;
                var.sqrt()
            })
            .collect();
        let total: f64 = mean.iter().sum();
        if total > 0.0 {
            mean.iter_mut().for_each(|v| *v /= total);
        }
        ForestImportances { mean, std }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::algorithms::decision_tree::TreeSpec;
    use crate::ml::tree::fit_tree;
    use ndarray::array;

    #[test]
    fn impurity_is_scikit_learns() {
        assert_eq!(impurity(&[5, 5], Criterion::Gini), 0.5);
        assert_eq!(impurity(&[10, 0], Criterion::Gini), 0.0);
        assert_eq!(impurity(&[5, 5], Criterion::Entropy), 1.0);
        assert!((impurity(&[1, 1, 2], Criterion::Entropy) - 1.5).abs() < 1e-15);
        assert_eq!(impurity(&[], Criterion::Gini), 0.0);
    }

    #[test]
    fn a_tree_keeps_each_nodes_rows_and_its_importances_follow_its_splits() {
        // Feature 0 separates the classes; feature 1 is noise the tree never needs.
        let x = array![
            [0.0, 5.0],
            [1.0, 3.0],
            [2.0, 4.0],
            [10.0, 3.0],
            [11.0, 5.0],
            [12.0, 4.0]
        ];
        let y = [0, 0, 0, 1, 1, 1];
        let tree = fit_tree(x.view(), &y, 2, &TreeSpec::default(), &mut |_| true).unwrap();
        assert!(tree.has_stats());
        assert_eq!(tree.stats[0].counts, vec![3, 3]);
        assert_eq!(tree.stats[0].impurity, 0.5);
        assert_eq!(tree.stats[0].shares(), vec![0.5, 0.5]);
        let Node::Split { left, right, .. } = tree.nodes[0] else {
            panic!("the root splits");
        };
        assert_eq!(tree.stats[left].rows() + tree.stats[right].rows(), 6);
        assert_eq!(tree.impurity_importances(2), Some(vec![1.0, 0.0]));
    }

    #[test]
    fn a_tree_stored_without_statistics_has_no_importances() {
        let json = r#"{"nodes":[{"Leaf":{"proba":[1.0]}}]}"#;
        let tree: FlatTree = serde_json::from_str(json).unwrap();
        assert!(!tree.has_stats());
        assert_eq!(tree.impurity_importances(3), None);
        // Written back, it reads as it was stored.
        assert_eq!(serde_json::to_string(&tree).unwrap(), json);
    }

    #[test]
    fn a_forests_importances_are_the_mean_of_its_trees_with_their_spread() {
        let split_on = |feature: usize| FlatTree {
            nodes: vec![
                Node::Split {
                    feature,
                    threshold: 0.5,
                    left: 1,
                    right: 2,
                },
                Node::Leaf {
                    proba: vec![1.0, 0.0],
                },
                Node::Leaf {
                    proba: vec![0.0, 1.0],
                },
            ],
            stats: vec![
                NodeStats::of(&[2, 2], Criterion::Gini),
                NodeStats::of(&[2, 0], Criterion::Gini),
                NodeStats::of(&[0, 2], Criterion::Gini),
            ],
        };
        let forest = ForestModel {
            trees: vec![split_on(0), split_on(0), split_on(1), split_on(0)],
            classes: 2,
        };
        let got = forest.impurity_importances(3).unwrap();
        assert_eq!(got.mean, vec![0.75, 0.25, 0.0]);
        let spread = (0.75_f64 * 0.25).sqrt();
        assert!((got.std[0] - spread).abs() < 1e-15 && (got.std[1] - spread).abs() < 1e-15);
        assert_eq!(got.std[2], 0.0);
    }
}
