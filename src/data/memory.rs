//! The memory budget: how many bytes one data-sized structure (a feature matrix, a forest's
//! sorted columns) may take, checked from an estimate before the structure is built.
//!
//! Linux overcommits memory: an allocation too large for the machine succeeds, and the
//! process is killed later when the pages are touched. Estimating first turns that into a
//! one-line error naming what was too large, and nothing aborts.
//!
//! By default the budget is 80 % of the memory available (`MemAvailable` in `/proc/meminfo`)
//! when the job started; Settings in the window and `--memory-budget` on the command line
//! choose another share of it or a fixed size.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// How the budget is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetSetting {
    /// This share (0–1] of the memory available when a job starts.
    Share(f64),
    /// A fixed number of bytes.
    Bytes(u64),
}

/// The default share of the available memory.
pub const DEFAULT_SHARE: f64 = 0.8;

impl Default for BudgetSetting {
    fn default() -> Self {
        BudgetSetting::Share(DEFAULT_SHARE)
    }
}

impl BudgetSetting {
    /// Read `auto`, a share such as `50%`, or a size such as `4G`, `512MB` or `1.5 GiB`
    /// (units are powers of 1024; a bare number is bytes).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().to_ascii_lowercase();
        let bad = || {
            format!(
                "'{text}' is not a memory budget: give auto, a share of the available memory \
                 such as 50%, or a size such as 4G or 512M"
            )
        };
        if t == "auto" {
            return Ok(BudgetSetting::default());
        }
        if let Some(percent) = t.strip_suffix('%') {
            let p: f64 = percent.trim().parse().map_err(|_| bad())?;
            if !(p > 0.0 && p <= 100.0) {
                return Err(format!(
                    "a memory budget share must be above 0 % and at most 100 %, not {text}"
                ));
            }
            return Ok(BudgetSetting::Share(p / 100.0));
        }
        let digits = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(digits);
        let number: f64 = number.parse().map_err(|_| bad())?;
        let scale = match unit.trim().trim_end_matches("ib").trim_end_matches('b') {
            "" => 1.0,
            "k" => 1024.0,
            "m" => 1024.0 * 1024.0,
            "g" => 1024.0 * 1024.0 * 1024.0,
            "t" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
            _ => return Err(bad()),
        };
        let bytes = number * scale;
        if !(bytes >= 1.0 && bytes.is_finite()) {
            return Err(bad());
        }
        Ok(BudgetSetting::Bytes(bytes as u64))
    }

    /// How it reads in Settings and in messages.
    pub fn describe(&self) -> String {
        match self {
            BudgetSetting::Share(share) => {
                format!(
                    "{} % of the memory available",
                    crate::data::format_number((share * 10_000.0).round() / 100.0)
                )
            }
            BudgetSetting::Bytes(bytes) => format_bytes(*bytes),
        }
    }
}

static SETTING: Mutex<Option<BudgetSetting>> = Mutex::new(None);
/// The memory available when the last job started; 0 until one started.
static AVAILABLE_AT_START: AtomicU64 = AtomicU64::new(0);

/// Choose the budget of every job from now on.
pub fn set_budget(setting: BudgetSetting) {
    *SETTING.lock().unwrap_or_else(|e| e.into_inner()) = Some(setting);
}

/// The budget chosen (the default until one is set).
pub fn budget_setting() -> BudgetSetting {
    SETTING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_default()
}

/// A job starts: note the memory available now, which a share-of-available budget is of.
pub fn start_job() {
    if let Some(bytes) = available_memory() {
        AVAILABLE_AT_START.store(bytes, Ordering::Relaxed);
    }
}

/// The budget in bytes now, or `None` where the available memory cannot be read.
pub fn budget_bytes() -> Option<u64> {
    match budget_setting() {
        BudgetSetting::Bytes(bytes) => Some(bytes),
        BudgetSetting::Share(share) => {
            let at_start = AVAILABLE_AT_START.load(Ordering::Relaxed);
            let available = if at_start > 0 {
                Some(at_start)
            } else {
                available_memory()
            };
            available.map(|bytes| (bytes as f64 * share) as u64)
        }
    }
}

/// A structure that would not fit in the budget.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{what} would need {} (estimated), more than the memory budget of {}{}; \
     raise the budget (Settings, or --memory-budget) or use fewer rows or levels",
    format_bytes(*.bytes),
    format_bytes(*.budget),
    match .setting {
        BudgetSetting::Share(_) => format!(
            " ({} when the work started)", .setting.describe()
        ),
        BudgetSetting::Bytes(_) => String::new(),
    }
)]
pub struct OverBudget {
    /// What was to be built, naming the column that makes it large.
    pub what: String,
    pub bytes: u64,
    pub budget: u64,
    pub setting: BudgetSetting,
}

/// Check that `bytes` more fit in the budget before building `what` (called only on failure).
pub fn check(bytes: u64, what: impl FnOnce() -> String) -> Result<(), Box<OverBudget>> {
    match budget_bytes() {
        Some(budget) if bytes > budget => Err(Box::new(OverBudget {
            what: what(),
            bytes,
            budget,
            setting: budget_setting(),
        })),
        _ => Ok(()),
    }
}

/// `rows × columns × bytes_each`, saturating instead of wrapping.
pub fn estimate(rows: usize, columns: usize, bytes_each: usize) -> u64 {
    (rows as u64)
        .saturating_mul(columns as u64)
        .saturating_mul(bytes_each as u64)
}

/// `MemAvailable` from `/proc/meminfo`, in bytes.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Bytes in binary units: `512 B`, `3.0 MB`, `1.46 GB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ if value < 10.0 => format!("{value:.2} {}", UNITS[unit]),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_as_shares_sizes_or_auto() {
        assert_eq!(
            BudgetSetting::parse("auto").unwrap(),
            BudgetSetting::Share(0.8)
        );
        assert_eq!(
            BudgetSetting::parse("50%").unwrap(),
            BudgetSetting::Share(0.5)
        );
        assert_eq!(
            BudgetSetting::parse("4G").unwrap(),
            BudgetSetting::Bytes(4 << 30)
        );
        assert_eq!(
            BudgetSetting::parse("512 MiB").unwrap(),
            BudgetSetting::Bytes(512 << 20)
        );
        assert_eq!(
            BudgetSetting::parse("1.5gb").unwrap(),
            BudgetSetting::Bytes(3 << 29)
        );
        assert_eq!(
            BudgetSetting::parse("1000").unwrap(),
            BudgetSetting::Bytes(1000)
        );
        for bad in ["", "lots", "0%", "150%", "4X", "0", "-3G"] {
            assert!(BudgetSetting::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn meminfo_gives_the_available_bytes() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   2000 kB\n";
        assert_eq!(parse_meminfo(text), Some(2000 * 1024));
        assert_eq!(parse_meminfo("MemTotal: 1 kB\n"), None);
        assert!(available_memory().is_some_and(|b| b > 0));
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(3 << 20), "3.00 MB");
        assert_eq!(format_bytes(1_500_000_000), "1.40 GB");
        assert_eq!(format_bytes(40 << 30), "40.0 GB");
        assert_eq!(estimate(usize::MAX, 2, 8), u64::MAX);
    }
}
