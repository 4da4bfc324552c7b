//! Repairs the parts docx-rs writes so they validate against the ISO/IEC 29500 schemas.
//!
//! docx-rs gets the content right but the order of child elements wrong in a few places
//! (`w:rPr` first in every `w:pPr`, `w:pStyle` after it, `w:numId` before `w:ilvl`, the left
//! border before the top one, the footer reference after the page size in `w:sectPr`,
//! `w:next` and `w:qFormat` after the formatting in `w:style`), writes
//! empty `w:rPr` where the schema forbids any (`w:pPr` of styles and numbering levels), and
//! numbers paragraphs (`w14:paraId`) from a per-thread counter, so the ids depend on what the
//! thread built before. This module parses a part into a small tree, puts the children of the
//! elements below into the schema's sequence, drops the empty `w:rPr` and the paragraph ids,
//! and writes the part back.

use quick_xml::events::Event;
use quick_xml::Reader;

/// An element of a part, with attribute values and text kept exactly as escaped in the source.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Element(Element),
    /// Escaped character data.
    Text(String),
}

impl Element {
    pub fn new(name: &str, attrs: &[(&str, &str)]) -> Element {
        Element {
            name: name.to_string(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            children: Vec::new(),
        }
    }

    /// The first descendant with this name, depth first.
    pub fn find_mut(&mut self, name: &str) -> Option<&mut Element> {
        for child in &mut self.children {
            if let Node::Element(e) = child {
                if e.name == name {
                    return Some(e);
                }
                if let Some(found) = e.find_mut(name) {
                    return Some(found);
                }
            }
        }
        None
    }
}

/// CT_PPr (17.3.1.26): CT_PPrBase, then the run properties of the paragraph mark, the section
/// properties and the change record.
const PARAGRAPH_PROPERTIES: &[&str] = &[
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
];

/// CT_RPr (17.3.2.28; EG_RPrBase), also CT_ParaRPr's tail: docx-rs writes size before fonts
/// and language after them in an order Microsoft's validator rejects.
const RUN_PROPERTIES: &[&str] = &[
    "w:ins",
    "w:del",
    "w:moveFrom",
    "w:moveTo",
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
    "w:rPrChange",
];

/// CT_SectPr (17.6.17): header and footer references first, then the page description.
const SECTION_PROPERTIES: &[&str] = &[
    "w:headerReference",
    "w:footerReference",
    "w:footnotePr",
    "w:endnotePr",
    "w:type",
    "w:pgSz",
    "w:pgMar",
    "w:paperSrc",
    "w:pgBorders",
    "w:lnNumType",
    "w:pgNumType",
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
];

/// CT_Style (17.7.4.17).
const STYLE: &[&str] = &[
    "w:name",
    "w:aliases",
    "w:basedOn",
    "w:next",
    "w:link",
    "w:autoRedefine",
    "w:hidden",
    "w:uiPriority",
    "w:semiHidden",
    "w:unhideWhenUsed",
    "w:qFormat",
    "w:locked",
    "w:personal",
    "w:personalCompose",
    "w:personalReply",
    "w:rsid",
    "w:pPr",
    "w:rPr",
    "w:tblPr",
    "w:trPr",
    "w:tcPr",
    "w:tblStylePr",
];

/// CT_Lvl (17.9.6).
const NUMBERING_LEVEL: &[&str] = &[
    "w:start",
    "w:numFmt",
    "w:lvlRestart",
    "w:pStyle",
    "w:isLgl",
    "w:suff",
    "w:lvlText",
    "w:lvlPicBulletId",
    "w:legacy",
    "w:lvlJc",
    "w:pPr",
    "w:rPr",
];

/// CT_NumPr (17.3.1.19): docx-rs writes the instance before the level.
const NUMBERING_PROPERTIES: &[&str] = &["w:ilvl", "w:numId", "w:numberingChange", "w:ins"];

/// CT_PBdr (17.3.1.24): docx-rs writes left and right before top and bottom.
const PARAGRAPH_BORDERS: &[&str] = &[
    "w:top",
    "w:left",
    "w:bottom",
    "w:right",
    "w:between",
    "w:bar",
];

fn schema_sequence(element: &str) -> Option<&'static [&'static str]> {
    match element {
        "w:pPr" => Some(PARAGRAPH_PROPERTIES),
        "w:rPr" => Some(RUN_PROPERTIES),
        "w:sectPr" => Some(SECTION_PROPERTIES),
        "w:style" => Some(STYLE),
        "w:lvl" => Some(NUMBERING_LEVEL),
        "w:numPr" => Some(NUMBERING_PROPERTIES),
        "w:pBdr" => Some(PARAGRAPH_BORDERS),
        _ => None,
    }
}

/// Parses a part written by docx-rs, repairs it as described above and hands the root to
/// `edit` for any further change before writing it back.
pub(super) fn repair_part(
    part: &str,
    xml: &[u8],
    edit: impl FnOnce(&mut Element),
) -> Result<Vec<u8>, String> {
    let mut root = parse(xml).map_err(|e| format!("{part} from docx-rs: {e}"))?;
    repair(&mut root);
    edit(&mut root);
    Ok(serialize(&root))
}

fn repair(element: &mut Element) {
    element.attrs.retain(|(k, _)| k != "w14:paraId");
    element.children.retain(|child| match child {
        Node::Element(e) => !(e.name == "w:rPr" && e.children.is_empty() && e.attrs.is_empty()),
        Node::Text(_) => true,
    });
    for child in &mut element.children {
        if let Node::Element(e) = child {
            repair(e);
        }
    }
    if let Some(sequence) = schema_sequence(&element.name) {
        // Stable, so repeated elements keep their order; unknown ones go last.
        element.children.sort_by_key(|child| match child {
            Node::Element(e) => sequence
                .iter()
                .position(|name| *name == e.name)
                .unwrap_or(usize::MAX),
            Node::Text(_) => usize::MAX,
        });
    }
}

pub(super) fn parse(xml: &[u8]) -> Result<Element, String> {
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("not well-formed at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(start) => stack.push(element_of(&start)?),
            Event::Empty(empty) => {
                let element = element_of(&empty)?;
                attach(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                let element = stack.pop().ok_or("an end tag without a start")?;
                attach(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                if let Some(parent) = stack.last_mut() {
                    let raw = String::from_utf8(text.into_inner().into_owned())
                        .map_err(|_| "text is not UTF-8")?;
                    parent.children.push(Node::Text(raw));
                }
            }
            Event::Eof => break,
            // The declaration is written anew; docx-rs writes no comments, CDATA or PIs.
            _ => {}
        }
    }
    root.ok_or_else(|| "no root element".to_string())
}

fn element_of(start: &quick_xml::events::BytesStart) -> Result<Element, String> {
    let name =
        String::from_utf8(start.name().as_ref().to_vec()).map_err(|_| "a name is not UTF-8")?;
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("attribute of <{name}>: {e}"))?;
        let key =
            String::from_utf8(attr.key.as_ref().to_vec()).map_err(|_| "a name is not UTF-8")?;
        let value =
            String::from_utf8(attr.value.to_vec()).map_err(|_| "an attribute is not UTF-8")?;
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
    })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

pub(super) fn serialize(root: &Element) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
    write_element(root, &mut out);
    out.into_bytes()
}

fn write_element(element: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&element.name);
    for (key, value) in &element.attrs {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        out.push_str(value);
        out.push('"');
    }
    if element.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &element.children {
        match child {
            Node::Element(e) => write_element(e, out),
            Node::Text(t) => out.push_str(t),
        }
    }
    out.push_str("</");
    out.push_str(&element.name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraph_properties_follow_the_schema_sequence() {
        let xml = br#"<w:p w14:paraId="00000007"><w:pPr><w:rPr /><w:pStyle w:val="Title" /><w:numPr/><w:keepNext/></w:pPr><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#;
        let out = repair_part("test", xml, |_| {}).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.ends_with(r#"<w:p><w:pPr><w:pStyle w:val="Title"/><w:keepNext/><w:numPr/></w:pPr><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#),
            "{out}"
        );
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        assert!(repair_part("test", b"<w:p><w:r></w:p>", |_| {}).is_err());
    }
}
