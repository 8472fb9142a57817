//! The desktop window.

/// Open the window.
pub fn run(_file: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    anyhow::bail!("the window is not built yet")
}
