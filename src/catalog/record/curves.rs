//! The curves stored with a version: ROC, precision-recall and calibration curves of each
//! class (or a regression's predicted and actual values) computed from an `ml::eval::Evaluation`
//! when it is registered, and read back leniently as [`StoredCurves`].

use serde_json::{json, Value};

use crate::ml::eval::Evaluation;
use crate::ml::metrics::{
    calibration_curve, even_sample, precision_recall_curve, roc_curve, Curve,
};

/// Out-of-fold rows the stored curves are computed from at most (evenly sampled beyond).
const CURVE_ROWS: usize = 100_000;
/// Points kept per stored curve at most: enough to draw it at any plot size.
pub const CURVE_POINTS: usize = 200;
/// Stored curve values are rounded to this many decimals: finer than any plot shows, and
/// a third of the text of full precision.
const CURVE_DECIMALS: i32 = 6;
const CALIBRATION_BINS: usize = 10;

/// At most `CURVE_POINTS` points of `curve`, keeping its ends, rounded, as JSON.
fn curve_json(curve: &Curve) -> serde_json::Value {
    let n = curve.x.len().min(curve.y.len());
    let mut keep = even_sample(n, CURVE_POINTS - 1);
    if keep.last().is_some_and(|&last| last + 1 != n) {
        keep.push(n - 1);
    }
    let scale = 10f64.powi(CURVE_DECIMALS);
    let pick = |v: &[f64]| -> Vec<Option<f64>> {
        keep.iter()
            .map(|&i| {
                v.get(i)
                    .copied()
                    .filter(|x| x.is_finite())
                    .map(|x| (x * scale).round() / scale)
            })
            .collect()
    };
    json!({ "x": pick(&curve.x), "y": pick(&curve.y), "thresholds": pick(&curve.thresholds) })
}

/// ROC, precision-recall and calibration curves of each class against the rest, from the
/// pooled out-of-fold predictions (non-finite thresholds as `null`).
pub fn curves(evaluation: &Evaluation) -> serde_json::Value {
    if evaluation.task == crate::ml::target::Task::Regression {
        return regression_points(evaluation);
    }
    let proba = &evaluation.validated_proba;
    let validated = evaluation.validated_y.len().min(proba.nrows());
    let rows = even_sample(validated, CURVE_ROWS);
    let classes: Vec<serde_json::Value> = (0..proba.ncols())
        .map(|class| {
            let truth: Vec<bool> = rows
                .iter()
                .map(|&r| evaluation.validated_y[r] == class)
                .collect();
            let scores: Vec<f64> = rows.iter().map(|&r| proba[[r, class]]).collect();
            json!({
                "class": evaluation.classes.get(class),
                "roc": curve_json(&roc_curve(&truth, &scores)),
                "pr": curve_json(&precision_recall_curve(&truth, &scores)),
                "calibration": curve_json(&calibration_curve(&truth, &scores, CALIBRATION_BINS)),
            })
        })
        .collect();
    json!({ "rows": rows.len(), "validated": validated, "classes": classes })
}

/// Predicted and actual values of (at most `CURVE_POINTS` evenly chosen) out-of-fold rows of a
/// regression run: what predicted-vs-actual and residual plots are drawn from.
fn regression_points(evaluation: &Evaluation) -> serde_json::Value {
    let n = evaluation
        .validated_values
        .len()
        .min(evaluation.predicted_values.len());
    let rows = even_sample(n, CURVE_POINTS);
    let scale = 10f64.powi(CURVE_DECIMALS);
    let pick = |v: &[f64]| -> Vec<Option<f64>> {
        rows.iter()
            .map(|&i| {
                Some(v[i])
                    .filter(|x| x.is_finite())
                    .map(|x| (x * scale).round() / scale)
            })
            .collect()
    };
    json!({
        "rows": rows.len(),
        "validated": n,
        "actual": pick(&evaluation.validated_values),
        "predicted": pick(&evaluation.predicted_values),
    })
}

/// The curves of one class against the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassCurves {
    pub class: String,
    pub roc: Vec<(f64, f64)>,
    pub pr: Vec<(f64, f64)>,
    pub calibration: Vec<(f64, f64)>,
}

/// The curves stored with a version, read back leniently: curves this build cannot read (or
/// a version stored without them) read as `None` instead of failing.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum StoredCurves {
    #[default]
    None,
    Classes(Vec<ClassCurves>),
    /// Out-of-fold (actual, predicted) pairs of a regression model.
    Regression(Vec<(f64, f64)>),
}

/// The points of a stored `{"x": [...], "y": [...]}` curve that have both coordinates.
fn points(curve: &Value) -> Vec<(f64, f64)> {
    pairs(&curve["x"], &curve["y"])
}

fn pairs(xs: &Value, ys: &Value) -> Vec<(f64, f64)> {
    let (Some(xs), Some(ys)) = (xs.as_array(), ys.as_array()) else {
        return Vec::new();
    };
    xs.iter()
        .zip(ys)
        .filter_map(|(x, y)| Some((x.as_f64()?, y.as_f64()?)))
        .collect()
}

impl StoredCurves {
    pub fn read(json: &str) -> StoredCurves {
        let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
        if let Some(classes) = value["classes"].as_array() {
            return StoredCurves::Classes(
                classes
                    .iter()
                    .map(|c| ClassCurves {
                        class: c["class"].as_str().unwrap_or("?").to_string(),
                        roc: points(&c["roc"]),
                        pr: points(&c["pr"]),
                        calibration: points(&c["calibration"]),
                    })
                    .collect(),
            );
        }
        if value.get("actual").is_some() {
            return StoredCurves::Regression(pairs(&value["actual"], &value["predicted"]));
        }
        StoredCurves::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_read_back_for_both_tasks() {
        let classes = StoredCurves::read(
            r#"{"classes":[{"class":"a","roc":{"x":[0,0.5,1],"y":[0,null,1]},"pr":{},"calibration":{"x":[],"y":[]}}]}"#,
        );
        let StoredCurves::Classes(classes) = classes else {
            panic!("classification curves");
        };
        assert_eq!(classes[0].roc, vec![(0.0, 0.0), (1.0, 1.0)]);
        assert!(classes[0].pr.is_empty());
        assert_eq!(
            StoredCurves::read(r#"{"actual":[1,2],"predicted":[1.5,2.5]}"#),
            StoredCurves::Regression(vec![(1.0, 1.5), (2.0, 2.5)])
        );
        assert_eq!(StoredCurves::read("{}"), StoredCurves::None);
    }
}
