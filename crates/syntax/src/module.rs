//! Modules (§2.5).
//!
//! A [`Module`] borrows from the binary it was decoded from where it can
//! (`Cow::Borrowed`); the text parser fills the same structure with owned
//! data. Function bodies and constant expressions are kept in their binary
//! encoding ([`Expr`]): the validator, printer and interpreter read them with
//! the binary crate's instruction reader, so there is one decoding path.

use crate::{
    DataIdx, ElemIdx, ExternKind, FieldIdx, FuncIdx, GlobalIdx, GlobalType, LocalIdx, MemIdx,
    MemType, RefType, TableIdx, TableType, TagIdx, TagType, TypeIdx, Types, ValType,
};
use std::borrow::Cow;

/// A module (§2.5).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module<'a> {
    /// The type section: recursion groups of subtypes.
    pub types: Types,
    /// The import section.
    pub imports: Vec<Import<'a>>,
    /// The function section: the type of each defined function.
    pub funcs: Vec<TypeIdx>,
    /// The table section.
    pub tables: Vec<Table<'a>>,
    /// The memory section.
    pub mems: Vec<MemType>,
    /// The tag section (exception handling).
    pub tags: Vec<TagType>,
    /// The global section.
    pub globals: Vec<Global<'a>>,
    /// The export section.
    pub exports: Vec<Export<'a>>,
    /// The start section.
    pub start: Option<FuncIdx>,
    /// The element section.
    pub elems: Vec<Elem<'a>>,
    /// The data count section, if present.
    pub data_count: Option<u32>,
    /// The code section, one entry per defined function.
    pub code: Vec<Code<'a>>,
    /// The data section.
    pub datas: Vec<Data<'a>>,
    /// Custom sections other than `name`, in order.
    pub customs: Vec<Custom<'a>>,
    /// The contents of the `name` custom section.
    pub names: Names<'a>,
}

/// An import (§2.5.11).
#[derive(Clone, Debug, PartialEq)]
pub struct Import<'a> {
    pub module: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub desc: ImportDesc,
    /// Whether a function import is exact (custom descriptors: kind byte
    /// 0x20, text `(exact (type x))`): only a function of exactly its type,
    /// no subtype, may be supplied, and `ref.func` of it is exact. Always
    /// `false` for the other kinds. A flag beside the description rather
    /// than a variant of [`ImportDesc`], so that the many uses of function
    /// imports that do not care need no second arm.
    pub exact: bool,
}

/// What an import brings in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImportDesc {
    Func(TypeIdx),
    Table(TableType),
    Memory(MemType),
    Global(GlobalType),
    Tag(TagType),
}

impl ImportDesc {
    /// The kind of the import.
    pub fn kind(&self) -> ExternKind {
        match self {
            ImportDesc::Func(_) => ExternKind::Func,
            ImportDesc::Table(_) => ExternKind::Table,
            ImportDesc::Memory(_) => ExternKind::Memory,
            ImportDesc::Global(_) => ExternKind::Global,
            ImportDesc::Tag(_) => ExternKind::Tag,
        }
    }
}

/// An export (§2.5.10).
#[derive(Clone, Debug, PartialEq)]
pub struct Export<'a> {
    pub name: Cow<'a, str>,
    pub desc: ExportDesc,
}

/// What an export refers to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExportDesc {
    Func(FuncIdx),
    Table(TableIdx),
    Memory(MemIdx),
    Global(GlobalIdx),
    Tag(TagIdx),
}

impl ExportDesc {
    /// The kind of the export.
    pub fn kind(&self) -> ExternKind {
        match self {
            ExportDesc::Func(_) => ExternKind::Func,
            ExportDesc::Table(_) => ExternKind::Table,
            ExportDesc::Memory(_) => ExternKind::Memory,
            ExportDesc::Global(_) => ExternKind::Global,
            ExportDesc::Tag(_) => ExternKind::Tag,
        }
    }

    /// The index, whatever the kind.
    pub fn index(&self) -> u32 {
        match *self {
            ExportDesc::Func(i) => i.0,
            ExportDesc::Table(i) => i.0,
            ExportDesc::Memory(i) => i.0,
            ExportDesc::Global(i) => i.0,
            ExportDesc::Tag(i) => i.0,
        }
    }
}

/// An expression in its binary encoding, including the final `end`.
/// `offset` is the absolute offset of its first byte in the binary it came
/// from (0 for text modules), so that errors can point into the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub offset: usize,
}

/// A table (§2.5.5): its type and, in Wasm 3.0, an initialiser expression
/// for its elements (without one they start as null).
#[derive(Clone, Debug, PartialEq)]
pub struct Table<'a> {
    pub ty: TableType,
    pub init: Option<Expr<'a>>,
}

impl Table<'_> {
    /// A copy that owns its initialiser.
    pub fn to_static(&self) -> Table<'static> {
        Table {
            ty: self.ty,
            init: self.init.as_ref().map(Expr::to_static),
        }
    }
}

impl From<TableType> for Table<'_> {
    /// A table without an initialiser.
    fn from(ty: TableType) -> Self {
        Table { ty, init: None }
    }
}

impl Expr<'_> {
    /// A copy that owns its bytes.
    pub fn to_static(&self) -> Expr<'static> {
        Expr {
            bytes: Cow::Owned(self.bytes.to_vec()),
            offset: self.offset,
        }
    }
}

/// A global (§2.5.6).
#[derive(Clone, Debug, PartialEq)]
pub struct Global<'a> {
    pub ty: GlobalType,
    pub init: Expr<'a>,
}

/// An element segment (§2.5.7).
#[derive(Clone, Debug, PartialEq)]
pub struct Elem<'a> {
    pub ty: RefType,
    pub items: ElemItems<'a>,
    pub mode: ElemMode<'a>,
}

/// The initial references of an element segment: either plain function
/// indices (binary forms 0-3) or constant expressions (forms 4-7).
#[derive(Clone, Debug, PartialEq)]
pub enum ElemItems<'a> {
    Funcs(Vec<FuncIdx>),
    Exprs(Vec<Expr<'a>>),
}

impl ElemItems<'_> {
    /// Number of items.
    pub fn len(&self) -> usize {
        match self {
            ElemItems::Funcs(v) => v.len(),
            ElemItems::Exprs(v) => v.len(),
        }
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// When an element segment is used.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemMode<'a> {
    Passive,
    Active { table: TableIdx, offset: Expr<'a> },
    Declarative,
}

/// A data segment (§2.5.8).
#[derive(Clone, Debug, PartialEq)]
pub struct Data<'a> {
    pub init: Cow<'a, [u8]>,
    pub mode: DataMode<'a>,
}

/// When a data segment is used.
#[derive(Clone, Debug, PartialEq)]
pub enum DataMode<'a> {
    Passive,
    Active { memory: MemIdx, offset: Expr<'a> },
}

/// A run of locals of one type, as in the binary format.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Locals {
    pub count: u32,
    pub ty: ValType,
}

/// The code of a defined function (§2.5.3, §5.5.13).
#[derive(Clone, Debug, PartialEq)]
pub struct Code<'a> {
    /// Declared locals (parameters not included).
    pub locals: Vec<Locals>,
    /// The body, ending with `end`.
    pub body: Expr<'a>,
}

/// A field of a module, named by its section and its place in that
/// section (not by its index in an index space: `Func(0)` is the first
/// defined function, after any imported ones). Validation errors about a
/// field as a whole (an export naming an unknown function, a duplicate
/// export name, a bad start function, an element segment for an unknown
/// table) carry one, so that the binary decoder can give the field's byte
/// offset and the text parser its line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModuleField {
    /// A type definition, by type index (a recursion group's members each
    /// by their own).
    Type(u32),
    Import(u32),
    Func(u32),
    Table(u32),
    Memory(u32),
    Tag(u32),
    Global(u32),
    Export(u32),
    Start,
    Elem(u32),
    Data(u32),
}

/// Where a custom section sits relative to the known sections, so that the
/// encoder can put it back in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomPlace {
    /// Before the first known section.
    First,
    /// After the known section with this id.
    After(u8),
}

/// A custom section other than `name` (§2.5.13 / §5.5.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Custom<'a> {
    pub name: Cow<'a, str>,
    pub data: Cow<'a, [u8]>,
    pub place: CustomPlace,
}

/// The `name` custom section (spec appendix 7.4): names for the module,
/// functions and locals, and the extended-name-section proposal's names for
/// labels, types, tables, memories, globals, element and data segments,
/// struct fields and tags (as wasm-tools and wabt write them). Every map is
/// sorted by index, as the format requires.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names<'a> {
    pub module: Option<Cow<'a, str>>,
    pub funcs: NameMap<'a, FuncIdx>,
    pub locals: IndirectNameMap<'a, FuncIdx, LocalIdx>,
    /// Labels of each function, numbered in the order in which their
    /// structured instructions occur in the body (not relative depths).
    pub labels: IndirectNameMap<'a, FuncIdx, u32>,
    pub types: NameMap<'a, TypeIdx>,
    pub tables: NameMap<'a, TableIdx>,
    pub memories: NameMap<'a, MemIdx>,
    pub globals: NameMap<'a, GlobalIdx>,
    pub elems: NameMap<'a, ElemIdx>,
    pub datas: NameMap<'a, DataIdx>,
    /// Fields of each struct type.
    pub fields: IndirectNameMap<'a, TypeIdx, FieldIdx>,
    pub tags: NameMap<'a, TagIdx>,
}

/// A name map (appendix 7.4.1.2): `(index, name)` pairs sorted by index.
pub type NameMap<'a, I> = Vec<(I, Cow<'a, str>)>;

/// An indirect name map: a name map for each of some entities (the locals
/// of a function, the fields of a type), sorted by the outer index.
pub type IndirectNameMap<'a, I, J> = Vec<(I, NameMap<'a, J>)>;

/// The names of one function's locals, sorted by index.
pub type LocalNames<'a> = NameMap<'a, LocalIdx>;

fn own_map<I>(m: NameMap<'_, I>) -> NameMap<'static, I> {
    m.into_iter()
        .map(|(i, n)| (i, Cow::Owned(n.into_owned())))
        .collect()
}

fn own_indirect<I, J>(m: IndirectNameMap<'_, I, J>) -> IndirectNameMap<'static, I, J> {
    m.into_iter().map(|(i, n)| (i, own_map(n))).collect()
}

impl Names<'_> {
    /// Whether the section would be empty.
    pub fn is_empty(&self) -> bool {
        *self == Names::default()
    }

    /// The same names, owned.
    pub fn into_owned(self) -> Names<'static> {
        Names {
            module: self.module.map(|n| Cow::Owned(n.into_owned())),
            funcs: own_map(self.funcs),
            locals: own_indirect(self.locals),
            labels: own_indirect(self.labels),
            types: own_map(self.types),
            tables: own_map(self.tables),
            memories: own_map(self.memories),
            globals: own_map(self.globals),
            elems: own_map(self.elems),
            datas: own_map(self.datas),
            fields: own_indirect(self.fields),
            tags: own_map(self.tags),
        }
    }
}
