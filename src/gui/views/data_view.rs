//! The Data view: loaded datasets, a virtualised table of every row, and the profile of
//! the selected column (histogram or level bars, role, class balance), plus import notices.

use eframe::egui;
use egui_extras::{Column as TableColumn, TableBuilder};

use super::profile_charts;
use crate::data::{Column, ColumnKind, Role};
use crate::gui::app::{Dataset, ModeldeskApp};
use crate::gui::command::Command;
use crate::gui::samples::SAMPLES;
use std::borrow::Cow;

/// Columns drawn at once; wider tables are paged so a frame stays cheap.
const COLUMNS_PER_PAGE: usize = 40;
const ROW_HEIGHT: f32 = 20.0;
/// A data column is never narrower than this: a number like `-1648.394746` still reads.
pub(crate) const MIN_COLUMN_WIDTH: f32 = 80.0;
const COLUMN_WIDTH: f32 = 110.0;
/// The width the table keeps before the profile gets any.
const TABLE_MIN_WIDTH: f32 = 360.0;
const PROFILE_WIDTH: f32 = 340.0;
const PROFILE_MIN_WIDTH: f32 = 220.0;
const LIST_WIDTH: f32 = 150.0;
const LIST_MIN_WIDTH: f32 = 110.0;
const LIST_MAX_WIDTH: f32 = 300.0;
/// Characters of a cell drawn in a table; the rest is cut (a 5 MB field must not be laid
/// out every frame).
const CELL_CHARS: usize = 120;

/// A cell as a table shows it: first line only, at most [`CELL_CHARS`] characters, with `…`
/// where something was cut.
pub(crate) fn cell_text(column: &Column, row: usize) -> Cow<'_, str> {
    let text = column.display(row);
    let first_line = text.split(['\n', '\r']).next().unwrap_or_default();
    let cut = first_line.char_indices().nth(CELL_CHARS).map(|(i, _)| i);
    match (cut, first_line.len() < text.len()) {
        (None, false) => text,
        (Some(i), _) => Cow::Owned(format!("{}…", &first_line[..i])),
        (None, true) => Cow::Owned(format!("{first_line}…")),
    }
}

/// Draw the Data view.
pub fn show(ui: &mut egui::Ui, app: &ModeldeskApp, commands: &mut Vec<Command>) {
    if app.datasets.is_empty() {
        welcome(ui, commands);
        return;
    }
    let width = ui.available_width();
    let list_max = (width * 0.3).clamp(LIST_MIN_WIDTH, LIST_MAX_WIDTH);
    egui::Panel::left("dataset_list")
        .resizable(true)
        .default_size((width * 0.2).clamp(LIST_MIN_WIDTH, LIST_WIDTH))
        .size_range(LIST_MIN_WIDTH..=list_max)
        .show(ui, |ui| dataset_list(ui, app, commands));
    let Some(dataset) = app.current() else {
        ui.label("Choose a dataset on the left.");
        return;
    };
    // The table comes first: the profile takes only what the table can spare, and starts
    // closed where it would leave the table too narrow, until the user opens it.
    let room = ui.available_width();
    let mut profile_open = profile_open(ui, room);
    let was_open = profile_open;
    let profile_max = (room - TABLE_MIN_WIDTH).max(PROFILE_MIN_WIDTH);
    egui::Panel::right("column_profile")
        .resizable(true)
        .default_size((room * 0.35).clamp(PROFILE_MIN_WIDTH, PROFILE_WIDTH))
        .size_range(PROFILE_MIN_WIDTH..=profile_max)
        .show_collapsible(ui, &mut profile_open, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| column_profile(ui, dataset, commands));
        });
    let frame = egui::Frame::NONE.inner_margin(egui::Margin::symmetric(6, 0));
    egui::CentralPanel::no_frame().frame(frame).show(ui, |ui| {
        dataset_header(ui, dataset, &mut profile_open, commands);
        data_table(ui, dataset, commands);
    });
    if profile_open != was_open {
        ui.data_mut(|d| d.insert_persisted(profile_open_id(), profile_open));
    }
}

fn profile_open_id() -> egui::Id {
    egui::Id::unique("data_view_profile_open")
}

/// Whether the profile is shown: as the user last chose, else when the table keeps
/// [`TABLE_MIN_WIDTH`] beside it.
fn profile_open(ui: &egui::Ui, room: f32) -> bool {
    ui.data_mut(|d| d.get_persisted::<bool>(profile_open_id()))
        .unwrap_or(room >= TABLE_MIN_WIDTH + PROFILE_MIN_WIDTH)
}

fn welcome(ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.add_space(60.0);
        ui.heading("Drop CSV files anywhere on this window");
        ui.label("or");
        if ui.button("Open CSV…").clicked() {
            commands.push(Command::OpenFileDialog);
        }
        ui.add_space(24.0);
        ui.label("Or start with a sample dataset:");
        for sample in &SAMPLES {
            if ui.button(sample.title).clicked() {
                commands.push(Command::OpenSample(sample.file));
            }
        }
    });
}

fn dataset_list(ui: &mut egui::Ui, app: &ModeldeskApp, commands: &mut Vec<Command>) {
    ui.heading("Datasets");
    ui.separator();
    for (i, dataset) in app.datasets.iter().enumerate() {
        // A long name is cut (whole on hover); the Close button always shows.
        let name = &dataset.table.name;
        let (select, close) = egui::Sides::new().shrink_left().truncate().show(
            ui,
            |ui| {
                let button = egui::Button::selectable(app.selected == Some(i), name.as_str());
                let entry = ui.add(button).on_hover_text(name.as_str());
                // Just imported: the new dataset takes the keyboard.
                if app.focus_dataset && app.selected == Some(i) {
                    entry.request_focus();
                }
                entry.clicked()
            },
            |ui| {
                ui.small_button("Close")
                    .on_hover_text("Close this dataset")
                    .clicked()
            },
        );
        ui.weak(format!(
            "{} rows",
            format_count(dataset.table.rows() as u64)
        ));
        if select {
            commands.push(Command::SelectDataset(i));
        }
        if close {
            commands.push(Command::CloseDataset(i));
        }
    }
    ui.separator();
    if ui.button("Open CSV…").clicked() {
        commands.push(Command::OpenFileDialog);
    }
}

fn dataset_header(
    ui: &mut egui::Ui,
    dataset: &Dataset,
    profile_open: &mut bool,
    commands: &mut Vec<Command>,
) {
    let table = &dataset.table;
    let d = &table.dialect;
    egui::Sides::new().shrink_left().truncate().show(
        ui,
        |ui| {
            ui.heading(&table.name);
        },
        |ui| {
            ui.toggle_value(profile_open, "Column profile")
                .on_hover_text("Show or hide the selected column's profile");
        },
    );
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "{} rows × {} columns",
            table.rows(),
            table.columns.len()
        ));
        ui.weak(format!(
            "· {} separated, {}{}, {} · read in {}",
            d.delimiter_name(),
            if d.has_header { "header" } else { "no header" },
            if d.decimal_comma {
                ", decimal comma"
            } else {
                ""
            },
            d.encoding.name(),
            crate::ml::metric_display::format_seconds(dataset.import_seconds)
        ));
    })
    .response
    .on_hover_text(format!(
        "{}\nblake3 {}",
        table.source.display(),
        table.fingerprint
    ));
    if !table.notices.is_empty() {
        egui::CollapsingHeader::new(format!("Import notices ({})", table.notices.len()))
            .default_open(true)
            .show(ui, |ui| {
                for notice in &table.notices {
                    ui.colored_label(ui.visuals().warn_fg_color, notice);
                }
            });
    }
    let columns = table.columns.len();
    if columns > COLUMNS_PER_PAGE {
        ui.horizontal(|ui| {
            let first = dataset.first_column;
            let last = (first + COLUMNS_PER_PAGE).min(columns);
            if ui
                .add_enabled(first > 0, egui::Button::new("Previous columns"))
                .clicked()
            {
                commands.push(Command::ShowColumnsFrom(
                    first.saturating_sub(COLUMNS_PER_PAGE),
                ));
            }
            ui.label(format!("columns {}–{} of {columns}", first + 1, last));
            if ui
                .add_enabled(last < columns, egui::Button::new("Next columns"))
                .clicked()
            {
                commands.push(Command::ShowColumnsFrom(last));
            }
        });
    }
}

fn data_table(ui: &mut egui::Ui, dataset: &Dataset, commands: &mut Vec<Command>) {
    let table = &dataset.table;
    let first = dataset.first_column;
    let shown: Vec<usize> = (first..table.columns.len())
        .take(COLUMNS_PER_PAGE)
        .collect();
    let row_digits = table.rows().max(1).to_string().len() as f32;
    // Each dataset has its own scroll position (ids carry the dataset's), starting at row 1.
    egui::ScrollArea::horizontal()
        .id_salt(("data_table_columns", dataset.id))
        .show(ui, |ui| {
            // A cell or header too narrow for its text is cut, never wrapped letter by letter.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            TableBuilder::new(ui)
                .id_salt(("data_table", dataset.id))
                .striped(true)
                .auto_shrink([false, false])
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .column(TableColumn::exact(10.0 + 8.0 * row_digits))
                .columns(
                    TableColumn::initial(COLUMN_WIDTH)
                        .at_least(MIN_COLUMN_WIDTH)
                        .clip(true)
                        .resizable(true),
                    shown.len(),
                )
                .header(44.0, |mut header| {
                    header.col(|ui| {
                        ui.weak("#");
                    });
                    for &c in &shown {
                        let column = &table.columns[c];
                        header.col(|ui| {
                            ui.vertical(|ui| {
                                let selected = dataset.selected_column == c;
                                let name = ui
                                    .selectable_label(
                                        selected,
                                        egui::RichText::new(&column.name).strong(),
                                    )
                                    .on_hover_text(format!("{}: show its profile", column.name));
                                if name.clicked() {
                                    commands.push(Command::SelectColumn(c));
                                }
                                ui.weak(format!("{} · {}", column.kind.name(), column.role.name()));
                            });
                        });
                    }
                })
                .body(|body| {
                    body.rows(ROW_HEIGHT, table.rows(), |mut row| {
                        let r = row.index();
                        row.col(|ui| {
                            ui.weak((r + 1).to_string());
                        });
                        for &c in &shown {
                            let column = &table.columns[c];
                            row.col(|ui| {
                                if column.data.is_missing(r) {
                                    ui.weak("—");
                                } else if column.kind.is_numeric() {
                                    ui.with_layout(
                                        egui::Layout::right_to_left(egui::Align::Center),
                                        |ui| {
                                            ui.label(column.display(r));
                                        },
                                    );
                                } else {
                                    ui.label(column.display(r));
                                }
                            });
                        }
                    });
                });
        });
}

fn column_profile(ui: &mut egui::Ui, dataset: &Dataset, commands: &mut Vec<Command>) {
    let Some(profile) = dataset.profile.columns.get(dataset.selected_column) else {
        return;
    };
    let index = dataset.selected_column;
    ui.heading(&profile.name);
    ui.horizontal(|ui| {
        ui.label("Role:");
        for role in Role::ALL {
            if ui
                .selectable_label(profile.role == role, role.name())
                .clicked()
                && profile.role != role
            {
                commands.push(Command::SetRole {
                    column: index,
                    role,
                });
            }
        }
    });
    egui::Grid::new("profile_grid")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let rows = dataset.profile.rows.max(1);
            row(ui, "Type", profile.kind.name().to_string());
            row(
                ui,
                "Missing",
                format!(
                    "{} ({:.1}%)",
                    format_count(profile.missing),
                    100.0 * profile.missing as f64 / rows as f64
                ),
            );
            row(ui, "Distinct", format_count(profile.distinct));
            if let Some(s) = &profile.numeric {
                // Integer bounds read best as whole numbers.
                let bound = |v: f64| match profile.kind {
                    ColumnKind::Integer => format!("{v}"),
                    _ => format_stat(v),
                };
                row(ui, "Min", bound(s.min));
                row(ui, "Max", bound(s.max));
                row(ui, "Mean", format_stat(s.mean));
                row(ui, "Std", format_stat(s.std));
            }
        });
    ui.add_space(8.0);
    if profile.numeric.is_some() {
        profile_charts::histogram(ui, profile);
    } else if !profile.top_levels.is_empty() {
        ui.label(if profile.distinct as usize > profile.top_levels.len() {
            format!(
                "Top {} of {} levels",
                profile.top_levels.len(),
                profile.distinct
            )
        } else {
            "Levels".to_string()
        });
        let rows = dataset.profile.rows;
        profile_charts::level_bars(ui, "levels", &profile.top_levels, rows);
    }
    if let Some(balance) = &dataset.profile.class_balance {
        if let Some(target) = dataset.table.target_index() {
            ui.separator();
            ui.strong(format!(
                "Class balance of target '{}'",
                dataset.table.columns[target].name
            ));
            let total: u64 = balance.iter().map(|b| b.1).sum();
            for (level, count) in balance.iter().take(20) {
                ui.label(format!(
                    "{level}: {count} ({:.1}%)",
                    100.0 * *count as f64 / total.max(1) as f64
                ));
            }
        }
    }
}

fn row(ui: &mut egui::Ui, name: &str, value: String) {
    ui.label(name);
    ui.label(value);
    ui.end_row();
}

pub(crate) use crate::data::format_count;

fn format_stat(value: f64) -> String {
    if value.abs() >= 1e6 || (value != 0.0 && value.abs() < 1e-3) {
        format!("{value:.4e}")
    } else {
        format!("{value:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnData;

    #[test]
    fn long_and_multi_line_cells_are_cut() {
        let column = Column {
            name: "note".into(),
            kind: ColumnKind::Text,
            role: Role::Ignore,
            data: ColumnData::Strings {
                codes: vec![0, 1, 2],
                levels: vec!["short".into(), "x".repeat(5_000_000), "one\ntwo".into()],
            },
        };
        assert_eq!(cell_text(&column, 0), "short");
        assert_eq!(cell_text(&column, 1).chars().count(), CELL_CHARS + 1);
        assert_eq!(cell_text(&column, 2), "one…");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1_000_000), "1,000,000");
    }
}
