//! The typefaces every output embeds: Source Sans 3 in four styles.
//!
//! The font files in `fonts/` are compiled into the binary, so polypress works from any
//! folder, and parsed once per run into a `FontSet` that every job on every thread shares.

mod klippa_gaps;
pub mod repertoire;
pub mod subset;
pub use subset::{subset, Layout, Subset, SubsetError};

use std::sync::OnceLock;

use crate::diagnostic::Diagnostic;

/// The family name documents ask for.
pub const FAMILY: &str = "Source Sans 3";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Style {
    pub const ALL: [Style; 4] = [
        Style::Regular,
        Style::Bold,
        Style::Italic,
        Style::BoldItalic,
    ];

    pub fn new(bold: bool, italic: bool) -> Style {
        match (bold, italic) {
            (false, false) => Style::Regular,
            (true, false) => Style::Bold,
            (false, true) => Style::Italic,
            (true, true) => Style::BoldItalic,
        }
    }

    /// The style's place in `Style::ALL` (and in `FontSet::faces`).
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_bold(self) -> bool {
        matches!(self, Style::Bold | Style::BoldItalic)
    }

    pub fn is_italic(self) -> bool {
        matches!(self, Style::Italic | Style::BoldItalic)
    }

    pub fn name(self) -> &'static str {
        match self {
            Style::Regular => "regular",
            Style::Bold => "bold",
            Style::Italic => "italic",
            Style::BoldItalic => "bold italic",
        }
    }

    /// The file in `fonts/` that holds this style.
    pub fn file_name(self) -> &'static str {
        match self {
            Style::Regular => "SourceSans3-Regular.ttf",
            Style::Bold => "SourceSans3-Bold.ttf",
            Style::Italic => "SourceSans3-It.ttf",
            Style::BoldItalic => "SourceSans3-BoldIt.ttf",
        }
    }
}

static REGULAR: &[u8] = include_bytes!("../../fonts/SourceSans3-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/SourceSans3-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../../fonts/SourceSans3-It.ttf");
static BOLD_ITALIC: &[u8] = include_bytes!("../../fonts/SourceSans3-BoldIt.ttf");
/// The SIL Open Font License the fonts come under; shipped wherever a font file is.
pub static LICENSE: &str = include_str!("../../fonts/LICENSE.md");

/// SHA-256 of the four font files, in `Style::ALL` order, computed by `build.rs`.
const EMBEDDED_FONTS_SHA256: &str = include_str!(concat!(env!("OUT_DIR"), "/fonts_sha256"));

/// One parsed face.
pub struct FontFace {
    pub style: Style,
    /// The whole TrueType file.
    pub data: &'static [u8],
    /// Parsed once; metrics, names and outlines read from it.
    pub face: ttf_parser::Face<'static>,
    /// The shaper's own view of the same file (harfrust reads fonts with read-fonts).
    pub shaping: harfrust::Font,
    /// The Basic Multilingual Plane characters the face draws, one bit each, filled in 64
    /// characters at a time when first asked: every word shaped and every character checked
    /// asks, and a cmap lookup is a binary search.
    bmp_coverage: Box<[OnceLock<u64>]>,
    /// What subsets that keep the kerning are cut from: the file with every pair set made
    /// to survive klippa (see `klippa_gaps`), made once, when first needed.
    kerning_source: OnceLock<Result<Option<Vec<u8>>, String>>,
}

impl FontFace {
    fn new(style: Style, data: &'static [u8]) -> Option<FontFace> {
        let face = ttf_parser::Face::parse(data, 0).ok()?;
        let shaping = harfrust::Font::new(data, 0)?;
        Some(FontFace {
            style,
            data,
            face,
            shaping,
            bmp_coverage: (0..1024).map(|_| OnceLock::new()).collect(),
            kerning_source: OnceLock::new(),
        })
    }

    /// Whether the face has a glyph for the character (glyph 0, `.notdef`, does not count).
    pub fn has_char(&self, c: char) -> bool {
        let code = u32::from(c);
        let drawn = |c: char| self.face.glyph_index(c).is_some_and(|g| g.0 != 0);
        match self.bmp_coverage.get(code as usize / 64) {
            Some(block) => {
                let bits = block.get_or_init(|| {
                    let first = code - code % 64;
                    (0..64).fold(0, |bits, i| {
                        let covered = char::from_u32(first + i).is_some_and(drawn);
                        bits | (u64::from(covered) << i)
                    })
                });
                bits & (1 << (code % 64)) != 0
            }
            None => drawn(c),
        }
    }

    /// The font file to cut a subset with GPOS from (see `kerning_source`).
    fn kerning_source(&self) -> Result<&[u8], String> {
        match self
            .kerning_source
            .get_or_init(|| klippa_gaps::with_pair_sets_kept(self.data))
        {
            Ok(Some(data)) => Ok(data),
            Ok(None) => Ok(self.data),
            Err(e) => Err(e.clone()),
        }
    }

    pub fn units_per_em(&self) -> u16 {
        self.face.units_per_em()
    }

    /// The face's PostScript name, e.g. `SourceSans3-Bold`.
    pub fn postscript_name(&self) -> String {
        self.name(ttf_parser::name_id::POST_SCRIPT_NAME)
            .unwrap_or_else(|| self.style.file_name().trim_end_matches(".ttf").to_string())
    }

    fn name(&self, id: u16) -> Option<String> {
        self.face
            .names()
            .into_iter()
            .filter(|n| n.name_id == id && n.is_unicode())
            .find_map(|n| n.to_string())
    }
}

/// The four faces, loaded once per run.
pub struct FontSet {
    faces: [FontFace; 4],
}

impl FontSet {
    /// The faces compiled into polypress (the files in `fonts/`).
    pub fn embedded() -> Result<FontSet, Diagnostic> {
        let load = |style: Style, data: &'static [u8]| {
            FontFace::new(style, data).ok_or_else(|| {
                Diagnostic::error(
                    std::path::Path::new("fonts")
                        .join(style.file_name())
                        .as_path(),
                    None,
                    "the font file cannot be parsed",
                )
            })
        };
        Ok(FontSet {
            faces: [
                load(Style::Regular, REGULAR)?,
                load(Style::Bold, BOLD)?,
                load(Style::Italic, ITALIC)?,
                load(Style::BoldItalic, BOLD_ITALIC)?,
            ],
        })
    }

    pub fn face(&self, style: Style) -> &FontFace {
        &self.faces[style.index()]
    }

    pub fn faces(&self) -> &[FontFace; 4] {
        &self.faces
    }

    /// A digest of every font byte: part of the input identity of a build. The faces are
    /// the ones compiled in, so `build.rs` computes it once when polypress is built.
    pub fn sha256(&self) -> String {
        EMBEDDED_FONTS_SHA256.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_bits_agree_with_the_cmap_for_every_bmp_character() {
        let fonts = FontSet::embedded().expect("fonts");
        for face in fonts.faces() {
            let mut drawn = 0;
            for c in (0..=0xFFFF).filter_map(char::from_u32) {
                let in_cmap = face.face.glyph_index(c).is_some_and(|g| g.0 != 0);
                assert_eq!(face.has_char(c), in_cmap, "{c:?} in {}", face.style.name());
                drawn += usize::from(in_cmap);
            }
            assert!(
                drawn > 1000,
                "{} draws {drawn} characters",
                face.style.name()
            );
        }
        let regular = fonts.face(Style::Regular);
        assert!(regular.has_char('ő') && regular.has_char('ж') && regular.has_char('ø'));
        assert!(!regular.has_char('\u{4e2d}'), "no CJK in Source Sans 3");
    }
}
