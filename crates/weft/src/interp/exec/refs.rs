//! Handlers of typed function references: the null tests of `br_on_null`,
//! `br_on_non_null` and `ref.as_non_null`, which the translator builds from
//! [`Op::JumpIfNull`] and [`Op::JumpIfNonNull`]. A reference is null exactly
//! when its whole slot is zero (`values.rs`). `call_ref` and
//! `return_call_ref` are in `exec.rs` beside the other calls: here, in
//! another codegen unit, LLVM did not turn their dispatch into a jump
//! (the native stack grew with every tail call).

use super::*;

def!(pub(super) JumpIfNull(ip, fp, mb, ml, cx, acc, facc) Op::JumpIfNull { cond, offset } => {
    // SAFETY: a slot of the frame.
    let r: u64 = unsafe { rd(fp, cond) };
    branch!(r == 0, ip, offset, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) JumpIfNonNull(ip, fp, mb, ml, cx, acc, facc) Op::JumpIfNonNull { cond, offset } => {
    // SAFETY: a slot of the frame.
    let r: u64 = unsafe { rd(fp, cond) };
    branch!(r != 0, ip, offset, fp, mb, ml, cx, acc, facc)
});
