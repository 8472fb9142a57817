//! The command line: `inspect`, `train`, the catalog commands, `score` and `report` (and the
//! GUI launcher).
//! Exit status 0 success, 1 failure while working, 2 bad usage or bad input.

mod catalog;
mod export;
mod report;
mod score;
mod serve;

pub use catalog::{
    CatalogArg, DescribeArgs, HistoryArgs, ModelsArgs, RollbackArgs, StageArgs, TagArgs,
};
pub use export::ExportArgs;
pub use report::ReportArgs;
pub use score::ScoreArgs;
pub use serve::{MonitorArgs, ServeArgs};

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::path::PathBuf;

use crate::catalog::CatalogError;
use crate::data::ImportError;
use crate::data::{self, ImportOptions, Profile, Table};

mod split_export;

/// Modeldesk: import data, train and compare models, keep them in a catalog.
#[derive(Debug, Parser)]
#[command(name = "modeldesk", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; no subcommand opens the window.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the window, optionally importing FILE.
    Gui {
        file: Option<PathBuf>,
        /// Show FILE in the import preview instead of importing it at once.
        #[arg(long, requires = "file", conflicts_with = "score")]
        preview: bool,
        /// Score FILE with this registered version (MODEL@VERSION or MODEL@STAGE) in the
        /// Score view instead of importing it.
        #[arg(long, value_name = "MODEL@VERSION", requires = "file")]
        score: Option<String>,
    },
    /// Import a CSV file and print its schema and column profile.
    Inspect(InspectArgs),
    /// Train and validate models on a CSV file (and register the first in the catalog).
    Train(TrainArgs),
    /// List the registered models and their versions.
    Models(ModelsArgs),
    /// Move a version to a stage: none, staging, production or archived.
    Stage(StageArgs),
    /// Make the previous Production version of a model Production again.
    Rollback(RollbackArgs),
    /// Show the registrations, stage changes and deletions of a model's versions.
    History(HistoryArgs),
    /// Set the description of a model (MODEL) or of one version (MODEL@VERSION).
    Describe(DescribeArgs),
    /// Set, remove or list the tags of a model (MODEL) or of one version (MODEL@VERSION).
    Tag(TagArgs),
    /// Predict a CSV file with a registered version: schema check, metrics if labelled,
    /// drift, predictions as CSV; the run is recorded in the catalog.
    Score(ScoreArgs),
    /// Serve a registered version over HTTP (MLflow's scoring protocol), following its stage.
    Serve(ServeArgs),
    /// Show the live windows a server recorded: traffic, latency, drift, labelled accuracy.
    Monitor(MonitorArgs),
    /// Write a registered version, recipe and model together, as one ONNX file.
    Export(ExportArgs),
    /// Write one self-contained HTML report on one version or a comparison of several.
    Report(ReportArgs),
}

/// Options of `train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The column to predict.
    #[arg(long)]
    pub target: String,
    /// Algorithm to train (repeat for several): logistic_regression, decision_tree,
    /// random_forest, naive_bayes (classification); linear_regression, ridge, lasso,
    /// elastic_net (regression). Default: logistic_regression or linear_regression.
    #[arg(long = "algo")]
    pub algorithms: Vec<String>,
    /// classification or regression (default: inferred from the target column).
    #[arg(long)]
    pub task: Option<String>,
    /// k-fold cross-validation with K folds (default 5; stratified for classification).
    #[arg(long, conflicts_with = "holdout")]
    pub cv: Option<usize>,
    /// Hold-out: this fraction of the rows validates (stratified for classification).
    #[arg(long)]
    pub holdout: Option<f64>,
    /// Seed of the split.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Print how long each stage took (to stderr, and in the JSON).
    #[arg(long)]
    pub timings: bool,
    /// Write the hold-out split and its feature matrices as .npy files into this folder,
    /// for benchmarks against other tools.
    #[arg(long, hide = true, value_name = "DIR", requires = "holdout")]
    pub export_split: Option<PathBuf>,
    /// Register the (first) trained model in the catalog under this name.
    #[arg(long, value_name = "MODEL")]
    pub register: Option<String>,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Options of `inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print how long reading and profiling took (to stderr).
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How to read a CSV file; everything left out is sniffed.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReadArgs {
    /// Field separator: a single character, or `tab`.
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Whether the first row names the columns.
    #[arg(long)]
    pub header: Option<bool>,
    /// Numbers are written with a decimal comma (`3,5`).
    #[arg(long)]
    pub decimal_comma: Option<bool>,
    /// Text encoding of the file.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    pub encoding: EncodingArg,
    /// Skip rows with the wrong number of fields instead of failing.
    #[arg(long)]
    pub skip_ragged_rows: bool,
    /// Cell text that means "missing" (repeat; replaces the default list).
    #[arg(long = "missing")]
    pub missing: Vec<String>,
}

/// Encodings by their command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum EncodingArg {
    #[default]
    Auto,
    Utf8,
    Utf16le,
    Utf16be,
    Windows1252,
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" => Ok(b'\t'),
        t if t.len() == 1 && t.is_ascii() => Ok(t.as_bytes()[0]),
        _ => Err("the delimiter must be one ASCII character or 'tab'".into()),
    }
}

impl ReadArgs {
    /// Import options from the command line.
    pub fn options(&self) -> ImportOptions {
        let mut options = ImportOptions {
            delimiter: self.delimiter,
            has_header: self.header,
            decimal_comma: self.decimal_comma,
            encoding: match self.encoding {
                EncodingArg::Auto => data::Encoding::Auto,
                EncodingArg::Utf8 => data::Encoding::Utf8,
                EncodingArg::Utf16le => data::Encoding::Utf16Le,
                EncodingArg::Utf16be => data::Encoding::Utf16Be,
                EncodingArg::Windows1252 => data::Encoding::Windows1252,
            },
            skip_ragged_rows: self.skip_ragged_rows,
            ..ImportOptions::default()
        };
        if !self.missing.is_empty() {
            options.missing_tokens = self.missing.clone();
        }
        options
    }
}

/// Exit status of a command-line failure.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    if error.downcast_ref::<UsageError>().is_some() {
        return 2;
    }
    if let Some(catalog) = error.downcast_ref::<CatalogError>() {
        return if catalog.is_bad_input() { 2 } else { 1 };
    }
    match error.downcast_ref::<ImportError>() {
        Some(ImportError::Cancelled) => 1,
        Some(_) => 2,
        None => 1,
    }
}

/// Run a headless command, printing to stdout.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Inspect(args) => inspect(&args),
        Command::Train(args) => train(&args),
        Command::Models(args) => catalog::models(&args),
        Command::Stage(args) => catalog::stage(&args),
        Command::Rollback(args) => catalog::rollback(&args),
        Command::History(args) => catalog::history(&args),
        Command::Describe(args) => catalog::describe(&args),
        Command::Tag(args) => catalog::tag(&args),
        Command::Score(args) => score::score(&args),
        Command::Report(args) => report::report(&args),
        Command::Export(args) => export::export(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Monitor(args) => serve::monitor(&args),
        Command::Gui { .. } => unreachable!("the window is opened by main"),
    }
}

fn inspect(args: &InspectArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let progress = data::Progress::default();
    let table = data::import_csv(&args.file, &args.read.options(), &progress)?;
    let read = started.elapsed();
    let profile = data::profile_table(&table);
    if args.timings {
        let total = started.elapsed();
        eprintln!(
            "read {:.3} s, profile {:.3} s",
            read.as_secs_f64(),
            (total - read).as_secs_f64()
        );
    }
    if args.json {
        println!("{}", inspect_json(&table, &profile));
    } else {
        print!("{}", inspect_text(&table, &profile));
    }
    Ok(())
}

/// A command-line mistake the user can fix (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn train(args: &TrainArgs) -> anyhow::Result<()> {
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::target::{infer_task, Task};
    use crate::ml::{prep::Recipe, spec::ModelSpec};
    let task = match args.task.as_deref().map(str::to_lowercase).as_deref() {
        None => None,
        Some("classification") => Some(Task::Classification),
        Some("regression") => Some(Task::Regression),
        Some(other) => {
            return Err(UsageError(format!(
                "unknown task '{other}'; use classification or regression"
            ))
            .into())
        }
    };
    let mut specs = args
        .algorithms
        .iter()
        .map(|name| {
            ModelSpec::from_name(name).ok_or_else(|| {
                UsageError(format!(
                    "unknown algorithm '{name}'; known: {}",
                    ModelSpec::NAMES.join(", ")
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let validation = match (args.cv, args.holdout) {
        (_, Some(fraction)) => Validation::Holdout {
            fraction,
            seed: args.seed,
        },
        (folds, None) => Validation::CrossValidation {
            folds: folds.unwrap_or(5),
            seed: args.seed,
        },
    };
    // A bad name or catalog fails before the training, not after it.
    let mut registry = match &args.register {
        Some(name) => {
            crate::catalog::validate_model_name(name)?;
            Some((name.as_str(), args.catalog.open()?))
        }
        None => None,
    };
    let mut options = args.read.options();
    let started = std::time::Instant::now();
    let table = data::import_csv(&args.file, &options, &data::Progress::default())?;
    let import_seconds = started.elapsed().as_secs_f64();
    let Some(index) = table.columns.iter().position(|c| c.name == args.target) else {
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        return Err(UsageError(format!(
            "{}: no column '{}' (columns: {})",
            args.file.display(),
            args.target,
            names.join(", ")
        ))
        .into());
    };
    options.set_role(index, Some(data::Role::Target));
    let mut table = table;
    table.set_role(index, data::Role::Target);
    let task = task.unwrap_or_else(|| infer_task(&table.columns[index]));
    if specs.is_empty() {
        specs.push(
            match task {
                Task::Classification => ModelSpec::from_name("logistic_regression"),
                Task::Regression => ModelSpec::from_name("linear_regression"),
            }
            .expect("default algorithms exist"),
        );
    }
    let recipe = Recipe::default_for(&table);
    let mut models = Vec::new();
    let mut first_model = None;
    for spec in &specs {
        let (evaluation, model) = train_and_validate(
            &table,
            &args.target,
            Some(task),
            &recipe,
            spec,
            validation,
            &mut |_, _| true,
        )
        .map_err(|e| UsageError(format!("{}: {e}", args.file.display())))?;
        first_model.get_or_insert(model);
        models.push(evaluation);
    }
    if let Some(dir) = &args.export_split {
        split_export::export_split(dir, &table, &args.target, &recipe, validation)?;
    }
    if args.timings {
        eprintln!("import {import_seconds:.3} s");
        for e in &models {
            let steps: Vec<String> = e
                .timings
                .iter()
                .map(|t| {
                    let iterations = t
                        .iterations
                        .map(|n| format!(" ({n} iterations)"))
                        .unwrap_or_default();
                    format!("{} {} {:.3} s{iterations}", t.stage, t.step, t.seconds)
                })
                .collect();
            eprintln!("{}: {}", e.algorithm, steps.join(", "));
        }
    }
    let registered = match (&mut registry, &first_model) {
        (Some((name, catalog)), Some(model)) => {
            Some(catalog::register(catalog, name, &table, &models[0], model)?)
        }
        _ => None,
    };
    if args.json {
        let model_json: Vec<serde_json::Value> = models
            .iter()
            .map(|e| {
                let mut model = json!({
                    "algorithm": e.algorithm,
                    "parameters": e.parameters,
                    "metrics": e.mean,
                    "metrics_std": e.std,
                    "pooled": e.pooled,
                    "folds": e.folds,
                    "warnings": e.warnings,
                    "train_seconds": e.train_seconds,
                });
                if args.timings {
                    model["timings"] = json!(e.timings);
                }
                model
            })
            .collect();
        let first = &models[0];
        let mut out = json!({
            "task": first.task,
            "target": first.target,
            "classes": first.classes,
            "rows_used": first.rows_used,
            "rows_dropped": first.rows_dropped,
            "validation": first.validation,
            "models": model_json,
        });
        if models.len() == 1 {
            out["metrics"] = json!(first.mean);
            out["folds"] = json!(first.folds);
        }
        if args.timings {
            out["import_seconds"] = json!(import_seconds);
        }
        if let Some(registered) = &registered {
            out["model"] = json!(registered.model);
            out["version"] = json!(registered.version);
        }
        println!("{out}");
    } else {
        for e in &models {
            println!(
                "{} on {} predicting '{}' ({} rows, {} dropped for a missing target)",
                e.algorithm,
                args.file.display(),
                e.target,
                e.rows_used,
                e.rows_dropped
            );
            let std: std::collections::BTreeMap<_, _> = e.std.clone();
            for (name, value) in e.pooled.scalars() {
                let mean = e.mean.get(name).copied().unwrap_or(value);
                println!(
                    "  {:<20} {mean:.4} ± {:.4}",
                    crate::ml::metric_registry::label(name),
                    std.get(name).copied().unwrap_or(0.0)
                );
            }
            for warning in &e.warnings {
                println!("  warning: {warning}");
            }
        }
        if let Some(registered) = &registered {
            println!(
                "registered {} version {}",
                registered.model, registered.version
            );
        }
    }
    Ok(())
}

/// The `inspect --json` object.
pub fn inspect_json(table: &Table, profile: &Profile) -> serde_json::Value {
    json!({
        "file": table.source.display().to_string(),
        "rows": profile.rows,
        "fingerprint": table.fingerprint,
        "dialect": {
            "delimiter": (table.dialect.delimiter as char).to_string(),
            "header": table.dialect.has_header,
            "decimal_comma": table.dialect.decimal_comma,
            "encoding": table.dialect.encoding.name(),
        },
        "columns": profile.columns,
        "class_balance": profile.class_balance,
        "notices": table.notices,
    })
}

/// The human-readable `inspect` report.
pub fn inspect_text(table: &Table, profile: &Profile) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let d = &table.dialect;
    let _ = writeln!(
        out,
        "{}: {} rows × {} columns ({} separated, {}{}, {})",
        table.source.display(),
        profile.rows,
        profile.columns.len(),
        d.delimiter_name(),
        if d.has_header { "header" } else { "no header" },
        if d.decimal_comma {
            ", decimal comma"
        } else {
            ""
        },
        d.encoding.name()
    );
    let _ = writeln!(out, "fingerprint {}", table.fingerprint);
    let width = profile
        .columns
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    let _ = writeln!(
        out,
        "\n{:<width$}  {:<11}  {:<7}  {:>8}  {:>8}  summary",
        "column", "type", "role", "missing", "distinct"
    );
    for c in &profile.columns {
        let summary = match (&c.numeric, c.top_levels.is_empty()) {
            (Some(s), _) => format!(
                "min {} · mean {:.4} · max {} · std {:.4}",
                s.min, s.mean, s.max, s.std
            ),
            (None, false) => c
                .top_levels
                .iter()
                .take(5)
                .map(|(level, n)| format!("{level} ({n})"))
                .collect::<Vec<_>>()
                .join(", "),
            (None, true) => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<11}  {:<7}  {:>8}  {:>8}  {}",
            c.name,
            c.kind.name(),
            c.role.name(),
            c.missing,
            c.distinct,
            summary
        );
    }
    if let Some(balance) = &profile.class_balance {
        let parts: Vec<String> = balance
            .iter()
            .map(|(level, n)| format!("{level} {n}"))
            .collect();
        let _ = writeln!(out, "\nclass balance: {}", parts.join(", "));
    }
    if !table.notices.is_empty() {
        let _ = writeln!(out, "\nnotices:");
        for notice in &table.notices {
            let _ = writeln!(out, "  - {notice}");
        }
    }
    out
}
