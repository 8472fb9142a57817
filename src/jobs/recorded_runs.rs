//! The window's recorded runs, as catalog work: recording what a training job produced
//! (finished, failed or cancelled), listing the runs, and reading runs back for Compare.

use std::sync::Arc;

use super::{TrainingRun, UnfinishedRun};
use crate::catalog::record::{self, StoredCurves};
use crate::catalog::{Catalog, CatalogError, DatasetLineage, RunFilter, RunSummary};
use crate::data::{self, Profile, Table};
use crate::ml::learned::what_it_learned;

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
