//! Embedded fonts, which docx-rs cannot write: each face as an obfuscated `.odttf` part
//! (ECMA-376 Part 1, 17.8.1), referenced from the font table with its key.

use uuid::Uuid;

use crate::fonts::Style;

/// One face, ready to be stored in the package.
pub(in crate::export::docx) struct EmbeddedFont {
    pub style: Style,
    /// The obfuscation key, written into the font table as `w:fontKey`.
    pub key: Uuid,
    /// The obfuscated font file.
    pub data: Vec<u8>,
    /// Whether `data` holds only the glyphs the document uses.
    pub subsetted: bool,
}

/// A namespace of our own for the v5 UUIDs that key the fonts.
const FONT_KEY_NAMESPACE: Uuid = Uuid::from_u128(0x5f0c_1b6e_8d2a_4c71_9e3b_a4d7_2c90_f158);

impl EmbeddedFont {
    /// Obfuscates `font` with a key derived from the document and the face, so two builds of
    /// the same document give the same bytes and two documents never share a key.
    pub fn new(document_key: &str, style: Style, font: Vec<u8>, subsetted: bool) -> EmbeddedFont {
        let key = Uuid::new_v5(
            &FONT_KEY_NAMESPACE,
            format!("{document_key}/{}", style.file_name()).as_bytes(),
        );
        let mut data = font;
        obfuscate(&mut data, &key);
        EmbeddedFont {
            style,
            key,
            data,
            subsetted,
        }
    }

    /// The key as the font table writes it: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
    pub fn key_guid(&self) -> String {
        format!("{{{}}}", self.key.hyphenated()).to_uppercase()
    }

    /// The element of the font table that refers to this face.
    pub fn table_element(&self) -> &'static str {
        match self.style {
            Style::Regular => "w:embedRegular",
            Style::Bold => "w:embedBold",
            Style::Italic => "w:embedItalic",
            Style::BoldItalic => "w:embedBoldItalic",
        }
    }
}

/// 17.8.1: the key is the GUID's 16 bytes in reverse order of the written string; the first
/// 32 bytes of the font are XORed with it twice over. XOR is its own inverse.
pub(super) fn obfuscate(data: &mut [u8], key: &Uuid) {
    let mut reversed = *key.as_bytes();
    reversed.reverse();
    for (i, byte) in data.iter_mut().take(32).enumerate() {
        *byte ^= reversed[i % 16];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscation_follows_the_byte_order_of_the_spec() {
        // Key {00112233-4455-6677-8899-AABBCCDDEEFF}: the first byte is XORed with 0xFF (the
        // last pair of the string), the sixteenth with 0x00 (the first).
        let key = Uuid::parse_str("00112233-4455-6677-8899-AABBCCDDEEFF").unwrap();
        let mut data = vec![0u8; 40];
        obfuscate(&mut data, &key);
        assert_eq!(data[0], 0xFF);
        assert_eq!(data[15], 0x00);
        assert_eq!(data[16], 0xFF);
        assert_eq!(data[31], 0x00);
        assert_eq!(&data[32..], &[0u8; 8]);
        obfuscate(&mut data, &key);
        assert_eq!(data, vec![0u8; 40]);
    }

    #[test]
    fn keys_are_stable_and_differ_by_face() {
        let a = EmbeddedFont::new("x/en", Style::Regular, vec![0; 64], false);
        let b = EmbeddedFont::new("x/en", Style::Regular, vec![0; 64], false);
        let c = EmbeddedFont::new("x/en", Style::Bold, vec![0; 64], false);
        assert_eq!(a.key_guid(), b.key_guid());
        assert_ne!(a.key_guid(), c.key_guid());
        assert_eq!(a.key_guid().len(), 38);
    }
}
