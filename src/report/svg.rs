//! Charts drawn as inline SVG text: an x/y plot with axes, grid, lines and points, and small
//! bar charts for column profiles and drift. Every piece of text put into the markup passes
//! through [`escape`], so a class or level name is always text, never markup.

use std::fmt::Write;

use super::live_series::{clock_ticks, utc_time, TimeLabel};

/// Text made safe for an XML text node or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Line,
    /// A line with a dot at each point (few points, such as calibration bins).
    LineAndPoints,
    Points,
    /// A thin, pale line, one of many behind the others (a row's own curve).
    FaintLine,
}

/// One series of a plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// A CSS colour from [`super::palette`].
    pub color: &'static str,
    pub mark: Mark,
    pub points: Vec<(f64, f64)>,
}

/// A range of values along an axis, with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub label: &'static str,
    pub min: f64,
    pub max: f64,
}

impl Axis {
    /// The axis over `values` with a little room at both ends (0..1 when there are none).
    pub fn fitted(label: &'static str, values: impl Iterator<Item = f64>) -> Axis {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite()) {
            min = min.min(v);
            max = max.max(v);
        }
        if !min.is_finite() {
            return Axis {
                label,
                min: 0.0,
                max: 1.0,
            };
        }
        let pad = if max > min {
            (max - min) * 0.05
        } else {
            min.abs().max(1.0) * 0.5
        };
        Axis {
            label,
            min: min - pad,
            max: max + pad,
        }
    }

    /// The unit interval, for rates and probabilities, with a sliver of room so a curve
    /// along 0 or 1 is not hidden by the frame.
    pub fn unit(label: &'static str) -> Axis {
        Axis {
            label,
            min: -0.02,
            max: 1.02,
        }
    }
}

/// An x/y plot. Its axes are expected to hold every point (nothing is clipped).
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    /// Draw the line y = x (chance on ROC, perfect calibration, perfect prediction).
    pub diagonal: bool,
    /// Draw the line y = 0 (residuals).
    pub zero_line: bool,
    /// Dashed lines across at values of y (thresholds).
    pub levels: Vec<Level>,
    /// x holds seconds since the Unix epoch: ticks fall on round clock times, read in UTC.
    pub time_x: bool,
    /// Twice as wide, for series over time.
    pub wide: bool,
}

/// A dashed horizontal line at a value of y, labelled at its right end.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub y: f64,
    pub color: &'static str,
    pub label: String,
}

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 40.0;

/// About `target` round values spanning `min..=max`.
pub fn ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    let span = max - min;
    if !span.is_finite() || span <= 0.0 {
        return vec![min];
    }
    let raw = span / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let step = magnitude
        * if norm < 1.5 {
            1.0
        } else if norm < 3.0 {
            2.0
        } else if norm < 7.0 {
            5.0
        } else {
            10.0
        };
    let first = (min / step).ceil();
    let last = (max / step + 1e-9).floor();
    // Rounded to the step's decimals, so 3 × 0.2 is 0.6.
    let scale = 10f64.powf((-step.log10().floor()).max(0.0));
    (first as i64..=last as i64)
        .map(|i| {
            let v = (i as f64 * step * scale).round() / scale;
            // -0 reads badly on an axis.
            if v == 0.0 {
                0.0
            } else {
                v
            }
        })
        .collect()
}

/// A tick value with as many decimals as the step between ticks needs.
fn tick_label(value: f64, step: f64) -> String {
    let decimals = if step > 0.0 {
        (-step.log10().floor()).max(0.0) as usize
    } else {
        2
    };
    if value.abs() >= 10_000.0 && decimals == 0 {
        format!("{:.0}k", value / 1000.0)
    } else {
        format!("{value:.decimals$}")
    }
}

impl Plot {
    /// The plot as an `<svg>` element that scales to the width of its container.
    pub fn to_svg(&self) -> String {
        let width = if self.wide { 2.0 * WIDTH } else { WIDTH };
        // Room on the right for the levels' labels.
        let right = if self.levels.is_empty() { RIGHT } else { 64.0 };
        let plot_w = width - LEFT - right;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let (x0, x1) = (self.x.min, self.x.max);
        let (y0, y1) = (self.y.min, self.y.max);
        let sx = |x: f64| LEFT + (x - x0) / (x1 - x0) * plot_w;
        let sy = |y: f64| TOP + plot_h - (y - y0) / (y1 - y0) * plot_h;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="plot{}" viewBox="0 0 {width} {HEIGHT}" role="img">"#,
            if self.wide { " wide" } else { "" }
        );
        let _ = write!(
            s,
            r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#9ca3af"/>"##
        );
        let step = |t: &[f64]| if t.len() > 1 { t[1] - t[0] } else { 0.0 };
        let x_ticks = if self.time_x {
            clock_ticks(x0, x1, if self.wide { 6 } else { 4 })
        } else {
            ticks(x0, x1, 5)
        };
        let y_ticks = ticks(y0, y1, 5);
        for &t in &x_ticks {
            let x = sx(t);
            let label = if self.time_x {
                utc_time(t, TimeLabel::for_marks(step(&x_ticks), x1 - x0))
            } else {
                tick_label(t, step(&x_ticks))
            };
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#e5e7eb"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"##,
                TOP + plot_h,
                TOP + plot_h + 13.0,
                escape(&label)
            );
        }
        for &t in &y_ticks {
            let y = sy(t);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e5e7eb"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
                LEFT + plot_w,
                LEFT - 4.0,
                y + 3.5,
                escape(&tick_label(t, step(&y_ticks)))
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="axis" text-anchor="middle">{}</text>"#,
            LEFT + plot_w / 2.0,
            HEIGHT - 6.0,
            escape(self.x.label)
        );
        let _ = write!(
            s,
            r#"<text transform="translate(12 {:.1}) rotate(-90)" class="axis" text-anchor="middle">{}</text>"#,
            TOP + plot_h / 2.0,
            escape(self.y.label)
        );
        if self.diagonal {
            let lo = x0.max(y0);
            let hi = x1.min(y1);
            if hi > lo {
                let _ = write!(
                    s,
                    r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#9ca3af" stroke-dasharray="4 3"/>"##,
                    sx(lo),
                    sy(lo),
                    sx(hi),
                    sy(hi)
                );
            }
        }
        if self.zero_line && y0 < 0.0 && y1 > 0.0 {
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#9ca3af" stroke-dasharray="4 3"/>"##,
                sy(0.0),
                LEFT + plot_w,
                sy(0.0)
            );
        }
        let mut levels: Vec<&Level> = self
            .levels
            .iter()
            .filter(|l| l.y > y0 && l.y < y1)
            .collect();
        levels.sort_by(|a, b| a.y.total_cmp(&b.y));
        // Labels of close levels are spread apart, upwards, so they never overlap.
        let mut label_at = f64::INFINITY;
        for level in levels {
            let y = sy(level.y);
            label_at = (y + 3.5).min(label_at - 11.0);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-dasharray="5 3"/><text x="{:.1}" y="{:.1}" class="tick" style="fill: {}">{}</text>"##,
                LEFT + plot_w,
                level.color,
                LEFT + plot_w + 4.0,
                label_at,
                level.color,
                escape(&level.label)
            );
        }
        for series in &self.series {
            let points: Vec<(f64, f64)> = series
                .points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|&(x, y)| (sx(x), sy(y)))
                .collect();
            if matches!(
                series.mark,
                Mark::Line | Mark::LineAndPoints | Mark::FaintLine
            ) && points.len() > 1
            {
                let path: Vec<String> = points
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect();
                let stroke = if series.mark == Mark::FaintLine {
                    r#"stroke-width="0.8" stroke-opacity="0.3""#
                } else {
                    r#"stroke-width="1.8""#
                };
                let _ = write!(
                    s,
                    r#"<polyline points="{}" fill="none" stroke="{}" {stroke} stroke-linejoin="round"/>"#,
                    path.join(" "),
                    series.color
                );
            }
            if matches!(series.mark, Mark::Points | Mark::LineAndPoints) {
                let (radius, opacity) = if series.mark == Mark::Points {
                    (2.2, 0.55)
                } else {
                    (2.6, 1.0)
                };
                for (x, y) in &points {
                    let _ = write!(
                        s,
                        r#"<circle cx="{x:.1}" cy="{y:.1}" r="{radius}" fill="{}" fill-opacity="{opacity}"/>"#,
                        series.color
                    );
                }
            }
        }
        if self.series.iter().all(|series| series.points.is_empty()) {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" class="empty" text-anchor="middle">nothing stored to draw</text>"#,
                LEFT + plot_w / 2.0,
                TOP + plot_h / 2.0
            );
        }
        s.push_str("</svg>");
        s
    }
}

/// One bar of a small bar chart; `title` is shown on hover.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub value: f64,
    pub title: String,
}

/// A small bar chart without axes (a column's histogram or its most frequent levels).
pub fn sparkbars(bars: &[Bar], color: &str) -> String {
    let (w, h) = (120.0, 30.0);
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let mut s = format!(r#"<svg class="spark" viewBox="0 0 {w} {h}" role="img">"#);
    if bars.is_empty() || max <= 0.0 {
        s.push_str("</svg>");
        return s;
    }
    let slot = w / bars.len() as f64;
    for (i, bar) in bars.iter().enumerate() {
        let bh = (bar.value / max * (h - 1.0)).max(if bar.value > 0.0 { 1.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{bh:.2}" fill="{color}"><title>{}</title></rect>"#,
            i as f64 * slot + slot * 0.08,
            h - bh,
            slot * 0.84,
            escape(&bar.title)
        );
    }
    s.push_str("</svg>");
    s
}

/// Training shares (grey) beside new shares (coloured) for each bin of a feature.
pub fn paired_bars(labels: &[String], expected: &[f64], actual: &[f64], color: &str) -> String {
    let (w, h) = (180.0, 34.0);
    let n = labels.len().min(expected.len()).min(actual.len());
    let max = expected[..n]
        .iter()
        .chain(&actual[..n])
        .copied()
        .fold(0.0, f64::max);
    let mut s = format!(r#"<svg class="spark wide" viewBox="0 0 {w} {h}" role="img">"#);
    if n == 0 || max <= 0.0 {
        s.push_str("</svg>");
        return s;
    }
    let slot = w / n as f64;
    let bar = slot * 0.4;
    for i in 0..n {
        for (j, (value, fill)) in [(expected[i], "#9ca3af"), (actual[i], color)]
            .into_iter()
            .enumerate()
        {
            let bh = value / max * (h - 1.0);
            let _ = write!(
                s,
                r#"<rect x="{:.2}" y="{:.2}" width="{bar:.2}" height="{bh:.2}" fill="{fill}"><title>{}: {} {:.1}%</title></rect>"#,
                i as f64 * slot + slot * 0.1 + j as f64 * bar,
                h - bh,
                escape(&labels[i]),
                if j == 0 { "training" } else { "scored" },
                value * 100.0
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::palette;

    #[test]
    fn ticks_are_round_and_inside_the_range() {
        assert_eq!(ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks(-3.2, 7.9, 5), vec![-2.0, 0.0, 2.0, 4.0, 6.0]);
        assert_eq!(ticks(5.0, 5.0, 5), vec![5.0]);
        assert_eq!(tick_label(0.2, 0.2), "0.2");
        assert_eq!(tick_label(150.0, 50.0), "150");
    }

    #[test]
    fn text_in_charts_is_escaped() {
        let svg = sparkbars(
            &[Bar {
                value: 3.0,
                title: "<script>alert(1)</script> (3)".into(),
            }],
            palette::css(0),
        );
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; (3)"),
            "{svg}"
        );
        assert!(!svg.contains("<script"));
        let svg = paired_bars(&["a\"b'<".into()], &[0.5], &[0.25], palette::css(1));
        assert!(svg.contains("a&quot;b&#39;&lt;: training 50.0%"), "{svg}");
    }

    #[test]
    fn a_plot_draws_its_series_and_says_when_there_is_nothing() {
        let plot = Plot {
            x: Axis::unit("false positive rate"),
            y: Axis::unit("true positive rate"),
            series: vec![Series {
                color: palette::css(0),
                mark: Mark::Line,
                points: vec![(0.0, 0.0), (0.1, 0.8), (1.0, 1.0)],
            }],
            diagonal: true,
            zero_line: false,
            levels: Vec::new(),
            time_x: false,
            wide: false,
        };
        let svg = plot.to_svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<polyline points=\"53.0,206.2 "), "{svg}");
        assert!(svg.contains("stroke-dasharray"));
        assert!(!svg.contains("nothing stored"));
        let empty = Plot {
            series: vec![],
            ..plot
        };
        assert!(empty.to_svg().contains("nothing stored to draw"));
    }

    #[test]
    fn levels_and_clock_times_are_drawn_and_labelled() {
        let start = 1_796_061_600.0; // 2026-11-30 18:00 UTC
        let plot = Plot {
            x: Axis {
                label: "window end (UTC)",
                min: start,
                max: start + 7200.0,
            },
            y: Axis {
                label: "PSI",
                min: 0.0,
                max: 3.0,
            },
            series: vec![Series {
                color: palette::css(0),
                mark: Mark::LineAndPoints,
                points: vec![(start, 0.05), (start + 7200.0, 2.5)],
            }],
            diagonal: false,
            zero_line: false,
            levels: vec![
                Level {
                    y: 0.1,
                    color: "#b45309",
                    label: "warning 0.1".into(),
                },
                Level {
                    y: 0.2,
                    color: "#b91c1c",
                    label: "drift 0.2".into(),
                },
            ],
            time_x: true,
            wide: true,
        };
        let svg = plot.to_svg();
        assert!(
            svg.contains(">18:30</text>") && svg.contains(">20:00</text>"),
            "{svg}"
        );
        assert!(svg.contains(">warning 0.1</text>") && svg.contains(">drift 0.2</text>"));
        let label_y = |text: &str| -> f64 {
            let end = svg.find(&format!(">{text}</text>")).unwrap();
            let start = svg[..end].rfind(" y=\"").unwrap() + 4;
            svg[start..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(
            label_y("warning 0.1") - label_y("drift 0.2") >= 11.0,
            "the two labels do not overlap"
        );
    }
}
