//! Shared by the integration tests: the Wasm 2.0 testsuite's modules,
//! extracted with the `wast` crate (the oracle for the text format), and a
//! comparison of modules that ignores what an encode/decode round trip may
//! legitimately change.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::path::{Path, PathBuf};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, Wat};
use weft_syntax::{CustomPlace, DataMode, ElemItems, ElemMode, Module};

/// The testsuite directory: `$WEFT_TESTSUITE_2_0`, or the shared copy next
/// to the repository. Panics if it is missing: a silently skipped testsuite
/// is a test that passes for the wrong reason.
pub fn testsuite_dir() -> PathBuf {
    weft_testkit::testsuite_2_0()
}

/// Every `.wast` file under the testsuite directory, sorted.
pub fn wast_files() -> Vec<PathBuf> {
    let out = weft_testkit::wast_files(&testsuite_dir());
    assert!(out.len() >= 100, "only {} .wast files found", out.len());
    out
}

/// What the script says about a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Defined (and so decoded and validated) successfully: `module`,
    /// `module definition`, or the module of `assert_unlinkable` /
    /// `assert_trap` (which must decode and validate).
    Valid,
    /// `assert_invalid`: must decode, then fail validation.
    Invalid(String),
    /// `assert_malformed` of a binary module, with the expected message.
    Malformed(String),
}

/// A module of a script in binary form.
pub struct ScriptModule {
    /// `file:line` of the command.
    pub place: String,
    /// Whether the script gave it as a binary (`module binary`).
    pub binary_source: bool,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

fn is_binary(q: &QuoteWat<'_>) -> bool {
    matches!(q, QuoteWat::Wat(Wat::Module(m)) if matches!(m.kind, wast::core::ModuleKind::Binary(_)))
}

/// The modules of one script. Text modules are encoded with the `wast`
/// crate; quoted text modules of `assert_malformed` and modules the `wast`
/// crate cannot encode are left out (they are the text parser's business).
pub fn script_modules(path: &Path) -> Vec<ScriptModule> {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path
        .strip_prefix(testsuite_dir())
        .unwrap_or(path)
        .display()
        .to_string();
    let mut lexer = wast::lexer::Lexer::new(&src);
    lexer.allow_confusing_unicode(true); // names.wast tests such names
    let buf = ParseBuffer::new_with_lexer(lexer).unwrap_or_else(|e| panic!("{name}: {e}"));
    let script = parser::parse::<Wast>(&buf).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = Vec::new();
    let mut push = |span: wast::token::Span, mut q: QuoteWat<'_>, expect: Expect| {
        let binary_source = is_binary(&q);
        if let Ok(bytes) = q.encode() {
            let (line, _) = span.linecol_in(&src);
            out.push(ScriptModule {
                place: format!("{name}:{}", line + 1),
                binary_source,
                bytes,
                expect,
            });
        }
    };
    for d in script.directives {
        match d {
            WastDirective::Module(q) | WastDirective::ModuleDefinition(q) => {
                push(q.span(), q, Expect::Valid)
            }
            WastDirective::AssertMalformed {
                span,
                module,
                message,
            } if is_binary(&module) => push(span, module, Expect::Malformed(message.to_string())),
            WastDirective::AssertInvalid {
                span,
                module,
                message,
            } => push(span, module, Expect::Invalid(message.to_string())),
            WastDirective::AssertUnlinkable { span, module, .. } => {
                push(span, QuoteWat::Wat(module), Expect::Valid)
            }
            WastDirective::AssertTrap {
                span,
                exec: WastExecute::Wat(module),
                ..
            } => push(span, QuoteWat::Wat(module), Expect::Valid),
            _ => {}
        }
    }
    out
}

/// A copy of `m` without what a round trip may change: absolute offsets of
/// expressions (the encoding moves them) and the places of custom sections
/// (an empty section that was present in the input is left out by the
/// encoder, so a custom section after it moves up to the previous one).
pub fn normalize(m: &Module<'_>) -> Module<'static> {
    let mut m = to_static(m);
    for g in &mut m.globals {
        g.init.offset = 0;
    }
    for e in &mut m.elems {
        if let ElemMode::Active { offset, .. } = &mut e.mode {
            offset.offset = 0;
        }
        if let ElemItems::Exprs(es) = &mut e.items {
            for x in es {
                x.offset = 0;
            }
        }
    }
    for c in &mut m.code {
        c.body.offset = 0;
    }
    for d in &mut m.datas {
        if let DataMode::Active { offset, .. } = &mut d.mode {
            offset.offset = 0;
        }
    }
    for c in &mut m.customs {
        c.place = CustomPlace::First;
    }
    m
}

/// A deep copy that owns its data.
fn to_static(m: &Module<'_>) -> Module<'static> {
    use std::borrow::Cow;
    fn s(c: &str) -> Cow<'static, str> {
        Cow::Owned(c.to_string())
    }
    fn b(c: &[u8]) -> Cow<'static, [u8]> {
        Cow::Owned(c.to_vec())
    }
    fn e(x: &weft_syntax::Expr<'_>) -> weft_syntax::Expr<'static> {
        weft_syntax::Expr {
            bytes: b(&x.bytes),
            offset: x.offset,
        }
    }
    Module {
        types: m.types.clone(),
        imports: m
            .imports
            .iter()
            .map(|i| weft_syntax::Import {
                module: s(&i.module),
                name: s(&i.name),
                desc: i.desc,
                exact: i.exact,
            })
            .collect(),
        funcs: m.funcs.clone(),
        tables: m
            .tables
            .iter()
            .map(|t| weft_syntax::Table {
                ty: t.ty,
                init: t.init.as_ref().map(e),
            })
            .collect(),
        mems: m.mems.clone(),
        tags: m.tags.clone(),
        globals: m
            .globals
            .iter()
            .map(|g| weft_syntax::Global {
                ty: g.ty,
                init: e(&g.init),
            })
            .collect(),
        exports: m
            .exports
            .iter()
            .map(|x| weft_syntax::Export {
                name: s(&x.name),
                desc: x.desc,
            })
            .collect(),
        start: m.start,
        elems: m
            .elems
            .iter()
            .map(|el| weft_syntax::Elem {
                ty: el.ty,
                items: match &el.items {
                    ElemItems::Funcs(f) => ElemItems::Funcs(f.clone()),
                    ElemItems::Exprs(x) => ElemItems::Exprs(x.iter().map(e).collect()),
                },
                mode: match &el.mode {
                    ElemMode::Passive => ElemMode::Passive,
                    ElemMode::Declarative => ElemMode::Declarative,
                    ElemMode::Active { table, offset } => ElemMode::Active {
                        table: *table,
                        offset: e(offset),
                    },
                },
            })
            .collect(),
        data_count: m.data_count,
        code: m
            .code
            .iter()
            .map(|c| weft_syntax::Code {
                locals: c.locals.clone(),
                body: e(&c.body),
            })
            .collect(),
        datas: m
            .datas
            .iter()
            .map(|d| weft_syntax::Data {
                init: b(&d.init),
                mode: match &d.mode {
                    DataMode::Passive => DataMode::Passive,
                    DataMode::Active { memory, offset } => DataMode::Active {
                        memory: *memory,
                        offset: e(offset),
                    },
                },
            })
            .collect(),
        customs: m
            .customs
            .iter()
            .map(|c| weft_syntax::Custom {
                name: s(&c.name),
                data: b(&c.data),
                place: c.place,
            })
            .collect(),
        names: m.names.clone().into_owned(),
    }
}
