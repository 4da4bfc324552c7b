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
    /// Check sources for errors without writing anything
    Check(CheckArgs),
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
    /// Build only the K-th of N shares of the jobs (1-based, e.g. 2/8) and write
    /// manifest.shard-K-of-N.json; join the shards with `polypress manifest merge`
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Source files or folders of *.xml files [default: sources/]
    pub sources: Vec<PathBuf>,
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
        Command::Manifest(ManifestCommand::Merge(args)) => merge(args),
        Command::Dev(DevCommand::Corpus(args)) => corpus(args),
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
        force: args.force,
        shard: args.shard,
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
    if report.succeeded() {
        ExitCode::from(exit::OK)
    } else {
        ExitCode::from(exit::CONTENT)
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let sources = match pipeline::discover_sources(&args.sources) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("polypress: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut errors = 0;
    for path in &sources {
        if let Err(e) = pipeline::load_source(path) {
            errors += e.0.len();
            eprintln!("{e}");
        }
    }
    eprintln!(
        "polypress: checked {} sources: {errors} errors",
        sources.len()
    );
    if errors == 0 {
        ExitCode::from(exit::OK)
    } else {
        ExitCode::from(exit::CONTENT)
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
