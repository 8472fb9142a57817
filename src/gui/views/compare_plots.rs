//! The Compare view's plots of the ticked runs: the curves, confusion matrices and fold
//! spreads of classification runs (`compare_curves`, `compare_confusion`, `compare_folds`),
//! the predictions and residuals of regression runs (`compare_regression`), and the colour
//! each run has in all of them. What the user picks (class, counts or shares, metric) is
//! presentation state in egui's memory.

use eframe::egui::{self, Color32};

use super::compare_confusion::confusion_matrices;
use super::compare_curves::curves;
use super::compare_folds::fold_spread;
use crate::catalog::record::StoredCurves;
use crate::jobs::TrainingRun;
use crate::ml::target::Task;

/// A run in the comparison, with the colour it has in every plot.
#[derive(Clone, Copy)]
pub(super) struct ComparedRun<'a> {
    pub run: &'a TrainingRun,
    pub color: Color32,
}

/// The colour of the `i`-th compared run: the report's colour of its `i`-th version.
pub(in crate::gui) fn run_color(i: usize) -> Color32 {
    let [r, g, b] = crate::report::palette::rgb(i);
    Color32::from_rgb(r, g, b)
}

/// What the user picked in the plots.
#[derive(Clone)]
struct PlotChoices {
    /// The class whose curves are drawn; `None` until picked (then a default applies).
    class: Option<String>,
    shares: bool,
    spread_metric: &'static str,
}

impl Default for PlotChoices {
    fn default() -> Self {
        PlotChoices {
            class: None,
            shares: false,
            spread_metric: "accuracy",
        }
    }
}

/// Draw the curves, confusion matrices and fold spreads of `runs` (at least one).
/// Where the pointer is over a plot, and the series (by name) and index of the data point
/// it is near, when it is near a named one.
pub(super) fn hovered<'a>(
    position: &egui_plot::HoverPosition<'a>,
) -> (egui_plot::PlotPoint, Option<(&'a str, usize)>) {
    match *position {
        egui_plot::HoverPosition::NearDataPoint {
            plot_name,
            position,
            index,
        } if !plot_name.is_empty() => (position, Some((plot_name, index))),
        egui_plot::HoverPosition::NearDataPoint { position, .. }
        | egui_plot::HoverPosition::Elsewhere { position } => (position, None),
    }
}

pub(super) fn show(ui: &mut egui::Ui, runs: &[ComparedRun<'_>]) {
    let id = egui::Id::unique("compare_plot_choices");
    let mut choices: PlotChoices = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let (classifiers, regressors): (Vec<ComparedRun<'_>>, Vec<ComparedRun<'_>>) = runs
        .iter()
        .partition(|r| r.run.evaluation.task == Task::Classification);
    if !classifiers.is_empty() {
        // Catalog versions keep no per-row predictions: they are drawn from their stored
        // curves, when they have them.
        let (drawable, without): (Vec<ComparedRun<'_>>, Vec<ComparedRun<'_>>) =
            classifiers.iter().partition(|r| {
                r.run.evaluation.validated_proba.nrows() > 0
                    || matches!(r.run.stored_curves, StoredCurves::Classes(_))
            });
        egui::CollapsingHeader::new("Curves")
            .default_open(true)
            .show(ui, |ui| {
                for run in &without {
                    ui.weak(format!("#{} has no curves stored.", run.run.id));
                }
                if !drawable.is_empty() {
                    curves(ui, &drawable, &mut choices.class);
                }
            });
        egui::CollapsingHeader::new("Confusion matrices")
            .default_open(true)
            .show(ui, |ui| {
                confusion_matrices(ui, &classifiers, &mut choices.shares)
            });
    }
    if !regressors.is_empty() {
        egui::CollapsingHeader::new("Predictions and residuals")
            .default_open(true)
            .show(ui, |ui| super::compare_regression::show(ui, &regressors));
    }
    egui::CollapsingHeader::new("Spread over folds")
        .default_open(true)
        .show(ui, |ui| fold_spread(ui, runs, &mut choices.spread_metric));
    ui.data_mut(|d| d.insert_temp(id, choices));
}

/// Split items of these widths into rows that fit `available` (each row holds at least one).
pub(super) fn pack_rows(widths: &[f32], available: f32, gap: f32) -> Vec<std::ops::Range<usize>> {
    let mut rows = Vec::new();
    let mut start = 0;
    let mut used = 0.0;
    for (i, &width) in widths.iter().enumerate() {
        if i > start && used + gap + width > available {
            rows.push(start..i);
            start = i;
        }
        used = if i == start {
            width
        } else {
            used + gap + width
        };
    }
    if start < widths.len() {
        rows.push(start..widths.len());
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_packed_into_rows_that_fit() {
        assert_eq!(pack_rows(&[300.0; 3], 1000.0, 10.0), vec![0..3]);
        assert_eq!(pack_rows(&[300.0; 3], 900.0, 10.0), vec![0..2, 2..3]);
        assert_eq!(
            pack_rows(&[500.0, 200.0, 450.0], 700.0, 0.0),
            vec![0..2, 2..3]
        );
        // Too wide for any row: alone on its own.
        assert_eq!(pack_rows(&[800.0, 100.0], 500.0, 10.0), vec![0..1, 1..2]);
        assert!(pack_rows(&[], 500.0, 10.0).is_empty());
    }
}
