//! Permutation importance of a training run on the validation rows of each fold: each
//! fold's model is fitted again as validation fitted it (the same split, recipe and spec),
//! shuffles are measured on that fold's validation rows only, and the folds are pooled — a
//! column's drops over every fold and shuffle, their mean and standard deviation.

use super::eval::{TrainError, Validation};
use super::model::{fit_model, ModelError, Targets};
use super::permutation::{
    permutation_importance, ColumnImportance, PermutationError, PermutationImportance, Shuffles,
    Truth,
};
use super::prep::{fit_recipe, Recipe};
use super::spec::ModelSpec;
use super::split::{
    shuffled_holdout, shuffled_k_fold, stratified_holdout, stratified_k_fold, Fold,
};
use super::target::{class_target, value_target, Task};
use super::trained::TrainedModel;
use crate::data::Table;

/// How a training run was made: what the folds are fitted again from.
pub struct RunRecipe<'a> {
    pub table: &'a Table,
    pub target: &'a str,
    pub task: Task,
    pub recipe: &'a Recipe,
    pub spec: &'a ModelSpec,
    pub validation: Validation,
}

/// Why the folds could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum FoldPermutationError {
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Permutation(#[from] PermutationError),
}

/// The target's rows, their answers, and the folds validation split them into.
enum Answers {
    Classes(Vec<usize>, Vec<String>),
    Values(Vec<f64>),
}

fn folds(run: &RunRecipe<'_>) -> Result<(Vec<usize>, Answers, Vec<Fold>), TrainError> {
    let missing = || TrainError::NoTarget(run.target.to_string());
    Ok(match run.task {
        Task::Classification => {
            let t = class_target(run.table, run.target).ok_or_else(missing)?;
            let folds = match run.validation {
                Validation::CrossValidation { folds, seed } => {
                    stratified_k_fold(&t.y, &t.classes, folds, seed)?
                }
                Validation::Holdout { fraction, seed } => {
                    vec![stratified_holdout(&t.y, t.classes.len(), fraction, seed)?]
                }
            };
            (t.rows, Answers::Classes(t.y, t.classes), folds)
        }
        Task::Regression => {
            let t = value_target(run.table, run.target).ok_or_else(missing)?;
            let folds = match run.validation {
                Validation::CrossValidation { folds, seed } => {
                    shuffled_k_fold(t.y.len(), folds, seed)?
                }
                Validation::Holdout { fraction, seed } => {
                    vec![shuffled_holdout(t.y.len(), fraction, seed)?]
                }
            };
            (t.rows, Answers::Values(t.y), folds)
        }
    })
}

/// Fit `run`'s model on the target rows at `positions`, as validation did.
fn fit_fold(
    run: &RunRecipe<'_>,
    rows: &[usize],
    answers: &Answers,
    positions: &[usize],
    keep_going: &dyn Fn() -> bool,
) -> Result<TrainedModel, TrainError> {
    let table_rows: Vec<usize> = positions.iter().map(|&p| rows[p]).collect();
    let fitted = fit_recipe(run.recipe, run.table, &table_rows)?;
    let x = fitted.transform(run.table, &table_rows)?.x;
    let class_y: Vec<usize>;
    let value_y: Vec<f64>;
    let (targets, classes) = match answers {
        Answers::Classes(y, classes) => {
            class_y = positions.iter().map(|&p| y[p]).collect();
            (
                Targets::Classes {
                    y: &class_y,
                    classes,
                },
                classes.clone(),
            )
        }
        Answers::Values(y) => {
            value_y = positions.iter().map(|&p| y[p]).collect();
            (Targets::Values(&value_y), Vec::new())
        }
    };
    // A long fit hears a cancel between its steps, as training does.
    let fit = fit_model(run.spec, x.view(), targets, &mut |_, _| keep_going())?;
    let feature_means = x
        .mean_axis(ndarray::Axis(0))
        .map(|m| m.to_vec())
        .unwrap_or_default();
    Ok(TrainedModel {
        spec: run.spec.clone(),
        task: run.task,
        target: run.target.to_string(),
        classes,
        recipe: fitted,
        model: fit.model,
        reference: Default::default(),
        import: run.table.options.clone(),
        feature_means,
    })
}

/// Permutation importance of `run` by `metric` on each fold's validation rows, pooled over
/// the folds. Fold `i` shuffles with seed `seed + i`. `progress` hears the share done and
/// may return false to cancel.
pub fn fold_permutation_importance(
    run: &RunRecipe<'_>,
    metric: &str,
    repeats: usize,
    seed: u64,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<PermutationImportance, FoldPermutationError> {
    let (rows, answers, folds) = folds(run)?;
    let k = folds.len().max(1) as f32;
    let mut measured: Vec<PermutationImportance> = Vec::with_capacity(folds.len());
    for (i, fold) in folds.iter().enumerate() {
        if !progress(i as f32 / k) {
            return Err(PermutationError::Cancelled.into());
        }
        let model = fit_fold(run, &rows, &answers, &fold.train, &|| {
            progress(i as f32 / k)
        })
        .map_err(|e| match e {
            TrainError::Fit(ModelError::Cancelled) => PermutationError::Cancelled.into(),
            e => FoldPermutationError::Train(e),
        })?;
        let table_rows: Vec<usize> = fold.validate.iter().map(|&p| rows[p]).collect();
        let x = model
            .recipe
            .transform(run.table, &table_rows)
            .map_err(TrainError::from)?
            .x;
        let class_y: Vec<usize>;
        let value_y: Vec<f64>;
        let truth = match &answers {
            Answers::Classes(y, _) => {
                class_y = fold.validate.iter().map(|&p| y[p]).collect();
                Truth::Classes(&class_y)
            }
            Answers::Values(y) => {
                value_y = fold.validate.iter().map(|&p| y[p]).collect();
                Truth::Values(&value_y)
            }
        };
        let share = |f: f32| progress((i as f32 + 0.1 + 0.9 * f) / k);
        measured.push(permutation_importance(
            &model,
            x.view(),
            truth,
            metric,
            repeats,
            &Shuffles::Seeded(seed.wrapping_add(i as u64)),
            &share,
        )?);
    }
    Ok(pool(metric, repeats, &measured))
}

/// The model of the fold that validated `table_row`, fitted again as validation fitted it,
/// with the fold's number (from 0); `None` when no fold validated that row (a hold-out's
/// training row, or a row without a target). `keep_going` may return false to cancel the fit.
pub fn validation_model_of(
    run: &RunRecipe<'_>,
    table_row: usize,
    keep_going: &dyn Fn() -> bool,
) -> Result<Option<(usize, TrainedModel)>, TrainError> {
    let (rows, answers, folds) = folds(run)?;
    let Ok(position) = rows.binary_search(&table_row) else {
        return Ok(None);
    };
    let Some((i, fold)) = folds
        .iter()
        .enumerate()
        .find(|(_, f)| f.validate.contains(&position))
    else {
        return Ok(None);
    };
    let model = fit_fold(run, &rows, &answers, &fold.train, keep_going)?;
    Ok(Some((i, model)))
}

/// The folds' importances as one: each column's drops over every fold and shuffle.
fn pool(metric: &str, repeats: usize, folds: &[PermutationImportance]) -> PermutationImportance {
    let n = folds.len().max(1) as f64;
    let mut columns: Vec<ColumnImportance> = folds
        .first()
        .map(|f| {
            f.columns
                .iter()
                .map(|c| c.column.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .map(|column| {
            let drops: Vec<f64> = folds
                .iter()
                .flat_map(|f| f.columns.iter().filter(|c| c.column == column))
                .flat_map(|c| c.drops.iter().copied())
                .collect();
            let count = drops.len().max(1) as f64;
            let mean = drops.iter().sum::<f64>() / count;
            let std = (drops.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / count).sqrt();
            ColumnImportance {
                column,
                mean,
                std,
                drops,
            }
        })
        .collect();
    columns.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    PermutationImportance {
        metric: metric.to_string(),
        baseline: folds.iter().map(|f| f.baseline).sum::<f64>() / n,
        rows: folds.iter().map(|f| f.rows).sum(),
        repeats,
        columns,
    }
}

impl From<ModelError> for FoldPermutationError {
    fn from(error: ModelError) -> Self {
        FoldPermutationError::Train(error.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::target::sample_with_target;

    #[test]
    fn a_validation_rows_fold_model_predicts_what_validation_predicted_for_it() {
        let table = sample_with_target("penguins.csv", "species");
        let recipe = Recipe::default_for(&table);
        let spec = ModelSpec::from_name("logistic").unwrap();
        let mut run = RunRecipe {
            table: &table,
            target: "species",
            task: Task::Classification,
            recipe: &recipe,
            spec: &spec,
            validation: Validation::CrossValidation { folds: 3, seed: 0 },
        };
        let (evaluation, _) = train_and_validate(
            &table,
            "species",
            None,
            &recipe,
            &spec,
            run.validation,
            &mut |_, _| true,
        )
        .unwrap();
        for i in [0, 57, 200] {
            // Validated rows are positions among the labelled rows; penguins has a label in
            // every row, so a position is a table row.
            let row = evaluation.validated_rows[i];
            let (fold, model) = validation_model_of(&run, row, &|| true).unwrap().unwrap();
            assert!(fold < 3);
            let proba = model.predict_proba(&table, &[row]).unwrap().unwrap();
            for (k, p) in proba.row(0).iter().enumerate() {
                let validated = evaluation.validated_proba[[i, k]];
                assert!(
                    (p - validated).abs() < 1e-12,
                    "row {row}: {p} against {validated}"
                );
            }
        }
        // A hold-out's training row was validated by no fold.
        run.validation = Validation::Holdout {
            fraction: 0.25,
            seed: 0,
        };
        let (evaluation, _) = train_and_validate(
            &table,
            "species",
            None,
            &recipe,
            &spec,
            run.validation,
            &mut |_, _| true,
        )
        .unwrap();
        let trained_on = (0..table.rows())
            .find(|r| !evaluation.validated_rows.contains(r))
            .unwrap();
        assert!(validation_model_of(&run, trained_on, &|| true)
            .unwrap()
            .is_none());
    }

    #[test]
    fn each_fold_is_measured_on_its_own_validation_rows_and_the_folds_pooled() {
        let table = sample_with_target("penguins.csv", "species");
        let recipe = Recipe::default_for(&table);
        let spec = ModelSpec::from_name("decision_tree").unwrap();
        let validation = Validation::CrossValidation { folds: 3, seed: 0 };
        let run = RunRecipe {
            table: &table,
            target: "species",
            task: Task::Classification,
            recipe: &recipe,
            spec: &spec,
            validation,
        };
        let pooled = fold_permutation_importance(&run, "accuracy", 2, 0, &|_| true).unwrap();
        // Every row is a validation row once; the baseline is the folds' mean accuracy,
        // as validation measured it with the same fold models.
        let (evaluation, _) = train_and_validate(
            &table,
            "species",
            None,
            &recipe,
            &spec,
            validation,
            &mut |_, _| true,
        )
        .unwrap();
        assert_eq!(pooled.rows, evaluation.rows_used);
        assert!(
            (pooled.baseline - evaluation.mean["accuracy"]).abs() < 1e-12,
            "{} against {}",
            pooled.baseline,
            evaluation.mean["accuracy"]
        );
        for column in &pooled.columns {
            assert_eq!(column.drops.len(), 3 * 2);
        }
        assert!(pooled.columns.windows(2).all(|w| w[0].mean >= w[1].mean));
        assert!(pooled.columns[0].mean > 0.05, "{:?}", pooled.columns[0]);
        let cancelled = fold_permutation_importance(&run, "accuracy", 2, 0, &|f| f < 0.5);
        assert!(matches!(
            cancelled,
            Err(FoldPermutationError::Permutation(
                PermutationError::Cancelled
            ))
        ));
    }
}
