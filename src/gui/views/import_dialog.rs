//! The import preview: the first rows as they will be read, with the dialect and each
//! column's type and role open to change before the real import starts.

use eframe::egui;
use egui_extras::{Column as TableColumn, TableBuilder};
use std::path::PathBuf;

use crate::data::{self, ColumnKind, Encoding, ImportOptions, Preview, Role};
use crate::gui::command::Command;

/// State of the open import dialog.
pub struct ImportDialog {
    pub path: PathBuf,
    pub options: ImportOptions,
    /// The preview for the current options, or why it failed.
    pub preview: Result<Preview, String>,
}

impl ImportDialog {
    /// Open the dialog for `path` and read its preview.
    pub fn open(path: PathBuf, options: ImportOptions) -> Self {
        let preview = data::preview_csv(&path, &options).map_err(|e| e.to_string());
        ImportDialog {
            path,
            options,
            preview,
        }
    }

    /// Read the preview again with the options now chosen.
    pub fn refresh(&mut self) {
        self.preview = data::preview_csv(&self.path, &self.options).map_err(|e| e.to_string());
    }

    /// Draw the dialog; the options are its own draft, and a change of them, Import and
    /// Cancel become commands (the preview is read again in the app, not while drawing).
    pub fn show(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let mut changed = false;
        let screen = ctx.content_rect();
        let modal = egui::Modal::new(egui::Id::unique("import_dialog")).show(ctx, |ui| {
            ui.set_width((screen.width() - 120.0).clamp(400.0, 1200.0));
            ui.heading(format!("Import {}", file_name(&self.path)));
            changed |= self.dialect_controls(ui);
            ui.separator();
            match &self.preview {
                Err(message) => {
                    ui.colored_label(ui.visuals().error_fg_color, message);
                }
                Ok(preview) => {
                    let columns = preview.table.columns.len();
                    let summary = if preview.complete {
                        format!("{} rows, {columns} columns", preview.sample_rows)
                    } else {
                        format!(
                            "{columns} columns; types guessed from the first {} rows of {:.1} MB, checked on import",
                            preview.sample_rows,
                            preview.file_bytes as f64 / 1e6
                        )
                    };
                    ui.label(summary);
                    if preview.sample_rows > preview.table.rows() {
                        ui.weak(format!("showing the first {} rows", preview.table.rows()));
                    }
                    for notice in &preview.table.notices {
                        ui.colored_label(ui.visuals().warn_fg_color, notice);
                    }
                    let max_height = (screen.height() - 320.0).max(160.0);
                    changed |= preview_table(ui, preview, &mut self.options, max_height);
                }
            }
            ui.separator();
            ui.horizontal(|ui| {
                let ready = self.preview.is_ok();
                if ui.add_enabled(ready, egui::Button::new("Import")).clicked() {
                    commands.push(Command::StartImport {
                        path: self.path.clone(),
                        options: self.options.clone(),
                    });
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CloseImportDialog);
                }
            });
        });
        if modal.should_close() {
            commands.push(Command::CloseImportDialog);
        }
        if changed {
            commands.push(Command::RefreshPreview);
        }
    }

    fn dialect_controls(&mut self, ui: &mut egui::Ui) -> bool {
        let detected = self.preview.as_ref().ok().map(|p| p.table.dialect);
        let mut changed = false;
        ui.horizontal_wrapped(|ui| {
            let options = &mut self.options;
            let label = ui.label("Delimiter").id;
            let detect = format!("Detect ({})", detected.map_or("?", |d| d.delimiter_name()));
            changed |= choice(
                ui,
                "delimiter",
                label,
                &mut options.delimiter,
                &[
                    (None, detect.as_str()),
                    (Some(b','), "comma"),
                    (Some(b';'), "semicolon"),
                    (Some(b'\t'), "tab"),
                    (Some(b'|'), "pipe"),
                ],
            );
            let label = ui.label("Header").id;
            let detect = format!(
                "Detect ({})",
                detected.map_or("?", |d| if d.has_header { "yes" } else { "no" })
            );
            changed |= choice(
                ui,
                "header",
                label,
                &mut options.has_header,
                &[
                    (None, detect.as_str()),
                    (Some(true), "first row names columns"),
                    (Some(false), "no header"),
                ],
            );
            let label = ui.label("Decimal").id;
            let detect = format!(
                "Detect ({})",
                detected.map_or("?", |d| if d.decimal_comma { "comma" } else { "point" })
            );
            changed |= choice(
                ui,
                "decimal",
                label,
                &mut options.decimal_comma,
                &[
                    (None, detect.as_str()),
                    (Some(false), "point 3.5"),
                    (Some(true), "comma 3,5"),
                ],
            );
            let label = ui.label("Encoding").id;
            let detect = format!("Detect ({})", detected.map_or("?", |d| d.encoding.name()));
            let encodings: Vec<(Encoding, &str)> = Encoding::ALL
                .iter()
                .map(|&e| {
                    (
                        e,
                        if e == Encoding::Auto {
                            detect.as_str()
                        } else {
                            e.name()
                        },
                    )
                })
                .collect();
            changed |= choice(ui, "encoding", label, &mut options.encoding, &encodings);
            changed |= ui
                .checkbox(
                    &mut options.skip_ragged_rows,
                    "Skip rows with the wrong number of fields",
                )
                .changed();
        });
        changed
    }
}

/// A combo box over fixed choices; true when the value changed.
/// `label` names the box for screen readers (and tests).
fn choice<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    id: &str,
    label: egui::Id,
    value: &mut T,
    choices: &[(T, &str)],
) -> bool {
    let current = choices
        .iter()
        .find(|(v, _)| v == value)
        .map_or("", |(_, label)| *label);
    let mut changed = false;
    egui::ComboBox::from_id_salt(id)
        .selected_text(current)
        .show_ui(ui, |ui| {
            for (option, label) in choices {
                changed |= ui.selectable_value(value, option.clone(), *label).changed();
            }
        })
        .response
        .labelled_by(label);
    changed
}

/// The preview rows with a type and role picker above each column; true when one changed.
fn preview_table(
    ui: &mut egui::Ui,
    preview: &Preview,
    options: &mut ImportOptions,
    max_height: f32,
) -> bool {
    let table = &preview.table;
    let mut changed = false;
    egui::ScrollArea::horizontal().show(ui, |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(max_height)
            .column(TableColumn::auto().at_least(36.0))
            .columns(
                TableColumn::auto().at_least(90.0).clip(true),
                table.columns.len().min(200),
            )
            .header(64.0, |mut header| {
                header.col(|ui| {
                    ui.label("#");
                });
                for (i, column) in table.columns.iter().enumerate().take(200) {
                    header.col(|ui| {
                        ui.vertical(|ui| {
                            let label = ui.strong(&column.name).id;
                            let kinds: Vec<(ColumnKind, &str)> =
                                ColumnKind::ALL.iter().map(|&k| (k, k.name())).collect();
                            let mut kind = column.kind;
                            if choice(ui, &format!("kind{i}"), label, &mut kind, &kinds) {
                                options.set_kind(i, Some(kind));
                                changed = true;
                            }
                            let roles: Vec<(Role, &str)> =
                                Role::ALL.iter().map(|&r| (r, r.name())).collect();
                            let mut role = column.role;
                            if choice(ui, &format!("role{i}"), label, &mut role, &roles) {
                                if role == Role::Target {
                                    for r in options.column_roles.iter_mut() {
                                        if *r == Some(Role::Target) {
                                            *r = Some(Role::Feature);
                                        }
                                    }
                                }
                                options.set_role(i, Some(role));
                                changed = true;
                            }
                        });
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, table.rows(), |mut row| {
                    let r = row.index();
                    row.col(|ui| {
                        ui.weak((r + 1).to_string());
                    });
                    for column in table.columns.iter().take(200) {
                        row.col(|ui| {
                            ui.label(super::data_view::cell_text(column, r));
                        });
                    }
                });
            });
    });
    changed
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
