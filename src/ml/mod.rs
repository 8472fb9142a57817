//! Models: the preprocessing recipe, algorithm specs, training, validation and metrics, and
//! the summary of the training data that drift checks compare new data against.
//! Pure computation over `data::Table`; no I/O and no window.
pub mod algorithm;
pub mod algorithms;
pub mod bayes;
pub mod boost;
pub mod class_weight;
pub mod contributions;
pub mod drift_reference;
pub mod eval;
pub mod fold_permutation;
pub mod learned;
pub mod linear;
pub mod logistic;
pub mod metric_display;
pub mod metric_registry;
pub mod metrics;
pub mod model;
pub mod partial_dependence;
pub mod permutation;
pub mod prep;
pub mod registry;
pub mod spec;
pub mod split;
pub mod target;
pub mod trained;
pub mod tree;
mod tree_histogram;
mod tree_memory;
pub mod tree_rules;
pub mod tree_stats;
