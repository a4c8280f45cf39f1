//! Handlers of exception handling (§4.4.9 of Wasm 3.0): `throw`
//! ([`Op::ThrowTag`]), `throw_ref` and the legacy `rethrow`
//! ([`Op::ThrowExn`]), and the unwinder.
//!
//! An exception is a GC heap object (`exception.rs`). Unwinding walks the
//! explicit frame stack, innermost first, and looks each function's
//! instruction (the throw, or the call through which the exception came)
//! up in its catch entries (`code.rs`, [`CatchEntry`]); the first entry that
//! covers it and catches the exception's tag wins: its payload and
//! exception reference go to the entry's slots, the frames above are
//! dropped, and execution continues at the entry's landing pad, which
//! branches to the clause's label. The search runs before anything is
//! dropped, so an exception that no frame of this execution catches leaves
//! the frames in place for the backtrace ([`Stop::Throw`]); the run loop
//! then hands it to the caller as an error, and a run loop further out
//! (the exception crossed a host function or compiled code) goes on
//! unwinding its own frames ([`run`]). Traps never unwind through here:
//! `catch_all` does not catch them.

use super::*;
use crate::runtime::gc::enc;

def!(pub(super) ThrowTag(ip, fp, mb, ml, cx, acc, facc) Op::ThrowTag { base, tag } => {
    match new_exception(cx, fp, base, tag) {
        Ok(exn) => throw(ip, fp, cx, exn),
        Err(code) => trap(cx, ip, code),
    }
});

def!(pub(super) ThrowExn(ip, fp, mb, ml, cx, acc, facc) Op::ThrowExn { src } => {
    // SAFETY: a slot of the frame.
    let exn: u64 = unsafe { rd(fp, src) };
    if exn == 0 {
        return trap(cx, ip, TrapCode::NullExceptionReference);
    }
    throw(ip, fp, cx, exn)
});

/// Throws `exn` from the instruction at `ip`: continues at the handler's
/// landing pad, or stops with [`Stop::Throw`].
#[inline(always)]
fn throw(ip: *const Inst, fp: *mut u64, cx: &mut Cx<'_>, exn: u64) -> Done {
    match unwind(cx, ip, fp, exn) {
        Some(r) => next!(r.ip, r.fp, r.mb, r.ml, cx, 0, 0.0),
        None => {
            cx.stack.rare.thrown = exn;
            // For the backtrace's offset.
            cx.resume.ip = ip;
            stop(Stop::Throw)
        }
    }
}

/// A new exception of module tag `tag` with the payload at slot `base` of
/// the frame at `fp`.
#[inline(never)]
fn new_exception(cx: &mut Cx<'_>, fp: *mut u64, base: Slot, tag: u32) -> Result<u64, TrapCode> {
    let addr = cx.inner.instances[cx.inst as usize].tags[tag as usize];
    let ty = cx.inner.tags[addr as usize].ty;
    let n: usize = (cx.inner.types[ty as usize].func.params.iter())
        .map(|&t| 1 + (t == weft_syntax::ValType::V128) as usize)
        .sum();
    let mut data = Vec::with_capacity(n + 1);
    data.push(u64::from(addr));
    // SAFETY: the payload's slots are slots of the frame (the translator
    // put them there; `verify.rs` checks them).
    data.extend((0..n).map(|i| unsafe { *fp.add(base as usize + i) }));
    gc::alloc(cx, fp, ty, data.into_boxed_slice())
}

/// Unwinds the stack's pending exception (one a host function or compiled
/// code let through): with `cx.resume` at the handler's landing pad, or
/// false (the exception then in `Stack::thrown`) if no frame of this
/// execution catches it. Out of line, so that the run loop's frame (one
/// per re-entry into Wasm) stays small.
#[inline(never)]
pub(super) fn resume_unwind(cx: &mut Cx<'_>) -> bool {
    let Some((exn, at, fp)) = cx.stack.rare.pending.take() else {
        return true;
    };
    match unwind(cx, at, fp, exn) {
        Some(r) => {
            cx.resume = r;
            cx.stack.rare.frames.clear();
            true
        }
        None => {
            cx.stack.rare.thrown = exn;
            cx.resume.ip = at;
            false
        }
    }
}

/// The tag address of exception `exn`.
fn tag_of(inner: &StoreInner, exn: u64) -> Option<u32> {
    inner
        .gc
        .get(exn)
        .and_then(|o| o.data.first())
        .map(|&t| t as u32)
}

/// The entry of `code` (of instance `inst`) that handles an exception of
/// tag address `tag` at instruction `at`, if any (see [`CatchEntry`]).
fn find(
    inner: &StoreInner,
    inst: u32,
    code: &CompiledFunc,
    at: u32,
    tag: u32,
) -> Option<CatchEntry> {
    let mut limit = u32::MAX;
    for e in code.catches.iter() {
        if at < e.start || at >= e.end || e.depth > limit {
            continue;
        }
        match e.kind {
            CatchKind::All => return Some(*e),
            CatchKind::Tag(t) => {
                if inner.instances[inst as usize].tags[t as usize] == tag {
                    return Some(*e);
                }
            }
            CatchKind::Delegate(depth) => limit = depth,
        }
    }
    None
}

/// Whether instruction `ip` is a tail call. An exception can come through
/// one only from a host function (a Wasm callee takes over the frame, and
/// throws from its own code): the callee replaced the current function
/// (§4.4.8, `return_call`), whose handlers therefore no longer apply.
fn is_tail_call(ip: *const Inst) -> bool {
    // SAFETY: `ip` is an instruction of the current function's code.
    let op = unsafe { (*ip).op() };
    matches!(
        op,
        Op::TailCall { .. } | Op::TailCallTable { .. } | Op::TailCallFuncRef { .. }
    )
}

/// The index of instruction `ip` in `code`.
fn index_in(code: &CompiledFunc, ip: *const Inst) -> u32 {
    ((ip as usize).wrapping_sub(code.code.as_ptr() as usize) / std::mem::size_of::<Inst>()) as u32
}

/// Unwinds exception `exn` thrown at instruction `at` of the current
/// function (whose frame is at `fp`): the state at the handler's landing
/// pad, with the frames above it dropped and the exception's values in
/// place; `None`, with nothing changed, if no frame of this execution
/// catches it.
#[inline(never)]
pub(super) fn unwind(cx: &mut Cx<'_>, at: *const Inst, fp: *mut u64, exn: u64) -> Option<Regs> {
    let tag = tag_of(cx.inner, exn)?;
    // Which frame handles it: 0 the current one, k the k-th caller.
    let n = cx.stack.frames.len();
    let (k, entry) = (0..=n).find_map(|k| {
        let (code, ip, inst) = match k {
            0 => (cx.code, at, cx.inst),
            // The caller's instruction is its call, before the return
            // address.
            _ => {
                let f = &cx.stack.frames[n - k];
                (f.code, f.ip.wrapping_sub(1), f.inst)
            }
        };
        // SAFETY: the store keeps every active function's code alive.
        let code = unsafe { &*code };
        if code.catches.is_empty() || (k == 0 && is_tail_call(ip)) {
            return None;
        }
        find(cx.inner, inst, code, index_in(code, ip), tag).map(|e| (k, e))
    })?;
    let fp_off = if k == 0 {
        fp_offset(cx, fp)
    } else {
        let f = cx.stack.frames[n - k];
        cx.stack.frames.truncate(n - k);
        cx.code = f.code;
        cx.def = f.def;
        if f.inst != cx.inst {
            switch_instance(cx, f.inst);
        }
        f.fp
    };
    // SAFETY: the handling frame is inside the value stack (it was when it
    // called, and the stack only grows), and the entry's slots are slots of
    // it (`verify.rs`); the payload has as many slots as the entry's tag
    // has parameters, since the tag matched.
    let fp = unsafe { cx.stack.slots.as_mut_ptr().add(fp_off) };
    if let Some(o) = cx.inner.gc.get(exn) {
        if entry.payload != NO_SLOT {
            let payload = &o.data[1..];
            // SAFETY: as above.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    payload.as_ptr(),
                    fp.add(entry.payload as usize),
                    payload.len(),
                )
            };
        }
    }
    if entry.exn != NO_SLOT {
        debug_assert!(enc::object_index(exn).is_some());
        // SAFETY: as above.
        unsafe { wr(fp, entry.exn, exn) };
    }
    let (mb, ml) = mem_view(cx.inner, cx.inst);
    // SAFETY: the store keeps the code alive; the pad is an instruction of
    // it (`verify.rs`).
    let ip = unsafe { (*cx.code).code.as_ptr().add(entry.pad as usize) };
    Some(Regs {
        ip,
        fp,
        mb,
        ml,
        acc: 0,
        facc: 0.0,
    })
}
