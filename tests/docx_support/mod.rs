//! Helpers for the DOCX tests: every source built once per test binary, and a small reader of
//! the parts a word processor reads.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

use polypress::date::Timestamp;
use polypress::export::docx::{FaceRepertoire, SharedFaces};
use polypress::export::{self, ExportContext, Format};
use polypress::fonts::FontSet;
use polypress::model::{Block, Inline, Summary};
use polypress::pipeline;
use quick_xml::events::Event;
use quick_xml::Reader;

/// The fixed date the tests build with (`SOURCE_DATE_EPOCH`).
pub const EPOCH: i64 = 1_700_000_000;

pub struct Built {
    pub path: PathBuf,
    pub summary: Summary,
    pub docx: Vec<u8>,
}

/// The real sources (`sources/*.xml`) and the documented example, parsed and written as DOCX
/// with the faces a run of all of them embeds.
pub fn built() -> &'static [Built] {
    static BUILT: OnceLock<Vec<Built>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let fonts = FontSet::embedded().expect("the fonts load");
        let paths = source_paths();
        let faces = run_faces(&fonts, &paths);
        paths
            .into_iter()
            .map(|path| {
                let summary = pipeline::load_source(&path)
                    .unwrap_or_else(|e| panic!("{} reads: {e}", path.display()))
                    .summary;
                let docx = build_docx_with(&summary, &fonts, Some(&faces));
                Built {
                    path,
                    summary,
                    docx,
                }
            })
            .collect()
    })
}

/// The faces a run of these sources embeds in every DOCX, as the pipeline cuts them.
pub fn run_faces(fonts: &FontSet, sources: &[PathBuf]) -> SharedFaces {
    let text = sources.iter().flat_map(|path| {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        pipeline::source_text_chars(&bytes)
    });
    SharedFaces::subset(fonts, FaceRepertoire::new(fonts, text)).expect("the faces are cut")
}

/// A document written on its own, outside a run.
pub fn build_docx(summary: &Summary, fonts: &FontSet) -> Vec<u8> {
    build_docx_with(summary, fonts, None)
}

pub fn build_docx_with(
    summary: &Summary,
    fonts: &FontSet,
    docx_faces: Option<&SharedFaces>,
) -> Vec<u8> {
    let ctx = ExportContext {
        fonts,
        timestamp: Timestamp::for_document(summary, Some(EPOCH)),
        docx_faces,
    };
    export::export(Format::Docx, summary, &ctx).expect("the DOCX writer succeeds")
}

pub fn source_paths() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    if root.join("sources").is_dir() {
        paths = pipeline::discover_sources(&[root.join("sources")]).expect("sources/ lists");
    }
    paths.push(root.join("tests/fixtures/example.xml"));
    paths
}

/// A part of the package, or `None` when it is missing.
pub fn part(docx: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("the DOCX is a ZIP");
    let mut file = zip.by_name(name).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("the part reads");
    Some(bytes)
}

pub fn part_text(docx: &[u8], name: &str) -> String {
    String::from_utf8(part(docx, name).unwrap_or_else(|| panic!("{name} is in the package")))
        .expect("the part is UTF-8")
}

/// A run of text and how it is set.
#[derive(Debug, Clone, Default)]
pub struct RunText {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub char_style: Option<String>,
    /// The relationship id of the hyperlink the run is in.
    pub link_rid: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Para {
    pub style: Option<String>,
    pub num_id: Option<String>,
    pub runs: Vec<RunText>,
}

impl Para {
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// The paragraphs of `word/document.xml` (or a footer), as a reader sees them.
pub fn paragraphs(xml: &str) -> Vec<Para> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<Para> = Vec::new();
    let mut para: Option<Para> = None;
    let mut run: Option<RunText> = None;
    let mut link: Option<String> = None;
    let mut in_text = false;
    loop {
        let event = reader.read_event().expect("the part is well-formed");
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                let attr = |name: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name.as_bytes())
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                };
                match e.name().as_ref() {
                    b"w:p" if !empty => para = Some(Para::default()),
                    b"w:pStyle" => {
                        if let Some(p) = para.as_mut() {
                            p.style = attr("w:val");
                        }
                    }
                    b"w:numId" => {
                        if let Some(p) = para.as_mut() {
                            p.num_id = attr("w:val");
                        }
                    }
                    b"w:hyperlink" if !empty => link = attr("r:id"),
                    b"w:r" if !empty => {
                        run = Some(RunText {
                            link_rid: link.clone(),
                            ..Default::default()
                        })
                    }
                    b"w:b" => {
                        if let Some(r) = run.as_mut() {
                            r.bold = attr("w:val").is_none_or(|v| v != "0" && v != "false");
                        }
                    }
                    b"w:i" => {
                        if let Some(r) = run.as_mut() {
                            r.italic = attr("w:val").is_none_or(|v| v != "0" && v != "false");
                        }
                    }
                    b"w:rStyle" => {
                        if let Some(r) = run.as_mut() {
                            r.char_style = attr("w:val");
                        }
                    }
                    b"w:t" if !empty => in_text = true,
                    b"w:br" => {
                        if let Some(r) = run.as_mut() {
                            r.text.push('\n');
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                if let Some(r) = run.as_mut() {
                    r.text.push_str(&t.unescape().expect("text unescapes"));
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:r" => {
                    if let (Some(r), Some(p)) = (run.take(), para.as_mut()) {
                        p.runs.push(r);
                    }
                }
                b"w:hyperlink" => link = None,
                b"w:p" => out.extend(para.take()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The relationships of a part: id -> (type, target, external).
pub fn relationships(xml: &str) -> BTreeMap<String, (String, String, bool)> {
    let mut reader = Reader::from_str(xml);
    let mut out = BTreeMap::new();
    loop {
        match reader
            .read_event()
            .expect("the relationships are well-formed")
        {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"Relationship" => {
                let mut id = String::new();
                let mut kind = String::new();
                let mut target = String::new();
                let mut external = false;
                for a in e.attributes().flatten() {
                    let value = a.unescape_value().expect("value unescapes").into_owned();
                    match a.key.as_ref() {
                        b"Id" => id = value,
                        b"Type" => kind = value,
                        b"Target" => target = value,
                        b"TargetMode" => external = value == "External",
                        _ => {}
                    }
                }
                out.insert(id, (kind, target, external));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Whitespace folded to single spaces (U+00A0 included), so text compares across line breaks.
pub fn fold_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every address the document should make clickable: links in the text, the recording, and
/// every LinkedIn and X/Twitter profile.
pub fn expected_links(doc: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &doc.meta.recording {
        out.push(r.href.clone());
        inline_links(&r.text, &mut out);
    }
    if let Some(a) = &doc.meta.attendance {
        inline_links(&a.text, &mut out);
    }
    for person in &doc.people {
        out.extend(person.linkedin.clone());
        out.extend(person.twitter_url());
    }
    for section in &doc.sections {
        block_links(&section.blocks, &mut out);
    }
    if let Some(q) = &doc.questions {
        for question in &q.items {
            inline_links(&question.text, &mut out);
            for answer in &question.answers {
                for p in &answer.paragraphs {
                    inline_links(&p.content, &mut out);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn block_links(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match block {
            Block::Paragraph(p) => inline_links(&p.content, out),
            Block::List(l) => l.items.iter().for_each(|i| inline_links(&i.content, out)),
            Block::Talk(t) => block_links(&t.blocks, out),
            Block::Subheading(_) | Block::People(_) => {}
        }
    }
}

fn inline_links(inlines: &[Inline], out: &mut Vec<String>) {
    for inline in inlines {
        match inline {
            Inline::Link { href, content } => {
                out.push(href.clone());
                inline_links(content, out);
            }
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Lang { content, .. } => inline_links(content, out),
            Inline::Text { .. } => {}
        }
    }
}

/// The font table's embedded faces, de-obfuscated per ECMA-376 Part 1, 17.8.1.
pub fn embedded_faces(docx: &[u8]) -> Vec<(String, Vec<u8>)> {
    let table = part_text(docx, "word/fontTable.xml");
    let rels = relationships(&part_text(docx, "word/_rels/fontTable.xml.rels"));
    let mut faces = Vec::new();
    for element in [
        "embedRegular",
        "embedBold",
        "embedItalic",
        "embedBoldItalic",
    ] {
        let start = table
            .find(&format!("<w:{element} "))
            .unwrap_or_else(|| panic!("w:{element} in the font table"));
        let tag = &table[start..start + table[start..].find("/>").expect("tag ends")];
        let attr = |name: &str| {
            let from = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
            tag[from..from + tag[from..].find('"').expect("quote")].to_string()
        };
        let (kind, target, _) = rels.get(&attr("r:id")).expect("the font relationship");
        assert!(kind.ends_with("/font"));
        let mut data = part(docx, &format!("word/{target}")).expect("the font part");
        let guid: String = attr("w:fontKey")
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect();
        assert_eq!(guid.len(), 32, "a GUID key");
        let key: Vec<u8> = (0..16)
            .rev()
            .map(|i| u8::from_str_radix(&guid[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
        for (i, byte) in data.iter_mut().take(32).enumerate() {
            *byte ^= key[i % 16];
        }
        faces.push((element.to_string(), data));
    }
    faces
}
