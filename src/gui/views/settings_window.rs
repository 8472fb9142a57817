//! File ▸ Settings…: theme, import defaults, reopening datasets, how long runs are kept, how
//! much memory a job may take, and the team's MLflow server.

use eframe::egui;

use crate::data::memory::{available_memory, format_bytes, BudgetSetting, DEFAULT_SHARE};
use crate::gui::command::Command;
use crate::gui::file_dialog::FileChooser;
use crate::gui::mlflow_actions::ConnectionTest;
use crate::gui::settings::{Preferences, Settings};

/// Draw the settings window; an edit becomes a command that applies it at once (they are
/// plain preferences).
pub fn show(
    ctx: &egui::Context,
    settings: &Settings,
    test: &ConnectionTest,
    commands: &mut Vec<Command>,
) {
    let mut open = true;
    let mut edited = settings.preferences();
    // Asked of the server after the preferences are taken: a URI typed and left by pressing
    // Test connection is the one tested.
    let mut asked = Vec::new();
    egui::Window::new("Settings")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        .show(ctx, |ui| {
            preferences(ui, &mut edited);
            ui.separator();
            mlflow_server(ui, &mut edited.tracking_uri, test, &mut asked);
        });
    if edited != settings.preferences() {
        commands.push(Command::SetPreferences(edited));
    }
    commands.append(&mut asked);
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

/// The team's MLflow tracking server and "Test connection". The typed text is applied when
/// the field is left (or Enter pressed), so a half-typed address is never kept.
fn mlflow_server(
    ui: &mut egui::Ui,
    uri: &mut String,
    test: &ConnectionTest,
    commands: &mut Vec<Command>,
) {
    ui.label("MLflow server").on_hover_text(
        "The team's MLflow tracking server, for Push to MLflow on a version's page. A token or \
         password stays in the environment (MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME \
         and MLFLOW_TRACKING_PASSWORD), as MLflow's own clients read it; a user:password@ in \
         the address is not kept.",
    );
    ui.horizontal(|ui| {
        let label = ui.label("Tracking URI").id;
        let draft = ui.make_persistent_id("tracking_uri_draft");
        let mut text = ui
            .data(|d| d.get_temp::<String>(draft))
            .unwrap_or_else(|| uri.clone());
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .hint_text("http://mlflow.example.org:5000")
                    .desired_width(260.0),
            )
            .labelled_by(label);
        let typed = !text.trim().is_empty();
        if edit.lost_focus() {
            *uri = text;
            ui.data_mut(|d| d.remove::<String>(draft));
        } else if edit.has_focus() {
            ui.data_mut(|d| d.insert_temp(draft, text));
        }
        let testing = *test == ConnectionTest::Testing;
        if ui
            .add_enabled(
                (typed || !uri.trim().is_empty()) && !testing,
                egui::Button::new("Test connection"),
            )
            .on_hover_text("Ask the server for its version")
            .clicked()
        {
            commands.push(Command::TestMlflowConnection);
        }
    });
    match test {
        ConnectionTest::NotTried => {}
        ConnectionTest::Testing => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Asking the server…");
            });
        }
        ConnectionTest::Answered {
            uri,
            answer: Ok(version),
        } => {
            ui.label(format!("Connected: MLflow {version} at {uri}"));
        }
        ConnectionTest::Answered { answer: Err(e), .. } => {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }
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
