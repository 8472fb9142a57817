//! Column profiles: missing and distinct counts, summary statistics with a 20-bin histogram
//! for numbers, the most frequent levels for categories, and the target's class balance.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::column::{Column, ColumnData, ColumnKind, Role, Table, MISSING_CODE};

/// Bins in a numeric histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Levels listed for a categorical column.
pub const TOP_LEVELS: usize = 10;

/// Equal-width bins between `edges[0]` and `edges[HISTOGRAM_BINS]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// Summary of the non-missing values of a numeric column (`std` with n − 1, as pandas).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    pub histogram: Histogram,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnKind,
    pub role: Role,
    pub missing: u64,
    pub distinct: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericSummary>,
    /// Most frequent values with their counts (categorical, boolean, text, date).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top_levels: Vec<(String, u64)>,
}

/// The profile of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub rows: u64,
    pub columns: Vec<ColumnProfile>,
    /// Counts per class of the target column, most frequent first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_balance: Option<Vec<(String, u64)>>,
}

/// Profile every column (in parallel).
pub fn profile_table(table: &Table) -> Profile {
    let columns: Vec<ColumnProfile> = table.columns.par_iter().map(profile_column).collect();
    let class_balance = table
        .target_index()
        .map(|i| level_counts(&table.columns[i]));
    Profile {
        rows: table.rows() as u64,
        columns,
        class_balance,
    }
}

/// Profile one column.
pub fn profile_column(column: &Column) -> ColumnProfile {
    let (missing, distinct, numeric, top_levels) = match &column.data {
        ColumnData::Numeric(values) => {
            let missing = values.iter().filter(|v| v.is_nan()).count() as u64;
            let mut seen = hashbrown::HashSet::with_capacity(values.len() - missing as usize);
            for v in values.iter().filter(|v| !v.is_nan()) {
                // -0.0 and 0.0 are one value.
                seen.insert((v + 0.0).to_bits());
            }
            (missing, seen.len() as u64, summarise(values), Vec::new())
        }
        _ => {
            let counts = level_counts(column);
            let missing = (column.data.len() as u64) - counts.iter().map(|c| c.1).sum::<u64>();
            let distinct = counts.len() as u64;
            let top = counts.into_iter().take(TOP_LEVELS).collect();
            (missing, distinct, None, top)
        }
    };
    ColumnProfile {
        name: column.name.clone(),
        kind: column.kind,
        role: column.role,
        missing,
        distinct,
        numeric,
        top_levels,
    }
}

/// Non-missing values per level, most frequent first (ties in order of appearance).
/// Numeric columns count each distinct value.
pub fn level_counts(column: &Column) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = match &column.data {
        ColumnData::Strings { codes, levels } => {
            let mut n = vec![0_u64; levels.len()];
            for &c in codes.iter().filter(|&&c| c != MISSING_CODE) {
                n[c as usize] += 1;
            }
            levels
                .iter()
                .cloned()
                .zip(n)
                .filter(|(_, n)| *n > 0)
                .collect()
        }
        ColumnData::Numeric(values) => {
            let mut map: indexmap_lite::Counter = Default::default();
            for v in values.iter().filter(|v| !v.is_nan()) {
                map.add((v + 0.0).to_bits());
            }
            map.into_sorted()
                .into_iter()
                .map(|(bits, n)| {
                    (
                        super::column::format_number(f64::from_bits(bits)).into_owned(),
                        n,
                    )
                })
                .collect()
        }
    };
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

/// A counter that remembers first appearance, for stable tie order.
mod indexmap_lite {
    #[derive(Default)]
    pub struct Counter {
        index: hashbrown::HashMap<u64, usize>,
        entries: Vec<(u64, u64)>,
    }

    impl Counter {
        pub fn add(&mut self, key: u64) {
            let next = self.entries.len();
            let i = *self.index.entry(key).or_insert(next);
            if i == next {
                self.entries.push((key, 0));
            }
            self.entries[i].1 += 1;
        }

        pub fn into_sorted(self) -> Vec<(u64, u64)> {
            self.entries
        }
    }
}

fn summarise(values: &[f64]) -> Option<NumericSummary> {
    let (mut n, mut min, mut max, mut sum) = (0_u64, f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for &v in values.iter().filter(|v| !v.is_nan()) {
        n += 1;
        min = min.min(v);
        max = max.max(v);
        sum += v;
    }
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let squares: f64 = values
        .iter()
        .filter(|v| !v.is_nan())
        .map(|v| (v - mean) * (v - mean))
        .sum();
    let std = if n > 1 {
        (squares / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    Some(NumericSummary {
        min,
        max,
        mean,
        std,
        histogram: histogram(values, min, max),
    })
}

fn histogram(values: &[f64], min: f64, max: f64) -> Histogram {
    let width = (max - min) / HISTOGRAM_BINS as f64;
    let edges = (0..=HISTOGRAM_BINS)
        .map(|i| {
            if i == HISTOGRAM_BINS {
                max
            } else {
                min + width * i as f64
            }
        })
        .collect();
    let mut counts = vec![0_u64; HISTOGRAM_BINS];
    for &v in values.iter().filter(|v| !v.is_nan()) {
        let bin = if width > 0.0 {
            ((v - min) / width) as usize
        } else {
            0
        };
        counts[bin.min(HISTOGRAM_BINS - 1)] += 1;
    }
    Histogram { edges, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(data: ColumnData, kind: ColumnKind) -> Column {
        Column {
            name: "c".into(),
            kind,
            role: Role::Feature,
            data,
        }
    }

    #[test]
    fn numeric_profile_matches_pandas_describe() {
        let c = column(
            ColumnData::Numeric(vec![1.0, 2.0, f64::NAN, 4.0, 2.0]),
            ColumnKind::Float,
        );
        let p = profile_column(&c);
        assert_eq!((p.missing, p.distinct), (1, 3));
        let s = p.numeric.unwrap();
        assert_eq!((s.min, s.max, s.mean), (1.0, 4.0, 2.25));
        assert!((s.std - 1.2583057392117916).abs() < 1e-12);
        assert_eq!(s.histogram.counts.iter().sum::<u64>(), 4);
        assert_eq!(
            s.histogram.counts[HISTOGRAM_BINS - 1],
            1,
            "max falls in the last bin"
        );
    }

    #[test]
    fn categorical_profile_lists_levels_by_frequency() {
        let data = ColumnData::Strings {
            codes: vec![0, 1, 1, MISSING_CODE, 2, 1],
            levels: vec!["a".into(), "b".into(), "c".into()],
        };
        let p = profile_column(&column(data, ColumnKind::Categorical));
        assert_eq!((p.missing, p.distinct), (1, 3));
        assert_eq!(p.top_levels[0], ("b".to_string(), 3));
    }
}
