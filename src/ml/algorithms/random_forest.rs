//! The random forest as an algorithm: its parameters, their editors, and the fit of bagged
//! trees (`ml::tree`).

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::decision_tree::{depth_summary, MAX_DEPTH, MIN_SAMPLES_LEAF};
use crate::ml::algorithm::{About, Algorithm, Fitting, Param, ParamKind, Predictor};
use crate::ml::class_weight::{ClassWeight, CLASS_WEIGHT};
use crate::ml::model::{require_two_classes, Fit, FitProgress, ModelError, Targets};
use crate::ml::prep::{Design, Features};
use crate::ml::registry::{FittedModel, ModelSpec};
use crate::ml::target::Task;
use crate::ml::tree::{fit_forest_of, ForestModel};

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
    /// How the classes weigh in each tree (weights from all the training rows, as
    /// scikit-learn's "balanced"). Default: equally.
    pub class_weight: ClassWeight,
    /// How each split is searched. Default: chosen by the number of training rows.
    pub splitter: Splitter,
}

/// How a forest's trees search their splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Splitter {
    /// Histogram from [`HISTOGRAM_FROM_ROWS`] training rows, exact below.
    #[default]
    Auto,
    /// Every threshold between two values of a feature in the node, as scikit-learn's trees.
    Exact,
    /// Features cut once into at most 255 bins; splits only between bins.
    Histogram,
}

/// Training rows from which `Splitter::Auto` takes histograms: below, a fit is quick either
/// way and stays the exact one scikit-learn's trees make.
pub const HISTOGRAM_FROM_ROWS: usize = 20_000;

impl Splitter {
    /// Whether a forest on `rows` training rows splits on bins.
    pub fn uses_bins(self, rows: usize) -> bool {
        match self {
            Splitter::Auto => rows >= HISTOGRAM_FROM_ROWS,
            Splitter::Exact => false,
            Splitter::Histogram => true,
        }
    }
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
            class_weight: ClassWeight::None,
            splitter: Splitter::Auto,
        }
    }
}

/// The algorithm.
pub struct RandomForest;

const PARAMS: &[Param] = &[
    Param {
        key: "trees",
        label: "Trees",
        help: "Number of trees; more is steadier and slower.",
        kind: ParamKind::Count {
            min: 1,
            max: 10_000,
        },
    },
    MAX_DEPTH,
    Param {
        key: "feature_fraction",
        label: "Feature share",
        help: "Share of the features each split looks at (drawn afresh at every split).",
        kind: ParamKind::Number {
            min: 0.05,
            max: 1.0,
            speed: 0.01,
            decimals: None,
        },
    },
    MIN_SAMPLES_LEAF,
    Param {
        key: "sample_fraction",
        label: "Sample share",
        help:
            "Size of each tree's bootstrap sample, as a share of the training rows (max_samples).",
        kind: ParamKind::Number {
            min: 0.01,
            max: 1.0,
            speed: 0.01,
            decimals: None,
        },
    },
    Param {
        key: "seed",
        label: "Seed",
        help: "Seed of the bootstrap samples and feature draws.",
        kind: ParamKind::Count {
            min: 0,
            max: u64::MAX,
        },
    },
    CLASS_WEIGHT,
    Param {
        key: "splitter",
        label: "Splitter",
        help: "How splits are searched. Exact tries every threshold between two values, as scikit-learn; histogram cuts each feature into 255 bins once and splits between bins only, many times faster on large tables. Auto: histogram from 20,000 training rows.",
        kind: ParamKind::Choice {
            options: &[
                ("auto", "Auto"),
                ("exact", "Exact"),
                ("histogram", "Histogram"),
            ],
        },
    },
];

const RANDOM_FOREST: About = About {
    title: "random forest",
    help: "Many trees on bootstrap samples; each split looks at a random share of the features. Probabilities are averaged.",
    aliases: &["forest"],
    tasks: &[Task::Classification],
    params: PARAMS,
    default_spec: || ModelSpec::RandomForest(ForestSpec::default()),
};

impl Algorithm for RandomForest {
    fn about(&self) -> &'static About {
        &RANDOM_FOREST
    }

    fn reads_levels(&self) -> bool {
        true
    }
}

impl Fitting for RandomForest {
    type Spec = ForestSpec;

    fn summary(&self, s: &ForestSpec) -> String {
        let mut summary = format!(
            "{} trees, {}, {:.0}% of features per split",
            s.trees,
            depth_summary(s.max_depth),
            s.feature_fraction * 100.0,
        );
        if s.min_samples_leaf > 1 {
            summary += &format!(", at least {} rows per leaf", s.min_samples_leaf);
        }
        if s.sample_fraction < 1.0 {
            summary += &format!(", {:.0}% of rows per tree", s.sample_fraction * 100.0);
        }
        match s.splitter {
            Splitter::Auto => {}
            Splitter::Exact => summary += ", exact splits",
            Splitter::Histogram => summary += ", histogram splits",
        }
        summary + &format!(", seed {}{}", s.seed, s.class_weight.summary())
    }

    fn validate(&self, s: &ForestSpec) -> Result<(), String> {
        if s.trees == 0 || s.trees > 10_000 {
            return Err(format!(
                "the number of trees must be 1 to 10000, not {}",
                s.trees
            ));
        }
        if s.max_depth == Some(0) {
            return Err("the depth must be at least 1".into());
        }
        if s.min_samples_leaf < 1 {
            return Err("a leaf needs at least 1 row".into());
        }
        for (name, v) in [
            ("the feature share", s.feature_fraction),
            ("the sample share", s.sample_fraction),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                return Err(format!("{name} must be in (0, 1], not {v}"));
            }
        }
        Ok(())
    }

    fn fit(
        &self,
        s: &ForestSpec,
        x: ArrayView2<f64>,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        fit_features(s, Features::matrix(x), targets, progress)
    }

    fn fit_design(
        &self,
        s: &ForestSpec,
        design: &Design,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        fit_features(s, Features::design(design), targets, progress)
    }
}

/// The fit of either input.
fn fit_features(
    s: &ForestSpec,
    x: Features<'_>,
    targets: Targets<'_>,
    progress: &mut FitProgress<'_>,
) -> Result<Fit, ModelError> {
    let title = RandomForest.title();
    let (y, classes) = targets.class_names(title)?;
    require_two_classes(y, title)?;
    let total = s.trees as f32;
    let weights = s.class_weight.weights(y, classes);
    let forest = fit_forest_of(x, y, &weights, s, &mut |grown| {
        progress(grown as f32 / total, &format!("tree {}/{}", grown, s.trees))
    })?;
    Ok(Fit {
        iterations: forest.trees.len() as u64,
        ..Fit::once(FittedModel::Forest(forest))
    })
}

impl Predictor for ForestModel {
    fn predict_proba(&self, x: ArrayView2<f64>, _classes: usize) -> Option<Array2<f64>> {
        Some(ForestModel::predict_proba(self, x))
    }

    fn predict_values(&self, _x: ArrayView2<f64>) -> Option<Array1<f64>> {
        None
    }

    fn reads_levels(&self) -> bool {
        true
    }

    fn predict_proba_design(&self, design: &Design, _classes: usize) -> Option<Array2<f64>> {
        Some(self.predict_proba_of(Features::design(design)))
    }

    fn predict_values_design(&self, _design: &Design) -> Option<Array1<f64>> {
        None
    }
}
