//! The description and tags of a model or of one version, with their editor.

use eframe::egui::{self, RichText};
use std::collections::BTreeMap;

use crate::gui::command::{CatalogCommand, Command};
use crate::gui::views::markdown::markdown;
use crate::jobs::CatalogChange;

/// A description and tags being edited: of a model, or of one of its versions.
#[derive(Default)]
pub struct NotesDraft {
    /// Whose notes these are: a draft is dropped when another model or version is shown.
    owner: Option<(String, Option<i64>)>,
    /// The description's text while it is edited.
    pub description: Option<String>,
    pub tag_key: String,
    pub tag_value: String,
}

/// The description and tags of a model (`version` `None`) or of one version, with an editor
/// for them unless the catalog is read-only.
pub(super) fn notes(
    ui: &mut egui::Ui,
    read_only: bool,
    (model, version): (&str, Option<i64>),
    (description, tags): (&str, &BTreeMap<String, String>),
    draft: &mut NotesDraft,
    commands: &mut Vec<Command>,
) {
    let owner = Some((model.to_string(), version));
    if draft.owner != owner {
        *draft = NotesDraft {
            owner,
            ..NotesDraft::default()
        };
    }
    let send = |change: CatalogChange, commands: &mut Vec<Command>| {
        commands.push(Command::Catalog(CatalogCommand::Change(change)));
    };
    match &mut draft.description {
        Some(text) => {
            ui.add(
                egui::TextEdit::multiline(text)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY),
            );
            let mut close = false;
            ui.horizontal(|ui| {
                if ui.button("Save description").clicked() {
                    let text = text.clone();
                    send(
                        CatalogChange::SetDescription {
                            model: model.to_string(),
                            version,
                            text,
                        },
                        commands,
                    );
                    close = true;
                } else if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
            if close {
                draft.description = None;
            }
        }
        None => {
            if !description.is_empty() {
                markdown(ui, ("notes", model, version), description);
            }
            ui.horizontal_wrapped(|ui| {
                if description.is_empty() {
                    ui.weak("No description.");
                }
                let edit = ui.small_button("Edit").on_hover_text(match version {
                    None => "Describe this model".to_string(),
                    Some(v) => format!("Describe v{v}"),
                });
                if !read_only && edit.clicked() {
                    draft.description = Some(description.to_string());
                }
            });
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Tags");
        for (key, value) in tags {
            ui.label(RichText::new(format!("{key}={value}")).monospace());
            if !read_only
                && ui
                    .small_button("×")
                    .on_hover_text("Remove this tag")
                    .clicked()
            {
                send(
                    CatalogChange::RemoveTag {
                        model: model.to_string(),
                        version,
                        key: key.clone(),
                    },
                    commands,
                );
            }
        }
        if !read_only {
            ui.add(
                egui::TextEdit::singleline(&mut draft.tag_key)
                    .hint_text("key")
                    .desired_width(80.0),
            );
            ui.add(
                egui::TextEdit::singleline(&mut draft.tag_value)
                    .hint_text("value")
                    .desired_width(100.0),
            );
            if ui
                .add_enabled(
                    !draft.tag_key.trim().is_empty(),
                    egui::Button::new("Add tag"),
                )
                .clicked()
            {
                send(
                    CatalogChange::SetTag {
                        model: model.to_string(),
                        version,
                        key: std::mem::take(&mut draft.tag_key),
                        value: std::mem::take(&mut draft.tag_value),
                    },
                    commands,
                );
            }
        }
    });
}
