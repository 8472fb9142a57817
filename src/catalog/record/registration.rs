//! Training and scoring results as records to store: a trained model, its evaluation and its
//! dataset become a [`NewVersion`], a scored file a [`NewScoringRun`]. Each part is the serde
//! form of its `data`/`ml`/`score` type, so fields added to those types later are stored
//! without changes here.

use serde::Serialize;
use serde_json::json;

use super::super::{current_user, CatalogError, DatasetLineage, NewScoringRun, NewVersion};
use super::curves::curves;
use super::model_blob::pack_model;
use crate::data::{Profile, Table};
use crate::ml::eval::{Evaluation, TrainedModel};
use crate::score::Scored;

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
/// The stored model is `model` as deflated JSON (see `pack_model`); the metrics are
/// `evaluation` as JSON (mean of each metric at `$.mean.NAME`), read back by
/// [`StoredMetrics`](super::StoredMetrics).
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
        created_by: current_user(),
    })
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
