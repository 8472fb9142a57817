//! File ▸ Settings…: theme, import defaults, reopening datasets, how long runs are kept, and
//! how much memory a job may take.

use eframe::egui;

use crate::data::memory::{available_memory, format_bytes, BudgetSetting, DEFAULT_SHARE};
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
    memory_budget(ui, &mut edited.memory_budget);
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

/// The memory budget: a share of the memory available when a job starts, or a fixed size.
fn memory_budget(ui: &mut egui::Ui, budget: &mut BudgetSetting) {
    let hint = "Before building a feature matrix or growing trees, a job estimates the memory \
                they take; over this budget it stops with a message naming the column, \
                instead of running the computer out of memory";
    ui.label("Memory for one job").on_hover_text(hint);
    let available = available_memory();
    // What the other choice starts from: the size the share gives now, or the default share.
    let (share, gigabytes) = match *budget {
        BudgetSetting::Share(share) => (
            share,
            available.map_or(4.0, |b| b as f64 * share / GIB).max(0.1),
        ),
        BudgetSetting::Bytes(bytes) => (DEFAULT_SHARE, bytes as f64 / GIB),
    };
    ui.horizontal(|ui| {
        let by_share = matches!(budget, BudgetSetting::Share(_));
        if ui
            .radio(by_share, "Share of the memory available:")
            .clicked()
        {
            *budget = BudgetSetting::Share(share);
        }
        let mut percent = share * 100.0;
        let edit = ui.add_enabled(
            by_share,
            egui::DragValue::new(&mut percent)
                .range(1.0..=100.0)
                .clamp_existing_to_range(false)
                .speed(1.0)
                .max_decimals(0)
                .suffix(" %"),
        );
        if edit.changed() {
            *budget = BudgetSetting::Share(percent / 100.0);
        }
        if let (true, Some(bytes)) = (by_share, available) {
            ui.weak(format!(
                "now {}",
                format_bytes((bytes as f64 * share) as u64)
            ));
        }
    });
    ui.horizontal(|ui| {
        let fixed = matches!(budget, BudgetSetting::Bytes(_));
        if ui.radio(fixed, "At most:").clicked() {
            *budget = BudgetSetting::Bytes((gigabytes * GIB) as u64);
        }
        let mut edited = gigabytes;
        let edit = ui.add_enabled(
            fixed,
            egui::DragValue::new(&mut edited)
                .range(0.1..=4096.0)
                // A smaller size from the settings file stays as it is until edited.
                .clamp_existing_to_range(false)
                .speed(0.1)
                .max_decimals(1)
                .suffix(" GB"),
        );
        if edit.changed() {
            *budget = BudgetSetting::Bytes((edited * GIB) as u64);
        }
    });
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
