//! Every scalar metric Modeldesk computes, described once: its key (as stored and in JSON),
//! the label people read, a one-sentence definition, which direction is better, how many
//! decimals it is shown with, and how prominent it is. The window, the report and the
//! command line all read metrics through this table, and mark the best value by one rule:
//! [`is_best`].

use std::cmp::Ordering;

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    HigherIsBetter,
    /// Losses and errors.
    LowerIsBetter,
}

/// How prominently a metric is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prominence {
    /// Named in one-line summaries (a scoring run, a version in a list).
    Headline,
    /// In every metric table.
    Standard,
    /// Only in full tables and exports (the weighted averages).
    Detail,
}

/// What the registry knows about one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricInfo {
    /// The snake_case name metrics are stored and exported under.
    pub key: &'static str,
    /// What a person reads: "ROC AUC", "F1 (macro)".
    pub label: &'static str,
    /// One sentence saying what the metric measures.
    pub definition: &'static str,
    pub direction: Direction,
    /// Decimals a value is shown with (and compared at, for the best mark).
    pub decimals: usize,
    pub prominence: Prominence,
}

const fn metric(
    key: &'static str,
    label: &'static str,
    definition: &'static str,
    direction: Direction,
    prominence: Prominence,
) -> MetricInfo {
    MetricInfo {
        key,
        label,
        definition,
        direction,
        decimals: 3,
        prominence,
    }
}

use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};
use Prominence::{Detail, Headline, Standard};

/// Every metric, in the order tables list them: classification, then regression.
pub const METRICS: [MetricInfo; 18] = [
    metric(
        "accuracy",
        "Accuracy",
        "The share of rows whose predicted class is the true class.",
        Higher,
        Headline,
    ),
    metric(
        "balanced_accuracy",
        "Balanced accuracy",
        "The recall of each class averaged with equal weight, so a rare class counts as much as a common one.",
        Higher,
        Standard,
    ),
    metric(
        "f1_macro",
        "F1 (macro)",
        "The harmonic mean of precision and recall of each class, averaged with equal weight.",
        Higher,
        Headline,
    ),
    metric(
        "precision_macro",
        "Precision (macro)",
        "Of the rows predicted as a class, the share truly of it, averaged over the classes with equal weight.",
        Higher,
        Standard,
    ),
    metric(
        "recall_macro",
        "Recall (macro)",
        "Of the rows of a class, the share predicted as it, averaged over the classes with equal weight.",
        Higher,
        Standard,
    ),
    metric(
        "f1_weighted",
        "F1 (weighted)",
        "The F1 score of each class, averaged with each class weighted by its number of rows.",
        Higher,
        Detail,
    ),
    metric(
        "precision_weighted",
        "Precision (weighted)",
        "The precision of each class, averaged with each class weighted by its number of rows.",
        Higher,
        Detail,
    ),
    metric(
        "recall_weighted",
        "Recall (weighted)",
        "The recall of each class, averaged with each class weighted by its number of rows.",
        Higher,
        Detail,
    ),
    metric(
        "roc_auc",
        "ROC AUC",
        "The chance that a row of a class gets a higher probability of it than a row of another class (one class against the rest, averaged over classes).",
        Higher,
        Headline,
    ),
    metric(
        "average_precision",
        "Average precision",
        "The area under the precision–recall curve (one class against the rest, averaged over classes).",
        Higher,
        Standard,
    ),
    metric(
        "log_loss",
        "Log loss",
        "The mean negative logarithm of the probability given to the true class; confident mistakes cost the most. A decision tree's pure leaves give probabilities of exactly 0 and 1, so each of its mistakes costs about 36 (the smallest probability counted is 2.2e-16): a high log loss there is expected, not a fault.",
        Lower,
        Standard,
    ),
    metric(
        "brier",
        "Brier score",
        "The mean squared difference between the probability of the positive class and what happened (two classes only).",
        Lower,
        Standard,
    ),
    metric(
        "mcc",
        "MCC",
        "Matthews correlation coefficient: the correlation of predicted and true classes, 1 perfect, 0 no better than chance.",
        Higher,
        Standard,
    ),
    metric(
        "cohen_kappa",
        "Cohen's kappa",
        "The agreement of predicted and true classes beyond what chance would give, 1 perfect, 0 chance level.",
        Higher,
        Standard,
    ),
    metric(
        "rmse",
        "RMSE",
        "Root mean squared error: the typical size of an error in the target's units, large errors weighing more.",
        Lower,
        Headline,
    ),
    metric(
        "mae",
        "MAE",
        "Mean absolute error: the average size of an error in the target's units.",
        Lower,
        Headline,
    ),
    metric(
        "r2",
        "R²",
        "The share of the target's variance the predictions explain, 1 perfect, 0 no better than predicting the mean.",
        Higher,
        Headline,
    ),
    metric(
        "mape",
        "MAPE",
        "Mean absolute percentage error: the average error relative to the true value, as a fraction.",
        Lower,
        Standard,
    ),
];

/// Decimals of a metric the registry does not know.
const DEFAULT_DECIMALS: usize = 3;

/// The registry's entry for `key`.
pub fn info(key: &str) -> Option<&'static MetricInfo> {
    METRICS.iter().find(|m| m.key == key)
}

/// The label of `key` ("ROC AUC" for `roc_auc`); an unknown key reads as itself.
pub fn label(key: &str) -> &str {
    info(key).map_or(key, |m| m.label)
}

/// The hover text of `key`: its definition and which direction is better.
pub fn tooltip(key: &str) -> String {
    let direction = if higher_is_better(key) {
        "Higher is better."
    } else {
        "Lower is better."
    };
    match info(key) {
        Some(m) => format!("{} {direction}", m.definition),
        None => direction.to_string(),
    }
}

/// Whether a larger value of `key` is better (an unknown metric is taken to be a score).
pub fn higher_is_better(key: &str) -> bool {
    info(key).is_none_or(|m| m.direction == Direction::HigherIsBetter)
}

/// Decimals `key` is shown with.
pub fn decimals(key: &str) -> usize {
    info(key).map_or(DEFAULT_DECIMALS, |m| m.decimals)
}

/// `value` as shown: its metric's decimals, a dash when undefined.
pub fn format(key: &str, value: f64) -> String {
    if value.is_finite() {
        format!("{value:.*}", decimals(key))
    } else {
        "—".into()
    }
}

/// Whether `value` is the best of `values` (which include it): it equals the best value
/// at the displayed precision, so every value that reads the same as the best is marked.
/// An undefined value is never best, and nothing is best unless at least two values are
/// defined: a lone run is not the best of anything.
pub fn is_best(key: &str, value: f64, values: &[f64]) -> bool {
    if !value.is_finite() {
        return false;
    }
    let mut finite = values.iter().copied().filter(|v| v.is_finite());
    let Some(first) = finite.next() else {
        return false;
    };
    let mut count = 1;
    let mut best = first;
    for v in finite {
        count += 1;
        if better(key, v, best) == Ordering::Less {
            best = v;
        }
    }
    count >= 2 && format(key, value) == format(key, best)
}

/// [`is_best`] for each of `values` (`None` where a model lacks the metric).
pub fn best_marks(key: &str, values: &[Option<f64>]) -> Vec<bool> {
    let defined: Vec<f64> = values.iter().flatten().copied().collect();
    values
        .iter()
        .map(|v| v.is_some_and(|v| is_best(key, v, &defined)))
        .collect()
}

/// The order of two defined values of `key`, better first.
pub fn better(key: &str, a: f64, b: f64) -> Ordering {
    if higher_is_better(key) {
        b.total_cmp(&a)
    } else {
        a.total_cmp(&b)
    }
}

/// `keys` in table order: the registry's metrics in its order, then unknown ones by name.
/// Each key is listed once.
pub fn table_order<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = keys.into_iter().collect();
    let position = |key: &str| METRICS.iter().position(|m| m.key == key);
    keys.sort_by(|a, b| match (position(a), position(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    });
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::metrics::{classification_metrics, regression_metrics};
    use ndarray::array;

    #[test]
    fn every_metric_an_evaluation_computes_is_registered_once() {
        let proba = array![[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]];
        let labels = ["no".to_string(), "yes".to_string()];
        let binary = classification_metrics(&[0, 1, 1, 1], &[0, 1, 0, 1], &proba, &labels);
        let regression = regression_metrics(&[1.0, 2.0, 4.0], &[1.5, 2.0, 3.0]);
        let computed: Vec<&str> = binary
            .scalars()
            .into_iter()
            .chain(regression.scalars())
            .map(|(key, _)| key)
            .collect();
        assert_eq!(computed.len(), METRICS.len());
        for key in &computed {
            let entry = info(key).unwrap_or_else(|| panic!("{key} is not registered"));
            assert!(!entry.label.is_empty() && entry.definition.ends_with('.'));
        }
        let mut keys: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), METRICS.len());
    }

    #[test]
    fn labels_and_tooltips_read_as_words() {
        assert_eq!(label("roc_auc"), "ROC AUC");
        assert_eq!(label("f1_macro"), "F1 (macro)");
        assert_eq!(label("mcc"), "MCC");
        assert_eq!(label("brier"), "Brier score");
        assert_eq!(label("zeta"), "zeta");
        assert!(tooltip("log_loss").ends_with("Lower is better."));
        assert!(tooltip("accuracy").starts_with("The share of rows"));
    }

    #[test]
    fn losses_and_errors_are_better_lower() {
        for key in ["log_loss", "brier", "rmse", "mae", "mape"] {
            assert!(!higher_is_better(key), "{key}");
        }
        for key in ["accuracy", "roc_auc", "mcc", "r2", "cohen_kappa", "zeta"] {
            assert!(higher_is_better(key), "{key}");
        }
        assert!(is_best("rmse", 1.0, &[1.0, 2.0]));
        assert!(is_best("r2", 2.0, &[1.0, 2.0]));
    }

    #[test]
    fn values_that_read_the_same_as_the_best_are_all_best() {
        // 0.8361 and 0.8358 both show as 0.836.
        let values = [0.8361, 0.8358, 0.8349];
        assert_eq!(format("accuracy", 0.8358), "0.836");
        assert_eq!(
            best_marks("accuracy", &values.map(Some)),
            vec![true, true, false]
        );
        assert_eq!(
            best_marks("log_loss", &[Some(0.2104), Some(0.2096), None]),
            vec![true, true, false]
        );
    }

    #[test]
    fn undefined_values_are_never_best() {
        assert_eq!(
            best_marks("accuracy", &[Some(f64::NAN), Some(0.2), Some(0.1)]),
            vec![false, true, false]
        );
        assert_eq!(
            best_marks("log_loss", &[Some(f64::NAN), Some(0.2)]),
            vec![false, false]
        );
        assert!(!is_best("accuracy", f64::NAN, &[f64::NAN, f64::NAN]));
        assert_eq!(best_marks("log_loss", &[]), Vec::<bool>::new());
        assert_eq!(format("accuracy", f64::NAN), "—");
    }

    #[test]
    fn tables_list_registered_metrics_first_then_others_by_name() {
        assert_eq!(
            table_order(["zeta", "rmse", "alpha", "accuracy", "rmse"]),
            vec!["accuracy", "rmse", "alpha", "zeta"]
        );
    }
}
