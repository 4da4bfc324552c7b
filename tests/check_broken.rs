//! Broken sources: each file in tests/broken/ gives exactly its expected message, with the
//! file, line and column; generated monsters (50 MB text node, 100 000 levels of nesting)
//! are refused fast and in bounded memory; a build with one broken source among good ones
//! builds the good ones, writes nothing for the broken one and exits 1.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use polypress::check::check_files;
use polypress::export::Format;
use polypress::fonts::FontSet;
use polypress::pipeline::{self, BuildOptions};

/// Every broken source and the messages (one a line) `polypress check` must give for it.
const EXPECTED: &[(&str, &str)] = &[
    ("bad-handle.xml", "15:9: error: \"innastus\" is not an X/Twitter handle: '@' then 1 to 15 letters, digits or '_' (did you mean @innastus?)"),
    ("bad-url.xml", "23:78: error: link address \"www.pingethics.fi\" is not an http(s) URL (did you mean \"https://www.pingethics.fi\"?)"),
    ("byte-order-mark-twice.xml", "1:2: error: a second byte-order mark (U+FEFF, bytes EF BB BF) at byte offset 3; the file was saved twice with a BOM: remove it"),
    ("deep-nesting.xml", "23:291: error: elements nested deeper than 64 levels; the format needs fewer than ten: is an end tag missing, or markup pasted repeatedly?"),
    ("duplicate-id.xml", "17:7: error: a second person with id \"lahti\" (the first is at 13:7)"),
    ("empty-title.xml", "22:7: error: <title> is empty"),
    ("entity-expansion.xml", "2:1: error: the DOCTYPE declares entities; polypress never expands entities, remove the DOCTYPE"),
    ("lone-less-than.xml", "23:51: error: a `<` that starts no element: write a lone < in text as &lt;"),
    ("missing-attribute.xml", "21:5: error: <talk> needs the attribute `speaker`"),
    ("missing-glyph.xml", "23:80: error: the character variation selector (U+FE0F) has no glyph in Source Sans 3 bold, the face it is drawn in (an invisible formatting character, often pasted from a word processor or a web page: remove it; polypress sets text left to right and cannot draw it)\n23:82: error: the character '📈' (U+1F4C8) has no glyph in Source Sans 3 bold, the face it is drawn in (no face of the embedded fonts has it: replace it; `polypress fonts` lists the alphabets they cover)"),
    ("not-well-formed.xml", "22:38: error: the XML is not well-formed: ill-formed document: expected `</title>`, but `</titel>` was found"),
    ("stray-byte.xml", "6:50: error: the file is not valid UTF-8: byte 0xE9 at byte offset 247 is not part of a UTF-8 character; save the file as UTF-8"),
    ("truncated.xml", "23:51: error: the file ends before <p> (opened at 23:7) is closed: expected </p>"),
    ("undefined-entity.xml", "23:31: error: unknown entity `&nbsp;`: XML knows only &amp; &lt; &gt; &quot; &apos;; write &#160; (or the no-break space itself)"),
    ("unquoted-attribute.xml", "21:19: error: in the attributes of <talk>: the value must be in quotes: name=\"value\""),
    ("unknown-attribute.xml", "21:27: error: <talk> has no attribute `affilation` (did you mean `affiliation`?)"),
    ("unknown-element.xml", "21:5: error: <tlak> is not allowed in <section> (did you mean <talk>?)"),
    ("unknown-person.xml", "21:11: error: <talk> refers to person \"lahty\", but no <person id=\"lahty\"> exists (did you mean \"lahti\"?)"),
    ("utf16-no-bom.xml", "1:1: error: the file looks like UTF-16 (big-endian, without a byte-order mark: every other byte is 0); save it as UTF-8"),
    ("utf16.xml", "1:1: error: the file is UTF-16 (little-endian: it starts with a UTF-16 byte-order mark, bytes 0xFF 0xFE); save it as UTF-8"),
    ("zero-width-joiner.xml", "4:29: error: the character zero width joiner (U+200D) has no glyph in Source Sans 3 bold, the face it is drawn in (an invisible formatting character, often pasted from a word processor or a web page: remove it; polypress sets text left to right and cannot draw it)"),
    ("directional-mark.xml", "23:28: error: the character left-to-right mark (U+200E) has no glyph in Source Sans 3 regular, the face it is drawn in (an invisible formatting character, often pasted from a word processor or a web page: remove it; polypress sets text left to right and cannot draw it)"),
    ("right-to-left-override.xml", "22:27: error: the character right-to-left override (U+202E) has no glyph in Source Sans 3 bold, the face it is drawn in (an invisible formatting character, often pasted from a word processor or a web page: remove it; polypress sets text left to right and cannot draw it)"),
    ("em-space-in-title.xml", "4:29: error: the character em space (U+2003) has no glyph in Source Sans 3 bold, the face it is drawn in (a space the fonts lack: write a plain space, or a no-break space (U+00A0) or thin space (U+2009), which they have)"),
    ("long-id.xml", "2:22: error: id \"broken-example-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\" is 297 characters long; output file names are made of it, and file systems allow 255 bytes: at most 120"),
    ("control-character.xml", "8:42: error: the character U+0001 (a control character) at byte offset 334 is not allowed in a source: XML 1.0 refuses it, and no output may hold it (remove it: XML allows no control characters but tab and line ends; text pasted from another program often carries them)"),
    ("noncharacter-reference.xml", "8:51: error: the character U+FFFE (a noncharacter) at byte offset 343 is not allowed in a source: XML 1.0 refuses it, and no output may hold it (remove it: Unicode reserves it as a marker that is never text; it is often left by a faulty conversion)"),
    ("wrong-version.xml", "2:10: error: format version \"2\" is not one this polypress reads; expected version=\"1\""),
];

fn broken_dir() -> PathBuf {
    common::repo_root().join("tests/broken")
}

fn fonts() -> FontSet {
    FontSet::embedded().expect("embedded fonts")
}

/// The messages `check` gives for one file, each as `file:line:col: ...`.
fn messages(path: &Path) -> Vec<String> {
    check_files(&[path.to_path_buf()], &fonts())
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn every_broken_source_gives_its_exact_error_with_position() {
    let mut listed: Vec<String> = std::fs::read_dir(broken_dir())
        .expect("tests/broken lists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    listed.sort();
    let mut expected_names: Vec<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    expected_names.sort();
    assert_eq!(
        listed, expected_names,
        "every file in tests/broken needs its expected message here"
    );
    for (name, expected) in EXPECTED {
        let path = broken_dir().join(name);
        let got = messages(&path);
        let expected: Vec<String> = expected
            .lines()
            .map(|line| format!("{}:{line}", path.display()))
            .collect();
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn the_good_base_of_the_broken_sources_is_clean() {
    // The broken files are one valid source with one fault each: the unbroken text passes,
    // so each message above is caused by its fault alone.
    let base = std::fs::read_to_string(broken_dir().join("unknown-element.xml"))
        .expect("reads")
        .replace("tlak", "talk");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("base.xml");
    std::fs::write(&path, base).expect("writes");
    assert_eq!(messages(&path), Vec::<String>::new());
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let base =
        std::fs::read(common::repo_root().join("tests/fixtures/example.xml")).expect("reads");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bom.xml");
    std::fs::write(&path, [&[0xEF, 0xBB, 0xBF][..], &base].concat()).expect("writes");
    assert_eq!(messages(&path), Vec::<String>::new());
}

#[test]
fn a_50_mb_text_node_is_refused_at_the_size_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.xml");
    let mut text = String::from(
        "<?xml version=\"1.0\"?>\n<summary version=\"1\" id=\"x\" lang=\"en\">\n<section><heading>H</heading><p>",
    );
    text.push_str(&"a".repeat(50 * 1024 * 1024));
    text.push_str("</p></section></summary>\n");
    // The limit (8 MiB) falls inside the text node on line 3.
    let line_start = text.match_indices('\n').nth(1).map_or(0, |(i, _)| i + 1);
    let column = 8 * 1024 * 1024 - line_start + 1;
    std::fs::write(&path, text).expect("writes");
    let got = messages(&path);
    assert_eq!(
        got,
        vec![format!(
            "{}:3:{column}: error: the file is larger than 8388608 bytes (8 MiB), the most polypress reads; it passes that size here, at byte offset 8388608",
            path.display()
        )]
    );
}

#[test]
fn a_hundred_thousand_levels_of_nesting_are_refused_at_level_65() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("deep.xml");
    let depth = 100_000;
    let text = format!(
        "<summary version=\"1\" id=\"x\" lang=\"en\">{}{}</summary>",
        "<section>".repeat(depth),
        "</section>".repeat(depth)
    );
    std::fs::write(&path, text).expect("writes");
    // <summary> is level 1; the 64th <section> would be level 65.
    let column = "<summary version=\"1\" id=\"x\" lang=\"en\">".len() + 63 * "<section>".len() + 1;
    assert_eq!(
        messages(&path),
        vec![format!(
            "{}:1:{column}: error: elements nested deeper than 64 levels; the format needs fewer than ten: is an end tag missing, or markup pasted repeatedly?",
            path.display()
        )]
    );
}

#[test]
fn check_exits_1_on_errors_and_2_on_wrong_usage() {
    let bin = env!("CARGO_BIN_EXE_polypress");
    let broken = broken_dir().join("unknown-person.xml");
    let out = Command::new(bin)
        .arg("check")
        .arg(&broken)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown-person.xml:21:11: error:"),
        "{stderr}"
    );

    let good = common::repo_root().join("tests/fixtures/example.xml");
    let out = Command::new(bin)
        .arg("check")
        .arg(&good)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(bin)
        .args(["check", "--no-such-flag"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin)
        .args(["check", "/nonexistent/folder/"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin)
        .args([
            "build",
            "/nonexistent/source.xml",
            "--out",
            "/nonexistent/out",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing source path is wrong usage"
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no such file or folder: /nonexistent/source.xml"));
}

/// Two good sources (the documented example in English and a copy as Danish) and one broken.
fn mixed_sources(dir: &Path) -> (Vec<PathBuf>, PathBuf) {
    let example = common::repo_root().join("tests/fixtures/example.xml");
    let english = std::fs::read_to_string(&example).expect("reads");
    let danish_path = dir.join("da.xml");
    std::fs::write(&danish_path, english.replace("lang=\"en\"", "lang=\"da\"")).expect("writes");
    let broken = broken_dir().join("unknown-element.xml");
    (vec![example, danish_path, broken.clone()], broken)
}

#[test]
fn build_builds_the_good_sources_and_nothing_for_the_broken_one() {
    let sources_dir = tempfile::tempdir().expect("temp dir");
    let (sources, broken) = mixed_sources(sources_dir.path());
    let out = tempfile::tempdir().expect("temp dir");
    let mut options = BuildOptions::new(out.path());
    options.sources = sources;
    options.source_date_epoch = Some(1_700_000_000);
    let report = pipeline::build(&options).expect("build runs");

    // Exactly one failure: the broken source, as a whole, with its positioned message.
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let failure = &report.failures[0];
    assert_eq!(failure.source, broken);
    assert_eq!(failure.format, None);
    assert!(
        failure
            .message
            .ends_with("unknown-element.xml:21:5: error: <tlak> is not allowed in <section> (did you mean <talk>?)"),
        "{}",
        failure.message
    );
    // Every format whose writer exists was written for both good sources, none for the
    // broken one (its id is "broken-example").
    for format in Format::ALL {
        let written = !report.unavailable.contains(&format);
        for lang in ["en", "da"] {
            let path = out.path().join(format!(
                "{lang}/city-webinar-3.{lang}.{}",
                format.extension()
            ));
            assert_eq!(path.exists(), written, "{}", path.display());
        }
        for lang in ["en", "da"] {
            let path = out.path().join(format!(
                "{lang}/broken-example.{lang}.{}",
                format.extension()
            ));
            assert!(!path.exists(), "{}", path.display());
        }
    }
    assert!(report
        .outputs
        .iter()
        .all(|o| o.path.contains("city-webinar-3")));
}

#[test]
fn build_with_a_broken_source_exits_1_through_the_binary() {
    let sources_dir = tempfile::tempdir().expect("temp dir");
    let (sources, _) = mixed_sources(sources_dir.path());
    let out = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_polypress"))
        .arg("build")
        .args(&sources)
        .arg("--out")
        .arg(out.path())
        // One format is enough here; the test above covers every format.
        .args(["--formats", "epub"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown-element.xml:21:5: error: <tlak> is not allowed in <section>"),
        "{stderr}"
    );
    let manifest = out.path().join("manifest.json");
    if manifest.exists() {
        let text = std::fs::read_to_string(manifest).expect("reads");
        assert!(!text.contains("broken-example"), "{text}");
        assert!(text.contains("city-webinar-3"), "{text}");
    }
}

#[test]
fn build_refuses_a_source_whose_characters_the_fonts_cannot_draw() {
    let out = tempfile::tempdir().expect("temp dir");
    let mut options = BuildOptions::new(out.path());
    options.sources = vec![broken_dir().join("missing-glyph.xml")];
    let report = pipeline::build(&options).expect("build runs");
    assert_eq!(report.failures.len(), 1);
    assert!(
        report.failures[0]
            .message
            .contains("missing-glyph.xml:23:82: error: the character '📈' (U+1F4C8)"),
        "{}",
        report.failures[0].message
    );
    assert!(report.outputs.is_empty());
}

/// The sources `check` and `build` are compared on: every broken source, and good ones.
fn agreement_sources() -> Vec<PathBuf> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(broken_dir())
        .expect("tests/broken lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    sources.sort();
    sources.push(common::repo_root().join("tests/fixtures/example.xml"));
    sources.extend(common::source_files());
    sources
}

#[test]
fn check_fails_on_a_source_if_and_only_if_build_fails_on_it() {
    // One set of rules: whatever build refuses to render, check has already named (with
    // file:line:column), and what check accepts builds in every format.
    let fonts = fonts();
    let mut disagreements = Vec::new();
    let sources = agreement_sources();
    for source in &sources {
        let checked = check_files(std::slice::from_ref(source), &fonts);
        let out = tempfile::tempdir().expect("temp dir");
        let mut options = BuildOptions::new(out.path());
        options.sources = vec![source.clone()];
        options.source_date_epoch = Some(1_700_000_000);
        let report = pipeline::build_with_fonts(&options, &fonts).expect("build runs");
        let check_fails = checked.errors() > 0;
        let build_fails = !report.failures.is_empty();
        if check_fails != build_fails {
            disagreements.push(format!(
                "{}: check {}, build {}: {:?} / {:?}",
                source.display(),
                if check_fails { "fails" } else { "passes" },
                if build_fails { "fails" } else { "passes" },
                checked
                    .diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                report
                    .failures
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ));
        }
        if check_fails {
            assert!(
                checked.diagnostics.iter().all(|d| d.pos.is_some()),
                "{}: every reason is positioned: {:?}",
                source.display(),
                checked.diagnostics
            );
        }
    }
    assert!(sources.len() > 25, "{} sources", sources.len());
    assert_eq!(disagreements, Vec::<String>::new());
}
