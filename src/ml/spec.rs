//! What to train: an algorithm and its hyper-parameters, serialisable and validated before
//! any fitting (an invalid value is an error value with a message, never a panic).
//!
//! Every parameter has a documented default. Where linfa's parameter differs from the one
//! analysts know from scikit-learn, the spec holds scikit-learn's (logistic regression's
//! `C`) and the fit translates it. Each algorithm's parameters live in its own file under
//! `ml/algorithms/`; this module reads any of them through the registry.

use thiserror::Error;

use super::algorithm::{Param, ParamKind, ParamValue};
use super::class_weight::ClassWeight;
use super::registry::ALGORITHMS;
use super::target::Task;

pub use super::algorithms::decision_tree::{Criterion, TreeSpec};
pub use super::algorithms::elastic_net::PenaltySpec;
pub use super::algorithms::linear_regression::LinearSpec;
pub use super::algorithms::logistic_regression::LogisticSpec;
pub use super::algorithms::naive_bayes::NaiveBayesSpec;
pub use super::algorithms::random_forest::ForestSpec;
pub use super::registry::ModelSpec;

/// An invalid hyper-parameter, in words for the user.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{algorithm}: {message}")]
pub struct SpecError {
    pub algorithm: &'static str,
    pub message: String,
}

impl ModelSpec {
    /// Every algorithm with default parameters, in menu order.
    pub fn all() -> Vec<ModelSpec> {
        ALGORITHMS
            .iter()
            .map(|r| r.algorithm.default_spec())
            .collect()
    }

    /// The default algorithm for `task`, with default parameters: the first in menu order
    /// that learns it.
    pub fn default_for(task: Task) -> ModelSpec {
        ALGORITHMS
            .iter()
            .find(|r| r.algorithm.tasks().contains(&task))
            .map(|r| r.algorithm.default_spec())
            .expect("the registry holds an algorithm for every task")
    }

    /// The spec with default parameters for a command-line name or one of its aliases.
    pub fn from_name(name: &str) -> Option<ModelSpec> {
        let name = name.trim().to_lowercase().replace(['-', ' '], "_");
        ALGORITHMS
            .iter()
            .find(|r| r.key == name || r.algorithm.aliases().contains(&name.as_str()))
            .map(|r| r.algorithm.default_spec())
    }

    /// The name a person reads of the algorithm stored as `key` (`random_forest` reads
    /// "random forest"); `None` for a key no algorithm has.
    pub fn title_of(key: &str) -> Option<&'static str> {
        ModelSpec::from_name(key).map(|spec| spec.title())
    }

    /// The name a person reads.
    pub fn title(&self) -> &'static str {
        self.algorithm().title()
    }

    /// The task this algorithm serves first (every algorithm today serves one).
    pub fn task(&self) -> Task {
        self.algorithm().tasks()[0]
    }

    /// Whether this algorithm can learn `task`.
    pub fn supports(&self, task: Task) -> bool {
        self.algorithm().tasks().contains(&task)
    }

    /// Check every parameter before fitting.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.class_weight().is_some_and(|w| !w.is_valid()) {
            return Err(SpecError {
                algorithm: self.title(),
                message: "every class weight must be a positive number".into(),
            });
        }
        self.check().map_err(|message| SpecError {
            algorithm: self.title(),
            message,
        })
    }

    /// Each parameter an analyst may change, with its value in this spec.
    pub fn params(&self) -> Vec<(&'static Param, ParamValue)> {
        let stored = serde_json::to_value(self).unwrap_or_default();
        self.algorithm()
            .params()
            .iter()
            .filter_map(|p| Some((p, read_param(p.kind, stored.get(p.key)?)?)))
            .collect()
    }

    /// The parameter named `name`: its [`Param::key`], or scikit-learn's name for it
    /// ([`SKLEARN_NAMES`]).
    pub fn find_param(&self, name: &str) -> Option<&'static Param> {
        let params = self.algorithm().params();
        params.iter().find(|p| p.key == name).or_else(|| {
            let (_, key) = SKLEARN_NAMES.iter().find(|(sklearn, _)| *sklearn == name)?;
            params.iter().find(|p| p.key == *key)
        })
    }

    /// Each parameter and its value, as a JSON object (`{"trees": 50, "max_depth": 10}`).
    pub fn params_json(&self) -> serde_json::Value {
        let object = self
            .params()
            .into_iter()
            .map(|(param, value)| (param.key.to_string(), param_json(&value)))
            .collect();
        serde_json::Value::Object(object)
    }

    /// Set the parameter `key` (a [`Param::key`]) to `value`, which its kind must admit.
    pub fn set_param(&mut self, key: &str, value: ParamValue) -> Result<(), SpecError> {
        let fail = |message: String| SpecError {
            algorithm: self.title(),
            message,
        };
        let params = self.algorithm().params();
        let Some(param) = params.iter().find(|p| p.key == key) else {
            let keys: Vec<&str> = params.iter().map(|p| p.key).collect();
            return Err(fail(if keys.is_empty() {
                format!("there is no parameter '{key}'; it has none")
            } else {
                format!("there is no parameter '{key}'; it has {}", keys.join(", "))
            }));
        };
        if !param.kind.admits(&value) {
            return Err(fail(format!("{key} is out of its range")));
        }
        let mut stored = serde_json::to_value(&*self).map_err(|e| fail(e.to_string()))?;
        stored[key] = param_json(&value);
        *self = serde_json::from_value(stored).map_err(|e| fail(e.to_string()))?;
        Ok(())
    }

    /// The class weights, for an algorithm that takes them.
    pub fn class_weight(&self) -> Option<ClassWeight> {
        self.params()
            .into_iter()
            .find_map(|(_, value)| match value {
                ParamValue::ClassWeights(w) => Some(w),
                _ => None,
            })
    }

    /// `Ok` unless the class weights name a class the target's `classes` lack.
    pub fn check_classes(&self, classes: &[String]) -> Result<(), SpecError> {
        match self.class_weight() {
            Some(weights) => weights.check(classes).map_err(|message| SpecError {
                algorithm: self.title(),
                message,
            }),
            None => Ok(()),
        }
    }
}

/// A parameter's value as stored in the spec's JSON.
fn param_json(value: &ParamValue) -> serde_json::Value {
    match value {
        ParamValue::Number(v) => serde_json::json!(v),
        ParamValue::Count(v) => serde_json::json!(v),
        ParamValue::Limit(v) => serde_json::json!(v),
        ParamValue::Choice(v) => serde_json::json!(v),
        ParamValue::ClassWeights(w) => serde_json::to_value(w).unwrap_or_default(),
    }
}

/// scikit-learn's names for parameters, and the keys they stand for: `--param n_estimators=30`
/// sets `trees` (`max_features` is a share of the features here, not a count or "sqrt").
pub const SKLEARN_NAMES: &[(&str, &str)] = &[
    ("n_estimators", "trees"),
    ("max_features", "feature_fraction"),
    ("max_samples", "sample_fraction"),
    ("max_iter", "max_iterations"),
    ("C", "c"),
    ("tol", "tolerance"),
    ("random_state", "seed"),
];

/// A stored field as a value of `kind`; `None` when it is not of that kind.
fn read_param(kind: ParamKind, field: &serde_json::Value) -> Option<ParamValue> {
    match kind {
        ParamKind::Number { .. } => field.as_f64().map(ParamValue::Number),
        ParamKind::Count { .. } => field.as_u64().map(ParamValue::Count),
        ParamKind::Limit { .. } if field.is_null() => Some(ParamValue::Limit(None)),
        ParamKind::Limit { .. } => field.as_u64().map(|v| ParamValue::Limit(Some(v))),
        ParamKind::Choice { options } => options
            .iter()
            .find(|(stored, _)| field.as_str() == Some(stored))
            .map(|(stored, _)| ParamValue::Choice(stored)),
        ParamKind::ClassWeights => serde_json::from_value::<ClassWeight>(field.clone())
            .ok()
            .map(ParamValue::ClassWeights),
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
            r#"{"algorithm":"logistic_regression","c":1.0,"max_iterations":100,"tolerance":0.0001,"class_weight":"none"}"#
        );
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
        // Stored before class weights existed: equal weights.
        let stored = r#"{"algorithm":"logistic_regression","c":1.0,"max_iterations":100,"tolerance":0.0001}"#;
        assert_eq!(serde_json::from_str::<ModelSpec>(stored).unwrap(), spec);
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
