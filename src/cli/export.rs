//! `modeldesk export`: a registered version, recipe and model together, as one ONNX file.

use std::path::PathBuf;

use super::CatalogArg;
use crate::export::onnx::{self, ExportError};

/// Options of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The version: MODEL@VERSION (churn@3) or MODEL@STAGE (churn@production).
    #[arg(value_name = "MODEL@VERSION")]
    pub reference: String,
    /// The ONNX file to write.
    #[arg(long, value_name = "OUT.onnx")]
    pub onnx: PathBuf,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// `modeldesk export`.
pub fn export(args: &ExportArgs) -> anyhow::Result<()> {
    let catalog = args.catalog.open()?;
    let found = catalog.resolve(&args.reference)?;
    let exported = onnx::export_version(&catalog, &found, &args.onnx).map_err(|e| match e {
        // Catalog mistakes (an unknown version, a changed artifact) keep their exit status.
        ExportError::Catalog(catalog) => anyhow::Error::from(catalog),
        other => other.into(),
    })?;
    println!(
        "exported {} version {} to {} ({} input column{}, {}, {})",
        found.model,
        found.version,
        args.onnx.display(),
        exported.inputs,
        if exported.inputs == 1 { "" } else { "s" },
        match exported.classes {
            0 => "regression".to_string(),
            k => format!("{k} classes"),
        },
        human_bytes(exported.bytes)
    );
    Ok(())
}

fn human_bytes(bytes: usize) -> String {
    if bytes < 10_000 {
        format!("{bytes} bytes")
    } else if bytes < 10_000_000 {
        format!("{} kB", bytes / 1000)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}
