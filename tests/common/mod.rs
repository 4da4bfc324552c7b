//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use polypress::export::Format;
use polypress::pipeline::{self, BuildOptions, BuildReport};

/// The repository root (where `sources/` and `fonts/` are).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `sources/*.xml`, sorted.
pub fn source_files() -> Vec<PathBuf> {
    pipeline::discover_sources(&[repo_root().join("sources")]).expect("sources/ lists")
}

/// Builds the given sources into a fresh temporary folder with a fixed date.
pub fn build_into(sources: Vec<PathBuf>, formats: &[Format]) -> (tempfile::TempDir, BuildReport) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut options = BuildOptions::new(dir.path());
    options.sources = sources;
    options.formats = formats.to_vec();
    options.source_date_epoch = Some(1_700_000_000);
    let report = pipeline::build(&options).expect("build runs");
    (dir, report)
}

/// Whether CI asked for every external validator to be present.
pub fn validators_required() -> bool {
    std::env::var("POLYPRESS_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1")
}

/// Whether an external program runs (`program args...` exits at all). When it does not and
/// `POLYPRESS_REQUIRE_VALIDATORS=1`, the test fails instead of skipping.
pub fn tool_available(program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty());
    if !ok {
        assert!(
            !validators_required(),
            "{program} is required (POLYPRESS_REQUIRE_VALIDATORS=1) but does not run"
        );
        eprintln!("skipping: {program} is not installed");
    }
    ok
}

/// The folder of the shared validator tools, if it is beside the repository.
pub fn shared_tools() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/tools");
    dir.is_dir().then_some(dir)
}

/// Runs a command and returns (success, stdout + stderr).
pub fn run(program: &str, args: &[&str], cwd: Option<&Path>) -> (bool, String) {
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    match cmd.output() {
        Ok(o) => (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        ),
        Err(e) => (false, e.to_string()),
    }
}
