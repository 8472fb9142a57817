//! What was pushed to which MLflow server: per version and tracking URI, the MLflow run and
//! model version it became, and its stage as of the last sync (MLflow's aliases carry no
//! times, so a later sync compares against this). The catalog only stores these rows; the
//! MLflow layer above does the talking.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::lookup::model_id;
use super::schema::NOW;
use super::{Catalog, CatalogError, Stage};

/// A version as synced to one MLflow server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MlflowSync {
    pub version_id: i64,
    pub version: i64,
    pub tracking_uri: String,
    pub experiment_id: String,
    pub run_id: String,
    pub mlflow_model: String,
    pub mlflow_version: String,
    /// The version's stage when it was last synced.
    pub stage: Stage,
    /// UTC, ISO-8601.
    pub synced_at: String,
}

/// A sync to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMlflowSync {
    pub version_id: i64,
    pub tracking_uri: String,
    pub experiment_id: String,
    pub run_id: String,
    pub mlflow_model: String,
    pub mlflow_version: String,
    pub stage: Stage,
}

const SELECT_SYNC: &str = "SELECT s.version_id, v.version, s.tracking_uri, s.experiment_id,
        s.run_id, s.mlflow_model, s.mlflow_version, s.stage, s.synced_at
     FROM mlflow_sync s JOIN model_versions v ON v.id = s.version_id";

fn sync_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MlflowSync> {
    Ok(MlflowSync {
        version_id: row.get(0)?,
        version: row.get(1)?,
        tracking_uri: row.get(2)?,
        experiment_id: row.get(3)?,
        run_id: row.get(4)?,
        mlflow_model: row.get(5)?,
        mlflow_version: row.get(6)?,
        stage: Stage::from_stored(&row.get::<_, String>(7)?).unwrap_or(Stage::None),
        synced_at: row.get(8)?,
    })
}

impl Catalog {
    /// The versions of `model` synced to the server at `tracking_uri`, by version number.
    pub fn mlflow_syncs(
        &self,
        model: &str,
        tracking_uri: &str,
    ) -> Result<Vec<MlflowSync>, CatalogError> {
        let conn = self.conn();
        let model_id = model_id(conn, model)?;
        let mut statement = conn.prepare_cached(&format!(
            "{SELECT_SYNC} WHERE v.model_id = ?1 AND s.tracking_uri = ?2 ORDER BY v.version"
        ))?;
        let rows = statement.query_map(params![model_id, tracking_uri], sync_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Version row `version_id` as synced to the server at `tracking_uri`, if it was.
    pub fn mlflow_sync(
        &self,
        version_id: i64,
        tracking_uri: &str,
    ) -> Result<Option<MlflowSync>, CatalogError> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "{SELECT_SYNC} WHERE s.version_id = ?1 AND s.tracking_uri = ?2"
            ))?
            .query_row(params![version_id, tracking_uri], sync_row)
            .optional()?)
    }

    /// Record (or update) a completed sync.
    pub fn record_mlflow_sync(&mut self, sync: &NewMlflowSync) -> Result<(), CatalogError> {
        let actor = self.actor().to_string();
        self.write(|tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO mlflow_sync (version_id, tracking_uri, experiment_id, run_id,
                     mlflow_model, mlflow_version, stage, synced_at, synced_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW}, ?8)
                 ON CONFLICT (version_id, tracking_uri) DO UPDATE SET
                     experiment_id = excluded.experiment_id, run_id = excluded.run_id,
                     mlflow_model = excluded.mlflow_model,
                     mlflow_version = excluded.mlflow_version, stage = excluded.stage,
                     synced_at = excluded.synced_at, synced_by = excluded.synced_by"
            ))?
            .execute(params![
                sync.version_id,
                sync.tracking_uri,
                sync.experiment_id,
                sync.run_id,
                sync.mlflow_model,
                sync.mlflow_version,
                sync.stage.name(),
                actor,
            ])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{sample_version, temp_catalog};

    #[test]
    fn a_sync_is_recorded_once_per_server_and_updated() {
        let (_dir, mut catalog) = temp_catalog();
        let first = catalog.register("iris", &sample_version(0.9)).unwrap();
        let uri = "http://mlflow:5000";
        assert!(catalog.mlflow_syncs("iris", uri).unwrap().is_empty());
        let mut sync = NewMlflowSync {
            version_id: first.id,
            tracking_uri: uri.into(),
            experiment_id: "1".into(),
            run_id: "abc".into(),
            mlflow_model: "iris".into(),
            mlflow_version: "4".into(),
            stage: Stage::None,
        };
        catalog.record_mlflow_sync(&sync).unwrap();
        sync.stage = Stage::Production;
        catalog.record_mlflow_sync(&sync).unwrap();
        let synced = catalog.mlflow_syncs("iris", uri).unwrap();
        assert_eq!(synced.len(), 1);
        assert_eq!(synced[0].stage, Stage::Production);
        assert_eq!(synced[0].mlflow_version, "4");
        assert_eq!(synced[0].version, 1);
        assert!(catalog
            .mlflow_sync(first.id, "http://other")
            .unwrap()
            .is_none());
        assert_eq!(
            catalog.mlflow_sync(first.id, uri).unwrap().unwrap().run_id,
            "abc"
        );
    }
}
