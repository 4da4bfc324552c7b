//! Bad input on the command line: what is not a regular file, dates out of range, outputs
//! that cannot be written, paths given twice, languages no source is in. Every case ends
//! with a clear message and the exit code the README gives, never a hang or a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn polypress() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_polypress"));
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Runs a command, failing the test (not hanging it) when it takes longer than `limit`. The
/// output is read while it runs, so a chatty command never blocks on a full pipe.
fn run_within(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let id = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(limit) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("{cmd:?} still runs after {limit:?}: it hangs");
        }
    }
}

fn run(cmd: Command) -> (Option<i32>, String) {
    let out = run_within(cmd, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), stderr)
}

fn example() -> PathBuf {
    common::repo_root().join("tests/fixtures/example.xml")
}

fn mkfifo(path: &Path) -> bool {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipping: mkfifo does not run here");
    }
    made
}

fn dev_full() -> Option<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok();
    if file.is_none() {
        eprintln!("skipping: no /dev/full here");
    }
    file
}

#[test]
fn source_date_epoch_outside_1980_to_9999_is_wrong_usage_with_the_range() {
    for value in ["253402300800", "-99999999999", "0", "315532799"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = polypress();
        cmd.arg("build")
            .arg(example())
            .arg("--out")
            .arg(dir.path())
            .env("SOURCE_DATE_EPOCH", value);
        let (code, stderr) = run(cmd);
        assert_eq!(code, Some(2), "{value}: {stderr}");
        assert!(
            stderr.contains(&format!("SOURCE_DATE_EPOCH is {value}"))
                && stderr.contains("1980-01-01T00:00:00Z to 9999-12-31T23:59:59Z"),
            "{stderr}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("lists").count(), 0);
    }
    // The ends of the range are accepted.
    for value in ["315532800", "253402300799"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = polypress();
        cmd.arg("build")
            .arg(example())
            .args(["--formats", "docx", "--out"])
            .arg(dir.path())
            .env("SOURCE_DATE_EPOCH", value);
        let (code, stderr) = run(cmd);
        assert_eq!(code, Some(0), "{value}: {stderr}");
    }
}

#[test]
fn a_fifo_is_refused_as_a_source_without_blocking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("pipe.xml");
    if !mkfifo(&fifo) {
        return;
    }
    let out = tempfile::tempdir().expect("temp dir");
    for args in [
        vec!["check".to_string()],
        vec![
            "build".to_string(),
            "--out".to_string(),
            out.path().display().to_string(),
        ],
    ] {
        for given in [&fifo, &dir.path().to_path_buf()] {
            let mut cmd = polypress();
            cmd.args(&args).arg(given);
            let (code, stderr) = run(cmd);
            assert_eq!(code, Some(1), "{args:?} {}: {stderr}", given.display());
            assert!(
                stderr.contains("pipe.xml: error: cannot read the file: it is a FIFO (named pipe), not a regular file"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn special_files_named_xml_in_a_folder_are_reported_not_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(example(), dir.path().join("en.xml")).expect("copies");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("gone.xml"), dir.path().join("dangling.xml"))
        .expect("links");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.xml")).expect("links");
    let mut cmd = polypress();
    cmd.arg("check").arg(dir.path());
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("dangling.xml: error: cannot read the file: it is a symbolic link to a file that does not exist"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("zero.xml: error: cannot read the file: it is a device, not a regular file"),
        "{stderr}"
    );
    assert!(stderr.contains("checked 3 sources"), "{stderr}");
}

#[test]
fn a_fifo_or_device_in_place_of_the_manifest_does_not_hang_the_build() {
    let out = tempfile::tempdir().expect("temp dir");
    let manifest = out.path().join("manifest.json");
    if !mkfifo(&manifest) {
        return;
    }
    let mut cmd = polypress();
    cmd.arg("build")
        .arg(example())
        .args(["--formats", "docx", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(manifest.is_file(), "the manifest replaces the FIFO");

    #[cfg(unix)]
    {
        let out = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink("/dev/zero", out.path().join("manifest.json")).expect("links");
        let mut cmd = polypress();
        cmd.arg("build")
            .arg(example())
            .args(["--formats", "docx", "--out"])
            .arg(out.path())
            .env("SOURCE_DATE_EPOCH", "1700000000");
        let (code, stderr) = run(cmd);
        assert_eq!(code, Some(0), "{stderr}");
    }
}

#[test]
fn a_manifest_that_cannot_be_written_is_a_failure_not_wrong_usage() {
    let out = tempfile::tempdir().expect("temp dir");
    // A folder where the manifest should go: renaming onto it fails.
    std::fs::create_dir_all(out.path().join("manifest.json/inside")).expect("folder");
    let mut cmd = polypress();
    cmd.arg("build")
        .arg(example())
        .args(["--formats", "docx", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("manifest.json"),
        "{stderr}"
    );
}

#[test]
fn writing_to_a_full_stdout_or_stderr_is_exit_1_with_no_panic() {
    let Some(full) = dev_full() else { return };
    let mut cmd = polypress();
    cmd.arg("fonts");
    let out = cmd
        .stdout(full.try_clone().expect("clones"))
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output") && !stderr.contains("panicked"),
        "{stderr}"
    );

    let mut cmd = polypress();
    cmd.args(["check", "--coverage"]).arg(example());
    let out = cmd
        .stdout(full.try_clone().expect("clones"))
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );

    // Nothing can be said on a full stderr: the run still ends with 1, not a panic's 101.
    for args in [vec!["check"], vec!["fonts"]] {
        let mut cmd = polypress();
        cmd.args(&args).arg(example());
        if args == ["fonts"] {
            cmd = polypress();
            cmd.arg("fonts");
        }
        let out = cmd
            .stdout(Stdio::null())
            .stderr(full.try_clone().expect("clones"))
            .output()
            .expect("runs");
        if args == ["check"] {
            assert_eq!(out.status.code(), Some(1), "{args:?}");
        } else {
            // fonts writes nothing on stderr when all goes well.
            assert_eq!(out.status.code(), Some(0), "{args:?}");
        }
    }
    // Help goes to stdout: a full one is a failure too.
    let out = polypress()
        .arg("--help")
        .stdout(full.try_clone().expect("clones"))
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the help"), "{stderr}");

    let mut cmd = polypress();
    cmd.args(["check", "/nonexistent.xml"]);
    let out = cmd
        .stderr(full.try_clone().expect("clones"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_empty_folder_is_named_as_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty-folder");
    std::fs::create_dir(&empty).expect("folder");
    for command in ["check", "build"] {
        let mut cmd = polypress();
        cmd.arg(command).arg(&empty);
        if command == "build" {
            cmd.arg("--out").arg(dir.path().join("out"));
        }
        let (code, stderr) = run(cmd);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("no sources found in {}", empty.display())),
            "{stderr}"
        );
    }
}

#[test]
fn a_path_given_twice_is_read_once_and_said_so() {
    let example = example();
    let dir = example.parent().expect("a folder").to_path_buf();
    let mut cmd = polypress();
    cmd.arg("check")
        .arg(&example)
        .arg(&example)
        .arg(dir.join("../fixtures/example.xml"));
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("is given twice; it is read once"),
        "{stderr}"
    );
    assert!(stderr.contains("is the same file as"), "{stderr}");
    assert!(stderr.contains("checked 1 sources: 0 errors"), "{stderr}");
    assert!(!stderr.contains("error:"), "{stderr}");

    let out = tempfile::tempdir().expect("temp dir");
    let mut cmd = polypress();
    cmd.arg("build")
        .arg(&example)
        .arg(&example)
        .args(["--formats", "epub", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("1 outputs written"), "{stderr}");
}

#[test]
fn langs_naming_no_source_language_is_wrong_usage() {
    let out = tempfile::tempdir().expect("temp dir");
    let mut cmd = polypress();
    cmd.arg("build")
        .arg(example())
        .args(["--langs", "xx", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "--langs names xx, but no source is in that language (the sources are in en)"
        ),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(out.path()).expect("lists").count(), 0);
}

#[test]
fn build_reports_the_cross_language_findings_and_strict_fails_before_writing() {
    let sources = common::repo_root().join("sources");
    let out = tempfile::tempdir().expect("temp dir");
    let mut cmd = polypress();
    cmd.arg("build")
        .arg(&sources)
        .args(["--formats", "docx", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(0), "{stderr}");
    // The Danish text gives Voshchevska the handle of Lahti: check's error, build's warning.
    assert!(
        stderr.contains(
            "da.xml:24:7: warning: da: the X/Twitter handle of \"voshchevska\" is @innastus"
        ),
        "{stderr}"
    );

    let out = tempfile::tempdir().expect("temp dir");
    let mut cmd = polypress();
    cmd.arg("build")
        .arg(&sources)
        .args(["--strict", "--formats", "docx", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("da.xml:24:7: error: da: the X/Twitter handle of \"voshchevska\""),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).expect("lists").count(),
        0,
        "nothing is written"
    );
}

#[test]
fn messages_quote_at_most_about_80_characters_of_a_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(example()).expect("reads");
    let huge = "9".repeat(3 * 1024 * 1024);
    let source = dir.path().join("huge-value.xml");
    std::fs::write(
        &source,
        text.replacen("version=\"1\"", &format!("version=\"{huge}\""), 1),
    )
    .expect("writes");
    let mut cmd = polypress();
    cmd.arg("check").arg(&source);
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(1), "{}", &stderr[..stderr.len().min(500)]);
    assert!(stderr.contains("format version \"999"), "{stderr}");
    assert!(
        stderr.lines().all(|l| l.chars().count() < 400),
        "{}",
        &stderr[..stderr.len().min(500)]
    );

    // A runaway element name, unclosed: the reader's syntax message is cut too.
    let name = "t".repeat(3 * 1024 * 1024);
    std::fs::write(
        &source,
        format!("<summary version=\"1\" id=\"x\" lang=\"en\"><{name}></x></summary>"),
    )
    .expect("writes");
    let mut cmd = polypress();
    cmd.arg("check").arg(&source);
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("not well-formed"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
    assert!(stderr.len() < 1000, "{}", &stderr[..stderr.len().min(500)]);
}

#[test]
fn a_merged_manifest_that_cannot_be_written_is_a_failure_not_wrong_usage() {
    let out = tempfile::tempdir().expect("temp dir");
    let mut cmd = polypress();
    cmd.arg("build")
        .arg(example())
        .args(["--formats", "docx", "--shard", "1/1", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(0), "{stderr}");
    // A folder in place of the merged manifest.
    let target = out.path().join("merged.json");
    std::fs::create_dir_all(target.join("inside")).expect("folder");
    let mut cmd = polypress();
    cmd.args(["manifest", "merge"])
        .arg(out.path())
        .arg("-o")
        .arg(&target);
    let (code, stderr) = run(cmd);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("merged.json"),
        "{stderr}"
    );
}
