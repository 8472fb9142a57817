//! What the window remembers between runs (through eframe persistence).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use super::command::View;
use super::file_dialog::FileChooser;
use crate::data::memory::BudgetSetting;
use crate::data::{ImportOptions, DEFAULT_MISSING_TOKENS};

/// Most recent files kept in File ▸ Recent files.
pub const MAX_RECENT_FILES: usize = 10;

/// Persisted settings; missing fields take their defaults, so old files keep loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Most recent first.
    pub recent_files: Vec<PathBuf>,
    /// Datasets open when the window closed, with the options they were read with.
    pub open_datasets: Vec<(PathBuf, ImportOptions)>,
    /// Reopen those datasets at start.
    pub reopen_datasets: bool,
    pub view: View,
    pub dark_mode: bool,
    /// Cell texts read as missing, for new imports.
    pub missing_tokens: Vec<String>,
    /// Skip rows with the wrong number of fields, for new imports.
    pub skip_ragged_rows: bool,
    /// The model catalog last opened; `None` uses `$MODELDESK_CATALOG` or the data directory.
    pub catalog_path: Option<PathBuf>,
    /// The system's file dialog when the desktop has one, or always the in-window chooser.
    pub file_chooser: FileChooser,
    /// The folder a file was last chosen in; the next file dialog starts there.
    pub last_folder: Option<PathBuf>,
    /// The whole window's scale (Ctrl+plus, Ctrl+minus, Ctrl+0), 1 for egui's own size.
    pub zoom: f32,
    /// Recorded runs never registered are deleted this many days after they ended; `None`
    /// keeps them all.
    pub run_retention_days: Option<u32>,
    /// How much memory one data-sized structure of a job may take.
    pub memory_budget: BudgetSetting,
    /// The team's MLflow tracking server, without credentials (tokens and passwords stay in
    /// the environment, where MLflow's clients read them).
    pub tracking_uri: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent_files: Vec::new(),
            open_datasets: Vec::new(),
            reopen_datasets: true,
            view: View::Data,
            dark_mode: true,
            missing_tokens: DEFAULT_MISSING_TOKENS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            skip_ragged_rows: false,
            catalog_path: None,
            file_chooser: FileChooser::System,
            last_folder: None,
            zoom: 1.0,
            run_retention_days: None,
            memory_budget: BudgetSetting::default(),
            tracking_uri: None,
        }
    }
}

/// What File ▸ Settings… edits: plain preferences, applied as one command.
#[derive(Debug, Clone, PartialEq)]
pub struct Preferences {
    pub dark_mode: bool,
    pub reopen_datasets: bool,
    pub skip_ragged_rows: bool,
    pub missing_tokens: Vec<String>,
    pub file_chooser: FileChooser,
    pub run_retention_days: Option<u32>,
    pub memory_budget: BudgetSetting,
    /// As typed; kept without credentials (see [`tracking_uri_to_keep`]).
    pub tracking_uri: String,
}

impl Settings {
    /// The preferences the settings window shows.
    pub fn preferences(&self) -> Preferences {
        Preferences {
            dark_mode: self.dark_mode,
            reopen_datasets: self.reopen_datasets,
            skip_ragged_rows: self.skip_ragged_rows,
            missing_tokens: self.missing_tokens.clone(),
            file_chooser: self.file_chooser,
            run_retention_days: self.run_retention_days,
            memory_budget: self.memory_budget,
            tracking_uri: self.tracking_uri.clone().unwrap_or_default(),
        }
    }

    /// Take edited preferences.
    pub fn set_preferences(&mut self, preferences: Preferences) {
        let Preferences {
            dark_mode,
            reopen_datasets,
            skip_ragged_rows,
            missing_tokens,
            file_chooser,
            run_retention_days,
            memory_budget,
            tracking_uri,
        } = preferences;
        self.dark_mode = dark_mode;
        self.reopen_datasets = reopen_datasets;
        self.skip_ragged_rows = skip_ragged_rows;
        self.missing_tokens = missing_tokens;
        self.file_chooser = file_chooser;
        self.run_retention_days = run_retention_days;
        self.memory_budget = memory_budget;
        self.tracking_uri = tracking_uri_to_keep(&tracking_uri);
    }

    /// Put `path` first in the recent files.
    pub fn remember(&mut self, path: &std::path::Path) {
        self.recent_files.retain(|p| p != path);
        self.recent_files.insert(0, path.to_path_buf());
        self.recent_files.truncate(MAX_RECENT_FILES);
    }

    /// Import options for a new file, from these settings.
    pub fn import_defaults(&self) -> ImportOptions {
        ImportOptions {
            missing_tokens: self.missing_tokens.clone(),
            skip_ragged_rows: self.skip_ragged_rows,
            ..ImportOptions::default()
        }
    }
}

/// A typed tracking URI as kept: trimmed, without a trailing slash and without any
/// `user:password@` (credentials are never stored); `None` when blank.
pub fn tracking_uri_to_keep(typed: &str) -> Option<String> {
    let trimmed = typed.trim().trim_end_matches('/');
    let kept = match trimmed.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => trimmed.rsplit('@').next().unwrap_or(trimmed).to_string(),
    };
    (!kept.is_empty()).then_some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_unique_and_bounded() {
        let mut settings = Settings::default();
        for i in 0..15 {
            settings.remember(std::path::Path::new(&format!("/d/{i}.csv")));
        }
        settings.remember(std::path::Path::new("/d/3.csv"));
        assert_eq!(settings.recent_files.len(), MAX_RECENT_FILES);
        assert_eq!(settings.recent_files[0], PathBuf::from("/d/3.csv"));
        let json = serde_json::to_string(&settings).unwrap();
        let back: Settings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, settings);
        let old: Settings = serde_json::from_str("{\"dark_mode\": false}").unwrap();
        assert!(!old.dark_mode && old.reopen_datasets);
    }

    #[test]
    fn a_tracking_uri_is_kept_without_credentials() {
        let mut settings = Settings::default();
        let mut preferences = settings.preferences();
        preferences.tracking_uri = " https://ann:s3cret@mlflow.example.org:5000/prefix/ ".into();
        settings.set_preferences(preferences);
        assert_eq!(
            settings.tracking_uri.as_deref(),
            Some("https://mlflow.example.org:5000/prefix")
        );
        let json = serde_json::to_string(&settings).unwrap();
        assert!(!json.contains("s3cret") && !json.contains("ann"), "{json}");
        let mut preferences = settings.preferences();
        preferences.tracking_uri = "  ".into();
        settings.set_preferences(preferences);
        assert_eq!(settings.tracking_uri, None);
    }
}
