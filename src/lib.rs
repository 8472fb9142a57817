//! Modeldesk: import data, train and compare models, keep them in a catalog — as a
//! desktop application (`gui`) and a command line (`cli`) over one shared core.

pub mod catalog;
pub mod cli;
pub mod data;
pub mod export;
pub mod gui;
pub mod jobs;
pub mod ml;
pub mod mlflow;
pub mod report;
pub mod score;
pub mod serve;
#[cfg(test)]
mod test_random;
