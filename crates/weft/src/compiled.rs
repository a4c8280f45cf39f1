//! The compiler tier's side in the runtime (feature `cranelift`): compiling
//! a module's functions with `weft-cranelift`, each instance's
//! [`VMContext`], the runtime functions compiled code calls, and the call
//! into compiled code.
//!
//! How the tiers meet: a compiled function's interpreter code is a stub,
//! `[Native, Ret]` (see `interp/code.rs`). An interpreted caller enters it
//! as an interpreted function; the `Native` instruction leaves the
//! dispatch loop, and `exec::run` calls the machine code on the frame's
//! slots ([`enter`]), then `Ret` returns the results. So the interpreter's
//! call paths stay as they were. A call from outside Wasm (the host
//! through `Func::call`, or compiled code through [`call`]) skips the run
//! loop once the function has machine code ([`enter_direct`]), and does
//! what the stub would have done around it.
//! Compiled code calls every function through the [`VMFuncRef`]s of its
//! instance's context (imports and `call_indirect` targets of other
//! instances included) with one indirect call: a compiled function's body
//! natively, any other function through the runtime trampoline of its
//! type (made once per engine, [`crate::Engine`]'s `runtime_trampoline`),
//! which calls [`call`]. One kind of call site instead of a branch to two
//! (native or runtime) took a fifth off the compile time of the SQLite
//! shell (see BENCHMARKS.md).
//!
//! With `Strategy::Auto` ([`Native::Lazy`]) a function is compiled inside
//! the one-time initialisation of its interpreter code
//! (`ModuleInner::compiled_func`), i.e. on its first call from any
//! direction, so that other threads calling it meanwhile wait for the one
//! compilation; if the compiler declines it, it is translated for the
//! interpreter instead. Instances are made before their functions are
//! compiled, so their [`VMFuncRef`]s start without code; [`call`] fills a
//! reference in when compiled code first calls through it. Compiling on
//! the first call (rather than after a call count) was chosen by the
//! numbers: on the 12 C benchmark programs the whole `weft run` process
//! took about as long under `auto` as under `compile`, and start-up of a
//! 1.26 MB module was the interpreter's (see BENCHMARKS.md).

use crate::activation;
use crate::error::{FrameInfo, Trap, TrapCode};
use crate::interp::exec;
use crate::module::ModuleInner;
use crate::signals::Called;
use crate::store::{FuncKind, GlobalEntity};
use crate::store::{Store, StoreInner};
use crate::values::slots_of;
use crate::{Caller, Error};
use weft_cranelift::vmctx::{
    GlobalsLayout, Libcalls, MemoryDef, TableDef, TrapKind, VMContext, VMFuncRef, VMStoreContext,
};
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
        self.module.types.func(ty)
    }
    fn global_type(&self, global: GlobalIdx) -> ValType {
        self.global_types[global.index()].content
    }
    fn globals_layout(&self) -> GlobalsLayout {
        GlobalsLayout {
            stride: std::mem::size_of::<GlobalEntity>() as u32,
            value_offset: std::mem::offset_of!(GlobalEntity, value) as u32,
        }
    }
    fn features(&self) -> weft_syntax::Features {
        self.engine.config().features
    }
    fn consume_fuel(&self) -> bool {
        self.engine.config().consume_fuel
    }
    fn memory_guards(&self) -> bool {
        // Every 32-bit memory of this engine's stores then has the full
        // reservation (`MemoryEntity::new`), and a module only runs in
        // stores of its engine.
        self.engine.config().guards_in_use()
    }
    fn epoch_interruption(&self) -> bool {
        // Sampled from a signal instead (see `Config::sampling_signal`).
        let config = self.engine.config();
        config.epoch_interruption && !config.sampling_signal_in_use()
    }
    fn imported_funcs(&self) -> u32 {
        self.num_imported_funcs as u32
    }
    fn compiles_tail_calls(&self) -> bool {
        *self.tail_calls_compiled.get_or_init(|| {
            !uses_declined_instructions(&self.module, self.engine.config().features)
        })
    }
}

/// A module's machine code, by strategy.
pub(crate) enum Native {
    /// None: `Strategy::Interpreter`, or no compiler for this host.
    None,
    /// `Strategy::Compiler`: every function the compiler covers, compiled
    /// when the module was created.
    Eager(weft_cranelift::CompiledModule),
    /// `Strategy::Auto`: each defined function compiled on its first call
    /// (set once, by [`ModuleInner::compiled_func`]'s one-time
    /// initialisation), or why it was declined.
    Lazy(Box<[std::sync::OnceLock<Result<weft_cranelift::NativeFunc, String>>]>),
}

impl Native {
    /// The machine code for `m`'s strategy: all of it now (`Compiler`),
    /// room for it (`Auto`), or none.
    pub(crate) fn new(m: &ModuleInner) -> Native {
        match m.engine.config().strategy {
            crate::Strategy::Interpreter => Native::None,
            crate::Strategy::Compiler => Native::Eager(compile_module(m)),
            crate::Strategy::Auto if m.engine.compiler().is_ok() => Native::Lazy(
                (0..m.module.code.len())
                    .map(|_| std::sync::OnceLock::new())
                    .collect(),
            ),
            crate::Strategy::Auto => Native::None,
        }
    }

    /// Whether instances need a context for compiled code.
    pub(crate) fn is_some(&self) -> bool {
        !matches!(self, Native::None)
    }

    /// The entry point of defined function `def`, if it has machine code
    /// (with `Auto`: once it has been called).
    pub(crate) fn entry(&self, def: u32) -> Option<weft_cranelift::vmctx::EntryFn> {
        match self {
            Native::None => None,
            Native::Eager(n) => n.entry(def),
            Native::Lazy(fs) => Some(fs.get(def as usize)?.get()?.as_ref().ok()?.entry()),
        }
    }

    /// The body of defined function `def` (see
    /// [`VMFuncRef::body`]), if it has machine code.
    pub(crate) fn body(&self, def: u32) -> Option<*const u8> {
        match self {
            Native::None => None,
            Native::Eager(n) => n.body(def),
            Native::Lazy(fs) => Some(fs.get(def as usize)?.get()?.as_ref().ok()?.body()),
        }
    }

    /// The defined function whose machine code holds address `pc`.
    fn def_at(&self, pc: usize) -> Option<u32> {
        match self {
            Native::None => None,
            Native::Eager(n) => n.def_at(pc),
            Native::Lazy(fs) => fs
                .iter()
                .position(|f| matches!(f.get(), Some(Ok(n)) if n.contains(pc)))
                .map(|def| def as u32),
        }
    }

    /// The module offset of the Wasm instruction of defined function
    /// `def` whose machine code holds address `pc`.
    fn wasm_offset_at(&self, def: u32, pc: usize) -> Option<u32> {
        match self {
            Native::None => None,
            Native::Eager(n) => n.wasm_offset_at(pc),
            Native::Lazy(fs) => fs
                .get(def as usize)?
                .get()?
                .as_ref()
                .ok()?
                .wasm_offset_at(pc),
        }
    }

    /// For each defined function compiled so far: `Ok` or why it was
    /// declined (`None` for a function `Auto` has not met yet).
    pub(crate) fn outcomes(&self) -> Vec<Option<Result<(), String>>> {
        fn outcome<C>(r: &Result<C, String>) -> Result<(), String> {
            r.as_ref().map(|_| ()).map_err(Clone::clone)
        }
        match self {
            Native::None => Vec::new(),
            Native::Eager(n) => n.funcs.iter().map(|f| Some(outcome(f))).collect(),
            Native::Lazy(fs) => fs.iter().map(|f| f.get().map(outcome)).collect(),
        }
    }
}

/// With `Strategy::Auto`, compiles defined function `def` of `m` on its
/// first call; true if it now has machine code. Called once per function,
/// from the one-time initialisation of its interpreter code (which other
/// threads calling it wait for).
pub(crate) fn compile_on_first_call(m: &ModuleInner, def: u32) -> bool {
    let (Native::Lazy(fs), Ok(compiler)) = (&m.native, m.engine.compiler()) else {
        return false;
    };
    let Some(slot) = fs.get(def as usize) else {
        return false;
    };
    m.ahead.call_once(|| compile_ahead(&m.me));
    let r = slot.get_or_init(|| {
        let ty = ModuleInner::func_type(m, (m.num_imported_funcs as u32) + def);
        let r = match beyond_compiler(m) {
            Some(why) => Err(why),
            None => compiler.compile_function(m, def, ty, &m.module.code[def as usize]),
        };
        count(r.as_ref().map(|_| ()));
        if let (Ok(f), true) = (&r, m.engine.config().perf_map) {
            let (start, len) = f.range();
            perf_map(m, &[(def, start, len)]);
        }
        r
    });
    r.is_ok()
}

/// With `Strategy::Auto` and [`crate::Config::parallel_compilation`],
/// queues `m` for the background compilers: threads on the machine's other
/// cores (one fewer than it has; none on one core) that compile queued
/// modules' functions in order, ahead of their first calls, through the
/// same one-time initialisation as a first call (so each function is still
/// compiled once, by whichever comes first). A module is skipped or left
/// once nothing but the compiler holds it. Called on the first call of one
/// of the module's functions, not when it is created: compiling alongside
/// the decoder and validator made the start-up of a large module (1.26
/// MB of code) 10-15% slower on the 2-core machine.
///
/// Why: on the first calls of a large program, compiling each function
/// when it is first called kept one core busy compiling while the other
/// idled (BENCHMARKS.md, real applications).
fn compile_ahead(m: &std::sync::Weak<ModuleInner>) {
    use std::sync::{Condvar, Mutex, OnceLock, Weak};
    type Queue = (
        Mutex<std::collections::VecDeque<Weak<ModuleInner>>>,
        Condvar,
    );
    static QUEUE: OnceLock<Option<Queue>> = OnceLock::new();
    let Some(module) = m.upgrade() else {
        return;
    };
    if !matches!(module.native, Native::Lazy(_))
        || !module.engine.config().parallel_compilation
        || module.module.code.len() < 2
    {
        return;
    }
    drop(module);
    let queue = QUEUE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut started = 0;
        for i in 1..cores {
            let spawned = std::thread::Builder::new()
                .name(format!("weft-compile-{i}"))
                .spawn(|| {
                    // The queue is set once this initialisation returns:
                    // waiting for it is waiting for this closure.
                    let Some((modules, ready)) = QUEUE.wait().as_ref() else {
                        return;
                    };
                    loop {
                        let next = {
                            let mut q = modules.lock().unwrap_or_else(|e| e.into_inner());
                            loop {
                                match q.pop_front() {
                                    Some(w) => break w,
                                    None => q = ready.wait(q).unwrap_or_else(|e| e.into_inner()),
                                }
                            }
                        };
                        compile_all(&next);
                    }
                });
            started += spawned.is_ok() as usize;
        }
        (started > 0).then(|| (Mutex::new(Default::default()), Condvar::new()))
    });
    if let Some((modules, ready)) = queue {
        modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(m.clone());
        ready.notify_one();
    }
}

/// Compiles (or translates, where the compiler declines) every function of
/// the module `m` refers to that no call has reached yet, while anyone
/// else holds the module.
fn compile_all(m: &std::sync::Weak<ModuleInner>) {
    let mut def = 0;
    while let Some(module) = m.upgrade() {
        if std::sync::Arc::strong_count(&module) == 1 || def >= module.module.code.len() {
            return;
        }
        // An error is the function's, reported by its call.
        let _ = module.compiled_func(def as u32);
        def += 1;
    }
}

/// Appends compiled functions of `m`, (defined function, start address,
/// length), to `/tmp/perf-PID.map` ([`crate::Config::perf_map`]): one line
/// each, `START SIZE NAME` in hex, as `perf` reads JIT symbols. A failure
/// to write leaves the functions unnamed, as a profiling aid must not stop
/// the program.
fn perf_map(m: &ModuleInner, funcs: &[(u32, usize, usize)]) {
    use std::io::Write;
    static FILE: std::sync::Mutex<Option<std::fs::File>> = std::sync::Mutex::new(None);
    let mut file = FILE.lock().unwrap_or_else(|e| e.into_inner());
    if file.is_none() {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        *file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok();
    }
    let Some(f) = file.as_mut() else {
        return;
    };
    let mut lines = String::new();
    for &(def, start, len) in funcs {
        let func_index = m.num_imported_funcs as u32 + def;
        let name = match m.func_name(func_index) {
            // One line per symbol: no control characters.
            Some(n) => weft_syntax::escape_name(n).to_string(),
            None => format!("wasm-function[{func_index}]"),
        };
        lines.push_str(&format!("{start:x} {len:x} {name}\n"));
    }
    let _ = f.write_all(lines.as_bytes());
}

/// Compiles every defined function of `m` that the compiler covers.
fn compile_module(m: &ModuleInner) -> weft_cranelift::CompiledModule {
    let compiler = m.engine.compiler();
    let n = m.num_imported_funcs;
    let bodies = m
        .module
        .code
        .iter()
        .enumerate()
        .map(|(def, code)| (ModuleInner::func_type(m, (n + def) as u32), code));
    let compiled = match compiler.and_then(|c| match beyond_compiler(m) {
        Some(why) => Err(why),
        None => Ok(c),
    }) {
        Ok(c) => c.compile_module(m, bodies, m.engine.compile_threads()),
        Err(e) => weft_cranelift::CompiledModule::declined(bodies.map(|_| e.clone())),
    };
    for f in &compiled.funcs {
        count(f.as_ref().map(|_| ()));
    }
    if m.engine.config().perf_map {
        perf_map(m, &compiled.ranges());
    }
    compiled
}

/// Adds a function's outcome to [`compiler_totals`].
fn count(r: Result<(), &String>) {
    let key = match r {
        Ok(()) => "compiled".to_string(),
        // The reason's first words: "instruction i32.atomic.load", ...
        Err(e) => e.clone(),
    };
    let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    *totals.entry(key).or_insert(0) += 1;
}

/// Why the compiler declines every function of `m`, if it does: see
/// [`memories_beyond_compiler`]; and compiled code calls every function
/// through a body, so the runtime trampolines of `m`'s function types
/// must exist first.
fn beyond_compiler(m: &ModuleInner) -> Option<String> {
    memories_beyond_compiler(m).or_else(|| {
        let func_types: Vec<u32> = m
            .module
            .types
            .iter()
            .zip(&m.type_ids)
            .filter(|(t, _)| matches!(t.composite, weft_syntax::CompositeType::Func(_)))
            .map(|(_, &id)| id)
            .collect();
        m.engine.ensure_runtime_trampolines(&func_types).err()
    })
}

/// Why the compiler declines every function of `m`, if it does: compiled
/// code addresses one memory of 32-bit addresses and 64 KiB pages (through
/// its registers) and 32-bit tables; a module with several memories, a
/// 64-bit memory or table, a custom page size or a non-final type runs
/// interpreted.
fn memories_beyond_compiler(m: &ModuleInner) -> Option<String> {
    use weft_syntax::{AddrType, MemType};
    if m.mem_types.len() > 1 {
        return Some("multiple memories".into());
    }
    if m.mem_types.iter().any(|t| t.addr == AddrType::I64) {
        return Some("a 64-bit memory".into());
    }
    if m.mem_types
        .iter()
        .any(|t| t.page_size_log2() != MemType::DEFAULT_PAGE_SIZE_LOG2)
    {
        return Some("a custom page size".into());
    }
    if m.table_types.iter().any(|t| t.addr == AddrType::I64) {
        return Some("a 64-bit table".into());
    }
    // Compiled `call_indirect` may compare type ids for equality, which is
    // matching only when the expected type can have no subtypes.
    if m.module.types.iter().any(|t| !t.is_final) {
        return Some("a non-final type (subtyping)".into());
    }
    // Compiled frames are not roots of the GC heap (`runtime/gc.rs`): a
    // module that can hold references to objects stays interpreted.
    if uses_gc_values(&m.module) {
        return Some("GC types or references".into());
    }
    None
}

/// Whether a module has struct or array types, or names a heap type of
/// the `any` hierarchy anywhere a value type can stand.
fn uses_gc_values(m: &weft_syntax::Module<'_>) -> bool {
    use weft_syntax::{CompositeType, HeapType, ValType};
    let any =
        |v: ValType| matches!(v, ValType::Ref(r) if r.heap.abstract_top() == Some(HeapType::Any));
    let mut found = false;
    for t in &m.types {
        found |= !matches!(t.composite, CompositeType::Func(_));
        t.composite.for_each_val_type(|v| found |= any(v));
    }
    found
        || m.globals.iter().any(|g| any(g.ty.content))
        || m.code.iter().any(|c| c.locals.iter().any(|l| any(l.ty)))
        || m.tables.iter().any(|t| any(ValType::Ref(t.ty.elem)))
        || m.elems.iter().any(|e| any(ValType::Ref(e.ty)))
        || m.imports.iter().any(|i| match i.desc {
            weft_syntax::ImportDesc::Global(g) => any(g.content),
            weft_syntax::ImportDesc::Table(t) => any(ValType::Ref(t.elem)),
            _ => false,
        })
}

/// Whether a function of `m` may be declined by the compiler for what it
/// uses (exceptions, GC, atomics and the other instruction sets it does
/// not cover; module-wide reasons are
/// [`memories_beyond_compiler`]'s), so that compiled and interpreted
/// functions of `m` may call each other. One decoding pass over the code
/// (about 0.1 ms per MB); `true` if it cannot decode, to be safe.
fn uses_declined_instructions(
    m: &weft_syntax::Module<'_>,
    features: weft_syntax::Features,
) -> bool {
    use weft_syntax::Feature;
    if !m.tags.is_empty() {
        return true;
    }
    m.code.iter().any(|c| {
        let mut r = weft_binary::Reader::new(&c.body.bytes, features);
        while !r.is_empty() {
            match r.read_instr() {
                Ok(i) => {
                    if matches!(
                        i.feature(),
                        Feature::Exceptions
                            | Feature::LegacyExceptions
                            | Feature::Gc
                            | Feature::Threads
                            | Feature::WideArithmetic
                            | Feature::CustomDescriptors
                    ) {
                        return true;
                    }
                }
                Err(_) => return true,
            }
        }
        false
    })
}

/// Functions compiled and declined (by reason) in this process.
static TOTALS: std::sync::Mutex<std::collections::BTreeMap<String, u64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// How many defined functions this process compiled (key `"compiled"`)
/// and declined, by reason, with `Strategy::Compiler` and `Strategy::Auto`.
#[doc(hidden)] // a report for tests and tools, not a stable API
pub fn compiler_totals() -> std::collections::BTreeMap<String, u64> {
    TOTALS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// An instance's context and its function references, at an address that
/// never changes: compiled code (its own and other instances') holds raw
/// pointers into it, so after creation it is only reached through the raw
/// pointer (never through a `&mut` that would claim it exclusively).
pub(crate) struct InstanceVm(std::ptr::NonNull<VmAlloc>);

struct VmAlloc {
    vmctx: VMContext,
    /// What `vmctx.funcs` points to.
    funcs: Box<[VMFuncRef]>,
    /// What `vmctx.global_indices` points to.
    global_indices: Box<[u32]>,
    /// What `vmctx.table_indices` points to.
    table_indices: Box<[u32]>,
    /// What `vmctx.type_ids` points to.
    type_ids: Box<[u32]>,
    /// What `vmctx.memory0` points to when the instance has no memory.
    no_memory: MemoryDef,
}

impl InstanceVm {
    /// The context compiled code of this instance runs with.
    pub(crate) fn vmctx(&self) -> *mut VMContext {
        // SAFETY: `self.0` is a live allocation (freed only by `drop`);
        // `addr_of_mut!` makes no reference.
        unsafe { std::ptr::addr_of_mut!((*self.0.as_ptr()).vmctx) }
    }
}

impl Drop for InstanceVm {
    fn drop(&mut self) {
        // SAFETY: made by `Box::into_raw` in `new_vm` and freed only here;
        // the instance (and so any compiled code using it) is gone with the
        // store that drops it.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

// SAFETY: the raw pointers in the context point into the store that owns
// the instance (its memories, contexts, store context); they are only
// dereferenced by compiled code and libcalls running with `&mut` access to
// that store, which is then on one thread.
unsafe impl Send for InstanceVm {}
// SAFETY: as for `Send`; `&InstanceVm` only hands out the raw pointer.
unsafe impl Sync for InstanceVm {}

/// The store's [`VMStoreContext`], at an address that never changes, only
/// reached through its raw pointer (compiled code reads it).
pub(crate) struct StoreVm(std::ptr::NonNull<StoreVmAlloc>);

struct StoreVmAlloc {
    ctx: VMStoreContext,
    /// What `ctx.func_refs` points to: one per store function, in order.
    func_refs: Vec<VMFuncRef>,
    /// What `ctx.tables` points to: one per store table, in order.
    tables: Vec<TableDef>,
}

impl StoreVm {
    pub(crate) fn new() -> StoreVm {
        let alloc = Box::new(StoreVmAlloc {
            ctx: VMStoreContext {
                stack_limit: 0,
                store: std::ptr::null_mut(),
                fuel: std::ptr::null_mut(),
                epoch: std::ptr::null(),
                epoch_deadline: std::ptr::null(),
                globals: std::ptr::null_mut(),
                tables: std::ptr::null(),
                func_refs: std::ptr::null_mut(),
                func_refs_len: 0,
                epoch_status: 0,
            },
            func_refs: Vec::new(),
            tables: Vec::new(),
        });
        StoreVm(std::ptr::NonNull::from(Box::leak(alloc)))
    }

    fn ptr(&self) -> *mut VMStoreContext {
        // SAFETY: `self.0` is a live allocation (freed only by `drop`);
        // `addr_of_mut!` makes no reference.
        unsafe { std::ptr::addr_of_mut!((*self.0.as_ptr()).ctx) }
    }
}

/// Points the store's context at the store's current arrays (globals,
/// tables, function references), which move when they grow: on each entry
/// into compiled code and after each runtime call that may have added to
/// them (a call through the runtime, which may instantiate a module or grow
/// a table, an epoch callback, `table.grow`). References of functions added
/// since the last time are appended; existing ones keep what they have
/// (a reference without code gets it through [`Libcalls::call`]).
#[inline]
fn refresh(inner: &mut StoreInner) {
    let Some(p) = inner.vm.as_ref().map(|vm| vm.0.as_ptr()) else {
        return;
    };
    // Usually nothing has changed: each array is compared before it is
    // rebuilt, which keeps calls into compiled code cheap.
    // SAFETY: the store's allocation, alive with the store; written only
    // with `&mut` access to the store, while compiled code of the store is
    // suspended (in this runtime call) or not running. No reference into
    // it outlives this function.
    unsafe {
        (*p).ctx.globals = inner.globals.as_mut_ptr().cast();
        let func_refs = &mut (*p).func_refs;
        if func_refs.len() != inner.funcs.len() {
            for sf in func_refs.len()..inner.funcs.len() {
                func_refs.push(func_ref(inner, sf as u32));
            }
            (*p).ctx.func_refs = func_refs.as_mut_ptr();
            (*p).ctx.func_refs_len = func_refs.len();
        }
        let tables = &mut (*p).tables;
        let current = |d: &TableDef, t: &crate::store::TableEntity| {
            d.elems == t.elems.as_ptr() && d.len == t.elems.len()
        };
        if tables.len() != inner.tables.len()
            || !tables.iter().zip(&inner.tables).all(|(d, t)| current(d, t))
        {
            tables.clear();
            tables.extend(inner.tables.iter().map(|t| TableDef {
                elems: t.elems.as_ptr(),
                len: t.elems.len(),
            }));
            (*p).ctx.tables = tables.as_ptr();
        }
    }
}

impl Drop for StoreVm {
    fn drop(&mut self) {
        // SAFETY: made by `Box::leak` in `new` and freed only here, with
        // the store (so no compiled code of it runs).
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

// SAFETY: as for `InstanceVm`: only used with `&mut` access to its store.
unsafe impl Send for StoreVm {}
// SAFETY: as for `Send`.
unsafe impl Sync for StoreVm {}

/// [`func_ref`] of store function `sf`, also recorded in the store
/// context's array that inline `call_indirect` reads: an entry made before
/// the function was compiled (`Strategy::Auto`) would otherwise send every
/// call through the table to the runtime.
fn current_func_ref(inner: &mut StoreInner, sf: u32) -> VMFuncRef {
    let r = func_ref(inner, sf);
    if let Some(p) = inner.vm.as_ref().map(|vm| vm.0.as_ptr()) {
        // SAFETY: as in `refresh`: the store's allocation, written with
        // `&mut` access to the store while its compiled code is suspended
        // in a runtime call or not running; the entry is replaced in place,
        // so the array compiled code points to does not move.
        unsafe {
            let func_refs = &mut (*p).func_refs;
            if let Some(e) = func_refs.get_mut(sf as usize) {
                *e = r;
            }
        }
    }
    r
}

/// How compiled code calls store function `sf`: natively if its instance
/// has a context and its body was compiled, else through the runtime (the
/// runtime trampoline of its type).
fn func_ref(inner: &StoreInner, sf: u32) -> VMFuncRef {
    let type_id = inner.funcs[sf as usize].ty;
    let none = || VMFuncRef {
        code: None,
        body: inner.engine.runtime_trampoline(type_id),
        vmctx: std::ptr::null_mut(),
        index: sf,
        type_id,
    };
    let FuncKind::Wasm { instance, def } = inner.funcs[sf as usize].kind else {
        return none();
    };
    let callee = &inner.instances[instance as usize];
    let native = &callee.module.native;
    match (native.entry(def), native.body(def), &callee.vm) {
        (Some(code), Some(body), Some(vm)) => VMFuncRef {
            code: Some(code),
            body,
            vmctx: vm.vmctx(),
            index: sf,
            type_id,
        },
        _ => none(),
    }
}

/// Gives instance `instance` of a `Store<T>` (already in the store, with
/// its functions) its context.
pub(crate) fn new_vm<T>(inner: &mut StoreInner, instance: u32) {
    if inner.engine.config().guards_in_use() {
        crate::signals::install();
    }
    let store_ctx = inner.vm.get_or_insert_with(StoreVm::new).ptr();
    let memory0 = match inner.instances[instance as usize].mems.first() {
        Some(&m) => inner.memories[m as usize].data.def().cast(),
        None => std::ptr::null(),
    };
    let alloc = Box::new(VmAlloc {
        vmctx: VMContext {
            memory0,
            funcs: std::ptr::null_mut(),
            store_ctx,
            global_indices: std::ptr::null(),
            table_indices: std::ptr::null(),
            type_ids: std::ptr::null(),
            libcalls: Libcalls {
                call: call::<T>,
                call_indirect: call_indirect::<T>,
                trap: trap::<T>,
                frame: frame::<T>,
                epoch: epoch::<T>,
                epoch_stub: weft_cranelift::epoch_stub::epoch_stub(),
                memory_grow: memory_grow::<T>,
                table_get: table_get::<T>,
                table_set: table_set::<T>,
                table_size: table_size::<T>,
                table_grow: table_grow::<T>,
                table_fill: table_fill::<T>,
                table_copy: table_copy::<T>,
                table_init: table_init::<T>,
                elem_drop: elem_drop::<T>,
                memory_init: memory_init::<T>,
                data_drop: data_drop::<T>,
                memory_copy: memory_copy::<T>,
                memory_fill: memory_fill::<T>,
                sample: sample::<T>,
            },
            instance,
        },
        funcs: Box::new([]),
        global_indices: inner.instances[instance as usize].globals.clone().into(),
        table_indices: inner.instances[instance as usize].tables.clone().into(),
        type_ids: inner.instances[instance as usize]
            .module
            .type_ids
            .clone()
            .into(),
        no_memory: MemoryDef {
            base: std::ptr::NonNull::dangling().as_ptr(),
            len: 0,
        },
    });
    let vm = InstanceVm(std::ptr::NonNull::from(Box::leak(alloc)));
    // The instance's own functions refer to this context: install it
    // first, then fill the function references in.
    inner.instances[instance as usize].vm = Some(vm);
    let funcs: Box<[VMFuncRef]> = inner.instances[instance as usize]
        .funcs
        .iter()
        .map(|&sf| func_ref(inner, sf))
        .collect();
    let p = inner.instances[instance as usize]
        .vm
        .as_ref()
        .map(|vm| vm.0.as_ptr());
    if let Some(p) = p {
        // SAFETY: `p` is the live allocation just made; no compiled code
        // runs yet, and nothing else refers to it.
        unsafe {
            if (*p).vmctx.memory0.is_null() {
                (*p).vmctx.memory0 = std::ptr::addr_of!((*p).no_memory);
            }
            (*p).funcs = funcs;
            (*p).vmctx.funcs = (*p).funcs.as_mut_ptr();
            (*p).vmctx.global_indices = (*p).global_indices.as_ptr();
            (*p).vmctx.table_indices = (*p).table_indices.as_ptr();
            (*p).vmctx.type_ids = (*p).type_ids.as_ptr();
        }
    }
}

/// Calls defined function `def` of instance `inst` with its arguments
/// (and then results) in `args` straight into its machine code, if it has
/// some (else `None`: the interpreter runs its stub, or translates it).
/// What the run loop would do around its `[Native, Ret]` stub with no
/// interpreted frames, without a value stack: `executions` counts the
/// call (the garbage collector must not run while compiled frames may hold
/// references), a host function's panic is resumed, and an exception that
/// got through gains the function's frame ([`native_error`]). `args` has
/// the larger of the parameter and result slot counts (the stub's frame).
#[inline]
pub(crate) fn enter_direct<T>(
    store: &mut Store<T>,
    inst: u32,
    def: u32,
    args: &mut [u64],
) -> Option<Result<(), Error>> {
    let entry = store.inner.instances[inst as usize]
        .module
        .native
        .entry(def)?;
    store.inner.executions += 1;
    let r = call_entry(store, inst, entry, args);
    store.inner.executions -= 1;
    if let Some(p) = store.inner.pending_panic.take() {
        std::panic::resume_unwind(p);
    }
    Some(r.map_err(|e| native_error(&store.inner, inst, def, e)))
}

/// The error a call of compiled function `def` of instance `inst` from
/// outside Wasm ends with, as the run loop makes it for the function's
/// stub with no interpreted callers (`exec::run`, `Stop::Native`): a trap
/// is as it was (there are no callers to add), an exception of the store
/// gains the stub's frame, unwound from its `Ret` (`exec::uncaught`).
#[cold]
#[inline(never)]
fn native_error(inner: &StoreInner, inst: u32, def: u32, e: Error) -> Error {
    let Some(exn) = e.as_exception().and_then(|x| x.bits(inner).ok()) else {
        return e;
    };
    let module = &inner.instances[inst as usize].module;
    let Ok(code) = module.compiled_func(def) else {
        return e;
    };
    let at = code.code.as_ptr().wrapping_add(1);
    let offset = code.index_of(at).and_then(|i| code.module_offset(i));
    let mut bt = e.backtrace().to_vec();
    bt.push(module.frame_info(def, offset));
    bt.truncate(Trap::MAX_FRAMES);
    Error::exception(
        crate::ExnRef::from_bits(inner, exn),
        format!(
            "uncaught exception: tag {}",
            crate::exception::tag_name(inner, exn)
        ),
        bt,
    )
}

/// Calls compiled defined function `def` of instance `inst` with its
/// arguments (and then results) in `slots`.
pub(crate) fn enter<T>(
    store: &mut Store<T>,
    inst: u32,
    def: u32,
    slots: &mut [u64],
) -> Result<(), Error> {
    let entry = store.inner.instances[inst as usize]
        .module
        .native
        .entry(def)
        .ok_or_else(|| Error::other("internal error: function not compiled"))?;
    call_entry(store, inst, entry, slots)
}

/// [`enter`] with the function's entry point (`entry`) at hand.
#[inline]
fn call_entry<T>(
    store: &mut Store<T>,
    inst: u32,
    entry: weft_cranelift::vmctx::EntryFn,
    slots: &mut [u64],
) -> Result<(), Error> {
    let vm = match &store.inner.instances[inst as usize].vm {
        Some(vm) => vm.vmctx(),
        None => return Err(Error::other("internal error: instance without context")),
    };
    let sc = match &store.inner.vm {
        Some(sc) => sc.ptr(),
        None => return Err(Error::other("internal error: store without context")),
    };
    // Set by the outermost entry into Wasm (`exec::call`, through which
    // every call reaches compiled code).
    let stack_limit = store.inner.stack_limit;
    // The engine's epoch counter, which its `Arc` keeps in place.
    let epoch = store.inner.engine.inner.epoch.as_ptr().cast_const();
    if store.inner.engine.config().guards_in_use() {
        crate::signals::ensure_alt_stack();
    }
    refresh(&mut store.inner);
    // SAFETY: `vm` and `sc` are this store's contexts, alive while it is.
    // The store pointer is set for the duration of the call, during which
    // `store` is not used: compiled code and the libcalls reach the store
    // only through it. Nested entries (compiled -> runtime -> compiled)
    // restore the store pointer they found. `slots` holds the larger of the function's
    // parameter and result counts (the `Native` stub's frame size).
    let called = unsafe {
        (*sc).stack_limit = stack_limit;
        let (outer_store, outer_fuel) = ((*sc).store, (*sc).fuel);
        let sp: *mut Store<T> = store;
        (*sc).store = sp.cast();
        (*sc).fuel = std::ptr::addr_of_mut!((*sp).inner.fuel);
        (*sc).epoch = epoch;
        (*sc).epoch_deadline = std::ptr::addr_of!((*sp).inner.epoch_deadline);
        let called = crate::signals::call(entry, vm, slots.as_mut_ptr());
        (*sc).store = outer_store;
        (*sc).fuel = outer_fuel;
        called
    };
    let status = match called {
        Called::Status(s) => s,
        Called::OutOfBounds(pcs, frames) => return Err(fault_trap(&store.inner, &pcs, frames)),
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

/// The trap of an out-of-bounds fault in compiled code, its compiled
/// frames named from their code addresses (`pcs`, innermost first, of
/// `frames` in all). Out of line: the fault path must not grow the stack
/// frame of every call into compiled code.
#[cold]
#[inline(never)]
fn fault_trap(inner: &StoreInner, pcs: &[usize], frames: usize) -> Error {
    crate::signals::out_of_bounds(pcs, frames, |pc| {
        (0..inner.instances.len() as u32).find_map(|i| {
            let native = &inner.instances[i as usize].module.native;
            let def = native.def_at(pc)?;
            let at = native.wasm_offset_at(def, pc).map(|at| at as usize);
            Some(frame_info(inner, i, def, at))
        })
    })
    .into()
}

/// The store behind a context, and the context's instance.
///
/// # Safety
/// `vmctx` must be the context of an instance of a live `Store<T>` inside
/// [`enter`] (which set the store pointer), with no other reference to the
/// store in use.
unsafe fn store<'a, T>(vmctx: *mut VMContext) -> (&'a mut Store<T>, u32) {
    let sc = (*vmctx).store_ctx;
    (&mut *(*sc).store.cast::<Store<T>>(), (*vmctx).instance)
}

fn fail<T>(store: &mut Store<T>, e: Error) -> u32 {
    store.inner.pending = Some(e);
    1
}

/// Runs `f` on the store, turning a panic (a host function's) into an
/// error, since it cannot unwind through compiled frames; it is resumed
/// by [`enter`]'s caller through `pending_panic`.
///
/// # Safety
/// As for [`store`].
unsafe fn guard<T>(vmctx: *mut VMContext, f: impl FnOnce(&mut Store<T>, u32) -> u32) -> u32 {
    let sp: *mut Store<T> = (*(*vmctx).store_ctx).store.cast();
    let inst = (*vmctx).instance;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut *sp, inst))) {
        Ok(r) => r,
        Err(p) => {
            // SAFETY: the closure, and the reference it held, have ended.
            let store = &mut *sp;
            store.inner.pending_panic = Some(p);
            fail(store, Error::other("host function panicked"))
        }
    }
}

/// [`Libcalls::call`](weft_cranelift::vmctx::Libcalls::call). With
/// `Strategy::Auto` a Wasm callee is compiled here on its first call and
/// the reference refreshed before the call, so that the caller's later
/// calls through it, and the callee's own recursive calls, are native
/// (each call through the runtime nests a runtime frame, of which there
/// may be only a few hundred).
///
/// # Safety
/// As for [`store`]; `callee` must be valid for reads and writes (an
/// entry of a context's `funcs`, or a caller's stack copy); `slots` as for
/// [`call_store_func`]; `fp` must be the frame pointer of a runtime
/// trampoline called by a compiled function of `vmctx`'s instance.
unsafe extern "C" fn call<T>(
    vmctx: *mut VMContext,
    callee: *mut VMFuncRef,
    slots: *mut u64,
    fp: usize,
) -> u32 {
    let sf = (*callee).index;
    guard::<T>(vmctx, |store, inst| {
        // The compiled frames stay walkable while the callee runs (the
        // caller is found from the trampoline's frame when they are read).
        activation::push_trampoline(&mut store.inner, inst, fp);
        if let FuncKind::Wasm { instance, def } = store.inner.funcs[sf as usize].kind {
            let module = &store.inner.instances[instance as usize].module;
            // A translation error is reported by the call below.
            let _ = module.compiled_func(def);
            if module.native.body(def).is_some() {
                callee.write(current_func_ref(&mut store.inner, sf));
            }
        }
        let r = call_store_func(store, inst, sf, slots);
        // A tick that fell in the callee outside compiled code (a host
        // function), where the signal does not sample, is sampled on its
        // return, charged to the caller: as the epoch check that follows
        // a call in the interpreter would.
        if store.signal_sample_due() {
            store.run_signal_sampler();
        }
        activation::pop(&mut store.inner);
        r
    })
}

/// [`Libcalls::epoch`](weft_cranelift::vmctx::Libcalls::epoch): runs the
/// store's epoch deadline callback with the compiled frames from `def`
/// (frame pointer `fp`) on walkable, or records the "interrupt" trap.
///
/// # Safety
/// As for [`store`]; `fp` must be the frame pointer of compiled function
/// `def`, which is suspended in this call.
unsafe extern "C" fn epoch<T>(vmctx: *mut VMContext, def: u32, fp: usize) -> u32 {
    guard::<T>(vmctx, |store, inst| {
        activation::push_compiled(&mut store.inner, inst, def, fp);
        let r = store.epoch_reached();
        activation::pop(&mut store.inner);
        // The callback may have added to the store's arrays.
        refresh(&mut store.inner);
        match r {
            Ok(()) => 0,
            Err(e) => fail(store, e),
        }
    })
}

/// [`Libcalls::sample`](weft_cranelift::vmctx::Libcalls::sample): the
/// sampling signal interrupted this store's compiled code at `pc`, whose
/// frame pointer is `fp`. If the epoch has reached the store's deadline,
/// runs the store's signal sampler with the compiled frames from `pc` on
/// walkable (as [`epoch`] does at a check).
///
/// # Safety
/// Called by the sampling handler only (`signals::on_sample`), on the
/// thread it interrupted, with `pc` in compiled code: the runtime is then
/// suspended inside a call into compiled code, so `vmctx` is the context
/// of a live store whose pointer is set, used by nothing else meanwhile,
/// as for a libcall.
unsafe extern "C" fn sample<T>(vmctx: *mut VMContext, pc: usize, fp: usize) {
    let (store, _) = store::<T>(vmctx);
    if !store.signal_sample_due() {
        return;
    }
    // Only inside a body is `fp` a frame of compiled code (before its own
    // frame is made, its caller's, which is compiled code too); an entry
    // point's trampoline starts with the runtime's.
    let Some((inst, def)) = body_holding(&store.inner, pc) else {
        return;
    };
    activation::push_compiled(&mut store.inner, inst, def, fp);
    // A panic must not unwind out of a signal handler; the sample is lost.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| store.run_signal_sampler()));
    activation::pop(&mut store.inner);
}

/// The instance and defined function whose compiled body holds `pc`.
fn body_holding(inner: &StoreInner, pc: usize) -> Option<(u32, u32)> {
    (0..inner.instances.len() as u32).find_map(|i| {
        let native = &inner.instances[i as usize].module.native;
        let def = native.def_at(pc)?;
        let body = native.body(def)? as usize;
        (pc >= body).then_some((i, def))
    })
}

/// The compiled frames suspended in a call through the runtime trampoline
/// whose frame pointer is `fp`, called by compiled code of instance
/// `inst`: its caller (the function whose code holds the return address
/// in the trampoline's frame record) and the caller's compiled callers.
/// Found here, when frames are read, rather than on every such call (with
/// `Strategy::Auto`, finding a function by address is a linear search).
///
/// # Safety
/// `fp` must be the frame pointer of a runtime trampoline suspended in
/// [`call`] (Cranelift keeps frame pointers: its frame record holds its
/// caller's frame pointer and return address).
pub(crate) unsafe fn trampoline_caller_frames(
    inner: &StoreInner,
    inst: u32,
    fp: usize,
    out: &mut Vec<crate::activation::ActiveFrame>,
) {
    let caller_fp = *(fp as *const usize);
    let ra = *(fp as *const usize).add(1);
    if let Some(def) = inner.instances[inst as usize].module.native.def_at(ra - 1) {
        compiled_frames(inner, inst, def, caller_fp, out);
    }
}

/// The compiled frames of an activation, innermost first: function `def`
/// of instance `inst`, whose frame pointer is `fp`, then its compiled
/// callers up to the call into compiled code (whose return address is the
/// first one outside compiled code).
///
/// # Safety
/// `fp` must be the frame pointer of compiled function `def`, suspended in
/// a call (Cranelift keeps frame pointers in every function, so the chain
/// of saved frame pointers and return addresses above it is intact).
pub(crate) unsafe fn compiled_frames(
    inner: &StoreInner,
    inst: u32,
    def: u32,
    mut fp: usize,
    out: &mut Vec<crate::activation::ActiveFrame>,
) {
    // Where the innermost function is (in the runtime call that pushed
    // its activation) is not recorded.
    out.push((inst, def, None));
    // Callers' frames are at higher addresses: a chain that does not climb
    // is not one (it cannot loop).
    while fp != 0 && fp.is_multiple_of(8) {
        let ra = *(fp as *const usize).add(1);
        if !weft_cranelift::is_code(ra) {
            break;
        }
        // A return address is looked up one byte back, inside its call.
        let caller = (0..inner.instances.len() as u32).find_map(|i| {
            let native = &inner.instances[i as usize].module.native;
            let def = native.def_at(ra - 1)?;
            Some((
                i,
                def,
                native.wasm_offset_at(def, ra - 1).map(|o| o as usize),
            ))
        });
        match caller {
            Some(c) => out.push(c),
            None => break,
        }
        let next = *(fp as *const usize);
        if next <= fp {
            break;
        }
        fp = next;
    }
}

/// Calls store function `sf` with the slots of a compiled caller in
/// instance `inst` (a host function sees it as its caller's instance, as
/// from interpreted code).
///
/// # Safety
/// `slots` must hold as many slots as the larger of `sf`'s parameter and
/// result lists take (compiled code sizes its arrays so; a v128 takes two).
unsafe fn call_store_func<T>(store: &mut Store<T>, inst: u32, sf: u32, slots: *mut u64) -> u32 {
    let ty = store
        .inner
        .engine
        .func_type(store.inner.funcs[sf as usize].ty);
    let n = slots_of(&ty.params).max(slots_of(&ty.results));
    let args = std::slice::from_raw_parts_mut(slots, n);
    let r = match store.inner.funcs[sf as usize].kind {
        FuncKind::Host(h) => {
            let f = store.hosts[h as usize].f.clone();
            f(
                Caller {
                    store: &mut *store,
                    instance: Some(inst),
                },
                args,
            )
        }
        FuncKind::Wasm { .. } => exec::call(store, sf, args),
    };
    // The callee may have added globals, functions or tables
    // (instantiating a module, say) or grown a table.
    refresh(&mut store.inner);
    match r {
        Ok(()) => 0,
        Err(e) => fail(store, e),
    }
}

/// [`Libcalls::call_indirect`](weft_cranelift::vmctx::Libcalls::call_indirect).
///
/// # Safety
/// As for [`store`]; `out` must be valid for a write.
unsafe extern "C" fn call_indirect<T>(
    vmctx: *mut VMContext,
    table: u32,
    ty: u32,
    elem: u32,
    out: *mut VMFuncRef,
) -> u32 {
    guard::<T>(vmctx, |store, inst| {
        let instance = &store.inner.instances[inst as usize];
        let t = instance.tables[table as usize];
        let expected = instance.module.type_ids[ty as usize];
        // The same checks, in the same order, as the interpreter's
        // `CallTableSlow` (§4.4.8, call_indirect).
        let code = match store.inner.tables[t as usize].elems.get(elem as usize) {
            None => TrapCode::UndefinedElement,
            Some(0) => TrapCode::IndirectCallToNull,
            Some(&r)
                if !store
                    .inner
                    .is_subtype(store.inner.funcs[(r - 1) as usize].ty, expected) =>
            {
                TrapCode::BadSignature
            }
            Some(&r) => {
                out.write(current_func_ref(&mut store.inner, (r - 1) as u32));
                return 0;
            }
        };
        fail(store, Trap::new(code).into())
    })
}

/// The backtrace frame of defined function `def` of instance `inst` at
/// module offset `at`.
fn frame_info(inner: &StoreInner, inst: u32, def: u32, at: Option<usize>) -> FrameInfo {
    inner.instances[inst as usize].module.frame_info(def, at)
}

/// Records a trap raised in compiled code ([`Libcalls::trap`](weft_cranelift::vmctx::Libcalls::trap)).
///
/// # Safety
/// As for [`store`] (compiled code passes its own context).
unsafe extern "C" fn trap<T>(vmctx: *mut VMContext, kind: u32, def: u32, at: u32) {
    let (store, inst) = store::<T>(vmctx);
    let code = match TrapKind::from_code(kind) {
        Some(TrapKind::Unreachable) => TrapCode::Unreachable,
        Some(TrapKind::MemoryOutOfBounds) => TrapCode::MemoryOutOfBounds,
        Some(TrapKind::IntegerOverflow) => TrapCode::IntegerOverflow,
        Some(TrapKind::IntegerDivisionByZero) => TrapCode::IntegerDivisionByZero,
        Some(TrapKind::BadConversionToInteger) => TrapCode::BadConversionToInteger,
        Some(TrapKind::StackOverflow) => TrapCode::StackOverflow,
        Some(TrapKind::OutOfFuel) => TrapCode::OutOfFuel,
        Some(TrapKind::Interrupt) => TrapCode::Interrupt,
        Some(TrapKind::NullReference) => TrapCode::NullReference,
        Some(TrapKind::NullFunctionReference) => TrapCode::NullFunctionReference,
        None => TrapCode::Unreachable,
    };
    let mut t = Trap::new(code);
    t.set_backtrace(vec![frame_info(&store.inner, inst, def, Some(at as usize))]);
    store.inner.pending = Some(t.into());
}

/// Adds a compiled frame to the pending trap's backtrace ([`Libcalls::frame`](weft_cranelift::vmctx::Libcalls::frame)).
///
/// # Safety
/// As for [`store`] (compiled code passes its own context).
unsafe extern "C" fn frame<T>(vmctx: *mut VMContext, def: u32, at: u32) {
    let (store, inst) = store::<T>(vmctx);
    let full = match store.inner.pending.as_ref().and_then(Error::as_trap) {
        Some(t) => t.backtrace().len() >= Trap::MAX_FRAMES,
        None => true,
    };
    // Unwinding a million frames must not build a million names: count
    // them.
    if full {
        if let Some(t) = store.inner.pending.as_mut().and_then(Error::trap_mut) {
            t.add_frames_elided(1);
        }
        return;
    }
    let info = frame_info(&store.inner, inst, def, Some(at as usize));
    if let Some(t) = store.inner.pending.as_mut().and_then(Error::trap_mut) {
        t.push_frame(info);
    }
}

/// `memory.grow` of memory 0.
///
/// # Safety
/// As for [`store`] (compiled code passes its own context).
unsafe extern "C" fn memory_grow<T>(vmctx: *mut VMContext, delta: u32) -> u64 {
    let (store, inst) = store::<T>(vmctx);
    let m = store.inner.instances[inst as usize].mems[0];
    grown(vmctx, |store: &mut Store<T>| {
        store.grow_memory(m, u64::from(delta))
    })
}

/// The result of a growth libcall (see `Libcalls::memory_grow`): the old
/// size or -1, or bit 32 with the error recorded. The limiter, if one is
/// installed, is host code: a panic in it is caught as in [`guard`].
///
/// # Safety
/// As for [`store`].
unsafe fn grown<T>(
    vmctx: *mut VMContext,
    grow: impl FnOnce(&mut Store<T>) -> crate::Result<Option<u64>>,
) -> u64 {
    let mut old = None;
    let status = guard::<T>(vmctx, |store, _| match grow(store) {
        Ok(r) => {
            old = r;
            0
        }
        Err(e) => fail(store, e),
    });
    match (status, old) {
        (0, Some(old)) => old & u64::from(u32::MAX),
        (0, None) => u64::from(u32::MAX),
        _ => 1 << 32,
    }
}

// ---- tables and bulk memory --------------------------------------------
//
// The same checks, in the same order, as the interpreter's handlers
// (`TableRead` ... `DataDiscard` in `interp/exec.rs`); a failed check
// records the trap and returns status 1.

/// Whether `start..start + len` lies within `size`.
fn in_bounds(start: u32, len: u32, size: usize) -> bool {
    u64::from(start) + u64::from(len) <= size as u64
}

/// Records trap `code` (compiled code adds its frames) and returns 1.
fn trapped<T>(store: &mut Store<T>, code: TrapCode) -> u32 {
    fail(store, Trap::new(code).into())
}

/// The store's index of table `table` of the context's instance.
fn table_of<T>(store: &Store<T>, inst: u32, table: u32) -> usize {
    store.inner.instances[inst as usize].tables[table as usize] as usize
}

/// `table.get`.
///
/// # Safety
/// As for [`store`]; `out` must be valid for a write.
unsafe extern "C" fn table_get<T>(vmctx: *mut VMContext, table: u32, i: u32, out: *mut u64) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let t = table_of(store, inst, table);
    match store.inner.tables[t].elems.get(i as usize) {
        Some(&v) => {
            out.write(v);
            0
        }
        None => trapped(store, TrapCode::TableOutOfBounds),
    }
}

/// `table.set`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn table_set<T>(vmctx: *mut VMContext, table: u32, i: u32, v: u64) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let t = table_of(store, inst, table);
    match store.inner.tables[t].elems.get_mut(i as usize) {
        Some(e) => {
            *e = v;
            0
        }
        None => trapped(store, TrapCode::TableOutOfBounds),
    }
}

/// `table.size`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn table_size<T>(vmctx: *mut VMContext, table: u32) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let t = table_of(store, inst, table);
    store.inner.tables[t].elems.len() as u32
}

/// `table.grow`: the old size, or -1.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn table_grow<T>(
    vmctx: *mut VMContext,
    table: u32,
    init: u64,
    delta: u32,
) -> u64 {
    let (store, inst) = store::<T>(vmctx);
    let t = table_of(store, inst, table) as u32;
    grown(vmctx, |store: &mut Store<T>| {
        let r = store.grow_table(t, u64::from(delta), init);
        refresh(&mut store.inner);
        r
    })
}

/// `table.fill`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn table_fill<T>(
    vmctx: *mut VMContext,
    table: u32,
    s: u32,
    v: u64,
    n: u32,
) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let t = table_of(store, inst, table);
    let elems = &mut store.inner.tables[t].elems;
    if !in_bounds(s, n, elems.len()) {
        return trapped(store, TrapCode::TableOutOfBounds);
    }
    elems[s as usize..(s + n) as usize].fill(v);
    0
}

/// `table.copy`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn table_copy<T>(
    vmctx: *mut VMContext,
    dst_table: u32,
    src_table: u32,
    d: u32,
    s: u32,
    n: u32,
) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let (dt, st) = (
        table_of(store, inst, dst_table),
        table_of(store, inst, src_table),
    );
    let tables = &mut store.inner.tables;
    if !in_bounds(s, n, tables[st].elems.len()) || !in_bounds(d, n, tables[dt].elems.len()) {
        return trapped(store, TrapCode::TableOutOfBounds);
    }
    let (d, s, n) = (d as usize, s as usize, n as usize);
    if dt == st {
        tables[dt].elems.copy_within(s..s + n, d);
    } else {
        let src = tables[st].elems[s..s + n].to_vec();
        tables[dt].elems[d..d + n].copy_from_slice(&src);
    }
    0
}

/// `table.init`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn table_init<T>(
    vmctx: *mut VMContext,
    table: u32,
    elem: u32,
    d: u32,
    s: u32,
    n: u32,
) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let StoreInner {
        instances, tables, ..
    } = &mut store.inner;
    let instance = &instances[inst as usize];
    let seg = &instance.elems[elem as usize];
    let tab = &mut tables[instance.tables[table as usize] as usize].elems;
    if !in_bounds(s, n, seg.len()) || !in_bounds(d, n, tab.len()) {
        return trapped(store, TrapCode::TableOutOfBounds);
    }
    tab[d as usize..(d + n) as usize].copy_from_slice(&seg[s as usize..(s + n) as usize]);
    0
}

/// `elem.drop`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn elem_drop<T>(vmctx: *mut VMContext, elem: u32) {
    let (store, inst) = store::<T>(vmctx);
    store.inner.instances[inst as usize].elems[elem as usize] = Vec::new();
}

/// Memory 0 of the context's instance.
fn memory0<T>(store: &mut Store<T>, inst: u32) -> &mut [u8] {
    let m = store.inner.instances[inst as usize].mems[0];
    &mut store.inner.memories[m as usize].data[..]
}

/// `memory.init`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn memory_init<T>(
    vmctx: *mut VMContext,
    data: u32,
    d: u32,
    s: u32,
    n: u32,
) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let instance = &store.inner.instances[inst as usize];
    let module = instance.module.clone();
    let seg: &[u8] = if instance.data_dropped[data as usize] {
        &[]
    } else {
        &module.module.datas[data as usize].init
    };
    let mem = memory0(store, inst);
    if !in_bounds(s, n, seg.len()) || !in_bounds(d, n, mem.len()) {
        return trapped(store, TrapCode::MemoryOutOfBounds);
    }
    mem[d as usize..(d + n) as usize].copy_from_slice(&seg[s as usize..(s + n) as usize]);
    0
}

/// `data.drop`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn data_drop<T>(vmctx: *mut VMContext, data: u32) {
    let (store, inst) = store::<T>(vmctx);
    store.inner.instances[inst as usize].data_dropped[data as usize] = true;
}

/// `memory.copy`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn memory_copy<T>(vmctx: *mut VMContext, d: u32, s: u32, n: u32) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let mem = memory0(store, inst);
    if !in_bounds(s, n, mem.len()) || !in_bounds(d, n, mem.len()) {
        return trapped(store, TrapCode::MemoryOutOfBounds);
    }
    mem.copy_within(s as usize..(s + n) as usize, d as usize);
    0
}

/// `memory.fill`.
///
/// # Safety
/// As for [`store`].
unsafe extern "C" fn memory_fill<T>(vmctx: *mut VMContext, d: u32, v: u32, n: u32) -> u32 {
    let (store, inst) = store::<T>(vmctx);
    let mem = memory0(store, inst);
    if !in_bounds(d, n, mem.len()) {
        return trapped(store, TrapCode::MemoryOutOfBounds);
    }
    mem[d as usize..(d + n) as usize].fill(v as u8);
    0
}
