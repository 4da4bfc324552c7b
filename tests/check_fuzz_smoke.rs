//! A stable, deterministic stand-in for the cargo-fuzz target in fuzz/: thousands of mutated
//! sources (bit flips, truncations, duplications, markup characters dropped in, splices of
//! two languages) go through the reader, font coverage and the cross-language comparison.
//! None may panic; every refusal must name the file and (except for unreadable files) a
//! position.

mod common;

use std::path::{Path, PathBuf};

use polypress::check::{consistency, coverage};
use polypress::fonts::FontSet;
use polypress::source::parse_summary;

/// xorshift64*: a tiny deterministic generator, so every run tries the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b"<!DOCTYPE summary [<!ENTITY a \"aaaa\">]>",
    b"<?pi x?>",
    b"</summary>",
    b"<summary version=\"1\" id=\"x\" lang=\"en\">",
    b"<talk speaker=\"lahti\"><title>T</title>",
    b"<p>",
    b"\"",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xC3",
    b"\0",
    "\u{1F600}".as_bytes(),
    b"https://",
    b"@",
    b"20 000",
];

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = bytes.len();
        match rng.below(7) {
            0 => {
                // Flip one bit.
                if len > 0 {
                    let i = rng.below(len);
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            1 => bytes.truncate(rng.below(len + 1)),
            2 => {
                // Duplicate a slice in place.
                let start = rng.below(len + 1);
                let end = (start + rng.below(4096)).min(len);
                let copy = bytes[start..end].to_vec();
                let at = rng.below(len + 1);
                bytes.splice(at..at, copy);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                bytes.splice(at..at, token.iter().copied());
            }
            4 => {
                // Delete a range.
                let start = rng.below(len + 1);
                let end = (start + rng.below(512)).min(len);
                bytes.drain(start..end);
            }
            5 => {
                // Splice in a piece of another language's source.
                let start = rng.below(other.len() + 1);
                let end = (start + rng.below(2048)).min(other.len());
                let at = rng.below(len + 1);
                bytes.splice(at..at, other[start..end].iter().copied());
            }
            _ => {
                // Overwrite one byte with an arbitrary one.
                if len > 0 {
                    let i = rng.below(len);
                    bytes[i] = rng.next() as u8;
                }
            }
        }
    }
    bytes
}

fn seeds() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = common::source_files();
    files.push(common::repo_root().join("tests/fixtures/example.xml"));
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("seed reads");
            (p, bytes)
        })
        .collect()
}

#[test]
fn mutated_sources_never_panic_and_every_refusal_has_a_position() {
    let fonts = FontSet::embedded().expect("fonts");
    let seeds = seeds();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut refused) = (0, 0);
    let cases = 1000;
    for case in 0..cases {
        let (path, seed) = &seeds[case % seeds.len()];
        let (_, other) = &seeds[rng.below(seeds.len())];
        let bytes = mutate(&mut rng, seed, other);
        let file = Path::new("mutant.xml");
        match parse_summary(&bytes, file) {
            Ok(doc) => {
                accepted += 1;
                let missing = coverage::missing_glyphs(&doc, &fonts);
                let _ = coverage::diagnostics(&missing, &bytes, file, &fonts);
                // Compare the mutant with its unmutated original, as `check` would (under
                // another language tag: sources in one language are not compared).
                let mut original = parse_summary(seed, path).expect("seed parses");
                original.lang.push_str("-original");
                let pair = [
                    consistency::Source {
                        file: path,
                        doc: &original,
                        text: seed,
                    },
                    consistency::Source {
                        file,
                        doc: &doc,
                        text: &bytes,
                    },
                ];
                let _ = consistency::compare(&pair);
            }
            Err(errors) => {
                refused += 1;
                assert!(
                    !errors.0.is_empty(),
                    "case {case}: refused without a reason"
                );
                for d in &errors.0 {
                    assert!(d.pos.is_some(), "case {case}: no position in {d}");
                    assert!(!d.message.is_empty());
                }
            }
        }
    }
    eprintln!("{accepted} accepted, {refused} refused");
    // The mix must exercise both paths, or the test proves little.
    assert!(accepted > cases / 50, "accepted {accepted}");
    assert!(refused > cases / 4, "refused {refused}");
}

#[test]
fn every_prefix_of_a_source_is_read_or_refused_with_a_position() {
    let example =
        std::fs::read(common::repo_root().join("tests/fixtures/example.xml")).expect("reads");
    for end in (0..example.len()).step_by(7) {
        if let Err(errors) = parse_summary(&example[..end], Path::new("prefix.xml")) {
            assert!(errors.0.iter().all(|d| d.pos.is_some()), "prefix {end}");
        }
    }
}

/// A source skeleton with `body` inside its one section and `questions` after it.
fn hostile(lang: &str, people: &str, body: &str, questions: &str) -> Vec<u8> {
    let people = if people.is_empty() {
        String::new()
    } else {
        format!("<people role=\"speaker\" label=\"S\">{people}</people>")
    };
    format!(
        "<summary version=\"1\" id=\"hostile\" lang=\"{lang}\"><meta><title>T</title><event>E</event>\
         <organiser>O</organiser><revised>2026-01-01</revised><labels linkedin=\"L\" twitter=\"T\"/></meta>\
         <section><heading>H</heading>{people}{body}</section>\
         <questions><heading>Q</heading>{questions}</questions></summary>"
    )
    .into_bytes()
}

// Sources built to make a careless reader quadratic or unbounded: each must still be read,
// checked and compared (these run in about a second; quadratic code would take minutes).

#[test]
fn an_element_with_very_many_attributes_is_refused() {
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"\"")).collect();
    let bytes = hostile("en", "", &format!("<p{attrs}>x</p>"), "");
    let errors = parse_summary(&bytes, Path::new("h.xml")).expect_err("refused");
    assert_eq!(errors.0.len(), 1);
    assert!(
        errors.0[0].message.contains("has more than 32 attributes"),
        "{}",
        errors.0[0]
    );
}

#[test]
fn very_many_errors_are_listed_up_to_a_limit() {
    // 12,000 elements: within the reader's limit of 20,000.
    let people: String = (0..3_000)
        .map(|i| format!("<person id=\"p{i}\"><name>N</name></person>"))
        .collect();
    let talks: String = (0..3_000)
        .map(|i| format!("<talk speaker=\"nobody{i}\"><title>T</title></talk>"))
        .collect();
    let bytes = hostile("en", &people, &talks, "");
    let errors = parse_summary(&bytes, Path::new("h.xml")).expect_err("refused");
    assert_eq!(errors.0.len(), polypress::source::read::MAX_ERRORS + 1);
    let last = errors.0.last().expect("summary line");
    assert!(
        last.message.starts_with("2900 more errors are not listed"),
        "{last}"
    );
}

#[test]
fn very_many_undrawable_characters_are_listed_up_to_a_limit() {
    let fonts = FontSet::embedded().expect("fonts");
    // 5 000 different CJK characters, one paragraph each.
    let body: String = (0x4E00u32..0x4E00 + 5_000)
        .filter_map(char::from_u32)
        .map(|c| format!("<p>{c}</p>"))
        .collect();
    let bytes = hostile("en", "", &body, "");
    let doc = parse_summary(&bytes, Path::new("h.xml")).expect("parses");
    let missing = coverage::missing_glyphs(&doc, &fonts);
    assert_eq!(missing.len(), 5_000);
    let listed = coverage::diagnostics(&missing, &bytes, Path::new("h.xml"), &fonts);
    assert_eq!(listed.len(), coverage::MAX_LISTED + 1);
    assert!(listed[coverage::MAX_LISTED]
        .message
        .starts_with("4950 more places"));
}

#[test]
fn large_different_sources_compare_in_bounded_time() {
    let people = |handle: &str| -> String {
        (0..3_000)
            .map(|i| {
                format!(
                    "<person id=\"p{i}\"><name>N</name><twitter>@{handle}{i}</twitter></person>"
                )
            })
            .collect()
    };
    let questions = |by: &str| -> String {
        (1..=3_000)
            .map(|n| format!("<question number=\"{n}\" label=\"Q\"><text>{n} 1 2 3</text><answer by=\"{by}\">A</answer></question>"))
            .collect()
    };
    let numbers: String = (0..50_000).map(|i| format!("{i} ")).collect();
    let en = hostile(
        "en",
        &people("a"),
        &format!("<p>{numbers}</p>"),
        &questions("p1"),
    );
    let da = hostile("da", &people("b"), "<p>1</p>", &questions("p2"));
    let en_doc = parse_summary(&en, Path::new("en.xml")).expect("en parses");
    let da_doc = parse_summary(&da, Path::new("da.xml")).expect("da parses");
    let findings = consistency::compare(&[
        consistency::Source {
            file: Path::new("en.xml"),
            doc: &en_doc,
            text: &en,
        },
        consistency::Source {
            file: Path::new("da.xml"),
            doc: &da_doc,
            text: &da,
        },
    ]);
    // Every handle and every question's answers differ; one line each, each line short.
    assert!(findings.len() > 6_000, "{}", findings.len());
    assert!(findings.iter().all(|f| f.message.len() < 2000));
}
