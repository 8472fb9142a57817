//! The file chooser drawn in the window (egui_file), for desktops without a system dialog
//! or users who prefer it. A save over an existing file asks before replacing it.

use eframe::egui;
use std::path::{Path, PathBuf};

use super::FileRequest;

/// Whether the chooser is still shown, or closed with the chosen paths (`None`: cancelled).
pub enum Shown {
    Open,
    Closed(Option<Vec<PathBuf>>),
}

pub struct InWindowChooser {
    request: FileRequest,
    dialog: egui_file::FileDialog,
    /// A chosen save path that exists, waiting for the user to confirm replacing it.
    replace: Option<PathBuf>,
}

impl InWindowChooser {
    /// A chooser for `request`, showing `folder` (else the home folder) first.
    pub fn new(request: FileRequest, folder: Option<&Path>) -> Self {
        let extensions = request.filter.1;
        let shown = move |path: &Path| {
            let extension = path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            extension.is_some_and(|e| extensions.contains(&e.as_str()))
        };
        let dialog = match &request.save_as {
            Some(name) => egui_file::FileDialog::save_file().default_filename(name.clone()),
            None => egui_file::FileDialog::open_file().multi_select(request.many),
        };
        let start = folder
            .filter(|f| f.is_dir())
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut dialog = dialog
            .id(egui::Id::unique("modeldesk-file-chooser"))
            .title(&request.title)
            .initial_path(start)
            .show_files_filter(Box::new(shown))
            .show_rename(false)
            .keep_on_top(true)
            .default_size([560.0, 360.0])
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]);
        dialog.open();
        InWindowChooser {
            request,
            dialog,
            replace: None,
        }
    }

    pub fn request(&self) -> &FileRequest {
        &self.request
    }

    /// Draw the chooser (or the question whether to replace a file) for one frame.
    pub fn show(&mut self, ctx: &egui::Context) -> Shown {
        if let Some(path) = self.replace.clone() {
            return match confirm_replace(ctx, &path) {
                Some(true) => Shown::Closed(Some(vec![path])),
                Some(false) => {
                    self.replace = None;
                    self.dialog.open();
                    Shown::Open
                }
                None => Shown::Open,
            };
        }
        self.dialog.show(ctx);
        match self.dialog.state() {
            egui_file::State::Open => Shown::Open,
            egui_file::State::Closed | egui_file::State::Cancelled => Shown::Closed(None),
            egui_file::State::Selected => {
                let paths: Vec<PathBuf> = if self.request.many {
                    self.dialog
                        .selection()
                        .into_iter()
                        .map(Path::to_path_buf)
                        .collect()
                } else {
                    self.dialog
                        .path()
                        .map(Path::to_path_buf)
                        .into_iter()
                        .collect()
                };
                let paths: Vec<PathBuf> = paths
                    .into_iter()
                    .map(|p| self.request.with_extension(p))
                    .collect();
                match paths.as_slice() {
                    [one] if self.request.save_as.is_some() && one.exists() => {
                        self.replace = Some(one.clone());
                        Shown::Open
                    }
                    [] => Shown::Closed(None),
                    _ => Shown::Closed(Some(paths)),
                }
            }
        }
    }
}

/// Ask whether to replace `path`: `Some(true)` replace, `Some(false)` choose again.
fn confirm_replace(ctx: &egui::Context, path: &Path) -> Option<bool> {
    let mut answer = None;
    egui::Window::new("Replace file?")
        .id(egui::Id::unique("modeldesk-replace-file"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            ui.label(format!("{} already exists. Replace it?", path.display()));
            ui.horizontal(|ui| {
                if ui.button("Replace").clicked() {
                    answer = Some(true);
                }
                if ui.button("Choose another name").clicked() {
                    answer = Some(false);
                }
            });
        });
    if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        answer = Some(false);
    }
    answer
}
