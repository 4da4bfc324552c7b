//! A small positioned element tree built with quick-xml's pull parser.
//!
//! serde deserialisation through quick-xml loses positions, and every message about a source
//! must name its line and column, so the reader first builds this tree (each element and text
//! node knows where it starts) and `read.rs` turns it into the model.

use std::path::Path;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::diagnostic::Diagnostic;
use crate::model::Pos;

/// Sources larger than this are refused before parsing: an event summary is a few dozen
/// kilobytes, and refusing early keeps memory bounded whatever a file holds.
pub const MAX_SOURCE_BYTES: usize = 8 * 1024 * 1024;
/// Deeper nesting than this is refused; the format itself needs fewer than ten levels.
pub const MAX_DEPTH: usize = 64;
/// More attributes on one element are refused; the format needs at most three. (quick-xml's
/// duplicate check compares each attribute with all before it, so this also bounds time.)
pub const MAX_ATTRIBUTES: usize = 32;
/// More elements than this are refused. The shipped summaries have about 150; the PDF's
/// structure tree costs about 2 KB of memory per element of the source (lopdf holds each
/// structure element as a dictionary), so this bound, with [`MAX_SOURCE_BYTES`], keeps a
/// job within its memory budget (`BENCHMARKS.md`, "Memory per job").
pub const MAX_ELEMENTS: usize = 20_000;

#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub value: String,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String, Pos),
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(..) => None,
        })
    }
}

/// Maps byte offsets in a source to line and column.
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// The last position asked for (line index, byte offset, column): the reader asks in
    /// increasing order, so counting on from there keeps a source written on one long line
    /// linear instead of quadratic.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            line_starts,
            last: std::cell::Cell::new((0, 0, 1)),
        }
    }

    /// Line and column (in characters; a byte that is not valid UTF-8 counts as one unless
    /// it continues a character) of a byte offset.
    pub fn pos(&self, text: &[u8], offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line).copied().unwrap_or(0);
        let (last_line, last_offset, last_column) = self.last.get();
        let column = if last_line != line {
            1 + count_chars(text.get(line_start..offset).unwrap_or_default())
        } else if last_offset <= offset {
            last_column + count_chars(text.get(last_offset..offset).unwrap_or_default())
        } else {
            last_column.saturating_sub(count_chars(
                text.get(offset..last_offset).unwrap_or_default(),
            ))
        };
        self.last.set((line, offset, column));
        Pos {
            line: line + 1,
            column,
        }
    }

    /// The byte offset of a line and column (the inverse of `pos`), clamped to the text.
    pub fn offset(&self, text: &[u8], pos: Pos) -> usize {
        let Some(start) = pos
            .line
            .checked_sub(1)
            .and_then(|l| self.line_starts.get(l))
            .copied()
        else {
            return text.len();
        };
        let line = text.get(start..).unwrap_or_default();
        let line_end = line.iter().position(|b| *b == b'\n').unwrap_or(line.len());
        let line = String::from_utf8_lossy(line.get(..line_end).unwrap_or_default());
        let within: usize = line
            .chars()
            .take(pos.column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        // Sources that reach this point are valid UTF-8, so the lossy view is the text itself.
        (start + within).min(start + line_end)
    }
}

/// Characters in UTF-8 bytes: every byte that does not continue a character starts one.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// Checks the encoding and parses `bytes` into an element tree.
pub fn parse(bytes: &[u8], file: &Path) -> Result<Element, Diagnostic> {
    let at = |pos: Pos, message: String| Diagnostic::error(file, Some(pos), message);
    if bytes.len() > MAX_SOURCE_BYTES {
        // Only the part up to the limit is indexed, so a huge file costs no more than that.
        let head = bytes.get(..MAX_SOURCE_BYTES).unwrap_or(bytes);
        return Err(at(
            LineIndex::new(head).pos(head, MAX_SOURCE_BYTES),
            format!(
                "the file is larger than {MAX_SOURCE_BYTES} bytes (8 MiB), the most polypress reads; \
                 it passes that size here, at byte offset {MAX_SOURCE_BYTES}"
            ),
        ));
    }
    let index = LineIndex::new(bytes);
    check_encoding(bytes, &index).map_err(|(pos, message)| at(pos, message))?;
    // A UTF-8 byte-order mark is allowed by XML; skip it so columns start after it.
    let body_start = if bytes.starts_with(UTF8_BOM) { 3 } else { 0 };
    let text = match std::str::from_utf8(bytes.get(body_start..).unwrap_or_default()) {
        Ok(t) => t,
        Err(e) => {
            let offset = body_start + e.valid_up_to();
            return Err(at(
                index.pos(bytes, offset),
                format!(
                    "the file is not valid UTF-8: byte 0x{:02X} at byte offset {offset} is not part of a UTF-8 character; save the file as UTF-8",
                    bytes.get(offset).copied().unwrap_or_default()
                ),
            ));
        }
    };
    let pos_of = |offset: u64| index.pos(bytes, body_start + offset as usize);
    if let Some((offset, c)) = text.char_indices().find(|(_, c)| !is_allowed_char(*c)) {
        return Err(forbidden_char(
            file,
            pos_of(offset as u64),
            c,
            offset + body_start,
        ));
    }
    // A character reference (`&#1;`) unescapes to what the text may not hold literally.
    let no_forbidden_reference =
        |raw_start: u64, raw: &str, value: &str| match value.chars().find(|c| !is_allowed_char(*c))
        {
            None => Ok(()),
            Some(c) => {
                let within = reference_offset(raw, c).unwrap_or(0);
                let offset = raw_start as usize + within;
                Err(forbidden_char(
                    file,
                    pos_of(offset as u64),
                    c,
                    offset + body_start,
                ))
            }
        };

    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    loop {
        let start = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(at(pos_of(reader.error_position()), syntax_message(&e))),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if root.is_some() {
                    return Err(at(
                        pos_of(start),
                        "content after the end of the root element <summary>".into(),
                    ));
                }
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(at(
                        pos_of(start),
                        format!(
                            "more than {MAX_ELEMENTS} elements, the most polypress reads in one \
                             source (an event summary has a few hundred); this is element \
                             number {elements}: split the source, or is markup repeated?"
                        ),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(at(
                        pos_of(start),
                        format!(
                            "elements nested deeper than {MAX_DEPTH} levels; the format needs \
                             fewer than ten: is an end tag missing, or markup pasted repeatedly?"
                        ),
                    ));
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if name.is_empty() {
                    return Err(at(
                        pos_of(start),
                        "a `<` that starts no element: write a lone < in text as &lt;".into(),
                    ));
                }
                let tag = text
                    .get(start as usize..reader.buffer_position() as usize)
                    .unwrap_or_default();
                if e.attributes()
                    .with_checks(false)
                    .nth(MAX_ATTRIBUTES)
                    .is_some()
                {
                    return Err(at(
                        pos_of(start),
                        format!("<{}> has more than {MAX_ATTRIBUTES} attributes; no element of the format takes more than three", excerpt_long(&name)),
                    ));
                }
                let mut attrs = Vec::new();
                for attr in e.attributes() {
                    let attr = match attr {
                        Ok(a) => a,
                        Err(err) => {
                            // quick-xml counts from the byte after the `<`.
                            let (within, message) = attr_error_message(&err);
                            return Err(at(
                                pos_of(start + 1 + within as u64),
                                format!(
                                    "in the attributes of <{}>: {message}",
                                    excerpt_long(&name)
                                ),
                            ));
                        }
                    };
                    let attr_name = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                    // Messages about an attribute point at the attribute, not at its element.
                    let attr_start = start + attr_offset(tag, &attr_name).unwrap_or(0) as u64;
                    let value = match attr.unescape_value() {
                        Ok(v) => v.into_owned(),
                        Err(err) => {
                            return Err(at(
                                pos_of(attr_start),
                                format!(
                                    "in the attribute `{attr_name}` of <{name}>: {}",
                                    syntax_message(&err)
                                ),
                            ))
                        }
                    };
                    no_forbidden_reference(
                        attr_start,
                        tag.get(attr_start.saturating_sub(start) as usize..)
                            .unwrap_or_default(),
                        &value,
                    )?;
                    attrs.push(Attr {
                        name: attr_name,
                        value,
                        pos: pos_of(attr_start),
                    });
                }
                let element = Element {
                    name,
                    attrs,
                    children: Vec::new(),
                    pos: pos_of(start),
                };
                if is_empty {
                    attach(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                // quick-xml has already checked that the end tag matches.
                if let Some(element) = stack.pop() {
                    attach(&mut stack, &mut root, element);
                }
            }
            Event::Text(t) => {
                let text_value = t.unescape().map_err(|e| {
                    let within = match &e {
                        quick_xml::Error::Escape(escape) => entity_offset(escape),
                        _ => 0,
                    };
                    at(pos_of(start + within as u64), syntax_message(&e))
                })?;
                no_forbidden_reference(
                    start,
                    text.get(start as usize..reader.buffer_position() as usize)
                        .unwrap_or_default(),
                    &text_value,
                )?;
                push_text(
                    &mut stack,
                    &root,
                    text_value.into_owned(),
                    pos_of(start),
                    &at,
                )?;
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(&t.into_inner()).into_owned();
                push_text(&mut stack, &root, text, pos_of(start), &at)?;
            }
            Event::DocType(d) => {
                let decl = String::from_utf8_lossy(&d.into_inner()).into_owned();
                if decl.contains("<!ENTITY") {
                    return Err(at(
                        pos_of(start),
                        "the DOCTYPE declares entities; polypress never expands entities, remove the DOCTYPE".into(),
                    ));
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(at(
            pos_of(text.len() as u64),
            format!(
                "the file ends before <{}> (opened at {}) is closed: expected </{}>",
                excerpt_long(&open.name),
                open.pos,
                excerpt_long(&open.name)
            ),
        ));
    }
    root.ok_or_else(|| {
        at(
            pos_of(text.len() as u64),
            "the file has no root element: expected <summary>".into(),
        )
    })
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Recognises the encodings people save sources in by mistake, before the UTF-8 check would
/// report them less helpfully as a stray byte.
fn check_encoding(bytes: &[u8], index: &LineIndex) -> Result<(), (Pos, String)> {
    let start = Pos { line: 1, column: 1 };
    if bytes.starts_with(&[0xFF, 0xFE, 0x00, 0x00]) || bytes.starts_with(&[0x00, 0x00, 0xFE, 0xFF])
    {
        return Err((
            start,
            "the file is UTF-32 (it starts with a UTF-32 byte-order mark); save it as UTF-8".into(),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let order = if bytes.starts_with(&[0xFF, 0xFE]) {
            "little"
        } else {
            "big"
        };
        return Err((
            start,
            format!("the file is UTF-16 ({order}-endian: it starts with a UTF-16 byte-order mark, bytes 0x{:02X} 0x{:02X}); save it as UTF-8", bytes[0], bytes[1]),
        ));
    }
    // UTF-16 without a byte-order mark: '<' next to a zero byte. Zero bytes are valid UTF-8
    // but never valid XML, so this is never a false alarm.
    if bytes.starts_with(&[b'<', 0]) || bytes.starts_with(&[0, b'<']) {
        let order = if bytes[0] == 0 { "big" } else { "little" };
        return Err((
            start,
            format!("the file looks like UTF-16 ({order}-endian, without a byte-order mark: every other byte is 0); save it as UTF-8"),
        ));
    }
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if body.starts_with(UTF8_BOM) {
        let offset = bytes.len() - body.len();
        return Err((
            index.pos(bytes, offset),
            format!("a second byte-order mark (U+FEFF, bytes EF BB BF) at byte offset {offset}; the file was saved twice with a BOM: remove it"),
        ));
    }
    if let Some(offset) = body.iter().position(|b| *b == 0) {
        let offset = offset + (bytes.len() - body.len());
        return Err((
            index.pos(bytes, offset),
            format!("a zero byte (0x00) at byte offset {offset}; XML allows none: is the file UTF-16 or binary?"),
        ));
    }
    Ok(())
}

/// Whether XML 1.0 lets a document hold `c` and polypress passes it on to its outputs:
/// XML forbids the control characters but tab, line feed and carriage return, and U+FFFE
/// and U+FFFF; it discourages DEL, the C1 controls and the other noncharacters, which no
/// font draws and which validators of the outputs refuse, so they are refused too.
pub fn is_allowed_char(c: char) -> bool {
    let u = u32::from(c);
    !(matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}')
        || (0x7F..=0x9F).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE)
}

/// The message for a character `is_allowed_char` refuses.
fn forbidden_char(file: &Path, pos: Pos, c: char, offset: usize) -> Diagnostic {
    let u = u32::from(c);
    let (kind, hint) = if c.is_control() {
        ("a control character", "remove it: XML allows no control characters but tab and line ends; text pasted from another program often carries them")
    } else {
        ("a noncharacter", "remove it: Unicode reserves it as a marker that is never text; it is often left by a faulty conversion")
    };
    Diagnostic::error(
        file,
        Some(pos),
        format!(
            "the character U+{u:04X} ({kind}) at byte offset {offset} is not allowed in a source: XML 1.0 refuses it, and no output may hold it"
        ),
    )
    .with_hint(hint)
}

/// Where, in raw markup, a character reference (`&#1;`, `&#x1;`) to `c` starts.
fn reference_offset(raw: &str, c: char) -> Option<usize> {
    raw.match_indices("&#").map(|(i, _)| i).find(|&i| {
        let rest = raw.get(i + 2..).unwrap_or_default();
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            return false;
        };
        let digits = rest.get(..end).unwrap_or_default();
        let value = match digits.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => digits.parse().ok(),
        };
        value == Some(u32::from(c))
    })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

fn push_text(
    stack: &mut [Element],
    root: &Option<Element>,
    text: String,
    pos: Pos,
    at: &dyn Fn(Pos, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(Node::Text(text, pos));
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None if root.is_some() => Err(at(
            pos,
            "text after the end of the root element <summary>".into(),
        )),
        None => Err(at(
            pos,
            "text before the root element: expected <summary>".into(),
        )),
    }
}

/// A message part quoting names from the file, cut at 200 characters.
fn excerpt_long(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", s.get(..end).unwrap_or(s)),
        None => s.to_string(),
    }
}

fn syntax_message(e: &quick_xml::Error) -> String {
    use quick_xml::escape::EscapeError;
    match e {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            let instead = match name.as_str() {
                "nbsp" => "&#160; (or the no-break space itself)".to_string(),
                _ => "the character itself or a character reference such as &#8364;".to_string(),
            };
            format!(
                "unknown entity `&{name};`: XML knows only &amp; &lt; &gt; &quot; &apos;; write {instead}"
            )
        }
        quick_xml::Error::Escape(EscapeError::UnterminatedEntity(_)) => {
            "a `&` that starts no entity (no `;` follows): write a lone & as &amp;".to_string()
        }
        // quick-xml quotes names in full; a runaway one is cut.
        _ => format!(
            "the XML is not well-formed: {}",
            excerpt_long(&e.to_string())
        ),
    }
}

/// What is wrong in a start tag's attributes, and where (counting from the byte after `<`).
fn attr_error_message(e: &quick_xml::events::attributes::AttrError) -> (usize, String) {
    use quick_xml::events::attributes::AttrError;
    match e {
        AttrError::ExpectedEq(p) => (
            *p,
            "an attribute name must be followed by `=` and a value in quotes".into(),
        ),
        AttrError::ExpectedValue(p) => (*p, "`=` must be followed by a value in quotes".into()),
        AttrError::UnquotedValue(p) => (*p, "the value must be in quotes: name=\"value\"".into()),
        AttrError::ExpectedQuote(p, quote) => (
            *p,
            format!(
                "the value is not closed: expected a closing {}",
                char::from(*quote)
            ),
        ),
        AttrError::Duplicated(p, _) => (*p, "the same attribute is given twice".into()),
    }
}

/// Where the faulty `&` of an escape error sits, from the start of the text it was found in.
fn entity_offset(e: &quick_xml::escape::EscapeError) -> usize {
    use quick_xml::escape::EscapeError;
    match e {
        // The range is the entity's name, after the `&`.
        EscapeError::UnrecognizedEntity(range, _) => range.start.saturating_sub(1),
        EscapeError::UnterminatedEntity(range) => range.start,
        EscapeError::InvalidCharRef(_) => 0,
    }
}

/// The byte offset of attribute `name` in a start tag's text (`<talk speaker="x">`).
fn attr_offset(tag: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = tag.get(from..)?.find(name) {
        let at = from + found;
        let before_ok = tag
            .get(..at)
            .and_then(|b| b.chars().next_back())
            .is_some_and(char::is_whitespace);
        let after = tag.get(at + name.len()..).unwrap_or_default();
        if before_ok && after.trim_start().starts_with('=') {
            return Some(at);
        }
        from = at + name.len();
    }
    None
}
