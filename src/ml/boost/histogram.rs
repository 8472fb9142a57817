//! Gradient/hessian histograms of a node: per feature and bin, the sum of the rows'
//! gradients and hessians and their count. Built for the smaller child of a split, in
//! parallel over features; the larger child's is its parent's minus its sibling's.

use rayon::prelude::*;

use super::binning::Binned;
use crate::ml::prep::NO_LEVEL;

/// Bins per feature in a histogram (a byte's values).
pub const BINS: usize = 256;

/// One bin of a histogram.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HistBin {
    pub gradients: f64,
    pub hessians: f64,
    pub count: u32,
}

impl HistBin {
    /// Count one row of gradient `g` and hessian `h`.
    #[inline]
    fn add(&mut self, g: f64, h: f64) {
        self.gradients += g;
        self.hessians += h;
        self.count += 1;
    }

    /// Add another bin's rows.
    #[inline]
    fn merge(&mut self, other: &HistBin) {
        self.gradients += other.gradients;
        self.hessians += other.hessians;
        self.count += other.count;
    }
}

/// A node's histograms, feature after feature: [`BINS`] bins a byte-binned feature, 2 an
/// indicator of a one-hot column ([`Binned::hist_offsets`]).
pub type Histograms = Vec<HistBin>;

/// Rows a thread sums at least, so that small nodes are not split among threads.
const MIN_CHUNK: usize = 8192;

/// The histograms of the rows `rows` (all rows when `None`), whose gradients and hessians
/// are given in the order of `rows`. With constant hessians only counts are kept. Chunks of
/// rows are summed in parallel, each row's bins read together, and the chunks added up.
pub fn build(
    binned: &Binned,
    rows: Option<&[u32]>,
    gradients: &[f64],
    hessians: &[f64],
    constant_hessians: bool,
) -> Histograms {
    let features = binned.columns.len();
    let dense = binned.row_features.len();
    let plain = binned.levels.is_empty() && dense == features;
    let n = rows.map_or(binned.rows(), <[u32]>::len);
    if plain && (MIN_SPLIT_FEATURES..2 * MIN_CHUNK).contains(&n) && features >= 2 {
        return by_feature_halves(binned, rows, gradients, hessians, constant_hessians, n);
    }
    let offsets = &binned.hist_offsets;
    let chunk = (n / rayon::current_num_threads().max(1) + 1).max(MIN_CHUNK);
    let empty = || {
        (
            vec![HistBin::default(); binned.hist_len()],
            HistBin::default(),
        )
    };
    let (mut hist, total) = (0..n.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let (mut hist, mut total) = empty();
            for j in c * chunk..((c + 1) * chunk).min(n) {
                let row = rows.map_or(j, |r| r[j] as usize);
                let g = gradients[j];
                let h = if constant_hessians { 0.0 } else { hessians[j] };
                let bins = &binned.by_row[row * dense..(row + 1) * dense];
                if plain {
                    for (f, &bin) in bins.iter().enumerate() {
                        hist[f * BINS + bin as usize].add(g, h);
                    }
                    continue;
                }
                for (&f, &bin) in binned.row_features.iter().zip(bins) {
                    hist[offsets[f] + bin as usize].add(g, h);
                }
                // A one-hot column: only the row's own level's indicator is 1; the 0 bins
                // are the node's total less the 1s, filled in below.
                for column in &binned.levels {
                    let level = column.codes[row];
                    if level != NO_LEVEL && (column.native || column.cut[level as usize]) {
                        hist[offsets[column.first + level as usize] + 1].add(g, h);
                    }
                }
                total.add(g, h);
            }
            (hist, total)
        })
        .reduce(empty, |(mut a, mut at), (b, bt)| {
            for (x, y) in a.iter_mut().zip(&b) {
                x.merge(y);
            }
            at.merge(&bt);
            (a, at)
        });
    for column in binned.levels.iter().filter(|c| !c.native) {
        for (level, _) in column.cut.iter().enumerate().filter(|(_, &cut)| cut) {
            let f = column.first + level;
            let one = hist[offsets[f] + 1];
            hist[offsets[f]] = HistBin {
                gradients: total.gradients - one.gradients,
                hessians: total.hessians - one.hessians,
                count: total.count - one.count,
            };
        }
    }
    hist
}

/// Rows from which a node too small to split among threads by rows is split by features.
const MIN_SPLIT_FEATURES: usize = 1024;

/// [`build`] of a small node of byte-binned features: each of two threads sums every row
/// into half of the features.
fn by_feature_halves(
    binned: &Binned,
    rows: Option<&[u32]>,
    gradients: &[f64],
    hessians: &[f64],
    constant_hessians: bool,
    n: usize,
) -> Histograms {
    let features = binned.columns.len();
    let half = features / 2;
    let mut hist = vec![HistBin::default(); features * BINS];
    let (first, second) = hist.split_at_mut(half * BINS);
    let fill = |part: &mut [HistBin], from: usize, to: usize| {
        for j in 0..n {
            let row = rows.map_or(j, |r| r[j] as usize);
            let g = gradients[j];
            let h = if constant_hessians { 0.0 } else { hessians[j] };
            let bins = &binned.by_row[row * features + from..row * features + to];
            for (f, &bin) in bins.iter().enumerate() {
                part[f * BINS + bin as usize].add(g, h);
            }
        }
    };
    rayon::join(|| fill(first, 0, half), || fill(second, half, features));
    hist
}

/// `parent − sibling`, bin by bin: the histograms of the other child.
pub fn subtract(parent: &Histograms, sibling: &Histograms) -> Histograms {
    parent
        .iter()
        .zip(sibling)
        .map(|(p, s)| HistBin {
            gradients: p.gradients - s.gradients,
            hessians: p.hessians - s.hessians,
            count: p.count - s.count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_built_equals_its_parent_minus_its_sibling() {
        let binned = Binned::from_columns(vec![vec![0, 1, 1, 2, 255]], vec![3], vec![true], 255);
        let g = [1.0, 2.0, 3.0, 4.0, 5.0];
        let h = [0.5; 5];
        let parent = build(&binned, None, &g, &h, false);
        assert_eq!(parent[1].count, 2);
        assert_eq!(parent[1].gradients, 5.0);
        assert_eq!(parent[255].gradients, 5.0);
        let left_rows = [0u32, 2];
        let left = build(&binned, Some(&left_rows), &[1.0, 3.0], &[0.5, 0.5], false);
        let right_rows = [1u32, 3, 4];
        let right = build(
            &binned,
            Some(&right_rows),
            &[2.0, 4.0, 5.0],
            &[0.5; 3],
            false,
        );
        assert_eq!(subtract(&parent, &left), right);
    }

    #[test]
    fn a_small_node_summed_by_feature_halves_gives_every_bin_its_rows() {
        // 5,000 rows of 5 features: one thread a side of the features.
        let n = 5_000usize;
        let columns: Vec<Vec<u8>> = (0..5)
            .map(|f| (0..n).map(|i| ((i * (f + 3) * 31) % 17) as u8).collect())
            .collect();
        let binned = Binned::from_columns(columns.clone(), vec![17; 5], vec![false; 5], 255);
        let rows: Vec<u32> = (0..n as u32).rev().step_by(2).collect();
        let g: Vec<f64> = rows.iter().map(|&r| f64::from(r) * 0.25 - 7.0).collect();
        let h: Vec<f64> = rows.iter().map(|&r| 1.0 + f64::from(r % 5)).collect();
        let hist = build(&binned, Some(&rows), &g, &h, false);
        let mut expected = vec![HistBin::default(); 5 * BINS];
        for (j, &r) in rows.iter().enumerate() {
            for (f, column) in columns.iter().enumerate() {
                let b = &mut expected[f * BINS + column[r as usize] as usize];
                b.gradients += g[j];
                b.hessians += h[j];
                b.count += 1;
            }
        }
        assert_eq!(hist, expected);
    }
}
