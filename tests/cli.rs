//! The real binary, as scripts and benchmarks use it: `inspect` output and exit status.

use std::path::PathBuf;
use std::process::Command;

fn modeldesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run modeldesk")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn inspect_json_describes_every_column() {
    let out = modeldesk(&["inspect", "assets/penguins.csv", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["rows"], 344);
    let columns = json["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 8);
    let sex = columns.iter().find(|c| c["name"] == "sex").unwrap();
    assert_eq!(sex["type"], "categorical");
    assert_eq!(sex["role"], "feature");
    assert_eq!(sex["missing"], 11);
    assert_eq!(sex["distinct"], 2);
    let mass = columns.iter().find(|c| c["name"] == "body_mass_g").unwrap();
    assert_eq!(mass["type"], "integer");
    assert_eq!(
        mass["numeric"]["histogram"]["counts"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
    assert!(json["notices"].is_array());
    assert_eq!(json["fingerprint"].as_str().unwrap().len(), 64);
}

#[test]
fn inspect_prints_a_readable_table() {
    let out = modeldesk(&["inspect", "assets/iris.csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("150 rows × 5 columns"), "{text}");
    assert!(text.contains("setosa (50)"), "{text}");
}

#[test]
fn bad_input_exits_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "a,b\n1,2\n3,4,5\n").unwrap();
    let out = modeldesk(&["inspect", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim(), format!("modeldesk: {}:3:5: expected 2 fields, found 3 (check for an unquoted delimiter in a value, or choose to skip such rows)", path.display()));

    let skipped = modeldesk(&[
        "inspect",
        path.to_str().unwrap(),
        "--skip-ragged-rows",
        "--json",
    ]);
    assert!(skipped.status.success());
    let json: serde_json::Value = serde_json::from_slice(&skipped.stdout).unwrap();
    assert_eq!(json["rows"], 1);
    assert!(json["notices"][0]
        .as_str()
        .unwrap()
        .contains("skipped 1 row(s)"));
}

#[test]
fn missing_files_and_bad_usage_exit_2() {
    let out = modeldesk(&["inspect", "no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.csv"));
    assert_eq!(modeldesk(&["inspect"]).status.code(), Some(2));
    assert_eq!(modeldesk(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn every_nasty_file_exits_0_or_2_never_panics() {
    for entry in std::fs::read_dir(root().join("tests/fixtures/nasty")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let out = modeldesk(&["inspect", path.to_str().unwrap(), "--json"]);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0) | Some(2)),
            "{}: exit {code:?}",
            path.display()
        );
        if code == Some(2) {
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(err.trim().lines().count(), 1, "{}: {err}", path.display());
        }
    }
}

fn json_of(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

#[test]
fn train_json_reports_the_task_rows_metrics_and_folds() {
    let iris = root().join("assets/iris.csv");
    let out = json_of(&modeldesk(&[
        "train",
        iris.to_str().unwrap(),
        "--target",
        "species",
        "--cv",
        "5",
        "--json",
    ]));
    assert_eq!(out["task"], "classification");
    assert_eq!(out["rows_used"], 150);
    assert!(out["metrics"]["accuracy"].as_f64().unwrap() > 0.93);
    for name in [
        "balanced_accuracy",
        "f1_macro",
        "roc_auc",
        "log_loss",
        "mcc",
    ] {
        assert!(out["metrics"][name].is_number(), "{name}: {out}");
    }
    assert_eq!(out["folds"].as_array().unwrap().len(), 5);
    assert!(out["folds"][0]["confusion"].is_array());

    let diabetes = root().join("assets/diabetes.csv");
    let out = json_of(&modeldesk(&[
        "train",
        diabetes.to_str().unwrap(),
        "--target",
        "progression",
        "--algo",
        "linear_regression",
        "--algo",
        "lasso",
        "--holdout",
        "0.25",
        "--json",
    ]));
    assert_eq!(out["task"], "regression");
    let models = out["models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    for model in models {
        for name in ["rmse", "mae", "r2"] {
            assert!(model["metrics"][name].is_number(), "{name}: {model}");
        }
        assert_eq!(model["folds"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn train_refuses_unknown_algorithms_and_mismatched_tasks_with_exit_2() {
    let iris = root().join("assets/iris.csv");
    let iris = iris.to_str().unwrap();
    let unknown = modeldesk(&["train", iris, "--target", "species", "--algo", "svm"]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = String::from_utf8_lossy(&unknown.stderr);
    assert!(message.contains("unknown algorithm 'svm'"), "{message}");
    let wrong = modeldesk(&["train", iris, "--target", "species", "--algo", "ridge"]);
    assert_eq!(wrong.status.code(), Some(2));
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        message.contains("'species' is a classification target; ridge does not fit it"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
}

#[test]
fn train_timings_and_the_exported_split_describe_the_fit() {
    let dir = tempfile::tempdir().unwrap();
    let out = modeldesk(&[
        "train",
        "assets/penguins.csv",
        "--target",
        "species",
        "--holdout",
        "0.25",
        "--json",
        "--timings",
        "--export-split",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let timings = json["models"][0]["timings"].as_array().unwrap();
    let fits: Vec<_> = timings.iter().filter(|t| t["step"] == "fit").collect();
    assert_eq!(
        fits.len(),
        2,
        "the hold-out fit and the final fit: {timings:?}"
    );
    assert!(fits.iter().all(|t| t["iterations"].as_u64().unwrap() > 0));
    assert!(json["import_seconds"].as_f64().unwrap() >= 0.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fold 1 fit"), "{stderr}");

    // All 344 penguins have a species; a quarter of them validate.
    let header_and_len = |name: &str| {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(&bytes[..6], b"\x93NUMPY");
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0);
        let header = String::from_utf8(bytes[10..10 + header_len].to_vec()).unwrap();
        (header, (bytes.len() - 10 - header_len) / 8)
    };
    let features: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("features.json")).unwrap()).unwrap();
    let width = features["features"].as_array().unwrap().len();
    let (train_header, train_cells) = header_and_len("train_x.npy");
    let (_, train_rows) = header_and_len("train_rows.npy");
    let (_, valid_rows) = header_and_len("valid_rows.npy");
    assert_eq!(train_rows + valid_rows, 344);
    assert_eq!(valid_rows, 86);
    assert_eq!(train_cells, train_rows * width);
    assert!(
        train_header.contains(&format!("'shape': ({train_rows}, {width})")),
        "{train_header}"
    );
    assert_eq!(features["classes"][0], "Adelie");
}
