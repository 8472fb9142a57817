//! Dialect sniffing from a sample of decoded text: delimiter, header, decimal comma.

use super::parse::{for_each_record, parse_number, trim, MissingTokens};

/// Delimiters tried when the user did not choose one.
pub(crate) const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Records looked at when sniffing.
const SNIFF_RECORDS: usize = 200;

/// The first records of a sample split with one delimiter, blank lines left out.
fn sample_records(text: &[u8], delimiter: u8, limit: usize) -> Vec<Vec<Vec<u8>>> {
    let mut records = Vec::new();
    for_each_record(text, delimiter, |record, _, _| {
        if !record.is_blank() {
            records.push(record.fields().map(|f| trim(f).to_vec()).collect());
        }
        records.len() < limit
    });
    records
}

/// The delimiter whose field counts are most consistent (ties: more fields wins).
pub(crate) fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut best = (b',', 0.0_f64, 1_usize);
    for &delimiter in &CANDIDATE_DELIMITERS {
        let records = sample_records(text, delimiter, SNIFF_RECORDS);
        if records.is_empty() {
            continue;
        }
        let mut counts: Vec<usize> = records.iter().map(Vec::len).collect();
        counts.sort_unstable();
        let (mode, mode_count) = mode_of(&counts);
        if mode < 2 {
            continue;
        }
        let consistency = mode_count as f64 / counts.len() as f64;
        let better =
            consistency > best.1 + 1e-9 || ((consistency - best.1).abs() <= 1e-9 && mode > best.2);
        if better {
            best = (delimiter, consistency, mode);
        }
    }
    best.0
}

fn mode_of(sorted: &[usize]) -> (usize, usize) {
    let mut best = (sorted[0], 0);
    let mut run = (sorted[0], 0);
    for &c in sorted {
        if c == run.0 {
            run.1 += 1;
        } else {
            run = (c, 1);
        }
        if run.1 > best.1 {
            best = run;
        }
    }
    best
}

/// Decimal comma when, in a file not separated by commas, more cells look like `3,5` than `3.5`.
pub(crate) fn sniff_decimal_comma(text: &[u8], delimiter: u8) -> bool {
    if delimiter == b',' {
        return false;
    }
    let (mut comma, mut point) = (0, 0);
    for record in sample_records(text, delimiter, SNIFF_RECORDS) {
        for cell in record {
            match decimal_mark(&cell) {
                Some(b',') => comma += 1,
                Some(_) => point += 1,
                None => {}
            }
        }
    }
    comma > point
}

/// For `[+-]digits MARK digits`, the mark.
fn decimal_mark(cell: &[u8]) -> Option<u8> {
    let body = cell.strip_prefix(b"-").unwrap_or(cell);
    let at = body.iter().position(|&b| b == b',' || b == b'.')?;
    let (int, frac) = (&body[..at], &body[at + 1..]);
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    (digits(int) && digits(frac)).then_some(body[at])
}

/// A header is present unless the first record holds numbers where the body holds numbers.
/// A file of one record is taken as a header only.
pub(crate) fn sniff_header(
    text: &[u8],
    delimiter: u8,
    decimal_comma: bool,
    missing: &MissingTokens,
) -> bool {
    let records = sample_records(text, delimiter, SNIFF_RECORDS);
    let Some((first, body)) = records.split_first() else {
        return true;
    };
    if body.is_empty() {
        return true;
    }
    let is_number = |cell: &[u8]| parse_number(cell, decimal_comma).is_some();
    let (mut header_votes, mut data_votes) = (0, 0);
    for (column, head) in first.iter().enumerate() {
        let mut values = body
            .iter()
            .filter_map(|r| r.get(column))
            .filter(|c| !missing.contains(c))
            .peekable();
        if values.peek().is_none() {
            continue;
        }
        if !values.all(|c| is_number(c)) {
            continue;
        }
        if is_number(head) {
            data_votes += 1;
        } else {
            header_votes += 1;
        }
    }
    header_votes >= data_votes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing() -> MissingTokens {
        MissingTokens::new(&["".into(), "NA".into()])
    }

    #[test]
    fn picks_the_consistent_delimiter() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n4;5,5;6\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n\"1,200\"|2\n"), b'|');
        assert_eq!(sniff_delimiter(b"a,b\n\"x;y\",2\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n1\n2\n"), b',');
    }

    #[test]
    fn decimal_comma_only_when_it_dominates() {
        assert!(sniff_decimal_comma(b"a;b\n3,5;1\n2,25;7\n", b';'));
        assert!(!sniff_decimal_comma(b"a;b\n3.5;1\n2.25;7\n", b';'));
        assert!(!sniff_decimal_comma(b"a,b\n\"3,5\",1\n", b','));
    }

    #[test]
    fn header_is_told_from_data() {
        assert!(sniff_header(b"x,y\n1,2\n3,4\n", b',', false, &missing()));
        assert!(!sniff_header(b"1,2\n3,4\n", b',', false, &missing()));
        assert!(sniff_header(
            b"name,city\nann,rome\n",
            b',',
            false,
            &missing()
        ));
        assert!(sniff_header(b",a\n1,2\n", b',', false, &missing()));
        assert!(sniff_header(b"only,header\n", b',', false, &missing()));
    }
}
