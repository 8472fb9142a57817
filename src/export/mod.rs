//! Models leaving the desk: a trained model (recipe and model) as one portable file.

pub mod onnx;
