//! Each fitted model as graph nodes over the `[N, F]` double feature matrix: linear models by
//! `MatMul`+`Add` (then `Sigmoid` or `Softmax`), naive Bayes by its joint log-likelihood
//! and `Softmax`, trees and forests by `ai.onnx.ml`'s `TreeEnsembleClassifier` with double
//! thresholds, gradient boosting as `boosted.rs` builds it.

use super::graph::{double_tensor, int, ints, string, GraphBuilder, ML_DOMAIN};
use super::proto::data_type;
use super::tree_nodes::TreeNodes;
use crate::ml::bayes::BayesModel;
use crate::ml::linear::LinearModel;
use crate::ml::logistic::LogisticModel;
use crate::ml::model::FittedModel;
use crate::ml::tree::{FlatTree, Node};

/// What the model part of the graph yields.
pub enum ModelOutput {
    /// Class probabilities, `[N, K]` double.
    Probabilities(String),
    /// Predicted values, `[N, 1]` double.
    Values(String),
}

/// The nodes of `model` reading the feature matrix `x` of `features` columns.
pub fn model_nodes(
    graph: &mut GraphBuilder,
    model: &FittedModel,
    x: &str,
    features: usize,
    classes: usize,
) -> ModelOutput {
    match model {
        FittedModel::Logistic(m) => ModelOutput::Probabilities(logistic(graph, m, x, features)),
        FittedModel::Linear(m) => ModelOutput::Values(linear(graph, m, x, features)),
        FittedModel::NaiveBayes(m) => ModelOutput::Probabilities(bayes(graph, m, x, features)),
        FittedModel::Tree(tree) => {
            ModelOutput::Probabilities(trees(graph, std::slice::from_ref(tree), x, classes))
        }
        FittedModel::Forest(forest) => {
            ModelOutput::Probabilities(trees(graph, &forest.trees, x, forest.classes))
        }
        FittedModel::Boosted(m) => super::boosted::boosted(graph, m, x, features),
    }
}

/// `x · W + b`, with `W` of `features × outputs` in row-major order.
fn affine(
    graph: &mut GraphBuilder,
    x: &str,
    weights: Vec<f64>,
    features: usize,
    intercept: Vec<f64>,
) -> String {
    let outputs = intercept.len() as i64;
    let w = graph.doubles("weights", &[features as i64, outputs], weights);
    let b = graph.doubles("intercept", &[outputs], intercept);
    let product = graph.op("MatMul", &[x, &w], vec![]);
    graph.op("Add", &[&product, &b], vec![])
}

fn logistic(graph: &mut GraphBuilder, m: &LogisticModel, x: &str, features: usize) -> String {
    let weights: Vec<f64> = m.weights.iter().copied().collect();
    let z = affine(graph, x, weights, features, m.intercept.to_vec());
    if m.weights.ncols() == 1 {
        // The logit of class 1: [1 − p, p], as the model computes it.
        let p1 = graph.op("Sigmoid", &[&z], vec![]);
        let one = graph.doubles("one", &[], vec![1.0]);
        let p0 = graph.op("Sub", &[&one, &p1], vec![]);
        graph.op("Concat", &[&p0, &p1], vec![int("axis", 1)])
    } else {
        graph.op("Softmax", &[&z], vec![int("axis", 1)])
    }
}

fn linear(graph: &mut GraphBuilder, m: &LinearModel, x: &str, features: usize) -> String {
    affine(graph, x, m.weights.to_vec(), features, vec![m.intercept])
}

/// The joint log-likelihood of each class, `ln prior − ½ Σ ln(2π σ²) − ½ Σ (x − μ)² / σ²`,
/// normalised by `Softmax`. A class absent from training gets −∞, so probability 0.
fn bayes(graph: &mut GraphBuilder, m: &BayesModel, x: &str, features: usize) -> String {
    let gaussians = m.class_gaussians();
    let k = gaussians.len();
    let mut means = Vec::with_capacity(k * features);
    let mut variances = Vec::with_capacity(k * features);
    let mut constants = Vec::with_capacity(k);
    for class in &gaussians {
        match class {
            Some(g) => {
                means.extend(&g.mean);
                variances.extend(&g.variance);
                let spread: f64 = g
                    .variance
                    .iter()
                    .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                    .sum();
                constants.push(-0.5 * spread + g.prior.ln());
            }
            None => {
                means.extend(std::iter::repeat_n(0.0, features));
                variances.extend(std::iter::repeat_n(1.0, features));
                constants.push(f64::NEG_INFINITY);
            }
        }
    }
    let dims = [k as i64, features as i64];
    let mean = graph.doubles("class_means", &dims, means);
    let variance = graph.doubles("class_variances", &dims, variances);
    let constant = graph.doubles("class_constants", &[k as i64], constants);
    let axis_one = graph.int64s("axis_one", &[1], vec![1]);
    let axis_two = graph.int64s("axis_two", &[1], vec![2]);
    let minus_half = graph.doubles("minus_half", &[], vec![-0.5]);
    // [N, 1, F] − [K, F] → [N, K, F]
    let rows = graph.op("Unsqueeze", &[x, &axis_one], vec![]);
    let deviation = graph.op("Sub", &[&rows, &mean], vec![]);
    let squared = graph.op("Mul", &[&deviation, &deviation], vec![]);
    let scaled = graph.op("Div", &[&squared, &variance], vec![]);
    let total = graph.op("ReduceSum", &[&scaled, &axis_two], vec![int("keepdims", 0)]);
    let half = graph.op("Mul", &[&total, &minus_half], vec![]);
    let joint = graph.op("Add", &[&half, &constant], vec![]);
    graph.op("Softmax", &[&joint], vec![int("axis", 1)])
}

/// Every tree in one `TreeEnsembleClassifier`: a row goes to the left child when
/// `x < threshold` (`BRANCH_LT`, true branch left), as in Modeldesk, and each leaf adds its
/// class shares divided by the number of trees, so the sum is the forest's mean.
fn trees(graph: &mut GraphBuilder, trees: &[FlatTree], x: &str, classes: usize) -> String {
    let share = 1.0 / trees.len().max(1) as f64;
    let mut e = Ensemble::default();
    for (t, tree) in trees.iter().enumerate() {
        for (i, node) in tree.nodes.iter().enumerate() {
            match node {
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => e
                    .nodes
                    .branch(t, i, "BRANCH_LT", *feature, *threshold, *left, *right),
                Node::Leaf { proba } => {
                    e.nodes.leaf(t, i);
                    // Every class of every leaf, zeros too: with one class named only,
                    // ONNX Runtime would treat a two-class ensemble as a binary score.
                    for class in 0..classes {
                        e.class_tree_ids.push(t as i64);
                        e.class_node_ids.push(i as i64);
                        e.class_ids.push(class as i64);
                        e.class_weights
                            .push(proba.get(class).copied().unwrap_or(0.0) * share);
                    }
                }
            }
        }
    }
    let labels = graph.fresh("tree_label");
    let scores = graph.fresh("tree_scores");
    graph.op_outputs(
        ML_DOMAIN,
        "TreeEnsembleClassifier",
        &[x],
        &[&labels, &scores],
        [
            vec![ints("classlabels_int64s", (0..classes as i64).collect())],
            e.nodes.attributes(),
            vec![
                ints("class_treeids", e.class_tree_ids),
                ints("class_nodeids", e.class_node_ids),
                ints("class_ids", e.class_ids),
                double_tensor("class_weights_as_tensor", e.class_weights),
                string("post_transform", "NONE"),
            ],
        ]
        .concat(),
    );
    // The operator's scores are float; the graph's probabilities are double like the rest.
    graph.op(
        "Cast",
        &[&scores],
        vec![int("to", i64::from(data_type::DOUBLE))],
    )
}

/// The parallel arrays of a tree ensemble's attributes.
#[derive(Default)]
struct Ensemble {
    nodes: TreeNodes,
    class_tree_ids: Vec<i64>,
    class_node_ids: Vec<i64>,
    class_ids: Vec<i64>,
    class_weights: Vec<f64>,
}
