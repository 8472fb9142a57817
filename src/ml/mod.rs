//! Models: the preprocessing recipe, algorithm specs, training, validation and metrics.
//! Pure computation over `data::Table`; no I/O and no window.
pub mod logistic;
pub mod spec;
pub mod split;
