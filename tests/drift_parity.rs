//! numpy/scipy parity of the drift numbers (`tests/fixtures/drift_reference.json`, written by
//! `bench/drift_reference.py`): PSI over training deciles (levels plus "unseen" for
//! categories) equals numpy's to 1e-9, and the KS statistic, which Modeldesk computes from
//! means of groups of at least five sorted training values, is within 0.01 of
//! `scipy.stats.ks_2samp` on the raw values — on synthetic cases, on every numeric column of
//! the bundled datasets, and on a 200,000-row synthetic file.

use modeldesk::data::{import_csv, Column, ColumnData, ColumnKind, Dialect, Role, Table};
use modeldesk::ml::drift_reference::{reference, MIN_ROWS};
use modeldesk::score::drift::{drift, Thresholds};
use serde_json::Value;

fn table(column: Column) -> Table {
    Table {
        name: "t".into(),
        source: Default::default(),
        fingerprint: String::new(),
        dialect: Dialect::default(),
        options: Default::default(),
        columns: vec![column],
        notices: vec![],
    }
}

fn column(case: &Value, side: &str) -> Column {
    let values = case[side].as_array().expect("values");
    let data = if case["kind"] == "numeric" {
        ColumnData::Numeric(values.iter().map(|v| v.as_f64().unwrap()).collect())
    } else {
        let mut levels: Vec<String> = Vec::new();
        let codes = values
            .iter()
            .map(|v| {
                let v = v.as_str().unwrap();
                match levels.iter().position(|l| l == v) {
                    Some(i) => i as u32,
                    None => {
                        levels.push(v.to_string());
                        (levels.len() - 1) as u32
                    }
                }
            })
            .collect();
        ColumnData::Strings { codes, levels }
    };
    Column {
        name: "x".into(),
        kind: ColumnKind::Float,
        role: Role::Feature,
        data,
    }
}

/// How far the KS statistic from a reference may be from scipy's on the raw values.
const KS_TOLERANCE: f64 = 0.01;

/// The tolerance for `rows` training rows: 0.01, or with few rows the share of one group of
/// five (a group's rows may sit anywhere between its neighbours' means).
fn tolerance(rows: usize) -> f64 {
    KS_TOLERANCE.max(MIN_ROWS as f64 / rows as f64)
}

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/drift_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// PSI and KS of `new` against a reference made from `train`.
fn drift_of(train: Vec<f64>, new: Vec<f64>) -> (f64, f64) {
    let rows: Vec<usize> = (0..train.len()).collect();
    let numeric = |values| Column {
        name: "x".into(),
        kind: ColumnKind::Float,
        role: Role::Feature,
        data: ColumnData::Numeric(values),
    };
    let reference = reference(&table(numeric(train)), &["x".to_string()], &rows);
    let d = &drift(&reference, &table(numeric(new)), &Thresholds::default())[0];
    (d.psi, d.ks.unwrap())
}

#[test]
fn psi_and_ks_match_numpy_and_scipy() {
    let fixture = fixture();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let train = table(column(case, "train"));
        let rows: Vec<usize> = (0..train.rows()).collect();
        let reference = reference(&train, &["x".to_string()], &rows);
        let result = drift(
            &reference,
            &table(column(case, "new")),
            &Thresholds::default(),
        );
        let d = &result[0];
        let psi = case["psi"].as_f64().unwrap();
        assert!((d.psi - psi).abs() < 1e-9, "{name}: PSI {} vs {psi}", d.psi);
        if let Some(ks) = case["ks"].as_f64() {
            let ours = d.ks.unwrap();
            println!(
                "{name} ({} rows): KS {ours:.4} vs scipy {ks:.4}",
                rows.len()
            );
            let allowed = tolerance(rows.len());
            assert!(
                (ours - ks).abs() <= allowed,
                "{name}: KS {ours} vs {ks} ({} rows, allowed {allowed})",
                rows.len()
            );
        }
    }
}

#[test]
fn ks_from_the_reference_is_close_to_scipy_on_every_bundled_column() {
    let fixture = fixture();
    let cases = fixture["datasets"].as_array().unwrap();
    assert!(cases.len() >= 100, "{} dataset cases", cases.len());
    let mut tables: Vec<(String, Table)> = Vec::new();
    let mut largest = (0.0, String::new());
    let mut largest_150 = (0.0, String::new());
    let mut over = 0;
    for case in cases {
        let file = case["file"].as_str().unwrap();
        if !tables.iter().any(|(f, _)| f == file) {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets")
                .join(file);
            let table = import_csv(&path, &Default::default(), &Default::default()).unwrap();
            tables.push((file.to_string(), table));
        }
        let table = &tables.iter().find(|(f, _)| f == file).unwrap().1;
        let column = case["column"].as_str().unwrap();
        let ColumnData::Numeric(values) = &table.column(column).expect(column).data else {
            panic!("{file}: {column} is not numeric");
        };
        let half = values.len() / 2;
        let (train, new): (Vec<f64>, Vec<f64>) = match case["split"].as_str().unwrap() {
            "even/odd" => (
                values.iter().step_by(2).copied().collect(),
                values.iter().skip(1).step_by(2).copied().collect(),
            ),
            _ => (values[..half].to_vec(), values[half..].to_vec()),
        };
        let present = |v: Vec<f64>| -> Vec<f64> { v.into_iter().filter(|v| !v.is_nan()).collect() };
        let (train, new) = (present(train), present(new));
        let rows = train.len();
        let (psi, ks) = drift_of(train, new);
        let name = format!("{file} {column} ({})", case["split"].as_str().unwrap());
        let (want_psi, want_ks) = (case["psi"].as_f64().unwrap(), case["ks"].as_f64().unwrap());
        assert!(
            (psi - want_psi).abs() < 1e-9,
            "{name}: PSI {psi} vs {want_psi}"
        );
        let gap = (ks - want_ks).abs();
        assert!(
            gap <= tolerance(rows),
            "{name}: KS {ks} vs scipy {want_ks} on {rows} training rows"
        );
        let text = format!("{name}, {rows} training rows: {ks:.4} vs scipy {want_ks:.4}");
        over += usize::from(gap > KS_TOLERANCE);
        if gap > largest.0 {
            largest = (gap, text.clone());
        }
        if rows >= 150 && gap > largest_150.0 {
            largest_150 = (gap, text);
        }
    }
    println!(
        "{over} of {} columns differ by more than {KS_TOLERANCE}; largest KS difference: {:.4} ({})",
        cases.len(),
        largest.0,
        largest.1
    );
    println!(
        "largest with 150 training rows or more: {:.4} ({})",
        largest_150.0, largest_150.1
    );
}

/// The large synthetic sample `bench/drift_reference.py` generates from the same formula.
fn synthetic(spec: &Value) -> Vec<f64> {
    let mut x = spec["seed"].as_u64().unwrap();
    let shift = spec["shift"].as_f64().unwrap();
    (0..spec["rows"].as_u64().unwrap())
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            ((-(-u).ln_1p() * 1000.0 + shift) * 1000.0).round() / 1000.0
        })
        .collect()
}

#[test]
fn ks_from_the_reference_is_close_to_scipy_on_a_large_file() {
    let fixture = fixture();
    for case in fixture["large"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (psi, ks) = drift_of(synthetic(&case["train"]), synthetic(&case["new"]));
        let (want_psi, want_ks) = (case["psi"].as_f64().unwrap(), case["ks"].as_f64().unwrap());
        println!("{name}: KS {ks:.5} vs scipy {want_ks:.5}, PSI {psi:.6} vs numpy {want_psi:.6}");
        assert!(
            (psi - want_psi).abs() < 1e-6,
            "{name}: PSI {psi} vs {want_psi}"
        );
        assert!(
            (ks - want_ks).abs() < KS_TOLERANCE,
            "{name}: KS {ks} vs {want_ks}"
        );
    }
}
