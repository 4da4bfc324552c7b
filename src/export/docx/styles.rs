//! The Word styles the body uses: Word's own built-in style ids and names, so that an editor
//! who changes "Heading 1" changes every section heading, plus three small paragraph styles of
//! ours for the people lists and the questions.

use docx_rs::{
    BorderType, LineSpacing, LineSpacingType, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, RunFonts, SpecialIndentType, Style, StyleType, Styles, Tab, TabValueType,
};

use crate::fonts::FAMILY;

pub(super) const NORMAL: &str = "Normal";
pub(super) const TITLE: &str = "Title";
pub(super) const SUBTITLE: &str = "Subtitle";
pub(super) const HEADING_1: &str = "Heading1";
pub(super) const HEADING_2: &str = "Heading2";
pub(super) const HEADING_3: &str = "Heading3";
pub(super) const LIST_BULLET: &str = "ListBullet";
pub(super) const HYPERLINK: &str = "Hyperlink";
pub(super) const FOOTER: &str = "Footer";
pub(super) const PEOPLE_LABEL: &str = "PeopleLabel";
pub(super) const PERSON: &str = "Person";
pub(super) const QUESTION: &str = "Question";

/// Body text size in half-points (11 pt).
const BODY_SIZE: usize = 22;
const ACCENT: &str = "1F3A5F";
const LINK_BLUE: &str = "0563C1";
const MUTED: &str = "5B6878";
/// The light rule beside a person's lines.
const RULE: &str = "C5CFDB";

/// The run fonts every style inherits: Source Sans 3 for every script slot.
pub(super) fn family_fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FAMILY)
        .hi_ansi(FAMILY)
        .east_asia(FAMILY)
        .cs(FAMILY)
}

pub(super) fn styles() -> Styles {
    // docx-rs writes the Normal style itself; the document defaults give it its look.
    let styles = Styles::new()
        .default_fonts(family_fonts())
        .default_size(BODY_SIZE)
        .default_line_spacing(proportional(264).after(120));
    [
        paragraph(TITLE, "Title")
            .size(52)
            .bold()
            .color(ACCENT)
            .line_spacing(proportional(240).after(80)),
        paragraph(SUBTITLE, "Subtitle")
            .size(28)
            .color(MUTED)
            .line_spacing(LineSpacing::new().after(240)),
        heading(HEADING_1, 1, 32, 360),
        heading(HEADING_2, 2, 26, 240),
        heading(HEADING_3, 3, 23, 180),
        paragraph(LIST_BULLET, "List Bullet")
            .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None)
            .line_spacing(LineSpacing::new().after(60)),
        Style::new(HYPERLINK, StyleType::Character)
            .name("Hyperlink")
            .color(LINK_BLUE)
            .underline("single"),
        footer_style(),
        keep_next(
            paragraph(PEOPLE_LABEL, "People Label")
                .bold()
                .color(ACCENT)
                .line_spacing(LineSpacing::new().before(160).after(60)),
        ),
        with_bar(
            paragraph(PERSON, "Person")
                .indent(Some(240), None, None, None)
                .line_spacing(LineSpacing::new().before(140).after(0)),
            RULE,
            12,
        ),
        question_style(),
    ]
    .into_iter()
    .fold(styles, Styles::add_style)
}

/// Line spacing in 240ths of a line. The rule is spelled out: LibreOffice reads a missing
/// `w:lineRule` as exact, which makes the lines of a large title overlap.
fn proportional(line: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Auto)
        .line(line)
}

fn paragraph(id: &str, name: &str) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on(NORMAL)
        .next(NORMAL)
}

/// A heading with its outline level, so Word's navigation pane and LibreOffice's navigator
/// list it; kept with the paragraph that follows.
fn heading(id: &str, level: usize, size: usize, space_before: u32) -> Style {
    keep_next(
        paragraph(id, &format!("heading {level}"))
            .size(size)
            .bold()
            .color(ACCENT)
            .outline_lvl(level - 1)
            .line_spacing(LineSpacing::new().before(space_before).after(100)),
    )
}

fn keep_next(mut style: Style) -> Style {
    style.paragraph_property.keep_next = Some(true);
    style
}

/// Small and muted under a hairline, with a tab stop at the right margin for the page number.
fn footer_style() -> Style {
    let mut style = paragraph(FOOTER, "footer").size(17).color(MUTED);
    style.paragraph_property.borders = Some(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Top)
                .val(BorderType::Single)
                .size(4)
                .space(4)
                .color(RULE),
        ),
    );
    style.paragraph_property.tabs =
        vec![Tab::new().val(TabValueType::Right).pos(super::TEXT_WIDTH)];
    style
}

/// A question stands apart from the answers, as in the PDF: a bar in the accent colour at
/// its left, kept with the first answer.
fn question_style() -> Style {
    with_bar(
        keep_next(
            paragraph(QUESTION, "Question")
                .indent(Some(240), None, None, None)
                .line_spacing(LineSpacing::new().before(320).after(120)),
        ),
        ACCENT,
        18,
    )
}

/// A rule down the left of the paragraph; `eighths` is its width in eighths of a point.
fn with_bar(mut style: Style, color: &str, eighths: usize) -> Style {
    style.paragraph_property.borders = Some(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Left)
                .val(BorderType::Single)
                .size(eighths)
                .space(8)
                .color(color),
        ),
    );
    style
}
