//! Numbers and booleans as written in cells: the general reading (plain, decimal comma,
//! thousands groups, `inf`), and the fast reading of short decimals eight digits at a time.

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

/// `-?d+(Dd+)?` with at most 19 digits whose digits make an integer below 2^53 (`D` the
/// decimal separator): its value, whether it has a fraction, and where it ends.
///
/// The digits and the power of ten are then both exact as `f64`, so one division is
/// correctly rounded — the same value the full parsers give (Clinger's fast path).
#[inline]
pub(super) fn short_decimal(
    input: &[u8],
    pos: usize,
    decimal: Option<u8>,
) -> Option<(f64, bool, usize)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::Random;

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
}
