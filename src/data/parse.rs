//! Record-level parsing: RFC 4180 records (via `csv-core`) from an in-memory chunk of UTF-8
//! text into per-column sinks, and the quote-aware scanner that finds safe chunk boundaries.
//!
//! Most chunks hold no quotes at all. Their lines are cut at separators found eight bytes at
//! a time, and number cells written as short decimals are read on the spot; every other
//! record and cell goes the general way, so both ways give the same columns.

use hashbrown::HashMap;

use super::column::MISSING_CODE;

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

/// Everything the record parser needs to know, shared by all chunks of one import.
#[derive(Debug, Clone)]
pub(crate) struct ParseConfig {
    pub delimiter: u8,
    pub decimal_comma: bool,
    pub missing: MissingTokens,
    pub plans: Vec<SinkPlan>,
    pub skip_ragged_rows: bool,
}

/// The set of cell texts that mean "missing".
#[derive(Debug, Clone, Default)]
pub(crate) struct MissingTokens {
    tokens: Vec<Vec<u8>>,
    first_bytes: Vec<bool>,
    /// Per first byte of a cell, the lengths a token starting with that byte can match
    /// (bit `min(len, 63)`): most cells are ruled out by one lookup, without comparing.
    lengths: Vec<u64>,
    /// Whether a token has a digit, so that a cell written as a number could be one.
    has_digits: bool,
}

impl MissingTokens {
    pub(crate) fn new(tokens: &[String]) -> Self {
        // Cells are compared after trimming, so tokens are trimmed too (" NA" means "NA").
        let tokens: Vec<Vec<u8>> = tokens
            .iter()
            .map(|t| t.trim().as_bytes().to_vec())
            .collect();
        let mut first_bytes = vec![false; 256];
        let mut lengths = vec![0_u64; 256];
        for token in &tokens {
            if let Some(&b) = token.first() {
                first_bytes[b as usize] = true;
                lengths[b as usize] |= length_bit(token.len());
            }
        }
        MissingTokens {
            has_digits: tokens.iter().flatten().any(u8::is_ascii_digit),
            tokens,
            first_bytes,
            lengths,
        }
    }

    /// Whether a cell written as a number could be a missing token.
    pub(crate) fn may_hold_numbers(&self) -> bool {
        self.has_digits
    }

    /// Whether a trimmed cell is missing. Empty cells always are.
    pub(crate) fn contains(&self, cell: &[u8]) -> bool {
        match cell.first() {
            None => true,
            Some(&b) if !self.first_bytes.get(b as usize).copied().unwrap_or(false) => false,
            Some(&b)
                if self.lengths.get(b as usize).copied().unwrap_or(0) & length_bit(cell.len())
                    == 0 =>
            {
                false
            }
            Some(_) => self.tokens.iter().any(|t| t == cell),
        }
    }
}

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
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
    fn push(&mut self, cell: &[u8], missing: &MissingTokens) -> bool {
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
enum NumberCell {
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
    fn read(cell: &[u8], cfg: &ParseConfig) -> Self {
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
    fn push(&mut self, cell: NumberCell, text: &[u8]) {
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
    fn push(&mut self, cell: &[u8], cfg: &ParseConfig) -> bool {
        match self {
            Sink::Number(sink) => {
                sink.push(NumberCell::read(cell, cfg), cell);
                true
            }
            Sink::Strings(sink) => sink.push(cell, &cfg.missing),
        }
    }

    /// Append a later chunk's cells to this column, leaving that chunk's sink empty (its
    /// memory can hold the next chunk: see [`parse_chunk_into`]).
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

/// Parse a number as written in a CSV cell: plain (`-1.5e3`), decimal comma (`3,5`) when
/// `decimal_comma`, or with thousands groups (`1,200.5`, or `1.200,5` with decimal comma).
/// `inf` and overflow give an infinite value; `None` means "not a number".
pub(crate) fn parse_number(cell: &[u8], decimal_comma: bool) -> Option<f64> {
    let first = *cell.first()?;
    let looks_numeric = first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.');
    if !decimal_comma {
        if let Ok(v) = fast_float2::parse::<f64, _>(cell) {
            return Some(v);
        }
        if !looks_numeric {
            return None;
        }
        return parse_grouped(cell, b',', b'.');
    }
    let text = std::str::from_utf8(cell).ok()?;
    if !looks_numeric {
        // Words such as "inf" read the same in either convention.
        return text.parse::<f64>().ok();
    }
    if !text.contains([',', '.']) {
        return text.parse::<f64>().ok();
    }
    if let Some(v) = parse_grouped(cell, b'.', b',') {
        return Some(v);
    }
    if text.contains('.') {
        return None;
    }
    text.replacen(',', ".", 1).parse::<f64>().ok()
}

/// `[+-]d{1,3}(SEP ddd)+(DEC d+)?` → the number; `None` if the groups are not consistent.
fn parse_grouped(cell: &[u8], sep: u8, dec: u8) -> Option<f64> {
    let (sign, digits) = match cell.first()? {
        b'-' | b'+' => (&cell[..1], &cell[1..]),
        _ => (&cell[..0], cell),
    };
    let (int_part, frac_part) = match digits.iter().position(|&b| b == dec) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let groups: Vec<&[u8]> = int_part.split(|&b| b == sep).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let all_digits = int_part.iter().all(|&b| b.is_ascii_digit() || b == sep);
    if groups.len() < 2 || !first_ok || !rest_ok || !all_digits {
        return None;
    }
    let mut plain = String::with_capacity(cell.len());
    plain.push_str(std::str::from_utf8(sign).ok()?);
    for g in &groups {
        plain.push_str(std::str::from_utf8(g).ok()?);
    }
    if let Some(frac) = frac_part {
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        plain.push('.');
        plain.push_str(std::str::from_utf8(frac).ok()?);
    }
    plain.parse::<f64>().ok()
}

/// `true/false`, `yes/no`, `t/f`, `y/n` in any case.
pub(crate) fn parse_bool(cell: &[u8]) -> Option<bool> {
    if cell.len() > 5 {
        return None;
    }
    let lower = cell.to_ascii_lowercase();
    match lower.as_slice() {
        b"true" | b"yes" | b"t" | b"y" => Some(true),
        b"false" | b"no" | b"f" | b"n" => Some(false),
        _ => None,
    }
}

/// Trim spaces, tabs and stray carriage returns around a cell.
pub(crate) fn trim(cell: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let start = cell.iter().position(|b| !is_space(b)).unwrap_or(cell.len());
    let end = cell
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &cell[start..end]
}

/// A record with the wrong number of fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RaggedRecord {
    /// Byte offset of the record's start within the chunk.
    pub offset: usize,
    /// Byte length of the raw record.
    pub len: usize,
    pub found: usize,
}

/// What parsing one chunk produced.
#[derive(Debug)]
pub(crate) struct ChunkOutput {
    pub sinks: Vec<Sink>,
    pub skipped_ragged: u64,
    pub ragged: Option<RaggedRecord>,
    pub invalid_utf8: bool,
    /// Fields of the first record, when the caller asked for it as a header.
    pub header: Option<Vec<String>>,
}

/// Parse every record of `input` (whole records only) into one sink per planned column.
/// With `take_header`, the first non-blank record is returned as names instead of data.
pub(crate) fn parse_chunk(input: &[u8], cfg: &ParseConfig, take_header: bool) -> ChunkOutput {
    let lines = memchr::memchr_iter(b'\n', input).count();
    parse_chunk_into(input, lines, cfg, take_header, None)
}

/// [`parse_chunk`] for a caller that already counted the newlines of `input`, into `sinks`
/// when it has empty ones from an earlier chunk (see [`Sink::append`]): fresh memory costs
/// a page fault per 4 KiB, several times the work of filling it.
pub(crate) fn parse_chunk_into(
    input: &[u8],
    newlines: usize,
    cfg: &ParseConfig,
    take_header: bool,
    sinks: Option<Vec<Sink>>,
) -> ChunkOutput {
    // At most one record per line (the last may lack its newline).
    let rows = newlines + 1;
    let sinks = match sinks {
        Some(mut sinks) if sinks.len() == cfg.plans.len() => {
            for sink in &mut sinks {
                match sink {
                    Sink::Number(numbers) => numbers.values.reserve(rows),
                    Sink::Strings(strings) => strings.codes.reserve(rows),
                }
            }
            sinks
        }
        _ => cfg.plans.iter().map(|&p| Sink::new(p, rows)).collect(),
    };
    let mut chunk = ChunkBuilder {
        cfg,
        want_header: take_header,
        output: ChunkOutput {
            sinks,
            skipped_ragged: 0,
            ragged: None,
            invalid_utf8: false,
            header: None,
        },
    };
    if is_plain(input) {
        parse_plain(input, &mut chunk);
    } else {
        read_quoted_records(input, cfg.delimiter, |record, offset, len| {
            chunk.record(record, offset, len)
        });
    }
    chunk.output
}

/// The state of [`parse_chunk`]: what it found so far.
struct ChunkBuilder<'c> {
    cfg: &'c ParseConfig,
    want_header: bool,
    output: ChunkOutput,
}

impl ChunkBuilder<'_> {
    /// Take one record: skip it if blank, keep it as the header, report or skip it if it
    /// has the wrong number of fields, or add its cells. Returns false to stop.
    fn record(&mut self, record: Record<'_>, offset: usize, len: usize) -> bool {
        if record.is_blank() {
            return true;
        }
        if self.want_header {
            self.want_header = false;
            self.output.header = Some(
                record
                    .fields()
                    .map(|f| String::from_utf8_lossy(trim(f)).into_owned())
                    .collect(),
            );
            return true;
        }
        if record.len() != self.cfg.plans.len() {
            if self.cfg.skip_ragged_rows {
                self.output.skipped_ragged += 1;
                return true;
            }
            self.output.ragged = Some(RaggedRecord {
                offset,
                len,
                found: record.len(),
            });
            return false;
        }
        for (sink, field) in self.output.sinks.iter_mut().zip(record.fields()) {
            if !sink.push(trim(field), self.cfg) {
                self.output.invalid_utf8 = true;
            }
        }
        true
    }
}

/// Quote-free text whose carriage returns all end lines: each line is a record, and fields
/// can be cut at every delimiter in place.
fn is_plain(input: &[u8]) -> bool {
    memchr::memchr2_iter(b'"', b'\r', input)
        .all(|i| input[i] == b'\r' && input.get(i + 1) == Some(&b'\n'))
}

/// Call `visit(record, offset, raw_len)` for each record of `input` until it returns false.
/// Empty lines are not records.
pub(crate) fn for_each_record(
    input: &[u8],
    delimiter: u8,
    visit: impl FnMut(Record<'_>, usize, usize) -> bool,
) {
    if is_plain(input) {
        split_plain_records(input, delimiter, visit);
    } else {
        read_quoted_records(input, delimiter, visit);
    }
}

/// Records of plain text (see [`is_plain`]). Ordinary lines (the planned number of fields,
/// at least two) go straight into the sinks, cut at the separators [`Separators`] finds;
/// anything else (the header, blank lines, records with the wrong number of fields, a
/// single column) goes through [`ChunkBuilder::record`], like text in the general path.
fn parse_plain(input: &[u8], chunk: &mut ChunkBuilder<'_>) {
    let cfg = chunk.cfg;
    let mut separators = if cfg.plans.len() >= 2 {
        Separators::new(input, cfg.delimiter)
    } else {
        None
    };
    let decimal = if cfg.decimal_comma { b',' } else { b'.' };
    // A field never holds the delimiter, so then there is no decimal separator to look for.
    let decimal = (decimal != cfg.delimiter).then_some(decimal);
    let mut ends = Vec::with_capacity(64);
    let mut start = 0;
    while start < input.len() {
        if let Some(separators) = separators.as_mut() {
            if !chunk.want_header {
                if let Some(next) =
                    fast_line(input, start, separators, decimal, cfg, &mut chunk.output)
                {
                    start = next;
                    continue;
                }
            }
        }
        let (line, next) = plain_line(input, start);
        if let Some(separators) = separators.as_mut() {
            separators.skip_to(next);
        }
        if !line.is_empty() {
            let record = split_line(line, cfg.delimiter, &mut ends);
            if !chunk.record(record, start, next - start) {
                return;
            }
        }
        start = next;
    }
}

/// Read the line of plain text at `start` into the sinks if it is ordinary: exactly as many
/// fields as planned. Returns where the next line starts; `None` (nothing added, no
/// separator consumed) for any other line.
///
/// Cells are added as the general path would add them: a number cell written as a short
/// decimal (`-12.375`) is read by [`short_decimal`], any other (an exponent, spaces,
/// thousands groups, a missing token) by [`NumberCell::read`].
fn fast_line(
    input: &[u8],
    start: usize,
    separators: &mut Separators<'_>,
    decimal: Option<u8>,
    cfg: &ParseConfig,
    output: &mut ChunkOutput,
) -> Option<usize> {
    let fields = output.sinks.len();
    let ends = separators.peek(fields);
    let (&last, inner) = ends.split_last()?;
    let ends_line = |end: u32| input.get(end as usize).is_none_or(|&b| b == b'\n');
    if ends.len() < fields || !ends_line(last) || inner.iter().any(|&end| ends_line(end)) {
        return None;
    }
    let ChunkOutput {
        sinks,
        invalid_utf8,
        ..
    } = output;
    let mut field_start = start;
    for (sink, &end) in sinks.iter_mut().zip(ends) {
        let mut field_end = end as usize;
        if end == last && field_end > field_start && input[field_end - 1] == b'\r' {
            // The line end is `\r\n`.
            field_end -= 1;
        }
        match sink {
            Sink::Number(sink) => {
                let field = &input[field_start..field_end];
                let cell = match short_decimal(input, field_start, decimal) {
                    // Such a cell needs no trimming; it could still be a missing token.
                    Some((value, has_fraction, stop)) if stop == field_end => {
                        if cfg.missing.may_hold_numbers() && cfg.missing.contains(field) {
                            NumberCell::Missing
                        } else {
                            NumberCell::Value {
                                value,
                                may_be_fractional: has_fraction,
                            }
                        }
                    }
                    _ if field.is_empty() => NumberCell::Missing,
                    _ => NumberCell::read(trim(field), cfg),
                };
                sink.push(cell, field);
            }
            Sink::Strings(sink) => {
                if !sink.push(trim(&input[field_start..field_end]), &cfg.missing) {
                    *invalid_utf8 = true;
                }
            }
        }
        field_start = end as usize + 1;
    }
    separators.consume(fields);
    Some((last as usize + 1).min(input.len()))
}

/// Bytes of plain text [`Separators`] looks at per refill.
const SEPARATOR_SCAN_BYTES: usize = 4096;

/// The positions of the delimiters and newlines of plain text, in order, found 64 bytes at
/// a time without a branch per byte. The end of the text counts as one more newline when
/// the text does not end with one.
///
/// Knowing where every field ends before reading it keeps the reading of one field from
/// waiting on the end of the one before, so the processor overlaps them.
struct Separators<'a> {
    input: &'a [u8],
    delimiter: u8,
    /// Bytes looked at so far.
    scanned: usize,
    /// Positions found; those before `next` are consumed.
    found: Vec<u32>,
    next: usize,
}

impl<'a> Separators<'a> {
    /// `None` for text too long for 32-bit positions (a chunk never is, short of a single
    /// record of 4 GB).
    fn new(input: &'a [u8], delimiter: u8) -> Option<Self> {
        u32::try_from(input.len()).ok()?;
        Some(Separators {
            input,
            delimiter,
            scanned: 0,
            found: Vec::with_capacity(SEPARATOR_SCAN_BYTES),
            next: 0,
        })
    }

    /// The next `count` positions, or all that are left.
    #[inline]
    fn peek(&mut self, count: usize) -> &[u32] {
        while self.found.len() - self.next < count && self.scanned < self.input.len() {
            self.scan_more();
        }
        let available = (self.found.len() - self.next).min(count);
        &self.found[self.next..self.next + available]
    }

    fn consume(&mut self, count: usize) {
        self.next += count;
    }

    /// Consume the positions before `offset`.
    fn skip_to(&mut self, offset: usize) {
        while let Some(&position) = self.peek(1).first() {
            if position as usize >= offset {
                break;
            }
            self.next += 1;
        }
    }

    #[inline(never)]
    fn scan_more(&mut self) {
        if self.next > 0 {
            self.found.drain(..self.next);
            self.next = 0;
        }
        let stop = (self.scanned + SEPARATOR_SCAN_BYTES).min(self.input.len());
        while self.scanned < stop {
            let rest = &self.input[self.scanned..];
            let (mut mask, len) = match rest.first_chunk::<64>() {
                Some(block) => (separator_mask(block, self.delimiter), 64),
                None => {
                    let mut block = [0u8; 64];
                    block[..rest.len()].copy_from_slice(rest);
                    // The padding is not text (and zero could be the delimiter).
                    let mask = separator_mask(&block, self.delimiter) & ((1 << rest.len()) - 1);
                    (mask, rest.len())
                }
            };
            while mask != 0 {
                // Positions fit: the text length was checked in `new`.
                self.found
                    .push((self.scanned + mask.trailing_zeros() as usize) as u32);
                mask &= mask - 1;
            }
            self.scanned += len;
        }
        if self.scanned == self.input.len() && self.input.last().is_some_and(|&b| b != b'\n') {
            self.found.push(self.input.len() as u32);
        }
    }
}

/// Bit `i` set where byte `i` of `block` is the delimiter or a newline: sixteen bytes per
/// comparison with SSE2, which every x86-64 processor has.
#[cfg(target_arch = "x86_64")]
#[inline]
fn separator_mask(block: &[u8; 64], delimiter: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline, so these instructions always exist; each
    // load reads the 16 bytes of one `lane`, with no alignment required.
    unsafe {
        let delimiters = _mm_set1_epi8(delimiter as i8);
        let newlines = _mm_set1_epi8(b'\n' as i8);
        let mut mask = 0;
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let bytes = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
            let found = _mm_or_si128(
                _mm_cmpeq_epi8(bytes, delimiters),
                _mm_cmpeq_epi8(bytes, newlines),
            );
            mask |= u64::from(_mm_movemask_epi8(found) as u16) << (16 * i);
        }
        mask
    }
}

#[cfg(not(target_arch = "x86_64"))]
use portable_separator_mask as separator_mask;

/// Bit `i` set where byte `i` of `block` is the delimiter or a newline, eight bytes at a
/// time in ordinary registers (for processors other than x86-64; tests check that it
/// agrees with the SSE2 version).
#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline]
fn portable_separator_mask(block: &[u8; 64], delimiter: u8) -> u64 {
    let (delimiters, newlines) = (repeat_byte(delimiter), repeat_byte(b'\n'));
    let mut mask = 0;
    for (i, bytes) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
        let found = equal_bytes(word, delimiters) | equal_bytes(word, newlines);
        // Gather the eight high bits into the top byte (no two products overlap), then down.
        let bits = ((found >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= bits << (8 * i);
    }
    mask
}

/// The high bit of each byte of `word` that equals the byte repeated in `pattern`. Exact
/// for every byte: adding 0x7F to the low seven bits of a byte cannot carry into the next.
#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline]
fn equal_bytes(word: u64, pattern: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let diff = word ^ pattern;
    !(((diff & LOW7).wrapping_add(LOW7)) | diff) & 0x8080_8080_8080_8080
}

/// The line of plain text starting at `start`, without its line end, and where the next
/// one starts.
fn plain_line(input: &[u8], start: usize) -> (&[u8], usize) {
    let newline = memchr::memchr(b'\n', &input[start..]).map_or(input.len(), |i| start + i);
    let next = (newline + 1).min(input.len());
    let line = &input[start..newline];
    (line.strip_suffix(b"\r").unwrap_or(line), next)
}

/// A line of plain text as a record of fields cut at each delimiter; `ends` is scratch.
fn split_line<'a>(line: &'a [u8], delimiter: u8, ends: &'a mut Vec<usize>) -> Record<'a> {
    ends.clear();
    ends.extend(memchr::memchr_iter(delimiter, line));
    ends.push(line.len());
    Record {
        bytes: line,
        ends,
        gap: 1,
    }
}

/// Text without quotes: a record is a line and fields are split at each delimiter, in place.
fn split_plain_records(
    input: &[u8],
    delimiter: u8,
    mut visit: impl FnMut(Record<'_>, usize, usize) -> bool,
) {
    let mut ends = Vec::with_capacity(64);
    let mut start = 0;
    while start < input.len() {
        let (line, next) = plain_line(input, start);
        if !line.is_empty() && !visit(split_line(line, delimiter, &mut ends), start, next - start) {
            return;
        }
        start = next;
    }
}

/// Powers of ten that are exact as `f64` (all up to 1e22 are).
const EXACT_POWERS_OF_TEN: [f64; 20] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19,
];

/// The eight bytes at `pos` as a little-endian word (the first byte lowest), if there are
/// eight.
#[inline]
fn word_at(input: &[u8], pos: usize) -> Option<u64> {
    let bytes = input.get(pos..pos.checked_add(8)?)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline]
fn repeat_byte(b: u8) -> u64 {
    u64::from(b) * 0x0101_0101_0101_0101
}

/// `-?d+(Dd+)?` with at most 19 digits whose digits make an integer below 2^53 (`D` the
/// decimal separator): its value, whether it has a fraction, and where it ends.
///
/// The digits and the power of ten are then both exact as `f64`, so one division is
/// correctly rounded — the same value the full parsers give (Clinger's fast path).
#[inline]
fn short_decimal(input: &[u8], pos: usize, decimal: Option<u8>) -> Option<(f64, bool, usize)> {
    let negative = input.get(pos) == Some(&b'-');
    let int_start = pos + usize::from(negative);
    let (mut mantissa, mut end) = digits(input, int_start, 0);
    let int_digits = end - int_start;
    if int_digits == 0 {
        return None;
    }
    let mut fraction_digits = 0;
    if decimal.is_some() && input.get(end) == decimal.as_ref() {
        let fraction_start = end + 1;
        (mantissa, end) = digits(input, fraction_start, mantissa);
        fraction_digits = end - fraction_start;
        if fraction_digits == 0 {
            return None;
        }
    }
    if int_digits + fraction_digits > 19 || mantissa > 1 << 53 {
        return None;
    }
    let magnitude = mantissa as f64 / EXACT_POWERS_OF_TEN[fraction_digits];
    // The sign without a branch: it is as likely as not, so a branch would often mispredict.
    let value = f64::from_bits(magnitude.to_bits() | (u64::from(negative) << 63));
    Some((value, fraction_digits > 0, end))
}

/// Accumulate the ASCII digits from `pos` onto `mantissa` (wrapping: the caller limits the
/// count); returns it and where the digits stop.
#[inline]
fn digits(input: &[u8], mut pos: usize, mut mantissa: u64) -> (u64, usize) {
    // Up to eight digits at a time, without a branch per digit.
    while let Some(word) = word_at(input, pos) {
        let (value, count) = leading_digits(word);
        mantissa = mantissa
            .wrapping_mul(POWERS_OF_TEN[count])
            .wrapping_add(value);
        pos += count;
        if count < 8 {
            return (mantissa, pos);
        }
    }
    while let Some(&b) = input.get(pos) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
        pos += 1;
    }
    (mantissa, pos)
}

/// 10^i for the digit counts of [`leading_digits`].
const POWERS_OF_TEN: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The ASCII digits at the start of the eight bytes of `word` (first byte lowest): their
/// value and how many there are.
#[inline]
fn leading_digits(word: u64) -> (u64, usize) {
    let values = word.wrapping_sub(0x3030_3030_3030_3030);
    // A byte below '0' wraps in `values`; one above '9' carries into its high bit here.
    // Borrows and carries only move upwards, so the lowest flag marks the first non-digit.
    let non_digits = (word.wrapping_add(0x4646_4646_4646_4646) | values) & 0x8080_8080_8080_8080;
    let count = (non_digits.trailing_zeros() / 8) as usize;
    if count == 0 {
        return (0, 0);
    }
    // Keep the `count` digits, as the last ones of eight (the others become leading zeros).
    (eight_digits(values << (8 * (8 - count))), count)
}

/// The number written by eight digit values 0..=9, the first in the lowest byte (the
/// multiply-and-shift combination of pairs, then quads, from `fast_float`).
#[inline]
fn eight_digits(values: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 0x000F_4240_0000_0064;
    const MUL2: u64 = 0x0000_2710_0000_0001;
    let pairs = values.wrapping_mul(10).wrapping_add(values >> 8);
    let high = (pairs & MASK).wrapping_mul(MUL1);
    let low = ((pairs >> 16) & MASK).wrapping_mul(MUL2);
    u64::from((high.wrapping_add(low) >> 32) as u32)
}

/// One parsed record: unescaped field bytes laid end to end, and where each field ends.
#[derive(Clone, Copy)]
pub(crate) struct Record<'a> {
    bytes: &'a [u8],
    ends: &'a [usize],
    /// Bytes between one field's end and the next one's start (the delimiter, when the
    /// fields were split in place rather than unescaped by `csv-core`).
    gap: usize,
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, unescaped and untrimmed.
    pub(crate) fn field(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] + self.gap
        };
        &self.bytes[start..self.ends[i]]
    }

    /// The fields in order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.field(i))
    }

    /// A record of one field holding only whitespace: a blank line.
    pub(crate) fn is_blank(&self) -> bool {
        self.len() == 1 && trim(self.field(0)).is_empty()
    }
}

/// RFC 4180 records through `csv-core`, which unescapes quoted fields.
fn read_quoted_records(
    input: &[u8],
    delimiter: u8,
    mut visit: impl FnMut(Record<'_>, usize, usize) -> bool,
) {
    use csv_core::ReadRecordResult as R;
    let mut reader = csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv_core::Terminator::CRLF)
        .build();
    let mut out = vec![0u8; 1 << 12];
    let mut ends = vec![0usize; 64];
    let (mut pos, mut out_len, mut ends_len, mut record_start) = (0, 0, 0, 0);
    loop {
        let (result, n_in, n_out, n_ends) =
            reader.read_record(&input[pos..], &mut out[out_len..], &mut ends[ends_len..]);
        pos += n_in;
        out_len += n_out;
        ends_len += n_ends;
        match result {
            R::InputEmpty => {}
            R::OutputFull => out.resize(out.len() * 2, 0),
            R::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            R::Record => {
                let record = Record {
                    bytes: &out[..out_len],
                    ends: &ends[..ends_len],
                    gap: 0,
                };
                if !visit(record, record_start, pos - record_start) {
                    return;
                }
                out_len = 0;
                ends_len = 0;
                record_start = pos;
            }
            R::End => return,
        }
    }
}

/// Finds record boundaries in a stream of UTF-8 text with the same quoting rules as
/// `csv-core`: a quote opens a quoted field only at the start of a field, `""` inside
/// one is a literal quote, and newlines inside quotes do not end a record.
#[derive(Debug, Clone)]
pub(crate) struct RecordScanner {
    delimiter: u8,
    in_quote: bool,
    /// Last byte scanned (for "is this quote at the start of a field?").
    previous: u8,
    /// Newlines seen so far (the 0-based line of the scan position).
    pub lines: u64,
    /// Line where the currently open quoted field began.
    pub quote_line: u64,
}

impl RecordScanner {
    pub(crate) fn new(delimiter: u8) -> Self {
        RecordScanner {
            delimiter,
            in_quote: false,
            previous: b'\n',
            lines: 0,
            quote_line: 0,
        }
    }

    /// Whether the scan stopped inside a quoted field.
    pub(crate) fn in_quote(&self) -> bool {
        self.in_quote
    }

    /// Scan `text[from..]` like [`RecordScanner::scan`], but report only the last record
    /// end: `(where scanning stopped, Some((offset_after_newline, line_after)))`.
    ///
    /// Outside quotes every newline ends a record, so a stretch of text up to the next quote
    /// is handled at once: its newlines are counted and only the last one is looked at.
    /// Only quoted fields are walked quote by quote and newline by newline.
    pub(crate) fn scan_to_last(
        &mut self,
        text: &[u8],
        from: usize,
        eof: bool,
    ) -> (usize, Option<(usize, u64)>) {
        let mut last = None;
        let mut pos = from;
        if pos > 0 {
            self.previous = text[pos - 1];
        }
        loop {
            let found = if self.in_quote {
                memchr::memchr2(b'"', b'\n', &text[pos..])
            } else {
                let quote = memchr::memchr(b'"', &text[pos..]);
                let stretch = &text[pos..quote.map_or(text.len(), |i| pos + i)];
                if let Some(newline) = memchr::memrchr(b'\n', stretch) {
                    self.lines += memchr::memchr_iter(b'\n', stretch).count() as u64;
                    last = Some((pos + newline + 1, self.lines));
                }
                quote
            };
            let Some(found) = found else {
                if text.len() > pos {
                    self.previous = text[text.len() - 1];
                }
                return (text.len(), last);
            };
            let at = pos + found;
            let prev = if at > pos {
                text[at - 1]
            } else {
                self.previous
            };
            if text[at] == b'\n' {
                // Inside a quoted field: not a record end.
                self.lines += 1;
                pos = at + 1;
                self.previous = b'\n';
                continue;
            }
            if self.in_quote {
                match text.get(at + 1) {
                    Some(b'"') => {
                        pos = at + 2;
                        self.previous = b'"';
                        continue;
                    }
                    None if !eof => {
                        self.previous = prev;
                        return (at, last);
                    }
                    _ => self.in_quote = false,
                }
            } else if prev == self.delimiter || prev == b'\n' || prev == b'\r' {
                self.in_quote = true;
                self.quote_line = self.lines;
            }
            pos = at + 1;
            self.previous = b'"';
        }
    }

    /// Scan `text[from..]`, calling `boundary(offset_after_newline, line_after)` at every
    /// record end. Returns where scanning stopped: a quote as the very last byte cannot be
    /// judged until more text arrives, unless `eof`. (The plain reference that
    /// [`RecordScanner::scan_to_last`] is tested against.)
    #[cfg(test)]
    pub(crate) fn scan(
        &mut self,
        text: &[u8],
        from: usize,
        eof: bool,
        mut boundary: impl FnMut(usize, u64),
    ) -> usize {
        let mut pos = from;
        if pos > 0 {
            self.previous = text[pos - 1];
        }
        while let Some(found) = memchr::memchr2(b'"', b'\n', &text[pos..]) {
            let at = pos + found;
            let prev = if at > pos {
                text[at - 1]
            } else {
                self.previous
            };
            if text[at] == b'\n' {
                self.lines += 1;
                if !self.in_quote {
                    boundary(at + 1, self.lines);
                }
                pos = at + 1;
                self.previous = b'\n';
                continue;
            }
            if self.in_quote {
                match text.get(at + 1) {
                    Some(b'"') => {
                        pos = at + 2;
                        self.previous = b'"';
                        continue;
                    }
                    None if !eof => {
                        self.previous = prev;
                        return at;
                    }
                    _ => self.in_quote = false,
                }
            } else if prev == self.delimiter || prev == b'\n' || prev == b'\r' {
                self.in_quote = true;
                self.quote_line = self.lines;
            }
            pos = at + 1;
            self.previous = b'"';
        }
        if let Some(&last) = text.last() {
            if text.len() > pos {
                self.previous = last;
            }
        }
        text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::Random;

    #[test]
    fn missing_tokens_are_trimmed_like_cells() {
        let tokens = MissingTokens::new(&[" NA ".into(), "-999".into()]);
        assert!(tokens.contains(b"NA"));
        assert!(tokens.contains(b"-999"));
        assert!(tokens.contains(b""));
        assert!(!tokens.contains(b"NAN"));
        assert!(!tokens.contains(b"-99"));
    }

    fn config(plans: Vec<SinkPlan>) -> ParseConfig {
        ParseConfig {
            delimiter: b',',
            decimal_comma: false,
            missing: MissingTokens::new(&["".into(), "NA".into(), "-".into()]),
            plans,
            skip_ragged_rows: false,
        }
    }

    #[test]
    fn numbers_in_every_written_form() {
        assert_eq!(parse_number(b"-1.5e3", false), Some(-1500.0));
        assert_eq!(parse_number(b"1,200", false), Some(1200.0));
        assert_eq!(parse_number(b"-1,234,567.25", false), Some(-1234567.25));
        assert_eq!(parse_number(b"3,5", true), Some(3.5));
        assert_eq!(parse_number(b"1.234,5", true), Some(1234.5));
        assert_eq!(parse_number(b"12,34", false), None);
        assert_eq!(parse_number(b"1,2,3", true), None);
        assert_eq!(parse_number(b"abc", false), None);
        assert!(parse_number(b"inf", false).unwrap().is_infinite());
        assert!(parse_number(b"1e400", true).unwrap().is_infinite());
    }

    #[test]
    fn quoted_fields_with_newlines_and_doubled_quotes() {
        let cfg = config(vec![SinkPlan::Number { forced: false }, SinkPlan::Strings]);
        let out = parse_chunk(
            b"a,b\n1,\"x\ny\"\n\n2,\"say \"\"hi\"\"\"\r\n3,NA",
            &cfg,
            true,
        );
        assert_eq!(out.header, Some(vec!["a".to_string(), "b".to_string()]));
        let Sink::Strings(s) = &out.sinks[1] else {
            panic!("strings")
        };
        assert_eq!(s.levels, vec!["x\ny", "say \"hi\""]);
        assert_eq!(s.codes, vec![0, 1, MISSING_CODE]);
        let Sink::Number(n) = &out.sinks[0] else {
            panic!("numbers")
        };
        assert_eq!(n.values, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn ragged_records_are_reported_or_skipped() {
        let mut cfg = config(vec![SinkPlan::Strings, SinkPlan::Strings]);
        let text = b"a,b\nc\nd,e,f\ng,h\n";
        let out = parse_chunk(text, &cfg, false);
        let ragged = out.ragged.expect("ragged record");
        assert_eq!((ragged.offset, ragged.found), (4, 1));
        cfg.skip_ragged_rows = true;
        let out = parse_chunk(text, &cfg, false);
        assert_eq!(out.skipped_ragged, 2);
    }

    #[test]
    fn scanner_finds_only_record_ends_outside_quotes() {
        let text = b"a,\"x\ny\"\n5'11\",z\n\"q\"\"\n\"\nlast";
        let mut scanner = RecordScanner::new(b',');
        let mut ends = vec![];
        scanner.scan(text, 0, true, |offset, _| ends.push(offset));
        assert_eq!(ends, vec![8, 16, 23]);
        assert!(!scanner.in_quote());
    }

    #[test]
    fn eight_digits_at_a_time_agree_with_one_at_a_time() {
        let mut random = Random(7);
        for _ in 0..20_000 {
            let len = random.below(30);
            let text: Vec<u8> = (0..len)
                .map(|_| match random.below(10) {
                    0 => b'.',
                    1 => b'/',
                    2 => b':',
                    _ => b'0' + random.below(10) as u8,
                })
                .collect();
            let start = random.below(len + 1);
            let mut expected = (0_u64, start);
            while let Some(&b) = text.get(expected.1).filter(|b| b.is_ascii_digit()) {
                expected.0 = expected
                    .0
                    .wrapping_mul(10)
                    .wrapping_add(u64::from(b - b'0'));
                expected.1 += 1;
            }
            assert_eq!(
                digits(&text, start, 0),
                expected,
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn short_decimals_read_as_the_full_parser_reads_them() {
        let mut random = Random(11);
        for decimal_comma in [false, true] {
            let point = if decimal_comma { b',' } else { b'.' };
            for _ in 0..50_000 {
                let mut cell = Vec::new();
                if random.below(2) == 0 {
                    cell.push(b'-');
                }
                for _ in 0..random.below(12) {
                    cell.push(b'0' + random.below(10) as u8);
                }
                if random.below(3) > 0 {
                    cell.push(point);
                    for _ in 0..random.below(12) {
                        cell.push(b'0' + random.below(10) as u8);
                    }
                }
                let mut text = cell.clone();
                text.push(b';');
                match short_decimal(&text, 0, Some(point)) {
                    Some((value, fraction, end)) => {
                        assert_eq!(end, cell.len());
                        let full = parse_number(&cell, decimal_comma).expect("a number");
                        assert_eq!(
                            value.to_bits(),
                            full.to_bits(),
                            "{:?}",
                            String::from_utf8_lossy(&cell)
                        );
                        assert_eq!(fraction, cell.contains(&point));
                    }
                    None => {
                        // Only what the fast reading does not cover: no digits, an empty
                        // fraction, or too many digits.
                        let digits = cell.iter().filter(|b| b.is_ascii_digit()).count();
                        let empty_part = cell.first().is_none_or(|&b| b == point)
                            || cell.starts_with(b"-") && cell.get(1).is_none_or(|&b| b == point)
                            || cell.ends_with(&[point]);
                        assert!(
                            digits > 15 || empty_part,
                            "{:?}",
                            String::from_utf8_lossy(&cell)
                        );
                    }
                }
            }
        }
        assert_eq!(
            short_decimal(b"9007199254740993", 0, Some(b'.')),
            None,
            "above 2^53"
        );
        assert_eq!(short_decimal(b"+5", 0, Some(b'.')), None);
        assert_eq!(short_decimal(b"5.", 0, Some(b'.')), None);
        let (minus_zero, ..) = short_decimal(b"-0.0", 0, Some(b'.')).expect("a number");
        assert!(minus_zero == 0.0 && minus_zero.is_sign_negative());
    }

    /// The general path alone: every record through `ChunkBuilder::record`.
    fn parse_general(input: &[u8], cfg: &ParseConfig, take_header: bool) -> ChunkOutput {
        let mut chunk = ChunkBuilder {
            cfg,
            want_header: take_header,
            output: ChunkOutput {
                sinks: cfg.plans.iter().map(|&p| Sink::new(p, 0)).collect(),
                skipped_ragged: 0,
                ragged: None,
                invalid_utf8: false,
                header: None,
            },
        };
        for_each_record(input, cfg.delimiter, |record, offset, len| {
            chunk.record(record, offset, len)
        });
        chunk.output
    }

    /// Everything a chunk's output says, comparable (NaN payloads and signs included).
    fn summary(output: &ChunkOutput) -> String {
        let sinks: Vec<String> = output
            .sinks
            .iter()
            .map(|sink| match sink {
                Sink::Number(n) => format!(
                    "{:?} {} {} {} {:?}",
                    n.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    n.fractional,
                    n.non_finite,
                    n.unparsed,
                    n.first_unparsed
                ),
                Sink::Strings(s) => format!("{:?} {:?}", s.levels, s.codes),
            })
            .collect();
        format!(
            "{sinks:?} skipped {} ragged {:?} invalid {} header {:?}",
            output.skipped_ragged, output.ragged, output.invalid_utf8, output.header
        )
    }

    #[test]
    fn plain_text_reads_as_the_general_path_reads_it() {
        let numbers = [
            "",
            " ",
            "1",
            "-0",
            "0",
            "12.5",
            "-3.25",
            "007",
            "1e5",
            " 4.5 ",
            "NA",
            "-",
            "nan",
            "inf",
            "1,234.5",
            "x",
            "0.1000000000000000055511",
            "9007199254740993",
            "5.",
            ".5",
            "+5",
            "3,5",
            "1.234,5",
            "\t2\t",
        ];
        let texts = [
            "",
            "a",
            "b",
            " c ",
            "NA",
            "yes",
            "no",
            "caf\u{e9}",
            "\u{fffd}",
        ];
        let mut random = Random(3);
        for round in 0..400 {
            let delimiter = [b',', b';', b'\t'][round % 3];
            let decimal_comma = delimiter == b';' && round % 2 == 0;
            let columns = 1 + random.below(5);
            let plans: Vec<SinkPlan> = (0..columns)
                .map(|_| match random.below(3) {
                    0 => SinkPlan::Strings,
                    _ => SinkPlan::Number { forced: false },
                })
                .collect();
            let tokens: Vec<String> = match round % 4 {
                0 => vec!["".into(), "NA".into(), "-".into()],
                1 => vec!["0".into(), " NA".into(), "-".into()],
                2 => vec!["12.5".into(), "x".into()],
                _ => vec![],
            };
            let cfg = ParseConfig {
                delimiter,
                decimal_comma,
                missing: MissingTokens::new(&tokens),
                plans: plans.clone(),
                skip_ragged_rows: round % 5 != 0,
            };
            let line_end = if round % 3 == 0 { "\r\n" } else { "\n" };
            let mut text = String::new();
            for line in 0..random.below(40) {
                if random.below(15) == 0 {
                    text.push_str(random.pick(&["", " ", "\t"]));
                } else {
                    // Now and then one field too few or too many.
                    let fields = match random.below(20) {
                        0 => columns.saturating_sub(1),
                        1 => columns + 1,
                        _ => columns,
                    };
                    for field in 0..fields {
                        if field > 0 {
                            text.push(delimiter as char);
                        }
                        let cell = match plans.get(field) {
                            Some(SinkPlan::Strings) => random.pick(&texts),
                            _ => random.pick(&numbers),
                        };
                        text.push_str(&cell.replace(delimiter as char, ""));
                    }
                }
                if line + 1 < 40 || random.below(2) == 0 {
                    text.push_str(line_end);
                }
            }
            let mut bytes = text.into_bytes();
            if round % 7 == 0 {
                bytes.extend_from_slice(b"9\xff\n");
            }
            for take_header in [false, true] {
                let fast = parse_chunk(&bytes, &cfg, take_header);
                let general = parse_general(&bytes, &cfg, take_header);
                assert_eq!(
                    summary(&fast),
                    summary(&general),
                    "{:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }

    #[test]
    fn separators_are_every_delimiter_and_newline() {
        let mut random = Random(5);
        for _ in 0..500 {
            let len = random.below(300);
            let text: Vec<u8> = (0..len)
                .map(|_| [b'a', b',', b'\n', b'\r', 0, 0xFF][random.below(6)])
                .collect();
            for delimiter in [b',', 0] {
                let mut expected: Vec<u32> = (0..len)
                    .filter(|&i| text[i] == delimiter || text[i] == b'\n')
                    .map(|i| i as u32)
                    .collect();
                if text.last().is_some_and(|&b| b != b'\n') {
                    expected.push(len as u32);
                }
                let mut separators = Separators::new(&text, delimiter).expect("short text");
                let mut found = Vec::new();
                while let Some(&position) = separators.peek(1).first() {
                    found.push(position);
                    separators.consume(1);
                }
                assert_eq!(found, expected);
            }
        }
    }

    #[test]
    fn both_separator_masks_agree() {
        let mut random = Random(11);
        for _ in 0..2000 {
            let block: [u8; 64] =
                std::array::from_fn(|_| [b'a', b',', b'\n', b';', 0, 0x80, 0xFF][random.below(7)]);
            for delimiter in [b',', b';', 0, 0xFF] {
                let expected = (0..64)
                    .filter(|&i| block[i] == delimiter || block[i] == b'\n')
                    .fold(0_u64, |mask, i| mask | 1 << i);
                assert_eq!(separator_mask(&block, delimiter), expected);
                assert_eq!(portable_separator_mask(&block, delimiter), expected);
            }
        }
    }

    #[test]
    fn scanning_for_the_last_record_end_agrees_with_scanning_for_all() {
        let mut random = Random(9);
        for _ in 0..3000 {
            let len = random.below(60);
            let text: Vec<u8> = (0..len)
                .map(|_| [b'a', b',', b'\n', b'"', b'\r'][random.below(5)])
                .collect();
            let (mut quick, mut plain) = (RecordScanner::new(b','), RecordScanner::new(b','));
            // Feed the text in growing pieces, as the reader does.
            let (mut from, mut cut) = (0, 0);
            while cut < len {
                cut = (cut + 1 + random.below(20)).min(len);
                let eof = cut == len;
                let mut last = None;
                let stopped = plain.scan(&text[..cut], from, eof, |end, line| {
                    last = Some((end, line))
                });
                assert_eq!(quick.scan_to_last(&text[..cut], from, eof), (stopped, last));
                assert_eq!(
                    (
                        quick.in_quote,
                        quick.previous,
                        quick.lines,
                        quick.quote_line
                    ),
                    (
                        plain.in_quote,
                        plain.previous,
                        plain.lines,
                        plain.quote_line
                    ),
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
                from = stopped;
            }
        }
    }

    #[test]
    fn missing_tokens_match_trimmed_cells_exactly() {
        let tokens: Vec<String> = ["", "NA", " x", "-", "n/a ", "0"]
            .iter()
            .map(|t| t.to_string())
            .collect();
        let missing = MissingTokens::new(&tokens);
        for cell in [
            "", "NA", "x", " x", "-", "--", "n/a", "n/a ", "0", "00", "N", "NAN",
        ] {
            let cell = cell.as_bytes();
            // Cells arrive trimmed; a cell is missing when empty or equal to a trimmed token.
            let expected = cell.is_empty() || tokens.iter().any(|t| t.trim().as_bytes() == cell);
            assert_eq!(
                missing.contains(cell),
                expected,
                "{:?}",
                String::from_utf8_lossy(cell)
            );
        }
    }

    #[test]
    fn scanner_waits_for_the_byte_after_a_closing_quote() {
        let mut scanner = RecordScanner::new(b',');
        let mut ends = vec![];
        let text = b"\"a\"\"";
        let stopped = scanner.scan(&text[..2], 0, false, |o, _| ends.push(o));
        assert_eq!(stopped, 2);
        scanner.scan(text, stopped, false, |o, _| ends.push(o));
        assert!(scanner.in_quote(), "doubled quote keeps the field open");
    }
}
