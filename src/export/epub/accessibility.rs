//! Accessibility metadata (EPUB Accessibility 1.1 / schema.org), what libraries and public
//! archives ask for before they take a publication in.
//!
//! The schema.org values are a controlled vocabulary, the same in every language. The
//! summary is prose a reading system shows to a person, so it must be in the document's
//! language: the model has no such text, so it is kept here for the languages polypress
//! publishes in, and left out (rather than written in English) for any other.

/// The `schema:` properties and their values, in the order they are written.
pub fn properties(lang: &str) -> Vec<(&'static str, &'static str)> {
    let mut properties = vec![
        // Text, plus the cover image (which has a text alternative).
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityHazard", "none"),
    ];
    if let Some(summary) = summary(lang) {
        properties.push(("schema:accessibilitySummary", summary));
    }
    properties
}

/// The accessibility summary in the document's language, if polypress has it.
pub fn summary(lang: &str) -> Option<&'static str> {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    SUMMARIES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(primary))
        .map(|(_, text)| *text)
}

const SUMMARIES: [(&str, &str); 4] = [
    (
        "en",
        "Text in reading order with headings, lists and a table of contents. The cover image has a text description. No hazards.",
    ),
    (
        "da",
        "Tekst i læserækkefølge med overskrifter, lister og indholdsfortegnelse. Forsidebilledet har en tekstbeskrivelse. Ingen risici.",
    ),
    (
        "bg",
        "Текст в последователност за четене със заглавия, списъци и съдържание. Изображението на корицата има текстово описание. Няма рискове.",
    ),
    (
        "hu",
        "Olvasási sorrendbe rendezett szöveg címsorokkal, felsorolásokkal és tartalomjegyzékkel. A borítókép szöveges leírással rendelkezik. Nincs kockázat.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_follows_the_primary_language_and_is_never_english_elsewhere() {
        assert_eq!(summary("hu"), summary("HU-hu"));
        assert!(summary("bg").is_some_and(|s| s.contains("корицата")));
        assert_eq!(summary("et"), None);
        assert!(properties("et")
            .iter()
            .all(|(name, _)| *name != "schema:accessibilitySummary"));
    }
}
