//! The Live panel of a version's page: what `modeldesk serve` saw of the version, window by
//! window — requests per minute, latency p50/p99, each feature's PSI against the warning and
//! drift thresholds, and the metric on labelled rows beside the validation figure. It draws
//! what was read with the page ([`LiveData`]); it never reads the catalog itself.

use eframe::egui::{self, Color32, RichText};
use egui_plot::{GridInput, GridMark, HLine, HoverPosition, Line, LineStyle, Plot, Points};

use super::compare_plots::run_color;
use crate::gui::command::{CatalogCommand, Command};
use crate::gui::local_time::{local_clock, local_offset, local_time_of};
use crate::jobs::live_data::LiveData;
use crate::report::{clock_step, LiveSeries, TimeLabel};
use crate::score::drift::Thresholds;

/// Height of each chart: small enough that two fit a 480-pixel-high window with the header.
const CHART_HEIGHT: f32 = 150.0;
/// Below this width the charts stack instead of standing in pairs.
const PAIR_WIDTH: f32 = 620.0;

/// Draw the panel's body (the caller puts it under a collapsing header).
pub fn show(ui: &mut egui::Ui, live: &LiveData, commands: &mut Vec<Command>) {
    // As wide as what can be seen of the page, which a wide table above may have made wider
    // than the window, less room for the last time under a chart.
    let visible = ui.clip_rect().right() - ui.cursor().left() - 24.0;
    let width = ui.available_width().min(visible).max(240.0);
    ui.allocate_ui_with_layout(
        egui::vec2(width, 0.0),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            ui.set_max_width(width);
            charts(ui, live, commands);
        },
    );
}

fn charts(ui: &mut egui::Ui, live: &LiveData, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.weak(&live.summary);
        if ui
            .small_button("Reload")
            .on_hover_text(
                "Read the catalog again: a running server adds a window at the end of each one",
            )
            .clicked()
        {
            commands.push(Command::Catalog(CatalogCommand::Reload));
        }
    });
    let series = &live.series;
    let pair = ui.available_width() >= PAIR_WIDTH;
    let traffic = |ui: &mut egui::Ui| {
        ui.strong("Requests per minute");
        time_plot("live_requests")
            .y_axis_label("requests / min")
            .include_y(0.0)
            .show(ui, |plot| {
                let color = run_color(0);
                series_line(plot, "requests / min", &series.requests_per_minute, color);
            });
    };
    let latency = |ui: &mut egui::Ui| {
        ui.horizontal(|ui| {
            ui.strong("Latency (ms)");
            swatch(ui, run_color(4), "p50");
            swatch(ui, run_color(5), "p99");
        });
        time_plot("live_latency")
            .y_axis_label("ms")
            .include_y(0.0)
            .show(ui, |plot| {
                series_line(plot, "p50 ms", &series.latency_p50_ms, run_color(4));
                series_line(plot, "p99 ms", &series.latency_p99_ms, run_color(5));
            });
    };
    if pair {
        ui.columns(2, |columns| {
            traffic(&mut columns[0]);
            latency(&mut columns[1]);
        });
    } else {
        traffic(ui);
        latency(ui);
    }
    ui.add_space(4.0);
    psi_chart(ui, series);
    ui.add_space(4.0);
    labelled_chart(ui, live);
}

/// Each feature's PSI over time with the thresholds, and a legend beneath (not over) it.
fn psi_chart(ui: &mut egui::Ui, series: &LiveSeries) {
    let thresholds = Thresholds::default();
    ui.strong("PSI per feature");
    if series.psi.is_empty() {
        ui.weak("No window sampled enough rows (100) to measure drift yet.");
        return;
    }
    let warn = ui.visuals().warn_fg_color;
    let error = ui.visuals().error_fg_color;
    let highest = series.psi.iter().map(|f| f.highest).fold(0.0, f64::max);
    time_plot("live_psi")
        .y_axis_label("PSI")
        .include_y(0.0)
        // The drift line stays in view even when every feature is far below it.
        .include_y(thresholds.drift.max(highest) * 1.1)
        .show(ui, |plot| {
            plot.hline(
                HLine::new(
                    format!("warning (PSI {})", thresholds.warning),
                    thresholds.warning,
                )
                .color(warn)
                .style(LineStyle::dashed_dense()),
            );
            plot.hline(
                HLine::new(
                    format!("drift (PSI {})", thresholds.drift),
                    thresholds.drift,
                )
                .color(error)
                .style(LineStyle::dashed_dense()),
            );
            for (i, feature) in series.psi.iter().enumerate() {
                let color = run_color(i);
                series_line(plot, &feature.column, &feature.points, color);
            }
        });
    // Features that crossed a threshold first, so a long list still shows them.
    let mut order: Vec<usize> = (0..series.psi.len()).collect();
    order.sort_by(|&a, &b| series.psi[b].highest.total_cmp(&series.psi[a].highest));
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("- - warning {}", thresholds.warning))
                .color(warn)
                .small(),
        );
        ui.label(
            RichText::new(format!("- - drift {}", thresholds.drift))
                .color(error)
                .small(),
        );
        for i in order {
            let feature = &series.psi[i];
            let latest = feature.points.last().map_or(f64::NAN, |p| p.1);
            let text = format!("{} {latest:.3}", feature.column);
            let status = match feature.latest_status.as_str() {
                "drift" => Some(("drift", error)),
                "warning" => Some(("warning", warn)),
                _ => None,
            };
            legend_item(ui, run_color(i), &text, status).on_hover_text(format!(
                "{}: PSI {latest:.3} in the latest window, {:.3} at most",
                feature.column, feature.highest
            ));
        }
    });
}

/// Accuracy (or RMSE) on the rows whose labels came back, with the validation figure.
fn labelled_chart(ui: &mut egui::Ui, live: &LiveData) {
    let name = if live.accuracy { "Accuracy" } else { "RMSE" };
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("{name} on labelled rows"));
        if let Some((_, validation)) = live.validation {
            ui.weak(format!("validation {validation:.4}"));
        }
    });
    if live.series.labelled_metric.is_empty() {
        ui.weak("No labels came back yet (POST /labels with the request ids).");
        return;
    }
    time_plot("live_labelled")
        .y_axis_label(name.to_lowercase())
        .show(ui, |plot| {
            if let Some((_, validation)) = live.validation {
                plot.hline(
                    HLine::new(format!("validation {name}"), validation)
                        .color(Color32::GRAY)
                        .style(LineStyle::dashed_dense()),
                );
            }
            series_line(
                plot,
                &format!("{name} (live)"),
                &live.series.labelled_metric,
                run_color(2),
            );
        });
}

/// A chart over time: window ends on x as clock times, a value and its time on hover.
fn time_plot(id: &str) -> Plot<'static> {
    Plot::new(id)
        .height(CHART_HEIGHT)
        // The page scrolls with the wheel; the charts do not zoom with it.
        .allow_scroll(false)
        .x_grid_spacer(time_marks)
        .y_grid_spacer(value_marks)
        // As many decimals as the step needs, so marks 0.5 apart do not all read "0" and "1".
        .y_axis_formatter(|mark, _| {
            let decimals = (-mark.step_size.log10()).ceil().max(0.0) as usize;
            format!("{:.*}", decimals, mark.value)
        })
        .x_axis_formatter(|mark, range| {
            let span = range.end() - range.start();
            local_clock(mark.value, TimeLabel::for_marks(mark.step_size, span))
        })
        .label_formatter(|position| match position {
            HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{plot_name}\n{} at {}",
                crate::report::short_number(position.y),
                local_time_of(position.x)
            )),
            HoverPosition::Elsewhere { .. } => None,
        })
}

/// A series as a line with a dot per window (a single window still shows).
fn series_line(
    plot: &mut egui_plot::PlotUi<'_>,
    name: &str,
    points: &[(f64, f64)],
    color: Color32,
) {
    let points: Vec<[f64; 2]> = points.iter().map(|&(x, y)| [x, y]).collect();
    plot.line(Line::new(name, points.clone()).color(color).width(1.5));
    plot.points(Points::new(name, points).color(color).radius(2.5));
}

/// A small coloured square and a label.
fn swatch(ui: &mut egui::Ui, color: Color32, text: &str) -> egui::Response {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
    ui.label(RichText::new(text).small())
}

/// A swatch, a name and a status laid out as one item, so a wrapped legend never parts them.
fn legend_item(
    ui: &mut egui::Ui,
    color: Color32,
    text: &str,
    status: Option<(&str, Color32)>,
) -> egui::Response {
    let font = egui::TextStyle::Small.resolve(ui.style());
    let ink = ui.visuals().text_color();
    let name = ui
        .painter()
        .layout_no_wrap(text.to_string(), font.clone(), ink);
    let status = status.map(|(word, color)| {
        ui.painter()
            .layout_no_wrap(word.to_string(), font.clone(), color)
    });
    let gap = 4.0;
    let width = 10.0 + gap + name.size().x + status.as_ref().map_or(0.0, |g| gap + g.size().x);
    let height = name.size().y.max(10.0);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    let painter = ui.painter();
    let square = egui::Rect::from_min_size(
        egui::pos2(rect.left(), rect.center().y - 5.0),
        egui::vec2(10.0, 10.0),
    );
    painter.rect_filled(square, 2.0, color);
    let mut x = square.right() + gap;
    let name_width = name.size().x;
    painter.galley(egui::pos2(x, rect.top()), name, ink);
    x += name_width + gap;
    if let Some(status) = status {
        painter.galley(egui::pos2(x, rect.top()), status, ink);
    }
    // Painted, so it is named for screen readers (and tests) by hand.
    let label = text.to_string();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &label));
    response
}

/// Grid marks at round clock steps (a minute, five, a quarter hour, an hour, a day…) of the
/// local clock, about five across the chart.
fn time_marks(input: GridInput) -> Vec<GridMark> {
    let (low, high) = input.bounds;
    let offset = local_offset((low + high) / 2.0);
    let mut marks = marks_every((low + offset, high + offset), |span| {
        clock_step(span, 5, input.base_step_size)
    });
    for mark in &mut marks {
        mark.value -= offset;
    }
    marks
}

/// Grid marks at round values (1, 2 or 5 times a power of ten), about five up the chart:
/// few enough that each is labelled in a chart this low.
fn value_marks(input: GridInput) -> Vec<GridMark> {
    marks_every(input.bounds, |span| {
        let raw = (span / 5.0).max(input.base_step_size);
        let magnitude = 10f64.powf(raw.log10().floor());
        [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|&s| s >= raw)
            .unwrap_or(10.0 * magnitude)
    })
}

/// Grid marks at every multiple within `(low, high)` of the step `step_for` picks for the
/// span (at most 51 of them); none when the bounds are empty or not finite.
fn marks_every((low, high): (f64, f64), step_for: impl FnOnce(f64) -> f64) -> Vec<GridMark> {
    let span = high - low;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let step = step_for(span);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last.min(first + 50))
        .map(|i| GridMark {
            value: i as f64 * step,
            step_size: step,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_marks_fall_on_round_clock_steps() {
        // 18:00 to 20:00 local time on 2026-11-30: marks every half hour.
        let utc = 1_796_061_600.0;
        let start = utc - local_offset(utc);
        let marks = time_marks(GridInput {
            bounds: (start, start + 7200.0),
            base_step_size: 10.0,
        });
        let clocks: Vec<String> = marks
            .iter()
            .map(|m| local_clock(m.value, TimeLabel::Clock))
            .collect();
        assert_eq!(clocks, vec!["18:00", "18:30", "19:00", "19:30", "20:00"]);
    }

    #[test]
    fn value_marks_are_round_and_few() {
        let values = |low: f64, high: f64| -> Vec<f64> {
            value_marks(GridInput {
                bounds: (low, high),
                base_step_size: 1e-6,
            })
            .iter()
            .map(|m| m.value)
            .collect()
        };
        assert_eq!(values(-4.0, 90.0), vec![0.0, 20.0, 40.0, 60.0, 80.0]);
        assert_eq!(values(0.0, 0.35), vec![0.0, 0.1, 0.2, 0.30000000000000004]);
    }
}
