//! The manifest: what a build wrote, with the digests that make incremental builds and
//! multi-machine (sharded) builds checkable.
//!
//! A whole run writes `manifest.json`. A shard of a run (`--shard K/N`) writes
//! `manifest.shard-K-of-N.json`, which also lists every job the shard was responsible for
//! and the identity of the whole run (`RunIdentity`), so that `merge` can prove the shards
//! belong to one run and together cover it exactly once.
//!
//! A manifest never lists an output that is not on disk with the listed bytes: it is
//! checked against the files before a build trusts it, it is rewritten without the
//! outputs a build is about to replace before it replaces them, and the outputs a build
//! finishes are appended to a journal as they land (`journal`), folded into the manifest
//! at the end and, after a crash, at the start of the next build.

pub mod journal;
mod merge;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use merge::{merge, merge_files};

pub const MANIFEST_NAME: &str = "manifest.json";

/// The largest N of `--shard K/N`: more shares than any cluster has array tasks, and small
/// enough that every per-shard list merge keeps stays small.
pub const MAX_SHARDS: u32 = 10_000;

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
    /// Which run this shard is a share of: equal in every shard of one run.
    pub run: RunIdentity,
    /// Every job key this shard was responsible for, sorted, built or not.
    pub jobs: Vec<String>,
    pub outputs: Vec<ManifestEntry>,
}

/// Everything that makes two shards shares of the same run. A shard manifest left from an
/// earlier run (other sources, another date, other options, another polypress) differs in
/// at least one field, so it cannot be taken for a share of this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunIdentity {
    /// SHA-256 over every field below: the run's name in messages.
    pub sha256: String,
    /// How many jobs the whole run has, over every shard.
    pub jobs: usize,
    /// SHA-256 of the whole run's job keys, sorted, one per line.
    pub jobs_sha256: String,
    /// SHA-256 of the run's sources: `lang id sha256` per source, sorted, one per line.
    pub sources_sha256: String,
    pub source_date_epoch: Option<i64>,
    /// The options that choose the jobs: formats and languages.
    pub options: String,
    /// SHA-256 of polypress's own code (see `CODE_SHA256`).
    pub code_sha256: String,
    pub fonts_sha256: String,
}

/// One source of a run, as the run identity counts it.
pub struct RunSource<'a> {
    pub lang: &'a str,
    pub id: &'a str,
    pub sha256: &'a str,
}

impl RunIdentity {
    pub fn new(
        sorted_job_keys: &[String],
        sources: &[RunSource],
        source_date_epoch: Option<i64>,
        options: String,
        fonts_sha256: &str,
    ) -> RunIdentity {
        let mut source_lines: Vec<String> = sources
            .iter()
            .map(|s| format!("{} {} {}", s.lang, s.id, s.sha256))
            .collect();
        source_lines.sort();
        let mut identity = RunIdentity {
            sha256: String::new(),
            jobs: sorted_job_keys.len(),
            jobs_sha256: job_list_sha256(sorted_job_keys.iter().map(String::as_str)),
            sources_sha256: job_list_sha256(source_lines.iter().map(String::as_str)),
            source_date_epoch,
            options,
            code_sha256: CODE_SHA256.trim().to_string(),
            fonts_sha256: fonts_sha256.to_string(),
        };
        identity.sha256 = identity.digest();
        identity
    }

    fn digest(&self) -> String {
        crate::sha256_hex(
            format!(
                "polypress-run 1\njobs {} {}\nsources {}\nsource-date-epoch {:?}\noptions {}\ncode {}\nfonts {}\n",
                self.jobs,
                self.jobs_sha256,
                self.sources_sha256,
                self.source_date_epoch,
                self.options,
                self.code_sha256,
                self.fonts_sha256
            )
            .as_bytes(),
        )
    }

    /// Whether the recorded digest is the digest of the recorded fields (a hand-edited
    /// identity is not).
    pub fn is_consistent(&self) -> bool {
        self.sha256 == self.digest()
    }

    /// What differs between two runs, one phrase per field.
    pub fn differences(&self, other: &RunIdentity) -> Vec<String> {
        let mut found = Vec::new();
        if self.jobs != other.jobs || self.jobs_sha256 != other.jobs_sha256 {
            found.push(format!(
                "the job list ({} jobs vs {}{})",
                self.jobs,
                other.jobs,
                if self.jobs == other.jobs {
                    ", different keys"
                } else {
                    ""
                }
            ));
        }
        if self.sources_sha256 != other.sources_sha256 {
            found.push(format!(
                "the sources' contents (digest {} vs {})",
                short(&self.sources_sha256),
                short(&other.sources_sha256)
            ));
        }
        if self.source_date_epoch != other.source_date_epoch {
            let show = |d: Option<i64>| d.map_or_else(|| "unset".to_string(), |d| d.to_string());
            found.push(format!(
                "SOURCE_DATE_EPOCH ({} vs {})",
                show(self.source_date_epoch),
                show(other.source_date_epoch)
            ));
        }
        if self.options != other.options {
            found.push(format!("options ({} vs {})", self.options, other.options));
        }
        if self.code_sha256 != other.code_sha256 {
            found.push(format!(
                "polypress's code (digest {} vs {})",
                short(&self.code_sha256),
                short(&other.code_sha256)
            ));
        }
        if self.fonts_sha256 != other.fonts_sha256 {
            found.push(format!(
                "the fonts (digest {} vs {})",
                short(&self.fonts_sha256),
                short(&other.fonts_sha256)
            ));
        }
        found
    }
}

/// The first 12 hex digits of a digest: enough to tell runs apart in a message.
pub fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

/// SHA-256 of polypress's own code (`src/`, `Cargo.toml`, `Cargo.lock`), computed by
/// `build.rs`: two builds with the same version number but different code are different
/// inputs.
const CODE_SHA256: &str = include_str!(concat!(env!("OUT_DIR"), "/code_sha256"));

/// The digest of everything an output's bytes depend on: the source bytes, the font bytes,
/// the polypress version and code, the format and the date option. Two jobs with equal
/// input digests write equal bytes, so an existing output with this digest need not be
/// rebuilt.
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

/// SHA-256 of a list of lines (job keys, sources), one per line.
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
        let shown: String = s.chars().take(40).collect();
        let usage = || {
            format!(
                "shard \"{shown}\" is not K/N with 1 <= K <= N <= {MAX_SHARDS} (e.g. 2/8: the second of eight shares)"
            )
        };
        let (k, n) = s.trim().split_once('/').ok_or_else(usage)?;
        let index: u32 = k.trim().parse().map_err(|_| usage())?;
        let count: u32 = n.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count || count > MAX_SHARDS {
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

/// The entries of a manifest (a run's or a shard's); `None` when there is no such file.
pub fn read_entries(path: &Path) -> Result<Option<Vec<ManifestEntry>>, ManifestError> {
    #[derive(Deserialize)]
    struct AnyManifest {
        outputs: Vec<ManifestEntry>,
    }
    match read_json::<AnyManifest>(path) {
        Ok(m) => Ok(Some(m.outputs)),
        Err(ManifestError::Read { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// How a file on disk differs from its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    Missing,
    Size { on_disk: u64 },
    Digest { on_disk: String },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Missing => write!(f, "the file is missing"),
            Mismatch::Size { on_disk } => write!(f, "the file has {on_disk} bytes"),
            Mismatch::Digest { on_disk } => {
                write!(f, "the file's sha256 is {}", short(on_disk))
            }
        }
    }
}

/// Whether the output an entry describes is on disk under `dir` with its size and digest.
pub fn check_file(dir: &Path, entry: &ManifestEntry) -> Result<(), Mismatch> {
    let path = dir.join(&entry.path);
    // A path that leaves the folder (`..`, absolute) is never one of ours.
    if !is_relative_inside(&entry.path) {
        return Err(Mismatch::Missing);
    }
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() && meta.len() == entry.bytes => {}
        Ok(meta) if meta.is_file() => {
            return Err(Mismatch::Size {
                on_disk: meta.len(),
            })
        }
        _ => return Err(Mismatch::Missing),
    }
    let bytes = crate::source::read_regular_file(&path, entry.bytes.saturating_add(1))
        .map_err(|_| Mismatch::Missing)?;
    let on_disk = crate::sha256_hex(&bytes);
    if on_disk == entry.sha256 {
        Ok(())
    } else {
        Err(Mismatch::Digest { on_disk })
    }
}

fn is_relative_inside(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|part| !part.is_empty() && part != "..")
}

/// The entries whose files are on disk under `dir` exactly as listed, by path; checked in
/// parallel (each output is read and hashed).
pub fn verified(dir: &Path, entries: Vec<ManifestEntry>) -> BTreeMap<String, ManifestEntry> {
    entries
        .into_par_iter()
        .filter(|e| check_file(dir, e).is_ok())
        .map(|e| (e.path.clone(), e))
        .collect()
}

/// What a folder's manifest and its journal say, as far as the files on disk bear it out.
pub struct Recovered {
    pub entries: BTreeMap<String, ManifestEntry>,
    /// A manifest that could not be read, as a message naming it.
    pub warnings: Vec<String>,
}

/// Reads a manifest and the journal an interrupted build left beside it, keeping the
/// entries whose files are still on disk as listed. A manifest that cannot be read is
/// reported and left out: what it listed is rebuilt.
pub fn recover(dir: &Path, manifest_name: &str) -> Recovered {
    let path = dir.join(manifest_name);
    let mut warnings = Vec::new();
    let mut entries = match read_entries(&path) {
        Ok(entries) => entries.unwrap_or_default(),
        Err(e) => {
            warnings.push(format!(
                "warning: {e}; it is ignored and written anew from the outputs this build can verify"
            ));
            Vec::new()
        }
    };
    entries.extend(journal::read(&journal::path_for(&path)));
    // The journal's entry for a path is newer than the manifest's: keep the last.
    let mut latest: BTreeMap<String, ManifestEntry> = BTreeMap::new();
    for entry in entries {
        latest.insert(entry.path.clone(), entry);
    }
    Recovered {
        entries: verified(dir, latest.into_values().collect()),
        warnings,
    }
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
