//! Translators' slips that reach print: a proper name one language spells differently from
//! all the others, a web address glued to the word before it, straight or unbalanced
//! quotation marks. All are warnings with the fix as a hint; the sources keep the text as
//! the translator wrote it until the translator confirms the fix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::model::{plain_text, Block, Pos, Summary};
use crate::source::read::find_url;

/// One source to look at: its file, model and text (for positions inside a block).
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a Path,
    pub doc: &'a Summary,
    pub text: &'a [u8],
}

/// A piece of running text and where its element starts.
struct Unit {
    pos: Option<Pos>,
    /// The element to look for when the model keeps no position (metadata).
    element: Option<&'static str>,
    text: String,
}

fn units(doc: &Summary) -> Vec<Unit> {
    let mut out = Vec::new();
    let meta = |element: &'static str, text: String| Unit {
        pos: None,
        element: Some(element),
        text,
    };
    let at = |pos: Pos, text: String| Unit {
        pos: Some(pos),
        element: None,
        text,
    };
    let m = &doc.meta;
    out.push(meta("title", m.title.clone()));
    out.push(meta("event", m.event.clone()));
    out.push(meta("organiser", m.organiser.clone()));
    if let Some(a) = &m.attendance {
        out.push(meta("attendance", plain_text(&a.text)));
    }
    if let Some(r) = &m.recording {
        out.push(meta("recording", plain_text(&r.text)));
    }
    for person in &doc.people {
        out.push(at(person.pos, person.name.clone()));
        if let Some(a) = &person.affiliation {
            out.push(at(person.pos, plain_text(a)));
        }
    }
    fn blocks(list: &[Block], out: &mut Vec<Unit>) {
        for block in list {
            match block {
                Block::Paragraph(p) => out.push(Unit {
                    pos: Some(p.pos),
                    element: None,
                    text: plain_text(&p.content),
                }),
                Block::Subheading(s) => out.push(Unit {
                    pos: Some(s.pos),
                    element: None,
                    text: s.text.clone(),
                }),
                Block::List(l) => out.extend(l.items.iter().map(|i| Unit {
                    pos: Some(i.pos),
                    element: None,
                    text: plain_text(&i.content),
                })),
                Block::People(g) => out.push(Unit {
                    pos: Some(g.pos),
                    element: None,
                    text: g.label.clone(),
                }),
                Block::Talk(t) => {
                    out.push(Unit {
                        pos: Some(t.pos),
                        element: None,
                        text: format!(
                            "{} {}",
                            t.affiliation.as_deref().unwrap_or_default(),
                            t.title
                        ),
                    });
                    blocks(&t.blocks, out);
                }
            }
        }
    }
    for section in &doc.sections {
        out.push(at(section.pos, section.heading.clone()));
        blocks(&section.blocks, &mut out);
    }
    if let Some(q) = &doc.questions {
        out.push(at(q.pos, q.heading.clone()));
        for question in &q.items {
            out.push(at(question.pos, plain_text(&question.text)));
            for answer in &question.answers {
                for p in &answer.paragraphs {
                    out.push(at(p.pos, plain_text(&p.content)));
                }
            }
        }
    }
    out
}

impl Source<'_> {
    /// Where `needle` first stands in the source at or after the unit's element, or the
    /// element itself when the needle is written differently there (an entity, say).
    fn locate(&self, unit: &Unit, needle: &str) -> Option<Pos> {
        let text = self.text;
        let start = match (unit.pos, unit.element) {
            (Some(pos), _) => line_offset(text, pos.line),
            (None, Some(element)) => find(text, format!("<{element}").as_bytes(), 0)?,
            (None, None) => 0,
        };
        let index = crate::source::xml::LineIndex::new(text);
        match find(text, needle.as_bytes(), start) {
            Some(offset) => Some(index.pos(text, offset)),
            None => unit.pos.or_else(|| Some(index.pos(text, start))),
        }
    }
}

fn line_offset(text: &[u8], line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(line - 2)
        .map_or(0, |(i, _)| i + 1)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Every slip in the sources: per source (addresses, quotation marks) and across the
/// languages of one summary (proper names).
pub fn check(sources: &[Source]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for source in sources {
        let units = units(source.doc);
        glued_addresses(source, &units, &mut out);
        quotation_marks(source, &units, &mut out);
    }
    let mut groups: BTreeMap<&str, Vec<Source>> = BTreeMap::new();
    for source in sources {
        groups.entry(&source.doc.id).or_default().push(*source);
    }
    for group in groups.values() {
        proper_names(group, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Addresses glued to the word before them.

fn glued_addresses(source: &Source, units: &[Unit], out: &mut Vec<Diagnostic>) {
    for unit in units {
        let text = unit.text.as_str();
        for (start, _) in text.match_indices(['h', 'w']) {
            let rest = &text[start..];
            if !(rest.starts_with("https://")
                || rest.starts_with("http://")
                || rest.starts_with("www."))
            {
                continue;
            }
            let Some(before) = text[..start].chars().next_back() else {
                continue;
            };
            // Inside an address ("https://www."), or set off by a space, bracket or quote.
            if before.is_whitespace()
                || matches!(before, '/' | '.' | '@' | '-' | '_' | '=' | '&' | '?' | '#')
                || matches!(
                    before,
                    '(' | '[' | '<' | '"' | '“' | '„' | '«' | '»' | '‘' | '‚' | '\''
                )
            {
                continue;
            }
            let end = find_url(rest).map_or(rest.len(), |(_, e)| e);
            let address = &rest[..end];
            let word_start = text[..start].rfind(char::is_whitespace).map_or(0, |i| {
                i + text[i..].chars().next().map_or(1, char::len_utf8)
            });
            let glued = &text[word_start..start];
            let needle = format!("{glued}{address}");
            out.push(
                Diagnostic::warning(
                    source.file,
                    source.locate(unit, &needle),
                    format!(
                        "{}: the address {address} is glued to \"{glued}\" before it",
                        source.doc.lang
                    ),
                )
                .with_hint(format!("write a space before it: \"{glued} {address}\"")),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Quotation marks.

/// The double quotation marks of a language, from CLDR 48 (`main/<lang>/delimiters.json`:
/// quotationStart/End and, when double, alternateQuotationStart/End); single quotes are left
/// out because ’ is also the apostrophe. Danish also writes »…« and „…“ (Dansk Sprognævn);
/// CLDR gives only “…”.
const QUOTES: &[(&str, &[(char, char)])] = &[
    ("bg", &[('„', '“')]),
    ("cs", &[('„', '“')]),
    ("da", &[('“', '”'), ('»', '«'), ('„', '“')]),
    ("de", &[('„', '“')]),
    ("el", &[('«', '»'), ('“', '”')]),
    ("en", &[('“', '”')]),
    ("es", &[('“', '”')]),
    ("et", &[('„', '“')]),
    ("fi", &[('”', '”')]),
    ("fr", &[('«', '»')]),
    ("ga", &[('“', '”')]),
    ("hr", &[('„', '“')]),
    ("hu", &[('„', '”'), ('»', '«')]),
    ("it", &[('«', '»'), ('“', '”')]),
    ("lt", &[('„', '“')]),
    ("lv", &[('“', '”')]),
    ("mt", &[('“', '”')]),
    ("nl", &[('“', '”')]),
    ("pl", &[('„', '”'), ('«', '»')]),
    ("pt", &[('“', '”')]),
    ("ro", &[('„', '”'), ('«', '»')]),
    ("sk", &[('„', '“')]),
    ("sl", &[('„', '“')]),
    ("sv", &[('”', '”')]),
    ("ru", &[('«', '»'), ('„', '“')]),
    ("uk", &[('«', '»'), ('„', '“')]),
];

/// Every double quotation mark any language uses, and the straight one.
const ANY_QUOTE: &[char] = &['"', '“', '”', '„', '«', '»', '‟'];

fn pairs_of(lang: &str) -> Option<&'static [(char, char)]> {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    QUOTES
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(primary))
        .map(|(_, p)| *p)
}

fn written_as(pairs: &[(char, char)]) -> String {
    pairs
        .iter()
        .map(|(o, c)| format!("{o}…{c}"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `text[from..to]`, shortened in the middle to about 40 characters.
fn shortened(text: &str, from: usize, to: usize) -> String {
    let part = text.get(from..to).unwrap_or_default();
    let chars: Vec<char> = part.chars().collect();
    if chars.len() <= 44 {
        return part.to_string();
    }
    // Cut between words where there is a space to cut at.
    let head: String = chars.iter().take(30).collect();
    let head = head.rfind(' ').map_or(head.as_str(), |i| &head[..i]);
    let tail: String = chars.iter().skip(chars.len() - 12).collect();
    let tail = tail.find(' ').map_or(tail.as_str(), |i| &tail[i + 1..]);
    format!("{} … {}", head.trim_end(), tail.trim_start())
}

/// The end of the character at byte `i`.
fn after(text: &str, i: usize) -> usize {
    i + text[i..].chars().next().map_or(0, char::len_utf8)
}

struct QuoteFinding {
    /// Byte index of the mark to point at.
    at: usize,
    message: String,
    fix: String,
}

/// The quotation-mark slips in one piece of text.
fn quote_findings(text: &str, lang: &str, pairs: &[(char, char)]) -> Vec<QuoteFinding> {
    let (open_mark, close_mark) = pairs.first().copied().unwrap_or(('“', '”'));
    let mut found = Vec::new();
    // Open quotation marks: (byte index, the mark, the marks that close it).
    let mut open: Vec<(usize, char, Vec<char>)> = Vec::new();
    let mut straight: Vec<usize> = Vec::new();
    for (i, c) in text.char_indices() {
        if !ANY_QUOTE.contains(&c) {
            continue;
        }
        if open
            .last()
            .is_some_and(|(_, _, closers)| closers.contains(&c))
        {
            open.pop();
            continue;
        }
        let closers: Vec<char> = pairs
            .iter()
            .filter(|(o, _)| *o == c)
            .map(|(_, close)| *close)
            .collect();
        if !closers.is_empty() {
            open.push((i, c, closers));
            continue;
        }
        if c == '"' && open.is_empty() {
            straight.push(i);
            continue;
        }
        match open.pop() {
            Some((at, mark, closers)) => {
                let closer = closers.first().copied().unwrap_or(close_mark);
                let inner = shortened(text, after(text, at), i);
                let closing = if c == '"' {
                    "a straight \"".to_string()
                } else {
                    c.to_string()
                };
                found.push(QuoteFinding {
                    at,
                    message: format!(
                        "the quotation {} opens with {mark} but closes with {closing}",
                        shortened(text, at, after(text, i))
                    ),
                    fix: format!("close it with {closer}: {mark}{inner}{closer}"),
                });
            }
            None => {
                let opener = pairs
                    .iter()
                    .find(|(_, close)| *close == c)
                    .map_or(open_mark, |(o, _)| *o);
                // Up to about 60 characters before the mark, from a word's start.
                let from = match text[..i].char_indices().rev().nth(59) {
                    None => 0,
                    Some((k, _)) => text[k..i]
                        .find(char::is_whitespace)
                        .map_or(k, |w| after(text, k + w)),
                };
                let lead = if from > 0 { "…" } else { "" };
                found.push(QuoteFinding {
                    at: i,
                    message: format!(
                        "the closing {c} in \"{lead}{}\" has no opening quotation mark",
                        shortened(text, from, after(text, i))
                    ),
                    fix: format!("add the opening {opener} where the quotation starts"),
                });
            }
        }
    }
    for (at, _, closers) in open {
        let closer = closers.first().copied().unwrap_or(close_mark);
        found.push(QuoteFinding {
            at,
            message: format!(
                "the quotation {} is never closed",
                shortened(text, at, text.len())
            ),
            fix: format!("close it with {closer} where it ends"),
        });
    }
    if let (Some(first), Some(second)) = (straight.first(), straight.get(1)) {
        let pairs_here = straight.len() / 2;
        let more = if pairs_here > 1 {
            format!(" ({pairs_here} pairs in this part)")
        } else {
            String::new()
        };
        found.push(QuoteFinding {
            at: *first,
            message: format!(
                "straight quotation marks around {}{more}",
                shortened(text, *first, after(text, *second))
            ),
            fix: format!(
                "write {open_mark}{}{close_mark}",
                shortened(text, after(text, *first), *second)
            ),
        });
    } else if let Some(only) = straight.first() {
        found.push(QuoteFinding {
            at: *only,
            message: format!(
                "a straight quotation mark without its pair in \"{}\"",
                shortened(text, *only, text.len())
            ),
            fix: format!("{lang} quotes with {open_mark}…{close_mark}"),
        });
    }
    found
}

fn quotation_marks(source: &Source, units: &[Unit], out: &mut Vec<Diagnostic>) {
    let lang = source.doc.lang.as_str();
    let Some(pairs) = pairs_of(lang) else {
        return;
    };
    for unit in units {
        let text = unit.text.as_str();
        if !text.contains(ANY_QUOTE) {
            continue;
        }
        for finding in quote_findings(text, lang, pairs) {
            let needle: String = text[finding.at..].chars().take(24).collect();
            out.push(
                Diagnostic::warning(
                    source.file,
                    source.locate(unit, &needle),
                    format!("{lang}: {}", finding.message),
                )
                .with_hint(format!(
                    "{}; {lang} writes {}",
                    finding.fix,
                    written_as(pairs)
                )),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Proper names.

/// A capitalised Latin-script word, an acronym or a hashtag, of three letters or more.
fn proper_names_in(text: &str, into: &mut BTreeSet<String>) {
    // Addresses and handles are compared elsewhere, and their letters are no words.
    let mut plain = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, end)) = find_url(rest) {
        plain.push_str(&rest[..start]);
        plain.push(' ');
        rest = &rest[end..];
    }
    plain.push_str(rest);
    let latin = |c: char| c.is_alphabetic() && (c as u32) < 0x0250;
    let chars: Vec<(usize, char)> = plain.char_indices().collect();
    let mut k = 0;
    while let Some(&(start, c)) = chars.get(k) {
        let before = k.checked_sub(1).and_then(|p| chars.get(p)).map(|(_, c)| *c);
        let starts_word = before.is_none_or(|b| !(b.is_alphanumeric() || b == '@' || b == '_'));
        let hashtag = c == '#' && chars.get(k + 1).is_some_and(|(_, n)| latin(*n));
        if !(starts_word && (latin(c) || hashtag)) {
            k += 1;
            continue;
        }
        let mut end = k + 1;
        while chars
            .get(end)
            .is_some_and(|(_, c)| latin(*c) || c.is_ascii_digit())
        {
            end += 1;
        }
        // A word of another script continuing ("PINGа") is no Latin name.
        let glued_to_other = chars.get(end).is_some_and(|(_, c)| c.is_alphabetic());
        let stop = chars.get(end).map_or(plain.len(), |(i, _)| *i);
        let word = &plain[start..stop];
        let core = word.trim_start_matches('#');
        let letters = core.chars().filter(|c| c.is_alphabetic()).count();
        let capitalised = core.chars().next().is_some_and(char::is_uppercase);
        if !glued_to_other && letters >= 3 && (hashtag || capitalised) {
            into.insert(word.to_string());
        }
        k = end;
    }
}

/// Acronyms, hashtags and names with a capital inside (PING, #Coronafacts, TikTok) are not
/// translated, so any variant is a slip; an ordinary capitalised word may be an exonym or an
/// inflected form (Turin, Torinó, Euroopa), so it counts only where the language never
/// writes the others' form.
fn untranslated(word: &str) -> bool {
    word.starts_with('#') || word.chars().filter(|c| c.is_uppercase()).count() >= 2
}

/// Edit distance, counting in characters, capped: `None` above `cap`.
fn distance(a: &str, b: &str, cap: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > cap {
        return None;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let value = (above.saturating_add(1))
                .min(left.saturating_add(1))
                .min(previous + usize::from(ca != cb));
            previous = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().filter(|d| *d <= cap)
}

fn proper_names(group: &[Source], out: &mut Vec<Diagnostic>) {
    // Needs two other languages that agree: with two sources there is no majority.
    if group.len() < 3 {
        return;
    }
    let per_source: Vec<(Vec<Unit>, BTreeSet<String>)> = group
        .iter()
        .map(|s| {
            let units = units(s.doc);
            let mut names = BTreeSet::new();
            for unit in &units {
                proper_names_in(&unit.text, &mut names);
            }
            (units, names)
        })
        .collect();
    for (i, source) in group.iter().enumerate() {
        let Some((units, own)) = per_source.get(i) else {
            continue;
        };
        let others: Vec<&BTreeSet<String>> = per_source
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != i)
            .map(|(_, (_, names))| names)
            .collect();
        let Some((first, rest)) = others.split_first() else {
            continue;
        };
        let shared: Vec<&String> = first
            .iter()
            .filter(|name| rest.iter().all(|o| o.contains(*name)))
            .collect();
        for word in own {
            if others.iter().any(|o| o.contains(word)) {
                continue;
            }
            let lower = word.to_lowercase();
            let model = shared.iter().find(|name| {
                let name_lower = name.to_lowercase();
                // An inflection ("TikToki" of "TikTok") is the same name.
                let inflected = lower.starts_with(&name_lower) || name_lower.starts_with(&lower);
                let kind_ok =
                    untranslated(name) || untranslated(word) || !own.contains(name.as_str());
                !inflected
                    && kind_ok
                    && name.chars().count() >= 4
                    && distance(word, name, 2).is_some_and(|d| d >= 1)
            });
            let Some(model) = model else { continue };
            let langs: Vec<&str> = group
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i)
                .map(|(_, s)| s.doc.lang.as_str())
                .collect();
            let unit = units.iter().find(|u| {
                let mut names = BTreeSet::new();
                proper_names_in(&u.text, &mut names);
                names.contains(word)
            });
            let pos = unit.and_then(|u| source.locate(u, word));
            out.push(
                Diagnostic::warning(
                    source.file,
                    pos,
                    format!(
                        "{}: \"{word}\" is written \"{model}\" in {}",
                        source.doc.lang,
                        langs.join(", ")
                    ),
                )
                .with_hint(format!("did you mean \"{model}\"?")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str, lang: &str) -> Vec<String> {
        let pairs = pairs_of(lang).expect("known language");
        quote_findings(text, lang, pairs)
            .into_iter()
            .map(|f| format!("{} | {}", f.message, f.fix))
            .collect()
    }

    #[test]
    fn quotation_marks_of_each_language() {
        assert!(messages("nagu „Kuidas maailm välja näeb?“ ja „võltsuudised“", "et").is_empty());
        assert!(messages("az „álhírek” és »belső« idézet", "hu").is_empty());
        assert!(messages("som »Hvordan« og „sådan“ og “så”", "da").is_empty());
        assert_eq!(
            messages("such as “What will the world look like?\"", "en"),
            ["the quotation “What will the world look like?\" opens with “ but closes with a straight \" | close it with ”: “What will the world look like?”"]
        );
        assert_eq!(
            messages("käsiraamat“ on samuti", "et"),
            ["the closing “ in \"käsiraamat“\" has no opening quotation mark | add the opening „ where the quotation starts"]
        );
        assert_eq!(
            messages("the term \"fake news\" and \"fake news\"", "en"),
            ["straight quotation marks around \"fake news\" (2 pairs in this part) | write “fake news”"]
        );
        assert_eq!(
            messages("„never closed", "de"),
            ["the quotation „never closed is never closed | close it with “ where it ends"]
        );
        // English “ is the Estonian closing mark: in et it closes, it does not open.
        assert_eq!(messages("„see“", "et"), Vec::<String>::new());
    }

    #[test]
    fn names_are_latin_capitalised_words_acronyms_and_hashtags() {
        let mut names = BTreeSet::new();
        proper_names_in(
            "PCING Helsinki и # Coronafacts, #Coronafacts, the www.PING.fi site, @Val_Voshchevska, COVID-19, Ab",
            &mut names,
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(
            names,
            ["#Coronafacts", "COVID", "Coronafacts", "Helsinki", "PCING"]
        );
    }

    #[test]
    fn edit_distance_is_capped() {
        assert_eq!(distance("PCING", "PING", 2), Some(1));
        assert_eq!(distance("Ping", "PING", 2), None);
        assert_eq!(distance("same", "same", 2), Some(0));
    }
}
