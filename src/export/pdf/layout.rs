//! The handout's design: the document model as typeset blocks, then pages.
//!
//! Every word comes from the model; this module adds only punctuation between a name and
//! what follows it, bullets, rules and colour. Each block knows the structure element its
//! text belongs to, so the renderer can tag it for screen readers.

use crate::fonts::Style;
use crate::model::{Block, Inline, Person, Pos, Summary};
use crate::typeset::hyphenate::Hyphenator;
use crate::typeset::linebreak::{
    reset_window, set_paragraph_in_windows, Alignment, BreakError, Line, Span, SpanKind, Window,
};
use crate::typeset::paginate::{paginate, BlockMetrics, Placement};
use crate::typeset::shape::{Glyph, Shaper};

use super::structure::{Role, StructTree};

pub const PAGE_WIDTH: f32 = 595.276;
pub const PAGE_HEIGHT: f32 = 841.89;
pub const MARGIN_LEFT: f32 = 76.0;
pub const MARGIN_RIGHT: f32 = 76.0;
pub const MARGIN_TOP: f32 = 68.0;
/// The text area ends this far above the bottom edge; the footer sits below it.
pub const MARGIN_BOTTOM: f32 = 78.0;
pub const FOOTER_BASELINE: f32 = 44.0;
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;

pub const BODY_SIZE: f32 = 10.5;
const BODY_LEADING: f32 = 1.42;

/// Colours: a near-black for text, one blue accent (dark enough to print as a clear grey),
/// a mid grey for secondary text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);
pub const INK: Rgb = Rgb(0.11, 0.11, 0.13);
pub const ACCENT: Rgb = Rgb(0.05, 0.27, 0.52);
pub const LINK: Rgb = Rgb(0.02, 0.33, 0.66);
pub const MUTED: Rgb = Rgb(0.36, 0.37, 0.40);
pub const RULE: Rgb = Rgb(0.72, 0.76, 0.82);

/// Where a piece of text comes from, for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub pos: Option<Pos>,
    pub what: &'static str,
}

/// What a span's tag stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanStyle {
    pub color: Rgb,
    /// The link's address, if the span is (part of) a link.
    pub href: Option<String>,
    /// The structure element the text belongs to.
    pub elem: usize,
    pub origin: Origin,
}

/// A thin vertical bar beside a block's lines (a person's card, a question).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub x: f32,
    pub width: f32,
    pub color: Rgb,
}

/// A list bullet, drawn before the first line.
#[derive(Debug, Clone, PartialEq)]
pub struct Bullet {
    pub x: f32,
    pub glyphs: Vec<Glyph>,
    pub size: f32,
    pub elem: usize,
}

/// Glyphs of set lines the layout keeps, at most, for the renderer (about 40 bytes each):
/// the lines of blocks beyond it are counted, dropped and set again when their page is
/// drawn, so a document's memory does not grow with its length. Every handout of a few
/// pages stays far below it and is set once.
pub const KEPT_GLYPHS: usize = 200_000;

/// A block's lines: kept from the layout, or to be set again when drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockLines {
    Kept(Vec<Line>),
    Deferred(Box<DeferredLines>),
}

/// What sets a block's lines again: its spans and the windows they were set in.
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredLines {
    pub spans: Vec<Span>,
    pub width: f32,
    pub alignment: Alignment,
    pub windows: Vec<Window>,
    /// The block's index of each window's first line.
    pub first_lines: Vec<usize>,
    /// Whether the last line ends with a space that takes no room (see `end_with_space`).
    pub trailing_space: bool,
}

impl BlockLines {
    /// The lines, when the layout kept them.
    pub fn kept(&self) -> Option<&[Line]> {
        match self {
            BlockLines::Kept(lines) => Some(lines),
            BlockLines::Deferred(_) => None,
        }
    }
}

impl DeferredLines {
    /// The window holding line `line`, and that window's first line.
    pub fn window_of(&self, line: usize) -> Option<(usize, usize)> {
        let index = self.first_lines.partition_point(|&first| first <= line);
        let index = index.checked_sub(1)?;
        Some((index, self.first_lines[index]))
    }

    /// Sets the lines of window `index` again, as the layout set them.
    pub fn set_window(
        &self,
        index: usize,
        shaper: &Shaper,
        hyphenator: Option<&Hyphenator>,
    ) -> Result<Vec<Line>, BreakError> {
        let Some(window) = self.windows.get(index) else {
            return Ok(Vec::new());
        };
        let mut lines = reset_window(
            shaper,
            &self.spans,
            window,
            self.width,
            self.alignment,
            hyphenator,
        )?;
        if self.trailing_space && index + 1 == self.windows.len() {
            if let Some(line) = lines.last_mut() {
                append_zero_width_space(line, shaper);
            }
        }
        Ok(lines)
    }
}

/// Ends a line with a space that takes no room (see `Builder::end_with_space`).
fn append_zero_width_space(line: &mut Line, shaper: &Shaper) {
    let Some(piece) = line.pieces.last_mut() else {
        return;
    };
    if let Ok(mut space) = shaper.shape(" ", piece.style, piece.size) {
        space.iter_mut().for_each(|g| g.advance = 0.0);
        piece.glyphs.extend(space);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LaidBlock {
    pub lines: BlockLines,
    /// Left edge of the text, from the page's left edge.
    pub x: f32,
    pub line_height: f32,
    /// The baseline's distance below a line's top.
    pub baseline: f32,
    pub metrics: BlockMetrics,
    pub bar: Option<Bar>,
    pub bullet: Option<Bullet>,
    /// A hairline below the block (after the title block).
    pub rule_below: bool,
    /// An outline (bookmark) entry: level (1 = top) and title.
    pub outline: Option<(u8, String)>,
}

/// The whole document laid out: blocks, where their lines go, and the structure tree.
pub struct Layout {
    pub blocks: Vec<LaidBlock>,
    pub placements: Vec<Placement>,
    pub styles: Vec<SpanStyle>,
    pub tree: StructTree,
    pub pages: usize,
    /// The hyphenation the lines were set with, to set dropped lines again.
    pub hyphenator: Option<Hyphenator>,
    /// What the reader should know about how the text was set (a word broken between
    /// letters), with where it is in the source.
    pub warnings: Vec<String>,
}

/// A character no face can draw, where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingCharacter {
    pub character: char,
    pub style: Style,
    pub origin: Origin,
}

struct TextStyle {
    style: Style,
    size: f32,
    color: Rgb,
}

struct BlockStyle {
    x: f32,
    width: f32,
    size: f32,
    leading: f32,
    alignment: Alignment,
    space_before: f32,
    space_after: f32,
    keep_with_next: bool,
    keep_together: bool,
}

impl BlockStyle {
    fn body() -> BlockStyle {
        BlockStyle {
            x: MARGIN_LEFT,
            width: TEXT_WIDTH,
            size: BODY_SIZE,
            leading: BODY_LEADING,
            alignment: Alignment::Justify,
            space_before: 5.0,
            space_after: 5.0,
            keep_with_next: false,
            keep_together: false,
        }
    }

    fn heading(size: f32, space_before: f32, space_after: f32) -> BlockStyle {
        BlockStyle {
            size,
            leading: 1.2,
            alignment: Alignment::Ragged,
            space_before,
            space_after,
            keep_with_next: true,
            keep_together: true,
            ..BlockStyle::body()
        }
    }
}

struct Builder<'a, 'f> {
    doc: &'a Summary,
    shaper: Shaper<'f>,
    /// `None` for a language without hyphenation patterns.
    hyphenator: Option<Hyphenator>,
    styles: Vec<SpanStyle>,
    blocks: Vec<LaidBlock>,
    tree: StructTree,
    warnings: Vec<String>,
    /// Glyphs on the lines kept so far (see [`KEPT_GLYPHS`]).
    kept_glyphs: usize,
}

/// Lays the document out on A4 pages.
pub fn lay_out(doc: &Summary, shaper: Shaper<'_>) -> Result<Layout, MissingCharacter> {
    let mut b = Builder {
        doc,
        shaper,
        hyphenator: Hyphenator::for_language(&doc.lang),
        styles: Vec::new(),
        blocks: Vec::new(),
        tree: StructTree::new(),
        warnings: Vec::new(),
        kept_glyphs: 0,
    };
    if let Some(hyphenator) = &b.hyphenator {
        // People's names are never hyphenated, in whatever case they are written.
        for person in &doc.people {
            for part in person.name.split(|c: char| !c.is_alphabetic()) {
                if !part.is_empty() {
                    hyphenator.keep_whole(part);
                }
            }
        }
    }
    b.title_block()?;
    for section in &doc.sections {
        let h = b.tree.add(Role::H2, StructTree::ROOT);
        let origin = Origin {
            pos: Some(section.pos),
            what: "section heading",
        };
        let spans = vec![b.span(&section.heading, bold(15.0, ACCENT), h, origin)];
        b.block(spans, BlockStyle::heading(15.0, 22.0, 7.0), |blk| {
            blk.outline = Some((1, section.heading.clone()));
        })?;
        b.blocks_of(&section.blocks, StructTree::ROOT, Role::H3)?;
    }
    if let Some(questions) = &doc.questions {
        b.questions(questions)?;
    }
    let metrics: Vec<BlockMetrics> = b.blocks.iter().map(|blk| blk.metrics.clone()).collect();
    let placements = paginate(&metrics, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM);
    let pages = placements.last().map(|p| p.page + 1).unwrap_or(1);
    Ok(Layout {
        blocks: b.blocks,
        placements,
        styles: b.styles,
        tree: b.tree,
        pages,
        hyphenator: b.hyphenator,
        warnings: b.warnings,
    })
}

fn regular(size: f32, color: Rgb) -> TextStyle {
    TextStyle {
        style: Style::Regular,
        size,
        color,
    }
}

fn bold(size: f32, color: Rgb) -> TextStyle {
    TextStyle {
        style: Style::Bold,
        size,
        color,
    }
}

fn looks_like_url(text: &str) -> bool {
    !text.contains(' ')
        && (text.starts_with("http://")
            || text.starts_with("https://")
            || text.starts_with("www.")
            || (text.contains('/') && text.contains('.')))
}

impl<'a, 'f> Builder<'a, 'f> {
    fn tag(&mut self, color: Rgb, href: Option<String>, elem: usize, origin: Origin) -> usize {
        self.styles.push(SpanStyle {
            color,
            href,
            elem,
            origin,
        });
        self.styles.len() - 1
    }

    fn span(&mut self, text: &str, style: TextStyle, elem: usize, origin: Origin) -> Span {
        let tag = self.tag(style.color, None, elem, origin);
        Span {
            text: text.to_string(),
            style: style.style,
            size: style.size,
            kind: SpanKind::Text,
            tag,
        }
    }

    fn link_span(
        &mut self,
        url: &str,
        href: &str,
        style: TextStyle,
        parent: usize,
        origin: Origin,
    ) -> Span {
        let link = self.tree.add(Role::Link, parent);
        self.tree.set_alt(link, href);
        let tag = self.tag(LINK, Some(href.to_string()), link, origin);
        Span {
            text: url.to_string(),
            style: style.style,
            size: style.size,
            kind: SpanKind::Url,
            tag,
        }
    }

    /// Running text as spans: emphasis in italics, strong in bold, links coloured and tagged.
    fn inlines(
        &mut self,
        inlines: &[Inline],
        base: &TextStyle,
        elem: usize,
        origin: &Origin,
        out: &mut Vec<Span>,
        link: Option<(usize, &str)>,
    ) {
        for inline in inlines {
            match inline {
                Inline::Text { text } => {
                    let (color, href, e) = match link {
                        Some((l, href)) => (LINK, Some(href.to_string()), l),
                        None => (base.color, None, elem),
                    };
                    let tag = self.tag(color, href, e, origin.clone());
                    let kind = if link.is_some() && looks_like_url(text) {
                        SpanKind::Url
                    } else {
                        SpanKind::Text
                    };
                    out.push(Span {
                        text: text.clone(),
                        style: base.style,
                        size: base.size,
                        kind,
                        tag,
                    });
                }
                Inline::Link { href, content } => {
                    let l = self.tree.add(Role::Link, elem);
                    self.tree.set_alt(l, href);
                    self.inlines(content, base, elem, origin, out, Some((l, href)));
                }
                Inline::Emphasis { content } => {
                    let style = TextStyle {
                        style: Style::new(base.style.is_bold(), true),
                        size: base.size,
                        color: base.color,
                    };
                    self.inlines(content, &style, elem, origin, out, link);
                }
                Inline::Strong { content } => {
                    let style = TextStyle {
                        style: Style::new(true, base.style.is_italic()),
                        size: base.size,
                        color: base.color,
                    };
                    self.inlines(content, &style, elem, origin, out, link);
                }
                Inline::Lang { lang, content } => {
                    // Inside a link the Span is the Link's child and its words stay the
                    // link's: the annotation goes to the Link (`StructTree::link_of`).
                    let span = self.tree.add(Role::Span, link.map_or(elem, |(l, _)| l));
                    self.tree.set_lang(span, lang);
                    let link = link.map(|(_, href)| (span, href));
                    self.inlines(content, base, span, origin, out, link);
                }
            }
        }
    }

    fn block(
        &mut self,
        spans: Vec<Span>,
        style: BlockStyle,
        finish: impl FnOnce(&mut LaidBlock),
    ) -> Result<(), MissingCharacter> {
        let mut kept: Vec<Line> = Vec::new();
        let mut windows: Vec<Window> = Vec::new();
        let mut hyphenated: Vec<bool> = Vec::new();
        let mut keep = true;
        let kept_glyphs = &mut self.kept_glyphs;
        let overwide = set_paragraph_in_windows(
            &self.shaper,
            &spans,
            style.width,
            style.alignment,
            self.hyphenator.as_ref(),
            |window, lines| {
                hyphenated.extend(lines.iter().map(|l| l.hyphenated));
                windows.push(window.clone());
                let glyphs: usize = lines
                    .iter()
                    .flat_map(|l| &l.pieces)
                    .map(|p| p.glyphs.len())
                    .sum();
                if keep && windows.len() == 1 && *kept_glyphs + glyphs <= KEPT_GLYPHS {
                    *kept_glyphs += glyphs;
                    kept = lines;
                } else if keep {
                    keep = false;
                    *kept_glyphs -= kept
                        .iter()
                        .flat_map(|l| &l.pieces)
                        .map(|p| p.glyphs.len())
                        .sum::<usize>();
                    kept = Vec::new();
                }
            },
        )
        .map_err(|e| {
            let origin = spans
                .get(e.span)
                .and_then(|s| self.styles.get(s.tag))
                .map(|s| s.origin.clone())
                .unwrap_or(Origin {
                    pos: None,
                    what: "text",
                });
            MissingCharacter {
                character: e.missing.character,
                style: e.missing.style,
                origin,
            }
        })?;
        for word in &overwide {
            let origin = spans.get(word.span).and_then(|s| self.styles.get(s.tag));
            let place = match origin.and_then(|o| o.origin.pos) {
                Some(pos) => format!("the {} at {pos}", origin.map_or("text", |o| o.origin.what)),
                None => format!("the {}", origin.map_or("text", |o| o.origin.what)),
            };
            self.warnings.push(format!(
                "{place}: \"{}\" is wider than a line and is broken between letters",
                word.word
            ));
        }
        let line_height = style.size * style.leading;
        let lines = if keep {
            BlockLines::Kept(kept)
        } else {
            let mut first_lines = Vec::with_capacity(windows.len());
            let mut first = 0;
            for window in &windows {
                first_lines.push(first);
                first += window.lines;
            }
            BlockLines::Deferred(Box::new(DeferredLines {
                spans,
                width: style.width,
                alignment: style.alignment,
                windows,
                first_lines,
                trailing_space: false,
            }))
        };
        let mut laid = LaidBlock {
            metrics: BlockMetrics {
                line_heights: vec![line_height; hyphenated.len()],
                space_before: style.space_before,
                space_after: style.space_after,
                keep_with_next: style.keep_with_next,
                keep_together: style.keep_together,
                hyphenated,
            },
            lines,
            x: style.x,
            line_height,
            baseline: style.size * (0.86 + (style.leading - 1.0) / 2.0),
            bar: None,
            bullet: None,
            rule_below: false,
            outline: None,
        };
        finish(&mut laid);
        self.blocks.push(laid);
        Ok(())
    }

    /// Ends the last block with a space that takes no room, for a structure element whose
    /// text goes on in the next block (a talk's speaker line and its title make one
    /// heading): text read along the tree then keeps the two apart.
    fn end_with_space(&mut self) {
        match self.blocks.last_mut().map(|b| &mut b.lines) {
            Some(BlockLines::Kept(lines)) => {
                if let Some(line) = lines.last_mut() {
                    append_zero_width_space(line, &self.shaper);
                }
            }
            Some(BlockLines::Deferred(deferred)) => deferred.trailing_space = true,
            None => {}
        }
    }

    fn title_block(&mut self) -> Result<(), MissingCharacter> {
        let meta = &self.doc.meta;
        let meta_origin = |what| Origin { pos: None, what };
        let event_elem = self.tree.add(Role::P, StructTree::ROOT);
        let spans = vec![self.span(
            &meta.event,
            bold(10.5, ACCENT),
            event_elem,
            meta_origin("event"),
        )];
        self.block(spans, BlockStyle::heading(10.5, 0.0, 6.0), |_| {})?;

        let title_elem = self.tree.add(Role::H1, StructTree::ROOT);
        let spans = vec![self.span(
            &meta.title,
            bold(25.0, INK),
            title_elem,
            meta_origin("title"),
        )];
        let mut style = BlockStyle::heading(25.0, 0.0, 8.0);
        style.leading = 1.12;
        self.block(spans, style, |_| {})?;

        let organiser_elem = self.tree.add(Role::P, StructTree::ROOT);
        let spans = vec![self.span(
            &meta.organiser,
            regular(11.5, MUTED),
            organiser_elem,
            meta_origin("organiser"),
        )];
        self.block(spans, BlockStyle::heading(11.5, 0.0, 10.0), |b| {
            b.rule_below = true;
        })?;

        let facts = TextStyle {
            style: Style::Regular,
            size: 10.0,
            color: INK,
        };
        if let Some(attendance) = &meta.attendance {
            let elem = self.tree.add(Role::P, StructTree::ROOT);
            let mut spans = Vec::new();
            let origin = meta_origin("attendance");
            self.inlines(&attendance.text, &facts, elem, &origin, &mut spans, None);
            let mut style = BlockStyle::heading(10.0, 14.0, 2.0);
            style.leading = 1.4;
            style.keep_with_next = false;
            self.block(spans, style, |_| {})?;
        }
        if let Some(recording) = &meta.recording {
            let elem = self.tree.add(Role::P, StructTree::ROOT);
            let mut spans = Vec::new();
            let origin = meta_origin("recording");
            let has_link = recording
                .text
                .iter()
                .any(|i| matches!(i, Inline::Link { .. }));
            if has_link {
                self.inlines(&recording.text, &facts, elem, &origin, &mut spans, None);
            } else {
                // The sentence names no address itself: the whole sentence links to it.
                let link = self.tree.add(Role::Link, elem);
                self.tree.set_alt(link, &recording.href);
                self.inlines(
                    &recording.text,
                    &facts,
                    elem,
                    &origin,
                    &mut spans,
                    Some((link, &recording.href)),
                );
            }
            let mut style = BlockStyle::heading(10.0, 2.0, 6.0);
            style.leading = 1.4;
            style.keep_with_next = false;
            self.block(spans, style, |_| {})?;
        }
        Ok(())
    }

    /// `minor` is the heading level of sub-headings here: one below the enclosing heading.
    fn blocks_of(
        &mut self,
        blocks: &[Block],
        parent: usize,
        minor: Role,
    ) -> Result<(), MissingCharacter> {
        for block in blocks {
            match block {
                Block::Paragraph(p) => {
                    let elem = self.tree.add(Role::P, parent);
                    let origin = Origin {
                        pos: Some(p.pos),
                        what: "paragraph",
                    };
                    let mut spans = Vec::new();
                    self.inlines(
                        &p.content,
                        &regular(BODY_SIZE, INK),
                        elem,
                        &origin,
                        &mut spans,
                        None,
                    );
                    self.block(spans, BlockStyle::body(), |_| {})?;
                }
                Block::Subheading(h) => {
                    let elem = self.tree.add(minor, parent);
                    let origin = Origin {
                        pos: Some(h.pos),
                        what: "subheading",
                    };
                    let spans = vec![self.span(&h.text, bold(11.0, INK), elem, origin)];
                    self.block(spans, BlockStyle::heading(11.0, 11.0, 3.0), |_| {})?;
                }
                Block::List(list) => {
                    let l = self.tree.add(Role::L, parent);
                    for item in &list.items {
                        let li = self.tree.add(Role::LI, l);
                        let lbl = self.tree.add(Role::Lbl, li);
                        let body = self.tree.add(Role::LBody, li);
                        let origin = Origin {
                            pos: Some(item.pos),
                            what: "list item",
                        };
                        let mut spans = Vec::new();
                        self.inlines(
                            &item.content,
                            &regular(BODY_SIZE, INK),
                            body,
                            &origin,
                            &mut spans,
                            None,
                        );
                        let bullet = self
                            .shaper
                            .shape("\u{2022}", Style::Regular, BODY_SIZE)
                            .map_err(|m| MissingCharacter {
                                character: m.character,
                                style: m.style,
                                origin: origin.clone(),
                            })?;
                        let mut style = BlockStyle::body();
                        style.x = MARGIN_LEFT + 16.0;
                        style.width = TEXT_WIDTH - 16.0;
                        style.space_before = 2.5;
                        style.space_after = 2.5;
                        self.block(spans, style, |b| {
                            b.bullet = Some(Bullet {
                                x: MARGIN_LEFT + 4.0,
                                glyphs: bullet,
                                size: BODY_SIZE,
                                elem: lbl,
                            });
                        })?;
                    }
                }
                Block::People(group) => {
                    let h = self.tree.add(minor, parent);
                    let origin = Origin {
                        pos: Some(group.pos),
                        what: "people label",
                    };
                    let spans = vec![self.span(&group.label, bold(11.0, INK), h, origin)];
                    self.block(spans, BlockStyle::heading(11.0, 12.0, 5.0), |_| {})?;
                    let l = self.tree.add(Role::L, parent);
                    for member in &group.members {
                        let person = self.doc.person(*member);
                        self.person_card(person, l)?;
                    }
                }
                Block::Talk(talk) => {
                    let h = self.tree.add(Role::H3, parent);
                    let origin = Origin {
                        pos: Some(talk.pos),
                        what: "talk heading",
                    };
                    let name = talk.name(self.doc).to_string();
                    let mut spans = vec![self.span(&name, bold(10.5, ACCENT), h, origin.clone())];
                    if let Some(aff) = &talk.affiliation {
                        spans.push(self.span(", ", regular(10.5, MUTED), h, origin.clone()));
                        spans.push(self.span(aff, regular(10.5, MUTED), h, origin.clone()));
                    }
                    self.block(spans, BlockStyle::heading(10.5, 18.0, 1.0), |_| {})?;
                    self.end_with_space();
                    let spans = vec![self.span(&talk.title, bold(13.0, INK), h, origin)];
                    let outline = format!("{name} \u{2014} {}", talk.title);
                    self.block(spans, BlockStyle::heading(13.0, 1.0, 5.0), |b| {
                        b.outline = Some((2, outline));
                    })?;
                    let sect = self.tree.add(Role::Sect, parent);
                    self.blocks_of(&talk.blocks, sect, Role::H4)?;
                }
            }
        }
        Ok(())
    }

    fn person_card(&mut self, person: &Person, list: usize) -> Result<(), MissingCharacter> {
        let li = self.tree.add(Role::LI, list);
        let body = self.tree.add(Role::LBody, li);
        let origin = Origin {
            pos: Some(person.pos),
            what: "person",
        };
        let x = MARGIN_LEFT + 12.0;
        let bar = Bar {
            x: MARGIN_LEFT + 1.0,
            width: 2.0,
            color: RULE,
        };
        let card_line = |size: f32, before: f32, after: f32, last: bool| BlockStyle {
            x,
            width: TEXT_WIDTH - 12.0,
            size,
            leading: 1.3,
            alignment: Alignment::Ragged,
            space_before: before,
            space_after: after,
            keep_with_next: !last,
            keep_together: true,
        };
        let has_affiliation = person.affiliation.is_some();
        let profiles =
            usize::from(person.linkedin.is_some()) + usize::from(person.twitter.is_some());
        let name_elem = self.tree.add(Role::P, body);
        let spans = vec![self.span(&person.name, bold(11.0, INK), name_elem, origin.clone())];
        let last = !has_affiliation && profiles == 0;
        self.block(spans, card_line(11.0, 7.0, 0.0, last), |b| {
            b.bar = Some(bar)
        })?;
        if let Some(aff) = &person.affiliation {
            let elem = self.tree.add(Role::P, body);
            let mut spans = Vec::new();
            self.inlines(aff, &regular(10.0, MUTED), elem, &origin, &mut spans, None);
            self.block(spans, card_line(10.0, 0.0, 0.0, profiles == 0), |b| {
                b.bar = Some(bar)
            })?;
        }
        let mut remaining = profiles;
        let labels = &self.doc.meta.labels;
        let entries = [
            (
                labels.linkedin.clone(),
                person.linkedin.clone(),
                person.linkedin.clone(),
            ),
            (
                labels.twitter.clone(),
                person.twitter.clone(),
                person.twitter_url(),
            ),
        ];
        for (label, shown, href) in entries {
            let (Some(shown), Some(href)) = (shown, href) else {
                continue;
            };
            remaining -= 1;
            let elem = self.tree.add(Role::P, body);
            let mut spans = vec![self.span(
                &format!("{label} "),
                regular(9.5, MUTED),
                elem,
                origin.clone(),
            )];
            spans.push(self.link_span(&shown, &href, regular(9.5, LINK), elem, origin.clone()));
            self.block(spans, card_line(9.5, 0.0, 0.0, remaining == 0), |b| {
                b.bar = Some(bar)
            })?;
        }
        Ok(())
    }

    fn questions(&mut self, questions: &crate::model::Questions) -> Result<(), MissingCharacter> {
        let h = self.tree.add(Role::H2, StructTree::ROOT);
        let origin = Origin {
            pos: Some(questions.pos),
            what: "questions heading",
        };
        let spans = vec![self.span(&questions.heading, bold(15.0, ACCENT), h, origin)];
        self.block(spans, BlockStyle::heading(15.0, 22.0, 7.0), |b| {
            b.outline = Some((1, questions.heading.clone()));
        })?;
        let bar = Bar {
            x: MARGIN_LEFT,
            width: 2.5,
            color: ACCENT,
        };
        for question in &questions.items {
            let origin = Origin {
                pos: Some(question.pos),
                what: "question",
            };
            let label = self.tree.add(Role::H3, StructTree::ROOT);
            let spans = vec![self.span(&question.label, bold(9.5, ACCENT), label, origin.clone())];
            let mut style = BlockStyle::heading(9.5, 16.0, 1.0);
            style.x = MARGIN_LEFT + 11.0;
            style.width = TEXT_WIDTH - 11.0;
            self.block(spans, style, |b| {
                b.bar = Some(bar);
                b.outline = Some((2, question.label.clone()));
            })?;
            let q = self.tree.add(Role::P, StructTree::ROOT);
            let mut spans = Vec::new();
            let style = TextStyle {
                style: Style::Italic,
                size: 11.0,
                color: INK,
            };
            self.inlines(&question.text, &style, q, &origin, &mut spans, None);
            let mut style = BlockStyle::body();
            style.x = MARGIN_LEFT + 11.0;
            style.width = TEXT_WIDTH - 11.0;
            style.size = 11.0;
            style.leading = 1.36;
            style.space_before = 1.0;
            style.space_after = 6.0;
            style.keep_with_next = true;
            style.keep_together = true;
            self.block(spans, style, |b| b.bar = Some(bar))?;
            for answer in &question.answers {
                let origin = Origin {
                    pos: Some(answer.pos),
                    what: "answer",
                };
                for (i, paragraph) in answer.paragraphs.iter().enumerate() {
                    let elem = self.tree.add(Role::P, StructTree::ROOT);
                    let mut spans = Vec::new();
                    if i == 0 {
                        // The bold lead is the paragraph's first words, set by the same
                        // optimiser as the rest, and never broken inside the name.
                        let name = answer.name(self.doc).to_string();
                        let mut lead = self.span(
                            &format!("{name}: "),
                            bold(BODY_SIZE, ACCENT),
                            elem,
                            origin.clone(),
                        );
                        lead.kind = SpanKind::Name;
                        spans.push(lead);
                    }
                    let origin = Origin {
                        pos: Some(paragraph.pos),
                        what: "answer",
                    };
                    self.inlines(
                        &paragraph.content,
                        &regular(BODY_SIZE, INK),
                        elem,
                        &origin,
                        &mut spans,
                        None,
                    );
                    self.block(spans, BlockStyle::body(), |_| {})?;
                }
            }
        }
        Ok(())
    }
}
