//! What people write about models and versions: a Markdown description each, and
//! key/value tags.

use rusqlite::{params, Connection};
use std::collections::BTreeMap;

use super::lookup::{locate, model_id};
use super::{Catalog, CatalogError};

fn check_key(key: &str) -> Result<&str, CatalogError> {
    let key = key.trim();
    if key.is_empty() || key.chars().any(char::is_control) {
        return Err(CatalogError::InvalidName {
            name: key.to_string(),
            reason: "a tag key must be non-blank text without control characters".into(),
        });
    }
    Ok(key)
}

/// Tags stored as a JSON object (from `json_group_object`), as a map.
pub(super) fn tags_from_json(json: Option<String>) -> BTreeMap<String, String> {
    json.and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn tags(conn: &Connection, sql: &str, id: i64) -> Result<BTreeMap<String, String>, CatalogError> {
    let json: Option<String> = conn
        .prepare_cached(sql)?
        .query_row([id], |row| row.get(0))?;
    Ok(tags_from_json(json))
}

impl Catalog {
    /// Replace the description of `model` (`version` `None`) or of one of its versions.
    pub fn set_description(
        &mut self,
        model: &str,
        version: Option<i64>,
        text: &str,
    ) -> Result<(), CatalogError> {
        match version {
            None => self.set_model_description(model, text),
            Some(v) => self.set_version_description(model, v, text),
        }
    }

    /// Set a tag of `model` (`version` `None`) or of one of its versions.
    pub fn set_tag(
        &mut self,
        model: &str,
        version: Option<i64>,
        key: &str,
        value: &str,
    ) -> Result<(), CatalogError> {
        match version {
            None => self.set_model_tag(model, key, value),
            Some(v) => self.set_version_tag(model, v, key, value),
        }
    }

    /// Remove a tag of `model` (`version` `None`) or of one of its versions; false when it
    /// had none with that key.
    pub fn remove_tag(
        &mut self,
        model: &str,
        version: Option<i64>,
        key: &str,
    ) -> Result<bool, CatalogError> {
        match version {
            None => self.remove_model_tag(model, key),
            Some(v) => self.remove_version_tag(model, v, key),
        }
    }

    /// The tags of `model` (`version` `None`) or of one of its versions.
    pub fn tags_of(
        &self,
        model: &str,
        version: Option<i64>,
    ) -> Result<BTreeMap<String, String>, CatalogError> {
        match version {
            None => self.model_tags(model),
            Some(v) => self.version_tags(model, v),
        }
    }

    /// Replace the Markdown description of `model`.
    pub fn set_model_description(&mut self, model: &str, text: &str) -> Result<(), CatalogError> {
        self.write(|tx| {
            let id = model_id(tx, model)?;
            tx.prepare_cached("UPDATE registered_models SET description = ?2 WHERE id = ?1")?
                .execute(params![id, text])?;
            Ok(())
        })
    }

    /// Replace the Markdown description of version `version` of `model`.
    pub fn set_version_description(
        &mut self,
        model: &str,
        version: i64,
        text: &str,
    ) -> Result<(), CatalogError> {
        self.write(|tx| {
            let found = locate(tx, model, version)?;
            tx.prepare_cached("UPDATE model_versions SET description = ?2 WHERE id = ?1")?
                .execute(params![found.id, text])?;
            Ok(())
        })
    }

    /// Set tag `key` of `model` to `value` (replacing an earlier value).
    pub fn set_model_tag(
        &mut self,
        model: &str,
        key: &str,
        value: &str,
    ) -> Result<(), CatalogError> {
        let key = check_key(key)?;
        self.write(|tx| {
            let id = model_id(tx, model)?;
            tx.prepare_cached(
                "INSERT INTO model_tags (model_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![id, key, value])?;
            Ok(())
        })
    }

    /// Remove tag `key` of `model`; true if it was there.
    pub fn remove_model_tag(&mut self, model: &str, key: &str) -> Result<bool, CatalogError> {
        self.write(|tx| {
            let id = model_id(tx, model)?;
            let n = tx
                .prepare_cached("DELETE FROM model_tags WHERE model_id = ?1 AND key = ?2")?
                .execute(params![id, key.trim()])?;
            Ok(n > 0)
        })
    }

    /// Set tag `key` of version `version` of `model` to `value`.
    pub fn set_version_tag(
        &mut self,
        model: &str,
        version: i64,
        key: &str,
        value: &str,
    ) -> Result<(), CatalogError> {
        let key = check_key(key)?;
        self.write(|tx| {
            let found = locate(tx, model, version)?;
            tx.prepare_cached(
                "INSERT INTO version_tags (version_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (version_id, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![found.id, key, value])?;
            Ok(())
        })
    }

    /// Remove tag `key` of version `version` of `model`; true if it was there.
    pub fn remove_version_tag(
        &mut self,
        model: &str,
        version: i64,
        key: &str,
    ) -> Result<bool, CatalogError> {
        self.write(|tx| {
            let found = locate(tx, model, version)?;
            let n = tx
                .prepare_cached("DELETE FROM version_tags WHERE version_id = ?1 AND key = ?2")?
                .execute(params![found.id, key.trim()])?;
            Ok(n > 0)
        })
    }

    /// The tags of `model`.
    pub fn model_tags(&self, model: &str) -> Result<BTreeMap<String, String>, CatalogError> {
        let id = model_id(self.conn(), model)?;
        tags(
            self.conn(),
            "SELECT json_group_object(key, value) FROM model_tags WHERE model_id = ?1",
            id,
        )
    }

    /// The tags of version `version` of `model`.
    pub fn version_tags(
        &self,
        model: &str,
        version: i64,
    ) -> Result<BTreeMap<String, String>, CatalogError> {
        let found = locate(self.conn(), model, version)?;
        tags(
            self.conn(),
            "SELECT json_group_object(key, value) FROM version_tags WHERE version_id = ?1",
            found.id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{sample_version, temp_catalog, VersionQuery};
    use super::*;

    #[test]
    fn descriptions_and_tags_belong_to_models_and_versions() {
        let (_dir, mut catalog) = temp_catalog();
        catalog.register("churn", &sample_version(0.8)).unwrap();
        catalog
            .set_version_description("churn", 1, "Trained on **Q3** data")
            .unwrap();
        catalog
            .set_version_tag("churn", 1, " owner ", "alice")
            .unwrap();
        catalog.set_version_tag("churn", 1, "owner", "bob").unwrap();
        catalog.set_model_tag("churn", "team", "retention").unwrap();
        assert_eq!(
            catalog.version_tags("churn", 1).unwrap(),
            BTreeMap::from([("owner".to_string(), "bob".to_string())])
        );
        let listed = &catalog.versions(&VersionQuery::of_model("churn")).unwrap()[0];
        assert_eq!(listed.description, "Trained on **Q3** data");
        assert_eq!(listed.tags["owner"], "bob");
        assert!(catalog.remove_version_tag("churn", 1, "owner").unwrap());
        assert!(!catalog.remove_version_tag("churn", 1, "owner").unwrap());
        assert!(catalog.remove_model_tag("churn", "team").unwrap());
        assert!(catalog.model_tags("churn").unwrap().is_empty());
        assert!(matches!(
            catalog.set_model_tag("churn", "  ", "x"),
            Err(CatalogError::InvalidName { .. })
        ));
        assert!(matches!(
            catalog.set_model_description("nope", "x"),
            Err(CatalogError::UnknownModel(_))
        ));
        // The same through one entry point for a model or a version.
        catalog.set_tag("churn", None, "team", "growth").unwrap();
        catalog.set_tag("churn", Some(1), "owner", "carol").unwrap();
        catalog
            .set_description("churn", None, "Who leaves")
            .unwrap();
        assert_eq!(catalog.tags_of("churn", None).unwrap()["team"], "growth");
        assert_eq!(catalog.tags_of("churn", Some(1)).unwrap()["owner"], "carol");
        assert!(catalog.remove_tag("churn", Some(1), "owner").unwrap());
        assert!(!catalog.remove_tag("churn", None, "owner").unwrap());
        assert!(matches!(
            catalog.tags_of("nope", None),
            Err(CatalogError::UnknownModel(_))
        ));
    }
}
