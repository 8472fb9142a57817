//! Gradient/hessian histograms of a node: per feature and bin, the sum of the rows'
//! gradients and hessians and their count. Built for the smaller child of a split, in
//! parallel over features; the larger child's is its parent's minus its sibling's.

use rayon::prelude::*;

use super::binning::Binned;

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

/// The histograms of the rows `rows` (all rows when `None`), whose gradients and hessians
/// are given in the order of `rows`. With constant hessians only counts are kept.
pub fn build(
    binned: &Binned,
    rows: Option<&[u32]>,
    gradients: &[f64],
    hessians: &[f64],
    constant_hessians: bool,
) -> Histograms {
    let mut histograms = vec![HistBin::default(); binned.columns.len() * BINS];
    histograms
        .par_chunks_mut(BINS)
        .zip(binned.columns.par_iter())
        .for_each(|(hist, column)| {
            let hist: &mut [HistBin; BINS] = hist.try_into().expect("a feature's bins");
            match (rows, constant_hessians) {
                (None, true) => {
                    for (&bin, &g) in column.iter().zip(gradients) {
                        let b = &mut hist[bin as usize];
                        b.gradients += g;
                        b.count += 1;
                    }
                }
                (None, false) => {
                    for ((&bin, &g), &h) in column.iter().zip(gradients).zip(hessians) {
                        let b = &mut hist[bin as usize];
                        b.gradients += g;
                        b.hessians += h;
                        b.count += 1;
                    }
                }
                (Some(rows), true) => {
                    for (&row, &g) in rows.iter().zip(gradients) {
                        let b = &mut hist[column[row as usize] as usize];
                        b.gradients += g;
                        b.count += 1;
                    }
                }
                (Some(rows), false) => {
                    for ((&row, &g), &h) in rows.iter().zip(gradients).zip(hessians) {
                        let b = &mut hist[column[row as usize] as usize];
                        b.gradients += g;
                        b.hessians += h;
                        b.count += 1;
                    }
                }
            }
        });
    histograms
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
        let binned = Binned {
            columns: vec![vec![0, 1, 1, 2, 255]],
            bins: vec![3],
            has_missing: vec![true],
            missing_bin: 255,
        };
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
