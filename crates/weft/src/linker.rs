//! [`Linker<T>`]: resolves a module's imports by module and item name.

use crate::func::{HostFunc, IntoFunc};
use crate::store::{AsContextMut, Store};
use crate::{Caller, Engine, Error, Extern, Instance, Module, Result, Val};
use std::collections::HashMap;
use weft_syntax::FuncType;

/// What a name is defined as: an item of some store, or a host function
/// not yet tied to a store (it becomes a [`crate::Func`] in each store it
/// is instantiated into).
enum Definition<T> {
    Extern(Extern),
    Host(HostFunc<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::Host(h) => Definition::Host(h.clone()),
        }
    }
}

/// Definitions by `(module, name)`, used to satisfy imports. Defining a
/// name again replaces the earlier definition (the spec runner's
/// `register` relies on that).
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let mut linker = Linker::<()>::new(&engine);
/// linker.func_wrap("env", "add", |a: i32, b: i32| a.wrapping_add(b))?;
/// let module = Module::new(&engine, r#"(module
///     (import "env" "add" (func $add (param i32 i32) (result i32)))
///     (func (export "run") (result i32) (call $add (i32.const 2) (i32.const 3))))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = linker.instantiate(&mut store, &module)?;
/// let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
/// assert_eq!(run.call(&mut store, ())?, 5);
/// # Ok(()) }
/// ```
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
        }
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Self {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Defines `module`.`name` as a host function from a closure with typed
    /// parameters and results (see [`IntoFunc`]). The closure may take a
    /// [`Caller`] first, and may return `Result<_, Error>` to fail.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let host = f.into_host_func(&self.engine);
        self.insert(module, name, Definition::Host(host));
        Ok(self)
    }

    /// Defines `module`.`name` as a host function of type `ty` from a
    /// closure over [`Val`]s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let host = HostFunc::from_vals(&self.engine, ty, f);
        self.insert(module, name, Definition::Host(host));
        Ok(self)
    }

    /// Defines `module`.`name` as an item of a store.
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()));
        Ok(self)
    }

    /// Defines every export of `instance` under the module name
    /// `module_name`.
    pub fn instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module_name: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        let store = store.as_context_mut();
        store.inner.check_id(instance.store, "instance")?;
        let exports: Vec<(String, Extern)> = instance
            .exports(&*store)
            .map(|(n, e)| (n.to_string(), e))
            .collect();
        for (name, ext) in exports {
            self.insert(module_name, &name, Definition::Extern(ext));
        }
        Ok(self)
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) {
        self.defs
            .insert((module.to_string(), name.to_string()), def);
    }

    /// The definition of `module`.`name` as an item of `store` (a host
    /// function defined with [`Linker::func_wrap`] becomes a new function
    /// of the store).
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let def = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(self.materialize(store.as_context_mut(), def))
    }

    fn materialize(&self, store: &mut Store<T>, def: &Definition<T>) -> Extern {
        match def {
            Definition::Extern(e) => *e,
            Definition::Host(h) => Extern::Func(store.add_host(h.clone())),
        }
    }

    /// Resolves the imports of `module` and instantiates it (§4.5.4),
    /// running its start function. Fails with an [`crate::ErrorKind::Unlinkable`]
    /// error ("unknown import", "incompatible import type") if the imports
    /// do not match, and with a trap if instantiation traps.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let store = store.as_context_mut();
        let mut imports = Vec::with_capacity(module.inner.module.imports.len());
        for import in &module.inner.module.imports {
            let key = (import.module.to_string(), import.name.to_string());
            let def = self.defs.get(&key).ok_or_else(|| {
                Error::unlinkable(format!(
                    "unknown import: `{}`.`{}` has not been defined",
                    weft_syntax::excerpt(&import.module),
                    weft_syntax::excerpt(&import.name)
                ))
            })?;
            imports.push(self.materialize(store, def));
        }
        crate::instance::instantiate(store, module, &imports)
    }
}
