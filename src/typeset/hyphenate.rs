//! Hyphenation patterns per language, loaded once per run and shared by every thread.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use hyphenation::{Hyphenator as _, Language, Load, Standard};
use rustc_hash::FxHashMap;

/// The hyphenation language for a BCP 47 tag, if the `hyphenation` crate has patterns for it.
pub fn language_for(tag: &str) -> Option<Language> {
    let tag = tag.trim().to_ascii_lowercase();
    if let Some(lang) = Language::try_from_code(&tag) {
        return Some(lang);
    }
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    let region = tag.split(['-', '_']).nth(1).unwrap_or_default();
    match primary {
        "en" if region == "us" => Some(Language::EnglishUS),
        // The summaries are European documents: British spelling and patterns.
        "en" => Some(Language::EnglishGB),
        "de" if region == "ch" => Some(Language::GermanSwiss),
        "de" => Some(Language::German1996),
        "el" => Some(Language::GreekMono),
        "sr" => Some(Language::SerbianCyrillic),
        "no" => Some(Language::NorwegianBokmal),
        "mn" => Some(Language::Mongolian),
        "zh" => None,
        other => Language::try_from_code(other),
    }
}

/// The patterns for a language, deserialised on first use (a few milliseconds) and kept.
pub fn dictionary(tag: &str) -> Option<Arc<Standard>> {
    static CACHE: OnceLock<Mutex<BTreeMap<Language, Option<Arc<Standard>>>>> = OnceLock::new();
    let language = language_for(tag)?;
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(language)
        .or_insert_with(|| Standard::from_embedded(language).ok().map(Arc::new))
        .clone()
}

/// A language's hyphenation for one document: the shared patterns, and the points already
/// found for each word (a document repeats its words, and the patterns are walked letter by
/// letter).
pub struct Hyphenator {
    dictionary: Arc<Standard>,
    points: RefCell<FxHashMap<Box<str>, Vec<usize>>>,
    /// Words never hyphenated (people's names), kept apart from the remembered points,
    /// which start afresh past [`MAX_REMEMBERED_WORDS`].
    whole: RefCell<rustc_hash::FxHashSet<Box<str>>>,
    /// TeX's `\uchyph=0`: a word that starts with a capital is a name (of a person, a place,
    /// an organisation: "Mediapool", "Helsinki") and stays whole. Not in languages that
    /// capitalise every noun.
    capitalised_words_whole: bool,
}

impl Hyphenator {
    /// `None` when there are no patterns for the language (then nothing is hyphenated).
    pub fn for_language(tag: &str) -> Option<Hyphenator> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        Some(Hyphenator {
            dictionary: dictionary(tag)?,
            points: RefCell::new(FxHashMap::default()),
            whole: RefCell::new(Default::default()),
            capitalised_words_whole: !matches!(
                primary.to_ascii_lowercase().as_str(),
                "de" | "lb" | "gsw"
            ),
        })
    }

    /// Never hyphenates `word` (a person's name, whatever its case).
    pub fn keep_whole(&self, word: &str) {
        self.whole.borrow_mut().insert(word.into());
    }

    /// As [`hyphenation_points`], remembered per word; none for a capitalised word where
    /// names are what capitals mark.
    pub fn points(&self, word: &str) -> Vec<usize> {
        if self.capitalised_words_whole && word.chars().next().is_some_and(char::is_uppercase) {
            return Vec::new();
        }
        if self.whole.borrow().contains(word) {
            return Vec::new();
        }
        if let Some(points) = self.points.borrow().get(word) {
            return points.clone();
        }
        let points = hyphenation_points(&self.dictionary, word);
        // As the shaper's memory of words: only words of a real length, and a bounded number.
        if word.len() <= 64 {
            let mut remembered = self.points.borrow_mut();
            if remembered.len() >= MAX_REMEMBERED_WORDS {
                remembered.clear();
            }
            remembered.insert(word.into(), points.clone());
        }
        points
    }
}

/// Hyphenated words remembered at most (see [`Hyphenator::points`]).
const MAX_REMEMBERED_WORDS: usize = 50_000;

/// Words shorter than this are never hyphenated ("ме-дии", "ко-ито" read badly).
pub const MIN_WORD: usize = 6;
/// Letters a break leaves at least before it (TeX's `\lefthyphenmin`).
pub const MIN_BEFORE: usize = 2;
/// Letters a break leaves at least after it (TeX's `\righthyphenmin`).
pub const MIN_AFTER: usize = 3;

/// Byte offsets inside `word` where it may be hyphenated. Words in capitals (acronyms) and
/// words under [`MIN_WORD`] letters are left whole; at least [`MIN_BEFORE`] letters stay
/// before a break and [`MIN_AFTER`] after it.
pub fn hyphenation_points(dictionary: &Standard, word: &str) -> Vec<usize> {
    let letters = word.chars().count();
    if letters < MIN_WORD || !word.chars().any(|c| c.is_lowercase()) {
        return Vec::new();
    }
    let first_upper_then_upper = word.chars().filter(|c| c.is_uppercase()).count() > 1;
    if first_upper_then_upper {
        return Vec::new();
    }
    let breaks = dictionary.hyphenate(word).breaks;
    breaks
        .into_iter()
        .filter(|&b| {
            let before = word.get(..b).map(|s| s.chars().count()).unwrap_or(0);
            before >= MIN_BEFORE && letters - before >= MIN_AFTER && word.is_char_boundary(b)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_language_has_patterns() {
        for tag in ["bg", "da", "en", "hu", "et", "de", "pt-BR", "fr"] {
            assert!(dictionary(tag).is_some(), "{tag}");
        }
    }

    #[test]
    fn hungarian_long_word_gets_points() {
        let dict = dictionary("hu").expect("hu patterns");
        assert!(!hyphenation_points(&dict, "kommunikációs").is_empty());
    }

    #[test]
    fn five_letter_words_stay_whole() {
        let dict = dictionary("bg").expect("bg patterns");
        for word in ["медии", "които", "бъдем"] {
            assert!(hyphenation_points(&dict, word).is_empty(), "{word}");
        }
    }

    #[test]
    fn fragments_keep_two_letters_before_and_three_after() {
        for (tag, word) in [
            ("hu", "kommunikációs"),
            ("bg", "инфлуенсърите"),
            ("en", "communication"),
        ] {
            let dict = dictionary(tag).expect("patterns");
            let points = hyphenation_points(&dict, word);
            assert!(!points.is_empty(), "{word}");
            for p in points {
                assert!(word[..p].chars().count() >= MIN_BEFORE, "{word} at {p}");
                assert!(word[p..].chars().count() >= MIN_AFTER, "{word} at {p}");
            }
        }
    }

    #[test]
    fn capitalised_words_are_names_except_in_german() {
        let en = Hyphenator::for_language("en").expect("en");
        assert!(en.points("Mediapool").is_empty());
        assert!(!en.points("communication").is_empty());
        let de = Hyphenator::for_language("de").expect("de");
        assert!(!de.points("Kommunikation").is_empty());
        de.keep_whole("Voshchevska");
        assert!(de.points("Voshchevska").is_empty());
    }

    #[test]
    fn acronyms_stay_whole() {
        let dict = dictionary("en").expect("en patterns");
        assert!(hyphenation_points(&dict, "UNESCO").is_empty());
    }
}
