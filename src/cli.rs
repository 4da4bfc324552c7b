//! Command-line interface: clap definitions and the commands they run.
//!
//! Every error is printed here, in one place; exit codes: 0 clean, 1 errors in the content
//! or a failed output, 2 wrong usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::export::Format;
use crate::pipeline::{self, BuildOptions};

#[derive(Debug, Parser)]
#[command(
    name = "polypress",
    version,
    about = "Turn structured event summaries, one XML file per language, into a PDF handout, a DOCX and an EPUB for every language.",
    long_about = "Turn structured event summaries, one XML file per language, into a print-ready \
PDF handout (A4), a Word document (DOCX) and an EPUB 3 e-book for every language, with fonts \
embedded.\n\nStart with `polypress build`: it reads every sources/*.xml and writes \
output/<lang>/<id>.pdf, .docx and .epub plus output/manifest.json. \
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
    Check(CheckArgs),
    /// Print which languages' alphabets the embedded fonts cover, face by face
    Fonts,
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

/// Exit codes, as documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const CONTENT: u8 = 1;
    pub const USAGE: u8 = 2;
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
        Command::Fonts => fonts(),
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
    let options = BuildOptions {
        sources: args.sources,
        out_dir: args.out,
        formats: args.formats,
        langs: args.langs,
        jobs: args.jobs.map(usize::from),
        source_date_epoch,
        progress: true,
    };
    let report = match pipeline::build(&options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("polypress: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    for failure in &report.failures {
        eprintln!("{failure}");
    }
    for format in &report.unavailable {
        eprintln!(
            "polypress: the {format} writer is not available yet; no {format} files were written"
        );
    }
    eprintln!(
        "polypress: {} outputs written to {}, {} failed, in {:.2} s",
        report.outputs.len(),
        options.out_dir.display(),
        report.failures.len(),
        report.elapsed.as_secs_f64()
    );
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
