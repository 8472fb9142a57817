//! The desktop window: an eframe app over the same core the CLI uses.
//!
//! Views only draw and send [`Command`]s; [`ModeldeskApp::logic`] applies them, polls jobs
//! and takes dropped files, so every change of state goes through one door.

mod app;
mod catalog_actions;
mod command;
mod dataset_actions;
mod export_actions;
mod import_actions;
mod samples;
mod score_actions;
mod settings;
mod train_actions;
mod views;
mod window_layout;

pub use app::{Dataset, Message, ModeldeskApp, Startup};
pub use command::{CatalogCommand, Command, ScoreSource, View};
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
