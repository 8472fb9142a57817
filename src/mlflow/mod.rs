//! Sharing the catalog with a team through an MLflow tracking server: a blocking client for
//! MLflow's REST API, and pushing versions (run, artifacts, registered model version, aliases)
//! with the sync state kept in the catalog.

mod api;
pub mod client;
pub mod error;
pub mod model_folder;
mod monitoring;
mod pull;
mod push;
mod push_runs;
pub mod run_record;
mod shared;

pub use api::RunInfo;
pub use client::{Auth, MlflowClient, Settings, TRACKING_URI_ENV};
pub use error::MlflowError;
pub use monitoring::{push_live_windows, MONITORING_TAG};
pub use pull::{describe as describe_pulled, pull, Prefer, Pulled, MLFLOW_ACTOR};
pub use push::{push, Outcome, PushWhat, PushedVersion};
pub use push_runs::{push_runs, runs_experiment, PushedRun, RUN_TAG};
pub use shared::{shared_version, SharedVersion};
