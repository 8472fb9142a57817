//! One fitted model of any algorithm, and the single entry point that fits one: the spec
//! decides the algorithm (through the registry), the targets decide classification or
//! regression.

use ndarray::{Array1, Array2, ArrayView2};
use thiserror::Error;

use super::logistic::FitError;
use super::prep::Design;
use super::spec::ModelSpec;
use super::target::Task;

pub use super::registry::FittedModel;

/// Why a fit stopped without a model.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    #[error("training was cancelled")]
    Cancelled,
    #[error("{0} needs at least two classes in the training rows")]
    OneClass(&'static str),
    #[error("{algorithm} is a {algorithm_task} algorithm, but the target asks for {target_task}")]
    WrongTask {
        algorithm: &'static str,
        algorithm_task: &'static str,
        target_task: &'static str,
    },
    /// What the fit builds would not fit in the memory budget.
    #[error(transparent)]
    OverBudget(Box<crate::data::memory::OverBudget>),
    /// A fit that failed inside its algorithm (most come from linfa).
    #[error("{algorithm} failed: {message}")]
    Linfa {
        algorithm: &'static str,
        message: String,
    },
}

impl From<FitError> for ModelError {
    fn from(e: FitError) -> Self {
        match e {
            FitError::Cancelled => ModelError::Cancelled,
            FitError::OneClass => ModelError::OneClass("logistic regression"),
            other => ModelError::Linfa {
                algorithm: "logistic regression",
                message: other.to_string(),
            },
        }
    }
}

/// What a model learns to predict.
#[derive(Debug, Clone, Copy)]
pub enum Targets<'a> {
    /// Class indices into `classes`, the target's class names.
    Classes {
        y: &'a [usize],
        classes: &'a [String],
    },
    /// Numbers.
    Values(&'a [f64]),
}

impl<'a> Targets<'a> {
    fn task(&self) -> Task {
        match self {
            Targets::Classes { .. } => Task::Classification,
            Targets::Values(_) => Task::Regression,
        }
    }

    /// The class indices and the number of classes, for a classifier named `algorithm`.
    pub fn classes(self, algorithm: &'static str) -> Result<(&'a [usize], usize), ModelError> {
        match self {
            Targets::Classes { y, classes } => Ok((y, classes.len())),
            Targets::Values(_) => Err(self.refused_by(algorithm, Task::Classification)),
        }
    }

    /// The class indices and the classes' names, for a classifier named `algorithm`.
    pub fn class_names(
        self,
        algorithm: &'static str,
    ) -> Result<(&'a [usize], &'a [String]), ModelError> {
        match self {
            Targets::Classes { y, classes } => Ok((y, classes)),
            Targets::Values(_) => Err(self.refused_by(algorithm, Task::Classification)),
        }
    }

    /// The values, for a regressor named `algorithm`.
    pub fn values(self, algorithm: &'static str) -> Result<&'a [f64], ModelError> {
        match self {
            Targets::Values(y) => Ok(y),
            Targets::Classes { .. } => Err(self.refused_by(algorithm, Task::Regression)),
        }
    }

    fn refused_by(self, algorithm: &'static str, algorithm_task: Task) -> ModelError {
        ModelError::WrongTask {
            algorithm,
            algorithm_task: algorithm_task.noun(),
            target_task: self.task().noun(),
        }
    }
}

impl FittedModel {
    /// Class probabilities, rows × classes (classifiers only).
    pub fn predict_proba(&self, x: ArrayView2<f64>, classes: usize) -> Option<Array2<f64>> {
        self.predictor().predict_proba(x, classes)
    }

    /// Predicted values (regressors only).
    pub fn predict_values(&self, x: ArrayView2<f64>) -> Option<Array1<f64>> {
        self.predictor().predict_values(x)
    }
}

/// A fitted model and how its optimiser finished.
#[derive(Debug, Clone)]
pub struct Fit {
    pub model: FittedModel,
    /// Iterations (or sweeps, or trees) the fit took.
    pub iterations: u64,
    /// False when an iterative fit hit its limit before converging.
    pub converged: bool,
}

impl Fit {
    /// A model fitted in one go, as a fit without iterations is.
    pub fn once(model: FittedModel) -> Fit {
        Fit {
            model,
            iterations: 1,
            converged: true,
        }
    }
}

/// Fraction of this fit done and a detail ("iteration 40"); returning false cancels.
pub type FitProgress<'a> = dyn FnMut(f32, &str) -> bool + 'a;

/// Fit `spec` on `x` (rows × features, already preprocessed) and `targets`.
pub fn fit_model(
    spec: &ModelSpec,
    x: ArrayView2<f64>,
    targets: Targets<'_>,
    progress: &mut FitProgress<'_>,
) -> Result<Fit, ModelError> {
    start(spec, targets, progress)?;
    spec.fit_checked(x, targets, progress)
}

/// [`fit_model`] on a design; an algorithm that does not [read
/// levels](super::algorithm::Algorithm::reads_levels) gets its dense matrix.
pub fn fit_model_design(
    spec: &ModelSpec,
    design: &Design,
    targets: Targets<'_>,
    progress: &mut FitProgress<'_>,
) -> Result<Fit, ModelError> {
    start(spec, targets, progress)?;
    spec.fit_design_checked(design, targets, progress)
}

/// The checks before any fit: the algorithm learns the targets' task, and no cancel came.
fn start(
    spec: &ModelSpec,
    targets: Targets<'_>,
    progress: &mut FitProgress<'_>,
) -> Result<(), ModelError> {
    if !spec.supports(targets.task()) {
        return Err(targets.refused_by(spec.title(), spec.task()));
    }
    if !progress(0.0, "starting") {
        return Err(ModelError::Cancelled);
    }
    Ok(())
}

/// `Ok` when the training rows hold at least two classes, which every classifier needs.
pub fn require_two_classes(y: &[usize], algorithm: &'static str) -> Result<(), ModelError> {
    match y.first() {
        Some(first) if y.iter().any(|c| c != first) => Ok(()),
        _ => Err(ModelError::OneClass(algorithm)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::algorithm::ParamValue;
    use ndarray::array;

    #[test]
    fn every_classifier_fits_and_a_regressor_refuses_classes() {
        let x = array![
            [0.0, 1.0],
            [0.5, 1.0],
            [1.0, 0.0],
            [4.0, 0.0],
            [4.5, 1.0],
            [5.0, 0.0]
        ];
        let y = [0, 0, 0, 1, 1, 1];
        let names = ["no".to_string(), "yes".to_string()];
        let targets = Targets::Classes {
            y: &y,
            classes: &names,
        };
        for mut spec in ModelSpec::all() {
            // Six rows: leaves of one row, where the default asks for more (boosting's 20).
            let _ = spec.set_param("min_samples_leaf", ParamValue::Count(1));
            let fitted = fit_model(&spec, x.view(), targets, &mut |_, _| true);
            match spec.task() {
                Task::Classification => {
                    let fit = fitted.unwrap_or_else(|e| panic!("{spec:?}: {e}"));
                    let proba = fit.model.predict_proba(x.view(), 2).unwrap();
                    let right = (0..6).filter(|&i| proba[[i, y[i]]] > 0.5).count();
                    assert!(right >= 5, "{}: {proba:?}", spec.title());
                }
                Task::Regression => {
                    assert!(matches!(fitted.unwrap_err(), ModelError::WrongTask { .. }))
                }
            }
        }
        let one = fit_model(
            &ModelSpec::from_name("tree").unwrap(),
            x.view(),
            Targets::Classes {
                y: &[1; 6],
                classes: &names,
            },
            &mut |_, _| true,
        );
        assert_eq!(
            one.unwrap_err().to_string(),
            "decision tree needs at least two classes in the training rows"
        );
    }
}
