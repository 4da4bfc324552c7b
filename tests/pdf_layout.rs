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
            for line in &block.lines {
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
                    block.lines.iter().all(|l| !l.hyphenated),
                    "{}: hyphenated heading",
                    doc.lang
                );
            }
        }
        assert!(hyphenated > 0, "{}: justified text is hyphenated", doc.lang);
        assert!(laid.pages >= 2);
    }
}
