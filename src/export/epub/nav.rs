//! Navigation: the EPUB 3 navigation document (table of contents and landmarks) and the
//! NCX that EPUB 2 reading systems still look for.
//!
//! Every label comes from the model: the contents heading from `labels.contents` (else the
//! title), the entries from the headings they point at.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::content::{self, OutlineEntry};
use super::xhtml::{UsedChars, XhtmlWriter};
use super::EpubError;
use crate::model::Summary;

pub const NAV_HREF: &str = "nav.xhtml";
pub const NCX_HREF: &str = "toc.ncx";
const TOC_ID: &str = "toc";

type Result<T = ()> = std::result::Result<T, EpubError>;

/// The heading of the table of contents.
pub fn contents_label(doc: &Summary) -> &str {
    doc.meta
        .labels
        .contents
        .as_deref()
        .unwrap_or(&doc.meta.title)
}

/// The entries of the table of contents: the title block (under the short title), then the
/// document's outline.
pub fn toc_entries(doc: &Summary, outline: &[OutlineEntry]) -> Vec<OutlineEntry> {
    let mut entries = vec![OutlineEntry {
        label: doc.short_title().to_string(),
        id: content::TITLE_ID.to_string(),
        children: Vec::new(),
    }];
    entries.extend_from_slice(outline);
    entries
}

pub fn nav_document(
    doc: &Summary,
    entries: &[OutlineEntry],
    stylesheet_href: &str,
    cover_href: &str,
) -> Result<(Vec<u8>, UsedChars)> {
    let label = contents_label(doc);
    let mut w = XhtmlWriter::begin(&doc.lang, label, Some(stylesheet_href))?;
    w.start(
        "nav",
        &[
            ("epub:type", "toc"),
            ("role", "doc-toc"),
            ("id", TOC_ID),
            ("aria-labelledby", "toc-heading"),
        ],
    )?;
    w.newline()?;
    w.element("h1", &[("id", "toc-heading")], label)?;
    w.newline()?;
    toc_list(&mut w, entries)?;
    w.end("nav")?;
    w.newline()?;

    // Landmarks are for the reading system's menus, not for reading: hidden.
    w.start(
        "nav",
        &[
            ("epub:type", "landmarks"),
            ("id", "landmarks"),
            ("hidden", "hidden"),
        ],
    )?;
    w.newline()?;
    w.start("ol", &[])?;
    w.newline()?;
    let toc_href = format!("{NAV_HREF}#{TOC_ID}");
    let body_href = format!("{}#{}", content::HREF, content::TITLE_ID);
    let landmarks = [
        ("cover", cover_href, doc.short_title()),
        ("toc", toc_href.as_str(), label),
        ("bodymatter", body_href.as_str(), doc.meta.title.as_str()),
    ];
    for (kind, href, text) in landmarks {
        w.start("li", &[])?;
        w.element("a", &[("epub:type", kind), ("href", href)], text)?;
        w.end("li")?;
        w.newline()?;
    }
    w.end("ol")?;
    w.newline()?;
    w.end("nav")?;
    w.newline()?;
    w.finish()
}

fn toc_list(w: &mut XhtmlWriter, entries: &[OutlineEntry]) -> Result {
    w.start("ol", &[])?;
    w.newline()?;
    for entry in entries {
        w.start("li", &[])?;
        let href = format!("{}#{}", content::HREF, entry.id);
        w.element("a", &[("href", &href)], &entry.label)?;
        if !entry.children.is_empty() {
            w.newline()?;
            toc_list(w, &entry.children)?;
        }
        w.end("li")?;
        w.newline()?;
    }
    w.end("ol")?;
    w.newline()
}

/// The NCX (EPUB 2 table of contents), with the same entries as the navigation document.
pub fn ncx(doc: &Summary, identifier: &str, entries: &[OutlineEntry]) -> Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let root = BytesStart::new("ncx").with_attributes([
        ("xmlns", "http://www.daisy.org/z3986/2005/ncx/"),
        ("version", "2005-1"),
        ("xml:lang", doc.lang.as_str()),
    ]);
    w.write_event(Event::Start(root))?;
    let depth = if entries.iter().any(|e| !e.children.is_empty()) {
        "2"
    } else {
        "1"
    };
    w.create_element("head").write_inner_content(|w| {
        for (name, content) in [
            ("dtb:uid", identifier),
            ("dtb:depth", depth),
            ("dtb:totalPageCount", "0"),
            ("dtb:maxPageNumber", "0"),
        ] {
            w.create_element("meta")
                .with_attributes([("name", name), ("content", content)])
                .write_empty()?;
        }
        Ok(())
    })?;
    w.create_element("docTitle").write_inner_content(|w| {
        w.create_element("text")
            .write_text_content(BytesText::new(&doc.meta.title))?;
        Ok(())
    })?;
    w.write_event(Event::Start(BytesStart::new("navMap")))?;
    let mut play_order = 0;
    nav_points(&mut w, entries, &mut play_order)?;
    w.write_event(Event::End(BytesEnd::new("navMap")))?;
    w.write_event(Event::End(BytesEnd::new("ncx")))?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn nav_points(
    w: &mut Writer<Vec<u8>>,
    entries: &[OutlineEntry],
    play_order: &mut usize,
) -> std::io::Result<()> {
    for entry in entries {
        *play_order += 1;
        let id = format!("navpoint-{play_order}");
        let order = play_order.to_string();
        let src = format!("{}#{}", content::HREF, entry.id);
        w.write_event(Event::Start(BytesStart::new("navPoint").with_attributes([
            ("id", id.as_str()),
            ("playOrder", order.as_str()),
        ])))?;
        w.create_element("navLabel").write_inner_content(|w| {
            w.create_element("text")
                .write_text_content(BytesText::new(&entry.label))?;
            Ok(())
        })?;
        w.create_element("content")
            .with_attribute(("src", src.as_str()))
            .write_empty()?;
        nav_points(w, &entry.children, play_order)?;
        w.write_event(Event::End(BytesEnd::new("navPoint")))?;
    }
    Ok(())
}
