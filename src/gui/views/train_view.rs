//! The Train view: dataset, target (with its class balance), features, the preprocessing
//! each feature gets, algorithms with their parameters, the validation scheme, and the
//! runs trained this session.

use eframe::egui;

use crate::data::{ColumnKind, Role};
use crate::gui::app::ModeldeskApp;
use crate::gui::command::Command;
use crate::ml::eval::Validation;
use crate::ml::prep::{ColumnStep, Recipe};
use crate::ml::spec::{LogisticSpec, ModelSpec};
use crate::ml::target::{infer_task, Task};

/// The choices of the Train view (a form: edited in place, used when Train is pressed).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainForm {
    pub use_logistic: bool,
    pub logistic: LogisticSpec,
    pub cross_validate: bool,
    pub folds: usize,
    pub holdout: f64,
    pub seed: u64,
}

impl Default for TrainForm {
    fn default() -> Self {
        TrainForm {
            use_logistic: true,
            logistic: LogisticSpec::default(),
            cross_validate: true,
            folds: 5,
            holdout: 0.2,
            seed: 0,
        }
    }
}

impl TrainForm {
    /// The algorithms ticked, with their parameters.
    pub fn specs(&self) -> Vec<ModelSpec> {
        let mut specs = Vec::new();
        if self.use_logistic {
            specs.push(ModelSpec::LogisticRegression(self.logistic.clone()));
        }
        specs
    }

    /// The validation scheme chosen.
    pub fn validation(&self) -> Validation {
        if self.cross_validate {
            Validation::CrossValidation {
                folds: self.folds,
                seed: self.seed,
            }
        } else {
            Validation::Holdout {
                fraction: self.holdout,
                seed: self.seed,
            }
        }
    }
}

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
                let task = infer_task(&table.columns[i]);
                ui.weak(match task {
                    Task::Classification => "classification",
                    Task::Regression => "regression (not trainable in this build yet)",
                });
            }
        });
        if let Some(balance) = &dataset.profile.class_balance {
            let total: u64 = balance.iter().map(|b| b.1).sum::<u64>().max(1);
            let parts: Vec<String> = balance
                .iter()
                .take(12)
                .map(|(level, n)| format!("{level} {:.1}%", 100.0 * *n as f64 / total as f64))
                .collect();
            ui.weak(format!("Class balance: {}", parts.join(" · ")));
        }
        ui.separator();
        features(ui, app, commands);
        ui.separator();
        algorithms(ui, form);
        ui.separator();
        validation(ui, form);
        ui.separator();
        let reason = if target.is_none() {
            Some("Choose the column to predict first")
        } else if !app.jobs.is_idle() {
            Some("A job is running; wait for it or cancel it")
        } else if form.specs().is_empty() {
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

fn features(ui: &mut egui::Ui, app: &ModeldeskApp, commands: &mut Vec<Command>) {
    let Some(dataset) = app.current() else {
        return;
    };
    let table = &dataset.table;
    let recipe = Recipe::default_for(table);
    ui.horizontal(|ui| {
        ui.strong("Features");
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
                let step = recipe
                    .columns
                    .iter()
                    .find(|c| c.column == column.name)
                    .map(|c| &c.step);
                ui.label(match (column.role, step) {
                    (Role::Feature, Some(ColumnStep::Numeric { .. })) => {
                        "impute the mean, standardise"
                    }
                    (Role::Feature, Some(ColumnStep::OneHot { .. })) => {
                        "one-hot, missing as its own level"
                    }
                    (Role::Feature, _)
                        if matches!(column.kind, ColumnKind::Text | ColumnKind::Date) =>
                    {
                        "not used: text and dates need encoding first"
                    }
                    _ => "not used",
                });
                ui.end_row();
            }
        });
}

fn algorithms(ui: &mut egui::Ui, form: &mut TrainForm) {
    ui.strong("Algorithms");
    ui.checkbox(&mut form.use_logistic, "Logistic regression")
        .on_hover_text(
            "Linear model of the log-odds; binary for two classes, multinomial for more.",
        );
    ui.add_enabled_ui(form.use_logistic, |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("C").id;
            ui.add(
                egui::DragValue::new(&mut form.logistic.c)
                    .range(1e-4..=1e4)
                    .speed(0.01),
            )
            .labelled_by(label)
            .on_hover_text("Inverse regularisation strength, as scikit-learn's C: smaller means a stronger L2 penalty.");
            let label = ui.label("Max iterations").id;
            ui.add(egui::DragValue::new(&mut form.logistic.max_iterations).range(1..=10_000))
                .labelled_by(label)
                .on_hover_text("L-BFGS stops here even if not converged (you are told when that happens).");
            let label = ui.label("Tolerance").id;
            ui.add(
                egui::DragValue::new(&mut form.logistic.tolerance)
                    .range(1e-10..=1.0)
                    .speed(1e-6)
                    .max_decimals(8),
            )
            .labelled_by(label)
            .on_hover_text("Converged when every gradient component of the mean loss is below this (scikit-learn's tol).");
        });
    });
}

fn validation(ui: &mut egui::Ui, form: &mut TrainForm) {
    ui.strong("Validation");
    ui.horizontal(|ui| {
        ui.radio_value(
            &mut form.cross_validate,
            true,
            "Stratified k-fold cross-validation",
        );
        ui.add_enabled(
            form.cross_validate,
            egui::Slider::new(&mut form.folds, 2..=20).text("folds"),
        );
    });
    ui.horizontal(|ui| {
        ui.radio_value(&mut form.cross_validate, false, "Stratified hold-out");
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
        .num_columns(6)
        .striped(true)
        .show(ui, |ui| {
            for header in [
                "Run",
                "Validation",
                "accuracy",
                "f1_macro",
                "roc_auc",
                "log_loss",
            ] {
                ui.strong(header);
            }
            ui.end_row();
            for run in app.runs.iter().rev() {
                let e = &run.evaluation;
                ui.label(run.title());
                ui.label(match e.validation {
                    Validation::CrossValidation { folds, .. } => {
                        format!("{folds}-fold CV, {} rows", e.rows_used)
                    }
                    Validation::Holdout { fraction, .. } => {
                        format!("hold-out {:.0}%, {} rows", fraction * 100.0, e.rows_used)
                    }
                });
                for metric in ["accuracy", "f1_macro", "roc_auc", "log_loss"] {
                    match (e.mean.get(metric), e.std.get(metric)) {
                        (Some(m), Some(s)) => ui.label(format!("{m:.4} ± {s:.4}")),
                        _ => ui.weak("—"),
                    };
                }
                ui.end_row();
            }
        });
}
