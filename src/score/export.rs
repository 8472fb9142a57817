//! Predictions as CSV: the original columns of the scored file, then the prediction columns
//! (the predicted label and one probability per class, or the predicted value), then, when
//! asked, each row's contributions ([`super::explained`]).

use std::fmt::Write as _;
use std::io::Write;

use super::explained::Explained;
use super::Scored;
use crate::data::{format_number, ColumnData, CsvWriter, Table, MISSING_CODE};

/// Names of the prediction columns, made unique against the table's own names.
pub fn prediction_columns(table: &Table, scored: &Scored) -> Vec<String> {
    let base: Vec<String> = if scored.classes.is_empty() {
        vec!["predicted".into()]
    } else {
        std::iter::once("predicted".to_string())
            .chain(scored.classes.iter().map(|c| format!("proba_{c}")))
            .collect()
    };
    base.into_iter()
        .map(|name| {
            let mut unique = name.clone();
            let mut n = 2;
            while table.column(&unique).is_some() {
                unique = format!("{name}_{n}");
                n += 1;
            }
            unique
        })
        .collect()
}

/// Decimals of the probabilities written by default.
pub const PROBABILITY_DIGITS: usize = 6;

/// From this many decimals on, probabilities are written in their shortest exact form.
pub const EXACT_DIGITS: usize = 17;

/// The prediction cells of one row, probabilities with `digits` decimals (at least
/// [`EXACT_DIGITS`]: the shortest text that reads back as the same number).
pub fn prediction_cells(scored: &Scored, row: usize, digits: usize) -> Vec<String> {
    if scored.classes.is_empty() {
        vec![format_number(scored.predicted_values[row]).into_owned()]
    } else {
        std::iter::once(scored.classes[scored.predicted_class[row]].clone())
            .chain(scored.proba.row(row).iter().map(|&p| {
                if digits >= EXACT_DIGITS {
                    format_number(p).into_owned()
                } else {
                    format!("{p:.digits$}")
                }
            }))
            .collect()
    }
}

/// Write every row of `table` with its predictions.
pub fn write_predictions(
    out: &mut dyn Write,
    table: &Table,
    scored: &Scored,
    digits: usize,
) -> std::io::Result<()> {
    write_explained_predictions(out, table, scored, digits, None)
}

/// Write every row of `table` with its predictions and, when given, its contributions.
pub fn write_explained_predictions(
    out: &mut dyn Write,
    table: &Table,
    scored: &Scored,
    digits: usize,
    explained: Option<&Explained>,
) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(out);
    let names = table.columns.iter().map(|c| c.name.clone());
    let predicted = prediction_columns(table, scored);
    let contributions = explained.map(|e| e.columns(table, &predicted));
    csv.record(
        names
            .chain(predicted)
            .chain(contributions.into_iter().flatten()),
    )?;
    let mut number = String::new();
    for row in 0..scored.rows {
        for column in &table.columns {
            match &column.data {
                ColumnData::Numeric(values) => {
                    number.clear();
                    if !values[row].is_nan() {
                        // As `format_number` writes it, without a String per cell.
                        let _ = write!(number, "{}", values[row]);
                    }
                    csv.field(&number)?;
                }
                ColumnData::Strings { codes, levels } => match codes[row] {
                    MISSING_CODE => csv.field("")?,
                    code => csv.field(&levels[code as usize])?,
                },
            }
        }
        for cell in prediction_cells(scored, row, digits) {
            csv.field(&cell)?;
        }
        for cell in explained
            .map(|e| e.cells(row, digits))
            .into_iter()
            .flatten()
        {
            csv.field(&cell)?;
        }
        csv.end_record()?;
    }
    csv.finish()?;
    Ok(())
}
