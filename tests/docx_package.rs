//! The DOCX of every source, read back without external tools: the words, the Word styles,
//! the hyperlinks, the language, the core properties, the embedded fonts, the size, and the
//! same bytes every time.

mod common;
mod docx_support;

use std::collections::BTreeSet;

use docx_support::{
    built, embedded_faces, fold_space, paragraphs, part_text, relationships, Built,
};
use polypress::export::docx::word_language;
use polypress::export::Format;
use polypress::fonts::FAMILY;
use polypress::model::Block;
use rustybuzz::ttf_parser;

/// The budget the issue set: a mail attachment, with four faces an editor can type in.
const MAX_BYTES: usize = 130 * 1024;

fn name(b: &Built) -> String {
    b.path.display().to_string()
}

#[test]
fn every_visible_text_is_in_the_document() {
    for b in built() {
        let xml = part_text(&b.docx, "word/document.xml");
        let text = fold_space(
            &paragraphs(&xml)
                .iter()
                .map(|p| p.text())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let missing: Vec<String> = b
            .summary
            .visible_text()
            .iter()
            .map(|t| fold_space(t))
            .filter(|t| !text.contains(t.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: not in the DOCX: {missing:#?}",
            name(b)
        );
    }
}

#[test]
fn paragraphs_use_the_word_styles() {
    for b in built() {
        let doc = &b.summary;
        let paras = paragraphs(&part_text(&b.docx, "word/document.xml"));
        let with_style = |style: &'static str| {
            paras
                .iter()
                .filter(move |p| p.style.as_deref() == Some(style))
        };
        let texts = |style: &'static str| with_style(style).map(|p| p.text()).collect::<Vec<_>>();

        assert_eq!(texts("Title"), vec![doc.meta.title.clone()], "{}", name(b));
        let subtitle = texts("Subtitle").join("\n");
        assert!(subtitle.contains(&doc.meta.event) && subtitle.contains(&doc.meta.organiser));

        let mut section_headings: Vec<String> =
            doc.sections.iter().map(|s| s.heading.clone()).collect();
        section_headings.extend(doc.questions.as_ref().map(|q| q.heading.clone()));
        assert_eq!(texts("Heading1"), section_headings, "{}", name(b));

        let talks: Vec<_> = doc.talks().collect();
        let talk_headings = texts("Heading2");
        assert_eq!(talk_headings.len(), talks.len(), "{}", name(b));
        for (heading, talk) in talk_headings.iter().zip(&talks) {
            assert!(heading.starts_with(talk.name(doc)), "{heading}");
            assert!(heading.ends_with(&talk.title), "{heading}");
        }

        let subheadings = doc
            .talks()
            .flat_map(|t| &t.blocks)
            .chain(doc.sections.iter().flat_map(|s| &s.blocks))
            .filter(|b| matches!(b, Block::Subheading(_)))
            .count();
        assert_eq!(with_style("Heading3").count(), subheadings, "{}", name(b));

        // Every list item is a List Bullet paragraph with a numbering instance of its own
        // list, above docx-rs's id 1.
        let lists: Vec<_> = doc
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .chain(doc.talks().flat_map(|t| &t.blocks))
            .filter_map(|b| match b {
                Block::List(l) => Some(l),
                _ => None,
            })
            .collect();
        let items: usize = lists.iter().map(|l| l.items.len()).sum();
        let bullets: Vec<_> = with_style("ListBullet").collect();
        assert_eq!(bullets.len(), items, "{}", name(b));
        // The bullet comes from the List Bullet style, as for a paragraph an editor adds.
        assert!(bullets.iter().all(|p| p.num_id.is_none()), "{}", name(b));
        assert!(!lists.is_empty());

        let styles = part_text(&b.docx, "word/styles.xml");
        for (id, level) in [("Heading1", 0), ("Heading2", 1), ("Heading3", 2)] {
            let start = styles
                .find(&format!("w:styleId=\"{id}\""))
                .unwrap_or_else(|| panic!("style {id} is defined"));
            let end = styles[start..]
                .find("</w:style>")
                .map_or(styles.len(), |e| start + e);
            assert!(
                styles[start..end].contains(&format!("<w:outlineLvl w:val=\"{level}\"/>")),
                "{id} has outline level {level}"
            );
        }
        for (id, name) in [
            ("Title", "Title"),
            ("Subtitle", "Subtitle"),
            ("ListBullet", "List Bullet"),
            ("Hyperlink", "Hyperlink"),
            ("Heading1", "heading 1"),
        ] {
            assert!(
                styles.contains(&format!("w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>")),
                "style {id} is named {name}"
            );
        }
        let numbering = part_text(&b.docx, "word/numbering.xml");
        let list_bullet = &styles[styles
            .find("w:styleId=\"ListBullet\"")
            .expect("List Bullet")..];
        let list_bullet = &list_bullet[..list_bullet.find("</w:style>").expect("style ends")];
        let id = list_bullet
            .split("<w:numId w:val=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("List Bullet has a numbering");
        assert!(
            numbering.contains(&format!("<w:num w:numId=\"{id}\">")),
            "num {id}"
        );
        assert!(numbering.contains("<w:numFmt w:val=\"bullet\"/>"));
    }
}

#[test]
fn names_are_bold_where_people_speak() {
    for b in built() {
        let doc = &b.summary;
        let paras = paragraphs(&part_text(&b.docx, "word/document.xml"));
        let bold: BTreeSet<String> = paras
            .iter()
            .flat_map(|p| &p.runs)
            .filter(|r| r.bold)
            .map(|r| r.text.trim_end_matches(':').to_string())
            .collect();
        for person in &doc.people {
            let listed = doc.sections.iter().flat_map(|s| &s.blocks).any(|b| {
                matches!(b, Block::People(g) if g.members.iter().any(|m| doc.person(*m).id == person.id))
            });
            if listed {
                assert!(
                    bold.contains(&person.name),
                    "{}: {} in bold",
                    name(b),
                    person.name
                );
            }
        }
        for question in doc.questions.iter().flat_map(|q| &q.items) {
            assert!(bold.contains(&question.label), "{}", question.label);
            for answer in &question.answers {
                assert!(bold.contains(answer.name(doc)), "{}", answer.name(doc));
            }
        }
    }
}

#[test]
fn every_address_and_profile_is_a_real_hyperlink() {
    for b in built() {
        let rels = relationships(&part_text(&b.docx, "word/_rels/document.xml.rels"));
        let paras = paragraphs(&part_text(&b.docx, "word/document.xml"));
        let linked: BTreeSet<String> = paras
            .iter()
            .flat_map(|p| &p.runs)
            .filter_map(|r| {
                let rid = r.link_rid.as_ref()?;
                let (kind, target, external) = rels
                    .get(rid)
                    .unwrap_or_else(|| panic!("{}: {rid} has a relationship", name(b)));
                assert!(kind.ends_with("/hyperlink") && *external, "{rid}");
                assert_eq!(r.char_style.as_deref(), Some("Hyperlink"), "{}", r.text);
                Some(target.clone())
            })
            .collect();
        for href in docx_support::expected_links(&b.summary) {
            assert!(
                linked.contains(&href),
                "{}: {href} is not a hyperlink",
                name(b)
            );
        }
    }
}

#[test]
fn the_language_is_set_for_proofing_and_in_the_core_properties() {
    for b in built() {
        let doc = &b.summary;
        let lang = word_language(&doc.lang);
        assert!(lang.starts_with(&doc.lang));
        let styles = part_text(&b.docx, "word/styles.xml");
        let defaults = &styles[..styles.find("</w:docDefaults>").expect("docDefaults")];
        assert!(
            defaults.contains(&format!("<w:lang w:val=\"{lang}\"")),
            "{}: w:lang {lang} in the run defaults",
            name(b)
        );
        let core = part_text(&b.docx, "docProps/core.xml");
        let escaped = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
        for expected in [
            format!("<dc:title>{}</dc:title>", escaped(&doc.meta.title)),
            format!("<dc:creator>{}</dc:creator>", escaped(&doc.meta.organiser)),
            format!("<dc:language>{lang}</dc:language>"),
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2023-11-14T22:13:20Z</dcterms:created>"
                .to_string(),
            "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2023-11-14T22:13:20Z</dcterms:modified>"
                .to_string(),
        ] {
            assert!(
                core.contains(&expected),
                "{}: {expected} in {core}",
                name(b)
            );
        }
    }
}

#[test]
fn the_footer_repeats_the_title_and_numbers_the_pages() {
    for b in built() {
        let footer = part_text(&b.docx, "word/footer1.xml");
        assert!(
            footer.contains("<w:instrText>PAGE</w:instrText>"),
            "{footer}"
        );
        assert!(
            footer.contains("<w:instrText>NUMPAGES</w:instrText>"),
            "{footer}"
        );
        let running: String = paragraphs(&footer).iter().map(|p| p.text()).collect();
        assert!(running.starts_with(b.summary.short_title()), "{running}");
        let document = part_text(&b.docx, "word/document.xml");
        assert!(
            document.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\""),
            "A4"
        );
    }
}

#[test]
fn the_four_faces_are_embedded_and_cover_the_text() {
    for b in built() {
        let types = part_text(&b.docx, "[Content_Types].xml");
        assert!(types.contains(
            "Extension=\"odttf\" ContentType=\"application/vnd.openxmlformats-officedocument.obfuscatedFont\""
        ));
        let settings = part_text(&b.docx, "word/settings.xml");
        assert!(settings.contains("<w:embedTrueTypeFonts/>"));
        assert!(settings.contains("<w:saveSubsetFonts/>"));
        assert!(part_text(&b.docx, "word/fontTable.xml")
            .contains(&format!("<w:font w:name=\"{FAMILY}\">")));

        let text: BTreeSet<char> = paragraphs(&part_text(&b.docx, "word/document.xml"))
            .iter()
            .flat_map(|p| p.text().chars().collect::<Vec<_>>())
            .filter(|c| !c.is_control())
            .collect();
        for (element, data) in embedded_faces(&b.docx) {
            let face = ttf_parser::Face::parse(&data, 0)
                .unwrap_or_else(|e| panic!("{}: {element} is a font: {e}", name(b)));
            let family = face
                .names()
                .into_iter()
                .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
                .find_map(|n| n.to_string())
                .unwrap_or_default();
            assert!(family.starts_with(FAMILY), "{element} is {family}");
            let missing: String = text
                .iter()
                .filter(|c| face.glyph_index(**c).is_none_or(|g| g.0 == 0))
                .collect();
            assert!(
                missing.is_empty(),
                "{}: {element} lacks {missing:?}",
                name(b)
            );
        }
    }
}

/// What an editor types into any language's document: every letter of the 24 EU languages in
/// both cases (Latin with ș ț, Greek, Cyrillic) and the punctuation of their texts.
fn editor_chars() -> BTreeSet<char> {
    let mut chars: BTreeSet<char> = polypress::check::alphabets::ALPHABETS
        .iter()
        .filter(|a| a.eu)
        .flat_map(|a| a.letters())
        .collect();
    assert!(chars.len() > 300, "{} EU letters", chars.len());
    chars.extend("ÁÉŐŰÆØÅДЖЙХШЪЬЮЯșțȘȚ".chars());
    chars.extend("’‘“”„«»‹›…–—•·€".chars());
    chars.extend(' '..='~');
    chars
}

/// One face per style, the same bytes in every language's document: a word processor that
/// has several of them open reuses the first one's faces by name, so any difference would
/// show as letters in a fallback font. And each face holds what an editor may type.
#[test]
fn every_document_embeds_the_same_faces_with_every_eu_letter() {
    let wanted = editor_chars();
    let first = built().first().expect("a source");
    let reference = embedded_faces(&first.docx);
    for (element, data) in &reference {
        let face = ttf_parser::Face::parse(data, 0).expect("a font");
        let missing: String = wanted
            .iter()
            .filter(|c| face.glyph_index(**c).is_none_or(|g| g.0 == 0))
            .collect();
        assert!(missing.is_empty(), "{element} lacks {missing:?}");
    }
    let languages: BTreeSet<&str> = built().iter().map(|b| b.summary.lang.as_str()).collect();
    assert!(languages.len() >= 4, "{languages:?}");
    for b in built() {
        let faces = embedded_faces(&b.docx);
        for ((element, data), (_, expected)) in faces.iter().zip(&reference) {
            assert!(
                data == expected,
                "{}: {element} differs from {}'s",
                name(b),
                name(first)
            );
        }
    }
}

#[test]
fn each_document_is_small_enough_to_mail() {
    for b in built() {
        assert!(
            b.docx.len() <= MAX_BYTES,
            "{}: {} bytes, more than {MAX_BYTES}",
            name(b),
            b.docx.len()
        );
    }
}

/// docx-rs numbers hyperlinks and paragraphs from process-wide and per-thread counters: the
/// pipeline, building every source in parallel after `built()` built them one by one in this
/// process, must still write the same bytes.
#[test]
fn two_builds_give_the_same_bytes() {
    let sources = docx_support::source_paths();
    let (dir, report) = common::build_into(sources, &[Format::Docx]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    for b in built() {
        let path = dir
            .path()
            .join(polypress::pipeline::output_path(&b.summary, Format::Docx));
        let written = std::fs::read(&path).expect("the pipeline wrote the DOCX");
        assert!(written == b.docx, "{}: a second build differs", name(b));
    }
}

/// ISO/IEC 29500-1 §17.3.2.28: the run properties Microsoft's validator finds in our parts,
/// in the schema's sequence.
const RUN_PROPERTY_ORDER: &[&str] = &[
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:color", "w:sz", "w:szCs", "w:u",
    "w:lang",
];

/// Every `w:rPr` lists its children in the schema's order (the transitional schema our other
/// check uses accepts any order; the Open XML SDK does not).
#[test]
fn run_properties_follow_the_schema_sequence() {
    for b in built() {
        for part_name in [
            "word/styles.xml",
            "word/document.xml",
            "word/numbering.xml",
            "word/footer1.xml",
        ] {
            let xml = part_text(&b.docx, part_name);
            let mut checked = 0;
            for (at, _) in xml.match_indices("<w:rPr>") {
                let end = at + xml[at..].find("</w:rPr>").expect("rPr closes");
                let names: Vec<usize> = xml[at + 7..end]
                    .split('<')
                    .filter_map(|tag| tag.split([' ', '/', '>']).next())
                    .filter(|n| !n.is_empty())
                    .filter_map(|n| RUN_PROPERTY_ORDER.iter().position(|o| *o == n))
                    .collect();
                assert!(
                    names.windows(2).all(|w| w[0] <= w[1]),
                    "{}: {part_name}: out of order: {}",
                    name(b),
                    &xml[at..end]
                );
                checked += 1;
            }
            assert!(checked > 0 || part_name != "word/styles.xml", "{part_name}");
        }
    }
}

/// The footer's page count has no cached "1" a reader could show without updating fields.
#[test]
fn the_page_count_is_not_cached_as_one() {
    for b in built() {
        let footer = part_text(&b.docx, "word/footer1.xml");
        let at = footer.find("NUMPAGES").expect("a NUMPAGES field");
        let field_end = at
            + footer[at..]
                .find("w:fldCharType=\"end\"")
                .expect("field ends");
        assert!(
            !footer[at..field_end].contains("<w:t"),
            "{}: NUMPAGES has a cached result: {}",
            name(b),
            &footer[at..field_end]
        );
    }
}
