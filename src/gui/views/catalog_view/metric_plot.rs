//! The metric over versions: one metric (chosen) of each listed version, as a line.

use eframe::egui;
use egui_plot::{Line, Plot, PlotPoints, Points};

use super::CatalogViewState;
use crate::ml::metric_registry;

/// Draw the chosen metric of each listed version, with the metric's picker.
pub(super) fn metric_over_versions(ui: &mut egui::Ui, state: &mut CatalogViewState) {
    let names = state.read.metric_names.clone();
    let Some(first) = names.first() else {
        ui.weak("No metrics stored.");
        return;
    };
    let metric = state
        .plot_metric
        .clone()
        .filter(|m| names.contains(m))
        .unwrap_or_else(|| first.clone());
    ui.horizontal(|ui| {
        let label = ui.label("Metric").id;
        egui::ComboBox::from_id_salt("catalog_plot_metric")
            .selected_text(metric_registry::label(&metric))
            .show_ui(ui, |ui| {
                for name in &names {
                    let label = metric_registry::label(name);
                    if ui.selectable_label(*name == metric, label).clicked() {
                        state.plot_metric = Some(name.clone());
                    }
                }
            })
            .response
            .labelled_by(label);
    });
    let mut points: Vec<[f64; 2]> = state
        .read
        .versions
        .iter()
        .filter_map(|v| {
            v.metrics
                .get(&metric)
                .filter(|x| x.is_finite())
                .map(|x| [v.version as f64, *x])
        })
        .collect();
    points.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let ((x_low, x_high), (y_low, y_high)) = plotted_ranges(&points);
    // One line, named on its axis: no legend to hide the best (top) point.
    Plot::new("catalog_metric_over_versions")
        .height(160.0)
        .allow_scroll(false)
        .x_axis_label("version")
        // Versions are whole numbers: no marks between them.
        .x_grid_spacer(whole_number_marks)
        .include_x(x_low)
        .include_x(x_high)
        .include_y(y_low)
        .include_y(y_high)
        .y_axis_label(metric_registry::label(&metric))
        .y_grid_spacer(one_two_five_marks)
        // One number of decimals on the axis, enough for about four marks over its range.
        .y_axis_formatter(|mark, range| {
            let decimals = decimals((range.end() - range.start()) / 4.0);
            format!("{:.*}", decimals, mark.value)
        })
        .show(ui, |plot| {
            let name = metric_registry::label(&metric);
            plot.line(Line::new(name, PlotPoints::new(points.clone())).width(2.0));
            plot.points(Points::new(name, points).radius(4.0));
        });
}

/// The ranges the plot shows around `points`: half a version beyond the first and last,
/// and a margin above and below the values, so that no point sits on an edge and a single
/// value (or values close together) still gets a y-axis with several marks.
fn plotted_ranges(points: &[[f64; 2]]) -> ((f64, f64), (f64, f64)) {
    let range = |axis: usize| {
        let values = points.iter().map(|p| p[axis]);
        let low = values.clone().fold(f64::INFINITY, f64::min);
        let high = values.fold(f64::NEG_INFINITY, f64::max);
        (low, high)
    };
    let (x_low, x_high) = range(0);
    let (y_low, y_high) = range(1);
    if !(x_low.is_finite() && y_low.is_finite()) {
        return ((0.5, 1.5), (0.0, 1.0));
    }
    // A margin of 15 % of the spread, and a span of at least a fifth of the values' size
    // (0.1 near zero), so that close values still get several marks between them.
    let margin = (y_high - y_low) * 0.15;
    let (mut y_low, mut y_high) = (y_low - margin, y_high + margin);
    let least = (0.2 * (y_low + y_high).abs() / 2.0).max(0.1);
    if y_high - y_low < least {
        let widen = (least - (y_high - y_low)) / 2.0;
        y_low -= widen;
        y_high += widen;
    }
    ((x_low - 0.5, x_high + 0.5), (y_low, y_high))
}

/// Marks at 1, 2 and 5 times a power of ten: egui_plot's usual marks are powers of ten
/// only, which over a short range of values labels a single one.
fn one_two_five_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let finest = nice_step(input.base_step_size);
    let middle = nice_step(finest * 1.5);
    let coarse = nice_step(middle * 1.5);
    egui_plot::uniform_grid_spacer(move |_| [finest, middle, coarse])(input)
}

/// The decimals that tell marks `step` apart: 2 for 0.05, 1 for 0.1 or 0.2, none for 1.
fn decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    (-(step.log10() + 1e-9).floor()).max(0.0) as usize
}

/// The smallest of 1, 2 and 5 times a power of ten that is at least `at_least`.
fn nice_step(at_least: f64) -> f64 {
    if !(at_least.is_finite() && at_least > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(at_least.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&step| step >= at_least * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// egui_plot's usual marks (powers of ten and their fifths), without those between whole
/// numbers.
fn whole_number_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let mut marks = egui_plot::log_grid_spacer(10)(input);
    marks.retain(|mark| mark.step_size >= 1.0);
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_version_gets_a_narrow_range_around_its_value() {
        let ((x_low, x_high), (y_low, y_high)) = plotted_ranges(&[[1.0, 0.9]]);
        assert_eq!((x_low, x_high), (0.5, 1.5));
        assert!(
            y_low < 0.85 && 0.95 < y_high && y_high - y_low < 0.2,
            "{y_low}..{y_high}"
        );
        // Several versions: margins above the best and below the worst.
        let (_, (y_low, y_high)) = plotted_ranges(&[[1.0, 0.8], [2.0, 0.9], [3.0, 1.0]]);
        assert!(y_low < 0.8 && y_high > 1.0);
        // Nothing to plot.
        assert_eq!(plotted_ranges(&[]), ((0.5, 1.5), (0.0, 1.0)));
    }

    #[test]
    fn marks_step_by_one_two_or_five_times_a_power_of_ten() {
        let steps: Vec<f64> = [0.007, 0.01, 0.015, 0.03, 0.3, 7.0].map(nice_step).to_vec();
        assert_eq!(steps, vec![0.01, 0.01, 0.02, 0.05, 0.5, 10.0]);
        // Labels tell neighbouring marks apart: 0.95 and 1.00, not 1.0 and 1.0.
        let labels: Vec<usize> = [0.05, 0.1, 0.2, 1.0, 5.0].map(decimals).to_vec();
        assert_eq!(labels, vec![2, 1, 1, 0, 0]);
    }
}
