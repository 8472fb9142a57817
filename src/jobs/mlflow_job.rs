//! The window's MLflow work on worker threads: asking a server for its version ("Test
//! connection") and pushing one version, with progress and the status bar's Cancel heard
//! between steps. Credentials come from the environment, as MLflow's clients read them.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use super::{JobOutcome, Jobs, Repaint};
use crate::catalog::Catalog;
use crate::mlflow::{self, MlflowClient, MlflowError, PushWhat};

/// What an MLflow job came to.
#[derive(Debug)]
pub enum MlflowOutcome {
    /// The server at `uri` answered with its version, or why not (one line).
    Tested {
        uri: String,
        answer: Result<String, String>,
    },
    /// `model` version `version` is in MLflow as `mlflow_model` version `mlflow_version`.
    Pushed {
        model: String,
        version: i64,
        mlflow_model: String,
        mlflow_version: String,
    },
}

fn client(uri: &str) -> Result<MlflowClient, MlflowError> {
    MlflowClient::new(mlflow::Settings::from_env(Some(uri))?)
}

impl Jobs {
    /// Ask the MLflow server at `uri` for its version.
    pub fn start_mlflow_test(&mut self, uri: String, repaint: Repaint) -> Result<(), String> {
        let title = "Testing the MLflow connection".to_string();
        self.spawn("mlflow-test".into(), title, repaint, move |progress| {
            progress.set_stage(&format!("asking {uri} for its version"));
            let answer = client(&uri)
                .and_then(|client| client.server_version())
                .map_err(|e| e.to_string());
            JobOutcome::Mlflow(MlflowOutcome::Tested { uri, answer })
        })
    }

    /// Push `model` version `version` from the catalog at `catalog` to the server at `uri`
    /// (in full if it was not pushed yet, else its stage).
    pub fn start_mlflow_push(
        &mut self,
        catalog: PathBuf,
        uri: String,
        model: String,
        version: i64,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("mlflow-push:{model}@{version}");
        let title = format!("Pushing {model} v{version} to MLflow");
        self.spawn(key, title, repaint.clone(), move |progress| {
            let job = format!("push of {model} v{version} to MLflow");
            progress.total.store(1000, Ordering::Relaxed);
            let pushed =
                Catalog::open(&catalog)
                    .map_err(MlflowError::from)
                    .and_then(|mut catalog| {
                        let client = client(&uri)?;
                        mlflow::push(
                            &mut catalog,
                            &client,
                            &model,
                            PushWhat::Version(version),
                            &mut |line, fraction| {
                                progress.set_stage(line);
                                progress
                                    .done
                                    .store((fraction * 1000.0) as u64, Ordering::Relaxed);
                                repaint();
                            },
                            &progress.cancel,
                        )
                    });
            match pushed {
                Ok(pushed) => match pushed.into_iter().find(|p| p.version == version) {
                    Some(p) => JobOutcome::Mlflow(MlflowOutcome::Pushed {
                        model,
                        version,
                        mlflow_model: p.mlflow_model,
                        mlflow_version: p.mlflow_version,
                    }),
                    None => JobOutcome::Failed {
                        job,
                        message: "the push made no model version".into(),
                    },
                },
                Err(MlflowError::Cancelled) => JobOutcome::Cancelled { job },
                Err(error) => JobOutcome::Failed {
                    job,
                    message: error.to_string(),
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_server_that_is_not_there_is_one_line_with_its_url() {
        // A port nothing listens on: bound, then released.
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let uri = format!("http://127.0.0.1:{port}");
        let mut jobs = Jobs::default();
        jobs.start_mlflow_test(uri.clone(), Arc::new(|| {}))
            .unwrap();
        let outcomes = super::super::tests::wait(&mut jobs);
        let [JobOutcome::Mlflow(MlflowOutcome::Tested { answer: Err(e), .. })] = &outcomes[..]
        else {
            panic!("{outcomes:?}");
        };
        assert!(e.contains(&uri) && !e.contains('\n'), "{e}");
    }
}
