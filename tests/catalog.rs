//! The catalog on disk, as users and other processes meet it: files that are not catalogs
//! are left untouched, read-only files open read-only, concurrent and killed writers leave
//! every version whole and numbered without gaps, tampering is caught, the history cannot
//! be rewritten, and names are only ever data.

use modeldesk::catalog::{
    self, Catalog, CatalogError, DatasetLineage, NewVersion, Stage, VersionQuery,
};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Set in a re-run of this test binary as a child process, for `child_registers_versions`.
const CHILD_CATALOG: &str = "MODELDESK_TEST_CHILD_CATALOG";
const CHILD_COUNT: &str = "MODELDESK_TEST_CHILD_COUNT";

fn version_with(artifact: Vec<u8>) -> NewVersion {
    NewVersion {
        description: Some("a *test* version".into()),
        spec_json: r#"{"algorithm":"logistic_regression"}"#.into(),
        recipe_json: "{}".into(),
        metrics_json: r#"{"mean":{"accuracy":0.9}}"#.into(),
        curves_json: "{}".into(),
        artifact,
        dataset: DatasetLineage {
            name: "iris".into(),
            path: "assets/iris.csv".into(),
            fingerprint: "0".repeat(64),
            rows: 150,
            schema_json: "{}".into(),
            profile_json: "{}".into(),
        },
        train_seconds: 0.1,
        app_version: "test".into(),
        created_by: "tester".into(),
    }
}

/// Register COUNT versions of model "m" in the catalog named by the environment, printing
/// each number as it is committed. Not a test: the writer the multi-process tests start as
/// a child process (a re-run of this binary), ignored so that a test run neither lists it
/// as passed nor runs it; without its environment it does nothing.
#[test]
#[ignore = "not a test: the child process of the concurrent and killed-writer tests"]
fn child_registers_versions() {
    let Ok(path) = std::env::var(CHILD_CATALOG) else {
        return;
    };
    let count: u64 = std::env::var(CHILD_COUNT)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let mut catalog = Catalog::open(Path::new(&path)).expect("open the catalog");
    for i in 0..count {
        // 256 KiB that differ per version, so a write takes long enough to be interrupted.
        let artifact: Vec<u8> = (0..256 * 1024)
            .map(|j| (j as u64 ^ i ^ std::process::id() as u64) as u8)
            .collect();
        let version = catalog
            .register("m", &version_with(artifact))
            .expect("register");
        println!("registered {}", version.version);
    }
}

/// Start this test binary again as a child that registers `count` versions into `path`.
fn spawn_registering_child(path: &Path, count: u64) -> std::process::Child {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "child_registers_versions",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_CATALOG, path)
        .env(CHILD_COUNT, count.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a child")
}

/// The numbers of the live versions of `model`, in order.
fn version_numbers(catalog: &Catalog, model: &str) -> Vec<i64> {
    let query = VersionQuery {
        page: catalog::Page {
            offset: 0,
            limit: 100_000,
        },
        ..VersionQuery::of_model(model)
    };
    catalog
        .versions(&query)
        .expect("list versions")
        .iter()
        .map(|v| v.version)
        .collect()
}

/// Every live version of `model` loads with a matching checksum.
fn assert_every_version_whole(catalog: &Catalog, model: &str) {
    let query = VersionQuery {
        page: catalog::Page {
            offset: 0,
            limit: 100_000,
        },
        ..VersionQuery::of_model(model)
    };
    for version in catalog.versions(&query).unwrap() {
        let bytes = catalog
            .load_artifact(version.id)
            .unwrap_or_else(|e| panic!("version {}: {e}", version.version));
        assert_eq!(bytes.len(), 256 * 1024, "version {}", version.version);
    }
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn two_processes_registering_at_once_share_no_number_and_skip_none() {
    let dir = tempfile::tempdir().unwrap();
    // Both start on a file that does not exist yet, so creating it races too.
    let path = dir.path().join("catalog.sqlite");
    let children = [
        spawn_registering_child(&path, 25),
        spawn_registering_child(&path, 25),
    ];
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a child failed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.matches("registered ").count(), 25, "{text}");
    }
    let catalog = Catalog::open(&path).unwrap();
    assert_eq!(version_numbers(&catalog, "m"), (1..=50).collect::<Vec<_>>());
    assert_every_version_whole(&catalog, "m");
    assert_eq!(integrity(&path), "ok");
}

#[test]
fn a_writer_killed_mid_registration_leaves_only_whole_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.sqlite");
    let mut committed = 0;
    for (round, delay_ms) in [3u64, 11, 29].into_iter().enumerate() {
        let mut child = spawn_registering_child(&path, 100_000);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Wait until it has committed a few versions, then kill it mid-stream.
        let mut seen = 0;
        while seen < 3 {
            let line = lines.next().expect("child output").unwrap();
            if line.starts_with("registered ") {
                seen += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let printed = lines
            .map_while(Result::ok)
            .filter(|l| l.starts_with("registered "))
            .count();
        committed += seen + printed;

        assert_eq!(integrity(&path), "ok", "round {round}");
        let catalog = Catalog::open(&path).unwrap();
        let numbers = version_numbers(&catalog, "m");
        // Printed versions are committed; one more may have committed before its line.
        assert!(
            numbers.len() >= committed && numbers.len() <= committed + 1,
            "round {round}: {} versions, {committed} printed",
            numbers.len()
        );
        assert_eq!(numbers, (1..=numbers.len() as i64).collect::<Vec<_>>());
        assert_every_version_whole(&catalog, "m");
        let history = catalog.history("m").unwrap();
        assert_eq!(history.len(), numbers.len(), "one registration row each");
        committed = numbers.len();
    }
}

#[test]
fn files_that_are_not_catalogs_are_refused_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "quarterly numbers\n".repeat(20)).unwrap();

    let foreign = dir.path().join("other.sqlite");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);")
            .unwrap();
    }
    let marked = dir.path().join("marked.sqlite");
    {
        let conn = rusqlite::Connection::open(&marked).unwrap();
        conn.pragma_update(None, "application_id", 0x1234_5678)
            .unwrap();
    }
    let newer = dir.path().join("newer.sqlite");
    {
        let mut catalog = Catalog::open(&newer).unwrap();
        catalog
            .register("churn", &version_with(vec![1, 2, 3]))
            .unwrap();
    }
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", catalog::SCHEMA_VERSION + 1)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }

    for path in [&text, &foreign, &marked, &newer] {
        let before = std::fs::read(path).unwrap();
        let error = Catalog::open(path).unwrap_err();
        assert!(error.is_bad_input(), "{error}");
        match (&error, path == &newer) {
            (CatalogError::NewerSchema { found, .. }, true) => {
                assert_eq!(*found, catalog::SCHEMA_VERSION + 1)
            }
            (CatalogError::NotACatalog { .. }, false) => {}
            _ => panic!("{}: unexpected {error:?}", path.display()),
        }
        assert!(error.to_string().contains("left as it was"), "{error}");
        assert_eq!(
            std::fs::read(path).unwrap(),
            before,
            "{} changed",
            path.display()
        );
    }
    let listed: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with("-journal"))
        .collect();
    assert!(listed.is_empty(), "{listed:?}");
}

#[test]
fn a_read_only_file_opens_read_only_and_refuses_changes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.sqlite");
    {
        let mut catalog = Catalog::open(&path).unwrap();
        catalog
            .register("churn", &version_with(vec![7; 10]))
            .unwrap();
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let opened = Catalog::open(&path);
    // Put the permission back first, so the folder can always be removed.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut catalog = opened.unwrap();
    assert!(catalog.read_only(), "the permission bits say read-only");
    assert_eq!(version_numbers(&catalog, "churn"), vec![1]);
    let version = catalog.resolve("churn@latest").unwrap();
    assert_eq!(catalog.load_artifact(version.id).unwrap(), vec![7; 10]);
    // Refused by the catalog itself, so this holds even for root, whom chmod does not stop.
    let refused = catalog.set_stage("churn", 1, Stage::Staging, false, None);
    assert!(
        matches!(refused, Err(CatalogError::ReadOnly { .. })),
        "{refused:?}"
    );
    let refused = catalog.register("churn", &version_with(vec![8]));
    assert!(matches!(refused, Err(CatalogError::ReadOnly { .. })));
    drop(catalog);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_trained_model_round_trips_and_tampering_is_caught() {
    use modeldesk::ml::eval::{train_and_validate, Validation};
    use modeldesk::ml::{prep::Recipe, spec::ModelSpec};
    let iris = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/iris.csv");
    let mut table = modeldesk::data::import_csv(
        &iris,
        &modeldesk::data::ImportOptions::default(),
        &modeldesk::data::Progress::default(),
    )
    .unwrap();
    let target = table
        .columns
        .iter()
        .position(|c| c.name == "species")
        .unwrap();
    table.set_role(target, modeldesk::data::Role::Target);
    let (evaluation, model) = train_and_validate(
        &table,
        "species",
        None,
        &Recipe::default_for(&table),
        &ModelSpec::from_name("logistic_regression").unwrap(),
        Validation::CrossValidation { folds: 3, seed: 1 },
        &mut |_, _| true,
    )
    .unwrap();
    let profile = modeldesk::data::profile_table(&table);
    let lineage = catalog::record::lineage(&table, &profile).unwrap();
    let new = catalog::record::new_version(&evaluation, &model, lineage).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.sqlite");
    let mut catalog = Catalog::open(&path).unwrap();
    let registered = catalog.register("iris", &new).unwrap();
    // A second version trained on the same file shares its dataset row.
    catalog.register("iris", &new).unwrap();
    let loaded = catalog::record::load_model(&catalog, registered.id).unwrap();
    assert_eq!(loaded, model);
    // The model is stored deflated; one stored as plain JSON (as before) still loads.
    let json = serde_json::to_vec(&model).unwrap();
    assert!(
        new.artifact.len() * 2 < json.len(),
        "{} bytes stored for {} of JSON",
        new.artifact.len(),
        json.len()
    );
    let plain = NewVersion {
        artifact: json,
        ..new.clone()
    };
    let older = catalog.register("iris-plain", &plain).unwrap();
    assert_eq!(
        catalog::record::load_model(&catalog, older.id).unwrap(),
        model
    );

    let detail = catalog.version("iris", 1).unwrap();
    assert_eq!(
        detail.summary.metrics["accuracy"],
        evaluation.mean["accuracy"]
    );
    let dataset = detail.dataset.unwrap();
    assert_eq!(dataset.fingerprint, table.fingerprint);
    assert_eq!(dataset.rows, 150);
    let curves: serde_json::Value = serde_json::from_str(&detail.curves_json).unwrap();
    assert_eq!(curves["classes"].as_array().unwrap().len(), 3);
    assert!(curves["classes"][0]["roc"]["x"].as_array().unwrap().len() > 2);
    let metrics: serde_json::Value = serde_json::from_str(&detail.metrics_json).unwrap();
    assert_eq!(metrics["folds"].as_array().unwrap().len(), 3);
    assert!(metrics["pooled"]["confusion"].is_array());

    // Someone edits the file behind the catalog's back: one byte of the model changes.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let datasets: i64 = conn
            .query_row("SELECT count(*) FROM datasets", [], |r| r.get(0))
            .unwrap();
        assert_eq!(datasets, 1);
        let mut bytes: Vec<u8> = conn
            .query_row(
                "SELECT artifact FROM model_versions WHERE id = ?1",
                [registered.id],
                |r| r.get(0),
            )
            .unwrap();
        let i = bytes.len() / 2;
        bytes[i] ^= 1;
        conn.execute(
            "UPDATE model_versions SET artifact = ?1 WHERE id = ?2",
            rusqlite::params![bytes, registered.id],
        )
        .unwrap();
    }
    let tampered = catalog::record::load_model(&catalog, registered.id).unwrap_err();
    assert!(
        matches!(tampered, CatalogError::Tampered { version: 1, .. }),
        "{tampered:?}"
    );
    assert!(tampered.to_string().contains("does not match its checksum"));
}

#[test]
fn the_history_cannot_be_rewritten_even_with_sql() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.sqlite");
    let mut catalog = Catalog::open(&path).unwrap();
    catalog.register("churn", &version_with(vec![1])).unwrap();
    catalog
        .set_stage("churn", 1, Stage::Production, true, Some("launch"))
        .unwrap();
    drop(catalog);
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        "UPDATE stage_transitions SET comment = 'nothing happened'",
        "DELETE FROM stage_transitions WHERE to_stage = 'production'",
    ] {
        let error = conn.execute(sql, []).unwrap_err();
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    drop(conn);
    let history = Catalog::open(&path).unwrap().history("churn").unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].comment.as_deref(), Some("launch"));
}

#[test]
fn scoring_runs_are_recorded_per_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut catalog = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
    catalog.register("churn", &version_with(vec![1])).unwrap();
    let run = catalog::NewScoringRun {
        file_path: "/data/march.csv".into(),
        file_fingerprint: "a".repeat(64),
        rows: 1200,
        drift_json: r#"{"tenure":{"psi":0.02}}"#.into(),
        metrics_json: None,
    };
    let id = catalog.record_scoring_run("churn", 1, &run).unwrap();
    let runs = catalog.scoring_runs("churn", 1).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, id);
    assert_eq!(runs[0].rows, 1200);
    assert_eq!(runs[0].file_path, "/data/march.csv");
}

/// The timestamp format the catalog writes: UTC ISO-8601 with milliseconds.
#[test]
fn times_are_utc_iso_8601() {
    let dir = tempfile::tempdir().unwrap();
    let mut catalog = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
    catalog.register("churn", &version_with(vec![1])).unwrap();
    let created = catalog.version("churn", 1).unwrap().summary.created_at;
    assert_eq!(created.len(), "2026-01-02T03:04:05.678Z".len(), "{created}");
    assert!(
        created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
}
