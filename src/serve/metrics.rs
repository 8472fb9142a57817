//! Request counts, errors and latency histograms in Prometheus' text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Counters {
    /// (path, status) → requests.
    requests: BTreeMap<(String, u16), u64>,
    /// path → latency histogram.
    latency: BTreeMap<String, Histogram>,
    rows: u64,
}

/// What `GET /metrics` reports.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Metrics {
    /// Count one answered request.
    pub fn record(&self, path: &str, status: u16, seconds: f64, rows: u64) {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        *c.requests.entry((path.to_string(), status)).or_default() += 1;
        c.rows += rows;
        let h = c.latency.entry(path.to_string()).or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
    }

    /// The exposition text; `served` is the model and version answering now, if any.
    pub fn render(&self, served: Option<(&str, i64)>) -> String {
        let c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str("# HELP modeldesk_requests_total Requests answered, by path and status.\n");
        out.push_str("# TYPE modeldesk_requests_total counter\n");
        for ((path, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "modeldesk_requests_total{{path=\"{path}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP modeldesk_request_errors_total Requests answered with 4xx or 5xx.\n");
        out.push_str("# TYPE modeldesk_request_errors_total counter\n");
        let mut errors: BTreeMap<&str, u64> = BTreeMap::new();
        for ((path, status), n) in &c.requests {
            if *status >= 400 {
                *errors.entry(path).or_default() += n;
            }
        }
        for (path, n) in errors {
            let _ = writeln!(out, "modeldesk_request_errors_total{{path=\"{path}\"}} {n}");
        }
        out.push_str("# HELP modeldesk_rows_total Rows predicted.\n");
        out.push_str("# TYPE modeldesk_rows_total counter\n");
        let _ = writeln!(out, "modeldesk_rows_total {}", c.rows);
        out.push_str("# HELP modeldesk_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE modeldesk_request_duration_seconds histogram\n");
        for (path, h) in &c.latency {
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "modeldesk_request_duration_seconds_bucket{{path=\"{path}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "modeldesk_request_duration_seconds_bucket{{path=\"{path}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "modeldesk_request_duration_seconds_sum{{path=\"{path}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "modeldesk_request_duration_seconds_count{{path=\"{path}\"}} {}",
                h.count
            );
        }
        if let Some((model, version)) = served {
            out.push_str("# HELP modeldesk_served_version The version answering requests.\n");
            out.push_str("# TYPE modeldesk_served_version gauge\n");
            let _ = writeln!(
                out,
                "modeldesk_served_version{{model=\"{model}\"}} {version}"
            );
        }
        out
    }
}
