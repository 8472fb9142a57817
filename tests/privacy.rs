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
