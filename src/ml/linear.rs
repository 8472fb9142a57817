//! Linear regression models: ordinary least squares (linfa-linear) and the penalised
//! ridge / lasso / elastic net (linfa-elasticnet), kept as plain weights and an intercept.

use linfa::prelude::*;
use linfa_elasticnet::ElasticNet;
use linfa_linear::LinearRegression;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::algorithms::elastic_net::PenaltySpec;
use super::model::ModelError;

/// A fitted linear model: `x · weights + intercept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub weights: Array1<f64>,
    pub intercept: f64,
}

impl LinearModel {
    /// The predicted value of each row.
    pub fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        x.dot(&self.weights) + self.intercept
    }
}

/// Least squares with an intercept, as scikit-learn's `LinearRegression`: the rows and
/// targets are centred, then the minimum-norm solution is taken from the singular values of
/// the centred rows (those below `max(n, p) · ε ·` the largest count as zero, scipy's
/// `lstsq` rule). One-hot columns always sum to one, which makes plain least squares
/// singular: linfa's QR solve then returned weights near 10¹⁷ whose predictions came out
/// rounded to multiples of 16.
pub fn fit_least_squares(x: ArrayView2<f64>, y: &[f64]) -> Result<LinearModel, ModelError> {
    use linfa_linalg::svd::SVDInto;
    let (n, p) = x.dim();
    let x_mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
    let y_mean = y.iter().sum::<f64>() / n.max(1) as f64;
    let centred = &x - &x_mean;
    let targets: Array1<f64> = y.iter().map(|v| v - y_mean).collect();
    let xty = centred.t().dot(&targets);
    let mut weights = Array1::zeros(p);
    if n > 0 && p > 0 {
        let (_, sigma, vt) = centred
            .svd_into(false, true)
            .map_err(|e| ModelError::Linfa {
                algorithm: "linear regression",
                message: e.to_string(),
            })?;
        let vt = vt.expect("asked for Vᵀ");
        let largest = sigma.iter().copied().fold(0.0, f64::max);
        let cutoff = largest * f64::EPSILON * n.max(p) as f64;
        // w = V Σ⁺ Uᵀ y, and Uᵀ y = Σ⁻¹ Vᵀ Xᵀ y for every kept direction.
        for (s, direction) in sigma.iter().zip(vt.rows()) {
            if *s > cutoff {
                let along = direction.dot(&xty) / (s * s);
                weights.scaled_add(along, &direction);
            }
        }
    }
    if weights.iter().any(|w: &f64| !w.is_finite()) {
        return Err(ModelError::Linfa {
            algorithm: "linear regression",
            message: "the least-squares weights are not finite".into(),
        });
    }
    let intercept = y_mean - x_mean.dot(&weights);
    Ok(LinearModel { weights, intercept })
}

/// Ridge exactly: least squares (linfa-linear) on the centred rows stacked over
/// `sqrt(n · alpha) · I`, whose solution solves `(XᵀX + n·alpha·I) w = Xᵀy` — the minimum of
/// the elastic-net loss with no L1 part. linfa-elasticnet's coordinate descent never meets
/// its stopping rule without an L1 part, so it would always run to its sweep limit.
fn fit_ridge(x: ArrayView2<f64>, y: &[f64], alpha: f64) -> Result<LinearModel, ModelError> {
    let (n, p) = x.dim();
    let x_mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
    let y_mean = y.iter().sum::<f64>() / n.max(1) as f64;
    let mut stacked = Array2::zeros((n + p, p));
    stacked.slice_mut(s![..n, ..]).assign(&(&x - &x_mean));
    let root = (n as f64 * alpha).sqrt();
    for j in 0..p {
        stacked[[n + j, j]] = root;
    }
    let mut targets = Array1::zeros(n + p);
    for (t, v) in targets.iter_mut().zip(y) {
        *t = v - y_mean;
    }
    let dataset = DatasetBase::new(stacked, targets);
    let fitted = LinearRegression::new()
        .with_intercept(false)
        .fit(&dataset)
        .map_err(|e| ModelError::Linfa {
            algorithm: "ridge",
            message: e.to_string(),
        })?;
    let weights = fitted.params().clone();
    let intercept = y_mean - x_mean.dot(&weights);
    Ok(LinearModel { weights, intercept })
}

/// Fit the elastic-net loss: coordinate descent, or ridge's exact solution when there is no
/// L1 part. Returns the model and the sweeps done (1 for the exact solution).
pub fn fit_penalised(
    x: ArrayView2<f64>,
    y: &[f64],
    spec: &PenaltySpec,
    title: &'static str,
) -> Result<(LinearModel, u32), ModelError> {
    if spec.l1_ratio == 0.0 {
        return Ok((fit_ridge(x, y, spec.alpha)?, 1));
    }
    let dataset = DatasetBase::new(x, Array1::from(y.to_vec()));
    let fitted = ElasticNet::params()
        .penalty(spec.alpha)
        .l1_ratio(spec.l1_ratio)
        .max_iterations(spec.max_iterations)
        .tolerance(spec.tolerance)
        .with_intercept(true)
        .fit(&dataset)
        .map_err(|e| ModelError::Linfa {
            algorithm: title,
            message: e.to_string(),
        })?;
    Ok((
        LinearModel {
            weights: fitted.hyperplane().clone(),
            intercept: fitted.intercept(),
        },
        fitted.n_steps(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn least_squares_recovers_a_line_and_lasso_shrinks() {
        let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]];
        let y: Vec<f64> = x
            .rows()
            .into_iter()
            .map(|r| 2.0 * r[0] - r[1] + 3.0)
            .collect();
        let ols = fit_least_squares(x.view(), &y).unwrap();
        assert!((ols.weights[0] - 2.0).abs() < 1e-9 && (ols.intercept - 3.0).abs() < 1e-9);
        let predicted = ols.predict(x.view());
        assert!((predicted[4] - y[4]).abs() < 1e-9);
        let lasso = PenaltySpec {
            alpha: 0.5,
            l1_ratio: 1.0,
            ..Default::default()
        };
        let (shrunk, steps) = fit_penalised(x.view(), &y, &lasso, "lasso").unwrap();
        assert!(shrunk.weights[0].abs() < 2.0 && steps >= 1, "{shrunk:?}");
    }

    #[test]
    fn least_squares_over_one_hot_columns_takes_the_smallest_weights() {
        // A number and a two-level category one-hot encoded: the indicators sum to one, so
        // the intercept and the two indicators can trade any amount between them.
        let rows = [
            (0.0, 1.0),
            (1.0, 0.0),
            (2.0, 1.0),
            (3.0, 0.0),
            (4.0, 1.0),
            (5.0, 0.0),
        ];
        let x = Array2::from_shape_fn((rows.len(), 3), |(i, j)| match j {
            0 => rows[i].0,
            1 => rows[i].1,
            _ => 1.0 - rows[i].1,
        });
        let y: Vec<f64> = rows
            .iter()
            .enumerate()
            .map(|(i, (v, a))| 1000.0 + 2.0 * v + 30.0 * a + [0.1, -0.2, 0.05][i % 3])
            .collect();
        let ols = fit_least_squares(x.view(), &y).unwrap();
        // The same fit with one indicator dropped is full rank: the predictions must agree.
        let reduced = fit_least_squares(x.slice(s![.., ..2]), &y).unwrap();
        let (full, less) = (ols.predict(x.view()), reduced.predict(x.slice(s![.., ..2])));
        for (a, b) in full.iter().zip(&less) {
            assert!((a - b).abs() < 1e-9, "{full} vs {less}");
        }
        // Of all the equal fits, the one with the smallest weights: ±half the level effect.
        assert!((ols.weights[1] + ols.weights[2]).abs() < 1e-9, "{ols:?}");
        assert!(
            (ols.weights[1] - reduced.weights[1] / 2.0).abs() < 1e-9,
            "{ols:?}"
        );
    }
}
