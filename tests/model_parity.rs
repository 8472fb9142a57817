//! scikit-learn parity of the fitted models: on the bundled samples, preprocessed by the
//! default recipe and fitted on every row, Modeldesk's linear models, naive Bayes and
//! decision tree give scikit-learn's coefficients and predictions (the tree: the same
//! number of nodes and the same leaf probabilities) (`tests/fixtures/sklearn_models.json`,
//! written by `bench/sklearn_models.py`).

use modeldesk::data::{import_csv, ImportOptions, Progress, Role};
use modeldesk::ml::model::{fit_model, FittedModel, Targets};
use modeldesk::ml::prep::{fit_recipe, Recipe};
use modeldesk::ml::spec::{ModelSpec, PenaltySpec};
use modeldesk::ml::target::{class_target, value_target};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn_models.json"
    );
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
                    classes: names.len(),
                },
                &mut |_, _| true,
            )
            .unwrap();
            if let (FittedModel::Tree(tree), Some(nodes)) = (&fit.model, case.get("nodes")) {
                assert_eq!(
                    tree.nodes.len() as u64,
                    nodes.as_u64().unwrap(),
                    "{what}: nodes"
                );
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
