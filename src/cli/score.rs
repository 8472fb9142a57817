//! `modeldesk score`: predictions of a registered version for a CSV file, with the schema
//! check, metrics when the file has labels, drift against the training data, the predictions
//! (and, when asked, each row's contributions) as CSV, and the run recorded in the catalog.

use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use super::{CatalogArg, MemoryArg, ReadArgs, UsageError};
use crate::catalog::{record, VersionDetail};
use crate::data::{self, Table};
use crate::ml::contributions::{ClassChoice, DEFAULT_SAMPLES};
use crate::ml::eval::TrainedModel;
use crate::score::drift::{DriftStatus, Thresholds};
use crate::score::explained::{explain_table, Explained};
use crate::score::{export, score_table, Scored};

/// Options of `score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// The version to score with: MODEL@VERSION (churn@3) or MODEL@STAGE (churn@production).
    pub reference: String,
    /// The CSV file to score.
    pub file: PathBuf,
    /// Write the file's rows with their predictions to this CSV file.
    #[arg(short = 'o', long = "output", value_name = "OUT.csv")]
    pub output: Option<PathBuf>,
    /// Decimals of the probabilities in the output file; 17 or more writes the shortest text
    /// that reads back as the exact number.
    #[arg(long, value_name = "N", default_value_t = export::PROBABILITY_DIGITS, requires = "output")]
    pub digits: usize,
    /// Print the drift of each feature against the training data.
    #[arg(long)]
    pub drift: bool,
    /// Add each row's explanation to the output file: the explained class, the base (average
    /// prediction) and a contribution_<column> per column, which add up to the prediction;
    /// for sampled estimates (naive Bayes) an error_<column> (standard error) per column.
    #[arg(long, requires = "output")]
    pub explain: bool,
    /// The class to explain every row for (default: each row's predicted class).
    #[arg(long, value_name = "CLASS", requires = "explain")]
    pub explain_class: Option<String>,
    /// Permutations sampled per row, for models explained by sampling.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SAMPLES, requires = "explain")]
    pub samples: usize,
    /// Seed of the sampled explanations.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "explain")]
    pub seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub memory: MemoryArg,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `modeldesk score`.
pub fn score(args: &ScoreArgs) -> anyhow::Result<()> {
    args.memory.apply();
    let mut catalog = args.catalog.open()?;
    let found = catalog.resolve(&args.reference)?;
    // The checksum is verified before anything is read or predicted.
    let model = record::load_model(&catalog, found.id)?;
    let detail = catalog.version(&found.model, found.version)?;
    // Read as the version's training file was, but for what the flags choose.
    let options = args.read.over(model.scoring_options());
    let table = data::import_csv(&args.file, &options, &data::Progress::default())?;
    let scored = score_table(&model, &table, &Thresholds::default(), &mut |_, _| true)
        .map_err(|e| UsageError(format!("{}: {e}", args.file.display())))?;
    let explained = if args.explain {
        Some(explain_rows(args, &model, &table)?)
    } else {
        None
    };
    if let Some(out) = &args.output {
        write_predictions(out, &table, &scored, args.digits, explained.as_ref())?;
    }
    let run = record::scoring_run(&table, &scored)?;
    // Predictions already written stay useful when the catalog cannot take the record (a
    // read-only catalog, say): say so and go on.
    let recorded = match catalog.record_scoring_run(&found.model, found.version, &run) {
        Ok(id) => Some(id),
        Err(error) => {
            eprintln!("modeldesk: the scoring run was not recorded: {error}");
            None
        }
    };
    if args.json {
        let mut out = score_json(&detail, &table, &scored);
        out["output"] = json!(args.output.as_ref().map(|p| p.display().to_string()));
        out["scoring_run"] = json!(recorded);
        if let Some(explained) = &explained {
            out["explain"] = explain_json(explained);
        }
        println!("{out}");
    } else {
        print!("{}", score_text(&detail, &table, &scored, args.drift));
        if let Some(explained) = &explained {
            print!("{}", explain_text(explained));
        }
        if let Some(out) = &args.output {
            println!("predictions written to {}", out.display());
        }
        if let Some(id) = recorded {
            println!("recorded as scoring run {id}");
        }
    }
    Ok(())
}

/// Every row's contributions, for the class the flags choose.
fn explain_rows(
    args: &ScoreArgs,
    model: &TrainedModel,
    table: &Table,
) -> anyhow::Result<Explained> {
    let choice = match &args.explain_class {
        None => ClassChoice::Predicted,
        Some(name) => match model.classes.iter().position(|c| c == name) {
            Some(k) => ClassChoice::Class(k),
            None if model.classes.is_empty() => {
                return Err(
                    UsageError("--explain-class: a regression model has no classes".into()).into(),
                )
            }
            None => {
                return Err(UsageError(format!(
                    "--explain-class: '{name}' is not one of the model's classes ({})",
                    model.classes.join(", ")
                ))
                .into())
            }
        },
    };
    let rows: Vec<usize> = (0..table.rows()).collect();
    explain_table(
        model,
        table,
        &rows,
        choice,
        args.samples,
        args.seed,
        &|_| true,
    )
    .map_err(|e| UsageError(format!("--explain: {e}")).into())
}

fn explain_json(explained: &Explained) -> serde_json::Value {
    let c = &explained.contributions;
    json!({
        "method": c.method,
        "description": c.method.describe(),
        "unit": c.unit,
        "columns": c.columns,
    })
}

fn explain_text(explained: &Explained) -> String {
    let c = &explained.contributions;
    format!(
        "each row explained ({}), in {}: base + contributions = prediction\n",
        c.method.describe(),
        c.unit.describe()
    )
}

fn write_predictions(
    out: &PathBuf,
    table: &Table,
    scored: &Scored,
    digits: usize,
    explained: Option<&Explained>,
) -> anyhow::Result<()> {
    let failed = |e: std::io::Error| anyhow::anyhow!("{}: {e}", out.display());
    let file = std::fs::File::create(out).map_err(failed)?;
    let mut writer = std::io::BufWriter::new(file);
    export::write_explained_predictions(&mut writer, table, scored, digits, explained)
        .map_err(failed)?;
    writer.flush().map_err(failed)
}

fn scalars(scored: &Scored) -> BTreeMap<&'static str, f64> {
    scored
        .metrics
        .as_ref()
        .map(|m| m.scalars().into_iter().collect())
        .unwrap_or_default()
}

/// The `score --json` object.
fn score_json(detail: &VersionDetail, table: &Table, scored: &Scored) -> serde_json::Value {
    let summary = &detail.summary;
    let drift: Vec<serde_json::Value> = scored
        .drift
        .iter()
        .map(|d| json!({ "column": d.column, "psi": d.psi, "ks": d.ks, "status": d.status }))
        .collect();
    let unseen: BTreeMap<&str, u64> = scored
        .unseen
        .iter()
        .map(|(column, n)| (column.as_str(), *n))
        .collect();
    let mut out = json!({
        "model": summary.model,
        "version": summary.version,
        "stage": summary.stage,
        "algorithm": summary.algorithm,
        "file": table.source.display().to_string(),
        "fingerprint": table.fingerprint,
        "rows": scored.rows,
        "notices": table.notices.iter().chain(&scored.notices).collect::<Vec<_>>(),
        "validation_metrics": summary.metrics,
        "drift": drift,
        "unseen": unseen,
    });
    if scored.metrics.is_some() {
        out["metrics"] = json!(scalars(scored));
        out["labelled_rows"] = json!(scored.labelled_rows);
    }
    out
}

fn status_name(status: DriftStatus) -> &'static str {
    match status {
        DriftStatus::Stable => "stable",
        DriftStatus::Warning => "warning",
        DriftStatus::Drift => "drift",
    }
}

/// The human-readable `score` report.
fn score_text(detail: &VersionDetail, table: &Table, scored: &Scored, drift: bool) -> String {
    let summary = &detail.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scored {} rows of {} with {} version {} ({}, stage {})",
        scored.rows,
        table.source.display(),
        summary.model,
        summary.version,
        summary.algorithm.as_deref().unwrap_or("unknown algorithm"),
        summary.stage.title()
    );
    let notices: Vec<&String> = table.notices.iter().chain(&scored.notices).collect();
    if !notices.is_empty() {
        let _ = writeln!(out, "notices:");
        for notice in notices {
            let _ = writeln!(out, "  - {notice}");
        }
    }
    if scored.metrics.is_some() {
        let _ = writeln!(
            out,
            "metrics on {} labelled rows (validation when trained):",
            scored.labelled_rows
        );
        let metrics = scored
            .metrics
            .as_ref()
            .map(|m| m.scalars())
            .unwrap_or_default();
        for (name, value) in metrics {
            let validation = summary
                .metrics
                .get(name)
                .map(|v| format!("{v:.4}"))
                .unwrap_or_else(|| "-".into());
            let label = crate::ml::metric_registry::label(name);
            let _ = writeln!(out, "  {label:<20} {value:>8.4}   ({validation})");
        }
    } else {
        let _ = writeln!(out, "no labels in the file: no metrics");
    }
    let count = |status| scored.drift.iter().filter(|d| d.status == status).count();
    let _ = writeln!(
        out,
        "drift: {} of {} features drifted, {} with a warning",
        count(DriftStatus::Drift),
        scored.drift.len(),
        count(DriftStatus::Warning)
    );
    if drift && !scored.drift.is_empty() {
        let width = scored
            .drift
            .iter()
            .map(|d| d.column.chars().count())
            .max()
            .unwrap_or(6)
            .clamp(6, 40);
        let _ = writeln!(
            out,
            "  {:<width$}  {:>8}  {:>8}  status",
            "column", "PSI", "KS"
        );
        for d in &scored.drift {
            let ks =
                d.ks.map(|k| format!("{k:.4}"))
                    .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "  {:<width$}  {:>8.4}  {:>8}  {}",
                d.column,
                d.psi,
                ks,
                status_name(d.status)
            );
        }
    }
    out
}
