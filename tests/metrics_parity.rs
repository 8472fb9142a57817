//! scikit-learn parity: every metric and curve of `ml::metrics` equals scikit-learn's, to
//! 1e-9, on the cases in `tests/fixtures/sklearn_metrics.json` (written, inputs and
//! expected values together, by `bench/sklearn_metrics.py`).

use modeldesk::ml::metrics::{
    calibration_curve, classification_metrics, precision_recall_curve, regression_metrics,
    roc_curve, ClassificationMetrics, Curve,
};
use ndarray::Array2;
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn_metrics.json"
    );
    let text = std::fs::read_to_string(path).expect("read the sklearn fixture");
    serde_json::from_str(&text).expect("parse the sklearn fixture")
}

/// A fixture number; JSON has no inf or NaN, so the script writes those as strings.
fn number(value: &Value) -> f64 {
    match value {
        Value::Number(n) => n.as_f64().expect("f64"),
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::String(s) if s == "nan" => f64::NAN,
        other => panic!("not a fixture number: {other}"),
    }
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(number)
        .collect()
}

fn indices(value: &Value) -> Vec<usize> {
    let array = value.as_array().expect("array");
    array
        .iter()
        .map(|v| v.as_u64().expect("index") as usize)
        .collect()
}

/// Collects every mismatch so that one run shows them all.
#[derive(Default)]
struct Checker {
    compared: usize,
    failures: Vec<String>,
}

impl Checker {
    /// Absolute difference for values up to 1, relative above; NaN and inf must match exactly.
    fn value(&mut self, what: &str, actual: f64, expected: f64) {
        self.compared += 1;
        let ok = if expected.is_nan() {
            actual.is_nan()
        } else if expected.is_infinite() {
            actual == expected
        } else {
            (actual - expected).abs() <= TOLERANCE * expected.abs().max(1.0)
        };
        if !ok {
            self.failures
                .push(format!("{what}: got {actual}, sklearn {expected}"));
        }
    }

    fn optional(&mut self, what: &str, actual: Option<f64>, expected: &Value) {
        match (actual, expected) {
            (None, Value::Null) => self.compared += 1,
            (Some(a), e) if !e.is_null() => self.value(what, a, number(e)),
            (a, e) => self
                .failures
                .push(format!("{what}: got {a:?}, sklearn {e}")),
        }
    }

    fn series(&mut self, what: &str, actual: &[f64], expected: &Value) {
        let expected = numbers(expected);
        if actual.len() != expected.len() {
            self.failures.push(format!(
                "{what}: {} points, sklearn {}",
                actual.len(),
                expected.len()
            ));
            return;
        }
        for (i, (&a, &e)) in actual.iter().zip(&expected).enumerate() {
            self.value(&format!("{what}[{i}]"), a, e);
        }
    }

    fn curve(&mut self, what: &str, actual: &Curve, expected: &Value) {
        self.series(&format!("{what}.x"), &actual.x, &expected["x"]);
        self.series(&format!("{what}.y"), &actual.y, &expected["y"]);
        self.series(
            &format!("{what}.thresholds"),
            &actual.thresholds,
            &expected["thresholds"],
        );
    }

    fn finish(self, area: &str) {
        eprintln!(
            "{area}: {} values compared with scikit-learn",
            self.compared
        );
        assert!(self.compared > 0, "{area}: nothing compared");
        assert!(
            self.failures.is_empty(),
            "{area}: {} mismatches with scikit-learn:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

struct ClassificationCase {
    name: String,
    y_true: Vec<usize>,
    proba: Array2<f64>,
    metrics: ClassificationMetrics,
}

fn classification_cases(fixture: &Value) -> Vec<(ClassificationCase, &Value)> {
    let cases = fixture["classification"]
        .as_array()
        .expect("classification cases");
    cases
        .iter()
        .map(|case| {
            let labels: Vec<String> = case["labels"]
                .as_array()
                .expect("labels")
                .iter()
                .map(|l| l.as_str().expect("label").to_owned())
                .collect();
            let rows: Vec<Vec<f64>> = case["proba"]
                .as_array()
                .expect("proba")
                .iter()
                .map(numbers)
                .collect();
            let flat: Vec<f64> = rows.concat();
            let proba =
                Array2::from_shape_vec((rows.len(), labels.len()), flat).expect("proba shape");
            let y_true = indices(&case["y_true"]);
            let metrics =
                classification_metrics(&y_true, &indices(&case["y_pred"]), &proba, &labels);
            let name = case["name"].as_str().expect("name").to_owned();
            (
                ClassificationCase {
                    name,
                    y_true,
                    proba,
                    metrics,
                },
                case,
            )
        })
        .collect()
}

#[test]
fn fixture_covers_the_agreed_cases() {
    let fixture = fixture();
    let version = fixture["sklearn_version"]
        .as_str()
        .expect("sklearn_version");
    eprintln!("fixture written with scikit-learn {version}");
    assert!(
        version.starts_with("1."),
        "expected scikit-learn 1.x, got {version}"
    );
    let names: Vec<&str> = fixture["classification"]
        .as_array()
        .into_iter()
        .chain(fixture["regression"].as_array())
        .flatten()
        .filter_map(|case| case["name"].as_str())
        .collect();
    for wanted in [
        "binary_ties",
        "binary_imbalanced",
        "multiclass_3",
        "multiclass_5_one_never_predicted",
        "perfect_3",
        "regression_zero_in_y_true",
    ] {
        assert!(
            names.contains(&wanted),
            "fixture lacks case {wanted}: {names:?}"
        );
    }
}

#[test]
fn classification_metrics_match_sklearn() {
    let fixture = fixture();
    let mut check = Checker::default();
    for (case, json) in classification_cases(&fixture) {
        let expected = &json["expected"];
        let m = &case.metrics;
        let name = &case.name;
        let scalars = [
            ("accuracy", m.accuracy),
            ("balanced_accuracy", m.balanced_accuracy),
            ("precision_macro", m.precision_macro),
            ("recall_macro", m.recall_macro),
            ("f1_macro", m.f1_macro),
            ("precision_weighted", m.precision_weighted),
            ("recall_weighted", m.recall_weighted),
            ("f1_weighted", m.f1_weighted),
            ("log_loss", m.log_loss),
            ("mcc", m.mcc),
            ("cohen_kappa", m.cohen_kappa),
        ];
        for (key, actual) in scalars {
            check.value(&format!("{name}.{key}"), actual, number(&expected[key]));
        }
        check.optional(&format!("{name}.roc_auc"), m.roc_auc, &expected["roc_auc"]);
        check.optional(
            &format!("{name}.average_precision"),
            m.average_precision,
            &expected["average_precision"],
        );
        check.optional(&format!("{name}.brier"), m.brier, &expected["brier"]);

        let per_class = expected["per_class"].as_array().expect("per_class");
        assert_eq!(
            m.per_class.len(),
            per_class.len(),
            "{name}: per-class entries"
        );
        for (actual, expected) in m.per_class.iter().zip(per_class) {
            let what = format!("{name}.{}", actual.label);
            assert_eq!(
                actual.label,
                expected["label"].as_str().expect("label"),
                "{what}"
            );
            assert_eq!(
                actual.support,
                expected["support"].as_u64().expect("support"),
                "{what}"
            );
            check.value(
                &format!("{what}.precision"),
                actual.precision,
                number(&expected["precision"]),
            );
            check.value(
                &format!("{what}.recall"),
                actual.recall,
                number(&expected["recall"]),
            );
            check.value(&format!("{what}.f1"), actual.f1, number(&expected["f1"]));
        }

        let confusion: Vec<Vec<u64>> = expected["confusion"]
            .as_array()
            .expect("confusion")
            .iter()
            .map(|row| {
                row.as_array()
                    .expect("row")
                    .iter()
                    .map(|c| c.as_u64().expect("count"))
                    .collect()
            })
            .collect();
        assert_eq!(m.confusion, confusion, "{name}: confusion matrix");
    }
    check.finish("classification metrics");
}

#[test]
fn curves_match_sklearn_point_by_point() {
    let fixture = fixture();
    let mut check = Checker::default();
    let mut curves = 0;
    for (case, json) in classification_cases(&fixture) {
        for expected in json["curves"].as_array().expect("curves") {
            let class = expected["positive_class"].as_u64().expect("positive_class") as usize;
            let truth: Vec<bool> = case.y_true.iter().map(|&y| y == class).collect();
            let scores: Vec<f64> = case.proba.column(class).to_vec();
            let what = format!("{} class {class}", case.name);
            check.curve(
                &format!("{what} roc"),
                &roc_curve(&truth, &scores),
                &expected["roc"],
            );
            check.curve(
                &format!("{what} pr"),
                &precision_recall_curve(&truth, &scores),
                &expected["pr"],
            );
            for calibration in expected["calibration"].as_array().expect("calibration") {
                let bins = calibration["bins"].as_u64().expect("bins") as usize;
                let actual = calibration_curve(&truth, &scores, bins);
                check.curve(&format!("{what} calibration/{bins}"), &actual, calibration);
            }
            curves += 1;
        }
    }
    assert!(curves >= 5, "only {curves} curve sets in the fixture");
    check.finish("curves");
}

#[test]
fn regression_metrics_match_sklearn() {
    let fixture = fixture();
    let mut check = Checker::default();
    for case in fixture["regression"].as_array().expect("regression cases") {
        let name = case["name"].as_str().expect("name");
        let m = regression_metrics(&numbers(&case["y_true"]), &numbers(&case["y_pred"]));
        let expected = &case["expected"];
        check.value(&format!("{name}.rmse"), m.rmse, number(&expected["rmse"]));
        check.value(&format!("{name}.mae"), m.mae, number(&expected["mae"]));
        check.value(&format!("{name}.r2"), m.r2, number(&expected["r2"]));
        check.optional(&format!("{name}.mape"), m.mape, &expected["mape"]);
    }
    check.finish("regression metrics");
}
