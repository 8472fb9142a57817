//! The training side of drift checks: a summary of each feature's training distribution,
//! made once when a model is trained and kept with it — the quantile bin edges and shares of
//! numbers, the level shares of categories, and the sorted training values summarised as means
//! of groups of at least [`MIN_ROWS`] for the KS statistic. `score::drift` compares new data
//! against it.
//!
//! A reference travels with the model, and models are shared, so it names no value that fewer
//! than [`MIN_ROWS`] training rows hold: every KS value is the mean of a group of at least that
//! many consecutive sorted training values, and category levels held by fewer rows are folded
//! into one share. The bin edges stay numpy's quantiles (the PSI is defined by them).

use serde::{Deserialize, Serialize};

use crate::data::{ColumnData, Table, MISSING_CODE};

/// Quantile bins of a numeric feature.
pub const BINS: usize = 10;
/// Most values kept per numeric feature for the KS statistic.
pub const KS_SAMPLE: usize = 2_000;
/// The fewest training rows behind any value a reference keeps (a KS value is the mean of at
/// least this many consecutive sorted values; rarer levels are folded).
pub const MIN_ROWS: usize = crate::data::MIN_ROWS;
/// Training rows summarised at most; more are thinned evenly (every k-th row).
pub const REFERENCE_ROWS: usize = 200_000;

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
        /// Sorted training values: the mean of each group of consecutive sorted values (one
        /// per entry of `weights`). References stored before groups were kept have no
        /// weights, and each value is then one training value, evenly spaced over all.
        sample: Vec<f64>,
        /// Training rows in each group of `sample` (each at least [`MIN_ROWS`], unless the
        /// feature had fewer rows, then one group of all).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        weights: Vec<u32>,
        /// Whether all rows of each group hold its value (a value of at least [`MIN_ROWS`]
        /// rows, kept as it is).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        constant: Vec<bool>,
    },
    Categorical {
        column: String,
        /// Training levels held by at least [`MIN_ROWS`] rows, with their shares, most
        /// frequent first.
        levels: Vec<(String, f64)>,
        /// The share of the levels held by fewer rows, folded into one, unnamed.
        #[serde(default, skip_serializing_if = "is_zero")]
        rare: f64,
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

fn is_zero(share: &f64) -> bool {
    *share == 0.0
}

/// The training distribution of every feature a model uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DriftReference {
    pub features: Vec<FeatureReference>,
}

impl DriftReference {
    /// This reference as it may be shared: one stored before groups were kept (single
    /// training values, all categories named) has its values averaged in consecutive groups
    /// of [`MIN_ROWS`] and the levels whose share of `rows` training rows is under
    /// [`MIN_ROWS`] rows folded; a reference made by this build is already so and comes back
    /// unchanged.
    pub fn shareable(&self, rows: u64) -> DriftReference {
        let features = self
            .features
            .iter()
            .map(|feature| match feature {
                FeatureReference::Numeric {
                    column,
                    edges,
                    expected,
                    sample,
                    weights,
                    ..
                } if weights.is_empty() => {
                    // An old sample's values are single rows, each standing for about as many.
                    let groups = group_means(sample, MIN_ROWS);
                    FeatureReference::Numeric {
                        column: column.clone(),
                        edges: edges.clone(),
                        expected: expected.clone(),
                        sample: groups.means,
                        weights: groups.weights,
                        constant: groups.constant,
                    }
                }
                FeatureReference::Categorical {
                    column,
                    levels,
                    rare,
                } => {
                    let few = |share: f64| share * (rows as f64) < MIN_ROWS as f64 - 0.5;
                    FeatureReference::Categorical {
                        column: column.clone(),
                        levels: levels.iter().filter(|(_, s)| !few(*s)).cloned().collect(),
                        rare: rare
                            + levels
                                .iter()
                                .filter(|(_, s)| few(*s))
                                .map(|l| l.1)
                                .sum::<f64>(),
                    }
                }
                other => other.clone(),
            })
            .collect();
        DriftReference { features }
    }
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
pub(crate) fn bin_shares(sorted_or_not: &[f64], edges: &[f64]) -> Vec<f64> {
    let mut counts = vec![0u64; edges.len() + 1];
    for &v in sorted_or_not {
        counts[edges.partition_point(|&e| e <= v)] += 1;
    }
    let total = sorted_or_not.len().max(1) as f64;
    counts.iter().map(|&c| c as f64 / total).collect()
}

/// Present values of a numeric column at `rows`, sorted.
pub(crate) fn sorted_values(values: &[f64], rows: &[usize]) -> Vec<f64> {
    let mut v: Vec<f64> = rows
        .iter()
        .map(|&r| values[r])
        .filter(|v| !v.is_nan())
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Sorted values in consecutive groups, each kept as its mean and size, with whether all its
/// rows hold that value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Groups {
    /// Each group's mean, in sorted order.
    pub means: Vec<f64>,
    /// Each group's rows.
    pub weights: Vec<u32>,
    /// Whether all of a group's rows hold its mean.
    pub constant: Vec<bool>,
}

/// Sorted values in consecutive groups of at least `k` (one group of all when there are
/// fewer). A value held by enough rows to fill a group of its own is one (constant, kept
/// exactly, so the KS statistic sees its step); the values between such runs are split into
/// groups of about `n / KS_SAMPLE` rows, at least `k`, and kept as their means.
pub fn group_means(sorted: &[f64], k: usize) -> Groups {
    let n = sorted.len();
    let k = k.max(1);
    let size = k.max(n.div_ceil(KS_SAMPLE));
    let mut ranges: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    let (mut stretch, mut i) = (0, 0);
    while i < n {
        let end = i + sorted[i..].partition_point(|&v| v == sorted[i]);
        if end - i >= size {
            split_stretch(stretch..i, size, k, &mut ranges);
            ranges.push((i..end, true));
            stretch = end;
        }
        i = end;
    }
    split_stretch(stretch..n, size, k, &mut ranges);
    // A short stretch before the first run takes rows from it (or all of it).
    if ranges.len() > 1 && ranges[0].0.len() < k {
        let need = k - ranges[0].0.len();
        if ranges[1].0.len() >= k + need {
            ranges[0].0.end += need;
            ranges[1].0.start += need;
        } else {
            let next = ranges.remove(1);
            ranges[0].0.end = next.0.end;
        }
    }
    let mut groups = Groups::default();
    for (rows, constant) in ranges {
        let group = &sorted[rows];
        let (first, last) = (group[0], group[group.len() - 1]);
        groups.means.push(if first == last {
            first
        } else {
            // Bounded by its group, whatever the rounding of the sum.
            (group.iter().sum::<f64>() / group.len() as f64).clamp(first, last)
        });
        groups.weights.push(group.len() as u32);
        groups.constant.push(constant);
    }
    groups
}

/// Split the rows between two runs into groups of about `size`; a stretch shorter than `k`
/// joins the group before it (taking rows from a run that can spare them).
fn split_stretch(
    rows: std::ops::Range<usize>,
    size: usize,
    k: usize,
    ranges: &mut Vec<(std::ops::Range<usize>, bool)>,
) {
    let len = rows.len();
    if len == 0 {
        return;
    }
    if len >= k {
        let parts = (len / size).max(1);
        ranges.extend((0..parts).map(|p| {
            (
                rows.start + p * len / parts..rows.start + (p + 1) * len / parts,
                false,
            )
        }));
        return;
    }
    match ranges.last_mut() {
        None => ranges.push((rows, false)),
        Some((last, false)) => last.end = rows.end,
        Some((last, true)) if last.len() >= k + (k - len) => {
            last.end -= k - len;
            let start = last.end;
            ranges.push((start..rows.end, false));
        }
        Some((last, constant)) => {
            last.end = rows.end;
            *constant = false;
        }
    }
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
            let groups = group_means(&sorted, MIN_ROWS);
            FeatureReference::Numeric {
                column: name.to_string(),
                edges,
                expected,
                sample: groups.means,
                weights: groups.weights,
                constant: groups.constant,
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
            let share = |c: u64| c as f64 / present.max(1) as f64;
            let mut shares: Vec<(String, f64)> = counts
                .iter()
                .enumerate()
                .filter(|(_, &c)| c as usize >= MIN_ROWS)
                .map(|(l, &c)| (levels[l].clone(), share(c)))
                .collect();
            shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let rare = counts
                .iter()
                .filter(|&&c| c > 0 && (c as usize) < MIN_ROWS)
                .sum::<u64>();
            FeatureReference::Categorical {
                column: name.to_string(),
                levels: shares,
                rare: share(rare),
            }
        }
    })
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
            options: Default::default(),
            columns,
            notices: vec![],
        }
    }

    fn numeric(values: Vec<f64>) -> Column {
        Column {
            name: "x".into(),
            kind: ColumnKind::Float,
            role: Role::Feature,
            data: ColumnData::Numeric(values),
        }
    }

    /// How many of `values` equal `v`.
    fn held_by(values: &[f64], v: f64) -> usize {
        values.iter().filter(|&&x| x == v).count()
    }

    #[test]
    fn no_kept_value_is_one_held_by_fewer_than_k_rows_unless_it_is_a_group_mean() {
        // Distinct salaries with one far above the rest, a value held by 7 rows, and a few
        // held by 2: an evenly spaced sample of the sorted values keeps them as they are.
        let mut values: Vec<f64> = (0..700).map(|i| 30_000.0 + 37.0 * f64::from(i)).collect();
        values.extend([52_000.0; 7]);
        values.extend([61_001.0, 61_001.0, 75_500.0, 75_500.0, 1_250_000.0]);
        let rows: Vec<usize> = (0..values.len()).collect();
        let reference = reference(&table(vec![numeric(values.clone())]), &["x".into()], &rows);
        let FeatureReference::Numeric {
            sample,
            weights,
            constant,
            ..
        } = &reference.features[0]
        else {
            panic!("a numeric reference");
        };
        assert_eq!(sample.len(), weights.len());
        assert!(
            weights.iter().all(|&w| w as usize >= MIN_ROWS),
            "{weights:?}"
        );
        assert_eq!(weights.iter().sum::<u32>() as usize, values.len());
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let mut start = 0;
        for ((&v, &w), &kept_constant) in sample.iter().zip(weights).zip(constant) {
            let group = &sorted[start..start + w as usize];
            start += w as usize;
            let mean = group.iter().sum::<f64>() / group.len() as f64;
            assert!(
                (v - mean).abs() <= 1e-9 * mean.abs(),
                "{v} is not its group's mean"
            );
            let constant = group.iter().all(|&g| g == group[0]);
            assert_eq!(constant, kept_constant, "{v}");
            assert!(
                held_by(&values, v) >= MIN_ROWS || !constant,
                "{v} is held by {} rows",
                held_by(&values, v)
            );
        }
        assert!(!sample.contains(&1_250_000.0) && !sample.contains(&30_000.0));
        assert!(
            sample.contains(&52_000.0),
            "a value of 7 rows may stay as it is"
        );
    }

    #[test]
    fn groups_hold_at_least_k_rows_and_runs_stay_exact() {
        let g = |values: &[f64]| {
            let g = group_means(values, 5);
            (g.means, g.weights, g.constant)
        };
        assert_eq!(g(&[1.0, 2.0, 6.0]), (vec![3.0], vec![3], vec![false]));
        assert_eq!(g(&[]), (vec![], vec![], vec![]));
        let twelve: Vec<f64> = (0..12).map(f64::from).collect();
        assert_eq!(g(&twelve), (vec![2.5, 8.5], vec![6, 6], vec![false, false]));
        // 7 rows of 2 cannot spare 3 to the two rarer values before them: one group; the
        // single value after it joins it too.
        let mut ties = vec![0.0, 1.0];
        ties.extend([2.0; 7]);
        ties.push(9.0);
        assert_eq!(
            g(&ties),
            (vec![1.4, 3.4], vec![5, 5], vec![false, false]),
            "a run too short to spare rows is merged"
        );
        // 12 rows of 2 spare 3 to the two values before them and stay a constant group.
        let mut ties = vec![0.0, 1.0];
        ties.extend([2.0; 12]);
        ties.extend([3.0, 4.0, 5.0, 6.0, 7.0]);
        assert_eq!(
            g(&ties),
            (vec![1.4, 2.0, 5.0], vec![5, 9, 5], vec![false, true, false])
        );
        let many: Vec<f64> = (0..100_000).map(f64::from).collect();
        let groups = group_means(&many, 5);
        assert_eq!(groups.means.len(), KS_SAMPLE);
        assert!(groups.weights.iter().all(|&w| w == 50));
    }

    #[test]
    fn levels_of_fewer_than_k_rows_are_folded_unnamed() {
        let names = ["a", "b", "alice", "bob"];
        let codes: Vec<u32> = [0; 6].into_iter().chain([1; 5]).chain([2, 3, 3]).collect();
        let column = Column {
            name: "c".into(),
            kind: ColumnKind::Categorical,
            role: Role::Feature,
            data: ColumnData::Strings {
                codes,
                levels: names.iter().map(|n| n.to_string()).collect(),
            },
        };
        let rows: Vec<usize> = (0..14).collect();
        let reference = reference(&table(vec![column]), &["c".into()], &rows);
        let FeatureReference::Categorical { levels, rare, .. } = &reference.features[0] else {
            panic!("a categorical reference");
        };
        assert_eq!(
            levels,
            &[("a".to_string(), 6.0 / 14.0), ("b".to_string(), 5.0 / 14.0)]
        );
        assert_eq!(*rare, 3.0 / 14.0);
        let json = serde_json::to_string(&reference).unwrap();
        assert!(!json.contains("alice") && !json.contains("bob"), "{json}");
    }

    #[test]
    fn an_old_reference_is_made_shareable_and_a_new_one_is_left_as_it_is() {
        let old = r#"{"features":[{"kind":"numeric","column":"x","edges":[1.0],
            "expected":[0.5,0.5],"sample":[0.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,90.0]},
            {"kind":"categorical","column":"c","levels":[["a",0.99],["alice",0.01]]}]}"#;
        let old: DriftReference = serde_json::from_str(old).unwrap();
        let shared = old.shareable(100);
        let FeatureReference::Numeric {
            sample, weights, ..
        } = &shared.features[0]
        else {
            panic!("numeric");
        };
        assert_eq!((sample, weights), (&vec![2.0, 23.2], &vec![5, 5]));
        let FeatureReference::Categorical { levels, rare, .. } = &shared.features[1] else {
            panic!("categorical");
        };
        assert_eq!((levels.len(), *rare), (1, 0.01));
        let rows: Vec<usize> = (0..100).collect();
        let values = (0..100).map(f64::from).collect();
        let new = reference(&table(vec![numeric(values)]), &["x".into()], &rows);
        assert_eq!(new.shareable(100), new);
    }

    #[test]
    fn references_stored_before_groups_still_read() {
        let old = r#"{"features":[{"kind":"numeric","column":"x","edges":[1.0],
            "expected":[0.5,0.5],"sample":[0.0,1.0,2.0]},
            {"kind":"categorical","column":"c","levels":[["a",1.0]]}]}"#;
        let reference: DriftReference = serde_json::from_str(old).unwrap();
        assert!(matches!(&reference.features[0],
            FeatureReference::Numeric { weights, .. } if weights.is_empty()));
        assert!(matches!(&reference.features[1],
            FeatureReference::Categorical { rare, .. } if *rare == 0.0));
    }
}
