//! Reading sources: XML summaries, and importing plain text into them.

pub mod import;
pub mod read;
pub mod xml;

use std::path::Path;

use crate::diagnostic::{Diagnostic, SourceErrors};
use crate::model::Summary;

pub use read::parse_summary;

/// Reads and parses one source file.
pub fn read_source(path: &Path) -> Result<Summary, SourceErrors> {
    let bytes = std::fs::read(path).map_err(|e| {
        SourceErrors(vec![Diagnostic::error(
            path,
            None,
            format!("cannot read the file: {e}"),
        )])
    })?;
    parse_summary(&bytes, path)
}
