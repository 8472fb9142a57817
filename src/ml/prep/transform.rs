//! Applying a fitted recipe: the feature matrix for any rows of any table with the same columns.

use ndarray::Array2;
use rayon::prelude::*;

use super::fit::{FittedMissing, FittedRecipe, FittedStep};
use super::{find_column, wrong_kind, PrepError};
use crate::data::{format_count, memory, ColumnData, Table, MISSING_CODE};

/// The feature matrix, and what in the data the fitted recipe had never seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformed {
    /// One row per requested row, one column per [`FittedRecipe::feature_names`] entry
    /// (standard row-major layout).
    pub x: Array2<f64>,
    /// Per one-hot column that had any: cells whose level was not among the training levels
    /// (they are all zeros in `x`), in recipe order.
    pub unseen: Vec<(String, u64)>,
}

/// Marks a table level with no indicator column.
const NO_SLOT: u32 = super::design::NO_LEVEL;

/// Rows filled together: about 1 MB of features at 128 features a row.
pub(super) const BLOCK_ROWS: usize = 1024;

/// One fitted column bound to the cells of the table being transformed.
pub(super) enum Encoder<'a> {
    Numeric {
        values: &'a [f64],
        fill: f64,
        center: f64,
        scale: f64,
    },
    OneHot {
        codes: &'a [u32],
        /// Per level of the table's dictionary: its indicator among the fitted levels.
        slots: Vec<u32>,
        missing_slot: u32,
    },
}

impl FittedRecipe {
    /// The feature matrix for `rows` of `table`, whose columns are found by name, so another
    /// file with the same columns in another order works.
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Result<Transformed, PrepError> {
        self.transform_into(table, rows, Vec::new())
    }

    /// [`transform`](Self::transform) into the memory of `buffer` (its contents are
    /// discarded): a caller making several large matrices in turn spares the system zeroing
    /// fresh pages for each.
    pub fn transform_into(
        &self,
        table: &Table,
        rows: &[usize],
        buffer: Vec<f64>,
    ) -> Result<Transformed, PrepError> {
        let encoders = bind_encoders(self, table, rows)?;
        let width = self.n_features();
        if width == 0 {
            return Err(PrepError::NoFeatures);
        }
        let mut firsts = Vec::with_capacity(self.columns.len());
        let mut first = 0;
        for fitted in &self.columns {
            firsts.push(first);
            first += fitted.step.width();
        }

        // Checked before a page is touched: an allocation past the machine's memory would
        // not fail here but kill the process later.
        let more =
            memory::estimate(rows.len(), width, 8).saturating_sub(buffer.capacity() as u64 * 8);
        memory::check(more, || self.matrix_description(rows.len(), width))
            .map_err(PrepError::OverBudget)?;
        let mut cells = if buffer.capacity() == 0 {
            // Fresh zeroed memory is faulted in by the threads that fill it.
            vec![0.0; rows.len() * width]
        } else {
            let mut cells = buffer;
            cells.clear();
            cells.resize(rows.len() * width, 0.0);
            cells
        };
        // A block of rows at a time, so the block stays in cache while each column writes its
        // features into it; blocks in parallel, their counts (or the first failing column)
        // gathered in block order.
        let blocks: Vec<Result<Vec<u64>, usize>> = rows
            .par_chunks(BLOCK_ROWS)
            .zip(cells.par_chunks_mut(BLOCK_ROWS * width))
            .map(|(block_rows, block_cells)| {
                encoders
                    .iter()
                    .enumerate()
                    .map(|(k, encoder)| {
                        encoder
                            .write_block(block_rows, block_cells, width, firsts[k])
                            .ok_or(k)
                    })
                    .collect()
            })
            .collect();
        let mut unseen_counts = vec![0u64; encoders.len()];
        for block in blocks {
            let counts = block.map_err(|k| PrepError::NonFinite {
                column: self.columns[k].column.clone(),
            })?;
            for (total, count) in unseen_counts.iter_mut().zip(counts) {
                *total += count;
            }
        }
        let unseen = self
            .columns
            .iter()
            .zip(unseen_counts)
            .filter(|(_, count)| *count > 0)
            .map(|(fitted, count)| (fitted.column.clone(), count))
            .collect();
        let x = Array2::from_shape_vec((rows.len(), width), cells)
            .expect("cells were allocated as rows × features");
        Ok(Transformed { x, unseen })
    }
}

/// Each fitted column bound to its column of `table`, found by name.
pub(super) fn bind_encoders<'t>(
    recipe: &FittedRecipe,
    table: &'t Table,
    rows: &[usize],
) -> Result<Vec<Encoder<'t>>, PrepError> {
    let max_row = rows.iter().copied().max();
    let mut encoders = Vec::with_capacity(recipe.columns.len());
    for fitted in &recipe.columns {
        let column = find_column(table, &fitted.column, max_row)?;
        let encoder = match (&fitted.step, &column.data) {
            (
                FittedStep::Numeric {
                    fill,
                    center,
                    scale,
                },
                ColumnData::Numeric(values),
            ) => Encoder::Numeric {
                values,
                fill: *fill,
                center: *center,
                scale: *scale,
            },
            (
                step @ FittedStep::OneHot {
                    levels, missing, ..
                },
                ColumnData::Strings {
                    codes,
                    levels: table_levels,
                },
            ) => {
                let fitted_slots = step.level_slots();
                let slots = table_levels
                    .iter()
                    .map(|level| fitted_slots.get(level.as_str()).copied().unwrap_or(NO_SLOT))
                    .collect();
                let missing_slot = match missing {
                    // A stored recipe is data: an index past the levels must not panic.
                    FittedMissing::AsLevel(index) if *index < levels.len() => *index as u32,
                    FittedMissing::AsLevel(_) => NO_SLOT,
                    FittedMissing::OwnColumn => levels.len() as u32,
                    FittedMissing::Unseen => NO_SLOT,
                };
                Encoder::OneHot {
                    codes,
                    slots,
                    missing_slot,
                }
            }
            _ => return Err(wrong_kind(column)),
        };
        encoders.push(encoder);
    }
    Ok(encoders)
}

impl FittedRecipe {
    /// "the feature matrix of R rows × F features", naming the column with the most
    /// one-hot levels when one makes it wide.
    fn matrix_description(&self, rows: usize, width: usize) -> String {
        let widest = self
            .columns
            .iter()
            .filter(|c| matches!(c.step, FittedStep::OneHot { .. }))
            .max_by_key(|c| c.step.width());
        let matrix = format!(
            "the feature matrix of {} rows × {} features",
            format_count(rows as u64),
            format_count(width as u64)
        );
        match widest {
            Some(c) if c.step.width() * 2 >= width => format!(
                "{matrix}, {} of them one-hot levels of column '{}' ({})",
                format_count(c.step.width() as u64),
                c.column,
                memory::format_bytes(memory::estimate(rows, c.step.width(), 8))
            ),
            _ => matrix,
        }
    }
}

impl Encoder<'_> {
    /// Write a one-hot column's indicator index for `rows` into `out` ([`NO_SLOT`] where none
    /// is set). Returns how many cells were unseen levels; a numeric column writes nothing.
    pub(super) fn write_levels(&self, rows: &[usize], out: &mut [u32]) -> u64 {
        let Encoder::OneHot {
            codes,
            slots,
            missing_slot,
        } = self
        else {
            return 0;
        };
        let mut unseen = 0;
        for (slot_out, &row) in out.iter_mut().zip(rows) {
            let code = codes[row];
            let slot = if code == MISSING_CODE {
                *missing_slot
            } else {
                slots[code as usize]
            };
            unseen += u64::from(slot == NO_SLOT);
            *slot_out = slot;
        }
        unseen
    }

    /// Write this column's features for `rows` into `cells` (row-major, `width` per row, this
    /// column's first feature at `first`). Returns how many cells were unseen levels, or `None`
    /// when a feature is not a finite number.
    pub(super) fn write_block(
        &self,
        rows: &[usize],
        cells: &mut [f64],
        width: usize,
        first: usize,
    ) -> Option<u64> {
        match self {
            Encoder::Numeric {
                values,
                fill,
                center,
                scale,
            } => {
                let targets = cells[first..].iter_mut().step_by(width);
                for (cell, &row) in targets.zip(rows) {
                    let value = values[row];
                    let value = if value.is_nan() { *fill } else { value };
                    let scaled = (value - center) / scale;
                    if !scaled.is_finite() {
                        return None;
                    }
                    *cell = scaled;
                }
                Some(0)
            }
            Encoder::OneHot {
                codes,
                slots,
                missing_slot,
            } => {
                let mut unseen = 0;
                for (row_cells, &row) in cells.chunks_exact_mut(width).zip(rows) {
                    let code = codes[row];
                    let slot = if code == MISSING_CODE {
                        *missing_slot
                    } else {
                        slots[code as usize]
                    };
                    if slot == NO_SLOT {
                        unseen += 1;
                    } else {
                        row_cells[first + slot as usize] = 1.0;
                    }
                }
                Some(unseen)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, ColumnKind};
    use crate::ml::prep::fixtures::{categorical, numeric, table, with_kind};
    use crate::ml::prep::{
        fit_recipe, CategoricalImpute, ColumnRecipe, ColumnStep, FittedColumn, NumericImpute,
        Recipe, Scaling,
    };
    use ndarray::array;

    const NAN: f64 = f64::NAN;

    fn standardized(column: &str) -> ColumnRecipe {
        ColumnRecipe {
            column: column.into(),
            step: ColumnStep::Numeric {
                impute: NumericImpute::Mean,
                scale: Scaling::Standardize,
            },
        }
    }

    fn one_hot(column: &str, impute: CategoricalImpute) -> ColumnRecipe {
        ColumnRecipe {
            column: column.into(),
            step: ColumnStep::OneHot {
                impute,
                rare: Default::default(),
            },
        }
    }

    fn recipe(columns: Vec<ColumnRecipe>) -> Recipe {
        Recipe { columns }
    }

    #[test]
    fn a_validation_row_never_changes_the_scaler() {
        let train = [1.0, 2.0, 3.0, 4.0];
        let mut with_extreme = train.to_vec();
        with_extreme.push(1e9);
        let recipe = recipe(vec![standardized("x")]);
        let training_rows = [0, 1, 2, 3];

        let alone = fit_recipe(&recipe, &table(vec![numeric("x", &train)]), &training_rows);
        let whole = table(vec![numeric("x", &with_extreme)]);
        let beside = fit_recipe(&recipe, &whole, &training_rows);
        assert_eq!(
            alone, beside,
            "the extreme validation row leaked into the fit"
        );
        let fitted = beside.unwrap();
        assert_eq!(
            fitted.columns[0].step,
            FittedStep::Numeric {
                fill: 2.5,
                center: 2.5,
                scale: 1.25f64.sqrt(),
            }
        );

        let validation = fitted.transform(&whole, &[4]).unwrap();
        assert!(validation.x[[0, 0]] > 1e8, "{}", validation.x[[0, 0]]);
        // Fitting on every row would have learned a different scaler: the check above bites.
        assert_ne!(
            fit_recipe(&recipe, &whole, &[0, 1, 2, 3, 4]).unwrap(),
            fitted
        );
    }

    #[test]
    fn training_features_come_out_with_mean_zero_and_std_one() {
        let table = table(vec![numeric("x", &[1.0, NAN, 3.0, 8.0])]);
        let rows = [0, 1, 2, 3];
        let fitted = fit_recipe(&recipe(vec![standardized("x")]), &table, &rows).unwrap();
        let x = fitted.transform(&table, &rows).unwrap().x;
        let column = x.column(0);
        let mean = column.sum() / 4.0;
        let variance = column.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 4.0;
        assert!(mean.abs() < 1e-12 && (variance - 1.0).abs() < 1e-12);
    }

    #[test]
    fn min_max_maps_training_range_to_zero_one_and_a_constant_to_zero() {
        let table = table(vec![
            numeric("x", &[4.0, 2.0, 6.0]),
            numeric("k", &[5.0; 3]),
        ]);
        let step = ColumnStep::Numeric {
            impute: NumericImpute::Mean,
            scale: Scaling::MinMax,
        };
        let recipe = recipe(vec![
            ColumnRecipe {
                column: "x".into(),
                step,
            },
            ColumnRecipe {
                column: "k".into(),
                step,
            },
        ]);
        let fitted = fit_recipe(&recipe, &table, &[0, 1, 2]).unwrap();
        let x = fitted.transform(&table, &[0, 1, 2]).unwrap().x;
        assert_eq!(x, array![[0.5, 0.0], [0.0, 0.0], [1.0, 0.0]]);
    }

    #[test]
    fn missing_cells_are_imputed_at_transform() {
        let table = table(vec![
            numeric("x", &[1.0, 3.0, NAN]),
            categorical("c", &[Some("a"), Some("a"), None]),
        ]);
        let recipe = recipe(vec![
            ColumnRecipe {
                column: "x".into(),
                step: ColumnStep::Numeric {
                    impute: NumericImpute::Median,
                    scale: Scaling::None,
                },
            },
            one_hot("c", CategoricalImpute::MostFrequent),
        ]);
        let fitted = fit_recipe(&recipe, &table, &[0, 1]).unwrap();
        let out = fitted.transform(&table, &[2]).unwrap();
        assert_eq!(out.x, array![[2.0, 1.0]]);
        assert!(out.unseen.is_empty());
    }

    #[test]
    fn unseen_levels_are_all_zero_and_counted_per_column() {
        let train = table(vec![
            categorical("island", &[Some("Dream"), Some("Biscoe"), None]),
            categorical("sex", &[Some("male"), Some("female"), Some("male")]),
        ]);
        let recipe = recipe(vec![
            one_hot("island", CategoricalImpute::MissingLevel),
            one_hot("sex", CategoricalImpute::MissingLevel),
        ]);
        let fitted = fit_recipe(&recipe, &train, &[0, 1, 2]).unwrap();
        assert_eq!(
            fitted.feature_names(),
            [
                "island=Dream",
                "island=Biscoe",
                "island=(missing)",
                "sex=male",
                "sex=female"
            ]
        );

        let new = table(vec![
            categorical(
                "island",
                &[Some("Torgersen"), None, Some("Dream"), Some("Torgersen")],
            ),
            categorical("sex", &[None, Some("female"), Some("other"), Some("male")]),
        ]);
        let out = fitted.transform(&new, &[0, 1, 2, 3]).unwrap();
        assert_eq!(
            out.x,
            array![
                [0.0, 0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 1.0, 0.0, 1.0],
                [1.0, 0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 1.0, 0.0],
            ]
        );
        // Training had no missing sex, so a missing sex counts as unseen like "other".
        assert_eq!(
            out.unseen,
            [("island".to_string(), 2), ("sex".to_string(), 2)]
        );
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_and_dictionary() {
        let train = table(vec![
            numeric("x", &[1.0, 2.0, 3.0]),
            categorical("c", &[Some("a"), Some("b"), Some("a")]),
        ]);
        let rows = [0, 1, 2];
        let fitted = fit_recipe(&Recipe::default_for(&train), &train, &rows).unwrap();
        // Same data, columns swapped and the dictionary coded in another order.
        let reordered = table(vec![
            categorical("c", &[Some("b"), Some("a"), Some("a")]),
            numeric("x", &[2.0, 1.0, 3.0]),
        ]);
        let expected = fitted.transform(&train, &rows).unwrap();
        let got = fitted.transform(&reordered, &[1, 0, 2]).unwrap();
        assert_eq!(got, expected);
    }

    #[test]
    fn a_missing_column_is_named() {
        let train = table(vec![numeric("x", &[1.0]), numeric("y", &[2.0])]);
        let fitted = fit_recipe(&Recipe::default_for(&train), &train, &[0]).unwrap();
        let err = fitted
            .transform(&table(vec![numeric("x", &[1.0])]), &[0])
            .unwrap_err();
        assert_eq!(err.to_string(), "column 'y' is missing from the table");
    }

    #[test]
    fn a_column_that_changed_between_numbers_and_categories_is_named() {
        let train = table(vec![numeric("x", &[1.0]), categorical("c", &[Some("a")])]);
        let fitted = fit_recipe(&Recipe::default_for(&train), &train, &[0]).unwrap();

        let now_text = table(vec![
            with_kind(categorical("x", &[Some("1")]), ColumnKind::Text),
            categorical("c", &[Some("a")]),
        ]);
        let err = fitted.transform(&now_text, &[0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'x' is text, but its preprocessing step needs numbers"
        );

        let now_numbers = table(vec![
            numeric("x", &[1.0]),
            with_kind(numeric("c", &[1.0]), ColumnKind::Integer),
        ]);
        let err = fitted.transform(&now_numbers, &[0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'c' is integer, but its preprocessing step needs categories"
        );
    }

    #[test]
    fn a_non_finite_feature_is_an_error_naming_the_column() {
        let data = table(vec![numeric("x", &[1.0, 2.0, f64::INFINITY])]);
        let fitted = fit_recipe(&recipe(vec![standardized("x")]), &data, &[0, 1]).unwrap();
        let err = fitted.transform(&data, &[0, 2]).unwrap_err();
        assert_eq!(err, PrepError::NonFinite { column: "x".into() });

        // A stored recipe with an infinite fill (fit refuses to make one).
        let stored = FittedRecipe {
            columns: vec![FittedColumn {
                column: "x".into(),
                step: FittedStep::Numeric {
                    fill: f64::INFINITY,
                    center: 0.0,
                    scale: 1.0,
                },
            }],
        };
        let err = stored
            .transform(&table(vec![numeric("x", &[NAN])]), &[0])
            .unwrap_err();
        assert_eq!(err, PrepError::NonFinite { column: "x".into() });
    }

    #[test]
    fn a_damaged_stored_recipe_does_not_panic() {
        let stored = FittedRecipe {
            columns: vec![FittedColumn {
                column: "c".into(),
                step: FittedStep::OneHot {
                    levels: vec!["a".into()],
                    missing: FittedMissing::AsLevel(5),
                    infrequent: vec![],
                },
            }],
        };
        let out = stored
            .transform(&table(vec![categorical("c", &[None])]), &[0])
            .unwrap();
        assert_eq!(out.x, array![[0.0]]);
        assert_eq!(out.unseen, [("c".to_string(), 1)]);
    }

    #[test]
    fn the_matrix_has_a_row_per_requested_row_and_a_column_per_feature() {
        let columns: Vec<Column> = vec![
            numeric("x", &[1.0, 2.0, 3.0, 4.0]),
            categorical("c", &[Some("a"), Some("b"), None, Some("c")]),
        ];
        let data = table(columns);
        let fitted = fit_recipe(&Recipe::default_for(&data), &data, &[0, 1, 2, 3]).unwrap();
        let out = fitted.transform(&data, &[3, 3, 0]).unwrap();
        assert_eq!(out.x.dim(), (3, fitted.feature_names().len()));
        assert_eq!(out.x.row(0), out.x.row(1));
        assert_eq!(fitted.transform(&data, &[]).unwrap().x.dim(), (0, 5));
    }
}
