//! Limited-memory BFGS for a smooth unconstrained objective, with the choices of scipy's
//! L-BFGS-B (which scikit-learn's `lbfgs` solver calls): ten correction pairs, a first step of
//! length 1 along the steepest descent, the Moré–Thuente line search, and its stopping rules —
//! the largest gradient component below the tolerance, or a relative decrease of the objective
//! below 64 machine epsilons. The caller is asked before every evaluation whether to go on.

use std::collections::VecDeque;

use super::line_search::{MoreThuente, Next, STEP_MAX};

/// Correction pairs kept (scipy's `maxcor`).
const MEMORY: usize = 10;
/// Most evaluations in one line search (scikit-learn's `maxls`).
const MAX_LINE_SEARCH: usize = 50;
/// Relative decrease of the objective that counts as no progress (scikit-learn's `ftol`).
const STALL: f64 = 64.0 * f64::EPSILON;

/// How a minimisation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The gradient is below the tolerance, or the objective stopped decreasing.
    Converged,
    /// The iteration limit was reached first.
    IterationLimit,
    /// No step along the search direction lowered the objective, even from steepest descent.
    LineSearchFailed,
    /// `go_on` said stop.
    Cancelled,
    /// The objective at the start is not a finite number.
    NotFinite,
}

/// Where a minimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub params: Vec<f64>,
    pub value: f64,
    pub iterations: u64,
    pub evaluations: u64,
    pub outcome: Outcome,
}

/// Stopping rules.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Converged when every gradient component is at most this in absolute value.
    pub tolerance: f64,
    pub max_iterations: u64,
}

/// Minimise `evaluate` (value, with the gradient written into its second argument) from
/// `start`. `go_on` hears the iterations done so far before every evaluation and returns
/// false to stop.
pub fn minimize(
    mut evaluate: impl FnMut(&[f64], &mut [f64]) -> f64,
    start: Vec<f64>,
    limits: Limits,
    go_on: &mut dyn FnMut(u64) -> bool,
) -> Minimum {
    let n = start.len();
    let mut x = start;
    let mut g = vec![0.0; n];
    let minimum = |x: Vec<f64>, value, iterations, evaluations, outcome| Minimum {
        params: x,
        value,
        iterations,
        evaluations,
        outcome,
    };
    if !go_on(0) {
        return minimum(x, f64::NAN, 0, 0, Outcome::Cancelled);
    }
    let mut f = evaluate(&x, &mut g);
    let mut evaluations = 1;
    if !f.is_finite() || g.iter().any(|g| !g.is_finite()) {
        return minimum(x, f, 0, evaluations, Outcome::NotFinite);
    }
    if max_abs(&g) <= limits.tolerance {
        return minimum(x, f, 0, evaluations, Outcome::Converged);
    }

    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>)> = VecDeque::with_capacity(MEMORY);
    let mut d = vec![0.0; n];
    let mut trial = vec![0.0; n];
    let mut trial_g = vec![0.0; n];
    let mut iterations = 0;
    loop {
        if iterations >= limits.max_iterations {
            return minimum(x, f, iterations, evaluations, Outcome::IterationLimit);
        }
        direction(&pairs, &g, &mut d);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Rounding spoilt the quasi-Newton direction: start again from steepest descent.
            pairs.clear();
            d.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
            slope = -dot(&g, &g);
        }
        let first = if iterations == 0 {
            (1.0 / dot(&d, &d).sqrt()).min(STEP_MAX)
        } else {
            1.0
        };

        let (mut search, mut step) = MoreThuente::start(f, slope, first);
        let mut accepted = None;
        for _ in 0..MAX_LINE_SEARCH {
            if !go_on(iterations) {
                return minimum(x, f, iterations, evaluations, Outcome::Cancelled);
            }
            for ((t, x), d) in trial.iter_mut().zip(&x).zip(&d) {
                *t = x + step * d;
            }
            let value = evaluate(&trial, &mut trial_g);
            evaluations += 1;
            if !value.is_finite() {
                break;
            }
            match search.step(step, value, dot(&trial_g, &d)) {
                Next::Accept => {
                    accepted = Some(value);
                    break;
                }
                Next::Evaluate(next) => step = next,
            }
        }
        let new_f = match accepted {
            Some(value) if value <= f => value,
            _ if pairs.is_empty() => {
                return minimum(x, f, iterations, evaluations, Outcome::LineSearchFailed)
            }
            _ => {
                // As L-BFGS-B: forget the curvature pairs and retry from steepest descent.
                pairs.clear();
                continue;
            }
        };

        iterations += 1;
        let s: Vec<f64> = trial.iter().zip(&x).map(|(t, x)| t - x).collect();
        let y: Vec<f64> = trial_g.iter().zip(&g).map(|(t, g)| t - g).collect();
        std::mem::swap(&mut x, &mut trial);
        std::mem::swap(&mut g, &mut trial_g);
        let old_f = f;
        f = new_f;
        if max_abs(&g) <= limits.tolerance || old_f - f <= STALL * old_f.abs().max(f.abs()).max(1.0)
        {
            return minimum(x, f, iterations, evaluations, Outcome::Converged);
        }
        // Keep the pair only when it carries positive curvature (always, for a strictly
        // convex objective, unless rounding says otherwise).
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * dot(&y, &y) {
            if pairs.len() == MEMORY {
                pairs.pop_front();
            }
            pairs.push_back((s, y));
        }
    }
}

/// The L-BFGS direction −H·g by the two-loop recursion, H₀ scaled by sᵀy / yᵀy of the latest
/// pair; −g without pairs.
fn direction(pairs: &VecDeque<(Vec<f64>, Vec<f64>)>, g: &[f64], d: &mut [f64]) {
    d.iter_mut().zip(g).for_each(|(d, g)| *d = -g);
    let mut alphas = [0.0; MEMORY];
    for (k, (s, y)) in pairs.iter().enumerate().rev() {
        let alpha = dot(s, d) / dot(y, s);
        alphas[k] = alpha;
        d.iter_mut().zip(y).for_each(|(d, y)| *d -= alpha * y);
    }
    if let Some((s, y)) = pairs.back() {
        let gamma = dot(s, y) / dot(y, y);
        d.iter_mut().for_each(|d| *d *= gamma);
    }
    for (k, (s, y)) in pairs.iter().enumerate() {
        let beta = dot(y, d) / dot(y, s);
        d.iter_mut()
            .zip(s)
            .for_each(|(d, s)| *d += (alphas[k] - beta) * s);
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, g| m.max(g.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's valley, the classic hard case for a quasi-Newton method.
    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn rosenbrock_is_minimised() {
        let limits = Limits {
            tolerance: 1e-8,
            max_iterations: 200,
        };
        let found = minimize(rosenbrock, vec![-1.2, 1.0], limits, &mut |_| true);
        assert_eq!(found.outcome, Outcome::Converged, "{found:?}");
        assert!((found.params[0] - 1.0).abs() < 1e-5, "{found:?}");
        assert!((found.params[1] - 1.0).abs() < 1e-5, "{found:?}");
        // scipy 1.17's L-BFGS-B from the same start, gtol 1e-8, ftol 64·eps: 38 iterations,
        // 46 evaluations.
        assert!(found.iterations.abs_diff(38) <= 2, "{found:?}");
        assert!(found.evaluations.abs_diff(46) <= 3, "{found:?}");
    }

    #[test]
    fn an_ill_conditioned_quadratic_takes_as_many_iterations_as_scipy() {
        let scales: Vec<f64> = (0..20).map(|i| 10f64.powf(i as f64 / 10.0)).collect();
        let quadratic = |x: &[f64], g: &mut [f64]| {
            let mut f = 0.0;
            for ((x, g), s) in x.iter().zip(g.iter_mut()).zip(&scales) {
                *g = s * (x - 1.0);
                f += 0.5 * s * (x - 1.0).powi(2);
            }
            f
        };
        let limits = Limits {
            tolerance: 1e-6,
            max_iterations: 200,
        };
        let found = minimize(quadratic, vec![0.0; 20], limits, &mut |_| true);
        assert_eq!(found.outcome, Outcome::Converged, "{found:?}");
        // scipy 1.17's L-BFGS-B, gtol 1e-6, ftol 64·eps: 64 iterations, 70 evaluations.
        assert!(found.iterations.abs_diff(64) <= 2, "{found:?}");
        assert!(found.evaluations.abs_diff(70) <= 3, "{found:?}");
    }

    #[test]
    fn the_iteration_limit_and_a_stop_are_reported() {
        let limits = Limits {
            tolerance: 1e-12,
            max_iterations: 3,
        };
        let found = minimize(rosenbrock, vec![-1.2, 1.0], limits, &mut |_| true);
        assert_eq!(
            (found.outcome, found.iterations),
            (Outcome::IterationLimit, 3)
        );

        let mut asked = Vec::new();
        let found = minimize(rosenbrock, vec![-1.2, 1.0], limits, &mut |it| {
            asked.push(it);
            it < 2
        });
        assert_eq!(found.outcome, Outcome::Cancelled);
        assert_eq!(found.iterations, 2);
        assert!(asked.windows(2).all(|w| w[0] <= w[1]), "{asked:?}");
    }
}
