//! Shaping: text to glyphs with harfrust (HarfBuzz in Rust), in the document's language.
//!
//! Every glyph keeps the text of the cluster it draws (on the first glyph of the cluster), so
//! the PDF's ToUnicode map can give back exactly what was written, ligatures and Bulgarian
//! alternates included.

use std::cell::RefCell;
use std::str::FromStr;

use rustc_hash::FxHashMap;
use smol_str::SmolStr;

use crate::fonts::{FontSet, Style};

/// One positioned glyph; lengths in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub id: u16,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    /// The text this glyph stands for: the whole cluster on its first glyph, empty on the
    /// others. Inline (no allocation) up to 23 bytes, so copying shaped words stays cheap.
    pub text: SmolStr,
}

/// A character that the face drawing it has no glyph for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingGlyph {
    pub character: char,
    pub style: Style,
    /// Byte offset in the shaped text.
    pub offset: usize,
}

type ShapedWords = FxHashMap<Box<str>, Vec<Glyph>>;

/// Words longer than this are shaped each time, not remembered: real words repeat and are
/// short, while a window of an overlong word (a few kilobytes) is seen once and would keep
/// 40 bytes per glyph for the document's life.
const MAX_CACHED_WORD_BYTES: usize = 64;
/// Shaped words remembered per face and size, at most; past it the memory starts afresh,
/// so text of ever new words (generated, or a list of codes) cannot grow it without end.
const MAX_CACHED_WORDS: usize = 50_000;

/// Shapes text with the faces of a `FontSet` in one language.
///
/// A shaping plan costs more than shaping a word, and a document repeats its words, so the
/// plans (per face and script) and the shaped words are kept for the document's life.
pub struct Shaper<'a> {
    fonts: &'a FontSet,
    /// One per face, in `Style::ALL` order.
    shapers: Vec<harfrust::ShaperFont<'a, 'a>>,
    language: Option<harfrust::Language>,
    plans: RefCell<Vec<(Style, Option<harfrust::Script>, harfrust::ShapePlan)>>,
    /// Reused between words, so shaping a word allocates nothing of its own.
    buffer: RefCell<harfrust::Buffer>,
    /// Shaped words per (style, size in bits), looked up by the word without copying it.
    words: RefCell<Vec<((Style, u32), ShapedWords)>>,
}

impl<'a> Shaper<'a> {
    pub fn new(fonts: &'a FontSet, lang: &str) -> Shaper<'a> {
        // harfrust maps a BCP 47 tag to OpenType language systems itself (bg -> BGR).
        Shaper {
            fonts,
            shapers: Style::ALL
                .iter()
                .map(|&style| harfrust::ShaperFont::new(&fonts.face(style).shaping))
                .collect(),
            language: harfrust::Language::from_str(lang).ok(),
            plans: RefCell::new(Vec::new()),
            buffer: RefCell::new(harfrust::Buffer::new()),
            words: RefCell::new(Vec::new()),
        }
    }

    pub fn fonts(&self) -> &'a FontSet {
        self.fonts
    }

    /// Shapes `text` (one style, no line breaks) at `size` points. Refuses characters the face
    /// cannot draw instead of drawing `.notdef`.
    pub fn shape(&self, text: &str, style: Style, size: f32) -> Result<Vec<Glyph>, MissingGlyph> {
        let size_key = (style, size.to_bits());
        let cached = self
            .words
            .borrow()
            .iter()
            .find(|(k, _)| *k == size_key)
            .and_then(|(_, words)| words.get(text).cloned());
        if let Some(glyphs) = cached {
            return Ok(glyphs);
        }
        let mut glyphs = Vec::new();
        for (start, run) in script_runs(text) {
            let shaped = self.shape_run(run, style, size).map_err(|mut m| {
                m.offset += start;
                m
            })?;
            glyphs.extend(shaped);
        }
        if text.len() > MAX_CACHED_WORD_BYTES {
            return Ok(glyphs);
        }
        let mut words = self.words.borrow_mut();
        let index = match words.iter().position(|(k, _)| *k == size_key) {
            Some(index) => index,
            None => {
                words.push((size_key, FxHashMap::default()));
                words.len() - 1
            }
        };
        if words[index].1.len() >= MAX_CACHED_WORDS {
            words[index].1.clear();
        }
        words[index].1.insert(text.into(), glyphs.clone());
        Ok(glyphs)
    }

    /// Shapes text of one script (see [`script_runs`]).
    fn shape_run(&self, text: &str, style: Style, size: f32) -> Result<Vec<Glyph>, MissingGlyph> {
        let face = self.fonts.face(style);
        for (offset, character) in text.char_indices() {
            if !face.has_char(character) {
                return Err(MissingGlyph {
                    character,
                    style,
                    offset,
                });
            }
        }
        let shaper = &self.shapers[style.index()];
        let mut buffer = self.buffer.borrow_mut();
        buffer.clear();
        buffer.push_str(text);
        buffer.set_language(self.language.clone());
        buffer.set_direction(harfrust::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let script = buffer.script();
        let mut plans = self.plans.borrow_mut();
        let index = match plans
            .iter()
            .position(|(s, sc, _)| *s == style && *sc == script)
        {
            Some(i) => i,
            None => {
                let plan = harfrust::ShapePlan::new(
                    &face.shaping,
                    harfrust::Direction::LeftToRight,
                    script,
                    self.language.as_ref(),
                    &[],
                );
                plans.push((style, script, plan));
                plans.len() - 1
            }
        };
        let with_plan = harfrust::ShapeOptions::new().plan(Some(&plans[index].2));
        // The buffer's script and direction are the plan's, so shaping with it cannot fail;
        // were it refused, harfrust would build a plan of its own (the buffer is untouched).
        let shaped = harfrust::shape(shaper, &mut buffer, with_plan)
            .or_else(|_| harfrust::shape(shaper, &mut buffer, harfrust::ShapeOptions::new()))
            .is_ok();
        drop(plans);
        let scale = size / f32::from(face.units_per_em());
        let infos = buffer.glyph_infos();
        let positions = buffer.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
            let cluster_text = if first_of_cluster {
                let end = infos[i..]
                    .iter()
                    .map(|g| g.cluster as usize)
                    .find(|&c| c != start)
                    .unwrap_or(text.len());
                let cluster = text.get(start..end).unwrap_or_default();
                if cluster.contains('\u{a0}') {
                    SmolStr::new(cluster.replace('\u{a0}', " "))
                } else {
                    SmolStr::new(cluster)
                }
            } else {
                SmolStr::default()
            };
            glyphs.push(Glyph {
                id: u16::try_from(info.glyph_id).unwrap_or(0),
                advance: pos.x_advance as f32 * scale,
                x_offset: pos.x_offset as f32 * scale,
                y_offset: pos.y_offset as f32 * scale,
                text: cluster_text,
            });
        }
        if !shaped {
            // Unshaped, the buffer holds characters, not glyphs: never draw those.
            return Err(MissingGlyph {
                character: text.chars().next().unwrap_or('\u{fffd}'),
                style,
                offset: 0,
            });
        }
        Ok(glyphs)
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, style: Style, size: f32) -> Result<f32, MissingGlyph> {
        Ok(self
            .shape(text, style, size)?
            .iter()
            .map(|g| g.advance)
            .sum())
    }
}

/// The scripts the faces draw, as far as choosing OpenType forms goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptClass {
    Latin,
    Greek,
    Cyrillic,
    /// Letters of any other script: shaped on their own, harfrust guesses which.
    Other,
}

/// The script of a letter; `None` for characters every script shares (digits, punctuation,
/// spaces, symbols) and for combining marks, which belong to the run they are in.
///
/// harfrust guesses one script for a whole buffer from its first letter and keeps its
/// per-character script table private, so the runs are found here, for the scripts that
/// Source Sans 3 draws; anything else is shaped as a run of its own.
fn script_class(c: char) -> Option<ScriptClass> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(match c as u32 {
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF => return None,
        0x0041..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xAB30..=0xAB6F => {
            ScriptClass::Latin
        }
        0x0250..=0x02AF | 0xFB00..=0xFB06 => ScriptClass::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => ScriptClass::Greek,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
            ScriptClass::Cyrillic
        }
        _ => ScriptClass::Other,
    })
}

/// `text` cut where its script changes, with each run's byte offset: "EDIC/Метрополен" is
/// "EDIC/" (Latin) and "Метрополен" (Cyrillic), so the Cyrillic part gets the document
/// language's forms (Bulgarian л, п, т, г, д) instead of being shaped as Latin. Shared
/// characters go with the run before them (or, at the start, the one after).
pub fn script_runs(text: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<ScriptClass> = None;
    for (i, c) in text.char_indices() {
        let Some(class) = script_class(c) else {
            continue;
        };
        match current {
            None => current = Some(class),
            Some(now) if now != class => {
                runs.push((start, &text[start..i]));
                start = i;
                current = Some(class);
            }
            Some(_) => {}
        }
    }
    if start < text.len() || runs.is_empty() {
        runs.push((start, &text[start..]));
    }
    runs
}

/// Byte offsets in the shaped text where a new cluster starts: the only places a line may be
/// broken inside a shaped word (never inside a ligature).
pub fn cluster_starts(glyphs: &[Glyph], text_len: usize) -> Vec<usize> {
    let mut offset = 0;
    let mut starts = Vec::new();
    for g in glyphs {
        if !g.text.is_empty() {
            starts.push(offset);
            offset += g.text.len();
        }
    }
    starts.push(text_len);
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulgarian_gets_its_local_letterforms_with_their_text() {
        let fonts = FontSet::embedded().expect("fonts");
        let bg = Shaper::new(&fonts, "bg")
            .shape("где", Style::Regular, 10.0)
            .expect("shapes");
        let ru = Shaper::new(&fonts, "ru")
            .shape("где", Style::Regular, 10.0)
            .expect("shapes");
        assert_ne!(
            bg.iter().map(|g| g.id).collect::<Vec<_>>(),
            ru.iter().map(|g| g.id).collect::<Vec<_>>(),
            "Source Sans 3 has Bulgarian forms of г and д"
        );
        let text: String = bg.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "где");
    }

    #[test]
    fn a_cyrillic_run_after_latin_letters_gets_bulgarian_forms() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "bg");
        let ids = |text: &str| -> Vec<u16> {
            shaper
                .shape(text, Style::Regular, 10.0)
                .expect("shapes")
                .iter()
                .map(|g| g.id)
                .collect()
        };
        let mixed = shaper
            .shape("EDIC/Метрополен", Style::Regular, 10.0)
            .expect("shapes");
        let latin = ids("EDIC/");
        let cyrillic = ids("Метрополен");
        let mixed_ids: Vec<u16> = mixed.iter().map(|g| g.id).collect();
        assert_eq!(mixed_ids, [latin, cyrillic.clone()].concat());
        // And those are the Bulgarian forms, not the Russian ones.
        let russian: Vec<u16> = Shaper::new(&fonts, "ru")
            .shape("Метрополен", Style::Regular, 10.0)
            .expect("shapes")
            .iter()
            .map(|g| g.id)
            .collect();
        assert_ne!(cyrillic, russian);
        let text: String = mixed.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "EDIC/Метрополен");
    }

    #[test]
    fn script_runs_keep_shared_characters_with_the_run_before() {
        assert_eq!(
            script_runs("EDIC/Метрополен"),
            vec![(0, "EDIC/"), (5, "Метрополен")]
        );
        assert_eq!(script_runs("«Торино»"), vec![(0, "«Торино»")]);
        assert_eq!(script_runs("2019"), vec![(0, "2019")]);
        assert_eq!(script_runs(""), vec![(0, "")]);
    }

    #[test]
    fn ligatures_keep_every_letter() {
        let fonts = FontSet::embedded().expect("fonts");
        let glyphs = Shaper::new(&fonts, "en")
            .shape("office", Style::Regular, 10.0)
            .expect("shapes");
        let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "office");
    }

    #[test]
    fn kerning_applies() {
        let fonts = FontSet::embedded().expect("fonts");
        let shaper = Shaper::new(&fonts, "en");
        let pair = shaper.width("AV", Style::Regular, 10.0).expect("shapes");
        let apart = shaper.width("A", Style::Regular, 10.0).expect("shapes")
            + shaper.width("V", Style::Regular, 10.0).expect("shapes");
        assert!(pair < apart);
    }
}
