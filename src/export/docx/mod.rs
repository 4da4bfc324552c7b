//! The DOCX writer: docx-rs lays out the body and its styles; `ooxml_gaps` fills in what
//! docx-rs lacks or gets wrong and packs the parts.

mod body;
mod ooxml_gaps;
mod styles;

pub use ooxml_gaps::word_language;

use std::collections::BTreeSet;

use docx_rs::{Docx, Footer, NumPages, PageMargin, PageNum, Paragraph, Run};

use super::{ExportContext, ExportError, Format};
use crate::fonts::{repertoire, subset};
use crate::model::Summary;
use ooxml_gaps::font_embedding::EmbeddedFont;

/// A4 in twentieths of a point.
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
/// 2.5 cm margins, the footer 1.25 cm from the edge.
const MARGIN: i32 = 1_418;
/// The width between the margins, where the footer's right tab stop sits.
pub(super) const TEXT_WIDTH: usize = A4_WIDTH as usize - 2 * MARGIN as usize;
const FOOTER_DISTANCE: i32 = 709;
/// The bullet of every list item.
pub(super) const BULLET: &str = "•";

/// The document as a Word file: A4, Word's built-in styles, the document's language, page
/// numbers in the footer, and Source Sans 3 embedded.
pub fn write(doc: &Summary, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    let body = body::build(doc);
    let mut docx = Docx::new()
        .styles(styles::styles())
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN)
                .header(FOOTER_DISTANCE)
                .footer(FOOTER_DISTANCE),
        )
        .footer(Footer::new().add_paragraph(footer(doc)));
    for p in body.paragraphs {
        docx = docx.add_paragraph(p);
    }
    let fonts = embedded_fonts(doc, ctx)?;
    ooxml_gaps::assemble(ooxml_gaps::Package {
        doc,
        timestamp: ctx.timestamp,
        parts: docx.build(),
        links: &body.links,
        fonts,
    })
    .map_err(|message| ExportError::Writer {
        format: Format::Docx,
        message,
    })
}

/// The running footer, as in the PDF: the short title on the left, "page / pages" at the
/// right margin (fields Word and LibreOffice compute).
fn footer(doc: &Summary) -> Paragraph {
    Paragraph::new()
        .style(styles::FOOTER)
        .add_run(Run::new().add_text(doc.short_title()).add_tab())
        .add_page_num(PageNum::new())
        .add_run(Run::new().add_text(" / "))
        .add_num_pages(NumPages::new())
}

/// The four faces of Source Sans 3, each cut down to what an editor may type (every letter
/// of the EU languages, the usual punctuation) and whatever else the document shows, and
/// obfuscated for the package. The faces are the same in every language's document, so an
/// editor with several of them open in one application sees no letter fall back to another
/// font. A subset keeps the font's names: Word matches an embedded font by name. It keeps
/// GSUB (local forms, ligatures): LibreOffice applies the Bulgarian forms from the document
/// language. It leaves out GPOS (kerning, which Word does not apply by default) and the
/// hinting instructions, which together would more than double the fonts' size.
fn embedded_fonts(doc: &Summary, ctx: &ExportContext) -> Result<Vec<EmbeddedFont>, ExportError> {
    let mut chars = repertoire::editing_repertoire();
    chars.extend(document_chars(doc));
    let document_key = format!("{}/{}", doc.id, doc.lang);
    let how = subset::Subset {
        layout: subset::Layout::Substitutions,
        hinting: false,
        ..subset::Subset::default()
    };
    ctx.fonts
        .faces()
        .iter()
        .map(|face| {
            let data = subset::subset(face, &chars, &how).map_err(|e| ExportError::Writer {
                format: Format::Docx,
                message: e.to_string(),
            })?;
            Ok(EmbeddedFont::new(&document_key, face.style, data, true))
        })
        .collect()
}

/// Every character the document shows: the model's text, the punctuation the writer puts
/// between it, and the digits of the page numbers.
fn document_chars(doc: &Summary) -> BTreeSet<char> {
    let mut chars: BTreeSet<char> = doc.visible_text().iter().flat_map(|t| t.chars()).collect();
    chars.extend(body::WRITER_PUNCTUATION.chars());
    chars.extend(BULLET.chars());
    chars.extend('0'..='9');
    chars.retain(|c| !c.is_control());
    chars
}
