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
        self.selected = match self.datasets.len() {
            0 => None,
            n => Some(self.selected.unwrap_or(0).min(n - 1)),
        };
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
