//! The desktop window: an eframe app over the same core the CLI uses.
//!
//! How state changes (the rule the code holds):
//! - A view draws from the app read-only (`&ModeldeskApp`, or the parts it is handed) and
//!   may edit only its own draft: the Train and Score forms, the Catalog view's choices and
//!   typed text, the register dialog, the import preview's options (`app::Drafts`). Widget
//!   state that changes nothing outside its widget (a sort column, which plot is shown, a
//!   plot's cache) may live in egui's memory.
//! - Everything else — datasets, runs, ticks, the scored file, the catalog, settings,
//!   messages, jobs — changes only in [`ModeldeskApp::logic`]: views send [`Command`]s,
//!   `apply` takes them one at a time, `finish` takes what jobs produced. The app's fields
//!   are visible only inside `gui`; tests and tools read them through accessors.
//! - Drawing does no I/O. Reading a file, loading a model, writing an export and every
//!   catalog read or write that can wait on SQLite's busy timeout run as jobs
//!   ([`crate::jobs`]); catalog work is queued and done in order by one job at a time.
//!   Opening (creating, upgrading) the catalog file is a job too, and the Catalog view asks
//!   for what it shows ([`crate::jobs::catalog_read`]) and draws what came back. One
//!   exception remains: the import preview's first rows are read in `apply`, on the UI
//!   thread.

mod app;
mod catalog_actions;
mod command;
mod dataset_actions;
mod explain_actions;
mod explanations;
mod export_actions;
mod file_dialog;
mod import_actions;
mod local_time;
mod mlflow_actions;
mod retrain_actions;
mod run_actions;
mod samples;
mod score_actions;
mod settings;
mod toasts;
mod train_actions;
mod views;
mod window_layout;

pub use app::{Dataset, Message, ModeldeskApp, Startup};
pub use command::{CatalogCommand, Command, ExplainOf, Retrain, ScoreSource, View};
pub use explanations::{ExplainRowsCommand, ExplainSlot, Explanations, RowExplanation, Shown};
pub use file_dialog::{FileChooser, FileDialogs, FileFor, FileRequest};
pub use local_time::local_time;
pub use mlflow_actions::ConnectionTest;
pub use samples::{sample_path, Sample, SAMPLES};
pub use settings::{Preferences, Settings};

/// The key under which eframe persists [`Settings`].
pub const SETTINGS_KEY: &str = "modeldesk.settings";

/// Open the window, with a file to import (or preview) first if given.
pub fn run(file: Option<Startup>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Modeldesk")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "modeldesk",
        options,
        Box::new(move |cc| {
            let settings = cc
                .storage
                .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
                .unwrap_or_default();
            Ok(Box::new(ModeldeskApp::new(settings, file)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
