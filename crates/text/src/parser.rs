//! A cursor over the token vector with the small parsing helpers shared by
//! the module, instruction and script parsers, and the rule that picks the
//! error message for an unexpected token.

use crate::lexer::{number_kind, string_bytes, Kind, Token};
use crate::{num, ParseError, Result};
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;
use weft_syntax::excerpt;
use weft_syntax::{HeapType, RefType, TypeIdx, ValType};

/// Keywords of the text and script formats other than instruction
/// mnemonics. A keyword outside this list and the instruction table is an
/// "unknown operator"; a known one in the wrong place is an "unexpected
/// token", as in the reference interpreter.
const KEYWORDS: &[&str] = &[
    // Custom descriptors.
    "exact",
    "describes",
    "descriptor",
    "module",
    "type",
    "func",
    "param",
    "result",
    "local",
    "import",
    "export",
    "table",
    "memory",
    "global",
    "tag",
    "do",
    "catch_ref",
    "catch_all_ref",
    "mut",
    "start",
    "elem",
    "data",
    "offset",
    "item",
    "declare",
    "then",
    "i32",
    "i64",
    "f32",
    "f64",
    "v128",
    "funcref",
    "externref",
    "anyref",
    "eqref",
    "i31ref",
    "structref",
    "arrayref",
    "exnref",
    "nullref",
    "nullfuncref",
    "nullexternref",
    "nullexnref",
    "extern",
    "any",
    "eq",
    "i31",
    "struct",
    "array",
    "exn",
    "none",
    "nofunc",
    "noextern",
    "noexn",
    "rec",
    "sub",
    "final",
    "field",
    "i8",
    "i16",
    "ref",
    "null",
    "i8x16",
    "i16x8",
    "i32x4",
    "i64x2",
    "f32x4",
    "f64x2",
    "binary",
    "quote",
    "definition",
    "instance",
    "register",
    "invoke",
    "get",
    "assert_return",
    "assert_trap",
    "assert_exhaustion",
    "assert_invalid",
    "assert_malformed",
    "assert_unlinkable",
    "assert_uninstantiable",
    "assert_exception",
    "assert_malformed_custom",
    "assert_invalid_custom",
    "script",
    "input",
    "output",
    "nan:canonical",
    "nan:arithmetic",
    "ref.extern",
    "ref.host",
    "ref.any",
    "ref.struct",
    "ref.array",
    "ref.exn",
    "either",
];

/// Whether `kw` is a keyword the reference lexer knows.
pub(crate) fn is_known_keyword(kw: &str) -> bool {
    if KEYWORDS.contains(&kw) || crate::body::lookup_mnemonic(kw).is_some() {
        return true;
    }
    let n = kw
        .strip_prefix("offset=")
        .or_else(|| kw.strip_prefix("align="));
    n.is_some_and(|n| number_kind(n) == Some(Kind::Nat))
}

/// The error for a token that no rule accepts where it stands.
pub(crate) fn unexpected(tok: &Token<'_>) -> ParseError {
    match tok.kind {
        Kind::Error(m) => tok.error(m),
        Kind::Reserved => tok.error(format!("unknown operator {}", excerpt(tok.text))),
        Kind::Keyword if !is_known_keyword(tok.text) => {
            tok.error(format!("unknown operator {}", excerpt(tok.text)))
        }
        _ => tok.error("unexpected token"),
    }
}

/// The type identifiers of a module with their indices, known before the
/// fields are read (see `wat::type_names`), so that a heap type can name a
/// type defined later, as recursive types do.
pub(crate) type TypeNames<'a> = Rc<HashMap<Cow<'a, str>, u32>>;

/// A position in the token vector.
#[derive(Clone)]
pub(crate) struct Cursor<'t, 'a> {
    pub toks: &'t [Token<'a>],
    pub pos: usize,
    /// The module's type identifiers, where heap types may use them.
    pub types: Option<TypeNames<'a>>,
}

impl<'t, 'a> Cursor<'t, 'a> {
    /// A cursor at the start of `toks`, which ends with `Eof`.
    pub fn new(toks: &'t [Token<'a>]) -> Self {
        Cursor {
            toks,
            pos: 0,
            types: None,
        }
    }

    /// The token `n` places ahead (the final `Eof` when past the end).
    pub fn peek_at(&self, n: usize) -> Token<'a> {
        let i = self.pos.saturating_add(n);
        match self.toks.get(i).or(self.toks.last()) {
            Some(t) => *t,
            None => Token {
                kind: Kind::Eof,
                text: "",
                offset: 0,
                line: 1,
                col: 1,
            },
        }
    }

    /// The next token.
    pub fn peek(&self) -> Token<'a> {
        self.peek_at(0)
    }

    /// Consumes and returns the next token (never moves past `Eof`).
    pub fn bump(&mut self) -> Token<'a> {
        let t = self.peek();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        } else {
            self.pos = self.toks.len().saturating_sub(1);
        }
        t
    }

    /// The error for the next token.
    pub fn unexpected(&self) -> ParseError {
        unexpected(&self.peek())
    }

    /// Whether the next token is of kind `k`.
    pub fn at(&self, k: Kind) -> bool {
        self.peek().kind == k
    }

    /// Whether the next token is the keyword `kw`.
    pub fn at_keyword(&self, kw: &str) -> bool {
        self.peek().is_keyword(kw)
    }

    /// Whether the next tokens are `(` and the keyword `kw`.
    pub fn at_lparen_kw(&self, kw: &str) -> bool {
        self.peek().kind == Kind::LParen && self.peek_at(1).is_keyword(kw)
    }

    /// Consumes a token of kind `k`.
    pub fn expect(&mut self, k: Kind) -> Result<Token<'a>> {
        if self.at(k) {
            Ok(self.bump())
        } else {
            Err(self.unexpected())
        }
    }

    /// Consumes `(`.
    pub fn lparen(&mut self) -> Result<()> {
        self.expect(Kind::LParen).map(drop)
    }

    /// Consumes `)`.
    pub fn rparen(&mut self) -> Result<()> {
        self.expect(Kind::RParen).map(drop)
    }

    /// Consumes the keyword `kw`.
    pub fn keyword(&mut self, kw: &str) -> Result<()> {
        if self.at_keyword(kw) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// Consumes `(` and the keyword `kw` if they come next.
    pub fn eat_lparen_kw(&mut self, kw: &str) -> bool {
        if self.at_lparen_kw(kw) {
            self.pos += 2;
            true
        } else {
            false
        }
    }

    /// Consumes an identifier if one comes next.
    pub fn opt_id(&mut self) -> Option<Token<'a>> {
        match self.peek().kind {
            Kind::Id | Kind::QuotedId => Some(self.bump()),
            _ => None,
        }
    }

    /// Consumes a string literal and returns its bytes.
    pub fn string(&mut self) -> Result<Vec<u8>> {
        let t = self.expect(Kind::String)?;
        Ok(string_bytes(t.text))
    }

    /// Consumes a string literal that must be a name (valid UTF-8).
    pub fn name(&mut self) -> Result<String> {
        let t = self.peek();
        let bytes = self.string()?;
        String::from_utf8(bytes).map_err(|_| t.error("malformed UTF-8 encoding"))
    }

    /// Consumes an unsigned 32-bit literal (`u32`).
    pub fn u32(&mut self) -> Result<u32> {
        let t = self.expect(Kind::Nat)?;
        nat32(&t)
    }

    /// Consumes a value type.
    pub fn val_type(&mut self) -> Result<ValType> {
        let t = self.peek();
        let vt = match (t.kind, t.text) {
            (Kind::Keyword, "i32") => ValType::I32,
            (Kind::Keyword, "i64") => ValType::I64,
            (Kind::Keyword, "f32") => ValType::F32,
            (Kind::Keyword, "f64") => ValType::F64,
            (Kind::Keyword, "v128") => ValType::V128,
            _ => return self.ref_type().map(ValType::Ref),
        };
        self.bump();
        Ok(vt)
    }

    /// Consumes a reference type: a short form (`funcref`, `anyref`, ...)
    /// or `(ref null? heaptype)` (§6.4.3).
    pub fn ref_type(&mut self) -> Result<RefType> {
        let t = self.peek();
        if t.kind == Kind::Keyword {
            if let Some(r) = short_ref_type(t.text) {
                self.bump();
                return Ok(r);
            }
        }
        if self.at_lparen_kw("ref") {
            self.pos += 2;
            let nullable = if self.at_keyword("null") {
                self.bump();
                true
            } else {
                false
            };
            let heap = self.heap_type()?;
            self.rparen()?;
            return Ok(RefType { nullable, heap });
        }
        Err(self.unexpected())
    }

    /// Whether a reference type comes next.
    pub fn at_ref_type(&self) -> bool {
        let t = self.peek();
        (t.kind == Kind::Keyword && short_ref_type(t.text).is_some()) || self.at_lparen_kw("ref")
    }

    /// Consumes a heap type (§6.4.2): an abstract type's name, a type
    /// index or identifier, or (custom descriptors) `(exact x)` of a type
    /// index or identifier.
    pub fn heap_type(&mut self) -> Result<HeapType> {
        if self.at_lparen_kw("exact") {
            self.pos += 2;
            if !matches!(self.peek().kind, Kind::Nat | Kind::Id | Kind::QuotedId) {
                return Err(self.unexpected());
            }
            let h = self.heap_type()?.exact();
            self.rparen()?;
            return Ok(h);
        }
        let t = self.peek();
        let h = match t.kind {
            Kind::Keyword => match HeapType::from_abstract_name(t.text) {
                Some(h) => h,
                None => return Err(self.unexpected()),
            },
            Kind::Nat => HeapType::Concrete(TypeIdx(nat32(&t)?)),
            Kind::Id | Kind::QuotedId => {
                match self.types.as_ref().and_then(|m| m.get(&*t.id_key())) {
                    Some(&i) => HeapType::Concrete(TypeIdx(i)),
                    None => return Err(t.error(format!("unknown type {}", excerpt(t.text)))),
                }
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        Ok(h)
    }

    /// Skips a balanced parenthesised group starting at `(`; returns the
    /// position just past its `)`. Iterative, so nesting depth is unbounded.
    pub fn skip_group(&mut self) -> Result<usize> {
        self.lparen()?;
        let mut depth = 1usize;
        while depth > 0 {
            let t = self.peek();
            match t.kind {
                Kind::LParen => depth += 1,
                Kind::RParen => depth -= 1,
                Kind::Eof | Kind::Error(_) => return Err(unexpected(&t)),
                _ => {}
            }
            self.bump();
        }
        Ok(self.pos)
    }

    /// Skips tokens up to (not including) the `)` that closes the current
    /// group; returns that position.
    pub fn skip_to_close(&mut self) -> Result<usize> {
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            match t.kind {
                Kind::LParen => depth += 1,
                Kind::RParen if depth == 0 => return Ok(self.pos),
                Kind::RParen => depth -= 1,
                Kind::Eof | Kind::Error(_) => return Err(unexpected(&t)),
                _ => {}
            }
            self.bump();
        }
    }
}

/// The reference type a short-form keyword stands for (§6.4.3).
fn short_ref_type(kw: &str) -> Option<RefType> {
    let heap = kw.strip_suffix("ref")?;
    let heap = match heap {
        "null" => HeapType::None,
        "nullfunc" => HeapType::NoFunc,
        "nullextern" => HeapType::NoExtern,
        "nullexn" => HeapType::NoExn,
        h => HeapType::from_abstract_name(h).filter(|h| {
            !matches!(
                h,
                HeapType::None | HeapType::NoFunc | HeapType::NoExtern | HeapType::NoExn
            )
        })?,
    };
    Some(RefType::null(heap))
}

/// The value of a `u32` token.
pub(crate) fn nat32(t: &Token<'_>) -> Result<u32> {
    num::parse_nat(t.text)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| t.error("i32 constant out of range"))
}
