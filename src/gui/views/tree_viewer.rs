//! The decision tree viewer of "What it learned": a tree drawn as an outline whose nodes
//! open and close, each with the condition that leads to it (in the data's own columns and
//! levels), its training rows, class shares and impurity; a forest's trees one at a time.
//!
//! Trees stored before nodes kept their rows show what they have: splits and leaf
//! probabilities.

use eframe::egui::{self, RichText};
use std::collections::HashMap;

use crate::ml::model::FittedModel;
use crate::ml::trained::TrainedModel;
use crate::ml::tree::{FlatTree, Node};
use crate::ml::tree_rules::SplitReader;

/// Levels open when a tree is first shown: the root and its children.
const OPEN_DEPTH: usize = 2;
/// Indent of each level, narrow enough for deep trees in a small window.
const INDENT: f32 = 14.0;
/// Width of a node's class-shares bar.
const BAR: f32 = 72.0;

/// Which nodes are open: those above `depth`, except the ones toggled since.
#[derive(Clone)]
struct Opened {
    depth: usize,
    toggled: HashMap<usize, bool>,
}

impl Default for Opened {
    fn default() -> Self {
        Opened {
            depth: OPEN_DEPTH,
            toggled: HashMap::new(),
        }
    }
}

impl Opened {
    fn is_open(&self, node: usize, depth: usize) -> bool {
        self.toggled
            .get(&node)
            .copied()
            .unwrap_or(depth < self.depth)
    }
}

/// The trees of `model` (one for a decision tree, each of a forest's), none for other models.
pub fn trees_of(model: &TrainedModel) -> Vec<&FlatTree> {
    match &model.model {
        FittedModel::Tree(tree) => vec![tree],
        FittedModel::Forest(forest) => forest.trees.iter().collect(),
        _ => Vec::new(),
    }
}

/// Draw the tree (or the chosen tree of a forest) of `model`; nothing for other models.
pub fn show(ui: &mut egui::Ui, model: &TrainedModel, id: egui::Id) {
    let trees = trees_of(model);
    if trees.is_empty() {
        return;
    }
    let chosen_id = id.with("tree");
    let mut chosen: usize = ui.data(|d| d.get_temp(chosen_id)).unwrap_or(0);
    chosen = chosen.min(trees.len() - 1);
    if trees.len() > 1 {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Tree").id;
            let mut number = chosen + 1;
            ui.add(egui::DragValue::new(&mut number).range(1..=trees.len()))
                .labelled_by(label);
            ui.label(format!("of {}", trees.len()));
            if ui
                .add_enabled(chosen > 0, egui::Button::new("⏴ Previous tree"))
                .clicked()
            {
                number -= 1;
            }
            if ui
                .add_enabled(chosen + 1 < trees.len(), egui::Button::new("Next tree ⏵"))
                .clicked()
            {
                number += 1;
            }
            chosen = number.clamp(1, trees.len()) - 1;
        });
        ui.data_mut(|d| d.insert_temp(chosen_id, chosen));
    }
    let tree = trees[chosen];
    let opened_id = id.with(("opened", chosen));
    let mut opened: Opened = ui.data(|d| d.get_temp(opened_id)).unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        if ui.button("Expand all").clicked() {
            opened = Opened {
                depth: usize::MAX,
                toggled: HashMap::new(),
            };
        }
        if ui.button("Collapse all").clicked() {
            opened = Opened {
                depth: 1,
                toggled: HashMap::new(),
            };
        }
        class_legend(ui, &model.classes);
    });
    if !tree.has_stats() {
        ui.weak(
            "Stored before trees kept each node's rows: the splits and the leaves' class \
             probabilities are shown, not the rows, the class shares of inner nodes or the \
             impurity.",
        );
    }
    let reader = SplitReader::new(&model.recipe);
    let outline = Outline {
        tree,
        reader: &reader,
        classes: &model.classes,
        stats: tree.has_stats(),
    };
    // A deep tree, or a narrow window, scrolls sideways: a node stays on one line.
    egui::ScrollArea::horizontal()
        .id_salt(id.with(("sideways", chosen)))
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 2.0;
            outline.node(ui, 0, 0, "All rows", &mut opened);
        });
    ui.data_mut(|d| d.insert_temp(opened_id, opened));
}

fn class_legend(ui: &mut egui::Ui, classes: &[String]) {
    for (k, class) in classes.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 3.0;
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 1.0, class_color(k));
            ui.label(class);
        });
    }
}

/// The colour of the `k`-th class in the shares bars and their legend.
fn class_color(k: usize) -> egui::Color32 {
    super::compare_plots::run_color(k)
}

/// One tree being drawn.
struct Outline<'a> {
    tree: &'a FlatTree,
    reader: &'a SplitReader,
    classes: &'a [String],
    stats: bool,
}

impl Outline<'_> {
    /// Draw node `at`, reached by `condition`, and its children when it is open.
    fn node(
        &self,
        ui: &mut egui::Ui,
        at: usize,
        depth: usize,
        condition: &str,
        opened: &mut Opened,
    ) {
        let Some(node) = self.tree.nodes.get(at) else {
            return;
        };
        let open = opened.is_open(at, depth);
        ui.horizontal(|ui| {
            ui.add_space(depth as f32 * INDENT);
            match node {
                Node::Split { .. } => {
                    let arrow = if open { "⏷" } else { "⏵" };
                    let text = RichText::new(format!("{arrow} {condition}")).strong();
                    let hover = if open {
                        "Click to close this node"
                    } else {
                        "Click to open this node"
                    };
                    let response = ui
                        .add(egui::Label::new(text).sense(egui::Sense::click()))
                        .on_hover_text(hover);
                    if response.clicked() {
                        opened.toggled.insert(at, !open);
                    }
                }
                Node::Leaf { .. } => {
                    // Its text lines up with a split's, whose arrow is wider than the dot.
                    let font = egui::TextStyle::Body.resolve(ui.style());
                    let width = |text: &str| {
                        let color = ui.visuals().text_color();
                        ui.painter()
                            .layout_no_wrap(text.to_string(), font.clone(), color)
                            .size()
                            .x
                    };
                    ui.add_space((width("⏷ ") - width("• ")).max(0.0));
                    ui.label(RichText::new(format!("• {condition}")).strong());
                }
            }
            self.facts(ui, at, node);
        });
        if let (
            true,
            Node::Split {
                feature,
                threshold,
                left,
                right,
            },
        ) = (open, node)
        {
            let (goes_left, goes_right) = self.reader.branches(*feature, *threshold);
            self.node(ui, *left, depth + 1, &goes_left, opened);
            self.node(ui, *right, depth + 1, &goes_right, opened);
        }
    }

    /// Rows, class shares and impurity when the tree kept them; a leaf's prediction.
    fn facts(&self, ui: &mut egui::Ui, at: usize, node: &Node) {
        let stats = self.stats.then(|| &self.tree.stats[at]);
        let shares = match (stats, node) {
            (Some(stats), _) => Some(stats.shares()),
            (None, Node::Leaf { proba }) => Some(proba.clone()),
            (None, Node::Split { .. }) => None,
        };
        if let Some(stats) = stats {
            ui.label(format!("{} rows", stats.rows()));
        }
        if let Some(shares) = &shares {
            self.shares_bar(ui, shares, stats.map(|s| s.counts.as_slice()));
        }
        if let Some(stats) = stats {
            ui.weak(format!("impurity {:.3}", stats.impurity));
        }
        if let (Node::Leaf { proba }, Some(_)) = (node, &shares) {
            let (best, p) =
                proba
                    .iter()
                    .copied()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |a, (k, p)| if p > a.1 { (k, p) } else { a },
                    );
            let class = self.classes.get(best).map_or("?", String::as_str);
            ui.label(format!("predicts {class} ({p:.2})"));
        }
    }

    /// Each class's share as a stacked bar; the figures on hover.
    fn shares_bar(&self, ui: &mut egui::Ui, shares: &[f64], counts: Option<&[u64]>) {
        let (rect, response) = ui.allocate_exact_size(egui::vec2(BAR, 10.0), egui::Sense::hover());
        let mut x = rect.left();
        for (k, share) in shares.iter().enumerate() {
            let width = BAR * share.clamp(0.0, 1.0) as f32;
            if width > 0.0 {
                let part = egui::Rect::from_min_size(
                    egui::pos2(x, rect.top()),
                    egui::vec2(width, rect.height()),
                );
                ui.painter().rect_filled(part, 0.0, class_color(k));
            }
            x += width;
        }
        ui.painter().rect_stroke(
            rect,
            0.0,
            ui.visuals().widgets.noninteractive.bg_stroke,
            egui::StrokeKind::Inside,
        );
        let text: Vec<String> = shares
            .iter()
            .enumerate()
            .map(|(k, share)| {
                let class = self.classes.get(k).map_or("?", String::as_str);
                match counts {
                    Some(counts) => format!("{class}: {share:.2} ({} rows)", counts[k]),
                    None => format!("{class}: {share:.2}"),
                }
            })
            .collect();
        response.on_hover_text(text.join("\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::learned_panel::tests::iris_model;
    use super::*;
    use egui_kittest::kittest::{NodeT, Queryable};
    use egui_kittest::Harness;

    fn harness(model: TrainedModel) -> Harness<'static> {
        let mut harness = Harness::builder()
            .with_size(egui::vec2(900.0, 1400.0))
            .build_ui(move |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| show(ui, &model, egui::Id::unique("t")));
            });
        harness.run();
        harness
    }

    /// The conditions of node `at`'s children, as their rows read.
    fn children(tree: &FlatTree, model: &TrainedModel, at: usize) -> Vec<(usize, String)> {
        let reader = SplitReader::new(&model.recipe);
        match tree.nodes[at] {
            Node::Split {
                feature,
                threshold,
                left,
                right,
            } => {
                let (l, r) = reader.branches(feature, threshold);
                vec![(left, l), (right, r)]
            }
            Node::Leaf { .. } => Vec::new(),
        }
    }

    fn row(tree: &FlatTree, at: usize, condition: &str, open: bool) -> String {
        match (&tree.nodes[at], open) {
            (Node::Leaf { .. }, _) => format!("• {condition}"),
            (_, true) => format!("⏷ {condition}"),
            (_, false) => format!("⏵ {condition}"),
        }
    }

    #[test]
    fn a_tree_opens_two_levels_with_rows_shares_and_impurity_and_nodes_toggle() {
        let model = iris_model("decision_tree");
        let FittedModel::Tree(tree) = &model.model else {
            panic!("a tree");
        };
        let tree = tree.clone();
        let mut harness = harness(model.clone());
        harness.get_by_label("⏷ All rows");
        let root = &tree.stats[0];
        assert!(harness
            .get_all_by_label(&format!("{} rows", root.rows()))
            .next()
            .is_some());
        let impurity = format!("impurity {:.3}", root.impurity);
        assert!(harness.get_all_by_label(&impurity).next().is_some());
        // Iris' three classes are named in the legend of the shares bars.
        harness.get_by_label("setosa");
        // The root's children are open, their children shown but closed.
        let mut deep = None;
        for (child, condition) in children(&tree, &model, 0) {
            harness.get_by_label(&row(&tree, child, &condition, true));
            for (grandchild, condition) in children(&tree, &model, child) {
                harness.get_by_label(&row(&tree, grandchild, &condition, false));
                if !children(&tree, &model, grandchild).is_empty() {
                    deep = Some((grandchild, condition));
                }
            }
        }
        let (node, condition) = deep.expect("iris' tree is deeper than two levels");
        let condition_of_deep = condition.clone();
        let below = children(&tree, &model, node);
        let first_below = row(&tree, below[0].0, &below[0].1, false);
        assert!(harness.query_by_label(&first_below).is_none());
        harness
            .get_by_label(&row(&tree, node, &condition, false))
            .click();
        harness.run();
        harness.get_by_label(&first_below);
        // Closing the root hides everything below it.
        harness.get_by_label("⏷ All rows").click();
        harness.run();
        harness.get_by_label("⏵ All rows");
        assert!(harness.query_by_label(&first_below).is_none());
        // Every node opens at once, and closes to the first level.
        harness.get_by_label("Expand all").click();
        harness.run();
        let (at, condition) = &below[0];
        harness.get_by_label(&row(&tree, *at, condition, true));
        harness.get_by_label("Collapse all").click();
        harness.run();
        assert!(harness
            .query_by_label(&row(&tree, node, &condition_of_deep, true))
            .is_none());
    }

    #[test]
    fn a_leaf_says_its_class_and_a_forest_shows_the_tree_chosen() {
        let model = iris_model("random_forest");
        let FittedModel::Forest(forest) = &model.model else {
            panic!("a forest");
        };
        let trees = forest.trees.clone();
        let mut harness = harness(model.clone());
        harness.get_by_label(&format!("of {}", trees.len()));
        // The first tree whose root splits otherwise than tree 1's.
        let first = children(&trees[0], &model, 0);
        let (k, other) = trees
            .iter()
            .enumerate()
            .map(|(k, t)| (k, children(t, &model, 0)))
            .find(|(_, c)| *c != first)
            .expect("trees differ");
        let label = |tree: &FlatTree, c: &[(usize, String)]| row(tree, c[0].0, &c[0].1, true);
        harness.get_by_label(&label(&trees[0], &first));
        for _ in 0..k {
            harness.get_by_label("Next tree ⏵").click();
            harness.run();
        }
        harness.get_by_label(&label(&trees[k], &other));
        assert!(harness.query_by_label(&label(&trees[0], &first)).is_none());
        // Leaves name the class they predict with its share.
        assert!(harness
            .query_all_by_label_contains("predicts ")
            .next()
            .is_some());
    }

    #[test]
    fn a_tree_stored_without_statistics_shows_its_splits_and_leaf_probabilities() {
        let mut model = iris_model("decision_tree");
        let FittedModel::Tree(tree) = &mut model.model else {
            panic!("a tree");
        };
        tree.stats.clear();
        let tree = tree.clone();
        let harness = harness(model.clone());
        harness.get_by_label_contains("Stored before trees kept each node's rows");
        harness.get_by_label("⏷ All rows");
        // No node counts rows ("120 rows").
        let counts = harness.query_all_by_label_contains(" rows").filter(|n| {
            let label = n.accesskit_node().label().unwrap_or_default();
            label.ends_with(" rows") && !label.contains("All rows")
        });
        assert_eq!(counts.count(), 0);
        let impurities = harness
            .query_all_by_label_contains("impurity ")
            .filter(|n| {
                let label = n.accesskit_node().label().unwrap_or_default();
                label.starts_with("impurity ")
            });
        assert_eq!(impurities.count(), 0);
        // The setosa leaf under the root: its probability, with no rows.
        let leaf = children(&tree, &model, 0)
            .into_iter()
            .find(|(at, _)| matches!(tree.nodes[*at], Node::Leaf { .. }))
            .expect("iris' first split isolates setosa");
        harness.get_by_label(&row(&tree, leaf.0, &leaf.1, false));
        harness.get_by_label("predicts setosa (1.00)");
    }
}
