//! The lexer (§6.3).
//!
//! The input is cut into maximal runs of characters that are not white
//! space, parentheses or the start of a comment; a run is then classified as
//! a keyword, identifier, number, string or, failing all of these, a
//! *reserved* token, which the reference interpreter reports as "unknown
//! operator" (so `0$x`, `1__0` and `$l"a"` are all single reserved tokens).
//! Numbers are classified like the reference lexer does, as unsigned (`Nat`),
//! signed (`Int`) or floating-point (`Float`) literals; their values are
//! computed only when the parser knows the expected type.
//!
//! Lexical errors (an unclosed string, a bad escape) become an [`Kind::Error`]
//! token that the parser reports when it reaches it, so errors come out in
//! source order.

use crate::ParseError;
use std::borrow::Cow;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    LParen,
    RParen,
    /// A keyword: starts with `a`-`z`.
    Keyword,
    /// `$name`; the text includes the `$`.
    Id,
    /// `$"..."`; the text includes the `$` and the quotes.
    QuotedId,
    /// A string literal; the text includes the quotes.
    String,
    /// An unsigned integer literal.
    Nat,
    /// An integer literal with a sign.
    Int,
    /// A floating-point literal (including `inf`, `nan`, `nan:0x..`).
    Float,
    /// Anything else made of identifier characters.
    Reserved,
    /// A lexical error with its message.
    Error(&'static str),
    /// End of input.
    Eof,
}

/// A token and where it starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Byte offset in the source.
    pub offset: usize,
    pub line: u32,
    pub col: u32,
}

impl<'a> Token<'a> {
    /// An error located at this token.
    pub fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(message, self.line as usize, self.col as usize)
    }

    /// Whether this is the keyword `kw`.
    pub fn is_keyword(&self, kw: &str) -> bool {
        self.kind == Kind::Keyword && self.text == kw
    }

    /// The name an identifier token stands for: the text after `$`, or a
    /// quoted identifier's string decoded, so that `$x` and `$"x"` are the
    /// same identifier (§6.3.5). The lexer has checked that a quoted one is
    /// UTF-8.
    pub fn id_key(&self) -> Cow<'a, str> {
        let rest = self.text.get(1..).unwrap_or("");
        match self.kind {
            Kind::QuotedId => {
                let inner = rest.get(1..rest.len().saturating_sub(1)).unwrap_or("");
                if inner.contains('\\') {
                    Cow::Owned(String::from_utf8_lossy(&string_bytes(rest)).into_owned())
                } else {
                    Cow::Borrowed(inner)
                }
            }
            _ => Cow::Borrowed(rest),
        }
    }
}

/// `idchar` (§6.3.5).
pub(crate) fn is_idchar(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b'<'
                | b'='
                | b'>'
                | b'?'
                | b'@'
                | b'\\'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    out: Vec<Token<'a>>,
}

/// Splits `src` into tokens. The result always ends with an `Eof` token; a
/// lexical error ends the token stream with an `Error` token before it.
pub(crate) fn tokenize(src: &str) -> Vec<Token<'_>> {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        out: Vec::new(),
    };
    if let Err((msg, at)) = lx.run() {
        let (line, col) = lx.position_of(at);
        lx.out.push(Token {
            kind: Kind::Error(msg),
            text: "",
            offset: at,
            line,
            col,
        });
    }
    let (line, col) = lx.position_of(src.len());
    lx.out.push(Token {
        kind: Kind::Eof,
        text: "",
        offset: src.len(),
        line,
        col,
    });
    lx.out
}

type LexResult<T> = std::result::Result<T, (&'static str, usize)>;

impl<'a> Lexer<'a> {
    /// Line and column of a byte offset at or after the current line start.
    fn position_of(&self, at: usize) -> (u32, u32) {
        (self.line, (at.saturating_sub(self.line_start) + 1) as u32)
    }

    fn newline(&mut self, at: usize) {
        self.line += 1;
        self.line_start = at + 1;
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        let (line, col) = self.position_of(start);
        self.out.push(Token {
            kind,
            text: &self.src[start..end],
            offset: start,
            line,
            col,
        });
    }

    fn run(&mut self) -> LexResult<()> {
        while self.pos < self.bytes.len() {
            let c = self.bytes[self.pos];
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.newline(self.pos);
                    self.pos += 1;
                }
                b'(' if self.bytes.get(self.pos + 1) == Some(&b';') => self.block_comment()?,
                b'(' => {
                    self.push(Kind::LParen, self.pos, self.pos + 1);
                    self.pos += 1;
                }
                b')' => {
                    self.push(Kind::RParen, self.pos, self.pos + 1);
                    self.pos += 1;
                }
                b';' if self.bytes.get(self.pos + 1) == Some(&b';') => {
                    // A line comment ends at a line feed or carriage return.
                    while self.pos < self.bytes.len()
                        && !matches!(self.bytes[self.pos], b'\n' | b'\r')
                    {
                        self.pos += 1;
                    }
                }
                _ => self.run_token()?,
            }
        }
        Ok(())
    }

    fn block_comment(&mut self) -> LexResult<()> {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1u32;
        while depth > 0 {
            match self.bytes.get(self.pos) {
                None => return Err(("unclosed comment", start)),
                Some(b'(') if self.bytes.get(self.pos + 1) == Some(&b';') => {
                    depth += 1;
                    self.pos += 2;
                }
                Some(b';') if self.bytes.get(self.pos + 1) == Some(&b')') => {
                    depth -= 1;
                    self.pos += 2;
                }
                Some(b'\n') => {
                    self.newline(self.pos);
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
        Ok(())
    }

    /// Scans a string literal starting at the opening quote; returns the
    /// offset just past the closing quote.
    fn string(&mut self) -> LexResult<()> {
        let start = self.pos;
        self.pos += 1;
        loop {
            let Some(&c) = self.bytes.get(self.pos) else {
                return Err(("unclosed string literal", start));
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => {
                    let at = self.pos;
                    self.pos += 1;
                    match self.bytes.get(self.pos) {
                        Some(b't' | b'n' | b'r' | b'"' | b'\'' | b'\\') => self.pos += 1,
                        Some(b'u') => {
                            self.pos += 1;
                            if self.bytes.get(self.pos) != Some(&b'{') {
                                return Err(("illegal escape", at));
                            }
                            self.pos += 1;
                            let digits_start = self.pos;
                            let mut value: u32 = 0;
                            let mut prev_underscore = true;
                            loop {
                                match self.bytes.get(self.pos) {
                                    Some(&d) if d.is_ascii_hexdigit() => {
                                        let v = (d as char).to_digit(16).unwrap_or(0);
                                        value = value.saturating_mul(16).saturating_add(v);
                                        prev_underscore = false;
                                    }
                                    Some(b'_') if !prev_underscore => prev_underscore = true,
                                    Some(b'}') if !prev_underscore => break,
                                    _ => return Err(("illegal escape", at)),
                                }
                                self.pos += 1;
                            }
                            if self.pos == digits_start
                                || value >= 0x11_0000
                                || (0xD800..0xE000).contains(&value)
                            {
                                return Err(("illegal escape", at));
                            }
                            self.pos += 1;
                        }
                        Some(&h) if h.is_ascii_hexdigit() => match self.bytes.get(self.pos + 1) {
                            Some(l) if l.is_ascii_hexdigit() => self.pos += 2,
                            _ => return Err(("illegal escape", at)),
                        },
                        _ => return Err(("illegal escape", at)),
                    }
                }
                c if c < 0x20 || c == 0x7f => {
                    return Err(("illegal control character in string literal", self.pos))
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Lexes one maximal run of non-delimiter characters.
    fn run_token(&mut self) -> LexResult<()> {
        let start = self.pos;
        let mut strings = 0;
        let mut first_string_end = 0;
        while let Some(&c) = self.bytes.get(self.pos) {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b';' if self.pos > start => break,
                b'"' => {
                    if let Err(e) = self.string() {
                        // `$"..."` and `@"..."` whose string does not lex
                        // are empty identifiers / annotation ids to the
                        // reference lexer.
                        return Err(match (self.pos_is_second(start), self.bytes[start]) {
                            (true, b'$') => ("empty identifier", start),
                            (true, b'@') => ("empty annotation id", start),
                            _ => e,
                        });
                    }
                    strings += 1;
                    if strings == 1 {
                        first_string_end = self.pos;
                    }
                }
                _ => self.pos += 1,
            }
        }
        // Back up to a character boundary: the run may have stopped inside
        // nothing but ASCII delimiters, so `pos` is always on a boundary
        // unless a multi-byte character was split, which cannot happen
        // because delimiters are ASCII.
        let end = self.pos;
        let text = &self.src[start..end];
        let kind = if strings > 0 {
            if strings == 1 && text.starts_with('"') && first_string_end == end {
                Kind::String
            } else if strings == 1 && text.starts_with("$\"") && first_string_end == end {
                Kind::QuotedId
            } else {
                Kind::Reserved
            }
        } else {
            classify(text)
        };
        if text == "$" {
            return Err(("empty identifier", start));
        }
        if kind == Kind::QuotedId {
            // §6.3.5: a quoted identifier is a non-empty UTF-8 name.
            let name = string_bytes(&text[1..]);
            if name.is_empty() {
                return Err(("empty identifier", start));
            }
            if std::str::from_utf8(&name).is_err() {
                return Err(("malformed UTF-8 encoding", start));
            }
        }
        self.push(kind, start, end);
        Ok(())
    }

    /// Whether the string being lexed opened right after the first
    /// character of the token that starts at `start`.
    fn pos_is_second(&self, start: usize) -> bool {
        self.bytes.get(start + 1) == Some(&b'"')
    }
}

fn classify(text: &str) -> Kind {
    let b = text.as_bytes();
    if !b.iter().all(|&c| is_idchar(c)) {
        return Kind::Reserved;
    }
    match b.first() {
        Some(b'$') if b.len() > 1 => Kind::Id,
        Some(b'a'..=b'z') => {
            if number_kind(text) == Some(Kind::Float) {
                Kind::Float
            } else {
                Kind::Keyword
            }
        }
        Some(_) => number_kind(text).unwrap_or(Kind::Reserved),
        None => Kind::Reserved,
    }
}

/// Length of the longest prefix of `s` that is a `num` (decimal) or
/// `hexnum`: digits with single underscores between them.
pub(crate) fn scan_digits(s: &[u8], hex: bool) -> usize {
    let is_digit = |c: u8| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    };
    let mut i = 0;
    if !s.first().is_some_and(|&c| is_digit(c)) {
        return 0;
    }
    i += 1;
    loop {
        match s.get(i) {
            Some(&c) if is_digit(c) => i += 1,
            Some(b'_') if s.get(i + 1).is_some_and(|&c| is_digit(c)) => i += 2,
            _ => return i,
        }
    }
}

/// The number kind of a literal, or `None` if it is not a number (§6.3.2,
/// §6.3.3).
pub(crate) fn number_kind(text: &str) -> Option<Kind> {
    let b = text.as_bytes();
    let (signed, rest) = match b.first() {
        Some(b'+' | b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if rest == b"inf" || rest == b"nan" {
        return Some(Kind::Float);
    }
    if let Some(payload) = rest.strip_prefix(b"nan:0x") {
        let n = scan_digits(payload, true);
        return (n > 0 && n == payload.len()).then_some(Kind::Float);
    }
    let (hex, digits) = match rest.strip_prefix(b"0x") {
        Some(d) => (true, d),
        None => (false, rest),
    };
    let n = scan_digits(digits, hex);
    if n == 0 {
        return None;
    }
    let mut i = n;
    if i == digits.len() {
        return Some(if signed { Kind::Int } else { Kind::Nat });
    }
    if digits[i] == b'.' {
        i += 1;
        i += scan_digits(&digits[i..], hex);
    }
    if i < digits.len() {
        let e = digits[i];
        let is_exp = if hex {
            e == b'p' || e == b'P'
        } else {
            e == b'e' || e == b'E'
        };
        if !is_exp {
            return None;
        }
        i += 1;
        if matches!(digits.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let m = scan_digits(&digits[i..], false);
        if m == 0 {
            return None;
        }
        i += m;
    }
    (i == digits.len()).then_some(Kind::Float)
}

/// Decodes the contents of a string token (validated by the lexer) into
/// bytes. `text` includes the quotes.
pub(crate) fn string_bytes(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let inner = if b.len() >= 2 {
        &b[1..b.len() - 1]
    } else {
        &[][..]
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    while i < inner.len() {
        let c = inner[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = inner.get(i + 1) else { break };
        i += 2;
        match e {
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'"' => out.push(b'"'),
            b'\'' => out.push(b'\''),
            b'\\' => out.push(b'\\'),
            b'u' => {
                // `\u{hex}`, checked by the lexer.
                let mut v: u32 = 0;
                i += 1; // `{`
                while let Some(&d) = inner.get(i) {
                    i += 1;
                    match d {
                        b'}' => break,
                        b'_' => {}
                        d => v = v.saturating_mul(16).saturating_add(u32::from(hex(d))),
                    }
                }
                let ch = char::from_u32(v).unwrap_or('\u{FFFD}');
                let mut buf = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            h => {
                let l = inner.get(i).copied().unwrap_or(b'0');
                i += 1;
                out.push(hex(h) * 16 + hex(l));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        tokenize(src).iter().map(|t| t.kind).collect()
    }

    #[test]
    fn classification() {
        use Kind::*;
        assert_eq!(
            kinds("(module $m) 0 +1 -0x1f 1.5 0x1p3 inf -nan nan:0x1 i32.add"),
            [
                LParen, Keyword, Id, RParen, Nat, Int, Int, Float, Float, Float, Float, Float,
                Keyword, Eof
            ]
        );
        assert_eq!(
            kinds("0$x 1__0 _1 $l\"a\" 0x 1e 1.e1 \"s\" $\"q\""),
            [
                Reserved, Reserved, Reserved, Reserved, Reserved, Reserved, Float, String,
                QuotedId, Eof
            ]
        );
        assert_eq!(kinds("(; a (; b ;) ;) ;; c\nx"), [Keyword, Eof]);
        assert_eq!(kinds("\"abc"), [Error("unclosed string literal"), Eof]);
    }

    #[test]
    fn strings() {
        assert_eq!(
            string_bytes(r#""a\t\n\r\"\'\\\41\u{1F600}""#),
            b"a\t\n\r\"'\\A\xF0\x9F\x98\x80"
        );
    }
}
