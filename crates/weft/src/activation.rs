//! The Wasm call stack while Wasm runs, as host code sees it from inside
//! (an epoch deadline callback, a host function): which functions are
//! active, innermost first, in every tier, without unwinding anything.
//!
//! Why a list of activations: a Wasm call stack is split across native
//! frames wherever execution leaves a tier (the interpreter calling a host
//! function or compiled code, compiled code calling through the runtime).
//! Each execution of the interpreter pushes an [`Activation`] on
//! `StoreInner::activations` for its explicit frame stack (and notes the
//! current function there whenever it stops for host code), and compiled
//! code pushes one when it calls out through the runtime, with its frame
//! pointer, from which the chain of saved frame pointers leads through the
//! compiled callers; each is popped when its call returns. Both are slow
//! paths already (a re-entry into the interpreter, a call out of compiled
//! code), so the pushes cost nothing measurable; calls within a tier push
//! nothing. The list is cleared when the outermost call
//! into Wasm ends, however it ends (a host panic may skip the pops).

use crate::error::FrameInfo;
use crate::interp::exec::Stack;
use crate::store::StoreInner;

/// Suspended Wasm frames: one stretch of the call stack.
#[derive(Clone, Copy)]
pub(crate) enum Activation {
    /// Interpreted frames: those of one execution of the interpreter's
    /// run loop, on `stack` (pushed for the whole execution; read only
    /// while the run loop is stopped for host code, when the stack says
    /// which function is current).
    Interp { stack: *const Stack },
    /// Compiled frames: defined function `def` of instance `inst`,
    /// suspended with frame pointer `fp`, and its compiled callers.
    #[cfg(feature = "cranelift")]
    Compiled { inst: u32, def: u32, fp: usize },
    /// Compiled frames suspended in a call through a runtime trampoline
    /// (`weft-cranelift`'s), whose frame pointer is `fp`, called by
    /// compiled code of instance `inst`.
    #[cfg(feature = "cranelift")]
    Trampoline { inst: u32, fp: usize },
}

// SAFETY: an activation's pointers are only dereferenced on the thread
// that runs the store, while the activation is on its list (while the
// frames it names are suspended); the list is cleared before the store can
// move to another thread (when the outermost call into Wasm ends).
unsafe impl Send for Activation {}
// SAFETY: as for `Send`.
unsafe impl Sync for Activation {}

/// Pushes interpreted frames (see [`Activation::Interp`]). Out of line, as
/// are the other pushes and pops: the frames of the functions that call
/// them nest once per crossing between tiers, and bound how deep a
/// recursion across tiers can go within `max_wasm_stack`.
#[inline(never)]
pub(crate) fn push_interp(inner: &mut StoreInner, stack: *const Stack) {
    inner.activations.push(Activation::Interp { stack });
}

/// Pushes compiled frames (see [`Activation::Compiled`]).
#[cfg(feature = "cranelift")]
#[inline(never)]
pub(crate) fn push_compiled(inner: &mut StoreInner, inst: u32, def: u32, fp: usize) {
    inner
        .activations
        .push(Activation::Compiled { inst, def, fp });
}

/// Pushes compiled frames suspended in a runtime trampoline (see
/// [`Activation::Trampoline`]).
#[cfg(feature = "cranelift")]
#[inline(never)]
pub(crate) fn push_trampoline(inner: &mut StoreInner, inst: u32, fp: usize) {
    inner.activations.push(Activation::Trampoline { inst, fp });
}

/// Pops the innermost activation, when the call it was pushed for returns.
#[inline(never)]
pub(crate) fn pop(inner: &mut StoreInner) {
    inner.activations.pop();
}

/// An active Wasm function: (instance, defined function, module offset of
/// the instruction it executes, where the tier knows it).
pub(crate) type ActiveFrame = (u32, u32, Option<usize>);

/// The active Wasm functions, innermost first.
pub(crate) fn capture(inner: &StoreInner) -> Vec<ActiveFrame> {
    let mut out = Vec::new();
    for a in inner.activations.iter().rev() {
        match *a {
            Activation::Interp { stack } => {
                // SAFETY: the execution that pushed this activation is
                // stopped for host code (an inner activation's, or this
                // one's: a host function or the epoch callback runs), and
                // pops it before its stack goes back to the pool.
                out.extend(unsafe { (*stack).active() });
            }
            #[cfg(feature = "cranelift")]
            Activation::Compiled { inst, def, fp } => {
                // SAFETY: `fp` is the frame pointer of compiled function
                // `def`, suspended in the libcall that pushed this
                // activation and pops it before returning.
                unsafe { crate::compiled::compiled_frames(inner, inst, def, fp, &mut out) };
            }
            #[cfg(feature = "cranelift")]
            Activation::Trampoline { inst, fp } => {
                // SAFETY: `fp` is the frame pointer of a runtime
                // trampoline, suspended in the libcall that pushed this
                // activation and pops it before returning.
                unsafe { crate::compiled::trampoline_caller_frames(inner, inst, fp, &mut out) };
            }
        }
    }
    out
}

/// The frames of the innermost activation alone, innermost first: those
/// of the current execution, which a trap's backtrace names.
pub(crate) fn innermost(inner: &StoreInner) -> Vec<ActiveFrame> {
    let mut out = Vec::new();
    if let Some(&Activation::Interp { stack }) = inner.activations.last() {
        // SAFETY: as in `capture`.
        out.extend(unsafe { (*stack).active() });
    }
    out
}

/// The frame of defined function `def` of instance `inst`, executing the
/// instruction at module offset `at` (if known).
pub(crate) fn frame_info(inner: &StoreInner, inst: u32, def: u32, at: Option<usize>) -> FrameInfo {
    inner.instances[inst as usize].module.frame_info(def, at)
}
