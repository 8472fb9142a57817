//! "Which features matter": the controls that ask for a model's permutation importance (the
//! metric, the shuffles, the seed) or a column's partial dependence, on the rows the panel
//! names, and the plots of what was computed, with when and on which rows. The panel only
//! says what was asked; the caller sends the command and the app runs the job.

use std::path::PathBuf;

use eframe::egui::{self, Color32};

use super::inspect_plots::{dependence_plot, importance_bars};
use crate::jobs::ExplainWhat;
use crate::ml::metric_registry;
use crate::ml::partial_dependence::PartialDependence;
use crate::ml::permutation::PermutationImportance;

/// Shuffles of each column unless chosen otherwise.
const DEFAULT_REPEATS: usize = 5;

/// The panel's own choices.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectDraft {
    /// The metric whose drop is measured (the subject's first until chosen).
    pub metric: Option<String>,
    pub repeats: usize,
    pub seed: u64,
    /// The column whose partial dependence is asked for or shown.
    pub column: Option<String>,
    /// A labelled file the user picked to compute on (a version's page only).
    pub file: Option<PathBuf>,
}

impl Default for InspectDraft {
    fn default() -> Self {
        InspectDraft {
            metric: None,
            repeats: DEFAULT_REPEATS,
            seed: 0,
            column: None,
            file: None,
        }
    }
}

/// What the panel is about and what it has to show.
pub struct Subject<'a> {
    /// The model's columns, in the recipe's order.
    pub columns: &'a [String],
    /// The metrics of its task, headline first.
    pub metrics: &'a [&'static str],
    /// Which rows a computation uses, in a sentence.
    pub rows: String,
    /// Whether the rows can be a file the user picks.
    pub can_pick_file: bool,
    /// The share done of the job computing for this subject, if one runs.
    pub running: Option<f32>,
    /// What was computed, each with a line saying on which rows and when.
    pub permutation: Option<(&'a PermutationImportance, String)>,
    pub dependence: Vec<(&'a PartialDependence, String)>,
    /// The colour of the model's plots.
    pub color: Color32,
}

/// What the user asked for this frame.
#[derive(Debug, Default, PartialEq)]
pub struct Asked {
    pub compute: Option<ExplainWhat>,
    pub pick_file: bool,
    /// Compute on the training rows again instead of the picked file.
    pub forget_file: bool,
}

/// Draw the panel; `id` keeps its widget state apart from another panel's.
pub fn show(
    ui: &mut egui::Ui,
    id: egui::Id,
    subject: &Subject<'_>,
    draft: &mut InspectDraft,
) -> Asked {
    let mut asked = Asked::default();
    // As wide as the page shows, not as the page's widest content (a wide table elsewhere
    // widens the scroll area): text wraps and plots fit in a narrow window.
    let visible = (ui.clip_rect().right() - ui.cursor().left())
        .min(ui.available_width())
        .max(200.0);
    ui.set_max_width(visible);
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Rows: {}.", subject.rows));
        if subject.can_pick_file {
            if ui
                .button("Use a labelled file…")
                .on_hover_text(
                    "Compute on a CSV file with the target column, read as the training file was",
                )
                .clicked()
            {
                asked.pick_file = true;
            }
            if draft.file.is_some() && ui.button("Use the training file").clicked() {
                asked.forget_file = true;
            }
        }
    });
    let busy = subject.running.is_some();
    if let Some(done) = subject.running {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.add(
                egui::ProgressBar::new(done)
                    .show_percentage()
                    .desired_width(160.0),
            );
            ui.weak("computing (Cancel in the status bar)");
        });
    }
    ui.separator();
    permutation_section(ui, id, subject, draft, busy, &mut asked);
    ui.separator();
    dependence_section(ui, id, subject, draft, busy, &mut asked);
    asked
}

fn permutation_section(
    ui: &mut egui::Ui,
    id: egui::Id,
    subject: &Subject<'_>,
    draft: &mut InspectDraft,
    busy: bool,
    asked: &mut Asked,
) {
    ui.strong("Permutation importance");
    let metric = draft
        .metric
        .clone()
        .filter(|m| subject.metrics.contains(&m.as_str()))
        .or_else(|| subject.metrics.first().map(|m| m.to_string()));
    ui.horizontal_wrapped(|ui| {
        ui.label("Drop in");
        egui::ComboBox::from_id_salt(id.with("metric"))
            .selected_text(metric.as_deref().map_or("", metric_registry::label))
            .show_ui(ui, |ui| {
                for key in subject.metrics {
                    let chosen = metric.as_deref() == Some(*key);
                    if ui
                        .selectable_label(chosen, metric_registry::label(key))
                        .clicked()
                    {
                        draft.metric = Some(key.to_string());
                    }
                }
            });
        ui.label("over");
        ui.add(egui::DragValue::new(&mut draft.repeats).range(1..=50));
        ui.label("shuffles, seed");
        ui.add(egui::DragValue::new(&mut draft.seed).range(0..=u32::MAX as u64));
        if ui
            .add_enabled(
                !busy && metric.is_some(),
                egui::Button::new(if subject.permutation.is_some() {
                    "Recompute"
                } else {
                    "Compute"
                }),
            )
            .on_hover_text("Shuffle each column in turn and measure how much the metric drops")
            .clicked()
        {
            if let Some(metric) = metric.clone() {
                asked.compute = Some(ExplainWhat::Permutation {
                    metric,
                    repeats: draft.repeats.max(1),
                    seed: draft.seed,
                });
            }
        }
    });
    match &subject.permutation {
        Some((measured, on)) => {
            ui.weak(format!(
                "The drop in {} ({:.4} on the rows as they are) when a column is shuffled, \
                 mean ± std over {} shuffles; {on}.",
                metric_registry::label(&measured.metric),
                measured.baseline,
                measured.repeats
            ));
            importance_bars(ui, id.with("importance"), measured, subject.color);
        }
        None => {
            ui.weak("Not computed yet.");
        }
    }
}

fn dependence_section(
    ui: &mut egui::Ui,
    id: egui::Id,
    subject: &Subject<'_>,
    draft: &mut InspectDraft,
    busy: bool,
    asked: &mut Asked,
) {
    ui.strong("Partial dependence");
    // The column shown: the one chosen, else the one computed last, else the first.
    let column = draft
        .column
        .clone()
        .filter(|c| subject.columns.contains(c))
        .or_else(|| subject.dependence.last().map(|(d, _)| d.column.clone()))
        .or_else(|| subject.columns.first().cloned());
    let shown = column
        .as_ref()
        .and_then(|c| subject.dependence.iter().find(|(d, _)| &d.column == c));
    ui.horizontal_wrapped(|ui| {
        ui.label("Column");
        egui::ComboBox::from_id_salt(id.with("column"))
            .selected_text(column.as_deref().unwrap_or(""))
            .show_ui(ui, |ui| {
                for c in subject.columns {
                    let computed = subject.dependence.iter().any(|(d, _)| &d.column == c);
                    let text = if computed {
                        format!("{c} ✓")
                    } else {
                        c.clone()
                    };
                    if ui
                        .selectable_label(column.as_ref() == Some(c), text)
                        .clicked()
                    {
                        draft.column = Some(c.clone());
                    }
                }
            });
        if ui
            .add_enabled(
                !busy && column.is_some(),
                egui::Button::new(if shown.is_some() {
                    "Recompute"
                } else {
                    "Compute"
                }),
            )
            .on_hover_text(
                "Set the column to each value of a grid (percentiles of a number, each level of \
                 a category) in every row and average the predictions",
            )
            .clicked()
        {
            if let Some(column) = column.clone() {
                asked.compute = Some(ExplainWhat::Dependence { column });
            }
        }
    });
    let Some((dependence, on)) = shown else {
        ui.weak("Not computed yet for this column.");
        return;
    };
    let output_id = id.with("output");
    let mut output: usize = ui.data(|d| d.get_temp(output_id)).unwrap_or(0);
    output = output.min(dependence.outputs.len().saturating_sub(1));
    if dependence.outputs.len() > 1 {
        ui.horizontal_wrapped(|ui| {
            ui.label("Probability of");
            egui::ComboBox::from_id_salt(output_id)
                .selected_text(&dependence.outputs[output])
                .show_ui(ui, |ui| {
                    for (i, name) in dependence.outputs.iter().enumerate() {
                        ui.selectable_value(&mut output, i, name);
                    }
                });
        });
        ui.data_mut(|d| d.insert_temp(output_id, output));
    }
    let numeric = dependence
        .grid
        .iter()
        .all(|g| matches!(g, crate::ml::partial_dependence::GridValue::Number(_)));
    let rows_curves = if numeric {
        format!(
            "; the faint lines are {} single rows' own curves",
            dependence.ice_rows.len()
        )
    } else {
        String::new()
    };
    ui.weak(format!(
        "The model's average prediction as {} is set to each value in every row{rows_curves}; \
         {on}.",
        dependence.column
    ));
    dependence_plot(ui, id.with("dependence"), dependence, output, subject.color);
}
