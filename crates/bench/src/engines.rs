//! The engines under comparison, behind one small interface: compile and
//! instantiate a module (not timed), then call its `run(i32) -> i32` export.

/// A runtime that can load a benchmark module.
pub trait Engine {
    /// Short name for the table ("weft", "wasmi").
    fn name(&self) -> &'static str;
    /// The crate version that was built.
    fn version(&self) -> &'static str;
    /// How the engine is configured.
    fn config(&self) -> &'static str;
    /// Compiles `wasm`, instantiates it without imports and finds `run`.
    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String>;
}

/// An instantiated benchmark program.
pub trait Instance {
    /// Calls `run(n)` and returns its checksum, or the trap's message.
    fn run(&mut self, n: i32) -> Result<i32, String>;
}

/// Every engine, Weft first (the ratio is the first over the second).
pub fn all() -> Vec<Box<dyn Engine>> {
    vec![Box::new(Weft), Box::new(Wasmi)]
}

/// Weft with its default `Config` (lazy translation, no fuel).
pub struct Weft;

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

    fn config(&self) -> &'static str {
        "default Config: lazy translation, default features"
    }

    fn instantiate(&self, wasm: &[u8]) -> Result<Box<dyn Instance>, String> {
        let engine = weft::Engine::default();
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
}

impl Instance for WeftInstance {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        self.run.call(&mut self.store, n).map_err(|e| e.to_string())
    }
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
}

impl Instance for WasmiInstance {
    fn run(&mut self, n: i32) -> Result<i32, String> {
        self.run.call(&mut self.store, n).map_err(|e| e.to_string())
    }
}
