//! `modeldesk runs`: the recorded training runs, newest first, as a table or one JSON object.

use serde_json::json;

use super::{CatalogArg, UsageError};
use crate::catalog::{RunFilter, RunStatus, RunSummary};
use crate::ml::metric_registry;

/// Options of `runs`.
#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    /// Only runs on the dataset of this name (the file's stem, e.g. penguins).
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
    /// Only runs of this algorithm (e.g. logistic_regression).
    #[arg(long = "algo", value_name = "NAME")]
    pub algorithm: Option<String>,
    /// Only runs that ended so: finished, failed or cancelled.
    #[arg(long)]
    pub status: Option<String>,
    /// At most this many runs, the newest.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// `modeldesk runs`.
pub fn runs(args: &RunsArgs) -> anyhow::Result<()> {
    let status = match &args.status {
        None => None,
        Some(text) => Some(RunStatus::parse(text).ok_or_else(|| {
            UsageError(format!(
                "--status {text}: use finished, failed or cancelled"
            ))
        })?),
    };
    let filter = RunFilter {
        dataset: args.dataset.clone(),
        algorithm: args.algorithm.clone(),
        status,
        limit: args.limit,
    };
    let runs = args.catalog.open()?.runs(&filter)?;
    if args.json {
        println!("{}", runs_json(&runs));
    } else {
        print!("{}", runs_text(&runs));
    }
    Ok(())
}

/// The `runs --json` object: `runs`, newest first.
fn runs_json(runs: &[RunSummary]) -> serde_json::Value {
    let runs: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "status": r.status,
                "error": r.error,
                "algorithm": r.algorithm,
                "dataset": r.dataset,
                "target": r.target,
                "ended_at": r.ended_at,
                "created_by": r.created_by,
                "seconds": r.seconds,
                "metrics": r.metrics,
                "version": r.version.as_ref().map(|(model, version)| json!({
                    "model": model,
                    "version": version,
                })),
            })
        })
        .collect();
    json!({ "runs": runs })
}

/// The run's headline metric: accuracy for classes, R² for values.
fn headline(run: &RunSummary) -> String {
    ["accuracy", "r2"]
        .iter()
        .find_map(|&key| {
            let value = *run.metrics.get(key)?;
            Some(format!(
                "{} {}",
                metric_registry::label(key),
                metric_registry::format(key, value)
            ))
        })
        .unwrap_or_default()
}

/// One line per run: id, end time, status, algorithm, dataset, headline metric, time taken
/// and the version it was registered as (or the error).
fn runs_text(runs: &[RunSummary]) -> String {
    use std::fmt::Write as _;
    if runs.is_empty() {
        return "no recorded runs\n".into();
    }
    let mut out = format!(
        "{:>5}  {:<19}  {:<9}  {:<19}  {:<16}  {:<16}  {:>8}  registered\n",
        "run", "ended (UTC)", "status", "algorithm", "dataset", "metric", "seconds"
    );
    for r in runs {
        let ended: String = r.ended_at.replace('T', " ").chars().take(19).collect();
        let note = match (&r.version, &r.error) {
            (Some((model, version)), _) => format!("{model} v{version}"),
            (None, Some(error)) => format!("error: {error}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "{:>5}  {ended:<19}  {:<9}  {:<19}  {:<16}  {:<16}  {:>8.2}  {note}",
            r.id,
            r.status.name(),
            r.algorithm,
            r.dataset.as_deref().unwrap_or("?"),
            headline(r),
            r.seconds,
        );
    }
    out
}
