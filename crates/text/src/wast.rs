//! WAST scripts: the spec testsuite's script format (the reference
//! interpreter's `script` grammar).
//!
//! Module definitions keep their source unparsed ([`ModuleSource`]), so that
//! a runner can report a text error for the command that holds it (an
//! `assert_malformed` expects exactly that); [`parse_module_source`] parses
//! them on demand.

use crate::body::{float_value, int_value, v128_const, Shape};
use crate::lexer::{tokenize, Kind, Token};
use crate::parser::{nat32, unexpected, Cursor};
use crate::{num, parse_wat, ParseError, Result};
use weft_syntax::{Features, HeapType, Module, F32, F64, V128};

/// A parsed script.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// The commands, in order.
    pub commands: Vec<Command>,
}

/// One command and the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// 1-based line of the command's opening parenthesis.
    pub line: usize,
    /// What the command does.
    pub kind: CommandKind,
}

/// The source of a module in a script, kept unparsed.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleSource {
    /// A `(module ...)` form in the text format: its whole text and the line
    /// it starts on. The text is preceded by as many spaces as the form's
    /// column, so error columns agree with the script.
    Text(String, usize),
    /// `(module binary "..."*)`: the concatenated bytes.
    Binary(Vec<u8>),
    /// `(module quote "..."*)`: the strings concatenated with a space between
    /// them. Bytes, because escapes can make them invalid UTF-8.
    Quote(Vec<u8>),
}

/// A script command.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandKind {
    /// Defines and instantiates a module, optionally named `$name` (the
    /// name then stands for both the definition and the instance).
    Module {
        name: Option<String>,
        source: ModuleSource,
    },
    /// `(module definition $name? ...)`: compiles a module without
    /// instantiating it.
    ModuleDefinition {
        name: Option<String>,
        source: ModuleSource,
    },
    /// `(module instance $instance? $module?)`: instantiates a defined
    /// module (the last one defined when `module` is absent).
    ModuleInstance {
        instance: Option<String>,
        module: Option<String>,
    },
    /// Makes a module's exports importable under `as_name`.
    Register {
        as_name: String,
        module: Option<String>,
    },
    /// Performs an action and ignores its results.
    Action(Action),
    /// The action returns the expected results.
    AssertReturn {
        action: Action,
        expected: Vec<Expected>,
    },
    /// The action, or instantiating the module, traps with the message.
    AssertTrap { target: TrapTarget, message: String },
    /// The action exhausts a resource (the call stack).
    AssertExhaustion { action: Action, message: String },
    /// The action throws a Wasm exception that nothing catches.
    AssertException { action: Action },
    /// The module fails validation.
    AssertInvalid {
        module: ModuleSource,
        message: String,
    },
    /// The module fails to decode or parse.
    AssertMalformed {
        module: ModuleSource,
        message: String,
    },
    /// The module fails to link.
    AssertUnlinkable {
        module: ModuleSource,
        message: String,
    },
    /// Instantiating the module traps (in its start function).
    AssertUninstantiable {
        module: ModuleSource,
        message: String,
    },
    /// The module is well-formed but a custom section made from its
    /// annotations (`@custom`, `@name`, branch hints) is malformed.
    AssertMalformedCustom {
        module: ModuleSource,
        message: String,
    },
    /// The module is valid but a custom section made from its annotations
    /// is invalid (a branch hint on an instruction that does not branch).
    AssertInvalidCustom {
        module: ModuleSource,
        message: String,
    },
}

/// What an `assert_trap` runs.
#[derive(Clone, Debug, PartialEq)]
pub enum TrapTarget {
    Action(Action),
    Module(ModuleSource),
}

/// An action on a module instance.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Calls an exported function.
    Invoke {
        module: Option<String>,
        name: String,
        args: Vec<Value>,
    },
    /// Reads an exported global.
    Get {
        module: Option<String>,
        name: String,
    },
}

/// An argument value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(F32),
    F64(F64),
    V128(V128),
    /// `(ref.null h)`: `h` is abstract (scripts never name concrete types).
    RefNull(HeapType),
    /// `(ref.extern n)`: a host reference with the given number, as an
    /// `externref`.
    RefExtern(u32),
    /// `(ref.host n)`: a host reference with the given number, in the `any`
    /// hierarchy.
    RefHost(u32),
}

/// The NaN patterns of expected float results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NanPattern {
    /// `nan:canonical`: a NaN with only the quiet bit of the payload set.
    Canonical,
    /// `nan:arithmetic`: a NaN with the quiet bit set.
    Arithmetic,
}

/// An expected float: exact bits or a NaN pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FloatExpected<T> {
    Value(T),
    Nan(NanPattern),
}

/// An expected `v128`, keeping the lane shape it was written with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum V128Expected {
    I8x16([i8; 16]),
    I16x8([i16; 8]),
    I32x4([i32; 4]),
    I64x2([i64; 2]),
    F32x4([FloatExpected<F32>; 4]),
    F64x2([FloatExpected<F64>; 2]),
}

/// The non-null reference kinds an expected result can ask for without
/// saying which reference (`(ref.struct)`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// `(ref.any)`: any non-null reference of the `any` hierarchy.
    Any,
    /// `(ref.eq)`: a reference that `ref.eq` can compare.
    Eq,
    /// `(ref.i31)`: an unboxed scalar.
    I31,
    /// `(ref.struct)`: a struct.
    Struct,
    /// `(ref.array)`: an array.
    Array,
    /// `(ref.exn)`: an exception.
    Exn,
}

impl RefKind {
    /// Every kind with its keyword.
    pub const ALL: [(RefKind, &'static str); 6] = [
        (RefKind::Any, "ref.any"),
        (RefKind::Eq, "ref.eq"),
        (RefKind::I31, "ref.i31"),
        (RefKind::Struct, "ref.struct"),
        (RefKind::Array, "ref.array"),
        (RefKind::Exn, "ref.exn"),
    ];

    /// The kind's keyword.
    pub fn keyword(self) -> &'static str {
        RefKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }
}

/// An expected result.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    I32(i32),
    I64(i64),
    F32(FloatExpected<F32>),
    F64(FloatExpected<F64>),
    V128(V128Expected),
    /// `(ref.null ht)`: a null reference of `ht`'s hierarchy; `(ref.null)`:
    /// any null reference.
    RefNull(Option<HeapType>),
    /// `(ref.extern n)`, or any non-null host reference without `n`.
    RefExtern(Option<u32>),
    /// `(ref.host n)`: the host reference `n` of the `any` hierarchy.
    RefHost(u32),
    /// `(ref.func)`: any non-null function reference (or the given index).
    RefFunc(Option<u32>),
    /// A non-null reference of the given kind.
    Ref(RefKind),
    /// `(either r*)`: any one of the alternatives.
    Either(Vec<Expected>),
}

/// Parses a script.
pub fn parse_wast(src: &str) -> Result<Script> {
    // Annotations may stand anywhere in a script too; those inside a
    // module are seen again when the module is parsed.
    let (toks, _) = crate::annot::strip(&tokenize(src));
    let mut c = Cursor::new(&toks);
    let mut commands = Vec::new();
    // A script may be just the fields of one module (an inline module).
    const FIELDS: &[&str] = &[
        "type", "import", "func", "table", "memory", "global", "export", "start", "elem", "data",
    ];
    let first = c.peek_at(1);
    if c.at(Kind::LParen) && first.kind == Kind::Keyword && FIELDS.contains(&first.text) {
        let open = c.peek();
        commands.push(Command {
            line: open.line as usize,
            kind: CommandKind::Module {
                name: None,
                source: ModuleSource::Text(src.to_string(), 1),
            },
        });
        return Ok(Script { commands });
    }
    while c.at(Kind::LParen) {
        let open = c.peek();
        let kw = c.peek_at(1);
        if kw.kind != Kind::Keyword {
            c.bump();
            return Err(c.unexpected());
        }
        let kind = match kw.text {
            "module" if c.peek_at(2).is_keyword("instance") => {
                c.pos += 3;
                let instance = c.opt_id().map(|t| t.text.to_string());
                let module = c.opt_id().map(|t| t.text.to_string());
                c.rparen()?;
                CommandKind::ModuleInstance { instance, module }
            }
            "module" => {
                let form = module_form(&mut c, src)?;
                if form.definition {
                    CommandKind::ModuleDefinition {
                        name: form.name,
                        source: form.source,
                    }
                } else {
                    CommandKind::Module {
                        name: form.name,
                        source: form.source,
                    }
                }
            }
            "register" => {
                c.pos += 2;
                let as_name = c.name()?;
                let module = c.opt_id().map(|t| t.text.to_string());
                c.rparen()?;
                CommandKind::Register { as_name, module }
            }
            "invoke" | "get" => CommandKind::Action(action(&mut c)?),
            "assert_return" => {
                c.pos += 2;
                let action = action(&mut c)?;
                let mut expected = Vec::new();
                while c.at(Kind::LParen) {
                    expected.push(expected_value(&mut c)?);
                }
                c.rparen()?;
                CommandKind::AssertReturn { action, expected }
            }
            "assert_trap" => {
                c.pos += 2;
                let target = if c.at_lparen_kw("module") {
                    TrapTarget::Module(module_form(&mut c, src)?.source)
                } else {
                    TrapTarget::Action(action(&mut c)?)
                };
                let message = message(&mut c)?;
                c.rparen()?;
                CommandKind::AssertTrap { target, message }
            }
            "assert_exhaustion" => {
                c.pos += 2;
                let action = action(&mut c)?;
                let message = message(&mut c)?;
                c.rparen()?;
                CommandKind::AssertExhaustion { action, message }
            }
            "assert_exception" => {
                c.pos += 2;
                let action = action(&mut c)?;
                c.rparen()?;
                CommandKind::AssertException { action }
            }
            "assert_invalid"
            | "assert_malformed"
            | "assert_unlinkable"
            | "assert_uninstantiable"
            | "assert_malformed_custom"
            | "assert_invalid_custom" => {
                c.pos += 2;
                let module = module_form(&mut c, src)?.source;
                let message = message(&mut c)?;
                c.rparen()?;
                match kw.text {
                    "assert_invalid" => CommandKind::AssertInvalid { module, message },
                    "assert_malformed" => CommandKind::AssertMalformed { module, message },
                    "assert_unlinkable" => CommandKind::AssertUnlinkable { module, message },
                    "assert_malformed_custom" => {
                        CommandKind::AssertMalformedCustom { module, message }
                    }
                    "assert_invalid_custom" => CommandKind::AssertInvalidCustom { module, message },
                    _ => CommandKind::AssertUninstantiable { module, message },
                }
            }
            _ => {
                c.bump();
                return Err(c.unexpected());
            }
        };
        commands.push(Command {
            line: open.line as usize,
            kind,
        });
    }
    if !c.at(Kind::Eof) {
        return Err(c.unexpected());
    }
    Ok(Script { commands })
}

/// Parses a module of a script: text and quoted modules with [`parse_wat`];
/// errors in a text module are located in the script. Binary modules are
/// not handled here (decode them with `weft_binary::decode`): they give an
/// error.
pub fn parse_module_source(src: &ModuleSource, features: Features) -> Result<Module<'static>> {
    match src {
        ModuleSource::Text(text, line) => parse_wat(text, features).map_err(|mut e| {
            e.line += line.saturating_sub(1);
            e
        }),
        ModuleSource::Quote(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => parse_wat(text, features),
            Err(e) => {
                let before = &bytes[..e.valid_up_to()];
                let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                Err(ParseError::new(
                    "malformed UTF-8 encoding",
                    line,
                    e.valid_up_to() - line_start + 1,
                ))
            }
        },
        ModuleSource::Binary(_) => Err(ParseError::new(
            "binary module: decode it with weft_binary::decode",
            1,
            1,
        )),
    }
}

/// A module form of a script.
struct ModuleForm {
    /// Written `(module definition ...)`.
    definition: bool,
    name: Option<String>,
    source: ModuleSource,
}

/// `(module definition? $id? ...)`: text, `binary` or `quote`.
fn module_form(c: &mut Cursor<'_, '_>, src: &str) -> Result<ModuleForm> {
    let open = c.peek();
    c.lparen()?;
    c.keyword("module")?;
    let definition = c.at_keyword("definition").then(|| c.bump());
    let name = c.opt_id().map(|t| t.text.to_string());
    let source = if c.at_keyword("binary") || c.at_keyword("quote") {
        let binary = c.at_keyword("binary");
        c.bump();
        let mut bytes = Vec::new();
        let mut first = true;
        while c.at(Kind::String) {
            if !binary && !first {
                bytes.push(b' ');
            }
            first = false;
            bytes.extend(c.string()?);
        }
        c.rparen()?;
        if binary {
            ModuleSource::Binary(bytes)
        } else {
            ModuleSource::Quote(bytes)
        }
    } else {
        let close = c.skip_to_close()?;
        c.rparen()?;
        let close = c.toks.get(close).map_or(src.len(), |t| t.offset + 1);
        // The text parser reads `(module $id? field*)`: the keyword
        // `definition` is blanked out, keeping every column in place.
        let mut text = " ".repeat(open.col.saturating_sub(1) as usize);
        match definition {
            Some(kw) => {
                text.push_str(src.get(open.offset..kw.offset).unwrap_or(""));
                text.push_str(&" ".repeat(kw.text.len()));
                text.push_str(src.get(kw.offset + kw.text.len()..close).unwrap_or(""));
            }
            None => text.push_str(src.get(open.offset..close).unwrap_or("")),
        }
        ModuleSource::Text(text, open.line as usize)
    };
    Ok(ModuleForm {
        definition: definition.is_some(),
        name,
        source,
    })
}

/// An abstract heap type named by a script.
fn abs_heap_type(c: &mut Cursor<'_, '_>) -> Result<HeapType> {
    let t = c.peek();
    let found = HeapType::ABSTRACT
        .iter()
        .find(|(_, n, _)| t.is_keyword(n))
        .map(|(h, _, _)| *h);
    match found {
        Some(h) => {
            c.bump();
            Ok(h)
        }
        None => Err(unexpected(&t)),
    }
}

/// The message string of an assertion.
fn message(c: &mut Cursor<'_, '_>) -> Result<String> {
    let bytes = c.string()?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `(invoke $id? "name" const*)` or `(get $id? "name")`.
fn action(c: &mut Cursor<'_, '_>) -> Result<Action> {
    c.lparen()?;
    if c.at_keyword("invoke") {
        c.bump();
        let module = c.opt_id().map(|t| t.text.to_string());
        let name = c.name()?;
        let mut args = Vec::new();
        while c.at(Kind::LParen) {
            args.push(const_value(c)?);
        }
        c.rparen()?;
        Ok(Action::Invoke { module, name, args })
    } else if c.at_keyword("get") {
        c.bump();
        let module = c.opt_id().map(|t| t.text.to_string());
        let name = c.name()?;
        c.rparen()?;
        Ok(Action::Get { module, name })
    } else {
        Err(c.unexpected())
    }
}

/// Consumes a number token converted by `f`.
fn number<T>(c: &mut Cursor<'_, '_>, f: impl Fn(&Token<'_>) -> Result<T>) -> Result<T> {
    let t = c.peek();
    let v = f(&t)?;
    c.bump();
    Ok(v)
}

/// An argument constant.
fn const_value(c: &mut Cursor<'_, '_>) -> Result<Value> {
    c.lparen()?;
    let kw = c.peek();
    if kw.kind != Kind::Keyword {
        return Err(unexpected(&kw));
    }
    c.bump();
    let v = match kw.text {
        "i32.const" => Value::I32(number(c, |t| int_value(t, 32))? as u32 as i32),
        "i64.const" => Value::I64(number(c, |t| int_value(t, 64))? as i64),
        "f32.const" => Value::F32(F32(number(c, |t| float_value(t, num::F32))? as u32)),
        "f64.const" => Value::F64(F64(number(c, |t| float_value(t, num::F64))?)),
        "v128.const" => Value::V128(V128(v128_const(c)?)),
        "ref.null" => Value::RefNull(abs_heap_type(c)?),
        "ref.extern" => Value::RefExtern(number(c, nat_token)?),
        "ref.host" => Value::RefHost(number(c, nat_token)?),
        _ => return Err(unexpected(&kw)),
    };
    c.rparen()?;
    Ok(v)
}

fn nat_token(t: &Token<'_>) -> Result<u32> {
    if t.kind != Kind::Nat {
        return Err(unexpected(t));
    }
    nat32(t)
}

/// A NaN pattern keyword, if one comes next.
fn nan_pattern(c: &mut Cursor<'_, '_>) -> Option<NanPattern> {
    let p = if c.at_keyword("nan:canonical") {
        NanPattern::Canonical
    } else if c.at_keyword("nan:arithmetic") {
        NanPattern::Arithmetic
    } else {
        return None;
    };
    c.bump();
    Some(p)
}

fn f32_expected(c: &mut Cursor<'_, '_>) -> Result<FloatExpected<F32>> {
    if let Some(p) = nan_pattern(c) {
        return Ok(FloatExpected::Nan(p));
    }
    let bits = number(c, |t| float_value(t, num::F32))?;
    Ok(FloatExpected::Value(F32(bits as u32)))
}

fn f64_expected(c: &mut Cursor<'_, '_>) -> Result<FloatExpected<F64>> {
    if let Some(p) = nan_pattern(c) {
        return Ok(FloatExpected::Nan(p));
    }
    let bits = number(c, |t| float_value(t, num::F64))?;
    Ok(FloatExpected::Value(F64(bits)))
}

/// An expected result.
fn expected_value(c: &mut Cursor<'_, '_>) -> Result<Expected> {
    c.lparen()?;
    let kw = c.peek();
    if kw.kind != Kind::Keyword {
        return Err(unexpected(&kw));
    }
    c.bump();
    if let Some((kind, _)) = RefKind::ALL.iter().find(|(_, k)| *k == kw.text) {
        c.rparen()?;
        return Ok(Expected::Ref(*kind));
    }
    let v = match kw.text {
        "either" => {
            let mut alternatives = Vec::new();
            while c.at(Kind::LParen) {
                alternatives.push(expected_value(c)?);
            }
            if alternatives.is_empty() {
                return Err(c.unexpected());
            }
            Expected::Either(alternatives)
        }
        "i32.const" => Expected::I32(number(c, |t| int_value(t, 32))? as u32 as i32),
        "i64.const" => Expected::I64(number(c, |t| int_value(t, 64))? as i64),
        "f32.const" => Expected::F32(f32_expected(c)?),
        "f64.const" => Expected::F64(f64_expected(c)?),
        "v128.const" => Expected::V128(v128_expected(c)?),
        "ref.null" => Expected::RefNull(match c.peek().kind {
            Kind::Keyword => Some(abs_heap_type(c)?),
            _ => None,
        }),
        "ref.host" => Expected::RefHost(number(c, nat_token)?),
        "ref.extern" => Expected::RefExtern(match c.peek().kind {
            Kind::Nat => Some(number(c, nat_token)?),
            _ => None,
        }),
        "ref.func" => Expected::RefFunc(match c.peek().kind {
            Kind::Nat => Some(number(c, nat_token)?),
            _ => None,
        }),
        _ => return Err(unexpected(&kw)),
    };
    c.rparen()?;
    Ok(v)
}

/// `shape lane*` of an expected `v128`, with NaN patterns in float lanes.
fn v128_expected(c: &mut Cursor<'_, '_>) -> Result<V128Expected> {
    let shape_tok = c.peek();
    let shape = Shape::of(&shape_tok).ok_or_else(|| unexpected(&shape_tok))?;
    c.bump();
    fn ints<const N: usize, T: Copy + Default>(
        c: &mut Cursor<'_, '_>,
        bits: u32,
        conv: impl Fn(u64) -> T,
    ) -> Result<[T; N]> {
        let mut out = [T::default(); N];
        for lane in out.iter_mut() {
            if !crate::body::is_number(&c.peek()) {
                return Err(c.peek().error("wrong number of lane literals"));
            }
            *lane = conv(number(c, |t| int_value(t, bits))?);
        }
        Ok(out)
    }
    fn floats<const N: usize, T: Copy>(
        c: &mut Cursor<'_, '_>,
        zero: T,
        lane: impl Fn(&mut Cursor<'_, '_>) -> Result<FloatExpected<T>>,
    ) -> Result<[FloatExpected<T>; N]> {
        let mut out = [FloatExpected::Value(zero); N];
        for l in out.iter_mut() {
            let t = c.peek();
            if !crate::body::is_number(&t)
                && !t.is_keyword("nan:canonical")
                && !t.is_keyword("nan:arithmetic")
            {
                return Err(t.error("wrong number of lane literals"));
            }
            *l = lane(c)?;
        }
        Ok(out)
    }
    let v = match shape {
        Shape::I8x16 => V128Expected::I8x16(ints(c, 8, |v| v as u8 as i8)?),
        Shape::I16x8 => V128Expected::I16x8(ints(c, 16, |v| v as u16 as i16)?),
        Shape::I32x4 => V128Expected::I32x4(ints(c, 32, |v| v as u32 as i32)?),
        Shape::I64x2 => V128Expected::I64x2(ints(c, 64, |v| v as i64)?),
        Shape::F32x4 => V128Expected::F32x4(floats(c, F32(0), f32_expected)?),
        Shape::F64x2 => V128Expected::F64x2(floats(c, F64(0), f64_expected)?),
    };
    if crate::body::is_number(&c.peek()) {
        return Err(c.peek().error("wrong number of lane literals"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        let s = parse_wast(
            "(module $m (func (export \"f\") (result i32) i32.const 1))\n\
             (assert_return (invoke $m \"f\" (i32.const -1)) (i32.const 1))\n\
             (assert_return (invoke \"g\") (f32.const nan:canonical) (v128.const f64x2 nan:arithmetic -0))\n\
             (assert_malformed (module quote \"(func\" \"nop)\") \"unexpected token\")\n\
             (module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n\
             (register \"m\" $m)",
        )
        .unwrap();
        assert_eq!(s.commands.len(), 6);
        let CommandKind::Module { name, source } = &s.commands[0].kind else {
            panic!()
        };
        assert_eq!(name.as_deref(), Some("$m"));
        let m = parse_module_source(source, Features::WASM2).unwrap();
        assert_eq!(m.names.module.as_deref(), Some("m"));
        let CommandKind::AssertReturn { action, .. } = &s.commands[1].kind else {
            panic!()
        };
        assert_eq!(
            *action,
            Action::Invoke {
                module: Some("$m".into()),
                name: "f".into(),
                args: vec![Value::I32(-1)]
            }
        );
        let CommandKind::AssertReturn { expected, .. } = &s.commands[2].kind else {
            panic!()
        };
        assert_eq!(
            expected[1],
            Expected::V128(V128Expected::F64x2([
                FloatExpected::Nan(NanPattern::Arithmetic),
                FloatExpected::Value(F64(0x8000_0000_0000_0000))
            ]))
        );
        let CommandKind::AssertMalformed { module, .. } = &s.commands[3].kind else {
            panic!()
        };
        assert_eq!(*module, ModuleSource::Quote(b"(func nop)".to_vec()));
        assert_eq!(s.commands[5].line, 6);
    }
}

#[cfg(test)]
mod forms_3_0_tests {
    use super::*;

    #[test]
    fn definitions_instances_and_3_0_assertions() {
        let s = parse_wast(
            "(module definition $M (func))\n\
             (module instance $I $M)\n\
             (module instance)\n\
             (module definition $B binary \"\\00asm\" \"\\01\\00\\00\\00\")\n\
             (assert_exception (invoke $I \"f\" (ref.host 2) (ref.null any)))\n\
             (assert_return (invoke \"g\") (either (i32.const 1) (ref.null)) (ref.struct) (ref.null nofunc))\n\
             (assert_malformed_custom (module quote \"(@custom)\") \"@custom annotation: missing\")\n\
             (assert_invalid_custom (module) \"@metadata.code.branch_hint annotation: invalid target\")",
        )
        .unwrap();
        let kinds: Vec<&CommandKind> = s.commands.iter().map(|c| &c.kind).collect();
        let CommandKind::ModuleDefinition { name, source } = kinds[0] else {
            panic!("{:?}", kinds[0])
        };
        assert_eq!(name.as_deref(), Some("$M"));
        // `definition` is blanked out for the text parser.
        assert_eq!(
            *source,
            ModuleSource::Text("(module            $M (func))".into(), 1)
        );
        parse_module_source(source, Features::WASM2).unwrap();
        assert_eq!(
            *kinds[1],
            CommandKind::ModuleInstance {
                instance: Some("$I".into()),
                module: Some("$M".into())
            }
        );
        assert_eq!(
            *kinds[2],
            CommandKind::ModuleInstance {
                instance: None,
                module: None
            }
        );
        assert!(matches!(
            kinds[3],
            CommandKind::ModuleDefinition { source: ModuleSource::Binary(b), .. } if b.len() == 8
        ));
        let CommandKind::AssertException {
            action: Action::Invoke { args, .. },
        } = kinds[4]
        else {
            panic!("{:?}", kinds[4])
        };
        assert_eq!(*args, [Value::RefHost(2), Value::RefNull(HeapType::Any)]);
        let CommandKind::AssertReturn { expected, .. } = kinds[5] else {
            panic!()
        };
        assert_eq!(
            *expected,
            [
                Expected::Either(vec![Expected::I32(1), Expected::RefNull(None)]),
                Expected::Ref(RefKind::Struct),
                Expected::RefNull(Some(HeapType::NoFunc)),
            ]
        );
        assert!(matches!(
            kinds[6],
            CommandKind::AssertMalformedCustom { .. }
        ));
        assert!(matches!(kinds[7], CommandKind::AssertInvalidCustom { .. }));
        assert!(parse_wast("(assert_return (invoke \"g\") (either))").is_err());
        assert!(parse_wast("(assert_return (invoke \"g\") (ref.null $t))").is_err());
    }
}

#[cfg(test)]
mod position_tests {
    use super::*;

    #[test]
    fn text_module_errors_are_located_in_the_script() {
        let s = parse_wast(";; comment\n\n  (module\n    (func (i32.const 0x)))").unwrap();
        let CommandKind::Module { source, .. } = &s.commands[0].kind else {
            panic!()
        };
        let e = parse_module_source(source, Features::WASM2).unwrap_err();
        assert_eq!((e.line, e.column), (4, 22));
        assert_eq!(s.commands[0].line, 3);
    }
}
