//! wasm3 (the `wasm3` crate, which builds wasm3's C sources with cc) as a
//! peer, behind the feature `wasm3`.

use crate::engines::{inc, wat, Engine, HostCalls, Instance, HOST_CALLS_WAT};

/// The size of wasm3's value stack, in bytes.
const STACK_SIZE: u32 = 1 << 20;

/// wasm3 with its defaults (as the `wasm3` crate builds it, 32-bit slots,
/// no WASI linked).
pub struct Wasm3;

fn err(e: wasm3::error::Error) -> String {
    format!("wasm3: {e}")
}

fn runtime(wasm: &[u8]) -> Result<wasm3::Runtime, String> {
    let env = wasm3::Environment::new().map_err(err)?;
    let rt = env.create_runtime(STACK_SIZE).map_err(err)?;
    let module = wasm3::Module::parse(&env, wasm).map_err(err)?;
    rt.load_module(module).map_err(err)?;
    Ok(rt)
}

struct Wasm3Instance {
    rt: wasm3::Runtime,
}

impl Engine for Wasm3 {
    fn name(&self) -> &'static str {
        "wasm3"
    }

    fn version(&self) -> &'static str {
        env!("WEFT_BENCH_WASM3_VERSION")
    }

    fn config(&self) -> &'static str {
        "crate defaults without WASI, 1 MiB stack; wasm3 compiles each function on its first call"
    }

    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String> {
        let rt = runtime(wasm)?;
        // Through the module, not the runtime: `Runtime::find_function`
        // reports any error (a compile error too) as "not found".
        rt.modules()
            .next()
            .ok_or("wasm3: no module loaded")?
            .find_function::<i32, i32>("run")
            .map_err(err)?;
        Ok(Box::new(Wasm3Instance { rt }))
    }

    fn compile_and_instantiate(&self, wasm: &[u8]) -> Result<(), String> {
        // Imports wasm3 is not given stay unlinked and trap when called.
        runtime(wasm).map(drop)
    }

    fn host_calls(&self) -> Result<Box<dyn HostCalls>, String> {
        wasm3::make_func_wrapper!(inc_wrap: inc(x: i32) -> i32);
        let env = wasm3::Environment::new().map_err(err)?;
        let rt = env.create_runtime(STACK_SIZE).map_err(err)?;
        let module = wasm3::Module::parse(&env, wat(HOST_CALLS_WAT)?).map_err(err)?;
        let mut module = rt.load_module(module).map_err(err)?;
        module
            .link_function::<i32, i32>("env", "inc", inc_wrap)
            .map_err(err)?;
        Ok(Box::new(Wasm3Instance { rt }))
    }
}

impl Instance for Wasm3Instance {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        let run = self.rt.find_function::<i32, i32>("run").map_err(err)?;
        run.call(n).map_err(err)
    }
}

impl HostCalls for Wasm3Instance {
    fn host_to_guest(&mut self, n: i32) -> Result<i32, String> {
        let f = self.rt.find_function::<i32, i32>("inc").map_err(err)?;
        let mut acc = 0;
        for _ in 0..n {
            acc = f.call(acc).map_err(err)?;
        }
        Ok(acc)
    }

    fn guest_to_host(&mut self, n: i32) -> Result<i32, String> {
        let f = self
            .rt
            .find_function::<i32, i32>("call_host")
            .map_err(err)?;
        f.call(n).map_err(err)
    }
}
