//! Ordinary least squares as an algorithm (no parameters), and what every fitted linear
//! model predicts.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ml::algorithm::{About, Algorithm, Fitting, Predictor};
use crate::ml::linear::{fit_least_squares, LinearModel};
use crate::ml::model::{Fit, FitProgress, ModelError, Targets};
use crate::ml::registry::{FittedModel, ModelSpec};
use crate::ml::target::Task;

/// Ordinary least squares with an intercept (linfa-linear). No parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LinearSpec {}

/// The algorithm.
pub struct LinearRegression;

const LINEAR_REGRESSION: About = About {
    title: "linear regression",
    help: "Ordinary least squares with an intercept (linfa-linear).",
    aliases: &["linear", "ols"],
    tasks: &[Task::Regression],
    params: &[],
    default_spec: || ModelSpec::LinearRegression(LinearSpec::default()),
};

impl Algorithm for LinearRegression {
    fn about(&self) -> &'static About {
        &LINEAR_REGRESSION
    }
}

impl Fitting for LinearRegression {
    type Spec = LinearSpec;

    fn summary(&self, _: &LinearSpec) -> String {
        "least squares with intercept".into()
    }

    fn validate(&self, _: &LinearSpec) -> Result<(), String> {
        Ok(())
    }

    fn fit(
        &self,
        _: &LinearSpec,
        x: ArrayView2<f64>,
        targets: Targets<'_>,
        _progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        let y = targets.values(self.title())?;
        Ok(Fit::once(FittedModel::Linear(fit_least_squares(x, y)?)))
    }
}

impl Predictor for LinearModel {
    fn predict_proba(&self, _x: ArrayView2<f64>, _classes: usize) -> Option<Array2<f64>> {
        None
    }

    fn predict_values(&self, x: ArrayView2<f64>) -> Option<Array1<f64>> {
        Some(self.predict(x))
    }
}
