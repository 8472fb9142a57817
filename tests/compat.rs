//! Catalogs written by earlier builds keep working. `tests/fixtures/compat/catalog.sqlite` was
//! written by the build of commit d467ec7 (`make.sh` beside it shows how): every algorithm,
//! stages, a description, a tag and a scoring run. Each of its versions must still load, score
//! the same predictions (labels exactly, probabilities and values to 1e-12 relative) and
//! report the same metrics as that build did (`expected/`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Each stored version, and the bundled file it is scored on.
const VERSIONS: [(&str, &str); 11] = [
    ("iris_logistic_regression@1", "iris.csv"),
    ("iris_decision_tree@1", "iris.csv"),
    ("iris_random_forest@1", "iris.csv"),
    ("iris_naive_bayes@1", "iris.csv"),
    ("penguins@1", "penguins.csv"),
    ("penguins@2", "penguins.csv"),
    ("penguins_sex@1", "penguins.csv"),
    ("diabetes@1", "diabetes.csv"),
    ("diabetes@2", "diabetes.csv"),
    ("diabetes@3", "diabetes.csv"),
    ("diabetes@4", "diabetes.csv"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/compat")
}

/// A copy of the fixture catalog (scoring records a run, and the committed file must not change).
fn catalog_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("catalog.sqlite");
    std::fs::copy(fixture().join("catalog.sqlite"), &copy).unwrap();
    copy
}

fn modeldesk(catalog: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .arg("--catalog")
        .arg(catalog)
        .current_dir(root())
        .output()
        .expect("run modeldesk");
    assert!(
        out.status.success(),
        "modeldesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn expected(reference: &str, ext: &str) -> PathBuf {
    fixture()
        .join("expected")
        .join(format!("{}.{ext}", reference.replace('@', "_v")))
}

/// The prediction columns of a scored CSV (everything from `predicted` on), row by row.
fn predictions(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let from = header.iter().position(|h| *h == "predicted").unwrap();
    std::iter::once(header[from..].iter().map(|s| s.to_string()).collect())
        .chain(lines.map(|l| l.split(',').skip(from).map(str::to_string).collect()))
        .collect()
}

#[test]
fn every_version_of_an_earlier_catalog_scores_the_same_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog_copy(dir.path());
    for (reference, file) in VERSIONS {
        let out = dir.path().join("scored.csv");
        let data = format!("assets/{file}");
        let args = ["score", reference, &data, "--digits", "17", "-o"];
        let mut args: Vec<&str> = args.to_vec();
        args.push(out.to_str().unwrap());
        modeldesk(&catalog, &args);
        let now = std::fs::read_to_string(&out).unwrap();
        let then = std::fs::read_to_string(expected(reference, "csv")).unwrap();
        let (now, then) = (predictions(&now), predictions(&then));
        assert_eq!(now.len(), then.len(), "{reference}: rows");
        for (row, (a, b)) in now.iter().zip(&then).enumerate() {
            assert!(
                same_prediction(a, b),
                "{reference}: row {row}: {a:?} against {b:?}"
            );
        }
    }
}

/// The same labels, and numbers equal but for the last bits of a double: a one-hot column
/// read as level indices adds the same products in another order than the indicator matrix
/// did, which moves a probability by about 1e-16.
fn same_prediction(now: &[String], then: &[String]) -> bool {
    now.len() == then.len()
        && now.iter().zip(then).all(|(a, b)| {
            a == b
                || match (a.parse::<f64>(), b.parse::<f64>()) {
                    (Ok(x), Ok(y)) => (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1e-300),
                    _ => false,
                }
        })
}

#[test]
fn every_version_of_an_earlier_catalog_reports_the_same_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog_copy(dir.path());
    for (reference, _) in VERSIONS {
        let html = dir.path().join("report.html");
        let json = dir.path().join("metrics.json");
        modeldesk(
            &catalog,
            &[
                "report",
                reference,
                "-o",
                html.to_str().unwrap(),
                "--metrics-json",
                json.to_str().unwrap(),
            ],
        );
        let read = |p: &Path| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        };
        let now = read(&json);
        let then = read(&expected(reference, "metrics.json"));
        assert_eq!(now["models"], then["models"], "{reference}");
        let page = std::fs::read_to_string(&html).unwrap();
        let label = then["models"][0]["label"].as_str().unwrap();
        assert!(page.contains(label), "{reference}: report names {label}");
    }
}

#[test]
fn an_earlier_catalog_keeps_its_stages_history_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog_copy(dir.path());
    let models = modeldesk(&catalog, &["models", "--json"]);
    let models: serde_json::Value = serde_json::from_str(&models).unwrap();
    let text = models.to_string();
    assert!(text.contains("Species from **bill** and flipper"), "{text}");
    assert!(text.contains("analytics"), "{text}");
    let history = modeldesk(&catalog, &["history", "diabetes"]);
    assert!(history.contains("Archived"), "{history}");
    let production = modeldesk(
        &catalog,
        &["score", "penguins@production", "assets/penguins.csv"],
    );
    assert!(!production.is_empty());
}

#[test]
fn an_earlier_catalog_upgrades_to_keep_explanations_with_its_versions() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog_copy(dir.path());
    let before: i64 = rusqlite::Connection::open(&catalog)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(before, 2);
    let printed = modeldesk(
        &catalog,
        &[
            "explain",
            "penguins@1",
            "--importance",
            "permutation",
            "--repeats",
            "2",
            "--pdp",
            "bill_length_mm",
            "--data",
            "assets/penguins.csv",
            "--json",
        ],
    );
    let printed: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let opened = modeldesk::catalog::Catalog::open(&catalog).unwrap();
    let after: i64 = rusqlite::Connection::open(&catalog)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(after, modeldesk::catalog::SCHEMA_VERSION);
    assert!(after >= 3);
    let stored = modeldesk::catalog::record::StoredExplanations::read(
        &opened.explanations("penguins", 1).unwrap(),
    );
    let (measured, on) = stored.permutation.expect("permutation importance stored");
    assert_eq!(
        serde_json::to_value(&measured).unwrap(),
        printed["permutation_importance"]
    );
    assert!(on.file_path.ends_with("assets/penguins.csv"), "{on:?}");
    assert_eq!(on.rows, measured.rows as u64);
    assert_eq!(stored.partial_dependence.len(), 1);
    assert_eq!(
        serde_json::to_value(&stored.partial_dependence[0].0).unwrap(),
        printed["partial_dependence"][0]
    );
    // The versions it had still score as they did (the other tests check every one).
    assert!(opened.explanations("penguins", 2).unwrap().is_empty());
}
