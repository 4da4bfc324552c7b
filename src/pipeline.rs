//! The build: survey every source, run (source x format) jobs in parallel, write each output
//! atomically, and keep the manifest true throughout.
//!
//! Jobs return bytes or an error; only this module and `outputs` touch the output folder.
//! A failing job never stops the others.
//!
//! Three things keep a large (archive) run cheap:
//! - a survey reads only each source's bytes and root attributes (id, lang), so the job list,
//!   the shard split and the up-to-date check are known before any source is parsed;
//! - a source is parsed only when one of its outputs must be (re)built, and is dropped as
//!   soon as its formats are written, so memory follows the largest document, not the count;
//! - an output whose input digest and bytes on disk match the previous manifest is skipped.
//!
//! And four keep the manifest true whatever happens to the run (see `manifest`): the
//! folder's manifest is locked for the whole build, checked against the files before it is
//! believed, rewritten without the outputs about to be replaced before any is replaced,
//! and every finished output is journaled as it lands.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::date::Timestamp;
use crate::diagnostic::{Diagnostic, SourceErrors};
use crate::export::{self, ExportContext, ExportError, Format};
use crate::fonts::FontSet;
use crate::interrupt::Interrupt;
use crate::manifest::journal::{self, Journal};
use crate::manifest::{self, RunIdentity, RunSource, ShardManifest};
pub use crate::manifest::{Manifest, ManifestEntry, Shard, MANIFEST_NAME};
use crate::model::Summary;
pub use crate::outputs::job_key;
use crate::outputs::{self, FolderLock, LockError};
pub use crate::source::{load_source, LoadedSource};

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
    /// Report on stderr while building: a progress bar on a terminal, and a notice when
    /// the build waits for another one writing the same manifest.
    pub progress: bool,
    /// Rebuild every output, even those whose inputs have not changed.
    pub force: bool,
    /// Build only this share of the job list (`--shard K/N`), and write the shard's own
    /// manifest instead of `manifest.json`.
    pub shard: Option<Shard>,
    /// Once set (SIGINT, SIGTERM), no further job starts; the build ends with what is done.
    pub interrupt: Interrupt,
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
            interrupt: Interrupt::never(),
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
    /// This run's outputs: those written now and those already up to date. (The manifest
    /// may list more: outputs of other languages or formats built by earlier runs.)
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
    /// Problems that did not stop the build (an unreadable manifest), as messages.
    pub warnings: Vec<String>,
    /// The signal that stopped the build early, if one did.
    pub interrupted: Option<i32>,
    /// Jobs not started because of that signal: a rerun builds them.
    pub not_started: usize,
    pub elapsed: Duration,
}

impl BuildReport {
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty() && self.interrupted.is_none()
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
    #[error("--shard {shard}: the run has {jobs} jobs, so N may be at most {jobs}")]
    TooManyShards { shard: Shard, jobs: usize },
    #[error(transparent)]
    Lock(#[from] LockError),
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
    /// The characters of its text (sorted, each once), when the run embeds DOCX faces.
    chars: Vec<char>,
}

/// Reads a source's bytes and its root element's `id` and `lang`, without parsing the rest
/// (and, when `with_chars`, the characters of its text). A source whose root cannot be read
/// this way is parsed in full, for the reader's message.
fn survey_source(path: &Path, with_chars: bool) -> Result<SurveyedSource, String> {
    let bytes = crate::source::read_bytes(path).map_err(|d| SourceErrors(vec![d]).to_string())?;
    let sha256 = crate::sha256_hex(&bytes);
    let chars = if with_chars {
        source_text_chars(&bytes)
    } else {
        Vec::new()
    };
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
        chars,
    })
}

/// Every character of a source's text and attribute values, references resolved, sorted
/// and each once: a superset of what its documents show, found without building the model
/// (a set of characters, not a document, is what a run keeps of every source). A source
/// that is not well-formed gives the characters up to its first error: its own outputs fail,
/// and the others still get the same set from the same bytes.
pub fn source_text_chars(bytes: &[u8]) -> Vec<char> {
    use quick_xml::events::Event;
    let mut chars = BTreeSet::new();
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let mut reader = quick_xml::Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                for attr in e.attributes().flatten() {
                    if let Ok(value) = attr.unescape_value() {
                        chars.extend(value.chars());
                    }
                }
            }
            Ok(Event::Text(t)) => match t.unescape() {
                Ok(value) => chars.extend(value.chars()),
                Err(_) => break,
            },
            Ok(Event::CData(t)) => chars.extend(String::from_utf8_lossy(&t).chars()),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    chars.retain(|c| !c.is_control());
    chars.into_iter().collect()
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

/// Where a document's output in one format goes, relative to the output folder.
pub fn output_path(doc: &Summary, format: Format) -> String {
    job_key(&doc.lang, &doc.id, format)
}

/// One source's share of the run: the formats this run is responsible for, and of those
/// the ones to build (the others are up to date).
struct SourcePlan<'a> {
    source: &'a SurveyedSource,
    formats: Vec<Format>,
    to_build: Vec<Format>,
}

/// What became of one source's jobs.
#[derive(Default)]
struct SourceOutcome {
    written: Vec<ManifestEntry>,
    unavailable: Vec<Format>,
    failures: Vec<Failure>,
    /// Jobs given up without being started: failed with their source, or stopped.
    not_built: Vec<String>,
    not_started: usize,
}

/// What every job of a run shares.
struct RunContext<'a> {
    options: &'a BuildOptions,
    fonts: &'a FontSet,
    fonts_sha256: String,
    /// The fonts' digest for DOCX jobs: the fonts and the run-wide character set their
    /// embedded faces are cut to.
    docx_fonts_sha256: String,
    /// Those faces, cut once for every DOCX job of the run (when one is to be built).
    docx_faces: Option<export::docx::SharedFaces>,
    exporter: &'a Exporter<'a>,
    journal: Option<Journal>,
    progress: indicatif::ProgressBar,
}

fn run_jobs(
    options: &BuildOptions,
    fonts: &FontSet,
    exporter: &Exporter,
    sources: &[PathBuf],
) -> Result<BuildReport, BuildError> {
    let started = SystemTime::now();
    let mut report = BuildReport::default();
    let with_chars = options.formats.contains(&Format::Docx);
    let mut surveyed: Vec<Result<SurveyedSource, String>> = sources
        .par_iter()
        .map(|p| survey_source(p, with_chars))
        .collect();
    // The DOCX faces hold the characters of every source found, in whichever language or
    // shard: every DOCX of a run, and of any part of it, embeds the same faces.
    let docx_repertoire = with_chars.then(|| {
        let text = surveyed
            .iter_mut()
            .flatten()
            .flat_map(|s| std::mem::take(&mut s.chars));
        export::docx::FaceRepertoire::new(fonts, text)
    });

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
                to_build: Vec::new(),
            });
        }
    }
    run_keys.sort();
    if let Some(shard) = options.shard {
        if shard.count as usize > run_keys.len().max(1) {
            return Err(BuildError::TooManyShards {
                shard,
                jobs: run_keys.len(),
            });
        }
    }
    let own_keys: BTreeSet<String> = plans
        .iter()
        .flat_map(|p| {
            p.formats
                .iter()
                .map(|f| job_key(&p.source.lang, &p.source.id, *f))
        })
        .collect();

    let out_dir = &options.out_dir;
    let manifest_name = options
        .shard
        .map_or_else(|| MANIFEST_NAME.to_string(), |s| s.manifest_name());
    let manifest_path = out_dir.join(&manifest_name);
    let _lock = FolderLock::acquire(out_dir, &manifest_name, &options.interrupt, |holder| {
        if options.progress {
            eprintln!("polypress: waiting for {holder} to finish (Ctrl-C to stop waiting)");
        }
    })?;
    remove_stale_temps(out_dir, started, &manifest_name, &own_keys);

    // What the folder holds that this run may keep: the manifest's entries (and those of an
    // interrupted build's journal) whose files are still as listed.
    let recovered = manifest::recover(out_dir, &manifest_name);
    report.warnings.extend(recovered.warnings);
    let mut listed: BTreeMap<String, ManifestEntry> = recovered.entries;
    if options.shard.is_some() {
        // A shard manifest lists the shard's own jobs only.
        listed.retain(|key, _| own_keys.contains(key));
    }
    // A shard re-run after a merge may also skip what the merged manifest lists.
    let merged: BTreeMap<String, ManifestEntry> = match options.shard {
        Some(_) => manifest::read_entries(&out_dir.join(MANIFEST_NAME))
            .ok()
            .flatten()
            .map(|entries| {
                let candidates = entries
                    .into_iter()
                    .filter(|e| own_keys.contains(&e.path) && !listed.contains_key(&e.path))
                    .collect();
                manifest::verified(out_dir, candidates)
            })
            .unwrap_or_default(),
        None => BTreeMap::new(),
    };

    // Decide every job before building any, so that the manifest can be rewritten without
    // the outputs about to be replaced.
    let fonts_sha256 = fonts.sha256();
    let docx_fonts_sha256 = docx_repertoire.as_ref().map_or_else(
        || fonts_sha256.clone(),
        |r| crate::sha256_hex(format!("{fonts_sha256}\ndocx-faces {}\n", r.sha256()).as_bytes()),
    );
    let mut replaced: BTreeMap<String, ManifestEntry> = BTreeMap::new();
    for plan in &mut plans {
        let source = plan.source;
        for &format in &plan.formats {
            let key = job_key(&source.lang, &source.id, format);
            let input = manifest::input_sha256(
                &source.sha256,
                fonts_sha256_for(format, &fonts_sha256, &docx_fonts_sha256),
                format.extension(),
                options.source_date_epoch,
            );
            let previous = listed.get(&key).or_else(|| merged.get(&key));
            match previous {
                Some(entry) if !options.force && entry.input_sha256 == input => {
                    let mut entry = entry.clone();
                    entry.source = source.path.display().to_string();
                    report.outputs.push(entry.clone());
                    listed.insert(key, entry);
                    report.skipped += 1;
                }
                _ => {
                    if let Some(old) = listed.remove(&key) {
                        replaced.insert(key, old);
                    }
                    plan.to_build.push(format);
                }
            }
        }
    }
    plans.retain(|p| !p.to_build.is_empty());
    let job_count: usize = plans.iter().map(|p| p.to_build.len()).sum();

    let identity = options.shard.map(|_| {
        let run_sources: Vec<RunSource> = ready
            .iter()
            .map(|s| RunSource {
                lang: &s.lang,
                id: &s.id,
                sha256: &s.sha256,
            })
            .collect();
        let langs = options.langs.as_ref().map_or_else(
            || "all".to_string(),
            |langs| {
                let mut langs = langs.clone();
                langs.sort();
                langs.dedup();
                langs.join(",")
            },
        );
        let formats: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
        RunIdentity::new(
            &run_keys,
            &run_sources,
            options.source_date_epoch,
            format!("formats={} langs={langs}", formats.join(",")),
            // With DOCX in the run, the set its faces are cut to: a shard whose other
            // sources brought other characters is not a share of this run.
            &docx_fonts_sha256,
        )
    });
    let manifest_json = |listed: &BTreeMap<String, ManifestEntry>| -> Vec<u8> {
        let outputs: Vec<ManifestEntry> = listed.values().cloned().collect();
        match (options.shard, &identity) {
            (Some(shard), Some(run)) => manifest::to_json(&ShardManifest {
                generator: manifest::generator(),
                shard,
                run: run.clone(),
                jobs: own_keys.iter().cloned().collect(),
                outputs,
            }),
            _ => manifest::to_json(&Manifest {
                generator: manifest::generator(),
                outputs,
            }),
        }
    };
    let write_manifest = |listed: &BTreeMap<String, ManifestEntry>| -> Result<bool, BuildError> {
        // A whole run with nothing to list writes no manifest (there may be none yet).
        if options.shard.is_none() && listed.is_empty() && !manifest_path.exists() {
            return Ok(false);
        }
        let json = manifest_json(listed);
        // Read as a regular file only: a FIFO or a device in its place must not block the
        // build, only be replaced.
        let limit = u64::try_from(json.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        if crate::source::read_regular_file(&manifest_path, limit)
            .is_ok_and(|on_disk| on_disk == json)
        {
            return Ok(true);
        }
        outputs::write_atomically(&manifest_path, &json).map_err(|source| BuildError::Write {
            path: manifest_path.clone(),
            source,
        })?;
        Ok(true)
    };

    let journal_path = journal::path_for(&manifest_path);
    // From here on the manifest lists nothing this run will replace, and what the previous
    // journal held; a new journal collects what this run finishes.
    let mut wrote_manifest = write_manifest(&listed)?;
    let journal = if plans.is_empty() {
        journal::remove(&journal_path);
        None
    } else {
        Some(
            Journal::start(&journal_path).map_err(|source| BuildError::Write {
                path: journal_path.clone(),
                source,
            })?,
        )
    };

    // Cut once for the run, not once per document. Should cutting fail, each DOCX job
    // tries on its own and reports why.
    let docx_faces = docx_repertoire
        .filter(|_| plans.iter().any(|p| p.to_build.contains(&Format::Docx)))
        .and_then(|r| export::docx::SharedFaces::subset(fonts, r).ok());
    let ctx = RunContext {
        options,
        fonts,
        fonts_sha256,
        docx_fonts_sha256,
        docx_faces,
        exporter,
        journal,
        progress: progress_bar(options.progress, job_count as u64),
    };
    let outcomes: Vec<SourceOutcome> = plans.par_iter().map(|p| run_source(&ctx, p)).collect();
    ctx.progress.finish_and_clear();

    for outcome in outcomes {
        report.written += outcome.written.len();
        report.not_started += outcome.not_started;
        for entry in outcome.written {
            listed.insert(entry.path.clone(), entry.clone());
            report.outputs.push(entry);
        }
        report.failures.extend(outcome.failures);
        for format in outcome.unavailable {
            if !report.unavailable.contains(&format) {
                report.unavailable.push(format);
            }
        }
    }
    // A job that failed or was stopped never touched its output: the earlier file is still
    // there, and still what the earlier manifest said, unless something else changed it.
    for (key, old) in replaced {
        if !listed.contains_key(&key) && manifest::check_file(out_dir, &old).is_ok() {
            listed.insert(key, old);
        }
    }
    report.outputs.sort_by(|a, b| a.path.cmp(&b.path));
    report.unavailable.sort();
    report.interrupted = options.interrupt.signal();

    wrote_manifest |= write_manifest(&listed)?;
    if ctx.journal.is_some() {
        drop(ctx);
        journal::remove(&journal_path);
    }
    if wrote_manifest {
        report.manifest = Some(manifest_path);
    }
    Ok(report)
}

/// Removes what killed writers of this manifest's outputs left: temporary files of its own
/// jobs and of the manifest itself, never those of another shard writing beside it.
fn remove_stale_temps(
    out_dir: &Path,
    started: SystemTime,
    manifest_name: &str,
    own_keys: &BTreeSet<String>,
) {
    outputs::remove_stale_temps(out_dir, started, |name| name == manifest_name);
    let mut by_folder: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for key in own_keys {
        if let Some((folder, name)) = key.split_once('/') {
            by_folder.entry(folder).or_default().insert(name);
        }
    }
    for (folder, names) in by_folder {
        outputs::remove_stale_temps(&out_dir.join(folder), started, |name| names.contains(name));
    }
}

/// The digest of the fonts an output in this format embeds, for its input identity.
fn fonts_sha256_for<'a>(format: Format, fonts: &'a str, docx_fonts: &'a str) -> &'a str {
    match format {
        Format::Docx => docx_fonts,
        Format::Pdf | Format::Epub => fonts,
    }
}

/// Runs one source's jobs that are not up to date, parsing the source once for them.
fn run_source(ctx: &RunContext, plan: &SourcePlan) -> SourceOutcome {
    let mut outcome = SourceOutcome::default();
    let source = plan.source;
    let give_up = |outcome: &mut SourceOutcome| {
        for &format in &plan.to_build {
            outcome
                .not_built
                .push(job_key(&source.lang, &source.id, format));
        }
        ctx.progress.inc(plan.to_build.len() as u64);
    };
    if ctx.options.interrupt.signal().is_some() {
        outcome.not_started = plan.to_build.len();
        give_up(&mut outcome);
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
            give_up(&mut outcome);
            return outcome;
        }
    };
    let results: Vec<(Format, JobResult)> = plan
        .to_build
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
            JobResult::NotStarted => outcome.not_started += 1,
            JobResult::Failed(message) => outcome.failures.push(Failure {
                source: source.path.clone(),
                format: Some(format),
                message,
            }),
        }
    }
    outcome
}

enum JobResult {
    Written(ManifestEntry),
    Unavailable,
    NotStarted,
    Failed(String),
}

fn run_job(ctx: &RunContext, source: &LoadedSource, format: Format) -> JobResult {
    if ctx.options.interrupt.signal().is_some() {
        return JobResult::NotStarted;
    }
    let export_ctx = ExportContext {
        fonts: ctx.fonts,
        timestamp: Timestamp::for_document(&source.summary, ctx.options.source_date_epoch),
        docx_faces: ctx.docx_faces.as_ref(),
    };
    let bytes = match (ctx.exporter)(format, &source.summary, &export_ctx) {
        Ok(bytes) => bytes,
        Err(ExportError::NotAvailable(_)) => return JobResult::Unavailable,
        Err(e) => return JobResult::Failed(e.to_string()),
    };
    let relative = output_path(&source.summary, format);
    let path = ctx.options.out_dir.join(&relative);
    let entry = ManifestEntry {
        path: relative,
        format: format.extension().to_string(),
        lang: source.summary.lang.clone(),
        bytes: bytes.len() as u64,
        sha256: crate::sha256_hex(&bytes),
        source: source.path.display().to_string(),
        source_sha256: source.sha256.clone(),
        input_sha256: manifest::input_sha256(
            &source.sha256,
            fonts_sha256_for(format, &ctx.fonts_sha256, &ctx.docx_fonts_sha256),
            format.extension(),
            ctx.options.source_date_epoch,
        ),
    };
    // Journaled before the rename, so that no output can land unrecorded: if the build
    // dies in between, the next one finds the file not (yet) as listed and drops the line.
    if let Some(journal) = &ctx.journal {
        // A journal that cannot be written (a full disk) loses nothing while this build
        // runs: the manifest is written from memory at its end. Only a crash before then
        // would forget this output, and the next build would make it again.
        let _ = journal.record(&entry);
    }
    if let Err(e) = outputs::write_output(&path, &bytes) {
        return JobResult::Failed(format!("cannot write {}: {e}", path.display()));
    }
    JobResult::Written(entry)
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
