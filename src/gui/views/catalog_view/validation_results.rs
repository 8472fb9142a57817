//! What validation measured, as a version's page shows it: the mean metrics with their spread,
//! the curves of a class against the rest (or predicted against actual values), the pooled
//! confusion matrix and each fold's headline metrics.

use eframe::egui::{self, Color32};
use egui_plot::{Line, Plot, PlotPoints, Points};

use crate::catalog::record::{StoredCurves, StoredMetrics};
use crate::gui::views::compare_curves::default_class_index;
use crate::jobs::catalog_read::FoldTable;
use crate::ml::metric_registry;

/// The curve plots are square, between these sides, three a row where the page is wide.
const CURVE_MIN_SIDE: f32 = 180.0;
const CURVE_MAX_SIDE: f32 = 260.0;

/// The validation scheme, the rows used and each metric's mean ± standard deviation.
pub(super) fn metrics_grid(ui: &mut egui::Ui, metrics: &StoredMetrics, validation_line: &str) {
    ui.weak(validation_line);
    egui::Grid::new("catalog_metrics")
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            for (name, &m) in &metrics.mean {
                ui.label(metric_registry::label(name))
                    .on_hover_text(metric_registry::tooltip(name));
                let s = metrics
                    .std
                    .get(name)
                    .copied()
                    .filter(|s| !s.is_nan())
                    .unwrap_or(0.0);
                if m.is_nan() {
                    ui.weak("—");
                } else {
                    ui.label(format!("{m:.4} ± {s:.4}"));
                }
                ui.end_row();
            }
        });
}

/// The stored curves of the chosen class, or a regression's predicted against actual values.
pub(super) fn curves(ui: &mut egui::Ui, stored: &StoredCurves, picked: &mut Option<usize>) {
    let classes = match stored {
        StoredCurves::Regression(pairs) => {
            let points: Vec<[f64; 2]> = pairs
                .iter()
                .map(|&(actual, predicted)| [predicted, actual])
                .collect();
            Plot::new("catalog_predicted_actual")
                .height(260.0)
                .width(320.0)
                .x_axis_label("predicted")
                .y_axis_label("actual")
                .show(ui, |plot| {
                    plot.points(Points::new("out-of-fold rows", points).radius(1.5))
                });
            return;
        }
        StoredCurves::Classes(classes) if !classes.is_empty() => classes,
        _ => {
            ui.weak("No curves stored.");
            return;
        }
    };
    let mut class = picked
        .filter(|&i| i < classes.len())
        .unwrap_or_else(|| default_class_index(classes.len()));
    let class = &mut class;
    ui.horizontal(|ui| {
        let label = ui.label("Class").id;
        egui::ComboBox::from_id_salt("catalog_curve_class")
            .selected_text(&classes[*class].class)
            .show_ui(ui, |ui| {
                for (i, c) in classes.iter().enumerate() {
                    ui.selectable_value(class, i, &c.class);
                }
            })
            .response
            .labelled_by(label);
        ui.weak("against the rest, pooled out-of-fold predictions");
    });
    if picked.is_some() || *class != default_class_index(classes.len()) {
        *picked = Some(*class);
    }
    let chosen = &classes[*class];
    let curves = [
        (
            "ROC",
            &chosen.roc,
            "false-positive rate",
            "true-positive rate",
        ),
        ("Precision–recall", &chosen.pr, "recall", "precision"),
        (
            "Calibration",
            &chosen.calibration,
            "mean predicted probability",
            "observed share",
        ),
    ];
    // As many plots a row as the page's width holds, each as wide as the row allows.
    let gap = ui.spacing().item_spacing.x;
    // What is in view, not what the scroll area would hold: a page once wider than the view
    // (a wide table, or these plots themselves) leaves the area's width wider still.
    let width = (ui.clip_rect().right() - ui.cursor().left() - gap)
        .min(ui.available_width())
        .max(CURVE_MIN_SIDE);
    let per_row =
        (((width + gap) / (CURVE_MIN_SIDE + gap)).floor() as usize).clamp(1, curves.len());
    let side = ((width - gap * (per_row - 1) as f32) / per_row as f32).min(CURVE_MAX_SIDE);
    for row in curves.chunks(per_row) {
        ui.horizontal_top(|ui| {
            for &(title, points, x, y) in row {
                let points: Vec<[f64; 2]> = points.iter().map(|&(x, y)| [x, y]).collect();
                ui.vertical(|ui| {
                    ui.set_width(side);
                    ui.strong(title);
                    Plot::new(("catalog_curve", title))
                        .width(side)
                        .height(side)
                        .include_x(0.0)
                        .include_x(1.0)
                        .include_y(0.0)
                        .include_y(1.0)
                        .allow_scroll(false)
                        .x_axis_label(x)
                        .y_axis_label(y)
                        .show(ui, |plot| {
                            // Banding merges points sharing a pixel column: it turns a ROC
                            // curve's vertical steps into filled wedges.
                            let line = Line::new(title, PlotPoints::new(points));
                            plot.line(line.width(2.0).allow_band(false));
                        });
                });
            }
        });
    }
}

/// The pooled confusion counts (classification) and each fold's headline metrics.
pub(super) fn confusion_and_folds(ui: &mut egui::Ui, metrics: &StoredMetrics, folds: &FoldTable) {
    let classes = &metrics.classes;
    let confusion = metrics.confusion().unwrap_or_default();
    if !confusion.is_empty() && confusion.len() == classes.len() {
        ui.horizontal(|ui| {
            ui.weak("Pooled out-of-fold predictions: rows are the true class, columns the predicted one.");
            if ui.button("Copy as CSV").clicked() {
                ui.ctx().copy_text(crate::report::confusion_csv(classes, confusion));
            }
        });
        let most = confusion
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(1)
            .max(1) as f32;
        egui::Grid::new("catalog_confusion")
            .spacing([4.0, 4.0])
            .show(ui, |ui| {
                ui.weak("true \\ predicted");
                for c in classes {
                    ui.strong(c);
                }
                ui.end_row();
                for (c, row) in classes.iter().zip(confusion) {
                    ui.strong(c);
                    for &n in row {
                        let strength = n as f32 / most;
                        egui::Frame::new()
                            .fill(
                                Color32::from_rgb(0x00, 0x72, 0xB2).gamma_multiply(strength * 0.8),
                            )
                            .inner_margin(egui::Margin::symmetric(8, 2))
                            .show(ui, |ui| ui.label(n.to_string()));
                    }
                    ui.end_row();
                }
            });
    }
    if folds.rows.is_empty() {
        return;
    }
    egui::Grid::new("catalog_folds")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("fold");
            for n in &folds.names {
                ui.strong(metric_registry::label(n))
                    .on_hover_text(metric_registry::tooltip(n));
            }
            ui.end_row();
            for (i, fold) in folds.rows.iter().enumerate() {
                ui.label((i + 1).to_string());
                for value in fold {
                    match value {
                        Some(x) => ui.label(format!("{x:.4}")),
                        None => ui.weak("—"),
                    };
                }
                ui.end_row();
            }
        });
}
