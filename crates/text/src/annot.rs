//! Annotations (§6.3.x of Wasm 3.0): `(@id ...)` groups may stand wherever
//! white space may, hold any balanced sequence of tokens, and mean nothing
//! to the module unless a tool knows their id.
//!
//! [`strip`] takes them out of the token stream before any parser sees it
//! (so no grammar rule has to allow for them) and keeps the ones Weft knows
//! with the position they stood at. [`Known::check`] then checks those
//! against the stripped tokens, before the module is parsed, as the
//! reference interpreter does: `@custom` (a custom section, at module-field
//! level), `@name` (the module's name in the name section, after `module`;
//! also accepted after `func` and `tag`) and `@metadata.code.branch_hint`
//! (a hint on the `if` or `br_if` that follows, in a function body). Their
//! errors start with the spec's wording ("@custom annotation: ...",
//! "misplaced @name annotation"). [`Known::apply`] adds the custom sections
//! and the module name to the parsed module.
//!
//! Not done yet: the `metadata.code.branch_hint` section itself (it needs
//! the byte offsets of the hinted instructions) and `@name` on functions
//! and tags in the name section.

use crate::lexer::{is_idchar, string_bytes, Kind, Token};
use crate::Result;
use std::borrow::Cow;
use weft_syntax::{Custom, CustomPlace, Module};

/// An annotation Weft knows, kept by [`strip`].
#[derive(Clone, Debug)]
pub(crate) struct Annotation<'a> {
    /// The annotation's id, without `@`.
    pub id: String,
    /// Its opening `(`, for errors.
    pub open: Token<'a>,
    /// The tokens between the id and the closing `)`.
    pub body: Vec<Token<'a>>,
    /// Index in the stripped token vector of the token that follows it.
    pub at: usize,
}

/// The ids Weft processes.
const KNOWN: [&str; 3] = ["custom", "name", "metadata.code.branch_hint"];

/// The id of an annotation opening token (`@id` or `@"id"`), or the error.
fn annotation_id(t: &Token<'_>) -> std::result::Result<String, &'static str> {
    let rest = &t.text[1..];
    if rest.is_empty() {
        return Err("empty annotation id");
    }
    if rest.starts_with('"') {
        let bytes = string_bytes(rest);
        if bytes.is_empty() {
            return Err("empty annotation id");
        }
        return String::from_utf8(bytes).map_err(|_| "malformed UTF-8 encoding");
    }
    Ok(rest.to_string())
}

/// Whether a token inside an annotation is made of legal characters only
/// (§6.3: `reserved` tokens may use `,`, `;`, `[`, `]`, `{`, `}` besides
/// identifier characters and strings; the lexer has checked strings).
fn legal(t: &Token<'_>) -> bool {
    if t.kind != Kind::Reserved {
        return true;
    }
    let mut in_string = false;
    let mut escaped = false;
    for &b in t.text.as_bytes() {
        if in_string {
            match (escaped, b) {
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => escaped = false,
            }
        } else if b == b'"' {
            in_string = true;
        } else if !(is_idchar(b) || matches!(b, b',' | b';' | b'[' | b']' | b'{' | b'}')) {
            return false;
        }
    }
    true
}

/// Takes every annotation out of `toks`, keeping the known ones. A
/// malformed annotation ends the stripped stream with an error token at
/// the annotation (then `Eof`), like a lexical error.
pub(crate) fn strip<'a>(toks: &[Token<'a>]) -> (Vec<Token<'a>>, Vec<Annotation<'a>>) {
    let mut out = Vec::with_capacity(toks.len());
    let mut known = Vec::new();
    let mut i = 0;
    let fail = |out: &mut Vec<Token<'a>>, at: &Token<'a>, msg: &'static str| {
        out.push(Token {
            kind: Kind::Error(msg),
            ..*at
        });
        out.push(*toks.last().unwrap_or(at));
    };
    while i < toks.len() {
        let t = toks[i];
        let next = toks.get(i + 1);
        let is_annotation = t.kind == Kind::LParen
            && next.is_some_and(|n| n.offset == t.offset + 1 && n.text.starts_with('@'));
        if !is_annotation {
            out.push(t);
            i += 1;
            continue;
        }
        let id_tok = toks[i + 1];
        let id = match annotation_id(&id_tok) {
            Ok(id) => id,
            Err(msg) => {
                fail(&mut out, &id_tok, msg);
                return (out, known);
            }
        };
        // The body: balanced tokens up to the closing `)`.
        let mut j = i + 2;
        let mut depth = 0usize;
        loop {
            let b = toks.get(j).copied().unwrap_or(t);
            match b.kind {
                Kind::LParen => depth += 1,
                Kind::RParen if depth == 0 => break,
                Kind::RParen => depth -= 1,
                Kind::Eof => {
                    fail(&mut out, &t, "unclosed annotation");
                    return (out, known);
                }
                Kind::Error(_) => {
                    // A lexical error inside: report it as it is.
                    out.push(b);
                    out.push(*toks.last().unwrap_or(&b));
                    return (out, known);
                }
                _ if !legal(&b) => {
                    fail(&mut out, &b, "illegal character");
                    return (out, known);
                }
                _ => {}
            }
            j += 1;
        }
        if KNOWN.contains(&id.as_str()) {
            known.push(Annotation {
                id,
                open: t,
                body: toks[i + 2..j].to_vec(),
                at: out.len(),
            });
        }
        i = j + 1;
    }
    (out, known)
}

/// Sections by text name, in the order of the binary format (§5.5.2), with
/// their ids.
const SECTIONS: [(&str, u8); 13] = [
    ("type", 1),
    ("import", 2),
    ("func", 3),
    ("table", 4),
    ("memory", 5),
    ("tag", 13),
    ("global", 6),
    ("export", 7),
    ("start", 8),
    ("elem", 9),
    ("datacount", 12),
    ("code", 10),
    ("data", 11),
];

/// A place after every known section (the encoder puts customs whose
/// place names no section at the end).
const LAST: CustomPlace = CustomPlace::After(0xFF);

/// What the known annotations of a module say, checked.
#[derive(Debug, Default)]
pub(crate) struct Known {
    customs: Vec<Custom<'static>>,
    module_name: Option<String>,
}

/// Where an annotation stands: the nesting depth (0 outside any group),
/// the keyword of the innermost open group, and whether a `(func ...)`
/// module field is open.
#[derive(Clone, Copy)]
struct Context<'a> {
    depth: usize,
    group: Option<&'a str>,
    in_func: bool,
}

/// The context of each annotation, in one pass over the tokens (the
/// annotations are in token order), so that many annotations cost no more
/// than one walk.
fn contexts<'a>(
    toks: &[Token<'a>],
    annots: &[Annotation<'_>],
    field_depth: usize,
) -> Vec<Context<'a>> {
    // Per open group: its keyword and whether it is a function field.
    let mut stack: Vec<(Option<&'a str>, bool)> = Vec::new();
    let mut out = Vec::with_capacity(annots.len());
    let mut next = 0;
    for a in annots {
        while next < a.at.min(toks.len()) {
            match toks[next].kind {
                Kind::LParen => {
                    let kw = toks
                        .get(next + 1)
                        .filter(|n| n.kind == Kind::Keyword)
                        .map(|n| n.text);
                    stack.push((kw, stack.len() == field_depth && kw == Some("func")));
                }
                Kind::RParen => {
                    stack.pop();
                }
                _ => {}
            }
            next += 1;
        }
        out.push(Context {
            depth: stack.len(),
            group: stack.last().and_then(|g| g.0),
            in_func: stack.get(field_depth).is_some_and(|g| g.1),
        });
    }
    out
}

/// Whether `at` is right after the header `(kw $id?` of a group whose
/// keyword is in `kws`.
fn after_header(toks: &[Token<'_>], at: usize, kws: &[&str]) -> bool {
    let tok = |k: usize| toks.get(k);
    let kw_at = match at.checked_sub(1).and_then(tok) {
        Some(t) if matches!(t.kind, Kind::Id | Kind::QuotedId) => at.checked_sub(2),
        _ => at.checked_sub(1),
    };
    kw_at.is_some_and(|k| {
        k >= 1
            && tok(k).is_some_and(|t| t.kind == Kind::Keyword && kws.contains(&t.text))
            && tok(k - 1).is_some_and(|t| t.kind == Kind::LParen)
    })
}

impl Known {
    /// Checks the known annotations against the stripped tokens.
    pub fn check(toks: &[Token<'_>], annots: &[Annotation<'_>]) -> Result<Known> {
        let mut known = Known::default();
        // A module written as bare fields has its fields at depth 0.
        let wrapped = toks.first().is_some_and(|t| t.kind == Kind::LParen)
            && toks.get(1).is_some_and(|t| t.is_keyword("module"));
        let field_depth = usize::from(wrapped);
        let contexts = contexts(toks, annots, field_depth);
        for (n, (a, cx)) in annots.iter().zip(&contexts).enumerate() {
            let (depth, group) = (cx.depth, cx.group);
            match a.id.as_str() {
                "custom" => {
                    let at_fields = depth == field_depth
                        && (!wrapped || group == Some("module"))
                        && !(wrapped && a.at < 2);
                    if !at_fields {
                        return Err(a.open.error("misplaced @custom annotation"));
                    }
                    known.customs.push(custom(a)?);
                }
                "name" => {
                    if after_header(toks, a.at, &["module"]) {
                        if known.module_name.is_some() {
                            return Err(a.open.error("@name annotation: multiple module"));
                        }
                        known.module_name = Some(name(a)?);
                    } else if after_header(toks, a.at, &["func", "tag"]) {
                        name(a)?;
                    } else {
                        return Err(a.open.error("misplaced @name annotation"));
                    }
                }
                "metadata.code.branch_hint" => {
                    const WHAT: &str = "@metadata.code.branch_hint annotation";
                    if !cx.in_func {
                        return Err(a.open.error(format!("{WHAT}: not in a function")));
                    }
                    // Annotations at one place are next to each other.
                    let mut same_place = annots[n + 1..].iter().take_while(|b| b.at == a.at);
                    if same_place.any(|b| b.id == a.id) {
                        return Err(a.open.error(format!("{WHAT}: duplicate annotation")));
                    }
                    let hint = match a.body.as_slice() {
                        [t] if t.kind == Kind::String => string_bytes(t.text),
                        _ => Vec::new(),
                    };
                    if !matches!(hint.as_slice(), [0] | [1]) {
                        return Err(a.open.error(format!("{WHAT}: malformed hint")));
                    }
                    let target = match toks.get(a.at) {
                        Some(t) if t.kind == Kind::LParen => toks.get(a.at + 1),
                        t => t,
                    };
                    if !target.is_some_and(|t| t.is_keyword("if") || t.is_keyword("br_if")) {
                        return Err(a.open.error(format!("{WHAT}: invalid target")));
                    }
                }
                _ => {}
            }
        }
        Ok(known)
    }

    /// Adds the custom sections and the module name to a parsed module.
    pub fn apply(self, module: &mut Module<'static>) {
        module.customs.extend(self.customs);
        if let Some(n) = self.module_name {
            module.names.module = Some(Cow::Owned(n));
        }
    }
}

/// The one string of a `@name` annotation.
fn name(a: &Annotation<'_>) -> Result<String> {
    match a.body.as_slice() {
        [t] if t.kind == Kind::String => String::from_utf8(string_bytes(t.text))
            .map_err(|_| t.error("@name annotation: malformed UTF-8 encoding")),
        [t, ..] => Err(t.error("@name annotation: unexpected token")),
        [] => Err(a.open.error("@name annotation: missing name")),
    }
}

/// `(@custom "name" place? "data"*)` with `place` one of `(before first)`,
/// `(before sec)`, `(after sec)`, `(after last)`; `(after last)` when
/// absent.
fn custom(a: &Annotation<'_>) -> Result<Custom<'static>> {
    const WHAT: &str = "@custom annotation";
    let err = |t: &Token<'_>, m: &str| t.error(format!("{WHAT}: {m}"));
    let mut body = a.body.iter().peekable();
    let name = match body.next() {
        Some(t) if t.kind == Kind::String => String::from_utf8(string_bytes(t.text))
            .map_err(|_| err(t, "malformed UTF-8 encoding"))?,
        Some(t) => return Err(err(t, "missing section name")),
        None => return Err(err(&a.open, "missing section name")),
    };
    let mut place = LAST;
    if let Some(open) = body.next_if(|t| t.kind == Kind::LParen) {
        let dir = body.next().copied().unwrap_or(*open);
        let before = match dir.text {
            "before" if dir.kind == Kind::Keyword => true,
            "after" if dir.kind == Kind::Keyword => false,
            _ => return Err(err(&dir, "malformed placement")),
        };
        let sec = body.next().copied().unwrap_or(dir);
        place = match (before, sec.text) {
            (true, "first") => CustomPlace::First,
            (false, "last") => LAST,
            _ => {
                let i = SECTIONS
                    .iter()
                    .position(|(n, _)| sec.kind == Kind::Keyword && *n == sec.text)
                    .ok_or_else(|| err(&sec, "malformed section kind"))?;
                // `(before X)` is after the section before X. The tag
                // section is passed over: a module without tags (every
                // module the encoder writes today) has none to follow.
                let before_x = SECTIONS[..i].iter().rev().find(|(n, _)| *n != "tag");
                match (before, before_x) {
                    (true, None) => CustomPlace::First,
                    (true, Some((_, id))) => CustomPlace::After(*id),
                    (false, _) => CustomPlace::After(SECTIONS[i].1),
                }
            }
        };
        match body.next() {
            Some(t) if t.kind == Kind::RParen => {}
            Some(t) => return Err(err(t, "malformed placement")),
            None => return Err(err(&sec, "malformed placement")),
        }
    }
    let mut data = Vec::new();
    for t in body {
        if t.kind != Kind::String {
            return Err(err(t, "unexpected token"));
        }
        data.extend(string_bytes(t.text));
    }
    Ok(Custom {
        name: Cow::Owned(name),
        data: Cow::Owned(data),
        place,
    })
}

#[cfg(test)]
mod tests {
    use crate::parse_wat;
    use weft_syntax::{CustomPlace, Features};

    fn err(src: &str) -> String {
        parse_wat(src, Features::WASM3).unwrap_err().message
    }

    #[test]
    fn custom_sections_and_module_name() {
        let m = parse_wat(
            "(module (@name \"Modül\") (@a x (y) \"z\")\n\
             (@custom \"a\" \"1\" \"2\") (@custom \"b\" (before global) \"\")\n\
             (@custom \"c\" (after func)) (@custom \"d\" (before type)) (func))",
            Features::WASM3,
        )
        .unwrap();
        assert_eq!(m.names.module.as_deref(), Some("Modül"));
        let customs: Vec<(&str, &[u8], CustomPlace)> = m
            .customs
            .iter()
            .map(|c| (&*c.name, &*c.data, c.place))
            .collect();
        assert_eq!(
            customs,
            [
                ("a", &b"12"[..], CustomPlace::After(0xFF)),
                ("b", &b""[..], CustomPlace::After(5)),
                ("c", &b""[..], CustomPlace::After(3)),
                ("d", &b""[..], CustomPlace::First),
            ]
        );
        assert_eq!(m.funcs.len(), 1);
    }

    #[test]
    fn malformed_and_misplaced_annotations() {
        assert_eq!(err("(@custom)"), "@custom annotation: missing section name");
        assert_eq!(
            err("(@custom \"x\" (before types))"),
            "@custom annotation: malformed section kind"
        );
        assert_eq!(
            err("(func (@custom \"x\"))"),
            "misplaced @custom annotation"
        );
        assert_eq!(
            err("(module (@name \"a\") (@name \"b\"))"),
            "@name annotation: multiple module"
        );
        assert_eq!(err("(func) (@name \"a\")"), "misplaced @name annotation");
        assert_eq!(
            err("(func i32.const 0 (@metadata.code.branch_hint \"\\01\") drop)"),
            "@metadata.code.branch_hint annotation: invalid target"
        );
        assert_eq!(err("(@x (y)"), "unclosed annotation");
        assert_eq!(err("(@ x)"), "empty annotation id");
        assert_eq!(err("(@a \u{1})"), "illegal character");
        assert_eq!(err("( @a)"), "unknown operator @a");
        parse_wat(
            "(func (param i32) (@metadata.code.branch_hint \"\\00\") (if (local.get 0) (then)))",
            Features::WASM3,
        )
        .unwrap();
    }

    #[test]
    fn quoted_identifiers_are_the_plain_ones() {
        let m = parse_wat(
            "(func $\"f\\41\" (call $fA)) (func $g (block $\"l\" (br $l)))",
            Features::WASM3,
        )
        .unwrap();
        assert_eq!(m.funcs.len(), 2);
        assert_eq!(err("(func $\"\")"), "empty identifier");
        assert_eq!(err("(func $)"), "empty identifier");
        assert_eq!(err("(func $\"\\ef\")"), "malformed UTF-8 encoding");
        assert_eq!(err("(func $\"a\" (call $b))"), "unknown function $b");
    }
}

#[cfg(test)]
mod robustness_tests {
    use crate::parse_wat;
    use weft_syntax::Features;

    #[test]
    fn many_and_deep_annotations_are_cheap() {
        // 50,000 branch hints (each checked) and 50,000 unknown annotations
        // in one function, and one annotation nested 100,000 deep: one pass
        // each, no recursion.
        let mut src = String::from("(func (param i32)");
        for _ in 0..50_000 {
            src.push_str(
                " (@metadata.code.branch_hint \"\\00\") (if (local.get 0) (then)) (@a) nop",
            );
        }
        src.push_str(") (@b ");
        src.push_str(&"(".repeat(100_000));
        src.push_str(&")".repeat(100_000));
        src.push(')');
        let m = parse_wat(&src, Features::WASM3).unwrap();
        assert_eq!(m.funcs.len(), 1);
        let unclosed = "(@b ".to_string() + &"(".repeat(100_000);
        assert_eq!(
            parse_wat(&unclosed, Features::WASM3).unwrap_err().message,
            "unclosed annotation"
        );
    }
}
