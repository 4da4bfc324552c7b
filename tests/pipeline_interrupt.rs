//! Interrupted builds: killed (SIGKILL) at random moments, or stopped by SIGINT / SIGTERM,
//! a build leaves a manifest exactly as true as the files on disk, and the next build
//! writes only what was missing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use polypress::manifest;

/// A synthetic corpus of `count` variants of every real source.
fn corpus(dir: &Path, count: usize) -> PathBuf {
    let sources = dir.join("sources");
    polypress::corpus::generate(&common::repo_root().join("sources"), count, &sources, 7).unwrap();
    sources
}

fn start_build(sources: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_polypress"))
        .arg("build")
        .arg(sources)
        .arg("--out")
        .arg(out)
        .args(["--formats", "docx", "-j", "2"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stderr(Stdio::piped())
        .spawn()
        .expect("polypress starts")
}

fn finish(child: Child) -> (Option<i32>, String) {
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every output file (not hidden: no manifest, lock, journal or temporary file), with its
/// SHA-256.
fn files_on_disk(out: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let Ok(folders) = std::fs::read_dir(out) else {
        return found;
    };
    for folder in folders.flatten().filter(|f| f.path().is_dir()) {
        for file in std::fs::read_dir(folder.path()).unwrap().flatten() {
            let name = file.file_name().into_string().unwrap();
            if !name.starts_with('.') {
                found.insert(
                    format!("{}/{name}", folder.file_name().to_string_lossy()),
                    polypress::sha256_hex(&std::fs::read(file.path()).unwrap()),
                );
            }
        }
    }
    found
}

/// What `manifest.json` lists, by path, with the digests.
fn manifest_json(out: &Path) -> BTreeMap<String, String> {
    match manifest::read_entries(&out.join("manifest.json")).unwrap() {
        Some(entries) => entries.into_iter().map(|e| (e.path, e.sha256)).collect(),
        None => BTreeMap::new(),
    }
}

/// Waits until at least `n` outputs are on disk (or the build ended).
fn wait_for_outputs(child: &mut Child, out: &Path, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while files_on_disk(out).len() < n && child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "no outputs appear");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A small generator for the kill moments; the seed is printed to replay a failure.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

#[test]
fn killed_at_random_moments_the_manifest_stays_exactly_as_true_as_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let sources = corpus(dir.path(), 8);
    let expected = std::fs::read_dir(&sources).unwrap().count();
    let out = dir.path().join("out");
    let mut seed = std::env::var("KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("KILL_SEED={seed}");

    for round in 0..4 {
        let before = files_on_disk(&out).len();
        let mut child = start_build(&sources, &out);
        // Killed once a few more outputs than before are there, at a random moment after.
        wait_for_outputs(&mut child, &out, before + 1);
        std::thread::sleep(Duration::from_millis(next(&mut seed) % 120));
        let _ = child.kill();
        let _ = child.wait();

        let on_disk = files_on_disk(&out);
        let in_manifest = manifest_json(&out);
        for (path, sha) in &in_manifest {
            assert_eq!(
                on_disk.get(path),
                Some(sha),
                "round {round}: manifest.json lists {path} with bytes that are not on disk"
            );
        }
        // What the next build will believe: the manifest and its journal, checked.
        let recovered: BTreeMap<String, String> = manifest::recover(&out, "manifest.json")
            .entries
            .into_values()
            .map(|e| (e.path, e.sha256))
            .collect();
        assert_eq!(
            recovered, on_disk,
            "round {round}: every output on disk and no other is known after the kill"
        );
        if on_disk.len() == expected {
            break;
        }
    }

    let done = files_on_disk(&out);
    let (code, log) = finish(start_build(&sources, &out));
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains(&format!(
            "{} outputs written to {}, {} skipped",
            expected - done.len(),
            out.display(),
            done.len()
        )),
        "the rerun writes only what was missing ({} of {expected}): {log}",
        expected - done.len()
    );
    let all = files_on_disk(&out);
    assert_eq!(all.len(), expected);
    assert_eq!(manifest_json(&out), all);
    for (path, sha) in &done {
        assert_eq!(all.get(path), Some(sha), "{path} was not rewritten");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.join("en"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.is_empty(), "stale temporary files: {leftovers:?}");
    assert!(!out.join(".manifest.json.journal").exists());
}

#[test]
fn sigint_and_sigterm_stop_with_130_and_143_and_a_true_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let sources = corpus(dir.path(), 5);
    let expected = std::fs::read_dir(&sources).unwrap().count();
    let out = dir.path().join("out");

    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let before = files_on_disk(&out).len();
        let mut child = start_build(&sources, &out);
        wait_for_outputs(&mut child, &out, before + 1);
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let (status, log) = finish(child);
        let on_disk = files_on_disk(&out);
        if on_disk.len() == expected && status == Some(0) {
            // The build was done before the signal arrived: nothing to stop.
            continue;
        }
        assert_eq!(status, Some(code), "SIG{signal}: {log}");
        assert!(
            log.contains(&format!("stopped by SIG{signal}")) && log.contains("not started"),
            "{log}"
        );
        assert_eq!(
            manifest_json(&out),
            on_disk,
            "SIG{signal}: the manifest lists exactly the finished outputs"
        );
        assert!(!out.join(".manifest.json.journal").exists());
    }
    let done = files_on_disk(&out).len();
    let (code, log) = finish(start_build(&sources, &out));
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains(&format!("{} outputs written", expected - done)),
        "{log}"
    );
}
