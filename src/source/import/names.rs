//! People's names: recognising them in the text and deriving person ids from them.
//!
//! Nothing here knows a word of any language. A name is recognised by its shape (a few
//! capitalised words) and by being one the speaker list introduced; ids are the surname
//! folded to ASCII letters.

use crate::source::read::edit_distance;

/// How a piece of text refers to a known person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    /// The full name, as the speaker list writes it.
    Full,
    /// Part of the name only (the first name, or the surname): printed before an answer as
    /// written, so it is kept.
    PartOfName,
    /// Close to the full name but spelled differently (a typo in the translation).
    Misspelled,
}

/// Whether text has the shape of a person's name: one to five words, each starting with a
/// capital letter, no digits, no sentence punctuation.
pub fn looks_like_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=5).contains(&words.len())
        && s.chars().count() <= 60
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
        })
}

/// The person `candidate` names, among `names` (full names), and how.
pub fn match_name(candidate: &str, names: &[&str]) -> Option<(usize, NameMatch)> {
    let candidate = candidate.split_whitespace().collect::<Vec<_>>().join(" ");
    if candidate.is_empty() {
        return None;
    }
    if let Some(i) = names.iter().position(|n| *n == candidate) {
        return Some((i, NameMatch::Full));
    }
    // Part of a name: its first word(s) ("Inna-Pirjetta", "Lucía" of "Lucía Pérez Gómez") or
    // its last word(s), when only one person's name has that part.
    let parts: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| is_part_of_name(&candidate, n))
        .map(|(i, _)| i)
        .collect();
    if let [only] = parts.as_slice() {
        return Some((*only, NameMatch::PartOfName));
    }
    // A typo: within a small edit distance of exactly one full name.
    let limit = (candidate.chars().count() / 8).max(1);
    let close: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| edit_distance(&candidate.to_lowercase(), &n.to_lowercase()) <= limit)
        .map(|(i, _)| i)
        .collect();
    if let [only] = close.as_slice() {
        return Some((*only, NameMatch::Misspelled));
    }
    None
}

/// Whether `candidate` is the first or last word(s) of `full`, but not all of it.
fn is_part_of_name(candidate: &str, full: &str) -> bool {
    let words: Vec<&str> = full.split_whitespace().collect();
    let part: Vec<&str> = candidate.split_whitespace().collect();
    !part.is_empty()
        && part.len() < words.len()
        && (words.starts_with(&part) || words.ends_with(&part))
}

/// A person id from a full name: the surname (last word) folded to lower-case ASCII.
/// Returns an empty string when nothing of the surname survives folding.
pub fn id_from_name(full: &str) -> String {
    let surname = full.split_whitespace().last().unwrap_or("");
    let mut id = String::new();
    for c in surname.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if c == '-' && !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        } else if let Some(folded) = fold_letter(c) {
            id.push_str(folded);
        }
    }
    id.trim_end_matches('-').to_string()
}

/// ASCII for a lower-case letter of the EU languages' alphabets (Latin with diacritics,
/// Cyrillic and Greek); the scripts' letters, not any language's words.
fn fold_letter(c: char) -> Option<&'static str> {
    const LATIN: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("æ", "ae"),
        ("çćĉċč", "c"),
        ("ďđ", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"),
        ("ķ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉ", "n"),
        ("òóôõöøōŏő", "o"),
        ("œ", "oe"),
        ("ŕŗř", "r"),
        ("śŝşšș", "s"),
        ("ß", "ss"),
        ("ţťŧț", "t"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
        ("þ", "th"),
        ("ð", "d"),
    ];
    const CYRILLIC: &[(char, &str)] = &[
        ('а', "a"),
        ('б', "b"),
        ('в', "v"),
        ('г', "g"),
        ('д', "d"),
        ('е', "e"),
        ('ж', "zh"),
        ('з', "z"),
        ('и', "i"),
        ('й', "y"),
        ('к', "k"),
        ('л', "l"),
        ('м', "m"),
        ('н', "n"),
        ('о', "o"),
        ('п', "p"),
        ('р', "r"),
        ('с', "s"),
        ('т', "t"),
        ('у', "u"),
        ('ф', "f"),
        ('х', "h"),
        ('ц', "ts"),
        ('ч', "ch"),
        ('ш', "sh"),
        ('щ', "sht"),
        ('ъ', "a"),
        ('ь', "y"),
        ('ю', "yu"),
        ('я', "ya"),
    ];
    const GREEK: &[(char, &str)] = &[
        ('α', "a"),
        ('ά', "a"),
        ('β', "v"),
        ('γ', "g"),
        ('δ', "d"),
        ('ε', "e"),
        ('έ', "e"),
        ('ζ', "z"),
        ('η', "i"),
        ('ή', "i"),
        ('θ', "th"),
        ('ι', "i"),
        ('ί', "i"),
        ('ϊ', "i"),
        ('κ', "k"),
        ('λ', "l"),
        ('μ', "m"),
        ('ν', "n"),
        ('ξ', "x"),
        ('ο', "o"),
        ('ό', "o"),
        ('π', "p"),
        ('ρ', "r"),
        ('σ', "s"),
        ('ς', "s"),
        ('τ', "t"),
        ('υ', "y"),
        ('ύ', "y"),
        ('φ', "f"),
        ('χ', "ch"),
        ('ψ', "ps"),
        ('ω', "o"),
        ('ώ', "o"),
    ];
    LATIN
        .iter()
        .find(|(letters, _)| letters.contains(c))
        .map(|(_, ascii)| *ascii)
        .or_else(|| CYRILLIC.iter().find(|(l, _)| *l == c).map(|(_, a)| *a))
        .or_else(|| GREEK.iter().find(|(l, _)| *l == c).map(|(_, a)| *a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fold_surnames_to_ascii() {
        assert_eq!(id_from_name("Inna-Pirjetta Lahti"), "lahti");
        assert_eq!(id_from_name("Alžbeta Tkadlčíková"), "tkadlcikova");
        assert_eq!(id_from_name("Ахим Ладвиг"), "ladvig");
        assert_eq!(id_from_name("Zoë Œuvré-Ødegård"), "oeuvre-odegard");
    }

    #[test]
    fn names_match_in_full_by_first_name_or_with_a_typo() {
        let names = ["Инна-Пириета Лахти", "Валерия Восчевска", "Алба Гаравет"];
        assert_eq!(
            match_name("Инна-Пириета", &names),
            Some((0, NameMatch::PartOfName))
        );
        assert_eq!(
            match_name("Валлерия Восчевска", &names),
            Some((1, NameMatch::Misspelled))
        );
        assert_eq!(
            match_name("Алба  Гаравет", &names),
            Some((2, NameMatch::Full))
        );
        assert_eq!(match_name("Европейската комисия", &names), None);
        assert_eq!(
            match_name("Lucía", &["Lucía Pérez Gómez", "Marc Puig"]),
            Some((0, NameMatch::PartOfName))
        );
        assert_eq!(
            match_name("Puig", &["Lucía Pérez Gómez", "Marc Puig"]),
            Some((1, NameMatch::PartOfName))
        );
        assert_eq!(
            match_name("Anna", &["Anna Kovács", "Anna Nagy"]),
            None,
            "ambiguous"
        );
        assert!(looks_like_name("Inna-Pirjetta Lahti"));
        assert!(!looks_like_name("A recording of the session is available"));
    }
}
