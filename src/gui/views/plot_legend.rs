//! A plot's legend drawn beneath the plot in body text, so it never hides the data it names
//! and reads at the size of the text around it.

use eframe::egui::{self, Color32};

/// The names of a plot's series, each after a swatch of its colour, wrapped under the plot.
pub fn legend_below(ui: &mut egui::Ui, entries: &[(String, Color32)]) {
    ui.horizontal_wrapped(|ui| {
        for (name, color) in entries {
            legend_entry(ui, name, *color);
        }
    });
}

/// A swatch and a name as one widget, so a wrapped legend never parts them.
fn legend_entry(ui: &mut egui::Ui, name: &str, color: Color32) -> egui::Response {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let ink = ui.visuals().text_color();
    let text = ui.painter().layout_no_wrap(name.to_string(), font, ink);
    let swatch = (text.size().y * 0.7).round();
    let gap = 4.0;
    let size = egui::vec2(swatch + gap + text.size().x, text.size().y);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    let square = egui::Rect::from_center_size(
        egui::pos2(rect.left() + swatch / 2.0, rect.center().y),
        egui::vec2(swatch, swatch),
    );
    ui.painter().rect_filled(square, 2.0, color);
    ui.painter()
        .galley(egui::pos2(square.right() + gap, rect.top()), text, ink);
    // Painted, so it is named for screen readers (and tests) by hand.
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, name));
    response
}
