//! Bytes to lines: UTF-8 with or without a byte order mark, CRLF, LF or CR line ends.
//!
//! Anything else is refused with the byte offset of the first problem, because guessing a
//! legacy code page would silently turn letters into other letters.

/// One line of the text as the translator wrote it, without its line end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: usize,
    /// The line's text with leading and trailing whitespace removed.
    pub text: String,
}

impl Line {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
}

/// Decodes a plain-text file into lines, or says why it is not UTF-8.
pub fn decode_lines(bytes: &[u8]) -> Result<Vec<Line>, String> {
    let text = decode(bytes)?;
    Ok(split_lines(text))
}

fn decode(bytes: &[u8]) -> Result<&str, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let order = if bytes.starts_with(&[0xFF]) {
            "little"
        } else {
            "big"
        };
        return Err(format!(
            "the file is UTF-16 ({order}-endian byte order mark at byte 0); save it as UTF-8 \
             (in Word: Save As > Plain Text > Unicode (UTF-8))"
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    // UTF-16 without a byte order mark is valid UTF-8 as long as it is ASCII, but full of
    // NUL bytes, which no text file contains.
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(format!(
            "byte {offset} is a NUL byte: the file looks like UTF-16 without a byte order \
             mark; save it as UTF-8"
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1;
        let found = bytes
            .get(offset..)
            .unwrap_or_default()
            .iter()
            .take(e.error_len().unwrap_or(1).max(1))
            .map(|b| format!("0x{b:02X}"))
            .collect::<Vec<_>>()
            .join(" ");
        format!(
            "not UTF-8: byte {offset} (line {line}) is {found}, which UTF-8 does not allow; \
             the file is probably in a legacy encoding such as Windows-1252 or ISO-8859-2: \
             save it as UTF-8"
        )
    })
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut rest = text;
    let mut number = 1;
    while !rest.is_empty() {
        let (line, next) = match rest.find(['\r', '\n']) {
            Some(i) => {
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                (&rest[..i], &rest[i + skip..])
            }
            None => (rest, ""),
        };
        lines.push(Line {
            number,
            text: line.trim().to_string(),
        });
        number += 1;
        rest = next;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(bytes: &[u8]) -> Vec<String> {
        decode_lines(bytes)
            .expect("decodes")
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn line_ends_and_bom_do_not_matter() {
        let expected = vec!["Á b".to_string(), String::new(), "c".to_string()];
        assert_eq!(texts("Á b\n\nc\n".as_bytes()), expected);
        assert_eq!(texts("\u{feff}Á b\r\n\r\nc\r\n".as_bytes()), expected);
        assert_eq!(texts("Á b\r\rc".as_bytes()), expected);
    }

    #[test]
    fn other_encodings_are_refused_with_the_offset() {
        let latin1 = b"Caf\xe9 au lait\n";
        let err = decode_lines(latin1).expect_err("not UTF-8");
        assert!(err.contains("byte 3 (line 1)"), "{err}");
        assert!(err.contains("0xE9"), "{err}");
        let utf16: Vec<u8> = [0xFF, 0xFE, b'H', 0].to_vec();
        assert!(decode_lines(&utf16).expect_err("UTF-16").contains("UTF-16"));
        let utf16_no_bom = [b'H', 0, b'i', 0];
        assert!(decode_lines(&utf16_no_bom)
            .expect_err("UTF-16")
            .contains("UTF-16"));
    }
}
