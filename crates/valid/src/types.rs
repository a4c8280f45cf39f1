//! Operand types as the validator tracks them, and the type pool.
//!
//! The operand stack holds [`OpType`]s: four bytes each, with `Unknown` for
//! the bottom type that pops out of an unreachable stack (spec appendix,
//! "Validation Algorithm"). Every type list the validator needs (function
//! parameters and results, block types) is a [`Span`] into one pool of
//! `OpType`s built once per module, so that control frames are plain `Copy`
//! data and no instruction allocates.

use std::fmt;
use weft_syntax::{AddrType, HeapType};

/// A value type on the operand stack, or `UNKNOWN` (appendix: `Unknown`),
/// packed in a `u32` so that the equality fast path of every pop is one
/// integer compare:
///
/// - `0..=4`: `i32`, `i64`, `f32`, `f64`, `v128`; `7`: `UNKNOWN`;
/// - a reference: bit 31 set, bit 30 set if nullable, and the heap type
///   in the low bits ([`Heap`]).
///
/// A concrete heap type holds the *canonical* index of its type (the first
/// index of an equivalent type, see `subtyping`), so that equal `OpType`s
/// are equivalent types (§3.3.2 type equivalence) and the fast path needs
/// no type lookups; subtyping is the slow path (`Types::matches`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub(crate) struct OpType(u32);

/// A heap type as `OpType` packs it: the abstract ones by a small code
/// (and `BOT`, the appendix's bottom heap type of a reference popped from
/// an unreachable stack), concrete ones as `CONCRETE + canonical index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Heap(pub u32);

impl Heap {
    pub(crate) const FUNC: Heap = Heap(0);
    pub(crate) const EXTERN: Heap = Heap(1);
    pub(crate) const ANY: Heap = Heap(2);
    pub(crate) const EQ: Heap = Heap(3);
    pub(crate) const I31: Heap = Heap(4);
    pub(crate) const STRUCT: Heap = Heap(5);
    pub(crate) const ARRAY: Heap = Heap(6);
    pub(crate) const EXN: Heap = Heap(7);
    pub(crate) const NONE: Heap = Heap(8);
    pub(crate) const NOFUNC: Heap = Heap(9);
    pub(crate) const NOEXTERN: Heap = Heap(10);
    pub(crate) const NOEXN: Heap = Heap(11);
    pub(crate) const BOT: Heap = Heap(12);
    /// The first concrete code.
    const CONCRETE: u32 = 16;
    /// The bit that marks a concrete heap type exact (custom descriptors),
    /// above every canonical index (see [`Heap::concrete`]).
    const EXACT: u32 = 1 << 29;

    /// An abstract heap type's code; `None` for a concrete one.
    pub(crate) fn of_abstract(h: HeapType) -> Option<Heap> {
        Some(match h {
            HeapType::Func => Heap::FUNC,
            HeapType::Extern => Heap::EXTERN,
            HeapType::Any => Heap::ANY,
            HeapType::Eq => Heap::EQ,
            HeapType::I31 => Heap::I31,
            HeapType::Struct => Heap::STRUCT,
            HeapType::Array => Heap::ARRAY,
            HeapType::Exn => Heap::EXN,
            HeapType::None => Heap::NONE,
            HeapType::NoFunc => Heap::NOFUNC,
            HeapType::NoExtern => Heap::NOEXTERN,
            HeapType::NoExn => Heap::NOEXN,
            HeapType::Concrete(_)
            | HeapType::Exact(_)
            | HeapType::Rec(_)
            | HeapType::RecExact(_) => return None,
        })
    }

    /// The concrete heap type of canonical type index `canon`. Type
    /// indices are below the number of types, which a module of less than
    /// 4 GiB keeps far below 2^28.
    pub(crate) fn concrete(canon: u32) -> Heap {
        // Below 2^28, so that the sum stays below the exact bit.
        Heap(Heap::CONCRETE + (canon & ((Heap::EXACT >> 1) - 1)))
    }

    /// The exact concrete heap type of canonical type index `canon`.
    pub(crate) fn exact(canon: u32) -> Heap {
        Heap(Heap::concrete(canon).0 | Heap::EXACT)
    }

    /// The canonical type index of a concrete heap type, exact or not.
    pub(crate) fn type_index(self) -> Option<u32> {
        (self.0 & !Heap::EXACT).checked_sub(Heap::CONCRETE)
    }

    /// Whether this is an exact concrete heap type.
    pub(crate) fn is_exact(self) -> bool {
        self.0 & Heap::EXACT != 0
    }

    /// The heap type without its exactness.
    pub(crate) fn inexact(self) -> Heap {
        Heap(self.0 & !Heap::EXACT)
    }

    /// The exact form of a concrete heap type (an abstract one unchanged).
    pub(crate) fn to_exact(self) -> Heap {
        match self.type_index() {
            Some(_) => Heap(self.0 | Heap::EXACT),
            None => self,
        }
    }
}

impl OpType {
    pub(crate) const I32: OpType = OpType(0);
    pub(crate) const I64: OpType = OpType(1);
    pub(crate) const F32: OpType = OpType(2);
    pub(crate) const F64: OpType = OpType(3);
    pub(crate) const V128: OpType = OpType(4);
    pub(crate) const UNKNOWN: OpType = OpType(7);
    pub(crate) const FUNCREF: OpType = OpType::reference(true, Heap::FUNC);
    pub(crate) const EXTERNREF: OpType = OpType::reference(true, Heap::EXTERN);

    const REF: u32 = 1 << 31;
    const NULLABLE: u32 = 1 << 30;
    const HEAP_MASK: u32 = OpType::NULLABLE - 1;

    /// The types every pool starts with, so that a one-type list of one of
    /// them needs no entry of its own (see [`Pool::single`]).
    const PREFIX: [OpType; 8] = [
        OpType::I32,
        OpType::I64,
        OpType::F32,
        OpType::F64,
        OpType::V128,
        OpType::FUNCREF,
        OpType::EXTERNREF,
        OpType::UNKNOWN,
    ];

    /// A reference type.
    #[inline]
    pub(crate) const fn reference(nullable: bool, heap: Heap) -> OpType {
        OpType(OpType::REF | if nullable { OpType::NULLABLE } else { 0 } | heap.0)
    }

    /// The nullability and heap type of a reference type.
    #[inline]
    pub(crate) fn as_ref(self) -> Option<(bool, Heap)> {
        if self.0 & OpType::REF == 0 {
            return None;
        }
        Some((
            self.0 & OpType::NULLABLE != 0,
            Heap(self.0 & OpType::HEAP_MASK),
        ))
    }

    /// Whether this is a non-nullable reference, whose locals must be
    /// set before they are read (§3.4.1, non-defaultable types).
    #[inline(always)]
    pub(crate) fn is_non_null_ref(self) -> bool {
        self.0 & (OpType::REF | OpType::NULLABLE) == OpType::REF
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

    /// Numeric or `Unknown` (appendix: `is_num`).
    #[inline]
    pub(crate) fn is_num(self) -> bool {
        self.0 <= OpType::F64.0 || self == OpType::UNKNOWN
    }

    /// Vector or `Unknown` (appendix: `is_vec`).
    #[inline]
    pub(crate) fn is_vec(self) -> bool {
        self == OpType::V128 || self == OpType::UNKNOWN
    }

    /// Reference or `Unknown` (appendix: `is_ref`).
    #[inline]
    pub(crate) fn is_ref(self) -> bool {
        self.0 & OpType::REF != 0 || self == OpType::UNKNOWN
    }
}

impl fmt::Display for Heap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 13] = [
            "func", "extern", "any", "eq", "i31", "struct", "array", "exn", "none", "nofunc",
            "noextern", "noexn", "bot",
        ];
        match self.type_index() {
            Some(t) if self.is_exact() => write!(f, "(exact {t})"),
            Some(t) => write!(f, "{t}"),
            None => f.write_str(NAMES.get(self.0 as usize).copied().unwrap_or("?")),
        }
    }
}

impl fmt::Display for OpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((nullable, heap)) = self.as_ref() {
            return match (nullable, heap.type_index()) {
                (true, None) if heap.0 < Heap::NONE.0 => write!(f, "{heap}ref"),
                (true, _) => write!(f, "(ref null {heap})"),
                (false, _) => write!(f, "(ref {heap})"),
            };
        }
        f.write_str(match *self {
            OpType::I32 => "i32",
            OpType::I64 => "i64",
            OpType::F32 => "f32",
            OpType::F64 => "f64",
            OpType::V128 => "v128",
            _ => "unknown",
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

    /// The one-type list `[t]` of a type at the start of every pool.
    #[inline]
    fn prefix(t: OpType) -> Option<Span> {
        let start = match t {
            OpType::FUNCREF => 5,
            OpType::EXTERNREF => 6,
            t if t.0 < OpType::PREFIX.len() as u32 => t.0,
            _ => return None,
        };
        Some(Span { start, len: 1 })
    }
}

/// A function type as two spans of the pool.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sig {
    pub params: Span,
    pub results: Span,
}

/// The pool of type lists.
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    types: Vec<OpType>,
}

impl Pool {
    /// A pool holding only the single-type lists of [`OpType::PREFIX`].
    pub(crate) fn new() -> Pool {
        Pool {
            types: OpType::PREFIX.to_vec(),
        }
    }

    /// Makes this pool a copy of `other`, reusing its allocation.
    pub(crate) fn copy_from(&mut self, other: &Pool) {
        self.types.clear();
        self.types.extend_from_slice(&other.types);
    }

    /// The list `[t]`, appended unless it is one of the prefix.
    #[inline]
    pub(crate) fn single(&mut self, t: OpType) -> Span {
        match Span::prefix(t) {
            Some(s) => s,
            None => self.add(&[t]),
        }
    }

    /// Appends a list and returns its span.
    pub(crate) fn add(&mut self, ts: &[OpType]) -> Span {
        if let [t] = ts {
            if let Some(s) = Span::prefix(*t) {
                return s;
            }
        }
        // The pool holds at most as many entries as the module has bytes,
        // so it fits in `u32` for any module smaller than 4 GiB; larger
        // pools saturate and only spoil error messages, never memory safety
        // (lookups use `get`).
        let start = u32::try_from(self.types.len()).unwrap_or(u32::MAX);
        self.types.extend_from_slice(ts);
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

    /// Type `i` of span `s` (which must hold it).
    #[inline(always)]
    pub(crate) fn at(&self, s: Span, i: u32) -> OpType {
        self.types
            .get((s.start + i) as usize)
            .copied()
            .unwrap_or(OpType::UNKNOWN)
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
