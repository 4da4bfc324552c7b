//! Font subsets for DOCX and EPUB: every requested character keeps its glyph, the file is
//! small, the names follow the OFL when renamed, and the bytes are reproducible.

mod common;

use std::collections::BTreeSet;

use polypress::fonts::{FontFace, FontSet, Layout, Subset, SubsetError};

/// A subset kept (None) or renamed, with its characters' default forms and no layout tables.
fn subset(
    face: &FontFace,
    chars: &BTreeSet<char>,
    rename: Option<&str>,
) -> Result<Vec<u8>, SubsetError> {
    let how = Subset {
        rename,
        ..Subset::default()
    };
    polypress::fonts::subset(face, chars, &how)
}

/// A subset whose cmap maps a language's local forms.
fn subset_localized(
    face: &FontFace,
    chars: &BTreeSet<char>,
    rename: Option<&str>,
    language: Option<&str>,
) -> Result<Vec<u8>, SubsetError> {
    let how = Subset {
        rename,
        localize: language,
        ..Subset::default()
    };
    polypress::fonts::subset(face, chars, &how)
}
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

/// Whether `python3` can import `module`; when it cannot and CI requires validators, fails.
fn python_module_available(module: &str, package: &str) -> bool {
    let available = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            !common::validators_required(),
            "{module} is required (POLYPRESS_REQUIRE_VALIDATORS=1): pip install {package}"
        );
        eprintln!("skipping: python3 cannot import {module} (pip install {package})");
    }
    available
}

/// The subsets of every face, plain, renamed, and renamed with Bulgarian forms, in `dir`.
fn write_subsets(dir: &std::path::Path, chars: &BTreeSet<char>) -> Vec<String> {
    let fonts = fonts();
    let mut paths = Vec::new();
    for face in fonts.faces() {
        for (label, rename, language, layout, hinting) in [
            ("plain", None, None, Layout::None, true),
            ("renamed", Some("Polypress Sans"), None, Layout::None, true),
            ("bg", Some("Polypress Sans"), Some("bg"), Layout::None, true),
            ("docx", None, None, Layout::Substitutions, false),
            (
                "epub-bg",
                Some("Polypress Sans"),
                Some("bg"),
                Layout::Full,
                true,
            ),
            (
                "epub",
                Some("Polypress Sans"),
                Some("hu"),
                Layout::Full,
                true,
            ),
        ] {
            let how = Subset {
                rename,
                localize: language,
                layout,
                hinting,
            };
            let bytes = polypress::fonts::subset(face, chars, &how).expect("subset");
            let path = dir.join(format!("{label}-{}", face.style.file_name()));
            std::fs::write(&path, bytes).expect("write subset");
            paths.push(path.display().to_string());
        }
    }
    paths
}

/// The OpenType Sanitizer (`pip install opentype-sanitizer`) is what Chromium and Firefox run
/// on every web font, so an EPUB reading system built on them loads what it accepts.
#[test]
fn the_browser_sanitizer_accepts_the_subsets() {
    if !python_module_available("ots", "opentype-sanitizer") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let script = r#"
import sys, ots
failed = [p for p in sys.argv[1:] if ots.sanitize(p, capture_output=True).returncode != 0]
for path in failed:
    print("OTS rejects", path, ots.sanitize(path, capture_output=True).stderr)
sys.exit(1 if failed else 0)
"#;
    let mut args = vec!["-c".to_string(), script.to_string()];
    args.extend(write_subsets(dir.path(), &sample_chars()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, output) = common::run("python3", &args, None);
    assert!(ok, "{output}");
}

/// fontTools (`pip install fonttools`) reads every table, checks every checksum, and finds
/// exactly the requested characters in its best cmap.
#[test]
fn fonttools_accepts_the_subsets() {
    if !python_module_available("fontTools", "fonttools") {
        return;
    }
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
    os2 = font["OS/2"]
    assert (os2.usFirstCharIndex, os2.usLastCharIndex) == (min(cmap), max(cmap)), path
    print(path, font["name"].getBestFamilyName(), len(font.getGlyphOrder()))
"#;
    let mut args = vec!["-c".to_string(), script.to_string(), chars.iter().collect()];
    args.extend(write_subsets(dir.path(), &chars));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, output) = common::run("python3", &args, None);
    assert!(ok, "fontTools rejects a subset:\n{output}");
}

/// The glyph rustybuzz (an independent shaper: polypress shapes with harfrust) gives a lone
/// character of a font file, in a language or by default.
fn shaped_glyph(font: &[u8], c: char, language: Option<&str>) -> u32 {
    let face = &rustybuzz::Face::from_slice(font, 0).expect("font parses");
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(&c.to_string());
    if let Some(language) = language {
        buffer.set_language(language.parse().expect("language tag"));
    }
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(face, &[], buffer);
    let infos = shaped.glyph_infos();
    assert_eq!(infos.len(), 1, "{c:?} shapes to one glyph");
    infos[0].glyph_id
}

#[test]
fn a_bulgarian_subset_maps_the_bulgarian_letter_forms() {
    let fonts = fonts();
    let chars: BTreeSet<char> = "Основна информация дж ЖД".chars().collect();
    for face in fonts.faces() {
        let font = face.style.file_name();
        let localized: Vec<char> = chars
            .iter()
            .copied()
            .filter(|&c| shaped_glyph(face.data, c, Some("bg")) != shaped_glyph(face.data, c, None))
            .collect();
        assert!(
            localized.contains(&'д') && localized.contains(&'ж'),
            "{font}: Bulgarian forms for {localized:?}"
        );
        let bytes =
            subset_localized(face, &chars, Some("Polypress Sans"), Some("bg")).expect("subset");
        let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
        for &c in &chars {
            let Some(new) = parsed.glyph_index(c) else {
                assert_eq!(c, ' ', "{font}: {c:?} unmapped");
                continue;
            };
            let bulgarian = ttf_parser::GlyphId(shaped_glyph(face.data, c, Some("bg")) as u16);
            assert_eq!(
                outline(&parsed, new),
                outline(&face.face, bulgarian),
                "{font}: {c:?} does not have its Bulgarian form"
            );
        }
        // Without a language the same characters keep their default forms.
        let plain = subset(face, &chars, None).expect("subset");
        let plain = ttf_parser::Face::parse(&plain, 0).expect("parses");
        let default_d = face.face.glyph_index('д').expect("д");
        assert_eq!(
            outline(&plain, plain.glyph_index('д').expect("д")),
            outline(&face.face, default_d)
        );
    }
}

#[test]
fn an_unusable_language_tag_is_an_error() {
    let fonts = fonts();
    let chars: BTreeSet<char> = "Ab".chars().collect();
    let error = subset_localized(&fonts.faces()[0], &chars, None, Some("")).expect_err("refused");
    assert!(error.to_string().contains("language"), "{error}");
}

/// U+2010..U+2011 share the hyphen's glyph: they must not be mapped, nor counted in OS/2.
#[test]
fn characters_sharing_a_glyph_stay_out_unless_asked_for() {
    let fonts = fonts();
    let chars: BTreeSet<char> = "A-".chars().collect();
    let bytes = subset(&fonts.faces()[0], &chars, None).expect("subset");
    let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
    assert!(parsed.glyph_index('-').is_some());
    assert!(parsed.glyph_index('\u{2011}').is_none(), "U+2011 is mapped");
    let os2 = parsed
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(b"OS/2"))
        .expect("OS/2");
    let first_last = os2.get(64..68).expect("OS/2 char range");
    assert_eq!(
        first_last,
        [0, b'-', 0, b'A'],
        "usFirstCharIndex, usLastCharIndex"
    );
}

/// fontconfig (what LibreOffice on Linux uses to load a DOCX's embedded fonts) reads the
/// family and style of every subset.
#[test]
fn fontconfig_reads_family_and_style() {
    if !common::tool_available("fc-scan", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let paths = write_subsets(dir.path(), &sample_chars());
    let mut args = vec!["--format", "%{family}|%{style}\n"];
    args.extend(paths.iter().map(String::as_str));
    let (ok, output) = common::run("fc-scan", &args, None);
    assert!(ok, "{output}");
    let seen: BTreeSet<&str> = output.lines().collect();
    let expected: BTreeSet<&str> = [
        "Source Sans 3|Regular",
        "Source Sans 3|Bold",
        "Source Sans 3|Italic",
        "Source Sans 3|Bold Italic",
        "Polypress Sans|Regular",
        "Polypress Sans|Bold",
        "Polypress Sans|Italic",
        "Polypress Sans|Bold Italic",
    ]
    .into();
    assert_eq!(seen, expected, "{output}");
}

/// The glyphs and advances rustybuzz gives `text` with a font file.
fn shaped(font: &[u8], text: &str, language: Option<&str>) -> Vec<(u32, i32)> {
    let face = rustybuzz::Face::from_slice(font, 0).expect("font parses");
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    if let Some(language) = language {
        buffer.set_language(language.parse().expect("language tag"));
    }
    let output = rustybuzz::shape(&face, &[], buffer);
    output
        .glyph_infos()
        .iter()
        .zip(output.glyph_positions())
        .map(|(info, position)| (info.glyph_id, position.x_advance))
        .collect()
}

/// The feature tags of a GSUB or GPOS table.
fn feature_tags(font: &[u8], table: &[u8; 4]) -> Vec<String> {
    let face = ttf_parser::Face::parse(font, 0).expect("font parses");
    let layout = match table {
        b"GSUB" => face.tables().gsub,
        _ => face.tables().gpos,
    };
    let Some(layout) = layout else {
        return Vec::new();
    };
    let mut tags: Vec<String> = layout
        .features
        .into_iter()
        .map(|f| f.tag.to_string())
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

#[test]
fn a_subset_with_layout_tables_kerns_and_ligates_as_the_whole_font() {
    let fonts = fonts();
    let chars = sample_chars();
    for face in fonts.faces() {
        let font = face.style.file_name();
        let how = Subset {
            rename: Some("Polypress Sans"),
            layout: Layout::Full,
            ..Subset::default()
        };
        let bytes = polypress::fonts::subset(face, &chars, &how).expect("subset");
        check_glyphs(face, &bytes, &chars);
        assert!(
            feature_tags(&bytes, b"GPOS").contains(&"kern".to_string()),
            "{font}: no GPOS kern"
        );
        let gsub = feature_tags(&bytes, b"GSUB");
        assert!(
            gsub.contains(&"liga".to_string()) && gsub.contains(&"locl".to_string()),
            "{font}: GSUB {gsub:?}"
        );
        // Kerning pairs: the advances equal the whole font's, and "To" is set tighter than its
        // two letters' own widths.
        for pair in ["To", "AV", "Ty", "Wo", "P.", "Yo"] {
            let whole: Vec<i32> = shaped(face.data, pair, None).iter().map(|g| g.1).collect();
            let cut: Vec<i32> = shaped(&bytes, pair, None).iter().map(|g| g.1).collect();
            assert_eq!(cut, whole, "{font}: {pair} is set differently");
        }
        let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
        let t = parsed.glyph_index('T').expect("T");
        let nominal = i32::from(parsed.glyph_hor_advance(t).expect("advance"));
        let kerned = shaped(&bytes, "To", None)[0].1;
        assert!(
            kerned < nominal,
            "{font}: \"To\" is not kerned ({kerned} vs {nominal})"
        );
        // The f ligatures are formed as with the whole font.
        assert_eq!(
            shaped(face.data, "ff", None).len(),
            1,
            "the whole font ligates ff"
        );
        for word in ["ff", "fi", "office", "ffl"] {
            let advances = |font: &[u8]| -> Vec<i32> {
                shaped(font, word, None).iter().map(|g| g.1).collect()
            };
            assert_eq!(
                advances(&bytes),
                advances(face.data),
                "{font}: {word} is set differently"
            );
        }
        assert_eq!(
            polypress::fonts::subset(face, &chars, &how).expect("subset"),
            bytes,
            "{font}: two calls differ"
        );
    }
}

#[test]
fn a_subset_with_substitutions_only_has_no_kerning_but_local_forms() {
    let fonts = fonts();
    let mut chars = sample_chars();
    chars.extend("дж".chars());
    let face = fonts.face(polypress::fonts::Style::Regular);
    let how = Subset {
        layout: Layout::Substitutions,
        hinting: false,
        ..Subset::default()
    };
    let bytes = polypress::fonts::subset(face, &chars, &how).expect("subset");
    check_glyphs(face, &bytes, &chars);
    assert!(feature_tags(&bytes, b"GPOS").is_empty());
    let parsed = ttf_parser::Face::parse(&bytes, 0).expect("parses");
    let raw = parsed.raw_face();
    for table in [b"fpgm", b"prep", b"cvt "] {
        assert!(
            raw.table(ttf_parser::Tag::from_bytes(table)).is_none(),
            "hinting table {table:?} kept"
        );
    }
    // The cmap keeps the default Cyrillic forms; a shaper told the language is Bulgarian
    // takes the Bulgarian ones from the subset's GSUB, as from the whole font.
    for c in "дж".chars() {
        let text = c.to_string();
        let whole = shaped(face.data, &text, Some("bg"))[0].0;
        let whole_default = shaped(face.data, &text, None)[0].0;
        assert_ne!(whole, whole_default, "{c:?} has a Bulgarian form");
        let cut = shaped(&bytes, &text, Some("bg"))[0].0;
        let cut_default = shaped(&bytes, &text, None)[0].0;
        assert_ne!(
            cut, cut_default,
            "{c:?}: the subset lost its Bulgarian form"
        );
    }
}
