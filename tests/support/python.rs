//! The Python the tests check exports with: a virtualenv under `target/tmp` that the tests
//! make themselves from `tests/python/requirements.txt` (pinned), once, and reuse. Several
//! test processes may ask at once: one makes it, the others wait.
//!
//! Where it cannot be made, a test fails under `CI=true` and says so loudly elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn tests_python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python")
}

/// The virtualenv's python, or `None` (with the reason printed) where it cannot be made
/// outside CI. Under `CI=true` a failure panics.
pub fn python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(make_env) {
        Ok(path) => Some(path.clone()),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("the Python test environment could not be set up: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED: the Python test environment could not be set up: {why}");
            None
        }
    }
}

/// A script under `tests/python`.
pub fn script(name: &str) -> PathBuf {
    tests_python_dir().join(name)
}

fn make_env() -> Result<PathBuf, String> {
    let requirements = tests_python_dir().join("requirements.txt");
    let pins = std::fs::read(&requirements).map_err(|e| e.to_string())?;
    let hash = blake3::hash(&pins).to_hex();
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let env = base.join(format!("pyenv-{}", &hash[..12]));
    let python = env.join("bin/python");
    let ready = env.join("ready");
    let lock = base.join(format!("pyenv-{}.lock", &hash[..12]));
    let deadline = Instant::now() + Duration::from_secs(20 * 60);
    loop {
        if ready.exists() {
            return Ok(python);
        }
        match std::fs::create_dir(&lock) {
            Ok(()) => break,
            // A maker that died long ago leaves its lock behind.
            Err(_) if lock_age(&lock) > Duration::from_secs(15 * 60) => {
                let _ = std::fs::remove_dir(&lock);
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(500)),
            Err(e) => return Err(format!("waited 20 min for {}: {e}", lock.display())),
        }
    }
    let made = (|| {
        if ready.exists() {
            return Ok(());
        }
        let interpreter = std::env::var("MODELDESK_PYTHON").unwrap_or_else(|_| "python3".into());
        let started = Instant::now();
        let status = Command::new(&interpreter)
            .arg(tests_python_dir().join("make_env.py"))
            .arg(&env)
            .arg(&requirements)
            .status()
            .map_err(|e| format!("{interpreter}: {e}"))?;
        if !status.success() {
            return Err(format!("{interpreter} make_env.py: {status}"));
        }
        eprintln!(
            "made the Python test environment {} in {:.0} s",
            env.display(),
            started.elapsed().as_secs_f64()
        );
        std::fs::write(&ready, b"").map_err(|e| e.to_string())
    })();
    let _ = std::fs::remove_dir(&lock);
    made.map(|()| python)
}

fn lock_age(lock: &Path) -> Duration {
    std::fs::metadata(lock)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .unwrap_or_default()
}
