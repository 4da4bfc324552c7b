//! Paragraphs to lines: break opportunities, hyphenation, and an optimum-fit breaker.
//!
//! The paragraph becomes Knuth and Plass's boxes, glue and penalties:
//! - a space (U+0020) is glue; a non-breaking space stays inside its box, so "20 000" holds;
//! - UAX #14 (`unicode-linebreak`) gives the other break opportunities inside words (after a
//!   hyphen or a dash), with no hyphen added;
//! - hyphenation points from the language's TeX patterns are flagged penalties that draw a
//!   hyphen when taken (justified text only);
//! - a URL breaks only after `/`, `.`, `-` or `?`, never with an inserted hyphen.
//!
//! Then the breaks are chosen for the whole paragraph at once (total demerits, as in TeX), not
//! line by line. Ragged text (headings, names) uses the same algorithm with rigid spaces and a
//! line-end stretch, which gives evenly ragged lines.

use std::collections::BTreeSet;

use unicode_linebreak::{linebreaks, BreakOpportunity};

use super::hyphenate::Hyphenator;
use super::shape::{cluster_starts, Glyph, MissingGlyph, Shaper};
use crate::fonts::Style;

/// What a span holds, for the choice of break points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Text,
    /// A web address: breaks only after `/ . - ?`, never hyphenated.
    Url,
    /// A person's name: never broken, not even at its spaces or hyphens ("Инна-Пириета
    /// Лахти"); the space after it is an ordinary space.
    Name,
}

/// A run of text in one style. `tag` is the caller's: it comes back on every piece drawn
/// from this span (colour, link, structure element).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub style: Style,
    pub size: f32,
    pub kind: SpanKind,
    pub tag: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// Both edges straight; hyphenated when the paragraph allows it.
    Justify,
    /// Left edge straight, spaces rigid, never hyphenated (headings, titles, names).
    Ragged,
}

/// Glyphs of one span placed on a line; `x` from the line's start, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub x: f32,
    pub width: f32,
    pub tag: usize,
    pub style: Style,
    pub size: f32,
    pub glyphs: Vec<Glyph>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub pieces: Vec<Piece>,
    /// The width the glyphs take.
    pub width: f32,
    /// Whether the line ends with an inserted hyphen.
    pub hyphenated: bool,
    /// How much the spaces were stretched (> 0) or shrunk (< 0), as Knuth's ratio.
    pub ratio: f32,
}

/// A character the fonts cannot draw, with the span it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakError {
    pub missing: MissingGlyph,
    /// Index of the span in the paragraph.
    pub span: usize,
}

/// The text of a hyphen inserted by a line break (see [`inserted_hyphen`]).
pub const SOFT_HYPHEN: &str = "\u{ad}";

const INFINITE_PENALTY: f32 = 10_000.0;
const LINE_PENALTY: f64 = 10.0;
/// TeX's `\hyphenpenalty` is 50; at that price Hungarian and Bulgarian text, long words in a
/// measure of about 75 characters, came out with a fifth of its lines hyphenated. At 300 a
/// hyphen costs what a line whose spaces stretch by 1.4 of their stretch costs, and the
/// share stays under 15% (`tests/pdf_pages.rs`).
const HYPHEN_PENALTY: f32 = 300.0;
/// How far a justified word space may stretch and shrink, as a share of its width: it may
/// narrow to 60% (typst allows 67%, a tighter line beats a hyphen) and widen by 60% before
/// badness passes 100.
const SPACE_STRETCH: f32 = 0.6;
const SPACE_SHRINK: f32 = 0.4;
const EXPLICIT_BREAK_PENALTY: f32 = 50.0;
const URL_BREAK_PENALTY: f32 = 100.0;
/// A break between two letters of a word wider than the line.
const LETTER_BREAK_PENALTY: f32 = 1000.0;
const DOUBLE_HYPHEN_DEMERITS: f64 = 10_000.0;
/// A hyphen on the line before the last leaves a short word fragment alone.
const FINAL_HYPHEN_DEMERITS: f64 = 5000.0;
const FITNESS_DEMERITS: f64 = 3000.0;
/// The first pass, without hyphenation, accepts lines whose spaces stretch up to this ratio
/// (TeX's `\pretolerance` 100): a paragraph that sets this well unhyphenated gets no hyphen.
const PRETOLERANCE: f32 = 1.0;
/// Hyphenated lines in a row, at most (TeX counts on `\doublehyphendemerits` alone; a
/// ladder of three is what a proofreader marks, so it is ruled out here).
const MAX_HYPHENS_IN_A_ROW: u8 = 2;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Box,
    Glue { stretch: f32, shrink: f32 },
    Penalty { penalty: f32, flagged: bool },
}

/// One of Knuth and Plass's items, carrying the glyphs it draws.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub kind: Kind,
    pub width: f32,
    pub span: usize,
    /// Byte offset in the span's text where the item's text starts (where a window of a
    /// long paragraph may resume, see [`Window`]).
    pub offset: usize,
    /// Box: its glyphs. Glue: the space glyph. Penalty: the hyphen drawn if broken here.
    pub glyphs: Vec<Glyph>,
}

/// A word wider than the line, broken between its letters (grapheme clusters) so that it
/// stays inside the margins: worth a warning to whoever wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overwide {
    /// Index of the span in the paragraph, and the word's byte offset in the span's text.
    pub span: usize,
    pub offset: usize,
    pub word: String,
}

/// A paragraph set in lines, with the words that had to be broken between letters.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub lines: Vec<Line>,
    pub overwide: Vec<Overwide>,
}

/// Breaks a paragraph into lines of `width` points.
pub fn break_paragraph(
    shaper: &Shaper,
    spans: &[Span],
    width: f32,
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
) -> Result<Vec<Line>, BreakError> {
    set_paragraph(shaper, spans, width, alignment, hyphenator).map(|p| p.lines)
}

/// Paragraphs with more break items than this are broken line by line (first fit) instead
/// of by the optimum-fit breaker: its time and the break nodes it keeps grow with the
/// paragraph times the candidates per line, and a source may hold a paragraph of megabytes.
/// Real paragraphs have a few hundred items.
pub const MAX_OPTIMISED_ITEMS: usize = 20_000;

/// Paragraphs longer than this (in bytes of text) are set window by window, so that the
/// break items (tens of bytes per glyph) of no more than a window exist at a time.
pub const LONG_PARAGRAPH_BYTES: usize = 64 * 1024;
/// The text of one window of a long paragraph, about; it ends at a space when there is one
/// in the next [`WINDOW_BYTES`], else between two grapheme clusters of an overlong word.
pub const WINDOW_BYTES: usize = 16 * 1024;

/// A place in a paragraph's spans: the span's index and a byte offset in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub span: usize,
    pub offset: usize,
}

/// A stretch of a paragraph set on its own: the text from `start` to `end` gives `lines`
/// lines. A paragraph up to [`LONG_PARAGRAPH_BYTES`] is one window, set by the optimum-fit
/// breaker. A longer one is set first fit, window after window: the text after a window's
/// last decided break starts the next, so its lines are those of one first-fit run over
/// the whole paragraph. Setting a window again gives the same lines, which lets the PDF
/// writer drop them after counting and set them again when it draws the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub start: Cursor,
    pub end: Cursor,
    pub lines: usize,
}

/// As [`break_paragraph`], reporting the words broken between letters.
pub fn set_paragraph(
    shaper: &Shaper,
    spans: &[Span],
    width: f32,
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
) -> Result<Paragraph, BreakError> {
    let mut lines = Vec::new();
    let overwide = set_paragraph_in_windows(
        shaper,
        spans,
        width,
        alignment,
        hyphenator,
        |_, window_lines| lines.extend(window_lines),
    )?;
    Ok(Paragraph { lines, overwide })
}

/// Sets a paragraph window by window (see [`Window`]), giving each window's lines to
/// `each` as they are set. Returns the words broken between letters.
pub fn set_paragraph_in_windows(
    shaper: &Shaper,
    spans: &[Span],
    width: f32,
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
    mut each: impl FnMut(&Window, Vec<Line>),
) -> Result<Vec<Overwide>, BreakError> {
    let paragraph_end = end_of(spans);
    let mut overwide = Vec::new();
    let total: usize = spans.iter().map(|s| s.text.len()).sum();
    if total <= LONG_PARAGRAPH_BYTES {
        let window = Window {
            start: Cursor::default(),
            end: paragraph_end,
            lines: usize::MAX,
        };
        let lines = set_window(
            shaper,
            spans,
            &window,
            width,
            alignment,
            hyphenator,
            &mut overwide,
        )?;
        each(
            &Window {
                lines: lines.len(),
                ..window
            },
            lines,
        );
        return Ok(overwide);
    }
    let ragged_stretch = line_end_stretch(spans, alignment);
    let mut start = Cursor::default();
    let mut stretch = WINDOW_BYTES;
    loop {
        let end = window_end(spans, start, stretch);
        let last = end >= paragraph_end;
        let window_spans = slice_spans(spans, start, end);
        let items = window_items(
            shaper,
            &window_spans,
            alignment,
            hyphenator,
            width,
            last,
            (start, &mut overwide),
        )?;
        let mut breaks = first_fit_breaks(&items, width);
        if last {
            let lines = assemble_lines(&items, &breaks, &window_spans, width, ragged_stretch);
            each(
                &Window {
                    start,
                    end,
                    lines: lines.len(),
                },
                lines,
            );
            return Ok(overwide);
        }
        // The items after the last decided break are the start of a line that the next
        // window completes. A window with no decided break (text that cannot be broken)
        // is tried again longer; the last window always ends.
        let next = breaks
            .last()
            .map(|&at| line_start_after(&items, at))
            .and_then(|i| items.get(i))
            .map(|item| Cursor {
                span: start.span + item.span,
                offset: source_offset(&window_spans[item.span], item.offset)
                    + if item.span == 0 { start.offset } else { 0 },
            })
            .filter(|&next| next > start);
        let Some(next) = next else {
            // Overwide words found in the failed attempt are found again.
            overwide.retain(|w: &Overwide| (w.span, w.offset) < (start.span, start.offset));
            stretch *= 2;
            continue;
        };
        // Overwide words reported from the carried-over text are reported by the next
        // window again.
        overwide.retain(|w: &Overwide| (w.span, w.offset) < (next.span, next.offset));
        breaks.retain(|&at| line_start_after(&items, at) < items.len());
        let lines = assemble_lines(&items, &breaks, &window_spans, width, ragged_stretch);
        each(
            &Window {
                start,
                end,
                lines: lines.len(),
            },
            lines,
        );
        start = next;
        stretch = WINDOW_BYTES;
    }
}

/// The lines of one window of a paragraph, as [`set_paragraph_in_windows`] set them: for a
/// PDF writer that dropped them and draws them now.
pub fn reset_window(
    shaper: &Shaper,
    spans: &[Span],
    window: &Window,
    width: f32,
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
) -> Result<Vec<Line>, BreakError> {
    let mut overwide = Vec::new();
    let mut lines = set_window(
        shaper,
        spans,
        window,
        width,
        alignment,
        hyphenator,
        &mut overwide,
    )?;
    lines.truncate(window.lines);
    Ok(lines)
}

fn set_window(
    shaper: &Shaper,
    spans: &[Span],
    window: &Window,
    width: f32,
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
    overwide: &mut Vec<Overwide>,
) -> Result<Vec<Line>, BreakError> {
    let paragraph_end = end_of(spans);
    let ragged_stretch = line_end_stretch(spans, alignment);
    let whole = window.start == Cursor::default() && window.end >= paragraph_end;
    let last = window.end >= paragraph_end;
    let window_spans;
    let spans = if whole {
        spans
    } else {
        window_spans = slice_spans(spans, window.start, window.end);
        &window_spans
    };
    let items = window_items(
        shaper,
        spans,
        alignment,
        hyphenator,
        width,
        last,
        (window.start, overwide),
    )?;
    if last && items.len() <= 2 {
        return Ok(Vec::new());
    }
    let mut breaks = if whole && items.len() <= MAX_OPTIMISED_ITEMS {
        optimum_breaks(&items, width, ragged_stretch)
    } else {
        first_fit_breaks(&items, width)
    };
    if !last {
        breaks.retain(|&at| line_start_after(&items, at) < items.len());
    }
    Ok(assemble_lines(
        &items,
        &breaks,
        spans,
        width,
        ragged_stretch,
    ))
}

/// A window's items, with its overwide words placed in the whole paragraph's spans.
fn window_items(
    shaper: &Shaper,
    spans: &[Span],
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
    width: f32,
    ends_paragraph: bool,
    (start, overwide): (Cursor, &mut Vec<Overwide>),
) -> Result<Vec<Item>, BreakError> {
    let hyphenator = hyphenator.filter(|_| alignment == Alignment::Justify);
    let mut found = Vec::new();
    let items = build_items_within(
        shaper,
        spans,
        alignment,
        hyphenator,
        width,
        &mut found,
        ends_paragraph,
    )
    .map_err(|mut e| {
        e.missing.offset += if e.span == 0 { start.offset } else { 0 };
        e.span += start.span;
        e
    })?;
    overwide.extend(found.into_iter().map(|mut w| {
        w.offset += if w.span == 0 { start.offset } else { 0 };
        w.span += start.span;
        w
    }));
    Ok(items)
}

/// The stretch a ragged line's end gets, which evens out ragged lines (none when justified).
fn line_end_stretch(spans: &[Span], alignment: Alignment) -> f32 {
    match alignment {
        Alignment::Justify => 0.0,
        Alignment::Ragged => spans.first().map(|s| s.size * 4.0).unwrap_or(40.0),
    }
}

/// Where the paragraph's text ends.
fn end_of(spans: &[Span]) -> Cursor {
    Cursor {
        span: spans.len().saturating_sub(1),
        offset: spans.last().map_or(0, |s| s.text.len()),
    }
}

/// The spans' text from `start` to `end`, each piece keeping its span's style and tag.
fn slice_spans(spans: &[Span], start: Cursor, end: Cursor) -> Vec<Span> {
    spans
        .iter()
        .enumerate()
        .skip(start.span)
        .take(end.span.saturating_sub(start.span) + 1)
        .map(|(i, span)| {
            let from = if i == start.span { start.offset } else { 0 };
            let to = if i == end.span {
                end.offset
            } else {
                span.text.len()
            };
            Span {
                text: span.text.get(from..to).unwrap_or_default().to_string(),
                style: span.style,
                size: span.size,
                kind: span.kind,
                tag: span.tag,
            }
        })
        .collect()
}

/// Where a window from `start` ends: at the first space after about `length` bytes of
/// text, or between two grapheme clusters when no space comes within another `length`;
/// the paragraph's end when less than twice `length` is left.
fn window_end(spans: &[Span], start: Cursor, length: usize) -> Cursor {
    let mut left = length;
    let mut cursor = start;
    while let Some(span) = spans.get(cursor.span) {
        let rest = span.text.get(cursor.offset..).unwrap_or_default();
        if rest.len() <= left {
            left -= rest.len();
            if cursor.span + 1 == spans.len() {
                return end_of(spans);
            }
            cursor = Cursor {
                span: cursor.span + 1,
                offset: 0,
            };
            continue;
        }
        let from = floor_char_boundary(rest, left);
        let tail = &rest[from..];
        if tail.len() < length {
            // Less than a window would remain in this span: take it whole.
            if cursor.span + 1 == spans.len() {
                return end_of(spans);
            }
            cursor = Cursor {
                span: cursor.span + 1,
                offset: 0,
            };
            if remaining_from(spans, cursor) < length {
                return end_of(spans);
            }
            return cursor;
        }
        let cut = match tail.get(..length).or(Some(tail)).and_then(|t| t.find(' ')) {
            Some(space) => from + space + 1,
            None => {
                use unicode_segmentation::UnicodeSegmentation;
                from + tail
                    .grapheme_indices(true)
                    .map(|(i, _)| i)
                    .find(|&i| i > 0)
                    .unwrap_or(tail.len())
            }
        };
        return Cursor {
            span: cursor.span,
            offset: cursor.offset + cut,
        };
    }
    end_of(spans)
}

fn remaining_from(spans: &[Span], at: Cursor) -> usize {
    spans
        .iter()
        .enumerate()
        .skip(at.span)
        .map(|(i, s)| {
            s.text.len()
                - if i == at.span {
                    at.offset.min(s.text.len())
                } else {
                    0
                }
        })
        .sum()
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// An item's offset (in the text as the items were built from it) in the span's own text:
/// a name's inner spaces were made no-break spaces, one character for one but not one byte
/// for one.
fn source_offset(span: &Span, built: usize) -> usize {
    if span.kind != SpanKind::Name {
        return built;
    }
    let built_text = name_text(&span.text);
    let chars = built_text.get(..built).map_or(0, |t| t.chars().count());
    span.text
        .char_indices()
        .nth(chars)
        .map_or(span.text.len(), |(i, _)| i)
}

/// A name's text as it is broken: its inner spaces hold like no-break spaces; only a space
/// it ends with breaks.
fn name_text(text: &str) -> String {
    let inner = text.trim_end_matches(' ');
    format!("{}{}", inner.replace(' ', "\u{a0}"), &text[inner.len()..])
}

/// Byte offsets in `word` after which a URL may break: after `/ . - ?`, not at its very end
/// and not inside a run of them (`//`).
pub fn url_break_points(word: &str) -> Vec<usize> {
    let bytes = word.as_bytes();
    let mut points = Vec::new();
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        if matches!(c, '/' | '.' | '-' | '?')
            && end < word.len()
            && !matches!(bytes.get(end), Some(b'/' | b'.' | b'-' | b'?'))
        {
            points.push(end);
        }
    }
    points
}

#[cfg(test)]
pub(crate) fn build_items(
    shaper: &Shaper,
    spans: &[Span],
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
) -> Result<Vec<Item>, BreakError> {
    build_items_within(
        shaper,
        spans,
        alignment,
        hyphenator,
        f32::INFINITY,
        &mut Vec::new(),
        true,
    )
}

/// The paragraph's items for lines `width` wide: a word (or the part of one between its
/// break points) wider than that also breaks between any two of its clusters, and is noted
/// in `overwide`.
pub(crate) fn build_items_within(
    shaper: &Shaper,
    spans: &[Span],
    alignment: Alignment,
    hyphenator: Option<&Hyphenator>,
    width: f32,
    overwide: &mut Vec<Overwide>,
    ends_paragraph: bool,
) -> Result<Vec<Item>, BreakError> {
    let text: String = spans.iter().map(|s| s.text.as_str()).collect();
    let opportunities: BTreeSet<usize> = linebreaks(&text)
        .filter(|(_, o)| *o == BreakOpportunity::Allowed)
        .map(|(i, _)| i)
        .collect();
    let mut items: Vec<Item> = Vec::new();
    let mut span_start = 0;
    for (index, span) in spans.iter().enumerate() {
        let err = |missing| BreakError {
            missing,
            span: index,
        };
        let mut word_start = 0;
        let built_name;
        let text = if span.kind == SpanKind::Name {
            built_name = name_text(&span.text);
            built_name.as_str()
        } else {
            span.text.as_str()
        };
        let pieces = text.split(' ');
        let count = text.split(' ').count();
        for (n, word) in pieces.enumerate() {
            if !word.is_empty() {
                let glyphs = shaper.shape(word, span.style, span.size).map_err(|mut m| {
                    m.offset += word_start;
                    err(m)
                })?;
                let mut points: BTreeSet<usize> = BTreeSet::new();
                let mut hyphen_points: BTreeSet<usize> = BTreeSet::new();
                match span.kind {
                    SpanKind::Url => points.extend(url_break_points(word)),
                    SpanKind::Name => {}
                    // A hashtag or a handle is one name: never broken.
                    SpanKind::Text if word.starts_with(['#', '@']) => {}
                    SpanKind::Text => {
                        let global = span_start + word_start;
                        points.extend(
                            opportunities
                                .range(global + 1..global + word.len())
                                .map(|p| p - global),
                        );
                        if let Some(hyphenator) = hyphenator {
                            hyphen_points.extend(word_hyphenation_points(hyphenator, word));
                        }
                    }
                }
                let clusters: BTreeSet<usize> =
                    cluster_starts(&glyphs, word.len()).into_iter().collect();
                let letter_breaks = if widest_piece(&glyphs, &points, &hyphen_points) > width {
                    overwide.push(Overwide {
                        span: index,
                        offset: word_start,
                        word: word.to_string(),
                    });
                    clusters.clone()
                } else {
                    BTreeSet::new()
                };
                let hyphen = if hyphen_points.is_empty() {
                    Vec::new()
                } else {
                    inserted_hyphen(shaper, span).map_err(err)?
                };
                let hyphen_width: f32 = hyphen.iter().map(|g| g.advance).sum();
                let mut cuts: Vec<(usize, Kind, bool)> = Vec::new();
                let candidates: BTreeSet<usize> = points
                    .union(&hyphen_points)
                    .copied()
                    .chain(letter_breaks.iter().copied())
                    .collect();
                for &p in &candidates {
                    if !clusters.contains(&p) || p == 0 || p >= word.len() {
                        continue;
                    }
                    if !points.contains(&p) && !hyphen_points.contains(&p) {
                        // Between two letters of a word too wide for the line: no hyphen
                        // (it is no hyphenation point), at a price that keeps it the last
                        // resort.
                        cuts.push((
                            p,
                            Kind::Penalty {
                                penalty: LETTER_BREAK_PENALTY,
                                flagged: false,
                            },
                            false,
                        ));
                        continue;
                    }
                    let before = word.get(..p).unwrap_or_default();
                    let after_dash = before.ends_with(['-', '\u{2010}', '\u{2013}', '\u{2014}']);
                    let kind = if span.kind == SpanKind::Url {
                        Kind::Penalty {
                            penalty: URL_BREAK_PENALTY,
                            flagged: false,
                        }
                    } else if points.contains(&p) {
                        Kind::Penalty {
                            penalty: EXPLICIT_BREAK_PENALTY,
                            flagged: after_dash,
                        }
                    } else {
                        Kind::Penalty {
                            penalty: HYPHEN_PENALTY,
                            flagged: true,
                        }
                    };
                    let draws_hyphen = span.kind == SpanKind::Text && !points.contains(&p);
                    cuts.push((p, kind, draws_hyphen));
                }
                push_word_boxes(
                    &mut items,
                    (index, word_start),
                    glyphs,
                    cuts,
                    &hyphen,
                    hyphen_width,
                );
            }
            word_start += word.len();
            if n + 1 < count {
                // A space: glue, unless it starts the paragraph or doubles another.
                let after_box = matches!(
                    items.last(),
                    Some(Item {
                        kind: Kind::Box,
                        ..
                    })
                );
                if after_box {
                    let space = shaper.shape(" ", span.style, span.size).map_err(err)?;
                    let w: f32 = space.iter().map(|g| g.advance).sum();
                    let (stretch, shrink) = match alignment {
                        Alignment::Justify => (w * SPACE_STRETCH, w * SPACE_SHRINK),
                        Alignment::Ragged => (0.0, 0.0),
                    };
                    items.push(Item {
                        kind: Kind::Glue { stretch, shrink },
                        width: w,
                        span: index,
                        offset: word_start,
                        glyphs: space,
                    });
                }
                word_start += 1;
            }
        }
        span_start += span.text.len();
    }
    while matches!(
        items.last(),
        Some(Item {
            kind: Kind::Glue { .. },
            ..
        })
    ) {
        items.pop();
    }
    if !ends_paragraph {
        return Ok(items);
    }
    let last_span = spans.len().saturating_sub(1);
    let end = spans.last().map_or(0, |s| s.text.len());
    // The end of the paragraph: glue that fills the last line, then a forced break.
    items.push(Item {
        kind: Kind::Glue {
            stretch: 1.0e6,
            shrink: 0.0,
        },
        width: 0.0,
        span: last_span,
        offset: end,
        glyphs: Vec::new(),
    });
    items.push(Item {
        kind: Kind::Penalty {
            penalty: -INFINITE_PENALTY,
            flagged: false,
        },
        width: 0.0,
        span: last_span,
        offset: end,
        glyphs: Vec::new(),
    });
    Ok(items)
}

/// The width of the widest part of a word between its break points: what must fit on a line.
fn widest_piece(
    glyphs: &[Glyph],
    points: &BTreeSet<usize>,
    hyphen_points: &BTreeSet<usize>,
) -> f32 {
    let (mut widest, mut current, mut offset) = (0.0f32, 0.0f32, 0);
    for g in glyphs {
        if !g.text.is_empty() {
            if offset > 0 && (points.contains(&offset) || hyphen_points.contains(&offset)) {
                widest = widest.max(current);
                current = 0.0;
            }
            offset += g.text.len();
        }
        current += g.advance;
    }
    widest.max(current)
}

/// The hyphen a break inserts: the hyphen's glyph standing for U+00AD (SOFT HYPHEN), the
/// character that was invisibly there, so text taken from the page joins the word again.
fn inserted_hyphen(shaper: &Shaper, span: &Span) -> Result<Vec<Glyph>, MissingGlyph> {
    let mut glyphs = shaper.shape("-", span.style, span.size)?;
    if let Some(first) = glyphs.first_mut() {
        first.text = SOFT_HYPHEN.into();
    }
    Ok(glyphs)
}

/// Where a word (text between spaces) may take an inserted hyphen. A word written with a
/// hyphen ("най-голяма") breaks only there, so it gets none; words joined by a no-break
/// space ("k\u{a0}odsuzování") are hyphenated each on its own, as are the letter runs around
/// punctuation.
fn word_hyphenation_points(hyphenator: &Hyphenator, word: &str) -> Vec<usize> {
    if word.contains(['-', '\u{2010}']) {
        return Vec::new();
    }
    letter_runs(word)
        .into_iter()
        .flat_map(|(start, run)| hyphenator.points(run).into_iter().map(move |p| start + p))
        .collect()
}

/// Maximal runs of letters in a word (hyphenation patterns want bare words), with their
/// byte offsets.
fn letter_runs(word: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in word.char_indices() {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, &word[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, &word[s..]));
    }
    runs
}

fn push_word_boxes(
    items: &mut Vec<Item>,
    (span, word_offset): (usize, usize),
    glyphs: Vec<Glyph>,
    cuts: Vec<(usize, Kind, bool)>,
    hyphen: &[Glyph],
    hyphen_width: f32,
) {
    let mut cuts = cuts.into_iter().peekable();
    let mut offset = 0;
    let mut box_start = 0;
    let mut current: Vec<Glyph> = Vec::new();
    let flush = |items: &mut Vec<Item>, current: &mut Vec<Glyph>, start: usize| {
        if !current.is_empty() {
            let width = current.iter().map(|g| g.advance).sum();
            items.push(Item {
                kind: Kind::Box,
                width,
                span,
                offset: word_offset + start,
                glyphs: std::mem::take(current),
            });
        }
    };
    for glyph in glyphs {
        if !glyph.text.is_empty() {
            if let Some((_, kind, draws_hyphen)) = cuts.next_if(|(p, _, _)| *p == offset) {
                flush(items, &mut current, box_start);
                box_start = offset;
                let (width, drawn) = if draws_hyphen {
                    (hyphen_width, hyphen.to_vec())
                } else {
                    (0.0, Vec::new())
                };
                items.push(Item {
                    kind,
                    width,
                    span,
                    offset: word_offset + offset,
                    glyphs: drawn,
                });
            }
            offset += glyph.text.len();
        }
        current.push(glyph);
    }
    flush(items, &mut current, box_start);
}

#[derive(Debug, Clone)]
struct Node {
    /// Index of the break item (0 for the paragraph start).
    at: usize,
    /// First item of the line that follows this break.
    start: usize,
    line: usize,
    fitness: u8,
    demerits: f64,
    flagged: bool,
    /// Lines in a row, up to and including this one, that end with an inserted hyphen.
    hyphens_in_a_row: u8,
    prev: Option<usize>,
}

struct Sums {
    width: Vec<f32>,
    stretch: Vec<f32>,
    shrink: Vec<f32>,
}

fn sums(items: &[Item]) -> Sums {
    let mut s = Sums {
        width: vec![0.0],
        stretch: vec![0.0],
        shrink: vec![0.0],
    };
    let (mut w, mut y, mut z) = (0.0, 0.0, 0.0);
    for item in items {
        match item.kind {
            Kind::Box => w += item.width,
            Kind::Glue { stretch, shrink } => {
                w += item.width;
                y += stretch;
                z += shrink;
            }
            Kind::Penalty { .. } => {}
        }
        s.width.push(w);
        s.stretch.push(y);
        s.shrink.push(z);
    }
    s
}

/// The adjustment ratio of a line from item `start` to a break at `at`.
fn ratio(
    items: &[Item],
    s: &Sums,
    start: usize,
    at: usize,
    width: f32,
    ragged_stretch: f32,
) -> f32 {
    let mut length = s.width[at] - s.width[start];
    if let Some(Item {
        kind: Kind::Penalty { .. },
        width: w,
        ..
    }) = items.get(at)
    {
        length += w;
    }
    if (length - width).abs() < 1e-3 {
        return 0.0;
    }
    if length < width {
        let stretch = s.stretch[at] - s.stretch[start] + ragged_stretch;
        if stretch > 0.0 {
            (width - length) / stretch
        } else {
            f32::INFINITY
        }
    } else {
        let shrink = s.shrink[at] - s.shrink[start];
        if shrink > 0.0 {
            (width - length) / shrink
        } else {
            f32::NEG_INFINITY
        }
    }
}

fn is_legal_break(items: &[Item], at: usize) -> bool {
    match items.get(at).map(|i| &i.kind) {
        Some(Kind::Glue { .. }) => at > 0 && matches!(items[at - 1].kind, Kind::Box),
        Some(Kind::Penalty { penalty, .. }) => *penalty < INFINITE_PENALTY,
        _ => false,
    }
}

/// The first item of the line after a break at `at`: glue and penalties are discarded.
fn line_start_after(items: &[Item], at: usize) -> usize {
    let mut i = at + 1;
    while let Some(item) = items.get(i) {
        match item.kind {
            Kind::Box => break,
            Kind::Penalty { penalty, .. } if penalty <= -INFINITE_PENALTY => break,
            _ => i += 1,
        }
    }
    i
}

/// The break positions (item indices) minimising total demerits. As TeX: a first pass
/// without hyphenation and a strict tolerance; then with hyphenation, strict, then loose;
/// then an emergency pass that allows overfull lines rather than fail.
pub(crate) fn optimum_breaks(items: &[Item], width: f32, ragged_stretch: f32) -> Vec<usize> {
    let passes = [(PRETOLERANCE, false), (2.0, true), (8.0, true)];
    for (tolerance, hyphenate) in passes {
        let pass = Pass {
            tolerance,
            hyphenate,
            emergency: false,
        };
        if let Some(breaks) = knuth_plass(items, width, ragged_stretch, pass) {
            return breaks;
        }
    }
    let emergency = Pass {
        tolerance: f32::INFINITY,
        hyphenate: true,
        emergency: true,
    };
    knuth_plass(items, width, ragged_stretch, emergency).unwrap_or_default()
}

/// How permissive one pass of the breaker is.
#[derive(Debug, Clone, Copy)]
struct Pass {
    /// The largest adjustment ratio a line may have.
    tolerance: f32,
    /// Whether inserted-hyphen breaks may be taken.
    hyphenate: bool,
    /// Whether overfull lines are allowed (the last resort).
    emergency: bool,
}

/// A penalty that draws a hyphen when broken at: a hyphenation point.
fn is_hyphenation_point(item: &Item) -> bool {
    matches!(item.kind, Kind::Penalty { .. }) && !item.glyphs.is_empty()
}

fn knuth_plass(items: &[Item], width: f32, ragged_stretch: f32, pass: Pass) -> Option<Vec<usize>> {
    let Pass {
        tolerance,
        hyphenate,
        emergency,
    } = pass;
    let s = sums(items);
    let mut nodes = vec![Node {
        at: 0,
        start: 0,
        line: 0,
        fitness: 1,
        demerits: 0.0,
        flagged: false,
        hyphens_in_a_row: 0,
        prev: None,
    }];
    let mut active: Vec<usize> = vec![0];
    let last = items.len() - 1;
    for at in 0..items.len() {
        if !is_legal_break(items, at) {
            continue;
        }
        let inserts_hyphen = is_hyphenation_point(&items[at]);
        if inserts_hyphen && !hyphenate {
            continue;
        }
        let (penalty, flagged) = match items[at].kind {
            Kind::Penalty { penalty, flagged } => (penalty, flagged),
            _ => (0.0, false),
        };
        let forced = penalty <= -INFINITE_PENALTY;
        // The best way to reach this break per fitness class and hyphens in a row.
        let mut best: [Option<(f64, usize)>; 4 * RUNS] = [None; 4 * RUNS];
        let mut still_active = Vec::with_capacity(active.len());
        for &a in &active {
            let node = &nodes[a];
            let is_last_line = at == last;
            let stretch = if is_last_line { 0.0 } else { ragged_stretch };
            let r = ratio(items, &s, node.start, at, width, stretch);
            let length = s.width[at] - s.width[node.start];
            let keep = !forced && (r >= -1.0 || (emergency && length < 3.0 * width));
            if keep {
                still_active.push(a);
            }
            let feasible = if emergency {
                true
            } else {
                (-1.0..=tolerance).contains(&r)
            };
            if !feasible {
                continue;
            }
            let run = if inserts_hyphen {
                node.hyphens_in_a_row + 1
            } else {
                0
            };
            if run > MAX_HYPHENS_IN_A_ROW {
                continue;
            }
            let badness = if r < -1.0 {
                // Overfull (emergency only): worse than any underfull line (a word broken
                // between letters leaves one), and the less it sticks out, the better.
                1.0e8 + f64::from(length - width) * 1.0e6
            } else if r.is_infinite() {
                1.0e6
            } else {
                (100.0 * f64::from(r.abs()).powi(3)).min(1.0e6)
            };
            let mut demerits = (LINE_PENALTY + badness).powi(2);
            if penalty >= 0.0 {
                demerits += f64::from(penalty).powi(2);
            } else if !forced {
                demerits -= f64::from(penalty).powi(2);
            }
            if flagged && node.flagged {
                demerits += DOUBLE_HYPHEN_DEMERITS;
            }
            if at == last && node.flagged {
                demerits += FINAL_HYPHEN_DEMERITS;
            }
            let fitness = fitness_class(r);
            if fitness.abs_diff(node.fitness) > 1 {
                demerits += FITNESS_DEMERITS;
            }
            let total = node.demerits + demerits;
            let slot =
                &mut best[fitness as usize * RUNS + usize::from(run.min(MAX_HYPHENS_IN_A_ROW))];
            if slot.is_none_or(|(d, _)| total < d) {
                *slot = Some((total, a));
            }
        }
        active = still_active;
        for (slot, candidate) in best.iter().enumerate() {
            if let Some((demerits, prev)) = candidate {
                nodes.push(Node {
                    at,
                    start: line_start_after(items, at),
                    line: nodes[*prev].line + 1,
                    fitness: (slot / RUNS) as u8,
                    demerits: *demerits,
                    flagged,
                    hyphens_in_a_row: (slot % RUNS) as u8,
                    prev: Some(*prev),
                });
                active.push(nodes.len() - 1);
            }
        }
        if active.is_empty() {
            return None;
        }
    }
    let end = (0..nodes.len())
        .filter(|&n| nodes[n].at == last && n > 0)
        .min_by(|&a, &b| nodes[a].demerits.total_cmp(&nodes[b].demerits))?;
    let mut breaks = Vec::new();
    let mut cursor = Some(end);
    while let Some(n) = cursor {
        if n == 0 {
            break;
        }
        breaks.push(nodes[n].at);
        cursor = nodes[n].prev;
    }
    breaks.reverse();
    Some(breaks)
}

/// Hyphens-in-a-row states a break node can be in: 0 to `MAX_HYPHENS_IN_A_ROW`.
const RUNS: usize = MAX_HYPHENS_IN_A_ROW as usize + 1;

fn fitness_class(r: f32) -> u8 {
    if r < -0.5 {
        0
    } else if r <= 0.5 {
        1
    } else if r <= 1.0 {
        2
    } else {
        3
    }
}

/// Line by line, the first break that fits: what a word processor does. Linear in time and
/// memory: used for paragraphs too long for the optimum-fit breaker, and in tests to show
/// what that breaker improves on.
pub(crate) fn first_fit_breaks(items: &[Item], width: f32) -> Vec<usize> {
    let s = sums(items);
    let mut breaks = Vec::new();
    let mut start = 0;
    let mut candidate: Option<usize> = None;
    for at in 0..items.len() {
        if !is_legal_break(items, at) {
            continue;
        }
        let r = ratio(items, &s, start, at, width, 0.0);
        let forced =
            matches!(items[at].kind, Kind::Penalty { penalty, .. } if penalty <= -INFINITE_PENALTY);
        if r < -1.0 {
            if let Some(c) = candidate.take() {
                breaks.push(c);
                start = line_start_after(items, c);
            }
        }
        if forced {
            breaks.push(at);
            start = line_start_after(items, at);
            candidate = None;
        } else {
            candidate = Some(at);
        }
    }
    breaks
}

fn assemble_lines(
    items: &[Item],
    breaks: &[usize],
    spans: &[Span],
    width: f32,
    ragged_stretch: f32,
) -> Vec<Line> {
    let s = sums(items);
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    for &at in breaks {
        let is_last = at + 1 == items.len();
        let stretch = if is_last { 0.0 } else { ragged_stretch };
        let mut r = ratio(items, &s, start, at, width, stretch);
        if !r.is_finite() || ragged_stretch > 0.0 {
            r = r.clamp(-1.0, 0.0);
            if ragged_stretch > 0.0 {
                r = 0.0;
            }
        }
        let r = r.max(-1.0);
        let mut pieces: Vec<Piece> = Vec::new();
        let mut x = 0.0;
        let mut end = at;
        // Glue just before the break is not drawn.
        while end > start && matches!(items[end - 1].kind, Kind::Glue { .. }) {
            end -= 1;
        }
        let mut hyphenated = false;
        // Penalties inside the line draw nothing; the one broken at draws its hyphen.
        let drawn = items[start..end]
            .iter()
            .filter(|i| !matches!(i.kind, Kind::Penalty { .. }))
            .chain(
                items
                    .get(at)
                    .filter(|i| matches!(i.kind, Kind::Penalty { .. }) && !i.glyphs.is_empty()),
            );
        for item in drawn {
            let advance = match item.kind {
                Kind::Glue { stretch, shrink } => {
                    if r >= 0.0 {
                        item.width + r * stretch
                    } else {
                        item.width + r * shrink
                    }
                }
                Kind::Penalty { .. } => {
                    if item.glyphs.is_empty() {
                        continue;
                    }
                    hyphenated = true;
                    item.width
                }
                Kind::Box => item.width,
            };
            let mut glyphs = item.glyphs.clone();
            if let (Kind::Glue { .. }, Some(space)) = (&item.kind, glyphs.first_mut()) {
                space.advance = advance;
            }
            let span = &spans[item.span.min(spans.len() - 1)];
            match pieces.last_mut() {
                Some(p) if p.tag == span.tag && p.style == span.style && p.size == span.size => {
                    p.glyphs.extend(glyphs);
                    p.width += advance;
                }
                _ => pieces.push(Piece {
                    x,
                    width: advance,
                    tag: span.tag,
                    style: span.style,
                    size: span.size,
                    glyphs,
                }),
            }
            x += advance;
        }
        if let Some(glue) = items
            .get(at)
            .filter(|i| matches!(i.kind, Kind::Glue { .. }))
        {
            keep_line_end_space(&mut pieces, glue, spans, x);
        }
        lines.push(Line {
            pieces,
            width: x,
            hyphenated,
            ratio: r,
        });
        start = line_start_after(items, at);
    }
    lines
}

/// Keeps the space a line was broken at in the text, drawn with no advance at the line's end
/// (as TeX leaves the glue out but typst and word processors keep the character): without
/// it, text read along the structure tree, which is what screen readers get, runs the last
/// word of a line into the first of the next (ISO 32000-1 §14.8.2.5 wants word breaks as
/// spaces in tagged PDF).
fn keep_line_end_space(pieces: &mut Vec<Piece>, glue: &Item, spans: &[Span], x: f32) {
    let Some(space) = glue.glyphs.first() else {
        return;
    };
    let mut space = space.clone();
    space.advance = 0.0;
    let span = &spans[glue.span.min(spans.len() - 1)];
    match pieces.last_mut() {
        Some(p) if p.tag == span.tag && p.style == span.style && p.size == span.size => {
            p.glyphs.push(space);
        }
        _ => pieces.push(Piece {
            x,
            width: 0.0,
            tag: span.tag,
            style: span.style,
            size: span.size,
            glyphs: vec![space],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::FontSet;

    fn span(text: &str, kind: SpanKind) -> Span {
        Span {
            text: text.to_string(),
            style: Style::Regular,
            size: 11.0,
            kind,
            tag: 0,
        }
    }

    fn line_texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.pieces
                    .iter()
                    .flat_map(|p| p.glyphs.iter().map(|g| g.text.as_str()))
                    .collect()
            })
            .collect()
    }

    const PARAGRAPH: &str = "In a crisis, social media influencers can help spread useful \
        information and set an example, but studies have shown that they can also share false \
        information, tend to avoid controversial topics, including politics, and may have \
        difficulty checking facts. Building on earlier cooperation between the National \
        Emergency Supply Agency and the government, a campaign was launched quickly.";

    /// The sum of squared adjustment ratios over every line but the last: how uneven the
    /// word spaces are.
    fn unevenness(items: &[Item], breaks: &[usize], width: f32) -> f32 {
        let s = sums(items);
        let mut start = 0;
        let mut total = 0.0;
        for &at in &breaks[..breaks.len() - 1] {
            let r = ratio(items, &s, start, at, width, 0.0);
            total += r * r;
            start = line_start_after(items, at);
        }
        total
    }

    #[test]
    fn optimum_fit_beats_first_fit() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let items = build_items(
            &shaper,
            &[span(PARAGRAPH, SpanKind::Text)],
            Alignment::Justify,
            None,
        )
        .expect("items");
        let width = 200.0;
        let optimum = optimum_breaks(&items, width, 0.0);
        let first = first_fit_breaks(&items, width);
        let (o, f) = (
            unevenness(&items, &optimum, width),
            unevenness(&items, &first, width),
        );
        assert!(o < f, "optimum {o} should be more even than first fit {f}");
    }

    #[test]
    fn justified_lines_fill_the_measure() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let lines = break_paragraph(
            &shaper,
            &[span(PARAGRAPH, SpanKind::Text)],
            220.0,
            Alignment::Justify,
            Hyphenator::for_language("en").as_ref(),
        )
        .expect("lines");
        assert!(lines.len() > 3);
        for line in &lines[..lines.len() - 1] {
            assert!((line.width - 220.0).abs() < 0.5, "{}", line.width);
        }
    }

    #[test]
    fn urls_break_only_after_separators_and_without_hyphen() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let url = "https://www.linkedin.com/in/valeriia-voshchevska-59621248/";
        let lines = break_paragraph(
            &shaper,
            &[
                span("LinkedIn profile: ", SpanKind::Text),
                span(url, SpanKind::Url),
            ],
            150.0,
            Alignment::Justify,
            Hyphenator::for_language("en").as_ref(),
        )
        .expect("lines");
        let texts = line_texts(&lines);
        assert!(texts.len() > 1, "{texts:?}");
        assert!(lines.iter().all(|l| !l.hyphenated), "{texts:?}");
        let joined: String = texts.concat();
        assert!(joined.contains(url), "{texts:?}");
        for text in &texts[..texts.len() - 1] {
            let text = text.trim_end();
            if text.ends_with(':') {
                continue;
            }
            assert!(text.ends_with(['/', '.', '-', '?']), "{texts:?}");
        }
    }

    #[test]
    fn non_breaking_space_holds() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let text = "aaaa bbbb cccc dddd 20\u{a0}000 eeee ffff gggg hhhh iiii 20\u{a0}000 jjjj";
        for width in [40.0, 55.0, 70.0, 85.0, 100.0] {
            let lines = break_paragraph(
                &shaper,
                &[span(text, SpanKind::Text)],
                width,
                Alignment::Justify,
                Hyphenator::for_language("en").as_ref(),
            )
            .expect("lines");
            for t in line_texts(&lines) {
                assert!(!t.trim_end().ends_with("20"), "{width}: {t:?}");
                assert!(!t.starts_with("000"), "{width}: {t:?}");
            }
        }
    }

    #[test]
    fn ragged_text_is_never_hyphenated() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let lines = break_paragraph(
            &shaper,
            &[span(
                "Communication professionals representing extraordinary organisations",
                SpanKind::Text,
            )],
            120.0,
            Alignment::Ragged,
            Hyphenator::for_language("en").as_ref(),
        )
        .expect("lines");
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| !l.hyphenated));
        assert!(line_texts(&lines)
            .iter()
            .all(|t| !t.trim_end().ends_with('-')));
    }

    #[test]
    fn justified_text_hyphenates_when_it_helps() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let lines = break_paragraph(
            &shaper,
            &[span(PARAGRAPH, SpanKind::Text)],
            150.0,
            Alignment::Justify,
            Hyphenator::for_language("en").as_ref(),
        )
        .expect("lines");
        assert!(lines.iter().any(|l| l.hyphenated));
    }

    fn hyphenated_runs(lines: &[Line]) -> usize {
        let (mut run, mut longest) = (0, 0);
        for line in lines {
            run = if line.hyphenated { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        longest
    }

    const HUNGARIAN: &str =
        "A kommunikációs szakemberek és a polgármesterek közösségimédia-profilokat \
        hoztak létre, és a legkülönbözőbb együttműködési lehetőségeket kihasználva \
        megfogalmazták a településfejlesztési elképzeléseiket, miközben a válságkommunikációs \
        tapasztalatokat rendszerezték és továbbították a szomszédos önkormányzatoknak.";

    #[test]
    fn never_more_than_two_hyphenated_lines_in_a_row() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "hu");
        let hyphenator = Hyphenator::for_language("hu");
        let mut seen_hyphens = false;
        for width in (120..=300).step_by(9) {
            let lines = break_paragraph(
                &shaper,
                &[span(HUNGARIAN, SpanKind::Text)],
                width as f32,
                Alignment::Justify,
                hyphenator.as_ref(),
            )
            .expect("lines");
            seen_hyphens |= lines.iter().any(|l| l.hyphenated);
            assert!(
                hyphenated_runs(&lines) <= 2,
                "{width}: {:?}",
                line_texts(&lines)
            );
        }
        assert!(seen_hyphens);
    }

    #[test]
    fn a_paragraph_that_sets_well_unhyphenated_gets_no_hyphen() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let hyphenator = Hyphenator::for_language("en");
        let mut checked = 0;
        for width in (150..=420).step_by(6) {
            let width = width as f32;
            let items = build_items(
                &shaper,
                &[span(PARAGRAPH, SpanKind::Text)],
                Alignment::Justify,
                None,
            )
            .expect("items");
            let plain = Pass {
                tolerance: PRETOLERANCE,
                hyphenate: false,
                emergency: false,
            };
            if knuth_plass(&items, width, 0.0, plain).is_none() {
                continue;
            }
            checked += 1;
            let lines = break_paragraph(
                &shaper,
                &[span(PARAGRAPH, SpanKind::Text)],
                width,
                Alignment::Justify,
                hyphenator.as_ref(),
            )
            .expect("lines");
            assert!(
                lines.iter().all(|l| !l.hyphenated),
                "{width}: {:?}",
                line_texts(&lines)
            );
        }
        assert!(checked > 5, "{checked}");
    }

    #[test]
    fn written_hyphens_hashtags_and_names_are_not_hyphenated() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "bg");
        let hyphenator = Hyphenator::for_language("bg");
        let text = "най-голямата информационна кампания #Coronafacts на Инна-Пириета Лахти \
            и Mediapool достигна най-голямата аудитория чрез #Coronafacts и Mediapool";
        for width in (95..=200).step_by(7) {
            let lines = break_paragraph(
                &shaper,
                &[span(text, SpanKind::Text)],
                width as f32,
                Alignment::Justify,
                hyphenator.as_ref(),
            )
            .expect("lines");
            let texts = line_texts(&lines);
            for (line, t) in lines.iter().zip(&texts) {
                let last = t.trim_end().rsplit(' ').next().unwrap_or_default();
                if line.hyphenated {
                    for whole in ["най", "голям", "#", "Corona", "Media", "Инна", "Пириета"]
                    {
                        assert!(!last.contains(whole), "{width}: {texts:?}");
                    }
                }
                assert!(
                    !last.starts_with('#') || last.starts_with("#Coronafacts"),
                    "{texts:?}"
                );
            }
        }
    }

    #[test]
    fn words_joined_by_a_no_break_space_are_hyphenated_each_on_its_own() {
        let hyphenator = Hyphenator::for_language("cs").expect("cs patterns");
        let joined = word_hyphenation_points(&hyphenator, "k\u{a0}odsuzování");
        let alone: Vec<usize> = word_hyphenation_points(&hyphenator, "odsuzování")
            .into_iter()
            .map(|p| p + "k\u{a0}".len())
            .collect();
        assert!(!alone.is_empty());
        assert_eq!(joined, alone);
    }

    #[test]
    fn a_word_wider_than_the_line_breaks_between_letters_and_is_reported() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let long = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(3);
        let url = format!("https://example.org/{}", "a".repeat(120));
        let text = format!("Before {long} and after.");
        for (spans, word) in [
            (vec![span(&text, SpanKind::Text)], long.as_str()),
            (
                vec![span("See ", SpanKind::Text), span(&url, SpanKind::Url)],
                url.as_str(),
            ),
        ] {
            let paragraph = set_paragraph(
                &shaper,
                &spans,
                150.0,
                Alignment::Justify,
                Hyphenator::for_language("en").as_ref(),
            )
            .expect("lines");
            for line in &paragraph.lines {
                assert!(
                    line.width <= 150.5,
                    "{} > 150: {:?}",
                    line.width,
                    line_texts(&paragraph.lines)
                );
            }
            let joined: String = line_texts(&paragraph.lines)
                .concat()
                .replace(['\u{ad}', ' '], "");
            assert!(joined.contains(&word.replace('-', "")) || joined.contains(word));
            assert_eq!(paragraph.overwide.len(), 1, "{:?}", paragraph.overwide);
            assert!(
                word.ends_with(&paragraph.overwide[0].word) || paragraph.overwide[0].word == word
            );
        }
    }

    #[test]
    fn a_paragraph_too_long_for_the_optimiser_is_set_line_by_line() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let text = PARAGRAPH.repeat(200);
        let items = build_items(
            &shaper,
            &[span(&text, SpanKind::Text)],
            Alignment::Justify,
            None,
        )
        .expect("items");
        assert!(items.len() > MAX_OPTIMISED_ITEMS);
        let lines = break_paragraph(
            &shaper,
            &[span(&text, SpanKind::Text)],
            300.0,
            Alignment::Justify,
            None,
        )
        .expect("lines");
        assert!(lines.len() > 1000);
        assert!(lines.iter().all(|l| l.width <= 300.5));
        let words: usize = line_texts(&lines)
            .iter()
            .map(|t| t.split_whitespace().count())
            .sum();
        assert_eq!(words, text.split_whitespace().count());
    }

    /// The text of lines as a reader gets it: inserted hyphens dropped, line ends spaced.
    fn joined(lines: &[Line]) -> String {
        line_texts(lines).join("").replace(SOFT_HYPHEN, "")
    }

    #[test]
    fn a_long_paragraph_set_in_windows_keeps_every_word_in_order_and_sets_again_alike() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let hyphenator = Hyphenator::for_language("en");
        // Three spans, a link among them, so that windows cross span boundaries.
        let text = PARAGRAPH.repeat(120);
        let mut link = span(
            &format!("https://example.org/{} ", "a/".repeat(3000)),
            SpanKind::Url,
        );
        link.tag = 1;
        let spans = [
            span(&text, SpanKind::Text),
            link,
            span(&text, SpanKind::Text),
        ];
        let total: usize = spans.iter().map(|s| s.text.len()).sum();
        assert!(total > LONG_PARAGRAPH_BYTES);
        let mut windows = Vec::new();
        let mut lines = Vec::new();
        set_paragraph_in_windows(
            &shaper,
            &spans,
            300.0,
            Alignment::Justify,
            hyphenator.as_ref(),
            |w, l| {
                windows.push((w.clone(), l.clone()));
                lines.extend(l);
            },
        )
        .expect("sets");
        assert!(windows.len() > 3, "{} windows", windows.len());
        let source: String = spans.iter().map(|s| s.text.as_str()).collect();
        let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(squash(&joined(&lines)), squash(&source));
        assert!(lines.iter().all(|l| l.width <= 300.5));
        // Only the last line of the paragraph is left ragged.
        let loose = lines[..lines.len() - 1]
            .iter()
            .filter(|l| l.width < 280.0)
            .count();
        assert!(
            loose * 100 < lines.len(),
            "{loose} short lines of {}",
            lines.len()
        );
        for (window, set) in &windows {
            let again = reset_window(
                &shaper,
                &spans,
                window,
                300.0,
                Alignment::Justify,
                hyphenator.as_ref(),
            )
            .expect("sets again");
            assert_eq!(
                &again, set,
                "window {window:?} sets differently the second time"
            );
        }
    }

    #[test]
    fn a_word_of_megabytes_is_set_in_windows_between_its_letters() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "da");
        let word: String = "æøåabcõšž".chars().cycle().take(100_000).collect();
        let paragraph = set_paragraph(
            &shaper,
            &[span(&word, SpanKind::Text)],
            300.0,
            Alignment::Justify,
            None,
        )
        .expect("sets");
        assert_eq!(joined(&paragraph.lines), word);
        assert!(paragraph.lines.iter().all(|l| l.width <= 300.5));
        assert!(!paragraph.overwide.is_empty());
        assert!(paragraph
            .overwide
            .iter()
            .all(|w| word[w.offset..].starts_with(&w.word)));
    }

    #[test]
    fn a_name_is_never_broken_at_its_spaces_or_hyphens() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "bg");
        let mut lead = span("Инна-Пириета Лахти: ", SpanKind::Name);
        lead.style = Style::Bold;
        let spans = [
            lead,
            span(
                "Що се отнася до проекта, инфлуенсърите помогнаха.",
                SpanKind::Text,
            ),
        ];
        for width in (140..=250).step_by(11) {
            let lines = break_paragraph(
                &shaper,
                &spans,
                width as f32,
                Alignment::Justify,
                Hyphenator::for_language("bg").as_ref(),
            )
            .expect("lines");
            let texts = line_texts(&lines);
            assert!(
                texts[0].starts_with("Инна-Пириета Лахти:"),
                "{width}: {texts:?}"
            );
        }
    }

    #[test]
    fn missing_glyph_is_reported_with_its_place() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let err = break_paragraph(
            &shaper,
            &[
                span("ok", SpanKind::Text),
                span("a \u{4e2d}", SpanKind::Text),
            ],
            100.0,
            Alignment::Justify,
            Hyphenator::for_language("en").as_ref(),
        )
        .expect_err("CJK is not in Source Sans 3");
        assert_eq!(err.span, 1);
        assert_eq!(err.missing.character, '\u{4e2d}');
        assert_eq!(err.missing.offset, 2);
    }
}
