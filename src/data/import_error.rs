//! Why an import failed: every failure a file or a user can cause is a value with a one-line
//! message naming the file and, where known, its line and column.

use thiserror::Error;

/// Why reading a CSV file failed. The message names the file and, where known, line and column.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// The content is malformed at a known place.
    #[error("{path}:{line}:{column}: {message}")]
    At {
        path: String,
        line: u64,
        column: u64,
        message: String,
    },
    /// The content as a whole is unusable (empty, binary, ...).
    #[error("{path}: {message}")]
    Content { path: String, message: String },
    /// The user cancelled the import.
    #[error("import cancelled")]
    Cancelled,
}

impl ImportError {
    pub(crate) fn io(path: &str, err: &std::io::Error) -> Self {
        ImportError::Io {
            path: path.to_string(),
            message: err.to_string(),
        }
    }

    pub(crate) fn content(path: &str, message: impl Into<String>) -> Self {
        ImportError::Content {
            path: path.to_string(),
            message: message.into(),
        }
    }
}
