//! Which features matter, on a worker thread: permutation importance or partial dependence
//! of a registered version (on a labelled file, or on the file it was trained on if that is
//! unchanged), stored with the version when done, so its page and the report show it.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use super::{JobOutcome, Jobs, Repaint};
use crate::catalog::record::{self, explanation_rows, ComputedOn};
use crate::catalog::Catalog;
use crate::data::{Progress, Table};
use crate::ml::partial_dependence::{partial_dependence, PartialDependence, PdError, PdOptions};
use crate::ml::permutation::{
    labelled_rows, permutation_importance, PermutationError, PermutationImportance, Shuffles,
};
use crate::ml::trained::TrainedModel;

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplainWhat {
    /// The drop in `metric` when each column is shuffled, over `repeats` shuffles.
    Permutation {
        metric: String,
        repeats: usize,
        seed: u64,
    },
    /// The average prediction as `column` is set to each value of a grid.
    Dependence { column: String },
}

impl ExplainWhat {
    /// "permutation importance", "partial dependence on tenure".
    pub fn title(&self) -> String {
        match self {
            ExplainWhat::Permutation { .. } => "permutation importance".into(),
            ExplainWhat::Dependence { column } => format!("partial dependence on {column}"),
        }
    }
}

/// A computed explanation.
#[derive(Debug, Clone, PartialEq)]
pub enum Explanation {
    Permutation(PermutationImportance),
    Dependence(PartialDependence),
}

/// What an explanation job of a version needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainVersion {
    pub model: String,
    pub version: i64,
    pub what: ExplainWhat,
    /// A labelled file to compute on; `None` uses the training file if it is unchanged.
    pub file: Option<PathBuf>,
    /// The catalog the version is read from and its explanation stored in.
    pub catalog: PathBuf,
}

/// A finished explanation job of a version.
#[derive(Debug)]
pub struct ExplainedVersion {
    pub model: String,
    pub version: i64,
    pub result: Result<(Explanation, ComputedOn), String>,
    /// Why it could not be kept with the version, if it could not.
    pub not_stored: Option<String>,
}

impl Jobs {
    /// Compute an explanation of a registered version and store it with the version. One
    /// such job per version at a time.
    pub fn start_explaining_version(
        &mut self,
        job: ExplainVersion,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("explain:{}@{}", job.model, job.version);
        let title = format!(
            "Computing the {} of {} v{}",
            job.what.title(),
            job.model,
            job.version
        );
        self.spawn(key, title, repaint, move |progress| {
            explain_version(job, progress)
        })
    }
}

impl Jobs {
    /// The share done of the explanation job of version `version` of `model`, if one runs.
    pub fn explaining_version(&self, model: &str, version: i64) -> Option<f32> {
        let key = format!("explain:{model}@{version}");
        self.running
            .iter()
            .find(|job| job.key == key)
            .map(|job| job.progress.fraction())
    }
}

/// Why an explanation stopped: cancelled, or a message for the user.
enum Stop {
    Cancelled,
    Failed(String),
}

fn explain_version(job: ExplainVersion, progress: &Progress) -> JobOutcome {
    let name = format!("computing the {}", job.what.title());
    let outcome = |result, not_stored| {
        JobOutcome::ExplainedVersion(Box::new(ExplainedVersion {
            model: job.model.clone(),
            version: job.version,
            result,
            not_stored,
        }))
    };
    progress.set_stage("reading the model");
    let read = Catalog::open(&job.catalog)
        .and_then(|catalog| {
            let detail = catalog.version(&job.model, job.version)?;
            let model = record::load_model(&catalog, detail.summary.id)?;
            Ok((model, detail.dataset))
        })
        .map_err(|e| e.to_string());
    let (model, lineage) = match read {
        Ok(read) => read,
        Err(message) => return outcome(Err(message), None),
    };
    progress.set_stage("reading the rows");
    let table = match explanation_rows(&model, job.file.as_deref(), lineage.as_ref(), progress) {
        Ok(table) => table,
        Err(_) if progress.cancel.load(Ordering::Relaxed) => {
            return JobOutcome::Cancelled { job: name }
        }
        Err(e) => return outcome(Err(e.to_string()), None),
    };
    let computed = match compute(&model, &table, &job.what, progress) {
        Ok(computed) => computed,
        Err(Stop::Cancelled) => return JobOutcome::Cancelled { job: name },
        Err(Stop::Failed(message)) => return outcome(Err(message), None),
    };
    progress.set_stage("storing it with the version");
    let record = match &computed.0 {
        Explanation::Permutation(p) => record::permutation_record(p, &computed.1),
        Explanation::Dependence(d) => record::partial_dependence_record(d, &computed.1),
    };
    let not_stored = record
        .and_then(|new| {
            Catalog::open(&job.catalog)?.store_explanation(&job.model, job.version, &new)
        })
        .err()
        .map(|e| format!("it was not kept with the version: {e}"));
    outcome(Ok(computed), not_stored)
}

/// Compute `what` for `model` on every usable row of `table`, reporting progress.
fn compute(
    model: &TrainedModel,
    table: &Table,
    what: &ExplainWhat,
    progress: &Progress,
) -> Result<(Explanation, ComputedOn), Stop> {
    progress.total.store(1000, Ordering::Relaxed);
    progress.done.store(0, Ordering::Relaxed);
    let report = |f: f32| {
        progress
            .done
            .store((f.clamp(0.0, 1.0) * 1000.0) as u64, Ordering::Relaxed);
        !progress.cancel.load(Ordering::Relaxed)
    };
    let path = table.source.display().to_string();
    match what {
        ExplainWhat::Permutation {
            metric,
            repeats,
            seed,
        } => {
            progress.set_stage("shuffling each column");
            let labelled =
                labelled_rows(model, table).map_err(|e| Stop::Failed(format!("{path}: {e}")))?;
            let measured = permutation_importance(
                model,
                labelled.x.view(),
                labelled.answers.truth(),
                metric,
                (*repeats).max(1),
                &Shuffles::Seeded(*seed),
                &report,
            )
            .map_err(|e| match e {
                PermutationError::Cancelled => Stop::Cancelled,
                e => Stop::Failed(e.to_string()),
            })?;
            let on = ComputedOn::file(table, measured.rows);
            Ok((Explanation::Permutation(measured), on))
        }
        ExplainWhat::Dependence { column } => {
            progress.set_stage(&format!("varying {column}"));
            let rows: Vec<usize> = (0..table.rows()).collect();
            let dependence =
                partial_dependence(model, table, &rows, column, &PdOptions::default(), &report)
                    .map_err(|e| match e {
                        PdError::Cancelled => Stop::Cancelled,
                        e => Stop::Failed(e.to_string()),
                    })?;
            let on = ComputedOn::file(table, rows.len());
            Ok((Explanation::Dependence(dependence), on))
        }
    }
}
