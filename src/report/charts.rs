//! The report's pictures of the versions it shows: ROC, precision-recall and calibration
//! curves overlaid per class, predicted against actual values and residuals, confusion
//! matrices as shaded tables, a column's distribution and a feature's drift. Colour `i`
//! is always version `i` of the report.

use serde::Serialize;

use super::gather::{ReportVersion, StoredCurves};
use super::palette;
use super::share_policy::SharePolicy;
use super::svg::{paired_bars, sparkbars, Axis, Bar, Mark, Plot, Series};
use super::Markup;
use crate::data::ColumnProfile;

/// A chart with its caption.
#[derive(Debug, Serialize)]
pub struct Figure {
    pub caption: String,
    pub svg: Markup,
}

pub fn figure(caption: impl Into<String>, plot: &Plot) -> Figure {
    Figure {
        caption: caption.into(),
        svg: Markup::from_safe_string(plot.to_svg()),
    }
}

/// The ROC, precision-recall and calibration curves of one class, every version overlaid.
#[derive(Debug, Serialize)]
pub struct ClassCharts {
    pub class: String,
    pub figures: Vec<Figure>,
}

/// The classes to draw curves for, in order of first appearance: for two classes only the
/// second (the positive class of the binary metrics), since the other mirrors it.
fn curve_classes(versions: &[ReportVersion]) -> Vec<String> {
    let mut classes: Vec<String> = Vec::new();
    for v in versions {
        if let StoredCurves::Classes(curves) = &v.curves {
            let shown = if curves.len() == 2 {
                &curves[1..]
            } else {
                &curves[..]
            };
            for c in shown {
                if !classes.contains(&c.class) {
                    classes.push(c.class.clone());
                }
            }
        }
    }
    classes
}

/// One row of three charts per class; empty when no version is a classifier with curves.
pub fn class_charts(versions: &[ReportVersion]) -> Vec<ClassCharts> {
    curve_classes(versions)
        .into_iter()
        .map(|class| {
            let series = |pick: &dyn Fn(&super::gather::ClassCurves) -> Vec<(f64, f64)>,
                          mark: Mark| {
                versions
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| match &v.curves {
                        StoredCurves::Classes(curves) => {
                            curves.iter().find(|c| c.class == class).map(|c| Series {
                                color: palette::css(i),
                                mark,
                                points: pick(c),
                            })
                        }
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            };
            let roc = Plot {
                x: Axis::unit("false positive rate"),
                y: Axis::unit("true positive rate"),
                series: series(&|c| c.roc.clone(), Mark::Line),
                diagonal: true,
                zero_line: false,
                levels: Vec::new(),
                time_x: false,
                wide: false,
            };
            let pr = Plot {
                x: Axis::unit("recall"),
                y: Axis::unit("precision"),
                series: series(&|c| c.pr.clone(), Mark::Line),
                diagonal: false,
                zero_line: false,
                levels: Vec::new(),
                time_x: false,
                wide: false,
            };
            let calibration = Plot {
                x: Axis::unit("mean predicted probability"),
                y: Axis::unit("fraction of positives"),
                series: series(&|c| c.calibration.clone(), Mark::LineAndPoints),
                diagonal: true,
                zero_line: false,
                levels: Vec::new(),
                time_x: false,
                wide: false,
            };
            ClassCharts {
                figures: vec![
                    figure("ROC", &roc),
                    figure("Precision–recall", &pr),
                    figure("Calibration", &calibration),
                ],
                class,
            }
        })
        .collect()
}

/// Predicted against actual values, and residuals, of one regression version.
#[derive(Debug, Serialize)]
pub struct RegressionCharts {
    pub label: String,
    pub color: &'static str,
    pub figures: Vec<Figure>,
}

/// Two charts per regression version with stored points.
pub fn regression_charts(versions: &[ReportVersion]) -> Vec<RegressionCharts> {
    versions
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let StoredCurves::Regression(points) = &v.curves else {
                return None;
            };
            let color = palette::css(i);
            // One range for both axes, so the diagonal is the line of perfect predictions.
            let both = Axis::fitted("", points.iter().flat_map(|(a, p)| [*a, *p]));
            let fit = Plot {
                x: Axis {
                    label: "actual",
                    ..both.clone()
                },
                y: Axis {
                    label: "predicted",
                    ..both
                },
                series: vec![Series {
                    color,
                    mark: Mark::Points,
                    points: points.clone(),
                }],
                diagonal: true,
                zero_line: false,
                levels: Vec::new(),
                time_x: false,
                wide: false,
            };
            let residuals: Vec<(f64, f64)> = points.iter().map(|(a, p)| (*p, a - p)).collect();
            let largest = residuals
                .iter()
                .map(|(_, r)| r.abs())
                .filter(|r| r.is_finite())
                .fold(0.0, f64::max);
            let spread = if largest > 0.0 { largest * 1.05 } else { 1.0 };
            let residual_plot = Plot {
                x: Axis::fitted("predicted", residuals.iter().map(|(p, _)| *p)),
                y: Axis {
                    label: "actual − predicted",
                    min: -spread,
                    max: spread,
                },
                series: vec![Series {
                    color,
                    mark: Mark::Points,
                    points: residuals,
                }],
                diagonal: false,
                zero_line: true,
                levels: Vec::new(),
                time_x: false,
                wide: false,
            };
            Some(RegressionCharts {
                label: v.label(),
                color,
                figures: vec![
                    figure("Predicted against actual", &fit),
                    figure("Residuals", &residual_plot),
                ],
            })
        })
        .collect()
}

/// One cell of a confusion matrix.
#[derive(Debug, Serialize)]
pub struct ConfusionCell {
    pub count: u64,
    /// Share of the true class's rows, "12%".
    pub share: String,
    /// Inline style shading the cell by that share (numbers only).
    pub style: String,
    pub diagonal: bool,
}

/// One true class's row.
#[derive(Debug, Serialize)]
pub struct ConfusionRow {
    pub class: String,
    pub cells: Vec<ConfusionCell>,
    pub total: u64,
}

/// The pooled out-of-fold confusion matrix of one version.
#[derive(Debug, Serialize)]
pub struct ConfusionView {
    pub label: String,
    pub color: &'static str,
    pub classes: Vec<String>,
    pub rows: Vec<ConfusionRow>,
}

/// The confusion matrix of every classifier whose pooled metrics were stored.
pub fn confusions(versions: &[ReportVersion]) -> Vec<ConfusionView> {
    versions
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let metrics = v.evaluation.pooled.as_ref()?.classification()?;
            let classes: Vec<String> = if v.evaluation.classes.len() == metrics.confusion.len() {
                v.evaluation.classes.clone()
            } else {
                metrics.per_class.iter().map(|c| c.label.clone()).collect()
            };
            let rows = classes
                .iter()
                .zip(&metrics.confusion)
                .enumerate()
                .map(|(t, (class, counts))| {
                    let total: u64 = counts.iter().sum();
                    ConfusionRow {
                        class: class.clone(),
                        cells: counts
                            .iter()
                            .enumerate()
                            .map(|(p, &count)| {
                                let share = if total > 0 {
                                    count as f64 / total as f64
                                } else {
                                    0.0
                                };
                                let (r, g, b) = if p == t { (37, 99, 235) } else { (220, 38, 38) };
                                ConfusionCell {
                                    count,
                                    share: format!("{:.0}%", share * 100.0),
                                    style: format!(
                                        "background: rgba({r}, {g}, {b}, {:.2})",
                                        0.08 + share * 0.6
                                    ),
                                    diagonal: p == t,
                                }
                            })
                            .collect(),
                        total,
                    }
                })
                .collect();
            Some(ConfusionView {
                label: v.label(),
                color: palette::css(i),
                classes,
                rows,
            })
        })
        .collect()
}

/// A column's distribution in a profile: its histogram, or its most frequent levels, as
/// `policy` allows them to be labelled.
pub fn column_spark(column: &ColumnProfile, policy: &SharePolicy) -> Markup {
    let bars: Vec<Bar> = match &column.numeric {
        Some(summary) => {
            let h = &summary.histogram;
            h.counts
                .iter()
                .enumerate()
                .map(|(i, &count)| Bar {
                    value: count as f64,
                    // Equal-width edges give the minimum and maximum away.
                    title: if policy.exact_values {
                        format!(
                            "{} to {}: {count}",
                            short(h.edges.get(i).copied().unwrap_or(f64::NAN)),
                            short(h.edges.get(i + 1).copied().unwrap_or(f64::NAN))
                        )
                    } else {
                        format!("bin {} of {}: {count}", i + 1, h.counts.len())
                    },
                })
                .collect()
        }
        None => column
            .top_levels
            .iter()
            .filter(|(_, count)| policy.names_level(*count))
            .map(|(level, count)| Bar {
                value: *count as f64,
                title: format!("{level}: {count}"),
            })
            .collect(),
    };
    Markup::from_safe_string(sparkbars(&bars, "#64748b"))
}

/// Training against scored shares of a feature's bins.
pub fn drift_bars(bins: &[String], expected: &[f64], actual: &[f64], index: usize) -> Markup {
    Markup::from_safe_string(paired_bars(bins, expected, actual, palette::css(index)))
}

/// A number in four significant figures or so, for labels.
pub fn short(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(0.001..100_000.0).contains(&magnitude) {
        format!("{value:.3e}")
    } else if magnitude >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_numbers_read_easily() {
        assert_eq!(short(3750.0), "3750");
        assert_eq!(short(39.1234), "39.12");
        assert_eq!(short(0.04374), "0.0437");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(1.5e7), "1.500e7");
        assert_eq!(short(f64::NAN), "—");
    }
}
