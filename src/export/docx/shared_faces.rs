//! The faces every DOCX of a run embeds: one subset per face, cut once per run.
//!
//! A word processor with several documents open matches embedded fonts by name and keeps
//! the first file's faces for all of them, so any letter the first subset lacks falls back
//! to another font in the others. Every DOCX of a build therefore embeds the same faces,
//! cut from one run-wide character set: what an editor may type (the editing repertoire),
//! what the writer adds, and every character of every source the run found, whichever of
//! them `--langs`, `--formats` or `--shard` select, so that a partial run or a shard writes
//! the same bytes as the whole run.

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::{body, BULLET};
use crate::export::{ExportError, Format};
use crate::fonts::{repertoire, subset, FontSet, Style};
use crate::model::Summary;

/// The characters the embedded faces hold: the editing repertoire, the writer's own
/// characters, and the text given, less what no face draws (a character no face has adds
/// no glyph, so it must not make two runs' faces look different either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceRepertoire {
    chars: BTreeSet<char>,
}

impl FaceRepertoire {
    pub fn new(fonts: &FontSet, text: impl IntoIterator<Item = char>) -> FaceRepertoire {
        let mut chars = repertoire::editing_repertoire();
        chars.extend(text);
        chars.extend(writer_chars());
        chars.retain(|&c| drawn(fonts, c));
        FaceRepertoire { chars }
    }

    /// The repertoire of one document written on its own, outside a run.
    pub fn for_document(fonts: &FontSet, doc: &Summary) -> FaceRepertoire {
        FaceRepertoire::new(fonts, document_chars(doc))
    }

    /// A digest of the characters: part of every DOCX's input identity, so that a source
    /// bringing a new character rebuilds every DOCX of the run.
    pub fn sha256(&self) -> String {
        let text: String = self.chars.iter().collect();
        crate::sha256_hex(format!("polypress-docx-faces 1\n{text}").as_bytes())
    }

    pub fn contains(&self, c: char) -> bool {
        self.chars.contains(&c)
    }

    /// Whether the faces cut from this repertoire draw every character of the document.
    fn holds(&self, fonts: &FontSet, doc: &Summary) -> bool {
        document_chars(doc)
            .into_iter()
            .all(|c| self.chars.contains(&c) || !drawn(fonts, c))
    }
}

/// The four faces cut to a repertoire, unobfuscated (each document obfuscates them with its
/// own key).
#[derive(Clone)]
pub struct SharedFaces {
    repertoire: FaceRepertoire,
    /// One font file per face, in `Style::ALL` order.
    faces: Vec<Vec<u8>>,
}

impl SharedFaces {
    /// Each face cut down to the repertoire. It keeps the font's names: Word matches an
    /// embedded font by name. It keeps GSUB (local forms, ligatures): LibreOffice applies
    /// the Bulgarian forms from the document language. It leaves out GPOS (kerning, which
    /// Word does not apply by default) and the hinting instructions, which together would
    /// more than double the fonts' size.
    pub fn subset(fonts: &FontSet, repertoire: FaceRepertoire) -> Result<SharedFaces, ExportError> {
        let how = subset::Subset {
            layout: subset::Layout::Substitutions,
            hinting: false,
            ..subset::Subset::default()
        };
        let faces = fonts
            .faces()
            .par_iter()
            .map(|face| {
                subset::subset(face, &repertoire.chars, &how).map_err(|e| ExportError::Writer {
                    format: Format::Docx,
                    message: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SharedFaces { repertoire, faces })
    }

    pub fn repertoire(&self) -> &FaceRepertoire {
        &self.repertoire
    }

    /// The faces, unobfuscated, each with its style.
    pub fn faces(&self) -> impl Iterator<Item = (Style, &[u8])> {
        Style::ALL
            .into_iter()
            .zip(self.faces.iter().map(Vec::as_slice))
    }

    /// The run's faces when they draw all of the document, else faces cut for it alone
    /// (the run's repertoire and the document's characters). Outside a run (no shared
    /// faces given) a document gets the repertoire and its own characters.
    pub(super) fn for_document<'a>(
        shared: Option<&'a SharedFaces>,
        fonts: &FontSet,
        doc: &Summary,
    ) -> Result<std::borrow::Cow<'a, SharedFaces>, ExportError> {
        match shared {
            Some(shared) if shared.repertoire.holds(fonts, doc) => {
                Ok(std::borrow::Cow::Borrowed(shared))
            }
            // Only a caller that surveyed other text than the document's gets here: the
            // document still loses no letter, at the price of faces of its own.
            Some(shared) => {
                let chars = shared.repertoire.chars.iter().copied();
                let repertoire = FaceRepertoire::new(fonts, chars.chain(document_chars(doc)));
                SharedFaces::subset(fonts, repertoire).map(std::borrow::Cow::Owned)
            }
            None => SharedFaces::subset(fonts, FaceRepertoire::for_document(fonts, doc))
                .map(std::borrow::Cow::Owned),
        }
    }
}

/// Whether any face draws the character (control characters are never drawn).
fn drawn(fonts: &FontSet, c: char) -> bool {
    !c.is_control() && fonts.faces().iter().any(|face| face.has_char(c))
}

/// What the writer shows besides the text: the punctuation it puts between the model's
/// text, the bullet and the digits of the page numbers.
fn writer_chars() -> impl Iterator<Item = char> {
    body::WRITER_PUNCTUATION
        .chars()
        .chain(BULLET.chars())
        .chain('0'..='9')
}

/// Every character the document shows: the model's text and what the writer adds.
fn document_chars(doc: &Summary) -> BTreeSet<char> {
    let mut chars: BTreeSet<char> = doc.visible_text().iter().flat_map(|t| t.chars()).collect();
    chars.extend(writer_chars());
    chars.retain(|c| !c.is_control());
    chars
}
