//! Everything a view can ask the app to do.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use crate::data::{ImportOptions, Role};

/// The views of the navigation rail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum View {
    #[default]
    Data,
    Train,
    Compare,
    Catalog,
    Score,
}

impl View {
    /// Rail order.
    pub const ALL: [View; 5] = [
        View::Data,
        View::Train,
        View::Compare,
        View::Catalog,
        View::Score,
    ];

    /// The label on the rail.
    pub fn label(self) -> &'static str {
        match self {
            View::Data => "Data",
            View::Train => "Train",
            View::Compare => "Compare",
            View::Catalog => "Catalog",
            View::Score => "Score",
        }
    }

    /// Why a view cannot be opened yet, if it cannot.
    pub fn unavailable_reason(self) -> Option<&'static str> {
        match self {
            View::Data | View::Train | View::Compare => None,
            View::Catalog => Some("The model catalog is not part of this build yet."),
            View::Score => {
                Some("Scoring needs registered models, which are not part of this build yet.")
            }
        }
    }
}

/// A request from a view (or the menu, or a drop) to change the app's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Ask for files with the system dialog, then preview them.
    OpenFileDialog,
    /// Show the import preview for one file.
    PreviewFile(PathBuf),
    /// Import files straight away with the default options (several dropped at once).
    ImportFiles(Vec<PathBuf>),
    /// Import one file with the options chosen in the preview.
    StartImport {
        path: PathBuf,
        options: ImportOptions,
    },
    /// Import a bundled sample dataset (by file name).
    OpenSample(&'static str),
    CloseImportDialog,
    SelectDataset(usize),
    CloseDataset(usize),
    SelectColumn(usize),
    /// Show columns from this position on (wide tables are shown a page at a time).
    ShowColumnsFrom(usize),
    /// Change the role of a column of the selected dataset.
    SetRole {
        column: usize,
        role: Role,
    },
    /// Train and validate with the choices made in the Train view.
    Train,
    /// Tick or untick a run for the Compare view.
    TickRun {
        id: u64,
        ticked: bool,
    },
    CancelJobs,
    DismissMessage(usize),
    ClearRecentFiles,
    ShowView(View),
    ShowSettings(bool),
    Quit,
}
