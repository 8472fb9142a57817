//! Every file of the nasty corpus (tests/fixtures/nasty, made by make_corpus.py) imports
//! into the table its expectations describe, or fails with the expected one-line error —
//! never a panic.

use modeldesk::data::{import_csv, ImportOptions, Progress, Table};
use serde_json::Value;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nasty")
}

fn import(name: &str, skip_ragged_rows: bool) -> Result<Table, String> {
    let options = ImportOptions {
        skip_ragged_rows,
        ..ImportOptions::default()
    };
    import_csv(&corpus().join(name), &options, &Progress::default()).map_err(|e| e.to_string())
}

fn check_table(name: &str, table: &Table, expected: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(rows) = expected["rows"].as_u64() {
        if table.rows() as u64 != rows {
            problems.push(format!("{name}: {} rows, expected {rows}", table.rows()));
        }
    }
    if let Some(columns) = expected["columns"].as_array() {
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let want: Vec<&str> = columns.iter().map(|c| c.as_str().unwrap_or("")).collect();
        if names != want {
            problems.push(format!("{name}: columns {names:?}, expected {want:?}"));
            return problems;
        }
    }
    for (field, check) in [("types", 0), ("roles", 1)] {
        for (column, want) in expected[field].as_object().into_iter().flatten() {
            let Some(c) = table.column(column) else {
                problems.push(format!("{name}: no column {column}"));
                continue;
            };
            let got = if check == 0 {
                c.kind.name()
            } else {
                c.role.name()
            };
            if Some(got) != want.as_str() {
                problems.push(format!(
                    "{name}: {column} {field} is {got}, expected {want}"
                ));
            }
        }
    }
    for (column, values) in expected["values"].as_object().into_iter().flatten() {
        let Some(c) = table.column(column) else {
            problems.push(format!("{name}: no column {column}"));
            continue;
        };
        for (row, want) in values.as_array().into_iter().flatten().enumerate() {
            let ok = match want {
                Value::Null => c.data.is_missing(row),
                Value::Number(n) => match &c.data {
                    modeldesk::data::ColumnData::Numeric(v) => {
                        (v[row] - n.as_f64().unwrap()).abs() < 1e-9
                    }
                    _ => c.display(row) == n.to_string(),
                },
                Value::String(s) => c.display(row) == s.as_str(),
                _ => false,
            };
            if !ok {
                problems.push(format!(
                    "{name}: {column}[{row}] is {:?}, expected {want}",
                    c.display(row)
                ));
            }
        }
    }
    for (column, lengths) in expected["string_lengths"].as_object().into_iter().flatten() {
        let c = table.column(column).expect("column for string_lengths");
        for (row, want) in lengths.as_array().into_iter().flatten().enumerate() {
            let got = c.display(row).chars().count() as u64;
            if Some(got) != want.as_u64() {
                problems.push(format!(
                    "{name}: {column}[{row}] has {got} characters, expected {want}"
                ));
            }
        }
    }
    for notice in expected["notices_contain"].as_array().into_iter().flatten() {
        let notice = notice.as_str().unwrap_or_default();
        if !table.notices.iter().any(|n| n.contains(notice)) {
            problems.push(format!(
                "{name}: no notice containing {notice:?} in {:?}",
                table.notices
            ));
        }
    }
    problems
}

#[test]
fn every_nasty_file_gives_its_table_or_its_error() {
    let text = std::fs::read_to_string(corpus().join("expected.json")).unwrap();
    let expectations: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    assert!(expectations.len() >= 25, "the corpus has at least 25 files");
    let mut problems = Vec::new();
    for (name, expected) in &expectations {
        let result = std::panic::catch_unwind(|| import(name, false));
        let Ok(result) = result else {
            problems.push(format!("{name}: panicked"));
            continue;
        };
        match (result, expected["error_contains"].as_array()) {
            (Ok(table), None) => problems.extend(check_table(name, &table, expected)),
            (Ok(table), Some(_)) => problems.push(format!(
                "{name}: imported {} rows, expected an error",
                table.rows()
            )),
            (Err(message), None) => problems.push(format!("{name}: failed with {message}")),
            (Err(message), Some(parts)) => {
                for part in parts.iter().filter_map(Value::as_str) {
                    if !message.contains(part) {
                        problems.push(format!("{name}: error {message:?} lacks {part:?}"));
                    }
                }
                if message.contains('\n') {
                    problems.push(format!("{name}: error is not one line: {message:?}"));
                }
                let located = message.starts_with(&corpus().join(name).display().to_string());
                if !located {
                    problems.push(format!("{name}: error does not name the file: {message:?}"));
                }
            }
        }
        if let Some(skip) = expected.get("skip_ragged") {
            match import(name, true) {
                Ok(table) => {
                    if Some(table.rows() as u64) != skip["rows"].as_u64() {
                        problems.push(format!("{name}: skipping gives {} rows", table.rows()));
                    }
                    let count = format!("skipped {} row(s)", skip["skipped"]);
                    if !table.notices.iter().any(|n| n.contains(&count)) {
                        problems.push(format!(
                            "{name}: no notice {count:?} in {:?}",
                            table.notices
                        ));
                    }
                }
                Err(message) => problems.push(format!("{name}: skipping still fails: {message}")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
