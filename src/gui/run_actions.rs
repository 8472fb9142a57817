//! Recorded runs in the window: every training job's runs (finished, failed or cancelled)
//! are recorded in the catalog by a catalog job; Compare lists the recorded runs as a job
//! read them, reads a ticked one back as a run, deletes one asked for, and the retention
//! setting prunes old unregistered runs when the catalog opens or Settings closes.

use super::app::ModeldeskApp;
use super::command::View;
use super::views::recorded_runs_panel::{RecordedRuns, SHOWN_RUNS};
use crate::catalog::{RunFilter, RunSummary};
use crate::jobs::{CatalogChange, CatalogWork, RunList, RunsToRecord, TrainingRun, UnfinishedRun};

/// The recorded runs Compare lists, as a job last read them.
#[derive(Default)]
pub struct RecordedRunList {
    list: RunList,
    /// The catalog's generation and the filter they were (or are being) read at.
    read_at: Option<(u64, RunFilter)>,
    loading: bool,
    error: Option<String>,
    /// Recorded runs being read back for Compare.
    loading_runs: Vec<i64>,
}

impl RecordedRunList {
    /// What Compare draws.
    pub(super) fn view(&self) -> RecordedRuns<'_> {
        RecordedRuns {
            list: &self.list,
            loading: self.loading,
            error: self.error.as_deref(),
        }
    }
}

impl ModeldeskApp {
    /// The recorded runs Compare lists, newest first.
    pub fn recorded_runs(&self) -> &[RunSummary] {
        &self.recorded_runs.list.runs
    }

    /// Record what a training job produced; each session run learns its id when done.
    pub(super) fn record_training(&mut self, runs: &[TrainingRun], unfinished: Vec<UnfinishedRun>) {
        if self.open_catalog_path().is_err() {
            // Why the catalog is not open was said when opening it failed.
            return;
        }
        let table = runs
            .iter()
            .find_map(|r| r.table.as_ref())
            .or(unfinished.first().map(|u| &u.table));
        let profile = table.and_then(|table| {
            self.datasets
                .iter()
                .find(|d| std::sync::Arc::ptr_eq(&d.table, table))
                .map(|d| d.profile.clone())
        });
        self.queue_catalog(CatalogWork::RecordRuns(Box::new(RunsToRecord {
            finished: runs.to_vec(),
            unfinished,
            profile,
        })));
    }

    /// Take the ids the runs were recorded as.
    pub(super) fn finish_recording(&mut self, result: Result<Vec<(u64, i64)>, String>) {
        self.catalog.generation += 1;
        match result {
            Ok(ids) => {
                for (session, recorded) in ids {
                    if let Some(run) = self.runs.iter_mut().find(|r| r.id == session) {
                        run.recorded = Some(recorded);
                    }
                }
            }
            Err(message) => self.error(format!("the runs were not recorded: {message}")),
        }
    }

    /// Have the recorded runs read when Compare shows and the catalog or the filter changed.
    pub(super) fn read_recorded_runs(&mut self) {
        let generation = self.catalog.generation;
        let filter = RunFilter {
            limit: Some(SHOWN_RUNS),
            ..self.drafts.runs.filter.clone()
        };
        let list = &mut self.recorded_runs;
        if list.loading || list.read_at.as_ref() == Some(&(generation, filter.clone())) {
            return;
        }
        list.loading = true;
        list.read_at = Some((generation, filter.clone()));
        self.queue_catalog(CatalogWork::ListRuns(filter));
    }

    /// Take a list of recorded runs a job read.
    pub(super) fn take_run_list(&mut self, filter: RunFilter, result: Result<RunList, String>) {
        let list = &mut self.recorded_runs;
        list.loading = false;
        if list.read_at.as_ref().map(|(_, f)| f) != Some(&filter) {
            return;
        }
        match result {
            Ok(runs) => {
                list.list = runs;
                list.error = None;
            }
            Err(message) => list.error = Some(format!("the runs could not be read: {message}")),
        }
    }

    /// No catalog job running or queued: no list is being read.
    pub(super) fn forget_lost_run_reads(&mut self) {
        self.recorded_runs.loading = false;
        self.recorded_runs.loading_runs.clear();
    }

    /// Tick a recorded run for Compare, reading it back first if this session has not.
    pub(super) fn tick_recorded(&mut self, id: i64, ticked: bool) {
        let loaded = self
            .runs
            .iter()
            .find(|r| r.table.is_none() && r.recorded == Some(id))
            .map(|r| r.id);
        match (loaded, ticked) {
            (Some(session), _) => {
                self.ticked_runs.retain(|&r| r != session);
                if ticked {
                    self.ticked_runs.push(session);
                }
            }
            (None, true) if !self.recorded_runs.loading_runs.contains(&id) => {
                self.recorded_runs.loading_runs.push(id);
                self.queue_catalog(CatalogWork::LoadRecordedRuns(vec![id]));
            }
            (None, _) => {}
        }
    }

    /// Take runs read back from the catalog, unless this session has them already.
    pub(super) fn keep_loaded_run(&mut self, run: &TrainingRun) -> bool {
        let Some(id) = run.recorded else {
            return true;
        };
        self.recorded_runs.loading_runs.retain(|&r| r != id);
        !self
            .runs
            .iter()
            .any(|r| r.table.is_none() && r.recorded == Some(id))
    }

    /// Delete a recorded run (the view asked for confirmation); a copy read back goes too.
    pub(super) fn delete_recorded(&mut self, id: i64) {
        let gone: Vec<u64> = self
            .runs
            .iter()
            .filter(|r| r.table.is_none() && r.recorded == Some(id))
            .map(|r| r.id)
            .collect();
        self.runs.retain(|r| !gone.contains(&r.id));
        self.ticked_runs.retain(|r| !gone.contains(r));
        for run in &mut self.runs {
            if run.recorded == Some(id) {
                run.recorded = None;
            }
        }
        self.queue_catalog(CatalogWork::Change(CatalogChange::DeleteRun { run: id }));
    }

    /// Prune unregistered runs older than the retention setting, if one is set.
    pub(super) fn prune_runs(&mut self) {
        if let Some(days) = self.settings.run_retention_days {
            self.queue_catalog(CatalogWork::Change(CatalogChange::PruneRuns { days }));
        }
    }

    /// Whether Compare is shown (its recorded runs are then read).
    pub(super) fn compare_shown(&self) -> bool {
        self.settings.view == View::Compare
    }
}
