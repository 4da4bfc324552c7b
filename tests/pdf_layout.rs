//! Layout properties of the real sources' handouts that a reader would notice.

mod common;

use polypress::export::pdf::layout::{self, lay_out};
use polypress::fonts::FontSet;
use polypress::pipeline;
use polypress::typeset::Shaper;

#[test]
fn no_line_sticks_into_the_right_margin_and_headings_are_not_hyphenated() {
    let fonts = FontSet::embedded().expect("fonts");
    for path in common::source_files() {
        let doc = pipeline::load_source(&path).expect("source").summary;
        let laid = lay_out(&doc, Shaper::new(&fonts, &doc.lang)).expect("lays out");
        let right = layout::PAGE_WIDTH - layout::MARGIN_RIGHT;
        let mut hyphenated = 0;
        for block in &laid.blocks {
            for line in block.lines.kept().expect("a handout keeps its lines") {
                assert!(
                    block.x + line.width <= right + 0.5,
                    "{}: a line ends at {} past {right}",
                    doc.lang,
                    block.x + line.width
                );
                hyphenated += usize::from(line.hyphenated);
            }
            // Headings and sub-headings keep with what follows. So does a question's text
            // (with its first answer), but that is justified body text, set beside a bar,
            // and may be hyphenated (the Estonian one is).
            if block.metrics.keep_with_next && block.bar.is_none() {
                assert!(
                    block
                        .lines
                        .kept()
                        .expect("kept")
                        .iter()
                        .all(|l| !l.hyphenated),
                    "{}: hyphenated heading",
                    doc.lang
                );
            }
        }
        assert!(hyphenated > 0, "{}: justified text is hyphenated", doc.lang);
        assert!(laid.pages >= 2);
    }
}

#[test]
fn a_word_wider_than_the_line_is_broken_between_letters_with_a_warning() {
    let fonts = FontSet::embedded().expect("fonts");
    let source =
        std::fs::read_to_string(common::repo_root().join("sources/en.xml")).expect("en source");
    let long = "Supercalifragilisticexpialidocious".repeat(4);
    let edited = source.replacen(" influencers ", &format!(" {long} "), 1);
    assert_ne!(edited, source, "the source has the word to replace");
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("en.xml");
    std::fs::write(&path, edited).expect("writes");
    let doc = pipeline::load_source(&path).expect("source").summary;
    let laid = lay_out(&doc, Shaper::new(&fonts, &doc.lang)).expect("lays out");
    let right = layout::PAGE_WIDTH - layout::MARGIN_RIGHT;
    let mut text = String::new();
    for block in &laid.blocks {
        for line in block.lines.kept().expect("a handout keeps its lines") {
            assert!(
                block.x + line.width <= right + 0.5,
                "a line ends at {} past {right}",
                block.x + line.width
            );
            for piece in &line.pieces {
                text.extend(piece.glyphs.iter().map(|g| g.text.as_str()));
            }
        }
    }
    assert!(
        text.replace(['\u{ad}', ' '], "").contains(&long),
        "every letter is set"
    );
    assert_eq!(laid.warnings.len(), 1, "{:?}", laid.warnings);
    let warning = &laid.warnings[0];
    assert!(
        warning.contains(&long) && warning.contains("wider than a line"),
        "{warning}"
    );
    assert!(warning.contains(':'), "names the place: {warning}");
}
