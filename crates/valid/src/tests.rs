//! Unit tests on hand-built modules.

use crate::{validate, ValidationError};
use std::borrow::Cow;
use weft_binary::encode_instr;
use weft_syntax::*;

fn enc(instrs: &[Instr<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in instrs {
        encode_instr(i, &mut out);
    }
    out
}

fn expr(instrs: &[Instr<'_>]) -> Expr<'static> {
    Expr {
        bytes: Cow::Owned(enc(instrs)),
        offset: 100,
    }
}

fn ft(params: &[ValType], results: &[ValType]) -> FuncType {
    FuncType {
        params: params.to_vec(),
        results: results.to_vec(),
    }
}

/// A module with one memory and one function of type `ty` whose body is
/// `instrs` (the final `end` included by the caller).
fn func_module(ty: FuncType, locals: &[ValType], instrs: &[Instr<'_>]) -> Module<'static> {
    Module {
        types: Types::from_iter([ty]),
        funcs: vec![TypeIdx(0)],
        mems: vec![MemType::new(Limits { min: 1, max: None })],
        code: vec![Code {
            locals: locals.iter().map(|&ty| Locals { count: 1, ty }).collect(),
            body: expr(instrs),
        }],
        ..Module::default()
    }
}

fn check(m: &Module<'_>) -> Result<(), ValidationError> {
    validate(m, Features::WASM2)
}

#[track_caller]
fn invalid(m: &Module<'_>, prefix: &str) {
    match check(m) {
        Ok(()) => panic!("expected error {prefix:?}, module is valid"),
        Err(e) => {
            assert!(!e.malformed, "expected invalid, got malformed {e}");
            assert!(
                e.message.starts_with(prefix),
                "expected {prefix:?}, got {e}"
            );
        }
    }
}

#[track_caller]
fn malformed(m: &Module<'_>, prefix: &str) {
    match check(m) {
        Ok(()) => panic!("expected malformed {prefix:?}, module is valid"),
        Err(e) => {
            assert!(e.malformed, "expected malformed, got invalid {e}");
            assert!(
                e.message.starts_with(prefix),
                "expected {prefix:?}, got {e}"
            );
        }
    }
}

use Instr as I;
const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;

fn l(i: u32) -> LocalIdx {
    LocalIdx(i)
}

#[test]
fn add_is_valid() {
    let m = func_module(
        ft(&[I32, I32], &[I32]),
        &[],
        &[
            I::LocalGet { local: l(0) },
            I::LocalGet { local: l(1) },
            I::I32Add {},
            I::End {},
        ],
    );
    check(&m).unwrap();
}

#[test]
fn type_mismatch() {
    let m = func_module(
        ft(&[I32, I64], &[I32]),
        &[],
        &[
            I::LocalGet { local: l(0) },
            I::LocalGet { local: l(1) },
            I::I32Add {},
            I::End {},
        ],
    );
    invalid(&m, "type mismatch");
    // Too many values at the end.
    let m = func_module(ft(&[], &[]), &[], &[I::I32Const { value: 1 }, I::End {}]);
    invalid(&m, "type mismatch");
    // Missing result.
    let m = func_module(ft(&[], &[I32]), &[], &[I::End {}]);
    invalid(&m, "type mismatch");
}

#[test]
fn error_offsets_are_absolute() {
    let m = func_module(ft(&[], &[]), &[], &[I::Nop {}, I::I32Add {}, I::End {}]);
    let e = check(&m).unwrap_err();
    assert_eq!(e.offset, Some(101));
    assert_eq!(e.to_string(), format!("{} (at offset 0x65)", e.message));
}

#[test]
fn unreachable_code_is_polymorphic() {
    let m = func_module(
        ft(&[], &[I32]),
        &[],
        &[I::Unreachable {}, I::I32Add {}, I::Select {}, I::End {}],
    );
    check(&m).unwrap();
    // Values pushed after `unreachable` are still checked.
    let m = func_module(
        ft(&[], &[I32]),
        &[],
        &[
            I::Unreachable {},
            I::I64Const { value: 0 },
            I::I32Add {},
            I::End {},
        ],
    );
    invalid(&m, "type mismatch");
    // select of a reference without a type.
    let m = func_module(
        ft(&[], &[]),
        &[],
        &[
            I::Unreachable {},
            I::RefNull { ty: HeapType::Func },
            I::I32Const { value: 0 },
            I::Select {},
            I::Drop {},
            I::End {},
        ],
    );
    invalid(&m, "type mismatch");
}

#[test]
fn locals_and_globals() {
    let m = func_module(
        ft(&[I32], &[]),
        &[I64],
        &[
            I::LocalGet { local: l(1) },
            I::LocalSet { local: l(1) },
            I::LocalGet { local: l(2) },
            I::End {},
        ],
    );
    invalid(&m, "unknown local 2");
    let mut m = func_module(
        ft(&[], &[]),
        &[],
        &[
            I::I32Const { value: 0 },
            I::GlobalSet {
                global: GlobalIdx(0),
            },
            I::End {},
        ],
    );
    m.globals.push(Global {
        ty: GlobalType {
            mutability: Mut::Const,
            content: I32,
        },
        init: expr(&[I::I32Const { value: 0 }, I::End {}]),
    });
    invalid(&m, "global is immutable");
    m.globals[0].ty.mutability = Mut::Var;
    check(&m).unwrap();
}

#[test]
fn blocks_and_branches() {
    // block (result i32) i32.const 1 br 0 end
    let m = func_module(
        ft(&[], &[I32]),
        &[],
        &[
            I::Block {
                block_type: BlockType::Value(I32),
            },
            I::I32Const { value: 1 },
            I::Br { label: LabelIdx(0) },
            I::End {},
            I::End {},
        ],
    );
    check(&m).unwrap();
    let m = func_module(
        ft(&[], &[]),
        &[],
        &[I::Br { label: LabelIdx(1) }, I::End {}],
    );
    invalid(&m, "unknown label");
    // if (result i32) without else.
    let m = func_module(
        ft(&[I32], &[I32]),
        &[],
        &[
            I::LocalGet { local: l(0) },
            I::If {
                block_type: BlockType::Value(I32),
            },
            I::I32Const { value: 1 },
            I::End {},
            I::End {},
        ],
    );
    invalid(&m, "type mismatch");
    // Multi-value block with parameters: [i32 i32] -> [i32].
    let mut m = func_module(
        ft(&[], &[I32]),
        &[],
        &[
            I::I32Const { value: 1 },
            I::I32Const { value: 2 },
            I::Block {
                block_type: BlockType::Func(TypeIdx(1)),
            },
            I::I32Add {},
            I::End {},
            I::End {},
        ],
    );
    m.types.push_func(ft(&[I32, I32], &[I32]));
    check(&m).unwrap();
    if let Some(Code { body, .. }) = m.code.first_mut() {
        *body = expr(&[
            I::Block {
                block_type: BlockType::Func(TypeIdx(7)),
            },
            I::End {},
            I::End {},
        ]);
    }
    invalid(&m, "unknown type");
}

#[test]
fn br_table() {
    let labels = [LabelIdx(0), LabelIdx(1)];
    let m = func_module(
        ft(&[], &[I32]),
        &[],
        &[
            I::Block {
                block_type: BlockType::Value(I32),
            },
            I::I32Const { value: 1 },
            I::I32Const { value: 0 },
            I::BrTable {
                targets: BrTable::from_slice(&labels, LabelIdx(0)),
            },
            I::End {},
            I::End {},
        ],
    );
    check(&m).unwrap();
    let m = func_module(
        ft(&[], &[I32]),
        &[],
        &[
            I::Block {
                block_type: BlockType::Empty,
            },
            I::I32Const { value: 1 },
            I::I32Const { value: 0 },
            I::BrTable {
                targets: BrTable::from_slice(&labels, LabelIdx(0)),
            },
            I::End {},
            I::I32Const { value: 0 },
            I::End {},
        ],
    );
    invalid(&m, "type mismatch");
}

#[test]
fn memory_instructions() {
    let load = |align| {
        func_module(
            ft(&[], &[I32]),
            &[],
            &[
                I::I32Const { value: 0 },
                I::I32Load {
                    memarg: MemArg {
                        align,
                        offset: 0,
                        memory: MemIdx(0),
                    },
                },
                I::End {},
            ],
        )
    };
    check(&load(2)).unwrap();
    invalid(&load(3), "alignment must not be larger than natural");
    malformed(&load(32), "malformed memop flags");
    let mut m = load(0);
    m.mems.clear();
    invalid(&m, "unknown memory 0");
}

#[test]
fn simd_lanes() {
    let m = |lane| {
        func_module(
            ft(&[], &[I32]),
            &[],
            &[
                I::V128Const {
                    value: V128([0; 16]),
                },
                I::I8x16ExtractLaneS {
                    lane: LaneIdx(lane),
                },
                I::End {},
            ],
        )
    };
    check(&m(15)).unwrap();
    invalid(&m(16), "invalid lane index");
}

#[test]
fn ref_func_needs_declaration() {
    let mut m = func_module(
        ft(&[], &[]),
        &[],
        &[I::RefFunc { func: FuncIdx(0) }, I::Drop {}, I::End {}],
    );
    invalid(&m, "undeclared function reference");
    m.exports.push(Export {
        name: "f".into(),
        desc: ExportDesc::Func(FuncIdx(0)),
    });
    check(&m).unwrap();
    m.exports.push(Export {
        name: "f".into(),
        desc: ExportDesc::Func(FuncIdx(0)),
    });
    invalid(&m, "duplicate export name");
}

#[test]
fn constant_expressions() {
    let import = |mutability| Import {
        module: "m".into(),
        name: "g".into(),
        desc: ImportDesc::Global(GlobalType {
            mutability,
            content: I32,
        }),
        exact: false,
    };
    let global = |init: &[Instr<'_>]| Global {
        ty: GlobalType {
            mutability: Mut::Const,
            content: I32,
        },
        init: expr(init),
    };
    let mut m = Module {
        imports: vec![import(Mut::Const)],
        globals: vec![global(&[
            I::GlobalGet {
                global: GlobalIdx(0),
            },
            I::End {},
        ])],
        ..Module::default()
    };
    check(&m).unwrap();
    m.globals.push(global(&[
        I::GlobalGet {
            global: GlobalIdx(1),
        },
        I::End {},
    ]));
    invalid(&m, "unknown global 1");
    m.globals.pop();
    m.imports[0] = import(Mut::Var);
    invalid(&m, "constant expression required");
    m.imports.clear();
    m.globals = vec![global(&[I::I32Const { value: 0 }, I::I32Ctz {}, I::End {}])];
    invalid(&m, "constant expression required");
    m.globals = vec![global(&[I::I64Const { value: 0 }, I::End {}])];
    invalid(&m, "type mismatch");
}

#[test]
fn module_level() {
    let mem = |min, max| MemType::new(Limits { min, max });
    let mut m = Module {
        mems: vec![mem(65537, None)],
        ..Module::default()
    };
    invalid(&m, "memory size must be at most 65536 pages (4GiB)");
    m.mems = vec![mem(2, Some(1))];
    invalid(&m, "size minimum must not be greater than maximum");
    m.mems = vec![mem(1, None), mem(1, None)];
    invalid(&m, "multiple memories");
    m.mems = vec![mem(1, None)];
    m.datas.push(Data {
        init: Cow::Borrowed(b"x"),
        mode: DataMode::Active {
            memory: MemIdx(1),
            offset: expr(&[I::I32Const { value: 0 }, I::End {}]),
        },
    });
    invalid(&m, "unknown memory 1");
    let mut m = func_module(ft(&[I32], &[]), &[], &[I::End {}]);
    m.start = Some(FuncIdx(0));
    invalid(&m, "start function");
    m.start = Some(FuncIdx(3));
    invalid(&m, "unknown function 3");
    m.start = None;
    m.funcs[0] = TypeIdx(9);
    invalid(&m, "unknown type");
}

/// Errors about a field as a whole name the field (the caller finds its
/// offset or its line and column); errors at an instruction keep their
/// offset and name none.
#[test]
fn module_level_errors_name_their_field() {
    let field = |m: &Module<'_>| check(m).unwrap_err().field;
    let mut m = func_module(ft(&[], &[]), &[], &[I::End {}]);
    let export = |name: &'static str, f| Export {
        name: Cow::Borrowed(name),
        desc: ExportDesc::Func(FuncIdx(f)),
    };
    m.exports = vec![export("a", 0), export("b", 5)];
    assert_eq!(field(&m), Some(ModuleField::Export(1)));
    m.exports = vec![export("a", 0), export("b", 0), export("a", 0)];
    assert_eq!(field(&m), Some(ModuleField::Export(2)));
    m.exports.clear();
    m.start = Some(FuncIdx(4));
    assert_eq!(field(&m), Some(ModuleField::Start));
    m.start = None;
    m.datas.push(Data {
        init: Cow::Borrowed(b"x"),
        mode: DataMode::Active {
            memory: MemIdx(3),
            offset: expr(&[I::I32Const { value: 0 }, I::End {}]),
        },
    });
    assert_eq!(field(&m), Some(ModuleField::Data(0)));
    m.datas.clear();
    m.code[0].body = expr(&[I::I32Const { value: 0 }, I::End {}]);
    let e = check(&m).unwrap_err();
    assert_eq!((e.field, e.offset.is_some()), (None, true), "{e}");
}

#[test]
fn element_segments() {
    let mut m = func_module(ft(&[], &[]), &[], &[I::End {}]);
    m.tables
        .push(TableType::new(RefType::EXTERNREF, Limits { min: 1, max: None }).into());
    m.elems.push(Elem {
        ty: RefType::FUNCREF,
        items: ElemItems::Funcs(vec![FuncIdx(0)]),
        mode: ElemMode::Active {
            table: TableIdx(0),
            offset: expr(&[I::I32Const { value: 0 }, I::End {}]),
        },
    });
    invalid(&m, "type mismatch");
    m.tables[0].ty.elem = RefType::FUNCREF;
    check(&m).unwrap();
    m.elems[0].items = ElemItems::Funcs(vec![FuncIdx(7)]);
    invalid(&m, "unknown function 7");
}

#[test]
fn malformed_bodies() {
    // `else` without `if`.
    let m = func_module(ft(&[], &[]), &[], &[I::Else {}, I::End {}]);
    malformed(&m, "END opcode expected");
    // Missing final `end` in the last body of the module.
    let m = func_module(ft(&[], &[]), &[], &[I::Nop {}]);
    malformed(&m, "unexpected end of section or function");
    // Bytes after the final `end`.
    let m = func_module(ft(&[], &[]), &[], &[I::End {}, I::Nop {}]);
    malformed(&m, "section size mismatch");
    // Illegal opcode.
    let mut m = func_module(ft(&[], &[]), &[], &[I::End {}]);
    m.code[0].body.bytes = Cow::Borrowed(&[0x06, 0x0B]);
    malformed(&m, "illegal opcode 06");
    // data.drop without a data count section.
    let mut m = func_module(
        ft(&[], &[]),
        &[],
        &[I::DataDrop { data: DataIdx(0) }, I::End {}],
    );
    m.datas.push(Data {
        init: Cow::Borrowed(b""),
        mode: DataMode::Passive,
    });
    malformed(&m, "data count section required");
    m.data_count = Some(1);
    check(&m).unwrap();
}

#[test]
fn malformed_wins_over_invalid() {
    // Function 0 has a type error, function 1 an illegal opcode.
    let mut m = func_module(ft(&[], &[]), &[], &[I::I32Add {}, I::End {}]);
    m.funcs.push(TypeIdx(0));
    m.code.push(Code {
        locals: vec![],
        body: Expr {
            bytes: Cow::Borrowed(&[0x01, 0xFF, 0x0B]),
            offset: 200,
        },
    });
    let e = check(&m).unwrap_err();
    assert!(e.malformed);
    assert_eq!(e.message, "illegal opcode ff");
    assert_eq!(e.offset, Some(201));
}

#[test]
fn typed_select_arity_is_invalid() {
    let mut m = func_module(ft(&[], &[]), &[], &[I::End {}]);
    // i32.const 0 ×3, select (result i32 i32), drop, end
    m.code[0].body.bytes = Cow::Owned(vec![
        0x41, 0, 0x41, 0, 0x41, 0, 0x1C, 2, 0x7F, 0x7F, 0x1A, 0x0B,
    ]);
    invalid(&m, "invalid result arity");
}

#[test]
fn many_locals() {
    let mut m = func_module(
        ft(&[I32], &[]),
        &[],
        &[
            I::LocalGet {
                local: LocalIdx(100_000),
            },
            I::Drop {},
            I::End {},
        ],
    );
    m.code[0].locals = vec![
        Locals {
            count: 50_000,
            ty: I32,
        },
        Locals {
            count: 60_000,
            ty: I64,
        },
    ];
    check(&m).unwrap();
    m.code[0].body = expr(&[
        I::LocalGet {
            local: LocalIdx(110_001),
        },
        I::Drop {},
        I::End {},
    ]);
    invalid(&m, "unknown local 110001");
    m.code[0].locals = vec![
        Locals {
            count: u32::MAX,
            ty: I32,
        },
        Locals { count: 2, ty: I64 },
    ];
    malformed(&m, "too many locals");
}

/// A constant expression with a huge stack gives a short message.
#[test]
fn const_expr_type_mismatch_message_is_short() {
    let mut init = vec![I::I32Const { value: 0 }; 100_000];
    init.push(I::End {});
    let m = Module {
        globals: vec![Global {
            ty: GlobalType {
                mutability: Mut::Const,
                content: I32,
            },
            init: expr(&init),
        }],
        ..Module::default()
    };
    let e = check(&m).unwrap_err();
    assert!(
        e.message.starts_with(
            "type mismatch: constant expression must have type [i32] but has [i32 i32"
        ),
        "{e}"
    );
    assert!(e.message.ends_with("... 99984 more]"), "{e}");
    assert!(e.message.len() < 200, "{} bytes", e.message.len());
}
