//! Gaussian naive Bayes as an algorithm: its one parameter, its editor, and the fit through
//! linfa-bayes (`ml::bayes`).

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ml::algorithm::{About, Algorithm, Fitting, Param, ParamKind, Predictor};
use crate::ml::bayes::{fit_bayes, fit_bayes_design, BayesModel};
use crate::ml::model::{require_two_classes, Fit, FitProgress, ModelError, Targets};
use crate::ml::prep::Design;
use crate::ml::registry::{FittedModel, ModelSpec};
use crate::ml::target::Task;

/// Gaussian naive Bayes (linfa-bayes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NaiveBayesSpec {
    /// Share of the largest feature variance added to every variance, for stability.
    /// Default 1e-9 (as scikit-learn).
    pub var_smoothing: f64,
}

impl Default for NaiveBayesSpec {
    fn default() -> Self {
        NaiveBayesSpec {
            var_smoothing: 1e-9,
        }
    }
}

/// The algorithm.
pub struct NaiveBayes;

const PARAMS: &[Param] = &[Param {
    key: "var_smoothing",
    label: "Variance smoothing",
    help: "Share of the largest feature variance added to all variances, for stability (scikit-learn's var_smoothing).",
    kind: ParamKind::Number { min: 0.0, max: 1.0, speed: 1e-9, decimals: Some(12) },
}];

const NAIVE_BAYES: About = About {
    title: "Gaussian naive Bayes",
    help: "Each feature normal within each class, features independent (linfa-bayes).",
    aliases: &["gaussian_nb", "bayes"],
    tasks: &[Task::Classification],
    params: PARAMS,
    default_spec: || ModelSpec::NaiveBayes(NaiveBayesSpec::default()),
};

impl Algorithm for NaiveBayes {
    fn about(&self) -> &'static About {
        &NAIVE_BAYES
    }

    fn reads_levels(&self) -> bool {
        true
    }
}

impl Fitting for NaiveBayes {
    type Spec = NaiveBayesSpec;

    fn summary(&self, s: &NaiveBayesSpec) -> String {
        format!("var smoothing {:e}", s.var_smoothing)
    }

    fn validate(&self, s: &NaiveBayesSpec) -> Result<(), String> {
        if !(s.var_smoothing.is_finite() && s.var_smoothing >= 0.0) {
            return Err(format!(
                "the variance smoothing must be zero or positive, not {}",
                s.var_smoothing
            ));
        }
        Ok(())
    }

    fn fit(
        &self,
        s: &NaiveBayesSpec,
        x: ArrayView2<f64>,
        targets: Targets<'_>,
        _progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        let (y, classes) = targets.classes(self.title())?;
        require_two_classes(y, self.title())?;
        let model = fit_bayes(x, y, classes, s)?;
        Ok(Fit::once(FittedModel::NaiveBayes(model)))
    }

    fn fit_design(
        &self,
        s: &NaiveBayesSpec,
        design: &Design,
        targets: Targets<'_>,
        _progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        let (y, classes) = targets.classes(self.title())?;
        require_two_classes(y, self.title())?;
        let model = fit_bayes_design(design, y, classes, s)?;
        Ok(Fit::once(FittedModel::NaiveBayes(model)))
    }
}

impl Predictor for BayesModel {
    fn predict_proba(&self, x: ArrayView2<f64>, _classes: usize) -> Option<Array2<f64>> {
        Some(BayesModel::predict_proba(self, x))
    }

    fn predict_values(&self, _x: ArrayView2<f64>) -> Option<Array1<f64>> {
        None
    }

    fn reads_levels(&self) -> bool {
        true
    }

    fn predict_proba_design(&self, design: &Design, _classes: usize) -> Option<Array2<f64>> {
        Some(BayesModel::predict_proba_design(self, design))
    }

    fn predict_values_design(&self, _design: &Design) -> Option<Array1<f64>> {
        None
    }
}
