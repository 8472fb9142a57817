//! Using a trained model on new data: the schema check, predictions, metrics when the file
//! has labels, and drift against the training data.

pub mod drift;
