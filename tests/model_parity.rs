//! scikit-learn parity of the fitted models: on the bundled samples, preprocessed by the
//! default recipe and fitted on every row, Modeldesk's linear models, naive Bayes and
//! decision tree give scikit-learn's coefficients and predictions (the tree: the same
//! number of nodes and the same leaf probabilities; on scikit-learn's own tree, each node's
//! rows and impurity and the impurity importances) (`tests/fixtures/sklearn_models.json`, written by
//! `bench/sklearn_models.py`). Permutation importances equal scikit-learn's on the same
//! fitted model and row orders, within 1e-3 when each side fits its own model (logistic
//! regression by log loss, naive Bayes by accuracy), and partial dependence on the same model
//! and grid
//! (`tests/fixtures/sklearn_inspection.json`, written by `bench/sklearn_inspection.py`).

#[path = "support/sklearn_tree.rs"]
mod sklearn_tree;

use modeldesk::data::{import_csv, ImportOptions, Progress, Role};
use modeldesk::ml::class_weight::ClassWeight;
use modeldesk::ml::model::{fit_model, FittedModel, Targets};
use modeldesk::ml::prep::{fit_recipe, Recipe};
use modeldesk::ml::spec::{ModelSpec, PenaltySpec};
use modeldesk::ml::target::{class_target, value_target};
use modeldesk::ml::tree::FlatTree;
use ndarray::ArrayView2;
use serde_json::Value;

fn fixture() -> Value {
    fixture_named("sklearn_models.json")
}

fn fixture_named(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn assert_close(what: &str, ours: &[f64], theirs: &[f64], tolerance: f64) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let scale = b.abs().max(1.0);
        assert!(
            (a - b).abs() <= tolerance * scale,
            "{what}[{i}]: ours {a}, scikit-learn {b}"
        );
    }
}

/// scikit-learn's fitted tree of `case` as a [`FlatTree`], each node's statistics counted
/// by Modeldesk from the rows that reach it.
/// scikit-learn's tree of `case` with each node's rows by class, counted through it, and the
/// case's class weights.
fn scikit_learns_tree(case: &Value, x: ArrayView2<f64>, y: &[usize], classes: usize) -> FlatTree {
    let index = |key: &str| -> Vec<i64> {
        case[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    };
    let (feature, left, right) = (
        index("node_feature"),
        index("node_left"),
        index("node_right"),
    );
    let threshold = numbers(&case["node_threshold"]);
    let mut counts = vec![vec![0_u64; classes]; feature.len()];
    for (row, &class) in x.rows().into_iter().zip(y) {
        let mut at = 0;
        loop {
            counts[at][class] += 1;
            if left[at] < 0 {
                break;
            }
            let j = feature[at] as usize;
            at = if row[j] <= threshold[at] {
                left[at]
            } else {
                right[at]
            } as usize;
        }
    }
    let class_weights = match case["params"]["class_weight"].as_str() {
        Some("balanced") => {
            let names: Vec<String> = (0..classes).map(|c| c.to_string()).collect();
            ClassWeight::Balanced.weights(y, &names)
        }
        _ => vec![1.0; classes],
    };
    sklearn_tree::flat_tree(&feature, &left, &right, &threshold, &counts, &class_weights)
}

/// Impurity importances and each node's rows and impurity equal scikit-learn's
/// (`feature_importances_`, `tree_.n_node_samples`, `tree_.impurity`) on scikit-learn's own
/// tree. The tree Modeldesk grows has as many nodes and gives the same probabilities, but where
/// two splits lower the impurity equally (a node of three rows split 1 + 2 on one feature or
/// 2 + 1 on another) scikit-learn takes the one its random order of features reaches first,
/// so its nodes are compared only where the trees agree: the root, and the importances' shape.
fn tree_statistics_match(
    what: &str,
    ours: &FlatTree,
    case: &Value,
    x: ArrayView2<f64>,
    y: &[usize],
    classes: usize,
) {
    let theirs = scikit_learns_tree(case, x, y, classes);
    let (rows, impurity) = (numbers(&case["node_rows"]), numbers(&case["node_impurity"]));
    let our_rows: Vec<f64> = theirs.stats.iter().map(|s| s.rows() as f64).collect();
    assert_eq!(our_rows, rows, "{what}: rows per node");
    let our_impurity: Vec<f64> = theirs.stats.iter().map(|s| s.impurity).collect();
    assert_close(
        &format!("{what}: impurity"),
        &our_impurity,
        &impurity,
        1e-12,
    );
    let importances = theirs.impurity_importances(x.ncols()).unwrap();
    assert_close(
        &format!("{what}: importances"),
        &importances,
        &numbers(&case["importances"]),
        1e-9,
    );
    assert_eq!(ours.stats[0], theirs.stats[0], "{what}: the root");
    let grown = ours.impurity_importances(x.ncols()).unwrap();
    assert!(grown.iter().all(|&v| v >= 0.0), "{what}: {grown:?}");
    assert!(
        (grown.iter().sum::<f64>() - 1.0).abs() < 1e-12,
        "{what}: {grown:?}"
    );
}

#[test]
fn fitted_models_match_scikit_learn() {
    let fixture = fixture();
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 9);
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let target = case["target"].as_str().unwrap();
        let algorithm = case["algorithm"].as_str().unwrap();
        let what = format!("{algorithm} on {file}");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(file);
        let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default()).unwrap();
        let index = table.columns.iter().position(|c| c.name == target).unwrap();
        table.set_role(index, Role::Target);
        let rows: Vec<usize> = (0..table.rows()).collect();
        let recipe = fit_recipe(&Recipe::default_for(&table), &table, &rows).unwrap();
        let x = recipe.transform(&table, &rows).unwrap().x;
        let mut spec = ModelSpec::from_name(algorithm).unwrap();
        if let ModelSpec::Ridge(s) | ModelSpec::Lasso(s) | ModelSpec::ElasticNet(s) = &mut spec {
            *s = PenaltySpec {
                alpha: case["params"]["alpha"].as_f64().unwrap(),
                l1_ratio: case["params"]["l1_ratio"].as_f64().unwrap(),
                max_iterations: 100_000,
                tolerance: 1e-8,
            };
        }
        if let ModelSpec::LogisticRegression(s) = &mut spec {
            s.tolerance = 1e-10;
            s.max_iterations = 100_000;
        }
        // Parameters given by their stored keys.
        for (key, value) in case["params"].as_object().unwrap() {
            if let (Some(text), Some(param)) = (value.as_str(), spec.find_param(key)) {
                spec.set_param(param.key, param.kind.parse(text).unwrap())
                    .unwrap();
            }
        }
        if let Some(proba) = case.get("proba") {
            let classes = class_target(&table, target).unwrap();
            let names: Vec<String> = case["classes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            assert_eq!(classes.classes, names, "{what}: class order");
            let fit = fit_model(
                &spec,
                x.view(),
                Targets::Classes {
                    y: &classes.y,
                    classes: &names,
                },
                &mut |_, _| true,
            )
            .unwrap();
            if let (FittedModel::Tree(tree), Some(nodes)) = (&fit.model, case.get("nodes")) {
                // scikit-learn splits some pure nodes of a weighted tree, whose impurity its
                // sums leave a few ulps above zero: splits that change no prediction.
                let weighted = case["params"].get("class_weight").is_some();
                if !weighted {
                    assert_eq!(
                        tree.nodes.len() as u64,
                        nodes.as_u64().unwrap(),
                        "{what}: nodes"
                    );
                }
                let what = format!("{what} with {}", case["params"]);
                let (y, count) = (&classes.y, names.len());
                tree_statistics_match(&what, tree, case, x.view(), y, count);
            }
            let ours = fit.model.predict_proba(x.view(), names.len()).unwrap();
            let theirs: Vec<Vec<f64>> = proba.as_array().unwrap().iter().map(numbers).collect();
            for (i, row) in theirs.iter().enumerate() {
                assert_close(&format!("{what} row {i}"), &ours.row(i).to_vec(), row, 1e-6);
            }
        } else {
            let values = value_target(&table, target).unwrap();
            let fit = fit_model(&spec, x.view(), Targets::Values(&values.y), &mut |_, _| {
                true
            })
            .unwrap();
            let FittedModel::Linear(model) = &fit.model else {
                panic!("{what}: not a linear model");
            };
            let tolerance = if algorithm == "linear_regression" {
                1e-9
            } else {
                1e-5
            };
            assert_close(
                &format!("{what} coefficients"),
                &model.weights.to_vec(),
                &numbers(&case["coef"]),
                tolerance,
            );
            assert_close(
                &format!("{what} intercept"),
                &[model.intercept],
                &[case["intercept"].as_f64().unwrap()],
                tolerance,
            );
            let predicted = fit.model.predict_values(x.view()).unwrap();
            assert_close(
                &format!("{what} predictions"),
                &predicted.to_vec(),
                &numbers(&case["predictions"]),
                tolerance,
            );
        }
    }
}

/// `algorithm` trained on the bundled `file` predicting `target`; its final fit (and the
/// recipe's scaling) is on every row, as the reference's was.
fn trained_on(
    file: &str,
    target: &str,
    algorithm: &str,
) -> (modeldesk::data::Table, modeldesk::ml::eval::TrainedModel) {
    use modeldesk::ml::eval::{train_and_validate, Validation};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(file);
    let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default()).unwrap();
    let index = table.columns.iter().position(|c| c.name == target).unwrap();
    table.set_role(index, Role::Target);
    let spec = ModelSpec::from_name(algorithm).unwrap();
    let holdout = Validation::Holdout {
        fraction: 0.25,
        seed: 0,
    };
    let recipe = Recipe::default_for(&table);
    let (_, model) = train_and_validate(
        &table,
        target,
        None,
        &recipe,
        &spec,
        holdout,
        &mut |_, _| true,
    )
    .unwrap();
    (table, model)
}

#[test]
fn permutation_importance_matches_scikit_learn_on_the_same_model_and_row_orders() {
    use modeldesk::ml::linear::LinearModel;
    use modeldesk::ml::permutation::{permutation_importance, Shuffles, Truth};
    let fixture = fixture_named("sklearn_inspection.json");
    let cases = fixture["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 2);
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let target = case["target"].as_str().unwrap();
        let metric = case["metric"].as_str().unwrap();
        let repeats = case["repeats"].as_u64().unwrap() as usize;
        let algorithm = if metric == "r2" {
            "linear_regression"
        } else {
            "decision_tree"
        };
        let (table, mut model) = trained_on(file, target, algorithm);
        let rows: Vec<usize> = (0..table.rows()).collect();
        let mut x = model.recipe.transform(&table, &rows).unwrap().x;
        if metric != "r2" {
            // scikit-learn's trees read their input as float32: so does its tree here.
            x.mapv_inplace(|v| v as f32 as f64);
        }
        let classes = class_target(&table, target).unwrap();
        let values = value_target(&table, target);
        // scikit-learn's fitted model, in Modeldesk.
        let truth = if metric == "r2" {
            model.model = FittedModel::Linear(LinearModel {
                weights: numbers(&case["coef"]).into(),
                intercept: case["intercept"].as_f64().unwrap(),
            });
            Truth::Values(&values.as_ref().unwrap().y)
        } else {
            let count = classes.classes.len();
            let tree = scikit_learns_tree(case, x.view(), &classes.y, count);
            model.model = FittedModel::Tree(tree);
            Truth::Classes(&classes.y)
        };
        let orders: Vec<Vec<Vec<usize>>> = serde_json::from_value(case["orders"].clone()).unwrap();
        let got = permutation_importance(
            &model,
            x.view(),
            truth,
            metric,
            repeats,
            &Shuffles::Given(orders),
            &|_| true,
        )
        .unwrap();
        let names: Vec<String> = model
            .recipe
            .columns
            .iter()
            .map(|c| c.column.clone())
            .collect();
        let theirs: Vec<Vec<f64>> = case["importances"]
            .as_array()
            .unwrap()
            .iter()
            .map(numbers)
            .collect();
        for (j, name) in names.iter().enumerate() {
            let ours = got.columns.iter().find(|c| c.column == *name).unwrap();
            let what = format!("{metric} permutation importance of {name} in {file}");
            assert_close(&what, &ours.drops, &theirs[j], 1e-9);
            let mean = numbers(&case["importances_mean"])[j];
            let std = numbers(&case["importances_std"])[j];
            assert_close(&what, &[ours.mean, ours.std], &[mean, std], 1e-9);
        }
    }
}

#[test]
fn partial_dependence_matches_scikit_learn_on_the_same_model_and_grid() {
    use modeldesk::ml::linear::LinearModel;
    use modeldesk::ml::logistic::LogisticModel;
    use modeldesk::ml::partial_dependence::{partial_dependence, GridValue, PdOptions};
    use modeldesk::ml::prep::FittedStep;
    use ndarray::{Array1, Array2};
    let fixture = fixture_named("sklearn_inspection.json");
    let cases = fixture["partial_dependence"].as_array().expect("cases");
    assert_eq!(cases.len(), 4);
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let target = case["target"].as_str().unwrap();
        let column = case["column"].as_str().unwrap();
        let what = format!("partial dependence on {column} in {file}");
        let regression = case.get("classes").is_none();
        let algorithm = if regression {
            "linear_regression"
        } else {
            "logistic"
        };
        let (table, mut model) = trained_on(file, target, algorithm);
        // scikit-learn's coefficients (classes × features), in Modeldesk.
        let coef: Vec<Vec<f64>> = case["coef"]
            .as_array()
            .unwrap()
            .iter()
            .map(numbers)
            .collect();
        let intercept = numbers(&case["intercept"]);
        model.model = if regression {
            FittedModel::Linear(LinearModel {
                weights: Array1::from(coef[0].clone()),
                intercept: intercept[0],
            })
        } else {
            let (outputs, features) = (coef.len(), coef[0].len());
            let weights = Array2::from_shape_fn((features, outputs), |(j, k)| coef[k][j]);
            FittedModel::Logistic(LogisticModel {
                weights,
                intercept: Array1::from(intercept),
            })
        };
        let rows: Vec<usize> = (0..table.rows()).collect();
        let options = PdOptions {
            ice_rows: 5,
            ..PdOptions::default()
        };
        let got = partial_dependence(&model, &table, &rows, column, &options, &|_| true).unwrap();
        // The grid in the model's own units, as scikit-learn's (it saw standardised values).
        let fitted = model
            .recipe
            .columns
            .iter()
            .find(|c| c.column == column)
            .unwrap();
        let FittedStep::Numeric { center, scale, .. } = fitted.step else {
            panic!("{what}: a numeric column");
        };
        let grid: Vec<f64> = got
            .grid
            .iter()
            .map(|g| match g {
                GridValue::Number(v) => (v - center) / scale,
                GridValue::Level(_) => panic!("{what}: a number"),
            })
            .collect();
        assert_close(
            &format!("{what}: grid"),
            &grid,
            &numbers(&case["grid"]),
            1e-9,
        );
        let average: Vec<Vec<f64>> = case["average"]
            .as_array()
            .unwrap()
            .iter()
            .map(numbers)
            .collect();
        assert_eq!(got.average.len(), average.len(), "{what}: outputs");
        for (o, theirs) in average.iter().enumerate() {
            assert_close(
                &format!("{what}: output {o}"),
                &got.average[o],
                theirs,
                1e-9,
            );
        }
        let ice_rows: Vec<usize> = serde_json::from_value(case["ice_rows"].clone()).unwrap();
        assert_eq!(got.ice_rows, ice_rows, "{what}: sampled rows");
        for (o, rows) in case["individual"].as_array().unwrap().iter().enumerate() {
            for (r, theirs) in rows.as_array().unwrap().iter().enumerate() {
                let ours = &got.individual[o][r];
                assert_close(&format!("{what}: row {r}"), ours, &numbers(theirs), 1e-9);
            }
        }
    }
}

#[test]
fn permutation_importance_agrees_with_scikit_learn_within_1e3_when_each_fits_its_own_model() {
    use modeldesk::ml::permutation::{permutation_importance, Shuffles, Truth};
    let fixture = fixture_named("sklearn_inspection.json");
    let cases = fixture["own_fit"].as_array().expect("own-fit cases");
    assert_eq!(cases.len(), 2);
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let target = case["target"].as_str().unwrap();
        let algorithm = case["algorithm"].as_str().unwrap();
        // scikit-learn's scorer names a loss by its negation; the drop is the same.
        let metric = match case["metric"].as_str().unwrap() {
            "neg_log_loss" => "log_loss",
            other => other,
        };
        let (table, model) = trained_on(file, target, algorithm);
        let rows: Vec<usize> = (0..table.rows()).collect();
        let x = model.recipe.transform(&table, &rows).unwrap().x;
        let classes = class_target(&table, target).unwrap();
        let orders: Vec<Vec<Vec<usize>>> = serde_json::from_value(case["orders"].clone()).unwrap();
        let got = permutation_importance(
            &model,
            x.view(),
            Truth::Classes(&classes.y),
            metric,
            case["repeats"].as_u64().unwrap() as usize,
            &Shuffles::Given(orders),
            &|_| true,
        )
        .unwrap();
        let theirs: Vec<Vec<f64>> = case["importances"]
            .as_array()
            .unwrap()
            .iter()
            .map(numbers)
            .collect();
        let (means, stds) = (
            numbers(&case["importances_mean"]),
            numbers(&case["importances_std"]),
        );
        assert_eq!(got.columns.len(), theirs.len(), "{file}: columns");
        for (j, column) in model.recipe.columns.iter().enumerate() {
            let ours = got
                .columns
                .iter()
                .find(|c| c.column == column.column)
                .unwrap();
            let what = format!(
                "{metric} permutation importance of {} in {file}",
                column.column
            );
            assert_close(&what, &ours.drops, &theirs[j], 1e-3);
            assert_close(&what, &[ours.mean, ours.std], &[means[j], stds[j]], 1e-3);
        }
    }
}
