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
    /// With class weights: each class's rows times its weight (scikit-learn's `tree_.value`
    /// of a weighted tree); empty when every row counts once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weighted: Vec<f64>,
    pub impurity: f64,
}

impl NodeStats {
    /// The statistics of rows with these class counts, each class weighing `class_weights`
    /// (all 1: plain counts).
    pub fn of(counts: &[u64], class_weights: &[f64], criterion: Criterion) -> Self {
        let weighted: Vec<f64> = match class_weights.iter().all(|&w| w == 1.0) {
            true => Vec::new(),
            false => counts
                .iter()
                .zip(class_weights)
                .map(|(&c, &w)| c as f64 * w)
                .collect(),
        };
        let impurity = match weighted.is_empty() {
            true => impurity(
                &counts.iter().map(|&c| c as f64).collect::<Vec<_>>(),
                criterion,
            ),
            false => impurity(&weighted, criterion),
        };
        NodeStats {
            counts: counts.to_vec(),
            weighted,
            impurity,
        }
    }

    /// Training rows that reached the node.
    pub fn rows(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The rows' summed weight (scikit-learn's `weighted_n_node_samples`): the rows when
    /// every row counts once.
    pub fn cover(&self) -> f64 {
        match self.weighted.is_empty() {
            true => self.rows() as f64,
            false => self.weighted.iter().sum(),
        }
    }

    /// Each class's share of the node's (weighted) rows.
    pub fn shares(&self) -> Vec<f64> {
        if self.weighted.is_empty() {
            let rows = self.rows().max(1) as f64;
            return self.counts.iter().map(|&c| c as f64 / rows).collect();
        }
        let total = self.cover();
        let total = if total > 0.0 { total } else { 1.0 };
        self.weighted.iter().map(|&w| w / total).collect()
    }
}

/// Gini impurity `1 − Σ p²`, or entropy `−Σ p log₂ p`, of rows with these (weighted) class
/// counts.
pub fn impurity(counts: &[f64], criterion: Criterion) -> f64 {
    let n: f64 = counts.iter().sum();
    if n <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Gini => 1.0 - counts.iter().map(|&c| (c / n).powi(2)).sum::<f64>(),
        Criterion::Entropy => -counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| {
                let p = c / n;
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
        let weighted = |at: usize| self.stats[at].cover() * self.stats[at].impurity;
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
        let root = self.stats[0].cover();
        let root = if root > 0.0 { root } else { 1.0 };
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
    use crate::ml::prep::Features;
    use crate::ml::tree::fit_tree;
    use ndarray::array;

    #[test]
    fn impurity_is_scikit_learns() {
        assert_eq!(impurity(&[5.0, 5.0], Criterion::Gini), 0.5);
        assert_eq!(impurity(&[10.0, 0.0], Criterion::Gini), 0.0);
        assert_eq!(impurity(&[5.0, 5.0], Criterion::Entropy), 1.0);
        assert!((impurity(&[1.0, 1.0, 2.0], Criterion::Entropy) - 1.5).abs() < 1e-15);
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
        let tree = fit_tree(
            Features::matrix(x.view()),
            &y,
            &[1.0, 1.0],
            &TreeSpec::default(),
            &mut |_| true,
        )
        .unwrap();
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
    fn weighted_statistics_weigh_each_class() {
        let plain = NodeStats::of(&[6, 2], &[1.0, 1.0], Criterion::Gini);
        assert!(plain.weighted.is_empty());
        assert_eq!((plain.rows(), plain.cover()), (8, 8.0));
        // Balanced weights for 6 and 2 rows: 8 / (2·6) and 8 / (2·2).
        let balanced = NodeStats::of(&[6, 2], &[8.0 / 12.0, 2.0], Criterion::Gini);
        assert_eq!(balanced.rows(), 8);
        assert_eq!(balanced.weighted, vec![4.0, 4.0]);
        assert_eq!(balanced.cover(), 8.0);
        assert_eq!(balanced.shares(), vec![0.5, 0.5]);
        assert_eq!(balanced.impurity, 0.5);
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
                NodeStats::of(&[2, 2], &[1.0, 1.0], Criterion::Gini),
                NodeStats::of(&[2, 0], &[1.0, 1.0], Criterion::Gini),
                NodeStats::of(&[0, 2], &[1.0, 1.0], Criterion::Gini),
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
