//! The Catalog view: registered models (search, stage and tag filters), a model's versions
//! (sortable, with stage badges, a metric over versions), one version's page (lineage,
//! parameters, recipe, metrics, curves, history, scoring runs, live traffic) and the actions
//! on them: promote, archive, roll back, delete, describe, tag, compare. A model whose
//! latest live window has a feature at warning or drift is badged in the list.
//!
//! What the catalog holds is read by the [`read_model`] when what it depends on changes (the
//! app counts the catalog's changes), not every frame; the panels, a file each, draw what it
//! read, and every change goes out as a [`CatalogCommand`].

mod history;
mod inspect_section;
mod metric_plot;
mod mlflow_marks;
mod model_list;
mod notes;
mod reads;
mod stage_badge;
mod validation_results;
mod version_page;
mod versions_table;
#[cfg(test)]
mod view_tests;

use eframe::egui;

use super::inspect_panel::InspectDraft;
use crate::catalog::{Catalog, Stage, VersionSort};
use crate::gui::command::{CatalogCommand, Command};
use crate::jobs::catalog_read::{CatalogQuery, ModelList, ModelRead};
use crate::jobs::{CatalogChange, CatalogWork, Jobs};
use metric_plot::metric_over_versions;
use model_list::model_list;
pub use notes::NotesDraft;
use reads::CatalogRead;
use version_page::version_page;
use versions_table::versions_table;

/// What the user chose in the view, and what was last read from the catalog.
#[derive(Default)]
pub struct CatalogViewState {
    pub search: String,
    pub stage_filter: Option<Stage>,
    pub tag_filter: String,
    pub selected_model: Option<String>,
    pub selected_version: Option<i64>,
    pub sort: VersionSort,
    pub descending: bool,
    /// Versions ticked to compare.
    pub ticked: Vec<i64>,
    pub plot_metric: Option<String>,
    /// The class whose curves are drawn, once picked (the positive class until then).
    pub curve_class: Option<usize>,
    // Inputs of the actions.
    pub archive_existing: bool,
    pub comment: String,
    /// The report shows exact column values and full paths.
    pub report_exact: bool,
    pub confirm_delete: bool,
    /// The chosen model's description and tags being edited, and the chosen version's.
    pub model_notes: NotesDraft,
    pub version_notes: NotesDraft,
    /// The choices of the version page's "Which features matter".
    pub inspect: InspectDraft,
    /// The MLflow server of the settings (the app sets it): its sync state is read and
    /// "Push to MLflow" is offered.
    pub tracking_uri: Option<String>,
    /// What was last received from the catalog.
    read: CatalogRead,
}

impl CatalogViewState {
    /// What the view shows now, at the catalog's `generation`.
    fn query(&self, generation: u64) -> CatalogQuery {
        CatalogQuery {
            generation,
            search: self.search.clone(),
            stage: self.stage_filter,
            tag: self.tag_filter.clone(),
            model: self.selected_model.clone(),
            version: self.selected_version,
            sort: self.sort.clone(),
            descending: self.descending,
            tracking_uri: self.tracking_uri.clone(),
        }
    }

    /// The catalog reads the view needs for what it shows now and has not asked for yet;
    /// the app hands them to a catalog job.
    pub fn wanted_reads(&mut self, generation: u64) -> Vec<CatalogWork> {
        let query = self.query(generation);
        self.read.wanted(&query)
    }

    /// Take the model list a catalog job read; a chosen model that is no longer listed is
    /// unchosen.
    pub fn take_list(&mut self, query: CatalogQuery, list: Result<ModelList, String>) {
        if !self.read.take_list(query, list) {
            return;
        }
        let listed = |m: &String| self.read.models.iter().any(|s| &s.name == m);
        if !self.selected_model.as_ref().is_none_or(listed) {
            self.selected_model = None;
            self.selected_version = None;
        }
    }

    /// Take the model page a catalog job read; a chosen version that is gone is unchosen.
    pub fn take_model(&mut self, query: CatalogQuery, read: Result<Box<ModelRead>, String>) {
        let version = query.version;
        if self.read.take_model(query, read)
            && version.is_some()
            && self.read.page.is_none()
            && self.selected_version == version
        {
            self.selected_version = None;
        }
    }

    /// Forget what was received (another catalog was opened).
    pub fn forget_reads(&mut self) {
        self.read.forget();
    }
}

/// Draw the Catalog view.
pub fn show(
    ui: &mut egui::Ui,
    catalog: Option<&Catalog>,
    open_error: Option<&str>,
    jobs: &Jobs,
    state: &mut CatalogViewState,
    commands: &mut Vec<Command>,
) {
    // The path gives way (cut, whole on hover) to the buttons at the right.
    let ((), (open, new)) = egui::Sides::new().shrink_left().truncate().show(
        ui,
        |ui| {
            ui.heading("Catalog");
            if state.read.waiting() {
                ui.spinner().on_hover_text("Reading the catalog…");
            }
            if let Some(catalog) = catalog {
                let path = catalog.path().display().to_string();
                ui.weak(&path).on_hover_text(path);
            }
        },
        |ui| {
            let open = ui.button("Open catalog…").clicked();
            let new = ui.button("New catalog…").clicked();
            (open, new)
        },
    );
    if open {
        commands.push(Command::Catalog(CatalogCommand::PickFile { new: false }));
    }
    if new {
        commands.push(Command::Catalog(CatalogCommand::PickFile { new: true }));
    }
    let Some(catalog) = catalog else {
        match open_error {
            Some(error) => {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            // Opened on first use, by a job.
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Opening the catalog…");
                });
            }
        }
        return;
    };
    if catalog.read_only() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "This catalog is read-only (no write permission): you can browse it, not change it.",
        );
    }
    if let Some(error) = &state.read.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    if !state.read.received() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the catalog…");
        });
        return;
    }
    egui::Panel::left("catalog_models")
        .default_size((ui.available_width() * 0.3).clamp(190.0, 250.0))
        .min_size(190.0)
        .show(ui, |ui| model_list(ui, state));
    let frame = egui::Frame::NONE.inner_margin(egui::Margin {
        left: 8,
        ..egui::Margin::ZERO
    });
    egui::CentralPanel::no_frame().frame(frame).show(ui, |ui| {
        let Some(model) = state.selected_model.clone() else {
            ui.vertical_centered(|ui| {
                ui.add_space(60.0);
                if state.read.models.is_empty()
                    && state.search.is_empty()
                    && state.tag_filter.is_empty()
                    && state.stage_filter.is_none()
                {
                    ui.heading("No registered models yet");
                    ui.label("Train models, then press Register… on a run in Compare.");
                } else {
                    ui.label("Choose a model on the left.");
                }
            });
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("catalog_scroll")
            .content_margin(super::room_for_scroll_bar(ui))
            .auto_shrink(false)
            .show(ui, |ui| {
                model_page(ui, catalog.read_only(), &model, jobs, state, commands)
            });
    });
}

fn model_page(
    ui: &mut egui::Ui,
    read_only: bool,
    model: &str,
    jobs: &Jobs,
    state: &mut CatalogViewState,
    commands: &mut Vec<Command>,
) {
    let summary = state.read.models.iter().find(|m| m.name == model).cloned();
    ui.heading(model);
    if let Some(summary) = &summary {
        notes::notes(
            ui,
            read_only,
            (&summary.name, None),
            (&summary.description, &summary.tags),
            &mut state.model_notes,
            commands,
        );
    }
    ui.horizontal_wrapped(|ui| {
        ui.add_enabled_ui(!read_only, |ui| {
            let label = ui.label("Comment").id;
            ui.add(egui::TextEdit::singleline(&mut state.comment).desired_width(240.0).hint_text("why (kept in the history)"))
                .labelled_by(label);
            if ui
                .button("Roll back")
                .on_hover_text("Make the previous Production version Production again; the current one is archived")
                .clicked()
            {
                commands.push(Command::Catalog(CatalogCommand::Change(CatalogChange::RollBack {
                    model: model.to_string(),
                    comment: std::mem::take(&mut state.comment),
                })));
            }
        });
        let ticked = state.ticked.len();
        if ui
            .add_enabled(ticked > 0, egui::Button::new(format!("Compare ticked ({ticked})")))
            .on_disabled_hover_text("Tick versions in the table first")
            .clicked()
        {
            let versions = state.ticked.iter().map(|&v| (model.to_string(), v)).collect();
            commands.push(Command::Catalog(CatalogCommand::Compare(versions)));
        }
        let reported: Vec<(String, i64)> = if state.ticked.is_empty() {
            state.selected_version.map(|v| (model.to_string(), v)).into_iter().collect()
        } else {
            state.ticked.iter().map(|&v| (model.to_string(), v)).collect()
        };
        if ui
            .add_enabled(!reported.is_empty(), egui::Button::new("Export report…"))
            .on_hover_text("One self-contained HTML file of the ticked versions (or the open one)")
            .on_disabled_hover_text("Tick versions, or open one, first")
            .clicked()
        {
            let policy = crate::report::SharePolicy {
                exact_values: state.report_exact,
                full_paths: state.report_exact,
            };
            commands.push(Command::Catalog(CatalogCommand::ExportReport(reported, policy)));
        }
        // Kept whole: in a narrow window it moves to the next line instead of folding its text.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        ui.checkbox(&mut state.report_exact, "exact values and paths").on_hover_text(
            "Show each training column's exact minimum and maximum, every level and full file \
             paths. Otherwise the report shows the 0.5th to 99.5th percentiles (each a mean of \
             5 values), only levels of at least 5 rows, and file names.",
        );
    });
    egui::CollapsingHeader::new("Metric over versions")
        .default_open(true)
        .show(ui, |ui| metric_over_versions(ui, state));
    egui::CollapsingHeader::new(format!("Versions ({})", state.read.versions.len()))
        .default_open(true)
        .show(ui, |ui| versions_table(ui, state));
    // Taken out while drawn, so the page can read it and change the choices beside it.
    if let Some(page) = state.read.page.take() {
        ui.separator();
        version_page(ui, read_only, &page, jobs, state, commands);
        state.read.page = Some(page);
        ui.separator();
    }
    // Below the page: each change adds a row here, and nothing above the page's buttons
    // may grow when they are pressed.
    egui::CollapsingHeader::new("History")
        .default_open(true)
        .show(ui, |ui| history::history(ui, &state.read.history, None));
}
