//! The window's layout: menu bar, navigation rail, status bar, message toasts, the
//! current view, open dialogs and the drop overlay. Drawing reads the app and the views'
//! own drafts; everything else the user asks for goes out as a [`Command`].

use eframe::egui;

use super::app::{Drafts, ModeldeskApp};
use super::command::{CatalogCommand, Command, View};
use super::samples::SAMPLES;
use super::views::compare_inspect::RunsInspection;
use super::views::{
    catalog_view, compare_view, data_view, help_window, register_dialog, score_view,
    settings_window, train_view,
};

impl ModeldeskApp {
    /// Draw the whole window.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let mut drafts = std::mem::take(&mut self.drafts);
        let mut commands = Vec::new();
        self.draw_with(ui, &mut drafts, &mut commands);
        self.drafts = drafts;
        for command in commands {
            self.send(command);
        }
    }

    /// Draw with the app read-only: views edit only their own drafts.
    fn draw_with(&self, ui: &mut egui::Ui, drafts: &mut Drafts, commands: &mut Vec<Command>) {
        egui::Panel::top("menu_bar").show(ui, |ui| self.menu_bar(ui, commands));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar(ui, commands));
        egui::Panel::left("navigation_rail")
            .resizable(false)
            .exact_size(92.0)
            .show(ui, |ui| self.navigation_rail(ui, commands));
        let central = egui::CentralPanel::default_margins().show(ui, |ui| {
            self.current_view(ui, drafts, commands);
        });
        self.toasts(ui.ctx(), central.response.rect, commands);
        if let Some(dialog) = &mut drafts.import {
            dialog.show(ui.ctx(), commands);
        }
        if self.show_settings {
            settings_window::show(ui.ctx(), &self.settings, &self.connection_test, commands);
        }
        if self.show_help {
            help_window::show(ui.ctx(), commands);
        }
        if let Some(draft) = &mut drafts.register {
            register_dialog::show(ui.ctx(), draft, commands);
        }
        if let Some((answer, folder)) = drafts.files.show(ui.ctx()) {
            commands.extend(folder.map(Command::RememberFolder));
            commands.push(answer);
            ui.ctx().request_repaint();
        }
        let scoring_with = match self.settings.view {
            View::Catalog => drafts
                .catalog
                .selected_model
                .as_ref()
                .zip(drafts.catalog.selected_version)
                .map(|(m, v)| format!("{m} v{v}")),
            View::Score => drafts
                .score
                .source
                .as_ref()
                .map(|s| score_view::source_title(s, &self.runs)),
            _ => None,
        };
        drop_overlay(ui.ctx(), scoring_with.as_deref());
    }

    fn current_view(&self, ui: &mut egui::Ui, drafts: &mut Drafts, commands: &mut Vec<Command>) {
        match self.settings.view {
            View::Data => data_view::show(ui, self, commands),
            View::Compare => {
                let inspection = RunsInspection {
                    explanations: &self.run_explanations,
                    jobs: &self.jobs,
                    rows_explained: &self.explanations,
                };
                compare_view::show(
                    ui,
                    &self.runs,
                    &self.ticked_runs,
                    self.recorded_runs.view(),
                    &mut drafts.runs,
                    &inspection,
                    commands,
                )
            }
            View::Train => train_view::show(ui, self, &mut drafts.train, commands),
            View::Catalog => catalog_view::show(
                ui,
                self.catalog.catalog.as_ref(),
                self.catalog.error.as_deref(),
                &self.jobs,
                &mut drafts.catalog,
                commands,
            ),
            View::Score => score_view::show(
                ui,
                &self.runs,
                self.score_versions.choices(),
                self.scored.as_deref(),
                self.explained_row,
                &self.explanations,
                &mut drafts.score,
                commands,
            ),
        }
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
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let help = ui
                    .add(egui::Button::selectable(self.show_help, "? Help"))
                    .on_hover_text("Shortcuts and what each view is for (F1)");
                if help.clicked() {
                    commands.push(Command::ShowHelp(!self.show_help));
                }
            });
        });
    }

    fn navigation_rail(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.add_space(8.0);
        for (i, view) in View::ALL.into_iter().enumerate() {
            let selected = self.settings.view == view;
            let button =
                egui::Button::selectable(selected, view.label()).min_size(egui::vec2(76.0, 36.0));
            let shortcut = format!("Ctrl+{}", i + 1);
            if ui.add(button).on_hover_text(shortcut).clicked() {
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
                    // Tenths while under 10 %, so a long job's start shows as movement.
                    let decimals = usize::from(fraction < 0.1);
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_width(220.0)
                            .text(format!("{} {:.*}%", job.title, decimals, fraction * 100.0)),
                    );
                    ui.weak(job.timing());
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
