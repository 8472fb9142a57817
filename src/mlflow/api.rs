//! The MLflow REST calls a push makes, typed: experiments, runs, artifacts through the
//! server's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/<path>`), registered models,
//! model versions, aliases and stages. Paths and fields follow MLflow's `service.proto` and
//! `model_registry.proto`.

use serde_json::{json, Value};

use super::client::MlflowClient;
use super::error::MlflowError;

const API: &str = "/api/2.0/mlflow";

/// A run as a push needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub run_id: String,
    pub artifact_uri: String,
    /// Its tags.
    pub tags: Vec<(String, String)>,
}

impl RunInfo {
    /// The value of tag `key`.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn from_json(run: &Value) -> RunInfo {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        RunInfo {
            run_id: text(&run["info"]["run_id"]),
            artifact_uri: text(&run["info"]["artifact_uri"]),
            tags: run["data"]["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| (text(&t["key"]), text(&t["value"])))
                .collect(),
        }
    }
}

/// `[{"key", "value"}]`, as MLflow takes tags and params.
pub fn key_values(pairs: &[(String, String)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect(),
    )
}

fn bad(client: &MlflowClient, path: &str, reason: &str) -> MlflowError {
    MlflowError::BadAnswer {
        url: format!("{}{path}", client.uri()),
        reason: reason.to_string(),
    }
}

impl MlflowClient {
    /// The id of the live experiment named `name`, restoring it if it was deleted, or
    /// creating it with `tags`.
    pub fn ensure_experiment(
        &self,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<String, MlflowError> {
        let path = format!("{API}/experiments/get-by-name");
        match self.get(&path, &[("experiment_name", name)]) {
            Ok(found) => {
                let experiment = &found["experiment"];
                let id = experiment["experiment_id"]
                    .as_str()
                    .ok_or_else(|| bad(self, &path, "no experiment_id"))?
                    .to_string();
                if experiment["lifecycle_stage"] == "deleted" {
                    self.post(
                        &format!("{API}/experiments/restore"),
                        &json!({"experiment_id": id}),
                    )?;
                }
                Ok(id)
            }
            Err(e) if e.is_not_found() => {
                let path = format!("{API}/experiments/create");
                let created = self.post(&path, &json!({"name": name, "tags": key_values(tags)}))?;
                created["experiment_id"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(self, &path, "no experiment_id"))
            }
            Err(e) => Err(e),
        }
    }

    /// The live runs of `experiment_id` whose tag `key` is `value` (`value` must hold no
    /// quote).
    pub fn runs_tagged(
        &self,
        experiment_id: &str,
        key: &str,
        value: &str,
    ) -> Result<Vec<RunInfo>, MlflowError> {
        let found = self.post(
            &format!("{API}/runs/search"),
            &json!({
                "experiment_ids": [experiment_id],
                "filter": format!("tags.`{key}` = '{value}'"),
                "run_view_type": "ACTIVE_ONLY",
                "max_results": 100,
            }),
        )?;
        Ok(found["runs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(RunInfo::from_json)
            .collect())
    }

    /// A new run in `experiment_id`.
    pub fn create_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        start_time_ms: i64,
        tags: &[(String, String)],
    ) -> Result<RunInfo, MlflowError> {
        let path = format!("{API}/runs/create");
        let created = self.post(
            &path,
            &json!({
                "experiment_id": experiment_id,
                "run_name": run_name,
                "start_time": start_time_ms,
                "tags": key_values(tags),
            }),
        )?;
        let run = RunInfo::from_json(&created["run"]);
        if run.run_id.is_empty() {
            return Err(bad(self, &path, "no run_id"));
        }
        Ok(run)
    }

    /// Log params, metrics (`[{"key","value","timestamp","step"}]`) and tags to a run, in
    /// batches within MLflow's limits (100 params, 100 tags, 1000 items per request).
    pub fn log_batch(
        &self,
        run_id: &str,
        params: &[(String, String)],
        metrics: &[Value],
        tags: &[(String, String)],
    ) -> Result<(), MlflowError> {
        let path = format!("{API}/runs/log-batch");
        for chunk in params.chunks(100) {
            self.post(
                &path,
                &json!({"run_id": run_id, "params": key_values(chunk)}),
            )?;
        }
        for chunk in metrics.chunks(1000) {
            self.post(&path, &json!({"run_id": run_id, "metrics": chunk}))?;
        }
        for chunk in tags.chunks(100) {
            self.post(&path, &json!({"run_id": run_id, "tags": key_values(chunk)}))?;
        }
        Ok(())
    }

    /// Set one tag of a run.
    pub fn set_run_tag(&self, run_id: &str, key: &str, value: &str) -> Result<(), MlflowError> {
        self.post(
            &format!("{API}/runs/set-tag"),
            &json!({"run_id": run_id, "key": key, "value": value}),
        )
        .map(drop)
    }

    /// Mark a run finished at `end_time_ms`.
    pub fn finish_run(&self, run_id: &str, end_time_ms: i64) -> Result<(), MlflowError> {
        self.post(
            &format!("{API}/runs/update"),
            &json!({"run_id": run_id, "status": "FINISHED", "end_time": end_time_ms}),
        )
        .map(drop)
    }

    /// Upload `bytes` as `relative` under a run's artifact URI, through the server's
    /// artifact proxy (`mlflow server` serves artifacts by default).
    pub fn upload_artifact(
        &self,
        artifact_uri: &str,
        relative: &str,
        bytes: &[u8],
    ) -> Result<(), MlflowError> {
        let root = proxied_path(artifact_uri).ok_or_else(|| {
            MlflowError::Local(format!(
                "the MLflow server at {} keeps artifacts at {artifact_uri}, which it does not \
                 proxy: start it with --serve-artifacts (the default) and --artifacts-destination",
                self.uri()
            ))
        })?;
        let path = format!(
            "/api/2.0/mlflow-artifacts/artifacts/{}/{}",
            encode_path(&root),
            encode_path(relative)
        );
        self.put(&path, bytes)
    }

    /// The registered model `name`, or `None`.
    pub fn registered_model(&self, name: &str) -> Result<Option<Value>, MlflowError> {
        match self.get(&format!("{API}/registered-models/get"), &[("name", name)]) {
            Ok(found) => Ok(Some(found["registered_model"].clone())),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Create the registered model `name`.
    pub fn create_registered_model(
        &self,
        name: &str,
        description: &str,
        tags: &[(String, String)],
    ) -> Result<(), MlflowError> {
        self.post(
            &format!("{API}/registered-models/create"),
            &json!({"name": name, "description": description, "tags": key_values(tags)}),
        )
        .map(drop)
    }

    /// Set a registered model's description.
    pub fn describe_registered_model(
        &self,
        name: &str,
        description: &str,
    ) -> Result<(), MlflowError> {
        self.patch(
            &format!("{API}/registered-models/update"),
            &json!({"name": name, "description": description}),
        )
        .map(drop)
    }

    /// Set one tag of a registered model.
    pub fn set_registered_model_tag(
        &self,
        name: &str,
        key: &str,
        value: &str,
    ) -> Result<(), MlflowError> {
        self.post(
            &format!("{API}/registered-models/set-tag"),
            &json!({"name": name, "key": key, "value": value}),
        )
        .map(drop)
    }

    /// The version of registered model `name` made from run `run_id`, if there is one.
    pub fn model_version_of_run(
        &self,
        name: &str,
        run_id: &str,
    ) -> Result<Option<String>, MlflowError> {
        let filter = format!("run_id = '{run_id}'");
        let found = self.get(
            &format!("{API}/model-versions/search"),
            &[("filter", &filter), ("max_results", "1000")],
        )?;
        Ok(found["model_versions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["name"] == name)
            .and_then(|v| v["version"].as_str())
            .map(str::to_string))
    }

    /// A new version of registered model `name` whose files are at `source`, made by run
    /// `run_id`; returns its number.
    pub fn create_model_version(
        &self,
        name: &str,
        source: &str,
        run_id: &str,
        description: &str,
        tags: &[(String, String)],
    ) -> Result<String, MlflowError> {
        let path = format!("{API}/model-versions/create");
        let created = self.post(
            &path,
            &json!({
                "name": name,
                "source": source,
                "run_id": run_id,
                "description": description,
                "tags": key_values(tags),
            }),
        )?;
        created["model_version"]["version"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| bad(self, &path, "no model_version.version"))
    }

    /// Set a model version's description.
    pub fn describe_model_version(
        &self,
        name: &str,
        version: &str,
        description: &str,
    ) -> Result<(), MlflowError> {
        self.patch(
            &format!("{API}/model-versions/update"),
            &json!({"name": name, "version": version, "description": description}),
        )
        .map(drop)
    }

    /// Set one tag of a model version.
    pub fn set_model_version_tag(
        &self,
        name: &str,
        version: &str,
        key: &str,
        value: &str,
    ) -> Result<(), MlflowError> {
        self.post(
            &format!("{API}/model-versions/set-tag"),
            &json!({"name": name, "version": version, "key": key, "value": value}),
        )
        .map(drop)
    }

    /// Point alias `alias` of `name` at `version`.
    pub fn set_alias(&self, name: &str, alias: &str, version: &str) -> Result<(), MlflowError> {
        self.post(
            &format!("{API}/registered-models/alias"),
            &json!({"name": name, "alias": alias, "version": version}),
        )
        .map(drop)
    }

    /// Remove alias `alias` of `name`.
    pub fn delete_alias(&self, name: &str, alias: &str) -> Result<(), MlflowError> {
        self.delete(
            &format!("{API}/registered-models/alias"),
            &json!({"name": name, "alias": alias}),
        )
    }

    /// Move a model version to MLflow's (deprecated) stage `stage`: `None`, `Staging`,
    /// `Production` or `Archived`.
    pub fn transition_stage(
        &self,
        name: &str,
        version: &str,
        stage: &str,
    ) -> Result<(), MlflowError> {
        self.post(
            &format!("{API}/model-versions/transition-stage"),
            &json!({
                "name": name,
                "version": version,
                "stage": stage,
                "archive_existing_versions": false,
            }),
        )
        .map(drop)
    }
}

/// The path under the artifact proxy of a run's artifact URI: `mlflow-artifacts:/1/abc/artifacts`
/// (or `mlflow-artifacts://host:port/1/...`, or the proxy's own http URL) gives
/// `1/abc/artifacts`; other stores give `None`.
fn proxied_path(artifact_uri: &str) -> Option<String> {
    const ANCHOR: &str = "/api/2.0/mlflow-artifacts/artifacts/";
    if let Some(rest) = artifact_uri.strip_prefix("mlflow-artifacts:") {
        let path = match rest.strip_prefix("//") {
            Some(authority_and_path) => &authority_and_path[authority_and_path.find('/')?..],
            None => rest,
        };
        return Some(path.trim_matches('/').to_string());
    }
    if artifact_uri.starts_with("http://") || artifact_uri.starts_with("https://") {
        let at = artifact_uri.find(ANCHOR)?;
        return Some(
            artifact_uri[at + ANCHOR.len()..]
                .trim_matches('/')
                .to_string(),
        );
    }
    None
}

/// The server path that downloads `relative` from a run whose artifacts are at
/// `artifact_uri`, through the server's artifact proxy; `None` when it does not proxy them.
pub fn download_path(artifact_uri: &str, relative: &str) -> Option<String> {
    let root = proxied_path(artifact_uri)?;
    Some(format!(
        "/api/2.0/mlflow-artifacts/artifacts/{}/{}",
        encode_path(&root),
        encode_path(relative)
    ))
}

/// Percent-encode each segment of a `/`-separated path.
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            segment
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uris_map_onto_the_proxy() {
        assert_eq!(
            proxied_path("mlflow-artifacts:/1/abc/artifacts").as_deref(),
            Some("1/abc/artifacts")
        );
        assert_eq!(
            proxied_path("mlflow-artifacts://h:5000/1/abc/artifacts").as_deref(),
            Some("1/abc/artifacts")
        );
        assert_eq!(
            proxied_path("http://h/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts").as_deref(),
            Some("1/abc/artifacts")
        );
        assert_eq!(proxied_path("s3://bucket/1/abc/artifacts"), None);
        assert_eq!(encode_path("model/code/a b.py"), "model/code/a%20b.py");
    }
}
