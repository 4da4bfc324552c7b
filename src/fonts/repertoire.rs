//! The characters an editor may type into a document: what the DOCX's embedded faces hold
//! besides the document's own text, so that a correction typed on a machine without Source
//! Sans 3 does not come out in a fallback font.

use std::collections::BTreeSet;

use crate::check::alphabets::ALPHABETS;

/// Letters in use beside the CLDR alphabets: Romanian s and t with cedilla (as typed on many
/// keyboards in place of ș ț), the German capital sharp s, and the Bulgarian ѝ.
const EXTRA_LETTERS: &str = "şţŞŢẞѝЍ";

/// The punctuation and signs editors type, beyond ASCII and Latin-1: quotation marks of every
/// EU language, dashes and hyphens, the ellipsis, bullets, spaces used as thousands
/// separators and before French punctuation, currency, arrows and a few symbols.
const PUNCTUATION: &str = "\u{2018}\u{2019}\u{201A}\u{201B}\u{201C}\u{201D}\u{201E}\u{2039}\u{203A}\
‐‑‒–—―…•‣·∙‰′″†‡№™€£¥₽−∕≤≥≠≈±×÷∞←↑→↓\u{2009}\u{200A}\u{2007}\u{2008}\u{202F}\u{2060}\u{2002}\u{2003}";

/// Every letter (both cases) of the 24 official EU languages, printable ASCII, Latin-1, and
/// the punctuation above: the same set for every document, so that every DOCX of a build
/// embeds the same faces.
pub fn editing_repertoire() -> BTreeSet<char> {
    let mut chars: BTreeSet<char> = (' '..='~').collect();
    chars.extend(('\u{A0}'..='\u{FF}').filter(|c| !c.is_control()));
    for alphabet in ALPHABETS.iter().filter(|a| a.eu) {
        chars.extend(alphabet.letters());
    }
    chars.extend(EXTRA_LETTERS.chars());
    chars.extend(EXTRA_LETTERS.chars().flat_map(char::to_lowercase));
    chars.extend(PUNCTUATION.chars());
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repertoire_holds_every_eu_letter_and_the_typed_punctuation() {
        let chars = editing_repertoire();
        for c in "ÁÉŐŰőűÆØÅæøåДЖЙХШЪЬЮЯșțȘȚΩΆώ’‘“”„«»‹›…–—•·€ ".chars()
        {
            assert!(chars.contains(&c), "{c:?}");
        }
        let fonts = crate::fonts::FontSet::embedded().expect("fonts");
        for face in fonts.faces() {
            let missing: String = chars.iter().filter(|&&c| !face.has_char(c)).collect();
            assert!(
                missing
                    .chars()
                    .all(|c| c == '\u{AD}' || c.is_whitespace() || c == '\u{2060}'),
                "{}: {missing:?}",
                face.style.name()
            );
        }
    }
}
