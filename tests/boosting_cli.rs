//! Gradient boosting through the real binary and a catalog on disk: `train` with its
//! parameters, registration, `score`, `explain` (split-gain importances), `report` and
//! `export --onnx` (what ONNX Runtime makes of the file is checked in `tests/onnx.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn modeldesk(catalog: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .arg("--catalog")
        .arg(catalog)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run modeldesk")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn boosting_trains_registers_scores_explains_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let trained = json(&modeldesk(
        &catalog,
        &[
            "train",
            "assets/penguins.csv",
            "--target",
            "species",
            "--algo",
            "gradient_boosting",
            "--cv",
            "3",
            "--param",
            "max_iter=40",
            "--param",
            "learning_rate=0.2",
            "--param",
            "early_stopping=false",
            "--register",
            "penguins",
            "--json",
        ],
    ));
    let model = &trained["models"][0];
    assert_eq!(model["algorithm"], "gradient_boosting");
    let parameters = model["parameters"].as_str().unwrap();
    assert!(
        parameters.starts_with("40 iterations, learning rate 0.2, 31 leaves"),
        "{parameters}"
    );
    assert!(parameters.ends_with("early stopping off"), "{parameters}");
    let accuracy = model["metrics"]["accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.95, "{accuracy}");
    assert_eq!(trained["version"], 1);

    let scored_csv = dir.path().join("scored.csv");
    let scored = json(&modeldesk(
        &catalog,
        &[
            "score",
            "penguins@1",
            "assets/penguins.csv",
            "-o",
            scored_csv.to_str().unwrap(),
            "--json",
        ],
    ));
    assert!(
        scored["metrics"]["accuracy"].as_f64().unwrap() > 0.97,
        "{scored}"
    );
    let header = std::fs::read_to_string(&scored_csv).unwrap();
    assert!(
        header.lines().next().unwrap().contains("Adelie"),
        "{header}"
    );

    let explained = json(&modeldesk(&catalog, &["explain", "penguins@1", "--json"]));
    let learned = &explained["learned"];
    assert_eq!(learned["kind"], "importances", "{learned}");
    assert_eq!(learned["measure"], "split_gain", "{learned}");
    let shares: Vec<f64> = learned["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["importance"].as_f64().unwrap())
        .collect();
    assert!(
        (shares.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{shares:?}"
    );
    let text = modeldesk(&catalog, &["explain", "penguins@1"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("Split-gain importance"));
    // Why each row: exact TreeSHAP in each class's raw score, not a sampled estimate.
    let shap = json(&modeldesk(
        &catalog,
        &["explain", "penguins@1", "--shap", "--json"],
    ));
    let summary = &shap["shap_summary"];
    assert_eq!(summary["unit"], "logit", "{summary}");
    assert_eq!(summary["method"]["method"], "tree_shap", "{summary}");

    let report = dir.path().join("report.html");
    let out = modeldesk(
        &catalog,
        &["report", "penguins@1", "-o", report.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("gradient boosting"),
        "no algorithm in the report"
    );
    assert!(
        html.contains("Split-gain importance"),
        "no importances in the report"
    );
}

#[test]
fn boosting_learns_values_refuses_bad_parameters_and_exports_to_onnx() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let trained = json(&modeldesk(
        &catalog,
        &[
            "train",
            "assets/diabetes.csv",
            "--target",
            "progression",
            "--algo",
            "gradient_boosting",
            "--cv",
            "2",
            "--param",
            "max_iter=50",
            "--param",
            "max_depth=3",
            "--register",
            "diabetes",
            "--json",
        ],
    ));
    let r2 = trained["models"][0]["metrics"]["r2"].as_f64().unwrap();
    assert!(r2 > 0.3, "{r2}");

    let bad = modeldesk(
        &catalog,
        &[
            "train",
            "assets/diabetes.csv",
            "--target",
            "progression",
            "--algo",
            "gradient_boosting",
            "--param",
            "max_bins=300",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        said.contains("max_bins") && said.contains("2 to 255"),
        "{said}"
    );

    let onnx: PathBuf = dir.path().join("diabetes.onnx");
    let out = modeldesk(
        &catalog,
        &["export", "diabetes@1", "--onnx", onnx.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("exported diabetes version 1 to "),
        "{said}"
    );
    assert!(onnx.metadata().unwrap().len() > 1000);
}
