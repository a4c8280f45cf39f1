//! WASI preview1 (`wasi_snapshot_preview1`) for the Weft runtime.
//!
//! Every function of preview1 is provided: arguments and environment,
//! clocks, randomness, descriptors (`fd_*`), paths (`path_*`),
//! `poll_oneoff`, `proc_exit`, `proc_raise`, `sched_yield` and the socket
//! functions on sockets the host hands in. The error codes are the ones
//! wasmtime returns; rights are tracked per descriptor.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use weft::{Engine, Linker, Module, Store};
//! use weft_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! struct Host { wasi: WasiCtx }
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, std::fs::read("hello.wasm")?)?;
//! let mut linker: Linker<Host> = Linker::new(&engine);
//! weft_wasi::add_to_linker(&mut linker, |data| &mut data.wasi)?;
//! let wasi = WasiCtxBuilder::new()
//!     .args(["hello.wasm"])
//!     .preopened_dir(".", "/")
//!     .inherit_stdio()
//!     .build()?;
//! let mut store = Store::new(&engine, Host { wasi });
//! let instance = linker.instantiate(&mut store, &module)?;
//! let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
//! let status = match start.call(&mut store, ()) {
//!     Ok(()) => 0,
//!     Err(e) => weft_wasi::exit_status(&e).ok_or(e)?,
//! };
//! std::process::exit(status);
//! # }
//! ```
//!
//! # Confinement
//! A guest reaches the file system only through the directories given
//! with [`WasiCtxBuilder::preopened_dir`] and what it opens below them.
//! Paths are resolved by Weft one component at a time against directory
//! descriptors (never by string prefix, never by letting the kernel follow
//! a link): `..` above the directory a path starts from, absolute paths,
//! and symbolic links that lead outside all fail with `perm`; loops end in
//! `loop`. See the `path` module for how races are closed.
//!
//! # Guest memory
//! The host checks every pointer and length the guest passes: a range
//! outside memory is `fault`, a misaligned structure `inval`; nothing the
//! guest passes makes the host panic.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod ctx;
mod errno;
mod mem;
mod path;
mod poll;
mod preview1;
pub mod types;

pub use ctx::{DirPerms, FilePerms, OutputPipe, WasiCtx, WasiCtxBuilder};
pub use errno::Errno;

use mem::{GuestMem, R};
use weft::{Caller, Extern, Linker};

/// The module name of preview1's imports.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The error `proc_exit` ends execution with: the guest's exit status.
/// It reaches the embedder as a host [`weft::Error`]; get the status with
/// [`exit_status`] (or `Error::downcast_ref::<I32Exit>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl std::fmt::Display for I32Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "guest exited with status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// The exit status if `error` is a guest's `proc_exit`.
pub fn exit_status(error: &weft::Error) -> Option<i32> {
    error.downcast_ref::<I32Exit>().map(|e| e.0)
}

/// Runs one WASI function: takes the context out of the store for the
/// duration of the call so that it and the guest's memory can be borrowed
/// together (a missing `memory` export makes every pointer a `fault`).
fn call<T>(
    caller: &mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut WasiCtx,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMem<'_>) -> R<()>,
) -> i32 {
    let mut cx = std::mem::take(get(caller.data_mut()));
    let memory = match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Some(m),
        _ => None,
    };
    let r = {
        let data: &mut [u8] = match memory {
            Some(m) => m.data_mut(&mut *caller),
            None => &mut [],
        };
        f(&mut cx, &mut GuestMem::new(data))
    };
    *get(caller.data_mut()) = cx;
    match r {
        Ok(()) => 0,
        Err(e) => i32::from(e as u16),
    }
}

macro_rules! wasi_fns {
    ($linker:ident, $get:ident; $(
        $name:ident ( $($arg:ident : $ty:ty),* ) => |$cx:ident, $mem:ident| $body:expr;
    )*) => {
        $(
            {
                let get = $get.clone();
                $linker.func_wrap(
                    MODULE,
                    stringify!($name),
                    move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> i32 {
                        call(&mut caller, &get, |$cx, $mem| $body)
                    },
                )?;
            }
        )*
    };
}

/// Defines every function of `wasi_snapshot_preview1` in `linker`, over
/// the [`WasiCtx`] that `get` finds in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Clone + 'static,
) -> weft::Result<()> {
    let (u, w) = (|x: i32| x as u32, |x: i64| x as u64);
    wasi_fns! { linker, get;
        args_get(a: i32, b: i32) => |cx, m| cx.args_get(m, u(a), u(b));
        args_sizes_get(a: i32, b: i32) => |cx, m| cx.args_sizes_get(m, u(a), u(b));
        environ_get(a: i32, b: i32) => |cx, m| cx.environ_get(m, u(a), u(b));
        environ_sizes_get(a: i32, b: i32) => |cx, m| cx.environ_sizes_get(m, u(a), u(b));
        clock_res_get(id: i32, out: i32) => |cx, m| cx.clock_res_get(m, u(id), u(out));
        clock_time_get(id: i32, p: i64, out: i32) => |cx, m| cx.clock_time_get(m, u(id), w(p), u(out));
        fd_advise(fd: i32, o: i64, l: i64, a: i32) => |cx, _m| cx.fd_advise(u(fd), w(o), w(l), u(a));
        fd_allocate(fd: i32, o: i64, l: i64) => |cx, _m| cx.fd_allocate(u(fd), w(o), w(l));
        fd_close(fd: i32) => |cx, _m| cx.fd_close(u(fd));
        fd_datasync(fd: i32) => |cx, _m| cx.fd_datasync(u(fd));
        fd_fdstat_get(fd: i32, out: i32) => |cx, m| cx.fd_fdstat_get(m, u(fd), u(out));
        fd_fdstat_set_flags(fd: i32, f: i32) => |cx, _m| cx.fd_fdstat_set_flags(u(fd), f as u16);
        fd_fdstat_set_rights(fd: i32, b: i64, i: i64) => |cx, _m| cx.fd_fdstat_set_rights(u(fd), w(b), w(i));
        fd_filestat_get(fd: i32, out: i32) => |cx, m| cx.fd_filestat_get(m, u(fd), u(out));
        fd_filestat_set_size(fd: i32, s: i64) => |cx, _m| cx.fd_filestat_set_size(u(fd), w(s));
        fd_filestat_set_times(fd: i32, a: i64, t: i64, f: i32) => |cx, _m| cx.fd_filestat_set_times(u(fd), w(a), w(t), f as u16);
        fd_pread(fd: i32, v: i32, n: i32, o: i64, out: i32) => |cx, m| cx.fd_pread(m, u(fd), u(v), u(n), w(o), u(out));
        fd_prestat_get(fd: i32, out: i32) => |cx, m| cx.fd_prestat_get(m, u(fd), u(out));
        fd_prestat_dir_name(fd: i32, p: i32, l: i32) => |cx, m| cx.fd_prestat_dir_name(m, u(fd), u(p), u(l));
        fd_pwrite(fd: i32, v: i32, n: i32, o: i64, out: i32) => |cx, m| cx.fd_pwrite(m, u(fd), u(v), u(n), w(o), u(out));
        fd_read(fd: i32, v: i32, n: i32, out: i32) => |cx, m| cx.fd_read(m, u(fd), u(v), u(n), u(out));
        fd_readdir(fd: i32, b: i32, l: i32, c: i64, out: i32) => |cx, m| cx.fd_readdir(m, u(fd), u(b), u(l), w(c), u(out));
        fd_renumber(fd: i32, to: i32) => |cx, _m| cx.fd_renumber(u(fd), u(to));
        fd_seek(fd: i32, o: i64, wh: i32, out: i32) => |cx, m| cx.fd_seek(m, u(fd), o, wh as u8, u(out));
        fd_sync(fd: i32) => |cx, _m| cx.fd_sync(u(fd));
        fd_tell(fd: i32, out: i32) => |cx, m| cx.fd_tell(m, u(fd), u(out));
        fd_write(fd: i32, v: i32, n: i32, out: i32) => |cx, m| cx.fd_write(m, u(fd), u(v), u(n), u(out));
        path_create_directory(fd: i32, p: i32, l: i32) => |cx, m| cx.path_create_directory(m, u(fd), u(p), u(l));
        path_filestat_get(fd: i32, f: i32, p: i32, l: i32, out: i32) => |cx, m| cx.path_filestat_get(m, u(fd), u(f), u(p), u(l), u(out));
        path_filestat_set_times(fd: i32, f: i32, p: i32, l: i32, a: i64, t: i64, fl: i32) => |cx, m| cx.path_filestat_set_times(m, u(fd), u(f), u(p), u(l), w(a), w(t), fl as u16);
        path_link(ofd: i32, of: i32, op: i32, ol: i32, nfd: i32, np: i32, nl: i32) => |cx, m| cx.path_link(m, u(ofd), u(of), u(op), u(ol), u(nfd), u(np), u(nl));
        path_open(fd: i32, df: i32, p: i32, l: i32, of: i32, b: i64, i: i64, ff: i32, out: i32) => |cx, m| cx.path_open(m, u(fd), u(df), u(p), u(l), of as u16, w(b), w(i), ff as u16, u(out));
        path_readlink(fd: i32, p: i32, l: i32, b: i32, bl: i32, out: i32) => |cx, m| cx.path_readlink(m, u(fd), u(p), u(l), u(b), u(bl), u(out));
        path_remove_directory(fd: i32, p: i32, l: i32) => |cx, m| cx.path_remove_directory(m, u(fd), u(p), u(l));
        path_rename(fd: i32, op: i32, ol: i32, nfd: i32, np: i32, nl: i32) => |cx, m| cx.path_rename(m, u(fd), u(op), u(ol), u(nfd), u(np), u(nl));
        path_symlink(op: i32, ol: i32, fd: i32, np: i32, nl: i32) => |cx, m| cx.path_symlink(m, u(op), u(ol), u(fd), u(np), u(nl));
        path_unlink_file(fd: i32, p: i32, l: i32) => |cx, m| cx.path_unlink_file(m, u(fd), u(p), u(l));
        poll_oneoff(i: i32, o: i32, n: i32, out: i32) => |cx, m| cx.poll_oneoff(m, u(i), u(o), u(n), u(out));
        proc_raise(s: i32) => |cx, _m| cx.proc_raise(u(s));
        sched_yield() => |cx, _m| cx.sched_yield();
        random_get(b: i32, l: i32) => |cx, m| cx.random_get(m, u(b), u(l));
        sock_accept(fd: i32, f: i32, out: i32) => |cx, m| cx.sock_accept(m, u(fd), f as u16, u(out));
        sock_recv(fd: i32, v: i32, n: i32, f: i32, ol: i32, of: i32) => |cx, m| cx.sock_recv(m, u(fd), u(v), u(n), f as u16, u(ol), u(of));
        sock_send(fd: i32, v: i32, n: i32, f: i32, out: i32) => |cx, m| cx.sock_send(m, u(fd), u(v), u(n), f as u16, u(out));
        sock_shutdown(fd: i32, how: i32) => |cx, _m| cx.sock_shutdown(u(fd), how as u8);
    }
    linker.func_wrap(MODULE, "proc_exit", |code: i32| -> weft::Result<()> {
        Err(weft::Error::host(I32Exit(code)))
    })?;
    Ok(())
}
