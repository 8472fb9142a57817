//! Validation of one model spec on one table: stratified splits, a fit per fold on its
//! training rows only (recipe included), metrics per fold with mean ± std, out-of-fold
//! predictions pooled for curves, and the final model refitted on all rows.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use thiserror::Error;

use super::logistic::{fit_logistic, FitError, LogisticModel};
use super::metrics::{classification_metrics, ClassificationMetrics};
use super::prep::{fit_recipe, FittedRecipe, PrepError, Recipe};
use super::spec::{ModelSpec, SpecError};
use super::split::{stratified_holdout, stratified_k_fold, Fold, SplitError};
use super::target::{class_target, infer_task, ClassTarget, Task};
use crate::data::Table;

/// How to validate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum Validation {
    /// Stratified k-fold cross-validation.
    CrossValidation { folds: usize, seed: u64 },
    /// Stratified hold-out of a fraction of the rows.
    Holdout { fraction: f64, seed: u64 },
}

impl Default for Validation {
    fn default() -> Self {
        Validation::CrossValidation { folds: 5, seed: 0 }
    }
}

/// Why training could not produce a model, in words for the user.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TrainError {
    #[error("there is no column named '{0}' to predict")]
    NoTarget(String),
    #[error("'{0}' holds numbers with many distinct values: that is a regression target, which this build cannot train yet")]
    Regression(String),
    #[error(
        "the target '{column}' has a single class ('{class}'): there is nothing to tell apart"
    )]
    SingleClass { column: String, class: String },
    #[error(transparent)]
    Split(#[from] SplitError),
    #[error(transparent)]
    Prep(#[from] PrepError),
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Fit(#[from] FitError),
}

/// A trained classifier: the fitted recipe, the class names and the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    pub spec: ModelSpec,
    pub target: String,
    pub classes: Vec<String>,
    pub recipe: FittedRecipe,
    pub model: LogisticModel,
}

impl TrainedModel {
    /// Class probabilities for `rows` of `table`, applying exactly the fitted recipe.
    pub fn predict_proba(&self, table: &Table, rows: &[usize]) -> Result<Array2<f64>, PrepError> {
        let transformed = self.recipe.transform(table, rows)?;
        Ok(self.model.predict_proba(transformed.x.view()))
    }
}

/// What validation measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub task: Task,
    pub algorithm: String,
    pub target: String,
    pub classes: Vec<String>,
    pub validation: Validation,
    /// Rows with a target value.
    pub rows_used: usize,
    /// Rows left out because the target is missing.
    pub rows_dropped: usize,
    /// Metrics of each fold (one for a hold-out).
    pub folds: Vec<ClassificationMetrics>,
    /// Mean and (sample) standard deviation over folds of each scalar metric.
    pub mean: BTreeMap<&'static str, f64>,
    pub std: BTreeMap<&'static str, f64>,
    /// Metrics of all out-of-fold predictions together (curves are drawn from these).
    pub pooled: ClassificationMetrics,
    /// Out-of-fold rows (positions into the target's rows), their classes and probabilities.
    #[serde(skip)]
    pub validated_rows: Vec<usize>,
    #[serde(skip)]
    pub validated_y: Vec<usize>,
    #[serde(skip)]
    pub validated_proba: Array2<f64>,
    /// Things to know, such as an optimiser that stopped before converging.
    pub warnings: Vec<String>,
    pub train_seconds: f64,
    /// Where the time went, stage by stage.
    pub timings: Vec<StageTiming>,
}

/// How long one step of one stage of a training run took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTiming {
    /// "fold 2" or "final".
    pub stage: String,
    /// "recipe", "transform", "fit", "predict" or "metrics".
    pub step: &'static str,
    pub seconds: f64,
    /// Optimiser iterations, for a fit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
}

/// What the fits of one run share: the stopwatch, and the memory of the training matrix,
/// handed from fit to fit.
struct Workspace {
    clock: Stopwatch,
    matrix: Vec<f64>,
}

/// Collects [`StageTiming`]s.
struct Stopwatch {
    stage: String,
    at: Instant,
    timings: Vec<StageTiming>,
}

impl Stopwatch {
    fn new() -> Self {
        Stopwatch {
            stage: String::new(),
            at: Instant::now(),
            timings: Vec::new(),
        }
    }

    /// Start timing the steps of `stage`.
    fn stage(&mut self, stage: String) {
        self.stage = stage;
        self.at = Instant::now();
    }

    /// The step that ends now began when the previous one ended.
    fn lap(&mut self, step: &'static str, iterations: Option<u64>) {
        let now = Instant::now();
        self.timings.push(StageTiming {
            stage: self.stage.clone(),
            step,
            seconds: (now - self.at).as_secs_f64(),
            iterations,
        });
        self.at = now;
    }
}

/// Progress of a training run: fraction done and what is happening. Returning false cancels.
pub type TrainProgress<'a> = dyn FnMut(f32, &str) -> bool + 'a;

/// Validate `spec` on `table` predicting `target`, then refit on every row.
pub fn train_and_validate(
    table: &Table,
    target: &str,
    recipe: &Recipe,
    spec: &ModelSpec,
    validation: Validation,
    progress: &mut TrainProgress<'_>,
) -> Result<(Evaluation, TrainedModel), TrainError> {
    let started = Instant::now();
    spec.validate()?;
    let column = table
        .column(target)
        .ok_or_else(|| TrainError::NoTarget(target.to_string()))?;
    if infer_task(column) == Task::Regression {
        return Err(TrainError::Regression(target.to_string()));
    }
    let classes =
        class_target(table, target).ok_or_else(|| TrainError::NoTarget(target.to_string()))?;
    if classes.classes.len() < 2 {
        return Err(TrainError::SingleClass {
            column: target.to_string(),
            class: classes.classes.first().cloned().unwrap_or_default(),
        });
    }
    let folds = match validation {
        Validation::CrossValidation { folds, seed } => {
            stratified_k_fold(&classes.y, &classes.classes, folds, seed)?
        }
        Validation::Holdout { fraction, seed } => {
            vec![stratified_holdout(
                &classes.y,
                classes.classes.len(),
                fraction,
                seed,
            )?]
        }
    };
    let ModelSpec::LogisticRegression(logistic) = spec;
    let stages = folds.len() + 1;
    let mut warnings = Vec::new();
    let mut fold_metrics = Vec::new();
    let mut validated_rows = Vec::new();
    let mut validated_y = Vec::new();
    let mut validated_proba = Array2::zeros((0, classes.classes.len()));
    let mut work = Workspace {
        clock: Stopwatch::new(),
        matrix: Vec::new(),
    };
    for (i, fold) in folds.iter().enumerate() {
        let stage = format!("fold {}/{}, {}", i + 1, folds.len(), spec.title());
        work.clock.stage(format!("fold {}", i + 1));
        let (model, fitted) = fit_on(
            table,
            recipe,
            &classes,
            fold,
            logistic,
            &mut work,
            &mut |it| {
                let fraction =
                    (i as f32 + it as f32 / logistic.max_iterations as f32) / stages as f32;
                progress(fraction, &format!("{stage}, iteration {it}"))
            },
        )?;
        if !fitted.1 {
            warnings.push(format!(
                "{} did not converge in {} iterations on fold {}; raise the iteration limit or lower C",
                spec.title(),
                fitted.0,
                i + 1
            ));
        }
        let table_rows: Vec<usize> = fold.validate.iter().map(|&p| classes.rows[p]).collect();
        let proba = model.predict_proba(table, &table_rows)?;
        work.clock.lap("predict", None);
        let fraction = (i + 1) as f32 / stages as f32;
        if !progress(fraction, &format!("{stage}, validating")) {
            return Err(FitError::Cancelled.into());
        }
        let y_true: Vec<usize> = fold.validate.iter().map(|&p| classes.y[p]).collect();
        let y_pred = argmax_rows(&proba);
        fold_metrics.push(classification_metrics(
            &y_true,
            &y_pred,
            &proba,
            &classes.classes,
        ));
        work.clock.lap("metrics", None);
        validated_rows.extend_from_slice(&fold.validate);
        validated_y.extend_from_slice(&y_true);
        validated_proba = ndarray::concatenate![ndarray::Axis(0), validated_proba, proba];
    }
    let pooled = match fold_metrics.as_slice() {
        // A hold-out's pooled predictions are its one fold's.
        [only] => only.clone(),
        _ => classification_metrics(
            &validated_y,
            &argmax_rows(&validated_proba),
            &validated_proba,
            &classes.classes,
        ),
    };
    let fraction = folds.len() as f32 / stages as f32;
    if !progress(
        fraction,
        &format!("final fit on all rows, {}", spec.title()),
    ) {
        return Err(FitError::Cancelled.into());
    }
    let (mean, std) = summarise(&fold_metrics);

    let all = Fold {
        train: (0..classes.rows.len()).collect(),
        validate: Vec::new(),
    };
    let stage = format!("final fit on all rows, {}", spec.title());
    work.clock.stage("final".to_string());
    let (final_model, report) = fit_on(
        table,
        recipe,
        &classes,
        &all,
        logistic,
        &mut work,
        &mut |it| {
            let fraction =
                (folds.len() as f32 + it as f32 / logistic.max_iterations as f32) / stages as f32;
            progress(fraction, &format!("{stage}, iteration {it}"))
        },
    )?;
    if !report.1 {
        warnings.push(format!(
            "{} did not converge in {} iterations on the final fit",
            spec.title(),
            report.0
        ));
    }
    progress(1.0, "done");
    let evaluation = Evaluation {
        task: Task::Classification,
        algorithm: spec.name().to_string(),
        target: target.to_string(),
        classes: classes.classes.clone(),
        validation,
        rows_used: classes.rows.len(),
        rows_dropped: classes.dropped,
        folds: fold_metrics,
        mean,
        std,
        pooled,
        validated_rows,
        validated_y,
        validated_proba,
        warnings,
        train_seconds: started.elapsed().as_secs_f64(),
        timings: work.clock.timings,
    };
    Ok((evaluation, final_model))
}

/// Fit the recipe and the model on the fold's training rows. Returns the model and
/// (iterations, converged).
fn fit_on(
    table: &Table,
    recipe: &Recipe,
    classes: &ClassTarget,
    fold: &Fold,
    spec: &super::spec::LogisticSpec,
    work: &mut Workspace,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<(TrainedModel, (u64, bool)), TrainError> {
    let rows: Vec<usize> = fold.train.iter().map(|&p| classes.rows[p]).collect();
    let y: Vec<usize> = fold.train.iter().map(|&p| classes.y[p]).collect();
    let fitted = fit_recipe(recipe, table, &rows)?;
    work.clock.lap("recipe", None);
    // Neither step can stop halfway; a cancel is heard between them.
    if !progress(0) {
        return Err(FitError::Cancelled.into());
    }
    let x = fitted
        .transform_into(table, &rows, std::mem::take(&mut work.matrix))?
        .x;
    work.clock.lap("transform", None);
    let (model, report) = fit_logistic(x.view(), &y, classes.classes.len(), spec, progress)?;
    work.clock.lap("fit", Some(report.iterations));
    work.matrix = x.into_raw_vec_and_offset().0;
    let trained = TrainedModel {
        spec: ModelSpec::LogisticRegression(spec.clone()),
        target: classes.column.clone(),
        classes: classes.classes.clone(),
        recipe: fitted,
        model,
    };
    Ok((trained, (report.iterations, report.converged)))
}

/// The most probable class of each row (first wins a tie, as numpy's argmax).
pub fn argmax_rows(proba: &Array2<f64>) -> Vec<usize> {
    proba
        .rows()
        .into_iter()
        .map(|row| {
            let mut best = 0;
            for (j, &p) in row.iter().enumerate() {
                if p > row[best] {
                    best = j;
                }
            }
            best
        })
        .collect()
}

type Summary = BTreeMap<&'static str, f64>;

fn summarise(folds: &[ClassificationMetrics]) -> (Summary, Summary) {
    let mut values: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
    for fold in folds {
        for (name, value) in fold.scalars() {
            values.entry(name).or_default().push(value);
        }
    }
    let mut mean = BTreeMap::new();
    let mut std = BTreeMap::new();
    for (name, v) in values {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let s = if v.len() > 1 {
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        mean.insert(name, m);
        std.insert(name, s);
    }
    (mean, std)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::target::sample_with_target as sample;

    #[test]
    fn iris_cross_validation_is_accurate_and_complete() {
        let table = sample("iris.csv", "species");
        let recipe = Recipe::default_for(&table);
        let spec = ModelSpec::from_name("logistic_regression").unwrap();
        let mut stages = Vec::new();
        let (evaluation, model) = train_and_validate(
            &table,
            "species",
            &recipe,
            &spec,
            Validation::default(),
            &mut |f, s| {
                stages.push((f, s.to_string()));
                true
            },
        )
        .unwrap();
        assert_eq!(evaluation.folds.len(), 5);
        assert_eq!(evaluation.validated_y.len(), 150);
        assert!(evaluation.mean["accuracy"] > 0.93, "{:?}", evaluation.mean);
        assert!(stages
            .iter()
            .any(|(_, s)| s.starts_with("fold 3/5, logistic regression, iteration")));
        assert!(
            stages.windows(2).all(|w| w[0].0 <= w[1].0 + 1e-6),
            "progress only grows"
        );
        let proba = model.predict_proba(&table, &[0, 149]).unwrap();
        assert_eq!(model.classes, vec!["setosa", "versicolor", "virginica"]);
        assert!(proba[[0, 0]] > 0.9 && proba[[1, 2]] > 0.5);
    }

    #[test]
    fn cross_validated_accuracy_is_within_a_point_of_scikit_learn() {
        // scikit-learn 1.9.1: the same recipe in a Pipeline, LogisticRegression() with its
        // defaults, StratifiedKFold(5, shuffle=True, random_state=0). Its folds are not ours,
        // so the means may differ a little, but not by more than a point.
        let samples = [
            ("penguins.csv", "species", 0.9884),
            ("breast_cancer.csv", "diagnosis", 0.9789),
            ("iris.csv", "species", 0.9600),
            ("wine.csv", "cultivar", 0.9832),
        ];
        for (file, target, scikit_learn) in samples {
            let table = sample(file, target);
            let recipe = Recipe::default_for(&table);
            let spec = ModelSpec::from_name("logistic_regression").unwrap();
            let (evaluation, _) = train_and_validate(
                &table,
                target,
                &recipe,
                &spec,
                Validation::default(),
                &mut |_, _| true,
            )
            .unwrap();
            let accuracy = evaluation.mean["accuracy"];
            assert!(
                (accuracy - scikit_learn).abs() <= 0.01,
                "{file}: accuracy {accuracy:.4}, scikit-learn {scikit_learn:.4}"
            );
            assert!(evaluation.warnings.is_empty(), "{:?}", evaluation.warnings);
        }
    }

    #[test]
    fn cancelling_and_bad_requests_are_errors() {
        let table = sample("iris.csv", "species");
        let recipe = Recipe::default_for(&table);
        let spec = ModelSpec::from_name("logistic_regression").unwrap();
        let cancelled = train_and_validate(
            &table,
            "species",
            &recipe,
            &spec,
            Validation::default(),
            &mut |_, _| false,
        );
        assert_eq!(cancelled.unwrap_err(), TrainError::Fit(FitError::Cancelled));
        let too_many = Validation::CrossValidation { folds: 60, seed: 0 };
        assert!(
            train_and_validate(&table, "species", &recipe, &spec, too_many, &mut |_, _| {
                true
            })
            .is_err()
        );
        let missing = train_and_validate(
            &table,
            "nope",
            &recipe,
            &spec,
            Validation::default(),
            &mut |_, _| true,
        );
        assert_eq!(
            missing.unwrap_err().to_string(),
            "there is no column named 'nope' to predict"
        );
    }
}
