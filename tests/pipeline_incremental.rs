//! Incremental builds: an output whose inputs and bytes on disk are unchanged is skipped,
//! stays in the manifest, and is rebuilt when its source, its file or `--force` says so.
//!
//! The pipeline is driven with a stand-in writer that counts its calls, so these tests
//! watch the pipeline's decisions, whatever the real writers cost.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use polypress::export::{ExportContext, ExportError, Format};
use polypress::fonts::FontSet;
use polypress::manifest::{self, Manifest};
use polypress::model::{plain_text, Block, Summary};
use polypress::pipeline::{self, BuildOptions, BuildReport};

/// A writer whose bytes depend on the document, the format and the date, recording what
/// it was asked to build.
struct CountingWriter {
    calls: AtomicUsize,
    built: Mutex<Vec<String>>,
}

impl CountingWriter {
    fn new() -> Self {
        CountingWriter {
            calls: AtomicUsize::new(0),
            built: Mutex::new(Vec::new()),
        }
    }

    fn export(
        &self,
        format: Format,
        doc: &Summary,
        ctx: &ExportContext,
    ) -> Result<Vec<u8>, ExportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.built
            .lock()
            .unwrap()
            .push(pipeline::output_path(doc, format));
        let first_paragraph = doc
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .find_map(|b| match b {
                Block::Paragraph(p) => Some(plain_text(&p.content)),
                _ => None,
            })
            .unwrap_or_default();
        Ok(format!(
            "{format} {} {} {} {first_paragraph}",
            doc.lang, doc.id, ctx.timestamp.0
        )
        .into_bytes())
    }

    fn take_built(&self) -> Vec<String> {
        let mut built = std::mem::take(&mut *self.built.lock().unwrap());
        built.sort();
        built
    }
}

/// Three sources (variants of the documented example) in a fresh folder.
fn corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("from");
    std::fs::create_dir_all(&from).unwrap();
    std::fs::copy(
        common::repo_root().join("tests/fixtures/example.xml"),
        from.join("example.xml"),
    )
    .unwrap();
    let sources = dir.path().join("sources");
    polypress::corpus::generate(&from, 3, &sources, 1).unwrap();
    (dir, sources)
}

fn build(writer: &CountingWriter, sources: &Path, out: &Path, force: bool) -> BuildReport {
    let mut options = BuildOptions::new(out);
    options.sources = vec![sources.to_path_buf()];
    options.source_date_epoch = Some(1_700_000_000);
    options.force = force;
    let fonts = FontSet::embedded().unwrap();
    let report =
        pipeline::build_with_exporter(&options, &fonts, &|f, d, c| writer.export(f, d, c)).unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    report
}

fn manifest(out: &Path) -> Manifest {
    manifest::read_manifest(&out.join(manifest::MANIFEST_NAME)).unwrap()
}

#[test]
fn a_second_run_skips_everything_and_keeps_the_manifest() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    let first = build(&writer, &sources, &out, false);
    assert_eq!((first.written, first.skipped), (9, 0));
    let manifest_before = std::fs::read(out.join("manifest.json")).unwrap();
    assert!(manifest(&out)
        .outputs
        .iter()
        .all(|e| e.input_sha256.len() == 64));

    writer.take_built();
    let second = build(&writer, &sources, &out, false);
    assert_eq!((second.written, second.skipped), (0, 9));
    assert!(writer.take_built().is_empty(), "nothing rendered again");
    assert_eq!(
        std::fs::read(out.join("manifest.json")).unwrap(),
        manifest_before,
        "skipped outputs stay in the manifest, unchanged"
    );
}

#[test]
fn a_changed_source_rebuilds_its_own_outputs_only() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    writer.take_built();

    let touched = sources.join("city-webinar-3-s0002.en.xml");
    let text = std::fs::read_to_string(&touched).unwrap();
    let edited = text.replacen("<p>", "<p>Edited. ", 1);
    assert_ne!(text, edited);
    std::fs::write(&touched, edited).unwrap();

    let report = build(&writer, &sources, &out, false);
    assert_eq!((report.written, report.skipped), (3, 6));
    assert_eq!(
        writer.take_built(),
        [
            "en/city-webinar-3-s0002.en.docx",
            "en/city-webinar-3-s0002.en.epub",
            "en/city-webinar-3-s0002.en.pdf"
        ]
    );
    let pdf = std::fs::read_to_string(out.join("en/city-webinar-3-s0002.en.pdf")).unwrap();
    assert!(
        pdf.contains("Edited."),
        "the new text is in the output: {pdf}"
    );
}

#[test]
fn force_rebuilds_everything() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    writer.take_built();
    let report = build(&writer, &sources, &out, true);
    assert_eq!((report.written, report.skipped), (9, 0));
    assert_eq!(writer.take_built().len(), 9);
}

#[test]
fn an_output_changed_or_deleted_on_disk_is_rebuilt() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    let good = std::fs::read(out.join("en/city-webinar-3-s0001.en.epub")).unwrap();
    writer.take_built();

    // Same length, different bytes: only the digest can tell.
    let mut damaged = good.clone();
    damaged[0] ^= 0x20;
    std::fs::write(out.join("en/city-webinar-3-s0001.en.epub"), &damaged).unwrap();
    std::fs::remove_file(out.join("en/city-webinar-3-s0003.en.docx")).unwrap();

    let report = build(&writer, &sources, &out, false);
    assert_eq!((report.written, report.skipped), (2, 7));
    assert_eq!(
        writer.take_built(),
        [
            "en/city-webinar-3-s0001.en.epub",
            "en/city-webinar-3-s0003.en.docx"
        ]
    );
    assert_eq!(
        std::fs::read(out.join("en/city-webinar-3-s0001.en.epub")).unwrap(),
        good
    );
}

#[test]
fn a_different_date_option_is_a_different_input() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    writer.take_built();

    let mut options = BuildOptions::new(&out);
    options.sources = vec![sources.clone()];
    options.source_date_epoch = Some(1_800_000_000);
    let fonts = FontSet::embedded().unwrap();
    let report =
        pipeline::build_with_exporter(&options, &fonts, &|f, d, c| writer.export(f, d, c)).unwrap();
    assert_eq!((report.written, report.skipped), (9, 0));
}

#[test]
fn a_shard_in_a_folder_built_whole_skips_its_share() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    writer.take_built();

    let mut options = BuildOptions::new(&out);
    options.sources = vec![sources.clone()];
    options.source_date_epoch = Some(1_700_000_000);
    options.shard = Some("1/2".parse().unwrap());
    let fonts = FontSet::embedded().unwrap();
    let report =
        pipeline::build_with_exporter(&options, &fonts, &|f, d, c| writer.export(f, d, c)).unwrap();
    assert_eq!(report.written, 0);
    assert!(
        report.skipped > 0 && report.skipped < 9,
        "{}",
        report.skipped
    );
    assert!(writer.take_built().is_empty());
    let shard = manifest::read_shard_manifest(&out.join("manifest.shard-1-of-2.json")).unwrap();
    assert_eq!(shard.outputs.len(), report.skipped);
}
