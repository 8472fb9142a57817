//! The window's door to the model catalog: which file is open (opened on first use), and
//! every read and change the window makes — registering a run, stages, roll back, deletion,
//! notes, the Score view's versions, versions for Compare — queued in order and done by a
//! catalog job; its replies are taken in here. Views send [`CatalogCommand`]s.

use std::path::PathBuf;
use std::sync::Arc;

use super::app::ModeldeskApp;
use super::command::{CatalogCommand, ScoreSource, View};
use super::file_dialog::{FileFor, FileRequest, CATALOG_FILES};
use super::views::register_dialog::RegisterDraft;
use super::views::score_view::VersionChoices;
use crate::catalog::{self, Catalog, CatalogError, VersionSummary};
use crate::jobs::{CatalogReply, CatalogWork, Registration, TrainingRun};
use crate::report::SharePolicy;

/// The catalog the window uses, and whether opening it failed.
#[derive(Default)]
pub struct CatalogSlot {
    pub(super) catalog: Option<Catalog>,
    /// Why the last attempt to open failed (shown in the Catalog view).
    pub(super) error: Option<String>,
    /// Counts every change, so views know when to read again.
    pub(super) generation: u64,
    tried: bool,
    /// The file a job is opening, while it does.
    pub(super) opening: Option<PathBuf>,
}

/// The versions the Score view offers: every version, newest first, as a job read them.
#[derive(Default)]
pub struct VersionList {
    versions: Vec<VersionSummary>,
    /// The catalog's generation they were (or are being) read at.
    read_at: Option<u64>,
    loading: bool,
}

impl VersionList {
    /// Whether the list is older than the catalog and no read is under way.
    pub(super) fn wants_reading(&self, generation: u64) -> bool {
        !self.loading && self.read_at != Some(generation)
    }

    pub(super) fn reading(&mut self, generation: u64) {
        self.loading = true;
        self.read_at = Some(generation);
    }

    /// What the Score view draws.
    pub(super) fn choices(&self) -> VersionChoices<'_> {
        VersionChoices {
            versions: &self.versions,
            loading: self.loading,
        }
    }
}

impl ModeldeskApp {
    /// The path the catalog is (or will be) read from.
    pub fn catalog_path(&self) -> Option<PathBuf> {
        if let Some(path) = &self.catalog.opening {
            return Some(path.clone());
        }
        match (&self.catalog.catalog, &self.settings.catalog_path) {
            (Some(open), _) => Some(open.path().to_path_buf()),
            (None, Some(path)) => Some(path.clone()),
            (None, None) => catalog::resolve_path(None).ok(),
        }
    }

    /// The open catalog's file (or the one being opened: catalog work waits for it), or why
    /// none is open.
    pub(super) fn open_catalog_path(&mut self) -> Result<PathBuf, String> {
        self.ensure_catalog();
        if let Some(path) = &self.catalog.opening {
            return Ok(path.clone());
        }
        match &self.catalog.catalog {
            Some(catalog) => Ok(catalog.path().to_path_buf()),
            None => Err(self
                .catalog
                .error
                .clone()
                .unwrap_or_else(|| "no catalog is open".into())),
        }
    }

    /// Open the catalog if it is not open yet (once; a failure is remembered and shown).
    pub(super) fn ensure_catalog(&mut self) {
        if self.catalog.catalog.is_some() || self.catalog.tried || self.catalog.opening.is_some() {
            return;
        }
        self.catalog.tried = true;
        let path = match &self.settings.catalog_path {
            Some(path) => Ok(path.clone()),
            None => catalog::resolve_path(None),
        };
        self.open_catalog_at(path);
    }

    /// Have a job open the catalog at `path`; [`ModeldeskApp::finish_open_catalog`] takes it.
    fn open_catalog_at(&mut self, path: Result<PathBuf, CatalogError>) {
        let started = path.map_err(|e| e.to_string()).and_then(|path| {
            let repaint = self.repaint_handle();
            self.jobs.start_open_catalog(path.clone(), repaint)?;
            Ok(path)
        });
        match started {
            Ok(path) => self.catalog.opening = Some(path),
            Err(message) => self.catalog.error = Some(message),
        }
    }

    /// Take the catalog a job opened, or why it could not.
    pub(super) fn finish_open_catalog(&mut self, opened: Result<Catalog, String>) {
        self.catalog.opening = None;
        match opened {
            Ok(catalog) => {
                self.settings.catalog_path = Some(catalog.path().to_path_buf());
                self.catalog.catalog = Some(catalog);
                self.catalog.error = None;
                self.prune_runs();
            }
            Err(message) => {
                self.catalog.catalog = None;
                self.catalog.error = Some(message.clone());
                self.catalog_queue.clear();
                self.error(message);
            }
        }
        // What the Catalog view showed of the catalog before is not this catalog's.
        self.drafts.catalog.forget_reads();
        self.catalog.generation += 1;
    }

    /// Apply one catalog command: open a file, or queue the work it asks for.
    pub(super) fn apply_catalog(&mut self, command: CatalogCommand) {
        match command {
            CatalogCommand::PickFile { new } => self.pick_catalog_file(new),
            CatalogCommand::Open(path) => {
                self.catalog.tried = true;
                self.catalog.error = None;
                self.open_catalog_at(Ok(path));
                if let Some(error) = self.catalog.error.clone() {
                    self.error(error);
                }
                self.settings.view = View::Catalog;
            }
            // Counting a change is all it takes: the views read again.
            CatalogCommand::Reload => self.catalog.generation += 1,
            CatalogCommand::Register {
                run,
                model,
                description,
            } => match self.registration(run, model, description) {
                Ok(work) => self.queue_catalog(work),
                Err(message) => self.error(message),
            },
            CatalogCommand::Compare(versions) => self.compare_versions(versions),
            CatalogCommand::ExportReport(versions, policy) => {
                self.ask_export_report(versions, policy)
            }
            CatalogCommand::WriteReport {
                versions,
                path,
                policy,
            } => self.export_report(versions, path, policy),
            CatalogCommand::Change(change) => self.change_catalog(change),
        }
    }

    fn pick_catalog_file(&mut self, new: bool) {
        self.ask_file(if new {
            FileRequest::save(
                FileFor::NewCatalog,
                "New catalog",
                CATALOG_FILES,
                "catalog.sqlite".into(),
            )
        } else {
            FileRequest::open(FileFor::OpenCatalog, "Open catalog", CATALOG_FILES)
        });
    }

    /// Queue catalog work; it starts when the catalog job before it is done.
    pub(super) fn queue_catalog(&mut self, work: CatalogWork) {
        self.catalog_queue.push(work);
    }

    /// Start a job with the queued work, unless one is still running.
    pub(super) fn start_catalog_work(&mut self) {
        if self.catalog_queue.is_empty()
            || self.jobs.catalog_busy()
            || self.catalog.opening.is_some()
        {
            return;
        }
        let work = std::mem::take(&mut self.catalog_queue);
        let started = self
            .open_catalog_path()
            .and_then(|path| self.jobs.start_catalog(path, work, self.repaint_handle()));
        if let Err(message) = started {
            self.error(message);
        }
    }

    /// With no catalog job running or queued, nothing is being read: a job that failed
    /// to start or stopped without replies must not leave the views waiting.
    pub(super) fn forget_lost_catalog_work(&mut self) {
        if self.catalog_queue.is_empty() && !self.jobs.catalog_busy() {
            self.score_versions.loading = false;
            self.resolving_reference = false;
            self.score_after_resolve = None;
            self.forget_lost_run_reads();
        }
    }

    /// A run of this session, ready to register as the next version of `model`: from its
    /// record in the catalog once recorded (the version then knows its run).
    fn registration(
        &self,
        run: u64,
        model: String,
        description: String,
    ) -> Result<CatalogWork, String> {
        let trained = self
            .runs
            .iter()
            .find(|r| r.id == run)
            .ok_or_else(|| format!("run #{run} is no longer in this session"))?;
        if let Some(recorded) = trained.recorded {
            return Ok(CatalogWork::RegisterRun {
                run,
                recorded,
                model,
                description,
            });
        }
        let Some(table) = &trained.table else {
            return Err(format!("{} is already a catalog version", trained.title()));
        };
        let profile = self
            .datasets
            .iter()
            .find(|d| Arc::ptr_eq(&d.table, table) || d.table.source == table.source)
            .map(|d| d.profile.clone());
        Ok(CatalogWork::Register(Box::new(Registration {
            run,
            model,
            description: Some(description),
            evaluation: trained.evaluation.clone(),
            trained: trained.model.clone(),
            table: Arc::clone(table),
            profile,
        })))
    }

    /// Open the register dialog for a run; the models to add a version to are read by a job.
    pub(super) fn open_register(&mut self, run: u64) {
        let Some(found) = self.runs.iter().find(|r| r.id == run) else {
            return;
        };
        self.drafts.register = Some(RegisterDraft {
            run,
            title: found.title(),
            model: String::new(),
            description: String::new(),
            existing: Vec::new(),
        });
        if self.open_catalog_path().is_ok() {
            self.queue_catalog(CatalogWork::ListModels);
        }
    }

    /// Show versions in Compare: those read back already are ticked, the others are read
    /// by a job first.
    fn compare_versions(&mut self, versions: Vec<(String, i64)>) {
        let mut missing = Vec::new();
        for (model, version) in versions {
            let registered = Some((model.clone(), version));
            match self
                .runs
                .iter()
                .find(|r| r.table.is_none() && r.registered == registered)
            {
                Some(run) => {
                    let id = run.id;
                    self.tick(id);
                }
                None => missing.push((model, version)),
            }
        }
        if missing.is_empty() {
            self.settings.view = View::Compare;
        } else {
            self.queue_catalog(CatalogWork::LoadRuns(missing));
        }
    }

    fn tick(&mut self, id: u64) {
        if !self.ticked_runs.contains(&id) {
            self.ticked_runs.push(id);
        }
    }

    /// Save an HTML report of these versions where the user chooses, as a job.
    /// Ask where to save the report of `versions`.
    fn ask_export_report(&mut self, versions: Vec<(String, i64)>, policy: SharePolicy) {
        let name = match versions.as_slice() {
            [(model, version)] => format!("{model}-v{version}-report.html"),
            _ => "model-comparison-report.html".to_string(),
        };
        self.ask_file(FileRequest::save(
            FileFor::SaveReport(versions, policy),
            "Export report",
            ("HTML", &["html", "htm"]),
            name,
        ));
    }

    /// Write the report of `versions` to `out`, showing what `policy` allows, as a job.
    fn export_report(&mut self, versions: Vec<(String, i64)>, out: PathBuf, policy: SharePolicy) {
        let path = match self.open_catalog_path() {
            Ok(path) => path,
            Err(message) => return self.error(message),
        };
        let repaint = self.repaint_handle();
        if let Err(message) = self
            .jobs
            .start_report_of(path, versions, out, policy, repaint)
        {
            self.error(message);
        }
    }

    /// Take what a catalog job read or changed; failures become messages.
    pub(super) fn finish_catalog(&mut self, replies: Vec<CatalogReply>) {
        for reply in replies {
            match reply {
                CatalogReply::Changed(result) => {
                    self.catalog.generation += 1;
                    if let Err(message) = result {
                        self.error(message);
                    }
                }
                CatalogReply::Registered { run, result } => self.finish_register(run, result),
                CatalogReply::Versions(result) => {
                    self.score_versions.loading = false;
                    match result {
                        Ok(versions) => self.score_versions.versions = versions,
                        Err(e) => {
                            self.error(format!("the catalog's versions could not be read: {e}"))
                        }
                    }
                }
                CatalogReply::Models(Ok(names)) => {
                    if let Some(draft) = &mut self.drafts.register {
                        draft.existing = names;
                    }
                }
                CatalogReply::Models(Err(e)) => {
                    self.error(format!("the catalog's models could not be read: {e}"))
                }
                CatalogReply::Resolved(result) => self.finish_resolve(result),
                CatalogReply::Runs(result) => self.finish_compare(result),
                CatalogReply::List(query, list) => self.drafts.catalog.take_list(query, list),
                CatalogReply::Model(query, read) => self.drafts.catalog.take_model(query, read),
                CatalogReply::Recorded(result) => self.finish_recording(result),
                CatalogReply::RunList(filter, list) => self.take_run_list(filter, list),
                CatalogReply::StagesFollowed(result) => {
                    // The sync rows now hold the stages sent.
                    self.catalog.generation += 1;
                    if let Err(message) = result {
                        self.error(message);
                    }
                }
            }
        }
    }

    fn finish_register(&mut self, run: u64, result: Result<catalog::VersionRef, String>) {
        self.catalog.generation += 1;
        let registered = match result {
            Ok(registered) => registered,
            Err(message) => return self.error(message),
        };
        let Some(run) = self.runs.iter_mut().find(|r| r.id == run) else {
            return;
        };
        run.registered = Some((registered.model.clone(), registered.version));
        let text = format!(
            "registered {} as {} version {}",
            run.title(),
            registered.model,
            registered.version
        );
        self.note(text);
    }

    /// Score with the version a reference named, and the file waiting for it if any.
    fn finish_resolve(&mut self, result: Result<catalog::VersionRef, String>) {
        self.resolving_reference = false;
        let file = self.score_after_resolve.take();
        match result {
            Ok(v) => {
                self.drafts.score.source = Some(ScoreSource::Version {
                    model: v.model,
                    version: v.version,
                });
                self.settings.view = View::Score;
                if let Some(path) = file {
                    self.start_scoring(path);
                }
            }
            Err(e) => self.error(e),
        }
    }

    fn finish_compare(&mut self, result: Result<Vec<TrainingRun>, String>) {
        let runs = match result {
            Ok(runs) => runs,
            Err(message) => return self.error(message),
        };
        for mut run in runs {
            if !self.keep_loaded_run(&run) {
                continue;
            }
            run.id = self.next_run_id();
            self.tick(run.id);
            self.runs.push(run);
        }
        self.settings.view = View::Compare;
    }
}
