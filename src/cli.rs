//! Command-line interface: clap definitions and the commands they run.
//!
//! Every error is printed here, in one place, and never with a panic (a full stdout or
//! stderr is an error like any other); exit codes: 0 clean, 1 errors in the content or
//! something that could not be written, 2 wrong usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::export::Format;
use crate::manifest::Shard;
use crate::pipeline::{self, BuildOptions};

#[derive(Debug, Parser)]
#[command(
    name = "polypress",
    version,
    about = "Turn structured event summaries, one XML file per language, into a PDF handout, a DOCX and an EPUB for every language.",
    long_about = "Turn structured event summaries, one XML file per language, into a print-ready \
PDF handout (A4), a Word document (DOCX) and an EPUB 3 e-book for every language, with fonts \
embedded.\n\nStart with `polypress build`: it reads every sources/*.xml and writes \
output/<lang>/<id>.<lang>.pdf, .docx and .epub plus output/manifest.json. \
`polypress check` validates sources without writing anything. The source format is \
described in docs/source-format.md."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build outputs for every source (by default: sources/*.xml into output/, all formats)
    Build(BuildArgs),
    /// Check sources for errors without writing anything; sources of the same summary in
    /// several languages are also compared with each other
    #[command(
        after_help = "Exit status: 0 no errors (warnings alone do not fail unless --strict), 1 errors in the content (or output that could not be written), 2 wrong usage.\nWhat is checked: docs/check.md."
    )]
    Check(CheckArgs),
    /// Print which languages' alphabets the embedded fonts cover, face by face
    Fonts,
    /// Turn a translation in plain text into a source file, reporting what it was unsure of
    Import(ImportArgs),
    /// Work with build manifests (merge the manifests of a sharded build)
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Developer tools (synthetic corpus for benchmarks)
    #[command(subcommand, hide = true)]
    Dev(DevCommand),
}

#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Join the manifests of the N shards of a build (`build --shard K/N`) into the
    /// manifest.json a single build would write, checking that no job is missing or doubled
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard manifests, or folders holding manifest.shard-K-of-N.json files [default: output/]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged manifest [default: manifest.json next to the shard manifests]
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Write a synthetic corpus: COUNT variants of every source, with varied text and new ids
    Corpus(CorpusArgs),
}

#[derive(Debug, Args)]
pub struct CorpusArgs {
    /// Folder of sources to vary
    #[arg(long, default_value = "sources")]
    pub from: PathBuf,
    /// Variants per source (each source language gets the same COUNT summary ids)
    #[arg(long, default_value_t = 10)]
    pub count: usize,
    /// Folder to write the synthetic sources into
    #[arg(long, short)]
    pub out: PathBuf,
    /// Seed of the variation: the same seed gives the same corpus
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Source files or folders of *.xml files [default: sources/]
    pub sources: Vec<PathBuf>,
    /// Folder to write outputs and manifest.json into
    #[arg(long, short, default_value = "output")]
    pub out: PathBuf,
    /// Formats to write, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = Format::ALL.to_vec())]
    pub formats: Vec<Format>,
    /// Build only these languages, comma-separated language tags (e.g. bg,hu)
    #[arg(long, value_delimiter = ',')]
    pub langs: Option<Vec<String>>,
    /// Worker threads [default: one per core]
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Rebuild every output, even those the manifest shows are up to date
    #[arg(long)]
    pub force: bool,
    /// Fail, before writing anything, when the languages of a summary disagree as
    /// `polypress check --strict` would fail (without it, build prints them as warnings)
    #[arg(long)]
    pub strict: bool,
    /// Build only the K-th of N shares of the jobs (1-based, e.g. 2/8; N at most 10000 and
    /// the number of jobs) and write manifest.shard-K-of-N.json; join the shards with
    /// `polypress manifest merge`
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Source files or folders of *.xml files [default: sources/]
    pub sources: Vec<PathBuf>,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub strict: bool,
    /// Also print which languages' alphabets the embedded fonts cover
    #[arg(long)]
    pub coverage: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The plain-text file (UTF-8, with or without BOM; CRLF or LF line ends)
    pub file: PathBuf,
    /// Language tag of the text, BCP 47 (e.g. et, pt-BR); it names the file written
    #[arg(long)]
    pub lang: String,
    /// Where to write the source [default: sources/<lang>.xml]; `-` writes to stdout
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Overwrite the output file if it exists
    #[arg(long)]
    pub force: bool,
    /// Summary id [default: that of --ids-from, else the file name]
    #[arg(long)]
    pub id: Option<String>,
    /// An existing source of the same summary whose summary id and person ids to reuse
    /// (people matched by LinkedIn address, then handle, then position)
    #[arg(long)]
    pub ids_from: Option<PathBuf>,
    /// Date of the text's last revision, YYYY-MM-DD [default: the day of SOURCE_DATE_EPOCH]
    #[arg(long)]
    pub revised: Option<String>,
}

/// Exit codes, as documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const CONTENT: u8 = 1;
    pub const USAGE: u8 = 2;

    /// Stopped by a signal: 128 + its number, as a shell reports it (130 SIGINT, 143 SIGTERM).
    pub fn signalled(signal: i32) -> u8 {
        u8::try_from(128 + signal.clamp(1, 127)).unwrap_or(u8::MAX)
    }
}

/// Messages on stderr that never panic: `eprintln!` panics when stderr cannot be written
/// (closed, or a full disk behind `2>file`). A failed write is remembered instead, and a run
/// that could not say what it found does not exit 0.
mod stderr {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};

    static FAILED: AtomicBool = AtomicBool::new(false);

    pub fn line(args: std::fmt::Arguments) {
        let mut err = std::io::stderr().lock();
        if err
            .write_fmt(args)
            .and_then(|()| err.write_all(b"\n"))
            .is_err()
        {
            FAILED.store(true, Ordering::Relaxed);
        }
    }

    pub fn failed() -> bool {
        FAILED.load(Ordering::Relaxed)
    }
}

macro_rules! say {
    ($($arg:tt)*) => { stderr::line(format_args!($($arg)*)) };
}

/// Writes what a command prints on stdout; a failed write (`>/dev/full`, a closed pipe) is
/// reported on stderr and fails the run.
fn print_stdout(text: &[u8]) -> Result<(), ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => {
            // A reader that closed the pipe (`| head`) has what it wanted: no message then.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                say!("polypress: cannot write to standard output: {e}");
            }
            Err(ExitCode::from(exit::CONTENT))
        }
    }
}

/// What clap has to say instead of running a command (help, version, a usage error), with
/// its exit code (0 or 2), or exit 1 when it cannot be written.
pub fn command_line_error(e: &clap::Error) -> ExitCode {
    use std::io::Write;
    let printed = e
        .print()
        .and_then(|()| std::io::stdout().flush())
        .and_then(|()| std::io::stderr().flush());
    match printed {
        Ok(()) => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(exit::USAGE)),
        Err(io) => {
            if io.kind() != std::io::ErrorKind::BrokenPipe {
                say!("polypress: cannot write the help or the usage message: {io}");
            }
            ExitCode::from(exit::CONTENT)
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let source_date_epoch = match source_date_epoch() {
        Ok(v) => v,
        Err(message) => {
            say!("polypress: {message}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let code = match cli.command {
        Command::Build(args) => build(args, source_date_epoch),
        Command::Check(args) => check(args),
        Command::Manifest(ManifestCommand::Merge(args)) => merge(args),
        Command::Dev(DevCommand::Corpus(args)) => corpus(args),
        Command::Fonts => fonts(),
        Command::Import(args) => import(args, source_date_epoch),
    };
    if stderr::failed() && code == ExitCode::from(exit::OK) {
        ExitCode::from(exit::CONTENT)
    } else {
        code
    }
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention for "the date to write".
fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => {
            let shown = crate::source::read::excerpt(&v);
            let seconds = v.trim().parse::<i64>().map_err(|_| {
                format!("SOURCE_DATE_EPOCH is \"{shown}\"; expected seconds since 1970-01-01 (an integer)")
            })?;
            if !crate::date::SOURCE_DATE_EPOCH_RANGE.contains(&seconds) {
                return Err(format!(
                    "SOURCE_DATE_EPOCH is {seconds}, which is {}; expected {} to {} (1980-01-01T00:00:00Z to 9999-12-31T23:59:59Z: ZIP dates start in 1980, and EPUB, DOCX and PDF dates have four-digit years)",
                    crate::date::Timestamp(seconds).iso8601(),
                    crate::date::SOURCE_DATE_EPOCH_RANGE.start(),
                    crate::date::SOURCE_DATE_EPOCH_RANGE.end(),
                ));
            }
            Ok(Some(seconds))
        }
        Err(_) => Ok(None),
    }
}

fn build(args: BuildArgs, source_date_epoch: Option<i64>) -> ExitCode {
    // A path that does not exist is a mistake on the command line, not in a source.
    if let Some(missing) = args.sources.iter().find(|p| !p.exists()) {
        say!("polypress: no such file or folder: {}", missing.display());
        return ExitCode::from(exit::USAGE);
    }
    let sources = match discover(&args.sources) {
        Ok(sources) => sources,
        Err(code) => return code,
    };
    // What `check` finds between the languages of a summary: warnings here (the sources are
    // built as written), errors with --strict, which then fail the build before it writes.
    let findings = crate::check::compare_files(&sources);
    let wanted = |lang: &str| {
        args.langs
            .as_ref()
            .is_none_or(|l| l.iter().any(|w| w == lang))
    };
    let mut failing = 0;
    for (finding, _) in findings.into_iter().filter(|(_, lang)| wanted(lang)) {
        let finding = if args.strict {
            failing += 1;
            finding
        } else {
            finding.as_warning()
        };
        say!("{finding}");
    }
    if failing > 0 {
        say!(
            "polypress: {failing} findings between the languages of a summary (see `polypress check`); with --strict nothing is built"
        );
        return ExitCode::from(exit::CONTENT);
    }
    let options = BuildOptions {
        sources,
        out_dir: args.out,
        formats: args.formats,
        langs: args.langs,
        jobs: args.jobs.map(usize::from),
        source_date_epoch,
        progress: true,
        force: args.force,
        shard: args.shard,
        // Without handlers (they cannot be installed) a signal ends the build at once;
        // the manifest's journal keeps it true even then.
        interrupt: crate::interrupt::Interrupt::on_termination_signals().unwrap_or_default(),
    };
    let report = match pipeline::build(&options) {
        Ok(report) => report,
        Err(pipeline::BuildError::Lock(
            e @ crate::outputs::LockError::Interrupted { signal, .. },
        )) => {
            say!("polypress: {e}");
            return ExitCode::from(exit::signalled(signal));
        }
        Err(e) => {
            say!("polypress: {e}");
            return ExitCode::from(build_error_code(&e));
        }
    };
    for warning in &report.warnings {
        say!("polypress: {warning}");
    }
    for failure in &report.failures {
        say!("{failure}");
    }
    for format in &report.unavailable {
        say!("polypress: the {format} writer is not available yet; no {format} files were written");
    }
    let shard = options
        .shard
        .map(|s| format!("shard {s}: "))
        .unwrap_or_default();
    say!(
        "polypress: {shard}{} outputs written to {}, {} skipped (up to date), {} failed, in {:.2} s",
        report.written,
        options.out_dir.display(),
        report.skipped,
        report.failures.len(),
        report.elapsed.as_secs_f64()
    );
    if let Some(signal) = report.interrupted {
        say!(
            "polypress: stopped by {}: {} outputs not started; the manifest lists every finished output, and the same command builds the rest",
            crate::interrupt::signal_name(signal),
            report.not_started
        );
        return ExitCode::from(exit::signalled(signal));
    }
    if report.succeeded() {
        ExitCode::from(exit::OK)
    } else {
        ExitCode::from(exit::CONTENT)
    }
}

/// Wrong usage (exit 2) is what the command line asked for; a build that could not finish
/// what it was asked (a manifest that cannot be written, no threads) is a failure (exit 1).
fn build_error_code(e: &pipeline::BuildError) -> u8 {
    use pipeline::BuildError;
    match e {
        BuildError::NoSources(_)
        | BuildError::ListSources { .. }
        | BuildError::NoSuchLanguage { .. }
        | BuildError::TooManyShards { .. } => exit::USAGE,
        BuildError::Threads(..)
        | BuildError::Write { .. }
        | BuildError::Fonts(_)
        | BuildError::Lock(_) => exit::CONTENT,
    }
}

/// The sources the command line names, each once (a path given twice is said so).
fn discover(given: &[PathBuf]) -> Result<Vec<PathBuf>, ExitCode> {
    match pipeline::discover(given) {
        Ok(found) => {
            for (again, first) in &found.duplicates {
                if again == first {
                    say!(
                        "polypress: warning: {} is given twice; it is read once",
                        again.display()
                    );
                } else {
                    say!(
                        "polypress: warning: {} is the same file as {}; it is read once",
                        again.display(),
                        first.display()
                    );
                }
            }
            Ok(found.sources)
        }
        Err(e) => {
            say!("polypress: {e}");
            Err(ExitCode::from(build_error_code(&e)))
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    if let Some(missing) = args.sources.iter().find(|p| !p.exists()) {
        say!("polypress: no such file or folder: {}", missing.display());
        return ExitCode::from(exit::USAGE);
    }
    let sources = match discover(&args.sources) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let fonts = match crate::fonts::FontSet::embedded() {
        Ok(f) => f,
        Err(e) => {
            say!("{e}");
            return ExitCode::from(exit::CONTENT);
        }
    };
    let report = crate::check::check_files(&sources, &fonts);
    for d in &report.diagnostics {
        say!("{d}");
    }
    if args.coverage {
        if let Err(code) = print_stdout(crate::check::alphabets::coverage_table(&fonts).as_bytes())
        {
            return code;
        }
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    say!(
        "polypress: checked {} sources: {errors} errors, {warnings} warnings",
        report.sources
    );
    if errors > 0 || (args.strict && warnings > 0) {
        ExitCode::from(exit::CONTENT)
    } else {
        ExitCode::from(exit::OK)
    }
}

fn fonts() -> ExitCode {
    match crate::fonts::FontSet::embedded() {
        Ok(fonts) => match print_stdout(crate::check::alphabets::coverage_table(&fonts).as_bytes())
        {
            Ok(()) => ExitCode::from(exit::OK),
            Err(code) => code,
        },
        Err(e) => {
            say!("{e}");
            ExitCode::from(exit::CONTENT)
        }
    }
}

fn merge(args: MergeArgs) -> ExitCode {
    let inputs = if args.inputs.is_empty() {
        vec![PathBuf::from("output")]
    } else {
        args.inputs
    };
    match crate::manifest::merge_files(&inputs, args.out.as_deref()) {
        Ok((path, merged)) => {
            say!(
                "polypress: merged {} outputs into {}",
                merged.outputs.len(),
                path.display()
            );
            ExitCode::from(exit::OK)
        }
        Err(
            e @ (crate::manifest::ManifestError::Inconsistent(_)
            | crate::manifest::ManifestError::Write { .. }),
        ) => {
            say!("polypress: {e}");
            ExitCode::from(exit::CONTENT)
        }
        Err(e) => {
            say!("polypress: {e}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn corpus(args: CorpusArgs) -> ExitCode {
    match crate::corpus::generate(&args.from, args.count, &args.out, args.seed) {
        Ok(written) => {
            say!(
                "polypress: wrote {written} synthetic sources to {}",
                args.out.display()
            );
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            say!("polypress: {e}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn import(args: ImportArgs, source_date_epoch: Option<i64>) -> ExitCode {
    use crate::source::import::{self, ImportError, ImportOptions};
    let usage = |message: String| {
        say!("polypress: {message}");
        ExitCode::from(exit::USAGE)
    };
    // The tag names the file written (sources/<lang>.xml): nothing but a tag may get there.
    if !crate::source::read::is_language_tag(&args.lang) {
        return usage(format!(
            "--lang \"{}\" is not a language tag (BCP 47) such as et, bg or pt-BR",
            crate::source::read::excerpt(&args.lang)
        ));
    }
    let revised = match import::revised_date(args.revised.as_deref(), source_date_epoch) {
        Ok(date) => date,
        Err(e) => return usage(e.to_string()),
    };
    let ids_from = match &args.ids_from {
        Some(path) => match crate::source::read_source(path) {
            Ok(doc) => Some(doc),
            Err(e) => {
                say!("{e}");
                return usage(format!(
                    "--ids-from {} does not read as a source",
                    path.display()
                ));
            }
        },
        None => None,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("sources").join(format!("{}.xml", args.lang)));
    let to_stdout = out.as_os_str() == "-";
    if !to_stdout && out.exists() && !args.force {
        return usage(format!(
            "{} exists; pass --force to overwrite it, or -o to write elsewhere",
            out.display()
        ));
    }
    let bytes = match import::read_input(&args.file) {
        Ok(b) => b,
        Err(e) => return usage(format!("cannot read {}: {e}", args.file.display())),
    };
    let options = ImportOptions {
        lang: args.lang.clone(),
        id: args.id.clone(),
        ids_from,
        revised,
    };
    let imported = match import::import_text(&bytes, &args.file, &options) {
        Ok(i) => i,
        Err(e @ ImportError::Usage(_)) => return usage(e.to_string()),
        Err(e) => {
            say!("polypress: {e}");
            return ExitCode::from(exit::CONTENT);
        }
    };
    for note in &imported.notes {
        say!("{}:{}: {}", args.file.display(), note.line, note.message);
    }
    // What is written must pass `check`: read it back first, under the name it will have.
    let written_name = if to_stdout {
        PathBuf::from("<standard output>")
    } else {
        out.clone()
    };
    let rejected = import::check_written(&imported, &written_name);
    if let Some(errors) = &rejected {
        say!("{errors}");
        if !to_stdout {
            say!(
                "polypress: nothing written: the source made from {} would not pass check (the positions above are in the source import would have written: see it with -o -); fix the text and import again",
                args.file.display()
            );
            return ExitCode::from(exit::CONTENT);
        }
    }
    let written = if to_stdout {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(imported.xml.as_bytes())
            .and_then(|()| stdout.flush())
    } else {
        out.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::outputs::write_atomically(&out, imported.xml.as_bytes()))
    };
    if let Err(e) = written {
        say!("polypress: cannot write {}: {e}", written_name.display());
        return ExitCode::from(exit::CONTENT);
    }
    say!("polypress: {}", imported.counts);
    if !to_stdout {
        say!("polypress: wrote {}", out.display());
    }
    if rejected.is_some() {
        say!("polypress: the source on standard output does not pass check; fix the errors above");
        return ExitCode::from(exit::CONTENT);
    }
    ExitCode::from(exit::OK)
}
