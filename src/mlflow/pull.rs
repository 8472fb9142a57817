//! Pulling from an MLflow server: the versions of a registered model that Modeldesk pushed
//! from another desk come into the catalog (from the shared artifact and record of their run),
//! and the aliases moved in MLflow since the last sync become stage changes in the catalog's
//! history, with MLflow as the actor. MLflow's aliases carry no times, so each version's stage
//! as of the last sync decides who changed what: a version changed on both sides is a
//! conflict, left alone unless the user prefers one side. Versions Modeldesk did not make are
//! listed by name and source, not imported. The live windows servers logged to MLflow come
//! into the catalog's live view too.

use serde::Serialize;
use serde_json::Value;

use super::api::download_path;
use super::client::MlflowClient;
use super::error::MlflowError;
use super::model_folder::MODEL_FOLDER;
use super::monitoring::pull_live_windows;
use super::push::{push, PushWhat};
use crate::catalog::{
    Catalog, CatalogError, DatasetLineage, MlflowSync, NewMlflowSync, NewVersion, Stage,
};
use crate::ml::eval::TrainedModel;

const API: &str = "/api/2.0/mlflow";

/// The actor named in the history for changes that came from MLflow.
pub const MLFLOW_ACTOR: &str = "MLflow";

/// Which side wins a version changed on both sides since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Prefer {
    /// The catalog's stage is sent to MLflow.
    Local,
    /// MLflow's stage is taken into the catalog.
    Mlflow,
}

/// What a pull did with one MLflow version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Pulled {
    /// Imported as a new catalog version.
    Imported {
        mlflow_version: String,
        version: i64,
        stage: Stage,
    },
    /// Its stage changed in MLflow; the catalog followed.
    StageTaken {
        mlflow_version: String,
        version: i64,
        from: Stage,
        to: Stage,
    },
    /// Changed on both sides since the last sync; nothing was changed.
    Conflict {
        mlflow_version: String,
        version: i64,
        synced: Stage,
        local: Stage,
        mlflow: Stage,
    },
    /// A conflict settled by `--prefer local`: the catalog's stage was sent to MLflow.
    StageSent {
        mlflow_version: String,
        version: i64,
        stage: Stage,
    },
    /// Not made by Modeldesk (no Modeldesk artifact in its run): listed, not imported.
    Foreign {
        mlflow_version: String,
        source: String,
    },
    /// Nothing to do.
    UpToDate {
        mlflow_version: String,
        version: i64,
    },
}

/// Pull the versions of `model` from the server, and the stage changes made there.
pub fn pull(
    catalog: &mut Catalog,
    client: &MlflowClient,
    model: &str,
    prefer: Option<Prefer>,
    say: &mut dyn FnMut(&str),
) -> Result<Vec<Pulled>, MlflowError> {
    let uri = client.uri();
    let registered = client.registered_model(model)?.ok_or_else(|| {
        MlflowError::Local(format!("{uri} has no registered model named '{model}'"))
    })?;
    let aliases = aliases(&registered);
    let mut versions = search_versions(client, model)?;
    versions.sort_by_key(|v| v["version"].as_str().and_then(|s| s.parse::<i64>().ok()));
    let mut pulled = Vec::new();
    for found in &versions {
        let mlflow_version = text(&found["version"]);
        let in_mlflow = mlflow_stage(&aliases, &mlflow_version, found);
        let synced = syncs(catalog, model, &uri)?
            .into_iter()
            .find(|s| s.mlflow_version == mlflow_version);
        let outcome = match synced {
            Some(sync) => follow_stage(catalog, client, model, &sync, in_mlflow, prefer)?,
            None => {
                say(&format!(
                    "{model} version {mlflow_version} in MLflow: reading it"
                ));
                import(
                    catalog,
                    client,
                    model,
                    found,
                    &mlflow_version,
                    in_mlflow,
                    &uri,
                )?
            }
        };
        pulled.push(outcome);
    }
    // The live windows other servers logged to MLflow, into this catalog's live view.
    for sync in syncs(catalog, model, &uri)? {
        let read = pull_live_windows(
            catalog,
            client,
            &sync.experiment_id,
            &sync.mlflow_model,
            &sync.mlflow_version,
            sync.version,
        )?;
        if read > 0 {
            say(&format!(
                "{model} version {}: {read} live window{} from MLflow",
                sync.version,
                if read == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(pulled)
}

/// One line for the user about `outcome`.
pub fn describe(model: &str, outcome: &Pulled) -> String {
    match outcome {
        Pulled::Imported {
            mlflow_version,
            version,
            stage,
        } => format!("MLflow version {mlflow_version}: imported as {model} version {version} ({stage})"),
        Pulled::StageTaken {
            mlflow_version,
            version,
            from,
            to,
        } => format!(
            "MLflow version {mlflow_version}: {model} version {version} moved from {from} to {to}, as in MLflow"
        ),
        Pulled::Conflict {
            mlflow_version,
            version,
            synced,
            local,
            mlflow,
        } => format!(
            "MLflow version {mlflow_version}: {model} version {version} changed on both sides since the last sync \
             (then {synced}; here {local}, in MLflow {mlflow}); not synced — --prefer local or --prefer mlflow settles it"
        ),
        Pulled::StageSent {
            mlflow_version,
            version,
            stage,
        } => format!(
            "MLflow version {mlflow_version}: {model} version {version} kept {stage}, sent to MLflow"
        ),
        Pulled::Foreign {
            mlflow_version,
            source,
        } => format!(
            "MLflow version {mlflow_version}: not made by Modeldesk ({source}); not imported"
        ),
        Pulled::UpToDate {
            mlflow_version,
            version,
        } => format!("MLflow version {mlflow_version}: {model} version {version}, up to date"),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Every version of registered model `model`.
fn search_versions(client: &MlflowClient, model: &str) -> Result<Vec<Value>, MlflowError> {
    let filter = format!("name = '{}'", model.replace('\'', "\\'"));
    let mut versions = Vec::new();
    let mut token = String::new();
    loop {
        let mut query = vec![("filter", filter.as_str()), ("max_results", "200")];
        if !token.is_empty() {
            query.push(("page_token", token.as_str()));
        }
        let page = client.get(&format!("{API}/model-versions/search"), &query)?;
        versions.extend(
            page["model_versions"]
                .as_array()
                .into_iter()
                .flatten()
                .cloned(),
        );
        match page["next_page_token"].as_str() {
            Some(next) if !next.is_empty() => token = next.to_string(),
            _ => return Ok(versions),
        }
    }
}

/// `(alias, MLflow version)` of the registered model.
fn aliases(registered: &Value) -> Vec<(String, String)> {
    registered["aliases"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| (text(&a["alias"]), text(&a["version"])))
        .collect()
}

/// The stage MLflow gives a version: `production` or `staging` when that alias points at it,
/// else Archived when MLflow's (deprecated) stage says so, else none.
fn mlflow_stage(aliases: &[(String, String)], version: &str, found: &Value) -> Stage {
    let holds = |alias: &str| aliases.iter().any(|(a, v)| a == alias && v == version);
    if holds("production") {
        Stage::Production
    } else if holds("staging") {
        Stage::Staging
    } else if found["current_stage"] == "Archived" {
        Stage::Archived
    } else {
        Stage::None
    }
}

/// The catalog's sync rows for `model` (none when the catalog has no such model yet).
fn syncs(catalog: &Catalog, model: &str, uri: &str) -> Result<Vec<MlflowSync>, MlflowError> {
    match catalog.mlflow_syncs(model, uri) {
        Ok(rows) => Ok(rows),
        Err(CatalogError::UnknownModel(_)) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// A synced version: take MLflow's stage change, keep ours, or report both.
fn follow_stage(
    catalog: &mut Catalog,
    client: &MlflowClient,
    model: &str,
    sync: &MlflowSync,
    in_mlflow: Stage,
    prefer: Option<Prefer>,
) -> Result<Pulled, MlflowError> {
    let local = catalog.version(model, sync.version)?.summary.stage;
    let mlflow_version = sync.mlflow_version.clone();
    let version = sync.version;
    let mlflow_moved = in_mlflow != sync.stage;
    let local_moved = local != sync.stage;
    if !mlflow_moved || in_mlflow == local {
        if mlflow_moved {
            // Both sides agree now: only the sync row is behind.
            record(catalog, sync, local)?;
        }
        return Ok(Pulled::UpToDate {
            mlflow_version,
            version,
        });
    }
    match (local_moved, prefer) {
        (true, None) => Ok(Pulled::Conflict {
            mlflow_version,
            version,
            synced: sync.stage,
            local,
            mlflow: in_mlflow,
        }),
        (true, Some(Prefer::Local)) => {
            push(
                catalog,
                client,
                model,
                PushWhat::Version(version),
                &mut |_, _| {},
                &std::sync::atomic::AtomicBool::new(false),
            )?;
            Ok(Pulled::StageSent {
                mlflow_version,
                version,
                stage: local,
            })
        }
        (false, _) | (true, Some(Prefer::Mlflow)) => {
            take_stage(catalog, model, version, in_mlflow)?;
            record(catalog, sync, in_mlflow)?;
            Ok(Pulled::StageTaken {
                mlflow_version,
                version,
                from: local,
                to: in_mlflow,
            })
        }
    }
}

/// Move a version to `stage` in the catalog, with MLflow as the actor.
fn take_stage(
    catalog: &mut Catalog,
    model: &str,
    version: i64,
    stage: Stage,
) -> Result<(), MlflowError> {
    let user = catalog.actor().to_string();
    catalog.set_actor(MLFLOW_ACTOR);
    let changed = catalog.set_stage(model, version, stage, false, Some("pulled from MLflow"));
    catalog.set_actor(user);
    changed.map(drop).map_err(MlflowError::from)
}

/// The sync row of `sync`'s version, now at `stage`.
fn record(catalog: &mut Catalog, sync: &MlflowSync, stage: Stage) -> Result<(), MlflowError> {
    catalog.record_mlflow_sync(&NewMlflowSync {
        version_id: sync.version_id,
        tracking_uri: sync.tracking_uri.clone(),
        experiment_id: sync.experiment_id.clone(),
        run_id: sync.run_id.clone(),
        mlflow_model: sync.mlflow_model.clone(),
        mlflow_version: sync.mlflow_version.clone(),
        stage,
    })?;
    Ok(())
}

/// Import an MLflow version that Modeldesk pushed from elsewhere; list one it did not make.
fn import(
    catalog: &mut Catalog,
    client: &MlflowClient,
    model: &str,
    found: &Value,
    mlflow_version: &str,
    stage: Stage,
    uri: &str,
) -> Result<Pulled, MlflowError> {
    let source = text(&found["source"]);
    let run_id = text(&found["run_id"]);
    let foreign = || Pulled::Foreign {
        mlflow_version: mlflow_version.to_string(),
        source: source.clone(),
    };
    if run_id.is_empty() {
        return Ok(foreign());
    }
    let run = client.get(&format!("{API}/runs/get"), &[("run_id", run_id.as_str())])?;
    let tagged = run["run"]["data"]["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| t["key"] == "modeldesk.version_id");
    if !tagged {
        return Ok(foreign());
    }
    let artifact_uri = text(&run["run"]["info"]["artifact_uri"]);
    let experiment_id = text(&run["run"]["info"]["experiment_id"]);
    let read = |name: &str| -> Result<Value, MlflowError> {
        let path = download_path(&artifact_uri, &format!("{MODEL_FOLDER}/modeldesk/{name}"))
            .ok_or_else(|| {
                MlflowError::Local(format!(
                    "the MLflow server at {uri} keeps artifacts at {artifact_uri}, which it \
                     does not proxy"
                ))
            })?;
        let body = client.get_text(&path)?;
        serde_json::from_str(&body).map_err(|e| {
            MlflowError::Local(format!("{name} of MLflow version {mlflow_version}: {e}"))
        })
    };
    let artifact = read("model.json")?;
    let record_json = read("version.json")?;
    let trained: TrainedModel =
        serde_json::from_value(artifact["trained"].clone()).map_err(|e| {
            MlflowError::Local(format!("the model of MLflow version {mlflow_version}: {e}"))
        })?;
    let new = new_version(&trained, &artifact["lineage"], &record_json)?;
    let registered = catalog.register(model, &new)?;
    if stage != Stage::None {
        take_stage(catalog, model, registered.version, stage)?;
    }
    catalog.record_mlflow_sync(&NewMlflowSync {
        version_id: registered.id,
        tracking_uri: uri.to_string(),
        experiment_id,
        run_id,
        mlflow_model: model.to_string(),
        mlflow_version: mlflow_version.to_string(),
        stage,
    })?;
    Ok(Pulled::Imported {
        mlflow_version: mlflow_version.to_string(),
        version: registered.version,
        stage,
    })
}

/// The catalog version made of a pushed artifact and record.
fn new_version(
    trained: &TrainedModel,
    lineage: &Value,
    record: &Value,
) -> Result<NewVersion, MlflowError> {
    let json = |v: &Value| match v {
        Value::Null => "{}".to_string(),
        other => other.to_string(),
    };
    let dataset = DatasetLineage {
        name: text(&lineage["name"]),
        path: text(&lineage["file"]),
        fingerprint: text(&lineage["fingerprint"]),
        rows: lineage["rows"].as_u64().unwrap_or(0),
        schema_json: json(&lineage["schema"]),
        profile_json: json(&lineage["profile"]),
    };
    Ok(NewVersion {
        description: record["description"]
            .as_str()
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        spec_json: json(&record["spec"]),
        recipe_json: json(&record["recipe"]),
        metrics_json: json(&record["metrics"]),
        curves_json: json(&record["curves"]),
        artifact: crate::catalog::record::packed_model(trained)?,
        dataset,
        train_seconds: record["train_seconds"].as_f64().unwrap_or(0.0),
        app_version: text(&record["app_version"]),
        created_by: text(&record["created_by"]),
    })
}
