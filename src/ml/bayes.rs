//! Gaussian naive Bayes through linfa-bayes, with probabilities laid out by our class
//! indices (linfa returns only the classes it saw, in its own order).

use linfa::prelude::*;
use linfa_bayes::{GaussianNb, NaiveBayes};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::algorithms::naive_bayes::NaiveBayesSpec;
use super::model::ModelError;
use super::prep::{Design, NO_LEVEL};

/// A fitted Gaussian naive Bayes model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesModel {
    #[serde(deserialize_with = "gaussian_nb_from_json")]
    pub model: GaussianNb<f64, usize>,
    pub classes: usize,
}

impl BayesModel {
    /// Class probabilities, rows × classes; classes absent from training get 0. The joint
    /// log-likelihoods are normalised after subtracting each row's largest (as scikit-learn's
    /// `logsumexp`): linfa's own normalisation exponentiates them as they are, so a row far
    /// from every class (all below about −745) came out as NaN.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let joint = self.model.joint_log_likelihood(x);
        let seen: Vec<(usize, &Array1<f64>)> = joint
            .iter()
            .filter(|(class, _)| ***class < self.classes)
            .map(|(class, values)| (**class, values))
            .collect();
        normalised(&seen, x.nrows(), self.classes)
    }

    /// [`predict_proba`](Self::predict_proba) of a design's rows, its one-hot columns read as
    /// level indices: a column's indicators add, per class, what they add when all are zero,
    /// and the row's own level changes its one term.
    pub fn predict_proba_design(&self, design: &Design) -> Array2<f64> {
        let rows = design.rows();
        let gaussians = self.class_gaussians();
        let joint: Vec<(usize, Array1<f64>)> = gaussians
            .iter()
            .enumerate()
            .filter_map(|(class, g)| g.as_ref().map(|g| (class, g)))
            .map(|(class, g)| (class, joint_log_likelihood_design(g, design, rows)))
            .collect();
        let seen: Vec<(usize, &Array1<f64>)> = joint.iter().map(|(c, v)| (*c, v)).collect();
        normalised(&seen, rows, self.classes)
    }

    /// Per class index: its prior, and the mean and variance of each feature; `None` for a
    /// class absent from the training rows.
    pub fn class_gaussians(&self) -> Vec<Option<ClassGaussian>> {
        // linfa keeps these private but serialises them.
        #[derive(Deserialize)]
        struct Stored {
            class_info: std::collections::HashMap<usize, StoredClass>,
        }
        #[derive(Deserialize)]
        struct StoredClass {
            prior: f64,
            theta: Array1<f64>,
            sigma: Array1<f64>,
        }
        let mut out = vec![None; self.classes];
        let stored = serde_json::to_value(&self.model)
            .and_then(serde_json::from_value::<Stored>)
            .expect("linfa-bayes serialises its class parameters");
        for (class, info) in stored.class_info {
            if class < self.classes {
                out[class] = Some(ClassGaussian {
                    prior: info.prior,
                    mean: info.theta.to_vec(),
                    variance: info.sigma.to_vec(),
                });
            }
        }
        out
    }
}

/// Per row, each seen class's share of `exp(joint)`, after subtracting the row's largest.
fn normalised(seen: &[(usize, &Array1<f64>)], rows: usize, classes: usize) -> Array2<f64> {
    let mut out = Array2::zeros((rows, classes));
    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
        let max = seen
            .iter()
            .map(|(_, values)| values[i])
            .fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for &(class, values) in seen {
            let e = (values[i] - max).exp();
            row[class] = e;
            sum += e;
        }
        row.mapv_inplace(|v| v / sum);
    }
    out
}

/// One class's joint log-likelihood of each row of `design`, as linfa computes it on the
/// dense matrix: `ln prior − ½ Σ ln(2π σ²) − ½ Σ (x − θ)² / σ²`.
fn joint_log_likelihood_design(g: &ClassGaussian, design: &Design, rows: usize) -> Array1<f64> {
    let normaliser: f64 = g
        .variance
        .iter()
        .map(|v| (2.0 * std::f64::consts::PI * v).ln())
        .sum();
    // Per one-hot column and level of a row, the column's `Σ (x − θ)² / σ²`: the other
    // levels' `θ² / σ²` (sums before and after the level, so that no large term is added and
    // taken away again: a level every row of the class has gets σ² of the smoothing alone)
    // and the level's own `(1 − θ)² / σ²`; the last entry is for a row with no level.
    let mut level_terms: Vec<Vec<f64>> = Vec::with_capacity(design.one_hot.len());
    for codes in &design.one_hot {
        let range = codes.first..codes.first + codes.width;
        let (means, variances) = (&g.mean[range.clone()], &g.variance[range]);
        let zero: Vec<f64> = means
            .iter()
            .zip(variances)
            .map(|(m, v)| m * m / v)
            .collect();
        let mut before = vec![0.0; zero.len() + 1];
        for (l, z) in zero.iter().enumerate() {
            before[l + 1] = before[l] + z;
        }
        let mut after = vec![0.0; zero.len() + 1];
        for l in (0..zero.len()).rev() {
            after[l] = after[l + 1] + zero[l];
        }
        let mut terms: Vec<f64> = (0..zero.len())
            .map(|l| {
                let own = (1.0 - means[l]) * (1.0 - means[l]) / variances[l];
                before[l] + after[l + 1] + own
            })
            .collect();
        terms.push(before[zero.len()]);
        level_terms.push(terms);
    }
    let base = g.prior.ln() - 0.5 * normaliser;
    let mut out = Array1::zeros(rows);
    for (i, value) in out.iter_mut().enumerate() {
        let mut squares = 0.0;
        for (&feature, &x) in design.dense_features.iter().zip(design.dense.row(i)) {
            let d = x - g.mean[feature];
            squares += d * d / g.variance[feature];
        }
        for (codes, terms) in design.one_hot.iter().zip(&level_terms) {
            let level = codes.levels[i];
            squares += if level == NO_LEVEL {
                terms[codes.width]
            } else {
                terms[level as usize]
            };
        }
        *value = base - 0.5 * squares;
    }
    out
}

/// linfa's model keys its classes by number, which JSON writes as strings. Inside the tagged
/// `FittedModel` serde buffers the map and can no longer read such a key as a number, so a
/// stored naive Bayes model did not load; going through a JSON value reads the keys again.
fn gaussian_nb_from_json<'de, D>(deserializer: D) -> Result<GaussianNb<f64, usize>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    serde_json::from_value(value).map_err(serde::de::Error::custom)
}

/// What naive Bayes learned about one class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassGaussian {
    pub prior: f64,
    /// Per feature.
    pub mean: Vec<f64>,
    /// Per feature, with the smoothing added.
    pub variance: Vec<f64>,
}

/// Fit on `x` with classes `y` in `0..classes`.
pub fn fit_bayes(
    x: ArrayView2<f64>,
    y: &[usize],
    classes: usize,
    spec: &NaiveBayesSpec,
) -> Result<BayesModel, ModelError> {
    let dataset = DatasetBase::new(x, Array1::from(y.to_vec()));
    let model = GaussianNb::params()
        .var_smoothing(spec.var_smoothing)
        .fit(&dataset)
        .map_err(|e| ModelError::Linfa {
            algorithm: "Gaussian naive Bayes",
            message: e.to_string(),
        })?;
    Ok(BayesModel { model, classes })
}

/// [`fit_bayes`] on a design, its one-hot columns read as level indices: a class's mean of an
/// indicator is the share of its rows at that level, and the variance of 0/1 values that
/// mean's `p (1 − p)`, so no indicator column is built. The smoothing is `var_smoothing` times
/// the largest variance over all rows, as linfa's and scikit-learn's.
pub fn fit_bayes_design(
    design: &Design,
    y: &[usize],
    classes: usize,
    spec: &NaiveBayesSpec,
) -> Result<BayesModel, ModelError> {
    let rows = design.rows();
    if rows == 0 || y.len() != rows {
        return Err(ModelError::Linfa {
            algorithm: "Gaussian naive Bayes",
            message: format!("{rows} rows of features for {} targets", y.len()),
        });
    }
    let width = design.width;
    let mut counts = vec![0usize; classes];
    for &class in y {
        counts[class] += 1;
    }
    // Per class: sums of each feature, then the squared deviations from the class mean.
    let mut mean = vec![vec![0.0; width]; classes];
    let mut variance = vec![vec![0.0; width]; classes];
    for (i, &class) in y.iter().enumerate() {
        for (&feature, &x) in design.dense_features.iter().zip(design.dense.row(i)) {
            mean[class][feature] += x;
        }
        for codes in &design.one_hot {
            let level = codes.levels[i];
            if level != NO_LEVEL {
                mean[class][codes.first + level as usize] += 1.0;
            }
        }
    }
    for (class, means) in mean.iter_mut().enumerate() {
        let n = counts[class].max(1) as f64;
        means.iter_mut().for_each(|m| *m /= n);
    }
    for (i, &class) in y.iter().enumerate() {
        for (&feature, &x) in design.dense_features.iter().zip(design.dense.row(i)) {
            let d = x - mean[class][feature];
            variance[class][feature] += d * d;
        }
    }
    for (class, variances) in variance.iter_mut().enumerate() {
        let n = counts[class].max(1) as f64;
        for &feature in &design.dense_features {
            variances[feature] /= n;
        }
        for codes in &design.one_hot {
            for feature in codes.first..codes.first + codes.width {
                let p = mean[class][feature];
                variances[feature] = p * (1.0 - p);
            }
        }
    }
    // The largest variance of a feature over all rows.
    let overall = design.feature_means();
    let mut largest = f64::NEG_INFINITY;
    for (column, &feature) in design
        .dense
        .columns()
        .into_iter()
        .zip(&design.dense_features)
    {
        let m = overall[feature];
        let v = column.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / rows as f64;
        largest = largest.max(v);
    }
    for codes in &design.one_hot {
        for &p in &overall[codes.first..codes.first + codes.width] {
            largest = largest.max(p * (1.0 - p));
        }
    }
    if !largest.is_finite() {
        return Err(ModelError::Linfa {
            algorithm: "Gaussian naive Bayes",
            message: "a feature's variance is not a number".into(),
        });
    }
    let epsilon = spec.var_smoothing * largest;
    let class_info: serde_json::Map<String, serde_json::Value> = (0..classes)
        .filter(|&class| counts[class] > 0)
        .map(|class| {
            let sigma: Array1<f64> = variance[class].iter().map(|v| v + epsilon).collect();
            let theta = Array1::from(mean[class].clone());
            let info = serde_json::json!({
                "class_count": counts[class],
                "prior": counts[class] as f64 / rows as f64,
                "theta": theta,
                "sigma": sigma,
            });
            (class.to_string(), info)
        })
        .collect();
    let model = serde_json::from_value(serde_json::json!({ "class_info": class_info }))
        .expect("linfa-bayes reads back the class parameters it serialises");
    Ok(BayesModel { model, classes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn probabilities_follow_our_class_order() {
        let x = array![[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]];
        let y = [2, 2, 2, 0, 0, 0];
        let model = fit_bayes(x.view(), &y, 3, &NaiveBayesSpec::default()).unwrap();
        let p = model.predict_proba(array![[0.1], [5.1]].view());
        assert!(p[[0, 2]] > 0.99 && p[[1, 0]] > 0.99, "{p:?}");
        assert_eq!(p[[0, 1]], 0.0);
        // Far from both classes: every log-likelihood is below −745, yet the shares are
        // finite and add up to one.
        let far = model.predict_proba(array![[1e4]].view());
        assert!(far.iter().all(|p| p.is_finite()), "{far:?}");
        assert!(
            (far.sum() - 1.0).abs() < 1e-12 && far[[0, 0]] > 0.99,
            "{far:?}"
        );
        let gaussians = model.class_gaussians();
        assert!(gaussians[1].is_none());
        let two = gaussians[2].as_ref().unwrap();
        assert!((two.prior - 0.5).abs() < 1e-12 && (two.mean[0] - 0.1).abs() < 1e-12);
        let json = serde_json::to_string(&model).unwrap();
        assert_eq!(serde_json::from_str::<BayesModel>(&json).unwrap(), model);
        // Stored models are read through the tagged enum of every algorithm.
        let fitted = crate::ml::model::FittedModel::NaiveBayes(model.clone());
        let json = serde_json::to_string(&fitted).unwrap();
        let back: crate::ml::model::FittedModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fitted);
    }

    /// A design of two numbers and two one-hot columns (4 and 3 levels, some rows without
    /// one), 60 rows of three classes.
    fn design() -> (Design, Vec<usize>) {
        let rows = 60;
        let dense = Array2::from_shape_fn((rows, 2), |(i, j)| {
            ((i * 7 + j * 13) % 11) as f64 * 0.3 - 1.0 + j as f64
        });
        let levels = |modulus: usize, width: u32| -> Vec<u32> {
            (0..rows)
                .map(|i| match (i * modulus) % 9 {
                    8 => NO_LEVEL,
                    k => k as u32 % width,
                })
                .collect()
        };
        let design = Design {
            dense,
            dense_features: vec![0, 5],
            one_hot: vec![
                crate::ml::prep::OneHotCodes {
                    first: 1,
                    width: 4,
                    levels: levels(5, 4),
                },
                crate::ml::prep::OneHotCodes {
                    first: 6,
                    width: 3,
                    levels: levels(2, 3),
                },
            ],
            width: 9,
        };
        let y: Vec<usize> = (0..rows).map(|i| (i * 5 / 3) % 3).collect();
        // Every row of class 2 has level 1 of the second column: its variance there is the
        // smoothing alone, the term of the row's level nearly 0 and the others' huge.
        let mut design = design;
        for (i, &class) in y.iter().enumerate() {
            if class == 2 {
                design.one_hot[1].levels[i] = 1;
            }
        }
        (design, y)
    }

    #[test]
    fn levels_read_as_indices_give_the_dense_fit_and_its_probabilities() {
        let (design, y) = design();
        let dense = design.to_dense();
        for smoothing in [1e-9, 0.05] {
            let spec = NaiveBayesSpec {
                var_smoothing: smoothing,
            };
            let by_levels = fit_bayes_design(&design, &y, 4, &spec).unwrap();
            let by_dense = fit_bayes(dense.view(), &y, 4, &spec).unwrap();
            let (a, b) = (by_levels.class_gaussians(), by_dense.class_gaussians());
            assert!(a[3].is_none() && b[3].is_none(), "class 3 has no rows");
            for (a, b) in a.iter().flatten().zip(b.iter().flatten()) {
                assert!((a.prior - b.prior).abs() < 1e-15);
                for (x, y) in a
                    .mean
                    .iter()
                    .chain(&a.variance)
                    .zip(b.mean.iter().chain(&b.variance))
                {
                    assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{x} against {y}");
                }
            }
            let p = by_levels.predict_proba_design(&design);
            let q = by_dense.predict_proba(dense.view());
            for (x, y) in p.iter().zip(&q) {
                assert!((x - y).abs() < 1e-12, "{x} against {y}");
            }
            assert!(p.column(3).iter().all(|&v| v == 0.0));
        }
    }
}
