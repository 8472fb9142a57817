//! A served version's live windows as MLflow metrics: one monitoring run per pushed version
//! ("monitoring penguins v2"), in the model's experiment, each window logged at its end time
//! (its step: the end in seconds since the epoch)
//! as `live_requests`, `live_rows`, `live_errors`, `live_latency_p50_ms`,
//! `live_latency_p99_ms`, `live_drifted_features` and, once labels came back,
//! `live_labelled_metric`. The run's tag `modeldesk.monitored_until` holds the end of the
//! last window logged, so each window is logged once.

use serde_json::{json, Value};

use super::client::MlflowClient;
use super::error::MlflowError;
use super::run_record::{epoch_ms, COMPLETE_TAG};
use crate::catalog::{Catalog, CatalogError, LiveWindow, NewLiveWindow};

/// The tag naming the MLflow version a monitoring run watches (`penguins/2`).
pub const MONITORING_TAG: &str = "modeldesk.monitoring";
/// The tag holding the end time of the last window logged.
const UNTIL_TAG: &str = "modeldesk.monitored_until";

/// Log the live windows of `model` not logged yet; returns how many were.
pub fn push_live_windows(
    catalog: &Catalog,
    client: &MlflowClient,
    model: &str,
) -> Result<usize, MlflowError> {
    let syncs = match catalog.mlflow_syncs(model, &client.uri()) {
        Ok(rows) => rows,
        Err(CatalogError::UnknownModel(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut logged = 0;
    for sync in &syncs {
        let windows = catalog.live_windows(model, Some(sync.version), None)?;
        if windows.is_empty() {
            continue;
        }
        let watched = format!("{}/{}", sync.mlflow_model, sync.mlflow_version);
        let existing = client
            .runs_tagged(&sync.experiment_id, MONITORING_TAG, &watched)?
            .into_iter()
            .next();
        let until = existing
            .as_ref()
            .and_then(|r| r.tag(UNTIL_TAG))
            .unwrap_or_default()
            .to_string();
        let fresh: Vec<&LiveWindow> = windows
            .iter()
            .filter(|w| w.ended_at.as_str() > until.as_str())
            .collect();
        let Some(last) = fresh.iter().map(|w| w.ended_at.clone()).max() else {
            continue;
        };
        let run_id = match existing {
            Some(run) => run.run_id,
            None => {
                let tags = vec![
                    (MONITORING_TAG.to_string(), watched.clone()),
                    ("modeldesk.version_of_run".into(), sync.run_id.clone()),
                    ("mlflow.source.name".into(), "modeldesk serve".into()),
                    (COMPLETE_TAG.into(), "true".into()),
                ];
                let name = format!("monitoring {} v{}", sync.mlflow_model, sync.mlflow_version);
                let started = fresh.iter().map(|w| epoch_ms(&w.started_at)).min();
                client
                    .create_run(&sync.experiment_id, &name, started.unwrap_or(0), &tags)?
                    .run_id
            }
        };
        let metrics: Vec<Value> = fresh.iter().flat_map(|w| window_metrics(w)).collect();
        client.log_batch(&run_id, &[], &metrics, &[])?;
        client.set_run_tag(&run_id, UNTIL_TAG, &last)?;
        logged += fresh.len();
    }
    Ok(logged)
}

/// One window's metrics, at its end time.
fn window_metrics(window: &LiveWindow) -> Vec<Value> {
    let at = epoch_ms(&window.ended_at);
    let drift: Vec<Value> = serde_json::from_str(&window.drift_json).unwrap_or_default();
    let drifted = drift
        .iter()
        .filter(|d| d["status"].as_str().is_some_and(|s| s != "stable"))
        .count();
    let seconds = (at - epoch_ms(&window.started_at)) as f64 / 1000.0;
    let mut values = vec![
        ("live_window_seconds", seconds),
        ("live_sampled_rows", window.sampled_rows as f64),
        ("live_labelled_rows", window.labelled_rows as f64),
        ("live_requests", window.requests as f64),
        ("live_rows", window.rows as f64),
        ("live_errors", window.errors as f64),
        ("live_latency_p50_ms", window.latency_p50_ms),
        ("live_latency_p99_ms", window.latency_p99_ms),
        ("live_drifted_features", drifted as f64),
    ];
    if let Some(metric) = window.labelled_metric {
        values.push(("live_labelled_metric", metric));
    }
    values
        .into_iter()
        .filter(|(_, v)| v.is_finite())
        .map(|(key, value)| json!({"key": key, "value": value, "timestamp": at, "step": at / 1000}))
        .collect()
}

/// The metrics a window is read back from, in [`window_metrics`]' names.
const READ_BACK: [&str; 9] = [
    "live_window_seconds",
    "live_sampled_rows",
    "live_labelled_rows",
    "live_requests",
    "live_rows",
    "live_errors",
    "live_latency_p50_ms",
    "live_latency_p99_ms",
    "live_labelled_metric",
];

/// The server named by windows read back from MLflow.
pub const FROM_MLFLOW: &str = "MLflow (monitoring run)";

/// Read the live windows of MLflow version `mlflow_version` of `model` (catalog version
/// `version`) back from its monitoring run into the catalog, as the server "MLflow
/// (monitoring run)": the windows other servers logged, so every desk that pulls sees them.
/// A window ending when one of the catalog's own does is its own, logged from here, and is
/// skipped. Drift comes back as the number of drifted features only. Returns how many came.
pub fn pull_live_windows(
    catalog: &mut Catalog,
    client: &MlflowClient,
    experiment_id: &str,
    model: &str,
    mlflow_version: &str,
    version: i64,
) -> Result<usize, MlflowError> {
    let watched = format!("{model}/{mlflow_version}");
    let Some(run) = client
        .runs_tagged(experiment_id, MONITORING_TAG, &watched)?
        .into_iter()
        .next()
    else {
        return Ok(0);
    };
    // Per window end (ms): each metric's value.
    let mut windows: std::collections::BTreeMap<i64, std::collections::HashMap<&str, f64>> =
        Default::default();
    for key in READ_BACK {
        let history = client.get(
            "/api/2.0/mlflow/metrics/get-history",
            &[("run_id", run.run_id.as_str()), ("metric_key", key)],
        )?;
        for point in history["metrics"].as_array().into_iter().flatten() {
            if let (Some(at), Some(value)) = (point["timestamp"].as_i64(), point["value"].as_f64())
            {
                windows.entry(at).or_default().insert(key, value);
            }
        }
    }
    let own: std::collections::HashSet<i64> = catalog
        .live_windows(model, Some(version), None)?
        .iter()
        .map(|w| epoch_ms(&w.ended_at))
        .collect();
    let mut read = 0;
    for (at, values) in windows {
        if own.contains(&at) {
            continue;
        }
        let get = |key: &str| values.get(key).copied().unwrap_or(0.0);
        let time = |ms: i64| {
            crate::catalog::iso_utc(
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64),
            )
        };
        let started = at - (get("live_window_seconds") * 1000.0) as i64;
        let window = NewLiveWindow {
            server: FROM_MLFLOW.to_string(),
            started_at: time(started),
            ended_at: time(at),
            requests: get("live_requests") as u64,
            rows: get("live_rows") as u64,
            errors: get("live_errors") as u64,
            latency_p50_ms: get("live_latency_p50_ms"),
            latency_p99_ms: get("live_latency_p99_ms"),
            sampled_rows: get("live_sampled_rows") as u64,
            drift_json: "[]".into(),
            labelled_rows: get("live_labelled_rows") as u64,
            labelled_metric: values.get("live_labelled_metric").copied(),
        };
        catalog.record_live_window(model, version, &window)?;
        read += 1;
    }
    Ok(read)
}
