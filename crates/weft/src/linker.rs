//! [`Linker<T>`]: resolves a module's imports by module and item name.

use crate::func::{HostFunc, IntoFunc};
use crate::store::{AsContextMut, Store};
use crate::{Caller, Engine, Error, Extern, ExternType, Instance, Module, Result, Val};
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
/// name twice is an error unless [`Linker::allow_shadowing`] is on, when
/// the later definition replaces the earlier one (as in wasmtime).
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
    allow_shadowing: bool,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

/// A module with its imports resolved by a [`Linker`], ready to be
/// instantiated many times ([`Linker::instantiate_pre`]): the name lookups
/// are done once.
pub struct InstancePre<T> {
    module: Module,
    imports: Vec<Definition<T>>,
}

impl<T> Clone for InstancePre<T> {
    fn clone(&self) -> Self {
        InstancePre {
            module: self.module.clone(),
            imports: self.imports.clone(),
        }
    }
}

impl<T: 'static> InstancePre<T> {
    /// The module.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// Instantiates the module in `store` (§4.5.4), as
    /// [`Linker::instantiate`] would.
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>) -> Result<Instance> {
        let store = store.as_context_mut();
        let imports: Vec<Extern> = self
            .imports
            .iter()
            .map(|def| materialize(store, def))
            .collect();
        crate::instance::instantiate(store, &self.module, &imports)
    }
}

fn materialize<T>(store: &mut Store<T>, def: &Definition<T>) -> Extern {
    match def {
        Definition::Extern(e) => *e,
        Definition::Host(h) => Extern::Func(store.add_host(h.clone())),
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Self {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    /// Whether defining a name again replaces the earlier definition
    /// (`true`) or is an error (`false`, the default).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
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
        self.insert(module, name, Definition::Host(host))?;
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
        self.insert(module, name, Definition::Host(host))?;
        Ok(self)
    }

    /// Defines `module`.`name` as an item of a store.
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))?;
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
            self.insert(module_name, &name, Definition::Extern(ext))?;
        }
        Ok(self)
    }

    /// Defines the exports of `module` under `module_name`, the way
    /// WASI programs are linked (as wasmtime's `Linker::module`):
    ///
    /// - a *command* (a module that exports `_start`) gets a fresh instance
    ///   for every call of one of its exported functions, which are defined
    ///   as functions that instantiate it and call the export;
    /// - a *reactor* (any other module) is instantiated once, in `store`,
    ///   its `_initialize` export called if it has one, and its exports
    ///   defined as with [`Linker::instance`].
    pub fn module(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module_name: &str,
        module: &Module,
    ) -> Result<&mut Self> {
        let store = store.as_context_mut();
        let is_command = module
            .exports()
            .any(|e| e.name() == "_start" && matches!(e.ty(), ExternType::Func(_)));
        if !is_command {
            let instance = self.instantiate(&mut *store, module)?;
            if let Some(init) = instance.get_func(&*store, "_initialize") {
                init.call(&mut *store, &[], &mut [])?;
            }
            return self.instance(store, module_name, instance);
        }
        for export in module.exports() {
            let ExternType::Func(ty) = export.ty() else {
                continue;
            };
            let (linker, module, name) = (self.clone(), module.clone(), export.name().to_string());
            let host = HostFunc::from_vals(
                &self.engine,
                ty.clone(),
                move |mut caller, params, results| {
                    let instance = linker.instantiate(&mut caller, &module)?;
                    let f = instance
                        .get_func(&caller, &name)
                        .ok_or_else(|| Error::other(format!("no export `{name}`")))?;
                    f.call(&mut caller, params, results)
                },
            );
            self.insert(module_name, export.name(), Definition::Host(host))?;
        }
        Ok(self)
    }

    /// The default export of the module defined as `module_name`: its
    /// export named `""`, else its `_start`, else a function that does
    /// nothing (as wasmtime's `Linker::get_default`).
    pub fn get_default(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module_name: &str,
    ) -> Result<crate::Func> {
        let store = store.as_context_mut();
        for name in ["", "_start"] {
            if let Some(ext) = self.get(&mut *store, module_name, name) {
                return match ext {
                    Extern::Func(f) => Ok(f),
                    _ => Err(Error::other(format!(
                        "default export `{}` of `{module_name}` is not a function",
                        name
                    ))),
                };
            }
        }
        Ok(crate::Func::wrap(store, || {}))
    }

    /// Defines every function import of `module` that is not yet defined
    /// as a function that fails when called, naming the import (as
    /// wasmtime's `define_unknown_imports_as_traps`): a module whose
    /// optional imports the host lacks can still be instantiated.
    pub fn define_unknown_imports_as_traps(&mut self, module: &Module) -> Result<&mut Self> {
        for import in module.imports() {
            let ExternType::Func(ty) = import.ty() else {
                continue;
            };
            let key = (import.module().to_string(), import.name().to_string());
            if self.defs.contains_key(&key) {
                continue;
            }
            let what = format!(
                "`{}`.`{}`",
                weft_syntax::excerpt(import.module()),
                weft_syntax::excerpt(import.name())
            );
            let host = HostFunc::from_vals(&self.engine, ty.clone(), move |_, _, _| {
                Err(Error::other(format!(
                    "unknown import: {what} was called but has not been defined"
                )))
            });
            self.insert(&key.0, &key.1, Definition::Host(host))?;
        }
        Ok(self)
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<()> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::other(format!(
                "`{}`.`{}` is defined twice (see Linker::allow_shadowing)",
                weft_syntax::excerpt(module),
                weft_syntax::excerpt(name)
            )));
        }
        self.defs.insert(key, def);
        Ok(())
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
        Some(materialize(store.as_context_mut(), def))
    }

    /// Resolves the imports of `module` and instantiates it (§4.5.4),
    /// running its start function. Fails with an [`crate::ErrorKind::Unlinkable`]
    /// error ("unknown import", "incompatible import type") if the imports
    /// do not match, and with a trap if instantiation traps.
    pub fn instantiate(
        &self,
        store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        self.instantiate_pre(module)?.instantiate(store)
    }

    /// Resolves the imports of `module` by name once, for instantiating it
    /// many times ([`InstancePre::instantiate`]). Fails with "unknown
    /// import" as [`Linker::instantiate`] does; types are checked at
    /// instantiation.
    pub fn instantiate_pre(&self, module: &Module) -> Result<InstancePre<T>> {
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
            imports.push(def.clone());
        }
        Ok(InstancePre {
            module: module.clone(),
            imports,
        })
    }
}
