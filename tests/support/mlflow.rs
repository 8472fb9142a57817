//! A real MLflow tracking server for the tests, from the tests' own virtualenv (see
//! `python.rs`): `mlflow server` on an ephemeral loopback port with a SQLite backend store and
//! a proxied artifact store under a folder the test owns, ready once `/health` answers.
//! Dropping it stops it: SIGTERM to the `mlflow` process (which stops its workers), then a
//! kill if it lingers.
//!
//! Where the server cannot be set up, `start` returns `None` after saying why; under `CI=true`
//! it panics, as `python.rs` does.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `mlflow server`.
pub struct MlflowServer {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
}

impl MlflowServer {
    /// Its tracking URI, `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Start a server keeping its state in `dir` (a server started again on the same folder
    /// finds what the last one stored), with `env` added to its environment.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Option<MlflowServer> {
        match start_server(dir, env) {
            Ok(server) => Some(server),
            Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("the MLflow test server could not be started: {why}")
            }
            Err(why) => {
                eprintln!("SKIPPED: the MLflow test server could not be started: {why}");
                None
            }
        }
    }

    /// Stop it now (as dropping it does).
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MlflowServer {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// The `mlflow` command of the tests' virtualenv.
pub fn mlflow_command(python: &Path) -> PathBuf {
    python.with_file_name("mlflow")
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn start_server(dir: &Path, env: &[(&str, &str)]) -> Result<MlflowServer, String> {
    let python = super_python()?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .map_err(|e| e.to_string())?;
    let mut command = Command::new(mlflow_command(&python));
    command
        .args(["server", "--host", "127.0.0.1", "--port", &port.to_string()])
        .arg("--backend-store-uri")
        .arg(format!("sqlite:///{}", dir.join("mlflow.db").display()))
        .arg("--artifacts-destination")
        .arg(dir.join("art"))
        .env("MLFLOW_DISABLE_TELEMETRY", "true")
        .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        .env_remove("MLFLOW_TRACKING_URI")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log);
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.spawn().map_err(|e| format!("mlflow server: {e}"))?;
    let mut server = MlflowServer { child, port };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!("mlflow server exited with {status}: {log}"));
        }
        if health(port) {
            eprintln!(
                "MLflow server ready on port {port} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    server.terminate();
    Err(format!(
        "mlflow server on port {port} not healthy after 60 s"
    ))
}

/// Whether `GET /health` answers 200.
fn health(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    answer.starts_with(b"HTTP/1.1 200") || answer.starts_with(b"HTTP/1.0 200")
}

fn super_python() -> Result<PathBuf, String> {
    // Under CI=true `python()` panics itself when the environment cannot be made.
    crate::python::python().ok_or_else(|| "no Python test environment".to_string())
}
