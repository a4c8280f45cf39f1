//! [`Instance`] and module instantiation (§4.5.4).

use crate::func::Func;
use crate::module::Module;
use crate::store::{
    AsContext, AsContextMut, FuncEntity, FuncKind, GlobalEntity, InstanceEntity, MemoryEntity,
    Store, StoreInner, TableEntity,
};
use crate::values::{WasmParams, WasmResults};
use crate::{Error, Extern, Global, Memory, Result, Table, Trap, TrapCode, TypedFunc};
use weft_binary::Reader;
use weft_syntax::{DataMode, ElemItems, ElemMode, ExportDesc, Expr, ImportDesc, Instr, Limits};

/// An instance of a module in a store: a `Copy` handle.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (memory (export "mem") 1)
///     (global (export "g") i32 (i32.const 3)))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
/// assert_eq!(instance.get_memory(&mut store, "mem").unwrap().size(&store), 1);
/// assert_eq!(instance.get_global(&mut store, "g").unwrap().get(&store), weft::Val::I32(3));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Instance {
    /// Instantiates `module` with imports given in the module's import
    /// order (see [`crate::Linker`] for resolution by name).
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        instantiate(store.as_context_mut(), module, imports)
    }

    fn entity<'a>(&self, inner: &'a StoreInner) -> &'a InstanceEntity {
        inner.assert_id(self.store);
        &inner.instances[self.index as usize]
    }

    /// The export `name`.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let store = store.as_context();
        self.entity(&store.inner)
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }

    /// The exported function `name`.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function `name` with static types; fails if there is no
    /// such function or its type differs.
    pub fn get_typed_func<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<P, R>> {
        let store = store.as_context();
        let f = self
            .get_func(store, name)
            .ok_or_else(|| Error::other(format!("unknown export: function `{name}`")))?;
        f.typed(store)
    }

    /// The exported memory `name`.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table `name`.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global `name`.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported tag `name`.
    pub fn get_tag(&self, store: impl AsContext, name: &str) -> Option<crate::Tag> {
        self.get_export(store, name)?.into_tag()
    }

    /// Every export with its name, in the module's order.
    pub fn exports<'a, C: AsContext + ?Sized>(
        &self,
        store: &'a C,
    ) -> impl Iterator<Item = (&'a str, Extern)> + 'a {
        self.entity(&store.as_context().inner)
            .exports
            .iter()
            .map(|(n, e)| (n.as_str(), *e))
    }

    /// The module this is an instance of.
    pub fn module(&self, store: impl AsContext) -> Module {
        Module {
            inner: self.entity(&store.as_context().inner).module.clone(),
        }
    }
}

/// Whether limits `actual` match `expected` (§4.5.4 import matching:
/// `min` at least, and `max` at most if expected has one).
fn limits_match(actual: Limits, expected: Limits) -> bool {
    actual.min >= expected.min
        && match expected.max {
            None => true,
            Some(em) => matches!(actual.max, Some(am) if am <= em),
        }
}

/// Checks that `ext` matches the import type (§4.5.4, external typing and
/// import matching); "incompatible import type" otherwise.
fn check_import(
    inner: &StoreInner,
    module: &crate::module::ModuleInner,
    desc: ImportDesc,
    ext: Extern,
    name: impl Fn() -> String,
) -> Result<()> {
    let canon = crate::types::Canon(&module.type_ids);
    let types = &inner.types;
    let ok = match (desc, ext) {
        (ImportDesc::Func(t), Extern::Func(f)) => {
            inner.is_subtype(inner.funcs[f.index as usize].ty, module.type_ids[t.index()])
        }
        (ImportDesc::Table(t), Extern::Table(tab)) => {
            let e = &inner.tables[tab.index as usize];
            let actual = Limits {
                min: e.elems.len() as u64,
                max: e.ty.limits.max,
            };
            // Element types must be equivalent (tables are mutable).
            e.ty.elem == canon.ref_type(t.elem)
                && e.ty.addr == t.addr
                && limits_match(actual, t.limits)
        }
        (ImportDesc::Memory(m), Extern::Memory(mem)) => {
            let e = &inner.memories[mem.index as usize];
            let actual = Limits {
                min: e.pages(),
                max: e.ty.limits.max,
            };
            e.ty.addr == m.addr
                && e.ty.shared == m.shared
                && e.ty.page_size_log2() == m.page_size_log2()
                && limits_match(actual, m.limits)
        }
        (ImportDesc::Global(g), Extern::Global(gl)) => crate::types::global_matches(
            types,
            inner.globals[gl.index as usize].ty,
            canon.global(g),
        ),
        // Tag types must be equivalent: canonical ids are equal.
        (ImportDesc::Tag(t), Extern::Tag(tag)) => {
            inner.tags[tag.index as usize].ty == module.type_ids[t.ty.index()]
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::unlinkable(format!(
            "incompatible import type for {}",
            name()
        )))
    }
}

/// Instantiates `module` with `imports` in import order (§4.5.4).
pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let m = &module.inner;
    if !crate::Engine::same(&m.engine, &store.inner.engine) {
        return Err(Error::other(
            "the module was compiled for another engine than the store's",
        ));
    }
    let syn = &m.module;
    if imports.len() != syn.imports.len() {
        return Err(Error::unlinkable(format!(
            "unknown import: the module needs {} imports, {} given",
            syn.imports.len(),
            imports.len()
        )));
    }
    store.limit_new_instance()?;
    store.inner.refresh_types();
    let canon = crate::types::Canon(&m.type_ids);
    let instance_index = store.inner.instances.len() as u32;
    let mut inst = InstanceEntity {
        module: m.clone(),
        funcs: Vec::with_capacity(m.func_types.len()),
        tables: Vec::new(),
        mems: Vec::new(),
        globals: Vec::new(),
        tags: Vec::new(),
        elems: Vec::new(),
        data_dropped: vec![false; syn.datas.len()],
        exports: Vec::new(),
        #[cfg(feature = "cranelift")]
        vm: None,
    };
    // Imports (§4.5.4 steps 3-4).
    for (import, &ext) in syn.imports.iter().zip(imports) {
        store.inner.check_id(ext.store_id(), "import")?;
        check_import(&store.inner, m, import.desc, ext, || {
            format!(
                "`{}`.`{}`",
                weft_syntax::excerpt(&import.module),
                weft_syntax::excerpt(&import.name)
            )
        })?;
        match ext {
            Extern::Func(f) => inst.funcs.push(f.index),
            Extern::Table(t) => inst.tables.push(t.index),
            Extern::Memory(x) => inst.mems.push(x.index),
            Extern::Global(g) => inst.globals.push(g.index),
            Extern::Tag(t) => inst.tags.push(t.index),
        }
    }
    // Allocation (§4.5.3.1): functions first, since globals and element
    // segments may take references to them.
    for (def, &ty) in syn.funcs.iter().enumerate() {
        let index = store.inner.funcs.len() as u32;
        store.inner.funcs.push(FuncEntity {
            ty: m.type_ids[ty.index()],
            kind: FuncKind::Wasm {
                instance: instance_index,
                def: def as u32,
            },
        });
        inst.funcs.push(index);
    }
    // Tags: each definition is a new tag (§4.5.3.1).
    for t in &syn.tags {
        let tag = crate::Tag::push(&mut store.inner, m.type_ids[t.ty.index()]);
        inst.tags.push(tag.index);
    }
    // Globals, evaluated in order (§4.5.4 step 8; later proposals let an
    // initialiser read earlier globals, which this order also supports).
    for g in &syn.globals {
        let value = eval_const(&mut store.inner, ConstCx::of(&inst), &g.init)?;
        let index = store.inner.globals.len() as u32;
        store.inner.globals.push(GlobalEntity {
            value,
            ty: canon.global(g.ty),
        });
        inst.globals.push(index);
    }
    // Tables, filled with their initialiser's value (3.0: a table of
    // non-nullable references has one) or null.
    for t in &syn.tables {
        store.limit_new_table(&t.ty)?;
        let init = match &t.init {
            Some(e) => eval_const(&mut store.inner, ConstCx::of(&inst), e)?[0],
            None => 0,
        };
        let index = store.inner.tables.len() as u32;
        store
            .inner
            .tables
            .push(TableEntity::new(canon.table(t.ty), init)?);
        inst.tables.push(index);
    }
    for &mt in &syn.mems {
        store.limit_new_memory(&mt)?;
        let index = store.inner.memories.len() as u32;
        store.inner.memories.push(MemoryEntity::new(
            mt,
            store.inner.engine.config().guards_in_use(),
        )?);
        inst.mems.push(index);
    }
    // Element segments' references (§4.5.4 step 9).
    for e in &syn.elems {
        let items = match &e.items {
            ElemItems::Funcs(fs) => fs
                .iter()
                .map(|f| u64::from(inst.funcs[f.index()]) + 1)
                .collect(),
            ElemItems::Exprs(xs) => {
                let mut v = Vec::with_capacity(xs.len());
                for x in xs {
                    v.push(eval_const(&mut store.inner, ConstCx::of(&inst), x)?[0]);
                }
                v
            }
        };
        inst.elems.push(items);
    }
    // Exports (§4.5.3.1).
    for e in &syn.exports {
        let ext = match e.desc {
            ExportDesc::Func(i) => Extern::Func(Func {
                store: store.inner.id,
                index: inst.funcs[i.index()],
            }),
            ExportDesc::Table(i) => Extern::Table(Table {
                store: store.inner.id,
                index: inst.tables[i.index()],
            }),
            ExportDesc::Memory(i) => Extern::Memory(Memory {
                store: store.inner.id,
                index: inst.mems[i.index()],
            }),
            ExportDesc::Global(i) => Extern::Global(Global {
                store: store.inner.id,
                index: inst.globals[i.index()],
            }),
            ExportDesc::Tag(i) => Extern::Tag(crate::Tag {
                store: store.inner.id,
                index: inst.tags[i.index()],
            }),
        };
        inst.exports.push((e.name.to_string(), ext));
    }
    store.inner.instances.push(inst);
    #[cfg(feature = "cranelift")]
    if m.native.is_some() {
        crate::compiled::new_vm::<T>(&mut store.inner, instance_index);
    }
    let instance = Instance {
        store: store.inner.id,
        index: instance_index,
    };
    // Active and declarative element segments (§4.5.4 steps 14-15): a trap
    // leaves the writes of earlier segments in place.
    for (i, e) in syn.elems.iter().enumerate() {
        match &e.mode {
            ElemMode::Active { table, offset } => {
                let inner = &mut store.inner;
                let inst = &inner.instances[instance_index as usize];
                let t = inst.tables[table.index()] as usize;
                // Offsets allocate nothing: a copy of the context suffices.
                let (funcs, globals, module) = (
                    inst.funcs.clone(),
                    inst.globals.clone(),
                    inst.module.clone(),
                );
                let cx = ConstCx {
                    funcs: &funcs,
                    globals: &globals,
                    type_ids: &module.type_ids,
                };
                let offset = address(eval_const(inner, cx, offset)?[0], inner.tables[t].ty.addr);
                let items = std::mem::take(&mut inner.instances[instance_index as usize].elems[i]);
                let tab = &mut inner.tables[t].elems;
                match offset
                    .checked_add(items.len())
                    .and_then(|end| tab.get_mut(offset..end))
                {
                    Some(dst) => dst.copy_from_slice(&items),
                    None => return Err(Trap::new(TrapCode::TableOutOfBounds).into()),
                }
            }
            ElemMode::Declarative => {
                store.inner.instances[instance_index as usize].elems[i] = Vec::new();
            }
            ElemMode::Passive => {}
        }
    }
    // Active data segments (§4.5.4 step 16).
    for (i, d) in syn.datas.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &d.mode {
            let inner = &mut store.inner;
            let inst = &inner.instances[instance_index as usize];
            let mi = inst.mems[memory.index()] as usize;
            let (funcs, globals, module) = (
                inst.funcs.clone(),
                inst.globals.clone(),
                inst.module.clone(),
            );
            let cx = ConstCx {
                funcs: &funcs,
                globals: &globals,
                type_ids: &module.type_ids,
            };
            let offset = address(
                eval_const(inner, cx, offset)?[0],
                inner.memories[mi].ty.addr,
            );
            inner.instances[instance_index as usize].data_dropped[i] = true;
            let mem = &mut inner.memories[mi].data;
            match offset
                .checked_add(d.init.len())
                .and_then(|end| mem.get_mut(offset..end))
            {
                Some(dst) => dst.copy_from_slice(&d.init),
                None => return Err(Trap::new(TrapCode::MemoryOutOfBounds).into()),
            }
        }
    }
    // The start function (§4.5.4 step 17).
    if let Some(start) = syn.start {
        let f = store.inner.instances[instance_index as usize].funcs[start.index()];
        crate::interp::exec::call(store, f, &mut [])?;
    }
    Ok(instance)
}

/// A segment's offset into a table or memory of address type `addr` (an
/// i32 is the low 32 bits of its value); beyond `usize`, an offset that
/// is out of bounds anyway.
fn address(value: u64, addr: weft_syntax::AddrType) -> usize {
    match addr {
        weft_syntax::AddrType::I32 => value as u32 as usize,
        weft_syntax::AddrType::I64 => usize::try_from(value).unwrap_or(usize::MAX),
    }
}

/// What a constant expression may refer to: the instance's functions and
/// globals so far, and its module's engine type ids.
#[derive(Clone, Copy)]
struct ConstCx<'a> {
    funcs: &'a [u32],
    globals: &'a [u32],
    type_ids: &'a [u32],
}

impl<'a> ConstCx<'a> {
    fn of(inst: &'a InstanceEntity) -> Self {
        ConstCx {
            funcs: &inst.funcs,
            globals: &inst.globals,
            type_ids: &inst.module.type_ids,
        }
    }
}

/// Allocates an object for a constant expression (no collection runs
/// during instantiation).
fn alloc_const(inner: &mut StoreInner, ty: u32, data: Vec<u64>) -> Result<u64> {
    inner
        .gc
        .alloc(ty, data.into())
        .map_err(|_| Trap::new(TrapCode::GcHeapExhausted).into())
}

/// Evaluates a constant expression (§4.4.10, §3.3.10) in the context of a
/// partially built instance. Besides the 2.0 constant instructions it
/// accepts the extended-const arithmetic, which validation gates.
fn eval_const(inner: &mut StoreInner, inst: ConstCx<'_>, expr: &Expr<'_>) -> Result<[u64; 2]> {
    let features = inner.engine.config().features;
    let mut r = Reader::new_at(&expr.bytes, expr.offset, features);
    let mut stack: Vec<[u64; 2]> = Vec::new();
    let bad = || Error::other("unsupported constant expression");
    // Pops two operands and pushes `op(a, b)`; an i32 operand is its low 32 bits.
    let binary = |stack: &mut Vec<[u64; 2]>, op: fn(u64, u64) -> u64| {
        let b = stack.pop().ok_or_else(bad)?[0];
        let a = stack.pop().ok_or_else(bad)?[0];
        Ok::<_, Error>([op(a, b), 0])
    };
    loop {
        let instr = r
            .read_instr()
            .map_err(|e| Error::new(crate::ErrorKind::Malformed, e.to_string()))?;
        let v = match instr {
            Instr::I32Const { value } => [value as u32 as u64, 0],
            Instr::I64Const { value } => [value as u64, 0],
            Instr::F32Const { value } => [u64::from(value.0), 0],
            Instr::F64Const { value } => [value.0, 0],
            Instr::V128Const { value } => {
                let v = u128::from_le_bytes(value.0);
                [v as u64, (v >> 64) as u64]
            }
            Instr::RefNull { .. } => [0, 0],
            Instr::RefFunc { func } => {
                let f = *inst.funcs.get(func.index()).ok_or_else(bad)?;
                [u64::from(f) + 1, 0]
            }
            Instr::GlobalGet { global } => {
                let g = *inst.globals.get(global.index()).ok_or_else(bad)?;
                inner.globals[g as usize].value
            }
            // Extended constant expressions: integer add, sub and mul.
            Instr::I32Add {} => binary(&mut stack, |a, b| {
                u64::from((a as u32).wrapping_add(b as u32))
            })?,
            Instr::I32Sub {} => binary(&mut stack, |a, b| {
                u64::from((a as u32).wrapping_sub(b as u32))
            })?,
            Instr::I32Mul {} => binary(&mut stack, |a, b| {
                u64::from((a as u32).wrapping_mul(b as u32))
            })?,
            Instr::I64Add {} => binary(&mut stack, u64::wrapping_add)?,
            Instr::I64Sub {} => binary(&mut stack, u64::wrapping_sub)?,
            Instr::I64Mul {} => binary(&mut stack, u64::wrapping_mul)?,
            // GC: allocations and conversions (§3.3.10 of 3.0).
            Instr::RefI31 {} => {
                let v = stack.pop().ok_or_else(bad)?[0];
                [crate::runtime::gc::enc::i31(v as u32), 0]
            }
            Instr::AnyConvertExtern {} => {
                let v = stack.pop().ok_or_else(bad)?[0];
                [crate::runtime::gc::enc::internalize(v), 0]
            }
            Instr::ExternConvertAny {} => {
                let v = stack.pop().ok_or_else(bad)?[0];
                [crate::runtime::gc::enc::externalize(v), 0]
            }
            Instr::StructNew { ty } | Instr::StructNewDefault { ty } => {
                let id = inst.type_ids[ty.index()];
                let crate::types::Layout::Struct { fields, slots } =
                    &inner.types[id as usize].layout
                else {
                    return Err(bad());
                };
                let mut data = vec![0u64; *slots as usize];
                if matches!(instr, Instr::StructNew { .. }) {
                    let at = stack.len().checked_sub(fields.len()).ok_or_else(bad)?;
                    for (f, v) in fields.iter().zip(stack.drain(at..)) {
                        data[f.offset as usize] = v[0];
                        if f.width() == 2 {
                            data[f.offset as usize + 1] = v[1];
                        }
                    }
                }
                [alloc_const(inner, id, data)?, 0]
            }
            Instr::ArrayNew { ty }
            | Instr::ArrayNewDefault { ty }
            | Instr::ArrayNewFixed { ty, .. } => {
                let id = inst.type_ids[ty.index()];
                let crate::types::Layout::Array { elem } = &inner.types[id as usize].layout else {
                    return Err(bad());
                };
                let w = elem.width();
                let elems: Vec<[u64; 2]> = match instr {
                    Instr::ArrayNewFixed { len, .. } => {
                        let at = stack.len().checked_sub(len as usize).ok_or_else(bad)?;
                        stack.drain(at..).collect()
                    }
                    _ => {
                        let n = stack.pop().ok_or_else(bad)?[0] as u32 as usize;
                        let v = if matches!(instr, Instr::ArrayNew { .. }) {
                            stack.pop().ok_or_else(bad)?
                        } else {
                            [0, 0]
                        };
                        if n.saturating_mul(w * 8) > crate::runtime::gc::MAX_BYTES {
                            return Err(Trap::new(TrapCode::GcHeapExhausted).into());
                        }
                        vec![v; n]
                    }
                };
                let data = elems.iter().flat_map(|v| v[..w].iter().copied()).collect();
                [alloc_const(inner, id, data)?, 0]
            }
            Instr::End {} => break,
            // The validator admits no other instruction in a constant expression;
            // one that a later feature adds is refused here, not misread.
            _ => return Err(bad()),
        };
        stack.push(v);
    }
    stack.pop().ok_or_else(bad)
}
