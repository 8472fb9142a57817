//! The Compare view's confusion matrices, side by side in rows that fit the window, as
//! counts or as shares of each true class.

use eframe::egui::{self, Color32, RichText};

use super::compare_plots::{pack_rows, ComparedRun};
use super::compare_view::swatch;
use crate::ml::eval::Evaluation;

/// Classes beyond this make a confusion matrix too large to read.
const MAX_MATRIX_CLASSES: usize = 20;
const MATRIX_COLOR: Color32 = Color32::from_rgb(0x00, 0x72, 0xB2);

/// Each row of a confusion matrix as shares of its total (a row with no rows is all 0).
fn row_shares(confusion: &[Vec<u64>]) -> Vec<Vec<f64>> {
    confusion
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            row.iter()
                .map(|&n| {
                    if total == 0 {
                        0.0
                    } else {
                        n as f64 / total as f64
                    }
                })
                .collect()
        })
        .collect()
}

/// A class name cut to fit a matrix header.
fn short_name(name: &str) -> String {
    const CHARS: usize = 10;
    match name.char_indices().nth(CHARS) {
        Some((i, _)) => format!("{}…", &name[..i]),
        None => name.to_string(),
    }
}

const MATRIX_CORNER: &str = "true \\ predicted";
const MATRIX_GAP: f32 = 2.0;
const MATRIX_ROW_HEIGHT: f32 = 26.0;

/// A class's name, or its number when the run does not name it.
fn class_name(evaluation: &Evaluation, i: usize) -> String {
    evaluation
        .classes
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("class {i}"))
}

/// The sizes of a run's confusion matrix, measured before drawing so that matrices can be
/// laid out in rows that fit.
struct MatrixLayout {
    classes: usize,
    /// Width of the column of true-class names.
    header: f32,
    cell: f32,
}

impl MatrixLayout {
    fn measure(ui: &egui::Ui, evaluation: &Evaluation) -> Self {
        let width = |text: String, style: egui::TextStyle| {
            let font = style.resolve(ui.style());
            ui.painter()
                .layout_no_wrap(text, font, Color32::WHITE)
                .size()
                .x
        };
        let confusion = confusion_of(evaluation);
        let classes = confusion.len();
        let names: Vec<String> = (0..classes)
            .map(|i| short_name(&class_name(evaluation, i)))
            .collect();
        let most = confusion.iter().flatten().max().copied();
        let header = names
            .iter()
            .map(|n| width(n.clone(), egui::TextStyle::Body))
            .chain([width(MATRIX_CORNER.into(), egui::TextStyle::Small)])
            .fold(0.0, f32::max)
            + 8.0;
        let cell = names
            .iter()
            .map(|n| width(n.clone(), egui::TextStyle::Small))
            .chain([
                width(most.unwrap_or(0).to_string(), egui::TextStyle::Body),
                width("0.00".into(), egui::TextStyle::Body),
            ])
            .fold(32.0, f32::max)
            + 12.0;
        MatrixLayout {
            classes,
            header,
            cell,
        }
    }

    /// The width the matrix, or the note standing in for it, takes.
    fn width(&self) -> f32 {
        if self.classes == 0 || self.classes > MAX_MATRIX_CLASSES {
            return 260.0;
        }
        let grid = self.header + self.classes as f32 * (self.cell + MATRIX_GAP);
        grid.max(260.0)
    }
}

/// The pooled confusion counts (empty for a regression run).
fn confusion_of(evaluation: &Evaluation) -> &[Vec<u64>] {
    evaluation
        .pooled
        .classification()
        .map_or(&[], |m| m.confusion.as_slice())
}

pub(super) fn confusion_matrices(ui: &mut egui::Ui, runs: &[ComparedRun<'_>], shares: &mut bool) {
    ui.horizontal(|ui| {
        ui.radio_value(shares, false, "Counts");
        ui.radio_value(shares, true, "Share of each true class");
    });
    ui.weak(
        "Pooled out-of-fold predictions: rows are the true class, columns the predicted class.",
    );
    let layouts: Vec<MatrixLayout> = runs
        .iter()
        .map(|run| MatrixLayout::measure(ui, &run.run.evaluation))
        .collect();
    let widths: Vec<f32> = layouts.iter().map(MatrixLayout::width).collect();
    let gap = 24.0;
    for row in pack_rows(&widths, ui.available_width(), gap) {
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Min), |ui| {
            for i in row {
                ui.vertical(|ui| {
                    ui.set_width(widths[i]);
                    confusion_matrix(ui, &runs[i], &layouts[i], *shares);
                });
                ui.add_space(gap - ui.spacing().item_spacing.x);
            }
        });
        ui.add_space(8.0);
    }
}

fn confusion_matrix(ui: &mut egui::Ui, run: &ComparedRun<'_>, layout: &MatrixLayout, shares: bool) {
    let e = &run.run.evaluation;
    ui.horizontal(|ui| {
        ui.label(swatch(run.color));
        ui.add(egui::Label::new(RichText::new(run.run.title()).strong()).truncate());
    });
    let matrix = confusion_of(e);
    let k = layout.classes;
    if k == 0 {
        ui.weak("No validated predictions to count.");
        return;
    }
    if k > MAX_MATRIX_CLASSES {
        ui.weak(format!("{k} classes are too many to draw as a matrix."));
        return;
    }
    let share = row_shares(matrix);
    let most = matrix.iter().flatten().copied().max().unwrap_or(0).max(1);
    let left = egui::Layout::left_to_right(egui::Align::Center);
    egui::Grid::new(("compare_confusion", run.run.id))
        .spacing([MATRIX_GAP, MATRIX_GAP])
        .show(ui, |ui| {
            ui.allocate_ui_with_layout(egui::vec2(layout.header, 18.0), left, |ui| {
                ui.set_min_width(layout.header);
                ui.label(RichText::new(MATRIX_CORNER).small().weak());
            });
            for j in 0..k {
                let name = class_name(e, j);
                ui.add_sized(
                    [layout.cell, 18.0],
                    egui::Label::new(RichText::new(short_name(&name)).small()),
                )
                .on_hover_text(format!("predicted {name}"));
            }
            ui.end_row();
            for (i, row) in matrix.iter().enumerate() {
                let true_name = class_name(e, i);
                ui.allocate_ui_with_layout(
                    egui::vec2(layout.header, MATRIX_ROW_HEIGHT),
                    left,
                    |ui| {
                        ui.set_min_width(layout.header);
                        ui.label(short_name(&true_name))
                            .on_hover_text(format!("true {true_name}"));
                    },
                );
                for j in 0..k {
                    let count = row.get(j).copied().unwrap_or(0);
                    let fraction = share[i].get(j).copied().unwrap_or(0.0);
                    let (text, strength) = if shares {
                        (format!("{fraction:.2}"), fraction)
                    } else {
                        (count.to_string(), count as f64 / most as f64)
                    };
                    let hover = format!(
                        "true {true_name}, predicted {}: {count} rows, {:.1}% of true {true_name}",
                        class_name(e, j),
                        100.0 * fraction,
                    );
                    let size = egui::vec2(layout.cell, MATRIX_ROW_HEIGHT);
                    matrix_cell(ui, size, &text, strength as f32).on_hover_text(hover);
                }
                ui.end_row();
            }
        });
}

/// One coloured cell with its value; the colour grows with `strength` in [0, 1].
fn matrix_cell(ui: &mut egui::Ui, size: egui::Vec2, text: &str, strength: f32) -> egui::Response {
    let strength = strength.clamp(0.0, 1.0);
    let background = ui.painter().add(egui::Shape::Noop);
    let fill = ui
        .visuals()
        .extreme_bg_color
        .lerp_to_gamma(MATRIX_COLOR, strength);
    let text_color = if strength > 0.5 {
        Color32::WHITE
    } else {
        ui.visuals().text_color()
    };
    let cell = ui.allocate_ui_with_layout(
        size,
        egui::Layout::centered_and_justified(egui::Direction::TopDown),
        |ui| ui.label(RichText::new(text).color(text_color)),
    );
    ui.painter().set(
        background,
        egui::Shape::rect_filled(cell.response.rect, 2.0, fill),
    );
    cell.inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_shares_sum_to_one_per_seen_class() {
        let shares = row_shares(&[vec![3, 1], vec![0, 0]]);
        assert_eq!(shares, vec![vec![0.75, 0.25], vec![0.0, 0.0]]);
    }

    #[test]
    fn long_class_names_are_cut_to_fit_a_matrix_header() {
        assert_eq!(short_name("Chinstrap penguin"), "Chinstrap …");
        assert_eq!(short_name("Adelie"), "Adelie");
    }
}
