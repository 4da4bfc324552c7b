//! A synthetic corpus for benchmarks: COUNT variants of every source, each a valid source
//! with a new id and varied running text, so that an archive-sized run can be measured
//! from the handful of real sources.
//!
//! Variant `v` of every language gets the same id (`<id>-s<v>`) and the same digit mapping,
//! so the languages of one synthetic summary stay consistent with each other. Sentences in
//! running text are rotated, so line breaks and shaping differ from variant to variant.
//! Everything is derived from the seed: the same seed gives the same bytes.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, BytesText, Event};

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error(transparent)]
    Sources(#[from] crate::pipeline::BuildError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot vary the source: {message}")]
    Xml { path: PathBuf, message: String },
    #[error("{path} has no <summary id=\"...\" lang=\"...\"> root")]
    NoRoot { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `count` variants of every source in `from` into `out` as `<id>-s<v>.<lang>.xml`,
/// returning how many files it wrote.
pub fn generate(from: &Path, count: usize, out: &Path, seed: u64) -> Result<usize, CorpusError> {
    let sources = crate::pipeline::discover_sources(&[from.to_path_buf()])?;
    std::fs::create_dir_all(out).map_err(|source| CorpusError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let mut written = 0;
    for path in &sources {
        let bytes = std::fs::read(path).map_err(|source| CorpusError::Read {
            path: path.clone(),
            source,
        })?;
        for variant in 1..=count {
            let (name, varied) = vary(&bytes, path, variant, seed)?;
            let target = out.join(name);
            std::fs::write(&target, varied).map_err(|source| CorpusError::Write {
                path: target.clone(),
                source,
            })?;
            written += 1;
        }
    }
    Ok(written)
}

/// Elements whose own text is running text that may be varied.
const RUNNING_TEXT: &[&str] = &["p", "item", "answer", "text", "em", "strong"];
/// Elements under which running text is varied (not metadata, names or labels).
const BODY: &[&str] = &["section", "questions"];

/// One variant of one source: its file name and bytes.
pub fn vary(
    bytes: &[u8],
    path: &Path,
    variant: usize,
    seed: u64,
) -> Result<(String, Vec<u8>), CorpusError> {
    let xml_error = |message: String| CorpusError::Xml {
        path: path.to_path_buf(),
        message,
    };
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| xml_error(e.to_string()))?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(bytes.len() + 64));
    let digits = DigitMap::new(seed, variant as u64);
    let mut rng = SplitMix(seed ^ (variant as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut open: Vec<String> = Vec::new();
    let mut name = None;
    loop {
        let event = reader.read_event().map_err(|e| xml_error(e.to_string()))?;
        let event = match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if open.is_empty() && name.is_none() => {
                let (renamed, file_name) =
                    rename_root(&e, variant).ok_or_else(|| CorpusError::NoRoot {
                        path: path.to_path_buf(),
                    })?;
                name = Some(file_name);
                open.push("summary".into());
                Event::Start(renamed)
            }
            Event::Start(e) => {
                open.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                Event::Start(e)
            }
            Event::End(e) => {
                open.pop();
                Event::End(e)
            }
            Event::Text(t) if is_running_text(&open) => {
                let original = t.unescape().map_err(|e| xml_error(e.to_string()))?;
                let rotated = rotate_sentences(&original, rng.next());
                let varied = digits.apply(&rotated);
                Event::Text(BytesText::new(&varied).into_owned())
            }
            other => other,
        };
        writer
            .write_event(event)
            .map_err(|e| xml_error(e.to_string()))?;
    }
    let name = name.ok_or_else(|| CorpusError::NoRoot {
        path: path.to_path_buf(),
    })?;
    Ok((name, writer.into_inner()))
}

fn is_running_text(open: &[String]) -> bool {
    open.last()
        .is_some_and(|parent| RUNNING_TEXT.contains(&parent.as_str()))
        && open.iter().any(|e| BODY.contains(&e.as_str()))
}

/// The root with its id replaced by the variant's, and the variant's file name. A root
/// written as an empty element (`<summary/>`) has nothing to vary and is refused.
fn rename_root(root: &BytesStart, variant: usize) -> Option<(BytesStart<'static>, String)> {
    if root.name().as_ref() != b"summary" {
        return None;
    }
    let mut id = None;
    let mut lang = None;
    for attr in root.attributes().flatten() {
        let value = attr.unescape_value().ok()?.trim().to_string();
        match attr.key.as_ref() {
            b"id" => id = Some(value),
            b"lang" => lang = Some(value),
            _ => {}
        }
    }
    let new_id = format!("{}-s{variant:04}", id?);
    let lang = lang?;
    let mut renamed = BytesStart::new("summary");
    for attr in root.attributes().flatten() {
        if attr.key.as_ref() == b"id" {
            renamed.push_attribute(("id", new_id.as_str()));
        } else {
            renamed.push_attribute(attr);
        }
    }
    Some((renamed.into_owned(), format!("{new_id}.{lang}.xml")))
}

/// Rotates the sentences of a text by `turn` places, keeping its surrounding whitespace.
/// Only text that ends a sentence is rotated, so every sentence keeps its full stop.
fn rotate_sentences(text: &str, turn: u64) -> Cow<'_, str> {
    let trimmed = text.trim();
    let pieces = split_sentences(trimmed);
    if !trimmed.ends_with(['.', '!', '?']) || pieces.len() < 2 {
        return Cow::Borrowed(text);
    }
    let turn = (turn % pieces.len() as u64) as usize;
    if turn == 0 {
        return Cow::Borrowed(text);
    }
    let leading = &text[..text.len() - text.trim_start().len()];
    let trailing = &text[text.trim_end().len()..];
    let mut rotated = pieces[turn..].to_vec();
    rotated.extend_from_slice(&pieces[..turn]);
    Cow::Owned(format!("{leading}{}{trailing}", rotated.join(" ")))
}

/// Splits at a space that follows '.', '!' or '?': a full stop inside a number or an
/// address ("1.5", "example.eu") is not followed by a space, so it does not split.
fn split_sentences(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut after_stop = false;
    for (i, c) in text.char_indices() {
        if c == ' ' && after_stop {
            pieces.push(&text[start..i]);
            start = i + 1;
        }
        after_stop = matches!(c, '.' | '!' | '?');
    }
    pieces.push(&text[start..]);
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}

/// Replaces every digit 1-9 by another (0 stays 0, so no number gains a leading zero);
/// the same mapping for every language of a variant.
struct DigitMap {
    shift: u32,
}

impl DigitMap {
    fn new(seed: u64, variant: u64) -> DigitMap {
        let mut rng = SplitMix(seed.wrapping_add(variant.wrapping_mul(0xD1B5_4A32_D192_ED03)));
        DigitMap {
            shift: 1 + (rng.next() % 8) as u32,
        }
    }

    fn apply(&self, text: &str) -> String {
        text.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if d > 0 && c.is_ascii_digit() => {
                    char::from_digit((d - 1 + self.shift) % 9 + 1, 10).unwrap_or(c)
                }
                _ => c,
            })
            .collect()
    }
}

/// A small seeded generator (SplitMix64): enough to vary text, and the same everywhere.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_every_sentence_and_its_full_stop() {
        let text = " First one. Second, at example.eu today. Third 1.5 times! ";
        let rotated = rotate_sentences(text, 1);
        assert_eq!(
            rotated,
            " Second, at example.eu today. Third 1.5 times! First one. "
        );
        assert_eq!(
            rotate_sentences("No full stop at the end", 1),
            "No full stop at the end"
        );
    }

    #[test]
    fn digits_change_but_zeros_and_grouping_stay() {
        let map = DigitMap { shift: 2 };
        assert_eq!(map.apply("20 000 and 1,905"), "40 000 and 3,207");
    }

    #[test]
    fn a_variant_is_a_valid_source_with_a_new_id_and_changed_text() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/example.xml"
        ));
        let bytes = std::fs::read(path).unwrap();
        let original = crate::source::parse_summary(&bytes, path).unwrap();
        let (name, varied) = vary(&bytes, path, 7, 1).unwrap();
        assert_eq!(name, "city-webinar-3-s0007.en.xml");
        let summary = crate::source::parse_summary(&varied, path).unwrap();
        assert_eq!(summary.id, "city-webinar-3-s0007");
        assert_eq!(summary.meta, original.meta);
        assert_ne!(summary.sections, original.sections);
        assert_eq!(vary(&bytes, path, 7, 1).unwrap().1, varied, "deterministic");
        assert_ne!(vary(&bytes, path, 8, 1).unwrap().1, varied);
    }
}
