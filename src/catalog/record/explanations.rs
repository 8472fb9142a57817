//! A version's stored explanations as typed values, and computed ones as records to store:
//! permutation importance and partial dependence (the serde form of their `ml` types), each
//! with the file and rows it was computed on.

use serde::Serialize;

use super::super::{CatalogError, ExplanationKind, NewExplanation, StoredExplanation};
use crate::data::Table;
use crate::ml::partial_dependence::PartialDependence;
use crate::ml::permutation::PermutationImportance;

/// Where an explanation's rows came from, and when it was computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComputedOn {
    pub file_path: String,
    pub file_fingerprint: String,
    pub rows: u64,
    /// UTC, ISO-8601 (empty for one not stored yet).
    pub computed_at: String,
    pub computed_by: String,
}

impl ComputedOn {
    /// The rows of `table` (its file as read), `rows` of them used.
    pub fn file(table: &Table, rows: usize) -> ComputedOn {
        let path = std::fs::canonicalize(&table.source).unwrap_or_else(|_| table.source.clone());
        ComputedOn {
            file_path: path.display().to_string(),
            file_fingerprint: table.fingerprint.clone(),
            rows: rows as u64,
            computed_at: String::new(),
            computed_by: String::new(),
        }
    }

    fn of(stored: &StoredExplanation) -> ComputedOn {
        ComputedOn {
            file_path: stored.file_path.clone(),
            file_fingerprint: stored.file_fingerprint.clone(),
            rows: stored.rows,
            computed_at: stored.computed_at.clone(),
            computed_by: stored.computed_by.clone(),
        }
    }
}

/// The explanations stored with a version.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StoredExplanations {
    pub permutation: Option<(PermutationImportance, ComputedOn)>,
    /// One per column, in the order they were first computed.
    pub partial_dependence: Vec<(PartialDependence, ComputedOn)>,
}

impl StoredExplanations {
    /// Read stored explanations; one that does not read as this build's type is skipped.
    pub fn read(stored: &[StoredExplanation]) -> StoredExplanations {
        let mut out = StoredExplanations::default();
        for explanation in stored {
            let on = ComputedOn::of(explanation);
            match explanation.kind {
                ExplanationKind::PermutationImportance => {
                    if let Ok(value) = serde_json::from_str(&explanation.result_json) {
                        out.permutation = Some((value, on));
                    }
                }
                ExplanationKind::PartialDependence => {
                    if let Ok(value) = serde_json::from_str(&explanation.result_json) {
                        out.partial_dependence.push((value, on));
                    }
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.permutation.is_none() && self.partial_dependence.is_empty()
    }
}

fn to_json<T: Serialize>(what: &str, value: &T) -> Result<String, CatalogError> {
    serde_json::to_string(value).map_err(|e| CatalogError::Encode {
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// Permutation importance as a record to store.
pub fn permutation_record(
    measured: &PermutationImportance,
    on: &ComputedOn,
) -> Result<NewExplanation, CatalogError> {
    Ok(NewExplanation {
        kind: ExplanationKind::PermutationImportance,
        subject: String::new(),
        file_path: on.file_path.clone(),
        file_fingerprint: on.file_fingerprint.clone(),
        rows: on.rows,
        result_json: to_json("the permutation importance", measured)?,
    })
}

/// A column's partial dependence as a record to store.
pub fn partial_dependence_record(
    dependence: &PartialDependence,
    on: &ComputedOn,
) -> Result<NewExplanation, CatalogError> {
    Ok(NewExplanation {
        kind: ExplanationKind::PartialDependence,
        subject: dependence.column.clone(),
        file_path: on.file_path.clone(),
        file_fingerprint: on.file_fingerprint.clone(),
        rows: on.rows,
        result_json: to_json("the partial dependence", dependence)?,
    })
}
