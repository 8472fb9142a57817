//! `--memory-budget`, shared by the commands that build data-sized structures.

use crate::data::memory::{self, BudgetSetting};

/// How much memory one data-sized structure may take.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MemoryArg {
    /// Memory one data-sized structure (a feature matrix, a forest's sorted columns) may take:
    /// auto (80 % of the memory available when the command starts), a share such as 50%, or
    /// a size such as 4G or 512M. Work over it stops with a message naming the column and
    /// the size, instead of running the machine out of memory.
    #[arg(long, value_name = "BUDGET", value_parser = BudgetSetting::parse)]
    pub memory_budget: Option<BudgetSetting>,
}

impl MemoryArg {
    /// Set the budget of this command's work, measured from now.
    pub fn apply(&self) {
        memory::set_budget(self.memory_budget.unwrap_or_default());
        memory::start_job();
    }
}
