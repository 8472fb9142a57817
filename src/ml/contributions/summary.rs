//! The summary over many explained rows: per original column, the mean absolute contribution,
//! and each row's value beside its contribution (the points of a beeswarm plot).

use serde::Serialize;

use super::{Contributions, Method, Unit};
use crate::data::{ColumnData, Table, MISSING_CODE};
use crate::ml::prep::FittedStep;
use crate::ml::trained::TrainedModel;

/// One original column over the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSummary {
    pub column: String,
    pub mean_abs: f64,
    /// The levels a category's values index, in the model's order; `None` for numbers.
    pub levels: Option<Vec<String>>,
    /// Each row's (value, contribution): the value is the number itself, or for a category
    /// the index of its level in `levels`; NaN when missing or a level the model never saw.
    pub points: Vec<(f64, f64)>,
}

/// Every column's summary, the most influential (largest mean absolute contribution) first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub method: Method,
    pub unit: Unit,
    pub rows: usize,
    pub columns: Vec<ColumnSummary>,
}

/// The value of each original column of `model` in `rows` of `table`, as [`ColumnSummary`]
/// places them: columns × rows.
pub fn column_values(model: &TrainedModel, table: &Table, rows: &[usize]) -> Vec<Vec<f64>> {
    model
        .recipe
        .columns
        .iter()
        .map(|fitted| {
            let Some(column) = table.column(&fitted.column) else {
                return vec![f64::NAN; rows.len()];
            };
            match (&column.data, &fitted.step) {
                (ColumnData::Numeric(values), _) => rows.iter().map(|&r| values[r]).collect(),
                (ColumnData::Strings { codes, levels }, step @ FittedStep::OneHot { .. }) => {
                    let slots = step.level_slots();
                    rows.iter()
                        .map(|&r| match codes[r] {
                            MISSING_CODE => f64::NAN,
                            code => slots
                                .get(levels[code as usize].as_str())
                                .map_or(f64::NAN, |&i| f64::from(i)),
                        })
                        .collect()
                }
                (ColumnData::Strings { .. }, FittedStep::Numeric { .. }) => {
                    vec![f64::NAN; rows.len()]
                }
            }
        })
        .collect()
}

/// Summarise `contributions` of rows whose column values are `values` (columns × rows, from
/// [`column_values`]).
pub fn summarise(
    model: &TrainedModel,
    contributions: &Contributions,
    values: &[Vec<f64>],
) -> Summary {
    let rows = contributions.rows();
    let mut columns: Vec<ColumnSummary> = contributions
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| {
            let contribution = contributions.values.column(c);
            let mean_abs = contribution.iter().map(|v| v.abs()).sum::<f64>() / rows.max(1) as f64;
            let levels = model.recipe.columns.get(c).and_then(|f| match &f.step {
                FittedStep::OneHot { levels, .. } => Some(levels.clone()),
                FittedStep::Numeric { .. } => None,
            });
            let points = (0..rows)
                .map(|i| {
                    let value = values.get(c).and_then(|v| v.get(i)).copied();
                    (value.unwrap_or(f64::NAN), contribution[i])
                })
                .collect();
            ColumnSummary {
                column: column.clone(),
                mean_abs,
                levels,
                points,
            }
        })
        .collect();
    columns.sort_by(|a, b| b.mean_abs.total_cmp(&a.mean_abs));
    Summary {
        method: contributions.method,
        unit: contributions.unit,
        rows,
        columns,
    }
}
