//! The floor: each C program built natively (`benches/native/build.sh`:
//! the same zig clang as the `.wasm` files, `-O2`, x86-64 baseline CPU) as
//! a shared library whose `run` is called in this process, like a guest's
//! export. Only the C programs have a native build, and `malloc` is left
//! out (see [`Native::runs_program`]); the others show "-". The libraries are read from `target/bench-native/` or from the
//! directory in `WEFT_BENCH_NATIVE_DIR`.

use crate::engines::{Engine, HostCalls, Instance};
use std::ffi::CString;

/// The native builds of the C programs.
pub struct Native;

/// Where `build.sh` puts the libraries.
fn dir() -> std::path::PathBuf {
    std::env::var_os("WEFT_BENCH_NATIVE_DIR").map_or_else(
        || concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench-native").into(),
        Into::into,
    )
}

/// A program's `int run(int n)`.
type RunFn = unsafe extern "C" fn(i32) -> i32;

struct Loaded {
    run: RunFn,
}

impl Instance for Loaded {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        // SAFETY: `run` is the C program's `int run(int)`, found by name in
        // a library that stays loaded for the rest of the process (it is
        // never closed); the programs are self-contained and only touch
        // their own static data.
        Ok(unsafe { (self.run)(n) })
    }
}

impl Engine for Native {
    fn name(&self) -> &'static str {
        "native"
    }

    fn version(&self) -> &'static str {
        "zig 0.17.1 clang, -O2, x86-64 baseline"
    }

    fn config(&self) -> &'static str {
        "shared library per C program (benches/native/build.sh), run in process"
    }

    fn c_programs_only(&self) -> bool {
        true
    }

    /// Not `malloc`: its checksum folds in the layout of structures that
    /// hold pointers, which are twice as wide in a 64-bit build, so the
    /// native build does different work (and returns another checksum).
    fn runs_program(&self, name: &str, c_program: bool) -> bool {
        c_program && name != "malloc"
    }

    fn instantiate(&self, _: &[u8]) -> Result<Box<dyn Instance>, String> {
        Err("the native floor runs C programs by name only".into())
    }

    fn instantiate_program(&self, name: &str, _: &[u8]) -> Result<Box<dyn Instance>, String> {
        let path = dir().join(format!("{name}.so"));
        let c_path = CString::new(path.to_string_lossy().as_bytes()).map_err(|e| e.to_string())?;
        // SAFETY: dlopen of a library built by benches/native/build.sh from
        // this repository's C programs, which have no initialisers; a
        // null result is handled.
        let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            return Err(format!(
                "cannot load {} (run benches/native/build.sh)",
                path.display()
            ));
        }
        // SAFETY: a symbol lookup in the handle just opened.
        let sym = unsafe { libc::dlsym(handle, c"run".as_ptr()) };
        if sym.is_null() {
            return Err(format!("{} has no `run`", path.display()));
        }
        // SAFETY: the programs export `int run(int)` (bench.h), which is
        // this function pointer type.
        let run = unsafe { std::mem::transmute::<*mut libc::c_void, RunFn>(sym) };
        Ok(Box::new(Loaded { run }))
    }

    fn compile_and_instantiate(&self, _: &[u8]) -> Result<(), String> {
        Err("the native floor has no start-up case".into())
    }

    fn host_calls(&self) -> Result<Box<dyn HostCalls>, String> {
        Err("the native floor has no host calls".into())
    }
}
