//! A fitted boosted ensemble as it is stored: the baseline, and per iteration one tree per
//! output whose leaves hold the learning rate already applied; its raw outputs, class
//! probabilities or values, and split-gain importances.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::loss::{sigmoid, Loss};
use crate::ml::prep::Features;

/// One node of a boosted tree. A leaf has `left == right == 0` (the root is never a child).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostNode {
    /// The feature split on; for a split on a one-hot column's levels, its first indicator.
    pub feature: usize,
    /// Rows with `x <= threshold` go left; `f64::MAX` sends every number left and only
    /// missing values right (a split on missingness).
    pub threshold: f64,
    /// Where a missing value goes; for a split on levels, where a row of none goes (a level
    /// never seen in training).
    pub missing_left: bool,
    /// A split on the levels of the one-hot column whose indicators start at `feature`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<LevelSplit>,
    pub left: usize,
    pub right: usize,
    /// The raw output of a leaf, learning rate applied (an inner node's too, for reading).
    pub value: f64,
    /// The loss reduction of the split (0 for a leaf).
    pub gain: f64,
    /// Training rows that reached the node.
    pub rows: usize,
}

/// A split on a one-hot column's levels: its rows of the levels in `left` go left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelSplit {
    /// The column's levels (its indicators).
    pub width: usize,
    /// The levels that go left, in increasing order.
    pub left: Vec<u32>,
}

impl LevelSplit {
    pub fn contains(&self, level: u32) -> bool {
        self.left.binary_search(&level).is_ok()
    }
}

/// The level of the one-hot column whose `width` indicators start at `first`, read from the
/// indicators' values: the one that is 1; `None` when none is.
pub fn level_from_values(value: impl Fn(usize) -> f64, first: usize, width: usize) -> Option<u32> {
    (0..width)
        .find(|&l| value(first + l) == 1.0)
        .map(|l| l as u32)
}

impl BoostNode {
    pub fn is_leaf(&self) -> bool {
        self.left == 0 && self.right == 0
    }

    /// Whether a row goes left: `value(f)` gives its feature `f`, `level(first, width)` its
    /// level of a one-hot column.
    #[inline]
    pub fn goes_left(
        &self,
        value: impl Fn(usize) -> f64,
        level: impl Fn(usize, usize) -> Option<u32>,
    ) -> bool {
        match &self.levels {
            Some(split) => match level(self.feature, split.width) {
                Some(l) => split.contains(l),
                None => self.missing_left,
            },
            None => {
                let value = value(self.feature);
                if value.is_nan() {
                    self.missing_left
                } else {
                    value <= self.threshold
                }
            }
        }
    }
}

/// One tree, nodes in the order they were made (the root first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostTree {
    pub nodes: Vec<BoostNode>,
}

impl BoostTree {
    /// The raw output of one row.
    pub fn predict(&self, row: ArrayView1<f64>) -> f64 {
        self.predict_by(
            |f| row[f],
            |first, width| level_from_values(|f| row[f], first, width),
        )
    }

    /// The raw output of the row whose feature `f` is `value(f)` and whose level of the
    /// one-hot column at `first` of `width` levels is `level(first, width)`.
    pub fn predict_by(
        &self,
        value: impl Fn(usize) -> f64,
        level: impl Fn(usize, usize) -> Option<u32>,
    ) -> f64 {
        let mut node = &self.nodes[0];
        while !node.is_leaf() {
            let left = node.goes_left(&value, &level);
            node = &self.nodes[if left { node.left } else { node.right }];
        }
        node.value
    }

    pub fn leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_leaf()).count()
    }
}

/// A fitted gradient-boosting model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedModel {
    pub loss: Loss,
    /// The raw outputs before any tree, one per output.
    pub baseline: Vec<f64>,
    /// Per iteration, one tree per output.
    pub trees: Vec<Vec<BoostTree>>,
    pub learning_rate: f64,
}

impl BoostedModel {
    /// Raw outputs, rows × outputs.
    pub fn raw(&self, x: ArrayView2<f64>) -> Array2<f64> {
        self.raw_of(Features::matrix(x))
    }

    /// Raw outputs of rows whose one-hot columns may be level indices.
    pub fn raw_of(&self, x: Features<'_>) -> Array2<f64> {
        let outputs = self.baseline.len();
        let value = x.values();
        let value = &value;
        let level = x.levels();
        let level = &level;
        let flat: Vec<f64> = (0..x.rows())
            .into_par_iter()
            .flat_map_iter(|i| {
                (0..outputs).map(move |k| {
                    self.baseline[k]
                        + self
                            .trees
                            .iter()
                            .map(|it| {
                                it[k].predict_by(
                                    |f| value(i, f),
                                    |first, width| level(i, first, width),
                                )
                            })
                            .sum::<f64>()
                })
            })
            .collect();
        Array2::from_shape_vec((x.rows(), outputs), flat).expect("rows × outputs")
    }

    /// Class probabilities, rows × classes; `None` for a regressor.
    pub fn probabilities(&self, x: ArrayView2<f64>) -> Option<Array2<f64>> {
        self.probabilities_of(Features::matrix(x))
    }

    /// [`probabilities`](Self::probabilities) of rows whose one-hot columns may be level
    /// indices.
    pub fn probabilities_of(&self, x: Features<'_>) -> Option<Array2<f64>> {
        let raw = self.raw_of(x);
        match self.loss {
            Loss::SquaredError => None,
            Loss::Binomial => {
                let mut proba = Array2::zeros((raw.nrows(), 2));
                for (mut row, z) in proba.rows_mut().into_iter().zip(raw.column(0)) {
                    let p = sigmoid(*z);
                    row[0] = 1.0 - p;
                    row[1] = p;
                }
                Some(proba)
            }
            Loss::Multinomial => {
                let mut proba = raw;
                for mut row in proba.rows_mut() {
                    let max = row.fold(f64::MIN, |a, &b| a.max(b));
                    row.mapv_inplace(|z| (z - max).exp());
                    let sum = row.sum();
                    row.mapv_inplace(|e| e / sum);
                }
                Some(proba)
            }
        }
    }

    /// Predicted values; `None` for a classifier.
    pub fn values(&self, x: ArrayView2<f64>) -> Option<Array1<f64>> {
        self.values_of(Features::matrix(x))
    }

    /// [`values`](Self::values) of rows whose one-hot columns may be level indices.
    pub fn values_of(&self, x: Features<'_>) -> Option<Array1<f64>> {
        (self.loss == Loss::SquaredError).then(|| self.raw_of(x).column(0).to_owned())
    }

    /// Each feature's share of the loss reduction of every split (sums to 1; all zero when no
    /// tree split). A split on levels shares its gain equally among the indicators of the
    /// levels it sends left.
    pub fn gain_importances(&self, features: usize) -> Vec<f64> {
        let mut gains = vec![0.0; features];
        for node in self.trees.iter().flatten().flat_map(|t| &t.nodes) {
            if node.is_leaf() {
                continue;
            }
            match &node.levels {
                Some(split) if !split.left.is_empty() => {
                    let share = node.gain / split.left.len() as f64;
                    for &l in &split.left {
                        if let Some(g) = gains.get_mut(node.feature + l as usize) {
                            *g += share;
                        }
                    }
                }
                _ if node.feature < features => gains[node.feature] += node.gain,
                _ => {}
            }
        }
        let total: f64 = gains.iter().sum();
        if total > 0.0 {
            gains.iter_mut().for_each(|g| *g /= total);
        }
        gains
    }

    /// Iterations kept (after early stopping).
    pub fn iterations(&self) -> usize {
        self.trees.len()
    }
}
