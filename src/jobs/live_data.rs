//! A version's live windows as the Live panel shows them: the series, a one-line summary and
//! the validation figure the labelled rows are read against. Read with the version's page,
//! without egui, so the Catalog view's read model can hold it.

use crate::catalog::record::StoredMetrics;
use crate::catalog::LiveWindow;
use crate::report::{LiveSeries, LiveTotals};

/// A version's live windows as the panel shows them, read when the page is read.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveData {
    pub series: LiveSeries,
    /// "12 windows · 3,400 requests · 2 errors · last ended 2026-11-30 18:33 UTC".
    pub summary: String,
    /// The metric the labelled rows are measured by ("accuracy" or "rmse") and its
    /// validation mean, when the version stored one.
    pub validation: Option<(&'static str, f64)>,
    /// Whether the labelled metric is accuracy (else RMSE).
    pub accuracy: bool,
}

impl LiveData {
    /// The panel's data for `windows`; `None` when there are none (no panel then).
    /// `metrics` is the version's stored validation metrics.
    pub fn read(windows: &[LiveWindow], metrics: &StoredMetrics) -> Option<LiveData> {
        if windows.is_empty() {
            return None;
        }
        let series = LiveSeries::read(windows);
        let t = LiveTotals::of(windows);
        let summary = format!(
            "{} window{} · {} requests · {} error{} · last ended {} UTC",
            t.windows,
            LiveTotals::plural(t.windows as u64),
            t.requests,
            t.errors,
            LiveTotals::plural(t.errors),
            t.last_ended.replace('T', " ").trim_end_matches('Z')
        );
        // The server measures classifiers by accuracy and regressions by RMSE.
        let accuracy = !metrics.mean.contains_key("rmse");
        let name = if accuracy { "accuracy" } else { "rmse" };
        let validation = metrics
            .mean
            .get(name)
            .copied()
            .filter(|v| !v.is_nan())
            .map(|v| (name, v));
        Some(LiveData {
            series,
            summary,
            validation,
            accuracy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_figure_follows_the_task() {
        let classifier = StoredMetrics::read(r#"{"mean": {"accuracy": 0.93, "f1_macro": 0.9}}"#);
        let regression = StoredMetrics::read(r#"{"mean": {"rmse": 12.5, "r2": 0.4}}"#);
        let window = LiveWindow {
            id: 1,
            model: "m".into(),
            version: 1,
            window: crate::catalog::NewLiveWindow {
                server: "s".into(),
                started_at: "2026-11-30T18:00:00Z".into(),
                ended_at: "2026-11-30T19:00:00Z".into(),
                requests: 60,
                rows: 60,
                errors: 1,
                latency_p50_ms: 1.0,
                latency_p99_ms: 2.0,
                sampled_rows: 60,
                drift_json: "[]".into(),
                labelled_rows: 0,
                labelled_metric: None,
            },
        };
        let live = LiveData::read(std::slice::from_ref(&window), &classifier).unwrap();
        assert_eq!(live.validation, Some(("accuracy", 0.93)));
        assert_eq!(
            live.summary,
            "1 window · 60 requests · 1 error · last ended 2026-11-30 19:00:00 UTC"
        );
        let live = LiveData::read(std::slice::from_ref(&window), &regression).unwrap();
        assert_eq!(live.validation, Some(("rmse", 12.5)));
        assert!(!live.accuracy);
        assert!(LiveData::read(&[], &classifier).is_none());
    }
}
