//! The Compare view's plots of regression runs: predicted against actual values, and the
//! residuals against the prediction, from the pooled out-of-fold predictions. Both plots
//! share the predicted-value axis, so zooming one moves the other.

use eframe::egui::{self, Color32};
use egui_plot::{HoverPosition, Line, LineStyle, Plot, Points};

use super::compare_plots::ComparedRun;
use super::plot_legend::legend_below;
use crate::catalog::record::StoredCurves;

/// Points drawn per run at most; more would not show, and cost every frame.
const DRAWN_POINTS: usize = 4_000;

/// A run's name, colour and (predicted, actual) points.
type Series = (String, Color32, Vec<(f64, f64)>);

/// (predicted, actual) pairs of a run, evenly thinned to at most `max`.
fn pairs(predicted: &[f64], actual: &[f64], max: usize) -> Vec<(f64, f64)> {
    let n = predicted.len().min(actual.len());
    let step = n.div_ceil(max.max(1)).max(1);
    (0..n)
        .step_by(step)
        .map(|i| (predicted[i], actual[i]))
        .filter(|(p, a)| p.is_finite() && a.is_finite())
        .collect()
}

/// Draw both plots for the regression runs among `runs`.
pub(super) fn show(ui: &mut egui::Ui, runs: &[ComparedRun<'_>]) {
    let series: Vec<Series> = runs
        .iter()
        .map(|run| {
            let e = &run.run.evaluation;
            let points = match &run.run.stored_curves {
                // A catalog version: the out-of-fold rows stored with it, (actual, predicted).
                StoredCurves::Regression(stored) if e.predicted_values.is_empty() => stored
                    .iter()
                    .map(|&(actual, predicted)| (predicted, actual))
                    .collect(),
                _ => pairs(&e.predicted_values, &e.validated_values, DRAWN_POINTS),
            };
            (format!("#{}", run.run.id), run.color, points)
        })
        .collect();
    let stored: Vec<String> = runs
        .iter()
        .filter(|run| run.run.evaluation.predicted_values.is_empty())
        .map(|run| format!("#{}", run.run.id))
        .collect();
    let (low, high) = series
        .iter()
        .flat_map(|(_, _, p)| p.iter().flat_map(|(a, b)| [*a, *b]))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if low > high {
        ui.weak("No validated predictions to draw.");
        return;
    }
    ui.weak("Pooled out-of-fold predictions. Points on the dashed line are exact.");
    if !stored.is_empty() {
        ui.weak(format!(
            "{}: up to {} evenly spread out-of-fold rows, as stored in the catalog.",
            stored.join(", "),
            crate::catalog::record::CURVE_POINTS,
        ));
    }
    let side = ((ui.available_width() - 24.0) / 2.0).clamp(220.0, 420.0);
    let group = egui::Id::unique("compare_regression_axes");
    let read_out = |x_name: &'static str, y_name: &'static str| {
        move |position: &HoverPosition<'_>| -> Option<String> {
            let (name, p) = match *position {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (plot_name, position),
                HoverPosition::Elsewhere { position } => ("", position),
            };
            Some(
                format!("{name}\n{x_name} {:.4}\n{y_name} {:.4}", p.x, p.y)
                    .trim_start()
                    .to_string(),
            )
        }
    };
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.strong("Predicted against actual");
            Plot::new("compare_predicted_actual")
                .width(side)
                .height(side)
                .x_axis_label("predicted")
                .y_axis_label("actual")
                .link_axis(group, [true, false])
                .link_cursor(group, [true, false])
                .allow_scroll(false)
                .label_formatter(read_out("predicted", "actual"))
                .show(ui, |plot| {
                    plot.line(
                        Line::new("", vec![[low, low], [high, high]])
                            .color(Color32::GRAY)
                            .style(LineStyle::dashed_dense())
                            .allow_hover(false),
                    );
                    for (name, color, points) in &series {
                        let xy: Vec<[f64; 2]> = points.iter().map(|(p, a)| [*p, *a]).collect();
                        plot.points(Points::new(name.as_str(), xy).color(*color).radius(1.5));
                    }
                });
        });
        ui.vertical(|ui| {
            ui.strong("Residuals (actual − predicted)");
            Plot::new("compare_residuals")
                .width(side)
                .height(side)
                .x_axis_label("predicted")
                .y_axis_label("residual")
                .link_axis(group, [true, false])
                .link_cursor(group, [true, false])
                .allow_scroll(false)
                .label_formatter(read_out("predicted", "residual"))
                .show(ui, |plot| {
                    plot.line(
                        Line::new("", vec![[low, 0.0], [high, 0.0]])
                            .color(Color32::GRAY)
                            .style(LineStyle::dashed_dense())
                            .allow_hover(false),
                    );
                    for (name, color, points) in &series {
                        let xy: Vec<[f64; 2]> = points.iter().map(|(p, a)| [*p, *a - *p]).collect();
                        plot.points(Points::new(name.as_str(), xy).color(*color).radius(1.5));
                    }
                });
        });
    });
    // One legend for both plots, beneath them.
    let entries: Vec<(String, Color32)> = series
        .iter()
        .map(|(name, color, _)| (name.clone(), *color))
        .collect();
    legend_below(ui, &entries);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_thinned_evenly_and_skip_non_finite_values() {
        let predicted: Vec<f64> = (0..10).map(f64::from).collect();
        let mut actual = predicted.clone();
        actual[2] = f64::NAN;
        let p = pairs(&predicted, &actual, 5);
        assert_eq!(p, vec![(0.0, 0.0), (4.0, 4.0), (6.0, 6.0), (8.0, 8.0)]);
        assert_eq!(pairs(&predicted, &predicted, 100).len(), 10);
    }
}
