//! Sampling Shapley values (Štrumbelj and Kononenko 2014) for any model: for a random order
//! of the original columns and one background row, the row's columns are set into the
//! background row one at a time in that order, and each column is credited with the change
//! in the prediction its setting made. A column's contribution is the mean of its credits
//! over the samples, and its standard error their standard deviation over √samples.
//!
//! Every background row is used equally often (the samples are rounded up to a multiple of
//! the background rows), so the contributions add up to the prediction minus the average
//! prediction over the background rows exactly, whatever the sampling error of each.

use ndarray::{Array2, ArrayView1, ArrayView2};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::{Options, RowResult};
use crate::ml::target::Task;
use crate::ml::trained::TrainedModel;

/// Permutations sampled per row unless asked otherwise.
pub const DEFAULT_SAMPLES: usize = 200;

pub(super) struct Sampler<'m, 'b> {
    model: &'m TrainedModel,
    background: ArrayView2<'b, f64>,
    /// The transformed features of each original column.
    groups: Vec<Vec<usize>>,
    samples: usize,
    seed: u64,
    /// The average prediction over the background rows, per class (or the one value).
    base: Vec<f64>,
}

impl<'m, 'b> Sampler<'m, 'b> {
    pub(super) fn new(
        model: &'m TrainedModel,
        background: ArrayView2<'b, f64>,
        column_of: &[usize],
        options: &Options<'_>,
    ) -> Self {
        let mut groups = vec![Vec::new(); model.recipe.columns.len()];
        for (feature, &column) in column_of.iter().enumerate() {
            groups[column].push(feature);
        }
        let rows = background.nrows().max(1);
        let samples = options.samples.max(1).div_ceil(rows) * rows;
        let outputs = outputs(model, background);
        let base = (0..outputs.ncols())
            .map(|k| outputs.column(k).mean().unwrap_or(0.0))
            .collect();
        Sampler {
            model,
            background,
            groups,
            samples,
            seed: options.seed,
            base,
        }
    }

    /// Permutations per row, a multiple of the background rows.
    pub(super) fn samples(&self) -> usize {
        self.samples
    }

    /// One row's contributions for `class` (none for regression), seeded by the row itself so
    /// that a row's estimate does not depend on which other rows are explained with it.
    pub(super) fn row(&self, x: ArrayView1<f64>, class: Option<usize>) -> RowResult {
        let columns = self.groups.len();
        let mut rng = StdRng::seed_from_u64(self.seed ^ row_hash(x));
        let mut order: Vec<usize> = (0..columns).collect();
        // Each sample makes columns + 1 rows: the background row, then one more column set
        // each step.
        let mut walks = Array2::zeros((self.samples * (columns + 1), x.len()));
        let mut orders = Vec::with_capacity(self.samples);
        for s in 0..self.samples {
            order.shuffle(&mut rng);
            let background = self.background.row(s % self.background.nrows());
            let first = s * (columns + 1);
            walks.row_mut(first).assign(&background);
            for (step, &column) in order.iter().enumerate() {
                let at = first + step + 1;
                let (before, mut after) =
                    walks.multi_slice_mut((ndarray::s![at - 1, ..], ndarray::s![at, ..]));
                after.assign(&before);
                for &f in &self.groups[column] {
                    after[f] = x[f];
                }
            }
            orders.push(order.clone());
        }
        let out = outputs(self.model, walks.view());
        let k = class.unwrap_or(0);
        let mut sum = vec![0.0; columns];
        let mut squares = vec![0.0; columns];
        for (s, order) in orders.iter().enumerate() {
            let first = s * (columns + 1);
            for (step, &column) in order.iter().enumerate() {
                let credit = out[[first + step + 1, k]] - out[[first + step, k]];
                sum[column] += credit;
                squares[column] += credit * credit;
            }
        }
        let n = self.samples as f64;
        let columns_mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let errors = columns_mean
            .iter()
            .zip(&squares)
            .map(|(mean, sq)| {
                if self.samples < 2 {
                    f64::NAN
                } else {
                    let variance = ((sq - n * mean * mean) / (n - 1.0)).max(0.0);
                    (variance / n).sqrt()
                }
            })
            .collect();
        let prediction = out[[self.samples * (columns + 1) - 1, k]];
        RowResult::Columns {
            base: self.base[k],
            prediction,
            columns: columns_mean,
            errors,
        }
    }
}

/// The model's output for each row: class probabilities, or the value as one column.
fn outputs(model: &TrainedModel, x: ArrayView2<f64>) -> Array2<f64> {
    match model.task {
        Task::Classification => model
            .model
            .predict_proba(x, model.classes.len())
            .unwrap_or_else(|| Array2::zeros((x.nrows(), model.classes.len()))),
        Task::Regression => {
            let values = model
                .model
                .predict_values(x)
                .unwrap_or_else(|| ndarray::Array1::zeros(x.nrows()));
            values.insert_axis(ndarray::Axis(1))
        }
    }
}

/// A hash of a row's values, to seed its samples.
fn row_hash(x: ArrayView1<f64>) -> u64 {
    x.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, v| {
        (h ^ v.to_bits()).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
