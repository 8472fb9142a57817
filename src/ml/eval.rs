//! Validation of one model spec on one table: stratified splits, a fit per fold on its
//! training rows only (recipe included), metrics per fold with mean ± std, out-of-fold
//! predictions pooled for curves, and the final model refitted on all rows.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use thiserror::Error;

use super::drift_reference::{reference, DriftReference};
use super::metrics::{
    classification_metrics, regression_metrics, ClassificationMetrics, RegressionMetrics,
};
use super::model::{fit_model, fit_model_design, ModelError, Targets};
use super::prep::{fit_recipe, PrepError, Recipe};
use super::spec::{ModelSpec, SpecError};
use super::split::{
    shuffled_holdout, shuffled_k_fold, stratified_holdout, stratified_k_fold, Fold, SplitError,
};
use super::target::{class_target, infer_task, value_target, ClassTarget, Task, ValueTarget};
pub use super::trained::{Predicted, TrainedModel};
use crate::data::Table;

/// A classification target with more classes than this is almost surely a quantity.
const MAX_CLASSES: usize = 200;

/// How to validate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum Validation {
    /// k-fold cross-validation (stratified for classification, shuffled for regression).
    CrossValidation { folds: usize, seed: u64 },
    /// A hold-out of a fraction of the rows (stratified for classification).
    Holdout { fraction: f64, seed: u64 },
}

impl Default for Validation {
    fn default() -> Self {
        Validation::CrossValidation { folds: 5, seed: 0 }
    }
}

impl Validation {
    /// "5-fold cross-validation, seed 0".
    pub fn describe(&self) -> String {
        match self {
            Validation::CrossValidation { folds, seed } => {
                format!("{folds}-fold cross-validation, seed {seed}")
            }
            Validation::Holdout { fraction, seed } => {
                format!("hold-out of {:.0}%, seed {seed}", fraction * 100.0)
            }
        }
    }
}

/// Why training could not produce a model, in words for the user.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TrainError {
    #[error("there is no column named '{0}' to predict")]
    NoTarget(String),
    #[error("'{0}' holds text, so it cannot be a regression target; train a classifier")]
    TextTarget(String),
    #[error(
        "'{column}' has {classes} distinct values: that is a quantity, so train a regression model"
    )]
    TooManyClasses { column: String, classes: usize },
    #[error("'{column}' is a {task} target; {algorithm} does not fit it")]
    WrongTask {
        column: String,
        task: &'static str,
        algorithm: &'static str,
    },
    #[error(
        "the target '{column}' has a single class ('{class}'): there is nothing to tell apart"
    )]
    SingleClass { column: String, class: String },
    #[error("the target '{0}' has fewer than two values to learn from")]
    TooFewRows(String),
    #[error(transparent)]
    Split(#[from] SplitError),
    #[error(transparent)]
    Prep(#[from] PrepError),
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Fit(#[from] ModelError),
}

/// The metrics of one set of predictions, of either task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Metrics {
    Classification(ClassificationMetrics),
    Regression(RegressionMetrics),
}

impl Metrics {
    /// The scalar metrics by their snake_case names.
    pub fn scalars(&self) -> Vec<(&'static str, f64)> {
        match self {
            Metrics::Classification(m) => m.scalars(),
            Metrics::Regression(m) => m.scalars(),
        }
    }

    /// The classification metrics, if these are.
    pub fn classification(&self) -> Option<&ClassificationMetrics> {
        match self {
            Metrics::Classification(m) => Some(m),
            Metrics::Regression(_) => None,
        }
    }

    /// The regression metrics, if these are.
    pub fn regression(&self) -> Option<&RegressionMetrics> {
        match self {
            Metrics::Regression(m) => Some(m),
            Metrics::Classification(_) => None,
        }
    }
}

/// What validation measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub task: Task,
    pub algorithm: String,
    /// The parameters in one line.
    pub parameters: String,
    pub target: String,
    /// Class names (classification); empty for regression.
    pub classes: Vec<String>,
    pub validation: Validation,
    /// Rows with a target value.
    pub rows_used: usize,
    /// Rows left out because the target is missing.
    pub rows_dropped: usize,
    /// Metrics of each fold (one for a hold-out).
    pub folds: Vec<Metrics>,
    /// Mean and (sample) standard deviation over folds of each scalar metric.
    pub mean: BTreeMap<&'static str, f64>,
    pub std: BTreeMap<&'static str, f64>,
    /// Metrics of all out-of-fold predictions together (curves are drawn from these).
    pub pooled: Metrics,
    /// Out-of-fold rows (positions into the target's rows).
    #[serde(skip)]
    pub validated_rows: Vec<usize>,
    /// Classification: the true classes and predicted probabilities of those rows.
    #[serde(skip)]
    pub validated_y: Vec<usize>,
    #[serde(skip)]
    pub validated_proba: Array2<f64>,
    /// Regression: the true and the predicted values of those rows.
    #[serde(skip)]
    pub validated_values: Vec<f64>,
    #[serde(skip)]
    pub predicted_values: Vec<f64>,
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

/// The target read for the task.
enum Problem {
    Classes(ClassTarget),
    Values(ValueTarget),
}

impl Problem {
    fn rows(&self) -> &[usize] {
        match self {
            Problem::Classes(c) => &c.rows,
            Problem::Values(v) => &v.rows,
        }
    }

    fn task(&self) -> Task {
        match self {
            Problem::Classes(_) => Task::Classification,
            Problem::Values(_) => Task::Regression,
        }
    }

    fn dropped(&self) -> usize {
        match self {
            Problem::Classes(c) => c.dropped,
            Problem::Values(v) => v.dropped,
        }
    }

    fn classes(&self) -> Vec<String> {
        match self {
            Problem::Classes(c) => c.classes.clone(),
            Problem::Values(_) => Vec::new(),
        }
    }
}

/// Validate `spec` on `table` predicting `target`, then refit on every row. `task` overrides
/// the task inferred from the target column.
pub fn train_and_validate(
    table: &Table,
    target: &str,
    task: Option<Task>,
    recipe: &Recipe,
    spec: &ModelSpec,
    validation: Validation,
    progress: &mut TrainProgress<'_>,
) -> Result<(Evaluation, TrainedModel), TrainError> {
    let started = Instant::now();
    let problem = read_problem(table, target, task, spec)?;
    let folds = split(&problem, validation)?;
    let mut evaluation = empty_evaluation(target, spec, &problem, validation);
    let mut run = Run {
        table,
        recipe,
        problem: &problem,
        spec,
        stages: folds.len() + 1,
        work: Workspace {
            clock: Stopwatch::new(),
            matrix: Vec::new(),
        },
        progress,
    };
    for (i, fold) in folds.iter().enumerate() {
        run.validate_fold(i, fold, &mut evaluation)?;
    }
    evaluation.pooled = pooled_metrics(&problem, &evaluation);
    if let Some(warning) = undefined_probabilities(&evaluation.validated_proba) {
        evaluation
            .warnings
            .push(format!("{}: {warning}", spec.title()));
    }
    (evaluation.mean, evaluation.std) = summarise(&evaluation.folds);
    let final_model = run.final_fit(&mut evaluation.warnings)?;
    (run.progress)(1.0, "done");
    evaluation.train_seconds = started.elapsed().as_secs_f64();
    evaluation.timings = run.work.clock.timings;
    Ok((evaluation, final_model))
}

/// The target read for the task (inferred unless given), once the spec's parameters and its
/// task are checked.
fn read_problem(
    table: &Table,
    target: &str,
    task: Option<Task>,
    spec: &ModelSpec,
) -> Result<Problem, TrainError> {
    spec.validate()?;
    let column = table
        .column(target)
        .ok_or_else(|| TrainError::NoTarget(target.to_string()))?;
    let task = task.unwrap_or_else(|| infer_task(column));
    if !spec.supports(task) {
        return Err(TrainError::WrongTask {
            column: target.to_string(),
            task: task.noun(),
            algorithm: spec.title(),
        });
    }
    let problem = read_target(table, target, task)?;
    if let Problem::Classes(c) = &problem {
        spec.check_classes(&c.classes)?;
    }
    Ok(problem)
}

/// The folds of `validation`: stratified for classes, shuffled for values.
fn split(problem: &Problem, validation: Validation) -> Result<Vec<Fold>, SplitError> {
    Ok(match (problem, validation) {
        (Problem::Classes(c), Validation::CrossValidation { folds, seed }) => {
            stratified_k_fold(&c.y, &c.classes, folds, seed)?
        }
        (Problem::Classes(c), Validation::Holdout { fraction, seed }) => {
            vec![stratified_holdout(&c.y, c.classes.len(), fraction, seed)?]
        }
        (Problem::Values(v), Validation::CrossValidation { folds, seed }) => {
            shuffled_k_fold(v.y.len(), folds, seed)?
        }
        (Problem::Values(v), Validation::Holdout { fraction, seed }) => {
            vec![shuffled_holdout(v.y.len(), fraction, seed)?]
        }
    })
}

/// An evaluation with nothing measured yet.
fn empty_evaluation(
    target: &str,
    spec: &ModelSpec,
    problem: &Problem,
    validation: Validation,
) -> Evaluation {
    Evaluation {
        task: problem.task(),
        algorithm: spec.name().to_string(),
        parameters: spec.summary(),
        target: target.to_string(),
        classes: problem.classes(),
        validation,
        rows_used: problem.rows().len(),
        rows_dropped: problem.dropped(),
        folds: Vec::new(),
        mean: BTreeMap::new(),
        std: BTreeMap::new(),
        pooled: Metrics::Regression(regression_metrics(&[], &[])),
        validated_rows: Vec::new(),
        validated_y: Vec::new(),
        validated_proba: Array2::zeros((0, problem.classes().len())),
        validated_values: Vec::new(),
        predicted_values: Vec::new(),
        warnings: Vec::new(),
        train_seconds: 0.0,
        timings: Vec::new(),
    }
}

/// The metrics of all out-of-fold predictions together.
fn pooled_metrics(problem: &Problem, evaluation: &Evaluation) -> Metrics {
    match (problem, evaluation.folds.as_slice()) {
        // A hold-out's pooled predictions are its one fold's.
        (_, [only]) => only.clone(),
        (Problem::Classes(c), _) => Metrics::Classification(classification_metrics(
            &evaluation.validated_y,
            &argmax_rows(&evaluation.validated_proba),
            &evaluation.validated_proba,
            &c.classes,
        )),
        (Problem::Values(_), _) => Metrics::Regression(regression_metrics(
            &evaluation.validated_values,
            &evaluation.predicted_values,
        )),
    }
}

/// One training run: what each of its fits reads, and what they share.
struct Run<'a, 'p> {
    table: &'a Table,
    recipe: &'a Recipe,
    problem: &'a Problem,
    spec: &'a ModelSpec,
    /// A fit per fold, then the final fit.
    stages: usize,
    work: Workspace,
    progress: &'a mut TrainProgress<'p>,
}

impl Run<'_, '_> {
    /// Fit on fold `i`'s training rows, then predict and measure its validation rows.
    fn validate_fold(
        &mut self,
        i: usize,
        fold: &Fold,
        evaluation: &mut Evaluation,
    ) -> Result<(), TrainError> {
        let folds = self.stages - 1;
        let stage = format!("fold {}/{folds}, {}", i + 1, self.spec.title());
        self.work.clock.stage(format!("fold {}", i + 1));
        let (model, unconverged) = self.fit_stage(i, &stage, &fold.train)?;
        if let Some(iterations) = unconverged {
            evaluation.warnings.push(format!(
                "{} did not converge in {iterations} iterations on fold {}; raise the iteration limit or strengthen the penalty",
                self.spec.title(),
                i + 1
            ));
        }
        evaluation.validated_rows.extend_from_slice(&fold.validate);
        let done = (i + 1) as f32 / self.stages as f32;
        if !(self.progress)(done, &format!("{stage}, validating")) {
            return Err(ModelError::Cancelled.into());
        }
        let metrics = self.measure(&model, &fold.validate, evaluation)?;
        self.work.clock.lap("metrics", None);
        evaluation.folds.push(metrics);
        Ok(())
    }

    /// Predict the validation rows at `positions`, keep the predictions for the pooled
    /// metrics and curves, and measure them.
    fn measure(
        &mut self,
        model: &TrainedModel,
        positions: &[usize],
        evaluation: &mut Evaluation,
    ) -> Result<Metrics, TrainError> {
        let rows: Vec<usize> = positions.iter().map(|&p| self.problem.rows()[p]).collect();
        let predicted = model.predict_rows(self.table, &rows)?;
        Ok(match self.problem {
            Problem::Classes(c) => {
                let proba = predicted.proba;
                self.work.clock.lap("predict", None);
                let y_true = positions.iter().map(|&p| c.y[p]).collect();
                let proba = proba.expect("a classification spec fits a classifier");
                evaluation.add_classes(y_true, proba, &c.classes)
            }
            Problem::Values(v) => {
                let predicted = predicted.values;
                self.work.clock.lap("predict", None);
                let y_true = positions.iter().map(|&p| v.y[p]).collect();
                let predicted = predicted.expect("a regression spec fits a regressor");
                evaluation.add_values(y_true, predicted.to_vec())
            }
        })
    }
}

impl Evaluation {
    /// Keep one fold's true classes and predicted probabilities; their metrics.
    fn add_classes(
        &mut self,
        y_true: Vec<usize>,
        proba: Array2<f64>,
        classes: &[String],
    ) -> Metrics {
        let metrics = classification_metrics(&y_true, &argmax_rows(&proba), &proba, classes);
        self.validated_y.extend_from_slice(&y_true);
        self.validated_proba = ndarray::concatenate![ndarray::Axis(0), self.validated_proba, proba];
        Metrics::Classification(metrics)
    }

    /// Keep one fold's true and predicted values; their metrics.
    fn add_values(&mut self, y_true: Vec<f64>, predicted: Vec<f64>) -> Metrics {
        let metrics = regression_metrics(&y_true, &predicted);
        self.validated_values.extend_from_slice(&y_true);
        self.predicted_values.extend_from_slice(&predicted);
        Metrics::Regression(metrics)
    }
}

impl Run<'_, '_> {
    /// Refit on every row as the last stage, and describe those rows for drift checks.
    fn final_fit(&mut self, warnings: &mut Vec<String>) -> Result<TrainedModel, TrainError> {
        let index = self.stages - 1;
        let all: Vec<usize> = (0..self.problem.rows().len()).collect();
        let stage = format!("final fit on all rows, {}", self.spec.title());
        if !(self.progress)(index as f32 / self.stages as f32, &stage) {
            return Err(ModelError::Cancelled.into());
        }
        self.work.clock.stage("final".to_string());
        let (mut model, unconverged) = self.fit_stage(index, &stage, &all)?;
        if let Some(iterations) = unconverged {
            warnings.push(format!(
                "{} did not converge in {iterations} iterations on the final fit",
                self.spec.title()
            ));
        }
        let features: Vec<String> = model
            .recipe
            .columns
            .iter()
            .map(|c| c.column.clone())
            .collect();
        model.reference = reference(self.table, &features, self.problem.rows());
        Ok(model)
    }

    /// Fit on `positions` as stage `index`, its progress scaled into the stage's share.
    fn fit_stage(
        &mut self,
        index: usize,
        stage: &str,
        positions: &[usize],
    ) -> Result<(TrainedModel, Option<u64>), TrainError> {
        let stages = self.stages as f32;
        let progress = &mut *self.progress;
        fit_on(
            self.table,
            self.recipe,
            self.problem,
            positions,
            self.spec,
            &mut self.work,
            &mut |f, detail| progress((index as f32 + f) / stages, &format!("{stage}, {detail}")),
        )
    }
}

/// The target as classes or values, checked to be learnable.
fn read_target(table: &Table, target: &str, task: Task) -> Result<Problem, TrainError> {
    match task {
        Task::Classification => {
            let classes = class_target(table, target)
                .ok_or_else(|| TrainError::NoTarget(target.to_string()))?;
            if classes.classes.len() < 2 {
                return Err(TrainError::SingleClass {
                    column: target.to_string(),
                    class: classes.classes.first().cloned().unwrap_or_default(),
                });
            }
            if classes.classes.len() > MAX_CLASSES {
                return Err(TrainError::TooManyClasses {
                    column: target.to_string(),
                    classes: classes.classes.len(),
                });
            }
            Ok(Problem::Classes(classes))
        }
        Task::Regression => {
            let values = value_target(table, target)
                .ok_or_else(|| TrainError::TextTarget(target.to_string()))?;
            if values.y.len() < 2 {
                return Err(TrainError::TooFewRows(target.to_string()));
            }
            Ok(Problem::Values(values))
        }
    }
}

/// Fit the recipe and the model on the given positions of the target's rows. Returns the
/// model and, when the optimiser stopped at its limit, the iterations it took.
fn fit_on(
    table: &Table,
    recipe: &Recipe,
    problem: &Problem,
    positions: &[usize],
    spec: &ModelSpec,
    work: &mut Workspace,
    progress: &mut dyn FnMut(f32, &str) -> bool,
) -> Result<(TrainedModel, Option<u64>), TrainError> {
    let rows: Vec<usize> = positions.iter().map(|&p| problem.rows()[p]).collect();
    let fitted = fit_recipe(recipe, table, &rows)?;
    work.clock.lap("recipe", None);
    // Neither step can stop halfway; a cancel is heard between them.
    if !progress(0.0, "preprocessing") {
        return Err(ModelError::Cancelled.into());
    }
    let class_y: Vec<usize>;
    let value_y: Vec<f64>;
    let (targets, classes, task) = match problem {
        Problem::Classes(c) => {
            class_y = positions.iter().map(|&p| c.y[p]).collect();
            (
                Targets::Classes {
                    y: &class_y,
                    classes: &c.classes,
                },
                c.classes.clone(),
                Task::Classification,
            )
        }
        Problem::Values(v) => {
            value_y = positions.iter().map(|&p| v.y[p]).collect();
            (Targets::Values(&value_y), Vec::new(), Task::Regression)
        }
    };
    let (fit, feature_means) = if spec.algorithm().reads_levels() {
        // One-hot columns stay level indices: no rows × levels matrix is built.
        let design = fitted.transform_design(table, &rows)?.design;
        work.clock.lap("transform", None);
        let fit = fit_model_design(spec, &design, targets, progress)?;
        work.clock.lap("fit", Some(fit.iterations));
        (fit, design.feature_means())
    } else {
        let x = fitted
            .transform_into(table, &rows, std::mem::take(&mut work.matrix))?
            .x;
        work.clock.lap("transform", None);
        let fit = fit_model(spec, x.view(), targets, progress)?;
        work.clock.lap("fit", Some(fit.iterations));
        let feature_means = x
            .mean_axis(ndarray::Axis(0))
            .map(|m| m.to_vec())
            .unwrap_or_default();
        work.matrix = x.into_raw_vec_and_offset().0;
        (fit, feature_means)
    };
    let trained = TrainedModel {
        spec: spec.clone(),
        task,
        target: table_target_name(problem),
        classes,
        recipe: fitted,
        model: fit.model,
        reference: DriftReference::default(),
        import: table.options.clone(),
        feature_means,
    };
    Ok((trained, (!fit.converged).then_some(fit.iterations)))
}

fn table_target_name(problem: &Problem) -> String {
    match problem {
        Problem::Classes(c) => c.column.clone(),
        Problem::Values(v) => v.column.clone(),
    }
}

/// What to say when some rows' probabilities are undefined (NaN): [`argmax_rows`] would give
/// them the first class, which no one should take for a prediction.
pub fn undefined_probabilities(proba: &Array2<f64>) -> Option<String> {
    let rows = proba
        .rows()
        .into_iter()
        .filter(|row| row.iter().any(|p| p.is_nan()))
        .count();
    (rows > 0).then(|| {
        format!(
            "{rows} row{} got undefined (NaN) probabilities; {} predicted class is not meaningful",
            if rows == 1 { "" } else { "s" },
            if rows == 1 { "its" } else { "their" }
        )
    })
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

fn summarise(folds: &[Metrics]) -> (Summary, Summary) {
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

/// Validate `spec` on `table` with the default recipe, telling `progress` (tests' helper).
#[cfg(test)]
pub(crate) fn validated_with(
    table: &Table,
    target: &str,
    task: Option<Task>,
    spec: &ModelSpec,
    validation: Validation,
    progress: &mut dyn FnMut(f32, &str) -> bool,
) -> Result<(Evaluation, TrainedModel), TrainError> {
    let recipe = Recipe::default_for(table);
    train_and_validate(table, target, task, &recipe, spec, validation, progress)
}

/// A bundled sample validated by the algorithm named `algorithm`, with the default recipe
/// and 5-fold cross-validation (tests' helper).
#[cfg(test)]
pub(crate) fn validated_sample(
    file: &str,
    target: &str,
    algorithm: &str,
) -> (Table, Evaluation, TrainedModel) {
    let table = crate::ml::target::sample_with_target(file, target);
    let spec = ModelSpec::from_name(algorithm).expect("a known algorithm");
    let validation = Validation::default();
    let (evaluation, model) =
        validated_with(&table, target, None, &spec, validation, &mut |_, _| true)
            .expect("the sample validates");
    (table, evaluation, model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::target::sample_with_target as sample;

    /// Validate `spec` with the default recipe and 5-fold cross-validation, never cancelled.
    fn validated(
        table: &Table,
        target: &str,
        task: Option<Task>,
        spec: &ModelSpec,
    ) -> Result<(Evaluation, TrainedModel), TrainError> {
        validated_with(
            table,
            target,
            task,
            spec,
            Validation::default(),
            &mut |_, _| true,
        )
    }

    #[test]
    fn undefined_probabilities_are_reported_not_taken_for_class_zero() {
        let proba = ndarray::array![[0.2, 0.8], [f64::NAN, f64::NAN], [f64::NAN, 0.5]];
        let said = undefined_probabilities(&proba).unwrap();
        assert!(
            said.starts_with("2 rows got undefined (NaN) probabilities"),
            "{said}"
        );
        assert_eq!(
            undefined_probabilities(&proba.slice(ndarray::s![..1, ..]).to_owned()),
            None
        );
    }

    #[test]
    fn iris_cross_validation_is_accurate_and_complete() {
        let table = sample("iris.csv", "species");
        let spec = ModelSpec::from_name("logistic_regression").unwrap();
        let mut stages = Vec::new();
        let mut progress = |f: f32, s: &str| {
            stages.push((f, s.to_string()));
            true
        };
        let validation = Validation::default();
        let (evaluation, model) =
            validated_with(&table, "species", None, &spec, validation, &mut progress).unwrap();
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
        let proba = model.predict_proba(&table, &[0, 149]).unwrap().unwrap();
        assert_eq!(model.classes, vec!["setosa", "versicolor", "virginica"]);
        assert!(proba[[0, 0]] > 0.9 && proba[[1, 2]] > 0.5);
    }

    #[test]
    fn cancelling_and_bad_requests_are_errors() {
        let table = sample("iris.csv", "species");
        let spec = ModelSpec::from_name("logistic_regression").unwrap();
        let validation = Validation::default();
        let cancelled = validated_with(&table, "species", None, &spec, validation, &mut |_, _| {
            false
        });
        assert_eq!(
            cancelled.unwrap_err(),
            TrainError::Fit(ModelError::Cancelled)
        );
        let too_many = Validation::CrossValidation { folds: 60, seed: 0 };
        let refused = validated_with(&table, "species", None, &spec, too_many, &mut |_, _| true);
        assert!(refused.is_err());
        let missing = validated(&table, "nope", None, &spec);
        assert_eq!(
            missing.unwrap_err().to_string(),
            "there is no column named 'nope' to predict"
        );
    }

    #[test]
    fn every_classifier_validates_on_iris_and_regressors_on_diabetes() {
        let iris = sample("iris.csv", "species");
        for name in ["decision_tree", "random_forest", "naive_bayes"] {
            let spec = ModelSpec::from_name(name).unwrap();
            let (e, model) = validated(&iris, "species", None, &spec).unwrap();
            assert!(e.mean["accuracy"] > 0.9, "{name}: {:?}", e.mean);
            assert_eq!(e.validated_proba.nrows(), 150);
            assert!(model.predict_proba(&iris, &[0]).unwrap().is_some());
        }
        let diabetes = sample("diabetes.csv", "progression");
        for name in ["linear_regression", "ridge", "lasso", "elastic_net"] {
            let spec = ModelSpec::from_name(name).unwrap();
            let (e, model) = validated(&diabetes, "progression", None, &spec).unwrap();
            assert_eq!(e.task, Task::Regression);
            assert_eq!(e.folds.len(), 5);
            assert_eq!(e.predicted_values.len(), 442);
            // scikit-learn's 5-fold R² (its own shuffled folds) is 0.44–0.49 for these models.
            assert!(
                e.mean["r2"] > 0.3 && e.mean["rmse"] < 65.0,
                "{name}: {:?}",
                e.mean
            );
            assert!(e.warnings.is_empty(), "{name}: {:?}", e.warnings);
            assert_eq!(
                model
                    .predict_values(&diabetes, &[0, 1])
                    .unwrap()
                    .map(|v| v.len()),
                Some(2)
            );
        }
    }

    #[test]
    fn the_task_can_be_overridden_and_mismatches_are_explained() {
        let diabetes = sample("diabetes.csv", "progression");
        let logistic = ModelSpec::from_name("logistic_regression").unwrap();
        let wrong = validated(&diabetes, "progression", None, &logistic);
        assert_eq!(
            wrong.unwrap_err().to_string(),
            "'progression' is a regression target; logistic regression does not fit it"
        );
        let many = validated(
            &diabetes,
            "progression",
            Some(Task::Classification),
            &logistic,
        );
        assert!(
            matches!(many.unwrap_err(), TrainError::TooManyClasses { classes, .. } if classes > 200)
        );
        let iris = sample("iris.csv", "species");
        let ols = ModelSpec::from_name("linear_regression").unwrap();
        let text = validated(&iris, "species", Some(Task::Regression), &ols);
        assert_eq!(
            text.unwrap_err().to_string(),
            "'species' holds text, so it cannot be a regression target; train a classifier"
        );
        // An integer target with few values is classes by default, a quantity on request.
        let wine = sample("wine.csv", "magnesium");
        let as_values = validated(&wine, "magnesium", Some(Task::Regression), &ols).unwrap();
        assert_eq!(as_values.0.task, Task::Regression);
    }
}
