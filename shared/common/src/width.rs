//! Full-width to half-width mapping, because Chinese input methods often type
//! digits, letters and hyphens in their full-width forms (`１２３`, `ＡＢ`, `－`).

/// Offset between a full-width form (U+FF01..=U+FF5E) and its ASCII character.
const FULL_WIDTH_OFFSET: u32 = 0xFEE0;

/// The ASCII character for a full-width form or the ideographic space;
/// any other character unchanged.
pub(crate) fn to_half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - FULL_WIDTH_OFFSET).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_become_ascii() {
        let mapped: String = "０９ＡＺａｚ－＋！～\u{3000}".chars().map(to_half_width).collect();
        assert_eq!(mapped, "09AZaz-+!~ ");
    }

    #[test]
    fn other_characters_are_unchanged() {
        let text = "京ICP备12-ab 号。—";
        let mapped: String = text.chars().map(to_half_width).collect();
        assert_eq!(mapped, text);
    }
}
