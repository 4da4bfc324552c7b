//! Writing a file so that no reader, crash or second writer ever sees half of it: the bytes
//! go to a temporary file in the same folder, which is then renamed into place.
//!
//! The temporary name must be unique among every process that may write into the folder,
//! on this host or another one sharing the folder, in this PID namespace or another (two
//! containers or Slurm steps both run "PID 1"). A process id alone is not: a temporary name
//! carries 64 random bits drawn once per process plus a counter, and is created with
//! `O_EXCL`, so even a collision fails instead of two writers sharing one file.

use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::SystemTime;

/// What every temporary file of ours has in its name, before the random token.
const TEMP_MARK: &str = ".polypress-";
const TEMP_SUFFIX: &str = ".tmp";

/// Writes through a temporary file renamed into place; the data reach the disk before the
/// rename, so a power cut leaves either the old file or the new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, true)
}

/// Writes an output like `write_atomically` but without waiting for the disk: a run writes
/// thousands of outputs, and one `fsync` each cost more wall time than rendering DOCX.
/// A power cut can then leave a renamed file with lost data, but never one that a later run
/// trusts: the manifest is checked against every output's digest before it is believed.
pub fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, false)
}

fn write_renamed(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (temp, mut file) = create_temp(dir, &name)?;
    let result = (|| {
        file.write_all(bytes)?;
        if sync {
            file.sync_all()?;
        }
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Creates a new, empty temporary file for `name` in `dir`, never one that exists already.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last_error = None;
    for _ in 0..8 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(
            ".{name}{TEMP_MARK}{:016x}-{n}{TEMP_SUFFIX}",
            process_token()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// 64 bits that differ between processes with overwhelming probability, wherever they run.
/// The standard library seeds `RandomState` from the operating system's random source; we
/// need no random numbers anywhere else, so no crate for them.
fn process_token() -> u64 {
    static TOKEN: OnceLock<u64> = OnceLock::new();
    *TOKEN.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        if let Ok(since) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            hasher.write_u128(since.as_nanos());
        }
        hasher.finish()
    })
}

/// The file a temporary file of ours was going to become, if `file_name` is one: today's
/// `.NAME.polypress-TOKEN-N.tmp`, or the `.NAME.PID.tmp` of polypress 0.1.0 before it.
pub fn temp_target(file_name: &str) -> Option<&str> {
    let inner = file_name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    if let Some(at) = inner.rfind(TEMP_MARK) {
        let token = &inner[at + TEMP_MARK.len()..];
        let well_formed = token
            .split_once('-')
            .is_some_and(|(t, n)| is_hex(t) && n.bytes().all(|b| b.is_ascii_digit()));
        return (well_formed && at > 0).then(|| &inner[..at]);
    }
    let (target, pid) = inner.rsplit_once('.')?;
    (!target.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then_some(target)
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Removes the temporary files in `dir` that a killed writer left behind: those for the
/// files `is_ours` accepts (by file name), last modified before `started` (when the caller
/// began). Only the caller's own files, so that a writer of other files in the same folder
/// (another shard) keeps its temporary files; only old ones, so that a writer of the same
/// files that began meanwhile (a whole build beside a one-shard build) keeps its own.
/// Returns how many it removed.
pub fn remove_stale_temps(
    dir: &Path,
    started: SystemTime,
    is_ours: impl Fn(&str) -> bool,
) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !temp_target(name).is_some_and(&is_ours) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified < started);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised_and_others_are_not() {
        assert_eq!(
            temp_target(".x.bg.pdf.polypress-00ff12ab34cd56ef-7.tmp"),
            Some("x.bg.pdf")
        );
        assert_eq!(
            temp_target(".manifest.json.4711.tmp"),
            Some("manifest.json")
        );
        for other in [
            "x.bg.pdf",
            ".x.pdf.tmp",
            ".x.pdf.polypress-zz-1.tmp",
            ".polypress-00ff-1.tmp",
            "x.pdf.123.tmp",
        ] {
            assert_eq!(temp_target(other), None, "{other}");
        }
    }

    #[test]
    fn a_write_leaves_only_the_file_and_replaces_it_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/a.txt");
        write_output(&path, b"first, longer content").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.txt"]);
    }

    #[test]
    fn stale_temporary_files_of_the_callers_own_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".a.pdf.polypress-0123456789abcdef-0.tmp",
            ".a.pdf.99.tmp",
            ".b.pdf.polypress-0123456789abcdef-1.tmp",
            "c.pdf",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let later = SystemTime::now() + std::time::Duration::from_secs(1);
        assert_eq!(
            remove_stale_temps(dir.path(), SystemTime::UNIX_EPOCH, |t| t == "a.pdf"),
            0,
            "files newer than the caller's start are another writer's"
        );
        assert_eq!(remove_stale_temps(dir.path(), later, |t| t == "a.pdf"), 2);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".b.pdf.polypress-0123456789abcdef-1.tmp", "c.pdf"]);
    }
}
