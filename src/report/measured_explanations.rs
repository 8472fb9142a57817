//! The report's permutation importance and partial dependence of a version, as they were
//! stored with it (never recomputed here): the importances as a ranked table with their
//! spread, and the partial dependence of the most important columns as inline SVG plots
//! (a category's as a table of levels), each saying which rows it was computed on and when.

use serde::Serialize;

use super::charts::{figure, Figure};
use super::explanations::{ExplanationRow, ExplanationTable};
use super::share_policy::SharePolicy;
use super::svg::{Axis, Mark, Plot, Series};
use crate::catalog::record::{ComputedOn, StoredExplanations};
use crate::ml::metric_registry;
use crate::ml::partial_dependence::{GridValue, PartialDependence};

/// Columns whose partial dependence a version shows at most.
const TOP_DEPENDENCE: usize = 4;

/// Pale grey of the individual rows' curves behind the average.
const ICE_COLOR: &str = "#6b7280";

/// A version's stored permutation importance and partial dependence.
#[derive(Debug, Serialize)]
pub struct Measured {
    pub importance: Option<ExplanationTable>,
    pub importance_note: Option<String>,
    /// A numeric column's partial dependence per output.
    pub dependence: Vec<Figure>,
    /// A category's partial dependence per output: one row per level.
    pub dependence_tables: Vec<ExplanationTable>,
    pub dependence_note: Option<String>,
}

/// "2026-12-01 03:10 UTC" from a stored ISO-8601 time.
fn when(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => at.to_string(),
    }
}

fn computed_on(on: &ComputedOn, policy: &SharePolicy) -> String {
    let by = if on.computed_by.is_empty() {
        String::new()
    } else {
        format!(" by {}", on.computed_by)
    };
    format!(
        "computed on {} rows of {}, {}{by}",
        on.rows,
        policy.path(&on.file_path),
        when(&on.computed_at)
    )
}

/// What the report shows of `stored`, `None` when nothing was stored. `color` is the
/// version's colour; the file they were computed on is named as `policy` says.
pub fn measured(
    stored: &StoredExplanations,
    color: &'static str,
    policy: &SharePolicy,
) -> Option<Measured> {
    if stored.is_empty() {
        return None;
    }
    let mut out = Measured {
        importance: None,
        importance_note: None,
        dependence: Vec::new(),
        dependence_tables: Vec::new(),
        dependence_note: None,
    };
    if let Some((measured, on)) = &stored.permutation {
        let largest = measured
            .columns
            .iter()
            .map(|c| c.mean.abs())
            .fold(0.0, f64::max)
            .max(1e-300);
        let metric = metric_registry::label(&measured.metric);
        out.importance = Some(ExplanationTable {
            title: "Permutation importance".into(),
            value_header: format!("drop in {metric}"),
            extra_header: Some("± std".into()),
            rows: measured
                .columns
                .iter()
                .map(|c| ExplanationRow {
                    name: c.column.clone(),
                    value: format!("{:+.4}", c.mean),
                    extra: format!("{:.4}", c.std),
                    bar: 100.0 * c.mean.abs() / largest,
                    negative: c.mean < 0.0,
                })
                .collect(),
            more: None,
        });
        out.importance_note = Some(format!(
            "Permutation importance: the drop in {metric} ({:.4} on the rows as they are) when \
             a column is shuffled, mean ± std over {} shuffles; {}.",
            measured.baseline,
            measured.repeats,
            computed_on(on, policy)
        ));
    }
    // The most important columns first, when importances say which those are.
    let rank = |column: &str| {
        stored
            .permutation
            .as_ref()
            .and_then(|(p, _)| p.columns.iter().position(|c| c.column == column))
    };
    let mut dependences: Vec<&(PartialDependence, ComputedOn)> =
        stored.partial_dependence.iter().collect();
    dependences.sort_by_key(|(d, _)| rank(&d.column).unwrap_or(usize::MAX));
    dependences.truncate(TOP_DEPENDENCE);
    for (dependence, _) in &dependences {
        add_dependence(&mut out, dependence, color);
    }
    if let Some((_, on)) = dependences.first() {
        out.dependence_note = Some(format!(
            "Partial dependence: the model's average prediction (a class's probability, or \
             the predicted value) as one column is set to each value in every row; the pale \
             lines are single rows' own curves; {}{}.",
            if dependences.len() < stored.partial_dependence.len() {
                format!(
                    "the {} most important of the {} columns stored, ",
                    dependences.len(),
                    stored.partial_dependence.len()
                )
            } else {
                String::new()
            },
            computed_on(on, policy)
        ));
    }
    Some(out)
}

fn add_dependence(out: &mut Measured, dependence: &PartialDependence, color: &'static str) {
    let numbers: Option<Vec<f64>> = dependence
        .grid
        .iter()
        .map(|g| match g {
            GridValue::Number(v) => Some(*v),
            GridValue::Level(_) => None,
        })
        .collect();
    for (o, output) in dependence.outputs.iter().enumerate() {
        let title = format!("{} → {output}", dependence.column);
        let average = &dependence.average[o];
        match &numbers {
            Some(grid) => {
                let mut series: Vec<Series> = dependence
                    .individual
                    .get(o)
                    .into_iter()
                    .flatten()
                    .map(|row| Series {
                        color: ICE_COLOR,
                        mark: Mark::FaintLine,
                        points: grid.iter().copied().zip(row.iter().copied()).collect(),
                    })
                    .collect();
                series.push(Series {
                    color,
                    mark: Mark::Line,
                    points: grid.iter().copied().zip(average.iter().copied()).collect(),
                });
                let ys = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
                let plot = Plot {
                    x: Axis::fitted("value", grid.iter().copied()),
                    y: Axis::fitted("average prediction", ys.collect::<Vec<_>>().into_iter()),
                    series,
                    diagonal: false,
                    zero_line: false,
                    levels: Vec::new(),
                    time_x: false,
                    wide: false,
                };
                out.dependence.push(figure(title, &plot));
            }
            None => {
                let largest = average
                    .iter()
                    .map(|v| v.abs())
                    .fold(0.0, f64::max)
                    .max(1e-300);
                out.dependence_tables.push(ExplanationTable {
                    title,
                    value_header: "average".into(),
                    extra_header: None,
                    rows: dependence
                        .grid
                        .iter()
                        .zip(average)
                        .map(|(level, v)| ExplanationRow {
                            name: match level {
                                GridValue::Level(l) => l.clone(),
                                GridValue::Number(n) => n.to_string(),
                            },
                            value: format!("{v:.4}"),
                            extra: String::new(),
                            bar: 100.0 * v.abs() / largest,
                            negative: *v < 0.0,
                        })
                        .collect(),
                    more: None,
                });
            }
        }
    }
}
