//! What to train: an algorithm and its hyper-parameters, serialisable and validated before
//! any fitting (an invalid value is an error value with a message, never a panic).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An invalid hyper-parameter, in words for the user.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{algorithm}: {message}")]
pub struct SpecError {
    pub algorithm: &'static str,
    pub message: String,
}

/// Logistic regression (L2-penalised, fitted by L-BFGS): binary for two classes,
/// multinomial for more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogisticSpec {
    /// Inverse regularisation strength, as scikit-learn's `C`: smaller means a stronger
    /// penalty (‖W‖² / (2·C) against the summed log-loss). Default 1.0.
    pub c: f64,
    /// Most L-BFGS iterations. Default 100 (as scikit-learn).
    pub max_iterations: u64,
    /// Stop when every component of the gradient of the mean loss is below this.
    /// Default 1e-4 (as scikit-learn's `tol`).
    pub tolerance: f64,
}

impl Default for LogisticSpec {
    fn default() -> Self {
        LogisticSpec {
            c: 1.0,
            max_iterations: 100,
            tolerance: 1e-4,
        }
    }
}

/// An algorithm with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case")]
pub enum ModelSpec {
    LogisticRegression(LogisticSpec),
}

impl ModelSpec {
    /// Algorithm names as the command line takes them.
    pub const NAMES: [&'static str; 1] = ["logistic_regression"];

    /// The spec with default parameters for a command-line name.
    pub fn from_name(name: &str) -> Option<ModelSpec> {
        match name.replace('-', "_").as_str() {
            "logistic_regression" | "logistic" | "logreg" => {
                Some(ModelSpec::LogisticRegression(LogisticSpec::default()))
            }
            _ => None,
        }
    }

    /// The command-line name.
    pub fn name(&self) -> &'static str {
        match self {
            ModelSpec::LogisticRegression(_) => "logistic_regression",
        }
    }

    /// The name a person reads.
    pub fn title(&self) -> &'static str {
        match self {
            ModelSpec::LogisticRegression(_) => "logistic regression",
        }
    }

    /// Check every parameter before fitting.
    pub fn validate(&self) -> Result<(), SpecError> {
        let fail = |message: String| {
            Err(SpecError {
                algorithm: self.title(),
                message,
            })
        };
        match self {
            ModelSpec::LogisticRegression(s) => {
                if !(s.c.is_finite() && s.c > 0.0) {
                    return fail(format!("C must be a positive number, not {}", s.c));
                }
                if s.max_iterations == 0 {
                    return fail("at least one iteration is needed".into());
                }
                if !(s.tolerance.is_finite() && s.tolerance > 0.0) {
                    return fail(format!(
                        "the tolerance must be a positive number, not {}",
                        s.tolerance
                    ));
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_round_trip_and_validate() {
        let spec = ModelSpec::from_name("logistic-regression").unwrap();
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(
            json,
            r#"{"algorithm":"logistic_regression","c":1.0,"max_iterations":100,"tolerance":0.0001}"#
        );
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
        assert!(spec.validate().is_ok());
        let bad = ModelSpec::LogisticRegression(LogisticSpec {
            c: -1.0,
            ..Default::default()
        });
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "logistic regression: C must be a positive number, not -1"
        );
        let partial: ModelSpec =
            serde_json::from_str(r#"{"algorithm":"logistic_regression","c":0.5}"#).unwrap();
        assert_eq!(
            partial,
            ModelSpec::LogisticRegression(LogisticSpec {
                c: 0.5,
                ..Default::default()
            })
        );
    }
}
