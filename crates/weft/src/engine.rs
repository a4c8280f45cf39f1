//! [`Config`] and [`Engine`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use weft_syntax::{Features, FuncType};

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
}

impl Config {
    /// The defaults: Wasm 2.0, no fuel, 100,000 frames, lazy translation.
    pub fn new() -> Self {
        Config {
            features: Features::WASM2,
            consume_fuel: false,
            max_call_depth: 100_000,
            compilation_mode: CompilationMode::Lazy,
        }
    }

    /// The proposals modules may use.
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

    /// How many Wasm frames may be active at once; a call beyond traps with
    /// "call stack exhausted". Guest recursion never uses the native stack,
    /// so any depth is safe for the host.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
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
    /// Function types interned engine-wide, so that `call_indirect` checks a
    /// signature with one integer comparison (types are compared
    /// structurally in Wasm 2.0).
    types: Mutex<TypeRegistry>,
}

#[derive(Default)]
struct TypeRegistry {
    ids: HashMap<FuncType, u32>,
    types: Vec<Arc<FuncType>>,
}

impl Engine {
    /// An engine with the given configuration.
    pub fn new(config: &Config) -> Self {
        Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                types: Mutex::new(TypeRegistry::default()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The engine-wide id of a function type.
    pub(crate) fn intern(&self, ty: &FuncType) -> u32 {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = reg.ids.get(ty) {
            return id;
        }
        let id = reg.types.len() as u32;
        reg.types.push(Arc::new(ty.clone()));
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// The function type with an id from [`Engine::intern`].
    pub(crate) fn func_type(&self, id: u32) -> Arc<FuncType> {
        let reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        reg.types[id as usize].clone()
    }
}

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
