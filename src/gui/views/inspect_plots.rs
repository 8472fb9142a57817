//! The plots of which features matter: permutation importance as horizontal bars with the
//! std over shuffles as a whisker, and partial dependence as a line with each sampled row's
//! own curve faint behind it (a category's levels as bars). Hovering reads the values.

use eframe::egui::{self, Color32};
use egui_plot::{Bar, BarChart, GridMark, HoverPosition, Line, Plot, PlotPoints};

use crate::ml::metric_registry;
use crate::ml::partial_dependence::{GridValue, PartialDependence};
use crate::ml::permutation::PermutationImportance;

/// Names longer than this are cut on an axis (whole when hovered).
const NAME_CHARS: usize = 18;

fn cut(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        name.to_string()
    } else {
        let head: String = name.chars().take(NAME_CHARS - 1).collect();
        format!("{head}…")
    }
}

/// The width the longest of `names` takes in body text.
fn names_width(ui: &egui::Ui, names: &[String]) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    names
        .iter()
        .map(|n| {
            ui.fonts_mut(|f| f.layout_no_wrap(n.clone(), font.clone(), Color32::WHITE))
                .size()
                .x
        })
        .fold(0.0f32, f32::max)
}

/// Each column's mean drop as a bar, the most important on top, its std as a whisker.
pub fn importance_bars(
    ui: &mut egui::Ui,
    id: egui::Id,
    measured: &PermutationImportance,
    color: Color32,
) {
    let bars: Vec<Bar> = measured
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Bar::new(-(i as f64), c.mean)
                .width(0.6)
                .name(format!("{}: {:+.4} ± {:.4}", c.column, c.mean, c.std))
        })
        .collect();
    let names: Vec<String> = measured.columns.iter().map(|c| cut(&c.column)).collect();
    let name_width = names_width(ui, &names);
    // One line: a taller label at the top bar runs out of the plot.
    let chart = BarChart::new("permutation importance", bars)
        .horizontal()
        .color(color)
        .element_formatter(Box::new(|bar, _| bar.name.clone()));
    let whiskers: Vec<Line> = measured
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.std > 0.0)
        .map(|(i, c)| {
            let y = -(i as f64);
            Line::new(
                format!("std {}", c.column),
                PlotPoints::from(vec![[c.mean - c.std, y], [c.mean + c.std, y]]),
            )
            .color(ui.visuals().text_color())
            .width(1.5)
            .allow_hover(false)
        })
        .collect();
    let count = measured.columns.len();
    Plot::new(id)
        .height((24.0 * count as f32 + 44.0).min(420.0))
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_x(0.0)
        .y_axis_min_width(name_width + 12.0)
        .x_axis_label(format!(
            "drop in {}",
            metric_registry::label(&measured.metric)
        ))
        .y_grid_spacer(move |_| {
            (0..count)
                .map(|i| GridMark {
                    value: -(i as f64),
                    step_size: 1.0,
                })
                .collect()
        })
        .y_axis_formatter(move |mark, _| {
            let i = (-mark.value).round();
            if (mark.value + i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(chart);
            for whisker in whiskers {
                plot.line(whisker);
            }
        });
}

/// Output `output`'s partial dependence: the average as a line over a numeric grid, each
/// sampled row's curve faint behind it; a category's levels as bars.
pub fn dependence_plot(
    ui: &mut egui::Ui,
    id: egui::Id,
    dependence: &PartialDependence,
    output: usize,
    color: Color32,
) {
    let Some(average) = dependence.average.get(output) else {
        return;
    };
    let name = dependence.outputs.get(output).cloned().unwrap_or_default();
    let numbers: Option<Vec<f64>> = dependence
        .grid
        .iter()
        .map(|g| match g {
            GridValue::Number(v) => Some(*v),
            GridValue::Level(_) => None,
        })
        .collect();
    let column = dependence.column.clone();
    let plot = Plot::new(id)
        .height(220.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .y_axis_label(format!("average {}", cut(&name)));
    match numbers {
        Some(grid) => {
            let faint = color.gamma_multiply(0.18);
            let rows: Vec<Line> = dependence
                .individual
                .get(output)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(r, curve)| {
                    let points: Vec<[f64; 2]> =
                        grid.iter().zip(curve).map(|(x, y)| [*x, *y]).collect();
                    Line::new(format!("row {r}"), PlotPoints::from(points))
                        .color(faint)
                        .width(1.0)
                        .allow_hover(false)
                })
                .collect();
            let points: Vec<[f64; 2]> = grid.iter().zip(average).map(|(x, y)| [*x, *y]).collect();
            let mean = Line::new("average", PlotPoints::from(points))
                .color(color)
                .width(2.5);
            let output_name = name.clone();
            plot.x_axis_label(cut(&column))
                .label_formatter(move |hover| match hover {
                    HoverPosition::NearDataPoint {
                        plot_name: "average",
                        position,
                        ..
                    } => Some(format!(
                        "{column} = {:.4}\naverage {output_name}: {:.4}",
                        position.x, position.y
                    )),
                    _ => None,
                })
                .show(ui, |plot| {
                    for row in rows {
                        plot.line(row);
                    }
                    plot.line(mean);
                });
        }
        None => {
            let levels: Vec<String> = dependence
                .grid
                .iter()
                .map(|g| match g {
                    GridValue::Level(l) => l.clone(),
                    GridValue::Number(v) => v.to_string(),
                })
                .collect();
            let bars: Vec<Bar> = levels
                .iter()
                .zip(average)
                .enumerate()
                .map(|(k, (level, v))| {
                    Bar::new(k as f64, *v)
                        .width(0.6)
                        .name(format!("{column} = {level}\naverage {name}: {v:.4}"))
                })
                .collect();
            let chart = BarChart::new("average", bars)
                .color(color)
                .element_formatter(Box::new(|bar, _| bar.name.clone()));
            let n = levels.len();
            let names: Vec<String> = levels.iter().map(|l| cut(l)).collect();
            plot.x_axis_label(cut(&column))
                .include_y(0.0)
                .x_grid_spacer(move |_| {
                    (0..n)
                        .map(|i| GridMark {
                            value: i as f64,
                            step_size: 1.0,
                        })
                        .collect()
                })
                .x_axis_formatter(move |mark, _| {
                    let i = mark.value.round();
                    if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                        names.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .show(ui, |plot| plot.bar_chart(chart));
        }
    }
}
