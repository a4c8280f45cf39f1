//! The call to [`Libcalls::epoch`] from an epoch check's slow path,
//! through a stub that keeps every register: compiled code calls it with
//! Cranelift's `preserve_all` convention, so values live across the check
//! (a loop's counters and accumulators) stay in registers instead of
//! being spilled around a call that almost never happens. Without it (on
//! other hosts) the slow path calls [`Libcalls::epoch`] directly.
//!
//! Why: with a plain call in the slow path, every value live across the
//! check must survive a call that may clobber it, and the System V
//! convention keeps no `xmm` register, so a loop's floating-point
//! accumulator lived in memory. On `examples/profile_demo.wasm` (matmul's
//! inner loop) under `weft run --tier compile --timeout 1h`, that took the
//! run from 1.0 to 1.8 times the user time of the run without checks;
//! through the stub, 1.2 (BENCHMARKS.md, "Guest profiler: attribution and
//! overhead").
//!
//! The stub ([`epoch_stub`]) takes the context, the defined function and
//! the frame pointer in the host's argument registers, saves every
//! caller-saved register (general purpose and `xmm0`-`xmm15`), calls
//! [`Libcalls::epoch`] with the same arguments, writes its status to
//! [`VMStoreContext::epoch_status`], restores the registers and returns;
//! compiled code then reads the status there.

#[cfg(doc)]
use crate::vmctx::{Libcalls, VMStoreContext};

/// Whether compiled code calls the epoch slow path through [`epoch_stub`]
/// (x86-64 Linux, where the stub is written).
pub const IN_USE: bool = cfg!(all(target_arch = "x86_64", target_os = "linux"));

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl weft_rt_epoch_stub",
    ".hidden weft_rt_epoch_stub",
    ".type weft_rt_epoch_stub, @function",
    "weft_rt_epoch_stub:",
    "push rbp",
    "mov rbp, rsp",
    "push rax",
    "push rcx",
    "push rdx",
    "push rsi",
    "push rdi",
    "push r8",
    "push r9",
    "push r10",
    "push r11",
    // The return address and 10 pushes: 264 more bytes (16 registers of
    // 16 bytes, and 8) keep rsp 16-aligned for the call.
    "sub rsp, 264",
    "movups [rsp + 0], xmm0",
    "movups [rsp + 16], xmm1",
    "movups [rsp + 32], xmm2",
    "movups [rsp + 48], xmm3",
    "movups [rsp + 64], xmm4",
    "movups [rsp + 80], xmm5",
    "movups [rsp + 96], xmm6",
    "movups [rsp + 112], xmm7",
    "movups [rsp + 128], xmm8",
    "movups [rsp + 144], xmm9",
    "movups [rsp + 160], xmm10",
    "movups [rsp + 176], xmm11",
    "movups [rsp + 192], xmm12",
    "movups [rsp + 208], xmm13",
    "movups [rsp + 224], xmm14",
    "movups [rsp + 240], xmm15",
    // rdi, esi and rdx are still the arguments.
    "call qword ptr [rdi + {epoch}]",
    // The saved rdi: the context.
    "mov rcx, [rbp - 40]",
    "mov rcx, [rcx + {store_ctx}]",
    "mov dword ptr [rcx + {status}], eax",
    "movups xmm0, [rsp + 0]",
    "movups xmm1, [rsp + 16]",
    "movups xmm2, [rsp + 32]",
    "movups xmm3, [rsp + 48]",
    "movups xmm4, [rsp + 64]",
    "movups xmm5, [rsp + 80]",
    "movups xmm6, [rsp + 96]",
    "movups xmm7, [rsp + 112]",
    "movups xmm8, [rsp + 128]",
    "movups xmm9, [rsp + 144]",
    "movups xmm10, [rsp + 160]",
    "movups xmm11, [rsp + 176]",
    "movups xmm12, [rsp + 192]",
    "movups xmm13, [rsp + 208]",
    "movups xmm14, [rsp + 224]",
    "movups xmm15, [rsp + 240]",
    "add rsp, 264",
    "pop r11",
    "pop r10",
    "pop r9",
    "pop r8",
    "pop rdi",
    "pop rsi",
    "pop rdx",
    "pop rcx",
    "pop rax",
    "pop rbp",
    "ret",
    ".size weft_rt_epoch_stub, . - weft_rt_epoch_stub",
    epoch = const crate::vmctx::offsets::EPOCH_REACHED,
    store_ctx = const crate::vmctx::offsets::STORE_CTX,
    status = const crate::vmctx::offsets::EPOCH_STATUS,
);

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
extern "C" {
    fn weft_rt_epoch_stub();
}

/// The stub's address, for [`Libcalls::epoch_stub`] (on other hosts, a
/// function that is never called: compiled code does not use it).
pub fn epoch_stub() -> unsafe extern "C" fn() {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        weft_rt_epoch_stub
    }
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    {
        unused
    }
}

/// [`epoch_stub`] where there is no stub.
#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
unsafe extern "C" fn unused() {
    std::process::abort()
}
