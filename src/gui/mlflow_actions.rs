//! The window's MLflow work: testing the connection to the tracking server of the settings,
//! pushing a version to it, and following the window's stage changes there. Each runs as a
//! job (the stage follows in the catalog job right after the change); what comes back is
//! taken in here.

use super::app::ModeldeskApp;
use crate::jobs::{CatalogChange, CatalogWork, MlflowOutcome};

/// What "Test connection" last found, as the settings window shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ConnectionTest {
    #[default]
    NotTried,
    Testing,
    /// The server at this URI answered with its version, or why not.
    Answered {
        uri: String,
        answer: Result<String, String>,
    },
}

/// Where the hover text of a disabled MLflow button says the tracking URI is set.
pub const WHERE_TO_SET_URI: &str = "Set the MLflow tracking URI in File > Settings… first";

impl ModeldeskApp {
    /// Ask the server of the settings for its version, as a job.
    pub(super) fn test_mlflow_connection(&mut self) {
        let Some(uri) = self.settings.tracking_uri.clone() else {
            return self.error(WHERE_TO_SET_URI);
        };
        let repaint = self.repaint_handle();
        match self.jobs.start_mlflow_test(uri, repaint) {
            Ok(()) => self.connection_test = ConnectionTest::Testing,
            Err(message) => self.error(message),
        }
    }

    /// Push a version to the server of the settings, as a job.
    pub(super) fn push_to_mlflow(&mut self, model: String, version: i64) {
        let Some(uri) = self.settings.tracking_uri.clone() else {
            return self.error(WHERE_TO_SET_URI);
        };
        let started = self.open_catalog_path().and_then(|path| {
            let repaint = self.repaint_handle();
            self.jobs
                .start_mlflow_push(path, uri, model, version, repaint)
        });
        if let Err(message) = started {
            self.error(message);
        }
    }

    /// Queue a stage change, and after it (when a tracking URI is set) the stages of the
    /// model's pushed versions for MLflow.
    pub(super) fn change_catalog(&mut self, change: CatalogChange) {
        let model = match &change {
            CatalogChange::SetStage { model, .. } | CatalogChange::RollBack { model, .. } => {
                Some(model.clone())
            }
            _ => None,
        };
        self.queue_catalog(CatalogWork::Change(change));
        if let (Some(model), Some(uri)) = (model, self.settings.tracking_uri.clone()) {
            self.queue_catalog(CatalogWork::FollowStages { model, uri });
        }
    }

    /// Take what an MLflow job came to.
    pub(super) fn finish_mlflow(&mut self, outcome: MlflowOutcome) {
        match outcome {
            MlflowOutcome::Tested { uri, answer } => {
                self.connection_test = ConnectionTest::Answered { uri, answer }
            }
            MlflowOutcome::Pushed {
                model,
                version,
                mlflow_model,
                mlflow_version,
            } => {
                // The sync row is new: the Catalog view reads it again.
                self.catalog.generation += 1;
                self.note(format!(
                    "{model} v{version} is in MLflow as {mlflow_model} v{mlflow_version}"
                ));
            }
        }
    }

    /// What "Test connection" last found.
    pub fn connection_test(&self) -> &ConnectionTest {
        &self.connection_test
    }
}
