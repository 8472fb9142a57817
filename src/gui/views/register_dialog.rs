//! The dialog that registers a run in the catalog: a new model or the next version of an
//! existing one, with a description.

use eframe::egui;

use crate::gui::command::{CatalogCommand, Command};

/// What the user has typed so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegisterDraft {
    pub run: u64,
    /// The run as the user knows it ("#2 decision tree on penguins").
    pub title: String,
    pub model: String,
    pub description: String,
    /// Models already in the catalog, to add a version to.
    pub existing: Vec<String>,
}

/// Draw the dialog; returns false when it should close.
pub fn show(ctx: &egui::Context, draft: &mut RegisterDraft, commands: &mut Vec<Command>) {
    egui::Modal::new(egui::Id::unique("register_dialog")).show(ctx, |ui| {
        ui.set_width(440.0);
        ui.heading("Register in the catalog");
        ui.label(&draft.title);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Model name").id;
            ui.add(
                egui::TextEdit::singleline(&mut draft.model)
                    .hint_text("e.g. penguin-species")
                    .desired_width(220.0),
            )
            .labelled_by(label);
            if !draft.existing.is_empty() {
                egui::ComboBox::from_id_salt("register_existing")
                    .selected_text("existing…")
                    .show_ui(ui, |ui| {
                        for name in &draft.existing {
                            if ui.selectable_label(draft.model == *name, name).clicked() {
                                draft.model = name.clone();
                            }
                        }
                    });
            }
        });
        let name = draft.model.trim();
        let hint = if name.is_empty() {
            "Name a new model, or pick an existing one to add a version to.".to_string()
        } else if draft.existing.iter().any(|m| m == name) {
            format!("Adds the next version of '{name}'.")
        } else {
            format!("Creates the model '{name}' with version 1.")
        };
        ui.weak(hint);
        let label = ui.label("This version's description (Markdown)").id;
        ui.add(
            egui::TextEdit::multiline(&mut draft.description)
                .desired_rows(4)
                .desired_width(f32::INFINITY)
                .hint_text("What this version changes, what it was trained on, caveats…"),
        )
        .labelled_by(label);
        ui.weak("The model's own description is edited on its page in Catalog.");
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let ready = !name.is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("Register"))
                .on_disabled_hover_text("Give the model a name first")
                .clicked()
            {
                commands.push(Command::Catalog(CatalogCommand::Register {
                    run: draft.run,
                    model: name.to_string(),
                    description: draft.description.clone(),
                }));
                commands.push(Command::CloseRegister);
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::CloseRegister);
            }
        });
    });
}
