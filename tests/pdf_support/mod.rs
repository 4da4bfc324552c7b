//! The handouts measured from the PDF itself (`tests/pdf_measure.py`: PyMuPDF for the text
//! and line positions, pikepdf for the structure tree), never from the typesetter's data.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use polypress::export::Format;
use polypress::model::Summary;
use polypress::pipeline;

use crate::common;

/// One body line of a page, as PyMuPDF reads it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PageLine {
    /// Points from the page's top edge.
    pub baseline: f32,
    pub x0: f32,
    pub x1: f32,
    pub size: f32,
    pub text: String,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Page {
    pub height: f32,
    pub lines: Vec<PageLine>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Annotation {
    pub contents: String,
    pub uri: String,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Measured {
    /// Plain extraction, lines joined only where one ends with U+00AD.
    pub plain: String,
    /// Marked content in structure-tree order, ActualText honoured.
    pub tree: String,
    pub pages: Vec<Page>,
    pub body_lines: usize,
    pub hyphenated: usize,
    pub max_consecutive_hyphenated: usize,
    pub annotations: Vec<Annotation>,
}

pub struct Handout {
    pub summary: Summary,
    pub pdf: PathBuf,
    pub measured: Measured,
}

/// Whether python3 with PyMuPDF and pikepdf is here (a failure instead of a skip when
/// `POLYPRESS_REQUIRE_VALIDATORS=1`).
pub fn measuring_available() -> bool {
    let ok = common::run("python3", &["-c", "import pymupdf, pikepdf"], None).0;
    if !ok {
        assert!(
            !common::validators_required(),
            "python3 with PyMuPDF and pikepdf is required (pip install pymupdf pikepdf)"
        );
        eprintln!("skipping: PyMuPDF or pikepdf is not installed");
    }
    ok
}

/// Measures one PDF with `tests/pdf_measure.py`.
pub fn measure(pdf: &Path) -> Measured {
    let script = common::repo_root().join("tests/pdf_measure.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(pdf)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "pdf_measure.py failed on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("pdf_measure.py writes JSON")
}

/// Every source built into PDF once per test binary and measured.
pub fn handouts() -> &'static [Handout] {
    static BUILT: OnceLock<(tempfile::TempDir, Vec<Handout>)> = OnceLock::new();
    &BUILT
        .get_or_init(|| {
            let sources = common::source_files();
            let (dir, report) = common::build_into(sources.clone(), &[Format::Pdf]);
            assert!(report.failures.is_empty(), "{:?}", report.failures);
            let handouts = sources
                .iter()
                .map(|path| {
                    let summary = pipeline::load_source(path).expect("source loads").summary;
                    let pdf = dir
                        .path()
                        .join(pipeline::output_path(&summary, Format::Pdf));
                    let measured = measure(&pdf);
                    Handout {
                        summary,
                        pdf,
                        measured,
                    }
                })
                .collect();
            (dir, handouts)
        })
        .1
}

/// Words as a reader counts them: runs of letters and digits ("COVID-19" is two), a soft
/// hyphen (U+00AD, invisible unless a line breaks there) being no break.
pub fn words(text: &str) -> Vec<String> {
    text.replace('\u{ad}', "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The share of the source's words (with their counts) found in `text`, and the words
/// missing.
pub fn word_recall(summary: &Summary, text: &str) -> (f64, Vec<String>) {
    let mut wanted: BTreeMap<String, usize> = BTreeMap::new();
    for piece in summary.visible_text() {
        for word in words(&piece) {
            *wanted.entry(word).or_default() += 1;
        }
    }
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for word in words(text) {
        *found.entry(word).or_default() += 1;
    }
    let total: usize = wanted.values().sum();
    let mut hits = 0;
    let mut missing = Vec::new();
    for (word, &count) in &wanted {
        let have = found.get(word.as_str()).copied().unwrap_or(0);
        hits += have.min(count);
        if have < count {
            missing.push(format!("{word} ({have}/{count})"));
        }
    }
    (hits as f64 / total.max(1) as f64, missing)
}
