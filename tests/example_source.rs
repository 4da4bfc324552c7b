//! The example in docs/source-format.md reads as documented.

mod common;

use polypress::model::{Block, Inline, Role};
use polypress::source::read_source;

#[test]
fn documented_example_reads_into_the_model() {
    let doc = read_source(&common::repo_root().join("tests/fixtures/example.xml"))
        .expect("example reads");
    assert_eq!(doc.lang, "en");
    assert_eq!(doc.id, "city-webinar-3");
    assert_eq!(doc.people.len(), 2);
    assert_eq!(doc.people[1].role, Role::Moderator);
    assert_eq!(doc.talks().count(), 1);
    let questions = doc.questions.as_ref().expect("questions");
    assert_eq!(questions.items[0].answers.len(), 2);
    assert_eq!(questions.items[0].answers[1].name(&doc), "John");
    assert_eq!(questions.items[0].answers[0].name(&doc), "Jane Smith");
    // A bare URL in running text becomes a link; the non-breaking space survives.
    let talk = doc.talks().next().expect("talk");
    let Block::Paragraph(p) = &talk.blocks[0] else {
        panic!("paragraph first")
    };
    assert!(p
        .content
        .iter()
        .any(|i| matches!(i, Inline::Link { href, .. } if href == "https://example.eu/guide")));
    let Block::List(list) = &talk.blocks[2] else {
        panic!("list third")
    };
    assert!(polypress::model::plain_text(&list.items[1].content).contains("20\u{a0}000"));
    let recording = doc.meta.recording.as_ref().expect("recording");
    assert!(recording.text.iter().any(
        |i| matches!(i, Inline::Link { href, .. } if href == "https://www.example.eu/recording")
    ));
}

#[test]
fn font_digest_is_the_digest_of_the_font_files() {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for style in polypress::fonts::Style::ALL {
        let path = common::repo_root().join("fonts").join(style.file_name());
        hasher.update(std::fs::read(path).expect("font file"));
    }
    let fonts = polypress::fonts::FontSet::embedded().expect("fonts load");
    assert_eq!(fonts.sha256(), polypress::hex(&hasher.finalize()));
}
