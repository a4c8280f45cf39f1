//! Out-of-bounds accesses of compiled code caught as faults (guard pages).
//!
//! Why: a 32-bit memory reserves 8 GiB and a page (`runtime/memory.rs`),
//! so that no `u32` address plus `u32` offset plus access size reaches past
//! the reservation, and everything past the memory's length is
//! inaccessible. Compiled code can then access memory without comparing
//! the address with the length: an access out of bounds faults (SIGSEGV,
//! or SIGBUS on some kernels), and this module turns the fault into the
//! "out of bounds memory access" trap. Measured on weft-bench's 15
//! programs under `Strategy::Compiler` (one binary, `WEFT_BENCH_GUARDS=off`
//! for explicit checks, 3 alternating runs of 5 rounds each, medians; 2
//! cores at load 7): guards / explicit checks geometric mean 0.84, matmul
//! 0.52, vm 0.60, sieve 0.70, lz77 0.71; no program clearly slower (fib
//! and collatz, which barely touch memory, 1.18 and 1.09: noise at that
//! load). So guards are the default; explicit checks stay where guards
//! cannot cover (64-bit memories and custom page sizes, which the compiler
//! declines today), with `Config::memory_guards(false)`, and on hosts
//! other than x86-64 Linux.
//!
//! How: every call into compiled code goes through a trampoline
//! (`weft_rt_call_compiled`, below) that saves the callee-saved registers
//! and its stack pointer in a [`Landing`] on the caller's stack, and
//! publishes the landing in a thread-local. The handler, installed once per
//! process, acts only if the thread is inside compiled code (a landing is
//! published), the faulting instruction is in Weft's code memory, and the
//! faulting address is in a guarded memory reservation; it then walks the
//! compiled frames (frame pointers: Cranelift keeps them,
//! `preserve_frame_pointers`) to record the backtrace, and resumes the
//! thread at the trampoline's exit with status 1 and the trampoline's stack
//! pointer, which drops the compiled frames (they own nothing: compiled
//! code allocates nothing and holds no locks). Any other fault goes to the
//! handler that was installed before (Rust's stack-overflow report, or the
//! default action). The handler runs on the thread's alternate signal
//! stack, which threads get before they first run compiled code, so that a
//! host stack overflow is reported rather than faulting again.

use crate::error::{Trap, TrapCode};
use std::cell::Cell;
use weft_cranelift::vmctx::{EntryFn, VMContext};

/// One call into compiled code, as the trampoline and the handler share it
/// (`#[repr(C)]`: the trampoline writes `sp` at offset 0).
#[repr(C)]
pub(crate) struct Landing {
    /// The trampoline's stack pointer once it saved the registers.
    sp: usize,
    /// The landing of the call into compiled code this one is nested in.
    outer: *mut Landing,
    /// Set by the handler: the call ended in an out-of-bounds fault.
    faulted: bool,
    /// How many of [`FAULT_PCS`] the handler set.
    recorded: usize,
    /// Compiled frames at the fault (`recorded` and the ones left out).
    frames: usize,
    /// The context the call entered compiled code with, through which
    /// the sampling handler finds the store ([`on_sample`]).
    vmctx: *mut VMContext,
}

thread_local! {
    /// The innermost call into compiled code on this thread (null when
    /// none runs). `const`, with no destructor: the handler may read it.
    static CURRENT: Cell<*mut Landing> = const { Cell::new(std::ptr::null_mut()) };
    /// The compiled frames at the last fault, innermost first: the faulting
    /// instruction's address, then return addresses (kept out of
    /// [`Landing`], which every call into compiled code puts on the stack).
    static FAULT_PCS: Cell<[usize; Trap::MAX_FRAMES]> = const { Cell::new([0; Trap::MAX_FRAMES]) };
    /// Whether this thread has an alternate signal stack (see [`AltStack`]).
    static ALT_STACK: std::cell::OnceCell<AltStack> = const { std::cell::OnceCell::new() };
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
std::arch::global_asm!(
    // weft_rt_call_compiled(entry, vmctx, slots, landing) -> u32: calls
    // entry(vmctx, slots). Saves rbp and the callee-saved registers, then
    // its stack pointer in landing.sp; the handler resumes at
    // weft_rt_call_compiled_resume with that stack pointer and eax = 1.
    ".text",
    ".p2align 4",
    ".globl weft_rt_call_compiled",
    ".hidden weft_rt_call_compiled",
    ".type weft_rt_call_compiled, @function",
    "weft_rt_call_compiled:",
    "push rbp",
    "mov rbp, rsp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    // 6 pushes after the return address: 8 more keep rsp 16-aligned.
    "sub rsp, 8",
    "mov [rcx], rsp",
    "mov rax, rdi",
    "mov rdi, rsi",
    "mov rsi, rdx",
    "call rax",
    ".globl weft_rt_call_compiled_resume",
    ".hidden weft_rt_call_compiled_resume",
    "weft_rt_call_compiled_resume:",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".size weft_rt_call_compiled, . - weft_rt_call_compiled",
);

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
extern "C" {
    fn weft_rt_call_compiled(
        entry: EntryFn,
        vmctx: *mut VMContext,
        slots: *mut u64,
        landing: *mut Landing,
    ) -> u32;
    fn weft_rt_call_compiled_resume();
}

/// The outcome of [`call`].
pub(crate) enum Called {
    /// The function's status (0: returned, 1: trapped or failed, with the
    /// error recorded by the runtime).
    Status(u32),
    /// An out-of-bounds access faulted: the compiled frames' addresses,
    /// innermost first (the faulting instruction, then return addresses),
    /// and how many frames there were in all.
    OutOfBounds(Vec<usize>, usize),
}

/// Calls `entry(vmctx, slots)`, turning an out-of-bounds fault in compiled
/// code into [`Called::OutOfBounds`].
///
/// # Safety
/// As for calling `entry` directly.
pub(crate) unsafe fn call(entry: EntryFn, vmctx: *mut VMContext, slots: *mut u64) -> Called {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        let mut landing = Landing {
            sp: 0,
            outer: CURRENT.get(),
            faulted: false,
            recorded: 0,
            frames: 0,
            vmctx,
        };
        CURRENT.set(&mut landing);
        let status = weft_rt_call_compiled(entry, vmctx, slots, &mut landing);
        CURRENT.set(landing.outer);
        if landing.faulted {
            return fault(&landing);
        }
        Called::Status(status)
    }
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    Called::Status(entry(vmctx, slots))
}

/// The outcome of a call that faulted (out of line, see [`call`]).
#[cold]
#[inline(never)]
fn fault(landing: &Landing) -> Called {
    let pcs = FAULT_PCS.get();
    Called::OutOfBounds(pcs[..landing.recorded].to_vec(), landing.frames)
}

/// Installs the fault handler (once per process).
pub(crate) fn install() {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            // SAFETY: installing a handler; the previous ones are kept for
            // chaining before ours can run.
            unsafe {
                for (i, sig) in [libc::SIGSEGV, libc::SIGBUS].into_iter().enumerate() {
                    let flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                    set_handler(sig, on_fault as *const () as usize, flags, |old| {
                        let _ = PREVIOUS[i].set(Previous(old));
                    });
                }
            }
        });
    }
}

/// The signal that samples compiled code (`Config::sampling_signal`).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
const SAMPLE_SIGNAL: libc::c_int = libc::SIGPROF;

/// The handler of [`SAMPLE_SIGNAL`] before ours, to chain to.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
static PREVIOUS_SAMPLE: std::sync::OnceLock<Previous> = std::sync::OnceLock::new();

/// Installs the sampling handler (once per process), before any
/// [`send_sample`]: the signal's default action ends the process.
pub(crate) fn install_sampling() {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            // SAFETY: installing a handler; the previous one is kept for
            // chaining before ours can run. `SA_RESTART`: system calls the
            // signal interrupts (a host function's read) resume. Not on
            // the alternate stack: the sampler needs more room than it
            // has, and runs below compiled code, whose stack limit leaves
            // at least 64 KiB (see `Config::max_wasm_stack`).
            unsafe {
                let handler = on_sample as *const () as usize;
                let flags = libc::SA_SIGINFO | libc::SA_RESTART;
                set_handler(SAMPLE_SIGNAL, handler, flags, |old| {
                    let _ = PREVIOUS_SAMPLE.set(Previous(old));
                });
            }
        });
    }
}

/// Sends the sampling signal to this process's thread `tid` (a kernel
/// thread id: unlike a `pthread_t`, one that has ended is no undefined
/// behaviour, only an error). [`install_sampling`] must have run, or the
/// signal ends the process.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub(crate) fn send_sample(tid: libc::pid_t) {
    // SAFETY: a system call with plain integer arguments.
    unsafe {
        libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, SAMPLE_SIGNAL);
    }
}

/// The sampling handler: if the signal interrupted compiled code (a call
/// into compiled code is published on this thread and the program counter
/// is in Weft's code memory), lets the store sample it through
/// `Libcalls::sample`. The runtime is then suspended inside that call,
/// as in a libcall, and this thread holds no lock and is not in the
/// allocator (compiled code takes neither), so the sampler may allocate.
/// Anywhere else (the runtime, a host function, the interpreter, which
/// samples at its epoch checks) it does nothing but chain.
///
/// # Safety
/// Called by the kernel for [`SAMPLE_SIGNAL`] with `SA_SIGINFO`.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe extern "C" fn on_sample(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) {
    let landing = CURRENT.get();
    if !landing.is_null() {
        let uc = &*ctx.cast::<libc::ucontext_t>();
        let pc = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        let fp = uc.uc_mcontext.gregs[libc::REG_RBP as usize] as usize;
        // Not the blocking `is_code`: this thread may be the one updating
        // the ranges.
        if weft_cranelift::try_is_code(pc) {
            // The sampler may make system calls: the interrupted code's
            // `errno` is put back.
            let errno = *libc::__errno_location();
            let vmctx = (*landing).vmctx;
            ((*vmctx).libcalls.sample)(vmctx, pc, fp);
            *libc::__errno_location() = errno;
        }
    }
    if let Some(Previous(p)) = PREVIOUS_SAMPLE.get() {
        call_previous(p, sig, info, ctx);
    }
}

/// Calls the handler `p` that was installed before ours with our
/// handler's arguments; `false` if it is the default action or "ignore",
/// which the caller then takes care of.
///
/// # Safety
/// From a signal handler for `sig`, with its arguments; `p` as
/// `sigaction` reported it.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe fn call_previous(
    p: &libc::sigaction,
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) -> bool {
    if p.sa_sigaction == libc::SIG_DFL || p.sa_sigaction == libc::SIG_IGN {
        return false;
    }
    if p.sa_flags & libc::SA_SIGINFO != 0 {
        let f: unsafe extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            std::mem::transmute(p.sa_sigaction);
        f(sig, info, ctx);
    } else {
        let f: unsafe extern "C" fn(libc::c_int) = std::mem::transmute(p.sa_sigaction);
        f(sig);
    }
    true
}

/// Installs `handler` (an `SA_SIGINFO` handler's address) for `sig` with
/// `flags`, no signal masked, after giving the handler it replaces to
/// `keep` (so that ours can chain to it from its first run).
///
/// # Safety
/// `handler` must be a function of the `SA_SIGINFO` signature that is safe
/// to run for `sig` at any point of any thread.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe fn set_handler(
    sig: libc::c_int,
    handler: usize,
    flags: libc::c_int,
    keep: impl FnOnce(libc::sigaction),
) {
    let mut new: libc::sigaction = std::mem::zeroed();
    new.sa_sigaction = handler;
    new.sa_flags = flags;
    libc::sigemptyset(&mut new.sa_mask);
    let mut old: libc::sigaction = std::mem::zeroed();
    libc::sigaction(sig, std::ptr::null(), &mut old);
    keep(old);
    libc::sigaction(sig, &new, std::ptr::null_mut());
}

/// Gives the calling thread an alternate signal stack if it has none
/// (checked once per thread).
#[inline]
pub(crate) fn ensure_alt_stack() {
    ALT_STACK.with(|s| {
        s.get_or_init(AltStack::ensure);
    });
}

/// A handler installed before ours, to chain to.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
struct Previous(libc::sigaction);

// SAFETY: plain data (a handler address, flags and a signal mask).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe impl Sync for Previous {}
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
// SAFETY: as for `Sync`.
unsafe impl Send for Previous {}

/// The handlers for SIGSEGV and SIGBUS before ours.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
static PREVIOUS: [std::sync::OnceLock<Previous>; 2] =
    [std::sync::OnceLock::new(), std::sync::OnceLock::new()];

/// The fault handler (see the module docs).
///
/// # Safety
/// Called by the kernel for SIGSEGV and SIGBUS with `SA_SIGINFO`.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe extern "C" fn on_fault(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) {
    let landing = CURRENT.get();
    if !landing.is_null() {
        let uc = &mut *ctx.cast::<libc::ucontext_t>();
        let gregs = &mut uc.uc_mcontext.gregs;
        let pc = gregs[libc::REG_RIP as usize] as usize;
        let fp = gregs[libc::REG_RBP as usize] as usize;
        let addr = (*info).si_addr() as usize;
        if weft_cranelift::is_code(pc) && crate::runtime::memory::in_guarded_reservation(addr) {
            record_frames(&mut *landing, pc, fp);
            (*landing).faulted = true;
            gregs[libc::REG_RIP as usize] =
                weft_rt_call_compiled_resume as *const () as usize as i64;
            gregs[libc::REG_RSP as usize] = (*landing).sp as i64;
            gregs[libc::REG_RAX as usize] = 1;
            return;
        }
    }
    let i = usize::from(sig == libc::SIGBUS);
    let chained = PREVIOUS[i]
        .get()
        .is_some_and(|Previous(p)| call_previous(p, sig, info, ctx));
    if !chained {
        // The default action: restore it, and the fault happens again on
        // return, without us.
        let mut dfl: libc::sigaction = std::mem::zeroed();
        dfl.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(sig, &dfl, std::ptr::null_mut());
    }
}

/// Records the compiled frames of a fault at `pc` whose frame pointer is
/// `fp`: the chain of saved frame pointers, while return addresses are in
/// compiled code (the first one outside is `weft_rt_call_compiled`'s).
///
/// # Safety
/// `fp` must be the frame pointer of compiled code at `pc` (Cranelift keeps
/// frame pointers in every function), on this thread's stack.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe fn record_frames(l: &mut Landing, pc: usize, mut fp: usize) {
    let mut pcs = [0; Trap::MAX_FRAMES];
    pcs[0] = pc;
    l.recorded = 1;
    l.frames = 1;
    // Callers' frames are at higher addresses: a chain that does not
    // climb is not one (it cannot loop).
    let mut at_entry = false;
    while fp != 0 && fp.is_multiple_of(8) {
        let ra = *(fp as *const usize).add(1);
        if !weft_cranelift::is_code(ra) {
            at_entry = true;
            break;
        }
        if l.recorded < pcs.len() {
            pcs[l.recorded] = ra;
            l.recorded += 1;
        }
        l.frames += 1;
        let next = *(fp as *const usize);
        if next <= fp {
            break;
        }
        fp = next;
    }
    // The outermost compiled frame is the entry point's trampoline (every
    // call from the runtime enters through one, and it calls the body):
    // the return address into it names no function.
    if at_entry && l.frames > 1 {
        if l.recorded == l.frames {
            l.recorded -= 1;
        }
        l.frames -= 1;
    }
    FAULT_PCS.set(pcs);
}

/// An alternate signal stack for a thread that had none, freed when the
/// thread ends.
struct AltStack(Option<(*mut libc::c_void, usize)>);

impl AltStack {
    /// Size of the stacks we make.
    const SIZE: usize = 64 * 1024;

    /// Makes one if the thread has none.
    fn ensure() -> AltStack {
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        // SAFETY: querying and setting this thread's alternate stack, with
        // a fresh mapping that lives until the thread-local is dropped.
        unsafe {
            let mut old: libc::stack_t = std::mem::zeroed();
            if libc::sigaltstack(std::ptr::null(), &mut old) != 0
                || old.ss_flags & libc::SS_DISABLE == 0
            {
                return AltStack(None);
            }
            let p = libc::mmap(
                std::ptr::null_mut(),
                Self::SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if p == libc::MAP_FAILED {
                return AltStack(None);
            }
            let new = libc::stack_t {
                ss_sp: p,
                ss_flags: 0,
                ss_size: Self::SIZE,
            };
            if libc::sigaltstack(&new, std::ptr::null_mut()) != 0 {
                libc::munmap(p, Self::SIZE);
                return AltStack(None);
            }
            AltStack(Some((p, Self::SIZE)))
        }
        #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
        AltStack(None)
    }
}

impl Drop for AltStack {
    fn drop(&mut self) {
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        if let Some((p, size)) = self.0 {
            // SAFETY: our mapping, installed by `ensure` on this thread;
            // disabled before it is unmapped.
            unsafe {
                let off = libc::stack_t {
                    ss_sp: std::ptr::null_mut(),
                    ss_flags: libc::SS_DISABLE,
                    ss_size: 0,
                };
                libc::sigaltstack(&off, std::ptr::null_mut());
                libc::munmap(p, size);
            }
        }
    }
}

/// The trap for a fault recorded by [`call`]: out of bounds, with the
/// compiled frames named by `name(pc)` (a return address is looked up one
/// byte back, inside its call instruction).
pub(crate) fn out_of_bounds(
    pcs: &[usize],
    frames: usize,
    mut name: impl FnMut(usize) -> Option<crate::error::FrameInfo>,
) -> Trap {
    let mut t = Trap::new(TrapCode::MemoryOutOfBounds);
    let trace = pcs
        .iter()
        .enumerate()
        .filter_map(|(i, &pc)| name(if i == 0 { pc } else { pc - 1 }))
        .collect();
    t.set_backtrace(trace);
    t.add_frames_elided(frames.saturating_sub(pcs.len()));
    t
}
