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

/// A node's histograms, [`BINS`] bins per feature, feature after feature.
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
    let chunk = (n / rayon::current_num_threads().max(1) + 1).max(MIN_CHUNK);
    let empty = || {
        (
            vec![HistBin::default(); features * BINS],
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
                        let b = &mut hist[f * BINS + bin as usize];
                        b.gradients += g;
                        b.hessians += h;
                        b.count += 1;
                    }
                    continue;
                }
                for (&f, &bin) in binned.row_features.iter().zip(bins) {
                    let b = &mut hist[f * BINS + bin as usize];
                    b.gradients += g;
                    b.hessians += h;
                    b.count += 1;
                }
                // A one-hot column: only the row's own level's indicator is 1; the 0 bins
                // are the node's total less the 1s, filled in below.
                for column in &binned.levels {
                    let level = column.codes[row];
                    if level != NO_LEVEL && column.cut[level as usize] {
                        let b = &mut hist[(column.first + level as usize) * BINS + 1];
                        b.gradients += g;
                        b.hessians += h;
                        b.count += 1;
                    }
                }
                total.gradients += g;
                total.hessians += h;
                total.count += 1;
            }
            (hist, total)
        })
        .reduce(empty, |(mut a, mut at), (b, bt)| {
            for (x, y) in a.iter_mut().zip(&b) {
                x.gradients += y.gradients;
                x.hessians += y.hessians;
                x.count += y.count;
            }
            at.gradients += bt.gradients;
            at.hessians += bt.hessians;
            at.count += bt.count;
            (a, at)
        });
    for column in &binned.levels {
        for (level, _) in column.cut.iter().enumerate().filter(|(_, &cut)| cut) {
            let f = column.first + level;
            let one = hist[f * BINS + 1];
            hist[f * BINS] = HistBin {
                gradients: total.gradients - one.gradients,
                hessians: total.hessians - one.hessians,
                count: total.count - one.count,
            };
        }
    }
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
}
