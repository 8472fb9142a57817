//! A version's stage as a coloured badge, in the versions table and on the version's page.

use eframe::egui::{self, Color32, RichText};

use crate::catalog::Stage;

/// The colour of a stage's badge.
pub fn stage_color(stage: Stage) -> Color32 {
    match stage {
        Stage::Production => Color32::from_rgb(0x00, 0x9E, 0x73),
        Stage::Staging => Color32::from_rgb(0xE6, 0x9F, 0x00),
        Stage::Archived => Color32::from_gray(120),
        Stage::None => Color32::from_rgb(0x56, 0xB4, 0xE9),
    }
}

/// A stage as a coloured badge.
pub fn stage_badge(ui: &mut egui::Ui, stage: Stage) -> egui::Response {
    let color = stage_color(stage);
    egui::Frame::new()
        .fill(color.gamma_multiply(0.25))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            // Body text: a badge is read, not glanced at.
            ui.label(RichText::new(stage.title()).color(color))
        })
        .inner
}
