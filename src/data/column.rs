//! Typed columns and the table that holds them: numbers as `f64` (NaN = missing), strings as
//! dictionary codes, booleans as `Option<bool>` — never a `String` per numeric cell.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::PathBuf;

use super::options::{Dialect, ImportOptions};

/// Code used in [`ColumnData::Strings`] for a missing cell.
pub const MISSING_CODE: u32 = u32::MAX;

/// What a column holds, as inferred on import or chosen by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Integer,
    Float,
    Boolean,
    Categorical,
    Text,
    Date,
}

impl ColumnKind {
    /// Every kind, in the order the user sees them in a picker.
    pub const ALL: [ColumnKind; 6] = [
        ColumnKind::Integer,
        ColumnKind::Float,
        ColumnKind::Boolean,
        ColumnKind::Categorical,
        ColumnKind::Text,
        ColumnKind::Date,
    ];

    /// Lower-case name, as in `inspect --json`.
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Integer => "integer",
            ColumnKind::Float => "float",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Text => "text",
            ColumnKind::Date => "date",
        }
    }

    /// Numbers are stored as `f64`.
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnKind::Integer | ColumnKind::Float)
    }

    /// Everything but numbers is stored as dictionary codes.
    pub fn is_string(self) -> bool {
        !self.is_numeric()
    }
}

/// What a column is for when a model is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Feature,
    Target,
    Ignore,
}

impl Role {
    /// Every role, in picker order.
    pub const ALL: [Role; 3] = [Role::Feature, Role::Target, Role::Ignore];

    /// Lower-case name, as in `inspect --json`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Target => "target",
            Role::Ignore => "ignore",
        }
    }
}

/// The cells of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Integer and float columns; NaN marks a missing cell.
    Numeric(Vec<f64>),
    /// Boolean, categorical, text and date columns: one code per row into `levels`
    /// ([`MISSING_CODE`] = missing). Levels are in order of first appearance and keep the
    /// file's spelling (`yes`/`no` stays `yes`/`no`).
    Strings {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
}

impl ColumnData {
    /// A string column from its cells (`None` for missing), its levels in order of first
    /// appearance.
    pub fn from_texts<I: IntoIterator<Item = Option<String>>>(cells: I) -> ColumnData {
        let mut levels: Vec<String> = Vec::new();
        let mut codes_of: std::collections::HashMap<String, u32> = Default::default();
        let codes = cells
            .into_iter()
            .map(|cell| match cell {
                None => MISSING_CODE,
                Some(text) => *codes_of.entry(text).or_insert_with_key(|text| {
                    levels.push(text.clone());
                    (levels.len() - 1) as u32
                }),
            })
            .collect();
        ColumnData::Strings { codes, levels }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Strings { codes, .. } => codes.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the cell at `row` is missing.
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            ColumnData::Numeric(v) => v[row].is_nan(),
            ColumnData::Strings { codes, .. } => codes[row] == MISSING_CODE,
        }
    }
}

/// One named, typed column with its role.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    pub role: Role,
    pub data: ColumnData,
}

impl Column {
    /// The cell as the user should see it; empty for a missing cell.
    pub fn display(&self, row: usize) -> Cow<'_, str> {
        match &self.data {
            ColumnData::Numeric(v) => format_number(v[row]),
            ColumnData::Strings { codes, levels } => match codes[row] {
                MISSING_CODE => Cow::Borrowed(""),
                code => Cow::Borrowed(levels[code as usize].as_str()),
            },
        }
    }
}

/// `1234567` → `1,234,567`.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Shortest text that reads back as the same number; empty for NaN.
pub fn format_number(value: f64) -> Cow<'static, str> {
    if value.is_nan() {
        Cow::Borrowed("")
    } else {
        Cow::Owned(value.to_string())
    }
}

/// A dataset held in memory: typed columns of equal length, plus where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Display name (the file stem).
    pub name: String,
    /// The file it was read from.
    pub source: PathBuf,
    /// blake3 of the file's bytes, hex.
    pub fingerprint: String,
    /// How the file was read.
    pub dialect: Dialect,
    /// The options it was read with (`dialect` holds what was sniffed from them), so that
    /// files scored later by a model trained on it are read the same way.
    pub options: ImportOptions,
    pub columns: Vec<Column>,
    /// Things the user should know about the import (renamed headers, skipped rows, ...).
    pub notices: Vec<String>,
}

impl Table {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Index of the column whose role is target, if any.
    pub fn target_index(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.role == Role::Target)
    }

    /// Give column `index` a new role; choosing a target demotes the previous one to feature.
    pub fn set_role(&mut self, index: usize, role: Role) {
        if role == Role::Target {
            for column in &mut self.columns {
                if column.role == Role::Target {
                    column.role = Role::Feature;
                }
            }
        }
        if let Some(column) = self.columns.get_mut(index) {
            column.role = role;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(name: &str, role: Role) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Float,
            role,
            data: ColumnData::Numeric(vec![1.0, f64::NAN]),
        }
    }

    #[test]
    fn choosing_a_target_demotes_the_old_one() {
        let mut table = Table {
            name: "t".into(),
            source: PathBuf::new(),
            fingerprint: String::new(),
            dialect: Dialect::default(),
            options: Default::default(),
            columns: vec![numeric("a", Role::Target), numeric("b", Role::Feature)],
            notices: vec![],
        };
        table.set_role(1, Role::Target);
        assert_eq!(table.columns[0].role, Role::Feature);
        assert_eq!(table.target_index(), Some(1));
        assert_eq!(table.columns[1].display(1), "");
        assert_eq!(table.columns[1].display(0), "1");
    }
}
