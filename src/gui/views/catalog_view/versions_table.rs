//! The model's versions as a sortable, virtualised table with stage badges and the headline
//! metrics, ticks to compare, and Copy as CSV.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::mlflow_marks::sync_mark;
use super::stage_badge::stage_badge;
use super::CatalogViewState;
use crate::catalog::{VersionSort, VersionSummary};
use crate::data::CsvText;
use crate::gui::local_time::local_time;
use crate::ml::metric_registry;
use crate::ml::spec::ModelSpec;

/// Whether `sort` starts descending: the newest first, and each metric's best first (the
/// lowest of a loss).
fn best_first(sort: &VersionSort) -> bool {
    match sort {
        VersionSort::Version => false,
        VersionSort::Created => true,
        VersionSort::Metric(m) => metric_registry::higher_is_better(m),
    }
}

fn sort_header(ui: &mut egui::Ui, state: &mut CatalogViewState, label: &str, sort: VersionSort) {
    let active = state.sort == sort;
    let arrow = match (active, state.descending) {
        (true, true) => " ↓",
        (true, false) => " ↑",
        _ => "",
    };
    // The arrows are only in the monospace font; the label is in body text like every header.
    let mut text = egui::text::LayoutJob::default();
    let (style, font, align) = (
        ui.style(),
        egui::FontSelection::Default,
        egui::Align::Center,
    );
    RichText::new(label)
        .strong()
        .append_to(&mut text, style, font.clone(), align);
    RichText::new(arrow)
        .strong()
        .monospace()
        .append_to(&mut text, style, font, align);
    if ui
        .add(egui::Button::new(text).frame(false))
        .on_hover_text("Sort by this column")
        .clicked()
    {
        if active {
            state.descending = !state.descending;
        } else {
            state.descending = best_first(&sort);
            state.sort = sort;
        }
    }
}

/// Draw the order picker, Copy as CSV and the table of the model's versions.
pub(super) fn versions_table(ui: &mut egui::Ui, state: &mut CatalogViewState) {
    if state.read.versions.is_empty() {
        ui.weak("No versions.");
        return;
    }
    let names = state.read.metric_names.clone();
    ui.horizontal(|ui| {
        let label = ui.label("Sort by").id;
        let current = match &state.sort {
            VersionSort::Version => "version".to_string(),
            VersionSort::Created => "registration time".to_string(),
            VersionSort::Metric(m) => metric_registry::label(m).to_string(),
        };
        egui::ComboBox::from_id_salt("catalog_sort_by")
            .selected_text(current)
            .show_ui(ui, |ui| {
                let mut choices = vec![
                    (VersionSort::Version, "version".to_string()),
                    (VersionSort::Created, "registration time".to_string()),
                ];
                choices.extend(names.iter().map(|m| {
                    (
                        VersionSort::Metric(m.clone()),
                        metric_registry::label(m).to_string(),
                    )
                }));
                for (sort, text) in choices {
                    if ui.selectable_label(state.sort == sort, text).clicked() {
                        state.descending = best_first(&sort);
                        state.sort = sort;
                    }
                }
            })
            .response
            .labelled_by(label);
        ui.checkbox(&mut state.descending, "descending");
        if ui
            .button("Copy as CSV")
            .on_hover_text("Copy every listed version with its mean metrics")
            .clicked()
        {
            ui.ctx()
                .copy_text(versions_csv(&state.read.versions, &names));
        }
    });
    let mut metrics: Vec<String> = names.iter().take(3).cloned().collect();
    if let VersionSort::Metric(m) = &state.sort {
        if !metrics.contains(m) {
            metrics.push(m.clone());
        }
    }
    let height = (state.read.versions.len() as f32 * 24.0 + 30.0).min(320.0);
    // Taken out while drawn (rows change choices in `state`), put back after.
    let versions = std::mem::take(&mut state.read.versions);
    // Wider than a narrow window: the columns past its edge are scrolled to, not cut off.
    egui::ScrollArea::horizontal()
        .id_salt("catalog_versions_sideways")
        .show(ui, |ui| {
            // A selectable label takes the click from its row: the whole row opens the version.
            ui.style_mut().interaction.selectable_labels = false;
            let mut table = TableBuilder::new(ui)
                .id_salt("catalog_versions")
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .max_scroll_height(height)
                .column(Column::exact(24.0))
                .column(Column::exact(70.0))
                .column(Column::exact(96.0))
                .column(Column::auto().at_least(150.0))
                .column(Column::auto().at_least(110.0));
            let mlflow = state.tracking_uri.is_some();
            if mlflow {
                table = table.column(Column::auto().at_least(90.0));
            }
            for _ in &metrics {
                table = table.column(Column::auto().at_least(90.0));
            }
            let synced = state.read.synced.clone();
            table
                .sense(egui::Sense::click())
                .header(22.0, |mut header| {
                    header.col(|_| {});
                    header.col(|ui| sort_header(ui, state, "Version", VersionSort::Version));
                    header.col(|ui| {
                        ui.label(RichText::new("Stage").strong());
                    });
                    header.col(|ui| sort_header(ui, state, "Registered", VersionSort::Created));
                    header.col(|ui| {
                        ui.label(RichText::new("Algorithm").strong());
                    });
                    if mlflow {
                        header.col(|ui| {
                            ui.label(RichText::new("MLflow").strong());
                        });
                    }
                    for m in &metrics {
                        header.col(|ui| {
                            let label = metric_registry::label(m);
                            sort_header(ui, state, label, VersionSort::Metric(m.clone()));
                        });
                    }
                })
                .body(|body| {
                    body.rows(24.0, versions.len(), |mut row| {
                        let v = &versions[row.index()];
                        row.set_selected(state.selected_version == Some(v.version));
                        row.col(|ui| {
                            let mut ticked = state.ticked.contains(&v.version);
                            if ui
                                .checkbox(&mut ticked, "")
                                .on_hover_text("Tick to compare")
                                .changed()
                            {
                                state.ticked.retain(|&t| t != v.version);
                                if ticked {
                                    state.ticked.push(v.version);
                                }
                            }
                        });
                        row.col(|ui| {
                            let selected = state.selected_version == Some(v.version);
                            if ui
                                .selectable_label(selected, format!("v{}", v.version))
                                .on_hover_text("Open this version's page")
                                .clicked()
                            {
                                state.selected_version = Some(v.version);
                            }
                        });
                        row.col(|ui| {
                            stage_badge(ui, v.stage);
                        });
                        row.col(|ui| {
                            ui.label(local_time(&v.created_at));
                        });
                        row.col(|ui| {
                            // Its display name; a key this build does not know, as stored.
                            let key = v.algorithm.as_deref();
                            let title = key.map(|k| ModelSpec::title_of(k).unwrap_or(k));
                            ui.label(title.unwrap_or("—"));
                        });
                        if mlflow {
                            row.col(|ui| sync_mark(ui, v.stage, synced.get(&v.version)));
                        }
                        for m in &metrics {
                            row.col(|ui| match v.metrics.get(m) {
                                Some(x) if x.is_finite() => {
                                    ui.label(metric_registry::format(m, *x));
                                }
                                _ => {
                                    ui.weak("—");
                                }
                            });
                        }
                        if row.response().clicked() {
                            state.selected_version = Some(v.version);
                        }
                    });
                });
        });
    state.read.versions = versions;
    ui.weak("Click a row for its page; tick rows to compare them.");
}

/// The versions as CSV: number, stage, time, algorithm and each metric's mean.
fn versions_csv(versions: &[VersionSummary], metrics: &[String]) -> String {
    let mut csv = CsvText::new();
    let header = ["model", "version", "stage", "registered", "algorithm"];
    csv.record(header.into_iter().chain(metrics.iter().map(String::as_str)));
    for v in versions {
        let mut fields = vec![
            v.model.clone(),
            v.version.to_string(),
            v.stage.name().to_string(),
            v.created_at.clone(),
            v.algorithm.clone().unwrap_or_default(),
        ];
        fields.extend(metrics.iter().map(|m| {
            v.metrics
                .get(m)
                .filter(|x| x.is_finite())
                .map_or(String::new(), f64::to_string)
        }));
        csv.record(fields.iter().map(String::as_str));
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_column_sorts_its_best_values_first() {
        assert!(best_first(&VersionSort::Metric("accuracy".into())));
        // Losses and errors: lowest first.
        assert!(!best_first(&VersionSort::Metric("log_loss".into())));
        assert!(!best_first(&VersionSort::Metric("rmse".into())));
        assert!(best_first(&VersionSort::Created), "newest first");
        assert!(!best_first(&VersionSort::Version));
    }
}
