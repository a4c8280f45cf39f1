//! Values (§4.2.1) as the API sees them, and their 64-bit slot encoding in
//! the engine.
//!
//! Inside the engine every value lives in untyped `u64` slots: `i32`
//! zero-extended, floats as their bit patterns, a `v128` in two
//! consecutive slots, low 64 bits first. References (null is 0 in every
//! hierarchy):
//! - `func`: the store's function index plus one;
//! - `extern`: the store's externref index plus one, or an externalised
//!   `any` value (`extern.convert_any`) with bit 63 set;
//! - `any`: by the low two bits: `..1` an `i31` (its 31 bits above the
//!   tag: unboxed), `.00` the GC heap's object `i` as `(i + 1) << 2`
//!   (`runtime/gc.rs`), `.10` an internalised host reference
//!   (`any.convert_extern`) as its externref slot shifted left by two.
//!
//! So `ref.eq` is an integer compare, `ref.i31`/`i31.get` shifts, and the
//! conversions between `any` and `extern` are bit operations that give
//! back the original value on a round trip (`runtime::gc::enc`).

use crate::store::{AsContext, AsContextMut, StoreInner};
use crate::{Error, Func, Result};
use std::any::Any;
use weft_syntax::{HeapType, RefType, StorageType, ValType};

/// A WebAssembly value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bit pattern (so that NaN payloads survive).
    F32(u32),
    /// An `f64`, as its bit pattern.
    F64(u64),
    /// A `v128`, lane 0 in the least significant bits.
    V128(u128),
    /// A `funcref`, `None` for null.
    FuncRef(Option<Func>),
    /// An `externref`, `None` for null.
    ExternRef(Option<ExternRef>),
    /// A reference of the `any` hierarchy (`anyref`, `eqref`, `i31ref`,
    /// `structref`, `arrayref` and concrete struct and array types),
    /// `None` for null.
    AnyRef(Option<AnyRef>),
    /// An `exnref` (a caught exception), `None` for null.
    ExnRef(Option<crate::ExnRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::AnyRef(_) => ValType::Ref(RefType::null(HeapType::Any)),
            Val::ExnRef(_) => ValType::Ref(RefType::null(HeapType::Exn)),
        }
    }

    /// Whether the value has a type that matches `ty` (§3.3.3 of 3.0):
    /// its own type; for a null, every nullable reference type of its
    /// hierarchy; for a non-null reference, the non-nullable reference type
    /// of its heap type (a function's concrete type needs its store: see
    /// `Val::matches_in` inside the crate).
    pub fn matches(&self, ty: ValType) -> bool {
        match (self, ty) {
            (Val::FuncRef(None), ValType::Ref(r)) => {
                r.nullable && hierarchy(r.heap, &[]) == Some(HeapType::Func)
            }
            (Val::ExternRef(None), ValType::Ref(r)) => {
                r.nullable && matches!(r.heap, HeapType::Extern | HeapType::NoExtern)
            }
            (Val::FuncRef(Some(_)), ValType::Ref(r)) => r.heap == HeapType::Func,
            (Val::ExternRef(Some(_)), ValType::Ref(r)) => r.heap == HeapType::Extern,
            (Val::AnyRef(None), ValType::Ref(r)) => {
                r.nullable && hierarchy(r.heap, &[]) == Some(HeapType::Any)
            }
            (Val::AnyRef(Some(_)), ValType::Ref(r)) => r.heap == HeapType::Any,
            (Val::ExnRef(None), ValType::Ref(r)) => {
                r.nullable && matches!(r.heap, HeapType::Exn | HeapType::NoExn)
            }
            (Val::ExnRef(Some(_)), ValType::Ref(r)) => r.heap == HeapType::Exn,
            (v, t) => v.ty() == t,
        }
    }

    /// [`Val::matches`] with a function's concrete type checked against
    /// `ty` (whose concrete heap types are engine type ids) in `store`.
    pub(crate) fn matches_in(&self, store: &StoreInner, ty: ValType) -> bool {
        match (self, ty) {
            (Val::FuncRef(Some(f)), ValType::Ref(r)) => match r.heap {
                HeapType::Concrete(t) => {
                    f.store == store.id && store.is_subtype(store.funcs[f.index as usize].ty, t.0)
                }
                _ => self.matches(ty),
            },
            (Val::AnyRef(None), ValType::Ref(r)) => {
                r.nullable && hierarchy(r.heap, &store.types) == Some(HeapType::Any)
            }
            (Val::FuncRef(None), ValType::Ref(r)) => {
                r.nullable && hierarchy(r.heap, &store.types) == Some(HeapType::Func)
            }
            (Val::AnyRef(Some(a)), ValType::Ref(r)) => {
                a.store == store.id && {
                    let bits = store.gc.rooted(a.root);
                    match r.heap {
                        HeapType::Concrete(t) => crate::interp::exec::ref_matches(store, bits, t.0),
                        h => crate::interp::exec::ref_matches(
                            store,
                            bits,
                            crate::interp::code::cast_target(h),
                        ),
                    }
                }
            }
            _ => self.matches(ty),
        }
    }

    /// The default value of a type (§4.2.1: zero, or null).
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::Ref(r) => match hierarchy(r.heap, &[]) {
                Some(HeapType::Any) => Val::AnyRef(None),
                Some(HeapType::Extern) => Val::ExternRef(None),
                Some(HeapType::Exn) => Val::ExnRef(None),
                _ => Val::FuncRef(None),
            },
        }
    }

    /// The null reference of a reference type.
    pub fn null(ty: RefType) -> Val {
        Val::default_for(ValType::Ref(ty))
    }

    /// The `i32`, if this is one.
    pub fn i32(&self) -> Option<i32> {
        match *self {
            Val::I32(v) => Some(v),
            _ => None,
        }
    }

    /// The `i64`, if this is one.
    pub fn i64(&self) -> Option<i64> {
        match *self {
            Val::I64(v) => Some(v),
            _ => None,
        }
    }

    /// The `f32`, if this is one.
    pub fn f32(&self) -> Option<f32> {
        match *self {
            Val::F32(v) => Some(f32::from_bits(v)),
            _ => None,
        }
    }

    /// The `f64`, if this is one.
    pub fn f64(&self) -> Option<f64> {
        match *self {
            Val::F64(v) => Some(f64::from_bits(v)),
            _ => None,
        }
    }

    /// Whether this is a null reference.
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None)
        )
    }

    /// Writes the value into slots (one, or two for `v128`), checking that
    /// references belong to `store`.
    pub(crate) fn write_slots(&self, store: &StoreInner, out: &mut [u64]) -> Result<()> {
        out[0] = match *self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::V128(v) => {
                out[1] = (v >> 64) as u64;
                v as u64
            }
            Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None) => 0,
            Val::ExnRef(Some(e)) => e.bits(store)?,
            Val::FuncRef(Some(f)) => {
                store.check_id(f.store, "function")?;
                u64::from(f.index) + 1
            }
            Val::ExternRef(Some(r)) => {
                store.check_id(r.store, "externref")?;
                r.slot(store)
            }
            Val::AnyRef(Some(a)) => {
                store.check_id(a.store, "anyref")?;
                store.gc.rooted(a.root)
            }
        };
        Ok(())
    }

    /// Reads a value of type `ty` from slots.
    pub(crate) fn from_slots(store: &StoreInner, ty: ValType, slots: &[u64]) -> Val {
        let s = slots[0];
        match ty {
            ValType::I32 => Val::I32(s as u32 as i32),
            ValType::I64 => Val::I64(s as i64),
            ValType::F32 => Val::F32(s as u32),
            ValType::F64 => Val::F64(s),
            ValType::V128 => Val::V128(u128::from(s) | (u128::from(slots[1]) << 64)),
            ValType::Ref(r) => match hierarchy(r.heap, &store.types) {
                Some(HeapType::Any) => Val::AnyRef((s != 0).then(|| AnyRef {
                    store: store.id,
                    root: store.gc.root(s),
                })),
                Some(HeapType::Extern) => Val::ExternRef(ExternRef::from_slot_in(store, s)),
                Some(HeapType::Exn) => {
                    Val::ExnRef((s != 0).then(|| crate::ExnRef::from_bits(store, s)))
                }
                _ => Val::FuncRef(Func::from_slot(store.id, s)),
            },
        }
    }
}

/// The top of the hierarchy of heap type `h` (`func`, `extern`, `any` or
/// `exn`): concrete types are looked up in `types` (engine ids), or taken
/// as functions if `types` does not have them.
fn hierarchy(h: HeapType, types: &[std::sync::Arc<crate::types::TypeInfo>]) -> Option<HeapType> {
    match h {
        HeapType::Concrete(t) => match types.get(t.index()) {
            Some(ti) if !matches!(ti.layout, crate::types::Layout::Func) => Some(HeapType::Any),
            _ => Some(HeapType::Func),
        },
        h => h.abstract_top(),
    }
}

/// A reference of the `any` hierarchy that the host holds: rooted in its
/// store for the store's lifetime (the collector never frees what it
/// refers to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnyRef {
    pub(crate) store: u64,
    pub(crate) root: u32,
}

/// What an [`AnyRef`] refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnyKind {
    /// An unboxed 31-bit integer (its value sign-extended).
    I31(i32),
    /// A struct.
    Struct,
    /// An array of this length.
    Array(u32),
    /// A host reference converted with `any.convert_extern`.
    Host(ExternRef),
}

impl AnyRef {
    /// An `i31ref` of the low 31 bits of `v`.
    pub fn i31(store: impl AsContext, v: i32) -> AnyRef {
        let inner = &store.as_context().inner;
        AnyRef {
            store: inner.id,
            root: inner.gc.root(crate::runtime::gc::enc::i31(v as u32)),
        }
    }

    /// A host reference in the `any` hierarchy (`any.convert_extern`).
    pub fn from_extern(store: impl AsContext, r: ExternRef) -> AnyRef {
        let inner = &store.as_context().inner;
        inner.assert_id(r.store);
        let bits = crate::runtime::gc::enc::internalize(r.slot(inner));
        AnyRef {
            store: inner.id,
            root: inner.gc.root(bits),
        }
    }

    /// What the reference refers to.
    ///
    /// # Panics
    /// If the reference belongs to another store.
    pub fn kind(&self, store: impl AsContext) -> AnyKind {
        use crate::runtime::gc::enc;
        let inner = &store.as_context().inner;
        inner.assert_id(self.store);
        let bits = inner.gc.rooted(self.root);
        if enc::is_i31(bits) {
            return AnyKind::I31(enc::i31_get_s(bits));
        }
        if enc::is_host(bits) {
            let e = enc::externalize(bits);
            return AnyKind::Host(ExternRef {
                store: inner.id,
                index: (e - 1) as u32,
            });
        }
        match inner.gc.get(bits) {
            Some(o) => match &inner.types[o.ty as usize].layout {
                crate::types::Layout::Array { elem } => {
                    AnyKind::Array((o.data.len() / elem.width()) as u32)
                }
                _ => AnyKind::Struct,
            },
            None => AnyKind::Struct,
        }
    }

    /// Field `i` of a struct, or element `i` of an array (packed fields
    /// zero-extended to `i32`, as `struct.get_u` reads them).
    pub fn get(&self, store: impl AsContext, i: u32) -> Result<Val> {
        let inner = &store.as_context().inner;
        inner.check_id(self.store, "anyref")?;
        let (storage, _, at, obj) = self.slot_of(inner, i)?;
        let o = inner
            .gc
            .get(obj)
            .ok_or_else(|| Error::other("not a struct or array"))?;
        Ok(match storage {
            StorageType::Val(t) => Val::from_slots(inner, t, &o.data[at..]),
            _ => Val::I32(o.data[at] as i32),
        })
    }

    /// Sets field `i` of a struct, or element `i` of an array, which must
    /// be mutable; `val` must match its type (a packed field keeps the low
    /// bits of an `i32`).
    pub fn set(&self, mut store: impl AsContextMut, i: u32, val: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        inner.check_id(self.store, "anyref")?;
        let (storage, mutable, at, obj) = self.slot_of(inner, i)?;
        if !mutable {
            return Err(Error::other("cannot set an immutable field"));
        }
        let ty = storage.unpacked();
        if !val.matches_in(inner, ty) {
            return Err(Error::other(format!(
                "type mismatch: {} value for a field of {ty}",
                val.ty()
            )));
        }
        let mut v = [0u64; 2];
        val.write_slots(inner, &mut v)?;
        v[0] = match storage {
            StorageType::I8 => v[0] & 0xff,
            StorageType::I16 => v[0] & 0xffff,
            StorageType::Val(_) => v[0],
        };
        let o = inner
            .gc
            .get_mut(obj)
            .ok_or_else(|| Error::other("not a struct or array"))?;
        o.data[at] = v[0];
        if slot_count(ty) == 2 {
            o.data[at + 1] = v[1];
        }
        Ok(())
    }

    /// The storage type and mutability of field or element `i`, its slot
    /// and the object's reference.
    fn slot_of(&self, inner: &StoreInner, i: u32) -> Result<(StorageType, bool, usize, u64)> {
        use crate::types::Layout;
        use weft_syntax::{CompositeType, Mut};
        let bits = inner.gc.rooted(self.root);
        let o = inner
            .gc
            .get(bits)
            .ok_or_else(|| Error::other("not a struct or array"))?;
        let t = &inner.types[o.ty as usize];
        let out_of_bounds = || Error::other(format!("no field or element {i}"));
        match (&t.layout, &t.sub.composite) {
            (Layout::Struct { fields, .. }, CompositeType::Struct(s)) => {
                let f = fields.get(i as usize).ok_or_else(out_of_bounds)?;
                let m = s.fields[i as usize].mutability == Mut::Var;
                Ok((f.storage, m, f.offset as usize, bits))
            }
            (Layout::Array { elem }, CompositeType::Array(a)) => {
                let w = elem.width();
                if i as usize >= o.data.len() / w {
                    return Err(out_of_bounds());
                }
                let m = a.field.mutability == Mut::Var;
                Ok((elem.storage, m, i as usize * w, bits))
            }
            _ => Err(Error::other("not a struct or array")),
        }
    }

    /// Whether two references are the same (`ref.eq`).
    pub fn ref_eq(&self, store: impl AsContext, other: &AnyRef) -> bool {
        let inner = &store.as_context().inner;
        inner.gc.rooted(self.root) == inner.gc.rooted(other.root)
    }
}

/// The bit of [`ExternRef`] indices that name a rooted externalised `any`
/// value instead of a host payload.
const EXTERNALIZED_INDEX: u32 = 1 << 31;

/// A struct the host holds: an [`AnyRef`] known to refer to a struct
/// (from [`AnyRef::as_struct`]), with its fields by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StructRef(AnyRef);

impl StructRef {
    /// Field `i` (packed fields zero-extended to `i32`).
    pub fn field(&self, store: impl AsContext, i: u32) -> Result<Val> {
        self.0.get(store, i)
    }

    /// Sets field `i`, which must be mutable and of `val`'s type.
    pub fn set_field(&self, store: impl AsContextMut, i: u32, val: Val) -> Result<()> {
        self.0.set(store, i, val)
    }

    /// The reference as an `anyref`.
    pub fn to_anyref(&self) -> AnyRef {
        self.0
    }
}

/// An array the host holds: an [`AnyRef`] known to refer to an array
/// (from [`AnyRef::as_array`]), with its length and elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayRef(AnyRef);

impl ArrayRef {
    /// The number of elements.
    pub fn len(&self, store: impl AsContext) -> u32 {
        match self.0.kind(store) {
            AnyKind::Array(n) => n,
            _ => 0,
        }
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self, store: impl AsContext) -> bool {
        self.len(store) == 0
    }

    /// Element `i` (packed elements zero-extended to `i32`).
    pub fn get(&self, store: impl AsContext, i: u32) -> Result<Val> {
        self.0.get(store, i)
    }

    /// Sets element `i` of a mutable array.
    pub fn set(&self, store: impl AsContextMut, i: u32, val: Val) -> Result<()> {
        self.0.set(store, i, val)
    }

    /// The reference as an `anyref`.
    pub fn to_anyref(&self) -> AnyRef {
        self.0
    }
}

impl AnyRef {
    /// The struct this refers to, if it is one.
    pub fn as_struct(&self, store: impl AsContext) -> Option<StructRef> {
        (self.kind(store) == AnyKind::Struct).then_some(StructRef(*self))
    }

    /// The array this refers to, if it is one.
    pub fn as_array(&self, store: impl AsContext) -> Option<ArrayRef> {
        matches!(self.kind(store), AnyKind::Array(_)).then_some(ArrayRef(*self))
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Self {
        Val::I32(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I64(v)
    }
}

impl From<f32> for Val {
    fn from(v: f32) -> Self {
        Val::F32(v.to_bits())
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Val::F64(v.to_bits())
    }
}

impl From<Func> for Val {
    fn from(f: Func) -> Self {
        Val::FuncRef(Some(f))
    }
}

impl From<ExternRef> for Val {
    fn from(r: ExternRef) -> Self {
        Val::ExternRef(Some(r))
    }
}

/// Number of slots a value of type `ty` takes.
pub(crate) fn slot_count(ty: ValType) -> usize {
    if ty == ValType::V128 {
        2
    } else {
        1
    }
}

/// Number of slots a list of values takes.
pub(crate) fn slots_of(tys: &[ValType]) -> usize {
    tys.iter().map(|&t| slot_count(t)).sum()
}

/// A reference to a host value (`externref`): a handle into its store,
/// which owns the payload.
///
/// ```
/// use weft::{Engine, Store, ExternRef};
/// let mut store = Store::new(&Engine::default(), ());
/// let r = ExternRef::new(&mut store, 42u32);
/// assert_eq!(r.data(&store).downcast_ref::<u32>(), Some(&42));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl ExternRef {
    /// Moves `payload` into the store and returns a reference to it.
    pub fn new(mut store: impl AsContextMut, payload: impl Any + Send + Sync) -> ExternRef {
        let inner = &mut store.as_context_mut().inner;
        let index = inner.externs.len() as u32;
        inner.externs.push(Box::new(payload));
        ExternRef {
            store: inner.id,
            index,
        }
    }

    /// The payload.
    ///
    /// # Panics
    /// If the reference belongs to another store.
    pub fn data<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a (dyn Any + Send + Sync) {
        let inner = &store.as_context().inner;
        inner.assert_id(self.store);
        if self.index & EXTERNALIZED_INDEX != 0 {
            // An externalised `any` value has no host payload.
            return &();
        }
        &*inner.externs[self.index as usize]
    }

    /// The slot of this reference: its index plus one, or the
    /// externalised `any` value it stands for.
    pub(crate) fn slot(&self, store: &StoreInner) -> u64 {
        if self.index & EXTERNALIZED_INDEX != 0 {
            let bits = store.gc.rooted(self.index & !EXTERNALIZED_INDEX);
            crate::runtime::gc::enc::externalize(bits)
        } else {
            u64::from(self.index) + 1
        }
    }

    /// The reference in slot `s`; an externalised `any` value (bit 63) is
    /// rooted, and the handle names its root.
    pub(crate) fn from_slot_in(store: &StoreInner, s: u64) -> Option<ExternRef> {
        if s & crate::runtime::gc::enc::EXTERNALIZED == 0 {
            return ExternRef::from_slot(store.id, s);
        }
        let root = store.gc.root(crate::runtime::gc::enc::internalize(s));
        Some(ExternRef {
            store: store.id,
            index: EXTERNALIZED_INDEX | root,
        })
    }

    pub(crate) fn from_slot(store: u64, s: u64) -> Option<ExternRef> {
        if s == 0 {
            None
        } else {
            Some(ExternRef {
                store,
                index: (s - 1) as u32,
            })
        }
    }
}

/// A Rust type that stands for a Wasm value type in typed calls
/// ([`crate::TypedFunc`]) and host functions ([`crate::Linker::func_wrap`]).
pub trait WasmTy: Sized + Send + 'static {
    /// The Wasm type.
    #[doc(hidden)]
    fn valtype() -> ValType;
    /// Writes the value into its slot(s).
    #[doc(hidden)]
    fn store_slots(self, store: &StoreInner, out: &mut [u64]) -> Result<()>;
    /// Reads the value from its slot(s).
    #[doc(hidden)]
    fn load_slots(store: &StoreInner, slots: &[u64]) -> Self;
}

macro_rules! wasm_ty_num {
    ($($t:ty => $vt:ident, |$v:ident| $to:expr, |$s:ident| $from:expr;)*) => {$(
        impl WasmTy for $t {
            fn valtype() -> ValType {
                ValType::$vt
            }
            fn store_slots(self, _: &StoreInner, out: &mut [u64]) -> Result<()> {
                let $v = self;
                out[0] = $to;
                Ok(())
            }
            fn load_slots(_: &StoreInner, slots: &[u64]) -> Self {
                let $s = slots[0];
                $from
            }
        }
    )*};
}

wasm_ty_num! {
    i32 => I32, |v| v as u32 as u64, |s| s as u32 as i32;
    u32 => I32, |v| v as u64, |s| s as u32;
    i64 => I64, |v| v as u64, |s| s as i64;
    u64 => I64, |v| v, |s| s;
    f32 => F32, |v| v.to_bits() as u64, |s| f32::from_bits(s as u32);
    f64 => F64, |v| v.to_bits(), |s| f64::from_bits(s);
}

impl WasmTy for u128 {
    fn valtype() -> ValType {
        ValType::V128
    }
    fn store_slots(self, _: &StoreInner, out: &mut [u64]) -> Result<()> {
        out[0] = self as u64;
        out[1] = (self >> 64) as u64;
        Ok(())
    }
    fn load_slots(_: &StoreInner, slots: &[u64]) -> Self {
        u128::from(slots[0]) | (u128::from(slots[1]) << 64)
    }
}

impl WasmTy for Option<Func> {
    fn valtype() -> ValType {
        ValType::FUNCREF
    }
    fn store_slots(self, store: &StoreInner, out: &mut [u64]) -> Result<()> {
        Val::FuncRef(self).write_slots(store, out)
    }
    fn load_slots(store: &StoreInner, slots: &[u64]) -> Self {
        Func::from_slot(store.id, slots[0])
    }
}

impl WasmTy for Option<ExternRef> {
    fn valtype() -> ValType {
        ValType::EXTERNREF
    }
    fn store_slots(self, store: &StoreInner, out: &mut [u64]) -> Result<()> {
        Val::ExternRef(self).write_slots(store, out)
    }
    fn load_slots(store: &StoreInner, slots: &[u64]) -> Self {
        ExternRef::from_slot(store.id, slots[0])
    }
}

/// A list of Wasm values as a Rust tuple (or `()`, or one [`WasmTy`]): the
/// parameters or results of a typed call or host function.
pub trait WasmTyList: Sized + Send + 'static {
    /// The Wasm types.
    #[doc(hidden)]
    fn valtypes() -> Vec<ValType>;
    /// Writes the values into consecutive slots.
    #[doc(hidden)]
    fn store_list(self, store: &StoreInner, out: &mut [u64]) -> Result<()>;
    /// Reads the values from consecutive slots.
    #[doc(hidden)]
    fn load_list(store: &StoreInner, slots: &[u64]) -> Self;
    /// Number of slots the values take.
    #[doc(hidden)]
    fn slot_len() -> usize {
        slots_of(&Self::valtypes())
    }
}

impl<A: WasmTy> WasmTyList for A {
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn store_list(self, store: &StoreInner, out: &mut [u64]) -> Result<()> {
        self.store_slots(store, out)
    }
    fn load_list(store: &StoreInner, slots: &[u64]) -> Self {
        A::load_slots(store, slots)
    }
}

macro_rules! tuple_list {
    ($($a:ident)*) => {
        impl<$($a: WasmTy),*> WasmTyList for ($($a,)*) {
            fn valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)] // tuple fields named by their types; the last offset is unused
            fn store_list(self, store: &StoreInner, out: &mut [u64]) -> Result<()> {
                let ($($a,)*) = self;
                let mut at = 0;
                $(
                    $a.store_slots(store, &mut out[at..])?;
                    at += slot_count($a::valtype());
                )*
                Ok(())
            }
            #[allow(unused_variables, unused_mut, unused_assignments, clippy::unused_unit)] // the empty tuple reads nothing; the last offset is unused
            fn load_list(store: &StoreInner, slots: &[u64]) -> Self {
                let mut at = 0;
                ($({
                    let v = $a::load_slots(store, &slots[at..]);
                    at += slot_count($a::valtype());
                    v
                },)*)
            }
        }
    };
}

tuple_list!();
tuple_list!(A1);
tuple_list!(A1 A2);
tuple_list!(A1 A2 A3);
tuple_list!(A1 A2 A3 A4);
tuple_list!(A1 A2 A3 A4 A5);
tuple_list!(A1 A2 A3 A4 A5 A6);
tuple_list!(A1 A2 A3 A4 A5 A6 A7);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);

/// Parameters of a typed call: `()`, a [`WasmTy`] or a tuple of them.
pub trait WasmParams: WasmTyList {}
impl<L: WasmTyList> WasmParams for L {}

/// Results of a typed call: `()`, a [`WasmTy`] or a tuple of them.
pub trait WasmResults: WasmTyList {}
impl<L: WasmTyList> WasmResults for L {}

/// What a host function closure may return: results ([`WasmResults`]) or
/// `Result<results, Error>` to fail the call.
pub trait WasmRet: Send + 'static {
    /// The results' list type.
    #[doc(hidden)]
    type Results: WasmResults;
    /// Splits into results or an error.
    #[doc(hidden)]
    fn into_result(self) -> Result<Self::Results>;
}

impl<R: WasmResults> WasmRet for R {
    type Results = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

impl<R: WasmResults> WasmRet for Result<R, Error> {
    type Results = R;
    fn into_result(self) -> Result<R> {
        self
    }
}
