//! wasmtime as a peer, in two configurations: with Cranelift compiling to
//! the host's machine code (feature `wasmtime`), the compiler tier Weft's
//! own is measured against, and with Cranelift compiling to Pulley bytecode
//! that wasmtime's interpreter runs (feature `pulley`). Both compile each
//! module eagerly, on one thread, with wasmtime's default `Config` as built
//! with the features `cranelift`, `runtime` and `std` (signal-based traps and
//! guard pages included).

use crate::engines::{inc, wat, Engine, HostCalls, Instance, HOST_CALLS_WAT};

/// wasmtime with one compilation target.
pub struct Wasmtime {
    /// `None` for the host, or a target triple such as `pulley64`.
    target: Option<&'static str>,
}

/// wasmtime compiling to Pulley bytecode.
#[cfg(feature = "pulley")]
pub const PULLEY: Wasmtime = Wasmtime {
    target: Some("pulley64"),
};

/// wasmtime compiling to the host's machine code.
#[cfg(feature = "wasmtime")]
pub const NATIVE: Wasmtime = Wasmtime { target: None };

fn err(e: impl std::fmt::Display) -> String {
    format!("wasmtime: {e}")
}

impl Wasmtime {
    fn engine(&self) -> Result<wasmtime::Engine, String> {
        let mut config = wasmtime::Config::new();
        if let Some(target) = self.target {
            config.target(target).map_err(err)?;
        }
        wasmtime::Engine::new(&config).map_err(err)
    }
}

struct WasmtimeInstance {
    store: wasmtime::Store<()>,
    run: wasmtime::TypedFunc<i32, i32>,
}

impl Engine for Wasmtime {
    fn name(&self) -> &'static str {
        match self.target {
            None => "wasmtime",
            Some(_) => "pulley",
        }
    }

    fn version(&self) -> &'static str {
        env!("WEFT_BENCH_WASMTIME_VERSION")
    }

    fn supports(&self, proposal: &str) -> bool {
        // The crate feature `gc` turns GC (and exceptions) on in the default
        // Config; Pulley's GC support is not measured here.
        match self.target {
            None => matches!(proposal, "gc" | "tail-call" | "exceptions"),
            Some(_) => proposal == "tail-call",
        }
    }

    fn config(&self) -> &'static str {
        match self.target {
            None => {
                "wasmtime, default Config (Cranelift, native code), compiles eagerly, one thread"
            }
            Some(_) => {
                "wasmtime, Config::target(\"pulley64\"), Cranelift compiles eagerly, one thread"
            }
        }
    }

    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String> {
        let engine = self.engine()?;
        let module = wasmtime::Module::new(&engine, wasm).map_err(err)?;
        let mut store = wasmtime::Store::new(&engine, ());
        let linker = wasmtime::Linker::<()>::new(&engine);
        let instance = linker.instantiate(&mut store, &module).map_err(err)?;
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .map_err(err)?;
        Ok(Box::new(WasmtimeInstance { store, run }))
    }

    fn compile_and_instantiate(&self, wasm: &[u8]) -> Result<(), String> {
        let engine = self.engine()?;
        let module = wasmtime::Module::new(&engine, wasm).map_err(err)?;
        let mut store = wasmtime::Store::new(&engine, ());
        let mut linker = wasmtime::Linker::<()>::new(&engine);
        linker
            .define_unknown_imports_as_traps(&module)
            .map_err(err)?;
        linker.instantiate(&mut store, &module).map_err(err)?;
        Ok(())
    }

    fn host_calls(&self) -> Result<Box<dyn HostCalls>, String> {
        let engine = self.engine()?;
        let module = wasmtime::Module::new(&engine, wat(HOST_CALLS_WAT)?).map_err(err)?;
        let mut store = wasmtime::Store::new(&engine, ());
        let mut linker = wasmtime::Linker::<()>::new(&engine);
        linker.func_wrap("env", "inc", inc).map_err(err)?;
        let instance = linker.instantiate(&mut store, &module).map_err(err)?;
        let inc = instance
            .get_typed_func::<i32, i32>(&mut store, "inc")
            .map_err(err)?;
        let call_host = instance
            .get_typed_func::<i32, i32>(&mut store, "call_host")
            .map_err(err)?;
        Ok(Box::new(WasmtimeHostCalls {
            store,
            inc,
            call_host,
        }))
    }
}

impl Instance for WasmtimeInstance {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        self.run.call(&mut self.store, n).map_err(err)
    }
}

struct WasmtimeHostCalls {
    store: wasmtime::Store<()>,
    inc: wasmtime::TypedFunc<i32, i32>,
    call_host: wasmtime::TypedFunc<i32, i32>,
}

impl HostCalls for WasmtimeHostCalls {
    fn host_to_guest(&mut self, n: i32) -> Result<i32, String> {
        let mut acc = 0;
        for _ in 0..n {
            acc = self.inc.call(&mut self.store, acc).map_err(err)?;
        }
        Ok(acc)
    }

    fn guest_to_host(&mut self, n: i32) -> Result<i32, String> {
        self.call_host.call(&mut self.store, n).map_err(err)
    }
}
