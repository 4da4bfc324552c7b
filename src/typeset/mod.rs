//! Typesetting for the PDF handout: shaping, line breaking, hyphenation and pagination.
//!
//! Only the PDF writer lays text out itself (DOCX and EPUB leave that to the reader's
//! application), so this module knows nothing of PDF: it turns styled text into positioned
//! glyphs on lines, and lines into pages.
//!
//! - `shape`: harfrust (HarfBuzz in Rust) with the document's language (kerning, ligatures, `locl` forms);
//! - `hyphenate`: the `hyphenation` crate's TeX patterns, loaded once per language;
//! - `linebreak`: UAX #14 break opportunities, hyphenation points and URL break points,
//!   chosen by an optimum-fit (Knuth-Plass) paragraph breaker;
//! - `paginate`: lines to pages with orphan, widow and keep rules.

pub mod hyphenate;
pub mod linebreak;
pub mod paginate;
pub mod shape;

pub use linebreak::{break_paragraph, Alignment, Line, Piece, Span, SpanKind};
pub use shape::{Glyph, MissingGlyph, Shaper};
