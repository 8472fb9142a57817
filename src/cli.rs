//! The command line: `inspect`, `train`, `runs`, the catalog commands, `score`, `report` and
//! `mlflow` (and the GUI launcher).
//! Exit status 0 success, 1 failure while working, 2 bad usage or bad input.

mod catalog;
mod explain;
mod explain_dependence;
mod explain_shap;
mod export;
mod memory_arg;
mod mlflow;
mod report;
mod runs;
mod score;
mod serve;

pub use catalog::{
    CatalogArg, DescribeArgs, HistoryArgs, ModelsArgs, RollbackArgs, StageArgs, TagArgs,
};
pub use explain::ExplainArgs;
pub use export::ExportArgs;
pub use memory_arg::MemoryArg;
pub use mlflow::{MlflowArgs, MlflowCommand, PullArgs, PushArgs, TrackingArg};
pub use report::ReportArgs;
pub use runs::RunsArgs;
pub use score::ScoreArgs;
pub use serve::{MonitorArgs, ServeArgs};

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::path::PathBuf;

use crate::catalog::CatalogError;
use crate::data::ImportError;
use crate::data::{self, ImportOptions, Profile, Table};

mod split_export;
mod train;

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
    /// List the recorded training runs, newest first (finished, failed and cancelled).
    Runs(RunsArgs),
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
    /// Show what a registered version learned: coefficients, importances or class Gaussians.
    Explain(ExplainArgs),
    /// Share versions with a team's MLflow tracking server.
    Mlflow(MlflowArgs),
}

/// Options of `train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The column to predict.
    #[arg(long)]
    pub target: String,
    /// Algorithm to train (repeat for several). Default: the first of the task's.
    #[arg(long = "algo", value_name = "NAME", long_help = algorithm_help())]
    pub algorithms: Vec<String>,
    /// Set a parameter of every chosen algorithm that has it, e.g. `--param c=0.5`
    /// (repeat for several); the parameters are listed under `--algo`.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Every one-hot column groups the levels seen in fewer training rows than this into one
    /// "(infrequent)" column: a row count (5) or a share of the rows (0.01), as scikit-learn's
    /// OneHotEncoder(min_frequency=…).
    #[arg(long, value_name = "ROWS|SHARE")]
    pub min_frequency: Option<crate::ml::prep::MinFrequency>,
    /// Every one-hot column keeps at most this many columns, "(infrequent)" included; the least
    /// frequent levels are grouped, as OneHotEncoder(max_categories=…).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_categories: Option<u32>,
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
    /// Record nothing in the catalog (every run is recorded otherwise).
    #[arg(long, conflicts_with = "register")]
    pub no_record: bool,
    #[command(flatten)]
    pub memory: MemoryArg,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `--algo`'s long help: every registered algorithm by task, with its parameters.
fn algorithm_help() -> String {
    use crate::ml::spec::ModelSpec;
    let mut help = String::from("Algorithm to train (repeat for several):");
    for spec in ModelSpec::all() {
        let keys: Vec<&str> = spec.algorithm().params().iter().map(|p| p.key).collect();
        let params = if keys.is_empty() {
            "no parameters".to_string()
        } else {
            format!("--param {}", keys.join(", "))
        };
        let tasks: Vec<&str> = spec.algorithm().tasks().iter().map(|t| t.noun()).collect();
        help.push_str(&format!(
            "\n  {} ({}; {params})",
            spec.name(),
            tasks.join(" or ")
        ));
    }
    help.push_str("\nDefault: the first algorithm listed for the task.");
    help
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
        self.over(ImportOptions::default())
    }

    /// `base` with each choice given on the command line in place of its own; a flag left
    /// out keeps `base`'s choice.
    pub fn over(&self, base: ImportOptions) -> ImportOptions {
        let mut options = ImportOptions {
            delimiter: self.delimiter.or(base.delimiter),
            has_header: self.header.or(base.has_header),
            decimal_comma: self.decimal_comma.or(base.decimal_comma),
            encoding: match self.encoding {
                EncodingArg::Auto => base.encoding,
                EncodingArg::Utf8 => data::Encoding::Utf8,
                EncodingArg::Utf16le => data::Encoding::Utf16Le,
                EncodingArg::Utf16be => data::Encoding::Utf16Be,
                EncodingArg::Windows1252 => data::Encoding::Windows1252,
            },
            skip_ragged_rows: self.skip_ragged_rows || base.skip_ragged_rows,
            ..base
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
        Command::Train(args) => train::train(&args),
        Command::Models(args) => catalog::models(&args),
        Command::Runs(args) => runs::runs(&args),
        Command::Stage(args) => catalog::stage(&args),
        Command::Rollback(args) => catalog::rollback(&args),
        Command::History(args) => catalog::history(&args),
        Command::Describe(args) => catalog::describe(&args),
        Command::Tag(args) => catalog::tag(&args),
        Command::Score(args) => score::score(&args),
        Command::Report(args) => report::report(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Export(args) => export::export(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Monitor(args) => serve::monitor(&args),
        Command::Mlflow(args) => match &args.command {
            MlflowCommand::Push(push) => mlflow::push(push),
            MlflowCommand::Pull(pull) => mlflow::pull(pull),
        },
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
