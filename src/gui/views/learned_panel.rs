//! "What it learned": a model's coefficients, importances or class Gaussians, and a tree's
//! rules, as a section of a run in Compare and of a version's page.

use eframe::egui::{self, RichText};
use std::path::Path;

use super::{class_densities, tree_viewer};
use crate::gui::command::{Command, Retrain};
use crate::ml::learned::{
    split_gain_sentence, CoefficientSet, Importance, ImportanceMeasure, Learned,
};
use crate::ml::trained::TrainedModel;
use crate::ml::tree_rules::Rule;

/// Rows shown before "Show all".
const FIRST_ROWS: usize = 12;

/// The model the panel is about, beside what it learned: its tree and recipe are drawn from
/// it, it is retrained from the file it was trained on, and exports are named after it.
pub struct LearnedOf<'a> {
    pub model: &'a TrainedModel,
    /// The file it was trained on, when known.
    pub training_file: Option<&'a Path>,
    /// The start of exported files' names ("penguins-v2").
    pub name: String,
}

/// Draw what `learned` holds; `id` keeps this panel's choices apart from another's.
pub fn show(
    ui: &mut egui::Ui,
    learned: &Learned,
    of: &LearnedOf<'_>,
    commands: &mut Vec<Command>,
    id: impl std::hash::Hash + std::fmt::Debug,
) {
    let id = ui.scope_id().with(("learned", id));
    let mut all: bool = ui.data(|d| d.get_temp(id)).unwrap_or(false);
    match learned {
        Learned::Coefficients { sets } => coefficients(ui, sets, id, all),
        Learned::Importances {
            features,
            columns,
            trees,
            measure,
            rules,
        } => {
            ui.label(if *measure == ImportanceMeasure::SplitGain {
                split_gain_sentence("column")
            } else if *trees > 1 {
                format!(
                    "Impurity importance: each column's share of the impurity decrease of the \
                     splits, mean ± std over {trees} trees."
                )
            } else {
                "Impurity importance: each column's share of the impurity decrease of the tree's \
                 splits."
                    .to_string()
            });
            importances(ui, columns, all, ("columns", id));
            if features.len() > columns.len() {
                egui::CollapsingHeader::new("By feature (each level of a category)")
                    .id_salt(("features", id))
                    .show(ui, |ui| importances(ui, features, all, ("features", id)));
            }
            tree_section(ui, of, id);
            tree_rules(ui, rules, of, commands, id);
        }
        Learned::ClassGaussians { features, classes } => {
            ui.horizontal_wrapped(|ui| {
                ui.label("Class priors:");
                for class in classes {
                    ui.label(format!("{} {:.3}", class.class, class.prior));
                }
            });
            class_densities::show(
                ui,
                features,
                classes,
                &of.model.recipe,
                id.with("densities"),
            );
            egui::Grid::new(("gaussians", id))
                .striped(true)
                .show(ui, |ui| {
                    ui.strong("feature");
                    for class in classes {
                        ui.strong(format!("{}: mean (variance)", class.class));
                    }
                    ui.end_row();
                    for (j, feature) in features.iter().enumerate().take(shown(features.len(), all))
                    {
                        ui.label(feature.name());
                        for class in classes {
                            ui.label(format!("{:.3} ({:.3})", class.mean[j], class.variance[j]));
                        }
                        ui.end_row();
                    }
                });
        }
        Learned::Unavailable { reason, rules } => {
            ui.weak(format!("Importances are not available: {reason}."));
            retrain_offer(ui, of, commands);
            tree_section(ui, of, id);
            tree_rules(ui, rules, of, commands, id);
        }
    }
    let longest = match learned {
        Learned::Coefficients { sets } => sets.iter().map(|s| s.terms.len()).max().unwrap_or(0),
        Learned::Importances { features, .. } => features.len(),
        Learned::ClassGaussians { features, .. } => features.len(),
        Learned::Unavailable { .. } => 0,
    };
    if longest > FIRST_ROWS && ui.checkbox(&mut all, "Show all").changed() {
        ui.data_mut(|d| d.insert_temp(id, all));
    }
}

fn shown(len: usize, all: bool) -> usize {
    if all {
        len
    } else {
        len.min(FIRST_ROWS)
    }
}

fn coefficients(ui: &mut egui::Ui, sets: &[CoefficientSet], id: egui::Id, all: bool) {
    ui.label(
        "Coefficients in the model's feature space: a standardised number per standard \
         deviation, a category's level as its 0/1 indicator. Largest first.",
    );
    // One output at a time when there are several (a class each).
    let chosen_id = id.with("output");
    let mut chosen: usize = ui.data(|d| d.get_temp(chosen_id)).unwrap_or(0);
    if sets.len() > 1 {
        egui::ComboBox::from_id_salt(chosen_id)
            .selected_text(&sets[chosen.min(sets.len() - 1)].output)
            .show_ui(ui, |ui| {
                for (i, set) in sets.iter().enumerate() {
                    ui.selectable_value(&mut chosen, i, &set.output);
                }
            });
        ui.data_mut(|d| d.insert_temp(chosen_id, chosen));
    }
    let Some(set) = sets.get(chosen.min(sets.len().saturating_sub(1))) else {
        return;
    };
    let logistic = set.terms.iter().any(|t| t.odds_ratio.is_some());
    let largest = set
        .terms
        .first()
        .map_or(1.0, |t| t.coefficient.abs())
        .max(1e-300);
    egui::Grid::new(("coefficients", id))
        .striped(true)
        .show(ui, |ui| {
            ui.strong("feature");
            ui.strong(&set.output);
            if logistic {
                ui.strong("odds ×")
                    .on_hover_text("How the odds change per unit: exp(coefficient)");
            }
            ui.end_row();
            ui.label(RichText::new("intercept").italics());
            ui.label(format!("{:+.4}", set.intercept));
            ui.end_row();
            for term in set.terms.iter().take(shown(set.terms.len(), all)) {
                ui.label(term.feature.name());
                signed_bar(ui, term.coefficient, largest);
                if let Some(odds) = term.odds_ratio {
                    ui.label(format!("{odds:.3}"));
                }
                ui.end_row();
            }
        });
    if !set.dropped.is_empty() {
        ui.weak(format!(
            "Dropped (coefficient 0): {}",
            set.dropped.join(", ")
        ));
    }
}

/// The value as text after a bar whose length is its share of `largest`, coloured by sign.
fn signed_bar(ui: &mut egui::Ui, value: f64, largest: f64) {
    ui.horizontal(|ui| {
        let width = 80.0 * (value.abs() / largest).min(1.0) as f32;
        let (rect, _) = ui.allocate_exact_size(egui::vec2(80.0, 10.0), egui::Sense::hover());
        let color = if value >= 0.0 {
            super::compare_plots::run_color(0)
        } else {
            super::compare_plots::run_color(1)
        };
        if value != 0.0 {
            let bar =
                egui::Rect::from_min_size(rect.min, egui::vec2(width.max(1.0), rect.height()));
            ui.painter().rect_filled(bar, 1.0, color);
        }
        ui.label(format!("{value:+.4}"));
    });
}

fn importances(
    ui: &mut egui::Ui,
    list: &[Importance],
    all: bool,
    id: impl std::hash::Hash + std::fmt::Debug,
) {
    let largest = list.first().map_or(1.0, |i| i.importance).max(1e-300);
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for item in list.iter().take(shown(list.len(), all)) {
            ui.label(&item.name);
            ui.horizontal(|ui| {
                let width = 120.0 * (item.importance / largest).clamp(0.0, 1.0) as f32;
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(120.0, 10.0), egui::Sense::hover());
                // Nothing drawn for a column the model never used.
                if item.importance > 0.0 {
                    let size = egui::vec2(width.max(1.0), rect.height());
                    let bar = egui::Rect::from_min_size(rect.min, size);
                    ui.painter()
                        .rect_filled(bar, 1.0, super::compare_plots::run_color(0));
                }
                match item.std {
                    Some(std) => ui.label(format!("{:.4} ± {std:.4}", item.importance)),
                    None => ui.label(format!("{:.4}", item.importance)),
                };
            });
            ui.end_row();
        }
    });
}

/// The tree drawn (a forest's, one tree at a time), for tree models.
fn tree_section(ui: &mut egui::Ui, of: &LearnedOf<'_>, id: egui::Id) {
    let trees = tree_viewer::trees_of(of.model).len();
    if trees == 0 {
        return;
    }
    let title = if trees > 1 {
        format!("Trees ({trees})")
    } else {
        "Tree".to_string()
    };
    egui::CollapsingHeader::new(title)
        .id_salt(("tree", id))
        .default_open(true)
        .show(ui, |ui| tree_viewer::show(ui, of.model, id.with("tree")));
}

/// For a model stored before trees kept their nodes' rows: retrain it on its file.
fn retrain_offer(ui: &mut egui::Ui, of: &LearnedOf<'_>, commands: &mut Vec<Command>) {
    let Some(path) = of.training_file else {
        return;
    };
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let hover = format!(
        "Import {} again, with the same target, and open Train with {} and its parameters",
        path.display(),
        of.model.spec.title()
    );
    if ui
        .button(format!("Retrain on {file}…"))
        .on_hover_text(hover)
        .clicked()
    {
        commands.push(Command::Retrain(Box::new(Retrain {
            spec: of.model.spec.clone(),
            target: of.model.target.clone(),
            path: path.to_path_buf(),
            options: of.model.import.clone(),
        })));
    }
}

fn tree_rules(
    ui: &mut egui::Ui,
    rules: &[Rule],
    of: &LearnedOf<'_>,
    commands: &mut Vec<Command>,
    id: egui::Id,
) {
    if rules.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Rules ({}, one per leaf)", rules.len()))
        .id_salt(("rules", id))
        .show(ui, |ui| {
            let text: String = rules.iter().map(|r| format!("{r}\n")).collect();
            ui.horizontal_wrapped(|ui| {
                if ui
                    .button("Copy rules")
                    .on_hover_text("Every rule as text, one per line")
                    .clicked()
                {
                    ui.ctx().copy_text(text.clone());
                }
                if ui
                    .button("Export rules…")
                    .on_hover_text("Save every rule as a text file, one per line")
                    .clicked()
                {
                    commands.push(Command::AskExportRules {
                        name: format!("{}-rules.txt", of.name),
                        rules: text.clone(),
                    });
                }
            });
            for rule in rules {
                ui.label(RichText::new(rule.to_string()).monospace());
            }
        });
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::ml::learned::Term;
    use crate::ml::prep::Feature;
    use egui_kittest::kittest::Queryable;
    use egui_kittest::Harness;

    fn feature(name: &str) -> Feature {
        Feature {
            column: name.into(),
            level: None,
        }
    }

    /// A decision tree trained on the bundled iris sample.
    pub(in crate::gui::views) fn iris_model(algorithm: &str) -> TrainedModel {
        let table = crate::ml::target::sample_with_target("iris.csv", "species");
        let spec = crate::ml::spec::ModelSpec::from_name(algorithm).unwrap();
        let holdout = crate::ml::eval::Validation::Holdout {
            fraction: 0.25,
            seed: 0,
        };
        let recipe = crate::ml::prep::Recipe::default_for(&table);
        crate::ml::eval::train_and_validate(
            &table,
            "species",
            None,
            &recipe,
            &spec,
            holdout,
            &mut |_, _| true,
        )
        .unwrap()
        .1
    }

    fn harness(learned: Learned) -> Harness<'static, Vec<Command>> {
        harness_of(learned, iris_model("decision_tree"), None)
    }

    fn harness_of(
        learned: Learned,
        model: TrainedModel,
        file: Option<&'static str>,
    ) -> Harness<'static, Vec<Command>> {
        let mut harness = Harness::builder()
            .with_size(egui::vec2(900.0, 900.0))
            .build_ui_state(
                move |ui, commands: &mut Vec<Command>| {
                    let of = LearnedOf {
                        model: &model,
                        training_file: file.map(Path::new),
                        name: "iris-v1".into(),
                    };
                    egui::ScrollArea::vertical()
                        .show(ui, |ui| show(ui, &learned, &of, commands, 1));
                },
                Vec::new(),
            );
        harness.run();
        harness
    }

    #[test]
    fn coefficients_show_the_largest_first_with_odds_and_all_on_request() {
        let terms: Vec<Term> = (0..14)
            .map(|i| Term {
                feature: feature(&format!("x{i}")),
                coefficient: 2.0 - i as f64 * 0.1,
                odds_ratio: Some((2.0 - i as f64 * 0.1).exp()),
            })
            .collect();
        let learned = Learned::Coefficients {
            sets: vec![CoefficientSet {
                output: "log-odds of Yes".into(),
                intercept: -0.5,
                terms,
                dropped: vec!["x99".into()],
            }],
        };
        let mut harness = harness(learned);
        harness.get_by_label("log-odds of Yes");
        harness.get_by_label("+2.0000");
        harness.get_by_label(&format!("{:.3}", 2.0_f64.exp()));
        harness.get_by_label("Dropped (coefficient 0): x99");
        // Twelve rows first; the rest on request.
        assert!(harness.query_by_label("x12").is_none());
        harness.get_by_label("Show all").click();
        harness.run();
        harness.get_by_label("x13");
    }

    #[test]
    fn a_trees_rules_are_listed_and_copied_as_text() {
        let rule = |class: &str, condition: &str| Rule {
            conditions: vec![condition.into()],
            class: class.into(),
            probability: 1.0,
            rows: Some(10),
        };
        let rules = vec![rule("No", "glu < 123"), rule("Yes", "glu ≥ 123")];
        let importance = Importance {
            name: "glu".into(),
            importance: 1.0,
            std: None,
        };
        let learned = Learned::Importances {
            features: vec![importance.clone()],
            columns: vec![importance],
            trees: 1,
            measure: ImportanceMeasure::Impurity,
            rules,
        };
        let mut harness = harness(learned);
        harness.get_by_label("glu");
        harness.get_by_label("1.0000");
        harness.get_by_label("Rules (2, one per leaf)").click();
        harness.run();
        harness.get_by_label("if glu < 123 then No (1.00, 10 rows)");
        harness.get_by_label("Copy rules").click();
        harness.step();
        let copied = harness.output().platform_output.commands.iter().any(|c| {
            *c == egui::OutputCommand::CopyText(
                "if glu < 123 then No (1.00, 10 rows)\nif glu ≥ 123 then Yes (1.00, 10 rows)\n"
                    .into(),
            )
        });
        assert!(copied, "{:?}", harness.output().platform_output.commands);
        harness.get_by_label("Export rules…").click();
        harness.run();
        assert_eq!(
            harness.state().last(),
            Some(&Command::AskExportRules {
                name: "iris-v1-rules.txt".into(),
                rules:
                    "if glu < 123 then No (1.00, 10 rows)\nif glu ≥ 123 then Yes (1.00, 10 rows)\n"
                        .into(),
            })
        );
    }

    #[test]
    fn a_tree_stored_without_node_statistics_offers_to_retrain_on_its_file() {
        let mut model = iris_model("decision_tree");
        let crate::ml::model::FittedModel::Tree(tree) = &mut model.model else {
            panic!("a tree");
        };
        tree.stats.clear();
        let learned = crate::ml::learned::what_it_learned(&model);
        assert!(matches!(learned, Learned::Unavailable { .. }));
        let mut harness = harness_of(learned, model.clone(), Some("/data/iris.csv"));
        harness.get_by_label_contains("stored before trees kept");
        // What it has: the splits, drawn.
        harness.get_by_label("⏷ All rows");
        harness.get_by_label("Retrain on iris.csv…").click();
        harness.run();
        assert_eq!(
            harness.state().last(),
            Some(&Command::Retrain(Box::new(Retrain {
                spec: model.spec.clone(),
                target: "species".into(),
                path: "/data/iris.csv".into(),
                options: model.import.clone(),
            })))
        );
    }
}
