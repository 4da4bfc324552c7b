//! A document longer than the layout keeps in memory: its later lines are set again when
//! their pages are drawn, and its long paragraph is set in windows. Read back from the PDF
//! (PyMuPDF, pikepdf), every word is there, along the structure tree and as a search box
//! finds it, and no line crosses the margins.

mod common;
mod pdf_support;

use std::fmt::Write as _;

use pdf_support::{measure, measuring_available, word_recall};
use polypress::export::Format;
use polypress::pipeline;

#[test]
fn a_long_document_keeps_every_word_inside_the_margins() {
    if !measuring_available() {
        return;
    }
    let words: Vec<String> = std::fs::read_to_string(common::repo_root().join("sources/da.xml"))
        .expect("sources/da.xml reads")
        .split_whitespace()
        .filter(|w| !w.contains(['<', '>', '&', '"', '=']))
        .map(str::to_string)
        .collect();
    let mut body = String::new();
    // Paragraphs enough to pass the glyphs the layout keeps (200,000).
    for p in 0..700 {
        body.push_str("    <p>");
        for i in 0..60 {
            body.push_str(&words[(p * 61 + i * 7) % words.len()]);
            body.push(' ');
        }
        body.push_str("slut.</p>\n");
    }
    // One paragraph of about 90 KB, set in windows.
    body.push_str("    <p>");
    for i in 0..12_000 {
        let _ = write!(body, "{} ", words[(i * 13) % words.len()]);
    }
    body.push_str("slut.</p>\n");
    let source = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<summary version="1" id="long-document" lang="da">
  <meta>
    <title>Et langt dokument</title>
    <event>Prøve</event>
    <organiser>Testen</organiser>
    <revised>2026-11-21</revised>
    <accessibility-summary>Tekst i læserækkefølge.</accessibility-summary>
    <labels linkedin="LinkedIn" twitter="Twitter" contents="Indhold"/>
  </meta>
  <section>
    <heading>Baggrund</heading>
{body}  </section>
</summary>
"#
    );
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("long.xml");
    std::fs::write(&path, source).expect("writes the source");
    let (out, report) = common::build_into(vec![path.clone()], &[Format::Pdf]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let summary = pipeline::load_source(&path).expect("loads").summary;
    let pdf = out
        .path()
        .join(pipeline::output_path(&summary, Format::Pdf));
    let measured = measure(&pdf);
    assert!(measured.pages.len() > 60, "{} pages", measured.pages.len());
    for (name, text) in [("tree", &measured.tree), ("plain", &measured.plain)] {
        let (recall, missing) = word_recall(&summary, text);
        assert!(
            recall == 1.0,
            "{name}: recall {recall}, missing {:?}",
            &missing[..missing.len().min(20)]
        );
    }
    let right_margin = 595.276 - 76.0 + 0.5;
    for (number, page) in measured.pages.iter().enumerate() {
        for line in &page.lines {
            // A line ends with the space it was broken at, drawn with no advance (for text
            // read along the tree), which PyMuPDF's box counts at its full width.
            let space = if line.text.ends_with(' ') { 3.0 } else { 0.0 };
            assert!(
                line.x0 >= 75.5 && line.x1 <= right_margin + space,
                "page {}: a line from {} to {}: {}",
                number + 1,
                line.x0,
                line.x1,
                line.text
            );
        }
    }
}
