//! A version as an MLflow run's record: parameters (the spec, the validation and a summary of
//! the fitted recipe), metrics (each fold as a step of `<metric>_fold`, and the mean as
//! `<metric>`) and tags (dataset fingerprint, Modeldesk version, the version id).

use serde_json::{json, Value};

use crate::catalog::VersionDetail;

/// The run tag naming the Modeldesk version a run holds: `MODEL@VERSION`.
pub const VERSION_ID_TAG: &str = "modeldesk.version_id";
/// The run tag holding the blake3 of the version's stored model; runs are found by it.
pub const ARTIFACT_TAG: &str = "modeldesk.artifact_blake3";
/// The run tag set last, once everything of the run is in MLflow.
pub const COMPLETE_TAG: &str = "modeldesk.complete";

/// The longest parameter value MLflow takes.
const MAX_PARAM_CHARS: usize = 6000;

/// `MODEL@VERSION`.
pub fn version_id(detail: &VersionDetail) -> String {
    format!("{}@{}", detail.summary.model, detail.summary.version)
}

/// Milliseconds since the epoch of an ISO-8601 UTC time (0 if it does not read).
pub fn epoch_ms(iso: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(iso)
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

/// A key MLflow accepts: letters, digits and `_ - . / space`, others as `_`.
fn key(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-./ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|v| !v.is_object()) => {
            items.iter().map(short).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    };
    text.chars().take(MAX_PARAM_CHARS).collect()
}

/// The tags every run of a version gets (the complete tag comes last, separately).
pub fn run_tags(detail: &VersionDetail) -> Vec<(String, String)> {
    let mut tags = vec![
        (VERSION_ID_TAG.into(), version_id(detail)),
        (ARTIFACT_TAG.into(), detail.artifact_checksum.clone()),
        ("modeldesk.model".into(), detail.summary.model.clone()),
        (
            "modeldesk.version".into(),
            detail.summary.version.to_string(),
        ),
        (
            "modeldesk.app_version".into(),
            detail.summary.app_version.clone(),
        ),
        ("mlflow.user".into(), detail.summary.created_by.clone()),
        ("mlflow.source.name".into(), "modeldesk".into()),
        ("mlflow.source.type".into(), "LOCAL".into()),
    ];
    if let Some(dataset) = &detail.dataset {
        tags.push(("modeldesk.dataset".into(), dataset.name.clone()));
        tags.push((
            "modeldesk.dataset_fingerprint".into(),
            dataset.fingerprint.clone(),
        ));
        tags.push(("modeldesk.dataset_rows".into(), dataset.rows.to_string()));
    }
    tags
}

/// The run's parameters.
pub fn params(detail: &VersionDetail) -> Vec<(String, String)> {
    params_of(&detail.spec_json, &detail.metrics_json, &detail.recipe_json)
}

/// The parameters of a stored spec, metrics and recipe (each JSON; `""` when there is none).
pub fn params_of(spec_json: &str, metrics_json: &str, recipe_json: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    if let Ok(Value::Object(spec)) = serde_json::from_str::<Value>(spec_json) {
        for (name, value) in spec {
            params.push((key(&name), short(&value)));
        }
    }
    let metrics: Value = serde_json::from_str(metrics_json).unwrap_or(Value::Null);
    for name in ["task", "target", "rows_used", "rows_dropped", "classes"] {
        if let Some(value) = metrics.get(name).filter(|v| !v.is_null()) {
            params.push((name.into(), short(value)));
        }
    }
    if let Some(Value::Object(validation)) = metrics.get("validation") {
        for (name, value) in validation {
            params.push((format!("validation.{}", key(name)), short(value)));
        }
    }
    let recipe: Value = serde_json::from_str(recipe_json).unwrap_or(Value::Null);
    for column in recipe["columns"].as_array().into_iter().flatten() {
        let name = column["column"].as_str().unwrap_or_default();
        params.push((
            format!("recipe.{}", key(name)),
            recipe_step(&column["step"]),
        ));
    }
    params.sort();
    params.dedup_by(|a, b| a.0 == b.0);
    params
}

/// `one_hot: 3 levels, missing unseen`, `numeric: fill 43.9, center 43.9, scale 5.4`.
fn recipe_step(step: &Value) -> String {
    let Some((kind, body)) = step.as_object().and_then(|o| o.iter().next()) else {
        return short(step);
    };
    let parts: Vec<String> = match body {
        Value::Object(fields) => fields
            .iter()
            .map(|(name, value)| match value {
                Value::Array(items) => format!("{} {name}", items.len()),
                Value::Number(n) => format!("{name} {n}"),
                other => format!("{name} {}", short(other)),
            })
            .collect(),
        other => vec![short(other)],
    };
    short(&Value::String(format!("{kind}: {}", parts.join(", "))))
}

/// The run's metrics: the mean of each as `<metric>` (step 0) and each fold's as step `i` of
/// `<metric>_fold`, all at `timestamp_ms` so that logging them again changes nothing.
pub fn metrics(detail: &VersionDetail, timestamp_ms: i64) -> Vec<Value> {
    metrics_of(&detail.summary.metrics, &detail.metrics_json, timestamp_ms)
}

/// [`metrics`] of each metric's mean and the stored metrics JSON (with its `folds`).
pub fn metrics_of(
    means: &std::collections::BTreeMap<String, f64>,
    metrics_json: &str,
    timestamp_ms: i64,
) -> Vec<Value> {
    let stored: Value = serde_json::from_str(metrics_json).unwrap_or(Value::Null);
    let metric = |name: &str, value: f64, step: usize| json!({"key": key(name), "value": value, "timestamp": timestamp_ms, "step": step});
    let mut out = Vec::new();
    for (name, value) in means {
        if value.is_finite() {
            out.push(metric(name, *value, 0));
        }
    }
    for (step, fold) in stored["folds"].as_array().into_iter().flatten().enumerate() {
        for (name, value) in fold.as_object().into_iter().flatten() {
            if let Some(x) = value.as_f64().filter(|x| x.is_finite()) {
                out.push(metric(&format!("{name}_fold"), x, step));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_recipe_steps_read_as_mlflow_takes_them() {
        assert_eq!(key("f1 (Adélie)"), "f1 _Ad_lie_");
        let step = json!({"one_hot": {"levels": ["a", "b", "c"], "missing": "unseen"}});
        assert_eq!(recipe_step(&step), "one_hot: 3 levels, missing unseen");
        assert_eq!(epoch_ms("1970-01-01T00:00:01.500Z"), 1500);
        assert_eq!(short(&json!(["Adelie", "Gentoo"])), "Adelie, Gentoo");
    }
}
