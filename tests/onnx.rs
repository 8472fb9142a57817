//! Every algorithm exported to ONNX and run in ONNX Runtime (from the tests' own virtualenv,
//! see `support/python.rs`): labels equal, probabilities within 1e-6 and predicted values
//! within 1e-9 relative of `modeldesk score` on the same rows, missing cells, an unseen level
//! and values exactly at and just below tree thresholds included. Bad exports fail with one
//! line and leave no file.

#[path = "support/python.rs"]
mod python;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use modeldesk::catalog::{record, Catalog};
use modeldesk::data::{self, ColumnData, ImportOptions, Table, MISSING_CODE};
use modeldesk::ml::model::FittedModel;
use modeldesk::ml::prep::FittedStep;
use modeldesk::ml::tree::{FlatTree, Node};

fn modeldesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run modeldesk")
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read(path: &Path) -> Table {
    data::import_csv(path, &ImportOptions::default(), &data::Progress::default())
        .expect("read the dataset")
}

fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One row of `table` as CSV cells: missing cells empty, numbers in their shortest exact form.
fn cells(table: &Table, row: usize) -> Vec<String> {
    table
        .columns
        .iter()
        .map(|c| match &c.data {
            ColumnData::Numeric(values) => data::format_number(values[row]).into_owned(),
            ColumnData::Strings { codes, levels } if codes[row] == MISSING_CODE => String::new(),
            ColumnData::Strings { codes, levels } => quoted(&levels[codes[row] as usize]),
        })
        .collect()
}

fn write_csv(path: &Path, table: &Table, rows: &[Vec<String>]) {
    let mut text = table
        .columns
        .iter()
        .map(|c| quoted(&c.name))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for row in rows {
        writeln!(text, "{}", row.join(",")).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A copy of a bundled dataset in the form an ONNX caller feeds: missing cells empty (the
/// sample writes "NA"), numbers exactly as read.
fn clean_copy(asset: &str, dir: &Path) -> PathBuf {
    let table = read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(asset),
    );
    let rows: Vec<Vec<String>> = (0..table.rows()).map(|r| cells(&table, r)).collect();
    let path = dir.join(asset);
    write_csv(&path, &table, &rows);
    path
}

/// The raw value whose transformed value is exactly `threshold`, if there is one, and the
/// largest raw value below it.
fn raw_at_and_below(threshold: f64, center: f64, scale: f64) -> Option<(f64, f64)> {
    let transformed = |x: f64| (x - center) / scale;
    let mut x = threshold * scale + center;
    let mut at = None;
    for _ in 0..64 {
        let t = transformed(x);
        if t == threshold {
            at = Some(x);
            break;
        }
        x = if t < threshold {
            x.next_up()
        } else {
            x.next_down()
        };
    }
    let at = at?;
    let mut below = at.next_down();
    for _ in 0..64 {
        if transformed(below) < threshold {
            return Some((at, below));
        }
        below = below.next_down();
    }
    None
}

/// The rows of `train` plus rows a caller will send one day: every feature missing, a level
/// never seen in training, and for trees values exactly at and just below split thresholds.
/// Returns the file and how many threshold rows it holds.
fn scoring_file(train: &Path, catalog: &Path, model: &str, dir: &Path) -> (PathBuf, usize) {
    let table = read(train);
    let catalog = Catalog::open(catalog).unwrap();
    let found = catalog.resolve(&format!("{model}@1")).unwrap();
    let trained = record::load_model(&catalog, found.id).unwrap();
    let mut rows: Vec<Vec<String>> = (0..table.rows()).map(|r| cells(&table, r)).collect();
    let base = cells(&table, 0);
    let position = |name: &str| table.columns.iter().position(|c| c.name == name).unwrap();
    let mut missing = base.clone();
    let mut unseen = base.clone();
    for fitted in &trained.recipe.columns {
        missing[position(&fitted.column)] = String::new();
        if let FittedStep::OneHot { .. } = fitted.step {
            unseen[position(&fitted.column)] = "a level never seen".into();
        }
    }
    rows.push(missing);
    rows.push(unseen);
    // Feature index → the numeric column it comes from, with its centre and scale.
    let mut numeric = Vec::new();
    for fitted in &trained.recipe.columns {
        match fitted.step {
            FittedStep::Numeric { center, scale, .. } => {
                numeric.push(Some((position(&fitted.column), center, scale)))
            }
            ref step => numeric.extend(std::iter::repeat_n(None, step.width())),
        }
    }
    // Every split's feature and threshold, trees' and boosted trees' alike.
    let splits: Vec<(usize, f64)> = match &trained.model {
        FittedModel::Tree(tree) => tree_splits(std::slice::from_ref(tree)),
        FittedModel::Forest(forest) => tree_splits(&forest.trees),
        FittedModel::Boosted(boosted) => boosted
            .trees
            .iter()
            .flatten()
            .flat_map(|t| &t.nodes)
            .filter(|n| !n.is_leaf() && n.threshold < f64::MAX)
            .map(|n| (n.feature, n.threshold))
            .collect(),
        _ => Vec::new(),
    };
    let mut at_threshold = 0;
    for (feature, threshold) in &splits {
        let Some((column, center, scale)) = numeric[*feature] else {
            continue;
        };
        if let Some((at, below)) = raw_at_and_below(*threshold, center, scale) {
            for value in [at, below] {
                let mut row = base.clone();
                row[column] = data::format_number(value).into_owned();
                rows.push(row);
            }
            at_threshold += 1;
        }
        if at_threshold == 12 {
            break;
        }
    }
    let path = dir.join(format!("{model}-scoring.csv"));
    write_csv(&path, &table, &rows);
    (path, at_threshold)
}

fn tree_splits(trees: &[FlatTree]) -> Vec<(usize, f64)> {
    trees
        .iter()
        .flat_map(|t| &t.nodes)
        .filter_map(|node| match node {
            Node::Split {
                feature, threshold, ..
            } => Some((*feature, *threshold)),
            _ => None,
        })
        .collect()
}

struct Case {
    asset: &'static str,
    target: &'static str,
    algorithms: &'static [&'static str],
    /// More `train` arguments.
    args: &'static [&'static str],
}

const CLASSIFIERS: [&str; 5] = [
    "logistic_regression",
    "decision_tree",
    "random_forest",
    "naive_bayes",
    "gradient_boosting",
];
const REGRESSORS: [&str; 5] = [
    "linear_regression",
    "ridge",
    "lasso",
    "elastic_net",
    "gradient_boosting",
];

#[test]
fn every_algorithm_exports_and_onnx_runtime_predicts_what_score_predicts() {
    let Some(python) = python::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let catalog_arg = catalog.to_str().unwrap();
    let cases = [
        // binary
        Case {
            asset: "breast_cancer.csv",
            target: "diagnosis",
            algorithms: &CLASSIFIERS,
            args: &[],
        },
        // three classes
        Case {
            asset: "iris.csv",
            target: "species",
            algorithms: &CLASSIFIERS,
            args: &[],
        },
        // three classes, missing values and categories
        Case {
            asset: "penguins.csv",
            target: "species",
            algorithms: &CLASSIFIERS,
            args: &[],
        },
        Case {
            asset: "diabetes.csv",
            target: "progression",
            algorithms: &REGRESSORS,
            args: &[],
        },
        // rare levels grouped: Torgersen and the missing sex share their column's "(infrequent)"
        Case {
            asset: "penguins.csv",
            target: "species",
            algorithms: &["logistic_regression", "random_forest"],
            args: &["--min-frequency", "60"],
        },
        // regression over categories and missing values
        Case {
            asset: "penguins.csv",
            target: "body_mass_g",
            algorithms: &REGRESSORS,
            args: &[],
        },
    ];
    let mut checks = Vec::new();
    for case in &cases {
        let train = clean_copy(case.asset, dir.path());
        for &algorithm in case.algorithms {
            let stem = case.asset.trim_end_matches(".csv");
            let grouped = if case.args.is_empty() { "" } else { "-grouped" };
            let model = format!("{stem}-{}{grouped}-{algorithm}", case.target);
            let mut train_args = vec![
                "train",
                train.to_str().unwrap(),
                "--target",
                case.target,
                "--algo",
                algorithm,
                "--holdout",
                "0.3",
                "--register",
                &model,
                "--catalog",
                catalog_arg,
            ];
            train_args.extend(case.args);
            ok(modeldesk(&train_args));
            let onnx = dir.path().join(format!("{model}.onnx"));
            let exported = ok(modeldesk(&[
                "export",
                &format!("{model}@1"),
                "--onnx",
                onnx.to_str().unwrap(),
                "--catalog",
                catalog_arg,
            ]));
            let said = String::from_utf8_lossy(&exported.stdout);
            assert!(
                said.starts_with(&format!("exported {model} version 1 to ")),
                "{said}"
            );
            let (input, at_threshold) = scoring_file(&train, &catalog, &model, dir.path());
            if matches!(
                algorithm,
                "decision_tree" | "random_forest" | "gradient_boosting"
            ) {
                assert!(
                    at_threshold > 0,
                    "{model}: no value lands exactly on a split"
                );
            }
            let scored = dir.path().join(format!("{model}-scored.csv"));
            ok(modeldesk(&[
                "score",
                &format!("{model}@1"),
                input.to_str().unwrap(),
                "-o",
                scored.to_str().unwrap(),
                "--digits",
                "17",
                "--catalog",
                catalog_arg,
            ]));
            checks.push(serde_json::json!({
                "name": model,
                "onnx": onnx,
                "input": input,
                "scored": scored,
            }));
        }
    }
    let manifest = dir.path().join("cases.json");
    std::fs::write(&manifest, serde_json::to_vec(&checks).unwrap()).unwrap();
    let out = Command::new(&python)
        .arg(python::script("onnx_check.py"))
        .arg(&manifest)
        .output()
        .expect("run the ONNX Runtime check");
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a case"))
        .collect();
    assert_eq!(lines.len(), checks.len(), "{report}");
    for line in &lines {
        assert_eq!(line["problems"], serde_json::json!([]), "{line}");
        assert_eq!(line["ir_version"], 10, "{line}");
        assert_eq!(line["opsets"]["ai.onnx"], 21, "{line}");
        assert_eq!(line["opsets"]["ai.onnx.ml"], 3, "{line}");
        // Linear models and naive Bayes are computed in doubles from end to end, and
        // `--digits 17` writes them exactly: far closer than the 1e-6 asked for. Tree
        // ensembles answer in float (ai.onnx.ml's TreeEnsembleClassifier).
        let name = line["name"].as_str().unwrap();
        if !name.ends_with("tree") && !name.ends_with("forest") {
            let diff = line["max_proba_diff"]
                .as_f64()
                .or(line["max_relative_diff"].as_f64())
                .unwrap();
            assert!(diff < 1e-12, "{line}");
        }
    }
    assert!(out.status.success(), "{report}");
}

#[test]
fn bad_exports_fail_with_one_line_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    let catalog_arg = catalog.to_str().unwrap();
    ok(modeldesk(&[
        "train",
        "assets/iris.csv",
        "--target",
        "species",
        "--holdout",
        "0.3",
        "--register",
        "iris",
        "--catalog",
        catalog_arg,
    ]));
    let out = dir.path().join("iris.onnx");
    let export = |reference: &str, out: &Path| {
        modeldesk(&[
            "export",
            reference,
            "--onnx",
            out.to_str().unwrap(),
            "--catalog",
            catalog_arg,
        ])
    };
    let one_line = |output: &Output, code: i32, needle: &str| {
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
    };
    one_line(&export("churn@1", &out), 2, "churn");
    one_line(&export("iris@7", &out), 2, "7");
    one_line(&export("iris@production", &out), 2, "Production");
    assert!(!out.exists());

    // A path that cannot be written: nothing is left behind, not even a partial file.
    let nowhere = dir.path().join("no such folder").join("iris.onnx");
    one_line(&export("iris@1", &nowhere), 1, "no such folder");
    let folder = dir.path().join("a folder");
    std::fs::create_dir(&folder).unwrap();
    one_line(&export("iris@1", &folder), 1, "a folder");
    let names = |path: &Path| -> Vec<String> {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert!(names(&folder).is_empty(), "{:?}", names(&folder));
    assert!(
        names(dir.path()).iter().all(|n| !n.contains("partial")),
        "{:?}",
        names(dir.path())
    );

    // A changed artifact is refused by its checksum before anything is written.
    ok(export("iris@1", &out));
    let written = std::fs::read(&out).unwrap();
    assert!(written.windows(9).any(|w| w == b"modeldesk"));
    rusqlite::Connection::open(&catalog)
        .unwrap()
        .execute(
            "UPDATE model_versions SET artifact = CAST('{}' AS BLOB) WHERE version = 1",
            [],
        )
        .unwrap();
    let again = dir.path().join("again.onnx");
    one_line(&export("iris@1", &again), 1, "does not match its checksum");
    assert!(!again.exists());
}
