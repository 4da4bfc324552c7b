//! Recognising the structure of a plain-text summary from its layout.
//!
//! The recogniser knows no word of any language. It reads:
//! - blank lines: two or more blank lines before a short line start a section;
//! - punctuation: a short line ending in `:` introduces a group of people or is a sub-heading,
//!   a line without final punctuation is a heading;
//! - bullets (`·`, `•`, `-`, ...) for list items and speaker entries;
//! - numbers: `<label> N:` or `N. <label>:` lines number the questions;
//! - URLs and `@handles` for profiles, links and the recording;
//! - the names the speaker list introduced, to find talks ("Name, affiliation: title") and
//!   answers ("Name: ..." or "First-name: ...").
//!
//! Every word the translator wrote lands somewhere; a line that fits nothing is kept as a
//! paragraph and reported.

use super::decode::Line;
use super::names::{looks_like_name, match_name, NameMatch};
use super::Note;
use crate::model::*;
use crate::source::read::find_url;

/// What the layout says, before ids and dates are decided.
pub struct Recognised {
    pub people: Vec<Person>,
    pub sections: Vec<Section>,
    pub questions: Option<Questions>,
    /// The first paragraph's first sentence, to propose a title, event and organiser from.
    pub first_sentence: Option<String>,
    pub attendance: Option<Attendance>,
    pub recording: Option<Recording>,
    pub linkedin_label: Option<String>,
    pub twitter_label: Option<String>,
    pub notes: Vec<Note>,
}

/// Characters that start a bullet line when followed by a space (or, for the round ones that
/// Word exports, by anything).
const BULLETS: &[char] = &[
    '·', '•', '◦', '▪', '▫', '‣', '●', '○', '■', '□', '►', '▸', '–', '—', '-', '*', '\u{f0b7}',
    '\u{f0a7}', '\u{2043}', '\u{2219}',
];

/// The text after a bullet, if the line starts with one.
pub fn strip_bullet(text: &str) -> Option<&str> {
    let mut chars = text.chars();
    let first = chars.next()?;
    if !BULLETS.contains(&first) {
        return None;
    }
    let rest = chars.as_str();
    let round = matches!(first, '·' | '•' | '●' | '▪' | '\u{f0b7}' | '\u{2219}');
    if rest.starts_with(char::is_whitespace) || (round && !rest.is_empty()) {
        Some(rest.trim())
    } else {
        None
    }
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Ends a sentence (or a clause that cannot be a heading).
fn ends_with_sentence_punctuation(s: &str) -> bool {
    s.ends_with(['.', '!', ';', ',', '…', '。'])
}

/// A short line without final sentence punctuation (a `:` or `?` is allowed).
fn heading_like(s: &str) -> bool {
    !s.is_empty()
        && word_count(s) <= 12
        && s.chars().count() <= 100
        && !ends_with_sentence_punctuation(s)
        && strip_bullet(s).is_none()
        && find_url(s).is_none()
}

/// A numbered question line: `Question 1: text`, `Spørgsmål 3; text`, `1. kérdés: text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionLine {
    pub number: u32,
    pub label: String,
    /// The label with its number replaced by `#`: the lines of one Q&A share it.
    pub template: String,
    pub text: String,
}

/// A label's spaces as the text should keep them: a single no-break space (U+00A0, U+202F,
/// U+2007) stays, as the translator chose it to keep "1." with its word; a tab or a run of
/// spaces becomes one space.
fn tidy_label_spaces(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if !run.is_empty() {
            let mut chars = run.chars();
            match (chars.next(), chars.next()) {
                (Some(c @ ('\u{a0}' | '\u{202f}' | '\u{2007}')), None) => out.push(c),
                _ => out.push(' '),
            }
            run.clear();
        }
    };
    for c in label.trim().chars() {
        if c.is_whitespace() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// What the labels of one Q&A share, compared without regard to the kind or number of spaces
/// (no-break, narrow, figure, tab; spaces are left out) or to case: "1.\u{a0}küsimus" and
/// "4. Küsimus" are one label.
fn label_template(label_with_hash: &str) -> String {
    label_with_hash
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn label_words_ok(words: &str) -> bool {
    let n = word_count(words);
    (1..=3).contains(&n)
        && words
            .chars()
            .all(|c| c.is_alphabetic() || c.is_whitespace() || c == '-')
}

pub fn question_line(text: &str) -> Option<QuestionLine> {
    let digits_at = |s: &str| -> Option<(u32, usize)> {
        let len = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        if len == 0 || len > 3 {
            return None;
        }
        Some((s.get(..len)?.parse().ok()?, len))
    };
    // "N. label: text"
    if let Some((number, len)) = digits_at(text) {
        let rest = text.get(len..)?;
        let rest = rest.strip_prefix(['.', ')'])?;
        let colon = rest.find([':', ';'])?;
        let words = rest.get(..colon)?.trim();
        if label_words_ok(words) {
            let label =
                tidy_label_spaces(&format!("{}{}", text.get(..len + 1)?, rest.get(..colon)?));
            return Some(QuestionLine {
                number,
                template: label_template(&format!("#.{}", rest.get(..colon)?)),
                label,
                text: rest.get(colon + 1..)?.trim().to_string(),
            });
        }
        return None;
    }
    // "label N: text", "label N. text", "label N – text", or "label N" alone
    let digit_at = text.find(|c: char| c.is_ascii_digit())?;
    let words = text.get(..digit_at)?;
    if !words.ends_with(char::is_whitespace) || !label_words_ok(words.trim()) {
        return None;
    }
    let after_words = text.get(digit_at..)?;
    let (number, len) = digits_at(after_words)?;
    let after = after_words.get(len..)?;
    let rest = if after.trim().is_empty() {
        ""
    } else if let Some(rest) = after.strip_prefix([':', ';', ')']) {
        rest
    } else if let Some(rest) = after.strip_prefix('.').filter(|r| r.starts_with(' ')) {
        rest
    } else {
        after
            .strip_prefix(' ')
            .and_then(|r| r.strip_prefix(['–', '—', '-']))
            .filter(|r| r.starts_with(' '))?
    };
    let label = tidy_label_spaces(text.get(..digit_at + len)?);
    Some(QuestionLine {
        number,
        template: label_template(&format!("{words} #")),
        label,
        text: rest.trim().to_string(),
    })
}

enum ProfileKind {
    LinkedIn(String),
    Twitter(String),
}

/// `Label: https://www.linkedin.com/in/...` or `Label: @handle` (or an x.com / twitter.com
/// address, turned into its handle).
fn profile_line(text: &str) -> Option<(String, ProfileKind)> {
    let colon = text.find(':')?;
    let label = text.get(..colon)?.trim();
    if label.is_empty() || word_count(label) > 3 || label.contains(['/', '@']) {
        return None;
    }
    let value = text.get(colon + 1..)?.trim();
    if value.contains(char::is_whitespace) {
        return None;
    }
    if let Some(handle) = value.strip_prefix('@') {
        if crate::source::read::is_twitter_handle(value) {
            return Some((
                label.to_string(),
                ProfileKind::Twitter(format!("@{handle}")),
            ));
        }
        return None;
    }
    let url = if value.starts_with("www.") {
        format!("https://{value}")
    } else {
        value.to_string()
    };
    if !crate::source::read::is_http_url(&url) {
        return None;
    }
    let host = url.split("://").nth(1)?.split('/').next()?.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if host == "x.com" || host == "twitter.com" {
        let handle = url.split("://").nth(1)?.split('/').nth(1)?;
        let handle = format!("@{}", handle.split(['?', '#']).next()?);
        if crate::source::read::is_twitter_handle(&handle) {
            return Some((label.to_string(), ProfileKind::Twitter(handle)));
        }
        return None;
    }
    if host.ends_with("linkedin.com") {
        return Some((label.to_string(), ProfileKind::LinkedIn(url)));
    }
    None
}

/// `Name, affiliation` (or a bare name): a speaker entry.
fn person_line(text: &str) -> Option<(String, Option<String>)> {
    if find_url(text).is_some() || text.ends_with(':') {
        return None;
    }
    // "Name, affiliation", or with a dash: "Name – affiliation".
    let split = [",", " – ", " — ", " - "]
        .iter()
        .filter_map(|sep| text.find(sep).map(|i| (i, sep.len())))
        .min_by_key(|(i, _)| *i);
    match split {
        Some((at, len)) => {
            let name = text.get(..at)?.trim();
            let affiliation = text.get(at + len..)?.trim();
            (looks_like_name(name) && !affiliation.is_empty())
                .then(|| (name.to_string(), Some(affiliation.to_string())))
        }
        None => looks_like_name(text).then(|| (text.to_string(), None)),
    }
}

/// Numbers written in the text, in order, as whole numbers ("171", "2.000", "20 000");
/// digits glued to letters ("COVID-19", "Covid19") are part of a name, not a number.
pub fn numbers(text: &str) -> Vec<u64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(c) = chars.get(i) else { break };
        if !c.is_ascii_digit() {
            i += 1;
            continue;
        }
        let glued = match i.checked_sub(1).and_then(|p| chars.get(p)) {
            Some(p) if p.is_alphabetic() => true,
            Some('-') => i
                .checked_sub(2)
                .and_then(|p| chars.get(p))
                .is_some_and(|c| c.is_alphabetic()),
            _ => false,
        };
        let mut value: u64 = 0;
        loop {
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                value = value.saturating_mul(10).saturating_add(u64::from(d));
                i += 1;
            }
            // A thousands separator followed by exactly three digits continues the number.
            let separator = chars
                .get(i)
                .is_some_and(|c| matches!(c, '.' | ',' | ' ' | '\u{a0}' | '\u{202f}'));
            let three = (1..=3).all(|k| chars.get(i + k).is_some_and(|c| c.is_ascii_digit()))
                && !chars.get(i + 4).is_some_and(|c| c.is_ascii_digit());
            if separator && three {
                i += 1;
            } else {
                break;
            }
        }
        if !glued {
            out.push(value);
        }
    }
    out
}

/// Writes the space inside a grouped number ("20 000") as a non-breaking space, so the
/// number never breaks across lines. Only a 1-3 digit group followed by a 3-digit group is
/// taken for one number.
pub fn bind_number_groups(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' && is_group_space(&chars, i) {
            out.push('\u{a0}');
        } else {
            out.push(*c);
        }
    }
    out
}

fn is_group_space(chars: &[char], i: usize) -> bool {
    let digit = |k: usize| chars.get(k).is_some_and(|c| c.is_ascii_digit());
    let left = (1..=4)
        .take_while(|k| i.checked_sub(*k).is_some_and(digit))
        .count();
    let left_start_ok = i
        .checked_sub(left + 1)
        .and_then(|k| chars.get(k))
        .is_none_or(|c| !c.is_alphanumeric());
    (1..=3).contains(&left) && left_start_ok && (1..=3).all(|k| digit(i + k)) && !digit(i + 4)
}

/// The first sentence of a paragraph: up to the first `.`, `!` or `?` followed by a space and
/// a capital letter, or the whole paragraph.
pub fn first_sentence(text: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, (i, c)) in chars.iter().enumerate() {
        if matches!(c, '.' | '!' | '?') {
            let next = chars.get(k + 1).map(|(_, c)| *c);
            let after = chars.get(k + 2).map(|(_, c)| *c);
            if next == Some(' ') && after.is_some_and(char::is_uppercase) {
                return text.get(..i + c.len_utf8()).unwrap_or(text).to_string();
            }
        }
    }
    text.to_string()
}

fn text_inlines(text: &str) -> Vec<Inline> {
    vec![Inline::text(bind_number_groups(text))]
}

/// Appends a line to text made by `text_inlines`, binding number groups across the join as
/// if the whole had been bound at once, in time linear in the line (rebinding the whole text
/// for each line made a question followed by thousands of lines quadratic).
fn append_line(text: &mut Vec<Inline>, line: &str) {
    if let [Inline::Text { text: bound }] = text.as_mut_slice() {
        // Whether the joining space binds depends on at most the five characters before it.
        let tail_start = bound.char_indices().rev().nth(4).map_or(0, |(i, _)| i);
        let tail = bound.get(tail_start..).unwrap_or_default();
        let joined = bind_number_groups(&format!("{tail} {line}"));
        let added: String = joined.chars().skip(tail.chars().count()).collect();
        bound.push_str(&added);
        return;
    }
    let mut joined = crate::model::plain_text(text);
    joined.push(' ');
    joined.push_str(line);
    *text = text_inlines(&joined);
}

fn pos(line: &Line) -> Pos {
    Pos {
        line: line.number,
        column: 1,
    }
}

fn paragraph(line: &Line, text: &str) -> Paragraph {
    Paragraph {
        content: text_inlines(text),
        pos: pos(line),
    }
}

pub fn recognise(lines: &[Line]) -> Result<Recognised, String> {
    let mut r = Recogniser {
        lines,
        people: Vec::new(),
        groups: Vec::new(),
        notes: Vec::new(),
        linkedin_label: None,
        twitter_label: None,
        talk_speakers: Vec::new(),
    };
    r.run()
}

struct Recogniser<'a> {
    lines: &'a [Line],
    people: Vec<Person>,
    /// (section index, block index) of every people group, to set its role at the end.
    groups: Vec<(usize, usize)>,
    notes: Vec<Note>,
    linkedin_label: Option<String>,
    twitter_label: Option<String>,
    talk_speakers: Vec<PersonRef>,
}

/// Where the Q&A starts: the first line of the longest run of numbered lines that share a
/// label and count up from 1 (the later one of equally long runs).
///
/// One pass: the runs that expect the same next number of the same label grow alike from
/// then on, so only the best of them is kept (counting each run on its own was quadratic
/// in a text of many lines numbered 1).
fn find_questions(lines: &[Line]) -> Option<(usize, String)> {
    use std::collections::HashMap;
    type Runs = HashMap<(String, u32), (usize, usize)>;
    // (template, the number the run expects next) -> (count so far, first line index).
    let mut runs: Runs = HashMap::new();
    let keep_better = |runs: &mut Runs, key: (String, u32), run: (usize, usize)| {
        let slot = runs.entry(key).or_insert(run);
        if run > *slot {
            *slot = run;
        }
    };
    for (i, line) in lines.iter().enumerate() {
        let Some(q) = question_line(&line.text) else {
            continue;
        };
        if let Some((count, first)) = runs.remove(&(q.template.clone(), q.number)) {
            let next = q.number.saturating_add(1);
            keep_better(&mut runs, (q.template.clone(), next), (count + 1, first));
        }
        if q.number == 1 {
            keep_better(&mut runs, (q.template, 2), (1, i));
        }
    }
    runs.into_iter()
        .max_by_key(|(_, run)| *run)
        .map(|((template, _), (_, first))| (first, template))
}

impl<'a> Recogniser<'a> {
    fn line(&self, i: usize) -> Option<&'a Line> {
        self.lines.get(i)
    }

    fn note(&mut self, line: &Line, message: String) {
        self.notes.push(Note {
            line: line.number,
            message,
        });
    }

    fn kept_as_paragraph(&mut self, line: &Line, why: &str) {
        let shown: String = line.text.chars().take(60).collect();
        let ellipsis = if line.text.chars().count() > 60 {
            "…"
        } else {
            ""
        };
        self.note(
            line,
            format!("kept as a paragraph: \"{shown}{ellipsis}\" ({why})"),
        );
    }

    fn next_nonblank(&self, from: usize, end: usize) -> Option<usize> {
        (from..end).find(|i| self.line(*i).is_some_and(|l| !l.is_blank()))
    }

    fn blanks_before(&self, i: usize) -> usize {
        (0..i)
            .rev()
            .take_while(|k| self.line(*k).is_some_and(Line::is_blank))
            .count()
    }

    fn names(&self) -> Vec<String> {
        self.people.iter().map(|p| p.name.clone()).collect()
    }

    fn run(&mut self) -> Result<Recognised, String> {
        let lines = self.lines;
        let first = self
            .next_nonblank(0, lines.len())
            .ok_or("the file has no text")?;
        let questions_at = find_questions(lines);
        let qa_first = questions_at.as_ref().map(|(i, _)| *i);
        let mut starts = vec![first];
        for i in first + 1..qa_first.unwrap_or(lines.len()) {
            let Some(line) = self.line(i) else { break };
            if !line.is_blank() && self.blanks_before(i) >= 2 && heading_like(&line.text) {
                starts.push(i);
            }
        }
        // The Q&A heading is the line right before the first question if it reads as one;
        // else a heading after blank lines shortly before it (what lies between is reported).
        let qa_heading = qa_first.and_then(|q| {
            let before = (first + 1..q)
                .rev()
                .find(|i| self.line(*i).is_some_and(|l| !l.is_blank()))?;
            if self.line(before).is_some_and(|l| heading_like(&l.text)) {
                return Some(before);
            }
            let last_start = starts.last().copied().filter(|s| *s > first)?;
            let between = (last_start + 1..q)
                .filter(|i| self.line(*i).is_some_and(|l| !l.is_blank()))
                .count();
            (between <= 3).then_some(last_start)
        });
        let qa_start = qa_heading.or(qa_first);
        if let Some(qa) = qa_start {
            starts.retain(|s| *s < qa || *s == first);
        }
        let end_of_sections = qa_start.unwrap_or(lines.len());

        let mut sections = Vec::new();
        let mut first_sentence = None;
        let mut attendance = None;
        let mut recording = None;
        let mut k = 0;
        while let Some(start) = starts.get(k).copied() {
            let end = starts.get(k + 1).copied().unwrap_or(end_of_sections);
            if k == 0 {
                let intro = self.first_section(start, end, sections.len())?;
                first_sentence = intro.first_sentence;
                attendance = intro.attendance;
                recording = intro.recording;
                sections.push(intro.section);
                if let Some(split) = intro.next_section {
                    starts.insert(1, split);
                }
            } else {
                let section = self.content_section(start, end);
                sections.push(section);
            }
            k += 1;
        }
        self.assign_roles(&mut sections);

        let questions = match (qa_start, questions_at) {
            (Some(start), Some((_, template))) => {
                Some(self.questions(start, qa_heading.is_some(), &template, &mut sections))
            }
            _ => None,
        };

        Ok(Recognised {
            people: std::mem::take(&mut self.people),
            sections,
            questions,
            first_sentence,
            attendance,
            recording,
            linkedin_label: self.linkedin_label.take(),
            twitter_label: self.twitter_label.take(),
            notes: std::mem::take(&mut self.notes),
        })
    }

    /// A line ending in `:` directly followed by a speaker entry introduces a group of people.
    fn group_label_at(&self, i: usize, end: usize) -> bool {
        let Some(line) = self.line(i) else {
            return false;
        };
        let text = &line.text;
        if !text.ends_with(':') || word_count(text) > 8 || strip_bullet(text).is_some() {
            return false;
        }
        let Some(next) = self.next_nonblank(i + 1, end).and_then(|j| self.line(j)) else {
            return false;
        };
        let entry = strip_bullet(&next.text).unwrap_or(&next.text);
        person_line(entry).is_some()
    }

    fn first_section(&mut self, start: usize, end: usize, index: usize) -> Result<Intro, String> {
        let heading_line = self.line(start).ok_or("the file has no text")?;
        if !heading_like(&heading_line.text) {
            self.note(
                heading_line,
                "unsure: the text does not start with a heading; its first line is taken as one"
                    .to_string(),
            );
        }
        let mut blocks: Vec<Block> = Vec::new();
        let mut intro_paragraphs: Vec<(usize, &Line)> = Vec::new();
        let mut recording = None;
        let mut next_section = None;
        let mut in_people = false;
        let mut after_people = false;
        // The group being filled, and whether the last line was part of an entry.
        let mut current_group: Option<usize> = None;
        let mut entry_open = false;
        let mut group_bulleted = false;
        let mut i = start + 1;
        while i < end {
            let Some(line) = self.line(i) else { break };
            i += 1;
            if line.is_blank() {
                entry_open = false;
                continue;
            }
            if self.group_label_at(i - 1, end) {
                let label = line.text.clone();
                blocks.push(Block::People(PeopleGroup {
                    role: Role::Speaker,
                    label,
                    members: Vec::new(),
                    pos: pos(line),
                }));
                self.groups.push((index, blocks.len() - 1));
                current_group = Some(blocks.len() - 1);
                in_people = true;
                entry_open = true;
                group_bulleted = false;
                continue;
            }
            if in_people {
                if let Some((label, kind)) = profile_line(&line.text) {
                    if self.attach_profile(line, label, kind) {
                        entry_open = true;
                        continue;
                    }
                }
                let bulleted = strip_bullet(&line.text);
                let entry_text = bulleted.unwrap_or(&line.text);
                let may_be_entry = bulleted.is_some() || (entry_open && !group_bulleted);
                if may_be_entry {
                    if let (Some((name, affiliation)), Some(g)) =
                        (person_line(entry_text), current_group)
                    {
                        let r = PersonRef(self.people.len());
                        self.people.push(Person {
                            id: String::new(),
                            name,
                            role: Role::Speaker,
                            affiliation: affiliation.map(|a| vec![Inline::text(a)]),
                            linkedin: None,
                            twitter: None,
                            pos: pos(line),
                        });
                        if let Some(Block::People(group)) = blocks.get_mut(g) {
                            group.members.push(r);
                        }
                        group_bulleted |= bulleted.is_some();
                        entry_open = true;
                        continue;
                    }
                }
                in_people = false;
                after_people = true;
                if entry_open {
                    // Right under an entry, yet neither a profile nor another person.
                    self.kept_as_paragraph(
                        line,
                        "under a person's entry, not a LinkedIn or X/Twitter line",
                    );
                    blocks.push(Block::Paragraph(paragraph(line, &line.text)));
                    continue;
                }
            }
            // Without two blank lines before it, the next section's heading still reads as one
            // once the people lists are over.
            if after_people && self.blanks_before(i - 1) >= 1 && heading_like(&line.text) {
                next_section = Some(i - 1);
                break;
            }
            if after_people && recording.is_none() {
                if let Some((s, e)) = find_url(&line.text) {
                    let url = line.text.get(s..e).unwrap_or_default();
                    let href = if url.starts_with("www.") {
                        format!("https://{url}")
                    } else {
                        url.to_string()
                    };
                    recording = Some(Recording {
                        href,
                        text: text_inlines(&line.text),
                    });
                    continue;
                }
            }
            if after_people {
                self.kept_as_paragraph(line, "after the people lists, not the recording");
            }
            if strip_bullet(&line.text).is_some() {
                blocks.push(Block::List(List {
                    items: vec![paragraph(
                        line,
                        strip_bullet(&line.text).unwrap_or_default(),
                    )],
                    pos: pos(line),
                }));
            } else {
                if !after_people {
                    intro_paragraphs.push((blocks.len(), line));
                }
                blocks.push(Block::Paragraph(paragraph(line, &line.text)));
            }
        }
        let opening = intro_paragraphs
            .first()
            .map(|(_, line)| first_sentence(&line.text));
        // The attendance sentence: an introductory paragraph with two numbers. It moves to
        // <meta>, where every output's title block shows it.
        let mut attendance = None;
        if let Some((block_index, line)) = intro_paragraphs
            .iter()
            .find(|(_, l)| numbers(&l.text).len() >= 2)
        {
            let figures = numbers(&line.text);
            attendance = Some(Attendance {
                registered: figures.first().copied(),
                attended: figures.get(1).copied(),
                text: text_inlines(&line.text),
            });
            if *block_index < blocks.len() {
                blocks.remove(*block_index);
                for g in self.groups.iter_mut().filter(|(s, _)| *s == index) {
                    if g.1 > *block_index {
                        g.1 -= 1;
                    }
                }
            }
        }
        if self.people.is_empty() {
            self.note(
                heading_line,
                "no list of people found (a line ending in ':' followed by \"Name, affiliation\" lines); talks and answers cannot be recognised".to_string(),
            );
        }
        Ok(Intro {
            section: Section {
                heading: heading_line.text.clone(),
                blocks,
                pos: pos(heading_line),
            },
            first_sentence: opening,
            attendance,
            recording,
            next_section,
        })
    }

    /// Adds a LinkedIn address or handle to the last person; false if there is none.
    fn attach_profile(&mut self, line: &Line, label: String, kind: ProfileKind) -> bool {
        let Some(person) = self.people.last_mut() else {
            return false;
        };
        let (slot, label_slot, what) = match kind {
            ProfileKind::LinkedIn(url) => (&mut person.linkedin, &mut self.linkedin_label, url),
            ProfileKind::Twitter(handle) => (&mut person.twitter, &mut self.twitter_label, handle),
        };
        if slot.is_some() {
            return false;
        }
        *slot = Some(what.clone());
        label_slot.get_or_insert(label);
        let name = person.name.clone();
        let owner = self
            .people
            .iter()
            .rev()
            .skip(1)
            .find(|p| p.twitter.as_deref() == Some(&what) || p.linkedin.as_deref() == Some(&what))
            .map(|p| p.name.clone());
        if let Some(owner) = owner {
            self.note(
                line,
                format!("unsure: {what} is given for both {owner} and {name}; kept as written, check it"),
            );
        }
        true
    }

    /// `Name, affiliation: title` where Name is a known person.
    fn talk_heading(&self, text: &str) -> Option<(PersonRef, NameMatch, Option<String>, String)> {
        if strip_bullet(text).is_some() || word_count(text) > 40 {
            return None;
        }
        let names = self.names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let colon = text.find(':')?;
        let head = text.get(..colon)?;
        let title = text.get(colon + 1..)?.trim();
        if title.is_empty() {
            return None;
        }
        let (name, affiliation) = match head.split_once(',') {
            Some((name, affiliation)) => (name.trim(), Some(affiliation.trim().to_string())),
            None => (head.trim(), None),
        };
        let (index, how) = match_name(name, &names)?;
        Some((
            PersonRef(index),
            how,
            affiliation.filter(|a| !a.is_empty()),
            title.to_string(),
        ))
    }

    fn content_section(&mut self, start: usize, end: usize) -> Section {
        let heading = self.line(start).map(|l| (l.text.clone(), pos(l)));
        let (heading, heading_pos) = heading.unwrap_or_default();
        let mut blocks: Vec<Block> = Vec::new();
        let mut talk: Option<Talk> = None;
        let mut in_list = false;
        for i in start + 1..end {
            let Some(line) = self.line(i) else { break };
            if line.is_blank() {
                in_list = false;
                continue;
            }
            if let Some((speaker, how, affiliation, title)) = self.talk_heading(&line.text) {
                let written = line.text.split([',', ':']).next().unwrap_or("").trim();
                let shown_name = (how != NameMatch::Full).then(|| written.to_string());
                if how == NameMatch::Misspelled {
                    let name = self.people.get(speaker.0).map(|p| p.name.clone());
                    self.note(
                        line,
                        format!(
                            "unsure: the talk heading spells the speaker \"{written}\", the speaker list \"{}\"; kept as the heading writes it",
                            name.unwrap_or_default()
                        ),
                    );
                }
                self.close_talk(talk.take(), &mut blocks);
                self.talk_speakers.push(speaker);
                talk = Some(Talk {
                    speaker,
                    affiliation,
                    shown_name,
                    title,
                    blocks: Vec::new(),
                    pos: pos(line),
                });
                in_list = false;
                continue;
            }
            let next_is_bullet = self
                .next_nonblank(i + 1, end)
                .and_then(|j| self.line(j))
                .is_some_and(|l| strip_bullet(&l.text).is_some());
            let target = match talk.as_mut() {
                Some(t) => &mut t.blocks,
                None => &mut blocks,
            };
            if let Some(item) = strip_bullet(&line.text) {
                if item.is_empty() {
                    continue;
                }
                match target.last_mut() {
                    Some(Block::List(list)) if in_list => list.items.push(paragraph(line, item)),
                    _ => target.push(Block::List(List {
                        items: vec![paragraph(line, item)],
                        pos: pos(line),
                    })),
                }
                in_list = true;
                continue;
            }
            in_list = false;
            if subheading_like(&line.text, next_is_bullet) {
                target.push(Block::Subheading(Subheading {
                    text: line.text.clone(),
                    pos: pos(line),
                }));
            } else {
                target.push(Block::Paragraph(paragraph(line, &line.text)));
            }
        }
        self.close_talk(talk.take(), &mut blocks);
        Section {
            heading,
            blocks,
            pos: heading_pos,
        }
    }

    /// Groups whose members give talks are speakers; the other groups are, in order, the
    /// moderator and the welcome (the order of the seeds' layout).
    fn assign_roles(&mut self, sections: &mut [Section]) {
        let mut others = [Role::Moderator, Role::Welcome].into_iter();
        let no_talks = self.talk_speakers.is_empty();
        for (n, (s, b)) in self.groups.iter().enumerate() {
            let Some(Block::People(group)) =
                sections.get_mut(*s).and_then(|s| s.blocks.get_mut(*b))
            else {
                continue;
            };
            let speaks = group.members.iter().any(|m| self.talk_speakers.contains(m));
            group.role = if speaks || (no_talks && n == 0) {
                Role::Speaker
            } else {
                others.next().unwrap_or(Role::Welcome)
            };
            for m in &group.members {
                if let Some(p) = self.people.get_mut(m.0) {
                    p.role = group.role;
                }
            }
        }
    }

    fn questions(
        &mut self,
        start: usize,
        has_heading: bool,
        template: &str,
        sections: &mut [Section],
    ) -> Questions {
        let lines = self.lines;
        let names = self.names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (heading, heading_pos, first) = match self.line(start) {
            Some(l) if has_heading => (l.text.clone(), pos(l), start + 1),
            Some(l) => {
                self.note(
                    l,
                    "unsure: no heading line before the first question; the source uses the questions' label".to_string(),
                );
                let label = question_line(&l.text).map(|q| q.label).unwrap_or_default();
                (
                    label
                        .replace(|c: char| c.is_ascii_digit(), "")
                        .trim_matches(|c: char| c == '.' || c.is_whitespace())
                        .to_string(),
                    pos(l),
                    start,
                )
            }
            None => (String::new(), Pos::default(), start),
        };
        let mut items: Vec<Question> = Vec::new();
        for line in lines.iter().skip(first) {
            if line.is_blank() {
                continue;
            }
            if let Some(q) = self.question_in_qa(line, template, &items) {
                items.push(Question {
                    number: q.number,
                    label: q.label,
                    text: if q.text.is_empty() {
                        Vec::new()
                    } else {
                        text_inlines(&q.text)
                    },
                    answers: Vec::new(),
                    pos: pos(line),
                });
                continue;
            }
            if let Some((by, how, said, rest)) = answer_start(&line.text, &names) {
                if let Some(question) = items.last_mut() {
                    if how == NameMatch::Misspelled {
                        self.notes.push(Note {
                            line: line.number,
                            message: format!(
                                "unsure: \"{said}\" taken for {}",
                                names.get(by).copied().unwrap_or("")
                            ),
                        });
                    }
                    let shown_name = (how != NameMatch::Full).then(|| said.clone());
                    question.answers.push(Answer {
                        by: PersonRef(by),
                        shown_name,
                        paragraphs: if rest.is_empty() {
                            Vec::new()
                        } else {
                            vec![paragraph(line, &rest)]
                        },
                        pos: pos(line),
                    });
                    continue;
                }
            }
            if let Some(said) = unknown_answerer(&line.text) {
                if items.last().is_some_and(|q| !q.answers.is_empty()) {
                    self.note(
                        line,
                        format!(
                            "\"{said}\" opens this line like an answer but is in no people list; kept as a paragraph of the answer above (add the person or correct the name)"
                        ),
                    );
                }
            }
            match items.last_mut() {
                Some(question) => match question.answers.last_mut() {
                    Some(answer) => answer.paragraphs.push(paragraph(line, &line.text)),
                    None if question.text.is_empty() => question.text = text_inlines(&line.text),
                    None => {
                        append_line(&mut question.text, &line.text);
                        self.note(
                            line,
                            "unsure: no name opens this line; added to the question's text"
                                .to_string(),
                        );
                    }
                },
                None => {
                    self.kept_as_paragraph(line, "between the Q&A heading and the first question");
                    if let Some(section) = sections.last_mut() {
                        section
                            .blocks
                            .push(Block::Paragraph(paragraph(line, &line.text)));
                    }
                }
            }
        }
        self.report_question_anomalies(&items, &names);
        // An answer whose name stood alone on its line takes the next line as its text; one
        // that has none keeps the name only, which `check` refuses: report it.
        for question in &items {
            for answer in question.answers.iter().filter(|a| a.paragraphs.is_empty()) {
                self.notes.push(Note {
                    line: answer.pos.line,
                    message: "an answer without text".to_string(),
                });
            }
        }
        Questions {
            heading,
            items,
            pos: heading_pos,
        }
    }
}

impl Recogniser<'_> {
    /// A question line of the Q&A: one with the label the questions share (spaces and case
    /// aside), or one shaped like a question label that differs from it but carries the next
    /// number, which is taken as a question and reported.
    fn question_in_qa(
        &mut self,
        line: &Line,
        template: &str,
        items: &[Question],
    ) -> Option<QuestionLine> {
        let q = question_line(&line.text)?;
        if q.template == template {
            return Some(q);
        }
        let last = items.last()?;
        let same_shape = q.template.starts_with('#') == template.starts_with('#');
        if !same_shape || q.number != last.number + 1 {
            return None;
        }
        self.note(
            line,
            format!(
                "unsure: taken as question {}, although its label \"{}\" differs from the others' (\"{}\")",
                q.number, q.label, last.label
            ),
        );
        Some(q)
    }

    /// Ends a talk; one with nothing under its heading is reported (its text may have been
    /// taken for another part, or be missing from the translation).
    fn close_talk(&mut self, talk: Option<Talk>, blocks: &mut Vec<Block>) {
        let Some(talk) = talk else { return };
        if talk.blocks.is_empty() {
            let name = self
                .people
                .get(talk.speaker.0)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            self.notes.push(Note {
                line: talk.pos.line,
                message: format!(
                    "the talk by {name} has no text under its heading: check that none is missing"
                ),
            });
        }
        blocks.push(Block::Talk(talk));
    }

    /// Numbers that do not run 1..n, and a person answering one question twice.
    fn report_question_anomalies(&mut self, items: &[Question], names: &[&str]) {
        let numbers: Vec<u32> = items.iter().map(|q| q.number).collect();
        let wrong = items
            .iter()
            .enumerate()
            .find(|(i, q)| q.number as usize != i + 1);
        if let Some((_, q)) = wrong {
            let list: Vec<String> = numbers.iter().map(u32::to_string).collect();
            self.notes.push(Note {
                line: q.pos.line,
                message: format!(
                    "the questions are numbered {}, not 1 to {} in order: a question may be missing or numbered twice",
                    list.join(", "),
                    items.len()
                ),
            });
        }
        for q in items {
            for (k, answer) in q.answers.iter().enumerate() {
                let earlier = q.answers.iter().take(k).find(|a| a.by == answer.by);
                if let Some(earlier) = earlier {
                    self.notes.push(Note {
                        line: answer.pos.line,
                        message: format!(
                            "{} answers question {} twice (lines {} and {}): check whether one answer is another person's",
                            names.get(answer.by.0).copied().unwrap_or(""),
                            q.number,
                            earlier.pos.line,
                            answer.pos.line
                        ),
                    });
                }
            }
        }
    }
}

/// `First Last: text` where the name is no one's: an answer by someone the people lists do
/// not have. Returns the name as written.
fn unknown_answerer(text: &str) -> Option<&str> {
    let (said, rest) = text.split_once(':')?;
    let said = said.trim();
    (said.split_whitespace().count() >= 2 && looks_like_name(said) && !rest.trim().is_empty())
        .then_some(said)
}

struct Intro {
    section: Section,
    /// Where the next section starts, when the first one ended at a heading found by layout
    /// after the people lists.
    next_section: Option<usize>,
    first_sentence: Option<String>,
    attendance: Option<Attendance>,
    recording: Option<Recording>,
}

/// A sub-heading inside a section or talk: a short line ending in `:`, a short line without
/// final punctuation, or a short question that a list follows.
fn subheading_like(text: &str, next_is_bullet: bool) -> bool {
    let words = word_count(text);
    if find_url(text).is_some() {
        return false;
    }
    (text.ends_with(':') && words <= 20)
        || (!ends_with_sentence_punctuation(text) && !text.ends_with(['?', ':']) && words <= 10)
        || (text.ends_with('?') && words <= 15 && next_is_bullet)
}

/// `Name: text` where Name is a known person's full or first name. Returns the person, how
/// the name matched, the name as written and the text after the colon.
fn answer_start(text: &str, names: &[&str]) -> Option<(usize, NameMatch, String, String)> {
    let colon = text.find(':')?;
    let said = text.get(..colon)?.trim();
    if said.is_empty() || word_count(said) > 5 || said.chars().count() > 60 {
        return None;
    }
    let (index, how) = match_name(said, names)?;
    let rest = text.get(colon + 1..)?.trim().to_string();
    Some((index, how, said.to_string(), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_lines_in_several_layouts() {
        let q = question_line("Question 1: Which organisations?").expect("question");
        assert_eq!((q.number, q.label.as_str()), (1, "Question 1"));
        assert_eq!(q.text, "Which organisations?");
        let q = question_line("Spørgsmål 3; Hvordan?").expect("semicolon");
        assert_eq!((q.number, q.label.as_str()), (3, "Spørgsmål 3"));
        let q = question_line("1. kérdés: Véleménye szerint?").expect("number first");
        assert_eq!((q.number, q.label.as_str()), (1, "1. kérdés"));
        assert_eq!(
            q.template,
            question_line("4. kérdés: x").expect("4").template
        );
        assert!(question_line("Alba Garavet: During the crisis").is_none());
        let q = question_line("Pregunta 2 – ¿Cómo?").expect("dash");
        assert_eq!(
            (q.number, q.label.as_str(), q.text.as_str()),
            (2, "Pregunta 2", "¿Cómo?")
        );
        let q = question_line("Otázka 3").expect("alone on its line");
        assert_eq!((q.number, q.text.as_str()), (3, ""));
        assert!(question_line("Phase 1.5 of the plan").is_none());
        assert!(question_line("COVID-19: what changed").is_none());
        assert!(question_line("In 2019, we did: this").is_none());
    }

    #[test]
    fn numbers_skip_names_with_digits() {
        assert_eq!(
            numbers("171 participants, of whom 101 followed"),
            vec![171, 101]
        );
        assert_eq!(numbers("A webináriumra 171-en, és 101-en"), vec![171, 101]);
        assert_eq!(
            numbers("the COVID-19 crisis and Covid19"),
            Vec::<u64>::new()
        );
        assert_eq!(
            numbers("op til 2.000 ugentligt, over 20 000"),
            vec![2000, 20000]
        );
    }

    #[test]
    fn grouped_numbers_get_a_non_breaking_space() {
        assert_eq!(
            bind_number_groups("over 20 000 views"),
            "over 20\u{a0}000 views"
        );
        assert_eq!(
            bind_number_groups("in 2019 100 people"),
            "in 2019 100 people"
        );
        assert_eq!(bind_number_groups("1 2 3"), "1 2 3");
    }

    #[test]
    fn speaker_entries_with_a_comma_or_a_dash() {
        assert_eq!(
            person_line("Jüri Õunapuu – Tartu Ülikooli teadur"),
            Some((
                "Jüri Õunapuu".to_string(),
                Some("Tartu Ülikooli teadur".to_string())
            ))
        );
        assert_eq!(
            person_line("Alba Garavet, Head of Europe Direct Torino;").map(|p| p.1),
            Some(Some("Head of Europe Direct Torino;".to_string()))
        );
        assert_eq!(person_line("A recording is available, see below"), None);
    }

    #[test]
    fn bullets_of_several_kinds() {
        assert_eq!(strip_bullet("· Item"), Some("Item"));
        assert_eq!(strip_bullet("•Item"), Some("Item"));
        assert_eq!(strip_bullet("- item"), Some("item"));
        assert_eq!(strip_bullet("-item"), None);
        assert_eq!(strip_bullet("Item"), None);
    }
}
