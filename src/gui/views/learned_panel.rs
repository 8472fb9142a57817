//! "What it learned": a model's coefficients, importances or class Gaussians, and a tree's
//! rules, as a section of a run in Compare and of a version's page.

use eframe::egui::{self, RichText};

use crate::ml::learned::{CoefficientSet, Importance, Learned};
use crate::ml::tree_rules::Rule;

/// Rows shown before "Show all".
const FIRST_ROWS: usize = 12;

/// Draw what `learned` holds; `id` keeps this panel's choices apart from another's.
pub fn show(ui: &mut egui::Ui, learned: &Learned, id: impl std::hash::Hash + std::fmt::Debug) {
    let id = ui.scope_id().with(("learned", id));
    let mut all: bool = ui.data(|d| d.get_temp(id)).unwrap_or(false);
    match learned {
        Learned::Coefficients { sets } => coefficients(ui, sets, id, all),
        Learned::Importances {
            features,
            columns,
            trees,
            rules,
        } => {
            ui.label(if *trees > 1 {
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
            tree_rules(ui, rules, id);
        }
        Learned::ClassGaussians { features, classes } => {
            ui.horizontal_wrapped(|ui| {
                ui.label("Class priors:");
                for class in classes {
                    ui.label(format!("{} {:.3}", class.class, class.prior));
                }
            });
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
            tree_rules(ui, rules, id);
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

fn tree_rules(ui: &mut egui::Ui, rules: &[Rule], id: egui::Id) {
    if rules.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Rules ({}, one per leaf)", rules.len()))
        .id_salt(("rules", id))
        .show(ui, |ui| {
            let text: String = rules.iter().map(|r| format!("{r}\n")).collect();
            if ui
                .button("Copy rules")
                .on_hover_text("Every rule as text, one per line")
                .clicked()
            {
                ui.ctx().copy_text(text.clone());
            }
            for rule in rules {
                ui.label(RichText::new(rule.to_string()).monospace());
            }
        });
}

#[cfg(test)]
mod tests {
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

    fn harness(learned: Learned) -> Harness<'static> {
        let mut harness = Harness::builder()
            .with_size(egui::vec2(900.0, 900.0))
            .build_ui(move |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| show(ui, &learned, 1));
            });
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
    }
}
