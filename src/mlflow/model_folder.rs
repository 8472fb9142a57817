//! The files of a pushed version's MLflow model folder: the ONNX export, an `MLmodel` with an
//! `onnx` flavor (for ONNX-aware tools) and a `python_function` flavor whose loader module
//! ships in `code/` (MLflow's own ONNX loader cannot feed this graph, see the module's
//! docstring), the environment files MLflow expects, and the Modeldesk artifact and record.
//! `mlflow.pyfunc.load_model("models:/NAME/VERSION")` and `mlflow models serve` load it.

use super::shared::SharedVersion;

/// The run-relative folder of the model; the model version's source points at it.
pub const MODEL_FOLDER: &str = "model";

/// The MLflow release the folder is written for (the `MLmodel`'s `mlflow_version`).
pub const MLFLOW_VERSION: &str = "3.17.2";

/// The Python loader module, shipped as `code/modeldesk_pyfunc.py`.
pub const LOADER: &str = include_str!("modeldesk_pyfunc.py");

/// What the loader needs, as pip requirements.
const REQUIREMENTS: &str = "mlflow==3.17.2\nonnxruntime>=1.20\nnumpy\npandas\n";

/// `(path inside the run's artifacts, bytes)` of every file of the model folder.
pub fn model_files(shared: &SharedVersion, run_id: &str) -> Vec<(String, Vec<u8>)> {
    let at = |name: &str| format!("{MODEL_FOLDER}/{name}");
    vec![
        (at("model.onnx"), shared.onnx.clone()),
        (at("code/modeldesk_pyfunc.py"), LOADER.as_bytes().to_vec()),
        (at("requirements.txt"), REQUIREMENTS.as_bytes().to_vec()),
        (at("python_env.yaml"), PYTHON_ENV.as_bytes().to_vec()),
        (at("conda.yaml"), CONDA.as_bytes().to_vec()),
        (at("modeldesk/model.json"), shared.artifact.clone()),
        (
            at("modeldesk/version.json"),
            shared.record_json.as_bytes().to_vec(),
        ),
        // Last: a folder with an MLmodel is a loadable model.
        (at("MLmodel"), mlmodel(shared, run_id).into_bytes()),
    ]
}

const PYTHON_ENV: &str =
    "python: 3.11\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n";

const CONDA: &str = "channels:\n- conda-forge\ndependencies:\n- python=3.11\n- pip\n- pip:\n  - mlflow==3.17.2\n  - onnxruntime>=1.20\n  - numpy\n  - pandas\nname: mlflow-env\n";

/// A YAML double-quoted string.
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// The `MLmodel` file (YAML).
pub fn mlmodel(shared: &SharedVersion, run_id: &str) -> String {
    let detail = &shared.detail;
    // The same version always gets the same uuid, so a push made again writes the same file.
    let uuid = &detail.artifact_checksum[..32.min(detail.artifact_checksum.len())];
    let created = detail.summary.created_at.replace('T', " ").replace('Z', "");
    format!(
        "artifact_path: {MODEL_FOLDER}
flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_version: 1.16.0
    providers:
    - CPUExecutionProvider
  python_function:
    code: code
    data: model.onnx
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: modeldesk_pyfunc
    python_version: 3.11.0
metadata:
  modeldesk_model: {model}
  modeldesk_version: {version}
  modeldesk_artifact_blake3: {checksum}
  modeldesk_task: {task}
  modeldesk_target: {target}
  modeldesk_classes: {classes}
mlflow_version: {MLFLOW_VERSION}
model_uuid: {uuid}
run_id: {run_id}
utc_time_created: {created}
",
        model = quoted(&detail.summary.model),
        version = detail.summary.version,
        checksum = quoted(&detail.artifact_checksum),
        task = quoted(shared.model.task.noun()),
        target = quoted(&shared.model.target),
        classes = quoted(&serde_json::json!(shared.model.classes).to_string()),
        created = quoted(&created),
    )
}
