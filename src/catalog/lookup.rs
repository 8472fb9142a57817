//! Finding rows by what a user types: a model by name, a version by number, stage or
//! "latest", with the error a user sees when it is not there.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Catalog, CatalogError, Stage, VersionRef, VersionSelector};

/// A version's row as the lifecycle operations need it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Located {
    pub model: String,
    pub model_id: i64,
    pub id: i64,
    pub version: i64,
    pub stage: Stage,
}

impl Located {
    pub fn reference(&self) -> VersionRef {
        VersionRef {
            model: self.model.clone(),
            version: self.version,
            id: self.id,
        }
    }
}

/// The id of the model named `name`.
pub(super) fn model_id(conn: &Connection, name: &str) -> Result<i64, CatalogError> {
    conn.prepare_cached("SELECT id FROM registered_models WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?
        .ok_or_else(|| CatalogError::UnknownModel(name.to_string()))
}

/// Version `version` of `model`, which must not be deleted.
pub(super) fn locate(
    conn: &Connection,
    model: &str,
    version: i64,
) -> Result<Located, CatalogError> {
    let model_id = model_id(conn, model)?;
    let row: Option<(i64, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT id, stage, deleted_at FROM model_versions WHERE model_id = ?1 AND version = ?2",
        )?
        .query_row(params![model_id, version], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    match row {
        None => Err(CatalogError::UnknownVersion {
            model: model.to_string(),
            version,
        }),
        Some((_, _, Some(_))) => Err(CatalogError::Deleted {
            model: model.to_string(),
            version,
        }),
        Some((id, stage, None)) => Ok(Located {
            model: model.to_string(),
            model_id,
            id,
            version,
            stage: Stage::from_stored(&stage).unwrap_or(Stage::None),
        }),
    }
}

/// SQL selecting the version number of the live version of model `model` most recently
/// moved into stage `stage` that is still there (`model` and `stage` are SQL expressions).
pub(super) fn current_in_stage_sql(model: &str, stage: &str) -> String {
    format!(
        "SELECT v.version FROM model_versions v
         WHERE v.model_id = {model} AND v.stage = {stage} AND v.deleted_at IS NULL
         ORDER BY (SELECT max(t.id) FROM stage_transitions t
                   WHERE t.version_id = v.id AND t.to_stage = {stage}) DESC, v.version DESC
         LIMIT 1"
    )
}

/// The live version of `model_id` most recently moved into `stage` that is still there, as
/// (row id, number).
pub(super) fn current_in_stage(
    conn: &Connection,
    model_id: i64,
    stage: Stage,
) -> Result<Option<(i64, i64)>, CatalogError> {
    let sql = format!(
        "SELECT id, version FROM model_versions WHERE model_id = ?1 AND version = ({})",
        current_in_stage_sql("?1", "?2")
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![model_id, stage.name()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?)
}

impl Catalog {
    /// The stage version `version` of `model` is in now (one small read).
    pub fn stage_of(&self, model: &str, version: i64) -> Result<Stage, CatalogError> {
        Ok(locate(self.conn(), model, version)?.stage)
    }

    /// The version a reference such as `churn@3`, `churn@production`, `churn@latest` or
    /// `churn` (latest) points at.
    pub fn resolve(&self, reference: &str) -> Result<VersionRef, CatalogError> {
        let (model, selector) = VersionSelector::parse_reference(reference)?;
        self.select(&model, selector)
    }

    /// The version of `model` that `selector` picks.
    pub fn select(
        &self,
        model: &str,
        selector: VersionSelector,
    ) -> Result<VersionRef, CatalogError> {
        let conn = self.conn();
        let model_id = model_id(conn, model)?;
        let found =
            match selector {
                VersionSelector::Number(number) => {
                    return Ok(locate(conn, model, number)?.reference());
                }
                VersionSelector::Stage(stage) => current_in_stage(conn, model_id, stage)?
                    .ok_or_else(|| CatalogError::NoVersionInStage {
                        model: model.to_string(),
                        stage: stage.title().to_string(),
                    })?,
                VersionSelector::Latest => conn
                    .prepare_cached(
                        "SELECT id, version FROM model_versions
                     WHERE model_id = ?1 AND deleted_at IS NULL
                     ORDER BY version DESC LIMIT 1",
                    )?
                    .query_row([model_id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()?
                    .ok_or_else(|| CatalogError::NoVersions(model.to_string()))?,
            };
        Ok(VersionRef {
            model: model.to_string(),
            version: found.1,
            id: found.0,
        })
    }
}
