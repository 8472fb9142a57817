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
use crate::ml::boost::{BoostNode, BoostedModel, Loss};

/// The nodes of `model` reading the double feature matrix `x` of `features` columns.
pub fn boosted(
    graph: &mut GraphBuilder,
    model: &BoostedModel,
    x: &str,
    features: usize,
) -> ModelOutput {
    let outputs = model.baseline.len();
    let iterations = model.trees.len();
    let trees = iterations * outputs;
    let (x, level_feature) = level_split_features(graph, model, x, features);
    let x = x.as_str();
    let mut level_splits = level_feature.into_iter();
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
            } else if node.levels.is_some() {
                // Its own feature, at most 0.5 for the rows that go left.
                let feature = level_splits.next().expect("a feature per split on levels");
                e.nodes
                    .branch(t, i, "BRANCH_LEQ", feature, 0.5, node.left, node.right);
                e.missing_true.push(0);
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

/// A split on a one-hot column's levels as one more feature of `x`, at most 0.5 exactly for
/// the rows that go left, from the column's indicators by one `MatMul` and `Add`: when rows of
/// no level go left, the sum of the indicators of the levels that go right; otherwise one
/// less the sum of those that go left. The matrix with those features appended, and the
/// feature of each split on levels in the order of the trees' nodes.
fn level_split_features(
    graph: &mut GraphBuilder,
    model: &BoostedModel,
    x: &str,
    features: usize,
) -> (String, Vec<usize>) {
    let splits: Vec<&BoostNode> = model
        .trees
        .iter()
        .flatten()
        .flat_map(|t| &t.nodes)
        .filter(|n| !n.is_leaf() && n.levels.is_some())
        .collect();
    if splits.is_empty() {
        return (x.to_string(), Vec::new());
    }
    let count = splits.len();
    // features × count, row-major.
    let mut weights = vec![0.0; features * count];
    let mut bias = vec![0.0; count];
    for (j, node) in splits.iter().enumerate() {
        let split = node.levels.as_ref().expect("a split on levels");
        for level in 0..split.width {
            let f = node.feature + level;
            let left = split.contains(level as u32);
            if f < features && node.missing_left != left {
                weights[f * count + j] = if node.missing_left { 1.0 } else { -1.0 };
            }
        }
        bias[j] = if node.missing_left { 0.0 } else { 1.0 };
    }
    let w = graph.doubles(
        "level_split_weights",
        &[features as i64, count as i64],
        weights,
    );
    let b = graph.doubles("level_split_bias", &[count as i64], bias);
    let product = graph.op("MatMul", &[x, &w], vec![]);
    let derived = graph.op("Add", &[&product, &b], vec![]);
    let joined = graph.op("Concat", &[x, &derived], vec![int("axis", 1)]);
    (joined, (features..features + count).collect())
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
