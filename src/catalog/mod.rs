//! The model catalog: one SQLite file holding registered models, their numbered versions
//! (spec, fitted recipe, metrics, curves, the trained model with a checksum, the training
//! data's lineage), lifecycle stages with an append-only history, descriptions, tags,
//! scoring runs, every training run recorded whether registered or not, and the explanations
//! computed for a version. Every multi-step write is one transaction; nothing here knows about
//! the window, so the command line, the GUI and the tests call the same functions.
//!
//! The catalog stores a version's spec, recipe, metrics, curves and trained model as opaque
//! records that its tables and queries do not interpret (beyond the spec's algorithm and the
//! mean metrics they index). What those records mean belongs to [`record`], the one module
//! here that knows the `data`, `ml` and `score` types they are made from and read back into.

mod artifact;
mod clock;
mod detail;
mod error;
mod explanations;
mod history;
mod lifecycle;
mod listing;
mod live;
mod location;
mod lookup;
mod mlflow_sync;
mod notes;
mod open;
pub mod record;
mod register;
mod runs;
mod schema;
mod scoring;
mod stage;

pub use clock::{civil_from_days, iso_utc};
pub use detail::VersionDetail;
pub use error::CatalogError;
pub use explanations::{ExplanationKind, NewExplanation, StoredExplanation};
pub use history::{Cause, HistoryEntry, HistoryEvent};
pub use listing::{ModelFilter, ModelSummary, Page, VersionQuery, VersionSort, VersionSummary};
pub use live::{LiveAlert, LiveWindow, NewLiveWindow};
pub use location::{current_user, default_path, resolve_path, CATALOG_ENV};
pub use mlflow_sync::{MlflowSync, NewMlflowSync};
pub use open::Catalog;
pub use register::{validate_model_name, DatasetLineage, NewVersion, VersionRef};
pub use runs::{NewRun, RunDetail, RunFilter, RunStatus, RunSummary, TrainedRecords};
pub use schema::{APPLICATION_ID, LATEST_VERSION as SCHEMA_VERSION};
pub use scoring::{NewScoringRun, ScoringRun};
pub use stage::{Stage, VersionSelector};

/// A small version to register in tests: `accuracy` as its mean accuracy.
#[cfg(test)]
pub(crate) fn sample_version(accuracy: f64) -> NewVersion {
    NewVersion {
        description: None,
        spec_json: r#"{"algorithm":"logistic_regression","c":1.0}"#.into(),
        recipe_json: "{}".into(),
        metrics_json: serde_json::json!({
            "mean": { "accuracy": accuracy, "log_loss": 1.0 - accuracy },
            "folds": [{ "accuracy": accuracy }],
        })
        .to_string(),
        curves_json: "{}".into(),
        artifact: format!("model with accuracy {accuracy}").into_bytes(),
        dataset: DatasetLineage {
            name: "iris".into(),
            path: "/data/iris.csv".into(),
            fingerprint: "f".repeat(64),
            rows: 150,
            schema_json: "{}".into(),
            profile_json: "{}".into(),
        },
        train_seconds: 0.5,
        app_version: "0.1.0".into(),
        created_by: "tester".into(),
    }
}

/// A new catalog in a temporary folder (kept alive by the returned guard).
#[cfg(test)]
pub(crate) fn temp_catalog() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let catalog = Catalog::open(&dir.path().join("catalog.sqlite")).expect("new catalog");
    (dir, catalog)
}
