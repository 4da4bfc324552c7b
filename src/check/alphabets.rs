//! The alphabets of the languages polypress can hyphenate (the `hyphenation` crate's TeX
//! patterns), and which of them the embedded fonts cover.
//!
//! The letters are CLDR's main exemplar characters, written out here because no crate we use
//! ships CLDR data. Digraphs that CLDR lists as units (Hungarian "cs", Czech "ch") are not
//! repeated: their letters are. Upper case comes from Rust's case mapping, plus the letters
//! it cannot derive (Turkish dotted İ).

use crate::fonts::{FontSet, Style};

pub struct Alphabet {
    /// BCP 47 language tag.
    pub tag: &'static str,
    /// The language's English name.
    pub name: &'static str,
    /// Lower-case letters.
    pub lower: &'static str,
    /// Upper-case letters that simple case mapping does not give.
    pub extra_upper: &'static str,
    /// One of the 24 official languages of the European Union.
    pub eu: bool,
}

const fn eu(tag: &'static str, name: &'static str, lower: &'static str) -> Alphabet {
    Alphabet {
        tag,
        name,
        lower,
        extra_upper: "",
        eu: true,
    }
}

const fn other(tag: &'static str, name: &'static str, lower: &'static str) -> Alphabet {
    Alphabet {
        tag,
        name,
        lower,
        extra_upper: "",
        eu: false,
    }
}

pub const ALPHABETS: &[Alphabet] = &[
    eu("bg", "Bulgarian", "абвгдежзийклмнопрстуфхцчшщъьюя"),
    eu("cs", "Czech", "aábcčdďeéěfghiíjklmnňoópqrřsštťuúůvwxyýzž"),
    eu("da", "Danish", "abcdefghijklmnopqrstuvwxyzæøå"),
    eu("de", "German", "aäbcdefghijklmnoöpqrsßtuüvwxyz"),
    eu("el", "Greek", "αάβγδεέζηήθιίϊΐκλμνξοόπρσςτυύϋΰφχψωώ"),
    eu("en", "English", "abcdefghijklmnopqrstuvwxyz"),
    eu("es", "Spanish", "aábcdeéfghiíjklmnñoópqrstuúüvwxyz"),
    eu("et", "Estonian", "abcdefghijklmnopqrsšzžtuvwõäöüxy"),
    eu("fi", "Finnish", "abcdefghijklmnopqrsštuvwxyzžåäö"),
    eu("fr", "French", "aàâæbcçdeéèêëfghiîïjklmnoôœpqrstuùûüvwxyÿz"),
    eu("ga", "Irish", "aábcdeéfghiílmnoóprstuú"),
    eu("hr", "Croatian", "abcčćdđefghijklmnoprsštuvzž"),
    eu("hu", "Hungarian", "aábcdeéfghiíjklmnoóöőpqrstuúüűvwxyz"),
    eu("it", "Italian", "aàbcdeéèfghiìjklmnoóòpqrstuùvwxyz"),
    eu("lt", "Lithuanian", "aąbcčdeęėfghiįyjklmnoprsštuųūvzž"),
    eu("lv", "Latvian", "aābcčdeēfgģhiījkķlļmnņoprsštuūvzž"),
    eu("mt", "Maltese", "aàbċdeèfġgħhiìjklmnoòpqrstuùvwxżz"),
    eu("nl", "Dutch", "aáäbcdeéëfghiíïĳjklmnoóöpqrstuúüvwxyz"),
    eu("pl", "Polish", "aąbcćdeęfghijklłmnńoóprsśtuwyzźż"),
    eu("pt", "Portuguese", "aáâãàbcçdeéêfghiíjklmnoóôõpqrstuúvwxyz"),
    eu("ro", "Romanian", "aăâbcdefghiîjklmnopqrsștțuvwxyz"),
    eu(
        "sk",
        "Slovak",
        "aáäbcčdďeéfghiíjklĺľmnňoóôpqrŕsštťuúvwxyýzž",
    ),
    eu("sl", "Slovenian", "abcčdefghijklmnoprsštuvzž"),
    eu("sv", "Swedish", "abcdefghijklmnopqrstuvwxyzåäö"),
    other(
        "af",
        "Afrikaans",
        "aáâbcdeéèêëfghiíîïjklmnoóôöpqrstuúûvwxyýz",
    ),
    other("be", "Belarusian", "абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
    other("ca", "Catalan", "aàbcçdeéèfghiíïjklmnoóòpqrstuúüvwxyz"),
    other(
        "cy",
        "Welsh",
        "aáàâäbcdeéèêëfghiíìîïjlmnoóòôöprstuúùûüwẃẁŵẅyýỳŷÿ",
    ),
    other("eo", "Esperanto", "abcĉdefgĝhĥijĵklmnoprsŝtuŭvz"),
    other("eu", "Basque", "abcçdefghijklmnñopqrstuvwxyz"),
    other("gl", "Galician", "aábcdeéfghiíjklmnñoópqrstuúvwxyz"),
    other("hy", "Armenian", "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ"),
    other("id", "Indonesian", "abcdefghijklmnopqrstuvwxyz"),
    other("is", "Icelandic", "aábdðeéfghiíjklmnoóprstuúvxyýþæö"),
    other("ka", "Georgian", "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ"),
    other("mk", "Macedonian", "абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    other(
        "nb",
        "Norwegian Bokmål",
        "aàbcdeéfghijklmnoóòôpqrstuvwxyzæøå",
    ),
    other(
        "nn",
        "Norwegian Nynorsk",
        "aàbcdeéfghijklmnoóòôpqrstuvwxyzæøå",
    ),
    other("ru", "Russian", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
    other("sq", "Albanian", "abcçdeëfghijklmnopqrstuvxyz"),
    other(
        "sr-cyrl",
        "Serbian (Cyrillic)",
        "абвгдђежзијклљмнњопрстћуфхцчџш",
    ),
    Alphabet {
        tag: "tr",
        name: "Turkish",
        lower: "abcçdefgğhıijklmnoöprsştuüvyz",
        extra_upper: "İ",
        eu: false,
    },
    other("uk", "Ukrainian", "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
];

impl Alphabet {
    /// Every letter, lower case then upper case, without repeats.
    pub fn letters(&self) -> Vec<char> {
        let mut letters: Vec<char> = self.lower.chars().collect();
        for c in self.lower.chars() {
            let mut upper = c.to_uppercase();
            // Letters whose capital is several characters (ß -> SS, ΐ) have no capital of
            // their own in the alphabet.
            if let (Some(u), None) = (upper.next(), upper.next()) {
                letters.push(u);
            }
        }
        letters.extend(self.extra_upper.chars());
        let mut seen = std::collections::BTreeSet::new();
        letters.retain(|c| seen.insert(*c));
        letters
    }

    /// The letters a face lacks.
    pub fn missing(&self, fonts: &FontSet, style: Style) -> Vec<char> {
        let face = fonts.face(style);
        self.letters()
            .into_iter()
            .filter(|c| !face.has_char(*c))
            .collect()
    }
}

/// The coverage table `polypress fonts` prints: one line per language, a column per face.
pub fn coverage_table(fonts: &FontSet) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:<20} {:>7}  {:<8} {:<8} {:<8} {:<11}  missing",
        "lang", "language", "letters", "regular", "bold", "italic", "bold italic"
    );
    for alphabet in ALPHABETS {
        let mut missing = std::collections::BTreeSet::new();
        let cells: Vec<&str> = Style::ALL
            .iter()
            .map(|style| {
                let lacking = alphabet.missing(fonts, *style);
                let cell = if lacking.is_empty() { "yes" } else { "NO" };
                missing.extend(lacking);
                cell
            })
            .collect();
        let missing: String = if missing.len() > 12 {
            format!("{} letters", missing.len())
        } else {
            missing.into_iter().collect()
        };
        let name = if alphabet.eu {
            format!("{} (EU)", alphabet.name)
        } else {
            alphabet.name.to_string()
        };
        let _ = writeln!(
            out,
            "{:<8} {:<20} {:>7}  {:<8} {:<8} {:<8} {:<11}  {}",
            alphabet.tag,
            name,
            alphabet.letters().len(),
            cells.first().copied().unwrap_or_default(),
            cells.get(1).copied().unwrap_or_default(),
            cells.get(2).copied().unwrap_or_default(),
            cells.get(3).copied().unwrap_or_default(),
            missing
        );
    }
    let covered: Vec<&Alphabet> = ALPHABETS
        .iter()
        .filter(|a| Style::ALL.iter().all(|s| a.missing(fonts, *s).is_empty()))
        .collect();
    let eu_total = ALPHABETS.iter().filter(|a| a.eu).count();
    let eu_covered = covered.iter().filter(|a| a.eu).count();
    let _ = writeln!(
        out,
        "\n{} ({}) covers {} of {} alphabets in every face, {eu_covered} of the {eu_total} official EU languages.",
        crate::fonts::FAMILY,
        Style::ALL.map(Style::name).join(", "),
        covered.len(),
        ALPHABETS.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_case_is_derived_and_deduplicated() {
        let de = ALPHABETS.iter().find(|a| a.tag == "de").expect("German");
        let letters = de.letters();
        assert!(letters.contains(&'Ä') && letters.contains(&'ß'));
        assert_eq!(letters.iter().filter(|c| **c == 'S').count(), 1);
        let tr = ALPHABETS.iter().find(|a| a.tag == "tr").expect("Turkish");
        assert!(tr.letters().contains(&'İ'));
    }

    #[test]
    fn every_eu_language_is_listed() {
        let eu: Vec<&str> = ALPHABETS.iter().filter(|a| a.eu).map(|a| a.tag).collect();
        assert_eq!(eu.len(), 24);
    }
}
