//! Font coverage: every character a document shows must have a glyph in the face that draws
//! it. A missing glyph does not fail anywhere downstream (the PDF writer would silently draw
//! glyph 0, an empty box), so it is caught here, before anything is rendered.
//!
//! The style of a character follows from where it sits: names, headings, titles and question
//! labels are set bold, `<strong>` is bold, `<em>` italic, everything else regular.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostic::{Diagnostic, SourceErrors};
use crate::fonts::{FontSet, Style, FAMILY};
use crate::model::{Block, Inline, Pos, Summary};
use crate::source::xml::LineIndex;
use crate::source::LoadedSource;

/// A character that the face of its style cannot draw.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingGlyph {
    /// Where the element holding the character starts (`None` for metadata, which the model
    /// keeps without positions): the search for the character's own position starts here.
    pub near: Option<Pos>,
    pub ch: char,
    pub style: Style,
}

/// Invisible format characters (Unicode category Cf: joiners, directional marks and
/// overrides, word joiners, variation selectors, tags). The embedded fonts have glyphs for
/// a few of them (soft hyphen, zero-width space, the byte-order mark) and those are set like
/// any character; the others cannot be drawn by the PDF or the EPUB cover, and polypress sets
/// text left to right only, so a source must not hold them.
pub fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Variation selectors and the zero width joiner, which only modify the character before.
fn is_grapheme_extender(c: char) -> bool {
    matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// The name of a character that is invisible or a space, for messages that cannot show it.
fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\t' => "tab",
        '\n' => "line feed",
        '\r' => "carriage return",
        '\u{00AD}' => "soft hyphen",
        '\u{200B}' => "zero width space",
        '\u{200C}' => "zero width non-joiner",
        '\u{200D}' => "zero width joiner",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2060}' => "word joiner",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{FEFF}' => "zero width no-break space",
        '\u{2000}' => "en quad",
        '\u{2001}' => "em quad",
        '\u{2002}' => "en space",
        '\u{2003}' => "em space",
        '\u{2004}' => "three-per-em space",
        '\u{2005}' => "four-per-em space",
        '\u{2006}' => "six-per-em space",
        '\u{2008}' => "punctuation space",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{205F}' => "medium mathematical space",
        '\u{3000}' => "ideographic space",
        c if ('\u{FE00}'..='\u{FE0F}').contains(&c) => "variation selector",
        _ => return None,
    })
}

/// Every character of the document that the face it is drawn in lacks, each reported once
/// per element and style.
pub fn missing_glyphs(doc: &Summary, fonts: &FontSet) -> Vec<MissingGlyph> {
    let mut walk = Walk {
        fonts,
        found: BTreeSet::new(),
        order: Vec::new(),
    };
    walk.document(doc);
    walk.order
}

struct Walk<'f> {
    fonts: &'f FontSet,
    found: BTreeSet<MissingGlyph>,
    /// The same findings in document order, for messages that read top to bottom.
    order: Vec<MissingGlyph>,
}

const REGULAR: &[Style] = &[Style::Regular];
const BOLD: &[Style] = &[Style::Bold];
/// Texts that appear both in running text and in headings or footers.
const REGULAR_AND_BOLD: &[Style] = &[Style::Regular, Style::Bold];

impl Walk<'_> {
    fn text(&mut self, text: &str, styles: &[Style], near: Option<Pos>) {
        for &style in styles {
            let face = self.fonts.face(style);
            // A variation selector or joiner after a character the face lacks belongs to it
            // (an emoji and its U+FE0F): the character is the one to name.
            let mut after_missing = false;
            for ch in text.chars() {
                // The reader turns XML whitespace into plain spaces, which the writers set as
                // spaces; every other character, invisible ones included, is shaped and drawn.
                if ch == ' ' || (after_missing && is_grapheme_extender(ch)) {
                    continue;
                }
                after_missing = !face.has_char(ch);
                if after_missing {
                    let missing = MissingGlyph { near, ch, style };
                    if self.found.insert(missing.clone()) {
                        self.order.push(missing);
                    }
                }
            }
        }
    }

    fn inlines(&mut self, inlines: &[Inline], bold: bool, italic: bool, near: Option<Pos>) {
        for inline in inlines {
            match inline {
                Inline::Text { text } => self.text(text, &[Style::new(bold, italic)], near),
                Inline::Link { content, .. } => self.inlines(content, bold, italic, near),
                Inline::Emphasis { content } => self.inlines(content, bold, true, near),
                Inline::Strong { content } => self.inlines(content, true, italic, near),
                Inline::Lang { content, .. } => self.inlines(content, bold, italic, near),
            }
        }
    }

    fn document(&mut self, doc: &Summary) {
        let meta = &doc.meta;
        self.text(&meta.title, BOLD, None);
        if let Some(short) = &meta.short_title {
            self.text(short, REGULAR_AND_BOLD, None);
        }
        self.text(&meta.event, REGULAR, None);
        self.text(&meta.organiser, REGULAR, None);
        if let Some(a) = &meta.attendance {
            self.inlines(&a.text, false, false, None);
        }
        if let Some(r) = &meta.recording {
            self.inlines(&r.text, false, false, None);
        }
        self.text(&meta.labels.linkedin, REGULAR_AND_BOLD, None);
        self.text(&meta.labels.twitter, REGULAR_AND_BOLD, None);
        if let Some(contents) = &meta.labels.contents {
            self.text(contents, BOLD, None);
        }
        for person in &doc.people {
            let near = Some(person.pos);
            self.text(&person.name, BOLD, near);
            if let Some(affiliation) = &person.affiliation {
                self.inlines(affiliation, false, false, near);
            }
            for text in [&person.linkedin, &person.twitter].into_iter().flatten() {
                self.text(text, REGULAR, near);
            }
        }
        for section in &doc.sections {
            self.text(&section.heading, BOLD, Some(section.pos));
            self.blocks(&section.blocks);
        }
        if let Some(questions) = &doc.questions {
            self.text(&questions.heading, BOLD, Some(questions.pos));
            for question in &questions.items {
                let near = Some(question.pos);
                self.text(&question.label, BOLD, near);
                // Writers may set the question itself bold, like its label, or regular.
                self.inlines(&question.text, false, false, near);
                self.inlines(&question.text, true, false, near);
                for answer in &question.answers {
                    if let Some(name) = &answer.shown_name {
                        self.text(name, BOLD, Some(answer.pos));
                    }
                    for p in &answer.paragraphs {
                        self.inlines(&p.content, false, false, Some(p.pos));
                    }
                }
            }
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            match block {
                Block::Paragraph(p) => self.inlines(&p.content, false, false, Some(p.pos)),
                Block::Subheading(h) => self.text(&h.text, BOLD, Some(h.pos)),
                Block::List(list) => {
                    for item in &list.items {
                        self.inlines(&item.content, false, false, Some(item.pos));
                    }
                }
                Block::People(group) => self.text(&group.label, BOLD, Some(group.pos)),
                Block::Talk(talk) => {
                    let near = Some(talk.pos);
                    // The speaker's full name, bold here too, is checked with the person.
                    if let Some(name) = &talk.shown_name {
                        self.text(name, BOLD, near);
                    }
                    if let Some(affiliation) = &talk.affiliation {
                        self.text(affiliation, BOLD, near);
                    }
                    self.text(&talk.title, BOLD, near);
                    self.blocks(&talk.blocks);
                }
            }
        }
    }
}

/// Turns missing glyphs into messages naming the character, its code point, the face and the
/// character's own line and column in the source text.
pub fn diagnostics(
    missing: &[MissingGlyph],
    source: &[u8],
    file: &Path,
    fonts: &FontSet,
) -> Vec<Diagnostic> {
    let index = LineIndex::new(source);
    let text = String::from_utf8_lossy(source);
    // Each one searches the text: list a bounded number, so that a text made of thousands
    // of undrawable characters costs no more than a few.
    let mut out: Vec<Diagnostic> = missing
        .iter()
        .take(MAX_LISTED)
        .map(|m| {
            let from = m.near.map_or(0, |p| index.offset(source, p));
            let pos = find_char(&text, from, m.ch)
                .or_else(|| find_char(&text, 0, m.ch))
                .map(|offset| index.pos(source, offset))
                .or(m.near);
            let invisible = m.ch.is_whitespace() || m.ch.is_control() || is_format_character(m.ch);
            let shown = match invisible_name(m.ch) {
                Some(name) => format!("{name} "),
                None if invisible => String::new(),
                None => format!("'{}' ", m.ch),
            };
            let message = format!(
                "the character {shown}(U+{:04X}) has no glyph in {FAMILY} {}, the face it is drawn in",
                m.ch as u32,
                m.style.name()
            );
            let having: Vec<&str> = fonts
                .faces()
                .iter()
                .filter(|f| f.has_char(m.ch))
                .map(|f| f.style.name())
                .collect();
            let hint = if is_format_character(m.ch) {
                "an invisible formatting character, often pasted from a word processor or a web page: remove it; polypress sets text left to right and cannot draw it".to_string()
            } else if m.ch.is_whitespace() {
                "a space the fonts lack: write a plain space, or a no-break space (U+00A0) or thin space (U+2009), which they have".to_string()
            } else if having.is_empty() {
                "no face of the embedded fonts has it: replace it; `polypress fonts` lists the alphabets they cover".to_string()
            } else {
                format!(
                    "only the {} face has it: take it out of the {} text",
                    having.join(", "),
                    m.style.name()
                )
            };
            Diagnostic::error(file, pos, message).with_hint(hint)
        })
        .collect();
    if missing.len() > MAX_LISTED {
        let last = out.last().and_then(|d| d.pos);
        let unlisted: BTreeSet<char> = missing.iter().skip(MAX_LISTED).map(|m| m.ch).collect();
        out.push(Diagnostic::error(
            file,
            last,
            format!(
                "{} more places with characters the fonts cannot draw ({} different characters) are not listed",
                missing.len() - MAX_LISTED,
                unlisted.len()
            ),
        ));
    }
    out
}

/// How many missing glyphs are listed one by one.
pub const MAX_LISTED: usize = 50;

/// The byte offset of the first occurrence of `ch` at or after `from`, written as itself or as
/// a character reference (`&#8364;`, `&#x20AC;`).
fn find_char(text: &str, from: usize, ch: char) -> Option<usize> {
    let mut from = from.min(text.len());
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let rest = text.get(from..)?;
    for (i, c) in rest.char_indices() {
        if c == ch {
            return Some(from + i);
        }
        if c == '&' && rest.get(i + 1..).is_some_and(|r| r.starts_with('#')) {
            let reference = rest.get(i + 2..).unwrap_or_default();
            let end = reference.find(';').filter(|e| *e <= 10);
            let value = end.and_then(|e| {
                let digits = reference.get(..e)?;
                match digits.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => digits.parse().ok(),
                }
            });
            if value == Some(ch as u32) {
                return Some(from + i);
            }
        }
    }
    None
}

/// Checks a loaded source's font coverage for the build: the source text is read again only
/// when a glyph is missing, to name the character's position.
pub fn check_loaded(source: LoadedSource, fonts: &FontSet) -> Result<LoadedSource, SourceErrors> {
    let missing = missing_glyphs(&source.summary, fonts);
    if missing.is_empty() {
        return Ok(source);
    }
    let bytes = crate::source::read_bytes(&source.path).unwrap_or_default();
    Err(SourceErrors(diagnostics(
        &missing,
        &bytes,
        &source.path,
        fonts,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_characters_and_references() {
        let text = "<p>a &#x2603; b ☃ &#9731;</p>";
        assert_eq!(find_char(text, 0, '☃'), Some(5));
        assert_eq!(find_char(text, 6, '☃'), Some(16));
        assert_eq!(find_char(text, 19, '☃'), Some(20));
        assert_eq!(find_char(text, 21, '☃'), None);
        assert_eq!(find_char(text, 999, '☃'), None);
    }
}
