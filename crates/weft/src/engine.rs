//! [`Config`] and [`Engine`].

use crate::types::{TypeList, TypeRegistry};
use std::sync::{Arc, Mutex};
use weft_syntax::{Features, FuncType, Types};

/// When function bodies are translated to the interpreter's internal code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CompilationMode {
    /// On a function's first call (the default): instantiation is fast and
    /// functions never called cost nothing.
    #[default]
    Lazy,
    /// Every body when the module is created.
    Eager,
}

/// Which execution tier runs a module's functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// The interpreter: instant start-up, no code generated (and so usable
    /// where no code may be generated).
    Interpreter,
    /// Machine code from Cranelift, compiled when the module is created,
    /// for every function the compiler covers (with fuel counted at the
    /// interpreter's points); the others run in the interpreter. Needs the `cranelift` feature; without it,
    /// or on a host Cranelift does not support, everything is interpreted.
    Compiler,
    /// Both tiers: nothing is compiled when the module is created (start-up
    /// as the interpreter's); a function the compiler covers is compiled
    /// the first time it is called, on the calling thread, and runs as
    /// machine code from then on; the others stay interpreted. Without the
    /// compiler, everything is interpreted. The default.
    #[default]
    Auto,
}

/// Settings of an [`Engine`].
///
/// ```
/// use weft::{Config, Engine, Features};
/// let mut config = Config::new();
/// config.features(Features::WASM2).consume_fuel(true).max_call_depth(10_000);
/// let engine = Engine::new(&config);
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) features: Features,
    pub(crate) consume_fuel: bool,
    pub(crate) max_call_depth: usize,
    pub(crate) compilation_mode: CompilationMode,
    pub(crate) strategy: Strategy,
    pub(crate) max_wasm_stack: usize,
    pub(crate) cranelift_debug_verifier: bool,
    #[cfg_attr(not(feature = "cranelift"), allow(dead_code))]
    pub(crate) parallel_compilation: bool,
    pub(crate) epoch_interruption: bool,
    pub(crate) sampling_signal: bool,
    pub(crate) gc_stress: bool,
    pub(crate) memory_guards: bool,
    pub(crate) perf_map: bool,
    pub(crate) wasm_backtrace_details: bool,
}

impl Config {
    /// The defaults: Wasm 3.0, no fuel, `Strategy::Auto`, 100,000
    /// interpreted frames, 512 KiB of native stack for compiled code, lazy
    /// translation.
    pub fn new() -> Self {
        Config {
            features: Features::WASM3,
            consume_fuel: false,
            max_call_depth: 100_000,
            compilation_mode: CompilationMode::Lazy,
            strategy: Strategy::Auto,
            max_wasm_stack: 512 * 1024,
            cranelift_debug_verifier: cfg!(debug_assertions),
            parallel_compilation: true,
            epoch_interruption: false,
            sampling_signal: false,
            gc_stress: false,
            memory_guards: true,
            perf_map: false,
            wasm_backtrace_details: true,
        }
    }

    /// The proposals modules may use (Wasm 3.0 by default).
    pub fn features(&mut self, features: Features) -> &mut Self {
        self.features = features;
        self
    }

    /// Whether execution consumes fuel (see [`crate::Store::set_fuel`]).
    /// A store starts with no fuel: set some before calling.
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.consume_fuel = on;
        self
    }

    /// How many interpreted Wasm frames may be active at once; a call
    /// beyond traps with "call stack exhausted". The interpreter's guest
    /// recursion never uses the native stack, so any depth is safe for the
    /// host. Compiled code (`Strategy::Compiler` and `Auto`) is bounded by
    /// [`max_wasm_stack`](Config::max_wasm_stack) instead.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }

    /// Which tier runs the functions (see [`Strategy`]).
    ///
    /// ```
    /// use weft::{Config, Engine, Linker, Module, Store, Strategy};
    /// let engine = Engine::new(Config::new().strategy(Strategy::Compiler));
    /// let module = Module::new(&engine, r#"(module (func (export "sq") (param i32) (result i32)
    ///     (i32.mul (local.get 0) (local.get 0))))"#).unwrap();
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    /// let sq = instance.get_typed_func::<i32, i32>(&mut store, "sq").unwrap();
    /// assert_eq!(sq.call(&mut store, 12).unwrap(), 144);
    /// ```
    pub fn strategy(&mut self, strategy: Strategy) -> &mut Self {
        self.strategy = strategy;
        self
    }

    /// The most native stack, in bytes, that Wasm execution may use below
    /// the host's call into it (default 512 KiB); deeper recursion traps
    /// with "call stack exhausted". It bounds compiled frames and every
    /// crossing that nests native frames (compiled code calling
    /// interpreted code, a host function calling back into Wasm), by
    /// bytes, so that recursion that mixes tiers goes as deep as the same
    /// frames allow in any mix. Wasm runs on the calling thread's stack,
    /// which needs this much plus about 128 KiB (one compiled frame of up
    /// to 64 KiB past the limit and the runtime's own frames); on a smaller
    /// thread the limit moves up to keep those 128 KiB (on Linux with the
    /// compiler, where the thread's stack bounds are known), so that deep
    /// recursion traps there instead of overflowing the thread. Interpreted
    /// calls between interpreted functions use no native stack (see
    /// [`max_call_depth`](Config::max_call_depth)).
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Self {
        self.max_wasm_stack = bytes;
        self
    }

    /// Whether backtraces carry source locations ([`crate::FrameInfo::symbols`])
    /// from a module's DWARF (default: on). The DWARF is parsed the first
    /// time a trap's frame in the module is symbolised, never before; off,
    /// it is never parsed.
    pub fn wasm_backtrace_details(&mut self, on: bool) -> &mut Self {
        self.wasm_backtrace_details = on;
        self
    }

    /// Whether Cranelift's IR verifier checks every function the compiler
    /// tier compiles (default: only in builds with debug assertions). It
    /// catches translator bugs, at a cost: off, `Strategy::Compiler` took
    /// 27-31% less CPU time to compile real programs (Lua, the SQLite
    /// shell). The test suites turn it on.
    pub fn cranelift_debug_verifier(&mut self, on: bool) -> &mut Self {
        self.cranelift_debug_verifier = on;
        self
    }

    /// Whether `Strategy::Compiler` compiles a module's functions on all
    /// of the machine's cores (default: on), as wasmtime's option of the
    /// same name. Off, one thread compiles them (the calling one). With
    /// `Strategy::Auto` it also lets the other cores compile a module's
    /// functions ahead of their first calls, in the background; off, each
    /// function is compiled on its first call only.
    pub fn parallel_compilation(&mut self, on: bool) -> &mut Self {
        self.parallel_compilation = on;
        self
    }

    /// Whether the GC heap collects at every allocation (a test mode that
    /// finds roots the collector misses).
    #[doc(hidden)]
    pub fn gc_stress(&mut self, on: bool) -> &mut Self {
        self.gc_stress = on;
        self
    }

    /// Whether compiled code relies on guard pages instead of bounds checks
    /// for 32-bit memories (default: on, where the host supports it:
    /// x86-64 Linux). A 32-bit memory then always reserves 8 GiB of address
    /// space (creating it fails if the process cannot have that much), and
    /// an out-of-bounds access faults and is reported as the same trap.
    /// Off, compiled code compares every address with the memory's length.
    /// Only `Strategy::Compiler` and `Auto` use it.
    pub fn memory_guards(&mut self, on: bool) -> &mut Self {
        self.memory_guards = on;
        self
    }

    /// Whether to name compiled functions for Linux `perf` (off by
    /// default): each function the compiler tier compiles gets a line
    /// (start address, size, name) in `/tmp/perf-PID.map`, the JIT symbol
    /// map `perf report` reads, so that its samples of compiled code are
    /// attributed to Wasm functions (as wasmtime's `perfmap` profiler).
    pub fn perf_map(&mut self, on: bool) -> &mut Self {
        self.perf_map = on;
        self
    }

    /// Whether 32-bit memories get guard pages that compiled code relies on
    /// (see [`memory_guards`](Config::memory_guards)).
    pub(crate) fn guards_in_use(&self) -> bool {
        self.memory_guards
            && self.strategy != Strategy::Interpreter
            && cfg!(feature = "cranelift")
            && crate::runtime::memory::GUARDS_SUPPORTED
    }

    /// Whether guests can be interrupted from another thread by the
    /// engine's epoch (as in wasmtime): code checks, at function entry and
    /// at each loop iteration (fuel's points), whether
    /// [`Engine::increment_epoch`] has moved the epoch to the store's
    /// deadline ([`crate::Store::set_epoch_deadline`]) and then traps with
    /// "interrupt". Off by default (the checks cost a little).
    ///
    /// ```
    /// use weft::{Config, Engine, Linker, Module, Store, TrapCode};
    /// let engine = Engine::new(Config::new().epoch_interruption(true));
    /// let module = Module::new(&engine, r#"(module (func (export "spin") (loop (br 0))))"#).unwrap();
    /// let mut store = Store::new(&engine, ());
    /// store.set_epoch_deadline(1);
    /// let spin = Linker::new(&engine).instantiate(&mut store, &module).unwrap()
    ///     .get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    /// let ticker = engine.clone();
    /// std::thread::spawn(move || {
    ///     std::thread::sleep(std::time::Duration::from_millis(50));
    ///     ticker.increment_epoch();
    /// });
    /// let e = spin.call(&mut store, ()).unwrap_err();
    /// assert_eq!(e.trap_code(), Some(TrapCode::Interrupt));
    /// ```
    pub fn epoch_interruption(&mut self, on: bool) -> &mut Self {
        self.epoch_interruption = on;
        self
    }

    /// Whether compiled code is sampled from a signal rather than at epoch
    /// checks, for a profiler that must not slow the guest down (default:
    /// off). On, compiled code has no epoch checks (the interpreter keeps
    /// its, with [`epoch_interruption`](Config::epoch_interruption)), so
    /// the epoch cannot interrupt it; instead a thread calls
    /// [`crate::SamplingHandle::signal`], and if the guest's thread is then
    /// running compiled code, the store's sampler
    /// ([`crate::Store::signal_sampler`]) runs right there, in the signal
    /// handler. Only on x86-64 Linux with the compiler; elsewhere this
    /// setting does nothing (compiled code checks the epoch as usual).
    ///
    /// Why: an epoch check costs a load, a compare and a branch at every
    /// loop iteration, which slowed the compiled tier by 10-25% under
    /// `weft run --profile` (see BENCHMARKS.md); a signal costs nothing
    /// between samples.
    pub fn sampling_signal(&mut self, on: bool) -> &mut Self {
        self.sampling_signal = on;
        self
    }

    /// Whether [`Config::sampling_signal`] is on and works here.
    #[cfg_attr(not(feature = "cranelift"), allow(dead_code))]
    pub(crate) fn sampling_signal_in_use(&self) -> bool {
        self.sampling_signal
            && cfg!(all(
                feature = "cranelift",
                target_arch = "x86_64",
                target_os = "linux"
            ))
    }

    /// When function bodies are translated.
    pub fn compilation_mode(&mut self, mode: CompilationMode) -> &mut Self {
        self.compilation_mode = mode;
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// The shared, configured engine: cheap to clone, `Send + Sync`. Modules
/// and stores are made for one engine.
///
/// ```
/// let engine = weft::Engine::default();
/// let other = engine.clone(); // same engine
/// # let _ = other;
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    /// Recursion groups canonicalised engine-wide (see `types.rs`), so
    /// that `call_indirect` and casts compare type ids.
    types: Mutex<TypeRegistry>,
    /// The code generator, made on first use.
    #[cfg(feature = "cranelift")]
    compiler: std::sync::OnceLock<std::result::Result<weft_cranelift::Compiler, String>>,
    /// The runtime trampolines made so far.
    #[cfg(feature = "cranelift")]
    trampolines: Mutex<Trampolines>,
    /// The epoch ([`Engine::increment_epoch`]); compiled code reads it
    /// through its address, which the `Arc` keeps in place.
    pub(crate) epoch: std::sync::atomic::AtomicU64,
}

impl Engine {
    /// An engine with the given configuration.
    pub fn new(config: &Config) -> Self {
        Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                types: Mutex::new(TypeRegistry::default()),
                #[cfg(feature = "cranelift")]
                compiler: std::sync::OnceLock::new(),
                #[cfg(feature = "cranelift")]
                trampolines: Mutex::default(),
                epoch: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// Advances the epoch by one; safe from any thread (a timer thread,
    /// a signal-free watchdog). Guests of stores whose deadline it reaches
    /// trap with "interrupt" at their next check (see
    /// [`Config::epoch_interruption`]).
    pub fn increment_epoch(&self) {
        self.inner
            .epoch
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The current epoch.
    pub(crate) fn epoch(&self) -> u64 {
        self.inner.epoch.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// Threads `Strategy::Compiler` compiles a module on.
    #[cfg(feature = "cranelift")]
    pub(crate) fn compile_threads(&self) -> usize {
        if self.inner.config.parallel_compilation {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            1
        }
    }

    /// The code generator for this host, or why there is none.
    #[cfg(feature = "cranelift")]
    pub(crate) fn compiler(&self) -> std::result::Result<&weft_cranelift::Compiler, String> {
        self.inner
            .compiler
            .get_or_init(|| {
                weft_cranelift::Compiler::new(self.inner.config.cranelift_debug_verifier)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The runtime trampoline of function type `type_id` (see
    /// [`weft_cranelift::vmctx::VMFuncRef::body`]), made on first use and
    /// kept with the engine; null if compiled code cannot call that type,
    /// or if it could not be made (then
    /// [`ensure_runtime_trampolines`](Engine::ensure_runtime_trampolines)
    /// fails for any module with that type, whose code is then not
    /// compiled: no compiled code calls a null body).
    #[cfg(feature = "cranelift")]
    pub(crate) fn runtime_trampoline(&self, type_id: u32) -> *const u8 {
        let _ = self.ensure_runtime_trampolines(&[type_id]);
        let made = self
            .inner
            .trampolines
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        made.bodies
            .get(&type_id)
            .copied()
            .flatten()
            .unwrap_or(std::ptr::null())
    }

    /// Makes the runtime trampolines of the function types `type_ids` that
    /// are not made yet, in one code mapping (trampolines live as long as
    /// the engine: one mapping per call that makes some keeps their number
    /// down). An error if one that compiled code could call could not be
    /// made; compiled code must then not call that type.
    #[cfg(feature = "cranelift")]
    pub(crate) fn ensure_runtime_trampolines(
        &self,
        type_ids: &[u32],
    ) -> std::result::Result<(), String> {
        let mut made = self
            .inner
            .trampolines
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let missing: Vec<u32> = type_ids
            .iter()
            .copied()
            .filter(|id| !made.bodies.contains_key(id))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let compiler = self.compiler()?;
        let mut code = Vec::new();
        let mut placed = Vec::new();
        for id in missing {
            match compiler.runtime_trampoline(&self.func_type(id)) {
                Ok(bytes) => {
                    while code.len() % 16 != 0 {
                        code.push(0);
                    }
                    placed.push((id, code.len()));
                    code.extend_from_slice(&bytes);
                }
                // Compiled code cannot call this type: it has no body.
                Err(_) => {
                    made.bodies.insert(id, None);
                }
            }
        }
        if placed.is_empty() {
            return Ok(());
        }
        let memory = weft_cranelift::CodeMemory::new(&code)
            .ok_or("no executable memory for the runtime trampolines")?;
        for (id, at) in placed {
            made.bodies.insert(id, Some(memory.at(at)));
        }
        made.code.push(memory);
        Ok(())
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, TypeRegistry> {
        self.inner.types.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The engine-wide id of a plain function type (final, without
    /// supertypes; concrete heap types in it are engine ids).
    pub(crate) fn intern(&self, ty: &FuncType) -> u32 {
        self.registry().intern_func(ty)
    }

    /// The engine-wide ids of a module's types.
    pub(crate) fn intern_module(&self, types: &Types) -> Vec<u32> {
        self.registry().intern_module(types)
    }

    /// Every canonical type so far.
    pub(crate) fn types(&self) -> TypeList {
        self.registry().list()
    }

    /// The function type with an id from [`Engine::intern`] (empty for a
    /// struct or array type).
    pub(crate) fn func_type(&self, id: u32) -> Arc<FuncType> {
        self.registry().list()[id as usize].func.clone()
    }
}

/// An engine's runtime trampolines (see
/// [`Engine::ensure_runtime_trampolines`]).
#[cfg(feature = "cranelift")]
#[derive(Default)]
struct Trampolines {
    /// By function type id: the trampoline, or `None` if compiled code
    /// cannot call that type.
    bodies: std::collections::HashMap<u32, Option<*const u8>>,
    /// The mappings holding them.
    code: Vec<weft_cranelift::CodeMemory>,
}

// SAFETY: the pointers point into `code`'s mappings, which are immutable
// (read-execute) and owned by the same value.
#[cfg(feature = "cranelift")]
unsafe impl Send for Trampolines {}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&Config::new())
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish()
    }
}
