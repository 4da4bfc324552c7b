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

/// One variant of every real source (one document per language of `sources/`).
fn corpus_of_every_language() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources");
    polypress::corpus::generate(&common::repo_root().join("sources"), 1, &sources, 1).unwrap();
    let mut langs: Vec<String> = std::fs::read_dir(&sources)
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.trim_end_matches(".xml")
                .rsplit('.')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    langs.sort();
    (dir, sources, langs)
}

fn build_with(writer: &CountingWriter, options: &BuildOptions) -> BuildReport {
    let fonts = FontSet::embedded().unwrap();
    pipeline::build_with_exporter(options, &fonts, &|f, d, c| writer.export(f, d, c)).unwrap()
}

/// Every output file under `out` (not manifests, locks, journals or temporary files), by
/// path, with its SHA-256.
fn files_on_disk(out: &Path) -> std::collections::BTreeMap<String, String> {
    let mut found = std::collections::BTreeMap::new();
    for folder in std::fs::read_dir(out).unwrap().flatten() {
        if !folder.path().is_dir() {
            continue;
        }
        for file in std::fs::read_dir(folder.path()).unwrap().flatten() {
            let name = file.file_name().into_string().unwrap();
            if name.starts_with('.') {
                continue;
            }
            let path = format!("{}/{name}", folder.file_name().to_string_lossy());
            found.insert(
                path,
                polypress::sha256_hex(&std::fs::read(file.path()).unwrap()),
            );
        }
    }
    found
}

fn listed(out: &Path) -> std::collections::BTreeMap<String, String> {
    manifest(out)
        .outputs
        .into_iter()
        .map(|e| (e.path, e.sha256))
        .collect()
}

#[test]
fn a_build_of_some_languages_or_formats_keeps_the_others_listed() {
    let (dir, sources, langs) = corpus_of_every_language();
    assert!(langs.len() >= 2, "{langs:?}");
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    let mut options = BuildOptions::new(&out);
    options.sources = vec![sources.clone()];
    options.source_date_epoch = Some(1_700_000_000);

    options.langs = Some(vec![langs[0].clone()]);
    build_with(&writer, &options);
    options.langs = Some(vec![langs[1].clone()]);
    let second = build_with(&writer, &options);
    assert_eq!(second.written, 3);
    assert_eq!(listed(&out).len(), 6, "{:?}", listed(&out));
    assert_eq!(listed(&out), files_on_disk(&out));

    options.langs = None;
    options.formats = vec![Format::Pdf];
    let pdfs = build_with(&writer, &options);
    assert_eq!(pdfs.written, langs.len() - 2);
    assert_eq!(listed(&out).len(), 6 + langs.len() - 2);
    assert_eq!(listed(&out), files_on_disk(&out));
}

#[test]
fn a_source_that_fails_now_keeps_its_earlier_outputs_listed() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    let before = listed(&out);
    assert_eq!(before.len(), 9);

    let broken = sources.join("city-webinar-3-s0002.en.xml");
    let text = std::fs::read_to_string(&broken).unwrap();
    std::fs::write(&broken, text.replacen("</p>", "</q>", 1)).unwrap();
    let mut options = BuildOptions::new(&out);
    options.sources = vec![sources.clone()];
    options.source_date_epoch = Some(1_700_000_000);
    let report = build_with(&writer, &options);
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert_eq!(
        listed(&out),
        before,
        "the failed source's outputs are still on disk, so still listed"
    );
    assert_eq!(listed(&out), files_on_disk(&out));
}

#[test]
fn a_corrupt_manifest_is_reported_and_written_anew_from_what_is_verified() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    std::fs::write(
        out.join("manifest.json"),
        b"{\"generator\": \"polypress 0.1.0\", \"outp",
    )
    .unwrap();
    writer.take_built();

    let report = build(&writer, &sources, &out, false);
    let warning = report.warnings.join("\n");
    assert!(
        warning.contains(&out.join("manifest.json").display().to_string())
            && warning.contains("not a polypress manifest"),
        "{warning}"
    );
    assert_eq!(report.written, 9, "nothing unlisted can be trusted");
    assert_eq!(listed(&out), files_on_disk(&out));
    assert!(build(&writer, &sources, &out, false).warnings.is_empty());
}

#[test]
fn stale_temporary_files_of_the_builds_own_outputs_are_removed() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    let en = out.join("en");
    let stale = [
        // Left by polypress 0.1.0 (SIGXFSZ, a kill), and by today's.
        ".city-webinar-3-s0001.en.pdf.4711.tmp",
        ".city-webinar-3-s0002.en.epub.polypress-0123456789abcdef-3.tmp",
    ];
    for name in stale {
        std::fs::write(en.join(name), b"half a file").unwrap();
    }
    std::fs::write(out.join(".manifest.json.99.tmp"), b"{").unwrap();
    let foreign = en.join(".notes.txt.1.tmp");
    std::fs::write(&foreign, b"not ours").unwrap();

    build(&writer, &sources, &out, false);
    for name in stale {
        assert!(!en.join(name).exists(), "{name} is removed");
    }
    assert!(!out.join(".manifest.json.99.tmp").exists());
    assert!(
        foreign.exists(),
        "a temporary file of another program stays"
    );
}

#[test]
fn an_interrupt_stops_new_jobs_and_the_manifest_lists_exactly_what_is_done() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    let mut options = BuildOptions::new(&out);
    options.sources = vec![sources.clone()];
    options.source_date_epoch = Some(1_700_000_000);
    options.jobs = Some(1);
    let stop = options.interrupt.clone();
    let fonts = FontSet::embedded().unwrap();
    let report = pipeline::build_with_exporter(&options, &fonts, &|f, d, c| {
        let bytes = writer.export(f, d, c);
        if writer.calls.load(Ordering::SeqCst) == 4 {
            stop.request(15);
        }
        bytes
    })
    .unwrap();
    assert_eq!(report.interrupted, Some(15));
    assert_eq!(report.written, 4, "the running job finishes");
    assert_eq!(report.not_started, 5);
    assert!(!report.succeeded());
    assert_eq!(listed(&out).len(), 4);
    assert_eq!(listed(&out), files_on_disk(&out));
    assert!(
        !out.join(".manifest.json.journal").exists(),
        "folded into the manifest"
    );

    writer.take_built();
    let rerun = build(&writer, &sources, &out, false);
    assert_eq!((rerun.written, rerun.skipped), (5, 4));
    assert_eq!(listed(&out).len(), 9);
}

#[test]
fn a_stopped_shard_resumes_where_it_stopped_and_then_merges() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    let shard_options = |shard: &str| {
        let mut options = BuildOptions::new(&out);
        options.sources = vec![sources.clone()];
        options.source_date_epoch = Some(1_700_000_000);
        options.shard = Some(shard.parse().unwrap());
        options.jobs = Some(1);
        options
    };
    let fonts = FontSet::embedded().unwrap();
    let first = shard_options("1/2");
    let stop = first.interrupt.clone();
    let stopped = pipeline::build_with_exporter(&first, &fonts, &|f, d, c| {
        stop.request(2);
        writer.export(f, d, c)
    })
    .unwrap();
    assert_eq!((stopped.written, stopped.interrupted), (1, Some(2)));
    let own_jobs = stopped.written + stopped.not_started;
    assert!(own_jobs > 1, "shard 1/2 has {own_jobs} jobs");
    build_with(&writer, &shard_options("2/2"));

    let err = manifest::merge_files(std::slice::from_ref(&out), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("run shard 1/2 again"), "{err}");
    assert!(!out.join("manifest.json").exists());

    writer.take_built();
    let resumed = build_with(&writer, &shard_options("1/2"));
    assert_eq!((resumed.written, resumed.skipped), (own_jobs - 1, 1));
    let (_, merged) = manifest::merge_files(std::slice::from_ref(&out), None).unwrap();
    assert_eq!(merged.outputs.len(), 9);
    assert_eq!(listed(&out), files_on_disk(&out));
}

/// Every DOCX embeds faces cut to the characters of all the run's sources: a new source with
/// a character none had (a check mark, which Source Sans 3 draws) rebuilds every DOCX, and
/// nothing else but its own outputs. One whose characters all are in already rebuilds none.
#[test]
fn a_source_with_a_new_character_rebuilds_every_docx() {
    let (dir, sources) = corpus();
    let out = dir.path().join("out");
    let writer = CountingWriter::new();
    build(&writer, &sources, &out, false);
    writer.take_built();

    let original = std::fs::read_to_string(sources.join("city-webinar-3-s0001.en.xml")).unwrap();
    let copy = |id: &str, prefix: &str| {
        let text = original
            .replacen("id=\"city-webinar-3-s0001\"", &format!("id=\"{id}\""), 1)
            .replacen("<p>", &format!("<p>{prefix}"), 1);
        assert!(text.contains(&format!("id=\"{id}\"")) && text.contains(prefix));
        std::fs::write(sources.join(format!("{id}.en.xml")), text).unwrap();
    };

    copy("plain", "Plain text. ");
    let report = build(&writer, &sources, &out, false);
    assert_eq!((report.written, report.skipped), (3, 9));
    assert_eq!(
        writer.take_built(),
        ["en/plain.en.docx", "en/plain.en.epub", "en/plain.en.pdf"]
    );

    copy("checked", "\u{2713} Checked. ");
    let report = build(&writer, &sources, &out, false);
    assert_eq!((report.written, report.skipped), (7, 8));
    assert_eq!(
        writer.take_built(),
        [
            "en/checked.en.docx",
            "en/checked.en.epub",
            "en/checked.en.pdf",
            "en/city-webinar-3-s0001.en.docx",
            "en/city-webinar-3-s0002.en.docx",
            "en/city-webinar-3-s0003.en.docx",
            "en/plain.en.docx",
        ]
    );
}
