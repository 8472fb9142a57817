//! `modeldesk report`: one self-contained HTML file about one version or a comparison of
//! several, and the metric table as CSV or JSON beside it when asked.

use std::path::{Path, PathBuf};

use super::CatalogArg;
use crate::report::{self, ReportError};

/// Options of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The versions: MODEL@VERSION (churn@3), MODEL@STAGE (churn@production) or MODEL (its
    /// latest version); several make a comparison.
    #[arg(required = true, value_name = "MODEL@VERSION")]
    pub versions: Vec<String>,
    /// The HTML file to write.
    #[arg(short = 'o', long = "output", value_name = "OUT.html")]
    pub output: PathBuf,
    /// Also write the metric table as CSV here.
    #[arg(long, value_name = "PATH")]
    pub metrics_csv: Option<PathBuf>,
    /// Also write the metric table as JSON here.
    #[arg(long, value_name = "PATH")]
    pub metrics_json: Option<PathBuf>,
    /// Show each training column's exact minimum, maximum and histogram edges and every
    /// level (by default: the 0.5th and 99.5th percentiles, each a mean of 5 values, and
    /// only levels held by at least 5 rows).
    #[arg(long)]
    pub exact_values: bool,
    /// Show files with their full paths (by default: file names only).
    #[arg(long)]
    pub full_paths: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// A report failure as the command line reports it (catalog mistakes exit 2).
fn cli_error(error: ReportError) -> anyhow::Error {
    match error {
        ReportError::Catalog(catalog) => catalog.into(),
        other => other.into(),
    }
}

/// `modeldesk report`.
pub fn report(args: &ReportArgs) -> anyhow::Result<()> {
    let catalog = args.catalog.open()?;
    let versions = args
        .versions
        .iter()
        .map(|reference| catalog.resolve(reference))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = report::SharePolicy {
        exact_values: args.exact_values,
        full_paths: args.full_paths,
    };
    let html =
        report::render_versions(&catalog, &versions, &policy, &mut |_| true).map_err(cli_error)?;
    write(&args.output, &html)?;
    if args.metrics_csv.is_some() || args.metrics_json.is_some() {
        let columns = report::metric_columns(&catalog, &versions).map_err(cli_error)?;
        if let Some(path) = &args.metrics_csv {
            write(path, &report::metrics_csv(&columns))?;
        }
        if let Some(path) = &args.metrics_json {
            write(path, &format!("{:#}\n", report::metrics_json(&columns)))?;
        }
    }
    let labels: Vec<String> = versions
        .iter()
        .map(|v| format!("{} version {}", v.model, v.version))
        .collect();
    println!(
        "report on {} written to {}",
        labels.join(", "),
        args.output.display()
    );
    Ok(())
}
