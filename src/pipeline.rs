//! The build: read every source, run (source x format) jobs in parallel, write each output
//! atomically, then the manifest.
//!
//! Jobs return bytes or an error; only this module touches the output folder. A failing job
//! never stops the others.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use crate::date::Timestamp;
use crate::diagnostic::{Diagnostic, SourceErrors};
use crate::export::{self, ExportContext, ExportError, Format};
use crate::fonts::FontSet;
use crate::model::Summary;

pub const MANIFEST_NAME: &str = "manifest.json";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Source files; empty means every `*.xml` in `sources/`.
    pub sources: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub formats: Vec<Format>,
    /// Only sources in these languages; `None` means all.
    pub langs: Option<Vec<String>>,
    /// Worker threads; `None` means one per core.
    pub jobs: Option<usize>,
    /// `SOURCE_DATE_EPOCH`, if set: the date every output carries.
    pub source_date_epoch: Option<i64>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

impl BuildOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        BuildOptions {
            sources: Vec::new(),
            out_dir: out_dir.into(),
            formats: Format::ALL.to_vec(),
            langs: None,
            jobs: None,
            source_date_epoch: None,
            progress: false,
        }
    }
}

/// One written output, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestEntry {
    /// Relative to the output folder, with `/` separators.
    pub path: String,
    pub format: String,
    pub lang: String,
    pub bytes: u64,
    pub sha256: String,
    /// The source file, as given on the command line.
    pub source: String,
    pub source_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub generator: String,
    pub outputs: Vec<ManifestEntry>,
}

/// Why a source or a job produced nothing.
#[derive(Debug, Clone)]
pub struct Failure {
    pub source: PathBuf,
    /// `None` when the source itself could not be read: then none of its formats were built.
    pub format: Option<Format>,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.format {
            Some(format) => write!(f, "{} [{format}]: {}", self.source.display(), self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    pub outputs: Vec<ManifestEntry>,
    pub failures: Vec<Failure>,
    /// Formats asked for whose writer does not exist yet: nothing was written for them.
    pub unavailable: Vec<Format>,
    pub elapsed: Duration,
}

impl BuildReport {
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("no sources found in {0} (expected *.xml files)")]
    NoSources(PathBuf),
    #[error("cannot list {path}: {source}")]
    ListSources {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start {0} worker threads: {1}")]
    Threads(usize, String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Fonts(Diagnostic),
}

/// A source read and parsed, with its digest.
pub struct LoadedSource {
    pub path: PathBuf,
    pub sha256: String,
    pub summary: Summary,
}

/// Expands the sources to build: the given files (folders are searched for `*.xml`), or
/// every `*.xml` in `sources/`. Sorted, so the job order never depends on the file system.
pub fn discover_sources(given: &[PathBuf]) -> Result<Vec<PathBuf>, BuildError> {
    let default_dir = [PathBuf::from("sources")];
    let roots = if given.is_empty() {
        &default_dir[..]
    } else {
        given
    };
    let mut found = Vec::new();
    for root in roots {
        if root.is_dir() {
            let entries = std::fs::read_dir(root).map_err(|source| BuildError::ListSources {
                path: root.clone(),
                source,
            })?;
            let mut in_dir: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "xml") && p.is_file())
                .collect();
            if in_dir.is_empty() && given.is_empty() {
                return Err(BuildError::NoSources(root.clone()));
            }
            in_dir.sort();
            found.extend(in_dir);
        } else {
            found.push(root.clone());
        }
    }
    if found.is_empty() {
        return Err(BuildError::NoSources(PathBuf::from("sources")));
    }
    Ok(found)
}

/// Reads and parses one source, keeping its digest for the manifest.
pub fn load_source(path: &Path) -> Result<LoadedSource, SourceErrors> {
    let bytes = crate::source::read_bytes(path).map_err(|d| SourceErrors(vec![d]))?;
    let summary = crate::source::parse_summary(&bytes, path)?;
    Ok(LoadedSource {
        path: path.to_path_buf(),
        sha256: crate::sha256_hex(&bytes),
        summary,
    })
}

/// Runs a whole build with the fonts compiled into polypress.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let fonts = FontSet::embedded().map_err(BuildError::Fonts)?;
    build_with_fonts(options, &fonts)
}

pub fn build_with_fonts(
    options: &BuildOptions,
    fonts: &FontSet,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let sources = discover_sources(&options.sources)?;
    let threads = options.jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BuildError::Threads(threads, e.to_string()))?;
    let mut report = pool.install(|| run_jobs(options, fonts, &sources))?;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn run_jobs(
    options: &BuildOptions,
    fonts: &FontSet,
    sources: &[PathBuf],
) -> Result<BuildReport, BuildError> {
    let mut report = BuildReport::default();
    let loaded: Vec<Result<LoadedSource, SourceErrors>> = sources
        .par_iter()
        .map(|p| load_source(p).and_then(|s| crate::check::coverage::check_loaded(s, fonts)))
        .collect();

    let mut ready: Vec<LoadedSource> = Vec::new();
    for (path, result) in sources.iter().zip(loaded) {
        match result {
            Ok(source) => {
                let wanted = options
                    .langs
                    .as_ref()
                    .is_none_or(|langs| langs.contains(&source.summary.lang));
                if !wanted {
                    continue;
                }
                let clash = ready.iter().find(|r| {
                    r.summary.lang == source.summary.lang && r.summary.id == source.summary.id
                });
                if let Some(first) = clash {
                    report.failures.push(Failure {
                        source: path.clone(),
                        format: None,
                        message: format!(
                            "{}: error: summary \"{}\" in language \"{}\" is also in {}; each (id, lang) pair is built once",
                            path.display(),
                            source.summary.id,
                            source.summary.lang,
                            first.path.display()
                        ),
                    });
                    continue;
                }
                ready.push(source);
            }
            Err(errors) => report.failures.push(Failure {
                source: path.clone(),
                format: None,
                message: errors.to_string(),
            }),
        }
    }

    let jobs: Vec<(&LoadedSource, Format)> = ready
        .iter()
        .flat_map(|s| options.formats.iter().map(move |f| (s, *f)))
        .collect();
    let progress = progress_bar(options.progress, jobs.len() as u64);
    let results: Vec<JobResult> = jobs
        .par_iter()
        .map(|(source, format)| {
            let result = run_job(options, fonts, source, *format);
            progress.inc(1);
            result
        })
        .collect();
    progress.finish_and_clear();

    for ((source, format), result) in jobs.iter().zip(results) {
        match result {
            JobResult::Written(entry) => report.outputs.push(entry),
            JobResult::Unavailable => {
                if !report.unavailable.contains(format) {
                    report.unavailable.push(*format);
                }
            }
            JobResult::Failed(message) => report.failures.push(Failure {
                source: source.path.clone(),
                format: Some(*format),
                message,
            }),
        }
    }
    report.outputs.sort_by(|a, b| a.path.cmp(&b.path));

    if !report.outputs.is_empty() {
        let manifest = Manifest {
            generator: format!("polypress {}", env!("CARGO_PKG_VERSION")),
            outputs: report.outputs.clone(),
        };
        let mut json = serde_json::to_vec_pretty(&manifest).map_err(|e| BuildError::Write {
            path: options.out_dir.join(MANIFEST_NAME),
            source: std::io::Error::other(e),
        })?;
        json.push(b'\n');
        let path = options.out_dir.join(MANIFEST_NAME);
        write_atomically(&path, &json).map_err(|source| BuildError::Write { path, source })?;
    }
    Ok(report)
}

enum JobResult {
    Written(ManifestEntry),
    Unavailable,
    Failed(String),
}

/// Where a document's output in one format goes, relative to the output folder.
pub fn output_path(doc: &Summary, format: Format) -> String {
    format!("{}/{}.{}", doc.lang, doc.id, format.extension())
}

fn run_job(
    options: &BuildOptions,
    fonts: &FontSet,
    source: &LoadedSource,
    format: Format,
) -> JobResult {
    let ctx = ExportContext {
        fonts,
        timestamp: Timestamp::for_document(&source.summary, options.source_date_epoch),
    };
    let bytes = match export::export(format, &source.summary, &ctx) {
        Ok(bytes) => bytes,
        Err(ExportError::NotAvailable(_)) => return JobResult::Unavailable,
        Err(e) => return JobResult::Failed(e.to_string()),
    };
    let relative = output_path(&source.summary, format);
    let path = options.out_dir.join(&relative);
    if let Err(e) = write_atomically(&path, &bytes) {
        return JobResult::Failed(format!("cannot write {}: {e}", path.display()));
    }
    JobResult::Written(ManifestEntry {
        path: relative,
        format: format.extension().to_string(),
        lang: source.summary.lang.clone(),
        bytes: bytes.len() as u64,
        sha256: crate::sha256_hex(&bytes),
        source: source.path.display().to_string(),
        source_sha256: source.sha256.clone(),
    })
}

/// Writes through a temporary file in the same folder, renamed into place, so that a reader
/// (or a crash) never sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn progress_bar(wanted: bool, len: u64) -> indicatif::ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} outputs") {
        bar.set_style(style);
    }
    bar
}
