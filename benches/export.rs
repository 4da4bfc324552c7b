//! `cargo bench --bench export`: time per document per format, the parse, and the whole
//! batch of `sources/` through the pipeline (one thread and two), all in one process.
//!
//! Process-level figures (CPU time, peak memory, outputs per second, the synthetic corpus
//! at N = 10, 100, 300) come from `bench/run.sh`; see BENCHMARKS.md.

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::Bencher;
use polypress::date::Timestamp;
use polypress::export::{self, ExportContext, Format};
use polypress::fonts::FontSet;
use polypress::model::Summary;
use polypress::pipeline::{self, BuildOptions};

// The allocator the polypress binary uses (src/main.rs), so these figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn sources_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sources")
}

/// The file stems of `sources/*.xml` (`bg`, `da`, `en`, `hu`): one benchmark argument each.
fn documents() -> Vec<String> {
    pipeline::discover_sources(&[sources_dir()])
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect()
}

fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(|| FontSet::embedded().expect("the embedded fonts parse"))
}

fn summary(name: &str) -> Summary {
    let path = sources_dir().join(format!("{name}.xml"));
    pipeline::load_source(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .summary
}

fn export_one(bencher: Bencher, format: Format, name: &str) {
    let doc = summary(name);
    let ctx = ExportContext {
        fonts: fonts(),
        timestamp: Timestamp(1_700_000_000),
        docx_faces: None,
    };
    // A writer that does not exist yet answers at once; the figure then means nothing,
    // and BENCHMARKS.md says so.
    bencher.bench(|| export::export(format, divan::black_box(&doc), &ctx).map(|b| b.len()));
}

#[divan::bench(args = documents(), sample_count = 20)]
fn pdf(bencher: Bencher, name: &str) {
    export_one(bencher, Format::Pdf, name);
}

#[divan::bench(args = documents(), sample_count = 20)]
fn docx(bencher: Bencher, name: &str) {
    export_one(bencher, Format::Docx, name);
}

#[divan::bench(args = documents(), sample_count = 20)]
fn epub(bencher: Bencher, name: &str) {
    export_one(bencher, Format::Epub, name);
}

/// Reading and parsing one source into the model.
#[divan::bench(args = documents(), sample_count = 50)]
fn parse(bencher: Bencher, name: &str) {
    let path = sources_dir().join(format!("{name}.xml"));
    bencher.bench(|| pipeline::load_source(divan::black_box(&path)).map(|s| s.summary.id));
}

/// Parsing the four faces: done once per run.
#[divan::bench(sample_count = 20)]
fn font_parse() -> usize {
    FontSet::embedded().map(|f| f.faces().len()).unwrap_or(0)
}

/// The whole batch: every source in every format, written to a temporary folder, with
/// `--force` so nothing is skipped; with 1 and 2 worker threads.
#[divan::bench(args = [1, 2], sample_count = 10)]
fn batch(bencher: Bencher, threads: usize) {
    let out = tempfile::tempdir().expect("temporary folder");
    let mut options = BuildOptions::new(out.path());
    options.sources = vec![sources_dir()];
    options.source_date_epoch = Some(1_700_000_000);
    options.jobs = Some(threads);
    options.force = true;
    bencher.bench(|| {
        pipeline::build_with_fonts(&options, fonts())
            .map(|r| r.written)
            .unwrap_or(0)
    });
}

/// A second run over an up-to-date output folder: the incremental path (survey, digests).
#[divan::bench(sample_count = 20)]
fn batch_up_to_date(bencher: Bencher) {
    let out = tempfile::tempdir().expect("temporary folder");
    let mut options = BuildOptions::new(out.path());
    options.sources = vec![sources_dir()];
    options.source_date_epoch = Some(1_700_000_000);
    let _ = pipeline::build_with_fonts(&options, fonts());
    bencher.bench(|| {
        pipeline::build_with_fonts(&options, fonts())
            .map(|r| r.skipped)
            .unwrap_or(0)
    });
}
