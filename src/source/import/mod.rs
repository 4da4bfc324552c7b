//! `polypress import`: a translation as plain text (or pasted out of Word) to a source file.
//!
//! The text is decoded (`decode`), its structure recognised from layout alone (`layout`,
//! `names`), what the text does not say proposed (`propose`), and the result written as a
//! source (`write`) and read back with the source reader, so what import writes is what
//! `polypress check` accepts. See docs/import.md.

mod decode;
mod layout;
mod names;
mod propose;
mod rewrap;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::SourceErrors;
use crate::model::{self, Block, Labels, Meta, Summary};

pub use decode::{decode_lines, Line};
pub use names::id_from_name;
pub use write::{write_source, EditorComments};

/// What the caller decides rather than the text.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The language tag of the text (`--lang`).
    pub lang: String,
    /// The summary id (`--id`); else the id of `ids_from`; else derived from the file name.
    pub id: Option<String>,
    /// An existing language of the same summary (`--ids-from`): its summary id and its person
    /// ids are reused, matched by LinkedIn address, then X/Twitter handle, then position.
    pub ids_from: Option<Summary>,
    /// The `<revised>` date, `YYYY-MM-DD` (see `revised_date`).
    pub revised: String,
}

/// Something the importer was unsure of, or a line it could not classify, by line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    pub message: String,
}

/// What was recognised, for the summary line at the end of an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub people: usize,
    pub talks: usize,
    pub questions: usize,
    pub answers: usize,
    pub list_items: usize,
    /// Web addresses: LinkedIn profiles, the recording and those in running text.
    pub links: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} people, {} talks, {} questions, {} answers, {} list items, {} links",
            self.people, self.talks, self.questions, self.answers, self.list_items, self.links
        )
    }
}

/// The result of an import: the source text, the summary it reads as, and the notes.
#[derive(Debug, Clone)]
pub struct Imported {
    pub xml: String,
    pub summary: Summary,
    pub notes: Vec<Note>,
    pub counts: Counts,
    /// What the source reader says about `xml`, if anything (a bug in import), with the
    /// positions named after `file`. Before writing, `polypress import` runs `check_written`
    /// instead: the reader and font coverage, under the name the source will have. The
    /// title, event or organiser import leaves empty for the editor (each with a comment and
    /// a note) are not counted here, though `check` refuses them until they are written.
    pub check_errors: Option<SourceErrors>,
    /// The elements import left empty for the editor (title, event, organiser).
    pub left_empty: Vec<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {message}", file.display())]
    Encoding { file: PathBuf, message: String },
    #[error("{}: {message}", file.display())]
    Structure { file: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("{}: the file is larger than {MAX_INPUT_BYTES} bytes (8 MiB), the most a source may hold; split the text", file.display())]
    TooLarge { file: PathBuf },
    #[error("cannot write the source: {0}")]
    Write(#[from] std::io::Error),
}

/// The `<revised>` date: `--revised` if given, else the day of `SOURCE_DATE_EPOCH`. An import
/// never reads the clock, so with neither it is an error that says what to pass.
pub fn revised_date(
    flag: Option<&str>,
    source_date_epoch: Option<i64>,
) -> Result<String, ImportError> {
    if let Some(date) = flag {
        return match crate::date::parse_ymd(date) {
            Some(_) => Ok(date.trim().to_string()),
            None => Err(ImportError::Usage(format!(
                "--revised \"{date}\" is not a date written YYYY-MM-DD"
            ))),
        };
    }
    match source_date_epoch {
        Some(epoch) => {
            let (y, m, d, ..) = crate::date::Timestamp(epoch).civil();
            Ok(format!("{y:04}-{m:02}-{d:02}"))
        }
        None => Err(ImportError::Usage(
            "give the date of the text's last revision with --revised YYYY-MM-DD (or set SOURCE_DATE_EPOCH)"
                .to_string(),
        )),
    }
}

/// Imports one plain-text file's bytes. `file` names it in messages and in the output's
/// header comment (by file name only, so the output does not depend on where it was).
pub fn import_text(
    bytes: &[u8],
    file: &Path,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    if !crate::source::read::is_language_tag(&options.lang) {
        return Err(ImportError::Usage(format!(
            "--lang \"{}\" is not a language tag (BCP 47) such as et, bg or pt-BR",
            crate::source::read::excerpt(&options.lang)
        )));
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            file: file.to_path_buf(),
        });
    }
    let lines = decode_lines(bytes).map_err(|message| ImportError::Encoding {
        file: file.to_path_buf(),
        message,
    })?;
    let (lines, mut notes) = drop_what_no_output_may_hold(lines);
    let (lines, artefact_notes) = remove_word_artefacts(lines);
    notes.extend(artefact_notes);
    let (lines, layout_notes) = rewrap::unwrap_layout(lines);
    notes.extend(layout_notes);
    let recognised = layout::recognise(&lines).map_err(|message| ImportError::Structure {
        file: file.to_path_buf(),
        message,
    })?;
    notes.extend(recognised.notes);

    let mut people = recognised.people;
    assign_ids(&mut people, options.ids_from.as_ref(), &mut notes);

    let first_sentence = recognised.first_sentence.unwrap_or_default();
    let affiliations: Vec<String> = people
        .iter()
        .filter_map(|p| p.affiliation.as_deref().map(model::plain_text))
        .collect();
    let proposed = propose::Proposed::from_text(&first_sentence, &affiliations);
    let sentence_line = lines
        .iter()
        .find(|l| !first_sentence.is_empty() && l.text.starts_with(&first_sentence))
        .map_or(1, |l| l.number);
    for field in proposed.left_empty() {
        notes.push(Note {
            line: sentence_line,
            message: format!(
                "<{field}> left empty: the text does not say it clearly enough to propose one; write it"
            ),
        });
    }
    let id = summary_id(options, file);
    let summary = Summary {
        id,
        lang: options.lang.clone(),
        meta: Meta {
            title: proposed.title.clone().unwrap_or_default(),
            short_title: None,
            event: proposed.event.clone().unwrap_or_default(),
            organiser: proposed.organiser.clone().unwrap_or_default(),
            date: None,
            revised: options.revised.clone(),
            attendance: recognised.attendance,
            recording: recognised.recording,
            accessibility_summary: None,
            labels: Labels {
                linkedin: recognised.linkedin_label.unwrap_or_default(),
                twitter: recognised.twitter_label.unwrap_or_default(),
                contents: None,
            },
        },
        people,
        sections: recognised.sections,
        questions: recognised.questions,
    };

    notes.sort_by_key(|n| n.line);
    let comments = editor_comments(file, &notes, &proposed);
    let xml = write_source(&summary, &comments)?;
    let counts = count(&summary);
    // Read back what was written: the check that the import did its job. The fields left
    // empty for the editor on purpose are no failure of the import (their comments say so).
    let check_errors = crate::source::parse_summary(xml.as_bytes(), file)
        .err()
        .and_then(|errors| without_fields_left_empty(errors, &proposed.left_empty()));
    Ok(Imported {
        xml,
        summary,
        notes,
        counts,
        check_errors,
        left_empty: proposed.left_empty(),
    })
}

/// The largest text import reads: what it writes is at least as long, and a source may
/// hold no more than this.
pub const MAX_INPUT_BYTES: usize = crate::source::xml::MAX_SOURCE_BYTES;

/// Reads the text to import: a regular file (a FIFO would block, /dev/zero never end), at
/// most one byte past `MAX_INPUT_BYTES`, so `import_text` can refuse the oversize.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::source::read_regular_file(path, MAX_INPUT_BYTES as u64 + 1)
}

/// Removes what no output may hold and the fonts cannot draw, noting each change, so that
/// what import writes passes `check`: control characters and noncharacters (XML refuses
/// them; text pasted from other programs carries them), invisible formatting characters the
/// fonts have no glyph for (directional marks, joiners), and spaces the fonts lack (an em
/// space becomes a plain space).
fn drop_what_no_output_may_hold(lines: Vec<Line>) -> (Vec<Line>, Vec<Note>) {
    use crate::check::coverage::is_format_character;
    let fonts = crate::fonts::FontSet::embedded().ok();
    let drawn = |c: char| {
        fonts
            .as_ref()
            .is_some_and(|f| f.face(crate::fonts::Style::Regular).has_char(c))
    };
    let mut notes = Vec::new();
    let lines = lines
        .into_iter()
        .map(|mut line| {
            let mut removed: Vec<char> = Vec::new();
            let mut replaced: Vec<char> = Vec::new();
            let clean = |c: char| c == '\t' || (crate::source::xml::is_allowed_char(c) && !((is_format_character(c) || c.is_whitespace()) && c != ' ' && !drawn(c)));
            if line.text.chars().all(clean) {
                return line;
            }
            let mut text = String::with_capacity(line.text.len());
            for c in line.text.chars() {
                if clean(c) {
                    text.push(c);
                } else if c.is_whitespace() && crate::source::xml::is_allowed_char(c) {
                    text.push(' ');
                    if !replaced.contains(&c) {
                        replaced.push(c);
                    }
                } else if !removed.contains(&c) {
                    removed.push(c);
                }
            }
            let codes = |chars: &[char]| {
                chars
                    .iter()
                    .map(|c| format!("U+{:04X}", u32::from(*c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !removed.is_empty() {
                notes.push(Note {
                    line: line.number,
                    message: format!(
                        "removed {}, which no output may hold (control, noncharacter or invisible formatting characters)",
                        codes(&removed)
                    ),
                });
            }
            if !replaced.is_empty() {
                notes.push(Note {
                    line: line.number,
                    message: format!(
                        "replaced {} with plain spaces: the fonts have no such space",
                        codes(&replaced)
                    ),
                });
            }
            line.text = text.trim().to_string();
            line
        })
        .collect();
    (lines, notes)
}

/// What `polypress check` says about a source import is about to write, naming the file it
/// will be written to: the reader's findings, then font coverage. `None` when it passes. The
/// fields import left empty on purpose (each with a comment for the editor) are not counted:
/// `check` names them until the editor writes them, and the written file is otherwise sound.
pub fn check_written(imported: &Imported, written: &Path) -> Option<SourceErrors> {
    let xml = &imported.xml;
    let parsed = crate::source::parse_summary(xml.as_bytes(), written);
    let summary = match &parsed {
        Ok(summary) => summary,
        Err(errors) => {
            if let Some(left) = without_fields_left_empty(errors.clone(), &imported.left_empty) {
                return Some(left);
            }
            // Only the fields left empty stop the reader: the summary import built holds
            // the same text, so its coverage is the written file's.
            &imported.summary
        }
    };
    let fonts = crate::fonts::FontSet::embedded().ok()?;
    let missing = crate::check::coverage::missing_glyphs(summary, &fonts);
    if missing.is_empty() {
        return None;
    }
    Some(SourceErrors(crate::check::coverage::diagnostics(
        &missing,
        xml.as_bytes(),
        written,
        &fonts,
    )))
}

/// Word's plain-text export leaves bookmark markers such as `[bookmark: _GoBack]` at the start
/// of lines; they are no words of the text.
fn remove_word_artefacts(lines: Vec<Line>) -> (Vec<Line>, Vec<Note>) {
    let mut notes = Vec::new();
    let lines = lines
        .into_iter()
        .map(|mut line| {
            while let Some(rest) = line.text.strip_prefix("[bookmark:") {
                let Some(close) = rest.find(']') else { break };
                let marker = format!("[bookmark:{}]", rest.get(..close).unwrap_or_default());
                line.text = rest.get(close + 1..).unwrap_or_default().trim().to_string();
                notes.push(Note {
                    line: line.number,
                    message: format!("removed the Word bookmark marker \"{marker}\""),
                });
            }
            line
        })
        .collect();
    (lines, notes)
}

fn summary_id(options: &ImportOptions, file: &Path) -> String {
    if let Some(id) = &options.id {
        return id.clone();
    }
    if let Some(existing) = &options.ids_from {
        return existing.id.clone();
    }
    // The file's name, as an identifier: letters, digits, '-', '_' and '.'.
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let id = id.trim_start_matches(['-', '_', '.']).to_string();
    if id.is_empty() {
        "summary".to_string()
    } else {
        id
    }
}

/// Person ids: those of `--ids-from` where a person matches (LinkedIn address, then handle,
/// then position among the rest), otherwise the surname folded to ASCII. Duplicates get a
/// number.
fn assign_ids(people: &mut [model::Person], existing: Option<&Summary>, notes: &mut Vec<Note>) {
    let mut taken: Vec<bool> = existing.map_or(Vec::new(), |e| vec![false; e.people.len()]);
    let mut ids: Vec<Option<String>> = vec![None; people.len()];
    if let Some(existing) = existing {
        let passes: [fn(&model::Person, &model::Person) -> bool; 2] = [same_linkedin, same_handle];
        for same in passes {
            for (i, person) in people.iter().enumerate() {
                if ids.get(i).is_some_and(Option::is_some) {
                    continue;
                }
                let candidates: Vec<usize> = existing
                    .people
                    .iter()
                    .enumerate()
                    .filter(|(k, e)| !taken.get(*k).copied().unwrap_or(true) && same(person, e))
                    .map(|(k, _)| k)
                    .collect();
                if let [only] = candidates.as_slice() {
                    if let Some(slot) = ids.get_mut(i) {
                        *slot = existing.people.get(*only).map(|e| e.id.clone());
                    }
                    if let Some(t) = taken.get_mut(*only) {
                        *t = true;
                    }
                }
            }
        }
        for i in 0..people.len() {
            if ids.get(i).is_some_and(Option::is_some) {
                continue;
            }
            if !taken.get(i).copied().unwrap_or(true) {
                if let Some(slot) = ids.get_mut(i) {
                    *slot = existing.people.get(i).map(|e| e.id.clone());
                }
                if let Some(t) = taken.get_mut(i) {
                    *t = true;
                }
                if let (Some(p), Some(e)) = (people.get(i), existing.people.get(i)) {
                    notes.push(Note {
                        line: p.pos.line,
                        message: format!(
                            "unsure: {} takes the id \"{}\" of {} by position",
                            p.name, e.id, e.name
                        ),
                    });
                }
            }
        }
    }
    let mut used: Vec<String> = Vec::new();
    for (person, id) in people.iter_mut().zip(ids) {
        let base = id.unwrap_or_else(|| {
            let folded = id_from_name(&person.name);
            if folded.is_empty() {
                "person".to_string()
            } else {
                folded
            }
        });
        let mut id = base.clone();
        let mut n = 2;
        while used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        used.push(id.clone());
        person.id = id;
    }
}

fn same_linkedin(a: &model::Person, b: &model::Person) -> bool {
    let norm = |u: &str| u.trim_end_matches('/').to_lowercase();
    matches!((&a.linkedin, &b.linkedin), (Some(x), Some(y)) if norm(x) == norm(y))
}

fn same_handle(a: &model::Person, b: &model::Person) -> bool {
    matches!((&a.twitter, &b.twitter), (Some(x), Some(y)) if x.eq_ignore_ascii_case(y))
}

/// The reader's errors except "<title> is empty" (and event, organiser) for the fields
/// import left empty for the editor; `None` when nothing else is left.
fn without_fields_left_empty(errors: SourceErrors, empty: &[&str]) -> Option<SourceErrors> {
    let left: Vec<_> = errors
        .0
        .into_iter()
        .filter(|d| !empty.iter().any(|f| d.message == format!("<{f}> is empty")))
        .collect();
    (!left.is_empty()).then_some(SourceErrors(left))
}

fn editor_comments(file: &Path, notes: &[Note], proposed: &propose::Proposed) -> EditorComments {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut at_lines: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for note in notes {
        at_lines
            .entry(note.line)
            .or_default()
            .push(format!("import, line {}: {}", note.line, note.message));
    }
    EditorComments {
        header: vec![format!(
            "Imported from {name} by `polypress import`. Check the comments below, then run `polypress check`."
        )],
        before_title: Some(proposed.comments().0),
        before_event: Some(proposed.comments().1),
        at_lines,
    }
}

/// Counts what a reader of the summary will find.
pub fn count(doc: &Summary) -> Counts {
    let mut c = Counts {
        people: doc.people.len(),
        ..Counts::default()
    };
    c.links += doc.people.iter().filter(|p| p.linkedin.is_some()).count();
    if let Some(a) = &doc.meta.attendance {
        c.links += links_in(&a.text);
    }
    if doc.meta.recording.is_some() {
        c.links += 1;
    }
    for section in &doc.sections {
        count_blocks(&section.blocks, &mut c);
    }
    if let Some(q) = &doc.questions {
        c.questions = q.items.len();
        for question in &q.items {
            c.links += links_in(&question.text);
            c.answers += question.answers.len();
            for answer in &question.answers {
                c.links += answer
                    .paragraphs
                    .iter()
                    .map(|p| links_in(&p.content))
                    .sum::<usize>();
            }
        }
    }
    c
}

fn count_blocks(blocks: &[Block], c: &mut Counts) {
    for block in blocks {
        match block {
            Block::Paragraph(p) => c.links += links_in(&p.content),
            Block::Subheading(_) | Block::People(_) => {}
            Block::List(l) => {
                c.list_items += l.items.len();
                c.links += l.items.iter().map(|i| links_in(&i.content)).sum::<usize>();
            }
            Block::Talk(t) => {
                c.talks += 1;
                count_blocks(&t.blocks, c);
            }
        }
    }
}

/// Links in running text: explicit ones and bare addresses (which the reader links).
fn links_in(content: &[model::Inline]) -> usize {
    content
        .iter()
        .map(|inline| match inline {
            model::Inline::Link { .. } => 1,
            model::Inline::Text { text } => {
                let mut n = 0;
                let mut rest = text.as_str();
                while let Some((_, end)) = crate::source::read::find_url(rest) {
                    n += 1;
                    rest = rest.get(end..).unwrap_or_default();
                }
                n
            }
            model::Inline::Emphasis { content }
            | model::Inline::Strong { content }
            | model::Inline::Lang { content, .. } => links_in(content),
        })
        .sum()
}
