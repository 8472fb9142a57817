//! What growing trees takes in memory, checked against the budget before they grow.

use super::model::ModelError;

/// Bytes a growing tree holds per cell of its rows: a copy of the value and its place in the
/// feature's sorted order.
const TREE_BYTES_PER_CELL: usize = 8 + 4;

/// Check that `at_once` trees growing side by side on `rows × columns` fit in the budget (a
/// one-hot column, read as level indices, counts once).
pub(super) fn check(
    model: &str,
    at_once: usize,
    rows: usize,
    features: usize,
) -> Result<(), ModelError> {
    let bytes = crate::data::memory::estimate(rows, features, TREE_BYTES_PER_CELL)
        .saturating_mul(at_once as u64);
    crate::data::memory::check(bytes, || {
        let trees = match at_once {
            1 => "one tree".to_string(),
            n => format!("{n} trees growing at once"),
        };
        format!(
            "{model}'s sorted columns ({trees}, each on {} rows × {} columns)",
            crate::data::format_count(rows as u64),
            crate::data::format_count(features as u64)
        )
    })
    .map_err(ModelError::OverBudget)
}

/// Bytes a histogram forest holds per training row and feature, once for all its trees: the
/// bins by column while they are made, and by row.
const BIN_BYTES_PER_CELL: usize = 2;

/// Bytes a tree grown on bins holds per training row and feature: the bins of the rows it
/// drew, and their partition scratch.
const BINNED_TREE_BYTES_PER_CELL: usize = 2;

/// Bytes a tree grown on bins holds per training row besides: its draws, and each drawn
/// row's class and draws (twice, with the scratch).
const BINNED_TREE_BYTES_PER_ROW: usize = 4 + 8 + 8;

/// Check that a histogram forest's bins of `rows × features`, and `at_once` trees growing on
/// them side by side, fit in the budget.
pub(super) fn check_binned(
    model: &str,
    at_once: usize,
    rows: usize,
    features: usize,
    cells: usize,
) -> Result<(), ModelError> {
    let per_tree =
        crate::data::memory::estimate(rows, cells, BINNED_TREE_BYTES_PER_CELL).saturating_add(
            crate::data::memory::estimate(rows, 1, BINNED_TREE_BYTES_PER_ROW),
        );
    let bytes = crate::data::memory::estimate(rows, cells, BIN_BYTES_PER_CELL)
        .saturating_add(per_tree.saturating_mul(at_once as u64));
    crate::data::memory::check(bytes, || {
        format!(
            "{model}'s binned features ({} rows × {} features, {at_once} trees growing at once)",
            crate::data::format_count(rows as u64),
            crate::data::format_count(features as u64)
        )
    })
    .map_err(ModelError::OverBudget)
}
