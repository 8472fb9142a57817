//! The catalog commands: `models`, `stage`, `rollback`, `history`, `describe`, `tag`, and
//! registering what `train` trained.

use serde_json::json;
use std::path::PathBuf;

use crate::catalog::{
    self, Catalog, HistoryEntry, HistoryEvent, ModelFilter, Stage, VersionQuery, VersionRef,
};
use crate::data::{self, Table};
use crate::ml::eval::{Evaluation, TrainedModel};
use crate::ml::metric_registry;

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
    /// Also send the change to this MLflow server if the model was pushed there (default:
    /// $MLFLOW_TRACKING_URI).
    #[command(flatten)]
    pub mlflow: super::TrackingArg,
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
    /// Also send the change to this MLflow server if the model was pushed there (default:
    /// $MLFLOW_TRACKING_URI).
    #[command(flatten)]
    pub mlflow: super::TrackingArg,
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

/// Options of `describe`.
#[derive(Debug, clap::Args)]
pub struct DescribeArgs {
    /// A model (MODEL), or one of its versions (MODEL@VERSION or MODEL@STAGE).
    pub target: String,
    /// The new description; an empty one ("") clears it.
    pub text: String,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// Options of `tag`.
#[derive(Debug, clap::Args)]
pub struct TagArgs {
    /// A model (MODEL), or one of its versions (MODEL@VERSION or MODEL@STAGE).
    pub target: String,
    /// Tags to set, each KEY=VALUE (an existing key gets the new value). With none and no
    /// --remove, the tags are only printed.
    #[arg(value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// A tag to remove, by key (repeat for several).
    #[arg(long, value_name = "KEY")]
    pub remove: Vec<String>,
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Print the tags as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// What `describe` and `tag` act on: a model (`version` `None`), or one version of it.
struct NoteTarget {
    model: String,
    version: Option<i64>,
}

impl NoteTarget {
    /// `churn` is the model; `churn@3`, `churn@production` or `churn@latest` a version.
    fn find(catalog: &Catalog, text: &str) -> anyhow::Result<NoteTarget> {
        if text.contains('@') {
            let found = catalog.resolve(text)?;
            return Ok(NoteTarget {
                model: found.model,
                version: Some(found.version),
            });
        }
        Ok(NoteTarget {
            model: text.to_string(),
            version: None,
        })
    }

    fn title(&self) -> String {
        match self.version {
            None => self.model.clone(),
            Some(v) => format!("{} version {v}", self.model),
        }
    }
}

/// `modeldesk describe`.
pub fn describe(args: &DescribeArgs) -> anyhow::Result<()> {
    let mut catalog = args.catalog.open()?;
    let target = NoteTarget::find(&catalog, &args.target)?;
    let text = args.text.trim();
    catalog.set_description(&target.model, target.version, text)?;
    if text.is_empty() {
        println!("{}: description cleared", target.title());
    } else {
        println!("{}: description set", target.title());
    }
    Ok(())
}

/// `modeldesk tag`.
pub fn tag(args: &TagArgs) -> anyhow::Result<()> {
    // Every KEY=VALUE is checked before anything is written.
    let mut pairs = Vec::with_capacity(args.tags.len());
    for text in &args.tags {
        let Some((key, value)) = text.split_once('=') else {
            return Err(super::UsageError(format!(
                "'{text}' is not KEY=VALUE (to remove a tag, use --remove KEY)"
            ))
            .into());
        };
        pairs.push((key, value));
    }
    let mut catalog = args.catalog.open()?;
    let target = NoteTarget::find(&catalog, &args.target)?;
    let (model, version) = (target.model.as_str(), target.version);
    let mut missing = Vec::new();
    for key in &args.remove {
        if !catalog.remove_tag(model, version, key)? {
            missing.push(key.as_str());
        }
    }
    for (key, value) in pairs {
        catalog.set_tag(model, version, key, value)?;
    }
    // Also what says "no model named …" when nothing was asked but the list.
    let tags = catalog.tags_of(model, version)?;
    for key in missing {
        eprintln!("{} had no tag '{key}'", target.title());
    }
    if args.json {
        println!("{}", json!({ "target": target.title(), "tags": tags }));
    } else if tags.is_empty() {
        println!("{}: no tags", target.title());
    } else {
        println!("{}:", target.title());
        for (key, value) in &tags {
            println!("  {key}={value}");
        }
    }
    Ok(())
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
        // The recorded run each version was registered from, if any.
        let mut runs = std::collections::HashMap::new();
        // And its parameters, as an object (null for a spec this build cannot read).
        let mut params = std::collections::HashMap::new();
        for (model, versions) in &listed {
            for v in versions {
                runs.insert(v.id, catalog.run_of_version(v.id)?);
                let spec = catalog.version(&model.name, v.version)?.spec_json;
                let spec = serde_json::from_str::<crate::ml::spec::ModelSpec>(&spec);
                params.insert(
                    v.id,
                    spec.map_or(serde_json::Value::Null, |s| s.params_json()),
                );
            }
        }
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
                        "description": v.description,
                        "tags": v.tags,
                        "metrics": v.metrics,
                        "run": runs.get(&v.id).copied().flatten(),
                        "params": params.get(&v.id),
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
                .map(|a| format!("{} {a:.4}", metric_registry::label("accuracy")))
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

fn history_line(model: &str, entry: &HistoryEntry) -> String {
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
        println!("{}", history_line(&args.model, entry));
    }
    super::mlflow::follow_stage_change(&mut catalog, &args.model, &args.mlflow)
}

/// `modeldesk rollback`.
pub fn rollback(args: &RollbackArgs) -> anyhow::Result<()> {
    let mut catalog = args.catalog.open()?;
    for entry in catalog.roll_back(&args.model, args.comment.as_deref())? {
        println!("{}", history_line(&args.model, &entry));
    }
    super::mlflow::follow_stage_change(&mut catalog, &args.model, &args.mlflow)
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
            history_line(&args.model, entry)
        );
    }
    Ok(())
}
