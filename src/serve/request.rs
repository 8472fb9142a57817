//! Request bodies read into a table by the model's training schema: the JSON forms of
//! MLflow's scoring protocol (`dataframe_split`, `dataframe_records`, `instances`, `inputs`)
//! and CSV. Numeric columns take numbers or numeric strings; categorical columns take
//! strings, and a number or boolean is read as its text (`1` becomes `"1"`); `null` and the
//! import's missing-value tokens are missing.

use std::collections::HashMap;

use serde_json::Value;

use crate::data::{self, Column, ColumnData, ColumnKind, Role, Table};
use crate::ml::eval::TrainedModel;
use crate::ml::prep::FittedStep;

/// A request the server refuses, in words for the client.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRequest(pub String);

impl BadRequest {
    fn new(message: impl Into<String>) -> Self {
        BadRequest(message.into())
    }
}

/// Rows as cells per column, in the order the request named the columns.
struct Frame {
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// Read a JSON body in one of MLflow's forms into a table of the model's columns.
pub fn from_json(body: &[u8], model: &TrainedModel) -> Result<Table, BadRequest> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| BadRequest::new(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(mut object) = value else {
        return Err(BadRequest::new(
            "the body must be a JSON object with dataframe_split, dataframe_records, instances or inputs",
        ));
    };
    let forms = [
        "dataframe_split",
        "dataframe_records",
        "instances",
        "inputs",
    ];
    let present: Vec<&str> = forms
        .iter()
        .copied()
        .filter(|f| object.contains_key(*f))
        .collect();
    let frame = match present.as_slice() {
        ["dataframe_split"] => split_frame(object.remove("dataframe_split").unwrap_or_default())?,
        [form @ ("dataframe_records" | "instances" | "inputs")] => {
            let value = object.remove(*form).unwrap_or_default();
            match value {
                Value::Array(records) => records_frame(records, form)?,
                Value::Object(columns) => columnar_frame(columns, form)?,
                _ => {
                    return Err(BadRequest::new(format!(
                        "'{form}' must be a list of records or an object of columns"
                    )))
                }
            }
        }
        [] => {
            return Err(BadRequest::new(
                "the body names none of dataframe_split, dataframe_records, instances, inputs",
            ))
        }
        several => {
            return Err(BadRequest::new(format!(
                "the body names more than one input form: {}",
                several.join(", ")
            )))
        }
    };
    frame_table(frame, model)
}

fn split_frame(value: Value) -> Result<Frame, BadRequest> {
    let Value::Object(mut split) = value else {
        return Err(BadRequest::new(
            "'dataframe_split' must be an object with columns and data",
        ));
    };
    let columns = match split.remove("columns") {
        Some(Value::Array(names)) => names
            .into_iter()
            .map(|n| match n {
                Value::String(s) => Ok(s),
                other => Err(BadRequest::new(format!(
                    "'dataframe_split.columns' holds {other}, not a column name"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(BadRequest::new("'dataframe_split' lacks a list of columns")),
    };
    let rows = match split.remove("data") {
        Some(Value::Array(rows)) => rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| match row {
                Value::Array(cells) if cells.len() == columns.len() => Ok(cells),
                Value::Array(cells) => Err(BadRequest::new(format!(
                    "row {i} of 'dataframe_split.data' has {} values for {} columns",
                    cells.len(),
                    columns.len()
                ))),
                _ => Err(BadRequest::new(format!(
                    "row {i} of 'dataframe_split.data' is not a list"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(BadRequest::new(
                "'dataframe_split' lacks a list of data rows",
            ))
        }
    };
    Ok(Frame { columns, rows })
}

fn records_frame(records: Vec<Value>, form: &str) -> Result<Frame, BadRequest> {
    let mut columns: Vec<String> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut objects = Vec::with_capacity(records.len());
    for (i, record) in records.into_iter().enumerate() {
        let Value::Object(record) = record else {
            return Err(BadRequest::new(format!(
                "record {i} of '{form}' is not an object of column values"
            )));
        };
        for key in record.keys() {
            if !position.contains_key(key) {
                position.insert(key.clone(), columns.len());
                columns.push(key.clone());
            }
        }
        objects.push(record);
    }
    let rows = objects
        .into_iter()
        .map(|mut record| {
            columns
                .iter()
                .map(|c| record.remove(c).unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    Ok(Frame { columns, rows })
}

fn columnar_frame(
    columns: serde_json::Map<String, Value>,
    form: &str,
) -> Result<Frame, BadRequest> {
    let mut names = Vec::with_capacity(columns.len());
    let mut lists = Vec::with_capacity(columns.len());
    for (name, values) in columns {
        let Value::Array(values) = values else {
            return Err(BadRequest::new(format!(
                "column '{name}' of '{form}' is not a list of values"
            )));
        };
        names.push(name);
        lists.push(values);
    }
    let n = lists.first().map_or(0, Vec::len);
    if let Some((name, list)) = names.iter().zip(&lists).find(|(_, l)| l.len() != n) {
        return Err(BadRequest::new(format!(
            "column '{name}' of '{form}' has {} values, the first column {n}",
            list.len()
        )));
    }
    let mut iters: Vec<_> = lists.into_iter().map(Vec::into_iter).collect();
    let rows = (0..n)
        .map(|_| {
            iters
                .iter_mut()
                .map(|it| it.next().unwrap_or_default())
                .collect()
        })
        .collect();
    Ok(Frame {
        columns: names,
        rows,
    })
}

fn lacks_columns<S: AsRef<str>>(missing: &[S]) -> BadRequest {
    let names: Vec<&str> = missing.iter().map(AsRef::as_ref).collect();
    BadRequest::new(format!(
        "the request lacks {} the model needs: {}",
        if names.len() == 1 {
            "a column"
        } else {
            "columns"
        },
        names.join(", ")
    ))
}

/// Whether `text` is one of the missing-value tokens the model's training file was read with.
fn is_missing_token(text: &str, tokens: &[String]) -> bool {
    tokens.iter().any(|t| t.trim() == text)
}

/// One table column per column the model uses, typed as in training.
fn frame_table(frame: Frame, model: &TrainedModel) -> Result<Table, BadRequest> {
    if frame.rows.is_empty() {
        return Err(BadRequest::new("the request holds no rows"));
    }
    let position: HashMap<&str, usize> = frame
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let missing: Vec<&str> = model
        .recipe
        .columns
        .iter()
        .map(|c| c.column.as_str())
        .filter(|c| !position.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(lacks_columns(&missing));
    }
    let tokens = &model.import.missing_tokens;
    let mut columns = Vec::with_capacity(model.recipe.columns.len());
    for fitted in &model.recipe.columns {
        let j = position[fitted.column.as_str()];
        let name = &fitted.column;
        let cells = frame.rows.iter().map(|row| &row[j]);
        let column = match fitted.step {
            FittedStep::Numeric { .. } => {
                let values = cells
                    .enumerate()
                    .map(|(i, cell)| {
                        number(cell, tokens).map_err(|what| {
                            BadRequest::new(format!(
                                "column '{name}', row {i}: {what}, not a number"
                            ))
                        })
                    })
                    .collect::<Result<Vec<f64>, _>>()?;
                Column {
                    name: name.clone(),
                    kind: ColumnKind::Float,
                    role: Role::Feature,
                    data: ColumnData::Numeric(values),
                }
            }
            FittedStep::OneHot { .. } => {
                let texts = cells
                    .enumerate()
                    .map(|(i, cell)| {
                        category(cell, tokens).map_err(|what| {
                            BadRequest::new(format!(
                                "column '{name}', row {i}: {what}, not a category"
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Column {
                    name: name.clone(),
                    kind: ColumnKind::Categorical,
                    role: Role::Feature,
                    data: ColumnData::from_texts(texts),
                }
            }
        };
        columns.push(column);
    }
    Ok(request_table(columns))
}

fn request_table(columns: Vec<Column>) -> Table {
    Table {
        name: "request".into(),
        source: "request".into(),
        fingerprint: String::new(),
        dialect: Default::default(),
        options: Default::default(),
        columns,
        notices: Vec::new(),
    }
}

/// A JSON value as a number of a numeric column (NaN for missing).
fn number(cell: &Value, tokens: &[String]) -> Result<f64, String> {
    match cell {
        Value::Null => Ok(f64::NAN),
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{n}")),
        Value::String(s) => {
            let text = s.trim();
            if is_missing_token(text, tokens) {
                Ok(f64::NAN)
            } else {
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("'{s}'"))
            }
        }
        Value::Bool(b) => Err(b.to_string()),
        Value::Array(_) => Err("a list".into()),
        Value::Object(_) => Err("an object".into()),
    }
}

/// A JSON value as the text of a categorical column (`None` for missing).
fn category(cell: &Value, tokens: &[String]) -> Result<Option<String>, String> {
    match cell {
        Value::Null => Ok(None),
        Value::String(s) => {
            let text = s.trim();
            Ok((!is_missing_token(text, tokens)).then(|| text.to_string()))
        }
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Array(_) => Err("a list".into()),
        Value::Object(_) => Err("an object".into()),
    }
}

/// Read a CSV body as `modeldesk score` reads a file, then give each column the model's type:
/// numbers written in a categorical column are read as their text.
pub fn from_csv(body: &[u8], model: &TrainedModel) -> Result<Table, BadRequest> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("modeldesk-serve-{}-{n}.csv", std::process::id()));
    std::fs::write(&path, body)
        .map_err(|e| BadRequest::new(format!("could not read the CSV body: {e}")))?;
    let read = data::import_csv(&path, &model.scoring_options(), &data::Progress::default());
    let _ = std::fs::remove_file(&path);
    let table = read.map_err(|e| BadRequest::new(format!("the CSV body: {e}")))?;
    let mut columns = Vec::with_capacity(model.recipe.columns.len());
    let mut missing = Vec::new();
    for fitted in &model.recipe.columns {
        let Some(column) = table.column(&fitted.column) else {
            missing.push(fitted.column.clone());
            continue;
        };
        let data = match (&fitted.step, &column.data) {
            (FittedStep::OneHot { .. }, ColumnData::Numeric(values)) => ColumnData::from_texts(
                values
                    .iter()
                    .map(|v| (!v.is_nan()).then(|| data::format_number(*v).into_owned())),
            ),
            (FittedStep::Numeric { .. }, ColumnData::Strings { levels, .. }) => {
                let bad = levels.iter().find(|l| l.trim().parse::<f64>().is_err());
                return Err(BadRequest::new(format!(
                    "column '{}' holds text ('{}'), not numbers",
                    fitted.column,
                    bad.map_or("", String::as_str)
                )));
            }
            (_, data) => data.clone(),
        };
        columns.push(Column {
            name: fitted.column.clone(),
            kind: column.kind,
            role: Role::Feature,
            data,
        });
    }
    if !missing.is_empty() {
        return Err(lacks_columns(&missing));
    }
    Ok(request_table(columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Iris's naive Bayes, its training file read with `unknown` as the only missing value.
    fn model_reading_unknown() -> TrainedModel {
        let (_, _, mut model) =
            crate::ml::eval::validated_sample("iris.csv", "species", "naive_bayes");
        model.import.missing_tokens = vec!["unknown".into()];
        model
    }

    #[test]
    fn a_cell_is_missing_when_the_training_file_read_it_so() {
        let model = model_reading_unknown();
        let body = br#"{"dataframe_records": [{"sepal_length": "unknown", "sepal_width": 3.5,
            "petal_length": 1.4, "petal_width": 0.2}]}"#;
        let table = from_json(body, &model).unwrap();
        let ColumnData::Numeric(values) = &table.column("sepal_length").unwrap().data else {
            panic!("sepal_length is numeric");
        };
        assert!(values[0].is_nan());
        let csv = b"sepal_length,sepal_width,petal_length,petal_width\nunknown,3.5,1.4,0.2\n";
        let table = from_csv(csv, &model).unwrap();
        let ColumnData::Numeric(values) = &table.column("sepal_length").unwrap().data else {
            panic!("sepal_length is numeric");
        };
        assert!(values[0].is_nan());
        // `NA` is no missing value for this model: it is a word in a numeric column.
        let body = br#"{"dataframe_records": [{"sepal_length": "NA", "sepal_width": 3.5,
            "petal_length": 1.4, "petal_width": 0.2}]}"#;
        let error = from_json(body, &model).unwrap_err();
        assert!(error.0.contains("sepal_length"), "{}", error.0);
    }
}
