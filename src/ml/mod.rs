//! Models: the preprocessing recipe, algorithm specs, training, validation and metrics.
//! Pure computation over `data::Table`; no I/O and no window.
pub mod bayes;
pub mod eval;
pub mod linear;
pub mod logistic;
pub mod metrics;
pub mod model;
pub mod prep;
pub mod spec;
pub mod split;
pub mod target;
pub mod tree;
