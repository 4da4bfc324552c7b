//! Computes the digest of the font files compiled into polypress, once at build time.
//!
//! The digest is part of every output's input hash (incremental builds). The fonts are fixed
//! when the binary is built (`include_bytes!`), so hashing 1.5 MB of fonts on every run would
//! be work done again for an answer already known.

use sha2::{Digest, Sha256};

const FONT_FILES: [&str; 4] = [
    "fonts/SourceSans3-Regular.ttf",
    "fonts/SourceSans3-Bold.ttf",
    "fonts/SourceSans3-It.ttf",
    "fonts/SourceSans3-BoldIt.ttf",
];

fn main() {
    let mut hasher = Sha256::new();
    for file in FONT_FILES {
        println!("cargo:rerun-if-changed={file}");
        match std::fs::read(file) {
            Ok(bytes) => hasher.update(&bytes),
            Err(e) => panic!("cannot read {file}: {e}"),
        }
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let path = std::path::Path::new(&out).join("fonts_sha256");
    if let Err(e) = std::fs::write(&path, digest) {
        panic!("cannot write {}: {e}", path.display());
    }
}
