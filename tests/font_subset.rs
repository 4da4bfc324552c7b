//! Font subsets for DOCX and EPUB: every requested character keeps its glyph, the file is
//! small, the names follow the OFL when renamed, and the bytes are reproducible.

mod common;

use std::collections::BTreeSet;

use polypress::fonts::{subset, FontFace, FontSet, SubsetError};
use rustybuzz::ttf_parser;

/// Bulgarian, Hungarian and Danish letters on top of printable ASCII and the punctuation the
/// sources use: about 120 characters, like one language's document.
fn sample_chars() -> BTreeSet<char> {
    let mut chars: BTreeSet<char> = (' '..='~').collect();
    chars.extend("Оратори ő ű õ š ž æ ø å fi Ő Ű Æ Ø Å".chars());
    chars.extend("Основна информация Що се отнася".chars());
    chars.extend("–—„“”‘’…«»·".chars());
    chars
}

fn fonts() -> FontSet {
    FontSet::embedded().expect("the embedded fonts load")
}

/// Contours and bounding box of a glyph: what a reader would see of it.
fn outline(face: &ttf_parser::Face<'_>, glyph: ttf_parser::GlyphId) -> (usize, Option<[i16; 4]>) {
    struct Contours(usize);
    impl ttf_parser::OutlineBuilder for Contours {
        fn move_to(&mut self, _: f32, _: f32) {}
        fn line_to(&mut self, _: f32, _: f32) {}
        fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
        fn close(&mut self) {
            self.0 += 1;
        }
    }
    let mut contours = Contours(0);
    let bbox = face
        .outline_glyph(glyph, &mut contours)
        .map(|r| [r.x_min, r.y_min, r.x_max, r.y_max]);
    (contours.0, bbox)
}

fn english_names(face: &ttf_parser::Face<'_>) -> Vec<(u16, String)> {
    face.names()
        .into_iter()
        .filter_map(|n| n.to_string().map(|s| (n.name_id, s)))
        .collect()
}

fn name(face: &ttf_parser::Face<'_>, id: u16) -> Option<String> {
    english_names(face)
        .into_iter()
        .find(|(i, _)| *i == id)
        .map(|(_, s)| s)
}

fn check_glyphs(original: &FontFace, bytes: &[u8], chars: &BTreeSet<char>) {
    let font = original.style.file_name();
    let face = ttf_parser::Face::parse(bytes, 0)
        .unwrap_or_else(|e| panic!("{font}: subset does not parse: {e}"));
    for &c in chars {
        let old = original.face.glyph_index(c).expect("sample is covered");
        let new = face
            .glyph_index(c)
            .unwrap_or_else(|| panic!("{font}: {c:?} is not mapped in the subset"));
        assert_ne!(new.0, 0, "{font}: {c:?} maps to .notdef");
        assert_eq!(
            outline(&face, new),
            outline(&original.face, old),
            "{font}: {c:?} changed shape"
        );
        assert_eq!(
            face.glyph_hor_advance(new),
            original.face.glyph_hor_advance(old),
            "{font}: {c:?} changed width"
        );
    }
    assert!(
        face.glyph_index('Ж').is_none(),
        "{font}: a character nobody asked for is mapped"
    );
}

/// The sfnt rule every validator checks: all words of the file sum to 0xB1B0AFBA.
fn whole_font_checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

#[test]
fn every_face_keeps_the_sample_glyphs_small_and_reproducible() {
    let fonts = fonts();
    let chars = sample_chars();
    assert!(chars.len() >= 115, "sample has {} characters", chars.len());
    for face in fonts.faces() {
        let font = face.style.file_name();
        let bytes = subset(face, &chars, None).expect("subset");
        check_glyphs(face, &bytes, &chars);
        assert!(
            bytes.len() * 5 < face.data.len(),
            "{font}: subset is {} bytes of {}",
            bytes.len(),
            face.data.len()
        );
        assert_eq!(whole_font_checksum(&bytes), 0xB1B0_AFBA, "{font}: checksum");
        assert_eq!(
            subset(face, &chars, None).expect("subset"),
            bytes,
            "{font}: two calls differ"
        );
        let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
        assert_eq!(
            name(&parsed, ttf_parser::name_id::FAMILY).as_deref(),
            Some("Source Sans 3"),
            "{font}: unrenamed subset keeps its family for Word to match"
        );
        assert_eq!(
            name(&parsed, ttf_parser::name_id::POST_SCRIPT_NAME),
            Some(face.postscript_name())
        );
    }
}

#[test]
fn renamed_subset_has_the_new_family_and_no_reserved_name() {
    let fonts = fonts();
    let chars = sample_chars();
    for face in fonts.faces() {
        let font = face.style.file_name();
        let bytes = subset(face, &chars, Some("Polypress Sans")).expect("subset");
        check_glyphs(face, &bytes, &chars);
        let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
        let names = english_names(&parsed);
        assert_eq!(
            name(&parsed, ttf_parser::name_id::FAMILY).as_deref(),
            Some("Polypress Sans")
        );
        let postscript = name(&parsed, ttf_parser::name_id::POST_SCRIPT_NAME).expect("PS name");
        assert!(
            postscript.starts_with("PolypressSans-"),
            "{font}: {postscript}"
        );
        for (id, text) in &names {
            assert!(
                !text.to_lowercase().contains("source"),
                "{font}: name {id} still says {text:?}"
            );
        }
        let copyright = name(&parsed, ttf_parser::name_id::COPYRIGHT_NOTICE).expect("copyright");
        assert!(copyright.contains("Adobe"), "{font}: {copyright}");
        assert_eq!(
            subset(face, &chars, Some("Polypress Sans")).expect("subset"),
            bytes
        );
    }
}

#[test]
fn the_four_renamed_styles_stay_one_family_with_distinct_names() {
    let fonts = fonts();
    let chars: BTreeSet<char> = "Ab".chars().collect();
    let postscript: BTreeSet<String> = fonts
        .faces()
        .iter()
        .map(|face| {
            let bytes = subset(face, &chars, Some("Polypress Sans")).expect("subset");
            let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
            name(&parsed, ttf_parser::name_id::POST_SCRIPT_NAME).expect("PS name")
        })
        .collect();
    assert_eq!(postscript.len(), 4, "{postscript:?}");
}

#[test]
fn a_family_name_with_source_is_refused() {
    let fonts = fonts();
    let chars: BTreeSet<char> = "Ab".chars().collect();
    let face = &fonts.faces()[0];
    let error = subset(face, &chars, Some("Source Sans Subset")).expect_err("refused");
    assert!(matches!(error, SubsetError::Family { .. }));
    assert!(error.to_string().contains("Reserved Font Name"), "{error}");
}

#[test]
fn characters_without_a_glyph_are_left_out() {
    let fonts = fonts();
    let face = &fonts.faces()[0];
    let chars: BTreeSet<char> = "A\n\u{E000}".chars().collect();
    let bytes = subset(face, &chars, None).expect("subset");
    let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
    assert!(parsed.glyph_index('A').is_some_and(|g| g.0 != 0));
    assert!(parsed.glyph_index('\n').is_none());
}

/// fontTools (`pip install fonttools`) reads every table, checks every checksum, and finds
/// the characters in its best cmap.
#[test]
fn fonttools_accepts_the_subsets() {
    let available = std::process::Command::new("python3")
        .args(["-c", "import fontTools"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            !common::validators_required(),
            "fontTools is required (POLYPRESS_REQUIRE_VALIDATORS=1): pip install fonttools"
        );
        eprintln!("skipping: python3 with fontTools is not installed");
        return;
    }
    let fonts = fonts();
    let chars = sample_chars();
    let dir = tempfile::tempdir().expect("temporary folder");
    let script = r#"
import sys
from fontTools.ttLib import TTFont
for path in sys.argv[2:]:
    font = TTFont(path, checkChecksums=2)
    font.ensureDecompiled()
    cmap = font.getBestCmap()
    wanted = {ord(c) for c in sys.argv[1]}
    assert set(cmap) == wanted, (path, sorted(set(cmap) ^ wanted))
    assert font["cmap"].getcmap(3, 1) is not None, path
    print(path, font["name"].getBestFamilyName(), len(font.getGlyphOrder()))
"#;
    let mut args = vec!["-c".to_string(), script.to_string(), chars.iter().collect()];
    for face in fonts.faces() {
        for rename in [None, Some("Polypress Sans")] {
            let bytes = subset(face, &chars, rename).expect("subset");
            let path = dir
                .path()
                .join(format!("{}-{}", rename.is_some(), face.style.file_name()));
            std::fs::write(&path, bytes).expect("write subset");
            args.push(path.display().to_string());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, output) = common::run("python3", &args, None);
    assert!(ok, "fontTools rejects a subset:\n{output}");
}
