//! The content document: the whole summary as one XHTML file, in the order of the PDF:
//! title block, sections (with their people and talks), then the questions and answers.
//!
//! Ids come from positions in the model (`section-2`, `talk-3`), so two builds agree.

use super::xhtml::{UsedChars, XhtmlWriter};
use super::EpubError;
use crate::model::{Block, Inline, Paragraph, PeopleGroup, Questions, Section, Summary, Talk};

/// Where the content document sits, relative to the package document.
pub const HREF: &str = "text.xhtml";
/// The id of the title block: where the body matter starts.
pub const TITLE_ID: &str = "title";

/// A heading the navigation points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineEntry {
    pub label: String,
    /// Fragment id in the content document.
    pub id: String,
    pub children: Vec<OutlineEntry>,
}

pub struct Content {
    pub xhtml: Vec<u8>,
    pub used: UsedChars,
    /// The sections and questions, with their talks nested: the table of contents.
    pub outline: Vec<OutlineEntry>,
}

type Result<T = ()> = std::result::Result<T, EpubError>;

pub fn write(doc: &Summary, stylesheet_href: &str) -> Result<Content> {
    let mut w = XhtmlWriter::begin(&doc.lang, &doc.meta.title, Some(stylesheet_href))?;
    let mut ids = Ids::default();
    title_block(&mut w, doc)?;
    let mut outline = Vec::new();
    for (index, section) in doc.sections.iter().enumerate() {
        outline.push(self::section(&mut w, doc, section, index + 1, &mut ids)?);
    }
    if let Some(questions) = &doc.questions {
        outline.push(self::questions(&mut w, doc, questions)?);
    }
    let (xhtml, used) = w.finish()?;
    Ok(Content {
        xhtml,
        used,
        outline,
    })
}

/// Counters for the elements numbered across the whole document.
#[derive(Default)]
struct Ids {
    talks: usize,
    people: usize,
}

fn title_block(w: &mut XhtmlWriter, doc: &Summary) -> Result {
    let meta = &doc.meta;
    w.start(
        "section",
        &[
            ("id", TITLE_ID),
            ("class", "title-block"),
            ("epub:type", "titlepage"),
            ("aria-labelledby", "title-heading"),
        ],
    )?;
    w.newline()?;
    w.element("h1", &[("id", "title-heading")], &meta.title)?;
    w.newline()?;
    w.element("p", &[("class", "event")], &meta.event)?;
    w.newline()?;
    w.element("p", &[("class", "organiser")], &meta.organiser)?;
    w.newline()?;
    if let Some(attendance) = &meta.attendance {
        paragraph(w, &attendance.text, Some("attendance"))?;
    }
    if let Some(recording) = &meta.recording {
        paragraph(w, &recording.text, Some("recording"))?;
    }
    w.end("section")?;
    w.newline()
}

fn section(
    w: &mut XhtmlWriter,
    doc: &Summary,
    section: &Section,
    number: usize,
    ids: &mut Ids,
) -> Result<OutlineEntry> {
    let id = format!("section-{number}");
    let heading_id = format!("{id}-heading");
    w.start(
        "section",
        &[
            ("id", &id),
            ("epub:type", "chapter"),
            ("role", "doc-chapter"),
            ("aria-labelledby", &heading_id),
        ],
    )?;
    w.newline()?;
    w.element("h2", &[("id", &heading_id)], &section.heading)?;
    w.newline()?;
    // The speaker groups and the talks, in reading order, as the PDF's outline has them.
    let mut children = Vec::new();
    for block in &section.blocks {
        match block {
            Block::Talk(t) => children.push(talk(w, doc, t, ids)?),
            Block::People(group) => children.push(people(w, doc, group, ids)?),
            other => simple_block(w, other, "h3")?,
        }
    }
    w.end("section")?;
    w.newline()?;
    Ok(OutlineEntry {
        label: section.heading.clone(),
        id,
        children,
    })
}

/// Paragraphs, sub-headings and lists; `subheading` is the heading level they take here.
fn simple_block(w: &mut XhtmlWriter, block: &Block, subheading: &str) -> Result {
    match block {
        Block::Paragraph(p) => paragraph(w, &p.content, None),
        Block::Subheading(h) => {
            w.element(subheading, &[], &h.text)?;
            w.newline()
        }
        Block::List(list) => {
            w.start("ul", &[])?;
            w.newline()?;
            for item in &list.items {
                w.start("li", &[])?;
                inlines(w, &item.content)?;
                w.end("li")?;
                w.newline()?;
            }
            w.end("ul")?;
            w.newline()
        }
        // Sections handle these themselves, and the reader refuses them inside a talk.
        Block::People(_) | Block::Talk(_) => Ok(()),
    }
}

fn people(
    w: &mut XhtmlWriter,
    doc: &Summary,
    group: &PeopleGroup,
    ids: &mut Ids,
) -> Result<OutlineEntry> {
    ids.people += 1;
    let heading_id = format!("people-{}", ids.people);
    w.element("h3", &[("id", &heading_id)], &group.label)?;
    w.newline()?;
    w.start(
        "ul",
        &[("class", "people"), ("aria-labelledby", &heading_id)],
    )?;
    w.newline()?;
    let labels = &doc.meta.labels;
    for person in group.members.iter().map(|r| doc.person(*r)) {
        w.start("li", &[])?;
        w.newline()?;
        w.start("p", &[])?;
        w.element("span", &[("class", "name")], &person.name)?;
        if let Some(affiliation) = &person.affiliation {
            w.text(", ")?;
            inlines(w, affiliation)?;
        }
        w.end("p")?;
        w.newline()?;
        if let Some(url) = &person.linkedin {
            profile(w, &labels.linkedin, url, url)?;
        }
        if let (Some(handle), Some(url)) = (&person.twitter, person.twitter_url()) {
            profile(w, &labels.twitter, &url, handle)?;
        }
        w.end("li")?;
        w.newline()?;
    }
    w.end("ul")?;
    w.newline()?;
    Ok(OutlineEntry {
        label: group.label.clone(),
        id: heading_id,
        children: Vec::new(),
    })
}

/// "LinkedIn: <address>": the label as the source words it, then the link.
fn profile(w: &mut XhtmlWriter, label: &str, href: &str, shown: &str) -> Result {
    w.start("p", &[("class", "profile")])?;
    w.text(&labelled(label))?;
    w.element("a", &[("href", href)], shown)?;
    w.end("p")?;
    w.newline()
}

/// A label followed by a colon and a space, unless the source already ends it with one.
fn labelled(label: &str) -> String {
    if label.ends_with(':') {
        format!("{label} ")
    } else {
        format!("{label}: ")
    }
}

fn talk(w: &mut XhtmlWriter, doc: &Summary, talk: &Talk, ids: &mut Ids) -> Result<OutlineEntry> {
    ids.talks += 1;
    let id = format!("talk-{}", ids.talks);
    let heading_id = format!("{id}-heading");
    w.start(
        "section",
        &[
            ("id", &id),
            ("class", "talk"),
            ("aria-labelledby", &heading_id),
        ],
    )?;
    w.newline()?;
    w.element("h3", &[("id", &heading_id)], &talk.title)?;
    w.newline()?;
    w.start("p", &[("class", "speaker")])?;
    w.element("span", &[("class", "name")], talk.name(doc))?;
    if let Some(affiliation) = &talk.affiliation {
        w.text(&format!(", {affiliation}"))?;
    }
    w.end("p")?;
    w.newline()?;
    for block in &talk.blocks {
        simple_block(w, block, "h4")?;
    }
    w.end("section")?;
    w.newline()?;
    Ok(OutlineEntry {
        label: talk.title.clone(),
        id,
        children: Vec::new(),
    })
}

fn questions(w: &mut XhtmlWriter, doc: &Summary, questions: &Questions) -> Result<OutlineEntry> {
    let id = "questions";
    let heading_id = "questions-heading";
    w.start(
        "section",
        &[
            ("id", id),
            ("epub:type", "chapter"),
            ("role", "doc-chapter"),
            ("aria-labelledby", heading_id),
        ],
    )?;
    w.newline()?;
    w.element("h2", &[("id", heading_id)], &questions.heading)?;
    w.newline()?;
    let mut entries = Vec::new();
    for (index, question) in questions.items.iter().enumerate() {
        let question_id = format!("question-{}", index + 1);
        let label_id = format!("{question_id}-label");
        w.start(
            "section",
            &[
                ("id", &question_id),
                ("class", "question"),
                ("aria-labelledby", &label_id),
            ],
        )?;
        w.newline()?;
        w.element("h3", &[("id", &label_id)], &question.label)?;
        w.newline()?;
        entries.push(OutlineEntry {
            label: question.label.clone(),
            id: question_id.clone(),
            children: Vec::new(),
        });
        paragraph(w, &question.text, Some("question-text"))?;
        for answer in &question.answers {
            w.start("div", &[("class", "answer")])?;
            w.newline()?;
            let name = labelled(answer.name(doc));
            match answer.paragraphs.split_first() {
                Some((first, rest)) => {
                    answer_paragraph(w, Some(&name), first)?;
                    for p in rest {
                        answer_paragraph(w, None, p)?;
                    }
                }
                None => {
                    w.start("p", &[])?;
                    w.element("span", &[("class", "answerer")], name.trim_end())?;
                    w.end("p")?;
                    w.newline()?;
                }
            }
            w.end("div")?;
            w.newline()?;
        }
        w.end("section")?;
        w.newline()?;
    }
    w.end("section")?;
    w.newline()?;
    Ok(OutlineEntry {
        label: questions.heading.clone(),
        id: id.to_string(),
        children: entries,
    })
}

/// One paragraph of an answer; the first starts with the name of who answers.
fn answer_paragraph(w: &mut XhtmlWriter, name: Option<&str>, p: &Paragraph) -> Result {
    w.start("p", &[])?;
    if let Some(name) = name {
        w.element("span", &[("class", "answerer")], name.trim_end())?;
        w.text(" ")?;
    }
    inlines(w, &p.content)?;
    w.end("p")?;
    w.newline()
}

fn paragraph(w: &mut XhtmlWriter, content: &[Inline], class: Option<&str>) -> Result {
    match class {
        Some(class) => w.start("p", &[("class", class)])?,
        None => w.start("p", &[])?,
    }
    inlines(w, content)?;
    w.end("p")?;
    w.newline()
}

fn inlines(w: &mut XhtmlWriter, content: &[Inline]) -> Result {
    for inline in content {
        match inline {
            Inline::Text { text } => w.text(text)?,
            Inline::Link { href, content } => {
                w.start("a", &[("href", href)])?;
                inlines(w, content)?;
                w.end("a")?;
            }
            Inline::Emphasis { content } => {
                w.start("em", &[])?;
                inlines(w, content)?;
                w.end("em")?;
            }
            Inline::Strong { content } => {
                w.start("strong", &[])?;
                inlines(w, content)?;
                w.end("strong")?;
            }
            Inline::Lang { lang, content } => {
                w.start("span", &[("lang", lang), ("xml:lang", lang)])?;
                inlines(w, content)?;
                w.end("span")?;
            }
        }
    }
    Ok(())
}
