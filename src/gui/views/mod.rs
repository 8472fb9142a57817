//! What the window draws: each view reads app state and returns commands.

pub mod catalog_view;
pub mod class_densities;
pub mod compare_confusion;
pub mod compare_curves;
pub mod compare_folds;
pub mod compare_inspect;
pub mod compare_plots;
pub mod compare_regression;
pub mod compare_view;
pub mod compare_why_row;
pub mod contribution_summary;
pub mod data_view;
pub mod help_window;
pub mod import_dialog;
pub mod inspect_panel;
pub mod inspect_plots;
pub mod learned_panel;
pub mod live_panel;
pub mod markdown;
pub mod plot_legend;
pub mod profile_charts;
pub mod recorded_runs_panel;
pub mod register_dialog;
pub mod row_explanation;
pub mod score_view;
#[cfg(test)]
mod score_view_tests;
pub mod settings_window;
pub mod train_form;
pub mod train_view;
pub mod tree_viewer;
pub mod waterfall;

/// Room at the right of a vertical scroll area's content for its scroll bar, which floats
/// over the content: without it a plot as wide as the view runs under the bar to the
/// window's edge.
pub(crate) fn room_for_scroll_bar(ui: &eframe::egui::Ui) -> eframe::egui::Margin {
    let scroll = &ui.spacing().scroll;
    eframe::egui::Margin {
        right: (scroll.bar_width + scroll.bar_inner_margin).ceil() as i8,
        ..eframe::egui::Margin::ZERO
    }
}
