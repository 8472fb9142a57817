//! The data engine: CSV import (sniff, decode, parse, infer), typed tables, column profiles,
//! and the one CSV writer every export uses.
//!
//! Nothing here knows about the window; the CLI, the GUI and the tests call the same functions.

mod column;
mod csv_out;
mod decode;
mod import;
mod import_error;
mod infer;
pub mod memory;
mod options;
mod parse;
mod profile;
mod sniff;

pub use column::{
    format_count, format_number, Column, ColumnData, ColumnKind, Role, Table, MISSING_CODE,
};
pub use csv_out::{CsvText, CsvWriter};
pub use decode::Encoding;
pub use import::{import_csv, preview_csv, Preview, Progress};
pub use import_error::ImportError;
pub use options::{Dialect, ImportOptions, DEFAULT_MISSING_TOKENS};
pub use profile::{
    level_counts, percentile_mean, profile_table, ColumnProfile, Histogram, NumericSummary,
    Profile, MIN_ROWS,
};
