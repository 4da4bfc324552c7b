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
    let bytes = read_bytes(path).map_err(|d| SourceErrors(vec![d]))?;
    parse_summary(&bytes, path)
}

/// A source read and parsed, with the digest of its bytes (for the manifest).
pub struct LoadedSource {
    pub path: std::path::PathBuf,
    pub sha256: String,
    pub summary: Summary,
}

/// Reads and parses one source, keeping its digest.
pub fn load_source(path: &Path) -> Result<LoadedSource, SourceErrors> {
    let bytes = read_bytes(path).map_err(|d| SourceErrors(vec![d]))?;
    let summary = parse_summary(&bytes, path)?;
    Ok(LoadedSource {
        path: path.to_path_buf(),
        sha256: crate::sha256_hex(&bytes),
        summary,
    })
}

/// Reads a source file's bytes, but never more than one byte past the size limit: whatever
/// a path points at (a huge file, a device that never ends), memory stays bounded, and the
/// parser reports the oversize with its position.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let cannot =
        |e: std::io::Error| Diagnostic::error(path, None, format!("cannot read the file: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(xml::MAX_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    Ok(bytes)
}
