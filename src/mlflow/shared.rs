//! What of a version leaves the desk when it is pushed: the one place that produces the
//! Modeldesk artifact, its record, the HTML report and the ONNX export for sharing, so that
//! rules about what may be shared apply here and to every push. They are the report's
//! [`SharePolicy`]: no value held by fewer than five training rows (the drift reference as
//! group means, profiles' ranges as tail percentiles) and files by name, not path.

use serde_json::json;

use super::error::MlflowError;
use crate::catalog::{Catalog, VersionDetail, VersionRef};
use crate::export::onnx::{onnx_bytes, ExportSource};
use crate::ml::eval::TrainedModel;
use crate::report::{self, ReportError, SharePolicy};

/// A version as it is shared.
pub struct SharedVersion {
    pub detail: VersionDetail,
    pub model: TrainedModel,
    /// The model as it may be shared ([`report::shareable`]), as JSON: what predictions
    /// need, with a drift reference of group means and the training data's lineage.
    pub artifact: Vec<u8>,
    /// Everything else stored with the version (spec, recipe, metrics, curves, lineage,
    /// description, tags), as JSON: with the artifact, what another catalog needs.
    pub record_json: String,
    /// The version's HTML report.
    pub report_html: String,
    /// The version as one ONNX graph.
    pub onnx: Vec<u8>,
}

/// Produce what is shared of version `found`; `keep_going` hears the report's progress and
/// returns false to cancel.
pub fn shared_version(
    catalog: &Catalog,
    found: &VersionRef,
    keep_going: &mut dyn FnMut(f32) -> bool,
) -> Result<SharedVersion, MlflowError> {
    let detail = catalog.version(&found.model, found.version)?;
    let policy = SharePolicy::default();
    let local = |e: ReportError| match e {
        ReportError::Catalog(e) => MlflowError::Catalog(e),
        ReportError::Cancelled => MlflowError::Cancelled,
        other => MlflowError::Local(other.to_string()),
    };
    let shared = report::shareable(catalog, found, &policy).map_err(local)?;
    let artifact = shared.to_json().map_err(local)?;
    let model = crate::catalog::record::load_model(catalog, found.id)?;
    let onnx = onnx_bytes(
        &model,
        &ExportSource {
            model: found.model.clone(),
            version: Some(found.version),
            dataset: detail.summary.dataset_name.clone(),
            artifact_checksum: detail.artifact_checksum.clone(),
        },
    );
    let report_html =
        report::render_versions(catalog, std::slice::from_ref(found), &policy, keep_going)
            .map_err(local)?;
    let record_json = json!({
        "model": found.model,
        "version": found.version,
        "description": detail.summary.description,
        "tags": detail.summary.tags,
        "created_at": detail.summary.created_at,
        "created_by": detail.summary.created_by,
        "app_version": detail.summary.app_version,
        "train_seconds": detail.summary.train_seconds,
        "artifact_blake3": detail.artifact_checksum,
        "spec": raw(&detail.spec_json),
        "recipe": raw(&detail.recipe_json),
        "metrics": raw(&detail.metrics_json),
        "curves": raw(&detail.curves_json),
        "dataset": shared.lineage,
    })
    .to_string();
    Ok(SharedVersion {
        detail,
        model,
        artifact,
        record_json,
        report_html,
        onnx,
    })
}

fn raw(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}
