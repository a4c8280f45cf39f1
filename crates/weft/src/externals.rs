//! [`Extern`], [`Memory`], [`Table`] and [`Global`].

use crate::store::{AsContext, AsContextMut, GlobalEntity, MemoryEntity, TableEntity, PAGE_SIZE};
use crate::{Error, Func, Result, Val};
use weft_syntax::{ExternKind, GlobalType, MemType, Mut, TableType, ValType};

/// Something an instance exports or a module imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A memory.
    Memory(Memory),
    /// A global.
    Global(Global),
    /// A tag (exception handling).
    Tag(crate::Tag),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<crate::Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// The kind.
    pub fn kind(&self) -> ExternKind {
        match self {
            Extern::Func(_) => ExternKind::Func,
            Extern::Table(_) => ExternKind::Table,
            Extern::Memory(_) => ExternKind::Memory,
            Extern::Global(_) => ExternKind::Global,
            Extern::Tag(_) => ExternKind::Tag,
        }
    }

    pub(crate) fn store_id(&self) -> u64 {
        match self {
            Extern::Func(f) => f.store,
            Extern::Table(t) => t.store,
            Extern::Memory(m) => m.store,
            Extern::Global(g) => g.store,
            Extern::Tag(t) => t.store,
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}

impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}

impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}

impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}

impl From<crate::Tag> for Extern {
    fn from(t: crate::Tag) -> Self {
        Extern::Tag(t)
    }
}

/// A linear memory (§4.2.8): a `Copy` handle into its store.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Limits, Memory, MemType, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let mem = Memory::new(&mut store, MemType::new(Limits { min: 1, max: Some(2) }))?;
/// mem.write(&mut store, 8, b"hi")?;
/// let mut buf = [0u8; 2];
/// mem.read(&store, 8, &mut buf)?;
/// assert_eq!(&buf, b"hi");
/// assert_eq!(mem.grow(&mut store, 1)?, 1);
/// assert!(mem.grow(&mut store, 1).is_err()); // beyond the maximum
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Memory {
    /// A new memory of type `ty`, zero-filled.
    pub fn new(mut store: impl AsContextMut, ty: MemType) -> Result<Memory> {
        let store = store.as_context_mut();
        store.limit_new_memory(&ty)?;
        let inner = &mut store.inner;
        let entity = MemoryEntity::new(ty, inner.engine.config().guards_in_use())?;
        inner.memories.push(entity);
        Ok(Memory {
            store: inner.id,
            index: (inner.memories.len() - 1) as u32,
        })
    }

    fn entity<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a MemoryEntity {
        let inner = &store.as_context().inner;
        inner.assert_id(self.store);
        &inner.memories[self.index as usize]
    }

    fn entity_mut<'a, C: AsContextMut + ?Sized>(&self, store: &'a mut C) -> &'a mut MemoryEntity {
        let inner = &mut store.as_context_mut().inner;
        inner.assert_id(self.store);
        &mut inner.memories[self.index as usize]
    }

    /// The type, with the current size as minimum.
    pub fn ty(&self, store: impl AsContext) -> MemType {
        self.entity(&store).ty
    }

    /// The size in pages of 64 KiB.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(&store).pages()
    }

    /// The size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        self.entity(&store).data.len()
    }

    /// The contents.
    pub fn data<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a [u8] {
        &self.entity(store).data
    }

    /// The contents, mutably.
    pub fn data_mut<'a, C: AsContextMut + ?Sized>(&self, store: &'a mut C) -> &'a mut [u8] {
        &mut self.entity_mut(store).data
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`; fails with
    /// "out of bounds memory access" if the range is not inside.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let data = &self.entity(&store).data;
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| Error::from(crate::TrapCode::MemoryOutOfBounds))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` to `offset`; fails with "out of bounds memory access"
    /// if the range is not inside.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let data = &mut self.entity_mut(&mut store).data;
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| Error::from(crate::TrapCode::MemoryOutOfBounds))?;
        dst.copy_from_slice(buf);
        Ok(())
    }

    /// Grows by `delta` pages and returns the old size in pages; fails if
    /// the maximum would be exceeded or the host cannot allocate.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let store = store.as_context_mut();
        store.inner.assert_id(self.store);
        store
            .grow_memory(self.index, delta)?
            .ok_or_else(|| Error::other("failed to grow memory"))
    }

    /// Bytes per page.
    pub const PAGE_SIZE: u64 = PAGE_SIZE;
}

/// A table (§4.2.7): a `Copy` handle into its store.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Limits, RefType, Store, Table, TableType, Val};
/// let mut store = Store::new(&Engine::default(), ());
/// let ty = TableType::new(RefType::FUNCREF, Limits { min: 2, max: None });
/// let table = Table::new(&mut store, ty, Val::FuncRef(None))?;
/// assert_eq!(table.size(&store), 2);
/// assert_eq!(table.grow(&mut store, 3, Val::FuncRef(None))?, 2);
/// assert_eq!(table.get(&store, 4), Some(Val::FuncRef(None)));
/// assert_eq!(table.get(&store, 5), None);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Table {
    /// A new table of type `ty` with every element `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let store = store.as_context_mut();
        store.limit_new_table(&ty)?;
        let inner = &mut store.inner;
        let init = ref_slot(inner, ValType::Ref(ty.elem), init)?;
        let entity = TableEntity::new(ty, init)?;
        inner.tables.push(entity);
        Ok(Table {
            store: inner.id,
            index: (inner.tables.len() - 1) as u32,
        })
    }

    fn entity<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a TableEntity {
        let inner = &store.as_context().inner;
        inner.assert_id(self.store);
        &inner.tables[self.index as usize]
    }

    /// The type, with the current size as minimum.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        self.entity(&store).ty
    }

    /// The number of elements.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(&store).elems.len() as u64
    }

    /// The element at `index`, or `None` if out of bounds.
    pub fn get(&self, store: impl AsContext, index: u64) -> Option<Val> {
        let store = store.as_context();
        let t = self.entity(store);
        let s = *t.elems.get(usize::try_from(index).ok()?)?;
        Some(crate::Val::from_slots(
            &store.inner,
            ValType::Ref(t.ty.elem),
            &[s],
        ))
    }

    /// Sets the element at `index`.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, val: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        inner.assert_id(self.store);
        let ty = inner.tables[self.index as usize].ty.elem;
        let s = ref_slot(inner, ValType::Ref(ty), val)?;
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| inner.tables[self.index as usize].elems.get_mut(i))
            .ok_or_else(|| Error::from(crate::TrapCode::TableOutOfBounds))?;
        *slot = s;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let inner = &mut store.as_context_mut().inner;
        inner.assert_id(self.store);
        let ty = inner.tables[self.index as usize].ty.elem;
        let s = ref_slot(inner, ValType::Ref(ty), init)?;
        store
            .as_context_mut()
            .grow_table(self.index, delta, s)?
            .ok_or_else(|| Error::other("failed to grow table"))
    }
}

/// Checks a value against a reference type and encodes it.
fn ref_slot(inner: &crate::store::StoreInner, ty: ValType, v: Val) -> Result<u64> {
    if !v.matches_in(inner, ty) {
        return Err(Error::other(format!(
            "type mismatch: {} value for a table of {ty}",
            v.ty()
        )));
    }
    let mut s = [0u64; 2];
    v.write_slots(inner, &mut s)?;
    Ok(s[0])
}

/// A global (§4.2.9): a `Copy` handle into its store.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use weft::{Engine, Global, GlobalType, Mut, Store, Val, ValType};
/// let mut store = Store::new(&Engine::default(), ());
/// let ty = GlobalType { mutability: Mut::Var, content: ValType::I64 };
/// let g = Global::new(&mut store, ty, Val::I64(1))?;
/// g.set(&mut store, Val::I64(2))?;
/// assert_eq!(g.get(&store), Val::I64(2));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Global {
    /// A new global of type `ty` holding `val`.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global> {
        let inner = &mut store.as_context_mut().inner;
        if !val.matches_in(inner, ty.content) {
            return Err(Error::other(format!(
                "type mismatch: {} value for a global of {}",
                val.ty(),
                ty.content
            )));
        }
        let mut value = [0u64; 2];
        val.write_slots(inner, &mut value)?;
        inner.globals.push(GlobalEntity { value, ty });
        Ok(Global {
            store: inner.id,
            index: (inner.globals.len() - 1) as u32,
        })
    }

    /// The type.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let inner = &store.as_context().inner;
        inner.assert_id(self.store);
        inner.globals[self.index as usize].ty
    }

    /// The value.
    pub fn get(&self, store: impl AsContext) -> Val {
        let inner = &store.as_context().inner;
        inner.assert_id(self.store);
        let g = &inner.globals[self.index as usize];
        Val::from_slots(inner, g.ty.content, &g.value)
    }

    /// Sets the value; fails for an immutable global or a value of
    /// another type.
    pub fn set(&self, mut store: impl AsContextMut, val: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        inner.assert_id(self.store);
        let ty = inner.globals[self.index as usize].ty;
        if ty.mutability != Mut::Var {
            return Err(Error::other("cannot set an immutable global"));
        }
        if !val.matches_in(inner, ty.content) {
            return Err(Error::other(format!(
                "type mismatch: {} value for a global of {}",
                val.ty(),
                ty.content
            )));
        }
        let mut value = [0u64; 2];
        val.write_slots(inner, &mut value)?;
        inner.globals[self.index as usize].value = value;
        Ok(())
    }
}
