//! Operand types as the validator tracks them, and the type pool.
//!
//! The operand stack holds [`OpType`]s: one byte each, with `Unknown` for
//! the bottom type that pops out of an unreachable stack (spec appendix,
//! "Validation Algorithm"). Every type list the validator needs (function
//! parameters and results, block types) is a [`Span`] into one pool of
//! `OpType`s built once per module, so that control frames are plain `Copy`
//! data and no instruction allocates.

use std::fmt;
use weft_syntax::{AddrType, HeapType, RefType, ValType};

/// A value type on the operand stack, or `Unknown` (appendix: `Unknown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum OpType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    Unknown,
}

impl OpType {
    /// All types in discriminant order; the pool starts with them so that a
    /// single-type list is `Span { start: t as u32, len: 1 }`.
    pub(crate) const ALL: [OpType; 8] = [
        OpType::I32,
        OpType::I64,
        OpType::F32,
        OpType::F64,
        OpType::V128,
        OpType::FuncRef,
        OpType::ExternRef,
        OpType::Unknown,
    ];

    /// The operand type of a value type. Wasm 2.0 has only nullable
    /// references; non-nullable ones are rejected at module level before
    /// they can get here (see `module::check_val_type`).
    #[inline]
    pub(crate) fn of(t: ValType) -> OpType {
        match t {
            ValType::I32 => OpType::I32,
            ValType::I64 => OpType::I64,
            ValType::F32 => OpType::F32,
            ValType::F64 => OpType::F64,
            ValType::V128 => OpType::V128,
            ValType::Ref(r) => OpType::of_ref(r),
        }
    }

    /// The operand type of a reference type.
    #[inline]
    pub(crate) fn of_ref(r: RefType) -> OpType {
        OpType::of_heap(r.heap)
    }

    /// The operand type of an address of type `a`.
    #[inline]
    pub(crate) fn of_addr(a: AddrType) -> OpType {
        match a {
            AddrType::I32 => OpType::I32,
            AddrType::I64 => OpType::I64,
        }
    }

    /// The smaller of two address types (`i32` unless both are `i64`): the
    /// type of the length of a copy between memories or tables.
    #[inline]
    pub(crate) fn min_addr(a: OpType, b: OpType) -> OpType {
        if a == OpType::I64 && b == OpType::I64 {
            OpType::I64
        } else {
            OpType::I32
        }
    }

    /// The operand type of a nullable reference to `h`.
    #[inline]
    pub(crate) fn of_heap(h: HeapType) -> OpType {
        match h {
            HeapType::Func => OpType::FuncRef,
            HeapType::Extern => OpType::ExternRef,
            // Not tracked yet: `module::check_val_type` and
            // `module::check_heap_type` reject these before a body or
            // constant expression is checked, so they never get here.
            HeapType::Any
            | HeapType::Eq
            | HeapType::I31
            | HeapType::Struct
            | HeapType::Array
            | HeapType::Exn
            | HeapType::None
            | HeapType::NoFunc
            | HeapType::NoExtern
            | HeapType::NoExn
            | HeapType::Concrete(_)
            | HeapType::Rec(_) => OpType::Unknown,
        }
    }

    /// Numeric or `Unknown` (appendix: `is_num`).
    #[inline]
    pub(crate) fn is_num(self) -> bool {
        matches!(
            self,
            OpType::I32 | OpType::I64 | OpType::F32 | OpType::F64 | OpType::Unknown
        )
    }

    /// Vector or `Unknown` (appendix: `is_vec`).
    #[inline]
    pub(crate) fn is_vec(self) -> bool {
        matches!(self, OpType::V128 | OpType::Unknown)
    }

    /// Reference or `Unknown` (appendix: `is_ref`).
    #[inline]
    pub(crate) fn is_ref(self) -> bool {
        matches!(self, OpType::FuncRef | OpType::ExternRef | OpType::Unknown)
    }
}

impl fmt::Display for OpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OpType::I32 => "i32",
            OpType::I64 => "i64",
            OpType::F32 => "f32",
            OpType::F64 => "f64",
            OpType::V128 => "v128",
            OpType::FuncRef => "funcref",
            OpType::ExternRef => "externref",
            OpType::Unknown => "unknown",
        })
    }
}

/// A list of types: `len` entries of the pool from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    /// The empty list.
    pub(crate) const EMPTY: Span = Span { start: 0, len: 0 };

    /// The one-type list `[t]`.
    #[inline]
    pub(crate) fn single(t: OpType) -> Span {
        Span {
            start: t as u32,
            len: 1,
        }
    }
}

/// A function type as two spans of the pool.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sig {
    pub params: Span,
    pub results: Span,
}

/// The pool of type lists.
#[derive(Debug)]
pub(crate) struct Pool {
    types: Vec<OpType>,
}

impl Pool {
    /// A pool holding only the single-type lists.
    pub(crate) fn new() -> Pool {
        Pool {
            types: OpType::ALL.to_vec(),
        }
    }

    /// Appends a list and returns its span.
    pub(crate) fn add(&mut self, ts: &[ValType]) -> Span {
        if let [t] = ts {
            return Span::single(OpType::of(*t));
        }
        // The pool holds at most as many entries as the module has bytes,
        // so it fits in `u32` for any module smaller than 4 GiB; larger
        // pools saturate and only spoil error messages, never memory safety
        // (lookups use `get`).
        let start = u32::try_from(self.types.len()).unwrap_or(u32::MAX);
        self.types.extend(ts.iter().map(|&t| OpType::of(t)));
        Span {
            start,
            len: u32::try_from(ts.len()).unwrap_or(u32::MAX),
        }
    }

    /// The types of a span.
    #[inline]
    pub(crate) fn get(&self, s: Span) -> &[OpType] {
        let start = s.start as usize;
        self.types.get(start..start + s.len as usize).unwrap_or(&[])
    }
}

/// At most this many types of a list are spelled out in a message.
const LIST_SHOWN: usize = 16;

/// `[t1 t2]`, the spec's notation for a type list, for error messages.
/// A list longer than [`LIST_SHOWN`] types ends in `... N more`, so that a
/// message stays short however long the list in the input.
pub(crate) fn list(ts: &[OpType]) -> String {
    let mut s = String::from("[");
    for (i, t) in ts.iter().take(LIST_SHOWN).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&t.to_string());
    }
    if ts.len() > LIST_SHOWN {
        s.push_str(&format!(" ... {} more", ts.len() - LIST_SHOWN));
    }
    s.push(']');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut_short() {
        assert_eq!(list(&[]), "[]");
        assert_eq!(list(&[OpType::I32, OpType::F64]), "[i32 f64]");
        let long = vec![OpType::I32; 100_000];
        let m = list(&long);
        assert!(m.ends_with(" i32 ... 99984 more]"), "{m}");
        assert!(m.len() < 100, "{m}");
    }
}
