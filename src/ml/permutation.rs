//! Permutation importance: how much a metric drops when one column's values are shuffled
//! across the rows, breaking its link to the target (scikit-learn's
//! `sklearn.inspection.permutation_importance`, with a column's one-hot levels shuffled
//! together as the column they came from).
//!
//! The rows are transformed once; each column's block of features is then shuffled in a
//! copy of the matrix and the model predicts it again. As in scikit-learn, each column gets
//! its own row order, shuffled again (not afresh) for each repeat and applied to the column
//! as the repeat before left it.

use ndarray::{Array2, ArrayView2};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::metric_registry;
use super::metrics::{classification_metrics, regression_metrics};
use super::target::{class_target, value_target, Task};
use super::trained::TrainedModel;
use crate::data::Table;

/// The rows' true answers, in the model's own terms.
#[derive(Debug, Clone, Copy)]
pub enum Truth<'a> {
    /// Class indices into the model's classes.
    Classes(&'a [usize]),
    Values(&'a [f64]),
}

/// How the rows are shuffled: seeded, or (to compare with another tool) given as each
/// column's row order for each repeat.
pub enum Shuffles {
    Seeded(u64),
    Given(Vec<Vec<Vec<usize>>>),
}

/// One column's importance: the metric's drop (positive: the column helps) per repeat, and
/// their mean and population standard deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnImportance {
    pub column: String,
    pub mean: f64,
    pub std: f64,
    pub drops: Vec<f64>,
}

/// Permutation importances of every column, most important first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationImportance {
    /// The metric's key (`accuracy`, `roc_auc`, `r2`, …).
    pub metric: String,
    /// The metric on the rows as they are.
    pub baseline: f64,
    pub rows: usize,
    pub repeats: usize,
    pub columns: Vec<ColumnImportance>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PermutationError {
    #[error("{0} is not a metric of this model's task")]
    Metric(String),
    #[error("no row holds an answer the model knows (its target column is empty or holds other classes)")]
    NoRows,
    #[error("the rows' answers do not match the rows ({0} answers for {1} rows)")]
    Mismatch(usize, usize),
    #[error("the file has no column '{0}' with the answers to measure against")]
    NoTarget(String),
    #[error("{0}")]
    Data(String),
    #[error("cancelled")]
    Cancelled,
}

/// The rows of a table that hold an answer the model knows, transformed, with the answers.
pub struct Labelled {
    pub x: Array2<f64>,
    pub answers: Answers,
    /// Rows left out: no answer, or a class the model never saw.
    pub left_out: usize,
}

/// Owned answers, one per labelled row.
pub enum Answers {
    Classes(Vec<usize>),
    Values(Vec<f64>),
}

impl Answers {
    pub fn truth(&self) -> Truth<'_> {
        match self {
            Answers::Classes(y) => Truth::Classes(y),
            Answers::Values(y) => Truth::Values(y),
        }
    }
}

/// `table`'s rows that hold a value in `model`'s target column (for a classifier, one of its
/// classes), transformed by its recipe.
pub fn labelled_rows(model: &TrainedModel, table: &Table) -> Result<Labelled, PermutationError> {
    let missing = || PermutationError::NoTarget(model.target.clone());
    let (rows, answers, left_out) = match model.task {
        Task::Classification => {
            let target = class_target(table, &model.target).ok_or_else(missing)?;
            let mut rows = Vec::new();
            let mut y = Vec::new();
            for (&row, &class) in target.rows.iter().zip(&target.y) {
                if let Some(known) = model
                    .classes
                    .iter()
                    .position(|c| *c == target.classes[class])
                {
                    rows.push(row);
                    y.push(known);
                }
            }
            let left_out = table.rows() - rows.len();
            (rows, Answers::Classes(y), left_out)
        }
        Task::Regression => {
            let target = value_target(table, &model.target).ok_or_else(missing)?;
            (target.rows, Answers::Values(target.y), target.dropped)
        }
    };
    if rows.is_empty() {
        return Err(PermutationError::NoRows);
    }
    let x = model
        .recipe
        .transform(table, &rows)
        .map_err(|e| PermutationError::Data(e.to_string()))?
        .x;
    Ok(Labelled {
        x,
        answers,
        left_out,
    })
}

/// The metric `key` of `model`'s predictions for `x` against `truth`.
pub fn metric_value(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    truth: Truth<'_>,
    key: &str,
) -> Result<f64, PermutationError> {
    let unknown = || PermutationError::Metric(key.to_string());
    match (truth, model.task) {
        (Truth::Classes(y), Task::Classification) => {
            let k = model.classes.len();
            let proba = model.model.predict_proba(x, k).ok_or_else(unknown)?;
            classification_value(y, &proba, &model.classes, key).ok_or_else(unknown)
        }
        (Truth::Values(y), Task::Regression) => {
            let predicted = model.model.predict_values(x).ok_or_else(unknown)?;
            let metrics =
                regression_metrics(y, predicted.as_slice().unwrap_or(&predicted.to_vec()));
            metrics
                .scalars()
                .into_iter()
                .find(|(name, _)| *name == key)
                .map(|(_, v)| v)
                .ok_or_else(unknown)
        }
        _ => Err(unknown()),
    }
}

/// Accuracy straight from the probabilities (the common case, and the cheap one); every
/// other metric through the full set.
fn classification_value(
    y: &[usize],
    proba: &Array2<f64>,
    classes: &[String],
    key: &str,
) -> Option<f64> {
    let predicted = super::eval::argmax_rows(proba);
    if key == "accuracy" {
        let hits = y.iter().zip(&predicted).filter(|(a, b)| a == b).count();
        return Some(hits as f64 / y.len().max(1) as f64);
    }
    classification_metrics(y, &predicted, proba, classes)
        .scalars()
        .into_iter()
        .find(|(name, _)| *name == key)
        .map(|(_, v)| v)
}

/// Each column's block of features in the transformed matrix, in the recipe's order.
fn column_blocks(model: &TrainedModel) -> Vec<(String, std::ops::Range<usize>)> {
    let mut at = 0;
    model
        .recipe
        .columns
        .iter()
        .map(|c| {
            let width = c.step.width();
            at += width;
            (c.column.clone(), at - width..at)
        })
        .collect()
}

/// Permutation importance of every column of `model` on the transformed rows `x` with their
/// answers `truth`, by `metric`, over `repeats` shuffles. `progress` hears the share done
/// and may return false to cancel.
pub fn permutation_importance(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    truth: Truth<'_>,
    metric: &str,
    repeats: usize,
    shuffles: &Shuffles,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<PermutationImportance, PermutationError> {
    let rows = x.nrows();
    let answers = match truth {
        Truth::Classes(y) => y.len(),
        Truth::Values(y) => y.len(),
    };
    if rows == 0 {
        return Err(PermutationError::NoRows);
    }
    if answers != rows {
        return Err(PermutationError::Mismatch(answers, rows));
    }
    let baseline = metric_value(model, x, truth, metric)?;
    let higher = metric_registry::higher_is_better(metric);
    let blocks = column_blocks(model);
    let total = blocks.len() * repeats;
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Vec<Result<ColumnImportance, PermutationError>> = blocks
        .par_iter()
        .enumerate()
        .map(|(c, (column, block))| {
            let mut shuffled = x.to_owned();
            let mut order: Vec<usize> = (0..rows).collect();
            let mut rng = StdRng::seed_from_u64(match shuffles {
                Shuffles::Seeded(seed) => seed ^ (c as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                Shuffles::Given(_) => 0,
            });
            let mut drops = Vec::with_capacity(repeats);
            for repeat in 0..repeats {
                if stop.load(Ordering::Relaxed) {
                    return Err(PermutationError::Cancelled);
                }
                match shuffles {
                    Shuffles::Seeded(_) => order.shuffle(&mut rng),
                    Shuffles::Given(given) => order.clone_from(&given[c][repeat]),
                }
                // As scikit-learn does: the column as shuffled so far, reordered again.
                for j in block.clone() {
                    let current = shuffled.column(j).to_vec();
                    let mut target = shuffled.column_mut(j);
                    for (i, &from) in order.iter().enumerate() {
                        target[i] = current[from];
                    }
                }
                let value = metric_value(model, shuffled.view(), truth, metric)?;
                drops.push(if higher {
                    baseline - value
                } else {
                    value - baseline
                });
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                if !progress(finished as f32 / total.max(1) as f32) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(PermutationError::Cancelled);
                }
            }
            let n = drops.len().max(1) as f64;
            let mean = drops.iter().sum::<f64>() / n;
            let std = (drops.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n).sqrt();
            Ok(ColumnImportance {
                column: column.clone(),
                mean,
                std,
                drops,
            })
        })
        .collect();
    let mut columns = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    columns.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    Ok(PermutationImportance {
        metric: metric.to_string(),
        baseline,
        rows,
        repeats,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{import_csv, ImportOptions, Progress, Role};
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::prep::Recipe;
    use crate::ml::spec::ModelSpec;

    fn penguins_logistic() -> (TrainedModel, Table) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/penguins.csv");
        let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default()).unwrap();
        let index = table
            .columns
            .iter()
            .position(|c| c.name == "species")
            .unwrap();
        table.set_role(index, Role::Target);
        let spec = ModelSpec::from_name("logistic").unwrap();
        let holdout = Validation::Holdout {
            fraction: 0.25,
            seed: 0,
        };
        let recipe = Recipe::default_for(&table);
        let (_, model) = train_and_validate(
            &table,
            "species",
            None,
            &recipe,
            &spec,
            holdout,
            &mut |_, _| true,
        )
        .unwrap();
        (model, table)
    }

    #[test]
    fn a_categorys_levels_are_shuffled_together_and_a_seed_repeats_the_result() {
        let (model, table) = penguins_logistic();
        let labelled = labelled_rows(&model, &table).unwrap();
        assert_eq!(labelled.left_out, 0);
        let run = |seed| {
            permutation_importance(
                &model,
                labelled.x.view(),
                labelled.answers.truth(),
                "accuracy",
                4,
                &Shuffles::Seeded(seed),
                &|_| true,
            )
            .unwrap()
        };
        let first = run(7);
        assert_eq!(first, run(7));
        assert_ne!(first, run(8));
        // One entry per column of the data, the category as one.
        let mut names: Vec<&str> = first.columns.iter().map(|c| c.column.as_str()).collect();
        names.sort();
        let mut expected: Vec<&str> = model
            .recipe
            .columns
            .iter()
            .map(|c| c.column.as_str())
            .collect();
        expected.sort();
        assert_eq!(names, expected);
        assert!(names.contains(&"island"));
        assert!(first.columns.windows(2).all(|w| w[0].mean >= w[1].mean));
        for column in &first.columns {
            assert_eq!(column.drops.len(), 4);
            let mean = column.drops.iter().sum::<f64>() / 4.0;
            assert!((column.mean - mean).abs() < 1e-15);
        }
        // Bills tell the species apart: shuffling their length costs accuracy.
        let bill = first
            .columns
            .iter()
            .find(|c| c.column == "bill_length_mm")
            .unwrap();
        assert!(bill.mean > 0.05, "{bill:?}");
        // A loss drops the other way round: a worse log loss is a positive importance.
        let loss = permutation_importance(
            &model,
            labelled.x.view(),
            labelled.answers.truth(),
            "log_loss",
            2,
            &Shuffles::Seeded(1),
            &|_| true,
        )
        .unwrap();
        assert!(loss.columns[0].mean > 0.0);
    }

    #[test]
    fn it_stops_when_asked_and_refuses_what_it_cannot_measure() {
        let (model, table) = penguins_logistic();
        let labelled = labelled_rows(&model, &table).unwrap();
        let cancelled = permutation_importance(
            &model,
            labelled.x.view(),
            labelled.answers.truth(),
            "accuracy",
            3,
            &Shuffles::Seeded(0),
            &|done| done < 0.2,
        );
        assert_eq!(cancelled, Err(PermutationError::Cancelled));
        let wrong = permutation_importance(
            &model,
            labelled.x.view(),
            labelled.answers.truth(),
            "r2",
            1,
            &Shuffles::Seeded(0),
            &|_| true,
        );
        assert_eq!(wrong, Err(PermutationError::Metric("r2".into())));
        let mut unlabelled = table.clone();
        unlabelled.columns.retain(|c| c.name != "species");
        assert_eq!(
            labelled_rows(&model, &unlabelled).err(),
            Some(PermutationError::NoTarget("species".into()))
        );
    }
}
