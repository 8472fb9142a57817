//! The penalised linear models as algorithms: ridge, lasso and elastic net share one loss and
//! one spec and differ in the L1 ratio they fix (`ml::linear` fits them).

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::ml::algorithm::{positive, About, Algorithm, Fitting, Param, ParamKind};
use crate::ml::linear::fit_penalised;
use crate::ml::model::{Fit, FitProgress, ModelError, Targets};
use crate::ml::registry::{FittedModel, ModelSpec};
use crate::ml::target::Task;

/// A penalised linear model (linfa-elasticnet's coordinate descent; ridge solved exactly
/// through linfa-linear). The loss is
/// `‖y − Xw‖² / (2n) + alpha · (l1_ratio · ‖w‖₁ + (1 − l1_ratio) · ‖w‖² / 2)`, exactly
/// scikit-learn's `ElasticNet(alpha, l1_ratio)`; ridge is `l1_ratio = 0`, lasso `1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PenaltySpec {
    /// Strength of the penalty. Default 1.0 (as scikit-learn).
    pub alpha: f64,
    /// Mix of L1 (1.0) and L2 (0.0). Default 0.5; fixed for ridge and lasso.
    pub l1_ratio: f64,
    /// Most coordinate-descent sweeps. Default 1000 (as scikit-learn).
    pub max_iterations: u32,
    /// Stop when the largest coefficient change is below this. Default 1e-4.
    pub tolerance: f64,
}

impl Default for PenaltySpec {
    fn default() -> Self {
        PenaltySpec {
            alpha: 1.0,
            l1_ratio: 0.5,
            max_iterations: 1000,
            tolerance: 1e-4,
        }
    }
}

/// Least squares with an L2 penalty.
pub struct Ridge;
/// Least squares with an L1 penalty.
pub struct Lasso;
/// Least squares with both penalties.
pub struct ElasticNet;

const SWEEPS: Param = Param {
    key: "max_iterations",
    label: "Max sweeps",
    help: "Coordinate-descent passes over the features.",
    kind: ParamKind::Count {
        min: 1,
        max: 100_000,
    },
};

const TOLERANCE: Param = Param {
    key: "tolerance",
    label: "Tolerance",
    help: "Coordinate descent stops once the duality gap is below this times the sum of squared targets, as scikit-learn's tol.",
    kind: ParamKind::Number {
        min: 1e-10,
        max: 1.0,
        speed: 1e-6,
        decimals: Some(8),
    },
};

const ALPHA: ParamKind = ParamKind::Number {
    min: 1e-6,
    max: 1e6,
    speed: 0.01,
    decimals: None,
};

/// Ridge's and lasso's: the L1 ratio is theirs to fix.
const FIXED_MIX_PARAMS: &[Param] = &[
    Param {
        key: "alpha",
        label: "Alpha",
        help: "Strength of the penalty, as scikit-learn's ElasticNet alpha (the loss is the mean squared error / 2 plus the penalty).",
        kind: ALPHA,
    },
    SWEEPS,
    TOLERANCE,
];

const ELASTIC_NET_PARAMS: &[Param] = &[
    Param {
        key: "alpha",
        label: "Alpha",
        help: "Strength of the penalty, as scikit-learn's ElasticNet alpha.",
        kind: ALPHA,
    },
    Param {
        key: "l1_ratio",
        label: "L1 ratio",
        help: "0 is ridge, 1 is lasso.",
        kind: ParamKind::Number {
            min: 0.0,
            max: 1.0,
            speed: 0.01,
            decimals: None,
        },
    },
    SWEEPS,
    TOLERANCE,
];

const RIDGE: About = About {
    title: "ridge",
    help: "Least squares with an L2 penalty (linfa-elasticnet, L1 ratio 0).",
    aliases: &[],
    tasks: &[Task::Regression],
    params: FIXED_MIX_PARAMS,
    default_spec: || {
        ModelSpec::Ridge(PenaltySpec {
            l1_ratio: 0.0,
            ..Default::default()
        })
    },
};

impl Algorithm for Ridge {
    fn about(&self) -> &'static About {
        &RIDGE
    }
}

const LASSO: About = About {
    title: "lasso",
    help: "Least squares with an L1 penalty that sets weak weights to zero (linfa-elasticnet, L1 ratio 1).",
    aliases: &[],
    tasks: &[Task::Regression],
    params: FIXED_MIX_PARAMS,
    default_spec: || {
        ModelSpec::Lasso(PenaltySpec {
            l1_ratio: 1.0,
            ..Default::default()
        })
    },
};

impl Algorithm for Lasso {
    fn about(&self) -> &'static About {
        &LASSO
    }
}

const ELASTIC_NET: About = About {
    title: "elastic net",
    help: "Least squares with a mix of L1 and L2 penalties (linfa-elasticnet), as scikit-learn's ElasticNet.",
    aliases: &["elasticnet"],
    tasks: &[Task::Regression],
    params: ELASTIC_NET_PARAMS,
    default_spec: || ModelSpec::ElasticNet(PenaltySpec::default()),
};

impl Algorithm for ElasticNet {
    fn about(&self) -> &'static About {
        &ELASTIC_NET
    }
}

/// What the three share: the check, and the fit of the one loss.
macro_rules! penalised {
    ($($algorithm:ty => $summary:expr;)*) => {$(
        impl Fitting for $algorithm {
            type Spec = PenaltySpec;

            fn summary(&self, s: &PenaltySpec) -> String {
                let summary: fn(&PenaltySpec) -> String = $summary;
                summary(s)
            }

            fn validate(&self, s: &PenaltySpec) -> Result<(), String> {
                validate(s)
            }

            fn fit(
                &self,
                s: &PenaltySpec,
                x: ArrayView2<f64>,
                targets: Targets<'_>,
                _progress: &mut FitProgress<'_>,
            ) -> Result<Fit, ModelError> {
                fit(s, self.title(), x, targets)
            }
        }
    )*};
}

penalised! {
    Ridge => |s| format!("alpha = {}", s.alpha);
    Lasso => |s| format!("alpha = {}", s.alpha);
    ElasticNet => |s| format!("alpha = {}, L1 ratio {}", s.alpha, s.l1_ratio);
}

fn validate(s: &PenaltySpec) -> Result<(), String> {
    positive("alpha", s.alpha)?;
    if !(0.0..=1.0).contains(&s.l1_ratio) {
        return Err(format!(
            "the L1 ratio must be in [0, 1], not {}",
            s.l1_ratio
        ));
    }
    if s.max_iterations == 0 {
        return Err("at least one iteration is needed".into());
    }
    positive("the tolerance", s.tolerance)
}

fn fit(
    s: &PenaltySpec,
    title: &'static str,
    x: ArrayView2<f64>,
    targets: Targets<'_>,
) -> Result<Fit, ModelError> {
    let y = targets.values(title)?;
    let (model, sweeps) = fit_penalised(x, y, s, title)?;
    Ok(Fit {
        model: FittedModel::Linear(model),
        iterations: u64::from(sweeps),
        converged: sweeps < s.max_iterations,
    })
}
