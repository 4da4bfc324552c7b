//! Splitting a run over machines: N shards (`build --shard K/N`) write exactly the bytes a
//! single run writes, and `manifest merge` joins their manifests into the single run's
//! manifest.json, or says which shard or job is missing.

mod common;

use std::path::Path;
use std::process::Command;

use polypress::export::Format;
use polypress::manifest;

const SHARDS: u32 = 3;

fn polypress(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_polypress"))
        .args(args)
        .current_dir(common::repo_root())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("polypress runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn build(out: &Path, shard: Option<u32>) -> String {
    build_formats(out, shard, "pdf,docx,epub")
}

fn build_formats(out: &Path, shard: Option<u32>, formats: &str) -> String {
    let out = out.to_string_lossy();
    let shard_arg = shard.map(|k| format!("{k}/{SHARDS}"));
    let mut args = vec![
        "build",
        "sources",
        "--out",
        &out,
        "-j",
        "2",
        "--formats",
        formats,
    ];
    if let Some(shard) = &shard_arg {
        args.extend(["--shard", shard]);
    }
    let (ok, log) = polypress(&args);
    assert!(ok, "polypress {args:?} failed:\n{log}");
    log
}

/// Every file under `dir` except manifests, as (relative path, bytes), sorted.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for lang in std::fs::read_dir(dir).unwrap().flatten() {
        if !lang.path().is_dir() {
            continue;
        }
        for file in std::fs::read_dir(lang.path()).unwrap().flatten() {
            let relative = format!(
                "{}/{}",
                lang.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            found.push((relative, std::fs::read(file.path()).unwrap()));
        }
    }
    found.sort();
    found
}

#[test]
fn shards_write_the_single_runs_bytes_and_merge_into_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    let sharded = dir.path().join("sharded");
    build(&single, None);
    let again = build(&single, None);
    let expected = common::source_files().len() * Format::ALL.len();
    assert!(
        again.contains(&format!(
            "0 outputs written to {}, {expected} skipped (up to date)",
            single.display()
        )),
        "a second run skips everything: {again}"
    );
    let mut logs = String::new();
    for k in 1..=SHARDS {
        logs += &build(&sharded, Some(k));
    }
    assert!(logs.contains("shard 2/3:"), "{logs}");

    let single_outputs = outputs(&single);
    assert_eq!(
        single_outputs.len(),
        expected,
        "every source in every format: {:?}",
        single_outputs.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let sharded_outputs = outputs(&sharded);
    assert_eq!(
        sharded_outputs.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        single_outputs.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in single_outputs.iter().zip(&sharded_outputs) {
        assert!(
            a == b,
            "{path} differs between the single run and the shards"
        );
    }

    // Each shard had a share of the work, and none had all of it.
    for k in 1..=SHARDS {
        let name = format!("manifest.shard-{k}-of-{SHARDS}.json");
        let shard = manifest::read_shard_manifest(&sharded.join(&name)).unwrap();
        assert!(shard.jobs.len() < expected, "{name}: {:?}", shard.jobs);
        assert_eq!(shard.run.jobs, expected);
    }

    assert!(!sharded.join("manifest.json").exists());
    let (ok, log) = polypress(&["manifest", "merge", &sharded.to_string_lossy()]);
    assert!(ok, "{log}");
    assert!(log.contains(&format!("merged {expected} outputs")), "{log}");
    assert_eq!(
        String::from_utf8(std::fs::read(sharded.join("manifest.json")).unwrap()).unwrap(),
        String::from_utf8(std::fs::read(single.join("manifest.json")).unwrap()).unwrap(),
        "the merged manifest is the single run's, byte for byte"
    );
}

#[test]
fn merge_refuses_a_run_with_a_missing_shard() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build_formats(&out, Some(1), "docx");
    build_formats(&out, Some(3), "docx");
    let (ok, log) = polypress(&["manifest", "merge", &out.to_string_lossy()]);
    assert!(!ok, "merge must fail:\n{log}");
    assert!(log.contains("no manifest for shard 2/3"), "{log}");
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn a_bad_shard_argument_is_a_usage_error() {
    let (ok, log) = polypress(&["build", "--shard", "4/3", "--out", "/nonexistent"]);
    assert!(!ok);
    assert!(log.contains("K/N"), "{log}");
}

/// `polypress` with a chosen `SOURCE_DATE_EPOCH`.
fn polypress_dated(args: &[&str], date: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_polypress"))
        .args(args)
        .current_dir(common::repo_root())
        .env("SOURCE_DATE_EPOCH", date)
        .output()
        .expect("polypress runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A copy of `sources/`, to change.
fn copied_sources(dir: &Path) -> std::path::PathBuf {
    let copy = dir.join("sources");
    std::fs::create_dir_all(&copy).unwrap();
    for source in common::source_files() {
        std::fs::copy(&source, copy.join(source.file_name().unwrap())).unwrap();
    }
    copy
}

fn build_shard(sources: &Path, out: &Path, k: u32, date: &str) {
    let shard = format!("{k}/{SHARDS}");
    let (ok, log) = polypress_dated(
        &[
            "build",
            &sources.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
            "--formats",
            "docx",
            "--shard",
            &shard,
        ],
        date,
    );
    assert!(ok, "shard {shard}: {log}");
}

fn merge(out: &Path) -> (bool, String) {
    polypress(&["manifest", "merge", &out.to_string_lossy()])
}

#[test]
fn merge_refuses_a_stale_shard_manifest_from_before_the_sources_changed() {
    let dir = tempfile::tempdir().unwrap();
    let sources = copied_sources(dir.path());
    let out = dir.path().join("out");
    for k in 1..=SHARDS {
        build_shard(&sources, &out, k, "1700000000");
    }
    assert!(merge(&out).0, "{}", merge(&out).1);

    // Same ids, new text; only shards 1 and 2 are built again.
    let changed = &common::source_files()[0];
    let path = sources.join(changed.file_name().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("<p>", "<p>Revised. ", 1)).unwrap();
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    build_shard(&sources, &out, 1, "1700000000");
    build_shard(&sources, &out, 2, "1700000000");

    let (ok, log) = merge(&out);
    assert!(!ok, "a stale shard must be refused:\n{log}");
    assert!(log.contains("are from different runs"), "{log}");
    assert!(log.contains("the sources' contents"), "{log}");
    assert!(log.contains("manifest.shard-3-of-3.json"), "{log}");
    assert!(!out.join("manifest.json").exists());

    build_shard(&sources, &out, 3, "1700000000");
    let (ok, log) = merge(&out);
    assert!(ok, "with shard 3 rebuilt the run is whole: {log}");
}

#[test]
fn merge_refuses_shards_built_with_different_dates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sources = common::repo_root().join("sources");
    build_shard(&sources, &out, 1, "1800000000");
    build_shard(&sources, &out, 2, "1700000000");
    build_shard(&sources, &out, 3, "1700000000");
    let (ok, log) = merge(&out);
    assert!(!ok, "{log}");
    assert!(
        log.contains("SOURCE_DATE_EPOCH (1800000000 vs 1700000000)"),
        "{log}"
    );
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn merge_checks_every_output_on_disk_against_a_tampered_or_deleted_entry() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sources = common::repo_root().join("sources");
    for k in 1..=SHARDS {
        build_shard(&sources, &out, k, "1700000000");
    }

    // A hand-edited digest.
    let (name, shard) = (1..=SHARDS)
        .map(|k| format!("manifest.shard-{k}-of-{SHARDS}.json"))
        .map(|name| {
            let shard = manifest::read_shard_manifest(&out.join(&name)).unwrap();
            (name, shard)
        })
        .find(|(_, shard)| !shard.outputs.is_empty())
        .unwrap();
    let original = std::fs::read_to_string(out.join(&name)).unwrap();
    let victim = &shard.outputs[0];
    let forged = "0".repeat(64);
    std::fs::write(out.join(&name), original.replace(&victim.sha256, &forged)).unwrap();
    let (ok, log) = merge(&out);
    assert!(!ok, "{log}");
    assert!(
        log.contains(&victim.path) && log.contains("sha256 000000000000"),
        "{log}"
    );
    assert!(!out.join("manifest.json").exists());
    std::fs::write(out.join(&name), &original).unwrap();

    // An output deleted after its shard finished.
    std::fs::remove_file(out.join(&victim.path)).unwrap();
    let (ok, log) = merge(&out);
    assert!(!ok, "{log}");
    assert!(
        log.contains(&format!(
            "{}: the file is missing",
            out.join(&victim.path).display()
        )),
        "{log}"
    );
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn a_huge_shard_count_is_refused_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_arg = out.to_string_lossy();
    for huge in ["4294967295/4294967295", "1/1000000"] {
        let (ok, log) = polypress(&["build", "--shard", huge, "--out", &out_arg]);
        assert!(!ok);
        assert!(log.contains("N <= 10000"), "{log}");
        assert!(log.len() < 1000, "{} bytes", log.len());
    }
    // More shares than jobs: some shards would have nothing to do.
    let (ok, log) = polypress(&["build", "--shard", "1/10000", "--out", &out_arg]);
    assert!(!ok);
    let jobs = common::source_files().len() * Format::ALL.len();
    assert!(
        log.contains(&format!(
            "the run has {jobs} jobs, so N may be at most {jobs}"
        )),
        "{log}"
    );
    assert!(!out.join("manifest.shard-1-of-10000.json").exists());

    // A shard manifest claiming a huge N (hand-made) is refused at once, in a few lines.
    build_shard(&common::repo_root().join("sources"), &out, 1, "1700000000");
    let name = format!("manifest.shard-1-of-{SHARDS}.json");
    let text = std::fs::read_to_string(out.join(&name)).unwrap();
    let forged = text.replace(&format!("\"count\": {SHARDS}"), "\"count\": 4294967295");
    assert_ne!(forged, text);
    std::fs::write(out.join(&name), forged).unwrap();
    let started = std::time::Instant::now();
    let (ok, log) = merge(&out);
    assert!(!ok);
    assert!(log.len() < 2000, "{} bytes: {log}", log.len());
    assert!(log.contains("N <= 10000"), "{log}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// Every file under `dir`, dot files and manifests included, as (relative path, bytes).
fn every_file(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                found.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn the_whole_output_folder_has_the_same_bytes_whatever_the_thread_count() {
    // What an archivist checksums is the folder: the lock file a build leaves names no
    // process, and nothing else in it depends on who built it or with how many threads.
    let dir = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("j{threads}"));
        let out_arg = out.to_string_lossy().into_owned();
        let (ok, log) = polypress(&[
            "build",
            "sources",
            "--out",
            &out_arg,
            "-j",
            threads,
            "--formats",
            "docx,epub",
        ]);
        assert!(ok, "{log}");
        folders.push(every_file(&out));
    }
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&folders[0]), names(&folders[1]));
    for ((name, a), (_, b)) in folders[0].iter().zip(&folders[1]) {
        assert!(a == b, "{name} differs between -j 1 and -j 2");
    }
}
