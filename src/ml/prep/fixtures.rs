//! Small hand-made tables for the recipe tests.

use std::path::PathBuf;

use crate::data::{Column, ColumnData, ColumnKind, Dialect, Role, Table, MISSING_CODE};

/// A float feature column; NaN = missing.
pub fn numeric(name: &str, values: &[f64]) -> Column {
    Column {
        name: name.into(),
        kind: ColumnKind::Float,
        role: Role::Feature,
        data: ColumnData::Numeric(values.to_vec()),
    }
}

/// A categorical feature column; `None` = missing. Levels are coded in order of appearance.
pub fn categorical(name: &str, values: &[Option<&str>]) -> Column {
    let mut levels: Vec<String> = Vec::new();
    let codes = values
        .iter()
        .map(|v| match v {
            None => MISSING_CODE,
            Some(s) => match levels.iter().position(|l| l == s) {
                Some(i) => i as u32,
                None => {
                    levels.push(s.to_string());
                    (levels.len() - 1) as u32
                }
            },
        })
        .collect();
    Column {
        name: name.into(),
        kind: ColumnKind::Categorical,
        role: Role::Feature,
        data: ColumnData::Strings { codes, levels },
    }
}

/// The same column with another kind.
pub fn with_kind(column: Column, kind: ColumnKind) -> Column {
    Column { kind, ..column }
}

/// The same column with another role.
pub fn with_role(column: Column, role: Role) -> Column {
    Column { role, ..column }
}

/// A table of these columns.
pub fn table(columns: Vec<Column>) -> Table {
    Table {
        name: "t".into(),
        source: PathBuf::new(),
        fingerprint: String::new(),
        dialect: Dialect::default(),
        options: Default::default(),
        columns,
        notices: vec![],
    }
}
