//! The OCF container: a ZIP whose first entry is `mimetype`, stored uncompressed, so that
//! a reading system can recognise the file from its first bytes.
//!
//! Every entry carries the document's timestamp (never the clock) and the same
//! permissions, so two builds of the same input give identical bytes.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

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
    let modified = zip_time(timestamp);
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

/// ZIP dates run from 1980 to 2107 in local time without a zone; the UTC date is written,
/// clamped into that range.
fn zip_time(timestamp: Timestamp) -> DateTime {
    let (year, month, day, hour, minute, second) = timestamp.civil();
    let clamped = year.clamp(1980, 2107) as u16;
    let exact = clamped as i64 == year;
    DateTime::from_date_and_time(
        clamped,
        if exact { month as u8 } else { 1 },
        if exact { day as u8 } else { 1 },
        if exact { hour as u8 } else { 0 },
        if exact { minute as u8 } else { 0 },
        if exact { second as u8 } else { 0 },
    )
    .unwrap_or_default()
}
