//! The build: survey every source, run (source x format) jobs in parallel, write each output
//! atomically, then the manifest.
//!
//! Jobs return bytes or an error; only this module touches the output folder. A failing job
//! never stops the others.
//!
//! Three things keep a large (archive) run cheap:
//! - a survey reads only each source's bytes and root attributes (id, lang), so the job list,
//!   the shard split and the up-to-date check are known before any source is parsed;
//! - a source is parsed only when one of its outputs must be (re)built, and is dropped as
//!   soon as its formats are written, so memory follows the largest document, not the count;
//! - an output whose input digest and bytes on disk match the previous manifest is skipped.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::date::Timestamp;
use crate::diagnostic::{Diagnostic, SourceErrors};
use crate::export::{self, ExportContext, ExportError, Format};
use crate::fonts::FontSet;
use crate::manifest::{self, ShardManifest};
pub use crate::manifest::{Manifest, ManifestEntry, Shard, MANIFEST_NAME};
use crate::model::Summary;

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
    /// Rebuild every output, even those whose inputs have not changed.
    pub force: bool,
    /// Build only this share of the job list (`--shard K/N`), and write the shard's own
    /// manifest instead of `manifest.json`.
    pub shard: Option<Shard>,
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
            force: false,
            shard: None,
        }
    }
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
    /// Every output the manifest lists: those written now and those already up to date.
    pub outputs: Vec<ManifestEntry>,
    /// How many outputs were written by this run.
    pub written: usize,
    /// How many outputs were skipped because they were up to date.
    pub skipped: usize,
    /// The manifest this run wrote, if any.
    pub manifest: Option<PathBuf>,
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
    #[error("--langs names {}, but no source is in that language (the sources are in {})", unknown.join(", "), present.join(", "))]
    NoSuchLanguage {
        unknown: Vec<String>,
        present: Vec<String>,
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
    discover(given).map(|d| d.sources)
}

/// The sources named on a command line, each once.
#[derive(Debug, Default)]
pub struct Discovered {
    pub sources: Vec<PathBuf>,
    /// A path given (or found) a second time, and the first: read once.
    pub duplicates: Vec<(PathBuf, PathBuf)>,
}

/// `discover_sources`, also telling which paths were given more than once. Every entry named
/// `*.xml` in a folder is a source, whatever it is: a FIFO, a device or a dangling link is
/// reported when read, not skipped without a word.
pub fn discover(given: &[PathBuf]) -> Result<Discovered, BuildError> {
    let default_dir = [PathBuf::from("sources")];
    let roots = if given.is_empty() {
        &default_dir[..]
    } else {
        given
    };
    let mut found = Vec::new();
    for root in roots {
        if given.is_empty() && !root.is_dir() {
            return Err(BuildError::NoSources(root.clone()));
        }
        if root.is_dir() {
            let entries = std::fs::read_dir(root).map_err(|source| BuildError::ListSources {
                path: root.clone(),
                source,
            })?;
            let mut in_dir: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "xml") && !p.is_dir())
                .collect();
            if in_dir.is_empty() {
                return Err(BuildError::NoSources(root.clone()));
            }
            in_dir.sort();
            found.extend(in_dir);
        } else {
            found.push(root.clone());
        }
    }
    let mut discovered = Discovered::default();
    let mut seen: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for path in found {
        let same = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match seen.get(&same) {
            Some(first) => discovered.duplicates.push((path, first.clone())),
            None => {
                seen.insert(same, path.clone());
                discovered.sources.push(path);
            }
        }
    }
    Ok(discovered)
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
    build_with_exporter(options, fonts, &export::export)
}

/// What turns one document into one format's bytes: `export::export`, or a stand-in in
/// tests of the pipeline itself.
pub type Exporter<'a> =
    dyn Fn(Format, &Summary, &ExportContext) -> Result<Vec<u8>, ExportError> + Sync + 'a;

pub fn build_with_exporter(
    options: &BuildOptions,
    fonts: &FontSet,
    exporter: &Exporter,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let sources = discover_sources(&options.sources)?;
    let threads = options.jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BuildError::Threads(threads, e.to_string()))?;
    let mut report = pool.install(|| run_jobs(options, fonts, exporter, &sources))?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// A source as the survey saw it: its digest and the root attributes that name its outputs.
struct SurveyedSource {
    path: PathBuf,
    sha256: String,
    id: String,
    lang: String,
}

/// Reads a source's bytes and its root element's `id` and `lang`, without parsing the rest.
/// A source whose root cannot be read this way is parsed in full, for the reader's message.
fn survey_source(path: &Path) -> Result<SurveyedSource, String> {
    let bytes = crate::source::read_bytes(path).map_err(|d| SourceErrors(vec![d]).to_string())?;
    let sha256 = crate::sha256_hex(&bytes);
    let (id, lang) = match root_id_and_lang(&bytes) {
        Some(found) => found,
        None => match load_source(path) {
            Ok(source) => (source.summary.id, source.summary.lang),
            Err(errors) => return Err(errors.to_string()),
        },
    };
    Ok(SurveyedSource {
        path: path.to_path_buf(),
        sha256,
        id,
        lang,
    })
}

/// The `id` and `lang` of a `<summary>` root, read as the full reader reads them
/// (unescaped, trimmed); `None` when the file does not start that way.
pub(crate) fn root_id_and_lang(bytes: &[u8]) -> Option<(String, String)> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                if e.name().as_ref() != b"summary" {
                    return None;
                }
                let mut id = None;
                let mut lang = None;
                for attr in e.attributes() {
                    let attr = attr.ok()?;
                    let value = attr.unescape_value().ok()?.trim().to_string();
                    match attr.key.as_ref() {
                        b"id" => id = Some(value),
                        b"lang" => lang = Some(value),
                        _ => {}
                    }
                }
                return Some((id?, lang?));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
            _ => return None,
        }
    }
}

/// The key of a job, which is also its output's path relative to the output folder.
pub fn job_key(lang: &str, id: &str, format: Format) -> String {
    format!("{lang}/{id}.{}", format.extension())
}

/// Where a document's output in one format goes, relative to the output folder.
pub fn output_path(doc: &Summary, format: Format) -> String {
    job_key(&doc.lang, &doc.id, format)
}

/// One source's share of the run: the formats this run is responsible for.
struct SourcePlan<'a> {
    source: &'a SurveyedSource,
    formats: Vec<Format>,
}

/// What became of one source's jobs.
#[derive(Default)]
struct SourceOutcome {
    written: Vec<ManifestEntry>,
    skipped: Vec<ManifestEntry>,
    unavailable: Vec<Format>,
    failures: Vec<Failure>,
}

/// What every job of a run shares.
struct RunContext<'a> {
    options: &'a BuildOptions,
    fonts: &'a FontSet,
    fonts_sha256: String,
    exporter: &'a Exporter<'a>,
    previous: BTreeMap<String, ManifestEntry>,
    progress: indicatif::ProgressBar,
}

fn run_jobs(
    options: &BuildOptions,
    fonts: &FontSet,
    exporter: &Exporter,
    sources: &[PathBuf],
) -> Result<BuildReport, BuildError> {
    let mut report = BuildReport::default();
    let surveyed: Vec<Result<SurveyedSource, String>> =
        sources.par_iter().map(|p| survey_source(p)).collect();

    // Sources in order; the first of two with the same (lang, id) wins, as the job list
    // must name each output once.
    let mut ready: Vec<SurveyedSource> = Vec::new();
    let mut seen: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    let mut present: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (path, result) in sources.iter().zip(surveyed) {
        let source = match result {
            Ok(source) => source,
            Err(message) => {
                report.failures.push(Failure {
                    source: path.clone(),
                    format: None,
                    message,
                });
                continue;
            }
        };
        present.insert(source.lang.clone());
        let wanted = options
            .langs
            .as_ref()
            .is_none_or(|langs| langs.contains(&source.lang));
        if !wanted {
            continue;
        }
        let key = (source.lang.clone(), source.id.clone());
        if let Some(first) = seen.get(&key) {
            report.failures.push(Failure {
                source: path.clone(),
                format: None,
                message: format!(
                    "{}: error: summary \"{}\" in language \"{}\" is also in {}; each (id, lang) pair is built once",
                    path.display(),
                    source.id,
                    source.lang,
                    first.display()
                ),
            });
            continue;
        }
        seen.insert(key, path.clone());
        ready.push(source);
    }

    // A language no source is in is a mistake on the command line, unless it may be that of
    // a source that could not be read (whose failure is reported).
    if let Some(langs) = &options.langs {
        let unknown: Vec<String> = langs
            .iter()
            .filter(|l| !present.contains(*l))
            .cloned()
            .collect();
        if !unknown.is_empty() && report.failures.is_empty() {
            return Err(BuildError::NoSuchLanguage {
                unknown,
                present: present.into_iter().collect(),
            });
        }
    }

    let mut formats = options.formats.clone();
    formats.sort();
    formats.dedup();
    let mut run_keys: Vec<String> = Vec::new();
    let mut plans: Vec<SourcePlan> = Vec::new();
    for source in &ready {
        let mut mine = Vec::new();
        for &format in &formats {
            let key = job_key(&source.lang, &source.id, format);
            if options.shard.is_none_or(|shard| shard.owns(&key)) {
                mine.push(format);
            }
            run_keys.push(key);
        }
        if !mine.is_empty() {
            plans.push(SourcePlan {
                source,
                formats: mine,
            });
        }
    }
    run_keys.sort();

    let manifest_path = options.out_dir.join(
        options
            .shard
            .map_or_else(|| MANIFEST_NAME.to_string(), |s| s.manifest_name()),
    );
    let job_count = plans.iter().map(|p| p.formats.len()).sum::<usize>();
    let ctx = RunContext {
        options,
        fonts,
        fonts_sha256: fonts.sha256(),
        exporter,
        previous: if options.force {
            BTreeMap::new()
        } else {
            previous_entries(options, &manifest_path)
        },
        progress: progress_bar(options.progress, job_count as u64),
    };
    let outcomes: Vec<SourceOutcome> = plans.par_iter().map(|p| run_source(&ctx, p)).collect();
    ctx.progress.finish_and_clear();

    for outcome in outcomes {
        report.written += outcome.written.len();
        report.skipped += outcome.skipped.len();
        report.outputs.extend(outcome.written);
        report.outputs.extend(outcome.skipped);
        report.failures.extend(outcome.failures);
        for format in outcome.unavailable {
            if !report.unavailable.contains(&format) {
                report.unavailable.push(format);
            }
        }
    }
    report.outputs.sort_by(|a, b| a.path.cmp(&b.path));
    report.unavailable.sort();

    let json = match options.shard {
        Some(shard) => {
            let mut jobs: Vec<String> = plans
                .iter()
                .flat_map(|p| {
                    p.formats
                        .iter()
                        .map(|f| job_key(&p.source.lang, &p.source.id, *f))
                })
                .collect();
            jobs.sort();
            Some(manifest::to_json(&ShardManifest {
                generator: manifest::generator(),
                shard,
                run_jobs: run_keys.len(),
                run_jobs_sha256: manifest::job_list_sha256(run_keys.iter().map(String::as_str)),
                jobs,
                outputs: report.outputs.clone(),
            }))
        }
        None if report.outputs.is_empty() => None,
        None => Some(manifest::to_json(&Manifest {
            generator: manifest::generator(),
            outputs: report.outputs.clone(),
        })),
    };
    if let Some(json) = json {
        write_atomically(&manifest_path, &json).map_err(|source| BuildError::Write {
            path: manifest_path.clone(),
            source,
        })?;
        report.manifest = Some(manifest_path);
    }
    Ok(report)
}

/// What an earlier build recorded in this output folder: the manifest this run will
/// replace and, for a shard, also the merged `manifest.json` (a shard re-run after a merge
/// skips what the merged run built).
fn previous_entries(
    options: &BuildOptions,
    manifest_path: &Path,
) -> BTreeMap<String, ManifestEntry> {
    let mut previous = match options.shard {
        Some(_) => manifest::previous_entries(&options.out_dir.join(MANIFEST_NAME)),
        None => BTreeMap::new(),
    };
    previous.extend(manifest::previous_entries(manifest_path));
    previous
}

/// Runs one source's jobs: skips those that are up to date, and parses the source only if
/// some job is left.
fn run_source(ctx: &RunContext, plan: &SourcePlan) -> SourceOutcome {
    let mut outcome = SourceOutcome::default();
    let source = plan.source;
    let mut to_build = Vec::new();
    for &format in &plan.formats {
        let input = manifest::input_sha256(
            &source.sha256,
            &ctx.fonts_sha256,
            format.extension(),
            ctx.options.source_date_epoch,
        );
        let key = job_key(&source.lang, &source.id, format);
        match up_to_date(ctx, &key, &input) {
            Some(mut entry) => {
                entry.source = source.path.display().to_string();
                outcome.skipped.push(entry);
                ctx.progress.inc(1);
            }
            None => to_build.push(format),
        }
    }
    if to_build.is_empty() {
        return outcome;
    }
    let loaded = match load_source(&source.path)
        .and_then(|s| crate::check::coverage::check_loaded(s, ctx.fonts))
    {
        Ok(loaded) => loaded,
        Err(errors) => {
            outcome.failures.push(Failure {
                source: source.path.clone(),
                format: None,
                message: errors.to_string(),
            });
            ctx.progress.inc(to_build.len() as u64);
            return outcome;
        }
    };
    let results: Vec<(Format, JobResult)> = to_build
        .par_iter()
        .map(|&format| {
            let result = run_job(ctx, &loaded, format);
            ctx.progress.inc(1);
            (format, result)
        })
        .collect();
    for (format, result) in results {
        match result {
            JobResult::Written(entry) => outcome.written.push(entry),
            JobResult::Unavailable => outcome.unavailable.push(format),
            JobResult::Failed(message) => outcome.failures.push(Failure {
                source: source.path.clone(),
                format: Some(format),
                message,
            }),
        }
    }
    outcome
}

/// The previous manifest's entry for a job, if the job's inputs are unchanged and the file
/// on disk is still the one that entry describes.
fn up_to_date(ctx: &RunContext, key: &str, input_sha256: &str) -> Option<ManifestEntry> {
    let entry = ctx.previous.get(key)?;
    if entry.input_sha256 != input_sha256 {
        return None;
    }
    let path = ctx.options.out_dir.join(key);
    if std::fs::metadata(&path).ok()?.len() != entry.bytes {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    (crate::sha256_hex(&bytes) == entry.sha256).then(|| entry.clone())
}

enum JobResult {
    Written(ManifestEntry),
    Unavailable,
    Failed(String),
}

fn run_job(ctx: &RunContext, source: &LoadedSource, format: Format) -> JobResult {
    let export_ctx = ExportContext {
        fonts: ctx.fonts,
        timestamp: Timestamp::for_document(&source.summary, ctx.options.source_date_epoch),
    };
    let bytes = match (ctx.exporter)(format, &source.summary, &export_ctx) {
        Ok(bytes) => bytes,
        Err(ExportError::NotAvailable(_)) => return JobResult::Unavailable,
        Err(e) => return JobResult::Failed(e.to_string()),
    };
    let relative = output_path(&source.summary, format);
    let path = ctx.options.out_dir.join(&relative);
    if let Err(e) = write_output(&path, &bytes) {
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
        input_sha256: manifest::input_sha256(
            &source.sha256,
            &ctx.fonts_sha256,
            format.extension(),
            ctx.options.source_date_epoch,
        ),
    })
}

/// Writes through a temporary file in the same folder, renamed into place, so that a reader
/// (or a crash) never sees half a file; the data reach the disk before the rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, true)
}

/// Writes an output like `write_atomically` but without waiting for the disk: a run writes
/// thousands of outputs, and one `fsync` each cost more wall time than rendering DOCX.
/// A crash can then leave a renamed file with lost data, but never one that a later run
/// trusts: the incremental check compares every output's digest with the manifest's.
fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, false)
}

fn write_renamed(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
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
        if sync {
            file.sync_all()?;
        }
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
