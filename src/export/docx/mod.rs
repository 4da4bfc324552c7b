//! The DOCX writer: docx-rs lays out the body and its styles; `ooxml_gaps` fills in what
//! docx-rs lacks or gets wrong and packs the parts.

mod body;
mod ooxml_gaps;
mod shared_faces;
mod styles;

pub use ooxml_gaps::word_language;
pub use shared_faces::{FaceRepertoire, SharedFaces};

use docx_rs::{Docx, Footer, NumPages, PageMargin, PageNum, Paragraph, Run};

use super::{ExportContext, ExportError, Format};
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

/// The four faces of Source Sans 3 (see `shared_faces`: the same in every DOCX of a run),
/// obfuscated for the package with a key of the document's own.
fn embedded_fonts(doc: &Summary, ctx: &ExportContext) -> Result<Vec<EmbeddedFont>, ExportError> {
    let faces = SharedFaces::for_document(ctx.docx_faces, ctx.fonts, doc)?;
    let document_key = format!("{}/{}", doc.id, doc.lang);
    Ok(faces
        .faces()
        .map(|(style, data)| EmbeddedFont::new(&document_key, style, data.to_vec(), true))
        .collect())
}
