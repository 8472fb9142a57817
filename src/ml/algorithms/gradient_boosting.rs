//! Gradient boosting as an algorithm: scikit-learn's `HistGradientBoostingClassifier` and
//! `HistGradientBoostingRegressor` parameters (with their names and defaults), their
//! editors, and the fit by `ml::boost`.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::decision_tree::depth_summary;
use crate::ml::algorithm::{About, Algorithm, Fitting, Param, ParamKind, Predictor};
use crate::ml::boost::{
    fit_boosted, BoostError, BoostSettings, BoostedModel, EarlyStopping, Target,
};
use crate::ml::class_weight::{ClassWeight, CLASS_WEIGHT};
use crate::ml::model::{require_two_classes, Fit, FitProgress, ModelError, Targets};
use crate::ml::prep::{Design, Features};
use crate::ml::registry::{FittedModel, ModelSpec};
use crate::ml::target::Task;

/// Histogram gradient boosting; every field is scikit-learn's parameter of the same name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BoostingSpec {
    /// Boosting iterations (trees per output). Default 100.
    pub max_iter: usize,
    /// Shrinkage of every leaf. Default 0.1.
    pub learning_rate: f64,
    /// Leaves per tree; `None` for no limit. Default 31.
    pub max_leaf_nodes: Option<usize>,
    /// Deepest level of a tree; `None` for no limit (the default).
    pub max_depth: Option<usize>,
    /// Default 20.
    pub min_samples_leaf: usize,
    /// L2 penalty on leaf values. Default 0.
    pub l2_regularization: f64,
    /// Bins of non-missing values per feature, at most 255. Default 255.
    pub max_bins: usize,
    /// Default auto: on above 10,000 rows.
    pub early_stopping: EarlyStopping,
    /// Share of the training rows held out for early stopping. Default 0.1.
    pub validation_fraction: f64,
    /// Iterations without improvement before stopping. Default 10.
    pub n_iter_no_change: usize,
    /// The improvement of the validation loss that counts. Default 1e-7.
    pub tol: f64,
    /// Seed of the early-stopping split and of the binning sample. Default 0.
    pub seed: u64,
    /// How the classes weigh (classifier only, as scikit-learn's): each row's gradient and
    /// hessian, its part of the baseline and of the bin edges. Default: equally.
    pub class_weight: ClassWeight,
    /// How a one-hot column of the recipe is split. Default: natively, on sets of its levels.
    pub categorical_features: CategoricalSplits,
}

/// How gradient boosting splits a one-hot column of the recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CategoricalSplits {
    /// On sets of its levels, as scikit-learn does a categorical feature (any number of
    /// levels: scikit-learn stops at `max_bins`).
    #[default]
    #[serde(rename = "native")]
    Native,
    /// Indicator by indicator, as on a one-hot encoded matrix.
    #[serde(rename = "one_hot")]
    OneHot,
}

impl Default for BoostingSpec {
    fn default() -> Self {
        BoostingSpec {
            max_iter: 100,
            learning_rate: 0.1,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            max_bins: 255,
            early_stopping: EarlyStopping::Auto,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
            seed: 0,
            class_weight: ClassWeight::None,
            categorical_features: CategoricalSplits::Native,
        }
    }
}

/// The algorithm.
pub struct GradientBoosting;

const PARAMS: &[Param] = &[
    Param {
        key: "max_iter",
        label: "Iterations",
        help: "Boosting iterations: one tree each (one per class for more than two classes).",
        kind: ParamKind::Count {
            min: 1,
            max: 10_000,
        },
    },
    Param {
        key: "learning_rate",
        label: "Learning rate",
        help: "Shrinkage of every tree's leaves; smaller needs more iterations.",
        kind: ParamKind::Number {
            min: 0.001,
            max: 1.0,
            speed: 0.005,
            decimals: Some(3),
        },
    },
    Param {
        key: "max_leaf_nodes",
        label: "Max leaves",
        help: "Leaves per tree; trees grow leaf by leaf, the best split first.",
        kind: ParamKind::Limit {
            min: 2,
            max: 4096,
            limited: 31,
        },
    },
    Param {
        key: "max_depth",
        label: "Max depth",
        help: "Deepest level of a tree; unlimited by default (the leaf count limits it).",
        kind: ParamKind::Limit {
            min: 1,
            max: 64,
            limited: 6,
        },
    },
    Param {
        key: "min_samples_leaf",
        label: "Min rows per leaf",
        help: "A split that leaves fewer training rows on a side is not taken.",
        kind: ParamKind::Count {
            min: 1,
            max: 100_000,
        },
    },
    Param {
        key: "l2_regularization",
        label: "L2 regularisation",
        help: "Penalty on leaf values; larger shrinks them towards zero.",
        kind: ParamKind::Number {
            min: 0.0,
            max: 1000.0,
            speed: 0.01,
            decimals: None,
        },
    },
    Param {
        key: "max_bins",
        label: "Bins",
        help: "Bins of each feature's values (missing values get one more).",
        kind: ParamKind::Count { min: 2, max: 255 },
    },
    Param {
        key: "early_stopping",
        label: "Early stopping",
        help: "Stop when the loss on a held-out share stops improving. Auto: above 10,000 rows.",
        kind: ParamKind::Choice {
            options: &[("auto", "auto"), ("true", "on"), ("false", "off")],
        },
    },
    Param {
        key: "validation_fraction",
        label: "Held-out share",
        help: "Share of the training rows held out to decide when to stop early.",
        kind: ParamKind::Number {
            min: 0.05,
            max: 0.5,
            speed: 0.01,
            decimals: Some(2),
        },
    },
    Param {
        key: "n_iter_no_change",
        label: "Patience",
        help: "Iterations without improvement of the held-out loss before stopping.",
        kind: ParamKind::Count { min: 1, max: 1000 },
    },
    Param {
        key: "tol",
        label: "Tolerance",
        help: "How much the held-out loss must improve to count as an improvement.",
        kind: ParamKind::Number {
            min: 0.0,
            max: 1.0,
            speed: 1e-8,
            decimals: Some(8),
        },
    },
    Param {
        key: "seed",
        label: "Seed",
        help: "Seed of the early-stopping split and of the rows the bins are found on.",
        kind: ParamKind::Count {
            min: 0,
            max: u64::MAX,
        },
    },
    CLASS_WEIGHT,
    Param {
        key: "categorical_features",
        label: "Categories",
        help: "How a one-hot column is split: on a set of its levels at once (scikit-learn's categorical features, any number of levels), or one indicator at a time.",
        kind: ParamKind::Choice {
            options: &[("native", "level sets"), ("one_hot", "indicators")],
        },
    },
];

const GRADIENT_BOOSTING: About = About {
    title: "gradient boosting",
    help: "Histogram gradient boosting (scikit-learn's HistGradientBoosting): many small trees, each fitted to the errors of those before it.",
    aliases: &["boosting", "hist_gradient_boosting", "gbdt"],
    tasks: &[Task::Classification, Task::Regression],
    params: PARAMS,
    default_spec: || ModelSpec::GradientBoosting(BoostingSpec::default()),
};

impl Algorithm for GradientBoosting {
    fn about(&self) -> &'static About {
        &GRADIENT_BOOSTING
    }

    fn reads_levels(&self) -> bool {
        true
    }
}

impl Fitting for GradientBoosting {
    type Spec = BoostingSpec;

    fn summary(&self, s: &BoostingSpec) -> String {
        let leaves = s
            .max_leaf_nodes
            .map_or("unlimited leaves".to_string(), |l| format!("{l} leaves"));
        let early = match s.early_stopping {
            EarlyStopping::Auto => "early stopping auto",
            EarlyStopping::On => "early stopping on",
            EarlyStopping::Off => "early stopping off",
        };
        let categories = match s.categorical_features {
            CategoricalSplits::Native => "",
            CategoricalSplits::OneHot => ", categories as indicators",
        };
        format!(
            "{} iterations, learning rate {}, {leaves}, {}, {early}{}{categories}",
            s.max_iter,
            s.learning_rate,
            depth_summary(s.max_depth),
            s.class_weight.summary()
        )
    }

    fn validate(&self, s: &BoostingSpec) -> Result<(), String> {
        if !(1..=10_000).contains(&s.max_iter) {
            return Err(format!("max_iter must be 1 to 10000, not {}", s.max_iter));
        }
        if !(s.learning_rate.is_finite() && s.learning_rate > 0.0) {
            return Err(format!(
                "the learning rate must be a positive number, not {}",
                s.learning_rate
            ));
        }
        if s.max_leaf_nodes.is_some_and(|l| l < 2) {
            return Err("a tree needs at least 2 leaves".into());
        }
        if s.max_depth == Some(0) {
            return Err("the depth must be at least 1".into());
        }
        if s.min_samples_leaf < 1 {
            return Err("a leaf needs at least 1 row".into());
        }
        if !(s.l2_regularization.is_finite() && s.l2_regularization >= 0.0) {
            return Err(format!(
                "the L2 regularisation must be zero or positive, not {}",
                s.l2_regularization
            ));
        }
        if !(2..=255).contains(&s.max_bins) {
            return Err(format!("max_bins must be 2 to 255, not {}", s.max_bins));
        }
        if !(0.05..=0.5).contains(&s.validation_fraction) {
            return Err(format!(
                "the held-out share must be 0.05 to 0.5, not {}",
                s.validation_fraction
            ));
        }
        if s.n_iter_no_change < 1 {
            return Err("n_iter_no_change must be at least 1".into());
        }
        if !(s.tol.is_finite() && s.tol >= 0.0) {
            return Err(format!("tol must be zero or positive, not {}", s.tol));
        }
        Ok(())
    }

    fn fit(
        &self,
        s: &BoostingSpec,
        x: ArrayView2<f64>,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        fit_features(s, Features::matrix(x), targets, progress)
    }

    fn fit_design(
        &self,
        s: &BoostingSpec,
        design: &Design,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        fit_features(s, Features::design(design), targets, progress)
    }
}

/// The fit of either input.
fn fit_features(
    s: &BoostingSpec,
    x: Features<'_>,
    targets: Targets<'_>,
    progress: &mut FitProgress<'_>,
) -> Result<Fit, ModelError> {
    let this = GradientBoosting;
    // scikit-learn's `class_weight` becomes each row's sample weight.
    let (target, weights) = match targets {
        Targets::Classes { y, classes } => {
            require_two_classes(y, this.title())?;
            let weights = match s.class_weight {
                ClassWeight::None => None,
                ref weighted => {
                    let by_class = weighted.weights(y, classes);
                    Some(y.iter().map(|&c| by_class[c]).collect::<Vec<f64>>())
                }
            };
            (
                Target::Classes {
                    y,
                    classes: classes.len(),
                },
                weights,
            )
        }
        Targets::Values(y) => (Target::Values(y), None),
    };
    let settings = BoostSettings {
        max_iter: s.max_iter,
        learning_rate: s.learning_rate,
        max_leaf_nodes: s.max_leaf_nodes,
        max_depth: s.max_depth,
        min_samples_leaf: s.min_samples_leaf,
        l2_regularization: s.l2_regularization,
        max_bins: s.max_bins,
        early_stopping: s.early_stopping,
        validation_fraction: s.validation_fraction,
        n_iter_no_change: s.n_iter_no_change,
        tol: s.tol,
        seed: s.seed,
        native_categories: s.categorical_features == CategoricalSplits::Native,
    };
    // Per row: two bytes a number binned (by column and by row), a level index a
    // one-hot column, and per output its raw prediction, gradient and hessian.
    let outputs = match target {
        Target::Classes { classes, .. } if classes > 2 => classes,
        _ => 1,
    };
    let rows = x.rows();
    let bytes = crate::data::memory::estimate(rows, x.dense.ncols(), 2)
        .saturating_add(crate::data::memory::estimate(rows, x.one_hot.len(), 4))
        .saturating_add(crate::data::memory::estimate(rows, outputs, 3 * 8));
    crate::data::memory::check(bytes, || {
            format!(
                "gradient boosting's binned rows and gradients ({} rows × {} features, {outputs} output{})",
                crate::data::format_count(rows as u64),
                crate::data::format_count(x.width as u64),
                if outputs == 1 { "" } else { "s" }
            )
        })
        .map_err(ModelError::OverBudget)?;
    let boosted =
        fit_boosted(x, target, weights.as_deref(), &settings, progress).map_err(|e| match e {
            BoostError::Cancelled => ModelError::Cancelled,
            BoostError::Split(message) => ModelError::Linfa {
                algorithm: this.title(),
                message: format!("early stopping cannot hold out rows: {message}"),
            },
        })?;
    Ok(Fit {
        iterations: boosted.model.iterations() as u64,
        converged: true,
        model: FittedModel::Boosted(boosted.model),
    })
}

impl Predictor for BoostedModel {
    fn predict_proba(&self, x: ArrayView2<f64>, _classes: usize) -> Option<Array2<f64>> {
        self.probabilities(x)
    }

    fn predict_values(&self, x: ArrayView2<f64>) -> Option<Array1<f64>> {
        self.values(x)
    }

    fn reads_levels(&self) -> bool {
        true
    }

    fn predict_proba_design(&self, design: &Design, _classes: usize) -> Option<Array2<f64>> {
        self.probabilities_of(Features::design(design))
    }

    fn predict_values_design(&self, design: &Design) -> Option<Array1<f64>> {
        self.values_of(Features::design(design))
    }
}
