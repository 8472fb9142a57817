//! The help (F1, or "?" in the menu bar): the keyboard shortcuts, and what each view is for.

use eframe::egui;

use crate::gui::command::{Command, View};

/// What each view of the rail is for, in a line.
pub fn purpose(view: View) -> &'static str {
    match view {
        View::Data => "Open CSV files, see every row, set the target, and profile each column.",
        View::Train => "Choose algorithms, a validation scheme and a recipe, and train.",
        View::Compare => {
            "Put trained runs side by side, earlier ones too: metrics, curves, confusion matrices; register the best."
        }
        View::Catalog => {
            "Registered models and their versions: stages, history, descriptions, tags, reports."
        }
        View::Score => "Score a new file with a run or a version: predictions, metrics and drift.",
    }
}

/// Draw the help window; closing it is a command.
pub fn show(ctx: &egui::Context, commands: &mut Vec<Command>) {
    let mut open = true;
    egui::Window::new("Help")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        // At the smallest window size the help is taller than the window: it scrolls.
        .vscroll(true)
        .default_height(ctx.content_rect().height() - 60.0)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.strong("Keyboard");
            let command = |key| {
                ctx.format_shortcut(&egui::KeyboardShortcut::new(
                    egui::Modifiers::COMMAND,
                    key,
                ))
            };
            egui::Grid::new("help_shortcuts")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    let mut row = |keys: String, what: &str| {
                        // Not monospace: there, Ctrl+O and Ctrl+0 look alike.
                        ui.label(egui::RichText::new(keys).strong());
                        ui.label(what);
                        ui.end_row();
                    };
                    row(command(egui::Key::O), "Open a CSV file");
                    for (i, view) in View::ALL.into_iter().enumerate() {
                        let key = egui::Key::from_name(&(i + 1).to_string())
                            .unwrap_or(egui::Key::Num1);
                        row(command(key), &format!("Show {}", view.label()));
                    }
                    row(command(egui::Key::Plus), "Zoom in");
                    row(command(egui::Key::Minus), "Zoom out");
                    row(command(egui::Key::Num0), "Actual size");
                    row("Tab / Shift+Tab".into(), "Move between controls");
                    row("Space / Enter".into(), "Press the focused button");
                    row("F1".into(), "Show or hide this help");
                    row("Esc".into(), "Close this help");
                });
            ui.add_space(8.0);
            ui.strong("Views");
            egui::Grid::new("help_views").num_columns(2).show(ui, |ui| {
                for view in View::ALL {
                    ui.label(egui::RichText::new(view.label()).strong());
                    ui.label(purpose(view));
                    ui.end_row();
                }
            });
            ui.add_space(8.0);
            ui.weak("Drop CSV files anywhere on the window to import them; drop one on a version's page or in Score to score it.");
        });
    if !open {
        commands.push(Command::ShowHelp(false));
    }
}
