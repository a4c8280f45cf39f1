//! Types (§2.3).
//!
//! Wasm 3.0 types are recursive: a module's type section is a list of
//! recursion groups ([`RecGroup`]), each a list of [`SubType`]s (a
//! composite type, func, struct or array, with its declared supertypes and
//! whether it is `final`). Every subtype of every group gets the next type
//! index, so that [`Types`] holds them flattened in the type index space
//! and remembers where each group starts. A Wasm 2.0 function type is a
//! final subtype without supertypes in a group of its own.
//!
//! Reference types name a [`HeapType`]: one of the abstract types of the
//! three hierarchies (any/eq/i31/struct/array/none, func/nofunc,
//! extern/noextern, exn/noexn) or a concrete type index. To compare types
//! across modules, a group is *rolled* ([`RecGroup::rolled`]): references
//! into the group itself become [`HeapType::Rec`] (the spec's `rec.i`), and
//! references to earlier types are replaced by whatever identifies those
//! types to the caller (a module-level or engine-wide canonical id), so
//! that two groups are equivalent exactly when their rolled forms are equal.

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

/// Heap types (§2.3.3): abstract ones and concrete (indexed) ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Functions (top of the func hierarchy).
    Func,
    /// Host references (top of the extern hierarchy).
    Extern,
    /// Top of the internal (GC) hierarchy.
    Any,
    /// References that can be compared with `ref.eq`.
    Eq,
    /// Unboxed 31-bit scalars.
    I31,
    /// All structs.
    Struct,
    /// All arrays.
    Array,
    /// Exception references (top of the exn hierarchy).
    Exn,
    /// Bottom of the internal hierarchy.
    None,
    /// Bottom of the func hierarchy.
    NoFunc,
    /// Bottom of the extern hierarchy.
    NoExtern,
    /// Bottom of the exn hierarchy.
    NoExn,
    /// A type defined in the module's type section.
    Concrete(TypeIdx),
    /// `(exact t)` of the custom-descriptors proposal: exactly the defined
    /// type `t`, none of its strict subtypes.
    Exact(TypeIdx),
    /// The `i`th type of the enclosing recursion group (the spec's `rec.i`);
    /// appears only in rolled groups (see [`RecGroup::rolled`]), never in a
    /// decoded or parsed module.
    Rec(u32),
    /// `(exact rec.i)`: the exact form of [`HeapType::Rec`], in rolled
    /// groups only.
    RecExact(u32),
}

impl HeapType {
    /// The abstract heap types with their text names and short-form bytes
    /// (§5.3.3: `absheaptype`), the one list the decoders, encoders, parsers
    /// and printers use.
    pub const ABSTRACT: [(HeapType, &'static str, u8); 12] = [
        (HeapType::NoExn, "noexn", 0x74),
        (HeapType::NoFunc, "nofunc", 0x73),
        (HeapType::NoExtern, "noextern", 0x72),
        (HeapType::None, "none", 0x71),
        (HeapType::Func, "func", 0x70),
        (HeapType::Extern, "extern", 0x6F),
        (HeapType::Any, "any", 0x6E),
        (HeapType::Eq, "eq", 0x6D),
        (HeapType::I31, "i31", 0x6C),
        (HeapType::Struct, "struct", 0x6B),
        (HeapType::Array, "array", 0x6A),
        (HeapType::Exn, "exn", 0x69),
    ];

    /// The abstract heap type whose short-form byte is `b`.
    pub fn from_abstract_byte(b: u8) -> Option<HeapType> {
        HeapType::ABSTRACT
            .iter()
            .find(|(_, _, byte)| *byte == b)
            .map(|(h, _, _)| *h)
    }

    /// The short-form byte of an abstract heap type.
    pub fn abstract_byte(self) -> Option<u8> {
        HeapType::ABSTRACT
            .iter()
            .find(|(h, _, _)| *h == self)
            .map(|(_, _, b)| *b)
    }

    /// The text name of an abstract heap type.
    pub fn abstract_name(self) -> Option<&'static str> {
        HeapType::ABSTRACT
            .iter()
            .find(|(h, _, _)| *h == self)
            .map(|(_, n, _)| *n)
    }

    /// The abstract heap type named `name` in the text format.
    pub fn from_abstract_name(name: &str) -> Option<HeapType> {
        HeapType::ABSTRACT
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(h, _, _)| *h)
    }

    /// The top of an abstract heap type's hierarchy (`any`, `func`, `extern`
    /// or `exn`): null references of one hierarchy are all the same value.
    /// `None` for a concrete type, whose hierarchy its definition decides.
    pub fn abstract_top(self) -> Option<HeapType> {
        use HeapType::*;
        Some(match self {
            Any | Eq | I31 | Struct | Array | None => Any,
            Func | NoFunc => Func,
            Extern | NoExtern => Extern,
            Exn | NoExn => Exn,
            Concrete(_) | Exact(_) | Rec(_) | RecExact(_) => return Option::None,
        })
    }

    /// Whether this is one of the two heap types of Wasm 2.0.
    pub fn is_wasm2(self) -> bool {
        matches!(self, HeapType::Func | HeapType::Extern)
    }

    /// The concrete type index, if any (of an exact type too).
    pub fn type_index(self) -> Option<TypeIdx> {
        match self {
            HeapType::Concrete(t) | HeapType::Exact(t) => Some(t),
            _ => None,
        }
    }

    /// Whether this is an exact heap type (custom descriptors).
    pub fn is_exact(self) -> bool {
        matches!(self, HeapType::Exact(_) | HeapType::RecExact(_))
    }

    /// The heap type without its exactness: `(exact t)` becomes `t`.
    pub fn inexact(self) -> HeapType {
        match self {
            HeapType::Exact(t) => HeapType::Concrete(t),
            HeapType::RecExact(i) => HeapType::Rec(i),
            h => h,
        }
    }

    /// The exact form of a concrete heap type (abstract types have none
    /// and are returned unchanged).
    pub fn exact(self) -> HeapType {
        match self {
            HeapType::Concrete(t) => HeapType::Exact(t),
            HeapType::Rec(i) => HeapType::RecExact(i),
            h => h,
        }
    }
}

/// Reference types (§2.3.3): a heap type, nullable or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether `null` is a member of the type.
    pub nullable: bool,
    /// The referenced heap type.
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`, i.e. `(ref null func)`.
    pub const FUNCREF: RefType = RefType::null(HeapType::Func);
    /// `externref`, i.e. `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::null(HeapType::Extern);

    /// `(ref null heap)`.
    pub const fn null(heap: HeapType) -> RefType {
        RefType {
            nullable: true,
            heap,
        }
    }

    /// `(ref heap)`.
    pub const fn non_null(heap: HeapType) -> RefType {
        RefType {
            nullable: false,
            heap,
        }
    }

    /// The short form's name (`funcref`, `anyref`, `nullref`, ...) of a
    /// nullable abstract reference type, as in §6.4.3.
    pub fn short_name(self) -> Option<&'static str> {
        if !self.nullable {
            return None;
        }
        Some(match self.heap {
            HeapType::Func => "funcref",
            HeapType::Extern => "externref",
            HeapType::Any => "anyref",
            HeapType::Eq => "eqref",
            HeapType::I31 => "i31ref",
            HeapType::Struct => "structref",
            HeapType::Array => "arrayref",
            HeapType::Exn => "exnref",
            HeapType::None => "nullref",
            HeapType::NoFunc => "nullfuncref",
            HeapType::NoExtern => "nullexternref",
            HeapType::NoExn => "nullexnref",
            HeapType::Concrete(_)
            | HeapType::Exact(_)
            | HeapType::Rec(_)
            | HeapType::RecExact(_) => return None,
        })
    }

    /// Whether this is `funcref` or `externref`, the reference types of
    /// Wasm 2.0.
    pub fn is_wasm2(self) -> bool {
        self.nullable && self.heap.is_wasm2()
    }
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

    /// Whether the type is one of Wasm 2.0 (numbers, vectors, `funcref`,
    /// `externref`).
    pub fn is_wasm2(self) -> bool {
        match self {
            ValType::Ref(r) => r.is_wasm2(),
            _ => true,
        }
    }

    /// Whether the type has a default value (§3.2.4 "defaultable"): every
    /// type but non-nullable references.
    pub fn is_defaultable(self) -> bool {
        !matches!(
            self,
            ValType::Ref(RefType {
                nullable: false,
                ..
            })
        )
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
    /// The short form where there is one, else `(ref null? ht)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.short_name() {
            Some(name) => f.write_str(name),
            None if self.nullable => write!(f, "(ref null {})", self.heap),
            None => write!(f, "(ref {})", self.heap),
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Concrete(t) => write!(f, "{t}"),
            HeapType::Exact(t) => write!(f, "(exact {t})"),
            HeapType::Rec(i) => write!(f, "rec.{i}"),
            HeapType::RecExact(i) => write!(f, "(exact rec.{i})"),
            h => f.write_str(h.abstract_name().unwrap_or("?")),
        }
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

/// Storage types of struct and array fields (§2.3.7): a value type or a
/// packed integer type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    /// A packed 8-bit integer.
    I8,
    /// A packed 16-bit integer.
    I16,
    /// A full value.
    Val(ValType),
}

impl StorageType {
    /// The type of the field's value on the operand stack (§3.2.6
    /// `unpack`): packed types widen to `i32`.
    pub fn unpacked(self) -> ValType {
        match self {
            StorageType::I8 | StorageType::I16 => ValType::I32,
            StorageType::Val(t) => t,
        }
    }

    /// Whether the storage type is packed.
    pub fn is_packed(self) -> bool {
        !matches!(self, StorageType::Val(_))
    }
}

impl fmt::Display for StorageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageType::I8 => f.write_str("i8"),
            StorageType::I16 => f.write_str("i16"),
            StorageType::Val(t) => t.fmt(f),
        }
    }
}

/// Field types (§2.3.7): a storage type and its mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub mutability: Mut,
    pub storage: StorageType,
}

/// Struct types (§2.3.7): a sequence of fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct StructType {
    pub fields: Vec<FieldType>,
}

/// Array types (§2.3.7): one field type for every element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayType {
    pub field: FieldType,
}

/// Composite types (§2.3.8).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompositeType {
    Func(FuncType),
    Struct(StructType),
    Array(ArrayType),
}

impl CompositeType {
    /// The abstract heap type at the top of the hierarchy this composite
    /// type's concrete references belong to, below which they sit directly
    /// (§3.3.3.3: `func` for functions, `struct` or `array` under `eq`).
    pub fn abstract_super(&self) -> HeapType {
        match self {
            CompositeType::Func(_) => HeapType::Func,
            CompositeType::Struct(_) => HeapType::Struct,
            CompositeType::Array(_) => HeapType::Array,
        }
    }

    /// Calls `f` with every value type the composite type mentions, in
    /// order.
    pub fn for_each_val_type(&self, mut f: impl FnMut(ValType)) {
        match self {
            CompositeType::Func(t) => t.params.iter().chain(&t.results).for_each(|&v| f(v)),
            CompositeType::Struct(s) => s.fields.iter().for_each(|fl| {
                if let StorageType::Val(v) = fl.storage {
                    f(v)
                }
            }),
            CompositeType::Array(a) => {
                if let StorageType::Val(v) = a.field.storage {
                    f(v)
                }
            }
        }
    }

    /// The composite type with every heap type passed through `f`.
    pub fn map_heap_types(&self, f: &mut impl FnMut(HeapType) -> HeapType) -> CompositeType {
        let mut val = |v: ValType| match v {
            ValType::Ref(r) => ValType::Ref(RefType {
                nullable: r.nullable,
                heap: f(r.heap),
            }),
            v => v,
        };
        let mut field = |fl: FieldType| FieldType {
            mutability: fl.mutability,
            storage: match fl.storage {
                StorageType::Val(v) => StorageType::Val(val(v)),
                s => s,
            },
        };
        match self {
            CompositeType::Func(t) => CompositeType::Func(FuncType {
                params: t.params.iter().map(|&v| val(v)).collect(),
                results: t.results.iter().map(|&v| val(v)).collect(),
            }),
            CompositeType::Struct(s) => CompositeType::Struct(StructType {
                fields: s.fields.iter().map(|&fl| field(fl)).collect(),
            }),
            CompositeType::Array(a) => CompositeType::Array(ArrayType {
                field: field(a.field),
            }),
        }
    }
}

/// Subtypes (§2.3.9): a composite type with its declared supertypes
/// (at most one is valid in 3.0, but the binary and text formats allow a
/// list) and whether further subtypes are forbidden. The custom-descriptors
/// proposal adds a `describes` clause (the type is the descriptor of the
/// named type) and a `descriptor` clause (the type's descriptor type), both
/// concrete heap types (rolled like every other reference).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubType {
    pub is_final: bool,
    pub supertypes: Vec<HeapType>,
    /// `(describes t)`: the type whose descriptor this type is.
    pub describes: Option<HeapType>,
    /// `(descriptor t)`: the type of this type's descriptors.
    pub descriptor: Option<HeapType>,
    pub composite: CompositeType,
}

impl SubType {
    /// The subtype of a plain function type: final, without supertypes (the
    /// meaning of a Wasm 2.0 type-section entry).
    pub fn func(t: FuncType) -> SubType {
        SubType {
            is_final: true,
            supertypes: Vec::new(),
            describes: None,
            descriptor: None,
            composite: CompositeType::Func(t),
        }
    }

    /// The function type, if the composite type is one.
    pub fn as_func(&self) -> Option<&FuncType> {
        match &self.composite {
            CompositeType::Func(t) => Some(t),
            _ => None,
        }
    }

    /// Whether the subtype is exactly what a Wasm 2.0 type section can say:
    /// a final function type without supertypes whose value types are 2.0
    /// types.
    pub fn is_wasm2(&self) -> bool {
        let mut ok = self.is_final
            && self.supertypes.is_empty()
            && self.describes.is_none()
            && self.descriptor.is_none();
        self.composite.for_each_val_type(|v| ok &= v.is_wasm2());
        ok && self.as_func().is_some()
    }

    /// The subtype with every heap type (supertypes included) passed
    /// through `f`.
    pub fn map_heap_types(&self, f: &mut impl FnMut(HeapType) -> HeapType) -> SubType {
        SubType {
            is_final: self.is_final,
            supertypes: self.supertypes.iter().map(|&h| f(h)).collect(),
            describes: self.describes.map(&mut *f),
            descriptor: self.descriptor.map(&mut *f),
            composite: self.composite.map_heap_types(f),
        }
    }
}

/// A recursion group (§2.3.10): subtypes that may refer to each other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RecGroup {
    pub types: Vec<SubType>,
}

impl RecGroup {
    /// The group rolled up for comparison (the spec's
    /// `roll`): a concrete reference to a type inside the group, which
    /// starts at type index `first`, becomes [`HeapType::Rec`] with its
    /// position; a reference to an earlier type `t` becomes `outer(t)`
    /// (the caller's canonical identity of `t`, or `t` itself to compare
    /// within one module).
    pub fn rolled(&self, first: TypeIdx, mut outer: impl FnMut(TypeIdx) -> HeapType) -> RecGroup {
        let end = u64::from(first.0) + self.types.len() as u64;
        let mut f = |h: HeapType| match h {
            HeapType::Concrete(t) if t.0 >= first.0 && u64::from(t.0) < end => {
                HeapType::Rec(t.0 - first.0)
            }
            HeapType::Exact(t) if t.0 >= first.0 && u64::from(t.0) < end => {
                HeapType::RecExact(t.0 - first.0)
            }
            HeapType::Concrete(t) => outer(t),
            HeapType::Exact(t) => outer(t).exact(),
            h => h,
        };
        RecGroup {
            types: self
                .types
                .iter()
                .map(|s| s.map_heap_types(&mut f))
                .collect(),
        }
    }
}

/// The type section of a module (§2.5.2): its recursion groups, flattened
/// into the type index space.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Types {
    /// Every subtype, by type index.
    subtypes: Vec<SubType>,
    /// The first type index of every group, ascending.
    group_starts: Vec<u32>,
}

impl Types {
    /// Number of types (not groups).
    pub fn len(&self) -> usize {
        self.subtypes.len()
    }

    /// Whether there are no types.
    pub fn is_empty(&self) -> bool {
        self.subtypes.is_empty()
    }

    /// Number of recursion groups.
    pub fn group_count(&self) -> usize {
        self.group_starts.len()
    }

    /// The subtype at index `t`.
    pub fn get(&self, t: TypeIdx) -> Option<&SubType> {
        self.subtypes.get(t.index())
    }

    /// The function type at index `t`, if `t` is defined as one.
    pub fn func(&self, t: TypeIdx) -> Option<&FuncType> {
        self.get(t)?.as_func()
    }

    /// Every subtype, by type index.
    pub fn iter(&self) -> std::slice::Iter<'_, SubType> {
        self.subtypes.iter()
    }

    /// Every recursion group: its first type index and its subtypes.
    pub fn groups(&self) -> impl Iterator<Item = (TypeIdx, &[SubType])> + '_ {
        self.group_starts.iter().enumerate().map(|(g, &start)| {
            let end = self
                .group_starts
                .get(g + 1)
                .map_or(self.subtypes.len(), |&e| e as usize);
            (TypeIdx(start), &self.subtypes[start as usize..end])
        })
    }

    /// The first index and the length of the group type `t` belongs to.
    pub fn group_of(&self, t: TypeIdx) -> Option<(TypeIdx, usize)> {
        if t.index() >= self.subtypes.len() {
            return None;
        }
        let g = self.group_starts.partition_point(|&s| s <= t.0) - 1;
        let start = self.group_starts[g];
        let end = self
            .group_starts
            .get(g + 1)
            .map_or(self.subtypes.len() as u32, |&e| e);
        Some((TypeIdx(start), (end - start) as usize))
    }

    /// Appends a recursion group; returns the index of its first type. An
    /// empty group (allowed by the formats) adds no types.
    pub fn push_group(&mut self, group: impl IntoIterator<Item = SubType>) -> TypeIdx {
        let start = self.subtypes.len() as u32;
        self.subtypes.extend(group);
        if self.subtypes.len() as u32 > start {
            self.group_starts.push(start);
        }
        TypeIdx(start)
    }

    /// Appends a plain function type in a group of its own (a Wasm 2.0
    /// type-section entry); returns its index.
    pub fn push_func(&mut self, t: FuncType) -> TypeIdx {
        self.push_group([SubType::func(t)])
    }

    /// Whether every type is one a Wasm 2.0 module can declare.
    pub fn is_wasm2(&self) -> bool {
        self.group_starts.len() == self.subtypes.len()
            && self.subtypes.iter().all(SubType::is_wasm2)
    }
}

impl FromIterator<FuncType> for Types {
    /// Plain function types, each in a group of its own (a Wasm 2.0 type
    /// section).
    fn from_iter<I: IntoIterator<Item = FuncType>>(iter: I) -> Self {
        let mut types = Types::default();
        for t in iter {
            types.push_func(t);
        }
        types
    }
}

impl<'a> IntoIterator for &'a Types {
    type Item = &'a SubType;
    type IntoIter = std::slice::Iter<'a, SubType>;
    fn into_iter(self) -> Self::IntoIter {
        self.subtypes.iter()
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

/// Mutability of a global or a field (§2.3.10).
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

/// Tag types (§2.3.11 of 3.0): the function type of the exception's
/// payload, whose results must be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    pub ty: TypeIdx,
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
    Tag,
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
            ExternKind::Tag => "tag",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact heap types (custom descriptors): their forms, spelling and
    /// rolling, with the descriptor clauses of a group.
    #[test]
    fn exact_heap_types_and_descriptor_clauses() {
        let t = HeapType::Concrete(TypeIdx(3));
        assert_eq!(t.exact(), HeapType::Exact(TypeIdx(3)));
        assert_eq!(t.exact().inexact(), t);
        assert!(t.exact().is_exact() && !t.is_exact());
        assert_eq!(t.exact().type_index(), Some(TypeIdx(3)));
        assert_eq!(HeapType::Any.exact(), HeapType::Any);
        assert_eq!(t.exact().to_string(), "(exact 3)");
        assert_eq!(RefType::null(t.exact()).to_string(), "(ref null (exact 3))");
        assert_eq!(t.exact().abstract_byte(), None);

        let field = |h: HeapType| FieldType {
            mutability: Mut::Const,
            storage: StorageType::Val(ValType::Ref(RefType::null(h))),
        };
        let sub = |describes, descriptor, h| SubType {
            is_final: true,
            supertypes: Vec::new(),
            describes,
            descriptor,
            composite: CompositeType::Struct(StructType {
                fields: vec![field(h)],
            }),
        };
        // Types 5 and 6 describe each other; type 6 has an exact field of
        // itself and one of an earlier type.
        let group = RecGroup {
            types: vec![
                sub(
                    None,
                    Some(HeapType::Concrete(TypeIdx(6))),
                    HeapType::Exact(TypeIdx(2)),
                ),
                sub(
                    Some(HeapType::Concrete(TypeIdx(5))),
                    None,
                    HeapType::Exact(TypeIdx(6)),
                ),
            ],
        };
        let rolled = group.rolled(TypeIdx(5), |t| HeapType::Concrete(TypeIdx(t.0 + 100)));
        assert_eq!(rolled.types[0].descriptor, Some(HeapType::Rec(1)));
        assert_eq!(rolled.types[1].describes, Some(HeapType::Rec(0)));
        assert_eq!(
            rolled.types[0].composite,
            CompositeType::Struct(StructType {
                fields: vec![field(HeapType::Exact(TypeIdx(102)))]
            })
        );
        assert_eq!(
            rolled.types[1].composite,
            CompositeType::Struct(StructType {
                fields: vec![field(HeapType::RecExact(1))]
            })
        );
        // The clauses are part of a type's identity.
        let mut plain = group.clone();
        plain.types[0].descriptor = None;
        assert_ne!(
            plain.rolled(TypeIdx(5), HeapType::Concrete),
            group.rolled(TypeIdx(5), HeapType::Concrete)
        );
        assert!(!group.types[0].is_wasm2());
    }
}
