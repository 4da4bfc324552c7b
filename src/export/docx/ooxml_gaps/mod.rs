//! What docx-rs 0.4 lacks or gets wrong, filled in one place.
//!
//! docx-rs writes the body, the styles, the numbering and the footer; this module takes
//! those parts, repairs them (`element_order`), and writes the rest of the package itself:
//!
//! - the document language (`w:lang`) in the style defaults, so Word proofs the right language
//!   (docx-rs has no `w:lang` at all);
//! - core properties with title, creator, language and fixed dates (docx-rs writes "unknown"
//!   and 1970);
//! - the font table naming Source Sans 3 with the four faces embedded as obfuscated fonts
//!   (`font_embedding`), and `w:embedTrueTypeFonts`/`w:saveSubsetFonts` in the settings
//!   (docx-rs cannot embed fonts, and its settings break the schema's element order);
//! - the relationships in a fixed order with fixed ids (docx-rs collects hyperlinks through a
//!   HashMap, so their order changes from run to run);
//! - a deterministic ZIP: fixed part order, fixed dates, no part docx-rs adds empty
//!   (comments, footnotes, custom properties).

mod element_order;
pub(super) mod font_embedding;
mod word_defaults;

use crate::date::Timestamp;
use crate::export::zip_container::{Method, ZipContainer};
use crate::fonts::FAMILY;
use crate::model::Summary;
use element_order::{repair_part, Element, Node};
use font_embedding::EmbeddedFont;

use super::body::HyperlinkTarget;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const FOOTER_RID: &str = "rIdFooter1";
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// What the package is made of: docx-rs's parts plus what only the writer knows.
pub(super) struct Package<'a> {
    pub doc: &'a Summary,
    pub timestamp: Timestamp,
    pub parts: docx_rs::XMLDocx,
    /// The hyperlinks' relationships, in the order they are to be written.
    pub links: &'a [HyperlinkTarget],
    pub fonts: Vec<EmbeddedFont>,
}

/// The language tag Word's proofing tools know: a region is added to a bare language
/// (`bg` -> `bg-BG`), since Word matches dictionaries by culture.
pub fn word_language(lang: &str) -> String {
    if lang.contains('-') {
        return lang.to_string();
    }
    let region = match lang {
        "bg" => "BG",
        "cs" => "CZ",
        "da" => "DK",
        "de" => "DE",
        "el" => "GR",
        "en" => "GB",
        "es" => "ES",
        "et" => "EE",
        "fi" => "FI",
        "fr" => "FR",
        "ga" => "IE",
        "hr" => "HR",
        "hu" => "HU",
        "it" => "IT",
        "lt" => "LT",
        "lv" => "LV",
        "mt" => "MT",
        "nl" => "NL",
        "pl" => "PL",
        "pt" => "PT",
        "ro" => "RO",
        "sk" => "SK",
        "sl" => "SI",
        "sv" => "SE",
        _ => return lang.to_string(),
    };
    format!("{lang}-{region}")
}

/// Builds the DOCX file.
pub(super) fn assemble(package: Package) -> Result<Vec<u8>, String> {
    let lang = word_language(&package.doc.lang);
    let parts = &package.parts;

    let document = repair_part("word/document.xml", &parts.document, |root| {
        if let Some(reference) = root.find_mut("w:footerReference") {
            set_attr(reference, "r:id", FOOTER_RID);
        }
        run_languages(root);
    })?;
    let mut styles_complete = Ok(());
    let styles = repair_part("word/styles.xml", &parts.styles, |root| {
        add_language(root, &lang);
        styles_complete = word_defaults::complete_styles(root, super::styles::LIST_BULLET);
    })?;
    styles_complete?;
    // docx-rs's numbering part always holds a decimal list nothing uses: ours replaces it.
    let numbering = word_defaults::numbering(super::styles::LIST_BULLET, super::BULLET);
    let footer_xml = parts
        .footers
        .first()
        .ok_or("docx-rs wrote no footer part")?;
    let footer = repair_part(
        "word/footer1.xml",
        footer_xml,
        word_defaults::uncache_page_count,
    )?;

    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), content_types(&package.fonts)),
        ("_rels/.rels".into(), package_relationships()),
        (
            "docProps/core.xml".into(),
            core_properties(package.doc, &lang, package.timestamp),
        ),
        ("docProps/app.xml".into(), app_properties()),
        ("word/document.xml".into(), document),
        (
            "word/_rels/document.xml.rels".into(),
            document_relationships(package.links),
        ),
        ("word/styles.xml".into(), styles),
        ("word/numbering.xml".into(), numbering),
        (
            "word/settings.xml".into(),
            settings(&lang, !package.fonts.is_empty()),
        ),
        ("word/fontTable.xml".into(), font_table(&package.fonts)),
        (
            "word/_rels/fontTable.xml.rels".into(),
            font_relationships(&package.fonts),
        ),
        ("word/footer1.xml".into(), footer),
        ("word/theme/theme1.xml".into(), word_defaults::theme()),
    ];
    for (i, font) in package.fonts.into_iter().enumerate() {
        files.push((format!("word/{}", font_part(i)), font.data));
    }
    zip_parts(files, package.timestamp)
}

fn set_attr(element: &mut Element, key: &str, value: &str) {
    match element.attrs.iter_mut().find(|(k, _)| k == key) {
        Some(attr) => attr.1 = value.to_string(),
        None => element.attrs.push((key.to_string(), value.to_string())),
    }
}

/// docx-rs cannot give a run its own `w:lang`: the language of a phrase in another language
/// rides in a marker font hint (`w:rFonts w:hint`) that `run_languages` turns into `w:lang`.
const LANGUAGE_MARKER: &str = "polypress-lang:";

/// A run whose text is in `lang` rather than in the document's language.
pub fn with_language(run: docx_rs::Run, lang: &str) -> docx_rs::Run {
    run.fonts(docx_rs::RunFonts::new().hint(format!("{LANGUAGE_MARKER}{lang}")))
}

/// Replaces every language marker `with_language` left by `w:lang` at the end of the run's
/// properties, where CT_RPr puts it after all the formatting docx-rs writes for us.
fn run_languages(element: &mut Element) {
    for child in &mut element.children {
        let Node::Element(e) = child else { continue };
        if e.name == "w:rPr" {
            let marker = e.children.iter().position(|n| {
                matches!(n, Node::Element(f) if f.name == "w:rFonts"
                    && f.attrs.iter().any(|(k, v)| k == "w:hint" && v.starts_with(LANGUAGE_MARKER)))
            });
            if let Some(at) = marker {
                if let Node::Element(fonts) = e.children.remove(at) {
                    let lang = fonts
                        .attrs
                        .iter()
                        .find_map(|(k, v)| (k == "w:hint").then(|| v.strip_prefix(LANGUAGE_MARKER)))
                        .flatten()
                        .unwrap_or_default();
                    let lang = escape(&word_language(lang));
                    e.children
                        .push(Node::Element(Element::new("w:lang", &[("w:val", &lang)])));
                }
            }
        } else {
            run_languages(e);
        }
    }
}

/// `w:lang` in the run defaults: every run inherits the document's language.
fn add_language(styles: &mut Element, lang: &str) {
    let lang = escape(lang);
    let element = Element::new(
        "w:lang",
        &[("w:val", &lang), ("w:eastAsia", &lang), ("w:bidi", &lang)],
    );
    if let Some(defaults) = styles.find_mut("w:rPrDefault") {
        match defaults.find_mut("w:rPr") {
            Some(rpr) => rpr.children.push(Node::Element(element)),
            None => {
                let mut rpr = Element::new("w:rPr", &[]);
                rpr.children.push(Node::Element(element));
                defaults.children.push(Node::Element(rpr));
            }
        }
    }
}

fn font_part(index: usize) -> String {
    format!("fonts/font{}.odttf", index + 1)
}

fn font_rid(index: usize) -> String {
    format!("rIdFont{}", index + 1)
}

fn content_types(fonts: &[EmbeddedFont]) -> Vec<u8> {
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(
        r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#,
    );
    if !fonts.is_empty() {
        xml.push_str(r#"<Default Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"/>"#);
    }
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    for (part, content_type) in [
        ("/word/document.xml", format!("{wml}.document.main+xml")),
        ("/word/styles.xml", format!("{wml}.styles+xml")),
        ("/word/numbering.xml", format!("{wml}.numbering+xml")),
        ("/word/settings.xml", format!("{wml}.settings+xml")),
        ("/word/fontTable.xml", format!("{wml}.fontTable+xml")),
        ("/word/footer1.xml", format!("{wml}.footer+xml")),
        (
            "/word/theme/theme1.xml",
            "application/vnd.openxmlformats-officedocument.theme+xml".to_string(),
        ),
        (
            "/docProps/core.xml",
            "application/vnd.openxmlformats-package.core-properties+xml".to_string(),
        ),
        (
            "/docProps/app.xml",
            "application/vnd.openxmlformats-officedocument.extended-properties+xml".to_string(),
        ),
    ] {
        xml.push_str(&format!(
            r#"<Override PartName="{part}" ContentType="{content_type}"/>"#
        ));
    }
    xml.push_str("</Types>");
    xml.into_bytes()
}

fn relationships(rels: &[(String, String, String, bool)]) -> Vec<u8> {
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(&format!(r#"<Relationships xmlns="{PACKAGE_REL_NS}">"#));
    for (id, kind, target, external) in rels {
        let mode = if *external {
            r#" TargetMode="External""#
        } else {
            ""
        };
        xml.push_str(&format!(
            r#"<Relationship Id="{id}" Type="{kind}" Target="{}"{mode}/>"#,
            escape(target)
        ));
    }
    xml.push_str("</Relationships>");
    xml.into_bytes()
}

fn rel(id: &str, kind: &str, target: &str, external: bool) -> (String, String, String, bool) {
    (
        id.to_string(),
        kind.to_string(),
        target.to_string(),
        external,
    )
}

fn package_relationships() -> Vec<u8> {
    relationships(&[
        rel(
            "rId1",
            &format!("{REL_NS}/officeDocument"),
            "word/document.xml",
            false,
        ),
        rel(
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
            false,
        ),
        rel(
            "rId3",
            &format!("{REL_NS}/extended-properties"),
            "docProps/app.xml",
            false,
        ),
    ])
}

fn document_relationships(links: &[HyperlinkTarget]) -> Vec<u8> {
    let mut rels = vec![
        rel("rId1", &format!("{REL_NS}/styles"), "styles.xml", false),
        rel(
            "rId2",
            &format!("{REL_NS}/numbering"),
            "numbering.xml",
            false,
        ),
        rel("rId3", &format!("{REL_NS}/settings"), "settings.xml", false),
        rel(
            "rId4",
            &format!("{REL_NS}/fontTable"),
            "fontTable.xml",
            false,
        ),
        rel(
            FOOTER_RID,
            &format!("{REL_NS}/footer"),
            "footer1.xml",
            false,
        ),
        rel(
            "rIdTheme1",
            &format!("{REL_NS}/theme"),
            "theme/theme1.xml",
            false,
        ),
    ];
    for link in links {
        rels.push(rel(
            &link.rid,
            &format!("{REL_NS}/hyperlink"),
            &link.href,
            true,
        ));
    }
    relationships(&rels)
}

fn font_relationships(fonts: &[EmbeddedFont]) -> Vec<u8> {
    let rels: Vec<_> = (0..fonts.len())
        .map(|i| {
            rel(
                &font_rid(i),
                &format!("{REL_NS}/font"),
                &font_part(i),
                false,
            )
        })
        .collect();
    relationships(&rels)
}

fn core_properties(doc: &Summary, lang: &str, timestamp: Timestamp) -> Vec<u8> {
    let date = timestamp.iso8601();
    let meta = &doc.meta;
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(concat!(
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties""#,
        r#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/""#,
        r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
    ));
    xml.push_str(&format!(
        "<dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator>\
         <cp:lastModifiedBy>{}</cp:lastModifiedBy><dc:language>{}</dc:language><cp:revision>1</cp:revision>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified>",
        escape(&meta.title),
        escape(&meta.event),
        escape(&meta.organiser),
        escape(&meta.organiser),
        escape(lang),
    ));
    xml.push_str("</cp:coreProperties>");
    xml.into_bytes()
}

fn app_properties() -> Vec<u8> {
    format!(
        "{XML_DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>polypress {}</Application></Properties>",
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

/// Written whole: docx-rs puts `w:zoom` after `w:defaultTabStop`, against CT_Settings'
/// sequence, and has no font embedding switches.
fn settings(lang: &str, embeds_fonts: bool) -> Vec<u8> {
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(&format!(r#"<w:settings xmlns:w="{MAIN_NS}">"#));
    xml.push_str(r#"<w:zoom w:percent="100"/>"#);
    if embeds_fonts {
        xml.push_str("<w:embedTrueTypeFonts/><w:saveSubsetFonts/>");
    }
    xml.push_str(concat!(
        r#"<w:defaultTabStop w:val="709"/>"#,
        r#"<w:characterSpacingControl w:val="doNotCompress"/>"#,
        r#"<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>"#,
    ));
    xml.push_str(&format!(r#"<w:themeFontLang w:val="{}"/>"#, escape(lang)));
    xml.push_str("</w:settings>");
    xml.into_bytes()
}

/// The one font the document uses, with its embedded faces.
fn font_table(fonts: &[EmbeddedFont]) -> Vec<u8> {
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(&format!(
        r#"<w:fonts xmlns:w="{MAIN_NS}" xmlns:r="{REL_NS}"><w:font w:name="{}">"#,
        escape(FAMILY)
    ));
    xml.push_str(r#"<w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/>"#);
    for (i, font) in fonts.iter().enumerate() {
        let subsetted = if font.subsetted {
            r#" w:subsetted="1""#
        } else {
            ""
        };
        xml.push_str(&format!(
            r#"<{} r:id="{}" w:fontKey="{}"{subsetted}/>"#,
            font.table_element(),
            font_rid(i),
            font.key_guid()
        ));
    }
    xml.push_str("</w:font></w:fonts>");
    xml.into_bytes()
}

fn zip_parts(files: Vec<(String, Vec<u8>)>, timestamp: Timestamp) -> Result<Vec<u8>, String> {
    let mut zip = ZipContainer::new(timestamp);
    for (name, bytes) in files {
        zip.add(&name, &bytes, Method::Deflated)
            .map_err(|e| format!("cannot add {name} to the package: {e}"))?;
    }
    zip.finish()
        .map_err(|e| format!("cannot finish the package: {e}"))
}

/// Escapes text for element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_languages_get_the_region_word_knows() {
        assert_eq!(word_language("bg"), "bg-BG");
        assert_eq!(word_language("hu"), "hu-HU");
        assert_eq!(word_language("pt-BR"), "pt-BR");
        assert_eq!(word_language("xx"), "xx");
    }
}
