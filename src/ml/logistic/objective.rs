//! The penalised log-loss and its gradient in one pass over the rows.
//!
//! The objective is scikit-learn's for `LogisticRegression(penalty="l2")`:
//! mean log-loss + ‖W‖² / (2·C·n), intercepts not penalised. Binary problems have one weight
//! column (the logit of the second class), multinomial ones a column per class.
//!
//! Each row is read once: its logits, loss and residual are computed while it is in cache and
//! its contribution to the gradient added at once, so no rows × classes intermediate exists.
//! Rows are split into fixed chunks summed in order, so the result does not depend on how
//! many threads ran them.
//!
//! One-hot features may come as one level index per row ([`Codes`]) instead of indicator
//! columns: a row's logit then adds its level's weight, and its residual goes to that
//! weight's gradient alone, so a column of many levels costs one addition per row.

use rayon::prelude::*;

use crate::ml::prep::NO_LEVEL;

/// Rows per chunk: big enough that a chunk is worth a task, small enough to balance two cores.
const CHUNK_ROWS: usize = 4096;

/// A one-hot column as level indices: per row, the level set ([`NO_LEVEL`]: none), and the
/// parameter row of level 0.
#[derive(Debug, Clone, Copy)]
pub struct Codes<'a> {
    pub levels: &'a [u32],
    pub offset: usize,
}

/// A fitting problem: rows of features, their classes and the penalty.
pub struct Objective<'a> {
    /// Row-major rows × `dense`: the features given as numbers.
    x: &'a [f64],
    /// The features given as level indices, their parameter rows after the dense ones.
    codes: Vec<Codes<'a>>,
    /// Features per row of `x`.
    dense: usize,
    /// Class of each row: 0/1 for a binary problem, the column for a multinomial one.
    y: &'a [u32],
    /// The weight of each class of `y` (scikit-learn's `class_weight`): a row's loss counts
    /// this many times, and the mean is over the summed weights.
    class_weights: &'a [f64],
    /// Σ of the rows' weights (the number of rows when every weight is 1).
    weight_sum: f64,
    /// Parameter rows besides the intercepts: `dense` plus every level of `codes`.
    features: usize,
    /// Weight columns: 1 for binary, the number of classes otherwise.
    columns: usize,
    /// 1 / (C·n): the penalty is half this times ‖W‖².
    penalty: f64,
    /// Per chunk: its loss, then its gradient; reused between evaluations.
    partials: Vec<f64>,
}

impl<'a> Objective<'a> {
    /// The problem on `x` (row-major, `features` per row) with classes `y`. `columns` is 1 for
    /// a binary problem (`y` in 0..2), else the number of classes.
    ///
    /// `class_weights` weighs each class of `y` (all 1 for plain logistic regression); the
    /// penalty is then against the summed weights instead of the rows, as scikit-learn's.
    #[cfg(test)]
    pub fn new(
        x: &'a [f64],
        y: &'a [u32],
        class_weights: &'a [f64],
        features: usize,
        columns: usize,
        c: f64,
    ) -> Self {
        Self::with_codes(
            x,
            features,
            Vec::new(),
            y,
            class_weights,
            features,
            columns,
            c,
        )
    }

    /// As [`new`](Self::new), with `dense` features per row of `x` and the rest of the
    /// `features` given as level indices by `codes`.
    #[allow(clippy::too_many_arguments)]
    pub fn with_codes(
        x: &'a [f64],
        dense: usize,
        codes: Vec<Codes<'a>>,
        y: &'a [u32],
        class_weights: &'a [f64],
        features: usize,
        columns: usize,
        c: f64,
    ) -> Self {
        debug_assert_eq!(x.len(), y.len() * dense);
        debug_assert!(codes
            .iter()
            .all(|c| c.levels.len() == y.len() && c.offset >= dense));
        let chunks = y.len().div_ceil(CHUNK_ROWS).max(1);
        let width = 1 + (features + 1) * columns;
        let weight_sum = match class_weights.iter().all(|&w| w == 1.0) {
            true => y.len() as f64,
            false => y.iter().map(|&k| class_weights[k as usize]).sum(),
        };
        let weight_sum = if weight_sum > 0.0 { weight_sum } else { 1.0 };
        Objective {
            x,
            codes,
            dense,
            y,
            class_weights,
            weight_sum,
            features,
            columns,
            penalty: 1.0 / (c * weight_sum),
            partials: vec![0.0; chunks * width],
        }
    }

    /// Length of the parameter vector: (features + 1) × columns, row-major, the intercepts
    /// in the last row.
    pub fn dimension(&self) -> usize {
        (self.features + 1) * self.columns
    }

    /// The objective at `params`, with its gradient written into `gradient`.
    pub fn evaluate(&mut self, params: &[f64], gradient: &mut [f64]) -> f64 {
        let dimension = self.dimension();
        debug_assert_eq!(params.len(), dimension);
        debug_assert_eq!(gradient.len(), dimension);
        let (features, columns, dense) = (self.features, self.columns, self.dense);
        let width = 1 + dimension;
        let rows = self.y.len();
        let (x, y, weights, codes) = (self.x, self.y, self.class_weights, &self.codes);
        self.partials
            .par_chunks_mut(width)
            .enumerate()
            .for_each(|(chunk, partial)| {
                let first = chunk * CHUNK_ROWS;
                let end = (first + CHUNK_ROWS).min(rows);
                let rows = Rows {
                    x: &x[first * dense..end * dense],
                    dense,
                    codes: codes
                        .iter()
                        .map(|c| Codes {
                            levels: &c.levels[first..end],
                            offset: c.offset,
                        })
                        .collect(),
                };
                let y = &y[first..end];
                let (loss, grad) = partial.split_first_mut().expect("width is at least 1");
                grad.fill(0.0);
                *loss = if columns == 1 {
                    binary_chunk(&rows, y, weights, features, params, grad)
                } else {
                    multinomial_chunk(&rows, y, weights, features, columns, params, grad)
                };
            });

        let mut loss = 0.0;
        gradient.fill(0.0);
        for partial in self.partials.chunks_exact(width) {
            loss += partial[0];
            for (g, p) in gradient.iter_mut().zip(&partial[1..]) {
                *g += p;
            }
        }
        let n = self.weight_sum;
        loss /= n;
        gradient.iter_mut().for_each(|g| *g /= n);
        let weights = features * columns;
        let mut norm = 0.0;
        for (g, &w) in gradient[..weights].iter_mut().zip(&params[..weights]) {
            norm += w * w;
            *g += self.penalty * w;
        }
        loss + 0.5 * self.penalty * norm
    }
}

/// A chunk of rows: dense features and level indices.
struct Rows<'a> {
    x: &'a [f64],
    dense: usize,
    codes: Vec<Codes<'a>>,
}

impl Rows<'_> {
    /// The parameter rows of row `i`'s levels.
    fn levels(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.codes.iter().filter_map(move |c| {
            let level = c.levels[i];
            (level != NO_LEVEL).then(|| c.offset + level as usize)
        })
    }
}

/// Sum of the weighted log-losses of the chunk's rows; adds the sum of their weighted
/// gradients into `grad`.
fn binary_chunk(
    chunk: &Rows<'_>,
    y: &[u32],
    weights: &[f64],
    features: usize,
    params: &[f64],
    grad: &mut [f64],
) -> f64 {
    let (w, intercept) = params.split_at(features);
    let (grad_w, grad_b) = grad.split_at_mut(features);
    let dense = chunk.dense;
    let mut loss = 0.0;
    let mut residuals = 0.0;
    for (i, (row, &class)) in rows(chunk.x, dense, y.len()).zip(y).enumerate() {
        let mut z = intercept[0] + dot(row, &w[..dense]);
        for p in chunk.levels(i) {
            z += w[p];
        }
        // log(1 + e^z) − y·z and σ(z) − y, with one exponential of a non-positive number.
        let e = (-z.abs()).exp();
        let softplus = z.max(0.0) + e.ln_1p();
        let p = if z >= 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        };
        let target = f64::from(class);
        let weight = weights[class as usize];
        loss += weight * (softplus - target * z);
        let r = weight * (p - target);
        residuals += r;
        axpy(r, row, &mut grad_w[..dense]);
        for p in chunk.levels(i) {
            grad_w[p] += r;
        }
    }
    grad_b[0] += residuals;
    loss
}

/// Multinomial version of [`binary_chunk`]: softmax over `columns` logits per row.
fn multinomial_chunk(
    chunk: &Rows<'_>,
    y: &[u32],
    weights: &[f64],
    features: usize,
    columns: usize,
    params: &[f64],
    grad: &mut [f64],
) -> f64 {
    let intercept = &params[features * columns..];
    let mut z = vec![0.0; columns];
    let mut loss = 0.0;
    for (i, (row, &class)) in rows(chunk.x, chunk.dense, y.len()).zip(y).enumerate() {
        z.copy_from_slice(intercept);
        for (&v, w) in row.iter().zip(params.chunks_exact(columns)) {
            axpy(v, w, &mut z);
        }
        for p in chunk.levels(i) {
            axpy(1.0, &params[p * columns..(p + 1) * columns], &mut z);
        }
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for v in z.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        // −log softmax(z)[class] = log Σ e^(z − max) − (z[class] − max).
        let class = class as usize;
        let weight = weights[class];
        loss += weight * (sum.ln() - z[class].ln());
        let scale = weight / sum;
        for v in z.iter_mut() {
            *v *= scale;
        }
        z[class] -= weight;
        for (&v, g) in row.iter().zip(grad.chunks_exact_mut(columns)) {
            axpy(v, &z, g);
        }
        for p in chunk.levels(i) {
            axpy(1.0, &z, &mut grad[p * columns..(p + 1) * columns]);
        }
        for (g, r) in grad[features * columns..].iter_mut().zip(&z) {
            *g += r;
        }
    }
    loss
}

/// The rows of a row-major block, one per label (empty when there are no features).
fn rows(x: &[f64], features: usize, count: usize) -> impl Iterator<Item = &[f64]> {
    (0..count).map(move |i| &x[i * features..(i + 1) * features])
}

/// `a · b` with four partial sums, so the loop vectorises.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

/// `y += a · x`.
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The objective computed the plain way, row by row, for comparison.
    fn reference(
        x: &[f64],
        y: &[u32],
        cw: &[f64],
        features: usize,
        columns: usize,
        c: f64,
        p: &[f64],
    ) -> f64 {
        let n: f64 = y.iter().map(|&k| cw[k as usize]).sum();
        let mut loss = 0.0;
        for (i, &class) in y.iter().enumerate() {
            let weight = cw[class as usize];
            let row = &x[i * features..(i + 1) * features];
            let logit = |k: usize| {
                p[features * columns + k]
                    + (0..features)
                        .map(|j| row[j] * p[j * columns + k])
                        .sum::<f64>()
            };
            loss += weight
                * if columns == 1 {
                    let z = logit(0);
                    let prob = 1.0 / (1.0 + (-z).exp());
                    if class == 1 {
                        -prob.ln()
                    } else {
                        -(1.0 - prob).ln()
                    }
                } else {
                    let z: Vec<f64> = (0..columns).map(logit).collect();
                    let total: f64 = z.iter().map(|v| v.exp()).sum();
                    total.ln() - z[class as usize]
                };
        }
        let norm: f64 = p[..features * columns].iter().map(|w| w * w).sum();
        loss / n + norm / (2.0 * c * n)
    }

    fn problem(rows: usize, features: usize, classes: u32) -> (Vec<f64>, Vec<u32>) {
        let x = (0..rows * features)
            .map(|i| ((i * 7919 % 1000) as f64 / 250.0) - 2.0)
            .collect();
        let y = (0..rows).map(|i| (i as u32 * 31 + 7) % classes).collect();
        (x, y)
    }

    #[test]
    fn loss_and_gradient_match_a_plain_computation_across_chunks() {
        // More rows than one chunk, so the ordered sum of partials is exercised too.
        // Equal weights, and unequal ones (scikit-learn's class_weight).
        let cases: [(usize, u32, &[f64]); 4] = [
            (1, 2, &[1.0, 1.0]),
            (3, 3, &[1.0, 1.0, 1.0]),
            (1, 2, &[0.4, 2.5]),
            (3, 3, &[1.7, 0.3, 1.1]),
        ];
        for (columns, classes, cw) in cases {
            let features = 5;
            let (x, y) = problem(CHUNK_ROWS * 2 + 17, features, classes);
            let c = 0.7;
            let mut objective = Objective::new(&x, &y, cw, features, columns, c);
            let params: Vec<f64> = (0..objective.dimension())
                .map(|i| (i as f64 * 0.37).sin() * 0.5)
                .collect();
            let mut gradient = vec![0.0; params.len()];
            let f = objective.evaluate(&params, &mut gradient);
            let expected = reference(&x, &y, cw, features, columns, c, &params);
            assert!((f - expected).abs() < 1e-12, "{f} vs {expected}");
            for i in 0..params.len() {
                let h = 1e-6;
                let mut plus = params.clone();
                plus[i] += h;
                let mut minus = params.clone();
                minus[i] -= h;
                let numeric = (reference(&x, &y, cw, features, columns, c, &plus)
                    - reference(&x, &y, cw, features, columns, c, &minus))
                    / (2.0 * h);
                assert!(
                    (gradient[i] - numeric).abs() < 1e-7,
                    "columns {columns}, weights {cw:?}, component {i}: {} vs {numeric}",
                    gradient[i]
                );
            }
        }
    }

    #[test]
    fn levels_as_indices_give_the_loss_and_gradient_of_their_indicator_columns() {
        let rows = CHUNK_ROWS + 300;
        let (dense_x, _) = problem(rows, 2, 2);
        // Two one-hot columns of 4 and 3 levels, some rows with no level set.
        let a: Vec<u32> = (0..rows as u32)
            .map(|i| (i * 7 + 1) % 5)
            .map(|l| if l == 4 { NO_LEVEL } else { l })
            .collect();
        let b: Vec<u32> = (0..rows as u32).map(|i| (i * 3) % 3).collect();
        let features = 2 + 4 + 3;
        let mut wide = vec![0.0; rows * features];
        for i in 0..rows {
            wide[i * features..i * features + 2].copy_from_slice(&dense_x[i * 2..i * 2 + 2]);
            if a[i] != NO_LEVEL {
                wide[i * features + 2 + a[i] as usize] = 1.0;
            }
            wide[i * features + 6 + b[i] as usize] = 1.0;
        }
        for (columns, classes) in [(1, 2), (3, 3)] {
            let y: Vec<u32> = (0..rows as u32).map(|i| (i * 13 + 5) % classes).collect();
            let cw = [1.0, 1.5, 0.5];
            let cw = &cw[..classes as usize];
            let codes = vec![
                Codes {
                    levels: &a,
                    offset: 2,
                },
                Codes {
                    levels: &b,
                    offset: 6,
                },
            ];
            let mut sparse =
                Objective::with_codes(&dense_x, 2, codes, &y, cw, features, columns, 0.3);
            let mut plain = Objective::new(&wide, &y, cw, features, columns, 0.3);
            let params: Vec<f64> = (0..plain.dimension())
                .map(|i| (i as f64 * 0.61).cos() * 0.4)
                .collect();
            let (mut g1, mut g2) = (vec![0.0; params.len()], vec![0.0; params.len()]);
            let f1 = sparse.evaluate(&params, &mut g1);
            let f2 = plain.evaluate(&params, &mut g2);
            assert!((f1 - f2).abs() < 1e-12, "{f1} vs {f2}");
            for (i, (x, y)) in g1.iter().zip(&g2).enumerate() {
                assert!(
                    (x - y).abs() < 1e-12,
                    "columns {columns}, component {i}: {x} vs {y}"
                );
            }
        }
    }

    #[test]
    fn extreme_logits_give_finite_loss_and_gradient() {
        let x = vec![1.0, -1.0];
        let y = vec![0, 1];
        let mut objective = Objective::new(&x, &y, &[1.0, 1.0], 1, 1, 1.0);
        let mut gradient = vec![0.0; 2];
        let f = objective.evaluate(&[800.0, 0.0], &mut gradient);
        assert!(f.is_finite() && f > 700.0, "{f}");
        assert!(gradient.iter().all(|g| g.is_finite()), "{gradient:?}");
    }
}
