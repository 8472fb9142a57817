//! The Score view: choose a model (a run of this session or a registered version), give it a
//! CSV file (dialog or drop), and see the schema check, metrics against the file's labels
//! beside the validation metrics (the change coloured by direction), drift per feature and
//! the predictions, with the file's own labels beside them when it has any; export them as
//! CSV.

use eframe::egui::{self, Color32, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Bar, BarChart, Plot};

use super::plot_legend::legend_below;

use crate::catalog::VersionSummary;
use crate::data::{format_number, ColumnData, CsvText, MISSING_CODE};
use crate::gui::command::{Command, ScoreSource};
use crate::gui::explanations::Explanations;
use crate::jobs::{ScoreOutcome, TrainingRun};
use crate::ml::metric_registry;
use crate::ml::target::Task;
use crate::score::drift::{DriftStatus, Thresholds};
use crate::score::export::{prediction_cells, prediction_columns, PROBABILITY_DIGITS};
use crate::score::truth::{row_truth, RowTruth};

/// The choices of the Score view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreForm {
    pub source: Option<ScoreSource>,
    pub thresholds: Thresholds,
    /// The feature whose histograms are overlaid.
    pub drift_feature: Option<String>,
    /// Text that narrows the versions offered (when there are many).
    pub version_filter: String,
}

/// The catalog's versions the model choice offers, as a job last read them.
#[derive(Debug, Clone, Copy)]
pub struct VersionChoices<'a> {
    /// Every version, newest first.
    pub versions: &'a [VersionSummary],
    /// Whether a job is reading them (again).
    pub loading: bool,
}

/// From this many versions on, a field narrows the list.
const FILTER_FROM: usize = 12;

/// How a source reads in a list.
pub fn source_title(source: &ScoreSource, runs: &[TrainingRun]) -> String {
    match source {
        ScoreSource::Run(id) => runs
            .iter()
            .find(|r| r.id == *id)
            .map_or_else(|| format!("run #{id}"), TrainingRun::title),
        ScoreSource::Version { model, version } => format!("{model} v{version}"),
    }
}

fn status_color(status: DriftStatus) -> Color32 {
    match status {
        DriftStatus::Stable => Color32::from_rgb(0x00, 0x9E, 0x73),
        DriftStatus::Warning => Color32::from_rgb(0xE6, 0x9F, 0x00),
        DriftStatus::Drift => Color32::from_rgb(0xD5, 0x5E, 0x00),
    }
}

/// Draw the Score view.
#[allow(clippy::too_many_arguments)]
pub fn show(
    ui: &mut egui::Ui,
    runs: &[TrainingRun],
    versions: VersionChoices<'_>,
    outcome: Option<&ScoreOutcome>,
    selected_row: Option<usize>,
    explanations: &Explanations,
    form: &mut ScoreForm,
    commands: &mut Vec<Command>,
) {
    ui.heading("Score new data");
    model_choice(ui, runs, versions, form, commands);
    ui.horizontal(|ui| {
        let warn = ui.label("Drift: warn above PSI").id;
        ui.add(
            egui::DragValue::new(&mut form.thresholds.warning)
                .range(0.0..=5.0)
                .speed(0.01),
        )
        .labelled_by(warn);
        let drift = ui.label("drift above PSI").id;
        ui.add(
            egui::DragValue::new(&mut form.thresholds.drift)
                .range(0.0..=5.0)
                .speed(0.01),
        )
        .labelled_by(drift);
        ui.weak("(applies to the next file scored)");
    });
    ui.separator();
    match outcome {
        Some(outcome) => scored_file(ui, outcome, selected_row, explanations, form, commands),
        None => {
            ui.weak(
                "Choose a model and give it a CSV file with the same columns it was trained on.",
            );
        }
    }
}

/// The model to score with (a session run or a registered version) and "Score a CSV…".
fn model_choice(
    ui: &mut egui::Ui,
    runs: &[TrainingRun],
    versions: VersionChoices<'_>,
    form: &mut ScoreForm,
    commands: &mut Vec<Command>,
) {
    // Wraps in a narrow window rather than running off its edge.
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Model").id;
        let selected = form
            .source
            .as_ref()
            .map_or("choose a model".to_string(), |s| source_title(s, runs));
        // Untrimmed: "churn v1 " finds v1 and not v10.
        let filter = form.version_filter.to_lowercase();
        egui::ComboBox::from_id_salt("score_model")
            .selected_text(selected)
            .width(320.0)
            .show_ui(ui, |ui| {
                model_list(ui, runs, versions, &filter, form.source.as_ref(), commands)
            })
            .response
            .labelled_by(label);
        if versions.versions.len() >= FILTER_FROM {
            let find = ui.label("Find").id;
            ui.add(
                egui::TextEdit::singleline(&mut form.version_filter)
                    .hint_text("model or version, e.g. churn v3")
                    .desired_width(160.0),
            )
            .labelled_by(find);
        }
        let ready = form.source.is_some();
        if ui
            .add_enabled(ready, egui::Button::new("Score a CSV…"))
            .on_disabled_hover_text("Choose a model first")
            .clicked()
        {
            commands.push(Command::OpenScoreDialog);
        }
        ui.weak(if ready {
            "or drop a CSV file onto the window"
        } else {
            ""
        });
        // After the button, so that the button keeps its id (and a pending press, such as
        // a screen reader's) when the list finishes loading.
        if versions.loading {
            ui.spinner();
            ui.weak("Loading the catalog's versions…");
        }
    });
}

/// The runs of this session, then every registered version matching `filter`.
fn model_list(
    ui: &mut egui::Ui,
    runs: &[TrainingRun],
    versions: VersionChoices<'_>,
    filter: &str,
    chosen: Option<&ScoreSource>,
    commands: &mut Vec<Command>,
) {
    for run in runs
        .iter()
        .filter(|r| r.table.is_some() || r.recorded.is_some())
    {
        let source = ScoreSource::Run(run.id);
        if ui
            .selectable_label(chosen == Some(&source), run.title())
            .clicked()
        {
            commands.push(Command::ScoreWith(source));
        }
    }
    if versions.loading && versions.versions.is_empty() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak("Loading…");
        });
    }
    for v in versions.versions {
        let text = format!("{} v{} · {}", v.model, v.version, v.stage.title());
        if !filter.trim().is_empty() && !text.to_lowercase().contains(filter) {
            continue;
        }
        let source = ScoreSource::Version {
            model: v.model.clone(),
            version: v.version,
        };
        if ui.selectable_label(chosen == Some(&source), text).clicked() {
            commands.push(Command::ScoreWith(source));
        }
    }
}

/// A scored file: the schema check, then metrics, drift and predictions.
fn scored_file(
    ui: &mut egui::Ui,
    outcome: &ScoreOutcome,
    selected_row: Option<usize>,
    explanations: &Explanations,
    form: &mut ScoreForm,
    commands: &mut Vec<Command>,
) {
    let file = outcome.request.path.file_name().map_or_else(
        || outcome.request.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    ui.strong(format!(
        "{file} scored with {}",
        outcome.request.model_title
    ));
    let scored = match &outcome.result {
        Ok(scored) => scored,
        Err(error) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Schema check failed: {error}"),
            );
            let needed: Vec<&str> = outcome
                .request
                .model
                .recipe
                .columns
                .iter()
                .map(|c| c.column.as_str())
                .collect();
            ui.weak(format!("The model reads: {}", needed.join(", ")));
            return;
        }
    };
    ui.label(format!(
        "{} rows in {}; schema check passed.",
        scored.rows,
        crate::ml::metric_display::format_seconds(outcome.seconds)
    ));
    for notice in &scored.notices {
        ui.colored_label(ui.visuals().warn_fg_color, notice);
    }
    egui::ScrollArea::vertical()
        .id_salt("score_scroll")
        .content_margin(super::room_for_scroll_bar(ui))
        .auto_shrink(false)
        .show(ui, |ui| {
            if let Some(metrics) = &scored.metrics {
                egui::CollapsingHeader::new(format!(
                    "Metrics against the file's labels ({} rows)",
                    scored.labelled_rows
                ))
                .default_open(true)
                .show(ui, |ui| file_metrics(ui, outcome, metrics));
            }
            egui::CollapsingHeader::new("Drift per feature")
                .default_open(true)
                .show(ui, |ui| drift(ui, scored, form));
            egui::CollapsingHeader::new("Predictions")
                .default_open(true)
                .show(ui, |ui| {
                    if ui
                        .button("Export predictions…")
                        .on_hover_text("Save every row with its predictions as CSV")
                        .clicked()
                    {
                        commands.push(Command::ExportPredictions);
                    }
                    let selected = selected_row.filter(|&r| r < scored.rows);
                    ui.horizontal_wrapped(|ui| match selected {
                        Some(r) => {
                            ui.strong(format!("Row {} selected", r + 1));
                            if ui.button("Clear selection").clicked() {
                                commands.push(Command::ExplainScoredRow { row: None });
                            }
                        }
                        None => {
                            ui.weak("Click a row to select it.");
                        }
                    });
                    if let Some(row) = predictions(ui, outcome, scored, selected) {
                        let row = (selected != Some(row)).then_some(row);
                        commands.push(Command::ExplainScoredRow { row });
                    }
                });
            let model = &outcome.request.model;
            let selected = selected_row.filter(|&r| r < scored.rows);
            egui::CollapsingHeader::new("Why this row")
                .default_open(true)
                .show(ui, |ui| {
                    super::row_explanation::scored_row(ui, model, selected, explanations, commands)
                });
            egui::CollapsingHeader::new("Summary over all rows")
                .default_open(true)
                .show(ui, |ui| {
                    super::row_explanation::scored_summary(
                        ui,
                        model,
                        scored.rows,
                        explanations,
                        commands,
                    )
                });
        });
}

/// The file's metrics beside the validation metrics, with Copy as CSV.
fn file_metrics(ui: &mut egui::Ui, outcome: &ScoreOutcome, metrics: &crate::ml::eval::Metrics) {
    if ui.button("Copy as CSV").clicked() {
        let mut csv = CsvText::new();
        csv.record(["metric", "validation", "this_file"]);
        for (name, value) in metrics.scalars() {
            let before = outcome
                .request
                .validation
                .get(name)
                .map_or(String::new(), |b| b.to_string());
            csv.record([name, &before, &value.to_string()]);
        }
        ui.ctx().copy_text(csv.finish());
    }
    egui::Grid::new("score_metrics")
        .striped(true)
        .show(ui, |ui| {
            for h in ["Metric", "Validation", "This file", "Change"] {
                ui.strong(h);
            }
            ui.end_row();
            for (name, value) in metrics.scalars() {
                ui.label(metric_registry::label(name))
                    .on_hover_text(metric_registry::tooltip(name));
                let before = outcome.request.validation.get(name).copied();
                match before {
                    Some(b) => ui.label(format!("{b:.4}")),
                    None => ui.weak("—"),
                };
                ui.label(format!("{value:.4}"));
                match before {
                    Some(b) => change_label(ui, name, value, b),
                    None => ui.weak("—"),
                };
                ui.end_row();
            }
        });
}

/// How a metric on the scored file compares with its validation figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Better,
    Worse,
    /// The same at the metric's displayed precision (or undefined on either side).
    Same,
}

/// Whether `value` of metric `key` is better than `before`: up for scores, down for losses.
fn change(key: &str, value: f64, before: f64) -> Change {
    if !value.is_finite()
        || !before.is_finite()
        || metric_registry::format(key, value) == metric_registry::format(key, before)
    {
        return Change::Same;
    }
    match metric_registry::better(key, value, before) {
        std::cmp::Ordering::Less => Change::Better,
        _ => Change::Worse,
    }
}

/// Green for a change for the better, orange for the worse (the drift colours).
const BETTER: Color32 = Color32::from_rgb(0x00, 0x9E, 0x73);
const WORSE: Color32 = Color32::from_rgb(0xD5, 0x5E, 0x00);

/// The difference from validation, coloured by its direction, saying it on hover too.
fn change_label(ui: &mut egui::Ui, key: &str, value: f64, before: f64) -> egui::Response {
    let text = format!("{:+.4}", value - before);
    let direction = if metric_registry::higher_is_better(key) {
        "higher is better"
    } else {
        "lower is better"
    };
    match change(key, value, before) {
        Change::Better => ui
            .label(RichText::new(text).color(BETTER))
            .on_hover_text(format!("Better than at validation ({direction})")),
        Change::Worse => ui
            .label(RichText::new(text).color(WORSE))
            .on_hover_text(format!("Worse than at validation ({direction})")),
        Change::Same => ui.label(text),
    }
}

fn drift(ui: &mut egui::Ui, scored: &crate::score::Scored, form: &mut ScoreForm) {
    if scored.drift.is_empty() {
        ui.weak("This model has no stored training distribution to compare with.");
        return;
    }
    let bars: Vec<Bar> = scored
        .drift
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Bar::new(i as f64, d.psi)
                .name(&d.column)
                .fill(status_color(d.status))
                .width(0.7)
        })
        .collect();
    let names: Vec<String> = scored.drift.iter().map(|d| d.column.clone()).collect();
    let thresholds = form.thresholds;
    Plot::new("score_drift_bars")
        .height(200.0)
        .allow_scroll(false)
        .y_axis_label("PSI")
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("PSI", bars));
            for (value, name) in [(thresholds.warning, "warning"), (thresholds.drift, "drift")] {
                plot.hline(egui_plot::HLine::new(name, value).color(Color32::GRAY));
            }
        });
    if ui
        .button("Copy as CSV")
        .on_hover_text("Copy the drift table")
        .clicked()
    {
        let mut csv = CsvText::new();
        csv.record(["feature", "psi", "ks", "status", "missing"]);
        for d in &scored.drift {
            csv.record([
                d.column.clone(),
                d.psi.to_string(),
                d.ks.map_or(String::new(), |k| k.to_string()),
                format!("{:?}", d.status).to_lowercase(),
                d.missing.to_string(),
            ]);
        }
        ui.ctx().copy_text(csv.finish());
    }
    egui::Grid::new("score_drift").striped(true).show(ui, |ui| {
        for h in ["Feature", "PSI", "KS", "Status", "Missing"] {
            ui.strong(h);
        }
        ui.end_row();
        for d in &scored.drift {
            if ui
                .selectable_label(
                    form.drift_feature.as_deref() == Some(d.column.as_str()),
                    &d.column,
                )
                .clicked()
            {
                form.drift_feature = Some(d.column.clone());
            }
            ui.label(format!("{:.4}", d.psi));
            ui.label(d.ks.map_or("—".into(), |k| format!("{k:.4}")));
            ui.label(
                RichText::new(format!("{:?}", d.status).to_lowercase())
                    .color(status_color(d.status)),
            );
            ui.label(d.missing.to_string());
            ui.end_row();
        }
    });
    let chosen = form
        .drift_feature
        .as_ref()
        .and_then(|f| scored.drift.iter().find(|d| &d.column == f))
        .or_else(|| scored.drift.iter().max_by(|a, b| a.psi.total_cmp(&b.psi)));
    if let Some(d) = chosen {
        drift_histogram(ui, d);
    }
}

/// One feature's training histogram overlaid with this file's.
fn drift_histogram(ui: &mut egui::Ui, d: &crate::score::drift::FeatureDrift) {
    ui.strong(format!(
        "{}: training against this file (share of rows per bin)",
        d.column
    ));
    let training: Vec<Bar> = d
        .expected
        .iter()
        .enumerate()
        .map(|(i, v)| Bar::new(i as f64 - 0.18, *v).width(0.35))
        .collect();
    let new: Vec<Bar> = d
        .actual
        .iter()
        .enumerate()
        .map(|(i, v)| Bar::new(i as f64 + 0.18, *v).width(0.35))
        .collect();
    let labels = d.bins.clone();
    let bins = labels.len();
    Plot::new(("score_drift_hist", d.column.as_str()))
        .height(200.0)
        .allow_scroll(false)
        // A mark under every bin, so each one is labelled.
        .x_grid_spacer(move |_| {
            (0..bins)
                .map(|i| egui_plot::GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("training", training).color(Color32::from_rgb(0x56, 0xB4, 0xE9)),
            );
            plot.bar_chart(BarChart::new("this file", new).color(status_color(d.status)));
        });
    // Named beneath the plot in body text, where it hides no bar.
    legend_below(
        ui,
        &[
            ("training".to_string(), Color32::from_rgb(0x56, 0xB4, 0xE9)),
            ("this file".to_string(), status_color(d.status)),
        ],
    );
}

/// The columns that set the file's own answer beside the prediction, when it has the
/// target column: the true label (classification) or value and error (regression).
fn truth_headers(outcome: &ScoreOutcome, scored: &crate::score::Scored) -> Vec<(String, String)> {
    let target = &outcome.request.model.target;
    if outcome.table.column(target).is_none() {
        return Vec::new();
    }
    let truth = (
        format!("true {target}"),
        format!("The file's own value of '{target}'"),
    );
    match scored.task {
        Task::Classification => vec![truth],
        Task::Regression => vec![
            truth,
            (
                "error".into(),
                "The prediction minus the file's value".into(),
            ),
        ],
    }
}

/// The rows with their predictions, `selected` highlighted; returns the row clicked, if any.
fn predictions(
    ui: &mut egui::Ui,
    outcome: &ScoreOutcome,
    scored: &crate::score::Scored,
    selected: Option<usize>,
) -> Option<usize> {
    let mut clicked = None;
    let table = &outcome.table;
    let predicted = prediction_columns(table, scored);
    let truth_column = table.column(&outcome.request.model.target);
    let truth = truth_headers(outcome, scored);
    let shown: Vec<usize> = (0..table.columns.len()).collect();
    // Every column of the file, reached by scrolling sideways; a cell is one line: a long
    // value or name widens its column, never wraps.
    let sideways = egui::ScrollArea::horizontal().id_salt("score_predictions");
    sideways.show(ui, |ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        // A click anywhere on a row selects it, not the text under the pointer.
        ui.style_mut().interaction.selectable_labels = false;
        let mut builder = TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click())
            .max_scroll_height(320.0)
            .column(Column::exact(60.0));
        for _ in predicted.iter().chain(truth.iter().map(|(h, _)| h)) {
            builder = builder.column(Column::auto().at_least(80.0));
        }
        for _ in &shown {
            builder = builder.column(Column::auto().at_least(70.0));
        }
        builder
            .header(22.0, |mut header| {
                header.col(|ui| {
                    ui.strong("row");
                });
                let mut names = predicted.iter();
                if let Some(name) = names.next() {
                    header.col(|ui| {
                        ui.strong(name);
                    });
                }
                for (name, hover) in &truth {
                    header.col(|ui| {
                        ui.strong(name).on_hover_text(hover);
                    });
                }
                for name in names {
                    header.col(|ui| {
                        ui.strong(name);
                    });
                }
                for &c in &shown {
                    header.col(|ui| {
                        ui.label(&table.columns[c].name);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, scored.rows, |mut row| {
                    let r = row.index();
                    row.set_selected(selected == Some(r));
                    row.col(|ui| {
                        ui.weak((r + 1).to_string());
                    });
                    let answer = truth_column.map(|column| row_truth(column, scored, r));
                    let mut cells = prediction_cells(scored, r, PROBABILITY_DIGITS).into_iter();
                    if let Some(cell) = cells.next() {
                        row.col(|ui| prediction_cell(ui, cell, answer.as_ref()));
                    }
                    match &answer {
                        Some(RowTruth::Class { label, .. }) => {
                            row.col(|ui| {
                                ui.label(label);
                            });
                        }
                        Some(RowTruth::Value { value, error }) => {
                            row.col(|ui| {
                                ui.label(format_number(*value));
                            });
                            row.col(|ui| {
                                ui.label(format!("{error:+.4}"));
                            });
                        }
                        Some(RowTruth::Unknown) => {
                            for _ in &truth {
                                row.col(|ui| {
                                    ui.weak("—");
                                });
                            }
                        }
                        None => {}
                    }
                    for cell in cells {
                        row.col(|ui| {
                            ui.strong(cell);
                        });
                    }
                    for &c in &shown {
                        row.col(|ui| {
                            let text = match &table.columns[c].data {
                                ColumnData::Numeric(v) if !v[r].is_nan() => {
                                    format_number(v[r]).into_owned()
                                }
                                ColumnData::Strings { codes, levels }
                                    if codes[r] != MISSING_CODE =>
                                {
                                    levels[codes[r] as usize].clone()
                                }
                                _ => String::new(),
                            };
                            ui.label(text);
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(r);
                    }
                });
            });
    });
    clicked
}

/// The predicted label or value; a label the file contradicts is marked wrong.
fn prediction_cell(ui: &mut egui::Ui, cell: String, answer: Option<&RowTruth>) {
    match answer {
        Some(RowTruth::Class {
            label,
            right: false,
        }) => {
            ui.label(
                RichText::new(format!("{WRONG} {cell}"))
                    .strong()
                    .color(ui.visuals().error_fg_color),
            )
            .on_hover_text(format!("Wrong: the file says {label}"));
        }
        _ => {
            ui.strong(cell);
        }
    }
}

/// The mark before a wrongly predicted label.
const WRONG: &str = "×";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_better_up_for_scores_and_down_for_losses() {
        assert_eq!(change("accuracy", 0.97, 0.95), Change::Better);
        assert_eq!(change("accuracy", 0.90, 0.95), Change::Worse);
        assert_eq!(change("log_loss", 0.20, 0.30), Change::Better);
        assert_eq!(change("log_loss", 0.40, 0.30), Change::Worse);
        assert_eq!(change("rmse", 41.0, 55.0), Change::Better);
        // What reads the same is no change, nor is an undefined value.
        assert_eq!(change("accuracy", 0.95001, 0.95), Change::Same);
        assert_eq!(change("roc_auc", f64::NAN, 0.9), Change::Same);
    }
}
