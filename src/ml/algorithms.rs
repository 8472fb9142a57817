//! One file per algorithm, each implementing the seam of [`super::algorithm`]; the registry
//! (`super::registry`) lists them.

pub mod decision_tree;
pub mod elastic_net;
pub mod gradient_boosting;
pub mod linear_regression;
pub mod logistic_regression;
pub mod naive_bayes;
pub mod random_forest;
