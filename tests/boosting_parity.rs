//! scikit-learn parity of gradient boosting (`tests/fixtures/sklearn_boosting.json`, written
//! by `bench/sklearn_boosting.py`, both sides with `early_stopping=False`):
//! - the bin edges of every numeric column of the bundled samples, and of a column with many
//!   ties, equal scikit-learn's `_BinMapper`'s;
//! - 5-fold CV on scikit-learn's folds, each fold through the default recipe (categories split
//!   natively on both sides, from level indices and from ordinal codes): accuracy within
//!   0.01 on every bundled classification sample, ROC AUC within 0.003 on breast_cancer, R²
//!   within 0.02 on diabetes;
//! - with class weights (balanced, and explicit per class) on breast_cancer and penguins:
//!   the bin edges found with the rows' weights equal `_BinMapper.fit(X, sample_weight)`'s,
//!   and the CV accuracy, balanced accuracy and ROC AUC are within the same bounds;
//! - on a generated file with missing values (the same numbers on both sides, from
//!   splitmix64), fitted on the raw matrix: hold-out ROC AUC within 0.003.

use modeldesk::data::{import_csv, ColumnData, ImportOptions, Progress, Role, Table};
use modeldesk::ml::boost::binning::{feature_edges, weighted_feature_edges};
use modeldesk::ml::class_weight::ClassWeight;
use modeldesk::ml::metrics::roc_auc;
use modeldesk::ml::model::{fit_model, fit_model_design, Targets};
use modeldesk::ml::prep::{fit_recipe, Recipe};
use modeldesk::ml::spec::ModelSpec;
use modeldesk::ml::target::{class_target, value_target};
use ndarray::Array2;
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn_boosting.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn sample(file: &str) -> Table {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(file);
    import_csv(&path, &ImportOptions::default(), &Progress::default()).expect("sample")
}

/// Gradient boosting with scikit-learn's defaults and no early stopping.
fn boosting() -> ModelSpec {
    let mut spec = ModelSpec::from_name("gradient_boosting").unwrap();
    let kind = spec
        .algorithm()
        .params()
        .iter()
        .find(|p| p.key == "early_stopping")
        .unwrap()
        .kind;
    spec.set_param("early_stopping", kind.parse("false").unwrap())
        .unwrap();
    spec
}

#[test]
fn bin_edges_are_scikit_learns() {
    let fixture = fixture();
    let mut checked = 0;
    for case in fixture["bin_edges"].as_array().unwrap() {
        let theirs = numbers(&case["edges"]);
        let (values, what) = match case["file"].as_str() {
            Some(file) => {
                let table = sample(file);
                let name = case["column"].as_str().unwrap();
                let column = table.column(name).expect("column");
                let ColumnData::Numeric(values) = &column.data else {
                    panic!("{file}: {name} is not numeric")
                };
                (values.clone(), format!("{file}: {name}"))
            }
            None => (numbers(&case["values"]), "tied values".to_string()),
        };
        let max_bins = case["max_bins"].as_u64().unwrap_or(255) as usize;
        let ours = feature_edges(&values, max_bins);
        assert_eq!(ours, theirs, "{what} at {max_bins} bins");
        checked += 1;
    }
    assert!(checked > 40, "{checked} columns");
}

#[test]
fn weighted_bin_edges_are_scikit_learns() {
    let fixture = fixture();
    let cases = fixture["weighted_bin_edges"].as_array().unwrap();
    let table = sample("breast_cancer.csv");
    let target = class_target(&table, "diagnosis").unwrap();
    let by_class = ClassWeight::Balanced.weights(&target.y, &target.classes);
    let weights: Vec<f64> = target.y.iter().map(|&c| by_class[c]).collect();
    let mut percentiles = 0;
    for case in cases {
        let name = case["column"].as_str().unwrap();
        let ColumnData::Numeric(values) = &table.column(name).expect("column").data else {
            panic!("{name} is not numeric")
        };
        let theirs = numbers(&case["edges"]);
        let ours = weighted_feature_edges(values, &weights, 255);
        assert_eq!(ours, theirs, "breast_cancer: {name}, balanced weights");
        // Above 255 distinct values the edges are weighted percentiles, not midpoints.
        if ours != feature_edges(values, 255) {
            percentiles += 1;
        }
    }
    assert_eq!(cases.len(), 30);
    assert!(
        percentiles > 10,
        "{percentiles} columns binned by weighted percentiles"
    );
}

#[test]
fn cross_validated_scores_are_scikit_learns() {
    let fixture = fixture();
    for case in fixture["cv"].as_array().unwrap() {
        check_cv(case, &boosting());
    }
}

#[test]
fn cross_validated_scores_with_class_weights_are_scikit_learns() {
    let fixture = fixture();
    let cases = fixture["class_weight_cv"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let weights = match &case["class_weight"] {
            Value::String(word) => word.clone(),
            Value::Object(by_class) => by_class
                .iter()
                .map(|(class, w)| format!("{class}:{w}"))
                .collect::<Vec<_>>()
                .join(","),
            other => panic!("class_weight {other}"),
        };
        let mut spec = boosting();
        let kind = spec.find_param("class_weight").unwrap().kind;
        spec.set_param("class_weight", kind.parse(&weights).unwrap())
            .unwrap();
        check_cv(case, &spec);
    }
}

/// 5-fold CV of `spec` on the case's folds, through the default recipe, scores as
/// scikit-learn's.
fn check_cv(case: &Value, spec: &ModelSpec) {
    {
        let file = case["file"].as_str().unwrap();
        let target = case["target"].as_str().unwrap();
        let mut table = sample(file);
        let index = table.columns.iter().position(|c| c.name == target).unwrap();
        table.set_role(index, Role::Target);
        let recipe = Recipe::default_for(&table);
        let rows = table.rows();
        let folds: Vec<Vec<usize>> = case["folds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f.as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_u64().unwrap() as usize)
                    .collect()
            })
            .collect();
        let classes = class_target(&table, target).filter(|_| case.get("classes").is_some());
        if let Some(classes) = &classes {
            let names: Vec<&str> = case["classes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            assert_eq!(classes.classes, names, "{file}");
            assert_eq!(classes.rows.len(), rows, "{file}");
        }
        let values = value_target(&table, target);
        let mut proba = vec![Vec::new(); rows];
        let mut predicted = vec![0.0; rows];
        for test in &folds {
            let train: Vec<usize> = (0..rows)
                .filter(|r| test.binary_search(r).is_err())
                .collect();
            let fitted = fit_recipe(&recipe, &table, &train).unwrap();
            // Through the design, as a training job fits: one-hot columns as level indices,
            // which gradient boosting splits natively.
            let x_train = fitted.transform_design(&table, &train).unwrap().design;
            let x_test = fitted.transform_design(&table, test).unwrap().design;
            match &classes {
                Some(target) => {
                    let y: Vec<usize> = train.iter().map(|&r| target.y[r]).collect();
                    let k = target.classes.len();
                    let fit = fit_model_design(
                        spec,
                        &x_train,
                        Targets::Classes {
                            y: &y,
                            classes: &target.classes,
                        },
                        &mut |_, _| true,
                    )
                    .unwrap();
                    let p = fit
                        .model
                        .predictor()
                        .predict_proba_design(&x_test, k)
                        .unwrap();
                    for (i, &r) in test.iter().enumerate() {
                        proba[r] = p.row(i).to_vec();
                    }
                }
                None => {
                    let target = values.as_ref().unwrap();
                    let y: Vec<f64> = train.iter().map(|&r| target.y[r]).collect();
                    let fit =
                        fit_model_design(spec, &x_train, Targets::Values(&y), &mut |_, _| true)
                            .unwrap();
                    let p = fit
                        .model
                        .predictor()
                        .predict_values_design(&x_test)
                        .unwrap();
                    for (i, &r) in test.iter().enumerate() {
                        predicted[r] = p[i];
                    }
                }
            }
        }
        match &classes {
            Some(target) => {
                let right = (0..rows)
                    .filter(|&r| {
                        let p = &proba[r];
                        let best = (0..p.len()).fold(0, |b, k| if p[k] > p[b] { k } else { b });
                        best == target.y[r]
                    })
                    .count();
                let accuracy = right as f64 / rows as f64;
                let theirs = case["accuracy"].as_f64().unwrap();
                let weights = case
                    .get("class_weight")
                    .map_or(String::new(), |w| format!(" ({w})"));
                eprintln!("{file}{weights}: accuracy {accuracy:.4}, scikit-learn {theirs:.4}");
                assert!(
                    (accuracy - theirs).abs() <= 0.01,
                    "{file}: {accuracy} against {theirs}"
                );
                let k = target.classes.len();
                if let Some(theirs) = case.get("proba").and_then(Value::as_array) {
                    let (mut largest, mut total) = (0.0f64, 0.0);
                    for (ours, theirs) in proba.iter().zip(theirs) {
                        for (a, b) in ours.iter().zip(numbers(theirs)) {
                            largest = largest.max((a - b).abs());
                            total += (a - b).abs();
                        }
                    }
                    let mean = total / (rows * k) as f64;
                    eprintln!(
                        "{file}{weights}: out-of-fold probabilities differ by {mean:.2e} on \
                         average, {largest:.2e} at most"
                    );
                    assert!(mean <= 0.01, "{file}{weights}: mean difference {mean}");
                }
                let recall: Vec<f64> = (0..k)
                    .map(|c| {
                        let of_c: Vec<usize> = (0..rows).filter(|&r| target.y[r] == c).collect();
                        let hit = of_c
                            .iter()
                            .filter(|&&r| {
                                let p = &proba[r];
                                (0..k).fold(0, |b, j| if p[j] > p[b] { j } else { b }) == c
                            })
                            .count();
                        hit as f64 / of_c.len() as f64
                    })
                    .collect();
                let balanced = recall.iter().sum::<f64>() / k as f64;
                let theirs = case["balanced_accuracy"].as_f64().unwrap();
                eprintln!(
                    "{file}{weights}: balanced accuracy {balanced:.4}, scikit-learn {theirs:.4}"
                );
                assert!(
                    (balanced - theirs).abs() <= 0.01,
                    "{file}: balanced accuracy {balanced} against {theirs}"
                );
                if let Some(theirs) = case["roc_auc"].as_f64() {
                    let truth: Vec<bool> = target.y.iter().map(|&c| c == 1).collect();
                    let scores: Vec<f64> = proba.iter().map(|p| p[1]).collect();
                    let auc = roc_auc(&truth, &scores).unwrap();
                    eprintln!("{file}{weights}: ROC AUC {auc:.4}, scikit-learn {theirs:.4}");
                    assert!(
                        (auc - theirs).abs() <= 0.003,
                        "{file}: AUC {auc} against {theirs}"
                    );
                }
            }
            None => {
                let y = &values.as_ref().unwrap().y;
                let mean = y.iter().sum::<f64>() / rows as f64;
                let total: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
                let residual: f64 = y.iter().zip(&predicted).map(|(v, p)| (v - p).powi(2)).sum();
                let r2 = 1.0 - residual / total;
                let theirs = case["r2"].as_f64().unwrap();
                eprintln!("{file}: R² {r2:.4}, scikit-learn {theirs:.4}");
                assert!(
                    (r2 - theirs).abs() <= 0.02,
                    "{file}: R² {r2} against {theirs}"
                );
            }
        }
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn uniform(row: usize, column: usize) -> f64 {
    (splitmix((row * 64 + column) as u64) >> 11) as f64 * 2f64.powi(-53)
}

/// The generated file of `bench/sklearn_boosting.py`, number for number.
fn generated(rows: usize) -> (Array2<f64>, Vec<usize>) {
    let mut x = Array2::zeros((rows, 6));
    let mut y = vec![0; rows];
    for i in 0..rows {
        let [a, b, c, d] = [0, 1, 2, 3].map(|j| uniform(i, j) * 4.0 - 2.0);
        let levels = (uniform(i, 4) * 20.0).trunc();
        let e = uniform(i, 5) * 4.0 - 2.0;
        let missing = uniform(i, 40) < 0.05;
        let mut score = a * b + c - d * d + if levels >= 10.0 { 0.8 } else { -0.4 };
        score += if missing { 1.0 } else { 0.5 * e };
        let noise = (uniform(i, 41) - 0.5) * 3.0;
        for (j, v) in [a, b, c, d, levels, if missing { f64::NAN } else { e }]
            .into_iter()
            .enumerate()
        {
            x[[i, j]] = v;
        }
        y[i] = (score + noise > 0.0) as usize;
    }
    (x, y)
}

#[test]
fn on_a_generated_file_with_missing_values_roc_auc_is_scikit_learns() {
    let fixture = fixture();
    let case = &fixture["generated"];
    let rows = case["rows"].as_u64().unwrap() as usize;
    let (x, y) = generated(rows);
    let sum: f64 = x.iter().filter(|v| !v.is_nan()).sum();
    assert!((sum - case["x_sum"].as_f64().unwrap()).abs() < 1e-6 * sum.abs().max(1.0));
    assert_eq!(
        y.iter().sum::<usize>() as u64,
        case["positives"].as_u64().unwrap()
    );
    assert_eq!(
        x.iter().filter(|v| v.is_nan()).count() as u64,
        case["missing"].as_u64().unwrap()
    );
    let cut = rows * 4 / 5;
    let train = x.slice(ndarray::s![..cut, ..]);
    let fit = fit_model(
        &boosting(),
        train,
        Targets::Classes {
            y: &y[..cut],
            classes: &["0".to_string(), "1".to_string()],
        },
        &mut |_, _| true,
    )
    .unwrap();
    let test = x.slice(ndarray::s![cut.., ..]);
    let proba = fit.model.predict_proba(test, 2).unwrap();
    let truth: Vec<bool> = y[cut..].iter().map(|&c| c == 1).collect();
    let auc = roc_auc(&truth, &proba.column(1).to_vec()).unwrap();
    let theirs = case["roc_auc"].as_f64().unwrap();
    eprintln!("generated: ROC AUC {auc:.5}, scikit-learn {theirs:.5}");
    assert!((auc - theirs).abs() <= 0.003, "AUC {auc} against {theirs}");
}
