//! The OCF container: a ZIP whose first entry is `mimetype`, stored uncompressed, so that
//! a reading system can recognise the file from its first bytes.
//!
//! Every entry carries the document's timestamp (never the clock) and the same
//! permissions, so two builds of the same input give identical bytes.

use super::EpubError;
use crate::date::Timestamp;
use crate::export::zip_container::{Method, ZipContainer};

pub const MIMETYPE: &[u8] = b"application/epub+zip";

/// One file of the container.
pub struct Entry {
    pub path: String,
    pub bytes: Vec<u8>,
    /// Already-compressed data (PNG) is stored as it is.
    pub compress: bool,
}

pub fn write(entries: &[Entry], timestamp: Timestamp) -> Result<Vec<u8>, EpubError> {
    let mut zip = ZipContainer::new(timestamp);
    zip.add("mimetype", MIMETYPE, Method::Stored)
        .map_err(EpubError::Zip)?;
    for entry in entries {
        let method = if entry.compress {
            Method::Deflated
        } else {
            Method::Stored
        };
        zip.add(&entry.path, &entry.bytes, method)
            .map_err(EpubError::Zip)?;
    }
    zip.finish().map_err(EpubError::Zip)
}
