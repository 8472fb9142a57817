//! Background work for the window: named jobs on worker threads with progress and cancel.
//!
//! A job runs pure core functions (`data::import_csv`, ...) on its own thread and sends one
//! [`JobOutcome`] when done. The window polls [`Jobs::poll`] each frame; nothing here knows
//! egui — a repaint callback is all the window hands over.

use crossbeam_channel::{Receiver, TryRecvError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::catalog::record::StoredCurves;
use crate::data::{self, ImportOptions, Profile, Progress, Table};
use crate::ml::eval::{train_and_validate, Evaluation, TrainedModel, Validation};
use crate::ml::learned::{what_it_learned, Learned};
use crate::ml::prep::Recipe;
use crate::ml::spec::ModelSpec;
use crate::ml::target::Task;
use crate::score::drift::Thresholds;
use crate::score::{ScoreError, Scored};

pub mod catalog_read;
mod catalog_work;
mod explain_job;
mod explain_run_job;
pub mod live_data;
mod mlflow_job;
mod recorded_runs;
mod report_job;
mod rows_explain_job;
mod score_job;
mod text_export;
mod time_left;

pub use catalog_work::{CatalogChange, CatalogReply, CatalogWork, Registration};
pub use explain_job::{ExplainVersion, ExplainWhat, ExplainedVersion, Explanation};
pub use explain_run_job::{ExplainRun, ExplainedRun, RunExplanations};
pub use mlflow_job::MlflowOutcome;
pub use recorded_runs::{RunList, RunsToRecord, UnfinishedRun};
pub use rows_explain_job::{Explaining, FoldRefit, RowsExplanation, RowsOutcome, RowsRequest};
pub use score_job::{ScoreJob, ScoreModel};
pub use time_left::{time_left, timing_text};

/// Called from a worker thread when the window should redraw (progress or completion).
pub type Repaint = Arc<dyn Fn() + Send + Sync>;

/// A finished import: the table, its profile and how long it took.
#[derive(Debug)]
pub struct Imported {
    pub table: Table,
    pub profile: Profile,
    pub options: ImportOptions,
    pub seconds: f64,
}

/// A validated model from one training request: what the Compare view shows side by side.
#[derive(Debug, Clone)]
pub struct TrainingRun {
    /// Unique within the session; names the run in lists ("#3").
    pub id: u64,
    /// The dataset's name.
    pub dataset: String,
    pub evaluation: Evaluation,
    pub model: TrainedModel,
    /// The table it was trained on (`None` for a version read back from the catalog).
    pub table: Option<Arc<Table>>,
    /// The catalog model and version it is (or was registered as).
    pub registered: Option<(String, i64)>,
    /// The run's id in the catalog, once recorded there (or read back from there).
    pub recorded: Option<i64>,
    /// A version read back from the catalog keeps no per-row predictions; these curves,
    /// stored with it, are drawn instead.
    pub stored_curves: StoredCurves,
    /// What the model learned, read off it by the job that made the run.
    pub learned: Learned,
}

impl TrainingRun {
    /// "#3 logistic regression on penguins", "#3 churn v2 (logistic regression)", or for a
    /// run recorded earlier "#3 logistic regression on penguins (run 12)".
    pub fn title(&self) -> String {
        match &self.registered {
            _ if self.table.is_none() && self.recorded.is_some() => format!(
                "#{} {} on {} (run {})",
                self.id,
                self.model.spec.title(),
                self.dataset,
                self.recorded.unwrap_or_default()
            ),
            Some((model, version)) if self.table.is_none() => format!(
                "#{} {model} v{version} ({})",
                self.id,
                self.model.spec.title()
            ),
            _ => format!(
                "#{} {} on {}",
                self.id,
                self.model.spec.title(),
                self.dataset
            ),
        }
    }
}

/// What a training job needs: a snapshot of the table and the choices made in Train.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    pub table: Arc<Table>,
    pub target: String,
    /// The task chosen in Train; `None` infers it from the target column.
    pub task: Option<Task>,
    pub recipe: Recipe,
    pub specs: Vec<ModelSpec>,
    pub validation: Validation,
    /// The id the first run gets; the others count up.
    pub first_id: u64,
}

/// What a scoring job needs: the model, what to call it, and the file.
#[derive(Debug, Clone)]
pub struct ScoreRequest {
    pub model: Arc<TrainedModel>,
    /// "churn version 3" or "#2 logistic regression on penguins".
    pub model_title: String,
    /// The catalog model and version scored with, if it came from the catalog.
    pub version: Option<(String, i64)>,
    /// The model's validation metrics (mean over folds), to set beside the file's.
    pub validation: std::collections::BTreeMap<String, f64>,
    pub path: PathBuf,
    pub thresholds: Thresholds,
}

/// The model an ONNX export writes.
#[derive(Debug)]
pub enum OnnxExport {
    /// A registered version (`churn@3`), read from the catalog at this path.
    Version { catalog: PathBuf, reference: String },
    /// A model trained in this session; `source` names it (its checksum is filled in).
    Run {
        model: Box<TrainedModel>,
        source: crate::export::onnx::ExportSource,
    },
}

/// A file scored (or refused by the schema check).
#[derive(Debug)]
pub struct ScoreOutcome {
    pub request: ScoreRequest,
    pub table: Arc<Table>,
    pub result: Result<Scored, ScoreError>,
    pub seconds: f64,
    /// Why the run of a catalog version could not be recorded beside it, if it could not.
    pub not_recorded: Option<String>,
}

/// What a job produced.
#[derive(Debug)]
pub enum JobOutcome {
    Imported(Box<Imported>),
    Scored(Box<ScoreOutcome>),
    /// Rows explained (or not), with the request they answer.
    RowsExplained(Box<RowsOutcome>),
    /// A file was written (a report).
    Saved {
        what: String,
        path: PathBuf,
    },
    /// The requested algorithms trained and validated: the runs of those that could, and
    /// those that failed; or, when the job was cancelled (named here), every algorithm
    /// unfinished.
    Trained {
        runs: Vec<TrainingRun>,
        unfinished: Vec<UnfinishedRun>,
        cancelled: Option<String>,
        /// The recipe the runs were trained with (their folds are fitted again from it).
        recipe: Recipe,
    },
    /// Catalog work done in order, one reply per item.
    Catalog(Vec<CatalogReply>),
    /// An explanation of a registered version computed (and stored with it), or why not.
    ExplainedVersion(Box<ExplainedVersion>),
    /// An explanation of a run of this session computed, or why not.
    ExplainedRun(Box<ExplainedRun>),
    /// A catalog file opened (created and upgraded as needed) for the window.
    CatalogOpened(Result<crate::catalog::Catalog, String>),
    /// An MLflow server tested, or a version pushed to one.
    Mlflow(MlflowOutcome),
    /// The job failed; the message is fit for the user.
    Failed {
        job: String,
        message: String,
    },
    Cancelled {
        job: String,
    },
}

/// The key of the one catalog job that may run at a time.
const CATALOG_KEY: &str = "catalog";

/// A job still running, as the status bar shows it.
pub struct RunningJob {
    /// What the user sees, e.g. "Importing penguins.csv".
    pub title: String,
    /// Refuses a second job with the same key.
    key: String,
    pub progress: Arc<Progress>,
    pub started: Instant,
    receiver: Receiver<JobOutcome>,
}

impl RunningJob {
    /// "0:42 elapsed · about 1 min left": how long it has run and is likely still to run.
    pub fn timing(&self) -> String {
        timing_text(self.started.elapsed(), self.progress.fraction())
    }
}

/// The set of running jobs.
#[derive(Default)]
pub struct Jobs {
    running: Vec<RunningJob>,
}

impl Jobs {
    /// Jobs still running, oldest first.
    pub fn running(&self) -> &[RunningJob] {
        &self.running
    }

    /// Whether nothing is running.
    pub fn is_idle(&self) -> bool {
        self.running.is_empty()
    }

    /// Start importing `path` unless an import of the same file is already running.
    pub fn start_import(
        &mut self,
        path: PathBuf,
        options: ImportOptions,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("import:{}", path.display());
        let title = format!("Importing {}", file_name(&path));
        self.spawn(key, title, repaint, move |progress| {
            let started = Instant::now();
            match data::import_csv(&path, &options, progress) {
                Ok(table) => {
                    let profile = data::profile_table(&table);
                    JobOutcome::Imported(Box::new(Imported {
                        table,
                        profile,
                        options,
                        seconds: started.elapsed().as_secs_f64(),
                    }))
                }
                Err(crate::data::ImportError::Cancelled) => JobOutcome::Cancelled {
                    job: format!("import of {}", file_name(&path)),
                },
                Err(error) => JobOutcome::Failed {
                    job: format!("import of {}", file_name(&path)),
                    message: error.to_string(),
                },
            }
        })
    }

    /// Train and validate every requested algorithm on a worker thread (several algorithms
    /// in parallel on the available cores). One training job per dataset at a time.
    pub fn start_training(
        &mut self,
        request: TrainRequest,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("train:{}", request.table.name);
        let title = format!("Training on {}", request.table.name);
        self.spawn(key, title, repaint.clone(), move |progress| {
            train_all(&request, progress, &repaint)
        })
    }

    /// Do catalog work in order on a worker thread with its own connection. One such job
    /// at a time: the window queues what comes while one runs.
    pub fn start_catalog(
        &mut self,
        catalog: PathBuf,
        work: Vec<CatalogWork>,
        repaint: Repaint,
    ) -> Result<(), String> {
        let title = if work.iter().all(CatalogWork::is_read) {
            "Reading the catalog"
        } else {
            "Updating the catalog"
        };
        self.spawn(CATALOG_KEY.into(), title.into(), repaint, move |_| {
            JobOutcome::Catalog(catalog_work::run_batch(&catalog, work))
        })
    }

    /// Open (create, upgrade) the catalog at `path` on a worker thread: SQLite may wait on
    /// its busy timeout while another process writes, and a new catalog is written.
    pub fn start_open_catalog(&mut self, path: PathBuf, repaint: Repaint) -> Result<(), String> {
        self.spawn(
            "catalog-open".into(),
            "Opening the catalog".into(),
            repaint,
            move |_| {
                let opened = (|| {
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            crate::catalog::CatalogError::Io {
                                path: dir.display().to_string(),
                                message: e.to_string(),
                            }
                        })?;
                    }
                    crate::catalog::Catalog::open(&path)
                })();
                JobOutcome::CatalogOpened(opened.map_err(|e| e.to_string()))
            },
        )
    }

    /// Whether catalog work is running.
    pub fn catalog_busy(&self) -> bool {
        self.running.iter().any(|job| job.key == CATALOG_KEY)
    }

    /// Write a model as one ONNX file on a worker thread: a catalog version (read with its
    /// own connection, checksum verified) or a model of this session.
    pub fn start_onnx_export(
        &mut self,
        what: OnnxExport,
        out: PathBuf,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("onnx:{}", out.display());
        let title = format!("Exporting {}", file_name(&out));
        self.spawn(key, title, repaint, move |progress| {
            use crate::export::onnx;
            progress.set_stage("writing the ONNX graph");
            let job = format!("ONNX export to {}", file_name(&out));
            let exported = match what {
                OnnxExport::Version { catalog, reference } => {
                    crate::catalog::Catalog::open(&catalog)
                        .and_then(|catalog| {
                            let version = catalog.resolve(&reference)?;
                            Ok((catalog, version))
                        })
                        .map_err(|e| e.to_string())
                        .and_then(|(catalog, version)| {
                            onnx::export_version(&catalog, &version, &out)
                                .map_err(|e| e.to_string())
                        })
                }
                OnnxExport::Run { model, source } => {
                    crate::catalog::record::artifact_checksum(&model)
                        .map_err(|e| e.to_string())
                        .and_then(|checksum| {
                            let source = onnx::ExportSource {
                                artifact_checksum: checksum,
                                ..source
                            };
                            onnx::export_model(&model, &source, &out).map_err(|e| e.to_string())
                        })
                }
            };
            match exported {
                Ok(_) => JobOutcome::Saved {
                    what: "ONNX model".into(),
                    path: out,
                },
                Err(message) => JobOutcome::Failed { job, message },
            }
        })
    }

    fn spawn(
        &mut self,
        key: String,
        title: String,
        repaint: Repaint,
        work: impl FnOnce(&Progress) -> JobOutcome + Send + 'static,
    ) -> Result<(), String> {
        if self.running.iter().any(|job| job.key == key) {
            return Err(format!("{title} is already running"));
        }
        let progress = Arc::new(Progress::default());
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let worker_progress = Arc::clone(&progress);
        std::thread::Builder::new()
            .name(key.clone())
            .spawn(move || {
                let outcome = work(&worker_progress);
                let _ = sender.send(outcome);
                repaint();
            })
            .map_err(|e| format!("could not start a worker thread: {e}"))?;
        self.running.push(RunningJob {
            title,
            key,
            progress,
            started: Instant::now(),
            receiver,
        });
        Ok(())
    }

    /// Collect the outcomes of jobs that finished since the last call.
    pub fn poll(&mut self) -> Vec<JobOutcome> {
        let mut finished = Vec::new();
        self.running.retain(|job| match job.receiver.try_recv() {
            Ok(outcome) => {
                finished.push(outcome);
                false
            }
            Err(TryRecvError::Empty) => true,
            Err(TryRecvError::Disconnected) => {
                finished.push(JobOutcome::Failed {
                    job: job.title.clone(),
                    message: "the worker stopped unexpectedly".into(),
                });
                false
            }
        });
        finished
    }

    /// Ask every running job to stop; each reports `Cancelled` shortly.
    pub fn cancel_all(&self) {
        for job in &self.running {
            job.progress.request_cancel();
        }
    }
}

fn train_all(request: &TrainRequest, progress: &Progress, repaint: &Repaint) -> JobOutcome {
    use rayon::prelude::*;
    use std::sync::atomic::Ordering;
    let algorithms = request.specs.len().max(1) as u64;
    // Progress in thousandths, summed over the algorithms running side by side.
    progress.total.store(1000 * algorithms, Ordering::Relaxed);
    let done: Vec<std::sync::atomic::AtomicU64> =
        request.specs.iter().map(|_| Default::default()).collect();
    let results: Vec<_> = request
        .specs
        .par_iter()
        .enumerate()
        .map(|(i, spec)| {
            let recipe = &request.recipe;
            let started = Instant::now();
            let result = train_and_validate(
                &request.table,
                &request.target,
                request.task,
                recipe,
                spec,
                request.validation,
                &mut |fraction, stage| {
                    done[i].store((fraction * 1000.0) as u64, Ordering::Relaxed);
                    let sum: u64 = done.iter().map(|d| d.load(Ordering::Relaxed)).sum();
                    progress.done.store(sum, Ordering::Relaxed);
                    progress.set_stage(stage);
                    repaint();
                    !progress.cancel.load(Ordering::Relaxed)
                },
            );
            (result, started.elapsed().as_secs_f64())
        })
        .collect();
    let unfinished = |i: usize, error: Option<String>, seconds: f64| UnfinishedRun {
        spec: request.specs[i].clone(),
        error,
        seconds,
        table: Arc::clone(&request.table),
        target: request.target.clone(),
    };
    let mut runs = Vec::new();
    let mut failed = Vec::new();
    let cancelled = |(result, _): &(Result<_, _>, f64)| {
        matches!(
            result,
            Err(crate::ml::eval::TrainError::Fit(
                crate::ml::model::ModelError::Cancelled
            ))
        )
    };
    if results.iter().any(cancelled) {
        // A cancelled job keeps none of its runs: each is recorded as cancelled.
        let seconds = results.iter().map(|(_, s)| *s).fold(0.0, f64::max);
        return JobOutcome::Trained {
            runs: Vec::new(),
            unfinished: (0..results.len())
                .map(|i| unfinished(i, None, seconds))
                .collect(),
            cancelled: Some(format!("training on {}", request.table.name)),
            recipe: request.recipe.clone(),
        };
    }
    for (i, (result, seconds)) in results.into_iter().enumerate() {
        match result {
            Ok((evaluation, model)) => runs.push(TrainingRun {
                id: request.first_id + i as u64,
                dataset: request.table.name.clone(),
                evaluation,
                learned: what_it_learned(&model),
                model,
                table: Some(Arc::clone(&request.table)),
                registered: None,
                recorded: None,
                stored_curves: StoredCurves::None,
            }),
            // One algorithm's failure leaves the others' runs as they are.
            Err(error) => failed.push(unfinished(i, Some(error.to_string()), seconds)),
        }
    }
    JobOutcome::Trained {
        runs,
        unfinished: failed,
        cancelled: None,
        recipe: request.recipe.clone(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn wait(jobs: &mut Jobs) -> Vec<JobOutcome> {
        let deadline = Instant::now() + std::time::Duration::from_secs(30);
        let mut outcomes = Vec::new();
        while !jobs.is_idle() && Instant::now() < deadline {
            outcomes.extend(jobs.poll());
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        outcomes
    }

    #[test]
    fn a_forest_reports_progress_tree_by_tree() {
        let table = Arc::new(crate::ml::target::sample_with_target(
            "breast_cancer.csv",
            "diagnosis",
        ));
        let mut spec = ModelSpec::from_name("random_forest").unwrap();
        let ModelSpec::RandomForest(forest) = &mut spec else {
            panic!("a forest spec");
        };
        forest.trees = 120;
        let request = TrainRequest {
            recipe: Recipe::default_for(&table),
            table,
            target: "diagnosis".into(),
            task: None,
            specs: vec![spec],
            validation: Validation::Holdout {
                fraction: 0.25,
                seed: 0,
            },
            first_id: 1,
        };
        // What the status bar would read at each repaint the job asks for.
        let progress = Arc::new(Progress::default());
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let repaint: Repaint = {
            let (progress, seen) = (Arc::clone(&progress), Arc::clone(&seen));
            Arc::new(move || {
                seen.lock()
                    .unwrap()
                    .push((progress.fraction(), progress.stage()))
            })
        };
        let outcome = train_all(&request, &progress, &repaint);
        assert!(matches!(outcome, JobOutcome::Trained { ref runs, .. } if runs.len() == 1));
        let seen = seen.lock().unwrap();
        assert!(
            seen.windows(2).all(|w| w[0].0 <= w[1].0),
            "progress never goes back"
        );
        // Within the first fit (the hold-out's, half the job) the bar moves as trees grow.
        let within_first_fit: Vec<f32> = seen
            .iter()
            .filter(|(f, stage)| *f < 0.5 && stage.contains("tree "))
            .map(|(f, _)| *f)
            .collect();
        let mut steps = within_first_fit.clone();
        steps.dedup();
        assert!(
            steps.len() >= 10 && steps[0] < 0.1 && *steps.last().unwrap() > 0.4,
            "{steps:?}"
        );
        assert_eq!(seen.last().map(|(f, _)| *f), Some(1.0));
    }

    #[test]
    fn a_failed_algorithm_leaves_the_other_runs_of_its_job() {
        let table = Arc::new(crate::ml::target::sample_with_target("iris.csv", "species"));
        let request = TrainRequest {
            recipe: Recipe::default_for(&table),
            table,
            target: "species".into(),
            task: None,
            // Species is a class: a linear regression cannot predict it.
            specs: ["logistic_regression", "linear_regression"]
                .map(|n| ModelSpec::from_name(n).unwrap())
                .to_vec(),
            validation: Validation::default(),
            first_id: 1,
        };
        let mut jobs = Jobs::default();
        jobs.start_training(request, Arc::new(|| {})).unwrap();
        let outcomes = wait(&mut jobs);
        let [JobOutcome::Trained {
            runs,
            unfinished: failed,
            cancelled: None,
            ..
        }] = &outcomes[..]
        else {
            panic!("{outcomes:?}");
        };
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].evaluation.algorithm, "logistic_regression");
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].spec.title(), "linear regression");
        assert!(!failed[0].error.as_deref().unwrap_or_default().is_empty());
    }

    #[test]
    fn an_import_job_delivers_a_profiled_table_and_duplicates_are_refused() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/iris.csv");
        let mut jobs = Jobs::default();
        let repaint: Repaint = Arc::new(|| {});
        jobs.start_import(path.clone(), ImportOptions::default(), repaint.clone())
            .unwrap();
        assert!(jobs
            .start_import(path, ImportOptions::default(), repaint)
            .is_err());
        let outcomes = wait(&mut jobs);
        let [JobOutcome::Imported(imported)] = outcomes.as_slice() else {
            panic!("expected one import, got {outcomes:?}");
        };
        assert_eq!(imported.profile.rows, 150);
    }

    #[test]
    fn cancel_stops_an_import_promptly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let mut text = String::from("a,b,c\n");
        for i in 0..2_000_000 {
            text.push_str(&format!("{i},{}.5,x{}\n", i % 97, i % 7));
        }
        std::fs::write(&path, text).unwrap();
        let mut jobs = Jobs::default();
        jobs.start_import(path, ImportOptions::default(), Arc::new(|| {}))
            .unwrap();
        let asked = Instant::now();
        jobs.cancel_all();
        let outcomes = wait(&mut jobs);
        assert!(
            matches!(&outcomes[..], [JobOutcome::Cancelled { .. }]),
            "{outcomes:?}"
        );
        assert!(asked.elapsed() < std::time::Duration::from_millis(500));
    }

    #[test]
    fn a_failed_import_becomes_a_message() {
        let mut jobs = Jobs::default();
        jobs.start_import(
            "/no/such/file.csv".into(),
            ImportOptions::default(),
            Arc::new(|| {}),
        )
        .unwrap();
        let outcomes = wait(&mut jobs);
        assert!(
            matches!(&outcomes[..], [JobOutcome::Failed { message, .. }] if message.contains("/no/such/file.csv"))
        );
    }

    #[test]
    fn a_report_job_writes_one_self_contained_html_file() {
        use crate::catalog::{record, Catalog};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        let mut catalog = Catalog::open(&path).unwrap();
        let (table, evaluation, model) =
            crate::ml::eval::validated_sample("iris.csv", "species", "naive_bayes");
        let lineage = record::lineage(&table, &data::profile_table(&table)).unwrap();
        let new = record::new_version(&evaluation, &model, lineage).unwrap();
        let version = catalog.register("iris-nb", &new).unwrap();
        let out = dir.path().join("report.html");
        let mut jobs = Jobs::default();
        jobs.start_report(
            path,
            vec![version],
            out.clone(),
            Default::default(),
            Arc::new(|| {}),
        )
        .unwrap();
        let outcomes = wait(&mut jobs);
        assert!(
            matches!(outcomes.as_slice(), [JobOutcome::Saved { path, .. }] if *path == out),
            "{outcomes:?}"
        );
        let html = std::fs::read_to_string(&out).unwrap();
        assert!(html.contains("iris-nb") && html.contains("<svg"));
        assert!(!html.contains("<script"));
    }
}
