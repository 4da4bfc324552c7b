//! Page content streams, written here instead of through printpdf's operation list.
//!
//! printpdf turns every operation into lopdf objects, and lopdf writes each glyph id of a
//! `TJ` array as a hex string one byte at a time with `write!`: for a handout of 10,000
//! glyphs that was a fifth of the whole PDF's time, more than laying the text out. Here the
//! same operators are written straight into bytes, in exactly the form lopdf gives them
//! (operands separated by spaces, operations by line feeds, numbers as Rust prints an
//! `f32`), so the pages are what printpdf would have written.
//!
//! printpdf still embeds the fonts: it subsets each face to the glyphs its pages show and
//! renumbers them. So printpdf gets one page of text showing each glyph once (the
//! *inventory*), with the text each glyph stands for (its ToUnicode entry). The inventory
//! comes back renumbered in the order it was given, which tells each glyph's new number;
//! then every page's content is replaced by the stream written here, its glyph ids
//! renumbered. Drop this module when printpdf serialises glyph runs without lopdf's
//! per-byte formatting.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use printpdf::{Codepoint, FontId, Op, PdfFontHandle, Pt, TextItem};
use rustc_hash::FxHashMap;

use crate::fonts::Style;

/// One page's operators, with the byte offset of every glyph id to renumber.
#[derive(Debug, Default, Clone)]
pub struct ContentStream {
    bytes: Vec<u8>,
    /// Where each glyph id's four hex digits are (4 bytes a glyph, as a page's stream is
    /// far below 4 GiB: a long document has millions of glyphs).
    glyph_slots: Vec<u32>,
    /// The face of the glyphs from each slot index on, one entry per glyph run.
    slot_faces: Vec<(usize, Style)>,
    /// Scratch for number formatting, kept to avoid an allocation per number.
    number: String,
}

impl ContentStream {
    /// Starts an operation: operations are separated by a line feed, as lopdf writes them.
    fn operation(&mut self) {
        if !self.bytes.is_empty() {
            self.bytes.push(b'\n');
        }
    }

    /// Writes `value` as `f32`'s `Display` does, which is what lopdf writes for a real.
    fn number(&mut self, value: f32) {
        write_real(&mut self.bytes, &mut self.number, value);
    }

    /// `/tag <</MCID n>> BDC`: content of a structure element.
    pub fn begin_marked_content(&mut self, tag: &str, mcid: usize) {
        self.operation();
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(tag.as_bytes());
        self.number.clear();
        let _ = write!(self.number, " <</MCID {mcid}>> BDC");
        self.bytes.extend_from_slice(self.number.as_bytes());
    }

    /// `/Span <</ActualText <FEFF...>>> BDC`: what the glyphs inside stand for, when that
    /// is not what the font's Unicode map says (an inserted hyphen is U+00AD).
    pub fn begin_actual_text(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.operation();
        self.bytes.extend_from_slice(b"/Span <</ActualText <FEFF");
        for unit in text.encode_utf16() {
            for shift in [12, 8, 4, 0] {
                self.bytes.push(HEX[usize::from((unit >> shift) & 0xF)]);
            }
        }
        self.bytes.extend_from_slice(b">>> BDC");
    }

    /// `/Artifact BMC`: content that is not part of the document's text (rules, footer).
    pub fn begin_artifact(&mut self) {
        self.operation();
        self.bytes.extend_from_slice(b"/Artifact BMC");
    }

    /// `/Artifact <</Type /Pagination /Subtype /Footer>> BDC`: the running footer, which
    /// assistive technology may announce as such or skip (PDF 32000-1, 14.8.2.2.2).
    pub fn begin_footer_artifact(&mut self) {
        self.operation();
        self.bytes
            .extend_from_slice(b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC");
    }

    pub fn end_marked_content(&mut self) {
        self.operation();
        self.bytes.extend_from_slice(b"EMC");
    }

    pub fn begin_text(&mut self) {
        self.operation();
        self.bytes.extend_from_slice(b"BT");
    }

    pub fn end_text(&mut self) {
        self.operation();
        self.bytes.extend_from_slice(b"ET");
    }

    pub fn fill_color(&mut self, r: f32, g: f32, b: f32) {
        self.operation();
        for value in [r, g, b] {
            self.number(value);
            self.bytes.push(b' ');
        }
        self.bytes.extend_from_slice(b"rg");
    }

    /// `/F1 size Tf`, with the resource name printpdf gives the style's font.
    pub fn font(&mut self, font: &FontId, size: f32) {
        self.operation();
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(font.0.as_bytes());
        self.bytes.push(b' ');
        self.number(size);
        self.bytes.extend_from_slice(b" Tf");
    }

    /// `x y Td`: from the start of the text object, the identity matrix BT sets.
    pub fn move_text(&mut self, x: f32, y: f32) {
        self.operation();
        self.number(x);
        self.bytes.push(b' ');
        self.number(y);
        self.bytes.extend_from_slice(b" Td");
    }

    /// `[<gid> offset <gid> ...] TJ` with the glyph ids of `style`'s face, each followed by
    /// its adjustment in thousandths of an em when it has one.
    pub fn show_glyphs(&mut self, style: Style, glyphs: impl IntoIterator<Item = (u16, f32)>) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.operation();
        self.bytes.push(b'[');
        if self.slot_faces.last().map(|&(_, s)| s) != Some(style) {
            self.slot_faces.push((self.glyph_slots.len(), style));
        }
        for (id, offset) in glyphs {
            self.bytes.push(b'<');
            self.glyph_slots
                .push(u32::try_from(self.bytes.len()).unwrap_or(u32::MAX));
            for shift in [12, 8, 4, 0] {
                self.bytes.push(HEX[usize::from((id >> shift) & 0xF)]);
            }
            self.bytes.push(b'>');
            if offset != 0.0 {
                self.bytes.push(b' ');
                self.number(offset);
            }
        }
        self.bytes.extend_from_slice(b"] TJ");
    }

    /// `x y w h re` and `f`: a filled rectangle.
    pub fn fill_rectangle(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.operation();
        for value in [x, y, width, height] {
            self.number(value);
            self.bytes.push(b' ');
        }
        self.bytes.extend_from_slice(b"re\nf");
    }

    /// Gives back the room the buffers grew into: a document's pages wait, all drawn, for
    /// the font subsets that renumber them.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.glyph_slots.shrink_to_fit();
        self.slot_faces.shrink_to_fit();
        self.number = String::new();
    }

    /// The stream's bytes with every glyph id renumbered as the embedded subsets number them.
    fn renumbered(mut self, numbers: &GlyphNumbers) -> Result<Vec<u8>, String> {
        let slots = std::mem::take(&mut self.glyph_slots);
        let faces = std::mem::take(&mut self.slot_faces);
        for (index, &at) in slots.iter().enumerate() {
            let run = faces.partition_point(|&(first, _)| first <= index);
            let style = run
                .checked_sub(1)
                .and_then(|r| faces.get(r))
                .map(|&(_, s)| s)
                .ok_or("a glyph slot of the content stream has no face")?;
            let at = at as usize;
            let digits = self
                .bytes
                .get(at..at + 4)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| u16::from_str_radix(d, 16).ok())
                .ok_or("a glyph slot of the content stream is not a glyph id")?;
            let new = numbers.get(&(style, digits)).ok_or_else(|| {
                format!(
                    "glyph {digits} of the {} face is not in its subset",
                    style.name()
                )
            })?;
            let hex = format!("{new:04X}");
            self.bytes[at..at + 4].copy_from_slice(hex.as_bytes());
        }
        Ok(self.bytes)
    }
}

/// Appends `value` as `f32`'s `Display` prints it (the shortest decimal that reads back as
/// the same `f32`).
///
/// Most numbers here are hundredths (adjustments, colours, sizes, page positions), and for
/// those the shortest decimal is the hundredths themselves: written digit by digit, as
/// `Display`'s general algorithm cost more than everything else in a content stream.
fn write_real(out: &mut Vec<u8>, scratch: &mut String, value: f32) {
    let hundredths = (value * 100.0).round();
    let exact = hundredths.abs() < 1.0e7
        && hundredths / 100.0 == value
        && !(hundredths == 0.0 && value.is_sign_negative());
    if !exact {
        scratch.clear();
        let _ = write!(scratch, "{value}");
        out.extend_from_slice(scratch.as_bytes());
        return;
    }
    let hundredths = hundredths as i64;
    if hundredths < 0 {
        out.push(b'-');
    }
    let magnitude = hundredths.unsigned_abs();
    let (whole, fraction) = (magnitude / 100, magnitude % 100);
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = whole;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
    if fraction != 0 {
        out.push(b'.');
        out.push(b'0' + (fraction / 10) as u8);
        if fraction % 10 != 0 {
            out.push(b'0' + (fraction % 10) as u8);
        }
    }
}

/// Old glyph id -> the subset's, per face.
type GlyphNumbers = FxHashMap<(Style, u16), u16>;

/// Every glyph the pages show, per face, with its width in the font and the text it stands
/// for.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    glyphs: FxHashMap<(Style, u16), (f32, Option<String>)>,
}

impl Inventory {
    /// Notes a glyph drawn in `style` and returns its width in the font, which `width` gives
    /// the first time; `text` is kept from the first time it is given.
    pub fn note(&mut self, style: Style, id: u16, text: &str, width: impl FnOnce() -> f32) -> f32 {
        let (font_width, first_text) = self
            .glyphs
            .entry((style, id))
            .or_insert_with(|| (width(), None));
        if first_text.is_none() && !text.is_empty() {
            *first_text = Some(text.to_string());
        }
        *font_width
    }

    /// The glyphs per face, faces in `Style` order and glyphs by id: the order printpdf is
    /// given them, and so the order they come back in.
    fn by_face(&self) -> BTreeMap<Style, BTreeMap<u16, Option<&String>>> {
        let mut faces: BTreeMap<Style, BTreeMap<u16, Option<&String>>> = BTreeMap::new();
        for (&(style, id), (_, text)) in &self.glyphs {
            faces.entry(style).or_default().insert(id, text.as_ref());
        }
        faces
    }

    /// printpdf operations that show each glyph once, one text object per face.
    pub fn operations(&self, font_id: impl Fn(Style) -> FontId) -> Vec<Op> {
        let mut ops = Vec::new();
        for (style, glyphs) in self.by_face() {
            let codepoints = glyphs
                .into_iter()
                .map(|(gid, text)| Codepoint {
                    gid,
                    offset: 0.0,
                    cid: text.cloned(),
                })
                .collect();
            ops.extend([
                Op::StartTextSection,
                Op::SetFont {
                    font: PdfFontHandle::External(font_id(style)),
                    size: Pt(1.0),
                },
                Op::ShowText {
                    items: vec![TextItem::GlyphIds(codepoints)],
                },
                Op::EndTextSection,
            ]);
        }
        ops
    }

    /// Reads the new glyph numbers from the inventory as printpdf wrote it (`content`, the
    /// first page's stream): its `TJ` arrays list the same glyphs in the same order.
    fn numbers(&self, content: &[u8]) -> Result<GlyphNumbers, String> {
        let decoded = lopdf::content::Content::decode(content)
            .map_err(|e| format!("cannot read printpdf's glyph inventory: {e}"))?;
        let arrays: Vec<&Vec<lopdf::Object>> = decoded
            .operations
            .iter()
            .filter(|op| op.operator == "TJ")
            .filter_map(|op| op.operands.first()?.as_array().ok())
            .collect();
        let faces = self.by_face();
        if arrays.len() != faces.len() {
            return Err(format!(
                "printpdf wrote {} glyph runs for {} faces",
                arrays.len(),
                faces.len()
            ));
        }
        let mut numbers = GlyphNumbers::default();
        for ((style, glyphs), array) in faces.into_iter().zip(arrays) {
            let new_ids: Vec<u16> = array
                .iter()
                .filter_map(|o| o.as_str().ok())
                .filter_map(|bytes| Some(u16::from_be_bytes(bytes.try_into().ok()?)))
                .collect();
            if new_ids.len() != glyphs.len() {
                return Err(format!(
                    "printpdf renumbered {} of the {} glyphs of the {} face",
                    new_ids.len(),
                    glyphs.len(),
                    style.name()
                ));
            }
            numbers.extend(
                glyphs
                    .keys()
                    .zip(new_ids)
                    .map(|(&old, new)| ((style, old), new)),
            );
        }
        Ok(numbers)
    }
}

/// Replaces each page's content (printpdf's, the inventory on the first page) with the
/// streams written here, renumbered as the embedded subsets number their glyphs.
pub fn install(
    lo: &mut lopdf::Document,
    inventory: &Inventory,
    pages: Vec<ContentStream>,
) -> Result<(), String> {
    let page_ids: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    if page_ids.len() != pages.len() {
        return Err(format!(
            "printpdf wrote {} pages for {} laid out",
            page_ids.len(),
            pages.len()
        ));
    }
    let contents_of = |lo: &lopdf::Document, page: lopdf::ObjectId| {
        lo.get_dictionary(page)
            .and_then(|d| d.get(b"Contents"))
            .and_then(|c| c.as_reference())
            .map_err(|e| format!("a page without a content stream: {e}"))
    };
    let first = page_ids
        .first()
        .ok_or("printpdf wrote no page")
        .and_then(|&p| contents_of(lo, p).map_err(|_| "a page without a content stream"))?;
    let inventory_bytes = lo
        .get_object(first)
        .and_then(|o| o.as_stream())
        .map(|s| s.content.clone())
        .map_err(|e| format!("the first page's content: {e}"))?;
    let numbers = inventory.numbers(&inventory_bytes)?;
    // Each page is deflated as it is installed, so that a long document's pages do not
    // wait all uncompressed for the end.
    let mut deflater = crate::export::deflate::Deflater::default();
    for (page, content) in page_ids.into_iter().zip(pages) {
        let id = contents_of(lo, page)?;
        let bytes = content.renumbered(&numbers)?;
        let stream = lo
            .get_object_mut(id)
            .and_then(|o| o.as_stream_mut())
            .map_err(|e| format!("a page's content stream: {e}"))?;
        stream.set_content(bytes);
        super::deflate_stream(&mut deflater, stream);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_written_as_lopdf_writes_them() {
        let mut content = ContentStream::default();
        content.begin_marked_content("P", 3);
        content.begin_text();
        content.fill_color(0.11, 0.11, 0.13);
        content.font(&FontId("F2".into()), 10.5);
        content.move_text(76.0, 732.29004);
        content.show_glyphs(Style::Bold, [(5, 0.0), (0x1e, 20.0), (0x1c, -3.5)]);
        content.end_text();
        content.end_marked_content();
        content.begin_artifact();
        content.fill_rectangle(76.0, 669.49005, 40.0, 2.0);
        content.end_marked_content();
        let numbers = GlyphNumbers::from_iter([
            ((Style::Bold, 5), 1),
            ((Style::Bold, 0x1e), 2),
            ((Style::Bold, 0x1c), 0x10),
        ]);
        let bytes = content.renumbered(&numbers).expect("renumbers");
        assert_eq!(
            String::from_utf8(bytes).expect("ASCII"),
            "/P <</MCID 3>> BDC\nBT\n0.11 0.11 0.13 rg\n/F2 10.5 Tf\n76 732.29004 Td\n\
             [<0001><0002> 20<0010> -3.5] TJ\nET\nEMC\n/Artifact BMC\n76 669.49005 40 2 re\nf\nEMC"
        );
    }

    #[test]
    fn reals_are_written_as_display_writes_them() {
        let mut values: Vec<f32> = (-200_000..200_000).map(|k| k as f32 / 100.0).collect();
        values.extend([
            0.0,
            -0.0,
            732.29004,
            763.81,
            0.121_568_63,
            1.0e-7,
            123_456_790.0,
            0.3,
            -0.01,
            99_999.99,
            25.0,
            f32::MAX,
            f32::MIN_POSITIVE,
        ]);
        values.extend((0..2000).map(|i| 841.89 - i as f32 * 0.137));
        let (mut out, mut scratch) = (Vec::new(), String::new());
        for value in values {
            out.clear();
            write_real(&mut out, &mut scratch, value);
            assert_eq!(
                String::from_utf8_lossy(&out),
                value.to_string(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn actual_text_is_a_utf16_text_string() {
        let mut content = ContentStream::default();
        content.begin_actual_text("\u{ad}");
        content.end_marked_content();
        let bytes = content
            .renumbered(&GlyphNumbers::default())
            .expect("no glyphs");
        assert_eq!(
            String::from_utf8(bytes).expect("ASCII"),
            "/Span <</ActualText <FEFF00AD>>> BDC\nEMC"
        );
    }

    #[test]
    fn a_glyph_missing_from_the_subset_is_an_error() {
        let mut content = ContentStream::default();
        content.begin_text();
        content.show_glyphs(Style::Italic, [(7, 0.0)]);
        let err = content
            .renumbered(&GlyphNumbers::default())
            .expect_err("glyph 7 is unknown");
        assert!(err.contains("glyph 7 of the italic face"), "{err}");
    }
}
