//! Several builds into one output folder at once: builds that write the same manifest take
//! turns (the second waits, and says for whom), and no two writers ever share a temporary
//! file, even with the same process id in two PID namespaces.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn polypress(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_polypress"));
    command
        .args(args)
        .current_dir(common::repo_root())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    command
}

fn corpus(dir: &Path, count: usize) -> PathBuf {
    let sources = dir.join("sources");
    polypress::corpus::generate(&common::repo_root().join("sources"), count, &sources, 3).unwrap();
    sources
}

/// Every output file with its SHA-256 (hidden files, ours or not, left out).
fn files_on_disk(out: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for folder in std::fs::read_dir(out).unwrap().flatten() {
        if !folder.path().is_dir() {
            continue;
        }
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

fn listed(manifest: &Path) -> BTreeMap<String, String> {
    polypress::manifest::read_entries(manifest)
        .unwrap()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.path, e.sha256))
        .collect()
}

fn langs() -> Vec<String> {
    common::source_files()
        .iter()
        .map(|p| polypress::source::read_source(p).unwrap().lang)
        .collect()
}

#[test]
fn two_builds_of_different_languages_at_once_both_end_up_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let sources = corpus(dir.path(), 4);
    let out = dir.path().join("out");
    let langs = langs();
    let (first, second) = langs.split_at(langs.len() / 2);
    let children: Vec<_> = [first.join(","), second.join(",")]
        .iter()
        .map(|langs| {
            polypress(&[
                "build",
                &sources.to_string_lossy(),
                "--out",
                &out.to_string_lossy(),
                "--formats",
                "docx,epub",
                "--langs",
                langs,
                "-j",
                "1",
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let logs: Vec<String> = children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            let log = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(output.status.success(), "{log}");
            log
        })
        .collect();
    let on_disk = files_on_disk(&out);
    assert_eq!(
        on_disk.len(),
        std::fs::read_dir(&sources).unwrap().count() * 2
    );
    assert_eq!(
        listed(&out.join("manifest.json")),
        on_disk,
        "both builds' outputs are listed:\n{}",
        logs.join("\n")
    );
}

#[test]
fn a_build_waits_for_the_one_holding_its_manifest_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::File::create(out.join(".manifest.json.lock")).unwrap();
    lock.lock().unwrap();
    std::fs::write(
        out.join(".manifest.json.lock"),
        "polypress (pid 4711 on elsewhere)\n",
    )
    .unwrap();

    let log_path = dir.path().join("log.txt");
    let mut child = polypress(&[
        "build",
        "--out",
        &out.to_string_lossy(),
        "--formats",
        "docx",
    ])
    .stderr(std::fs::File::create(&log_path).unwrap())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if log.contains("waiting for") || Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        log.contains("waiting for another build, polypress (pid 4711 on elsewhere)"),
        "{log}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it waits while the lock is held"
    );
    assert!(
        files_on_disk(&out).is_empty(),
        "and writes nothing meanwhile"
    );

    drop(lock);
    let status = child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(status.success(), "{log}");
    assert_eq!(files_on_disk(&out).len(), common::source_files().len());
}

/// Two writers of the same outputs with the same process id (each PID 1 of its own PID
/// namespace, as in two containers or Slurm steps): a whole build and a one-shard build,
/// which hold different manifests and so do not wait for each other.
#[test]
fn builds_with_colliding_process_ids_never_mix_their_bytes() {
    let (ok, why) = common::run("unshare", &["-p", "-f", "true"], None);
    if !ok {
        assert!(
            !common::validators_required(),
            "unshare -p -f is required (POLYPRESS_REQUIRE_VALIDATORS=1) but fails: {why}"
        );
        eprintln!("skipping: unshare -p -f is not available here: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sources = corpus(dir.path(), 3);
    let reference = dir.path().join("reference");
    let status = polypress(&[
        "build",
        &sources.to_string_lossy(),
        "--out",
        &reference.to_string_lossy(),
        "--formats",
        "docx",
    ])
    .status()
    .unwrap();
    assert!(status.success());
    let expected = files_on_disk(&reference);

    for trial in 0..3 {
        let out = dir.path().join(format!("out-{trial}"));
        let bin = env!("CARGO_BIN_EXE_polypress");
        let children: Vec<_> = [None, Some("1/1")]
            .iter()
            .map(|shard| {
                let mut command = Command::new("unshare");
                command
                    .args(["-p", "-f", bin, "build"])
                    .arg(&sources)
                    .arg("--out")
                    .arg(&out)
                    .args(["--formats", "docx", "-j", "2"])
                    .env("SOURCE_DATE_EPOCH", "1700000000")
                    .stderr(Stdio::piped());
                if let Some(shard) = shard {
                    command.args(["--shard", shard]);
                }
                command.spawn().unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert_eq!(
            files_on_disk(&out),
            expected,
            "trial {trial}: every output has exactly the bytes of a single build"
        );
        assert_eq!(listed(&out.join("manifest.json")), expected);
        assert_eq!(listed(&out.join("manifest.shard-1-of-1.json")), expected);
    }
}
