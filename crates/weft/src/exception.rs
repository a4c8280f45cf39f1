//! Exception handling for the embedder (§4.2.10 and §4.2.13 of Wasm 3.0,
//! tag and exception instances): [`Tag`], [`TagType`] and [`ExnRef`].
//!
//! A tag is a store entity with a function type whose parameters are the
//! payload (the results are empty). An exception is a GC heap object
//! (`runtime/gc.rs`) whose type id is its tag's function type and whose
//! slots are the tag's store address followed by the payload in slot
//! encoding; an `exnref` slot is the object's reference, so that the
//! collector keeps a caught exception (and what its payload refers to)
//! alive while a frame or a global holds it, and `throw_ref` rethrows the
//! very same object.
//!
//! An exception that no Wasm handler catches leaves the call as an
//! [`Error`] of kind [`ErrorKind::Exception`](crate::ErrorKind::Exception)
//! carrying the exception ([`Error::as_exception`]); a host function
//! throws one by returning [`Error::throw`].

use crate::store::{AsContext, AsContextMut, StoreInner, TagEntity};
use crate::{Error, FuncType, Result, Val};

/// The type of a tag: the function type whose parameters are the payload
/// of its exceptions (and whose results are empty).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    ty: FuncType,
}

impl TagType {
    /// The tag type with payload `params`.
    pub fn new(params: impl IntoIterator<Item = crate::ValType>) -> TagType {
        TagType {
            ty: FuncType {
                params: params.into_iter().collect(),
                results: Vec::new(),
            },
        }
    }

    /// A tag type from a function type (whose results must be empty for
    /// the tag to be valid).
    pub fn from_func_type(ty: FuncType) -> TagType {
        TagType { ty }
    }

    /// The function type.
    pub fn func_type(&self) -> &FuncType {
        &self.ty
    }

    /// The payload's types.
    pub fn params(&self) -> &[crate::ValType] {
        &self.ty.params
    }
}

/// A tag (§4.2.10 of Wasm 3.0): a `Copy` handle into its store. Two tags
/// are the same exception tag exactly when they are the same handle.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, ExnRef, Store, Tag, TagType, Val, ValType};
/// let mut store = Store::new(&Engine::default(), ());
/// let tag = Tag::new(&mut store, &TagType::new([ValType::I32]))?;
/// let exn = ExnRef::new(&mut store, tag, &[Val::I32(7)])?;
/// assert_eq!(exn.tag(&store)?, tag);
/// assert_eq!(exn.fields(&store)?, vec![Val::I32(7)]);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Tag {
    /// A new tag of type `ty` (a host tag, distinct from every other).
    pub fn new(mut store: impl AsContextMut, ty: &TagType) -> Result<Tag> {
        let store = store.as_context_mut();
        if !ty.ty.results.is_empty() {
            return Err(Error::other("a tag's type must have no results"));
        }
        let id = store.inner.engine.intern(&ty.ty);
        store.inner.refresh_types();
        Ok(Tag::push(&mut store.inner, id))
    }

    /// Adds a tag of engine function type `ty` to the store.
    pub(crate) fn push(inner: &mut StoreInner, ty: u32) -> Tag {
        inner.tags.push(TagEntity { ty });
        Tag {
            store: inner.id,
            index: (inner.tags.len() - 1) as u32,
        }
    }

    /// The tag's type.
    pub fn ty(&self, store: impl AsContext) -> TagType {
        let inner = &store.as_context().inner;
        inner.assert_id(self.store);
        let id = inner.tags[self.index as usize].ty;
        TagType {
            ty: (*inner.engine.func_type(id)).clone(),
        }
    }
}

/// An exception (§4.2.13 of Wasm 3.0) that the host holds: rooted in its
/// store for the store's lifetime, like [`crate::AnyRef`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: u64,
    pub(crate) root: u32,
}

impl ExnRef {
    /// A new exception of tag `tag` with payload `fields` (as many values
    /// as the tag has parameters, of their types).
    pub fn new(mut store: impl AsContextMut, tag: Tag, fields: &[Val]) -> Result<ExnRef> {
        let inner = &mut store.as_context_mut().inner;
        inner.check_id(tag.store, "tag")?;
        let ty = inner.tags[tag.index as usize].ty;
        let func = inner.engine.func_type(ty);
        if func.params.len() != fields.len() {
            return Err(Error::other(format!(
                "type mismatch: the tag has {} parameters, {} values given",
                func.params.len(),
                fields.len()
            )));
        }
        let mut data = vec![u64::from(tag.index)];
        for (v, &t) in fields.iter().zip(&func.params) {
            if !v.matches_in(inner, t) {
                return Err(Error::other(format!(
                    "type mismatch: a {:?} where the tag has a {t:?}",
                    v.ty()
                )));
            }
            let at = data.len();
            data.resize(at + 1 + (t == crate::ValType::V128) as usize, 0);
            v.write_slots(inner, &mut data[at..])?;
        }
        let bits = alloc(inner, ty, data.into_boxed_slice())?;
        Ok(ExnRef::from_bits(inner, bits))
    }

    /// Roots exception `bits` (a non-null exnref slot) for the host.
    pub(crate) fn from_bits(inner: &StoreInner, bits: u64) -> ExnRef {
        ExnRef {
            store: inner.id,
            root: inner.gc.root(bits),
        }
    }

    /// The exnref slot of this exception.
    pub(crate) fn bits(&self, inner: &StoreInner) -> Result<u64> {
        inner.check_id(self.store, "exnref")?;
        Ok(inner.gc.rooted(self.root))
    }

    /// The exception's tag.
    pub fn tag(&self, store: impl AsContext) -> Result<Tag> {
        let inner = &store.as_context().inner;
        let (tag, _) = payload(inner, self.bits(inner)?)?;
        Ok(Tag {
            store: inner.id,
            index: tag,
        })
    }

    /// The exception's payload, one value per parameter of its tag.
    pub fn fields(&self, store: impl AsContext) -> Result<Vec<Val>> {
        let inner = &store.as_context().inner;
        let (tag, data) = payload(inner, self.bits(inner)?)?;
        let func = inner.engine.func_type(inner.tags[tag as usize].ty);
        let mut at = 0;
        Ok(func
            .params
            .iter()
            .map(|&t| {
                let v = Val::from_slots(inner, t, &data[at..]);
                at += 1 + (t == crate::ValType::V128) as usize;
                v
            })
            .collect())
    }
}

/// Allocates an exception object (type id `ty`, `data` the tag address and
/// the payload) outside Wasm code, where no collection runs.
pub(crate) fn alloc(inner: &mut StoreInner, ty: u32, data: Box<[u64]>) -> Result<u64> {
    inner
        .gc
        .alloc(ty, data)
        .map_err(|_| crate::Trap::new(crate::TrapCode::GcHeapExhausted).into())
}

/// The tag address and payload slots of exception `bits`.
pub(crate) fn payload(inner: &StoreInner, bits: u64) -> Result<(u32, &[u64])> {
    match inner.gc.get(bits) {
        Some(o) if !o.data.is_empty() => Ok((o.data[0] as u32, &o.data[1..])),
        _ => Err(Error::other("not an exception")),
    }
}

/// The name of the tag of exception `bits` for messages: the first
/// export or import of it by an instance of the store, else its store
/// address.
pub(crate) fn tag_name(inner: &StoreInner, bits: u64) -> String {
    let Ok((tag, _)) = payload(inner, bits) else {
        return "?".to_string();
    };
    for i in &inner.instances {
        let exported = i.exports.iter().find(
            |(_, e)| matches!(e, crate::Extern::Tag(t) if t.index == tag && t.store == inner.id),
        );
        if let Some((name, _)) = exported {
            return format!("`{}`", weft_syntax::excerpt(name));
        }
        let imports = i.module.module.imports.iter();
        let tag_imports = imports.filter(|im| matches!(im.desc, weft_syntax::ImportDesc::Tag(_)));
        for (k, im) in tag_imports.enumerate() {
            if i.tags.get(k) == Some(&tag) {
                return format!(
                    "`{}`.`{}`",
                    weft_syntax::excerpt(&im.module),
                    weft_syntax::excerpt(&im.name)
                );
            }
        }
    }
    format!("#{tag}")
}
