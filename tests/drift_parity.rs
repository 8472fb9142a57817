//! numpy/scipy parity of the drift numbers: PSI over training deciles (levels plus "unseen"
//! for categories) and the two-sample KS statistic equal the reference script's to 1e-9
//! (`tests/fixtures/drift_reference.json`, written by `bench/drift_reference.py`).

use modeldesk::data::{Column, ColumnData, ColumnKind, Dialect, Role, Table};
use modeldesk::ml::drift_reference::reference;
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

#[test]
fn psi_and_ks_match_numpy_and_scipy() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/drift_reference.json"
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
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
            assert!((ours - ks).abs() < 1e-9, "{name}: KS {ours} vs {ks}");
        }
    }
}
