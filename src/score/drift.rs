//! Drift of new data against the training data: per feature, the population stability index
//! over 10 quantile bins of the training values (levels for categories, with "unseen" as a
//! bin of its own) and, for numbers, the two-sample Kolmogorov–Smirnov statistic.
//!
//! The training side is summarised once, when a model is trained, into a [`DriftReference`]
//! that travels with the model: the bin edges and shares, and an evenly spaced sample of the
//! sorted training values for the KS statistic. `bench/drift_reference.py` checks the numbers
//! against numpy/scipy (`tests/drift_parity.rs`).

use serde::{Deserialize, Serialize};

use crate::data::{ColumnData, Table, MISSING_CODE};

/// Quantile bins of a numeric feature.
pub const BINS: usize = 10;
/// Training values kept per numeric feature for the KS statistic.
pub const KS_SAMPLE: usize = 2_000;
/// Training rows summarised at most; more are thinned evenly (every k-th row).
pub const REFERENCE_ROWS: usize = 200_000;
/// Shares are floored here before the logarithm, so an empty bin counts but is finite.
pub const SHARE_FLOOR: f64 = 1e-4;
/// The bin of category levels that training never saw.
pub const UNSEEN: &str = "(unseen)";

/// PSI above which a feature is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Default 0.1: above this a warning.
    pub warning: f64,
    /// Default 0.2: above this drift.
    pub drift: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            warning: 0.1,
            drift: 0.2,
        }
    }
}

/// How a feature's distribution moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftStatus {
    Stable,
    Warning,
    Drift,
}

impl DriftStatus {
    /// The status of a PSI value.
    pub fn of(psi: f64, thresholds: &Thresholds) -> DriftStatus {
        if psi > thresholds.drift {
            DriftStatus::Drift
        } else if psi > thresholds.warning {
            DriftStatus::Warning
        } else {
            DriftStatus::Stable
        }
    }
}

/// The training distribution of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureReference {
    Numeric {
        column: String,
        /// Distinct interior cut points (numpy's linear quantiles at 10 %, …, 90 %); a value
        /// `v` falls in bin `#{edges ≤ v}`.
        edges: Vec<f64>,
        /// Training share of each bin (`edges.len() + 1` of them).
        expected: Vec<f64>,
        /// Sorted training values, evenly spaced over all of them (all when few).
        sample: Vec<f64>,
    },
    Categorical {
        column: String,
        /// Training levels and their shares, most frequent first.
        levels: Vec<(String, f64)>,
    },
}

impl FeatureReference {
    /// The column it describes.
    pub fn column(&self) -> &str {
        match self {
            FeatureReference::Numeric { column, .. }
            | FeatureReference::Categorical { column, .. } => column,
        }
    }
}

/// The training distribution of every feature a model uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DriftReference {
    pub features: Vec<FeatureReference>,
}

/// The drift of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureDrift {
    pub column: String,
    pub psi: f64,
    /// Numbers only.
    pub ks: Option<f64>,
    pub status: DriftStatus,
    /// Bin labels, training shares and new shares (for the overlaid histogram).
    pub bins: Vec<String>,
    pub expected: Vec<f64>,
    pub actual: Vec<f64>,
    /// Values in the new data that are missing.
    pub missing: u64,
}

/// numpy's default (linear) quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = position.ceil() as usize;
    let fraction = position - low as f64;
    sorted[low] + (sorted[high] - sorted[low]) * fraction
}

/// Shares of values per bin, by the number of edges at or below each value.
fn bin_shares(sorted_or_not: &[f64], edges: &[f64]) -> Vec<f64> {
    let mut counts = vec![0u64; edges.len() + 1];
    for &v in sorted_or_not {
        counts[edges.partition_point(|&e| e <= v)] += 1;
    }
    let total = sorted_or_not.len().max(1) as f64;
    counts.iter().map(|&c| c as f64 / total).collect()
}

/// Population stability index of `actual` shares against `expected` shares.
pub fn psi(expected: &[f64], actual: &[f64]) -> f64 {
    expected
        .iter()
        .zip(actual)
        .map(|(&e, &a)| {
            let (e, a) = (e.max(SHARE_FLOOR), a.max(SHARE_FLOOR));
            (a - e) * (a / e).ln()
        })
        .sum()
}

/// The two-sample Kolmogorov–Smirnov statistic of two sorted samples (scipy's `ks_2samp`
/// statistic): the largest gap between their empirical distribution functions.
pub fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return f64::NAN;
    }
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0, 0);
    let mut gap: f64 = 0.0;
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        gap = gap.max((i as f64 / n - j as f64 / m).abs());
    }
    gap
}

/// Present values of a numeric column at `rows`, sorted.
fn sorted_values(values: &[f64], rows: &[usize]) -> Vec<f64> {
    let mut v: Vec<f64> = rows
        .iter()
        .map(|&r| values[r])
        .filter(|v| !v.is_nan())
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Summarise the training rows of each named feature column (at most [`REFERENCE_ROWS`] of
/// them, evenly spaced), the columns in parallel.
pub fn reference(table: &Table, columns: &[String], rows: &[usize]) -> DriftReference {
    use rayon::prelude::*;
    let step = rows.len().div_ceil(REFERENCE_ROWS).max(1);
    let rows: Vec<usize> = rows.iter().copied().step_by(step).collect();
    let features = columns
        .par_iter()
        .filter_map(|name| feature_reference(table, name, &rows))
        .collect();
    DriftReference { features }
}

fn feature_reference(table: &Table, name: &str, rows: &[usize]) -> Option<FeatureReference> {
    let column = table.column(name)?;
    Some(match &column.data {
        ColumnData::Numeric(values) => {
            let sorted = sorted_values(values, rows);
            if sorted.is_empty() {
                return None;
            }
            let mut edges: Vec<f64> = (1..BINS)
                .map(|k| quantile(&sorted, k as f64 / BINS as f64))
                .collect();
            edges.dedup();
            let expected = bin_shares(&sorted, &edges);
            let sample = if sorted.len() <= KS_SAMPLE {
                sorted
            } else {
                (0..KS_SAMPLE)
                    .map(|k| sorted[k * (sorted.len() - 1) / (KS_SAMPLE - 1)])
                    .collect()
            };
            FeatureReference::Numeric {
                column: name.to_string(),
                edges,
                expected,
                sample,
            }
        }
        ColumnData::Strings { codes, levels } => {
            let mut counts = vec![0u64; levels.len()];
            let mut present = 0u64;
            for &r in rows {
                let code = codes[r];
                if code != MISSING_CODE {
                    counts[code as usize] += 1;
                    present += 1;
                }
            }
            let mut shares: Vec<(String, f64)> = counts
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(l, &c)| (levels[l].clone(), c as f64 / present.max(1) as f64))
                .collect();
            shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            FeatureReference::Categorical {
                column: name.to_string(),
                levels: shares,
            }
        }
    })
}

fn edge_label(edges: &[f64], bin: usize) -> String {
    let fmt = |v: f64| crate::data::format_number(v).into_owned();
    match (bin.checked_sub(1).map(|b| edges[b]), edges.get(bin)) {
        (None, Some(&hi)) => format!("below {}", fmt(hi)),
        (Some(lo), Some(&hi)) => format!("{} to {}", fmt(lo), fmt(hi)),
        (Some(lo), None) => format!("{} and above", fmt(lo)),
        (None, None) => "all".into(),
    }
}

/// The drift of each referenced feature in `table` (all its rows). Features missing from
/// the table or stored with another type are left out (the schema check reports them).
pub fn drift(
    reference: &DriftReference,
    table: &Table,
    thresholds: &Thresholds,
) -> Vec<FeatureDrift> {
    let rows: Vec<usize> = (0..table.rows()).collect();
    let mut out = Vec::new();
    for feature in &reference.features {
        let Some(column) = table.column(feature.column()) else {
            continue;
        };
        match (feature, &column.data) {
            (
                FeatureReference::Numeric {
                    column: name,
                    edges,
                    expected,
                    sample,
                },
                ColumnData::Numeric(values),
            ) => {
                let sorted = sorted_values(values, &rows);
                let actual = bin_shares(&sorted, edges);
                let psi = psi(expected, &actual);
                out.push(FeatureDrift {
                    column: name.clone(),
                    psi,
                    ks: Some(ks_statistic(sample, &sorted)),
                    status: DriftStatus::of(psi, thresholds),
                    bins: (0..expected.len()).map(|b| edge_label(edges, b)).collect(),
                    expected: expected.clone(),
                    actual,
                    missing: (rows.len() - sorted.len()) as u64,
                });
            }
            (
                FeatureReference::Categorical {
                    column: name,
                    levels: trained,
                },
                ColumnData::Strings { codes, levels },
            ) => {
                let slot_of_level: Vec<usize> = levels
                    .iter()
                    .map(|l| {
                        trained
                            .iter()
                            .position(|(t, _)| t == l)
                            .unwrap_or(trained.len())
                    })
                    .collect();
                let mut counts = vec![0u64; trained.len() + 1];
                let mut missing = 0;
                for &code in codes {
                    if code == MISSING_CODE {
                        missing += 1;
                    } else {
                        counts[slot_of_level[code as usize]] += 1;
                    }
                }
                let present = (codes.len() as u64 - missing).max(1) as f64;
                let actual: Vec<f64> = counts.iter().map(|&c| c as f64 / present).collect();
                let expected: Vec<f64> = trained.iter().map(|(_, s)| *s).chain([0.0]).collect();
                let psi = psi(&expected, &actual);
                out.push(FeatureDrift {
                    column: name.clone(),
                    psi,
                    ks: None,
                    status: DriftStatus::of(psi, thresholds),
                    bins: trained
                        .iter()
                        .map(|(l, _)| l.clone())
                        .chain([UNSEEN.to_string()])
                        .collect(),
                    expected,
                    actual,
                    missing,
                });
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, ColumnKind, Dialect, Role};

    fn table(columns: Vec<Column>) -> Table {
        Table {
            name: "t".into(),
            source: Default::default(),
            fingerprint: String::new(),
            dialect: Dialect::default(),
            columns,
            notices: vec![],
        }
    }

    fn numeric(name: &str, values: Vec<f64>) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Float,
            role: Role::Feature,
            data: ColumnData::Numeric(values),
        }
    }

    #[test]
    fn the_same_data_is_stable_and_a_shift_is_drift() {
        let train = table(vec![numeric("x", (0..1000).map(f64::from).collect())]);
        let rows: Vec<usize> = (0..1000).collect();
        let reference = reference(&train, &["x".into()], &rows);
        let same = drift(&reference, &train, &Thresholds::default());
        assert!(
            same[0].psi.abs() < 1e-12 && same[0].ks == Some(0.0),
            "{:?}",
            same[0]
        );
        assert_eq!(same[0].status, DriftStatus::Stable);
        assert_eq!(same[0].bins.len(), 10);
        let shifted = table(vec![numeric(
            "x",
            (0..1000).map(|v| f64::from(v) + 300.0).collect(),
        )]);
        let moved = drift(&reference, &shifted, &Thresholds::default());
        assert_eq!(moved[0].status, DriftStatus::Drift);
        assert!(
            (moved[0].ks.unwrap() - 0.3).abs() < 1e-12,
            "{:?}",
            moved[0].ks
        );
    }

    #[test]
    fn ks_matches_hand_counts_with_ties() {
        assert_eq!(ks_statistic(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 0.0);
        assert!((ks_statistic(&[1.0, 2.0, 2.0, 3.0], &[2.0, 4.0]) - 0.5).abs() < 1e-12);
        assert!(ks_statistic(&[], &[1.0]).is_nan());
    }

    #[test]
    fn unseen_levels_have_their_own_bin() {
        let cat = |values: &[&str]| Column {
            name: "c".into(),
            kind: ColumnKind::Categorical,
            role: Role::Feature,
            data: ColumnData::Strings {
                codes: values
                    .iter()
                    .map(|v| {
                        if *v == "b" {
                            1
                        } else if *v == "z" {
                            2
                        } else {
                            0
                        }
                    })
                    .collect(),
                levels: vec!["a".into(), "b".into(), "z".into()],
            },
        };
        let train = table(vec![cat(&["a", "a", "b", "b"])]);
        let reference = reference(&train, &["c".into()], &[0, 1, 2, 3]);
        let new = table(vec![cat(&["a", "z", "z", "b"])]);
        let d = drift(&reference, &new, &Thresholds::default());
        assert_eq!(d[0].bins, vec!["a", "b", UNSEEN]);
        assert_eq!(d[0].actual, vec![0.25, 0.25, 0.5]);
        assert_eq!(d[0].status, DriftStatus::Drift);
    }
}
