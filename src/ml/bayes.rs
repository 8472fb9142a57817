//! Gaussian naive Bayes through linfa-bayes, with probabilities laid out by our class
//! indices (linfa returns only the classes it saw, in its own order).

use linfa::prelude::*;
use linfa_bayes::{GaussianNb, NaiveBayes};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::algorithms::naive_bayes::NaiveBayesSpec;
use super::model::ModelError;

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
        let mut out = Array2::zeros((x.nrows(), self.classes));
        let seen: Vec<(usize, &Array1<f64>)> = joint
            .iter()
            .filter(|(class, _)| ***class < self.classes)
            .map(|(class, values)| (**class, values))
            .collect();
        for (i, mut row) in out.rows_mut().into_iter().enumerate() {
            let max = seen
                .iter()
                .map(|(_, values)| values[i])
                .fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for &(class, values) in &seen {
                let e = (values[i] - max).exp();
                row[class] = e;
                sum += e;
            }
            row.mapv_inplace(|v| v / sum);
        }
        out
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
}
