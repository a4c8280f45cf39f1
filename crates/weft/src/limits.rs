//! Resource limits a host enforces on a store ([`ResourceLimiter`]), in
//! the shape wasmtime's users know: the store asks the limiter before a
//! memory or table grows (by `memory.grow`, `table.grow`, the API or
//! instantiation) and before it creates an instance, memory or table; and
//! it bounds the GC heap by the limiter's [`ResourceLimiter::gc_heap_size`]
//! (read when the limiter is installed: allocations run where the host's
//! state is out of reach, and a collection before every refusal keeps the
//! limit on live data rather than on garbage).
//!
//! A limiter that says no makes the growth fail the way the spec allows
//! (`memory.grow` and `table.grow` return -1, instantiation fails with an
//! error); a limiter that returns an error makes the growing instruction
//! fail with that error, which ends the call like a trap.

use crate::{Error, Result};

/// Instances, memories or tables a store may hold when the limiter does
/// not say (as in wasmtime).
pub const DEFAULT_INSTANCE_LIMIT: usize = 10_000;
/// See [`DEFAULT_INSTANCE_LIMIT`].
pub const DEFAULT_TABLE_LIMIT: usize = 10_000;
/// See [`DEFAULT_INSTANCE_LIMIT`].
pub const DEFAULT_MEMORY_LIMIT: usize = 10_000;

/// Decides whether a store's memories and tables may grow and how many
/// instances, memories and tables it may hold. Installed with
/// [`crate::Store::limiter`].
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (memory 1)
///     (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#)?;
/// let mut store = Store::new(&engine, StoreLimitsBuilder::new().memory_size(1 << 20).build());
/// store.limiter(|limits: &mut StoreLimits| limits);
/// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
/// let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
/// assert_eq!(grow.call(&mut store, 15)?, 1); // 16 pages = 1 MiB: allowed
/// assert_eq!(grow.call(&mut store, 1)?, -1); // refused by the limiter
/// # Ok(()) }
/// ```
pub trait ResourceLimiter: Send {
    /// Whether a memory may grow from `current` to `desired` bytes
    /// (`maximum` is the memory type's maximum in bytes, if it has one).
    /// `Ok(false)` makes the growth fail (`memory.grow` returns -1); an
    /// error fails the growing instruction with it.
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool>;

    /// Called when a growth the limiter allowed fails anyway (beyond the
    /// maximum, or the host could not allocate). An error fails the
    /// growing instruction; the default lets `memory.grow` return -1.
    fn memory_grow_failed(&mut self, error: Error) -> Result<()> {
        let _ = error;
        Ok(())
    }

    /// Whether a table may grow from `current` to `desired` elements.
    /// As [`ResourceLimiter::memory_growing`].
    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool>;

    /// As [`ResourceLimiter::memory_grow_failed`], for tables.
    fn table_grow_failed(&mut self, error: Error) -> Result<()> {
        let _ = error;
        Ok(())
    }

    /// Most instances the store may hold.
    fn instances(&self) -> usize {
        DEFAULT_INSTANCE_LIMIT
    }

    /// Most tables the store may hold (defined by instances or the host).
    fn tables(&self) -> usize {
        DEFAULT_TABLE_LIMIT
    }

    /// Most memories the store may hold (defined by instances or the
    /// host).
    fn memories(&self) -> usize {
        DEFAULT_MEMORY_LIMIT
    }

    /// Most bytes the store's GC heap (structs, arrays, exceptions) may
    /// hold, counting each object's slots and a fixed overhead; `None`
    /// (the default) leaves only the engine's own limit. An allocation
    /// beyond it collects garbage first, then traps with "out of memory:
    /// GC heap limit reached". Read when the limiter is installed.
    fn gc_heap_size(&self) -> Option<usize> {
        None
    }
}

/// A ready [`ResourceLimiter`]: fixed limits on the size of each memory
/// and table and on the number of instances, memories and tables. Built
/// with [`StoreLimitsBuilder`].
#[derive(Clone, Debug)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<usize>,
    instances: usize,
    tables: usize,
    memories: usize,
    gc_heap_size: Option<usize>,
    trap_on_grow_failure: bool,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            memory_size: None,
            table_elements: None,
            instances: DEFAULT_INSTANCE_LIMIT,
            tables: DEFAULT_TABLE_LIMIT,
            memories: DEFAULT_MEMORY_LIMIT,
            gc_heap_size: None,
            trap_on_grow_failure: false,
        }
    }
}

impl StoreLimits {
    /// Whether `desired` is within `limit`; beyond it, an error instead of
    /// `false` with `trap_on_grow_failure`.
    fn allow(&self, limit: Option<usize>, desired: usize, what: &str, unit: &str) -> Result<bool> {
        match limit {
            Some(max) if desired > max => {
                if self.trap_on_grow_failure {
                    Err(Error::other(format!(
                        "resource limit exceeded: {what} {desired} {unit} is more than the store's limit of {max} {unit}"
                    )))
                } else {
                    Ok(false)
                }
            }
            _ => Ok(true),
        }
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool> {
        self.allow(self.memory_size, desired, "memory of", "bytes")
    }

    fn memory_grow_failed(&mut self, error: Error) -> Result<()> {
        if self.trap_on_grow_failure {
            Err(error)
        } else {
            Ok(())
        }
    }

    fn table_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool> {
        self.allow(self.table_elements, desired, "table of", "elements")
    }

    fn table_grow_failed(&mut self, error: Error) -> Result<()> {
        if self.trap_on_grow_failure {
            Err(error)
        } else {
            Ok(())
        }
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn memories(&self) -> usize {
        self.memories
    }

    fn gc_heap_size(&self) -> Option<usize> {
        self.gc_heap_size
    }
}

/// Builds [`StoreLimits`]; every limit not set is the default (no size
/// limit; 10,000 instances, memories and tables).
///
/// ```
/// use weft::StoreLimitsBuilder;
/// let limits = StoreLimitsBuilder::new()
///     .memory_size(64 << 20)
///     .table_elements(10_000)
///     .instances(10)
///     .build();
/// ```
#[derive(Clone, Debug, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// Limits at their defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Most bytes each linear memory may have.
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.0.memory_size = Some(bytes);
        self
    }

    /// Most elements each table may have.
    pub fn table_elements(mut self, elements: usize) -> Self {
        self.0.table_elements = Some(elements);
        self
    }

    /// Most instances the store may hold.
    pub fn instances(mut self, n: usize) -> Self {
        self.0.instances = n;
        self
    }

    /// Most tables the store may hold.
    pub fn tables(mut self, n: usize) -> Self {
        self.0.tables = n;
        self
    }

    /// Most memories the store may hold.
    pub fn memories(mut self, n: usize) -> Self {
        self.0.memories = n;
        self
    }

    /// Most bytes the GC heap may hold (see
    /// [`ResourceLimiter::gc_heap_size`]).
    pub fn gc_heap_size(mut self, bytes: usize) -> Self {
        self.0.gc_heap_size = Some(bytes);
        self
    }

    /// Whether a refused or failed growth is an error (which ends the call
    /// like a trap) instead of `memory.grow`/`table.grow` returning -1.
    pub fn trap_on_grow_failure(mut self, trap: bool) -> Self {
        self.0.trap_on_grow_failure = trap;
        self
    }

    /// The limits.
    pub fn build(self) -> StoreLimits {
        self.0
    }
}
