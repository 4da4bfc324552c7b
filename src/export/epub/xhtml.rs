//! A thin layer over quick-xml's `Writer` for the XHTML documents: it keeps track of which
//! face of the font the reader's stylesheet will draw each character in, so the embedded
//! font subsets hold exactly the glyphs the text needs.

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::stylesheet;
use super::EpubError;
use crate::fonts::Style;

pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
pub const EPUB_NS: &str = "http://www.idpf.org/2007/ops";

/// The characters each face draws, gathered while the documents are written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UsedChars(pub BTreeMap<Style, BTreeSet<char>>);

impl UsedChars {
    pub fn add(&mut self, style: Style, text: &str) {
        self.0.entry(style).or_default().extend(text.chars());
    }

    pub fn merge(&mut self, other: UsedChars) {
        for (style, chars) in other.0 {
            self.0.entry(style).or_default().extend(chars);
        }
    }
}

/// Writes one XHTML document. Elements are started and ended explicitly; the face in use is
/// a stack that follows them.
pub struct XhtmlWriter {
    xml: Writer<Vec<u8>>,
    faces: Vec<Style>,
    used: UsedChars,
}

type Result<T = ()> = std::result::Result<T, EpubError>;

impl XhtmlWriter {
    /// Starts a document: XML declaration, doctype, `<html>` with both language attributes
    /// and `<head>` with the title and stylesheet, then opens `<body>`.
    pub fn begin(lang: &str, title: &str, stylesheet_href: Option<&str>) -> Result<XhtmlWriter> {
        let mut w = XhtmlWriter {
            xml: Writer::new(Vec::new()),
            faces: vec![Style::Regular],
            used: UsedChars::default(),
        };
        w.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.newline()?;
        w.event(Event::DocType(BytesText::from_escaped("html")))?;
        w.newline()?;
        w.start(
            "html",
            &[
                ("xmlns", XHTML_NS),
                ("xmlns:epub", EPUB_NS),
                ("lang", lang),
                ("xml:lang", lang),
            ],
        )?;
        w.newline()?;
        w.start("head", &[])?;
        w.newline()?;
        w.empty("meta", &[("charset", "UTF-8")])?;
        w.newline()?;
        // The head is not drawn, so its title does not count towards the fonts.
        w.xml
            .create_element("title")
            .write_text_content(BytesText::new(title))?;
        w.newline()?;
        if let Some(href) = stylesheet_href {
            w.empty(
                "link",
                &[("rel", "stylesheet"), ("type", "text/css"), ("href", href)],
            )?;
            w.newline()?;
        }
        w.end("head")?;
        w.newline()?;
        w.start("body", &[])?;
        w.newline()?;
        Ok(w)
    }

    /// Closes `<body>` and `<html>`; returns the bytes and the characters each face draws.
    pub fn finish(mut self) -> Result<(Vec<u8>, UsedChars)> {
        self.end("body")?;
        self.newline()?;
        self.end("html")?;
        self.newline()?;
        Ok((self.xml.into_inner(), self.used))
    }

    fn event(&mut self, event: Event) -> Result {
        self.xml.write_event(event)?;
        Ok(())
    }

    fn current_face(&self) -> Style {
        self.faces.last().copied().unwrap_or(Style::Regular)
    }

    fn tag<'a>(name: &'a str, attrs: &[(&'a str, &'a str)]) -> BytesStart<'a> {
        let mut tag = BytesStart::new(name);
        for attr in attrs {
            tag.push_attribute(*attr);
        }
        tag
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result {
        let class = attrs.iter().find(|(k, _)| *k == "class").map(|(_, v)| *v);
        let face = stylesheet::face_for(self.current_face(), name, class);
        self.faces.push(face);
        self.event(Event::Start(Self::tag(name, attrs)))
    }

    pub fn end(&mut self, name: &str) -> Result {
        self.faces.pop();
        self.event(Event::End(BytesEnd::new(name)))
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result {
        self.event(Event::Empty(Self::tag(name, attrs)))
    }

    /// Text the reader sees, drawn in the current face.
    pub fn text(&mut self, text: &str) -> Result {
        self.used.add(self.current_face(), text);
        self.event(Event::Text(BytesText::new(text)))
    }

    /// An element holding only text.
    pub fn element(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> Result {
        self.start(name, attrs)?;
        self.text(text)?;
        self.end(name)
    }

    /// A line break between block elements, so the source stays readable; never inside
    /// running text, where it would be a space.
    pub fn newline(&mut self) -> Result {
        self.event(Event::Text(BytesText::from_escaped("\n")))
    }
}
