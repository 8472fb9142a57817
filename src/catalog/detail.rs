//! Everything stored about one version (but its model bytes, see `artifact`): spec, fitted
//! recipe, metrics, curves, checksum and the training data's lineage.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::listing::{version_summary, VersionSummary, SELECT_VERSION};
use super::lookup::locate;
use super::{Catalog, CatalogError, DatasetLineage};

/// One version in full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionDetail {
    pub summary: VersionSummary,
    pub spec_json: String,
    pub recipe_json: String,
    pub metrics_json: String,
    pub curves_json: String,
    /// blake3 of the stored model, hex.
    pub artifact_checksum: String,
    pub artifact_size: u64,
    pub dataset: Option<DatasetLineage>,
    /// The recorded run this version was registered from, if any.
    pub run_id: Option<i64>,
}

impl Catalog {
    /// Version `version` of `model` with everything stored about it.
    pub fn version(&self, model: &str, version: i64) -> Result<VersionDetail, CatalogError> {
        let conn = self.conn();
        let found = locate(conn, model, version)?;
        let summary = conn
            .prepare_cached(&format!("{SELECT_VERSION} WHERE v.id = ?1"))?
            .query_row([found.id], version_summary)?;
        let (
            spec_json,
            recipe_json,
            metrics_json,
            curves_json,
            artifact_checksum,
            size,
            dataset_id,
            run_id,
        ) = conn
            .prepare_cached(
                "SELECT spec_json, recipe_json, metrics_json, curves_json, artifact_checksum,
                        artifact_size, dataset_id, run_id
                 FROM model_versions WHERE id = ?1",
            )?
            .query_row([found.id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, Option<i64>>(6)?,
                    row.get::<_, Option<i64>>(7)?,
                ))
            })?;
        let dataset = conn
            .prepare_cached(
                "SELECT name, path, fingerprint, rows, schema_json, profile_json
                 FROM datasets WHERE id = ?1",
            )?
            .query_row(params![dataset_id], |row| {
                Ok(DatasetLineage {
                    name: row.get(0)?,
                    path: row.get(1)?,
                    fingerprint: row.get(2)?,
                    rows: row.get::<_, i64>(3)?.max(0) as u64,
                    schema_json: row.get(4)?,
                    profile_json: row.get(5)?,
                })
            })
            .optional()?;
        Ok(VersionDetail {
            summary,
            spec_json,
            recipe_json,
            metrics_json,
            curves_json,
            artifact_checksum,
            artifact_size: size.max(0) as u64,
            dataset,
            run_id,
        })
    }
}
