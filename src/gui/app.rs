//! The app: persisted settings beside runtime state, the frame layout (menu, rail, status
//! bar, current view) and the one place where commands and job results change state.

use eframe::egui;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::catalog_actions::CatalogSlot;
use super::command::{CatalogCommand, Command, View};
use super::samples::{sample_path, SAMPLES};
use super::settings::Settings;
use super::views::catalog_view::{self, CatalogViewState};
use super::views::register_dialog::{self, RegisterDraft};
use super::views::score_view::{self, ScoreForm};
use super::views::train_view::{self, TrainForm};
use super::views::{compare_view, data_view, import_dialog::ImportDialog, settings_window};
use crate::data::{self, ImportOptions, Profile, Role, Table};
use crate::jobs::{JobOutcome, Jobs, Repaint, ScoreOutcome, TrainRequest, TrainingRun};
use crate::ml::target::infer_task;

/// One imported dataset and how the user is looking at it.
pub struct Dataset {
    /// Shared with training jobs, which read a snapshot while the user keeps working.
    pub table: Arc<Table>,
    pub profile: Profile,
    pub options: ImportOptions,
    pub import_seconds: f64,
    pub selected_column: usize,
    /// First column shown in the table (wide tables are paged).
    pub first_column: usize,
}

/// Something the user should read: an error or a note, until dismissed.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// A file named on the command line: imported at once, or shown in the import preview.
#[derive(Debug, Clone, PartialEq)]
pub enum Startup {
    Import(PathBuf),
    Preview(PathBuf),
    /// Score the file with a registered version (`churn@3`, `churn@production`).
    Score(String, PathBuf),
}

/// The Modeldesk window.
pub struct ModeldeskApp {
    pub settings: Settings,
    pub datasets: Vec<Dataset>,
    pub selected: Option<usize>,
    pub jobs: Jobs,
    pub import_dialog: Option<ImportDialog>,
    pub messages: Vec<Message>,
    pub show_settings: bool,
    /// Choices in the Train view.
    pub train_form: TrainForm,
    /// Models trained this session, oldest first.
    pub runs: Vec<TrainingRun>,
    /// Runs ticked for the Compare view.
    pub ticked_runs: Vec<u64>,
    /// The last file scored, shown in the Score view.
    pub scored: Option<Box<ScoreOutcome>>,
    /// Choices in the Score view.
    pub score_form: ScoreForm,
    /// The model catalog (opened on first use).
    pub catalog: CatalogSlot,
    /// What the Catalog view shows and what was typed in it.
    pub catalog_view: CatalogViewState,
    /// The register dialog, while open.
    pub register_draft: Option<RegisterDraft>,
    commands: Vec<Command>,
    /// Targets to set once these files are imported (sample datasets).
    pending_targets: HashMap<PathBuf, String>,
    repaint: Option<Repaint>,
    started: bool,
}

impl ModeldeskApp {
    /// A window with these settings, and a file from the command line to open first.
    pub fn new(settings: Settings, file: Option<Startup>) -> Self {
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
            import_dialog: None,
            messages: Vec::new(),
            show_settings: false,
            train_form: TrainForm::default(),
            runs: Vec::new(),
            ticked_runs: Vec::new(),
            scored: None,
            score_form: ScoreForm::default(),
            catalog: CatalogSlot::default(),
            catalog_view: CatalogViewState::default(),
            register_draft: None,
            commands,
            pending_targets: HashMap::new(),
            repaint: None,
            started: false,
        }
    }

    /// The dataset the user is looking at.
    pub fn current(&self) -> Option<&Dataset> {
        self.selected.and_then(|i| self.datasets.get(i))
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

    /// Apply queued commands, dropped files and finished jobs. Draws nothing.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if !self.started {
            self.started = true;
            ctx.set_theme(if self.settings.dark_mode {
                egui::Theme::Dark
            } else {
                egui::Theme::Light
            });
        }
        if self.repaint.is_none() {
            let ctx = ctx.clone();
            self.repaint = Some(Arc::new(move || ctx.request_repaint()));
        }
        if ctx.input_mut(|i| {
            i.consume_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::O,
            ))
        }) {
            self.commands.push(Command::OpenFileDialog);
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        // A file dropped on a version's page in Catalog is scored with that version.
        if let (View::Catalog, Some(model), Some(version), false) = (
            self.settings.view,
            &self.catalog_view.selected_model,
            self.catalog_view.selected_version,
            dropped.is_empty(),
        ) {
            self.score_form.source = Some(super::command::ScoreSource::Version {
                model: model.clone(),
                version,
            });
            self.settings.view = View::Score;
        }
        let scoring = self.settings.view == View::Score && self.score_form.source.is_some();
        match dropped.len() {
            0 => {}
            _ if scoring => self
                .commands
                .extend(dropped.into_iter().take(1).map(Command::ScoreFile)),
            1 => self
                .commands
                .extend(dropped.into_iter().map(Command::PreviewFile)),
            _ => self.commands.push(Command::ImportFiles(dropped)),
        }
        for command in std::mem::take(&mut self.commands) {
            self.apply(ctx, command);
        }
        for outcome in self.jobs.poll() {
            self.finish(outcome);
        }
        if !self.jobs.is_idle() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    pub(super) fn repaint_handle(&self) -> Repaint {
        self.repaint()
    }

    fn repaint(&self) -> Repaint {
        self.repaint.clone().unwrap_or_else(|| Arc::new(|| {}))
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            text: text.into(),
            is_error: true,
        });
    }

    pub(super) fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::OpenFileDialog => {
                let asked = std::time::Instant::now();
                let picked = rfd::FileDialog::new()
                    .set_title("Open CSV")
                    .add_filter("CSV and text", &["csv", "tsv", "txt", "tab", "dat"])
                    .add_filter("All files", &["*"])
                    .pick_files();
                match picked.as_deref() {
                    // No person cancels a dialog this fast: none could be shown.
                    None if asked.elapsed() < std::time::Duration::from_millis(150) => self.error(
                        "no file dialog is available on this desktop (it needs xdg-desktop-portal or zenity); \
                         drag files onto the window instead",
                    ),
                    None | Some([]) => {}
                    Some([one]) => self.apply(ctx, Command::PreviewFile(one.clone())),
                    Some(many) => self.apply(ctx, Command::ImportFiles(many.to_vec())),
                }
            }
            Command::PreviewFile(path) => {
                self.import_dialog =
                    Some(ImportDialog::open(path, self.settings.import_defaults()));
            }
            Command::ImportFiles(paths) => {
                for path in paths {
                    let options = self.settings.import_defaults();
                    self.apply(ctx, Command::StartImport { path, options });
                }
            }
            Command::StartImport { path, options } => {
                self.import_dialog = None;
                self.settings.remember(&path);
                if let Err(message) = self.jobs.start_import(path, options, self.repaint()) {
                    self.error(message);
                }
            }
            Command::OpenSample(file) => {
                let Some(sample) = SAMPLES.iter().find(|s| s.file == file) else {
                    return;
                };
                match sample_path(sample) {
                    Ok(path) => {
                        self.pending_targets
                            .insert(path.clone(), sample.target.to_string());
                        let options = self.settings.import_defaults();
                        if let Err(message) = self.jobs.start_import(path, options, self.repaint())
                        {
                            self.error(message);
                        }
                    }
                    Err(e) => self.error(format!("could not prepare the sample {file}: {e}")),
                }
            }
            Command::CloseImportDialog => self.import_dialog = None,
            Command::SelectDataset(i) if i < self.datasets.len() => self.selected = Some(i),
            Command::SelectDataset(_) => {}
            Command::CloseDataset(i) if i < self.datasets.len() => {
                self.datasets.remove(i);
                self.selected = match self.datasets.len() {
                    0 => None,
                    n => Some(self.selected.unwrap_or(0).min(n - 1)),
                };
                self.remember_open_datasets();
            }
            Command::CloseDataset(_) => {}
            Command::SelectColumn(column) => {
                if let Some(dataset) = self.selected.and_then(|i| self.datasets.get_mut(i)) {
                    dataset.selected_column =
                        column.min(dataset.table.columns.len().saturating_sub(1));
                }
            }
            Command::ShowColumnsFrom(first) => {
                if let Some(dataset) = self.selected.and_then(|i| self.datasets.get_mut(i)) {
                    dataset.first_column = first.min(dataset.table.columns.len().saturating_sub(1));
                }
            }
            Command::SetRole { column, role } => {
                if let Some(dataset) = self.selected.and_then(|i| self.datasets.get_mut(i)) {
                    set_role(dataset, column, role);
                }
                self.remember_open_datasets();
            }
            Command::Train => self.start_training(),
            Command::Catalog(command) => self.apply_catalog(command),
            Command::OpenRegister(run) => {
                self.ensure_catalog();
                let existing = self
                    .catalog
                    .catalog
                    .as_ref()
                    .and_then(|c| c.models(&Default::default()).ok())
                    .map(|models| models.into_iter().map(|m| m.name).collect())
                    .unwrap_or_default();
                if let Some(found) = self.runs.iter().find(|r| r.id == run) {
                    self.register_draft = Some(RegisterDraft {
                        run,
                        title: found.title(),
                        model: String::new(),
                        description: String::new(),
                        existing,
                    });
                }
            }
            Command::CloseRegister => self.register_draft = None,
            Command::ScoreWith(source) => self.score_form.source = Some(source),
            Command::ScoreReference(reference) => {
                self.ensure_catalog();
                let found = match &self.catalog.catalog {
                    Some(catalog) => catalog.resolve(&reference).map_err(|e| e.to_string()),
                    None => Err(self.catalog.error.clone().unwrap_or_default()),
                };
                match found {
                    Ok(v) => {
                        self.score_form.source = Some(super::command::ScoreSource::Version {
                            model: v.model,
                            version: v.version,
                        });
                        self.settings.view = View::Score;
                    }
                    Err(e) => self.error(e),
                }
            }
            Command::OpenScoreDialog => {
                let picked = rfd::FileDialog::new()
                    .set_title("Score a CSV file")
                    .add_filter("CSV and text", &["csv", "tsv", "txt"])
                    .pick_file();
                if let Some(path) = picked {
                    self.apply(ctx, Command::ScoreFile(path));
                }
            }
            Command::ScoreFile(path) => self.start_scoring(path),
            Command::ExportPredictions => self.export_predictions(),
            Command::AskExportOnnx(source) => self.ask_export_onnx(ctx, source),
            Command::ExportOnnx(source, path) => self.export_onnx(source, path),
            Command::TickRun { id, ticked } => {
                self.ticked_runs.retain(|&r| r != id);
                if ticked {
                    self.ticked_runs.push(id);
                }
            }
            Command::CancelJobs => self.jobs.cancel_all(),
            Command::DismissMessage(i) if i < self.messages.len() => {
                self.messages.remove(i);
            }
            Command::DismissMessage(_) => {}
            Command::ClearRecentFiles => self.settings.recent_files.clear(),
            Command::ShowView(view) => self.settings.view = view,
            Command::ShowSettings(show) => self.show_settings = show,
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    fn finish(&mut self, outcome: JobOutcome) {
        match outcome {
            JobOutcome::Imported(imported) => {
                let imported = *imported;
                let path = imported.table.source.clone();
                let mut dataset = Dataset {
                    table: Arc::new(imported.table),
                    profile: imported.profile,
                    options: imported.options,
                    import_seconds: imported.seconds,
                    selected_column: 0,
                    first_column: 0,
                };
                if let Some(target) = self.pending_targets.remove(&path) {
                    if let Some(index) = dataset.table.columns.iter().position(|c| c.name == target)
                    {
                        set_role(&mut dataset, index, Role::Target);
                        dataset.selected_column = index;
                    }
                }
                // Importing a file again replaces the old copy.
                if let Some(i) = self.datasets.iter().position(|d| d.table.source == path) {
                    self.datasets[i] = dataset;
                    self.selected = Some(i);
                } else {
                    self.datasets.push(dataset);
                    self.selected = Some(self.datasets.len() - 1);
                }
                self.settings.view = View::Data;
                self.remember_open_datasets();
            }
            JobOutcome::Saved { what, path } => self.messages.push(Message {
                text: format!("{what} saved to {}", path.display()),
                is_error: false,
            }),
            JobOutcome::Scored(outcome) => {
                self.record_scoring(&outcome);
                self.scored = Some(outcome);
                self.settings.view = View::Score;
            }
            JobOutcome::Trained(runs) => {
                for run in runs {
                    for warning in &run.evaluation.warnings {
                        self.messages.push(Message {
                            text: format!("{}: {warning}", run.title()),
                            is_error: false,
                        });
                    }
                    self.ticked_runs.push(run.id);
                    self.runs.push(run);
                }
            }
            JobOutcome::Failed { job, message } => self.error(format!("{job} failed: {message}")),
            JobOutcome::Cancelled { job } => self.messages.push(Message {
                text: format!("{job} cancelled"),
                is_error: false,
            }),
        }
    }

    /// Start training on the current dataset with the Train view's choices.
    fn start_training(&mut self) {
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
        let column = &dataset.table.columns[dataset.table.target_index().unwrap_or(0)];
        let task = self.train_form.task.unwrap_or_else(|| infer_task(column));
        let request = TrainRequest {
            table: Arc::clone(&dataset.table),
            target,
            task: Some(task),
            recipe: self.train_form.recipe(&dataset.table),
            specs: self.train_form.specs(task),
            validation: self.train_form.validation(),
            first_id: self.runs.iter().map(|r| r.id).max().unwrap_or(0) + 1,
        };
        if request.specs.is_empty() {
            self.error("tick at least one algorithm to train");
            return;
        }
        if let Err(message) = self.jobs.start_training(request, self.repaint()) {
            self.error(message);
        }
    }

    /// Record which datasets are open (with their roles) so the next start can reopen them.
    fn remember_open_datasets(&mut self) {
        self.settings.open_datasets = self
            .datasets
            .iter()
            .map(|d| {
                let mut options = d.options.clone();
                options.column_roles = d.table.columns.iter().map(|c| Some(c.role)).collect();
                (d.table.source.clone(), options)
            })
            .collect();
    }

    /// Draw the whole window.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let mut commands = Vec::new();
        egui::Panel::top("menu_bar").show(ui, |ui| self.menu_bar(ui, &mut commands));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar(ui, &mut commands));
        egui::Panel::left("navigation_rail")
            .resizable(false)
            .exact_size(92.0)
            .show(ui, |ui| self.navigation_rail(ui, &mut commands));
        egui::CentralPanel::default_margins().show(ui, |ui| {
            self.message_banners(ui, &mut commands);
            match self.settings.view {
                View::Data => data_view::show(ui, self, &mut commands),
                View::Compare => {
                    compare_view::show(ui, &self.runs, &self.ticked_runs, &mut commands)
                }
                View::Train => {
                    let mut form = std::mem::take(&mut self.train_form);
                    train_view::show(ui, self, &mut form, &mut commands);
                    self.train_form = form;
                }
                View::Catalog => {
                    self.ensure_catalog();
                    let mut state = std::mem::take(&mut self.catalog_view);
                    catalog_view::show(
                        ui,
                        self.catalog.catalog.as_ref(),
                        self.catalog.error.as_deref(),
                        self.catalog.generation,
                        &mut state,
                        &mut commands,
                    );
                    self.catalog_view = state;
                }
                View::Score => {
                    self.ensure_catalog();
                    let mut form = std::mem::take(&mut self.score_form);
                    score_view::show(
                        ui,
                        &self.runs,
                        self.catalog.catalog.as_ref(),
                        self.scored.as_deref(),
                        &mut form,
                        &mut commands,
                    );
                    self.score_form = form;
                }
            }
        });
        if let Some(dialog) = &mut self.import_dialog {
            dialog.show(ui.ctx(), &mut commands);
        }
        if self.show_settings {
            settings_window::show(ui.ctx(), &mut self.settings, &mut commands);
        }
        if let Some(draft) = &mut self.register_draft {
            register_dialog::show(ui.ctx(), draft, &mut commands);
        }
        let scoring_with = match (self.settings.view, &self.catalog_view) {
            (View::Catalog, state) => state
                .selected_model
                .as_ref()
                .zip(state.selected_version)
                .map(|(m, v)| format!("{m} v{v}")),
            (View::Score, _) => self
                .score_form
                .source
                .as_ref()
                .map(|s| score_view::source_title(s, &self.runs)),
            _ => None,
        };
        drop_overlay(ui.ctx(), scoring_with.as_deref());
        self.commands.extend(commands);
    }

    fn menu_bar(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                let open = egui::Button::new("Open CSV…").shortcut_text(ui.ctx().format_shortcut(
                    &egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O),
                ));
                if ui.add(open).clicked() {
                    commands.push(Command::OpenFileDialog);
                }
                ui.menu_button("Open sample dataset", |ui| {
                    for sample in &SAMPLES {
                        if ui.button(sample.title).clicked() {
                            commands.push(Command::OpenSample(sample.file));
                        }
                    }
                });
                ui.add_enabled_ui(!self.settings.recent_files.is_empty(), |ui| {
                    ui.menu_button("Recent files", |ui| {
                        for path in &self.settings.recent_files {
                            let exists = path.is_file();
                            let button = ui
                                .add_enabled(exists, egui::Button::new(path.display().to_string()))
                                .on_disabled_hover_text("This file no longer exists");
                            if button.clicked() {
                                commands.push(Command::PreviewFile(path.clone()));
                            }
                        }
                        ui.separator();
                        if ui.button("Clear recent files").clicked() {
                            commands.push(Command::ClearRecentFiles);
                        }
                    });
                })
                .response
                .on_disabled_hover_text("No files opened yet");
                ui.separator();
                if ui.button("New catalog…").clicked() {
                    commands.push(Command::Catalog(CatalogCommand::PickFile { new: true }));
                }
                if ui.button("Open catalog…").clicked() {
                    commands.push(Command::Catalog(CatalogCommand::PickFile { new: false }));
                }
                ui.separator();
                if ui.button("Settings…").clicked() {
                    commands.push(Command::ShowSettings(true));
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    commands.push(Command::Quit);
                }
            });
        });
    }

    fn navigation_rail(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.add_space(8.0);
        for view in View::ALL {
            let selected = self.settings.view == view;
            let button =
                egui::Button::selectable(selected, view.label()).min_size(egui::vec2(76.0, 36.0));
            if ui.add(button).clicked() {
                commands.push(Command::ShowView(view));
            }
            ui.add_space(4.0);
        }
    }

    fn status_bar(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            if self.jobs.is_idle() {
                match self.current() {
                    Some(d) => ui.label(format!(
                        "{}: {} rows × {} columns",
                        d.table.name,
                        super::views::data_view::format_count(d.table.rows() as u64),
                        d.table.columns.len()
                    )),
                    None => ui.label("Ready: open or drop a CSV file"),
                };
                if let Some(path) = self.catalog_path() {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let read_only =
                            self.catalog.catalog.as_ref().is_some_and(|c| c.read_only());
                        let text = format!(
                            "Catalog: {}{}",
                            path.display(),
                            if read_only { " (read-only)" } else { "" }
                        );
                        ui.weak(text);
                    });
                }
            } else {
                for job in self.jobs.running() {
                    let fraction = job.progress.fraction();
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_width(220.0)
                            .text(format!("{} {:.0}%", job.title, fraction * 100.0)),
                    );
                    let stage = job.progress.stage();
                    if !stage.is_empty() {
                        ui.weak(stage);
                    }
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CancelJobs);
                }
            }
        });
    }

    fn message_banners(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        for (i, message) in self.messages.iter().enumerate() {
            let color = if message.is_error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().warn_fg_color
            };
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.0, color))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.colored_label(color, &message.text);
                        if ui.small_button("Dismiss").clicked() {
                            commands.push(Command::DismissMessage(i));
                        }
                    });
                });
        }
    }
}

/// Give a column a role and keep the profile (roles, class balance) in step.
fn set_role(dataset: &mut Dataset, column: usize, role: Role) {
    Arc::make_mut(&mut dataset.table).set_role(column, role);
    for (profile, column) in dataset
        .profile
        .columns
        .iter_mut()
        .zip(&dataset.table.columns)
    {
        profile.role = column.role;
    }
    dataset.profile.class_balance = dataset
        .table
        .target_index()
        .map(|i| data::level_counts(&dataset.table.columns[i]));
}

/// While files hover over the window, say what dropping them will do.
fn drop_overlay(ctx: &egui::Context, scoring_with: Option<&str>) {
    let hovered = ctx.input(|i| i.raw.hovered_files.len());
    if hovered == 0 {
        return;
    }
    let text = if let Some(model) = scoring_with {
        format!("Drop to score this file with {model}")
    } else if hovered == 1 {
        "Drop to preview and import this file".to_string()
    } else {
        format!("Drop to import these {hovered} files")
    };
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop_overlay"),
    ));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(180));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(28.0),
        egui::Color32::WHITE,
    );
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
