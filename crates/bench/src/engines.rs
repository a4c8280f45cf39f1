//! The engines under comparison, behind one small interface: compile and
//! instantiate a module (not timed), then call its `run(i32) -> i32` export;
//! compile and instantiate a module with trapping stubs for its imports (the
//! start-up case); and the host-call module of [`HOST_CALLS_WAT`].

/// A runtime that can load a benchmark module.
pub trait Engine {
    /// Short name for the table ("weft", "wasmi", "wasm3", "wasmtime", "pulley").
    fn name(&self) -> &'static str;
    /// The crate version that was built.
    fn version(&self) -> &'static str;
    /// How the engine is configured.
    fn config(&self) -> &'static str;
    /// Whether it runs modules that use `proposal` (a name as
    /// `weft --features` spells it, e.g. "gc", "tail-call").
    fn supports(&self, proposal: &str) -> bool {
        let _ = proposal;
        false
    }
    /// Compiles `wasm`, instantiates it without imports and finds `run`.
    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String>;
    /// Instantiates program `name`, whose module is `wasm` (the native
    /// floor loads its own build of the program instead).
    fn instantiate_program(&self, name: &str, wasm: &[u8]) -> Result<Box<dyn Instance>, String> {
        let _ = name;
        self.instantiate(wasm)
    }
    /// Whether it runs only the C programs and none of the other cases
    /// (the native floor).
    fn c_programs_only(&self) -> bool {
        false
    }
    /// Whether it runs program `name` (a C program if `c_program`, else a
    /// WAT kernel), proposals aside.
    fn runs_program(&self, name: &str, c_program: bool) -> bool {
        let _ = name;
        c_program || !self.c_programs_only()
    }
    /// Compiles `wasm` and instantiates it, every function import defined as
    /// a host function that traps; everything is dropped afterwards.
    fn compile_and_instantiate(&self, wasm: &[u8]) -> Result<(), String>;
    /// Instantiates [`HOST_CALLS_WAT`] with `env.inc` as a host function
    /// returning its argument plus one.
    fn host_calls(&self) -> Result<Box<dyn HostCalls>, String>;
}

/// An instantiated benchmark program.
pub trait Instance {
    /// Calls `run(n)` and returns its checksum, or the trap's message.
    fn run(&mut self, n: i32) -> Result<i32, String>;
}

/// An instance of [`HOST_CALLS_WAT`].
pub trait HostCalls {
    /// Host to guest: a Rust loop of `n` typed calls of the export `inc`,
    /// each fed the previous result; returns the last result (`n`).
    fn host_to_guest(&mut self, n: i32) -> Result<i32, String>;
    /// Guest to host: calls the export `call_host(n)`, a Wasm loop of `n`
    /// calls of the imported `env.inc`; returns its result (`n`).
    fn guest_to_host(&mut self, n: i32) -> Result<i32, String>;
}

/// The host-call module: a trivial `(i32) -> i32` export, and a loop that
/// calls the trivial imported host function `env.inc` `n` times.
pub const HOST_CALLS_WAT: &str = r#"
(module
  (import "env" "inc" (func $inc (param i32) (result i32)))
  (func (export "inc") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "call_host") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $l
        (local.set $acc (call $inc (local.get $acc)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (local.get $acc)))
"#;

/// The host function `env.inc`.
pub fn inc(x: i32) -> i32 {
    x.wrapping_add(1)
}

/// Every engine, Weft first (the ratios are Weft's time over each peer's).
/// The heavy peers are behind the crate's features `wasm3`, `wasmtime` and
/// `pulley`, the native floor behind `native`.
pub fn all() -> Vec<Box<dyn Engine>> {
    #[allow(unused_mut)] // pushed to only with the optional peers' features
    let mut engines: Vec<Box<dyn Engine>> = vec![Box::new(Weft), Box::new(Wasmi)];
    #[cfg(feature = "wasm3")]
    engines.push(Box::new(crate::peer_wasm3::Wasm3));
    #[cfg(feature = "wasmtime")]
    engines.push(Box::new(crate::peer_wasmtime::NATIVE));
    #[cfg(feature = "pulley")]
    engines.push(Box::new(crate::peer_wasmtime::PULLEY));
    #[cfg(feature = "native")]
    engines.push(Box::new(crate::peer_native::Native));
    engines
}

/// Weft's interpreter (`Strategy::Interpreter`, lazy translation, no
/// fuel), or the strategy the environment variable `WEFT_BENCH_TIER`
/// names: `compile` (`Strategy::Compiler`) or `auto` (`Strategy::Auto`,
/// the default of `Config`); child processes inherit it.
pub struct Weft;

impl Weft {
    fn strategy() -> weft::Strategy {
        match std::env::var("WEFT_BENCH_TIER").as_deref() {
            Ok("compile") => weft::Strategy::Compiler,
            Ok("auto") => weft::Strategy::Auto,
            _ => weft::Strategy::Interpreter,
        }
    }

    fn engine() -> weft::Engine {
        let mut config = weft::Config::new();
        // Wasm 3.0, for the programs that need it (the 2.0 programs are
        // translated the same under either set).
        config
            .strategy(Self::strategy())
            .features(weft::Features::WASM3);
        // `WEFT_BENCH_GUARDS=off`: explicit bounds checks in compiled code.
        if std::env::var("WEFT_BENCH_GUARDS").as_deref() == Ok("off") {
            config.memory_guards(false);
        }
        weft::Engine::new(&config)
    }
}

struct WeftInstance {
    store: weft::Store<()>,
    run: weft::TypedFunc<i32, i32>,
}

impl Engine for Weft {
    fn name(&self) -> &'static str {
        "weft"
    }

    fn version(&self) -> &'static str {
        env!("WEFT_BENCH_WEFT_VERSION")
    }

    fn supports(&self, _: &str) -> bool {
        true
    }

    fn config(&self) -> &'static str {
        match Self::strategy() {
            weft::Strategy::Compiler => {
                "Strategy::Compiler: Cranelift code made before instantiation, Wasm 3.0"
            }
            weft::Strategy::Auto => {
                "Strategy::Auto: Cranelift code made on each function's first call, Wasm 3.0"
            }
            weft::Strategy::Interpreter => "Strategy::Interpreter: lazy translation, Wasm 3.0",
        }
    }

    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String> {
        let engine = Self::engine();
        let module = weft::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let mut store = weft::Store::new(&engine, ());
        let linker = weft::Linker::<()>::new(&engine);
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| e.to_string())?;
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .map_err(|e| e.to_string())?;
        Ok(Box::new(WeftInstance { store, run }))
    }

    fn compile_and_instantiate(&self, wasm: &[u8]) -> Result<(), String> {
        weft_compile_and_instantiate(&Self::engine(), wasm)
    }

    fn host_calls(&self) -> Result<Box<dyn HostCalls>, String> {
        let engine = Self::engine();
        let module = weft::Module::new(&engine, wat(HOST_CALLS_WAT)?).map_err(|e| e.to_string())?;
        let mut store = weft::Store::new(&engine, ());
        let mut linker = weft::Linker::<()>::new(&engine);
        linker
            .func_wrap("env", "inc", inc)
            .map_err(|e| e.to_string())?;
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| e.to_string())?;
        let inc = instance
            .get_typed_func::<i32, i32>(&mut store, "inc")
            .map_err(|e| e.to_string())?;
        let call_host = instance
            .get_typed_func::<i32, i32>(&mut store, "call_host")
            .map_err(|e| e.to_string())?;
        Ok(Box::new(WeftHostCalls {
            store,
            inc,
            call_host,
        }))
    }
}

/// Compiles and instantiates `wasm` under `engine` with trapping stubs for
/// its function imports (also used for the eager-translation figure).
pub fn weft_compile_and_instantiate(engine: &weft::Engine, wasm: &[u8]) -> Result<(), String> {
    let module = weft::Module::new(engine, wasm).map_err(|e| e.to_string())?;
    let mut store = weft::Store::new(engine, ());
    let mut linker = weft::Linker::<()>::new(engine);
    for import in module.imports() {
        if let weft::ExternType::Func(ty) = import.ty() {
            let what = format!("{}.{} is a stub", import.module(), import.name());
            linker
                .func_new(
                    import.module(),
                    import.name(),
                    ty.clone(),
                    move |_, _, _| Err(weft::Error::msg(what.clone())),
                )
                .map_err(|e| e.to_string())?;
        }
    }
    linker
        .instantiate(&mut store, &module)
        .map_err(|e| e.to_string())?;
    Ok(())
}

struct WeftHostCalls {
    store: weft::Store<()>,
    inc: weft::TypedFunc<i32, i32>,
    call_host: weft::TypedFunc<i32, i32>,
}

impl HostCalls for WeftHostCalls {
    fn host_to_guest(&mut self, n: i32) -> Result<i32, String> {
        let mut acc = 0;
        for _ in 0..n {
            acc = self
                .inc
                .call(&mut self.store, acc)
                .map_err(|e| e.to_string())?;
        }
        Ok(acc)
    }

    fn guest_to_host(&mut self, n: i32) -> Result<i32, String> {
        self.call_host
            .call(&mut self.store, n)
            .map_err(|e| e.to_string())
    }
}

impl Instance for WeftInstance {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        self.run.call(&mut self.store, n).map_err(|e| e.to_string())
    }
}

/// A WAT source in the binary format, by Weft's own text parser and
/// encoder (Wasm 3.0 accepted, for the programs that `need` it): every
/// engine then runs the same bytes.
pub fn wat(src: &str) -> Result<Vec<u8>, String> {
    let module = weft_text::parse_wat(src, weft::Features::WASM3).map_err(|e| e.to_string())?;
    Ok(weft_binary::encode(&module))
}

/// wasmi 2.x with its default `Config` (lazy translation, no fuel).
pub struct Wasmi;

struct WasmiInstance {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<i32, i32>,
}

impl Engine for Wasmi {
    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn version(&self) -> &'static str {
        env!("WEFT_BENCH_WASMI_VERSION")
    }

    fn supports(&self, proposal: &str) -> bool {
        // wasmi 2 has tail calls on by default, no GC.
        proposal == "tail-call"
    }

    fn config(&self) -> &'static str {
        "default Config: lazy translation, default features"
    }

    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String> {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| e.to_string())?;
        let run = instance
            .get_typed_func::<i32, i32>(&store, "run")
            .map_err(|e| e.to_string())?;
        Ok(Box::new(WasmiInstance { store, run }))
    }

    fn compile_and_instantiate(&self, wasm: &[u8]) -> Result<(), String> {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let mut store = wasmi::Store::new(&engine, ());
        let mut linker = wasmi::Linker::<()>::new(&engine);
        for import in module.imports() {
            if let wasmi::ExternType::Func(ty) = import.ty() {
                let what = format!("{}.{} is a stub", import.module(), import.name());
                linker
                    .func_new(
                        import.module(),
                        import.name(),
                        ty.clone(),
                        move |_, _, _| Err(wasmi::Error::new(what.clone())),
                    )
                    .map_err(|e| e.to_string())?;
            }
        }
        linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    fn host_calls(&self) -> Result<Box<dyn HostCalls>, String> {
        let engine = wasmi::Engine::default();
        let module =
            wasmi::Module::new(&engine, wat(HOST_CALLS_WAT)?).map_err(|e| e.to_string())?;
        let mut store = wasmi::Store::new(&engine, ());
        let mut linker = wasmi::Linker::<()>::new(&engine);
        linker
            .func_wrap("env", "inc", inc)
            .map_err(|e| e.to_string())?;
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| e.to_string())?;
        let inc = instance
            .get_typed_func::<i32, i32>(&store, "inc")
            .map_err(|e| e.to_string())?;
        let call_host = instance
            .get_typed_func::<i32, i32>(&store, "call_host")
            .map_err(|e| e.to_string())?;
        Ok(Box::new(WasmiHostCalls {
            store,
            inc,
            call_host,
        }))
    }
}

impl Instance for WasmiInstance {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        self.run.call(&mut self.store, n).map_err(|e| e.to_string())
    }
}

struct WasmiHostCalls {
    store: wasmi::Store<()>,
    inc: wasmi::TypedFunc<i32, i32>,
    call_host: wasmi::TypedFunc<i32, i32>,
}

impl HostCalls for WasmiHostCalls {
    fn host_to_guest(&mut self, n: i32) -> Result<i32, String> {
        let mut acc = 0;
        for _ in 0..n {
            acc = self
                .inc
                .call(&mut self.store, acc)
                .map_err(|e| e.to_string())?;
        }
        Ok(acc)
    }

    fn guest_to_host(&mut self, n: i32) -> Result<i32, String> {
        self.call_host
            .call(&mut self.store, n)
            .map_err(|e| e.to_string())
    }
}
