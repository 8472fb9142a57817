//! From training results to a catalog version and back: a trained model, its evaluation and
//! its dataset become a [`NewVersion`] through serde (so fields added to those types later
//! are stored without changes here), and a stored version becomes a `TrainedModel` again
//! once its checksum is verified.

use serde::Serialize;
use serde_json::{json, Value};

use super::{Catalog, CatalogError, DatasetLineage, NewScoringRun, NewVersion};
use crate::data::{Profile, Table};
use crate::ml::eval::{Evaluation, TrainedModel};
use crate::ml::metrics::{
    calibration_curve, even_sample, precision_recall_curve, roc_curve, Curve,
};
use crate::score::Scored;

/// Out-of-fold rows the stored curves are computed from at most (evenly sampled beyond).
const CURVE_ROWS: usize = 100_000;
/// Points kept per stored curve at most: enough to draw it at any plot size.
pub const CURVE_POINTS: usize = 200;
/// Stored curve values are rounded to this many decimals: finer than any plot shows, and
/// a third of the text of full precision.
const CURVE_DECIMALS: i32 = 6;
const CALIBRATION_BINS: usize = 10;

fn to_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<String, CatalogError> {
    serde_json::to_string(value).map_err(|e| CatalogError::Encode {
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// The lineage of `table` (its file, fingerprint, columns and profile).
pub fn lineage(table: &Table, profile: &Profile) -> Result<DatasetLineage, CatalogError> {
    let path = std::fs::canonicalize(&table.source).unwrap_or_else(|_| table.source.clone());
    let columns: Vec<serde_json::Value> = profile
        .columns
        .iter()
        .map(|c| json!({ "name": c.name, "type": c.kind, "role": c.role }))
        .collect();
    Ok(DatasetLineage {
        name: table.name.clone(),
        path: path.display().to_string(),
        fingerprint: table.fingerprint.clone(),
        rows: profile.rows,
        schema_json: to_json(
            "the dataset schema",
            &json!({ "columns": columns, "dialect": table.dialect }),
        )?,
        profile_json: to_json("the dataset profile", profile)?,
    })
}

/// The version to register for `model`, validated as `evaluation` says, trained on `dataset`.
/// The stored model is `model` as deflated JSON (see [`pack_model`]); the metrics are
/// `evaluation` as JSON (mean of each metric at `$.mean.NAME`).
pub fn new_version(
    evaluation: &Evaluation,
    model: &TrainedModel,
    dataset: DatasetLineage,
) -> Result<NewVersion, CatalogError> {
    let artifact = pack_model(model)?;
    Ok(NewVersion {
        description: None,
        spec_json: to_json("the model spec", &model.spec)?,
        recipe_json: to_json("the fitted recipe", &model.recipe)?,
        metrics_json: to_json("the metrics", evaluation)?,
        curves_json: to_json("the curves", &curves(evaluation))?,
        artifact,
        dataset,
        train_seconds: evaluation.train_seconds,
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        created_by: super::current_user(),
    })
}

/// What a deflated model artifact starts with. Artifacts stored before compression are plain
/// JSON, which starts with `{`.
const PACKED: &[u8] = b"MDZ1";

/// `model` as JSON, deflated, after [`PACKED`]. The drift reference (bin shares and up to
/// 2,000 sorted values per feature) is most of a model's JSON; deflate keeps about a third.
fn pack_model(model: &TrainedModel) -> Result<Vec<u8>, CatalogError> {
    use std::io::Write as _;
    let encode = |e: &dyn std::fmt::Display| CatalogError::Encode {
        what: "the trained model".into(),
        message: e.to_string(),
    };
    let json = serde_json::to_vec(model).map_err(|e| encode(&e))?;
    let mut packed = PACKED.to_vec();
    let mut encoder =
        flate2::write::DeflateEncoder::new(&mut packed, flate2::Compression::default());
    encoder.write_all(&json).map_err(|e| encode(&e))?;
    encoder.finish().map_err(|e| encode(&e))?;
    Ok(packed)
}

/// The blake3 checksum `model` gets when it is registered (hex): the same packed bytes.
pub fn artifact_checksum(model: &TrainedModel) -> Result<String, CatalogError> {
    Ok(blake3::hash(&pack_model(model)?).to_hex().to_string())
}

/// The JSON of a stored artifact: inflated when packed, as it is when stored as plain JSON.
fn unpack_model(bytes: &[u8]) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
    use std::io::Read as _;
    let Some(deflated) = bytes.strip_prefix(PACKED) else {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    };
    let mut json = Vec::with_capacity(deflated.len() * 4);
    flate2::read::DeflateDecoder::new(deflated).read_to_end(&mut json)?;
    Ok(std::borrow::Cow::Owned(json))
}

/// The trained model stored in version row `version_id`, after verifying its checksum.
pub fn load_model(catalog: &Catalog, version_id: i64) -> Result<TrainedModel, CatalogError> {
    let bytes = catalog.load_artifact(version_id)?;
    let fail = |message: String| {
        let (model, version) = catalog
            .describe_id(version_id)
            .unwrap_or_else(|_| (String::new(), 0));
        CatalogError::Artifact {
            model,
            version,
            message,
        }
    };
    let json = unpack_model(&bytes).map_err(|e| fail(format!("it does not inflate: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| fail(e.to_string()))
}

/// The scoring run to record for `scored`, the predictions for the rows of `table`: the file
/// and its fingerprint, the drift of each feature (`score::drift::FeatureDrift` as a JSON
/// array) and, when the file had labels, the metrics with `labelled_rows` beside them.
pub fn scoring_run(table: &Table, scored: &Scored) -> Result<NewScoringRun, CatalogError> {
    let path = std::fs::canonicalize(&table.source).unwrap_or_else(|_| table.source.clone());
    let metrics_json = match &scored.metrics {
        None => None,
        Some(metrics) => {
            let mut value = serde_json::to_value(metrics).map_err(|e| CatalogError::Encode {
                what: "the metrics".into(),
                message: e.to_string(),
            })?;
            value["labelled_rows"] = json!(scored.labelled_rows);
            Some(to_json("the metrics", &value)?)
        }
    };
    Ok(NewScoringRun {
        file_path: path.display().to_string(),
        file_fingerprint: table.fingerprint.clone(),
        rows: scored.rows as u64,
        drift_json: to_json("the drift", &scored.drift)?,
        metrics_json,
    })
}

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

/// The validation results stored with a version, read back as an [`Evaluation`] (metrics,
/// folds and pooled confusion; the out-of-fold predictions themselves are not stored).
pub fn stored_evaluation(detail: &super::VersionDetail) -> Result<Evaluation, CatalogError> {
    use crate::ml::eval::{Metrics, Validation};
    use crate::ml::target::Task;
    #[derive(serde::Deserialize)]
    struct Stored {
        task: Task,
        algorithm: String,
        #[serde(default)]
        parameters: String,
        target: String,
        #[serde(default)]
        classes: Vec<String>,
        validation: Validation,
        rows_used: usize,
        #[serde(default)]
        rows_dropped: usize,
        folds: Vec<Metrics>,
        mean: std::collections::BTreeMap<String, Option<f64>>,
        std: std::collections::BTreeMap<String, Option<f64>>,
        pooled: Metrics,
        #[serde(default)]
        warnings: Vec<String>,
        #[serde(default)]
        train_seconds: f64,
    }
    let stored: Stored =
        serde_json::from_str(&detail.metrics_json).map_err(|e| CatalogError::Artifact {
            model: detail.summary.model.clone(),
            version: detail.summary.version,
            message: format!("its stored metrics do not read back: {e}"),
        })?;
    // Metric names are compared as `&'static str` elsewhere; keep the known ones.
    let known = |map: std::collections::BTreeMap<String, Option<f64>>| {
        map.into_iter()
            .filter_map(|(name, value)| {
                let name = crate::ml::metric_registry::info(&name)?.key;
                Some((name, value.unwrap_or(f64::NAN)))
            })
            .collect()
    };
    Ok(Evaluation {
        task: stored.task,
        algorithm: stored.algorithm,
        parameters: stored.parameters,
        target: stored.target,
        classes: stored.classes.clone(),
        validation: stored.validation,
        rows_used: stored.rows_used,
        rows_dropped: stored.rows_dropped,
        folds: stored.folds,
        mean: known(stored.mean),
        std: known(stored.std),
        pooled: stored.pooled,
        validated_rows: Vec::new(),
        validated_y: Vec::new(),
        validated_proba: ndarray::Array2::zeros((0, stored.classes.len())),
        validated_values: Vec::new(),
        predicted_values: Vec::new(),
        warnings: stored.warnings,
        train_seconds: stored.train_seconds,
        timings: Vec::new(),
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
