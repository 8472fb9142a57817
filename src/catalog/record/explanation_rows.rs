//! The rows a version's explanations are computed on: a labelled file the user gives, or
//! the file the version was trained on, if it is still at its path with the same fingerprint.

use std::path::{Path, PathBuf};

use super::super::DatasetLineage;
use crate::data::{self, Table};
use crate::ml::trained::TrainedModel;

/// Why no rows could be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RowsError {
    #[error("this version does not say which file it was trained on: give a labelled file")]
    NoLineage,
    #[error("{0} is no longer there: give a labelled file")]
    Gone(String),
    #[error("{0} has changed since the version was trained on it: give a labelled file")]
    Changed(String),
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
}

/// Read `given`, or else the training file of `lineage` (refused when it is gone or
/// changed), as `model`'s training file was read. `progress` hears the import.
pub fn explanation_rows(
    model: &TrainedModel,
    given: Option<&Path>,
    lineage: Option<&DatasetLineage>,
    progress: &data::Progress,
) -> Result<Table, RowsError> {
    let (path, fingerprint) = match (given, lineage) {
        (Some(path), _) => (path.to_path_buf(), None),
        (None, Some(lineage)) => (
            PathBuf::from(&lineage.path),
            Some(lineage.fingerprint.as_str()),
        ),
        (None, None) => return Err(RowsError::NoLineage),
    };
    if fingerprint.is_some() && !path.is_file() {
        return Err(RowsError::Gone(path.display().to_string()));
    }
    let table = data::import_csv(&path, &model.scoring_options(), progress).map_err(|e| {
        RowsError::Unreadable {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    })?;
    if fingerprint.is_some_and(|f| f != table.fingerprint) {
        return Err(RowsError::Changed(path.display().to_string()));
    }
    Ok(table)
}
