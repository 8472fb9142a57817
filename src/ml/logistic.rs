//! Logistic regression: L2-penalised log-loss (scikit-learn's objective and `C`) minimised by
//! our own L-BFGS over a loss and gradient computed in one parallel pass over the rows.
//!
//! linfa-logistic defines the same problem, but its loss packs the whole matrix for a general
//! matrix product at every evaluation and its optimiser cannot be interrupted, so a million
//! rows took tens of seconds and a cancel waited for a slice of iterations. Here the
//! optimiser asks the progress callback before every evaluation (a few tens of milliseconds
//! on a million rows), and the tests check the result against linfa's.
//!
//! The fitted weights are kept in our own type (binary: one column for the second class;
//! multinomial: one column per class), so predicting and saving need no linfa types.

mod lbfgs;
mod line_search;
mod objective;

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use self::lbfgs::{minimize, Limits, Outcome};
use self::objective::{Codes, Objective};
use super::algorithms::logistic_regression::LogisticSpec;
use super::prep::{Design, NO_LEVEL};

/// Why a fit stopped without a model.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FitError {
    #[error("training was cancelled")]
    Cancelled,
    #[error("logistic regression needs at least two classes in the training rows")]
    OneClass,
    #[error("logistic regression needs finite features, and a value is not a finite number")]
    NotFinite,
    #[error("logistic regression got {rows} feature rows but {targets} targets")]
    Shape { rows: usize, targets: usize },
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
        self.probabilities(z)
    }

    /// Class probabilities of the rows of a design, its levels read as indices.
    pub fn predict_proba_design(&self, design: &Design) -> Array2<f64> {
        let dense = self
            .weights
            .select(ndarray::Axis(0), &design.dense_features);
        let mut z = design.dense.dot(&dense);
        for codes in &design.one_hot {
            for (mut row, &level) in z.rows_mut().into_iter().zip(&codes.levels) {
                if level != NO_LEVEL {
                    row += &self.weights.row(codes.first + level as usize);
                }
            }
        }
        z += &self.intercept;
        self.probabilities(z)
    }

    /// Probabilities from the logits: a sigmoid for one column, a softmax for more.
    fn probabilities(&self, mut z: Array2<f64>) -> Array2<f64> {
        if self.weights.ncols() == 1 {
            let mut out = Array2::zeros((z.nrows(), 2));
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

/// Fit on `x` (rows × features) and class indices `y` into `class_weights`, each class's
/// weight in the loss (the spec's `class_weight` resolved for the target's classes).
/// `progress` hears the iterations done so far, at least once per iteration, and returns
/// false to cancel.
pub fn fit_logistic(
    x: ArrayView2<f64>,
    y: &[usize],
    class_weights: &[f64],
    spec: &LogisticSpec,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<(LogisticModel, FitReport), FitError> {
    let features = x.ncols();
    let x = x.as_standard_layout();
    let cells = x.as_slice().expect("a standard-layout array is one slice");
    let rows = FitRows {
        count: x.nrows(),
        x: cells,
        dense: features,
        codes: Vec::new(),
        feature_of: (0..features).collect(),
        features,
    };
    fit_rows(rows, y, class_weights, spec, progress)
}

/// [`fit_logistic`] on a design: its one-hot columns are read as level indices, never as
/// indicator columns; the model is the same.
pub fn fit_logistic_design(
    design: &Design,
    y: &[usize],
    class_weights: &[f64],
    spec: &LogisticSpec,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<(LogisticModel, FitReport), FitError> {
    let mut feature_of = design.dense_features.clone();
    let mut codes = Vec::with_capacity(design.one_hot.len());
    for column in &design.one_hot {
        codes.push(Codes {
            levels: &column.levels,
            offset: feature_of.len(),
        });
        feature_of.extend(column.first..column.first + column.width);
    }
    let x = design.dense.as_standard_layout();
    let rows = FitRows {
        count: design.rows(),
        x: x.as_slice().expect("a standard-layout array is one slice"),
        dense: design.dense_features.len(),
        codes,
        feature_of,
        features: design.width,
    };
    fit_rows(rows, y, class_weights, spec, progress)
}

/// The rows a fit reads: dense features and level indices, with the feature each of their
/// parameter rows stands for.
struct FitRows<'a> {
    /// Number of rows.
    count: usize,
    x: &'a [f64],
    dense: usize,
    codes: Vec<Codes<'a>>,
    /// Per parameter row (dense features, then every level of `codes`): its feature.
    feature_of: Vec<usize>,
    /// Features of the model.
    features: usize,
}

fn fit_rows(
    rows: FitRows<'_>,
    y: &[usize],
    class_weights: &[f64],
    spec: &LogisticSpec,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<(LogisticModel, FitReport), FitError> {
    if rows.count != y.len() {
        return Err(FitError::Shape {
            rows: rows.count,
            targets: y.len(),
        });
    }
    let classes = class_weights.len();
    // Classes absent from the rows get no column of their own in the fit (as with linfa and
    // scikit-learn) and zero weights in the model.
    let mut seen = vec![false; classes];
    y.iter().for_each(|&c| seen[c] = true);
    let present: Vec<usize> = (0..classes).filter(|&c| seen[c]).collect();
    if present.len() < 2 {
        return Err(FitError::OneClass);
    }
    let binary = classes == 2;
    let columns = if binary { 1 } else { present.len() };
    // Binary: 1 for class 1; multinomial: the class's column among the present ones.
    let mut column_of = vec![0u32; classes];
    for (k, &c) in present.iter().enumerate() {
        column_of[c] = k as u32;
    }
    let targets: Vec<u32> = y.iter().map(|&c| column_of[c]).collect();

    // Each fitted column's class weight (binary: classes 0 and 1).
    let class_weights: Vec<f64> = if binary {
        class_weights.to_vec()
    } else {
        present.iter().map(|&c| class_weights[c]).collect()
    };
    let parameter_rows = rows.feature_of.len();
    let mut objective = Objective::with_codes(
        rows.x,
        rows.dense,
        rows.codes,
        &targets,
        &class_weights,
        parameter_rows,
        columns,
        spec.c,
    );
    let limits = Limits {
        tolerance: spec.tolerance,
        max_iterations: spec.max_iterations,
    };
    let start = vec![0.0; objective.dimension()];
    let found = minimize(
        |params, gradient| objective.evaluate(params, gradient),
        start,
        limits,
        progress,
    );
    let converged = match found.outcome {
        Outcome::Cancelled => return Err(FitError::Cancelled),
        Outcome::NotFinite => return Err(FitError::NotFinite),
        Outcome::Converged => true,
        Outcome::IterationLimit | Outcome::LineSearchFailed => false,
    };

    let out_columns = if binary { 1 } else { classes };
    let mut weights = Array2::zeros((rows.features, out_columns));
    let mut intercept = Array1::zeros(out_columns);
    let fitted_class = |k: usize| if binary { 0 } else { present[k] };
    for (j, row) in found.params.chunks_exact(columns).enumerate() {
        for (k, &value) in row.iter().enumerate() {
            if j < parameter_rows {
                weights[[rows.feature_of[j], fitted_class(k)]] = value;
            } else {
                intercept[fitted_class(k)] = value;
            }
        }
    }
    let report = FitReport {
        iterations: found.iterations,
        converged,
    };
    Ok((LogisticModel { weights, intercept }, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_separable_binary_problem_is_learned_whichever_class_is_more_frequent() {
        let x = array![[0.0], [0.2], [0.4], [2.0], [2.2], [2.4], [2.6]];
        for y in [vec![0, 0, 0, 1, 1, 1, 1], vec![1, 1, 1, 0, 0, 0, 0]] {
            let (model, report) = fit_logistic(
                x.view(),
                &y,
                &[1.0; 2],
                &LogisticSpec::default(),
                &mut |_| true,
            )
            .unwrap();
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
        let (model, _) = fit_logistic(
            x.view(),
            &y,
            &[1.0; 3],
            &LogisticSpec::default(),
            &mut |_| true,
        )
        .unwrap();
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
    fn a_class_absent_from_the_rows_gets_zero_weights_and_the_others_are_learned() {
        let x = array![[0.0], [0.2], [0.4], [3.0], [3.2], [3.4]];
        let y = vec![0, 0, 0, 2, 2, 2];
        let (model, report) = fit_logistic(
            x.view(),
            &y,
            &[1.0; 3],
            &LogisticSpec::default(),
            &mut |_| true,
        )
        .unwrap();
        assert!(report.converged, "{report:?}");
        assert_eq!(model.weights.dim(), (1, 3));
        assert_eq!((model.weights[[0, 1]], model.intercept[1]), (0.0, 0.0));
        let proba = model.predict_proba(x.view());
        assert!(proba[[0, 0]] > proba[[0, 2]] && proba[[5, 2]] > proba[[5, 0]]);
    }

    /// A noisy linear problem: `rows` × `features`, deterministic.
    fn noisy_problem(rows: usize, features: usize) -> (Array2<f64>, Vec<usize>) {
        let mut random = crate::test_random::Random(0x9e37_79b9_7f4a_7c15);
        let mut next = move || random.unit();
        let x = Array2::from_shape_fn((rows, features), |_| next() * 4.0 - 2.0);
        let y = x
            .rows()
            .into_iter()
            .map(|row| {
                let z: f64 = row
                    .iter()
                    .enumerate()
                    .map(|(j, v)| v / (j + 1) as f64)
                    .sum();
                usize::from(z + next() - 0.5 > 0.0)
            })
            .collect();
        (x, y)
    }

    #[test]
    fn a_cancel_on_a_large_matrix_stops_at_the_next_check_and_every_iteration_is_checked() {
        let (x, y) = noisy_problem(40_000, 12);
        let spec = LogisticSpec {
            tolerance: 1e-12,
            ..LogisticSpec::default()
        };
        let mut asked = Vec::new();
        let result = fit_logistic(x.view(), &y, &[1.0; 2], &spec, &mut |iterations| {
            asked.push(iterations);
            iterations < 4
        });
        assert_eq!(result.unwrap_err(), FitError::Cancelled);
        // The first "no" ends the fit: nothing is asked after it.
        assert_eq!(asked.iter().filter(|&&it| it >= 4).count(), 1, "{asked:?}");
        // No iteration runs without a check before it.
        assert!(asked.windows(2).all(|w| w[1] <= w[0] + 1), "{asked:?}");
        assert!(asked.len() <= 4 * 3, "checks per iteration: {asked:?}");
    }

    #[test]
    fn cancelling_stops_the_fit_and_one_class_is_an_error() {
        let x = array![[0.0], [1.0], [2.0], [3.0]];
        let spec = LogisticSpec::default();
        let err =
            fit_logistic(x.view(), &[0, 0, 1, 1], &[1.0; 2], &spec, &mut |_| false).unwrap_err();
        assert_eq!(err, FitError::Cancelled);
        let err =
            fit_logistic(x.view(), &[1, 1, 1, 1], &[1.0; 2], &spec, &mut |_| true).unwrap_err();
        assert_eq!(err, FitError::OneClass);
    }
}

#[cfg(test)]
mod parity {
    //! The fit against linfa-logistic's, which minimises the same objective.
    use super::*;
    use crate::ml::prep::{fit_recipe, Recipe};
    use crate::ml::target::{class_target, sample_with_target};
    use linfa::prelude::*;
    use linfa_logistic::{LogisticRegression, MultiLogisticRegression};

    /// The standardised feature matrix and classes of a bundled sample, all rows.
    fn sample_matrix(file: &str, target: &str) -> (Array2<f64>, Vec<usize>, usize) {
        let table = sample_with_target(file, target);
        let classes = class_target(&table, target).unwrap();
        let fitted = fit_recipe(&Recipe::default_for(&table), &table, &classes.rows).unwrap();
        let x = fitted.transform(&table, &classes.rows).unwrap().x;
        (x, classes.y, classes.classes.len())
    }

    fn tight() -> LogisticSpec {
        LogisticSpec {
            tolerance: 1e-7,
            max_iterations: 1000,
            ..LogisticSpec::default()
        }
    }

    fn max_difference(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        (a - b).iter().fold(0.0, |m, d| m.max(d.abs()))
    }

    #[test]
    fn binary_probabilities_match_linfa() {
        let (x, y, classes) = sample_matrix("breast_cancer.csv", "diagnosis");
        let (model, report) =
            fit_logistic(x.view(), &y, &vec![1.0; classes], &tight(), &mut |_| true).unwrap();
        assert!(report.converged, "{report:?}");

        let targets = Array1::from(y.clone());
        let linfa = LogisticRegression::default()
            .alpha(1.0)
            .max_iterations(1000)
            .gradient_tolerance(1e-7 * x.nrows() as f64)
            .fit(&DatasetBase::new(x.view(), targets.view()))
            .unwrap();
        let p = linfa.predict_probabilities(&x);
        // linfa's probability is of its "positive" class, the more frequent one.
        let p1 = if linfa.labels().pos.class == 1 {
            p
        } else {
            p.mapv(|v| 1.0 - v)
        };
        let mut expected = Array2::zeros((x.nrows(), 2));
        expected.column_mut(1).assign(&p1);
        expected.column_mut(0).assign(&p1.mapv(|v| 1.0 - v));
        let difference = max_difference(&model.predict_proba(x.view()), &expected);
        assert!(
            difference < 1e-4,
            "largest probability difference {difference}"
        );
    }

    #[test]
    fn multinomial_probabilities_match_linfa() {
        for (file, target) in [("wine.csv", "cultivar"), ("iris.csv", "species")] {
            let (x, y, classes) = sample_matrix(file, target);
            let (model, report) =
                fit_logistic(x.view(), &y, &vec![1.0; classes], &tight(), &mut |_| true).unwrap();
            assert!(report.converged, "{file}: {report:?}");

            let targets = Array1::from(y.clone());
            let linfa = MultiLogisticRegression::default()
                .alpha(1.0)
                .max_iterations(1000)
                .gradient_tolerance(1e-7 * x.nrows() as f64)
                .fit(&DatasetBase::new(x.view(), targets.view()))
                .unwrap();
            let expected = linfa.predict_probabilities(&x);
            let difference = max_difference(&model.predict_proba(x.view()), &expected);
            assert!(difference < 1e-4, "{file}: largest difference {difference}");
        }
    }

    #[test]
    fn levels_read_as_indices_fit_the_model_of_their_indicator_columns() {
        // Penguins: two categorical columns (island, sex) beside the numbers; binary (sex
        // as target) and multinomial (species).
        for (target, columns) in [("species", 3), ("sex", 1)] {
            let table = sample_with_target("penguins.csv", target);
            let classes = class_target(&table, target).unwrap();
            let fitted = fit_recipe(&Recipe::default_for(&table), &table, &classes.rows).unwrap();
            let x = fitted.transform(&table, &classes.rows).unwrap().x;
            let design = fitted
                .transform_design(&table, &classes.rows)
                .unwrap()
                .design;
            assert!(!design.one_hot.is_empty());
            let k = classes.classes.len();
            let (dense, _) =
                fit_logistic(x.view(), &classes.y, &vec![1.0; k], &tight(), &mut |_| true).unwrap();
            let (sparse, report) =
                fit_logistic_design(&design, &classes.y, &vec![1.0; k], &tight(), &mut |_| true)
                    .unwrap();
            assert!(report.converged);
            assert_eq!(sparse.weights.ncols(), columns);
            assert_eq!(sparse.weights.nrows(), x.ncols());
            let difference = max_difference(&sparse.weights, &dense.weights);
            assert!(
                difference < 1e-6,
                "{target}: weights differ by {difference}"
            );
            let p = sparse.predict_proba_design(&design);
            let difference = max_difference(&p, &dense.predict_proba(x.view()));
            assert!(
                difference < 1e-8,
                "{target}: probabilities differ by {difference}"
            );
            assert!(max_difference(&p, &sparse.predict_proba(x.view())) < 1e-12);
        }
    }
}
