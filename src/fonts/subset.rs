//! Font subsetting for the formats that embed a font file (DOCX, EPUB).
//!
//! The glyph work and the OpenType layout tables (the GSUB closure, GPOS kerning and mark
//! attachment, GDEF, cut to the glyphs kept) are done by klippa, fontations' port of
//! HarfBuzz's subsetter. What it lacks or gets wrong is filled in `klippa_gaps` and here:
//! - its `name` table keeps the Reserved Font Name "Source": we rewrite it (and rename on
//!   request);
//! - a reader that ignores `locl` would draw a language's default forms: `Subset::localize`
//!   puts one language's local forms (Bulgarian Cyrillic) straight into the cmap, which we
//!   write ourselves (format 4 under (0, 3) and (3, 1), format 12 beyond the BMP);
//! - `DSIG` would be a broken signature after any change: it goes.
//!
//! The table directory is then written again here, with checksums and `checkSumAdjustment`.

use std::collections::BTreeSet;

use fontations::read::collections::IntSet;
use fontations::read::FontRef;
use fontations::types::{GlyphId, NameId, Tag};
use sha2::{Digest, Sha256};

use super::klippa_gaps;
use super::FontFace;

/// What can go wrong while subsetting one face.
#[derive(Debug, thiserror::Error)]
pub enum SubsetError {
    #[error("font {font}: cannot read it for subsetting: {reason}")]
    Read { font: String, reason: String },
    #[error("font {font}: subsetting failed: {reason}")]
    Subset { font: String, reason: String },
    #[error("font {font}: the subset is not a usable font: {reason}")]
    Output { font: String, reason: String },
    #[error("language {language:?} cannot be used for shaping: {reason}")]
    Language {
        language: String,
        reason: &'static str,
    },
    #[error("font family name {family:?} cannot be used for a renamed subset: {reason}")]
    Family {
        family: String,
        reason: &'static str,
    },
}

/// Which OpenType layout tables a subset keeps, cut to its glyphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// None: the glyphs are drawn one per character, unkerned.
    None,
    /// GSUB and GDEF: local forms (`locl`), ligatures (`liga`), composition (`ccmp`).
    Substitutions,
    /// GSUB, GPOS and GDEF: the substitutions and kerning (`kern`) and mark positioning
    /// (`mark`, `mkmk`).
    Full,
}

/// The features a reader applies by default that Source Sans 3 has; the others (small
/// capitals, stylistic sets, fractions...) are asked for by name, which no output does.
const SUBSTITUTION_FEATURES: [&[u8; 4]; 3] = [b"ccmp", b"locl", b"liga"];
const POSITIONING_FEATURES: [&[u8; 4]; 3] = [b"kern", b"mark", b"mkmk"];

/// How to cut a face.
#[derive(Debug, Clone, Copy)]
pub struct Subset<'a> {
    /// If Some(family), rewrite the name table (family, full name, PostScript name, unique
    /// id) so the font no longer carries the name "Source" (the OFL's Reserved Font Name
    /// forbids a modified font under that name; the EPUB uses this). None keeps the names
    /// (the DOCX: embedding a subset in a document is allowed and Word matches by name).
    pub rename: Option<&'a str>,
    /// If Some(language) (a BCP 47 tag such as `bg`), each character maps to the glyph
    /// shaping gives it in that language, when that differs from the default: a reader that
    /// does not apply `locl` still draws the Bulgarian forms. For a font that serves one
    /// language's document.
    pub localize: Option<&'a str>,
    pub layout: Layout,
    /// Keep the TrueType hinting programs and instructions (about a third of the glyph
    /// data). Without them Windows' renderer smooths the outlines itself.
    pub hinting: bool,
}

impl Default for Subset<'_> {
    fn default() -> Self {
        Subset {
            rename: None,
            localize: None,
            layout: Layout::None,
            hinting: true,
        }
    }
}

/// A TrueType subset of `face` holding the glyphs for `chars` (plus .notdef, the components
/// of composite glyphs and, with layout tables, the glyphs their substitutions reach), with
/// a cmap that maps exactly those characters.
///
/// Characters the face has no glyph for (e.g. `\n`) are left out; checking coverage is the
/// caller's business. The same arguments always give the same bytes.
pub fn subset(
    face: &FontFace,
    chars: &BTreeSet<char>,
    how: &Subset<'_>,
) -> Result<Vec<u8>, SubsetError> {
    let font = face.style.file_name();
    let read_error = |reason: String| SubsetError::Read {
        font: font.to_string(),
        reason,
    };
    let output_error = |reason: String| SubsetError::Output {
        font: font.to_string(),
        reason,
    };
    let language = how
        .localize
        .map(|tag| {
            tag.parse::<harfrust::Language>()
                .map_err(|reason| SubsetError::Language {
                    language: tag.to_string(),
                    reason,
                })
        })
        .transpose()?;

    // The glyph each character must end up with, in the original's numbering.
    let mut original_forms = language
        .clone()
        .map(|language| LocalizedForms::new(&face.shaping, language));
    let wanted: Vec<(char, u16)> = chars
        .iter()
        .filter_map(|&c| {
            let default = face.face.glyph_index(c).map(|g| g.0).filter(|&g| g != 0)?;
            let local = original_forms
                .as_mut()
                .and_then(|forms| forms.glyph(c, default));
            Some((c, local.unwrap_or(default)))
        })
        .collect();

    // klippa loses pairs when it cuts GPOS from the file as it is (see `klippa_gaps`).
    let data = match how.layout {
        Layout::Full => face.kerning_source().map_err(read_error)?,
        Layout::None | Layout::Substitutions => face.data,
    };
    let source = FontRef::new(data).map_err(|e| read_error(e.to_string()))?;
    let cut = klippa_subset(&source, &wanted, how).map_err(|reason| SubsetError::Subset {
        font: font.to_string(),
        reason,
    })?;

    // The subset's own cmap gives each character its default glyph in the new numbering;
    // the localized forms are found by shaping the subset itself, whose GSUB still has them.
    let cut_face = ttf_parser::Face::parse(&cut, 0)
        .map_err(|e| output_error(format!("klippa wrote a font ttf-parser rejects: {e}")))?;
    let cut_shaping = harfrust::Font::new(cut.clone(), 0)
        .ok_or_else(|| output_error("klippa wrote a font the shaper rejects".to_string()))?;
    let mut cut_forms = language.map(|language| LocalizedForms::new(&cut_shaping, language));
    let mut mapping = Vec::with_capacity(wanted.len());
    for &(c, old) in &wanted {
        let default = cut_face
            .glyph_index(c)
            .map(|g| g.0)
            .filter(|&g| g != 0)
            .ok_or_else(|| output_error(format!("character {c:?} lost its glyph")))?;
        let new = cut_forms
            .as_mut()
            .and_then(|forms| forms.glyph(c, default))
            .unwrap_or(default);
        // The glyph must be the same one: same box, same advance.
        let same = |f: &ttf_parser::Face<'_>, g: u16| {
            (
                header_bounding_box(f, g),
                f.glyph_hor_advance(ttf_parser::GlyphId(g)),
            )
        };
        if same(&cut_face, new) != same(&face.face, old) {
            return Err(output_error(format!(
                "glyph {old} of {c:?} did not become glyph {new}"
            )));
        }
        mapping.push((c, new));
    }

    let name = match how.rename {
        None => name_table_kept(&face.face)?,
        Some(family) => name_table_renamed(&face.face, family, &mapping)?,
    };
    let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    let raw = ttf_parser::RawFace::parse(&cut, 0)
        .map_err(|e| output_error(format!("table directory: {e}")))?;
    for record in raw.table_records {
        let tag = record.tag.to_bytes();
        if matches!(&tag, b"cmap" | b"name" | b"DSIG") {
            continue;
        }
        if how.layout == Layout::None && matches!(&tag, b"GSUB" | b"GDEF") {
            continue;
        }
        if &tag == b"gasp" && !how.hinting {
            // gasp asks for grid-fitting, which an unhinted font cannot do.
            continue;
        }
        let mut data = raw
            .table(record.tag)
            .ok_or_else(|| output_error(format!("table {} is out of bounds", record.tag)))?
            .to_vec();
        if &tag == b"OS/2" {
            set_char_range(&mut data, &mapping);
        }
        tables.push((tag, data));
    }
    tables.push((*b"cmap", cmap_table(&mapping).map_err(output_error)?));
    tables.push((*b"name", name));
    assemble(tables).map_err(output_error)
}

/// Runs klippa over `source`, keeping the glyphs of `wanted` (their characters and, for
/// localized forms that no character maps to in the original, the glyphs themselves).
fn klippa_subset(
    source: &FontRef<'_>,
    wanted: &[(char, u16)],
    how: &Subset<'_>,
) -> Result<Vec<u8>, String> {
    let mut unicodes = IntSet::empty();
    let mut glyphs = IntSet::empty();
    for &(c, glyph) in wanted {
        unicodes.insert(u32::from(c));
        glyphs.insert(GlyphId::new(u32::from(glyph)));
    }
    let tags = |names: &[&[u8; 4]]| names.iter().map(|n| Tag::new(n)).collect::<Vec<Tag>>();
    let mut features = IntSet::empty();
    let mut drop_tables = IntSet::empty();
    drop_tables.extend(tags(&[b"DSIG", b"BASE"]));
    match how.layout {
        // Local forms are found by shaping the subset: it keeps `locl` until then.
        Layout::None if how.localize.is_some() => {
            features.insert(Tag::new(b"locl"));
            drop_tables.insert(Tag::new(b"GPOS"));
        }
        Layout::None => drop_tables.extend(tags(&[b"GSUB", b"GPOS", b"GDEF"])),
        Layout::Substitutions => {
            features.extend(tags(&SUBSTITUTION_FEATURES));
            drop_tables.insert(Tag::new(b"GPOS"));
        }
        Layout::Full => {
            features.extend(tags(&SUBSTITUTION_FEATURES));
            features.extend(tags(&POSITIONING_FEATURES));
        }
    }
    let mut scripts = IntSet::empty();
    scripts.invert(); // every script
    let mut name_ids = IntSet::empty();
    name_ids.extend((0..FIRST_FEATURE_NAME_ID).map(NameId::new));
    let mut name_languages = IntSet::empty();
    name_languages.insert(0x409u16);
    let flags = if how.hinting {
        klippa::SubsetFlags::default()
    } else {
        klippa::SubsetFlags::SUBSET_FLAGS_NO_HINTING
    };
    let plan = klippa::Plan::new(
        &glyphs,
        &unicodes,
        source,
        flags,
        &drop_tables,
        &scripts,
        &features,
        &name_ids,
        &name_languages,
    );
    let cut = klippa::subset_font(source, &plan).map_err(|e| e.to_string())?;
    klippa_gaps::repair(source, cut)
}

/// Name ids below this describe the font; from 256 on they name features the subset drops.
const FIRST_FEATURE_NAME_ID: u16 = 256;

/// A glyph's bounding box as its `glyf` entry's header states it (`None` for an empty glyph).
///
/// ttf-parser's `glyph_bounding_box` decodes the whole outline to compute the box, which made
/// this check cost as much as the rest of a subset; the header has it in four numbers.
fn header_bounding_box(face: &ttf_parser::Face<'_>, glyph: u16) -> Option<[i16; 4]> {
    let raw = face.raw_face();
    let head = raw.table(ttf_parser::Tag::from_bytes(b"head"))?;
    let loca = raw.table(ttf_parser::Tag::from_bytes(b"loca"))?;
    let glyf = raw.table(ttf_parser::Tag::from_bytes(b"glyf"))?;
    let u16_at =
        |data: &[u8], at: usize| Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]));
    let u32_at =
        |data: &[u8], at: usize| Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?));
    let index = usize::from(glyph);
    let (start, end) = if u16_at(head, 50)? == 0 {
        (
            usize::from(u16_at(loca, 2 * index)?) * 2,
            usize::from(u16_at(loca, 2 * index + 2)?) * 2,
        )
    } else {
        (
            u32_at(loca, 4 * index)? as usize,
            u32_at(loca, 4 * index + 4)? as usize,
        )
    };
    if end <= start {
        return None;
    }
    let entry = glyf.get(start..end)?;
    let number = |i: usize| u16_at(entry, 2 + 2 * i).map(|v| v as i16);
    Some([number(0)?, number(1)?, number(2)?, number(3)?])
}

/// Sets `usFirstCharIndex` and `usLastCharIndex` of an OS/2 table (capped at 0xFFFF, as the
/// spec says).
fn set_char_range(os2: &mut [u8], mapping: &[(char, u16)]) {
    let bmp_index = |c: char| u16::try_from(u32::from(c)).unwrap_or(u16::MAX);
    let first = mapping.first().map_or(0, |&(c, _)| bmp_index(c));
    let last = mapping.last().map_or(0, |&(c, _)| bmp_index(c));
    if let Some(field) = os2.get_mut(64..68) {
        field[..2].copy_from_slice(&first.to_be_bytes());
        field[2..].copy_from_slice(&last.to_be_bytes());
    }
}

/// Finds the glyphs a language's localized forms (`locl`) put in place of the default ones,
/// shaping one character at a time. Plans are built once per script: building a shaping plan
/// for every character dominated the time of a whole subset.
struct LocalizedForms<'f> {
    shaper: harfrust::ShaperFont<'f, 'f>,
    font: &'f harfrust::Font,
    language: harfrust::Language,
    plans: Vec<(Option<harfrust::Script>, harfrust::ShapePlan)>,
    buffer: harfrust::Buffer,
}

impl<'f> LocalizedForms<'f> {
    fn new(font: &'f harfrust::Font, language: harfrust::Language) -> Self {
        LocalizedForms {
            shaper: harfrust::ShaperFont::new(font),
            font,
            language,
            plans: Vec::new(),
            buffer: harfrust::Buffer::new(),
        }
    }

    /// The glyph the language draws `c` with, when it differs from `default` (the cmap's).
    fn glyph(&mut self, c: char, default: u16) -> Option<u16> {
        let buffer = &mut self.buffer;
        buffer.clear();
        buffer.push_str(c.encode_utf8(&mut [0; 4]));
        buffer.set_language(Some(self.language.clone()));
        buffer.guess_segment_properties();
        let script = buffer.script();
        let plan_index = match self.plans.iter().position(|(s, _)| *s == script) {
            Some(index) => index,
            None => {
                let plan = harfrust::ShapePlan::new(
                    self.font,
                    buffer.direction(),
                    script,
                    Some(&self.language),
                    &[],
                );
                self.plans.push((script, plan));
                self.plans.len() - 1
            }
        };
        let options = harfrust::ShapeOptions::new().plan(Some(&self.plans[plan_index].1));
        harfrust::shape(&self.shaper, buffer, options).ok()?;
        match buffer.glyph_infos() {
            [info] if info.glyph_id != 0 && info.glyph_id != u32::from(default) => {
                u16::try_from(info.glyph_id).ok()
            }
            _ => None,
        }
    }
}

/// A `cmap` mapping exactly `mapping` (sorted by character): format 4 for the BMP under
/// (0, 3) and (3, 1), and format 12 under (0, 4) and (3, 10) when a character lies beyond.
fn cmap_table(mapping: &[(char, u16)]) -> Result<Vec<u8>, String> {
    let bmp: Vec<(u32, u16)> = mapping
        .iter()
        .map(|&(c, g)| (u32::from(c), g))
        .filter(|&(c, _)| c < 0xFFFF)
        .collect();
    let format4 = cmap_format4(&bmp)?;
    let beyond_bmp = mapping.iter().any(|&(c, _)| u32::from(c) > 0xFFFF);
    let format12 = beyond_bmp.then(|| cmap_format12(mapping));

    // (platform, encoding, which subtable), sorted as the spec requires.
    let mut records: Vec<(u16, u16, usize)> = vec![(0, 3, 0), (3, 1, 0)];
    if format12.is_some() {
        records.extend([(0, 4, 1), (3, 10, 1)]);
    }
    records.sort_unstable();
    let header_len = 4 + 8 * records.len();
    let offsets = [header_len, header_len + format4.len()];

    let mut out = Vec::new();
    put_u16(&mut out, 0);
    put_u16(&mut out, records.len() as u16);
    for (platform, encoding, which) in records {
        put_u16(&mut out, platform);
        put_u16(&mut out, encoding);
        put_u32(&mut out, offsets[which] as u32);
    }
    out.extend_from_slice(&format4);
    if let Some(format12) = format12 {
        out.extend_from_slice(&format12);
    }
    Ok(out)
}

/// Runs of consecutive characters with consecutive glyphs: (first char, last char, first glyph).
fn runs(mapping: impl Iterator<Item = (u32, u16)>) -> Vec<(u32, u32, u16)> {
    let mut runs: Vec<(u32, u32, u16)> = Vec::new();
    for (c, g) in mapping {
        match runs.last_mut() {
            Some((start, end, first))
                if c == *end + 1 && u32::from(g) == u32::from(*first) + (c - *start) =>
            {
                *end = c
            }
            _ => runs.push((c, c, g)),
        }
    }
    runs
}

fn cmap_format4(bmp: &[(u32, u16)]) -> Result<Vec<u8>, String> {
    let mut segments = runs(bmp.iter().copied());
    // The last segment must map 0xFFFF; a delta of 1 sends it to glyph 0.
    segments.push((0xFFFF, 0xFFFF, 0));
    let seg_count = segments.len();
    let length = 16 + 8 * seg_count;
    let length = u16::try_from(length).map_err(|_| "too many cmap segments".to_string())?;
    let search_pow = 1usize << seg_count.ilog2();
    let mut out = Vec::with_capacity(usize::from(length));
    put_u16(&mut out, 4);
    put_u16(&mut out, length);
    put_u16(&mut out, 0); // language
    put_u16(&mut out, (2 * seg_count) as u16);
    put_u16(&mut out, (2 * search_pow) as u16);
    put_u16(&mut out, search_pow.ilog2() as u16);
    put_u16(&mut out, (2 * seg_count - 2 * search_pow) as u16);
    for &(_, end, _) in &segments {
        put_u16(&mut out, end as u16);
    }
    put_u16(&mut out, 0); // reservedPad
    for &(start, _, _) in &segments {
        put_u16(&mut out, start as u16);
    }
    for &(start, end, glyph) in &segments {
        let delta = if end == 0xFFFF {
            1
        } else {
            glyph.wrapping_sub(start as u16)
        };
        put_u16(&mut out, delta);
    }
    for _ in &segments {
        put_u16(&mut out, 0); // idRangeOffset: deltas only
    }
    Ok(out)
}

fn cmap_format12(mapping: &[(char, u16)]) -> Vec<u8> {
    let groups = runs(mapping.iter().map(|&(c, g)| (u32::from(c), g)));
    let mut out = Vec::with_capacity(16 + 12 * groups.len());
    put_u16(&mut out, 12);
    put_u16(&mut out, 0);
    put_u32(&mut out, (16 + 12 * groups.len()) as u32);
    put_u32(&mut out, 0); // language
    put_u32(&mut out, groups.len() as u32);
    for (start, end, glyph) in groups {
        put_u32(&mut out, start);
        put_u32(&mut out, end);
        put_u32(&mut out, u32::from(glyph));
    }
    out
}

/// One record of a `name` table: (platform, encoding, language, name id) and its bytes.
type NameRecord = ((u16, u16, u16, u16), Vec<u8>);

fn platform_number(platform: ttf_parser::PlatformId) -> u16 {
    match platform {
        ttf_parser::PlatformId::Unicode => 0,
        ttf_parser::PlatformId::Macintosh => 1,
        ttf_parser::PlatformId::Iso => 2,
        ttf_parser::PlatformId::Windows => 3,
        ttf_parser::PlatformId::Custom => 4,
    }
}

/// The original names, without the feature names of the dropped GSUB.
fn name_table_kept(face: &ttf_parser::Face<'_>) -> Result<Vec<u8>, SubsetError> {
    let records = face
        .names()
        .into_iter()
        .filter(|n| n.name_id < FIRST_FEATURE_NAME_ID)
        .map(|n| {
            (
                (
                    platform_number(n.platform_id),
                    n.encoding_id,
                    n.language_id,
                    n.name_id,
                ),
                n.name.to_vec(),
            )
        })
        .collect();
    name_table(records).map_err(|reason| SubsetError::Output {
        font: face_label(face),
        reason,
    })
}

fn face_label(face: &ttf_parser::Face<'_>) -> String {
    english_name(face, ttf_parser::name_id::POST_SCRIPT_NAME).unwrap_or_else(|| "?".to_string())
}

/// The Windows US-English text of a name record (what every reader falls back to).
fn english_name(face: &ttf_parser::Face<'_>, id: u16) -> Option<String> {
    face.names()
        .into_iter()
        .filter(|n| n.name_id == id && n.is_unicode())
        .filter(|n| n.platform_id != ttf_parser::PlatformId::Windows || n.language_id == 0x409)
        .find_map(|n| n.to_string())
}

/// Names under a new family: every record that still says "Source" goes, the copyright
/// keeps its owner and year without the Reserved Font Name clause.
fn name_table_renamed(
    face: &ttf_parser::Face<'_>,
    family: &str,
    mapping: &[(char, u16)],
) -> Result<Vec<u8>, SubsetError> {
    let family_error = |reason: &'static str| SubsetError::Family {
        family: family.to_string(),
        reason,
    };
    let family = family.trim();
    if family.is_empty() {
        return Err(family_error("it is empty"));
    }
    if mentions_reserved_name(family) {
        return Err(family_error(
            "it contains the Reserved Font Name \"Source\"",
        ));
    }
    let postscript_family: String = family
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if postscript_family.is_empty() {
        return Err(family_error(
            "it has no ASCII letter or digit for the PostScript name",
        ));
    }

    use ttf_parser::name_id;
    let subfamily = english_name(face, name_id::SUBFAMILY).unwrap_or_else(|| "Regular".to_string());
    let old_family = english_name(face, name_id::FAMILY).unwrap_or_default();
    let old_full = english_name(face, name_id::FULL_NAME).unwrap_or_default();
    let old_postscript = english_name(face, name_id::POST_SCRIPT_NAME).unwrap_or_default();
    // "SourceSans3-BoldIt" -> "BoldIt": keep the original's style abbreviation.
    let style_suffix = old_postscript
        .rsplit_once('-')
        .map(|(_, style)| style.to_string())
        .unwrap_or_else(|| subfamily.replace(' ', ""));
    let mut postscript = format!("{postscript_family}-{style_suffix}");
    postscript.truncate(63);
    let full = if old_full == old_family {
        family.to_string()
    } else {
        format!("{family} {subfamily}")
    };
    let version = english_name(face, name_id::VERSION).unwrap_or_default();
    let version_number = version
        .trim_start_matches("Version ")
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    // Distinct subsets get distinct unique ids, so no font cache mistakes one for another.
    let mut digest = Sha256::new();
    for &(c, glyph) in mapping {
        digest.update(u32::from(c).to_be_bytes());
        digest.update(glyph.to_be_bytes());
    }
    let chars_digest = crate::hex(&digest.finalize()[..4]);
    let unique = format!("{version_number};{postscript};subset-{chars_digest}");
    let copyright = english_name(face, name_id::COPYRIGHT_NOTICE).map(|c| {
        c.split(", with Reserved Font Name")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    });

    let mut texts: Vec<(u16, String)> = vec![
        (name_id::FAMILY, family.to_string()),
        (name_id::SUBFAMILY, subfamily),
        (name_id::UNIQUE_ID, unique),
        (name_id::FULL_NAME, full),
        (name_id::POST_SCRIPT_NAME, postscript),
    ];
    if !version.is_empty() {
        texts.push((name_id::VERSION, version));
    }
    if let Some(copyright) = copyright.filter(|c| !c.is_empty()) {
        texts.push((name_id::COPYRIGHT_NOTICE, copyright));
    }
    for id in [
        name_id::MANUFACTURER,
        name_id::DESIGNER,
        name_id::VENDOR_URL,
        name_id::DESIGNER_URL,
        name_id::LICENSE,
        name_id::LICENSE_URL,
    ] {
        if let Some(text) = english_name(face, id) {
            texts.push((id, text));
        }
    }
    let records = texts
        .into_iter()
        .filter(|(_, text)| !mentions_reserved_name(text))
        .map(|(id, text)| {
            let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
            ((3, 1, 0x409, id), utf16)
        })
        .collect();
    name_table(records).map_err(|reason| SubsetError::Output {
        font: face_label(face),
        reason,
    })
}

fn mentions_reserved_name(text: &str) -> bool {
    text.to_lowercase().contains("source")
}

/// A format 0 `name` table.
fn name_table(mut records: Vec<NameRecord>) -> Result<Vec<u8>, String> {
    records.sort();
    records.dedup_by(|a, b| a.0 == b.0);
    let count = u16::try_from(records.len()).map_err(|_| "too many name records".to_string())?;
    let storage_offset = 6 + 12 * records.len();
    let mut out = Vec::new();
    put_u16(&mut out, 0);
    put_u16(&mut out, count);
    put_u16(&mut out, storage_offset as u16);
    let mut storage: Vec<u8> = Vec::new();
    for ((platform, encoding, language, id), bytes) in &records {
        put_u16(&mut out, *platform);
        put_u16(&mut out, *encoding);
        put_u16(&mut out, *language);
        put_u16(&mut out, *id);
        let length = u16::try_from(bytes.len()).map_err(|_| "name too long".to_string())?;
        let offset = u16::try_from(storage.len()).map_err(|_| "names too long".to_string())?;
        put_u16(&mut out, length);
        put_u16(&mut out, offset);
        storage.extend_from_slice(bytes);
    }
    out.extend_from_slice(&storage);
    Ok(out)
}

/// Writes an sfnt: tables sorted by tag, 4-byte aligned, with checksums and the `head`
/// table's `checkSumAdjustment`.
fn assemble(mut tables: Vec<([u8; 4], Vec<u8>)>) -> Result<Vec<u8>, String> {
    tables.sort_by_key(|(tag, _)| *tag);
    let head = tables
        .iter_mut()
        .find(|(tag, _)| tag == b"head")
        .ok_or_else(|| "no head table".to_string())?;
    // checkSumAdjustment is computed over the font with this field zeroed.
    head.1
        .get_mut(8..12)
        .ok_or_else(|| "head table too short".to_string())?
        .fill(0);

    let count = tables.len();
    let search_pow = 1usize << count.ilog2();
    let mut out = Vec::new();
    put_u32(&mut out, 0x0001_0000);
    put_u16(&mut out, count as u16);
    put_u16(&mut out, (16 * search_pow) as u16);
    put_u16(&mut out, search_pow.ilog2() as u16);
    put_u16(&mut out, (16 * count - 16 * search_pow) as u16);
    let mut offset = 12 + 16 * count;
    let mut head_offset = None;
    for (tag, data) in &tables {
        if tag == b"head" {
            head_offset = Some(offset);
        }
        out.extend_from_slice(tag);
        put_u32(&mut out, checksum(data));
        put_u32(&mut out, offset as u32);
        put_u32(&mut out, data.len() as u32);
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    let field = head_offset
        .and_then(|o| out.get_mut(o + 8..o + 12))
        .ok_or_else(|| "head table misplaced".to_string())?;
    field.copy_from_slice(&adjustment.to_be_bytes());
    Ok(out)
}

/// The sfnt checksum: the sum of big-endian u32 words, the last one zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What ttf-parser finds for `c` in each subtable of a cmap: (platform, encoding, glyph).
    fn lookups(cmap: &[u8], c: char) -> Vec<(u16, u16, Option<u16>)> {
        let table = ttf_parser::cmap::Table::parse(cmap).expect("cmap parses");
        table
            .subtables
            .into_iter()
            .map(|s| {
                (
                    platform_number(s.platform_id),
                    s.encoding_id,
                    s.glyph_index(u32::from(c)).map(|g| g.0),
                )
            })
            .collect()
    }

    #[test]
    fn header_bounding_boxes_are_the_outlines_boxes() {
        let fonts = crate::fonts::FontSet::embedded().expect("fonts");
        for face in fonts.faces() {
            let mut boxes = 0;
            for glyph in 0..face.face.number_of_glyphs() {
                let decoded = face
                    .face
                    .glyph_bounding_box(ttf_parser::GlyphId(glyph))
                    .map(|r| [r.x_min, r.y_min, r.x_max, r.y_max]);
                assert_eq!(
                    header_bounding_box(&face.face, glyph),
                    decoded,
                    "glyph {glyph}"
                );
                boxes += usize::from(decoded.is_some());
            }
            assert!(boxes > 1000, "{} boxes compared", boxes);
        }
    }

    #[test]
    fn bmp_characters_are_mapped_for_windows_and_unicode_platforms() {
        let mapping = [('A', 1), ('B', 2), ('C', 3), ('a', 7), ('д', 4)];
        let cmap = cmap_table(&mapping).expect("cmap");
        assert_eq!(lookups(&cmap, 'B'), [(0, 3, Some(2)), (3, 1, Some(2))]);
        assert_eq!(lookups(&cmap, 'д'), [(0, 3, Some(4)), (3, 1, Some(4))]);
        assert_eq!(lookups(&cmap, 'b'), [(0, 3, None), (3, 1, None)]);
    }

    #[test]
    fn characters_beyond_the_bmp_get_a_format_12_subtable() {
        let mapping = [('A', 1), ('😀', 2)];
        let cmap = cmap_table(&mapping).expect("cmap");
        let found = lookups(&cmap, '😀');
        assert!(found.contains(&(3, 10, Some(2))), "{found:?}");
        assert!(found.contains(&(0, 4, Some(2))), "{found:?}");
        assert!(lookups(&cmap, 'A').contains(&(3, 1, Some(1))));
    }

    #[test]
    fn consecutive_characters_with_consecutive_glyphs_share_a_segment() {
        let mapping = [(65, 10), (66, 11), (67, 12), (69, 13), (70, 20)];
        assert_eq!(
            runs(mapping.into_iter()),
            [(65, 67, 10), (69, 69, 13), (70, 70, 20)]
        );
    }
}
