//! The seam every algorithm plugs into: what the window, the command line, training and
//! export need to know about one algorithm, and nothing else. Each algorithm lives in one
//! file under `ml/algorithms/`; `ml/registry.rs` lists them.
//!
//! # Adding an algorithm
//!
//! 1. Write `ml/algorithms/<key>.rs` with
//!    - its spec: a `#[serde(default)]` struct of its parameters with a `Default`;
//!    - if it learns something no existing model type holds, its fitted model (serde) and an
//!      `impl Predictor` for it;
//!    - a unit struct with `impl Algorithm` (its [`About`]: title, help, tasks,
//!      parameters, default spec) and `impl Fitting` (summary, validation, fit).
//!
//!    Declare the file in `ml/algorithms.rs`.
//! 2. Add one line to the `algorithms!` list in `ml/registry.rs`:
//!    `"key" => Variant(TheSpec) = the_file::TheAlgorithm`. The key is the command-line name
//!    and the tag of the stored spec, so it never changes once a catalog holds it. A new
//!    fitted model type adds one line to the `models!` list there too (its tag is stored in
//!    every artifact; never rename one).
//! 3. The ONNX export sits above `ml`, so a new fitted model type gets its graph in
//!    `export::onnx::models::model_nodes`; the match there is exhaustive, so the compiler
//!    points at the place.
//!
//! The window's editors and the command line's `--param KEY=VALUE` read the parameters'
//! [`Param`] descriptions, and the registry's tests fit every algorithm's default spec, so
//! neither needs touching.
//!
//! An algorithm that learns both tasks lists both in [`About::tasks`] and gets both kinds of
//! [`Targets`]. Something every fitted model should offer (such as an explanation of what
//! it learned) becomes a method of [`Predictor`]; something only some offer, a provided
//! method that answers `None` unless the model overrides it.

use ndarray::{Array1, Array2, ArrayView2};

use super::class_weight::ClassWeight;
use super::model::{Fit, FitProgress, ModelError, Targets};
use super::prep::Design;
use super::registry::ModelSpec;
use super::target::Task;

/// What every algorithm tells the window and the command line. Its key (the command-line
/// name and the stored tag) is given by its line in the registry.
pub trait Algorithm: Sync {
    /// Its names, tasks, parameters and default spec.
    fn about(&self) -> &'static About;

    /// The name a person reads.
    fn title(&self) -> &'static str {
        self.about().title
    }
    /// One or two sentences for the window's tooltip.
    fn help(&self) -> &'static str {
        self.about().help
    }
    /// Other names the command line takes for it.
    fn aliases(&self) -> &'static [&'static str] {
        self.about().aliases
    }
    /// The tasks it can learn.
    fn tasks(&self) -> &'static [Task] {
        self.about().tasks
    }
    /// The parameters an analyst may change, in the order the window shows them.
    fn params(&self) -> &'static [Param] {
        self.about().params
    }
    /// The spec with every parameter at its default.
    fn default_spec(&self) -> ModelSpec {
        (self.about().default_spec)()
    }
    /// Whether it fits on a [`Design`] as it is, its one-hot columns read as level indices
    /// ([`Fitting::fit_design`]), so a column of many levels needs no indicator columns.
    fn reads_levels(&self) -> bool {
        false
    }
}

/// An algorithm's description, a constant in its file.
#[derive(Debug)]
pub struct About {
    /// The name a person reads, in lower case unless a proper name ("Gaussian naive Bayes").
    pub title: &'static str,
    /// One or two sentences for the window's tooltip.
    pub help: &'static str,
    /// Other names the command line takes for it (lower case, `_` between words).
    pub aliases: &'static [&'static str],
    /// The tasks it can learn.
    pub tasks: &'static [Task],
    /// The parameters an analyst may change, in the order the window shows them.
    pub params: &'static [Param],
    /// The spec with every parameter at its default.
    pub default_spec: fn() -> ModelSpec,
}

/// How an algorithm reads its own parameters: the typed half of the seam, reached through
/// [`ModelSpec`]'s methods.
pub trait Fitting: Algorithm {
    /// The parameters, as stored in the algorithm's [`ModelSpec`] variant.
    type Spec;
    /// The parameters in a short line, e.g. "C = 1, max 100 iterations".
    fn summary(&self, spec: &Self::Spec) -> String;
    /// Check every parameter before fitting; the message names the parameter.
    fn validate(&self, spec: &Self::Spec) -> Result<(), String>;
    /// Fit on `x` (rows × features, already preprocessed). The task was checked against
    /// [`Algorithm::tasks`] before; a fit that can take long asks `progress` often.
    fn fit(
        &self,
        spec: &Self::Spec,
        x: ArrayView2<f64>,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError>;

    /// Fit on a design. An algorithm that [reads levels](Algorithm::reads_levels) reads its
    /// level indices; the others get the dense matrix.
    fn fit_design(
        &self,
        spec: &Self::Spec,
        design: &Design,
        targets: Targets<'_>,
        progress: &mut FitProgress<'_>,
    ) -> Result<Fit, ModelError> {
        self.fit(spec, design.to_dense().view(), targets, progress)
    }
}

/// What a fitted model can do with new rows (already preprocessed, rows × features).
pub trait Predictor {
    /// Class probabilities, rows × `classes` (classifiers only).
    fn predict_proba(&self, x: ArrayView2<f64>, classes: usize) -> Option<Array2<f64>>;
    /// Predicted values (regressors only).
    fn predict_values(&self, x: ArrayView2<f64>) -> Option<Array1<f64>>;

    /// Whether [`predict_proba_design`](Self::predict_proba_design) and
    /// [`predict_values_design`](Self::predict_values_design) read level indices as they are.
    fn reads_levels(&self) -> bool {
        false
    }
    /// [`predict_proba`](Self::predict_proba) of a design's rows.
    fn predict_proba_design(&self, design: &Design, classes: usize) -> Option<Array2<f64>> {
        self.predict_proba(design.to_dense().view(), classes)
    }
    /// [`predict_values`](Self::predict_values) of a design's rows.
    fn predict_values_design(&self, design: &Design) -> Option<Array1<f64>> {
        self.predict_values(design.to_dense().view())
    }
}

/// One parameter an analyst may change: what it is called, what it means and which values
/// the window offers and the command line accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The field of the stored spec; also the `KEY` of `--param KEY=VALUE`.
    pub key: &'static str,
    /// The window's label.
    pub label: &'static str,
    /// The window's tooltip.
    pub help: &'static str,
    pub kind: ParamKind,
}

/// The values a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A real number in `min..=max`; the window drags it by `speed` and shows at most
    /// `decimals` decimals (`None`: egui's default).
    Number {
        min: f64,
        max: f64,
        speed: f64,
        decimals: Option<usize>,
    },
    /// A whole number in `min..=max`.
    Count { min: u64, max: u64 },
    /// A whole number in `min..=max`, or no limit at all; `limited` is the value a limit
    /// starts at when one is switched on.
    Limit { min: u64, max: u64, limited: u64 },
    /// One of a few words, each stored as written here and shown with its label.
    Choice {
        options: &'static [(&'static str, &'static str)],
    },
    /// scikit-learn's `class_weight`: equal, balanced, or a positive weight per class.
    ClassWeights,
}

/// A parameter's value, of its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Number(f64),
    Count(u64),
    Limit(Option<u64>),
    Choice(&'static str),
    ClassWeights(ClassWeight),
}

impl ParamKind {
    /// Read `text` (as typed on the command line) as a value of this kind within its range.
    pub fn parse(&self, text: &str) -> Result<ParamValue, String> {
        let text = text.trim();
        match *self {
            ParamKind::Number { min, max, .. } => match text.parse::<f64>() {
                Ok(v) if (min..=max).contains(&v) => Ok(ParamValue::Number(v)),
                _ => Err(format!("a number from {min} to {max}")),
            },
            ParamKind::Count { min, max } => match text.parse::<u64>() {
                Ok(v) if (min..=max).contains(&v) => Ok(ParamValue::Count(v)),
                _ => Err(format!("a whole number from {min} to {max}")),
            },
            ParamKind::Limit { min, max, .. } => match text.to_lowercase().as_str() {
                "none" | "unlimited" => Ok(ParamValue::Limit(None)),
                other => match other.parse::<u64>() {
                    Ok(v) if (min..=max).contains(&v) => Ok(ParamValue::Limit(Some(v))),
                    _ => Err(format!("a whole number from {min} to {max}, or none")),
                },
            },
            ParamKind::Choice { options } => options
                .iter()
                .find(|(stored, _)| stored.eq_ignore_ascii_case(text))
                .map(|(stored, _)| ParamValue::Choice(stored))
                .ok_or_else(|| {
                    let words: Vec<&str> = options.iter().map(|(stored, _)| *stored).collect();
                    format!("one of {}", words.join(", "))
                }),
            ParamKind::ClassWeights => ClassWeight::parse(text).map(ParamValue::ClassWeights),
        }
    }

    /// The smallest and largest value the range offers (a limit's: its bounds; a choice's:
    /// its first and last option).
    pub fn extremes(&self) -> [ParamValue; 2] {
        match *self {
            ParamKind::Number { min, max, .. } => {
                [ParamValue::Number(min), ParamValue::Number(max)]
            }
            ParamKind::Count { min, max } => [ParamValue::Count(min), ParamValue::Count(max)],
            ParamKind::Limit { min, max, .. } => {
                [ParamValue::Limit(Some(min)), ParamValue::Limit(Some(max))]
            }
            ParamKind::Choice { options } => [
                ParamValue::Choice(options.first().map_or("", |o| o.0)),
                ParamValue::Choice(options.last().map_or("", |o| o.0)),
            ],
            ParamKind::ClassWeights => [
                ParamValue::ClassWeights(ClassWeight::None),
                ParamValue::ClassWeights(ClassWeight::Balanced),
            ],
        }
    }

    /// Whether `value` is of this kind and within its range.
    pub fn admits(&self, value: &ParamValue) -> bool {
        match (*self, value) {
            (ParamKind::Number { min, max, .. }, ParamValue::Number(v)) => (min..=max).contains(v),
            (ParamKind::Count { min, max }, ParamValue::Count(v)) => (min..=max).contains(v),
            (ParamKind::Limit { min, max, .. }, ParamValue::Limit(v)) => {
                v.is_none_or(|v| (min..=max).contains(&v))
            }
            (ParamKind::Choice { options }, ParamValue::Choice(v)) => {
                options.iter().any(|(stored, _)| stored == v)
            }
            (ParamKind::ClassWeights, ParamValue::ClassWeights(w)) => w.is_valid(),
            _ => false,
        }
    }
}

/// `Ok` for a finite positive number, else the message validation gives.
pub fn positive(name: &str, v: f64) -> Result<(), String> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(format!("{name} must be a positive number, not {v}"))
    }
}

/// A leaf of at least one row and a depth of at least one level, as both kinds of tree check.
pub fn tree_limits(max_depth: Option<usize>, min_samples_leaf: usize) -> Result<(), String> {
    if max_depth == Some(0) {
        return Err("the depth must be at least 1".into());
    }
    if min_samples_leaf < 1 {
        return Err("a leaf needs at least 1 row".into());
    }
    Ok(())
}
