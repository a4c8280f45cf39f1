//! Handlers of typed function references (§4.4.8 `call_ref`,
//! `return_call_ref`; the null tests of `br_on_null`, `br_on_non_null` and
//! `ref.as_non_null`, which the translator builds from [`Op::JumpIfNull`]
//! and [`Op::JumpIfNonNull`]). A reference is null exactly when its whole
//! slot is zero (`values.rs`).

use super::*;

/// This module's handlers by tag (accumulator mode 0), for the handler
/// table.
pub(super) const ENTRIES: [(u16, Handler); 4] = [
    (tag::CALL_REF, CallFuncRef),
    (tag::TAIL_CALL_REF, TailCallFuncRef),
    (tag::JUMP_IF_NULL, JumpIfNull),
    (tag::JUMP_IF_NON_NULL, JumpIfNonNull),
];

/// The store function a non-null function reference in slot `callee`
/// refers to.
///
/// # Safety
/// `callee` must be a slot of the frame at `fp`.
#[inline(always)]
unsafe fn callee_of(fp: *mut u64, callee: Slot) -> Option<u32> {
    let r: u64 = rd(fp, callee);
    // A funcref is the store function index plus one.
    r.checked_sub(1).map(|f| f as u32)
}

def!(CallFuncRef(ip, fp, mb, ml, cx, acc, facc) Op::CallFuncRef { base, callee } => {
    // SAFETY: a slot of the frame.
    let Some(sf) = (unsafe { callee_of(fp, callee) }) else {
        return trap(cx, TrapCode::NullFunctionReference);
    };
    // Fast path: a translated function of the current instance.
    if let FuncKind::Wasm { instance, def } = cx.inner.funcs[sf as usize].kind {
        if instance == cx.inst {
            // SAFETY: the store keeps the current module alive.
            let m = unsafe { &*cx.module };
            if let Some(Some(Ok(c))) = m.compiled.get(def as usize).map(|c| c.get()) {
                return call_wasm(ip, fp, mb, ml, cx, instance, def, c, base);
            }
        }
    }
    do_call(ip, fp, mb, ml, cx, sf, base)
});

def!(TailCallFuncRef(ip, fp, mb, ml, cx, acc, facc) Op::TailCallFuncRef { base, callee } => {
    // SAFETY: a slot of the frame.
    match unsafe { callee_of(fp, callee) } {
        Some(sf) => tail_call(ip, fp, mb, ml, cx, sf, base),
        None => trap(cx, TrapCode::NullFunctionReference),
    }
});

def!(JumpIfNull(ip, fp, mb, ml, cx, acc, facc) Op::JumpIfNull { cond, offset } => {
    // SAFETY: a slot of the frame.
    let r: u64 = unsafe { rd(fp, cond) };
    branch!(r == 0, ip, offset, fp, mb, ml, cx, acc, facc)
});

def!(JumpIfNonNull(ip, fp, mb, ml, cx, acc, facc) Op::JumpIfNonNull { cond, offset } => {
    // SAFETY: a slot of the frame.
    let r: u64 = unsafe { rd(fp, cond) };
    branch!(r != 0, ip, offset, fp, mb, ml, cx, acc, facc)
});
