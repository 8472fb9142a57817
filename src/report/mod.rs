//! Reports on catalog versions: one self-contained HTML file (inline CSS and SVG charts, no
//! scripts, no external files) for a version or a comparison of several, and the metric
//! table and confusion matrices as CSV or JSON. Nothing here draws a window; the GUI and the
//! command line call the same functions.
//!
//! Every piece of user text — model, column, class, tag names, descriptions — reaches the
//! page through the template engine's HTML escaping (`templates/report.html`) or through
//! the escaping of the chart and Markdown code that builds [`Markup`].

mod charts;
mod explanations;
mod exports;
mod gather;
mod live_section;
mod live_series;
mod markdown;
mod measured_explanations;
mod metric_table;
mod page;
pub mod palette;
mod share_policy;
mod shareable;
mod svg;

pub use charts::short as short_number;
pub use exports::{confusion_csv, metrics_csv, metrics_json};
pub use live_series::{
    clock_step, epoch_seconds, utc_time, FeaturePsi, LiveSeries, LiveTotals, TimeLabel,
};
pub use metric_table::MetricColumn;
pub use share_policy::SharePolicy;
pub use shareable::{shareable, SharedArtifact};

use thiserror::Error;

use crate::catalog::{Catalog, CatalogError, VersionRef};

/// HTML this crate built and escaped itself (a chart, a rendered description): the
/// template inserts it as it is.
type Markup = minijinja::Value;

const TEMPLATE: &str = include_str!("templates/report.html");
const STYLE: &str = include_str!("templates/report.css");

/// Why a report could not be made.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("a report needs at least one version")]
    NoVersions,
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("the report could not be laid out: {0}")]
    Template(String),
    #[error("the report was cancelled")]
    Cancelled,
}

/// The HTML report of `versions` (one, or several side by side, in the order given; a
/// version named twice is shown once), showing of the training data what `policy` allows.
/// `progress` hears the fraction done and returns false to cancel.
pub fn render_versions(
    catalog: &Catalog,
    versions: &[VersionRef],
    policy: &SharePolicy,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<String, ReportError> {
    let mut wanted: Vec<&VersionRef> = Vec::new();
    for v in versions {
        if !wanted
            .iter()
            .any(|w| w.model == v.model && w.version == v.version)
        {
            wanted.push(v);
        }
    }
    if wanted.is_empty() {
        return Err(ReportError::NoVersions);
    }
    let mut gathered = Vec::with_capacity(wanted.len());
    for (i, v) in wanted.iter().enumerate() {
        if !progress(i as f32 / (wanted.len() + 1) as f32) {
            return Err(ReportError::Cancelled);
        }
        gathered.push(gather::read_version(catalog, &v.model, v.version)?);
    }
    if !progress(wanted.len() as f32 / (wanted.len() + 1) as f32) {
        return Err(ReportError::Cancelled);
    }
    let catalog_path = policy.path(&catalog.path().display().to_string());
    let page = page::page(&gathered, catalog_path, utc_now(), policy);
    let html = render_page(&page)?;
    progress(1.0);
    Ok(html)
}

/// The metric table of `versions` as columns for [`metrics_csv`] and [`metrics_json`].
pub fn metric_columns(
    catalog: &Catalog,
    versions: &[VersionRef],
) -> Result<Vec<MetricColumn>, ReportError> {
    versions
        .iter()
        .map(|v| {
            Ok(MetricColumn::from_detail(
                &catalog.version(&v.model, v.version)?,
            ))
        })
        .collect()
}

/// The pooled out-of-fold confusion matrix of a classifier version as CSV; `None` for a
/// regression version or one stored without it.
pub fn version_confusion_csv(
    catalog: &Catalog,
    version: &VersionRef,
) -> Result<Option<String>, ReportError> {
    let read = gather::read_version(catalog, &version.model, version.version)?;
    let Some(metrics) = read
        .evaluation
        .pooled
        .as_ref()
        .and_then(|m| m.classification())
    else {
        return Ok(None);
    };
    let classes: Vec<String> = metrics.per_class.iter().map(|c| c.label.clone()).collect();
    Ok(Some(confusion_csv(&classes, &metrics.confusion)))
}

fn render_page(page: &page::Page) -> Result<String, ReportError> {
    let mut env = minijinja::Environment::new();
    // Every value the templates print is HTML-escaped, whatever a template's file name (the
    // stylesheet prints none).
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)
        .and_then(|_| env.add_template("report.css", STYLE))
        .map_err(|e| ReportError::Template(e.to_string()))?;
    env.get_template("report.html")
        .and_then(|t| t.render(minijinja::value::Serde(page)))
        .map_err(|e| ReportError::Template(e.to_string()))
}

/// Now in UTC, ISO-8601 to the second.
fn utc_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = crate::catalog::civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests;
