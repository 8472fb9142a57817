//! Everything a view can ask the app to do.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use super::settings::Preferences;
use crate::data::{ImportOptions, Role};
use crate::jobs::{CatalogChange, ExplainWhat};
use crate::ml::spec::ModelSpec;

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
}

/// A request from a view (or the menu, or a drop) to change the app's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Ask for CSV files to open, then preview one or import several.
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
    /// Read the import preview again with the options now chosen in it.
    RefreshPreview,
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
    /// Tick or untick a run recorded in the catalog (read back first) for Compare.
    TickRecordedRun {
        id: i64,
        ticked: bool,
    },
    /// Delete a recorded run from the catalog (confirmed in the view).
    DeleteRecordedRun(i64),
    /// Something to do to the model catalog.
    Catalog(CatalogCommand),
    /// Show the dialog that registers this run in the catalog.
    OpenRegister(u64),
    CloseRegister,
    /// Choose the model the Score view scores with.
    ScoreWith(ScoreSource),
    /// Choose a registered version by reference (`churn@3`, `churn@production`).
    ScoreReference(String),
    /// Ask for a CSV file to score with the chosen model.
    OpenScoreDialog,
    /// Score this file with the chosen model.
    ScoreFile(PathBuf),
    /// Export a model as one ONNX file (asks where).
    AskExportOnnx(ScoreSource),
    /// Export a model as one ONNX file to this path, as a job.
    ExportOnnx(ScoreSource, PathBuf),
    /// Compute which features matter for a model (a job), on `file` if given, else on the
    /// rows the model names (a run's validation rows, a version's training file).
    Explain {
        of: ExplainOf,
        what: ExplainWhat,
        file: Option<PathBuf>,
    },
    /// Ask for a labelled file to compute a version's explanations on.
    PickExplainRows,
    /// Compute a version's explanations on this file (`None`: on its training file).
    ExplainRowsFile(Option<PathBuf>),
    /// Save the last predictions as CSV (asks where).
    ExportPredictions,
    /// Write the last predictions as CSV to this path, as a job.
    SavePredictions(PathBuf),
    /// Train a model's algorithm again on the file it was trained on (opens Train with it).
    Retrain(Box<Retrain>),
    /// Save a tree's rules as a text file (asks where, offering `name`).
    AskExportRules {
        name: String,
        rules: String,
    },
    /// Write a tree's rules as text to this path, as a job.
    SaveRules {
        rules: String,
        path: PathBuf,
    },
    /// Select a row of the scored file's results (to explain its prediction); `None` clears.
    ExplainScoredRow {
        row: Option<usize>,
    },
    /// Explain a row (or every row) for a class, or choose the class.
    ExplainRows(super::explanations::ExplainRowsCommand),
    /// Start the next file dialog in this folder (the one a file was just chosen in).
    RememberFolder(PathBuf),
    CancelJobs,
    DismissMessage(usize),
    ClearRecentFiles,
    ShowView(View),
    ShowSettings(bool),
    /// Show or hide the help of shortcuts and views (F1, or "?").
    ShowHelp(bool),
    /// Take the preferences edited in the settings window.
    SetPreferences(Preferences),
    /// Ask the MLflow server of the settings for its version, as a job.
    TestMlflowConnection,
    /// Push a version to the MLflow server of the settings, as a job.
    PushToMlflow {
        model: String,
        version: i64,
    },
    Quit,
}

/// What retraining needs: the algorithm with its parameters, the target, and the training
/// file with the options it was read with.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrain {
    pub spec: ModelSpec,
    pub target: String,
    pub path: PathBuf,
    pub options: ImportOptions,
}

/// A model to score (or export): a run of this session or a registered version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreSource {
    Run(u64),
    Version { model: String, version: i64 },
}

/// The model an explanation is of: a run of this session or a registered version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainOf {
    Run(u64),
    Version { model: String, version: i64 },
}

/// A change to the catalog, or to which catalog is open.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogCommand {
    /// Ask for a file: where to create a new catalog, or an existing one to open.
    PickFile { new: bool },
    /// Open (or create) the catalog at this path.
    Open(PathBuf),
    /// Read the catalog again: another process (a scoring server, the command line) may
    /// have written to it.
    Reload,
    /// Register a run as the next version of `model` (created if new).
    Register {
        run: u64,
        model: String,
        description: String,
    },
    /// Change the catalog's contents: a stage, a roll back, a deletion, notes.
    Change(CatalogChange),
    /// Open Compare with these versions beside the session's runs.
    Compare(Vec<(String, i64)>),
    /// Save an HTML report of these versions, showing what the policy allows (asks where).
    ExportReport(Vec<(String, i64)>, crate::report::SharePolicy),
    /// Write the HTML report of these versions to this path, as a job.
    WriteReport {
        versions: Vec<(String, i64)>,
        path: PathBuf,
        policy: crate::report::SharePolicy,
    },
}
