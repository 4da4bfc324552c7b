//! The stylesheet: made for reading on a small screen whose reader sets the type size.
//!
//! Sizes are relative (em, %), so the reader's settings win; headings are set apart by
//! weight and space rather than colour. `face_for` mirrors the rules below that change
//! weight or slant: the font subsets are cut from what it says, so the two must agree.

use crate::fonts::Style;

/// The face the stylesheet draws an element's text in, given its parent's face.
pub fn face_for(parent: Style, element: &str, class: Option<&str>) -> Style {
    let bold = matches!(element, "h1" | "h2" | "h3" | "h4" | "strong" | "b")
        || class.is_some_and(|c| BOLD_CLASSES.contains(&c));
    let italic = matches!(element, "em" | "i");
    Style::new(parent.is_bold() || bold, parent.is_italic() || italic)
}

/// Classes the stylesheet sets in bold (see `RULES`).
const BOLD_CLASSES: [&str; 2] = ["name", "answerer"];

/// An embedded face, as an `@font-face` rule names it.
pub struct FontFaceRule<'a> {
    pub family: &'a str,
    pub style: Style,
    /// Relative to the stylesheet.
    pub href: &'a str,
}

/// The whole stylesheet: `@font-face` rules for the embedded faces, then the reading rules.
pub fn stylesheet(fonts: &[FontFaceRule], family: Option<&str>) -> String {
    let mut css = String::new();
    for font in fonts {
        css.push_str(&format!(
            "@font-face {{\n  font-family: \"{}\";\n  font-style: {};\n  font-weight: {};\n  src: url(\"{}\") format(\"truetype\");\n}}\n\n",
            font.family,
            if font.style.is_italic() { "italic" } else { "normal" },
            if font.style.is_bold() { "bold" } else { "normal" },
            font.href
        ));
    }
    let families = match family {
        Some(name) => format!("\"{name}\", sans-serif"),
        None => "sans-serif".to_string(),
    };
    css.push_str(&format!("body {{\n  font-family: {families};\n}}\n\n"));
    css.push_str(RULES);
    css
}

const RULES: &str = r#"body {
  line-height: 1.45;
  /* A word longer than a narrow screen at a large type size breaks rather than runs off
     it (hyphens: auto helps only where the reader has a dictionary for the language). */
  overflow-wrap: break-word;
  word-wrap: break-word;
  hyphens: auto;
  -webkit-hyphens: auto;
  widows: 2;
  orphans: 2;
}

h1, h2, h3, h4 {
  font-weight: bold;
  line-height: 1.2;
  hyphens: manual;
  -webkit-hyphens: manual;
  page-break-after: avoid;
  break-after: avoid;
  page-break-inside: avoid;
  break-inside: avoid;
}

h1 {
  font-size: 1.6em;
  margin: 0 0 0.6em 0;
}

h2 {
  font-size: 1.3em;
  margin: 1.6em 0 0.5em 0;
}

h3 {
  font-size: 1.1em;
  margin: 1.3em 0 0.4em 0;
}

h4 {
  font-size: 1em;
  margin: 1em 0 0.3em 0;
}

p {
  margin: 0 0 0.6em 0;
}

ul {
  list-style-type: disc;
  margin: 0 0 0.8em 0;
  padding-left: 1.4em;
}

li {
  margin: 0 0 0.3em 0;
}

ul.people {
  list-style-type: none;
  padding-left: 0;
}

ul.people > li {
  margin-bottom: 0.8em;
}

ul.people p {
  margin: 0;
}

/* Links take the text's colour, whatever theme the reader sets (a fixed dark blue falls
   to 2.2:1 on a night theme); the underline sets them apart. */
a {
  color: inherit;
  text-decoration: underline;
  /* Long addresses may break anywhere rather than run off the screen. */
  overflow-wrap: break-word;
  word-wrap: break-word;
}

.title-block {
  margin-bottom: 2em;
}

.title-block .event {
  font-size: 1.15em;
  margin-bottom: 0.2em;
}

.title-block .organiser {
  margin-bottom: 1.2em;
}

.talk {
  margin-top: 1.4em;
}

.talk .speaker {
  font-style: normal;
  margin-bottom: 0.6em;
}

.name, .answerer {
  font-weight: bold;
}

.question {
  margin-top: 1.4em;
}

.question-text {
  font-weight: normal;
}

.answer {
  margin-left: 1em;
}

nav ol {
  list-style-type: none;
  padding-left: 0;
}

nav ol ol {
  padding-left: 1.2em;
}

nav li {
  margin: 0.4em 0;
}

.cover {
  margin: 0;
  padding: 0;
  text-align: center;
}

.cover img {
  display: block;
  margin: 0 auto;
  max-width: 100%;
  /* The whole cover on one screen: readers that know vh use it, the others the %. */
  max-height: 100%;
  max-height: 98vh;
  width: auto;
  height: auto;
}
"#;
