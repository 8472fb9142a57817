//! What the user can choose about an import, and the dialect that was finally used.

use serde::{Deserialize, Serialize};

use super::column::{ColumnKind, Role};
use super::decode::Encoding;

/// Cell texts read as missing unless the user changes the list.
pub const DEFAULT_MISSING_TOKENS: [&str; 10] = [
    "", "NA", "N/A", "NaN", "null", "NULL", "None", "?", "-", "nan",
];

/// Choices for one import; `None` means "sniff it from the file".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// Field separator; sniffed among `,` `;` tab `|` when `None`.
    pub delimiter: Option<u8>,
    /// Whether the first record names the columns.
    pub has_header: Option<bool>,
    /// Whether numbers are written `3,5` instead of `3.5`.
    pub decimal_comma: Option<bool>,
    pub encoding: Encoding,
    /// Cell texts that mean "missing" (compared after trimming whitespace).
    pub missing_tokens: Vec<String>,
    /// Skip rows with the wrong number of fields (and count them) instead of failing.
    pub skip_ragged_rows: bool,
    /// Per column position: a type chosen by the user instead of the inferred one.
    pub column_kinds: Vec<Option<ColumnKind>>,
    /// Per column position: a role chosen by the user instead of the suggested one.
    pub column_roles: Vec<Option<Role>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            delimiter: None,
            has_header: None,
            decimal_comma: None,
            encoding: Encoding::Auto,
            missing_tokens: DEFAULT_MISSING_TOKENS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            skip_ragged_rows: false,
            column_kinds: Vec::new(),
            column_roles: Vec::new(),
        }
    }
}

impl ImportOptions {
    /// The user's type for column `index`, if any.
    pub fn kind_override(&self, index: usize) -> Option<ColumnKind> {
        self.column_kinds.get(index).copied().flatten()
    }

    /// The user's role for column `index`, if any.
    pub fn role_override(&self, index: usize) -> Option<Role> {
        self.column_roles.get(index).copied().flatten()
    }

    /// Set the type of column `index` (growing the list as needed).
    pub fn set_kind(&mut self, index: usize, kind: Option<ColumnKind>) {
        if self.column_kinds.len() <= index {
            self.column_kinds.resize(index + 1, None);
        }
        self.column_kinds[index] = kind;
    }

    /// Set the role of column `index` (growing the list as needed).
    pub fn set_role(&mut self, index: usize, role: Option<Role>) {
        if self.column_roles.len() <= index {
            self.column_roles.resize(index + 1, None);
        }
        self.column_roles[index] = role;
    }
}

/// How a file was actually read: every sniffed choice resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dialect {
    pub delimiter: u8,
    pub has_header: bool,
    pub decimal_comma: bool,
    pub encoding: Encoding,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            has_header: true,
            decimal_comma: false,
            encoding: Encoding::Utf8,
        }
    }
}

impl Dialect {
    /// The delimiter as the user would name it.
    pub fn delimiter_name(&self) -> &'static str {
        delimiter_name(self.delimiter)
    }
}

/// A delimiter as the user would name it.
pub fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "pipe",
        _ => "other",
    }
}
