//! What the window draws: each view reads app state and returns commands.

pub mod catalog_view;
pub mod compare_confusion;
pub mod compare_curves;
pub mod compare_folds;
pub mod compare_plots;
pub mod compare_regression;
pub mod compare_view;
pub mod data_view;
pub mod help_window;
pub mod import_dialog;
pub mod learned_panel;
pub mod live_panel;
pub mod markdown;
pub mod plot_legend;
pub mod profile_charts;
pub mod register_dialog;
pub mod score_view;
#[cfg(test)]
mod score_view_tests;
pub mod settings_window;
pub mod train_form;
pub mod train_view;
