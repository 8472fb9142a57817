//! A registered version as it may leave the desk (pushed to a shared registry, sent to a
//! colleague): the trained model with a drift reference that names no value of fewer than
//! [`MIN_ROWS`](crate::data::MIN_ROWS) training rows, and the training data's lineage as
//! [`SharePolicy`] allows. The local catalog keeps everything as it was stored.

use serde::Serialize;
use serde_json::{json, Value};

use super::{ReportError, SharePolicy};
use crate::catalog::{record, Catalog, CatalogError, VersionRef};
use crate::data::Profile;
use crate::ml::eval::TrainedModel;

/// A version ready to share.
#[derive(Debug, Clone, Serialize)]
pub struct SharedArtifact {
    /// The registered model's name.
    pub model: String,
    /// The version's number.
    pub version: i64,
    /// The trained model as `score` reads it; its drift reference is made shareable
    /// ([`DriftReference::shareable`](crate::ml::drift_reference::DriftReference::shareable)).
    /// Its recipe and model keep what predictions need (a min-max scaler's range, a tree's
    /// thresholds, one-hot levels).
    pub trained: TrainedModel,
    /// The training data: `name`, `file` (a name, or the full path when asked), `fingerprint`,
    /// `rows`, `schema` and `profile` ([`SharePolicy::profile_json`]); null when the version
    /// was stored without one.
    pub lineage: Value,
}

impl SharedArtifact {
    /// The artifact as one JSON document.
    pub fn to_json(&self) -> Result<Vec<u8>, ReportError> {
        serde_json::to_vec_pretty(self).map_err(|e| {
            ReportError::Catalog(CatalogError::Encode {
                what: "the shared artifact".into(),
                message: e.to_string(),
            })
        })
    }
}

/// `version` of the catalog as it may be shared under `policy`.
pub fn shareable(
    catalog: &Catalog,
    version: &VersionRef,
    policy: &SharePolicy,
) -> Result<SharedArtifact, ReportError> {
    let detail = catalog.version(&version.model, version.version)?;
    let mut trained = record::load_model(catalog, detail.summary.id)?;
    let rows = detail.dataset.as_ref().map_or(0, |d| d.rows);
    trained.reference = trained.reference.shareable(rows);
    let lineage = match &detail.dataset {
        None => Value::Null,
        Some(dataset) => {
            let profile = serde_json::from_str::<Profile>(&dataset.profile_json)
                .map(|p| policy.profile_json(&p))
                .unwrap_or(Value::Null);
            json!({
                "name": dataset.name,
                "file": policy.path(&dataset.path),
                "fingerprint": dataset.fingerprint,
                "rows": dataset.rows,
                "schema": serde_json::from_str::<Value>(&dataset.schema_json).unwrap_or(Value::Null),
                "profile": profile,
            })
        }
    };
    Ok(SharedArtifact {
        model: version.model.clone(),
        version: version.version,
        trained,
        lineage,
    })
}
