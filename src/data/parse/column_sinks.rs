//! Columns under construction: numbers with NaN for missing (and what did not read as a
//! number), strings as dictionary codes; one sink per planned column, filled cell by cell.

use hashbrown::HashMap;

use super::numbers::parse_number;
use super::{trim, MissingTokens, ParseConfig};
use crate::data::column::MISSING_CODE;

/// How to store one column while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkPlan {
    /// Parse numbers; `forced` (chosen by the user) turns unparseable cells into missing
    /// instead of asking for a re-read as strings.
    Number {
        forced: bool,
    },
    Strings,
}

/// Numbers of one column: values with NaN for missing, plus what went wrong on the way.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberSink {
    pub values: Vec<f64>,
    pub fractional: bool,
    pub non_finite: u64,
    pub unparsed: u64,
    pub first_unparsed: Option<String>,
}

/// Strings of one column as dictionary codes.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringSink {
    pub index: HashMap<String, u32>,
    pub levels: Vec<String>,
    pub codes: Vec<u32>,
}

/// Up to this many levels, a cell is looked up by comparing it with each level rather
/// than by hashing it (categorical columns mostly have a handful of short levels).
const FEW_LEVELS: usize = 8;

impl StringSink {
    fn code_of(&mut self, text: &str) -> u32 {
        if let Some(&code) = self.index.get(text) {
            return code;
        }
        let code = self.levels.len() as u32;
        self.levels.push(text.to_string());
        self.index.insert(text.to_string(), code);
        code
    }

    /// Add one trimmed cell. Returns false when the bytes are not valid UTF-8.
    pub(super) fn push(&mut self, cell: &[u8], missing: &MissingTokens) -> bool {
        if missing.contains(cell) {
            self.codes.push(MISSING_CODE);
            return true;
        }
        if self.levels.len() <= FEW_LEVELS {
            // Levels are valid UTF-8, so a cell equal to one is too.
            if let Some(code) = self
                .levels
                .iter()
                .position(|level| same_bytes(level.as_bytes(), cell))
            {
                self.codes.push(code as u32);
                return true;
            }
        }
        let (text, valid) = match std::str::from_utf8(cell) {
            Ok(text) => (std::borrow::Cow::Borrowed(text), true),
            Err(_) => (String::from_utf8_lossy(cell), false),
        };
        let code = self.code_of(&text);
        self.codes.push(code);
        valid
    }
}

/// `a == b`, quicker for the short texts of categories: most levels that differ already
/// differ in length or first byte, and the rest are compared in place, without a call to
/// `memcmp`.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.first() == b.first() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// What a number cell holds, as the general path or the fast one read it, before it is
/// added to its column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum NumberCell {
    /// A finite value; `may_be_fractional` is false when the text had neither a fraction nor
    /// an exponent, so the value is known to be whole.
    Value { value: f64, may_be_fractional: bool },
    /// A missing token, or a NaN written out.
    Missing,
    /// `inf`, or a number out of range.
    NonFinite,
    /// Not a number at all.
    Unparsed,
}

impl NumberCell {
    /// Read a trimmed cell.
    pub(super) fn read(cell: &[u8], cfg: &ParseConfig) -> Self {
        if cfg.missing.contains(cell) {
            return NumberCell::Missing;
        }
        match parse_number(cell, cfg.decimal_comma) {
            Some(value) if value.is_finite() => NumberCell::Value {
                value,
                may_be_fractional: true,
            },
            Some(v) if v.is_nan() => NumberCell::Missing,
            Some(_) => NumberCell::NonFinite,
            None => NumberCell::Unparsed,
        }
    }
}

impl NumberSink {
    /// Add a cell read by [`NumberCell::read`] (or the fast path); `text` is the cell, kept
    /// (trimmed) when it is the first one that is not a number.
    #[inline]
    pub(super) fn push(&mut self, cell: NumberCell, text: &[u8]) {
        // Almost every cell is a value: keep that path short and apart from the rest.
        if let NumberCell::Value {
            value,
            may_be_fractional,
        } = cell
        {
            if may_be_fractional && !self.fractional && value.fract() != 0.0 {
                self.fractional = true;
            }
            self.values.push(value);
            return;
        }
        if cell != NumberCell::Missing {
            self.note_flaw(cell, text);
        }
        self.values.push(f64::NAN);
    }

    /// Count a cell that is neither a value nor missing.
    #[cold]
    fn note_flaw(&mut self, cell: NumberCell, text: &[u8]) {
        match cell {
            NumberCell::NonFinite => self.non_finite += 1,
            NumberCell::Unparsed => {
                self.unparsed += 1;
                if self.first_unparsed.is_none() {
                    self.first_unparsed = Some(String::from_utf8_lossy(trim(text)).into_owned());
                }
            }
            NumberCell::Value { .. } | NumberCell::Missing => {}
        }
    }
}

/// One column under construction.
#[derive(Debug, Clone)]
pub(crate) enum Sink {
    Number(NumberSink),
    Strings(StringSink),
}

impl Sink {
    pub(crate) fn new(plan: SinkPlan, capacity: usize) -> Self {
        match plan {
            SinkPlan::Number { .. } => Sink::Number(NumberSink {
                values: Vec::with_capacity(capacity),
                ..NumberSink::default()
            }),
            SinkPlan::Strings => Sink::Strings(StringSink {
                codes: Vec::with_capacity(capacity),
                ..StringSink::default()
            }),
        }
    }

    /// Add one trimmed cell. Returns false when the bytes are not valid UTF-8.
    pub(super) fn push(&mut self, cell: &[u8], cfg: &ParseConfig) -> bool {
        match self {
            Sink::Number(sink) => {
                sink.push(NumberCell::read(cell, cfg), cell);
                true
            }
            Sink::Strings(sink) => sink.push(cell, &cfg.missing),
        }
    }

    /// Append a later chunk's cells to this column, leaving that chunk's sink empty (its
    /// memory can hold the next chunk: see [`parse_chunk_into`](super::parse_chunk_into)).
    pub(crate) fn append(&mut self, other: &mut Sink) {
        match (self, other) {
            (Sink::Number(a), Sink::Number(b)) => {
                a.values.extend_from_slice(&b.values);
                a.fractional |= b.fractional;
                a.non_finite += b.non_finite;
                a.unparsed += b.unparsed;
                if a.first_unparsed.is_none() {
                    a.first_unparsed = b.first_unparsed.take();
                }
                b.values.clear();
                (b.fractional, b.non_finite, b.unparsed, b.first_unparsed) = (false, 0, 0, None);
            }
            (Sink::Strings(a), Sink::Strings(b)) => {
                let remap: Vec<u32> = b.levels.iter().map(|level| a.code_of(level)).collect();
                a.codes.extend(b.codes.iter().map(|&c| {
                    if c == MISSING_CODE {
                        MISSING_CODE
                    } else {
                        remap[c as usize]
                    }
                }));
                b.index.clear();
                b.levels.clear();
                b.codes.clear();
            }
            _ => unreachable!("chunks of one import share one plan per column"),
        }
    }
}
