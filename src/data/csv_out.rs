//! Writing CSV: the one writer every export and "Copy as CSV" uses, on the `csv` crate.
//! Fields are quoted when they hold a separator, a quote or a line break (RFC 4180), and a
//! field a spreadsheet would run as a formula (one beginning with `=`, `+`, `-`, `@`, a tab
//! or a carriage return) is written with a leading `'`, as OWASP advises against CSV
//! injection — except a plain number such as `-1.5` or `-3e-5`, which stays a number.

use std::io;

/// A CSV writer: `,` between fields, `\n` after each record.
pub struct CsvWriter<W: io::Write> {
    inner: csv::Writer<W>,
    /// Where a guarded field is built, reused from field to field.
    guarded: String,
}

impl<W: io::Write> CsvWriter<W> {
    /// A writer into `out`, which it buffers itself.
    pub fn new(out: W) -> CsvWriter<W> {
        CsvWriter {
            inner: csv::WriterBuilder::new()
                .flexible(true)
                .buffer_capacity(64 * 1024)
                .from_writer(out),
            guarded: String::new(),
        }
    }

    /// Write one field of the current record.
    pub fn field(&mut self, text: &str) -> io::Result<()> {
        if runs_as_formula(text) {
            self.guarded.clear();
            self.guarded.push('\'');
            self.guarded.push_str(text);
            self.inner.write_field(&self.guarded)?;
        } else {
            self.inner.write_field(text)?;
        }
        Ok(())
    }

    /// End the current record.
    pub fn end_record(&mut self) -> io::Result<()> {
        self.inner.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Write a whole record.
    pub fn record<I>(&mut self, fields: I) -> io::Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        for field in fields {
            self.field(field.as_ref())?;
        }
        self.end_record()
    }

    /// Flush what is buffered and hand back the destination.
    pub fn finish(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// CSV text built in memory, for the clipboard and for files written in one go.
pub struct CsvText(CsvWriter<Vec<u8>>);

impl Default for CsvText {
    fn default() -> Self {
        CsvText::new()
    }
}

impl CsvText {
    /// Empty text.
    pub fn new() -> CsvText {
        CsvText(CsvWriter::new(Vec::new()))
    }

    /// Write one field of the current record.
    pub fn field(&mut self, text: &str) {
        // Writing into memory cannot fail, and the writer accepts records of any length.
        let _ = self.0.field(text);
    }

    /// End the current record.
    pub fn end_record(&mut self) {
        let _ = self.0.end_record();
    }

    /// Write a whole record.
    pub fn record<I>(&mut self, fields: I)
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let _ = self.0.record(fields);
    }

    /// The text written.
    pub fn finish(self) -> String {
        let bytes = self.0.finish().unwrap_or_default();
        // Every field came in as `&str`, and the writer adds only ASCII.
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }
}

/// Whether a spreadsheet would take `text` for a formula: it begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return, and is not a plain number.
fn runs_as_formula(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(&text[1..]),
        _ => false,
    }
}

/// Digits with at most one decimal point and an optional exponent: `1.5`, `.5`, `3e-5`.
fn is_plain_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |n| from + n)
    };
    let whole_end = digits(0);
    let mut end = whole_end;
    let mut fraction = 0;
    if bytes.get(end) == Some(&b'.') {
        let fraction_end = digits(end + 1);
        fraction = fraction_end - end - 1;
        end = fraction_end;
    }
    if whole_end == 0 && fraction == 0 {
        return false;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut exponent = end + 1;
        if matches!(bytes.get(exponent), Some(b'+' | b'-')) {
            exponent += 1;
        }
        end = digits(exponent);
        if end == exponent {
            return false;
        }
    }
    end == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fields: &[&str]) -> String {
        let mut out = CsvText::new();
        out.record(fields);
        out.finish()
    }

    #[test]
    fn fields_with_separators_quotes_or_line_breaks_are_quoted() {
        assert_eq!(
            line(&["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""]),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\n"
        );
    }

    #[test]
    fn what_a_spreadsheet_would_run_is_written_as_text() {
        assert_eq!(
            line(&["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "-", "a=b"]),
            "'=1+2,'+cmd,'-2+3,'@SUM(A1),'\tx,'-,a=b\n"
        );
        // The guard and the quoting together: the quote mark sits inside the quotes.
        assert_eq!(
            line(&["=HYPERLINK(\"x\",\"y\")"]),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\n"
        );
        assert_eq!(line(&["\rnext"]), "\"'\rnext\"\n");
        assert_eq!(line(&["=A1"]), "'=A1\n");
    }

    #[test]
    fn negative_and_signed_numbers_stay_numbers() {
        assert_eq!(
            line(&["-1.5", "-3e-5", "+2", "-.5", "-7.", "-1E+10", "-0"]),
            "-1.5,-3e-5,+2,-.5,-7.,-1E+10,-0\n"
        );
        for text in [
            "-.", "-e5", "-1e", "-1e+", "-1.2.3", "-1,5", "- 1", "-inf", "-NaN",
        ] {
            assert!(runs_as_formula(text), "{text}");
        }
    }

    #[test]
    fn records_go_to_any_writer() {
        let mut out = CsvWriter::new(Vec::new());
        out.record(["a", "b"]).unwrap();
        out.field("1").unwrap();
        out.field("-2").unwrap();
        out.end_record().unwrap();
        assert_eq!(out.finish().unwrap(), b"a,b\n1,-2\n");
    }
}
