//! Opening a catalog file without harming anything that is not one: a file is inspected
//! through a read-only connection first, and only an empty file or a Modeldesk catalog of a
//! schema this build knows is then switched to WAL and migrated. A file without write
//! permission opens read-only, and every write on it is refused with a clear error.

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::schema::{self, APPLICATION_ID, LATEST_VERSION};
use super::{current_user, CatalogError};

/// How long a statement waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An open catalog file.
#[derive(Debug)]
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Who is recorded as making stage changes and deletions.
    actor: String,
}

/// What the inspection found in an existing file.
enum Found {
    /// No tables and no marks: a file ours to initialise.
    Empty,
    /// A Modeldesk catalog at this schema version.
    Catalog(i64),
}

impl Catalog {
    /// Open the catalog at `path`, creating it (and its folder) if it does not exist.
    ///
    /// Two processes opening a new file at once can both hold a read lock and both want
    /// the write lock to switch it to WAL; SQLite then answers one of them "busy" at once
    /// instead of waiting (waiting would deadlock), so the whole open is tried again.
    pub fn open(path: &Path) -> Result<Catalog, CatalogError> {
        let started = std::time::Instant::now();
        loop {
            match Self::open_once(path) {
                Err(CatalogError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Catalog, CatalogError> {
        let found = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(CatalogError::io(path, &e)),
            Ok(meta) if meta.is_dir() => {
                return Err(CatalogError::not_a_catalog(path, "it is a folder"))
            }
            Ok(meta) => Some((inspect(path)?, meta.permissions().readonly())),
        };
        match found {
            None => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| CatalogError::io(parent, &e))?;
                }
                Self::open_writable(path, OpenFlags::SQLITE_OPEN_CREATE)
            }
            Some((found, true)) => Self::open_read_only(path, found),
            Some((_, false)) => Self::open_writable(path, OpenFlags::empty()),
        }
    }

    /// The file this catalog lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file could only be opened for reading; every change then fails with
    /// [`CatalogError::ReadOnly`].
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Who stage changes and deletions are recorded as made by (the OS user by default).
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Record later changes as made by `actor`.
    pub fn set_actor(&mut self, actor: impl Into<String>) {
        self.actor = actor.into();
    }

    /// The connection, for reading.
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `change` in one write transaction taken with `BEGIN IMMEDIATE` (so concurrent
    /// writers queue on the busy timeout instead of failing half-way), committed only if
    /// it succeeds.
    pub(super) fn write<T>(
        &mut self,
        change: impl FnOnce(&Transaction<'_>) -> Result<T, CatalogError>,
    ) -> Result<T, CatalogError> {
        if self.read_only {
            return Err(CatalogError::ReadOnly {
                path: self.path.display().to_string(),
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = change(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn open_writable(path: &Path, extra: OpenFlags) -> Result<Catalog, CatalogError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra;
        let mut conn = Connection::open_with_flags(path, flags)?;
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            // Write-protected in a way the permission bits did not show (ACLs, a
            // read-only mount): read what is there.
            drop(conn);
            return Self::open_read_only(path, inspect(path)?);
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(CatalogError::Io {
                path: path.display().to_string(),
                message: format!("the catalog needs WAL journaling, but SQLite chose '{mode}'"),
            });
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn, path)?;
        Ok(Catalog {
            conn,
            path: path.to_path_buf(),
            read_only: false,
            actor: current_user(),
        })
    }

    fn open_read_only(path: &Path, found: Found) -> Result<Catalog, CatalogError> {
        let ready = matches!(found, Found::Catalog(version) if version == LATEST_VERSION);
        if !ready {
            // An empty or older file would need writing before it could be read.
            return Err(CatalogError::ReadOnly {
                path: path.display().to_string(),
            });
        }
        let conn = Connection::open_with_flags(path, read_only_flags())?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(Catalog {
            conn,
            path: path.to_path_buf(),
            read_only: true,
            actor: current_user(),
        })
    }
}

fn read_only_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

/// Decide what an existing file is, writing nothing: its header first, then its
/// application id, schema version and tables through a read-only connection.
fn inspect(path: &Path) -> Result<Found, CatalogError> {
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(|e| CatalogError::io(path, &e))?;
    if header.is_empty() {
        return Ok(Found::Empty);
    }
    if header.len() < 100 || !header.starts_with(SQLITE_MAGIC) {
        return Err(CatalogError::not_a_catalog(path, "not an SQLite database"));
    }
    let unreadable = |e: rusqlite::Error| CatalogError::not_a_catalog(path, e.to_string());
    let mut conn = Connection::open_with_flags(path, read_only_flags()).map_err(unreadable)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(unreadable)?;
    // One read transaction, so that all three come from one state of the file: another
    // process may be creating the catalog meanwhile, its tables and marks in one commit.
    let tx = conn.transaction().map_err(unreadable)?;
    let objects: i64 = tx
        .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
        .map_err(unreadable)?;
    let application: i32 = tx
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(unreadable)?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(unreadable)?;
    drop(tx);
    match application {
        APPLICATION_ID if version > LATEST_VERSION => Err(CatalogError::NewerSchema {
            path: path.display().to_string(),
            found: version,
            known: LATEST_VERSION,
        }),
        APPLICATION_ID if version >= 0 => Ok(Found::Catalog(version)),
        0 if objects == 0 && version == 0 => Ok(Found::Empty),
        0 => Err(CatalogError::not_a_catalog(
            path,
            "an SQLite database with other tables",
        )),
        other => Err(CatalogError::not_a_catalog(
            path,
            format!("an SQLite database of another program, application id {other:#x}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_creating_one_catalog_at_once_all_open_it() {
        // Threads stand for processes: each opens the same new file through its own
        // connection, while another may be half-way through creating it.
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("catalog.sqlite");
            let barrier = std::sync::Barrier::new(4);
            std::thread::scope(|scope| {
                let opened: Vec<_> = (0..4)
                    .map(|_| {
                        scope.spawn(|| {
                            barrier.wait();
                            Catalog::open(&path).map(|_| ())
                        })
                    })
                    .collect();
                for one in opened {
                    if let Err(e) = one.join().unwrap() {
                        panic!("round {round}: {e}");
                    }
                }
            });
        }
    }

    #[test]
    fn a_new_file_is_created_marked_and_migrated_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/folder/catalog.sqlite");
        let catalog = Catalog::open(&path).unwrap();
        assert!(!catalog.read_only());
        assert_eq!(catalog.path(), path);
        let conn = catalog.conn();
        let get = |pragma: &str| -> String {
            conn.query_row(&format!("PRAGMA {pragma}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
        };
        assert_eq!(get("journal_mode"), "Text(\"wal\")");
        assert_eq!(get("foreign_keys"), "Integer(1)");
        assert_eq!(get("application_id"), format!("Integer({APPLICATION_ID})"));
        assert_eq!(get("user_version"), format!("Integer({LATEST_VERSION})"));
        drop(catalog);
        // Opening again leaves the schema as it is.
        let again = Catalog::open(&path).unwrap();
        let version: i64 = again
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, LATEST_VERSION);
    }

    #[test]
    fn an_empty_file_becomes_a_catalog_and_a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.sqlite");
        std::fs::write(&path, b"").unwrap();
        Catalog::open(&path).unwrap();
        assert!(matches!(
            Catalog::open(dir.path()),
            Err(CatalogError::NotACatalog { .. })
        ));
    }
}
