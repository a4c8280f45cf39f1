//! The compiler tier's side in the runtime (feature `cranelift`): compiling
//! a module's functions with `weft-cranelift`, each instance's
//! [`VMContext`], the runtime functions compiled code calls, and the call
//! into compiled code.
//!
//! How the tiers meet: a compiled function's interpreter code is a stub,
//! `[Native, Ret]` (see `interp/code.rs`). Whoever calls the function (the
//! host through `Func::call`, an interpreted caller, or compiled code
//! through [`call`]) enters it as an interpreted function; the `Native`
//! instruction leaves the dispatch loop, and `exec::run` calls the machine
//! code on the frame's slots ([`enter`]), then `Ret` returns the results.
//! So the interpreter's call paths stay as they were, and every direction
//! (host, interpreted, compiled) reaches compiled code the same way.
//! Compiled code calls every function through the runtime ([`call`]);
//! direct compiled-to-compiled calls are future work.

use crate::error::{FrameInfo, Trap, TrapCode};
use crate::interp::exec;
use crate::module::ModuleInner;
use crate::store::{Store, StoreInner};
use crate::Error;
use weft_cranelift::vmctx::{Libcalls, MemoryDef, TrapKind, VMContext};
use weft_syntax::{FuncIdx, FuncType, GlobalIdx, TypeIdx, ValType};

// The runtime's memory descriptor is the one compiled code reads.
const _: () = {
    use crate::runtime::memory::MemoryDef as Ours;
    use std::mem::{offset_of, size_of};
    assert!(size_of::<Ours>() == size_of::<MemoryDef>());
    assert!(offset_of!(Ours, base) == offset_of!(MemoryDef, base));
    assert!(offset_of!(Ours, len) == offset_of!(MemoryDef, len));
};

impl weft_cranelift::ModuleEnv for ModuleInner {
    fn func_type(&self, func: FuncIdx) -> &FuncType {
        ModuleInner::func_type(self, func.0)
    }
    fn type_at(&self, ty: TypeIdx) -> Option<&FuncType> {
        self.module.types.get(ty.index())
    }
    fn global_type(&self, global: GlobalIdx) -> ValType {
        self.global_types[global.index()].content
    }
    fn features(&self) -> weft_syntax::Features {
        self.engine.config().features
    }
}

/// Compiles every defined function of `m` that the compiler covers.
pub(crate) fn compile_module(m: &ModuleInner) -> weft_cranelift::CompiledModule {
    let compiler = m.engine.compiler();
    let n = m.num_imported_funcs;
    let bodies = m
        .module
        .code
        .iter()
        .enumerate()
        .map(|(def, code)| (ModuleInner::func_type(m, (n + def) as u32), code));
    let compiled = match compiler {
        Ok(c) => c.compile_module(m, bodies),
        Err(e) => weft_cranelift::CompiledModule {
            code: None,
            funcs: bodies.map(|_| Err(e.clone())).collect(),
        },
    };
    let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    for f in &compiled.funcs {
        let key = match f {
            Ok(_) => "compiled".to_string(),
            // The reason's first words: "instruction i32.atomic.load", ...
            Err(e) => e.clone(),
        };
        *totals.entry(key).or_insert(0) += 1;
    }
    compiled
}

/// Functions compiled and declined (by reason) in this process.
static TOTALS: std::sync::Mutex<std::collections::BTreeMap<String, u64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// How many defined functions this process compiled (key `"compiled"`)
/// and declined, by reason, with `Strategy::Compiler`.
#[doc(hidden)] // a report for tests and tools, not a stable API
pub fn compiler_totals() -> std::collections::BTreeMap<String, u64> {
    TOTALS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// An instance's context, boxed so that its address is stable.
pub(crate) struct InstanceVm {
    pub(crate) vmctx: VMContext,
    /// What `memory0` points to when the instance has no memory.
    no_memory: MemoryDef,
}

// SAFETY: the raw pointers in the context point into the store that owns
// the instance (its memories, itself); they are only dereferenced by
// compiled code and libcalls running with `&mut` access to that store.
unsafe impl Send for InstanceVm {}
// SAFETY: as for `Send`; shared references never dereference them.
unsafe impl Sync for InstanceVm {}

/// The context of instance `instance` of a `Store<T>`.
pub(crate) fn new_vm<T>(inner: &StoreInner, instance: u32) -> Box<InstanceVm> {
    let mut vm = Box::new(InstanceVm {
        vmctx: VMContext {
            memory0: std::ptr::null(),
            libcalls: Libcalls {
                call: call::<T>,
                call_indirect: call_indirect::<T>,
                trap: trap::<T>,
                frame: frame::<T>,
                memory_grow: memory_grow::<T>,
                global_get: global_get::<T>,
                global_set: global_set::<T>,
            },
            store: std::ptr::null_mut(),
            instance,
        },
        no_memory: MemoryDef {
            base: std::ptr::NonNull::dangling().as_ptr(),
            len: 0,
        },
    });
    vm.vmctx.memory0 = match inner.instances[instance as usize].mems.first() {
        Some(&m) => inner.memories[m as usize].data.def().cast(),
        None => std::ptr::addr_of!(vm.no_memory),
    };
    vm
}

/// Calls compiled defined function `def` of instance `inst` with its
/// arguments (and then results) in `slots`.
pub(crate) fn enter<T>(
    store: &mut Store<T>,
    inst: u32,
    def: u32,
    slots: &mut [u64],
) -> Result<(), Error> {
    let i = &mut store.inner.instances[inst as usize];
    let entry = i
        .module
        .native
        .get()
        .and_then(|n| n.entry(def))
        .ok_or_else(|| Error::other("internal error: function not compiled"))?;
    let vm: *mut VMContext = match &mut i.vm {
        Some(vm) => &mut vm.vmctx,
        None => return Err(Error::other("internal error: instance without context")),
    };
    // SAFETY: `vm` is the instance's boxed context, alive while the store
    // is; the store pointer is set for the duration of this call, during
    // which only compiled code and the libcalls use the store.
    let status = unsafe {
        (*vm).store = (store as *mut Store<T>).cast();
        entry(vm, slots.as_mut_ptr())
    };
    if status == 0 {
        return Ok(());
    }
    Err(store
        .inner
        .pending
        .take()
        .unwrap_or_else(|| Error::other("internal error: compiled code failed without error")))
}

/// The store behind a context.
///
/// # Safety
/// `vmctx` must be the context of an instance of a live `Store<T>` whose
/// `store` field [`enter`] set, with no other reference to the store in use.
unsafe fn store<'a, T>(vmctx: *mut VMContext) -> (&'a mut Store<T>, u32) {
    (&mut *(*vmctx).store.cast::<Store<T>>(), (*vmctx).instance)
}

fn fail<T>(store: &mut Store<T>, e: Error) -> u32 {
    store.inner.pending = Some(e);
    1
}

/// Runs `f`, turning a panic (a host function's) into an error, since it
/// cannot unwind through compiled frames; it is resumed by [`enter`]'s
/// caller through `pending_panic`.
fn guard<T>(store: *mut Store<T>, f: impl FnOnce() -> u32) -> u32 {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            // SAFETY: the closure that held the store has ended.
            let store = unsafe { &mut *store };
            store.inner.pending_panic = Some(p);
            fail(store, Error::other("host function panicked"))
        }
    }
}

unsafe extern "C" fn call<T>(vmctx: *mut VMContext, func: u32, slots: *mut u64) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let sp: *mut Store<T> = store;
    guard(sp, || {
        let store = &mut *sp;
        let sf = store.inner.instances[inst as usize].funcs[func as usize];
        call_store_func(store, sf, slots)
    })
}

/// Calls store function `sf` with the slots of a compiled caller.
///
/// # Safety
/// `slots` must hold as many slots as the larger of `sf`'s parameter and
/// result lists (compiled code sizes its arrays so; it has no v128).
unsafe fn call_store_func<T>(store: &mut Store<T>, sf: u32, slots: *mut u64) -> u32 {
    let ty = store
        .inner
        .engine
        .func_type(store.inner.funcs[sf as usize].ty);
    let n = ty.params.len().max(ty.results.len());
    let args = std::slice::from_raw_parts_mut(slots, n);
    match exec::call(store, sf, args) {
        Ok(()) => 0,
        Err(e) => fail(store, e),
    }
}

unsafe extern "C" fn call_indirect<T>(
    vmctx: *mut VMContext,
    table: u32,
    ty: u32,
    elem: u32,
    slots: *mut u64,
) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let sp: *mut Store<T> = store;
    guard(sp, || {
        let store = &mut *sp;
        let instance = &store.inner.instances[inst as usize];
        let t = instance.tables[table as usize];
        let expected = instance.module.type_ids[ty as usize];
        // The same checks, in the same order, as the interpreter's
        // `CallTableSlow` (§4.4.8, call_indirect).
        let code = match store.inner.tables[t as usize].elems.get(elem as usize) {
            None => Some(TrapCode::UndefinedElement),
            Some(0) => Some(TrapCode::IndirectCallToNull),
            Some(&r) if store.inner.funcs[(r - 1) as usize].ty != expected => {
                Some(TrapCode::BadSignature)
            }
            Some(&r) => return call_store_func(store, (r - 1) as u32, slots),
        };
        fail(
            store,
            Trap::new(code.unwrap_or(TrapCode::Unreachable)).into(),
        )
    })
}

fn frame_info(inner: &StoreInner, inst: u32, def: u32) -> FrameInfo {
    let m: &ModuleInner = &inner.instances[inst as usize].module;
    let func_index = m.num_imported_funcs as u32 + def;
    FrameInfo {
        func_index,
        func_name: m.func_name(func_index).map(str::to_string),
        module_name: m.module.names.module.as_deref().map(str::to_string),
    }
}

unsafe extern "C" fn trap<T>(vmctx: *mut VMContext, kind: u32, def: u32) {
    let (store, inst) = store::<T>(vmctx);
    let code = match TrapKind::from_code(kind) {
        Some(TrapKind::Unreachable) => TrapCode::Unreachable,
        Some(TrapKind::MemoryOutOfBounds) => TrapCode::MemoryOutOfBounds,
        Some(TrapKind::IntegerOverflow) => TrapCode::IntegerOverflow,
        Some(TrapKind::IntegerDivisionByZero) => TrapCode::IntegerDivisionByZero,
        Some(TrapKind::BadConversionToInteger) => TrapCode::BadConversionToInteger,
        None => TrapCode::Unreachable,
    };
    let mut t = Trap::new(code);
    t.set_backtrace(vec![frame_info(&store.inner, inst, def)]);
    store.inner.pending = Some(t.into());
}

unsafe extern "C" fn frame<T>(vmctx: *mut VMContext, def: u32) {
    let (store, inst) = store::<T>(vmctx);
    let info = frame_info(&store.inner, inst, def);
    if let Some(t) = store.inner.pending.as_mut().and_then(Error::trap_mut) {
        t.push_frame(info);
    }
}

unsafe extern "C" fn memory_grow<T>(vmctx: *mut VMContext, delta: u32) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let m = store.inner.instances[inst as usize].mems[0];
    store.inner.memories[m as usize]
        .grow(u64::from(delta))
        .map_or(u32::MAX, |old| old as u32)
}

unsafe extern "C" fn global_get<T>(vmctx: *mut VMContext, global: u32) -> u64 {
    let (store, inst) = store::<T>(vmctx);
    let g = store.inner.instances[inst as usize].globals[global as usize];
    store.inner.globals[g as usize].value[0]
}

unsafe extern "C" fn global_set<T>(vmctx: *mut VMContext, global: u32, bits: u64) {
    let (store, inst) = store::<T>(vmctx);
    let g = store.inner.instances[inst as usize].globals[global as usize];
    store.inner.globals[g as usize].value[0] = bits;
}
