//! What growing trees takes in memory, checked against the budget before they grow.

use super::model::ModelError;

/// Bytes a growing tree holds per cell of its rows: a copy of the value and its place in the
/// feature's sorted order.
const TREE_BYTES_PER_CELL: usize = 8 + 4;

/// Check that `at_once` trees growing side by side on `rows × features` fit in the budget.
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
            "{model}'s sorted columns ({trees}, each on {} rows × {} features)",
            crate::data::format_count(rows as u64),
            crate::data::format_count(features as u64)
        )
    })
    .map_err(ModelError::OverBudget)
}
