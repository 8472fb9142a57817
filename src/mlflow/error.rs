//! What can go wrong talking to an MLflow server, each as the one line a user reads: what
//! failed, at which URL, and why (MLflow's own `error_code` and message when it sent one).

use thiserror::Error;

use crate::catalog::CatalogError;

/// A failure of an MLflow operation.
#[derive(Debug, Error)]
pub enum MlflowError {
    #[error("no MLflow tracking URI: give --tracking-uri URL or set MLFLOW_TRACKING_URI")]
    NoTrackingUri,
    #[error("MLflow tracking URI '{0}' is not an http:// or https:// URL")]
    BadUri(String),
    #[error("MLflow setup: {0}")]
    Setup(String),
    #[error("cannot reach the MLflow server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the MLflow server at {url} did not answer within {seconds} s (timeout)")]
    Timeout { url: String, seconds: u64 },
    #[error("the MLflow server refused {url}: {status} {code}: {message}")]
    Refused {
        url: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error("the MLflow server failed at {url}: {status} {code}: {message} (tried {tries} times)")]
    ServerFailed {
        url: String,
        status: u16,
        code: String,
        message: String,
        tries: u32,
    },
    #[error("unexpected answer from the MLflow server at {url}: {reason}")]
    BadAnswer { url: String, reason: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{0}")]
    Local(String),
    #[error("cancelled")]
    Cancelled,
}

impl MlflowError {
    /// MLflow's `error_code` when the server refused a request.
    pub fn code(&self) -> Option<&str> {
        match self {
            MlflowError::Refused { code, .. } | MlflowError::ServerFailed { code, .. } => {
                Some(code)
            }
            _ => None,
        }
    }

    /// Whether the server answered that the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, MlflowError::Refused { status: 404, .. })
            || self.code() == Some("RESOURCE_DOES_NOT_EXIST")
    }
}

/// MLflow's error body, `{"error_code": "...", "message": "..."}`, as (code, message); any
/// other body becomes a code of `HTTP_<status>` and the body's first line, shortened.
pub fn parse_error_body(status: u16, body: &str) -> (String, String) {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        let code = value.get("error_code").and_then(|c| c.as_str());
        let message = value.get("message").and_then(|m| m.as_str());
        if code.is_some() || message.is_some() {
            return (
                code.map_or_else(|| format!("HTTP_{status}"), str::to_string),
                one_line(message.unwrap_or("")),
            );
        }
    }
    (format!("HTTP_{status}"), one_line(body))
}

/// The first line of `text`, at most 300 characters.
fn one_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    let mut short: String = line.chars().take(300).collect();
    if line.chars().count() > 300 {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlflow_error_bodies_give_their_code_and_message() {
        let body = r#"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Could not find experiment with name 'x'"}"#;
        assert_eq!(
            parse_error_body(404, body),
            (
                "RESOURCE_DOES_NOT_EXIST".into(),
                "Could not find experiment with name 'x'".into()
            )
        );
        assert_eq!(
            parse_error_body(502, "<html>\nBad gateway</html>"),
            ("HTTP_502".into(), "<html>".into())
        );
        let long = "x".repeat(500);
        assert_eq!(parse_error_body(400, &long).1.chars().count(), 301);
    }

    #[test]
    fn a_refusal_reads_as_one_line_with_url_and_code() {
        let error = MlflowError::Refused {
            url: "http://h:5000/api/2.0/mlflow/runs/create".into(),
            status: 400,
            code: "INVALID_PARAMETER_VALUE".into(),
            message: "bad".into(),
        };
        assert_eq!(
            error.to_string(),
            "the MLflow server refused http://h:5000/api/2.0/mlflow/runs/create: 400 INVALID_PARAMETER_VALUE: bad"
        );
        assert!(!error.is_not_found());
    }
}
