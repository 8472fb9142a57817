//! Every file dialog of the window goes through here: the system's dialog where the desktop
//! offers one, otherwise (or when the user prefers it) a file chooser drawn in the window.
//!
//! A view never waits on a dialog. The system dialog runs on its own thread and its answer
//! arrives like a job's; the in-window chooser is drawn each frame until the user picks or
//! cancels. Either way the answer becomes the [`Command`] its request named, so a test (or
//! a user without a portal) drives the same flow as a user of the system dialog.

mod in_window;
mod native;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::command::{CatalogCommand, Command, ScoreSource};

pub use native::system_dialog_available;

/// Which chooser asks for files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FileChooser {
    /// The desktop's dialog when it offers one (an XDG portal or zenity), else in-window.
    #[default]
    System,
    /// Always the chooser drawn in the window.
    InWindow,
}

/// What the chosen file is for; it decides what the answer does.
#[derive(Debug, Clone, PartialEq)]
pub enum FileFor {
    /// CSV files to import (one is previewed, several are imported).
    OpenCsv,
    /// A file to score with the model chosen in the Score view.
    Score,
    /// Where to write the last predictions.
    SavePredictions,
    /// Where to write the HTML report of these versions.
    SaveReport(Vec<(String, i64)>, crate::report::SharePolicy),
    /// Where to write a tree's rules as text.
    SaveRules(String),
    /// Where to write a model as ONNX.
    SaveOnnx(ScoreSource),
    /// Where to create a catalog.
    NewCatalog,
    /// A catalog to open.
    OpenCatalog,
    /// A labelled file to compute a version's explanations on.
    ExplainRows,
}

/// One question for a file: what for, the dialog's title, the kinds of file shown, and for a
/// save the name offered.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRequest {
    pub purpose: FileFor,
    pub title: String,
    /// A label and the extensions (no dot) it covers; the first is the default.
    pub filter: (&'static str, &'static [&'static str]),
    /// `Some(name)` asks where to save, offering `name`.
    pub save_as: Option<String>,
    /// Whether several files can be picked at once.
    pub many: bool,
}

pub const CSV_FILES: (&str, &[&str]) = ("CSV and text", &["csv", "tsv", "txt", "tab", "dat"]);
pub const CATALOG_FILES: (&str, &[&str]) = ("Modeldesk catalog", &["sqlite", "db"]);

impl FileRequest {
    /// Ask for files to open.
    pub fn open(
        purpose: FileFor,
        title: &str,
        filter: (&'static str, &'static [&'static str]),
    ) -> Self {
        FileRequest {
            many: purpose == FileFor::OpenCsv,
            purpose,
            title: title.to_string(),
            filter,
            save_as: None,
        }
    }

    /// Ask where to save, offering `name`.
    pub fn save(
        purpose: FileFor,
        title: &str,
        filter: (&'static str, &'static [&'static str]),
        name: String,
    ) -> Self {
        FileRequest {
            purpose,
            title: title.to_string(),
            filter,
            save_as: Some(name),
            many: false,
        }
    }

    /// Whether a file with this name is shown by the request's filter.
    pub fn shows(&self, path: &Path) -> bool {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        extension.is_some_and(|e| self.filter.1.contains(&e.as_str()))
    }

    /// A saved file's path, with the filter's first extension added when the name has none.
    pub fn with_extension(&self, path: PathBuf) -> PathBuf {
        if self.save_as.is_none() || path.extension().is_some() {
            return path;
        }
        match self.filter.1.first() {
            Some(extension) => path.with_extension(extension),
            None => path,
        }
    }

    /// The command the chosen paths answer; `None` when nothing was chosen.
    pub fn answer(&self, mut paths: Vec<PathBuf>) -> Option<Command> {
        paths = paths.into_iter().map(|p| self.with_extension(p)).collect();
        let first = paths.first()?.clone();
        Some(match &self.purpose {
            FileFor::OpenCsv if paths.len() == 1 => Command::PreviewFile(first),
            FileFor::OpenCsv => Command::ImportFiles(paths),
            FileFor::Score => Command::ScoreFile(first),
            FileFor::SavePredictions => Command::SavePredictions(first),
            FileFor::SaveReport(versions, policy) => {
                Command::Catalog(CatalogCommand::WriteReport {
                    versions: versions.clone(),
                    path: first,
                    policy: *policy,
                })
            }
            FileFor::SaveOnnx(source) => Command::ExportOnnx(source.clone(), first),
            FileFor::SaveRules(rules) => Command::SaveRules {
                rules: rules.clone(),
                path: first,
            },
            FileFor::NewCatalog | FileFor::OpenCatalog => {
                Command::Catalog(CatalogCommand::Open(first))
            }
            FileFor::ExplainRows => Command::ExplainRowsFile(Some(first)),
        })
    }
}

/// The dialog open now, if any.
enum Open {
    /// The system's dialog, answering on its thread.
    System(
        FileRequest,
        crossbeam_channel::Receiver<Option<Vec<PathBuf>>>,
    ),
    /// The chooser drawn in the window.
    InWindow(Box<in_window::InWindowChooser>),
}

/// The window's file dialogs: at most one open at a time.
#[derive(Default)]
pub struct FileDialogs {
    open: Option<Open>,
    /// Whether the desktop offers a system dialog (probed once, on first use).
    system: Option<bool>,
}

impl FileDialogs {
    /// Whether a dialog is open now.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// The in-window chooser's request, while it is shown.
    pub fn in_window_request(&self) -> Option<&FileRequest> {
        match &self.open {
            Some(Open::InWindow(chooser)) => Some(chooser.request()),
            _ => None,
        }
    }

    /// Open a dialog for `request`, starting in `folder`. Fails when one is already open.
    pub fn ask(
        &mut self,
        request: FileRequest,
        chooser: FileChooser,
        folder: Option<&Path>,
        repaint: crate::jobs::Repaint,
    ) -> Result<(), String> {
        if self.is_open() {
            return Err("a file dialog is already open; finish or cancel it first".into());
        }
        let system = *self.system.get_or_insert_with(system_dialog_available);
        self.open = Some(if chooser == FileChooser::System && system {
            let answers = native::ask(&request, folder, repaint);
            Open::System(request, answers)
        } else {
            Open::InWindow(Box::new(in_window::InWindowChooser::new(request, folder)))
        });
        Ok(())
    }

    /// Draw the in-window chooser, or look for the system dialog's answer. Returns the
    /// command the answer asks for, once the dialog has closed with a choice; and the
    /// folder it was made in.
    pub fn show(&mut self, ctx: &eframe::egui::Context) -> Option<(Command, Option<PathBuf>)> {
        let (request, paths) = match self.open.as_mut()? {
            Open::System(request, answers) => match answers.try_recv() {
                Ok(paths) => (request.clone(), paths),
                Err(crossbeam_channel::TryRecvError::Empty) => return None,
                Err(crossbeam_channel::TryRecvError::Disconnected) => (request.clone(), None),
            },
            Open::InWindow(chooser) => match chooser.show(ctx) {
                in_window::Shown::Open => return None,
                in_window::Shown::Closed(paths) => (chooser.request().clone(), paths),
            },
        };
        self.open = None;
        let paths = paths?;
        let folder = paths
            .first()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf);
        request.answer(paths).map(|command| (command, folder))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_becomes_the_command_its_request_names() {
        let open = FileRequest::open(FileFor::OpenCsv, "Open CSV", CSV_FILES);
        assert_eq!(open.answer(vec![]), None);
        assert_eq!(
            open.answer(vec!["a.csv".into()]),
            Some(Command::PreviewFile("a.csv".into()))
        );
        assert_eq!(
            open.answer(vec!["a.csv".into(), "b.csv".into()]),
            Some(Command::ImportFiles(vec!["a.csv".into(), "b.csv".into()]))
        );
        let report = FileRequest::save(
            FileFor::SaveReport(vec![("churn".into(), 2)], Default::default()),
            "Export report",
            ("HTML", &["html"]),
            "churn-v2-report.html".into(),
        );
        assert_eq!(
            report.answer(vec!["/tmp/out".into()]),
            Some(Command::Catalog(CatalogCommand::WriteReport {
                versions: vec![("churn".into(), 2)],
                path: "/tmp/out.html".into(),
                policy: Default::default(),
            }))
        );
        let catalog = FileRequest::open(FileFor::OpenCatalog, "Open catalog", CATALOG_FILES);
        assert!(!catalog.many);
        assert_eq!(
            catalog.answer(vec!["/tmp/c.sqlite".into()]),
            Some(Command::Catalog(CatalogCommand::Open(
                "/tmp/c.sqlite".into()
            )))
        );
    }

    #[test]
    fn a_saved_name_keeps_its_own_extension_and_gets_one_when_it_has_none() {
        let save = FileRequest::save(
            FileFor::SavePredictions,
            "Export",
            ("CSV", &["csv"]),
            "p.csv".into(),
        );
        assert_eq!(
            save.with_extension("/x/p".into()),
            PathBuf::from("/x/p.csv")
        );
        assert_eq!(
            save.with_extension("/x/p.txt".into()),
            PathBuf::from("/x/p.txt")
        );
        let open = FileRequest::open(FileFor::Score, "Score", CSV_FILES);
        assert_eq!(open.with_extension("/x/p".into()), PathBuf::from("/x/p"));
        assert!(open.shows(Path::new("/x/a.CSV")));
        assert!(!open.shows(Path::new("/x/a.html")));
    }
}
