//! The metric over versions: one metric (chosen) of each listed version, as a line.

use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

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
    Plot::new("catalog_metric_over_versions")
        .height(160.0)
        .allow_scroll(false)
        .x_axis_label("version")
        // Versions are whole numbers: no marks between them.
        .x_grid_spacer(whole_number_marks)
        .y_axis_label(metric_registry::label(&metric))
        .legend(Legend::default())
        .show(ui, |plot| {
            let name = metric_registry::label(&metric);
            plot.line(Line::new(name, PlotPoints::new(points.clone())).width(2.0));
            plot.points(Points::new(name, points).radius(4.0));
        });
}

/// egui_plot's usual marks (powers of ten and their fifths), without those between whole
/// numbers.
fn whole_number_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let mut marks = egui_plot::log_grid_spacer(10)(input);
    marks.retain(|mark| mark.step_size >= 1.0);
    marks
}
