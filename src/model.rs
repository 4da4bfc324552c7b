//! The document model every writer reads: one `Summary` per source file.
//!
//! Writers take it read-only and never see XML. Every visible word, labels included, lives
//! here in the document's own language, so no writer has to invent a word.

use serde::Serialize;

/// The source format version this build of polypress reads (`<summary version="1">`).
pub const FORMAT_VERSION: &str = "1";

/// Where something sits in its source file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One event summary in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Stable identifier shared by every language of the same summary (e.g. `cor-webinar-2`).
    pub id: String,
    /// BCP 47 language tag of the text (`bg`, `hu`, `da`, `en`, ...).
    pub lang: String,
    pub meta: Meta,
    /// Everyone the summary mentions, in the order they are introduced.
    pub people: Vec<Person>,
    pub sections: Vec<Section>,
    pub questions: Option<Questions>,
}

impl Summary {
    /// The person a reference points at. References are created only by the reader, which
    /// resolves them against `people`, so they are always in range.
    pub fn person(&self, r: PersonRef) -> &Person {
        &self.people[r.0]
    }

    /// The title to repeat in running footers and navigation: the short title if given.
    pub fn short_title(&self) -> &str {
        self.meta.short_title.as_deref().unwrap_or(&self.meta.title)
    }

    /// Every talk, in document order.
    pub fn talks(&self) -> impl Iterator<Item = &Talk> {
        self.sections.iter().flat_map(|s| {
            s.blocks.iter().filter_map(|b| match b {
                Block::Talk(t) => Some(t),
                _ => None,
            })
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    pub title: String,
    pub short_title: Option<String>,
    /// The event or series, e.g. "Digital Masterclasses webinar".
    pub event: String,
    pub organiser: String,
    /// When the event took place, `YYYY-MM-DD`, if the source says.
    pub date: Option<String>,
    /// When this source text was last revised, `YYYY-MM-DD`: the date written into outputs
    /// when `SOURCE_DATE_EPOCH` is not set.
    pub revised: String,
    pub attendance: Option<Attendance>,
    pub recording: Option<Recording>,
    /// A sentence or two for readers who rely on assistive technology, describing how the
    /// publication can be read (EPUB's `schema:accessibilitySummary`), in the document's
    /// language.
    pub accessibility_summary: Option<String>,
    pub labels: Labels,
}

/// Attendance figures, as numbers for checks and as the sentence that reports them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendance {
    pub registered: Option<u64>,
    pub attended: Option<u64>,
    pub text: Vec<Inline>,
}

/// The recording of the event: its address and the sentence that announces it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recording {
    pub href: String,
    pub text: Vec<Inline>,
}

/// Words that writers show around the content, in the document's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Labels {
    /// Label before a LinkedIn profile link (the seeds say "LinkedIn").
    pub linkedin: String,
    /// Label before an X/Twitter handle (the seeds say "Twitter").
    pub twitter: String,
    /// Heading of a table of contents (EPUB navigation). Falls back to the title.
    pub contents: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Speaker,
    Moderator,
    /// Whoever gave the welcome and introductory remarks.
    Welcome,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Speaker => "speaker",
            Role::Moderator => "moderator",
            Role::Welcome => "welcome",
        }
    }
}

/// Index of a person in `Summary::people`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PersonRef(pub usize);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// Identifier used by references (`<talk speaker="lahti">`), the same in every language.
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Position and organisation, as the source words it: text, and phrases in another
    /// language (`Inline::Lang`) such as an English job title in Bulgarian text.
    pub affiliation: Option<Vec<Inline>>,
    pub linkedin: Option<String>,
    /// X/Twitter handle including the `@`.
    pub twitter: Option<String>,
    pub pos: Pos,
}

impl Person {
    /// The profile address of the X/Twitter handle.
    pub fn twitter_url(&self) -> Option<String> {
        self.twitter
            .as_deref()
            .map(|h| format!("https://x.com/{}", h.trim_start_matches('@')))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Block {
    Paragraph(Paragraph),
    Subheading(Subheading),
    List(List),
    /// A group of people with one role, shown where the source places it.
    People(PeopleGroup),
    Talk(Talk),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    pub content: Vec<Inline>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subheading {
    pub text: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct List {
    pub items: Vec<Paragraph>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleGroup {
    pub role: Role,
    /// The group's heading in the document's language ("Speakers", "Оратори", ...).
    pub label: String,
    pub members: Vec<PersonRef>,
    pub pos: Pos,
}

/// One speaker's talk: who, under which affiliation, on what, and what was said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Talk {
    pub speaker: PersonRef,
    /// The affiliation shown with the speaker's name in the talk's heading.
    pub affiliation: Option<String>,
    /// The speaker's name as the heading writes it, when it differs from the person's full
    /// name (the bg source's heading spells "Валлерия" where the speaker list has "Валерия").
    pub shown_name: Option<String>,
    pub title: String,
    /// Paragraphs, sub-headings and lists (never people or nested talks).
    pub blocks: Vec<Block>,
    pub pos: Pos,
}

impl Talk {
    /// The name to print in the talk's heading.
    pub fn name<'a>(&'a self, doc: &'a Summary) -> &'a str {
        self.shown_name
            .as_deref()
            .unwrap_or(&doc.person(self.speaker).name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Questions {
    pub heading: String,
    pub items: Vec<Question>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    pub number: u32,
    /// The question's label in the document's language ("Question 1", "1. kérdés").
    pub label: String,
    pub text: Vec<Inline>,
    pub answers: Vec<Answer>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub by: PersonRef,
    /// The name as the translator wrote it before this answer, when it differs from the
    /// person's full name (e.g. first name only).
    pub shown_name: Option<String>,
    pub paragraphs: Vec<Paragraph>,
    pub pos: Pos,
}

impl Answer {
    /// The name to print before the answer.
    pub fn name<'a>(&'a self, doc: &'a Summary) -> &'a str {
        self.shown_name
            .as_deref()
            .unwrap_or(&doc.person(self.by).name)
    }
}

/// Running text. Whitespace is already normalised: single spaces, no leading or trailing
/// space in a block; non-breaking spaces (U+00A0) are kept as they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Inline {
    Text {
        text: String,
    },
    Link {
        href: String,
        content: Vec<Inline>,
    },
    Emphasis {
        content: Vec<Inline>,
    },
    Strong {
        content: Vec<Inline>,
    },
    /// A phrase in another language than the document's (`<span lang="en">`): writers mark
    /// it so that screen readers and hyphenation switch language for it.
    Lang {
        lang: String,
        content: Vec<Inline>,
    },
}

impl Inline {
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text { text: s.into() }
    }
}

/// The plain text of inline content, as a reader would copy it.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text } => out.push_str(text),
            Inline::Link { content, .. }
            | Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Lang { content, .. } => push_plain_text(content, out),
        }
    }
}

impl Summary {
    /// Every piece of text a reader of any output should find, in document order: metadata,
    /// labels, people (names, affiliations, profile addresses, handles), headings, running
    /// text, questions and answers. Tests use it to prove that nothing is lost.
    pub fn visible_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        let m = &self.meta;
        out.push(m.title.clone());
        out.extend(m.short_title.clone());
        out.push(m.event.clone());
        out.push(m.organiser.clone());
        if let Some(a) = &m.attendance {
            out.push(plain_text(&a.text));
        }
        if let Some(r) = &m.recording {
            out.push(plain_text(&r.text));
        }
        for section in &self.sections {
            out.push(section.heading.clone());
            self.blocks_text(&section.blocks, &mut out);
        }
        if let Some(q) = &self.questions {
            out.push(q.heading.clone());
            for question in &q.items {
                out.push(question.label.clone());
                out.push(plain_text(&question.text));
                for answer in &question.answers {
                    out.push(answer.name(self).to_string());
                    out.extend(answer.paragraphs.iter().map(|p| plain_text(&p.content)));
                }
            }
        }
        out
    }

    fn blocks_text(&self, blocks: &[Block], out: &mut Vec<String>) {
        for block in blocks {
            match block {
                Block::Paragraph(p) => out.push(plain_text(&p.content)),
                Block::Subheading(h) => out.push(h.text.clone()),
                Block::List(l) => out.extend(l.items.iter().map(|i| plain_text(&i.content))),
                Block::People(g) => {
                    out.push(g.label.clone());
                    for person in g.members.iter().map(|r| self.person(*r)) {
                        out.push(person.name.clone());
                        out.extend(person.affiliation.as_deref().map(plain_text));
                        if let Some(url) = &person.linkedin {
                            out.push(format!("{} {url}", self.meta.labels.linkedin));
                        }
                        if let Some(handle) = &person.twitter {
                            out.push(format!("{} {handle}", self.meta.labels.twitter));
                        }
                    }
                }
                Block::Talk(t) => {
                    out.push(t.name(self).to_string());
                    out.extend(t.affiliation.clone());
                    out.push(t.title.clone());
                    self.blocks_text(&t.blocks, out);
                }
            }
        }
    }
}
