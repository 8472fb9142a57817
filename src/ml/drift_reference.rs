//! The training side of drift checks: a summary of each feature's training distribution,
//! made once when a model is trained and kept with it — the quantile bin edges and shares of
//! numbers, the level shares of categories, and an evenly spaced sample of the sorted training
//! values for the KS statistic. `score::drift` compares new data against it.

use serde::{Deserialize, Serialize};

use crate::data::{ColumnData, Table, MISSING_CODE};

/// Quantile bins of a numeric feature.
pub const BINS: usize = 10;
/// Training values kept per numeric feature for the KS statistic.
pub const KS_SAMPLE: usize = 2_000;
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
