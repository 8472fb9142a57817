//! Text with quotes: RFC 4180 records through `csv-core`, which unescapes quoted fields,
//! and the quote-aware scanner that finds record ends, so that chunks are cut only there.

use super::Record;

/// RFC 4180 records through `csv-core`, which unescapes quoted fields.
pub(super) fn read_quoted_records(
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
            if text[at] == b'\n' {
                // Inside a quoted field: not a record end.
                self.lines += 1;
                pos = at + 1;
                self.previous = b'\n';
                continue;
            }
            let Some(next) = self.step_over_quote(text, pos, at, eof) else {
                return (at, last);
            };
            pos = next;
        }
    }

    /// Step over the quote at `text[at]`, scanning on from `pos`: it opens a quoted field
    /// (at the start of a field), is the first of a doubled quote inside one, or closes it.
    /// Returns where to scan on; `None` when a quote inside a quoted field is the very last
    /// byte and more text may come, so that `""` cannot yet be told from a closing `"`.
    #[inline]
    fn step_over_quote(&mut self, text: &[u8], pos: usize, at: usize, eof: bool) -> Option<usize> {
        let prev = if at > pos {
            text[at - 1]
        } else {
            self.previous
        };
        if self.in_quote {
            match text.get(at + 1) {
                Some(b'"') => {
                    self.previous = b'"';
                    return Some(at + 2);
                }
                None if !eof => {
                    self.previous = prev;
                    return None;
                }
                _ => self.in_quote = false,
            }
        } else if prev == self.delimiter || prev == b'\n' || prev == b'\r' {
            self.in_quote = true;
            self.quote_line = self.lines;
        }
        self.previous = b'"';
        Some(at + 1)
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
            if text[at] == b'\n' {
                self.lines += 1;
                if !self.in_quote {
                    boundary(at + 1, self.lines);
                }
                pos = at + 1;
                self.previous = b'\n';
                continue;
            }
            let Some(next) = self.step_over_quote(text, pos, at, eof) else {
                return at;
            };
            pos = next;
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
    fn scanner_finds_only_record_ends_outside_quotes() {
        let text = b"a,\"x\ny\"\n5'11\",z\n\"q\"\"\n\"\nlast";
        let mut scanner = RecordScanner::new(b',');
        let mut ends = vec![];
        scanner.scan(text, 0, true, |offset, _| ends.push(offset));
        assert_eq!(ends, vec![8, 16, 23]);
        assert!(!scanner.in_quote());
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
