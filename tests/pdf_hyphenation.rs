//! Hyphenation as a typographer checks it, measured on the handouts' pages (PyMuPDF reads the
//! lines; an inserted hyphen is U+00AD in the text layer): few hyphens, no ladders, and
//! none where a native reader objects.

mod common;
mod pdf_support;

use std::collections::BTreeSet;

use pdf_support::{handouts, measuring_available};

const SOFT_HYPHEN: char = '\u{ad}';

/// Every word split by an inserted hyphen on the handout: (before, after), each the letters
/// next to the break, with the token around them.
fn split_words(lines: &[&str]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for pair in lines.windows(2) {
        let Some(stem) = pair[0].trim_end().strip_suffix(SOFT_HYPHEN) else {
            continue;
        };
        let before = stem.rsplit(' ').next().unwrap_or_default().to_string();
        let after = pair[1].split(' ').next().unwrap_or_default().to_string();
        let whole = format!("{before}{after}");
        out.push((before, after, whole));
    }
    out
}

#[test]
fn few_hyphenated_lines_and_never_more_than_two_in_a_row() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let m = &h.measured;
        let share = m.hyphenated as f64 / m.body_lines.max(1) as f64;
        assert!(
            share <= 0.15,
            "{}: {} of {} lines hyphenated ({:.1}%)",
            h.summary.lang,
            m.hyphenated,
            m.body_lines,
            share * 100.0
        );
        assert!(
            m.max_consecutive_hyphenated <= 2,
            "{}: {} hyphenated lines in a row",
            h.summary.lang,
            m.max_consecutive_hyphenated
        );
    }
}

#[test]
fn no_hyphen_in_short_words_compounds_names_hashtags_or_acronyms() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let names: BTreeSet<String> = h
            .summary
            .people
            .iter()
            .flat_map(|p| {
                p.name
                    .split(|c: char| !c.is_alphabetic())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        let lines: Vec<&str> = h
            .measured
            .pages
            .iter()
            .flat_map(|p| p.lines.iter().map(|l| l.text.as_str()))
            .collect();
        let splits = split_words(&lines);
        assert!(!splits.is_empty(), "{}: nothing hyphenated", h.summary.lang);
        for (before, after, whole) in splits {
            let lang = &h.summary.lang;
            let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count();
            let head: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphabetic())
                .collect();
            let tail: String = after.chars().take_while(|c| c.is_alphabetic()).collect();
            let word = format!("{}{tail}", head.chars().rev().collect::<String>());
            assert!(
                letters(&head) >= 2 && letters(&tail) >= 3,
                "{lang}: fragment too short in {before}-/{after}"
            );
            assert!(
                letters(&word) >= 6,
                "{lang}: short word hyphenated: {before}-/{after}"
            );
            assert!(
                !whole.contains('-'),
                "{lang}: a written compound hyphenated: {before}-/{after}"
            );
            assert!(!whole.starts_with(['#', '@']), "{lang}: {before}-/{after}");
            assert!(
                !word.chars().next().is_some_and(char::is_uppercase),
                "{lang}: a name or acronym hyphenated: {before}-/{after}"
            );
            assert!(
                !names.contains(&word),
                "{lang}: a person's name hyphenated: {word}"
            );
        }
    }
}

#[test]
fn an_answer_s_lead_name_is_never_broken_across_lines() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let Some(questions) = &h.summary.questions else {
            continue;
        };
        let lines: Vec<String> = h
            .measured
            .pages
            .iter()
            .flat_map(|p| p.lines.iter().map(|l| l.text.replace('\u{a0}', " ")))
            .collect();
        for answer in questions.items.iter().flat_map(|q| &q.answers) {
            let lead = format!("{}:", answer.name(&h.summary));
            assert!(
                lines.iter().any(|l| l.contains(&lead)),
                "{}: \"{lead}\" is not whole on any line",
                h.summary.lang
            );
        }
    }
}
