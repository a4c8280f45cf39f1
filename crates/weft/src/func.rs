//! Functions: [`Func`], [`TypedFunc`], host functions and [`Caller`].

use crate::store::{AsContext, AsContextMut, Store};
use crate::values::{slots_of, WasmParams, WasmResults, WasmRet, WasmTy, WasmTyList};
use crate::{Error, Extern, Result, Val};
use std::marker::PhantomData;
use std::sync::Arc;
use weft_syntax::FuncType;

/// The uniform shape of every host function inside the engine: parameters
/// in, results out, through the same slots (as many as the larger of the
/// two lists needs).
pub(crate) type HostFn<T> = dyn Fn(Caller<'_, T>, &mut [u64]) -> Result<()> + Send + Sync;

/// A host function: its type and closure.
#[doc(hidden)]
pub struct HostFunc<T> {
    pub(crate) ty_id: u32,
    pub(crate) param_slots: usize,
    pub(crate) result_slots: usize,
    pub(crate) f: Arc<HostFn<T>>,
}

impl<T> Clone for HostFunc<T> {
    fn clone(&self) -> Self {
        HostFunc {
            ty_id: self.ty_id,
            param_slots: self.param_slots,
            result_slots: self.result_slots,
            f: self.f.clone(),
        }
    }
}

impl<T> HostFunc<T> {
    pub(crate) fn new(engine: &crate::Engine, ty: &FuncType, f: Arc<HostFn<T>>) -> Self {
        HostFunc {
            ty_id: engine.intern(ty),
            param_slots: slots_of(&ty.params),
            result_slots: slots_of(&ty.results),
            f,
        }
    }

    /// A host function from a closure over [`Val`]s.
    pub(crate) fn from_vals(
        engine: &crate::Engine,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Self
    where
        T: 'static,
    {
        let ty2 = ty.clone();
        let tramp = move |caller: Caller<'_, T>, slots: &mut [u64]| -> Result<()> {
            let inner = &caller.store.inner;
            let mut params = Vec::with_capacity(ty2.params.len());
            let mut at = 0;
            for &t in &ty2.params {
                params.push(Val::from_slots(inner, t, &slots[at..]));
                at += crate::values::slot_count(t);
            }
            let mut results: Vec<Val> = ty2.results.iter().map(|&t| Val::default_for(t)).collect();
            let store_id = caller.store.inner.id;
            f(
                Caller {
                    store: &mut *caller.store,
                    instance: caller.instance,
                },
                &params,
                &mut results,
            )?;
            let inner = &caller.store.inner;
            let mut at = 0;
            for (v, &t) in results.iter().zip(&ty2.results) {
                if !v.matches(t) {
                    return Err(Error::other(format!(
                        "host function returned a {} where its type says {t}",
                        v.ty()
                    )));
                }
                let _ = store_id;
                v.write_slots(inner, &mut slots[at..])?;
                at += crate::values::slot_count(t);
            }
            Ok(())
        };
        HostFunc::new(engine, &ty, Arc::new(tramp))
    }
}

/// A function in a store: a Wasm function of an instance, or a host
/// function. A cheap `Copy` handle, valid with its store only.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Store, Func, Val};
/// let mut store = Store::new(&Engine::default(), ());
/// let double = Func::wrap(&mut store, |x: i32| x * 2);
/// let mut out = [Val::I32(0)];
/// double.call(&mut store, &[Val::I32(21)], &mut out)?;
/// assert_eq!(out[0], Val::I32(42));
/// let typed = double.typed::<i32, i32>(&store)?;
/// assert_eq!(typed.call(&mut store, 4)?, 8);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Func {
    /// A host function of type `ty` from a closure over [`Val`]s.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let store = store.as_context_mut();
        let host = HostFunc::from_vals(&store.inner.engine, ty, f);
        store.add_host(host)
    }

    /// A host function from a closure with typed parameters and results
    /// (see [`crate::Linker::func_wrap`]).
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let store = store.as_context_mut();
        let host = f.into_host_func(&store.inner.engine);
        store.add_host(host)
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.as_context();
        store.inner.assert_id(self.store);
        let id = store.inner.funcs[self.index as usize].ty;
        (*store.inner.engine.func_type(id)).clone()
    }

    /// Calls the function with `params`; `results` must have the length of
    /// the result list. Traps and host errors come back as [`Error`].
    pub fn call<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let store = store.as_context_mut();
        store.inner.check_id(self.store, "function")?;
        let ty = store
            .inner
            .engine
            .func_type(store.inner.funcs[self.index as usize].ty);
        if params.len() != ty.params.len() {
            return Err(Error::other(format!(
                "type mismatch: expected {} arguments, got {}",
                ty.params.len(),
                params.len()
            )));
        }
        for (p, &t) in params.iter().zip(&ty.params) {
            if !p.matches_in(&store.inner, t) {
                return Err(Error::other(format!(
                    "type mismatch: argument of type {} where {t} expected",
                    p.ty()
                )));
            }
        }
        if results.len() != ty.results.len() {
            return Err(Error::other(format!(
                "type mismatch: expected {} results, got room for {}",
                ty.results.len(),
                results.len()
            )));
        }
        let n = slots_of(&ty.params).max(slots_of(&ty.results));
        let mut slots = vec![0u64; n];
        let mut at = 0;
        for (p, &t) in params.iter().zip(&ty.params) {
            p.write_slots(&store.inner, &mut slots[at..])?;
            at += crate::values::slot_count(t);
        }
        crate::interp::exec::call(store, self.index, &mut slots)?;
        let mut at = 0;
        for (r, &t) in results.iter_mut().zip(&ty.results) {
            *r = Val::from_slots(&store.inner, t, &slots[at..]);
            at += crate::values::slot_count(t);
        }
        Ok(())
    }

    /// A typed view of the function; fails with a type mismatch unless
    /// `Params` and `Results` match its type exactly.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        let ty = self.ty(store);
        let (p, r) = (Params::valtypes(), Results::valtypes());
        if ty.params != p || ty.results != r {
            return Err(Error::other(format!(
                "type mismatch: function has type {ty}, not {}",
                FuncType {
                    params: p,
                    results: r
                }
            )));
        }
        Ok(TypedFunc {
            func: *self,
            slots: Params::slot_len().max(Results::slot_len()),
            _marker: PhantomData,
        })
    }

    pub(crate) fn from_slot(store: u64, s: u64) -> Option<Func> {
        if s == 0 {
            None
        } else {
            Some(Func {
                store,
                index: (s - 1) as u32,
            })
        }
    }
}

/// A function with statically known parameter and result types: calls
/// skip the dynamic checks and [`Val`] conversions.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (func (export "add") (param i32 i64) (result i64)
///         local.get 1 local.get 0 i64.extend_i32_s i64.add))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
/// let add = instance.get_typed_func::<(i32, i64), i64>(&mut store, "add")?;
/// assert_eq!(add.call(&mut store, (-1, 10))?, 9);
/// # Ok(()) }
/// ```
pub struct TypedFunc<Params, Results> {
    func: Func,
    slots: usize,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for TypedFunc<P, R> {}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc")
            .field("func", &self.func)
            .finish()
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    /// Calls the function.
    pub fn call<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: Params,
    ) -> Result<Results> {
        let store = store.as_context_mut();
        store.inner.check_id(self.func.store, "function")?;
        let mut buf = [0u64; 16];
        let mut heap;
        let slots: &mut [u64] = if self.slots <= buf.len() {
            &mut buf[..self.slots.max(1)]
        } else {
            heap = vec![0u64; self.slots];
            &mut heap
        };
        params.store_list(&store.inner, slots)?;
        crate::interp::exec::call(store, self.func.index, slots)?;
        Ok(Results::load_list(&store.inner, slots))
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }
}

/// The view a host function has of its caller: the store (host state,
/// memories, ...) and the calling instance's exports.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Caller, Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let mut linker = Linker::new(&engine);
/// linker.func_wrap("env", "bump", |mut caller: Caller<'_, u32>| {
///     *caller.data_mut() += 1;
/// })?;
/// let module = Module::new(&engine, r#"(module
///     (import "env" "bump" (func $bump))
///     (func (export "run") call $bump call $bump))"#)?;
/// let mut store = Store::new(&engine, 0u32);
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ())?;
/// assert_eq!(*store.data(), 2);
/// # Ok(()) }
/// ```
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<u32>,
}

impl<T> Caller<'_, T> {
    /// The host state.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host state, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The engine.
    pub fn engine(&self) -> &crate::Engine {
        self.store.engine()
    }

    /// An export of the calling instance (`None` when the host function
    /// was called directly from the embedder).
    pub fn get_export(&mut self, name: &str) -> Option<Extern> {
        let i = self.instance?;
        self.store.inner.instances[i as usize]
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }

    /// Sets the fuel left (see [`Store::set_fuel`]).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.store.set_fuel(fuel)
    }

    /// The fuel left (see [`Store::get_fuel`]).
    pub fn get_fuel(&self) -> Result<u64> {
        self.store.get_fuel()
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}

/// A Rust closure that can become a host function: `Fn(A1, .., An) -> R`
/// or `Fn(Caller<'_, T>, A1, .., An) -> R` with each `Ai` a [`WasmTy`] and
/// `R` results ([`WasmResults`]) or `Result<results, Error>`.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// Converts into the engine's host function shape.
    #[doc(hidden)]
    fn into_host_func(self, engine: &crate::Engine) -> HostFunc<T>;
}

/// Marker for closures that take a [`Caller`] first.
#[doc(hidden)]
pub struct WithCaller;

macro_rules! into_func {
    ($($a:ident)*) => {
        #[allow(non_snake_case)] // parameters named by their types
        impl<T: 'static, F, R, $($a: WasmTy,)*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn into_host_func(self, engine: &crate::Engine) -> HostFunc<T> {
                let ty = FuncType {
                    params: vec![$($a::valtype()),*],
                    results: <R::Results as WasmTyList>::valtypes(),
                };
                let f = move |caller: Caller<'_, T>, slots: &mut [u64]| -> Result<()> {
                    let inner = &caller.store.inner;
                    let ($($a,)*) = <($($a,)*) as WasmTyList>::load_list(inner, slots);
                    let r = self($($a),*).into_result()?;
                    r.store_list(&caller.store.inner, slots)
                };
                HostFunc::new(engine, &ty, Arc::new(f))
            }
        }

        #[allow(non_snake_case)] // parameters named by their types
        impl<T: 'static, F, R, $($a: WasmTy,)*> IntoFunc<T, (WithCaller, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn into_host_func(self, engine: &crate::Engine) -> HostFunc<T> {
                let ty = FuncType {
                    params: vec![$($a::valtype()),*],
                    results: <R::Results as WasmTyList>::valtypes(),
                };
                let f = move |caller: Caller<'_, T>, slots: &mut [u64]| -> Result<()> {
                    let ($($a,)*) = <($($a,)*) as WasmTyList>::load_list(&caller.store.inner, slots);
                    let Caller { store, instance } = caller;
                    let r = self(Caller { store: &mut *store, instance }, $($a),*).into_result()?;
                    r.store_list(&store.inner, slots)
                };
                HostFunc::new(engine, &ty, Arc::new(f))
            }
        }
    };
}

into_func!();
into_func!(A1);
into_func!(A1 A2);
into_func!(A1 A2 A3);
into_func!(A1 A2 A3 A4);
into_func!(A1 A2 A3 A4 A5);
into_func!(A1 A2 A3 A4 A5 A6);
into_func!(A1 A2 A3 A4 A5 A6 A7);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);
