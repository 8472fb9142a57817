//! Scoring from the window: which model scores (a session run or a catalog version), the
//! job that reads the model and the file and scores it (recording the run in the catalog),
//! and the job that saves the predictions.

use std::path::PathBuf;
use std::sync::Arc;

use super::app::ModeldeskApp;
use super::command::ScoreSource;
use super::file_dialog::{FileFor, FileRequest, CSV_FILES};
use crate::jobs::{CatalogWork, ScoreJob, ScoreModel, ScoreOutcome};

impl ModeldeskApp {
    /// Read `path` and score it with the model chosen in the Score view.
    pub(super) fn start_scoring(&mut self, path: PathBuf) {
        let Some(source) = self.drafts.score.source.clone() else {
            if self.resolving_reference {
                self.score_after_resolve = Some(path);
            } else {
                self.error("choose a model to score with first");
            }
            return;
        };
        crate::data::memory::start_job();
        let job = match self.score_job(&source, path) {
            Ok(job) => job,
            Err(message) => return self.error(message),
        };
        if let Err(message) = self.jobs.start_scoring(job, self.repaint_handle()) {
            self.error(message);
        }
    }

    fn score_job(&mut self, source: &ScoreSource, path: PathBuf) -> Result<ScoreJob, String> {
        let thresholds = self.drafts.score.thresholds;
        let model = match source {
            ScoreSource::Run(id) => {
                let run = self
                    .runs
                    .iter()
                    .find(|r| r.id == *id)
                    .ok_or_else(|| format!("run #{id} is no longer in this session"))?;
                ScoreModel::Ready {
                    model: Arc::new(run.model.clone()),
                    title: run.title(),
                    version: run.registered.clone(),
                    validation: run
                        .evaluation
                        .mean
                        .iter()
                        .map(|(k, v)| (k.to_string(), *v))
                        .collect(),
                }
            }
            ScoreSource::Version { model, version } => ScoreModel::Version {
                model: model.clone(),
                version: *version,
            },
        };
        let catalog = match &model {
            ScoreModel::Version { .. } => Some(self.open_catalog_path()?),
            // A registered run's scoring is recorded when the catalog is at hand.
            ScoreModel::Ready { version, .. } => {
                version.as_ref().and_then(|_| self.open_catalog_path().ok())
            }
        };
        Ok(ScoreJob {
            model,
            path,
            thresholds,
            catalog,
        })
    }

    /// Score with the version a reference names (`churn@production`), once a job finds it.
    pub(super) fn score_reference(&mut self, reference: String) {
        match self.open_catalog_path() {
            Ok(_) => {
                self.drafts.score.source = None;
                self.resolving_reference = true;
                self.queue_catalog(CatalogWork::Resolve(reference));
            }
            Err(message) => self.error(message),
        }
    }

    /// Take a scored file in and show it.
    pub(super) fn finish_scoring(&mut self, outcome: Box<ScoreOutcome>) {
        if outcome.request.version.is_some() && outcome.result.is_ok() {
            // The run was recorded beside the version: its page reads again.
            self.catalog.generation += 1;
        }
        if let Some(message) = &outcome.not_recorded {
            self.error(message.clone());
        }
        self.scored = Some(Arc::from(outcome));
        self.explained_row = None;
        self.explanations.forget_scored();
        self.settings.view = crate::gui::View::Score;
    }

    /// Ask for a CSV file to score with the chosen model.
    pub(super) fn open_score_dialog(&mut self) {
        self.ask_file(FileRequest::open(
            FileFor::Score,
            "Score a CSV file",
            CSV_FILES,
        ));
    }

    /// Ask where to save the last predictions.
    pub(super) fn ask_export_predictions(&mut self) {
        let Some(outcome) = &self.scored else {
            return self.error("score a file first: there are no predictions to export");
        };
        if outcome.result.is_err() {
            return self
                .error("the last file could not be scored: there are no predictions to export");
        }
        let stem = outcome
            .request
            .path
            .file_stem()
            .map_or("scored".into(), |s| s.to_string_lossy().into_owned());
        self.ask_file(FileRequest::save(
            FileFor::SavePredictions,
            "Export predictions",
            ("CSV", &["csv"]),
            format!("{stem}_predictions.csv"),
        ));
    }

    /// Save the last predictions to `path`, as a job.
    pub(super) fn export_predictions(&mut self, path: PathBuf) {
        let Some(outcome) = &self.scored else {
            return self.error("score a file first: there are no predictions to export");
        };
        let outcome = Arc::clone(outcome);
        if let Err(message) =
            self.jobs
                .start_predictions_export(outcome, path, self.repaint_handle())
        {
            self.error(message);
        }
    }
}
