//! Explanations stored with a version: permutation importance and partial dependence, with
//! the file and rows they were computed on, when and by whom. One of each kind and subject
//! per version: storing again replaces what was there.

use rusqlite::params;
use serde::Serialize;

use super::lookup::locate;
use super::schema::NOW;
use super::{Catalog, CatalogError};

/// What an explanation measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationKind {
    PermutationImportance,
    PartialDependence,
}

impl ExplanationKind {
    fn stored(self) -> &'static str {
        match self {
            ExplanationKind::PermutationImportance => "permutation_importance",
            ExplanationKind::PartialDependence => "partial_dependence",
        }
    }

    fn from_stored(text: &str) -> Option<ExplanationKind> {
        match text {
            "permutation_importance" => Some(ExplanationKind::PermutationImportance),
            "partial_dependence" => Some(ExplanationKind::PartialDependence),
            _ => None,
        }
    }
}

/// An explanation to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewExplanation {
    pub kind: ExplanationKind,
    /// Empty for permutation importance; the column for partial dependence.
    pub subject: String,
    /// The labelled file the rows came from, and its blake3 fingerprint (hex).
    pub file_path: String,
    pub file_fingerprint: String,
    pub rows: u64,
    /// The result, as JSON (what it means belongs to `record`).
    pub result_json: String,
}

/// A stored explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredExplanation {
    pub kind: ExplanationKind,
    pub subject: String,
    pub file_path: String,
    pub file_fingerprint: String,
    pub rows: u64,
    /// UTC, ISO-8601.
    pub computed_at: String,
    pub computed_by: String,
    pub result_json: String,
}

impl Catalog {
    /// Store an explanation of version `version` of `model`, replacing the one of the same
    /// kind and subject.
    pub fn store_explanation(
        &mut self,
        model: &str,
        version: i64,
        explanation: &NewExplanation,
    ) -> Result<(), CatalogError> {
        let actor = self.actor().to_string();
        self.write(|tx| {
            let found = locate(tx, model, version)?;
            tx.prepare_cached(&format!(
                "INSERT INTO version_explanations (version_id, kind, subject, file_path,
                     file_fingerprint, rows, computed_at, computed_by, result_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW}, ?7, ?8)
                 ON CONFLICT (version_id, kind, subject) DO UPDATE SET
                     file_path = excluded.file_path,
                     file_fingerprint = excluded.file_fingerprint,
                     rows = excluded.rows,
                     computed_at = excluded.computed_at,
                     computed_by = excluded.computed_by,
                     result_json = excluded.result_json"
            ))?
            .execute(params![
                found.id,
                explanation.kind.stored(),
                explanation.subject,
                explanation.file_path,
                explanation.file_fingerprint,
                i64::try_from(explanation.rows).unwrap_or(i64::MAX),
                actor,
                explanation.result_json,
            ])?;
            Ok(())
        })
    }

    /// The explanations stored with version `version` of `model`: permutation importance
    /// first, then partial dependence in the order the columns were first stored.
    pub fn explanations(
        &self,
        model: &str,
        version: i64,
    ) -> Result<Vec<StoredExplanation>, CatalogError> {
        let found = locate(self.conn(), model, version)?;
        let mut statement = self.conn().prepare_cached(
            "SELECT kind, subject, file_path, file_fingerprint, rows, computed_at, computed_by,
                    result_json
             FROM version_explanations WHERE version_id = ?1 ORDER BY kind DESC, id",
        )?;
        let rows = statement.query_map([found.id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                StoredExplanation {
                    kind: ExplanationKind::PermutationImportance,
                    subject: row.get(1)?,
                    file_path: row.get(2)?,
                    file_fingerprint: row.get(3)?,
                    rows: row.get::<_, i64>(4)?.max(0) as u64,
                    computed_at: row.get(5)?,
                    computed_by: row.get(6)?,
                    result_json: row.get(7)?,
                },
            ))
        })?;
        let mut stored = Vec::new();
        for row in rows {
            let (kind, mut explanation) = row?;
            // A kind a later build added is skipped, not an error.
            if let Some(kind) = ExplanationKind::from_stored(&kind) {
                explanation.kind = kind;
                stored.push(explanation);
            }
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{sample_version, temp_catalog};
    use super::*;

    fn partial(column: &str, result: &str) -> NewExplanation {
        NewExplanation {
            kind: ExplanationKind::PartialDependence,
            subject: column.into(),
            file_path: "/data/iris.csv".into(),
            file_fingerprint: "f".repeat(64),
            rows: 150,
            result_json: result.into(),
        }
    }

    #[test]
    fn a_stored_explanation_reads_back_and_a_recompute_replaces_it() {
        let (_dir, mut catalog) = temp_catalog();
        catalog.set_actor("tester");
        catalog.register("iris", &sample_version(0.9)).unwrap();
        catalog.register("iris", &sample_version(0.8)).unwrap();
        assert!(catalog.explanations("iris", 1).unwrap().is_empty());
        catalog
            .store_explanation("iris", 1, &partial("petal_width", "[1]"))
            .unwrap();
        catalog
            .store_explanation("iris", 1, &partial("sepal_length", "[2]"))
            .unwrap();
        let importance = NewExplanation {
            kind: ExplanationKind::PermutationImportance,
            subject: String::new(),
            rows: 30,
            result_json: r#"{"metric":"accuracy"}"#.into(),
            ..partial("", "")
        };
        catalog.store_explanation("iris", 1, &importance).unwrap();
        catalog
            .store_explanation("iris", 1, &partial("petal_width", "[3]"))
            .unwrap();
        let stored = catalog.explanations("iris", 1).unwrap();
        let seen: Vec<(ExplanationKind, &str, &str)> = stored
            .iter()
            .map(|e| (e.kind, e.subject.as_str(), e.result_json.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    ExplanationKind::PermutationImportance,
                    "",
                    r#"{"metric":"accuracy"}"#
                ),
                (ExplanationKind::PartialDependence, "petal_width", "[3]"),
                (ExplanationKind::PartialDependence, "sepal_length", "[2]"),
            ]
        );
        assert_eq!(stored[0].rows, 30);
        assert_eq!(stored[0].computed_by, "tester");
        assert!(stored[0].computed_at.ends_with('Z'));
        // Another version's explanations are its own.
        assert!(catalog.explanations("iris", 2).unwrap().is_empty());
        assert!(catalog.explanations("iris", 3).is_err());
    }
}
