//! Features as bins, as scikit-learn's `_BinMapper` makes them: at most `max_bins` bins of
//! non-missing values per feature, cut at the midpoints between distinct values when a
//! feature has few, else at its percentiles ("averaged inverted CDF", as numpy computes
//! them, or scikit-learn's `_weighted_percentile` when rows carry weights); a missing value
//! goes to a bin of its own, the last.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use ndarray::ArrayView2;

use super::histogram::BINS;
use crate::ml::prep::Features;
use crate::ml::prep::NO_LEVEL;

/// Rows beyond which the bin edges are found on a random sample of this many rows, as
/// scikit-learn does.
pub const BINNING_SAMPLE: usize = 200_000;

/// The largest `max_bins`: the 256th bin of a byte holds the missing values.
pub const MAX_BINS: usize = 255;

/// Thresholds past this are clipped, as scikit-learn avoids infinite edges.
const ALMOST_INF: f64 = 1e300;

/// The bin edges of every feature: value `x` falls in bin `i` when
/// `edges[i - 1] < x <= edges[i]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinEdges {
    pub edges: Vec<Vec<f64>>,
    /// The bin of missing values (the `max_bins` the edges were found with).
    pub missing_bin: u8,
}

/// A feature matrix as bins: one column of bytes per feature. One-hot columns stay level
/// indices: an indicator's bin is 1 on the rows of its level when it was cut, else 0.
#[derive(Debug, Clone)]
pub struct Binned {
    /// Per feature, its bins (empty for an indicator of `levels`).
    pub columns: Vec<Vec<u8>>,
    /// One-hot columns as level indices.
    pub levels: Vec<BinnedLevels>,
    /// Per feature: the one-hot column (index into `levels`) and level it is the indicator of.
    pub level_of: Vec<Option<(usize, u32)>>,
    /// Bins holding non-missing values, per feature.
    pub bins: Vec<usize>,
    /// Whether the binned rows hold a missing value, per feature.
    pub has_missing: Vec<bool>,
    pub missing_bin: u8,
    pub n_rows: usize,
    /// Where each feature's bins start in a node's histograms, and their end after the last:
    /// [`BINS`] bins a byte-binned feature, 2 an indicator of `levels` (0 and 1).
    pub hist_offsets: Vec<usize>,
}

/// A one-hot column of binned rows.
#[derive(Debug, Clone)]
pub struct BinnedLevels {
    /// The feature of its first indicator.
    pub first: usize,
    /// Per row, its level ([`NO_LEVEL`] for none).
    pub codes: Vec<u32>,
    /// The same levels as bytes ([`NO_LEVEL_BYTE`] for none), when there are fewer than
    /// 255: summed into histograms as a byte-binned feature is.
    pub bytes: Option<Vec<u8>>,
    /// Per level, whether its indicator has an edge (both 0 and 1 were seen); one that has not
    /// is one bin, 0, on every row.
    pub cut: Vec<bool>,
    /// Split natively, on sets of levels, instead of indicator by indicator: the histogram's
    /// 1-bin of every level's indicator sums the level's rows, and the 0-bins are left empty.
    pub native: bool,
    /// Whether some binned row has no level.
    pub has_missing: bool,
}

/// A row of no level in [`BinnedLevels::bytes`].
pub const NO_LEVEL_BYTE: u8 = u8::MAX;

/// One feature's bins, read row by row.
pub enum BinColumn<'a> {
    Bytes(&'a [u8]),
    Level {
        codes: &'a [u32],
        level: u32,
        cut: bool,
    },
}

impl BinColumn<'_> {
    #[inline]
    pub fn get(&self, row: usize) -> u8 {
        match self {
            BinColumn::Bytes(bins) => bins[row],
            BinColumn::Level { codes, level, cut } => u8::from(*cut && codes[row] == *level),
        }
    }
}

impl BinnedLevels {
    /// Row `row`'s level, `None` for none.
    #[inline]
    pub fn level(&self, row: usize) -> Option<u32> {
        Some(self.codes[row]).filter(|&l| l != NO_LEVEL)
    }
}

impl Binned {
    /// Split the one-hot columns natively (on sets of levels), or indicator by indicator.
    pub fn split_levels_natively(&mut self, native: bool) {
        for column in &mut self.levels {
            column.native = native;
        }
    }

    /// Every feature binned as bytes.
    pub fn from_columns(
        columns: Vec<Vec<u8>>,
        bins: Vec<usize>,
        has_missing: Vec<bool>,
        missing_bin: u8,
    ) -> Binned {
        let features = columns.len();
        let n_rows = columns.first().map_or(0, Vec::len);
        Binned {
            hist_offsets: (0..=features).map(|f| f * BINS).collect(),
            level_of: vec![None; features],
            levels: Vec::new(),
            columns,
            bins,
            has_missing,
            missing_bin,
            n_rows,
        }
    }

    pub fn rows(&self) -> usize {
        self.n_rows
    }

    /// The bins of a node's histograms, every feature's.
    pub fn hist_len(&self) -> usize {
        self.hist_offsets.last().copied().unwrap_or(0)
    }

    /// Feature `feature`'s bins in a node's histograms.
    #[inline]
    pub fn hist_range(&self, feature: usize) -> std::ops::Range<usize> {
        self.hist_offsets[feature]..self.hist_offsets[feature + 1]
    }

    /// Feature `feature`'s bins.
    pub fn column(&self, feature: usize) -> BinColumn<'_> {
        match self.level_of[feature] {
            None => BinColumn::Bytes(&self.columns[feature]),
            Some((k, level)) => BinColumn::Level {
                codes: &self.levels[k].codes,
                level,
                cut: self.levels[k].cut[level as usize],
            },
        }
    }
}

/// The edges of one feature's values (missing values left out), scikit-learn's
/// `_find_binning_thresholds` without sample weights.
pub fn feature_edges(values: &[f64], max_bins: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup_by(|a, b| a == b);
    if distinct.len() <= 1 {
        return Vec::new();
    }
    let mut edges: Vec<f64> = if distinct.len() <= max_bins {
        distinct.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
    } else {
        let step = 100.0 / max_bins as f64;
        (1..max_bins)
            .map(|i| averaged_inverted_cdf(&sorted, (i as f64 * step) / 100.0))
            .collect()
    };
    edges.sort_unstable_by(f64::total_cmp);
    edges.dedup_by(|a, b| a == b);
    for edge in &mut edges {
        *edge = edge.min(ALMOST_INF);
    }
    edges
}

/// numpy's `percentile(sorted, 100 q, method="averaged_inverted_cdf")`: the value at the
/// virtual index `n q − 1`, or the mean of two neighbours when it falls exactly on one.
fn averaged_inverted_cdf(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virtual_index = n as f64 * q - 1.0;
    let below = virtual_index.floor();
    let (previous, next) = if virtual_index >= (n - 1) as f64 {
        (n - 1, n - 1)
    } else if virtual_index < 0.0 {
        (0, 0)
    } else {
        (below as usize, below as usize + 1)
    };
    let gamma = if virtual_index - below == 0.0 {
        0.5
    } else {
        1.0
    };
    let (a, b) = (sorted[previous], sorted[next]);
    // numpy's lerp, which counts from the upper end for weights of a half or more.
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// The edges of one feature's values weighted by `weights` (missing values and rows of
/// weight 0 left out), scikit-learn's `_find_binning_thresholds` with sample weights: the
/// midpoints when there are few distinct values, else `_weighted_percentile(average=True)`
/// at the same percentiles.
pub fn weighted_feature_edges(values: &[f64], weights: &[f64], max_bins: usize) -> Vec<f64> {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(v, w)| !v.is_nan() && **w != 0.0)
        .map(|(&v, &w)| (v, w))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut distinct: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    distinct.dedup_by(|a, b| a == b);
    if distinct.len() <= max_bins {
        let unweighted: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        return feature_edges(&unweighted, max_bins);
    }
    let mut cdf = Vec::with_capacity(pairs.len());
    let mut total = 0.0;
    for &(_, w) in &pairs {
        total += w;
        cdf.push(total);
    }
    let last = pairs.len() - 1;
    let step = 100.0 / max_bins as f64;
    let mut edges: Vec<f64> = (1..max_bins)
        .map(|i| {
            let rank = (i as f64 * step) / 100.0 * total;
            // numpy's searchsorted (left): the first cumulative weight reaching the rank.
            let at = cdf.partition_point(|&c| c < rank).min(last);
            if cdf[at] - rank > f64::EPSILON {
                pairs[at].0
            } else {
                (pairs[at].0 + pairs[(at + 1).min(last)].0) / 2.0
            }
        })
        .collect();
    edges.sort_unstable_by(f64::total_cmp);
    edges.dedup_by(|a, b| a == b);
    for edge in &mut edges {
        *edge = edge.min(ALMOST_INF);
    }
    edges
}

/// Find every feature's edges on the rows `rows` of `x`, weighted by `weights[row]` when
/// given (on a seeded sample of [`BINNING_SAMPLE`] of them when there are more: drawn
/// without weights as before, or, as scikit-learn does with weights, with replacement in
/// proportion to them and then unweighted).
pub fn fit_edges(
    x: ArrayView2<f64>,
    rows: &[usize],
    weights: Option<&[f64]>,
    max_bins: usize,
    seed: u64,
) -> BinEdges {
    fit_feature_edges(Features::matrix(x), rows, weights, max_bins, seed)
}

/// [`fit_edges`] of [`Features`]: an indicator of a one-hot column is cut at 0.5, as a 0/1
/// column is, when the sample holds rows of its level and rows of others.
pub fn fit_feature_edges(
    x: Features<'_>,
    rows: &[usize],
    weights: Option<&[f64]>,
    max_bins: usize,
    seed: u64,
) -> BinEdges {
    let weighted_sample = |weights: &[f64]| {
        let mut rng = StdRng::seed_from_u64(seed);
        let cumulative: Vec<f64> = rows
            .iter()
            .scan(0.0, |sum, &r| {
                *sum += weights[r];
                Some(*sum)
            })
            .collect();
        let total = cumulative.last().copied().unwrap_or(0.0);
        let mut picked: Vec<usize> = (0..BINNING_SAMPLE)
            .map(|_| {
                let u = rng.gen::<f64>() * total;
                rows[cumulative.partition_point(|&c| c <= u).min(rows.len() - 1)]
            })
            .collect();
        picked.sort_unstable();
        picked
    };
    let (sample, weights): (Vec<usize>, Option<&[f64]>) = match weights {
        Some(w) if rows.len() > BINNING_SAMPLE => (weighted_sample(w), None),
        Some(w) => (rows.to_vec(), Some(w)),
        None => (unweighted_sample(rows, seed), None),
    };
    let dense: Vec<Vec<f64>> = (0..x.dense.ncols())
        .into_par_iter()
        .map(|c| {
            let column = x.dense.column(c);
            let values: Vec<f64> = sample.iter().map(|&r| column[r]).collect();
            match weights {
                Some(w) => {
                    let w: Vec<f64> = sample.iter().map(|&r| w[r]).collect();
                    weighted_feature_edges(&values, &w, max_bins)
                }
                None => feature_edges(&values, max_bins),
            }
        })
        .collect();
    let mut edges = vec![Vec::new(); x.width];
    for (c, found) in dense.into_iter().enumerate() {
        edges[x.dense_feature(c)] = found;
    }
    for codes in x.one_hot {
        let mut counts = vec![0usize; codes.width];
        for &r in &sample {
            let level = codes.levels[r];
            if level != NO_LEVEL {
                counts[level as usize] += 1;
            }
        }
        for (level, &count) in counts.iter().enumerate() {
            if count > 0 && count < sample.len() {
                edges[codes.first + level] = vec![0.5];
            }
        }
    }
    BinEdges {
        edges,
        missing_bin: max_bins as u8,
    }
}

/// The rows the edges are found on without weights: all, or a seeded sample of
/// [`BINNING_SAMPLE`] of them.
fn unweighted_sample(rows: &[usize], seed: u64) -> Vec<usize> {
    if rows.len() > BINNING_SAMPLE {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut picked: Vec<usize> = rand::seq::index::sample(&mut rng, rows.len(), BINNING_SAMPLE)
            .into_iter()
            .map(|i| rows[i])
            .collect();
        picked.sort_unstable();
        picked
    } else {
        rows.to_vec()
    }
}

impl BinEdges {
    /// The bin of one value.
    pub fn bin(&self, feature: usize, value: f64) -> u8 {
        if value.is_nan() {
            self.missing_bin
        } else {
            self.edges[feature].partition_point(|&edge| edge < value) as u8
        }
    }

    /// The rows `rows` of `x` as bins.
    pub fn bin_rows(&self, x: ArrayView2<f64>, rows: &[usize]) -> Binned {
        self.bin_features(Features::matrix(x), rows)
    }

    /// The rows `rows` of `x` as bins, its one-hot columns as their level indices.
    pub fn bin_features(&self, x: Features<'_>, rows: &[usize]) -> Binned {
        let binned: Vec<Vec<u8>> = (0..x.dense.ncols())
            .into_par_iter()
            .map(|c| {
                let column = x.dense.column(c);
                let f = x.dense_feature(c);
                rows.iter().map(|&r| self.bin(f, column[r])).collect()
            })
            .collect();
        let bins: Vec<usize> = self.edges.iter().map(|e| e.len() + 1).collect();
        if x.one_hot.is_empty() && x.dense_features.is_none() {
            let has_missing = binned
                .iter()
                .map(|c| c.contains(&self.missing_bin))
                .collect();
            return Binned::from_columns(binned, bins, has_missing, self.missing_bin);
        }
        let mut columns = vec![Vec::new(); x.width];
        let mut has_missing = vec![false; x.width];
        for (c, column) in binned.into_iter().enumerate() {
            let f = x.dense_feature(c);
            has_missing[f] = column.contains(&self.missing_bin);
            columns[f] = column;
        }
        let level_of = x.level_of();
        let levels = x
            .one_hot
            .iter()
            .map(|codes| {
                let binned_codes: Vec<u32> = rows.iter().map(|&r| codes.levels[r]).collect();
                let bytes = (codes.width < usize::from(NO_LEVEL_BYTE)).then(|| {
                    binned_codes
                        .iter()
                        .map(|&l| u8::try_from(l).unwrap_or(NO_LEVEL_BYTE))
                        .collect()
                });
                BinnedLevels {
                    first: codes.first,
                    bytes,
                    has_missing: binned_codes.contains(&NO_LEVEL),
                    codes: binned_codes,
                    cut: (0..codes.width)
                        .map(|level| !self.edges[codes.first + level].is_empty())
                        .collect(),
                    native: false,
                }
            })
            .collect();
        let mut hist_offsets = Vec::with_capacity(x.width + 1);
        let mut at = 0;
        for level in &level_of {
            hist_offsets.push(at);
            at += if level.is_some() { 2 } else { BINS };
        }
        hist_offsets.push(at);
        Binned {
            columns,
            levels,
            level_of,
            hist_offsets,
            bins,
            has_missing,
            missing_bin: self.missing_bin,
            n_rows: rows.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn few_values_are_cut_at_midpoints_and_missing_values_get_the_last_bin() {
        assert_eq!(
            feature_edges(&[3.0, 1.0, f64::NAN, 2.0, 1.0], 255),
            vec![1.5, 2.5]
        );
        assert!(feature_edges(&[4.0, 4.0, f64::NAN], 255).is_empty());
        let x = array![[1.0], [2.0], [f64::NAN], [3.0]];
        let edges = fit_edges(x.view(), &[0, 1, 2, 3], None, 255, 0);
        let binned = edges.bin_rows(x.view(), &[0, 1, 2, 3]);
        assert_eq!(binned.columns[0], vec![0, 1, 255, 2]);
        assert_eq!((binned.bins[0], binned.has_missing[0]), (3, true));
    }

    #[test]
    fn many_values_are_cut_at_percentiles() {
        // 0..10 into 4 bins: numpy's averaged_inverted_cdf at 25, 50, 75 % is 2, 4.5, 7.
        let values: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(feature_edges(&values, 4), vec![2.0, 4.5, 7.0]);
    }

    #[test]
    fn weighted_percentiles_are_scikit_learns() {
        // scikit-learn's _find_binning_thresholds(v, 4, w) of v = 0..10: with unit weights
        // numpy's averaged_inverted_cdf (2, 4.5, 7); with the first five weighing 3, the
        // ranks 5, 10 and 15 of 20 fall in the weights of 1 and 3, and exactly at the end
        // of 4's, which is averaged with 5: 1, 3, 4.5.
        let values: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(
            weighted_feature_edges(&values, &[1.0; 10], 4),
            vec![2.0, 4.5, 7.0]
        );
        let mut weights = vec![3.0; 5];
        weights.extend([1.0; 5]);
        assert_eq!(
            weighted_feature_edges(&values, &weights, 4),
            vec![1.0, 3.0, 4.5]
        );
        // Few distinct values: the midpoints, whatever the weights.
        assert_eq!(
            weighted_feature_edges(&[1.0, 2.0, f64::NAN, 3.0], &[5.0, 1.0, 1.0, 2.0], 255),
            vec![1.5, 2.5]
        );
    }
}
