//! Memory is bounded by design: the largest source the reader takes (8 MiB) builds in every
//! format without any job going above 300 MB of resident memory, and the shipped sources
//! plus such a source build at `-j 2` under a 1 GB address-space limit (`ulimit -v`).
//!
//! The large sources are generated here, in the shapes that cost most: one paragraph of
//! 8 MiB, one word of 8 MiB, many paragraphs, and as many people as the reader allows.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use polypress::source::xml::{MAX_ELEMENTS, MAX_SOURCE_BYTES};

const JOB_BUDGET_KB: u64 = 300 * 1000;

fn head(id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<summary version="1" id="{id}" lang="en">
  <meta>
    <title>A very long summary</title>
    <event>Generated</event>
    <organiser>The memory test</organiser>
    <revised>2026-11-21</revised>
    <accessibility-summary>Text in reading order.</accessibility-summary>
    <labels linkedin="LinkedIn" twitter="Twitter" contents="Contents"/>
  </meta>
  <section>
    <heading>Background</heading>
"#
    )
}

const TAIL: &str = "\n  </section>\n</summary>\n";

/// Words of the shipped English source, addresses included, in a fixed pseudo-random order.
fn words() -> Vec<String> {
    let text = std::fs::read_to_string(common::repo_root().join("sources/en.xml"))
        .expect("sources/en.xml reads");
    text.split_whitespace()
        .filter(|w| !w.contains(['<', '>', '&', '"', '=']))
        .map(str::to_string)
        .collect()
}

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// A source of `shape` just under the reader's size limit, written into `dir`.
fn generate(dir: &Path, shape: &str) -> PathBuf {
    let id = format!("memory-{shape}");
    let mut body = String::new();
    let budget = MAX_SOURCE_BYTES - head(&id).len() - TAIL.len() - 64;
    let words = words();
    let mut rng = Lcg(7);
    match shape {
        "paragraph" => {
            body.push_str("<p>");
            while body.len() < budget - 16 {
                body.push_str(&words[rng.next(words.len())]);
                body.push(' ');
            }
            body.push_str("end.</p>");
        }
        "word" => {
            body.push_str("<p>");
            let letters = "abcdefghijklmnopqrstuvwxyzæøåõšžőűдж";
            let letters: Vec<char> = letters.chars().collect();
            while body.len() < budget - 8 {
                body.push(letters[rng.next(letters.len())]);
            }
            body.push_str("</p>");
        }
        "paragraphs" => {
            while body.len() < budget - 2000 {
                body.push_str("<p>");
                for _ in 0..100 {
                    body.push_str(&words[rng.next(words.len())]);
                    body.push(' ');
                }
                body.push_str("end.</p>\n");
            }
        }
        "people" => {
            // As many people as the element limit allows, each with both profiles: the most
            // structure (a list item, four paragraphs, two links) per element of the source.
            body.push_str("<people role=\"speaker\" label=\"Speakers:\">\n");
            let people = (MAX_ELEMENTS - 40) / 5;
            for i in 0..people {
                let _ = writeln!(
                    body,
                    "<person id=\"p{i}\"><name>Person Number {i}</name>\
                     <affiliation>Head of Unit {i} at the Organisation of Examples</affiliation>\
                     <linkedin>https://www.linkedin.com/in/person-{i}/</linkedin>\
                     <twitter>@person_{i}</twitter></person>"
                );
            }
            body.push_str("</people>");
        }
        _ => unreachable!("no such shape"),
    }
    let path = dir.join(format!("{shape}.xml"));
    std::fs::write(&path, format!("{}{body}{TAIL}", head(&id))).expect("writes the source");
    path
}

/// Runs polypress under `sh` with `limits` (shell commands run first, e.g. `ulimit -v`)
/// and returns (exit status, stderr, peak resident memory of the process in KB).
fn run_measured(limits: &str, args: &[&str]) -> (bool, String, u64) {
    // Python's resource module reads the child's peak RSS (ru_maxrss, KB on Linux) after
    // it ends: the one measurement that includes every thread and the allocator's slack.
    let script = r#"
import resource, subprocess, sys
p = subprocess.run(["sh", "-c", sys.argv[1] + ' exec "$@"', "sh"] + sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.write(p.stderr.decode("utf-8", "replace"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(p.returncode)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(limits)
        .arg(env!("CARGO_BIN_EXE_polypress"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rss = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(u64::MAX);
    (out.status.success(), stderr, rss)
}

fn python_available() -> bool {
    common::tool_available("python3", &["-c", "import resource"])
}

/// Every format of every large shape, one job at a time: each stays within the budget.
#[test]
fn no_job_of_the_largest_sources_goes_above_300_mb() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut over = Vec::new();
    for shape in ["paragraph", "word", "paragraphs", "people"] {
        let source = generate(dir.path(), shape);
        for format in ["pdf", "docx", "epub"] {
            let out = dir.path().join(format!("out-{shape}-{format}"));
            let (ok, stderr, rss) = run_measured(
                "",
                &[
                    "build",
                    source.to_str().expect("utf-8 path"),
                    "--out",
                    out.to_str().expect("utf-8 path"),
                    "--formats",
                    format,
                    "-j",
                    "1",
                ],
            );
            assert!(ok, "{shape} {format} fails to build: {stderr}");
            eprintln!("{shape} {format}: {} MB", rss / 1000);
            if rss > JOB_BUDGET_KB {
                over.push(format!("{shape} {format}: {} MB", rss / 1000));
            }
        }
    }
    assert!(over.is_empty(), "jobs above 300 MB: {over:?}");
}

/// The shipped sources plus an 8 MiB source, at `-j 2`, in 1 GB of address space: every
/// output is written and recorded.
#[test]
fn the_shipped_sources_and_an_8_mib_source_build_in_1_gb_of_address_space() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let sources = dir.path().join("sources");
    std::fs::create_dir(&sources).expect("creates sources/");
    let shipped = common::source_files();
    for file in &shipped {
        std::fs::copy(file, sources.join(file.file_name().expect("a file name")))
            .expect("copies a source");
    }
    generate(&sources, "paragraph");
    let out = dir.path().join("output");
    let (ok, stderr, rss) = run_measured(
        "ulimit -v 1000000;",
        &[
            "build",
            sources.to_str().expect("utf-8 path"),
            "--out",
            out.to_str().expect("utf-8 path"),
            "-j",
            "2",
        ],
    );
    assert!(ok, "the build fails under ulimit -v 1000000: {stderr}");
    eprintln!("peak RSS of the whole build: {} MB", rss / 1000);
    let manifest =
        std::fs::read_to_string(out.join("manifest.json")).expect("the manifest is written");
    let expected = (shipped.len() + 1) * 3;
    let recorded = manifest.matches("\"sha256\"").count();
    assert_eq!(
        recorded, expected,
        "the manifest records {recorded} outputs, not {expected}"
    );
    assert!(manifest.contains("memory-paragraph.en.pdf"), "{manifest}");
}

/// A source with more elements than the reader takes is refused by `check` and by `build`
/// alike, with the place and the limit, and the other sources are still built.
#[test]
fn a_source_over_the_element_limit_is_refused_by_check_and_build_alike() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("crowd.xml");
    let mut body = String::from("<people role=\"speaker\" label=\"Speakers:\">\n");
    for i in 0..(MAX_ELEMENTS / 3 + 10) {
        let _ = writeln!(
            body,
            "<person id=\"p{i}\"><name>P {i}</name><affiliation>A</affiliation></person>"
        );
    }
    body.push_str("</people>");
    std::fs::write(&path, format!("{}{body}{TAIL}", head("crowd"))).expect("writes");
    let bin = env!("CARGO_BIN_EXE_polypress");
    let check = Command::new(bin)
        .args(["check", path.to_str().expect("utf-8")])
        .output()
        .expect("check runs");
    let message = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{message}");
    assert!(
        message.contains("crowd.xml:") && message.contains(&format!("more than {MAX_ELEMENTS}")),
        "{message}"
    );
    let en = common::repo_root().join("sources/en.xml");
    let out = dir.path().join("out");
    let build = Command::new(bin)
        .args([
            "build",
            path.to_str().expect("utf-8"),
            en.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("build runs");
    let message = String::from_utf8_lossy(&build.stderr);
    assert_eq!(build.status.code(), Some(1), "{message}");
    assert!(
        message.contains(&format!("more than {MAX_ELEMENTS}")),
        "{message}"
    );
    assert!(out.join("en").read_dir().expect("en/ written").count() == 3);
}
