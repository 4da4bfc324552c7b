//! The cover image: the title (wrapped), the event and the organiser, drawn with fontdue in
//! Source Sans 3 onto a plain background and encoded as PNG.
//!
//! fontdue neither shapes nor kerns (Source Sans 3 has no legacy `kern` table): letters sit
//! at their advance widths, which is fine at display sizes. Everything here is integer or
//! deterministic float arithmetic, so the same title gives the same bytes.

use std::collections::BTreeMap;
use std::rc::Rc;

use fontdue::{Font, FontSettings};

use super::EpubError;
use crate::fonts::Style;
use crate::model::Summary;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 1600;
const MARGIN: f32 = 110.0;

type Rgb = [u8; 3];
const BACKGROUND: Rgb = [0xf5, 0xf3, 0xee];
const ACCENT: Rgb = [0x1f, 0x3a, 0x5f];
const INK: Rgb = [0x1b, 0x1b, 0x1b];
const MUTED: Rgb = [0x4a, 0x4a, 0x4a];

/// Coverage is rounded to this many steps, so the image keeps to a small palette and
/// compresses to a fraction of its true-colour size.
const COVERAGE_STEPS: u16 = 15;

/// The text alternative of the cover: the same words the image shows.
pub fn alt_text(doc: &Summary) -> String {
    let meta = &doc.meta;
    [
        meta.title.as_str(),
        meta.event.as_str(),
        meta.organiser.as_str(),
    ]
    .join(" — ")
}

/// Draws the cover of a document and returns it as PNG bytes. `regular` and `bold` are
/// TrueType fonts: the publication's own subsets, so the cover shows the same letterforms
/// as the text (Bulgarian ones for Bulgarian) and loads fast.
pub fn render(doc: &Summary, regular: &[u8], bold: &[u8]) -> Result<Vec<u8>, EpubError> {
    let regular = load(regular, Style::Regular)?;
    let bold = load(bold, Style::Bold)?;
    // fontdue silently draws a missing character as an empty box: refuse instead.
    check_coverage(&bold, Style::Bold, &doc.meta.title)?;
    check_coverage(&regular, Style::Regular, &doc.meta.event)?;
    check_coverage(&regular, Style::Regular, &doc.meta.organiser)?;
    let mut canvas = Canvas::new(WIDTH as usize, HEIGHT as usize, BACKGROUND);
    let text_width = WIDTH as f32 - 2.0 * MARGIN;

    canvas.fill_rect(0, 0, WIDTH as usize, 28, ACCENT);

    // The event, at the top.
    let event_size = fitting_size(&regular, &doc.meta.event, text_width, &[48.0, 42.0, 36.0]);
    let event_lines = wrap(&regular, &doc.meta.event, event_size, text_width);
    let mut baseline = 250.0;
    for line in &event_lines {
        canvas.draw_text(&regular, line, event_size, MARGIN, baseline, ACCENT);
        baseline += event_size * 1.3;
    }
    let rule_top = (baseline + 20.0) as usize;
    canvas.fill_rect(
        MARGIN as usize,
        rule_top,
        MARGIN as usize + 140,
        rule_top + 8,
        ACCENT,
    );

    // The organiser, at the bottom, above a thin rule.
    let organiser_size = fitting_size(
        &regular,
        &doc.meta.organiser,
        text_width,
        &[44.0, 38.0, 32.0],
    );
    let organiser_lines = wrap(&regular, &doc.meta.organiser, organiser_size, text_width);
    let organiser_line_height = organiser_size * 1.3;
    let last_baseline = HEIGHT as f32 - 150.0;
    let first_baseline =
        last_baseline - organiser_line_height * (organiser_lines.len() as f32 - 1.0);
    let organiser_rule = (first_baseline - organiser_size - 50.0).max(0.0) as usize;
    canvas.fill_rect(
        MARGIN as usize,
        organiser_rule,
        (WIDTH as f32 - MARGIN) as usize,
        organiser_rule + 3,
        MUTED,
    );
    for (i, line) in organiser_lines.iter().enumerate() {
        let y = first_baseline + organiser_line_height * i as f32;
        canvas.draw_text(&regular, line, organiser_size, MARGIN, y, MUTED);
    }

    // The title fills the space between, as large as it fits.
    let title_top = rule_top as f32 + 110.0;
    let title_bottom = organiser_rule as f32 - 90.0;
    let (title_size, title_lines) =
        title_layout(&bold, &doc.meta.title, text_width, title_bottom - title_top);
    let mut baseline = title_top + ascent(&bold, title_size);
    for line in &title_lines {
        canvas.draw_text(&bold, line, title_size, MARGIN, baseline, INK);
        baseline += title_size * 1.15;
    }

    canvas.encode_png()
}

fn load(data: &[u8], style: Style) -> Result<Font, EpubError> {
    let settings = FontSettings {
        load_substitutions: false,
        ..FontSettings::default()
    };
    Font::from_bytes(data, settings)
        .map_err(|message| EpubError::CoverFont(style.name(), message.to_string()))
}

fn check_coverage(font: &Font, style: Style, text: &str) -> Result<(), EpubError> {
    match text.chars().find(|&c| !font.has_glyph(c)) {
        Some(character) => Err(EpubError::MissingGlyph {
            character,
            font: style.name(),
        }),
        None => Ok(()),
    }
}

fn ascent(font: &Font, size: f32) -> f32 {
    font.horizontal_line_metrics(size)
        .map(|m| m.ascent)
        .unwrap_or(size * 0.8)
}

fn advance(font: &Font, text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| font.metrics(c, size).advance_width)
        .sum()
}

/// The largest of `sizes` at which every word fits on a line (the smallest otherwise).
fn fitting_size(font: &Font, text: &str, width: f32, sizes: &[f32]) -> f32 {
    sizes
        .iter()
        .copied()
        .find(|&size| {
            text.split(' ')
                .all(|word| advance(font, word, size) <= width)
        })
        .or_else(|| sizes.last().copied())
        .unwrap_or(40.0)
}

/// The largest title size whose wrapped lines fit the box, with the lines.
fn title_layout(font: &Font, title: &str, width: f32, height: f32) -> (f32, Vec<String>) {
    const SIZES: [f32; 10] = [112.0, 100.0, 92.0, 84.0, 76.0, 68.0, 60.0, 54.0, 48.0, 42.0];
    for size in SIZES {
        let words_fit = title
            .split(' ')
            .all(|word| advance(font, word, size) <= width);
        let lines = wrap(font, title, size, width);
        if words_fit && lines.len() as f32 * size * 1.15 <= height {
            return (size, lines);
        }
    }
    let size = SIZES[SIZES.len() - 1];
    (size, wrap(font, title, size, width))
}

/// Greedy line filling at spaces; a non-breaking space keeps its neighbours together.
fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || advance(font, &candidate, size) <= width {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// An indexed-colour image: the text needs only the background, three inks and the steps
/// between them, so a palette holds every colour and the PNG stays small.
struct Canvas {
    width: usize,
    height: usize,
    /// Palette indices, row by row.
    pixels: Vec<u8>,
    palette: Palette,
    /// Glyphs already rasterised, by (font, character, size): a title repeats its letters,
    /// and rasterising was most of the cover's time.
    glyphs: BTreeMap<(usize, char, u32), Rc<Glyph>>,
    /// What the ink being drawn turns each (palette index, coverage step) into.
    blends: Blends,
}

struct Glyph {
    metrics: fontdue::Metrics,
    coverage: Vec<u8>,
}

/// The colours of the image, each once, in order of first use.
struct Palette {
    colors: Vec<Rgb>,
    /// Where each colour sits in `colors`, to find it again quickly.
    index: BTreeMap<Rgb, u8>,
}

impl Palette {
    fn new(background: Rgb) -> Palette {
        Palette {
            colors: vec![background],
            index: BTreeMap::from([(background, 0)]),
        }
    }

    /// The palette index of a colour, adding it while there is room; once the palette is
    /// full (overlapping glyphs might get there), the nearest colour already in it.
    fn index_of(&mut self, color: Rgb) -> u8 {
        if let Some(&i) = self.index.get(&color) {
            return i;
        }
        if self.colors.len() < 256 {
            let i = self.colors.len() as u8;
            self.colors.push(color);
            self.index.insert(color, i);
            return i;
        }
        let distance = |c: &Rgb| -> u32 {
            c.iter()
                .zip(color)
                .map(|(a, b)| (i32::from(*a) - i32::from(b)).unsigned_abs().pow(2))
                .sum()
        };
        self.colors
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| distance(c))
            .map(|(i, _)| i as u8)
            .unwrap_or(0)
    }
}

/// Coverage (0..=255, as fontdue gives it) rounded to a step of `COVERAGE_STEPS`.
const COVERAGE_STEP: [u8; 256] = {
    let mut steps = [0; 256];
    let mut coverage = 0;
    while coverage < 256 {
        steps[coverage] = ((coverage as u16 * COVERAGE_STEPS + 127) / 255) as u8;
        coverage += 1;
    }
    steps
};

const BLEND_SLOTS: usize = 256 * (COVERAGE_STEPS as usize + 1);

/// For one ink: the palette index that (pixel's palette index, coverage step) blends to,
/// filled in as pairs occur. Looking colours up pixel by pixel was most of the drawing time.
struct Blends {
    ink: Rgb,
    memo: Box<[Option<u8>; BLEND_SLOTS]>,
    /// Straight from coverage to palette index for pixels still showing the background,
    /// which nearly all inked pixels are.
    over_background: [Option<u8>; 256],
}

impl Blends {
    fn new(ink: Rgb) -> Blends {
        Blends {
            ink,
            memo: Box::new([None; BLEND_SLOTS]),
            over_background: [None; 256],
        }
    }

    fn set_ink(&mut self, ink: Rgb) {
        if self.ink != ink {
            self.ink = ink;
            self.memo.fill(None);
            self.over_background.fill(None);
        }
    }

    /// The palette index a pixel showing the background (palette index 0) takes on under
    /// the ink with `coverage`.
    #[inline]
    fn over_background(&mut self, palette: &mut Palette, coverage: u8) -> u8 {
        match self.over_background[usize::from(coverage)] {
            Some(index) => index,
            None => {
                // Step 0 leaves the pixel as it is.
                let index = match COVERAGE_STEP[usize::from(coverage)] {
                    0 => 0,
                    step => self.blend(palette, 0, step),
                };
                self.over_background[usize::from(coverage)] = Some(index);
                index
            }
        }
    }

    /// The palette index of the ink laid over the colour at palette index `current` with
    /// `step` / `COVERAGE_STEPS` opacity.
    #[inline]
    fn blend(&mut self, palette: &mut Palette, current: u8, step: u8) -> u8 {
        let slot = usize::from(current) * (usize::from(COVERAGE_STEPS) + 1) + usize::from(step);
        match self.memo.get(slot) {
            Some(Some(index)) => *index,
            _ => self.blend_first_time(palette, slot, current, step),
        }
    }

    /// Works out a blend not seen before with this ink (a few dozen times per cover, against
    /// hundreds of thousands of lookups) and remembers it.
    #[cold]
    #[inline(never)]
    fn blend_first_time(
        &mut self,
        palette: &mut Palette,
        slot: usize,
        current: u8,
        step: u8,
    ) -> u8 {
        let alpha = u16::from(step) * 255 / COVERAGE_STEPS;
        let mut color = palette
            .colors
            .get(usize::from(current))
            .copied()
            .unwrap_or(BACKGROUND);
        for (channel, ink) in color.iter_mut().zip(self.ink) {
            *channel =
                ((u16::from(*channel) * (255 - alpha) + u16::from(ink) * alpha + 127) / 255) as u8;
        }
        let index = palette.index_of(color);
        if let Some(memo) = self.memo.get_mut(slot) {
            *memo = Some(index);
        }
        index
    }
}

impl Canvas {
    fn new(width: usize, height: usize, background: Rgb) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![0; width * height],
            palette: Palette::new(background),
            glyphs: BTreeMap::new(),
            blends: Blends::new(background),
        }
    }

    fn fill_rect(&mut self, x0: usize, y0: usize, x1: usize, y1: usize, color: Rgb) {
        let index = self.palette.index_of(color);
        for y in y0..y1.min(self.height) {
            let row = y * self.width;
            if let Some(span) = self
                .pixels
                .get_mut(row + x0.min(self.width)..row + x1.min(self.width))
            {
                span.fill(index);
            }
        }
    }

    fn draw_text(&mut self, font: &Font, text: &str, size: f32, x: f32, baseline: f32, ink: Rgb) {
        self.blends.set_ink(ink);
        let mut pen = x;
        for c in text.chars() {
            let glyph = self
                .glyphs
                .entry((font.file_hash(), c, size.to_bits()))
                .or_insert_with(|| {
                    let (metrics, coverage) = font.rasterize(c, size);
                    Rc::new(Glyph { metrics, coverage })
                })
                .clone();
            let metrics = &glyph.metrics;
            let left = pen.round() as i64 + i64::from(metrics.xmin);
            let top = baseline.round() as i64 - i64::from(metrics.ymin) - metrics.height as i64;
            self.blit(&glyph, left, top);
            pen += metrics.advance_width;
        }
    }

    /// Lays the current ink over the canvas through a glyph's coverage, its top left corner
    /// at (`left`, `top`); what falls outside the canvas is dropped.
    fn blit(&mut self, glyph: &Glyph, left: i64, top: i64) {
        let glyph_width = glyph.metrics.width;
        if glyph_width == 0 {
            return;
        }
        // The glyph's columns that land on the canvas.
        let first_col = (-left).clamp(0, glyph_width as i64) as usize;
        let end_col = (self.width as i64 - left).clamp(0, glyph_width as i64) as usize;
        if first_col >= end_col {
            return;
        }
        let canvas_col = (left + first_col as i64) as usize;
        for (row, coverage_row) in glyph.coverage.chunks_exact(glyph_width).enumerate() {
            let y = top + row as i64;
            if y < 0 || y >= self.height as i64 {
                continue;
            }
            let start = y as usize * self.width + canvas_col;
            let (Some(pixels), Some(coverage_row)) = (
                self.pixels.get_mut(start..start + (end_col - first_col)),
                coverage_row.get(first_col..end_col),
            ) else {
                continue;
            };
            for (pixel, &coverage) in pixels.iter_mut().zip(coverage_row) {
                if coverage == 0 {
                    continue;
                }
                if *pixel == 0 {
                    *pixel = self.blends.over_background(&mut self.palette, coverage);
                    continue;
                }
                // Step 0 leaves the pixel as it is.
                let step = COVERAGE_STEP[usize::from(coverage)];
                if step != 0 {
                    *pixel = self.blends.blend(&mut self.palette, *pixel, step);
                }
            }
        }
    }

    fn encode_png(&self) -> Result<Vec<u8>, EpubError> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_palette(self.palette.colors.concat());
            // Up and fdeflate: rows repeat the row above (background, the bars, the vertical
            // strokes of letters), which Up turns into runs of zeros that fdeflate codes
            // cheaply. Measured on the four covers against fdeflate with adaptive filtering:
            // under half the encoding instructions for ~20% more bytes. None (the PNG
            // recommendation for palette images) is 4x larger with fdeflate, which codes
            // only zero runs; Sub is larger and slower than Up.
            encoder.set_compression(png::Compression::Fastest);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&self.pixels)?;
            writer.finish()?;
        }
        Ok(out)
    }
}

/// The cover page: the image alone, with its text alternative.
pub fn page(doc: &Summary, image_href: &str, stylesheet_href: &str) -> Result<Vec<u8>, EpubError> {
    use super::xhtml::XhtmlWriter;
    let mut w = XhtmlWriter::begin(&doc.lang, &doc.meta.title, Some(stylesheet_href))?;
    w.start("section", &[("class", "cover"), ("epub:type", "cover")])?;
    w.newline()?;
    let alt = alt_text(doc);
    w.empty(
        "img",
        &[("src", image_href), ("alt", &alt), ("role", "doc-cover")],
    )?;
    w.newline()?;
    w.end("section")?;
    w.newline()?;
    let (bytes, _) = w.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::FontSet;

    fn example(title: &str) -> Summary {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example.xml");
        let mut doc = crate::source::read_source(&path).expect("example reads");
        doc.meta.title = title.to_string();
        doc
    }

    /// Decodes the PNG (as the indices of its palette) and counts the pixels that are not
    /// background between the two rows.
    fn inked_pixels(png_bytes: &[u8], rows: std::ops::Range<usize>) -> (u32, u32, usize) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("PNG data");
        let width = info.width as usize;
        let inked = buf[rows.start * width..rows.end * width]
            .iter()
            .filter(|&&i| i != 0)
            .count();
        (info.width, info.height, inked)
    }

    fn render_whole(doc: &Summary, fonts: &FontSet) -> Result<Vec<u8>, EpubError> {
        let data = |style| fonts.face(style).data;
        render(doc, data(Style::Regular), data(Style::Bold))
    }

    #[test]
    fn draws_cyrillic_and_hungarian_titles() {
        let fonts = FontSet::embedded().expect("fonts");
        for title in [
            "Ефективно присъствие в социалните медии",
            "Hatékony közösségi médiajelenlét: őszi tűz, ŐŰ",
        ] {
            let png = render_whole(&example(title), &fonts).expect("cover renders");
            // The title sits in the middle of the page; a title drawn as empty boxes or
            // not at all would leave it (nearly) blank.
            let (width, height, inked) = inked_pixels(&png, 450..1100);
            assert_eq!((width, height), (WIDTH, HEIGHT));
            assert!(inked > 40_000, "{title}: only {inked} inked pixels");
        }
    }

    #[test]
    fn letters_past_the_edges_are_cut_off_not_wrapped_round() {
        let fonts = FontSet::embedded().expect("fonts");
        let bold = load(fonts.face(Style::Bold).data, Style::Bold).expect("bold loads");
        let (width, height) = (100, 60);
        let mut canvas = Canvas::new(width, height, BACKGROUND);
        // Runs off the right edge and the top.
        canvas.draw_text(&bold, "WW", 80.0, 60.0, 50.0, INK);
        assert!(canvas.pixels.iter().any(|&p| p != 0), "nothing drawn");
        let left_columns_inked = canvas
            .pixels
            .chunks_exact(width)
            .any(|row| row[..10].iter().any(|&p| p != 0));
        assert!(!left_columns_inked, "ink wrapped round to the left edge");
        // Entirely off the canvas, to the left and above: nothing happens.
        let before = canvas.pixels.clone();
        canvas.draw_text(&bold, "W", 80.0, -200.0, -100.0, INK);
        assert_eq!(canvas.pixels, before);
        assert_eq!(canvas.pixels.len(), width * height);
    }

    #[test]
    fn png_holds_exactly_the_drawn_pixels_and_palette() {
        let fonts = FontSet::embedded().expect("fonts");
        let regular = load(fonts.face(Style::Regular).data, Style::Regular).expect("loads");
        let mut canvas = Canvas::new(300, 120, BACKGROUND);
        canvas.fill_rect(0, 0, 300, 10, ACCENT);
        canvas.draw_text(&regular, "Ráday ŐŰ", 48.0, 10.0, 70.0, INK);
        canvas.draw_text(&regular, "Ефект", 40.0, 30.0, 110.0, MUTED);
        let png_bytes = canvas.encode_png().expect("encodes");

        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes[..]));
        let mut reader = decoder.read_info().expect("PNG header");
        let palette = reader.info().palette.as_ref().map(|p| p.to_vec());
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        reader.next_frame(&mut buf).expect("PNG data");
        assert_eq!(buf, canvas.pixels);
        assert_eq!(palette, Some(canvas.palette.colors.concat()));
    }

    #[test]
    fn refuses_a_character_the_font_cannot_draw() {
        let fonts = FontSet::embedded().expect("fonts");
        let err = render_whole(&example("会议 summary"), &fonts).expect_err("no CJK in the font");
        assert!(err.to_string().contains("U+4F1A"), "{err}");
    }
}
