//! Drift of new data against the training data: per feature, the population stability index
//! over the training's quantile bins (levels for categories, with "unseen" as a bin of its
//! own) and, for numbers, the two-sample Kolmogorov–Smirnov statistic.
//!
//! The training side is summarised once, when a model is trained, into an
//! [`ml::drift_reference::DriftReference`](crate::ml::drift_reference::DriftReference) that
//! travels with the model; this module compares new data against it.
//! `bench/drift_reference.py` checks the numbers against numpy/scipy (`tests/drift_parity.rs`).

use serde::{Deserialize, Serialize};

use crate::data::{ColumnData, Table, MISSING_CODE};
use crate::ml::drift_reference::{bin_shares, sorted_values, DriftReference, FeatureReference};

/// Shares are floored here before the logarithm, so an empty bin counts but is finite.
pub const SHARE_FLOOR: f64 = 1e-4;
/// The bin of category levels that training never saw.
pub const UNSEEN: &str = "(unseen)";
/// The same bin when the reference folded levels held by fewer than
/// [`MIN_ROWS`](crate::ml::drift_reference::MIN_ROWS) training rows into it.
pub const RARE_OR_UNSEEN: &str = "(fewer than 5 training rows, or unseen)";

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

/// One point of a training distribution function rebuilt from group means: at `x` it steps
/// from `left` to `right`, and runs straight to the next point.
#[derive(Debug, Clone, Copy)]
struct Knot {
    x: f64,
    left: f64,
    right: f64,
}

/// The training distribution function that groups describe: a constant group is its value
/// held by all its rows, a step; another group's mean is taken to sit at the middle of its
/// rows. Below the first mean the function is 0 and from the last it is 1.
fn knots(means: &[f64], weights: &[u32], constant: &[bool]) -> Vec<Knot> {
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    let mut knots: Vec<Knot> = Vec::new();
    let mut before = 0.0;
    for (g, (&x, &w)) in means.iter().zip(weights).enumerate() {
        let rows = f64::from(w);
        let (left, right) = if constant.get(g) == Some(&true) {
            (before / total, (before + rows) / total)
        } else {
            let middle = (before + rows / 2.0) / total;
            (middle, middle)
        };
        match knots.last_mut() {
            Some(last) if last.x == x => last.right = right,
            _ => knots.push(Knot { x, left, right }),
        }
        before += rows;
    }
    if let Some(first) = knots.first_mut() {
        first.left = 0.0;
    }
    if let Some(last) = knots.last_mut() {
        last.right = 1.0;
    }
    knots
}

/// The function of `knots` just below and at `x`.
fn knot_cdf(knots: &[Knot], x: f64) -> (f64, f64) {
    let i = knots.partition_point(|k| k.x < x);
    match (i.checked_sub(1).map(|j| knots[j]), knots.get(i)) {
        (_, Some(k)) if k.x == x => (k.left, k.right),
        (None, _) => (0.0, 0.0),
        (Some(_), None) => (1.0, 1.0),
        (Some(a), Some(b)) => {
            let f = a.right + (b.left - a.right) * (x - a.x) / (b.x - a.x);
            (f, f)
        }
    }
}

/// The KS statistic of sorted new values against a reference kept as group means with their
/// sizes (see [`knots`]): the largest gap between the two distribution functions, looked for
/// at each mean and each new value, from both sides (between them one is flat and the other
/// straight, so the gap is largest at an end).
pub fn ks_against_groups(means: &[f64], weights: &[u32], constant: &[bool], sorted: &[f64]) -> f64 {
    if means.is_empty() || sorted.is_empty() || means.len() != weights.len() {
        return f64::NAN;
    }
    let knots = knots(means, weights, constant);
    let m = sorted.len() as f64;
    let mut gap: f64 = 0.0;
    let mut at = |x: f64| {
        let (ref_below, ref_at) = knot_cdf(&knots, x);
        let new_below = sorted.partition_point(|&v| v < x) as f64 / m;
        let new_at = sorted.partition_point(|&v| v <= x) as f64 / m;
        gap = gap
            .max((ref_below - new_below).abs())
            .max((ref_at - new_at).abs());
    };
    for k in &knots {
        at(k.x);
    }
    for (i, &v) in sorted.iter().enumerate() {
        if i == 0 || sorted[i - 1] != v {
            at(v);
        }
    }
    gap
}

/// The bin edges as people read them: all with the fewest decimals that keep them apart and
/// move none by more than a small share of the gap to its neighbour (a quantile edge of
/// 14.900000000000002 reads 14.9).
fn edge_texts(edges: &[f64]) -> Vec<String> {
    let gap = edges
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .filter(|g| *g > 0.0)
        .fold(f64::INFINITY, f64::min);
    let scale = edges.iter().fold(0.0f64, |m, e| m.max(e.abs())).max(1e-300);
    let tolerance = if gap.is_finite() {
        0.005 * gap
    } else {
        1e-9 * scale
    };
    let fits = |decimals: usize| {
        let rounded: Vec<String> = edges.iter().map(|e| format!("{e:.decimals$}")).collect();
        let apart = rounded.windows(2).all(|w| w[0] != w[1]);
        let close = edges
            .iter()
            .zip(&rounded)
            .all(|(e, r)| r.parse::<f64>().is_ok_and(|r| (r - e).abs() <= tolerance));
        (apart && close).then_some(rounded)
    };
    (0..=12).find_map(fits).unwrap_or_else(|| {
        edges
            .iter()
            .map(|&e| crate::data::format_number(e).into_owned())
            .collect()
    })
}

fn edge_label(edges: &[String], bin: usize) -> String {
    match (bin.checked_sub(1).map(|b| &edges[b]), edges.get(bin)) {
        (None, Some(hi)) => format!("below {hi}"),
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        (Some(lo), None) => format!("{lo} and above"),
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
                    weights,
                    constant,
                },
                ColumnData::Numeric(values),
            ) => {
                let sorted = sorted_values(values, &rows);
                let actual = bin_shares(&sorted, edges);
                let psi = psi(expected, &actual);
                // References stored before groups were kept hold single values.
                let ks = if weights.is_empty() {
                    ks_statistic(sample, &sorted)
                } else {
                    ks_against_groups(sample, weights, constant, &sorted)
                };
                out.push(FeatureDrift {
                    column: name.clone(),
                    psi,
                    ks: Some(ks),
                    status: DriftStatus::of(psi, thresholds),
                    bins: {
                        let texts = edge_texts(edges);
                        (0..expected.len()).map(|b| edge_label(&texts, b)).collect()
                    },
                    expected: expected.clone(),
                    actual,
                    missing: (rows.len() - sorted.len()) as u64,
                });
            }
            (
                FeatureReference::Categorical {
                    column: name,
                    levels: trained,
                    rare,
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
                // Levels held by too few training rows were folded, unnamed: new data's levels
                // that the reference does not name share their bin with unseen ones.
                let expected: Vec<f64> = trained.iter().map(|(_, s)| *s).chain([*rare]).collect();
                let last_bin = if *rare > 0.0 { RARE_OR_UNSEEN } else { UNSEEN };
                let psi = psi(&expected, &actual);
                out.push(FeatureDrift {
                    column: name.clone(),
                    psi,
                    ks: None,
                    status: DriftStatus::of(psi, thresholds),
                    bins: trained
                        .iter()
                        .map(|(l, _)| l.clone())
                        .chain([last_bin.to_string()])
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

    #[test]
    fn bin_edges_read_with_the_decimals_that_keep_them_apart() {
        let texts = edge_texts(&[14.900000000000002, 16.25, 20.0]);
        // One number of decimals for all edges, as a column's values are written.
        assert_eq!(texts, ["14.90", "16.25", "20.00"].map(String::from));
        assert_eq!(edge_label(&texts, 0), "below 14.90");
        assert_eq!(edge_label(&texts, 1), "14.90 to 16.25");
        assert_eq!(edge_label(&texts, 3), "20.00 and above");
        let texts = edge_texts(&[14.900000000000002, 16.2, 20.0]);
        assert_eq!(texts, ["14.9", "16.2", "20.0"].map(String::from));
        assert_eq!(
            edge_texts(&[1.0, 2.0, 3.0]),
            ["1", "2", "3"].map(String::from)
        );
        // Close edges keep the decimals that tell them apart.
        assert_eq!(
            edge_texts(&[0.1234, 0.1251]),
            ["0.1234", "0.1251"].map(String::from)
        );
    }
    use crate::data::{Column, ColumnKind, Dialect, Role};
    use crate::ml::drift_reference::reference;

    fn table(columns: Vec<Column>) -> Table {
        Table {
            name: "t".into(),
            source: Default::default(),
            fingerprint: String::new(),
            dialect: Dialect::default(),
            options: Default::default(),
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
        // The reference keeps means of five values, so KS is close to 0, not exactly.
        assert!(
            same[0].psi.abs() < 1e-12 && same[0].ks.unwrap() < 0.01,
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
            (moved[0].ks.unwrap() - 0.3).abs() < 0.01,
            "{:?}",
            moved[0].ks
        );
    }

    #[test]
    fn ks_from_group_means_follows_steps_and_slopes() {
        // 0 held by 10 rows, 1 by 10 rows: constant groups are exact steps.
        let (means, weights, constant) = ([0.0, 1.0], [10, 10], [true, true]);
        let new = [0.0; 10]
            .iter()
            .chain(&[1.0; 10])
            .copied()
            .collect::<Vec<_>>();
        assert_eq!(ks_against_groups(&means, &weights, &constant, &new), 0.0);
        let ones = [1.0, 1.0];
        assert!((ks_against_groups(&means, &weights, &constant, &ones) - 0.5).abs() < 1e-12);
        // Evenly spread values: the straight line between group middles is their function.
        let train: Vec<f64> = (0..1000).map(f64::from).collect();
        let g = crate::ml::drift_reference::group_means(&train, 5);
        let ks = |new: &[f64]| ks_against_groups(&g.means, &g.weights, &g.constant, new);
        assert!(ks(&train) < 0.003);
        let upper: Vec<f64> = (500..1000).map(f64::from).collect();
        assert!((ks(&upper) - 0.5).abs() < 0.003);
        assert!(ks_against_groups(&[], &[], &[], &upper).is_nan());
    }

    #[test]
    fn levels_of_too_few_rows_share_the_unseen_bin() {
        assert!(RARE_OR_UNSEEN.contains(&crate::ml::drift_reference::MIN_ROWS.to_string()));
        let codes: Vec<u32> = [0; 8].into_iter().chain([1; 2]).collect();
        let column = |codes: Vec<u32>| Column {
            name: "c".into(),
            kind: ColumnKind::Categorical,
            role: Role::Feature,
            data: ColumnData::Strings {
                codes,
                levels: vec!["common".into(), "rare".into(), "new".into()],
            },
        };
        let train = table(vec![column(codes)]);
        let reference = reference(&train, &["c".into()], &(0..10).collect::<Vec<_>>());
        let scored = table(vec![column(vec![0, 0, 0, 0, 1, 2, 2, 2])]);
        let d = drift(&reference, &scored, &Thresholds::default());
        assert_eq!(d[0].bins, vec!["common", RARE_OR_UNSEEN]);
        assert_eq!(d[0].expected, vec![0.8, 0.2]);
        assert_eq!(d[0].actual, vec![0.5, 0.5]);
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
        let train = table(vec![cat(&[
            "a", "a", "b", "b", "a", "b", "a", "b", "a", "b",
        ])]);
        let reference = reference(&train, &["c".into()], &(0..10).collect::<Vec<_>>());
        let new = table(vec![cat(&["a", "z", "z", "b"])]);
        let d = drift(&reference, &new, &Thresholds::default());
        assert_eq!(d[0].bins, vec!["a", "b", UNSEEN]);
        assert_eq!(d[0].actual, vec![0.25, 0.25, 0.5]);
        assert_eq!(d[0].status, DriftStatus::Drift);
    }
}
