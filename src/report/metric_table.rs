//! Metrics of several models side by side: which metrics to list in which order, and which
//! model is best at each, both as the metric registry (`ml::metric_registry`) says.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::catalog::record::StoredMetrics;
use crate::catalog::VersionDetail;
use crate::ml::eval::Evaluation;
use crate::ml::metric_registry;

/// One model's validation metrics, as one column of a metric table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricColumn {
    /// "churn v3" or "#2 logistic regression on penguins".
    pub label: String,
    /// Mean over folds of each metric (NaN where undefined).
    pub mean: BTreeMap<String, f64>,
    /// Standard deviation over folds (absent for a single fold's metrics stored without it).
    pub std: BTreeMap<String, f64>,
}

impl MetricColumn {
    /// The column of a validated training run.
    pub fn from_evaluation(label: impl Into<String>, evaluation: &Evaluation) -> MetricColumn {
        let owned = |map: &BTreeMap<&'static str, f64>| {
            map.iter()
                .map(|(name, value)| (name.to_string(), *value))
                .collect()
        };
        MetricColumn {
            label: label.into(),
            mean: owned(&evaluation.mean),
            std: owned(&evaluation.std),
        }
    }

    /// The column of a catalog version, labelled "MODEL vN".
    pub fn from_detail(detail: &VersionDetail) -> MetricColumn {
        MetricColumn::from_stored(detail, &StoredMetrics::read(&detail.metrics_json))
    }

    /// The column of a catalog version whose stored metrics were read already.
    pub fn from_stored(detail: &VersionDetail, stored: &StoredMetrics) -> MetricColumn {
        let mut mean = stored.mean.clone();
        if mean.is_empty() {
            mean = detail.summary.metrics.clone();
        }
        MetricColumn {
            label: format!("{} v{}", detail.summary.model, detail.summary.version),
            mean,
            std: stored.std.clone(),
        }
    }
}

/// Every metric any column has, in table order.
pub fn metric_names(columns: &[MetricColumn]) -> Vec<String> {
    metric_registry::table_order(
        columns
            .iter()
            .flat_map(|c| c.mean.keys().map(String::as_str)),
    )
    .into_iter()
    .map(str::to_string)
    .collect()
}

/// The columns best at metric `name` (every one that reads the same as the best); none
/// when fewer than two columns have a value to compare.
pub fn best(columns: &[MetricColumn], name: &str) -> Vec<usize> {
    let values: Vec<Option<f64>> = columns.iter().map(|c| c.mean.get(name).copied()).collect();
    metric_registry::best_marks(name, &values)
        .into_iter()
        .enumerate()
        .filter_map(|(i, best)| best.then_some(i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(label: &str, metrics: &[(&str, f64)]) -> MetricColumn {
        MetricColumn {
            label: label.into(),
            mean: metrics.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
            std: BTreeMap::new(),
        }
    }

    #[test]
    fn the_best_is_the_highest_score_or_the_lowest_loss() {
        let columns = [
            column("a", &[("accuracy", 0.9), ("log_loss", 0.3), ("zeta", 1.0)]),
            column("b", &[("accuracy", 0.95), ("log_loss", 0.2)]),
            column("c", &[("accuracy", 0.95), ("log_loss", f64::NAN)]),
        ];
        assert_eq!(best(&columns, "accuracy"), vec![1, 2]);
        assert_eq!(best(&columns, "log_loss"), vec![1]);
        assert_eq!(best(&columns, "zeta"), Vec::<usize>::new());
        assert_eq!(metric_names(&columns), vec!["accuracy", "log_loss", "zeta"]);
    }
}
