//! How far down the native stack Wasm may go: `max_wasm_stack` bytes below
//! the host's call into Wasm ([`crate::Config::max_wasm_stack`]), but never
//! closer than [`RESERVE`] to the end of the calling thread's stack. On a
//! thread whose stack is smaller than the configured maximum, recursion
//! through compiled frames (or across the tiers) then traps with "call
//! stack exhausted" instead of running into the thread's guard page, which
//! would kill the process.

use std::cell::Cell;

/// Bytes kept free above the end of the thread's stack: the stack check
/// runs after a compiled function's prologue, so one frame of up to
/// `weft_cranelift::vmctx::MAX_FRAME` (64 KiB) may pass the limit, and the
/// runtime's own frames (a trap's backtrace, a host function) need the
/// rest. The same margin `Config::max_wasm_stack`'s documentation asks of
/// threads.
const RESERVE: usize = 128 * 1024;

thread_local! {
    /// The lowest address of this thread's stack: `Some(0)` once asked
    /// and unknown.
    static STACK_END: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The stack limit of a call into Wasm made with stack pointer `sp`.
pub(crate) fn limit(sp: usize, max_wasm_stack: usize) -> usize {
    let configured = sp.saturating_sub(max_wasm_stack);
    let thread = match stack_end() {
        0 => 0,
        end => end.saturating_add(RESERVE),
    };
    configured.max(thread).max(1)
}

/// The lowest address of the calling thread's stack, or 0 if the host
/// does not say (asked once per thread: it can be slow for the main
/// thread, where the C library reads `/proc/self/maps`).
fn stack_end() -> usize {
    STACK_END.with(|end| match end.get() {
        Some(e) => e,
        None => {
            let e = query_stack_end().unwrap_or(0);
            end.set(Some(e));
            e
        }
    })
}

#[cfg(all(feature = "cranelift", target_os = "linux"))]
fn query_stack_end() -> Option<usize> {
    // SAFETY: `pthread_getattr_np` initialises `attr` for the calling
    // thread (on success only, after which it is destroyed exactly once);
    // `pthread_attr_getstack` writes the two out-parameters.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let r = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (r == 0 && !addr.is_null()).then_some(addr as usize)
    }
}

/// Without the C library's answer the configured maximum alone applies
/// (interpreter-only builds nest native frames only when host functions
/// call back into Wasm).
#[cfg(not(all(feature = "cranelift", target_os = "linux")))]
fn query_stack_end() -> Option<usize> {
    None
}
