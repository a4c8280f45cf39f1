//! The dispatch loop (§4.4, instructions; §4.4.8-10, calls and frames).
//!
//! One native frame runs any number of Wasm frames: a call pushes a
//! [`Frame`] on an explicit stack and switches the instruction pointer;
//! a return pops it. Deep guest recursion therefore uses heap memory only,
//! and ends in "call stack exhausted" at the configured depth.
//!
//! Hot state lives in locals of [`run`]: the instruction pointer `ip`, the
//! frame pointer `fp`, and the base and length of the current instance's
//! memory (`mb`, `ml`), reloaded after anything that may move or resize
//! the memory (calls, returns to another instance, `memory.grow`).
//!
//! Safety: the loop reads slots through `fp` without bounds checks. The
//! translator guarantees that every slot an instruction names is below the
//! function's `frame_size`, and every call makes sure the value stack holds
//! `frame_size` slots from the callee's `fp` before it switches to it
//! (`grow`), so `fp.add(slot)` stays inside `stack.slots`. Instruction
//! pointers stay inside the current function's code: every body ends with a
//! return and jump offsets are computed by the translator. The code lives
//! in the module's `OnceLock`s, which the store keeps alive through its
//! instances for as long as the loop runs.

use super::code::*;
use super::mem;
use crate::error::{FrameInfo, Trap, TrapCode};
use crate::func::Caller;
use crate::module::ModuleInner;
use crate::ops::{self, IntoTrapResult, V128};
use crate::store::{FuncKind, Store, StoreInner, PAGE_SIZE};
use crate::{Error, Result};

/// Most slots the value stack may have (512 MiB).
const MAX_STACK_SLOTS: usize = 1 << 26;
/// Most nested host -> Wasm re-entries.
const MAX_NESTING: usize = 200;

/// A Wasm frame suspended by a call.
#[derive(Clone, Copy)]
struct Frame {
    /// Where to continue in the caller.
    ip: *const Op,
    /// The caller's frame pointer, as an offset into the value stack.
    fp: usize,
    /// The caller (store function index).
    func: u32,
    /// The caller's instance.
    inst: u32,
    /// The caller's code.
    code: *const CompiledFunc,
}

/// The value stack and the call stack of one execution.
#[derive(Default)]
pub(crate) struct Stack {
    slots: Vec<u64>,
    frames: Vec<Frame>,
}

// SAFETY: the raw pointers of a `Stack` are in `frames`, which is empty
// whenever the stack is not in use by `run` (it is cleared before the
// stack goes back to the store's pool), so moving or sharing an idle stack
// across threads moves no pointer.
unsafe impl Send for Stack {}
// SAFETY: as for `Send`.
unsafe impl Sync for Stack {}

impl Stack {
    /// Makes sure the value stack has at least `need` slots.
    fn reserve(&mut self, need: usize) -> std::result::Result<(), ()> {
        if need <= self.slots.len() {
            return Ok(());
        }
        if need > MAX_STACK_SLOTS {
            return Err(());
        }
        let new = need.max(self.slots.len() * 2).clamp(1024, MAX_STACK_SLOTS);
        self.slots
            .try_reserve_exact(new - self.slots.len())
            .map_err(|_| ())?;
        self.slots.resize(new, 0);
        Ok(())
    }
}

/// Calls store function `func` with its arguments in `args` (as many slots
/// as the larger of its parameter and result lists); the results replace
/// them.
pub(crate) fn call<T>(store: &mut Store<T>, func: u32, args: &mut [u64]) -> Result<()> {
    match store.inner.funcs[func as usize].kind {
        FuncKind::Host(h) => {
            let f = store.hosts[h as usize].f.clone();
            f(
                Caller {
                    store,
                    instance: None,
                },
                args,
            )
        }
        FuncKind::Wasm { instance, def } => {
            if store.inner.nesting >= MAX_NESTING {
                return Err(Trap::new(TrapCode::StackOverflow).into());
            }
            let mut stack = store.inner.stacks.pool.pop().unwrap_or_default();
            store.inner.nesting += 1;
            let r = execute(store, &mut stack, func, instance, def, args);
            store.inner.nesting -= 1;
            stack.frames.clear();
            store.inner.stacks.pool.push(stack);
            r
        }
    }
}

fn execute<T>(
    store: &mut Store<T>,
    stack: &mut Stack,
    func: u32,
    instance: u32,
    def: u32,
    args: &mut [u64],
) -> Result<()> {
    let module = store.inner.instances[instance as usize].module.clone();
    let code = module.compiled_func(def).map_err(Error::other)?;
    if stack.reserve(code.frame_size.max(args.len())).is_err() {
        return Err(Trap::new(TrapCode::StackOverflow).into());
    }
    stack.slots[..code.param_slots].copy_from_slice(&args[..code.param_slots]);
    stack.slots[code.param_slots..code.param_slots + code.init.len()].copy_from_slice(&code.init);
    stack.frames.clear();
    run(store, stack, func, instance, code)?;
    let n = args.len();
    args.copy_from_slice(&stack.slots[..n]);
    Ok(())
}

/// A value that lives in slots.
trait SlotVal: Sized {
    /// # Safety
    /// `p` (and `p + 1` for v128) must be valid slots.
    unsafe fn read(p: *const u64) -> Self;
    /// # Safety
    /// As for `read`.
    unsafe fn write(self, p: *mut u64);
}

macro_rules! slot_val {
    ($($t:ty: |$s:ident| $from:expr, |$v:ident| $to:expr;)*) => {$(
        impl SlotVal for $t {
            #[inline(always)]
            unsafe fn read(p: *const u64) -> Self {
                let $s = *p;
                $from
            }
            #[inline(always)]
            unsafe fn write(self, p: *mut u64) {
                let $v = self;
                *p = $to;
            }
        }
    )*};
}

slot_val! {
    i32: |s| s as u32 as i32, |v| v as u32 as u64;
    u32: |s| s as u32, |v| v as u64;
    i64: |s| s as i64, |v| v as u64;
    u64: |s| s, |v| v;
    f32: |s| f32::from_bits(s as u32), |v| v.to_bits() as u64;
    f64: |s| f64::from_bits(s), |v| v.to_bits();
}

impl SlotVal for V128 {
    #[inline(always)]
    unsafe fn read(p: *const u64) -> Self {
        V128(u128::from(*p) | (u128::from(*p.add(1)) << 64))
    }
    #[inline(always)]
    unsafe fn write(self, p: *mut u64) {
        *p = self.0 as u64;
        *p.add(1) = (self.0 >> 64) as u64;
    }
}

/// Reads slot `s` of the frame at `fp`.
///
/// # Safety
/// `s` must be a slot of the frame (see the module documentation).
#[inline(always)]
unsafe fn rd<V: SlotVal>(fp: *mut u64, s: Slot) -> V {
    V::read(fp.add(s as usize))
}

/// Writes slot `s` of the frame at `fp`.
///
/// # Safety
/// As for [`rd`].
#[inline(always)]
unsafe fn wr<V: SlotVal>(fp: *mut u64, s: Slot, v: V) {
    v.write(fp.add(s as usize))
}

/// Reads `N` bytes at `addr + offset` of the memory at `mb` of length
/// `ml`, or `None` if out of bounds.
///
/// # Safety
/// `mb` must point to `ml` readable bytes.
#[inline(always)]
unsafe fn load<const N: usize>(mb: *mut u8, ml: usize, addr: u32, offset: u32) -> Option<[u8; N]> {
    let ea = u64::from(addr) + u64::from(offset);
    if ea + N as u64 > ml as u64 {
        return None;
    }
    Some(std::ptr::read_unaligned(mb.add(ea as usize) as *const [u8; N]))
}

/// Writes `bytes` at `addr + offset`; false if out of bounds.
///
/// # Safety
/// `mb` must point to `ml` writable bytes.
#[inline(always)]
unsafe fn store_bytes<const N: usize>(
    mb: *mut u8,
    ml: usize,
    addr: u32,
    offset: u32,
    bytes: [u8; N],
) -> bool {
    let ea = u64::from(addr) + u64::from(offset);
    if ea + N as u64 > ml as u64 {
        return false;
    }
    std::ptr::write_unaligned(mb.add(ea as usize) as *mut [u8; N], bytes);
    true
}

/// The current instance's memory 0: base and length (a dangling base and
/// zero length without memory, so every access traps).
fn mem_view(inner: &mut StoreInner, inst: u32) -> (*mut u8, usize) {
    match inner.instances[inst as usize].mems.first() {
        Some(&m) => {
            let d = &mut inner.memories[m as usize].data;
            (d.as_mut_ptr(), d.len())
        }
        None => (std::ptr::NonNull::dangling().as_ptr(), 0),
    }
}

/// Whether the range `[start, start + len)` fits in `size`.
#[inline]
fn in_bounds(start: u32, len: u32, size: usize) -> bool {
    u64::from(start) + u64::from(len) <= size as u64
}

/// The backtrace of the frames active at a trap, innermost first.
fn backtrace(inner: &StoreInner, current: u32, frames: &[Frame]) -> Vec<FrameInfo> {
    std::iter::once(current)
        .chain(frames.iter().rev().map(|f| f.func))
        .filter_map(|f| match inner.funcs[f as usize].kind {
            FuncKind::Wasm { instance, def } => {
                let m: &ModuleInner = &inner.instances[instance as usize].module;
                let func_index = m.num_imported_funcs as u32 + def;
                Some(FrameInfo {
                    func_index,
                    func_name: m.func_name(func_index).map(str::to_string),
                    module_name: m.module.names.module.as_deref().map(str::to_string),
                })
            }
            FuncKind::Host(_) => None,
        })
        .take(64)
        .collect()
}

#[inline(always)]
fn cmp_i32(cmp: Cmp, a: u32, b: u32) -> bool {
    match cmp {
        Cmp::Eq => a == b,
        Cmp::Ne => a != b,
        Cmp::LtS => (a as i32) < (b as i32),
        Cmp::LtU => a < b,
        Cmp::GtS => (a as i32) > (b as i32),
        Cmp::GtU => a > b,
        Cmp::LeS => (a as i32) <= (b as i32),
        Cmp::LeU => a <= b,
        Cmp::GeS => (a as i32) >= (b as i32),
        Cmp::GeU => a >= b,
    }
}

#[inline(always)]
fn cmp_i64(cmp: Cmp, a: u64, b: u64) -> bool {
    match cmp {
        Cmp::Eq => a == b,
        Cmp::Ne => a != b,
        Cmp::LtS => (a as i64) < (b as i64),
        Cmp::LtU => a < b,
        Cmp::GtS => (a as i64) > (b as i64),
        Cmp::GtU => a > b,
        Cmp::LeS => (a as i64) <= (b as i64),
        Cmp::LeU => a <= b,
        Cmp::GeS => (a as i64) >= (b as i64),
        Cmp::GeU => a >= b,
    }
}

/// Runs `code` (store function `func` of instance `inst`), whose frame is
/// at the bottom of `stack` with its parameters and initial locals in
/// place, until it returns.
#[allow(clippy::too_many_lines)] // one dispatch loop, by design
fn run<T>(
    store: &mut Store<T>,
    stack: &mut Stack,
    func: u32,
    inst: u32,
    code: &CompiledFunc,
) -> Result<()> {
    let max_depth = store.inner.engine.config().max_call_depth;
    let mut inst = inst;
    let mut cur_func = func;
    let mut cur_code: *const CompiledFunc = code;
    let mut ip: *const Op = code.code.as_ptr();
    let mut fp_off: usize = 0;
    let mut fp: *mut u64 = stack.slots.as_mut_ptr();
    let (mut mb, mut ml) = mem_view(&mut store.inner, inst);

    let result: Result<()> = 'exec: {
        let trap: TrapCode = 'trap: loop {
            // SAFETY: `ip` points into the current function's code, which
            // ends with a return (module documentation).
            let op = unsafe { *ip };
            // SAFETY: as above; at most one past the last instruction.
            ip = unsafe { ip.add(1) };

            macro_rules! jump {
                ($offset:expr) => {
                    // SAFETY: the translator computed the offset to an
                    // instruction of the same function; `ip` is one past
                    // the jump.
                    ip = unsafe { ip.offset($offset as isize - 1) }
                };
            }

            macro_rules! return_from {
                () => {
                    match stack.frames.pop() {
                        None => break 'exec Ok(()),
                        Some(f) => {
                            ip = f.ip;
                            fp_off = f.fp;
                            // SAFETY: the caller's frame was inside the
                            // value stack when it called.
                            fp = unsafe { stack.slots.as_mut_ptr().add(fp_off) };
                            cur_code = f.code;
                            cur_func = f.func;
                            if f.inst != inst {
                                inst = f.inst;
                                (mb, ml) = mem_view(&mut store.inner, inst);
                            }
                        }
                    }
                };
            }

            macro_rules! call_func {
                ($sf:expr, $base:expr) => {{
                    let sf: u32 = $sf;
                    let base = $base as usize;
                    match store.inner.funcs[sf as usize].kind {
                        FuncKind::Wasm { instance: ci, def } => {
                            if stack.frames.len() >= max_depth {
                                break 'trap TrapCode::StackOverflow;
                            }
                            let module: *const ModuleInner =
                                std::sync::Arc::as_ptr(&store.inner.instances[ci as usize].module);
                            // SAFETY: the store keeps the module alive.
                            let callee: *const CompiledFunc = match unsafe { &*module }.compiled_func(def) {
                                Ok(c) => c,
                                Err(e) => break 'exec Err(Error::other(e)),
                            };
                            // SAFETY: compiled code is never freed while the
                            // store lives.
                            let c = unsafe { &*callee };
                            let new_fp = fp_off + base;
                            if stack.reserve(new_fp + c.frame_size).is_err() {
                                break 'trap TrapCode::StackOverflow;
                            }
                            stack.frames.push(Frame {
                                ip,
                                fp: fp_off,
                                func: cur_func,
                                inst,
                                code: cur_code,
                            });
                            fp_off = new_fp;
                            // SAFETY: `reserve` made room for the callee's
                            // frame at `fp_off`.
                            fp = unsafe { stack.slots.as_mut_ptr().add(fp_off) };
                            // SAFETY: `init` fits the frame after the
                            // parameters (frame_size covers it).
                            unsafe {
                                std::ptr::copy_nonoverlapping(
                                    c.init.as_ptr(),
                                    fp.add(c.param_slots),
                                    c.init.len(),
                                );
                            }
                            ip = c.code.as_ptr();
                            cur_code = callee;
                            cur_func = sf;
                            if ci != inst {
                                inst = ci;
                                (mb, ml) = mem_view(&mut store.inner, inst);
                            }
                        }
                        FuncKind::Host(h) => {
                            let host = &store.hosts[h as usize];
                            let n = host.param_slots.max(host.result_slots);
                            let f = host.f.clone();
                            // SAFETY: the translator sized the caller's frame
                            // to hold the larger of the argument and result
                            // lists at `base`.
                            let args = unsafe { std::slice::from_raw_parts_mut(fp.add(base), n) };
                            let r = f(Caller { store: &mut *store, instance: Some(inst) }, args);
                            if let Err(e) = r {
                                break 'exec Err(e);
                            }
                            (mb, ml) = mem_view(&mut store.inner, inst);
                        }
                    }
                }};
            }

            macro_rules! res {
                ($dst:expr, $r:expr) => {
                    match IntoTrapResult::into_trap_result($r) {
                        // SAFETY: `dst` is a slot of the frame.
                        Ok(v) => unsafe { wr(fp, $dst, v) },
                        Err(code) => break 'trap code,
                    }
                };
            }

            macro_rules! row {
                ($v:ident (custom) $p:ident) => { match $p {} };
                ($v:ident ( -> ) $p:ident) => { match $p {} };
                ($v:ident ( -> $r:ident) $p:ident) => { match $p {} };
                ($v:ident (lane $n:literal : $a:ident -> $r:ident) $p:ident) => {{
                    let LaneUn { dst, src, lane } = $p;
                    // SAFETY: slots of the frame.
                    res!(dst, instr_fn!(ops, $v)(unsafe { rd(fp, src) }, lane))
                }};
                ($v:ident (lane $n:literal : $a:ident $b:ident -> $r:ident) $p:ident) => {{
                    let LaneBin { dst, lhs, rhs, lane } = $p;
                    // SAFETY: slots of the frame.
                    let (a, b) = unsafe { (rd(fp, lhs), rd(fp, rhs)) };
                    res!(dst, instr_fn!(ops, $v)(a, b, lane))
                }};
                ($v:ident (memlane $al:literal $n:literal : addr $t:ident -> $r:ident) $p:ident) => {{
                    let LoadLane { dst, addr, src, lane, offset } = $p;
                    // SAFETY: slots of the frame; `mb`/`ml` describe the
                    // current memory.
                    unsafe {
                        match load(mb, ml, rd(fp, addr), offset) {
                            Some(b) => wr(fp, dst, instr_fn!(mem, $v)(b, rd(fp, src), lane)),
                            None => break 'trap TrapCode::MemoryOutOfBounds,
                        }
                    }
                }};
                ($v:ident (memlane $al:literal $n:literal : addr $t:ident -> ) $p:ident) => {{
                    let StoreLane { addr, val, lane, offset } = $p;
                    // SAFETY: as for loads.
                    unsafe {
                        if !store_bytes(mb, ml, rd(fp, addr), offset, instr_fn!(mem, $v)(rd(fp, val), lane)) {
                            break 'trap TrapCode::MemoryOutOfBounds;
                        }
                    }
                }};
                ($v:ident (mem $al:literal : addr -> $r:ident) $p:ident) => {{
                    let Load { dst, addr, offset } = $p;
                    // SAFETY: as for lane loads.
                    unsafe {
                        match load(mb, ml, rd(fp, addr), offset) {
                            Some(b) => wr(fp, dst, instr_fn!(mem, $v)(b)),
                            None => break 'trap TrapCode::MemoryOutOfBounds,
                        }
                    }
                }};
                ($v:ident (mem $al:literal : addr $t:ident -> ) $p:ident) => {{
                    let MemStore { addr, val, offset } = $p;
                    // SAFETY: as for loads.
                    unsafe {
                        if !store_bytes(mb, ml, rd(fp, addr), offset, instr_fn!(mem, $v)(rd(fp, val))) {
                            break 'trap TrapCode::MemoryOutOfBounds;
                        }
                    }
                }};
                ($v:ident ($a:ident -> $r:ident) $p:ident) => {{
                    let Un { dst, src } = $p;
                    // SAFETY: a slot of the frame.
                    res!(dst, instr_fn!(ops, $v)(unsafe { rd(fp, src) }))
                }};
                ($v:ident ($a:ident $b:ident -> $r:ident) $p:ident) => {{
                    let Bin { dst, lhs, rhs } = $p;
                    // SAFETY: slots of the frame.
                    let (a, b) = unsafe { (rd(fp, lhs), rd(fp, rhs)) };
                    res!(dst, instr_fn!(ops, $v)(a, b))
                }};
                ($v:ident ($a:ident $b:ident $c:ident -> $r:ident) $p:ident) => {{
                    let Ter { dst, a, b, c } = $p;
                    // SAFETY: slots of the frame.
                    let (a, b, c) = unsafe { (rd(fp, a), rd(fp, b), rd(fp, c)) };
                    res!(dst, instr_fn!(ops, $v)(a, b, c))
                }};
            }

            macro_rules! dispatch {
                ($( $feature:ident [$($opc:literal)+] $variant:ident $name:literal
                    { $($field:ident : $ty:ty),* } $sig:tt )*) => {
                    match op {
                        $( Op::$variant(p) => row!($variant $sig p), )*
                        Op::Trap { code } => break 'trap code,
                        Op::Fuel { amount } => {
                            let fuel = &mut store.inner.fuel;
                            if *fuel < u64::from(amount) {
                                break 'trap TrapCode::OutOfFuel;
                            }
                            *fuel -= u64::from(amount);
                        }
                        Op::Jump { offset } => jump!(offset),
                        Op::JumpIfNez { cond, offset } => {
                            // SAFETY: a slot of the frame.
                            if unsafe { rd::<u32>(fp, cond) } != 0 {
                                jump!(offset);
                            }
                        }
                        Op::JumpIfEqz { cond, offset } => {
                            // SAFETY: a slot of the frame.
                            if unsafe { rd::<u32>(fp, cond) } == 0 {
                                jump!(offset);
                            }
                        }
                        Op::JumpIfI32 { cmp, lhs, rhs, offset } => {
                            // SAFETY: slots of the frame.
                            if cmp_i32(cmp, unsafe { rd(fp, lhs) }, unsafe { rd(fp, rhs) }) {
                                jump!(offset);
                            }
                        }
                        Op::JumpIfNotI32 { cmp, lhs, rhs, offset } => {
                            // SAFETY: slots of the frame.
                            if !cmp_i32(cmp, unsafe { rd(fp, lhs) }, unsafe { rd(fp, rhs) }) {
                                jump!(offset);
                            }
                        }
                        Op::JumpIfI64 { cmp, lhs, rhs, offset } => {
                            // SAFETY: slots of the frame.
                            if cmp_i64(cmp, unsafe { rd(fp, lhs) }, unsafe { rd(fp, rhs) }) {
                                jump!(offset);
                            }
                        }
                        Op::JumpIfNotI64 { cmp, lhs, rhs, offset } => {
                            // SAFETY: slots of the frame.
                            if !cmp_i64(cmp, unsafe { rd(fp, lhs) }, unsafe { rd(fp, rhs) }) {
                                jump!(offset);
                            }
                        }
                        Op::JumpTable { index, len } => {
                            // SAFETY: a slot of the frame; the table is
                            // followed by `len + 1` jumps.
                            unsafe {
                                let i = rd::<u32>(fp, index).min(len);
                                ip = ip.add(i as usize);
                            }
                        }
                        Op::Move { dst, src } => {
                            // SAFETY: slots of the frame.
                            unsafe { *fp.add(dst as usize) = *fp.add(src as usize) }
                        }
                        Op::Move128 { dst, src } => {
                            // SAFETY: slots of the frame.
                            unsafe {
                                let v: V128 = rd(fp, src);
                                wr(fp, dst, v);
                            }
                        }
                        Op::Ret => return_from!(),
                        Op::Ret1 { src } => {
                            // SAFETY: slots of the frame.
                            unsafe { *fp = *fp.add(src as usize) };
                            return_from!();
                        }
                        Op::Ret128 { src } => {
                            // SAFETY: slots of the frame (at least two, as
                            // the result is a v128).
                            unsafe {
                                let v: V128 = rd(fp, src);
                                wr(fp, 0, v);
                            }
                            return_from!();
                        }
                        Op::CallDirect { base, func } => {
                            call_func!(store.inner.instances[inst as usize].funcs[func as usize], base)
                        }
                        Op::CallTable { base, index, ty, table } => {
                            // SAFETY: a slot of the frame.
                            let i = unsafe { rd::<u32>(fp, index) };
                            let instance = &store.inner.instances[inst as usize];
                            let t = instance.tables[table as usize];
                            let expected = instance.module.type_ids[ty as usize];
                            let r = match store.inner.tables[t as usize].elems.get(i as usize) {
                                Some(&r) => r,
                                None => break 'trap TrapCode::UndefinedElement,
                            };
                            if r == 0 {
                                break 'trap TrapCode::IndirectCallToNull;
                            }
                            let sf = (r - 1) as u32;
                            if store.inner.funcs[sf as usize].ty != expected {
                                break 'trap TrapCode::BadSignature;
                            }
                            call_func!(sf, base)
                        }
                        Op::Choose { dst, cond, a, b } => {
                            // SAFETY: slots of the frame.
                            unsafe {
                                let s = if rd::<u32>(fp, cond) != 0 { a } else { b };
                                *fp.add(dst as usize) = *fp.add(s as usize);
                            }
                        }
                        Op::Choose128 { dst, cond, a, b } => {
                            // SAFETY: slots of the frame.
                            unsafe {
                                let s = if rd::<u32>(fp, cond) != 0 { a } else { b };
                                let v: V128 = rd(fp, s);
                                wr(fp, dst, v);
                            }
                        }
                        Op::GlobalRead { dst, global } => {
                            let g = store.inner.instances[inst as usize].globals[global as usize];
                            let v = store.inner.globals[g as usize].value[0];
                            // SAFETY: a slot of the frame.
                            unsafe { wr(fp, dst, v) }
                        }
                        Op::GlobalRead128 { dst, global } => {
                            let g = store.inner.instances[inst as usize].globals[global as usize];
                            let [lo, hi] = store.inner.globals[g as usize].value;
                            // SAFETY: slots of the frame.
                            unsafe {
                                wr(fp, dst, lo);
                                wr(fp, dst + 1, hi);
                            }
                        }
                        Op::GlobalWrite { src, global } => {
                            let g = store.inner.instances[inst as usize].globals[global as usize];
                            // SAFETY: a slot of the frame.
                            store.inner.globals[g as usize].value[0] = unsafe { rd(fp, src) };
                        }
                        Op::GlobalWrite128 { src, global } => {
                            let g = store.inner.instances[inst as usize].globals[global as usize];
                            // SAFETY: slots of the frame.
                            store.inner.globals[g as usize].value =
                                unsafe { [rd(fp, src), rd(fp, src + 1)] };
                        }
                        Op::FuncRef { dst, func } => {
                            let f = store.inner.instances[inst as usize].funcs[func as usize];
                            // SAFETY: a slot of the frame.
                            unsafe { wr(fp, dst, u64::from(f) + 1) }
                        }
                        Op::IsNull { dst, src } => {
                            // SAFETY: slots of the frame.
                            unsafe {
                                let v: u64 = rd(fp, src);
                                wr(fp, dst, (v == 0) as u32);
                            }
                        }
                        Op::TableRead { dst, index, table } => {
                            // SAFETY: a slot of the frame.
                            let i: u32 = unsafe { rd(fp, index) };
                            let t = store.inner.instances[inst as usize].tables[table as usize];
                            match store.inner.tables[t as usize].elems.get(i as usize) {
                                // SAFETY: a slot of the frame.
                                Some(&v) => unsafe { wr(fp, dst, v) },
                                None => break 'trap TrapCode::TableOutOfBounds,
                            }
                        }
                        Op::TableWrite { index, val, table } => {
                            // SAFETY: slots of the frame.
                            let (i, v): (u32, u64) = unsafe { (rd(fp, index), rd(fp, val)) };
                            let t = store.inner.instances[inst as usize].tables[table as usize];
                            match store.inner.tables[t as usize].elems.get_mut(i as usize) {
                                Some(e) => *e = v,
                                None => break 'trap TrapCode::TableOutOfBounds,
                            }
                        }
                        Op::TableLen { dst, table } => {
                            let t = store.inner.instances[inst as usize].tables[table as usize];
                            let n = store.inner.tables[t as usize].elems.len() as u32;
                            // SAFETY: a slot of the frame.
                            unsafe { wr(fp, dst, n) }
                        }
                        Op::TableExtend { dst, init, delta, table } => {
                            // SAFETY: slots of the frame.
                            let (v, d): (u64, u32) = unsafe { (rd(fp, init), rd(fp, delta)) };
                            let t = store.inner.instances[inst as usize].tables[table as usize];
                            let r = store.inner.tables[t as usize]
                                .grow(u64::from(d), v)
                                .map_or(-1i32, |old| old as i32);
                            // SAFETY: a slot of the frame.
                            unsafe { wr(fp, dst, r) }
                        }
                        Op::TableFillRange { start, val, len, table } => {
                            // SAFETY: slots of the frame.
                            let (s, v, n): (u32, u64, u32) =
                                unsafe { (rd(fp, start), rd(fp, val), rd(fp, len)) };
                            let t = store.inner.instances[inst as usize].tables[table as usize];
                            let elems = &mut store.inner.tables[t as usize].elems;
                            if !in_bounds(s, n, elems.len()) {
                                break 'trap TrapCode::TableOutOfBounds;
                            }
                            elems[s as usize..(s + n) as usize].fill(v);
                        }
                        Op::TableCopyRange { dst, src, len, dst_table, src_table } => {
                            // SAFETY: slots of the frame.
                            let (d, s, n): (u32, u32, u32) =
                                unsafe { (rd(fp, dst), rd(fp, src), rd(fp, len)) };
                            let instance = &store.inner.instances[inst as usize];
                            let dt = instance.tables[dst_table as usize] as usize;
                            let st = instance.tables[src_table as usize] as usize;
                            let tables = &mut store.inner.tables;
                            if !in_bounds(s, n, tables[st].elems.len())
                                || !in_bounds(d, n, tables[dt].elems.len())
                            {
                                break 'trap TrapCode::TableOutOfBounds;
                            }
                            let (d, s, n) = (d as usize, s as usize, n as usize);
                            if dt == st {
                                tables[dt].elems.copy_within(s..s + n, d);
                            } else if dt < st {
                                let (a, b) = tables.split_at_mut(st);
                                a[dt].elems[d..d + n].copy_from_slice(&b[0].elems[s..s + n]);
                            } else {
                                let (a, b) = tables.split_at_mut(dt);
                                b[0].elems[d..d + n].copy_from_slice(&a[st].elems[s..s + n]);
                            }
                        }
                        Op::TableInitRange { dst, src, len, table, elem } => {
                            // SAFETY: slots of the frame.
                            let (d, s, n): (u32, u32, u32) =
                                unsafe { (rd(fp, dst), rd(fp, src), rd(fp, len)) };
                            let StoreInner { instances, tables, .. } = &mut store.inner;
                            let instance = &instances[inst as usize];
                            let seg = &instance.elems[elem as usize];
                            let tab = &mut tables[instance.tables[table as usize] as usize].elems;
                            if !in_bounds(s, n, seg.len()) || !in_bounds(d, n, tab.len()) {
                                break 'trap TrapCode::TableOutOfBounds;
                            }
                            tab[d as usize..(d + n) as usize]
                                .copy_from_slice(&seg[s as usize..(s + n) as usize]);
                        }
                        Op::ElemDiscard { elem } => {
                            store.inner.instances[inst as usize].elems[elem as usize] = Vec::new();
                        }
                        Op::MemLen { dst } => {
                            // SAFETY: a slot of the frame.
                            unsafe { wr(fp, dst, (ml as u64 / PAGE_SIZE) as u32) }
                        }
                        Op::MemExtend { dst, delta } => {
                            // SAFETY: a slot of the frame.
                            let d: u32 = unsafe { rd(fp, delta) };
                            let m = store.inner.instances[inst as usize].mems[0];
                            let r = store.inner.memories[m as usize]
                                .grow(u64::from(d))
                                .map_or(-1i32, |old| old as i32);
                            (mb, ml) = mem_view(&mut store.inner, inst);
                            // SAFETY: a slot of the frame.
                            unsafe { wr(fp, dst, r) }
                        }
                        Op::MemFill { dst, val, len } => {
                            // SAFETY: slots of the frame.
                            let (d, v, n): (u32, u32, u32) =
                                unsafe { (rd(fp, dst), rd(fp, val), rd(fp, len)) };
                            if !in_bounds(d, n, ml) {
                                break 'trap TrapCode::MemoryOutOfBounds;
                            }
                            // SAFETY: the range is inside the memory.
                            unsafe { std::ptr::write_bytes(mb.add(d as usize), v as u8, n as usize) }
                        }
                        Op::MemCopy { dst, src, len } => {
                            // SAFETY: slots of the frame.
                            let (d, s, n): (u32, u32, u32) =
                                unsafe { (rd(fp, dst), rd(fp, src), rd(fp, len)) };
                            if !in_bounds(s, n, ml) || !in_bounds(d, n, ml) {
                                break 'trap TrapCode::MemoryOutOfBounds;
                            }
                            // SAFETY: both ranges are inside the memory;
                            // `copy` allows overlap.
                            unsafe { std::ptr::copy(mb.add(s as usize), mb.add(d as usize), n as usize) }
                        }
                        Op::MemInit { dst, src, len, data } => {
                            // SAFETY: slots of the frame.
                            let (d, s, n): (u32, u32, u32) =
                                unsafe { (rd(fp, dst), rd(fp, src), rd(fp, len)) };
                            let instance = &store.inner.instances[inst as usize];
                            let seg: &[u8] = if instance.data_dropped[data as usize] {
                                &[]
                            } else {
                                &instance.module.module.datas[data as usize].init
                            };
                            if !in_bounds(s, n, seg.len()) || !in_bounds(d, n, ml) {
                                break 'trap TrapCode::MemoryOutOfBounds;
                            }
                            // SAFETY: the destination range is inside the
                            // memory; the segment is not part of it.
                            unsafe {
                                std::ptr::copy_nonoverlapping(
                                    seg.as_ptr().add(s as usize),
                                    mb.add(d as usize),
                                    n as usize,
                                )
                            }
                        }
                        Op::DataDiscard { data } => {
                            store.inner.instances[inst as usize].data_dropped[data as usize] = true;
                        }
                        Op::Shuffle { dst, a, b, lanes } => {
                            // SAFETY: the code outlives the loop; slots of
                            // the frame.
                            unsafe {
                                let l = &(*cur_code).shuffles[lanes as usize];
                                let r = ops::i8x16_shuffle(rd(fp, a), rd(fp, b), l);
                                wr(fp, dst, r);
                            }
                        }
                        Op::Const64 { dst, value } => {
                            // SAFETY: a slot of the frame.
                            unsafe { wr(fp, dst, value) }
                        }
                    }
                };
            }
            weft_syntax::for_each_instr!(dispatch);
        };
        let mut e = Error::from(Trap::new(trap));
        if let Some(t) = e.trap_mut() {
            t.set_backtrace(backtrace(&store.inner, cur_func, &stack.frames));
        }
        Err(e)
    };
    result
}
