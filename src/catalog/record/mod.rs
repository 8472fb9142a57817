//! The records a version is stored as, and the one place that knows what is in them.
//!
//! The catalog's tables keep each version's spec, fitted recipe, metrics and curves as JSON
//! text and its trained model as a checksummed blob, and do not interpret them: the rest of
//! `catalog` stores, lists and returns these records as they are, and reads only the two
//! fields it indexes, the spec's `$.algorithm` and the metrics' `$.mean` object (through
//! [`metric_values`]). This module owns what the records mean. It is the only part of
//! `catalog` that imports `data`, `ml` and `score`:
//! - results to records: [`lineage`], [`new_version`], [`finished_run`] (a version's records,
//!   kept for a run), [`unfinished_run`], [`scoring_run`], [`permutation_record`] and
//!   [`partial_dependence_record`] store the serde form
//!   of `data::Profile`, `ml::ModelSpec`, `ml::FittedRecipe`, `ml::eval::Evaluation`,
//!   `ml::eval::TrainedModel` and `score::Scored`, so a field those types gain is stored
//!   without a change here;
//! - records to typed values: [`StoredMetrics`], [`StoredCurves`] and [`load_model`] (and
//!   [`stored_evaluation`] on top of `StoredMetrics`). Everything that shows a version's
//!   stored metrics or curves (the window, the report) reads them through these, never the
//!   JSON itself. (A scoring run's drift and metrics have no typed reader yet: the report and
//!   the Catalog view read those where they show them.)
//!
//! Records carry no format number of their own: they grow by adding fields, and the readers
//! here read leniently, so a version stored by an older build reads back with what it has.

mod curves;
mod explanation_rows;
mod explanations;
mod metrics;
mod model_blob;
mod registration;
mod run;

pub use curves::{curves, ClassCurves, StoredCurves, CURVE_POINTS};
pub use explanation_rows::{explanation_rows, RowsError};
pub use explanations::{
    partial_dependence_record, permutation_record, ComputedOn, StoredExplanations,
};
pub use metrics::{metric_values, stored_evaluation, StoredMetrics};
pub use model_blob::{artifact_checksum, load_model, packed_model};
pub use registration::{lineage, new_version, scoring_run};
pub use run::{finished_run, load_run_model, run_evaluation, unfinished_run};
