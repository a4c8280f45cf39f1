//! The contract between compiled code and the runtime: the per-instance
//! context ([`VMContext`]) whose fields compiled code reads at fixed offsets,
//! the per-store context ([`VMStoreContext`]), the function references of an
//! instance's function index space ([`VMFuncRef`]), the memory descriptor
//! ([`MemoryDef`]), the entry-point signature and the trap codes.
//!
//! The layout lives here, in the compiler crate, because compiled code is
//! its only reader at fixed offsets; `weft` depends on this crate (behind
//! its `cranelift` feature) and fills the contexts in. Offsets are derived
//! with `offset_of!`, never written by hand.
//!
//! Every compiled function has the same native signature, [`EntryFn`]: the
//! callee's context and a pointer to its argument slots (the slot array
//! convention of the embedding API: one `u64` per i32/i64/f32/f64, i32 and
//! f32 bits zero-extended; the array holds the larger of the parameter and
//! result counts). Results replace the arguments. It returns 0 when the
//! function returned and 1 when it trapped or a callee failed; the runtime
//! has then recorded the error (through [`Libcalls::trap`] or a failing
//! libcall) and every compiled caller returns 1 in turn, so no unwinding
//! through native frames is needed.
//!
//! Each compiled function has two entries: [`EntryFn`], the slot-array
//! convention above, for the runtime, and its body, which takes the
//! parameters and returns the status and the results in registers, for
//! compiled callers (the entry point is a small trampoline to the body).
//! Every call from compiled code calls a body through the callee's
//! [`VMFuncRef`] (its body and its instance's context). A function without
//! code (interpreted, host) has the runtime trampoline of its type as its
//! body, which calls [`Libcalls::call`]: so a call site is one indirect
//! call, whatever the callee's tier.
//!
//! Stack exhaustion: each compiled function compares the stack pointer, at
//! entry, with [`VMStoreContext::stack_limit`], which the runtime sets when
//! the host first enters Wasm in any tier (its stack pointer minus the
//! configured maximum Wasm stack; the runtime checks the same limit when a
//! call re-enters the interpreter). The check runs after the prologue, so a
//! function may overshoot the limit by one frame; the compiler declines
//! functions whose frame exceeds [`MAX_FRAME`], and the thread needs
//! the configured maximum plus that much (plus the runtime's own frames,
//! and a runtime trampoline's, which holds at most
//! [`MAX_CALL_SLOT_BYTES`] of slots: compiled code declines calls with
//! more).

use std::mem::offset_of;

/// The largest frame (bytes below the frame pointer) of a compiled
/// function; larger ones stay in the interpreter (see the module docs).
pub const MAX_FRAME: u32 = 64 * 1024;

/// The most bytes of arguments or results (in slots: 8 bytes per value,
/// 16 per `v128`) of a call from compiled code, since a runtime
/// trampoline's frame holds them (see the module docs); compiled code
/// declines calls beyond.
pub const MAX_CALL_SLOT_BYTES: i32 = 4096;

/// A linear memory as compiled code sees it: its base (which never moves)
/// and its current length in bytes. The runtime keeps it current.
#[repr(C)]
#[derive(Debug)]
pub struct MemoryDef {
    /// The first byte.
    pub base: *mut u8,
    /// Accessible bytes.
    pub len: usize,
}

/// The native signature of every compiled function (see the module docs).
pub type EntryFn = unsafe extern "C" fn(vmctx: *mut VMContext, slots: *mut u64) -> u32;

/// A function as compiled callers see it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMFuncRef {
    /// Its machine code's entry point, or `None` if it has none
    /// (interpreted or host).
    pub code: Option<EntryFn>,
    /// What compiled callers call, with the parameters in registers (the
    /// signature `body_signature` in `translate.rs` gives: the context, this
    /// reference and the parameters; the status and the results): its
    /// machine code's body, or without `code` the runtime trampoline of its
    /// type (`Compiler::runtime_trampoline`), which calls
    /// [`Libcalls::call`] with this reference. Null only if compiled code
    /// cannot call functions of its type.
    pub body: *const u8,
    /// The context of its instance; null without `code`, and the caller
    /// then passes its own (which the runtime trampoline needs).
    pub vmctx: *mut VMContext,
    /// Its index in the store, for calls through [`Libcalls::call`].
    pub index: u32,
    /// Its type's id in the engine (canonical: equal ids, equal types),
    /// which compiled `call_indirect` compares with the expected type's.
    pub type_id: u32,
}

/// A table as compiled `call_indirect` sees it: its elements (slot
/// encoding: a function reference is its store index plus one, null is
/// 0) and their count. The runtime keeps it current (see
/// [`VMStoreContext::tables`]).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TableDef {
    /// The first element.
    pub elems: *const u64,
    /// The number of elements.
    pub len: usize,
}

/// The runtime functions compiled code calls, all with the caller's
/// context first. Those returning a status return 0 on success and 1 on
/// failure, with the error recorded by the runtime.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Libcalls {
    /// Calls the function of a [`VMFuncRef`] without code (by its
    /// [`VMFuncRef::index`]) with its arguments and results in `slots`.
    /// The runtime may then give the reference code: with compilation on
    /// first call, the callee may have been compiled by this call, and
    /// later calls through the same reference are native. Called by the
    /// runtime trampolines only, with the caller's context; the last
    /// argument is the trampoline's frame pointer, whose saved frame pointer
    /// and return address are its caller's (a compiled function of the
    /// context's instance): from them the runtime can walk the compiled
    /// frames suspended by the call (for a profiler's samples or a host
    /// function's backtrace) without unwinding them.
    pub call: unsafe extern "C" fn(*mut VMContext, *mut VMFuncRef, *mut u64, usize) -> u32,
    /// `call_indirect`'s checks, where compiled code's own lookup (through
    /// [`VMStoreContext::tables`]) did not find a callee of the expected
    /// type: table `table`, element `elem`, expected type `ty` (module type
    /// index); on success writes the callee to the last argument, else
    /// records the trap.
    pub call_indirect: unsafe extern "C" fn(*mut VMContext, u32, u32, u32, *mut VMFuncRef) -> u32,
    /// Records trap [`TrapKind`] `code` raised in defined function `def`
    /// by the instruction at the last argument (its offset in the module).
    pub trap: unsafe extern "C" fn(*mut VMContext, u32, u32, u32),
    /// Adds defined function `def` to the backtrace of the recorded error
    /// (a callee of the call at the last argument, its offset in the
    /// module, failed).
    pub frame: unsafe extern "C" fn(*mut VMContext, u32, u32),
    /// The epoch reached the store's deadline in defined function `def`,
    /// whose frame pointer is the last argument: the runtime runs the
    /// store's epoch deadline callback, if any, and returns 0 to go on
    /// (with a new deadline) or 1 with the "interrupt" trap recorded.
    pub epoch: unsafe extern "C" fn(*mut VMContext, u32, usize) -> u32,
    /// [`crate::epoch_stub::epoch_stub`]: how compiled code calls
    /// [`Libcalls::epoch`] (same arguments; the status goes to
    /// [`VMStoreContext::epoch_status`]) without losing any register.
    pub epoch_stub: unsafe extern "C" fn(),
    /// `memory.grow` of memory 0 by `delta` pages: the old size or -1 in
    /// the low 32 bits; bit 32 set if it failed with an error (a resource
    /// limiter's), which is then recorded.
    pub memory_grow: unsafe extern "C" fn(*mut VMContext, u32) -> u64,
    /// `table.get`: table, index, where the element goes.
    pub table_get: unsafe extern "C" fn(*mut VMContext, u32, u32, *mut u64) -> u32,
    /// `table.set`: table, index, value.
    pub table_set: unsafe extern "C" fn(*mut VMContext, u32, u32, u64) -> u32,
    /// `table.size`: table.
    pub table_size: unsafe extern "C" fn(*mut VMContext, u32) -> u32,
    /// `table.grow`: table, initial value, delta; the old size or -1, and
    /// bit 32 as for [`Libcalls::memory_grow`].
    pub table_grow: unsafe extern "C" fn(*mut VMContext, u32, u64, u32) -> u64,
    /// `table.fill`: table, start, value, length.
    pub table_fill: unsafe extern "C" fn(*mut VMContext, u32, u32, u64, u32) -> u32,
    /// `table.copy`: destination table, source table, destination, source,
    /// length.
    pub table_copy: unsafe extern "C" fn(*mut VMContext, u32, u32, u32, u32, u32) -> u32,
    /// `table.init`: table, element segment, destination, source, length.
    pub table_init: unsafe extern "C" fn(*mut VMContext, u32, u32, u32, u32, u32) -> u32,
    /// `elem.drop`: element segment.
    pub elem_drop: unsafe extern "C" fn(*mut VMContext, u32),
    /// `memory.init` of memory 0: data segment, destination, source, length.
    pub memory_init: unsafe extern "C" fn(*mut VMContext, u32, u32, u32, u32) -> u32,
    /// `data.drop`: data segment.
    pub data_drop: unsafe extern "C" fn(*mut VMContext, u32),
    /// `memory.copy` within memory 0: destination, source, length.
    pub memory_copy: unsafe extern "C" fn(*mut VMContext, u32, u32, u32) -> u32,
    /// `memory.fill` of memory 0: destination, byte, length.
    pub memory_fill: unsafe extern "C" fn(*mut VMContext, u32, u32, u32) -> u32,
    /// Not called by compiled code: the runtime's sampling signal handler
    /// calls it when the signal interrupted compiled code of this store at
    /// `pc` (second argument) with frame pointer `fp` (third), to sample
    /// the guest there (see `Config::sampling_signal` in `weft`).
    pub sample: unsafe extern "C" fn(*mut VMContext, usize, usize),
}

/// What all instances of a store share.
#[repr(C)]
#[derive(Debug)]
pub struct VMStoreContext {
    /// Compiled code traps with stack exhaustion when the stack pointer is
    /// below this address at a function's entry (0 while no compiled code
    /// runs).
    pub stack_limit: usize,
    /// The runtime's view of the store, set by the runtime on each entry
    /// into compiled code; compiled code never reads it.
    pub store: *mut u8,
    /// The store's fuel counter, set with `store` (read and written by
    /// code compiled with fuel).
    pub fuel: *mut u64,
    /// The engine's epoch counter (an atomic `u64`, read with plain
    /// loads) and the store's deadline, set with `store` (read by code
    /// compiled with epoch interruption).
    pub epoch: *const u64,
    pub epoch_deadline: *const u64,
    /// The store's globals, an array laid out as [`GlobalsLayout`] says;
    /// set on each entry into compiled code and after each call through
    /// the runtime (which may add globals and so move the array).
    pub globals: *mut u8,
    /// The store's tables, indexed by store table index, and its functions'
    /// references, indexed by store function index, with their count:
    /// compiled `call_indirect` looks its callee up here and falls back to
    /// [`Libcalls::call_indirect`] for anything but a callee of the expected
    /// type (so an index at or past `func_refs_len` is never read). Set
    /// like `globals`: the arrays move when tables grow or functions are
    /// added. A reference without code is given code by [`Libcalls::call`]
    /// when its function is compiled.
    pub tables: *const TableDef,
    pub func_refs: *mut VMFuncRef,
    pub func_refs_len: usize,
    /// The status of the last [`Libcalls::epoch`] call made through
    /// [`Libcalls::epoch_stub`] (written by the stub, read by compiled
    /// code right after it).
    pub epoch_status: u32,
}

/// Where compiled code finds a global's value in [`VMStoreContext::globals`]:
/// entry `i` starts `i * stride` bytes in, its value (slot encoding, one
/// `u64`) `value_offset` bytes into the entry.
#[derive(Clone, Copy, Debug)]
pub struct GlobalsLayout {
    /// Bytes per entry.
    pub stride: u32,
    /// The value's offset in an entry.
    pub value_offset: u32,
}

/// The per-instance context compiled code runs with.
#[repr(C)]
pub struct VMContext {
    /// Memory 0 of the instance (a zero-length descriptor without memory).
    pub memory0: *const MemoryDef,
    /// The instance's functions, indexed by function index (imports first);
    /// the runtime updates an entry when its function gets code.
    pub funcs: *mut VMFuncRef,
    /// The store's shared context.
    pub store_ctx: *mut VMStoreContext,
    /// For each of the instance's globals, its index in the store.
    pub global_indices: *const u32,
    /// For each of the instance's tables, its index in the store.
    pub table_indices: *const u32,
    /// For each type of the instance's module, its id in the engine.
    pub type_ids: *const u32,
    /// The runtime's functions.
    pub libcalls: Libcalls,
    /// The instance's index in its store.
    pub instance: u32,
}

/// Byte offsets of the fields compiled code reads.
pub mod offsets {
    use super::*;
    /// [`VMContext::memory0`].
    pub const MEMORY0: i32 = offset_of!(VMContext, memory0) as i32;
    /// [`VMContext::funcs`].
    pub const FUNCS: i32 = offset_of!(VMContext, funcs) as i32;
    /// [`VMContext::store_ctx`].
    pub const STORE_CTX: i32 = offset_of!(VMContext, store_ctx) as i32;
    /// [`VMStoreContext::stack_limit`].
    pub const STACK_LIMIT: i32 = offset_of!(VMStoreContext, stack_limit) as i32;
    /// [`VMStoreContext::fuel`].
    pub const FUEL: i32 = offset_of!(VMStoreContext, fuel) as i32;
    /// [`VMStoreContext::epoch`].
    pub const EPOCH: i32 = offset_of!(VMStoreContext, epoch) as i32;
    /// [`VMStoreContext::epoch_deadline`].
    pub const EPOCH_DEADLINE: i32 = offset_of!(VMStoreContext, epoch_deadline) as i32;
    /// [`VMStoreContext::globals`].
    pub const GLOBALS: i32 = offset_of!(VMStoreContext, globals) as i32;
    /// [`VMContext::global_indices`].
    pub const GLOBAL_INDICES: i32 = offset_of!(VMContext, global_indices) as i32;
    /// [`VMContext::table_indices`].
    pub const TABLE_INDICES: i32 = offset_of!(VMContext, table_indices) as i32;
    /// [`VMContext::type_ids`].
    pub const TYPE_IDS: i32 = offset_of!(VMContext, type_ids) as i32;
    /// [`VMStoreContext::tables`].
    pub const TABLES: i32 = offset_of!(VMStoreContext, tables) as i32;
    /// [`VMStoreContext::func_refs`].
    pub const FUNC_REFS: i32 = offset_of!(VMStoreContext, func_refs) as i32;
    /// [`VMStoreContext::func_refs_len`].
    pub const FUNC_REFS_LEN: i32 = offset_of!(VMStoreContext, func_refs_len) as i32;
    /// The size of a [`TableDef`].
    pub const TABLE_DEF_SIZE: i32 = size_of::<TableDef>() as i32;
    /// [`TableDef::elems`].
    pub const TABLE_ELEMS: i32 = offset_of!(TableDef, elems) as i32;
    /// [`TableDef::len`].
    pub const TABLE_LEN: i32 = offset_of!(TableDef, len) as i32;
    /// [`VMFuncRef::type_id`].
    pub const FUNC_REF_TYPE_ID: i32 = offset_of!(VMFuncRef, type_id) as i32;
    /// [`MemoryDef::base`].
    pub const MEMORY_BASE: i32 = offset_of!(MemoryDef, base) as i32;
    /// [`MemoryDef::len`].
    pub const MEMORY_LEN: i32 = offset_of!(MemoryDef, len) as i32;
    /// The size of a [`VMFuncRef`].
    pub const FUNC_REF_SIZE: i32 = size_of::<VMFuncRef>() as i32;
    /// [`VMFuncRef::body`].
    pub const FUNC_REF_BODY: i32 = offset_of!(VMFuncRef, body) as i32;
    /// [`VMFuncRef::vmctx`].
    pub const FUNC_REF_VMCTX: i32 = offset_of!(VMFuncRef, vmctx) as i32;
    /// [`VMFuncRef::index`].
    pub const FUNC_REF_INDEX: i32 = offset_of!(VMFuncRef, index) as i32;
    const LIBCALLS: usize = offset_of!(VMContext, libcalls);
    /// [`Libcalls::call`].
    pub const CALL: i32 = (LIBCALLS + offset_of!(Libcalls, call)) as i32;
    /// [`Libcalls::call_indirect`].
    pub const CALL_INDIRECT: i32 = (LIBCALLS + offset_of!(Libcalls, call_indirect)) as i32;
    /// [`Libcalls::trap`].
    pub const TRAP: i32 = (LIBCALLS + offset_of!(Libcalls, trap)) as i32;
    /// [`Libcalls::frame`].
    pub const FRAME: i32 = (LIBCALLS + offset_of!(Libcalls, frame)) as i32;
    /// [`Libcalls::epoch`].
    pub const EPOCH_REACHED: i32 = (LIBCALLS + offset_of!(Libcalls, epoch)) as i32;
    /// [`Libcalls::epoch_stub`].
    pub const EPOCH_STUB: i32 = (LIBCALLS + offset_of!(Libcalls, epoch_stub)) as i32;
    /// [`VMStoreContext::epoch_status`].
    pub const EPOCH_STATUS: i32 = offset_of!(VMStoreContext, epoch_status) as i32;
    /// [`Libcalls::memory_grow`].
    pub const MEMORY_GROW: i32 = (LIBCALLS + offset_of!(Libcalls, memory_grow)) as i32;
    /// [`Libcalls::table_get`].
    pub const TABLE_GET: i32 = (LIBCALLS + offset_of!(Libcalls, table_get)) as i32;
    /// [`Libcalls::table_set`].
    pub const TABLE_SET: i32 = (LIBCALLS + offset_of!(Libcalls, table_set)) as i32;
    /// [`Libcalls::table_size`].
    pub const TABLE_SIZE: i32 = (LIBCALLS + offset_of!(Libcalls, table_size)) as i32;
    /// [`Libcalls::table_grow`].
    pub const TABLE_GROW: i32 = (LIBCALLS + offset_of!(Libcalls, table_grow)) as i32;
    /// [`Libcalls::table_fill`].
    pub const TABLE_FILL: i32 = (LIBCALLS + offset_of!(Libcalls, table_fill)) as i32;
    /// [`Libcalls::table_copy`].
    pub const TABLE_COPY: i32 = (LIBCALLS + offset_of!(Libcalls, table_copy)) as i32;
    /// [`Libcalls::table_init`].
    pub const TABLE_INIT: i32 = (LIBCALLS + offset_of!(Libcalls, table_init)) as i32;
    /// [`Libcalls::elem_drop`].
    pub const ELEM_DROP: i32 = (LIBCALLS + offset_of!(Libcalls, elem_drop)) as i32;
    /// [`Libcalls::memory_init`].
    pub const MEMORY_INIT: i32 = (LIBCALLS + offset_of!(Libcalls, memory_init)) as i32;
    /// [`Libcalls::data_drop`].
    pub const DATA_DROP: i32 = (LIBCALLS + offset_of!(Libcalls, data_drop)) as i32;
    /// [`Libcalls::memory_copy`].
    pub const MEMORY_COPY: i32 = (LIBCALLS + offset_of!(Libcalls, memory_copy)) as i32;
    /// [`Libcalls::memory_fill`].
    pub const MEMORY_FILL: i32 = (LIBCALLS + offset_of!(Libcalls, memory_fill)) as i32;
}

/// Why compiled code trapped, as passed to [`Libcalls::trap`]. The
/// runtime maps each to its own trap code and message.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    /// `unreachable`.
    Unreachable = 0,
    /// A memory access out of bounds.
    MemoryOutOfBounds = 1,
    /// Signed division overflow or a float too large for a truncation.
    IntegerOverflow = 2,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero = 3,
    /// Truncation of a NaN.
    BadConversionToInteger = 4,
    /// The stack pointer passed [`VMStoreContext::stack_limit`].
    StackOverflow = 5,
    /// Too little fuel left for the next instructions.
    OutOfFuel = 6,
    /// The epoch reached the store's deadline.
    Interrupt = 7,
    /// `ref.as_non_null` of null.
    NullReference = 8,
    /// `call_ref` or `return_call_ref` of null.
    NullFunctionReference = 9,
}

impl TrapKind {
    /// Every kind, indexed by its code.
    pub const ALL: [TrapKind; 10] = [
        TrapKind::Unreachable,
        TrapKind::MemoryOutOfBounds,
        TrapKind::IntegerOverflow,
        TrapKind::IntegerDivisionByZero,
        TrapKind::BadConversionToInteger,
        TrapKind::StackOverflow,
        TrapKind::OutOfFuel,
        TrapKind::Interrupt,
        TrapKind::NullReference,
        TrapKind::NullFunctionReference,
    ];

    /// The kind with code `code`, if any.
    pub fn from_code(code: u32) -> Option<TrapKind> {
        Self::ALL.get(code as usize).copied()
    }
}
