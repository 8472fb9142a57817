//! Record-level parsing: the records of an in-memory chunk of UTF-8 text into per-column
//! sinks. This module takes each record (header, blank, ragged or data); how a chunk is cut
//! into records lives beside it: `plain_text` for text without quotes, `quoted_text` for
//! RFC 4180 records through `csv-core` (and the scanner that finds safe chunk boundaries).
//! `column_sinks`, `numbers` and `missing_tokens` hold the columns and read the cells.
//!
//! Most chunks hold no quotes at all. Their lines are cut at separators found eight bytes at
//! a time, and number cells written as short decimals are read on the spot; every other
//! record and cell goes the general way, so both ways give the same columns.

mod column_sinks;
mod missing_tokens;
mod numbers;
mod plain_text;
mod quoted_text;

pub(crate) use column_sinks::{NumberSink, Sink, SinkPlan, StringSink};
pub(crate) use missing_tokens::MissingTokens;
pub(crate) use numbers::{parse_bool, parse_number};
pub(crate) use quoted_text::RecordScanner;

use plain_text::{parse_plain, split_plain_records};
use quoted_text::read_quoted_records;

/// Everything the record parser needs to know, shared by all chunks of one import.
#[derive(Debug, Clone)]
pub(crate) struct ParseConfig {
    pub delimiter: u8,
    pub decimal_comma: bool,
    pub missing: MissingTokens,
    pub plans: Vec<SinkPlan>,
    pub skip_ragged_rows: bool,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::column::MISSING_CODE;
    use crate::test_random::Random;

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
}
