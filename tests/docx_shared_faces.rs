//! One set of embedded faces per run: a character only one source uses is in the faces of
//! every DOCX of the run, and a partial run (`--langs`, `--shard`) embeds the same faces as
//! the whole run.

mod common;
mod docx_support;

use std::path::{Path, PathBuf};

use docx_support::embedded_faces;
use polypress::export::docx::FaceRepertoire;
use polypress::export::Format;
use polypress::fonts::FontSet;
use polypress::pipeline::{self, BuildOptions, BuildReport, Shard};

/// A check mark: Source Sans 3 draws it, the editing repertoire does not hold it.
const CHECK_MARK: char = '\u{2713}';

/// Two sources in a fresh folder: the documented example (en) and a French copy of it whose
/// first paragraph starts with a check mark.
fn two_sources() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let sources = dir.path().join("sources");
    std::fs::create_dir_all(&sources).expect("the folder is made");
    let example = std::fs::read_to_string(common::repo_root().join("tests/fixtures/example.xml"))
        .expect("the example reads");
    std::fs::write(sources.join("example.en.xml"), &example).expect("written");
    let checked = example
        .replacen(
            r#"id="city-webinar-3" lang="en""#,
            r#"id="city-webinar-3" lang="fr""#,
            1,
        )
        .replacen("<p>", &format!("<p>{CHECK_MARK} "), 1);
    assert_ne!(checked, example);
    std::fs::write(sources.join("example.fr.xml"), checked).expect("written");
    (dir, sources)
}

fn build(sources: &Path, out: &Path, langs: Option<&[&str]>, shard: Option<Shard>) -> BuildReport {
    let mut options = BuildOptions::new(out);
    options.sources = vec![sources.to_path_buf()];
    options.formats = vec![Format::Docx];
    options.source_date_epoch = Some(1_700_000_000);
    options.langs = langs.map(|l| l.iter().map(|s| s.to_string()).collect());
    options.shard = shard;
    let report = pipeline::build(&options).expect("the build runs");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    report
}

const EN: &str = "en/city-webinar-3.en.docx";
const FR: &str = "fr/city-webinar-3.fr.docx";

fn read(out: &Path, key: &str) -> Vec<u8> {
    std::fs::read(out.join(key)).unwrap_or_else(|e| panic!("{key}: {e}"))
}

#[test]
fn a_character_one_source_uses_is_in_the_same_faces_of_every_docx() {
    let fonts = FontSet::embedded().expect("the fonts load");
    assert!(fonts.faces().iter().all(|f| f.has_char(CHECK_MARK)));
    assert!(!polypress::fonts::repertoire::editing_repertoire().contains(&CHECK_MARK));

    let (dir, sources) = two_sources();
    let out = dir.path().join("out");
    build(&sources, &out, None, None);
    let english = embedded_faces(&read(&out, EN));
    let french = embedded_faces(&read(&out, FR));
    assert_eq!(english.len(), 4);
    for ((element, en_face), (_, fr_face)) in english.iter().zip(&french) {
        assert!(
            en_face == fr_face,
            "{element}: the English and French DOCX embed different faces ({} and {} bytes)",
            en_face.len(),
            fr_face.len()
        );
        let face = ttf_parser::Face::parse(en_face, 0).expect("a font");
        assert!(
            face.glyph_index(CHECK_MARK).is_some_and(|g| g.0 != 0),
            "{element} of the English DOCX lacks the French text's check mark"
        );
    }
}

#[test]
fn a_partial_run_embeds_the_faces_of_the_whole_run() {
    let (dir, sources) = two_sources();
    let whole = dir.path().join("whole");
    build(&sources, &whole, None, None);

    let english_only = dir.path().join("english-only");
    build(&sources, &english_only, Some(&["en"]), None);
    assert!(!english_only.join(FR).exists());
    assert!(
        read(&english_only, EN) == read(&whole, EN),
        "--langs en writes other bytes than the whole run"
    );

    let shards = dir.path().join("shards");
    for index in 1..=2 {
        build(&sources, &shards, None, Some(Shard { index, count: 2 }));
    }
    for key in [EN, FR] {
        assert!(
            read(&shards, key) == read(&whole, key),
            "{key}: the shards write other bytes than the whole run"
        );
    }
}

/// The run's survey reads a source's characters from its XML without building the model:
/// every character a document shows is among them, so its DOCX embeds the run's faces and
/// needs none of its own.
#[test]
fn the_survey_finds_every_character_a_document_shows() {
    let fonts = FontSet::embedded().expect("the fonts load");
    let mut paths = docx_support::source_paths();
    let (_dir, sources) = two_sources();
    paths.push(sources.join("example.fr.xml"));
    for path in paths {
        let bytes = std::fs::read(&path).expect("the source reads");
        let repertoire = FaceRepertoire::new(&fonts, pipeline::source_text_chars(&bytes));
        let doc = pipeline::load_source(&path)
            .expect("the source loads")
            .summary;
        let missing: String = doc
            .visible_text()
            .iter()
            .flat_map(|t| t.chars().collect::<Vec<_>>())
            .filter(|&c| !c.is_control() && fonts.faces().iter().any(|f| f.has_char(c)))
            .filter(|&c| !repertoire.contains(c))
            .collect();
        assert!(missing.is_empty(), "{}: {missing:?}", path.display());
        if path.ends_with("example.fr.xml") {
            assert!(repertoire.contains(CHECK_MARK));
        }
    }
}
