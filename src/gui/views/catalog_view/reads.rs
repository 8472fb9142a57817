//! What the Catalog view last received from the catalog, and which reads it still waits for.
//! The view never reads the catalog itself: [`CatalogRead::wanted`] says what to read when
//! the view's choices or the catalog changed, a catalog job reads it
//! ([`crate::jobs::catalog_read`]), and [`CatalogRead::take_list`] and
//! [`CatalogRead::take_model`] keep the answer to the latest question only.

use std::collections::BTreeMap;

use crate::catalog::{HistoryEntry, LiveAlert, MlflowSync, ModelSummary, VersionSummary};
use crate::jobs::catalog_read::{CatalogQuery, ModelList, ModelRead, VersionPage};
use crate::jobs::CatalogWork;

/// Everything the view shows, as last received.
#[derive(Default)]
pub struct CatalogRead {
    /// The latest questions asked of the list and the page, and those answered.
    list_asked: Option<CatalogQuery>,
    list_answered: Option<CatalogQuery>,
    model_asked: Option<CatalogQuery>,
    model_answered: Option<CatalogQuery>,
    pub models: Vec<ModelSummary>,
    /// Features at warning or drift in each model's latest live window, by model.
    pub alerts: BTreeMap<String, Vec<LiveAlert>>,
    /// The chosen model's versions, in the order chosen.
    pub versions: Vec<VersionSummary>,
    /// The metrics the listed versions have some of, headline ones first.
    pub metric_names: Vec<String>,
    /// The chosen model's history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The chosen version's page.
    pub page: Option<VersionPage>,
    /// The chosen model's versions pushed to the MLflow server of the settings, by number.
    pub synced: BTreeMap<i64, MlflowSync>,
    /// Why the last read failed.
    pub error: Option<String>,
}

impl CatalogRead {
    /// The reads `query` needs that were not asked for yet (asking marks them asked).
    pub fn wanted(&mut self, query: &CatalogQuery) -> Vec<CatalogWork> {
        let mut work = Vec::new();
        let list = query.list_part();
        if self.list_asked.as_ref() != Some(&list) {
            self.list_asked = Some(list.clone());
            work.push(CatalogWork::ReadList(list));
        }
        let model = query.model_part();
        if self.model_asked.as_ref() != Some(&model) {
            self.model_asked = Some(model.clone());
            if model.model.is_some() {
                work.push(CatalogWork::ReadModel(model));
            } else {
                // Nothing chosen: nothing to read.
                self.put_model(ModelRead::default());
                self.model_answered = self.model_asked.clone();
            }
        }
        work
    }

    /// Whether an answer is still awaited.
    pub fn waiting(&self) -> bool {
        self.list_asked != self.list_answered || self.model_asked != self.model_answered
    }

    /// Whether anything was received yet.
    pub fn received(&self) -> bool {
        self.list_answered.is_some()
    }

    /// Keep a model list read for `query`, if it answers the latest question; whether a
    /// list was kept.
    pub fn take_list(&mut self, query: CatalogQuery, list: Result<ModelList, String>) -> bool {
        if self.list_asked.as_ref() != Some(&query) {
            return false;
        }
        self.list_answered = Some(query);
        match list {
            Ok(list) => {
                self.models = list.models;
                self.alerts = list.alerts;
                self.error = None;
                true
            }
            Err(e) => {
                self.error = Some(format!("the catalog could not be read: {e}"));
                false
            }
        }
    }

    /// Keep a model page read for `query`, if it answers the latest question; whether a
    /// page was kept.
    pub fn take_model(
        &mut self,
        query: CatalogQuery,
        read: Result<Box<ModelRead>, String>,
    ) -> bool {
        if self.model_asked.as_ref() != Some(&query) {
            return false;
        }
        self.model_answered = Some(query);
        match read {
            Ok(read) => {
                self.put_model(*read);
                true
            }
            Err(e) => {
                self.error = Some(format!("the catalog could not be read: {e}"));
                false
            }
        }
    }

    fn put_model(&mut self, read: ModelRead) {
        self.versions = read.versions;
        self.metric_names = read.metric_names;
        self.history = read.history;
        self.page = read.page;
        self.synced = read.synced;
    }

    /// Forget every answer, so that the next [`CatalogRead::wanted`] asks again (another
    /// catalog was opened).
    pub fn forget(&mut self) {
        *self = CatalogRead::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(generation: u64, model: Option<&str>) -> CatalogQuery {
        CatalogQuery {
            generation,
            model: model.map(str::to_string),
            ..CatalogQuery::default()
        }
    }

    fn page_read(versions: usize) -> Box<ModelRead> {
        let (_dir, mut catalog) = crate::catalog::temp_catalog();
        for _ in 0..versions {
            catalog
                .register("churn", &crate::catalog::sample_version(0.9))
                .unwrap();
        }
        let read = crate::jobs::catalog_read::read_model(&catalog, &query(0, Some("churn")));
        Box::new(read.unwrap())
    }

    #[test]
    fn a_question_is_asked_once_until_what_it_depends_on_changes() {
        let mut read = CatalogRead::default();
        let asked = read.wanted(&query(0, Some("churn")));
        assert!(matches!(
            asked.as_slice(),
            [CatalogWork::ReadList(_), CatalogWork::ReadModel(_)]
        ));
        assert!(read.waiting() && !read.received());
        assert!(read.wanted(&query(0, Some("churn"))).is_empty());
        let mut searching = query(0, Some("churn"));
        searching.search = "ch".into();
        let asked = read.wanted(&searching);
        assert!(
            matches!(asked.as_slice(), [CatalogWork::ReadList(_)]),
            "a filter re-reads the list only"
        );
        let asked = read.wanted(&query(1, Some("churn")));
        assert_eq!(asked.len(), 2, "a write (a new generation) re-reads both");
    }

    #[test]
    fn only_the_answer_to_the_latest_question_is_kept() {
        let mut read = CatalogRead::default();
        read.wanted(&query(0, Some("churn")));
        read.wanted(&query(1, Some("churn")));
        // The first question's answer arrives after the second was asked: dropped.
        read.take_model(query(0, Some("churn")).model_part(), Ok(page_read(1)));
        assert!(read.versions.is_empty());
        read.take_model(query(1, Some("churn")).model_part(), Ok(page_read(2)));
        assert_eq!(read.versions.len(), 2);
        read.take_list(query(1, Some("churn")).list_part(), Err("busy".into()));
        assert!(read.error.as_deref().unwrap().contains("busy"));
        assert!(!read.waiting());
    }

    #[test]
    fn choosing_no_model_clears_the_page_without_a_read() {
        let mut read = CatalogRead::default();
        read.wanted(&query(0, Some("churn")));
        read.take_model(query(0, Some("churn")).model_part(), Ok(page_read(1)));
        assert_eq!(read.versions.len(), 1);
        let asked = read.wanted(&query(0, None));
        assert!(asked.is_empty());
        assert!(read.versions.is_empty());
    }
}
