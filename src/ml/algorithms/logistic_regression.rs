//! Logistic regression as an algorithm: its parameters (scikit-learn's `C`, the iteration
//! limit and tolerance), their editors and the fit by our own L-BFGS (`ml::logistic`).

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ml::algorithm::{positive, About, Algorithm, Fitting, Param, ParamKind, Predictor};
use crate::ml::class_weight::{ClassWeight, CLASS_WEIGHT};
use crate::ml::logistic::{fit_logistic, fit_logistic_design, FitReport, LogisticModel};
use crate::ml::model::{Fit, FitProgress, ModelError, Targets};
use crate::ml::prep::Design;
use crate::ml::registry::{FittedModel, ModelSpec};
use crate::ml::target::Task;

/// Logistic regression (L2-penalised, fitted by L-BFGS): binary for two classes,
/// multinomial for more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogisticSpec {
    /// Inverse regularisation strength, as scikit-learn's `C`: smaller means a stronger
    /// penalty (‖W‖² / (2·C) against the summed log-loss). Default 1.0.
    pub c: f64,
    /// Most L-BFGS iterations. Default 100 (as scikit-learn).
    pub max_iterations: u64,
    /// Stop when every component of the gradient of the mean loss is below this.
    /// Default 1e-4 (as scikit-learn's `tol`).
    pub tolerance: f64,
    /// How the classes weigh in the loss. Default: equally.
    pub class_weight: ClassWeight,
}

impl Default for LogisticSpec {
    fn default() -> Self {
        LogisticSpec {
            c: 1.0,
            max_iterations: 100,
            tolerance: 1e-4,
            class_weight: ClassWeight::None,
        }
    }
}

/// The algorithm.
pub struct LogisticRegression;

const PARAMS: &[Param] = &[
    Param {
        key: "c",
        label: "C",
        help: "Inverse regularisation strength, as scikit-learn's C: smaller means a stronger L2 penalty.",
        kind: ParamKind::Number { min: 1e-4, max: 1e4, speed: 0.01, decimals: None },
    },
    Param {
        key: "max_iterations",
        label: "Max iterations",
        help: "L-BFGS stops here even if not converged (you are told when that happens).",
        kind: ParamKind::Count { min: 1, max: 10_000 },
    },
    Param {
        key: "tolerance",
        label: "Tolerance",
        help: "Converged when every gradient component of the mean loss is below this (scikit-learn's tol).",
        kind: ParamKind::Number { min: 1e-10, max: 1.0, speed: 1e-6, decimals: Some(8) },
    },
    CLASS_WEIGHT,
];

const LOGISTIC_REGRESSION: About = About {
    title: "logistic regression",
    help: "Linear model of the log-odds; binary for two classes, multinomial for more (linfa-logistic).",
    aliases: &["logistic", "logreg"],
    tasks: &[Task::Classification],
    params: PARAMS,
    default_spec: || ModelSpec::LogisticRegression(LogisticSpec::default()),
};

impl Algorithm for LogisticRegression {
    fn about(&self) -> &'static About {
        &LOGISTIC_REGRESSION
    }

    fn reads_levels(&self) -> bool {
        true
    }
}

impl Fitting for LogisticRegression {
    type Spec = LogisticSpec;

    fn summary(&self, s: &LogisticSpec) -> String {
        format!(
            "C = {}, max {} iterations, tol {:e}{}",
            s.c,
            s.max_iterations,
            s.tolerance,
            s.class_weight.summary()
        )
    }

    fn validate(&self, s: &LogisticSpec) -> Result<(), String> {
        positive("C", s.c)?;
        if s.max_iterations == 0 {
            return Err("at least one iteration is needed".into());
        }
        positive("the tolerance", s.tolerance)
    }

    fn fit(
        &self,
        s: &LogisticSpec,
        x: ArrayView2<f64>,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        let (y, classes) = targets.class_names(self.title())?;
        let limit = s.max_iterations as f32;
        let weights = s.class_weight.weights(y, classes);
        fitted(fit_logistic(x, y, &weights, s, &mut |it| {
            progress(it as f32 / limit, &format!("iteration {it}"))
        })?)
    }

    fn fit_design(
        &self,
        s: &LogisticSpec,
        design: &Design,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        let (y, classes) = targets.class_names(self.title())?;
        let limit = s.max_iterations as f32;
        let weights = s.class_weight.weights(y, classes);
        fitted(fit_logistic_design(design, y, &weights, s, &mut |it| {
            progress(it as f32 / limit, &format!("iteration {it}"))
        })?)
    }
}

fn fitted((model, report): (LogisticModel, FitReport)) -> Result<Fit, ModelError> {
    Ok(Fit {
        model: FittedModel::Logistic(model),
        iterations: report.iterations,
        converged: report.converged,
    })
}

impl Predictor for LogisticModel {
    fn predict_proba(&self, x: ArrayView2<f64>, _classes: usize) -> Option<Array2<f64>> {
        Some(LogisticModel::predict_proba(self, x))
    }

    fn predict_values(&self, _x: ArrayView2<f64>) -> Option<Array1<f64>> {
        None
    }

    fn reads_levels(&self) -> bool {
        true
    }

    fn predict_proba_design(&self, design: &Design, _classes: usize) -> Option<Array2<f64>> {
        Some(LogisticModel::predict_proba_design(self, design))
    }

    fn predict_values_design(&self, _design: &Design) -> Option<Array1<f64>> {
        None
    }
}
