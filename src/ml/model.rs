//! One fitted model of any algorithm, and the single entry point that fits one: the spec
//! decides the algorithm, the targets decide classification or regression.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bayes::{fit_bayes, BayesModel};
use super::linear::{fit_least_squares, fit_penalised, LinearModel};
use super::logistic::{fit_logistic, FitError, LogisticModel};
use super::spec::ModelSpec;
use super::target::Task;
use super::tree::{fit_forest, fit_tree, FlatTree, ForestModel};

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
    /// Class indices in `0..classes`.
    Classes { y: &'a [usize], classes: usize },
    /// Numbers.
    Values(&'a [f64]),
}

impl Targets<'_> {
    fn task(&self) -> Task {
        match self {
            Targets::Classes { .. } => Task::Classification,
            Targets::Values(_) => Task::Regression,
        }
    }
}

/// A fitted model, whatever the algorithm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedModel {
    Logistic(LogisticModel),
    Tree(FlatTree),
    Forest(ForestModel),
    NaiveBayes(BayesModel),
    Linear(LinearModel),
}

impl FittedModel {
    /// Class probabilities, rows × classes (classifiers only).
    pub fn predict_proba(&self, x: ArrayView2<f64>, classes: usize) -> Option<Array2<f64>> {
        match self {
            FittedModel::Logistic(m) => Some(m.predict_proba(x)),
            FittedModel::Tree(t) => Some(t.predict_proba(x, classes)),
            FittedModel::Forest(f) => Some(f.predict_proba(x)),
            FittedModel::NaiveBayes(b) => Some(b.predict_proba(x)),
            FittedModel::Linear(_) => None,
        }
    }

    /// Predicted values (regressors only).
    pub fn predict_values(&self, x: ArrayView2<f64>) -> Option<Array1<f64>> {
        match self {
            FittedModel::Linear(m) => Some(m.predict(x)),
            _ => None,
        }
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

/// Fraction of this fit done and a detail ("iteration 40"); returning false cancels.
pub type FitProgress<'a> = dyn FnMut(f32, &str) -> bool + 'a;

/// Fit `spec` on `x` (rows × features, already preprocessed) and `targets`.
pub fn fit_model(
    spec: &ModelSpec,
    x: ArrayView2<f64>,
    targets: Targets<'_>,
    progress: &mut FitProgress<'_>,
) -> Result<Fit, ModelError> {
    if spec.task() != targets.task() {
        return Err(ModelError::WrongTask {
            algorithm: spec.title(),
            algorithm_task: spec.task().noun(),
            target_task: targets.task().noun(),
        });
    }
    if !progress(0.0, "starting") {
        return Err(ModelError::Cancelled);
    }
    let done = |model| Fit {
        model,
        iterations: 1,
        converged: true,
    };
    match (spec, targets) {
        (ModelSpec::LogisticRegression(s), Targets::Classes { y, classes }) => {
            let limit = s.max_iterations as f32;
            let (model, report) = fit_logistic(x, y, classes, s, &mut |it| {
                progress(it as f32 / limit, &format!("iteration {it}"))
            })?;
            Ok(Fit {
                model: FittedModel::Logistic(model),
                iterations: report.iterations,
                converged: report.converged,
            })
        }
        (ModelSpec::DecisionTree(s), Targets::Classes { y, classes }) => {
            require_two_classes(y, "decision tree")?;
            let tree = fit_tree(x, y, classes, s, &mut |settled| {
                progress(settled, "growing the tree")
            })?;
            Ok(done(FittedModel::Tree(tree)))
        }
        (ModelSpec::RandomForest(s), Targets::Classes { y, classes }) => {
            require_two_classes(y, "random forest")?;
            let total = s.trees as f32;
            let forest = fit_forest(x, y, classes, s, &mut |grown| {
                progress(grown as f32 / total, &format!("tree {}/{}", grown, s.trees))
            })?;
            Ok(Fit {
                iterations: forest.trees.len() as u64,
                ..done(FittedModel::Forest(forest))
            })
        }
        (ModelSpec::NaiveBayes(s), Targets::Classes { y, classes }) => {
            require_two_classes(y, "Gaussian naive Bayes")?;
            Ok(done(FittedModel::NaiveBayes(fit_bayes(x, y, classes, s)?)))
        }
        (ModelSpec::LinearRegression(_), Targets::Values(y)) => {
            Ok(done(FittedModel::Linear(fit_least_squares(x, y)?)))
        }
        (
            ModelSpec::Ridge(s) | ModelSpec::Lasso(s) | ModelSpec::ElasticNet(s),
            Targets::Values(y),
        ) => {
            let (model, sweeps) = fit_penalised(x, y, s, spec.title())?;
            Ok(Fit {
                model: FittedModel::Linear(model),
                iterations: u64::from(sweeps),
                converged: sweeps < s.max_iterations,
            })
        }
        _ => unreachable!("the task check above pairs every spec with its targets"),
    }
}

fn require_two_classes(y: &[usize], algorithm: &'static str) -> Result<(), ModelError> {
    match y.first() {
        Some(first) if y.iter().any(|c| c != first) => Ok(()),
        _ => Err(ModelError::OneClass(algorithm)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let targets = Targets::Classes { y: &y, classes: 2 };
        for spec in ModelSpec::all() {
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
                classes: 2,
            },
            &mut |_, _| true,
        );
        assert_eq!(
            one.unwrap_err().to_string(),
            "decision tree needs at least two classes in the training rows"
        );
    }
}
