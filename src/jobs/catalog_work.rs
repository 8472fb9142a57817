//! The window's catalog reads and writes, run off the UI thread: SQLite may wait on its busy
//! timeout while another process (a scoring server, the command line) writes.
//!
//! A job takes a batch of [`CatalogWork`] and does it in order on a connection of its own,
//! so the window's writes keep the order the user made them in; each item gets one
//! [`CatalogReply`], failures included (the message is fit for the user).

use std::path::Path;
use std::sync::Arc;

use super::catalog_read::{self, CatalogQuery, ModelList, ModelRead};
use super::recorded_runs::{self, RunList, RunsToRecord};
use super::TrainingRun;
use crate::catalog::record::{self, StoredCurves};
use crate::catalog::{
    Catalog, NewScoringRun, Page, RunFilter, Stage, VersionQuery, VersionRef, VersionSort,
    VersionSummary,
};
use crate::data::{self, Profile, Table};
use crate::ml::eval::{Evaluation, TrainedModel};
use crate::ml::learned::what_it_learned;

/// A change to the catalog's contents, as the window asks for it and a catalog job makes it.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogChange {
    SetStage {
        model: String,
        version: i64,
        stage: Stage,
        archive_existing: bool,
        /// Why, kept in the history (blank for none).
        comment: String,
    },
    RollBack {
        model: String,
        /// Why, kept in the history (blank for none).
        comment: String,
    },
    Delete {
        model: String,
        version: i64,
        /// Why, kept in the history (blank for none).
        comment: String,
    },
    /// Describe a model (`version` `None`) or one of its versions.
    SetDescription {
        model: String,
        version: Option<i64>,
        text: String,
    },
    SetTag {
        model: String,
        version: Option<i64>,
        key: String,
        value: String,
    },
    RemoveTag {
        model: String,
        version: Option<i64>,
        key: String,
    },
    /// Delete a recorded run (refused for a registered one).
    DeleteRun { run: i64 },
    /// Delete the unregistered runs older than this many days.
    PruneRuns { days: u32 },
}

/// One read or write the window asks of the catalog.
#[derive(Debug)]
pub enum CatalogWork {
    /// Register a run of this session as the next version of `model` (created if new).
    Register(Box<Registration>),
    /// A change to the catalog's contents.
    Change(CatalogChange),
    /// Every version of every model, newest first.
    ListVersions,
    /// The names of the registered models.
    ListModels,
    /// Find the version a reference (`churn@3`, `churn@production`) names.
    Resolve(String),
    /// Read versions back as runs (metrics, curves and the model itself) for Compare.
    LoadRuns(Vec<(String, i64)>),
    /// The Catalog view's model list.
    ReadList(CatalogQuery),
    /// The Catalog view's chosen model and version.
    ReadModel(CatalogQuery),
    /// Record what a training job produced.
    RecordRuns(Box<RunsToRecord>),
    /// Register a recorded run as the next version of `model`; `run` is its session id.
    RegisterRun {
        run: u64,
        recorded: i64,
        model: String,
        description: String,
    },
    /// The recorded runs a filter asks for.
    ListRuns(RunFilter),
    /// Read recorded runs back (metrics, curves and the model) for Compare.
    LoadRecordedRuns(Vec<i64>),
    /// After a stage change: send the stages of `model`'s versions pushed to the MLflow
    /// server at `uri` (nothing when none was pushed there).
    FollowStages { model: String, uri: String },
}

impl CatalogWork {
    /// Whether this only reads.
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            CatalogWork::ListVersions
                | CatalogWork::ListModels
                | CatalogWork::Resolve(_)
                | CatalogWork::LoadRuns(_)
                | CatalogWork::ReadList(_)
                | CatalogWork::ReadModel(_)
                | CatalogWork::ListRuns(_)
                | CatalogWork::LoadRecordedRuns(_)
        )
    }
}

/// A session run to register, with what its lineage is built from.
#[derive(Debug)]
pub struct Registration {
    /// The session run it is, to mark as registered.
    pub run: u64,
    pub model: String,
    pub description: Option<String>,
    pub evaluation: Evaluation,
    pub trained: TrainedModel,
    pub table: Arc<Table>,
    /// The table's profile when the window has it; profiled again otherwise.
    pub profile: Option<Profile>,
}

/// What one [`CatalogWork`] came to.
#[derive(Debug)]
pub enum CatalogReply {
    /// A change was made (or refused).
    Changed(Result<(), String>),
    Registered {
        run: u64,
        result: Result<VersionRef, String>,
    },
    Versions(Result<Vec<VersionSummary>, String>),
    Models(Result<Vec<String>, String>),
    Resolved(Result<VersionRef, String>),
    /// Runs read back in the order asked; their ids are left for the window to give.
    Runs(Result<Vec<TrainingRun>, String>),
    /// The Catalog view's model list, and what it was read for.
    List(CatalogQuery, Result<ModelList, String>),
    /// The Catalog view's model page, and what it was read for.
    Model(CatalogQuery, Result<Box<ModelRead>, String>),
    /// Runs recorded: each session run's id with its id in the catalog.
    Recorded(Result<Vec<(u64, i64)>, String>),
    /// The recorded runs, and the filter they were read for.
    RunList(RunFilter, Result<RunList, String>),
    /// The stages followed in MLflow, or why not (the catalog's change stays).
    StagesFollowed(Result<(), String>),
}

/// How many versions one query reads while listing them all.
const LIST_PAGE: u64 = 500;

/// Open the catalog at `path` and do `work` in order.
pub(super) fn run_batch(path: &Path, work: Vec<CatalogWork>) -> Vec<CatalogReply> {
    match Catalog::open(path) {
        Ok(mut catalog) => work.into_iter().map(|w| run_one(&mut catalog, w)).collect(),
        Err(e) => {
            let message = e.to_string();
            work.into_iter().map(|w| refused(w, &message)).collect()
        }
    }
}

fn run_one(catalog: &mut Catalog, work: CatalogWork) -> CatalogReply {
    match work {
        CatalogWork::Register(registration) => register(catalog, *registration),
        CatalogWork::Change(change) => CatalogReply::Changed(make_change(catalog, change)),
        CatalogWork::ListVersions => CatalogReply::Versions(every_version(catalog, LIST_PAGE)),
        CatalogWork::ListModels => CatalogReply::Models(
            catalog
                .models(&Default::default())
                .map(|models| models.into_iter().map(|m| m.name).collect())
                .map_err(|e| e.to_string()),
        ),
        CatalogWork::Resolve(reference) => {
            CatalogReply::Resolved(catalog.resolve(&reference).map_err(|e| e.to_string()))
        }
        CatalogWork::ReadList(query) => {
            let list = catalog_read::read_list(catalog, &query).map_err(|e| e.to_string());
            CatalogReply::List(query, list)
        }
        CatalogWork::ReadModel(query) => {
            let read = catalog_read::read_model(catalog, &query);
            CatalogReply::Model(query, read.map(Box::new).map_err(|e| e.to_string()))
        }
        CatalogWork::RecordRuns(runs) => {
            CatalogReply::Recorded(recorded_runs::record(catalog, *runs).map_err(|e| e.to_string()))
        }
        CatalogWork::RegisterRun {
            run,
            recorded,
            model,
            description,
        } => CatalogReply::Registered {
            run,
            result: catalog
                .register_run(recorded, model.trim(), Some(&description))
                .map_err(|e| e.to_string()),
        },
        CatalogWork::ListRuns(filter) => {
            let list = recorded_runs::list(catalog, &filter).map_err(|e| e.to_string());
            CatalogReply::RunList(filter, list)
        }
        CatalogWork::LoadRecordedRuns(ids) => CatalogReply::Runs(
            ids.iter()
                .map(|&id| recorded_runs::load(catalog, id).map_err(|e| e.to_string()))
                .collect(),
        ),
        CatalogWork::FollowStages { model, uri } => {
            CatalogReply::StagesFollowed(follow_stages(catalog, &model, &uri))
        }
        CatalogWork::LoadRuns(versions) => CatalogReply::Runs(
            versions
                .iter()
                .map(|(model, version)| load_run(catalog, model, *version))
                .collect(),
        ),
    }
}

/// Make one change; the error is fit for the user.
fn make_change(catalog: &mut Catalog, change: CatalogChange) -> Result<(), String> {
    let why = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let done = match change {
        CatalogChange::SetStage {
            model,
            version,
            stage,
            archive_existing,
            comment,
        } => catalog
            .set_stage(
                &model,
                version,
                stage,
                archive_existing,
                why(comment).as_deref(),
            )
            .map(|_| ()),
        CatalogChange::RollBack { model, comment } => catalog
            .roll_back(&model, why(comment).as_deref())
            .map(|_| ()),
        CatalogChange::Delete {
            model,
            version,
            comment,
        } => catalog
            .delete_version(&model, version, why(comment).as_deref())
            .map(|_| ()),
        CatalogChange::SetDescription {
            model,
            version,
            text,
        } => catalog.set_description(&model, version, text.trim()),
        CatalogChange::SetTag {
            model,
            version,
            key,
            value,
        } => catalog.set_tag(&model, version, key.trim(), value.trim()),
        CatalogChange::RemoveTag {
            model,
            version,
            key,
        } => catalog.remove_tag(&model, version, &key).map(|_| ()),
        CatalogChange::DeleteRun { run } => catalog.delete_run(run),
        CatalogChange::PruneRuns { days } => catalog.prune_runs(days).map(|_| ()),
    };
    done.map_err(|e| e.to_string())
}

/// The reply `work` gets when the catalog could not be opened.
fn refused(work: CatalogWork, message: &str) -> CatalogReply {
    let error = message.to_string();
    match work {
        CatalogWork::Register(registration) => CatalogReply::Registered {
            run: registration.run,
            result: Err(error),
        },
        CatalogWork::ListVersions => CatalogReply::Versions(Err(error)),
        CatalogWork::ListModels => CatalogReply::Models(Err(error)),
        CatalogWork::Resolve(_) => CatalogReply::Resolved(Err(error)),
        CatalogWork::LoadRuns(_) => CatalogReply::Runs(Err(error)),
        CatalogWork::ReadList(query) => CatalogReply::List(query, Err(error)),
        CatalogWork::ReadModel(query) => CatalogReply::Model(query, Err(error)),
        CatalogWork::Change(_) => CatalogReply::Changed(Err(error)),
        CatalogWork::RecordRuns(_) => CatalogReply::Recorded(Err(error)),
        CatalogWork::RegisterRun { run, .. } => CatalogReply::Registered {
            run,
            result: Err(error),
        },
        CatalogWork::ListRuns(filter) => CatalogReply::RunList(filter, Err(error)),
        CatalogWork::LoadRecordedRuns(_) => CatalogReply::Runs(Err(error)),
        CatalogWork::FollowStages { .. } => CatalogReply::StagesFollowed(Err(error)),
    }
}

/// Send the stages of `model`'s versions pushed to the server at `uri`, as `modeldesk stage`
/// does; the error says the catalog's change stays.
fn follow_stages(catalog: &mut Catalog, model: &str, uri: &str) -> Result<(), String> {
    use crate::mlflow::{self, MlflowClient, PushWhat};
    let not_sent = |e: String| {
        format!(
            "the stage changed in the catalog but not in MLflow ({e}); Push to MLflow sends it later"
        )
    };
    let pushed = catalog
        .mlflow_syncs(model, uri)
        .map_err(|e| not_sent(e.to_string()))?;
    if pushed.is_empty() {
        return Ok(());
    }
    let never = std::sync::atomic::AtomicBool::new(false);
    mlflow::Settings::from_env(Some(uri))
        .and_then(MlflowClient::new)
        .and_then(|client| {
            mlflow::push(
                catalog,
                &client,
                model,
                PushWhat::Stages,
                &mut |_, _| {},
                &never,
            )
        })
        .map(drop)
        .map_err(|e| not_sent(e.to_string()))
}

fn register(catalog: &mut Catalog, r: Registration) -> CatalogReply {
    let profile = r.profile.unwrap_or_else(|| data::profile_table(&r.table));
    let result = record::lineage(&r.table, &profile)
        .and_then(|lineage| record::new_version(&r.evaluation, &r.trained, lineage))
        .and_then(|mut new| {
            new.description = r
                .description
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty());
            catalog.register(r.model.trim(), &new)
        })
        .map_err(|e| e.to_string());
    CatalogReply::Registered { run: r.run, result }
}

/// Every version, newest first, read `page_size` at a time.
fn every_version(catalog: &Catalog, page_size: u64) -> Result<Vec<VersionSummary>, String> {
    let mut all = Vec::new();
    loop {
        let page = catalog
            .versions(&VersionQuery {
                sort: VersionSort::Created,
                descending: true,
                page: Page {
                    offset: all.len() as u64,
                    limit: page_size,
                },
                ..VersionQuery::default()
            })
            .map_err(|e| e.to_string())?;
        let last = (page.len() as u64) < page_size;
        all.extend(page);
        if last {
            return Ok(all);
        }
    }
}

/// A version as a run: its stored evaluation and curves, and its model (checksum verified).
fn load_run(catalog: &Catalog, model: &str, version: i64) -> Result<TrainingRun, String> {
    let detail = catalog.version(model, version).map_err(|e| e.to_string())?;
    let evaluation = record::stored_evaluation(&detail).map_err(|e| e.to_string())?;
    let trained = record::load_model(catalog, detail.summary.id).map_err(|e| e.to_string())?;
    Ok(TrainingRun {
        id: 0,
        dataset: detail
            .summary
            .dataset_name
            .clone()
            .unwrap_or_else(|| model.to_string()),
        evaluation,
        learned: what_it_learned(&trained),
        model: trained,
        table: None,
        registered: Some((model.to_string(), version)),
        recorded: None,
        stored_curves: StoredCurves::read(&detail.curves_json),
    })
}

/// Record a scoring run beside the version that scored; the message is fit for the user.
pub(super) fn record_scoring(
    path: &Path,
    model: &str,
    version: i64,
    run: &NewScoringRun,
) -> Result<(), String> {
    Catalog::open(path)
        .and_then(|mut catalog| catalog.record_scoring_run(model, version, run))
        .map(|_| ())
        .map_err(|e| format!("the scoring run was not recorded in the catalog: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iris_run() -> (Arc<Table>, Evaluation, TrainedModel) {
        let (table, evaluation, model) =
            crate::ml::eval::validated_sample("iris.csv", "species", "naive_bayes");
        (Arc::new(table), evaluation, model)
    }

    #[test]
    fn a_batch_runs_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        let (table, evaluation, trained) = iris_run();
        let registration = |run| {
            CatalogWork::Register(Box::new(Registration {
                run,
                model: "iris".into(),
                description: Some("first".into()),
                evaluation: evaluation.clone(),
                trained: trained.clone(),
                table: Arc::clone(&table),
                profile: None,
            }))
        };
        let work = vec![
            registration(7),
            registration(8),
            CatalogWork::Change(CatalogChange::SetStage {
                model: "iris".into(),
                version: 2,
                stage: Stage::Production,
                archive_existing: false,
                comment: String::new(),
            }),
            CatalogWork::Resolve("iris@production".into()),
            CatalogWork::Change(CatalogChange::SetTag {
                model: "nobody".into(),
                version: None,
                key: "k".into(),
                value: "v".into(),
            }),
            CatalogWork::ListVersions,
        ];
        let replies = run_batch(&path, work);
        assert!(matches!(
            &replies[1],
            CatalogReply::Registered { run: 8, result: Ok(v) } if v.version == 2
        ));
        assert!(matches!(replies[2], CatalogReply::Changed(Ok(()))));
        assert!(matches!(&replies[3], CatalogReply::Resolved(Ok(v)) if v.version == 2));
        assert!(matches!(&replies[4], CatalogReply::Changed(Err(e)) if e.contains("nobody")));
        assert!(matches!(&replies[5], CatalogReply::Versions(Ok(v)) if v.len() == 2));
    }

    #[test]
    fn every_version_is_listed_across_pages_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        let (table, evaluation, trained) = iris_run();
        let lineage = record::lineage(&table, &data::profile_table(&table)).unwrap();
        let new = record::new_version(&evaluation, &trained, lineage).unwrap();
        for _ in 0..5 {
            catalog.register("iris", &new).unwrap();
        }
        let versions = every_version(&catalog, 2).unwrap();
        let numbers: Vec<i64> = versions.iter().map(|v| v.version).collect();
        assert_eq!(numbers, vec![5, 4, 3, 2, 1]);
    }

    #[test]
    fn a_catalog_that_cannot_open_fails_every_item_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-catalog.sqlite");
        std::fs::write(&path, "just text, not SQLite").unwrap();
        let replies = run_batch(
            &path,
            vec![CatalogWork::ListVersions, CatalogWork::ListModels],
        );
        assert!(
            matches!(replies.as_slice(), [CatalogReply::Versions(Err(a)), CatalogReply::Models(Err(b))] if a == b && a.contains("not-a-catalog.sqlite")),
            "{replies:?}"
        );
    }
}
