//! Reading a stored model back: its bytes are returned only when they hash to the
//! checksum stored beside them.

use rusqlite::OptionalExtension;

use super::{Catalog, CatalogError};

/// A stored model as read: model name, version number, bytes (none once deleted), checksum
/// and whether the version was deleted.
type StoredArtifact = (String, i64, Option<Vec<u8>>, String, bool);

impl Catalog {
    /// The trained model's bytes of version row `version_id`, verified against their blake3
    /// checksum; a mismatch is [`CatalogError::Tampered`] and returns nothing.
    pub fn load_artifact(&self, version_id: i64) -> Result<Vec<u8>, CatalogError> {
        let row: Option<StoredArtifact> = self
            .conn()
            .prepare_cached(
                "SELECT m.name, v.version, v.artifact, v.artifact_checksum, v.deleted_at IS NOT NULL
                 FROM model_versions v JOIN registered_models m ON m.id = v.model_id
                 WHERE v.id = ?1",
            )?
            .query_row([version_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
            })
            .optional()?;
        let Some((model, version, bytes, expected, deleted)) = row else {
            return Err(CatalogError::NoSuchVersionId(version_id));
        };
        let bytes = match bytes {
            Some(bytes) if !deleted => bytes,
            _ => return Err(CatalogError::Deleted { model, version }),
        };
        let found = blake3::hash(&bytes).to_hex().to_string();
        if found != expected {
            return Err(CatalogError::Tampered {
                model,
                version,
                expected,
                found,
            });
        }
        Ok(bytes)
    }
}

impl Catalog {
    /// The model name and version number of version row `version_id`.
    pub fn describe_id(&self, version_id: i64) -> Result<(String, i64), CatalogError> {
        self.conn()
            .prepare_cached(
                "SELECT m.name, v.version FROM model_versions v
                 JOIN registered_models m ON m.id = v.model_id WHERE v.id = ?1",
            )?
            .query_row([version_id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?
            .ok_or(CatalogError::NoSuchVersionId(version_id))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{sample_version, temp_catalog};
    use super::*;

    #[test]
    fn a_changed_model_blob_is_refused() {
        let (_dir, mut catalog) = temp_catalog();
        let new = sample_version(0.8);
        let version = catalog.register("churn", &new).unwrap();
        assert_eq!(catalog.load_artifact(version.id).unwrap(), new.artifact);
        catalog
            .conn()
            .execute(
                "UPDATE model_versions SET artifact = ?1 WHERE id = ?2",
                rusqlite::params![b"something else".to_vec(), version.id],
            )
            .unwrap();
        match catalog.load_artifact(version.id) {
            Err(CatalogError::Tampered { model, version, .. }) => {
                assert_eq!((model.as_str(), version), ("churn", 1));
            }
            other => panic!("expected a checksum mismatch, got {other:?}"),
        }
        assert!(matches!(
            catalog.load_artifact(999),
            Err(CatalogError::NoSuchVersionId(999))
        ));
    }
}
