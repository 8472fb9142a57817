//! One prediction explained as a waterfall: from the base (the average prediction), each
//! column's contribution pushes it up or down, largest first, the smallest summed as "other
//! columns", ending at the row's prediction. The numbers come from whoever explains the row;
//! this widget only draws them.

use eframe::egui::{self, Color32, RichText};

/// A contribution that raises the prediction, and one that lowers it (as `shap` colours them).
pub const PUSHES_UP: Color32 = Color32::from_rgb(0xFF, 0x00, 0x51);
pub const PUSHES_DOWN: Color32 = Color32::from_rgb(0x00, 0x8B, 0xFB);

/// Width of the column of bars, within the room the window gives.
const BARS_MIN: f32 = 120.0;
const BARS_MAX: f32 = 420.0;
/// Room kept beside the bars for the names and the figures.
const BESIDE_BARS: f32 = 300.0;

/// One row's prediction and how each original column moved it from the base.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallData {
    /// What the numbers are in: "log-odds of Yes", "probability of Adelie", "value".
    pub unit: String,
    /// The average prediction over the training rows.
    pub base: f64,
    /// The row's prediction.
    pub prediction: f64,
    /// One per original column (a category's levels together), in any order.
    pub contributions: Vec<Contribution>,
}

/// How much one column of the row moved its prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub column: String,
    /// The column's value in the row, as the file has it.
    pub value: String,
    pub contribution: f64,
    /// The estimate's sampling error (±), when the contribution is estimated.
    pub error: Option<f64>,
}

/// One bar of the waterfall as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// "glu = 148", or "other columns (5)".
    pub label: String,
    pub contribution: f64,
    pub error: Option<f64>,
    /// Where the bar starts: the base plus every bar above it.
    pub from: f64,
}

/// The bars: the `top` largest contributions (by size) and then the rest summed as one.
pub fn steps(data: &WaterfallData, top: usize) -> Vec<Step> {
    let mut sorted: Vec<&Contribution> = data.contributions.iter().collect();
    sorted.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
    let shown = sorted.len().min(top);
    let mut at = data.base;
    let mut out = Vec::new();
    for c in &sorted[..shown] {
        out.push(Step {
            label: format!("{} = {}", c.column, c.value),
            contribution: c.contribution,
            error: c.error,
            from: at,
        });
        at += c.contribution;
    }
    let rest = &sorted[shown..];
    if !rest.is_empty() {
        let sum: f64 = rest.iter().map(|c| c.contribution).sum();
        // Independent errors add in quadrature.
        let error = rest.iter().any(|c| c.error.is_some()).then(|| {
            rest.iter()
                .map(|c| c.error.unwrap_or(0.0).powi(2))
                .sum::<f64>()
                .sqrt()
        });
        out.push(Step {
            label: format!("other columns ({})", rest.len()),
            contribution: sum,
            error,
            from: at,
        });
    }
    out
}

/// The contribution as text, with its error when it has one: "+0.1234 ± 0.0100".
pub fn contribution_text(contribution: f64, error: Option<f64>) -> String {
    match error {
        Some(error) => format!("{contribution:+.4} ± {error:.4}"),
        None => format!("{contribution:+.4}"),
    }
}

/// Draw the waterfall of `data` with its `top` largest columns.
pub fn show(ui: &mut egui::Ui, data: &WaterfallData, top: usize, id: egui::Id) {
    let steps = steps(data, top);
    // The axis covers the base, the prediction and every bar's ends with their errors.
    let mut low = data.base.min(data.prediction);
    let mut high = data.base.max(data.prediction);
    for s in &steps {
        let e = s.error.unwrap_or(0.0);
        for end in [s.from, s.from + s.contribution] {
            low = low.min(end - e);
            high = high.max(end + e);
        }
    }
    if !low.is_finite() || !high.is_finite() {
        (low, high) = (0.0, 1.0);
    } else if high <= low {
        high = low + 1.0;
    }
    let width = (ui.available_width() - BESIDE_BARS).clamp(BARS_MIN, BARS_MAX);
    let x = move |rect: egui::Rect, v: f64| {
        rect.left() + ((v - low) / (high - low)) as f32 * rect.width()
    };
    ui.label(format!("In {}; largest first.", data.unit));
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        ui.label(RichText::new("base (average prediction)").italics());
        let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
        marker(ui, rect, x(rect, data.base));
        ui.label(format!("{:.4}", data.base));
        ui.end_row();
        for step in &steps {
            ui.label(&step.label);
            let (rect, response) =
                ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
            let (a, b) = (x(rect, step.from), x(rect, step.from + step.contribution));
            let color = if step.contribution >= 0.0 {
                PUSHES_UP
            } else {
                PUSHES_DOWN
            };
            let bar = egui::Rect::from_x_y_ranges(
                a.min(b)..=a.max(b).max(a.min(b) + 1.0),
                rect.y_range().shrink(1.0),
            );
            ui.painter().rect_filled(bar, 1.0, color);
            if let Some(error) = step.error {
                let end = step.from + step.contribution;
                let (l, r) = (x(rect, end - error), x(rect, end + error));
                let stroke = egui::Stroke::new(1.0, ui.visuals().text_color());
                let y = rect.center().y;
                ui.painter().hline(l..=r, y, stroke);
                ui.painter().vline(l, (y - 4.0)..=(y + 4.0), stroke);
                ui.painter().vline(r, (y - 4.0)..=(y + 4.0), stroke);
            }
            let text = contribution_text(step.contribution, step.error);
            response.on_hover_text(format!(
                "{}: {text} {}\nfrom {:.4} to {:.4}",
                step.label,
                data.unit,
                step.from,
                step.from + step.contribution
            ));
            ui.label(RichText::new(text).color(color));
            ui.end_row();
        }
        ui.strong("prediction");
        let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
        marker(ui, rect, x(rect, data.prediction));
        ui.strong(format!("{:.4}", data.prediction));
        ui.end_row();
    });
    let sum = data.base
        + data
            .contributions
            .iter()
            .map(|c| c.contribution)
            .sum::<f64>();
    if (sum - data.prediction).abs() > 1e-6 * data.prediction.abs().max(1.0) {
        ui.weak(format!(
            "The base and the contributions add up to {sum:.4}, not {:.4}: the contributions \
             are estimates.",
            data.prediction
        ));
    }
}

/// A vertical tick at `x` across `rect`: where the base or the prediction lies.
fn marker(ui: &egui::Ui, rect: egui::Rect, x: f32) {
    let stroke = egui::Stroke::new(2.0, ui.visuals().strong_text_color());
    ui.painter().vline(x, rect.y_range(), stroke);
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::kittest::Queryable;
    use egui_kittest::Harness;

    fn contribution(column: &str, value: &str, c: f64, error: Option<f64>) -> Contribution {
        Contribution {
            column: column.into(),
            value: value.into(),
            contribution: c,
            error,
        }
    }

    fn data() -> WaterfallData {
        WaterfallData {
            unit: "log-odds of Yes".into(),
            base: -0.5,
            prediction: 1.1,
            contributions: vec![
                contribution("bmi", "33.6", 0.4, None),
                contribution("glu", "148", 1.5, None),
                contribution("age", "50", -0.6, None),
                contribution("pedigree", "0.627", 0.2, None),
                contribution("pregnant", "6", 0.1, None),
            ],
        }
    }

    #[test]
    fn bars_are_largest_first_from_the_base_and_the_rest_summed() {
        let steps = steps(&data(), 3);
        let labels: Vec<&str> = steps.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            vec!["glu = 148", "age = 50", "bmi = 33.6", "other columns (2)"]
        );
        assert_eq!(steps[0].from, -0.5);
        assert_eq!(steps[1].from, 1.0);
        assert!((steps[3].contribution - 0.3).abs() < 1e-12);
        // The last bar ends at the prediction.
        let last = &steps[3];
        assert!((last.from + last.contribution - 1.1).abs() < 1e-12);
        // Fewer columns than asked for: no "other columns".
        assert_eq!(super::steps(&data(), 10).len(), 5);
    }

    #[test]
    fn the_waterfall_labels_each_bar_with_its_column_value_and_contribution() {
        let mut data = data();
        data.contributions[1].error = Some(0.25);
        data.contributions[3].error = Some(0.03);
        data.contributions[4].error = Some(0.04);
        let mut harness = Harness::builder()
            .with_size(egui::vec2(720.0, 400.0))
            .build_ui(move |ui| show(ui, &data, 3, egui::Id::unique("w")));
        harness.run();
        harness.get_by_label("In log-odds of Yes; largest first.");
        harness.get_by_label("-0.5000");
        harness.get_by_label("glu = 148");
        harness.get_by_label("+1.5000 ± 0.2500");
        harness.get_by_label("age = 50");
        harness.get_by_label("-0.6000");
        harness.get_by_label("other columns (2)");
        // 0.2 + 0.1, with the errors in quadrature: √(0.03² + 0.04²) = 0.05.
        harness.get_by_label("+0.3000 ± 0.0500");
        harness.get_by_label("1.1000");
        // The bars are listed top down, largest first.
        let y = |label: &str| harness.get_by_label(label).rect().top();
        assert!(y("glu = 148") < y("age = 50"));
        assert!(y("age = 50") < y("bmi = 33.6"));
        assert!(y("bmi = 33.6") < y("other columns (2)"));
        assert!(harness.query_by_label_contains("add up to").is_none());
    }

    #[test]
    fn estimates_that_miss_the_prediction_say_so() {
        let mut data = data();
        data.prediction = 1.3;
        let mut harness = Harness::builder()
            .with_size(egui::vec2(720.0, 400.0))
            .build_ui(move |ui| show(ui, &data, 5, egui::Id::unique("w")));
        harness.run();
        harness.get_by_label_contains("add up to 1.1000, not 1.3000");
    }
}
