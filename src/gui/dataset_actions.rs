//! The Data view's commands: which dataset and column are shown, closing a dataset, and
//! changing a column's role (with the profile kept in step).

use std::sync::Arc;

use super::app::{Dataset, ModeldeskApp};
use crate::data::{self, Role};

impl ModeldeskApp {
    pub(super) fn select_dataset(&mut self, i: usize) {
        if i < self.datasets.len() {
            self.selected = Some(i);
        }
    }

    pub(super) fn close_dataset(&mut self, i: usize) {
        if i >= self.datasets.len() {
            return;
        }
        self.datasets.remove(i);
        self.selected = selected_after_close(self.selected, i, self.datasets.len());
        self.remember_open_datasets();
    }

    fn current_mut(&mut self) -> Option<&mut Dataset> {
        self.selected.and_then(|i| self.datasets.get_mut(i))
    }

    pub(super) fn select_column(&mut self, column: usize) {
        if let Some(dataset) = self.current_mut() {
            dataset.selected_column = column.min(dataset.table.columns.len().saturating_sub(1));
        }
    }

    /// Show columns from this position on (wide tables are shown a page at a time).
    pub(super) fn show_columns_from(&mut self, first: usize) {
        if let Some(dataset) = self.current_mut() {
            dataset.first_column = first.min(dataset.table.columns.len().saturating_sub(1));
        }
    }

    pub(super) fn set_current_role(&mut self, column: usize, role: Role) {
        if let Some(dataset) = self.current_mut() {
            set_role(dataset, column, role);
        }
        self.remember_open_datasets();
    }

    /// Record which datasets are open (with their roles) so the next start can reopen them.
    pub(super) fn remember_open_datasets(&mut self) {
        self.settings.open_datasets = self
            .datasets
            .iter()
            .map(|d| {
                let mut options = d.options.clone();
                options.column_roles = d.table.columns.iter().map(|c| Some(c.role)).collect();
                (d.table.source.clone(), options)
            })
            .collect();
    }
}

/// Give a column a role and keep the profile (roles, class balance) in step.
pub(super) fn set_role(dataset: &mut Dataset, column: usize, role: Role) {
    Arc::make_mut(&mut dataset.table).set_role(column, role);
    for (profile, column) in dataset
        .profile
        .columns
        .iter_mut()
        .zip(&dataset.table.columns)
    {
        profile.role = column.role;
    }
    dataset.profile.class_balance = dataset
        .table
        .target_index()
        .map(|i| data::level_counts(&dataset.table.columns[i]));
}

/// Which dataset is selected once dataset `closed` is closed and `left` remain: the same one
/// as before (its place moves up when one above it closes), or, when the selected one itself
/// closed, the one that took its place (the last when it was the last).
fn selected_after_close(selected: Option<usize>, closed: usize, left: usize) -> Option<usize> {
    if left == 0 {
        return None;
    }
    Some(match selected {
        Some(s) if s > closed => s - 1,
        Some(s) if s < closed => s,
        _ => closed.min(left - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::selected_after_close;

    #[test]
    fn closing_a_dataset_keeps_the_selected_one_selected() {
        // Three open, the third selected; the first closes: the same dataset, now second.
        assert_eq!(selected_after_close(Some(2), 0, 2), Some(1));
        // One below the selected closes: nothing moves.
        assert_eq!(selected_after_close(Some(0), 2, 2), Some(0));
        // The selected one closes: the next takes its place, or the last when it was last.
        assert_eq!(selected_after_close(Some(1), 1, 2), Some(1));
        assert_eq!(selected_after_close(Some(2), 2, 2), Some(1));
        assert_eq!(selected_after_close(Some(0), 0, 0), None);
    }
}
