//! Text encodings: byte-order marks, the UTF-8 / Windows-1252 decision, binary detection,
//! and a streaming decoder that turns any supported encoding into UTF-8 blocks.

use serde::{Deserialize, Serialize};

/// How the bytes of a file are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Encoding {
    /// Byte-order mark if there is one, else UTF-8, else Windows-1252.
    #[default]
    Auto,
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl Encoding {
    /// Every choice, in picker order.
    pub const ALL: [Encoding; 5] = [
        Encoding::Auto,
        Encoding::Utf8,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Windows1252,
    ];

    /// The name the user sees.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Auto => "Detect",
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// Resolve `Auto` from the first bytes of a file. `complete` says the sample is the whole file,
/// so a multi-byte character cut at its end is an error rather than a truncation.
pub(crate) fn detect_encoding(sample: &[u8], complete: bool) -> Encoding {
    if sample.starts_with(&UTF8_BOM) {
        return Encoding::Utf8;
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16Le;
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16Be;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => Encoding::Utf8,
        // The sample ends in the middle of a character: the rest decides, assume UTF-8.
        Err(e) if e.error_len().is_none() && !complete => Encoding::Utf8,
        Err(_) => Encoding::Windows1252,
    }
}

/// Whether decoded text looks like a binary file rather than CSV: NUL bytes, or more than
/// 2% control characters other than tab and line ends.
pub(crate) fn looks_binary(text: &[u8]) -> bool {
    if memchr::memchr(0, text).is_some() {
        return true;
    }
    let control = text
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C) || b == 0x7F)
        .count();
    control * 50 > text.len()
}

/// The UTF-8 byte-order mark.
const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Turns raw file blocks into UTF-8, removing a byte-order mark.
pub(crate) struct StreamDecoder {
    inner: Inner,
}

enum Inner {
    /// UTF-8: bytes pass through; `bom_pending` until the first block was seen.
    Utf8 {
        bom_pending: bool,
    },
    Other(Box<encoding_rs::Decoder>),
}

impl StreamDecoder {
    /// A decoder for a resolved (not `Auto`) encoding.
    pub(crate) fn new(encoding: Encoding) -> Self {
        let inner = match encoding {
            Encoding::Auto | Encoding::Utf8 => Inner::Utf8 { bom_pending: true },
            Encoding::Utf16Le => Inner::Other(Box::new(
                encoding_rs::UTF_16LE.new_decoder_with_bom_removal(),
            )),
            Encoding::Utf16Be => Inner::Other(Box::new(
                encoding_rs::UTF_16BE.new_decoder_with_bom_removal(),
            )),
            Encoding::Windows1252 => Inner::Other(Box::new(
                encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
            )),
        };
        StreamDecoder { inner }
    }

    /// Whether the text is the file's bytes themselves (UTF-8), so that blocks can be read
    /// straight into place and only [`StreamDecoder::skip_bom`] applies.
    pub(crate) fn passes_through(&self) -> bool {
        matches!(self.inner, Inner::Utf8 { .. })
    }

    /// For a decoder that passes bytes through: how many leading bytes of this block to drop
    /// (a byte-order mark at the very start). [`StreamDecoder::decode`] does the same.
    pub(crate) fn skip_bom(&mut self, block: &[u8]) -> usize {
        match &mut self.inner {
            Inner::Utf8 { bom_pending } if *bom_pending && !block.is_empty() => {
                *bom_pending = false;
                if block.starts_with(&UTF8_BOM) {
                    UTF8_BOM.len()
                } else {
                    0
                }
            }
            _ => 0,
        }
    }

    /// Append the UTF-8 text of `input` to `out`; `last` flushes a trailing partial character.
    pub(crate) fn decode(&mut self, input: &[u8], last: bool, out: &mut Vec<u8>) {
        let skip = self.skip_bom(input);
        match &mut self.inner {
            Inner::Utf8 { .. } => out.extend_from_slice(&input[skip..]),
            Inner::Other(decoder) => {
                let needed = decoder
                    .max_utf8_buffer_length(input.len())
                    .unwrap_or(input.len() * 3 + 16);
                let start = out.len();
                out.resize(start + needed, 0);
                let (_, _, written, _) = decoder.decode_to_utf8(input, &mut out[start..], last);
                out.truncate(start + written);
            }
        }
    }
}

/// Decode a whole buffer at once.
pub(crate) fn decode_all(encoding: Encoding, bytes: &[u8], last: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    StreamDecoder::new(encoding).decode(bytes, last, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_decide_the_encoding() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFa,b", true), Encoding::Utf8);
        assert_eq!(detect_encoding(b"\xFF\xFEa\0", true), Encoding::Utf16Le);
        assert_eq!(detect_encoding(b"\xFE\xFF\0a", true), Encoding::Utf16Be);
        assert_eq!(
            detect_encoding("caf\u{e9}".as_bytes(), true),
            Encoding::Utf8
        );
        assert_eq!(detect_encoding(b"caf\xE9", true), Encoding::Windows1252);
        // A sample cut inside a character is not proof of Windows-1252.
        assert_eq!(detect_encoding(&"é".as_bytes()[..1], false), Encoding::Utf8);
    }

    #[test]
    fn decodes_utf16_and_windows_1252_to_utf8() {
        assert_eq!(
            decode_all(Encoding::Utf16Le, b"\xFF\xFEa\0,\0\xE9\0", true),
            "a,é".as_bytes()
        );
        assert_eq!(
            decode_all(Encoding::Windows1252, b"caf\xE9", true),
            "café".as_bytes()
        );
        assert_eq!(decode_all(Encoding::Utf8, b"\xEF\xBB\xBFx", true), b"x");
    }

    #[test]
    fn binary_is_recognised() {
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_binary(b"a,b\n1,2\r\n"));
    }
}
