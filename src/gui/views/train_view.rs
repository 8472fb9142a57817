//! The Train view: dataset, target (with its class balance), features, the preprocessing
//! each feature gets, algorithms with their parameters, the validation scheme, and the
//! runs trained this session.

use eframe::egui;

use crate::data::Role;
use crate::gui::app::ModeldeskApp;
use crate::gui::command::Command;
use crate::ml::eval::Validation;
use crate::ml::metric_registry;
use crate::ml::target::{infer_task, Task};

pub use super::train_form::TrainForm;
use super::train_form::{algorithm_editors, step_editor};

/// Draw the Train view.
pub fn show(
    ui: &mut egui::Ui,
    app: &ModeldeskApp,
    form: &mut TrainForm,
    commands: &mut Vec<Command>,
) {
    let Some(dataset) = app.current() else {
        ui.label(
            "Import a dataset in Data first; then choose here what to predict and how to validate.",
        );
        return;
    };
    let table = &dataset.table;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("Dataset").id;
            egui::ComboBox::from_id_salt("train_dataset")
                .selected_text(&table.name)
                .show_ui(ui, |ui| {
                    for (i, d) in app.datasets.iter().enumerate() {
                        if ui
                            .selectable_label(app.selected == Some(i), &d.table.name)
                            .clicked()
                        {
                            commands.push(Command::SelectDataset(i));
                        }
                    }
                })
                .response
                .labelled_by(label);
            ui.weak(format!(
                "{} rows × {} columns",
                table.rows(),
                table.columns.len()
            ));
        });
        ui.separator();
        let target = table.target_index();
        ui.horizontal(|ui| {
            let label = ui.label("Predict").id;
            let current = target.map_or("choose a column", |i| table.columns[i].name.as_str());
            egui::ComboBox::from_id_salt("train_target")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (i, column) in table.columns.iter().enumerate() {
                        if ui
                            .selectable_label(target == Some(i), &column.name)
                            .clicked()
                        {
                            commands.push(Command::SetRole {
                                column: i,
                                role: Role::Target,
                            });
                        }
                    }
                })
                .response
                .labelled_by(label);
            if let Some(i) = target {
                let inferred = infer_task(&table.columns[i]);
                let label = ui.label("as").id;
                egui::ComboBox::from_id_salt("train_task")
                    .selected_text(match form.task {
                        None => format!("{} (inferred)", inferred.noun()),
                        Some(t) => t.noun().to_string(),
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut form.task, None, format!("{} (inferred)", inferred.noun()));
                        ui.selectable_value(&mut form.task, Some(Task::Classification), "classification");
                        ui.selectable_value(&mut form.task, Some(Task::Regression), "regression");
                    })
                    .response
                    .labelled_by(label)
                    .on_hover_text("Classification for categories and integers with few values; regression for quantities. Override when the guess is wrong.");
            }
        });
        let task = target.map(|i| form.task.unwrap_or_else(|| infer_task(&table.columns[i])));
        if let (Some(balance), Some(Task::Classification)) = (&dataset.profile.class_balance, task) {
            let total: u64 = balance.iter().map(|b| b.1).sum::<u64>().max(1);
            let parts: Vec<String> = balance
                .iter()
                .take(12)
                .map(|(level, n)| format!("{level} {:.1}%", 100.0 * *n as f64 / total as f64))
                .collect();
            ui.weak(format!("Class balance: {}", parts.join(" · ")));
        }
        ui.separator();
        features(ui, app, form, commands);
        ui.separator();
        ui.strong("Algorithms");
        let classes: Vec<String> = match (&dataset.profile.class_balance, task) {
            (Some(balance), Some(Task::Classification)) => {
                balance.iter().map(|(level, _)| level.clone()).collect()
            }
            _ => Vec::new(),
        };
        algorithm_editors(ui, form, task.unwrap_or(Task::Classification), &classes);
        ui.separator();
        validation(ui, form, task.unwrap_or(Task::Classification));
        ui.separator();
        let reason = if target.is_none() {
            Some("Choose the column to predict first")
        } else if !app.jobs.is_idle() {
            Some("A job is running; wait for it or cancel it")
        } else if form.specs(task.unwrap_or(Task::Classification)).is_empty() {
            Some("Tick at least one algorithm")
        } else {
            None
        };
        let train = ui
            .add_enabled(reason.is_none(), egui::Button::new("Train and validate"))
            .on_disabled_hover_text(reason.unwrap_or_default());
        if train.clicked() {
            commands.push(Command::Train);
        }
        ui.separator();
        runs(ui, app);
    });
}

fn features(
    ui: &mut egui::Ui,
    app: &ModeldeskApp,
    form: &mut TrainForm,
    commands: &mut Vec<Command>,
) {
    let Some(dataset) = app.current() else {
        return;
    };
    let table = &dataset.table;
    let recipe = form.recipe(table);
    ui.horizontal(|ui| {
        ui.strong("Features and their preprocessing");
        let candidates: Vec<usize> = (0..table.columns.len())
            .filter(|&i| table.columns[i].role != Role::Target)
            .collect();
        if ui.small_button("All").clicked() {
            for &i in &candidates {
                commands.push(Command::SetRole {
                    column: i,
                    role: Role::Feature,
                });
            }
        }
        if ui.small_button("None").clicked() {
            for &i in &candidates {
                commands.push(Command::SetRole {
                    column: i,
                    role: Role::Ignore,
                });
            }
        }
        if !form.steps.is_empty()
            && ui
                .small_button("Default steps")
                .on_hover_text("Forget the steps changed here")
                .clicked()
        {
            form.steps.clear();
        }
    });
    egui::Grid::new("train_features")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for (i, column) in table.columns.iter().enumerate() {
                if column.role == Role::Target {
                    continue;
                }
                let mut used = column.role == Role::Feature;
                if ui.checkbox(&mut used, &column.name).changed() {
                    let role = if used { Role::Feature } else { Role::Ignore };
                    commands.push(Command::SetRole { column: i, role });
                }
                ui.weak(column.kind.name());
                match recipe.columns.iter().find(|c| c.column == column.name) {
                    Some(step) if column.role == Role::Feature => {
                        if let Some(new) = step_editor(ui, column, step.step) {
                            form.steps.insert(column.name.clone(), new);
                        }
                    }
                    _ => {
                        ui.weak("not used");
                    }
                }
                ui.end_row();
            }
        });
}

fn validation(ui: &mut egui::Ui, form: &mut TrainForm, task: Task) {
    ui.strong("Validation");
    let stratified = if task == Task::Classification {
        "Stratified "
    } else {
        "Shuffled "
    };
    ui.horizontal(|ui| {
        ui.radio_value(
            &mut form.cross_validate,
            true,
            format!("{stratified}k-fold cross-validation"),
        );
        ui.add_enabled(
            form.cross_validate,
            egui::Slider::new(&mut form.folds, 2..=20).text("folds"),
        );
    });
    ui.horizontal(|ui| {
        ui.radio_value(
            &mut form.cross_validate,
            false,
            format!("{stratified}hold-out"),
        );
        ui.add_enabled(
            !form.cross_validate,
            egui::Slider::new(&mut form.holdout, 0.05..=0.95).text("of rows validate"),
        );
    });
    ui.horizontal(|ui| {
        let label = ui.label("Seed").id;
        ui.add(egui::DragValue::new(&mut form.seed))
            .labelled_by(label);
    });
}

fn runs(ui: &mut egui::Ui, app: &ModeldeskApp) {
    ui.strong("Runs this session");
    if app.runs.is_empty() {
        ui.weak("None yet: press Train and validate.");
        return;
    }
    egui::Grid::new("train_runs")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for header in ["Run", "Validation", "Mean over folds"] {
                ui.strong(header);
            }
            ui.end_row();
            for run in app.runs.iter().rev() {
                let e = &run.evaluation;
                ui.label(run.title());
                let mut validation = match e.validation {
                    Validation::CrossValidation { folds, .. } => {
                        format!("{folds}-fold CV, {} rows", e.rows_used)
                    }
                    Validation::Holdout { fraction, .. } => {
                        format!("hold-out {:.0}%, {} rows", fraction * 100.0, e.rows_used)
                    }
                };
                if e.rows_dropped > 0 {
                    validation.push_str(&format!(" ({} dropped: no target value)", e.rows_dropped));
                }
                ui.label(validation);
                ui.horizontal(|ui| {
                    let headline = metric_registry::METRICS
                        .iter()
                        .filter(|m| m.prominence == metric_registry::Prominence::Headline);
                    for m in headline {
                        if let (Some(mean), Some(std)) = (e.mean.get(m.key), e.std.get(m.key)) {
                            ui.label(format!("{} {mean:.4} ± {std:.4}", m.label))
                                .on_hover_text(metric_registry::tooltip(m.key));
                        }
                    }
                });
                ui.end_row();
            }
        });
}
