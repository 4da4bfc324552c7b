//! The OCF container: a ZIP whose first entry is `mimetype`, stored uncompressed, so that
//! a reading system can recognise the file from its first bytes.
//!
//! Every entry carries the document's timestamp (never the clock) and the same
//! permissions, so two builds of the same input give identical bytes.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::EpubError;
use crate::date::Timestamp;

pub const MIMETYPE: &[u8] = b"application/epub+zip";

/// One file of the container.
pub struct Entry {
    pub path: String,
    pub bytes: Vec<u8>,
    /// Already-compressed data (PNG) is stored as it is.
    pub compress: bool,
}

pub fn write(entries: &[Entry], timestamp: Timestamp) -> Result<Vec<u8>, EpubError> {
    let modified = timestamp.zip_datetime();
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(modified)
        .unix_permissions(0o644);
    let deflated = stored
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6));

    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("mimetype", stored)?;
    zip.write_all(MIMETYPE)?;
    for entry in entries {
        zip.start_file(
            entry.path.as_str(),
            if entry.compress { deflated } else { stored },
        )?;
        zip.write_all(&entry.bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
