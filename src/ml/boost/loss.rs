//! The losses boosting minimises, as scikit-learn's: half squared error for values, log loss
//! for classes (the binomial one with one output, the multinomial one with an output per
//! class). Each gives the baseline (the best constant), the gradients and hessians of the
//! raw predictions, and its mean for early stopping.

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

    /// The constant raw prediction that minimises the loss on `rows`: the mean value, the
    /// log-odds of the second class, or each class's centred log-share.
    pub fn baseline(self, target: Target<'_>, rows: &[usize]) -> Vec<f64> {
        let n = rows.len().max(1) as f64;
        match target {
            Target::Values(y) => vec![rows.iter().map(|&r| y[r]).sum::<f64>() / n],
            Target::Classes { y, classes } => {
                let mut shares = vec![0.0; classes.max(2)];
                for &r in rows {
                    shares[y[r]] += 1.0;
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
    /// raw outputs before this iteration's trees, as scikit-learn computes them.
    pub fn gradients(
        self,
        target: Target<'_>,
        rows: &[usize],
        raw: &[Vec<f64>],
        gradients: &mut [Vec<f64>],
        hessians: &mut [Vec<f64>],
    ) {
        match (self, target) {
            (Loss::SquaredError, Target::Values(y)) => {
                for (i, &r) in rows.iter().enumerate() {
                    gradients[0][i] = raw[0][i] - y[r];
                    hessians[0][i] = 1.0;
                }
            }
            (Loss::Binomial, Target::Classes { y, .. }) => {
                for (i, &r) in rows.iter().enumerate() {
                    let p = sigmoid(raw[0][i]);
                    gradients[0][i] = p - (y[r] == 1) as u8 as f64;
                    hessians[0][i] = p * (1.0 - p);
                }
            }
            (_, Target::Classes { y, .. }) => {
                let mut p = vec![0.0; raw.len()];
                for (i, &r) in rows.iter().enumerate() {
                    let max = raw.iter().map(|o| o[i]).fold(f64::MIN, f64::max);
                    for (k, o) in raw.iter().enumerate() {
                        p[k] = (o[i] - max).exp();
                    }
                    let sum: f64 = p.iter().sum();
                    for (k, &e) in p.iter().enumerate() {
                        let p = e / sum;
                        gradients[k][i] = p - (y[r] == k) as u8 as f64;
                        hessians[k][i] = p * (1.0 - p);
                    }
                }
            }
            (_, Target::Values(_)) => unreachable!("a value target has the squared error"),
        }
    }

    /// The mean loss of `rows` whose raw outputs are `raw` (position `i` for `rows[i]`).
    pub fn mean(self, target: Target<'_>, rows: &[usize], raw: &[Vec<f64>]) -> f64 {
        let n = rows.len().max(1) as f64;
        let total: f64 = match target {
            Target::Values(y) => rows
                .iter()
                .enumerate()
                .map(|(i, &r)| 0.5 * (raw[0][i] - y[r]).powi(2))
                .sum(),
            Target::Classes { y, .. } if self == Loss::Binomial => rows
                .iter()
                .enumerate()
                .map(|(i, &r)| {
                    let z = raw[0][i];
                    log1p_exp(z) - (y[r] == 1) as u8 as f64 * z
                })
                .sum(),
            Target::Classes { y, .. } => rows
                .iter()
                .enumerate()
                .map(|(i, &r)| {
                    let max = raw.iter().map(|o| o[i]).fold(f64::MIN, f64::max);
                    let sum: f64 = raw.iter().map(|o| (o[i] - max).exp()).sum();
                    max + sum.ln() - raw[y[r]][i]
                })
                .sum(),
        };
        total / n
    }
}

/// `1 / (1 + e^−z)`.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
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
            Loss::SquaredError.baseline(Target::Values(&values), &rows),
            vec![3.0]
        );
        let y = [0, 1, 1, 1];
        let binary = Target::Classes { y: &y, classes: 2 };
        assert!((Loss::Binomial.baseline(binary, &rows)[0] - 3f64.ln()).abs() < 1e-12);
        let y = [0, 1, 2, 2];
        let three = Target::Classes { y: &y, classes: 3 };
        let base = Loss::Multinomial.baseline(three, &rows);
        assert!((base[2] - base[0] - 2f64.ln()).abs() < 1e-12);
        assert!(base.iter().sum::<f64>().abs() < 1e-12);
    }

    #[test]
    fn gradients_of_log_loss_are_probability_minus_truth() {
        let y = [1, 0];
        let target = Target::Classes { y: &y, classes: 2 };
        let raw = vec![vec![0.0, 0.0]];
        let (mut g, mut h) = (vec![vec![0.0; 2]], vec![vec![0.0; 2]]);
        Loss::Binomial.gradients(target, &[0, 1], &raw, &mut g, &mut h);
        assert_eq!((g, h), (vec![vec![-0.5, 0.5]], vec![vec![0.25, 0.25]]));
        assert!((Loss::Binomial.mean(target, &[0, 1], &raw) - 2f64.ln()).abs() < 1e-12);
    }
}
