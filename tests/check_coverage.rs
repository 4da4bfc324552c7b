//! Font coverage: a character the fonts cannot draw is named with its code point, the face
//! that would draw it (following <strong>, <em>, headings and names) and its own position;
//! `polypress fonts` and `check --coverage` show which alphabets the fonts cover.

mod common;

use std::path::Path;
use std::process::Command;

use polypress::check::coverage::missing_glyphs;
use polypress::fonts::{FontSet, Style};
use polypress::source::parse_summary;

fn example_with(edit: impl Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(common::repo_root().join("tests/fixtures/example.xml"))
        .expect("reads");
    edit(text)
}

fn line_col(text: &str, needle: &str) -> String {
    let offset = text.find(needle).expect("needle");
    let before = &text[..offset];
    format!(
        "{}:{}",
        before.matches('\n').count() + 1,
        before.rsplit('\n').next().unwrap_or("").chars().count() + 1
    )
}

#[test]
fn the_style_of_a_missing_character_follows_where_it_sits() {
    let fonts = FontSet::embedded().expect("fonts");
    // U+0F00 (Tibetan) is in no face of Source Sans 3.
    let text = example_with(|t| {
        t.replace(
            "<heading>Background</heading>",
            "<heading>Background \u{0F00}</heading>",
        )
        .replace("with <em>context</em>", "with <em>context \u{0F00}</em>")
        .replace(
            "<strong>1 000</strong>",
            "<strong>1 000 <em>\u{0F00}</em></strong> and \u{0F00}",
        )
    });
    let doc = parse_summary(text.as_bytes(), Path::new("x.xml")).expect("parses");
    let styles: Vec<Style> = missing_glyphs(&doc, &fonts)
        .iter()
        .map(|m| m.style)
        .collect();
    assert_eq!(
        styles,
        [
            Style::Bold,
            Style::Italic,
            Style::BoldItalic,
            Style::Regular
        ]
    );
}

#[test]
fn each_missing_character_is_named_at_its_own_line_and_column() {
    let text = example_with(|t| {
        t.replace(
            "Daily updates built trust.",
            "Daily updates \u{0F00} built trust.",
        )
        .replace(
            "Answer every question within a day;",
            "Answer every question \u{0F00} within a day;",
        )
        .replace(
            "The webinar started with a presentation.",
            "The webinar started &#x1F4C8; with a presentation.",
        )
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("en.xml");
    std::fs::write(&path, &text).expect("writes");
    let output = Command::new(env!("CARGO_BIN_EXE_polypress"))
        .arg("check")
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let file = path.display().to_string();
    let expect = |needle: &str, what: &str| {
        format!(
            "{file}:{}: error: the character {what} has no glyph in Source Sans 3 regular, the face it is drawn in (no face of the embedded fonts has it: replace it; `polypress fonts` lists the alphabets they cover)",
            line_col(&text, needle)
        )
    };
    assert_eq!(
        lines,
        [
            expect("&#x1F4C8;", "'📈' (U+1F4C8)").as_str(),
            expect("\u{0F00} built", "'\u{0F00}' (U+0F00)").as_str(),
            expect("\u{0F00} within", "'\u{0F00}' (U+0F00)").as_str(),
            "polypress: checked 1 sources: 3 errors, 0 warnings",
        ]
    );
}

#[test]
fn the_real_sources_are_fully_covered() {
    let fonts = FontSet::embedded().expect("fonts");
    for path in common::source_files() {
        let bytes = std::fs::read(&path).expect("reads");
        let doc = parse_summary(&bytes, &path).expect("parses");
        assert_eq!(missing_glyphs(&doc, &fonts), vec![], "{}", path.display());
    }
}

#[test]
fn fonts_lists_every_eu_language_as_covered_by_every_face() {
    let output = Command::new(env!("CARGO_BIN_EXE_polypress"))
        .arg("fonts")
        .output()
        .expect("runs");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for tag in [
        "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
        "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(tag))
            .unwrap_or_else(|| panic!("no row for {tag}:\n{stdout}"));
        assert!(row.contains("(EU)"), "{row}");
        assert_eq!(row.matches("yes").count(), 4, "{row}");
    }
    // An alphabet the fonts lack is reported as such, not hidden.
    let georgian = stdout
        .lines()
        .find(|l| l.starts_with("ka "))
        .expect("Georgian row");
    assert_eq!(georgian.matches("NO").count(), 4, "{georgian}");
}

#[test]
fn check_coverage_prints_the_table_and_still_checks() {
    let output = Command::new(env!("CARGO_BIN_EXE_polypress"))
        .args(["check", "--coverage"])
        .arg(common::repo_root().join("tests/fixtures/example.xml"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("hu ")), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("checked 1 sources: 0 errors"), "{stderr}");
}
