//! Scoring from the window: which model scores (a session run or a catalog version), the
//! job that reads and scores a file, recording the run in the catalog, and saving the
//! predictions.

use std::path::PathBuf;
use std::sync::Arc;

use super::app::{Message, ModeldeskApp};
use super::command::ScoreSource;
use crate::catalog::record;
use crate::jobs::{ScoreOutcome, ScoreRequest};
use crate::score::export::{write_predictions, PROBABILITY_DIGITS};

impl ModeldeskApp {
    /// Read `path` and score it with the model chosen in the Score view.
    pub(super) fn start_scoring(&mut self, path: PathBuf) {
        let Some(source) = self.score_form.source.clone() else {
            self.error("choose a model to score with first");
            return;
        };
        let request = match self.score_request(&source, path) {
            Ok(request) => request,
            Err(message) => {
                self.error(message);
                return;
            }
        };
        if let Err(message) = self.jobs.start_scoring(request, self.repaint_handle()) {
            self.error(message);
        }
    }

    fn score_request(
        &mut self,
        source: &ScoreSource,
        path: PathBuf,
    ) -> Result<ScoreRequest, String> {
        let thresholds = self.score_form.thresholds;
        match source {
            ScoreSource::Run(id) => {
                let run = self
                    .runs
                    .iter()
                    .find(|r| r.id == *id)
                    .ok_or_else(|| format!("run #{id} is no longer in this session"))?;
                Ok(ScoreRequest {
                    model: Arc::new(run.model.clone()),
                    model_title: run.title(),
                    version: run.registered.clone(),
                    validation: run
                        .evaluation
                        .mean
                        .iter()
                        .map(|(k, v)| (k.to_string(), *v))
                        .collect(),
                    path,
                    thresholds,
                })
            }
            ScoreSource::Version { model, version } => {
                self.ensure_catalog();
                let catalog = self.catalog.catalog.as_ref().ok_or_else(|| {
                    self.catalog
                        .error
                        .clone()
                        .unwrap_or_else(|| "no catalog is open".into())
                })?;
                let detail = catalog
                    .version(model, *version)
                    .map_err(|e| e.to_string())?;
                let trained =
                    record::load_model(catalog, detail.summary.id).map_err(|e| e.to_string())?;
                Ok(ScoreRequest {
                    model: Arc::new(trained),
                    model_title: format!("{model} v{version}"),
                    version: Some((model.clone(), *version)),
                    validation: detail.summary.metrics.clone(),
                    path,
                    thresholds,
                })
            }
        }
    }

    /// Keep a scoring run of a catalog version in the catalog, beside the version.
    pub(super) fn record_scoring(&mut self, outcome: &ScoreOutcome) {
        let (Some((model, version)), Ok(scored)) = (&outcome.request.version, &outcome.result)
        else {
            return;
        };
        self.ensure_catalog();
        let Some(catalog) = self.catalog.catalog.as_mut() else {
            return;
        };
        let run = match record::scoring_run(&outcome.table, scored) {
            Ok(run) => run,
            Err(e) => {
                self.error(format!(
                    "the scoring run was not recorded in the catalog: {e}"
                ));
                return;
            }
        };
        let recorded = catalog.record_scoring_run(model, *version, &run);
        self.catalog.generation += 1;
        if let Err(e) = recorded {
            self.error(format!(
                "the scoring run was not recorded in the catalog: {e}"
            ));
        }
    }

    /// Save the last predictions where the user chooses.
    pub(super) fn export_predictions(&mut self) {
        let Some(outcome) = &self.scored else {
            return;
        };
        let Ok(scored) = &outcome.result else {
            return;
        };
        let stem = outcome
            .request
            .path
            .file_stem()
            .map_or("scored".into(), |s| s.to_string_lossy().into_owned());
        let Some(path) = rfd::FileDialog::new()
            .set_title("Export predictions")
            .set_file_name(format!("{stem}_predictions.csv"))
            .add_filter("CSV", &["csv"])
            .save_file()
        else {
            return;
        };
        let written = std::fs::File::create(&path).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            write_predictions(&mut out, &outcome.table, scored, PROBABILITY_DIGITS)?;
            std::io::Write::flush(&mut out)
        });
        match written {
            Ok(()) => self.messages.push(Message {
                text: format!("predictions saved to {}", path.display()),
                is_error: false,
            }),
            Err(e) => self.error(format!("could not write {}: {e}", path.display())),
        }
    }
}
