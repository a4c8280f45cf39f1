//! Printing one instruction (§6.5), generated from the instruction table:
//! the mnemonic, then each immediate printed according to its type through
//! [`PrintImm`]. Only the rows whose immediates are written in a different
//! order (or partly omitted) in the text format are special-cased.
//!
//! The same table gives the operand arity the folded printer needs: rows with
//! a signature class count their parameters and results, `custom` rows are
//! listed by hand in [`custom_arity!`], so that a new custom row that is not
//! listed there fails to compile.

use super::float::{write_f32, write_f64};
use std::fmt::Write;
use weft_syntax::{
    BlockType, BrTable, CastFlags, Catch, Catches, DataIdx, ElemIdx, FieldIdx, FuncIdx, FuncType,
    GlobalIdx, HeapType, Instr, LabelIdx, LaneIdx, LocalIdx, MemArg, MemIdx, RefType, ShuffleLanes,
    TableIdx, TagIdx, TypeIdx, ValType, ZeroByte, F32, F64, V128,
};

/// Names to use for indices: `(index, "$id")` pairs sorted by index, one
/// table per index space. Indices without an entry are printed as numbers.
#[derive(Clone, Copy, Default)]
pub(crate) struct Idents<'a> {
    pub funcs: &'a [(u32, String)],
    pub locals: &'a [(u32, String)],
    pub tables: &'a [(u32, String)],
    pub memories: &'a [(u32, String)],
    pub globals: &'a [(u32, String)],
    pub elems: &'a [(u32, String)],
    pub datas: &'a [(u32, String)],
    pub tags: &'a [(u32, String)],
    /// The function's labels by label index (the order of the structured
    /// instructions in the body, as the name section numbers them).
    pub labels: &'a [(u32, String)],
}

/// Writes a structured instruction (`block`, `loop`, `if`, `try_table`,
/// `try`) with its label's `$id`, if the name section gives label index
/// `ordinal` one: `block $l (result i32)`.
pub(crate) fn write_block_instr(
    instr: &Instr<'_>,
    idents: Idents<'_>,
    ordinal: u32,
    out: &mut String,
) {
    let Some(id) = lookup(idents.labels, ordinal) else {
        return write_instr(instr, idents, out);
    };
    let mut s = String::new();
    write_instr(instr, idents, &mut s);
    let mnemonic = instr.mnemonic();
    out.push_str(mnemonic);
    out.push(' ');
    out.push_str(id);
    out.push_str(s.get(mnemonic.len()..).unwrap_or(""));
}

/// Writes ` $id` for index `i` if it has one, else ` i`.
fn write_ref(out: &mut String, table: &[(u32, String)], i: u32) {
    match lookup(table, i) {
        Some(id) => {
            out.push(' ');
            out.push_str(id);
        }
        None => {
            let _ = write!(out, " {i}");
        }
    }
}

/// Index immediates printed by name where the space has one.
macro_rules! named_imms {
    ($($t:ty => $space:ident),* $(,)?) => {$(
        impl PrintImm for $t {
            fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
                write_ref(p.out, p.idents.$space, self.0);
            }
        }
    )*};
}
named_imms!(
    FuncIdx => funcs,
    LocalIdx => locals,
    TableIdx => tables,
    GlobalIdx => globals,
    ElemIdx => elems,
    DataIdx => datas,
    TagIdx => tags,
);

fn lookup(table: &[(u32, String)], i: u32) -> Option<&str> {
    table
        .binary_search_by_key(&i, |(k, _)| *k)
        .ok()
        .and_then(|at| table.get(at))
        .map(|(_, s)| s.as_str())
}

/// Where an immediate is printed, and what it needs to know.
pub(crate) struct ImmOut<'o, 'a> {
    pub out: &'o mut String,
    pub idents: Idents<'a>,
    /// Natural alignment exponent of a memory access (from the row's
    /// signature class), so that `align=` is printed only when it differs.
    pub natural_align: Option<u32>,
}

/// How an immediate is written after the mnemonic. Every implementation
/// writes a leading space before each token it prints.
pub(crate) trait PrintImm {
    fn print_imm(&self, p: &mut ImmOut<'_, '_>);
}

macro_rules! numeric_imms {
    ($($t:ty),*) => {$(
        impl PrintImm for $t {
            fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
                let _ = write!(p.out, " {}", self);
            }
        }
    )*};
}
numeric_imms!(LabelIdx, FieldIdx, u32, i32, i64, HeapType);

impl PrintImm for Catches<'_> {
    /// `(catch x l)`, `(catch_ref x l)`, `(catch_all l)`, `(catch_all_ref l)`.
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        for c in self.iter() {
            let (kw, tag, label) = match c {
                Catch::One { tag, label } => ("catch", Some(tag), label),
                Catch::OneRef { tag, label } => ("catch_ref", Some(tag), label),
                Catch::All { label } => ("catch_all", None, label),
                Catch::AllRef { label } => ("catch_all_ref", None, label),
            };
            let _ = write!(p.out, " ({kw}");
            if let Some(tag) = tag {
                write_ref(p.out, p.idents.tags, tag.0);
            }
            let _ = write!(p.out, " {label})");
        }
    }
}

impl PrintImm for CastFlags {
    /// Nothing: `br_on_cast` is printed by hand, the flags as the
    /// nullability of its reference types (see `write_instr`).
    fn print_imm(&self, _: &mut ImmOut<'_, '_>) {}
}

impl PrintImm for ZeroByte {
    /// No text form.
    fn print_imm(&self, _: &mut ImmOut<'_, '_>) {}
}

impl PrintImm for LaneIdx {
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        let _ = write!(p.out, " {}", self.0);
    }
}

impl PrintImm for TypeIdx {
    /// A bare type index (`call_ref 3`); the rows that write a type use
    /// (`call_indirect`) are printed by hand.
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        let _ = write!(p.out, " {}", self.0);
    }
}

impl PrintImm for MemIdx {
    /// Memory 0 is the default and is left out.
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        if self.0 != 0 {
            write_ref(p.out, p.idents.memories, self.0);
        }
    }
}

impl PrintImm for BlockType {
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        match self {
            BlockType::Empty => {}
            BlockType::Value(t) => {
                let _ = write!(p.out, " (result {t})");
            }
            BlockType::Func(i) => {
                let _ = write!(p.out, " (type {})", i.0);
            }
        }
    }
}

impl PrintImm for BrTable<'_> {
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        for l in self.labels() {
            let _ = write!(p.out, " {}", l.0);
        }
        let _ = write!(p.out, " {}", self.default.0);
    }
}

impl PrintImm for ValType {
    /// The type of typed `select`.
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        let _ = write!(p.out, " (result {self})");
    }
}

impl PrintImm for MemArg {
    /// `offset=` and `align=` only where they differ from the defaults
    /// (0 and the natural alignment).
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        if self.memory.0 != 0 {
            write_ref(p.out, p.idents.memories, self.memory.0);
        }
        if self.offset != 0 {
            let _ = write!(p.out, " offset={}", self.offset);
        }
        if p.natural_align != Some(self.align) {
            match 1u64.checked_shl(self.align) {
                Some(bytes) => {
                    let _ = write!(p.out, " align={bytes}");
                }
                // Not expressible in the text format.
                None => {
                    let _ = write!(p.out, " (; align=2**{} ;)", self.align);
                }
            }
        }
    }
}

impl PrintImm for F32 {
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        p.out.push(' ');
        write_f32(p.out, self.0);
    }
}

impl PrintImm for F64 {
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        p.out.push(' ');
        write_f64(p.out, self.0);
    }
}

impl PrintImm for V128 {
    /// Four `i32` lanes in hexadecimal.
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        p.out.push_str(" i32x4");
        for lane in self.0.chunks_exact(4) {
            let v = u32::from_le_bytes([lane[0], lane[1], lane[2], lane[3]]);
            let _ = write!(p.out, " 0x{v:08x}");
        }
    }
}

impl PrintImm for ShuffleLanes {
    fn print_imm(&self, p: &mut ImmOut<'_, '_>) {
        for l in self.0 {
            let _ = write!(p.out, " {l}");
        }
    }
}

/// The natural alignment exponent named by a signature class, if any.
macro_rules! natural_align {
    ((mem $a:literal : $($t:tt)*)) => {
        Some($a)
    };
    ((atomic $a:literal : $($t:tt)*)) => {
        Some($a)
    };
    ((memlane $a:literal $n:literal : $($t:tt)*)) => {
        Some($a)
    };
    ($other:tt) => {
        None
    };
}

macro_rules! one {
    ($t:tt) => {
        1
    };
}

/// `(params, results)` of a signature class other than `custom`.
macro_rules! sig_arity {
    ((mem $a:literal : $($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
    ((memlane $a:literal $n:literal : $($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
    ((atomic $a:literal : $($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
    ((lane $n:literal : $($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
    ((ref: $($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
    ((array $($c:ident)* : $($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
    ((field $($c:ident)* : $($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
    (($($p:ident)* -> $($r:ident)*)) => {
        Some((0 $(+ one!($p))*, 0 $(+ one!($r))*))
    };
}

/// What the arity of a `custom` row depends on.
pub(crate) trait ArityCx {
    /// Number of values a branch to this label carries.
    fn label_arity(&self, l: LabelIdx) -> Option<u32>;
    /// The type of a function.
    fn func_type(&self, f: FuncIdx) -> Option<&FuncType>;
    /// A type of the type section.
    fn type_at(&self, t: TypeIdx) -> Option<&FuncType>;
    /// Number of results of the function being printed.
    fn return_arity(&self) -> Option<u32>;
    /// Number of fields of a struct type.
    fn field_count(&self, t: TypeIdx) -> Option<u32>;
}

fn type_arity(t: Option<&FuncType>, extra_params: u32) -> Option<(u32, u32)> {
    let t = t?;
    let p = u32::try_from(t.params.len()).ok()?;
    let r = u32::try_from(t.results.len()).ok()?;
    Some((p.checked_add(extra_params)?, r))
}

/// The arity of each `custom` row, by variant name. Structured control
/// (`block`, `loop`, `if`, `else`, `end`) is handled by the folder itself
/// and has none here.
macro_rules! custom_arity {
    (Unreachable $cx:ident) => {
        Some((0, 0))
    };
    (Block $cx:ident $bt:ident) => {
        None
    };
    (Loop $cx:ident $bt:ident) => {
        None
    };
    (If $cx:ident $bt:ident) => {
        None
    };
    (Else $cx:ident) => {
        None
    };
    (TryTable $cx:ident $bt:ident $catches:ident) => {
        None
    };
    (Try $cx:ident $bt:ident) => {
        None
    };
    (Catch $cx:ident $tag:ident) => {
        None
    };
    (CatchAll $cx:ident) => {
        None
    };
    (Delegate $cx:ident $label:ident) => {
        None
    };
    // The payload's arity is the tag's, which the printer does not track:
    // operands are not folded into `throw`.
    (Throw $cx:ident $tag:ident) => {
        None
    };
    (ThrowRef $cx:ident) => {
        Some((1, 0))
    };
    (Rethrow $cx:ident $label:ident) => {
        Some((0, 0))
    };
    (End $cx:ident) => {
        None
    };
    (Br $cx:ident $label:ident) => {
        $cx.label_arity(*$label).map(|a| (a, 0))
    };
    (BrIf $cx:ident $label:ident) => {
        $cx.label_arity(*$label)
            .and_then(|a| Some((a.checked_add(1)?, a)))
    };
    (BrTable $cx:ident $targets:ident) => {
        $cx.label_arity($targets.default)
            .and_then(|a| Some((a.checked_add(1)?, 0)))
    };
    (Return $cx:ident) => {
        $cx.return_arity().map(|a| (a, 0))
    };
    (Call $cx:ident $func:ident) => {
        type_arity($cx.func_type(*$func), 0)
    };
    (CallIndirect $cx:ident $ty:ident $table:ident) => {
        type_arity($cx.type_at(*$ty), 1)
    };
    (ReturnCall $cx:ident $func:ident) => {
        type_arity($cx.func_type(*$func), 0).map(|(p, _)| (p, 0))
    };
    (ReturnCallIndirect $cx:ident $ty:ident $table:ident) => {
        type_arity($cx.type_at(*$ty), 1).map(|(p, _)| (p, 0))
    };
    (CallRef $cx:ident $ty:ident) => {
        type_arity($cx.type_at(*$ty), 1)
    };
    (ReturnCallRef $cx:ident $ty:ident) => {
        type_arity($cx.type_at(*$ty), 1).map(|(p, _)| (p, 0))
    };
    (RefAsNonNull $cx:ident) => {
        Some((1, 1))
    };
    (BrOnNull $cx:ident $label:ident) => {
        $cx.label_arity(*$label)
            .and_then(|a| Some((a.checked_add(1)?, a.checked_add(1)?)))
    };
    (BrOnNonNull $cx:ident $label:ident) => {
        $cx.label_arity(*$label)
            .and_then(|a| Some((a, a.checked_sub(1)?)))
    };
    (StructNew $cx:ident $ty:ident) => {
        $cx.field_count(*$ty).map(|n| (n, 1))
    };
    (StructNewDefault $cx:ident $ty:ident) => {
        Some((0, 1))
    };
    (StructNewDesc $cx:ident $ty:ident) => {
        $cx.field_count(*$ty).map(|n| (n + 1, 1))
    };
    (StructNewDefaultDesc $cx:ident $ty:ident) => {
        Some((1, 1))
    };
    (RefGetDesc $cx:ident $ty:ident) => {
        Some((1, 1))
    };
    (RefCastDescEq $cx:ident $ty:ident) => {
        Some((2, 1))
    };
    (RefCastDescEqNull $cx:ident $ty:ident) => {
        Some((2, 1))
    };
    (BrOnCastDescEq $cx:ident $flags:ident $label:ident $from:ident $to:ident) => {
        $cx.label_arity(*$label).map(|a| (a + 1, a))
    };
    (BrOnCastDescEqFail $cx:ident $flags:ident $label:ident $from:ident $to:ident) => {
        $cx.label_arity(*$label).map(|a| (a + 1, a))
    };
    (ArrayNewFixed $cx:ident $ty:ident $len:ident) => {
        Some((*$len, 1))
    };
    (ArrayCopy $cx:ident $dst:ident $src:ident) => {
        Some((5, 0))
    };
    (RefTest $cx:ident $ty:ident) => {
        Some((1, 1))
    };
    (RefTestNull $cx:ident $ty:ident) => {
        Some((1, 1))
    };
    (RefCast $cx:ident $ty:ident) => {
        Some((1, 1))
    };
    (RefCastNull $cx:ident $ty:ident) => {
        Some((1, 1))
    };
    (BrOnCast $cx:ident $flags:ident $label:ident $from:ident $to:ident) => {
        $cx.label_arity(*$label).map(|a| (a, a))
    };
    (BrOnCastFail $cx:ident $flags:ident $label:ident $from:ident $to:ident) => {
        $cx.label_arity(*$label).map(|a| (a, a))
    };
    (AnyConvertExtern $cx:ident) => {
        Some((1, 1))
    };
    (ExternConvertAny $cx:ident) => {
        Some((1, 1))
    };
    (Drop $cx:ident) => {
        Some((1, 0))
    };
    (Select $cx:ident) => {
        Some((3, 1))
    };
    (TypedSelect $cx:ident $ty:ident) => {
        Some((3, 1))
    };
    (LocalGet $cx:ident $local:ident) => {
        Some((0, 1))
    };
    (LocalSet $cx:ident $local:ident) => {
        Some((1, 0))
    };
    (LocalTee $cx:ident $local:ident) => {
        Some((1, 1))
    };
    (GlobalGet $cx:ident $global:ident) => {
        Some((0, 1))
    };
    (GlobalSet $cx:ident $global:ident) => {
        Some((1, 0))
    };
    (TableGet $cx:ident $table:ident) => {
        Some((1, 1))
    };
    (TableSet $cx:ident $table:ident) => {
        Some((2, 0))
    };
    (MemorySize $cx:ident $mem:ident) => {
        Some((0, 1))
    };
    (MemoryGrow $cx:ident $mem:ident) => {
        Some((1, 1))
    };
    (RefNull $cx:ident $ty:ident) => {
        Some((0, 1))
    };
    (RefIsNull $cx:ident) => {
        Some((1, 1))
    };
    (RefFunc $cx:ident $func:ident) => {
        Some((0, 1))
    };
    (MemoryInit $cx:ident $data:ident $mem:ident) => {
        Some((3, 0))
    };
    (DataDrop $cx:ident $data:ident) => {
        Some((0, 0))
    };
    (MemoryCopy $cx:ident $dst:ident $src:ident) => {
        Some((3, 0))
    };
    (MemoryFill $cx:ident $mem:ident) => {
        Some((3, 0))
    };
    (TableInit $cx:ident $elem:ident $table:ident) => {
        Some((3, 0))
    };
    (ElemDrop $cx:ident $elem:ident) => {
        Some((0, 0))
    };
    (TableCopy $cx:ident $dst:ident $src:ident) => {
        Some((3, 0))
    };
    (TableGrow $cx:ident $table:ident) => {
        Some((2, 1))
    };
    (TableSize $cx:ident $table:ident) => {
        Some((0, 1))
    };
    (TableFill $cx:ident $table:ident) => {
        Some((3, 0))
    };
    (I8x16Shuffle $cx:ident $lanes:ident) => {
        Some((2, 1))
    };
}

macro_rules! arity_arm {
    ((custom) $variant:ident $cx:ident $($field:ident)*) => {
        custom_arity!($variant $cx $($field)*)
    };
    ($sig:tt $variant:ident $cx:ident $($field:ident)*) => {
        sig_arity!($sig)
    };
}

macro_rules! define_print {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// Writes the mnemonic and the immediates of every row in table
        /// order, each immediate through its [`PrintImm`] implementation.
        fn write_generic<'a>(instr: &Instr<'a>, idents: Idents<'_>, out: &mut String) {
            match instr {
                $( Instr::$variant { $($field),* } => {
                    out.push_str($name);
                    #[allow(unused_mut, unused_variables)] // rows without immediates
                    let mut p = ImmOut {
                        out,
                        idents,
                        natural_align: natural_align!($sig),
                    };
                    $( <$ty as PrintImm>::print_imm($field, &mut p); )*
                } )*
            }
        }

        /// `(operands popped, results pushed)`, where known.
        pub(crate) fn arity<'a>(instr: &Instr<'a>, cx: &dyn ArityCx) -> Option<(u32, u32)> {
            match instr {
                $( Instr::$variant { $($field),* } => {
                    $( let _ = $field; )*
                    arity_arm!($sig $variant cx $($field)*)
                } )*
            }
        }
    };
}

weft_syntax::for_each_instr!(define_print);

/// Appends the text of one instruction (mnemonic and immediates, no
/// parentheses) in the flat syntax.
pub(crate) fn write_instr(instr: &Instr<'_>, idents: Idents<'_>, out: &mut String) {
    // The text format writes these immediates in another order than the
    // binary format, or leaves out a default table or memory in front.
    match *instr {
        Instr::CallIndirect { ty, table } | Instr::ReturnCallIndirect { ty, table } => {
            out.push_str(instr.mnemonic());
            if table.0 != 0 {
                write_ref(out, idents.tables, table.0);
            }
            let _ = write!(out, " (type {})", ty.0);
        }
        Instr::MemoryInit { data, mem } => {
            out.push_str("memory.init");
            if mem.0 != 0 {
                write_ref(out, idents.memories, mem.0);
            }
            write_ref(out, idents.datas, data.0);
        }
        Instr::MemoryCopy { dst, src } => {
            out.push_str("memory.copy");
            if dst.0 != 0 || src.0 != 0 {
                write_ref(out, idents.memories, dst.0);
                write_ref(out, idents.memories, src.0);
            }
        }
        Instr::RefTest { ty } | Instr::RefCast { ty } | Instr::RefCastDescEq { ty } => {
            let _ = write!(out, "{} {}", instr.mnemonic(), RefType::non_null(ty));
        }
        Instr::RefTestNull { ty } | Instr::RefCastNull { ty } | Instr::RefCastDescEqNull { ty } => {
            let _ = write!(out, "{} {}", instr.mnemonic(), RefType::null(ty));
        }
        Instr::BrOnCast {
            flags,
            label,
            from,
            to,
        }
        | Instr::BrOnCastFail {
            flags,
            label,
            from,
            to,
        }
        | Instr::BrOnCastDescEq {
            flags,
            label,
            from,
            to,
        }
        | Instr::BrOnCastDescEqFail {
            flags,
            label,
            from,
            to,
        } => {
            let from = RefType {
                nullable: flags.from_nullable(),
                heap: from,
            };
            let to = RefType {
                nullable: flags.to_nullable(),
                heap: to,
            };
            let _ = write!(out, "{} {} {from} {to}", instr.mnemonic(), label.0);
        }
        Instr::TableInit { elem, table } => {
            out.push_str("table.init");
            if table.0 != 0 {
                write_ref(out, idents.tables, table.0);
            }
            write_ref(out, idents.elems, elem.0);
        }
        // Every other row: generated, exhaustive over the table.
        _ => write_generic(instr, idents, out),
    }
}
