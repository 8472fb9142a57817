//! Why a catalog operation failed, in one line a user can act on.

use std::path::Path;
use thiserror::Error;

/// A catalog failure. Opening errors promise that the file was not modified.
#[derive(Debug, Error)]
pub enum CatalogError {
    /// The file is something else (text, another program's database, ...).
    #[error("{path}: not a Modeldesk catalog ({reason}); the file was left as it was")]
    NotACatalog { path: String, reason: String },
    /// The file was written by a newer Modeldesk with a schema this build does not know.
    #[error("{path}: catalog schema version {found} is newer than this build knows ({known}); update Modeldesk to open it (the file was left as it was)")]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    /// The file cannot be written (no write permission); it was opened for reading only.
    #[error("{path}: the catalog is read-only (no write permission), so it cannot be changed")]
    ReadOnly { path: String },
    /// The file or its folder could not be read or created.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// No registered model has this name.
    #[error("no model named '{0}' in the catalog")]
    UnknownModel(String),
    /// The model has no such version (or it was deleted).
    #[error("model '{model}' has no version {version}")]
    UnknownVersion { model: String, version: i64 },
    /// No version row has this id.
    #[error("no model version with id {0} in the catalog")]
    NoSuchVersionId(i64),
    /// The version was deleted; its history remains.
    #[error("model '{model}' version {version} was deleted")]
    Deleted { model: String, version: i64 },
    /// The model has no live version at all.
    #[error("model '{0}' has no versions")]
    NoVersions(String),
    /// No version of the model is in the stage asked for.
    #[error("model '{model}' has no version in stage {stage}")]
    NoVersionInStage { model: String, stage: String },
    /// A model name that cannot be used.
    #[error("'{name}' cannot name a model: {reason}")]
    InvalidName { name: String, reason: String },
    /// Text that is not `MODEL`, `MODEL@VERSION` or `MODEL@STAGE`.
    #[error("'{0}' is not a model reference; write MODEL@VERSION (churn@3) or MODEL@STAGE (churn@production)")]
    BadReference(String),
    /// Text that names no stage.
    #[error("'{0}' is not a stage; use none, staging, production or archived")]
    UnknownStage(String),
    /// A roll back with no earlier Production version to return to.
    #[error("model '{model}' has no earlier Production version to roll back to")]
    NothingToRollBack { model: String },
    /// The stored model bytes do not hash to the checksum stored with them.
    #[error("model '{model}' version {version}: the stored model does not match its checksum (expected {expected}, found {found}); it was not loaded")]
    Tampered {
        model: String,
        version: i64,
        expected: String,
        found: String,
    },
    /// The stored model is intact but cannot be read back by this build.
    #[error("model '{model}' version {version}: the stored model cannot be read: {message}")]
    Artifact {
        model: String,
        version: i64,
        message: String,
    },
    /// No recorded run has this id (or it was deleted).
    #[error("no recorded run {0} in the catalog")]
    NoSuchRun(i64),
    /// Only a finished run has a model to register or load.
    #[error("run {run} {status}: it has no trained model")]
    RunNotFinished { run: i64, status: String },
    /// A registered run stays as long as the versions made from it.
    #[error("run {run} is registered as {model} version {version}; it is kept with that version")]
    RunRegistered {
        run: i64,
        model: String,
        version: i64,
    },
    /// A run's stored model does not hash to its checksum, or cannot be read back.
    #[error("run {run}: the stored model cannot be loaded: {message}")]
    RunArtifact { run: i64, message: String },
    /// A value could not be written as JSON.
    #[error("cannot store {what}: {message}")]
    Encode { what: String, message: String },
    /// SQLite reported an error (a locked file past the busy timeout, a full disk, ...).
    #[error("catalog database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl CatalogError {
    pub(crate) fn io(path: &Path, error: &std::io::Error) -> Self {
        CatalogError::Io {
            path: path.display().to_string(),
            message: error.to_string(),
        }
    }

    pub(crate) fn not_a_catalog(path: &Path, reason: impl Into<String>) -> Self {
        CatalogError::NotACatalog {
            path: path.display().to_string(),
            reason: reason.into(),
        }
    }

    /// Whether the user asked for something that is not there or cannot be done (bad input),
    /// rather than the work failing.
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            CatalogError::Io { .. }
                | CatalogError::Sqlite(_)
                | CatalogError::Tampered { .. }
                | CatalogError::Artifact { .. }
                | CatalogError::RunArtifact { .. }
                | CatalogError::Encode { .. }
        )
    }
}
