//! Sharing the catalog with a team through an MLflow tracking server: a blocking client for
//! MLflow's REST API, and pushing versions (run, artifacts, registered model version, aliases)
//! with the sync state kept in the catalog.

pub mod client;
pub mod error;

pub use client::{Auth, MlflowClient, Settings, TRACKING_URI_ENV};
pub use error::MlflowError;
