//! `modeldesk serve`: a native scoring server that speaks MLflow's scoring protocol, answers
//! with the version its reference names now (following stage changes made elsewhere), and
//! watches its own traffic (live windows in the catalog, labels that arrive later).
//!
//! Built on axum over tokio: hyper underneath (the HTTP/1 implementation most Rust servers
//! use), routing and graceful shutdown included, and tokio already in the dependency tree.

mod follow;
mod metrics;
mod monitor;
mod request;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::catalog::iso_utc;
use crate::catalog::Catalog;
use crate::score::drift::Thresholds;
use crate::score::predict_table;
use follow::Following;
pub use follow::{Served, ServedState};
use metrics::Metrics;
use monitor::{Monitor, Predicted};

/// How a server runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub catalog: PathBuf,
    /// MODEL@STAGE (followed) or MODEL@VERSION.
    pub reference: String,
    pub host: String,
    pub port: u16,
    /// Requests must carry `Authorization: Bearer TOKEN` when set.
    pub token: Option<String>,
    pub max_body_bytes: usize,
    pub max_rows: usize,
    /// The length of a live window.
    pub window: Duration,
    /// Rows (and latencies) sampled per window and version.
    pub sample_rows: usize,
    /// How often the catalog is asked which version the reference names.
    pub poll: Duration,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
}

struct App {
    config: ServeConfig,
    following: Arc<Following>,
    monitor: Mutex<Monitor>,
    metrics: Metrics,
    /// "127.0.0.1:5001 pid 4242": who wrote a live window.
    server: String,
    next_id: AtomicU64,
    id_seed: u64,
}

/// Whether `host` only listens on this machine.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Serve until SIGTERM or Ctrl+C; in-flight requests finish and the last window is recorded.
/// `ready` hears the address once the server listens.
pub fn run(config: ServeConfig, ready: impl FnOnce(SocketAddr, &Served)) -> Result<(), ServeError> {
    if !is_loopback(&config.host) && config.token.is_none() {
        return Err(ServeError::Usage(format!(
            "serving on {} needs a token (--token-file FILE or MODELDESK_SERVE_TOKEN): \
             without one anybody who reaches the port could use the model",
            config.host
        )));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let following = follow::start(
        config.catalog.clone(),
        &config.reference,
        config.poll,
        stop.clone(),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Io(e.to_string()))?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
            .await
            .map_err(|e| ServeError::Io(format!("{}:{}: {e}", config.host, config.port)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::Io(e.to_string()))?;
        let app = Arc::new(App {
            server: format!("{addr} pid {}", std::process::id()),
            monitor: Mutex::new(Monitor::new(config.sample_rows)),
            metrics: Metrics::default(),
            following: following.clone(),
            next_id: AtomicU64::new(1),
            id_seed: SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
                ^ u64::from(std::process::id()) << 32,
            config: config.clone(),
        });
        if let ServedState::Ready(served) = following.current() {
            ready(addr, &served);
        }
        let windows = tokio::spawn(close_windows(app.clone()));
        let router = Router::new()
            .route("/invocations", post(invocations))
            .route("/labels", post(labels))
            .route("/ping", get(health))
            .route("/health", get(health))
            .route("/version", get(version))
            .route("/metadata", get(metadata))
            .route("/metrics", get(metrics_text))
            .fallback(not_found)
            .with_state(app.clone());
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| ServeError::Io(e.to_string()));
        windows.abort();
        // The window so far is recorded too: nothing seen is lost.
        let app_for_flush = app.clone();
        let _ = tokio::task::spawn_blocking(move || record_window(&app_for_flush)).await;
        served
    });
    stop.store(true, Ordering::Relaxed);
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

async fn close_windows(app: Arc<App>) {
    let mut ticks = tokio::time::interval(app.config.window);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let app = app.clone();
        let _ = tokio::task::spawn_blocking(move || record_window(&app)).await;
    }
}

/// Close the current window and record it in the catalog.
fn record_window(app: &App) {
    let closed = app
        .monitor
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .close();
    let records = closed.records(&app.server, &Thresholds::default());
    if records.is_empty() {
        return;
    }
    let written = Catalog::open(&app.config.catalog).and_then(|mut catalog| {
        for (served, record) in &records {
            catalog.record_live_window(&served.name, served.version, record)?;
        }
        Ok(())
    });
    if let Err(error) = written {
        eprintln!(
            "{}",
            json!({"event": "live_window_not_recorded", "error": error.to_string()})
        );
    }
}

/// An error answer in MLflow's shape.
fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({"error_code": code, "message": message.into()});
    (status, axum::Json(body)).into_response()
}

fn bad_request(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

fn authorised(app: &App, headers: &HeaderMap) -> bool {
    let Some(token) = &app.config.token else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compared in full whatever differs first, so timing says nothing about the token.
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn unauthorised() -> Response {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        "this server needs 'Authorization: Bearer TOKEN'",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// One access-log line on stderr, as JSON.
fn access_log(
    method: &Method,
    path: &str,
    status: u16,
    rows: u64,
    ms: f64,
    version: &str,
    id: &str,
) {
    eprintln!(
        "{}",
        json!({
            "time": iso_utc(SystemTime::now()),
            "method": method.as_str(),
            "path": path,
            "status": status,
            "rows": rows,
            "latency_ms": (ms * 1000.0).round() / 1000.0,
            "version": version,
            "request_id": id,
        })
    );
}

/// Answer a request of a plain endpoint, counted and logged.
fn finish(
    app: &App,
    method: &Method,
    path: &str,
    started: Instant,
    response: Response,
) -> Response {
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    app.metrics.record(path, status, seconds, 0);
    access_log(method, path, status, 0, seconds * 1e3, "", "");
    response
}

async fn health(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let response = if !authorised(&app, &headers) {
        unauthorised()
    } else {
        match app.following.current() {
            ServedState::Ready(served) => (
                StatusCode::OK,
                [("x-modeldesk-model", served.label())],
                "\n",
            )
                .into_response(),
            ServedState::Unavailable(why) => error(
                StatusCode::SERVICE_UNAVAILABLE,
                "TEMPORARILY_UNAVAILABLE",
                why,
            ),
        }
    };
    finish(&app, &method, uri.path(), started, response)
}

async fn version(State(app): State<Arc<App>>, method: Method, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let response = if authorised(&app, &headers) {
        env!("CARGO_PKG_VERSION").into_response()
    } else {
        unauthorised()
    };
    finish(&app, &method, "/version", started, response)
}

async fn metadata(State(app): State<Arc<App>>, method: Method, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let response = if !authorised(&app, &headers) {
        unauthorised()
    } else {
        match app.following.current() {
            ServedState::Ready(served) => {
                let model = &served.model;
                let inputs: Vec<Value> = model
                    .recipe
                    .columns
                    .iter()
                    .map(|c| match &c.step {
                        crate::ml::prep::FittedStep::Numeric { .. } => {
                            json!({"name": c.column, "type": "double"})
                        }
                        crate::ml::prep::FittedStep::OneHot { levels, .. } => {
                            json!({"name": c.column, "type": "string", "levels": levels})
                        }
                    })
                    .collect();
                axum::Json(json!({
                    "model": served.name,
                    "version": served.version,
                    "stage": served.stage.name(),
                    "reference": app.following.reference,
                    "follows_stage": app.following.follows_stage,
                    "algorithm": model.spec.name(),
                    "task": model.task.noun(),
                    "target": model.target,
                    "classes": model.classes,
                    "input_schema": inputs,
                    "modeldesk_version": env!("CARGO_PKG_VERSION"),
                }))
                .into_response()
            }
            ServedState::Unavailable(why) => error(
                StatusCode::SERVICE_UNAVAILABLE,
                "TEMPORARILY_UNAVAILABLE",
                why,
            ),
        }
    };
    finish(&app, &method, "/metadata", started, response)
}

async fn metrics_text(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if !authorised(&app, &headers) {
        return unauthorised();
    }
    let served = match app.following.current() {
        ServedState::Ready(s) => Some((s.name.clone(), s.version)),
        ServedState::Unavailable(_) => None,
    };
    let text = app
        .metrics
        .render(served.as_ref().map(|(n, v)| (n.as_str(), *v)));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

async fn not_found(State(app): State<Arc<App>>, method: Method, uri: Uri) -> Response {
    let started = Instant::now();
    let response = error(
        StatusCode::NOT_FOUND,
        "ENDPOINT_NOT_FOUND",
        format!("no endpoint {} {}", method, uri.path()),
    );
    finish(&app, &method, uri.path(), started, response)
}

/// Read the whole body, refusing one over the limit with 413.
async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, Response> {
    let limit = app.config.max_body_bytes;
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BAD_REQUEST",
            format!("the body is larger than {limit} bytes (--max-body-mb)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())
}

fn request_id(app: &App) -> String {
    let n = app.next_id.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:016x}",
        app.id_seed
            .wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    )
}

async fn invocations(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let id = request_id(&app);
    let snapshot = app.following.current();
    let label = match &snapshot {
        ServedState::Ready(served) => served.label(),
        ServedState::Unavailable(_) => String::new(),
    };
    let (mut response, rows) = answer(&app, &headers, body, &snapshot, &id, started).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    if let ServedState::Ready(served) = &snapshot {
        if status >= 400 && status != 401 {
            app.monitor
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .refused(served);
        }
    }
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&label) {
        if !label.is_empty() {
            h.insert("x-modeldesk-model", v);
        }
    }
    app.metrics.record("/invocations", status, seconds, rows);
    access_log(
        &Method::POST,
        "/invocations",
        status,
        rows,
        seconds * 1e3,
        &label,
        &id,
    );
    response
}

/// The answer to an invocation and how many rows it predicted.
async fn answer(
    app: &Arc<App>,
    headers: &HeaderMap,
    body: Body,
    snapshot: &ServedState,
    id: &str,
    started: Instant,
) -> (Response, u64) {
    if !authorised(app, headers) {
        return (unauthorised(), 0);
    }
    let served = match snapshot {
        ServedState::Ready(served) => served.clone(),
        ServedState::Unavailable(why) => {
            return (
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "TEMPORARILY_UNAVAILABLE",
                    why.clone(),
                ),
                0,
            )
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let csv = match content_type.as_str() {
        "application/json" => false,
        "text/csv" => true,
        other => {
            return (
                error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "BAD_REQUEST",
                    format!(
                        "content type '{other}' is not accepted: send application/json or text/csv"
                    ),
                ),
                0,
            )
        }
    };
    let bytes = match read_body(app, headers, body).await {
        Ok(bytes) => bytes,
        Err(response) => return (response, 0),
    };
    let model = served.model.clone();
    let max_rows = app.config.max_rows;
    let work = move || {
        let table = if csv {
            request::from_csv(&bytes, &model)
        } else {
            request::from_json(&bytes, &model)
        }
        .map_err(|e| e.0)?;
        if table.rows() == 0 {
            return Err("the request holds no rows".to_string());
        }
        if table.rows() > max_rows {
            return Err(format!(
                "the request holds {} rows; this server takes at most {max_rows} (--max-rows)",
                table.rows()
            ));
        }
        let predictions = predict_table(&model, &table).map_err(|e| e.to_string())?;
        Ok((table, predictions))
    };
    // Small requests are answered on the spot; large ones on a thread that may block.
    let outcome = if bytes_len_hint(headers) > 64 * 1024 {
        tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|e| Err(format!("the prediction failed: {e}")))
    } else {
        work()
    };
    let (table, predictions) = match outcome {
        Ok(done) => done,
        Err(message) => return (bad_request(message), 0),
    };
    let rows = table.rows() as u64;
    let model = &served.model;
    let (body, predicted) = if model.classes.is_empty() {
        let values: Vec<Option<f64>> = predictions
            .predicted_values
            .iter()
            .map(|v| v.is_finite().then_some(*v))
            .collect();
        (
            json!({"predictions": values}),
            Predicted::Values(predictions.predicted_values.clone()),
        )
    } else {
        let labels: Vec<String> = predictions
            .predicted_class
            .iter()
            .map(|&c| model.classes[c].clone())
            .collect();
        let probabilities: Vec<Vec<Option<f64>>> = predictions
            .proba
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|p| p.is_finite().then_some(*p)).collect())
            .collect();
        (
            json!({
                "predictions": labels,
                "probabilities": probabilities,
                "classes": model.classes,
            }),
            Predicted::Labels(labels),
        )
    };
    let mut body = body;
    body["request_id"] = json!(id);
    body["model"] = json!(served.name);
    body["version"] = json!(served.version);
    if !predictions.notices.is_empty() {
        body["notices"] = json!(predictions.notices);
    }
    let latency_ms = started.elapsed().as_secs_f64() * 1e3;
    app.monitor
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .answered(&served, id, &table, latency_ms, predicted);
    ((StatusCode::OK, axum::Json(body)).into_response(), rows)
}

fn bytes_len_hint(headers: &HeaderMap) -> usize {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX)
}

/// `POST /labels`: `{"request_ids": [...], "labels": [...]}`, one label per request (a list
/// of labels for a request of several rows).
async fn labels(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let response = label_answer(&app, &headers, body).await;
    finish(&app, &Method::POST, "/labels", started, response)
}

async fn label_answer(app: &Arc<App>, headers: &HeaderMap, body: Body) -> Response {
    if !authorised(app, headers) {
        return unauthorised();
    }
    let bytes = match read_body(app, headers, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return bad_request(format!("the body is not valid JSON: {e}")),
    };
    let (Some(Value::Array(ids)), Some(Value::Array(labels))) =
        (value.get("request_ids"), value.get("labels"))
    else {
        return bad_request("send {\"request_ids\": [...], \"labels\": [...]}");
    };
    if ids.len() != labels.len() {
        return bad_request(format!(
            "{} request ids but {} labels",
            ids.len(),
            labels.len()
        ));
    }
    let mut matched_rows = 0;
    let mut unknown = Vec::new();
    let mut monitor = app.monitor.lock().unwrap_or_else(|e| e.into_inner());
    for (id, label) in ids.iter().zip(labels) {
        let Some(id) = id.as_str() else {
            return bad_request(format!("request id {id} is not a string"));
        };
        let truth = match label {
            Value::Array(list) => list.clone(),
            one => vec![one.clone()],
        };
        match monitor.labelled(id, &truth) {
            Some(n) => matched_rows += n,
            None => unknown.push(id.to_string()),
        }
    }
    axum::Json(json!({"matched_rows": matched_rows, "unknown_request_ids": unknown}))
        .into_response()
}
