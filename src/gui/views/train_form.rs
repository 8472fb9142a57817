//! The Train view's form: the task, the algorithms with their parameters, the preprocessing
//! step of each column and the validation scheme — and the widgets that edit them.

use eframe::egui;
use std::collections::BTreeMap;

use crate::data::{Column, ColumnKind, Table};
use crate::ml::eval::Validation;
use crate::ml::prep::{CategoricalImpute, ColumnStep, NumericImpute, Recipe, Scaling};
use crate::ml::spec::{Criterion, ModelSpec};
use crate::ml::target::Task;

/// The choices of the Train view (a form: edited in place, used when Train is pressed).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainForm {
    /// `None` follows the task inferred from the target.
    pub task: Option<Task>,
    /// Every algorithm, ticked or not, with its parameters.
    pub algorithms: Vec<(bool, ModelSpec)>,
    /// Steps the user changed, by column name; other columns get their default.
    pub steps: BTreeMap<String, ColumnStep>,
    pub cross_validate: bool,
    pub folds: usize,
    pub holdout: f64,
    pub seed: u64,
}

impl Default for TrainForm {
    fn default() -> Self {
        TrainForm {
            task: None,
            algorithms: ModelSpec::all()
                .into_iter()
                .map(|spec| {
                    (
                        matches!(
                            spec,
                            ModelSpec::LogisticRegression(_) | ModelSpec::LinearRegression(_)
                        ),
                        spec,
                    )
                })
                .collect(),
            steps: BTreeMap::new(),
            cross_validate: true,
            folds: 5,
            holdout: 0.2,
            seed: 0,
        }
    }
}

impl TrainForm {
    /// The algorithms ticked for `task`, with their parameters.
    pub fn specs(&self, task: Task) -> Vec<ModelSpec> {
        self.algorithms
            .iter()
            .filter(|(on, spec)| *on && spec.task() == task)
            .map(|(_, spec)| spec.clone())
            .collect()
    }

    /// Tick or untick the algorithm with this command-line name.
    pub fn tick(&mut self, name: &str, on: bool) {
        for (ticked, spec) in &mut self.algorithms {
            if spec.name() == name {
                *ticked = on;
            }
        }
    }

    /// The recipe for `table`: each feature's default step unless the user chose another.
    pub fn recipe(&self, table: &Table) -> Recipe {
        let mut recipe = Recipe::default_for(table);
        for column in &mut recipe.columns {
            if let Some(step) = self.steps.get(&column.column) {
                column.step = *step;
            }
        }
        recipe
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

/// The editor of one column's step; returns the new step when the user changed it.
pub fn step_editor(ui: &mut egui::Ui, column: &Column, step: ColumnStep) -> Option<ColumnStep> {
    let mut changed = None;
    let id = &column.name;
    let numeric = matches!(column.kind, ColumnKind::Integer | ColumnKind::Float);
    ui.horizontal(|ui| match step {
        ColumnStep::Numeric { impute, scale } => {
            let mut new_impute = impute;
            egui::ComboBox::from_id_salt(("impute", id))
                .selected_text(impute_label(impute))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut new_impute, NumericImpute::Mean, "impute mean");
                    ui.selectable_value(&mut new_impute, NumericImpute::Median, "impute median");
                    ui.selectable_value(&mut new_impute, NumericImpute::Constant(0.0), "impute constant");
                })
                .response
                .on_hover_text("How a missing number is filled in (learned from the training rows only).");
            if let NumericImpute::Constant(mut value) = new_impute {
                if ui.add(egui::DragValue::new(&mut value).speed(0.1)).changed() {
                    new_impute = NumericImpute::Constant(value);
                }
            }
            let mut new_scale = scale;
            egui::ComboBox::from_id_salt(("scale", id))
                .selected_text(scale_label(scale))
                .show_ui(ui, |ui| {
                    for s in [Scaling::Standardize, Scaling::MinMax, Scaling::None] {
                        ui.selectable_value(&mut new_scale, s, scale_label(s));
                    }
                })
                .response
                .on_hover_text("Standardise: (x − mean) / std. Min-max: into [0, 1]. Fitted on training rows.");
            if (new_impute, new_scale) != (impute, scale) {
                changed = Some(ColumnStep::Numeric {
                    impute: new_impute,
                    scale: new_scale,
                });
            }
            if ui.small_button("ignore").on_hover_text("Leave this column out of the model").clicked() {
                changed = Some(ColumnStep::Ignore);
            }
        }
        ColumnStep::OneHot { impute } => {
            let mut new = impute;
            egui::ComboBox::from_id_salt(("onehot", id))
                .selected_text(match impute {
                    CategoricalImpute::MissingLevel => "one-hot, missing as a level",
                    CategoricalImpute::MostFrequent => "one-hot, missing as most frequent",
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut new, CategoricalImpute::MissingLevel, "one-hot, missing as a level");
                    ui.selectable_value(&mut new, CategoricalImpute::MostFrequent, "one-hot, missing as most frequent");
                })
                .response
                .on_hover_text("One column per level seen in training; a level first seen when predicting gets all zeros and is counted.");
            if new != impute {
                changed = Some(ColumnStep::OneHot { impute: new });
            }
            if ui.small_button("ignore").on_hover_text("Leave this column out of the model").clicked() {
                changed = Some(ColumnStep::Ignore);
            }
        }
        ColumnStep::Ignore => {
            ui.weak(match column.kind {
                ColumnKind::Text | ColumnKind::Date => "not used (text and dates)",
                _ => "not used",
            });
            let label = if numeric { "use as number" } else { "one-hot encode" };
            if ui.small_button(label).clicked() {
                changed = Some(if numeric {
                    ColumnStep::default_for(column.kind)
                } else {
                    ColumnStep::OneHot {
                        impute: CategoricalImpute::MissingLevel,
                    }
                });
            }
        }
    });
    changed
}

fn impute_label(impute: NumericImpute) -> String {
    match impute {
        NumericImpute::Mean => "impute mean".into(),
        NumericImpute::Median => "impute median".into(),
        NumericImpute::Constant(_) => "impute constant".into(),
    }
}

fn scale_label(scale: Scaling) -> &'static str {
    match scale {
        Scaling::Standardize => "standardise",
        Scaling::MinMax => "min-max",
        Scaling::None => "no scaling",
    }
}

/// Checkboxes and parameter editors for the algorithms of `task`.
pub fn algorithm_editors(ui: &mut egui::Ui, form: &mut TrainForm, task: Task) {
    for (on, spec) in form.algorithms.iter_mut().filter(|(_, s)| s.task() == task) {
        let title = capitalised(spec.title());
        ui.checkbox(on, title).on_hover_text(algorithm_help(spec));
        ui.add_enabled_ui(*on, |ui| {
            ui.indent(spec.name(), |ui| parameters(ui, spec));
        });
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn algorithm_help(spec: &ModelSpec) -> &'static str {
    match spec {
        ModelSpec::LogisticRegression(_) => "Linear model of the log-odds; binary for two classes, multinomial for more (linfa-logistic).",
        ModelSpec::DecisionTree(_) => "A tree of yes/no questions on single features (CART, grown as scikit-learn grows it). Probabilities are the class shares in each leaf.",
        ModelSpec::RandomForest(_) => "Many trees on bootstrap samples; each split looks at a random share of the features. Probabilities are averaged.",
        ModelSpec::NaiveBayes(_) => "Each feature normal within each class, features independent (linfa-bayes).",
        ModelSpec::LinearRegression(_) => "Ordinary least squares with an intercept (linfa-linear).",
        ModelSpec::Ridge(_) => "Least squares with an L2 penalty (linfa-elasticnet, L1 ratio 0).",
        ModelSpec::Lasso(_) => "Least squares with an L1 penalty that sets weak weights to zero (linfa-elasticnet, L1 ratio 1).",
        ModelSpec::ElasticNet(_) => "Least squares with a mix of L1 and L2 penalties (linfa-elasticnet), as scikit-learn's ElasticNet.",
    }
}

/// A labelled editor in a row.
fn field(ui: &mut egui::Ui, label: &str, help: &str, widget: impl egui::Widget) {
    let id = ui.label(label).id;
    ui.add(widget).labelled_by(id).on_hover_text(help);
}

fn depth_editor(ui: &mut egui::Ui, depth: &mut Option<usize>) {
    let mut limited = depth.is_some();
    if ui
        .checkbox(&mut limited, "Max depth")
        .on_hover_text("Deepest level of a tree. Unlimited grows until leaves are pure (many nodes, and slower, on large tables).")
        .changed()
    {
        *depth = limited.then_some(10);
    }
    if let Some(d) = depth {
        ui.add(egui::DragValue::new(d).range(1..=64));
    }
}

fn parameters(ui: &mut egui::Ui, spec: &mut ModelSpec) {
    ui.horizontal_wrapped(|ui| match spec {
        ModelSpec::LogisticRegression(s) => {
            field(ui, "C", "Inverse regularisation strength, as scikit-learn's C: smaller means a stronger L2 penalty.",
                egui::DragValue::new(&mut s.c).range(1e-4..=1e4).speed(0.01));
            field(ui, "Max iterations", "L-BFGS stops here even if not converged (you are told when that happens).",
                egui::DragValue::new(&mut s.max_iterations).range(1..=10_000));
            field(ui, "Tolerance", "Converged when every gradient component of the mean loss is below this (scikit-learn's tol).",
                egui::DragValue::new(&mut s.tolerance).range(1e-10..=1.0).speed(1e-6).max_decimals(8));
        }
        ModelSpec::DecisionTree(s) => {
            depth_editor(ui, &mut s.max_depth);
            field(ui, "Min rows to split", "A node with fewer training rows becomes a leaf (scikit-learn's min_samples_split).",
                egui::DragValue::new(&mut s.min_samples_split).range(2..=100_000));
            field(ui, "Min rows per leaf", "A split that leaves fewer rows on a side is not taken (min_samples_leaf).",
                egui::DragValue::new(&mut s.min_samples_leaf).range(1..=100_000));
            egui::ComboBox::from_id_salt("tree_criterion")
                .selected_text(format!("{:?}", s.criterion))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut s.criterion, Criterion::Gini, "Gini");
                    ui.selectable_value(&mut s.criterion, Criterion::Entropy, "Entropy");
                })
                .response
                .on_hover_text("How a split is judged: Gini impurity or entropy (information gain).");
        }
        ModelSpec::RandomForest(s) => {
            field(ui, "Trees", "Number of trees; more is steadier and slower.",
                egui::DragValue::new(&mut s.trees).range(1..=10_000));
            depth_editor(ui, &mut s.max_depth);
            field(ui, "Feature share", "Share of the features each split looks at (drawn afresh at every split).",
                egui::DragValue::new(&mut s.feature_fraction).range(0.05..=1.0).speed(0.01));
            field(ui, "Seed", "Seed of the bootstrap samples and feature draws.",
                egui::DragValue::new(&mut s.seed));
        }
        ModelSpec::NaiveBayes(s) => {
            field(ui, "Variance smoothing", "Share of the largest feature variance added to all variances, for stability (scikit-learn's var_smoothing).",
                egui::DragValue::new(&mut s.var_smoothing).range(0.0..=1.0).speed(1e-9).max_decimals(12));
        }
        ModelSpec::LinearRegression(_) => {
            ui.weak("No parameters.");
        }
        ModelSpec::Ridge(s) | ModelSpec::Lasso(s) => {
            field(ui, "Alpha", "Strength of the penalty, as scikit-learn's ElasticNet alpha (the loss is the mean squared error / 2 plus the penalty).",
                egui::DragValue::new(&mut s.alpha).range(1e-6..=1e6).speed(0.01));
            field(ui, "Max sweeps", "Coordinate-descent passes over the features.",
                egui::DragValue::new(&mut s.max_iterations).range(1..=100_000));
        }
        ModelSpec::ElasticNet(s) => {
            field(ui, "Alpha", "Strength of the penalty, as scikit-learn's ElasticNet alpha.",
                egui::DragValue::new(&mut s.alpha).range(1e-6..=1e6).speed(0.01));
            field(ui, "L1 ratio", "0 is ridge, 1 is lasso.",
                egui::DragValue::new(&mut s.l1_ratio).range(0.0..=1.0).speed(0.01));
            field(ui, "Max sweeps", "Coordinate-descent passes over the features.",
                egui::DragValue::new(&mut s.max_iterations).range(1..=100_000));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_picks_specs_by_task_and_applies_step_overrides() {
        let mut form = TrainForm::default();
        assert_eq!(form.specs(Task::Classification).len(), 1);
        assert_eq!(form.specs(Task::Regression)[0].name(), "linear_regression");
        form.tick("random_forest", true);
        assert_eq!(form.specs(Task::Classification).len(), 2);
        let table = crate::ml::target::sample_with_target("penguins.csv", "species");
        form.steps.insert("island".into(), ColumnStep::Ignore);
        let recipe = form.recipe(&table);
        let island = recipe
            .columns
            .iter()
            .find(|c| c.column == "island")
            .unwrap();
        assert_eq!(island.step, ColumnStep::Ignore);
    }
}
