//! Watching live traffic: per time window and served version, the counts, a uniform sample of
//! the request rows (reservoir sampling, so memory stays bounded whatever the traffic) and of
//! the latencies, and the labels that came back. At the end of each window its drift against
//! the version's training data is measured and the window recorded in the catalog.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::SystemTime;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::follow::Served;
use crate::catalog::{iso_utc, NewLiveWindow};
use crate::data::{Column, ColumnData, Table, MISSING_CODE};
use crate::score::drift::{drift, Thresholds};

/// One sampled cell.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(Option<String>),
}

/// What a request predicted, kept to compare with labels that arrive later.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicted {
    Labels(Vec<String>),
    Values(Vec<f64>),
}

impl Predicted {
    fn rows(&self) -> usize {
        match self {
            Predicted::Labels(labels) => labels.len(),
            Predicted::Values(values) => values.len(),
        }
    }
}

/// The window of one version.
struct VersionWindow {
    served: Arc<Served>,
    requests: u64,
    rows: u64,
    errors: u64,
    /// Rows seen so far, for the reservoir.
    seen_rows: u64,
    sample: Vec<Vec<Cell>>,
    latencies_seen: u64,
    latencies: Vec<f64>,
    labelled_rows: u64,
    correct: u64,
    squared_error: f64,
}

/// Everything watched since the window started.
pub struct Monitor {
    started: SystemTime,
    sample_rows: usize,
    windows: HashMap<i64, VersionWindow>,
    rng: SmallRng,
    /// Request id → the version and what it predicted, the oldest dropped first.
    recent: HashMap<String, (Arc<Served>, Predicted)>,
    order: VecDeque<String>,
    /// Rows of the remembered predictions: a few huge batches must not hold memory either.
    recent_rows: usize,
}

/// Fewer sampled rows than this in a window: its drift is not measured.
pub const MIN_DRIFT_ROWS: usize = 100;

/// How many request ids are remembered for labels arriving later.
pub const REMEMBERED_REQUESTS: usize = 100_000;

/// How many predicted rows are remembered for labels arriving later, all requests together.
pub const REMEMBERED_ROWS: usize = 1_000_000;

impl Monitor {
    /// A monitor keeping up to `sample_rows` rows (and latencies) per version and window.
    pub fn new(sample_rows: usize) -> Self {
        Monitor {
            started: SystemTime::now(),
            sample_rows: sample_rows.max(1),
            windows: HashMap::new(),
            rng: SmallRng::seed_from_u64(0x6d6f_6e69),
            recent: HashMap::new(),
            order: VecDeque::new(),
            recent_rows: 0,
        }
    }

    fn window(&mut self, served: &Arc<Served>) -> &mut VersionWindow {
        self.windows
            .entry(served.version_id)
            .or_insert_with(|| VersionWindow {
                served: served.clone(),
                requests: 0,
                rows: 0,
                errors: 0,
                seen_rows: 0,
                sample: Vec::new(),
                latencies_seen: 0,
                latencies: Vec::new(),
                labelled_rows: 0,
                correct: 0,
                squared_error: 0.0,
            })
    }

    /// A request answered by `served`: its rows (in the model's column order), latency and
    /// what it predicted.
    pub fn answered(
        &mut self,
        served: &Arc<Served>,
        request_id: &str,
        table: &Table,
        latency_ms: f64,
        predicted: Predicted,
    ) {
        let limit = self.sample_rows;
        let mut rng = std::mem::replace(&mut self.rng, SmallRng::seed_from_u64(0));
        let window = self.window(served);
        window.requests += 1;
        window.rows += table.rows() as u64;
        for row in 0..table.rows() {
            window.seen_rows += 1;
            // Algorithm R: the n-th row replaces a random one with probability limit / n.
            let slot = if window.sample.len() < limit {
                Some(window.sample.len())
            } else {
                let j = rng.gen_range(0..window.seen_rows);
                (j < limit as u64).then_some(j as usize)
            };
            if let Some(slot) = slot {
                let cells = table.columns.iter().map(|c| cell(c, row)).collect();
                if slot == window.sample.len() {
                    window.sample.push(cells);
                } else {
                    window.sample[slot] = cells;
                }
            }
        }
        window.latencies_seen += 1;
        if window.latencies.len() < limit {
            window.latencies.push(latency_ms);
        } else {
            let j = rng.gen_range(0..window.latencies_seen);
            if j < limit as u64 {
                window.latencies[j as usize] = latency_ms;
            }
        }
        self.rng = rng;
        let rows = predicted.rows();
        if rows > REMEMBERED_ROWS {
            return;
        }
        while self.recent.len() >= REMEMBERED_REQUESTS || self.recent_rows + rows > REMEMBERED_ROWS
        {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, dropped)) = self.recent.remove(&oldest) {
                self.recent_rows -= dropped.rows();
            }
        }
        self.recent_rows += rows;
        self.recent
            .insert(request_id.to_string(), (served.clone(), predicted));
        self.order.push_back(request_id.to_string());
    }

    /// A request refused while `served` was answering.
    pub fn refused(&mut self, served: &Arc<Served>) {
        self.window(served).errors += 1;
    }

    /// The true labels of an earlier request's rows; returns how many rows they matched, or
    /// `None` for a request id no longer (or never) remembered.
    pub fn labelled(&mut self, request_id: &str, truth: &[serde_json::Value]) -> Option<usize> {
        let (served, predicted) = self.recent.get(request_id)?.clone();
        let window = self.window(&served);
        let mut matched = 0;
        match predicted {
            Predicted::Labels(labels) => {
                for (p, t) in labels.iter().zip(truth) {
                    let t = match t {
                        serde_json::Value::String(s) => s.trim().to_string(),
                        serde_json::Value::Null => continue,
                        other => other.to_string(),
                    };
                    window.labelled_rows += 1;
                    window.correct += u64::from(*p == t);
                    matched += 1;
                }
            }
            Predicted::Values(values) => {
                for (p, t) in values.iter().zip(truth) {
                    let Some(t) = t
                        .as_f64()
                        .or_else(|| t.as_str().and_then(|s| s.trim().parse().ok()))
                    else {
                        continue;
                    };
                    window.labelled_rows += 1;
                    window.squared_error += (p - t) * (p - t);
                    matched += 1;
                }
            }
        }
        Some(matched)
    }

    /// End the window and start a new one; what it saw is measured by
    /// [`ClosedWindow::records`], outside any lock.
    pub fn close(&mut self) -> ClosedWindow {
        let started = std::mem::replace(&mut self.started, SystemTime::now());
        ClosedWindow {
            started,
            ended: self.started,
            windows: std::mem::take(&mut self.windows).into_values().collect(),
        }
    }
}

/// A window that ended.
pub struct ClosedWindow {
    started: SystemTime,
    ended: SystemTime,
    windows: Vec<VersionWindow>,
}

impl ClosedWindow {
    /// One record per version that answered or refused anything, with the drift of its
    /// sampled rows against the version's training data.
    pub fn records(
        self,
        server: &str,
        thresholds: &Thresholds,
    ) -> Vec<(Arc<Served>, NewLiveWindow)> {
        let (started, ended) = (iso_utc(self.started), iso_utc(self.ended));
        self.windows
            .into_iter()
            .map(|w| {
                let table = sample_table(&w);
                // A handful of rows says nothing about a distribution.
                let drifts = if table.rows() >= MIN_DRIFT_ROWS {
                    drift(&w.served.model.reference, &table, thresholds)
                } else {
                    Vec::new()
                };
                let mut latencies = w.latencies.clone();
                latencies.sort_by(f64::total_cmp);
                let metric = (w.labelled_rows > 0).then(|| {
                    if w.served.model.classes.is_empty() {
                        (w.squared_error / w.labelled_rows as f64).sqrt()
                    } else {
                        w.correct as f64 / w.labelled_rows as f64
                    }
                });
                let record = NewLiveWindow {
                    server: server.to_string(),
                    started_at: started.clone(),
                    ended_at: ended.clone(),
                    requests: w.requests,
                    rows: w.rows,
                    errors: w.errors,
                    latency_p50_ms: quantile(&latencies, 0.5),
                    latency_p99_ms: quantile(&latencies, 0.99),
                    sampled_rows: table.rows() as u64,
                    drift_json: serde_json::to_string(&drifts).unwrap_or_else(|_| "[]".into()),
                    labelled_rows: w.labelled_rows,
                    labelled_metric: metric,
                };
                (w.served, record)
            })
            .collect()
    }
}

fn cell(column: &Column, row: usize) -> Cell {
    match &column.data {
        ColumnData::Numeric(values) => Cell::Number(values[row]),
        ColumnData::Strings { codes, levels } => {
            Cell::Text((codes[row] != MISSING_CODE).then(|| levels[codes[row] as usize].clone()))
        }
    }
}

/// The sampled rows as a table with the model's columns.
fn sample_table(w: &VersionWindow) -> Table {
    let recipe = &w.served.model.recipe;
    let columns = recipe
        .columns
        .iter()
        .enumerate()
        .map(|(j, fitted)| {
            let numeric = matches!(w.sample.first().map(|r| &r[j]), Some(Cell::Number(_)))
                || matches!(fitted.step, crate::ml::prep::FittedStep::Numeric { .. });
            let data = if numeric {
                ColumnData::Numeric(
                    w.sample
                        .iter()
                        .map(|r| match &r[j] {
                            Cell::Number(v) => *v,
                            Cell::Text(_) => f64::NAN,
                        })
                        .collect(),
                )
            } else {
                ColumnData::from_texts(w.sample.iter().map(|r| match &r[j] {
                    Cell::Text(text) => text.clone(),
                    Cell::Number(_) => None,
                }))
            };
            Column {
                name: fitted.column.clone(),
                kind: crate::data::ColumnKind::Float,
                role: crate::data::Role::Feature,
                data,
            }
        })
        .collect();
    Table {
        name: "live sample".into(),
        source: "live".into(),
        fingerprint: String::new(),
        dialect: Default::default(),
        options: Default::default(),
        columns,
        notices: Vec::new(),
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_sorted_latencies() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 51.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }
}
