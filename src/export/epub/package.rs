//! The package document (`package.opf`, EPUB 3.3): metadata, manifest and spine.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use quick_xml::Writer;

use super::accessibility;
use super::EpubError;
use crate::model::Summary;

/// Where the package document sits in the container.
pub const PATH: &str = "EPUB/package.opf";

/// A file of the publication, listed in the manifest.
pub struct Resource {
    pub id: &'static str,
    /// Relative to the package document.
    pub href: String,
    pub media_type: &'static str,
    /// Manifest properties (`nav`, `cover-image`, ...).
    pub properties: Option<&'static str>,
    pub bytes: Vec<u8>,
    /// Whether the resource is in the reading order.
    pub in_spine: bool,
}

/// A stable identifier: the same summary in the same language always gets the same one,
/// another language another one. A name-based UUID (v5) of the source's id and language.
pub fn identifier(doc: &Summary) -> String {
    let name = format!("polypress:summary:{}:{}", doc.id, doc.lang);
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
    format!("urn:uuid:{uuid}")
}

pub fn package_document(
    doc: &Summary,
    identifier: &str,
    modified: &str,
    resources: &[Resource],
    ncx_id: &str,
) -> Result<Vec<u8>, EpubError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let package = BytesStart::new("package").with_attributes([
        ("xmlns", "http://www.idpf.org/2007/opf"),
        ("version", "3.0"),
        ("unique-identifier", "pub-id"),
        ("xml:lang", doc.lang.as_str()),
    ]);
    w.write_event(Event::Start(package))?;

    w.write_event(Event::Start(
        BytesStart::new("metadata")
            .with_attributes([("xmlns:dc", "http://purl.org/dc/elements/1.1/")]),
    ))?;
    let meta = &doc.meta;
    dc(&mut w, "identifier", Some("pub-id"), identifier)?;
    dc(&mut w, "title", Some("title"), &meta.title)?;
    dc(&mut w, "language", None, &doc.lang)?;
    dc(&mut w, "creator", Some("creator"), &meta.organiser)?;
    dc(&mut w, "publisher", None, &meta.organiser)?;
    property(&mut w, "dcterms:modified", modified)?;
    for (name, value) in accessibility::properties(doc) {
        property(&mut w, name, value)?;
    }
    if let Some(cover) = resources
        .iter()
        .find(|r| r.properties == Some("cover-image"))
    {
        // The EPUB 2 way of naming the cover, which some readers still use for thumbnails.
        w.create_element("meta")
            .with_attributes([("name", "cover"), ("content", cover.id)])
            .write_empty()?;
    }
    w.write_event(Event::End(BytesEnd::new("metadata")))?;

    w.create_element("manifest").write_inner_content(|w| {
        for resource in resources {
            let mut item = w.create_element("item").with_attributes([
                ("id", resource.id),
                ("href", resource.href.as_str()),
                ("media-type", resource.media_type),
            ]);
            if let Some(properties) = resource.properties {
                item = item.with_attribute(("properties", properties));
            }
            item.write_empty()?;
        }
        Ok(())
    })?;

    w.create_element("spine")
        .with_attribute(("toc", ncx_id))
        .write_inner_content(|w| {
            for resource in resources.iter().filter(|r| r.in_spine) {
                w.create_element("itemref")
                    .with_attribute(("idref", resource.id))
                    .write_empty()?;
            }
            Ok(())
        })?;
    w.write_event(Event::End(BytesEnd::new("package")))?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn dc(w: &mut Writer<Vec<u8>>, name: &str, id: Option<&str>, text: &str) -> std::io::Result<()> {
    let name = format!("dc:{name}");
    let mut element = w.create_element(name.as_str());
    if let Some(id) = id {
        element = element.with_attribute(("id", id));
    }
    element.write_text_content(quick_xml::events::BytesText::new(text))?;
    Ok(())
}

fn property(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element("meta")
        .with_attribute(("property", name))
        .write_text_content(quick_xml::events::BytesText::new(value))?;
    Ok(())
}

/// `META-INF/container.xml`: points the reading system at the package document.
pub fn container_xml() -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{PATH}" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"#
    )
    .into_bytes()
}
