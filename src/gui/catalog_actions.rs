//! The window's door to the model catalog: which file is open (opened on first use), and
//! every change to it — registering a run, stages, roll back, deletion, notes — applied in
//! one place. Views read the catalog and send [`CatalogCommand`]s.

use std::path::PathBuf;
use std::sync::Arc;

use super::app::ModeldeskApp;
use super::command::{CatalogCommand, View};
use crate::catalog::{self, record, Catalog, CatalogError};
use crate::data;
use crate::jobs::TrainingRun;

/// The catalog the window uses, and whether opening it failed.
#[derive(Default)]
pub struct CatalogSlot {
    pub catalog: Option<Catalog>,
    /// Why the last attempt to open failed (shown in the Catalog view).
    pub error: Option<String>,
    /// Counts every change, so views know when to read again.
    pub generation: u64,
    tried: bool,
}

impl ModeldeskApp {
    /// The path the catalog is (or will be) read from.
    pub fn catalog_path(&self) -> Option<PathBuf> {
        match (&self.catalog.catalog, &self.settings.catalog_path) {
            (Some(open), _) => Some(open.path().to_path_buf()),
            (None, Some(path)) => Some(path.clone()),
            (None, None) => catalog::resolve_path(None).ok(),
        }
    }

    /// Open the catalog if it is not open yet (once; a failure is remembered and shown).
    pub fn ensure_catalog(&mut self) {
        if self.catalog.catalog.is_some() || self.catalog.tried {
            return;
        }
        self.catalog.tried = true;
        let path = match &self.settings.catalog_path {
            Some(path) => Ok(path.clone()),
            None => catalog::resolve_path(None),
        };
        self.open_catalog_at(path);
    }

    fn open_catalog_at(&mut self, path: Result<PathBuf, CatalogError>) {
        let opened = path.and_then(|path| {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| CatalogError::Io {
                    path: dir.display().to_string(),
                    message: e.to_string(),
                })?;
            }
            Catalog::open(&path)
        });
        match opened {
            Ok(catalog) => {
                self.settings.catalog_path = Some(catalog.path().to_path_buf());
                self.catalog.catalog = Some(catalog);
                self.catalog.error = None;
            }
            Err(e) => {
                self.catalog.catalog = None;
                self.catalog.error = Some(e.to_string());
            }
        }
        self.catalog.generation += 1;
    }

    /// Apply one change to the catalog; failures become messages.
    pub(super) fn apply_catalog(&mut self, command: CatalogCommand) {
        if let CatalogCommand::PickFile { new } = command {
            let dialog = rfd::FileDialog::new()
                .set_title(if new { "New catalog" } else { "Open catalog" })
                .add_filter("Modeldesk catalog", &["sqlite", "db"]);
            let picked = if new {
                dialog.set_file_name("catalog.sqlite").save_file()
            } else {
                dialog.pick_file()
            };
            if let Some(path) = picked {
                self.apply_catalog(CatalogCommand::Open(path));
            }
            return;
        }
        if let CatalogCommand::Open(path) = command {
            self.catalog.tried = true;
            self.open_catalog_at(Ok(path));
            if let Some(error) = self.catalog.error.clone() {
                self.error(error);
            }
            self.settings.view = View::Catalog;
            return;
        }
        self.ensure_catalog();
        let result = self.change_catalog(command);
        self.catalog.generation += 1;
        if let Err(message) = result {
            self.error(message);
        }
    }

    fn change_catalog(&mut self, command: CatalogCommand) -> Result<(), String> {
        let Some(catalog) = self.catalog.catalog.as_mut() else {
            return Err(self
                .catalog
                .error
                .clone()
                .unwrap_or_else(|| "no catalog is open".into()));
        };
        let text = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        match command {
            // Counting a change is all it takes: the views read again.
            CatalogCommand::PickFile { .. } | CatalogCommand::Open(_) | CatalogCommand::Reload => {
                Ok(())
            }
            CatalogCommand::Register {
                run,
                model,
                description,
            } => {
                let Some(index) = self.runs.iter().position(|r| r.id == run) else {
                    return Err(format!("run #{run} is no longer in this session"));
                };
                let trained = &self.runs[index];
                let Some(table) = &trained.table else {
                    return Err(format!("{} is already a catalog version", trained.title()));
                };
                let profile = self
                    .datasets
                    .iter()
                    .find(|d| Arc::ptr_eq(&d.table, table) || d.table.source == table.source)
                    .map(|d| d.profile.clone())
                    .unwrap_or_else(|| data::profile_table(table));
                let mut new = record::lineage(table, &profile)
                    .and_then(|lineage| {
                        record::new_version(&trained.evaluation, &trained.model, lineage)
                    })
                    .map_err(|e| e.to_string())?;
                new.description = text(&description);
                let registered = catalog
                    .register(model.trim(), &new)
                    .map_err(|e| e.to_string())?;
                self.runs[index].registered = Some((registered.model.clone(), registered.version));
                self.messages.push(super::app::Message {
                    text: format!(
                        "registered {} as {} version {}",
                        self.runs[index].title(),
                        registered.model,
                        registered.version
                    ),
                    is_error: false,
                });
                Ok(())
            }
            CatalogCommand::SetStage {
                model,
                version,
                stage,
                archive_existing,
                comment,
            } => catalog
                .set_stage(
                    &model,
                    version,
                    stage,
                    archive_existing,
                    text(&comment).as_deref(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string()),
            CatalogCommand::RollBack { model, comment } => catalog
                .roll_back(&model, text(&comment).as_deref())
                .map(|_| ())
                .map_err(|e| e.to_string()),
            CatalogCommand::Delete {
                model,
                version,
                comment,
            } => catalog
                .delete_version(&model, version, text(&comment).as_deref())
                .map(|_| ())
                .map_err(|e| e.to_string()),
            CatalogCommand::SetDescription {
                model,
                version,
                text,
            } => catalog
                .set_description(&model, version, text.trim())
                .map_err(|e| e.to_string()),
            CatalogCommand::SetTag {
                model,
                version,
                key,
                value,
            } => catalog
                .set_tag(&model, version, key.trim(), value.trim())
                .map_err(|e| e.to_string()),
            CatalogCommand::RemoveTag {
                model,
                version,
                key,
            } => catalog
                .remove_tag(&model, version, &key)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            CatalogCommand::ExportReport(versions) => {
                let refs = versions
                    .iter()
                    .map(|(model, version)| {
                        catalog
                            .version(model, *version)
                            .map(|d| d.summary)
                            .map(|s| catalog::VersionRef {
                                model: s.model,
                                version: s.version,
                                id: s.id,
                            })
                            .map_err(|e| e.to_string())
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let name = match versions.as_slice() {
                    [(model, version)] => format!("{model}-v{version}-report.html"),
                    _ => "model-comparison-report.html".to_string(),
                };
                let Some(out) = rfd::FileDialog::new()
                    .set_title("Export report")
                    .set_file_name(name)
                    .add_filter("HTML", &["html"])
                    .save_file()
                else {
                    return Ok(());
                };
                let path = catalog.path().to_path_buf();
                let repaint = self.repaint_handle();
                self.jobs.start_report(path, refs, out, repaint)
            }
            CatalogCommand::Compare(versions) => {
                let mut next = self.runs.iter().map(|r| r.id).max().unwrap_or(0) + 1;
                for (model, version) in versions {
                    let detail = catalog
                        .version(&model, version)
                        .map_err(|e| e.to_string())?;
                    let evaluation =
                        record::stored_evaluation(&detail).map_err(|e| e.to_string())?;
                    let trained = record::load_model(catalog, detail.summary.id)
                        .map_err(|e| e.to_string())?;
                    let id = match self.runs.iter().find(|r| {
                        r.table.is_none() && r.registered == Some((model.clone(), version))
                    }) {
                        Some(run) => run.id,
                        None => {
                            self.runs.push(TrainingRun {
                                id: next,
                                dataset: detail
                                    .summary
                                    .dataset_name
                                    .clone()
                                    .unwrap_or_else(|| model.clone()),
                                evaluation,
                                model: trained,
                                table: None,
                                registered: Some((model.clone(), version)),
                                stored_curves: record::StoredCurves::read(&detail.curves_json),
                            });
                            next += 1;
                            next - 1
                        }
                    };
                    if !self.ticked_runs.contains(&id) {
                        self.ticked_runs.push(id);
                    }
                }
                self.settings.view = View::Compare;
                Ok(())
            }
        }
    }
}
