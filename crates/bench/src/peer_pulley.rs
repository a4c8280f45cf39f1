//! wasmtime with its Pulley interpreter as a peer, behind the feature
//! `pulley`: Cranelift compiles each module (eagerly) to Pulley bytecode,
//! which wasmtime's interpreter runs.

use crate::engines::{inc, wat, Engine, HostCalls, Instance, HOST_CALLS_WAT};

/// wasmtime targeting `pulley64` (otherwise its default `Config` as built
/// with the features `cranelift`, `runtime` and `std`).
pub struct Pulley;

fn err(e: impl std::fmt::Display) -> String {
    format!("wasmtime: {e}")
}

fn engine() -> Result<wasmtime::Engine, String> {
    let mut config = wasmtime::Config::new();
    config.target("pulley64").map_err(err)?;
    wasmtime::Engine::new(&config).map_err(err)
}

struct PulleyInstance {
    store: wasmtime::Store<()>,
    run: wasmtime::TypedFunc<i32, i32>,
}

impl Engine for Pulley {
    fn name(&self) -> &'static str {
        "pulley"
    }

    fn version(&self) -> &'static str {
        env!("WEFT_BENCH_WASMTIME_VERSION")
    }

    fn config(&self) -> &'static str {
        "wasmtime, Config::target(\"pulley64\"), Cranelift compiles eagerly, one thread"
    }

    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String> {
        let engine = engine()?;
        let module = wasmtime::Module::new(&engine, wasm).map_err(err)?;
        let mut store = wasmtime::Store::new(&engine, ());
        let linker = wasmtime::Linker::<()>::new(&engine);
        let instance = linker.instantiate(&mut store, &module).map_err(err)?;
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .map_err(err)?;
        Ok(Box::new(PulleyInstance { store, run }))
    }

    fn compile_and_instantiate(&self, wasm: &[u8]) -> Result<(), String> {
        let engine = engine()?;
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
        let engine = engine()?;
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
        Ok(Box::new(PulleyHostCalls {
            store,
            inc,
            call_host,
        }))
    }
}

impl Instance for PulleyInstance {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        self.run.call(&mut self.store, n).map_err(err)
    }
}

struct PulleyHostCalls {
    store: wasmtime::Store<()>,
    inc: wasmtime::TypedFunc<i32, i32>,
    call_host: wasmtime::TypedFunc<i32, i32>,
}

impl HostCalls for PulleyHostCalls {
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
