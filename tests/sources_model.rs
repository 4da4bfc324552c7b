//! The five real sources (da, bg, en, hu, et) read into the model the seeds describe: the right
//! people, talks, questions and answers, every list item and link, and every word of the
//! plain-text seed, with nothing added.
//!
//! The hard-coded figures below were counted from the seeds by hand. When the seeds are
//! beside the repository (`../shared/seeds`, or the folder in `POLYPRESS_SEEDS_DIR`), the
//! tests also recompute them from the seed text and compare the sources with it line by line
//! and word by word.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polypress::model::{plain_text, Block, Inline, Role, Summary};
use polypress::source::read::find_url;
use polypress::source::read_source;

/// What each source must contain, counted by hand from its seed.
struct Expected {
    lang: &'static str,
    /// The seed's file name starts with this number.
    seed_number: &'static str,
    list_items: usize,
    lists: usize,
    subheadings: usize,
    links: usize,
}

const EXPECTED: &[Expected] = &[
    Expected {
        lang: "da",
        seed_number: "000",
        list_items: 23,
        lists: 7,
        subheadings: 8,
        links: 7,
    },
    Expected {
        lang: "bg",
        seed_number: "001",
        list_items: 23,
        lists: 7,
        subheadings: 8,
        links: 7,
    },
    Expected {
        lang: "en",
        seed_number: "002",
        list_items: 23,
        lists: 7,
        subheadings: 8,
        links: 7,
    },
    Expected {
        lang: "hu",
        seed_number: "003",
        list_items: 34,
        lists: 10,
        subheadings: 8,
        links: 7,
    },
    Expected {
        lang: "et",
        seed_number: "004",
        list_items: 23,
        lists: 7,
        subheadings: 8,
        links: 7,
    },
];

const PEOPLE: [(&str, Role); 5] = [
    ("lahti", Role::Speaker),
    ("voshchevska", Role::Speaker),
    ("garavet", Role::Speaker),
    ("ladwig", Role::Moderator),
    ("tkadlcikova", Role::Welcome),
];
const SPEAKERS_IN_TALK_ORDER: [&str; 3] = ["lahti", "voshchevska", "garavet"];
/// Who answers each question, in order (the same in every language).
const ANSWERS_BY: [&[&str]; 4] = [
    &["lahti", "voshchevska", "garavet"],
    &["lahti"],
    &["lahti", "voshchevska", "garavet"],
    &["garavet", "voshchevska", "lahti"],
];

fn source(lang: &str) -> Summary {
    let path = common::repo_root().join(format!("sources/{lang}.xml"));
    read_source(&path).unwrap_or_else(|e| panic!("{lang}.xml does not read:\n{e}"))
}

fn seeds_dir() -> Option<PathBuf> {
    let root = common::repo_root();
    let candidates = [
        std::env::var_os("POLYPRESS_SEEDS_DIR").map(PathBuf::from),
        Some(root.join("../shared/seeds")),
        // A git worktree one folder deeper (`/work/wt/NAME`) beside `/work/shared`.
        Some(root.join("../../shared/seeds")),
    ];
    candidates.into_iter().flatten().find(|d| d.is_dir())
}

/// The seed text of a language, or `None` (with a note) when the seeds are not at hand.
fn seed_text(expected: &Expected) -> Option<String> {
    let Some(dir) = seeds_dir() else {
        eprintln!(
            "note: no seeds folder; checking {} against hard-coded figures only",
            expected.lang
        );
        return None;
    };
    let entry = std::fs::read_dir(&dir)
        .expect("seeds folder lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{}_", expected.seed_number)))
        })
        .unwrap_or_else(|| {
            panic!(
                "no seed {}_*.txt in {}",
                expected.seed_number,
                dir.display()
            )
        });
    Some(std::fs::read_to_string(&entry).expect("seed reads"))
}

/// One non-empty seed line without layout residue: its text and whether it had a bullet.
struct SeedLine {
    text: String,
    bullet: bool,
}

/// Layout residue of the word processor the seeds were exported from: not content.
const RESIDUE: &str = "[bookmark: _GoBack]";

fn seed_lines(seed: &str) -> Vec<SeedLine> {
    let mut out: Vec<SeedLine> = Vec::new();
    for line in seed.lines() {
        let line = normalize(&line.replace(RESIDUE, ""));
        if line.is_empty() {
            continue;
        }
        // The Estonian seed puts an address alone on the line after the sentence it ends
        // ("… inglise keeles:" / "https://…"): one sentence, hard-wrapped.
        if let Some(before) = out.last_mut() {
            let only_an_address =
                find_url(&line).is_some_and(|(start, end)| start == 0 && end == line.len());
            if only_an_address && before.text.ends_with(':') {
                before.text = format!("{} {line}", before.text);
                continue;
            }
        }
        out.push(match line.strip_prefix("· ") {
            Some(rest) => SeedLine {
                text: rest.to_string(),
                bullet: true,
            },
            None => SeedLine {
                text: line,
                bullet: false,
            },
        });
    }
    out
}

/// Runs of whitespace (the non-breaking space included) to one space, trimmed.
fn normalize(s: &str) -> String {
    s.split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a text for comparing a seed with a model. Colons, commas and semicolons
/// that end a word are left out because the model moves them into structure ("Question 1:"
/// becomes a label, "Lahti, PING Helsinki:" a name and an affiliation); a colon inside a word
/// that is not an address splits it ("Инна-Пириета:Що" is a name and an answer's first word).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split(char::is_whitespace) {
        if token == "·" {
            continue;
        }
        let parts: Vec<&str> = if token.contains("://") {
            vec![token]
        } else {
            token.split(':').collect()
        };
        for part in parts {
            let word = part.trim_end_matches([',', ';', ':']);
            if !word.is_empty() {
                out.push(word.to_string());
            }
        }
    }
    out
}

/// Every visible text of a summary except the words the source adds on purpose: title,
/// short title, event and organiser.
fn visible_content(doc: &Summary) -> Vec<String> {
    let mut texts = doc.visible_text();
    let added = [
        Some(&doc.meta.title),
        doc.meta.short_title.as_ref(),
        Some(&doc.meta.event),
        Some(&doc.meta.organiser),
    ];
    for text in added.into_iter().flatten() {
        if let Some(i) = texts.iter().position(|t| t == text) {
            texts.remove(i);
        }
    }
    texts
}

fn all_blocks(doc: &Summary) -> Vec<&Block> {
    let mut out = Vec::new();
    for section in &doc.sections {
        for block in &section.blocks {
            out.push(block);
            if let Block::Talk(talk) = block {
                out.extend(talk.blocks.iter());
            }
        }
    }
    out
}

fn list_items(doc: &Summary) -> Vec<String> {
    all_blocks(doc)
        .into_iter()
        .filter_map(|b| match b {
            Block::List(l) => Some(l.items.iter().map(|i| plain_text(&i.content))),
            _ => None,
        })
        .flatten()
        .collect()
}

fn count_blocks(doc: &Summary, pick: fn(&Block) -> bool) -> usize {
    all_blocks(doc).into_iter().filter(|b| pick(b)).count()
}

fn collect_links(inlines: &[Inline], out: &mut Vec<String>) {
    for inline in inlines {
        match inline {
            Inline::Link { href, .. } => out.push(href.clone()),
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Lang { content, .. } => collect_links(content, out),
            Inline::Text { .. } => {}
        }
    }
}

/// Every address a reader can follow: links in running text and LinkedIn profiles.
fn link_targets(doc: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &doc.meta.attendance {
        collect_links(&a.text, &mut out);
    }
    if let Some(r) = &doc.meta.recording {
        collect_links(&r.text, &mut out);
    }
    out.extend(doc.people.iter().filter_map(|p| p.linkedin.clone()));
    for block in all_blocks(doc) {
        match block {
            Block::Paragraph(p) => collect_links(&p.content, &mut out),
            Block::List(l) => l
                .items
                .iter()
                .for_each(|i| collect_links(&i.content, &mut out)),
            _ => {}
        }
    }
    for question in doc.questions.iter().flat_map(|q| &q.items) {
        collect_links(&question.text, &mut out);
        for answer in &question.answers {
            answer
                .paragraphs
                .iter()
                .for_each(|p| collect_links(&p.content, &mut out));
        }
    }
    out.sort();
    out
}

/// The addresses written in a seed, as the links they must become.
fn seed_link_targets(lines: &[SeedLine]) -> Vec<String> {
    let mut out = Vec::new();
    for line in lines {
        let mut rest = line.text.as_str();
        while let Some((start, end)) = find_url(rest) {
            let url = &rest[start..end];
            out.push(if url.starts_with("www.") {
                format!("https://{url}")
            } else {
                url.to_string()
            });
            rest = &rest[end..];
        }
    }
    out.sort();
    out
}

/// The seed lines after the recording sentence, where the talks and questions are.
fn seed_body(lines: &[SeedLine]) -> &[SeedLine] {
    let recording = lines
        .iter()
        .position(|l| l.text.contains("webinar-recording.go"))
        .expect("the seed announces the recording");
    &lines[recording + 1..]
}

fn has_line(lines: &[SeedLine], bullet: bool, text: &str) -> bool {
    let text = normalize(text);
    lines.iter().any(|l| l.bullet == bullet && l.text == text)
}

#[test]
fn every_source_has_the_people_talks_and_questions_of_its_seed() {
    for expected in EXPECTED {
        let lang = expected.lang;
        let doc = source(lang);
        assert_eq!(doc.lang, lang);
        assert_eq!(doc.id, "cor-digital-masterclass-2", "{lang}: id");
        assert_eq!(doc.meta.revised, "2026-11-21", "{lang}: revised");
        assert_eq!(doc.meta.date, None, "{lang}: the seeds give no date");
        assert_eq!(doc.meta.labels.linkedin, "LinkedIn", "{lang}");
        assert_eq!(doc.meta.labels.twitter, "Twitter", "{lang}");
        // The seeds have no table of contents; the e-book's navigation needs a heading in the
        // document's own language, so each source supplies one (never an English fallback).
        let contents = doc.meta.labels.contents.as_deref();
        let expected_contents = match lang {
            "da" => "Indhold",
            "bg" => "Съдържание",
            "hu" => "Tartalom",
            "et" => "Sisukord",
            _ => "Contents",
        };
        assert_eq!(contents, Some(expected_contents), "{lang}: contents label");

        let attendance = doc.meta.attendance.as_ref().expect("attendance");
        assert_eq!(
            (attendance.registered, attendance.attended),
            (Some(171), Some(101)),
            "{lang}: attendance figures"
        );
        let recording = doc.meta.recording.as_ref().expect("recording");
        assert_eq!(
            recording.href, "https://www.cor.europa.eu/webinar-recording.go",
            "{lang}"
        );

        let people: Vec<(&str, Role)> =
            doc.people.iter().map(|p| (p.id.as_str(), p.role)).collect();
        assert_eq!(people, PEOPLE, "{lang}: people, their ids and roles");

        let talks: Vec<&str> = doc
            .talks()
            .map(|t| doc.person(t.speaker).id.as_str())
            .collect();
        assert_eq!(
            talks, SPEAKERS_IN_TALK_ORDER,
            "{lang}: talks and their speakers"
        );

        let questions = doc.questions.as_ref().expect("questions");
        assert_eq!(questions.items.len(), 4, "{lang}: questions");
        for (i, (question, by)) in questions.items.iter().zip(ANSWERS_BY).enumerate() {
            assert_eq!(question.number as usize, i + 1, "{lang}: numbering");
            let authors: Vec<&str> = question
                .answers
                .iter()
                .map(|a| doc.person(a.by).id.as_str())
                .collect();
            assert_eq!(authors, by, "{lang}: who answers question {}", i + 1);
        }
        // Inna-Pirjetta answers questions 3 and 4 under her first name only.
        for (q, a) in [(2, 0), (3, 2)] {
            let answer = &questions.items[q].answers[a];
            let first_name = doc.person(answer.by).name.split(' ').next().unwrap_or("");
            assert_eq!(answer.name(&doc), first_name, "{lang}: question {}", q + 1);
        }
        assert_eq!(questions.items[2].answers[0].paragraphs.len(), 2, "{lang}");

        assert_eq!(
            list_items(&doc).len(),
            expected.list_items,
            "{lang}: list items"
        );
        assert_eq!(
            count_blocks(&doc, |b| matches!(b, Block::List(_))),
            expected.lists,
            "{lang}: lists"
        );
        assert_eq!(
            count_blocks(&doc, |b| matches!(b, Block::Subheading(_))),
            expected.subheadings,
            "{lang}: sub-headings"
        );
        assert_eq!(link_targets(&doc).len(), expected.links, "{lang}: links");
    }
}

#[test]
fn counts_recomputed_from_the_seeds_match() {
    for expected in EXPECTED {
        let lang = expected.lang;
        let Some(seed) = seed_text(expected) else {
            continue;
        };
        let doc = source(lang);
        let lines = seed_lines(&seed);
        let body = seed_body(&lines);

        let bullets = body.iter().filter(|l| l.bullet).count();
        assert_eq!(
            bullets, expected.list_items,
            "{lang}: bulleted lines in the seed"
        );
        assert_eq!(list_items(&doc).len(), bullets, "{lang}: list items");

        let runs = body
            .iter()
            .zip(std::iter::once(None).chain(body.iter().map(Some)))
            .filter(|(line, before)| line.bullet && !before.is_some_and(|b| b.bullet))
            .count();
        assert_eq!(
            count_blocks(&doc, |b| matches!(b, Block::List(_))),
            runs,
            "{lang}: one list per run of bulleted lines"
        );

        assert_eq!(
            link_targets(&doc),
            seed_link_targets(&lines),
            "{lang}: the addresses of the seed are the links of the source"
        );

        // Answers per question: the lines between one question and the next that start with
        // a person's name or first name and a colon.
        let questions = doc.questions.as_ref().expect("questions");
        let mut per_question: Vec<usize> = Vec::new();
        for line in body {
            if questions
                .items
                .iter()
                .any(|q| line.text.starts_with(&normalize(&q.label)))
            {
                per_question.push(0);
            } else if let Some(count) = per_question.last_mut() {
                let names_someone = doc.people.iter().any(|p| {
                    let first = p.name.split(' ').next().unwrap_or("");
                    [p.name.as_str(), first]
                        .iter()
                        .any(|n| line.text.starts_with(&format!("{n}:")))
                });
                if names_someone {
                    *count += 1;
                }
            }
        }
        let in_model: Vec<usize> = questions.items.iter().map(|q| q.answers.len()).collect();
        assert_eq!(in_model, per_question, "{lang}: answers per question");
        assert_eq!(in_model, [3, 1, 3, 3], "{lang}: answers per question");
    }
}

#[test]
fn every_line_of_a_source_is_a_line_of_its_seed_with_its_bullet_or_without() {
    for expected in EXPECTED {
        let lang = expected.lang;
        let Some(seed) = seed_text(expected) else {
            continue;
        };
        let doc = source(lang);
        let lines = seed_lines(&seed);
        let mut missing = Vec::new();
        let mut expect = |ok: bool, what: String| {
            if !ok {
                missing.push(what);
            }
        };

        let meta = &doc.meta;
        for text in [
            &meta.attendance.as_ref().expect("attendance").text,
            &meta.recording.as_ref().expect("recording").text,
        ] {
            let text = plain_text(text);
            expect(has_line(&lines, false, &text), format!("meta: {text}"));
        }
        for section in &doc.sections {
            expect(
                has_line(&lines, false, &section.heading),
                format!("heading: {}", section.heading),
            );
            for block in &section.blocks {
                match block {
                    Block::Paragraph(p) => {
                        let text = plain_text(&p.content);
                        expect(has_line(&lines, false, &text), format!("paragraph: {text}"));
                    }
                    Block::People(group) => {
                        expect(
                            has_line(&lines, false, &group.label),
                            format!("people label: {}", group.label),
                        );
                        for person in group.members.iter().map(|r| doc.person(*r)) {
                            let line = match &person.affiliation {
                                Some(a) => format!("{}, {}", person.name, plain_text(a)),
                                None => person.name.clone(),
                            };
                            let found = lines.iter().any(|l| l.text == normalize(&line));
                            expect(found, format!("person: {line}"));
                        }
                    }
                    Block::Talk(talk) => {
                        let affiliation = talk.affiliation.as_deref().unwrap_or("");
                        let tail = normalize(&format!(", {affiliation}: {}", talk.title));
                        let heading = lines.iter().find(|l| !l.bullet && l.text.ends_with(&tail));
                        expect(heading.is_some(), format!("talk heading: …{tail}"));
                        if let Some(heading) = heading {
                            let name = talk.name(&doc);
                            expect(
                                heading.text.starts_with(&format!("{name}, ")),
                                format!("talk speaker: {name} in {}", heading.text),
                            );
                        }
                        for block in &talk.blocks {
                            match block {
                                Block::Paragraph(p) => {
                                    let text = plain_text(&p.content);
                                    expect(
                                        has_line(&lines, false, &text),
                                        format!("paragraph: {text}"),
                                    );
                                }
                                Block::Subheading(h) => {
                                    expect(
                                        has_line(&lines, false, &h.text),
                                        format!("sub-heading: {}", h.text),
                                    );
                                }
                                Block::List(list) => {
                                    for item in &list.items {
                                        let text = plain_text(&item.content);
                                        expect(
                                            has_line(&lines, true, &text),
                                            format!("bulleted item: {text}"),
                                        );
                                    }
                                }
                                Block::People(_) | Block::Talk(_) => {
                                    expect(false, "people or talk inside a talk".into())
                                }
                            }
                        }
                    }
                    Block::Subheading(_) | Block::List(_) => expect(
                        false,
                        format!("unexpected block in section {}", section.heading),
                    ),
                }
            }
        }
        let questions = doc.questions.as_ref().expect("questions");
        expect(
            has_line(&lines, false, &questions.heading),
            format!("heading: {}", questions.heading),
        );
        for question in &questions.items {
            let text = plain_text(&question.text);
            let found = lines.iter().any(|l| {
                l.text
                    .strip_prefix(&normalize(&question.label))
                    .and_then(|rest| rest.strip_prefix([':', ';']))
                    .is_some_and(|rest| rest.trim() == normalize(&text))
            });
            expect(found, format!("question: {} {text}", question.label));
            for answer in &question.answers {
                let mut paragraphs = answer.paragraphs.iter().map(|p| plain_text(&p.content));
                let first = paragraphs.next().unwrap_or_default();
                let found = lines.iter().any(|l| {
                    l.text
                        .strip_prefix(&format!("{}:", answer.name(&doc)))
                        .is_some_and(|rest| rest.trim() == normalize(&first))
                });
                expect(found, format!("answer: {}: {first}", answer.name(&doc)));
                for continuation in paragraphs {
                    expect(
                        has_line(&lines, false, &continuation),
                        format!("answer paragraph: {continuation}"),
                    );
                }
            }
        }
        assert!(
            missing.is_empty(),
            "{lang}: not a line of the seed as written:\n{}",
            missing.join("\n")
        );
    }
}

#[test]
fn every_word_of_each_seed_is_in_its_source_and_no_word_is_added() {
    for expected in EXPECTED {
        let lang = expected.lang;
        let Some(seed) = seed_text(expected) else {
            continue;
        };
        let doc = source(lang);
        // Word multiset: seed words count +1, visible words -1; what is left over differs.
        let mut balance: BTreeMap<String, i64> = BTreeMap::new();
        for word in words(&seed.replace(RESIDUE, "")) {
            *balance.entry(word).or_default() += 1;
        }
        for text in visible_content(&doc) {
            for word in words(&text) {
                *balance.entry(word).or_default() -= 1;
            }
        }
        let lost: Vec<String> = balance
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(w, n)| format!("{w} (×{n})"))
            .collect();
        let added: Vec<String> = balance
            .iter()
            .filter(|(_, n)| **n < 0)
            .map(|(w, n)| format!("{w} (×{})", -n))
            .collect();
        assert!(
            lost.is_empty() && added.is_empty(),
            "{lang}: words of the seed missing from the source: {lost:?}\nwords in the source but not in the seed: {added:?}"
        );
    }
}

#[test]
fn title_event_and_organiser_use_the_words_of_the_first_sentence() {
    for expected in EXPECTED {
        let lang = expected.lang;
        let Some(seed) = seed_text(expected) else {
            continue;
        };
        let doc = source(lang);
        let lines = seed_lines(&seed);
        let first_paragraph = &lines.get(1).expect("a first paragraph").text;
        let lowercase_words = |s: &str| -> Vec<String> {
            s.split(char::is_whitespace)
                .map(|w| {
                    w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                })
                .filter(|w| !w.is_empty())
                .collect()
        };
        let available = lowercase_words(first_paragraph);
        for field in [&doc.meta.title, &doc.meta.event, &doc.meta.organiser] {
            for word in lowercase_words(field) {
                // Hungarian inflects where English uses word order: the title's
                // "médiajelenlét" stands in the sentence as "médiajelenléttel". A word may
                // therefore be the stem of a word of the sentence.
                assert!(
                    available.iter().any(|w| w.starts_with(&word)),
                    "{lang}: \"{word}\" of \"{field}\" is not in the first paragraph"
                );
            }
        }
    }
}

#[test]
fn digit_groups_do_not_break_and_the_danish_figure_stays_as_written() {
    for (lang, figure) in [
        ("en", "20\u{a0}000"),
        ("bg", "20\u{a0}000"),
        ("hu", "20\u{a0}000"),
        ("et", "20\u{a0}000"),
        ("da", "20.000"),
    ] {
        let text = source(lang).visible_text().join("\n");
        assert!(text.contains(figure), "{lang}: {figure:?}");
        assert!(
            !text.contains("20 000"),
            "{lang}: a breakable space in 20 000"
        );
    }
}

#[test]
fn the_texts_own_inconsistencies_are_kept() {
    let da = source("da");
    let voshchevska = da
        .people
        .iter()
        .find(|p| p.id == "voshchevska")
        .expect("person");
    assert_eq!(
        voshchevska.twitter.as_deref(),
        Some("@innastus"),
        "da gives Valeriia @innastus"
    );
    assert_eq!(
        da.questions.as_ref().expect("questions").items[2].label,
        "Spørgsmål 3"
    );
    let bg_doc = source("bg");
    let talk = bg_doc.talks().nth(1).expect("second talk");
    assert_eq!(
        talk.name(&bg_doc),
        "Валлерия Восчевска",
        "bg talk heading keeps its spelling"
    );
    assert_eq!(bg_doc.person(talk.speaker).name, "Валерия Восчевска");
    let bg = bg_doc.visible_text().join("\n");
    for kept in [
        "Inspirration",
        "PCING Helsinki",
        "Ping Helsinki",
        "# Coronafacts",
        "от от",
    ] {
        assert!(bg.contains(kept), "bg keeps {kept:?}");
    }
    let hu = source("hu").visible_text().join("\n");
    assert!(!hu.contains("bookmark"), "hu: layout residue dropped");
    assert!(hu.contains("YouTube-on:www.cor.europa.eu/webinar-recording.go"));
    let et_doc = source("et");
    let et = et_doc.visible_text().join("\n");
    assert!(
        et.contains("Usaldusväärsete sotsiaalmeedia käsiraamat“ on"),
        "et keeps the closing quote without its opening one"
    );
    let labels: Vec<&str> = et_doc
        .questions
        .as_ref()
        .expect("questions")
        .items
        .iter()
        .map(|q| q.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "1.\u{a0}küsimus",
            "2.\u{a0}küsimus",
            "3.\u{a0}küsimus",
            "4. küsimus"
        ],
        "et: each label keeps its own space"
    );
}

/// Line and column (1-based, in characters) of the first occurrence of `needle`.
fn line_and_column(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            return (i + 1, line[..byte].chars().count() + 1);
        }
    }
    panic!("{needle:?} not found");
}

#[test]
fn an_answer_by_an_unknown_person_is_reported_with_file_line_and_column() {
    let original =
        std::fs::read_to_string(common::repo_root().join("sources/en.xml")).expect("en.xml reads");
    let target = "<answer by=\"garavet\">";
    assert!(original.contains(target));
    let broken = original.replacen(target, "<answer by=\"x\">", 1);
    let (line, column) = line_and_column(&broken, "<answer by=\"x\">");
    // The message points at the attribute that names the unknown person.
    let column = column + "<answer ".len();

    let dir = tempfile::tempdir().expect("temporary folder");
    let path: &Path = &dir.path().join("en.xml");
    std::fs::write(path, broken).expect("copy written");

    let (ok, output) = common::run(
        env!("CARGO_BIN_EXE_polypress"),
        &["check", path.to_str().expect("UTF-8 path")],
        None,
    );
    assert!(!ok, "check accepts an answer by nobody:\n{output}");
    let expected = format!("en.xml:{line}:{column}: error: <answer> refers to person \"x\"");
    assert!(
        output.contains(&expected),
        "expected {expected:?} in:\n{output}"
    );
    assert!(
        output.contains("known people"),
        "the message lists who exists:\n{output}"
    );
}
