//! Retraining a stored model from the window: its training file imported as it was read
//! then, its target set, and Train opened with only its algorithm ticked, with its
//! parameters, for the user to press Train.

use std::path::Path;

use super::app::ModeldeskApp;
use super::command::{Retrain, View};

impl ModeldeskApp {
    /// Import the file `retrain` names and prepare Train for its algorithm.
    pub(super) fn retrain(&mut self, retrain: Retrain) {
        let Retrain {
            spec,
            target,
            path,
            options,
        } = retrain;
        if !path.is_file() {
            return self.error(format!(
                "the training file {} is no longer there: open it, choose {target} as the \
                 target and train {} in Train",
                path.display(),
                spec.title()
            ));
        }
        for (ticked, offered) in &mut self.drafts.train.algorithms {
            *ticked = offered.name() == spec.name();
            if *ticked {
                *offered = spec.clone();
            }
        }
        self.pending_targets.insert(path.clone(), target);
        match self
            .jobs
            .start_import(path.clone(), options, self.repaint_handle())
        {
            Ok(()) => self.retraining = Some(path),
            Err(message) => self.error(message),
        }
    }

    /// After the import a retrain started, show Train with the file as the dataset.
    pub(super) fn retrain_imported(&mut self, path: &Path) {
        if self.retraining.as_deref() == Some(path) {
            self.retraining = None;
            self.settings.view = View::Train;
        }
    }
}
