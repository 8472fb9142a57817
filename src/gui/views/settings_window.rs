//! File ▸ Settings…: theme, import defaults, reopening datasets.

use eframe::egui;

use crate::gui::command::Command;
use crate::gui::settings::Settings;

/// Draw the settings window; edits apply at once (they are plain preferences).
pub fn show(ctx: &egui::Context, settings: &mut Settings, commands: &mut Vec<Command>) {
    let mut open = true;
    egui::Window::new("Settings")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        .show(ctx, |ui| {
            if ui.checkbox(&mut settings.dark_mode, "Dark theme").changed() {
                ctx.set_theme(if settings.dark_mode { egui::Theme::Dark } else { egui::Theme::Light });
            }
            ui.checkbox(&mut settings.reopen_datasets, "Reopen my datasets when Modeldesk starts");
            ui.separator();
            ui.label("New imports");
            ui.checkbox(&mut settings.skip_ragged_rows, "Skip rows with the wrong number of fields");
            ui.horizontal(|ui| {
                ui.label("Missing values:");
                let mut text = settings.missing_tokens.join(" ");
                let edit = ui
                    .text_edit_singleline(&mut text)
                    .on_hover_text("Cell texts read as missing, separated by spaces. Empty cells are always missing.");
                if edit.changed() {
                    settings.missing_tokens = std::iter::once(String::new())
                        .chain(text.split_whitespace().map(str::to_string))
                        .collect();
                }
            });
        });
    if !open {
        commands.push(Command::ShowSettings(false));
    }
}
