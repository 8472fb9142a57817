//! The left panel: the search, stage and tag filters and the registered models that match,
//! each with its version count, its Production version and a badge when its latest live
//! window drifted.

use eframe::egui::{self, RichText};

use super::CatalogViewState;
use crate::catalog::{LiveAlert, Stage};

/// Draw the filters and the models that match them.
pub(super) fn model_list(ui: &mut egui::Ui, state: &mut CatalogViewState) {
    ui.add(
        egui::TextEdit::singleline(&mut state.search)
            .hint_text("Search names and descriptions")
            .desired_width(f32::INFINITY),
    );
    ui.horizontal(|ui| {
        let label = ui.label("Stage").id;
        egui::ComboBox::from_id_salt("catalog_stage_filter")
            .selected_text(state.stage_filter.map_or("any", Stage::title))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.stage_filter, None, "any");
                for stage in Stage::ALL {
                    ui.selectable_value(&mut state.stage_filter, Some(stage), stage.title());
                }
            })
            .response
            .labelled_by(label);
    });
    ui.add(
        egui::TextEdit::singleline(&mut state.tag_filter)
            .hint_text("Tag: key or key=value")
            .desired_width(f32::INFINITY),
    );
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("catalog_model_list")
        .show(ui, |ui| {
            if state.read.models.is_empty() {
                ui.weak("No model matches.");
            }
            for m in &state.read.models {
                let selected = state.selected_model.as_deref() == Some(m.name.as_str());
                if ui
                    .selectable_label(selected, RichText::new(&m.name).strong())
                    .clicked()
                    && !selected
                {
                    state.selected_model = Some(m.name.clone());
                    state.selected_version = None;
                    state.ticked.clear();
                }
                let mut line = format!(
                    "{} version{}",
                    m.versions,
                    if m.versions == 1 { "" } else { "s" }
                );
                if let Some(p) = m.production_version {
                    line.push_str(&format!(" · Production v{p}"));
                }
                ui.weak(line);
                if let Some(alerts) = state.read.alerts.get(&m.name) {
                    drift_badge(ui, alerts);
                }
                ui.add_space(2.0);
            }
        });
}

/// "live drift: age · live warning: plan" in a badge the colour of the worst, on a model in
/// the list.
fn drift_badge(ui: &mut egui::Ui, alerts: &[LiveAlert]) {
    let named = |status: &str| -> Option<String> {
        let columns: Vec<&str> = alerts
            .iter()
            .filter(|a| a.status == status)
            .map(|a| a.column.as_str())
            .collect();
        (!columns.is_empty()).then(|| format!("live {status}: {}", columns.join(", ")))
    };
    let drifted = named("drift");
    let color = if drifted.is_some() {
        ui.visuals().error_fg_color
    } else {
        ui.visuals().warn_fg_color
    };
    let text: Vec<String> = [drifted, named("warning")].into_iter().flatten().collect();
    let version = alerts.first().map_or(0, |a| a.version);
    // Wrapped within what can be seen of the list, however wide its content became.
    let width = (ui.clip_rect().right() - ui.cursor().left() - 12.0)
        .min(ui.available_width())
        .max(80.0);
    egui::Frame::new()
        .fill(color.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(4, 1))
        .show(ui, |ui| {
            ui.set_max_width(width);
            ui.add(
                egui::Label::new(
                    RichText::new(text.join(" · "))
                        .color(color)
                        .small(),
                )
                .wrap(),
            )
        })
        .inner
        .on_hover_text(format!(
            "In the latest live window of v{version}, these features' PSI crossed the warning (0.1) or drift (0.2) threshold"
        ));
}
