//! Cross-language consistency: the sources of one summary (same `id`, different `lang`) must
//! agree on everything that is not words: the people and their profile addresses and handles,
//! the links, the figures, the talks, the questions and who answers them.
//!
//! Which language is "the one that differs": for each compared value the languages vote, and
//! the value most of them share is the baseline; every language with another value gets a
//! finding. On a tie (two languages, or two against two) the baseline is the value of the
//! first language by tag, so the findings name the later language: with two sources there is
//! no way to tell which is right, and the message gives both values anyway.
//!
//! Errors: people, handles, LinkedIn addresses, links, figures, the number and order of talks,
//! questions and answers, attendance and recording. Warnings: how many paragraphs and list
//! items a part has, since translators legitimately merge or split them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::path::Path;

use super::numbers::{numbers_in, Number};
use crate::diagnostic::Diagnostic;
use crate::model::{plain_text, Block, Inline, Person, Pos, Question, Summary};
use crate::source::read::{excerpt, find_url};
use crate::source::xml::LineIndex;

/// One parsed source to compare.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a Path,
    pub doc: &'a Summary,
    /// The source text, to point at parts the model keeps without a position (metadata);
    /// empty when not at hand.
    pub text: &'a [u8],
}

impl Source<'_> {
    /// The position of the first `<element` in the source text.
    fn locate(&self, element: &str) -> Option<Pos> {
        let needle = format!("<{element}");
        let offset = self
            .text
            .windows(needle.len())
            .position(|w| w == needle.as_bytes())?;
        Some(LineIndex::new(self.text).pos(self.text, offset))
    }
}

/// Compares every group of sources that share a summary id; single sources are left alone.
pub fn compare(sources: &[Source]) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<&str, Vec<Source>> = BTreeMap::new();
    for source in sources {
        groups.entry(&source.doc.id).or_default().push(*source);
    }
    let mut out = Vec::new();
    for (_, mut group) in groups {
        group.sort_by(|a, b| a.doc.lang.cmp(&b.doc.lang).then(a.file.cmp(b.file)));
        // Two files in one language cannot both be built (they would write the same
        // outputs): say so, and compare only the first, which would otherwise double every
        // finding.
        group.dedup_by(|later, first| {
            let same = later.doc.lang == first.doc.lang;
            if same {
                out.push(Diagnostic::error(
                    later.file,
                    None,
                    format!(
                        "summary \"{}\" in language \"{}\" is also in {}; each (id, lang) pair is built once",
                        later.doc.id,
                        later.doc.lang,
                        first.file.display()
                    ),
                ));
            }
            same
        });
        if group.len() > 1 {
            Comparison {
                sources: &group,
                out: &mut out,
            }
            .run();
        }
    }
    out
}

/// The outcome of a vote over one value per source.
struct Vote<V> {
    baseline: V,
    /// Indices (into the group) of the sources with the baseline value.
    agreeing: Vec<usize>,
    /// Sources with another value.
    differing: Vec<(usize, V)>,
}

/// Finds the baseline among values (source index, value); `None` when all agree.
fn vote<V: PartialEq + Clone>(values: &[(usize, V)]) -> Option<Vote<V>> {
    let mut tally: Vec<(V, Vec<usize>)> = Vec::new();
    for (i, v) in values {
        match tally.iter_mut().find(|(value, _)| value == v) {
            Some((_, who)) => who.push(*i),
            None => tally.push((v.clone(), vec![*i])),
        }
    }
    if tally.len() < 2 {
        return None;
    }
    // Ties go to the value seen first, i.e. held by the first language by tag.
    let best = tally
        .iter()
        .enumerate()
        .max_by_key(|(order, (_, who))| (who.len(), std::cmp::Reverse(*order)))
        .map(|(order, _)| order)?;
    let (baseline, agreeing) = tally.get(best).cloned()?;
    let differing = values
        .iter()
        .filter(|(_, v)| *v != baseline)
        .cloned()
        .collect();
    Some(Vote {
        baseline,
        agreeing,
        differing,
    })
}

/// A field of a person that must be the same in every language.
struct PersonField {
    what: &'static str,
    /// Whether the value belongs to one person only (a handle does, a role does not).
    identifies: bool,
    /// The value as compared.
    value: fn(&Person) -> Option<String>,
}

/// A part of a summary that has a counterpart in every language.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum UnitKey {
    Attendance,
    Recording,
    /// A section by position, its own text only (talks are units of their own).
    Section(usize),
    /// A talk by its speaker, and which of that speaker's talks it is.
    Talk(String, usize),
    Question(u32),
    /// An answer by question number, who answers, and which of their answers it is.
    Answer(u32, String, usize),
}

impl UnitKey {
    fn describe(&self) -> String {
        match self {
            UnitKey::Attendance => "the attendance sentence".into(),
            UnitKey::Recording => "the recording sentence".into(),
            UnitKey::Section(i) => format!("section {}", i + 1),
            UnitKey::Talk(who, 0) => format!("the talk by \"{}\"", excerpt(who)),
            UnitKey::Talk(who, n) => format!("talk {} by \"{}\"", n + 1, excerpt(who)),
            UnitKey::Question(n) => format!("question {n}"),
            UnitKey::Answer(n, who, 0) => {
                format!("the answer by \"{}\" to question {n}", excerpt(who))
            }
            UnitKey::Answer(n, who, k) => {
                format!("answer {} by \"{}\" to question {n}", k + 1, excerpt(who))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Heading,
    Paragraph,
    Item,
}

impl BlockKind {
    fn name(self) -> &'static str {
        match self {
            BlockKind::Heading => "heading",
            BlockKind::Paragraph => "paragraph",
            BlockKind::Item => "list item",
        }
    }
}

/// One piece of text: what figures and links it holds.
struct TextBlock {
    kind: BlockKind,
    pos: Pos,
    numbers: Vec<Number>,
    urls: Vec<String>,
}

struct Unit {
    pos: Pos,
    blocks: Vec<TextBlock>,
}

impl Unit {
    fn count(&self, kind: BlockKind) -> usize {
        self.blocks.iter().filter(|b| b.kind == kind).count()
    }
}

struct Comparison<'a, 'o> {
    sources: &'a [Source<'a>],
    out: &'o mut Vec<Diagnostic>,
}

impl Comparison<'_, '_> {
    fn lang(&self, i: usize) -> &str {
        self.sources.get(i).map_or("?", |s| s.doc.lang.as_str())
    }

    fn langs(&self, indices: &[usize]) -> String {
        indices
            .iter()
            .map(|i| self.lang(*i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn error(&mut self, i: usize, pos: Option<Pos>, message: String) {
        if let Some(s) = self.sources.get(i) {
            let message = format!("{}: {message}", s.doc.lang);
            self.out.push(Diagnostic::error(s.file, pos, message));
        }
    }

    fn warning(&mut self, i: usize, pos: Option<Pos>, message: String) {
        if let Some(s) = self.sources.get(i) {
            let message = format!("{}: {message}", s.doc.lang);
            self.out.push(Diagnostic::warning(s.file, pos, message));
        }
    }

    fn run(&mut self) {
        self.people();
        self.meta();
        self.talks();
        self.questions();
        self.units();
    }

    fn people(&mut self) {
        // Maps, not searches: a source may (if only by mistake) list very many people.
        let by_id: Vec<BTreeMap<&str, &Person>> = self
            .sources
            .iter()
            .map(|s| s.doc.people.iter().map(|p| (p.id.as_str(), p)).collect())
            .collect();
        let ids: BTreeSet<&str> = by_id.iter().flat_map(|m| m.keys().copied()).collect();
        for &id in &ids {
            let present: Vec<(usize, bool)> = by_id
                .iter()
                .enumerate()
                .map(|(i, m)| (i, m.contains_key(id)))
                .collect();
            let Some(vote) = vote(&present) else { continue };
            let agreeing = self.langs(&vote.agreeing);
            for (i, here) in vote.differing {
                if here {
                    let pos = by_id.get(i).and_then(|m| m.get(id)).map(|p| p.pos);
                    self.error(
                        i,
                        pos,
                        format!("person \"{}\" is not in {agreeing}", excerpt(id)),
                    );
                } else {
                    let message =
                        format!("person \"{}\" is missing; {agreeing} have it", excerpt(id));
                    self.error(i, None, message);
                }
            }
        }
        let fields: [PersonField; 3] = [
            PersonField {
                what: "role",
                identifies: false,
                value: |p| Some(p.role.as_str().to_string()),
            },
            PersonField {
                what: "LinkedIn address",
                identifies: true,
                value: |p| p.linkedin.as_deref().map(normalise_url),
            },
            PersonField {
                what: "X/Twitter handle",
                identifies: true,
                // Handles are not case-sensitive: @AlbaGaravet and @albagaravet are one.
                value: |p| p.twitter.as_ref().map(|h| h.to_lowercase()),
            },
        ];
        for field in &fields {
            // Who has which value, per source, to say whose a wrong value is.
            let owners: Vec<BTreeMap<String, Vec<&str>>> = self
                .sources
                .iter()
                .map(|s| {
                    let mut owners: BTreeMap<String, Vec<&str>> = BTreeMap::new();
                    if field.identifies {
                        for p in &s.doc.people {
                            if let Some(v) = (field.value)(p) {
                                owners.entry(v).or_default().push(&p.id);
                            }
                        }
                    }
                    owners
                })
                .collect();
            for &id in &ids {
                self.person_field(id, field, &by_id, &owners);
            }
        }
    }

    /// Compares one field of one person across the languages that have the person.
    fn person_field(
        &mut self,
        id: &str,
        field: &PersonField,
        by_id: &[BTreeMap<&str, &Person>],
        owners: &[BTreeMap<String, Vec<&str>>],
    ) {
        let what = field.what;
        let person_in = |i: usize| by_id.get(i).and_then(|m| m.get(id)).copied();
        // Whose value this is, if it belongs to someone else in the same source.
        let owner_in = |i: usize, value: &Option<String>| -> Option<&str> {
            let who = owners.get(i)?.get(value.as_ref()?)?;
            who.iter().find(|other| **other != id).copied()
        };
        let values: Vec<(usize, Option<String>)> = (0..self.sources.len())
            .filter_map(|i| person_in(i).map(|p| (i, (field.value)(p))))
            .collect();
        let Some(mut vote) = vote(&values) else {
            return;
        };
        // Two languages have no majority. A value that is another person's in its own source
        // is the likelier mistake, so the language that has it is the one named.
        if let ([base], [(other, other_value)]) = (&vote.agreeing[..], &vote.differing[..]) {
            let (base, other) = (*base, *other);
            if owner_in(base, &vote.baseline).is_some() && owner_in(other, other_value).is_none() {
                let base_value = std::mem::replace(&mut vote.baseline, other_value.clone());
                vote.agreeing = vec![other];
                vote.differing = vec![(base, base_value)];
            }
        }
        let agreeing = self.langs(&vote.agreeing);
        // Values are shown as the source writes them, not as compared.
        let written = |i: usize| -> String {
            let p = person_in(i);
            let v = match what {
                "role" => p.map(|p| p.role.as_str().to_string()),
                "LinkedIn address" => p.and_then(|p| p.linkedin.clone()),
                _ => p.and_then(|p| p.twitter.clone()),
            };
            v.map_or_else(|| "none".into(), |v| excerpt(&v))
        };
        let base_shown = vote
            .agreeing
            .first()
            .map_or_else(String::new, |a| written(*a));
        let mut findings = Vec::new();
        for (i, value) in &vote.differing {
            let here_shown = written(*i);
            let mut message = format!(
                "the {what} of \"{}\" is {here_shown}, but {base_shown} in {agreeing}",
                excerpt(id)
            );
            // A value that belongs to someone else is the likeliest mistake: say whose.
            if let Some(owner) = owner_in(*i, value) {
                message.push_str(&format!(
                    " ({here_shown} is the {what} of \"{}\")",
                    excerpt(owner)
                ));
            }
            findings.push((*i, person_in(*i).map(|p| p.pos), message));
        }
        for (i, pos, message) in findings {
            self.error(i, pos, message);
        }
    }

    fn meta(&mut self) {
        type Field = (&'static str, &'static str, fn(&Summary) -> Option<String>);
        let fields: [Field; 4] = [
            ("registered figure of <attendance>", "attendance", |d| {
                d.meta
                    .attendance
                    .as_ref()
                    .and_then(|a| a.registered)
                    .map(|n| n.to_string())
            }),
            ("attended figure of <attendance>", "attendance", |d| {
                d.meta
                    .attendance
                    .as_ref()
                    .and_then(|a| a.attended)
                    .map(|n| n.to_string())
            }),
            ("recording address", "recording", |d| {
                d.meta.recording.as_ref().map(|r| normalise_url(&r.href))
            }),
            ("event date", "date", |d| d.meta.date.clone()),
        ];
        for (what, element, field) in fields {
            let values: Vec<(usize, Option<String>)> = self
                .sources
                .iter()
                .enumerate()
                .map(|(i, s)| (i, field(s.doc)))
                .collect();
            let sources = self.sources;
            let pos = |i: usize| sources.get(i).and_then(|s| s.locate(element));
            self.report_vote(
                &values,
                Some(&pos),
                |v| v.clone().unwrap_or_else(|| "not given".into()),
                what,
            );
        }
    }

    /// Reports each differing value as "the WHAT is HERE, but BASE in LANGS".
    fn report_vote<V: PartialEq + Clone>(
        &mut self,
        values: &[(usize, V)],
        pos: Option<&dyn Fn(usize) -> Option<Pos>>,
        show: impl Fn(&V) -> String,
        what: &str,
    ) {
        let Some(vote) = vote(values) else { return };
        let agreeing = self.langs(&vote.agreeing);
        for (i, value) in &vote.differing {
            let message = format!(
                "the {what} is {}, but {} in {agreeing}",
                show(value),
                show(&vote.baseline)
            );
            let at = pos.and_then(|p| p(*i));
            self.error(*i, at, message);
        }
    }

    fn talks(&mut self) {
        let values: Vec<(usize, Vec<String>)> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let speakers = s.doc.talks().map(|t| s.doc.person(t.speaker).id.clone());
                (i, speakers.collect())
            })
            .collect();
        let show = |v: &Vec<String>| match v.len() {
            0 => "none".to_string(),
            n => format!("{n} ({})", capped_list(v)),
        };
        // Point at the first talk that differs from the baseline's order.
        let baseline = vote(&values).map(|v| v.baseline).unwrap_or_default();
        let sources = self.sources;
        let pos = |i: usize| {
            let (_, speakers) = values.iter().find(|(j, _)| *j == i)?;
            let k = first_mismatch(speakers, &baseline);
            let doc = sources.get(i)?.doc;
            doc.talks()
                .nth(k)
                .map(|t| t.pos)
                .or_else(|| doc.talks().last().map(|t| t.pos))
        };
        self.report_vote(&values, Some(&pos), show, "list of talks (by speaker)");
    }

    fn questions(&mut self) {
        let numbers: Vec<(usize, Vec<u32>)> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let items = s.doc.questions.iter().flat_map(|q| &q.items);
                (i, items.map(|q| q.number).collect())
            })
            .collect();
        let show = |v: &Vec<u32>| match v.len() {
            0 => "none".to_string(),
            n => format!("{n} (numbers {})", capped_list(v)),
        };
        let sources = self.sources;
        let pos = |i: usize| sources.get(i).and_then(|s| s.locate("questions"));
        self.report_vote(&numbers, Some(&pos), show, "list of questions");

        let all: BTreeSet<u32> = numbers
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        let by_number: Vec<BTreeMap<u32, &Question>> = self
            .sources
            .iter()
            .map(|s| {
                let items = s.doc.questions.iter().flat_map(|q| &q.items);
                items.map(|q| (q.number, q)).collect()
            })
            .collect();
        for number in all {
            let answers: Vec<(usize, Vec<String>)> = self
                .sources
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let q = by_number.get(i)?.get(&number)?;
                    let by = q.answers.iter().map(|a| s.doc.person(a.by).id.clone());
                    Some((i, by.collect()))
                })
                .collect();
            // Point at the first answer that differs, or at the question if none is left.
            let baseline = vote(&answers).map(|v| v.baseline).unwrap_or_default();
            let answers_ref = &answers;
            let by_number = &by_number;
            let pos = move |i: usize| {
                let (_, by) = answers_ref.iter().find(|(j, _)| *j == i)?;
                let k = first_mismatch(by, &baseline);
                let q = by_number.get(i)?.get(&number)?;
                Some(q.answers.get(k).map_or(q.pos, |a| a.pos))
            };
            let show = |v: &Vec<String>| match v.len() {
                0 => "none".to_string(),
                n => format!("{n} (by {})", capped_list(v)),
            };
            let what = format!("list of answers to question {number}");
            self.report_vote(&answers, Some(&pos), show, &what);
        }
    }

    fn units(&mut self) {
        let units: Vec<BTreeMap<UnitKey, Unit>> = self.sources.iter().map(units_of).collect();
        // Sections are matched by position, which means nothing when their number differs.
        let section_counts: Vec<(usize, usize)> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.doc.sections.len()))
            .collect();
        let sections_align = vote(&section_counts).is_none();
        if !sections_align {
            self.report_vote(
                &section_counts,
                None,
                |n| n.to_string(),
                "number of sections",
            );
        }
        let keys: BTreeSet<&UnitKey> = units.iter().flat_map(|u| u.keys()).collect();
        for key in keys {
            if matches!(key, UnitKey::Section(_)) && !sections_align {
                continue;
            }
            let present: Vec<(usize, &Unit)> = units
                .iter()
                .enumerate()
                .filter_map(|(i, u)| u.get(key).map(|unit| (i, unit)))
                .collect();
            if present.len() < 2 {
                continue;
            }
            self.compare_unit(key, &present);
        }
    }

    fn compare_unit(&mut self, key: &UnitKey, present: &[(usize, &Unit)]) {
        let what = key.describe();
        // Links: the same set of addresses in the part.
        let links: Vec<(usize, BTreeSet<String>)> = present
            .iter()
            .map(|(i, u)| {
                (
                    *i,
                    u.blocks
                        .iter()
                        .flat_map(|b| b.urls.iter().cloned())
                        .collect(),
                )
            })
            .collect();
        if let Some(vote) = vote(&links) {
            let agreeing = self.langs(&vote.agreeing);
            for (i, set) in &vote.differing {
                let extra: Vec<&String> = set.difference(&vote.baseline).collect();
                let lacking: Vec<&String> = vote.baseline.difference(set).collect();
                let message = format!(
                    "the links in {what} differ: {}",
                    difference(self.lang(*i), &agreeing, &extra, &lacking)
                );
                let pos = present.iter().find(|(j, _)| j == i).map(|(_, u)| u.pos);
                self.error(*i, pos, message);
            }
        }

        // Figures: block by block when every language has the same blocks, else the whole
        // part at once (then translators who merged two paragraphs raise no false alarm).
        let block_counts: Vec<(usize, usize)> =
            present.iter().map(|(i, u)| (*i, u.blocks.len())).collect();
        if vote(&block_counts).is_none() {
            let blocks = present.first().map_or(0, |(_, u)| u.blocks.len());
            for b in 0..blocks {
                let figures: Vec<(usize, &[Number], Pos, BlockKind)> = present
                    .iter()
                    .filter_map(|(i, u)| {
                        u.blocks
                            .get(b)
                            .map(|blk| (*i, blk.numbers.as_slice(), blk.pos, blk.kind))
                    })
                    .collect();
                self.compare_numbers(&figures, |kind| format!("this {} of {what}", kind.name()));
            }
        } else {
            let all: Vec<Vec<Number>> = present
                .iter()
                .map(|(_, u)| {
                    u.blocks
                        .iter()
                        .flat_map(|b| b.numbers.iter().cloned())
                        .collect()
                })
                .collect();
            let figures: Vec<(usize, &[Number], Pos, BlockKind)> = present
                .iter()
                .zip(&all)
                .map(|((i, u), n)| (*i, n.as_slice(), u.pos, BlockKind::Paragraph))
                .collect();
            self.compare_numbers(&figures, |_| what.clone());
        }

        // Paragraph and list item counts: warnings only.
        for kind in [BlockKind::Paragraph, BlockKind::Item] {
            let counts: Vec<(usize, usize)> =
                present.iter().map(|(i, u)| (*i, u.count(kind))).collect();
            if let Some(vote) = vote(&counts) {
                let agreeing = self.langs(&vote.agreeing);
                for (i, n) in &vote.differing {
                    let pos = present.iter().find(|(j, _)| j == i).map(|(_, u)| u.pos);
                    let message = format!(
                        "{what} has {n} {}s, but {} in {agreeing}",
                        kind.name(),
                        vote.baseline
                    );
                    self.warning(*i, pos, message);
                }
            }
        }
    }

    fn compare_numbers(
        &mut self,
        figures: &[(usize, &[Number], Pos, BlockKind)],
        place: impl Fn(BlockKind) -> String,
    ) {
        let values: Vec<(usize, Vec<String>)> = figures
            .iter()
            .map(|(i, numbers, _, _)| {
                let mut v: Vec<String> = numbers.iter().map(|n| n.value.clone()).collect();
                v.sort();
                (*i, v)
            })
            .collect();
        let Some(vote) = vote(&values) else { return };
        let agreeing = self.langs(&vote.agreeing);
        // The baseline's figures as its first language writes them.
        let base_written = vote
            .agreeing
            .first()
            .and_then(|a| figures.iter().find(|(j, ..)| j == a))
            .map(|(_, n, ..)| *n)
            .unwrap_or_default();
        for (i, _) in &vote.differing {
            let Some((_, here, pos, kind)) = figures.iter().find(|(j, ..)| j == i) else {
                continue;
            };
            let extra: Vec<String> = multiset_minus(here, base_written);
            let lacking: Vec<String> = multiset_minus(base_written, here);
            let message = format!(
                "the figures in {} differ: {}",
                place(*kind),
                difference(self.lang(*i), &agreeing, &extra, &lacking)
            );
            self.error(*i, Some(*pos), message);
        }
    }
}

/// Items joined with ", ", the first twenty only: a finding stays one readable line.
fn capped_list(items: &[impl Display]) -> String {
    let mut out = list_display(&items[..items.len().min(20)]);
    if items.len() > 20 {
        out.push_str(&format!(", … ({} more)", items.len() - 20));
    }
    out
}

/// The index of the first element where `a` and `b` differ (or the shorter length).
fn first_mismatch(a: &[String], b: &[String]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The figures of `a` (as written) whose values are not matched in `b`, counting repeats.
fn multiset_minus(a: &[Number], b: &[Number]) -> Vec<String> {
    let mut available: BTreeMap<&str, usize> = BTreeMap::new();
    for n in b {
        *available.entry(n.value.as_str()).or_default() += 1;
    }
    let mut out = Vec::new();
    for n in a {
        match available.get_mut(n.value.as_str()) {
            Some(count) if *count > 0 => *count -= 1,
            _ => out.push(n.written.clone()),
        }
    }
    out
}

/// "da has 200 where bg, en have 2000", or the half of it that applies.
fn difference(
    lang: &str,
    agreeing: &str,
    extra: &[impl Display],
    lacking: &[impl Display],
) -> String {
    match (extra.is_empty(), lacking.is_empty()) {
        (false, false) => format!(
            "{lang} has {} where {agreeing} have {}",
            capped_list(extra),
            capped_list(lacking)
        ),
        (false, true) => format!(
            "{lang} also has {}, which {agreeing} do not",
            capped_list(extra)
        ),
        (true, false) => format!(
            "{lang} lacks {}, which {agreeing} have",
            capped_list(lacking)
        ),
        (true, true) => format!("{lang} differs from {agreeing}"),
    }
}

fn list_display(v: &[impl Display]) -> String {
    v.iter()
        .map(|x| excerpt(&x.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Addresses compare equal whatever the case of the scheme and host and a trailing slash.
fn normalise_url(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
            format!("{}://{}{path}", scheme.to_lowercase(), host.to_lowercase())
        }
        None => url.to_string(),
    }
}

/// Splits a summary into the parts that correspond across languages.
fn units_of(source: &Source) -> BTreeMap<UnitKey, Unit> {
    let doc = source.doc;
    let mut units = BTreeMap::new();
    let meta_pos = |element: &str| source.locate(element).unwrap_or(Pos { line: 1, column: 1 });
    if let Some(a) = &doc.meta.attendance {
        let pos = meta_pos("attendance");
        units.insert(
            UnitKey::Attendance,
            Unit {
                pos,
                blocks: vec![text_block(BlockKind::Paragraph, pos, &a.text)],
            },
        );
    }
    if let Some(r) = &doc.meta.recording {
        let pos = meta_pos("recording");
        units.insert(
            UnitKey::Recording,
            Unit {
                pos,
                blocks: vec![text_block(BlockKind::Paragraph, pos, &r.text)],
            },
        );
    }
    let mut talks_by: BTreeMap<String, usize> = BTreeMap::new();
    for (s, section) in doc.sections.iter().enumerate() {
        let mut blocks = vec![heading_block(&section.heading, section.pos)];
        for block in &section.blocks {
            if let Block::Talk(talk) = block {
                let who = doc.person(talk.speaker).id.clone();
                let n = talks_by.entry(who.clone()).or_default();
                let mut talk_blocks = vec![heading_block(&talk.title, talk.pos)];
                push_blocks(&talk.blocks, &mut talk_blocks);
                units.insert(
                    UnitKey::Talk(who, *n),
                    Unit {
                        pos: talk.pos,
                        blocks: talk_blocks,
                    },
                );
                *n += 1;
            } else {
                push_blocks(std::slice::from_ref(block), &mut blocks);
            }
        }
        units.insert(
            UnitKey::Section(s),
            Unit {
                pos: section.pos,
                blocks,
            },
        );
    }
    for question in doc.questions.iter().flat_map(|q| &q.items) {
        units.insert(
            UnitKey::Question(question.number),
            Unit {
                pos: question.pos,
                blocks: vec![text_block(
                    BlockKind::Paragraph,
                    question.pos,
                    &question.text,
                )],
            },
        );
        let mut answers_by: BTreeMap<String, usize> = BTreeMap::new();
        for answer in &question.answers {
            let who = doc.person(answer.by).id.clone();
            let n = answers_by.entry(who.clone()).or_default();
            let blocks = answer
                .paragraphs
                .iter()
                .map(|p| text_block(BlockKind::Paragraph, p.pos, &p.content))
                .collect();
            units.insert(
                UnitKey::Answer(question.number, who, *n),
                Unit {
                    pos: answer.pos,
                    blocks,
                },
            );
            *n += 1;
        }
    }
    units
}

fn push_blocks(blocks: &[Block], out: &mut Vec<TextBlock>) {
    for block in blocks {
        match block {
            Block::Paragraph(p) => out.push(text_block(BlockKind::Paragraph, p.pos, &p.content)),
            Block::Subheading(h) => out.push(heading_block(&h.text, h.pos)),
            Block::List(list) => out.extend(
                list.items
                    .iter()
                    .map(|item| text_block(BlockKind::Item, item.pos, &item.content)),
            ),
            // People are compared person by person; talks are units of their own.
            Block::People(_) | Block::Talk(_) => {}
        }
    }
}

fn heading_block(text: &str, pos: Pos) -> TextBlock {
    text_block(BlockKind::Heading, pos, &[Inline::text(text)])
}

fn text_block(kind: BlockKind, pos: Pos, content: &[Inline]) -> TextBlock {
    let mut urls = Vec::new();
    let mut text = String::new();
    collect(content, &mut urls, &mut text);
    TextBlock {
        kind,
        pos,
        numbers: numbers_in(&text),
        urls,
    }
}

/// Gathers link addresses, and the text outside addresses (whose digits are not figures).
fn collect(inlines: &[Inline], urls: &mut Vec<String>, text: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text: t } => push_without_urls(t, text),
            Inline::Link { href, content } => {
                urls.push(normalise_url(href));
                push_without_urls(&plain_text(content), text);
            }
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Lang { content, .. } => collect(content, urls, text),
        }
        text.push(' ');
    }
}

fn push_without_urls(t: &str, out: &mut String) {
    let mut rest = t;
    while let Some((start, end)) = find_url(rest) {
        out.push_str(rest.get(..start).unwrap_or_default());
        out.push(' ');
        rest = rest.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_wins_and_ties_go_to_the_first() {
        let v = vote(&[(0, "a"), (1, "b"), (2, "b")]).expect("differs");
        assert_eq!(v.baseline, "b");
        assert_eq!(v.differing, vec![(0, "a")]);
        let v = vote(&[(0, "a"), (1, "b")]).expect("differs");
        assert_eq!(v.baseline, "a");
        assert!(vote(&[(0, "a"), (1, "a")]).is_none());
    }

    #[test]
    fn addresses_compare_without_case_of_host_or_trailing_slash() {
        assert_eq!(
            normalise_url("HTTPS://WWW.LinkedIn.com/in/innastus/"),
            "https://www.linkedin.com/in/innastus"
        );
    }
}
