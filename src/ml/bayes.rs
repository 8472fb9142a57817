//! Gaussian naive Bayes through linfa-bayes, with probabilities laid out by our class
//! indices (linfa returns only the classes it saw, in its own order).

use linfa::prelude::*;
use linfa_bayes::{GaussianNb, NaiveBayes};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::model::ModelError;
use super::spec::NaiveBayesSpec;

/// A fitted Gaussian naive Bayes model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesModel {
    pub model: GaussianNb<f64, usize>,
    pub classes: usize,
}

impl BayesModel {
    /// Class probabilities, rows × classes; classes absent from training get 0.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (proba, seen) = self.model.predict_proba(x);
        let mut out = Array2::zeros((x.nrows(), self.classes));
        for (j, &&class) in seen.iter().enumerate() {
            if class < self.classes {
                out.column_mut(class).assign(&proba.column(j));
            }
        }
        out
    }
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
        let json = serde_json::to_string(&model).unwrap();
        assert_eq!(serde_json::from_str::<BayesModel>(&json).unwrap(), model);
    }
}
