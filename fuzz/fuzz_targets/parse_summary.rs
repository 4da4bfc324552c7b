//! Any bytes through the source reader, and what it accepts through font coverage and the
//! cross-language comparison (against itself): nothing may panic, hang or grow without bound.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use polypress::check::{consistency, coverage};
use polypress::fonts::FontSet;

fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(|| FontSet::embedded().expect("the embedded fonts parse"))
}

fuzz_target!(|data: &[u8]| {
    let file = Path::new("fuzz.xml");
    let Ok(doc) = polypress::source::parse_summary(data, file) else {
        return;
    };
    let missing = coverage::missing_glyphs(&doc, fonts());
    let _ = coverage::diagnostics(&missing, data, file, fonts());
    // The comparison needs two languages: the same summary under another tag.
    let mut other = doc.clone();
    other.lang.push_str("-x");
    let _ = consistency::compare(&[
        consistency::Source { file, doc: &doc, text: data },
        consistency::Source { file, doc: &other, text: data },
    ]);
});
