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
