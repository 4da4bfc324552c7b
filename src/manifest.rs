//! The manifest: what a build wrote, with the digests that make incremental builds and
//! multi-machine (sharded) builds checkable.
//!
//! A whole run writes `manifest.json`. A shard of a run (`--shard K/N`) writes
//! `manifest.shard-K-of-N.json`, which also lists every job the shard was responsible for
//! and a digest of the whole run's job list, so that `merge` can prove the shards together
//! cover the run exactly once and produce the `manifest.json` a single run would have.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub const MANIFEST_NAME: &str = "manifest.json";

/// What every manifest says wrote it.
pub fn generator() -> String {
    format!("polypress {}", env!("CARGO_PKG_VERSION"))
}

/// One output, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Relative to the output folder, with `/` separators; also the job's key.
    pub path: String,
    pub format: String,
    pub lang: String,
    pub bytes: u64,
    pub sha256: String,
    /// The source file, as given on the command line.
    pub source: String,
    pub source_sha256: String,
    /// Digest of everything the output's bytes depend on (see `input_sha256`): when it and
    /// the file on disk are unchanged, the next build skips the job.
    #[serde(default)]
    pub input_sha256: String,
}

/// The manifest of a whole run: `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub outputs: Vec<ManifestEntry>,
}

/// The manifest of one shard: `manifest.shard-K-of-N.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardManifest {
    pub generator: String,
    pub shard: Shard,
    /// How many jobs the whole run has, over every shard.
    pub run_jobs: usize,
    /// SHA-256 of the whole run's job keys, sorted, one per line: every shard of one run
    /// computes the same value, and the keys of all shards together must hash to it.
    pub run_jobs_sha256: String,
    /// Every job key this shard was responsible for, sorted, built or not.
    pub jobs: Vec<String>,
    pub outputs: Vec<ManifestEntry>,
}

/// The digest of everything an output's bytes depend on: the source bytes, the font bytes,
/// the polypress version, the format and the date option. Two jobs with equal input digests
/// write equal bytes, so an existing output with this digest need not be rebuilt.
/// SHA-256 of polypress's own code (`src/`, `Cargo.toml`, `Cargo.lock`), computed by
/// `build.rs`: two builds with the same version number but different code are different
/// inputs.
const CODE_SHA256: &str = include_str!(concat!(env!("OUT_DIR"), "/code_sha256"));

pub fn input_sha256(
    source_sha256: &str,
    fonts_sha256: &str,
    extension: &str,
    source_date_epoch: Option<i64>,
) -> String {
    let date = source_date_epoch.map_or_else(|| "none".to_string(), |s| s.to_string());
    let identity = format!(
        "polypress-input 1\nversion {}\ncode {}\nsource {source_sha256}\nfonts {fonts_sha256}\nformat {extension}\nsource-date-epoch {date}\n",
        env!("CARGO_PKG_VERSION"),
        CODE_SHA256,
    );
    crate::sha256_hex(identity.as_bytes())
}

/// The digest of a run's job list, as `ShardManifest::run_jobs_sha256` records it.
pub fn job_list_sha256<'a>(sorted_keys: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for key in sorted_keys {
        hasher.update(key.as_bytes());
        hasher.update(b"\n");
    }
    crate::hex(&hasher.finalize())
}

/// One share of a run split over machines: the K-th (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based, like `SLURM_ARRAY_TASK_ID` for an array `1-N`.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether this shard builds the job with this key. The share of a key is the first
    /// 8 bytes of its SHA-256 modulo N: stable across machines, runs and polypress builds.
    pub fn owns(&self, job_key: &str) -> bool {
        share_of(job_key, self.count) == self.index - 1
    }

    /// The file name of this shard's manifest, distinct per shard so that shards writing
    /// into one shared folder never overwrite each other's.
    pub fn manifest_name(&self) -> String {
        format!("manifest.shard-{}-of-{}.json", self.index, self.count)
    }
}

/// The 0-based share (0..count) a job key falls into.
pub fn share_of(job_key: &str, count: u32) -> u32 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(job_key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let usage = || {
            format!(
                "shard \"{s}\" is not K/N with 1 <= K <= N (e.g. 2/8: the second of eight shares)"
            )
        };
        let (k, n) = s.trim().split_once('/').ok_or_else(usage)?;
        let index: u32 = k.trim().parse().map_err(|_| usage())?;
        let count: u32 = n.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a polypress manifest: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no shard manifests (manifest.shard-K-of-N.json) in {0}")]
    NoShards(PathBuf),
    /// Everything wrong with a set of shard manifests, one problem per line.
    #[error("the shard manifests do not make one complete run:\n{}", .0.join("\n"))]
    Inconsistent(Vec<String>),
}

/// Serialises a manifest as the files hold it: pretty JSON and a final newline.
pub fn to_json<T: Serialize>(manifest: &T) -> Vec<u8> {
    // Serialising these plain structs cannot fail (string keys, no maps with other keys).
    let mut json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    json.push(b'\n');
    json
}

/// Far more than any manifest holds (an entry takes about 400 bytes).
const MAX_MANIFEST_BYTES: u64 = 1 << 30;

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, ManifestError> {
    // A regular file only: a FIFO or /dev/zero in its place would block or never end.
    let bytes = crate::source::read_regular_file(path, MAX_MANIFEST_BYTES).map_err(|source| {
        ManifestError::Read {
            path: path.to_path_buf(),
            source,
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ManifestError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

pub fn read_shard_manifest(path: &Path) -> Result<ShardManifest, ManifestError> {
    read_json(path)
}

pub fn read_manifest(path: &Path) -> Result<Manifest, ManifestError> {
    read_json(path)
}

/// The entries of an earlier manifest (a run's or a shard's), by output path; empty when
/// there is none or it cannot be read (then everything is simply rebuilt).
pub fn previous_entries(path: &Path) -> BTreeMap<String, ManifestEntry> {
    #[derive(Deserialize)]
    struct AnyManifest {
        outputs: Vec<ManifestEntry>,
    }
    read_json::<AnyManifest>(path)
        .map(|m| m.outputs.into_iter().map(|e| (e.path.clone(), e)).collect())
        .unwrap_or_default()
}

/// The shard manifests in a folder (`manifest.shard-*-of-*.json`), sorted by name.
pub fn find_shard_manifests(dir: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ManifestError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("manifest.shard-") && n.ends_with(".json"))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(ManifestError::NoShards(dir.to_path_buf()));
    }
    Ok(found)
}

/// Joins the manifests of the N shards of one run into the manifest a single run would
/// have written, after checking that every shard is there once, that each listed only jobs
/// of its own share, that together they cover the run's job list with nothing missing or
/// doubled, and that every job has its output.
pub fn merge(shards: &[(PathBuf, ShardManifest)]) -> Result<Manifest, ManifestError> {
    let mut problems = Vec::new();
    let Some((first_path, first)) = shards.first() else {
        return Err(ManifestError::Inconsistent(vec![
            "no shard manifests given".to_string(),
        ]));
    };
    let count = first.shard.count;

    for (path, shard) in shards {
        let name = path.display();
        if shard.shard.count != count {
            problems.push(format!(
                "{name} is shard {} but {} is shard {}: all shards must split the run into the same number of shares",
                shard.shard,
                first_path.display(),
                first.shard
            ));
        }
        if shard.generator != first.generator {
            problems.push(format!(
                "{name} was written by {} but {} by {}: build every shard with the same polypress",
                shard.generator,
                first_path.display(),
                first.generator
            ));
        }
        if shard.run_jobs != first.run_jobs || shard.run_jobs_sha256 != first.run_jobs_sha256 {
            problems.push(format!(
                "{name} saw a run of {} jobs but {} saw {} (or a different job list): every shard must be given the same sources, formats and languages",
                shard.run_jobs,
                first_path.display(),
                first.run_jobs
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ManifestError::Inconsistent(abridged(problems)));
    }

    // Each share exactly once.
    let mut by_index: BTreeMap<u32, &PathBuf> = BTreeMap::new();
    for (path, shard) in shards {
        if let Some(other) = by_index.insert(shard.shard.index, path) {
            problems.push(format!(
                "shard {} is given twice: {} and {}",
                shard.shard,
                other.display(),
                path.display()
            ));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|k| !by_index.contains_key(k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "gap: no manifest for shard {} (expected manifest.shard-K-of-{count}.json for K = 1..{count})",
            missing.join(", ")
        ));
    }

    // Jobs: each in its own share, none in two shards, each with an output.
    let mut job_owner: BTreeMap<&str, &PathBuf> = BTreeMap::new();
    let mut outputs: BTreeMap<&str, (&ManifestEntry, &PathBuf)> = BTreeMap::new();
    for (path, shard) in shards {
        let name = path.display();
        let own_jobs: BTreeSet<&str> = shard.jobs.iter().map(String::as_str).collect();
        let own_outputs: BTreeSet<&str> = shard.outputs.iter().map(|e| e.path.as_str()).collect();
        for key in &shard.jobs {
            if !shard.shard.owns(key) {
                problems.push(format!(
                    "{name} lists job {key}, which belongs to shard {}/{count}",
                    share_of(key, count) + 1
                ));
            }
            if let Some(other) = job_owner.insert(key, path) {
                problems.push(format!(
                    "overlap: job {key} is in both {} and {name}",
                    other.display()
                ));
            }
        }
        for entry in &shard.outputs {
            if !own_jobs.contains(entry.path.as_str()) {
                problems.push(format!(
                    "{name} has an output {} that is not one of its jobs",
                    entry.path
                ));
            }
            if let Some((other, other_path)) = outputs.insert(&entry.path, (entry, path)) {
                if other.sha256 != entry.sha256 {
                    problems.push(format!(
                        "overlap: {} is in both {} and {name} with different contents (sha256 {} and {})",
                        entry.path,
                        other_path.display(),
                        other.sha256,
                        entry.sha256
                    ));
                }
            }
        }
        for key in &own_jobs {
            if !own_outputs.contains(key) {
                problems.push(format!(
                    "gap: job {key} of shard {} has no output (it failed or its writer is missing): run shard {} again",
                    shard.shard, shard.shard
                ));
            }
        }
    }
    let covered = job_list_sha256(job_owner.keys().copied());
    if missing.is_empty() && (job_owner.len() != first.run_jobs || covered != first.run_jobs_sha256)
    {
        problems.push(format!(
            "gap: the shards together list {} jobs but the run has {}{}",
            job_owner.len(),
            first.run_jobs,
            if job_owner.len() == first.run_jobs {
                " (with different keys)"
            } else {
                ""
            }
        ));
    }
    if !problems.is_empty() {
        return Err(ManifestError::Inconsistent(abridged(problems)));
    }
    Ok(Manifest {
        generator: first.generator.clone(),
        outputs: outputs.into_values().map(|(e, _)| e.clone()).collect(),
    })
}

/// At most `MAX_PROBLEMS` problems and a count of the rest: an archive run with a broken
/// shard would otherwise print thousands of lines.
fn abridged(mut problems: Vec<String>) -> Vec<String> {
    const MAX_PROBLEMS: usize = 20;
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("... and {more} more"));
    }
    problems
}

/// `polypress manifest merge`: reads the shard manifests (files, or every
/// `manifest.shard-*-of-*.json` in the given folders), merges them and writes `out`
/// (by default `manifest.json` next to the first shard manifest). Returns where it wrote
/// and the merged manifest.
pub fn merge_files(
    inputs: &[PathBuf],
    out: Option<&Path>,
) -> Result<(PathBuf, Manifest), ManifestError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            files.extend(find_shard_manifests(input)?);
        } else {
            files.push(input.clone());
        }
    }
    if files.is_empty() {
        return Err(ManifestError::NoShards(PathBuf::from(".")));
    }
    let shards = files
        .iter()
        .map(|p| read_shard_manifest(p).map(|m| (p.clone(), m)))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = merge(&shards)?;
    let target = match out {
        Some(path) => path.to_path_buf(),
        None => files[0]
            .parent()
            .unwrap_or(Path::new("."))
            .join(MANIFEST_NAME),
    };
    crate::pipeline::write_atomically(&target, &to_json(&merged)).map_err(|source| {
        ManifestError::Write {
            path: target.clone(),
            source,
        }
    })?;
    Ok((target, merged))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> ManifestEntry {
        ManifestEntry {
            path: path.to_string(),
            format: "pdf".into(),
            lang: "en".into(),
            bytes: 1,
            sha256: crate::sha256_hex(path.as_bytes()),
            source: "s.xml".into(),
            source_sha256: "0".into(),
            input_sha256: "1".into(),
        }
    }

    fn split(keys: &[&str], count: u32) -> Vec<(PathBuf, ShardManifest)> {
        let mut sorted: Vec<&str> = keys.to_vec();
        sorted.sort();
        (1..=count)
            .map(|index| {
                let shard = Shard { index, count };
                let jobs: Vec<String> = sorted
                    .iter()
                    .filter(|k| shard.owns(k))
                    .map(|k| k.to_string())
                    .collect();
                let outputs = jobs.iter().map(|k| entry(k)).collect();
                (
                    PathBuf::from(shard.manifest_name()),
                    ShardManifest {
                        generator: generator(),
                        shard,
                        run_jobs: sorted.len(),
                        run_jobs_sha256: job_list_sha256(sorted.iter().copied()),
                        jobs,
                        outputs,
                    },
                )
            })
            .collect()
    }

    const KEYS: [&str; 8] = [
        "bg/a.pdf",
        "bg/a.epub",
        "en/a.pdf",
        "en/a.epub",
        "hu/a.pdf",
        "hu/b.docx",
        "da/a.pdf",
        "da/z.epub",
    ];

    #[test]
    fn shard_parses_k_of_n_and_refuses_nonsense() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("K/N"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_key_falls_in_exactly_one_share() {
        for count in 1..6 {
            for key in KEYS {
                let owners = (1..=count)
                    .filter(|&index| Shard { index, count }.owns(key))
                    .count();
                assert_eq!(owners, 1, "{key} in {count} shares");
            }
        }
    }

    #[test]
    fn merge_of_complete_shards_lists_every_output_sorted() {
        let merged = merge(&split(&KEYS, 3)).unwrap();
        let paths: Vec<&str> = merged.outputs.iter().map(|e| e.path.as_str()).collect();
        let mut expected = KEYS.to_vec();
        expected.sort();
        assert_eq!(paths, expected);
    }

    #[test]
    fn merge_names_a_missing_shard() {
        let mut shards = split(&KEYS, 3);
        shards.remove(1);
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("no manifest for shard 2/3"), "{err}");
    }

    #[test]
    fn merge_names_a_job_without_output() {
        let mut shards = split(&KEYS, 2);
        let (_, shard) = &mut shards[0];
        let lost = shard.outputs.remove(0).path;
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains(&format!("gap: job {lost}")), "{err}");
    }

    #[test]
    fn merge_names_a_job_in_two_shards_with_different_bytes() {
        let mut shards = split(&KEYS, 2);
        let stolen = shards[0].1.outputs[0].clone();
        let mut changed = stolen.clone();
        changed.sha256 = "different".into();
        shards[1].1.jobs.push(stolen.path.clone());
        shards[1].1.jobs.sort();
        shards[1].1.outputs.push(changed);
        let err = merge(&shards).unwrap_err().to_string();
        assert!(
            err.contains(&format!("overlap: job {}", stolen.path)),
            "{err}"
        );
        assert!(err.contains("different contents"), "{err}");
    }

    #[test]
    fn merge_notices_shards_of_different_runs() {
        let mut shards = split(&KEYS, 2);
        let other = split(&KEYS[..6], 2);
        shards[1] = other[1].clone();
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("same sources"), "{err}");
    }
}
