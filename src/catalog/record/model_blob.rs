//! The trained model as a stored blob: `ml::eval::TrainedModel` as JSON, deflated, and read
//! back (inflated, or as it is when stored before compression) once the catalog has verified
//! its checksum.

use super::super::{Catalog, CatalogError};
use crate::ml::eval::TrainedModel;

/// What a deflated model artifact starts with. Artifacts stored before compression are plain
/// JSON, which starts with `{`.
const PACKED: &[u8] = b"MDZ1";

/// `model` as JSON, deflated, after [`PACKED`]. The drift reference (bin shares and up to
/// 2,000 sorted values per feature) is most of a model's JSON; deflate keeps about a third.
pub(super) fn pack_model(model: &TrainedModel) -> Result<Vec<u8>, CatalogError> {
    use std::io::Write as _;
    let encode = |e: &dyn std::fmt::Display| CatalogError::Encode {
        what: "the trained model".into(),
        message: e.to_string(),
    };
    let json = serde_json::to_vec(model).map_err(|e| encode(&e))?;
    let mut packed = PACKED.to_vec();
    let mut encoder =
        flate2::write::DeflateEncoder::new(&mut packed, flate2::Compression::default());
    encoder.write_all(&json).map_err(|e| encode(&e))?;
    encoder.finish().map_err(|e| encode(&e))?;
    Ok(packed)
}

/// `model` as the catalog stores it (for a version made elsewhere, such as one pulled from
/// MLflow).
pub fn packed_model(model: &TrainedModel) -> Result<Vec<u8>, CatalogError> {
    pack_model(model)
}

/// The blake3 checksum `model` gets when it is registered (hex): the same packed bytes.
pub fn artifact_checksum(model: &TrainedModel) -> Result<String, CatalogError> {
    Ok(blake3::hash(&pack_model(model)?).to_hex().to_string())
}

/// The JSON of a stored artifact: inflated when packed, as it is when stored as plain JSON.
pub(super) fn unpack_model(bytes: &[u8]) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
    use std::io::Read as _;
    let Some(deflated) = bytes.strip_prefix(PACKED) else {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    };
    let mut json = Vec::with_capacity(deflated.len() * 4);
    flate2::read::DeflateDecoder::new(deflated).read_to_end(&mut json)?;
    Ok(std::borrow::Cow::Owned(json))
}

/// The trained model stored in version row `version_id`, after verifying its checksum.
pub fn load_model(catalog: &Catalog, version_id: i64) -> Result<TrainedModel, CatalogError> {
    let bytes = catalog.load_artifact(version_id)?;
    let fail = |message: String| {
        let (model, version) = catalog
            .describe_id(version_id)
            .unwrap_or_else(|_| (String::new(), 0));
        CatalogError::Artifact {
            model,
            version,
            message,
        }
    };
    let json = unpack_model(&bytes).map_err(|e| fail(format!("it does not inflate: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| fail(e.to_string()))
}
