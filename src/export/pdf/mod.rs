//! The PDF handout: A4, typeset by `crate::typeset`, drawn with printpdf, completed (tags,
//! outline, metadata) through its lopdf document.
//!
//! - `layout`: the design, from the model to blocks of lines and then pages;
//! - `structure`: the tagged-PDF structure tree built alongside;
//! - `render`: pages to printpdf operations (shaped glyph ids carrying their text);
//! - `catalog`: what printpdf cannot write, added with lopdf;
//! - `fontfile`: what printpdf's font subsets carry that no viewer needs.

pub mod catalog;
pub mod content;
pub mod fontfile;
pub mod layout;
pub mod render;
pub mod structure;

use sha2::{Digest, Sha256};

use super::{ExportContext, ExportError, Format};
use crate::model::Summary;
use crate::typeset::shape::Shaper;

fn writer_error(message: impl Into<String>) -> ExportError {
    ExportError::Writer {
        format: Format::Pdf,
        message: message.into(),
    }
}

fn missing(character: char, style: crate::fonts::Style, origin: &layout::Origin) -> ExportError {
    let at = match origin.pos {
        Some(pos) => format!("at {pos}"),
        None => "in <meta>".to_string(),
    };
    ExportError::Content(format!(
        "character '{character}' (U+{:04X}) has no glyph in {} {} (the face that draws it); \
         found in the {} {at}",
        character as u32,
        crate::fonts::FAMILY,
        style.name(),
        origin.what,
    ))
}

pub fn write(doc: &Summary, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    let shaper = Shaper::new(ctx.fonts, &doc.lang);
    let mut laid = layout::lay_out(doc, Shaper::new(ctx.fonts, &doc.lang))
        .map_err(|m| missing(m.character, m.style, &m.origin))?;
    // The export interface has no channel for warnings yet; they go where errors are
    // printed, one line each, naming the document and the place in the source.
    for warning in &laid.warnings {
        eprintln!(
            "polypress: warning: PDF of {} ({}): {warning}",
            doc.id, doc.lang
        );
    }
    let mut rendered = render::render(&mut laid, &shaper, doc.short_title()).map_err(|m| {
        missing(
            m.character,
            m.style,
            &layout::Origin {
                pos: None,
                what: "short title",
            },
        )
    })?;

    let mut pdf = render::new_document(ctx.fonts, &doc.meta.title)
        .ok_or_else(|| writer_error("printpdf cannot parse the embedded fonts"))?;
    pdf.pages = rendered.pages.clone();
    let options = printpdf::PdfSaveOptions {
        optimize: false,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&options, &mut warnings);
    content::install(
        &mut lo,
        &rendered.inventory,
        std::mem::take(&mut rendered.contents),
    )
    .map_err(writer_error)?;

    let digest: [u8; 32] = {
        let mut hasher = Sha256::new();
        // Streamed into the hash: a long document's JSON would be megabytes held at the
        // moment the PDF is largest.
        let _ = serde_json::to_writer(HashWriter(&mut hasher), doc);
        hasher.update(ctx.timestamp.0.to_be_bytes());
        // The fonts' digest is computed when polypress is built, so it costs nothing here.
        hasher.update(ctx.fonts.sha256().as_bytes());
        hasher.finalize().into()
    };
    catalog::complete(
        &mut lo,
        &catalog::Finish {
            doc,
            timestamp: ctx.timestamp,
            tree: &laid.tree,
            rendered: &rendered,
            digest,
        },
    )
    .map_err(writer_error)?;
    fontfile::slim_fonts(&mut lo, &digest);
    // printpdf's own Info dictionary (replaced above) is left behind unreferenced.
    prune_unreferenced(&mut lo);
    compress_streams(&mut lo);
    // Room for the whole file at once: growing by doubling would hold up to twice it.
    let streams: usize = lo
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .map(|s| s.content.len())
        .sum();
    let mut bytes = Vec::with_capacity(streams + 128 * lo.objects.len() + 4096);
    lo.save_with_options(&mut bytes, save_options(lo.objects.len()))
        .map_err(|e| writer_error(format!("cannot serialise: {e}")))?;
    Ok(bytes)
}

/// The most objects written into object streams (see [`save_options`]); a handout has a
/// few hundred.
const OBJECT_STREAM_LIMIT: usize = 20_000;

/// Removes the objects nothing refers to, as lopdf's `Document::prune_objects` does.
///
/// lopdf 0.44 checks each reference against those found so far with `Vec::contains`, which
/// is quadratic in the objects: 70 s for the structure tree of a source listing 100,000
/// people. This is the same walk with a set.
fn prune_unreferenced(lo: &mut lopdf::Document) {
    fn walk(
        object: &lopdf::Object,
        seen: &mut std::collections::HashSet<lopdf::ObjectId>,
        queue: &mut Vec<lopdf::ObjectId>,
    ) {
        match object {
            lopdf::Object::Reference(id) if seen.insert(*id) => queue.push(*id),
            lopdf::Object::Array(items) => items.iter().for_each(|o| walk(o, seen, queue)),
            lopdf::Object::Dictionary(dict) => dict.iter().for_each(|(_, o)| walk(o, seen, queue)),
            lopdf::Object::Stream(stream) => {
                stream.dict.iter().for_each(|(_, o)| walk(o, seen, queue))
            }
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut queue = Vec::new();
    lo.trailer
        .iter()
        .for_each(|(_, o)| walk(o, &mut seen, &mut queue));
    while let Some(id) = queue.pop() {
        if let Some(object) = lo.objects.get(&id) {
            walk(object, &mut seen, &mut queue);
        }
    }
    lo.objects.retain(|id, _| seen.contains(id));
}

/// lopdf's `save_modern` (object and cross-reference streams), with larger object streams.
///
/// lopdf puts at most 100 objects into an object stream and deflates each with a new
/// compressor; a handout has 200 to 300 such objects. One stream per thousand objects saves
/// the set-up of two compressors per PDF and deflates a little better (the dictionaries
/// repeat the same keys). Object numbers within a stream are 16-bit in lopdf.
///
/// lopdf copies every object it puts into an object stream, so a document of 10^5 objects
/// (a long one: every paragraph and line is a structure element or a marked run) would
/// hold its objects twice while being written. Beyond [`OBJECT_STREAM_LIMIT`] objects they
/// are written directly: a larger file, but memory that stays bounded.
fn save_options(objects: usize) -> lopdf::SaveOptions {
    lopdf::SaveOptions {
        use_object_streams: objects <= OBJECT_STREAM_LIMIT,
        use_xref_streams: true,
        linearize: false,
        object_stream_config: lopdf::ObjectStreamConfig {
            max_objects_per_stream: 1000,
            ..lopdf::ObjectStreamConfig::default()
        },
    }
}

/// Deflates every stream that has no filter yet, at libdeflate's default level.
///
/// lopdf's `Document::compress` always uses the best (slowest) zlib level: on these handouts
/// it took a tenth of the PDF's time for files about 1% smaller than the default level gives.
/// One compressor serves all streams (see `export::deflate`).
fn compress_streams(lo: &mut lopdf::Document) {
    let mut deflater = crate::export::deflate::Deflater::default();
    for object in lo.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        deflate_stream(&mut deflater, stream);
    }
}

/// Feeds what is written into a SHA-256.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.update(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Deflates one stream, keeping it as it is when deflating fails or does not pay.
fn deflate_stream(deflater: &mut crate::export::deflate::Deflater, stream: &mut lopdf::Stream) {
    if let Ok(compressed) = deflater.zlib(&stream.content) {
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}
