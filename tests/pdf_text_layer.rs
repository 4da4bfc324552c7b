//! The handout's text as search, copy and screen readers get it, measured from the PDF:
//! whole words at line ends, inserted hyphens that are soft hyphens, links described by
//! what they show.

mod common;
mod pdf_support;

use pdf_support::{handouts, measuring_available, word_recall};

const MIN_RECALL: f64 = 0.995;

#[test]
fn plain_extraction_gives_back_the_words_joined_only_at_soft_hyphens() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let (recall, missing) = word_recall(&h.summary, &h.measured.plain);
        eprintln!(
            "{}: plain extraction word recall {recall:.4}",
            h.summary.lang
        );
        assert!(
            recall >= MIN_RECALL,
            "{}: plain extraction recalls {recall:.4} of the words; missing {missing:?}",
            h.summary.lang
        );
    }
}

#[test]
fn text_along_the_structure_tree_keeps_word_breaks() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let (recall, missing) = word_recall(&h.summary, &h.measured.tree);
        eprintln!("{}: structure tree word recall {recall:.4}", h.summary.lang);
        assert!(
            recall >= MIN_RECALL,
            "{}: the structure tree's text recalls {recall:.4} of the words; missing {missing:?}",
            h.summary.lang
        );
    }
}

#[test]
fn inserted_hyphens_extract_as_soft_hyphens_and_written_ones_as_hyphens() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let m = &h.measured;
        assert!(
            m.hyphenated > 0,
            "{}: no line is hyphenated",
            h.summary.lang
        );
        // A line ending in a hyphen-minus is a hyphen the author wrote ("COVID-"), never
        // one the line breaker inserted into a word the source has whole.
        let source: String = h.summary.visible_text().join(" ");
        for page in &m.pages {
            for pair in page.lines.windows(2) {
                let (line, next) = (pair[0].text.trim_end(), pair[1].text.trim_start());
                let Some(stem) = line.strip_suffix('-') else {
                    continue;
                };
                let tail: String = stem
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                let tail: String = tail.chars().rev().collect();
                let head: String = next.chars().take_while(|c| c.is_alphanumeric()).collect();
                if tail.is_empty() || head.is_empty() {
                    continue;
                }
                assert!(
                    source.contains(&format!("{tail}-{head}")),
                    "{}: \"{tail}-\" / \"{head}\" ends a line with U+002D but the source has no such hyphen",
                    h.summary.lang
                );
            }
        }
        // Written hyphens stay hyphen-minus in the text.
        if source.contains("COVID-19") {
            assert!(m.plain.contains("COVID-19"), "{}", h.summary.lang);
        }
    }
}

#[test]
fn link_annotations_are_described_by_what_the_reader_sees() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let annotations = &h.measured.annotations;
        assert!(!annotations.is_empty(), "{}", h.summary.lang);
        for person in &h.summary.people {
            let (Some(handle), Some(url)) = (&person.twitter, person.twitter_url()) else {
                continue;
            };
            let described: Vec<&str> = annotations
                .iter()
                .filter(|a| a.uri == url)
                .map(|a| a.contents.as_str())
                .collect();
            assert!(
                !described.is_empty(),
                "{}: no link to {url}",
                h.summary.lang
            );
            for contents in described {
                assert_eq!(contents, handle, "{}: link to {url}", h.summary.lang);
            }
        }
        for a in annotations {
            assert!(
                !a.contents.trim().is_empty() && !a.contents.contains('\u{ad}'),
                "{}: {a:?}",
                h.summary.lang
            );
        }
    }
}
