//! The HTML report of catalog versions, written by a job with its own connection.

use std::path::PathBuf;

use super::{file_name, JobOutcome, Jobs, Repaint};

/// The versions a report covers: found already, or named and found by the job.
enum ReportOf {
    Found(Vec<crate::catalog::VersionRef>),
    Named(Vec<(String, i64)>),
}

impl ReportOf {
    fn find(
        self,
        catalog: &crate::catalog::Catalog,
    ) -> Result<Vec<crate::catalog::VersionRef>, crate::catalog::CatalogError> {
        match self {
            ReportOf::Found(found) => Ok(found),
            ReportOf::Named(named) => named
                .iter()
                .map(|(model, version)| catalog.resolve(&format!("{model}@{version}")))
                .collect(),
        }
    }
}

impl Jobs {
    /// Render an HTML report of catalog versions to `out`, on a worker thread with its own
    /// connection to the catalog file.
    pub fn start_report(
        &mut self,
        catalog: PathBuf,
        versions: Vec<crate::catalog::VersionRef>,
        out: PathBuf,
        policy: crate::report::SharePolicy,
        repaint: Repaint,
    ) -> Result<(), String> {
        self.report(catalog, ReportOf::Found(versions), out, policy, repaint)
    }

    /// Render an HTML report of versions named by model and number, found by the job.
    pub fn start_report_of(
        &mut self,
        catalog: PathBuf,
        versions: Vec<(String, i64)>,
        out: PathBuf,
        policy: crate::report::SharePolicy,
        repaint: Repaint,
    ) -> Result<(), String> {
        self.report(catalog, ReportOf::Named(versions), out, policy, repaint)
    }

    fn report(
        &mut self,
        catalog: PathBuf,
        versions: ReportOf,
        out: PathBuf,
        policy: crate::report::SharePolicy,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("report:{}", out.display());
        let title = format!("Writing {}", file_name(&out));
        self.spawn(key, title, repaint.clone(), move |progress| {
            use std::sync::atomic::Ordering;
            let job = format!("report {}", file_name(&out));
            progress.total.store(1000, Ordering::Relaxed);
            progress.set_stage("reading the catalog");
            let html = crate::catalog::Catalog::open(&catalog)
                .and_then(|catalog| {
                    let versions = versions.find(&catalog)?;
                    Ok((catalog, versions))
                })
                .map_err(|e| e.to_string())
                .and_then(|(catalog, versions)| {
                    crate::report::render_versions(&catalog, &versions, &policy, &mut |f| {
                        progress.done.store((f * 1000.0) as u64, Ordering::Relaxed);
                        repaint();
                        !progress.cancel.load(Ordering::Relaxed)
                    })
                    .map_err(|e| e.to_string())
                });
            if progress.cancel.load(Ordering::Relaxed) {
                return JobOutcome::Cancelled { job };
            }
            match html.and_then(|html| std::fs::write(&out, html).map_err(|e| e.to_string())) {
                Ok(()) => JobOutcome::Saved {
                    what: "report".into(),
                    path: out,
                },
                Err(message) => JobOutcome::Failed { job, message },
            }
        })
    }
}
