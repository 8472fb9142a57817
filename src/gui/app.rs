//! The app: persisted settings beside runtime state, and the one place where commands and
//! job results change that state ([`ModeldeskApp::logic`]).

use eframe::egui;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::catalog_actions::{CatalogSlot, VersionList};
use super::command::{Command, ScoreSource, View};
use super::file_dialog::{FileDialogs, FileRequest};
use super::run_actions::RecordedRunList;
use super::settings::Settings;
use super::views::catalog_view::CatalogViewState;
use super::views::import_dialog::ImportDialog;
use super::views::recorded_runs_panel::RunsDraft;
use super::views::register_dialog::RegisterDraft;
use super::views::score_view::ScoreForm;
use super::views::train_view::TrainForm;
use crate::catalog::Catalog;
use crate::data::{ImportOptions, Profile, Table};
use crate::jobs::{CatalogWork, JobOutcome, Jobs, Repaint, ScoreOutcome, TrainingRun};

/// One imported dataset and how the user is looking at it.
pub struct Dataset {
    /// Names this dataset's widget state (the table's scroll position); unique within one
    /// run of the window and unlike any of an earlier run, so nothing carries over.
    pub id: u64,
    /// Shared with training jobs, which read a snapshot while the user keeps working.
    pub table: Arc<Table>,
    pub profile: Profile,
    pub options: ImportOptions,
    pub import_seconds: f64,
    pub selected_column: usize,
    /// First column shown in the table (wide tables are paged).
    pub first_column: usize,
}

/// Something the user should read: an error, until dismissed, or a note, for a while
/// ([`super::toasts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
    /// Since when it is shown (a pointer resting on it restarts the count).
    pub(super) since: Instant,
}

/// A file named on the command line: imported at once, or shown in the import preview.
#[derive(Debug, Clone, PartialEq)]
pub enum Startup {
    Import(PathBuf),
    Preview(PathBuf),
    /// Score the file with a registered version (`churn@3`, `churn@production`).
    Score(String, PathBuf),
}

/// What the views edit themselves: each view's own form or dialog, and nothing else.
#[derive(Default)]
pub(super) struct Drafts {
    /// Choices in the Train view.
    pub train: TrainForm,
    /// Choices in the Score view.
    pub score: ScoreForm,
    /// What the Catalog view shows and what was typed in it.
    pub catalog: CatalogViewState,
    /// The register dialog, while open.
    pub register: Option<RegisterDraft>,
    /// The import preview, while open.
    pub import: Option<ImportDialog>,
    /// Compare's filters of recorded runs, and a deletion asked for.
    pub runs: RunsDraft,
    /// The file dialog, while open.
    pub files: FileDialogs,
}

/// The Modeldesk window.
pub struct ModeldeskApp {
    pub(super) settings: Settings,
    pub(super) datasets: Vec<Dataset>,
    pub(super) selected: Option<usize>,
    pub(super) jobs: Jobs,
    pub(super) messages: Vec<Message>,
    pub(super) show_settings: bool,
    pub(super) show_help: bool,
    /// A dataset was imported: the window and the dataset take the keyboard focus next frame.
    focus_imported: bool,
    /// This frame's drawing gives the selected dataset the keyboard focus.
    pub(super) focus_dataset: bool,
    /// Models trained this session, oldest first.
    pub(super) runs: Vec<TrainingRun>,
    /// Runs ticked for the Compare view.
    pub(super) ticked_runs: Vec<u64>,
    /// The recipe each run of this session was trained with, by run id.
    pub(super) run_recipes: HashMap<u64, crate::ml::prep::Recipe>,
    /// Which features matter for each run, as computed this session, by run id.
    pub(super) run_explanations: HashMap<u64, crate::jobs::RunExplanations>,
    /// The last file scored, shown in the Score view.
    pub(super) scored: Option<Arc<ScoreOutcome>>,
    /// The model catalog (opened on first use).
    pub(super) catalog: CatalogSlot,
    /// The row of the scored file's results chosen to explain.
    pub(super) explained_row: Option<usize>,
    /// The rows explained (or being explained) for the Score and Compare views.
    pub(super) explanations: super::explanations::Explanations,
    /// The versions the Score view offers, as a job last read them.
    pub(super) score_versions: VersionList,
    /// The recorded runs Compare lists, as a job last read them.
    pub(super) recorded_runs: RecordedRunList,
    /// Catalog work waiting for the running catalog job to finish, in order.
    pub(super) catalog_queue: Vec<CatalogWork>,
    /// Whether a job is finding the version a reference (`churn@production`) names.
    pub(super) resolving_reference: bool,
    /// A file to score once that version is found.
    pub(super) score_after_resolve: Option<PathBuf>,
    pub(super) drafts: Drafts,
    /// The id the next imported dataset gets (see [`Dataset::id`]); starts at random.
    pub(super) next_dataset_id: u64,
    commands: Vec<Command>,
    /// Targets to set once these files are imported (sample datasets).
    pub(super) pending_targets: HashMap<PathBuf, String>,
    /// A file imported to retrain a model on: Train opens once it is in.
    pub(super) retraining: Option<PathBuf>,
    repaint: Option<Repaint>,
    started: bool,
    /// What "Test connection" in Settings last found.
    pub(super) connection_test: super::mlflow_actions::ConnectionTest,
}

impl ModeldeskApp {
    /// A window with these settings, and a file from the command line to open first.
    pub fn new(settings: Settings, file: Option<Startup>) -> Self {
        crate::data::memory::set_budget(settings.memory_budget);
        let mut commands = Vec::new();
        if settings.reopen_datasets {
            for (path, options) in &settings.open_datasets {
                if path.is_file() {
                    commands.push(Command::StartImport {
                        path: path.clone(),
                        options: options.clone(),
                    });
                }
            }
        }
        match file {
            Some(Startup::Import(path)) => commands.push(Command::ImportFiles(vec![path])),
            Some(Startup::Preview(path)) => commands.push(Command::PreviewFile(path)),
            Some(Startup::Score(reference, path)) => {
                commands.push(Command::ScoreReference(reference));
                commands.push(Command::ScoreFile(path));
            }
            None => {}
        }
        ModeldeskApp {
            settings,
            datasets: Vec::new(),
            selected: None,
            jobs: Jobs::default(),
            messages: Vec::new(),
            show_settings: false,
            show_help: false,
            focus_imported: false,
            focus_dataset: false,
            runs: Vec::new(),
            ticked_runs: Vec::new(),
            run_recipes: HashMap::new(),
            run_explanations: HashMap::new(),
            scored: None,
            explained_row: None,
            explanations: Default::default(),
            catalog: CatalogSlot::default(),
            score_versions: VersionList::default(),
            recorded_runs: RecordedRunList::default(),
            catalog_queue: Vec::new(),
            resolving_reference: false,
            score_after_resolve: None,
            drafts: Drafts::default(),
            next_dataset_id: rand::random(),
            commands,
            pending_targets: HashMap::new(),
            retraining: None,
            repaint: None,
            started: false,
            connection_test: Default::default(),
        }
    }

    /// The dataset the user is looking at.
    pub fn current(&self) -> Option<&Dataset> {
        self.selected.and_then(|i| self.datasets.get(i))
    }

    /// The settings, as they will be saved.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The imported datasets, in the order of the Data view's list.
    pub fn datasets(&self) -> &[Dataset] {
        &self.datasets
    }

    /// Models trained (or read back from the catalog) this session, oldest first.
    pub fn runs(&self) -> &[TrainingRun] {
        &self.runs
    }

    /// The jobs still running.
    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// Errors (shown until dismissed) and notes (shown for a while), oldest first.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The open model catalog, if one is open.
    pub fn catalog(&self) -> Option<&Catalog> {
        self.catalog.catalog.as_ref()
    }

    /// The import preview, while it is open.
    pub fn import_dialog(&self) -> Option<&ImportDialog> {
        self.drafts.import.as_ref()
    }

    /// The Train view's own form, for a driver that stands in for the user (benchmarks).
    pub fn train_form_mut(&mut self) -> &mut TrainForm {
        &mut self.drafts.train
    }

    /// The Catalog view's own choices, for a driver that stands in for the user.
    pub fn catalog_view_mut(&mut self) -> &mut CatalogViewState {
        &mut self.drafts.catalog
    }

    /// The row of the scored file chosen in the Score view's results, if one is.
    pub fn explained_row(&self) -> Option<usize> {
        self.explained_row
    }

    /// Queue a command, as a view would.
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// One frame: apply state changes, then draw. Tests call this through egui_kittest.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        self.logic(ui.ctx());
        self.draw(ui);
    }

    /// Apply queued commands, dropped files and finished jobs, read what the current view
    /// needs from the catalog, and start queued catalog work. Draws nothing.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if self.started {
            // egui zooms on Ctrl+plus, Ctrl+minus and Ctrl+0; the settings keep it.
            self.settings.zoom = ctx.zoom_factor();
        } else {
            self.started = true;
            set_theme(ctx, self.settings.dark_mode);
            let zoom = self.settings.zoom;
            ctx.set_zoom_factor(if zoom.is_finite() {
                zoom.clamp(0.2, 5.0)
            } else {
                1.0
            });
        }
        if self.repaint.is_none() {
            let ctx = ctx.clone();
            self.repaint = Some(Arc::new(move || ctx.request_repaint()));
        }
        self.take_input(ctx);
        for command in std::mem::take(&mut self.commands) {
            self.apply(ctx, command);
        }
        for outcome in self.jobs.poll() {
            self.finish(outcome);
        }
        self.expire_notes(ctx);
        self.forget_lost_catalog_work();
        self.read_for_view();
        self.start_catalog_work();
        if !self.jobs.is_idle() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        // After a file dialog or a drop the window may not have the keyboard: take it back,
        // and give it to the imported dataset, so the keys work on what was just opened.
        self.focus_dataset = std::mem::take(&mut self.focus_imported);
        if self.focus_dataset {
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
    }

    /// Note that a dataset was imported, for the focus to go to it.
    pub(super) fn focus_imported(&mut self) {
        self.focus_imported = true;
    }

    /// Turn the open shortcut and dropped files into commands.
    fn take_input(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|i| {
            i.consume_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::O,
            ))
        }) {
            self.commands.push(Command::OpenFileDialog);
        }
        // F1 shows the help, and hides it again; so does Escape while it is shown.
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F1)) {
            self.commands.push(Command::ShowHelp(!self.show_help));
        } else if self.show_help
            && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        {
            self.commands.push(Command::ShowHelp(false));
        }
        // Ctrl+1 … Ctrl+5 show the views in the rail's order.
        let keys = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
        ];
        for (key, view) in keys.into_iter().zip(View::ALL) {
            let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key);
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.commands.push(Command::ShowView(view));
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if dropped.is_empty() {
            return;
        }
        // A file dropped on a version's page in Catalog is scored with that version.
        let page = &self.drafts.catalog;
        if let (View::Catalog, Some(model), Some(version)) = (
            self.settings.view,
            &page.selected_model,
            page.selected_version,
        ) {
            self.drafts.score.source = Some(ScoreSource::Version {
                model: model.clone(),
                version,
            });
            self.settings.view = View::Score;
        }
        let scoring = self.settings.view == View::Score && self.drafts.score.source.is_some();
        match dropped.len() {
            _ if scoring => self
                .commands
                .extend(dropped.into_iter().take(1).map(Command::ScoreFile)),
            1 => self
                .commands
                .extend(dropped.into_iter().map(Command::PreviewFile)),
            _ => self.commands.push(Command::ImportFiles(dropped)),
        }
    }

    pub(super) fn repaint_handle(&self) -> Repaint {
        self.repaint.clone().unwrap_or_else(|| Arc::new(|| {}))
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            text: text.into(),
            is_error: true,
            since: Instant::now(),
        });
    }

    /// Ask for a file with the chosen file dialog; its answer comes back as a command.
    pub(super) fn ask_file(&mut self, request: FileRequest) {
        let folder = self.settings.last_folder.clone();
        let repaint = self.repaint_handle();
        let asked = self.drafts.files.ask(
            request,
            self.settings.file_chooser,
            folder.as_deref(),
            repaint,
        );
        if let Err(message) = asked {
            self.error(message);
        }
    }

    /// The file dialog, while one is open (the in-window chooser's request, for tests).
    pub fn file_dialog(&self) -> &FileDialogs {
        &self.drafts.files
    }

    pub(super) fn note(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            text: text.into(),
            is_error: false,
            since: Instant::now(),
        });
    }

    /// The one door: every command changes state here.
    pub(super) fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::OpenFileDialog => self.open_file_dialog(),
            Command::PreviewFile(path) => self.preview(path),
            Command::ImportFiles(paths) => self.import_files(paths),
            Command::StartImport { path, options } => self.start_import(path, options),
            Command::OpenSample(file) => self.open_sample(file),
            Command::CloseImportDialog => self.drafts.import = None,
            Command::RefreshPreview => {
                if let Some(dialog) = &mut self.drafts.import {
                    dialog.refresh();
                }
            }
            Command::SelectDataset(i) => self.select_dataset(i),
            Command::CloseDataset(i) => self.close_dataset(i),
            Command::SelectColumn(column) => self.select_column(column),
            Command::ShowColumnsFrom(first) => self.show_columns_from(first),
            Command::SetRole { column, role } => self.set_current_role(column, role),
            Command::Train => self.start_training(),
            Command::TickRun { id, ticked } => {
                self.ticked_runs.retain(|&r| r != id);
                if ticked {
                    self.ticked_runs.push(id);
                }
            }
            Command::TickRecordedRun { id, ticked } => self.tick_recorded(id, ticked),
            Command::DeleteRecordedRun(id) => self.delete_recorded(id),
            Command::Catalog(command) => self.apply_catalog(command),
            Command::OpenRegister(run) => self.open_register(run),
            Command::CloseRegister => self.drafts.register = None,
            Command::ScoreWith(source) => self.drafts.score.source = Some(source),
            Command::ScoreReference(reference) => self.score_reference(reference),
            Command::OpenScoreDialog => self.open_score_dialog(),
            Command::ScoreFile(path) => self.start_scoring(path),
            Command::Explain { of, what, file } => self.start_explaining(of, what, file),
            Command::PickExplainRows => self.pick_explain_rows(),
            Command::ExplainRowsFile(file) => self.drafts.catalog.inspect.file = file,
            Command::ExportPredictions => self.ask_export_predictions(),
            Command::SavePredictions(path) => self.export_predictions(path),
            Command::Retrain(retrain) => self.retrain(*retrain),
            Command::AskExportRules { name, rules } => self.ask_export_rules(name, rules),
            Command::SaveRules { rules, path } => self.save_rules(rules, path),
            Command::ExplainScoredRow { row } => {
                self.explained_row = row;
                if let Some(row) = row {
                    self.explain_scored_row(row);
                }
            }
            Command::ExplainRows(command) => self.apply_explain_rows(command),
            Command::RememberFolder(folder) => self.settings.last_folder = Some(folder),
            Command::AskExportOnnx(source) => self.ask_export_onnx(source),
            Command::ExportOnnx(source, path) => self.export_onnx(source, path),
            Command::CancelJobs => self.jobs.cancel_all(),
            Command::DismissMessage(i) if i < self.messages.len() => {
                self.messages.remove(i);
            }
            Command::DismissMessage(_) => {}
            Command::ClearRecentFiles => self.settings.recent_files.clear(),
            Command::ShowView(view) => self.settings.view = view,
            Command::ShowSettings(show) => {
                // The retention period applies once chosen, not at each value passed while
                // dragging it.
                if self.show_settings && !show {
                    self.prune_runs();
                }
                self.show_settings = show;
            }
            Command::ShowHelp(show) => self.show_help = show,
            Command::SetPreferences(preferences) => {
                if preferences.dark_mode != self.settings.dark_mode {
                    set_theme(ctx, preferences.dark_mode);
                }
                self.settings.set_preferences(preferences);
                crate::data::memory::set_budget(self.settings.memory_budget);
            }
            Command::TestMlflowConnection => self.test_mlflow_connection(),
            Command::PushToMlflow { model, version } => self.push_to_mlflow(model, version),
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    /// Take what a finished job produced.
    fn finish(&mut self, outcome: JobOutcome) {
        match outcome {
            JobOutcome::Imported(imported) => {
                let path = imported.table.source.clone();
                self.finish_import(*imported);
                self.retrain_imported(&path);
            }
            JobOutcome::Saved { what, path } => {
                self.note(format!("{what} saved to {}", path.display()))
            }
            JobOutcome::Scored(outcome) => self.finish_scoring(outcome),
            JobOutcome::RowsExplained(outcome) => self.finish_explaining_rows(*outcome),
            JobOutcome::Trained {
                runs,
                unfinished,
                cancelled,
                recipe,
            } => self.finish_training(runs, unfinished, cancelled, recipe),
            JobOutcome::Catalog(replies) => self.finish_catalog(replies),
            JobOutcome::CatalogOpened(opened) => self.finish_open_catalog(opened),
            JobOutcome::Mlflow(outcome) => self.finish_mlflow(outcome),
            JobOutcome::ExplainedVersion(explained) => self.finish_explaining_version(*explained),
            JobOutcome::ExplainedRun(explained) => self.finish_explaining_run(*explained),
            JobOutcome::Failed { job, message } => self.error(format!("{job} failed: {message}")),
            JobOutcome::Cancelled { job } => self.note(format!("{job} cancelled")),
        }
    }

    /// Open the catalog when the view shows it, and have what the Catalog view shows, the
    /// recorded runs Compare lists, or the Score view's versions, read when the catalog or the view's choices changed since
    /// they were.
    fn read_for_view(&mut self) {
        if !matches!(
            self.settings.view,
            View::Catalog | View::Score | View::Compare
        ) {
            return;
        }
        self.ensure_catalog();
        if self.compare_shown() && self.catalog.catalog.is_some() {
            self.read_recorded_runs();
        }
        // The Catalog view asks once the catalog is open (opening it starts its reads
        // afresh); the Score view's list is asked for at once and waits for the opening.
        let open = self.catalog.catalog.is_some() || self.catalog.opening.is_some();
        if self.settings.view == View::Catalog && self.catalog.catalog.is_some() {
            self.drafts.catalog.tracking_uri = self.settings.tracking_uri.clone();
            let reads = self.drafts.catalog.wanted_reads(self.catalog.generation);
            self.catalog_queue.extend(reads);
        }
        if self.settings.view == View::Score && open {
            let generation = self.catalog.generation;
            if self.score_versions.wants_reading(generation) {
                self.score_versions.reading(generation);
                self.catalog_queue.push(CatalogWork::ListVersions);
            }
        }
    }
}

fn set_theme(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
}

impl eframe::App for ModeldeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        ModeldeskApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, super::SETTINGS_KEY, &self.settings);
    }
}
