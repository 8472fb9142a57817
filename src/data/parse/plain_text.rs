//! Plain text (no quotes, every carriage return ending a line): each line is a record whose
//! fields are cut at the delimiters in place. Ordinary lines go straight into the sinks, cut
//! at separators found 64 bytes at a time (SSE2 on x86-64, a portable word-at-a-time scan
//! elsewhere); every other line goes the general way.

use super::column_sinks::{NumberCell, Sink};
use super::numbers::short_decimal;
use super::{trim, ChunkBuilder, ChunkOutput, ParseConfig, Record};

/// Records of plain text (see [`is_plain`](super::is_plain)). Ordinary lines (the planned
/// number of fields, at least two) go straight into the sinks, cut at the separators
/// [`Separators`] finds; anything else (the header, blank lines, records with the wrong
/// number of fields, a single column) goes through [`ChunkBuilder::record`], like text in
/// the general path.
// Inlined into `parse_chunk_into`, with `fast_line` inlined into it, as when they shared a
// file: as separate functions the import took about 4 % more instructions (callgrind).
#[inline]
pub(super) fn parse_plain(input: &[u8], chunk: &mut ChunkBuilder<'_>) {
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
#[inline(always)]
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
// Still pays (2026-11-30, `inspect` of the 1M-row benchmark file, against the same build
// with the portable version): 8.82 G instructions against 9.23 G (callgrind, -4.5 %), median
// wall 1.02 s against 1.08 s (9 interleaved runs).
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
pub(super) fn split_plain_records(
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

#[cfg(any(not(target_arch = "x86_64"), test))]
#[inline]
fn repeat_byte(b: u8) -> u64 {
    u64::from(b) * 0x0101_0101_0101_0101
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::Random;

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
}
