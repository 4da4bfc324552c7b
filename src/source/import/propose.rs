//! Proposals for what the text does not say: title, event and organiser.
//!
//! They come from the first sentence, by its shape only (capitalised words, an acronym in
//! brackets); the output marks each with a comment so an editor checks it.

/// A title from the first sentence: its first clause if that has four words or more,
/// otherwise its first twelve words.
pub fn title(first_sentence: &str) -> String {
    let sentence = first_sentence.trim().trim_end_matches(['.', '!', '?']);
    if let Some((clause, _)) = sentence.split_once(',') {
        let words = clause.split_whitespace().count();
        if (4..=12).contains(&words) {
            return clause.trim().to_string();
        }
    }
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() <= 12 {
        return words.join(" ");
    }
    let mut title = words.iter().take(12).copied().collect::<Vec<_>>().join(" ");
    title = title.trim_end_matches([',', ';', ':']).to_string();
    title.push('…');
    title
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

/// Runs of capitalised words after the sentence's first word: (start, length).
fn capitalised_runs(words: &[&str]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 1;
    while i < words.len() {
        let run = words
            .iter()
            .skip(i)
            .take_while(|w| is_capitalised(w) && acronym(w).is_none())
            .count();
        if run > 0 {
            runs.push((i, run));
        }
        i += run.max(1);
    }
    runs
}

/// (event, organiser) proposed from the first sentence. The organiser is what an acronym in
/// brackets abbreviates; the event the first run of two or more capitalised words outside
/// it; an organiser without acronym the first other capitalised run. Failing those, the
/// proposed title stands in.
pub fn event_and_organiser(first_sentence: &str, title: &str) -> (String, String) {
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
    let by_acronym = acronym_range(&words);
    let event = runs
        .iter()
        .find(|(s, n)| *n >= 2 && !overlaps(by_acronym, *s, s + n))
        .map(|(s, n)| (*s, s + n));
    let organiser = by_acronym.or_else(|| {
        runs.iter()
            .find(|(s, n)| !overlaps(event, *s, s + n))
            .map(|(s, n)| (*s, s + n))
    });
    (
        event.and_then(clean).unwrap_or_else(|| title.to_string()),
        organiser
            .and_then(clean)
            .unwrap_or_else(|| title.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_from_first_sentences() {
        let en = "For its second Digital Masterclasses webinar, the Committee of the Regions (CoR) invited communication experts.";
        let t = title(en);
        assert_eq!(t, "For its second Digital Masterclasses webinar");
        assert_eq!(
            event_and_organiser(en, &t),
            (
                "Digital Masterclasses".to_string(),
                "Committee of the Regions (CoR)".to_string()
            )
        );
        let bg = "Що се отнася до втория мастърклас под формата на уебинар, Комитетът на регионите (КР) покани експерти.";
        assert_eq!(
            event_and_organiser(bg, "x").1,
            "Комитетът на регионите (КР)"
        );
        let da =
            "Til sit andet Digital Masterclass-webinar har Regionsudvalget inviteret eksperter.";
        assert_eq!(
            event_and_organiser(da, "x"),
            (
                "Digital Masterclass-webinar".to_string(),
                "Regionsudvalget".to_string()
            )
        );
    }
}
