//! The decision tree as an algorithm: its parameters, their editors, and the fit by our own
//! CART (`ml::tree`).

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ml::algorithm::{About, Algorithm, Fitting, Param, ParamKind, Predictor};
use crate::ml::class_weight::{ClassWeight, CLASS_WEIGHT};
use crate::ml::model::{require_two_classes, Fit, FitProgress, ModelError, Targets};
use crate::ml::prep::{Design, Features};
use crate::ml::registry::{FittedModel, ModelSpec};
use crate::ml::target::Task;
use crate::ml::tree::{fit_tree, FlatTree};

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
    /// How the classes weigh in the impurity and the leaves' shares. Default: equally.
    pub class_weight: ClassWeight,
}

impl Default for TreeSpec {
    fn default() -> Self {
        TreeSpec {
            max_depth: Some(10),
            min_samples_split: 2,
            min_samples_leaf: 1,
            criterion: Criterion::Gini,
            class_weight: ClassWeight::None,
        }
    }
}

/// The depth limit of a tree, as the decision tree and the random forest both offer it.
pub const MAX_DEPTH: Param = Param {
    key: "max_depth",
    label: "Max depth",
    help: "Deepest level of a tree. Unlimited grows until leaves are pure (many nodes, and slower, on large tables).",
    kind: ParamKind::Limit { min: 1, max: 64, limited: 10 },
};

/// The algorithm.
pub struct DecisionTree;

/// The fewest training rows a leaf may hold; the forest's trees take it too.
pub const MIN_SAMPLES_LEAF: Param = Param {
    key: "min_samples_leaf",
    label: "Min rows per leaf",
    help: "A split that leaves fewer rows on a side is not taken (min_samples_leaf).",
    kind: ParamKind::Count {
        min: 1,
        max: 100_000,
    },
};

const PARAMS: &[Param] = &[
    MAX_DEPTH,
    Param {
        key: "min_samples_split",
        label: "Min rows to split",
        help: "A node with fewer training rows becomes a leaf (scikit-learn's min_samples_split).",
        kind: ParamKind::Count {
            min: 2,
            max: 100_000,
        },
    },
    MIN_SAMPLES_LEAF,
    Param {
        key: "criterion",
        label: "Criterion",
        help: "How a split is judged: Gini impurity or entropy (information gain).",
        kind: ParamKind::Choice {
            options: &[("gini", "Gini"), ("entropy", "Entropy")],
        },
    },
    CLASS_WEIGHT,
];

const DECISION_TREE: About = About {
    title: "decision tree",
    help: "A tree of yes/no questions on single features (CART, grown as scikit-learn grows it). Probabilities are the class shares in each leaf.",
    aliases: &["tree"],
    tasks: &[Task::Classification],
    params: PARAMS,
    default_spec: || ModelSpec::DecisionTree(TreeSpec::default()),
};

impl Algorithm for DecisionTree {
    fn about(&self) -> &'static About {
        &DECISION_TREE
    }

    fn reads_levels(&self) -> bool {
        true
    }
}

/// "depth ≤ 10", or "unlimited depth".
pub fn depth_summary(depth: Option<usize>) -> String {
    depth.map_or("unlimited depth".to_string(), |d| format!("depth ≤ {d}"))
}

impl Fitting for DecisionTree {
    type Spec = TreeSpec;

    fn summary(&self, s: &TreeSpec) -> String {
        format!(
            "{}, split ≥ {}, leaf ≥ {}, {:?}{}",
            depth_summary(s.max_depth),
            s.min_samples_split,
            s.min_samples_leaf,
            s.criterion,
            s.class_weight.summary()
        )
    }

    fn validate(&self, s: &TreeSpec) -> Result<(), String> {
        if s.max_depth == Some(0) {
            return Err("the depth must be at least 1".into());
        }
        if s.min_samples_split < 2 {
            return Err("a split needs at least 2 rows".into());
        }
        if s.min_samples_leaf < 1 {
            return Err("a leaf needs at least 1 row".into());
        }
        Ok(())
    }

    fn fit(
        &self,
        s: &TreeSpec,
        x: ArrayView2<f64>,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        fit_features(s, Features::matrix(x), targets, progress)
    }

    fn fit_design(
        &self,
        s: &TreeSpec,
        design: &Design,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        fit_features(s, Features::design(design), targets, progress)
    }
}

/// The fit of either input: a design's one-hot columns are read as level indices.
fn fit_features(
    s: &TreeSpec,
    x: Features<'_>,
    targets: Targets<'_>,
    progress: &mut FitProgress<'_>,
) -> Result<Fit, ModelError> {
    let title = DecisionTree.title();
    let (y, classes) = targets.class_names(title)?;
    require_two_classes(y, title)?;
    let weights = s.class_weight.weights(y, classes);
    let tree = fit_tree(x, y, &weights, s, &mut |settled| {
        progress(settled, "growing the tree")
    })?;
    Ok(Fit::once(FittedModel::Tree(tree)))
}

impl Predictor for FlatTree {
    fn predict_proba(&self, x: ArrayView2<f64>, classes: usize) -> Option<Array2<f64>> {
        Some(FlatTree::predict_proba(self, x, classes))
    }

    fn predict_values(&self, _x: ArrayView2<f64>) -> Option<Array1<f64>> {
        None
    }

    fn reads_levels(&self) -> bool {
        true
    }

    fn predict_proba_design(&self, design: &Design, classes: usize) -> Option<Array2<f64>> {
        Some(self.predict_proba_of(Features::design(design), classes))
    }

    fn predict_values_design(&self, _design: &Design) -> Option<Array1<f64>> {
        None
    }
}
