//! Tables a spreadsheet or a script reads: the metric table of several models as CSV or
//! JSON, and a confusion matrix as CSV.

use serde_json::json;

use super::metric_table::{best, metric_names, MetricColumn};
use crate::data::CsvText;
use crate::ml::metric_registry::higher_is_better;

/// A number for CSV: empty when undefined.
fn cell(value: Option<&f64>) -> String {
    match value {
        Some(v) if v.is_finite() => v.to_string(),
        _ => String::new(),
    }
}

/// The metric table as CSV: one row per metric with each model's mean and standard
/// deviation, whether higher is better, and the label(s) of the best model.
pub fn metrics_csv(columns: &[MetricColumn]) -> String {
    let mut csv = CsvText::new();
    csv.field("metric");
    csv.field("higher_is_better");
    for column in columns {
        csv.field(&format!("{} mean", column.label));
        csv.field(&format!("{} std", column.label));
    }
    csv.field("best");
    csv.end_record();
    for name in metric_names(columns) {
        csv.field(&name);
        csv.field(&higher_is_better(&name).to_string());
        for column in columns {
            csv.field(&cell(column.mean.get(&name)));
            csv.field(&cell(column.std.get(&name)));
        }
        let best: Vec<&str> = best(columns, &name)
            .into_iter()
            .map(|i| columns[i].label.as_str())
            .collect();
        csv.field(&best.join("; "));
        csv.end_record();
    }
    csv.finish()
}

/// The metric table as JSON: `{"models": [{"label", "metrics": {NAME: {"mean", "std"}}}],
/// "best": {NAME: [label, ...]}, "higher_is_better": {NAME: bool}}` (undefined values null).
pub fn metrics_json(columns: &[MetricColumn]) -> serde_json::Value {
    let names = metric_names(columns);
    let models: Vec<serde_json::Value> = columns
        .iter()
        .map(|column| {
            let metrics: serde_json::Map<String, serde_json::Value> = names
                .iter()
                .filter(|name| column.mean.contains_key(*name))
                .map(|name| {
                    (
                        name.clone(),
                        json!({ "mean": column.mean.get(name), "std": column.std.get(name) }),
                    )
                })
                .collect();
            json!({ "label": column.label, "metrics": metrics })
        })
        .collect();
    let best: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|name| {
            let labels: Vec<&str> = best(columns, name)
                .into_iter()
                .map(|i| columns[i].label.as_str())
                .collect();
            (name.clone(), json!(labels))
        })
        .collect();
    let directions: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|name| (name.clone(), json!(higher_is_better(name))))
        .collect();
    json!({ "models": models, "best": best, "higher_is_better": directions })
}

/// A confusion matrix (rows the true class, columns the predicted one) as CSV.
pub fn confusion_csv(classes: &[String], confusion: &[Vec<u64>]) -> String {
    let mut csv = CsvText::new();
    csv.record(std::iter::once("true \\ predicted").chain(classes.iter().map(String::as_str)));
    for (class, row) in classes.iter().zip(confusion) {
        csv.field(class);
        for count in row {
            csv.field(&count.to_string());
        }
        csv.end_record();
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn columns() -> Vec<MetricColumn> {
        let map = |pairs: &[(&str, f64)]| -> BTreeMap<String, f64> {
            pairs.iter().map(|(n, v)| (n.to_string(), *v)).collect()
        };
        vec![
            MetricColumn {
                label: "churn v1".into(),
                mean: map(&[("accuracy", 0.9), ("log_loss", 0.25)]),
                std: map(&[("accuracy", 0.01), ("log_loss", 0.02)]),
            },
            MetricColumn {
                label: "churn, \"new\" v2".into(),
                mean: map(&[("accuracy", 0.92), ("log_loss", f64::NAN)]),
                std: map(&[("accuracy", 0.02)]),
            },
        ]
    }

    #[test]
    fn the_metric_table_as_csv_quotes_labels_and_names_the_best() {
        assert_eq!(
            metrics_csv(&columns()),
            "metric,higher_is_better,churn v1 mean,churn v1 std,\"churn, \"\"new\"\" v2 mean\",\"churn, \"\"new\"\" v2 std\",best\n\
             accuracy,true,0.9,0.01,0.92,0.02,\"churn, \"\"new\"\" v2\"\n\
             log_loss,false,0.25,0.02,,,\n"
        );
    }

    #[test]
    fn the_metric_table_as_json_keeps_undefined_values_as_null() {
        let json = metrics_json(&columns());
        assert_eq!(json["models"][0]["metrics"]["accuracy"]["mean"], 0.9);
        assert_eq!(
            json["models"][1]["metrics"]["log_loss"]["mean"],
            serde_json::Value::Null
        );
        assert_eq!(json["best"]["accuracy"], json!(["churn, \"new\" v2"]));
        assert_eq!(json["best"]["log_loss"], json!([]));
        assert_eq!(json["higher_is_better"]["log_loss"], false);
    }

    #[test]
    fn a_confusion_matrix_as_csv() {
        let classes = vec!["cat".to_string(), "dog, big".to_string()];
        assert_eq!(
            confusion_csv(&classes, &[vec![5, 1], vec![0, 7]]),
            "true \\ predicted,cat,\"dog, big\"\ncat,5,1\n\"dog, big\",0,7\n"
        );
    }
}
