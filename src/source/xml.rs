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
        LineIndex { line_starts }
    }

    /// Line and column (in characters, counting a byte that is not valid UTF-8 as one) of a
    /// byte offset.
    pub fn pos(&self, text: &[u8], offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = String::from_utf8_lossy(&text[start..offset])
            .chars()
            .count()
            + 1;
        Pos {
            line: line + 1,
            column,
        }
    }
}

/// Checks the encoding and parses `bytes` into an element tree.
pub fn parse(bytes: &[u8], file: &Path) -> Result<Element, Diagnostic> {
    let at = |pos: Pos, message: String| Diagnostic::error(file, Some(pos), message);
    let index = LineIndex::new(bytes);
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(Diagnostic::error(
            file,
            None,
            format!(
                "the file is {} bytes; polypress reads sources of at most {} bytes",
                bytes.len(),
                MAX_SOURCE_BYTES
            ),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(at(
            Pos { line: 1, column: 1 },
            "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8".into(),
        ));
    }
    // A UTF-8 byte-order mark is allowed by XML; skip it so columns start after it.
    let body_start = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let text = match std::str::from_utf8(&bytes[body_start..]) {
        Ok(t) => t,
        Err(e) => {
            let offset = body_start + e.valid_up_to();
            return Err(at(
                index.pos(bytes, offset),
                format!(
                    "the file is not valid UTF-8: byte 0x{:02X} at byte offset {offset}; save it as UTF-8",
                    bytes[offset]
                ),
            ));
        }
    };
    let pos_of = |offset: u64| index.pos(bytes, body_start + offset as usize);

    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
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
                if stack.len() >= MAX_DEPTH {
                    return Err(at(
                        pos_of(start),
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                for attr in e.attributes() {
                    let attr = match attr {
                        Ok(a) => a,
                        Err(err) => {
                            return Err(at(
                                pos_of(start),
                                format!("in the attributes of <{name}>: {err}"),
                            ))
                        }
                    };
                    let value = match attr.unescape_value() {
                        Ok(v) => v.into_owned(),
                        Err(err) => {
                            return Err(at(
                                pos_of(start),
                                format!("in the attributes of <{name}>: {}", syntax_message(&err)),
                            ))
                        }
                    };
                    attrs.push(Attr {
                        name: String::from_utf8_lossy(attr.key.as_ref()).into_owned(),
                        value,
                        pos: pos_of(start),
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
                let text = t
                    .unescape()
                    .map_err(|e| at(pos_of(start), syntax_message(&e)))?;
                push_text(&mut stack, &root, text.into_owned(), pos_of(start), &at)?;
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
                open.name, open.pos, open.name
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

fn syntax_message(e: &quick_xml::Error) -> String {
    format!("the XML is not well-formed: {e}")
}
