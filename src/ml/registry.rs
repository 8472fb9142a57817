//! The registry: every algorithm and every kind of fitted model, one line each. The lines
//! make the two stored enums, [`ModelSpec`] (a spec's `"algorithm"` tag) and [`FittedModel`]
//! (an artifact's `"kind"` tag), and route each to the code in `ml/algorithms/`. How to add
//! an algorithm is told in [`super::algorithm`].

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::algorithm::{Algorithm, Fitting, Predictor};
use super::algorithms::{
    decision_tree, elastic_net, gradient_boosting, linear_regression, logistic_regression,
    naive_bayes, random_forest,
};
use super::bayes::BayesModel;
use super::boost::BoostedModel;
use super::linear::LinearModel;
use super::logistic::LogisticModel;
use super::model::{Fit, FitProgress, ModelError, Targets};
use super::prep::Design;
use super::tree::{FlatTree, ForestModel};

use decision_tree::TreeSpec;
use elastic_net::PenaltySpec;
use gradient_boosting::BoostingSpec;
use linear_regression::LinearSpec;
use logistic_regression::LogisticSpec;
use naive_bayes::NaiveBayesSpec;
use random_forest::ForestSpec;

/// One registered algorithm: its key and what it tells the window and the command line.
#[derive(Clone, Copy)]
pub struct Registered {
    /// The command-line name, and the tag of its stored specs.
    pub key: &'static str,
    pub algorithm: &'static dyn Algorithm,
}

/// `"key" => Variant(Spec) = algorithm,` per algorithm: the [`ModelSpec`] variant tagged
/// `key`, the entry in [`ALGORITHMS`], and the typed calls of [`Fitting`].
macro_rules! algorithms {
    ($($key:literal => $variant:ident($spec:ty) = $algorithm:expr,)*) => {
        /// An algorithm with its parameters. The tag is the algorithm's key: catalogs store
        /// it, so a key never changes.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "algorithm")]
        pub enum ModelSpec {
            $(#[serde(rename = $key)] $variant($spec),)*
        }

        /// Every algorithm, in menu order.
        pub static ALGORITHMS: &[Registered] = &[
            $(Registered { key: $key, algorithm: &$algorithm },)*
        ];

        impl ModelSpec {
            /// Algorithm names as the command line takes them, in menu order.
            pub const NAMES: &'static [&'static str] = &[$($key,)*];

            /// The command-line name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(ModelSpec::$variant(_) => $key,)*
                }
            }

            /// What the algorithm tells the window and the command line.
            pub fn algorithm(&self) -> &'static dyn Algorithm {
                match self {
                    $(ModelSpec::$variant(_) => &$algorithm,)*
                }
            }

            /// The parameters in a short line, e.g. "C = 1, max 100 iterations".
            pub fn summary(&self) -> String {
                match self {
                    $(ModelSpec::$variant(spec) => Fitting::summary(&$algorithm, spec),)*
                }
            }

            /// The algorithm's own check of the parameters.
            pub(super) fn check(&self) -> Result<(), String> {
                match self {
                    $(ModelSpec::$variant(spec) => Fitting::validate(&$algorithm, spec),)*
                }
            }

            /// The algorithm's fit, the task already checked.
            pub(super) fn fit_checked(
                &self,
                x: ArrayView2<f64>,
                targets: Targets<'_>,
                progress: &mut FitProgress<'_>,
            ) -> Result<Fit, ModelError> {
                match self {
                    $(ModelSpec::$variant(spec) => {
                        Fitting::fit(&$algorithm, spec, x, targets, progress)
                    })*
                }
            }

            /// The algorithm's fit on a design, the task already checked.
            pub(super) fn fit_design_checked(
                &self,
                design: &Design,
                targets: Targets<'_>,
                progress: &mut FitProgress<'_>,
            ) -> Result<Fit, ModelError> {
                match self {
                    $(ModelSpec::$variant(spec) => {
                        Fitting::fit_design(&$algorithm, spec, design, targets, progress)
                    })*
                }
            }
        }
    };
}

algorithms! {
    "logistic_regression" => LogisticRegression(LogisticSpec) = logistic_regression::LogisticRegression,
    "decision_tree" => DecisionTree(TreeSpec) = decision_tree::DecisionTree,
    "random_forest" => RandomForest(ForestSpec) = random_forest::RandomForest,
    "naive_bayes" => NaiveBayes(NaiveBayesSpec) = naive_bayes::NaiveBayes,
    "linear_regression" => LinearRegression(LinearSpec) = linear_regression::LinearRegression,
    "ridge" => Ridge(PenaltySpec) = elastic_net::Ridge,
    "lasso" => Lasso(PenaltySpec) = elastic_net::Lasso,
    "elastic_net" => ElasticNet(PenaltySpec) = elastic_net::ElasticNet,
    "gradient_boosting" => GradientBoosting(BoostingSpec) = gradient_boosting::GradientBoosting,
}

/// `"kind" => Variant(Model),` per kind of fitted model: the [`FittedModel`] variant tagged
/// `kind`, and its [`Predictor`].
macro_rules! models {
    ($($kind:literal => $variant:ident($model:ty),)*) => {
        /// A fitted model, whatever the algorithm. The tag is stored in every artifact, so a
        /// kind never changes.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum FittedModel {
            $(#[serde(rename = $kind)] $variant($model),)*
        }

        impl FittedModel {
            /// What the model does with new rows.
            pub fn predictor(&self) -> &dyn Predictor {
                match self {
                    $(FittedModel::$variant(model) => model,)*
                }
            }
        }
    };
}

models! {
    "logistic" => Logistic(LogisticModel),
    "tree" => Tree(FlatTree),
    "forest" => Forest(ForestModel),
    "boosted" => Boosted(BoostedModel),
    "naive_bayes" => NaiveBayes(BayesModel),
    "linear" => Linear(LinearModel),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::algorithm::{ParamKind, ParamValue};
    use crate::ml::model::fit_model;
    use crate::ml::target::Task;
    use ndarray::array;
    use std::collections::BTreeSet;

    /// Every algorithm: unique names, parameters whose ranges hold their defaults and are
    /// accepted end to end, and a default spec that fits a tiny table of each of its tasks
    /// and predicts it.
    #[test]
    fn every_registered_algorithm_is_complete() {
        let mut names = BTreeSet::new();
        for registered in ALGORITHMS {
            let algorithm = registered.algorithm;
            let spec = algorithm.default_spec();
            let key = registered.key;
            for name in std::iter::once(&key).chain(algorithm.aliases()) {
                assert!(names.insert(*name), "{name} is taken twice");
                assert_eq!(ModelSpec::from_name(name).as_ref(), Some(&spec), "{name}");
            }
            assert_eq!(spec.name(), key);
            assert_eq!(serde_json::to_value(&spec).unwrap()["algorithm"], key);
            assert!(!algorithm.title().is_empty() && !algorithm.help().is_empty());
            assert!(!algorithm.tasks().is_empty(), "{key}");
            assert_eq!(spec.validate(), Ok(()), "{key}");
            check_params(&spec);
            for &task in algorithm.tasks() {
                fits_and_predicts(&spec, task);
            }
        }
    }

    fn check_params(spec: &ModelSpec) {
        let key = spec.name();
        let declared = spec.algorithm().params();
        let values = spec.params();
        assert_eq!(
            values.len(),
            declared.len(),
            "{key}: a parameter is not a field"
        );
        let mut labels = BTreeSet::new();
        for (param, default) in values {
            assert!(labels.insert(param.label), "{key}: two {}", param.label);
            assert!(
                param.kind.admits(&default),
                "{key}.{}: {default:?}",
                param.key
            );
            match param.kind {
                ParamKind::Number {
                    min, max, speed, ..
                } => {
                    assert!(min < max && speed > 0.0, "{key}.{}", param.key)
                }
                ParamKind::Count { min, max } | ParamKind::Limit { min, max, .. } => {
                    assert!(min < max, "{key}.{}", param.key)
                }
                ParamKind::Choice { options } => assert!(options.len() > 1),
                ParamKind::ClassWeights => {}
            }
            for extreme in param.kind.extremes() {
                let mut edited = spec.clone();
                edited.set_param(param.key, extreme.clone()).unwrap();
                assert_eq!(
                    edited
                        .params()
                        .iter()
                        .find(|(p, _)| p.key == param.key)
                        .map(|p| p.1.clone()),
                    Some(extreme.clone())
                );
                assert_eq!(
                    edited.validate(),
                    Ok(()),
                    "{key}.{} = {extreme:?}",
                    param.key
                );
            }
        }
    }

    fn fits_and_predicts(spec: &ModelSpec, task: Task) {
        // Two clusters of four rows, apart along the first feature.
        let x = array![
            [1.0, 0.2],
            [1.5, 0.8],
            [2.0, 0.4],
            [1.2, 0.6],
            [6.0, 0.3],
            [6.5, 0.7],
            [7.0, 0.5],
            [6.2, 0.1]
        ];
        let classes = [0, 0, 0, 0, 1, 1, 1, 1];
        let names = ["no".to_string(), "yes".to_string()];
        let values = [3.0, 4.0, 5.0, 3.5, 13.0, 14.0, 15.0, 13.5];
        let targets = match task {
            Task::Classification => Targets::Classes {
                y: &classes,
                classes: &names,
            },
            Task::Regression => Targets::Values(&values),
        };
        // Eight rows: leaves of one row, where the default asks for more (boosting's 20).
        let mut spec = spec.clone();
        let _ = spec.set_param("min_samples_leaf", ParamValue::Count(1));
        let fit = fit_model(&spec, x.view(), targets, &mut |_, _| true)
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name()));
        match task {
            Task::Classification => {
                let proba = fit.model.predict_proba(x.view(), 2).unwrap();
                assert_eq!(proba.dim(), (8, 2));
                for (row, &class) in proba.rows().into_iter().zip(&classes) {
                    assert!((row.sum() - 1.0).abs() < 1e-9, "{}: {row}", spec.name());
                    assert!(row[class] > 0.5, "{}: {proba}", spec.name());
                }
                assert!(fit.model.predict_values(x.view()).is_none());
            }
            Task::Regression => {
                let predicted = fit.model.predict_values(x.view()).unwrap();
                assert_eq!(predicted.len(), 8);
                assert!(predicted.iter().all(|p| p.is_finite()), "{predicted}");
                // Penalised fits shrink towards the mean, but keep the clusters apart.
                let low = predicted.slice(ndarray::s![..4]);
                let high = predicted.slice(ndarray::s![4..]);
                let (low_top, high_bottom) = (
                    low.fold(f64::MIN, |a, &b| a.max(b)),
                    high.fold(f64::MAX, |a, &b| a.min(b)),
                );
                assert!(low_top < high_bottom, "{}: {predicted}", spec.name());
                assert!(fit.model.predict_proba(x.view(), 2).is_none());
            }
        }
    }

    #[test]
    fn parameters_are_set_by_key_within_their_ranges() {
        let mut tree = ModelSpec::from_name("tree").unwrap();
        tree.set_param("max_depth", ParamValue::Limit(None))
            .unwrap();
        tree.set_param("criterion", ParamValue::Choice("entropy"))
            .unwrap();
        let ModelSpec::DecisionTree(s) = &tree else {
            panic!("{tree:?}")
        };
        assert_eq!(
            (s.max_depth, s.criterion),
            (None, decision_tree::Criterion::Entropy)
        );
        assert_eq!(
            tree.set_param("c", ParamValue::Number(1.0)).unwrap_err().to_string(),
            "decision tree: there is no parameter 'c'; it has max_depth, min_samples_split, min_samples_leaf, criterion, class_weight"
        );
        let mut logistic = ModelSpec::from_name("logistic_regression").unwrap();
        assert!(logistic.set_param("c", ParamValue::Number(-1.0)).is_err());
        let c = logistic.algorithm().params()[0].kind;
        assert_eq!(c.parse("0.5"), Ok(ParamValue::Number(0.5)));
        assert_eq!(
            c.parse("1e9"),
            Err("a number from 0.0001 to 10000".to_string())
        );
        logistic.set_param("c", c.parse("0.5").unwrap()).unwrap();
        assert_eq!(logistic.summary(), "C = 0.5, max 100 iterations, tol 1e-4");
    }

    #[test]
    fn stored_tags_are_the_ones_catalogs_hold() {
        let keys: Vec<&str> = ALGORITHMS.iter().map(|r| r.key).collect();
        assert_eq!(
            keys,
            [
                "logistic_regression",
                "decision_tree",
                "random_forest",
                "naive_bayes",
                "linear_regression",
                "ridge",
                "lasso",
                "elastic_net",
                "gradient_boosting"
            ]
        );
        let linear = FittedModel::Linear(LinearModel {
            weights: array![1.0],
            intercept: 0.5,
        });
        let stored = serde_json::to_value(&linear).unwrap();
        assert_eq!(stored["kind"], "linear");
        assert_eq!(
            serde_json::from_value::<FittedModel>(stored).unwrap(),
            linear
        );
    }
}
