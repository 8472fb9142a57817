//! Why this row, as the Score view draws it: the selected row's waterfall with a class
//! picker, and the summary over the file's rows; and the parts the Compare view's "Why this
//! row" shares (a row's waterfall with what to know about it, the class picker).

use eframe::egui::{self, RichText};

use super::{contribution_summary, waterfall};
use crate::gui::command::Command;
use crate::gui::explanations::{
    ExplainRowsCommand, ExplainSlot, Explanations, RowExplanation, Shown, SUMMARY_ROWS,
};
use crate::ml::contributions::Method;
use crate::ml::eval::TrainedModel;

/// Bars of the waterfall before the rest are summed as "other columns".
const TOP_COLUMNS: usize = 10;

/// The selected row of the scored file explained, or how to get there.
pub fn scored_row(
    ui: &mut egui::Ui,
    model: &TrainedModel,
    selected: Option<usize>,
    explanations: &Explanations,
    commands: &mut Vec<Command>,
) {
    // The class is the summary's too: chosen with or without a row.
    if let Some(class) = class_picker(ui, &model.classes, explanations.scored_class, "score") {
        commands.push(Command::ExplainRows(ExplainRowsCommand::ScoredClass(class)));
    }
    let Some(row) = selected else {
        ui.weak("Select a row of the predictions to see how each column moved its prediction.");
        return;
    };
    let slot = &explanations.scored_row;
    match slot.answer() {
        Some(Shown::Row(explanation)) => row_waterfall(ui, explanation, "score_waterfall"),
        Some(Shown::Failed(message)) => cannot_explain(ui, row, message),
        Some(Shown::Cancelled) | Some(Shown::Summary(_)) => {
            ui.label(format!("The explanation of row {} was cancelled.", row + 1));
            if ui.button("Explain again").clicked() {
                commands.push(Command::ExplainScoredRow { row: Some(row) });
            }
        }
        None => working(ui, slot, &format!("Explaining row {}…", row + 1)),
    }
}

/// The summary over the scored file's rows: a button, then the beeswarm-like plot.
pub fn scored_summary(
    ui: &mut egui::Ui,
    model: &TrainedModel,
    rows: usize,
    explanations: &Explanations,
    commands: &mut Vec<Command>,
) {
    let slot = &explanations.scored_summary;
    let explained = rows.min(SUMMARY_ROWS);
    let which = if explained < rows {
        format!("{explained} of the {rows} rows, evenly spaced through the file")
    } else {
        format!("all {rows} rows")
    };
    let class = match explanations.scored_class {
        Some(k) => model.classes.get(k).map_or("?", String::as_str),
        // Two classes: the second (positive) one, as the summary explains it.
        None if model.classes.len() == 2 => model.classes[1].as_str(),
        None => "each row's predicted class",
    };
    let for_class = if model.classes.is_empty() {
        String::new()
    } else {
        format!(", for {class}")
    };
    ui.label(format!(
        "Each column's contribution in every row, and its mean size: {which}{for_class}."
    ));
    let running = slot.working();
    let label = if slot.asked.is_some() {
        "Explain the rows again"
    } else {
        "Explain the rows"
    };
    if ui
        .add_enabled(!running, egui::Button::new(label))
        .on_hover_text("A job: Cancel in the status bar stops it")
        .clicked()
    {
        commands.push(Command::ExplainRows(ExplainRowsCommand::SummariseScored));
    }
    match slot.answer() {
        Some(Shown::Summary(summary)) => {
            if summary.rows < summary.of_rows {
                ui.weak(format!(
                    "{} of {} rows explained, evenly spaced; the means are over those rows.",
                    summary.rows, summary.of_rows
                ));
            }
            method_note(ui, &summary.method, false);
            contribution_summary::show(ui, &summary.summary, egui::Id::unique("score_summary"));
        }
        Some(Shown::Failed(message)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("The rows cannot be explained: {message}"),
            );
        }
        Some(Shown::Cancelled) | Some(Shown::Row(_)) => {
            ui.label("The summary was cancelled.");
        }
        None if slot.asked.is_some() => working(ui, slot, "Explaining the rows…"),
        None => {}
    }
}

/// "Explain for class: [the predicted class ▾]" for more than two classes; the new choice when
/// one is made.
pub fn class_picker(
    ui: &mut egui::Ui,
    classes: &[String],
    chosen: Option<usize>,
    id: &str,
) -> Option<Option<usize>> {
    if classes.len() <= 2 {
        return None;
    }
    let mut choice = chosen;
    ui.horizontal(|ui| {
        let label = ui.label("Explain for class").id;
        let text = |c: Option<usize>| match c {
            None => "the predicted class".to_string(),
            Some(k) => classes.get(k).cloned().unwrap_or_default(),
        };
        egui::ComboBox::from_id_salt(("explain_class", id))
            .selected_text(text(choice))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut choice, None, text(None));
                for k in 0..classes.len() {
                    ui.selectable_value(&mut choice, Some(k), text(Some(k)));
                }
            })
            .response
            .labelled_by(label);
    });
    (choice != chosen).then_some(choice)
}

/// A row's waterfall, with what to know about the row and, for estimates, their error.
pub fn row_waterfall(ui: &mut egui::Ui, explanation: &RowExplanation, id: &str) {
    ui.strong(format!(
        "Why row {} is predicted as it is",
        explanation.row + 1
    ));
    for note in &explanation.notes {
        ui.label(note);
    }
    method_note(ui, &explanation.method, true);
    waterfall::show(
        ui,
        &explanation.waterfall,
        TOP_COLUMNS,
        egui::Id::unique(("waterfall", id)),
    );
}

/// How the contributions were worked out; for sampled ones, that they are estimates.
fn method_note(ui: &mut egui::Ui, method: &Method, errors_shown: bool) {
    match method {
        Method::Sampling {
            samples,
            background_rows,
            ..
        } => {
            ui.label(
                RichText::new(format!(
                    "These contributions are estimates: sampling Shapley values over {samples} \
                     random orders of the columns against {background_rows} rows of the file. {}",
                    if errors_shown {
                        "Each is shown ± its standard error."
                    } else {
                        "Each dot carries its own sampling error, which the summary does not draw."
                    }
                ))
                .color(ui.visuals().warn_fg_color),
            );
        }
        Method::Linear => {
            ui.weak(
                "Exact: each column's contribution is coefficient × (value − training mean), \
                 a category's levels together.",
            );
        }
        Method::TreeShap => {
            ui.weak("Exact: path-dependent TreeSHAP, as shap's TreeExplainer gives it.");
        }
    }
}

/// Why a row cannot be explained (an older version to retrain), in the window's words.
pub fn cannot_explain(ui: &mut egui::Ui, row: usize, message: &str) {
    ui.colored_label(
        ui.visuals().error_fg_color,
        format!("Row {} cannot be explained: {message}.", row + 1),
    );
}

/// A spinner while a job works on what was asked.
fn working(ui: &mut egui::Ui, slot: &ExplainSlot, text: &str) {
    if slot.asked.is_some() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak(text);
        });
    }
}
