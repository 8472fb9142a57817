//! The client against a tiny local HTTP server that answers from a script and records what
//! it was sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;

/// A server answering each request with the next (status, body) of `script` (the last one
/// repeated), recording each request's head.
fn stub(script: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (record, answered, script) = (record.clone(), answered.clone(), script.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                // One connection may carry several requests.
                loop {
                    let mut head = String::new();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            break;
                        }
                        if let Some(value) =
                            line.to_ascii_lowercase().strip_prefix("content-length:")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push_str(&line);
                    }
                    if head.is_empty() {
                        break;
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    record.lock().unwrap().push(head);
                    let turn = answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let (status, text) = script[turn.min(script.len() - 1)];
                    let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
                    text.len()
                );
                    if writer.write_all(answer.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    (format!("http://127.0.0.1:{port}"), seen)
}

fn settings(uri: &str, auth: Auth) -> Settings {
    Settings {
        uri: uri.to_string(),
        auth,
        ca_certs: None,
        insecure_tls: false,
        timeout: Duration::from_secs(5),
        tries: 3,
        backoff: Duration::from_millis(10),
    }
}

fn client(uri: &str) -> MlflowClient {
    MlflowClient::new(settings(uri, Auth::None)).unwrap()
}

#[test]
fn server_errors_are_tried_again_until_one_succeeds() {
    let (uri, seen) = stub(vec![
        (503, "busy"),
        (502, "busy"),
        (200, r#"{"experiment_id": "7"}"#),
    ]);
    let answer = client(&uri)
        .post(
            "/api/2.0/mlflow/experiments/create",
            &serde_json::json!({"name": "x"}),
        )
        .unwrap();
    assert_eq!(answer["experiment_id"], "7");
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn server_errors_give_up_after_the_last_try() {
    let (uri, seen) = stub(vec![(
        500,
        r#"{"error_code": "INTERNAL_ERROR", "message": "database is locked"}"#,
    )]);
    let error = client(&uri)
        .get("/api/2.0/mlflow/experiments/get", &[("experiment_id", "1")])
        .unwrap_err();
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert_eq!(
        error.to_string(),
        format!(
            "the MLflow server failed at {uri}/api/2.0/mlflow/experiments/get: 500 INTERNAL_ERROR: database is locked (tried 3 times)"
        )
    );
}

#[test]
fn a_refusal_is_not_tried_again_and_names_mlflows_code() {
    let (uri, seen) = stub(vec![(
        404,
        r#"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model with name=churn not found"}"#,
    )]);
    let error = client(&uri)
        .get(
            "/api/2.0/mlflow/registered-models/get",
            &[("name", "churn")],
        )
        .unwrap_err();
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(error.is_not_found());
    assert_eq!(error.code(), Some("RESOURCE_DOES_NOT_EXIST"));
    let text = error.to_string();
    assert!(
        text.contains(&format!("{uri}/api/2.0/mlflow/registered-models/get")),
        "{text}"
    );
    assert!(text.contains("404 RESOURCE_DOES_NOT_EXIST"), "{text}");
    assert!(!text.contains('\n'));
}

#[test]
fn credentials_are_sent_as_mlflow_sends_them_and_never_shown() {
    let (uri, seen) = stub(vec![(401, "Unauthorized")]);
    let bearer = MlflowClient::new(settings(&uri, Auth::Bearer("s3cret-token".into()))).unwrap();
    let error = bearer
        .get("/api/2.0/mlflow/experiments/search", &[])
        .unwrap_err();
    assert!(!error.to_string().contains("s3cret"));
    let basic = MlflowClient::new(settings(
        &uri,
        Auth::Basic {
            user: "ana".into(),
            password: "pw".into(),
        },
    ))
    .unwrap();
    let _ = basic.get("/api/2.0/mlflow/experiments/search", &[]);
    let heads = seen.lock().unwrap();
    assert!(
        heads[0].contains("authorization: Bearer s3cret-token")
            || heads[0].contains("Authorization: Bearer s3cret-token"),
        "{}",
        heads[0]
    );
    // base64("ana:pw")
    assert!(
        heads[1]
            .to_ascii_lowercase()
            .contains("authorization: basic yw5honb3"),
        "{}",
        heads[1]
    );
    assert!(!format!("{:?}", bearer.settings).contains("s3cret"));
}

#[test]
fn an_unreachable_server_is_one_line_with_the_url() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("http://127.0.0.1:{port}");
    let error = client(&uri).server_version().unwrap_err();
    assert!(matches!(error, MlflowError::Unreachable { .. }), "{error}");
    assert!(error
        .to_string()
        .starts_with(&format!("cannot reach the MLflow server at {uri}/version")));
}

#[test]
fn a_silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut slow = settings(&uri, Auth::None);
    slow.timeout = Duration::from_secs(1);
    let error = MlflowClient::new(slow)
        .unwrap()
        .server_version()
        .unwrap_err();
    drop(listener);
    assert!(
        matches!(error, MlflowError::Timeout { seconds: 1, .. }),
        "{error}"
    );
}

#[test]
fn uris_are_checked_and_credentials_left_out_of_messages() {
    assert_eq!(normalise_uri("http://h:5000/").unwrap(), "http://h:5000");
    assert!(matches!(
        normalise_uri("file:///tmp/mlruns"),
        Err(MlflowError::BadUri(_))
    ));
    assert!(matches!(
        normalise_uri("databricks"),
        Err(MlflowError::BadUri(_))
    ));
    assert_eq!(shown("https://ana:pw@h/api/x"), "https://h/api/x");
    assert_eq!(base64(b"ana:pw"), "YW5hOnB3");
    assert_eq!(base64(b"a"), "YQ==");
}

#[test]
fn a_token_file_is_sent_as_the_bearer_token() {
    let (uri, seen) = stub(vec![(200, "{}")]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "from-a-file\n").unwrap();
    let from_file = settings(&uri, Auth::None).with_token_file(&file).unwrap();
    let client = MlflowClient::new(from_file).unwrap();
    client
        .get("/api/2.0/mlflow/experiments/search", &[])
        .unwrap();
    let heads = seen.lock().unwrap();
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains("authorization: bearer from-a-file"),
        "{}",
        heads[0]
    );
    std::fs::write(&file, " \n").unwrap();
    let empty = settings(&uri, Auth::None)
        .with_token_file(&file)
        .unwrap_err();
    assert!(empty.to_string().contains("is empty"), "{empty}");
    let missing = settings(&uri, Auth::None)
        .with_token_file(&dir.path().join("nothing"))
        .unwrap_err();
    assert!(missing.to_string().contains("the token file"), "{missing}");
}
