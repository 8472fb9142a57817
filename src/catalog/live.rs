//! Live windows: what a scoring server saw of one version during one window of time —
//! requests, rows, errors, latency, the drift of a sample of the rows and, when labels came
//! back, how right the predictions were. Each server writes each of its windows once.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::BTreeMap;

use super::lookup::{locate, model_id};
use super::{Catalog, CatalogError};

/// A live window to record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewLiveWindow {
    /// The server that saw it ("127.0.0.1:5001 pid 4242").
    pub server: String,
    /// UTC, ISO-8601.
    pub started_at: String,
    pub ended_at: String,
    pub requests: u64,
    pub rows: u64,
    pub errors: u64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub sampled_rows: u64,
    /// Drift per feature of the sampled rows (`score::drift::FeatureDrift` as a JSON array).
    pub drift_json: String,
    pub labelled_rows: u64,
    /// Accuracy or RMSE over the labelled rows.
    pub labelled_metric: Option<f64>,
}

/// A recorded live window: the window as it was recorded, and the version it belongs to.
/// Its fields read as the window's own (`window.requests`), and serialize side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveWindow {
    pub id: i64,
    pub model: String,
    pub version: i64,
    #[serde(flatten)]
    pub window: NewLiveWindow,
}

impl std::ops::Deref for LiveWindow {
    type Target = NewLiveWindow;

    fn deref(&self) -> &NewLiveWindow {
        &self.window
    }
}

/// A feature that crossed a drift threshold in a model's latest live window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveAlert {
    pub column: String,
    /// "warning" or "drift".
    pub status: String,
    pub psi: Option<f64>,
    /// The version whose window it was.
    pub version: i64,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Catalog {
    /// Record a live window of version `version` of `model`; returns its id. A window the
    /// same server already recorded (same start) is not recorded twice: its id is returned.
    pub fn record_live_window(
        &mut self,
        model: &str,
        version: i64,
        window: &NewLiveWindow,
    ) -> Result<i64, CatalogError> {
        self.write(|tx| {
            let found = locate(tx, model, version)?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO live_windows (version_id, server, started_at, ended_at,
                         requests, rows, errors, latency_p50_ms, latency_p99_ms, sampled_rows,
                         drift_json, labelled_rows, labelled_metric)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (server, version_id, started_at) DO NOTHING",
                )?
                .execute(params![
                    found.id,
                    window.server,
                    window.started_at,
                    window.ended_at,
                    count(window.requests),
                    count(window.rows),
                    count(window.errors),
                    window.latency_p50_ms,
                    window.latency_p99_ms,
                    count(window.sampled_rows),
                    window.drift_json,
                    count(window.labelled_rows),
                    window.labelled_metric,
                ])?;
            if inserted == 1 {
                return Ok(tx.last_insert_rowid());
            }
            let existing: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM live_windows
                     WHERE server = ?1 AND version_id = ?2 AND started_at = ?3",
                )?
                .query_row(params![window.server, found.id, window.started_at], |r| {
                    r.get(0)
                })
                .optional()?;
            Ok(existing.unwrap_or_default())
        })
    }

    /// The live windows of `model` (of one version, or of all), ending at or after `since`
    /// (UTC, ISO-8601), oldest first.
    pub fn live_windows(
        &self,
        model: &str,
        version: Option<i64>,
        since: Option<&str>,
    ) -> Result<Vec<LiveWindow>, CatalogError> {
        let version_id = match version {
            Some(v) => Some(locate(self.conn(), model, v)?.id),
            None => {
                // An unknown model is an error, not an empty list.
                model_id(self.conn(), model)?;
                None
            }
        };
        let mut statement = self.conn().prepare_cached(
            "SELECT w.id, m.name, v.version, w.server, w.started_at, w.ended_at, w.requests,
                    w.rows, w.errors, w.latency_p50_ms, w.latency_p99_ms, w.sampled_rows,
                    w.drift_json, w.labelled_rows, w.labelled_metric
             FROM live_windows w
             JOIN model_versions v ON v.id = w.version_id
             JOIN registered_models m ON m.id = v.model_id
             WHERE m.name = ?1 AND (?2 IS NULL OR v.id = ?2) AND (?3 IS NULL OR w.ended_at >= ?3)
             ORDER BY w.ended_at, w.id",
        )?;
        let rows = statement.query_map(params![model, version_id, since], |row| {
            let n = |i: usize| -> rusqlite::Result<u64> { Ok(row.get::<_, i64>(i)?.max(0) as u64) };
            Ok(LiveWindow {
                id: row.get(0)?,
                model: row.get(1)?,
                version: row.get(2)?,
                window: NewLiveWindow {
                    server: row.get(3)?,
                    started_at: row.get(4)?,
                    ended_at: row.get(5)?,
                    requests: n(6)?,
                    rows: n(7)?,
                    errors: n(8)?,
                    latency_p50_ms: row.get(9)?,
                    latency_p99_ms: row.get(10)?,
                    sampled_rows: n(11)?,
                    drift_json: row.get(12)?,
                    labelled_rows: n(13)?,
                    labelled_metric: row.get(14)?,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The features at warning or drift in each model's latest live window that measured
    /// drift (of any version not deleted), by model name; a model whose latest such window
    /// is stable, or that has none, is not listed. A window that sampled too few rows to
    /// measure drift (an empty array) says nothing either way, so it does not clear an alert.
    pub fn live_alerts(&self) -> Result<BTreeMap<String, Vec<LiveAlert>>, CatalogError> {
        let mut statement = self.conn().prepare_cached(
            "SELECT m.name, v.version, w.drift_json
             FROM registered_models m
             JOIN live_windows w ON w.id = (
                 SELECT w2.id FROM live_windows w2
                 JOIN model_versions v2 ON v2.id = w2.version_id
                 WHERE v2.model_id = m.id AND v2.deleted_at IS NULL
                   AND json_array_length(w2.drift_json) > 0
                 ORDER BY w2.ended_at DESC, w2.id DESC LIMIT 1)
             JOIN model_versions v ON v.id = w.version_id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut alerts = BTreeMap::new();
        for row in rows {
            let (model, version, drift_json) = row?;
            let crossed = crossed_features(&drift_json, version);
            if !crossed.is_empty() {
                alerts.insert(model, crossed);
            }
        }
        Ok(alerts)
    }
}

/// The features of a window's drift JSON that are not stable; a window whose drift does not
/// read has none (the server writes it, an older one may have written less).
fn crossed_features(drift_json: &str, version: i64) -> Vec<LiveAlert> {
    let drift: Vec<serde_json::Value> = serde_json::from_str(drift_json).unwrap_or_default();
    drift
        .iter()
        .filter_map(|feature| {
            let status = feature["status"].as_str()?;
            (status == "warning" || status == "drift").then(|| LiveAlert {
                column: feature["column"].as_str().unwrap_or("?").to_string(),
                status: status.to_string(),
                psi: feature["psi"].as_f64(),
                version,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{sample_version, temp_catalog};

    fn window(end: &str, drift: &str) -> NewLiveWindow {
        NewLiveWindow {
            server: "127.0.0.1:5001 pid 1".into(),
            started_at: format!("{end}-start"),
            ended_at: end.into(),
            requests: 10,
            rows: 10,
            errors: 0,
            latency_p50_ms: 1.0,
            latency_p99_ms: 2.0,
            sampled_rows: 10,
            drift_json: drift.into(),
            labelled_rows: 0,
            labelled_metric: None,
        }
    }

    #[test]
    fn alerts_name_the_crossed_features_of_each_models_latest_window() {
        let (_dir, mut catalog) = temp_catalog();
        for model in ["churn", "iris"] {
            catalog
                .register(model, &sample_version(0.9))
                .expect("registered");
            catalog
                .register(model, &sample_version(0.8))
                .expect("registered");
        }
        let drifted = r#"[{"column":"age","psi":0.31,"status":"drift"},
                          {"column":"plan","psi":0.12,"status":"warning"},
                          {"column":"tenure","psi":0.01,"status":"stable"}]"#;
        let stable = r#"[{"column":"age","psi":0.01,"status":"stable"}]"#;
        // churn: a stable window of v1, then a newer window of v2 with drift.
        let record = |catalog: &mut Catalog, model: &str, version: i64, end: &str, drift: &str| {
            catalog
                .record_live_window(model, version, &window(end, drift))
                .expect("recorded");
        };
        record(&mut catalog, "churn", 1, "2026-11-30T10:00:00.000Z", stable);
        record(
            &mut catalog,
            "churn",
            2,
            "2026-11-30T11:00:00.000Z",
            drifted,
        );
        // Then too few rows to measure drift: the alert stands.
        record(&mut catalog, "churn", 2, "2026-11-30T11:05:00.000Z", "[]");
        // iris drifted once, but its latest window is stable again.
        record(&mut catalog, "iris", 1, "2026-11-30T10:00:00.000Z", drifted);
        record(&mut catalog, "iris", 2, "2026-11-30T12:00:00.000Z", stable);

        let alerts = catalog.live_alerts().expect("read");
        assert_eq!(alerts.keys().collect::<Vec<_>>(), vec!["churn"]);
        let churn: Vec<(&str, &str, i64)> = alerts["churn"]
            .iter()
            .map(|a| (a.column.as_str(), a.status.as_str(), a.version))
            .collect();
        assert_eq!(churn, vec![("age", "drift", 2), ("plan", "warning", 2)]);
    }
}
