//! The document body: the model turned into docx-rs paragraphs, styled with the styles of
//! `styles.rs`, in the order and shape of the PDF handout.
//!
//! Every visible word comes from the model; the writer adds only punctuation between them.

use std::collections::BTreeMap;

use docx_rs::{BreakType, Hyperlink, HyperlinkData, Paragraph, ParagraphChild, Run};

use super::ooxml_gaps;
use super::styles;
use crate::model::{Block, Inline, List, PeopleGroup, Person, Question, Summary, Talk};

/// The body's paragraphs and what the package needs to resolve their references.
pub(super) struct Body {
    pub paragraphs: Vec<Paragraph>,
    /// Hyperlink relationships (id, target) in order of first use.
    pub links: Vec<HyperlinkTarget>,
}

/// The characters the writer puts between the model's words (the fonts are subset to the
/// document's characters, so they must include these).
pub(super) const WRITER_PUNCTUATION: &str = ", :/";

/// An external hyperlink's relationship.
pub(super) struct HyperlinkTarget {
    pub rid: String,
    pub href: String,
}

/// The relationship id of the `index`-th hyperlink target. Chosen here, not by docx-rs, whose
/// ids come from a process-wide counter and so differ between two builds in one process.
fn link_rid(index: usize) -> String {
    format!("rIdLink{}", index + 1)
}

#[derive(Debug, Clone, Copy, Default)]
struct RunFormat<'l> {
    bold: bool,
    italic: bool,
    link: bool,
    /// The language of a phrase in another language than the document's.
    lang: Option<&'l str>,
}

impl RunFormat<'_> {
    fn run(self, text: &str) -> Run {
        let mut run = Run::new().add_text(text);
        if let Some(lang) = self.lang {
            run = ooxml_gaps::with_language(run, lang);
        }
        if self.link {
            run = run.style(styles::HYPERLINK);
        }
        if self.bold {
            run = run.bold();
        }
        if self.italic {
            run = run.italic();
        }
        run
    }
}

struct BodyBuilder<'a> {
    doc: &'a Summary,
    paragraphs: Vec<Paragraph>,
    link_index: BTreeMap<String, usize>,
    links: Vec<HyperlinkTarget>,
}

pub(super) fn build(doc: &Summary) -> Body {
    let mut b = BodyBuilder {
        doc,
        paragraphs: Vec::new(),
        link_index: BTreeMap::new(),
        links: Vec::new(),
    };
    b.title_block();
    for section in &doc.sections {
        b.push(styled(styles::HEADING_1).add_run(Run::new().add_text(&section.heading)));
        b.blocks(&section.blocks);
    }
    if let Some(questions) = &doc.questions {
        b.push(styled(styles::HEADING_1).add_run(Run::new().add_text(&questions.heading)));
        for question in &questions.items {
            b.question(question);
        }
    }
    Body {
        paragraphs: b.paragraphs,
        links: b.links,
    }
}

fn line_break() -> Run {
    Run::new().add_break(BreakType::TextWrapping)
}

fn styled(style_id: &str) -> Paragraph {
    Paragraph::new().style(style_id)
}

impl BodyBuilder<'_> {
    fn push(&mut self, p: Paragraph) {
        self.paragraphs.push(p);
    }

    fn title_block(&mut self) {
        let meta = &self.doc.meta;
        self.push(styled(styles::TITLE).add_run(Run::new().add_text(&meta.title)));
        self.push(
            styled(styles::SUBTITLE).add_run(
                Run::new()
                    .add_text(&meta.event)
                    .add_break(BreakType::TextWrapping)
                    .add_text(&meta.organiser),
            ),
        );
        if let Some(attendance) = &meta.attendance {
            let p = self.inlines(
                styled(styles::NORMAL),
                &attendance.text,
                RunFormat::default(),
            );
            self.push(p);
        }
        if let Some(recording) = &meta.recording {
            let p = if has_link(&recording.text) {
                self.inlines(
                    styled(styles::NORMAL),
                    &recording.text,
                    RunFormat::default(),
                )
            } else {
                // The sentence names no address itself: the whole sentence leads to it.
                let link = Inline::Link {
                    href: recording.href.clone(),
                    content: recording.text.clone(),
                };
                self.inlines(styled(styles::NORMAL), &[link], RunFormat::default())
            };
            self.push(p);
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            match block {
                Block::Paragraph(p) => {
                    let para =
                        self.inlines(styled(styles::NORMAL), &p.content, RunFormat::default());
                    self.push(para);
                }
                Block::Subheading(h) => {
                    self.push(styled(styles::HEADING_3).add_run(Run::new().add_text(&h.text)))
                }
                Block::List(list) => self.list(list),
                Block::People(group) => self.people(group),
                Block::Talk(talk) => self.talk(talk),
            }
        }
    }

    /// The items take their bullet from the List Bullet style's numbering, as a paragraph
    /// an editor gives that style does.
    fn list(&mut self, list: &List) {
        for item in &list.items {
            let p = styled(styles::LIST_BULLET);
            let p = self.inlines(p, &item.content, RunFormat::default());
            self.push(p);
        }
    }

    fn people(&mut self, group: &PeopleGroup) {
        self.push(styled(styles::PEOPLE_LABEL).add_run(Run::new().add_text(&group.label)));
        for person in group.members.iter().map(|r| self.doc.person(*r)) {
            let p = self.person(person);
            self.push(p);
        }
    }

    /// As the PDF's person card: the name in bold, then the affiliation and each profile
    /// (after the source's label) on lines of their own.
    fn person(&mut self, person: &Person) -> Paragraph {
        let mut p = styled(styles::PERSON).add_run(Run::new().add_text(&person.name).bold());
        if let Some(affiliation) = &person.affiliation {
            p = self.inlines(p.add_run(line_break()), affiliation, RunFormat::default());
        }
        let labels = &self.doc.meta.labels;
        let mut profiles: Vec<(&str, String, &str)> = Vec::new();
        if let Some(url) = &person.linkedin {
            profiles.push((&labels.linkedin, url.clone(), url));
        }
        if let (Some(handle), Some(url)) = (&person.twitter, person.twitter_url()) {
            profiles.push((&labels.twitter, url, handle));
        }
        for (label, url, shown) in profiles {
            p = p
                .add_run(line_break())
                .add_run(Run::new().add_text(format!("{label} ")));
            let link = RunFormat {
                link: true,
                ..Default::default()
            };
            p = self.link(p, &url, vec![link.run(shown)]);
        }
        p
    }

    fn talk(&mut self, talk: &Talk) {
        let speaker = talk.name(self.doc);
        let heading = match &talk.affiliation {
            Some(affiliation) => format!("{speaker}, {affiliation}: {}", talk.title),
            None => format!("{speaker}: {}", talk.title),
        };
        self.push(styled(styles::HEADING_2).add_run(Run::new().add_text(heading)));
        self.blocks(&talk.blocks);
    }

    fn question(&mut self, question: &Question) {
        let p = styled(styles::QUESTION)
            .add_run(Run::new().add_text(&question.label).bold())
            .add_run(line_break());
        let italic = RunFormat {
            italic: true,
            ..Default::default()
        };
        let p = self.inlines(p, &question.text, italic);
        self.push(p);
        for answer in &question.answers {
            let name = answer.name(self.doc);
            for (i, paragraph) in answer.paragraphs.iter().enumerate() {
                let mut p = styled(styles::NORMAL);
                if i == 0 {
                    p = p
                        .add_run(Run::new().add_text(format!("{name}:")).bold())
                        .add_run(Run::new().add_text(" "));
                }
                let p = self.inlines(p, &paragraph.content, RunFormat::default());
                self.push(p);
            }
        }
    }

    /// Appends running text to a paragraph: emphasis as italics, strong as bold, links as
    /// real external hyperlinks in the Hyperlink character style.
    fn inlines(&mut self, mut p: Paragraph, inlines: &[Inline], format: RunFormat) -> Paragraph {
        for inline in inlines {
            match inline {
                Inline::Text { text } => p = p.add_run(format.run(text)),
                Inline::Emphasis { content } => {
                    p = self.inlines(
                        p,
                        content,
                        RunFormat {
                            italic: true,
                            ..format
                        },
                    )
                }
                Inline::Strong { content } => {
                    p = self.inlines(
                        p,
                        content,
                        RunFormat {
                            bold: true,
                            ..format
                        },
                    )
                }
                Inline::Lang { lang, content } => {
                    p = self.inlines(
                        p,
                        content,
                        RunFormat {
                            lang: Some(lang),
                            ..format
                        },
                    )
                }
                Inline::Link { href, content } => {
                    let mut runs = Vec::new();
                    link_runs(
                        content,
                        RunFormat {
                            link: true,
                            ..format
                        },
                        &mut runs,
                    );
                    p = self.link(p, href, runs);
                }
            }
        }
        p
    }

    fn link(&mut self, p: Paragraph, href: &str, runs: Vec<Run>) -> Paragraph {
        let index = match self.link_index.get(href) {
            Some(i) => *i,
            None => {
                let i = self.links.len();
                self.links.push(HyperlinkTarget {
                    rid: link_rid(i),
                    href: href.to_string(),
                });
                self.link_index.insert(href.to_string(), i);
                i
            }
        };
        // Built by hand rather than with `Hyperlink::new`, which draws its relationship id from
        // a process-wide counter.
        let mut link = Hyperlink {
            link: HyperlinkData::External {
                rid: link_rid(index),
                path: href.to_string(),
            },
            history: None,
            children: Vec::new(),
        };
        link.children = runs
            .into_iter()
            .map(|r| ParagraphChild::Run(Box::new(r)))
            .collect();
        p.add_hyperlink(link)
    }
}

/// The runs of a link's content (links do not nest; a nested one keeps only its words).
fn link_runs(inlines: &[Inline], format: RunFormat, out: &mut Vec<Run>) {
    for inline in inlines {
        match inline {
            Inline::Text { text } => out.push(format.run(text)),
            Inline::Emphasis { content } => link_runs(
                content,
                RunFormat {
                    italic: true,
                    ..format
                },
                out,
            ),
            Inline::Strong { content } => link_runs(
                content,
                RunFormat {
                    bold: true,
                    ..format
                },
                out,
            ),
            Inline::Lang { lang, content } => link_runs(
                content,
                RunFormat {
                    lang: Some(lang),
                    ..format
                },
                out,
            ),
            Inline::Link { content, .. } => link_runs(content, format, out),
        }
    }
}

fn has_link(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Link { .. } => true,
        Inline::Emphasis { content }
        | Inline::Strong { content }
        | Inline::Lang { content, .. } => has_link(content),
        Inline::Text { .. } => false,
    })
}
