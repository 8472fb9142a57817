//! A version's state in the team's MLflow server: the versions table's mark ("MLflow v3", or
//! "stage not synced" when the stage changed since the last sync), and on the version's page
//! the badge "in MLflow as NAME v3" with a link to that model version in MLflow's UI, and
//! "Push to MLflow".

use eframe::egui;

use crate::catalog::{MlflowSync, Stage};
use crate::gui::command::Command;
use crate::gui::mlflow_actions::WHERE_TO_SET_URI;

/// The MLflow UI's page of a model version.
pub fn model_version_url(uri: &str, sync: &MlflowSync) -> String {
    format!(
        "{uri}/#/models/{}/versions/{}",
        sync.mlflow_model, sync.mlflow_version
    )
}

/// The versions table's mark of a version pushed to MLflow, against its stage now.
pub(super) fn sync_mark(ui: &mut egui::Ui, stage: Stage, sync: Option<&MlflowSync>) {
    match sync {
        None => {
            ui.weak("—").on_hover_text("Not pushed to MLflow");
        }
        Some(sync) if sync.stage != stage => {
            ui.colored_label(ui.visuals().warn_fg_color, "stage not synced")
                .on_hover_text(format!(
                    "{} in MLflow as of the last sync, {} here: Push to MLflow sends it",
                    sync.stage.title(),
                    stage.title()
                ));
        }
        Some(sync) => {
            ui.label(format!("MLflow v{}", sync.mlflow_version))
                .on_hover_text(format!(
                    "In MLflow as {} version {}",
                    sync.mlflow_model, sync.mlflow_version
                ));
        }
    }
}

/// On a version's page: the badge and link when it is in MLflow.
pub(super) fn mlflow_badge(ui: &mut egui::Ui, uri: Option<&str>, sync: Option<&MlflowSync>) {
    let (Some(uri), Some(sync)) = (uri, sync) else {
        return;
    };
    let color = ui.visuals().hyperlink_color;
    // One widget kept whole: a narrow window moves it to the next line instead of folding it.
    let badge = egui::Button::new(format!(
        "in MLflow as {} v{}",
        sync.mlflow_model, sync.mlflow_version
    ))
    .fill(egui::Color32::TRANSPARENT)
    .stroke(egui::Stroke::new(1.0, color))
    .corner_radius(8.0)
    .sense(egui::Sense::hover())
    .wrap_mode(egui::TextWrapMode::Extend);
    ui.add(badge);
    ui.hyperlink_to("open in MLflow", model_version_url(uri, sync))
        .on_hover_text(model_version_url(uri, sync));
}

/// "Push to MLflow": enabled when a tracking URI is set (else it says where to set one).
pub(super) fn push_button(
    ui: &mut egui::Ui,
    enabled: bool,
    uri: Option<&str>,
    (model, version): (&str, i64),
    commands: &mut Vec<Command>,
) {
    let button = ui.add_enabled(
        enabled && uri.is_some(),
        egui::Button::new("Push to MLflow"),
    );
    let button = match uri {
        Some(uri) => button.on_hover_text(format!(
            "Send this version (run, files, model version and stage) to {uri}"
        )),
        None => button.on_disabled_hover_text(WHERE_TO_SET_URI),
    };
    if button.clicked() {
        commands.push(Command::PushToMlflow {
            model: model.to_string(),
            version,
        });
    }
}
