//! Translators' slips `check` warns about, with the fix as a hint: a proper name one language
//! spells differently, an address glued to the word before it, straight and unbalanced
//! quotation marks; and the shape of a Q&A or talk that reads as a mistake. The real sources'
//! own slips are in tests/check_consistency.rs (`real_findings`); here each is planted in a
//! copy of the real sources.

mod common;

use std::path::{Path, PathBuf};

use polypress::check::check_files;
use polypress::fonts::FontSet;

/// The real sources copied into a temporary folder, each changed by `edit(lang, text)`.
fn edited_sources(edit: impl Fn(&str, String) -> String) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for source in common::source_files() {
        let name = source.file_name().expect("name").to_owned();
        let lang = name.to_string_lossy().trim_end_matches(".xml").to_string();
        let text = std::fs::read_to_string(&source).expect("reads");
        let edited = edit(&lang, text.clone());
        let path = dir.path().join(&name);
        std::fs::write(&path, edited).expect("writes");
        files.push(path);
    }
    (dir, files)
}

fn replaced(text: String, from: &str, to: &str) -> String {
    assert!(text.contains(from), "no {from:?} to replace");
    text.replace(from, to)
}

/// Every message `check` gives for these files, with the folder taken out of the paths.
fn findings(files: &[PathBuf], dir: &Path) -> Vec<String> {
    let fonts = FontSet::embedded().expect("fonts");
    let prefix = format!("{}/", dir.display());
    check_files(files, &fonts)
        .diagnostics
        .iter()
        .map(|d| d.to_string().replace(&prefix, ""))
        .collect()
}

/// `line:column` of the first occurrence of `needle` in a file.
fn pos_of(file: &Path, needle: &str) -> String {
    let text = std::fs::read_to_string(file).expect("reads");
    let offset = text.find(needle).expect("needle in file");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("{line}:{column}")
}

fn assert_found(found: &[String], expected: &str) {
    assert!(
        found.iter().any(|f| f.contains(expected)),
        "{expected:?} not in\n{found:#?}"
    );
}

#[test]
fn a_name_one_language_spells_differently_is_named_with_the_others_spelling() {
    let (dir, files) = edited_sources(|lang, text| match lang {
        // An acronym misspelt once, where the same text writes it right elsewhere.
        "et" => replaced(
            text,
            "PING Helsinki vahel, kulus",
            "PIGN Helsinki vahel, kulus",
        ),
        // An ordinary name misspelt everywhere in one language.
        "da" => replaced(text, "Helsinki", "Helsinky"),
        _ => text,
    });
    let found = findings(&files, dir.path());
    assert_found(
        &found,
        &format!(
            "et.xml:{}: warning: et: \"PIGN\" is written \"PING\" in bg, da, en, hu (did you mean \"PING\"?)",
            pos_of(&dir.path().join("et.xml"), "PIGN")
        ),
    );
    assert_found(
        &found,
        "warning: da: \"Helsinky\" is written \"Helsinki\" in bg, en, et, hu (did you mean \"Helsinki\"?)",
    );
}

#[test]
fn exonyms_and_inflected_names_are_no_slips() {
    // The real sources write Turin (en), Torinó (hu), Euroopa (et), TikToki and YouTube’is
    // (et), YouTube-on (hu): none is reported. Only the real slips are.
    let fonts = FontSet::embedded().expect("fonts");
    let report = check_files(&common::source_files(), &fonts);
    let names: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("is written"))
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        names,
        [
            "bg: \"Coronafacts\" is written \"#Coronafacts\" in da, en, et, hu",
            "bg: \"PCING\" is written \"PING\" in da, en, et, hu",
        ]
    );
}

#[test]
fn an_address_glued_to_the_word_before_it() {
    let (dir, files) = edited_sources(|lang, text| match lang {
        "et" => replaced(text, "YouTube’is: www.cor", "YouTube’is:www.cor"),
        "en" => replaced(
            text,
            "in English: https://pingethics.fi",
            "in English:https://pingethics.fi",
        ),
        _ => text,
    });
    let found = findings(&files, dir.path());
    assert_found(
        &found,
        &format!(
            "et.xml:{}: warning",
            pos_of(&dir.path().join("et.xml"), "YouTube’is:www")
        ),
    );
    assert_found(
        &found,
        "warning: et: the address www.cor.europa.eu/webinar-recording.go is glued to \"YouTube’is:\" before it (write a space before it: \"YouTube’is: www.cor.europa.eu/webinar-recording.go\")",
    );
    assert_found(
        &found,
        "warning: en: the address https://pingethics.fi/en/tietoa/ is glued to \"English:\" before it",
    );
}

#[test]
fn straight_and_mismatched_quotation_marks_get_the_languages_own_as_hint() {
    let (dir, files) = edited_sources(|lang, text| match lang {
        "et" => replaced(text, "Termini „võltsuudised“", "Termini \"võltsuudised\""),
        // Closed with the German/Estonian mark where Hungarian closes with ”.
        "hu" => replaced(text, "Az „álhírek” kifejezés", "Az „álhírek“ kifejezés"),
        "bg" => replaced(text, "като „Как ще", "като Как ще"),
        _ => text,
    });
    let found = findings(&files, dir.path());
    assert_found(
        &found,
        "warning: et: straight quotation marks around \"võltsuudised\" (write „võltsuudised“; et writes „…“)",
    );
    assert_found(
        &found,
        "warning: hu: the quotation „álhírek“ opens with „ but closes with “ (close it with ”: „álhírek”; hu writes „…” or »…«)",
    );
    assert_found(
        &found,
        "warning: bg: the closing “ in \"…ни обединяват, като Как ще … COVID-19?“\" has no opening quotation mark (add the opening „ where the quotation starts; bg writes „…“)",
    );
}

/// One source alone: its Q&A numbered 1, 5, 3, 4, Alba Garavet answering question 4 twice,
/// and a talk with only its title.
#[test]
fn questions_out_of_order_a_second_answer_and_an_empty_talk_are_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text =
        std::fs::read_to_string(common::repo_root().join("sources/en.xml")).expect("reads");
    text = replaced(
        text,
        "<question number=\"2\" label=\"Question 2\">",
        "<question number=\"5\" label=\"Question 5\">",
    );
    let q4 = text.find("<question number=\"4\"").expect("question 4");
    let (head, tail) = text.split_at(q4);
    text = format!(
        "{head}{}",
        tail.replacen("<answer by=\"voshchevska\">", "<answer by=\"garavet\">", 1)
    );
    let start = text.find("<talk speaker=\"garavet\"").expect("talk");
    let title_end = start + text[start..].find("</title>").expect("title") + "</title>".len();
    let talk_end = start + text[start..].find("</talk>").expect("end");
    text = format!("{}\n    {}", &text[..title_end], &text[talk_end..]);
    let path = dir.path().join("en.xml");
    std::fs::write(&path, &text).expect("writes");
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .expect("line")
    };
    let found = findings(&[path], dir.path());
    assert_found(
        &found,
        &format!("en.xml:{}:5: warning: en: the questions are numbered 1, 5, 3, 4, not 1 to 4 in order (question 2 would be number=\"2\"; a question may be missing or numbered twice)", line_of("number=\"5\"")),
    );
    let first = line_of("<answer by=\"garavet\">During the crisis");
    assert_found(
        &found,
        &format!("warning: en: \"garavet\" answers question 4 twice (the first answer is at {first}:7) (one of the answers may be another person's)"),
    );
    assert_found(
        &found,
        &format!("en.xml:{}:5: warning: en: the talk by \"garavet\" has no text under its title (its text may be missing from the translation)", line_of("<talk speaker=\"garavet\"")),
    );
}
