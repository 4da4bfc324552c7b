//! `polypress import` as a user runs it: a language it was not tuned on, encodings, line
//! ends, messages on stderr, and the files it writes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polypress::model::{Block, Role};
use polypress::source::parse_summary;

fn polypress() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_polypress"));
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An Estonian text written for this test: a language, labels ("Esinejad:", "Küsimus 1:",
/// "X:") and bullets ("•") the importer has never seen.
fn estonian() -> PathBuf {
    common::repo_root().join("tests/fixtures/import/et.txt")
}

/// The source after the editor's first step: writing the title, event and organiser import
/// left empty because the text does not say them.
fn filled(xml: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(xml)
        .replace("<title></title>", "<title>Title</title>")
        .replace("<event></event>", "<event>Event</event>")
        .replace(
            "<organiser></organiser>",
            "<organiser>Organiser</organiser>",
        )
        .into_bytes()
}

fn import_to_stdout(file: &Path, lang: &str) -> Output {
    polypress()
        .args([
            "import",
            "--lang",
            lang,
            "--revised",
            "2026-11-21",
            "-o",
            "-",
        ])
        .arg(file)
        .output()
        .expect("polypress runs")
}

#[test]
fn a_new_language_is_recognised_from_layout_alone() {
    let out = import_to_stdout(&estonian(), "et");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let doc =
        parse_summary(&filled(&out.stdout), Path::new("et.xml")).expect("the output passes check");
    let people: Vec<(&str, &str, Role)> = doc
        .people
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str(), p.role))
        .collect();
    assert_eq!(
        people,
        vec![
            ("tamm", "Mari Tamm", Role::Speaker),
            ("ounapuu", "Jüri Õunapuu", Role::Speaker),
            ("kask", "Kadri Kask", Role::Moderator),
            ("saar", "Peeter Saar", Role::Welcome),
        ]
    );
    assert_eq!(doc.people[0].twitter.as_deref(), Some("@maritamm"));
    assert_eq!(
        doc.meta.labels.twitter, "X",
        "the label is the text's own word"
    );
    let attendance = doc.meta.attendance.as_ref().expect("attendance");
    assert_eq!(
        (attendance.registered, attendance.attended),
        (Some(240), Some(180))
    );
    assert_eq!(
        doc.meta.recording.as_ref().map(|r| r.href.as_str()),
        Some("https://www.example.eu/et-recording")
    );
    let talks: Vec<(&str, &str)> = doc
        .talks()
        .map(|t| (doc.person(t.speaker).id.as_str(), t.title.as_str()))
        .collect();
    assert_eq!(
        talks,
        vec![
            ("tamm", "Kriisisuhtlus sotsiaalmeedias"),
            ("ounapuu", "Usalduse mõõtmine")
        ]
    );
    let first_talk = doc.talks().next().expect("a talk");
    assert!(matches!(&first_talk.blocks[1], Block::Subheading(s) if s.text == "Õppetunnid:"));
    assert!(matches!(&first_talk.blocks[2], Block::List(l) if l.items.len() == 2));
    let questions = doc.questions.as_ref().expect("questions");
    assert_eq!(questions.heading, "Küsimused ja vastused");
    assert_eq!(questions.items[0].label, "Küsimus 1");
    let first = &questions.items[0].answers;
    assert_eq!(first.len(), 2);
    assert_eq!(
        first[0].name(&doc),
        "Jüri",
        "a first name is kept as written"
    );
    assert_eq!(
        first[1].paragraphs.len(),
        2,
        "a line without a name continues the answer"
    );
    // Escaping: the ampersand of an address and angle brackets in the text survive.
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.contains("juhend?a=1&amp;b=2"));
    assert!(xml.contains("&lt;taust&gt;"));
    // The line it could not place is kept and reported with its line number.
    assert!(xml.contains("<p>Lisainfo saamiseks kirjutage meile.</p>"));
    assert!(
        err.contains("et.txt:17: kept as a paragraph: \"Lisainfo saamiseks kirjutage meile.\""),
        "{err}"
    );
    assert!(
        err.lines().last().is_some_and(|l| l
            == "polypress: imported 4 people, 2 talks, 2 questions, 3 answers, 3 list items, 4 links"),
        "{err}"
    );
}

#[test]
fn bom_and_crlf_give_the_same_source_as_plain_lf() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let lf = std::fs::read_to_string(estonian()).expect("fixture");
    let windows = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let path = dir.path().join("et.txt");
    std::fs::write(&path, windows).expect("write");
    let from_windows = import_to_stdout(&path, "et");
    assert!(from_windows.status.success(), "{}", stderr(&from_windows));
    let from_lf = import_to_stdout(&estonian(), "et");
    assert_eq!(
        String::from_utf8_lossy(&from_windows.stdout),
        String::from_utf8_lossy(&from_lf.stdout)
    );
    assert!(stderr(&from_windows).contains("et.txt:17: kept as a paragraph"));
}

#[test]
fn other_encodings_get_a_clear_error() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Taust\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let path = dir.path().join("utf16.txt");
    std::fs::write(&path, utf16).expect("write");
    let out = import_to_stdout(&path, "et");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("utf16.txt: the file is UTF-16"), "{err}");
    assert!(err.contains("save it as UTF-8"), "{err}");
    assert!(out.stdout.is_empty());

    let path = dir.path().join("latin1.txt");
    std::fs::write(&path, b"Taust\nV\xe4ga hea\n").expect("write");
    let out = import_to_stdout(&path, "et");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("not UTF-8: byte 7 (line 2) is 0xE4"), "{err}");
}

#[test]
fn the_revision_date_comes_from_the_option_or_source_date_epoch_never_the_clock() {
    let out = polypress()
        .args(["import", "--lang", "et", "-o", "-"])
        .arg(estonian())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--revised YYYY-MM-DD"),
        "{}",
        stderr(&out)
    );

    let out = polypress()
        .args(["import", "--lang", "et", "-o", "-"])
        .arg(estonian())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("<revised>2023-11-14</revised>"));
}

#[test]
fn writes_sources_lang_xml_which_check_accepts_and_never_overwrites_unasked() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let run = |extra: &[&str]| {
        polypress()
            .current_dir(dir.path())
            .args(["import", "--lang", "et", "--revised", "2026-11-21"])
            .args(extra)
            .arg(estonian())
            .output()
            .expect("runs")
    };
    let out = run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = dir.path().join("sources/et.xml");
    assert!(written.is_file());

    let check = || {
        polypress()
            .current_dir(dir.path())
            .args(["check", "sources/et.xml"])
            .output()
            .expect("runs")
    };
    // The text has no title: import left it empty with a comment, and check says where it
    // is missing until the editor writes one.
    let first = check();
    assert_eq!(first.status.code(), Some(1));
    assert!(
        stderr(&first).contains("sources/et.xml:6:5: error: <title> is empty"),
        "{}",
        stderr(&first)
    );
    let text = std::fs::read(&written).expect("reads");
    std::fs::write(&written, filled(&text)).expect("writes");
    let check = check();
    assert!(check.status.success(), "{}", stderr(&check));

    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(run(&["--force"]).status.success());
}

#[test]
fn ids_from_another_language_reuses_its_ids() {
    let en = common::repo_root().join("sources/en.xml");
    let bg = common::repo_root().join("tests/fixtures/seeds/001_88a5dcbe7de0ec8e.txt");
    let out = polypress()
        .args([
            "import",
            "--lang",
            "bg",
            "--revised",
            "2026-11-21",
            "-o",
            "-",
        ])
        .arg("--ids-from")
        .arg(&en)
        .arg(&bg)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = parse_summary(&filled(&out.stdout), Path::new("bg.xml")).expect("passes check");
    let ids: Vec<&str> = doc.people.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["lahti", "voshchevska", "garavet", "ladwig", "tkadlcikova"]
    );
    assert_eq!(doc.id, "cor-digital-masterclass-2");
    // Without it, Cyrillic surnames are transliterated.
    let out = import_to_stdout(&bg, "bg");
    let doc = parse_summary(&filled(&out.stdout), Path::new("bg.xml")).expect("passes check");
    assert_eq!(doc.people[3].id, "ladvig");
}
