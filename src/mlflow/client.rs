//! A blocking client for MLflow's REST API (no async runtime: it runs on a worker thread).
//!
//! It finds the server and its credentials as MLflow's own clients do: the tracking URI from
//! `--tracking-uri` or `MLFLOW_TRACKING_URI`; `MLFLOW_TRACKING_TOKEN` as a bearer token, else
//! `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD` as basic auth;
//! `MLFLOW_TRACKING_SERVER_CERT_PATH` as the CA bundle to trust instead of the built-in roots,
//! `MLFLOW_TRACKING_INSECURE_TLS=true` to skip verification; `MLFLOW_HTTP_REQUEST_TIMEOUT`
//! (seconds, default 120) and `MLFLOW_HTTP_REQUEST_MAX_RETRIES` (default 4). Answers of 5xx and
//! 429 are retried with exponential backoff; a 4xx is read as MLflow's
//! `{"error_code", "message"}`. Credentials stay in memory: no message, log or file shows them.

use std::time::Duration;

use serde_json::Value;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::Agent;

use super::error::{parse_error_body, MlflowError};

/// The environment variable naming the tracking server, as MLflow reads it.
pub const TRACKING_URI_ENV: &str = "MLFLOW_TRACKING_URI";

/// How to authenticate.
#[derive(Clone, PartialEq)]
pub enum Auth {
    None,
    Bearer(String),
    Basic { user: String, password: String },
}

impl std::fmt::Debug for Auth {
    // Never print a secret, even in a debug dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::Bearer(_) => write!(f, "Bearer(…)"),
            Auth::Basic { user, .. } => write!(f, "Basic({user}, …)"),
        }
    }
}

/// Where the server is and how to talk to it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `http(s)://host[:port][/prefix]`, without a trailing slash.
    pub uri: String,
    pub auth: Auth,
    /// A PEM file of the CA certificates to trust instead of the built-in roots.
    pub ca_certs: Option<std::path::PathBuf>,
    pub insecure_tls: bool,
    pub timeout: Duration,
    /// How many times a request is sent at most (5xx and 429 are tried again).
    pub tries: u32,
    /// The first wait before trying again; it doubles each time.
    pub backoff: Duration,
}

impl Settings {
    /// Settings for `uri` (or `$MLFLOW_TRACKING_URI` when `None`) from the environment.
    pub fn from_env(uri: Option<&str>) -> Result<Settings, MlflowError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let uri = match uri {
            Some(uri) => uri.to_string(),
            None => var(TRACKING_URI_ENV).ok_or(MlflowError::NoTrackingUri)?,
        };
        let auth = match (
            var("MLFLOW_TRACKING_TOKEN"),
            var("MLFLOW_TRACKING_USERNAME"),
            var("MLFLOW_TRACKING_PASSWORD"),
        ) {
            (Some(token), _, _) => Auth::Bearer(token),
            (None, Some(user), Some(password)) => Auth::Basic { user, password },
            _ => Auth::None,
        };
        let number = |name: &str, default: u64| -> Result<u64, MlflowError> {
            match var(name) {
                None => Ok(default),
                Some(text) => text
                    .trim()
                    .parse()
                    .map_err(|_| MlflowError::Setup(format!("{name}={text} is not a number"))),
            }
        };
        Ok(Settings {
            uri: normalise_uri(&uri)?,
            auth,
            ca_certs: var("MLFLOW_TRACKING_SERVER_CERT_PATH").map(Into::into),
            insecure_tls: var("MLFLOW_TRACKING_INSECURE_TLS")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1"),
            timeout: Duration::from_secs(number("MLFLOW_HTTP_REQUEST_TIMEOUT", 120)?.max(1)),
            tries: 1 + number("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 4)? as u32,
            backoff: Duration::from_millis(500),
        })
    }
}

impl Settings {
    /// Send the token held in `path` (its text, trimmed) as the bearer token, instead of
    /// `$MLFLOW_TRACKING_TOKEN`: a token kept in a file stays out of the environment.
    pub fn with_token_file(mut self, path: &std::path::Path) -> Result<Settings, MlflowError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| MlflowError::Setup(format!("the token file {}: {e}", path.display())))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(MlflowError::Setup(format!(
                "the token file {} is empty",
                path.display()
            )));
        }
        self.auth = Auth::Bearer(token.to_string());
        Ok(self)
    }
}

/// `uri` checked to be http(s) and without a trailing slash.
fn normalise_uri(uri: &str) -> Result<String, MlflowError> {
    let trimmed = uri.trim().trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() => Ok(trimmed.to_string()),
        _ => Err(MlflowError::BadUri(uri.to_string())),
    }
}

/// `url` without a `user:password@` part, for messages.
fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_string(),
    }
}

/// A connection to one MLflow server.
pub struct MlflowClient {
    settings: Settings,
    agent: Agent,
    authorization: Option<String>,
}

/// A request body.
enum Body<'a> {
    None,
    Json(&'a Value),
    Bytes(&'a [u8]),
}

impl MlflowClient {
    /// A client for the server `settings` name (nothing is sent yet).
    pub fn new(settings: Settings) -> Result<MlflowClient, MlflowError> {
        let mut tls = TlsConfig::builder().disable_verification(settings.insecure_tls);
        if let Some(path) = &settings.ca_certs {
            let pem = std::fs::read(path).map_err(|e| {
                MlflowError::Setup(format!(
                    "MLFLOW_TRACKING_SERVER_CERT_PATH {}: {e}",
                    path.display()
                ))
            })?;
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(MlflowError::Setup(format!(
                    "MLFLOW_TRACKING_SERVER_CERT_PATH {}: no PEM certificate in it",
                    path.display()
                )));
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(settings.timeout))
            .user_agent(concat!("modeldesk/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .into();
        let authorization = match &settings.auth {
            Auth::None => None,
            Auth::Bearer(token) => Some(format!("Bearer {token}")),
            Auth::Basic { user, password } => Some(format!(
                "Basic {}",
                base64(format!("{user}:{password}").as_bytes())
            )),
        };
        Ok(MlflowClient {
            settings,
            agent,
            authorization,
        })
    }

    /// The tracking URI, as given (for messages and links).
    pub fn uri(&self) -> String {
        shown(&self.settings.uri)
    }

    /// `GET path?query` as JSON.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, MlflowError> {
        json(self, path, self.send("GET", path, query, Body::None)?)
    }

    /// `POST path` with a JSON body, answered with JSON.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, MlflowError> {
        json(self, path, self.send("POST", path, &[], Body::Json(body))?)
    }

    /// `PATCH path` with a JSON body, answered with JSON.
    pub fn patch(&self, path: &str, body: &Value) -> Result<Value, MlflowError> {
        json(self, path, self.send("PATCH", path, &[], Body::Json(body))?)
    }

    /// `DELETE path` with a JSON body (MLflow reads a DELETE's fields from it).
    pub fn delete(&self, path: &str, body: &Value) -> Result<(), MlflowError> {
        self.send("DELETE", path, &[], Body::Json(body)).map(drop)
    }

    /// `GET path` as text (artifact downloads).
    pub fn get_text(&self, path: &str) -> Result<String, MlflowError> {
        self.send("GET", path, &[], Body::None)
    }

    /// `PUT path` with raw bytes (artifact uploads).
    pub fn put(&self, path: &str, bytes: &[u8]) -> Result<(), MlflowError> {
        self.send("PUT", path, &[], Body::Bytes(bytes)).map(drop)
    }

    /// The server's version (`GET /version`).
    pub fn server_version(&self) -> Result<String, MlflowError> {
        Ok(self
            .send("GET", "/version", &[], Body::None)?
            .trim()
            .to_string())
    }

    /// Send one request, trying again after 5xx and 429 answers; the body of a 2xx answer.
    fn send(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Body,
    ) -> Result<String, MlflowError> {
        let url = format!("{}{path}", self.settings.uri);
        let mut wait = self.settings.backoff;
        let mut tries = 0;
        loop {
            tries += 1;
            let (status, text) = self.send_once(method, &url, query, &body)?;
            if (200..300).contains(&status) {
                return Ok(text);
            }
            let (code, message) = parse_error_body(status, &text);
            let again = status >= 500 || status == 429;
            if !again {
                return Err(MlflowError::Refused {
                    url: shown(&url),
                    status,
                    code,
                    message,
                });
            }
            if tries >= self.settings.tries {
                return Err(MlflowError::ServerFailed {
                    url: shown(&url),
                    status,
                    code,
                    message,
                    tries,
                });
            }
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
        }
    }

    fn send_once(
        &self,
        method: &str,
        url: &str,
        query: &[(&str, &str)],
        body: &Body,
    ) -> Result<(u16, String), MlflowError> {
        let answer = match (method, body) {
            // MLflow reads a DELETE's fields from its JSON body, as a POST's.
            ("DELETE", Body::Json(value)) => self
                .authorized(self.agent.delete(url).force_send_body())
                .content_type("application/json")
                .send(value.to_string()),
            ("GET", _) | ("DELETE", _) => {
                let mut request = if method == "GET" {
                    self.agent.get(url)
                } else {
                    self.agent.delete(url)
                };
                for (key, value) in query {
                    request = request.query(*key, *value);
                }
                self.authorized(request).call()
            }
            (_, Body::Json(value)) => {
                let request = if method == "PATCH" {
                    self.agent.patch(url)
                } else {
                    self.agent.post(url)
                };
                self.authorized(request)
                    .content_type("application/json")
                    .send(value.to_string())
            }
            (_, Body::Bytes(bytes)) => self
                .authorized(self.agent.put(url))
                .content_type("application/octet-stream")
                .send(*bytes),
            (_, Body::None) => self.authorized(self.agent.post(url)).send_empty(),
        };
        let mut answer = answer.map_err(|e| self.transport_error(url, e))?;
        let status = answer.status().as_u16();
        let text = answer
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| self.transport_error(url, e))?;
        Ok((status, text))
    }

    fn authorized<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(value) => request.header("Authorization", value),
            None => request,
        }
    }

    fn transport_error(&self, url: &str, error: ureq::Error) -> MlflowError {
        match error {
            ureq::Error::Timeout(_) => MlflowError::Timeout {
                url: shown(url),
                seconds: self.settings.timeout.as_secs(),
            },
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                MlflowError::Timeout {
                    url: shown(url),
                    seconds: self.settings.timeout.as_secs(),
                }
            }
            other => MlflowError::Unreachable {
                url: shown(url),
                reason: other.to_string(),
            },
        }
    }
}

fn json(client: &MlflowClient, path: &str, text: String) -> Result<Value, MlflowError> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(&text).map_err(|e| MlflowError::BadAnswer {
        url: format!("{}{path}", client.uri()),
        reason: format!("not JSON: {e}"),
    })
}

/// Standard base64 with padding (for basic auth).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
