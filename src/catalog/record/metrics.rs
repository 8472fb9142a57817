//! The validation metrics stored with a version (`metrics_json`: the serde form of
//! `ml::eval::Evaluation`, less its per-row predictions) read back as typed values. This is
//! the one reader of stored metrics: the window's Catalog view, the report, the catalog's
//! listings and [`stored_evaluation`] all go through it.

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

use super::super::{CatalogError, VersionDetail};
use crate::ml::eval::{Evaluation, Metrics, Validation};
use crate::ml::target::Task;

/// The validation metrics stored with a version, read leniently, field by field: a field an
/// older build did not write, or that this build cannot read, is absent (or empty) instead of
/// failing the whole. An undefined metric is stored as `null` and reads as NaN.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredMetrics {
    pub task: Option<Task>,
    /// The algorithm's command-line name.
    pub algorithm: Option<String>,
    /// The parameters in one line.
    pub parameters: Option<String>,
    pub target: Option<String>,
    /// Class names (classification); empty for regression.
    pub classes: Vec<String>,
    pub validation: Option<Validation>,
    /// Rows with a target value.
    pub rows_used: Option<u64>,
    /// Rows left out because the target is missing.
    pub rows_dropped: Option<u64>,
    /// Metrics of each fold (those that read back).
    pub folds: Vec<Metrics>,
    /// Mean over folds of each scalar metric, by name (NaN where undefined).
    pub mean: BTreeMap<String, f64>,
    /// Standard deviation over folds of each scalar metric, by name (NaN where undefined).
    pub std: BTreeMap<String, f64>,
    /// Metrics of all out-of-fold predictions together.
    pub pooled: Option<Metrics>,
    pub warnings: Vec<String>,
    pub train_seconds: Option<f64>,
}

/// A field of a JSON object as `T`, if it is there and reads as one.
fn field<T: DeserializeOwned>(value: &Value, key: &str) -> Option<T> {
    value
        .get(key)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// A JSON object of metric values by name, `null` (or anything not a number) read as NaN.
fn metric_map(value: &Value) -> BTreeMap<String, f64> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(name, value)| (name.clone(), value.as_f64().unwrap_or(f64::NAN)))
                .collect()
        })
        .unwrap_or_default()
}

/// The metric values of a stored JSON object by name (as the `$.mean` object the catalog
/// keeps beside each version for listings and sorts), `null` read as NaN; empty when the text
/// is not such an object.
pub fn metric_values(json: &str) -> BTreeMap<String, f64> {
    metric_map(&serde_json::from_str(json).unwrap_or(Value::Null))
}

impl StoredMetrics {
    /// Read the stored `metrics_json`; text that is not JSON reads as nothing stored.
    pub fn read(json: &str) -> StoredMetrics {
        let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
        StoredMetrics {
            task: field(&value, "task"),
            algorithm: field(&value, "algorithm"),
            parameters: field(&value, "parameters"),
            target: field(&value, "target"),
            classes: field(&value, "classes").unwrap_or_default(),
            validation: field(&value, "validation"),
            rows_used: field(&value, "rows_used"),
            rows_dropped: field(&value, "rows_dropped"),
            folds: value["folds"]
                .as_array()
                .map(|folds| {
                    folds
                        .iter()
                        .filter_map(|f| serde_json::from_value(f.clone()).ok())
                        .collect()
                })
                .unwrap_or_default(),
            mean: metric_map(&value["mean"]),
            std: metric_map(&value["std"]),
            pooled: field(&value, "pooled"),
            warnings: field(&value, "warnings").unwrap_or_default(),
            train_seconds: field(&value, "train_seconds"),
        }
    }

    /// The pooled confusion counts (rows the true class, columns the predicted one) of a
    /// classifier; `None` for a regression model or when none was stored.
    pub fn confusion(&self) -> Option<&[Vec<u64>]> {
        self.pooled
            .as_ref()
            .and_then(Metrics::classification)
            .map(|m| m.confusion.as_slice())
    }

    /// These metrics as an [`Evaluation`] without its out-of-fold predictions (which are not
    /// stored); the error names the first field an evaluation needs that did not read back.
    pub fn into_evaluation(self) -> Result<Evaluation, &'static str> {
        // Metric names are compared as `&'static str` elsewhere; keep the known ones.
        let known = |map: BTreeMap<String, f64>| {
            map.into_iter()
                .filter_map(|(name, value)| {
                    let name = crate::ml::metric_registry::info(&name)?.key;
                    Some((name, value))
                })
                .collect()
        };
        let classes = self.classes.len();
        Ok(Evaluation {
            task: self.task.ok_or("task")?,
            algorithm: self.algorithm.ok_or("algorithm")?,
            parameters: self.parameters.unwrap_or_default(),
            target: self.target.ok_or("target")?,
            classes: self.classes,
            validation: self.validation.ok_or("validation")?,
            rows_used: self.rows_used.ok_or("rows_used")? as usize,
            rows_dropped: self.rows_dropped.unwrap_or(0) as usize,
            folds: self.folds,
            mean: known(self.mean),
            std: known(self.std),
            pooled: self.pooled.ok_or("pooled")?,
            validated_rows: Vec::new(),
            validated_y: Vec::new(),
            validated_proba: ndarray::Array2::zeros((0, classes)),
            validated_values: Vec::new(),
            predicted_values: Vec::new(),
            warnings: self.warnings,
            train_seconds: self.train_seconds.unwrap_or(0.0),
            timings: Vec::new(),
        })
    }
}

/// The validation results stored with a version, read back as an [`Evaluation`] (metrics,
/// folds and pooled confusion; the out-of-fold predictions themselves are not stored).
pub fn stored_evaluation(detail: &VersionDetail) -> Result<Evaluation, CatalogError> {
    StoredMetrics::read(&detail.metrics_json)
        .into_evaluation()
        .map_err(|missing| CatalogError::Artifact {
            model: detail.summary.model.clone(),
            version: detail.summary.version,
            message: format!("its stored metrics do not read back: no readable `{missing}`"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `metrics_json` as modeldesk 0.1.0 stored it: naive Bayes on the breast cancer sample,
    /// 2-fold cross-validation.
    const CLASSIFIER: &str =
        include_str!("../../../tests/fixtures/stored_metrics/classification.json");
    /// Likewise: ridge regression on the diabetes sample, a hold-out of a quarter.
    const REGRESSION: &str = include_str!("../../../tests/fixtures/stored_metrics/regression.json");

    #[test]
    fn a_stored_classifier_reads_back_whole() {
        let m = StoredMetrics::read(CLASSIFIER);
        assert_eq!(m.task, Some(Task::Classification));
        assert_eq!(m.algorithm.as_deref(), Some("naive_bayes"));
        assert_eq!(m.target.as_deref(), Some("diagnosis"));
        assert_eq!(m.classes, ["benign", "malignant"]);
        assert_eq!(
            m.validation,
            Some(Validation::CrossValidation { folds: 2, seed: 0 })
        );
        assert_eq!((m.rows_used, m.rows_dropped), (Some(569), Some(0)));
        assert_eq!(m.folds.len(), 2);
        assert!(m.folds.iter().all(|f| f.classification().is_some()));
        assert_eq!(m.mean["accuracy"], 0.9296763034346429);
        assert_eq!(m.std["accuracy"], 0.020058279832027622);
        assert_eq!(m.mean.len(), 14);
        assert_eq!(m.confusion(), Some(&[vec![337, 20], vec![20, 192]][..]));
        assert!(m.warnings.is_empty());
        assert_eq!(m.train_seconds, Some(0.036555616));
    }

    #[test]
    fn a_stored_regression_reads_back_whole() {
        let m = StoredMetrics::read(REGRESSION);
        assert_eq!(m.task, Some(Task::Regression));
        assert!(m.classes.is_empty());
        assert_eq!(
            m.validation,
            Some(Validation::Holdout {
                fraction: 0.25,
                seed: 0
            })
        );
        assert_eq!(m.folds.len(), 1);
        let pooled = m.pooled.as_ref().and_then(Metrics::regression).unwrap();
        assert_eq!(pooled.rmse, 58.02237858313395);
        assert_eq!(m.mean["r2"], 0.4403261205319864);
        assert_eq!(m.confusion(), None);
    }

    #[test]
    fn undefined_metrics_stored_as_null_read_as_nan() {
        let m = StoredMetrics::read(
            r#"{"mean":{"accuracy":0.9,"mcc":null},"std":{"accuracy":null},
                "folds":[{"rmse":null,"mae":1.0,"r2":null,"mape":null}]}"#,
        );
        assert_eq!(m.mean["accuracy"], 0.9);
        assert!(m.mean["mcc"].is_nan());
        assert!(m.std["accuracy"].is_nan());
        let fold = m.folds[0].regression().unwrap();
        assert!(fold.rmse.is_nan() && fold.r2.is_nan());
        assert_eq!((fold.mae, fold.mape), (1.0, None));
        assert_eq!(
            metric_values(r#"{"rmse":2.5,"r2":null}"#)
                .keys()
                .collect::<Vec<_>>(),
            ["r2", "rmse"]
        );
        assert!(metric_values(r#"{"rmse":2.5,"r2":null}"#)["r2"].is_nan());
    }

    #[test]
    fn what_does_not_read_back_is_left_out_not_fatal() {
        let m = StoredMetrics::read(
            r#"{"task":"sideways","rows_used":"many","folds":[{"accuracy":0.9},{"rmse":1,"mae":1,"r2":0}],"mean":{"accuracy":0.9}}"#,
        );
        assert_eq!(m.task, None);
        assert_eq!(m.rows_used, None);
        assert_eq!(m.folds.len(), 1, "the fold with every field reads back");
        assert_eq!(m.mean["accuracy"], 0.9);
        assert_eq!(StoredMetrics::read("not json"), StoredMetrics::default());
    }

    #[test]
    fn a_stored_evaluation_needs_what_an_evaluation_holds() {
        let evaluation = StoredMetrics::read(CLASSIFIER).into_evaluation().unwrap();
        assert_eq!(evaluation.mean["accuracy"], 0.9296763034346429);
        assert_eq!(evaluation.folds.len(), 2);
        assert_eq!(evaluation.validated_proba.dim(), (0, 2));
        assert_eq!(
            StoredMetrics::read(r#"{"mean":{"accuracy":0.9}}"#)
                .into_evaluation()
                .unwrap_err(),
            "task"
        );
        let mut no_pooled: Value = serde_json::from_str(REGRESSION).unwrap();
        no_pooled.as_object_mut().unwrap().remove("pooled");
        assert_eq!(
            StoredMetrics::read(&no_pooled.to_string())
                .into_evaluation()
                .unwrap_err(),
            "pooled"
        );
    }
}
