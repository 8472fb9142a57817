//! Exporting a model from the window: where to (asked with a file dialog), then the ONNX
//! file, or a tree's rules as text, written by a job.

use std::path::PathBuf;

use super::app::ModeldeskApp;
use super::command::ScoreSource;
use super::file_dialog::{FileFor, FileRequest};
use crate::export::onnx::ExportSource;
use crate::jobs::OnnxExport;

impl ModeldeskApp {
    /// Ask where to write the ONNX file of `source`, then export it there.
    pub(super) fn ask_export_onnx(&mut self, source: ScoreSource) {
        let name = match &source {
            ScoreSource::Version { model, version } => format!("{model}-v{version}.onnx"),
            ScoreSource::Run(id) => match self.runs.iter().find(|r| r.id == *id) {
                Some(run) => format!("{}-{}.onnx", run.dataset, run.model.spec.name()),
                None => "model.onnx".into(),
            },
        };
        self.ask_file(FileRequest::save(
            FileFor::SaveOnnx(source),
            "Export ONNX model",
            ("ONNX", &["onnx"]),
            name,
        ));
    }

    /// Ask where to write a tree's rules, offering `name`, then write them there.
    pub(super) fn ask_export_rules(&mut self, name: String, rules: String) {
        self.ask_file(FileRequest::save(
            FileFor::SaveRules(rules),
            "Export rules",
            ("Text", &["txt"]),
            name,
        ));
    }

    /// Write a tree's rules as text to `path`, as a job.
    pub(super) fn save_rules(&mut self, rules: String, path: PathBuf) {
        if let Err(message) =
            self.jobs
                .start_text_export("rules", rules, path, self.repaint_handle())
        {
            self.error(message);
        }
    }

    /// Write `source` as one ONNX file to `path`, as a job.
    pub(super) fn export_onnx(&mut self, source: ScoreSource, path: PathBuf) {
        let what = match self.onnx_export(source) {
            Ok(what) => what,
            Err(message) => return self.error(message),
        };
        if let Err(message) = self
            .jobs
            .start_onnx_export(what, path, self.repaint_handle())
        {
            self.error(message);
        }
    }

    fn onnx_export(&mut self, source: ScoreSource) -> Result<OnnxExport, String> {
        let version = match source {
            ScoreSource::Version { model, version } => (model, version),
            ScoreSource::Run(id) => {
                let run = self
                    .runs
                    .iter()
                    .find(|r| r.id == id)
                    .ok_or_else(|| format!("run #{id} is no longer open"))?;
                match (&run.registered, &run.table) {
                    // A version read back from the catalog is exported from there.
                    (Some(registered), None) => registered.clone(),
                    (registered, _) => {
                        let (model, version) = match registered {
                            Some((model, version)) => (model.clone(), Some(*version)),
                            None => (run.dataset.clone(), None),
                        };
                        return Ok(OnnxExport::Run {
                            model: Box::new(run.model.clone()),
                            source: ExportSource {
                                model,
                                version,
                                dataset: Some(run.dataset.clone()),
                                artifact_checksum: String::new(),
                            },
                        });
                    }
                }
            }
        };
        Ok(OnnxExport::Version {
            catalog: self.open_catalog_path()?,
            reference: format!("{}@{}", version.0, version.1),
        })
    }
}
