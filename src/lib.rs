//! polypress: structured multilingual event summaries to PDF, DOCX and EPUB.
//!
//! sources/*.xml --read--> `model::Summary` --export--> PDF, DOCX, EPUB, run as a flat list of
//! (source x format) jobs by `pipeline`.

pub mod check;
pub mod cli;
pub mod corpus;
pub mod date;
pub mod diagnostic;
pub mod export;
pub mod fonts;
pub mod interrupt;
pub mod manifest;
pub mod model;
pub mod outputs;
pub mod pipeline;
pub mod source;
pub mod typeset;

/// Lower-case hexadecimal of a byte string (for digests).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 of bytes, in lower-case hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}
