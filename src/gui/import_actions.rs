//! Importing from the window: asking for files, the preview, sample datasets, the import
//! jobs, and taking an imported table in as a dataset.

use std::path::PathBuf;
use std::sync::Arc;

use super::app::{Dataset, ModeldeskApp};
use super::command::View;
use super::dataset_actions::set_role;
use super::file_dialog::{FileFor, FileRequest, CSV_FILES};
use super::samples::{sample_path, SAMPLES};
use super::views::import_dialog::ImportDialog;
use crate::data::{ImportOptions, Role};
use crate::jobs::Imported;

impl ModeldeskApp {
    /// Ask for CSV files; one is previewed, several are imported.
    pub(super) fn open_file_dialog(&mut self) {
        self.ask_file(FileRequest::open(FileFor::OpenCsv, "Open CSV", CSV_FILES));
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
        let id = self.next_dataset_id;
        self.next_dataset_id = id.wrapping_add(1);
        let mut dataset = Dataset {
            id,
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
