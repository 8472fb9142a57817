//! A trained model, recipe and model together, as one ONNX graph that ONNX Runtime (from 1.20
//! on) runs in any language and that predicts what `modeldesk score` predicts.
//!
//! The graph's contract, which wrappers may rely on:
//! - one input per raw column the model uses, named as the column, shape `[N, 1]`: numbers
//!   as `tensor(double)` with NaN for missing, categories and booleans as `tensor(string)`
//!   with `""` for missing;
//! - classifiers: `label` (`tensor(string)`, `[N]`) and `probabilities` (`tensor(double)`,
//!   `[N, K]`, in the class order of the `classes` metadata); regressors: `prediction`
//!   (`tensor(double)`, `[N, 1]`);
//! - IR version 10, operator sets `""` 21 and `ai.onnx.ml` 3; everything in doubles with
//!   standard operators, `ai.onnx.ml` only for string encoding and tree ensembles.

mod boosted;
mod graph;
mod models;
mod proto;
mod recipe;
mod tree_nodes;

use std::path::Path;

use prost::Message as _;
use serde_json::json;
use thiserror::Error;

use crate::ml::eval::TrainedModel;
use graph::{int, Dim, GraphBuilder, ML_DOMAIN};
use models::{model_nodes, ModelOutput};
use proto::{data_type, ModelProto, OperatorSetIdProto, StringStringEntryProto};
pub use recipe::InputColumn;

/// The IR version written: ONNX Runtime 1.20 refuses 11.
pub const IR_VERSION: i64 = 10;
/// The standard operator set written.
pub const OPSET: i64 = 21;
/// The `ai.onnx.ml` operator set written (`TreeEnsemble` of set 5 needs ONNX Runtime 1.32).
pub const ML_OPSET: i64 = 3;

/// Why a model could not be exported.
#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error("{path}: cannot write the ONNX file: {message}")]
    Write { path: String, message: String },
}

/// Where an exported model came from, written into the file's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSource {
    /// The registered model, or for a run of this session the dataset it was trained on.
    pub model: String,
    /// The version number; `None` for a run that was never registered.
    pub version: Option<i64>,
    /// The dataset the model was trained on, when known.
    pub dataset: Option<String>,
    /// blake3 of the stored artifact (hex).
    pub artifact_checksum: String,
}

/// The exported model as an ONNX `ModelProto`'s bytes.
pub fn onnx_bytes(model: &TrainedModel, source: &ExportSource) -> Vec<u8> {
    onnx_model(model, source).encode_to_vec()
}

/// The exported model as an ONNX `ModelProto`.
fn onnx_model(model: &TrainedModel, source: &ExportSource) -> ModelProto {
    let mut graph = GraphBuilder::default();
    let (x, inputs) = recipe::features(&mut graph, &model.recipe);
    let features = model.recipe.n_features();
    match model_nodes(&mut graph, &model.model, &x, features, model.classes.len()) {
        ModelOutput::Probabilities(proba) => {
            let probabilities = graph.fresh("probabilities");
            graph.op_outputs("", "Identity", &[&proba], &[&probabilities], vec![]);
            let k = model.classes.len() as i64;
            graph.output(
                &probabilities,
                data_type::DOUBLE,
                &[Dim::Rows, Dim::Fixed(k)],
            );
            // ArgMax keeps the first of equal probabilities, as `score` does.
            let best = graph.op(
                "ArgMax",
                &[&proba],
                vec![
                    int("axis", 1),
                    int("keepdims", 0),
                    int("select_last_index", 0),
                ],
            );
            let names = graph.strings("class_names", &[k], &model.classes);
            let label = graph.fresh("label");
            graph.op_outputs(
                "",
                "Gather",
                &[&names, &best],
                &[&label],
                vec![int("axis", 0)],
            );
            graph.output(&label, data_type::STRING, &[Dim::Rows]);
        }
        ModelOutput::Values(values) => {
            let prediction = graph.fresh("prediction");
            graph.op_outputs("", "Identity", &[&values], &[&prediction], vec![]);
            graph.output(&prediction, data_type::DOUBLE, &[Dim::Rows, Dim::Fixed(1)]);
        }
    }
    let doc = format!(
        "{} predicting '{}', exported by Modeldesk {}",
        model.spec.title(),
        model.target,
        env!("CARGO_PKG_VERSION")
    );
    let graph_name = match source.version {
        Some(version) => format!("{}_v{version}", source.model),
        None => format!("{}_{}", source.model, model.spec.name()),
    };
    ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![
            OperatorSetIdProto {
                domain: String::new(),
                version: OPSET,
            },
            OperatorSetIdProto {
                domain: ML_DOMAIN.into(),
                version: ML_OPSET,
            },
        ],
        producer_name: "modeldesk".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        domain: String::new(),
        model_version: source.version.unwrap_or(0),
        doc_string: doc.clone(),
        graph: Some(graph.finish(&graph_name, &doc)),
        metadata_props: metadata(model, source, &inputs),
    }
}

/// The `metadata_props`: where the model came from and how to feed it. The stage is left
/// out: it changes after export.
fn metadata(
    model: &TrainedModel,
    source: &ExportSource,
    inputs: &[InputColumn],
) -> Vec<StringStringEntryProto> {
    let mut props = vec![("model", source.model.clone())];
    if let Some(version) = source.version {
        props.push(("version", version.to_string()));
    }
    if let Some(dataset) = &source.dataset {
        props.push(("dataset", dataset.clone()));
    }
    props.extend([
        ("algorithm", model.spec.name().to_string()),
        ("task", model.task.noun().to_string()),
        ("target", model.target.clone()),
        ("modeldesk_version", env!("CARGO_PKG_VERSION").to_string()),
        ("artifact_blake3", source.artifact_checksum.clone()),
        ("classes", json!(model.classes).to_string()),
        ("input_schema", json!(inputs).to_string()),
    ]);
    props
        .into_iter()
        .map(|(key, value)| StringStringEntryProto {
            key: key.into(),
            value,
        })
        .collect()
}

/// Write `bytes` to `path` whole or not at all: into a temporary file beside it, then renamed
/// over it, so a failure never leaves half a file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let fail = |e: std::io::Error| ExportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| fail(std::io::Error::other("not a file name")))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".{}.partial", std::process::id()));
    let temp = dir.join(temp_name);
    let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(fail(e));
    }
    Ok(())
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub inputs: usize,
    pub classes: usize,
    pub bytes: usize,
}

/// Export a registered version (its checksum verified on load) to `path`.
pub fn export_version(
    catalog: &crate::catalog::Catalog,
    found: &crate::catalog::VersionRef,
    path: &Path,
) -> Result<Exported, ExportError> {
    let model = crate::catalog::record::load_model(catalog, found.id)?;
    let detail = catalog.version(&found.model, found.version)?;
    let source = ExportSource {
        model: found.model.clone(),
        version: Some(found.version),
        dataset: detail.summary.dataset_name.clone(),
        artifact_checksum: detail.artifact_checksum,
    };
    export_model(&model, &source, path)
}

/// Export `model` to `path`, described by `source`.
pub fn export_model(
    model: &TrainedModel,
    source: &ExportSource,
    path: &Path,
) -> Result<Exported, ExportError> {
    let bytes = onnx_bytes(model, source);
    write_file(path, &bytes)?;
    Ok(Exported {
        inputs: model.recipe.columns.len(),
        classes: model.classes.len(),
        bytes: bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::proto::type_proto;
    use super::*;
    use crate::data::{Column, ColumnData, ColumnKind, Role, Table};
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::prep::Recipe;
    use crate::ml::spec::ModelSpec;

    fn penguin_like() -> Table {
        let n = 40;
        let numbers: Vec<f64> = (0..n)
            .map(|i| if i % 7 == 3 { f64::NAN } else { i as f64 })
            .collect();
        let column = |name: &str, kind, data| Column {
            name: name.into(),
            kind,
            role: Role::Feature,
            data,
        };
        let mut target = column(
            "species",
            ColumnKind::Categorical,
            ColumnData::Strings {
                codes: (0..n).map(|i| u32::from(i >= 20)).collect(),
                levels: vec!["Adelie".into(), "Gentoo".into()],
            },
        );
        target.role = Role::Target;
        Table {
            name: "penguins".into(),
            source: "penguins.csv".into(),
            fingerprint: String::new(),
            dialect: Default::default(),
            options: Default::default(),
            columns: vec![
                column("bill", ColumnKind::Float, ColumnData::Numeric(numbers)),
                column(
                    "island",
                    ColumnKind::Categorical,
                    ColumnData::Strings {
                        codes: (0..n as u32).map(|i| i % 3).collect(),
                        levels: vec!["Biscoe".into(), "Dream".into(), "Torgersen".into()],
                    },
                ),
                target,
            ],
            notices: Vec::new(),
        }
    }

    #[test]
    fn the_graph_takes_each_column_as_named_and_says_where_it_came_from() {
        let table = penguin_like();
        let spec = ModelSpec::from_name("logistic_regression").unwrap();
        let (_, model) = train_and_validate(
            &table,
            "species",
            None,
            &Recipe::default_for(&table),
            &spec,
            Validation::Holdout {
                fraction: 0.25,
                seed: 0,
            },
            &mut |_, _| true,
        )
        .unwrap();
        let source = ExportSource {
            model: "penguins".into(),
            version: Some(3),
            dataset: Some("penguins".into()),
            artifact_checksum: "abc".into(),
        };
        let bytes = onnx_bytes(&model, &source);
        let decoded = ModelProto::decode(bytes.as_slice()).unwrap();
        assert_eq!(
            (decoded.ir_version, decoded.producer_name.as_str()),
            (10, "modeldesk")
        );
        let graph = decoded.graph.unwrap();
        let typed = |v: &proto::ValueInfoProto| match &v.r#type.as_ref().unwrap().value {
            Some(type_proto::Value::TensorType(t)) => (v.name.clone(), t.elem_type),
            None => panic!("untyped"),
        };
        let inputs: Vec<_> = graph.input.iter().map(typed).collect();
        assert_eq!(
            inputs,
            vec![
                ("bill".to_string(), data_type::DOUBLE),
                ("island".to_string(), data_type::STRING)
            ]
        );
        let outputs: Vec<_> = graph.output.iter().map(typed).collect();
        assert_eq!(
            outputs,
            vec![
                ("probabilities".to_string(), data_type::DOUBLE),
                ("label".to_string(), data_type::STRING)
            ]
        );
        let meta: std::collections::BTreeMap<_, _> = decoded
            .metadata_props
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(meta["version"], "3");
        assert_eq!(meta["classes"], r#"["Adelie","Gentoo"]"#);
        assert_eq!(meta["artifact_blake3"], "abc");
        assert!(!meta.contains_key("stage"));
        assert!(meta["input_schema"].contains(r#""levels":["Biscoe","Dream","Torgersen"]"#));
    }
}
