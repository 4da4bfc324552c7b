//! Phrases in another language than the document's (`<span lang="en">…</span>`): the reader
//! keeps them and refuses a tag that is not one, and every writer marks their language where
//! assistive technology and proofing tools look for it.

mod common;

use std::path::{Path, PathBuf};

use polypress::date::Timestamp;
use polypress::export::{self, ExportContext, Format};
use polypress::fonts::FontSet;
use polypress::model::{plain_text, Block, Inline, Summary};
use polypress::source::{parse_summary, read_source};

const PHRASE: &str = "experts en communication";
const AFFILIATION_PHRASE: &str = "Chef de service";
/// A phrase inside a link, after a word of the document's language.
const LINK_PHRASE: &str = "programme détaillé";
const LINK_HREF: &str = "https://www.example.eu/programme";

/// The documented example with a French phrase in running text and in an affiliation.
fn source_with_spans() -> String {
    let example = std::fs::read_to_string(common::repo_root().join("tests/fixtures/example.xml"))
        .expect("example reads");
    let with_spans = example
        .replace(
            "together communication experts from",
            &format!("together <span lang=\"fr\">{PHRASE}</span> from"),
        )
        .replace(
            "<affiliation>Head of Unit at the CoR</affiliation>",
            &format!("<affiliation><span lang=\"fr\">{AFFILIATION_PHRASE}</span> at the CoR</affiliation>"),
        )
        .replace(
            "from three countries.</p>",
            &format!("from three countries (see <link href=\"{LINK_HREF}\">the <span lang=\"fr\">{LINK_PHRASE}</span></link>).</p>"),
        );
    assert_ne!(
        example, with_spans,
        "the example still has the sentences this test marks"
    );
    with_spans
}

fn parse(xml: &str) -> Summary {
    parse_summary(xml.as_bytes(), Path::new("spans.xml"))
        .unwrap_or_else(|e| panic!("source with spans reads: {e}"))
}

fn export(format: Format, doc: &Summary) -> Vec<u8> {
    let fonts = FontSet::embedded().expect("fonts load");
    let ctx = ExportContext {
        fonts: &fonts,
        timestamp: Timestamp(1_700_000_000),
        docx_faces: None,
    };
    export::export(format, doc, &ctx).unwrap_or_else(|e| panic!("{format:?} is written: {e}"))
}

fn real_source(lang: &str) -> Summary {
    let path: PathBuf = common::repo_root().join(format!("sources/{lang}.xml"));
    read_source(&path).expect("source reads")
}

fn zip_entry(zip: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("zip opens");
    let mut out = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).expect(name), &mut out)
        .expect("entry reads");
    out
}

fn lang_phrases(inlines: &[Inline], out: &mut Vec<(String, String)>) {
    for inline in inlines {
        match inline {
            Inline::Lang { lang, content } => out.push((lang.clone(), plain_text(content))),
            Inline::Link { content, .. }
            | Inline::Emphasis { content }
            | Inline::Strong { content } => lang_phrases(content, out),
            Inline::Text { .. } => {}
        }
    }
}

#[test]
fn the_reader_keeps_spans_in_running_text_and_affiliations() {
    let doc = parse(&source_with_spans());
    let mut found = Vec::new();
    for section in &doc.sections {
        for block in &section.blocks {
            if let Block::Paragraph(p) = block {
                lang_phrases(&p.content, &mut found);
            }
        }
    }
    assert_eq!(
        found,
        vec![
            ("fr".to_string(), PHRASE.to_string()),
            ("fr".to_string(), LINK_PHRASE.to_string())
        ]
    );
    let paragraph = doc.sections[0]
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Paragraph(p) => Some(plain_text(&p.content)),
            _ => None,
        })
        .expect("a paragraph");
    assert_eq!(
        paragraph,
        format!(
            "The webinar brought together {PHRASE} from three countries (see the {LINK_PHRASE})."
        )
    );

    let doe = doc.people.iter().find(|p| p.id == "doe").expect("doe");
    let mut found = Vec::new();
    lang_phrases(doe.affiliation.as_deref().unwrap_or_default(), &mut found);
    assert_eq!(
        found,
        vec![("fr".to_string(), AFFILIATION_PHRASE.to_string())]
    );
    assert_eq!(
        doe.affiliation.as_deref().map(plain_text).as_deref(),
        Some(format!("{AFFILIATION_PHRASE} at the CoR").as_str())
    );
}

#[test]
fn the_shipped_sources_mark_the_english_job_titles() {
    for (lang, person, phrase) in [
        ("bg", "voshchevska", "Global Social Media Manager"),
        ("da", "voshchevska", "Global Social Media Manager"),
        ("da", "tkadlcikova", "Social Media Officer"),
    ] {
        let doc = real_source(lang);
        let p = doc.people.iter().find(|p| p.id == person).expect(person);
        let mut found = Vec::new();
        lang_phrases(p.affiliation.as_deref().unwrap_or_default(), &mut found);
        assert_eq!(
            found,
            vec![("en".to_string(), phrase.to_string())],
            "{lang} {person}"
        );
    }
}

#[test]
fn a_span_without_a_language_tag_is_an_error_at_its_place() {
    let xml = source_with_spans();
    let (line_no, line) = xml
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(PHRASE))
        .expect("the phrase's line");
    let column = line.find("lang=\"fr\"").expect("the attribute") + 1;
    for (bad, expected) in [
        ("lang=\"en_GB\"", "\"en_GB\" is not a language tag"),
        ("lang=\"\"", "is not a language tag"),
        ("xml:lang=\"fr\"", "<span> needs the attribute `lang`"),
    ] {
        let broken = xml.replacen("lang=\"fr\"", bad, 1);
        let errors = parse_summary(broken.as_bytes(), Path::new("spans.xml"))
            .expect_err("a bad span is refused")
            .to_string();
        assert!(errors.contains(expected), "{bad}: {errors}");
        let at_attribute = format!("spans.xml:{}:{column}:", line_no + 1);
        let at_element = format!("spans.xml:{}:", line_no + 1);
        assert!(
            errors.contains(&at_attribute)
                || (bad.starts_with("xml:") && errors.contains(&at_element)),
            "{bad}: no position {at_attribute} in {errors}"
        );
    }
}

#[test]
fn epub_marks_the_phrase_with_lang_and_xml_lang() {
    let epub = export(Format::Epub, &parse(&source_with_spans()));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&epub)).expect("zip opens");
    let names: Vec<String> = archive.file_names().map(String::from).collect();
    let xhtml: String = names
        .iter()
        .filter(|n| n.ends_with(".xhtml"))
        .map(|n| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(n).expect("entry"), &mut s)
                .expect("reads");
            s
        })
        .collect();
    for phrase in [PHRASE, AFFILIATION_PHRASE, LINK_PHRASE] {
        let marked = format!("<span lang=\"fr\" xml:lang=\"fr\">{phrase}</span>");
        assert!(xhtml.contains(&marked), "no {marked} in the EPUB");
    }
    // The phrase inside the link is marked inside the link's element.
    let in_link = format!("the <span lang=\"fr\" xml:lang=\"fr\">{LINK_PHRASE}</span></a>");
    assert!(xhtml.contains(&in_link), "no {in_link} in the EPUB");
    let anchor_start = xhtml[..xhtml.find(&in_link).expect("found")]
        .rfind("<a ")
        .expect("an <a> before the phrase");
    assert!(
        xhtml[anchor_start..].starts_with(&format!("<a href=\"{LINK_HREF}\"")),
        "{}",
        &xhtml[anchor_start..anchor_start + 80]
    );

    let danish = export(Format::Epub, &real_source("da"));
    let names: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(&danish))
        .expect("zip opens")
        .file_names()
        .map(String::from)
        .collect();
    let xhtml: String = names
        .iter()
        .filter(|n| n.ends_with(".xhtml"))
        .map(|n| zip_entry(&danish, n))
        .collect();
    assert!(xhtml.contains("<span lang=\"en\" xml:lang=\"en\">Global Social Media Manager</span>"));
}

/// The runs of a DOCX body that hold `text`, as their XML.
fn runs_with<'x>(document: &'x str, text: &str) -> Vec<&'x str> {
    document
        .split("<w:r>")
        .skip(1)
        .map(|r| r.split("</w:r>").next().unwrap_or_default())
        .filter(|r| r.contains(&format!(">{text}</w:t>")))
        .collect()
}

#[test]
fn docx_gives_the_phrase_runs_their_language() {
    let docx = export(Format::Docx, &parse(&source_with_spans()));
    let document = zip_entry(&docx, "word/document.xml");
    for phrase in [PHRASE, AFFILIATION_PHRASE] {
        let runs = runs_with(&document, phrase);
        assert_eq!(runs.len(), 1, "{phrase}: {runs:?}");
        assert!(runs[0].contains("<w:lang w:val=\"fr-FR\"/>"), "{}", runs[0]);
    }
    // The phrase inside the link: its run is one of the hyperlink's.
    let run = runs_with(&document, LINK_PHRASE);
    assert_eq!(run.len(), 1, "{run:?}");
    assert!(run[0].contains("<w:lang w:val=\"fr-FR\"/>"), "{}", run[0]);
    let at = document
        .find(&format!(">{LINK_PHRASE}</w:t>"))
        .expect("the phrase");
    let opened = document[..at].rfind("<w:hyperlink ").expect("a hyperlink");
    assert!(
        document[..at]
            .rfind("</w:hyperlink>")
            .is_none_or(|closed| closed < opened),
        "the phrase's run is outside any hyperlink"
    );
    let hyperlink = &document[opened..at];
    assert!(hyperlink.contains(">the </w:t>"), "{hyperlink}");
    let around = runs_with(&document, " at the CoR");
    assert_eq!(around.len(), 1);
    assert!(
        !around[0].contains("w:lang"),
        "the rest keeps the document's language"
    );

    let danish = zip_entry(
        &export(Format::Docx, &real_source("da")),
        "word/document.xml",
    );
    let runs = runs_with(&danish, "Global Social Media Manager");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].contains("<w:lang w:val=\"en-GB\"/>"), "{}", runs[0]);
}

/// `[lang, text, parent's type]` of every `Span` structure element and `[alt, annotations,
/// text]` of every `Link`, read with pikepdf and the marked-content reader of
/// `tests/pdf_measure.py`.
const SPANS_SCRIPT: &str = r#"
import json, sys
sys.path.insert(0, sys.argv[1])
import pikepdf
from pdf_measure import marked_content, text_string
pdf = pikepdf.open(sys.argv[2])
pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
texts = {}
def content(i):
    if i not in texts:
        texts[i] = marked_content(pdf.pages[i])
    return texts[i]
def text(node, page):
    if isinstance(node, pikepdf.Array):
        return "".join(text(k, page) for k in node)
    if isinstance(node, int):
        return content(page).get(node, "")
    if not isinstance(node, pikepdf.Dictionary):
        return ""
    if "/Pg" in node:
        page = pages[node.Pg.objgen]
    if node.get("/Type") == "/MCR":
        return content(page).get(int(node.MCID), "")
    return text(node.get("/K"), page)
spans = []
links = []
def walk(node, page, parent=None):
    if isinstance(node, pikepdf.Array):
        for k in node:
            walk(k, page, parent)
        return
    if not isinstance(node, pikepdf.Dictionary):
        return
    if "/Pg" in node:
        page = pages[node.Pg.objgen]
    if node.get("/S") == "/Span":
        spans.append([text_string(node.Lang) if "/Lang" in node else None, text(node.K, page), parent])
    if node.get("/S") == "/Link":
        kids = node.K if isinstance(node.K, pikepdf.Array) else [node.K]
        annotations = sum(1 for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR")
        links.append([text_string(node.Alt) if "/Alt" in node else None, annotations, text(node.K, page)])
    walk(node.get("/K"), page, str(node.get("/S")))
walk(pdf.Root.StructTreeRoot.K, None)
json.dump({"spans": spans, "links": links}, sys.stdout)
"#;

#[derive(serde::Deserialize)]
struct PdfStructure {
    spans: Vec<(Option<String>, String, Option<String>)>,
    links: Vec<(Option<String>, usize, String)>,
}

fn pdf_structure(pdf: &[u8]) -> PdfStructure {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("spans.pdf");
    std::fs::write(&path, pdf).expect("PDF written");
    let tests = common::repo_root().join("tests");
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(SPANS_SCRIPT)
        .arg(&tests)
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn normalised(text: &str) -> String {
    text.replace('\u{ad}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn pdf_structure_tree_has_a_span_with_the_phrase_language() {
    let ok = common::run("python3", &["-c", "import pymupdf, pikepdf"], None).0;
    if !ok {
        assert!(
            !common::validators_required(),
            "python3 with PyMuPDF and pikepdf is required"
        );
        eprintln!("skipping: PyMuPDF or pikepdf is not installed");
        return;
    }
    let structure = pdf_structure(&export(Format::Pdf, &parse(&source_with_spans())));
    let spans: Vec<(Option<String>, String, Option<String>)> = structure
        .spans
        .into_iter()
        .map(|(lang, text, parent)| (lang, normalised(&text), parent))
        .collect();
    for (phrase, parent) in [
        (PHRASE, "/P"),
        (AFFILIATION_PHRASE, "/P"),
        (LINK_PHRASE, "/Link"),
    ] {
        let wanted = (
            Some("fr".to_string()),
            phrase.to_string(),
            Some(parent.to_string()),
        );
        assert!(
            spans.contains(&wanted),
            "no Span /Lang (fr) holding {phrase:?} in a {parent} in {spans:?}"
        );
    }
    // The link holding the phrase keeps its annotation and reads as a whole.
    let whole = format!("the {LINK_PHRASE}");
    let link = structure
        .links
        .iter()
        .find(|(_, _, text)| normalised(text) == whole)
        .unwrap_or_else(|| panic!("no Link reading {whole:?} in {:?}", structure.links));
    assert!(link.1 >= 1, "the Link has no annotation: {link:?}");
    assert_eq!(link.0.as_deref(), Some(whole.as_str()), "{link:?}");

    let bulgarian: Vec<(Option<String>, String)> =
        pdf_structure(&export(Format::Pdf, &real_source("bg")))
            .spans
            .into_iter()
            .map(|(lang, text, _)| (lang, normalised(&text)))
            .collect();
    assert_eq!(
        bulgarian,
        vec![(
            Some("en".to_string()),
            "Global Social Media Manager".to_string()
        )]
    );
}
