//! The losses boosting minimises, as scikit-learn's: half squared error for values, log loss
//! for classes (the binomial one with one output, the multinomial one with an output per
//! class). Each gives the baseline (the best constant), the gradients and hessians of the
//! raw predictions, and its mean for early stopping; with sample weights (indexed by row,
//! as the target) each row's part of all three counts with its weight, as scikit-learn's
//! losses take `sample_weight`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Which loss, stored with the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Half the squared error; one output, the predicted value.
    SquaredError,
    /// Log loss of two classes; one output, the log-odds of the second class.
    Binomial,
    /// Log loss of several classes; an output per class.
    Multinomial,
}

/// The target of a boosting fit.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Values(&'a [f64]),
    Classes { y: &'a [usize], classes: usize },
}

/// Clip of probabilities in the baseline, scikit-learn's `10 × machine epsilon`.
const EPS: f64 = 10.0 * f64::EPSILON;

impl Loss {
    /// The loss of a target.
    pub fn of(target: Target<'_>) -> Loss {
        match target {
            Target::Values(_) => Loss::SquaredError,
            Target::Classes { classes, .. } if classes <= 2 => Loss::Binomial,
            Target::Classes { .. } => Loss::Multinomial,
        }
    }

    /// Raw outputs per row (trees per iteration).
    pub fn outputs(self, target: Target<'_>) -> usize {
        match (self, target) {
            (Loss::Multinomial, Target::Classes { classes, .. }) => classes,
            _ => 1,
        }
    }

    /// Whether every hessian is 1.
    pub fn constant_hessians(self) -> bool {
        self == Loss::SquaredError
    }

    /// The constant raw prediction that minimises the loss on `rows`: the (weighted) mean
    /// value, the log-odds of the second class, or each class's centred log-share.
    pub fn baseline(self, target: Target<'_>, rows: &[usize], weights: Option<&[f64]>) -> Vec<f64> {
        let weight = |r: usize| weights.map_or(1.0, |w| w[r]);
        let n = match weights {
            None => rows.len().max(1) as f64,
            Some(w) => rows.iter().map(|&r| w[r]).sum(),
        };
        match target {
            Target::Values(y) => vec![rows.iter().map(|&r| weight(r) * y[r]).sum::<f64>() / n],
            Target::Classes { y, classes } => {
                let mut shares = vec![0.0; classes.max(2)];
                for &r in rows {
                    shares[y[r]] += weight(r);
                }
                for share in &mut shares {
                    *share = (*share / n).clamp(EPS, 1.0 - EPS);
                }
                if self == Loss::Binomial {
                    vec![(shares[1] / (1.0 - shares[1])).ln()]
                } else {
                    let logs: Vec<f64> = shares.iter().map(|p| p.ln()).collect();
                    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
                    logs.iter().map(|l| l - mean).collect()
                }
            }
        }
    }

    /// Gradients and hessians of every output for rows `rows` (position `i` of `raw[k]`
    /// holds `rows[i]`'s raw output `k`), into `gradients[k]` and `hessians[k]`; all from the
    /// raw outputs before this iteration's trees, as scikit-learn computes them, each times
    /// its row's weight.
    pub fn gradients(
        self,
        target: Target<'_>,
        rows: &[usize],
        weights: Option<&[f64]>,
        raw: &[Vec<f64>],
        gradients: &mut [Vec<f32>],
        hessians: &mut [Vec<f32>],
    ) {
        let weight = |r: usize| weights.map_or(1.0, |w| w[r]);
        match (self, target) {
            (Loss::SquaredError, Target::Values(y)) => {
                for (i, &r) in rows.iter().enumerate() {
                    let w = weight(r);
                    gradients[0][i] = (w * (raw[0][i] - y[r])) as f32;
                    hessians[0][i] = w as f32;
                }
            }
            (Loss::Binomial, Target::Classes { y, .. }) => {
                // An `exp` a row: in parallel, in blocks of rows.
                gradients[0]
                    .par_iter_mut()
                    .zip(hessians[0].par_iter_mut())
                    .zip(rows.par_iter().zip(raw[0].par_iter()))
                    .with_min_len(8192)
                    .for_each(|((g, h), (&r, &z))| {
                        let p = sigmoid(z);
                        let w = weight(r);
                        *g = (w * (p - (y[r] == 1) as u8 as f64)) as f32;
                        *h = (w * (p * (1.0 - p))) as f32;
                    });
            }
            (_, Target::Classes { y, .. }) => {
                let mut p = vec![0.0; raw.len()];
                for (i, &r) in rows.iter().enumerate() {
                    let max = raw.iter().map(|o| o[i]).fold(f64::MIN, f64::max);
                    for (k, o) in raw.iter().enumerate() {
                        p[k] = (o[i] - max).exp();
                    }
                    let sum: f64 = p.iter().sum();
                    let w = weight(r);
                    for (k, &e) in p.iter().enumerate() {
                        let p = e / sum;
                        gradients[k][i] = (w * (p - (y[r] == k) as u8 as f64)) as f32;
                        hessians[k][i] = (w * (p * (1.0 - p))) as f32;
                    }
                }
            }
            (_, Target::Values(_)) => unreachable!("a value target has the squared error"),
        }
    }

    /// The (weighted) mean loss of `rows` whose raw outputs are `raw` (position `i` for
    /// `rows[i]`).
    pub fn mean(
        self,
        target: Target<'_>,
        rows: &[usize],
        weights: Option<&[f64]>,
        raw: &[Vec<f64>],
    ) -> f64 {
        let weight = |r: usize| weights.map_or(1.0, |w| w[r]);
        let n = match weights {
            None => rows.len().max(1) as f64,
            Some(w) => rows.iter().map(|&r| w[r]).sum(),
        };
        let total: f64 = match target {
            Target::Values(y) => rows
                .iter()
                .enumerate()
                .map(|(i, &r)| weight(r) * 0.5 * (raw[0][i] - y[r]).powi(2))
                .sum(),
            Target::Classes { y, .. } if self == Loss::Binomial => rows
                .iter()
                .enumerate()
                .map(|(i, &r)| {
                    let z = raw[0][i];
                    weight(r) * (log1p_exp(z) - (y[r] == 1) as u8 as f64 * z)
                })
                .sum(),
            Target::Classes { y, .. } => rows
                .iter()
                .enumerate()
                .map(|(i, &r)| {
                    let max = raw.iter().map(|o| o[i]).fold(f64::MIN, f64::max);
                    let sum: f64 = raw.iter().map(|o| (o[i] - max).exp()).sum();
                    weight(r) * (max + sum.ln() - raw[y[r]][i])
                })
                .sum(),
        };
        total / n
    }
}

/// `1 / (1 + e^−z)`.
pub fn sigmoid(z: f64) -> f64 {
    // Branch-free: the sign of a row's raw score is as good as random to the processor. Both
    // sides are computed from the one `exp`, and one is kept.
    let e = (-z.abs()).exp();
    let positive = 1.0 / (1.0 + e);
    let negative = e / (1.0 + e);
    if z >= 0.0 {
        positive
    } else {
        negative
    }
}

/// `ln(1 + e^z)` without overflow.
fn log1p_exp(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_are_the_best_constants() {
        let rows = [0, 1, 2, 3];
        let values = [1.0, 2.0, 3.0, 6.0];
        assert_eq!(
            Loss::SquaredError.baseline(Target::Values(&values), &rows, None),
            vec![3.0]
        );
        let y = [0, 1, 1, 1];
        let binary = Target::Classes { y: &y, classes: 2 };
        assert!((Loss::Binomial.baseline(binary, &rows, None)[0] - 3f64.ln()).abs() < 1e-12);
        // Balanced weights (2, 2/3, 2/3, 2/3): both classes weigh 2, so the log-odds are 0.
        let balanced = [2.0, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0];
        let base = Loss::Binomial.baseline(binary, &rows, Some(&balanced))[0];
        assert!(base.abs() < 1e-12, "{base}");
        let y = [0, 1, 2, 2];
        let three = Target::Classes { y: &y, classes: 3 };
        let base = Loss::Multinomial.baseline(three, &rows, None);
        assert!((base[2] - base[0] - 2f64.ln()).abs() < 1e-12);
        assert!(base.iter().sum::<f64>().abs() < 1e-12);
    }

    #[test]
    fn gradients_of_log_loss_are_probability_minus_truth() {
        let y = [1, 0];
        let target = Target::Classes { y: &y, classes: 2 };
        let raw = vec![vec![0.0, 0.0]];
        let (mut g, mut h) = (vec![vec![0.0; 2]], vec![vec![0.0; 2]]);
        Loss::Binomial.gradients(target, &[0, 1], None, &raw, &mut g, &mut h);
        assert_eq!((&g, &h), (&vec![vec![-0.5, 0.5]], &vec![vec![0.25, 0.25]]));
        assert!((Loss::Binomial.mean(target, &[0, 1], None, &raw) - 2f64.ln()).abs() < 1e-12);
        // A row of weight 3 counts three times: in its gradient, its hessian and the mean.
        let weights = [3.0, 1.0];
        Loss::Binomial.gradients(target, &[0, 1], Some(&weights), &raw, &mut g, &mut h);
        assert_eq!((g, h), (vec![vec![-1.5, 0.5]], vec![vec![0.75, 0.25]]));
        let mean = Loss::Binomial.mean(target, &[0, 1], Some(&weights), &raw);
        assert!((mean - 2f64.ln()).abs() < 1e-12);
    }
}
