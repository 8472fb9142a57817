//! A gradient-boosting model as graph nodes, exact in doubles. `ai.onnx.ml`'s
//! `TreeEnsembleRegressor` (opset 3) compares in doubles but answers in float, so it is used
//! only to find each tree's leaf: one target per tree whose weight is the leaf's node number
//! (a small integer, exact in float). The leaves' values are then gathered from a double
//! table and summed per output with the baseline, and the log loss's link applied: the
//! sigmoid (two classes) or the softmax (more), as `score` computes them.

use super::graph::{double_tensor, int, ints, string, GraphBuilder, ML_DOMAIN};
use super::models::ModelOutput;
use super::proto::data_type;
use super::tree_nodes::TreeNodes;
use crate::ml::boost::{BoostedModel, Loss};

/// The nodes of `model` reading the double feature matrix `x`.
pub fn boosted(graph: &mut GraphBuilder, model: &BoostedModel, x: &str) -> ModelOutput {
    let outputs = model.baseline.len();
    let iterations = model.trees.len();
    let trees = iterations * outputs;
    let mut e = Attributes::default();
    let mut table = Vec::new();
    let mut offsets = Vec::with_capacity(trees);
    for (t, tree) in model.trees.iter().flatten().enumerate() {
        offsets.push(table.len() as i64);
        for (i, node) in tree.nodes.iter().enumerate() {
            table.push(node.value);
            if node.is_leaf() {
                e.nodes.leaf(t, i);
                e.missing_true.push(0);
                e.target_tree_ids.push(t as i64);
                e.target_node_ids.push(i as i64);
                e.target_ids.push(t as i64);
                e.target_weights.push(i as f64);
            } else {
                let (feature, left, right) = (node.feature, node.left, node.right);
                e.nodes
                    .branch(t, i, "BRANCH_LEQ", feature, node.threshold, left, right);
                e.missing_true.push(node.missing_left as i64);
            }
        }
    }
    let leaves = graph.fresh("boosted_leaves");
    graph.op_outputs(
        ML_DOMAIN,
        "TreeEnsembleRegressor",
        &[x],
        &[&leaves],
        [
            vec![int("n_targets", trees as i64)],
            e.nodes.attributes(),
            vec![
                ints("nodes_missing_value_tracks_true", e.missing_true),
                ints("target_treeids", e.target_tree_ids),
                ints("target_nodeids", e.target_node_ids),
                ints("target_ids", e.target_ids),
                double_tensor("target_weights_as_tensor", e.target_weights),
                string("aggregate_function", "SUM"),
                string("post_transform", "NONE"),
            ],
        ]
        .concat(),
    );
    // [N, trees] leaf numbers → positions in the table → leaf values in doubles.
    let numbers = graph.op(
        "Cast",
        &[&leaves],
        vec![int("to", i64::from(data_type::INT64))],
    );
    let offsets = graph.int64s("tree_offsets", &[trees as i64], offsets);
    let positions = graph.op("Add", &[&numbers, &offsets], vec![]);
    let table_len = table.len() as i64;
    let table = graph.doubles("leaf_values", &[table_len], table);
    let values = graph.op("Gather", &[&table, &positions], vec![int("axis", 0)]);
    // [N, iterations, outputs], summed over the iterations.
    let shape = graph.int64s(
        "per_iteration",
        &[3],
        vec![-1, iterations as i64, outputs as i64],
    );
    let per_iteration = graph.op("Reshape", &[&values, &shape], vec![]);
    let axis_one = graph.int64s("axis_one", &[1], vec![1]);
    let summed = graph.op(
        "ReduceSum",
        &[&per_iteration, &axis_one],
        vec![int("keepdims", 0)],
    );
    let baseline = graph.doubles("baseline", &[outputs as i64], model.baseline.clone());
    let raw = graph.op("Add", &[&baseline, &summed], vec![]);
    match model.loss {
        Loss::SquaredError => ModelOutput::Values(raw),
        Loss::Binomial => {
            let p1 = graph.op("Sigmoid", &[&raw], vec![]);
            let one = graph.doubles("one", &[], vec![1.0]);
            let p0 = graph.op("Sub", &[&one, &p1], vec![]);
            ModelOutput::Probabilities(graph.op("Concat", &[&p0, &p1], vec![int("axis", 1)]))
        }
        Loss::Multinomial => {
            ModelOutput::Probabilities(graph.op("Softmax", &[&raw], vec![int("axis", 1)]))
        }
    }
}

/// The parallel arrays of the ensemble's attributes.
#[derive(Default)]
struct Attributes {
    nodes: TreeNodes,
    missing_true: Vec<i64>,
    target_tree_ids: Vec<i64>,
    target_node_ids: Vec<i64>,
    target_ids: Vec<i64>,
    target_weights: Vec<f64>,
}
