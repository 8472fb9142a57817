//! Row explanations summed up, as `shap`'s beeswarm plot shows them: a strip per column
//! (largest mean |contribution| first) with each row's contribution as a dot on the x axis,
//! coloured from low to high by the column's value in that row, and read out on hover. The
//! numbers come from whoever explains the rows; this widget only draws them.

use eframe::egui::{self, Color32, RichText};

use super::waterfall::{PUSHES_DOWN, PUSHES_UP};

/// Dots drawn per column at most; more rows are sampled evenly.
const MAX_DOTS: usize = 2000;
const RADIUS: f32 = 2.5;
const STRIP_HEIGHT: f32 = 26.0;
const STRIP_MIN: f32 = 140.0;
const STRIP_MAX: f32 = 480.0;
/// Room kept beside the strips for the names and the figures.
const BESIDE_STRIPS: f32 = 260.0;
/// How near (in points) the pointer must be to a dot to read it out.
const HOVER_REACH: f32 = 6.0;
/// The colour of a dot whose value is missing or has no order.
const NO_VALUE: Color32 = Color32::GRAY;

/// Each row's contribution per column, with the values that colour them.
#[derive(Debug, Clone, PartialEq)]
pub struct ContributionSummary {
    /// What the numbers are in: "log-odds of Yes", "probability of Adelie", "value".
    pub unit: String,
    /// One per original column, in any order.
    pub columns: Vec<ColumnContributions>,
}

/// One column's contribution in each row.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnContributions {
    pub column: String,
    /// Per row.
    pub contributions: Vec<f64>,
    /// Per row, the column's value as a number for the dot's colour; `None` when missing or
    /// when the column has no order (a category).
    pub values: Vec<Option<f64>>,
}

impl ColumnContributions {
    /// The mean size of the column's contributions.
    pub fn mean_abs(&self) -> f64 {
        let n = self.contributions.len().max(1) as f64;
        self.contributions.iter().map(|c| c.abs()).sum::<f64>() / n
    }
}

/// The columns in the order drawn: largest mean |contribution| first.
pub fn ranked(summary: &ContributionSummary) -> Vec<&ColumnContributions> {
    let mut columns: Vec<&ColumnContributions> = summary.columns.iter().collect();
    columns.sort_by(|a, b| b.mean_abs().total_cmp(&a.mean_abs()));
    columns
}

/// Each value's place among the column's values, 0 (lowest) to 1 (highest).
fn ranks(values: &[Option<f64>]) -> Vec<Option<f32>> {
    let mut known: Vec<f64> = values.iter().flatten().copied().collect();
    known.sort_by(f64::total_cmp);
    let last = known.len().saturating_sub(1).max(1) as f32;
    values
        .iter()
        .map(|v| {
            v.map(|v| {
                let below = known.partition_point(|k| *k < v);
                let up_to = known.partition_point(|k| *k <= v);
                // Ties share the middle of their places.
                (below + up_to.saturating_sub(1)) as f32 / 2.0 / last
            })
        })
        .collect()
}

/// Low values blue, high values red, as `shap` colours them.
fn value_color(rank: Option<f32>) -> Color32 {
    match rank {
        Some(t) => PUSHES_DOWN.lerp_to_gamma(PUSHES_UP, t.clamp(0.0, 1.0)),
        None => NO_VALUE,
    }
}

/// Draw the summary of `summary`.
pub fn show(ui: &mut egui::Ui, summary: &ContributionSummary, id: egui::Id) {
    let columns = ranked(summary);
    let reach = columns
        .iter()
        .flat_map(|c| c.contributions.iter())
        .map(|c| c.abs())
        .filter(|c| c.is_finite())
        .fold(0.0, f64::max)
        .max(1e-12)
        * 1.05;
    let width = (ui.available_width() - BESIDE_STRIPS).clamp(STRIP_MIN, STRIP_MAX);
    ui.label(format!(
        "Each row's contribution in {}, a dot per row: left of 0 it lowers the prediction, \
         right of 0 it raises it. Columns by mean |contribution|, largest first.",
        summary.unit
    ));
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        ui.strong("column");
        ui.label("");
        ui.strong("mean |contribution|");
        ui.end_row();
        for column in &columns {
            ui.label(&column.column);
            strip(ui, column, reach, width);
            ui.label(format!("{:.4}", column.mean_abs()));
            ui.end_row();
        }
        ui.label("");
        axis(ui, reach, width);
        ui.end_row();
    });
    value_legend(ui);
    let rows = columns
        .iter()
        .map(|c| c.contributions.len())
        .max()
        .unwrap_or(0);
    if rows > MAX_DOTS {
        ui.weak(format!(
            "{MAX_DOTS} of {rows} rows are drawn, evenly spread; the means are over every row."
        ));
    }
}

/// One column's dots, stacked where they crowd, with the row under the pointer read out.
fn strip(ui: &mut egui::Ui, column: &ColumnContributions, reach: f64, width: f32) {
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width, STRIP_HEIGHT), egui::Sense::hover());
    let name = format!("contributions of {}", column.column);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Figure, true, &name));
    let x = |c: f64| rect.center().x + (c / reach) as f32 * rect.width() / 2.0;
    let zero = egui::Stroke::new(1.0, ui.visuals().weak_text_color());
    ui.painter().vline(rect.center().x, rect.y_range(), zero);
    let ranks = ranks(&column.values);
    let n = column.contributions.len();
    let every = n.div_ceil(MAX_DOTS).max(1);
    // Dots per bucket of one dot's width, to stack the crowded ones up and down.
    let mut crowd = std::collections::HashMap::<i32, usize>::new();
    let mut dots: Vec<(egui::Pos2, usize)> = Vec::new();
    for row in (0..n).step_by(every) {
        let c = column.contributions[row];
        if !c.is_finite() {
            continue;
        }
        let dot_x = x(c);
        let count = crowd.entry((dot_x / (2.0 * RADIUS)) as i32).or_default();
        let k = *count;
        *count += 1;
        let side = if k % 2 == 1 { 1.0 } else { -1.0 };
        let offset = (side * k.div_ceil(2) as f32 * RADIUS * 1.1)
            .clamp(-STRIP_HEIGHT / 2.0 + RADIUS, STRIP_HEIGHT / 2.0 - RADIUS);
        let at = egui::pos2(dot_x, rect.center().y + offset);
        let color = value_color(ranks.get(row).copied().flatten());
        ui.painter().circle_filled(at, RADIUS, color);
        dots.push((at, row));
    }
    let near = response.hover_pos().and_then(|pointer| {
        dots.iter()
            .map(|(at, row)| (at.distance(pointer), *row))
            .filter(|(d, _)| *d <= HOVER_REACH)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, row)| row)
    });
    if let Some(row) = near {
        let value = match column.values.get(row).copied().flatten() {
            Some(v) => format!("{v}"),
            None => "—".into(),
        };
        response.on_hover_text_at_pointer(format!(
            "row {}: {} = {value}, contribution {:+.4}",
            row + 1,
            column.column,
            column.contributions[row]
        ));
    }
}

/// The x axis under the strips: its ends and 0.
fn axis(ui: &mut egui::Ui, reach: f64, width: f32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 16.0), egui::Sense::hover());
    let font = egui::TextStyle::Small.resolve(ui.style());
    let color = ui.visuals().weak_text_color();
    for (at, align, text) in [
        (
            rect.left_center(),
            egui::Align2::LEFT_CENTER,
            format!("{:+.3}", -reach),
        ),
        (rect.center(), egui::Align2::CENTER_CENTER, "0".to_string()),
        (
            rect.right_center(),
            egui::Align2::RIGHT_CENTER,
            format!("{:+.3}", reach),
        ),
    ] {
        ui.painter().text(at, align, text, font.clone(), color);
    }
}

/// What the dots' colours mean.
fn value_legend(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("column's value: low"));
        let (rect, _) = ui.allocate_exact_size(egui::vec2(80.0, 10.0), egui::Sense::hover());
        let steps = 16;
        for i in 0..steps {
            let t = i as f32 / (steps - 1) as f32;
            let part = egui::Rect::from_x_y_ranges(
                (rect.left() + rect.width() * i as f32 / steps as f32)
                    ..=(rect.left() + rect.width() * (i + 1) as f32 / steps as f32),
                rect.y_range(),
            );
            ui.painter().rect_filled(part, 0.0, value_color(Some(t)));
        }
        ui.label(RichText::new("high"));
        let (dot, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter().circle_filled(dot.center(), RADIUS, NO_VALUE);
        ui.label(RichText::new("missing or unordered"));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::kittest::Queryable;
    use egui_kittest::Harness;

    fn summary() -> ContributionSummary {
        ContributionSummary {
            unit: "probability of Yes".into(),
            columns: vec![
                ColumnContributions {
                    column: "bmi".into(),
                    contributions: vec![0.1, -0.1, 0.05],
                    values: vec![Some(30.0), Some(22.0), None],
                },
                ColumnContributions {
                    column: "glu".into(),
                    contributions: vec![0.3, -0.4, 0.2],
                    values: vec![Some(150.0), Some(90.0), Some(120.0)],
                },
                ColumnContributions {
                    column: "age".into(),
                    contributions: vec![0.0],
                    values: vec![Some(50.0)],
                },
            ],
        }
    }

    #[test]
    fn values_rank_from_low_to_high_and_ties_share_a_place() {
        let ranks = ranks(&[Some(3.0), Some(1.0), None, Some(3.0), Some(2.0)]);
        assert_eq!(ranks[1], Some(0.0));
        assert_eq!(ranks[2], None);
        assert_eq!(ranks[0], ranks[3]);
        assert!(ranks[4] < ranks[0]);
    }

    #[test]
    fn columns_are_drawn_by_mean_size_with_each_rows_dot_read_on_hover() {
        let mut harness = Harness::builder()
            .with_size(egui::vec2(720.0, 400.0))
            .build_ui(|ui| show(ui, &summary(), egui::Id::unique("s")));
        harness.run();
        harness.get_by_label_contains("Each row's contribution in probability of Yes");
        // glu (0.3) above bmi (0.0833) above age (0).
        let y = |label: &str| harness.get_by_label(label).rect().top();
        assert!(y("glu") < y("bmi") && y("bmi") < y("age"));
        harness.get_by_label("0.3000");
        harness.get_by_label("0.0833");
        // age's one row contributes 0: its dot sits in the middle of its strip.
        harness.get_by_label("contributions of age").hover();
        harness.run();
        harness.get_by_label("row 1: age = 50, contribution +0.0000");
    }
}
