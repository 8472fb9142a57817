//! Scoring runs: which file was scored with which version, when and by whom, with the drift
//! measured against the training data and, when the file had labels, the metrics.

use rusqlite::params;
use serde::Serialize;

use super::lookup::locate;
use super::schema::NOW;
use super::{Catalog, CatalogError};

/// A scoring run to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScoringRun {
    pub file_path: String,
    /// blake3 of the scored file, hex.
    pub file_fingerprint: String,
    pub rows: u64,
    /// Drift per feature against the training data, as JSON.
    pub drift_json: String,
    /// Metrics when the file had labels, as JSON.
    pub metrics_json: Option<String>,
}

/// A recorded scoring run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoringRun {
    pub id: i64,
    pub version_id: i64,
    pub file_path: String,
    pub file_fingerprint: String,
    pub rows: u64,
    /// UTC, ISO-8601.
    pub scored_at: String,
    pub scored_by: String,
    pub drift_json: String,
    pub metrics_json: Option<String>,
}

impl Catalog {
    /// Record that version `version` of `model` scored a file; returns the run's id.
    pub fn record_scoring_run(
        &mut self,
        model: &str,
        version: i64,
        run: &NewScoringRun,
    ) -> Result<i64, CatalogError> {
        let actor = self.actor().to_string();
        self.write(|tx| {
            let found = locate(tx, model, version)?;
            tx.prepare_cached(&format!(
                "INSERT INTO scoring_runs (version_id, file_path, file_fingerprint, rows,
                     scored_at, scored_by, drift_json, metrics_json)
                 VALUES (?1, ?2, ?3, ?4, {NOW}, ?5, ?6, ?7)"
            ))?
            .execute(params![
                found.id,
                run.file_path,
                run.file_fingerprint,
                i64::try_from(run.rows).unwrap_or(i64::MAX),
                actor,
                run.drift_json,
                run.metrics_json
            ])?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// The scoring runs of version `version` of `model`, oldest first.
    pub fn scoring_runs(&self, model: &str, version: i64) -> Result<Vec<ScoringRun>, CatalogError> {
        let found = locate(self.conn(), model, version)?;
        let mut statement = self.conn().prepare_cached(
            "SELECT id, version_id, file_path, file_fingerprint, rows, scored_at, scored_by,
                    drift_json, metrics_json
             FROM scoring_runs WHERE version_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([found.id], |row| {
            Ok(ScoringRun {
                id: row.get(0)?,
                version_id: row.get(1)?,
                file_path: row.get(2)?,
                file_fingerprint: row.get(3)?,
                rows: row.get::<_, i64>(4)?.max(0) as u64,
                scored_at: row.get(5)?,
                scored_by: row.get(6)?,
                drift_json: row.get(7)?,
                metrics_json: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
