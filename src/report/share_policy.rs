//! What a report or a shared model may show of the training data. Inside the local catalog
//! everything is kept as it is; what leaves the desk shows no value that fewer than
//! [`MIN_ROWS`] training rows hold and names files without their folders, unless the user
//! asks for exact values or full paths.

use serde_json::Value;

use crate::data::{NumericSummary, Profile, MIN_ROWS};

/// What a report or a shared artifact may reveal. The default reveals least.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharePolicy {
    /// Show each column's exact minimum and maximum, its histogram's edges and every level,
    /// instead of the 0.5th and 99.5th percentiles (each a mean of [`MIN_ROWS`] values) and
    /// the levels held by at least that many rows.
    pub exact_values: bool,
    /// Show absolute paths instead of file names.
    pub full_paths: bool,
}

impl SharePolicy {
    /// `path` as shown: its file name unless full paths were asked for.
    pub fn path(&self, path: &str) -> String {
        if self.full_paths {
            return path.to_string();
        }
        path.rsplit(['/', '\\'])
            .next()
            .filter(|name| !name.is_empty())
            .unwrap_or(path)
            .to_string()
    }

    /// The range of a numeric column: `(low, high)`, exact or the tail percentiles (none
    /// when the profile was made before they were kept).
    pub fn range(&self, summary: &NumericSummary) -> Option<(f64, f64)> {
        if self.exact_values {
            Some((summary.min, summary.max))
        } else {
            summary.p0_5.zip(summary.p99_5)
        }
    }

    /// Whether a level held by `rows` training rows may be named.
    pub fn names_level(&self, rows: u64) -> bool {
        self.exact_values || rows as usize >= MIN_ROWS
    }

    /// What the reader is told about values and paths left out, if anything was.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.exact_values {
            parts.push(format!(
                "column ranges are the 0.5th to 99.5th percentiles, each the mean of {MIN_ROWS} \
                 values, and levels of fewer than {MIN_ROWS} rows are not named"
            ));
        }
        if !self.full_paths {
            parts.push("files are named without their folders".to_string());
        }
        (!parts.is_empty()).then(|| {
            let text = parts.join("; ");
            format!("{}{}.", text[..1].to_uppercase(), &text[1..])
        })
    }

    /// `profile` as JSON, as it may be shared: without exact values, each numeric column's
    /// `min` and `max` are its tail percentiles (left out when not kept) and its histogram
    /// keeps its counts but not its edges (equal-width edges give the minimum and maximum
    /// away); levels of too few rows are left out of the top levels.
    pub fn profile_json(&self, profile: &Profile) -> Value {
        let mut value = serde_json::to_value(profile).unwrap_or(Value::Null);
        if self.exact_values {
            return value;
        }
        let Some(columns) = value.get_mut("columns").and_then(Value::as_array_mut) else {
            return value;
        };
        for (column, profile) in columns.iter_mut().zip(&profile.columns) {
            if let (Some(numeric), Some(summary)) = (column.get_mut("numeric"), &profile.numeric) {
                let object = numeric.as_object_mut().expect("a summary is an object");
                object.remove("min");
                object.remove("max");
                object.remove("p0_5");
                object.remove("p99_5");
                if let Some((low, high)) = self.range(summary) {
                    object.insert("min".into(), low.into());
                    object.insert("max".into(), high.into());
                }
                if let Some(histogram) = object.get_mut("histogram") {
                    histogram["edges"] = Value::Array(Vec::new());
                }
            }
            if let Some(levels) = column.get_mut("top_levels") {
                *levels = serde_json::to_value(
                    profile
                        .top_levels
                        .iter()
                        .filter(|(_, n)| self.names_level(*n))
                        .collect::<Vec<_>>(),
                )
                .unwrap_or(Value::Null);
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ColumnKind, ColumnProfile, Histogram, Role};

    fn profile() -> Profile {
        Profile {
            rows: 200,
            columns: vec![
                ColumnProfile {
                    name: "salary".into(),
                    kind: ColumnKind::Float,
                    role: Role::Feature,
                    missing: 0,
                    distinct: 200,
                    numeric: Some(NumericSummary {
                        min: 1234.5,
                        max: 987654.25,
                        mean: 5e4,
                        std: 1e4,
                        histogram: Histogram {
                            edges: vec![1234.5, 500000.0, 987654.25],
                            counts: vec![199, 1],
                        },
                        p0_5: Some(20_000.0),
                        p99_5: Some(90_000.0),
                    }),
                    top_levels: vec![],
                },
                ColumnProfile {
                    name: "city".into(),
                    kind: ColumnKind::Categorical,
                    role: Role::Feature,
                    missing: 0,
                    distinct: 2,
                    numeric: None,
                    top_levels: vec![("Oslo".into(), 196), ("Tromsø".into(), 4)],
                },
            ],
            class_balance: None,
        }
    }

    #[test]
    fn shared_profiles_keep_no_single_rows_value() {
        let shared = SharePolicy::default().profile_json(&profile()).to_string();
        for exact in ["1234.5", "987654.25", "Tromsø"] {
            assert!(!shared.contains(exact), "{exact} in {shared}");
        }
        assert!(
            shared.contains("20000.0") && shared.contains("Oslo"),
            "{shared}"
        );
        let exact = SharePolicy {
            exact_values: true,
            ..SharePolicy::default()
        };
        let all = exact.profile_json(&profile()).to_string();
        assert!(all.contains("987654.25") && all.contains("Tromsø"), "{all}");
    }

    #[test]
    fn paths_are_file_names_unless_asked() {
        let policy = SharePolicy::default();
        assert_eq!(policy.path("/home/ann/data/churn.csv"), "churn.csv");
        assert_eq!(policy.path(r"C:\Users\ann\churn.csv"), "churn.csv");
        assert_eq!(policy.path("churn.csv"), "churn.csv");
        let full = SharePolicy {
            full_paths: true,
            ..policy
        };
        assert_eq!(
            full.path("/home/ann/data/churn.csv"),
            "/home/ann/data/churn.csv"
        );
        assert!(policy.note().unwrap().starts_with("Column ranges"));
        assert_eq!(
            SharePolicy {
                exact_values: true,
                full_paths: true
            }
            .note(),
            None
        );
    }
}
