//! Predictions as CSV: the original columns of the scored file, then the prediction columns
//! (the predicted label and one probability per class, or the predicted value).

use std::io::Write;

use super::Scored;
use crate::data::csv_field;
use crate::data::{format_number, ColumnData, Table, MISSING_CODE};

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
    let mut header: Vec<String> = table.columns.iter().map(|c| csv_field(&c.name)).collect();
    header.extend(
        prediction_columns(table, scored)
            .iter()
            .map(|n| csv_field(n)),
    );
    writeln!(out, "{}", header.join(","))?;
    let mut line = String::new();
    for row in 0..scored.rows {
        line.clear();
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            match &column.data {
                ColumnData::Numeric(values) => {
                    if !values[row].is_nan() {
                        line.push_str(&format_number(values[row]));
                    }
                }
                ColumnData::Strings { codes, levels } => {
                    if codes[row] != MISSING_CODE {
                        line.push_str(&csv_field(&levels[codes[row] as usize]));
                    }
                }
            }
        }
        for cell in prediction_cells(scored, row, digits) {
            line.push(',');
            line.push_str(&csv_field(&cell));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
