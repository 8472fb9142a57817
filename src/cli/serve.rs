//! `modeldesk serve` and `modeldesk monitor`: a scoring server for a registered version, and
//! the live windows it recorded.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use super::{CatalogArg, UsageError};
use crate::catalog::{self, LiveWindow};
use crate::serve::{self, ServeConfig, ServeError};

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// What to serve: MODEL@STAGE (followed as it changes) or MODEL@VERSION.
    #[arg(value_name = "MODEL@STAGE")]
    pub reference: String,
    /// The address to listen on; anything but loopback needs a token.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 5001)]
    pub port: u16,
    /// A file holding the bearer token requests must carry (else $MODELDESK_SERVE_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The largest request body, in MB.
    #[arg(long, default_value_t = 16.0)]
    pub max_body_mb: f64,
    /// The most rows one request may hold.
    #[arg(long, default_value_t = 100_000)]
    pub max_rows: usize,
    /// The length of a live monitoring window, like 1h, 15m or 30s.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub window: Duration,
    /// Request rows sampled per window to measure drift.
    #[arg(long, default_value_t = 10_000)]
    pub sample_rows: usize,
    /// Follow MODEL@STAGE in this MLflow server's registry (its alias `production` or
    /// `staging`) instead of the catalog's own stages: new versions and alias moves are
    /// pulled into the catalog every --mlflow-poll, and the server switches to the version
    /// the alias names. Credentials are read as MLflow's clients read them.
    #[arg(long, value_name = "URL")]
    pub tracking_uri: Option<String>,
    /// How often MLflow is asked, with --tracking-uri.
    #[arg(long, default_value = "10s", value_parser = parse_duration, requires = "tracking_uri")]
    pub mlflow_poll: Duration,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// Options of `monitor`.
#[derive(Debug, clap::Args)]
pub struct MonitorArgs {
    /// MODEL (every version) or MODEL@VERSION.
    #[arg(value_name = "MODEL[@VERSION]")]
    pub reference: String,
    /// Only windows that ended in this span (90m, 24h, 7d) or since this date (2026-11-30).
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// `90m`, `24h`, `7d`, `30s` as a duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration like 90m, 24h or 7d"))?;
    let seconds = match unit {
        "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return Err(format!("'{text}' is not a duration like 90m, 24h or 7d")),
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        return Err(format!("'{text}' is not a positive duration"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn token(args: &ServeArgs) -> anyhow::Result<Option<String>> {
    let text = match &args.token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?,
        ),
        None => std::env::var("MODELDESK_SERVE_TOKEN").ok(),
    };
    match text.map(|t| t.trim().to_string()) {
        Some(t) if t.is_empty() => Err(UsageError("the token is empty".into()).into()),
        other => Ok(other),
    }
}

/// Pull `model` from MLflow into the catalog at `path` now, then every `poll` on a thread of
/// its own, so that the server's own follower sees the alias moves as stage changes; and log
/// the server's closed live windows to MLflow, one monitoring run per version. A sync that
/// fails later is reported as an event and tried again; the server goes on answering.
fn follow_mlflow(
    path: &std::path::Path,
    model: &str,
    uri: &str,
    poll: Duration,
) -> anyhow::Result<()> {
    use crate::mlflow::{pull, push_live_windows, MlflowClient, Prefer, Settings};
    let settings = Settings::from_env(Some(uri)).map_err(|e| UsageError(e.to_string()))?;
    let client = MlflowClient::new(settings).map_err(|e| UsageError(e.to_string()))?;
    let mut opened = crate::catalog::Catalog::open(path)?;
    // A serving desk takes the registry's word: MLflow wins any difference.
    pull(
        &mut opened,
        &client,
        model,
        Some(Prefer::Mlflow),
        &mut |_| {},
    )?;
    let model = model.to_string();
    std::thread::Builder::new()
        .name("modeldesk-mlflow-follow".into())
        .spawn(move || loop {
            std::thread::sleep(poll);
            // The registry's moves in, the server's live windows out.
            let synced = pull(
                &mut opened,
                &client,
                &model,
                Some(Prefer::Mlflow),
                &mut |_| {},
            )
            .and_then(|_| push_live_windows(&opened, &client, &model));
            if let Err(e) = synced {
                eprintln!(
                    "{}",
                    json!({"event": "mlflow_sync_failed", "model": model, "error": e.to_string()})
                );
            }
        })?;
    Ok(())
}

/// `modeldesk serve`.
pub fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let catalog = catalog::resolve_path(args.catalog.catalog.as_deref())?;
    if let Some(uri) = &args.tracking_uri {
        let (model, _) = crate::catalog::VersionSelector::parse_reference(&args.reference)?;
        follow_mlflow(&catalog, &model, uri, args.mlflow_poll)?;
    }
    let config = ServeConfig {
        catalog,
        reference: args.reference.clone(),
        host: args.host.clone(),
        port: args.port,
        token: token(args)?,
        max_body_bytes: (args.max_body_mb * 1e6) as usize,
        max_rows: args.max_rows.max(1),
        window: args.window,
        sample_rows: args.sample_rows,
        poll: Duration::from_millis(500),
    };
    serve::run(config, |addr, served| {
        println!(
            "serving {} (version {}) on http://{addr}",
            args.reference, served.version
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
    })
    .map_err(|e| match e {
        ServeError::Catalog(catalog) => anyhow::Error::from(catalog),
        ServeError::Usage(message) => UsageError(message).into(),
        other => other.into(),
    })
}

/// The earliest end time `--since` keeps, as the catalog writes times.
fn since(text: &str) -> Result<String, UsageError> {
    if let Ok(span) = parse_duration(text) {
        let at = std::time::SystemTime::now()
            .checked_sub(span)
            .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
        return Ok(crate::catalog::iso_utc(at));
    }
    let date = text.trim();
    let looks_like_date = date.len() >= 10
        && date.as_bytes()[4] == b'-'
        && date.as_bytes()[7] == b'-'
        && date[..4].chars().all(|c| c.is_ascii_digit());
    if looks_like_date {
        Ok(date.to_string())
    } else {
        Err(UsageError(format!(
            "--since '{text}' is neither a duration (90m, 24h, 7d) nor an ISO date"
        )))
    }
}

/// `modeldesk monitor`.
pub fn monitor(args: &MonitorArgs) -> anyhow::Result<()> {
    let catalog = args.catalog.open()?;
    let (model, version) = match args.reference.rsplit_once('@') {
        None => (args.reference.clone(), None),
        Some(_) => {
            let found = catalog.resolve(&args.reference)?;
            (found.model, Some(found.version))
        }
    };
    let since = args.since.as_deref().map(since).transpose()?;
    let windows = catalog.live_windows(&model, version, since.as_deref())?;
    if args.json {
        let windows: Vec<serde_json::Value> = windows.iter().map(window_json).collect();
        println!(
            "{}",
            json!({"model": model, "version": version, "windows": windows})
        );
    } else {
        print!("{}", monitor_text(&model, &windows));
    }
    Ok(())
}

fn drifted(window: &LiveWindow) -> Vec<(String, f64, String)> {
    let drift: Vec<serde_json::Value> =
        serde_json::from_str(&window.drift_json).unwrap_or_default();
    drift
        .iter()
        .filter(|d| d["status"].as_str().is_some_and(|s| s != "stable"))
        .map(|d| {
            (
                d["column"].as_str().unwrap_or("").to_string(),
                d["psi"].as_f64().unwrap_or(f64::NAN),
                d["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn window_json(w: &LiveWindow) -> serde_json::Value {
    let drift: serde_json::Value = serde_json::from_str(&w.drift_json).unwrap_or(json!([]));
    json!({
        "version": w.version,
        "server": w.server,
        "started_at": w.started_at,
        "ended_at": w.ended_at,
        "requests": w.requests,
        "rows": w.rows,
        "errors": w.errors,
        "latency_p50_ms": w.latency_p50_ms,
        "latency_p99_ms": w.latency_p99_ms,
        "sampled_rows": w.sampled_rows,
        "drift": drift,
        "labelled_rows": w.labelled_rows,
        "labelled_metric": w.labelled_metric,
    })
}

fn monitor_text(model: &str, windows: &[LiveWindow]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if windows.is_empty() {
        let _ = writeln!(
            out,
            "no live windows of {model} yet: `modeldesk serve` records them"
        );
        return out;
    }
    let _ = writeln!(
        out,
        "{:<25} {:>4} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9}  drift",
        "window end (UTC)", "v", "requests", "rows", "errors", "p50 ms", "p99 ms", "labelled"
    );
    for w in windows {
        let labelled = match w.labelled_metric {
            Some(m) => format!("{m:.3}"),
            None => "-".into(),
        };
        let drift = drifted(w);
        let drift = if drift.is_empty() {
            "stable".to_string()
        } else {
            drift
                .iter()
                .map(|(c, psi, s)| format!("{c} {s} (PSI {psi:.2})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "{:<25} {:>4} {:>9} {:>9} {:>7} {:>9.2} {:>9.2} {:>9}  {drift}",
            w.ended_at,
            w.version,
            w.requests,
            w.rows,
            w.errors,
            w.latency_p50_ms,
            w.latency_p99_ms,
            labelled
        );
    }
    out
}
