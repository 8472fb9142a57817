//! Markdown text (a model's or a version's description, the help) drawn as formatted text,
//! as the HTML report renders it: headings, lists, emphasis, code and links.

use eframe::egui;
use egui_commonmark::{CommonMarkCache, CommonMarkViewer};
use std::sync::{Arc, Mutex};

/// Draw the Markdown `text`; `id` names it (its layout cache lives in egui's memory).
pub fn markdown(ui: &mut egui::Ui, id: impl std::hash::Hash + std::fmt::Debug, text: &str) {
    let id = egui::Id::unique(("markdown", id));
    let cache = ui.data_mut(|d| {
        d.get_temp_mut_or_insert_with(egui::Id::unique("markdown_cache"), || {
            Arc::new(Mutex::new(CommonMarkCache::default()))
        })
        .clone()
    });
    let Ok(mut cache) = cache.lock() else {
        ui.label(text);
        return;
    };
    ui.vertical(|ui| {
        CommonMarkViewer::new().show_with_id(id, ui, &mut cache, text);
    });
}
