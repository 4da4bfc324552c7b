//! PDF/UA-1 failure conditions (Matterhorn Protocol 1.1) that a machine can check, measured
//! on every source's written PDF with lopdf: the content streams, the structure tree, the
//! annotations and the metadata as a PDF/UA checker reads them. See docs/pdf-ua.md for
//! which condition each test covers.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use polypress::export::Format;
use polypress::pipeline;

struct Built {
    _dir: tempfile::TempDir,
    /// (language, the PDF as lopdf reads it)
    pdfs: Vec<(String, Document)>,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let sources = common::source_files();
        let (dir, report) = common::build_into(sources.clone(), &[Format::Pdf]);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        let pdfs = sources
            .iter()
            .map(|path| {
                let summary = pipeline::load_source(path).expect("source loads").summary;
                let pdf: PathBuf = dir
                    .path()
                    .join(pipeline::output_path(&summary, Format::Pdf));
                let doc = Document::load(&pdf).expect("lopdf reads the PDF");
                (summary.lang.clone(), doc)
            })
            .collect();
        Built { _dir: dir, pdfs }
    })
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        other => other,
    }
}

fn dict<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    deref(doc, object).as_dict().ok()
}

fn name_of(d: &Dictionary, key: &[u8]) -> Option<String> {
    d.get(key)
        .and_then(Object::as_name)
        .ok()
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

/// A PDF text string (UTF-16BE with byte-order mark, or PDFDocEncoding taken as Latin-1).
fn text_string(object: &Object) -> Option<String> {
    let bytes = object.as_str().ok()?;
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16(&units).ok();
    }
    Some(bytes.iter().map(|&b| char::from(b)).collect())
}

fn catalog(doc: &Document) -> &Dictionary {
    doc.catalog().expect("catalog")
}

/// One structure element of the written tree.
struct Element {
    id: ObjectId,
    role: String,
    /// The roles of the element's child elements, in order.
    child_roles: Vec<String>,
    /// (page, MCID) of each marked-content reference among its kids.
    mcids: Vec<(ObjectId, i64)>,
    /// The annotation of each object reference among its kids.
    objects: Vec<ObjectId>,
    alt: Option<String>,
}

/// The structure tree in reading order (depth first), from `/StructTreeRoot`.
fn elements(doc: &Document) -> Vec<Element> {
    let root = catalog(doc)
        .get(b"StructTreeRoot")
        .ok()
        .and_then(|r| dict(doc, r))
        .expect("a /StructTreeRoot");
    let mut out = Vec::new();
    let mut stack: Vec<ObjectId> = kids(root)
        .iter()
        .rev()
        .filter_map(|k| k.as_reference().ok())
        .collect();
    while let Some(id) = stack.pop() {
        let elem = doc.get_dictionary(id).expect("structure element");
        let page = elem.get(b"Pg").and_then(Object::as_reference).ok();
        let mut element = Element {
            id,
            role: name_of(elem, b"S").unwrap_or_default(),
            child_roles: Vec::new(),
            mcids: Vec::new(),
            objects: Vec::new(),
            alt: elem.get(b"Alt").ok().and_then(text_string),
        };
        let mut children = Vec::new();
        for kid in kids(elem) {
            match kid {
                Object::Integer(mcid) => element
                    .mcids
                    .push((page.expect("/Pg for an MCID kid"), mcid)),
                Object::Reference(child) => {
                    let d = doc.get_dictionary(child).expect("kid");
                    children.push(child);
                    element
                        .child_roles
                        .push(name_of(d, b"S").unwrap_or_default());
                }
                Object::Dictionary(d) => {
                    let kid_page = d.get(b"Pg").and_then(Object::as_reference).ok().or(page);
                    match name_of(&d, b"Type").as_deref() {
                        Some("MCR") => element.mcids.push((
                            kid_page.expect("/Pg of an MCR"),
                            d.get(b"MCID").and_then(Object::as_i64).expect("/MCID"),
                        )),
                        Some("OBJR") => element
                            .objects
                            .push(d.get(b"Obj").and_then(Object::as_reference).expect("/Obj")),
                        other => panic!("unexpected kid type {other:?} in {id:?}"),
                    }
                }
                other => panic!("unexpected kid {other:?} in {id:?}"),
            }
        }
        stack.extend(children.into_iter().rev());
        out.push(element);
    }
    out
}

fn kids(d: &Dictionary) -> Vec<Object> {
    match d.get(b"K") {
        Ok(Object::Array(items)) => items.clone(),
        Ok(other) => vec![other.clone()],
        Err(_) => Vec::new(),
    }
}

/// What one page's content stream marks.
#[derive(Default)]
struct PageMarks {
    /// MCIDs of the page's marked-content sequences, with repeats.
    mcids: Vec<i64>,
    /// Painting operators outside both an Artifact and an MCID sequence.
    untagged: Vec<String>,
    /// MCIDs opened inside an Artifact (content that is both).
    tagged_in_artifact: Vec<i64>,
    /// Artifacts opened inside an MCID sequence (an artifact within real content).
    artifacts_in_tagged: usize,
    /// Per Artifact, its property list's /Type and /Subtype, and whether it shows text.
    artifacts: Vec<(Option<String>, Option<String>, bool)>,
}

const PAINTING: &[&str] = &[
    "Tj", "TJ", "'", "\"", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI",
];

fn page_marks(doc: &Document, page: ObjectId) -> PageMarks {
    let content = Content::decode(&doc.get_page_content(page)).expect("content stream parses");
    let mut marks = PageMarks::default();
    // Per open sequence: whether it is an Artifact, whether it has an MCID, its artifact index.
    let mut open: Vec<(bool, bool, Option<usize>)> = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "BMC" | "BDC" => {
                let tag = op.operands.first().and_then(|o| o.as_name().ok());
                let properties = op.operands.get(1).and_then(|o| dict(doc, o));
                let mcid = properties.and_then(|p| p.get(b"MCID").and_then(Object::as_i64).ok());
                let is_artifact = tag == Some(b"Artifact".as_slice());
                let mut artifact = None;
                if is_artifact {
                    if open.iter().any(|o| o.1) {
                        marks.artifacts_in_tagged += 1;
                    }
                    marks.artifacts.push((
                        properties.and_then(|p| name_of(p, b"Type")),
                        properties.and_then(|p| name_of(p, b"Subtype")),
                        false,
                    ));
                    artifact = Some(marks.artifacts.len() - 1);
                }
                if let Some(mcid) = mcid {
                    marks.mcids.push(mcid);
                    if open.iter().any(|o| o.0) {
                        marks.tagged_in_artifact.push(mcid);
                    }
                }
                open.push((is_artifact, mcid.is_some(), artifact));
            }
            "EMC" => {
                open.pop().expect("EMC closes a sequence");
            }
            operator if PAINTING.contains(&operator) => {
                if !open.iter().any(|o| o.0 || o.1) {
                    marks.untagged.push(operator.to_string());
                }
                if matches!(operator, "Tj" | "TJ" | "'" | "\"") {
                    if let Some(index) = open.iter().rev().find_map(|o| o.2) {
                        marks.artifacts[index].2 = true;
                    }
                }
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "a marked-content sequence is left open");
    marks
}

/// 01-005 (no content is neither Artifact nor tagged), 01-003/01-004 (no artifact inside
/// tagged content and no tagged content inside an artifact), 01-007 (no /Suspects true);
/// each MCID on a page belongs to exactly one structure element, every MCID the tree names
/// is on its page, and the ParentTree maps each page's MCIDs back to that element.
#[test]
fn all_content_is_an_artifact_or_tagged_exactly_once() {
    for (lang, doc) in &built().pdfs {
        let mark_info = catalog(doc)
            .get(b"MarkInfo")
            .ok()
            .and_then(|m| dict(doc, m))
            .expect("/MarkInfo");
        assert_eq!(
            mark_info.get(b"Marked").and_then(Object::as_bool).ok(),
            Some(true),
            "{lang}: /MarkInfo /Marked"
        );
        assert_ne!(
            mark_info.get(b"Suspects").and_then(Object::as_bool).ok(),
            Some(true),
            "{lang}: /MarkInfo /Suspects true (01-007)"
        );
        let elements = elements(doc);
        let mut owners: BTreeMap<(ObjectId, i64), Vec<ObjectId>> = BTreeMap::new();
        for e in &elements {
            for &key in &e.mcids {
                owners.entry(key).or_default().push(e.id);
            }
        }
        let parent_tree = parent_tree(doc);
        for (number, page) in doc.get_pages() {
            let marks = page_marks(doc, page);
            assert!(
                marks.untagged.is_empty(),
                "{lang} page {number}: content neither tagged nor an artifact: {:?}",
                marks.untagged
            );
            assert_eq!(
                marks.artifacts_in_tagged, 0,
                "{lang} page {number}: artifacts inside tagged content (01-003)"
            );
            assert!(
                marks.tagged_in_artifact.is_empty(),
                "{lang} page {number}: MCIDs inside an artifact: {:?}",
                marks.tagged_in_artifact
            );
            let on_page: BTreeSet<i64> = marks.mcids.iter().copied().collect();
            assert_eq!(
                on_page.len(),
                marks.mcids.len(),
                "{lang} page {number}: an MCID is used twice"
            );
            let struct_parents = doc
                .get_dictionary(page)
                .and_then(|p| p.get(b"StructParents"))
                .and_then(Object::as_i64)
                .expect("/StructParents on a page with content");
            let parents = parent_tree
                .get(&struct_parents)
                .and_then(|o| deref(doc, o).as_array().ok())
                .expect("the page's ParentTree entry");
            for mcid in &on_page {
                let owner = owners.get(&(page, *mcid));
                assert_eq!(
                    owner.map(Vec::len),
                    Some(1),
                    "{lang} page {number}: MCID {mcid} belongs to {owner:?} elements"
                );
                assert_eq!(
                    parents
                        .get(*mcid as usize)
                        .and_then(|o| o.as_reference().ok()),
                    owner.map(|o| o[0]),
                    "{lang} page {number}: the ParentTree misnames MCID {mcid}'s element"
                );
            }
            let named: BTreeSet<i64> = owners
                .keys()
                .filter(|(p, _)| *p == page)
                .map(|(_, m)| *m)
                .collect();
            assert_eq!(
                named, on_page,
                "{lang} page {number}: the tree names MCIDs the page lacks or misses some"
            );
        }
    }
}

/// The ParentTree's /Nums (flat: the handout's tree is small enough for one node).
fn parent_tree(doc: &Document) -> BTreeMap<i64, Object> {
    let root = catalog(doc)
        .get(b"StructTreeRoot")
        .ok()
        .and_then(|r| dict(doc, r))
        .expect("a /StructTreeRoot");
    let tree = root
        .get(b"ParentTree")
        .ok()
        .and_then(|r| dict(doc, r))
        .expect("a /ParentTree");
    let nums = tree.get(b"Nums").and_then(Object::as_array).expect("/Nums");
    nums.chunks(2)
        .filter_map(|pair| Some((pair[0].as_i64().ok()?, pair.get(1)?.clone())))
        .collect()
}

/// 02-001..02-004: only standard structure types, or types the role map maps to one.
#[test]
fn structure_types_are_standard_or_role_mapped() {
    const STANDARD: &[&str] = &[
        "Document",
        "Part",
        "Art",
        "Sect",
        "Div",
        "BlockQuote",
        "Caption",
        "TOC",
        "TOCI",
        "Index",
        "NonStruct",
        "Private",
        "H",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "P",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "THead",
        "TBody",
        "TFoot",
        "Span",
        "Quote",
        "Note",
        "Reference",
        "BibEntry",
        "Code",
        "Link",
        "Annot",
        "Ruby",
        "RB",
        "RT",
        "RP",
        "Warichu",
        "WT",
        "WP",
        "Figure",
        "Formula",
        "Form",
    ];
    for (lang, doc) in &built().pdfs {
        let root = catalog(doc)
            .get(b"StructTreeRoot")
            .ok()
            .and_then(|r| dict(doc, r))
            .expect("a /StructTreeRoot");
        let role_map = root.get(b"RoleMap").ok().and_then(|r| dict(doc, r));
        let elements = elements(doc);
        assert!(elements.len() > 10, "{lang}: a tree of {}", elements.len());
        for e in &elements {
            let mapped = role_map
                .and_then(|m| name_of(m, e.role.as_bytes()))
                .unwrap_or_else(|| e.role.clone());
            assert!(
                STANDARD.contains(&mapped.as_str()),
                "{lang}: structure type /{} is neither standard nor role-mapped to one",
                e.role
            );
            if let Some(map) = role_map {
                assert!(
                    !STANDARD.contains(&e.role.as_str()) || map.get(e.role.as_bytes()).is_err(),
                    "{lang}: the standard type /{} is remapped (02-003)",
                    e.role
                );
            }
        }
    }
}

/// 14-002 (the first heading is H1), 14-003 (no level is skipped going down), and
/// numbered headings only (no unnumbered /H beside them).
#[test]
fn heading_levels_start_at_one_and_never_skip() {
    for (lang, doc) in &built().pdfs {
        let elements = elements(doc);
        assert!(
            elements.iter().all(|e| e.role != "H"),
            "{lang}: an unnumbered /H among numbered headings"
        );
        let levels: Vec<u32> = elements
            .iter()
            .filter_map(|e| e.role.strip_prefix('H')?.parse().ok())
            .collect();
        assert!(levels.len() > 3, "{lang}: headings {levels:?}");
        assert_eq!(levels[0], 1, "{lang}: the first heading is H{}", levels[0]);
        for pair in levels.windows(2) {
            assert!(
                pair[1] <= pair[0] + 1,
                "{lang}: H{} follows H{} (a level is skipped): {levels:?}",
                pair[1],
                pair[0]
            );
        }
    }
}

/// 16-001..16-003: L holds only LI (or a nested L), LI only Lbl and LBody.
#[test]
fn lists_hold_items_and_items_hold_label_and_body() {
    for (lang, doc) in &built().pdfs {
        let elements = elements(doc);
        let lists: Vec<&Element> = elements.iter().filter(|e| e.role == "L").collect();
        assert!(!lists.is_empty(), "{lang}: no list");
        for e in &elements {
            match e.role.as_str() {
                "L" => {
                    assert!(
                        !e.child_roles.is_empty()
                            && e.child_roles.iter().all(|r| r == "LI" || r == "L")
                            && e.mcids.is_empty(),
                        "{lang}: L {:?} holds {:?} and {} content items",
                        e.id,
                        e.child_roles,
                        e.mcids.len()
                    );
                }
                "LI" => {
                    assert!(
                        e.child_roles.iter().any(|r| r == "LBody")
                            && e.child_roles.iter().all(|r| r == "Lbl" || r == "LBody")
                            && e.mcids.is_empty(),
                        "{lang}: LI {:?} holds {:?} and {} content items",
                        e.id,
                        e.child_roles,
                        e.mcids.len()
                    );
                }
                _ => {}
            }
        }
        for e in &elements {
            if matches!(e.role.as_str(), "LI" | "Lbl" | "LBody") {
                let parent_role = elements
                    .iter()
                    .find(|p| p.child_roles.contains(&e.role) && p.id != e.id && holds(doc, p, e))
                    .map(|p| p.role.as_str());
                let expected = if e.role == "LI" { "L" } else { "LI" };
                assert_eq!(parent_role, Some(expected), "{lang}: {} {:?}", e.role, e.id);
            }
        }
    }
}

fn holds(doc: &Document, parent: &Element, child: &Element) -> bool {
    doc.get_dictionary(parent.id)
        .map(|d| {
            kids(d)
                .iter()
                .any(|k| k.as_reference().ok() == Some(child.id))
        })
        .unwrap_or(false)
}

/// 18-001/18-002 with PDF 32000-1 14.8.2.2.2: the running footer is a pagination artifact,
/// on every page, and none of its text is tagged.
#[test]
fn running_footer_is_a_pagination_artifact() {
    for (lang, doc) in &built().pdfs {
        for (number, page) in doc.get_pages() {
            let marks = page_marks(doc, page);
            let footers: Vec<_> = marks
                .artifacts
                .iter()
                .filter(|(kind, subtype, text)| {
                    kind.as_deref() == Some("Pagination")
                        && subtype.as_deref() == Some("Footer")
                        && *text
                })
                .collect();
            assert_eq!(
                footers.len(),
                1,
                "{lang} page {number}: pagination footers {:?}",
                marks.artifacts
            );
        }
    }
}

/// 07-001: the viewer's title bar shows the document's title, not the file name.
#[test]
fn viewer_preferences_display_the_document_title() {
    for (lang, doc) in &built().pdfs {
        let display = catalog(doc)
            .get(b"ViewerPreferences")
            .ok()
            .and_then(|v| dict(doc, v))
            .and_then(|v| v.get(b"DisplayDocTitle").ok())
            .and_then(|b| b.as_bool().ok());
        assert_eq!(display, Some(true), "{lang}: /DisplayDocTitle");
    }
}

/// 06-001/06-003/06-004 and 07-002: XMP metadata with dc:title, the same title as the
/// Info dictionary's, which is not empty.
#[test]
fn xmp_title_is_present_and_equals_the_info_title() {
    for (lang, doc) in &built().pdfs {
        let stream = catalog(doc)
            .get(b"Metadata")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_object(id))
            .and_then(Object::as_stream)
            .expect("an XMP metadata stream in the catalog");
        let xml = String::from_utf8(
            stream
                .decompressed_content()
                .unwrap_or(stream.content.clone()),
        )
        .expect("UTF-8 XMP");
        let title_block = xml
            .split_once("<dc:title>")
            .and_then(|(_, rest)| rest.split_once("</dc:title>"))
            .map(|(block, _)| block)
            .unwrap_or_else(|| panic!("{lang}: XMP has no dc:title"));
        let default = title_block
            .split_once(r#"<rdf:li xml:lang="x-default">"#)
            .and_then(|(_, rest)| rest.split_once("</rdf:li>"))
            .map(|(t, _)| unescape(t))
            .unwrap_or_else(|| panic!("{lang}: dc:title has no x-default entry"));
        let info = doc
            .trailer
            .get(b"Info")
            .ok()
            .and_then(|i| dict(doc, i))
            .expect("an Info dictionary");
        let info_title = info
            .get(b"Title")
            .ok()
            .and_then(text_string)
            .expect("an Info /Title");
        assert!(!info_title.trim().is_empty(), "{lang}: empty title");
        assert_eq!(default, info_title, "{lang}: XMP dc:title and Info /Title");
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Checkpoint 28: each Link element reaches its annotation through an OBJR, each link
/// annotation is reached by exactly one element, has a /StructParent the ParentTree maps
/// back to that element, and has /Contents; the element's /Alt says the same as the
/// annotation (what the reader sees, such as "@innastus", not the address); pages with
/// annotations have /Tabs /S.
#[test]
fn link_elements_reach_their_annotations_which_say_what_they_show() {
    for (lang, doc) in &built().pdfs {
        let elements = elements(doc);
        let parent_tree = parent_tree(doc);
        let mut reached: BTreeMap<ObjectId, usize> = BTreeMap::new();
        let links: Vec<&Element> = elements.iter().filter(|e| e.role == "Link").collect();
        assert!(!links.is_empty(), "{lang}: no Link element");
        for link in &links {
            assert!(
                !link.objects.is_empty(),
                "{lang}: Link {:?} has no OBJR",
                link.id
            );
            for annot_id in &link.objects {
                *reached.entry(*annot_id).or_default() += 1;
                let annot = doc
                    .get_dictionary(*annot_id)
                    .expect("the OBJR's annotation");
                assert_eq!(name_of(annot, b"Subtype").as_deref(), Some("Link"));
                let contents = annot
                    .get(b"Contents")
                    .ok()
                    .and_then(text_string)
                    .unwrap_or_default();
                assert!(
                    !contents.trim().is_empty(),
                    "{lang}: link annotation {annot_id:?} has no /Contents"
                );
                let key = annot
                    .get(b"StructParent")
                    .and_then(Object::as_i64)
                    .expect("/StructParent");
                assert_eq!(
                    parent_tree.get(&key).and_then(|o| o.as_reference().ok()),
                    Some(link.id),
                    "{lang}: the ParentTree misnames annotation {annot_id:?}'s element"
                );
                let uri = annot
                    .get(b"A")
                    .ok()
                    .and_then(|a| dict(doc, a))
                    .and_then(|a| a.get(b"URI").ok())
                    .and_then(text_string)
                    .unwrap_or_default();
                let alt = link.alt.clone().unwrap_or_default();
                assert_eq!(
                    alt, contents,
                    "{lang}: Link /Alt and its annotation's /Contents (address {uri})"
                );
            }
        }
        for (_, page) in doc.get_pages() {
            let annots = doc
                .get_dictionary(page)
                .and_then(|p| p.get(b"Annots"))
                .and_then(Object::as_array)
                .cloned()
                .unwrap_or_default();
            if !annots.is_empty() {
                let tabs = doc
                    .get_dictionary(page)
                    .ok()
                    .and_then(|p| name_of(p, b"Tabs"));
                assert_eq!(
                    tabs.as_deref(),
                    Some("S"),
                    "{lang}: a page with annotations lacks /Tabs /S"
                );
            }
            for annot in annots {
                let id = annot.as_reference().expect("annotations are objects");
                let is_link = doc
                    .get_dictionary(id)
                    .is_ok_and(|a| name_of(a, b"Subtype").as_deref() == Some("Link"));
                if is_link {
                    assert_eq!(
                        reached.get(&id),
                        Some(&1),
                        "{lang}: link annotation {id:?} is reached by that many elements"
                    );
                }
            }
        }
    }
}

/// 28-xxx: a link that shows a handle is described by the handle, never by its address.
#[test]
fn a_profile_link_is_described_by_its_handle() {
    let (lang, doc) = &built().pdfs[0];
    let alts: Vec<String> = elements(doc)
        .into_iter()
        .filter(|e| e.role == "Link")
        .filter_map(|e| e.alt)
        .collect();
    assert!(
        alts.iter().any(|a| a.starts_with('@')),
        "{lang}: no Link element is described by a handle: {alts:?}"
    );
    assert!(
        alts.iter()
            .all(|a| !a.starts_with("https://twitter.com/") && !a.starts_with("https://x.com/")),
        "{lang}: a profile link is described by its address: {alts:?}"
    );
}

/// 31-xxx (fonts): each embedded TrueType program's advance widths agree with the widths
/// the font dictionary declares (`/W`) to within one thousandth of an em, CIDs map to
/// glyphs by identity, the descriptor's `/FontName` is the font's `/BaseFont`, and no
/// `/CIDSet` is written (which would have to be complete).
#[test]
fn declared_glyph_widths_match_the_embedded_font_programs() {
    for (lang, doc) in &built().pdfs {
        let mut checked = 0;
        let descendants: Vec<&Dictionary> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| name_of(d, b"Subtype").as_deref() == Some("Type0"))
            .flat_map(|d| {
                d.get(b"DescendantFonts")
                    .ok()
                    .and_then(|a| deref(doc, a).as_array().ok())
                    .map(|a| a.iter().filter_map(|f| dict(doc, f)).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(descendants.len(), 3, "{lang}: one CIDFont per face");
        for font in descendants {
            assert_eq!(
                name_of(font, b"Subtype").as_deref(),
                Some("CIDFontType2"),
                "{lang}: a TrueType CIDFont"
            );
            let base = name_of(font, b"BaseFont").unwrap_or_default();
            let descriptor = font
                .get(b"FontDescriptor")
                .ok()
                .and_then(|d| dict(doc, d))
                .expect("a /FontDescriptor");
            assert_eq!(
                name_of(descriptor, b"FontName").as_deref(),
                Some(base.as_str()),
                "{lang}: /FontName and /BaseFont differ"
            );
            // A CIDSet would have to list every CID the subset holds; none is written.
            assert!(
                descriptor.get(b"CIDSet").is_err(),
                "{lang}: {base} has a /CIDSet, which this test does not check yet"
            );
            let program = descriptor
                .get(b"FontFile2")
                .and_then(Object::as_reference)
                .and_then(|id| doc.get_object(id))
                .and_then(Object::as_stream)
                .unwrap_or_else(|_| panic!("{lang}: {base} is not embedded"));
            let bytes = program
                .decompressed_content()
                .unwrap_or_else(|_| program.content.clone());
            let face = ttf_parser::Face::parse(&bytes, 0).expect("the program parses");
            let per_unit = 1000.0 / f64::from(face.units_per_em());
            let identity = match font.get(b"CIDToGIDMap") {
                Ok(Object::Name(n)) => n == b"Identity",
                Err(_) => true,
                Ok(_) => false,
            };
            assert!(identity, "{lang}: {base} maps CIDs through a stream");
            let default = font
                .get(b"DW")
                .ok()
                .and_then(|w| w.as_float().ok().or(w.as_i64().ok().map(|i| i as f32)))
                .unwrap_or(1000.0);
            let declared = declared_widths(
                font.get(b"W")
                    .ok()
                    .and_then(|w| deref(doc, w).as_array().ok())
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
            assert!(!declared.is_empty(), "{lang}: {base} declares no widths");
            for (cid, width) in &declared {
                let Ok(gid) = u16::try_from(*cid) else {
                    panic!("{lang}: {base}: CID {cid} beyond 16 bits");
                };
                let advance = face
                    .glyph_hor_advance(ttf_parser::GlyphId(gid))
                    .unwrap_or_else(|| panic!("{lang}: {base}: CID {cid} has no glyph"));
                let program_width = f64::from(advance) * per_unit;
                assert!(
                    (program_width - f64::from(*width)).abs() <= 1.0,
                    "{lang}: {base}: CID {cid} declared {width}, program {program_width:.1} (DW {default})"
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "{lang}: only {checked} widths checked");
    }
}

/// A CIDFont's `/W` array as (CID, width): `c [w1 w2 ...]` and `c_first c_last w` forms.
fn declared_widths(w: &[Object]) -> Vec<(i64, f32)> {
    let number = |o: &Object| o.as_float().ok().or(o.as_i64().ok().map(|i| i as f32));
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let first = w[i].as_i64().expect("a CID in /W");
        match w.get(i + 1) {
            Some(Object::Array(widths)) => {
                for (k, width) in widths.iter().enumerate() {
                    out.push((first + k as i64, number(width).expect("a width")));
                }
                i += 2;
            }
            Some(last) => {
                let last = last.as_i64().expect("a CID range end in /W");
                let width = w.get(i + 2).and_then(number).expect("a range width");
                out.extend((first..=last).map(|cid| (cid, width)));
                i += 3;
            }
            None => panic!("/W ends after a CID"),
        }
    }
    out
}
