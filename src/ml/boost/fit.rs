//! The boosting loop, as scikit-learn's `BaseHistGradientBoosting.fit`: bin the features,
//! start every row at the baseline, then each iteration compute the gradients once and grow
//! one tree per output on them, adding its leaves (learning rate applied) to the rows' raw
//! outputs. Early stopping holds out a seeded share of the rows (stratified for classes)
//! and stops when the last `n_iter_no_change` validation losses improved on the one before
//! them by no more than `tol`. Sample weights (scikit-learn's `sample_weight`, which its
//! `class_weight` becomes) weigh the bin edges, the baseline, every gradient and hessian and
//! the held-out loss; `min_samples_leaf` still counts rows, as scikit-learn's does.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::binning::{fit_edges, fit_feature_edges, BinEdges};
use super::grower::{predict_binned, Grower, TreeLimits};
use super::loss::{Loss, Target};
use super::model::BoostedModel;
use super::split::SplitRules;
use crate::ml::prep::Features;
use crate::ml::split::{shuffled_holdout, stratified_holdout};

/// Whether to stop early: `auto` does when there are more than 10,000 rows, as
/// scikit-learn's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum EarlyStopping {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "true")]
    On,
    #[serde(rename = "false")]
    Off,
}

/// Rows above which `auto` stops early.
pub const AUTO_EARLY_STOPPING_ROWS: usize = 10_000;

/// The parameters of a fit, with scikit-learn's names and meanings.
#[derive(Debug, Clone, PartialEq)]
pub struct BoostSettings {
    pub max_iter: usize,
    pub learning_rate: f64,
    pub max_leaf_nodes: Option<usize>,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub l2_regularization: f64,
    pub max_bins: usize,
    pub early_stopping: EarlyStopping,
    pub validation_fraction: f64,
    pub n_iter_no_change: usize,
    pub tol: f64,
    pub seed: u64,
    /// Split one-hot columns given as level indices on sets of their levels (scikit-learn's
    /// categorical features), not indicator by indicator.
    pub native_categories: bool,
}

/// A fitted model and whether early stopping ended the fit.
pub struct Boosted {
    pub model: BoostedModel,
    pub stopped_early: bool,
}

/// Why a fit ended without a model.
#[derive(Debug, Clone, PartialEq)]
pub enum BoostError {
    Cancelled,
    /// The validation share could not be drawn.
    Split(String),
}

/// Fit on `x` (rows × features, one-hot columns possibly as level indices) and `target`, each row weighing `weights[row]` (all 1 when
/// `None`). `progress` hears the share of trees grown and a detail after every tree; false
/// cancels.
pub fn fit_boosted(
    x: Features<'_>,
    target: Target<'_>,
    weights: Option<&[f64]>,
    settings: &BoostSettings,
    progress: &mut dyn FnMut(f32, &str) -> bool,
) -> Result<Boosted, BoostError> {
    let n = x.rows();
    let early = match settings.early_stopping {
        EarlyStopping::Auto => n > AUTO_EARLY_STOPPING_ROWS,
        EarlyStopping::On => true,
        EarlyStopping::Off => false,
    };
    let (train, validate) = if early {
        let fold = match target {
            Target::Classes { y, classes } => {
                stratified_holdout(y, classes, settings.validation_fraction, settings.seed)
            }
            Target::Values(_) => shuffled_holdout(n, settings.validation_fraction, settings.seed),
        }
        .map_err(|e| BoostError::Split(e.to_string()))?;
        (fold.train, fold.validate)
    } else {
        ((0..n).collect(), Vec::new())
    };
    let loss = Loss::of(target);
    let outputs = loss.outputs(target);
    let edges = fit_feature_edges(x, &train, weights, settings.max_bins, settings.seed);
    let mut binned = edges.bin_features(x, &train);
    binned.split_levels_natively(settings.native_categories);
    let binned_validation = edges.bin_features(x, &validate);
    let baseline = loss.baseline(target, &train, weights);
    let mut raw: Vec<Vec<f64>> = baseline.iter().map(|&b| vec![b; train.len()]).collect();
    let mut raw_validation: Vec<Vec<f64>> =
        baseline.iter().map(|&b| vec![b; validate.len()]).collect();
    let mut gradients = vec![vec![0.0f32; train.len()]; outputs];
    let mut hessians = vec![vec![0.0f32; train.len()]; outputs];
    let limits = TreeLimits {
        max_leaf_nodes: settings.max_leaf_nodes,
        max_depth: settings.max_depth,
        rules: SplitRules {
            min_samples_leaf: settings.min_samples_leaf,
            l2: settings.l2_regularization,
            constant_hessians: loss.constant_hessians() && weights.is_none(),
        },
        learning_rate: settings.learning_rate,
    };
    let mut grower = Grower::new(&binned, &edges, limits);
    let mut scores = Vec::new();
    if early {
        scores.push(-loss.mean(target, &validate, weights, &raw_validation));
    }
    let mut trees = Vec::new();
    let mut stopped_early = false;
    let total = (settings.max_iter * outputs) as f32;
    for iteration in 0..settings.max_iter {
        loss.gradients(target, &train, weights, &raw, &mut gradients, &mut hessians);
        let mut iteration_trees = Vec::with_capacity(outputs);
        for k in 0..outputs {
            let grown = grower.grow(&gradients[k], &hessians[k]);
            add_leaf_values(&mut raw[k], &grown.leaves, &grower.rows);
            for (i, r) in raw_validation[k].iter_mut().enumerate() {
                *r += predict_binned(&grown, &binned_validation, i);
            }
            iteration_trees.push(grown.tree);
            let done = iteration * outputs + k + 1;
            if !progress(
                done as f32 / total,
                &format!("iteration {}/{}", iteration + 1, settings.max_iter),
            ) {
                return Err(BoostError::Cancelled);
            }
        }
        trees.push(iteration_trees);
        if early {
            scores.push(-loss.mean(target, &validate, weights, &raw_validation));
            if should_stop(&scores, settings.n_iter_no_change, settings.tol) {
                stopped_early = true;
                break;
            }
        }
    }
    Ok(Boosted {
        model: BoostedModel {
            loss,
            baseline,
            trees,
            learning_rate: settings.learning_rate,
        },
        stopped_early,
    })
}

/// Add each leaf's value to the raw outputs of its rows, in parallel over blocks of rows: a
/// leaf's rows (its range of `rows`) are in increasing order, so each block finds its own
/// by bisection.
fn add_leaf_values(raw: &mut [f64], leaves: &[(usize, usize, f64)], rows: &[u32]) {
    const BLOCK: usize = 1 << 16;
    raw.par_chunks_mut(BLOCK).enumerate().for_each(|(b, out)| {
        let (from, to) = ((b * BLOCK) as u32, (b * BLOCK + out.len()) as u32);
        for &(start, end, value) in leaves {
            let leaf = &rows[start..end];
            let first = leaf.partition_point(|&r| r < from);
            let last = leaf.partition_point(|&r| r < to);
            for &row in &leaf[first..last] {
                out[(row - from) as usize] += value;
            }
        }
    });
}

/// scikit-learn's `_should_stop`: none of the last `n` scores beats the one before them by
/// more than `tol`.
fn should_stop(scores: &[f64], n: usize, tol: f64) -> bool {
    if scores.len() < n + 1 {
        return false;
    }
    let reference = scores[scores.len() - n - 1] + tol;
    !scores[scores.len() - n..].iter().any(|&s| s > reference)
}

/// The edges a fit would bin `x` with (all rows), for checking them against scikit-learn's.
pub fn bin_edges(x: ArrayView2<f64>, max_bins: usize) -> BinEdges {
    let rows: Vec<usize> = (0..x.nrows()).collect();
    fit_edges(x, &rows, None, max_bins, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn settings() -> BoostSettings {
        BoostSettings {
            max_iter: 100,
            learning_rate: 0.1,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            max_bins: 255,
            early_stopping: EarlyStopping::Off,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
            seed: 0,
            native_categories: false,
        }
    }

    #[test]
    fn each_leaf_adds_its_value_to_its_own_rows_across_blocks() {
        // 200,000 rows in three leaves, each holding rows of every block, in order.
        let n = 200_000u32;
        let mut rows: Vec<u32> = (0..n).filter(|r| r % 3 == 0).collect();
        let first = rows.len();
        rows.extend((0..n).filter(|r| r % 3 == 1));
        let second = rows.len();
        rows.extend((0..n).filter(|r| r % 3 == 2));
        let leaves = [
            (0, first, 1.0),
            (first, second, 2.0),
            (second, rows.len(), 4.0),
        ];
        let mut raw = vec![0.5; n as usize];
        add_leaf_values(&mut raw, &leaves, &rows);
        assert!(raw
            .iter()
            .enumerate()
            .all(|(r, &v)| v == 0.5 + [1.0, 2.0, 4.0][r % 3]));
    }

    #[test]
    fn stops_when_the_last_scores_do_not_improve() {
        assert!(!should_stop(&[1.0, 2.0, 3.0], 2, 0.0));
        assert!(should_stop(&[1.0, 3.0, 2.0, 3.0], 2, 0.0));
        assert!(!should_stop(&[1.0, 3.0, 2.0, 3.5], 2, 0.0));
    }

    #[test]
    fn a_regression_fits_a_step_and_a_classifier_learns_missingness() {
        let n = 400;
        let x = Array2::from_shape_fn((n, 2), |(i, j)| {
            if j == 0 {
                i as f64
            } else if i % 3 == 0 {
                f64::NAN
            } else {
                (i % 7) as f64
            }
        });
        let values: Vec<f64> = (0..n).map(|i| if i < 200 { 1.0 } else { 5.0 }).collect();
        let fit = fit_boosted(
            Features::matrix(x.view()),
            Target::Values(&values),
            None,
            &settings(),
            &mut |_, _| true,
        )
        .unwrap_or_else(|_| panic!("fit"));
        let predicted = fit.model.values(x.view()).unwrap();
        assert!((predicted[10] - 1.0).abs() < 0.01 && (predicted[390] - 5.0).abs() < 0.01);
        // The class is whether the second feature is missing.
        let y: Vec<usize> = (0..n).map(|i| (i % 3 == 0) as usize).collect();
        let target = Target::Classes { y: &y, classes: 2 };
        let fit = fit_boosted(
            Features::matrix(x.view()),
            target,
            None,
            &settings(),
            &mut |_, _| true,
        )
        .unwrap_or_else(|_| panic!("fit"));
        let proba = fit.model.probabilities(x.view()).unwrap();
        assert!((0..n).all(|i| proba[[i, y[i]]] > 0.9));
        let root = &fit.model.trees[0][0].nodes[0];
        assert_eq!((root.feature, root.threshold), (1, f64::MAX));
    }

    #[test]
    fn row_weights_shift_the_baseline_and_the_trees_towards_heavy_rows() {
        // One row in ten is of class 1, and the feature tells the classes apart only roughly.
        let n = 600;
        let y: Vec<usize> = (0..n).map(|i| usize::from(i % 10 == 0)).collect();
        let x = Array2::from_shape_fn((n, 1), |(i, _)| {
            (i * 7919 % 101) as f64 + if y[i] == 1 { 30.0 } else { 0.0 }
        });
        let target = Target::Classes { y: &y, classes: 2 };
        let few = BoostSettings {
            max_iter: 10,
            ..settings()
        };
        let mean_proba = |weights: Option<&[f64]>| {
            let fit = fit_boosted(
                Features::matrix(x.view()),
                target,
                weights,
                &few,
                &mut |_, _| true,
            )
            .unwrap_or_else(|_| panic!("fit"));
            let proba = fit.model.probabilities(x.view()).unwrap();
            (fit.model.baseline[0], proba.column(1).mean().unwrap())
        };
        let (plain_base, plain) = mean_proba(None);
        assert!((plain_base - (1.0f64 / 9.0).ln()).abs() < 1e-12);
        // Balanced: each class weighs as much as the other in total, so the baseline is even.
        let balanced: Vec<f64> = y
            .iter()
            .map(|&c| if c == 1 { 5.0 } else { 5.0 / 9.0 })
            .collect();
        let (base, weighted) = mean_proba(Some(&balanced));
        assert!(base.abs() < 1e-12, "{base}");
        assert!(weighted > plain + 0.2, "{weighted} against {plain}");
        // Weights of 1 are no weights at all.
        assert_eq!(mean_proba(Some(&vec![1.0; n])), mean_proba(None));
    }

    #[test]
    fn early_stopping_ends_a_fit_that_no_longer_improves_and_cancel_stops_it() {
        let n = 2000;
        let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 10) as f64);
        let y: Vec<usize> = (0..n).map(|i| (i % 10 >= 5) as usize).collect();
        let target = Target::Classes { y: &y, classes: 2 };
        let early = BoostSettings {
            early_stopping: EarlyStopping::On,
            learning_rate: 1.0,
            ..settings()
        };
        let fit = fit_boosted(
            Features::matrix(x.view()),
            target,
            None,
            &early,
            &mut |_, _| true,
        )
        .unwrap_or_else(|_| panic!("fit"));
        assert!(fit.stopped_early);
        assert!(fit.model.iterations() < 100, "{}", fit.model.iterations());
        let mut calls = 0;
        let cancelled = fit_boosted(
            Features::matrix(x.view()),
            target,
            None,
            &settings(),
            &mut |_, _| {
                calls += 1;
                calls < 3
            },
        );
        assert!(matches!(cancelled, Err(BoostError::Cancelled)));
        assert_eq!(calls, 3);
    }

    /// 3,000 rows: two numbers (one with missing values), a one-hot column of 40 levels (some
    /// rows without one, one level never seen) and one of 3; the class depends on all three.
    fn design_and_classes() -> (crate::ml::prep::Design, Vec<usize>) {
        use crate::ml::prep::{Design, OneHotCodes, NO_LEVEL};
        let n = 3000;
        let hash = |i: usize, salt: usize| (i * 2_654_435_761 + salt * 40_503) % 1_000_003;
        let dense = Array2::from_shape_fn((n, 2), |(i, j)| {
            let v = (hash(i, j) % 1000) as f64 / 100.0;
            if j == 1 && i % 17 == 0 {
                f64::NAN
            } else {
                v
            }
        });
        let many: Vec<u32> = (0..n)
            .map(|i| match hash(i, 7) % 45 {
                k if k >= 40 => NO_LEVEL,
                39 => 38,
                k => k as u32,
            })
            .collect();
        let few: Vec<u32> = (0..n).map(|i| (hash(i, 11) % 3) as u32).collect();
        let y = (0..n)
            .map(|i| {
                let level_effect = if many[i] != NO_LEVEL && many[i].is_multiple_of(3) {
                    4.0
                } else {
                    0.0
                };
                let z = dense[[i, 0]] + level_effect + f64::from(few[i]) * 1.5;
                usize::from(z > 7.0) + usize::from(z > 10.0)
            })
            .collect();
        let design = Design {
            dense,
            dense_features: vec![0, 41],
            one_hot: vec![
                OneHotCodes {
                    first: 1,
                    width: 40,
                    levels: many,
                },
                OneHotCodes {
                    first: 42,
                    width: 3,
                    levels: few,
                },
            ],
            width: 45,
        };
        (design, y)
    }

    #[test]
    fn one_hot_levels_read_as_indices_grow_the_trees_of_the_indicator_matrix() {
        let (design, y) = design_and_classes();
        let dense = design.to_dense();
        let rows: Vec<usize> = (0..y.len()).collect();
        assert_eq!(
            fit_feature_edges(Features::design(&design), &rows, None, 255, 0),
            fit_edges(dense.view(), &rows, None, 255, 0)
        );
        let target = Target::Classes { y: &y, classes: 3 };
        let weights: Vec<f64> = y.iter().map(|&c| [1.0, 2.5, 0.7][c]).collect();
        for (early_stopping, weights) in [
            (EarlyStopping::Off, None),
            (EarlyStopping::On, None),
            (EarlyStopping::Off, Some(&weights[..])),
        ] {
            let settings = BoostSettings {
                max_iter: 30,
                early_stopping,
                ..settings()
            };
            let fit = |x| {
                fit_boosted(x, target, weights, &settings, &mut |_, _| true)
                    .unwrap_or_else(|_| panic!("fit"))
                    .model
            };
            let by_levels = fit(Features::design(&design));
            let by_matrix = fit(Features::matrix(dense.view()));
            // The same partitions of the training rows, so the same outputs: the sums of the
            // two inputs differ in the last bits, and a tie within rounding (two levels of a
            // column in one node with the same sums) goes to the first feature on either.
            assert_eq!(by_levels.iterations(), by_matrix.iterations());
            for (t, (a, b)) in by_levels
                .trees
                .iter()
                .flatten()
                .zip(by_matrix.trees.iter().flatten())
                .enumerate()
            {
                assert_eq!(a.leaves(), b.leaves(), "tree {t}");
            }
            let p = by_levels
                .probabilities_of(Features::design(&design))
                .unwrap();
            let q = by_matrix.probabilities(dense.view()).unwrap();
            // Held-out rows (with early stopping) may take either side of a split that two
            // levels tie on in training, when their own level was in neither.
            let differing = p
                .rows()
                .into_iter()
                .zip(q.rows())
                .filter(|(a, b)| a.iter().zip(b).any(|(x, y)| (x - y).abs() > 1e-9))
                .count();
            let allowed = match early_stopping {
                EarlyStopping::On => y.len() / 100,
                _ => 0,
            };
            assert!(
                differing <= allowed,
                "{early_stopping:?}: {differing} rows differ"
            );
            let splits_on_levels = by_levels
                .trees
                .iter()
                .flatten()
                .flat_map(|t| &t.nodes)
                .filter(|n| !n.is_leaf() && (1..41).contains(&n.feature))
                .count();
            assert!(splits_on_levels > 10, "{splits_on_levels} splits on levels");
        }
    }
}
