//! The catalog commands: `models`, `stage`, `rollback`, `history`, and registering what
//! `train` trained.

use serde_json::json;
use std::path::PathBuf;

use crate::catalog::{
    self, Catalog, HistoryEntry, HistoryEvent, ModelFilter, Stage, VersionQuery, VersionRef,
};
use crate::data::{self, Table};
use crate::ml::eval::{Evaluation, TrainedModel};

/// Where the catalog is; shared by every catalog command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CatalogArg {
    /// The catalog file (default: $MODELDESK_CATALOG, else catalog.sqlite in the data directory).
    #[arg(long, value_name = "PATH")]
    pub catalog: Option<PathBuf>,
}

impl CatalogArg {
    /// Open the catalog this argument names.
    pub fn open(&self) -> anyhow::Result<Catalog> {
        let path = catalog::resolve_path(self.catalog.as_deref())?;
        Ok(Catalog::open(&path)?)
    }
}

/// Options of `models`.
#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Options of `stage`.
#[derive(Debug, clap::Args)]
pub struct StageArgs {
    /// The registered model.
    pub model: String,
    /// The version number.
    pub version: i64,
    /// none, staging, production or archived (any case).
    pub stage: String,
    /// When promoting to production, archive the versions in production now.
    #[arg(long)]
    pub archive_existing: bool,
    /// Why, kept in the history.
    #[arg(long)]
    pub comment: Option<String>,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// Options of `rollback`.
#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// The registered model.
    pub model: String,
    /// Why, kept in the history.
    #[arg(long)]
    pub comment: Option<String>,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// Options of `history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The registered model.
    pub model: String,
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Register `model` (validated as `evaluation` says, trained on `table`) as `name`.
pub fn register(
    catalog: &mut Catalog,
    name: &str,
    table: &Table,
    evaluation: &Evaluation,
    model: &TrainedModel,
) -> anyhow::Result<VersionRef> {
    let profile = data::profile_table(table);
    let lineage = catalog::record::lineage(table, &profile)?;
    let new = catalog::record::new_version(evaluation, model, lineage)?;
    Ok(catalog.register(name, &new)?)
}

/// `modeldesk models`.
pub fn models(args: &ModelsArgs) -> anyhow::Result<()> {
    let catalog = args.catalog.open()?;
    let models = catalog.models(&ModelFilter::default())?;
    let mut listed = Vec::new();
    for model in &models {
        let query = VersionQuery {
            page: catalog::Page {
                offset: 0,
                limit: u64::MAX >> 1,
            },
            ..VersionQuery::of_model(&model.name)
        };
        listed.push((model, catalog.versions(&query)?));
    }
    if args.json {
        let models: Vec<serde_json::Value> = listed
            .iter()
            .map(|(model, versions)| {
                json!({
                    "name": model.name,
                    "description": model.description,
                    "tags": model.tags,
                    "created_at": model.created_at,
                    "production_version": model.production_version,
                    "versions": versions.iter().map(|v| json!({
                        "version": v.version,
                        "stage": v.stage,
                        "created_at": v.created_at,
                        "created_by": v.created_by,
                        "algorithm": v.algorithm,
                        "dataset": v.dataset_name,
                        "metrics": v.metrics,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", json!({ "catalog": catalog.path(), "models": models }));
        return Ok(());
    }
    if listed.is_empty() {
        println!("{}: no models registered yet", catalog.path().display());
    }
    for (model, versions) in &listed {
        let description = model.description.lines().next().unwrap_or("");
        println!("{}  {}", model.name, description);
        for v in versions {
            let accuracy = v
                .metrics
                .get("accuracy")
                .map(|a| format!("accuracy {a:.4}"))
                .unwrap_or_default();
            println!(
                "  version {:<4} {:<10}  {}  {}  {}",
                v.version,
                v.stage.title(),
                v.created_at,
                v.created_by,
                accuracy
            );
        }
    }
    Ok(())
}

fn describe(model: &str, entry: &HistoryEntry) -> String {
    let what = match entry.event {
        HistoryEvent::Registered => "registered".to_string(),
        HistoryEvent::Stage { from, to, cause } => {
            let why = match cause {
                catalog::Cause::Request => "",
                catalog::Cause::Replaced => " (replaced)",
                catalog::Cause::RollBack => " (roll back)",
            };
            format!("{} → {}{why}", from.title(), to.title())
        }
        HistoryEvent::Deleted { from } => format!("deleted (was {})", from.title()),
    };
    let comment = entry
        .comment
        .as_deref()
        .map(|c| format!(": {c}"))
        .unwrap_or_default();
    format!("{model} version {}: {what}{comment}", entry.version)
}

/// `modeldesk stage`.
pub fn stage(args: &StageArgs) -> anyhow::Result<()> {
    let stage: Stage = args.stage.parse()?;
    let mut catalog = args.catalog.open()?;
    let written = catalog.set_stage(
        &args.model,
        args.version,
        stage,
        args.archive_existing,
        args.comment.as_deref(),
    )?;
    if written.is_empty() {
        println!(
            "{} version {} is already {}",
            args.model,
            args.version,
            stage.title()
        );
    }
    for entry in &written {
        println!("{}", describe(&args.model, entry));
    }
    Ok(())
}

/// `modeldesk rollback`.
pub fn rollback(args: &RollbackArgs) -> anyhow::Result<()> {
    let mut catalog = args.catalog.open()?;
    for entry in catalog.roll_back(&args.model, args.comment.as_deref())? {
        println!("{}", describe(&args.model, &entry));
    }
    Ok(())
}

/// `modeldesk history`.
pub fn history(args: &HistoryArgs) -> anyhow::Result<()> {
    let catalog = args.catalog.open()?;
    let history = catalog.history(&args.model)?;
    if args.json {
        println!("{}", json!({ "model": args.model, "history": history }));
        return Ok(());
    }
    for entry in &history {
        println!(
            "{}  {:<12}  {}",
            entry.at,
            entry.actor,
            describe(&args.model, entry)
        );
    }
    Ok(())
}
