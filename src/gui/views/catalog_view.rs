//! The Catalog view: registered models (search, stage and tag filters), a model's versions
//! (sortable, with stage badges, a metric over versions), one version's page (lineage,
//! parameters, recipe, metrics, curves, history, scoring runs, live traffic) and the actions
//! on them: promote, archive, roll back, delete, describe, tag, compare. A model whose
//! latest live window has a feature at warning or drift is badged in the list.
//!
//! What the catalog holds is read into a cache when it changes (the app counts changes), not
//! every frame; every change goes out as a [`CatalogCommand`].

use eframe::egui::{self, Color32, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};
use std::collections::BTreeMap;

use super::live_panel::{self, LiveData};
use crate::catalog::record::StoredCurves;
use crate::catalog::{
    Catalog, HistoryEntry, HistoryEvent, LiveAlert, ModelFilter, ModelSummary, Page, ScoringRun,
    Stage, VersionDetail, VersionQuery, VersionSort, VersionSummary,
};
use crate::gui::command::{CatalogCommand, Command, ScoreSource, View};

/// Versions of one model read at once; a model with more shows the first ones in the order
/// chosen (the table itself is virtualised).
const VERSION_PAGE: u64 = 5_000;
/// Metrics shown as columns of the versions table, the first present ones of these.
const HEADLINE: [&str; 6] = ["accuracy", "roc_auc", "f1_macro", "r2", "rmse", "mae"];

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
    pub curve_class: usize,
    // Inputs of the actions.
    pub archive_existing: bool,
    pub comment: String,
    pub confirm_delete: bool,
    /// The chosen model's description and tags being edited, and the chosen version's.
    pub model_notes: NotesDraft,
    pub version_notes: NotesDraft,
    // The cache.
    read: Option<ReadKey>,
    list_read: Option<ReadKey>,
    models: Vec<ModelSummary>,
    /// Features at warning or drift in each model's latest live window, by model.
    alerts: BTreeMap<String, Vec<LiveAlert>>,
    versions: Vec<VersionSummary>,
    page: Option<VersionPage>,
    history: Vec<HistoryEntry>,
    /// The version's scoring runs, a line each.
    scoring: Vec<String>,
    error: Option<String>,
}

/// One version as its page shows it: the stored JSON parsed once, when read.
struct VersionPage {
    detail: VersionDetail,
    /// The spec, pretty-printed.
    spec: String,
    /// Each fitted column's step in a line.
    recipe: String,
    metrics: serde_json::Value,
    curves: StoredCurves,
    /// What scoring servers saw of the version, when they recorded any window.
    live: Option<LiveData>,
}

impl VersionPage {
    fn read(detail: VersionDetail) -> Self {
        let parse = |json: &str| serde_json::from_str(json).unwrap_or_default();
        VersionPage {
            spec: pretty(&detail.spec_json),
            recipe: recipe_lines(&detail.recipe_json),
            metrics: parse(&detail.metrics_json),
            curves: StoredCurves::read(&detail.curves_json),
            live: None,
            detail,
        }
    }
}

/// What the cache was read for.
#[derive(Clone, PartialEq)]
struct ReadKey {
    generation: u64,
    search: String,
    stage: Option<Stage>,
    tag: String,
    model: Option<String>,
    version: Option<i64>,
    sort: VersionSort,
    descending: bool,
}

impl CatalogViewState {
    fn key(&self, generation: u64) -> ReadKey {
        ReadKey {
            generation,
            search: self.search.clone(),
            stage: self.stage_filter,
            tag: self.tag_filter.clone(),
            model: self.selected_model.clone(),
            version: self.selected_version,
            sort: self.sort.clone(),
            descending: self.descending,
        }
    }

    /// Read what the view shows, if anything it depends on changed.
    fn refresh(&mut self, catalog: &Catalog, generation: u64) {
        let key = self.key(generation);
        if self.read.as_ref() == Some(&key) {
            return;
        }
        self.read = Some(key);
        self.error = None;
        if let Err(e) = self.read_all(catalog) {
            self.error = Some(e.to_string());
            self.list_read = None;
        }
    }

    fn read_all(&mut self, catalog: &Catalog) -> Result<(), crate::catalog::CatalogError> {
        // Choosing a model or a version leaves the model list as it was.
        let list_key = self.read.as_ref().map(|k| ReadKey {
            model: None,
            version: None,
            sort: VersionSort::Version,
            descending: false,
            ..k.clone()
        });
        if list_key != self.list_read {
            self.read_models(catalog)?;
            self.list_read = list_key;
        }
        self.read_model(catalog)
    }

    fn read_models(&mut self, catalog: &Catalog) -> Result<(), crate::catalog::CatalogError> {
        let tag = self.tag_filter.trim();
        let filter = ModelFilter {
            search: Some(self.search.trim().to_string()).filter(|s| !s.is_empty()),
            stage: self.stage_filter,
            tag: (!tag.is_empty()).then(|| match tag.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
                None => (tag.to_string(), None),
            }),
        };
        self.models = catalog.models(&filter)?;
        self.alerts = catalog.live_alerts()?;
        Ok(())
    }

    fn read_model(&mut self, catalog: &Catalog) -> Result<(), crate::catalog::CatalogError> {
        self.versions.clear();
        self.page = None;
        self.history.clear();
        self.scoring.clear();
        let Some(model) = self.selected_model.clone() else {
            return Ok(());
        };
        if !self.models.iter().any(|m| m.name == model) {
            self.selected_model = None;
            self.selected_version = None;
            return Ok(());
        }
        self.versions = catalog.versions(&VersionQuery {
            model: Some(model.clone()),
            stage: None,
            sort: self.sort.clone(),
            descending: self.descending,
            page: Page {
                offset: 0,
                limit: VERSION_PAGE,
            },
        })?;
        self.history = catalog.history(&model)?;
        if let Some(version) = self.selected_version {
            if self.versions.iter().any(|v| v.version == version) {
                let mut page = VersionPage::read(catalog.version(&model, version)?);
                let windows = catalog.live_windows(&model, Some(version), None)?;
                page.live = LiveData::read(&windows, &page.metrics);
                self.page = Some(page);
                self.scoring = catalog
                    .scoring_runs(&model, version)?
                    .iter()
                    .map(scoring_line)
                    .collect();
            } else {
                self.selected_version = None;
            }
        }
        Ok(())
    }
}

/// The colour of a stage's badge.
pub fn stage_color(stage: Stage) -> Color32 {
    match stage {
        Stage::Production => Color32::from_rgb(0x00, 0x9E, 0x73),
        Stage::Staging => Color32::from_rgb(0xE6, 0x9F, 0x00),
        Stage::Archived => Color32::from_gray(120),
        Stage::None => Color32::from_rgb(0x56, 0xB4, 0xE9),
    }
}

/// A stage as a coloured badge.
pub fn stage_badge(ui: &mut egui::Ui, stage: Stage) -> egui::Response {
    let color = stage_color(stage);
    egui::Frame::new()
        .fill(color.gamma_multiply(0.25))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            ui.label(RichText::new(stage.title()).color(color).small())
        })
        .inner
}

/// Draw the Catalog view.
pub fn show(
    ui: &mut egui::Ui,
    catalog: Option<&Catalog>,
    open_error: Option<&str>,
    generation: u64,
    state: &mut CatalogViewState,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading("Catalog");
        if let Some(catalog) = catalog {
            ui.weak(catalog.path().display().to_string());
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Open catalog…").clicked() {
                commands.push(Command::Catalog(CatalogCommand::PickFile { new: false }));
            }
            if ui.button("New catalog…").clicked() {
                commands.push(Command::Catalog(CatalogCommand::PickFile { new: true }));
            }
        });
    });
    let Some(catalog) = catalog else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            open_error.unwrap_or("No catalog is open."),
        );
        return;
    };
    if catalog.read_only() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "This catalog is read-only (no write permission): you can browse it, not change it.",
        );
    }
    state.refresh(catalog, generation);
    if let Some(error) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    egui::Panel::left("catalog_models")
        .default_size(250.0)
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
                if state.models.is_empty()
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
            .auto_shrink(false)
            .show(ui, |ui| {
                model_page(ui, catalog.read_only(), &model, state, commands)
            });
    });
}

fn model_list(ui: &mut egui::Ui, state: &mut CatalogViewState) {
    ui.add(
        egui::TextEdit::singleline(&mut state.search)
            .hint_text("Search names and descriptions")
            .desired_width(f32::INFINITY),
    );
    ui.horizontal(|ui| {
        let label = ui.label("Stage").id;
        egui::ComboBox::from_id_salt("catalog_stage_filter")
            .selected_text(state.stage_filter.map_or("any", Stage::title))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.stage_filter, None, "any");
                for stage in Stage::ALL {
                    ui.selectable_value(&mut state.stage_filter, Some(stage), stage.title());
                }
            })
            .response
            .labelled_by(label);
    });
    ui.add(
        egui::TextEdit::singleline(&mut state.tag_filter)
            .hint_text("Tag: key or key=value")
            .desired_width(f32::INFINITY),
    );
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("catalog_model_list")
        .show(ui, |ui| {
            if state.models.is_empty() {
                ui.weak("No model matches.");
            }
            for m in &state.models {
                let selected = state.selected_model.as_deref() == Some(m.name.as_str());
                if ui
                    .selectable_label(selected, RichText::new(&m.name).strong())
                    .clicked()
                    && !selected
                {
                    state.selected_model = Some(m.name.clone());
                    state.selected_version = None;
                    state.ticked.clear();
                }
                let mut line = format!(
                    "{} version{}",
                    m.versions,
                    if m.versions == 1 { "" } else { "s" }
                );
                if let Some(p) = m.production_version {
                    line.push_str(&format!(" · Production v{p}"));
                }
                ui.weak(line);
                if let Some(alerts) = state.alerts.get(&m.name) {
                    drift_badge(ui, alerts);
                }
                ui.add_space(2.0);
            }
        });
}

/// "live drift: age · live warning: plan" in a badge the colour of the worst, on a model in
/// the list.
fn drift_badge(ui: &mut egui::Ui, alerts: &[LiveAlert]) {
    let named = |status: &str| -> Option<String> {
        let columns: Vec<&str> = alerts
            .iter()
            .filter(|a| a.status == status)
            .map(|a| a.column.as_str())
            .collect();
        (!columns.is_empty()).then(|| format!("live {status}: {}", columns.join(", ")))
    };
    let drifted = named("drift");
    let color = if drifted.is_some() {
        ui.visuals().error_fg_color
    } else {
        ui.visuals().warn_fg_color
    };
    let text: Vec<String> = [drifted, named("warning")].into_iter().flatten().collect();
    let version = alerts.first().map_or(0, |a| a.version);
    // Wrapped within what can be seen of the list, however wide its content became.
    let width = (ui.clip_rect().right() - ui.cursor().left() - 12.0)
        .min(ui.available_width())
        .max(80.0);
    egui::Frame::new()
        .fill(color.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(4, 1))
        .show(ui, |ui| {
            ui.set_max_width(width);
            ui.add(
                egui::Label::new(
                    RichText::new(text.join(" · "))
                        .color(color)
                        .small(),
                )
                .wrap(),
            )
        })
        .inner
        .on_hover_text(format!(
            "In the latest live window of v{version}, these features' PSI crossed the warning (0.1) or drift (0.2) threshold"
        ));
}

fn model_page(
    ui: &mut egui::Ui,
    read_only: bool,
    model: &str,
    state: &mut CatalogViewState,
    commands: &mut Vec<Command>,
) {
    let summary = state.models.iter().find(|m| m.name == model).cloned();
    ui.heading(model);
    if let Some(summary) = &summary {
        notes(
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
                commands.push(Command::Catalog(CatalogCommand::RollBack {
                    model: model.to_string(),
                    comment: std::mem::take(&mut state.comment),
                }));
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
            commands.push(Command::Catalog(CatalogCommand::ExportReport(reported)));
        }
    });
    egui::CollapsingHeader::new("Metric over versions")
        .default_open(true)
        .show(ui, |ui| metric_over_versions(ui, state));
    egui::CollapsingHeader::new(format!("Versions ({})", state.versions.len()))
        .default_open(true)
        .show(ui, |ui| versions_table(ui, state));
    egui::CollapsingHeader::new("History")
        .default_open(true)
        .show(ui, |ui| history(ui, &state.history, None));
    // Taken out while drawn, so the page can read it and change the choices beside it.
    if let Some(page) = state.page.take() {
        ui.separator();
        version_page(ui, read_only, &page, state, commands);
        state.page = Some(page);
    }
}

/// A description and tags being edited: of a model, or of one of its versions.
#[derive(Default)]
pub struct NotesDraft {
    /// Whose notes these are: a draft is dropped when another model or version is shown.
    owner: Option<(String, Option<i64>)>,
    /// The description's text while it is edited.
    pub description: Option<String>,
    pub tag_key: String,
    pub tag_value: String,
}

/// The description and tags of a model (`version` `None`) or of one version, with an editor
/// for them unless the catalog is read-only.
fn notes(
    ui: &mut egui::Ui,
    read_only: bool,
    (model, version): (&str, Option<i64>),
    (description, tags): (&str, &BTreeMap<String, String>),
    draft: &mut NotesDraft,
    commands: &mut Vec<Command>,
) {
    let owner = Some((model.to_string(), version));
    if draft.owner != owner {
        *draft = NotesDraft {
            owner,
            ..NotesDraft::default()
        };
    }
    let send = |command: CatalogCommand, commands: &mut Vec<Command>| {
        commands.push(Command::Catalog(command));
    };
    match &mut draft.description {
        Some(text) => {
            ui.add(
                egui::TextEdit::multiline(text)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY),
            );
            let mut close = false;
            ui.horizontal(|ui| {
                if ui.button("Save description").clicked() {
                    let text = text.clone();
                    send(
                        CatalogCommand::SetDescription {
                            model: model.to_string(),
                            version,
                            text,
                        },
                        commands,
                    );
                    close = true;
                } else if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
            if close {
                draft.description = None;
            }
        }
        None => {
            ui.horizontal_wrapped(|ui| {
                if description.is_empty() {
                    ui.weak("No description.");
                } else {
                    ui.label(description);
                }
                let edit = ui.small_button("Edit").on_hover_text(match version {
                    None => "Describe this model".to_string(),
                    Some(v) => format!("Describe v{v}"),
                });
                if !read_only && edit.clicked() {
                    draft.description = Some(description.to_string());
                }
            });
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Tags");
        for (key, value) in tags {
            ui.label(RichText::new(format!("{key}={value}")).monospace());
            if !read_only
                && ui
                    .small_button("×")
                    .on_hover_text("Remove this tag")
                    .clicked()
            {
                send(
                    CatalogCommand::RemoveTag {
                        model: model.to_string(),
                        version,
                        key: key.clone(),
                    },
                    commands,
                );
            }
        }
        if !read_only {
            ui.add(
                egui::TextEdit::singleline(&mut draft.tag_key)
                    .hint_text("key")
                    .desired_width(80.0),
            );
            ui.add(
                egui::TextEdit::singleline(&mut draft.tag_value)
                    .hint_text("value")
                    .desired_width(100.0),
            );
            if ui
                .add_enabled(
                    !draft.tag_key.trim().is_empty(),
                    egui::Button::new("Add tag"),
                )
                .clicked()
            {
                send(
                    CatalogCommand::SetTag {
                        model: model.to_string(),
                        version,
                        key: std::mem::take(&mut draft.tag_key),
                        value: std::mem::take(&mut draft.tag_value),
                    },
                    commands,
                );
            }
        }
    });
}

/// The metrics every listed version has some of, headline ones first.
fn metric_names(versions: &[VersionSummary]) -> Vec<String> {
    let mut names: Vec<String> = HEADLINE
        .iter()
        .filter(|m| versions.iter().any(|v| v.metrics.contains_key(**m)))
        .map(|m| m.to_string())
        .collect();
    for v in versions {
        for name in v.metrics.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

fn metric_over_versions(ui: &mut egui::Ui, state: &mut CatalogViewState) {
    let names = metric_names(&state.versions);
    let Some(first) = names.first() else {
        ui.weak("No metrics stored.");
        return;
    };
    let metric = state
        .plot_metric
        .clone()
        .filter(|m| names.contains(m))
        .unwrap_or_else(|| first.clone());
    ui.horizontal(|ui| {
        let label = ui.label("Metric").id;
        egui::ComboBox::from_id_salt("catalog_plot_metric")
            .selected_text(&metric)
            .show_ui(ui, |ui| {
                for name in &names {
                    if ui.selectable_label(*name == metric, name).clicked() {
                        state.plot_metric = Some(name.clone());
                    }
                }
            })
            .response
            .labelled_by(label);
    });
    let mut points: Vec<[f64; 2]> = state
        .versions
        .iter()
        .filter_map(|v| {
            v.metrics
                .get(&metric)
                .filter(|x| x.is_finite())
                .map(|x| [v.version as f64, *x])
        })
        .collect();
    points.sort_by(|a, b| a[0].total_cmp(&b[0]));
    Plot::new("catalog_metric_over_versions")
        .height(160.0)
        .allow_scroll(false)
        .x_axis_label("version")
        // Versions are whole numbers: no marks between them.
        .x_grid_spacer(whole_number_marks)
        .y_axis_label(metric.clone())
        .legend(Legend::default())
        .show(ui, |plot| {
            plot.line(Line::new(metric.clone(), PlotPoints::new(points.clone())).width(2.0));
            plot.points(Points::new(metric.clone(), points).radius(4.0));
        });
}

/// egui_plot's usual marks (powers of ten and their fifths), without those between whole
/// numbers.
fn whole_number_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let mut marks = egui_plot::log_grid_spacer(10)(input);
    marks.retain(|mark| mark.step_size >= 1.0);
    marks
}

fn sort_header(ui: &mut egui::Ui, state: &mut CatalogViewState, label: &str, sort: VersionSort) {
    let active = state.sort == sort;
    let arrow = match (active, state.descending) {
        (true, true) => " ↓",
        (true, false) => " ↑",
        _ => "",
    };
    if ui
        .add(
            egui::Button::new(
                RichText::new(format!("{label}{arrow}"))
                    .strong()
                    .monospace(),
            )
            .frame(false),
        )
        .on_hover_text("Sort by this column")
        .clicked()
    {
        if active {
            state.descending = !state.descending;
        } else {
            state.sort = sort;
            state.descending = label != "Version";
        }
    }
}

fn versions_table(ui: &mut egui::Ui, state: &mut CatalogViewState) {
    if state.versions.is_empty() {
        ui.weak("No versions.");
        return;
    }
    let names = metric_names(&state.versions);
    ui.horizontal(|ui| {
        let label = ui.label("Sort by").id;
        let current = match &state.sort {
            VersionSort::Version => "version".to_string(),
            VersionSort::Created => "registration time".to_string(),
            VersionSort::Metric(m) => m.clone(),
        };
        egui::ComboBox::from_id_salt("catalog_sort_by")
            .selected_text(current)
            .show_ui(ui, |ui| {
                let mut choices = vec![
                    (VersionSort::Version, "version".to_string()),
                    (VersionSort::Created, "registration time".to_string()),
                ];
                choices.extend(names.iter().map(|m| (VersionSort::Metric(m.clone()), m.clone())));
                for (sort, text) in choices {
                    if ui.selectable_label(state.sort == sort, text).clicked() {
                        state.descending = matches!(&sort, VersionSort::Metric(m) if crate::ml::metric_display::higher_is_better(m))
                            || sort == VersionSort::Created;
                        state.sort = sort;
                    }
                }
            })
            .response
            .labelled_by(label);
        ui.checkbox(&mut state.descending, "descending");
        if ui.button("Copy as CSV").on_hover_text("Copy every listed version with its mean metrics").clicked() {
            ui.ctx().copy_text(versions_csv(&state.versions, &names));
        }
    });
    let mut metrics: Vec<String> = names.iter().take(3).cloned().collect();
    if let VersionSort::Metric(m) = &state.sort {
        if !metrics.contains(m) {
            metrics.push(m.clone());
        }
    }
    let height = (state.versions.len() as f32 * 24.0 + 30.0).min(320.0);
    // Taken out while drawn (rows change choices in `state`), put back after.
    let versions = std::mem::take(&mut state.versions);
    ui.push_id("catalog_versions", |ui| {
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(height)
            .column(Column::exact(24.0))
            .column(Column::exact(70.0))
            .column(Column::exact(96.0))
            .column(Column::auto().at_least(150.0))
            .column(Column::auto().at_least(110.0));
        for _ in &metrics {
            table = table.column(Column::auto().at_least(90.0));
        }
        table
            .sense(egui::Sense::click())
            .header(22.0, |mut header| {
                header.col(|_| {});
                header.col(|ui| sort_header(ui, state, "Version", VersionSort::Version));
                header.col(|ui| {
                    ui.label(RichText::new("Stage").strong().monospace());
                });
                header.col(|ui| sort_header(ui, state, "Registered", VersionSort::Created));
                header.col(|ui| {
                    ui.label(RichText::new("Algorithm").strong().monospace());
                });
                for m in &metrics {
                    header.col(|ui| sort_header(ui, state, m, VersionSort::Metric(m.clone())));
                }
            })
            .body(|body| {
                body.rows(24.0, versions.len(), |mut row| {
                    let v = &versions[row.index()];
                    row.set_selected(state.selected_version == Some(v.version));
                    row.col(|ui| {
                        let mut ticked = state.ticked.contains(&v.version);
                        if ui
                            .checkbox(&mut ticked, "")
                            .on_hover_text("Tick to compare")
                            .changed()
                        {
                            state.ticked.retain(|&t| t != v.version);
                            if ticked {
                                state.ticked.push(v.version);
                            }
                        }
                    });
                    row.col(|ui| {
                        let selected = state.selected_version == Some(v.version);
                        if ui
                            .selectable_label(selected, format!("v{}", v.version))
                            .on_hover_text("Open this version's page")
                            .clicked()
                        {
                            state.selected_version = Some(v.version);
                        }
                    });
                    row.col(|ui| {
                        stage_badge(ui, v.stage);
                    });
                    row.col(|ui| {
                        ui.label(
                            v.created_at
                                .replace('T', " ")
                                .trim_end_matches('Z')
                                .to_string(),
                        );
                    });
                    row.col(|ui| {
                        ui.label(v.algorithm.as_deref().unwrap_or("—"));
                    });
                    for m in &metrics {
                        row.col(|ui| match v.metrics.get(m) {
                            Some(x) if x.is_finite() => {
                                ui.label(format!("{x:.4}"));
                            }
                            _ => {
                                ui.weak("—");
                            }
                        });
                    }
                    if row.response().clicked() {
                        state.selected_version = Some(v.version);
                    }
                });
            });
    });
    state.versions = versions;
    ui.weak("Click a row for its page; tick rows to compare them.");
}

/// The versions as CSV: number, stage, time, algorithm and each metric's mean.
fn versions_csv(versions: &[VersionSummary], metrics: &[String]) -> String {
    use crate::data::csv_field;
    let mut out = String::from("model,version,stage,registered,algorithm");
    for m in metrics {
        out.push(',');
        out.push_str(&csv_field(m));
    }
    out.push('\n');
    for v in versions {
        out.push_str(&format!(
            "{},{},{},{},{}",
            csv_field(&v.model),
            v.version,
            v.stage.name(),
            v.created_at,
            csv_field(v.algorithm.as_deref().unwrap_or(""))
        ));
        for m in metrics {
            out.push(',');
            if let Some(x) = v.metrics.get(m).filter(|x| x.is_finite()) {
                out.push_str(&x.to_string());
            }
        }
        out.push('\n');
    }
    out
}

fn history(ui: &mut egui::Ui, entries: &[HistoryEntry], only: Option<i64>) {
    let shown: Vec<&HistoryEntry> = entries
        .iter()
        .filter(|e| only.is_none_or(|v| e.version == v))
        .collect();
    if shown.is_empty() {
        ui.weak("Nothing yet.");
        return;
    }
    egui::Grid::new(("catalog_history", only))
        .striped(true)
        .show(ui, |ui| {
            for e in shown.iter().rev() {
                ui.weak(e.at.replace('T', " ").trim_end_matches('Z').to_string());
                ui.label(format!("v{}", e.version));
                ui.label(history_text(e));
                ui.weak(&e.actor);
                ui.label(e.comment.as_deref().unwrap_or(""));
                ui.end_row();
            }
        });
}

/// One history row in words: "Staging to Production".
pub fn history_text(e: &HistoryEntry) -> String {
    match e.event {
        HistoryEvent::Registered => "registered".into(),
        HistoryEvent::Stage { from, to, cause } => {
            let why = match cause {
                crate::catalog::Cause::Request => "",
                crate::catalog::Cause::Replaced => " (replaced)",
                crate::catalog::Cause::RollBack => " (roll back)",
            };
            format!("{} to {}{why}", from.title(), to.title())
        }
        HistoryEvent::Deleted { from } => format!("deleted (was {})", from.title()),
    }
}

fn version_page(
    ui: &mut egui::Ui,
    read_only: bool,
    page: &VersionPage,
    state: &mut CatalogViewState,
    commands: &mut Vec<Command>,
) {
    let detail = &page.detail;
    let v = &detail.summary;
    ui.horizontal_wrapped(|ui| {
        ui.heading(format!("{} v{}", v.model, v.version));
        stage_badge(ui, v.stage);
        if ui.button("Score a file with it…").clicked() {
            commands.push(Command::ScoreWith(ScoreSource::Version {
                model: v.model.clone(),
                version: v.version,
            }));
            commands.push(Command::ShowView(View::Score));
        }
        if ui
            .button("Export ONNX…")
            .on_hover_text(
                "One ONNX file with the recipe and the model, for ONNX Runtime in any language",
            )
            .clicked()
        {
            commands.push(Command::AskExportOnnx(ScoreSource::Version {
                model: v.model.clone(),
                version: v.version,
            }));
        }
    });
    notes(
        ui,
        read_only,
        (&v.model, Some(v.version)),
        (&v.description, &v.tags),
        &mut state.version_notes,
        commands,
    );
    ui.add_enabled_ui(!read_only, |ui| {
        ui.horizontal_wrapped(|ui| {
            for (label, stage) in [
                ("To Staging", Stage::Staging),
                ("To Production", Stage::Production),
                ("Archive", Stage::Archived),
                ("To None", Stage::None),
            ] {
                if ui
                    .add_enabled(stage != v.stage, egui::Button::new(label))
                    .on_hover_text(format!("Move v{} to {} (the comment above is kept in the history)", v.version, stage.title()))
                    .clicked()
                {
                    commands.push(Command::Catalog(CatalogCommand::SetStage {
                        model: v.model.clone(),
                        version: v.version,
                        stage,
                        archive_existing: stage == Stage::Production && state.archive_existing,
                        comment: std::mem::take(&mut state.comment),
                    }));
                }
            }
            ui.checkbox(&mut state.archive_existing, "archive the current Production version")
                .on_hover_text("When promoting to Production, archive the version that is Production now, in the same step");
            if ui.button("Delete…").clicked() {
                state.confirm_delete = true;
            }
        });
    });
    if state.confirm_delete {
        egui::Modal::new(egui::Id::unique("catalog_confirm_delete")).show(ui.ctx(), |ui| {
            ui.heading(format!("Delete {} v{}?", v.model, v.version));
            ui.label("Its model is removed for good; the deletion is kept in the history and the number is never reused.");
            ui.horizontal(|ui| {
                if ui.button("Delete").clicked() {
                    commands.push(Command::Catalog(CatalogCommand::Delete {
                        model: v.model.clone(),
                        version: v.version,
                        comment: std::mem::take(&mut state.comment),
                    }));
                    state.confirm_delete = false;
                    state.selected_version = None;
                }
                if ui.button("Cancel").clicked() {
                    state.confirm_delete = false;
                }
            });
        });
    }
    egui::CollapsingHeader::new("Lineage")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("catalog_lineage")
                .num_columns(2)
                .show(ui, |ui| {
                    if let Some(d) = &detail.dataset {
                        ui.label("Dataset");
                        ui.label(format!("{} ({} rows)", d.name, d.rows));
                        ui.end_row();
                        ui.label("File");
                        ui.label(&d.path);
                        ui.end_row();
                        ui.label("Fingerprint");
                        ui.label(RichText::new(&d.fingerprint).monospace().small());
                        ui.end_row();
                    }
                    for (k, val) in [
                        (
                            "Registered",
                            format!("{} by {}", v.created_at, v.created_by),
                        ),
                        (
                            "Training time",
                            crate::ml::metric_display::format_seconds(v.train_seconds),
                        ),
                        ("Modeldesk", v.app_version.clone()),
                        (
                            "Model checksum",
                            format!(
                                "blake3 {} ({} bytes)",
                                detail.artifact_checksum, detail.artifact_size
                            ),
                        ),
                    ] {
                        ui.label(k);
                        ui.label(val);
                        ui.end_row();
                    }
                });
        });
    egui::CollapsingHeader::new("Parameters and recipe").show(ui, |ui| {
        ui.label(RichText::new(&page.spec).monospace().small());
        ui.label(RichText::new(&page.recipe).monospace().small());
    });
    egui::CollapsingHeader::new("Metrics")
        .default_open(true)
        .show(ui, |ui| metrics_grid(ui, &page.metrics));
    // Beside the validation metrics, which the live figures are read against.
    if let Some(live) = &page.live {
        let n = live.series.windows;
        egui::CollapsingHeader::new(format!(
            "Live ({n} window{})",
            if n == 1 { "" } else { "s" }
        ))
        .default_open(true)
        .show(ui, |ui| live_panel::show(ui, live, commands));
    }
    egui::CollapsingHeader::new("Curves")
        .default_open(true)
        .show(ui, |ui| curves(ui, &page.curves, &mut state.curve_class));
    egui::CollapsingHeader::new("Confusion matrix and folds")
        .default_open(true)
        .show(ui, |ui| confusion_and_folds(ui, &page.metrics));
    egui::CollapsingHeader::new("History of this version")
        .show(ui, |ui| history(ui, &state.history, Some(v.version)));
    egui::CollapsingHeader::new(format!("Scoring runs ({})", state.scoring.len())).show(ui, |ui| {
        if state.scoring.is_empty() {
            ui.weak("Not used to score a file yet.");
        }
        for line in &state.scoring {
            ui.label(line);
        }
    });
}

/// "time · rows · file · n drifted feature(s)".
fn scoring_line(run: &ScoringRun) -> String {
    let drifted = serde_json::from_str::<Vec<serde_json::Value>>(&run.drift_json)
        .map(|d| d.iter().filter(|f| f["status"] == "drift").count())
        .unwrap_or(0);
    format!(
        "{} · {} rows · {} · {drifted} drifted feature(s)",
        run.scored_at, run.rows, run.file_path
    )
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_string())
}

/// Each fitted column's step in a line.
fn recipe_lines(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let mut out = String::new();
    for c in value["columns"].as_array().into_iter().flatten() {
        let name = c["column"].as_str().unwrap_or("?");
        let step = &c["step"];
        let line = if let Some(n) = step.get("numeric") {
            format!(
                "{name}: number, missing as {}, centre {}, scale {}",
                n["fill"], n["center"], n["scale"]
            )
        } else if let Some(o) = step.get("one_hot") {
            format!(
                "{name}: one-hot over {} levels",
                o["levels"].as_array().map_or(0, Vec::len)
            )
        } else {
            format!("{name}: {step}")
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn metrics_grid(ui: &mut egui::Ui, value: &serde_json::Value) {
    ui.weak(format!(
        "{} · {} rows used",
        value["validation"]["scheme"]
            .as_str()
            .unwrap_or("validation")
            .replace('_', " "),
        value["rows_used"]
    ));
    egui::Grid::new("catalog_metrics")
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            if let Some(mean) = value["mean"].as_object() {
                for (name, m) in mean {
                    ui.label(name);
                    let s = value["std"][name].as_f64().unwrap_or(0.0);
                    match m.as_f64() {
                        Some(m) => ui.label(format!("{m:.4} ± {s:.4}")),
                        None => ui.weak("—"),
                    };
                    ui.end_row();
                }
            }
        });
}

fn curves(ui: &mut egui::Ui, stored: &StoredCurves, class: &mut usize) {
    let classes = match stored {
        StoredCurves::Regression(pairs) => {
            let points: Vec<[f64; 2]> = pairs
                .iter()
                .map(|&(actual, predicted)| [predicted, actual])
                .collect();
            Plot::new("catalog_predicted_actual")
                .height(260.0)
                .width(320.0)
                .x_axis_label("predicted")
                .y_axis_label("actual")
                .show(ui, |plot| {
                    plot.points(Points::new("out-of-fold rows", points).radius(1.5))
                });
            return;
        }
        StoredCurves::Classes(classes) if !classes.is_empty() => classes,
        _ => {
            ui.weak("No curves stored.");
            return;
        }
    };
    *class = (*class).min(classes.len() - 1);
    ui.horizontal(|ui| {
        let label = ui.label("Class").id;
        egui::ComboBox::from_id_salt("catalog_curve_class")
            .selected_text(&classes[*class].class)
            .show_ui(ui, |ui| {
                for (i, c) in classes.iter().enumerate() {
                    ui.selectable_value(class, i, &c.class);
                }
            })
            .response
            .labelled_by(label);
        ui.weak("against the rest, pooled out-of-fold predictions");
    });
    let chosen = &classes[*class];
    ui.horizontal_top(|ui| {
        for (title, points, x, y) in [
            (
                "ROC",
                &chosen.roc,
                "false-positive rate",
                "true-positive rate",
            ),
            ("Precision–recall", &chosen.pr, "recall", "precision"),
            (
                "Calibration",
                &chosen.calibration,
                "mean predicted probability",
                "observed share",
            ),
        ] {
            let points: Vec<[f64; 2]> = points.iter().map(|&(x, y)| [x, y]).collect();
            ui.vertical(|ui| {
                ui.strong(title);
                Plot::new(("catalog_curve", title))
                    .width(240.0)
                    .height(240.0)
                    .include_x(0.0)
                    .include_x(1.0)
                    .include_y(0.0)
                    .include_y(1.0)
                    .allow_scroll(false)
                    .x_axis_label(x)
                    .y_axis_label(y)
                    .show(ui, |plot| {
                        plot.line(Line::new(title, PlotPoints::new(points)).width(2.0));
                    });
            });
        }
    });
}

/// The pooled confusion counts (classification) and each fold's headline metrics.
fn confusion_and_folds(ui: &mut egui::Ui, value: &serde_json::Value) {
    let classes: Vec<String> = value["classes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let confusion: Vec<Vec<u64>> = value["pooled"]["confusion"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_u64())
                .collect()
        })
        .collect();
    if !confusion.is_empty() && confusion.len() == classes.len() {
        ui.horizontal(|ui| {
            ui.weak("Pooled out-of-fold predictions: rows are the true class, columns the predicted one.");
            if ui.button("Copy as CSV").clicked() {
                ui.ctx().copy_text(crate::report::confusion_csv(&classes, &confusion));
            }
        });
        let most = confusion
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(1)
            .max(1) as f32;
        egui::Grid::new("catalog_confusion")
            .spacing([4.0, 4.0])
            .show(ui, |ui| {
                ui.weak("true \\ predicted");
                for c in &classes {
                    ui.strong(c);
                }
                ui.end_row();
                for (c, row) in classes.iter().zip(&confusion) {
                    ui.strong(c);
                    for &n in row {
                        let strength = n as f32 / most;
                        egui::Frame::new()
                            .fill(
                                Color32::from_rgb(0x00, 0x72, 0xB2).gamma_multiply(strength * 0.8),
                            )
                            .inner_margin(egui::Margin::symmetric(8, 2))
                            .show(ui, |ui| ui.label(n.to_string()));
                    }
                    ui.end_row();
                }
            });
    }
    let folds = value["folds"].as_array().cloned().unwrap_or_default();
    if folds.is_empty() {
        return;
    }
    let names: Vec<&str> = [
        "accuracy", "f1_macro", "roc_auc", "log_loss", "rmse", "mae", "r2",
    ]
    .into_iter()
    .filter(|m| folds[0].get(*m).is_some())
    .collect();
    egui::Grid::new("catalog_folds")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("fold");
            for n in &names {
                ui.strong(*n);
            }
            ui.end_row();
            for (i, fold) in folds.iter().enumerate() {
                ui.label((i + 1).to_string());
                for n in &names {
                    match fold[*n].as_f64() {
                        Some(x) => ui.label(format!("{x:.4}")),
                        None => ui.weak("—"),
                    };
                }
                ui.end_row();
            }
        });
}
