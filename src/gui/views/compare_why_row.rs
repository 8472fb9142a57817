//! Compare's "Why this row": pick a compared run and a row of its dataset, and see how each
//! column moved the prediction for that row — of the fold model that validated it (fitted
//! again), or of the run's final model for a row no fold validated — with the row's label.
//! The choices are widget state in egui's memory; explaining is a command.

use eframe::egui;

use super::row_explanation::{cannot_explain, class_picker, row_waterfall};
use crate::gui::command::Command;
use crate::gui::explanations::{ExplainRowsCommand, Explanations, Shown};
use crate::jobs::{Explaining, TrainingRun};

/// The choices made in the section: the run, the row (0-based) and the class.
#[derive(Debug, Clone, Copy, Default)]
struct Choice {
    run: Option<u64>,
    row: usize,
    class: Option<usize>,
}

/// Draw the section for the compared runs.
pub fn show(
    ui: &mut egui::Ui,
    compared: &[&TrainingRun],
    explanations: &Explanations,
    commands: &mut Vec<Command>,
) {
    egui::CollapsingHeader::new("Why this row")
        .default_open(false)
        .show(ui, |ui| section(ui, compared, explanations, commands));
}

fn section(
    ui: &mut egui::Ui,
    compared: &[&TrainingRun],
    explanations: &Explanations,
    commands: &mut Vec<Command>,
) {
    let runs: Vec<&TrainingRun> = compared
        .iter()
        .copied()
        .filter(|r| r.table.is_some())
        .collect();
    if runs.is_empty() {
        ui.weak(
            "Only runs trained in this session keep their dataset here; explain a version's \
             predictions by scoring a file with it in Score.",
        );
        return;
    }
    let id = ui.scope_id().with("compare_why_row");
    let mut choice: Choice = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let run = choice
        .run
        .and_then(|id| runs.iter().find(|r| r.id == id))
        .copied()
        .unwrap_or(runs[0]);
    choice.run = Some(run.id);
    let rows = run.table.as_ref().map_or(0, |t| t.rows());
    ui.label(
        "How each column moved one row's prediction, from the average prediction. Validation \
         rows are the rows each fold held out.",
    );
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Run").id;
        egui::ComboBox::from_id_salt("why_row_run")
            .selected_text(run.title())
            .width(260.0)
            .show_ui(ui, |ui| {
                for r in &runs {
                    ui.selectable_value(&mut choice.run, Some(r.id), r.title());
                }
            })
            .response
            .labelled_by(label);
        let label = ui.label("Row").id;
        let mut number = choice.row.min(rows.saturating_sub(1)) + 1;
        ui.add(egui::DragValue::new(&mut number).range(1..=rows.max(1)))
            .labelled_by(label);
        ui.weak(format!("of {rows}"));
        choice.row = number - 1;
    });
    if let Some(class) = class_picker(ui, &run.model.classes, choice.class, "compare") {
        choice.class = class;
    }
    if choice.class.is_some_and(|k| k >= run.model.classes.len()) {
        choice.class = None;
    }
    if ui.button("Explain this row").clicked() {
        commands.push(Command::ExplainRows(ExplainRowsCommand::RunRow {
            run: run.id,
            row: choice.row,
            class: choice.class,
        }));
    }
    ui.data_mut(|d| d.insert_temp(id, choice));
    let slot = &explanations.run_row;
    let Some(asked) = slot.asked else { return };
    let Explaining::RunRow { run, row } = asked.what else {
        return;
    };
    ui.separator();
    match slot.answer() {
        Some(Shown::Row(explanation)) => {
            if let Some(r) = compared.iter().find(|r| r.id == run) {
                ui.weak(r.title());
            }
            row_waterfall(ui, explanation, "compare_waterfall");
        }
        Some(Shown::Failed(message)) => cannot_explain(ui, row, message),
        Some(_) => {
            ui.label(format!("The explanation of row {} was cancelled.", row + 1));
        }
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak(format!("Explaining row {}…", row + 1));
            });
        }
    }
}
