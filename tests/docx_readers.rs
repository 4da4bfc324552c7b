//! The DOCX of every source as the field's tools see it: the ISO/IEC 29500 schemas, python-docx
//! (what scripts read Word files with) and LibreOffice (what opens them without Word).
//!
//! Each tool is optional locally (the test says it skips) and required in CI
//! (`POLYPRESS_REQUIRE_VALIDATORS=1`).

mod common;
mod docx_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use docx_support::{built, fold_space, Built};
use polypress::export::docx::word_language;

/// Writes every built DOCX into a temporary folder, named after its language (the sources
/// share one id, so their file names would clash).
fn written() -> (tempfile::TempDir, Vec<(PathBuf, &'static Built)>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let files = built()
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let path = dir
                .path()
                .join(format!("{i}-{}-{}.docx", b.summary.lang, b.summary.id));
            std::fs::write(&path, &b.docx).expect("the DOCX is written");
            (path, b)
        })
        .collect();
    (dir, files)
}

/// Whether python3 can import `module`; when it cannot and CI requires validators, fails.
fn python_module(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !common::validators_required(),
            "python3 with {module} is required (POLYPRESS_REQUIRE_VALIDATORS=1)"
        );
        eprintln!("skipping: python3 cannot import {module}");
    }
    ok
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn every_part_validates_against_the_iso_29500_schemas() {
    let Some(tools) = common::shared_tools() else {
        assert!(
            !common::validators_required(),
            "../shared/tools is required"
        );
        eprintln!("skipping: ../shared/tools is not beside the repository");
        return;
    };
    if !python_module("lxml") {
        return;
    }
    let (_dir, files) = written();
    let script = tools.join("check-docx-schema.py");
    let mut args = vec![path_str(&script)];
    args.extend(files.iter().map(|(p, _)| path_str(p)));
    let (ok, output) = common::run("python3", &args, None);
    assert!(ok, "schema errors:\n{output}");
    assert!(
        output
            .trim_end()
            .ends_with(&format!("{} docx, 0 schema errors", files.len())),
        "{output}"
    );
}

const PYTHON_DOCX_DUMP: &str = r#"
import json, sys, zipfile, docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

def bullet_of(d, paragraph):
    """The bullet a paragraph gets from its style's numbering, as Word resolves it."""
    if paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
        return "numbering on the paragraph itself"
    style = paragraph.style.element
    num_pr = style.find(qn("w:pPr") + "/" + qn("w:numPr")) if style is not None else None
    if num_pr is None:
        return None
    num_id = num_pr.find(qn("w:numId")).get(qn("w:val"))
    numbering = d.part.numbering_part.element
    num = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id][0]
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = [a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id][0]
    level = abstract.find(qn("w:lvl"))
    return [level.find(qn("w:numFmt")).get(qn("w:val")), level.find(qn("w:lvlText")).get(qn("w:val"))]

out = []
for path in sys.argv[1:]:
    d = docx.Document(path)
    cp = d.core_properties
    added = d.add_paragraph("typed by an editor", style="List Bullet")
    theme = zipfile.ZipFile(path).read("word/theme/theme1.xml").decode()
    numbering = d.part.numbering_part.element
    out.append({
        "paragraphs": [[p.style.name, p.text] for p in d.paragraphs],
        "title": cp.title, "author": cp.author, "language": cp.language,
        "defaults": [d.styles.default(t).name if d.styles.default(t) is not None else None
                     for t in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE, WD_STYLE_TYPE.LIST)],
        "new_list_bullet": bullet_of(d, added),
        "abstract_numberings": len(numbering.findall(qn("w:abstractNum"))),
        "theme_fonts": [theme.count('<a:majorFont><a:latin typeface="Source Sans 3"/>'),
                        theme.count('<a:minorFont><a:latin typeface="Source Sans 3"/>')],
    })
print(json.dumps(out))
"#;

#[test]
fn python_docx_reads_the_styles_and_every_word() {
    if !python_module("docx") {
        return;
    }
    let (_dir, files) = written();
    let mut args = vec!["-c", PYTHON_DOCX_DUMP];
    args.extend(files.iter().map(|(p, _)| path_str(p)));
    let output = Command::new("python3")
        .args(&args)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "python-docx cannot read the DOCX:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("the script prints JSON");
    assert_eq!(read.len(), files.len());
    for ((path, b), doc) in files.iter().zip(&read) {
        let name = path.display();
        let paragraphs: Vec<(String, String)> = doc["paragraphs"]
            .as_array()
            .expect("paragraphs")
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap_or_default().to_string(),
                    p[1].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let styled = |style: &str| {
            paragraphs
                .iter()
                .filter(|(s, _)| s == style)
                .map(|(_, t)| t.clone())
                .collect::<Vec<_>>()
        };
        let summary = &b.summary;
        assert_eq!(styled("Title"), vec![summary.meta.title.clone()], "{name}");
        assert!(!styled("Subtitle").is_empty(), "{name}");
        assert_eq!(
            styled("Heading 1").len(),
            summary.sections.len() + usize::from(summary.questions.is_some()),
            "{name}"
        );
        assert_eq!(styled("Heading 2").len(), summary.talks().count(), "{name}");
        for style in ["Heading 3", "List Bullet"] {
            assert!(!styled(style).is_empty(), "{name}: no {style} paragraph");
        }
        let text = fold_space(
            &paragraphs
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        for expected in summary.visible_text() {
            let expected = fold_space(&expected);
            assert!(
                text.contains(&expected),
                "{name}: python-docx misses {expected:?}"
            );
        }
        // Word's defaults are ours: Normal for paragraphs, and the other three built-ins.
        assert_eq!(
            doc["defaults"],
            serde_json::json!([
                "Normal",
                "Default Paragraph Font",
                "Normal Table",
                "No List"
            ]),
            "{name}"
        );
        // A paragraph an editor sets in List Bullet gets its bullet from the style.
        assert_eq!(
            doc["new_list_bullet"],
            serde_json::json!(["bullet", "•"]),
            "{name}"
        );
        assert_eq!(doc["abstract_numberings"], 1, "{name}: an unused numbering");
        assert_eq!(doc["theme_fonts"], serde_json::json!([1, 1]), "{name}");
        assert_eq!(doc["title"], summary.meta.title.as_str(), "{name}");
        assert_eq!(doc["author"], summary.meta.organiser.as_str(), "{name}");
        assert_eq!(
            doc["language"],
            word_language(&summary.lang).as_str(),
            "{name}"
        );
    }
}

/// LibreOffice converts every DOCX to PDF in one process, as an editor with all the language
/// versions open would, with Source Sans 3 hidden from fontconfig (the machine without the
/// font that embedding is for). Each PDF has every word, the page numbers, and only Source
/// Sans 3: the embedded faces, and the same ones serve every language.
#[test]
fn libreoffice_lays_out_every_document_in_the_embedded_font() {
    if !common::tool_available("soffice", &["--version"])
        || !common::tool_available("pdffonts", &["-v"])
        || !common::tool_available("pdftotext", &["-v"])
    {
        return;
    }
    let (dir, files) = written();
    let profile = dir.path().join("lo-profile");
    let installation = format!("-env:UserInstallation=file://{}", profile.display());
    // The system's fonts, less any Source Sans 3.
    let fontconfig = dir.path().join("fonts.conf");
    std::fs::write(
        &fontconfig,
        r#"<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <pattern><patelt name="family"><string>Source Sans 3</string></patelt></pattern>
    <glob>*SourceSans3*</glob>
  </rejectfont></selectfont>
</fontconfig>
"#,
    )
    .expect("fonts.conf");
    let hidden = Command::new("fc-list")
        .args([":", "family"])
        .env("FONTCONFIG_FILE", &fontconfig)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    assert!(
        !hidden.contains("Source Sans 3"),
        "Source Sans 3 is still visible"
    );
    let mut args = vec![
        installation,
        "--headless".to_string(),
        "--convert-to".to_string(),
        "pdf".to_string(),
        "--outdir".to_string(),
        path_str(dir.path()).to_string(),
    ];
    args.extend(files.iter().map(|(path, _)| path_str(path).to_string()));
    let converted = Command::new("soffice")
        .args(&args)
        .env("FONTCONFIG_FILE", &fontconfig)
        .output()
        .expect("soffice runs");
    let output = String::from_utf8_lossy(&converted.stdout).into_owned()
        + &String::from_utf8_lossy(&converted.stderr);
    for (path, b) in &files {
        let pdf = path.with_extension("pdf");
        assert!(
            converted.status.success() && pdf.is_file(),
            "LibreOffice cannot convert {}:\n{output}",
            path.display()
        );
        let pdf = path_str(&pdf);

        let (_, fonts) = common::run("pdffonts", &[pdf], None);
        let families: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next())
            .map(|name| name.split_once('+').map_or(name, |(_, base)| base))
            .collect();
        assert!(families.contains(&"SourceSans3-Regular"), "{pdf}: {fonts}");
        assert!(families.contains(&"SourceSans3-Bold"), "{pdf}: {fonts}");
        assert!(
            families.iter().all(|f| f.starts_with("SourceSans3-")),
            "{pdf}: a fallback font stands in for a missing glyph:\n{fonts}"
        );

        let (_, text) = common::run("pdftotext", &["-enc", "UTF-8", pdf, "-"], None);
        // pdftotext joins a compound broken after its hyphen ("közösségimédia-" / "profilokat")
        // without the hyphen, so hyphens are left out of the comparison.
        let text = fold_space(&text).replace('-', "");
        for expected in b.summary.visible_text() {
            for word in expected.split_whitespace() {
                let word = word.replace('-', "");
                assert!(text.contains(&word), "{pdf}: {word:?} is not on any page");
            }
        }
        // The footer's PAGE and NUMPAGES fields are computed, not their cached "1": page 2
        // says "2 / 5".
        let second_page = Command::new("pdftotext")
            .args(["-f", "2", "-l", "2", pdf, "-"])
            .output()
            .expect("pdftotext runs");
        if second_page.status.success() {
            let text = String::from_utf8_lossy(&second_page.stdout);
            let pages = text
                .lines()
                .find_map(|l| l.replace(' ', "").strip_prefix("2/").map(str::to_string));
            assert!(
                pages.is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n >= 2)),
                "{pdf}: page 2 has no \"2 / pages\" in its footer:\n{text}"
            );
        }
    }
}
