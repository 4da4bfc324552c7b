//! Command-line interface: clap definitions and the commands they run.
//!
//! Every error is printed here, in one place; exit codes: 0 clean, 1 errors in the content
//! or a failed output, 2 wrong usage.

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
        after_help = "Exit status: 0 no errors (warnings alone do not fail unless --strict), 1 errors in the content, 2 wrong usage.\nWhat is checked: docs/check.md."
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
    /// Language tag of the text (e.g. et, pt-BR)
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

pub fn run(cli: Cli) -> ExitCode {
    let source_date_epoch = match source_date_epoch() {
        Ok(v) => v,
        Err(message) => {
            eprintln!("polypress: {message}");
            return ExitCode::from(exit::USAGE);
        }
    };
    match cli.command {
        Command::Build(args) => build(args, source_date_epoch),
        Command::Check(args) => check(args),
        Command::Manifest(ManifestCommand::Merge(args)) => merge(args),
        Command::Dev(DevCommand::Corpus(args)) => corpus(args),
        Command::Fonts => fonts(),
        Command::Import(args) => import(args, source_date_epoch),
    }
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention for "the date to write".
fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            format!("SOURCE_DATE_EPOCH is \"{v}\"; expected seconds since 1970-01-01 (an integer)")
        }),
        Err(_) => Ok(None),
    }
}

fn build(args: BuildArgs, source_date_epoch: Option<i64>) -> ExitCode {
    // A path that does not exist is a mistake on the command line, not in a source.
    if let Some(missing) = args.sources.iter().find(|p| !p.exists()) {
        eprintln!("polypress: no such file or folder: {}", missing.display());
        return ExitCode::from(exit::USAGE);
    }
    let options = BuildOptions {
        sources: args.sources,
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
            eprintln!("polypress: {e}");
            return ExitCode::from(exit::signalled(signal));
        }
        Err(e) => {
            eprintln!("polypress: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    for warning in &report.warnings {
        eprintln!("polypress: {warning}");
    }
    for failure in &report.failures {
        eprintln!("{failure}");
    }
    for format in &report.unavailable {
        eprintln!(
            "polypress: the {format} writer is not available yet; no {format} files were written"
        );
    }
    let shard = options
        .shard
        .map(|s| format!("shard {s}: "))
        .unwrap_or_default();
    eprintln!(
        "polypress: {shard}{} outputs written to {}, {} skipped (up to date), {} failed, in {:.2} s",
        report.written,
        options.out_dir.display(),
        report.skipped,
        report.failures.len(),
        report.elapsed.as_secs_f64()
    );
    if let Some(signal) = report.interrupted {
        eprintln!(
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

fn check(args: CheckArgs) -> ExitCode {
    if let Some(missing) = args.sources.iter().find(|p| !p.exists()) {
        eprintln!("polypress: no such file or folder: {}", missing.display());
        return ExitCode::from(exit::USAGE);
    }
    let sources = match pipeline::discover_sources(&args.sources) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("polypress: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let fonts = match crate::fonts::FontSet::embedded() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(exit::CONTENT);
        }
    };
    let report = crate::check::check_files(&sources, &fonts);
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    if args.coverage {
        print!("{}", crate::check::alphabets::coverage_table(&fonts));
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    eprintln!(
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
        Ok(fonts) => {
            print!("{}", crate::check::alphabets::coverage_table(&fonts));
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            eprintln!("{e}");
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
            eprintln!(
                "polypress: merged {} outputs into {}",
                merged.outputs.len(),
                path.display()
            );
            ExitCode::from(exit::OK)
        }
        Err(e @ crate::manifest::ManifestError::Inconsistent(_)) => {
            eprintln!("polypress: {e}");
            ExitCode::from(exit::CONTENT)
        }
        Err(e) => {
            eprintln!("polypress: {e}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn corpus(args: CorpusArgs) -> ExitCode {
    match crate::corpus::generate(&args.from, args.count, &args.out, args.seed) {
        Ok(written) => {
            eprintln!(
                "polypress: wrote {written} synthetic sources to {}",
                args.out.display()
            );
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            eprintln!("polypress: {e}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn import(args: ImportArgs, source_date_epoch: Option<i64>) -> ExitCode {
    use crate::source::import::{self, ImportError, ImportOptions};
    let usage = |message: String| {
        eprintln!("polypress: {message}");
        ExitCode::from(exit::USAGE)
    };
    let revised = match import::revised_date(args.revised.as_deref(), source_date_epoch) {
        Ok(date) => date,
        Err(e) => return usage(e.to_string()),
    };
    let ids_from = match &args.ids_from {
        Some(path) => match crate::source::read_source(path) {
            Ok(doc) => Some(doc),
            Err(e) => {
                eprintln!("{e}");
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
    let bytes = match std::fs::read(&args.file) {
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
            eprintln!("polypress: {e}");
            return ExitCode::from(exit::CONTENT);
        }
    };
    for note in &imported.notes {
        eprintln!("{}:{}: {}", args.file.display(), note.line, note.message);
    }
    let written = if to_stdout {
        use std::io::Write;
        std::io::stdout().write_all(imported.xml.as_bytes())
    } else {
        out.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::outputs::write_atomically(&out, imported.xml.as_bytes()))
    };
    if let Err(e) = written {
        eprintln!("polypress: cannot write {}: {e}", out.display());
        return ExitCode::from(exit::CONTENT);
    }
    eprintln!("polypress: {}", imported.counts);
    if !to_stdout {
        eprintln!("polypress: wrote {}", out.display());
    }
    match &imported.check_errors {
        Some(errors) => {
            eprintln!("{errors}");
            eprintln!(
                "polypress: the imported source does not pass check yet; fix the errors above"
            );
            ExitCode::from(exit::CONTENT)
        }
        None => ExitCode::from(exit::OK),
    }
}
