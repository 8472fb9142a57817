//! Reading the catalog for lists: models filtered by text, stage or tag, and pages of
//! versions filtered by model and stage, sorted by number, creation time or any mean
//! metric. Listings never read the stored models or curves, so they stay fast on large
//! catalogs (indexes in `schema`).

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Row};
use serde::Serialize;
use std::collections::BTreeMap;

use super::lookup::{current_in_stage_sql, model_id};
use super::notes::tags_from_json;
use super::record::metric_values;
use super::schema::INDEXED_METRICS;
use super::{Catalog, CatalogError, Stage};

/// Which models to list; every field left `None` lets all through.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelFilter {
    /// Text found (ignoring ASCII case) in the name or description.
    pub search: Option<String>,
    /// Models with at least one version in this stage.
    pub stage: Option<Stage>,
    /// Models with this tag key, and value if given.
    pub tag: Option<(String, Option<String>)>,
}

/// A model as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    pub id: i64,
    pub name: String,
    /// Markdown.
    pub description: String,
    pub created_at: String,
    pub created_by: String,
    /// Live (not deleted) versions.
    pub versions: i64,
    pub latest_version: Option<i64>,
    pub production_version: Option<i64>,
    pub staging_version: Option<i64>,
    pub tags: BTreeMap<String, String>,
}

/// The order of a version list.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum VersionSort {
    /// By version number.
    #[default]
    Version,
    /// By registration time.
    Created,
    /// By the mean over folds of a metric such as `accuracy` or `roc_auc`.
    Metric(String),
}

/// A window into a long list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            offset: 0,
            limit: 50,
        }
    }
}

/// Which versions to list, in which order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionQuery {
    /// Versions of this model only; all models when `None`.
    pub model: Option<String>,
    pub stage: Option<Stage>,
    pub sort: VersionSort,
    pub descending: bool,
    pub page: Page,
}

impl VersionQuery {
    /// Every version of `model`, oldest first (up to `Page::default().limit`).
    pub fn of_model(model: &str) -> VersionQuery {
        VersionQuery {
            model: Some(model.to_string()),
            ..VersionQuery::default()
        }
    }
}

/// A version as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionSummary {
    pub id: i64,
    pub model: String,
    pub version: i64,
    pub stage: Stage,
    /// Markdown.
    pub description: String,
    /// The algorithm's command-line name.
    pub algorithm: Option<String>,
    /// Mean over folds of each scalar metric (NaN where undefined).
    pub metrics: BTreeMap<String, f64>,
    pub dataset_name: Option<String>,
    pub dataset_fingerprint: Option<String>,
    pub train_seconds: f64,
    pub app_version: String,
    pub created_by: String,
    /// UTC, ISO-8601.
    pub created_at: String,
    pub tags: BTreeMap<String, String>,
}

pub(super) const SELECT_VERSION: &str = "SELECT v.id, m.name, v.version, v.stage, v.description,
        json_extract(v.spec_json, '$.algorithm'), v.mean_metrics_json,
        d.name, d.fingerprint, v.train_seconds, v.app_version, v.created_by, v.created_at,
        (SELECT json_group_object(key, value) FROM version_tags WHERE version_id = v.id)
     FROM model_versions v
     JOIN registered_models m ON m.id = v.model_id
     LEFT JOIN datasets d ON d.id = v.dataset_id";

/// A row of [`SELECT_VERSION`].
pub(super) fn version_summary(row: &Row<'_>) -> rusqlite::Result<VersionSummary> {
    let stage: String = row.get(3)?;
    Ok(VersionSummary {
        id: row.get(0)?,
        model: row.get(1)?,
        version: row.get(2)?,
        stage: Stage::from_stored(&stage).unwrap_or(Stage::None),
        description: row.get(4)?,
        algorithm: row.get(5)?,
        metrics: row
            .get::<_, Option<String>>(6)?
            .map(|json| metric_values(&json))
            .unwrap_or_default(),
        dataset_name: row.get(7)?,
        dataset_fingerprint: row.get(8)?,
        train_seconds: row.get(9)?,
        app_version: row.get(10)?,
        created_by: row.get(11)?,
        created_at: row.get(12)?,
        tags: tags_from_json(row.get(13)?),
    })
}

/// The `WHERE` clause and its parameters of a version query.
fn version_filter(
    catalog: &Catalog,
    query: &VersionQuery,
) -> Result<(String, Vec<Value>), CatalogError> {
    let mut clause = String::from(" WHERE v.deleted_at IS NULL");
    let mut values = Vec::new();
    if let Some(model) = &query.model {
        clause.push_str(" AND v.model_id = ?");
        values.push(Value::Integer(model_id(catalog.conn(), model)?));
    }
    if let Some(stage) = query.stage {
        clause.push_str(" AND v.stage = ?");
        values.push(Value::Text(stage.name().to_string()));
    }
    Ok((clause, values))
}

/// The statement and parameters of one page of a version query.
fn version_page_sql(
    catalog: &Catalog,
    query: &VersionQuery,
) -> Result<(String, Vec<Value>), CatalogError> {
    let (clause, mut values) = version_filter(catalog, query)?;
    let direction = if query.descending { "DESC" } else { "ASC" };
    // An undefined metric (NaN, stored as null) is never the best: last in both directions.
    // SQLite still walks the metric's index for NULLS LAST, then reads the nulls after.
    let nulls = match query.sort {
        VersionSort::Metric(_) => " NULLS LAST",
        VersionSort::Version | VersionSort::Created => "",
    };
    let key = match &query.sort {
        VersionSort::Version => "v.version".to_string(),
        VersionSort::Created => "v.created_at".to_string(),
        // The indexed metrics are written as in their index, so SQLite can use it;
        // any other name is a bound parameter.
        VersionSort::Metric(name) => match INDEXED_METRICS.iter().find(|m| *m == name) {
            Some(indexed) => format!("json_extract(v.mean_metrics_json, '$.{indexed}')"),
            None => {
                values.push(Value::Text(format!("$.\"{name}\"")));
                "json_extract(v.mean_metrics_json, ?)".to_string()
            }
        },
    };
    values.push(Value::Integer(
        i64::try_from(query.page.limit).unwrap_or(i64::MAX),
    ));
    values.push(Value::Integer(
        i64::try_from(query.page.offset).unwrap_or(i64::MAX),
    ));
    let sql = format!(
        "{SELECT_VERSION}{clause} ORDER BY {key} {direction}{nulls}, v.id {direction} LIMIT ? OFFSET ?"
    );
    Ok((sql, values))
}

impl Catalog {
    /// The models that pass `filter`, by name (ignoring case).
    pub fn models(&self, filter: &ModelFilter) -> Result<Vec<ModelSummary>, CatalogError> {
        let conn = self.conn();
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let (tag_key, tag_value) = match &filter.tag {
            Some((key, value)) => (Some(key.trim()), value.as_deref()),
            None => (None, None),
        };
        let mut statement = conn.prepare_cached(&format!(
            "SELECT m.id, m.name, m.description, m.created_at, m.created_by,
                (SELECT count(*) FROM model_versions v
                 WHERE v.model_id = m.id AND v.deleted_at IS NULL),
                (SELECT max(v.version) FROM model_versions v
                 WHERE v.model_id = m.id AND v.deleted_at IS NULL),
                (SELECT json_group_object(key, value) FROM model_tags WHERE model_id = m.id),
                ({CURRENT_IN_STAGE}),
                ({CURRENT_IN_STAGE_2})
             FROM registered_models m
             WHERE (?1 IS NULL OR instr(lower(m.name), lower(?1)) > 0
                    OR instr(lower(m.description), lower(?1)) > 0)
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM model_versions v
                    WHERE v.model_id = m.id AND v.stage = ?2 AND v.deleted_at IS NULL))
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM model_tags t
                    WHERE t.model_id = m.id AND t.key = ?3 AND (?4 IS NULL OR t.value = ?4)))
             ORDER BY m.name COLLATE NOCASE, m.name",
            CURRENT_IN_STAGE = current_in_stage_sql("m.id", "'production'"),
            CURRENT_IN_STAGE_2 = current_in_stage_sql("m.id", "'staging'"),
        ))?;
        let rows = statement.query_map(
            params![search, filter.stage.map(Stage::name), tag_key, tag_value],
            |row| {
                Ok(ModelSummary {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    description: row.get(2)?,
                    created_at: row.get(3)?,
                    created_by: row.get(4)?,
                    versions: row.get(5)?,
                    latest_version: row.get(6)?,
                    production_version: row.get(8)?,
                    staging_version: row.get(9)?,
                    tags: tags_from_json(row.get(7)?),
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One page of the versions `query` asks for (deleted versions are never listed).
    pub fn versions(&self, query: &VersionQuery) -> Result<Vec<VersionSummary>, CatalogError> {
        let (sql, values) = version_page_sql(self, query)?;
        let mut statement = self.conn().prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values), version_summary)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How SQLite runs [`Catalog::versions`] for `query`: the steps of its query plan, joined
    /// by "; " (the tests and the benchmark check that a page walks an index, unsorted).
    pub fn versions_plan(&self, query: &VersionQuery) -> Result<String, CatalogError> {
        let (sql, values) = version_page_sql(self, query)?;
        let mut statement = self.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let steps = statement.query_map(params_from_iter(values), |row| row.get::<_, String>(3))?;
        Ok(steps.collect::<Result<Vec<_>, _>>()?.join("; "))
    }

    /// How many versions `query` matches over all its pages.
    pub fn version_count(&self, query: &VersionQuery) -> Result<u64, CatalogError> {
        let (clause, values) = version_filter(self, query)?;
        let sql = format!("SELECT count(*) FROM model_versions v{clause}");
        let n: i64 = self
            .conn()
            .prepare_cached(&sql)?
            .query_row(params_from_iter(values), |row| row.get(0))?;
        Ok(n.max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{sample_version, temp_catalog};
    use super::*;

    #[test]
    fn versions_filter_sort_and_page() {
        let (_dir, mut catalog) = temp_catalog();
        for (model, accuracy) in [
            ("churn", 0.7),
            ("churn", 0.9),
            ("churn", 0.8),
            ("fraud", 0.95),
        ] {
            catalog.register(model, &sample_version(accuracy)).unwrap();
        }
        catalog
            .set_stage("churn", 2, Stage::Staging, false, None)
            .unwrap();
        let by_accuracy = VersionQuery {
            model: Some("churn".into()),
            sort: VersionSort::Metric("accuracy".into()),
            descending: true,
            ..VersionQuery::default()
        };
        let numbers = |q: &VersionQuery| -> Vec<i64> {
            catalog
                .versions(q)
                .unwrap()
                .iter()
                .map(|v| v.version)
                .collect()
        };
        assert_eq!(numbers(&by_accuracy), vec![2, 3, 1]);
        let by_loss = VersionQuery {
            sort: VersionSort::Metric("log_loss".into()),
            ..by_accuracy.clone()
        };
        assert_eq!(numbers(&by_loss), vec![1, 3, 2]);
        // A metric without an index sorts the same way, by scanning.
        let by_other = VersionQuery {
            model: None,
            sort: VersionSort::Metric("no_such_metric".into()),
            ..VersionQuery::default()
        };
        assert_eq!(catalog.versions(&by_other).unwrap().len(), 4);
        let second_page = VersionQuery {
            page: Page {
                offset: 1,
                limit: 1,
            },
            ..by_accuracy.clone()
        };
        assert_eq!(numbers(&second_page), vec![3]);
        let staging = VersionQuery {
            stage: Some(Stage::Staging),
            ..VersionQuery::default()
        };
        let listed = catalog.versions(&staging).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].metrics["accuracy"], 0.9);
        assert_eq!(listed[0].algorithm.as_deref(), Some("logistic_regression"));
        assert_eq!(listed[0].dataset_name.as_deref(), Some("iris"));
        assert_eq!(catalog.version_count(&VersionQuery::default()).unwrap(), 4);
        assert!(matches!(
            catalog.versions(&VersionQuery::of_model("nope")),
            Err(CatalogError::UnknownModel(_))
        ));
    }

    #[test]
    fn undefined_metrics_sort_last_in_both_directions() {
        let (_dir, mut catalog) = temp_catalog();
        // Versions 1..=4; 2 and 4 have undefined metrics (NaN is stored as null).
        for accuracy in [0.7, f64::NAN, 0.9, f64::NAN] {
            let mut version = sample_version(accuracy);
            version.metrics_json = serde_json::json!({
                "mean": { "accuracy": accuracy, "log_loss": 1.0 - accuracy, "mcc": accuracy },
            })
            .to_string();
            catalog.register("churn", &version).unwrap();
        }
        for version in 1..=4 {
            catalog
                .set_stage("churn", version, Stage::Staging, false, None)
                .unwrap();
        }
        let numbers = |metric: &str, descending: bool, stage: Option<Stage>| -> Vec<i64> {
            let query = VersionQuery {
                model: Some("churn".into()),
                stage,
                sort: VersionSort::Metric(metric.into()),
                descending,
                ..VersionQuery::default()
            };
            catalog
                .versions(&query)
                .unwrap()
                .iter()
                .map(|v| v.version)
                .collect()
        };
        for stage in [None, Some(Stage::Staging)] {
            // A loss, lowest first: the undefined ones do not look best.
            assert_eq!(numbers("log_loss", false, stage), vec![3, 1, 2, 4]);
            assert_eq!(numbers("log_loss", true, stage), vec![1, 3, 4, 2]);
            assert_eq!(numbers("accuracy", true, stage), vec![3, 1, 4, 2]);
            assert_eq!(numbers("accuracy", false, stage), vec![1, 3, 2, 4]);
            // A metric without an index: the same rule.
            assert_eq!(numbers("mcc", false, stage), vec![1, 3, 2, 4]);
            assert_eq!(numbers("mcc", true, stage), vec![3, 1, 4, 2]);
        }
    }

    #[test]
    fn sorting_by_an_indexed_metric_uses_its_index_with_or_without_a_stage() {
        let (_dir, catalog) = temp_catalog();
        let plan = |query: &VersionQuery| catalog.versions_plan(query).unwrap();
        // Both directions: undefined values last does not cost the index.
        for (metric, descending) in [("accuracy", true), ("log_loss", false)] {
            let best_first = VersionQuery {
                sort: VersionSort::Metric(metric.into()),
                descending,
                ..VersionQuery::default()
            };
            let all = plan(&best_first);
            assert!(
                all.contains(&format!("model_versions_by_{metric}")),
                "{all}"
            );
            assert!(!all.contains("TEMP B-TREE"), "{all}");
            let in_stage = plan(&VersionQuery {
                stage: Some(Stage::Archived),
                ..best_first
            });
            assert!(
                in_stage.contains(&format!("model_versions_by_stage_{metric}")),
                "{in_stage}"
            );
            assert!(!in_stage.contains("TEMP B-TREE"), "{in_stage}");
        }
    }

    #[test]
    fn models_filter_by_text_stage_and_tag() {
        let (_dir, mut catalog) = temp_catalog();
        for model in ["churn", "fraud", "Churn-eu"] {
            catalog.register(model, &sample_version(0.8)).unwrap();
        }
        catalog
            .set_stage("fraud", 1, Stage::Production, true, None)
            .unwrap();
        catalog.set_model_tag("churn", "team", "retention").unwrap();
        catalog
            .set_model_description("fraud", "Card **fraud** scores")
            .unwrap();
        let names = |filter: ModelFilter| -> Vec<String> {
            catalog
                .models(&filter)
                .unwrap()
                .into_iter()
                .map(|m| m.name)
                .collect()
        };
        assert_eq!(
            names(ModelFilter::default()),
            vec!["churn", "Churn-eu", "fraud"]
        );
        let search = |text: &str| ModelFilter {
            search: Some(text.into()),
            ..ModelFilter::default()
        };
        assert_eq!(names(search("CHURN")), vec!["churn", "Churn-eu"]);
        assert_eq!(names(search("card")), vec!["fraud"]);
        let production = ModelFilter {
            stage: Some(Stage::Production),
            ..ModelFilter::default()
        };
        assert_eq!(names(production), vec!["fraud"]);
        let tagged = |value: Option<&str>| ModelFilter {
            tag: Some(("team".into(), value.map(String::from))),
            ..ModelFilter::default()
        };
        assert_eq!(names(tagged(None)), vec!["churn"]);
        assert_eq!(names(tagged(Some("retention"))), vec!["churn"]);
        assert!(names(tagged(Some("risk"))).is_empty());
        let fraud = &catalog.models(&search("fraud")).unwrap()[0];
        assert_eq!(fraud.production_version, Some(1));
        assert_eq!(fraud.versions, 1);
    }
}
