//! Accessibility metadata (EPUB Accessibility 1.1 / schema.org), what libraries and public
//! archives ask for before they take a publication in.
//!
//! The schema.org values are a controlled vocabulary, the same in every language. The
//! summary is prose a reading system shows to a person, so it comes from the source
//! (`<accessibility-summary>`), in the document's language, and is left out rather than
//! written in another language when the source has none.

use crate::model::Summary;

/// The `schema:` properties and their values, in the order they are written.
pub fn properties(doc: &Summary) -> Vec<(&'static str, &str)> {
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
    properties.extend(conformance());
    if let Some(summary) = doc.meta.accessibility_summary.as_deref() {
        properties.push(("schema:accessibilitySummary", summary));
    }
    properties
}

/// The standard the publication claims to meet, and who says so. The claim rests on the
/// checks every build of the shipped sources passes in CI (EPUBCheck: nothing to report;
/// Ace by DAISY: no violation; a 360 px window at 200 % type: no page wider than it) and on
/// what polypress writes by construction (see docs/epub.md). No person has audited the
/// books, so the evaluator named is the automated checking, not a certifier. The claim is
/// Level AA since phrases in another language are marked in the sources (`<span lang>`,
/// written as `lang`/`xml:lang`: WCAG 3.1.2), as the English job titles in the Bulgarian and
/// Danish texts are.
pub fn conformance() -> [(&'static str, &'static str); 2] {
    [
        (
            "dcterms:conformsTo",
            "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
        ),
        (
            "a11y:certifiedBy",
            "polypress automated checks (EPUBCheck, Ace by DAISY); not a human audit",
        ),
    ]
}
