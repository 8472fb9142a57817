//! Everything a report shows about one version, read from the catalog once. Stored JSON is
//! read leniently, field by field: a version registered by an older build, or a field this
//! build cannot read, leaves that part of the report empty instead of failing the report.

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

use super::metric_table::MetricColumn;
use crate::catalog::record;
pub use crate::catalog::record::{ClassCurves, StoredCurves, StoredMetrics};
use crate::catalog::{
    Catalog, CatalogError, HistoryEntry, LiveWindow, ModelFilter, ModelSummary, ScoringRun,
    VersionDetail,
};
use crate::data::Profile;
use crate::ml::eval::Metrics;
use crate::ml::learned::{what_it_learned, Learned};
use crate::ml::prep::FittedRecipe;
use crate::ml::spec::ModelSpec;

/// A field of a JSON object as `T`, if it is there and reads as one.
fn field<T: DeserializeOwned>(value: &Value, key: &str) -> Option<T> {
    value
        .get(key)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The drift of one feature in a scoring run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriftRow {
    pub column: String,
    pub psi: Option<f64>,
    pub ks: Option<f64>,
    /// "stable", "warning" or "drift".
    pub status: Option<String>,
    pub bins: Vec<String>,
    pub expected: Vec<f64>,
    pub actual: Vec<f64>,
}

impl DriftRow {
    fn read(column: String, value: &Value) -> DriftRow {
        DriftRow {
            column,
            psi: value["psi"].as_f64(),
            ks: value["ks"].as_f64(),
            status: value["status"].as_str().map(str::to_string),
            bins: field(value, "bins").unwrap_or_default(),
            expected: field(value, "expected").unwrap_or_default(),
            actual: field(value, "actual").unwrap_or_default(),
        }
    }
}

/// A recorded scoring run with its drift and metrics read.
#[derive(Debug, Clone)]
pub struct ScoringView {
    pub run: ScoringRun,
    pub drift: Vec<DriftRow>,
    /// Scalar metrics, when the scored file had labels.
    pub metrics: Vec<(String, f64)>,
    pub labelled_rows: Option<u64>,
}

impl ScoringView {
    fn read(run: ScoringRun) -> ScoringView {
        // An array of features (what `score` records), or an object keyed by column.
        let drift = match parse(&run.drift_json) {
            Value::Array(items) => items
                .iter()
                .map(|d| DriftRow::read(d["column"].as_str().unwrap_or("?").to_string(), d))
                .collect(),
            Value::Object(map) => map
                .iter()
                .map(|(column, d)| DriftRow::read(column.clone(), d))
                .collect(),
            _ => Vec::new(),
        };
        let metrics_value = run.metrics_json.as_deref().map(parse).unwrap_or_default();
        let metrics = match serde_json::from_value::<Metrics>(metrics_value.clone()) {
            Ok(m) => m
                .scalars()
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
            Err(_) => metrics_value
                .as_object()
                .map(|map| {
                    map.iter()
                        .filter(|(name, _)| name.as_str() != "labelled_rows")
                        .filter_map(|(name, v)| Some((name.clone(), v.as_f64()?)))
                        .collect()
                })
                .unwrap_or_default(),
        };
        ScoringView {
            labelled_rows: metrics_value["labelled_rows"].as_u64(),
            run,
            drift,
            metrics,
        }
    }
}

/// One version with everything a report shows about it.
#[derive(Debug, Clone)]
pub struct ReportVersion {
    pub detail: VersionDetail,
    /// The registered model: description, tags.
    pub model: Option<ModelSummary>,
    pub spec: Option<ModelSpec>,
    /// The parameters as stored (the spec's fields but the algorithm).
    pub parameters: Vec<(String, String)>,
    /// What validation measured, as stored with the version.
    pub evaluation: StoredMetrics,
    pub metrics: MetricColumn,
    pub curves: StoredCurves,
    pub recipe: Option<FittedRecipe>,
    pub profile: Option<Profile>,
    /// This version's registration and stage changes.
    pub history: Vec<HistoryEntry>,
    pub scoring: Vec<ScoringView>,
    /// What scoring servers saw of the version, oldest window first.
    pub live: Vec<LiveWindow>,
    /// What the model learned, or why its stored model could not be read.
    pub learned: Result<Learned, String>,
    /// Permutation importance and partial dependence stored with the version.
    pub explanations: record::StoredExplanations,
}

impl ReportVersion {
    /// "churn v3".
    pub fn label(&self) -> String {
        format!(
            "{} v{}",
            self.detail.summary.model, self.detail.summary.version
        )
    }

    /// The algorithm's name as a person reads it.
    pub fn algorithm(&self) -> String {
        match (&self.spec, &self.detail.summary.algorithm) {
            (Some(spec), _) => spec.title().to_string(),
            (None, Some(name)) => name.replace('_', " "),
            (None, None) => "unknown algorithm".into(),
        }
    }
}

/// A JSON value as a person reads it in a parameter table.
fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Read version `version` of `model` and all that surrounds it.
pub fn read_version(
    catalog: &Catalog,
    model: &str,
    version: i64,
) -> Result<ReportVersion, CatalogError> {
    let detail = catalog.version(model, version)?;
    let model_summary = catalog
        .models(&ModelFilter {
            search: Some(model.to_string()),
            ..ModelFilter::default()
        })?
        .into_iter()
        .find(|m| m.name == model);
    let spec_value = parse(&detail.spec_json);
    let parameters = spec_value
        .as_object()
        .map(|map| {
            map.iter()
                .filter(|(key, _)| key.as_str() != "algorithm")
                .map(|(key, value)| (key.replace('_', " "), display_value(value)))
                .collect()
        })
        .unwrap_or_default();
    let history = catalog
        .history(model)?
        .into_iter()
        .filter(|entry| entry.version == version)
        .collect();
    let scoring = catalog
        .scoring_runs(model, version)?
        .into_iter()
        .map(ScoringView::read)
        .collect();
    let live = catalog.live_windows(model, Some(version), None)?;
    let evaluation = StoredMetrics::read(&detail.metrics_json);
    let learned = record::load_model(catalog, detail.summary.id)
        .map(|model| what_it_learned(&model))
        .map_err(|e| e.to_string());
    let explanations = record::StoredExplanations::read(&catalog.explanations(model, version)?);
    Ok(ReportVersion {
        learned,
        explanations,
        model: model_summary,
        spec: serde_json::from_value(spec_value).ok(),
        parameters,
        metrics: MetricColumn::from_stored(&detail, &evaluation),
        evaluation,
        curves: StoredCurves::read(&detail.curves_json),
        recipe: serde_json::from_str(&detail.recipe_json).ok(),
        profile: detail
            .dataset
            .as_ref()
            .and_then(|d| serde_json::from_str(&d.profile_json).ok()),
        history,
        scoring,
        live,
        detail,
    })
}

/// The tags of a version and of its model, model tags first, as "key = value" lines.
pub fn tag_lines(tags: &BTreeMap<String, String>) -> Vec<String> {
    tags.iter()
        .map(|(key, value)| {
            if value.is_empty() {
                key.clone()
            } else {
                format!("{key} = {value}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_reads_as_an_array_of_features_or_an_object_by_column() {
        let run = |drift: &str| ScoringRun {
            id: 1,
            version_id: 1,
            file_path: "x.csv".into(),
            file_fingerprint: "f".into(),
            rows: 3,
            scored_at: "2026-01-01T00:00:00Z".into(),
            scored_by: "me".into(),
            drift_json: drift.into(),
            metrics_json: Some(r#"{"rmse": 2.0, "labelled_rows": 3}"#.into()),
        };
        let array = ScoringView::read(run(
            r#"[{"column":"age","psi":0.3,"ks":0.2,"status":"drift","bins":["a"],"expected":[1.0],"actual":[0.5]}]"#,
        ));
        assert_eq!(array.drift[0].column, "age");
        assert_eq!(array.drift[0].status.as_deref(), Some("drift"));
        assert_eq!(array.drift[0].actual, vec![0.5]);
        assert_eq!(array.metrics, vec![("rmse".to_string(), 2.0)]);
        assert_eq!(array.labelled_rows, Some(3));
        let object = ScoringView::read(run(r#"{"tenure":{"psi":0.02}}"#));
        assert_eq!(object.drift[0].column, "tenure");
        assert_eq!(object.drift[0].psi, Some(0.02));
        assert_eq!(object.drift[0].ks, None);
        assert!(ScoringView::read(run("not json")).drift.is_empty());
    }
}
