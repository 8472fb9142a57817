//! Record-level parsing: RFC 4180 records (via `csv-core`) from an in-memory chunk of UTF-8
//! text into per-column sinks, and the quote-aware scanner that finds safe chunk boundaries.

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
}

impl MissingTokens {
    pub(crate) fn new(tokens: &[String]) -> Self {
        let mut first_bytes = vec![false; 256];
        for token in tokens {
            if let Some(&b) = token.as_bytes().first() {
                first_bytes[b as usize] = true;
            }
        }
        MissingTokens {
            tokens: tokens
                .iter()
                .map(|t| t.trim().as_bytes().to_vec())
                .collect(),
            first_bytes,
        }
    }

    /// Whether a trimmed cell is missing. Empty cells always are.
    pub(crate) fn contains(&self, cell: &[u8]) -> bool {
        match cell.first() {
            None => true,
            Some(&b) if !self.first_bytes[b as usize] => false,
            Some(_) => self.tokens.iter().any(|t| t == cell),
        }
    }
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
                if cfg.missing.contains(cell) {
                    sink.values.push(f64::NAN);
                    return true;
                }
                match parse_number(cell, cfg.decimal_comma) {
                    Some(v) if v.is_finite() => {
                        if !sink.fractional && v.fract() != 0.0 {
                            sink.fractional = true;
                        }
                        sink.values.push(v);
                    }
                    Some(v) if v.is_nan() => sink.values.push(f64::NAN),
                    Some(_) => {
                        sink.non_finite += 1;
                        sink.values.push(f64::NAN);
                    }
                    None => {
                        sink.unparsed += 1;
                        if sink.first_unparsed.is_none() {
                            sink.first_unparsed = Some(String::from_utf8_lossy(cell).into_owned());
                        }
                        sink.values.push(f64::NAN);
                    }
                }
                true
            }
            Sink::Strings(sink) => {
                if cfg.missing.contains(cell) {
                    sink.codes.push(MISSING_CODE);
                    return true;
                }
                let (text, valid) = match std::str::from_utf8(cell) {
                    Ok(text) => (std::borrow::Cow::Borrowed(text), true),
                    Err(_) => (String::from_utf8_lossy(cell), false),
                };
                let code = sink.code_of(&text);
                sink.codes.push(code);
                valid
            }
        }
    }

    /// Append a later chunk's cells to this column.
    pub(crate) fn append(&mut self, other: Sink) {
        match (self, other) {
            (Sink::Number(a), Sink::Number(b)) => {
                a.values.extend_from_slice(&b.values);
                a.fractional |= b.fractional;
                a.non_finite += b.non_finite;
                a.unparsed += b.unparsed;
                if a.first_unparsed.is_none() {
                    a.first_unparsed = b.first_unparsed;
                }
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
    let estimate = memchr::memchr_iter(b'\n', input).count() + 1;
    let mut output = ChunkOutput {
        sinks: cfg.plans.iter().map(|&p| Sink::new(p, estimate)).collect(),
        skipped_ragged: 0,
        ragged: None,
        invalid_utf8: false,
        header: None,
    };
    let mut want_header = take_header;
    for_each_record(input, cfg.delimiter, |record, offset, len| {
        if record.is_blank() {
            return true;
        }
        if want_header {
            want_header = false;
            output.header = Some(
                record
                    .fields()
                    .map(|f| String::from_utf8_lossy(trim(f)).into_owned())
                    .collect(),
            );
            return true;
        }
        if record.len() != cfg.plans.len() {
            if cfg.skip_ragged_rows {
                output.skipped_ragged += 1;
                return true;
            }
            output.ragged = Some(RaggedRecord {
                offset,
                len,
                found: record.len(),
            });
            return false;
        }
        for (sink, field) in output.sinks.iter_mut().zip(record.fields()) {
            if !sink.push(trim(field), cfg) {
                output.invalid_utf8 = true;
            }
        }
        true
    });
    output
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

/// Call `visit(record, offset, raw_len)` for each record of `input` until it returns false.
/// Empty lines are not records.
pub(crate) fn for_each_record(
    input: &[u8],
    delimiter: u8,
    visit: impl FnMut(Record<'_>, usize, usize) -> bool,
) {
    let crlf_only = || memchr::memchr_iter(b'\r', input).all(|i| input.get(i + 1) == Some(&b'\n'));
    if memchr::memchr(b'"', input).is_none() && crlf_only() {
        split_plain_records(input, delimiter, visit);
    } else {
        read_quoted_records(input, delimiter, visit);
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
        let newline = memchr::memchr(b'\n', &input[start..]).map_or(input.len(), |i| start + i);
        let next = (newline + 1).min(input.len());
        let mut line = &input[start..newline];
        if let Some(stripped) = line.strip_suffix(b"\r") {
            line = stripped;
        }
        if !line.is_empty() {
            ends.clear();
            ends.extend(memchr::memchr_iter(delimiter, line));
            ends.push(line.len());
            let record = Record {
                bytes: line,
                ends: &ends,
                gap: 1,
            };
            if !visit(record, start, next - start) {
                return;
            }
        }
        start = next;
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

    /// Scan `text[from..]`, calling `boundary(offset_after_newline, line_after)` at every
    /// record end. Returns where scanning stopped: a quote as the very last byte cannot be
    /// judged until more text arrives, unless `eof`.
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
