//! Writes a `Summary` as a source file (docs/source-format.md), with comments for the editor.
//!
//! quick-xml's `Writer` does the element structure, indentation and attribute escaping.
//! Running text is mixed content, which its indenting writer would break up with new lines
//! between inline elements, so each block's content is escaped here and written as one text
//! event.

use std::collections::BTreeMap;
use std::io::Write as _;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::model::*;

/// Comments for the editor: before the proposed metadata and before the block that a
/// source line became.
#[derive(Debug, Default, Clone)]
pub struct EditorComments {
    /// At the top of the file (how it was made).
    pub header: Vec<String>,
    pub before_title: Option<String>,
    pub before_event: Option<String>,
    /// Keyed by the text's line number; written before the element made from that line.
    pub at_lines: BTreeMap<usize, Vec<String>>,
}

type XmlWriter = Writer<Vec<u8>>;

pub fn write_source(doc: &Summary, comments: &EditorComments) -> std::io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    for c in &comments.header {
        comment(&mut w, c)?;
    }
    let root = BytesStart::new("summary").with_attributes([
        ("version", FORMAT_VERSION),
        ("id", doc.id.as_str()),
        ("lang", doc.lang.as_str()),
    ]);
    w.write_event(Event::Start(root))?;
    meta(&mut w, &doc.meta, comments)?;
    for section in &doc.sections {
        blank_line(&mut w)?;
        line_comments(&mut w, comments, section.pos.line)?;
        start(&mut w, "section", &[])?;
        text_element(&mut w, "heading", &section.heading)?;
        blocks(&mut w, doc, &section.blocks, comments)?;
        end(&mut w, "section")?;
    }
    if let Some(q) = &doc.questions {
        blank_line(&mut w)?;
        questions(&mut w, doc, q, comments)?;
    }
    end(&mut w, "summary")?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).map_err(std::io::Error::other)
}

fn meta(w: &mut XmlWriter, m: &Meta, comments: &EditorComments) -> std::io::Result<()> {
    start(w, "meta", &[])?;
    if let Some(c) = &comments.before_title {
        comment(w, c)?;
    }
    text_element(w, "title", &m.title)?;
    if let Some(s) = &m.short_title {
        text_element(w, "short-title", s)?;
    }
    if let Some(c) = &comments.before_event {
        comment(w, c)?;
    }
    text_element(w, "event", &m.event)?;
    text_element(w, "organiser", &m.organiser)?;
    if let Some(d) = &m.date {
        text_element(w, "date", d)?;
    }
    text_element(w, "revised", &m.revised)?;
    if let Some(a) = &m.attendance {
        let registered = a.registered.map(|n| n.to_string());
        let attended = a.attended.map(|n| n.to_string());
        let mut attrs = Vec::new();
        if let Some(r) = &registered {
            attrs.push(("registered", r.as_str()));
        }
        if let Some(r) = &attended {
            attrs.push(("attended", r.as_str()));
        }
        inline_element(w, "attendance", &attrs, &a.text)?;
    }
    if let Some(r) = &m.recording {
        inline_element(w, "recording", &[("href", r.href.as_str())], &r.text)?;
    }
    let mut labels = BytesStart::new("labels");
    labels.push_attribute(("linkedin", m.labels.linkedin.as_str()));
    labels.push_attribute(("twitter", m.labels.twitter.as_str()));
    if let Some(c) = &m.labels.contents {
        labels.push_attribute(("contents", c.as_str()));
    }
    w.write_event(Event::Empty(labels))?;
    end(w, "meta")
}

fn blocks(
    w: &mut XmlWriter,
    doc: &Summary,
    blocks: &[Block],
    comments: &EditorComments,
) -> std::io::Result<()> {
    for block in blocks {
        match block {
            Block::Paragraph(p) => {
                line_comments(w, comments, p.pos.line)?;
                inline_element(w, "p", &[], &p.content)?;
            }
            Block::Subheading(h) => {
                line_comments(w, comments, h.pos.line)?;
                text_element(w, "subheading", &h.text)?;
            }
            Block::List(l) => {
                line_comments(w, comments, l.pos.line)?;
                start(w, "list", &[])?;
                for item in &l.items {
                    if item.pos.line != l.pos.line {
                        line_comments(w, comments, item.pos.line)?;
                    }
                    inline_element(w, "item", &[], &item.content)?;
                }
                end(w, "list")?;
            }
            Block::People(g) => {
                line_comments(w, comments, g.pos.line)?;
                start(
                    w,
                    "people",
                    &[("role", g.role.as_str()), ("label", g.label.as_str())],
                )?;
                for person in g.members.iter().filter_map(|r| doc.people.get(r.0)) {
                    line_comments(w, comments, person.pos.line)?;
                    start(w, "person", &[("id", person.id.as_str())])?;
                    text_element(w, "name", &person.name)?;
                    if let Some(a) = &person.affiliation {
                        inline_element(w, "affiliation", &[], a)?;
                    }
                    if let Some(l) = &person.linkedin {
                        text_element(w, "linkedin", l)?;
                    }
                    if let Some(t) = &person.twitter {
                        text_element(w, "twitter", t)?;
                    }
                    end(w, "person")?;
                }
                end(w, "people")?;
            }
            Block::Talk(t) => {
                line_comments(w, comments, t.pos.line)?;
                let speaker = doc.people.get(t.speaker.0).map_or("", |p| p.id.as_str());
                let mut attrs = vec![("speaker", speaker)];
                if let Some(n) = &t.shown_name {
                    attrs.push(("name", n.as_str()));
                }
                if let Some(a) = &t.affiliation {
                    attrs.push(("affiliation", a.as_str()));
                }
                start(w, "talk", &attrs)?;
                text_element(w, "title", &t.title)?;
                self::blocks(w, doc, &t.blocks, comments)?;
                end(w, "talk")?;
            }
        }
    }
    Ok(())
}

fn questions(
    w: &mut XmlWriter,
    doc: &Summary,
    q: &Questions,
    comments: &EditorComments,
) -> std::io::Result<()> {
    line_comments(w, comments, q.pos.line)?;
    start(w, "questions", &[])?;
    text_element(w, "heading", &q.heading)?;
    for question in &q.items {
        if question.pos.line != q.pos.line {
            line_comments(w, comments, question.pos.line)?;
        }
        let number = question.number.to_string();
        start(
            w,
            "question",
            &[
                ("number", number.as_str()),
                ("label", question.label.as_str()),
            ],
        )?;
        inline_element(w, "text", &[], &question.text)?;
        for answer in &question.answers {
            line_comments(w, comments, answer.pos.line)?;
            let by = doc.people.get(answer.by.0).map_or("", |p| p.id.as_str());
            let mut attrs = vec![("by", by)];
            if let Some(n) = &answer.shown_name {
                attrs.push(("name", n.as_str()));
            }
            match answer.paragraphs.as_slice() {
                [one] => inline_element(w, "answer", &attrs, &one.content)?,
                many => {
                    start(w, "answer", &attrs)?;
                    for (k, p) in many.iter().enumerate() {
                        if k > 0 {
                            line_comments(w, comments, p.pos.line)?;
                        }
                        inline_element(w, "p", &[], &p.content)?;
                    }
                    end(w, "answer")?;
                }
            }
        }
        end(w, "question")?;
    }
    end(w, "questions")
}

fn start(w: &mut XmlWriter, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
    let el = BytesStart::new(name).with_attributes(attrs.iter().copied());
    w.write_event(Event::Start(el))
}

fn end(w: &mut XmlWriter, name: &str) -> std::io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn text_element(w: &mut XmlWriter, name: &str, text: &str) -> std::io::Result<()> {
    start(w, name, &[])?;
    w.write_event(Event::Text(BytesText::from_escaped(escape_text(text))))?;
    end(w, name)
}

fn inline_element(
    w: &mut XmlWriter,
    name: &str,
    attrs: &[(&str, &str)],
    content: &[Inline],
) -> std::io::Result<()> {
    start(w, name, attrs)?;
    let mut markup = String::new();
    inline_markup(content, &mut markup);
    w.write_event(Event::Text(BytesText::from_escaped(markup)))?;
    end(w, name)
}

fn inline_markup(content: &[Inline], out: &mut String) {
    for inline in content {
        match inline {
            Inline::Text { text } => out.push_str(&escape_text(text)),
            Inline::Link { href, content } => {
                out.push_str("<link href=\"");
                out.push_str(&quick_xml::escape::escape(href.as_str()));
                out.push_str("\">");
                inline_markup(content, out);
                out.push_str("</link>");
            }
            Inline::Emphasis { content } => {
                out.push_str("<em>");
                inline_markup(content, out);
                out.push_str("</em>");
            }
            Inline::Strong { content } => {
                out.push_str("<strong>");
                inline_markup(content, out);
                out.push_str("</strong>");
            }
            Inline::Lang { lang, content } => {
                out.push_str("<span lang=\"");
                out.push_str(&quick_xml::escape::escape(lang.as_str()));
                out.push_str("\">");
                inline_markup(content, out);
                out.push_str("</span>");
            }
        }
    }
}

/// `&`, `<` and `>` escaped; a non-breaking space written `&#160;` so an editor sees it.
fn escape_text(text: &str) -> String {
    quick_xml::escape::partial_escape(text).replace('\u{a0}', "&#160;")
}

fn comment(w: &mut XmlWriter, text: &str) -> std::io::Result<()> {
    // "--" may not appear inside an XML comment.
    let mut safe = text.replace("--", "- -");
    if safe.ends_with('-') {
        safe.push(' ');
    }
    w.write_event(Event::Comment(BytesText::from_escaped(format!(" {safe} "))))
}

fn line_comments(w: &mut XmlWriter, comments: &EditorComments, line: usize) -> std::io::Result<()> {
    for c in comments.at_lines.get(&line).into_iter().flatten() {
        comment(w, c)?;
    }
    Ok(())
}

/// An empty line between top-level parts, for the editor's eyes; the indenting writer adds
/// the line break and indentation itself.
fn blank_line(w: &mut XmlWriter) -> std::io::Result<()> {
    w.get_mut().write_all(b"\n")
}
