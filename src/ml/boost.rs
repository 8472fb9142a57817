//! Histogram gradient boosting, the algorithm of scikit-learn's
//! `HistGradientBoostingClassifier`/`Regressor`: features binned, trees grown leaf-wise on
//! gradient/hessian histograms, missing values routed to the better side, early stopping
//! on a held-out share.

pub mod binning;
pub mod fit;
pub mod grower;
pub mod histogram;
pub mod loss;
pub mod model;
pub mod split;

pub use fit::{bin_edges, fit_boosted, BoostError, BoostSettings, Boosted, EarlyStopping};
pub use loss::{Loss, Target};
pub use model::{level_from_values, BoostNode, BoostTree, BoostedModel, LevelSplit};
