//! Pages filled like a typeset book, measured on the handouts from the PDF (PyMuPDF's line
//! positions): every page but the last ends on the same baseline, and the last page is not
//! a near-empty one.

mod common;
mod pdf_support;

use pdf_support::{handouts, measuring_available};

const MM: f32 = 72.0 / 25.4;

#[test]
fn non_final_pages_end_flush_at_the_foot() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let pages = &h.measured.pages;
        assert!(pages.len() >= 2, "{}", h.summary.lang);
        let lowest: Vec<f32> = pages
            .iter()
            .map(|p| p.lines.iter().map(|l| l.baseline).fold(0.0, f32::max))
            .collect();
        let fullest = lowest.iter().copied().fold(0.0, f32::max);
        let holes: Vec<f32> = lowest[..lowest.len() - 1]
            .iter()
            .map(|b| (fullest - b) / MM)
            .collect();
        let mean = holes.iter().sum::<f32>() / holes.len() as f32;
        let max = holes.iter().copied().fold(0.0, f32::max);
        assert!(
            mean <= 5.0 && max <= 12.0,
            "{}: empty space above the footer per page (mm): {holes:?}",
            h.summary.lang
        );
    }
}

#[test]
fn the_last_page_holds_at_least_eight_lines() {
    if !measuring_available() {
        return;
    }
    for h in handouts() {
        let last = h.measured.pages.last().expect("a page");
        assert!(
            last.lines.len() >= 8,
            "{}: {} lines on the last page",
            h.summary.lang,
            last.lines.len()
        );
    }
}
