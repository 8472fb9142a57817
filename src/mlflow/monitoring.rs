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
use crate::catalog::{Catalog, CatalogError, LiveWindow};

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
    let mut values = vec![
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
