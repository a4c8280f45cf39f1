//! [`Store<T>`]: owns every instance, function, memory, table, global and
//! externref, plus the host's state `T` (spec §4.2.3, the store).
//!
//! Handles ([`crate::Func`], [`crate::Memory`], ...) are indices into the
//! store's vectors tagged with the store's id, so that using one with
//! another store is caught.

use crate::engine::Engine;
use crate::func::HostFunc;
use crate::limits::ResourceLimiter;
use crate::module::ModuleInner;
use crate::profiler::{GuestStack, SamplingHandle};
use crate::runtime::memory::LinearMemory;
use crate::{Error, ErrorKind, Result};
use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use weft_syntax::{AddrType, GlobalType, MemType, TableType};

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

use crate::runtime::memory::MAX_BYTES_64;
pub(crate) use crate::runtime::memory::PAGE_SIZE;
/// Elements a table may have in this implementation (growth beyond fails
/// with -1, as the spec permits).
pub(crate) const MAX_TABLE_ELEMS: u64 = 10_000_000;

/// A function in the store.
pub(crate) struct FuncEntity {
    /// Engine-wide type id.
    pub(crate) ty: u32,
    pub(crate) kind: FuncKind,
}

#[derive(Clone, Copy)]
pub(crate) enum FuncKind {
    /// Defined function `def` (0 = first defined) of instance `instance`.
    Wasm { instance: u32, def: u32 },
    /// Host function `index` of `Store::hosts`.
    Host(u32),
}

/// A linear memory (§4.2.8): its bytes at an address that never moves.
pub(crate) struct MemoryEntity {
    pub(crate) data: LinearMemory,
    pub(crate) ty: MemType,
}

impl MemoryEntity {
    /// A memory of type `ty`; `guards`: compiled code relies on guard pages
    /// for 32-bit memories of 64 KiB pages (`Config::guards_in_use`).
    pub(crate) fn new(ty: MemType, guards: bool) -> Result<Self> {
        let limit = Self::page_limit(&ty);
        if ty.limits.min > limit {
            return Err(Error::other(format!(
                "memory size must be at most {limit} pages of {} bytes",
                1u64 << ty.page_size_log2()
            )));
        }
        let max = ty.limits.max.unwrap_or(limit).clamp(ty.limits.min, limit);
        let log2 = ty.page_size_log2();
        let guarded = guards
            && ty.addr == AddrType::I32
            && ty.page_size_log2() == MemType::DEFAULT_PAGE_SIZE_LOG2;
        let data = LinearMemory::new(
            (ty.limits.min << log2) as usize,
            (max << log2) as usize,
            guarded,
        )
        .ok_or_else(|| Error::other("out of memory: cannot allocate linear memory"))?;
        Ok(MemoryEntity { data, ty })
    }

    /// Most pages a memory of type `ty` can have here: what its address
    /// type can address (4 GiB for 32-bit addresses, and at most
    /// 2^32 - 1 pages), and [`MAX_BYTES_64`] for 64-bit ones.
    fn page_limit(ty: &MemType) -> u64 {
        let log2 = ty.page_size_log2();
        match ty.addr {
            AddrType::I32 => ((1u64 << 32) >> log2).min(u64::from(u32::MAX)),
            AddrType::I64 => MAX_BYTES_64 as u64 >> log2,
        }
    }

    /// Whether addresses into the memory are i64 (memory64).
    pub(crate) fn is_64(&self) -> bool {
        self.ty.addr == AddrType::I64
    }

    /// Current size in pages.
    pub(crate) fn pages(&self) -> u64 {
        self.data.len() as u64 >> self.ty.page_size_log2()
    }

    /// Grows by `delta` pages in place; the old size, or `None` if the
    /// maximum (or the host) does not allow it (§4.5.3.9).
    pub(crate) fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let limit = Self::page_limit(&self.ty);
        let max = self.ty.limits.max.unwrap_or(limit).min(limit);
        let new = old.checked_add(delta).filter(|&n| n <= max)?;
        if !self
            .data
            .grow_to((new << self.ty.page_size_log2()) as usize)
        {
            return None;
        }
        self.ty.limits.min = new;
        Some(old)
    }
}

/// A table (§4.2.7): references in their slot encoding; its type has
/// engine type ids in concrete heap types.
pub(crate) struct TableEntity {
    pub(crate) elems: Vec<u64>,
    pub(crate) ty: TableType,
}

impl TableEntity {
    pub(crate) fn new(ty: TableType, init: u64) -> Result<Self> {
        if ty.limits.min > MAX_TABLE_ELEMS {
            return Err(Error::other("table too large"));
        }
        let mut elems = Vec::new();
        elems
            .try_reserve_exact(ty.limits.min as usize)
            .map_err(|_| Error::other("out of memory: cannot allocate table"))?;
        elems.resize(ty.limits.min as usize, init);
        Ok(TableEntity { elems, ty })
    }

    /// Grows by `delta` elements set to `init`; the old size, or `None`
    /// (§4.5.3.8).
    pub(crate) fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.elems.len() as u64;
        let max = self
            .ty
            .limits
            .max
            .unwrap_or(u64::from(u32::MAX))
            .min(MAX_TABLE_ELEMS);
        let new = old.checked_add(delta).filter(|&n| n <= max)?;
        self.elems.try_reserve_exact(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        self.ty.limits.min = new;
        Some(old)
    }
}

/// A global (§4.2.9): its value in slot encoding (two slots for v128),
/// and its type with engine type ids in concrete heap types.
pub(crate) struct GlobalEntity {
    pub(crate) value: [u64; 2],
    pub(crate) ty: GlobalType,
}

/// A tag (§4.2.10 of Wasm 3.0): its engine function type id (the
/// parameters are the payload). Its identity is its store address.
pub(crate) struct TagEntity {
    pub(crate) ty: u32,
}

/// An instance (§4.2.5): the store addresses of everything its module
/// refers to by index.
pub(crate) struct InstanceEntity {
    pub(crate) module: Arc<ModuleInner>,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) mems: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    pub(crate) tags: Vec<u32>,
    /// Element segments; a dropped segment is empty (§4.5.3.6).
    pub(crate) elems: Vec<Vec<u64>>,
    /// Whether each data segment has been dropped.
    pub(crate) data_dropped: Vec<bool>,
    /// Exports in module order.
    pub(crate) exports: Vec<(String, crate::Extern)>,
    /// The context of its compiled code, if its module has any.
    #[cfg(feature = "cranelift")]
    pub(crate) vm: Option<crate::compiled::InstanceVm>,
}

/// A growable value stack for the interpreter, kept in the store between
/// calls so that calls do not allocate.
#[derive(Default)]
pub(crate) struct Stacks {
    pub(crate) pool: Vec<crate::interp::exec::Stack>,
}

/// The part of a store that does not depend on `T`.
pub struct StoreInner {
    pub(crate) id: u64,
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) memories: Vec<MemoryEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) globals: Vec<GlobalEntity>,
    pub(crate) instances: Vec<InstanceEntity>,
    pub(crate) tags: Vec<TagEntity>,
    pub(crate) externs: Vec<Box<dyn Any + Send + Sync>>,
    /// The engine's canonical types, as far as this store uses them (see
    /// `types.rs`): refreshed whenever a type id enters the store.
    pub(crate) types: crate::types::TypeList,
    /// Structs and arrays (see `runtime/gc.rs`).
    pub(crate) gc: crate::runtime::gc::Heap,
    pub(crate) fuel: u64,
    pub(crate) stacks: Stacks,
    /// While Wasm runs: the lowest native stack address that re-entries
    /// into Wasm (compiled code calling interpreted code, host functions
    /// calling back) and compiled frames may reach, `max_wasm_stack` below
    /// the outermost entry (0 while no Wasm runs). See `exec::call`.
    pub(crate) stack_limit: usize,
    /// Interpreted executions in progress (value stacks in use): the GC
    /// collects only when exactly one is, from inside it
    /// (`runtime/gc.rs`), or none (`Store::gc`). A host panic that
    /// unwinds through one leaves it counted: collection then stops
    /// rather than miss that execution's roots.
    pub(crate) executions: usize,
    /// Whether a [`ResourceLimiter`] is installed: growth then goes through
    /// [`Store::grow_memory`] and [`Store::grow_table`], which ask it.
    pub(crate) limited: bool,
    /// A growth the interpreter asked the run loop for (`Stop::Grow`).
    pub(crate) grow: Option<crate::interp::exec::Grow>,
    /// The epoch at which guests trap with "interrupt" (with
    /// `Config::epoch_interruption`; `u64::MAX` until set).
    pub(crate) epoch_deadline: u64,
    /// Whether the store has an epoch deadline callback: reaching the
    /// deadline then runs it instead of trapping.
    pub(crate) epoch_callback: bool,
    /// Where the suspended Wasm frames are while host code runs inside a
    /// call into Wasm (see `activation.rs`).
    pub(crate) activations: Vec<crate::activation::Activation>,
    /// The error of a failed call inside compiled code, on its way out
    /// (compiled frames return a status instead of unwinding).
    #[cfg(feature = "cranelift")]
    pub(crate) pending: Option<Error>,
    /// A host function's panic caught under compiled frames, resumed once
    /// they are left.
    #[cfg(feature = "cranelift")]
    pub(crate) pending_panic: Option<Box<dyn Any + Send>>,
    /// What compiled code of all instances shares (made with the first
    /// instance that has compiled code).
    #[cfg(feature = "cranelift")]
    pub(crate) vm: Option<crate::compiled::StoreVm>,
}

impl StoreInner {
    pub(crate) fn check_id(&self, id: u64, what: &str) -> Result<()> {
        if id == self.id {
            Ok(())
        } else {
            Err(Error::other(format!("{what} used with the wrong store")))
        }
    }

    /// Takes the engine's latest types (after a module or host function
    /// brought new type ids into the store).
    pub(crate) fn refresh_types(&mut self) {
        self.types = self.engine.types();
    }

    /// Whether engine type `a` is `b` or a declared subtype of it.
    #[inline]
    pub(crate) fn is_subtype(&self, a: u32, b: u32) -> bool {
        crate::types::is_subtype(&self.types, a, b)
    }

    #[track_caller]
    pub(crate) fn assert_id(&self, id: u64) {
        assert_eq!(id, self.id, "object used with the wrong store");
    }
}

/// All the runtime state: instances and their memories, tables, globals
/// and functions, the host's data `T`, and the fuel.
///
/// ```
/// use weft::{Engine, Store};
/// let mut store = Store::new(&Engine::default(), 5u32);
/// *store.data_mut() += 1;
/// assert_eq!(*store.data(), 6);
/// ```
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) hosts: Vec<HostFunc<T>>,
    limiter: Option<LimiterFn<T>>,
    epoch_callback: Option<EpochCallback<T>>,
    sampler: Option<SignalSampler<T>>,
    data: T,
}

/// What a store runs when the sampling signal interrupts its compiled code
/// (see [`Store::signal_sampler`]).
type SignalSampler<T> = Box<dyn (FnMut(&mut T, &GuestStack<'_>) -> u64) + Send + Sync>;

/// How a store finds its [`ResourceLimiter`] in its host state.
type LimiterFn<T> = Box<dyn (FnMut(&mut T) -> &mut dyn ResourceLimiter) + Send + Sync>;

/// What a store runs when the epoch reaches its deadline.
type EpochCallback<T> = Box<dyn (FnMut(&mut Store<T>) -> Result<UpdateDeadline>) + Send + Sync>;

/// What an epoch deadline callback ([`Store::epoch_deadline_callback`])
/// wants to happen next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateDeadline {
    /// Go on running, with the deadline this many epoch increments from
    /// now.
    Continue(u64),
    /// Trap with "interrupt", as without a callback.
    Interrupt,
}

impl<T> Store<T> {
    /// A new empty store for `engine` holding the host state `data`.
    pub fn new(engine: &Engine, data: T) -> Self {
        Store {
            inner: StoreInner {
                id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                engine: engine.clone(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                tags: Vec::new(),
                externs: Vec::new(),
                types: engine.types(),
                gc: crate::runtime::gc::Heap::new(engine.config().gc_stress),
                fuel: 0,
                stacks: Stacks::default(),
                stack_limit: 0,
                executions: 0,
                limited: false,
                grow: None,
                epoch_deadline: u64::MAX,
                epoch_callback: false,
                activations: Vec::new(),
                #[cfg(feature = "cranelift")]
                pending: None,
                #[cfg(feature = "cranelift")]
                pending_panic: None,
                #[cfg(feature = "cranelift")]
                vm: None,
            },
            hosts: Vec::new(),
            limiter: None,
            epoch_callback: None,
            sampler: None,
            data,
        }
    }

    /// Sets the epoch deadline `ticks` increments of the engine's epoch
    /// from now ([`crate::Engine::increment_epoch`]): when the epoch gets
    /// there, the running guest traps with "interrupt" (with
    /// [`crate::Config::epoch_interruption`]; until a deadline is set,
    /// guests are never interrupted).
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        self.inner.epoch_deadline = self.inner.engine.epoch().saturating_add(ticks);
    }

    /// Runs `callback` whenever the running guest reaches the epoch
    /// deadline, instead of trapping (as in wasmtime): it returns
    /// [`UpdateDeadline::Continue`] with the next deadline, or
    /// [`UpdateDeadline::Interrupt`] (or an error, which the guest's call
    /// returns) to stop the guest. Inside it, [`Store::wasm_backtrace`]
    /// shows where the guest was: this is how [`crate::GuestProfiler`]
    /// samples.
    ///
    /// ```
    /// # fn main() -> weft::Result<()> {
    /// use weft::{Config, Engine, Linker, Module, Store, UpdateDeadline};
    /// let engine = Engine::new(Config::new().epoch_interruption(true));
    /// let module = Module::new(&engine, r#"(module
    ///     (func (export "count") (param i32) (result i32)
    ///         (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    ///         (local.get 0)))"#)?;
    /// let mut store = Store::new(&engine, 0u32);
    /// store.set_epoch_deadline(0);
    /// store.epoch_deadline_callback(|store| {
    ///     *store.data_mut() += 1;
    ///     Ok(UpdateDeadline::Continue(0))
    /// });
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let count = instance.get_typed_func::<i32, i32>(&mut store, "count")?;
    /// assert_eq!(count.call(&mut store, 10)?, 0);
    /// // A deadline 0 ticks away is reached at every check: the function's
    /// // entry, each of the 10 iterations and the point after the loop.
    /// assert_eq!(*store.data(), 12);
    /// # Ok(()) }
    /// ```
    pub fn epoch_deadline_callback(
        &mut self,
        callback: impl (FnMut(&mut Store<T>) -> Result<UpdateDeadline>) + Send + Sync + 'static,
    ) {
        self.epoch_callback = Some(Box::new(callback));
        self.inner.epoch_callback = true;
    }

    /// Removes the epoch deadline callback: reaching the deadline traps
    /// with "interrupt" again.
    pub fn epoch_deadline_trap(&mut self) {
        self.epoch_callback = None;
        self.inner.epoch_callback = false;
    }

    /// The Wasm functions active in this store, innermost first, when
    /// called from inside a call into Wasm (from an epoch deadline
    /// callback or a host function the guest called), in every tier;
    /// empty otherwise.
    pub fn wasm_backtrace(&self) -> Vec<crate::FrameInfo> {
        crate::activation::capture(&self.inner)
            .into_iter()
            .map(|(inst, def, at)| crate::activation::frame_info(&self.inner, inst, def, at))
            .collect()
    }

    /// The epoch reached the deadline while Wasm ran: runs the callback,
    /// or traps.
    #[inline(never)]
    pub(crate) fn epoch_reached(&mut self) -> Result<()> {
        let Some(mut callback) = self.epoch_callback.take() else {
            return Err(crate::Trap::new(crate::TrapCode::Interrupt).into());
        };
        let r = callback(self);
        // Unless the callback installed another one (or removed it).
        if self.inner.epoch_callback && self.epoch_callback.is_none() {
            self.epoch_callback = Some(callback);
        }
        match r? {
            UpdateDeadline::Continue(ticks) => {
                self.set_epoch_deadline(ticks);
                Ok(())
            }
            UpdateDeadline::Interrupt => Err(crate::Trap::new(crate::TrapCode::Interrupt).into()),
        }
    }

    /// Installs `f` as the sampler of compiled code under
    /// [`Config::sampling_signal`](crate::Config::sampling_signal): when
    /// [`SamplingHandle::signal`] interrupts this store's compiled code
    /// and the epoch has reached the store's deadline, `f` runs in the
    /// signal handler with the host state and the guest's call stack
    /// (give it to [`crate::GuestProfiler::sample_stack`]), and returns
    /// how many epoch ticks from now the next deadline is (as
    /// [`UpdateDeadline::Continue`]). As a signal handler, it must not
    /// take a lock that this thread may hold while it runs Wasm (the
    /// thread itself is then in compiled code: in no lock of Weft's and
    /// not in the allocator, so allocating is fine); a panic in it is
    /// caught and the sample dropped. Code elsewhere (the interpreter) reaches the same
    /// deadline at its epoch checks, and runs the
    /// [`epoch_deadline_callback`](Store::epoch_deadline_callback).
    pub fn signal_sampler(
        &mut self,
        f: impl (FnMut(&mut T, &GuestStack<'_>) -> u64) + Send + Sync + 'static,
    ) {
        self.sampler = Some(Box::new(f));
    }

    /// A handle that sends the sampling signal to the calling thread,
    /// the one that runs this store's guest (see
    /// [`Store::signal_sampler`]).
    pub fn sampling_handle(&self) -> SamplingHandle {
        SamplingHandle::for_this_thread()
    }

    /// Whether the store has a signal sampler and the epoch has reached
    /// its deadline (a sample is due).
    #[cfg_attr(not(feature = "cranelift"), allow(dead_code))]
    pub(crate) fn signal_sample_due(&self) -> bool {
        self.sampler.is_some() && self.inner.engine.epoch() >= self.inner.epoch_deadline
    }

    /// Runs the signal sampler (see [`Store::signal_sampler`]) and sets
    /// the next deadline.
    #[cfg_attr(not(feature = "cranelift"), allow(dead_code))]
    pub(crate) fn run_signal_sampler(&mut self) {
        let Store {
            sampler,
            data,
            inner,
            ..
        } = self;
        let Some(f) = sampler.as_mut() else {
            return;
        };
        let ticks = f(data, &GuestStack { inner });
        self.set_epoch_deadline(ticks);
    }

    /// Installs a resource limiter: `f` finds it in the host state. The
    /// store asks it before any memory or table grows and before it
    /// creates an instance, memory or table (see [`ResourceLimiter`]).
    pub fn limiter(
        &mut self,
        f: impl (FnMut(&mut T) -> &mut dyn ResourceLimiter) + Send + Sync + 'static,
    ) {
        let mut f: LimiterFn<T> = Box::new(f);
        self.inner.gc.limit = f(&mut self.data)
            .gc_heap_size()
            .map_or(crate::runtime::gc::MAX_BYTES, |b| {
                b.min(crate::runtime::gc::MAX_BYTES)
            });
        self.limiter = Some(f);
        self.inner.limited = true;
    }

    /// Grows store memory `m` by `delta` pages, as the limiter (if any)
    /// allows: the old size in pages, `None` if the growth fails, an error
    /// if the limiter says so.
    pub(crate) fn grow_memory(&mut self, m: u32, delta: u64) -> Result<Option<u64>> {
        let mem = &mut self.inner.memories[m as usize];
        let Some(limiter) = self.limiter.as_mut() else {
            return Ok(mem.grow(delta));
        };
        let limiter = limiter(&mut self.data);
        let log2 = mem.ty.page_size_log2();
        let bytes =
            |pages: u64| usize::try_from(pages.saturating_mul(1 << log2)).unwrap_or(usize::MAX);
        let current = mem.data.len();
        let desired = bytes(mem.pages().saturating_add(delta));
        if !limiter.memory_growing(current, desired, mem.ty.limits.max.map(bytes))? {
            return Ok(None);
        }
        match mem.grow(delta) {
            Some(old) => Ok(Some(old)),
            None => {
                limiter.memory_grow_failed(Error::other(format!(
                    "failed to grow memory from {current} to {desired} bytes"
                )))?;
                Ok(None)
            }
        }
    }

    /// Grows store table `t` by `delta` elements set to `init`, as
    /// [`Store::grow_memory`].
    pub(crate) fn grow_table(&mut self, t: u32, delta: u64, init: u64) -> Result<Option<u64>> {
        let table = &mut self.inner.tables[t as usize];
        let Some(limiter) = self.limiter.as_mut() else {
            return Ok(table.grow(delta, init));
        };
        let limiter = limiter(&mut self.data);
        let elems = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let current = table.elems.len();
        let desired = elems((current as u64).saturating_add(delta));
        if !limiter.table_growing(current, desired, table.ty.limits.max.map(elems))? {
            return Ok(None);
        }
        match table.grow(delta, init) {
            Some(old) => Ok(Some(old)),
            None => {
                limiter.table_grow_failed(Error::other(format!(
                    "failed to grow table from {current} to {desired} elements"
                )))?;
                Ok(None)
            }
        }
    }

    /// Asks the limiter (if any) whether a new memory of type `ty` may be
    /// created.
    pub(crate) fn limit_new_memory(&mut self, ty: &MemType) -> Result<()> {
        let count = self.inner.memories.len();
        let Some(limiter) = self.limiter.as_mut() else {
            return Ok(());
        };
        let limiter = limiter(&mut self.data);
        if count >= limiter.memories() {
            return Err(Error::other(format!(
                "resource limit exceeded: memory count too high at {}",
                count + 1
            )));
        }
        let log2 = ty.page_size_log2();
        let bytes =
            |pages: u64| usize::try_from(pages.saturating_mul(1 << log2)).unwrap_or(usize::MAX);
        if !limiter.memory_growing(0, bytes(ty.limits.min), ty.limits.max.map(bytes))? {
            return Err(Error::other(format!(
                "resource limit exceeded: memory minimum size of {} pages exceeds the store's limits",
                ty.limits.min
            )));
        }
        Ok(())
    }

    /// Asks the limiter (if any) whether a new table of type `ty` may be
    /// created.
    pub(crate) fn limit_new_table(&mut self, ty: &TableType) -> Result<()> {
        let count = self.inner.tables.len();
        let Some(limiter) = self.limiter.as_mut() else {
            return Ok(());
        };
        let limiter = limiter(&mut self.data);
        if count >= limiter.tables() {
            return Err(Error::other(format!(
                "resource limit exceeded: table count too high at {}",
                count + 1
            )));
        }
        let elems = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        if !limiter.table_growing(0, elems(ty.limits.min), ty.limits.max.map(elems))? {
            return Err(Error::other(format!(
                "resource limit exceeded: table minimum size of {} elements exceeds the store's limits",
                ty.limits.min
            )));
        }
        Ok(())
    }

    /// Asks the limiter (if any) whether one more instance may be created.
    pub(crate) fn limit_new_instance(&mut self) -> Result<()> {
        let count = self.inner.instances.len();
        if let Some(limiter) = self.limiter.as_mut() {
            if count >= limiter(&mut self.data).instances() {
                return Err(Error::other(format!(
                    "resource limit exceeded: instance count too high at {}",
                    count + 1
                )));
            }
        }
        Ok(())
    }

    /// The host state.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The host state, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Consumes the store and returns the host state.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Collects the GC heap now: frees every struct and array that no
    /// global, table, element segment or host handle ([`crate::AnyRef`])
    /// reaches. Does nothing while Wasm runs (from a host function): the
    /// collector then runs at a later allocation.
    pub fn gc(&mut self) {
        if self.inner.executions == 0 {
            crate::interp::exec::collect_store(&mut self.inner, &[]);
        }
    }

    /// The GC heap's live objects (as of the last collection, plus those
    /// allocated since) and the number of collections so far.
    #[doc(hidden)] // a report for tests, not a stable API
    pub fn gc_stats(&self) -> (usize, u64) {
        (self.inner.gc.len(), self.inner.gc.collections)
    }

    /// Sets the fuel left. Fails unless the engine was configured with
    /// [`crate::Config::consume_fuel`].
    ///
    /// ```
    /// use weft::{Config, Engine, Store};
    /// let engine = Engine::new(Config::new().consume_fuel(true));
    /// let mut store = Store::new(&engine, ());
    /// store.set_fuel(1000).unwrap();
    /// assert_eq!(store.get_fuel().unwrap(), 1000);
    /// ```
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.check_fuel_enabled()?;
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The fuel left. Fails unless fuel is enabled.
    pub fn get_fuel(&self) -> Result<u64> {
        self.check_fuel_enabled()?;
        Ok(self.inner.fuel)
    }

    fn check_fuel_enabled(&self) -> Result<()> {
        if self.inner.engine.config().consume_fuel {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Other,
                "fuel is not enabled in this store's engine (Config::consume_fuel)",
            ))
        }
    }

    pub(crate) fn add_host(&mut self, host: HostFunc<T>) -> crate::Func {
        let ty = host.ty_id;
        let index = self.hosts.len() as u32;
        self.hosts.push(host);
        self.inner.refresh_types();
        self.add_func(FuncEntity {
            ty,
            kind: FuncKind::Host(index),
        })
    }

    pub(crate) fn add_func(&mut self, entity: FuncEntity) -> crate::Func {
        let index = self.inner.funcs.len() as u32;
        self.inner.funcs.push(entity);
        crate::Func {
            store: self.inner.id,
            index,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("id", &self.inner.id)
            .field("data", &self.data)
            .finish()
    }
}

/// Read access to a store: implemented by [`Store`], [`crate::Caller`] and
/// references to them, so that API functions accept any of them.
pub trait AsContext {
    /// The host state type.
    type Data;
    /// The store.
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Write access to a store (see [`AsContext`]).
pub trait AsContextMut: AsContext {
    /// The store, mutably.
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> &mut Store<C::Data> {
        (**self).as_context_mut()
    }
}
