//! Computes, once at build time, the digests that identify what polypress makes of a source.
//!
//! Both are part of every output's input hash (incremental builds):
//! - the font files compiled into polypress (`include_bytes!`): hashing 1.5 MB of fonts on
//!   every run would be work done again for an answer already known;
//! - polypress's own code (`src/`, `Cargo.toml`, `Cargo.lock`): a build whose code changed
//!   writes different bytes even when its version number did not, and its outputs must not
//!   be taken for up to date.

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
    let digest = hex(&hasher.finalize());
    write_out("fonts_sha256", &digest);
    write_out("code_sha256", &code_digest());
}

/// The digest of every file under `src/` (by path, in sorted order) and of the manifests.
fn code_digest() -> String {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut files = vec![
        std::path::PathBuf::from("Cargo.toml"),
        std::path::PathBuf::from("Cargo.lock"),
    ];
    collect_files(std::path::Path::new("src"), &mut files);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        // A missing Cargo.lock (a library checkout) leaves just its name in the digest.
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(std::fs::read(&file).unwrap_or_default());
        hasher.update([0]);
    }
    hex(&hasher.finalize())
}

fn collect_files(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_out(name: &str, contents: &str) {
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let path = std::path::Path::new(&out).join(name);
    if let Err(e) = std::fs::write(&path, contents) {
        panic!("cannot write {}: {e}", path.display());
    }
}
