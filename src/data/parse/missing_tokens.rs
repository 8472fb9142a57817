//! The set of cell texts that mean "missing", and the quick test of a cell against it.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tokens_are_trimmed_like_cells() {
        let tokens = MissingTokens::new(&[" NA ".into(), "-999".into()]);
        assert!(tokens.contains(b"NA"));
        assert!(tokens.contains(b"-999"));
        assert!(tokens.contains(b""));
        assert!(!tokens.contains(b"NAN"));
        assert!(!tokens.contains(b"-99"));
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
}
