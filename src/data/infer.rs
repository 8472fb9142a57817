//! From parsed cells to typed columns: type inference, header repair and suggested roles.

use super::column::{Column, ColumnData, ColumnKind, Role, MISSING_CODE};
use super::parse::{parse_bool, NumberSink, Sink, SinkPlan, StringSink};

/// Above this many distinct values a string column is free text, not categories.
const MAX_CATEGORIES: usize = 1000;
/// A level this long is prose, not a category.
const MAX_CATEGORY_CHARS: usize = 200;
/// Column names that suggest the target role.
const TARGET_NAMES: [&str; 6] = ["target", "label", "class", "y", "outcome", "response"];

/// Make header names usable: trimmed, blank ones named `column_N`, duplicates suffixed `_2`, `_3`.
/// Returns the names and a notice per kind of change.
pub(crate) fn repair_names(raw: &[String]) -> (Vec<String>, Vec<String>) {
    let mut notices = Vec::new();
    let mut blanks = Vec::new();
    let mut names: Vec<String> = raw
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = name.trim();
            if name.is_empty() {
                blanks.push(i + 1);
                format!("column_{}", i + 1)
            } else {
                name.to_string()
            }
        })
        .collect();
    if !blanks.is_empty() {
        notices.push(format!(
            "{} blank column name(s) at position {} named column_N",
            blanks.len(),
            join_numbers(&blanks)
        ));
    }
    let mut seen = hashbrown::HashSet::new();
    let mut renamed = Vec::new();
    for i in 0..names.len() {
        if seen.insert(names[i].clone()) {
            continue;
        }
        let base = names[i].clone();
        let mut n = 2;
        let fresh = loop {
            let candidate = format!("{base}_{n}");
            if !seen.contains(&candidate) && !names[i + 1..].contains(&candidate) {
                break candidate;
            }
            n += 1;
        };
        renamed.push(format!("{base} → {fresh}"));
        seen.insert(fresh.clone());
        names[i] = fresh;
    }
    if !renamed.is_empty() {
        notices.push(format!(
            "duplicate column names renamed: {}",
            renamed.join(", ")
        ));
    }
    (names, notices)
}

fn join_numbers(numbers: &[usize]) -> String {
    let shown: Vec<String> = numbers.iter().take(10).map(usize::to_string).collect();
    let more = if numbers.len() > 10 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// How to parse a column given the user's choice, else what the sample suggests.
pub(crate) fn plan_for(user: Option<ColumnKind>, sample_numeric: bool) -> SinkPlan {
    match user {
        Some(kind) if kind.is_numeric() => SinkPlan::Number { forced: true },
        Some(_) => SinkPlan::Strings,
        None if sample_numeric => SinkPlan::Number { forced: false },
        None => SinkPlan::Strings,
    }
}

/// Inferred kind of a string column from its distinct values.
pub(crate) fn infer_string_kind(levels: &[String], non_missing: usize) -> ColumnKind {
    if is_boolean(levels) {
        return ColumnKind::Boolean;
    }
    if !levels.is_empty() && levels.iter().all(|l| looks_like_date(l)) {
        return ColumnKind::Date;
    }
    let many =
        levels.len() > MAX_CATEGORIES || (non_missing > 50 && levels.len() * 2 > non_missing);
    if many
        || levels
            .iter()
            .any(|l| l.chars().count() > MAX_CATEGORY_CHARS)
    {
        return ColumnKind::Text;
    }
    ColumnKind::Categorical
}

/// Every level reads as true/false, in at most two spellings ignoring case (`True`, `TRUE`).
fn is_boolean(levels: &[String]) -> bool {
    let mut spellings: Vec<String> = levels.iter().map(|l| l.to_ascii_lowercase()).collect();
    spellings.sort();
    spellings.dedup();
    !levels.is_empty()
        && spellings.len() <= 2
        && levels.iter().all(|l| parse_bool(l.as_bytes()).is_some())
}

/// `2024-01-31`, `2024/01/31`, `31/01/2024`, `31.01.2024`, optionally followed by a time.
pub(crate) fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 8 {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let date_len = if digits(0..4) && matches!(b.get(4), Some(b'-' | b'/')) {
        // Year first: YYYY-M-D with 1–2 digit month and day.
        let rest = &text[5..];
        let parts: Vec<&str> = rest.splitn(3, ['-', '/']).collect();
        if parts.len() < 2 {
            return false;
        }
        let day_len = parts[1].bytes().take_while(u8::is_ascii_digit).count();
        let ok = (1..=2).contains(&parts[0].len())
            && parts[0].bytes().all(|c| c.is_ascii_digit())
            && (1..=2).contains(&day_len);
        if !ok {
            return false;
        }
        5 + parts[0].len() + 1 + day_len
    } else if digits(0..2)
        && matches!(b[2], b'/' | b'.' | b'-')
        && digits(3..5)
        && b[5] == b[2]
        && digits(6..10)
    {
        10
    } else {
        return false;
    };
    match b.get(date_len) {
        None => true,
        Some(b'T' | b' ') => {
            b.len() >= date_len + 6 && digits(date_len + 1..date_len + 3) && b[date_len + 3] == b':'
        }
        Some(_) => false,
    }
}

/// A finished column plus notices about its cells.
pub(crate) struct FinishedColumn {
    pub column: Column,
    pub notices: Vec<String>,
}

/// Turn a parsed sink into a typed column; `user` is the type the user chose, if any.
pub(crate) fn finish_column(name: String, sink: Sink, user: Option<ColumnKind>) -> FinishedColumn {
    let mut notices = Vec::new();
    let (kind, data) = match sink {
        Sink::Number(NumberSink {
            values,
            fractional,
            non_finite,
            unparsed,
            first_unparsed,
        }) => {
            if non_finite > 0 {
                notices.push(format!(
                    "column '{name}': {non_finite} non-finite value(s) (inf or out of range) read as missing"
                ));
            }
            if unparsed > 0 {
                notices.push(format!(
                    "column '{name}': {unparsed} cell(s) are not numbers and were read as missing (first: '{}')",
                    first_unparsed.unwrap_or_default()
                ));
            }
            let kind = match user {
                Some(ColumnKind::Integer) if fractional => {
                    notices.push(format!(
                        "column '{name}' has fractional values; kept as float"
                    ));
                    ColumnKind::Float
                }
                Some(kind) => kind,
                None if fractional || values.iter().all(|v| v.is_nan()) => ColumnKind::Float,
                None => ColumnKind::Integer,
            };
            (kind, ColumnData::Numeric(values))
        }
        Sink::Strings(StringSink { levels, codes, .. }) => {
            let non_missing = codes.iter().filter(|&&c| c != MISSING_CODE).count();
            let kind = user.unwrap_or_else(|| infer_string_kind(&levels, non_missing));
            if kind == ColumnKind::Boolean && levels.len() > 2 {
                notices.push(format!(
                    "column '{name}' has {} distinct values; as a boolean it should have two",
                    levels.len()
                ));
            }
            (kind, ColumnData::Strings { codes, levels })
        }
    };
    FinishedColumn {
        column: Column {
            name,
            kind,
            role: Role::Feature,
            data,
        },
        notices,
    }
}

/// Unique integers counting up by one, with nothing missing: a row id, not a feature.
pub(crate) fn looks_like_row_id(column: &Column) -> bool {
    let ColumnData::Numeric(values) = &column.data else {
        return false;
    };
    column.kind == ColumnKind::Integer
        && values.len() >= 2
        && values.windows(2).all(|w| w[1] == w[0] + 1.0)
}

/// Suggested role: ignore ids, unnamed row-name columns, text and dates; target by name.
pub(crate) fn suggest_role(column: &Column, was_blank: bool) -> Role {
    if was_blank
        || looks_like_row_id(column)
        || matches!(column.kind, ColumnKind::Text | ColumnKind::Date)
    {
        Role::Ignore
    } else if TARGET_NAMES.contains(&column.name.to_ascii_lowercase().as_str()) {
        Role::Target
    } else {
        Role::Feature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_repair_names_blanks_and_duplicates() {
        let raw: Vec<String> = ["x", "", "x", "x_2", " y ", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (names, notices) = repair_names(&raw);
        assert_eq!(names, vec!["x", "column_2", "x_3", "x_2", "y", "x_4"]);
        assert_eq!(notices.len(), 2);
    }

    #[test]
    fn string_kinds() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            infer_string_kind(&s(&["Yes", "no"]), 10),
            ColumnKind::Boolean
        );
        assert_eq!(
            infer_string_kind(&s(&["2024-01-31", "2024-02-01T10:00:00"]), 2),
            ColumnKind::Date
        );
        assert_eq!(infer_string_kind(&s(&["31/01/2024"]), 1), ColumnKind::Date);
        assert_eq!(
            infer_string_kind(&s(&["a", "b", "c"]), 100),
            ColumnKind::Categorical
        );
        let many: Vec<String> = (0..60).map(|i| format!("name {i}")).collect();
        assert_eq!(infer_string_kind(&many, 60), ColumnKind::Text);
        assert!(!looks_like_date("2024-13"));
        assert!(!looks_like_date("1234-5678"));
    }

    #[test]
    fn row_ids_count_up_by_one() {
        let column = |values: Vec<f64>| Column {
            name: "id".into(),
            kind: ColumnKind::Integer,
            role: Role::Feature,
            data: ColumnData::Numeric(values),
        };
        assert!(looks_like_row_id(&column(vec![1.0, 2.0, 3.0])));
        assert!(!looks_like_row_id(&column(vec![1.0, 3.0, 4.0])));
        assert!(!looks_like_row_id(&column(vec![1.0, f64::NAN])));
    }
}
