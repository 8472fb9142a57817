//! The colours runs and versions are drawn in, one list for the window and the report, so
//! the `i`-th compared run has the same colour in both: Okabe and Ito's palette, which
//! people with the common colour-vision deficiencies tell apart (grey in place of its
//! black, which a dark theme would hide).

use std::sync::LazyLock;

/// The colours as red, green and blue, in the order runs take them; they repeat past the
/// eighth.
pub const RGB: [[u8; 3]; 8] = [
    [0xE6, 0x9F, 0x00],
    [0x56, 0xB4, 0xE9],
    [0x00, 0x9E, 0x73],
    [0xD5, 0x5E, 0x00],
    [0xCC, 0x79, 0xA7],
    [0x00, 0x72, 0xB2],
    [0xF0, 0xE4, 0x42],
    [0x99, 0x99, 0x99],
];

/// The colour of the `index`-th run as red, green and blue.
pub fn rgb(index: usize) -> [u8; 3] {
    RGB[index % RGB.len()]
}

static CSS: LazyLock<Vec<String>> = LazyLock::new(|| {
    RGB.iter()
        .map(|[r, g, b]| format!("#{r:02x}{g:02x}{b:02x}"))
        .collect()
});

/// The colour of the `index`-th run as a CSS colour ("#e69f00").
pub fn css(index: usize) -> &'static str {
    &CSS[index % CSS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_has_one_colour_in_both_forms_and_they_repeat() {
        assert_eq!(css(0), "#e69f00");
        assert_eq!(css(7), "#999999");
        assert_eq!(css(9), css(1));
        assert_eq!(rgb(9), rgb(1));
        for i in 0..RGB.len() {
            let [r, g, b] = rgb(i);
            assert_eq!(css(i), format!("#{r:02x}{g:02x}{b:02x}"));
        }
        let mut distinct = RGB.to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), RGB.len());
    }
}
