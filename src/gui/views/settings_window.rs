//! File ▸ Settings…: theme, import defaults, reopening datasets, how long runs are kept.

use eframe::egui;

use crate::gui::command::Command;
use crate::gui::file_dialog::FileChooser;
use crate::gui::settings::{Preferences, Settings};

/// Draw the settings window; an edit becomes a command that applies it at once (they are
/// plain preferences).
pub fn show(ctx: &egui::Context, settings: &Settings, commands: &mut Vec<Command>) {
    let mut open = true;
    let mut edited = settings.preferences();
    egui::Window::new("Settings")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        .show(ctx, |ui| preferences(ui, &mut edited));
    if edited != settings.preferences() {
        commands.push(Command::SetPreferences(edited));
    }
    if !open {
        commands.push(Command::ShowSettings(false));
    }
}

fn preferences(ui: &mut egui::Ui, edited: &mut Preferences) {
    ui.checkbox(&mut edited.dark_mode, "Dark theme");
    ui.checkbox(
        &mut edited.reopen_datasets,
        "Reopen my datasets when Modeldesk starts",
    );
    ui.horizontal(|ui| {
        ui.label("File dialogs:");
        ui.radio_value(&mut edited.file_chooser, FileChooser::System, "System's")
            .on_hover_text(
                "The desktop's own dialog when it offers one (an XDG desktop portal or zenity); \
                 otherwise the chooser in the window",
            );
        ui.radio_value(
            &mut edited.file_chooser,
            FileChooser::InWindow,
            "In the window",
        );
    });
    ui.separator();
    ui.label("Recorded runs");
    ui.horizontal(|ui| {
        let mut pruning = edited.run_retention_days.is_some();
        ui.checkbox(&mut pruning, "Delete unregistered runs after")
            .on_hover_text("Runs registered as versions are always kept");
        let mut days = edited.run_retention_days.unwrap_or(90);
        ui.add_enabled(
            pruning,
            egui::DragValue::new(&mut days)
                .range(1..=3650)
                .suffix(" days"),
        );
        edited.run_retention_days = pruning.then_some(days);
    });
    ui.separator();
    ui.label("New imports");
    ui.checkbox(
        &mut edited.skip_ragged_rows,
        "Skip rows with the wrong number of fields",
    );
    ui.horizontal(|ui| {
        ui.label("Missing values:");
        let mut text = edited.missing_tokens.join(" ");
        let edit = ui.text_edit_singleline(&mut text).on_hover_text(
            "Cell texts read as missing, separated by spaces. Empty cells are always missing.",
        );
        if edit.changed() {
            edited.missing_tokens = std::iter::once(String::new())
                .chain(text.split_whitespace().map(str::to_string))
                .collect();
        }
    });
}
