//! Why this row: how each original column pushed one prediction away from the average
//! prediction. For every explained row, `base + Σ contributions = prediction`, in the unit
//! the method works in:
//!
//! - linear and logistic models: exact, `coefficient × (feature − its training mean)`, in the
//!   model's value, the log-odds of the explained class (binary logistic) or the class's
//!   softmax logit (multinomial logistic); [`linear`];
//! - decision trees and random forests: path-dependent TreeSHAP (`shap.TreeExplainer`) in
//!   probability of the explained class, a forest's the mean of its trees'; gradient
//!   boosting: the same TreeSHAP summed over the trees of the explained output, in raw space
//!   as shap explains scikit-learn's histogram boosting (the log-odds of the explained class
//!   for two classes, its raw score for more, the value); [`tree_shap`];
//! - any other model (naive Bayes): sampling Shapley values in probability against a
//!   background sample of rows, each with its standard error; [`sampling`].
//!
//! Contributions are worked out per feature of the transformed matrix, then summed per
//! original column, so a category's one-hot levels make one contribution.

mod linear;
mod sampling;
mod summary;
mod tree_shap;

pub use sampling::DEFAULT_SAMPLES;
pub use summary::{column_values, summarise, ColumnSummary, Summary};

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::boost::Loss;
use super::eval::argmax_rows;
use super::model::FittedModel;
use super::target::Task;
use super::trained::TrainedModel;

/// Which class a classifier's rows are explained for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassChoice {
    /// Each row's predicted class.
    Predicted,
    /// This class (an index into the model's classes) for every row.
    Class(usize),
}

/// What else an explanation may need: the class, and for sampled estimates the background
/// rows (transformed), how many permutations per row and the seed.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub class: ClassChoice,
    pub background: Option<ArrayView2<'a, f64>>,
    /// Permutations sampled per row (rounded up to a multiple of the background rows).
    pub samples: usize,
    pub seed: u64,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            class: ClassChoice::Predicted,
            background: None,
            samples: DEFAULT_SAMPLES,
            seed: 0,
        }
    }
}

/// How the contributions were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Exact, from a linear model's coefficients and training means.
    Linear,
    /// Exact, path-dependent TreeSHAP over the trees' training rows.
    TreeShap,
    /// Estimated: the mean marginal contribution over `samples` random orders of the columns,
    /// each filling the columns not yet set from one of `background_rows` rows.
    Sampling {
        samples: usize,
        background_rows: usize,
        seed: u64,
    },
}

impl Method {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Method::Linear => "exact: coefficient × (value − training mean)".into(),
            Method::TreeShap => "exact: path-dependent TreeSHAP".into(),
            Method::Sampling {
                samples,
                background_rows,
                seed,
            } => format!(
                "estimated: sampling Shapley values, {samples} permutations per row against \
                 {background_rows} background rows (seed {seed}), ± one standard error"
            ),
        }
    }
}

/// The unit of the base, the contributions and the prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// The predicted value of a regression model.
    Value,
    /// The log-odds of the explained class (binary logistic regression, two-class
    /// boosting).
    LogOdds,
    /// The explained class's softmax logit (multinomial logistic regression, boosting of
    /// more classes): its log-odds up to a constant shared by every class.
    Logit,
    /// The probability of the explained class.
    Probability,
}

impl Unit {
    pub fn describe(&self) -> &'static str {
        match self {
            Unit::Value => "the predicted value",
            Unit::LogOdds => "log-odds of the explained class",
            Unit::Logit => "softmax logit of the explained class",
            Unit::Probability => "probability of the explained class",
        }
    }
}

/// Every explained row: `base[i] + Σ values.row(i) = prediction[i]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contributions {
    pub method: Method,
    pub unit: Unit,
    /// The original columns, in the recipe's order.
    pub columns: Vec<String>,
    /// Each row's explained class (an index into the model's classes); empty for regression.
    pub classes: Vec<usize>,
    /// Each row's average prediction, for its explained class.
    pub base: Vec<f64>,
    pub prediction: Vec<f64>,
    /// Rows × columns.
    #[serde(skip)]
    pub values: Array2<f64>,
    /// The standard error of each value, for sampled estimates (rows × columns).
    #[serde(skip)]
    pub errors: Option<Array2<f64>>,
}

impl Contributions {
    pub fn rows(&self) -> usize {
        self.values.nrows()
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExplainError {
    #[error("no rows to explain")]
    NoRows,
    #[error("the rows have {found} features, but the model takes {expected}")]
    Width { found: usize, expected: usize },
    #[error("class {0} is not one of the model's classes")]
    NoClass(usize),
    #[error(
        "this version was trained before Modeldesk kept its training rows' feature means, \
         which linear contributions are measured from; retrain it to explain its predictions"
    )]
    NoFeatureMeans,
    #[error(
        "this version's trees were stored without their nodes' training rows, which TreeSHAP \
         needs; retrain it to explain its predictions"
    )]
    NoTreeStats,
    #[error("a sampled explanation needs background rows, and none were given")]
    NoBackground,
    #[error("cancelled")]
    Cancelled,
}

/// Explain each row of `x` (transformed by `model`'s recipe) with the method that suits the
/// model. `progress` hears the fraction of rows done and returns false to cancel.
pub fn explain(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    options: &Options<'_>,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<Contributions, ExplainError> {
    check_width(model, x)?;
    let classes = explained_classes(model, x, options.class)?;
    let column_of = column_of_feature(model);
    let columns: Vec<String> = model
        .recipe
        .columns
        .iter()
        .map(|c| c.column.clone())
        .collect();
    let per_row = |explain_row: &(dyn Fn(usize) -> RowResult + Sync)| {
        each_row(x.nrows(), progress, explain_row)
    };
    let (method, unit, rows) = match &model.model {
        FittedModel::Linear(m) => {
            let means = means(model)?;
            let rows = per_row(&|i| linear::regression_row(m, means, x.row(i)))?;
            (Method::Linear, Unit::Value, rows)
        }
        FittedModel::Logistic(m) => {
            let means = means(model)?;
            let unit = if m.weights.ncols() == 1 {
                Unit::LogOdds
            } else {
                Unit::Logit
            };
            let rows = per_row(&|i| linear::logistic_row(m, means, x.row(i), classes[i]))?;
            (Method::Linear, unit, rows)
        }
        FittedModel::Tree(tree) => {
            if !tree.has_stats() {
                return Err(ExplainError::NoTreeStats);
            }
            let trees = std::slice::from_ref(tree);
            let rows = per_row(&|i| tree_shap::forest_row(trees, x.row(i), classes[i]))?;
            (Method::TreeShap, Unit::Probability, rows)
        }
        FittedModel::Forest(forest) => {
            if forest.trees.is_empty() || !forest.trees.iter().all(|t| t.has_stats()) {
                return Err(ExplainError::NoTreeStats);
            }
            let rows = per_row(&|i| tree_shap::forest_row(&forest.trees, x.row(i), classes[i]))?;
            (Method::TreeShap, Unit::Probability, rows)
        }
        FittedModel::Boosted(boosted) => {
            let unit = match boosted.loss {
                Loss::SquaredError => Unit::Value,
                Loss::Binomial => Unit::LogOdds,
                Loss::Multinomial => Unit::Logit,
            };
            let class = |i: usize| classes.get(i).copied().unwrap_or(0);
            let rows = per_row(&|i| tree_shap::boosted_row(boosted, x.row(i), class(i)))?;
            (Method::TreeShap, unit, rows)
        }
        FittedModel::NaiveBayes(_) => return sampled(model, x, classes, options, progress),
    };
    Ok(assemble(method, unit, columns, classes, &column_of, rows))
}

/// Estimate each row's contributions by sampling, whatever the model (as [`explain`] does
/// for models without an exact method), in probability of the explained class or the value.
pub fn explain_by_sampling(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    options: &Options<'_>,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<Contributions, ExplainError> {
    check_width(model, x)?;
    let classes = explained_classes(model, x, options.class)?;
    sampled(model, x, classes, options, progress)
}

fn sampled(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    classes: Vec<usize>,
    options: &Options<'_>,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<Contributions, ExplainError> {
    let background = options.background.ok_or(ExplainError::NoBackground)?;
    if background.nrows() == 0 {
        return Err(ExplainError::NoBackground);
    }
    if background.ncols() != x.ncols() {
        return Err(ExplainError::Width {
            found: background.ncols(),
            expected: x.ncols(),
        });
    }
    let column_of = column_of_feature(model);
    let columns: Vec<String> = model
        .recipe
        .columns
        .iter()
        .map(|c| c.column.clone())
        .collect();
    let sampler = sampling::Sampler::new(model, background, &column_of, options);
    let rows = each_row(x.nrows(), progress, &|i| {
        sampler.row(x.row(i), classes.get(i).copied())
    })?;
    let method = Method::Sampling {
        samples: sampler.samples(),
        background_rows: background.nrows(),
        seed: options.seed,
    };
    Ok(assemble(
        method,
        unit_of(model),
        columns,
        classes,
        &column_of,
        rows,
    ))
}

fn check_width(model: &TrainedModel, x: ArrayView2<f64>) -> Result<(), ExplainError> {
    if x.nrows() == 0 {
        return Err(ExplainError::NoRows);
    }
    let expected = model.recipe.n_features();
    if x.ncols() != expected {
        return Err(ExplainError::Width {
            found: x.ncols(),
            expected,
        });
    }
    Ok(())
}

/// The unit of a model's raw output: probability for classifiers, value for regressors.
fn unit_of(model: &TrainedModel) -> Unit {
    match model.task {
        Task::Classification => Unit::Probability,
        Task::Regression => Unit::Value,
    }
}

fn means(model: &TrainedModel) -> Result<&[f64], ExplainError> {
    if model.feature_means.len() == model.recipe.n_features() {
        Ok(&model.feature_means)
    } else {
        Err(ExplainError::NoFeatureMeans)
    }
}

/// Each row's explained class, or none for a regression model.
fn explained_classes(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    choice: ClassChoice,
) -> Result<Vec<usize>, ExplainError> {
    if model.task == Task::Regression {
        return Ok(Vec::new());
    }
    match choice {
        ClassChoice::Class(k) if k < model.classes.len() => Ok(vec![k; x.nrows()]),
        ClassChoice::Class(k) => Err(ExplainError::NoClass(k)),
        ClassChoice::Predicted => Ok(model
            .model
            .predict_proba(x, model.classes.len())
            .map(|p| argmax_rows(&p))
            .unwrap_or_else(|| vec![0; x.nrows()])),
    }
}

/// The original column (an index into the recipe's columns) of each transformed feature.
pub fn column_of_feature(model: &TrainedModel) -> Vec<usize> {
    let mut out = Vec::with_capacity(model.recipe.n_features());
    for (c, column) in model.recipe.columns.iter().enumerate() {
        out.extend(std::iter::repeat_n(c, column.step.width()));
    }
    out
}

/// One row explained: its base, its prediction, and a contribution per transformed feature
/// (exact methods) or per original column with its standard error (sampling).
pub(crate) enum RowResult {
    Features {
        base: f64,
        prediction: f64,
        features: Vec<f64>,
    },
    Columns {
        base: f64,
        prediction: f64,
        columns: Vec<f64>,
        errors: Vec<f64>,
    },
}

/// `explain_row` for every row, in parallel; progress after each row, cancelled when told.
fn each_row(
    rows: usize,
    progress: &(dyn Fn(f32) -> bool + Sync),
    explain_row: &(dyn Fn(usize) -> RowResult + Sync),
) -> Result<Vec<RowResult>, ExplainError> {
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let out: Vec<Option<RowResult>> = (0..rows)
        .into_par_iter()
        .map(|i| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let result = explain_row(i);
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if !progress(finished as f32 / rows as f32) {
                stop.store(true, Ordering::Relaxed);
            }
            Some(result)
        })
        .collect();
    if stop.load(Ordering::Relaxed) {
        return Err(ExplainError::Cancelled);
    }
    Ok(out.into_iter().flatten().collect())
}

fn assemble(
    method: Method,
    unit: Unit,
    columns: Vec<String>,
    classes: Vec<usize>,
    column_of: &[usize],
    rows: Vec<RowResult>,
) -> Contributions {
    let mut values = Array2::zeros((rows.len(), columns.len()));
    let mut errors = None;
    let mut base = Vec::with_capacity(rows.len());
    let mut prediction = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        match row {
            RowResult::Features {
                base: b,
                prediction: p,
                features,
            } => {
                for (j, v) in features.into_iter().enumerate() {
                    values[[i, column_of[j]]] += v;
                }
                base.push(b);
                prediction.push(p);
            }
            RowResult::Columns {
                base: b,
                prediction: p,
                columns: c,
                errors: e,
            } => {
                values.row_mut(i).assign(&ndarray::Array1::from(c));
                errors
                    .get_or_insert_with(|| Array2::zeros(values.raw_dim()))
                    .row_mut(i)
                    .assign(&ndarray::Array1::from(e));
                base.push(b);
                prediction.push(p);
            }
        }
    }
    Contributions {
        method,
        unit,
        columns,
        classes,
        base,
        prediction,
        values,
        errors,
    }
}

#[cfg(test)]
mod tests;
