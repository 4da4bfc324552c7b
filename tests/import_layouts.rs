//! Layouts the seeds do not use: the importer reads structure, not one file's habits.

use std::path::Path;

use polypress::model::{plain_text, Block, Role, Summary};
use polypress::source::import::{import_text, ImportOptions, Imported};
use polypress::source::parse_summary;

fn import(text: &str, lang: &str) -> (Imported, Summary) {
    let options = ImportOptions {
        lang: lang.to_string(),
        id: Some("test".to_string()),
        ids_from: None,
        revised: "2026-11-21".to_string(),
    };
    let imported =
        import_text(text.as_bytes(), Path::new("variant.txt"), &options).expect("imports");
    assert!(
        imported.check_errors.is_none(),
        "{:?}\n{}",
        imported.check_errors,
        imported.xml
    );
    // Title, event and organiser the text does not say are left empty for the editor.
    let xml = imported
        .xml
        .replace("<title></title>", "<title>Title</title>")
        .replace("<event></event>", "<event>Event</event>")
        .replace(
            "<organiser></organiser>",
            "<organiser>Organiser</organiser>",
        );
    let doc = parse_summary(xml.as_bytes(), Path::new("variant.xml")).expect("reads");
    (imported, doc)
}

/// Spanish, single blank lines between sections, dashes instead of commas, Word's tab after
/// the bullet, questions numbered "Pregunta N –", a name alone on its line.
const SPANISH: &str = "Contexto\n\
El Comité Europeo de las Regiones (CDR) organizó su tercer seminario web Clases Magistrales Digitales.\n\
Se inscribieron 95 personas y 60 asistieron en directo.\n\
Ponentes:\n\
•\tLucía Pérez Gómez – Directora de Comunicación, Ayuntamiento de Sevilla\n\
LinkedIn: https://www.linkedin.com/in/lucia-perez/\n\
Twitter: https://twitter.com/luciaperez\n\
•\tMarc Puig – Periodista\n\
Moderadora:\n\
•\tAna Ruiz – Jefa de unidad\n\
\n\
Grabación: https://www.example.eu/es\n\
\n\
Conclusiones\n\
Lucía Pérez Gómez, Ayuntamiento de Sevilla: Hablar con los vecinos\n\
•\tPublicamos cada día.\n\
•\tRespondemos en 24 horas.\n\
Marc Puig: Verificar antes de publicar\n\
Un párrafo sin viñeta.\n\
\n\
Preguntas\n\
Pregunta 1 – ¿Qué funcionó?\n\
Lucía:\n\
La constancia.\n\
Marc Puig: La verificación.\n\
Pregunta 2\n\
¿Y los jóvenes?\n\
Ana Ruiz: Llegamos por TikTok.\n";

#[test]
fn a_different_layout_in_a_different_language() {
    let (imported, doc) = import(SPANISH, "es");
    let affiliations: Vec<Option<String>> = doc
        .people
        .iter()
        .map(|p| p.affiliation.as_deref().map(plain_text))
        .collect();
    let people: Vec<(&str, Role, Option<&str>)> = doc
        .people
        .iter()
        .zip(&affiliations)
        .map(|(p, a)| (p.id.as_str(), p.role, a.as_deref()))
        .collect();
    assert_eq!(
        people,
        vec![
            (
                "gomez",
                Role::Speaker,
                Some("Directora de Comunicación, Ayuntamiento de Sevilla")
            ),
            ("puig", Role::Speaker, Some("Periodista")),
            ("ruiz", Role::Moderator, Some("Jefa de unidad")),
        ]
    );
    assert_eq!(doc.people[0].twitter.as_deref(), Some("@luciaperez"));
    assert_eq!(
        doc.meta.recording.as_ref().map(|r| r.href.as_str()),
        Some("https://www.example.eu/es")
    );
    let attendance = doc.meta.attendance.as_ref().expect("attendance");
    assert_eq!(
        (attendance.registered, attendance.attended),
        (Some(95), Some(60))
    );
    assert_eq!(doc.meta.organiser, "Comité Europeo de las Regiones (CDR)");

    let headings: Vec<&str> = doc.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        ["Contexto", "Conclusiones"],
        "one blank line is enough after the people"
    );
    let talks: Vec<_> = doc.talks().collect();
    assert_eq!(talks.len(), 2);
    assert!(matches!(&talks[0].blocks[..], [Block::List(l)] if l.items.len() == 2));
    assert_eq!(talks[1].title, "Verificar antes de publicar");

    let q = doc.questions.as_ref().expect("questions");
    assert_eq!(q.heading, "Preguntas");
    assert_eq!(q.items.len(), 2);
    assert_eq!(q.items[0].label, "Pregunta 1");
    assert_eq!(plain_text(&q.items[0].text), "¿Qué funcionó?");
    let first = &q.items[0].answers[0];
    assert_eq!(first.name(&doc), "Lucía");
    assert_eq!(plain_text(&first.paragraphs[0].content), "La constancia.");
    assert_eq!(
        plain_text(&q.items[1].text),
        "¿Y los jóvenes?",
        "text on the next line"
    );
    assert_eq!(doc.person(q.items[1].answers[0].by).id, "ruiz");
    assert_eq!(imported.counts.answers, 3);
}

#[test]
fn unclassifiable_lines_are_kept_and_reported() {
    let text = "Intro\n\
First paragraph of the text.\n\
Panel:\n\
· Kim Lee, Analyst\n\
Web: https://example.org/kim\n\
\n\
\n\
Questions\n\
A line before any question.\n\
Q 1: Why?\n\
Because.\n\
Kim Lee: Answer.\n";
    let (imported, doc) = import(text, "en");
    let kept: Vec<(usize, &str)> = imported
        .notes
        .iter()
        .filter(|n| n.message.starts_with("kept as a paragraph"))
        .map(|n| (n.line, n.message.as_str()))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[0].0, 5);
    assert!(kept[0].1.contains("\"Web: https://example.org/kim\""));
    assert_eq!(kept[1].0, 9);
    let words: String = doc.visible_text().join(" ");
    for kept_text in [
        "https://example.org/kim",
        "A line before any question.",
        "Because.",
    ] {
        assert!(words.contains(kept_text), "{kept_text} is kept");
    }
}
