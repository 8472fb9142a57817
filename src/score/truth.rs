//! The file's own answer beside each prediction: the label a row holds in the target column
//! (and whether the model got it), or the value it holds and the prediction's error.

use super::Scored;
use crate::data::{format_number, Column, ColumnData, MISSING_CODE};
use crate::ml::target::Task;

/// What the scored file says about one row, next to what the model predicted.
#[derive(Debug, Clone, PartialEq)]
pub enum RowTruth {
    /// The row's target cell is empty (or the column cannot hold the model's answers).
    Unknown,
    /// Classification: the row's label, and whether the predicted class is that label.
    Class { label: String, right: bool },
    /// Regression: the row's value, and the prediction's error (predicted − true).
    Value { value: f64, error: f64 },
}

/// The label in `column` at `row` as a class name, `None` when the cell is empty. A number
/// reads as it is written in a file (`1`, `2.5`), as class names of numeric targets are.
pub fn row_label(column: &Column, row: usize) -> Option<String> {
    match &column.data {
        ColumnData::Strings { codes, levels } => {
            let code = codes[row];
            (code != MISSING_CODE).then(|| levels[code as usize].clone())
        }
        ColumnData::Numeric(values) => {
            let v = values[row];
            (!v.is_nan()).then(|| format_number(v).into_owned())
        }
    }
}

/// What `column` (the file's target column) says about `row` of `scored`.
pub fn row_truth(column: &Column, scored: &Scored, row: usize) -> RowTruth {
    match scored.task {
        Task::Classification => match row_label(column, row) {
            Some(label) => {
                let predicted = scored
                    .predicted_class
                    .get(row)
                    .and_then(|&c| scored.classes.get(c));
                RowTruth::Class {
                    right: predicted == Some(&label),
                    label,
                }
            }
            None => RowTruth::Unknown,
        },
        Task::Regression => match (&column.data, scored.predicted_values.get(row)) {
            (ColumnData::Numeric(values), Some(&predicted)) if !values[row].is_nan() => {
                RowTruth::Value {
                    value: values[row],
                    error: predicted - values[row],
                }
            }
            _ => RowTruth::Unknown,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ColumnKind, Role};

    fn column(data: ColumnData) -> Column {
        Column {
            name: "y".into(),
            kind: ColumnKind::Categorical,
            role: Role::Target,
            data,
        }
    }

    fn scored(task: Task) -> Scored {
        Scored {
            task,
            rows: 3,
            classes: vec!["no".into(), "yes".into()],
            predicted_class: vec![1, 0, 1],
            proba: ndarray::Array2::zeros((3, 2)),
            predicted_values: vec![2.5, 1.0, 4.0],
            unseen: Vec::new(),
            notices: Vec::new(),
            metrics: None,
            labelled_rows: 0,
            drift: Vec::new(),
        }
    }

    #[test]
    fn a_class_is_right_only_when_it_is_the_rows_label() {
        let labels = column(ColumnData::Strings {
            codes: vec![1, 1, MISSING_CODE],
            levels: vec!["no".into(), "yes".into()],
        });
        let scored = scored(Task::Classification);
        let truth: Vec<RowTruth> = (0..3).map(|r| row_truth(&labels, &scored, r)).collect();
        assert_eq!(
            truth,
            vec![
                RowTruth::Class {
                    label: "yes".into(),
                    right: true
                },
                RowTruth::Class {
                    label: "yes".into(),
                    right: false
                },
                RowTruth::Unknown,
            ]
        );
    }

    #[test]
    fn a_value_has_the_error_of_its_prediction() {
        let values = column(ColumnData::Numeric(vec![2.0, f64::NAN, 5.0]));
        let scored = scored(Task::Regression);
        assert_eq!(
            row_truth(&values, &scored, 0),
            RowTruth::Value {
                value: 2.0,
                error: 0.5
            }
        );
        assert_eq!(row_truth(&values, &scored, 1), RowTruth::Unknown);
        assert_eq!(
            row_truth(&values, &scored, 2),
            RowTruth::Value {
                value: 5.0,
                error: -1.0
            }
        );
    }
}
