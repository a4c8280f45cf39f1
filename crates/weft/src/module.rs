//! [`Module`]: a decoded and validated module, shareable across threads and
//! stores, with its lazily translated function bodies.

use crate::engine::{CompilationMode, Engine};
use crate::error::FrameInfo;
use crate::interp::code::CompiledFunc;
use crate::{Error, ErrorKind, Result};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use weft_syntax as syn;
use weft_syntax::{
    ExportDesc, ExternKind, Feature, Features, FuncType, GlobalType, ImportDesc, MemType,
    TableType, TypeIdx,
};

/// A compiled module: decoded, validated, and ready to instantiate any
/// number of times in any store of its engine. Cheap to clone (shared),
/// `Send + Sync`.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Module};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "f") (result i32) i32.const 7))"#)?;
/// assert_eq!(module.exports().next().unwrap().name(), "f");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub(crate) engine: Engine,
    pub(crate) module: syn::Module<'static>,
    /// Engine-wide ids of the type section's types (see `types.rs`).
    pub(crate) type_ids: Vec<u32>,
    /// The type of every function, imports first.
    pub(crate) func_types: Vec<TypeIdx>,
    pub(crate) num_imported_funcs: usize,
    /// Every global's type, imports first.
    pub(crate) global_types: Vec<GlobalType>,
    /// Every table's type, imports first.
    pub(crate) table_types: Vec<TableType>,
    /// Every memory's type, imports first.
    pub(crate) mem_types: Vec<MemType>,
    /// Tag types in the tag index space (imports first).
    pub(crate) tag_types: Vec<syn::TagType>,
    /// Translated bodies, filled on first call (or eagerly).
    pub(crate) compiled: Box<[OnceLock<std::result::Result<CompiledFunc, String>>]>,
    /// Where the code sits in the binary (`None` for a module from text),
    /// for the offsets of backtrace frames.
    pub(crate) layout: Option<crate::debug::CodeLayout>,
    /// The DWARF, parsed when a frame is first symbolised.
    pub(crate) dwarf: crate::debug::Dwarf,
    /// Machine code of the functions the compiler covers (see
    /// [`crate::compiled::Native`]).
    #[cfg(feature = "cranelift")]
    pub(crate) native: crate::compiled::Native,
    /// The module itself, for the background compilers, which hold it
    /// weakly (`compiled::compile_ahead`)...
    #[cfg(feature = "cranelift")]
    pub(crate) me: std::sync::Weak<ModuleInner>,
    /// ...and queued once, on the first call of a function.
    #[cfg(feature = "cranelift")]
    pub(crate) ahead: std::sync::Once,
    /// Whether the compiler may compile this module's tail calls (see
    /// `compiled.rs`), found on first need.
    #[cfg(feature = "cranelift")]
    pub(crate) tail_calls_compiled: std::sync::OnceLock<bool>,
}

/// Points a validation error of a text module at the line and column of the
/// offending instruction or module field: `type mismatch: ... (at 3:5)`,
/// `duplicate export name "a" (at 4:4)`. Only on the error path: the text is
/// parsed again with its source map and encoded, and the encoding decoded and
/// validated, which gives the error's byte offset in the encoding (or the
/// field it is about) that the source map translates. Other errors are
/// returned as they are.
#[cfg(feature = "wat")]
fn locate_text_error(e: Error, text: &str, features: syn::Features) -> Error {
    let located = || {
        let (module, spans) = weft_text::parse_wat_with_spans(text, features).ok()?;
        let bytes = weft_binary::encode(&module);
        let decoded = weft_binary::decode(&bytes, features).ok()?;
        let err = weft_valid::validate(&decoded, features).err()?;
        let (line, col) = match (err.offset, err.field) {
            (Some(at), _) => spans.locate(&decoded, at)?,
            (None, Some(field)) => spans.locate_field(field)?,
            (None, None) => return None,
        };
        Some(Error::new(
            e.kind(),
            format!("{} (at {line}:{col})", err.message),
        ))
    };
    if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Malformed) {
        located().unwrap_or(e)
    } else {
        e
    }
}

impl Module {
    /// Decodes and validates a module from its binary, or (with the default
    /// `wat` feature) from its text format.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        if bytes.starts_with(b"\0asm") {
            return Module::from_binary(engine, bytes);
        }
        #[cfg(feature = "wat")]
        {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::new(ErrorKind::Malformed, "malformed UTF-8 encoding"))?;
            let module = weft_text::parse_wat(text, engine.config().features)
                .map_err(|e| Error::new(ErrorKind::Malformed, e.to_string()))?;
            Module::from_parsed(engine, module)
                .map_err(|e| locate_text_error(e, text, engine.config().features))
        }
        #[cfg(not(feature = "wat"))]
        Module::from_binary(engine, bytes)
    }

    /// Reads a module file, binary or (with the default `wat` feature)
    /// text, and decodes and validates it as [`Module::new`] does. A file
    /// that cannot be read is an [`ErrorKind::Other`] error naming it.
    pub fn from_file(engine: &Engine, path: impl AsRef<std::path::Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::new(ErrorKind::Other, format!("{}: {e}", path.display())))?;
        Module::new(engine, bytes)
    }

    /// Decodes and validates a module binary.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let features = engine.config().features;
        let module = weft_binary::decode(bytes, features)
            .map_err(|e| Error::new(ErrorKind::Malformed, e.to_string()))?;
        let layout = crate::debug::CodeLayout::of(bytes);
        Module::build(engine, into_static(module), layout)
    }

    /// Validates a module already in its abstract form (e.g. parsed from
    /// text by the caller). Its backtraces have no offsets: there is no
    /// binary for them to point into.
    pub fn from_parsed(engine: &Engine, module: syn::Module<'static>) -> Result<Module> {
        Module::build(engine, module, None)
    }

    fn build(
        engine: &Engine,
        module: syn::Module<'static>,
        layout: Option<crate::debug::CodeLayout>,
    ) -> Result<Module> {
        let features = engine.config().features;
        weft_valid::validate(&module, features).map_err(|e| {
            let kind = if e.malformed {
                ErrorKind::Malformed
            } else {
                ErrorKind::Invalid
            };
            Error::new(kind, e.to_string())
        })?;
        check_runnable_instrs(&module, features)?;
        check_executable(&module)?;
        let type_ids = engine.intern_module(&module.types);
        let mut func_types = Vec::new();
        let mut global_types = Vec::new();
        let mut table_types = Vec::new();
        let mut mem_types = Vec::new();
        let mut tag_types = Vec::new();
        for import in &module.imports {
            match import.desc {
                ImportDesc::Func(t) => func_types.push(t),
                ImportDesc::Table(t) => table_types.push(t),
                ImportDesc::Memory(m) => mem_types.push(m),
                ImportDesc::Global(g) => global_types.push(g),
                ImportDesc::Tag(t) => tag_types.push(t),
            }
        }
        let num_imported_funcs = func_types.len();
        func_types.extend(module.funcs.iter().copied());
        global_types.extend(module.globals.iter().map(|g| g.ty));
        table_types.extend(module.tables.iter().map(|t| t.ty));
        mem_types.extend(module.mems.iter().copied());
        tag_types.extend(module.tags.iter().copied());
        let compiled = (0..module.code.len()).map(|_| OnceLock::new()).collect();
        #[cfg_attr(not(feature = "cranelift"), allow(unused_mut))]
        let mut m = ModuleInner {
            engine: engine.clone(),
            module,
            type_ids,
            func_types,
            num_imported_funcs,
            global_types,
            table_types,
            mem_types,
            tag_types,
            compiled,
            layout,
            dwarf: Default::default(),
            #[cfg(feature = "cranelift")]
            native: crate::compiled::Native::None,
            #[cfg(feature = "cranelift")]
            me: std::sync::Weak::new(),
            #[cfg(feature = "cranelift")]
            ahead: std::sync::Once::new(),
            #[cfg(feature = "cranelift")]
            tail_calls_compiled: std::sync::OnceLock::new(),
        };
        #[cfg(feature = "cranelift")]
        {
            m.native = crate::compiled::Native::new(&m);
        }
        let m = Module {
            inner: Arc::new_cyclic(|me| {
                #[cfg(feature = "cranelift")]
                {
                    m.me = me.clone();
                }
                #[cfg(not(feature = "cranelift"))]
                let _ = me;
                m
            }),
        };
        if engine.config().compilation_mode == CompilationMode::Eager {
            for i in 0..m.inner.module.code.len() {
                m.inner.compiled_func(i as u32).map_err(Error::other)?;
            }
        }
        Ok(m)
    }

    /// The frame a backtrace would show for an instruction at byte
    /// `module_offset` of the module's binary: the function whose body
    /// holds it, its names, and the source locations from the module's
    /// DWARF, as `weft addr2line` prints them. `None` if the offset is
    /// not inside a function body, or for a module made from text.
    pub fn frame_at(&self, module_offset: usize) -> Option<FrameInfo> {
        let m = &self.inner;
        let starts = &m.layout.as_ref()?.body_starts;
        let def = starts
            .partition_point(|&s| s <= module_offset)
            .checked_sub(1)?;
        let body = &m.module.code.get(def)?.body;
        if module_offset >= body.offset + body.bytes.len() {
            return None;
        }
        Some(m.frame_info(def as u32, Some(module_offset)))
    }

    /// With `Strategy::Compiler` or `Auto`: how many defined functions have
    /// been compiled to machine code, and why each other one was not
    /// (defined function index, reason); with `Auto` only functions
    /// called so far count. `None` if the module has no compiled tier.
    #[doc(hidden)] // a report for tests and tools, not a stable API
    pub fn compiled_functions(&self) -> Option<(usize, Vec<(u32, String)>)> {
        #[cfg(feature = "cranelift")]
        if self.inner.native.is_some() {
            let mut declined = Vec::new();
            let mut compiled = 0;
            for (def, f) in self.inner.native.outcomes().into_iter().enumerate() {
                match f {
                    Some(Ok(())) => compiled += 1,
                    Some(Err(e)) => declined.push((def as u32, e)),
                    None => {}
                }
            }
            return Some((compiled, declined));
        }
        None
    }

    /// The engine the module was made for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from the name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.module.names.module.as_deref()
    }

    /// The imports, in order.
    pub fn imports(&self) -> impl Iterator<Item = ImportType<'_>> + '_ {
        let m = &self.inner.module;
        m.imports.iter().map(move |i| ImportType {
            module: &i.module,
            name: &i.name,
            ty: match i.desc {
                ImportDesc::Func(t) => ExternType::Func(func_type(&m.types, t).clone()),
                ImportDesc::Table(t) => ExternType::Table(t),
                ImportDesc::Memory(t) => ExternType::Memory(t),
                ImportDesc::Global(t) => ExternType::Global(t),
                ImportDesc::Tag(t) => ExternType::Tag(crate::TagType::from_func_type(
                    func_type(&m.types, t.ty).clone(),
                )),
            },
        })
    }

    /// The exports, in order.
    pub fn exports(&self) -> impl Iterator<Item = ExportType<'_>> + '_ {
        let inner = &*self.inner;
        inner.module.exports.iter().map(move |e| ExportType {
            name: &e.name,
            ty: inner.extern_type(e.desc),
        })
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.name())
            .finish()
    }
}

impl ModuleInner {
    /// The type of an exported (or any) entity.
    pub(crate) fn extern_type(&self, desc: ExportDesc) -> ExternType {
        match desc {
            ExportDesc::Func(i) => {
                ExternType::Func(func_type(&self.module.types, self.func_types[i.index()]).clone())
            }
            ExportDesc::Table(i) => ExternType::Table(self.table_types[i.index()]),
            ExportDesc::Memory(i) => ExternType::Memory(self.mem_types[i.index()]),
            ExportDesc::Global(i) => ExternType::Global(self.global_types[i.index()]),
            ExportDesc::Tag(i) => ExternType::Tag(crate::TagType::from_func_type(
                func_type(&self.module.types, self.tag_types[i.index()].ty).clone(),
            )),
        }
    }

    /// The type of function `func` (function index space).
    pub(crate) fn func_type(&self, func: u32) -> &FuncType {
        func_type(&self.module.types, self.func_types[func as usize])
    }

    /// The translated body of defined function `def` (0 = first defined
    /// function), translating it on first use.
    pub(crate) fn compiled_func(&self, def: u32) -> std::result::Result<&CompiledFunc, String> {
        self.compiled[def as usize]
            .get_or_init(|| {
                #[cfg(feature = "cranelift")]
                if crate::compiled::compile_on_first_call(self, def)
                    || self.native.entry(def).is_some()
                {
                    let ty = self.func_type(self.num_imported_funcs as u32 + def);
                    return Ok(CompiledFunc::native_stub(
                        crate::values::slots_of(&ty.params),
                        crate::values::slots_of(&ty.results),
                    ));
                }
                crate::interp::translate::translate(self, def)
            })
            .as_ref()
            .map_err(|e| e.clone())
    }

    /// The name of function `func` from the name section.
    /// The backtrace frame of defined function `def`, executing the
    /// instruction at `module_offset` (if the tier knows it), with its
    /// source locations if the module has DWARF.
    pub(crate) fn frame_info(&self, def: u32, module_offset: Option<usize>) -> FrameInfo {
        let func_index = self.num_imported_funcs as u32 + def;
        // Offsets only for a binary, and only inside the function's body.
        let offsets = self.layout.as_ref().and_then(|l| {
            let at = module_offset?;
            let body = *l.body_starts.get(def as usize)?;
            Some((at, at.checked_sub(body)?, at.checked_sub(l.code_start)?))
        });
        let symbols = match offsets {
            Some((_, _, code_offset)) if self.engine.config().wasm_backtrace_details => {
                self.dwarf.symbols(&self.module.customs, code_offset as u64)
            }
            _ => Vec::new(),
        };
        FrameInfo {
            func_index,
            func_name: self.func_name(func_index).map(str::to_string),
            module_name: self.module.names.module.as_deref().map(str::to_string),
            module_offset: offsets.map(|o| o.0),
            func_offset: offsets.map(|o| o.1),
            symbols,
        }
    }

    pub(crate) fn func_name(&self, func: u32) -> Option<&str> {
        let names = &self.module.names.funcs;
        names
            .binary_search_by_key(&func, |(i, _)| i.0)
            .ok()
            .map(|i| &*names[i].1)
    }
}

/// The type of an import or export.
#[derive(Clone, Debug, PartialEq)]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemType),
    /// A global.
    Global(GlobalType),
    /// A tag.
    Tag(crate::TagType),
}

impl ExternType {
    /// The kind.
    pub fn kind(&self) -> ExternKind {
        match self {
            ExternType::Func(_) => ExternKind::Func,
            ExternType::Table(_) => ExternKind::Table,
            ExternType::Memory(_) => ExternKind::Memory,
            ExternType::Global(_) => ExternKind::Global,
            ExternType::Tag(_) => ExternKind::Tag,
        }
    }
}

/// An import of a [`Module`].
#[derive(Clone, Debug)]
pub struct ImportType<'m> {
    module: &'m str,
    name: &'m str,
    ty: ExternType,
}

impl<'m> ImportType<'m> {
    /// The module name.
    pub fn module(&self) -> &'m str {
        self.module
    }
    /// The item name.
    pub fn name(&self) -> &'m str {
        self.name
    }
    /// The expected type.
    pub fn ty(&self) -> &ExternType {
        &self.ty
    }
}

/// An export of a [`Module`].
#[derive(Clone, Debug)]
pub struct ExportType<'m> {
    name: &'m str,
    ty: ExternType,
}

impl<'m> ExportType<'m> {
    /// The export name.
    pub fn name(&self) -> &'m str {
        self.name
    }
    /// The type.
    pub fn ty(&self) -> &ExternType {
        &self.ty
    }
}

/// Rejects what the engine cannot run yet although it validates: the
/// custom-descriptors proposal (descriptor clauses, exact imports and exact
/// reference types, see [`runnable_heap`]).
fn check_executable(m: &syn::Module<'_>) -> Result<()> {
    let unsupported = |what: &str| {
        Err(Error::new(
            ErrorKind::Unsupported,
            format!("unsupported: {what} cannot be executed yet"),
        ))
    };
    let heap_ok = |t: syn::ValType| match t {
        syn::ValType::Ref(r) => runnable_heap(r.heap),
        _ => true,
    };
    if m.types
        .iter()
        .any(|t| t.describes.is_some() || t.descriptor.is_some())
    {
        return unsupported("a type with a descriptor clause");
    }
    if m.imports.iter().any(|i| i.exact) {
        return unsupported("an exact function import");
    }
    for t in &m.types {
        let mut ok = true;
        t.composite.for_each_val_type(|v| ok &= heap_ok(v));
        if !ok {
            return unsupported(&format!("type {t:?}"));
        }
    }
    let globals = m.imports.iter().filter_map(|i| match i.desc {
        ImportDesc::Global(g) => Some(g.content),
        _ => None,
    });
    if !globals
        .chain(m.globals.iter().map(|g| g.ty.content))
        .chain(m.code.iter().flat_map(|c| c.locals.iter().map(|l| l.ty)))
        .all(heap_ok)
    {
        return unsupported("an exact reference type");
    }
    let tables = m.imports.iter().filter_map(|i| match i.desc {
        ImportDesc::Table(t) => Some(t),
        _ => None,
    });
    if !tables
        .chain(m.tables.iter().map(|t| t.ty))
        .all(|t| runnable_heap(t.elem.heap))
        || !m.elems.iter().all(|e| runnable_heap(e.ty.heap))
    {
        return unsupported("a table of exact references");
    }
    Ok(())
}

/// Whether the engine represents references to heap type `h`: every heap
/// type but the exact ones (custom descriptors).
fn runnable_heap(h: syn::HeapType) -> bool {
    !h.is_exact()
}

/// The function type at index `t`, which validation made sure names a
/// function type.
pub(crate) fn func_type(types: &syn::Types, t: TypeIdx) -> &FuncType {
    match types.func(t) {
        Some(ft) => ft,
        None => panic!("type {t} is not a function type of a validated module"),
    }
}

fn own<T: ToOwned + ?Sized>(c: Cow<'_, T>) -> Cow<'static, T> {
    Cow::Owned(c.into_owned())
}

fn own_expr(e: syn::Expr<'_>) -> syn::Expr<'static> {
    syn::Expr {
        bytes: own(e.bytes),
        offset: e.offset,
    }
}

/// Copies everything a decoded module borrows from its binary, so that the
/// module can outlive the bytes.
pub(crate) fn into_static(m: syn::Module<'_>) -> syn::Module<'static> {
    syn::Module {
        types: m.types,
        imports: m
            .imports
            .into_iter()
            .map(|i| syn::Import {
                module: own(i.module),
                name: own(i.name),
                desc: i.desc,
                exact: i.exact,
            })
            .collect(),
        funcs: m.funcs,
        tables: m
            .tables
            .into_iter()
            .map(|t| syn::Table {
                ty: t.ty,
                init: t.init.map(own_expr),
            })
            .collect(),
        mems: m.mems,
        tags: m.tags,
        globals: m
            .globals
            .into_iter()
            .map(|g| syn::Global {
                ty: g.ty,
                init: own_expr(g.init),
            })
            .collect(),
        exports: m
            .exports
            .into_iter()
            .map(|e| syn::Export {
                name: own(e.name),
                desc: e.desc,
            })
            .collect(),
        start: m.start,
        elems: m
            .elems
            .into_iter()
            .map(|e| syn::Elem {
                ty: e.ty,
                items: match e.items {
                    syn::ElemItems::Funcs(f) => syn::ElemItems::Funcs(f),
                    syn::ElemItems::Exprs(x) => {
                        syn::ElemItems::Exprs(x.into_iter().map(own_expr).collect())
                    }
                },
                mode: match e.mode {
                    syn::ElemMode::Passive => syn::ElemMode::Passive,
                    syn::ElemMode::Declarative => syn::ElemMode::Declarative,
                    syn::ElemMode::Active { table, offset } => syn::ElemMode::Active {
                        table,
                        offset: own_expr(offset),
                    },
                },
            })
            .collect(),
        data_count: m.data_count,
        code: m
            .code
            .into_iter()
            .map(|c| syn::Code {
                locals: c.locals,
                body: own_expr(c.body),
            })
            .collect(),
        datas: m
            .datas
            .into_iter()
            .map(|d| syn::Data {
                init: own(d.init),
                mode: match d.mode {
                    syn::DataMode::Passive => syn::DataMode::Passive,
                    syn::DataMode::Active { memory, offset } => syn::DataMode::Active {
                        memory,
                        offset: own_expr(offset),
                    },
                },
            })
            .collect(),
        customs: m
            .customs
            .into_iter()
            .map(|c| syn::Custom {
                name: own(c.name),
                data: own(c.data),
                place: c.place,
            })
            .collect(),
        names: m.names.into_owned(),
    }
}

fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("unsupported: {what} cannot be executed yet"),
    )
}

/// The proposals whose instructions the interpreter executes.
const EXECUTED: [Feature; 14] = [
    Feature::Mvp,
    Feature::SignExt,
    Feature::SatFloatToInt,
    Feature::BulkMemory,
    Feature::ReferenceTypes,
    Feature::Simd,
    Feature::TailCall,
    Feature::WideArithmetic,
    Feature::RelaxedSimd,
    Feature::FunctionReferences,
    Feature::Gc,
    Feature::Threads,
    Feature::Exceptions,
    Feature::LegacyExceptions,
];

/// Whether an instruction names a reference type the interpreter does not
/// represent yet (see [`runnable_heap`]).
fn names_exact_type(instr: &syn::Instr<'_>) -> bool {
    let gc = |t: syn::ValType| matches!(t, syn::ValType::Ref(r) if !runnable_heap(r.heap));
    if let syn::Instr::RefNull { ty } = *instr {
        return !runnable_heap(ty);
    }
    if let syn::Instr::TypedSelect { ty } = *instr {
        return gc(ty);
    }
    // Casts to exact types (custom descriptors).
    if let syn::Instr::RefTest { ty }
    | syn::Instr::RefTestNull { ty }
    | syn::Instr::RefCast { ty }
    | syn::Instr::RefCastNull { ty } = *instr
    {
        return !runnable_heap(ty);
    }
    if let syn::Instr::BrOnCast { from, to, .. } | syn::Instr::BrOnCastFail { from, to, .. } =
        *instr
    {
        return !runnable_heap(from) || !runnable_heap(to);
    }
    if let syn::Instr::Block { block_type }
    | syn::Instr::Loop { block_type }
    | syn::Instr::If { block_type }
    | syn::Instr::TryTable { block_type, .. }
    | syn::Instr::Try { block_type } = *instr
    {
        return matches!(block_type, syn::BlockType::Value(t) if gc(t));
    }
    // Block types given by a type index name function types, whose value
    // types `check_executable` has checked; no other row of an executed
    // feature names a reference type.
    false
}

/// Refuses instructions that validate but that the interpreter cannot
/// execute yet (tail calls and the other 3.0 instructions): one pass over
/// the bodies when `features` admit any, so that the error comes when the
/// module is compiled rather than at the first call of the function.
fn check_runnable_instrs(m: &syn::Module<'_>, features: Features) -> Result<()> {
    let beyond = [
        Feature::TailCall,
        Feature::Exceptions,
        Feature::LegacyExceptions,
        Feature::FunctionReferences,
        Feature::Gc,
        Feature::RelaxedSimd,
        Feature::Threads,
        Feature::WideArithmetic,
        Feature::CustomDescriptors,
    ];
    if !beyond.iter().any(|&f| features.has(f)) {
        return Ok(());
    }
    // Function bodies, and the constant expressions of globals, tables and
    // element segments, which may hold GC instructions whatever their type.
    let elem_exprs = m.elems.iter().flat_map(|e| match &e.items {
        syn::ElemItems::Exprs(es) => es.as_slice(),
        syn::ElemItems::Funcs(_) => &[],
    });
    let exprs = (m.code.iter().map(|c| &c.body))
        .chain(m.globals.iter().map(|g| &g.init))
        .chain(m.tables.iter().filter_map(|t| t.init.as_ref()))
        .chain(elem_exprs);
    for expr in exprs {
        let mut r = weft_binary::Reader::new_at(&expr.bytes, expr.offset, features);
        while !r.is_empty() {
            // The module has validated, so every instruction decodes.
            let Ok(instr) = r.read_instr() else { break };
            if !EXECUTED.contains(&instr.feature()) {
                return Err(unsupported(&format!("instruction {}", instr.mnemonic())));
            }
            if names_exact_type(&instr) {
                return Err(unsupported(&format!(
                    "instruction {} with an exact reference type",
                    instr.mnemonic()
                )));
            }
        }
    }
    Ok(())
}
