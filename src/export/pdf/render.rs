//! Laid-out pages to content streams (shaped glyph ids, colour, rules, and marked content
//! that ties every drawn run to its structure element) and printpdf pages (link annotations,
//! and the glyph inventory from which printpdf embeds the fonts; see `content`).

use printpdf::{
    Actions, BorderArray, ColorArray, FontId, LinkAnnotation, Op, PdfDocument, PdfPage, Pt, Rect,
};

use super::content::{ContentStream, Inventory};

use super::layout::{self, BlockLines, Layout, Rgb, MUTED, RULE};
use super::structure::Kid;
use crate::fonts::{FontSet, Style};
use crate::typeset::linebreak::SOFT_HYPHEN;
use crate::typeset::shape::{Glyph, Shaper};

/// An outline (bookmark) entry: where a heading landed.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub level: u8,
    pub title: String,
    pub page: usize,
    /// The top of the heading's line, from the page's bottom edge.
    pub y: f32,
}

pub struct Rendered {
    /// For printpdf: the glyph inventory on the first page, the link annotations.
    pub pages: Vec<PdfPage>,
    /// The pages' content, installed after printpdf has embedded the fonts.
    pub contents: Vec<ContentStream>,
    /// Every glyph the pages show, per face (see `content`).
    pub inventory: Inventory,
    pub outline: Vec<OutlineEntry>,
    /// Per page, the structure element of each marked-content id, in order.
    pub marked: Vec<Vec<usize>>,
    /// Per page, the structure element (a Link) of each link annotation, in order.
    pub annotations: Vec<Vec<(usize, String)>>,
    /// The text a reader sees for each link element ("@innastus"), across its lines.
    pub link_texts: std::collections::BTreeMap<usize, String>,
}

impl Rendered {
    /// What a link annotation is described as: the link's visible text, or its address when
    /// it shows none.
    pub fn link_description<'a>(&'a self, elem: usize, href: &'a str) -> &'a str {
        self.link_texts
            .get(&elem)
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .unwrap_or(href)
    }
}

/// The resource name of a style's font: fixed, so two builds give the same bytes.
pub fn font_id(style: Style) -> FontId {
    FontId(match style {
        Style::Regular => "F1".to_string(),
        Style::Bold => "F2".to_string(),
        Style::Italic => "F3".to_string(),
        Style::BoldItalic => "F4".to_string(),
    })
}

struct PageWriter<'a> {
    fonts: &'a FontSet,
    content: ContentStream,
    marked: Vec<usize>,
    inventory: &'a mut Inventory,
    /// The structure element whose marked content is open, and its MCID: the runs of one
    /// element that follow each other on a page (a paragraph's lines) share one marked
    /// content sequence, so a long paragraph has a structure kid per page, not per line.
    open: Option<(usize, usize)>,
}

impl PageWriter<'_> {
    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, c: Rgb) {
        self.content.fill_color(c.0, c.1, c.2);
        self.content.fill_rectangle(x, y, w, h);
    }

    /// Ends the open marked content, if any.
    fn close_marked(&mut self) {
        if self.open.take().is_some() {
            self.content.end_marked_content();
        }
    }

    /// A filled rectangle that is not part of the text (a rule, a bar).
    fn artifact_rect(&mut self, x: f32, y: f32, w: f32, h: f32, c: Rgb) {
        self.close_marked();
        self.content.begin_artifact();
        self.fill_rect(x, y, w, h, c);
        self.content.end_marked_content();
    }

    /// A text object: colour, font, position and glyphs. Each glyph id gets, as a TJ
    /// adjustment, the difference between its shaped advance (kerning, justification) and the
    /// font's own width; each goes into the inventory with its text (for ToUnicode).
    fn text_object(&mut self, x: f32, y: f32, style: Style, size: f32, c: Rgb, glyphs: &[Glyph]) {
        let face = self.fonts.face(style);
        let upem = f32::from(face.units_per_em());
        let inventory = &mut *self.inventory;
        let adjusted = glyphs.iter().map(|g| {
            // An inserted hyphen draws the hyphen's glyph; its text (U+00AD) goes into an
            // ActualText span around it, not into the font's Unicode map, which keeps "-"
            // for the hyphens that were written.
            let inserted = g.text == SOFT_HYPHEN;
            let text = if inserted { "-" } else { g.text.as_str() };
            let font_width = inventory.note(style, g.id, text, || {
                face.face
                    .glyph_hor_advance(ttf_parser::GlyphId(g.id))
                    .map(|w| (f32::from(w) * 1000.0 / upem).trunc())
                    .unwrap_or(0.0)
            });
            let shaped = g.advance * 1000.0 / size;
            let offset = ((font_width - shaped) * 100.0).round() / 100.0;
            (g.id, offset, inserted)
        });
        let adjusted: Vec<(u16, f32, bool)> = adjusted.collect();
        self.content.begin_text();
        self.content.fill_color(c.0, c.1, c.2);
        self.content.font(&font_id(style), size);
        self.content.move_text(x, y);
        for run in adjusted.chunk_by(|a, b| a.2 == b.2) {
            let glyphs = run.iter().map(|&(id, offset, _)| (id, offset));
            if run[0].2 {
                self.content.begin_actual_text(SOFT_HYPHEN);
                self.content.show_glyphs(style, glyphs);
                self.content.end_marked_content();
            } else {
                self.content.show_glyphs(style, glyphs);
            }
        }
        self.content.end_text();
    }

    /// Draws glyphs tagged as content of `elem` (a structure element of type `tag`): in
    /// the marked content open for it, or in a new one whose MCID is returned.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        x: f32,
        y: f32,
        style: Style,
        size: f32,
        c: Rgb,
        glyphs: &[Glyph],
        elem: usize,
        tag: &str,
    ) -> Option<usize> {
        if matches!(self.open, Some((open, _)) if open == elem) {
            self.text_object(x, y, style, size, c, glyphs);
            return None;
        }
        self.close_marked();
        let mcid = self.marked.len();
        self.marked.push(elem);
        self.content.begin_marked_content(tag, mcid);
        self.open = Some((elem, mcid));
        self.text_object(x, y, style, size, c, glyphs);
        Some(mcid)
    }
}

/// Draws every page. Returns an error message if the footer's characters cannot be drawn.
pub fn render(
    layout: &mut Layout,
    shaper: &Shaper,
    short_title: &str,
) -> Result<Rendered, crate::typeset::shape::MissingGlyph> {
    let fonts = shaper.fonts();
    let mut inventory = Inventory::default();
    let mut rendered = Rendered {
        pages: Vec::new(),
        contents: Vec::new(),
        inventory: Inventory::default(),
        outline: Vec::new(),
        marked: Vec::new(),
        annotations: Vec::new(),
        link_texts: std::collections::BTreeMap::new(),
    };
    let footer_title = shaper.shape(short_title, Style::Regular, 8.5)?;
    let mut by_page: Vec<Vec<usize>> = vec![Vec::new(); layout.pages];
    for (i, p) in layout.placements.iter().enumerate() {
        if let Some(list) = by_page.get_mut(p.page) {
            list.push(i);
        }
    }
    // The lines of the window of a deferred block being drawn: (block, window, lines).
    let mut reset: Option<(usize, usize, Vec<crate::typeset::Line>)> = None;
    for (page, placement_ids) in by_page.iter().enumerate() {
        let mut w = PageWriter {
            fonts,
            content: ContentStream::default(),
            marked: Vec::new(),
            inventory: &mut inventory,
            open: None,
        };
        let mut annotations: Vec<(usize, String)> = Vec::new();
        let mut links: Vec<Op> = Vec::new();
        for &pi in placement_ids {
            let placement = layout.placements[pi];
            let block = &layout.blocks[placement.block];
            let line = match &block.lines {
                BlockLines::Kept(lines) => lines.get(placement.line),
                BlockLines::Deferred(deferred) => {
                    // Lines dropped by the layout are set again, a window at a time: pages
                    // are drawn in order, so each window is set once more.
                    let Some((window, first)) = deferred.window_of(placement.line) else {
                        continue;
                    };
                    let current =
                        matches!(&reset, Some((b, w, _)) if *b == placement.block && *w == window);
                    if !current {
                        reset.take(); // the last window's lines go before the next is set
                        let lines = deferred
                            .set_window(window, shaper, layout.hyphenator.as_ref())
                            .map_err(|e| e.missing)?;
                        reset = Some((placement.block, window, lines));
                    }
                    reset
                        .as_ref()
                        .and_then(|(_, _, lines)| lines.get(placement.line - first))
                }
            };
            let Some(line) = line else {
                continue;
            };
            let top = layout::PAGE_HEIGHT - layout::MARGIN_TOP - placement.top;
            let baseline = top - block.baseline;
            if placement.line == 0 {
                if let Some((level, title)) = &block.outline {
                    rendered.outline.push(OutlineEntry {
                        level: *level,
                        title: title.clone(),
                        page,
                        y: top + 4.0,
                    });
                }
            }
            if let Some(bar) = block.bar {
                w.artifact_rect(
                    bar.x,
                    top - block.line_height,
                    bar.width,
                    block.line_height + 0.2,
                    bar.color,
                );
            }
            if placement.line == 0 {
                if let Some(bullet) = &block.bullet {
                    let mcid = w.text(
                        bullet.x,
                        baseline,
                        Style::Regular,
                        bullet.size,
                        layout::ACCENT,
                        &bullet.glyphs,
                        bullet.elem,
                        "Lbl",
                    );
                    if let Some(mcid) = mcid {
                        layout.tree.push(bullet.elem, Kid::Content { page, mcid });
                    }
                }
            }
            // One link annotation per run of the same link on this line.
            let mut open_link: Option<(usize, String, f32, f32, f32)> = None;
            for piece in &line.pieces {
                let Some(style) = layout.styles.get(piece.tag) else {
                    continue;
                };
                let elem = style.elem;
                // The piece's own element holds its content; the link's text and annotation
                // belong to the Link, also when the piece is a Span inside it.
                let link = layout.tree.link_of(elem);
                let role = layout
                    .tree
                    .elems
                    .get(elem)
                    .map(|e| e.role.name())
                    .unwrap_or("P");
                let x = block.x + piece.x;
                let mcid = w.text(
                    x,
                    baseline,
                    piece.style,
                    piece.size,
                    style.color,
                    &piece.glyphs,
                    elem,
                    role,
                );
                if let Some(mcid) = mcid {
                    layout.tree.push(elem, Kid::Content { page, mcid });
                }
                if style.href.is_some() {
                    let shown = rendered.link_texts.entry(link).or_default();
                    for g in &piece.glyphs {
                        if g.text != SOFT_HYPHEN {
                            shown.push_str(&g.text);
                        }
                    }
                }
                match (&style.href, &mut open_link) {
                    (Some(href), Some((e, h, _, x1, _))) if *e == link && h == href => {
                        *x1 = x + piece.width;
                    }
                    (Some(href), _) => {
                        if let Some(done) = open_link.take() {
                            push_link(
                                &mut links,
                                &mut annotations,
                                &mut layout.tree,
                                page,
                                done,
                                baseline,
                            );
                        }
                        open_link = Some((link, href.clone(), x, x + piece.width, piece.size));
                    }
                    (None, _) => {
                        if let Some(done) = open_link.take() {
                            push_link(
                                &mut links,
                                &mut annotations,
                                &mut layout.tree,
                                page,
                                done,
                                baseline,
                            );
                        }
                    }
                }
            }
            if let Some(done) = open_link.take() {
                push_link(
                    &mut links,
                    &mut annotations,
                    &mut layout.tree,
                    page,
                    done,
                    baseline,
                );
            }
            if block.rule_below && placement.line + 1 == block.metrics.line_heights.len() {
                let y = top - block.line_height - 8.0;
                w.artifact_rect(layout::MARGIN_LEFT, y, 40.0, 2.0, layout::ACCENT);
            }
        }
        footer(&mut w, shaper, &footer_title, page, layout.pages)?;
        let mut content = std::mem::take(&mut w.content);
        content.shrink_to_fit();
        rendered.contents.push(content);
        rendered.marked.push(std::mem::take(&mut w.marked));
        rendered.annotations.push(annotations);
        // printpdf gets the link annotations of each page; the inventory goes on the first
        // page once every page is drawn.
        rendered.pages.push(PdfPage::new(
            printpdf::Mm(210.0),
            printpdf::Mm(297.0),
            links,
        ));
    }
    if let Some(first) = rendered.pages.first_mut() {
        let mut ops = inventory.operations(font_id);
        ops.append(&mut first.ops);
        first.ops = ops;
    }
    rendered.inventory = inventory;
    Ok(rendered)
}

fn push_link(
    links: &mut Vec<Op>,
    annotations: &mut Vec<(usize, String)>,
    tree: &mut super::structure::StructTree,
    page: usize,
    (elem, href, x0, x1, size): (usize, String, f32, f32, f32),
    baseline: f32,
) {
    let rect = Rect {
        x: Pt(x0),
        y: Pt(baseline - size * 0.28),
        width: Pt(x1 - x0),
        height: Pt(size * 1.18),
        mode: None,
        winding_order: None,
    };
    links.push(Op::LinkAnnotation {
        link: LinkAnnotation::new(
            rect,
            Actions::uri(href.clone()),
            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
            Some(ColorArray::Transparent),
            None,
        ),
    });
    tree.push(
        elem,
        Kid::Annotation {
            page,
            index: annotations.len(),
        },
    );
    annotations.push((elem, href));
}

/// The running footer: a hairline, the short title on the left, "page / pages" on the right.
fn footer(
    w: &mut PageWriter,
    shaper: &Shaper,
    title: &[Glyph],
    page: usize,
    pages: usize,
) -> Result<(), crate::typeset::shape::MissingGlyph> {
    let number = shaper.shape(&format!("{} / {}", page + 1, pages), Style::Regular, 8.5)?;
    let number_width: f32 = number.iter().map(|g| g.advance).sum();
    w.close_marked();
    w.content.begin_footer_artifact();
    w.fill_rect(
        layout::MARGIN_LEFT,
        layout::FOOTER_BASELINE + 11.0,
        layout::TEXT_WIDTH,
        0.5,
        RULE,
    );
    let right = layout::PAGE_WIDTH - layout::MARGIN_RIGHT - number_width;
    for (x, glyphs) in [(layout::MARGIN_LEFT, title), (right, &number[..])] {
        w.text_object(
            x,
            layout::FOOTER_BASELINE,
            Style::Regular,
            8.5,
            MUTED,
            glyphs,
        );
    }
    w.content.end_marked_content();
    Ok(())
}

/// printpdf needs its own parse of each face (it subsets from it). Parsing costs more than
/// the rest of a document, so each face is parsed once per process and cloned per document.
pub fn parsed_fonts(fonts: &FontSet) -> Option<Vec<(Style, printpdf::ParsedFont)>> {
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<Vec<(usize, usize, printpdf::ParsedFont)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut out = Vec::new();
    for face in fonts.faces() {
        let key = (face.data.as_ptr() as usize, face.data.len());
        let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
        let found = guard
            .iter()
            .find(|(p, l, _)| (*p, *l) == key)
            .map(|(_, _, f)| f.clone());
        let parsed = match found {
            Some(f) => f,
            None => {
                let mut warnings = Vec::new();
                let parsed = printpdf::ParsedFont::from_bytes(face.data, 0, &mut warnings)?;
                guard.push((key.0, key.1, parsed.clone()));
                parsed
            }
        };
        out.push((face.style, parsed));
    }
    Some(out)
}

pub fn new_document(fonts: &FontSet, title: &str) -> Option<PdfDocument> {
    let mut doc = PdfDocument::new(title);
    for (style, parsed) in parsed_fonts(fonts)? {
        doc.resources
            .fonts
            .map
            .insert(font_id(style), printpdf::PdfFont::new(parsed));
    }
    Some(doc)
}
