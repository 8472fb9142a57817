//! A trained model as it is stored and used: the fitted recipe, what it predicts, the fitted
//! algorithm, the drift reference of its training rows and how its training file was read;
//! predictions for rows of any table with the training columns.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::drift_reference::DriftReference;
use super::model::FittedModel;
use super::prep::{FittedRecipe, PrepError};
use super::spec::ModelSpec;
use super::target::Task;
use crate::data::{ImportOptions, Table};

/// A trained model: the fitted recipe, what it predicts and the fitted algorithm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    pub spec: ModelSpec,
    pub task: Task,
    pub target: String,
    /// Class names (classification); empty for regression.
    pub classes: Vec<String>,
    pub recipe: FittedRecipe,
    pub model: FittedModel,
    /// The training rows' distribution of each feature, for drift checks when scoring.
    #[serde(default)]
    pub reference: DriftReference,
    /// The options its training file was read with (missing-value tokens, ragged rows,
    /// dialect). Models stored before these were kept read with the defaults.
    #[serde(default)]
    pub import: ImportOptions,
    /// Each feature's mean over the training rows, after the recipe: the average row that
    /// linear contributions are measured from. Empty for models stored before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feature_means: Vec<f64>,
}

/// A model's predictions for some rows of a table: `None` when the model does not make this
/// kind (a regressor's probabilities, a classifier's values).
pub type Predicted<T> = Result<Option<T>, PrepError>;

impl TrainedModel {
    /// How to read a file to score: as the training file was read, but with no choice made
    /// per column position, since a scored file may order its columns differently.
    pub fn scoring_options(&self) -> ImportOptions {
        ImportOptions {
            column_kinds: Vec::new(),
            column_roles: Vec::new(),
            ..self.import.clone()
        }
    }

    /// Class probabilities (rows × classes) for `rows` of `table`, applying exactly the
    /// fitted recipe; `None` inside for a regression model.
    pub fn predict_proba(&self, table: &Table, rows: &[usize]) -> Predicted<Array2<f64>> {
        Ok(self.predict_rows(table, rows)?.proba)
    }

    /// Predicted values for `rows` of `table` (regression models; `None` for classifiers).
    pub fn predict_values(&self, table: &Table, rows: &[usize]) -> Predicted<Vec<f64>> {
        Ok(self.predict_rows(table, rows)?.values.map(|v| v.to_vec()))
    }

    /// The model's predictions for `rows` of `table` through exactly the fitted recipe: a
    /// model that reads levels gets them as indices, the others the dense matrix.
    pub fn predict_rows(&self, table: &Table, rows: &[usize]) -> Result<RowPredictions, PrepError> {
        let predictor = self.model.predictor();
        let classes = self.classes.len();
        let classifier = self.task == Task::Classification;
        Ok(if predictor.reads_levels() {
            let t = self.recipe.transform_design(table, rows)?;
            RowPredictions {
                proba: classifier
                    .then(|| predictor.predict_proba_design(&t.design, classes))
                    .flatten(),
                values: (!classifier)
                    .then(|| predictor.predict_values_design(&t.design))
                    .flatten(),
                unseen: t.unseen,
            }
        } else {
            let t = self.recipe.transform(table, rows)?;
            RowPredictions {
                proba: classifier
                    .then(|| predictor.predict_proba(t.x.view(), classes))
                    .flatten(),
                values: (!classifier)
                    .then(|| predictor.predict_values(t.x.view()))
                    .flatten(),
                unseen: t.unseen,
            }
        })
    }
}

/// A model's predictions for some rows, and what in them its recipe had never seen.
#[derive(Debug, Clone, PartialEq)]
pub struct RowPredictions {
    /// Class probabilities, rows × classes (classifiers).
    pub proba: Option<Array2<f64>>,
    /// Predicted values (regressors).
    pub values: Option<Array1<f64>>,
    /// As [`Transformed::unseen`](super::prep::Transformed::unseen).
    pub unseen: Vec<(String, u64)>,
}
