//! Names (and other input text) as shown to a person: in error messages,
//! backtraces and listings. A name comes from the input, so it may hold
//! control characters that would rewrite the terminal, or be a gigabyte
//! long; it is escaped as `wasm2wat` escapes a name in a string literal
//! (§6.3.3) and, in messages, clipped to a short excerpt.

use std::fmt;

/// Characters of input text quoted in an error message (see [`excerpt`]).
pub const EXCERPT_CHARS: usize = 64;

/// `name` escaped for display: printable ASCII and non-ASCII letters and
/// digits as they are, `"` and `\` with a backslash, every other
/// character (controls, bidirectional overrides, ...) as the `\hh` escapes
/// of its UTF-8 bytes.
///
/// ```
/// assert_eq!(weft_syntax::escape_name("é\n\u{1b}[2J").to_string(), "é\\0a\\1b[2J");
/// assert_eq!(weft_syntax::escape_name("abcdef").clip(3).to_string(), "abc...");
/// ```
pub fn escape_name(name: &str) -> EscapedName<'_> {
    EscapedName {
        name,
        max_chars: usize::MAX,
    }
}

/// At most [`EXCERPT_CHARS`] characters of `text`, escaped as by
/// [`escape_name`], then `...` if there was more.
pub fn excerpt(text: &str) -> EscapedName<'_> {
    escape_name(text).clip(EXCERPT_CHARS)
}

/// A name escaped (and perhaps clipped) for display; see [`escape_name`].
#[derive(Clone, Copy, Debug)]
pub struct EscapedName<'a> {
    name: &'a str,
    max_chars: usize,
}

impl EscapedName<'_> {
    /// Shows at most `max_chars` characters of the name, then `...` if it
    /// is longer.
    pub fn clip(self, max_chars: usize) -> Self {
        EscapedName { max_chars, ..self }
    }
}

impl fmt::Display for EscapedName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.name.chars().enumerate() {
            if i == self.max_chars {
                return f.write_str("...");
            }
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                ' '..='~' => fmt::Write::write_char(f, c)?,
                c if !c.is_ascii() && c.is_alphanumeric() => fmt::Write::write_char(f, c)?,
                c => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        write!(f, "\\{b:02x}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_clips() {
        assert_eq!(escape_name("a\"b\\c").to_string(), "a\\\"b\\\\c");
        assert_eq!(escape_name("\u{202e}x\0").to_string(), "\\e2\\80\\aex\\00");
        assert_eq!(escape_name("日本").to_string(), "日本");
        let long = "x".repeat(1000);
        assert_eq!(excerpt(&long).to_string().len(), EXCERPT_CHARS + 3);
        assert_eq!(excerpt("short").to_string(), "short");
        assert_eq!(escape_name("abc").clip(3).to_string(), "abc");
    }
}
