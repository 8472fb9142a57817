//! Moving versions through their stages: promote (optionally archiving the Production
//! version it replaces), roll back to the previous Production version, and delete. Each is
//! one transaction that also appends its history rows.

use rusqlite::{params, Connection};

use super::history::{entries, record, Cause, HistoryEvent};
use super::lookup::{current_in_stage, locate, model_id};
use super::schema::NOW;
use super::{Catalog, CatalogError, HistoryEntry, Stage};

/// Move `version_id` from stage `from` to `to` and append the change to the history;
/// returns the history row's id.
fn change_stage(
    conn: &Connection,
    version_id: i64,
    (from, to): (Stage, Stage),
    cause: Cause,
    actor: &str,
    comment: Option<&str>,
) -> Result<i64, CatalogError> {
    conn.prepare_cached("UPDATE model_versions SET stage = ?2 WHERE id = ?1")?
        .execute(params![version_id, to.name()])?;
    record(
        conn,
        version_id,
        HistoryEvent::Stage { from, to, cause },
        actor,
        comment,
    )
}

/// The Production versions of `model_id` in the order they became Production, as a stack:
/// a promotion pushes its version (moving it up if it was already there), a roll back pops
/// the version it rolled back from. Deleted versions are left out.
fn production_stack(conn: &Connection, model_id: i64) -> Result<Vec<i64>, CatalogError> {
    let mut statement = conn.prepare_cached(
        "SELECT t.version_id, t.to_stage, v.deleted_at IS NOT NULL
         FROM stage_transitions t JOIN model_versions v ON v.id = t.version_id
         WHERE v.model_id = ?1 AND (t.to_stage = 'production' OR t.cause = 'roll_back')
         ORDER BY t.id",
    )?;
    let rows = statement.query_map([model_id], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, bool>(2)?,
        ))
    })?;
    let mut stack: Vec<i64> = Vec::new();
    for row in rows {
        let (version_id, to, is_deleted) = row?;
        stack.retain(|&v| v != version_id);
        // A version a roll back archived leaves the stack; a promotion goes on top.
        if to == "production" && !is_deleted {
            stack.push(version_id);
        }
    }
    Ok(stack)
}

impl Catalog {
    /// Move version `version` of `model` to `stage`. With `archive_existing`, a promotion to
    /// Production also archives the versions that are in Production now. Returns the
    /// history rows written (none when the version is already in `stage`).
    pub fn set_stage(
        &mut self,
        model: &str,
        version: i64,
        stage: Stage,
        archive_existing: bool,
        comment: Option<&str>,
    ) -> Result<Vec<HistoryEntry>, CatalogError> {
        let actor = self.actor().to_string();
        self.write(|tx| {
            let target = locate(tx, model, version)?;
            if target.stage == stage {
                return Ok(Vec::new());
            }
            let mut written = Vec::new();
            if stage == Stage::Production && archive_existing {
                let mut statement = tx.prepare_cached(
                    "SELECT id FROM model_versions
                     WHERE model_id = ?1 AND stage = 'production' AND deleted_at IS NULL AND id != ?2
                     ORDER BY version",
                )?;
                let current: Vec<i64> = statement
                    .query_map(params![target.model_id, target.id], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                for id in current {
                    written.push(change_stage(
                        tx,
                        id,
                        (Stage::Production, Stage::Archived),
                        Cause::Replaced,
                        &actor,
                        comment,
                    )?);
                }
            }
            written.push(change_stage(
                tx,
                target.id,
                (target.stage, stage),
                Cause::Request,
                &actor,
                comment,
            )?);
            entries(tx, &written)
        })
    }

    /// Make the previous Production version of `model` Production again and archive the
    /// current one, recording both. "Previous" follows the history as a stack, so rolling
    /// back twice from version 3 (promoted after 2, after 1) returns to 2, then to 1.
    pub fn roll_back(
        &mut self,
        model: &str,
        comment: Option<&str>,
    ) -> Result<Vec<HistoryEntry>, CatalogError> {
        let actor = self.actor().to_string();
        self.write(|tx| {
            let model_id = model_id(tx, model)?;
            let (current, _) =
                current_in_stage(tx, model_id, Stage::Production)?.ok_or_else(|| {
                    CatalogError::NoVersionInStage {
                        model: model.to_string(),
                        stage: Stage::Production.title().to_string(),
                    }
                })?;
            let stack = production_stack(tx, model_id)?;
            let previous = stack
                .iter()
                .rev()
                .find(|&&v| v != current)
                .copied()
                .ok_or_else(|| CatalogError::NothingToRollBack {
                    model: model.to_string(),
                })?;
            let previous_stage: String = tx
                .prepare_cached("SELECT stage FROM model_versions WHERE id = ?1")?
                .query_row([previous], |row| row.get(0))?;
            let previous_stage = Stage::from_stored(&previous_stage).unwrap_or(Stage::None);
            let archived = change_stage(
                tx,
                current,
                (Stage::Production, Stage::Archived),
                Cause::RollBack,
                &actor,
                comment,
            )?;
            let mut written = vec![archived];
            if previous_stage != Stage::Production {
                written.push(change_stage(
                    tx,
                    previous,
                    (previous_stage, Stage::Production),
                    Cause::RollBack,
                    &actor,
                    comment,
                )?);
            }
            entries(tx, &written)
        })
    }

    /// Delete version `version` of `model`: its stored model is dropped, it leaves every
    /// listing, its number is never reused, and the deletion is recorded in the history.
    pub fn delete_version(
        &mut self,
        model: &str,
        version: i64,
        comment: Option<&str>,
    ) -> Result<HistoryEntry, CatalogError> {
        let actor = self.actor().to_string();
        self.write(|tx| {
            let target = locate(tx, model, version)?;
            tx.prepare_cached(&format!(
                "UPDATE model_versions SET artifact = NULL, deleted_at = {NOW} WHERE id = ?1"
            ))?
            .execute([target.id])?;
            let deleted = HistoryEvent::Deleted { from: target.stage };
            let id = record(tx, target.id, deleted, &actor, comment)?;
            entries(tx, &[id])?
                .pop()
                .ok_or(CatalogError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{sample_version, temp_catalog, HistoryEvent};
    use super::*;

    /// A new catalog with one version of `churn` per accuracy.
    fn churn_versions(accuracies: &[f64]) -> (tempfile::TempDir, Catalog) {
        let (dir, mut catalog) = temp_catalog();
        for &accuracy in accuracies {
            catalog
                .register("churn", &sample_version(accuracy))
                .unwrap();
        }
        (dir, catalog)
    }

    fn stages(catalog: &Catalog, model: &str) -> Vec<(i64, Stage)> {
        catalog
            .versions(&super::super::VersionQuery::of_model(model))
            .unwrap()
            .into_iter()
            .map(|v| (v.version, v.stage))
            .collect()
    }

    #[test]
    fn promoting_with_archive_existing_replaces_production_in_one_step() {
        let (_dir, mut catalog) = churn_versions(&[0.8, 0.9]);
        catalog.set_actor("alice");
        catalog
            .set_stage("churn", 1, Stage::Production, true, None)
            .unwrap();
        let written = catalog
            .set_stage("churn", 2, Stage::Production, true, Some("better recall"))
            .unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(written[0].version, 1);
        assert_eq!(
            written[0].event,
            HistoryEvent::Stage {
                from: Stage::Production,
                to: Stage::Archived,
                cause: Cause::Replaced
            }
        );
        assert_eq!(written[1].actor, "alice");
        assert_eq!(written[1].comment.as_deref(), Some("better recall"));
        assert_eq!(
            stages(&catalog, "churn"),
            vec![(1, Stage::Archived), (2, Stage::Production)]
        );
        assert!(catalog
            .set_stage("churn", 2, Stage::Production, true, None)
            .unwrap()
            .is_empty());
        assert!(matches!(
            catalog.set_stage("churn", 9, Stage::Staging, false, None),
            Err(CatalogError::UnknownVersion { version: 9, .. })
        ));
    }

    #[test]
    fn rolling_back_walks_back_through_earlier_production_versions() {
        let (_dir, mut catalog) = churn_versions(&[0.7, 0.8, 0.9]);
        for version in 1..=3 {
            catalog
                .set_stage("churn", version, Stage::Production, true, None)
                .unwrap();
        }
        let written = catalog.roll_back("churn", Some("v3 misbehaves")).unwrap();
        assert_eq!(written.len(), 2);
        assert!(written.iter().all(|e| matches!(
            e.event,
            HistoryEvent::Stage {
                cause: Cause::RollBack,
                ..
            }
        )));
        assert_eq!(catalog.resolve("churn@production").unwrap().version, 2);
        catalog.roll_back("churn", None).unwrap();
        assert_eq!(catalog.resolve("churn@production").unwrap().version, 1);
        assert!(matches!(
            catalog.roll_back("churn", None),
            Err(CatalogError::NothingToRollBack { .. })
        ));
        assert_eq!(
            stages(&catalog, "churn"),
            vec![
                (1, Stage::Production),
                (2, Stage::Archived),
                (3, Stage::Archived)
            ]
        );
        // Registration, three promotions, two replacements, two roll backs of two rows each.
        assert_eq!(catalog.history("churn").unwrap().len(), 3 + 3 + 2 + 4);
    }

    #[test]
    fn a_deleted_version_leaves_listings_keeps_its_number_and_is_not_rolled_back_to() {
        let (_dir, mut catalog) = churn_versions(&[0.7, 0.8]);
        for version in 1..=2 {
            catalog
                .set_stage("churn", version, Stage::Production, true, None)
                .unwrap();
        }
        let deleted = catalog
            .delete_version("churn", 1, Some("leaked a column"))
            .unwrap();
        assert_eq!(
            deleted.event,
            HistoryEvent::Deleted {
                from: Stage::Archived
            }
        );
        assert_eq!(stages(&catalog, "churn"), vec![(2, Stage::Production)]);
        assert!(matches!(
            catalog.roll_back("churn", None),
            Err(CatalogError::NothingToRollBack { .. })
        ));
        assert!(matches!(
            catalog.version("churn", 1),
            Err(CatalogError::Deleted { version: 1, .. })
        ));
        assert_eq!(
            catalog
                .register("churn", &sample_version(0.9))
                .unwrap()
                .version,
            3
        );
    }
}
