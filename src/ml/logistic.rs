//! Logistic regression through linfa, fitted in slices of L-BFGS iterations with a warm
//! start so that a long fit reports progress and stops when cancelled.
//!
//! The fitted weights are kept in our own type (binary: one column for the second class;
//! multinomial: one column per class), so predicting and saving need no linfa types.

use linfa::prelude::*;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::spec::LogisticSpec;

/// Work (rows × features × classes multiply-adds, about two per iteration) allowed between
/// two progress reports / cancel checks: tens of milliseconds. Each slice restarts L-BFGS's memory,
/// so small problems run in one slice and only large ones are cut.
const SLICE_WORK: u64 = 100_000_000;

/// L-BFGS iterations per slice for a problem of this size.
fn slice_iterations(rows: usize, features: usize, columns: usize) -> u64 {
    let per_iteration = (rows * (features + 1) * columns).max(1) as u64 * 2;
    (SLICE_WORK / per_iteration).max(5)
}

/// Why a fit stopped without a model.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FitError {
    #[error("training was cancelled")]
    Cancelled,
    #[error("logistic regression needs at least two classes in the training rows")]
    OneClass,
    #[error("logistic regression failed: {0}")]
    Linfa(String),
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// features × 1 (binary: the logit of class 1) or features × classes.
    pub weights: Array2<f64>,
    pub intercept: Array1<f64>,
}

/// How the optimiser finished.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    pub iterations: u64,
    pub converged: bool,
}

impl LogisticModel {
    /// Number of classes the model predicts.
    pub fn classes(&self) -> usize {
        if self.weights.ncols() == 1 {
            2
        } else {
            self.weights.ncols()
        }
    }

    /// Class probabilities, rows × classes.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut z = x.dot(&self.weights);
        z += &self.intercept;
        if self.weights.ncols() == 1 {
            let mut out = Array2::zeros((x.nrows(), 2));
            for (i, &v) in z.column(0).iter().enumerate() {
                let p = sigmoid(v);
                out[[i, 0]] = 1.0 - p;
                out[[i, 1]] = p;
            }
            out
        } else {
            for mut row in z.rows_mut() {
                let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                row.mapv_inplace(|v| (v - max).exp());
                let sum = row.sum();
                row.mapv_inplace(|v| v / sum);
            }
            z
        }
    }
}

fn sigmoid(v: f64) -> f64 {
    if v >= 0.0 {
        1.0 / (1.0 + (-v).exp())
    } else {
        let e = v.exp();
        e / (1.0 + e)
    }
}

/// Largest component of the gradient of the mean penalised loss (scikit-learn's scale:
/// mean log-loss + ‖W‖² / (2·C·n)); the fit has converged when it is below the tolerance.
fn gradient_max(model: &LogisticModel, x: ArrayView2<f64>, y: &[usize], c: f64) -> f64 {
    let n = x.nrows() as f64;
    let proba = model.predict_proba(x);
    let mut residual = if model.weights.ncols() == 1 {
        proba.slice(s![.., 1..2]).to_owned()
    } else {
        proba
    };
    for (i, &class) in y.iter().enumerate() {
        if residual.ncols() == 1 {
            residual[[i, 0]] -= class as f64;
        } else {
            residual[[i, class]] -= 1.0;
        }
    }
    let grad_w = x.t().dot(&residual) / n + &model.weights / (c * n);
    let grad_b = residual.sum_axis(Axis(0)) / n;
    grad_w
        .iter()
        .chain(grad_b.iter())
        .fold(0.0_f64, |m, g| m.max(g.abs()))
}

/// Fit on `x` (rows × features) and class indices `y` in `0..classes`. `progress` hears the
/// iterations done so far and returns false to cancel.
pub fn fit_logistic(
    x: ArrayView2<f64>,
    y: &[usize],
    classes: usize,
    spec: &LogisticSpec,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<(LogisticModel, FitReport), FitError> {
    let present = {
        let mut seen = vec![false; classes];
        y.iter().for_each(|&c| seen[c] = true);
        seen.iter().filter(|&&s| s).count()
    };
    if present < 2 {
        return Err(FitError::OneClass);
    }
    let features = x.ncols();
    let binary = classes == 2;
    let columns = if binary { 1 } else { classes };
    let mut model = LogisticModel {
        weights: Array2::zeros((features, columns)),
        intercept: Array1::zeros(columns),
    };
    let targets = Array1::from(y.to_vec());
    let dataset = DatasetBase::new(x, targets.view());
    let alpha = 1.0 / spec.c;
    // linfa's loss is a sum over rows; scale the tolerance to the mean loss of scikit-learn.
    let linfa_tolerance = spec.tolerance * x.nrows() as f64;
    let slice_size = slice_iterations(x.nrows(), features, columns);
    let mut iterations = 0;
    loop {
        if model_converged(&model, x, y, spec) && iterations > 0 {
            return Ok((
                model,
                FitReport {
                    iterations,
                    converged: true,
                },
            ));
        }
        if iterations >= spec.max_iterations {
            return Ok((
                model,
                FitReport {
                    iterations,
                    converged: false,
                },
            ));
        }
        if !progress(iterations) {
            return Err(FitError::Cancelled);
        }
        let slice = slice_size.min(spec.max_iterations - iterations);
        let mut initial = Array2::zeros((features + 1, columns));
        initial.slice_mut(s![..features, ..]).assign(&model.weights);
        initial.row_mut(features).assign(&model.intercept);
        model = if binary {
            let fitted = LogisticRegression::default()
                .alpha(alpha)
                .max_iterations(slice)
                .gradient_tolerance(linfa_tolerance)
                .initial_params(initial.column(0).to_owned())
                .fit(&dataset)
                .map_err(|e| FitError::Linfa(e.to_string()))?;
            // linfa calls the more frequent class "positive"; we always model class 1.
            let sign = if fitted.labels().pos.class == 1 {
                1.0
            } else {
                -1.0
            };
            LogisticModel {
                weights: (fitted.params() * sign).insert_axis(Axis(1)),
                intercept: Array1::from(vec![fitted.intercept() * sign]),
            }
        } else {
            let fitted = MultiLogisticRegression::default()
                .alpha(alpha)
                .max_iterations(slice)
                .gradient_tolerance(linfa_tolerance)
                .initial_params(initial)
                .fit(&dataset)
                .map_err(|e| FitError::Linfa(e.to_string()))?;
            // linfa orders its columns by class; classes absent from the rows get none.
            let mut weights = Array2::zeros((features, columns));
            let mut intercept = Array1::zeros(columns);
            for (j, &class) in fitted.classes().iter().enumerate() {
                weights.column_mut(class).assign(&fitted.params().column(j));
                intercept[class] = fitted.intercept()[j];
            }
            LogisticModel { weights, intercept }
        };
        iterations += slice;
    }
}

fn model_converged(
    model: &LogisticModel,
    x: ArrayView2<f64>,
    y: &[usize],
    spec: &LogisticSpec,
) -> bool {
    gradient_max(model, x, y, spec.c) <= spec.tolerance
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_separable_binary_problem_is_learned_whichever_class_is_more_frequent() {
        let x = array![[0.0], [0.2], [0.4], [2.0], [2.2], [2.4], [2.6]];
        for y in [vec![0, 0, 0, 1, 1, 1, 1], vec![1, 1, 1, 0, 0, 0, 0]] {
            let (model, report) =
                fit_logistic(x.view(), &y, 2, &LogisticSpec::default(), &mut |_| true).unwrap();
            let proba = model.predict_proba(x.view());
            for (i, &class) in y.iter().enumerate() {
                assert!(proba[[i, class]] > 0.5, "row {i} class {class}: {proba:?}");
            }
            assert!(report.converged, "{report:?}");
        }
    }

    #[test]
    fn multinomial_probabilities_sum_to_one() {
        let x = array![
            [0.0, 0.0],
            [0.1, 0.0],
            [3.0, 0.0],
            [3.1, 0.2],
            [0.0, 3.0],
            [0.2, 3.1]
        ];
        let y = vec![0, 0, 1, 1, 2, 2];
        let (model, _) =
            fit_logistic(x.view(), &y, 3, &LogisticSpec::default(), &mut |_| true).unwrap();
        let proba = model.predict_proba(x.view());
        for (i, row) in proba.rows().into_iter().enumerate() {
            assert!((row.sum() - 1.0).abs() < 1e-12);
            let best = row
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap()
                .0;
            assert_eq!(best, y[i]);
        }
    }

    #[test]
    fn cancelling_stops_the_fit_and_one_class_is_an_error() {
        let x = array![[0.0], [1.0], [2.0], [3.0]];
        let spec = LogisticSpec::default();
        let err = fit_logistic(x.view(), &[0, 0, 1, 1], 2, &spec, &mut |_| false).unwrap_err();
        assert_eq!(err, FitError::Cancelled);
        let err = fit_logistic(x.view(), &[1, 1, 1, 1], 2, &spec, &mut |_| true).unwrap_err();
        assert_eq!(err, FitError::OneClass);
    }
}
