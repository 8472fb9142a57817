//! The node attributes every `ai.onnx.ml` tree ensemble takes (`nodes_*`), as parallel
//! arrays filled a node at a time; the forest and boosting add their own leaf targets.

use super::graph::{double_tensor, ints, strings};
use super::proto::AttributeProto;

/// The `nodes_*` arrays of an ensemble.
#[derive(Default)]
pub struct TreeNodes {
    tree_ids: Vec<i64>,
    node_ids: Vec<i64>,
    features: Vec<i64>,
    modes: Vec<&'static str>,
    values: Vec<f64>,
    true_ids: Vec<i64>,
    false_ids: Vec<i64>,
}

impl TreeNodes {
    /// Node `node` of tree `tree` compares `feature` with `threshold` by `mode`
    /// (`BRANCH_LT`, `BRANCH_LEQ`): true goes to `left`, false to `right`.
    #[allow(clippy::too_many_arguments)]
    pub fn branch(
        &mut self,
        tree: usize,
        node: usize,
        mode: &'static str,
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    ) {
        self.tree_ids.push(tree as i64);
        self.node_ids.push(node as i64);
        self.features.push(feature as i64);
        self.modes.push(mode);
        self.values.push(threshold);
        self.true_ids.push(left as i64);
        self.false_ids.push(right as i64);
    }

    /// Node `node` of tree `tree` is a leaf.
    pub fn leaf(&mut self, tree: usize, node: usize) {
        self.branch(tree, node, "LEAF", 0, 0.0, 0, 0);
    }

    /// The `nodes_*` attributes.
    pub fn attributes(self) -> Vec<AttributeProto> {
        vec![
            ints("nodes_treeids", self.tree_ids),
            ints("nodes_nodeids", self.node_ids),
            ints("nodes_featureids", self.features),
            strings("nodes_modes", &self.modes),
            double_tensor("nodes_values_as_tensor", self.values),
            ints("nodes_truenodeids", self.true_ids),
            ints("nodes_falsenodeids", self.false_ids),
        ]
    }
}
