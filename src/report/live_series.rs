//! A version's live windows as series over time — requests per minute, latency, each
//! feature's PSI, the metric on labelled rows — read once for the charts of the window and
//! of the report. Time is seconds since the Unix epoch (UTC), read from the catalog's
//! ISO-8601 text.

use serde_json::Value;

use crate::catalog::LiveWindow;

/// One feature's PSI in each window that measured drift.
#[derive(Debug, Clone, PartialEq)]
pub struct FeaturePsi {
    pub column: String,
    /// (window end, PSI), oldest first.
    pub points: Vec<(f64, f64)>,
    /// "stable", "warning" or "drift" in the latest window that measured it.
    pub latest_status: String,
    /// The highest PSI of any window.
    pub highest: f64,
}

/// Live windows as series; each point is (window end, value), oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveSeries {
    /// Windows read (those whose end time does not read are left out).
    pub windows: usize,
    pub requests_per_minute: Vec<(f64, f64)>,
    pub latency_p50_ms: Vec<(f64, f64)>,
    pub latency_p99_ms: Vec<(f64, f64)>,
    /// Accuracy or RMSE over the rows labelled in the window, where labels came back.
    pub labelled_metric: Vec<(f64, f64)>,
    /// Features in the order the windows list them.
    pub psi: Vec<FeaturePsi>,
}

/// What a set of live windows adds up to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveTotals {
    pub windows: usize,
    pub requests: u64,
    pub rows: u64,
    pub errors: u64,
    /// The earliest start and the latest end (UTC, ISO-8601).
    pub first_started: String,
    pub last_ended: String,
}

impl LiveTotals {
    /// The totals of `windows`.
    pub fn of(windows: &[LiveWindow]) -> LiveTotals {
        LiveTotals {
            windows: windows.len(),
            requests: windows.iter().map(|w| w.requests).sum(),
            rows: windows.iter().map(|w| w.rows).sum(),
            errors: windows.iter().map(|w| w.errors).sum(),
            first_started: windows
                .iter()
                .map(|w| w.started_at.clone())
                .min()
                .unwrap_or_default(),
            last_ended: windows
                .iter()
                .map(|w| w.ended_at.clone())
                .max()
                .unwrap_or_default(),
        }
    }

    /// "s" unless `n` is one.
    pub fn plural(n: u64) -> &'static str {
        if n == 1 {
            ""
        } else {
            "s"
        }
    }
}

impl LiveSeries {
    /// The series of `windows` (in any order; they are sorted by end time).
    pub fn read(windows: &[LiveWindow]) -> LiveSeries {
        let mut timed: Vec<(f64, &LiveWindow)> = windows
            .iter()
            .filter_map(|w| Some((epoch_seconds(&w.ended_at)?, w)))
            .collect();
        timed.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut series = LiveSeries {
            windows: timed.len(),
            ..LiveSeries::default()
        };
        for (end, w) in timed {
            // A window's rate is over its own length: windows cut short by a restart count
            // as much per minute as full ones.
            let minutes = epoch_seconds(&w.started_at)
                .map(|start| (end - start) / 60.0)
                .filter(|m| *m > 0.0)
                .unwrap_or(1.0);
            series
                .requests_per_minute
                .push((end, w.requests as f64 / minutes));
            series.latency_p50_ms.push((end, w.latency_p50_ms));
            series.latency_p99_ms.push((end, w.latency_p99_ms));
            if let Some(metric) = w.labelled_metric.filter(|m| m.is_finite()) {
                series.labelled_metric.push((end, metric));
            }
            let drift: Vec<Value> = serde_json::from_str(&w.drift_json).unwrap_or_default();
            for feature in &drift {
                let (Some(column), Some(psi)) =
                    (feature["column"].as_str(), feature["psi"].as_f64())
                else {
                    continue;
                };
                if !psi.is_finite() {
                    continue;
                }
                let status = feature["status"].as_str().unwrap_or("stable").to_string();
                match series.psi.iter_mut().find(|f| f.column == column) {
                    Some(f) => {
                        f.points.push((end, psi));
                        f.latest_status = status;
                        f.highest = f.highest.max(psi);
                    }
                    None => series.psi.push(FeaturePsi {
                        column: column.to_string(),
                        points: vec![(end, psi)],
                        latest_status: status,
                        highest: psi,
                    }),
                }
            }
        }
        series
    }

    /// The span of the window ends, in seconds (0 for one window or none).
    pub fn span_seconds(&self) -> f64 {
        match (
            self.requests_per_minute.first(),
            self.requests_per_minute.last(),
        ) {
            (Some(first), Some(last)) => last.0 - first.0,
            _ => 0.0,
        }
    }
}

/// Seconds since the Unix epoch of a UTC ISO-8601 time ("2026-11-30T18:33:00.123Z", or a
/// date alone); `None` when it does not read.
pub fn epoch_seconds(iso: &str) -> Option<f64> {
    let text = iso.trim().trim_end_matches('Z');
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, "00:00:00"));
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut parts = time.splitn(3, ':');
    let hour: f64 = parts.next()?.parse().ok()?;
    let minute: f64 = parts.next().unwrap_or("0").parse().ok()?;
    let second: f64 = parts.next().unwrap_or("0").parse().ok()?;
    let days = days_from_civil(year, month, day) as f64;
    Some(days * 86_400.0 + hour * 3600.0 + minute * 60.0 + second)
}

/// How much of a time a chart's label shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLabel {
    /// "18:33", for marks a minute or more apart within a day.
    Clock,
    /// "18:33:05", for marks seconds apart.
    ClockSeconds,
    /// "11-30 18:33", for spans of days.
    DayClock,
    /// "2026-11-30 18:33:05", for hover text and tables.
    Full,
}

impl TimeLabel {
    /// The label that suits marks `step` seconds apart across `span` seconds.
    pub fn for_marks(step: f64, span: f64) -> TimeLabel {
        if span > 86_400.0 {
            TimeLabel::DayClock
        } else if step < 60.0 {
            TimeLabel::ClockSeconds
        } else {
            TimeLabel::Clock
        }
    }
}

/// A time (seconds since the Unix epoch) as UTC text in the form `label` asks for.
pub fn utc_time(seconds: f64, label: TimeLabel) -> String {
    if !seconds.is_finite() {
        return "—".into();
    }
    // Truncated, as clocks read: 18:33:04.9 is still 18:33:04.
    let whole = seconds.floor() as i64;
    let (days, rest) = (whole.div_euclid(86_400), whole.rem_euclid(86_400));
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let (year, month, day) = crate::catalog::civil_from_days(days);
    match label {
        TimeLabel::Clock => format!("{h:02}:{m:02}"),
        TimeLabel::ClockSeconds => format!("{h:02}:{m:02}:{s:02}"),
        TimeLabel::DayClock => format!("{month:02}-{day:02} {h:02}:{m:02}"),
        TimeLabel::Full => format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}"),
    }
}

/// Round steps between clock times, in seconds: a second, five, ten, thirty, a minute, …, an
/// hour, …, a day, a week.
const CLOCK_STEPS: [f64; 17] = [
    1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10_800.0,
    21_600.0, 43_200.0, 86_400.0, 604_800.0,
];

/// The round clock step no finer than `finest` that puts at most `at_most` marks across
/// `span` seconds (beyond a week's steps, an even share of the span).
pub fn clock_step(span: f64, at_most: usize, finest: f64) -> f64 {
    let at_most = at_most.max(1) as f64;
    CLOCK_STEPS
        .iter()
        .copied()
        .find(|&step| step >= finest && span / step <= at_most)
        .unwrap_or_else(|| (span / at_most).max(finest).max(1.0))
}

/// Round clock times from `min` to `max` (seconds since the epoch), at most `at_most`.
pub fn clock_ticks(min: f64, max: f64, at_most: usize) -> Vec<f64> {
    let span = max - min;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let step = clock_step(span, at_most, 0.0);
    let first = (min / step).ceil() as i64;
    let last = (max / step).floor() as i64;
    (first..=last.min(first + 100))
        .map(|i| i as f64 * step)
        .collect()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(
        start: &str,
        end: &str,
        requests: u64,
        drift: &str,
        metric: Option<f64>,
    ) -> LiveWindow {
        LiveWindow {
            id: 1,
            model: "churn".into(),
            version: 1,
            window: crate::catalog::NewLiveWindow {
                server: "s".into(),
                started_at: start.into(),
                ended_at: end.into(),
                requests,
                rows: requests,
                errors: 0,
                latency_p50_ms: 1.5,
                latency_p99_ms: 4.0,
                sampled_rows: requests,
                drift_json: drift.into(),
                labelled_rows: u64::from(metric.is_some()),
                labelled_metric: metric,
            },
        }
    }

    #[test]
    fn iso_times_read_as_epoch_seconds_and_back() {
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            epoch_seconds("2026-11-30T18:33:00.123Z"),
            Some(1_796_063_580.123)
        );
        assert_eq!(epoch_seconds("2024-02-29"), Some(1_709_164_800.0));
        assert_eq!(epoch_seconds("yesterday"), None);
        let t = 1_796_063_585.123;
        assert_eq!(utc_time(t, TimeLabel::Clock), "18:33");
        assert_eq!(utc_time(t, TimeLabel::ClockSeconds), "18:33:05");
        assert_eq!(utc_time(t, TimeLabel::DayClock), "11-30 18:33");
        assert_eq!(utc_time(t, TimeLabel::Full), "2026-11-30 18:33:05");
        assert_eq!(utc_time(t + 0.8, TimeLabel::ClockSeconds), "18:33:05");
        assert_eq!(TimeLabel::for_marks(10.0, 60.0), TimeLabel::ClockSeconds);
        assert_eq!(TimeLabel::for_marks(1800.0, 7200.0), TimeLabel::Clock);
        assert_eq!(
            TimeLabel::for_marks(86_400.0, 7.0 * 86_400.0),
            TimeLabel::DayClock
        );
    }

    #[test]
    fn clock_ticks_fall_on_round_times() {
        // 18:00 to 20:00 UTC on 2026-11-30: every half hour.
        let start = 1_796_061_600.0;
        let ticks: Vec<String> = clock_ticks(start, start + 7200.0, 5)
            .into_iter()
            .map(|t| utc_time(t, TimeLabel::Clock))
            .collect();
        assert_eq!(ticks, vec!["18:00", "18:30", "19:00", "19:30", "20:00"]);
        assert_eq!(clock_step(40.0, 5, 0.0), 10.0);
        assert_eq!(clock_step(40.0, 5, 12.0), 30.0);
        assert!(clock_ticks(5.0, 5.0, 5).is_empty());
    }

    #[test]
    fn windows_become_rates_latencies_and_psi_per_feature_over_time() {
        let drift = |age: f64, status: &str| {
            format!(
                r#"[{{"column":"age","psi":{age},"status":"{status}"}},{{"column":"plan","psi":0.01,"status":"stable"}}]"#
            )
        };
        let windows = [
            // Listed out of order: the series are by end time.
            window(
                "2026-11-30T11:00:00Z",
                "2026-11-30T12:00:00Z",
                600,
                &drift(0.25, "drift"),
                Some(0.8),
            ),
            window(
                "2026-11-30T10:00:00Z",
                "2026-11-30T11:00:00Z",
                120,
                &drift(0.05, "stable"),
                None,
            ),
            // Too few rows to measure drift.
            window(
                "2026-11-30T12:00:00Z",
                "2026-11-30T12:30:00Z",
                30,
                "[]",
                None,
            ),
        ];
        let series = LiveSeries::read(&windows);
        assert_eq!(series.windows, 3);
        let rates: Vec<f64> = series.requests_per_minute.iter().map(|p| p.1).collect();
        assert_eq!(rates, vec![2.0, 10.0, 1.0]);
        assert_eq!(series.span_seconds(), 5400.0);
        assert_eq!(series.labelled_metric.len(), 1);
        assert_eq!(series.psi.len(), 2);
        let age = &series.psi[0];
        assert_eq!(age.column, "age");
        assert_eq!(
            age.points.iter().map(|p| p.1).collect::<Vec<_>>(),
            vec![0.05, 0.25]
        );
        assert_eq!(age.latest_status, "drift");
        assert_eq!(age.highest, 0.25);
    }
}
