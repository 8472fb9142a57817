//! Pushing a model's versions to an MLflow server, idempotent and resumable.
//!
//! Per version: one experiment per Modeldesk model; a run found by the version's artifact
//! checksum tag (or made), its params, metrics and tags logged and its files uploaded, then
//! the tag `modeldesk.complete` set last; the registered model and a model version whose
//! source is the run's `model` folder (found by its run, or made); the stage sent as
//! transition-stage while the server takes it; and only then the catalog's sync row. Aliases
//! `production` and `staging` follow the versions holding those stages, every push. A push
//! that stops half-way marks nothing synced that is not complete, and the next push finds
//! the run and the model version it made and completes them. The catalog is written only
//! to record a completed version.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::api::RunInfo;
use super::client::MlflowClient;
use super::error::MlflowError;
use super::model_folder::{model_files, MODEL_FOLDER};
use super::run_record::{self, ARTIFACT_TAG, COMPLETE_TAG, VERSION_ID_TAG};
use super::shared::{shared_version, SharedVersion};
use crate::catalog::{
    Catalog, ModelFilter, NewMlflowSync, Page, Stage, VersionQuery, VersionRef, VersionSelector,
};

/// What to push.
#[derive(Debug, Clone, PartialEq)]
pub enum PushWhat {
    /// Every live version of the model: those not pushed yet in full, the others' stages.
    AllVersions,
    /// One version (in full if it was not pushed yet).
    Version(i64),
    /// Only the stages of versions pushed before (after a stage change in Modeldesk).
    Stages,
}

/// What a push did to one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Run, files and model version are now in MLflow.
    Pushed,
    /// It was in MLflow; its stage was sent.
    StageSynced,
    /// Nothing to send.
    UpToDate,
}

/// One version's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PushedVersion {
    pub version: i64,
    pub outcome: Outcome,
    pub mlflow_model: String,
    pub mlflow_version: String,
    pub run_id: String,
    pub experiment_id: String,
}

/// Progress: a line to show and the fraction done.
pub type ProgressFn<'a> = &'a mut dyn FnMut(&str, f32);

struct Pusher<'a, 'p> {
    client: &'a MlflowClient,
    cancel: &'a AtomicBool,
    progress: ProgressFn<'p>,
    model: String,
    done: f32,
    share: f32,
}

impl Pusher<'_, '_> {
    fn say(&mut self, line: &str, within: f32) -> Result<(), MlflowError> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(MlflowError::Cancelled);
        }
        (self.progress)(line, (self.done + self.share * within).min(1.0));
        Ok(())
    }
}

/// Push `what` of `model` to the server behind `client`, recording each completed version in
/// the catalog. `cancel` is heard between steps.
pub fn push(
    catalog: &mut Catalog,
    client: &MlflowClient,
    model: &str,
    what: PushWhat,
    progress: ProgressFn<'_>,
    cancel: &AtomicBool,
) -> Result<Vec<PushedVersion>, MlflowError> {
    let uri = client.uri();
    let versions: Vec<VersionRef> = match what {
        PushWhat::Version(number) => vec![catalog.select(model, VersionSelector::Number(number))?],
        _ => catalog
            .versions(&VersionQuery {
                page: Page {
                    offset: 0,
                    limit: u64::MAX >> 1,
                },
                ..VersionQuery::of_model(model)
            })?
            .into_iter()
            .map(|v| VersionRef {
                model: v.model,
                version: v.version,
                id: v.id,
            })
            .collect(),
    };
    let mut pusher = Pusher {
        client,
        cancel,
        progress,
        model: model.to_string(),
        done: 0.0,
        share: 1.0 / versions.len().max(1) as f32,
    };
    let mut results = Vec::new();
    let mut experiment: Option<String> = None;
    let mut registered = false;
    for found in &versions {
        let stage = catalog.stage_of(model, found.version)?;
        let synced = catalog.mlflow_sync(found.id, &uri)?;
        let result = match synced {
            Some(sync) if sync.stage == stage => PushedVersion {
                version: found.version,
                outcome: Outcome::UpToDate,
                mlflow_model: sync.mlflow_model,
                mlflow_version: sync.mlflow_version,
                run_id: sync.run_id,
                experiment_id: sync.experiment_id,
            },
            Some(sync) => {
                pusher.say(
                    &format!("{model} v{}: stage {}", found.version, stage.name()),
                    0.5,
                )?;
                send_stage(client, &sync.mlflow_model, &sync.mlflow_version, stage)?;
                catalog.record_mlflow_sync(&NewMlflowSync {
                    version_id: found.id,
                    tracking_uri: uri.clone(),
                    experiment_id: sync.experiment_id.clone(),
                    run_id: sync.run_id.clone(),
                    mlflow_model: sync.mlflow_model.clone(),
                    mlflow_version: sync.mlflow_version.clone(),
                    stage,
                })?;
                PushedVersion {
                    version: found.version,
                    outcome: Outcome::StageSynced,
                    mlflow_model: sync.mlflow_model,
                    mlflow_version: sync.mlflow_version,
                    run_id: sync.run_id,
                    experiment_id: sync.experiment_id,
                }
            }
            None if what == PushWhat::Stages => {
                pusher.done += pusher.share;
                continue;
            }
            None => {
                let experiment_id = match &experiment {
                    Some(id) => id.clone(),
                    None => {
                        pusher.say(&format!("{model}: experiment"), 0.0)?;
                        let tags = vec![("modeldesk.model".to_string(), model.to_string())];
                        let id = client.ensure_experiment(model, &tags)?;
                        experiment = Some(id.clone());
                        id
                    }
                };
                if !registered {
                    ensure_registered_model(catalog, client, model)?;
                    registered = true;
                }
                let pushed = push_version(&mut pusher, catalog, found, &experiment_id, stage)?;
                catalog.record_mlflow_sync(&NewMlflowSync {
                    version_id: found.id,
                    tracking_uri: uri.clone(),
                    experiment_id: pushed.experiment_id.clone(),
                    run_id: pushed.run_id.clone(),
                    mlflow_model: pushed.mlflow_model.clone(),
                    mlflow_version: pushed.mlflow_version.clone(),
                    stage,
                })?;
                pushed
            }
        };
        results.push(result);
        pusher.done += pusher.share;
    }
    if catalog.mlflow_syncs(model, &uri)?.is_empty() {
        return Ok(results);
    }
    pusher.say(&format!("{model}: aliases"), 0.0)?;
    sync_aliases(catalog, client, model, &uri)?;
    Ok(results)
}

/// The registered model, made with the model's description and tags if MLflow lacks it, else
/// given them.
fn ensure_registered_model(
    catalog: &Catalog,
    client: &MlflowClient,
    model: &str,
) -> Result<(), MlflowError> {
    let summary = catalog
        .models(&ModelFilter {
            search: Some(model.to_string()),
            ..ModelFilter::default()
        })?
        .into_iter()
        .find(|m| m.name == model);
    let (description, mut tags) = summary
        .map(|m| (m.description, m.tags.into_iter().collect::<Vec<_>>()))
        .unwrap_or_default();
    tags.push(("modeldesk.model".into(), model.to_string()));
    match client.registered_model(model)? {
        None => client.create_registered_model(model, &description, &tags),
        Some(existing) => {
            if existing["description"].as_str().unwrap_or_default() != description {
                client.describe_registered_model(model, &description)?;
            }
            for (key, value) in &tags {
                client.set_registered_model_tag(model, key, value)?;
            }
            Ok(())
        }
    }
}

/// Everything of one version not in MLflow yet: its run (completed if a push before stopped
/// half-way), files and model version, and its stage.
fn push_version(
    pusher: &mut Pusher<'_, '_>,
    catalog: &Catalog,
    found: &VersionRef,
    experiment_id: &str,
    stage: Stage,
) -> Result<PushedVersion, MlflowError> {
    let client = pusher.client;
    let label = format!("{} v{}", found.model, found.version);
    pusher.say(
        &format!("{label}: reading the version and writing its report"),
        0.05,
    )?;
    let cancel = pusher.cancel;
    let shared: SharedVersion =
        shared_version(catalog, found, &mut |_| !cancel.load(Ordering::Relaxed))?;
    let detail = &shared.detail;
    let version_id = run_record::version_id(detail);
    let started = run_record::epoch_ms(&detail.summary.created_at);
    let existing: Option<RunInfo> = client
        .runs_tagged(experiment_id, ARTIFACT_TAG, &detail.artifact_checksum)?
        .into_iter()
        .find(|run| run.tag(VERSION_ID_TAG) == Some(version_id.as_str()));
    let run = match existing {
        Some(run) => {
            pusher.say(&format!("{label}: found run {}", run.run_id), 0.2)?;
            run
        }
        None => {
            let mut tags = run_record::run_tags(detail);
            tags.push(("mlflow.runName".into(), label.clone()));
            let run = client.create_run(experiment_id, &label, started, &tags)?;
            pusher.say(&format!("{label}: created run {}", run.run_id), 0.2)?;
            run
        }
    };
    if run.tag(COMPLETE_TAG) != Some("true") {
        pusher.say(&format!("{label}: logging params and metrics"), 0.3)?;
        client.log_batch(
            &run.run_id,
            &run_record::params(detail),
            &run_record::metrics(detail, started),
            &run_record::run_tags(detail),
        )?;
        let mut files = model_files(&shared, &run.run_id);
        files.push(("report.html".into(), shared.report_html.as_bytes().to_vec()));
        let count = files.len();
        for (i, (path, bytes)) in files.iter().enumerate() {
            pusher.say(
                &format!("{label}: uploading {path} ({}/{count})", i + 1),
                0.4 + 0.4 * i as f32 / count as f32,
            )?;
            client.upload_artifact(&run.artifact_uri, path, bytes)?;
        }
        let ended = started + (detail.summary.train_seconds * 1000.0).round() as i64;
        client.finish_run(&run.run_id, ended)?;
        client.set_run_tag(&run.run_id, COMPLETE_TAG, "true")?;
    }
    pusher.say(&format!("{label}: registering as {}", pusher.model), 0.85)?;
    let name = pusher.model.clone();
    let mut tags: Vec<(String, String)> = detail.summary.tags.clone().into_iter().collect();
    tags.push((VERSION_ID_TAG.into(), version_id.clone()));
    tags.push(("modeldesk.stage".into(), stage.name().into()));
    let description = &detail.summary.description;
    let mlflow_version = match client.model_version_of_run(&name, &run.run_id)? {
        Some(version) => {
            client.describe_model_version(&name, &version, description)?;
            for (key, value) in &tags {
                client.set_model_version_tag(&name, &version, key, value)?;
            }
            version
        }
        None => {
            let source = format!("{}/{MODEL_FOLDER}", run.artifact_uri.trim_end_matches('/'));
            client.create_model_version(&name, &source, &run.run_id, description, &tags)?
        }
    };
    pusher.say(
        &format!(
            "{label}: stage {} as {name} version {mlflow_version}",
            stage.name()
        ),
        0.95,
    )?;
    send_stage(client, &name, &mlflow_version, stage)?;
    Ok(PushedVersion {
        version: found.version,
        outcome: Outcome::Pushed,
        mlflow_model: name,
        mlflow_version,
        run_id: run.run_id,
        experiment_id: experiment_id.to_string(),
    })
}

/// Send a version's stage as MLflow's (deprecated) stage, while the server takes it, and as
/// its `modeldesk.stage` tag.
fn send_stage(
    client: &MlflowClient,
    name: &str,
    version: &str,
    stage: Stage,
) -> Result<(), MlflowError> {
    client.set_model_version_tag(name, version, "modeldesk.stage", stage.name())?;
    match client.transition_stage(name, version, stage.title()) {
        // A server that no longer knows stages refuses; the aliases carry them.
        Ok(()) | Err(MlflowError::Refused { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Point the aliases `production` and `staging` at the MLflow versions of the versions that
/// hold those stages in the catalog; an alias on one of our versions whose stage moved on is
/// removed. Aliases on versions Modeldesk did not push are left alone unless replaced.
fn sync_aliases(
    catalog: &Catalog,
    client: &MlflowClient,
    model: &str,
    uri: &str,
) -> Result<(), MlflowError> {
    let syncs = catalog.mlflow_syncs(model, uri)?;
    let Some(registered) = client.registered_model(model)? else {
        return Ok(());
    };
    for (alias, stage) in [
        ("production", Stage::Production),
        ("staging", Stage::Staging),
    ] {
        let holder = catalog.select(model, VersionSelector::Stage(stage)).ok();
        let want = holder.and_then(|h| {
            syncs
                .iter()
                .find(|s| s.version_id == h.id)
                .map(|s| s.mlflow_version.clone())
        });
        let have = registered["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["alias"] == alias)
            .and_then(|a| a["version"].as_str())
            .map(str::to_string);
        match (&want, &have) {
            (Some(want), have) if Some(want) != have.as_ref() => {
                client.set_alias(model, alias, want)?
            }
            (None, Some(have)) if syncs.iter().any(|s| &s.mlflow_version == have) => {
                client.delete_alias(model, alias)?
            }
            _ => {}
        }
    }
    Ok(())
}
