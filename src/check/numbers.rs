//! Numbers written in running text, normalised so that the same figure compares equal in
//! every language: "20 000", "20.000", "20,000" and "20 000" (non-breaking space) are all
//! 20000; "1,5" and "1.5" are both 1.5.
//!
//! Digits that belong to a word are not figures of the text and are skipped: "Covid19",
//! "COVID-19", "covid-19-krisen", "G7", a handle "@abc123" or a hashtag "#2020". Addresses
//! are removed by the caller before the text comes here.

/// A figure as the text writes it and its normalised value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    pub value: String,
    pub written: String,
}

/// Characters that group thousands: space, no-break space, narrow no-break space, thin
/// space, point, comma, apostrophe.
fn is_group_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' | '.' | ',' | '\'' | '’'
    )
}

/// Every figure in a text, in order.
pub fn numbers_in(text: &str) -> Vec<Number> {
    let chars: Vec<char> = text.chars().collect();
    let digit_at = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_digit());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !digit_at(i) {
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let before_prev = i.checked_sub(2).and_then(|j| chars.get(j)).copied();
        let in_word = match prev {
            Some(p) if p.is_alphabetic() || matches!(p, '@' | '#' | '_') => true,
            // "COVID-19": a hyphen straight after a letter joins the digits to the word.
            Some('-') => before_prev.is_some_and(char::is_alphabetic),
            _ => false,
        };
        let start = i;
        let mut value = String::new();
        while digit_at(i) {
            value.extend(chars.get(i));
            i += 1;
        }
        // Thousands groups: only after a first group of one to three digits ("2019 100"
        // stays two figures), and only groups of exactly three digits.
        if value.len() <= 3 {
            loop {
                let separated = chars.get(i).is_some_and(|c| is_group_separator(*c));
                let group = (1..=3).all(|k| digit_at(i + k)) && !digit_at(i + 4);
                if separated && group {
                    value.extend(chars.get(i + 1..i + 4).unwrap_or_default());
                    i += 4;
                } else {
                    break;
                }
            }
        }
        // A decimal part: a point or comma followed by digits, that was not a group.
        if chars.get(i).is_some_and(|c| matches!(c, '.' | ',')) && digit_at(i + 1) {
            let mut fraction = String::new();
            i += 1;
            while digit_at(i) {
                fraction.extend(chars.get(i));
                i += 1;
            }
            value = format!("{value}.{fraction}");
        }
        // A trailing letter or digit run glued after ("nlO488lMZc4" is not text, "3D" is a
        // figure): only the leading side decides.
        if !in_word {
            let integer = value.split('.').next().unwrap_or_default();
            let trimmed = integer.trim_start_matches('0');
            let integer = if trimmed.is_empty() { "0" } else { trimmed };
            let value = match value.split_once('.') {
                Some((_, fraction)) => format!("{integer}.{fraction}"),
                None => integer.to_string(),
            };
            out.push(Number {
                value,
                written: chars.get(start..i).unwrap_or_default().iter().collect(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        numbers_in(text).into_iter().map(|n| n.value).collect()
    }

    #[test]
    fn digit_grouping_is_normalised() {
        for text in [
            "over 20 000 views",
            "over 20.000 visninger",
            "over 20,000 views",
            "над 20\u{a0}000 гледни",
            "20\u{202f}000-en",
        ] {
            assert_eq!(values(text), ["20000"], "{text}");
        }
        assert_eq!(values("then 2.000 weekly, 2000 later"), ["2000", "2000"]);
        assert_eq!(values("171 participants, of whom 101"), ["171", "101"]);
    }

    #[test]
    fn words_with_digits_are_not_figures() {
        assert!(values("the COVID-19 crisis, Covid19-válság, covid-19-krisen").is_empty());
        assert!(values("@Val_2020 #2020 G7 nlO488lMZc4").is_empty());
    }

    #[test]
    fn years_ordinals_and_decimals() {
        assert_eq!(values("A 2019. évi választások"), ["2019"]);
        assert_eq!(values("in 2019 100 influencers"), ["2019", "100"]);
        assert_eq!(values("1,5 mio. and 1.5 million"), ["1.5", "1.5"]);
        assert_eq!(values("100-те инфлуенсъра"), ["100"]);
        assert_eq!(values("from 10-20 days"), ["10", "20"]);
    }
}
