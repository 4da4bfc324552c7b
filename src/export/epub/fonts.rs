//! The fonts inside the EPUB: subsets of Source Sans 3, cut to the characters each face
//! draws in this publication and renamed, with the licence beside them.
//!
//! Why subsets: the four whole faces weigh about 1.5 MB, the publication must stay under
//! 200 KB. Why renamed: the SIL Open Font License reserves the name "Source" for the
//! unmodified fonts, and a font file inside an EPUB is distributed with it.

use std::collections::BTreeSet;

use super::xhtml::UsedChars;
use super::EpubError;
use crate::fonts::{subset, FontSet, Style};

/// The family name the subsets carry (and the stylesheet asks for).
pub const FAMILY: &str = "Polypress Sans";
/// The licence file, relative to the package document.
pub const LICENCE_HREF: &str = "fonts/OFL.txt";

/// One embedded face.
pub struct EmbeddedFont {
    pub style: Style,
    pub id: &'static str,
    /// Relative to the package document.
    pub href: &'static str,
    pub bytes: Vec<u8>,
}

/// A subset of each face the text uses, each holding exactly the characters drawn in it,
/// with the layout tables for them (kerning, ligatures, marks, local forms), so a reader
/// that shapes text sets it as the PDF does. Bulgarian (and any language with local
/// letterforms) also gets its forms mapped directly, for readers that do not apply `locl`.
pub fn embed(
    fonts: &FontSet,
    used: &UsedChars,
    lang: &str,
) -> Result<Vec<EmbeddedFont>, EpubError> {
    let mut embedded = Vec::new();
    for style in Style::ALL {
        let Some(chars) = used.0.get(&style) else {
            continue;
        };
        let chars: BTreeSet<char> = chars.iter().copied().filter(|c| !c.is_control()).collect();
        if chars.is_empty() {
            continue;
        }
        let how = subset::Subset {
            rename: Some(FAMILY),
            localize: Some(lang),
            layout: subset::Layout::Full,
            hinting: true,
        };
        let bytes = subset::subset(fonts.face(style), &chars, &how)
            .map_err(|e| EpubError::Subset(e.to_string()))?;
        let (id, href) = names(style);
        embedded.push(EmbeddedFont {
            style,
            id,
            href,
            bytes,
        });
    }
    Ok(embedded)
}

fn names(style: Style) -> (&'static str, &'static str) {
    match style {
        Style::Regular => ("font-regular", "fonts/PolypressSans-Regular.ttf"),
        Style::Bold => ("font-bold", "fonts/PolypressSans-Bold.ttf"),
        Style::Italic => ("font-italic", "fonts/PolypressSans-Italic.ttf"),
        Style::BoldItalic => ("font-bold-italic", "fonts/PolypressSans-BoldItalic.ttf"),
    }
}

/// The OFL, preceded by a note saying what was changed and why the name differs.
pub fn licence() -> Vec<u8> {
    format!(
        "The fonts in this folder are subsets of Source Sans 3 by Adobe, cut by polypress to \
the characters this publication uses and renamed \"{FAMILY}\": the SIL Open Font License \
below reserves the name \"Source\" for the original fonts. They are distributed under the \
same licence.\n\n{}",
        crate::fonts::LICENSE
    )
    .into_bytes()
}
