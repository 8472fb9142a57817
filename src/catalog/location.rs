//! Where the catalog file lives and who is writing to it: the `--catalog` flag first, then
//! `$MODELDESK_CATALOG`, then `catalog.sqlite` in the platform data directory; the acting
//! user is the operating-system account name.

use std::path::{Path, PathBuf};

use super::CatalogError;

/// The environment variable that names the catalog file when no flag does.
pub const CATALOG_ENV: &str = "MODELDESK_CATALOG";

/// `catalog.sqlite` in the platform data directory (`~/.local/share/modeldesk` on Linux,
/// `%APPDATA%\modeldesk\data` on Windows, `~/Library/Application Support/modeldesk` on macOS).
pub fn default_path() -> Result<PathBuf, CatalogError> {
    directories::ProjectDirs::from("", "", "modeldesk")
        .map(|dirs| dirs.data_dir().join("catalog.sqlite"))
        .ok_or_else(|| CatalogError::Io {
            path: "catalog.sqlite".into(),
            message: "no home directory to keep the catalog in; pass --catalog PATH or set MODELDESK_CATALOG".into(),
        })
}

/// The catalog to use: `flag` if given, else `$MODELDESK_CATALOG` if set and not empty,
/// else [`default_path`].
pub fn resolve_path(flag: Option<&Path>) -> Result<PathBuf, CatalogError> {
    resolve_with(flag, std::env::var_os(CATALOG_ENV).map(PathBuf::from))
}

fn resolve_with(flag: Option<&Path>, env: Option<PathBuf>) -> Result<PathBuf, CatalogError> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    match env {
        Some(path) if !path.as_os_str().is_empty() => Ok(path),
        _ => default_path(),
    }
}

/// The operating-system user recorded as author of versions and transitions:
/// `$USER`, else `$USERNAME`, else "unknown".
pub fn current_user() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|name| name.trim().to_string())
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_the_environment_then_the_data_directory() {
        let flag = Path::new("/tmp/flag.sqlite");
        let env = Some(PathBuf::from("/tmp/env.sqlite"));
        assert_eq!(resolve_with(Some(flag), env.clone()).unwrap(), flag);
        assert_eq!(
            resolve_with(None, env).unwrap(),
            Path::new("/tmp/env.sqlite")
        );
        let fallback = resolve_with(None, Some(PathBuf::new())).unwrap();
        assert!(
            fallback.ends_with("modeldesk/catalog.sqlite") || fallback.ends_with("catalog.sqlite")
        );
        assert_eq!(resolve_with(None, None).unwrap(), default_path().unwrap());
    }
}
