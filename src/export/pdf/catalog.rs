//! What printpdf 0.12.8 cannot write, added to its lopdf document before saving.
//!
//! printpdf writes pages, subset fonts with ToUnicode maps, link annotations and marked
//! content, but it has no API for: the catalog's `/Lang`; XMP metadata (it writes XMP only for
//! PDF/X and PDF/A, with a random instance id); a structure tree (`/StructTreeRoot`,
//! `/MarkInfo`, `/StructParents`, annotations as structure children); a nested outline (its
//! bookmarks are flat); a stable `/ID` (random on every save); and an Info dictionary without
//! its PDF/X leftovers. This module fills exactly those gaps, in one place.

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

use super::render::{OutlineEntry, Rendered};
use super::structure::{Kid, StructTree};
use crate::date::Timestamp;
use crate::model::Summary;

/// A PDF text string: UTF-16BE with a byte-order mark, so any script survives.
fn text(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn ascii(s: &str) -> Object {
    Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

pub struct Finish<'a> {
    pub doc: &'a Summary,
    pub timestamp: Timestamp,
    pub tree: &'a StructTree,
    pub rendered: &'a Rendered,
    /// A digest of what the file shows, for `/ID` and the XMP document id.
    pub digest: [u8; 32],
}

pub fn complete(pdf: &mut lopdf::Document, f: &Finish) -> Result<(), String> {
    let root_id = pdf
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| format!("no catalog: {e}"))?;
    let pages: Vec<ObjectId> = pdf.get_pages().into_values().collect();
    let page_count = pages.len();

    // Annotations: printpdf writes them inline; the structure tree needs them as objects.
    let mut annotation_ids: Vec<Vec<ObjectId>> = Vec::with_capacity(page_count);
    let mut next_key = page_count as i64;
    let mut link_parents: Vec<(i64, usize)> = Vec::new();
    for (index, page_id) in pages.iter().enumerate() {
        let inline: Vec<Object> = pdf
            .get_object(*page_id)
            .and_then(Object::as_dict)
            .and_then(|d| d.get(b"Annots"))
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default();
        let links = f
            .rendered
            .annotations
            .get(index)
            .cloned()
            .unwrap_or_default();
        let mut ids = Vec::new();
        for (k, annotation) in inline.into_iter().enumerate() {
            let Object::Dictionary(mut dict) = annotation else {
                continue;
            };
            dict.set("P", Object::Reference(*page_id));
            dict.set("F", Object::Integer(4));
            if let Some((elem, href)) = links.get(k) {
                dict.set("StructParent", Object::Integer(next_key));
                dict.set("Contents", text(f.rendered.link_description(*elem, href)));
                link_parents.push((next_key, *elem));
                next_key += 1;
            }
            ids.push(pdf.add_object(dict));
        }
        let page = pdf
            .get_object_mut(*page_id)
            .and_then(Object::as_dict_mut)
            .map_err(|e| format!("page {index}: {e}"))?;
        page.set(
            "Annots",
            Object::Array(ids.iter().map(|id| Object::Reference(*id)).collect()),
        );
        page.set("StructParents", Object::Integer(index as i64));
        page.set("Tabs", name("S"));
        annotation_ids.push(ids);
    }

    // The structure tree.
    let tree_root_id = pdf.new_object_id();
    let elem_ids: Vec<Option<ObjectId>> = f
        .tree
        .elems
        .iter()
        .enumerate()
        .map(|(i, _)| (i == StructTree::ROOT || f.tree.is_attached(i)).then(|| pdf.new_object_id()))
        .collect();
    for (i, elem) in f.tree.elems.iter().enumerate() {
        let Some(id) = elem_ids[i] else { continue };
        let parent = if i == StructTree::ROOT {
            tree_root_id
        } else {
            elem_ids
                .get(elem.parent)
                .copied()
                .flatten()
                .unwrap_or(tree_root_id)
        };
        // The element's page is that of its first marked content: its marked content on
        // that page is named by MCID alone (ISO 32000-1 §14.7.4.2), the rest by a marked-
        // content reference. Most elements lie on one page, and a long document has 10^5
        // of them: a dictionary for each kid would double the tree.
        let own_page = elem.kids.iter().find_map(|kid| match *kid {
            Kid::Content { page, .. } => pages.get(page).copied(),
            _ => None,
        });
        let kids: Vec<Object> = elem
            .kids
            .iter()
            .filter_map(|kid| match *kid {
                Kid::Elem(e) => elem_ids.get(e).copied().flatten().map(Object::Reference),
                Kid::Content { page, mcid } if pages.get(page).copied() == own_page => {
                    own_page.map(|_| Object::Integer(mcid as i64))
                }
                Kid::Content { page, mcid } => pages.get(page).map(|pg| {
                    Object::Dictionary(Dictionary::from_iter(vec![
                        ("Type", name("MCR")),
                        ("Pg", Object::Reference(*pg)),
                        ("MCID", Object::Integer(mcid as i64)),
                    ]))
                }),
                Kid::Annotation { page, index } => annotation_ids
                    .get(page)
                    .and_then(|ids| ids.get(index))
                    .map(|annot| {
                        Object::Dictionary(Dictionary::from_iter(vec![
                            ("Type", name("OBJR")),
                            ("Pg", Object::Reference(pages[page])),
                            ("Obj", Object::Reference(*annot)),
                        ]))
                    }),
            })
            .collect();
        let mut dict = Dictionary::from_iter(vec![
            ("Type", name("StructElem")),
            ("S", name(elem.role.name())),
            ("P", Object::Reference(parent)),
            ("K", Object::Array(kids)),
        ]);
        if let Some(page) = own_page {
            dict.set("Pg", Object::Reference(page));
        }
        if let Some(href) = &elem.alt {
            // A link is described as the reader sees it ("@innastus"), like its annotation.
            dict.set("Alt", text(f.rendered.link_description(i, href)));
        }
        if let Some(lang) = &elem.lang {
            dict.set("Lang", text(lang));
        }
        pdf.objects.insert(id, Object::Dictionary(dict));
    }
    let mut nums = Vec::new();
    for (page, marked) in f.rendered.marked.iter().enumerate() {
        let refs: Vec<Object> = marked
            .iter()
            .map(|e| {
                elem_ids
                    .get(*e)
                    .copied()
                    .flatten()
                    .map(Object::Reference)
                    .unwrap_or(Object::Null)
            })
            .collect();
        nums.push(Object::Integer(page as i64));
        nums.push(Object::Array(refs));
    }
    for (key, elem) in &link_parents {
        if let Some(id) = elem_ids.get(*elem).copied().flatten() {
            nums.push(Object::Integer(*key));
            nums.push(Object::Reference(id));
        }
    }
    let parent_tree = pdf.add_object(Dictionary::from_iter(vec![("Nums", Object::Array(nums))]));
    let document_elem = elem_ids[StructTree::ROOT].unwrap_or(tree_root_id);
    pdf.objects.insert(
        tree_root_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", name("StructTreeRoot")),
            ("K", Object::Array(vec![Object::Reference(document_elem)])),
            ("ParentTree", Object::Reference(parent_tree)),
            ("ParentTreeNextKey", Object::Integer(next_key)),
        ])),
    );

    let outline = outline(pdf, &pages, &f.rendered.outline);
    let metadata = pdf.add_object(Stream::new(
        Dictionary::from_iter(vec![("Type", name("Metadata")), ("Subtype", name("XML"))]),
        xmp(f).into_bytes(),
    ));

    let catalog = pdf
        .get_object_mut(root_id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| format!("catalog: {e}"))?;
    catalog.set("Lang", ascii(&f.doc.lang));
    catalog.set(
        "MarkInfo",
        Object::Dictionary(Dictionary::from_iter(vec![(
            "Marked",
            Object::Boolean(true),
        )])),
    );
    catalog.set("StructTreeRoot", Object::Reference(tree_root_id));
    catalog.set("Metadata", Object::Reference(metadata));
    catalog.set(
        "ViewerPreferences",
        Object::Dictionary(Dictionary::from_iter(vec![(
            "DisplayDocTitle",
            Object::Boolean(true),
        )])),
    );
    if let Some(outline) = outline {
        catalog.set("Outlines", Object::Reference(outline));
        catalog.set("PageMode", name("UseOutlines"));
    }

    let meta = &f.doc.meta;
    let date = f.timestamp.pdf_date();
    let info = pdf.add_object(Dictionary::from_iter(vec![
        ("Title", text(&meta.title)),
        ("Author", text(&meta.organiser)),
        ("Subject", text(&meta.event)),
        ("Creator", ascii("polypress")),
        ("Producer", ascii("polypress with printpdf 0.12.8")),
        ("CreationDate", ascii(&date)),
        ("ModDate", ascii(&date)),
    ]));
    pdf.trailer.set("Info", Object::Reference(info));
    let id = Object::String(f.digest[..16].to_vec(), StringFormat::Hexadecimal);
    pdf.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    Ok(())
}

/// A nested outline: level-1 headings at the top, level-2 entries under the level-1 entry
/// before them.
fn outline(
    pdf: &mut lopdf::Document,
    pages: &[ObjectId],
    entries: &[OutlineEntry],
) -> Option<ObjectId> {
    if entries.is_empty() {
        return None;
    }
    let root = pdf.new_object_id();
    // (entry index, children)
    let mut top: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match top.last_mut() {
            Some((_, children)) if entry.level > 1 => children.push(i),
            _ => top.push((i, Vec::new())),
        }
    }
    let ids: Vec<ObjectId> = entries.iter().map(|_| pdf.new_object_id()).collect();
    let dest = |e: &OutlineEntry| {
        let page = pages.get(e.page).or(pages.first()).copied();
        Object::Array(vec![
            page.map(Object::Reference).unwrap_or(Object::Null),
            name("XYZ"),
            Object::Null,
            Object::Real(e.y),
            Object::Null,
        ])
    };
    let write_level =
        |pdf: &mut lopdf::Document, parent: ObjectId, items: &[(usize, Vec<usize>)]| {
            for (n, (i, children)) in items.iter().enumerate() {
                let mut dict = Dictionary::from_iter(vec![
                    ("Title", text(&entries[*i].title)),
                    ("Parent", Object::Reference(parent)),
                    ("Dest", dest(&entries[*i])),
                ]);
                if n > 0 {
                    dict.set("Prev", Object::Reference(ids[items[n - 1].0]));
                }
                if let Some(next) = items.get(n + 1) {
                    dict.set("Next", Object::Reference(ids[next.0]));
                }
                if let (Some(first), Some(last)) = (children.first(), children.last()) {
                    dict.set("First", Object::Reference(ids[*first]));
                    dict.set("Last", Object::Reference(ids[*last]));
                    dict.set("Count", Object::Integer(children.len() as i64));
                }
                for (m, c) in children.iter().enumerate() {
                    let mut child = Dictionary::from_iter(vec![
                        ("Title", text(&entries[*c].title)),
                        ("Parent", Object::Reference(ids[*i])),
                        ("Dest", dest(&entries[*c])),
                    ]);
                    if m > 0 {
                        child.set("Prev", Object::Reference(ids[children[m - 1]]));
                    }
                    if let Some(next) = children.get(m + 1) {
                        child.set("Next", Object::Reference(ids[*next]));
                    }
                    pdf.objects.insert(ids[*c], Object::Dictionary(child));
                }
                pdf.objects.insert(ids[*i], Object::Dictionary(dict));
            }
        };
    write_level(pdf, root, &top);
    let (first, last) = (top.first()?.0, top.last()?.0);
    pdf.objects.insert(
        root,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", name("Outlines")),
            ("First", Object::Reference(ids[first])),
            ("Last", Object::Reference(ids[last])),
            ("Count", Object::Integer(entries.len() as i64)),
        ])),
    );
    Some(root)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xmp(f: &Finish) -> String {
    let meta = &f.doc.meta;
    let lang = escape(&f.doc.lang);
    let date = f.timestamp.iso8601();
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &f.digest).to_string();
    format!(
        r#"<?xpacket begin="﻿" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li><rdf:li xml:lang="{lang}">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{event}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
<xmp:MetadataDate>{date}</xmp:MetadataDate>
<xmp:CreatorTool>polypress</xmp:CreatorTool>
<pdf:Producer>polypress with printpdf 0.12.8</pdf:Producer>
<xmpMM:DocumentID>uuid:{uuid}</xmpMM:DocumentID>
<xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"#,
        title = escape(&meta.title),
        author = escape(&meta.organiser),
        event = escape(&meta.event),
    )
}
