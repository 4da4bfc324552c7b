//! One writer per manifest: an advisory lock (`flock`) held for the whole build.
//!
//! The lock is per manifest, not per folder: the shards of one run write disjoint sets of
//! outputs and each its own `manifest.shard-K-of-N.json`, so they may share a folder at
//! once; two builds that would write the same manifest (two whole builds, or the same
//! shard twice) take turns, the second waiting for the first. On NFS, Linux maps `flock`
//! to the server's byte-range locks (NFSv4, or v3 with lockd), so it holds across hosts.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::interrupt::Interrupt;

/// Held while a build writes into its folder; released when dropped (or the process dies).
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("stopped by {} while waiting for {holder}", crate::interrupt::signal_name(*.signal))]
    Interrupted { signal: i32, holder: String },
}

impl FolderLock {
    /// The lock file guarding the manifest `manifest_name` in `dir`.
    pub fn path_for(dir: &Path, manifest_name: &str) -> PathBuf {
        dir.join(format!(".{manifest_name}.lock"))
    }

    /// Takes the lock, waiting while another process holds it; `waiting` is told once who
    /// that is. A stop asked for while waiting gives up.
    pub fn acquire(
        dir: &Path,
        manifest_name: &str,
        interrupt: &Interrupt,
        waiting: impl FnOnce(&str),
    ) -> Result<FolderLock, LockError> {
        let path = FolderLock::path_for(dir, manifest_name);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let mut waiting = Some(waiting);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let holder = holder(&path);
                    if let Some(signal) = interrupt.signal() {
                        return Err(LockError::Interrupted { signal, holder });
                    }
                    if let Some(tell) = waiting.take() {
                        tell(&holder);
                    }
                    // Polled rather than blocking in flock(2), so that Ctrl-C still stops
                    // a build that waits.
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        // Who holds it, for the message of the next build that has to wait.
        let about = format!(
            "polypress (pid {} on {})\n",
            std::process::id(),
            host_name()
        );
        let _ = file
            .set_len(0)
            .and_then(|()| file.write_all(about.as_bytes()));
        Ok(FolderLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The holder's name is wiped while the lock is still held, so a finished build leaves an
/// empty lock file: the folder an archivist checksums has the same bytes whoever built it.
impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = self._file.set_len(0);
    }
}

/// What the lock file says about its holder, for a message.
fn holder(path: &Path) -> String {
    let about = std::fs::read_to_string(path).unwrap_or_default();
    let about = about.trim();
    if about.is_empty() {
        format!("another polypress build ({})", path.display())
    } else {
        format!("another build, {about}, holding {}", path.display())
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unknown host".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_and_a_stop_ends_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let first =
            FolderLock::acquire(dir.path(), "manifest.json", &Interrupt::never(), |_| {}).unwrap();
        let stop = Interrupt::never();
        stop.request(15);
        let err = FolderLock::acquire(dir.path(), "manifest.json", &stop, |_| {}).unwrap_err();
        assert!(err.to_string().contains("SIGTERM"), "{err}");
        assert!(err.to_string().contains("pid"), "{err}");
        drop(first);
        assert_eq!(
            std::fs::read(FolderLock::path_for(dir.path(), "manifest.json")).unwrap(),
            b"",
            "a released lock names no holder"
        );
        let first =
            FolderLock::acquire(dir.path(), "manifest.json", &Interrupt::never(), |_| {}).unwrap();
        // Another manifest in the same folder (another shard) is not held up.
        FolderLock::acquire(
            dir.path(),
            "manifest.shard-1-of-2.json",
            &Interrupt::never(),
            |_| panic!("must not wait"),
        )
        .unwrap();
        drop(first);
        FolderLock::acquire(dir.path(), "manifest.json", &Interrupt::never(), |_| {
            panic!("must not wait")
        })
        .unwrap();
    }
}
