//! Exact contributions of linear models: each feature's `coefficient × (value − its mean over
//! the training rows)`. The base is the prediction at the mean row, so the contributions add
//! up to the prediction exactly (as `shap.LinearExplainer` with independent features gives
//! them, the training rows being the background).

use ndarray::{ArrayView1, Axis};

use super::RowResult;
use crate::ml::linear::LinearModel;
use crate::ml::logistic::LogisticModel;

/// `weights · (x − means)` term by term, with `weights · means + intercept` as the base.
fn centred(
    weights: ArrayView1<f64>,
    intercept: f64,
    means: &[f64],
    x: ArrayView1<f64>,
) -> RowResult {
    let features: Vec<f64> = weights
        .iter()
        .zip(means)
        .zip(x)
        .map(|((w, m), v)| w * (v - m))
        .collect();
    let base = weights.iter().zip(means).map(|(w, m)| w * m).sum::<f64>() + intercept;
    let prediction = weights.dot(&x) + intercept;
    RowResult::Features {
        base,
        prediction,
        features,
    }
}

/// A linear regression's row, in the predicted value.
pub(super) fn regression_row(model: &LinearModel, means: &[f64], x: ArrayView1<f64>) -> RowResult {
    centred(model.weights.view(), model.intercept, means, x)
}

/// A logistic regression's row for `class`: in log-odds of that class for a binary model (the
/// stored weights give class 1's; class 0's are their negation), in the class's softmax logit
/// for a multinomial one.
pub(super) fn logistic_row(
    model: &LogisticModel,
    means: &[f64],
    x: ArrayView1<f64>,
    class: usize,
) -> RowResult {
    if model.weights.ncols() == 1 {
        let sign = if class == 0 { -1.0 } else { 1.0 };
        let weights = model.weights.index_axis(Axis(1), 0).mapv(|w| sign * w);
        centred(weights.view(), sign * model.intercept[0], means, x)
    } else {
        let weights = model.weights.index_axis(Axis(1), class);
        centred(weights, model.intercept[class], means, x)
    }
}
