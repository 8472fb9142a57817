//! scikit-learn's fitted tree arrays (`tree_.feature`, `children_left`, `children_right`,
//! `threshold`) and each node's rows by class, as a Modeldesk [`FlatTree`]. scikit-learn sends
//! `x <= t` left; Modeldesk sends `x < t'` left, which is the same with `t'` the next float
//! above `t`. A leaf predicts its rows' class shares (weighted by `class_weights`); every node keeps its rows
//! and Gini.

use modeldesk::ml::algorithms::decision_tree::Criterion;
use modeldesk::ml::tree::{FlatTree, Node, NodeStats};

pub fn flat_tree(
    feature: &[i64],
    left: &[i64],
    right: &[i64],
    threshold: &[f64],
    counts: &[Vec<u64>],
    class_weights: &[f64],
) -> FlatTree {
    let stats: Vec<NodeStats> = counts
        .iter()
        .map(|c| NodeStats::of(c, class_weights, Criterion::Gini))
        .collect();
    let nodes = (0..feature.len())
        .map(|at| match left[at] {
            -1 => Node::Leaf {
                proba: stats[at].shares(),
            },
            l => Node::Split {
                feature: feature[at] as usize,
                threshold: threshold[at].next_up(),
                left: l as usize,
                right: right[at] as usize,
            },
        })
        .collect();
    FlatTree { nodes, stats }
}
