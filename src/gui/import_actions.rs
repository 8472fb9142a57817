//! Importing from the window: the open dialog, the preview, sample datasets, the import
//! jobs, and taking an imported table in as a dataset.

use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;

use super::app::{Dataset, ModeldeskApp};
use super::command::{Command, View};
use super::dataset_actions::set_role;
use super::samples::{sample_path, SAMPLES};
use super::views::import_dialog::ImportDialog;
use crate::data::{ImportOptions, Role};
use crate::jobs::Imported;

impl ModeldeskApp {
    /// Ask for files with the system dialog, then preview one or import several.
    pub(super) fn open_file_dialog(&mut self, ctx: &egui::Context) {
        let asked = std::time::Instant::now();
        let picked = rfd::FileDialog::new()
            .set_title("Open CSV")
            .add_filter("CSV and text", &["csv", "tsv", "txt", "tab", "dat"])
            .add_filter("All files", &["*"])
            .pick_files();
        match picked.as_deref() {
            // No person cancels a dialog this fast: none could be shown.
            None if asked.elapsed() < std::time::Duration::from_millis(150) => self.error(
                "no file dialog is available on this desktop (it needs xdg-desktop-portal or zenity); \
                 drag files onto the window instead",
            ),
            None | Some([]) => {}
            Some([one]) => self.apply(ctx, Command::PreviewFile(one.clone())),
            Some(many) => self.apply(ctx, Command::ImportFiles(many.to_vec())),
        }
    }

    pub(super) fn preview(&mut self, path: PathBuf) {
        self.drafts.import = Some(ImportDialog::open(path, self.settings.import_defaults()));
    }

    pub(super) fn import_files(&mut self, paths: Vec<PathBuf>) {
        for path in paths {
            let options = self.settings.import_defaults();
            self.start_import(path, options);
        }
    }

    pub(super) fn start_import(&mut self, path: PathBuf, options: ImportOptions) {
        self.drafts.import = None;
        self.settings.remember(&path);
        if let Err(message) = self.jobs.start_import(path, options, self.repaint_handle()) {
            self.error(message);
        }
    }

    /// Import a bundled sample (by file name), with its target chosen once it is in.
    pub(super) fn open_sample(&mut self, file: &str) {
        let Some(sample) = SAMPLES.iter().find(|s| s.file == file) else {
            return;
        };
        match sample_path(sample) {
            Ok(path) => {
                self.pending_targets
                    .insert(path.clone(), sample.target.to_string());
                let options = self.settings.import_defaults();
                if let Err(message) = self.jobs.start_import(path, options, self.repaint_handle()) {
                    self.error(message);
                }
            }
            Err(e) => self.error(format!("could not prepare the sample {file}: {e}")),
        }
    }

    /// Take an imported table in as a dataset (a file imported again replaces its copy).
    pub(super) fn finish_import(&mut self, imported: Imported) {
        let path = imported.table.source.clone();
        let mut dataset = Dataset {
            table: Arc::new(imported.table),
            profile: imported.profile,
            options: imported.options,
            import_seconds: imported.seconds,
            selected_column: 0,
            first_column: 0,
        };
        if let Some(target) = self.pending_targets.remove(&path) {
            if let Some(index) = dataset.table.columns.iter().position(|c| c.name == target) {
                set_role(&mut dataset, index, Role::Target);
                dataset.selected_column = index;
            }
        }
        if let Some(i) = self.datasets.iter().position(|d| d.table.source == path) {
            self.datasets[i] = dataset;
            self.selected = Some(i);
        } else {
            self.datasets.push(dataset);
            self.selected = Some(self.datasets.len() - 1);
        }
        self.settings.view = View::Data;
        self.focus_imported();
        self.remember_open_datasets();
    }
}
