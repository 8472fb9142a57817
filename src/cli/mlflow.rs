//! `modeldesk mlflow push`: a model's versions to an MLflow tracking server, with progress
//! lines on stderr; and the stage changes of `stage` and `rollback` followed in MLflow for
//! versions pushed before.

use std::sync::atomic::AtomicBool;

use clap::Subcommand;
use serde_json::json;

use super::{CatalogArg, UsageError};
use crate::catalog::{Catalog, VersionSelector};
use crate::mlflow::{self, MlflowClient, MlflowError, Outcome, PushWhat, Settings};

/// Options of `mlflow`.
#[derive(Debug, clap::Args)]
pub struct MlflowArgs {
    #[command(subcommand)]
    pub command: MlflowCommand,
}

/// What to do with the MLflow server.
#[derive(Debug, Subcommand)]
pub enum MlflowCommand {
    /// Push versions (default: every version not pushed yet, and the stages of those that
    /// were) as runs, files, registered model versions and aliases.
    Push(PushArgs),
    /// Bring in the versions of MODEL that are in MLflow but not in the catalog, and the
    /// stage changes made in MLflow (its aliases) since the last sync.
    Pull(PullArgs),
}

/// Options of `mlflow pull`.
#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// The registered model's name (in MLflow and in the catalog).
    #[arg(value_name = "MODEL")]
    pub model: String,
    #[command(flatten)]
    pub server: TrackingArg,
    /// Settle versions whose stage changed on both sides since the last sync: keep the
    /// catalog's (and send it to MLflow) or take MLflow's.
    #[arg(long, value_enum)]
    pub prefer: Option<mlflow::Prefer>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// Options of `mlflow push`.
#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// MODEL (every version), MODEL@VERSION or MODEL@STAGE.
    #[arg(value_name = "MODEL[@VERSION]", required_unless_present = "runs")]
    pub reference: Option<String>,
    /// Push the recorded training runs instead (finished, failed and cancelled), one
    /// experiment per dataset; runs pushed before are left as they are.
    #[arg(long, conflicts_with = "reference")]
    pub runs: bool,
    /// With --runs: only the runs on this dataset.
    #[arg(long, value_name = "NAME", requires = "runs")]
    pub dataset: Option<String>,
    #[command(flatten)]
    pub server: TrackingArg,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// Which MLflow server.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TrackingArg {
    /// The MLflow tracking server, http(s)://HOST[:PORT] (default: $MLFLOW_TRACKING_URI).
    #[arg(long, value_name = "URL")]
    pub tracking_uri: Option<String>,
    /// Send the token in this file as the bearer token (instead of $MLFLOW_TRACKING_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<std::path::PathBuf>,
}

/// An MLflow failure as the command line reports it: catalog mistakes and a missing or bad
/// URI are bad input (exit 2), the rest failures while working (exit 1).
fn cli_error(error: MlflowError) -> anyhow::Error {
    match error {
        MlflowError::Catalog(catalog) => catalog.into(),
        e @ (MlflowError::NoTrackingUri | MlflowError::BadUri(_) | MlflowError::Setup(_)) => {
            UsageError(e.to_string()).into()
        }
        other => other.into(),
    }
}

fn connect(server: &TrackingArg) -> anyhow::Result<MlflowClient> {
    let mut settings = Settings::from_env(server.tracking_uri.as_deref()).map_err(cli_error)?;
    if let Some(file) = &server.token_file {
        settings = settings.with_token_file(file).map_err(cli_error)?;
    }
    MlflowClient::new(settings).map_err(cli_error)
}

fn progress_line(line: &str, fraction: f32) {
    eprintln!("[{:>3.0}%] {line}", fraction * 100.0);
}

/// `modeldesk mlflow push`.
pub fn push(args: &PushArgs) -> anyhow::Result<()> {
    let Some(reference) = &args.reference else {
        return push_runs(args);
    };
    let mut catalog = args.catalog.open()?;
    let (model, selector) = VersionSelector::parse_reference(reference)?;
    let what = if reference.contains('@') {
        PushWhat::Version(catalog.select(&model, selector)?.version)
    } else {
        catalog.select(&model, VersionSelector::Latest)?;
        PushWhat::AllVersions
    };
    let client = connect(&args.server)?;
    let never = AtomicBool::new(false);
    let pushed = mlflow::push(
        &mut catalog,
        &client,
        &model,
        what,
        &mut progress_line,
        &never,
    )
    .map_err(cli_error)?;
    if args.json {
        println!(
            "{}",
            json!({"tracking_uri": client.uri(), "model": model, "versions": pushed})
        );
        return Ok(());
    }
    for version in &pushed {
        let what = match version.outcome {
            Outcome::Pushed => "pushed",
            Outcome::StageSynced => "stage sent",
            Outcome::UpToDate => "up to date",
        };
        println!(
            "{model} version {}: {what} — {} version {} in {} (run {})",
            version.version,
            version.mlflow_model,
            version.mlflow_version,
            client.uri(),
            version.run_id
        );
    }
    Ok(())
}

/// `modeldesk mlflow push --runs`.
fn push_runs(args: &PushArgs) -> anyhow::Result<()> {
    let catalog = args.catalog.open()?;
    let client = connect(&args.server)?;
    let pushed = mlflow::push_runs(&catalog, &client, args.dataset.as_deref(), &mut |line| {
        eprintln!("{line}")
    })
    .map_err(cli_error)?;
    if args.json {
        println!("{}", json!({"tracking_uri": client.uri(), "runs": pushed}));
        return Ok(());
    }
    if pushed.is_empty() {
        println!("no recorded runs to push");
    }
    for run in &pushed {
        let what = if run.up_to_date {
            "up to date"
        } else {
            "pushed"
        };
        println!(
            "run {}: {what} — in experiment \"{}\" of {} (run {})",
            run.run,
            run.experiment,
            client.uri(),
            run.run_id
        );
    }
    Ok(())
}

/// `modeldesk mlflow pull`.
pub fn pull(args: &PullArgs) -> anyhow::Result<()> {
    let mut catalog = args.catalog.open()?;
    let client = connect(&args.server)?;
    let pulled = mlflow::pull(
        &mut catalog,
        &client,
        &args.model,
        args.prefer,
        &mut |line| eprintln!("{line}"),
    )
    .map_err(cli_error)?;
    let conflicts = pulled
        .iter()
        .filter(|p| matches!(p, mlflow::Pulled::Conflict { .. }))
        .count();
    if args.json {
        println!(
            "{}",
            json!({"tracking_uri": client.uri(), "model": args.model, "versions": pulled})
        );
    } else {
        for outcome in &pulled {
            println!("{}", mlflow::describe_pulled(&args.model, outcome));
        }
    }
    if conflicts > 0 {
        return Err(anyhow::anyhow!(
            "{conflicts} version{} of {} changed on both sides and {} not synced; \
             --prefer local or --prefer mlflow settles {}",
            if conflicts == 1 { "" } else { "s" },
            args.model,
            if conflicts == 1 { "was" } else { "were" },
            if conflicts == 1 { "it" } else { "them" },
        ));
    }
    Ok(())
}

/// After a stage change of `model` in the catalog: send the stages of its versions pushed
/// to the MLflow server named by `--tracking-uri` or `$MLFLOW_TRACKING_URI`, if any. A model
/// never pushed there sends nothing.
pub fn follow_stage_change(
    catalog: &mut Catalog,
    model: &str,
    server: &TrackingArg,
) -> anyhow::Result<()> {
    let not_sent = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "the stage changed in the catalog but not in MLflow ({e}); `modeldesk mlflow push {model}` sends it later"
        )
    };
    let settings = match Settings::from_env(server.tracking_uri.as_deref()) {
        Err(MlflowError::NoTrackingUri) => return Ok(()),
        other => other.map_err(|e| not_sent(&e))?,
    };
    let client = MlflowClient::new(settings).map_err(|e| not_sent(&e))?;
    if catalog.mlflow_syncs(model, &client.uri())?.is_empty() {
        return Ok(());
    }
    let never = AtomicBool::new(false);
    let sent = mlflow::push(
        catalog,
        &client,
        model,
        PushWhat::Stages,
        &mut progress_line,
        &never,
    )
    .map_err(|e| not_sent(&e))?;
    for version in sent.iter().filter(|v| v.outcome == Outcome::StageSynced) {
        println!(
            "MLflow: {} version {} follows {model} version {} in {}",
            version.mlflow_model,
            version.mlflow_version,
            version.version,
            client.uri()
        );
    }
    Ok(())
}
