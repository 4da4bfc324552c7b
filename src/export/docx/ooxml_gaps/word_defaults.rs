//! What Word expects of a document's styles that docx-rs does not write: the four default
//! styles, a List Bullet style that carries its own bullet, a theme naming our font, and a
//! page count that is never shown stale.

use super::element_order::{Element, Node};
use super::{escape, MAIN_NS};
use crate::fonts::FAMILY;

/// The numbering instance List Bullet refers to.
pub(super) const BULLET_NUM_ID: &str = "1";
const BULLET_ABSTRACT_ID: &str = "0";

/// The styles a word processor falls back to: without them marked default, Word takes its
/// own (Calibri or Aptos) for a paragraph, run, table or list that names no style.
const DEFAULT_STYLES: &str = concat!(
    r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    r#"<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
);

/// Marks Normal as the default paragraph style, adds the other default styles after it,
/// and gives List Bullet the bullet numbering, so a paragraph an editor sets in List Bullet
/// gets a bullet.
pub(super) fn complete_styles(styles: &mut Element, list_bullet: &str) -> Result<(), String> {
    let defaults = super::element_order::parse(
        format!(r#"<w:styles xmlns:w="{MAIN_NS}">{DEFAULT_STYLES}</w:styles>"#).as_bytes(),
    )?;
    let mut normal_at = None;
    for (i, child) in styles.children.iter_mut().enumerate() {
        let Node::Element(style) = child else {
            continue;
        };
        if style.name != "w:style" {
            continue;
        }
        match style_id(style) {
            Some("Normal") => {
                style
                    .attrs
                    .insert(1, ("w:default".to_string(), "1".to_string()));
                normal_at = Some(i);
            }
            Some(id) if id == list_bullet => add_numbering(style),
            _ => {}
        }
    }
    let at = normal_at.ok_or("docx-rs wrote no Normal style")? + 1;
    let new: Vec<Node> = defaults
        .children
        .into_iter()
        .map(|node| match node {
            Node::Element(mut e) => {
                e.attrs.retain(|(k, _)| k != "xmlns:w");
                Node::Element(e)
            }
            text => text,
        })
        .collect();
    styles.children.splice(at..at, new);
    Ok(())
}

fn style_id(style: &Element) -> Option<&str> {
    style
        .attrs
        .iter()
        .find(|(k, _)| k == "w:styleId")
        .map(|(_, v)| v.as_str())
}

fn add_numbering(style: &mut Element) {
    let mut num_pr = Element::new("w:numPr", &[]);
    num_pr.children.push(Node::Element(Element::new(
        "w:numId",
        &[("w:val", BULLET_NUM_ID)],
    )));
    let ppr = match style
        .children
        .iter_mut()
        .position(|c| matches!(c, Node::Element(e) if e.name == "w:pPr"))
    {
        Some(i) => i,
        None => {
            style
                .children
                .push(Node::Element(Element::new("w:pPr", &[])));
            style.children.len() - 1
        }
    };
    if let Some(Node::Element(ppr)) = style.children.get_mut(ppr) {
        // The schema's place for numPr in pPr comes before spacing and ind; the repair
        // that sorts pPr has already run, so it goes in its place here.
        let at = ppr
            .children
            .iter()
            .position(|c| matches!(c, Node::Element(e) if matches!(e.name.as_str(), "w:spacing" | "w:ind" | "w:jc" | "w:outlineLvl" | "w:rPr")))
            .unwrap_or(ppr.children.len());
        ppr.children.insert(at, Node::Element(num_pr));
    }
}

/// The one numbering definition: a bullet in Source Sans 3 (Word would otherwise draw it in
/// Symbol), indented like List Bullet and linked to it.
pub(super) fn numbering(list_bullet: &str, bullet: &str) -> Vec<u8> {
    let font = escape(FAMILY);
    format!(
        "{}<w:numbering xmlns:w=\"{MAIN_NS}\">\
<w:abstractNum w:abstractNumId=\"{BULLET_ABSTRACT_ID}\"><w:multiLevelType w:val=\"singleLevel\"/>\
<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:pStyle w:val=\"{list_bullet}\"/>\
<w:lvlText w:val=\"{bullet}\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr>\
<w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\" w:hint=\"default\"/></w:rPr></w:lvl></w:abstractNum>\
<w:num w:numId=\"{BULLET_NUM_ID}\"><w:abstractNumId w:val=\"{BULLET_ABSTRACT_ID}\"/></w:num></w:numbering>",
        super::XML_DECLARATION
    )
    .into_bytes()
}

/// The page count in the footer is left without a cached value: a reader that does not
/// compute fields shows nothing rather than docx-rs's "1" of "2 / 1".
pub(super) fn uncache_page_count(root: &mut Element) {
    for child in &mut root.children {
        if let Node::Element(e) = child {
            if e.name == "w:r" && is_field_of(e, "NUMPAGES") {
                let mut in_result = false;
                e.children.retain(|c| match c {
                    Node::Element(x) if x.name == "w:fldChar" => {
                        let kind = x
                            .attrs
                            .iter()
                            .find(|(k, _)| k == "w:fldCharType")
                            .map(|(_, v)| v.as_str());
                        in_result = kind == Some("separate");
                        kind != Some("separate")
                    }
                    _ => !in_result,
                });
            } else {
                uncache_page_count(e);
            }
        }
    }
}

fn is_field_of(run: &Element, instruction: &str) -> bool {
    run.children.iter().any(|c| match c {
        Node::Element(e) if e.name == "w:instrText" => e
            .children
            .iter()
            .any(|t| matches!(t, Node::Text(t) if t.trim() == instruction)),
        _ => false,
    })
}

/// A theme whose heading and body fonts (major, minor) are Source Sans 3: a built-in style
/// the document does not define (Heading 4, Caption) takes its font from the theme.
pub(super) fn theme() -> Vec<u8> {
    let font = escape(FAMILY);
    let fonts = format!(r#"<a:latin typeface="{font}"/><a:ea typeface=""/><a:cs typeface=""/>"#);
    let fill = r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#;
    let line = r#"<a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#;
    let effect = "<a:effectStyle><a:effectLst/></a:effectStyle>";
    let colors = [
        ("dk1", "000000"),
        ("lt1", "FFFFFF"),
        ("dk2", "1F3A5F"),
        ("lt2", "E7ECF2"),
        ("accent1", "1F3A5F"),
        ("accent2", "5B6878"),
        ("accent3", "0563C1"),
        ("accent4", "C5CFDB"),
        ("accent5", "2E6E9E"),
        ("accent6", "7A8B99"),
        ("hlink", "0563C1"),
        ("folHlink", "954F72"),
    ]
    .iter()
    .map(|(name, rgb)| format!(r#"<a:{name}><a:srgbClr val="{rgb}"/></a:{name}>"#))
    .collect::<String>();
    format!(
        "{}<a:theme xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" name=\"polypress\">\
<a:themeElements><a:clrScheme name=\"polypress\">{colors}</a:clrScheme>\
<a:fontScheme name=\"{font}\"><a:majorFont>{fonts}</a:majorFont><a:minorFont>{fonts}</a:minorFont></a:fontScheme>\
<a:fmtScheme name=\"polypress\"><a:fillStyleLst>{fill}{fill}{fill}</a:fillStyleLst>\
<a:lnStyleLst>{line}{line}{line}</a:lnStyleLst><a:effectStyleLst>{effect}{effect}{effect}</a:effectStyleLst>\
<a:bgFillStyleLst>{fill}{fill}{fill}</a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>",
        super::XML_DECLARATION
    )
    .into_bytes()
}
