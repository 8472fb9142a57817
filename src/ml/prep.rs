//! The preprocessing recipe: what to do to each feature column (impute, scale, one-hot, ignore),
//! fitting it on training rows only, and applying the fitted recipe to any table with the same
//! columns to get the numeric matrix a model trains on or predicts from.
//!
//! Statistics are learned from the row indices given to [`fit_recipe`] and from nothing else,
//! so a validation row can never leak into the scaler or the level list.

mod design;
mod fit;
mod recipe;
mod transform;

#[cfg(test)]
mod fixtures;

use thiserror::Error;

use crate::data::{Column, ColumnData, Table};

pub use design::{Design, Features, OneHotCodes, TransformedDesign, NO_LEVEL};
pub use fit::{fit_recipe, Feature, FittedColumn, FittedMissing, FittedRecipe, FittedStep};
pub use recipe::{
    CategoricalImpute, ColumnRecipe, ColumnStep, MinFrequency, NumericImpute, RareLevels, Recipe,
    Scaling, INFREQUENT_LEVEL, MISSING_LEVEL,
};
pub use transform::Transformed;

/// Why a recipe could not be fitted or applied; every message is one line that names the column.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PrepError {
    /// A column the recipe uses is not in the table.
    #[error("column '{column}' is missing from the table")]
    MissingColumn { column: String },
    /// A column's kind does not suit its step (numbers where categories were fitted, or back).
    #[error("column '{column}' is {found}, but its preprocessing step needs {needs}")]
    WrongKind {
        column: String,
        found: &'static str,
        needs: &'static str,
    },
    /// Nothing to learn an imputation value from.
    #[error(
        "column '{column}' has no values in the training rows; ignore it or impute a constant"
    )]
    NoTrainingValues { column: String },
    /// Infinite values in the data, or an infinite impute constant.
    #[error("column '{column}' gives a value that is not a finite number after preprocessing")]
    NonFinite { column: String },
    /// Settings for grouping rare levels that cannot be used.
    #[error("column '{column}': {problem}")]
    BadRareLevels { column: String, problem: String },
    /// The recipe yields no column at all.
    #[error("no usable feature: every column is ignored or empty; choose at least one feature")]
    NoFeatures,
    /// The feature matrix would not fit in the memory budget.
    #[error(transparent)]
    OverBudget(Box<crate::data::memory::OverBudget>),
    /// A row index beyond the end of the table (a bug in the caller's split).
    #[error("row {row} is outside the table, which has {rows} rows")]
    RowOutOfRange { row: usize, rows: usize },
}

/// The column named `name`, checked to hold every row up to `max_row`.
fn find_column<'t>(
    table: &'t Table,
    name: &str,
    max_row: Option<usize>,
) -> Result<&'t Column, PrepError> {
    let column = table.column(name).ok_or_else(|| PrepError::MissingColumn {
        column: name.to_string(),
    })?;
    match max_row {
        Some(row) if row >= column.data.len() => Err(PrepError::RowOutOfRange {
            row,
            rows: column.data.len(),
        }),
        _ => Ok(column),
    }
}

/// The error for a column whose storage does not suit its step.
fn wrong_kind(column: &Column) -> PrepError {
    let needs = match column.data {
        ColumnData::Numeric(_) => "categories",
        ColumnData::Strings { .. } => "numbers",
    };
    PrepError::WrongKind {
        column: column.name.clone(),
        found: column.kind.name(),
        needs,
    }
}
