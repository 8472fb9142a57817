//! The stage history of a model, or of one of its versions.

use eframe::egui;

use crate::catalog::{Cause, HistoryEntry, HistoryEvent};
use crate::gui::local_time::local_time;

/// The history, newest first: of every version, or of version `only`.
pub(super) fn history(ui: &mut egui::Ui, entries: &[HistoryEntry], only: Option<i64>) {
    let shown: Vec<&HistoryEntry> = entries
        .iter()
        .filter(|e| only.is_none_or(|v| e.version == v))
        .collect();
    if shown.is_empty() {
        ui.weak("Nothing yet.");
        return;
    }
    egui::Grid::new(("catalog_history", only))
        .striped(true)
        .show(ui, |ui| {
            for e in shown.iter().rev() {
                ui.weak(local_time(&e.at));
                ui.label(format!("v{}", e.version));
                ui.label(history_text(e));
                ui.weak(&e.actor);
                ui.label(e.comment.as_deref().unwrap_or(""));
                ui.end_row();
            }
        });
}

/// One history row in words: "Staging to Production".
pub fn history_text(e: &HistoryEntry) -> String {
    match e.event {
        HistoryEvent::Registered => "registered".into(),
        HistoryEvent::Stage { from, to, cause } => {
            let why = match cause {
                Cause::Request => "",
                Cause::Replaced => " (replaced)",
                Cause::RollBack => " (roll back)",
            };
            format!("{} to {}{why}", from.title(), to.title())
        }
        HistoryEvent::Deleted { from } => format!("deleted (was {})", from.title()),
    }
}
