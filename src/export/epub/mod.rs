//! The EPUB 3 writer: the summary as an e-book for archives and e-readers, valid for
//! EPUBCheck, with accessibility metadata, navigation, a cover and embedded font subsets.
//!
//! No EPUB crate is good enough (duplicate ids, clock timestamps), so the parts are written
//! with quick-xml and packed with zip: one module per part.

mod accessibility;
mod archive;
mod content;
mod cover;
mod fonts;
mod nav;
mod package;
mod stylesheet;
mod xhtml;

use super::{ExportContext, ExportError, Format};
use crate::fonts::Style;
use crate::model::Summary;
use package::Resource;

pub use package::identifier;

/// What can go wrong while writing an EPUB; every case is a failure of a library on input
/// that was already checked, reported with what was being written.
#[derive(Debug, thiserror::Error)]
pub enum EpubError {
    #[error("cannot write XML: {0}")]
    Xml(#[from] std::io::Error),
    #[error("cannot write the ZIP container: {0}")]
    Zip(String),
    #[error("cannot encode the cover image: {0}")]
    Png(#[from] png::EncodingError),
    #[error("cannot embed the fonts: {0}")]
    Subset(String),
    #[error("cannot load the {0} font to draw the cover: {1}")]
    CoverFont(&'static str, String),
    #[error("the cover cannot show {character:?} (U+{:04X}): the {font} font has no glyph for it", u32::from(*character))]
    MissingGlyph { character: char, font: &'static str },
}

impl From<EpubError> for ExportError {
    fn from(e: EpubError) -> ExportError {
        match e {
            EpubError::MissingGlyph { .. } => ExportError::Content(e.to_string()),
            _ => ExportError::Writer {
                format: Format::Epub,
                message: e.to_string(),
            },
        }
    }
}

/// Where the publication's files sit inside the container; hrefs below are relative to it.
const ROOT: &str = "EPUB";
const STYLESHEET_HREF: &str = "style.css";
const COVER_IMAGE_HREF: &str = "images/cover.png";
const COVER_PAGE_HREF: &str = "cover.xhtml";
const XHTML: &str = "application/xhtml+xml";

/// Apple Books' display options: use the publication's fonts (`specified-fonts`).
const APPLE_DISPLAY_OPTIONS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
"#;

pub fn write(doc: &Summary, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    Ok(write_epub(doc, ctx)?)
}

fn write_epub(doc: &Summary, ctx: &ExportContext) -> Result<Vec<u8>, EpubError> {
    let identifier = package::identifier(doc);
    let content = content::write(doc, STYLESHEET_HREF)?;
    let toc = nav::toc_entries(doc, &content.outline);
    let (nav_xhtml, nav_chars) = nav::nav_document(doc, &toc, STYLESHEET_HREF, COVER_PAGE_HREF)?;
    let mut used = content.used;
    used.merge(nav_chars);

    let embedded = fonts::embed(ctx.fonts, &used, &doc.lang)?;
    let rules: Vec<stylesheet::FontFaceRule> = embedded
        .iter()
        .map(|font| stylesheet::FontFaceRule {
            family: fonts::FAMILY,
            style: font.style,
            href: font.href,
        })
        .collect();
    let css = stylesheet::stylesheet(&rules, Some(fonts::FAMILY));
    // The title is drawn in bold and the rest in regular in the text too, so the subsets
    // hold every character of the cover; a whole face stands in should one be missing.
    let face = |style: Style| {
        embedded
            .iter()
            .find(|font| font.style == style)
            .map_or(ctx.fonts.face(style).data, |font| font.bytes.as_slice())
    };
    let cover_png = cover::render(doc, face(Style::Regular), face(Style::Bold))?;

    let mut resources = vec![
        Resource {
            id: "cover",
            href: COVER_PAGE_HREF.to_string(),
            media_type: XHTML,
            properties: None,
            bytes: cover::page(doc, COVER_IMAGE_HREF, STYLESHEET_HREF)?,
            in_spine: true,
        },
        Resource {
            id: "nav",
            href: nav::NAV_HREF.to_string(),
            media_type: XHTML,
            properties: Some("nav"),
            bytes: nav_xhtml,
            in_spine: true,
        },
        Resource {
            id: "text",
            href: content::HREF.to_string(),
            media_type: XHTML,
            properties: None,
            bytes: content.xhtml,
            in_spine: true,
        },
        Resource {
            id: "ncx",
            href: nav::NCX_HREF.to_string(),
            media_type: "application/x-dtbncx+xml",
            properties: None,
            bytes: nav::ncx(doc, &identifier, &toc)?,
            in_spine: false,
        },
        Resource {
            id: "style",
            href: STYLESHEET_HREF.to_string(),
            media_type: "text/css",
            properties: None,
            bytes: css.into_bytes(),
            in_spine: false,
        },
        Resource {
            id: "cover-image",
            href: COVER_IMAGE_HREF.to_string(),
            media_type: "image/png",
            properties: Some("cover-image"),
            bytes: cover_png,
            in_spine: false,
        },
    ];
    if !embedded.is_empty() {
        resources.push(Resource {
            id: "font-licence",
            href: fonts::LICENCE_HREF.to_string(),
            media_type: "text/plain",
            properties: None,
            bytes: fonts::licence(),
            in_spine: false,
        });
    }
    for font in embedded {
        resources.push(Resource {
            id: font.id,
            href: font.href.to_string(),
            media_type: "font/ttf",
            properties: None,
            bytes: font.bytes,
            in_spine: false,
        });
    }

    let opf = package::package_document(
        doc,
        &identifier,
        &ctx.timestamp.iso8601(),
        &resources,
        "ncx",
    )?;
    let mut entries = vec![
        archive::Entry {
            path: "META-INF/container.xml".to_string(),
            bytes: package::container_xml(),
            compress: true,
        },
        // Apple Books shows embedded fonts only when told to; the Bulgarian letterforms are
        // only in ours.
        archive::Entry {
            path: "META-INF/com.apple.ibooks.display-options.xml".to_string(),
            bytes: APPLE_DISPLAY_OPTIONS.to_vec(),
            compress: true,
        },
        archive::Entry {
            path: package::PATH.to_string(),
            bytes: opf,
            compress: true,
        },
    ];
    for resource in resources {
        entries.push(archive::Entry {
            path: format!("{ROOT}/{}", resource.href),
            compress: resource.media_type != "image/png",
            bytes: resource.bytes,
        });
    }
    archive::write(&entries, ctx.timestamp)
}
