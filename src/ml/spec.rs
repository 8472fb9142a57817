//! What to train: an algorithm and its hyper-parameters, serialisable and validated before
//! any fitting (an invalid value is an error value with a message, never a panic).
//!
//! Every parameter has a documented default. Where linfa's parameter differs from the one
//! analysts know from scikit-learn, the spec holds scikit-learn's (logistic regression's
//! `C`) and the fit translates it.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::target::Task;

/// An invalid hyper-parameter, in words for the user.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{algorithm}: {message}")]
pub struct SpecError {
    pub algorithm: &'static str,
    pub message: String,
}

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
}

impl Default for LogisticSpec {
    fn default() -> Self {
        LogisticSpec {
            c: 1.0,
            max_iterations: 100,
            tolerance: 1e-4,
        }
    }
}

/// How a tree judges a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    #[default]
    Gini,
    Entropy,
}

/// A classification tree (CART, as scikit-learn's `DecisionTreeClassifier`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TreeSpec {
    /// Deepest level of the tree; `None` grows until leaves are pure. Default 10: a tree
    /// grown until its leaves are pure fits noise, and on a large table has thousands of
    /// nodes.
    pub max_depth: Option<usize>,
    /// A node with fewer rows is not split. Default 2 (as scikit-learn).
    pub min_samples_split: usize,
    /// A split leaving fewer rows on either side is not taken. Default 1 (as scikit-learn).
    pub min_samples_leaf: usize,
    /// Default Gini impurity (as scikit-learn).
    pub criterion: Criterion,
}

impl Default for TreeSpec {
    fn default() -> Self {
        TreeSpec {
            max_depth: Some(10),
            min_samples_split: 2,
            min_samples_leaf: 1,
            criterion: Criterion::Gini,
        }
    }
}

/// A random forest: trees on bootstrap samples of the rows, each split looking at a random
/// share of the features (scikit-learn's `max_features`); the probabilities are the trees'
/// average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForestSpec {
    /// Number of trees. Default 50.
    pub trees: usize,
    /// Deepest level of each tree. Default 10.
    pub max_depth: Option<usize>,
    /// Default 1.
    pub min_samples_leaf: usize,
    /// Share of the features each split looks at (at least one). Default 0.5.
    pub feature_fraction: f64,
    /// Bootstrap sample size as a share of the training rows. Default 1.0.
    pub sample_fraction: f64,
    /// Seed of the bootstrap and feature draws. Default 0.
    pub seed: u64,
}

impl Default for ForestSpec {
    fn default() -> Self {
        ForestSpec {
            trees: 50,
            max_depth: Some(10),
            min_samples_leaf: 1,
            feature_fraction: 0.5,
            sample_fraction: 1.0,
            seed: 0,
        }
    }
}

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

/// Ordinary least squares with an intercept (linfa-linear). No parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LinearSpec {}

/// A penalised linear model (linfa-elasticnet's coordinate descent; ridge solved exactly
/// through linfa-linear). The loss is
/// `‖y − Xw‖² / (2n) + alpha · (l1_ratio · ‖w‖₁ + (1 − l1_ratio) · ‖w‖² / 2)`, exactly
/// scikit-learn's `ElasticNet(alpha, l1_ratio)`; ridge is `l1_ratio = 0`, lasso `1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PenaltySpec {
    /// Strength of the penalty. Default 1.0 (as scikit-learn).
    pub alpha: f64,
    /// Mix of L1 (1.0) and L2 (0.0). Default 0.5; fixed for ridge and lasso.
    pub l1_ratio: f64,
    /// Most coordinate-descent sweeps. Default 1000 (as scikit-learn).
    pub max_iterations: u32,
    /// Stop when the largest coefficient change is below this. Default 1e-4.
    pub tolerance: f64,
}

impl Default for PenaltySpec {
    fn default() -> Self {
        PenaltySpec {
            alpha: 1.0,
            l1_ratio: 0.5,
            max_iterations: 1000,
            tolerance: 1e-4,
        }
    }
}

/// An algorithm with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case")]
pub enum ModelSpec {
    LogisticRegression(LogisticSpec),
    DecisionTree(TreeSpec),
    RandomForest(ForestSpec),
    NaiveBayes(NaiveBayesSpec),
    LinearRegression(LinearSpec),
    Ridge(PenaltySpec),
    Lasso(PenaltySpec),
    ElasticNet(PenaltySpec),
}

impl ModelSpec {
    /// Algorithm names as the command line takes them.
    pub const NAMES: [&'static str; 8] = [
        "logistic_regression",
        "decision_tree",
        "random_forest",
        "naive_bayes",
        "linear_regression",
        "ridge",
        "lasso",
        "elastic_net",
    ];

    /// Every algorithm with default parameters, in menu order.
    pub fn all() -> Vec<ModelSpec> {
        Self::NAMES
            .iter()
            .filter_map(|n| Self::from_name(n))
            .collect()
    }

    /// The spec with default parameters for a command-line name.
    pub fn from_name(name: &str) -> Option<ModelSpec> {
        let name = name.trim().to_lowercase().replace(['-', ' '], "_");
        Some(match name.as_str() {
            "logistic_regression" | "logistic" | "logreg" => {
                ModelSpec::LogisticRegression(LogisticSpec::default())
            }
            "decision_tree" | "tree" => ModelSpec::DecisionTree(TreeSpec::default()),
            "random_forest" | "forest" => ModelSpec::RandomForest(ForestSpec::default()),
            "naive_bayes" | "gaussian_nb" | "bayes" => {
                ModelSpec::NaiveBayes(NaiveBayesSpec::default())
            }
            "linear_regression" | "linear" | "ols" => {
                ModelSpec::LinearRegression(LinearSpec::default())
            }
            "ridge" => ModelSpec::Ridge(PenaltySpec {
                l1_ratio: 0.0,
                ..Default::default()
            }),
            "lasso" => ModelSpec::Lasso(PenaltySpec {
                l1_ratio: 1.0,
                ..Default::default()
            }),
            "elastic_net" | "elasticnet" => ModelSpec::ElasticNet(PenaltySpec::default()),
            _ => return None,
        })
    }

    /// The command-line name.
    pub fn name(&self) -> &'static str {
        match self {
            ModelSpec::LogisticRegression(_) => "logistic_regression",
            ModelSpec::DecisionTree(_) => "decision_tree",
            ModelSpec::RandomForest(_) => "random_forest",
            ModelSpec::NaiveBayes(_) => "naive_bayes",
            ModelSpec::LinearRegression(_) => "linear_regression",
            ModelSpec::Ridge(_) => "ridge",
            ModelSpec::Lasso(_) => "lasso",
            ModelSpec::ElasticNet(_) => "elastic_net",
        }
    }

    /// The name a person reads.
    pub fn title(&self) -> &'static str {
        match self {
            ModelSpec::LogisticRegression(_) => "logistic regression",
            ModelSpec::DecisionTree(_) => "decision tree",
            ModelSpec::RandomForest(_) => "random forest",
            ModelSpec::NaiveBayes(_) => "Gaussian naive Bayes",
            ModelSpec::LinearRegression(_) => "linear regression",
            ModelSpec::Ridge(_) => "ridge",
            ModelSpec::Lasso(_) => "lasso",
            ModelSpec::ElasticNet(_) => "elastic net",
        }
    }

    /// The task this algorithm serves.
    pub fn task(&self) -> Task {
        match self {
            ModelSpec::LogisticRegression(_)
            | ModelSpec::DecisionTree(_)
            | ModelSpec::RandomForest(_)
            | ModelSpec::NaiveBayes(_) => Task::Classification,
            ModelSpec::LinearRegression(_)
            | ModelSpec::Ridge(_)
            | ModelSpec::Lasso(_)
            | ModelSpec::ElasticNet(_) => Task::Regression,
        }
    }

    /// The parameters in a short line, e.g. "C = 1, max 100 iterations".
    pub fn summary(&self) -> String {
        let depth =
            |d: Option<usize>| d.map_or("unlimited depth".to_string(), |d| format!("depth ≤ {d}"));
        match self {
            ModelSpec::LogisticRegression(s) => format!(
                "C = {}, max {} iterations, tol {:e}",
                s.c, s.max_iterations, s.tolerance
            ),
            ModelSpec::DecisionTree(s) => format!(
                "{}, split ≥ {}, leaf ≥ {}, {:?}",
                depth(s.max_depth),
                s.min_samples_split,
                s.min_samples_leaf,
                s.criterion
            ),
            ModelSpec::RandomForest(s) => format!(
                "{} trees, {}, {:.0}% of features per split, seed {}",
                s.trees,
                depth(s.max_depth),
                s.feature_fraction * 100.0,
                s.seed
            ),
            ModelSpec::NaiveBayes(s) => format!("var smoothing {:e}", s.var_smoothing),
            ModelSpec::LinearRegression(_) => "least squares with intercept".into(),
            ModelSpec::Ridge(s) | ModelSpec::Lasso(s) => format!("alpha = {}", s.alpha),
            ModelSpec::ElasticNet(s) => format!("alpha = {}, L1 ratio {}", s.alpha, s.l1_ratio),
        }
    }

    /// Check every parameter before fitting.
    pub fn validate(&self) -> Result<(), SpecError> {
        let fail = |message: String| {
            Err(SpecError {
                algorithm: self.title(),
                message,
            })
        };
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                fail(format!("{name} must be a positive number, not {v}"))
            }
        };
        match self {
            ModelSpec::LogisticRegression(s) => {
                positive("C", s.c)?;
                if s.max_iterations == 0 {
                    return fail("at least one iteration is needed".into());
                }
                positive("the tolerance", s.tolerance)
            }
            ModelSpec::DecisionTree(s) => {
                if s.max_depth == Some(0) {
                    return fail("the depth must be at least 1".into());
                }
                if s.min_samples_split < 2 {
                    return fail("a split needs at least 2 rows".into());
                }
                if s.min_samples_leaf < 1 {
                    return fail("a leaf needs at least 1 row".into());
                }
                Ok(())
            }
            ModelSpec::RandomForest(s) => {
                if s.trees == 0 || s.trees > 10_000 {
                    return fail(format!(
                        "the number of trees must be 1 to 10000, not {}",
                        s.trees
                    ));
                }
                if s.max_depth == Some(0) {
                    return fail("the depth must be at least 1".into());
                }
                if s.min_samples_leaf < 1 {
                    return fail("a leaf needs at least 1 row".into());
                }
                for (name, v) in [
                    ("the feature share", s.feature_fraction),
                    ("the sample share", s.sample_fraction),
                ] {
                    if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                        return fail(format!("{name} must be in (0, 1], not {v}"));
                    }
                }
                Ok(())
            }
            ModelSpec::NaiveBayes(s) => {
                if !(s.var_smoothing.is_finite() && s.var_smoothing >= 0.0) {
                    return fail(format!(
                        "the variance smoothing must be zero or positive, not {}",
                        s.var_smoothing
                    ));
                }
                Ok(())
            }
            ModelSpec::LinearRegression(_) => Ok(()),
            ModelSpec::Ridge(s) | ModelSpec::Lasso(s) | ModelSpec::ElasticNet(s) => {
                positive("alpha", s.alpha)?;
                if !(0.0..=1.0).contains(&s.l1_ratio) {
                    return fail(format!(
                        "the L1 ratio must be in [0, 1], not {}",
                        s.l1_ratio
                    ));
                }
                if s.max_iterations == 0 {
                    return fail("at least one iteration is needed".into());
                }
                positive("the tolerance", s.tolerance)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_round_trip_and_validate() {
        let spec = ModelSpec::from_name("logistic-regression").unwrap();
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(
            json,
            r#"{"algorithm":"logistic_regression","c":1.0,"max_iterations":100,"tolerance":0.0001}"#
        );
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
        assert!(spec.validate().is_ok());
        let bad = ModelSpec::LogisticRegression(LogisticSpec {
            c: -1.0,
            ..Default::default()
        });
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "logistic regression: C must be a positive number, not -1"
        );
        let partial: ModelSpec =
            serde_json::from_str(r#"{"algorithm":"logistic_regression","c":0.5}"#).unwrap();
        assert_eq!(
            partial,
            ModelSpec::LogisticRegression(LogisticSpec {
                c: 0.5,
                ..Default::default()
            })
        );
    }

    #[test]
    fn every_algorithm_has_a_name_defaults_that_validate_and_a_serde_form() {
        let all = ModelSpec::all();
        assert_eq!(all.len(), ModelSpec::NAMES.len());
        for spec in all {
            assert_eq!(ModelSpec::from_name(spec.name()), Some(spec.clone()));
            assert!(spec.validate().is_ok(), "{spec:?}");
            let json = serde_json::to_string(&spec).unwrap();
            assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
            assert!(!spec.summary().is_empty());
        }
        assert_eq!(
            ModelSpec::from_name("Random Forest").map(|s| s.task()),
            Some(Task::Classification)
        );
        assert_eq!(
            ModelSpec::from_name("lasso").map(|s| s.task()),
            Some(Task::Regression)
        );
    }

    #[test]
    fn invalid_parameters_are_messages() {
        let cases = [
            (
                ModelSpec::DecisionTree(TreeSpec {
                    max_depth: Some(0),
                    ..Default::default()
                }),
                "decision tree: the depth must be at least 1",
            ),
            (
                ModelSpec::RandomForest(ForestSpec {
                    feature_fraction: 1.5,
                    ..Default::default()
                }),
                "random forest: the feature share must be in (0, 1], not 1.5",
            ),
            (
                ModelSpec::ElasticNet(PenaltySpec {
                    l1_ratio: -0.1,
                    ..Default::default()
                }),
                "elastic net: the L1 ratio must be in [0, 1], not -0.1",
            ),
            (
                ModelSpec::NaiveBayes(NaiveBayesSpec {
                    var_smoothing: f64::NAN,
                }),
                "Gaussian naive Bayes: the variance smoothing must be zero or positive, not NaN",
            ),
        ];
        for (spec, message) in cases {
            assert_eq!(spec.validate().unwrap_err().to_string(), message);
        }
    }
}
