//! Modules (§3.4): the context `C` built from the module's definitions and
//! the checks of every part, in the order of the reference interpreter, so
//! that a module with several errors reports the same first one.

use crate::const_expr::validate_const_expr;
use crate::error::{Result, ValidationError};
use crate::func::{Buffers, FuncValidator};
use crate::subtyping::{check_val_type, Kind, TypeTable};
use crate::types::{OpType, Pool, Sig};
use std::collections::HashSet;
use weft_syntax::{
    AddrType, CompositeType, CustomPlace, DataMode, Elem, ElemItems, ElemMode, ExportDesc, Feature,
    Features, FieldType, FuncType, GlobalType, HeapType, ImportDesc, Limits, MemType, Module,
    ModuleField, Mut, RefType, StorageType, TableType, TagType, TypeIdx, ValType,
};

/// The validation context `C` (§3.1.1), with types in the validator's own
/// representation.
#[derive(Debug)]
pub(crate) struct Context {
    pub features: Features,
    /// `C.types` for matching: canonical indices, kinds, supertypes.
    pub subtypes: TypeTable,
    /// Type lists of `types`.
    pub pool: Pool,
    /// `C.types` as signatures (empty for struct and array types).
    pub types: Vec<Sig>,
    /// `C.funcs` as type indices, all valid.
    pub funcs: Vec<u32>,
    /// Whether `ref.func` of each function is exact (custom descriptors):
    /// defined functions and exact imports.
    pub funcs_exact: Vec<bool>,
    /// `C.tables`.
    pub tables: Vec<TableType>,
    /// The element type of every table.
    pub table_elems: Vec<OpType>,
    /// `C.mems`.
    pub mems: Vec<MemType>,
    /// `C.globals`.
    pub globals: Vec<GlobalType>,
    /// `C.tags` as the type indices of their (valid) function types.
    pub tags: Vec<u32>,
    /// The value type of every global.
    pub global_types: Vec<OpType>,
    /// How many of `globals` are imported: without GC, constant
    /// expressions see only those (`C'` in §3.4.10).
    pub imported_globals: usize,
    /// `C.elems`.
    pub elems: Vec<OpType>,
    /// `C.datas` as a count, or `None` without a data count section, in
    /// which case bulk data instructions do not decode.
    pub data_count: Option<u32>,
    /// `C.refs`: functions declared outside function bodies.
    pub refs: Vec<bool>,
    /// The fields of struct and array types (an array's element is its one
    /// field), by type index as `(start, len)` into `fields`.
    pub field_spans: Vec<(u32, u32)>,
    /// The fields of all struct and array types.
    pub fields: Vec<Field>,
}

/// A field of a struct or array type as the GC instructions need it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    /// The type of the field's value on the operand stack (§3.2.6 of 3.0,
    /// `unpack`).
    pub ty: OpType,
    /// The declared storage type.
    pub storage: StorageType,
    pub mutable: bool,
}

impl Field {
    /// Whether allocations without initial values may hold this field:
    /// every storage type but non-null references has a default.
    pub(crate) fn defaultable(self) -> bool {
        !matches!(self.storage, StorageType::Val(ValType::Ref(r)) if !r.nullable)
    }
}

/// Where a function body sits in its binary, which decides what the
/// reference decoder reports for a body that runs out before its final
/// `end` (see [`missing_end`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyPlace {
    /// Another body follows in the code section.
    NotLast,
    /// The last body, and more sections follow the code section.
    LastFollowed,
    /// The last body of the last section.
    LastAtEnd,
}

/// The error for a body that ends before its final `end`. The reference
/// decoder reads bodies from the section's stream without a bound, so it
/// reads on into what follows: the size byte of the next body (reported as
/// "END opcode expected"), the next section's id (0x0B is `end`, after
/// which the section's size does not match) or the end of the input.
pub(crate) fn missing_end(place: BodyPlace, offset: usize) -> ValidationError {
    let message = match place {
        BodyPlace::NotLast => "END opcode expected",
        BodyPlace::LastFollowed => "section size mismatch: function body without final end",
        BodyPlace::LastAtEnd => "unexpected end of section or function",
    };
    ValidationError::malformed_at(message, offset)
}

/// The place of body `i` of `module`.
pub(crate) fn body_place(module: &Module<'_>, i: usize) -> BodyPlace {
    if i + 1 < module.code.len() {
        return BodyPlace::NotLast;
    }
    let followed = !module.datas.is_empty()
        || !module.names.is_empty()
        || module
            .customs
            .iter()
            .any(|c| matches!(c.place, CustomPlace::After(10 | 11)));
    if followed {
        BodyPlace::LastFollowed
    } else {
        BodyPlace::LastAtEnd
    }
}

/// §3.2.3 function types: without multi-value, at most one result (the
/// value types are checked with the type section, see `subtyping`).
fn check_func_type(features: Features, ft: &FuncType) -> Result<()> {
    if ft.results.len() > 1 && !features.has(Feature::MultiValue) {
        return Err(ValidationError::invalid(
            "invalid result arity: multiple results require multi-value",
        ));
    }
    Ok(())
}

/// The type of an element segment. A segment of function indices (element
/// kind `0x00` in binary, `func` in text) is `funcref` in Wasm 2.0 and
/// `(ref func)` with function references (§5.5.12 of 3.0); the module holds
/// `funcref`, the 2.0 reading, for either.
fn elem_type(features: Features, e: &Elem<'_>) -> RefType {
    match e.items {
        ElemItems::Funcs(_) if features.has(Feature::FunctionReferences) => {
            RefType::non_null(HeapType::Func)
        }
        _ => e.ty,
    }
}

/// §3.2.1 limits within `range`.
fn check_limits(limits: Limits, range: u64, message: &str) -> Result<()> {
    if limits.min > range {
        return Err(ValidationError::invalid(message));
    }
    if let Some(max) = limits.max {
        if max > range {
            return Err(ValidationError::invalid(message));
        }
        if limits.min > max {
            return Err(ValidationError::invalid(
                "size minimum must not be greater than maximum",
            ));
        }
    }
    Ok(())
}

/// §3.2.4 table types: at most 2^32-1 (or, 64-bit, 2^64-1) entries.
fn check_table_type(features: Features, num_types: usize, t: &TableType) -> Result<()> {
    check_val_type(features, num_types, ValType::Ref(t.elem)).map_err(ValidationError::invalid)?;
    match t.addr {
        AddrType::I32 => check_limits(
            t.limits,
            u64::from(u32::MAX),
            "table size must be at most 2^32-1",
        ),
        AddrType::I64 => check_limits(t.limits, u64::MAX, "table size must be at most 2^64-1"),
    }
}

/// §3.2.5 memory types: at most 2^32 (or, 64-bit, 2^64) bytes of pages,
/// as a number of pages that fits the address type; pages of 64 KiB or, with
/// custom page sizes, of 1 byte; shared memories (threads) have a maximum.
fn check_mem_type(t: &MemType) -> Result<()> {
    let log2 = t.page_size_log2();
    if log2 != 0 && log2 != MemType::DEFAULT_PAGE_SIZE_LOG2 {
        return Err(ValidationError::invalid(format!(
            "invalid custom page size: 2^{log2} bytes, must be 1 or 65536"
        )));
    }
    let bits = match t.addr {
        AddrType::I32 => 32,
        AddrType::I64 => 64,
    };
    let pages = ((1u128 << bits) >> log2).min((1u128 << bits) - 1) as u64;
    let message = match (t.addr, log2) {
        (AddrType::I32, 16) => "memory size must be at most 65536 pages (4GiB)".to_string(),
        _ => format!("memory size must be at most {pages} pages"),
    };
    check_limits(t.limits, pages, &message)?;
    if t.shared && t.limits.max.is_none() {
        return Err(ValidationError::invalid("shared memory must have maximum"));
    }
    Ok(())
}

/// §3.2.6 global types.
fn check_global_type(features: Features, num_types: usize, t: &GlobalType) -> Result<()> {
    check_val_type(features, num_types, t.content).map_err(ValidationError::invalid)
}

impl Context {
    /// Builds `C` (§3.4.10) after checking the type section. Unknown type
    /// indices of functions are reported here, as the reference interpreter
    /// does while building its context.
    fn new(module: &Module<'_>, features: Features) -> Result<Context> {
        let subtypes = TypeTable::new(&module.types, features)?;
        let mut pool = Pool::new();
        let mut scratch = Vec::new();
        let mut types = Vec::with_capacity(module.types.len());
        let mut field_spans = Vec::with_capacity(module.types.len());
        let mut fields = Vec::new();
        for t in &module.types {
            let start = u32::try_from(fields.len()).unwrap_or(u32::MAX);
            let declared: &[FieldType] = match &t.composite {
                CompositeType::Func(_) => &[],
                CompositeType::Struct(s) => &s.fields,
                CompositeType::Array(a) => std::slice::from_ref(&a.field),
            };
            fields.extend(declared.iter().map(|f| Field {
                ty: subtypes.val(f.storage.unpacked()),
                storage: f.storage,
                mutable: f.mutability == Mut::Var,
            }));
            field_spans.push((start, u32::try_from(declared.len()).unwrap_or(u32::MAX)));
            types.push(match &t.composite {
                CompositeType::Func(ft) => {
                    check_func_type(features, ft)?;
                    let mut list = |ts: &[ValType]| {
                        scratch.clear();
                        scratch.extend(ts.iter().map(|&t| subtypes.val(t)));
                        pool.add(&scratch)
                    };
                    Sig {
                        params: list(&ft.params),
                        results: list(&ft.results),
                    }
                }
                CompositeType::Struct(_) | CompositeType::Array(_) => Sig::default(),
            });
        }
        let num_types = types.len();
        let mut cx = Context {
            features,
            subtypes,
            pool,
            types,
            funcs: Vec::new(),
            funcs_exact: Vec::new(),
            tables: Vec::new(),
            table_elems: Vec::new(),
            mems: Vec::new(),
            globals: Vec::new(),
            tags: Vec::new(),
            global_types: Vec::new(),
            imported_globals: 0,
            elems: Vec::new(),
            data_count: module.data_count,
            refs: Vec::new(),
            field_spans,
            fields,
        };
        let func_type = |cx: &Context, t: weft_syntax::TypeIdx| -> Result<u32> {
            match cx.subtypes.kind(t.0) {
                Some(Kind::Func) => Ok(t.0),
                Some(_) => Err(ValidationError::invalid(format!(
                    "type mismatch: type {t} of a function is not a function type"
                ))),
                None => Err(ValidationError::invalid(format!("unknown type {t}"))),
            }
        };
        for (k, import) in (0u32..).zip(&module.imports) {
            let in_import = |e: ValidationError| e.in_field(ModuleField::Import(k));
            match &import.desc {
                ImportDesc::Func(t) => {
                    let t = func_type(&cx, *t).map_err(in_import)?;
                    cx.funcs.push(t);
                    cx.funcs_exact.push(import.exact);
                }
                ImportDesc::Table(t) => {
                    check_table_type(features, num_types, t).map_err(in_import)?;
                    cx.tables.push(*t);
                }
                ImportDesc::Memory(m) => {
                    check_mem_type(m).map_err(in_import)?;
                    cx.mems.push(*m);
                }
                ImportDesc::Global(g) => {
                    check_global_type(features, num_types, g).map_err(in_import)?;
                    if g.mutability == Mut::Var && !features.has(Feature::MutableGlobal) {
                        return Err(in_import(ValidationError::invalid(
                            "mutable globals cannot be imported",
                        )));
                    }
                    cx.globals.push(*g);
                }
                ImportDesc::Tag(t) => {
                    let t = tag_type(&cx, *t).map_err(in_import)?;
                    cx.tags.push(t);
                }
            }
        }
        cx.imported_globals = cx.globals.len();
        for (k, &t) in (0u32..).zip(&module.tags) {
            let t = tag_type(&cx, t).map_err(|e| e.in_field(ModuleField::Tag(k)))?;
            cx.tags.push(t);
        }
        for (k, &t) in (0u32..).zip(&module.funcs) {
            let t = func_type(&cx, t).map_err(|e| e.in_field(ModuleField::Func(k)))?;
            cx.funcs.push(t);
            cx.funcs_exact.push(true);
        }
        // Types of definitions are checked before they are used (tables,
        // globals and element segments below, in `validate_module`); until
        // then an unknown type index maps to a harmless operand type.
        cx.tables.extend(module.tables.iter().map(|t| t.ty));
        cx.mems.extend(module.mems.iter().copied());
        cx.globals.extend(module.globals.iter().map(|g| g.ty));
        cx.table_elems = cx
            .tables
            .iter()
            .map(|t| cx.subtypes.reference(t.elem))
            .collect();
        cx.global_types = cx
            .globals
            .iter()
            .map(|g| cx.subtypes.val(g.content))
            .collect();
        cx.elems = module
            .elems
            .iter()
            .map(|e| cx.subtypes.reference(elem_type(features, e)))
            .collect();
        cx.refs = vec![false; cx.funcs.len()];
        Ok(cx)
    }

    /// The fields of struct type `ty` (GC instructions).
    pub(crate) fn struct_fields(&self, ty: TypeIdx) -> std::result::Result<&[Field], String> {
        match self.subtypes.kind(ty.0) {
            Some(Kind::Struct) => Ok(self.fields_of(ty)),
            Some(_) => Err(format!("type mismatch: type {ty} is not a struct type")),
            None => Err(format!("unknown type {ty}")),
        }
    }

    /// The element field of array type `ty` (GC instructions).
    pub(crate) fn array_field(&self, ty: TypeIdx) -> std::result::Result<Field, String> {
        match (self.subtypes.kind(ty.0), self.fields_of(ty)) {
            (Some(Kind::Array), &[f]) => Ok(f),
            (Some(_), _) => Err(format!("type mismatch: type {ty} is not an array type")),
            (None, _) => Err(format!("unknown type {ty}")),
        }
    }

    fn fields_of(&self, ty: TypeIdx) -> &[Field] {
        let Some(&(start, len)) = self.field_spans.get(ty.index()) else {
            return &[];
        };
        let start = start as usize;
        self.fields.get(start..start + len as usize).unwrap_or(&[])
    }

    /// The operand type `ref.func` gives function `idx`, which must exist:
    /// `(ref $t)` of its type with function references, else `funcref`.
    pub(crate) fn func_ref(&self, idx: usize) -> OpType {
        match self.funcs.get(idx) {
            Some(&t) if self.features.has(Feature::FunctionReferences) => {
                let exact = self.features.has(Feature::CustomDescriptors)
                    && self.funcs_exact.get(idx).copied().unwrap_or(false);
                let h = if exact {
                    HeapType::Exact(TypeIdx(t))
                } else {
                    HeapType::Concrete(TypeIdx(t))
                };
                OpType::reference(false, self.subtypes.heap(h))
            }
            _ => OpType::FUNCREF,
        }
    }

    /// The signature of function `idx`, which must exist.
    fn func_sig(&self, idx: usize) -> Option<Sig> {
        let t = *self.funcs.get(idx)?;
        self.types.get(t as usize).copied()
    }
}

/// §3.2.11 of 3.0: a tag type is a function type with no results.
/// Returns its type index.
fn tag_type(cx: &Context, t: TagType) -> Result<u32> {
    let ty = t.ty;
    match cx.subtypes.kind(ty.0) {
        Some(Kind::Func) => {}
        Some(_) => {
            return Err(ValidationError::invalid(format!(
                "type mismatch: type {ty} of a tag is not a function type"
            )))
        }
        None => return Err(ValidationError::invalid(format!("unknown type {ty}"))),
    }
    match cx.types.get(ty.index()) {
        Some(sig) if sig.results.len == 0 => Ok(ty.0),
        _ => Err(ValidationError::invalid("non-empty tag result type")),
    }
}

/// Validates `module` (§3.4.10), reusing `buffers` for the function bodies.
pub(crate) fn validate_module(
    module: &Module<'_>,
    features: Features,
    buffers: &mut Buffers,
) -> Result<()> {
    let mut cx = Context::new(module, features)?;
    let mut scratch = Vec::new();

    let num_types = cx.types.len();
    // With GC, constant expressions see every global defined before them
    // (§3.4.10 of 3.0); before, only the imported ones (`C'`).
    let gc = features.has(Feature::Gc);

    // Exports and plain function-index element items declare functions
    // for `ref.func`; constant expressions declare theirs as they are
    // validated below, all before the first function body.
    for e in &module.exports {
        if let ExportDesc::Func(f) = e.desc {
            if let Some(d) = cx.refs.get_mut(f.index()) {
                *d = true;
            }
        }
    }

    // §3.4.4 globals.
    for (i, g) in module.globals.iter().enumerate() {
        let in_global = |e: ValidationError| e.in_field(ModuleField::Global(i as u32));
        check_global_type(features, num_types, &g.ty).map_err(in_global)?;
        let visible = if gc {
            cx.imported_globals + i
        } else {
            cx.imported_globals
        };
        let ty = cx.subtypes.val(g.ty.content);
        validate_const_expr(&mut cx, &g.init, ty, visible, &mut scratch).map_err(in_global)?;
    }

    // §3.4.2 tables: a table of a non-nullable type needs an initialiser,
    // which sees only the imported globals.
    for (k, t) in (0u32..).zip(&module.tables) {
        let in_table = |e: ValidationError| e.in_field(ModuleField::Table(k));
        check_table_type(features, num_types, &t.ty).map_err(in_table)?;
        let elem = cx.subtypes.reference(t.ty.elem);
        let imported = cx.imported_globals;
        match &t.init {
            Some(init) => validate_const_expr(&mut cx, init, elem, imported, &mut scratch)
                .map_err(in_table)?,
            None if !t.ty.elem.nullable => {
                return Err(in_table(ValidationError::invalid(format!(
                    "type mismatch: a table of {elem} needs an initialiser"
                ))))
            }
            None => {}
        }
    }
    // §3.4.3 memories.
    for (k, m) in (0u32..).zip(&module.mems) {
        check_mem_type(m).map_err(|e| e.in_field(ModuleField::Memory(k)))?;
    }

    // Element and data segments see every global with GC.
    let visible = if gc {
        cx.globals.len()
    } else {
        cx.imported_globals
    };

    // §3.4.5 element segments.
    for (k, elem) in (0u32..).zip(&module.elems) {
        let mut segment = || -> Result<()> {
            check_val_type(features, num_types, ValType::Ref(elem.ty))
                .map_err(ValidationError::invalid)?;
            let ty = cx.subtypes.reference(elem_type(features, elem));
            match &elem.items {
                ElemItems::Funcs(funcs) => {
                    for f in funcs {
                        match cx.refs.get_mut(f.index()) {
                            Some(d) => *d = true,
                            None => {
                                return Err(ValidationError::invalid(format!(
                                    "unknown function {f}"
                                )))
                            }
                        }
                        let item = cx.func_ref(f.index());
                        if !cx.subtypes.matches(item, ty) {
                            return Err(ValidationError::invalid(format!(
                            "type mismatch: function {f} of type {item} in an element segment of type {}",
                            elem.ty
                        )));
                        }
                    }
                }
                ElemItems::Exprs(exprs) => {
                    for e in exprs {
                        validate_const_expr(&mut cx, e, ty, visible, &mut scratch)?;
                    }
                }
            }
            match &elem.mode {
                ElemMode::Passive | ElemMode::Declarative => {}
                ElemMode::Active { table, offset } => {
                    let t = cx.tables.get(table.index()).ok_or_else(|| {
                        ValidationError::invalid(format!("unknown table {table}"))
                    })?;
                    let table_elem = cx.subtypes.reference(t.elem);
                    if !cx.subtypes.matches(ty, table_elem) {
                        return Err(ValidationError::invalid(format!(
                            "type mismatch: element segment of type {} for a table of {}",
                            elem.ty, t.elem
                        )));
                    }
                    let addr = OpType::of_addr(t.addr);
                    validate_const_expr(&mut cx, offset, addr, visible, &mut scratch)?;
                }
            }
            Ok(())
        };
        segment().map_err(|e| e.in_field(ModuleField::Elem(k)))?;
    }

    // §3.4.6 data segments.
    for (k, data) in (0u32..).zip(&module.datas) {
        let in_data = |e: ValidationError| e.in_field(ModuleField::Data(k));
        match &data.mode {
            DataMode::Passive => {}
            DataMode::Active { memory, offset } => {
                let m = cx.mems.get(memory.index()).ok_or_else(|| {
                    in_data(ValidationError::invalid(format!("unknown memory {memory}")))
                })?;
                let addr = OpType::of_addr(m.addr);
                validate_const_expr(&mut cx, offset, addr, visible, &mut scratch)
                    .map_err(in_data)?;
            }
        }
    }

    // §3.4.1 functions.
    if module.funcs.len() != module.code.len() {
        return Err(ValidationError {
            message: "function and code section have inconsistent lengths".into(),
            offset: None,
            malformed: true,
            field: None,
        });
    }
    let imported_funcs = cx.funcs.len() - module.funcs.len();
    let mut fv = FuncValidator::new(&cx, std::mem::take(buffers));
    let mut result = Ok(());
    for (i, code) in module.code.iter().enumerate() {
        let sig = cx.func_sig(imported_funcs + i).unwrap_or_default();
        result = fv.validate_body(sig, code, body_place(module, i));
        if result.is_err() {
            break;
        }
    }
    *buffers = fv.into_buffers();
    result?;

    // §3.4.7 the start function: type [] -> [].
    if let Some(start) = module.start {
        let in_start = |e: ValidationError| e.in_field(ModuleField::Start);
        let sig = cx.func_sig(start.index()).ok_or_else(|| {
            in_start(ValidationError::invalid(format!(
                "unknown function {start}"
            )))
        })?;
        if sig.params.len != 0 || sig.results.len != 0 {
            return Err(in_start(ValidationError::invalid(
                "start function must not have parameters or results",
            )));
        }
    }

    // §3.4.8 exports: known indices, distinct names.
    let mut names = HashSet::with_capacity(module.exports.len());
    for (k, e) in (0u32..).zip(&module.exports) {
        let in_export = |e: ValidationError| e.in_field(ModuleField::Export(k));
        let (len, noun) = match e.desc {
            ExportDesc::Func(_) => (cx.funcs.len(), "function"),
            ExportDesc::Table(_) => (cx.tables.len(), "table"),
            ExportDesc::Memory(_) => (cx.mems.len(), "memory"),
            ExportDesc::Global(_) => (cx.globals.len(), "global"),
            ExportDesc::Tag(_) => (cx.tags.len(), "tag"),
        };
        let idx = e.desc.index();
        if idx as usize >= len {
            return Err(in_export(ValidationError::invalid(format!(
                "unknown {noun} {idx}"
            ))));
        }
        if let ExportDesc::Global(g) = e.desc {
            let mutable = cx.globals.get(g.index()).map(|g| g.mutability) == Some(Mut::Var);
            if mutable && !features.has(Feature::MutableGlobal) {
                return Err(in_export(ValidationError::invalid(
                    "mutable globals cannot be exported",
                )));
            }
        }
        if !names.insert(&*e.name) {
            return Err(in_export(ValidationError::invalid(format!(
                "duplicate export name \"{}\"",
                weft_syntax::excerpt(&e.name)
            ))));
        }
    }

    // §3.4.10: at most one memory without multi-memory, at most one table
    // without reference types.
    if cx.mems.len() > 1 && !features.has(Feature::MultiMemory) {
        return Err(ValidationError::invalid("multiple memories"));
    }
    if cx.tables.len() > 1 && !features.has(Feature::ReferenceTypes) {
        return Err(ValidationError::invalid("multiple tables"));
    }
    Ok(())
}
