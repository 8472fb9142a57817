//! `modeldesk score --explain` through the real binary and a catalog on disk: each scored
//! row's contributions are written beside its predictions, and the base plus a row's
//! contributions is its prediction, in the unit the method states. `explain --shap`
//! summarises the same contributions per column.

use modeldesk::data::{import_csv, ColumnData, ImportOptions, Progress, Table};
use std::path::Path;
use std::process::Command;

fn modeldesk(catalog: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .env("MODELDESK_CATALOG", catalog)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run modeldesk")
}

fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Train `algo` on the bundled `file` and register it as `name` version 1.
fn register(catalog: &Path, file: &str, target: &str, algo: &str, name: &str) {
    let file = format!("assets/{file}");
    let args = [
        "train",
        &file,
        "--target",
        target,
        "--algo",
        algo,
        "--cv",
        "2",
        "--register",
        name,
    ];
    succeeded(&modeldesk(catalog, &args));
}

/// Score `file` with `name@1` and `--explain` (and `extra`), exact numbers; the output read back.
fn score_explained(
    catalog: &Path,
    name: &str,
    file: &str,
    extra: &[&str],
) -> (Table, serde_json::Value) {
    let out = catalog.with_file_name(format!("{name}.csv"));
    let file = format!("assets/{file}");
    let reference = format!("{name}@1");
    let mut args = vec!["score", &reference, &file, "-o", out.to_str().unwrap()];
    args.extend(["--explain", "--digits", "17", "--json"]);
    args.extend(extra);
    let json: serde_json::Value =
        serde_json::from_str(&succeeded(&modeldesk(catalog, &args))).unwrap();
    let table = import_csv(&out, &ImportOptions::default(), &Progress::default()).unwrap();
    (table, json)
}

fn numbers<'t>(table: &'t Table, name: &str) -> &'t [f64] {
    match &table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .data
    {
        ColumnData::Numeric(v) => v,
        ColumnData::Strings { .. } => panic!("{name} is not numeric"),
    }
}

fn strings(table: &Table, name: &str) -> Vec<String> {
    match &table.column(name).unwrap().data {
        ColumnData::Strings { codes, levels } => {
            codes.iter().map(|&c| levels[c as usize].clone()).collect()
        }
        ColumnData::Numeric(_) => panic!("{name} is numeric"),
    }
}

/// Each row's base plus its contributions over `columns`.
fn totals(table: &Table, columns: &[&str]) -> Vec<f64> {
    let base = numbers(table, "base");
    (0..table.rows())
        .map(|r| {
            base[r]
                + columns
                    .iter()
                    .map(|c| numbers(table, &format!("contribution_{c}"))[r])
                    .sum::<f64>()
        })
        .collect()
}

const PENGUIN_COLUMNS: [&str; 7] = [
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
];

#[test]
fn score_explain_writes_contributions_that_add_up_to_each_prediction() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    // A forest: TreeSHAP, in probability of each row's predicted class.
    register(
        &catalog,
        "penguins.csv",
        "species",
        "random_forest",
        "forest",
    );
    let (table, json) = score_explained(&catalog, "forest", "penguins.csv", &[]);
    assert_eq!(json["explain"]["method"]["method"], "tree_shap");
    assert_eq!(json["explain"]["unit"], "probability");
    assert_eq!(table.rows(), 344);
    let explained = strings(&table, "explained_class");
    assert_eq!(explained, strings(&table, "predicted"));
    let total = totals(&table, &PENGUIN_COLUMNS);
    for r in 0..table.rows() {
        let p = numbers(&table, &format!("proba_{}", explained[r]))[r];
        assert!((total[r] - p).abs() < 1e-9, "row {r}: {} vs {p}", total[r]);
    }
    assert!(table.column("error_island").is_none());
    // Binary logistic regression, one chosen class: log-odds.
    register(
        &catalog,
        "breast_cancer.csv",
        "diagnosis",
        "logistic_regression",
        "cancer",
    );
    let (table, json) = score_explained(
        &catalog,
        "cancer",
        "breast_cancer.csv",
        &["--explain-class", "malignant"],
    );
    assert_eq!(json["explain"]["unit"], "log_odds");
    assert!(strings(&table, "explained_class")
        .iter()
        .all(|c| c == "malignant"));
    let columns: Vec<String> = json["explain"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(columns.len(), 30);
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let total = totals(&table, &names);
    let proba = numbers(&table, "proba_malignant");
    for r in 0..table.rows() {
        let p = 1.0 / (1.0 + (-total[r]).exp());
        assert!((p - proba[r]).abs() < 1e-9, "row {r}");
    }
    // Naive Bayes: sampled, each contribution with its standard error, still adding up.
    register(&catalog, "penguins.csv", "species", "naive_bayes", "bayes");
    let (table, json) = score_explained(&catalog, "bayes", "penguins.csv", &["--samples", "50"]);
    assert_eq!(json["explain"]["method"]["method"], "sampling");
    assert!(json["explain"]["description"]
        .as_str()
        .unwrap()
        .contains("standard error"));
    let explained = strings(&table, "explained_class");
    let total = totals(&table, &PENGUIN_COLUMNS);
    for r in 0..table.rows() {
        let p = numbers(&table, &format!("proba_{}", explained[r]))[r];
        assert!((total[r] - p).abs() < 1e-9, "row {r}");
    }
    let errors = numbers(&table, "error_bill_length_mm");
    assert!(errors.iter().all(|e| *e >= 0.0) && errors.iter().any(|e| *e > 0.0));
    // Linear regression: in the predicted value.
    register(
        &catalog,
        "diabetes.csv",
        "progression",
        "linear_regression",
        "diabetes",
    );
    let (table, json) = score_explained(&catalog, "diabetes", "diabetes.csv", &[]);
    assert_eq!(json["explain"]["unit"], "value");
    assert!(table.column("explained_class").is_none());
    let columns = [
        "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
    ];
    let total = totals(&table, &columns);
    let predicted = numbers(&table, "predicted");
    for r in 0..table.rows() {
        assert!((total[r] - predicted[r]).abs() < 1e-9, "row {r}");
    }
}

#[test]
fn score_explain_refuses_an_unknown_class_and_a_missing_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    register(&catalog, "iris.csv", "species", "decision_tree", "iris");
    let out = dir.path().join("out.csv");
    let out = out.to_str().unwrap();
    let unknown = modeldesk(
        &catalog,
        &[
            "score",
            "iris@1",
            "assets/iris.csv",
            "-o",
            out,
            "--explain",
            "--explain-class",
            "rose",
        ],
    );
    assert_eq!(unknown.status.code(), Some(2));
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("'rose' is not one of the model's classes"),
        "{said}"
    );
    let no_output = modeldesk(
        &catalog,
        &["score", "iris@1", "assets/iris.csv", "--explain"],
    );
    assert_eq!(no_output.status.code(), Some(2));
    // Text output says what the numbers are.
    let text = succeeded(&modeldesk(
        &catalog,
        &["score", "iris@1", "assets/iris.csv", "-o", out, "--explain"],
    ));
    assert!(
        text.contains("path-dependent TreeSHAP), in probability of the explained class"),
        "{text}"
    );
}

#[test]
fn explain_shap_summarises_the_contributions_score_explain_writes() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.sqlite");
    register(&catalog, "penguins.csv", "species", "decision_tree", "tree");
    let (table, _) = score_explained(&catalog, "tree", "penguins.csv", &[]);
    // The training file is still there: --shap explains it without --data.
    let out = modeldesk(&catalog, &["explain", "tree@1", "--shap", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&succeeded(&out)).unwrap();
    let summary = &json["shap_summary"];
    assert_eq!(summary["rows"], 344);
    assert_eq!(summary["unit"], "probability");
    let columns = summary["columns"].as_array().unwrap();
    assert_eq!(columns.len(), PENGUIN_COLUMNS.len());
    let mut last = f64::INFINITY;
    for column in columns {
        let name = column["column"].as_str().unwrap();
        let mean_abs = column["mean_abs"].as_f64().unwrap();
        assert!(mean_abs <= last, "largest first");
        last = mean_abs;
        let written = numbers(&table, &format!("contribution_{name}"));
        let theirs = written.iter().map(|v| v.abs()).sum::<f64>() / written.len() as f64;
        assert!(
            (mean_abs - theirs).abs() < 1e-12,
            "{name}: {mean_abs} vs {theirs}"
        );
        let points = column["points"].as_array().unwrap();
        assert_eq!(points.len(), 344);
        assert_eq!(points[5][1].as_f64().unwrap(), written[5]);
    }
    // A file of fewer rows, and text.
    let text = succeeded(&modeldesk(
        &catalog,
        &[
            "explain",
            "tree@1",
            "--shap",
            "--data",
            "assets/penguins.csv",
            "--shap-rows",
            "100",
        ],
    ));
    assert!(
        text.contains("mean |contribution| over 86 rows of assets/penguins.csv"),
        "{text}"
    );
}
