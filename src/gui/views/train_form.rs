//! The Train view's form: the task, the algorithms with their parameters, the preprocessing
//! step of each column and the validation scheme — and the widgets that edit them.

use eframe::egui;
use std::collections::BTreeMap;

use crate::data::{Column, ColumnKind, Table};
use crate::ml::algorithm::{Param, ParamKind, ParamValue};
use crate::ml::class_weight::ClassWeight;
use crate::ml::eval::Validation;
use crate::ml::prep::{
    CategoricalImpute, ColumnStep, MinFrequency, NumericImpute, RareLevels, Recipe, Scaling,
};
use crate::ml::spec::ModelSpec;
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
                .map(|spec| (spec == ModelSpec::default_for(spec.task()), spec))
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
            .filter(|(on, spec)| *on && spec.supports(task))
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
        }
        ColumnStep::OneHot { impute, rare } => {
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
            let new_rare = rare_editor(ui, id, rare);
            if (new, new_rare) != (impute, rare) {
                changed = Some(ColumnStep::OneHot {
                    impute: new,
                    rare: new_rare,
                });
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
                        rare: RareLevels::default(),
                    }
                });
            }
        }
    });
    changed
}

/// How rare levels are grouped: a choice of rule, then the rule's number beside it.
fn rare_editor(ui: &mut egui::Ui, id: &str, rare: RareLevels) -> RareLevels {
    let mut new = rare;
    let selected = match (rare.min_frequency, rare.max_categories) {
        (None, None) => "all levels",
        (Some(_), None) => "group rare levels",
        (None, Some(_)) => "at most N columns",
        (Some(_), Some(_)) => "group rare, at most N",
    };
    egui::ComboBox::from_id_salt(("rare", id))
        .selected_text(selected)
        .show_ui(ui, |ui| {
            if ui.selectable_label(rare.is_off(), "all levels").clicked() {
                new = RareLevels::default();
            }
            if ui
                .selectable_label(rare.min_frequency.is_some(), "group rare levels")
                .on_hover_text("Levels seen in fewer training rows than N share one column, (infrequent)")
                .clicked()
            {
                new.min_frequency = match rare.min_frequency {
                    Some(_) => None,
                    None => Some(MinFrequency::Count(5)),
                };
            }
            if ui
                .selectable_label(rare.max_categories.is_some(), "at most N columns")
                .on_hover_text("The least frequent levels join (infrequent) until the column has at most N, the group's included")
                .clicked()
            {
                new.max_categories = match rare.max_categories {
                    Some(_) => None,
                    None => Some(20),
                };
            }
        })
        .response
        .on_hover_text("Rare levels can share one (infrequent) column, as scikit-learn's min_frequency and max_categories.");
    match &mut new.min_frequency {
        Some(MinFrequency::Count(rows)) => {
            ui.add(
                egui::DragValue::new(rows)
                    .range(1..=u64::MAX)
                    .prefix("under ")
                    .suffix(" rows"),
            )
            .on_hover_text("A level seen in fewer training rows joins (infrequent).");
        }
        Some(MinFrequency::Share(share)) => {
            ui.add(
                egui::DragValue::new(share)
                    .range(0.0001..=0.9999)
                    .speed(0.001)
                    .prefix("under ")
                    .custom_formatter(|v, _| format!("{:.2} %", v * 100.0))
                    .custom_parser(|t| {
                        t.trim_end_matches('%')
                            .trim()
                            .parse::<f64>()
                            .ok()
                            .map(|p| p / 100.0)
                    }),
            )
            .on_hover_text(
                "A level seen in a smaller share of the training rows joins (infrequent).",
            );
        }
        None => {}
    }
    if let Some(columns) = &mut new.max_categories {
        ui.add(
            egui::DragValue::new(columns)
                .range(1..=u32::MAX)
                .prefix("≤ ")
                .suffix(" columns"),
        )
        .on_hover_text("At most this many columns for the levels, (infrequent) included.");
    }
    new
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

/// Checkboxes and parameter editors for the algorithms of `task`; `classes` are the
/// target's classes (empty when unknown), each of which may get a weight.
pub fn algorithm_editors(ui: &mut egui::Ui, form: &mut TrainForm, task: Task, classes: &[String]) {
    for (on, spec) in form.algorithms.iter_mut().filter(|(_, s)| s.supports(task)) {
        let title = capitalised(spec.title());
        ui.checkbox(on, title)
            .on_hover_text(spec.algorithm().help());
        ui.add_enabled_ui(*on, |ui| {
            ui.indent(spec.name(), |ui| parameters(ui, spec, task, classes));
        });
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A labelled editor in a row.
fn field(ui: &mut egui::Ui, label: &str, help: &str, widget: impl egui::Widget) {
    keep_together(ui, label, ui.spacing().interact_size.x);
    let id = ui.label(label).id;
    ui.add(widget).labelled_by(id).on_hover_text(help);
}

/// Start a new row unless `label` and an editor `editor_width` wide fit in this one, so that
/// a wrapped row never parts a label from its editor.
fn keep_together(ui: &mut egui::Ui, label: &str, editor_width: f32) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text = ui
        .fonts_mut(|f| f.layout_no_wrap(label.to_string(), font, egui::Color32::WHITE))
        .size()
        .x;
    let needed = text + editor_width + 3.0 * ui.spacing().item_spacing.x;
    // In a wrapping row `available_width` is a whole row's; this is what is left of this one.
    let left = ui.available_rect_before_wrap().width();
    if left < needed && left < ui.max_rect().width() {
        ui.end_row();
    }
}

/// The editors of every parameter of `spec`, as its algorithm describes them (class weights
/// only when classes are learned).
fn parameters(ui: &mut egui::Ui, spec: &mut ModelSpec, task: Task, classes: &[String]) {
    ui.horizontal_wrapped(|ui| {
        let params: Vec<_> = spec
            .params()
            .into_iter()
            .filter(|(p, _)| task == Task::Classification || p.kind != ParamKind::ClassWeights)
            .collect();
        if params.is_empty() {
            ui.weak("No parameters.");
        }
        for (param, value) in params {
            if let Some(new) = param_editor(ui, spec.name(), param, value, classes) {
                // The editors keep to the parameter's range, which every algorithm accepts.
                let _ = spec.set_param(param.key, new);
            }
        }
    });
}

/// The editor of one parameter; returns the new value when the user changed it.
fn param_editor(
    ui: &mut egui::Ui,
    algorithm: &str,
    param: &Param,
    value: ParamValue,
    classes: &[String],
) -> Option<ParamValue> {
    let before = value.clone();
    let value = match (param.kind, value) {
        (
            ParamKind::Number {
                min,
                max,
                speed,
                decimals,
            },
            ParamValue::Number(mut v),
        ) => {
            let mut drag = egui::DragValue::new(&mut v).range(min..=max).speed(speed);
            if let Some(decimals) = decimals {
                drag = drag.max_decimals(decimals);
            }
            field(ui, param.label, param.help, drag);
            ParamValue::Number(v)
        }
        (ParamKind::Count { min, max }, ParamValue::Count(mut v)) => {
            field(
                ui,
                param.label,
                param.help,
                egui::DragValue::new(&mut v).range(min..=max),
            );
            ParamValue::Count(v)
        }
        (ParamKind::Limit { min, max, limited }, ParamValue::Limit(mut limit)) => {
            let spacing = ui.spacing();
            let width = spacing.icon_width + 2.0 * spacing.interact_size.x;
            keep_together(ui, param.label, width);
            let mut on = limit.is_some();
            if ui
                .checkbox(&mut on, param.label)
                .on_hover_text(param.help)
                .changed()
            {
                limit = on.then_some(limited);
            }
            if let Some(v) = &mut limit {
                ui.add(egui::DragValue::new(v).range(min..=max));
            }
            ParamValue::Limit(limit)
        }
        (ParamKind::Choice { options }, ParamValue::Choice(mut chosen)) => {
            let label = options
                .iter()
                .find(|o| o.0 == chosen)
                .map_or(chosen, |o| o.1);
            keep_together(ui, param.label, ui.spacing().combo_width);
            let id = ui.label(param.label).id;
            egui::ComboBox::from_id_salt((algorithm, param.key))
                .selected_text(label)
                .show_ui(ui, |ui| {
                    for &(stored, shown) in options {
                        ui.selectable_value(&mut chosen, stored, shown);
                    }
                })
                .response
                .labelled_by(id)
                .on_hover_text(param.help);
            ParamValue::Choice(chosen)
        }
        (ParamKind::ClassWeights, ParamValue::ClassWeights(weights)) => {
            ParamValue::ClassWeights(class_weight_editor(ui, algorithm, param, weights, classes))
        }
        _ => return None,
    };
    (value != before).then_some(value)
}

/// Equal, balanced or per class; per class, a weight for each of the target's classes
/// (offered once the target's classes are known).
fn class_weight_editor(
    ui: &mut egui::Ui,
    algorithm: &str,
    param: &Param,
    weights: ClassWeight,
    classes: &[String],
) -> ClassWeight {
    #[derive(PartialEq, Clone, Copy)]
    enum Mode {
        Equal,
        Balanced,
        PerClass,
    }
    let mode = match weights {
        ClassWeight::None => Mode::Equal,
        ClassWeight::Balanced => Mode::Balanced,
        ClassWeight::Explicit(_) => Mode::PerClass,
    };
    let label = |m: Mode| match m {
        Mode::Equal => "Equal",
        Mode::Balanced => "Balanced",
        Mode::PerClass => "Per class",
    };
    keep_together(ui, param.label, ui.spacing().combo_width);
    let id = ui.label(param.label).id;
    let mut chosen = mode;
    egui::ComboBox::from_id_salt((algorithm, param.key))
        .selected_text(label(mode))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut chosen, Mode::Equal, label(Mode::Equal));
            ui.selectable_value(&mut chosen, Mode::Balanced, label(Mode::Balanced));
            ui.add_enabled_ui(!classes.is_empty(), |ui| {
                ui.selectable_value(&mut chosen, Mode::PerClass, label(Mode::PerClass))
                    .on_disabled_hover_text("Choose a target with classes first");
            });
        })
        .response
        .labelled_by(id)
        .on_hover_text(param.help);
    let mut weights = match (chosen, weights) {
        (Mode::Equal, _) => return ClassWeight::None,
        (Mode::Balanced, _) => return ClassWeight::Balanced,
        (Mode::PerClass, ClassWeight::Explicit(weights)) => weights,
        (Mode::PerClass, _) => BTreeMap::new(),
    };
    for class in classes {
        let mut w = weights.get(class).copied().unwrap_or(1.0);
        keep_together(ui, class, ui.spacing().interact_size.x);
        let id = ui.label(class).id;
        ui.add(
            egui::DragValue::new(&mut w)
                .range(0.001..=1000.0)
                .speed(0.05),
        )
        .labelled_by(id)
        .on_hover_text(format!("The weight of each row of class {class}"));
        weights.insert(class.clone(), w);
    }
    // A class the target no longer has keeps no weight.
    if !classes.is_empty() {
        weights.retain(|class, _| classes.contains(class));
    }
    ClassWeight::Explicit(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_weights_get_a_weight_per_class_and_only_for_classes() {
        use egui_kittest::kittest::Queryable;
        use egui_kittest::Harness;
        let classes: Vec<String> = ["Adelie", "Chinstrap", "Gentoo"].map(String::from).to_vec();
        let mut spec = ModelSpec::from_name("gradient_boosting").unwrap();
        // Weights kept from another target: a class this one lacks is dropped.
        let kept = ClassWeight::parse("Gentoo:2,Emperor:4").unwrap();
        spec.set_param("class_weight", ParamValue::ClassWeights(kept))
            .unwrap();
        let shown = classes.clone();
        // A limit's number sits beside its checkbox, which names it for a person but not
        // for the accessibility tree.
        let mut harness = Harness::builder()
            .with_size(egui::vec2(900.0, 600.0))
            .with_accessibility_check(false)
            .build_ui_state(
                move |ui, spec: &mut ModelSpec| parameters(ui, spec, Task::Classification, &shown),
                spec.clone(),
            );
        harness.run();
        for class in &classes {
            assert!(harness.query_all_by_label(class).count() > 0, "{class}");
        }
        assert_eq!(
            harness.state().class_weight(),
            Some(ClassWeight::parse("Adelie:1,Chinstrap:1,Gentoo:2").unwrap())
        );
        // Values are not classes: no class weights to edit.
        let mut harness = Harness::builder()
            .with_size(egui::vec2(900.0, 600.0))
            .with_accessibility_check(false)
            .build_ui_state(
                |ui, spec: &mut ModelSpec| parameters(ui, spec, Task::Regression, &[]),
                spec,
            );
        harness.run();
        assert!(harness.query_by_label("Class weights").is_none());
        assert!(harness.query_by_label("Learning rate").is_some());
    }

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
