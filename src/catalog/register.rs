//! Registering a trained model as the next version of a named model: the model row is made
//! on first use, the training dataset is stored once per fingerprint, and the version
//! number is max + 1 computed under the write lock, so concurrent registrations never
//! share or skip a number.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::history::{record, HistoryEvent};
use super::schema::NOW;
use super::{Catalog, CatalogError};

/// Where a version's training data came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DatasetLineage {
    /// Display name (the file stem).
    pub name: String,
    /// The file it was read from.
    pub path: String,
    /// blake3 of the file's bytes, hex; one dataset row per fingerprint.
    pub fingerprint: String,
    pub rows: u64,
    /// Columns with their types and roles, and how the file was read.
    pub schema_json: String,
    /// The column profiles (`data::Profile`), kept to measure drift when scoring.
    pub profile_json: String,
}

/// Everything stored with a new version.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVersion {
    /// Markdown.
    pub description: Option<String>,
    /// `ml::ModelSpec` as JSON.
    pub spec_json: String,
    /// The fitted preprocessing recipe as JSON.
    pub recipe_json: String,
    /// Metrics per fold, their mean and std, and pooled over folds, as JSON; the mean of
    /// each metric sits at `$.mean.NAME`.
    pub metrics_json: String,
    /// ROC, precision-recall and calibration curves as JSON.
    pub curves_json: String,
    /// The trained model's bytes; stored with their blake3 checksum.
    pub artifact: Vec<u8>,
    pub dataset: DatasetLineage,
    pub train_seconds: f64,
    /// The Modeldesk version that trained it.
    pub app_version: String,
    /// The operating-system user who trained it.
    pub created_by: String,
}

/// A version of a model, by name and number, with its row id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct VersionRef {
    pub model: String,
    pub version: i64,
    pub id: i64,
}

/// The longest model name accepted.
const MAX_NAME_CHARS: usize = 200;

/// Check a name for a new model: not blank, no surrounding spaces, no control characters,
/// no `@` (it separates name and version in references).
pub fn validate_model_name(name: &str) -> Result<(), CatalogError> {
    let invalid = |reason: &str| {
        Err(CatalogError::InvalidName {
            name: name.to_string(),
            reason: reason.to_string(),
        })
    };
    if name.trim().is_empty() {
        return invalid("a name cannot be blank");
    }
    if name.trim() != name {
        return invalid("a name cannot begin or end with a space");
    }
    if name.contains('@') {
        return invalid("'@' separates a model from its version (churn@3)");
    }
    if name.chars().any(char::is_control) {
        return invalid("a name cannot hold control characters");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return invalid("a name can be at most 200 characters long");
    }
    Ok(())
}

impl Catalog {
    /// Store `new` as the next version of `model` (created if new), in one transaction, and
    /// record the registration in the history.
    pub fn register(&mut self, model: &str, new: &NewVersion) -> Result<VersionRef, CatalogError> {
        validate_model_name(model)?;
        self.write(|tx| insert_version(tx, model, new))
    }

    /// Register several versions in one transaction: all of them or, on any error, none.
    /// Much faster than one [`Catalog::register`] each when importing many at once.
    pub fn register_all(
        &mut self,
        versions: &[(&str, NewVersion)],
    ) -> Result<Vec<VersionRef>, CatalogError> {
        for (model, _) in versions {
            validate_model_name(model)?;
        }
        self.write(|tx| {
            versions
                .iter()
                .map(|(model, new)| insert_version(tx, model, new))
                .collect()
        })
    }
}

/// The row id of the dataset `d`, stored first if no dataset has its fingerprint yet.
pub(super) fn store_dataset(
    tx: &rusqlite::Connection,
    d: &DatasetLineage,
) -> Result<i64, CatalogError> {
    tx.prepare_cached(&format!(
        "INSERT INTO datasets (name, path, fingerprint, rows, schema_json, profile_json, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW}) ON CONFLICT (fingerprint) DO NOTHING"
    ))?
    .execute(params![
        d.name,
        d.path,
        d.fingerprint,
        i64::try_from(d.rows).unwrap_or(i64::MAX),
        d.schema_json,
        d.profile_json
    ])?;
    Ok(tx
        .prepare_cached("SELECT id FROM datasets WHERE fingerprint = ?1")?
        .query_row([&d.fingerprint], |row| row.get(0))?)
}

/// Insert the next version of `model` inside the caller's write transaction.
pub(super) fn insert_version(
    tx: &rusqlite::Connection,
    model: &str,
    new: &NewVersion,
) -> Result<VersionRef, CatalogError> {
    let checksum = blake3::hash(&new.artifact).to_hex().to_string();
    let actor = &new.created_by;
    tx.prepare_cached(&format!(
        "INSERT INTO registered_models (name, created_at, created_by)
         VALUES (?1, {NOW}, ?2) ON CONFLICT (name) DO NOTHING"
    ))?
    .execute(params![model, actor])?;
    let model_id: i64 = tx
        .prepare_cached("SELECT id FROM registered_models WHERE name = ?1")?
        .query_row([model], |row| row.get(0))?;
    let dataset_id = store_dataset(tx, &new.dataset)?;
    let version: i64 = tx
        .prepare_cached(
            "SELECT coalesce(max(version), 0) + 1 FROM model_versions WHERE model_id = ?1",
        )?
        .query_row([model_id], |row| row.get(0))?;
    tx.prepare_cached(&format!(
        "INSERT INTO model_versions (model_id, version, description, spec_json,
                 recipe_json, metrics_json, mean_metrics_json, curves_json, artifact,
                 artifact_checksum, artifact_size, dataset_id, train_seconds, app_version,
                 created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(json_extract(?6, '$.mean'), '{{}}'), ?7,
                 ?8, ?9, ?10, ?11, ?12, ?13, ?14, {NOW})"
    ))?
    .execute(params![
        model_id,
        version,
        new.description.as_deref().unwrap_or(""),
        new.spec_json,
        new.recipe_json,
        new.metrics_json,
        new.curves_json,
        new.artifact,
        checksum,
        new.artifact.len() as i64,
        dataset_id,
        new.train_seconds,
        new.app_version,
        actor
    ])?;
    let id = tx.last_insert_rowid();
    record(tx, id, HistoryEvent::Registered, actor, None)?;
    Ok(VersionRef {
        model: model.to_string(),
        version,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_confuse_references_are_refused() {
        assert!(validate_model_name("churn").is_ok());
        assert!(validate_model_name("x'); DROP TABLE model_versions;--").is_ok());
        for bad in ["", "  ", " churn", "churn@3", "a\nb"] {
            assert!(
                matches!(
                    validate_model_name(bad),
                    Err(CatalogError::InvalidName { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(validate_model_name(&"m".repeat(201)).is_err());
    }
}
