//! One version's page: its actions (score, export, stage changes, delete), notes, lineage,
//! parameters and recipe, and the sections of what validation and serving measured.

use eframe::egui::{self, RichText};

use super::super::{learned_panel, live_panel};
use super::history::history;
use super::inspect_section::which_features_matter;
use super::mlflow_marks::{mlflow_badge, push_button};
use super::notes::notes;
use super::stage_badge::stage_badge;
use super::validation_results::{confusion_and_folds, curves, metrics_grid};
use super::CatalogViewState;
use crate::catalog::Stage;
use crate::gui::command::{CatalogCommand, Command, ScoreSource, View};
use crate::gui::local_time::local_time;
use crate::jobs::catalog_read::VersionPage;
use crate::jobs::{CatalogChange, Jobs};

/// Draw the chosen version's page.
pub(super) fn version_page(
    ui: &mut egui::Ui,
    read_only: bool,
    page: &VersionPage,
    jobs: &Jobs,
    state: &mut CatalogViewState,
    commands: &mut Vec<Command>,
) {
    let detail = &page.detail;
    let v = &detail.summary;
    ui.horizontal_wrapped(|ui| {
        ui.heading(format!("{} v{}", v.model, v.version));
        stage_badge(ui, v.stage);
        let uri = state.tracking_uri.as_deref();
        if ui.button("Score a file with it…").clicked() {
            commands.push(Command::ScoreWith(ScoreSource::Version {
                model: v.model.clone(),
                version: v.version,
            }));
            commands.push(Command::ShowView(View::Score));
        }
        if ui
            .button("Export ONNX…")
            .on_hover_text(
                "One ONNX file with the recipe and the model, for ONNX Runtime in any language",
            )
            .clicked()
        {
            commands.push(Command::AskExportOnnx(ScoreSource::Version {
                model: v.model.clone(),
                version: v.version,
            }));
        }
        push_button(ui, !read_only, uri, (&v.model, v.version), commands);
        // After the buttons: appearing once pushed, it moves none of them.
        mlflow_badge(ui, uri, page.mlflow.as_ref());
    });
    notes(
        ui,
        read_only,
        (&v.model, Some(v.version)),
        (&v.description, &v.tags),
        &mut state.version_notes,
        commands,
    );
    ui.add_enabled_ui(!read_only, |ui| {
        ui.horizontal_wrapped(|ui| {
            for (label, stage) in [
                ("To Staging", Stage::Staging),
                ("To Production", Stage::Production),
                ("Archive", Stage::Archived),
                ("To None", Stage::None),
            ] {
                if ui
                    .add_enabled(stage != v.stage, egui::Button::new(label))
                    .on_hover_text(format!("Move v{} to {} (the comment above is kept in the history)", v.version, stage.title()))
                    .clicked()
                {
                    commands.push(Command::Catalog(CatalogCommand::Change(CatalogChange::SetStage {
                        model: v.model.clone(),
                        version: v.version,
                        stage,
                        archive_existing: stage == Stage::Production && state.archive_existing,
                        comment: std::mem::take(&mut state.comment),
                    })));
                }
            }
            ui.checkbox(&mut state.archive_existing, "archive the current Production version")
                .on_hover_text("When promoting to Production, archive the version that is Production now, in the same step");
            if ui.button("Delete…").clicked() {
                state.confirm_delete = true;
            }
        });
    });
    if state.confirm_delete {
        egui::Modal::new(egui::Id::unique("catalog_confirm_delete")).show(ui.ctx(), |ui| {
            ui.heading(format!("Delete {} v{}?", v.model, v.version));
            ui.label("Its model is removed for good; the deletion is kept in the history and the number is never reused.");
            ui.horizontal(|ui| {
                if ui.button("Delete").clicked() {
                    commands.push(Command::Catalog(CatalogCommand::Change(CatalogChange::Delete {
                        model: v.model.clone(),
                        version: v.version,
                        comment: std::mem::take(&mut state.comment),
                    })));
                    state.confirm_delete = false;
                    state.selected_version = None;
                }
                if ui.button("Cancel").clicked() {
                    state.confirm_delete = false;
                }
            });
        });
    }
    egui::CollapsingHeader::new("Lineage")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("catalog_lineage")
                .num_columns(2)
                .show(ui, |ui| {
                    if let Some(d) = &detail.dataset {
                        ui.label("Dataset");
                        ui.label(format!("{} ({} rows)", d.name, d.rows));
                        ui.end_row();
                        ui.label("File");
                        ui.label(&d.path);
                        ui.end_row();
                        ui.label("Fingerprint");
                        ui.label(RichText::new(&d.fingerprint).monospace().small());
                        ui.end_row();
                    }
                    if let Some(run) = detail.run_id {
                        ui.label("Run");
                        ui.label(format!("registered from recorded run #{run}"));
                        ui.end_row();
                    }
                    for (k, val) in [
                        (
                            "Registered",
                            format!("{} by {}", local_time(&v.created_at), v.created_by),
                        ),
                        (
                            "Training time",
                            crate::ml::metric_display::format_seconds(v.train_seconds),
                        ),
                        ("Modeldesk", v.app_version.clone()),
                        (
                            "Model checksum",
                            format!(
                                "blake3 {} ({} bytes)",
                                detail.artifact_checksum, detail.artifact_size
                            ),
                        ),
                    ] {
                        ui.label(k);
                        ui.label(val);
                        ui.end_row();
                    }
                });
        });
    egui::CollapsingHeader::new("Parameters and recipe").show(ui, |ui| {
        ui.label(RichText::new(&page.spec).monospace().small());
        ui.label(RichText::new(&page.recipe).monospace().small());
    });
    egui::CollapsingHeader::new("Metrics")
        .default_open(true)
        .show(ui, |ui| {
            metrics_grid(ui, &page.metrics, &page.validation_line)
        });
    // Beside the validation metrics, which the live figures are read against.
    if let Some(live) = &page.live {
        let n = live.series.windows;
        egui::CollapsingHeader::new(format!(
            "Live ({n} window{})",
            if n == 1 { "" } else { "s" }
        ))
        .default_open(true)
        .show(ui, |ui| live_panel::show(ui, live, commands));
    }
    egui::CollapsingHeader::new("Curves")
        .default_open(true)
        .show(ui, |ui| curves(ui, &page.curves, &mut state.curve_class));
    egui::CollapsingHeader::new("What it learned").show(ui, |ui| {
        match (&page.learned, &page.model) {
            (Ok(learned), Some(model)) => {
                let of = learned_panel::LearnedOf {
                    model,
                    training_file: detail
                        .dataset
                        .as_ref()
                        .map(|d| std::path::Path::new(&d.path)),
                    name: format!("{}-v{}", v.model, v.version),
                };
                learned_panel::show(ui, learned, &of, commands, (&v.model, v.version))
            }
            (Err(why), _) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("The model could not be read: {why}"),
                );
            }
            (Ok(_), None) => {}
        }
    });
    egui::CollapsingHeader::new("Which features matter").show(ui, |ui| {
        which_features_matter(ui, read_only, page, jobs, state, commands)
    });
    egui::CollapsingHeader::new("Confusion matrix and folds")
        .default_open(true)
        .show(ui, |ui| confusion_and_folds(ui, &page.metrics, &page.folds));
    egui::CollapsingHeader::new("History of this version")
        .show(ui, |ui| history(ui, &state.read.history, Some(v.version)));
    egui::CollapsingHeader::new(format!("Scoring runs ({})", page.scoring.len())).show(ui, |ui| {
        if page.scoring.is_empty() {
            ui.weak("Not used to score a file yet.");
        }
        for line in &page.scoring {
            ui.label(format!("{} · {}", local_time(&line.at), line.text));
        }
    });
}
