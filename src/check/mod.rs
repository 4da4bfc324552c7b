//! Checks that run before anything is rendered: the reader's own checks (well-formed XML,
//! structure, links), font coverage, and consistency between the languages of one summary.
//!
//! `polypress check` runs all of them; `build` runs the per-source ones (reading and font
//! coverage) and skips a source that fails them.

pub mod alphabets;
pub mod anomalies;
pub mod consistency;
pub mod coverage;
pub mod numbers;
pub mod slips;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity};
use crate::fonts::FontSet;
use crate::model::Summary;

/// What `polypress check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Per source in the order given, then the cross-language findings.
    pub diagnostics: Vec<Diagnostic>,
    pub sources: usize,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// One source after its own checks: the summary when it could be read at all.
struct Checked {
    path: PathBuf,
    bytes: Vec<u8>,
    summary: Option<Summary>,
    diagnostics: Vec<Diagnostic>,
}

/// Checks each source on its own, then every group of sources of the same summary together.
pub fn check_files(paths: &[PathBuf], fonts: &FontSet) -> CheckReport {
    let checked: Vec<Checked> = paths
        .par_iter()
        .map(|path| check_one(path.clone(), fonts))
        .collect();
    let mut report = CheckReport {
        sources: paths.len(),
        ..CheckReport::default()
    };
    for c in &checked {
        report.diagnostics.extend(c.diagnostics.iter().cloned());
    }
    let readable: Vec<consistency::Source> = checked
        .iter()
        .filter_map(|c| {
            c.summary.as_ref().map(|doc| consistency::Source {
                file: &c.path,
                doc,
                text: &c.bytes,
            })
        })
        .collect();
    let mut findings = consistency::compare(&readable);
    let slip_sources: Vec<slips::Source> = readable
        .iter()
        .map(|s| slips::Source {
            file: s.file,
            doc: s.doc,
            text: s.text,
        })
        .collect();
    findings.extend(slips::check(&slip_sources));
    findings.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    report.diagnostics.extend(findings);
    report
}

fn check_one(path: PathBuf, fonts: &FontSet) -> Checked {
    let bytes = match crate::source::read_bytes(&path) {
        Ok(b) => b,
        Err(d) => {
            return Checked {
                path,
                bytes: Vec::new(),
                summary: None,
                diagnostics: vec![d],
            }
        }
    };
    match crate::source::parse_summary(&bytes, &path) {
        Ok(summary) => {
            let missing = coverage::missing_glyphs(&summary, fonts);
            let mut diagnostics = coverage::diagnostics(&missing, &bytes, &path, fonts);
            diagnostics.extend(anomalies::check(&summary, &path));
            Checked {
                path,
                bytes,
                summary: Some(summary),
                diagnostics,
            }
        }
        Err(errors) => Checked {
            path,
            bytes: Vec::new(),
            summary: None,
            diagnostics: errors.0,
        },
    }
}

/// The cross-language findings of `check` for these sources (those that read at all), each
/// with the language of the source it is about: what `build` reports before building.
///
/// Only sources that share a summary id are compared, so they are grouped by the id of
/// their root element first (read without parsing the rest) and parsed group by group:
/// memory follows the largest group, not the number of sources.
pub fn compare_files(paths: &[PathBuf]) -> Vec<(Diagnostic, String)> {
    let ids: Vec<Option<String>> = paths
        .par_iter()
        .map(|path| {
            let bytes = crate::source::read_bytes(path).ok()?;
            crate::pipeline::root_id_and_lang(&bytes).map(|(id, _)| id)
        })
        .collect();
    let mut groups: std::collections::BTreeMap<&str, Vec<&PathBuf>> = Default::default();
    for (path, id) in paths.iter().zip(&ids) {
        if let Some(id) = id {
            groups.entry(id.as_str()).or_default().push(path);
        }
    }
    let groups: Vec<Vec<&PathBuf>> = groups.into_values().filter(|g| g.len() > 1).collect();
    let mut findings: Vec<(Diagnostic, String)> = groups
        .par_iter()
        .flat_map_iter(|group| compare_group(group))
        .collect();
    findings.sort_by(|(a, _), (b, _)| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    findings
}

fn compare_group(paths: &[&PathBuf]) -> Vec<(Diagnostic, String)> {
    let read: Vec<(&PathBuf, Vec<u8>, Summary)> = paths
        .iter()
        .filter_map(|path| {
            let bytes = crate::source::read_bytes(path).ok()?;
            let summary = crate::source::parse_summary(&bytes, path).ok()?;
            Some((*path, bytes, summary))
        })
        .collect();
    let sources: Vec<consistency::Source> = read
        .iter()
        .map(|(file, text, doc)| consistency::Source { file, doc, text })
        .collect();
    consistency::compare(&sources)
        .into_iter()
        .map(|d| {
            let lang = read
                .iter()
                .find(|(file, ..)| **file == d.file)
                .map(|(_, _, doc)| doc.lang.clone())
                .unwrap_or_default();
            (d, lang)
        })
        .collect()
}
