//! What leaves the desk, through the real binary: a report names files without their folders
//! and shows no column's exact extremes or rare levels, unless asked (`--full-paths`,
//! `--exact-values`).

use std::path::Path;
use std::process::{Command, Output};

fn modeldesk(args: &[&str], catalog: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(args)
        .env("MODELDESK_CATALOG", catalog)
        .output()
        .expect("run modeldesk");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// 200 employees: salaries between 40.00 and 59.90 but one of 97.75 and one of 31.25, and a
/// city that two rows hold.
fn write_salaries(path: &Path) {
    let mut text = String::from("salary,city,left\n");
    for i in 0..200 {
        let salary = match i {
            17 => 97.75,
            123 => 31.25,
            _ => 40.0 + f64::from(i % 100) * 0.2,
        };
        let city = match i {
            5 | 77 => "Tromsø",
            _ if i % 3 == 0 => "Bergen",
            _ => "Oslo",
        };
        let left = if (i * 7) % 5 < 2 { "yes" } else { "no" };
        text.push_str(&format!("{salary:.2},{city},{left}\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// The report's training data section.
fn data_section(html: &str) -> &str {
    let start = html
        .find("<section id=\"data\">")
        .expect("a training data section");
    &html[start..start + html[start..].find("</section>").unwrap()]
}

#[test]
fn reports_show_file_names_and_no_single_rows_values_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("salaries.csv");
    write_salaries(&csv);
    let catalog = dir.path().join("catalog.sqlite");
    let csv_text = csv.to_str().unwrap();
    modeldesk(
        &[
            "train",
            csv_text,
            "--target",
            "left",
            "--cv",
            "2",
            "--register",
            "pay",
        ],
        &catalog,
    );
    modeldesk(&["score", "pay@1", csv_text], &catalog);
    // Kept with the version, with the file it was computed on.
    modeldesk(
        &[
            "explain",
            "pay@1",
            "--importance",
            "permutation",
            "--repeats",
            "2",
        ],
        &catalog,
    );
    let folder = std::fs::canonicalize(dir.path()).unwrap();
    // The page escapes `/` as `&#x2f;`.
    let folder = folder.to_str().unwrap().replace('/', "&#x2f;");
    let folder = folder.as_str();

    let report = |extra: &[&str]| {
        let out = dir.path().join("report.html");
        let out_text = out.to_str().unwrap().to_string();
        modeldesk(
            &[&["report", "pay@1", "-o", &out_text][..], extra].concat(),
            &catalog,
        );
        std::fs::read_to_string(out).unwrap()
    };

    let shared = report(&[]);
    assert!(!shared.contains(folder), "an absolute path in the report");
    assert!(shared.contains("salaries.csv") && shared.contains("catalog.sqlite"));
    assert!(
        shared.contains("rows of salaries.csv"),
        "the explanations' file by name"
    );
    let data = data_section(&shared);
    for exact in ["97.75", "31.25", "Tromsø"] {
        assert!(!data.contains(exact), "{exact} in {data}");
    }
    assert!(data.contains("Oslo") && data.contains("Bergen"), "{data}");
    assert!(
        shared.contains("0.5th to 99.5th percentiles"),
        "the reader is told"
    );

    let paths = report(&["--full-paths"]);
    assert!(
        paths.contains(&format!("{folder}&#x2f;salaries.csv")),
        "full paths asked for"
    );
    assert!(!data_section(&paths).contains("97.75"));

    let exact = report(&["--exact-values"]);
    let data = data_section(&exact);
    for value in ["97.75", "31.25", "Tromsø"] {
        assert!(data.contains(value), "{value} asked for but not in {data}");
    }
    assert!(!exact.contains(folder));
    assert!(!exact.contains("0.5th to 99.5th percentiles"));
}

#[test]
fn reports_hold_no_environment_values() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("salaries.csv");
    write_salaries(&csv);
    let catalog = dir.path().join("catalog.sqlite");
    let secret = "s3cr3t-token-value-0042";
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
            .args(args)
            .env("MODELDESK_CATALOG", &catalog)
            .env("MLFLOW_TRACKING_TOKEN", secret)
            .env("MODELDESK_SERVE_TOKEN", secret)
            .env("MLFLOW_TRACKING_PASSWORD", secret)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let csv_text = csv.to_str().unwrap();
    run(&[
        "train",
        csv_text,
        "--target",
        "left",
        "--cv",
        "2",
        "--register",
        "pay",
    ]);
    let out = dir.path().join("report.html");
    run(&[
        "report",
        "pay@1",
        "-o",
        out.to_str().unwrap(),
        "--exact-values",
        "--full-paths",
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("salaries.csv"));
    assert!(!html.contains(secret), "an environment value in the report");
    let stored = std::fs::read(&catalog).unwrap();
    assert!(
        !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "an environment value in the catalog"
    );
}

/// Every numeric reference of `trained` keeps groups of at least five rows, and the
/// categorical ones name no level held by fewer.
fn assert_reference_shareable(trained: &modeldesk::ml::eval::TrainedModel, what: &str) {
    use modeldesk::ml::drift_reference::{FeatureReference, MIN_ROWS};
    for feature in &trained.reference.features {
        if let FeatureReference::Numeric {
            sample, weights, ..
        } = feature
        {
            assert_eq!(sample.len(), weights.len(), "{what}");
            assert!(
                weights.iter().all(|&w| w as usize >= MIN_ROWS),
                "{what}: {weights:?}"
            );
        }
    }
}

#[test]
fn the_shareable_artifact_keeps_no_single_rows_value_and_scores_the_same() {
    use modeldesk::catalog::{record, Catalog};
    use modeldesk::report::{shareable, SharePolicy};
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("salaries.csv");
    write_salaries(&csv);
    let catalog_path = dir.path().join("catalog.sqlite");
    let csv_text = csv.to_str().unwrap();
    modeldesk(
        &[
            "train",
            csv_text,
            "--target",
            "left",
            "--cv",
            "2",
            "--register",
            "pay",
        ],
        &catalog_path,
    );
    let catalog = Catalog::open(&catalog_path).unwrap();
    let version = catalog.resolve("pay@1").unwrap();
    let shared = shareable(&catalog, &version, &SharePolicy::default()).unwrap();
    assert_reference_shareable(&shared.trained, "pay@1");
    let reference = serde_json::to_string(&shared.trained.reference).unwrap();
    let lineage = shared.lineage.to_string();
    let folder = std::fs::canonicalize(dir.path()).unwrap();
    for (part, text) in [("reference", &reference), ("lineage", &lineage)] {
        for exact in ["97.75", "31.25", "Tromsø", folder.to_str().unwrap()] {
            assert!(
                !text.contains(exact),
                "{exact} in the shared {part}: {text}"
            );
        }
    }
    assert_eq!(shared.lineage["file"], "salaries.csv");
    let json = String::from_utf8(shared.to_json().unwrap()).unwrap();
    assert!(json.contains("\"trained\"") && !json.contains(folder.to_str().unwrap()));

    // The model predicts as the stored one does.
    let local = record::load_model(&catalog, version.id).unwrap();
    let table =
        modeldesk::data::import_csv(&csv, &local.scoring_options(), &Default::default()).unwrap();
    let thresholds = modeldesk::score::drift::Thresholds::default();
    let score =
        |m| modeldesk::score::score_table(m, &table, &thresholds, &mut |_, _| true).unwrap();
    let (ours, theirs) = (score(&local), score(&shared.trained));
    assert_eq!(ours.predicted_class, theirs.predicted_class);
    assert_eq!(ours.proba, theirs.proba);

    let asked = SharePolicy {
        exact_values: true,
        full_paths: true,
    };
    let full = shareable(&catalog, &version, &asked)
        .unwrap()
        .lineage
        .to_string();
    assert!(
        full.contains("97.75") && full.contains(folder.to_str().unwrap()),
        "{full}"
    );
}

#[test]
fn versions_stored_by_an_earlier_build_become_shareable() {
    use modeldesk::catalog::Catalog;
    use modeldesk::report::{shareable, SharePolicy};
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("catalog.sqlite");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/compat/catalog.sqlite"
    );
    std::fs::copy(fixture, &copy).unwrap();
    let catalog = Catalog::open(&copy).unwrap();
    for reference in ["iris_logistic_regression@1", "penguins@1", "diabetes@1"] {
        let version = catalog.resolve(reference).unwrap();
        let shared = shareable(&catalog, &version, &SharePolicy::default()).unwrap();
        assert_reference_shareable(&shared.trained, reference);
        let file = shared.lineage["file"].as_str().unwrap();
        assert!(!file.contains('/'), "{reference}: {file}");
        for column in shared.lineage["profile"]["columns"].as_array().unwrap() {
            // Profiles of that build kept no tail percentiles: no range is shared.
            assert!(
                column["numeric"].get("min").is_none(),
                "{reference}: {column}"
            );
        }
    }
}
