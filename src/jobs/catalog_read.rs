//! What the Catalog view shows, read from the catalog by a catalog job and handed to the
//! window as typed records: the model list with its live alerts ([`read_list`]), and the
//! chosen model's versions and history with the chosen version's page ([`read_model`]).
//! The view asks for a read only when what it depends on changes (the filters, the choice of
//! model or version, the order, or the catalog itself after a write), and only draws what
//! came back.

use std::collections::BTreeMap;

use super::live_data::LiveData;
use crate::catalog::record::{self, StoredCurves, StoredExplanations, StoredMetrics};
use crate::catalog::{
    Catalog, CatalogError, HistoryEntry, LiveAlert, MlflowSync, ModelFilter, ModelSummary, Page,
    ScoringRun, Stage, VersionDetail, VersionQuery, VersionSort, VersionSummary,
};
use crate::ml::eval::{Metrics, Validation};
use crate::ml::learned::{what_it_learned, Learned};
use crate::ml::metric_registry::{self, Prominence};
use crate::ml::trained::TrainedModel;

/// Versions of one model read at once; a model with more shows the first ones in the order
/// chosen (the table itself is virtualised).
const VERSION_PAGE: u64 = 5_000;

/// What the view asks to be read: the list's filters, the chosen model and version and the
/// versions' order, at one catalog generation (the app counts the catalog's changes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogQuery {
    pub generation: u64,
    pub search: String,
    pub stage: Option<Stage>,
    pub tag: String,
    pub model: Option<String>,
    pub version: Option<i64>,
    pub sort: VersionSort,
    pub descending: bool,
    /// The MLflow server whose sync state is shown, when one is set.
    pub tracking_uri: Option<String>,
}

impl CatalogQuery {
    /// The part of the query the model list depends on: choosing a model or a version, or
    /// ordering its versions, leaves the list as it was.
    pub fn list_part(&self) -> CatalogQuery {
        CatalogQuery {
            model: None,
            version: None,
            sort: VersionSort::Version,
            descending: false,
            tracking_uri: None,
            ..self.clone()
        }
    }

    /// The part of the query a model's page depends on: the filters leave it as it was.
    pub fn model_part(&self) -> CatalogQuery {
        CatalogQuery {
            search: String::new(),
            stage: None,
            tag: String::new(),
            ..self.clone()
        }
    }

    /// The model list's filter.
    fn filter(&self) -> ModelFilter {
        let tag = self.tag.trim();
        ModelFilter {
            search: Some(self.search.trim().to_string()).filter(|s| !s.is_empty()),
            stage: self.stage,
            tag: (!tag.is_empty()).then(|| match tag.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
                None => (tag.to_string(), None),
            }),
        }
    }
}

/// The model list: the models the filters let through, and their live alerts.
#[derive(Debug, Default)]
pub struct ModelList {
    pub models: Vec<ModelSummary>,
    /// Features at warning or drift in each model's latest live window, by model.
    pub alerts: BTreeMap<String, Vec<LiveAlert>>,
}

/// One model as its page shows it.
#[derive(Default)]
pub struct ModelRead {
    /// Its versions, in the order chosen.
    pub versions: Vec<VersionSummary>,
    /// The metrics the listed versions have some of, headline ones first.
    pub metric_names: Vec<String>,
    /// Its history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The chosen version's page; `None` when none was chosen or it is gone.
    pub page: Option<VersionPage>,
    /// The versions pushed to the MLflow server of the query, by version number.
    pub synced: BTreeMap<i64, MlflowSync>,
}

impl std::fmt::Debug for ModelRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelRead")
            .field("versions", &self.versions.len())
            .field("history", &self.history.len())
            .field(
                "page",
                &self.page.as_ref().map(|p| p.detail.summary.version),
            )
            .finish()
    }
}

/// Read the model list `query` asks for.
pub fn read_list(catalog: &Catalog, query: &CatalogQuery) -> Result<ModelList, CatalogError> {
    Ok(ModelList {
        models: catalog.models(&query.filter())?,
        alerts: catalog.live_alerts()?,
    })
}

/// Read the model (and version) `query` chooses; nothing when it chooses none.
pub fn read_model(catalog: &Catalog, query: &CatalogQuery) -> Result<ModelRead, CatalogError> {
    let Some(model) = query.model.clone() else {
        return Ok(ModelRead::default());
    };
    let versions = match catalog.versions(&VersionQuery {
        model: Some(model.clone()),
        stage: None,
        sort: query.sort.clone(),
        descending: query.descending,
        page: Page {
            offset: 0,
            limit: VERSION_PAGE,
        },
    }) {
        // Deleted since it was chosen: there is nothing to show of it.
        Err(CatalogError::UnknownModel(_)) => return Ok(ModelRead::default()),
        read => read?,
    };
    let synced: BTreeMap<i64, MlflowSync> = match &query.tracking_uri {
        Some(uri) => catalog
            .mlflow_syncs(&model, uri)?
            .into_iter()
            .map(|s| (s.version, s))
            .collect(),
        None => BTreeMap::new(),
    };
    let page = match query.version {
        Some(version) if versions.iter().any(|v| v.version == version) => {
            let mut page = VersionPage::read(catalog, &model, version)?;
            page.mlflow = synced.get(&version).cloned();
            Some(page)
        }
        _ => None,
    };
    Ok(ModelRead {
        synced,
        metric_names: metric_names(&versions),
        history: catalog.history(&model)?,
        versions,
        page,
    })
}

/// One version as its page shows it: the stored records read once, when the page is read.
pub struct VersionPage {
    pub detail: VersionDetail,
    /// The spec, pretty-printed.
    pub spec: String,
    /// Each fitted column's step in a line.
    pub recipe: String,
    pub metrics: StoredMetrics,
    /// "cross validation · 150 rows used".
    pub validation_line: String,
    pub folds: FoldTable,
    pub curves: StoredCurves,
    /// What scoring servers saw of the version, when they recorded any window.
    pub live: Option<LiveData>,
    /// The version's scoring runs, a line each.
    pub scoring: Vec<ScoringLine>,
    /// What the model learned, or why its model could not be read.
    pub learned: Result<Learned, String>,
    /// The model itself, when it could be read (its tree is drawn from it).
    pub model: Option<TrainedModel>,
    /// The columns the model reads, in its recipe's order.
    pub columns: Vec<String>,
    /// Permutation importance and partial dependence stored with the version.
    pub explanations: StoredExplanations,
    /// What it became in the MLflow server of the query, if it was pushed there.
    pub mlflow: Option<MlflowSync>,
}

/// One scoring run of a version: when (ISO 8601, UTC, as stored) and what.
pub struct ScoringLine {
    pub at: String,
    /// "rows · file · n drifted feature(s)".
    pub text: String,
}

impl VersionPage {
    fn read(catalog: &Catalog, model: &str, version: i64) -> Result<VersionPage, CatalogError> {
        let detail = catalog.version(model, version)?;
        let metrics = StoredMetrics::read(&detail.metrics_json);
        let windows = catalog.live_windows(model, Some(version), None)?;
        let scoring = catalog
            .scoring_runs(model, version)?
            .iter()
            .map(scoring_line)
            .collect();
        let trained = record::load_model(catalog, detail.summary.id).map_err(|e| e.to_string());
        let columns = trained.as_ref().map_or_else(
            |_| Vec::new(),
            |m| m.recipe.columns.iter().map(|c| c.column.clone()).collect(),
        );
        let learned = trained.as_ref().map(what_it_learned).map_err(Clone::clone);
        let explanations = StoredExplanations::read(&catalog.explanations(model, version)?);
        Ok(VersionPage {
            learned,
            model: trained.ok(),
            columns,
            explanations,
            spec: pretty(&detail.spec_json),
            recipe: recipe_lines(&detail.recipe_json),
            validation_line: validation_line(&metrics),
            folds: FoldTable::of(&metrics.folds),
            curves: StoredCurves::read(&detail.curves_json),
            live: LiveData::read(&windows, &metrics),
            metrics,
            scoring,
            detail,
            mlflow: None,
        })
    }
}

/// Each fold's headline metrics: the columns a fold of its task has, and a row per fold
/// (`None` where a metric is undefined).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoldTable {
    pub names: Vec<&'static str>,
    pub rows: Vec<Vec<Option<f64>>>,
}

impl FoldTable {
    fn of(folds: &[Metrics]) -> FoldTable {
        let Some(first) = folds.first() else {
            return FoldTable::default();
        };
        // The headline metrics a fold of its task has, in the registry's order.
        let names: Vec<&'static str> = metric_registry::METRICS
            .iter()
            .filter(|m| m.prominence == Prominence::Headline)
            .map(|m| m.key)
            .filter(|name| fold_metric(first, name).is_some())
            .collect();
        let rows = folds
            .iter()
            .map(|fold| {
                names
                    .iter()
                    .map(|name| fold_metric(fold, name).flatten().filter(|x| !x.is_nan()))
                    .collect()
            })
            .collect();
        FoldTable { names, rows }
    }
}

/// Metric `name` of `fold`: `None` when a fold of its task has no such metric, `Some(None)`
/// when it has it but it is undefined.
fn fold_metric(fold: &Metrics, name: &str) -> Option<Option<f64>> {
    match fold {
        Metrics::Classification(m) => match name {
            "accuracy" => Some(Some(m.accuracy)),
            "f1_macro" => Some(Some(m.f1_macro)),
            "roc_auc" => Some(m.roc_auc),
            "log_loss" => Some(Some(m.log_loss)),
            _ => None,
        },
        Metrics::Regression(m) => match name {
            "rmse" => Some(Some(m.rmse)),
            "mae" => Some(Some(m.mae)),
            "r2" => Some(Some(m.r2)),
            _ => None,
        },
    }
}

/// "cross validation · 150 rows used".
fn validation_line(metrics: &StoredMetrics) -> String {
    let scheme = match metrics.validation {
        Some(Validation::CrossValidation { .. }) => "cross validation",
        Some(Validation::Holdout { .. }) => "holdout",
        None => "validation",
    };
    let rows = metrics
        .rows_used
        .map_or_else(|| "null".to_string(), |n| n.to_string());
    match metrics.rows_dropped {
        Some(dropped) if dropped > 0 => {
            format!("{scheme} · {rows} rows used · {dropped} dropped (no target value)")
        }
        _ => format!("{scheme} · {rows} rows used"),
    }
}

/// The metrics any listed version has, headline ones first, each group in the registry's
/// order.
fn metric_names(versions: &[VersionSummary]) -> Vec<String> {
    let present = versions
        .iter()
        .flat_map(|v| v.metrics.keys().map(String::as_str));
    let mut names: Vec<&str> = metric_registry::table_order(present);
    let headline = |key: &str| {
        metric_registry::info(key).is_some_and(|m| m.prominence == Prominence::Headline)
    };
    names.sort_by_key(|key| !headline(key));
    names.into_iter().map(str::to_string).collect()
}

/// When the run was, and "rows · file · n drifted feature(s)".
fn scoring_line(run: &ScoringRun) -> ScoringLine {
    let drifted = serde_json::from_str::<Vec<serde_json::Value>>(&run.drift_json)
        .map(|d| d.iter().filter(|f| f["status"] == "drift").count())
        .unwrap_or(0);
    ScoringLine {
        at: run.scored_at.clone(),
        text: format!(
            "{} rows · {} · {drifted} drifted feature(s)",
            run.rows, run.file_path
        ),
    }
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_string())
}

/// Each fitted column's step in a line.
fn recipe_lines(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let mut out = String::new();
    for c in value["columns"].as_array().into_iter().flatten() {
        let name = c["column"].as_str().unwrap_or("?");
        let step = &c["step"];
        let line = if let Some(n) = step.get("numeric") {
            format!(
                "{name}: number, missing as {}, centre {}, scale {}",
                n["fill"], n["center"], n["scale"]
            )
        } else if let Some(o) = step.get("one_hot") {
            format!(
                "{name}: one-hot over {} levels",
                o["levels"].as_array().map_or(0, Vec::len)
            )
        } else {
            format!("{name}: {step}")
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{sample_version, temp_catalog};

    const CLASSIFIER: &str =
        include_str!("../../tests/fixtures/stored_metrics/classification.json");

    fn query(generation: u64, model: Option<&str>, version: Option<i64>) -> CatalogQuery {
        CatalogQuery {
            generation,
            model: model.map(str::to_string),
            version,
            ..CatalogQuery::default()
        }
    }

    #[test]
    fn a_model_is_read_with_its_versions_history_and_chosen_page() {
        let (_dir, mut catalog) = temp_catalog();
        let mut new = sample_version(0.9);
        new.metrics_json = CLASSIFIER.to_string();
        catalog.register("churn", &new).unwrap();
        let list = read_list(&catalog, &query(0, None, None)).unwrap();
        assert_eq!(list.models.len(), 1);
        let read = read_model(&catalog, &query(0, Some("churn"), Some(1))).unwrap();
        assert_eq!(read.versions.len(), 1);
        assert_eq!(read.history.len(), 1);
        assert_eq!(read.metric_names[..3], ["accuracy", "f1_macro", "roc_auc"]);
        let page = read.page.as_ref().unwrap();
        assert_eq!(page.validation_line, "cross validation · 569 rows used");
        assert_eq!(page.metrics.confusion().map(<[_]>::len), Some(2));
    }

    #[test]
    fn a_version_or_model_that_is_gone_reads_as_nothing() {
        let (_dir, mut catalog) = temp_catalog();
        catalog.register("churn", &sample_version(0.9)).unwrap();
        let read = read_model(&catalog, &query(0, Some("churn"), Some(7))).unwrap();
        assert_eq!(read.versions.len(), 1);
        assert!(read.page.is_none());
        let read = read_model(&catalog, &query(0, Some("gone"), Some(1))).unwrap();
        assert!(read.versions.is_empty() && read.page.is_none());
        let read = read_model(&catalog, &query(0, None, None)).unwrap();
        assert!(read.versions.is_empty() && read.history.is_empty());
    }

    #[test]
    fn the_validation_line_says_how_many_rows_had_no_target() {
        let dropped = StoredMetrics::read(
            r#"{"validation":{"holdout":{"fraction":0.2,"seed":0}},"rows_used":100,"rows_dropped":7}"#,
        );
        let line = validation_line(&dropped);
        assert!(
            line.ends_with("100 rows used · 7 dropped (no target value)"),
            "{line}"
        );
        let none = StoredMetrics::read(r#"{"rows_used":100,"rows_dropped":0}"#);
        assert!(validation_line(&none).ends_with("100 rows used"));
    }

    #[test]
    fn the_list_and_the_page_depend_on_their_own_parts_of_the_query() {
        let mut q = query(3, Some("churn"), Some(2));
        q.search = "ch".into();
        assert_eq!(q.list_part().model, None);
        assert_eq!(q.list_part().search, "ch");
        assert_eq!(q.model_part().search, "");
        assert_eq!(q.model_part().version, Some(2));
        assert_eq!(q.model_part().generation, 3);
    }

    #[test]
    fn the_folds_table_has_the_columns_of_the_folds_task() {
        let metrics = StoredMetrics::read(CLASSIFIER);
        let table = FoldTable::of(&metrics.folds);
        assert_eq!(table.names, ["accuracy", "f1_macro", "roc_auc"]);
        assert_eq!(table.rows.len(), 2);
        let regression =
            StoredMetrics::read(r#"{"folds":[{"rmse":2.0,"mae":1.0,"r2":null,"mape":null}]}"#);
        let table = FoldTable::of(&regression.folds);
        assert_eq!(table.names, ["rmse", "mae", "r2"]);
        assert_eq!(table.rows, [vec![Some(2.0), Some(1.0), None]]);
        assert_eq!(FoldTable::of(&[]), FoldTable::default());
    }
}
