//! The report's "Live traffic" section: for each version a scoring server recorded windows
//! of, a table of the windows and a chart of each feature's PSI over time with the warning
//! and drift thresholds. Versions without windows have no entry, and a report of only such
//! versions has no section.

use serde::Serialize;

use super::charts::{short, Figure};
use super::gather::ReportVersion;
use super::live_series::{epoch_seconds, utc_time, LiveSeries, LiveTotals, TimeLabel};
use super::palette;
use super::svg::{Axis, Level, Mark, Plot, Series};
use super::Markup;
use crate::catalog::LiveWindow;
use crate::score::drift::Thresholds;

/// Windows listed in a version's table, the newest; the chart shows every window.
const TABLE_WINDOWS: usize = 48;
/// Features drawn in the chart, those with the highest PSI, one colour each.
const CHART_FEATURES: usize = 6;

/// One version's live windows.
#[derive(Debug, Serialize)]
pub struct LiveSection {
    pub label: String,
    pub color: &'static str,
    /// "12 windows from 2026-11-30 08:00:00 to 2026-11-30 20:00:00 UTC · 3400 requests…".
    pub summary: String,
    /// The validation figure the labelled metric compares with ("accuracy 0.9884").
    pub validation: String,
    /// "accuracy" or "RMSE": what the labelled metric column holds.
    pub metric: &'static str,
    /// Newest first.
    pub windows: Vec<WindowRow>,
    /// "the newest 48 of 300 windows", when the table does not list them all.
    pub omitted: Option<String>,
    pub psi_chart: Option<Figure>,
    /// The chart's features with their colours.
    pub legend: Vec<LegendItem>,
}

/// One window in the table.
#[derive(Debug, Serialize)]
pub struct WindowRow {
    pub ended: String,
    pub requests: u64,
    pub rows: u64,
    pub errors: u64,
    pub p50: String,
    pub p99: String,
    /// "0.9412 (on 170 rows)", or a dash without labels.
    pub labelled: String,
    /// "drift: age · warning: plan", "stable", or "too few rows" when not measured.
    pub drift: String,
    /// "drift", "warning" or "stable", for the cell's colour; empty when not measured.
    pub status: &'static str,
}

/// A feature of the PSI chart.
#[derive(Debug, Serialize)]
pub struct LegendItem {
    pub column: String,
    pub color: &'static str,
    /// "0.27, highest 0.31".
    pub note: String,
}

/// A section for each version with live windows, in the report's order.
pub fn live_sections(versions: &[ReportVersion]) -> Vec<LiveSection> {
    versions
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.live.is_empty())
        .map(|(i, v)| section(v, palette::css(i)))
        .collect()
}

fn section(v: &ReportVersion, color: &'static str) -> LiveSection {
    let windows = &v.live;
    let series = LiveSeries::read(windows);
    let accuracy = !v.metrics.mean.contains_key("rmse");
    let (metric, key) = if accuracy {
        ("accuracy", "accuracy")
    } else {
        ("RMSE", "rmse")
    };
    let time = |iso: &str| {
        epoch_seconds(iso).map_or_else(|| iso.to_string(), |t| utc_time(t, TimeLabel::Full))
    };
    let t = LiveTotals::of(windows);
    let summary = format!(
        "{} window{} from {} to {} UTC · {} requests · {} rows · {} error{}",
        t.windows,
        LiveTotals::plural(t.windows as u64),
        time(&t.first_started),
        time(&t.last_ended),
        t.requests,
        t.rows,
        t.errors,
        LiveTotals::plural(t.errors),
    );
    let mut newest: Vec<&LiveWindow> = windows.iter().collect();
    newest.sort_by(|a, b| b.ended_at.cmp(&a.ended_at));
    let omitted = (newest.len() > TABLE_WINDOWS)
        .then(|| format!("the newest {TABLE_WINDOWS} of {} windows", newest.len()));
    let (psi_chart, legend) = psi_chart(&series);
    LiveSection {
        label: v.label(),
        color,
        summary,
        validation: v
            .metrics
            .mean
            .get(key)
            .map(|value| format!("{key} {value:.4}"))
            .unwrap_or_default(),
        metric,
        windows: newest
            .into_iter()
            .take(TABLE_WINDOWS)
            .map(|w| window_row(w, &time))
            .collect(),
        omitted,
        psi_chart,
        legend,
    }
}

fn window_row(w: &LiveWindow, time: &dyn Fn(&str) -> String) -> WindowRow {
    let drift: Vec<serde_json::Value> = serde_json::from_str(&w.drift_json).unwrap_or_default();
    let named = |status: &str| -> Option<String> {
        let columns: Vec<&str> = drift
            .iter()
            .filter(|d| d["status"] == status)
            .filter_map(|d| d["column"].as_str())
            .collect();
        (!columns.is_empty()).then(|| format!("{status}: {}", columns.join(", ")))
    };
    let crossed: Vec<String> = [named("drift"), named("warning")]
        .into_iter()
        .flatten()
        .collect();
    let (text, status) = if drift.is_empty() {
        (format!("too few rows ({} sampled)", w.sampled_rows), "")
    } else if crossed.is_empty() {
        ("stable".to_string(), "stable")
    } else if crossed[0].starts_with("drift") {
        (crossed.join(" · "), "drift")
    } else {
        (crossed.join(" · "), "warning")
    };
    WindowRow {
        ended: time(&w.ended_at),
        requests: w.requests,
        rows: w.rows,
        errors: w.errors,
        p50: format!("{:.2}", w.latency_p50_ms),
        p99: format!("{:.2}", w.latency_p99_ms),
        labelled: match w.labelled_metric {
            Some(m) if m.is_finite() => format!("{m:.4} (on {} rows)", w.labelled_rows),
            _ => "—".into(),
        },
        drift: text,
        status,
    }
}

/// The PSI of the features with the highest, over time, with the thresholds; none when no
/// window measured drift.
fn psi_chart(series: &LiveSeries) -> (Option<Figure>, Vec<LegendItem>) {
    if series.psi.is_empty() {
        return (None, Vec::new());
    }
    let thresholds = Thresholds::default();
    let mut features: Vec<_> = series.psi.iter().collect();
    features.sort_by(|a, b| b.highest.total_cmp(&a.highest));
    let hidden = features.len().saturating_sub(CHART_FEATURES);
    features.truncate(CHART_FEATURES);
    let highest = features.first().map_or(0.0, |f| f.highest);
    let times = series.requests_per_minute.iter().map(|p| p.0);
    let mut x = Axis::fitted("window end (UTC)", times);
    if series.windows == 1 {
        // One window: a short span around it, so its time reads as a clock time.
        let end = series.requests_per_minute[0].0;
        x.min = end - 300.0;
        x.max = end + 300.0;
    }
    let plot = Plot {
        x,
        y: Axis {
            label: "PSI",
            min: 0.0,
            // The drift line stays in view even when every feature is far below it.
            max: highest.max(thresholds.drift) * 1.15,
        },
        series: features
            .iter()
            .enumerate()
            .map(|(i, f)| Series {
                color: palette::css(i),
                mark: Mark::LineAndPoints,
                points: f.points.clone(),
            })
            .collect(),
        diagonal: false,
        zero_line: false,
        levels: vec![
            Level {
                y: thresholds.warning,
                color: "#b45309",
                label: format!("warning {}", thresholds.warning),
            },
            Level {
                y: thresholds.drift,
                color: "#b91c1c",
                label: format!("drift {}", thresholds.drift),
            },
        ],
        time_x: true,
        wide: true,
    };
    let caption = if hidden > 0 {
        format!(
            "PSI per feature over time: the {} features with the highest PSI of {}",
            features.len(),
            features.len() + hidden
        )
    } else {
        "PSI per feature over time".to_string()
    };
    let legend = features
        .iter()
        .enumerate()
        .map(|(i, f)| LegendItem {
            column: f.column.clone(),
            color: palette::css(i),
            note: format!(
                "{} latest, {} highest",
                short(f.points.last().map_or(f64::NAN, |p| p.1)),
                short(f.highest)
            ),
        })
        .collect();
    let figure = Figure {
        caption,
        svg: Markup::from_safe_string(plot.to_svg()),
    };
    (Some(figure), legend)
}
