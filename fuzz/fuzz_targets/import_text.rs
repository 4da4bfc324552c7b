//! Any bytes through `polypress import`: nothing may panic, hang or grow without bound, and
//! what import would write holds no character XML refuses; when it passes the check import
//! runs before writing, the source reader accepts it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use polypress::source::import::{check_written, import_text, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions {
        lang: "da".to_string(),
        id: None,
        ids_from: None,
        revised: "2026-11-21".to_string(),
    };
    let Ok(imported) = import_text(data, Path::new("fuzz.txt"), &options) else {
        return;
    };
    assert!(
        imported
            .xml
            .chars()
            .all(|c| matches!(c, '\t' | '\n' | '\r') || polypress::source::xml::is_allowed_char(c)),
        "import wrote a character XML refuses"
    );
    let written = Path::new("fuzz.xml");
    // What import would write passes its own check (fields it left empty for the editor
    // aside); with none left empty, the source reader accepts it as it is.
    if check_written(&imported, written).is_none() && imported.left_empty.is_empty() {
        assert!(polypress::source::parse_summary(imported.xml.as_bytes(), written).is_ok());
    }
});
