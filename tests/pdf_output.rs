//! The PDF handout of every source, checked the way a reader, an archivist and a screen
//! reader would: validators, fonts, text, links, outline, tags, language, size, bytes.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use lopdf::{Document, Object};
use polypress::export::Format;
use polypress::model::{Block, Inline, Summary};
use polypress::pipeline;

struct Built {
    _dir: tempfile::TempDir,
    pdfs: Vec<(Summary, PathBuf)>,
}

/// Every source built once for the whole file.
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
                let pdf = dir
                    .path()
                    .join(pipeline::output_path(&summary, Format::Pdf));
                (summary, pdf)
            })
            .collect();
        Built { _dir: dir, pdfs }
    })
}

fn load(path: &PathBuf) -> Document {
    Document::load(path).expect("lopdf reads the PDF")
}

fn catalog(doc: &Document) -> &lopdf::Dictionary {
    doc.catalog().expect("catalog")
}

#[test]
fn qpdf_finds_no_error() {
    if !common::tool_available("qpdf", &["--version"]) {
        return;
    }
    for (summary, pdf) in &built().pdfs {
        let (ok, out) = common::run("qpdf", &["--check", pdf.to_str().unwrap_or_default()], None);
        assert!(ok, "{}: {out}", summary.lang);
        assert!(
            out.contains("No syntax or stream encoding errors"),
            "{}: {out}",
            summary.lang
        );
        assert!(
            !out.to_lowercase().contains("warning"),
            "{}: {out}",
            summary.lang
        );
    }
}

#[test]
fn every_font_is_embedded_subset_and_unicode_mapped() {
    if !common::tool_available("pdffonts", &["-v"]) {
        return;
    }
    for (summary, pdf) in &built().pdfs {
        let (ok, out) = common::run("pdffonts", &[pdf.to_str().unwrap_or_default()], None);
        assert!(ok, "{out}");
        let rows: Vec<&str> = out
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(rows.len() >= 2, "{}: {out}", summary.lang);
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let flags = &cols[cols.len() - 5..cols.len() - 2];
            assert_eq!(flags, ["yes", "yes", "yes"], "{}: {row}", summary.lang);
            assert!(row.contains("SourceSans3"), "{row}");
        }
    }
}

/// pdftotext's text with line ends undone three ways: a hyphen that was inserted (U+00AD,
/// removed), a hyphen that was written (kept), and a URL broken after a separator (joined).
fn extracted_variants(text: &str, short_title: &str) -> [String; 3] {
    let flat = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
    // The running footer ("short title", "4 / 5") goes, so that a word hyphenated at the
    // foot of a page meets its end at the head of the next.
    let is_footer = |line: &str| {
        let line = line.trim();
        line.is_empty()
            || line == short_title.trim()
            || line.contains('/')
                && line
                    .split('/')
                    .map(str::trim)
                    .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let pages: Vec<String> = text
        .split('\u{c}')
        .map(|page| {
            let mut lines: Vec<&str> = page.lines().collect();
            while lines.last().is_some_and(|l| is_footer(l)) {
                lines.pop();
            }
            lines.join("\n")
        })
        .collect();
    let text = &pages.join("\n").replace("\u{ad}\n", "");
    [
        flat(text.replace("-\n", "")),
        flat(text.replace("-\n", "-")),
        text.replace('\n', ""),
    ]
}

#[test]
fn pdftotext_gives_back_every_word() {
    if !common::tool_available("pdftotext", &["-v"]) {
        return;
    }
    for (summary, pdf) in &built().pdfs {
        let (ok, text) = common::run("pdftotext", &[pdf.to_str().unwrap_or_default(), "-"], None);
        assert!(ok, "{text}");
        let variants = extracted_variants(&text, summary.short_title());
        let mut missing = BTreeSet::new();
        for piece in summary.visible_text() {
            for word in piece.split_whitespace() {
                // pdftotext joins a line that ends in a hyphen with the next one, dropping the
                // hyphen even when the word was written with it ("най-надежден").
                let unhyphenated = word.replacen('-', "", 1);
                if !variants
                    .iter()
                    .any(|v| v.contains(word) || (word.contains('-') && v.contains(&unhyphenated)))
                {
                    missing.insert(word.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "{}: missing {missing:?}", summary.lang);
        assert!(
            !text.contains('\u{fffd}'),
            "{}: replacement characters",
            summary.lang
        );
    }
}

#[test]
fn pdfinfo_says_tagged() {
    if !common::tool_available("pdfinfo", &["-v"]) {
        return;
    }
    for (summary, pdf) in &built().pdfs {
        let (ok, out) = common::run("pdfinfo", &[pdf.to_str().unwrap_or_default()], None);
        assert!(ok, "{out}");
        assert!(
            out.contains("Tagged:          yes"),
            "{}: {out}",
            summary.lang
        );
        assert!(out.contains(&summary.meta.title), "{}: {out}", summary.lang);
        assert!(
            out.contains(&summary.meta.organiser),
            "{}: {out}",
            summary.lang
        );
    }
}

fn hrefs(inlines: &[Inline], out: &mut BTreeSet<String>) {
    for inline in inlines {
        match inline {
            Inline::Link { href, content } => {
                out.insert(href.clone());
                hrefs(content, out);
            }
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Lang { content, .. } => hrefs(content, out),
            Inline::Text { .. } => {}
        }
    }
}

fn blocks_hrefs(summary: &Summary, blocks: &[Block], out: &mut BTreeSet<String>) {
    for block in blocks {
        match block {
            Block::Paragraph(p) => hrefs(&p.content, out),
            Block::List(l) => l.items.iter().for_each(|i| hrefs(&i.content, out)),
            Block::Talk(t) => blocks_hrefs(summary, &t.blocks, out),
            Block::People(g) => {
                for person in g.members.iter().map(|r| summary.person(*r)) {
                    out.extend(person.linkedin.clone());
                    out.extend(person.twitter_url());
                }
            }
            Block::Subheading(_) => {}
        }
    }
}

/// Every address the document links to: URLs in the text, profiles, the recording.
fn expected_links(summary: &Summary) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(r) = &summary.meta.recording {
        out.insert(r.href.clone());
        hrefs(&r.text, &mut out);
    }
    if let Some(a) = &summary.meta.attendance {
        hrefs(&a.text, &mut out);
    }
    for section in &summary.sections {
        blocks_hrefs(summary, &section.blocks, &mut out);
    }
    if let Some(q) = &summary.questions {
        for question in &q.items {
            hrefs(&question.text, &mut out);
            for answer in &question.answers {
                answer
                    .paragraphs
                    .iter()
                    .for_each(|p| hrefs(&p.content, &mut out));
            }
        }
    }
    out
}

fn uri_annotations(doc: &Document) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    for page in doc.get_pages().values() {
        let annots = doc
            .get_dictionary(*page)
            .and_then(|p| p.get(b"Annots"))
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default();
        for annot in annots {
            let dict = match &annot {
                Object::Reference(id) => doc.get_dictionary(*id).ok(),
                Object::Dictionary(d) => Some(d),
                _ => None,
            };
            let Some(dict) = dict else { continue };
            let uri = dict
                .get(b"A")
                .and_then(Object::as_dict)
                .and_then(|a| a.get(b"URI"))
                .and_then(Object::as_str)
                .map(|s| String::from_utf8_lossy(s).into_owned());
            if let Ok(uri) = uri {
                found.push((uri, dict.has(b"StructParent")));
            }
        }
    }
    found
}

#[test]
fn every_url_and_profile_is_a_clickable_tagged_link() {
    for (summary, pdf) in &built().pdfs {
        let doc = load(pdf);
        let annotations = uri_annotations(&doc);
        let present: BTreeSet<String> = annotations.iter().map(|(u, _)| u.clone()).collect();
        let expected = expected_links(summary);
        assert!(expected.len() >= 4, "{}: {expected:?}", summary.lang);
        let missing: Vec<_> = expected.difference(&present).collect();
        assert!(
            missing.is_empty(),
            "{}: no link to {missing:?}",
            summary.lang
        );
        assert!(
            annotations.iter().all(|(_, tagged)| *tagged),
            "{}: a link annotation is not in the structure tree",
            summary.lang
        );
    }
}

#[test]
fn outline_is_nested_and_catalog_carries_language_and_tags() {
    for (summary, pdf) in &built().pdfs {
        let doc = load(pdf);
        let cat = catalog(&doc);
        let lang = cat.get(b"Lang").and_then(Object::as_str).expect("/Lang");
        assert_eq!(lang, summary.lang.as_bytes());
        let marked = cat
            .get(b"MarkInfo")
            .and_then(Object::as_dict)
            .and_then(|m| m.get(b"Marked"))
            .and_then(Object::as_bool)
            .expect("MarkInfo");
        assert!(marked);
        let tree = cat
            .get(b"StructTreeRoot")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .expect("StructTreeRoot");
        assert!(tree.has(b"ParentTree"));
        assert!(cat.has(b"Metadata"), "XMP metadata");

        let outlines = cat
            .get(b"Outlines")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .expect("/Outlines");
        let mut entry = outlines.get(b"First").and_then(Object::as_reference).ok();
        let (mut top, mut nested) = (0, 0);
        while let Some(id) = entry {
            let dict = doc.get_dictionary(id).expect("outline entry");
            top += 1;
            if dict.has(b"First") {
                nested += 1;
            }
            entry = dict.get(b"Next").and_then(Object::as_reference).ok();
        }
        let expected_top = summary.sections.len() + usize::from(summary.questions.is_some());
        assert_eq!(top, expected_top, "{}", summary.lang);
        assert!(nested >= 1, "{}: no nested outline entry", summary.lang);
    }
}

#[test]
fn xmp_names_title_language_and_organiser() {
    for (summary, pdf) in &built().pdfs {
        let doc = load(pdf);
        let xmp = catalog(&doc)
            .get(b"Metadata")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_object(id))
            .and_then(Object::as_stream)
            .expect("metadata stream");
        let xml = String::from_utf8(xmp.decompressed_content().unwrap_or(xmp.content.clone()))
            .expect("UTF-8 XMP");
        let escape = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('"', "&quot;")
        };
        assert!(
            xml.contains(&escape(&summary.meta.title)),
            "{}",
            summary.lang
        );
        assert!(xml.contains(&escape(&summary.meta.organiser)));
        assert!(xml.contains(&format!("<rdf:li>{}</rdf:li>", summary.lang)));
    }
}

#[test]
fn small_and_identical_across_builds() {
    let sources = common::source_files();
    let (again, report) = common::build_into(sources, &[Format::Pdf]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    for (summary, pdf) in &built().pdfs {
        let first = std::fs::read(pdf).expect("first build");
        let second = std::fs::read(
            again
                .path()
                .join(pipeline::output_path(summary, Format::Pdf)),
        )
        .expect("second build");
        assert!(first == second, "{}: two builds differ", summary.lang);
        assert!(
            first.len() <= 60 * 1024,
            "{}: {} bytes, budget 60 KB",
            summary.lang,
            first.len()
        );
    }
}

#[test]
fn a_character_without_glyph_is_an_error_naming_it_and_its_place() {
    let fixture = std::fs::read_to_string(common::repo_root().join("tests/fixtures/example.xml"))
        .expect("fixture");
    let broken = fixture.replace(
        "<p>The webinar started with a presentation.</p>",
        "<p>The webinar started with a \u{4e2d} presentation.</p>",
    );
    assert_ne!(broken, fixture);
    let line = broken
        .lines()
        .position(|l| l.contains('\u{4e2d}'))
        .expect("line")
        + 1;
    let dir = tempfile::tempdir().expect("temp");
    let source = dir.path().join("en.xml");
    std::fs::write(&source, broken).expect("write");
    let (_out, report) = common::build_into(vec![source], &[Format::Pdf]);
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let message = report.failures[0].to_string();
    assert!(message.contains("'\u{4e2d}'"), "{message}");
    assert!(message.contains("U+4E2D"), "{message}");
    assert!(message.contains(&format!("{line}:")), "{message}");
    assert!(message.contains("en.xml"), "{message}");
}

/// The embedded font programs (slimmed by polypress after printpdf subset them) are sound
/// TrueType: fontTools reads every glyph of every face without a complaint.
#[test]
fn embedded_fonts_are_sound_truetype() {
    if !common::tool_available("python3", &["-c", "import fontTools"]) {
        return;
    }
    let (ok, _) = common::run("python3", &["-c", "import fontTools"], None);
    if !ok {
        assert!(
            !common::validators_required(),
            "python3 fontTools is required"
        );
        eprintln!("skipping: fontTools is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    let mut files = Vec::new();
    for (summary, pdf) in &built().pdfs {
        let doc = load(pdf);
        for (n, object) in doc.objects.values().enumerate() {
            let Ok(dict) = object.as_dict() else { continue };
            let Ok(program) = dict.get(b"FontFile2").and_then(Object::as_reference) else {
                continue;
            };
            let stream = doc
                .get_object(program)
                .and_then(Object::as_stream)
                .expect("font program");
            let bytes = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            let path = dir.path().join(format!("{}-{n}.ttf", summary.lang));
            std::fs::write(&path, bytes).expect("write font");
            files.push(path.display().to_string());
        }
    }
    assert!(files.len() >= 8, "{files:?}");
    let script = r#"
import logging, sys
from fontTools.ttLib import TTFont
problems = []
class Catch(logging.Handler):
    def emit(self, record):
        problems.append(record.getMessage())
logging.getLogger("fontTools").addHandler(Catch())
for path in sys.argv[1:]:
    font = TTFont(path)
    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        glyf[name].getCoordinates(glyf)
    assert font["maxp"].numGlyphs > 10, path
print("\n".join(problems))
sys.exit(1 if problems else 0)
"#;
    let mut args = vec!["-c", script];
    args.extend(files.iter().map(String::as_str));
    let (ok, out) = common::run("python3", &args, None);
    assert!(ok, "{out}");
}

/// Every page carries the running footer: the short title and "page / pages".
#[test]
fn running_footer_numbers_every_page() {
    if !common::tool_available("pdftotext", &["-v"]) {
        return;
    }
    for (summary, pdf) in &built().pdfs {
        let pages = load(pdf).get_pages().len();
        assert!(pages >= 2, "{}", summary.lang);
        for page in 1..=pages {
            let n = page.to_string();
            let (ok, text) = common::run(
                "pdftotext",
                &["-f", &n, "-l", &n, pdf.to_str().unwrap_or_default(), "-"],
                None,
            );
            assert!(ok, "{text}");
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            // pdftotext may read the thin spaces around the slash as no space.
            assert!(
                flat.contains(&format!("{page} / {pages}"))
                    || flat.ends_with(&format!("{page}/{pages}")),
                "{} page {page}: {flat}",
                summary.lang
            );
            assert!(
                flat.contains(summary.short_title()),
                "{} page {page}",
                summary.lang
            );
        }
    }
}
