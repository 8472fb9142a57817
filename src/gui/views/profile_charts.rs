//! The charts of a column's profile in the Data view: the histogram of a numeric column and
//! the bars of a column's most frequent levels. Their axes read at any magnitude (`250k`,
//! `1.5M`, not one lonely `0`), and hovering a bar names its bin or level and its count.

use eframe::egui;
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Plot};

use super::data_view::format_count;
use crate::data::ColumnProfile;

/// Level names longer than this are cut on the axis (whole in the bar's tooltip).
const LEVEL_CHARS: usize = 18;

/// The histogram of a numeric column: one bar per bin, its edges and count on hover.
pub(crate) fn histogram(ui: &mut egui::Ui, profile: &ColumnProfile) {
    let Some(summary) = &profile.numeric else {
        return;
    };
    let h = &summary.histogram;
    if h.counts.is_empty() || h.edges.len() != h.counts.len() + 1 {
        return;
    }
    let width = (h.edges[h.edges.len() - 1] - h.edges[0]) / h.counts.len() as f64;
    let edges = edge_texts(&h.edges);
    let bars: Vec<Bar> = h
        .counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let center = h.edges[i] + width / 2.0;
            Bar::new(center, count as f64)
                .width(width.max(f64::EPSILON) * 0.95)
                .name(format!("{} to {}", edges[i], edges[i + 1]))
        })
        .collect();
    let chart = BarChart::new("histogram", bars)
        .element_formatter(Box::new(|bar, _| bar_tooltip(&bar.name, bar.value, None)));
    Plot::new(("histogram", &profile.name))
        .height(200.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .custom_x_axes(vec![dense_x_axis(|mark| {
            axis_number(mark.value, mark.step_size)
        })])
        .y_axis_formatter(|mark, _| count_tick(mark))
        .y_axis_label("rows")
        .show(ui, |plot| plot.bar_chart(chart));
}

/// The most frequent levels as horizontal bars, the first on top; `rows` gives each share.
pub(crate) fn level_bars(ui: &mut egui::Ui, id: &str, levels: &[(String, u64)], rows: u64) {
    let bars: Vec<Bar> = levels
        .iter()
        .enumerate()
        .map(|(i, (level, count))| Bar::new(-(i as f64), *count as f64).width(0.7).name(level))
        .collect();
    let names: Vec<String> = levels.iter().map(|(l, _)| cut(l, LEVEL_CHARS)).collect();
    // The axis is as wide as its longest (cut) name, so no name is dropped for want of room.
    let name_width = names
        .iter()
        .map(|n| {
            let font = egui::TextStyle::Body.resolve(ui.style());
            ui.fonts_mut(|f| f.layout_no_wrap(n.clone(), font, egui::Color32::WHITE))
                .size()
                .x
        })
        .fold(0.0f32, f32::max);
    let chart = BarChart::new("levels", bars)
        .horizontal()
        .element_formatter(Box::new(move |bar, _| {
            bar_tooltip(&bar.name, bar.value, Some(rows))
        }));
    Plot::new(id)
        .height(28.0 * levels.len() as f32 + 40.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_x(0.0)
        .y_axis_min_width(name_width + 12.0)
        .custom_x_axes(vec![dense_x_axis(count_tick)])
        .y_axis_formatter(move |mark, _| {
            let i = (-mark.value).round();
            if (mark.value + i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| plot.bar_chart(chart));
}

/// An x axis that labels ticks as close as their (short) labels allow: egui_plot's own
/// wants 60 px between labels, which leaves a narrow chart of 0 to 60,000 only its "0".
fn dense_x_axis<'a>(format: impl Fn(GridMark) -> String + 'a) -> AxisHints<'a> {
    AxisHints::new_x()
        .label_spacing(18.0..=28.0)
        .formatter(move |mark, _| format(mark))
}

/// What hovering a bar says: its bin or level, and how many rows (with their share).
fn bar_tooltip(name: &str, count: f64, rows: Option<u64>) -> String {
    let count = count.max(0.0).round() as u64;
    let rows_text = if count == 1 { "row" } else { "rows" };
    match rows {
        Some(total) if total > 0 => format!(
            "{name}\n{} {rows_text} ({:.1}%)",
            format_count(count),
            100.0 * count as f64 / total as f64
        ),
        _ => format!("{name}\n{} {rows_text}", format_count(count)),
    }
}

/// A count axis marks whole numbers only.
fn count_tick(mark: GridMark) -> String {
    if mark.value < 0.0 || mark.value.fract().abs() > 1e-9 {
        return String::new();
    }
    axis_number(mark.value, mark.step_size.max(1.0))
}

/// A tick label as short as the step between ticks allows: `2007`, `0.25`, `250k`, `1.5M`.
pub(crate) fn axis_number(value: f64, step: f64) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let step = step.abs();
    let magnitude = value.abs().max(step);
    // Thousands read as `k` from 10,000 on, or sooner when the ticks are thousands apart
    // (a year such as 2007 stays whole).
    let (scale, suffix) = match magnitude {
        m if m >= 1e12 => (1e12, "T"),
        m if m >= 1e9 => (1e9, "B"),
        m if m >= 1e6 => (1e6, "M"),
        m if m >= 1e4 || step >= 1e3 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let scaled_step = step / scale;
    let decimals = if scaled_step > 0.0 && scaled_step < 1.0 {
        ((-scaled_step.log10()) - 1e-9).ceil().clamp(0.0, 12.0) as usize
    } else {
        0
    };
    let text = format!("{:.*}", decimals, value / scale);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    let text = if text == "-0" { "0".to_string() } else { text };
    format!("{text}{suffix}")
}

/// Bin edges with as many decimals as their spacing needs (one more than the first digit of
/// a bin's width), thousands grouped: `32.1`, `2,880`, `1,050,000,000`.
pub(crate) fn edge_texts(edges: &[f64]) -> Vec<String> {
    let width = edges
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .filter(|w| *w > 0.0)
        .fold(f64::INFINITY, f64::min);
    let decimals = if width.is_finite() {
        ((-width.log10()).ceil() + 1.0).clamp(0.0, 10.0) as usize
    } else {
        2
    };
    edges.iter().map(|&e| grouped(e, decimals)).collect()
}

/// `value` with `decimals` decimals and its whole part grouped by thousands.
fn grouped(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let whole = match whole.parse::<u64>() {
        Ok(n) => format_count(n),
        Err(_) => whole.to_string(),
    };
    let sign = if whole == "0" && fraction.is_none_or(|f| f.bytes().all(|b| b == b'0')) {
        ""
    } else {
        sign
    };
    match fraction {
        Some(f) => format!("{sign}{whole}.{f}"),
        None => format!("{sign}{whole}"),
    }
}

/// At most `chars` characters, with `…` where something was cut.
fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_numbers_stay_short_at_any_magnitude() {
        assert_eq!(axis_number(0.0, 50_000.0), "0");
        assert_eq!(axis_number(150_000.0, 50_000.0), "150k");
        assert_eq!(axis_number(2_500_000.0, 500_000.0), "2.5M");
        assert_eq!(axis_number(3_000_000.0, 500_000.0), "3M");
        assert_eq!(axis_number(4.2e9, 1e8), "4.2B");
        assert_eq!(axis_number(2007.0, 1.0), "2007");
        assert_eq!(axis_number(2000.0, 1000.0), "2k");
        assert_eq!(axis_number(0.25, 0.01), "0.25");
        assert_eq!(axis_number(-0.0, 0.1), "0");
        assert_eq!(axis_number(-20.0, 10.0), "-20");
    }

    #[test]
    fn bin_edges_read_with_the_decimals_their_width_needs() {
        assert_eq!(edge_texts(&[32.1, 33.475, 34.85]), ["32.1", "33.5", "34.9"]);
        assert_eq!(
            edge_texts(&[2700.0, 2880.0, 3060.0]),
            ["2,700", "2,880", "3,060"]
        );
        assert_eq!(
            edge_texts(&[1.0e9, 1.05e9]),
            ["1,000,000,000", "1,050,000,000"]
        );
        assert_eq!(
            edge_texts(&[-0.001, 0.0, 0.001]),
            ["-0.0010", "0.0000", "0.0010"]
        );
    }

    #[test]
    fn a_bar_says_its_bin_and_count() {
        assert_eq!(
            bar_tooltip("2,700 to 2,880", 12.0, None),
            "2,700 to 2,880\n12 rows"
        );
        assert_eq!(
            bar_tooltip("Dream", 124.0, Some(344)),
            "Dream\n124 rows (36.0%)"
        );
        assert_eq!(bar_tooltip("x", 1.0, None), "x\n1 row");
    }
}
