//! `mlflow push --runs`: the training runs recorded in the catalog, finished, failed or
//! cancelled, as MLflow runs, so that the team's experiment history holds every run and not
//! only the registered ones. One experiment per dataset ("Modeldesk runs: penguins"); a run
//! is found again by its tag `modeldesk.run` (who recorded it, when it ended, its number), so
//! pushing twice creates nothing new, and `modeldesk.complete` is set last.

use serde::Serialize;
use serde_json::json;

use super::client::MlflowClient;
use super::error::MlflowError;
use super::run_record::{epoch_ms, metrics_of, params_of, COMPLETE_TAG};
use crate::catalog::{Catalog, RunFilter, RunStatus, RunSummary};

/// The tag that names a recorded run.
pub const RUN_TAG: &str = "modeldesk.run";

/// One recorded run as pushed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PushedRun {
    /// The catalog's run number.
    pub run: i64,
    pub experiment: String,
    pub run_id: String,
    /// Whether it was already complete in MLflow.
    pub up_to_date: bool,
}

/// The experiment of the runs on `dataset`.
pub fn runs_experiment(dataset: Option<&str>) -> String {
    match dataset {
        Some(name) => format!("Modeldesk runs: {name}"),
        None => "Modeldesk runs".to_string(),
    }
}

/// `created_by@ended_at#id`, without quotes (MLflow's run search takes the value quoted).
fn identity(run: &RunSummary) -> String {
    format!("{}@{}#{}", run.created_by, run.ended_at, run.id).replace(['\'', '"', '`'], "")
}

/// Push the recorded runs (of `dataset` when given), oldest first.
pub fn push_runs(
    catalog: &Catalog,
    client: &MlflowClient,
    dataset: Option<&str>,
    say: &mut dyn FnMut(&str),
) -> Result<Vec<PushedRun>, MlflowError> {
    let filter = RunFilter {
        dataset: dataset.map(str::to_string),
        ..RunFilter::default()
    };
    let mut runs = catalog.runs(&filter)?;
    runs.reverse();
    let mut pushed = Vec::new();
    for run in &runs {
        pushed.push(push_run(catalog, client, run, say)?);
    }
    Ok(pushed)
}

fn push_run(
    catalog: &Catalog,
    client: &MlflowClient,
    run: &RunSummary,
    say: &mut dyn FnMut(&str),
) -> Result<PushedRun, MlflowError> {
    let experiment = runs_experiment(run.dataset.as_deref());
    let experiment_id = client.ensure_experiment(&experiment, &[])?;
    let identity = identity(run);
    let found = client
        .runs_tagged(&experiment_id, RUN_TAG, &identity)?
        .into_iter()
        .next();
    if let Some(found) = found
        .as_ref()
        .filter(|f| f.tag(COMPLETE_TAG) == Some("true"))
    {
        return Ok(PushedRun {
            run: run.id,
            experiment,
            run_id: found.run_id.clone(),
            up_to_date: true,
        });
    }
    say(&format!(
        "run {} ({} on {}, {}): pushing",
        run.id,
        run.algorithm,
        run.dataset.as_deref().unwrap_or("an unknown dataset"),
        run.status.name()
    ));
    let detail = catalog.run(run.id)?;
    let ended = epoch_ms(&run.ended_at);
    let started = ended - (run.seconds * 1000.0) as i64;
    let mut tags = vec![
        (RUN_TAG.to_string(), identity),
        ("modeldesk.run_status".into(), run.status.name().into()),
        ("modeldesk.algorithm".into(), run.algorithm.clone()),
        ("modeldesk.target".into(), run.target.clone()),
        ("mlflow.user".into(), run.created_by.clone()),
        ("mlflow.source.name".into(), "modeldesk".into()),
        ("mlflow.source.type".into(), "LOCAL".into()),
    ];
    if let Some(dataset) = &run.dataset {
        tags.push(("modeldesk.dataset".into(), dataset.clone()));
    }
    if let Some(error) = &run.error {
        tags.push(("modeldesk.error".into(), error.chars().take(5000).collect()));
    }
    if let Some((model, version)) = &run.version {
        tags.push((
            "modeldesk.registered_as".into(),
            format!("{model}@{version}"),
        ));
    }
    let run_id = match found {
        Some(found) => found.run_id,
        None => {
            let name = format!("run {} · {}", run.id, run.algorithm);
            client
                .create_run(&experiment_id, &name, started, &tags)?
                .run_id
        }
    };
    let metrics_json = detail.metrics_json.as_deref().unwrap_or("");
    let params = params_of(&detail.spec_json, metrics_json, "");
    let metrics = metrics_of(&run.metrics, metrics_json, ended);
    client.log_batch(&run_id, &params, &metrics, &[])?;
    let status = match run.status {
        RunStatus::Finished => "FINISHED",
        RunStatus::Failed => "FAILED",
        RunStatus::Cancelled => "KILLED",
    };
    client.post(
        "/api/2.0/mlflow/runs/update",
        &json!({"run_id": run_id, "status": status, "end_time": ended}),
    )?;
    client.set_run_tag(&run_id, COMPLETE_TAG, "true")?;
    Ok(PushedRun {
        run: run.id,
        experiment,
        run_id,
        up_to_date: false,
    })
}
