//! Warnings about the shape of one source's Q&A and talks that the format allows but that a
//! reader would take for a mistake: questions not numbered 1..n in order, one person
//! answering a question twice, a talk with nothing under its heading.
//!
//! An answer by someone who is not in the people lists is already an error of the reader
//! (`<answer> refers to person "x"`), so it is not repeated here.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::model::{Block, Summary};

pub fn check(doc: &Summary, file: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(questions) = &doc.questions {
        let numbers: Vec<u32> = questions.items.iter().map(|q| q.number).collect();
        let out_of_order = questions
            .items
            .iter()
            .enumerate()
            .find(|(i, q)| q.number as usize != i + 1);
        if let Some((i, q)) = out_of_order {
            let list: Vec<String> = numbers.iter().map(u32::to_string).collect();
            out.push(
                Diagnostic::warning(
                    file,
                    Some(q.pos),
                    format!(
                        "{}: the questions are numbered {}, not 1 to {} in order",
                        doc.lang,
                        list.join(", "),
                        numbers.len()
                    ),
                )
                .with_hint(format!(
                    "question {} would be number=\"{}\"; a question may be missing or numbered twice",
                    i + 1,
                    i + 1
                )),
            );
        }
        for q in &questions.items {
            for (k, answer) in q.answers.iter().enumerate() {
                if let Some(earlier) = q.answers.iter().take(k).find(|a| a.by == answer.by) {
                    out.push(
                        Diagnostic::warning(
                            file,
                            Some(answer.pos),
                            format!(
                                "{}: \"{}\" answers question {} twice (the first answer is at {})",
                                doc.lang,
                                doc.person(answer.by).id,
                                q.number,
                                earlier.pos
                            ),
                        )
                        .with_hint("one of the answers may be another person's"),
                    );
                }
            }
        }
    }
    for section in &doc.sections {
        for block in &section.blocks {
            if let Block::Talk(talk) = block {
                if talk.blocks.is_empty() {
                    out.push(
                        Diagnostic::warning(
                            file,
                            Some(talk.pos),
                            format!(
                                "{}: the talk by \"{}\" has no text under its title",
                                doc.lang,
                                doc.person(talk.speaker).id
                            ),
                        )
                        .with_hint("its text may be missing from the translation"),
                    );
                }
            }
        }
    }
    out
}
