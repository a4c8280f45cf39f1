//! Types (§2.3).

use crate::TypeIdx;
use std::fmt;

/// Number types (§2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumType {
    I32,
    I64,
    F32,
    F64,
}

/// The heap type a reference points to. Wasm 2.0 has only the two abstract
/// types; 3.0 adds more abstract types and concrete (indexed) ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Functions.
    Func,
    /// Host references.
    Extern,
}

/// Reference types (§2.3.3). In 2.0 every reference type is nullable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether `null` is a member of the type.
    pub nullable: bool,
    /// The referenced heap type.
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`, i.e. `(ref null func)`.
    pub const FUNCREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Func,
    };
    /// `externref`, i.e. `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Extern,
    };
}

/// Value types (§2.3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    /// 128-bit vectors (§2.3.2).
    V128,
    /// References.
    Ref(RefType),
}

impl ValType {
    /// `funcref`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);

    /// Whether values of this type can be `select`ed without a type
    /// annotation (numeric and vector types, §3.3.4.2).
    pub fn is_num_or_vec(self) -> bool {
        !matches!(self, ValType::Ref(_))
    }
}

impl fmt::Display for ValType {
    /// The text-format spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Ref(r) => return r.fmt(f),
        })
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (false, h) => write!(f, "(ref {h})"),
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeapType::Func => "func",
            HeapType::Extern => "extern",
        })
    }
}

/// Function types (§2.3.6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FuncType {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

impl fmt::Display for FuncType {
    /// `[i32 i32] -> [i64]`, the spec's notation, used in error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, ts: &[ValType]) -> fmt::Result {
            f.write_str("[")?;
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{t}")?;
            }
            f.write_str("]")
        }
        list(f, &self.params)?;
        f.write_str(" -> ")?;
        list(f, &self.results)
    }
}

/// Limits (§2.3.7). Held as `u64` so that 64-bit memories and tables fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

/// Address types (3.0 §2.3.10): the type of addresses into a memory or
/// indices into a table. Wasm 2.0 has only `i32`; memory64 adds `i64`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AddrType {
    #[default]
    I32,
    I64,
}

impl AddrType {
    /// The value type of an address.
    pub fn val_type(self) -> ValType {
        match self {
            AddrType::I32 => ValType::I32,
            AddrType::I64 => ValType::I64,
        }
    }

    /// The smaller of two address types: the type of the length operand of
    /// a copy between a memory (or table) of each type.
    pub fn min(self, other: AddrType) -> AddrType {
        if self == AddrType::I32 || other == AddrType::I32 {
            AddrType::I32
        } else {
            AddrType::I64
        }
    }
}

impl fmt::Display for AddrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.val_type().fmt(f)
    }
}

/// Memory types (§2.3.8): limits in pages, an address type, whether the
/// memory is shared between threads (threads proposal), and the page size
/// as a power of two if the module gave one (custom-page-sizes proposal;
/// kept as written so that encodings round-trip).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemType {
    pub addr: AddrType,
    pub limits: Limits,
    pub shared: bool,
    pub page_size_log2: Option<u32>,
}

impl MemType {
    /// The log2 of the default page size, 64 KiB.
    pub const DEFAULT_PAGE_SIZE_LOG2: u32 = 16;

    /// A Wasm 2.0 memory type: 32-bit, unshared, pages of 64 KiB.
    pub const fn new(limits: Limits) -> MemType {
        MemType {
            addr: AddrType::I32,
            limits,
            shared: false,
            page_size_log2: None,
        }
    }

    /// The log2 of the page size in bytes.
    pub fn page_size_log2(&self) -> u32 {
        self.page_size_log2.unwrap_or(Self::DEFAULT_PAGE_SIZE_LOG2)
    }
}

/// Table types (§2.3.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    pub addr: AddrType,
    pub elem: RefType,
    pub limits: Limits,
}

impl TableType {
    /// A Wasm 2.0 table type (32-bit indices).
    pub const fn new(elem: RefType, limits: Limits) -> TableType {
        TableType {
            addr: AddrType::I32,
            elem,
            limits,
        }
    }
}

/// Mutability of a global (§2.3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mut {
    Const,
    Var,
}

/// Global types (§2.3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub mutability: Mut,
    pub content: ValType,
}

/// The type of a block, loop or if (§2.4.8): no value, one result, or a
/// function type from the type section (multi-value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    Empty,
    Value(ValType),
    Func(TypeIdx),
}

/// External kinds, shared by imports and exports (§2.5.10, §2.5.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
}

impl ExternKind {
    /// The spec's noun for this kind ("function", "table", ...), as used in
    /// error messages such as "unknown function 3".
    pub fn noun(self) -> &'static str {
        match self {
            ExternKind::Func => "function",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
        }
    }
}
