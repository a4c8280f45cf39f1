//! Modules (§6.6): the module fields, their abbreviations, identifier
//! binding and the assembly of the [`Module`].
//!
//! Pass one ([`Fields`]) reads the fields in order, binds every module-level
//! identifier, desugars inline imports, exports, element and data segments
//! the way the `wast` crate does (an inline export or segment is placed
//! where its item is defined), and records the token ranges of instruction
//! sequences. Pass two ([`ModCx::finish`]) walks the desugared items in
//! order, resolves type uses (appending implicit types in order of first
//! use) and parses the instruction sequences with all names known.

use crate::body::{parse_expr, ExprKind};
use crate::lexer::{Kind, Token};
use crate::num;
use crate::parser::{nat32, Cursor, TypeNames};
use crate::spans::{ExprPlace, Mark, SourceMap};
use crate::Result;
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;
use weft_syntax::excerpt;
use weft_syntax::{
    AddrType, ArrayType, Code, CompositeType, Data, DataMode, Elem, ElemItems, ElemMode, Export,
    ExportDesc, Expr, ExternKind, Feature, Features, FieldIdx, FieldType, FuncIdx, FuncType,
    Global, GlobalIdx, GlobalType, Import, ImportDesc, Limits, LocalIdx, Locals, MemIdx, MemType,
    Module, ModuleField, Mut, NameMap, Names, RefType, StorageType, StructType, SubType, Table,
    TableIdx, TableType, TagIdx, TagType, TypeIdx, Types, ValType,
};

/// An index as written: a number or an identifier (kept as its token for
/// error positions).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Idx<'a> {
    Num(u32),
    Id(Token<'a>),
}

/// Whether an index comes next.
pub(crate) fn at_idx(c: &Cursor<'_, '_>) -> bool {
    matches!(c.peek().kind, Kind::Nat | Kind::Id | Kind::QuotedId)
}

/// Consumes an index.
pub(crate) fn idx<'a>(c: &mut Cursor<'_, 'a>) -> Result<Idx<'a>> {
    let t = c.peek();
    match t.kind {
        Kind::Nat => {
            c.bump();
            Ok(Idx::Num(nat32(&t)?))
        }
        Kind::Id | Kind::QuotedId => {
            c.bump();
            Ok(Idx::Id(t))
        }
        _ => Err(c.unexpected()),
    }
}

/// A field type (§6.4.7): a storage type, or `(mut storagetype)`.
fn field_type(c: &mut Cursor<'_, '_>) -> Result<FieldType> {
    let mutable = c.eat_lparen_kw("mut");
    let storage = if c.at_keyword("i8") {
        c.bump();
        StorageType::I8
    } else if c.at_keyword("i16") {
        c.bump();
        StorageType::I16
    } else {
        StorageType::Val(c.val_type()?)
    };
    if mutable {
        c.rparen()?;
    }
    Ok(FieldType {
        mutability: if mutable { Mut::Var } else { Mut::Const },
        storage,
    })
}

/// The type identifiers of a module and their indices, found before the
/// fields are read: `(type $id ...)` at module level and inside
/// `(rec ...)`, counted in order. Duplicates keep their first index (pass
/// one reports them).
fn type_names<'a>(toks: &[Token<'a>]) -> HashMap<Cow<'a, str>, u32> {
    let mut names = HashMap::new();
    let mut next = 0u32;
    let is_kw = |i: usize, kw: &str| {
        toks.get(i)
            .is_some_and(|t| t.kind == Kind::Keyword && t.text == kw)
    };
    let fields_depth = if toks.first().is_some_and(|t| t.kind == Kind::LParen) && is_kw(1, "module")
    {
        1
    } else {
        0
    };
    let mut depth = 0usize;
    let mut rec_depth = None;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::LParen => {
                let type_depth = rec_depth.map_or(fields_depth, |d: usize| d + 1);
                if depth == type_depth && is_kw(i + 1, "type") {
                    if let Some(id) = toks
                        .get(i + 2)
                        .filter(|t| matches!(t.kind, Kind::Id | Kind::QuotedId))
                    {
                        names.entry(id.id_key()).or_insert(next);
                    }
                    next = next.saturating_add(1);
                } else if depth == fields_depth && rec_depth.is_none() && is_kw(i + 1, "rec") {
                    rec_depth = Some(depth);
                }
                depth += 1;
            }
            Kind::RParen => {
                depth = depth.saturating_sub(1);
                if rec_depth == Some(depth) {
                    rec_depth = None;
                }
            }
            _ => {}
        }
    }
    names
}

/// The name an identifier token stands for in the name section: the text
/// after `$`, with a quoted identifier's escapes decoded.
pub(crate) fn id_name(t: &Token<'_>) -> String {
    t.id_key().into_owned()
}

/// A type use (§6.6.3): `(type x)?` followed by inline parameters and
/// results.
#[derive(Clone, Debug)]
pub(crate) struct TypeUse<'a> {
    pub index: Option<Idx<'a>>,
    pub params: Vec<(Option<Token<'a>>, ValType)>,
    pub results: Vec<ValType>,
    /// Whether any `(param ..)` or `(result ..)` clause was written.
    pub inline: bool,
    /// Where the type use starts, for errors.
    pub at: Token<'a>,
}

/// Parses a type use. Parameter identifiers are allowed only where
/// `names` is set (functions, not block types or `call_indirect`).
pub(crate) fn type_use<'a>(c: &mut Cursor<'_, 'a>, names: bool) -> Result<TypeUse<'a>> {
    let at = c.peek();
    let index = if c.eat_lparen_kw("type") {
        let i = idx(c)?;
        c.rparen()?;
        Some(i)
    } else {
        None
    };
    let mut tu = TypeUse {
        index,
        params: Vec::new(),
        results: Vec::new(),
        inline: false,
        at,
    };
    while c.eat_lparen_kw("param") {
        tu.inline = true;
        if names && matches!(c.peek().kind, Kind::Id | Kind::QuotedId) {
            let id = c.bump();
            let t = c.val_type()?;
            tu.params.push((Some(id), t));
        } else {
            while !c.at(Kind::RParen) {
                tu.params.push((None, c.val_type()?));
            }
        }
        c.rparen()?;
    }
    while c.eat_lparen_kw("result") {
        tu.inline = true;
        while !c.at(Kind::RParen) {
            tu.results.push(c.val_type()?);
        }
        c.rparen()?;
    }
    // A clause out of order is a syntax error at that clause (reported
    // here, before the type use is checked against its type).
    if c.at_lparen_kw("type") || c.at_lparen_kw("param") {
        c.bump();
        return Err(c.unexpected());
    }
    Ok(tu)
}

/// A half-open range of token positions holding an instruction sequence.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Range {
    pub start: usize,
    pub end: usize,
}

/// A constant expression: tokens, or the `(i32.const 0)` offset of an
/// inline element or data segment.
#[derive(Clone, Copy, Debug)]
enum ExprSrc {
    Tokens(Range),
    /// `i32.const 0` or `i64.const 0`: the offset of an inline segment.
    ZeroOffset(AddrType),
}

enum ElemItemsSrc<'a> {
    Funcs(Vec<Idx<'a>>),
    Exprs(Vec<ExprSrc>),
}

enum Item<'a> {
    Import {
        module: String,
        name: String,
        desc: ImportSrc<'a>,
    },
    Func {
        ty: TypeUse<'a>,
        locals: Vec<(Option<Token<'a>>, ValType)>,
        body: Range,
    },
    Table {
        ty: TableType,
        /// The initialiser's tokens (Wasm 3.0), if any.
        init: Option<Range>,
    },
    Memory(MemType),
    /// A tag (exception handling) and its type use.
    Tag(TypeUse<'a>),
    Global {
        ty: GlobalType,
        init: Range,
    },
    Export {
        name: String,
        kind: ExternKind,
        idx: Idx<'a>,
    },
    Start(Idx<'a>),
    Elem {
        ty: RefType,
        mode: ElemModeSrc<'a>,
        items: ElemItemsSrc<'a>,
    },
    Data {
        init: Vec<u8>,
        mode: DataModeSrc<'a>,
    },
}

enum ImportSrc<'a> {
    /// A function's type use, and whether the import is exact.
    Func(TypeUse<'a>, bool),
    Table(TableType),
    Memory(MemType),
    Global(GlobalType),
    Tag(TypeUse<'a>),
}

enum ElemModeSrc<'a> {
    Passive,
    Declarative,
    Active { table: Idx<'a>, offset: ExprSrc },
}

enum DataModeSrc<'a> {
    Passive,
    Active { memory: Idx<'a>, offset: ExprSrc },
}

/// The index spaces of a module (§6.6.1's identifier context).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Space {
    Type,
    Func,
    Table,
    Memory,
    Global,
    Elem,
    Data,
    Tag,
}

impl Space {
    fn noun(self) -> &'static str {
        match self {
            Space::Type => "type",
            Space::Func => "function",
            Space::Table => "table",
            Space::Memory => "memory",
            Space::Global => "global",
            Space::Elem => "elem segment",
            Space::Data => "data segment",
            Space::Tag => "tag",
        }
    }

    /// The word of the "duplicate ..." message.
    fn duplicate_word(self) -> &'static str {
        match self {
            Space::Type => "type",
            Space::Func => "func",
            Space::Table => "table",
            Space::Memory => "memory",
            Space::Global => "global",
            Space::Elem => "elem",
            Space::Data => "data",
            Space::Tag => "tag",
        }
    }
}

/// One index space: its identifiers and how many entries it has.
#[derive(Default)]
struct IdSpace<'a> {
    /// Keyed by [`Token::id_key`], so that `$x` and `$"x"` are one name.
    map: HashMap<Cow<'a, str>, u32>,
    count: u32,
}

/// Pass one: reads the fields.
struct Fields<'a> {
    features: Features,
    items: Vec<Item<'a>>,
    /// The line and column of the field keyword each item was written
    /// with (an inline import or export: that of its definition).
    item_at: Vec<(u32, u32)>,
    types: Types,
    /// The line and column of each type definition's `type` keyword, by
    /// type index.
    type_at: Vec<(u32, u32)>,
    /// Field identifiers by (type index, identifier).
    field_names: HashMap<(u32, Cow<'a, str>), u32>,
    spaces: [IdSpace<'a>; 8],
    /// The identifiers bound in each space, with their indices, for the
    /// name section.
    ids: [Vec<(u32, Token<'a>)>; 8],
    /// Field identifiers as (type index, field index, identifier).
    field_ids: Vec<(u32, u32, Token<'a>)>,
    /// The kind of the last definition, for "import after ...".
    last_def: Option<&'static str>,
    has_start: bool,
}

fn space_slot(s: Space) -> usize {
    s as usize
}

impl<'a> Fields<'a> {
    fn space(&mut self, s: Space) -> &mut IdSpace<'a> {
        &mut self.spaces[space_slot(s)]
    }

    /// Binds the next index of `space`, with `id` if given.
    fn bind(&mut self, space: Space, id: Option<Token<'a>>) -> Result<u32> {
        let names = self.space(space);
        let i = names.count;
        names.count = names.count.saturating_add(1);
        if let Some(t) = id {
            if names.map.insert(t.id_key(), i).is_some() {
                return Err(t.error(format!(
                    "duplicate {} {}",
                    space.duplicate_word(),
                    excerpt(t.text)
                )));
            }
            self.ids[space_slot(space)].push((i, t));
        }
        Ok(i)
    }

    fn check_import_order(&self, at: &Token<'_>) -> Result<()> {
        match self.last_def {
            Some(kind) => Err(at.error(format!("import after {kind}"))),
            None => Ok(()),
        }
    }

    /// `(export "name")*` of an inline definition.
    fn inline_exports(c: &mut Cursor<'_, 'a>) -> Result<Vec<String>> {
        let mut names = Vec::new();
        while c.eat_lparen_kw("export") {
            names.push(c.name()?);
            c.rparen()?;
        }
        Ok(names)
    }

    /// `(import "module" "name")?` of an inline definition.
    /// Adds an import (written as `(import ...)` or inline), after
    /// checking that no definition came before it.
    fn push_import(
        &mut self,
        at: &Token<'_>,
        (module, name): (String, String),
        desc: ImportSrc<'a>,
    ) -> Result<()> {
        self.check_import_order(at)?;
        self.items.push(Item::Import { module, name, desc });
        Ok(())
    }

    fn inline_import(c: &mut Cursor<'_, 'a>) -> Result<Option<(String, String)>> {
        if !c.eat_lparen_kw("import") {
            return Ok(None);
        }
        let module = c.name()?;
        let name = c.name()?;
        c.rparen()?;
        Ok(Some((module, name)))
    }

    fn push_exports(&mut self, names: Vec<String>, kind: ExternKind, index: u32) {
        for name in names {
            self.items.push(Item::Export {
                name,
                kind,
                idx: Idx::Num(index),
            });
        }
    }

    /// All fields up to the closing `)` of the module or the end of input.
    fn fields(&mut self, c: &mut Cursor<'_, 'a>) -> Result<()> {
        while c.at(Kind::LParen) {
            let kw = c.peek_at(1);
            if kw.kind != Kind::Keyword {
                c.bump();
                return Err(c.unexpected());
            }
            let field_at = c.peek();
            let kw_at = (kw.line, kw.col);
            c.pos += 2;
            match kw.text {
                "type" => {
                    self.type_at.push(kw_at);
                    self.type_field(c)?
                }
                "rec" => self.rec_field(c)?,
                "import" => self.import_field(c, &field_at)?,
                "func" => self.func_field(c, &field_at)?,
                "table" => self.table_field(c, &field_at)?,
                "memory" => self.memory_field(c, &field_at)?,
                "global" => self.global_field(c, &field_at)?,
                "tag" if self.features.has(Feature::Exceptions) => self.tag_field(c, &field_at)?,
                "export" => self.export_field(c)?,
                "start" => {
                    let i = idx(c)?;
                    if self.has_start {
                        return Err(field_at.error("multiple start sections"));
                    }
                    self.has_start = true;
                    self.items.push(Item::Start(i));
                }
                "elem" => self.elem_field(c)?,
                "data" => self.data_field(c)?,
                _ => {
                    c.pos -= 1;
                    return Err(c.unexpected());
                }
            }
            c.rparen()?;
            self.item_at.resize(self.items.len(), kw_at);
        }
        Ok(())
    }

    /// `(type $id? subtype)` after `(type`: a recursion group of one.
    fn type_field(&mut self, c: &mut Cursor<'_, 'a>) -> Result<()> {
        let t = self.type_def(c)?;
        self.types.push_group([t]);
        Ok(())
    }

    /// `(rec (type ...)*)` after `(rec` (§6.6.2).
    fn rec_field(&mut self, c: &mut Cursor<'_, 'a>) -> Result<()> {
        let mut group = Vec::new();
        loop {
            let kw = c.peek_at(1);
            if !c.eat_lparen_kw("type") {
                break;
            }
            self.type_at.push((kw.line, kw.col));
            group.push(self.type_def(c)?);
            c.rparen()?;
        }
        self.types.push_group(group);
        Ok(())
    }

    /// `$id? subtype` of a type definition; binds the identifier.
    fn type_def(&mut self, c: &mut Cursor<'_, 'a>) -> Result<SubType> {
        let id = c.opt_id();
        let index = self.bind(Space::Type, id)?;
        self.sub_type(c, index)
    }

    /// `(sub final? typeidx* comptype)` or a bare composite type (§6.4.9).
    fn sub_type(&mut self, c: &mut Cursor<'_, 'a>, index: u32) -> Result<SubType> {
        if !c.eat_lparen_kw("sub") {
            let (describes, descriptor) = Self::descriptor_clauses(c)?;
            let composite = self.composite_type(c, index)?;
            return Ok(SubType {
                is_final: true,
                supertypes: Vec::new(),
                describes,
                descriptor,
                composite,
            });
        }
        let is_final = c.at_keyword("final");
        if is_final {
            c.bump();
        }
        let mut supertypes = Vec::new();
        while at_idx(c) {
            supertypes.push(c.heap_type()?);
        }
        let (describes, descriptor) = Self::descriptor_clauses(c)?;
        let composite = self.composite_type(c, index)?;
        c.rparen()?;
        Ok(SubType {
            is_final,
            supertypes,
            describes,
            descriptor,
            composite,
        })
    }

    /// `(describes x)? (descriptor y)?` before a composite type (custom
    /// descriptors), each at most once and in this order.
    fn descriptor_clauses(
        c: &mut Cursor<'_, 'a>,
    ) -> Result<(Option<weft_syntax::HeapType>, Option<weft_syntax::HeapType>)> {
        let mut clause = |kw: &str| -> Result<Option<weft_syntax::HeapType>> {
            if !c.eat_lparen_kw(kw) {
                return Ok(None);
            }
            if !at_idx(c) {
                return Err(c.unexpected());
            }
            let h = c.heap_type()?;
            c.rparen()?;
            Ok(Some(h))
        };
        let describes = clause("describes")?;
        let descriptor = clause("descriptor")?;
        Ok((describes, descriptor))
    }

    /// The type use of a function import, `(exact typeuse)` (custom
    /// descriptors) or a plain type use; whether it is exact.
    fn import_type_use(c: &mut Cursor<'_, 'a>) -> Result<(TypeUse<'a>, bool)> {
        if c.eat_lparen_kw("exact") {
            let ty = type_use(c, true)?;
            c.rparen()?;
            return Ok((ty, true));
        }
        Ok((type_use(c, true)?, false))
    }

    /// `(func ...)`, `(struct (field ...)*)` or `(array fieldtype)`
    /// (§6.4.8).
    fn composite_type(&mut self, c: &mut Cursor<'_, 'a>, index: u32) -> Result<CompositeType> {
        c.lparen()?;
        let kw = c.peek();
        let t = if kw.kind == Kind::Keyword && kw.text == "func" {
            c.bump();
            let mut ft = FuncType::default();
            while c.eat_lparen_kw("param") {
                if c.opt_id().is_some() {
                    ft.params.push(c.val_type()?);
                } else {
                    while !c.at(Kind::RParen) {
                        ft.params.push(c.val_type()?);
                    }
                }
                c.rparen()?;
            }
            while c.eat_lparen_kw("result") {
                while !c.at(Kind::RParen) {
                    ft.results.push(c.val_type()?);
                }
                c.rparen()?;
            }
            CompositeType::Func(ft)
        } else if kw.kind == Kind::Keyword && kw.text == "struct" {
            c.bump();
            let mut fields = Vec::new();
            while c.eat_lparen_kw("field") {
                if let Some(id) = c.opt_id() {
                    let k = fields.len() as u32;
                    if self.field_names.insert((index, id.id_key()), k).is_some() {
                        return Err(id.error(format!("duplicate field {}", excerpt(id.text))));
                    }
                    self.field_ids.push((index, k, id));
                    fields.push(field_type(c)?);
                } else {
                    while !c.at(Kind::RParen) {
                        fields.push(field_type(c)?);
                    }
                }
                c.rparen()?;
            }
            CompositeType::Struct(StructType { fields })
        } else if kw.kind == Kind::Keyword && kw.text == "array" {
            c.bump();
            CompositeType::Array(ArrayType {
                field: field_type(c)?,
            })
        } else {
            return Err(c.unexpected());
        };
        c.rparen()?;
        Ok(t)
    }

    /// An optional address type (memory64): `i32` when absent.
    fn addr_type(c: &mut Cursor<'_, 'a>, features: Features) -> AddrType {
        if features.has(Feature::Memory64) {
            if c.at_keyword("i64") {
                c.bump();
                return AddrType::I64;
            }
            if c.at_keyword("i32") {
                c.bump();
            }
        }
        AddrType::I32
    }

    /// Limits (§6.4.3): `u32` bounds in Wasm 2.0, `u64` with memory64, whose
    /// validation bounds them by the address type instead.
    fn limits(c: &mut Cursor<'_, 'a>, features: Features) -> Result<Limits> {
        let bound = |c: &mut Cursor<'_, 'a>| -> Result<u64> {
            if !features.has(Feature::Memory64) {
                return c.u32().map(u64::from);
            }
            let t = c.expect(Kind::Nat)?;
            num::parse_nat(t.text).ok_or_else(|| t.error("i64 constant out of range"))
        };
        let min = bound(c)?;
        let max = if c.at(Kind::Nat) {
            Some(bound(c)?)
        } else {
            None
        };
        Ok(Limits { min, max })
    }

    /// `(pagesize n)` (custom-page-sizes): the log2 of a power of two.
    fn opt_page_size(c: &mut Cursor<'_, 'a>, features: Features) -> Result<Option<u32>> {
        if !features.has(Feature::CustomPageSizes) || !c.eat_lparen_kw("pagesize") {
            return Ok(None);
        }
        let t = c.expect(Kind::Nat)?;
        let size = num::parse_nat(t.text).ok_or_else(|| t.error("i64 constant out of range"))?;
        if !size.is_power_of_two() {
            return Err(t.error("invalid custom page size"));
        }
        c.rparen()?;
        Ok(Some(size.trailing_zeros()))
    }

    /// A memory type (§6.4.5) after its address type: limits, `shared`
    /// (threads), `(pagesize n)`.
    fn mem_type(c: &mut Cursor<'_, 'a>, features: Features, addr: AddrType) -> Result<MemType> {
        let limits = Self::limits(c, features)?;
        let shared = features.has(Feature::Threads) && c.at_keyword("shared");
        if shared {
            c.bump();
        }
        let page_size_log2 = Self::opt_page_size(c, features)?;
        Ok(MemType {
            addr,
            limits,
            shared,
            page_size_log2,
        })
    }

    fn table_type(c: &mut Cursor<'_, 'a>, features: Features, addr: AddrType) -> Result<TableType> {
        let limits = Self::limits(c, features)?;
        let elem = c.ref_type()?;
        Ok(TableType { addr, elem, limits })
    }

    fn global_type(c: &mut Cursor<'_, 'a>) -> Result<GlobalType> {
        if c.eat_lparen_kw("mut") {
            let content = c.val_type()?;
            c.rparen()?;
            Ok(GlobalType {
                mutability: Mut::Var,
                content,
            })
        } else {
            Ok(GlobalType {
                mutability: Mut::Const,
                content: c.val_type()?,
            })
        }
    }

    fn import_field(&mut self, c: &mut Cursor<'_, 'a>, at: &Token<'a>) -> Result<()> {
        let module = c.name()?;
        let name = c.name()?;
        c.lparen()?;
        let kw = c.peek();
        if kw.kind != Kind::Keyword {
            return Err(c.unexpected());
        }
        c.bump();
        let desc = match kw.text {
            "func" => {
                let id = c.opt_id();
                let (ty, exact) = Self::import_type_use(c)?;
                self.bind(Space::Func, id)?;
                ImportSrc::Func(ty, exact)
            }
            "table" => {
                let id = c.opt_id();
                let addr = Self::addr_type(c, self.features);
                let ty = Self::table_type(c, self.features, addr)?;
                self.bind(Space::Table, id)?;
                ImportSrc::Table(ty)
            }
            "memory" => {
                let id = c.opt_id();
                let addr = Self::addr_type(c, self.features);
                let ty = Self::mem_type(c, self.features, addr)?;
                self.bind(Space::Memory, id)?;
                ImportSrc::Memory(ty)
            }
            "global" => {
                let id = c.opt_id();
                let ty = Self::global_type(c)?;
                self.bind(Space::Global, id)?;
                ImportSrc::Global(ty)
            }
            "tag" if self.features.has(Feature::Exceptions) => {
                let id = c.opt_id();
                let ty = type_use(c, false)?;
                self.bind(Space::Tag, id)?;
                ImportSrc::Tag(ty)
            }
            _ => {
                c.pos -= 1;
                return Err(c.unexpected());
            }
        };
        c.rparen()?;
        self.push_import(at, (module, name), desc)
    }

    fn func_field(&mut self, c: &mut Cursor<'_, 'a>, at: &Token<'a>) -> Result<()> {
        let id = c.opt_id();
        let exports = Self::inline_exports(c)?;
        let import = Self::inline_import(c)?;
        let (ty, exact) = if import.is_some() {
            Self::import_type_use(c)?
        } else {
            (type_use(c, true)?, false)
        };
        let i = self.bind(Space::Func, id)?;
        self.push_exports(exports, ExternKind::Func, i);
        if let Some(import) = import {
            return self.push_import(at, import, ImportSrc::Func(ty, exact));
        }
        self.last_def = Some("function");
        let mut locals = Vec::new();
        while c.eat_lparen_kw("local") {
            if let Some(id) = c.opt_id() {
                locals.push((Some(id), c.val_type()?));
            } else {
                while !c.at(Kind::RParen) {
                    locals.push((None, c.val_type()?));
                }
            }
            c.rparen()?;
        }
        let start = c.pos;
        let end = c.skip_to_close()?;
        self.items.push(Item::Func {
            ty,
            locals,
            body: Range { start, end },
        });
        Ok(())
    }

    fn table_field(&mut self, c: &mut Cursor<'_, 'a>, at: &Token<'a>) -> Result<()> {
        let id = c.opt_id();
        let exports = Self::inline_exports(c)?;
        let import = Self::inline_import(c)?;
        let addr = Self::addr_type(c, self.features);
        if import.is_none() && c.at_ref_type() {
            // `reftype (elem ...)`: a table exactly as large as the segment.
            let elem = c.ref_type()?;
            c.lparen()?;
            c.keyword("elem")?;
            let items = if c.at(Kind::LParen) {
                ElemItemsSrc::Exprs(Self::elem_exprs(c)?)
            } else {
                let mut v = Vec::new();
                while at_idx(c) {
                    v.push(idx(c)?);
                }
                ElemItemsSrc::Funcs(v)
            };
            c.rparen()?;
            let len = match &items {
                ElemItemsSrc::Funcs(v) => v.len(),
                ElemItemsSrc::Exprs(v) => v.len(),
            } as u64;
            let i = self.bind(Space::Table, id)?;
            self.push_exports(exports, ExternKind::Table, i);
            self.last_def = Some("table");
            self.items.push(Item::Elem {
                ty: elem,
                mode: ElemModeSrc::Active {
                    table: Idx::Num(i),
                    offset: ExprSrc::ZeroOffset(addr),
                },
                items,
            });
            self.items.push(Item::Table {
                ty: TableType {
                    addr,
                    elem,
                    limits: Limits {
                        min: len,
                        max: Some(len),
                    },
                },
                init: None,
            });
            return Ok(());
        }
        let ty = Self::table_type(c, self.features, addr)?;
        let i = self.bind(Space::Table, id)?;
        self.push_exports(exports, ExternKind::Table, i);
        match import {
            Some(import) => self.push_import(at, import, ImportSrc::Table(ty))?,
            None => {
                self.last_def = Some("table");
                let init = if c.at(Kind::RParen) {
                    None
                } else {
                    let start = c.pos;
                    let end = c.skip_to_close()?;
                    Some(Range { start, end })
                };
                self.items.push(Item::Table { ty, init });
            }
        }
        Ok(())
    }

    fn memory_field(&mut self, c: &mut Cursor<'_, 'a>, at: &Token<'a>) -> Result<()> {
        let id = c.opt_id();
        let exports = Self::inline_exports(c)?;
        let import = Self::inline_import(c)?;
        let addr = Self::addr_type(c, self.features);
        let page_size_log2 = if import.is_none() {
            Self::opt_page_size(c, self.features)?
        } else {
            None
        };
        if import.is_none() && c.eat_lparen_kw("data") {
            let mut init = Vec::new();
            while c.at(Kind::String) {
                init.extend(c.string()?);
            }
            c.rparen()?;
            let log2 = page_size_log2.unwrap_or(MemType::DEFAULT_PAGE_SIZE_LOG2);
            let pages = (init.len() as u64).div_ceil(1 << log2);
            let i = self.bind(Space::Memory, id)?;
            self.push_exports(exports, ExternKind::Memory, i);
            self.last_def = Some("memory");
            self.items.push(Item::Data {
                init,
                mode: DataModeSrc::Active {
                    memory: Idx::Num(i),
                    offset: ExprSrc::ZeroOffset(addr),
                },
            });
            self.items.push(Item::Memory(MemType {
                addr,
                limits: Limits {
                    min: pages,
                    max: Some(pages),
                },
                shared: false,
                page_size_log2,
            }));
            return Ok(());
        }
        if page_size_log2.is_some() {
            return Err(c.unexpected());
        }
        let ty = Self::mem_type(c, self.features, addr)?;
        let i = self.bind(Space::Memory, id)?;
        self.push_exports(exports, ExternKind::Memory, i);
        match import {
            Some(import) => self.push_import(at, import, ImportSrc::Memory(ty))?,
            None => {
                self.last_def = Some("memory");
                self.items.push(Item::Memory(ty));
            }
        }
        Ok(())
    }

    fn global_field(&mut self, c: &mut Cursor<'_, 'a>, at: &Token<'a>) -> Result<()> {
        let id = c.opt_id();
        let exports = Self::inline_exports(c)?;
        let import = Self::inline_import(c)?;
        let ty = Self::global_type(c)?;
        let i = self.bind(Space::Global, id)?;
        self.push_exports(exports, ExternKind::Global, i);
        match import {
            Some(import) => self.push_import(at, import, ImportSrc::Global(ty))?,
            None => {
                self.last_def = Some("global");
                let start = c.pos;
                let end = c.skip_to_close()?;
                self.items.push(Item::Global {
                    ty,
                    init: Range { start, end },
                });
            }
        }
        Ok(())
    }

    /// `(tag id? (export ..)* (import ..)? typeuse)` (§6.6.9 of 3.0).
    fn tag_field(&mut self, c: &mut Cursor<'_, 'a>, at: &Token<'a>) -> Result<()> {
        let id = c.opt_id();
        let exports = Self::inline_exports(c)?;
        let import = Self::inline_import(c)?;
        let ty = type_use(c, false)?;
        let i = self.bind(Space::Tag, id)?;
        self.push_exports(exports, ExternKind::Tag, i);
        match import {
            Some(import) => self.push_import(at, import, ImportSrc::Tag(ty))?,
            None => {
                self.last_def = Some("tag");
                self.items.push(Item::Tag(ty));
            }
        }
        Ok(())
    }

    fn export_field(&mut self, c: &mut Cursor<'_, 'a>) -> Result<()> {
        let name = c.name()?;
        c.lparen()?;
        let kw = c.peek();
        let kind = match (kw.kind, kw.text) {
            (Kind::Keyword, "func") => ExternKind::Func,
            (Kind::Keyword, "table") => ExternKind::Table,
            (Kind::Keyword, "memory") => ExternKind::Memory,
            (Kind::Keyword, "global") => ExternKind::Global,
            (Kind::Keyword, "tag") if self.features.has(Feature::Exceptions) => ExternKind::Tag,
            _ => return Err(c.unexpected()),
        };
        c.bump();
        let i = idx(c)?;
        c.rparen()?;
        self.items.push(Item::Export { name, kind, idx: i });
        Ok(())
    }

    /// An offset: `(offset instr*)` or a single folded instruction.
    fn offset(c: &mut Cursor<'_, 'a>) -> Result<ExprSrc> {
        if c.eat_lparen_kw("offset") {
            let start = c.pos;
            let end = c.skip_to_close()?;
            c.rparen()?;
            return Ok(ExprSrc::Tokens(Range { start, end }));
        }
        let start = c.pos;
        let end = c.skip_group()?;
        Ok(ExprSrc::Tokens(Range { start, end }))
    }

    /// `(item instr*)` or single folded instructions, up to `)`.
    fn elem_exprs(c: &mut Cursor<'_, 'a>) -> Result<Vec<ExprSrc>> {
        let mut v = Vec::new();
        while c.at(Kind::LParen) {
            if c.eat_lparen_kw("item") {
                let start = c.pos;
                let end = c.skip_to_close()?;
                c.rparen()?;
                v.push(ExprSrc::Tokens(Range { start, end }));
            } else {
                let start = c.pos;
                let end = c.skip_group()?;
                v.push(ExprSrc::Tokens(Range { start, end }));
            }
        }
        Ok(v)
    }

    fn elem_field(&mut self, c: &mut Cursor<'_, 'a>) -> Result<()> {
        let id = c.opt_id();
        let mut table_omitted = false;
        let mode = if c.at_keyword("declare") {
            c.bump();
            ElemModeSrc::Declarative
        } else if c.at(Kind::Nat) || (c.at(Kind::LParen) && !c.at_lparen_kw("ref")) {
            let table = if c.at(Kind::Nat) {
                table_omitted = true;
                idx(c)?
            } else if c.eat_lparen_kw("table") {
                let t = idx(c)?;
                c.rparen()?;
                t
            } else {
                table_omitted = true;
                Idx::Num(0)
            };
            let offset = Self::offset(c)?;
            ElemModeSrc::Active { table, offset }
        } else {
            ElemModeSrc::Passive
        };
        let (ty, items) = if c.at_keyword("func") {
            c.bump();
            let mut v = Vec::new();
            while at_idx(c) {
                v.push(idx(c)?);
            }
            (RefType::FUNCREF, ElemItemsSrc::Funcs(v))
        } else if c.at_ref_type() {
            let ty = c.ref_type()?;
            (ty, ElemItemsSrc::Exprs(Self::elem_exprs(c)?))
        } else if table_omitted {
            let mut v = Vec::new();
            while at_idx(c) {
                v.push(idx(c)?);
            }
            (RefType::FUNCREF, ElemItemsSrc::Funcs(v))
        } else {
            return Err(c.unexpected());
        };
        self.bind(Space::Elem, id)?;
        self.items.push(Item::Elem { ty, mode, items });
        Ok(())
    }

    fn data_field(&mut self, c: &mut Cursor<'_, 'a>) -> Result<()> {
        let id = c.opt_id();
        let mode = if c.at(Kind::Nat) || c.at(Kind::LParen) {
            let memory = if c.at(Kind::Nat) {
                idx(c)?
            } else if c.eat_lparen_kw("memory") {
                let m = idx(c)?;
                c.rparen()?;
                m
            } else {
                Idx::Num(0)
            };
            let offset = Self::offset(c)?;
            DataModeSrc::Active { memory, offset }
        } else {
            DataModeSrc::Passive
        };
        let mut init = Vec::new();
        while c.at(Kind::String) {
            init.extend(c.string()?);
        }
        self.bind(Space::Data, id)?;
        self.items.push(Item::Data { init, mode });
        Ok(())
    }
}

/// Module-level context of pass two, shared with the instruction parser.
pub(crate) struct ModCx<'a> {
    pub features: Features,
    pub types: Types,
    /// The plain function types (final, without supertypes, alone in
    /// their group) by their first index, for implicit type uses.
    type_index: HashMap<FuncType, u32>,
    /// The module's type identifiers, for heap types in instructions.
    pub type_names: TypeNames<'a>,
    /// Field identifiers by (type index, identifier).
    pub field_names: HashMap<(u32, Cow<'a, str>), u32>,
    maps: Vec<HashMap<Cow<'a, str>, u32>>,
    /// Set when a function body uses `memory.init` or `data.drop`.
    pub needs_data_count: bool,
    /// Pass two over an incomplete pass one: unbound names resolve to 0.
    partial: bool,
    /// The instructions of the expression being parsed, in order.
    pub marks: Vec<Mark>,
    source_map: SourceMap,
    /// The named labels of the function body being parsed, by label index
    /// (see `BodyParser::number_label`).
    pub label_names: NameMap<'a, u32>,
}

impl<'a> ModCx<'a> {
    /// Files the marks of the expression just parsed under `place`.
    fn take_marks(&mut self, place: ExprPlace) {
        let marks = std::mem::take(&mut self.marks);
        self.source_map.insert(place, marks);
    }

    /// Records where module field `field` was written.
    fn field_at(&mut self, field: ModuleField, at: Option<(u32, u32)>) {
        if let Some(at) = at {
            self.source_map.insert_field(field, at);
        }
    }

    /// Resolves an index in `space`.
    pub fn resolve(&self, i: Idx<'a>, space: Space) -> Result<u32> {
        match i {
            Idx::Num(n) => Ok(n),
            Idx::Id(t) => match self
                .maps
                .get(space_slot(space))
                .and_then(|m| m.get(&*t.id_key()))
            {
                Some(&i) => Ok(i),
                None if self.partial => Ok(0),
                None => Err(t.error(format!("unknown {} {}", space.noun(), excerpt(t.text)))),
            },
        }
    }

    /// The index of the first type equal to `ft`, appending it if new.
    pub fn intern(&mut self, ft: FuncType) -> u32 {
        if let Some(&i) = self.type_index.get(&ft) {
            return i;
        }
        let i = self.types.push_func(ft.clone()).0;
        self.type_index.insert(ft, i);
        i
    }

    /// Resolves a type use (§6.6.3): the type index and, where known, the
    /// parameter types.
    pub fn resolve_type_use(&mut self, tu: &TypeUse<'a>) -> Result<(u32, Option<Vec<ValType>>)> {
        let inline_params = || tu.params.iter().map(|p| p.1).collect::<Vec<_>>();
        match tu.index {
            Some(i) => {
                let i = self.resolve(i, Space::Type)?;
                let known = self.types.func(TypeIdx(i));
                if tu.inline {
                    let Some(ft) = known else {
                        if self.partial {
                            return Ok((i, Some(inline_params())));
                        }
                        return Err(tu.at.error(format!("unknown type {i}")));
                    };
                    if ft.params != inline_params() || ft.results != tu.results {
                        return Err(tu.at.error("inline function type"));
                    }
                    Ok((i, Some(inline_params())))
                } else {
                    Ok((i, known.map(|ft| ft.params.clone())))
                }
            }
            None => {
                let params = inline_params();
                let i = self.intern(FuncType {
                    params: params.clone(),
                    results: tu.results.clone(),
                });
                Ok((i, Some(params)))
            }
        }
    }
}

/// Parses a module: `(module $id? field*)` or `field*`.
pub(crate) fn parse_module(
    toks: &[Token<'_>],
    features: Features,
) -> Result<(Module<'static>, SourceMap)> {
    let type_names = Rc::new(type_names(toks));
    let mut c = Cursor::new(toks);
    c.types = Some(type_names.clone());
    let mut f = Fields {
        features,
        items: Vec::new(),
        item_at: Vec::new(),
        types: Types::default(),
        type_at: Vec::new(),
        field_names: HashMap::new(),
        spaces: Default::default(),
        ids: Default::default(),
        field_ids: Vec::new(),
        last_def: None,
        has_start: false,
    };
    let mut module_id = None;
    let pass_one = (|| {
        if c.at_lparen_kw("module") {
            c.pos += 2;
            module_id = c.opt_id();
            f.fields(&mut c)?;
            c.rparen()?;
        } else {
            f.fields(&mut c)?;
        }
        if !c.at(Kind::Eof) {
            return Err(c.unexpected());
        }
        Ok(())
    })();
    match pass_one {
        Ok(()) => finish(f, toks, module_id, type_names, false),
        Err(e) => {
            // Errors are reported in source order, as by a one-pass parser:
            // an error inside the instructions of an earlier field wins.
            // Identifiers bound after the error are unknown here, so pass
            // two runs leniently and only its syntax errors count.
            match finish(f, toks, module_id, type_names, true) {
                Err(early) if (early.line, early.column) < (e.line, e.column) => Err(early),
                _ => Err(e),
            }
        }
    }
}

fn const_expr<'a>(
    m: &mut ModCx<'a>,
    toks: &[Token<'a>],
    src: ExprSrc,
    place: ExprPlace,
) -> Result<Expr<'static>> {
    let mut out = Vec::new();
    match src {
        ExprSrc::Tokens(r) => {
            parse_expr(m, toks, r, &HashMap::new(), ExprKind::Const, &mut out)?;
            m.take_marks(place);
        }
        ExprSrc::ZeroOffset(AddrType::I32) => out.extend_from_slice(&[0x41, 0x00, 0x0B]),
        ExprSrc::ZeroOffset(AddrType::I64) => out.extend_from_slice(&[0x42, 0x00, 0x0B]),
    }
    Ok(Expr {
        bytes: Cow::Owned(out),
        offset: 0,
    })
}

/// Owned copies of names.
fn owned_names<I>(map: NameMap<'_, I>) -> NameMap<'static, I> {
    map.into_iter()
        .map(|(i, n)| (i, Cow::Owned(n.into_owned())))
        .collect()
}

/// The name section's names of the module's identifiers (all but locals
/// and labels, which pass two adds function by function).
fn module_names(
    module_id: Option<Token<'_>>,
    ids: &[Vec<(u32, Token<'_>)>; 8],
    field_ids: Vec<(u32, u32, Token<'_>)>,
) -> Names<'static> {
    fn map<I: From<u32>>(ids: &[(u32, Token<'_>)]) -> NameMap<'static, I> {
        let mut map: Vec<(u32, Cow<'static, str>)> = ids
            .iter()
            .map(|(i, t)| (*i, Cow::Owned(id_name(t))))
            .collect();
        map.sort_by_key(|(i, _)| *i);
        map.into_iter().map(|(i, n)| (I::from(i), n)).collect()
    }
    let space = |s: Space| ids[space_slot(s)].as_slice();
    let mut fields: Vec<(TypeIdx, NameMap<'static, FieldIdx>)> = Vec::new();
    let mut field_ids = field_ids;
    field_ids.sort_by_key(|(t, f, _)| (*t, *f));
    for (t, f, id) in field_ids {
        let entry = (FieldIdx(f), Cow::Owned(id_name(&id)));
        match fields.last_mut() {
            Some((last, map)) if last.0 == t => map.push(entry),
            _ => fields.push((TypeIdx(t), vec![entry])),
        }
    }
    Names {
        module: module_id.map(|t| Cow::Owned(id_name(&t))),
        funcs: map(space(Space::Func)),
        locals: Vec::new(),
        labels: Vec::new(),
        types: map(space(Space::Type)),
        tables: map(space(Space::Table)),
        memories: map(space(Space::Memory)),
        globals: map(space(Space::Global)),
        elems: map(space(Space::Elem)),
        datas: map(space(Space::Data)),
        fields,
        tags: map(space(Space::Tag)),
    }
}

/// Pass two: builds the module.
fn finish<'a>(
    f: Fields<'a>,
    toks: &[Token<'a>],
    module_id: Option<Token<'a>>,
    type_names: TypeNames<'a>,
    partial: bool,
) -> Result<(Module<'static>, SourceMap)> {
    let mut type_index = HashMap::new();
    for (first, group) in f.types.groups() {
        if let [t] = group {
            if let (true, true, Some(ft)) = (t.is_final, t.supertypes.is_empty(), t.as_func()) {
                type_index.entry(ft.clone()).or_insert(first.0);
            }
        }
    }
    let Fields {
        features,
        items,
        item_at,
        types,
        type_at,
        field_names,
        spaces,
        ids,
        field_ids,
        ..
    } = f;
    let mut m = ModCx {
        features,
        types,
        type_index,
        type_names,
        field_names,
        maps: spaces.into_iter().map(|s| s.map).collect(),
        needs_data_count: false,
        partial,
        label_names: Vec::new(),
        marks: Vec::new(),
        source_map: SourceMap::default(),
    };
    for (i, &at) in type_at.iter().enumerate() {
        m.field_at(ModuleField::Type(i as u32), Some(at));
    }
    let mut module = Module::default();
    let mut names = module_names(module_id, &ids, field_ids);
    let mut func_index = 0u32;
    for (n, item) in items.into_iter().enumerate() {
        let at = item_at.get(n).copied();
        let count = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        match item {
            Item::Import {
                module: mname,
                name,
                desc,
            } => {
                let exact = matches!(desc, ImportSrc::Func(_, true));
                let desc = match desc {
                    ImportSrc::Func(tu, _) => {
                        let (ti, _) = m.resolve_type_use(&tu)?;
                        let local_names: Vec<_> = tu
                            .params
                            .iter()
                            .enumerate()
                            .filter_map(|(i, (id, _))| {
                                id.map(|t| (LocalIdx(i as u32), Cow::Owned(id_name(&t))))
                            })
                            .collect();
                        if !local_names.is_empty() {
                            names.locals.push((FuncIdx(func_index), local_names));
                        }
                        func_index += 1;
                        ImportDesc::Func(TypeIdx(ti))
                    }
                    ImportSrc::Table(t) => ImportDesc::Table(t),
                    ImportSrc::Memory(t) => ImportDesc::Memory(t),
                    ImportSrc::Global(t) => ImportDesc::Global(t),
                    ImportSrc::Tag(tu) => ImportDesc::Tag(TagType {
                        ty: TypeIdx(m.resolve_type_use(&tu)?.0),
                    }),
                };
                m.field_at(ModuleField::Import(count(module.imports.len())), at);
                module.imports.push(Import {
                    module: Cow::Owned(mname),
                    name: Cow::Owned(name),
                    desc,
                    exact,
                });
            }
            Item::Func { ty, locals, body } => {
                let (ti, params) = m.resolve_type_use(&ty)?;
                let mut local_map: HashMap<Cow<'a, str>, u32> = HashMap::new();
                let mut local_names = Vec::new();
                let nparams = params.as_ref().map_or(0, |p| p.len()) as u32;
                let mut bind = |id: Option<Token<'a>>, i: u32| -> Result<()> {
                    if let Some(t) = id {
                        if local_map.insert(t.id_key(), i).is_some() {
                            return Err(t.error(format!("duplicate local {}", excerpt(t.text))));
                        }
                        local_names.push((LocalIdx(i), Cow::Owned(id_name(&t))));
                    }
                    Ok(())
                };
                if ty.inline {
                    for (i, (id, _)) in ty.params.iter().enumerate() {
                        bind(*id, i as u32)?;
                    }
                }
                for (i, (id, _)) in locals.iter().enumerate() {
                    bind(*id, nparams + i as u32)?;
                }
                let mut out = Vec::new();
                parse_expr(&mut m, toks, body, &local_map, ExprKind::Func, &mut out)?;
                m.take_marks(ExprPlace::Code(module.code.len()));
                let labels = std::mem::take(&mut m.label_names);
                if !labels.is_empty() {
                    names
                        .labels
                        .push((FuncIdx(func_index), owned_names(labels)));
                }
                if !local_names.is_empty() && params.is_some() {
                    names.locals.push((FuncIdx(func_index), local_names));
                }
                let mut runs: Vec<Locals> = Vec::new();
                for (_, t) in &locals {
                    match runs.last_mut() {
                        Some(r) if r.ty == *t => r.count += 1,
                        _ => runs.push(Locals { count: 1, ty: *t }),
                    }
                }
                m.field_at(ModuleField::Func(count(module.funcs.len())), at);
                module.funcs.push(TypeIdx(ti));
                module.code.push(Code {
                    locals: runs,
                    body: Expr {
                        bytes: Cow::Owned(out),
                        offset: 0,
                    },
                });
                func_index += 1;
            }
            Item::Table { ty, init } => {
                let init = match init {
                    Some(r) => Some(const_expr(
                        &mut m,
                        toks,
                        ExprSrc::Tokens(r),
                        ExprPlace::Table(module.tables.len()),
                    )?),
                    None => None,
                };
                m.field_at(ModuleField::Table(count(module.tables.len())), at);
                module.tables.push(Table { ty, init });
            }
            Item::Memory(t) => {
                m.field_at(ModuleField::Memory(count(module.mems.len())), at);
                module.mems.push(t);
            }
            Item::Tag(tu) => {
                m.field_at(ModuleField::Tag(count(module.tags.len())), at);
                module.tags.push(TagType {
                    ty: TypeIdx(m.resolve_type_use(&tu)?.0),
                });
            }
            Item::Global { ty, init } => {
                let place = ExprPlace::Global(module.globals.len());
                let init = const_expr(&mut m, toks, ExprSrc::Tokens(init), place)?;
                m.field_at(ModuleField::Global(count(module.globals.len())), at);
                module.globals.push(Global { ty, init });
            }
            Item::Export { name, kind, idx } => {
                let desc = match kind {
                    ExternKind::Func => ExportDesc::Func(FuncIdx(m.resolve(idx, Space::Func)?)),
                    ExternKind::Table => ExportDesc::Table(TableIdx(m.resolve(idx, Space::Table)?)),
                    ExternKind::Memory => {
                        ExportDesc::Memory(MemIdx(m.resolve(idx, Space::Memory)?))
                    }
                    ExternKind::Global => {
                        ExportDesc::Global(GlobalIdx(m.resolve(idx, Space::Global)?))
                    }
                    ExternKind::Tag => ExportDesc::Tag(TagIdx(m.resolve(idx, Space::Tag)?)),
                };
                m.field_at(ModuleField::Export(count(module.exports.len())), at);
                module.exports.push(Export {
                    name: Cow::Owned(name),
                    desc,
                });
            }
            Item::Start(i) => {
                m.field_at(ModuleField::Start, at);
                module.start = Some(FuncIdx(m.resolve(i, Space::Func)?));
            }
            Item::Elem { ty, mode, items } => {
                let mode = match mode {
                    ElemModeSrc::Passive => ElemMode::Passive,
                    ElemModeSrc::Declarative => ElemMode::Declarative,
                    ElemModeSrc::Active { table, offset } => ElemMode::Active {
                        table: TableIdx(m.resolve(table, Space::Table)?),
                        offset: const_expr(
                            &mut m,
                            toks,
                            offset,
                            ExprPlace::ElemOffset(module.elems.len()),
                        )?,
                    },
                };
                let items = match items {
                    ElemItemsSrc::Funcs(v) => {
                        let mut funcs = Vec::with_capacity(v.len());
                        for i in v {
                            funcs.push(FuncIdx(m.resolve(i, Space::Func)?));
                        }
                        if ty == RefType::FUNCREF {
                            ElemItems::Funcs(funcs)
                        } else {
                            ElemItems::Exprs(
                                funcs
                                    .into_iter()
                                    .map(|f| {
                                        let mut b = vec![0xD2];
                                        crate::body::write_u32(&mut b, f.0);
                                        b.push(0x0B);
                                        Expr {
                                            bytes: Cow::Owned(b),
                                            offset: 0,
                                        }
                                    })
                                    .collect(),
                            )
                        }
                    }
                    ElemItemsSrc::Exprs(v) => {
                        let mut exprs = Vec::with_capacity(v.len());
                        for e in v {
                            let place = ExprPlace::ElemItem(module.elems.len(), exprs.len());
                            exprs.push(const_expr(&mut m, toks, e, place)?);
                        }
                        ElemItems::Exprs(exprs)
                    }
                };
                m.field_at(ModuleField::Elem(count(module.elems.len())), at);
                module.elems.push(Elem { ty, items, mode });
            }
            Item::Data { init, mode } => {
                let mode = match mode {
                    DataModeSrc::Passive => DataMode::Passive,
                    DataModeSrc::Active { memory, offset } => DataMode::Active {
                        memory: MemIdx(m.resolve(memory, Space::Memory)?),
                        offset: const_expr(
                            &mut m,
                            toks,
                            offset,
                            ExprPlace::DataOffset(module.datas.len()),
                        )?,
                    },
                };
                m.field_at(ModuleField::Data(count(module.datas.len())), at);
                module.datas.push(Data {
                    init: Cow::Owned(init),
                    mode,
                });
            }
        }
    }
    if m.needs_data_count {
        module.data_count = Some(module.datas.len() as u32);
    }
    module.types = m.types;
    module.names = names;
    Ok((module, m.source_map))
}

#[cfg(test)]
mod tests {
    use crate::parse_wat;
    use weft_syntax::{Features, FuncType, ValType};

    fn err(src: &str) -> (String, usize, usize) {
        let e = parse_wat(src, Features::WASM2).unwrap_err();
        (e.message, e.line, e.column)
    }

    #[test]
    fn errors_carry_positions() {
        assert_eq!(
            err("(module\n  (func (i32.const 0x)))"),
            ("unknown operator 0x".into(), 2, 20)
        );
        assert_eq!(
            err("(func $f) (func $f)"),
            ("duplicate func $f".into(), 1, 17)
        );
        assert_eq!(
            err("(func (local.get $x))"),
            ("unknown local $x".into(), 1, 18)
        );
        assert_eq!(err("(func (br $l))").0, "unknown label $l");
        assert_eq!(err("(func block $a end $b)").0, "mismatching label");
        assert_eq!(err("(func (nop) (local i32))").0, "unexpected token");
        assert_eq!(
            err("(func (i32.load align=3))").0,
            "alignment must be a power of two"
        );
        assert_eq!(
            err("(func) (import \"a\" \"b\" (func))").0,
            "import after function"
        );
        assert_eq!(
            err("(func (export \"\\ff\"))").0,
            "malformed UTF-8 encoding"
        );
        // The earlier error wins even though pass one finds the later one.
        assert_eq!(err("(func (i32.const 1x)) )").0, "unknown operator 1x");
    }

    #[test]
    fn implicit_types_come_last_in_order_of_use() {
        let m = parse_wat(
            "(func (param i32)) (type (func)) (func (result i32) (i32.const 0)) (func (param i32))",
            Features::WASM2,
        )
        .unwrap();
        let ft = |p: &[ValType], r: &[ValType]| FuncType {
            params: p.to_vec(),
            results: r.to_vec(),
        };
        assert_eq!(
            m.types,
            weft_syntax::Types::from_iter([
                ft(&[], &[]),
                ft(&[ValType::I32], &[]),
                ft(&[], &[ValType::I32])
            ])
        );
        assert_eq!(m.funcs.iter().map(|t| t.0).collect::<Vec<_>>(), [1, 2, 1]);
    }

    #[test]
    fn bodies_and_names() {
        let m = parse_wat(
            "(module $m (func $f (param $p i32) (local $a i64) (local i64 f32)\n\
             (block $b (br_if $b (local.get $p))) (drop (i64.const -1))))",
            Features::WASM2,
        )
        .unwrap();
        assert_eq!(
            m.code[0].body.bytes.as_ref(),
            [0x02, 0x40, 0x20, 0x00, 0x0D, 0x00, 0x0B, 0x42, 0x7F, 0x1A, 0x0B]
        );
        assert_eq!(m.code[0].locals.len(), 2);
        assert_eq!(m.code[0].locals[0].count, 2);
        assert_eq!(m.names.module.as_deref(), Some("m"));
        assert_eq!(m.names.funcs[0].1, "f");
        assert_eq!(m.names.locals[0].1.len(), 2);
    }
}
