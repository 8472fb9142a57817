//! The catalog's tables and how a file gets them: numbered migrations applied in order,
//! each in one transaction that also sets `PRAGMA user_version` to its number and marks the
//! file with Modeldesk's `PRAGMA application_id`.

use rusqlite::{Connection, TransactionBehavior};

use super::CatalogError;

/// `PRAGMA application_id` of a Modeldesk catalog: "MdDk" in ASCII.
pub const APPLICATION_ID: i32 = 0x4D64_446B;

/// Mean metrics with indexes of their own (alone and after the stage), so sorting versions
/// by them stays fast on large catalogs. Other metrics sort too, by scanning. Migration 1
/// creates these indexes: a metric added here needs a migration that creates its own.
pub const INDEXED_METRICS: [&str; 8] = [
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "roc_auc",
    "log_loss",
    "rmse",
    "mae",
    "r2",
];

/// One step of the schema: its statements, then the two indexes of each metric it names.
struct Migration {
    sql: &'static str,
    indexed_metrics: &'static [&'static str],
}

/// Migration `i` takes a file from schema version `i` to `i + 1`.
const MIGRATIONS: &[Migration] = &[
    // 1: datasets, models, versions, the stage history, tags and scoring runs.
    Migration {
        sql: r#"
CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    rows INTEGER NOT NULL,
    schema_json TEXT NOT NULL,
    profile_json TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE registered_models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE model_versions (
    -- Small columns first: a row is read from its start, so listings that stop before the
    -- large JSON and the model never read their overflow pages.
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES registered_models(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    stage TEXT NOT NULL DEFAULT 'none'
        CHECK (stage IN ('none', 'staging', 'production', 'archived')),
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    app_version TEXT NOT NULL,
    train_seconds REAL NOT NULL,
    dataset_id INTEGER REFERENCES datasets(id),
    artifact_size INTEGER NOT NULL,
    artifact_checksum TEXT NOT NULL,
    spec_json TEXT NOT NULL CHECK (json_valid(spec_json)),
    -- The '$.mean' object of metrics_json, kept apart so that lists and sorts read a few
    -- hundred bytes instead of every fold's metrics.
    mean_metrics_json TEXT NOT NULL CHECK (json_valid(mean_metrics_json)),
    description TEXT NOT NULL DEFAULT '',
    metrics_json TEXT NOT NULL CHECK (json_valid(metrics_json)),
    recipe_json TEXT NOT NULL CHECK (json_valid(recipe_json)),
    curves_json TEXT NOT NULL CHECK (json_valid(curves_json)),
    -- NULL once the version is deleted; the checksum stays as a record.
    artifact BLOB,
    UNIQUE (model_id, version)
);
-- Listings only show live versions, so their indexes hold only those: a count or a
-- filter then never reads a (large) version row to check deleted_at.
CREATE INDEX model_versions_by_model ON model_versions (model_id, version)
    WHERE deleted_at IS NULL;
CREATE INDEX model_versions_by_model_stage ON model_versions (model_id, stage)
    WHERE deleted_at IS NULL;
CREATE INDEX model_versions_by_stage_created ON model_versions (stage, created_at)
    WHERE deleted_at IS NULL;
CREATE INDEX model_versions_by_created ON model_versions (created_at)
    WHERE deleted_at IS NULL;

-- Registrations, stage changes and deletions. from_stage is NULL for a registration;
-- to_stage is 'deleted' for a deletion; cause says why the change happened. Rows are
-- only ever added.
CREATE TABLE stage_transitions (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES model_versions(id),
    from_stage TEXT CHECK (from_stage IN ('none', 'staging', 'production', 'archived')),
    to_stage TEXT NOT NULL
        CHECK (to_stage IN ('none', 'staging', 'production', 'archived', 'deleted')),
    cause TEXT NOT NULL
        CHECK (cause IN ('registration', 'request', 'replaced', 'roll_back', 'deletion')),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX stage_transitions_by_version ON stage_transitions (version_id);
CREATE TRIGGER stage_transitions_no_update BEFORE UPDATE ON stage_transitions
BEGIN
    SELECT RAISE(ABORT, 'the stage history is append-only');
END;
CREATE TRIGGER stage_transitions_no_delete BEFORE DELETE ON stage_transitions
BEGIN
    SELECT RAISE(ABORT, 'the stage history is append-only');
END;

CREATE TABLE model_tags (
    model_id INTEGER NOT NULL REFERENCES registered_models(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
) WITHOUT ROWID;
CREATE INDEX model_tags_by_key ON model_tags (key, value);

CREATE TABLE version_tags (
    version_id INTEGER NOT NULL REFERENCES model_versions(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (version_id, key)
) WITHOUT ROWID;
CREATE INDEX version_tags_by_key ON version_tags (key, value);

CREATE TABLE scoring_runs (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES model_versions(id),
    file_path TEXT NOT NULL,
    file_fingerprint TEXT NOT NULL,
    rows INTEGER NOT NULL,
    scored_at TEXT NOT NULL,
    scored_by TEXT NOT NULL,
    drift_json TEXT NOT NULL,
    metrics_json TEXT
);
CREATE INDEX scoring_runs_by_version ON scoring_runs (version_id);
"#,
        indexed_metrics: &INDEXED_METRICS,
    },
    // 2: live windows, what a scoring server saw of one version during one time window.
    Migration {
        sql: r#"
CREATE TABLE live_windows (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES model_versions(id),
    -- The server process that wrote it ("host:port pid"); one row per server and window.
    server TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    requests INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    latency_p50_ms REAL NOT NULL,
    latency_p99_ms REAL NOT NULL,
    sampled_rows INTEGER NOT NULL,
    drift_json TEXT NOT NULL CHECK (json_valid(drift_json)),
    labelled_rows INTEGER NOT NULL DEFAULT 0,
    -- Accuracy (classification) or RMSE (regression) over the rows labelled in the window.
    labelled_metric REAL,
    UNIQUE (server, version_id, started_at)
);
CREATE INDEX live_windows_by_version ON live_windows (version_id, ended_at);
"#,
        indexed_metrics: &[],
    },
    // 3: runs, every training run whether registered or not, and the run a version came from.
    Migration {
        sql: r#"
CREATE TABLE runs (
    -- Small columns first, as in model_versions: listings stop before the large records.
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('finished', 'failed', 'cancelled')),
    ended_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    app_version TEXT NOT NULL,
    seconds REAL NOT NULL,
    algorithm TEXT NOT NULL,
    target TEXT NOT NULL,
    dataset_id INTEGER REFERENCES datasets(id),
    -- Why a failed run failed.
    error TEXT,
    artifact_size INTEGER,
    artifact_checksum TEXT,
    spec_json TEXT NOT NULL CHECK (json_valid(spec_json)),
    mean_metrics_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(mean_metrics_json)),
    -- The records a version keeps, in the same form; NULL unless the run finished.
    metrics_json TEXT CHECK (json_valid(metrics_json)),
    recipe_json TEXT CHECK (json_valid(recipe_json)),
    curves_json TEXT CHECK (json_valid(curves_json)),
    artifact BLOB,
    CHECK ((status = 'finished') = (artifact IS NOT NULL))
);
CREATE INDEX runs_by_ended ON runs (ended_at);
CREATE INDEX runs_by_dataset ON runs (dataset_id, ended_at);
-- A version registered from a run knows it; the run finds its versions through this index.
ALTER TABLE model_versions ADD COLUMN run_id INTEGER REFERENCES runs(id);
CREATE INDEX model_versions_by_run ON model_versions (run_id) WHERE run_id IS NOT NULL;
"#,
        indexed_metrics: &[],
    },
    // 4: explanations computed for a version (permutation importance, partial dependence),
    // one of each kind and subject per version: a recompute replaces the row.
    Migration {
        sql: r#"
CREATE TABLE version_explanations (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES model_versions(id),
    kind TEXT NOT NULL CHECK (kind IN ('permutation_importance', 'partial_dependence')),
    -- '' for permutation importance (every column at once); the column for partial dependence.
    subject TEXT NOT NULL,
    -- The labelled file the rows came from, its fingerprint, and how many rows were used.
    file_path TEXT NOT NULL,
    file_fingerprint TEXT NOT NULL,
    rows INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    computed_by TEXT NOT NULL,
    result_json TEXT NOT NULL CHECK (json_valid(result_json)),
    UNIQUE (version_id, kind, subject)
);
"#,
        indexed_metrics: &[],
    },
    // 5: which version went to which MLflow server as which run and model version, and its
    // stage as of the last sync. A row is written only once everything of a push is done.
    Migration {
        sql: r#"
CREATE TABLE mlflow_sync (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES model_versions(id),
    -- The tracking URI without credentials.
    tracking_uri TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    mlflow_model TEXT NOT NULL,
    mlflow_version TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('none', 'staging', 'production', 'archived')),
    synced_at TEXT NOT NULL,
    synced_by TEXT NOT NULL,
    UNIQUE (version_id, tracking_uri)
);
"#,
        indexed_metrics: &[],
    },
];

/// The indexes that sort versions by the mean of `metric`, alone and within a stage. The
/// expression is the one `listing` sorts by, so SQLite can use them.
fn metric_indexes_sql(metric: &str) -> String {
    format!(
        "CREATE INDEX model_versions_by_{metric}
    ON model_versions (json_extract(mean_metrics_json, '$.{metric}'))
    WHERE deleted_at IS NULL;
CREATE INDEX model_versions_by_stage_{metric}
    ON model_versions (stage, json_extract(mean_metrics_json, '$.{metric}'))
    WHERE deleted_at IS NULL;"
    )
}

/// The schema version this build writes and reads.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// SQLite's current time as UTC ISO-8601 with milliseconds, for use inside statements.
pub const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Bring an empty or older Modeldesk catalog up to [`LATEST_VERSION`], one transaction per
/// step. Each step re-reads the version under the write lock, so two processes opening a
/// new file at once apply every step once.
pub fn migrate(conn: &mut Connection, path: &std::path::Path) -> Result<(), CatalogError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let application: i32 = tx.pragma_query_value(None, "application_id", |row| row.get(0))?;
        if application != 0 && application != APPLICATION_ID {
            return Err(CatalogError::not_a_catalog(
                path,
                "another program's application id",
            ));
        }
        if current > LATEST_VERSION {
            return Err(CatalogError::NewerSchema {
                path: path.display().to_string(),
                found: current,
                known: LATEST_VERSION,
            });
        }
        let step_index = usize::try_from(current)
            .map_err(|_| CatalogError::not_a_catalog(path, "a negative schema version"))?;
        let Some(step) = MIGRATIONS.get(step_index) else {
            return Ok(());
        };
        tx.execute_batch(step.sql)?;
        for metric in step.indexed_metrics {
            tx.execute_batch(&metric_indexes_sql(metric))?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{temp_catalog, Catalog};

    /// Every table, index and trigger of a catalog, with the statement that made it.
    fn schema(catalog: &Catalog) -> Vec<(String, String, Option<String>)> {
        let mut statement = catalog
            .conn()
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap();
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn a_catalog_written_before_runs_were_recorded_upgrades_and_records_them() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/compat/catalog.sqlite");
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("before-runs.sqlite");
        std::fs::copy(fixture, &copy).unwrap();
        let version_before: i64 = rusqlite::Connection::open(&copy)
            .unwrap()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert!(version_before < super::LATEST_VERSION);
        let mut catalog = Catalog::open(&copy).unwrap();
        let upgraded: i64 = catalog
            .conn()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(upgraded, super::LATEST_VERSION);
        // Its versions came from no recorded run, and there are none yet.
        let v1 = catalog.version("penguins", 1).unwrap();
        assert_eq!(catalog.run_of_version(v1.summary.id).unwrap(), None);
        assert!(catalog.runs(&Default::default()).unwrap().is_empty());
        let mut run = super::super::NewRun {
            status: super::super::RunStatus::Cancelled,
            error: None,
            algorithm: "decision_tree".into(),
            target: "species".into(),
            spec_json: v1.spec_json.clone(),
            trained: None,
            dataset: v1.dataset.clone().unwrap(),
            seconds: 0.1,
            app_version: "0.1.0".into(),
            created_by: "tester".into(),
        };
        let id = catalog.record_run(&run).unwrap();
        run.status = super::super::RunStatus::Finished;
        assert!(
            catalog.record_run(&run).is_err(),
            "a finished run without a model is refused"
        );
        let listed = catalog.runs(&Default::default()).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].id, listed[0].dataset.as_deref()),
            (id, Some("penguins"))
        );
    }

    #[test]
    fn a_new_catalog_gets_the_schema_of_the_catalogs_already_written() {
        // The compatibility fixture was made by an earlier build from these same migrations.
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/compat/catalog.sqlite");
        let (dir, fresh) = temp_catalog();
        let copy = dir.path().join("written-earlier.sqlite");
        std::fs::copy(fixture, &copy).unwrap();
        let earlier = Catalog::open(&copy).unwrap();
        let indexes = schema(&fresh)
            .into_iter()
            .filter(|(kind, _, _)| kind == "index")
            .count();
        assert!(indexes >= 2 * super::INDEXED_METRICS.len(), "{indexes}");
        assert_eq!(schema(&fresh), schema(&earlier));
    }
}
