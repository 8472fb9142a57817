//! Gradient/hessian histograms of a node: per feature and bin, the sum of the rows'
//! gradients and hessians and their count. Built for the smaller child of a split, in
//! parallel over features; the larger child's is its parent's minus its sibling's.

use rayon::prelude::*;

use super::binning::{Binned, BinnedLevels};
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

/// Rows from which a node's features are summed on several threads.
const PARALLEL_ROWS: usize = 2048;

/// What one task of [`build`] sums: a byte-binned feature, or every indicator of a one-hot
/// column.
enum Part<'a> {
    Bytes(&'a [u8]),
    Levels(&'a BinnedLevels),
}

/// The histograms of the rows `rows` (all rows when `None`), whose gradients and hessians
/// are given in the order of `rows`. With constant hessians only counts are kept. Feature by
/// feature, as scikit-learn sums them: each feature's bins stay in the first-level cache
/// while every row of the node is added, in order; features are shared among threads.
pub fn build(
    binned: &Binned,
    rows: Option<&[u32]>,
    gradients: &[f32],
    hessians: &[f32],
    constant_hessians: bool,
) -> Histograms {
    let n = rows.map_or(binned.rows(), <[u32]>::len);
    let mut hist = vec![HistBin::default(); binned.hist_len()];
    let mut parts: Vec<(Part, &mut [HistBin])> = Vec::new();
    let mut rest = hist.as_mut_slice();
    let mut f = 0;
    while f < binned.columns.len() {
        let (part, next) = match binned.level_of[f] {
            None => (Part::Bytes(&binned.columns[f]), f + 1),
            Some((k, _)) => {
                let column = &binned.levels[k];
                (Part::Levels(column), column.first + column.cut.len())
            }
        };
        let (own, others) = rest.split_at_mut(binned.hist_offsets[next] - binned.hist_offsets[f]);
        parts.push((part, own));
        rest = others;
        f = next;
    }
    let hessians = (!constant_hessians).then_some(hessians);
    let sum = |(part, out): (Part, &mut [HistBin])| match part {
        Part::Bytes(column) => {
            let out: &mut [HistBin; BINS] = out.try_into().expect("a byte feature's bins");
            sum_column(column, rows, gradients, hessians, out);
        }
        Part::Levels(column) => sum_levels(binned, column, rows, gradients, hessians, out),
    };
    if n >= PARALLEL_ROWS {
        parts.into_par_iter().for_each(sum);
    } else {
        parts.into_iter().for_each(sum);
    }
    hist
}

/// Add the rows `rows` (every row when `None`) of `column` to their bins, with their
/// gradients and, unless they are constant, hessians.
fn sum_column(
    column: &[u8],
    rows: Option<&[u32]>,
    gradients: &[f32],
    hessians: Option<&[f32]>,
    out: &mut [HistBin; BINS],
) {
    match (rows, hessians) {
        (None, None) => sum_bytes::<false, false>(column, &[], gradients, &[], out),
        (None, Some(h)) => sum_bytes::<false, true>(column, &[], gradients, h, out),
        (Some(r), None) => sum_bytes::<true, false>(column, r, gradients, &[], out),
        (Some(r), Some(h)) => sum_bytes::<true, true>(column, r, gradients, h, out),
    }
}

/// Add each row's gradient (and hessian, with `HESSIANS`) to its bin of `column`: the rows
/// `rows` with `ROWS`, else every row.
#[inline(always)]
fn sum_bytes<const ROWS: bool, const HESSIANS: bool>(
    column: &[u8],
    rows: &[u32],
    gradients: &[f32],
    hessians: &[f32],
    out: &mut [HistBin; BINS],
) {
    let n = if ROWS { rows.len() } else { column.len() };
    let gradients = &gradients[..n];
    let hessians = if HESSIANS { &hessians[..n] } else { &[][..] };
    for j in 0..n {
        let bin = if ROWS {
            column[rows[j] as usize]
        } else {
            column[j]
        };
        let h = if HESSIANS { hessians[j] } else { 0.0 };
        out[bin as usize].add(f64::from(gradients[j]), f64::from(h));
    }
}

/// The indicators of one one-hot column: a row adds to the 1-bin of its level's indicator;
/// a 0-bin, when the column is split indicator by indicator, is the node's total less its
/// 1-bin. `out` holds the column's indicators' bins, 2 each.
fn sum_levels(
    binned: &Binned,
    column: &BinnedLevels,
    rows: Option<&[u32]>,
    gradients: &[f32],
    hessians: Option<&[f32]>,
    out: &mut [HistBin],
) {
    let base = binned.hist_offsets[column.first];
    let slot: Vec<Option<usize>> = (0..column.cut.len())
        .map(|level| {
            (column.native || column.cut[level])
                .then(|| binned.hist_offsets[column.first + level] - base + 1)
        })
        .collect();
    let mut total = HistBin::default();
    if let Some(bytes) = &column.bytes {
        // Fewer than 255 levels: summed as a byte-binned feature, then each level's sums
        // moved to its indicator.
        let mut sums = [HistBin::default(); BINS];
        sum_column(bytes, rows, gradients, hessians, &mut sums);
        for (level, at) in slot.iter().enumerate() {
            if let Some(at) = at {
                out[*at] = sums[level];
            }
        }
        for bin in &sums {
            total.merge(bin);
        }
    } else {
        let n = rows.map_or(column.codes.len(), <[u32]>::len);
        for j in 0..n {
            let row = rows.map_or(j, |r| r[j] as usize);
            let (g, h) = (
                f64::from(gradients[j]),
                hessians.map_or(0.0, |h| f64::from(h[j])),
            );
            total.add(g, h);
            let level = column.codes[row];
            if level != NO_LEVEL {
                if let Some(at) = slot[level as usize] {
                    out[at].add(g, h);
                }
            }
        }
    }
    if !column.native {
        for at in slot.into_iter().flatten() {
            let one = out[at];
            out[at - 1] = HistBin {
                gradients: total.gradients - one.gradients,
                hessians: total.hessians - one.hessians,
                count: total.count - one.count,
            };
        }
    }
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

    /// Every row of `rows` added to the bin `bin_of(feature, row)` of each feature, one
    /// row after another: what [`build`] must give.
    fn row_by_row(
        binned: &Binned,
        rows: &[u32],
        g: &[f32],
        h: &[f32],
        bin_of: impl Fn(usize, usize) -> Option<usize>,
    ) -> Histograms {
        let mut expected = vec![HistBin::default(); binned.hist_len()];
        for (j, &r) in rows.iter().enumerate() {
            for f in 0..binned.columns.len() {
                if let Some(bin) = bin_of(f, r as usize) {
                    expected[binned.hist_offsets[f] + bin].add(f64::from(g[j]), f64::from(h[j]));
                }
            }
        }
        expected
    }

    #[test]
    fn a_large_node_summed_by_threads_gives_every_bin_its_rows_in_order() {
        // 5,000 rows of 5 features, in a shuffled order: the features are summed on threads.
        let n = 5_000usize;
        let columns: Vec<Vec<u8>> = (0..5)
            .map(|f| (0..n).map(|i| ((i * (f + 3) * 31) % 17) as u8).collect())
            .collect();
        let binned = Binned::from_columns(columns.clone(), vec![17; 5], vec![false; 5], 255);
        let rows: Vec<u32> = (0..n as u32).rev().step_by(2).collect();
        let g: Vec<f32> = rows.iter().map(|&r| r as f32 * 0.25 - 7.0).collect();
        let h: Vec<f32> = rows.iter().map(|&r| 1.0 + (r % 5) as f32).collect();
        let expected = row_by_row(&binned, &rows, &g, &h, |f, r| {
            Some(usize::from(columns[f][r]))
        });
        assert_eq!(build(&binned, Some(&rows), &g, &h, false), expected);
    }

    /// Two byte features and a one-hot column of `width` levels (rows of no level among
    /// them) as level indices, split natively or indicator by indicator.
    fn with_levels(n: usize, width: usize, native: bool) -> Binned {
        let mut binned = Binned::from_columns(
            vec![
                (0..n).map(|i| (i % 7) as u8).collect(),
                (0..n).map(|i| (i * 13 % 255) as u8).collect(),
            ],
            vec![7, 255],
            vec![false; 2],
            255,
        );
        let codes: Vec<u32> = (0..n)
            .map(|i| match i % 11 {
                0 => NO_LEVEL,
                _ => (i * 7 % width) as u32,
            })
            .collect();
        let bytes = (width < 255).then(|| {
            codes
                .iter()
                .map(|&l| u8::try_from(l).unwrap_or(u8::MAX))
                .collect()
        });
        binned.levels.push(BinnedLevels {
            first: 2,
            codes,
            bytes,
            // The last level is never cut: its indicator is one bin.
            cut: (0..width).map(|l| l + 1 < width).collect(),
            native,
            has_missing: true,
        });
        for level in 0..width {
            binned.columns.push(Vec::new());
            binned.level_of.push(Some((0, level as u32)));
            binned.bins.push(2);
            binned.has_missing.push(false);
            binned.hist_offsets.push(binned.hist_len() + 2);
        }
        binned
    }

    #[test]
    fn a_one_hot_column_sums_each_level_into_its_indicator_with_few_levels_or_many() {
        let n = 6_000usize;
        let rows: Vec<u32> = (0..n as u32).filter(|r| r % 3 != 1).collect();
        let g: Vec<f32> = rows.iter().map(|&r| (r % 17) as f32 * 0.5 - 4.0).collect();
        let h: Vec<f32> = rows.iter().map(|&r| 0.25 + (r % 3) as f32).collect();
        for (width, native) in [(5, true), (5, false), (300, true), (300, false)] {
            let binned = with_levels(n, width, native);
            assert_eq!(binned.levels[0].bytes.is_some(), width < 255);
            let column = &binned.levels[0];
            let hist = build(&binned, Some(&rows), &g, &h, false);
            // An indicator's 1-bin holds its level's rows (when it was cut or the column is
            // split natively); its 0-bin, indicator by indicator, every other row.
            let expected = row_by_row(&binned, &rows, &g, &h, |f, r| match f {
                0 | 1 => Some(usize::from(binned.columns[f][r])),
                _ => {
                    let level = f - 2;
                    let mine = column.codes[r] == level as u32;
                    match (native, column.cut[level]) {
                        (true, _) => mine.then_some(1),
                        (false, true) => Some(usize::from(mine)),
                        (false, false) => None,
                    }
                }
            });
            assert_eq!(hist.len(), expected.len());
            for (i, (got, want)) in hist.iter().zip(&expected).enumerate() {
                assert_eq!(
                    got.count, want.count,
                    "bin {i}, {width} levels, native {native}"
                );
                assert!(
                    (got.gradients - want.gradients).abs() < 1e-9
                        && (got.hessians - want.hessians).abs() < 1e-9,
                    "bin {i}, {width} levels, native {native}: {got:?} against {want:?}"
                );
            }
        }
    }
}
