//! Partial dependence: the model's average prediction when one column is set to each value
//! of a grid in every row, and each row's own curve (ICE) for a sample of rows — scikit-learn's
//! `sklearn.inspection.partial_dependence` with the brute method.
//!
//! The grid of a numeric column is its distinct values when there are fewer than the grid's
//! resolution, else evenly spaced points between two percentiles computed as scipy's
//! `mquantiles` (as scikit-learn does); a category's grid is its levels. The rows are
//! transformed once; each grid value is written into the column's features (its
//! standardised value, or its level's indicator) and the model predicts again.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::metrics::even_sample;
use super::prep::{FittedMissing, FittedStep, MISSING_LEVEL};
use super::target::Task;
use super::trained::TrainedModel;
use crate::data::{ColumnData, Table};

/// How the grid and the individual curves are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdOptions {
    /// Points of a numeric column's grid (when it has at least this many distinct values).
    pub grid_resolution: usize,
    /// The grid's ends, as quantiles of the column.
    pub percentiles: (f64, f64),
    /// Rows whose own curves are kept (evenly spread over the rows).
    pub ice_rows: usize,
}

impl Default for PdOptions {
    fn default() -> Self {
        PdOptions {
            grid_resolution: 100,
            percentiles: (0.05, 0.95),
            ice_rows: 50,
        }
    }
}

/// One point of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GridValue {
    Number(f64),
    Level(String),
}

/// A column's partial dependence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialDependence {
    pub column: String,
    pub grid: Vec<GridValue>,
    /// What is averaged: the target (regression), the positive class's probability (two
    /// classes) or each class's probability.
    pub outputs: Vec<String>,
    /// Per output, per grid point: the mean prediction over the rows.
    pub average: Vec<Vec<f64>>,
    /// The rows (positions among those given) whose own curves are in `individual`.
    pub ice_rows: Vec<usize>,
    /// Per output, per sampled row, per grid point.
    pub individual: Vec<Vec<Vec<f64>>>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PdError {
    #[error("the model was not trained on a column '{0}'")]
    UnknownColumn(String),
    #[error("'{0}' has fewer than two distinct values to vary")]
    Constant(String),
    #[error("there are no rows")]
    NoRows,
    #[error("{0}")]
    Data(String),
    #[error("cancelled")]
    Cancelled,
}

/// scipy's `mquantiles` with its default plotting positions (alphap = betap = 0.4) of
/// sorted, finite values.
pub fn mquantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        1 => sorted[0],
        _ => {
            let m = 0.4 + p * (1.0 - 0.4 - 0.4);
            let aleph = n as f64 * p + m;
            let k = aleph.clamp(1.0, (n - 1) as f64).floor();
            let gamma = (aleph - k).clamp(0.0, 1.0);
            let k = k as usize;
            (1.0 - gamma) * sorted[k - 1] + gamma * sorted[k]
        }
    }
}

/// numpy's `linspace(start, stop, num)`.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = (num - 1) as f64;
    let step = (stop - start) / div;
    let mut out: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if let Some(last) = out.last_mut() {
        *last = stop;
    }
    out
}

/// The grid of a numeric column's values.
pub fn numeric_grid(values: &[f64], options: &PdOptions) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    if distinct.len() < options.grid_resolution {
        return distinct;
    }
    let (low, high) = options.percentiles;
    linspace(
        mquantile(&sorted, low),
        mquantile(&sorted, high),
        options.grid_resolution,
    )
}

/// How a grid value is written into the transformed rows.
enum Setting {
    /// Feature `j` becomes `(value − center) / scale`.
    Number { j: usize, center: f64, scale: f64 },
    /// Features `first..first + width` become the indicator of level `k`.
    Level { first: usize, width: usize },
}

/// Partial dependence of `model`'s predictions on `column`, over `rows` of `table`.
/// `progress` hears the share done and may return false to cancel.
pub fn partial_dependence(
    model: &TrainedModel,
    table: &Table,
    rows: &[usize],
    column: &str,
    options: &PdOptions,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<PartialDependence, PdError> {
    if rows.is_empty() {
        return Err(PdError::NoRows);
    }
    let unknown = || PdError::UnknownColumn(column.to_string());
    let mut first = 0;
    let mut found = None;
    for fitted in &model.recipe.columns {
        if fitted.column == column {
            found = Some((first, &fitted.step));
            break;
        }
        first += fitted.step.width();
    }
    let (first, step) = found.ok_or_else(unknown)?;
    let (grid, setting) = match step {
        FittedStep::Numeric { center, scale, .. } => {
            let data = table.column(column).ok_or_else(unknown)?;
            let ColumnData::Numeric(values) = &data.data else {
                return Err(PdError::Data(format!("'{column}' holds text, not numbers")));
            };
            let picked: Vec<f64> = rows.iter().map(|&r| values[r]).collect();
            let grid = numeric_grid(&picked, options);
            let setting = Setting::Number {
                j: first,
                center: *center,
                scale: *scale,
            };
            (grid.into_iter().map(GridValue::Number).collect(), setting)
        }
        FittedStep::OneHot {
            levels, missing, ..
        } => {
            let mut grid: Vec<GridValue> = levels.iter().cloned().map(GridValue::Level).collect();
            if *missing == FittedMissing::OwnColumn {
                grid.push(GridValue::Level(MISSING_LEVEL.to_string()));
            }
            (
                grid,
                Setting::Level {
                    first,
                    width: step.width(),
                },
            )
        }
    };
    if grid.len() < 2 {
        return Err(PdError::Constant(column.to_string()));
    }
    let x = model
        .recipe
        .transform(table, rows)
        .map_err(|e| PdError::Data(e.to_string()))?
        .x;
    dependence(model, x.view(), column, grid, &setting, options, progress)
}

fn dependence(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    column: &str,
    grid: Vec<GridValue>,
    setting: &Setting,
    options: &PdOptions,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<PartialDependence, PdError> {
    let outputs: Vec<String> = match model.task {
        Task::Regression => vec![model.target.clone()],
        Task::Classification if model.classes.len() == 2 => vec![model.classes[1].clone()],
        Task::Classification => model.classes.clone(),
    };
    let ice_rows = even_sample(x.nrows(), options.ice_rows);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Per grid point: per output, the row predictions' mean and the sampled rows'.
    let points: Vec<Result<Point, PdError>> = grid
        .par_iter()
        .enumerate()
        .map(|(k, value)| {
            if stop.load(Ordering::Relaxed) {
                return Err(PdError::Cancelled);
            }
            let mut set = x.to_owned();
            match (setting, value) {
                (Setting::Number { j, center, scale }, GridValue::Number(v)) => {
                    set.column_mut(*j).fill((v - center) / scale);
                }
                (Setting::Level { first, width }, _) => {
                    for offset in 0..*width {
                        let on = if offset == k { 1.0 } else { 0.0 };
                        set.column_mut(first + offset).fill(on);
                    }
                }
                _ => unreachable!("a grid value of the column's own kind"),
            }
            let predicted = predictions(model, &set);
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if !progress(finished as f32 / grid.len() as f32) {
                stop.store(true, Ordering::Relaxed);
                return Err(PdError::Cancelled);
            }
            let means = predicted
                .columns()
                .into_iter()
                .map(|c| c.sum() / c.len() as f64)
                .collect();
            let sampled = (0..predicted.ncols())
                .map(|o| ice_rows.iter().map(|&r| predicted[[r, o]]).collect())
                .collect();
            Ok((means, sampled))
        })
        .collect();
    let points = points.into_iter().collect::<Result<Vec<_>, _>>()?;
    let average = (0..outputs.len())
        .map(|o| points.iter().map(|(means, _)| means[o]).collect())
        .collect();
    let individual = (0..outputs.len())
        .map(|o| {
            (0..ice_rows.len())
                .map(|r| points.iter().map(|(_, sampled)| sampled[o][r]).collect())
                .collect()
        })
        .collect();
    Ok(PartialDependence {
        column: column.to_string(),
        grid,
        outputs,
        average,
        ice_rows,
        individual,
    })
}

/// One grid point's predictions: per output, the mean over the rows and the sampled rows'.
type Point = (Vec<f64>, Vec<Vec<f64>>);

/// Rows × outputs: the values, the positive class's probability, or every class's.
fn predictions(model: &TrainedModel, x: &Array2<f64>) -> Array2<f64> {
    match model.task {
        Task::Regression => {
            let values = model.model.predict_values(x.view()).unwrap_or_default();
            values.insert_axis(ndarray::Axis(1))
        }
        Task::Classification => {
            let k = model.classes.len();
            let proba = model
                .model
                .predict_proba(x.view(), k)
                .unwrap_or_else(|| Array2::zeros((x.nrows(), k)));
            if k == 2 {
                proba.slice(ndarray::s![.., 1..2]).to_owned()
            } else {
                proba
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_scipys_mquantiles() {
        // scipy.stats.mstats.mquantiles(np.arange(1, 11), prob=[0.05, 0.5, 0.95])
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let got: Vec<f64> = [0.05, 0.5, 0.95]
            .iter()
            .map(|&p| mquantile(&values, p))
            .collect();
        let expected = [1.0, 5.5, 10.0];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
        assert_eq!(mquantile(&[3.0], 0.5), 3.0);
    }

    #[test]
    fn a_grid_is_the_distinct_values_or_evenly_spaced_between_percentiles() {
        let few = [3.0, 1.0, 2.0, 2.0, f64::NAN];
        assert_eq!(
            numeric_grid(&few, &PdOptions::default()),
            vec![1.0, 2.0, 3.0]
        );
        let many: Vec<f64> = (0..1000).map(f64::from).collect();
        let options = PdOptions {
            grid_resolution: 5,
            ..PdOptions::default()
        };
        let grid = numeric_grid(&many, &options);
        assert_eq!(grid.len(), 5);
        assert!((grid[0] - mquantile(&many, 0.05)).abs() < 1e-12);
        assert_eq!(grid[4], mquantile(&many, 0.95));
        assert!((grid[2] - (grid[0] + grid[4]) / 2.0).abs() < 1e-9);
    }
}
