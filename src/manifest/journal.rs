//! The journal: outputs a build has finished, appended one JSON line each as they land
//! (just before each is renamed into place, so that none can land unrecorded).
//!
//! Rewriting `manifest.json` after every output would cost a build of thousands of
//! outputs far more than the outputs themselves; appending a line costs one `write(2)`.
//! The build folds the journal into the manifest at its end; a build that was killed
//! (SIGKILL, a node lost) leaves it behind, and the next build folds it at its start, so
//! nothing finished is built twice. A line torn by a kill is not valid JSON and is skipped:
//! its output is simply built again. A line whose file is not on disk as listed (the build
//! died before the rename) is dropped when the journal is read back (`manifest::recover`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::ManifestEntry;

/// Where the journal of the manifest at `manifest_path` is kept: beside it, hidden.
pub fn path_for(manifest_path: &Path) -> PathBuf {
    let name = manifest_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    manifest_path.with_file_name(format!(".{name}.journal"))
}

/// An open journal, shared by the build's worker threads.
pub struct Journal {
    file: Mutex<File>,
}

impl Journal {
    /// Starts an empty journal (after the previous one was folded into the manifest).
    pub fn start(path: &Path) -> std::io::Result<Journal> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        file.set_len(0)?;
        Ok(Journal {
            file: Mutex::new(file),
        })
    }

    /// Appends one finished output. One `write_all` of one whole line: with `O_APPEND` the
    /// kernel writes it in one piece at the end, so lines of two threads never interleave.
    pub fn record(&self, entry: &ManifestEntry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(&line)
    }
}

/// The entries a journal holds, oldest first; none when there is no journal.
pub fn read(path: &Path) -> Vec<ManifestEntry> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

/// Removes a journal once the manifest holds everything in it.
pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_skipped_and_the_rest_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&dir.path().join("manifest.json"));
        assert!(path.ends_with(".manifest.json.journal"));
        let journal = Journal::start(&path).unwrap();
        let entry = |p: &str| ManifestEntry {
            path: p.into(),
            format: "pdf".into(),
            lang: "en".into(),
            bytes: 3,
            sha256: "ab".into(),
            source: "s.xml".into(),
            source_sha256: "cd".into(),
            input_sha256: "ef".into(),
        };
        journal.record(&entry("en/a.en.pdf")).unwrap();
        journal.record(&entry("en/b.en.pdf")).unwrap();
        drop(journal);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"{\"path\":\"en/c.en");
        std::fs::write(&path, bytes).unwrap();
        let read: Vec<String> = read(&path).into_iter().map(|e| e.path).collect();
        assert_eq!(read, ["en/a.en.pdf", "en/b.en.pdf"]);
        Journal::start(&path).unwrap();
        assert!(super::read(&path).is_empty(), "a new journal starts empty");
    }
}
