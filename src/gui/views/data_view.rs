//! The Data view: loaded datasets, a virtualised table of every row, and the profile of
//! the selected column (histogram or level bars, role, class balance), plus import notices.

use eframe::egui;
use egui_extras::{Column as TableColumn, TableBuilder};
use egui_plot::{Bar, BarChart, Plot};

use crate::data::{Column, ColumnKind, ColumnProfile, Role};
use crate::gui::app::{Dataset, ModeldeskApp};
use crate::gui::command::Command;
use crate::gui::samples::SAMPLES;
use std::borrow::Cow;

/// Columns drawn at once; wider tables are paged so a frame stays cheap.
const COLUMNS_PER_PAGE: usize = 40;
const ROW_HEIGHT: f32 = 20.0;
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
    egui::Panel::left("dataset_list")
        .default_size(180.0)
        .show(ui, |ui| dataset_list(ui, app, commands));
    let Some(dataset) = app.current() else {
        ui.label("Choose a dataset on the left.");
        return;
    };
    egui::Panel::right("column_profile")
        .default_size(340.0)
        .min_size(260.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| column_profile(ui, dataset, commands));
        });
    egui::CentralPanel::no_frame().show(ui, |ui| {
        dataset_header(ui, dataset, commands);
        data_table(ui, dataset, commands);
    });
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
        ui.horizontal(|ui| {
            let label = format!(
                "{}\n{} rows",
                dataset.table.name,
                format_count(dataset.table.rows() as u64)
            );
            let entry = ui.selectable_label(app.selected == Some(i), label);
            if app.focus_dataset && app.selected == Some(i) {
                entry.request_focus();
            }
            if entry.clicked() {
                commands.push(Command::SelectDataset(i));
            }
            if ui
                .small_button("Close")
                .on_hover_text("Close this dataset")
                .clicked()
            {
                commands.push(Command::CloseDataset(i));
            }
        });
    }
    ui.separator();
    if ui.button("Open CSV…").clicked() {
        commands.push(Command::OpenFileDialog);
    }
}

fn dataset_header(ui: &mut egui::Ui, dataset: &Dataset, commands: &mut Vec<Command>) {
    let table = &dataset.table;
    let d = &table.dialect;
    ui.horizontal_wrapped(|ui| {
        ui.heading(&table.name);
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
    egui::ScrollArea::horizontal().show(ui, |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .auto_shrink([false, false])
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(TableColumn::exact(10.0 + 8.0 * row_digits))
            .columns(
                TableColumn::initial(110.0)
                    .at_least(50.0)
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
                                .on_hover_text("Show this column's profile");
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
        histogram_plot(ui, profile);
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
        level_bars(ui, "levels", &profile.top_levels);
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

/// `1234567` → `1,234,567`.
pub(crate) fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn format_stat(value: f64) -> String {
    if value.abs() >= 1e6 || (value != 0.0 && value.abs() < 1e-3) {
        format!("{value:.4e}")
    } else {
        format!("{value:.4}")
    }
}

fn histogram_plot(ui: &mut egui::Ui, profile: &ColumnProfile) {
    let Some(summary) = &profile.numeric else {
        return;
    };
    let h = &summary.histogram;
    let width = (h.edges[h.edges.len() - 1] - h.edges[0]) / h.counts.len() as f64;
    let bars: Vec<Bar> = h
        .counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let center = h.edges[i] + width / 2.0;
            Bar::new(center, count as f64)
                .width(width.max(f64::EPSILON) * 0.95)
                .name(format!("{:.4} – {:.4}", h.edges[i], h.edges[i + 1]))
        })
        .collect();
    Plot::new(("histogram", &profile.name))
        .height(200.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .y_axis_label("rows")
        .show(ui, |plot| plot.bar_chart(BarChart::new("histogram", bars)));
}

fn level_bars(ui: &mut egui::Ui, id: &str, levels: &[(String, u64)]) {
    let bars: Vec<Bar> = levels
        .iter()
        .enumerate()
        .map(|(i, (level, count))| Bar::new(-(i as f64), *count as f64).width(0.7).name(level))
        .collect();
    let names: Vec<String> = levels.iter().map(|(l, _)| l.clone()).collect();
    Plot::new(id)
        .height(28.0 * levels.len() as f32 + 40.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .y_axis_formatter(move |mark, _| {
            let i = (-mark.value).round();
            if (mark.value + i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("levels", bars).horizontal())
        });
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
