//! Handler of [`Op::Atomic`]: the atomic memory instructions of the
//! threads proposal, one out-of-line function dispatching on [`AtomicOp`].
//!
//! A store runs one thread of Wasm at a time and does not share a memory
//! with another store, so an atomic access is a plain access in program
//! order, which is sequentially consistent; `atomic.fence` translates to
//! nothing. What remains of the proposal's semantics: the effective address
//! must be a multiple of the access width ("unaligned atomic", checked
//! before the bounds, as the reference interpreter does), and the waiting
//! instructions see that no other thread exists:
//!
//! - `memory.atomic.notify` wakes nobody and returns 0;
//! - `memory.atomic.wait32/64` trap on an unshared memory ("expected shared
//!   memory"); on a shared one they return 1 ("not-equal") when the value
//!   differs from the expected one, else 2 ("timed-out") at once when a
//!   timeout is given (nobody can notify, so the wait can only time out;
//!   the time is not spent), and with no timeout (negative) they trap
//!   (`TrapCode::WaitDeadlock`) rather than hang the host forever.

use super::*;
use crate::interp::code::{AtomicKind, AtomicOp};
use weft_syntax::AddrType;

def!(pub(super) Atomic(ip, fp, mb, ml, cx, acc, facc) Op::Atomic { op, dst, addr, a, b, off, mem } => {
    // SAFETY: the translator named slots of the frame at `fp`.
    match unsafe { atomic_op(cx, fp, op, [dst, addr, a, b, off], mem) } {
        // SAFETY: the next instruction.
        Ok(()) => next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc),
        Err(code) => trap(cx, ip, code),
    }
});

/// Executes `op` on memory `mem` with the slots `[dst, addr, a, b, off]`
/// of [`Op::Atomic`]. The memory does not grow, so the caller's copy of
/// memory 0's base and length stays right.
///
/// # Safety
/// The slots must be slots of the frame at `fp`.
#[inline(never)]
unsafe fn atomic_op(
    cx: &mut Cx<'_>,
    fp: *mut u64,
    op: AtomicOp,
    [dst, addr, a, b, off]: [Slot; 5],
    mem: u16,
) -> Result<(), TrapCode> {
    let m = memory(cx, u32::from(mem));
    if op.kind() == AtomicKind::Wait && !m.ty.shared {
        return Err(TrapCode::ExpectedSharedMemory);
    }
    let width = 1u64 << op.width_log2();
    let ea = addr_operand(fp, addr, m.ty.addr == AddrType::I64)
        .checked_add(rd::<u64>(fp, off))
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    if ea % width != 0 {
        return Err(TrapCode::UnalignedAtomic);
    }
    let r = range(&m.data, ea, width).ok_or(TrapCode::MemoryOutOfBounds)?;
    let bytes = &mut m.data[r];
    let mut buf = [0u8; 8];
    buf[..bytes.len()].copy_from_slice(bytes);
    // The accessed value, zero-extended; an operand wrapped to the width.
    let old = u64::from_le_bytes(buf);
    let mask = u64::MAX >> (64 - 8 * width);
    let operand = |s: Slot| {
        let v = if op.wide() {
            rd::<u64>(fp, s)
        } else {
            u64::from(rd::<u32>(fp, s))
        };
        v & mask
    };
    let (new, result) = match op.kind() {
        AtomicKind::Load => (None, old),
        AtomicKind::Store => (Some(operand(a)), 0),
        AtomicKind::Add => (Some(old.wrapping_add(operand(a))), old),
        AtomicKind::Sub => (Some(old.wrapping_sub(operand(a))), old),
        AtomicKind::And => (Some(old & operand(a)), old),
        AtomicKind::Or => (Some(old | operand(a)), old),
        AtomicKind::Xor => (Some(old ^ operand(a)), old),
        AtomicKind::Xchg => (Some(operand(a)), old),
        AtomicKind::Cmpxchg if old == operand(a) => (Some(operand(b)), old),
        AtomicKind::Cmpxchg => (None, old),
        AtomicKind::Notify => (None, 0),
        AtomicKind::Wait if old != operand(a) => (None, 1),
        AtomicKind::Wait if rd::<i64>(fp, b) < 0 => return Err(TrapCode::WaitDeadlock),
        AtomicKind::Wait => (None, 2),
    };
    if let Some(new) = new {
        let n = bytes.len();
        bytes.copy_from_slice(&(new & mask).to_le_bytes()[..n]);
    }
    match op.kind() {
        AtomicKind::Store => {}
        AtomicKind::Notify | AtomicKind::Wait => wr(fp, dst, result as u32),
        _ if op.wide() => wr(fp, dst, result),
        _ => wr(fp, dst, result as u32),
    }
    Ok(())
}
