//! `shap` parity of TreeSHAP: on scikit-learn's own decision tree and random forest, built
//! as Modeldesk trees, the contributions of every explained row and class equal
//! `shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")`'s to 1e-6, and the
//! base its expected value (`tests/fixtures/shap_trees.json`, written by
//! `bench/shap_trees.py`); on scikit-learn's own histogram boosting (two classes, three,
//! and values, with missing values), built as Modeldesk boosted models, every output's
//! raw-space values, base and raw prediction equal `shap.TreeExplainer(model)`'s to 1e-9
//! (`tests/fixtures/shap_boosting.json`, written by `bench/shap_boosting.py`).

#[path = "support/sklearn_tree.rs"]
mod sklearn_tree;

use modeldesk::data::ImportOptions;
use modeldesk::ml::boost::{BoostNode, BoostTree, BoostedModel, Loss};
use modeldesk::ml::contributions::{explain, ClassChoice, Method, Options, Unit};
use modeldesk::ml::drift_reference::DriftReference;
use modeldesk::ml::eval::TrainedModel;
use modeldesk::ml::model::FittedModel;
use modeldesk::ml::prep::{FittedColumn, FittedRecipe, FittedStep};
use modeldesk::ml::spec::ModelSpec;
use modeldesk::ml::target::Task;
use modeldesk::ml::tree::{FlatTree, ForestModel};
use ndarray::Array2;
use serde_json::Value;

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn integers(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("integer"))
        .collect()
}

/// scikit-learn's tree as a [`FlatTree`]: its `x <= t` sends left what Modeldesk's `x < t'`
/// does with `t'` the next float above `t`; each node keeps its (bootstrap-weighted) rows.
fn flat_tree(tree: &Value) -> FlatTree {
    let (feature, left, right) = (
        integers(&tree["feature"]),
        integers(&tree["left"]),
        integers(&tree["right"]),
    );
    let threshold = numbers(&tree["threshold"]);
    let counts: Vec<Vec<u64>> = tree["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| integers(c).into_iter().map(|v| v as u64).collect())
        .collect();
    let equal = vec![1.0; counts[0].len()];
    sklearn_tree::flat_tree(&feature, &left, &right, &threshold, &counts, &equal)
}

/// A Modeldesk model around `fitted`, taking the case's columns as they are.
fn model_of(case: &Value, fitted: FittedModel, spec: &str) -> TrainedModel {
    let features = case["features"].as_array().unwrap();
    let columns = features
        .iter()
        .map(|name| FittedColumn {
            column: name.as_str().unwrap().to_string(),
            step: FittedStep::Numeric {
                fill: 0.0,
                center: 0.0,
                scale: 1.0,
            },
        })
        .collect();
    TrainedModel {
        spec: ModelSpec::from_name(spec).unwrap(),
        task: Task::Classification,
        target: case["target"].as_str().unwrap().to_string(),
        classes: serde_json::from_value(case["classes"].clone()).unwrap(),
        recipe: FittedRecipe { columns },
        model: fitted,
        reference: DriftReference::default(),
        import: ImportOptions::default(),
        feature_means: Vec::new(),
    }
}

#[test]
fn tree_shap_equals_shaps_tree_explainer_on_scikit_learns_trees() {
    let path = format!(
        "{}/tests/fixtures/shap_trees.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let classes = case["classes"].as_array().unwrap().len();
        let trees: Vec<FlatTree> = case["trees"]
            .as_array()
            .unwrap()
            .iter()
            .map(flat_tree)
            .collect();
        let (fitted, spec) = match case["kind"].as_str().unwrap() {
            "tree" => {
                assert_eq!(trees.len(), 1);
                (FittedModel::Tree(trees[0].clone()), "decision_tree")
            }
            _ => {
                assert!(trees.len() > 1);
                (
                    FittedModel::Forest(ForestModel { trees, classes }),
                    "random_forest",
                )
            }
        };
        let model = model_of(case, fitted, spec);
        let rows: Vec<Vec<f64>> = serde_json::from_value(case["rows"].clone()).unwrap();
        let width = rows[0].len();
        let x = Array2::from_shape_vec((rows.len(), width), rows.concat()).unwrap();
        let proba: Vec<Vec<f64>> = serde_json::from_value(case["proba"].clone()).unwrap();
        let expected = numbers(&case["expected_value"]);
        let file = case["file"].as_str().unwrap();
        for class in 0..classes {
            let options = Options {
                class: ClassChoice::Class(class),
                ..Options::default()
            };
            let ours = explain(&model, x.view(), &options, &|_| true).unwrap();
            assert_eq!(
                (ours.method, ours.unit),
                (Method::TreeShap, Unit::Probability)
            );
            let theirs = &case["shap_values"][class];
            for (i, row) in theirs.as_array().unwrap().iter().enumerate() {
                let theirs = numbers(row);
                for (j, (a, b)) in ours.values.row(i).iter().zip(&theirs).enumerate() {
                    assert!(
                        (a - b).abs() <= 1e-6,
                        "{file} class {class} row {i} feature {j}: ours {a}, shap {b}"
                    );
                }
                assert!(
                    (ours.base[i] - expected[class]).abs() <= 1e-6,
                    "{file} base"
                );
                assert!(
                    (ours.prediction[i] - proba[i][class]).abs() <= 1e-6,
                    "{file} p"
                );
            }
        }
    }
}

/// scikit-learn's histogram-boosting predictor as a Modeldesk boosted tree: the same
/// `x <= threshold` and side of missing values, each node's training rows (`count`), and
/// its leaves' values (learning rate applied in both).
fn boost_tree(tree: &Value) -> BoostTree {
    let (feature, left, right) = (
        integers(&tree["feature"]),
        integers(&tree["left"]),
        integers(&tree["right"]),
    );
    let (threshold, value, count) = (
        numbers(&tree["threshold"]),
        numbers(&tree["value"]),
        integers(&tree["count"]),
    );
    let flags = |key: &str| -> Vec<bool> { serde_json::from_value(tree[key].clone()).unwrap() };
    let (leaf, missing_left) = (flags("leaf"), flags("missing_left"));
    let nodes = (0..feature.len())
        .map(|i| BoostNode {
            feature: feature[i] as usize,
            threshold: threshold[i],
            missing_left: missing_left[i],
            levels: None,
            left: if leaf[i] { 0 } else { left[i] as usize },
            right: if leaf[i] { 0 } else { right[i] as usize },
            value: value[i],
            gain: 0.0,
            rows: count[i] as usize,
        })
        .collect();
    BoostTree { nodes }
}

#[test]
fn tree_shap_of_boosting_equals_shaps_tree_explainer_on_scikit_learns_predictors() {
    let path = format!(
        "{}/tests/fixtures/shap_boosting.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let classes = case["classes"].as_array().unwrap().len();
        let trees: Vec<Vec<BoostTree>> = case["trees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|iteration| {
                iteration
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(boost_tree)
                    .collect()
            })
            .collect();
        let baseline = numbers(&case["baseline"]);
        let loss = match classes {
            0 => Loss::SquaredError,
            2 => Loss::Binomial,
            _ => Loss::Multinomial,
        };
        let boosted = BoostedModel {
            loss,
            baseline,
            trees,
            learning_rate: 0.1,
        };
        let mut model = model_of(case, FittedModel::Boosted(boosted), "gradient_boosting");
        if classes == 0 {
            model.task = Task::Regression;
        }
        let rows: Vec<Vec<Option<f64>>> = serde_json::from_value(case["rows"].clone()).unwrap();
        let width = rows[0].len();
        let cells: Vec<f64> = rows
            .concat()
            .into_iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        assert!(
            cells.iter().any(|v| v.is_nan()),
            "{file}: no missing value explained"
        );
        let x = Array2::from_shape_vec((rows.len(), width), cells).unwrap();
        let raw: Vec<Vec<f64>> = serde_json::from_value(case["raw"].clone()).unwrap();
        let expected = numbers(&case["expected_value"]);
        // One set per output: the log-odds of the second class, each class's raw score, or
        // the value; the first class of two is explained as the negated log-odds.
        let (explained, unit) = match loss {
            Loss::SquaredError => (vec![(None, 0, 1.0)], Unit::Value),
            Loss::Binomial => (vec![(Some(1), 0, 1.0), (Some(0), 0, -1.0)], Unit::LogOdds),
            Loss::Multinomial => (
                (0..classes).map(|k| (Some(k), k, 1.0)).collect(),
                Unit::Logit,
            ),
        };
        let mut largest = 0.0f64;
        for (class, output, sign) in explained {
            let options = Options {
                class: class.map_or(ClassChoice::Predicted, ClassChoice::Class),
                ..Options::default()
            };
            let ours = explain(&model, x.view(), &options, &|_| true).unwrap();
            assert_eq!((ours.method, ours.unit), (Method::TreeShap, unit), "{file}");
            let theirs = &case["shap_values"][output];
            for (i, row) in theirs.as_array().unwrap().iter().enumerate() {
                let theirs = numbers(row);
                for (j, (a, b)) in ours.values.row(i).iter().zip(&theirs).enumerate() {
                    largest = largest.max(b.abs());
                    assert!(
                        (a - sign * b).abs() <= 1e-9,
                        "{file} output {output} row {i} feature {j}: ours {a}, shap {b}"
                    );
                }
                assert!(
                    (ours.base[i] - sign * expected[output]).abs() <= 1e-9,
                    "{file} base {} against {}",
                    ours.base[i],
                    expected[output]
                );
                assert!(
                    (ours.prediction[i] - sign * raw[output][i]).abs() <= 1e-9,
                    "{file} raw"
                );
            }
        }
        assert!(
            largest > 0.1,
            "{file}: the values are not all tiny ({largest})"
        );
    }
}
