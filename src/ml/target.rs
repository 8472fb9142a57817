//! The column to predict: which task it implies, and its values as class indices (rows
//! whose target is missing are dropped and counted).

use serde::{Deserialize, Serialize};

use crate::data::{Column, ColumnData, ColumnKind, Table, MISSING_CODE};

/// Integer targets with at most this many distinct values are classes, not quantities.
const MAX_INTEGER_CLASSES: usize = 20;

/// What kind of prediction a target asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Classification,
    Regression,
}

impl Task {
    /// "classification" or "regression".
    pub fn noun(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        }
    }
}

/// Classification for categorical, boolean and string targets and for integers with few
/// distinct values; regression for other numbers.
pub fn infer_task(column: &Column) -> Task {
    match &column.data {
        ColumnData::Strings { .. } => Task::Classification,
        ColumnData::Numeric(values) => {
            if column.kind != ColumnKind::Integer {
                return Task::Regression;
            }
            let mut distinct: Vec<u64> = values
                .iter()
                .filter(|v| !v.is_nan())
                .map(|v| v.to_bits())
                .collect();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() <= MAX_INTEGER_CLASSES {
                Task::Classification
            } else {
                Task::Regression
            }
        }
    }
}

/// A classification target: class names and, for each usable row, its class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTarget {
    pub column: String,
    /// Class names in a stable order (levels sorted; numbers ascending).
    pub classes: Vec<String>,
    /// Table rows whose target is present.
    pub rows: Vec<usize>,
    /// The class of each of `rows`.
    pub y: Vec<usize>,
    /// Rows left out because the target is missing.
    pub dropped: usize,
}

/// Read `column` as classes.
pub fn class_target(table: &Table, column: &str) -> Option<ClassTarget> {
    let col = table.column(column)?;
    let mut target = ClassTarget {
        column: column.to_string(),
        classes: Vec::new(),
        rows: Vec::new(),
        y: Vec::new(),
        dropped: 0,
    };
    match &col.data {
        ColumnData::Strings { codes, levels } => {
            let mut order: Vec<usize> = (0..levels.len()).collect();
            order.sort_by(|&a, &b| levels[a].cmp(&levels[b]));
            let mut class_of_level = vec![usize::MAX; levels.len()];
            let used: Vec<bool> = {
                let mut used = vec![false; levels.len()];
                codes
                    .iter()
                    .filter(|&&c| c != MISSING_CODE)
                    .for_each(|&c| used[c as usize] = true);
                used
            };
            for level in order.into_iter().filter(|&l| used[l]) {
                class_of_level[level] = target.classes.len();
                target.classes.push(levels[level].clone());
            }
            for (row, &code) in codes.iter().enumerate() {
                if code == MISSING_CODE {
                    target.dropped += 1;
                } else {
                    target.rows.push(row);
                    target.y.push(class_of_level[code as usize]);
                }
            }
        }
        ColumnData::Numeric(values) => {
            let mut distinct: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            target.classes = distinct
                .iter()
                .map(|v| crate::data::format_number(*v).into_owned())
                .collect();
            for (row, &v) in values.iter().enumerate() {
                if v.is_nan() {
                    target.dropped += 1;
                } else {
                    target.rows.push(row);
                    target.y.push(distinct.partition_point(|&d| d < v));
                }
            }
        }
    }
    Some(target)
}

/// A regression target: the rows whose value is present, and the values.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueTarget {
    pub column: String,
    pub rows: Vec<usize>,
    pub y: Vec<f64>,
    pub dropped: usize,
}

/// Read `column` as numbers; `None` when it is missing or holds text.
pub fn value_target(table: &Table, column: &str) -> Option<ValueTarget> {
    let col = table.column(column)?;
    let ColumnData::Numeric(values) = &col.data else {
        return None;
    };
    let mut target = ValueTarget {
        column: column.to_string(),
        rows: Vec::new(),
        y: Vec::new(),
        dropped: 0,
    };
    for (row, &v) in values.iter().enumerate() {
        if v.is_nan() {
            target.dropped += 1;
        } else {
            target.rows.push(row);
            target.y.push(v);
        }
    }
    Some(target)
}

/// A bundled sample dataset with `target` given the target role, for tests.
#[cfg(test)]
pub(crate) fn sample_with_target(file: &str, target: &str) -> Table {
    use crate::data::{import_csv, ImportOptions, Progress, Role};
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(file);
    let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default())
        .expect("bundled samples import");
    let index = table
        .columns
        .iter()
        .position(|c| c.name == target)
        .expect("the sample has the target column");
    table.set_role(index, Role::Target);
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Dialect, Role};

    fn table(column: Column) -> Table {
        Table {
            name: "t".into(),
            source: Default::default(),
            fingerprint: String::new(),
            dialect: Dialect::default(),
            options: Default::default(),
            columns: vec![column],
            notices: vec![],
        }
    }

    #[test]
    fn string_targets_become_sorted_classes_and_missing_rows_are_dropped() {
        let column = Column {
            name: "species".into(),
            kind: ColumnKind::Categorical,
            role: Role::Target,
            data: ColumnData::Strings {
                codes: vec![0, 1, MISSING_CODE, 0, 2],
                levels: vec!["b".into(), "a".into(), "c".into()],
            },
        };
        assert_eq!(infer_task(&column), Task::Classification);
        let t = class_target(&table(column), "species").unwrap();
        assert_eq!(t.classes, vec!["a", "b", "c"]);
        assert_eq!(t.rows, vec![0, 1, 3, 4]);
        assert_eq!(t.y, vec![1, 0, 1, 2]);
        assert_eq!(t.dropped, 1);
    }

    #[test]
    fn integers_with_few_values_are_classes_floats_are_quantities() {
        let ints = Column {
            name: "grade".into(),
            kind: ColumnKind::Integer,
            role: Role::Target,
            data: ColumnData::Numeric(vec![3.0, 1.0, 2.0, f64::NAN, 1.0]),
        };
        assert_eq!(infer_task(&ints), Task::Classification);
        let t = class_target(&table(ints), "grade").unwrap();
        assert_eq!(
            (t.classes.clone(), t.y.clone()),
            (vec!["1".into(), "2".into(), "3".into()], vec![2, 0, 1, 0])
        );
        let floats = Column {
            kind: ColumnKind::Float,
            name: "y".into(),
            role: Role::Target,
            data: ColumnData::Numeric(vec![0.5, 1.5]),
        };
        assert_eq!(infer_task(&floats), Task::Regression);
        let many = Column {
            kind: ColumnKind::Integer,
            data: ColumnData::Numeric((0..50).map(f64::from).collect()),
            ..floats
        };
        assert_eq!(infer_task(&many), Task::Regression);
    }
}
