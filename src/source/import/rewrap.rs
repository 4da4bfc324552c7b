//! Undoing layout noise before the structure is read: lines a mail client or an editor
//! hard-wrapped, and numbered lists.
//!
//! A translator's text reaches polypress after passing through word processors and mail
//! clients, which break long lines and number lists. Both are recognised from shape alone
//! (case, punctuation, addresses, numbers counting up), never from words, and every change is
//! reported with its line so the editor can check it.

use super::decode::Line;
use super::layout::question_line;
use super::Note;
use crate::source::read::find_url;

/// Joins hard-wrapped lines and turns numbered lists into bulleted ones; returns the lines
/// (a joined line keeps the number of its first line) and a note per change.
pub fn unwrap_layout(lines: Vec<Line>) -> (Vec<Line>, Vec<Note>) {
    let mut notes = Vec::new();
    let lines = join_wrapped(lines, &mut notes);
    let lines = bullet_numbered_lists(lines, &mut notes);
    (lines, notes)
}

/// Whether a line ends a sentence: `.`, `!`, `?` or `…`, possibly inside closing quotes or
/// brackets.
fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(['"', '”', '“', '»', '«', '’', '\'', ')', ']'])
        .ends_with(['.', '!', '?', '…', '。'])
}

/// A line that is one web address and nothing else.
fn only_an_address(text: &str) -> bool {
    find_url(text).is_some_and(|(start, end)| start == 0 && end == text.len())
}

fn starts_lower_case(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_lowercase)
}

fn join_wrapped(lines: Vec<Line>, notes: &mut Vec<Note>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        let previous = out.last_mut().filter(|p| !p.is_blank());
        if let Some(previous) = previous {
            if !line.is_blank() {
                let why = if only_an_address(&line.text) && previous.text.ends_with(':') {
                    Some("a web address alone on the line after a line ending in ':'")
                } else if starts_lower_case(&line.text) && !ends_sentence(&previous.text) {
                    Some("it starts in lower case after a line that ends no sentence")
                } else {
                    None
                };
                if let Some(why) = why {
                    notes.push(Note {
                        line: line.number,
                        message: format!(
                            "joined to line {} as one hard-wrapped line: {why}",
                            previous.number
                        ),
                    });
                    previous.text.push(' ');
                    previous.text.push_str(&line.text);
                    continue;
                }
            }
        }
        out.push(line);
    }
    out
}

/// `N. text` or `N) text` with N of one to three digits: the number and the text.
fn numbered(text: &str) -> Option<(u32, &str)> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    if digits == 0 || digits > 3 {
        return None;
    }
    let number = text.get(..digits)?.parse().ok()?;
    let rest = text.get(digits..)?.strip_prefix(['.', ')'])?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    (!rest.is_empty()).then_some((number, rest))
}

/// Two or more consecutive lines numbered 1, 2, 3, … are a numbered list: their numbers
/// become bullets. The source format has bulleted lists only, so the order stays and the
/// numbers are reported. A single numbered line ("1. küsimus: …", "20. század …") is left
/// alone: that is how questions and ordinals are written.
fn bullet_numbered_lists(mut lines: Vec<Line>, notes: &mut Vec<Note>) -> Vec<Line> {
    // Answers have paragraphs, not lists: in the Q&A a numbered line keeps its number as
    // text, so nothing of it is lost.
    let end = qa_start(&lines).unwrap_or(lines.len());
    let mut i = 0;
    while i < end {
        let run = lines
            .iter()
            .take(end)
            .skip(i)
            .enumerate()
            .take_while(|(k, l)| numbered(&l.text).is_some_and(|(n, _)| n as usize == k + 1))
            .count();
        if run >= 2 {
            let first = lines.get(i).map_or(0, |l| l.number);
            for line in lines.iter_mut().skip(i).take(run) {
                if let Some((_, rest)) = numbered(&line.text) {
                    line.text = format!("• {rest}");
                }
            }
            notes.push(Note {
                line: first,
                message: format!(
                    "a list numbered 1 to {run} is written as a bulleted list (the source format has no numbered lists); its order is kept"
                ),
            });
            i += run;
        } else {
            i += 1;
        }
    }
    lines
}

/// The first question of the Q&A: a question line numbered 1 whose label a later line
/// numbered 2 shares.
///
/// Each line is read once: the labels numbered 2 are gathered from the end, so a text of
/// many lines numbered 1 costs no more than any other (looking ahead from each was quadratic).
fn qa_start(lines: &[Line]) -> Option<usize> {
    let questions: Vec<_> = lines.iter().map(|l| question_line(&l.text)).collect();
    let mut seconds_after = std::collections::HashSet::new();
    let mut start = None;
    for (i, q) in questions.iter().enumerate().rev() {
        let Some(q) = q else { continue };
        if q.number == 1 && seconds_after.contains(&q.template) {
            start = Some(i);
        }
        if q.number == 2 {
            seconds_after.insert(q.template.clone());
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                number: i + 1,
                text: t.to_string(),
            })
            .collect()
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_wrapped_sentence_and_an_address_on_its_own_line_are_joined() {
        let (out, notes) = unwrap_layout(lines(&[
            "The code is available in English:",
            "https://pingethics.fi/en/tietoa/",
            "Influencers can help disseminate useful information and",
            "provide an example.",
            "Moderator:",
            "Achim Ladwig, Head of Unit",
        ]));
        assert_eq!(
            texts(&out),
            [
                "The code is available in English: https://pingethics.fi/en/tietoa/",
                "Influencers can help disseminate useful information and provide an example.",
                "Moderator:",
                "Achim Ladwig, Head of Unit",
            ]
        );
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].line, 2);
        assert!(notes[0].message.contains("joined to line 1"));
        assert_eq!(notes[1].line, 4);
    }

    #[test]
    fn sentences_blank_lines_and_capitals_are_not_joined() {
        let input = [
            "A sentence ends here.",
            "another starts in lower case after it",
            "",
            "lower case after a blank line",
            "No final stop",
            "Capital after it",
        ];
        let (out, notes) = unwrap_layout(lines(&input));
        assert_eq!(texts(&out), input);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn numbered_lists_become_bulleted_and_single_numbers_stay() {
        let (out, notes) = unwrap_layout(lines(&[
            "1. küsimus: Millised organisatsioonid?",
            "Tips:",
            "1. Provide information.",
            "2) Keep your followers up to date.",
            "3. Offer help.",
            "20. század",
        ]));
        assert_eq!(
            texts(&out),
            [
                "1. küsimus: Millised organisatsioonid?",
                "Tips:",
                "• Provide information.",
                "• Keep your followers up to date.",
                "• Offer help.",
                "20. század",
            ]
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].line, 3);
    }

    #[test]
    fn numbered_lines_in_answers_keep_their_numbers() {
        let input = [
            "Question 1: What helps?",
            "Alba Garavet: Two things:",
            "1. Speed.",
            "2. Trust.",
            "Question 2: And then?",
        ];
        let (out, notes) = unwrap_layout(lines(&input));
        assert_eq!(texts(&out), input);
        assert!(notes.is_empty(), "{notes:?}");
    }
}
