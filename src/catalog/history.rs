//! The append-only history of each version: its registration, every stage change (with who,
//! when, why and an optional comment) and its deletion. Rows are only ever inserted; SQLite
//! triggers refuse UPDATE and DELETE on them.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::schema::NOW;
use super::{Catalog, CatalogError, Stage};

/// What happened to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum HistoryEvent {
    /// The version was registered (in stage None).
    Registered,
    /// The version moved between stages.
    Stage {
        from: Stage,
        to: Stage,
        /// Why: `request` (asked for), `replaced` (archived because another version was
        /// promoted to Production) or `roll_back`.
        cause: Cause,
    },
    /// The version was deleted while in stage `from`.
    Deleted { from: Stage },
}

/// Why a stage changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Someone asked for this change.
    Request,
    /// Archived because another version was promoted to Production.
    Replaced,
    /// Part of a roll back to the previous Production version.
    RollBack,
}

impl Cause {
    fn name(self) -> &'static str {
        match self {
            Cause::Request => "request",
            Cause::Replaced => "replaced",
            Cause::RollBack => "roll_back",
        }
    }
}

/// One row of a model's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub version_id: i64,
    pub version: i64,
    #[serde(flatten)]
    pub event: HistoryEvent,
    /// UTC, ISO-8601.
    pub at: String,
    pub actor: String,
    pub comment: Option<String>,
}

impl HistoryEvent {
    /// The `from_stage`, `to_stage` and `cause` columns of this event's row.
    fn columns(self) -> (Option<&'static str>, &'static str, &'static str) {
        match self {
            HistoryEvent::Registered => (None, Stage::None.name(), "registration"),
            HistoryEvent::Stage { from, to, cause } => (Some(from.name()), to.name(), cause.name()),
            HistoryEvent::Deleted { from } => (Some(from.name()), "deleted", "deletion"),
        }
    }
}

/// Append `event` of `version_id` to the history; returns the row's id.
pub(super) fn record(
    conn: &Connection,
    version_id: i64,
    event: HistoryEvent,
    actor: &str,
    comment: Option<&str>,
) -> Result<i64, CatalogError> {
    let (from, to, cause) = event.columns();
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    conn.prepare_cached(&format!(
        "INSERT INTO stage_transitions (version_id, from_stage, to_stage, cause, at, actor, comment)
         VALUES (?1, ?2, ?3, ?4, {NOW}, ?5, ?6)"
    ))?
    .execute(params![version_id, from, to, cause, actor, comment])?;
    Ok(conn.last_insert_rowid())
}

const SELECT_ENTRY: &str =
    "SELECT t.id, t.version_id, v.version, t.from_stage, t.to_stage, t.cause,
            t.at, t.actor, t.comment
     FROM stage_transitions t JOIN model_versions v ON v.id = t.version_id";

fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryEntry> {
    let from: Option<String> = row.get(3)?;
    let to: String = row.get(4)?;
    let cause: String = row.get(5)?;
    let stage = |name: &str| Stage::from_stored(name).unwrap_or(Stage::None);
    let event = match (from.as_deref(), to.as_str()) {
        (None, _) => HistoryEvent::Registered,
        (Some(from), "deleted") => HistoryEvent::Deleted { from: stage(from) },
        (Some(from), to) => HistoryEvent::Stage {
            from: stage(from),
            to: stage(to),
            cause: match cause.as_str() {
                "replaced" => Cause::Replaced,
                "roll_back" => Cause::RollBack,
                _ => Cause::Request,
            },
        },
    };
    Ok(HistoryEntry {
        id: row.get(0)?,
        version_id: row.get(1)?,
        version: row.get(2)?,
        event,
        at: row.get(6)?,
        actor: row.get(7)?,
        comment: row.get(8)?,
    })
}

/// The history rows with these ids, in order.
pub(super) fn entries(conn: &Connection, ids: &[i64]) -> Result<Vec<HistoryEntry>, CatalogError> {
    let mut statement = conn.prepare_cached(&format!("{SELECT_ENTRY} WHERE t.id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(found) = statement.query_row([id], entry).optional()? {
            out.push(found);
        }
    }
    Ok(out)
}

impl Catalog {
    /// Everything that happened to the versions of `model`, oldest first.
    pub fn history(&self, model: &str) -> Result<Vec<HistoryEntry>, CatalogError> {
        let model_id = super::lookup::model_id(self.conn(), model)?;
        let mut statement = self.conn().prepare_cached(&format!(
            "{SELECT_ENTRY} WHERE v.model_id = ?1 ORDER BY t.id"
        ))?;
        let rows = statement.query_map([model_id], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{sample_version, temp_catalog};

    #[test]
    fn the_history_refuses_updates_and_deletes() {
        let (_dir, mut catalog) = temp_catalog();
        catalog.register("churn", &sample_version(0.8)).unwrap();
        let conn = catalog.conn();
        for sql in [
            "UPDATE stage_transitions SET actor = 'mallory'",
            "DELETE FROM stage_transitions",
        ] {
            let error = conn.execute(sql, []).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("the stage history is append-only"),
                "{error}"
            );
        }
        let history = catalog.history("churn").unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].actor, "tester");
    }
}
