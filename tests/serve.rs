//! The scoring server through real HTTP on a loopback port: MLflow's input forms predict what
//! `modeldesk score` predicts, bad requests get 4xx answers in MLflow's error shape, stage
//! changes and roll backs made by another process are followed under load without a failed
//! or mixed answer, the token rule holds, and live windows are recorded on shutdown.

#[path = "support/http.rs"]
mod http;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{post_json, request};
use serde_json::{json, Value};

fn modeldesk(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run modeldesk");
    out
}

fn ok(args: &[&str]) -> String {
    let out = modeldesk(args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A catalog with penguins v1 (logistic regression, Production) and v2 (decision tree).
fn penguins_catalog() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let c = catalog.to_str().unwrap();
    for algo in ["logistic_regression", "decision_tree"] {
        ok(&[
            "train",
            "assets/penguins.csv",
            "--target",
            "species",
            "--algo",
            algo,
            "--holdout",
            "0.3",
            "--register",
            "penguins",
            "--catalog",
            c,
        ]);
    }
    ok(&["stage", "penguins", "1", "production", "--catalog", c]);
    (dir, catalog)
}

/// A running server, stopped by SIGTERM to its PID when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(catalog: &Path, reference: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
            .args(["serve", reference, "--port", "0", "--catalog"])
            .arg(catalog)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .rsplit(':')
            .next()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server { child, port }
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        terminate(&self.child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn terminate(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            terminate(&self.child);
            let _ = self.child.wait();
        }
    }
}

const COLUMNS: [&str; 7] = [
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
];

/// Rows as the CSV has them: a missing number, a missing category and an unseen island.
const ROWS: [[&str; 7]; 5] = [
    ["Torgersen", "39.1", "18.7", "181", "3750", "male", "2007"],
    ["Biscoe", "46.5", "15", "215", "5000", "female", "2008"],
    ["Dream", "49.1", "19.5", "195", "3900", "", "2009"],
    ["Dream", "", "17.9", "190", "3450", "female", "2008"],
    ["Atlantis", "45", "16", "200", "4000", "male", "2009"],
];

fn csv_body() -> String {
    let mut text = COLUMNS.join(",") + "\n";
    for row in ROWS {
        text += &(row.join(",") + "\n");
    }
    text
}

/// A JSON value for a cell: numbers as numbers, empty as null.
fn cell(column: usize, text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else if column == 0 || column == 5 {
        json!(text)
    } else {
        json!(text.parse::<f64>().unwrap())
    }
}

/// What `modeldesk score --digits 17` predicts for ROWS with version `version`.
fn scored(catalog: &Path, version: i64, dir: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let input = dir.join("rows.csv");
    std::fs::write(&input, csv_body()).unwrap();
    let out = dir.join(format!("scored-{version}.csv"));
    ok(&[
        "score",
        &format!("penguins@{version}"),
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--digits",
        "17",
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(out).unwrap();
    let mut labels = Vec::new();
    let mut probabilities = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let tail = &cells[COLUMNS.len()..];
        labels.push(tail[0].to_string());
        probabilities.push(tail[1..].iter().map(|p| p.parse().unwrap()).collect());
    }
    (labels, probabilities)
}

fn labels_and_probabilities(answer: &Value) -> (Vec<String>, Vec<Vec<f64>>) {
    let labels = answer["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let probabilities = answer["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_f64().unwrap())
                .collect()
        })
        .collect();
    (labels, probabilities)
}

#[test]
fn every_input_form_predicts_what_score_predicts() {
    let (dir, catalog) = penguins_catalog();
    let expected = scored(&catalog, 1, dir.path());
    let server = Server::start(&catalog, "penguins@production", &[]);
    let records: Vec<Value> = ROWS
        .iter()
        .map(|row| {
            Value::Object(
                COLUMNS
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (c.to_string(), cell(j, row[j])))
                    .collect(),
            )
        })
        .collect();
    let columnar: serde_json::Map<String, Value> = COLUMNS
        .iter()
        .enumerate()
        .map(|(j, c)| (c.to_string(), ROWS.iter().map(|r| cell(j, r[j])).collect()))
        .collect();
    let split = json!({"dataframe_split": {
        "columns": COLUMNS,
        "data": ROWS.iter().map(|r| (0..7).map(|j| cell(j, r[j])).collect::<Vec<_>>()).collect::<Vec<_>>(),
    }});
    // Numbers as strings and a numeric-looking year sent as text are read by the schema.
    let as_strings = json!({"dataframe_records": ROWS.iter().map(|row| {
        COLUMNS.iter().zip(row).map(|(c, v)| (c.to_string(), json!(v))).collect::<serde_json::Map<_, _>>()
    }).collect::<Vec<_>>()});
    let forms = [
        ("dataframe_split", split),
        (
            "dataframe_records",
            json!({"dataframe_records": records.clone()}),
        ),
        ("instances", json!({"instances": records})),
        ("inputs", json!({"inputs": columnar})),
        ("numbers as strings", as_strings),
    ];
    for (form, body) in forms {
        let answer = post_json(server.port, "/invocations", &body);
        assert_eq!(answer.status, 200, "{form}: {}", answer.body);
        assert_eq!(
            answer.header("x-modeldesk-model"),
            Some("penguins/1"),
            "{form}"
        );
        let json = answer.json();
        assert_eq!(labels_and_probabilities(&json), expected, "{form}");
        assert_eq!(json["classes"], json!(["Adelie", "Chinstrap", "Gentoo"]));
        assert_eq!(json["request_id"].as_str(), answer.header("x-request-id"));
        // The unseen island is answered as score answers it: all zeros, and said.
        assert!(
            json["notices"].to_string().contains("island"),
            "{form}: {json}"
        );
    }
    let csv = request(
        server.port,
        "POST",
        "/invocations",
        &[("Content-Type", "text/csv; charset=utf-8")],
        csv_body().as_bytes(),
    );
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(labels_and_probabilities(&csv.json()), expected);

    for path in ["/ping", "/health"] {
        assert_eq!(request(server.port, "GET", path, &[], b"").status, 200);
    }
    assert_eq!(
        request(server.port, "GET", "/version", &[], b"").body,
        env!("CARGO_PKG_VERSION")
    );
    let metadata = request(server.port, "GET", "/metadata", &[], b"").json();
    assert_eq!(metadata["version"], 1);
    assert_eq!(metadata["stage"], "production");
    assert_eq!(metadata["input_schema"].as_array().unwrap().len(), 7);
    let metrics = request(server.port, "GET", "/metrics", &[], b"").body;
    assert!(
        metrics.contains("modeldesk_requests_total{path=\"/invocations\",status=\"200\"} 6"),
        "{metrics}"
    );
    assert!(metrics.contains("modeldesk_rows_total 30"), "{metrics}");
    assert!(metrics.contains(
        "modeldesk_request_duration_seconds_bucket{path=\"/invocations\",le=\"+Inf\"} 6"
    ));
    assert!(server.stop().success());
}

#[test]
fn bad_requests_get_4xx_answers_in_mlflows_shape() {
    let (_dir, catalog) = penguins_catalog();
    let server = Server::start(
        &catalog,
        "penguins@1",
        &["--max-body-mb", "0.002", "--max-rows", "3"],
    );
    let json_type = [("Content-Type", "application/json")];
    let send = |body: &str| {
        request(
            server.port,
            "POST",
            "/invocations",
            &json_type,
            body.as_bytes(),
        )
    };
    let record = |island: Value, bill: Value| {
        json!({"island": island, "bill_length_mm": bill, "bill_depth_mm": 18.7,
               "flipper_length_mm": 181, "body_mass_g": 3750, "sex": "male", "year": 2007})
    };
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "malformed JSON",
            "{\"dataframe_records\": [".into(),
            400,
            "not valid JSON",
        ),
        (
            "a missing column",
            json!({"dataframe_split": {"columns": ["island"], "data": [["Dream"]]}}).to_string(),
            400,
            "bill_length_mm",
        ),
        (
            "a wrong type",
            json!({"dataframe_records": [record(json!("Dream"), json!("long"))]}).to_string(),
            400,
            "column 'bill_length_mm', row 0: 'long'",
        ),
        (
            "a list for a category",
            json!({"dataframe_records": [record(json!(["Dream"]), json!(39.1))]}).to_string(),
            400,
            "column 'island'",
        ),
        (
            "an empty batch",
            json!({"dataframe_records": []}).to_string(),
            400,
            "no rows",
        ),
        (
            "no input form",
            json!({"rows": []}).to_string(),
            400,
            "dataframe_split",
        ),
        (
            "too many rows",
            json!({"dataframe_records": vec![record(json!("Dream"), json!(39.1)); 4]}).to_string(),
            400,
            "at most 3",
        ),
        (
            "a body over the limit",
            json!({"dataframe_records": vec![record(json!("Dream"), json!(39.1)); 30]}).to_string(),
            413,
            "larger than 2000 bytes",
        ),
    ];
    for (what, body, status, needle) in cases {
        let answer = send(&body);
        assert_eq!(answer.status, status, "{what}: {}", answer.body);
        let json = answer.json();
        assert_eq!(json["error_code"], "BAD_REQUEST", "{what}");
        let message = json["message"].as_str().unwrap();
        assert!(message.contains(needle), "{what}: {message}");
    }
    let wrong_type = request(
        server.port,
        "POST",
        "/invocations",
        &[("Content-Type", "text/plain")],
        b"x",
    );
    assert_eq!(wrong_type.status, 415);
    assert_eq!(wrong_type.json()["error_code"], "BAD_REQUEST");
    let unknown = request(server.port, "GET", "/nothing", &[], b"");
    assert_eq!(unknown.status, 404);
    // An unseen level is no error: it is answered as `score` answers it.
    let unseen =
        send(&json!({"dataframe_records": [record(json!("Atlantis"), json!(39.1))]}).to_string());
    assert_eq!(unseen.status, 200, "{}", unseen.body);
    // The server still answers after all that.
    assert_eq!(request(server.port, "GET", "/ping", &[], b"").status, 200);
    assert!(server.stop().success());
}

#[test]
fn stage_changes_and_roll_backs_are_followed_under_load() {
    let (dir, catalog) = penguins_catalog();
    let expected = [
        scored(&catalog, 1, dir.path()),
        scored(&catalog, 2, dir.path()),
    ];
    let server = Server::start(&catalog, "penguins@production", &[]);
    let port = server.port;
    let body = json!({"dataframe_split": {
        "columns": COLUMNS,
        "data": ROWS.iter().map(|r| (0..7).map(|j| cell(j, r[j])).collect::<Vec<_>>()).collect::<Vec<_>>(),
    }});
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (stop, body, expected) = (stop.clone(), body.clone(), expected.clone());
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let answer = post_json(port, "/invocations", &body);
                    assert_eq!(answer.status, 200, "{}", answer.body);
                    let json = answer.json();
                    let version = json["version"].as_i64().unwrap();
                    // The header, the body and the predictions all come from one version.
                    assert_eq!(
                        answer.header("x-modeldesk-model"),
                        Some(format!("penguins/{version}").as_str())
                    );
                    assert_eq!(
                        labels_and_probabilities(&json),
                        expected[version as usize - 1],
                        "version {version}"
                    );
                    seen.push(version);
                }
                seen
            })
        })
        .collect();
    let c = catalog.to_str().unwrap();
    let served_now = || {
        request(port, "GET", "/metadata", &[], b"").json()["version"]
            .as_i64()
            .unwrap_or(0)
    };
    let wait_for = |version: i64| {
        let started = Instant::now();
        while served_now() != version {
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "version {version} not served within 2 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        started.elapsed()
    };
    std::thread::sleep(Duration::from_millis(500));
    ok(&[
        "stage",
        "penguins",
        "2",
        "production",
        "--archive-existing",
        "--catalog",
        c,
    ]);
    let promoted = wait_for(2);
    std::thread::sleep(Duration::from_millis(500));
    ok(&["rollback", "penguins", "--catalog", c]);
    let rolled_back = wait_for(1);
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let seen: Vec<i64> = clients
        .into_iter()
        .flat_map(|c| c.join().expect("a client failed"))
        .collect();
    assert!(seen.contains(&1) && seen.contains(&2), "{seen:?}");
    eprintln!(
        "{} answers; promotion followed in {promoted:?}, roll back in {rolled_back:?}",
        seen.len()
    );
    // No version in Production: 503 with the reason.
    ok(&["stage", "penguins", "1", "archived", "--catalog", c]);
    let started = Instant::now();
    loop {
        let answer = post_json(port, "/invocations", &body);
        if answer.status == 503 {
            assert_eq!(answer.json()["error_code"], "TEMPORARILY_UNAVAILABLE");
            assert!(answer.json()["message"]
                .as_str()
                .unwrap()
                .contains("Production"));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{}",
            answer.body
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(request(port, "GET", "/health", &[], b"").status, 503);
    assert!(server.stop().success());
}

#[test]
fn a_token_is_needed_when_given_and_beyond_loopback() {
    let (dir, catalog) = penguins_catalog();
    let refused = modeldesk(&[
        "serve",
        "penguins@1",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs a token"));
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let server = Server::start(
        &catalog,
        "penguins@1",
        &["--token-file", token.to_str().unwrap()],
    );
    let body = json!({"dataframe_records": [{"island": "Dream", "bill_length_mm": 39.1,
        "bill_depth_mm": 18.7, "flipper_length_mm": 181, "body_mass_g": 3750, "sex": "male", "year": 2007}]})
    .to_string();
    let send = |auth: Option<&str>| {
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = auth {
            headers.push(("Authorization", a));
        }
        request(
            server.port,
            "POST",
            "/invocations",
            &headers,
            body.as_bytes(),
        )
    };
    assert_eq!(send(None).status, 401);
    assert_eq!(send(None).json()["error_code"], "UNAUTHENTICATED");
    assert_eq!(send(Some("Bearer wrong!")).status, 401);
    assert_eq!(send(Some("Bearer s3cret")).status, 200);
    assert_eq!(
        request(server.port, "GET", "/metadata", &[], b"").status,
        401
    );
    assert!(server.stop().success());
}

#[test]
fn live_windows_are_recorded_with_labels_and_read_back() {
    let (_dir, catalog) = penguins_catalog();
    let c = catalog.to_str().unwrap();
    // Two servers on one catalog, each writing its own windows.
    let servers = [
        Server::start(
            &catalog,
            "penguins@1",
            &["--window", "1h", "--sample-rows", "100"],
        ),
        Server::start(
            &catalog,
            "penguins@1",
            &["--window", "1h", "--sample-rows", "100"],
        ),
    ];
    let rows: Vec<Value> = (0..150)
        .map(|i| {
            let island = ["Torgersen", "Biscoe", "Dream"][i % 3];
            json!({"island": island, "bill_length_mm": 35.0 + (i % 20) as f64,
                   "bill_depth_mm": 17.0, "flipper_length_mm": 190, "body_mass_g": 4000, "sex": "male", "year": 2008})
        })
        .collect();
    let mut ids = Vec::new();
    for (k, server) in servers.iter().enumerate() {
        for chunk in rows.chunks(10) {
            let answer = post_json(
                server.port,
                "/invocations",
                &json!({"dataframe_records": chunk}),
            );
            assert_eq!(answer.status, 200, "{}", answer.body);
            if k == 0 {
                ids.push(answer.json()["request_id"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(
            post_json(server.port, "/invocations", &json!({"inputs": []})).status,
            400
        );
    }
    // Labels of the first server's first request arrive later: every row called "Adelie".
    let labelled = post_json(
        servers[0].port,
        "/labels",
        &json!({"request_ids": [ids[0], "unknown-id"], "labels": [vec!["Adelie"; 10], json!("Gentoo")]}),
    );
    assert_eq!(labelled.status, 200, "{}", labelled.body);
    assert_eq!(labelled.json()["matched_rows"], 10);
    assert_eq!(
        labelled.json()["unknown_request_ids"],
        json!(["unknown-id"])
    );
    for server in servers {
        assert!(server.stop().success());
    }
    let out = ok(&[
        "monitor",
        "penguins@1",
        "--since",
        "1h",
        "--json",
        "--catalog",
        c,
    ]);
    let monitor: Value = serde_json::from_str(&out).unwrap();
    let windows = monitor["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2, "{monitor}");
    for window in windows {
        assert_eq!(window["requests"], 15);
        assert_eq!(window["rows"], 150);
        assert_eq!(window["errors"], 1);
        // The sample stays within its bound whatever the traffic.
        assert_eq!(window["sampled_rows"], 100);
        assert_eq!(window["drift"].as_array().unwrap().len(), 7, "{window}");
        assert!(
            window["latency_p99_ms"].as_f64().unwrap()
                >= window["latency_p50_ms"].as_f64().unwrap()
        );
    }
    let with_labels: Vec<&Value> = windows
        .iter()
        .filter(|w| w["labelled_rows"] == 10)
        .collect();
    assert_eq!(with_labels.len(), 1, "{monitor}");
    let accuracy = with_labels[0]["labelled_metric"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&accuracy));
    let text = ok(&["monitor", "penguins", "--catalog", c]);
    assert!(text.lines().count() >= 3, "{text}");
    assert!(
        ok(&[
            "monitor",
            "penguins",
            "--since",
            "2000-01-01",
            "--catalog",
            c
        ])
        .lines()
        .count()
            >= 3
    );
    let bad = modeldesk(&["monitor", "penguins", "--since", "lately", "--catalog", c]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_request_in_flight_when_sigterm_arrives_is_answered_before_the_server_stops() {
    let (_dir, catalog) = penguins_catalog();
    let server = Server::start(&catalog, "penguins@1", &["--max-rows", "200000"]);
    let port = server.port;
    // A batch big enough to take a while: 100,000 rows as CSV.
    let mut body = COLUMNS.join(",") + "\n";
    for i in 0..100_000 {
        body += &(ROWS[i % 4].join(",") + "\n");
    }
    let client = std::thread::spawn(move || {
        let answer = request(
            port,
            "POST",
            "/invocations",
            &[("Content-Type", "text/csv")],
            body.as_bytes(),
        );
        (answer, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(100));
    let terminated = Instant::now();
    let status = server.stop();
    let (answer, answered) = client.join().unwrap();
    assert!(status.success());
    // Otherwise this test would show nothing: the answer came after the signal.
    assert!(answered > terminated, "answered before SIGTERM was sent");
    assert_eq!(
        answer.status,
        200,
        "{}",
        &answer.body[..answer.body.len().min(300)]
    );
    assert_eq!(
        answer.json()["predictions"].as_array().unwrap().len(),
        100_000
    );
    // Its rows are in the window recorded on the way out.
    let out = ok(&[
        "monitor",
        "penguins@1",
        "--json",
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    let monitor: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(monitor["windows"][0]["rows"], 100_000, "{monitor}");
}
