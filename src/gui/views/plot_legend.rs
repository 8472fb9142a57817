//! A plot's legend drawn beneath the plot in body text, so it never hides the data it names
//! and reads at the size of the text around it.

use eframe::egui::{self, Color32};

/// The names of a plot's series, each after a swatch of its colour, wrapped under the plot.
pub fn legend_below(ui: &mut egui::Ui, entries: &[(String, Color32)]) {
    ui.horizontal_wrapped(|ui| {
        for (name, color) in entries {
            // Swatch and name stay on one line together.
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 4.0;
                let side = ui.text_style_height(&egui::TextStyle::Body) * 0.7;
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, *color);
                ui.label(egui::RichText::new(name).text_style(egui::TextStyle::Body));
            });
        }
    });
}
