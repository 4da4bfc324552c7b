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
    read_regular_file(path, xml::MAX_SOURCE_BYTES as u64 + 1)
        .map_err(|e| Diagnostic::error(path, None, format!("cannot read the file: {e}")))
}

/// Reads at most `limit` bytes of a regular file. Anything else is refused before it is
/// opened: a FIFO would block the open (and the run) until something writes to it, a device
/// such as /dev/zero never ends, and a folder or dangling link holds nothing to read.
pub fn read_regular_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    not_a_regular_file(path)?;
    let file = std::fs::File::open(path)?;
    // Between the look and the open, the path may have been replaced.
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// An error saying what `path` is, unless it is a regular file (or a link to one).
pub fn not_a_regular_file(path: &Path) -> std::io::Result<()> {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path.is_symlink() => {
            return Err(std::io::Error::new(
                e.kind(),
                "it is a symbolic link to a file that does not exist",
            ))
        }
        Err(e) => return Err(e),
    };
    if metadata.is_file() {
        return Ok(());
    }
    let what = if metadata.is_dir() {
        "a folder"
    } else {
        special_file_kind(&metadata)
    };
    Err(std::io::Error::other(format!(
        "it is {what}, not a regular file; polypress reads regular files only"
    )))
}

#[cfg(unix)]
fn special_file_kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}
