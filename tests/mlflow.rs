//! `modeldesk mlflow push` against a real MLflow tracking server (`support/mlflow.rs`, from the
//! tests' own virtualenv) through the real binary: a push, a second push that duplicates
//! nothing, `mlflow.pyfunc` and `mlflow models serve` predicting what `modeldesk score`
//! predicts, a stage change followed in MLflow, and a push stopped half-way then completed.

// The scoring server tests use the rest of this helper.
#[allow(dead_code)]
#[path = "support/http.rs"]
mod http;
#[path = "support/mlflow.rs"]
mod mlflow_server;
#[path = "support/python.rs"]
mod python;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mlflow_server::MlflowServer;
use serde_json::{json, Value};

fn modeldesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("MLFLOW_TRACKING_URI")
        .env_remove("MLFLOW_TRACKING_TOKEN")
        .env("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
        .output()
        .expect("run modeldesk")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}", text(&out));
    out
}

/// Every file under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A catalog with `penguins` v1 (logistic regression, Production) and v2 (decision tree).
fn penguins_catalog(dir: &Path) -> PathBuf {
    let catalog = dir.join("catalog.sqlite");
    let c = path_str(&catalog);
    ok(modeldesk(&[
        "train",
        "assets/penguins.csv",
        "--target",
        "species",
        "--register",
        "penguins",
        "--catalog",
        c,
    ]));
    ok(modeldesk(&[
        "train",
        "assets/penguins.csv",
        "--target",
        "species",
        "--algo",
        "decision_tree",
        "--register",
        "penguins",
        "--catalog",
        c,
    ]));
    ok(modeldesk(&[
        "stage",
        "penguins",
        "1",
        "production",
        "--catalog",
        c,
    ]));
    catalog
}

fn api(server: &MlflowServer, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let answer = http::request(
        server.port,
        method,
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(answer.status, 200, "{method} {path}: {}", answer.body);
    answer.json()
}

/// The runs of experiment `name` (live ones).
fn runs(server: &MlflowServer, name: &str) -> Vec<Value> {
    let experiment = api(
        server,
        "GET",
        &format!(
            "/api/2.0/mlflow/experiments/get-by-name?experiment_name={}",
            name.replace(' ', "%20").replace(':', "%3A")
        ),
        None,
    );
    let id = experiment["experiment"]["experiment_id"].clone();
    let found = api(
        server,
        "POST",
        "/api/2.0/mlflow/runs/search",
        Some(&json!({"experiment_ids": [id], "max_results": 1000})),
    );
    found["runs"].as_array().cloned().unwrap_or_default()
}

/// The versions of registered model `name`, by number.
fn model_versions(server: &MlflowServer, name: &str) -> Vec<Value> {
    let found = api(
        server,
        "GET",
        &format!("/api/2.0/mlflow/model-versions/search?filter=name%3D%27{name}%27"),
        None,
    );
    let mut versions = found["model_versions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    versions.sort_by_key(|v| v["version"].as_str().unwrap().parse::<i64>().unwrap());
    versions
}

fn alias(server: &MlflowServer, name: &str, alias: &str) -> Option<String> {
    let model = api(
        server,
        "GET",
        &format!("/api/2.0/mlflow/registered-models/get?name={name}"),
        None,
    );
    model["registered_model"]["aliases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["alias"] == alias)
        .map(|a| a["version"].as_str().unwrap().to_string())
}

fn tag<'a>(run: &'a Value, key: &str) -> Option<&'a str> {
    run["data"]["tags"]
        .as_array()?
        .iter()
        .find(|t| t["key"] == key)?["value"]
        .as_str()
}

/// Every row of every table of the catalog, as text.
fn catalog_rows(catalog: &Path) -> String {
    let conn = rusqlite::Connection::open(catalog).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for table in tables {
        let mut statement = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let width = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                (0..width)
                    .map(|i| row.get::<_, rusqlite::types::Value>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in rows {
            out.push_str(&format!("{table}: {:?}\n", row.unwrap()));
        }
    }
    out
}

fn sync_rows(catalog: &Path) -> i64 {
    rusqlite::Connection::open(catalog)
        .unwrap()
        .query_row("SELECT count(*) FROM mlflow_sync", [], |row| row.get(0))
        .unwrap()
}

/// `modeldesk score`'s predicted labels of `file` with `reference`.
fn scored_labels(catalog: &Path, reference: &str, file: &str, dir: &Path) -> Vec<String> {
    let out = dir.join(format!("scored-{}.csv", reference.replace('@', "-")));
    ok(modeldesk(&[
        "score",
        reference,
        file,
        "-o",
        path_str(&out),
        "--catalog",
        path_str(catalog),
    ]));
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "predicted")
        .expect("a predicted column");
    reader
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect()
}

fn labels_of(rows: &[Value], columns: &[Value]) -> Vec<String> {
    let at = columns
        .iter()
        .position(|c| c == "label")
        .expect("a label column");
    rows.iter()
        .map(|row| row[at].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_push_registers_each_version_once_and_mlflow_predicts_what_score_predicts() {
    let Some(python) = python::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = MlflowServer::start(&dir.path().join("mlflow"), &[]) else {
        return;
    };
    let catalog = penguins_catalog(dir.path());
    let c = path_str(&catalog);
    let uri = server.uri();

    let pushed = ok(modeldesk(&[
        "mlflow",
        "push",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        c,
    ]));
    let said = text(&pushed);
    assert!(said.contains("penguins version 1: pushed"), "{said}");
    assert!(said.contains("penguins version 2: pushed"), "{said}");
    assert!(
        said.contains("uploading model/MLmodel"),
        "progress on stderr: {said}"
    );
    let first_runs = runs(&server, "penguins");
    assert_eq!(first_runs.len(), 2);
    for run in &first_runs {
        assert_eq!(tag(run, "modeldesk.complete"), Some("true"));
        assert_eq!(run["info"]["status"], "FINISHED");
        assert_eq!(
            tag(run, "modeldesk.dataset_fingerprint").map(str::len),
            Some(64)
        );
        let metrics = run["data"]["metrics"].as_array().unwrap();
        assert!(metrics.iter().any(|m| m["key"] == "accuracy"), "{run}");
        let params = run["data"]["params"].as_array().unwrap();
        assert!(params.iter().any(|p| p["key"] == "recipe.island"), "{run}");
    }
    let versions = model_versions(&server, "penguins");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["current_stage"], "Production");
    assert_eq!(
        alias(&server, "penguins", "production").as_deref(),
        Some("1")
    );
    assert_eq!(alias(&server, "penguins", "staging"), None);
    assert_eq!(sync_rows(&catalog), 2);
    // What was pushed names the training file, not its folder (the server keeps the files in
    // its artifact store, under `mlflow/`).
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let (mut files, mut named) = (0, 0);
    for path in files_under(&dir.path().join("mlflow")) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if path.ends_with("report.html") || path.ends_with("version.json") {
            files += 1;
            named += usize::from(text.contains("penguins.csv"));
        }
        assert!(
            !text.contains(path_str(&folder)),
            "{} holds the training file's folder",
            path.display()
        );
    }
    assert_eq!(
        (files, named),
        (4, 4),
        "the reports and records of both versions"
    );

    // Again: nothing new in MLflow.
    let again = ok(modeldesk(&[
        "mlflow",
        "push",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        c,
        "--json",
    ]));
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(
        again["versions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["outcome"] == "up_to_date"),
        "{again}"
    );
    assert_eq!(runs(&server, "penguins").len(), 2);
    assert_eq!(model_versions(&server, "penguins").len(), 2);

    // mlflow.pyfunc loads the registered version and predicts score's labels.
    let scored = scored_labels(&catalog, "penguins@1", "assets/penguins.csv", dir.path());
    let out = Command::new(&python)
        .arg(python::script("mlflow_pyfunc.py"))
        .arg("models:/penguins/1")
        .arg("assets/penguins.csv")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("MLFLOW_TRACKING_URI", &uri)
        .env("MLFLOW_DISABLE_TELEMETRY", "true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let columns = answer["columns"].as_array().unwrap();
    assert_eq!(
        columns,
        &vec![
            json!("label"),
            json!("probability_Adelie"),
            json!("probability_Chinstrap"),
            json!("probability_Gentoo")
        ]
    );
    let rows = answer["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 344);
    assert_eq!(labels_of(rows, columns), scored);

    // A stage change in Modeldesk follows in MLflow: the alias moves, the stages change.
    let staged = ok(modeldesk(&[
        "stage",
        "penguins",
        "2",
        "production",
        "--archive-existing",
        "--tracking-uri",
        &uri,
        "--catalog",
        c,
    ]));
    assert!(
        text(&staged).contains("MLflow: penguins version 2 follows"),
        "{}",
        text(&staged)
    );
    assert_eq!(
        alias(&server, "penguins", "production").as_deref(),
        Some("2")
    );
    let versions = model_versions(&server, "penguins");
    assert_eq!(versions[0]["current_stage"], "Archived");
    assert_eq!(versions[1]["current_stage"], "Production");

    // `mlflow models serve` serves the registered version with the same labels.
    let scored = scored_labels(&catalog, "penguins@2", "assets/penguins.csv", dir.path());
    let served = serve_and_predict(&python, &uri, "models:/penguins/2", dir.path());
    assert_eq!(served, scored);
}

/// Start `mlflow models serve` on `model`, send it the penguins file as CSV, and return the
/// labels it answers.
fn serve_and_predict(python: &Path, uri: &str, model: &str, dir: &Path) -> Vec<String> {
    use std::os::unix::process::CommandExt;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(dir.join("serve.log")).unwrap();
    let mut child = Command::new(mlflow_server::mlflow_command(python))
        .args([
            "models",
            "serve",
            "-m",
            model,
            "--env-manager",
            "local",
            "-h",
            "127.0.0.1",
        ])
        .args(["-p", &port.to_string()])
        .env("MLFLOW_TRACKING_URI", uri)
        .env("MLFLOW_DISABLE_TELEMETRY", "true")
        .env(
            "PATH",
            format!(
                "{}:{}",
                python.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap();
    let stop = |child: &mut std::process::Child| {
        // The whole process group: `mlflow models serve` and the uvicorn it starts.
        let group = format!("-{}", child.id());
        let _ = Command::new("kill")
            .args(["-s", "TERM", "--", &group])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .status();
        let _ = child.wait();
    };
    let started = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http::request(port, "GET", "/ping", &[], b"").status == 200
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(90) || child.try_wait().unwrap().is_some() {
            stop(&mut child);
            panic!(
                "mlflow models serve did not start: {}",
                std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let csv =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/penguins.csv")).unwrap();
    let answer = http::request(
        port,
        "POST",
        "/invocations",
        &[("Content-Type", "text/csv")],
        &csv,
    );
    stop(&mut child);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_push_stopped_half_way_is_completed_by_the_next_and_marks_nothing_before() {
    if python::python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("mlflow");
    // This server refuses every model version, as a server would that dies after the run is
    // made: the run and its files are in, the registration is not.
    let Some(refusing) = MlflowServer::start(
        &state,
        &[(
            "MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX",
            "^refused-by-the-test$",
        )],
    ) else {
        return;
    };
    let catalog = penguins_catalog(dir.path());
    let c = path_str(&catalog);
    let before = catalog_rows(&catalog);
    let first = modeldesk(&[
        "mlflow",
        "push",
        "penguins@1",
        "--tracking-uri",
        &refusing.uri(),
        "--catalog",
        c,
    ]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let error = String::from_utf8_lossy(&first.stderr);
    let last = error.lines().last().unwrap();
    assert!(
        last.starts_with(&format!("modeldesk: the MLflow server refused {}/api/2.0/mlflow/model-versions/create: 400 INVALID_PARAMETER_VALUE", refusing.uri())),
        "{error}"
    );
    assert_eq!(sync_rows(&catalog), 0, "nothing is marked synced");
    assert!(catalog_rows(&catalog) == before, "the catalog is as it was");
    assert_eq!(runs(&refusing, "penguins").len(), 1);
    assert!(model_versions(&refusing, "penguins").is_empty());
    let port = refusing.port;
    refusing.stop();

    // The server is gone: one line naming it, and the catalog as it was.
    let unreachable = modeldesk(&[
        "mlflow",
        "push",
        "penguins@1",
        "--tracking-uri",
        &format!("http://127.0.0.1:{port}"),
        "--catalog",
        c,
    ]);
    assert_eq!(unreachable.status.code(), Some(1));
    let said = String::from_utf8_lossy(&unreachable.stderr);
    assert!(
        said.lines().last().unwrap().starts_with(&format!(
            "modeldesk: cannot reach the MLflow server at http://127.0.0.1:{port}/"
        )),
        "{said}"
    );
    assert!(catalog_rows(&catalog) == before, "the catalog is as it was");

    // A server on the same store takes the version: the run made before is completed, not
    // made again.
    let Some(server) = MlflowServer::start(&state, &[]) else {
        return;
    };
    let second = ok(modeldesk(&[
        "mlflow",
        "push",
        "penguins@1",
        "--tracking-uri",
        &server.uri(),
        "--catalog",
        c,
    ]));
    assert!(text(&second).contains("found run"), "{}", text(&second));
    let runs = runs(&server, "penguins");
    assert_eq!(runs.len(), 1);
    assert_eq!(tag(&runs[0], "modeldesk.complete"), Some("true"));
    let versions = model_versions(&server, "penguins");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["run_id"], runs[0]["info"]["run_id"]);
    assert_eq!(sync_rows(&catalog), 1);
    assert_eq!(
        alias(&server, "penguins", "production").as_deref(),
        Some("1")
    );

    // A stage change while the server is away is made in the catalog, and said not sent.
    let uri = server.uri();
    server.stop();
    let staged = modeldesk(&[
        "stage",
        "penguins",
        "1",
        "archived",
        "--tracking-uri",
        &uri,
        "--catalog",
        c,
    ]);
    assert_eq!(staged.status.code(), Some(1), "{}", text(&staged));
    let said = String::from_utf8_lossy(&staged.stderr);
    assert!(
        said.lines().last().unwrap().starts_with("modeldesk: the stage changed in the catalog but not in MLflow (cannot reach the MLflow server at"),
        "{said}"
    );
    let models = ok(modeldesk(&["models", "--json", "--catalog", c]));
    let models: Value = serde_json::from_slice(&models.stdout).unwrap();
    assert_eq!(models["models"][0]["versions"][0]["stage"], "archived");
}

/// The stage of `model` version `version` in `catalog`, and who last changed it.
fn stage_and_actor(catalog: &Path, model: &str, version: i64) -> (String, String) {
    let opened = modeldesk::catalog::Catalog::open(catalog).unwrap();
    let stage = opened.version(model, version).unwrap().summary.stage;
    let history = opened.history(model).unwrap();
    let last = history
        .iter()
        .filter(|e| e.version == version)
        .max_by_key(|e| e.id)
        .unwrap();
    (stage.name().to_string(), last.actor.clone())
}

#[test]
fn a_pull_imports_pushed_versions_and_follows_alias_changes_made_in_mlflow() {
    let Some(_python) = python::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = MlflowServer::start(&dir.path().join("mlflow"), &[]) else {
        return;
    };
    let uri = server.uri();
    let desk = penguins_catalog(dir.path());
    let d = path_str(&desk);
    ok(modeldesk(&[
        "mlflow",
        "push",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        d,
    ]));

    // Another desk, with a fresh catalog: both versions come in, v1 in Production.
    let other = dir.path().join("other.sqlite");
    let o = path_str(&other);
    let pulled = ok(modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        o,
        "--json",
    ]));
    let pulled: Value = serde_json::from_slice(&pulled.stdout).unwrap();
    let outcomes: Vec<&str> = pulled["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["imported", "imported"], "{pulled}");
    assert_eq!(stage_and_actor(&other, "penguins", 1).0, "production");
    assert_eq!(
        scored_labels(&other, "penguins@1", "assets/penguins.csv", dir.path()),
        scored_labels(&desk, "penguins@1", "assets/penguins.csv", dir.path()),
        "the pulled version predicts what the pushed one does"
    );
    // Pulling again brings nothing new.
    let again = text(&ok(modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        o,
    ])));
    assert_eq!(again.matches("up to date").count(), 2, "{again}");

    // In MLflow, a colleague moves `production` to version 2: the desk follows, MLflow named.
    api(
        &server,
        "POST",
        "/api/2.0/mlflow/registered-models/alias",
        Some(&json!({"name": "penguins", "alias": "production", "version": "2"})),
    );
    let followed = text(&ok(modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        d,
    ])));
    assert!(
        followed.contains("moved from None to Production"),
        "{followed}"
    );
    assert_eq!(
        stage_and_actor(&desk, "penguins", 2),
        ("production".to_string(), "MLflow".to_string())
    );
    assert_eq!(stage_and_actor(&desk, "penguins", 1).0, "none");

    // Changed on both sides: here v2 goes to Staging, there its alias is removed.
    ok(modeldesk(&[
        "stage",
        "penguins",
        "2",
        "staging",
        "--catalog",
        d,
    ]));
    api(
        &server,
        "DELETE",
        "/api/2.0/mlflow/registered-models/alias",
        Some(&json!({"name": "penguins", "alias": "production"})),
    );
    let conflict = modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        d,
    ]);
    assert!(!conflict.status.success());
    let said = text(&conflict);
    assert!(said.contains("changed on both sides"), "{said}");
    assert!(said.contains("here Staging, in MLflow None"), "{said}");
    assert_eq!(stage_and_actor(&desk, "penguins", 2).0, "staging");
    ok(modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        d,
        "--prefer",
        "mlflow",
    ]));
    assert_eq!(
        stage_and_actor(&desk, "penguins", 2),
        ("none".to_string(), "MLflow".to_string())
    );

    // Production here, sent with the change; then out of Production: the alias goes.
    let send = |stage: &str| {
        ok(modeldesk(&[
            "stage",
            "penguins",
            "2",
            stage,
            "--tracking-uri",
            &uri,
            "--catalog",
            d,
        ]))
    };
    send("production");
    assert_eq!(
        alias(&server, "penguins", "production").as_deref(),
        Some("2")
    );
    send("none");
    assert_eq!(alias(&server, "penguins", "production"), None);

    // A version Modeldesk did not make is listed, not imported.
    api(
        &server,
        "POST",
        "/api/2.0/mlflow/model-versions/create",
        Some(&json!({"name": "penguins", "source": "s3://models/penguins-xgb"})),
    );
    let listed = text(&ok(modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        o,
    ])));
    assert!(
        listed.contains("MLflow version 3: not made by Modeldesk (s3://models/penguins-xgb)"),
        "{listed}"
    );
    let opened = modeldesk::catalog::Catalog::open(&other).unwrap();
    assert!(opened.version("penguins", 2).is_ok());
    assert!(opened.version("penguins", 3).is_err(), "not imported");
}

#[test]
fn push_runs_sends_every_recorded_run_once_with_its_status() {
    let Some(_python) = python::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = MlflowServer::start(&dir.path().join("mlflow"), &[]) else {
        return;
    };
    let uri = server.uri();
    let desk = penguins_catalog(dir.path());
    let d = path_str(&desk);
    // A failed run on penguins too, as training records it.
    {
        use modeldesk::catalog::{Catalog, NewRun, RunStatus};
        let mut catalog = Catalog::open(&desk).unwrap();
        let dataset = catalog.version("penguins", 1).unwrap().dataset.unwrap();
        catalog
            .record_run(&NewRun {
                status: RunStatus::Failed,
                error: Some("naive Bayes failed: a class has one row".into()),
                algorithm: "naive_bayes".into(),
                target: "species".into(),
                spec_json: r#"{"algorithm":"naive_bayes"}"#.into(),
                trained: None,
                dataset,
                seconds: 0.2,
                app_version: "test".into(),
                created_by: "tester".into(),
            })
            .unwrap();
    }
    let push = || {
        let out = ok(modeldesk(&[
            "mlflow",
            "push",
            "--runs",
            "--dataset",
            "penguins",
            "--tracking-uri",
            &uri,
            "--catalog",
            d,
            "--json",
        ]));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let first = push();
    assert_eq!(first["runs"].as_array().unwrap().len(), 3, "{first}");
    let pushed = runs(&server, "Modeldesk runs: penguins");
    assert_eq!(pushed.len(), 3);
    let mut statuses: Vec<&str> = pushed
        .iter()
        .map(|r| r["info"]["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["FAILED", "FINISHED", "FINISHED"]);
    let failed = pushed
        .iter()
        .find(|r| r["info"]["status"] == "FAILED")
        .unwrap();
    assert_eq!(
        tag(failed, "modeldesk.error"),
        Some("naive Bayes failed: a class has one row")
    );
    let finished = pushed
        .iter()
        .find(|r| r["info"]["status"] == "FINISHED")
        .unwrap();
    let metrics = finished["data"]["metrics"].as_array().unwrap();
    assert!(metrics.iter().any(|m| m["key"] == "accuracy"), "{finished}");
    assert!(tag(finished, "modeldesk.registered_as").is_some());
    // Again: nothing new.
    let again = push();
    assert!(
        again["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["up_to_date"] == true),
        "{again}"
    );
    assert_eq!(runs(&server, "Modeldesk runs: penguins").len(), 3);
}

/// `modeldesk serve REFERENCE --port 0` on `catalog` with `extra` arguments; killed on drop.
struct Serving {
    child: std::process::Child,
    port: u16,
}

impl Serving {
    fn start(catalog: &Path, reference: &str, extra: &[&str]) -> Serving {
        use std::io::BufRead as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
            .args(["serve", reference, "--port", "0", "--catalog"])
            .arg(catalog)
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(port) = line.rsplit(':').next().and_then(|p| p.trim().parse().ok()) else {
            // The server stopped before it listened: say why.
            let mut stderr = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
            let _ = child.kill();
            panic!("no address in {line:?}; the server said: {stderr}");
        };
        // Its messages are not read from here on: let a thread drain them, so that a full
        // pipe never blocks it.
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || std::io::copy(&mut { stderr }, &mut std::io::sink()));
        Serving { child, port }
    }

    /// The version answering now, as `X-Modeldesk-Model` names it (`penguins/2`).
    fn answering(&self) -> String {
        let body = json!({"dataframe_split": {
            "columns": ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                "body_mass_g", "sex", "year"],
            "data": [["Biscoe", 46.5, 15.0, 215, 5000, "female", 2008]],
        }})
        .to_string();
        let answer = http::request(
            self.port,
            "POST",
            "/invocations",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer
            .header("x-modeldesk-model")
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_server_follows_the_production_alias_in_mlflow() {
    let Some(_python) = python::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = MlflowServer::start(&dir.path().join("mlflow"), &[]) else {
        return;
    };
    let uri = server.uri();
    let desk = penguins_catalog(dir.path());
    ok(modeldesk(&[
        "mlflow",
        "push",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        path_str(&desk),
    ]));
    // A serving host with a catalog of its own, empty: it takes the versions from MLflow.
    let host = dir.path().join("host.sqlite");
    let serving = Serving::start(
        &host,
        "penguins@production",
        &[
            "--tracking-uri",
            &uri,
            "--mlflow-poll",
            "1s",
            "--window",
            "1s",
        ],
    );
    assert_eq!(serving.answering(), "penguins/1");
    api(
        &server,
        "POST",
        "/api/2.0/mlflow/registered-models/alias",
        Some(&json!({"name": "penguins", "alias": "production", "version": "2"})),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while serving.answering() != "penguins/2" {
        assert!(Instant::now() < deadline, "the alias move was not followed");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Its live windows reach MLflow as one monitoring run per version.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let monitoring: Vec<Value> = runs(&server, "penguins")
            .into_iter()
            .filter(|r| tag(r, "modeldesk.monitoring").is_some())
            .collect();
        let watched: Vec<&str> = monitoring
            .iter()
            .filter_map(|r| tag(r, "modeldesk.monitoring"))
            .collect();
        let answered = monitoring.iter().any(|r| {
            r["data"]["metrics"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| m["key"] == "live_requests" && m["value"].as_f64() > Some(0.0))
        });
        if watched.contains(&"penguins/1") && watched.contains(&"penguins/2") && answered {
            break;
        }
        assert!(Instant::now() < deadline, "no monitoring runs: {watched:?}");
        serving.answering();
        std::thread::sleep(Duration::from_millis(300));
    }
    // And every desk that pulls sees them in its live view.
    let d = path_str(&desk);
    ok(modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        d,
    ]));
    let monitored = ok(modeldesk(&[
        "monitor",
        "penguins",
        "--json",
        "--catalog",
        d,
    ]));
    let monitored: Value = serde_json::from_slice(&monitored.stdout).unwrap();
    let windows = monitored["windows"].as_array().unwrap();
    assert!(
        windows
            .iter()
            .any(|w| w["server"] == "MLflow (monitoring run)" && w["requests"].as_u64() > Some(0)),
        "{monitored}"
    );
    // Pulled again, nothing is read twice.
    ok(modeldesk(&[
        "mlflow",
        "pull",
        "penguins",
        "--tracking-uri",
        &uri,
        "--catalog",
        d,
    ]));
    let again = ok(modeldesk(&[
        "monitor",
        "penguins",
        "--json",
        "--catalog",
        d,
    ]));
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(again["windows"].as_array().unwrap().len() >= windows.len());
    let ends = |v: &Value| -> Vec<String> {
        let mut ends: Vec<String> = v["windows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| format!("{}{}", w["version"], w["ended_at"]))
            .collect();
        let all = ends.len();
        ends.sort();
        ends.dedup();
        assert_eq!(ends.len(), all, "a window read twice: {v}");
        ends
    };
    ends(&again);
}

#[test]
fn a_push_cut_off_by_stopping_the_server_is_completed_by_the_next_with_nothing_twice() {
    use std::io::BufRead as _;
    if python::python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("mlflow");
    let Some(server) = MlflowServer::start(&state, &[]) else {
        return;
    };
    let catalog = penguins_catalog(dir.path());
    let c = path_str(&catalog);
    ok(modeldesk(&[
        "train",
        "assets/penguins.csv",
        "--target",
        "species",
        "--algo",
        "naive_bayes",
        "--register",
        "penguins",
        "--catalog",
        c,
    ]));
    // The server is stopped while version 2 is being pushed.
    let mut push = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args([
            "mlflow",
            "push",
            "penguins",
            "--tracking-uri",
            &server.uri(),
            "--catalog",
            c,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = Vec::new();
    let mut server = Some(server);
    for line in std::io::BufReader::new(push.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.contains("penguins v2: created run") {
            if let Some(server) = server.take() {
                server.stop();
            }
        }
        said.push(line);
    }
    let status = push.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{said:#?}");
    assert!(server.is_none(), "version 2 was never pushed: {said:#?}");
    assert!(
        said.last()
            .unwrap()
            .contains("cannot reach the MLflow server"),
        "{said:#?}"
    );
    // Only what was complete is marked: version 1, and version 2 when the stopping server
    // still answered its last requests; never version 3.
    let marked = sync_rows(&catalog);
    assert!((1..=2).contains(&marked), "{marked} versions marked");

    // Started again on the same store: the next push completes 2 and 3, and makes no run or
    // model version twice.
    let Some(again) = MlflowServer::start(&state, &[]) else {
        return;
    };
    let pushed = ok(modeldesk(&[
        "mlflow",
        "push",
        "penguins",
        "--tracking-uri",
        &again.uri(),
        "--catalog",
        c,
        "--json",
    ]));
    let pushed: Value = serde_json::from_slice(&pushed.stdout).unwrap();
    assert_eq!(pushed["versions"].as_array().unwrap().len(), 3, "{pushed}");
    let runs = runs(&again, "penguins");
    assert_eq!(runs.len(), 3, "one run a version");
    assert!(runs
        .iter()
        .all(|r| tag(r, "modeldesk.complete") == Some("true")));
    assert_eq!(model_versions(&again, "penguins").len(), 3);
}
