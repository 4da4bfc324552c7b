//! docs/scale.md's Slurm recipe on a real (private, single-node) Slurm cluster: the array
//! script and the merge script are taken from the document as written, submitted as it
//! says, and the result compared with a single build; then a task is cancelled mid-run,
//! the merge names the gap, the task is rerun alone, it resumes, and the merge succeeds.
//!
//! The cluster comes from `../shared/tools/slurm-local` (or `$POLYPRESS_SLURM_LOCAL`),
//! which needs root and Debian's slurmctld, slurmd and munge (it installs them if missing).
//! Without it the test is skipped, unless `POLYPRESS_REQUIRE_VALIDATORS=1`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SHARDS: u32 = 4;
const DATE: &str = "1700000000";

/// The private cluster; stopped when dropped, whatever the test's outcome.
struct Cluster {
    tool: PathBuf,
    dir: PathBuf,
    conf: String,
}

impl Cluster {
    fn up(tool: &Path, dir: &Path) -> Cluster {
        // Ports of our own, so that another checkout's test run can have its cluster too.
        let base = 20_000 + (std::process::id() % 10_000) * 2;
        let output = Command::new(tool)
            .args(["up", &dir.to_string_lossy()])
            .env("SLURMCTLD_PORT", base.to_string())
            .env("SLURMD_PORT", (base + 1).to_string())
            .output()
            .expect("slurm-local runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let conf = stdout
            .lines()
            .find_map(|l| l.strip_prefix("export SLURM_CONF="))
            .map(str::to_string);
        let cluster = Cluster {
            tool: tool.to_path_buf(),
            dir: dir.to_path_buf(),
            conf: conf.clone().unwrap_or_default(),
        };
        assert!(
            output.status.success() && conf.is_some(),
            "slurm-local up failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        cluster
    }

    /// A Slurm command against this cluster, with polypress on the PATH (as the docs ask).
    fn command(&self, program: &str, cwd: &Path) -> Command {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_polypress"))
            .parent()
            .unwrap()
            .to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(program);
        command
            .current_dir(cwd)
            .env("SLURM_CONF", &self.conf)
            .env("PATH", path)
            .env("SOURCE_DATE_EPOCH", DATE);
        command
    }

    /// `sbatch --parsable ARGS`: the job id.
    fn sbatch(&self, cwd: &Path, args: &[&str]) -> String {
        let output = self
            .command("sbatch", cwd)
            .arg("--parsable")
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "sbatch {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// The states of a job (one per array task), from `scontrol show job`.
    fn states(&self, cwd: &Path, job: &str) -> Vec<String> {
        let output = self
            .command("scontrol", cwd)
            .args(["show", "job", "-o", job])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| {
                line.split_whitespace()
                    .find_map(|f| f.strip_prefix("JobState="))
                    .map(str::to_string)
            })
            .collect()
    }

    /// Waits until every task of the job has ended; returns their states.
    fn wait(&self, cwd: &Path, job: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let states = self.states(cwd, job);
            let ended = !states.is_empty()
                && states.iter().all(|s| {
                    !matches!(
                        s.as_str(),
                        "PENDING" | "RUNNING" | "CONFIGURING" | "COMPLETING" | "SUSPENDED"
                    )
                });
            if ended {
                return states;
            }
            assert!(Instant::now() < deadline, "job {job} still {states:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(&self.tool)
            .args(["down", &self.dir.to_string_lossy()])
            .status();
    }
}

fn slurm_local() -> Option<PathBuf> {
    let tool = std::env::var_os("POLYPRESS_SLURM_LOCAL")
        .map(PathBuf::from)
        .or_else(|| common::shared_tools().map(|d| d.join("slurm-local")))
        .filter(|p| p.is_file());
    if tool.is_none() {
        assert!(
            !common::validators_required(),
            "slurm-local is required (POLYPRESS_REQUIRE_VALIDATORS=1) but not found in ../shared/tools"
        );
        eprintln!("skipping: slurm-local not found (../shared/tools or $POLYPRESS_SLURM_LOCAL)");
    }
    tool
}

/// The fenced block of docs/scale.md whose second line names `file`.
fn script_from_docs(file: &str) -> String {
    let doc = std::fs::read_to_string(common::repo_root().join("docs/scale.md")).unwrap();
    doc.split("```bash\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .find(|block| {
            block
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with(&format!("# {file}:")))
        })
        .unwrap_or_else(|| panic!("docs/scale.md has no block for {file}"))
        .to_string()
}

/// Every output file with its bytes (hidden files left out).
fn outputs(out: &Path) -> BTreeMap<String, Vec<u8>> {
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
                    std::fs::read(file.path()).unwrap(),
                );
            }
        }
    }
    found
}

fn assert_same_as_single(out: &Path, single: &Path) {
    let (got, expected) = (outputs(out), outputs(single));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &expected {
        assert!(
            got[path] == *bytes,
            "{path} differs from the single build's"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("manifest.json")).unwrap(),
        std::fs::read_to_string(single.join("manifest.json")).unwrap(),
        "the merged manifest is the single build's"
    );
}

fn read_logs(logs: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(logs).unwrap().flatten() {
        all += &format!(
            "--- {}\n{}",
            entry.file_name().to_string_lossy(),
            std::fs::read_to_string(entry.path()).unwrap_or_default()
        );
    }
    all
}

#[test]
fn the_documented_slurm_array_matches_a_single_build_and_resumes_a_cancelled_task() {
    let Some(tool) = slurm_local() else { return };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("polypress-archive.sbatch"),
        script_from_docs("polypress-archive.sbatch"),
    )
    .unwrap();
    std::fs::write(
        work.join("polypress-merge.sbatch"),
        script_from_docs("polypress-merge.sbatch"),
    )
    .unwrap();
    // As the docs say: Slurm does not create the folder of --output.
    std::fs::create_dir_all(work.join("logs")).unwrap();

    let sources = dir.path().join("sources");
    polypress::corpus::generate(&common::repo_root().join("sources"), 4, &sources, 5).unwrap();
    let single = dir.path().join("single");
    let status = Command::new(env!("CARGO_BIN_EXE_polypress"))
        .arg("build")
        .arg(&sources)
        .arg("--out")
        .arg(&single)
        .env("SOURCE_DATE_EPOCH", DATE)
        .status()
        .unwrap();
    assert!(status.success());

    let cluster = Cluster::up(&tool, &dir.path().join("cluster"));
    let exports = |out: &Path| {
        format!(
            "ALL,SHARDS={SHARDS},SOURCES={},OUTPUT={}",
            sources.display(),
            out.display()
        )
    };
    // The node has as many CPUs as this machine: one per task, so that tasks run side by
    // side (the script's --cpus-per-task=4 is for a real node).
    let submit_array = |array: &str, out: &Path| {
        cluster.sbatch(
            &work,
            &[
                &format!("--array={array}"),
                "--cpus-per-task=1",
                "--mem=300M",
                &format!("--export={}", exports(out)),
                "polypress-archive.sbatch",
            ],
        )
    };
    let submit_merge = |after: &str, out: &Path| {
        cluster.sbatch(
            &work,
            &[
                &format!("--dependency=afterany:{after}"),
                &format!("--export={}", exports(out)),
                "polypress-merge.sbatch",
            ],
        )
    };

    // 1. The whole array, then the merge.
    let out = dir.path().join("output");
    let array = submit_array(&format!("1-{SHARDS}"), &out);
    let merge = submit_merge(&array, &out);
    let states = cluster.wait(&work, &merge);
    assert_eq!(
        states,
        ["COMPLETED"],
        "merge: {}",
        read_logs(&work.join("logs"))
    );
    assert_eq!(
        cluster.wait(&work, &array),
        vec!["COMPLETED"; SHARDS as usize]
    );
    assert_same_as_single(&out, &single);

    // 2. Task 2 cancelled mid-run. It is held at its manifest's lock until the test lets
    // it go, then cancelled once its first output has landed.
    let out = dir.path().join("output-cancelled");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::File::create(out.join(".manifest.shard-2-of-4.json.lock")).unwrap();
    lock.lock().unwrap();
    let array = submit_array(&format!("1-{SHARDS}"), &out);
    let task = format!("{array}_2");
    let deadline = Instant::now() + Duration::from_secs(60);
    while cluster.states(&work, &task) != ["RUNNING"] {
        assert!(Instant::now() < deadline, "task 2 does not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(lock);
    let journal = out.join(".manifest.shard-2-of-4.json.journal");
    while std::fs::read(&journal).map_or(true, |j| j.is_empty()) {
        assert!(
            Instant::now() < deadline,
            "task 2 writes nothing: {}",
            read_logs(&work.join("logs"))
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let cancelled = cluster
        .command("scancel", &work)
        .arg(&task)
        .status()
        .unwrap();
    assert!(cancelled.success());
    let merge = submit_merge(&array, &out);
    assert_eq!(cluster.wait(&work, &merge), ["FAILED"]);
    let logs = read_logs(&work.join("logs"));
    assert!(
        logs.contains("run shard 2/4 again"),
        "the merge names the cancelled shard:\n{logs}"
    );
    assert_eq!(cluster.states(&work, &task), ["CANCELLED"]);

    // 3. Task 2 alone, as the docs say; it resumes; the merge succeeds.
    let again = submit_array("2", &out);
    let merge = submit_merge(&again, &out);
    assert_eq!(
        cluster.wait(&work, &merge),
        ["COMPLETED"],
        "{}",
        read_logs(&work.join("logs"))
    );
    let rerun_log =
        std::fs::read_to_string(work.join("logs").join(format!("polypress-{again}-2.log")))
            .unwrap();
    let skipped: usize = rerun_log
        .split(" skipped")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        rerun_log.contains("shard 2/4:") && skipped > 0,
        "the rerun skips what the cancelled task finished: {rerun_log}"
    );
    assert_same_as_single(&out, &single);
}
