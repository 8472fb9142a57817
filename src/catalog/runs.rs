//! Recorded runs: every training run, finished, failed or cancelled, kept with the records a
//! version keeps (spec, fitted recipe, metrics, curves, the deflated model, the dataset's
//! lineage), listed, registered as a version (which then knows its run), deleted, and pruned
//! after a retention period unless registered.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::register::{insert_version, store_dataset};
use super::schema::NOW;
use super::{Catalog, CatalogError, DatasetLineage, NewVersion, VersionRef};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Finished,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub const ALL: [RunStatus; 3] = [RunStatus::Finished, RunStatus::Failed, RunStatus::Cancelled];

    /// The word stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Finished => "finished",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    /// The status a stored or typed word names.
    pub fn parse(text: &str) -> Option<RunStatus> {
        RunStatus::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
    }
}

/// What a finished run produced, in the form a version stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedRecords {
    pub recipe_json: String,
    /// Metrics per fold, mean, std and pooled; the mean of each at `$.mean.NAME`.
    pub metrics_json: String,
    pub curves_json: String,
    /// The trained model's bytes, stored with their blake3 checksum.
    pub artifact: Vec<u8>,
}

/// Everything recorded of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub status: RunStatus,
    /// Why a failed run failed.
    pub error: Option<String>,
    /// The algorithm's command-line name.
    pub algorithm: String,
    pub target: String,
    /// `ml::ModelSpec` as JSON.
    pub spec_json: String,
    /// Present exactly when the run finished.
    pub trained: Option<TrainedRecords>,
    pub dataset: DatasetLineage,
    /// How long it ran, to the end or to the failure or cancel.
    pub seconds: f64,
    pub app_version: String,
    pub created_by: String,
}

/// A recorded run as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub status: RunStatus,
    pub error: Option<String>,
    pub algorithm: String,
    pub target: String,
    /// The dataset's name.
    pub dataset: Option<String>,
    /// UTC ISO-8601.
    pub ended_at: String,
    pub created_by: String,
    pub seconds: f64,
    /// Mean over folds of each metric (NaN where undefined); empty unless finished.
    pub metrics: BTreeMap<String, f64>,
    /// The latest version registered from this run, if any.
    pub version: Option<(String, i64)>,
}

/// A recorded run with its records, as Compare reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDetail {
    pub summary: RunSummary,
    pub spec_json: String,
    pub metrics_json: Option<String>,
    pub curves_json: Option<String>,
}

/// Which runs to list: newest first, at most `limit`, each filter left out when `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RunFilter {
    pub dataset: Option<String>,
    pub algorithm: Option<String>,
    pub status: Option<RunStatus>,
    pub limit: Option<u64>,
}

/// The columns a [`RunSummary`] is read from, in [`summary_from`]'s order.
const SUMMARY_COLUMNS: &str = "r.id, r.status, r.error, r.algorithm, r.target, d.name,
    r.ended_at, r.created_by, r.seconds, r.mean_metrics_json, m.name, v.version";

/// Runs joined with their dataset and the latest version registered from them.
const SUMMARY_FROM: &str = "runs r
    LEFT JOIN datasets d ON d.id = r.dataset_id
    LEFT JOIN model_versions v
        ON v.id = (SELECT max(id) FROM model_versions WHERE run_id = r.id)
    LEFT JOIN registered_models m ON m.id = v.model_id";

fn summary_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    let status: String = row.get(1)?;
    let model: Option<String> = row.get(10)?;
    let version: Option<i64> = row.get(11)?;
    Ok(RunSummary {
        id: row.get(0)?,
        status: RunStatus::parse(&status).unwrap_or(RunStatus::Failed),
        error: row.get(2)?,
        algorithm: row.get(3)?,
        target: row.get(4)?,
        dataset: row.get(5)?,
        ended_at: row.get(6)?,
        created_by: row.get(7)?,
        seconds: row.get(8)?,
        metrics: super::record::metric_values(&row.get::<_, String>(9)?),
        version: model.zip(version),
    })
}

impl Catalog {
    /// Record a run, and its dataset if new; returns the run's id.
    pub fn record_run(&mut self, run: &NewRun) -> Result<i64, CatalogError> {
        self.write(|tx| insert_run(tx, run))
    }

    /// Record several runs in one transaction (one training job's algorithms).
    pub fn record_runs(&mut self, runs: &[NewRun]) -> Result<Vec<i64>, CatalogError> {
        self.write(|tx| runs.iter().map(|run| insert_run(tx, run)).collect())
    }

    /// Recorded runs, newest first, as `filter` asks.
    pub fn runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>, CatalogError> {
        let limit = filter.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(-1));
        let mut statement = self.conn().prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM}
             WHERE (?1 IS NULL OR d.name = ?1) AND (?2 IS NULL OR r.algorithm = ?2)
                 AND (?3 IS NULL OR r.status = ?3)
             ORDER BY r.id DESC LIMIT ?4"
        ))?;
        let rows = statement.query_map(
            params![
                filter.dataset,
                filter.algorithm,
                filter.status.map(RunStatus::name),
                limit
            ],
            summary_from,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The names of the datasets and algorithms that have recorded runs, each sorted.
    pub fn run_choices(&self) -> Result<(Vec<String>, Vec<String>), CatalogError> {
        let names = |sql: &str| -> Result<Vec<String>, CatalogError> {
            let mut statement = self.conn().prepare_cached(sql)?;
            let rows = statement.query_map([], |row| row.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok((
            names(
                "SELECT DISTINCT d.name FROM runs r JOIN datasets d ON d.id = r.dataset_id
                 ORDER BY d.name",
            )?,
            names("SELECT DISTINCT algorithm FROM runs ORDER BY algorithm")?,
        ))
    }

    /// One recorded run with its records.
    pub fn run(&self, id: i64) -> Result<RunDetail, CatalogError> {
        self.conn()
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS}, r.spec_json, r.metrics_json, r.curves_json
                 FROM {SUMMARY_FROM} WHERE r.id = ?1"
            ))?
            .query_row([id], |row| {
                Ok(RunDetail {
                    summary: summary_from(row)?,
                    spec_json: row.get(12)?,
                    metrics_json: row.get(13)?,
                    curves_json: row.get(14)?,
                })
            })
            .optional()?
            .ok_or(CatalogError::NoSuchRun(id))
    }

    /// The trained model's bytes of a finished run, verified against their checksum.
    pub fn load_run_artifact(&self, id: i64) -> Result<Vec<u8>, CatalogError> {
        let row: Option<(String, Option<Vec<u8>>, Option<String>)> = self
            .conn()
            .prepare_cached("SELECT status, artifact, artifact_checksum FROM runs WHERE id = ?1")?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        let Some((status, bytes, expected)) = row else {
            return Err(CatalogError::NoSuchRun(id));
        };
        let (Some(bytes), Some(expected)) = (bytes, expected) else {
            return Err(CatalogError::RunNotFinished { run: id, status });
        };
        let found = blake3::hash(&bytes).to_hex().to_string();
        if found != expected {
            return Err(CatalogError::RunArtifact {
                run: id,
                message: format!(
                    "it does not match its checksum (expected {expected}, found {found})"
                ),
            });
        }
        Ok(bytes)
    }

    /// Register a finished run as the next version of `model` (created if new): the version
    /// gets the run's records and model as they are, and knows the run it came from.
    pub fn register_run(
        &mut self,
        id: i64,
        model: &str,
        description: Option<&str>,
    ) -> Result<VersionRef, CatalogError> {
        super::validate_model_name(model)?;
        let artifact = self.load_run_artifact(id)?;
        let actor = self.actor().to_string();
        self.write(|tx| {
            let new = stored_version(tx, id, artifact, description, actor)?;
            let version = insert_version(tx, model, &new)?;
            tx.prepare_cached("UPDATE model_versions SET run_id = ?1 WHERE id = ?2")?
                .execute([id, version.id])?;
            Ok(version)
        })
    }

    /// The run version row `version_id` was registered from, if it came from a recorded run.
    pub fn run_of_version(&self, version_id: i64) -> Result<Option<i64>, CatalogError> {
        self.conn()
            .prepare_cached("SELECT run_id FROM model_versions WHERE id = ?1")?
            .query_row([version_id], |row| row.get(0))
            .optional()?
            .ok_or(CatalogError::NoSuchVersionId(version_id))
    }

    /// Delete a recorded run; a run registered as a version stays with it.
    pub fn delete_run(&mut self, id: i64) -> Result<(), CatalogError> {
        self.write(|tx| {
            if let Some((model, version)) = registered_as(tx, id)? {
                return Err(CatalogError::RunRegistered {
                    run: id,
                    model,
                    version,
                });
            }
            match tx.execute("DELETE FROM runs WHERE id = ?1", [id])? {
                0 => Err(CatalogError::NoSuchRun(id)),
                _ => Ok(()),
            }
        })
    }

    /// Delete the runs that ended more than `days` days ago and were never registered;
    /// returns how many went.
    pub fn prune_runs(&mut self, days: u32) -> Result<usize, CatalogError> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM runs
                 WHERE ended_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)
                     AND NOT EXISTS (SELECT 1 FROM model_versions WHERE run_id = runs.id)",
                [format!("-{days} days")],
            )?)
        })
    }
}

/// The latest version registered from run `id`.
fn registered_as(
    tx: &rusqlite::Connection,
    id: i64,
) -> Result<Option<(String, i64)>, CatalogError> {
    Ok(tx
        .prepare_cached(
            "SELECT m.name, v.version FROM model_versions v
             JOIN registered_models m ON m.id = v.model_id
             WHERE v.run_id = ?1 ORDER BY v.id DESC LIMIT 1",
        )?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

fn insert_run(tx: &rusqlite::Connection, run: &NewRun) -> Result<i64, CatalogError> {
    let dataset_id = store_dataset(tx, &run.dataset)?;
    let trained = run.trained.as_ref();
    let artifact = trained.map(|t| &t.artifact);
    tx.prepare_cached(&format!(
        "INSERT INTO runs (status, ended_at, created_by, app_version, seconds, algorithm,
             target, dataset_id, error, artifact_size, artifact_checksum, spec_json,
             mean_metrics_json, metrics_json, recipe_json, curves_json, artifact)
         VALUES (?1, {NOW}, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
             coalesce(json_extract(?12, '$.mean'), '{{}}'), ?12, ?13, ?14, ?15)"
    ))?
    .execute(params![
        run.status.name(),
        run.created_by,
        run.app_version,
        run.seconds,
        run.algorithm,
        run.target,
        dataset_id,
        run.error,
        artifact.map(|a| a.len() as i64),
        artifact.map(|a| blake3::hash(a).to_hex().to_string()),
        run.spec_json,
        trained.map(|t| &t.metrics_json),
        trained.map(|t| &t.recipe_json),
        trained.map(|t| &t.curves_json),
        artifact,
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Run `id` as a version to insert: its records and dataset as stored, and `artifact`.
fn stored_version(
    tx: &rusqlite::Connection,
    id: i64,
    artifact: Vec<u8>,
    description: Option<&str>,
    actor: String,
) -> Result<NewVersion, CatalogError> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        f64,
        String,
    );
    let (spec_json, recipe_json, metrics_json, curves_json, seconds, app_version): Row = tx
        .prepare_cached(
            "SELECT spec_json, recipe_json, metrics_json, curves_json, seconds, app_version
             FROM runs WHERE id = ?1",
        )?
        .query_row([id], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })
        .optional()?
        .ok_or(CatalogError::NoSuchRun(id))?;
    let dataset = tx
        .prepare_cached(
            "SELECT d.name, d.path, d.fingerprint, d.rows, d.schema_json, d.profile_json
             FROM runs r JOIN datasets d ON d.id = r.dataset_id WHERE r.id = ?1",
        )?
        .query_row([id], |row| {
            Ok(DatasetLineage {
                name: row.get(0)?,
                path: row.get(1)?,
                fingerprint: row.get(2)?,
                rows: row.get::<_, i64>(3)?.max(0) as u64,
                schema_json: row.get(4)?,
                profile_json: row.get(5)?,
            })
        })
        .optional()?
        .unwrap_or_default();
    Ok(NewVersion {
        description: description
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        spec_json,
        recipe_json: recipe_json.unwrap_or_else(|| "{}".into()),
        metrics_json: metrics_json.unwrap_or_else(|| "{}".into()),
        curves_json: curves_json.unwrap_or_else(|| "{}".into()),
        artifact,
        dataset,
        train_seconds: seconds,
        app_version,
        created_by: actor,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{sample_version, temp_catalog};
    use super::*;

    /// A run of `algorithm` on the sample version's dataset, ended as `status` says.
    fn sample_run(status: RunStatus, algorithm: &str) -> NewRun {
        let version = sample_version(0.9);
        NewRun {
            status,
            error: (status == RunStatus::Failed).then(|| "the fit diverged".to_string()),
            algorithm: algorithm.into(),
            target: "species".into(),
            spec_json: version.spec_json.clone(),
            trained: (status == RunStatus::Finished).then(|| TrainedRecords {
                recipe_json: version.recipe_json.clone(),
                metrics_json: version.metrics_json.clone(),
                curves_json: version.curves_json.clone(),
                artifact: version.artifact.clone(),
            }),
            dataset: version.dataset,
            seconds: 1.5,
            app_version: "0.1.0".into(),
            created_by: "tester".into(),
        }
    }

    /// Pretend run `id` ended `days` days ago.
    fn age(catalog: &Catalog, id: i64, days: u32) {
        catalog
            .conn()
            .execute(
                "UPDATE runs SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)
                 WHERE id = ?2",
                params![format!("-{days} days"), id],
            )
            .unwrap();
    }

    #[test]
    fn runs_are_recorded_with_their_status_and_listed_newest_first_by_filter() {
        let (_dir, mut catalog) = temp_catalog();
        let ids = catalog
            .record_runs(&[
                sample_run(RunStatus::Finished, "logistic_regression"),
                sample_run(RunStatus::Failed, "linear_regression"),
                sample_run(RunStatus::Cancelled, "random_forest"),
            ])
            .unwrap();
        let all = catalog.runs(&RunFilter::default()).unwrap();
        let listed: Vec<(i64, RunStatus)> = all.iter().map(|r| (r.id, r.status)).collect();
        assert_eq!(
            listed,
            vec![
                (ids[2], RunStatus::Cancelled),
                (ids[1], RunStatus::Failed),
                (ids[0], RunStatus::Finished)
            ]
        );
        assert_eq!(all[1].error.as_deref(), Some("the fit diverged"));
        assert_eq!(all[2].metrics["accuracy"], 0.9);
        assert!(all[0].metrics.is_empty() && all[0].error.is_none());
        assert_eq!(all[2].dataset.as_deref(), Some("iris"));
        let failed = RunFilter {
            status: Some(RunStatus::Failed),
            ..RunFilter::default()
        };
        assert_eq!(catalog.runs(&failed).unwrap()[0].id, ids[1]);
        let forests = RunFilter {
            algorithm: Some("random_forest".into()),
            ..RunFilter::default()
        };
        assert_eq!(catalog.runs(&forests).unwrap().len(), 1);
        let elsewhere = RunFilter {
            dataset: Some("penguins".into()),
            ..RunFilter::default()
        };
        assert!(catalog.runs(&elsewhere).unwrap().is_empty());
        let (datasets, algorithms) = catalog.run_choices().unwrap();
        assert_eq!(datasets, ["iris"]);
        assert_eq!(
            algorithms,
            ["linear_regression", "logistic_regression", "random_forest"]
        );
        // Only a finished run has a model.
        assert!(matches!(
            catalog.load_run_artifact(ids[1]),
            Err(CatalogError::RunNotFinished { .. })
        ));
        assert_eq!(
            catalog.load_run_artifact(ids[0]).unwrap(),
            sample_version(0.9).artifact
        );
    }

    #[test]
    fn a_registered_run_and_its_version_know_each_other_and_the_run_stays() {
        let (_dir, mut catalog) = temp_catalog();
        let run = catalog
            .record_run(&sample_run(RunStatus::Finished, "logistic_regression"))
            .unwrap();
        let failed = catalog
            .record_run(&sample_run(RunStatus::Failed, "ridge"))
            .unwrap();
        let version = catalog.register_run(run, "iris", Some(" first ")).unwrap();
        assert_eq!((version.model.as_str(), version.version), ("iris", 1));
        let detail = catalog.version("iris", 1).unwrap();
        assert_eq!(detail.summary.description, "first");
        assert_eq!(detail.metrics_json, sample_version(0.9).metrics_json);
        assert_eq!(catalog.run_of_version(version.id).unwrap(), Some(run));
        assert_eq!(
            catalog.run(run).unwrap().summary.version,
            Some(("iris".to_string(), 1))
        );
        assert_eq!(
            catalog.load_artifact(version.id).unwrap(),
            sample_version(0.9).artifact
        );
        assert!(matches!(
            catalog.register_run(failed, "iris", None),
            Err(CatalogError::RunNotFinished { .. })
        ));
        assert!(matches!(
            catalog.delete_run(run),
            Err(CatalogError::RunRegistered { version: 1, .. })
        ));
        catalog.delete_run(failed).unwrap();
        assert!(matches!(
            catalog.run(failed),
            Err(CatalogError::NoSuchRun(_))
        ));
        assert!(matches!(
            catalog.delete_run(failed),
            Err(CatalogError::NoSuchRun(_))
        ));
    }

    #[test]
    fn retention_prunes_only_unregistered_runs_older_than_the_setting() {
        let (_dir, mut catalog) = temp_catalog();
        let finished = |catalog: &mut Catalog| {
            catalog
                .record_run(&sample_run(RunStatus::Finished, "naive_bayes"))
                .unwrap()
        };
        let old = finished(&mut catalog);
        let old_registered = finished(&mut catalog);
        let recent = finished(&mut catalog);
        let old_failed = catalog
            .record_run(&sample_run(RunStatus::Failed, "naive_bayes"))
            .unwrap();
        catalog.register_run(old_registered, "nb", None).unwrap();
        for id in [old, old_registered, old_failed] {
            age(&catalog, id, 40);
        }
        age(&catalog, recent, 20);
        assert_eq!(catalog.prune_runs(30).unwrap(), 2);
        let left: Vec<i64> = catalog
            .runs(&RunFilter::default())
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(left, vec![recent, old_registered]);
        assert_eq!(catalog.prune_runs(30).unwrap(), 0);
        assert_eq!(catalog.prune_runs(10).unwrap(), 1);
    }

    #[test]
    fn statuses_read_as_words() {
        for status in RunStatus::ALL {
            assert_eq!(RunStatus::parse(status.name()), Some(status));
        }
        assert_eq!(RunStatus::parse(" Failed"), Some(RunStatus::Failed));
        assert_eq!(RunStatus::parse("done"), None);
    }
}
