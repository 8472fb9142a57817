//! `modeldesk explain --shap`: why a version's predictions differ over the rows of a file —
//! each column's mean absolute contribution, the most influential first, with each row's
//! value and contribution in the JSON (the points of a beeswarm plot).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::UsageError;
use crate::catalog::Catalog;
use crate::catalog::VersionRef;
use crate::data;
use crate::ml::contributions::{column_values, summarise, ClassChoice, Summary, DEFAULT_SAMPLES};
use crate::ml::trained::TrainedModel;
use crate::score::explained::explain_table;

/// The summary over at most `max_rows` rows (evenly spaced) of `data`, or of the file the
/// version was trained on if it is still there unchanged.
pub fn summary(
    catalog: &Catalog,
    found: &VersionRef,
    model: &TrainedModel,
    data: Option<&PathBuf>,
    max_rows: usize,
    seed: u64,
) -> anyhow::Result<(PathBuf, Summary)> {
    let (path, fingerprint) =
        match data {
            Some(path) => (path.clone(), None),
            None => match catalog.version(&found.model, found.version)?.dataset {
                Some(lineage) => (PathBuf::from(lineage.path), Some(lineage.fingerprint)),
                None => return Err(UsageError(
                    "this version does not say which file it was trained on: give one with --data"
                        .into(),
                )
                .into()),
            },
        };
    let table = data::import_csv(&path, &model.scoring_options(), &data::Progress::default())?;
    if fingerprint.is_some_and(|f| f != table.fingerprint) {
        return Err(UsageError(format!(
            "{} has changed since the version was trained on it: give the rows to explain \
             with --data",
            path.display()
        ))
        .into());
    }
    if max_rows == 0 {
        return Err(UsageError("--shap-rows must be at least 1".into()).into());
    }
    let step = table.rows().div_ceil(max_rows).max(1);
    let rows: Vec<usize> = (0..table.rows()).step_by(step).collect();
    let explained = explain_table(
        model,
        &table,
        &rows,
        ClassChoice::Predicted,
        DEFAULT_SAMPLES,
        seed,
        &|_| true,
    )
    .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    let values = column_values(model, &table, &rows);
    Ok((path, summarise(model, &explained.contributions, &values)))
}

/// The summary as `explain` prints it.
pub fn summary_text(path: &std::path::Path, summary: &Summary) -> String {
    let mut out = format!(
        "\nWhy the predictions differ: each column's mean |contribution| over {} rows of {} \
         ({}, in {} of each row's predicted class):\n",
        summary.rows,
        path.display(),
        summary.method.describe(),
        summary
            .unit
            .describe()
            .trim_end_matches(" of the explained class"),
    );
    let width = summary
        .columns
        .iter()
        .map(|c| c.column.len())
        .max()
        .unwrap_or(0);
    for column in &summary.columns {
        let _ = writeln!(out, "  {:width$}  {:.4}", column.column, column.mean_abs);
    }
    out
}
