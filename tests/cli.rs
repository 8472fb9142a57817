//! The real binary, as scripts and benchmarks use it: `inspect` output, `train` and its
//! `--register`, the runs it records, the catalog commands, and exit status.

use std::path::PathBuf;
use std::process::Command;

fn modeldesk(args: &[&str]) -> std::process::Output {
    // `train` records its runs: in a catalog of the tests' own, never the user's.
    let catalog = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-tests-catalog.sqlite");
    Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .env("MODELDESK_CATALOG", catalog)
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

fn modeldesk_with_catalog(catalog: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .env("MODELDESK_CATALOG", catalog)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run modeldesk")
}

fn stdout_json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `train` on iris with two folds: quick, and enough to register.
const TRAIN_IRIS: [&str; 6] = [
    "train",
    "assets/iris.csv",
    "--target",
    "species",
    "--cv",
    "2",
];

/// A folder for a catalog, and the catalog's path in it.
fn temp_catalog() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("catalog.sqlite")
        .to_str()
        .unwrap()
        .to_string();
    (dir, path)
}

#[test]
fn train_registers_versions_that_models_stage_and_history_show() {
    let (_dir, path) = temp_catalog();
    let path = path.as_str();
    let train = TRAIN_IRIS;

    let first = modeldesk(&[&train[..], &["--register", "churn", "--catalog", path]].concat());
    assert!(first.status.success());
    let text = String::from_utf8(first.stdout).unwrap();
    assert!(text.ends_with("registered churn version 1\n"), "{text}");
    let json = stdout_json(&modeldesk(
        &[
            &train[..],
            &["--register", "churn", "--catalog", path, "--json"],
        ]
        .concat(),
    ));
    assert_eq!(json["model"], "churn");
    assert_eq!(json["version"], 2);

    let staged = modeldesk(&["stage", "churn", "1", "Production", "--catalog", path]);
    assert!(staged.status.success());
    let promoted = modeldesk(&[
        "stage",
        "churn",
        "2",
        "PRODUCTION",
        "--archive-existing",
        "--comment",
        "better recall",
        "--catalog",
        path,
    ]);
    let text = String::from_utf8(promoted.stdout).unwrap();
    assert_eq!(
        text,
        "churn version 1: Production → Archived (replaced): better recall\n\
         churn version 2: None → Production: better recall\n"
    );

    let models = stdout_json(&modeldesk(&["models", "--catalog", path, "--json"]));
    let churn = &models["models"][0];
    assert_eq!(churn["name"], "churn");
    let versions = churn["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["stage"], "archived");
    assert_eq!(versions[1]["stage"], "production");
    assert!(versions[1]["metrics"]["accuracy"].as_f64().unwrap() > 0.9);
    // Times in JSON are ISO 8601 in UTC, whatever the window shows.
    let iso_utc = |value: &serde_json::Value| {
        let text = value.as_str().unwrap();
        text.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(text).is_ok()
    };
    assert!(iso_utc(&versions[1]["created_at"]));

    let rolled = modeldesk(&["rollback", "churn", "--catalog", path]);
    assert!(rolled.status.success());
    let history = stdout_json(&modeldesk(&[
        "history",
        "churn",
        "--catalog",
        path,
        "--json",
    ]));
    assert!(history["history"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| iso_utc(&e["at"])));
    let events: Vec<(i64, &str, &str)> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["version"].as_i64().unwrap(),
                e["event"].as_str().unwrap(),
                e["to"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![
            (1, "registered", "-"),
            (2, "registered", "-"),
            (1, "stage", "production"),
            (1, "stage", "archived"),
            (2, "stage", "production"),
            (2, "stage", "archived"),
            (1, "stage", "production"),
        ]
    );
}

#[test]
fn describe_and_tag_annotate_models_and_versions() {
    let (_dir, path) = temp_catalog();
    let path = path.as_str();
    let train = TRAIN_IRIS;
    for _ in 0..2 {
        let out = modeldesk(&[&train[..], &["--register", "iris", "--catalog", path]].concat());
        assert!(out.status.success());
    }
    let run = |args: &[&str]| modeldesk(&[args, &["--catalog", path]].concat());
    assert!(run(&["describe", "iris", "Which iris is it?"])
        .status
        .success());
    assert!(run(&["describe", "iris@2", "Same data, second try"])
        .status
        .success());
    assert!(run(&["tag", "iris", "team=botany"]).status.success());
    let tagged = run(&["tag", "iris@latest", "owner=ana", "reviewed=yes"]);
    assert_eq!(
        String::from_utf8(tagged.stdout).unwrap(),
        "iris version 2:\n  owner=ana\n  reviewed=yes\n"
    );
    let removed = run(&[
        "tag", "iris@2", "--remove", "reviewed", "--remove", "absent",
    ]);
    assert!(removed.status.success());
    assert!(String::from_utf8(removed.stderr)
        .unwrap()
        .contains("had no tag 'absent'"));

    let models = stdout_json(&run(&["models", "--json"]));
    let iris = &models["models"][0];
    assert_eq!(iris["description"], "Which iris is it?");
    assert_eq!(iris["tags"], serde_json::json!({ "team": "botany" }));
    assert_eq!(iris["versions"][1]["description"], "Same data, second try");
    assert_eq!(
        iris["versions"][1]["tags"],
        serde_json::json!({ "owner": "ana" })
    );
    assert_eq!(iris["versions"][0]["tags"], serde_json::json!({}));

    // Mistakes exit 2 with one line, and change nothing.
    for args in [
        &["tag", "iris", "no-equals-sign"][..],
        &["tag", "iris@7", "a=b"],
        &["describe", "nobody", "text"],
        &["tag", "iris", " =blank key"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8(out.stderr).unwrap().lines().count(),
            1,
            "{args:?}"
        );
    }
    let listed = stdout_json(&run(&["tag", "iris", "--json"]));
    assert_eq!(listed["tags"], serde_json::json!({ "team": "botany" }));
}

#[test]
fn the_catalog_comes_from_the_environment_when_no_flag_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let from_env = dir.path().join("env.sqlite");
    let out = modeldesk_with_catalog(&from_env, &[&TRAIN_IRIS[..], &["--register", "m"]].concat());
    assert!(out.status.success());
    assert!(from_env.is_file());
    let listed = stdout_json(&modeldesk_with_catalog(&from_env, &["models", "--json"]));
    assert_eq!(listed["models"][0]["name"], "m");
    // The flag wins over the environment.
    let flagged = dir.path().join("flag.sqlite");
    let listed = stdout_json(&modeldesk_with_catalog(
        &from_env,
        &["models", "--json", "--catalog", flagged.to_str().unwrap()],
    ));
    assert_eq!(listed["models"], serde_json::json!([]));
}

#[test]
fn catalog_mistakes_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let path = catalog.to_str().unwrap();
    let registered =
        modeldesk(&[&TRAIN_IRIS[..], &["--register", "churn", "--catalog", path]].concat());
    assert!(registered.status.success());
    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "not a catalog\n").unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["stage", "nope", "1", "staging"], "no model named 'nope'"),
        (&["stage", "churn", "7", "staging"], "has no version 7"),
        (&["stage", "churn", "1", "prod"], "'prod' is not a stage"),
        (&["history", "nope"], "no model named 'nope'"),
        (&["rollback", "churn"], "has no version in stage Production"),
        (
            &[
                "train",
                "assets/iris.csv",
                "--target",
                "species",
                "--register",
                "a@b",
            ],
            "cannot name a model",
        ),
    ];
    for (args, expected) in cases {
        let out = modeldesk(&[args, &["--catalog", path]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let out = modeldesk(&["models", "--catalog", text_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Modeldesk catalog"), "{err}");
    assert_eq!(std::fs::read(&text_file).unwrap(), b"not a catalog\n");
}

#[test]
fn a_model_name_that_looks_like_sql_is_only_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let path = catalog.to_str().unwrap();
    let name = "x'); DROP TABLE model_versions;--";
    let train = [&TRAIN_IRIS[..], &["--register", name, "--catalog", path]].concat();
    assert!(modeldesk(&train).status.success());
    let json = stdout_json(&modeldesk(&[&train[..], &["--json"]].concat()));
    assert_eq!(json["version"], 2);
    let staged = modeldesk(&["stage", name, "2", "staging", "--catalog", path]);
    assert!(staged.status.success());
    let models = stdout_json(&modeldesk(&["models", "--json", "--catalog", path]));
    assert_eq!(models["models"][0]["name"], name);
    assert_eq!(models["models"][0]["versions"][1]["stage"], "staging");
    let history = stdout_json(&modeldesk(&["history", name, "--json", "--catalog", path]));
    assert_eq!(history["history"].as_array().unwrap().len(), 3);
}

#[test]
fn two_training_processes_registering_one_model_get_distinct_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let loops: Vec<_> = (0..2)
        .map(|_| {
            let catalog = catalog.clone();
            std::thread::spawn(move || {
                let mut versions = Vec::new();
                for _ in 0..4 {
                    let out = modeldesk(
                        &[
                            &TRAIN_IRIS[..],
                            &[
                                "--register",
                                "m",
                                "--catalog",
                                catalog.to_str().unwrap(),
                                "--json",
                            ],
                        ]
                        .concat(),
                    );
                    versions.push(stdout_json(&out)["version"].as_i64().unwrap());
                }
                versions
            })
        })
        .collect();
    let mut versions: Vec<i64> = loops.into_iter().flat_map(|l| l.join().unwrap()).collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=8).collect::<Vec<_>>());
    let models = stdout_json(&modeldesk(&[
        "models",
        "--json",
        "--catalog",
        catalog.to_str().unwrap(),
    ]));
    let listed: Vec<i64> = models["models"][0]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, (1..=8).collect::<Vec<_>>());
}

/// A catalog in a temporary folder with `penguins` version 1 (logistic regression).
fn penguins_catalog() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let out = modeldesk(&[
        "train",
        "assets/penguins.csv",
        "--target",
        "species",
        "--cv",
        "2",
        "--register",
        "penguins",
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, catalog)
}

#[test]
fn score_measures_a_labelled_file_finds_no_drift_and_records_the_run() {
    let (dir, catalog) = penguins_catalog();
    let path = catalog.to_str().unwrap();
    let out = dir.path().join("predictions.csv");
    let json = stdout_json(&modeldesk(&[
        "score",
        "penguins@1",
        "assets/penguins.csv",
        "-o",
        out.to_str().unwrap(),
        "--json",
        "--catalog",
        path,
    ]));
    assert_eq!(json["rows"], 344);
    assert_eq!(json["labelled_rows"], 344);
    assert!(
        json["metrics"]["accuracy"].as_f64().unwrap() > 0.95,
        "{json}"
    );
    assert!(json["validation_metrics"]["accuracy"].as_f64().unwrap() > 0.9);
    let drift = json["drift"].as_array().unwrap();
    assert!(drift.iter().any(|d| d["column"] == "bill_length_mm"));
    assert!(drift.iter().all(|d| d["status"] == "stable"), "{json}");
    assert!(drift.iter().all(|d| d["psi"].is_number()));
    assert_eq!(json["unseen"], serde_json::json!({}));
    assert!(json["notices"].is_array());

    let csv = std::fs::read_to_string(&out).unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year,\
         predicted,proba_Adelie,proba_Chinstrap,proba_Gentoo"
    );
    assert_eq!(csv.lines().count(), 345);

    let catalog = modeldesk::catalog::Catalog::open(&catalog).unwrap();
    let runs = catalog.scoring_runs("penguins", 1).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].rows, 344);
    assert_eq!(runs[0].file_fingerprint, json["fingerprint"]);
    let drift: serde_json::Value = serde_json::from_str(&runs[0].drift_json).unwrap();
    assert_eq!(
        drift.as_array().unwrap().len(),
        json["drift"].as_array().unwrap().len()
    );
    let metrics: serde_json::Value =
        serde_json::from_str(runs[0].metrics_json.as_deref().unwrap()).unwrap();
    assert_eq!(metrics["accuracy"], json["metrics"]["accuracy"]);
}

#[test]
fn score_refuses_a_file_without_a_column_the_model_needs() {
    let (dir, catalog) = penguins_catalog();
    let text = std::fs::read_to_string(root().join("assets/penguins.csv")).unwrap();
    let without_island: String = text
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.remove(1);
            fields.join(",") + "\n"
        })
        .collect();
    let file = dir.path().join("no_island.csv");
    std::fs::write(&file, without_island).unwrap();
    let out = dir.path().join("predictions.csv");
    let scored = modeldesk(&[
        "score",
        "penguins@1",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert_eq!(scored.status.code(), Some(2));
    let err = String::from_utf8_lossy(&scored.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("lacks a column the model needs: island"),
        "{err}"
    );
    assert!(!out.exists());
    let catalog = modeldesk::catalog::Catalog::open(&catalog).unwrap();
    assert!(catalog.scoring_runs("penguins", 1).unwrap().is_empty());
}

#[test]
fn score_finds_the_production_version_and_prints_drift_in_text() {
    let (_dir, catalog) = penguins_catalog();
    let path = catalog.to_str().unwrap();
    let unstaged = modeldesk(&[
        "score",
        "penguins@production",
        "assets/penguins.csv",
        "--catalog",
        path,
    ]);
    assert_eq!(unstaged.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unstaged.stderr).contains("no version in stage Production"));
    assert!(
        modeldesk(&["stage", "penguins", "1", "production", "--catalog", path])
            .status
            .success()
    );
    let out = modeldesk(&[
        "score",
        "penguins@production",
        "assets/penguins.csv",
        "--drift",
        "--catalog",
        path,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("scored 344 rows of assets/penguins.csv with penguins version 1"),
        "{text}"
    );
    assert!(text.contains("metrics on 344 labelled rows"), "{text}");
    assert!(text.contains("drift: 0 of "), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("bill_length_mm") && l.ends_with("stable")),
        "{text}"
    );
    assert!(text.contains("recorded as scoring run 1"), "{text}");
}

#[test]
fn score_refuses_a_tampered_model_and_predicts_nothing() {
    let (dir, catalog) = penguins_catalog();
    {
        let conn = rusqlite::Connection::open(&catalog).unwrap();
        conn.execute(
            "UPDATE model_versions SET artifact = CAST('{}' AS BLOB) WHERE version = 1",
            [],
        )
        .unwrap();
    }
    let out = dir.path().join("predictions.csv");
    let scored = modeldesk(&[
        "score",
        "penguins@1",
        "assets/penguins.csv",
        "-o",
        out.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert_eq!(scored.status.code(), Some(1));
    let err = String::from_utf8_lossy(&scored.stderr);
    assert!(err.contains("does not match its checksum"), "{err}");
    assert!(scored.stdout.is_empty());
    assert!(!out.exists());
}

#[test]
fn score_writes_predicted_values_of_a_regression_model() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let path = catalog.to_str().unwrap();
    let trained = modeldesk(&[
        "train",
        "assets/diabetes.csv",
        "--target",
        "progression",
        "--cv",
        "2",
        "--register",
        "diabetes",
        "--catalog",
        path,
    ]);
    assert!(trained.status.success());
    let out = dir.path().join("predictions.csv");
    let json = stdout_json(&modeldesk(&[
        "score",
        "diabetes",
        "assets/diabetes.csv",
        "-o",
        out.to_str().unwrap(),
        "--json",
        "--catalog",
        path,
    ]));
    assert!(json["metrics"]["r2"].as_f64().unwrap() > 0.3, "{json}");
    assert!(json["validation_metrics"]["rmse"].is_number());
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with(",progression,predicted"));
    assert_eq!(
        csv.lines().count() as u64,
        json["rows"].as_u64().unwrap() + 1
    );
}

#[test]
fn report_compares_versions_in_one_self_contained_file() {
    let (dir, catalog) = penguins_catalog();
    let path = catalog.to_str().unwrap();
    let tree = modeldesk(&[
        "train",
        "assets/penguins.csv",
        "--target",
        "species",
        "--algo",
        "decision_tree",
        "--cv",
        "2",
        "--register",
        "penguins",
        "--catalog",
        path,
    ]);
    assert!(tree.status.success());
    assert!(
        modeldesk(&["stage", "penguins", "2", "production", "--catalog", path])
            .status
            .success()
    );
    let scored = modeldesk(&[
        "score",
        "penguins@production",
        "assets/penguins.csv",
        "--catalog",
        path,
    ]);
    assert!(scored.status.success());
    let html_path = dir.path().join("report.html");
    let csv_path = dir.path().join("metrics.csv");
    let out = modeldesk(&[
        "report",
        "penguins@1",
        "penguins@production",
        "-o",
        html_path.to_str().unwrap(),
        "--metrics-csv",
        csv_path.to_str().unwrap(),
        "--catalog",
        path,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("report on penguins version 1, penguins version 2 written to"));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for banned in ["<script", "<link", "<img", "src=", "href=", "url(", "http"] {
        assert!(!html.contains(banned), "the report holds {banned}");
    }
    for expected in [
        "penguins: versions 1, 2",
        "logistic regression",
        "decision tree",
        "<svg class=\"plot\"",
        "Confusion matrices",
        "None → Production",
        "Drift in the latest run",
        "body_mass_g",
        "@media print",
    ] {
        assert!(html.contains(expected), "the report lacks {expected:?}");
    }
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(csv.starts_with(
        "metric,higher_is_better,penguins v1 mean,penguins v1 std,penguins v2 mean,penguins v2 std,best\naccuracy,true,"
    ));
}

#[test]
fn report_shows_names_a_user_typed_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let path = catalog.to_str().unwrap();
    let evil = "<script>alert(1)</script>";
    let iris = std::fs::read_to_string(root().join("assets/iris.csv")).unwrap();
    let (header, rows) = iris.split_once('\n').unwrap();
    let header = header.replacen("sepal_length", evil, 1);
    assert!(header.contains(evil), "{header}");
    let file = dir.path().join("iris.csv");
    std::fs::write(&file, format!("{header}\n{rows}")).unwrap();
    let trained = modeldesk(&[
        "train",
        file.to_str().unwrap(),
        "--target",
        "species",
        "--cv",
        "2",
        "--register",
        evil,
        "--catalog",
        path,
    ]);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    {
        let mut catalog = modeldesk::catalog::Catalog::open(&catalog).unwrap();
        catalog
            .set_model_description(evil, &format!("{evil} **{evil}**"))
            .unwrap();
        catalog.set_model_tag(evil, evil, evil).unwrap();
        catalog.set_version_tag(evil, 1, "owner", evil).unwrap();
    }
    let html_path = dir.path().join("report.html");
    let out = modeldesk(&[
        "report",
        &format!("{evil}@1"),
        "-o",
        html_path.to_str().unwrap(),
        "--catalog",
        path,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(!html.contains("<script"));
    assert!(html.contains("&lt;script&gt;alert(1)"));
    // The title, the model card, the summary, the profile and the recipe all name it.
    assert!(html.matches("&lt;script&gt;").count() >= 8, "{html}");
}

#[test]
fn report_of_a_version_that_is_not_there_exits_2() {
    let (dir, catalog) = penguins_catalog();
    let html_path = dir.path().join("report.html");
    let out = modeldesk(&[
        "report",
        "penguins@1",
        "penguins@7",
        "-o",
        html_path.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("model 'penguins' has no version 7"), "{err}");
    assert!(!html_path.exists());
    assert_eq!(modeldesk(&["report", "penguins@1"]).status.code(), Some(2));
}

#[test]
fn explain_shows_what_a_version_learned_in_its_columns_names() {
    let (_dir, path) = temp_catalog();
    let path = path.as_str();
    let register = |algorithm: &str| {
        let out = modeldesk(
            &[
                &TRAIN_IRIS[..],
                &["--algo", algorithm, "--register", "iris", "--catalog", path],
            ]
            .concat(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    register("decision_tree");
    register("logistic");

    let tree = stdout_json(&modeldesk(&[
        "explain",
        "iris@1",
        "--json",
        "--catalog",
        path,
    ]));
    assert_eq!(tree["algorithm"], "decision_tree");
    let learned = &tree["learned"];
    assert_eq!(learned["kind"], "importances");
    let shares: Vec<f64> = learned["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["importance"].as_f64().unwrap())
        .collect();
    assert_eq!(shares.len(), 4);
    assert!(
        (shares.iter().sum::<f64>() - 1.0).abs() < 1e-12,
        "{shares:?}"
    );
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");

    // The tree reads as rules in the data's units: setosa is told by its short petals.
    let rules = modeldesk(&["explain", "iris@1", "--rules", "--catalog", path]);
    let rules = String::from_utf8(rules.stdout).unwrap();
    let setosa = rules
        .lines()
        .find(|l| l.ends_with("then setosa (1.00, 50 rows)"))
        .unwrap_or_else(|| panic!("{rules}"));
    assert!(setosa.starts_with("  if petal_"), "{setosa}");
    assert_eq!(
        tree["learned"]["rules"].as_array().unwrap().len(),
        rules.lines().filter(|l| l.starts_with("  if ")).count()
    );

    let text = modeldesk(&["explain", "iris@2", "--catalog", path]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("iris v2: logistic regression, predicting species\n"),
        "{text}"
    );
    for class in ["setosa", "versicolor", "virginica"] {
        assert!(
            text.contains(&format!("log-odds of {class} (intercept ")),
            "{text}"
        );
    }
    assert!(
        text.contains("petal_length") && text.contains("odds ×"),
        "{text}"
    );

    // Permutation importance, on the file the version was trained on unless told otherwise.
    let permuted = stdout_json(&modeldesk(&[
        "explain",
        "iris@1",
        "--importance",
        "permutation",
        "--repeats",
        "3",
        "--json",
        "--catalog",
        path,
    ]));
    let measured = &permuted["permutation_importance"];
    assert_eq!(measured["metric"], "accuracy");
    assert_eq!(measured["rows"], 150);
    let columns = measured["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 4);
    assert!(
        columns[0]["column"].as_str().unwrap().starts_with("petal_"),
        "{columns:?}"
    );
    assert_eq!(columns[0]["drops"].as_array().unwrap().len(), 3);
    let elsewhere = modeldesk(&[
        "explain",
        "iris@2",
        "--importance",
        "permutation",
        "--data",
        "assets/wine.csv",
        "--catalog",
        path,
    ]);
    assert_eq!(elsewhere.status.code(), Some(2));
    let said = String::from_utf8_lossy(&elsewhere.stderr);
    assert!(
        said.contains("assets/wine.csv: the file has no column 'species'"),
        "{said}"
    );

    let unknown = modeldesk(&["explain", "iris@9", "--catalog", path]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&unknown.stderr).lines().count(), 1);
}

#[test]
fn explain_prints_partial_dependence_and_keeps_it_with_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let path = catalog.to_str().unwrap();
    // Trained on a copy, so the copy can change under the version afterwards.
    let file = dir.path().join("penguins.csv");
    std::fs::copy(root().join("assets/penguins.csv"), &file).unwrap();
    let file = file.to_str().unwrap();
    let train = modeldesk(&[
        "train",
        file,
        "--target",
        "species",
        "--algo",
        "decision_tree",
        "--cv",
        "3",
        "--register",
        "penguins",
        "--catalog",
        path,
    ]);
    assert!(
        train.status.success(),
        "{}",
        String::from_utf8_lossy(&train.stderr)
    );

    let json = stdout_json(&modeldesk(&[
        "explain",
        "penguins@1",
        "--pdp",
        "flipper_length_mm",
        "--pdp",
        "island",
        "--json",
        "--catalog",
        path,
    ]));
    let partial = json["partial_dependence"].as_array().unwrap();
    assert_eq!(partial.len(), 2);
    let flipper = &partial[0];
    assert_eq!(flipper["column"], "flipper_length_mm");
    assert_eq!(
        flipper["outputs"],
        serde_json::json!(["Adelie", "Chinstrap", "Gentoo"])
    );
    let grid: Vec<f64> = flipper["grid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        grid.len() > 10 && grid.windows(2).all(|w| w[0] < w[1]),
        "{grid:?}"
    );
    // Long flippers are Gentoo's: its average probability rises along the grid.
    let gentoo: Vec<f64> = flipper["average"][2]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(gentoo.len(), grid.len());
    assert!(gentoo[gentoo.len() - 1] > gentoo[0] + 0.2, "{gentoo:?}");
    assert_eq!(
        partial[1]["grid"],
        serde_json::json!(["Torgersen", "Biscoe", "Dream"])
    );

    let text = modeldesk(&[
        "explain",
        "penguins@1",
        "--pdp",
        "island",
        "--catalog",
        path,
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Partial dependence on island: the average prediction over 344 rows"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("  Torgersen ")),
        "{text}"
    );

    // What was computed is kept with the version: the latest of each column.
    let conn = rusqlite::Connection::open(&catalog).unwrap();
    let stored: Vec<(String, String, i64)> = conn
        .prepare("SELECT kind, subject, rows FROM version_explanations ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        stored,
        [
            ("partial_dependence".into(), "flipper_length_mm".into(), 344),
            ("partial_dependence".into(), "island".into(), 344),
        ]
    );

    let unknown = modeldesk(&["explain", "penguins@1", "--pdp", "beak", "--catalog", path]);
    assert_eq!(unknown.status.code(), Some(2));
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("--pdp beak: the model was not trained on a column 'beak'"),
        "{said}"
    );

    // Once the training file changes, it is no longer the rows the version was trained on.
    std::fs::write(file, "species,island\nAdelie,Dream\n").unwrap();
    let changed = modeldesk(&[
        "explain",
        "penguins@1",
        "--pdp",
        "island",
        "--catalog",
        path,
    ]);
    assert_eq!(changed.status.code(), Some(2));
    let said = String::from_utf8_lossy(&changed.stderr);
    assert!(
        said.contains("has changed since the version was trained on it") && said.contains("--data"),
        "{said}"
    );
    std::fs::remove_file(file).unwrap();
    let gone = modeldesk(&[
        "explain",
        "penguins@1",
        "--pdp",
        "island",
        "--catalog",
        path,
    ]);
    assert_eq!(gone.status.code(), Some(2));
    let said = String::from_utf8_lossy(&gone.stderr);
    assert!(
        said.contains("is no longer there") && said.contains("--data"),
        "{said}"
    );
    let given = modeldesk(&[
        "explain",
        "penguins@1",
        "--pdp",
        "island",
        "--data",
        "assets/penguins.csv",
        "--catalog",
        path,
    ]);
    assert!(
        given.status.success(),
        "{}",
        String::from_utf8_lossy(&given.stderr)
    );
}

/// Penguins with each missing value written `unknown`, a token the defaults do not know.
fn penguins_with_unknown(dir: &std::path::Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("assets/penguins.csv")).unwrap();
    let rewritten: String = text
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line
                .split(',')
                .map(|f| if f == "NA" { "unknown" } else { f })
                .collect();
            fields.join(",") + "\n"
        })
        .collect();
    assert!(rewritten.contains(",unknown,"));
    let path = dir.join("penguins_unknown.csv");
    std::fs::write(&path, rewritten).unwrap();
    path
}

#[test]
fn score_reads_a_file_with_the_missing_values_the_version_was_trained_with() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let catalog = catalog.to_str().unwrap();
    let file = penguins_with_unknown(dir.path());
    let file = file.to_str().unwrap();
    let trained = modeldesk(&[
        "train",
        file,
        "--target",
        "species",
        "--cv",
        "2",
        "--missing",
        "unknown",
        "--register",
        "unknowns",
        "--catalog",
        catalog,
    ]);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    let out = dir.path().join("predictions.csv");
    let json = stdout_json(&modeldesk(&[
        "score",
        "unknowns@1",
        file,
        "-o",
        out.to_str().unwrap(),
        "--json",
        "--catalog",
        catalog,
    ]));
    assert_eq!(json["rows"], 344);

    // The training file's own rows, read as training read them, predicted by the version.
    let options = modeldesk::data::ImportOptions {
        missing_tokens: vec!["unknown".into()],
        ..Default::default()
    };
    let table = modeldesk::data::import_csv(
        std::path::Path::new(file),
        &options,
        &modeldesk::data::Progress::default(),
    )
    .unwrap();
    let catalog_file = modeldesk::catalog::Catalog::open(std::path::Path::new(catalog)).unwrap();
    let found = catalog_file.resolve("unknowns@1").unwrap();
    let model = modeldesk::catalog::record::load_model(&catalog_file, found.id).unwrap();
    let rows: Vec<usize> = (0..table.rows()).collect();
    let proba = model.predict_proba(&table, &rows).unwrap().unwrap();
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let predicted = header.iter().position(|h| *h == "predicted").unwrap();
    let first_proba = header.iter().position(|h| *h == "proba_Adelie").unwrap();
    let mut compared = 0;
    for (r, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let row = proba.row(r);
        let best = (0..row.len())
            .max_by(|&a, &b| row[a].total_cmp(&row[b]).then(b.cmp(&a)))
            .unwrap();
        assert_eq!(fields[predicted], model.classes[best], "row {}", r + 1);
        for (k, p) in row.iter().enumerate() {
            let written: f64 = fields[first_proba + k].parse().unwrap();
            assert!((written - p).abs() < 1e-6, "row {}: {written} {p}", r + 1);
        }
        compared += 1;
    }
    assert_eq!(compared, 344);

    // A flag still chooses: with `NA` as the only token, `unknown` is a word, and the
    // measurements no longer read as numbers.
    let flagged = modeldesk(&[
        "score",
        "unknowns@1",
        file,
        "--missing",
        "NA",
        "--catalog",
        catalog,
    ]);
    assert_eq!(flagged.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&flagged.stderr);
    assert!(stderr.contains("changed type"), "{stderr}");
}

/// The runs `runs --json` lists with these extra arguments.
fn listed_runs(catalog: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["runs", "--json", "--catalog", catalog];
    all.extend_from_slice(args);
    stdout_json(&modeldesk(&all))["runs"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn train_records_each_run_and_runs_lists_them_by_dataset() {
    let (_dir, catalog) = temp_catalog();
    let mut args = TRAIN_IRIS.to_vec();
    args.extend(["--algo", "logistic_regression", "--algo", "naive_bayes"]);
    args.extend(["--json", "--catalog", &catalog]);
    let trained = stdout_json(&modeldesk(&args));
    let ids: Vec<i64> = trained["run_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{trained}");
    assert_eq!(trained["models"][1]["run_id"], ids[1]);
    let runs = listed_runs(&catalog, &[]);
    // Newest first.
    let listed: Vec<i64> = runs.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, vec![ids[1], ids[0]]);
    let logistic = &runs[1];
    assert_eq!(logistic["status"], "finished");
    assert_eq!(logistic["algorithm"], "logistic_regression");
    assert_eq!(logistic["dataset"], "iris");
    assert_eq!(logistic["target"], "species");
    assert_eq!(
        logistic["metrics"]["accuracy"],
        trained["models"][0]["metrics"]["accuracy"]
    );
    assert!(logistic["version"].is_null());

    let penguins = modeldesk(&[
        "train",
        "assets/penguins.csv",
        "--target",
        "species",
        "--holdout",
        "0.3",
        "--catalog",
        &catalog,
    ]);
    assert!(penguins.status.success());
    let text = String::from_utf8(penguins.stdout).unwrap();
    assert!(text.contains("recorded as run 3"), "{text}");
    assert_eq!(listed_runs(&catalog, &[]).len(), 3);
    let only = listed_runs(&catalog, &["--dataset", "penguins"]);
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["dataset"], "penguins");
    assert!(listed_runs(&catalog, &["--dataset", "wine"]).is_empty());
    let table = modeldesk(&["runs", "--catalog", &catalog]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert_eq!(table.lines().count(), 1 + 3, "{table}");
    assert!(table.contains("naive_bayes"), "{table}");
}

#[test]
fn a_failed_run_is_recorded_with_its_error() {
    let (_dir, catalog) = temp_catalog();
    // Species is a class: a linear regression cannot predict it.
    let out = modeldesk(&[
        "train",
        "assets/iris.csv",
        "--target",
        "species",
        "--algo",
        "linear_regression",
        "--catalog",
        &catalog,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let failed = listed_runs(&catalog, &["--status", "failed"]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["algorithm"], "linear_regression");
    let error = failed[0]["error"].as_str().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !error.is_empty() && stderr.contains(error),
        "{error} / {stderr}"
    );
    assert!(listed_runs(&catalog, &["--status", "finished"]).is_empty());
    let bad = modeldesk(&["runs", "--status", "done", "--catalog", &catalog]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_registered_run_names_its_version() {
    let (_dir, catalog) = temp_catalog();
    let mut args = TRAIN_IRIS.to_vec();
    args.extend(["--register", "iris", "--json", "--catalog", &catalog]);
    let trained = stdout_json(&modeldesk(&args));
    assert_eq!(trained["version"], 1);
    let runs = listed_runs(&catalog, &[]);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], trained["run_ids"][0]);
    assert_eq!(runs[0]["version"]["model"], "iris");
    assert_eq!(runs[0]["version"]["version"], 1);
    // The version knows its run too.
    let models = stdout_json(&modeldesk(&["models", "--json", "--catalog", &catalog]));
    assert_eq!(models["models"][0]["versions"][0]["run"], runs[0]["id"]);
}

#[test]
fn train_no_record_leaves_the_catalog_untouched() {
    let (dir, catalog) = temp_catalog();
    let mut args = TRAIN_IRIS.to_vec();
    args.extend(["--no-record", "--json", "--catalog", &catalog]);
    let trained = stdout_json(&modeldesk(&args));
    assert_eq!(trained["run_ids"], serde_json::json!([]));
    assert!(!std::path::Path::new(&catalog).exists(), "no catalog made");

    let mut record = TRAIN_IRIS.to_vec();
    record.extend(["--catalog", &catalog]);
    assert!(modeldesk(&record).status.success());
    let files = |dir: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let before = files(dir.path());
    let mut env_only = TRAIN_IRIS.to_vec();
    env_only.push("--no-record");
    let out = modeldesk_with_catalog(std::path::Path::new(&catalog), &env_only);
    assert!(out.status.success());
    assert_eq!(
        files(dir.path()),
        before,
        "the catalog is byte for byte as it was"
    );
    assert_eq!(listed_runs(&catalog, &[]).len(), 1);
    let both = modeldesk(&[
        "train",
        "assets/iris.csv",
        "--target",
        "species",
        "--no-record",
        "--register",
        "iris",
    ]);
    assert_eq!(both.status.code(), Some(2), "--no-record cannot register");
}

#[test]
fn a_feature_matrix_over_the_memory_budget_stops_with_its_column_and_size() {
    // 6,000 rows with a categorical column of 300 levels: 4,800 training rows × 302 features.
    // Algorithms that read the levels as indices need far less than the indicator matrix.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("levels.csv");
    let mut text = String::from("cat,x1,x2,label\n");
    for i in 0..6000u64 {
        let level = (i * 7919) % 300;
        let (x1, x2) = ((i % 97) as f64 / 97.0, (i % 89) as f64 / 89.0);
        let label = if (i * 31) % 7 < 3 { "yes" } else { "no" };
        text.push_str(&format!("lvl{level},{x1:.4},{x2:.4},{label}\n"));
    }
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let train_on = |target: &str, algorithm: &str, budget: &str| {
        modeldesk(&[
            "train",
            file,
            "--target",
            target,
            "--algo",
            algorithm,
            "--holdout",
            "0.2",
            "--no-record",
            "--memory-budget",
            budget,
        ])
    };
    let train = |algorithm: &str, budget: &str| train_on("label", algorithm, budget);
    // Linear regression needs the indicator columns: 11.1 MB of them (the label is one-hot
    // too).
    let out = train_on("x2", "linear_regression", "4M");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("the feature matrix of 4,800 rows × 303 features, 300 of them one-hot levels of column 'cat' (11.0 MB) would need 11.1 MB (estimated), more than the memory budget of 4.00 MB"),
        "{stderr}"
    );
    // Trees read the levels as indices: a tree holds a copy of its 3 columns and their
    // sorted order (12 bytes a cell), 173 KB, not the 302 indicator columns.
    for algorithm in ["decision_tree", "random_forest"] {
        let out = train(algorithm, "4M");
        assert!(
            out.status.success(),
            "{algorithm}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (algorithm, model) in [
        ("decision_tree", "the decision tree's"),
        ("random_forest", "the random forest's"),
    ] {
        let out = train(algorithm, "128K");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains(&format!("{model} sorted columns"))
                && stderr.contains("each on 4,800 rows × 3 columns"),
            "{stderr}"
        );
    }
    // Logistic regression and naive Bayes read the levels as indices (4,800 × 4 bytes,
    // beside 2 numbers a row): they train in a budget far below the indicator matrix, and in
    // 32 KB do not.
    for algorithm in ["logistic", "naive_bayes"] {
        let out = train(algorithm, "4M");
        assert!(
            out.status.success(),
            "{algorithm}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = train("logistic", "32K");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("the features of 4,800 rows (2 numeric, 1 one-hot column as level indices)"),
        "{stderr}"
    );
    // Enough memory: it trains.
    assert!(train("logistic", "1G").status.success());
    assert!(train("logistic", "50%").status.success());
    // Not a budget: a usage error.
    let out = train("logistic", "lots");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a memory budget"));
}

#[test]
fn train_and_models_json_show_each_runs_parameters_as_an_object() {
    let (_dir, path) = temp_catalog();
    let args = [
        &TRAIN_IRIS[..],
        &[
            "--algo",
            "forest",
            "--param",
            "n_estimators=7",
            "--param",
            "max_samples=0.5",
            "--param",
            "min_samples_leaf=2",
            "--param",
            "class_weight=balanced",
            "--register",
            "iris",
            "--catalog",
            &path,
            "--json",
        ],
    ]
    .concat();
    let trained = stdout_json(&modeldesk(&args));
    let expected = serde_json::json!({"trees": 7, "max_depth": 10, "feature_fraction": 0.5,
        "min_samples_leaf": 2, "sample_fraction": 0.5, "seed": 0, "class_weight": "balanced",
        "splitter": "auto"});
    assert_eq!(trained["models"][0]["params"], expected);
    let listed = stdout_json(&modeldesk(&["models", "--json", "--catalog", &path]));
    assert_eq!(listed["models"][0]["versions"][0]["params"], expected);
}

#[test]
fn explicit_class_weights_name_the_targets_classes_and_a_wrong_one_exits_2() {
    let (_dir, path) = temp_catalog();
    let train = |weights: &str| {
        let param = format!("class_weight={weights}");
        let args = [
            &TRAIN_IRIS[..],
            &[
                "--algo",
                "gradient_boosting",
                "--param",
                "max_iter=5",
                "--param",
                &param,
                "--register",
                "iris",
                "--catalog",
                &path,
                "--json",
            ],
        ]
        .concat();
        modeldesk(&args)
    };
    let trained = stdout_json(&train("virginica:3,setosa:0.5"));
    let expected = serde_json::json!({"setosa": 0.5, "virginica": 3.0});
    let model = &trained["models"][0];
    assert_eq!(model["params"]["class_weight"], expected);
    assert!(
        model["parameters"]
            .as_str()
            .unwrap()
            .ends_with(", class weights setosa:0.5,virginica:3"),
        "{model}"
    );
    let listed = stdout_json(&modeldesk(&["models", "--json", "--catalog", &path]));
    assert_eq!(
        listed["models"][0]["versions"][0]["params"]["class_weight"],
        expected
    );
    // A class the target does not have, or a weight that is not positive: usage errors.
    let out = train("virginca:3");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'virginca'")
            && stderr.contains("its classes are setosa, versicolor, virginica"),
        "{stderr}"
    );
    let out = train("virginica:0");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("positive weights"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn min_frequency_and_max_categories_group_rare_levels_of_every_one_hot_column() {
    let (_dir, path) = temp_catalog();
    let penguins = root().join("assets/penguins.csv");
    let train = |extra: &[&str], name: &str| {
        let args = [
            &[
                "train",
                penguins.to_str().unwrap(),
                "--target",
                "species",
                "--holdout",
                "0.3",
                "--register",
                name,
                "--catalog",
                &path,
            ][..],
            extra,
        ]
        .concat();
        modeldesk(&args)
    };
    let explained = |name: &str| {
        let out = modeldesk(&["explain", &format!("{name}@1"), "--catalog", &path]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    // About 240 training rows: Torgersen (about 36) and the missing sex (about 8) are under
    // 60 rows; Biscoe, Dream, male and female are not.
    assert!(train(&["--min-frequency", "60"], "rows").status.success());
    let text = explained("rows");
    for feature in [
        "island=(infrequent)",
        "sex=(infrequent)",
        "island=Dream",
        "sex=male",
    ] {
        assert!(text.contains(feature), "{feature} missing:\n{text}");
    }
    assert!(
        !text.contains("island=Torgersen") && !text.contains("sex=(missing)"),
        "{text}"
    );
    // A share of the rows, and a cap on the columns, the group's included.
    assert!(train(&["--min-frequency", "0.2"], "share").status.success());
    assert!(explained("share").contains("island=(infrequent)"));
    assert!(train(&["--max-categories", "2"], "cap").status.success());
    let text = explained("cap");
    assert!(
        text.contains("island=Biscoe") && !text.contains("island=Dream"),
        "{text}"
    );
    assert!(text.contains("island=(infrequent)"), "{text}");
    // Not a count nor a share, or no column at all: usage errors that say why.
    let out = train(&["--min-frequency", "1.5"], "bad");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("neither a row count"), "{stderr}");
    let out = train(&["--max-categories", "0"], "bad");
    assert_eq!(out.status.code(), Some(2));
}
