//! The window's recorded runs, as catalog work: recording what a training job produced
//! (finished, failed or cancelled), listing the runs, and reading runs back for Compare.

use std::sync::Arc;

use super::TrainingRun;
use crate::catalog::record::{self, StoredCurves};
use crate::catalog::{Catalog, CatalogError, DatasetLineage, RunFilter, RunSummary};
use crate::data::{self, Profile, Table};
use crate::ml::learned::what_it_learned;
use crate::ml::spec::ModelSpec;

/// An algorithm of a training job that did not finish: it failed, or the job was cancelled.
#[derive(Debug, Clone)]
pub struct UnfinishedRun {
    pub spec: ModelSpec,
    /// Why it failed; `None` when cancelled.
    pub error: Option<String>,
    /// How long it ran.
    pub seconds: f64,
    pub table: Arc<Table>,
    pub target: String,
}

/// What one training job produced, to record: the session's runs and those unfinished.
#[derive(Debug, Default)]
pub struct RunsToRecord {
    pub finished: Vec<TrainingRun>,
    pub unfinished: Vec<UnfinishedRun>,
    /// The trained table's profile when the window has it; profiled again otherwise.
    pub profile: Option<Profile>,
}

/// The recorded runs as the window lists them, and the choices its filters offer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunList {
    pub runs: Vec<RunSummary>,
    pub datasets: Vec<String>,
    pub algorithms: Vec<String>,
}

/// Record `runs` in one transaction; each session run's id with the id it was recorded as.
pub(super) fn record(
    catalog: &mut Catalog,
    runs: RunsToRecord,
) -> Result<Vec<(u64, i64)>, CatalogError> {
    let mut lineages: Vec<(Arc<Table>, DatasetLineage)> = Vec::new();
    let mut lineage_of = |table: &Arc<Table>| -> Result<DatasetLineage, CatalogError> {
        if let Some((_, lineage)) = lineages.iter().find(|(t, _)| Arc::ptr_eq(t, table)) {
            return Ok(lineage.clone());
        }
        let profile = match &runs.profile {
            Some(profile) => profile.clone(),
            None => data::profile_table(table),
        };
        let lineage = record::lineage(table, &profile)?;
        lineages.push((Arc::clone(table), lineage.clone()));
        Ok(lineage)
    };
    let mut records = Vec::new();
    let mut session_ids = Vec::new();
    for run in &runs.finished {
        let Some(table) = &run.table else { continue };
        let lineage = lineage_of(table)?;
        records.push(record::finished_run(&run.evaluation, &run.model, lineage)?);
        session_ids.push(run.id);
    }
    for run in &runs.unfinished {
        let lineage = lineage_of(&run.table)?;
        let error = run.error.as_deref();
        records.push(record::unfinished_run(
            &run.spec,
            &run.target,
            error,
            run.seconds,
            lineage,
        )?);
    }
    let ids = catalog.record_runs(&records)?;
    Ok(session_ids.into_iter().zip(ids).collect())
}

/// The runs `filter` asks for, and every dataset and algorithm with runs.
pub(super) fn list(catalog: &Catalog, filter: &RunFilter) -> Result<RunList, CatalogError> {
    let (datasets, algorithms) = catalog.run_choices()?;
    Ok(RunList {
        runs: catalog.runs(filter)?,
        datasets,
        algorithms,
    })
}

/// A recorded run as a run for Compare: its stored evaluation and curves, and its model
/// (checksum verified).
pub(super) fn load(catalog: &Catalog, id: i64) -> Result<TrainingRun, CatalogError> {
    let detail = catalog.run(id)?;
    let evaluation = record::run_evaluation(&detail)?;
    let trained = record::load_run_model(catalog, id)?;
    let summary = detail.summary;
    Ok(TrainingRun {
        id: 0,
        dataset: summary.dataset.unwrap_or_else(|| "?".into()),
        evaluation,
        learned: what_it_learned(&trained),
        model: trained,
        table: None,
        registered: summary.version,
        recorded: Some(id),
        stored_curves: StoredCurves::read(detail.curves_json.as_deref().unwrap_or("{}")),
    })
}

#[cfg(test)]
mod tests {
    use super::super::catalog_work::{run_batch, CatalogReply, CatalogWork};
    use super::*;
    use crate::catalog::RunStatus;

    #[test]
    fn a_recorded_run_reads_back_as_the_run_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        let (table, evaluation, model) =
            crate::ml::eval::validated_sample("iris.csv", "species", "naive_bayes");
        let table = Arc::new(table);
        let run = TrainingRun {
            id: 7,
            dataset: table.name.clone(),
            learned: what_it_learned(&model),
            evaluation,
            model,
            table: Some(Arc::clone(&table)),
            registered: None,
            recorded: None,
            stored_curves: StoredCurves::None,
        };
        let failed = UnfinishedRun {
            spec: ModelSpec::from_name("ridge").unwrap(),
            error: Some("no numbers to predict".into()),
            seconds: 0.2,
            table: Arc::clone(&table),
            target: "species".into(),
        };
        let to_record = RunsToRecord {
            finished: vec![run.clone()],
            unfinished: vec![failed],
            profile: None,
        };
        let replies = run_batch(
            &path,
            vec![
                CatalogWork::RecordRuns(Box::new(to_record)),
                CatalogWork::ListRuns(RunFilter::default()),
                CatalogWork::LoadRecordedRuns(vec![1, 2]),
            ],
        );
        assert!(
            matches!(&replies[0], CatalogReply::Recorded(Ok(ids)) if ids == &[(7, 1)]),
            "{replies:?}"
        );
        let CatalogReply::RunList(_, Ok(list)) = &replies[1] else {
            panic!("{replies:?}");
        };
        let statuses: Vec<RunStatus> = list.runs.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [RunStatus::Failed, RunStatus::Finished]);
        assert_eq!(list.datasets, ["iris"]);
        // The failed run has no model to read back.
        assert!(
            matches!(&replies[2], CatalogReply::Runs(Err(e)) if e.contains("run 2 failed")),
            "{replies:?}"
        );
        let replies = run_batch(&path, vec![CatalogWork::LoadRecordedRuns(vec![1])]);
        let [CatalogReply::Runs(Ok(loaded))] = &replies[..] else {
            panic!("{replies:?}");
        };
        let back = &loaded[0];
        assert_eq!(back.recorded, Some(1));
        assert_eq!(back.evaluation.mean, run.evaluation.mean);
        let rows: Vec<usize> = (0..table.rows()).collect();
        let proba = |m: &crate::ml::eval::TrainedModel| m.predict_proba(&table, &rows).unwrap();
        assert_eq!(proba(&back.model), proba(&run.model));
        assert!(matches!(back.stored_curves, StoredCurves::Classes(_)));
    }
}
