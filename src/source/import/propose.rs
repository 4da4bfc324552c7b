//! Proposals for what the text does not say: title, event and organiser.
//!
//! They come from the first sentence, by its shape only (capitalised words, an acronym in
//! brackets); the output marks each with a comment so an editor checks it.

/// A title from the first sentence: its opening phrase up to the first comma, when that has
/// four to twelve words and holds neither the organiser nor an acronym (then it is a phrase
/// of its own, "For its second Digital Masterclasses webinar", not the start of the main
/// clause cut off). Otherwise `None`: the editor writes the title, since the first words of a
/// sentence are no title.
pub fn title(first_sentence: &str, organiser: Option<&str>) -> Option<String> {
    let sentence = first_sentence.trim().trim_end_matches(['.', '!', '?']);
    let (clause, _) = sentence.split_once(',')?;
    let words: Vec<&str> = clause.split_whitespace().collect();
    let holds_organiser = organiser.is_some_and(|o| {
        let o = o.split(" (").next().unwrap_or(o);
        !o.is_empty() && clause.contains(o)
    });
    let ok = (4..=12).contains(&words.len())
        && !holds_organiser
        && !words.iter().any(|w| acronym(w).is_some());
    ok.then(|| clause.trim().to_string())
}

/// What import proposes for the fields the text does not have; `None` where it is unsure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub title: Option<String>,
    pub event: Option<String>,
    pub organiser: Option<String>,
}

impl Proposed {
    pub fn from_text(first_sentence: &str, affiliations: &[String]) -> Proposed {
        let (event, organiser) = event_and_organiser(first_sentence, affiliations);
        Proposed {
            title: title(first_sentence, organiser.as_deref()),
            event,
            organiser,
        }
    }

    /// The elements import leaves empty for the editor.
    pub fn left_empty(&self) -> Vec<&'static str> {
        [
            ("title", &self.title),
            ("event", &self.event),
            ("organiser", &self.organiser),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| name)
        .collect()
    }

    /// The comment before `<title>`, and the one before `<event>` and `<organiser>`.
    pub fn comments(&self) -> (String, String) {
        let title = match self.title {
            Some(_) => "Proposed by import from the opening phrase of the first sentence: write the real title.".to_string(),
            None => "import found no title in the text: write the real title (check refuses an empty one).".to_string(),
        };
        let say = |what: &str, value: &Option<String>, how: &str| match value {
            Some(_) => format!("the {what} is proposed from {how}"),
            None => format!("no {what} found in the text: write it"),
        };
        let event = format!(
            "{}; {}. Check both.",
            say(
                "event",
                &self.event,
                "the capitalised name in the first sentence"
            ),
            say(
                "organiser",
                &self.organiser,
                if self.organiser.as_deref().is_some_and(|o| o.ends_with(')')) {
                    "the words the acronym in brackets abbreviates"
                } else {
                    "a name of the first sentence that the people lists also give"
                }
            )
        );
        (title, capitalise_first(&event))
    }
}

fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

fn is_capitalised(word: &str) -> bool {
    word.trim_start_matches(['(', '"', '“', '„', '«'])
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}

/// An acronym in brackets, "(CoR)", "(КР)": its capital letters.
fn acronym(word: &str) -> Option<Vec<char>> {
    let inner = word
        .trim_end_matches([',', '.', ';', ':'])
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let capitals: Vec<char> = inner.chars().filter(|c| c.is_uppercase()).collect();
    let ok = (2..=6).contains(&inner.chars().count())
        && capitals.len() >= 2
        && inner.chars().all(char::is_alphabetic)
        && inner.chars().next().is_some_and(char::is_uppercase);
    ok.then_some(capitals)
}

/// The words an acronym in brackets abbreviates, with the acronym: "Committee of the
/// Regions (CoR)". Returns the word range.
fn acronym_range(words: &[&str]) -> Option<(usize, usize)> {
    for (i, word) in words.iter().enumerate() {
        let Some(capitals) = acronym(word) else {
            continue;
        };
        let mut needed = capitals.iter().rev().peekable();
        let mut start = i;
        for k in (i.saturating_sub(8)..i).rev() {
            let Some(&&letter) = needed.peek() else { break };
            let initial = words
                .get(k)
                .and_then(|w| w.chars().next())
                .map(|c| c.to_lowercase().collect::<String>());
            if initial == Some(letter.to_lowercase().collect()) {
                needed.next();
                start = k;
            }
        }
        if needed.peek().is_none() {
            return Some((start, i + 1));
        }
    }
    None
}

/// A word that can be part of a name: capitalised, with no digit ("COVID-19" and
/// "Covid19" name a disease, not an organisation or an event).
fn name_word(word: &str) -> bool {
    is_capitalised(word) && !word.chars().any(|c| c.is_ascii_digit()) && acronym(word).is_none()
}

/// Runs of capitalised words after the sentence's first word: (start, length).
fn capitalised_runs(words: &[&str]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 1;
    while i < words.len() {
        let run = words.iter().skip(i).take_while(|w| name_word(w)).count();
        if run > 0 {
            runs.push((i, run));
        }
        i += run.max(1);
    }
    runs
}

/// (event, organiser) proposed from the first sentence, each `None` when the text gives no
/// clear answer.
///
/// The organiser is what an acronym in brackets abbreviates ("Committee of the Regions
/// (CoR)"); failing that, a run of capitalised words of the sentence that the people lists
/// also name, as the organisation their moderator or host works for ("Euroopa Regioonide
/// Komitee"). The event is the first run of two or more capitalised words that is not the
/// organiser and does not start the sentence ("Digital Masterclasses").
pub fn event_and_organiser(
    first_sentence: &str,
    affiliations: &[String],
) -> (Option<String>, Option<String>) {
    let words: Vec<&str> = first_sentence.split_whitespace().collect();
    let clean = |(s, e): (usize, usize)| {
        words.get(s..e).map(|w| {
            w.join(" ")
                .trim_end_matches([',', '.', ';', ':'])
                .to_string()
        })
    };
    let overlaps = |a: Option<(usize, usize)>, s: usize, e: usize| {
        a.is_some_and(|(as_, ae)| s < ae && as_ < e)
    };
    let runs = capitalised_runs(&words);
    let named_by_people = |range: (usize, usize)| {
        clean(range).is_some_and(|name| {
            name.chars().count() >= 4 && affiliations.iter().any(|a| a.contains(&name))
        })
    };
    let organiser = acronym_range(&words).or_else(|| {
        runs.iter()
            .map(|(s, n)| (*s, s + n))
            .find(|r| named_by_people(*r))
    });
    let event = runs
        .iter()
        .find(|(s, n)| *n >= 2 && !overlaps(organiser, *s, s + n))
        .map(|(s, n)| (*s, s + n));
    (event.and_then(clean), organiser.and_then(clean))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_from_first_sentences() {
        let en = "For its second Digital Masterclasses webinar, the Committee of the Regions (CoR) invited communication experts.";
        let (event, organiser) = event_and_organiser(en, &[]);
        assert_eq!(event.as_deref(), Some("Digital Masterclasses"));
        assert_eq!(organiser.as_deref(), Some("Committee of the Regions (CoR)"));
        assert_eq!(
            title(en, organiser.as_deref()).as_deref(),
            Some("For its second Digital Masterclasses webinar")
        );
        let bg = "Що се отнася до втория мастърклас под формата на уебинар, Комитетът на регионите (КР) покани експерти.";
        assert_eq!(
            event_and_organiser(bg, &[]),
            (None, Some("Комитетът на регионите (КР)".to_string()))
        );
        let da =
            "Til sit andet Digital Masterclass-webinar har Regionsudvalget inviteret eksperter.";
        assert_eq!(
            event_and_organiser(da, &["Social Media Officer, Regionsudvalget".to_string()]),
            (
                Some("Digital Masterclass-webinar".to_string()),
                Some("Regionsudvalget".to_string())
            )
        );
        assert_eq!(title(da, Some("Regionsudvalget")), None);
    }

    #[test]
    fn unsure_proposals_are_left_empty() {
        // No acronym, no capitalised event; the only capitalised runs are the organiser
        // (named by the people lists) and a disease.
        let et = "Oma teise digikeskkonna meistriklasside veebiseminari jaoks kutsus Euroopa Regioonide Komitee valitsuse, kodanikuühiskonna ja kohalike omavalitsuste kommunikatsioonieksperte üles COVID-19 kriisi ajal.";
        let people = ["Euroopa Regioonide Komitee sotsiaalmeediaametnik".to_string()];
        let (event, organiser) = event_and_organiser(et, &people);
        assert_eq!(event, None);
        assert_eq!(organiser.as_deref(), Some("Euroopa Regioonide Komitee"));
        assert_eq!(title(et, organiser.as_deref()), None);
        // Without the people lists naming it, no organiser is guessed (never "COVID-19").
        assert_eq!(event_and_organiser(et, &[]).1, None);
    }
}
