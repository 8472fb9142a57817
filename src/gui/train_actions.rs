//! Training from the window: a job on the current dataset with the Train view's choices,
//! and taking its runs in (ticked for Compare, with their warnings shown).

use std::sync::Arc;

use super::app::ModeldeskApp;
use crate::jobs::{TrainRequest, TrainingRun, UnfinishedRun};
use crate::ml::target::infer_task;

impl ModeldeskApp {
    /// Start training on the current dataset with the Train view's choices.
    pub(super) fn start_training(&mut self) {
        let Some(dataset) = self.current() else {
            self.error("choose a dataset to train on first");
            return;
        };
        let Some(target) = dataset
            .table
            .target_index()
            .map(|i| dataset.table.columns[i].name.clone())
        else {
            self.error("choose the column to predict (the target) first");
            return;
        };
        let form = &self.drafts.train;
        let column = &dataset.table.columns[dataset.table.target_index().unwrap_or(0)];
        let task = form.task.unwrap_or_else(|| infer_task(column));
        let request = TrainRequest {
            table: Arc::clone(&dataset.table),
            target,
            task: Some(task),
            recipe: form.recipe(&dataset.table),
            specs: form.specs(task),
            validation: form.validation(),
            first_id: self.next_run_id(),
        };
        if request.specs.is_empty() {
            self.error("tick at least one algorithm to train");
            return;
        }
        crate::data::memory::start_job();
        if let Err(message) = self.jobs.start_training(request, self.repaint_handle()) {
            self.error(message);
        }
    }

    /// The id the next run gets.
    pub(super) fn next_run_id(&self) -> u64 {
        self.runs.iter().map(|r| r.id).max().unwrap_or(0) + 1
    }

    /// Take a training job's runs; each algorithm that failed is named with its reason.
    /// All of them, finished, failed or cancelled, are recorded in the catalog.
    pub(super) fn finish_training(
        &mut self,
        runs: Vec<TrainingRun>,
        unfinished: Vec<UnfinishedRun>,
        cancelled: Option<String>,
        recipe: crate::ml::prep::Recipe,
    ) {
        self.record_training(&runs, unfinished.clone());
        if let Some(job) = cancelled {
            self.note(format!("{job} cancelled"));
        }
        for failed in unfinished {
            if let Some(message) = failed.error {
                self.error(format!("{} failed: {message}", failed.spec.title()));
            }
        }
        for run in runs {
            let dropped = run.evaluation.rows_dropped;
            if dropped > 0 {
                let rows = if dropped == 1 { "row" } else { "rows" };
                self.note(format!(
                    "{}: {dropped} {rows} with no target value left out",
                    run.title()
                ));
            }
            for warning in &run.evaluation.warnings {
                self.note(format!("{}: {warning}", run.title()));
            }
            self.ticked_runs.push(run.id);
            self.run_recipes.insert(run.id, recipe.clone());
            self.runs.push(run);
        }
    }
}
