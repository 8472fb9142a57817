//! Explaining models from the window: the jobs that compute which features matter, the
//! labelled file they may use, and what the app does with their results.

use std::path::PathBuf;
use std::sync::Arc;

use super::app::ModeldeskApp;
use super::command::ExplainOf;
use super::file_dialog::{FileFor, FileRequest, CSV_FILES};
use crate::jobs::{ExplainRun, ExplainVersion, ExplainWhat, ExplainedRun, ExplainedVersion};

impl ModeldeskApp {
    /// Start the job that computes `what` for the model `of` names.
    pub(super) fn start_explaining(
        &mut self,
        of: ExplainOf,
        what: ExplainWhat,
        file: Option<PathBuf>,
    ) {
        match of {
            ExplainOf::Version { model, version } => {
                let catalog = match self.open_catalog_path() {
                    Ok(path) => path,
                    Err(message) => return self.error(message),
                };
                let job = ExplainVersion {
                    model,
                    version,
                    what,
                    file,
                    catalog,
                };
                if let Err(message) = self
                    .jobs
                    .start_explaining_version(job, self.repaint_handle())
                {
                    self.error(message);
                }
            }
            ExplainOf::Run(id) => self.start_explaining_run(id, what),
        }
    }

    /// Ask for a labelled file to compute a version's explanations on.
    pub(super) fn pick_explain_rows(&mut self) {
        self.ask_file(FileRequest::open(
            FileFor::ExplainRows,
            "A labelled file to explain the version on",
            CSV_FILES,
        ));
    }

    /// Take a version's computed explanation: it was stored with the version, whose page
    /// reads it back; or say why not.
    pub(super) fn finish_explaining_version(&mut self, explained: ExplainedVersion) {
        let name = format!("{} v{}", explained.model, explained.version);
        match explained.result {
            Err(message) => self.error(format!("{name} could not be explained: {message}")),
            Ok(_) => match explained.not_stored {
                Some(message) => self.error(format!("{name}: {message}")),
                None => {
                    self.catalog.generation += 1;
                    self.note(format!("Computed and kept with {name}"));
                }
            },
        }
    }

    /// Start the job that explains run `id`, which needs the table and recipe it was
    /// trained with (a version read back from the catalog has neither).
    fn start_explaining_run(&mut self, id: u64, what: ExplainWhat) {
        let Some(run) = self.runs.iter().find(|r| r.id == id) else {
            return self.error(format!("run #{id} is no longer in this session"));
        };
        let (Some(table), Some(recipe)) = (&run.table, self.run_recipes.get(&id)) else {
            let there = match &run.registered {
                Some(_) => "explain it on its version's page",
                None => "register it and explain it on its version's page",
            };
            return self.error(format!(
                "{} was read from the catalog: {there}",
                run.title()
            ));
        };
        let job = ExplainRun {
            run: id,
            title: run.title(),
            table: Arc::clone(table),
            model: Arc::new(run.model.clone()),
            recipe: recipe.clone(),
            validation: run.evaluation.validation,
            what,
        };
        if let Err(message) = self.jobs.start_explaining_run(job, self.repaint_handle()) {
            self.error(message);
        }
    }

    /// Keep what was computed for a run, replacing what it recomputes.
    pub(super) fn finish_explaining_run(&mut self, explained: ExplainedRun) {
        match explained.result {
            Ok((explanation, on)) => self
                .run_explanations
                .entry(explained.run)
                .or_default()
                .keep(explanation, on),
            Err(message) => self.error(format!(
                "run #{} could not be explained: {message}",
                explained.run
            )),
        }
    }
}
