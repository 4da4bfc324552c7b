//! Turns the positioned element tree into a `Summary`, checking the structure as it goes.
//!
//! Structural problems are collected rather than returned one by one, so that a writer of a
//! source sees every mistake in one run. Each message names the line and column.

use std::collections::BTreeMap;
use std::path::Path;

use super::xml::{Element, Node};
use crate::diagnostic::{Diagnostic, SourceErrors};
use crate::model::*;

/// Reads a source file's bytes into a summary.
pub fn parse_summary(bytes: &[u8], file: &Path) -> Result<Summary, SourceErrors> {
    let root = super::xml::parse(bytes, file).map_err(|d| SourceErrors(vec![d]))?;
    let mut reader = ModelReader {
        file,
        errors: Vec::new(),
        unlisted: 0,
        people: Vec::new(),
        ids: BTreeMap::new(),
    };
    let summary = reader.summary(&root);
    if reader.errors.is_empty() {
        if let Some(summary) = summary {
            return Ok(summary);
        }
    }
    reader.errors.sort_by_key(|d| d.pos);
    if reader.unlisted > 0 {
        reader.errors.push(Diagnostic::error(
            file,
            Some(root.pos),
            format!(
                "{} more errors are not listed: polypress lists the first {MAX_ERRORS} of a source",
                reader.unlisted
            ),
        ));
    }
    Err(SourceErrors(reader.errors))
}

/// The longest summary id: outputs are named `<id>.<format>` (written through a temporary
/// `.<id>.<format>.<pid>.tmp`) in a folder named after the language, and a file name may
/// have at most 255 bytes.
pub const MAX_ID_LEN: usize = 120;
/// The longest language tag: RFC 5646 (4.4.1) asks every implementation to take 35
/// characters, and the tag names a folder of outputs.
pub const MAX_LANG_LEN: usize = 35;

/// A source with more errors than this is not worth listing further, and a hostile one could
/// otherwise make the list (and the time to build it) grow with its size.
pub const MAX_ERRORS: usize = 100;

struct ModelReader<'a> {
    file: &'a Path,
    errors: Vec<Diagnostic>,
    /// Errors found after the first `MAX_ERRORS`.
    unlisted: usize,
    people: Vec<Person>,
    ids: BTreeMap<String, PersonRef>,
}

const INLINE_ELEMENTS: &[&str] = &["link", "em", "strong", "span"];
const BLOCK_ELEMENTS: &[&str] = &["p", "subheading", "list", "people", "talk"];
const TALK_BLOCK_ELEMENTS: &[&str] = &["p", "subheading", "list"];

impl<'a> ModelReader<'a> {
    /// Whether the list of errors is full: later ones are only counted.
    fn errors_full(&mut self) -> bool {
        let full = self.errors.len() >= MAX_ERRORS;
        if full {
            self.unlisted += 1;
        }
        full
    }

    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        if !self.errors_full() {
            self.errors
                .push(Diagnostic::error(self.file, Some(pos), message));
        }
    }

    fn error_with_hint(&mut self, pos: Pos, message: impl Into<String>, hint: String) {
        if !self.errors_full() {
            self.errors
                .push(Diagnostic::error(self.file, Some(pos), message).with_hint(hint));
        }
    }

    /// Reports attributes that the element does not take and required ones that are missing.
    fn check_attrs(&mut self, el: &Element, required: &[&str], optional: &[&str]) {
        for attr in &el.attrs {
            if !required.contains(&attr.name.as_str()) && !optional.contains(&attr.name.as_str()) {
                let known: Vec<&str> = required.iter().chain(optional).copied().collect();
                let message = format!("<{}> has no attribute `{}`", el.name, excerpt(&attr.name));
                match did_you_mean(&attr.name, &known) {
                    Some(s) => {
                        self.error_with_hint(attr.pos, message, format!("did you mean `{s}`?"))
                    }
                    None if known.is_empty() => {
                        self.error(attr.pos, format!("{message}; it takes none"))
                    }
                    None => self.error(
                        attr.pos,
                        format!("{message}; it takes {}", list_names(&known, "`", "`")),
                    ),
                }
            }
        }
        for name in required {
            if el.attr(name).is_none() {
                self.error(
                    el.pos,
                    format!("<{}> needs the attribute `{name}`", el.name),
                );
            }
        }
    }

    /// Reports an address that is not an http(s) URL, suggesting the likely fix.
    fn bad_url(&mut self, pos: Pos, what: &str, url: &str) {
        let message = format!("{what} \"{}\" is not an http(s) URL", excerpt(url));
        match url_fix(url) {
            Some(fixed) => self.error_with_hint(
                pos,
                message,
                format!("did you mean \"{}\"?", excerpt(&fixed)),
            ),
            None => self.error(pos, message),
        }
    }

    fn required_attr(&self, el: &Element, name: &str) -> Option<String> {
        el.attr(name).map(|a| a.value.trim().to_string())
    }

    fn unknown_element(&mut self, el: &Element, parent: &str, allowed: &[&str]) {
        let message = format!("<{}> is not allowed in <{parent}>", excerpt(&el.name));
        match did_you_mean(&el.name, allowed) {
            Some(s) => self.error_with_hint(el.pos, message, format!("did you mean <{s}>?")),
            None => self.error(
                el.pos,
                format!("{message}; expected {}", list_names(allowed, "<", ">")),
            ),
        }
    }

    /// Reports non-blank text directly inside an element that holds only elements.
    fn no_loose_text(&mut self, el: &Element) {
        for node in &el.children {
            if let Node::Text(t, pos) = node {
                if !t.trim().is_empty() {
                    self.error(
                        *pos,
                        format!(
                            "text \"{}\" directly inside <{}>; put it in an element",
                            abbreviate(t.trim()),
                            el.name
                        ),
                    );
                }
            }
        }
    }

    fn summary(&mut self, root: &Element) -> Option<Summary> {
        if root.name != "summary" {
            self.error(
                root.pos,
                format!("the root element is <{}>; expected <summary>", root.name),
            );
            return None;
        }
        self.check_attrs(root, &["version", "id", "lang"], &[]);
        if let Some(v) = root.attr("version") {
            if v.value != FORMAT_VERSION {
                self.error(
                    v.pos,
                    format!(
                        "format version \"{}\" is not one this polypress reads; expected version=\"{FORMAT_VERSION}\"",
                        excerpt(&v.value)
                    ),
                );
            }
        }
        let id = self.required_attr(root, "id").unwrap_or_default();
        if let Some(attr) = root.attr("id").filter(|_| !is_identifier(&id)) {
            self.error(
                attr.pos,
                format!("id \"{}\" must be letters, digits, '-', '_' or '.', starting with a letter or digit", excerpt(&id)),
            );
        }
        if let Some(attr) = root.attr("id").filter(|_| id.len() > MAX_ID_LEN) {
            self.error(
                attr.pos,
                format!(
                    "id \"{}\" is {} characters long; output file names are made of it, and file systems allow 255 bytes: at most {MAX_ID_LEN}",
                    excerpt(&id),
                    id.chars().count()
                ),
            );
        }
        let lang = self.required_attr(root, "lang").unwrap_or_default();
        if let Some(attr) = root.attr("lang").filter(|_| !is_language_tag(&lang)) {
            self.error(
                attr.pos,
                format!(
                    "lang \"{}\" is not a language tag such as \"en\", \"bg\" or \"pt-BR\" (at most {MAX_LANG_LEN} characters)",
                    excerpt(&lang)
                ),
            );
        }
        self.no_loose_text(root);

        // People are collected first, wherever they are, so that references may point
        // forwards as well as backwards.
        self.collect_people(root);

        let mut meta = None;
        let mut sections = Vec::new();
        let mut questions = None;
        for child in root.child_elements() {
            match child.name.as_str() {
                "meta" if meta.is_none() => meta = self.meta(child),
                "meta" => self.error(child.pos, "a second <meta>; a summary has one"),
                "section" => sections.push(self.section(child)),
                "questions" if questions.is_none() => questions = Some(self.questions(child)),
                "questions" => self.error(child.pos, "a second <questions>; a summary has one"),
                _ => self.unknown_element(child, "summary", &["meta", "section", "questions"]),
            }
        }
        if root.child_elements().all(|c| c.name != "meta") {
            self.error(root.pos, "<summary> needs a <meta> element with the title");
        }
        Some(Summary {
            id,
            lang,
            meta: meta?,
            people: std::mem::take(&mut self.people),
            sections,
            questions,
        })
    }

    fn collect_people(&mut self, el: &Element) {
        for child in el.child_elements() {
            if child.name == "people" {
                let role = child.attr("role").and_then(|a| parse_role(&a.value));
                for person in child.child_elements().filter(|p| p.name == "person") {
                    self.person(person, role.unwrap_or(Role::Speaker));
                }
            } else if child.name == "section" {
                self.collect_people(child);
            }
        }
    }

    fn person(&mut self, el: &Element, role: Role) {
        self.check_attrs(el, &["id"], &[]);
        self.no_loose_text(el);
        let id = self.required_attr(el, "id").unwrap_or_default();
        let mut name = None;
        let mut affiliation = None;
        let mut linkedin = None;
        let mut twitter = None;
        for child in el.child_elements() {
            if child.name == "affiliation" {
                if affiliation.is_some() {
                    self.error(child.pos, "a second <affiliation> in <person>");
                } else {
                    affiliation = Some(self.phrases(child));
                }
                continue;
            }
            let slot = match child.name.as_str() {
                "name" => &mut name,
                "linkedin" => &mut linkedin,
                "twitter" => &mut twitter,
                _ => {
                    self.unknown_element(
                        child,
                        "person",
                        &["name", "affiliation", "linkedin", "twitter"],
                    );
                    continue;
                }
            };
            if slot.is_some() {
                let message = format!("a second <{}> in <person>", child.name);
                self.error(child.pos, message);
                continue;
            }
            *slot = Some((self.text_only(child), child.pos));
        }
        let name = match name {
            Some((n, pos)) if n.is_empty() => {
                self.error(pos, "<name> is empty");
                n
            }
            Some((n, _)) => n,
            None => {
                self.error(el.pos, "<person> needs a <name>");
                String::new()
            }
        };
        if let Some((url, pos)) = &linkedin {
            if !is_http_url(url) {
                self.bad_url(*pos, "LinkedIn address", url);
            }
        }
        if let Some((handle, pos)) = &twitter {
            if !is_twitter_handle(handle) {
                let message = format!(
                    "\"{}\" is not an X/Twitter handle: '@' then 1 to 15 letters, digits or '_'",
                    excerpt(handle)
                );
                // A handle without its '@', or a profile address pasted instead of the handle.
                let name = handle
                    .rsplit(['/', '@'])
                    .find(|part| !part.is_empty())
                    .unwrap_or_default();
                let fixed = format!("@{name}");
                if is_twitter_handle(&fixed) {
                    self.error_with_hint(*pos, message, format!("did you mean {fixed}?"));
                } else {
                    self.error(*pos, message);
                }
            }
        }
        if id.is_empty() {
            return;
        }
        if let Some(existing) = self.ids.get(&id) {
            let first = self.people[existing.0].pos;
            self.error(
                el.pos,
                format!(
                    "a second person with id \"{}\" (the first is at {first})",
                    excerpt(&id)
                ),
            );
            return;
        }
        self.ids.insert(id.clone(), PersonRef(self.people.len()));
        self.people.push(Person {
            id,
            name,
            role,
            affiliation: affiliation.filter(|a| !a.is_empty()),
            linkedin: linkedin.map(|a| a.0),
            twitter: twitter.map(|a| a.0),
            pos: el.pos,
        });
    }

    fn person_ref(&mut self, el: &Element, attr_name: &str) -> Option<PersonRef> {
        let attr = el.attr(attr_name)?;
        let id = attr.value.trim();
        match self.ids.get(id) {
            Some(r) => Some(*r),
            None if self.errors.len() >= MAX_ERRORS => {
                self.unlisted += 1;
                None
            }
            None => {
                let known: Vec<&str> = self.ids.keys().map(String::as_str).collect();
                let message = format!(
                    "<{}> refers to person \"{id}\", but no <person id=\"{id}\"> exists",
                    el.name,
                    id = excerpt(id)
                );
                match did_you_mean(id, &known) {
                    Some(s) => {
                        let hint = format!("did you mean \"{s}\"?");
                        self.error_with_hint(attr.pos, message, hint)
                    }
                    None => {
                        let mut names = list_names(&known[..known.len().min(12)], "\"", "\"");
                        if known.len() > 12 {
                            names.push_str(&format!(" and {} more", known.len() - 12));
                        }
                        let message = format!("{message}; known people: {names}");
                        self.error(attr.pos, message)
                    }
                }
                None
            }
        }
    }

    fn meta(&mut self, el: &Element) -> Option<Meta> {
        self.check_attrs(el, &[], &[]);
        self.no_loose_text(el);
        let mut fields: BTreeMap<&str, (String, Pos)> = BTreeMap::new();
        let mut attendance = None;
        let mut recording = None;
        let mut labels = None;
        const TEXT_FIELDS: &[&str] = &[
            "title",
            "short-title",
            "event",
            "organiser",
            "date",
            "revised",
            "accessibility-summary",
        ];
        for child in el.child_elements() {
            let name = child.name.as_str();
            if let Some(field) = TEXT_FIELDS.iter().find(|f| **f == name) {
                if fields.contains_key(field) {
                    self.error(child.pos, format!("a second <{name}> in <meta>"));
                    continue;
                }
                let text = self.text_only(child);
                fields.insert(field, (text, child.pos));
                continue;
            }
            match name {
                "attendance" => {
                    self.check_attrs(child, &[], &["registered", "attended"]);
                    let registered = self.number_attr(child, "registered");
                    let attended = self.number_attr(child, "attended");
                    let text = self.inlines(child);
                    attendance = Some(Attendance {
                        registered,
                        attended,
                        text,
                    });
                }
                "recording" => {
                    self.check_attrs(child, &["href"], &[]);
                    let href = self.required_attr(child, "href").unwrap_or_default();
                    if let Some(attr) = child.attr("href").filter(|_| !is_http_url(&href)) {
                        self.bad_url(attr.pos, "recording address", &href);
                    }
                    let text = self.inlines(child);
                    recording = Some(Recording { href, text });
                }
                "labels" => {
                    self.check_attrs(child, &["linkedin", "twitter"], &["contents"]);
                    labels = Some(Labels {
                        linkedin: self.required_attr(child, "linkedin").unwrap_or_default(),
                        twitter: self.required_attr(child, "twitter").unwrap_or_default(),
                        contents: self.required_attr(child, "contents"),
                    });
                }
                _ => {
                    let mut allowed = TEXT_FIELDS.to_vec();
                    allowed.extend(["attendance", "recording", "labels"]);
                    self.unknown_element(child, "meta", &allowed);
                }
            }
        }
        for required in ["title", "event", "organiser", "revised"] {
            match fields.get(required) {
                None => self.error(el.pos, format!("<meta> needs <{required}>")),
                Some((text, pos)) if text.is_empty() => {
                    self.error(*pos, format!("<{required}> is empty"))
                }
                _ => {}
            }
        }
        for date_field in ["date", "revised"] {
            if let Some((text, pos)) = fields.get(date_field) {
                match crate::date::parse_ymd(text) {
                    _ if text.is_empty() => {}
                    None => self.error(
                        *pos,
                        format!(
                            "<{date_field}> \"{}\" is not a date written YYYY-MM-DD",
                            excerpt(text)
                        ),
                    ),
                    // The revision date is the outputs' date when SOURCE_DATE_EPOCH is not set.
                    Some((year, ..)) if date_field == "revised" && year < 1980 => self.error(
                        *pos,
                        format!("<revised> \"{text}\" is before 1980, the earliest date the outputs can carry (ZIP dates start in 1980)"),
                    ),
                    Some(_) => {}
                }
            }
        }
        if labels.is_none() {
            self.error(
                el.pos,
                "<meta> needs <labels linkedin=\"…\" twitter=\"…\"/>",
            );
        }
        let mut take = |name: &str| fields.remove(name).map(|(t, _)| t);
        Some(Meta {
            title: take("title")?,
            short_title: take("short-title"),
            event: take("event")?,
            organiser: take("organiser")?,
            date: take("date"),
            revised: take("revised")?,
            attendance,
            recording,
            accessibility_summary: take("accessibility-summary").filter(|s| !s.is_empty()),
            labels: labels?,
        })
    }

    fn number_attr(&mut self, el: &Element, name: &str) -> Option<u64> {
        let attr = el.attr(name)?;
        match attr.value.trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(
                    attr.pos,
                    format!(
                        "`{name}` is \"{}\"; expected a whole number",
                        excerpt(&attr.value)
                    ),
                );
                None
            }
        }
    }

    fn section(&mut self, el: &Element) -> Section {
        self.check_attrs(el, &[], &[]);
        self.no_loose_text(el);
        let mut heading = None;
        let mut blocks = Vec::new();
        for child in el.child_elements() {
            if child.name == "heading" {
                if heading.is_some() || !blocks.is_empty() {
                    self.error(child.pos, "<heading> must come once, first in <section>");
                }
                heading = Some(self.non_empty_text(child));
                continue;
            }
            if let Some(block) = self.block(child, "section", BLOCK_ELEMENTS) {
                blocks.push(block);
            }
        }
        if heading.is_none() {
            self.error(el.pos, "<section> needs a <heading> first");
        }
        Section {
            heading: heading.unwrap_or_default(),
            blocks,
            pos: el.pos,
        }
    }

    fn block(&mut self, el: &Element, parent: &str, allowed: &[&str]) -> Option<Block> {
        if !allowed.contains(&el.name.as_str()) {
            let mut expected = allowed.to_vec();
            if parent == "section" {
                expected.insert(0, "heading");
            }
            self.unknown_element(el, parent, &expected);
            return None;
        }
        Some(match el.name.as_str() {
            "p" => Block::Paragraph(self.paragraph(el)),
            "subheading" => {
                self.check_attrs(el, &[], &[]);
                Block::Subheading(Subheading {
                    text: self.non_empty_text(el),
                    pos: el.pos,
                })
            }
            "list" => {
                self.check_attrs(el, &[], &[]);
                self.no_loose_text(el);
                let mut items = Vec::new();
                for child in el.child_elements() {
                    if child.name == "item" {
                        items.push(self.paragraph(child));
                    } else {
                        self.unknown_element(child, "list", &["item"]);
                    }
                }
                if items.is_empty() {
                    self.error(el.pos, "<list> has no <item>");
                }
                Block::List(List { items, pos: el.pos })
            }
            "people" => Block::People(self.people_group(el)?),
            "talk" => Block::Talk(self.talk(el)?),
            _ => return None,
        })
    }

    fn paragraph(&mut self, el: &Element) -> Paragraph {
        self.check_attrs(el, &[], &[]);
        let content = self.inlines(el);
        if content.is_empty() {
            self.error(el.pos, format!("<{}> is empty", el.name));
        }
        Paragraph {
            content,
            pos: el.pos,
        }
    }

    fn people_group(&mut self, el: &Element) -> Option<PeopleGroup> {
        self.check_attrs(el, &["role", "label"], &[]);
        self.no_loose_text(el);
        let role = match el.attr("role") {
            Some(a) => match parse_role(&a.value) {
                Some(r) => Some(r),
                None => {
                    let message = format!(
                        "role \"{}\" is not one of \"speaker\", \"moderator\", \"welcome\"",
                        excerpt(&a.value)
                    );
                    match did_you_mean(&a.value, &["speaker", "moderator", "welcome"]) {
                        Some(s) => {
                            self.error_with_hint(a.pos, message, format!("did you mean \"{s}\"?"))
                        }
                        None => self.error(a.pos, message),
                    }
                    None
                }
            },
            None => None,
        };
        let label = self.required_attr(el, "label").unwrap_or_default();
        let mut members = Vec::new();
        for child in el.child_elements() {
            if child.name != "person" {
                self.unknown_element(child, "people", &["person"]);
                continue;
            }
            // Already read by collect_people; here only its place in the document matters.
            if let Some(r) = child.attr("id").and_then(|a| self.ids.get(a.value.trim())) {
                if self.people[r.0].pos == child.pos {
                    members.push(*r);
                }
            }
        }
        if el.child_elements().next().is_none() {
            self.error(el.pos, "<people> has no <person>");
        }
        Some(PeopleGroup {
            role: role?,
            label,
            members,
            pos: el.pos,
        })
    }

    fn talk(&mut self, el: &Element) -> Option<Talk> {
        self.check_attrs(el, &["speaker"], &["affiliation", "name"]);
        self.no_loose_text(el);
        let speaker = self.person_ref(el, "speaker");
        let affiliation = el.attr("affiliation").map(|a| normalize_space(&a.value));
        let shown_name = el.attr("name").map(|a| normalize_space(&a.value));
        let mut title = None;
        let mut blocks = Vec::new();
        for child in el.child_elements() {
            if child.name == "title" {
                if title.is_some() || !blocks.is_empty() {
                    self.error(child.pos, "<title> must come once, first in <talk>");
                }
                title = Some(self.non_empty_text(child));
                continue;
            }
            if let Some(block) = self.block(child, "talk", TALK_BLOCK_ELEMENTS) {
                blocks.push(block);
            }
        }
        if title.is_none() {
            self.error(el.pos, "<talk> needs a <title> first");
        }
        Some(Talk {
            speaker: speaker?,
            affiliation,
            shown_name,
            title: title.unwrap_or_default(),
            blocks,
            pos: el.pos,
        })
    }

    fn questions(&mut self, el: &Element) -> Questions {
        self.check_attrs(el, &[], &[]);
        self.no_loose_text(el);
        let mut heading = None;
        let mut items: Vec<Question> = Vec::new();
        // Where each number first appears: a map, so that many questions stay cheap.
        let mut first_at: BTreeMap<u32, Pos> = BTreeMap::new();
        for child in el.child_elements() {
            match child.name.as_str() {
                "heading" => heading = Some(self.non_empty_text(child)),
                "question" => {
                    if let Some(q) = self.question(child) {
                        if let Some(first) = first_at.get(&q.number) {
                            let message = format!(
                                "a second question number {} (the first is at {first})",
                                q.number
                            );
                            self.error(q.pos, message);
                        } else {
                            first_at.insert(q.number, q.pos);
                        }
                        items.push(q);
                    }
                }
                _ => self.unknown_element(child, "questions", &["heading", "question"]),
            }
        }
        if heading.is_none() {
            self.error(el.pos, "<questions> needs a <heading>");
        }
        Questions {
            heading: heading.unwrap_or_default(),
            items,
            pos: el.pos,
        }
    }

    fn question(&mut self, el: &Element) -> Option<Question> {
        self.check_attrs(el, &["number", "label"], &[]);
        self.no_loose_text(el);
        let number = self
            .number_attr(el, "number")
            .and_then(|n| u32::try_from(n).ok());
        let label = self.required_attr(el, "label").unwrap_or_default();
        let mut text = None;
        let mut answers = Vec::new();
        for child in el.child_elements() {
            match child.name.as_str() {
                "text" => {
                    self.check_attrs(child, &[], &[]);
                    let t = self.inlines(child);
                    if t.is_empty() {
                        self.error(child.pos, "<text> is empty");
                    }
                    text = Some(t);
                }
                "answer" => answers.extend(self.answer(child)),
                _ => self.unknown_element(child, "question", &["text", "answer"]),
            }
        }
        if text.is_none() {
            self.error(el.pos, "<question> needs a <text>");
        }
        Some(Question {
            number: number?,
            label,
            text: text?,
            answers,
            pos: el.pos,
        })
    }

    fn answer(&mut self, el: &Element) -> Option<Answer> {
        self.check_attrs(el, &["by"], &["name"]);
        let by = self.person_ref(el, "by");
        let shown_name = el.attr("name").map(|a| normalize_space(&a.value));
        let has_paragraphs = el.child_elements().any(|c| c.name == "p");
        let paragraphs = if has_paragraphs {
            self.no_loose_text(el);
            let mut paragraphs = Vec::new();
            for child in el.child_elements() {
                if child.name == "p" {
                    paragraphs.push(self.paragraph(child));
                } else {
                    self.error(
                        child.pos,
                        format!("<{}> next to <p> in <answer>: an answer is either one text or a series of <p>", child.name),
                    );
                }
            }
            paragraphs
        } else {
            let content = self.inlines(el);
            if content.is_empty() {
                self.error(el.pos, "<answer> is empty");
            }
            vec![Paragraph {
                content,
                pos: el.pos,
            }]
        };
        Some(Answer {
            by: by?,
            shown_name,
            paragraphs,
            pos: el.pos,
        })
    }

    /// Text of an element that may hold no markup, whitespace normalised.
    fn text_only(&mut self, el: &Element) -> String {
        self.check_attrs(el, &[], &[]);
        let mut text = String::new();
        for node in &el.children {
            match node {
                Node::Text(t, _) => text.push_str(t),
                Node::Element(child) => {
                    let message = format!(
                        "<{}> inside <{}>, which holds plain text only",
                        child.name, el.name
                    );
                    self.error(child.pos, message);
                }
            }
        }
        normalize_space(&text)
    }

    fn non_empty_text(&mut self, el: &Element) -> String {
        let text = self.text_only(el);
        if text.is_empty() {
            self.error(el.pos, format!("<{}> is empty", el.name));
        }
        text
    }

    /// Inline content: text (with bare URLs turned into links), links, emphasis, strong.
    fn inlines(&mut self, el: &Element) -> Vec<Inline> {
        let mut out = Vec::new();
        self.collect_inlines(el, false, &mut out);
        trim_inlines(&mut out);
        out
    }

    /// Text that may hold phrases in another language (`<span lang>`) but no other markup:
    /// an affiliation.
    fn phrases(&mut self, el: &Element) -> Vec<Inline> {
        self.check_attrs(el, &[], &[]);
        let mut out = Vec::new();
        for node in &el.children {
            match node {
                Node::Text(t, _) => push_text(&mut out, t),
                Node::Element(child) if child.name == "span" => self.span(child, false, &mut out),
                Node::Element(child) => self.unknown_element(child, &el.name, &["span"]),
            }
        }
        trim_inlines(&mut out);
        out
    }

    /// `<span lang="en">…</span>`: a phrase in another language than the document's.
    fn span(&mut self, el: &Element, in_link: bool, out: &mut Vec<Inline>) {
        self.check_attrs(el, &["lang"], &[]);
        let lang = self.required_attr(el, "lang").unwrap_or_default();
        if let Some(attr) = el.attr("lang").filter(|_| !is_language_tag(&lang)) {
            self.error(
                attr.pos,
                format!(
                    "span lang \"{}\" is not a language tag such as \"en\", \"bg\" or \"pt-BR\" (at most {MAX_LANG_LEN} characters)",
                    excerpt(&lang)
                ),
            );
        }
        let mut content = Vec::new();
        self.collect_inlines(el, in_link, &mut content);
        out.push(Inline::Lang { lang, content });
    }

    fn collect_inlines(&mut self, el: &Element, in_link: bool, out: &mut Vec<Inline>) {
        for node in &el.children {
            match node {
                Node::Text(t, _) => {
                    if in_link {
                        push_text(out, t);
                    } else {
                        push_text_with_links(out, t);
                    }
                }
                Node::Element(child) => match child.name.as_str() {
                    "link" => {
                        if in_link {
                            self.error(child.pos, "a <link> inside another <link>");
                            continue;
                        }
                        self.check_attrs(child, &["href"], &[]);
                        let href = self.required_attr(child, "href").unwrap_or_default();
                        if let Some(attr) = child.attr("href").filter(|_| !is_http_url(&href)) {
                            self.bad_url(attr.pos, "link address", &href);
                        }
                        let mut content = Vec::new();
                        self.collect_inlines(child, true, &mut content);
                        if content.is_empty() {
                            content.push(Inline::text(href.clone()));
                        }
                        out.push(Inline::Link { href, content });
                    }
                    "em" | "strong" => {
                        self.check_attrs(child, &[], &[]);
                        let mut content = Vec::new();
                        self.collect_inlines(child, in_link, &mut content);
                        out.push(if child.name == "em" {
                            Inline::Emphasis { content }
                        } else {
                            Inline::Strong { content }
                        });
                    }
                    "span" => self.span(child, in_link, out),
                    _ => self.unknown_element(child, &el.name, INLINE_ELEMENTS),
                },
            }
        }
    }
}

fn parse_role(s: &str) -> Option<Role> {
    match s.trim() {
        "speaker" => Some(Role::Speaker),
        "moderator" => Some(Role::Moderator),
        "welcome" => Some(Role::Welcome),
        _ => None,
    }
}

/// Collapses runs of XML whitespace to one space and trims. U+00A0 is not XML whitespace and
/// stays, so "20 000" written with a non-breaking space keeps it.
pub fn normalize_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split([' ', '\t', '\n', '\r']).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Appends text, collapsing whitespace across the boundary with what came before.
fn push_text(out: &mut Vec<Inline>, raw: &str) {
    let mut text = String::with_capacity(raw.len());
    let mut space = ends_with_space(out);
    for c in raw.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !space {
                text.push(' ');
                space = true;
            }
        } else {
            text.push(c);
            space = false;
        }
    }
    if text.is_empty() {
        return;
    }
    if let Some(Inline::Text { text: prev }) = out.last_mut() {
        prev.push_str(&text);
    } else {
        out.push(Inline::Text { text });
    }
}

fn ends_with_space(out: &[Inline]) -> bool {
    match out.last() {
        None => true, // leading space of a block is dropped
        Some(Inline::Text { text }) => text.ends_with(' '),
        Some(Inline::Link { content, .. })
        | Some(Inline::Emphasis { content })
        | Some(Inline::Strong { content })
        | Some(Inline::Lang { content, .. }) => !content.is_empty() && ends_with_space(content),
    }
}

fn push_text_with_links(out: &mut Vec<Inline>, raw: &str) {
    let mut rest = raw;
    while let Some((start, end)) = find_url(rest) {
        push_text(out, &rest[..start]);
        let url = &rest[start..end];
        let href = if url.starts_with("www.") {
            format!("https://{url}")
        } else {
            url.to_string()
        };
        out.push(Inline::Link {
            href,
            content: vec![Inline::text(url)],
        });
        rest = &rest[end..];
    }
    push_text(out, rest);
}

/// Finds the first bare URL (`http://`, `https://` or `www.`) in running text, returning its
/// byte range without trailing sentence punctuation.
pub fn find_url(text: &str) -> Option<(usize, usize)> {
    let mut search_from = 0;
    while search_from < text.len() {
        let rest = &text[search_from..];
        // The nearest candidate, found in one scan: searching for each prefix in the whole
        // rest made a paragraph with many addresses quadratic (6 s for 8 MB).
        let candidates = ["https://", "http://", "www."];
        let (rel, _) = rest
            .match_indices(['h', 'w'])
            .find(|(i, _)| candidates.iter().any(|p| rest[*i..].starts_with(p)))?;
        let start = search_from + rel;
        let boundary_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '/' | '.' | '@' | '-' | '_')));
        let end = start
            + text[start..]
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '“' | '”' | '„' | '«' | '»')
                })
                .unwrap_or(text.len() - start);
        let trimmed =
            text[start..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '’']);
        let end = start + trimmed.len();
        if boundary_ok && trimmed.contains('.') && trimmed.len() > 4 {
            return Some((start, end));
        }
        search_from = start + 1;
        while !text.is_char_boundary(search_from) {
            search_from += 1;
        }
    }
    None
}

/// Drops a trailing space at the end of a block (leading ones are never pushed).
fn trim_inlines(inlines: &mut Vec<Inline>) {
    loop {
        match inlines.last_mut() {
            Some(Inline::Text { text }) => {
                let trimmed = text.trim_end_matches(' ').len();
                text.truncate(trimmed);
                if text.is_empty() {
                    inlines.pop();
                    continue;
                }
            }
            Some(Inline::Link { content, .. })
            | Some(Inline::Emphasis { content })
            | Some(Inline::Strong { content })
            | Some(Inline::Lang { content, .. }) => trim_inlines(content),
            None => {}
        }
        return;
    }
}

pub fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && host.contains('.')
                && host
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// The address someone most likely meant, when the mistake is a common one: a missing
/// scheme (`www.example.eu`), a blank inside, or a non-web scheme.
fn url_fix(url: &str) -> Option<String> {
    let trimmed: String = url.split_whitespace().collect();
    if trimmed != url && is_http_url(&trimmed) {
        return Some(trimmed);
    }
    let with_scheme = format!("https://{}", url.trim_start_matches('/'));
    if !url.contains("://") && is_http_url(&with_scheme) {
        return Some(with_scheme);
    }
    None
}

pub fn is_twitter_handle(s: &str) -> bool {
    match s.strip_prefix('@') {
        Some(h) => {
            (1..=15).contains(&h.len()) && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

fn is_identifier(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub fn is_language_tag(s: &str) -> bool {
    if s.len() > MAX_LANG_LEN {
        return false;
    }
    let mut parts = s.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The closest known name within a small edit distance, for "did you mean" hints.
pub fn did_you_mean<'n>(name: &str, known: &[&'n str]) -> Option<&'n str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d > 0 && *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

fn list_names(names: &[&str], open: &str, close: &str) -> String {
    names
        .iter()
        .map(|n| format!("{open}{n}{close}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn abbreviate(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// A value as messages quote it: at most 80 characters, so that a runaway attribute or text
/// (megabytes pasted by mistake) does not flood the terminal.
pub fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", s.get(..end).unwrap_or(s)),
        None => s.to_string(),
    }
}
