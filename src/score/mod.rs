//! Using a trained model on new data: the schema check, predictions, metrics when the file
//! has labels (and each row's own answer, `truth`), and drift against the training data.

pub mod drift;
pub mod explained;
pub mod export;
pub mod truth;

use serde::Serialize;
use thiserror::Error;

use crate::data::{ColumnData, Table};
use crate::ml::eval::{argmax_rows, undefined_probabilities, Metrics, TrainedModel};
use crate::ml::metrics::{classification_metrics, regression_metrics};
use crate::ml::prep::{FittedStep, PrepError};
use crate::ml::target::Task;
use drift::{drift, FeatureDrift, Thresholds};

/// Why a file cannot be scored, in words for the user.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ScoreError {
    #[error("the file lacks {} the model needs: {}", if .0.len() == 1 { "a column" } else { "columns" }, .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("{} changed type since training: {}", if .0.len() == 1 { "a column" } else { "columns" }, .0.join("; "))]
    TypeChanged(Vec<String>),
    #[error(transparent)]
    Prep(#[from] PrepError),
    #[error("scoring was cancelled")]
    Cancelled,
}

/// The predictions for every row of a file, and what was noticed on the way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub task: Task,
    pub rows: usize,
    /// Classification: the predicted class of each row and one probability column per class.
    pub classes: Vec<String>,
    pub predicted_class: Vec<usize>,
    #[serde(skip)]
    pub proba: ndarray::Array2<f64>,
    /// Regression: the predicted value of each row.
    pub predicted_values: Vec<f64>,
    /// Per one-hot column: cells holding a level training never saw.
    pub unseen: Vec<(String, u64)>,
    /// Extra columns ignored, labels the model does not know, and the like.
    pub notices: Vec<String>,
    /// Metrics against the file's own target column, when it has one.
    pub metrics: Option<Metrics>,
    /// Rows the metrics are computed on (target present and known).
    pub labelled_rows: usize,
    pub drift: Vec<FeatureDrift>,
}

/// Check that `table` has every column the model uses, with the type it was trained on.
pub fn check_schema(model: &TrainedModel, table: &Table) -> Result<Vec<String>, ScoreError> {
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for fitted in &model.recipe.columns {
        match table.column(&fitted.column) {
            None => missing.push(fitted.column.clone()),
            Some(column) => match (&fitted.step, &column.data) {
                (FittedStep::Numeric { .. }, ColumnData::Strings { .. }) => changed.push(format!(
                    "'{}' held numbers and now holds {}",
                    fitted.column,
                    column.kind.name()
                )),
                (FittedStep::OneHot { .. }, ColumnData::Numeric(_)) => changed.push(format!(
                    "'{}' held categories and now holds {}",
                    fitted.column,
                    column.kind.name()
                )),
                _ => {}
            },
        }
    }
    if !missing.is_empty() {
        return Err(ScoreError::MissingColumns(missing));
    }
    if !changed.is_empty() {
        return Err(ScoreError::TypeChanged(changed));
    }
    let extra: Vec<&str> = table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| {
            *name != model.target && !model.recipe.columns.iter().any(|f| f.column == *name)
        })
        .collect();
    let mut notices = Vec::new();
    if !extra.is_empty() {
        notices.push(format!(
            "{} column{} the model does not use {} ignored: {}",
            extra.len(),
            if extra.len() == 1 { "" } else { "s" },
            if extra.len() == 1 { "is" } else { "are" },
            extra.join(", ")
        ));
    }
    Ok(notices)
}

/// The predictions for every row of a table, and what the recipe noticed.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// Classification: one probability column per class (rows × classes).
    pub proba: ndarray::Array2<f64>,
    pub predicted_class: Vec<usize>,
    /// Regression: the predicted value of each row.
    pub predicted_values: Vec<f64>,
    /// Per one-hot column: cells holding a level training never saw.
    pub unseen: Vec<(String, u64)>,
    /// The schema check's notices and the unseen levels, in words.
    pub notices: Vec<String>,
}

/// Predict every row of `table`: the schema check, the fitted recipe, the model. `score`
/// and the scoring server both predict through here.
pub fn predict_table(model: &TrainedModel, table: &Table) -> Result<Predictions, ScoreError> {
    let notices = check_schema(model, table)?;
    predict_checked(model, table, notices)
}

fn predict_checked(
    model: &TrainedModel,
    table: &Table,
    mut notices: Vec<String>,
) -> Result<Predictions, ScoreError> {
    let rows: Vec<usize> = (0..table.rows()).collect();
    let predicted = model.predict_rows(table, &rows)?;
    for (column, count) in &predicted.unseen {
        notices.push(format!(
            "'{column}': {count} cell{} with a level training never saw (encoded as all zeros)",
            if *count == 1 { "" } else { "s" }
        ));
    }
    let mut out = Predictions {
        proba: ndarray::Array2::zeros((0, model.classes.len())),
        predicted_class: Vec::new(),
        predicted_values: Vec::new(),
        unseen: predicted.unseen,
        notices,
    };
    match model.task {
        Task::Classification => {
            let proba = predicted
                .proba
                .unwrap_or_else(|| ndarray::Array2::zeros((rows.len(), model.classes.len())));
            out.predicted_class = argmax_rows(&proba);
            out.notices.extend(undefined_probabilities(&proba));
            out.proba = proba;
        }
        Task::Regression => {
            out.predicted_values = predicted.values.map(|v| v.to_vec()).unwrap_or_default();
        }
    }
    Ok(out)
}

/// Score every row of `table` with `model`: schema check, predictions, metrics if the target
/// column is present, and drift of each feature. `progress` hears fractions done and returns
/// false to cancel.
pub fn score_table(
    model: &TrainedModel,
    table: &Table,
    thresholds: &Thresholds,
    progress: &mut dyn FnMut(f32, &str) -> bool,
) -> Result<Scored, ScoreError> {
    let notices = check_schema(model, table)?;
    if !progress(0.1, "predicting") {
        return Err(ScoreError::Cancelled);
    }
    let predictions = predict_checked(model, table, notices)?;
    let mut scored = Scored {
        task: model.task,
        rows: table.rows(),
        classes: model.classes.clone(),
        predicted_class: predictions.predicted_class,
        proba: predictions.proba,
        predicted_values: predictions.predicted_values,
        unseen: predictions.unseen,
        notices: predictions.notices,
        metrics: None,
        labelled_rows: 0,
        drift: Vec::new(),
    };
    if !progress(0.7, "measuring") {
        return Err(ScoreError::Cancelled);
    }
    labelled_metrics(model, table, &mut scored);
    if !progress(0.85, "checking drift") {
        return Err(ScoreError::Cancelled);
    }
    scored.drift = drift(&model.reference, table, thresholds);
    progress(1.0, "done");
    Ok(scored)
}

/// Metrics against the file's target column, if it has one.
fn labelled_metrics(model: &TrainedModel, table: &Table, scored: &mut Scored) {
    let Some(column) = table.column(&model.target) else {
        return;
    };
    match (&column.data, model.task) {
        (ColumnData::Numeric(values), Task::Regression) => {
            let (truth, predicted): (Vec<f64>, Vec<f64>) = values
                .iter()
                .zip(&scored.predicted_values)
                .filter(|(t, _)| !t.is_nan())
                .map(|(t, p)| (*t, *p))
                .unzip();
            if !truth.is_empty() {
                scored.labelled_rows = truth.len();
                scored.metrics = Some(Metrics::Regression(regression_metrics(&truth, &predicted)));
            }
        }
        (_, Task::Classification) => {
            let mut rows = Vec::new();
            let mut truth = Vec::new();
            let mut unknown = 0u64;
            for row in 0..scored.rows {
                let Some(label) = truth::row_label(column, row) else {
                    continue;
                };
                match model.classes.iter().position(|c| *c == label) {
                    Some(class) => {
                        rows.push(row);
                        truth.push(class);
                    }
                    None => unknown += 1,
                }
            }
            if unknown > 0 {
                scored.notices.push(format!(
                    "{unknown} row{} of '{}' hold a class the model never learned; left out of the metrics",
                    if unknown == 1 { "" } else { "s" },
                    model.target
                ));
            }
            if truth.is_empty() {
                return;
            }
            let proba = scored.proba.select(ndarray::Axis(0), &rows);
            let predicted: Vec<usize> = rows.iter().map(|&r| scored.predicted_class[r]).collect();
            scored.labelled_rows = truth.len();
            scored.metrics = Some(Metrics::Classification(classification_metrics(
                &truth,
                &predicted,
                &proba,
                &model.classes,
            )));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, ColumnKind, Role};
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::prep::Recipe;
    use crate::ml::spec::ModelSpec;
    use crate::ml::target::sample_with_target;

    fn penguin_model() -> (Table, TrainedModel) {
        let table = sample_with_target("penguins.csv", "species");
        let (_, model) = train_and_validate(
            &table,
            "species",
            None,
            &Recipe::default_for(&table),
            &ModelSpec::from_name("logistic_regression").unwrap(),
            Validation::Holdout {
                fraction: 0.2,
                seed: 0,
            },
            &mut |_, _| true,
        )
        .unwrap();
        (table, model)
    }

    #[test]
    fn scoring_the_training_file_predicts_measures_and_finds_no_drift() {
        let (table, model) = penguin_model();
        let scored = score_table(&model, &table, &Thresholds::default(), &mut |_, _| true).unwrap();
        assert_eq!(scored.rows, 344);
        assert_eq!(scored.proba.dim(), (344, 3));
        let Some(Metrics::Classification(m)) = &scored.metrics else {
            panic!("a labelled file gets metrics");
        };
        assert!(m.accuracy > 0.97, "{}", m.accuracy);
        assert_eq!(scored.labelled_rows, 344);
        assert_eq!(scored.drift.len(), model.recipe.columns.len());
        assert!(scored
            .drift
            .iter()
            .all(|d| d.status == drift::DriftStatus::Stable));
        let mut csv = Vec::new();
        export::write_predictions(&mut csv, &table, &scored, 6).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let header = text.lines().next().unwrap();
        assert!(
            header.ends_with(",predicted,proba_Adelie,proba_Chinstrap,proba_Gentoo"),
            "{header}"
        );
        assert_eq!(text.lines().count(), 345);
    }

    #[test]
    fn exported_text_a_spreadsheet_would_run_is_written_as_text_and_numbers_stay() {
        let (table, model) = penguin_model();
        let scored = score_table(&model, &table, &Thresholds::default(), &mut |_, _| true).unwrap();
        let mut shown = table.clone();
        for column in &mut shown.columns {
            match (column.name.as_str(), &mut column.data) {
                ("island", crate::data::ColumnData::Strings { levels, .. }) => {
                    levels[0] = "=HYPERLINK(\"http://x\",\"y, z\")".into();
                }
                ("year", crate::data::ColumnData::Numeric(values)) => values[0] = -2.5e-5,
                _ => {}
            }
        }
        shown.columns[0].name = "@species".into();
        let mut csv = Vec::new();
        export::write_predictions(&mut csv, &shown, &scored, 6).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("'@species,island,"));
        let first = lines.next().unwrap();
        assert!(
            first.starts_with("Adelie,\"'=HYPERLINK(\"\"http://x\"\",\"\"y, z\"\")\",39.1,"),
            "{first}"
        );
        assert!(first.contains(",male,-0.000025,Adelie,"), "{first}");
    }

    #[test]
    fn the_schema_check_names_missing_and_retyped_columns_and_extra_ones() {
        let (table, model) = penguin_model();
        let mut missing = table.clone();
        missing
            .columns
            .retain(|c| c.name != "bill_length_mm" && c.name != "island");
        let err =
            score_table(&model, &missing, &Thresholds::default(), &mut |_, _| true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the file lacks columns the model needs: island, bill_length_mm"
        );
        let mut retyped = table.clone();
        let index = retyped
            .columns
            .iter()
            .position(|c| c.name == "body_mass_g")
            .unwrap();
        retyped.columns[index] = Column {
            name: "body_mass_g".into(),
            kind: ColumnKind::Text,
            role: Role::Feature,
            data: ColumnData::Strings {
                codes: vec![0; table.rows()],
                levels: vec!["heavy".into()],
            },
        };
        let err =
            score_table(&model, &retyped, &Thresholds::default(), &mut |_, _| true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a column changed type since training: 'body_mass_g' held numbers and now holds text"
        );
        let mut extra = table.clone();
        extra.columns.push(Column {
            name: "notes".into(),
            kind: ColumnKind::Text,
            role: Role::Ignore,
            data: ColumnData::Strings {
                codes: vec![0; table.rows()],
                levels: vec!["x".into()],
            },
        });
        let island = extra
            .columns
            .iter()
            .position(|c| c.name == "island")
            .unwrap();
        if let ColumnData::Strings { codes, levels } = &mut extra.columns[island].data {
            levels.push("Atlantis".into());
            codes[0] = (levels.len() - 1) as u32;
        }
        let scored = score_table(&model, &extra, &Thresholds::default(), &mut |_, _| true).unwrap();
        assert!(
            scored.notices.iter().any(|n| n.contains("ignored: notes")),
            "{:?}",
            scored.notices
        );
        assert_eq!(scored.unseen, vec![("island".to_string(), 1)]);
    }
}
