//! Training runs as records to keep: a finished run in exactly the records a version stores
//! ([`new_version`]'s), a failed or cancelled one with its spec, error and dataset; and a
//! recorded run read back as an evaluation and a model.

use super::super::{
    current_user, Catalog, CatalogError, DatasetLineage, NewRun, RunDetail, RunStatus,
    TrainedRecords,
};
use super::model_blob::unpack_model;
use super::{new_version, StoredMetrics};
use crate::ml::eval::{Evaluation, TrainedModel};
use crate::ml::spec::ModelSpec;

/// The record of a run that finished: `evaluation` and `model`, trained on `dataset`.
pub fn finished_run(
    evaluation: &Evaluation,
    model: &TrainedModel,
    dataset: DatasetLineage,
) -> Result<NewRun, CatalogError> {
    let version = new_version(evaluation, model, dataset)?;
    Ok(NewRun {
        status: RunStatus::Finished,
        error: None,
        algorithm: model.spec.name().to_string(),
        target: evaluation.target.clone(),
        spec_json: version.spec_json,
        trained: Some(TrainedRecords {
            recipe_json: version.recipe_json,
            metrics_json: version.metrics_json,
            curves_json: version.curves_json,
            artifact: version.artifact,
        }),
        dataset: version.dataset,
        seconds: version.train_seconds,
        app_version: version.app_version,
        created_by: version.created_by,
    })
}

/// The record of a run of `spec` that failed (with `error`) or was cancelled (`None`).
pub fn unfinished_run(
    spec: &ModelSpec,
    target: &str,
    error: Option<&str>,
    seconds: f64,
    dataset: DatasetLineage,
) -> Result<NewRun, CatalogError> {
    let spec_json = serde_json::to_string(spec).map_err(|e| CatalogError::Encode {
        what: "the model spec".into(),
        message: e.to_string(),
    })?;
    Ok(NewRun {
        status: if error.is_some() {
            RunStatus::Failed
        } else {
            RunStatus::Cancelled
        },
        error: error.map(str::to_string),
        algorithm: spec.name().to_string(),
        target: target.to_string(),
        spec_json,
        trained: None,
        dataset,
        seconds,
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        created_by: current_user(),
    })
}

/// The validation results recorded with a finished run, as an [`Evaluation`].
pub fn run_evaluation(detail: &RunDetail) -> Result<Evaluation, CatalogError> {
    let run = detail.summary.id;
    let Some(json) = &detail.metrics_json else {
        return Err(CatalogError::RunNotFinished {
            run,
            status: detail.summary.status.name().to_string(),
        });
    };
    StoredMetrics::read(json)
        .into_evaluation()
        .map_err(|missing| CatalogError::RunArtifact {
            run,
            message: format!("its stored metrics do not read back: no readable `{missing}`"),
        })
}

/// The trained model recorded with run `id`, after verifying its checksum.
pub fn load_run_model(catalog: &Catalog, id: i64) -> Result<TrainedModel, CatalogError> {
    let bytes = catalog.load_run_artifact(id)?;
    let fail = |message: String| CatalogError::RunArtifact { run: id, message };
    let json = unpack_model(&bytes).map_err(|e| fail(format!("it does not inflate: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| fail(e.to_string()))
}
