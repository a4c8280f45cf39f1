//! Types at run time (§4.2 of Wasm 3.0, "type equivalence" and "matching"):
//! every recursion group of every module of an engine is canonicalised in
//! one registry, so that two modules that declare the same group get the
//! same engine-wide type ids, and equivalent types are equal ids.
//!
//! A canonical type keeps its heap types as `Concrete(engine id)` and the
//! chain of its declared supertypes from the root down to itself, so that
//! "is `a` a subtype of `b`" is an integer compare plus one lookup by
//! `b`'s depth in `a`'s chain (`call_indirect`, `ref.test`, `ref.cast`,
//! import matching); a final type with no supertype has a chain of one.
//!
//! The registry is append-only. A store reads a snapshot of it
//! ([`TypeList`], refreshed when the store gains a module instance or a
//! host function, the only ways a type id enters it), so that run-time
//! checks take no lock.

use std::collections::HashMap;
use std::sync::Arc;
use weft_syntax::{
    CompositeType, FuncType, GlobalType, HeapType, Mut, RecGroup, RefType, StorageType, SubType,
    TableType, TypeIdx, Types, ValType,
};

/// One canonical type.
#[derive(Debug)]
pub(crate) struct TypeInfo {
    /// The subtype, with engine ids in its concrete heap types.
    pub(crate) sub: SubType,
    /// The function type (with engine ids), or an empty one for struct and
    /// array types.
    pub(crate) func: Arc<FuncType>,
    /// The declared supertypes from the root down to this type itself: its
    /// depth is the length minus one.
    pub(crate) supers: Box<[u32]>,
    /// Where a struct's fields or an array's elements live in an object.
    pub(crate) layout: Layout,
}

/// A field of an object (see `runtime/gc.rs`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FieldLayout {
    pub(crate) storage: StorageType,
    /// First slot.
    pub(crate) offset: u32,
    /// Whether the field may refer to a heap object (a reference outside
    /// the func hierarchy), which the collector traces.
    pub(crate) gc_ref: bool,
}

impl FieldLayout {
    /// A placeholder.
    pub(crate) const NONE: FieldLayout = FieldLayout {
        storage: StorageType::I8,
        offset: 0,
        gc_ref: false,
    };

    /// Slots the field takes (two for v128).
    pub(crate) fn width(&self) -> usize {
        1 + (self.storage == StorageType::Val(ValType::V128)) as usize
    }
}

/// The layout of an object of a type.
#[derive(Debug)]
pub(crate) enum Layout {
    /// Function types have no objects.
    Func,
    Struct {
        fields: Box<[FieldLayout]>,
        /// Slots of the whole object.
        slots: u32,
    },
    Array {
        elem: FieldLayout,
    },
}

/// Cast targets (`code::cast_target`) at and beyond this are abstract heap
/// types (by position in `HeapType::ABSTRACT`); below, engine type ids.
pub(crate) const ABSTRACT_TARGETS: u32 = u32::MAX - 64;

/// The abstract heap type of a cast target, if it is one.
pub(crate) fn abstract_target(t: u32) -> Option<HeapType> {
    let i = t.checked_sub(ABSTRACT_TARGETS)? as usize;
    HeapType::ABSTRACT.get(i).map(|(h, _, _)| *h)
}

impl TypeInfo {
    /// The abstract heap type right above the concrete type (`func`,
    /// `struct` or `array`).
    pub(crate) fn abstract_super(&self) -> HeapType {
        self.sub.composite.abstract_super()
    }
}

/// A snapshot of the registry: every canonical type by engine id.
pub(crate) type TypeList = Arc<Vec<Arc<TypeInfo>>>;

/// The engine's registry of canonical recursion groups.
#[derive(Default)]
pub(crate) struct TypeRegistry {
    /// Each group, rolled (references into the group as `Rec(i)`, other
    /// references as engine ids), to the engine id of its first type.
    groups: HashMap<RecGroup, u32>,
    types: TypeList,
}

impl TypeRegistry {
    /// The current snapshot.
    pub(crate) fn list(&self) -> TypeList {
        self.types.clone()
    }

    /// The engine ids of every type of a module's type section.
    pub(crate) fn intern_module(&mut self, types: &Types) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::with_capacity(types.len());
        for (first, group) in types.groups() {
            let base = self.intern_group(group, first, |t| ids[t.index()]);
            ids.extend((0..group.len() as u32).map(|i| base + i));
        }
        ids
    }

    /// The engine id of a plain function type (a group of one final type
    /// without supertypes) whose concrete heap types, if any, are engine
    /// ids already.
    pub(crate) fn intern_func(&mut self, ty: &FuncType) -> u32 {
        // No type index of the group itself can occur: `first` is beyond
        // every id.
        self.intern_group(&[SubType::func(ty.clone())], TypeIdx(u32::MAX), |t| t.0)
    }

    /// Canonicalises one group whose first type index is `first`, given the
    /// engine ids of earlier types (`outer`); returns its first engine id.
    fn intern_group(
        &mut self,
        group: &[SubType],
        first: TypeIdx,
        outer: impl Fn(TypeIdx) -> u32,
    ) -> u32 {
        let rolled = RecGroup {
            types: group.to_vec(),
        }
        .rolled(first, |t| HeapType::Concrete(TypeIdx(outer(t))));
        if let Some(&base) = self.groups.get(&rolled) {
            return base;
        }
        let base = self.types.len() as u32;
        let types = Arc::make_mut(&mut self.types);
        let subs: Vec<SubType> = rolled
            .types
            .iter()
            .map(|sub| {
                // `Rec(i)` is the group's own type `i`.
                sub.map_heap_types(&mut |h| match h {
                    HeapType::Rec(i) => HeapType::Concrete(TypeIdx(base + i)),
                    h => h,
                })
            })
            .collect();
        // Whether a reference to `h` may be to an object: not to a
        // function (a concrete type of this group or an earlier one).
        let is_func_type = |t: u32, types: &Vec<Arc<TypeInfo>>| match t.checked_sub(base) {
            Some(i) => subs[i as usize].as_func().is_some(),
            None => matches!(types[t as usize].layout, Layout::Func),
        };
        let gc_ref = |s: StorageType, types: &Vec<Arc<TypeInfo>>| match s {
            StorageType::Val(ValType::Ref(r)) => match r.heap {
                HeapType::Func | HeapType::NoFunc => false,
                HeapType::Concrete(t) => !is_func_type(t.0, types),
                _ => true,
            },
            _ => false,
        };
        let layouts: Vec<Layout> = subs
            .iter()
            .map(|sub| match &sub.composite {
                CompositeType::Func(_) => Layout::Func,
                CompositeType::Struct(s) => {
                    let mut offset = 0;
                    let fields = s
                        .fields
                        .iter()
                        .map(|f| {
                            let l = FieldLayout {
                                storage: f.storage,
                                offset,
                                gc_ref: gc_ref(f.storage, types),
                            };
                            offset += l.width() as u32;
                            l
                        })
                        .collect();
                    Layout::Struct {
                        fields,
                        slots: offset,
                    }
                }
                CompositeType::Array(a) => Layout::Array {
                    elem: FieldLayout {
                        storage: a.field.storage,
                        offset: 0,
                        gc_ref: gc_ref(a.field.storage, types),
                    },
                },
            })
            .collect();
        for (sub, layout) in subs.into_iter().zip(layouts) {
            let id = types.len() as u32;
            let mut supers: Vec<u32> = match sub.supertypes.first() {
                // Validation put the supertype before the type.
                Some(HeapType::Concrete(s)) => types[s.index()].supers.to_vec(),
                _ => Vec::new(),
            };
            supers.push(id);
            let func = Arc::new(sub.as_func().cloned().unwrap_or_default());
            types.push(Arc::new(TypeInfo {
                sub,
                func,
                supers: supers.into(),
                layout,
            }));
        }
        self.groups.insert(rolled, base);
        base
    }
}

/// Whether engine type `a` is `b` or a declared subtype of it.
#[inline]
pub(crate) fn is_subtype(types: &[Arc<TypeInfo>], a: u32, b: u32) -> bool {
    if a == b {
        return true;
    }
    let depth = types[b as usize].supers.len() - 1;
    types[a as usize].supers.get(depth) == Some(&b)
}

/// §3.3.3 heap type matching on canonical heap types (engine ids).
pub(crate) fn heap_matches(types: &[Arc<TypeInfo>], a: HeapType, b: HeapType) -> bool {
    use HeapType::*;
    if a == b {
        return true;
    }
    let sup = |t: TypeIdx| types[t.index()].abstract_super();
    match (a, b) {
        (Concrete(x), Concrete(y)) => is_subtype(types, x.0, y.0),
        (Concrete(x), b) => {
            let s = sup(x);
            s == b || (s != Func && matches!(b, Eq | Any))
        }
        (None, b) => match b {
            Any | Eq | I31 | Struct | Array => true,
            Concrete(y) => sup(y) != Func,
            _ => false,
        },
        (NoFunc, b) => b == Func || matches!(b, Concrete(y) if sup(y) == Func),
        (NoExtern, b) => b == Extern,
        (NoExn, b) => b == Exn,
        (Eq, b) => b == Any,
        (I31 | Struct | Array, b) => matches!(b, Eq | Any),
        _ => false,
    }
}

/// §3.3.3 reference type matching on canonical types.
pub(crate) fn ref_matches(types: &[Arc<TypeInfo>], a: RefType, b: RefType) -> bool {
    (b.nullable || !a.nullable) && heap_matches(types, a.heap, b.heap)
}

/// §3.3.3 value type matching on canonical types.
pub(crate) fn val_matches(types: &[Arc<TypeInfo>], a: ValType, b: ValType) -> bool {
    match (a, b) {
        (ValType::Ref(a), ValType::Ref(b)) => ref_matches(types, a, b),
        (a, b) => a == b,
    }
}

/// §3.3.3 global type matching (for imports): a mutable global's type must
/// be equivalent, an immutable one's may be a subtype.
pub(crate) fn global_matches(types: &[Arc<TypeInfo>], a: GlobalType, b: GlobalType) -> bool {
    a.mutability == b.mutability
        && match a.mutability {
            Mut::Var => a.content == b.content,
            Mut::Const => val_matches(types, a.content, b.content),
        }
}

/// A module's types with its concrete heap types replaced by engine ids.
pub(crate) struct Canon<'a>(pub(crate) &'a [u32]);

impl Canon<'_> {
    pub(crate) fn heap(&self, h: HeapType) -> HeapType {
        match h {
            HeapType::Concrete(t) => HeapType::Concrete(TypeIdx(self.0[t.index()])),
            h => h,
        }
    }

    pub(crate) fn ref_type(&self, r: RefType) -> RefType {
        RefType {
            nullable: r.nullable,
            heap: self.heap(r.heap),
        }
    }

    pub(crate) fn val(&self, v: ValType) -> ValType {
        match v {
            ValType::Ref(r) => ValType::Ref(self.ref_type(r)),
            v => v,
        }
    }

    pub(crate) fn global(&self, g: GlobalType) -> GlobalType {
        GlobalType {
            mutability: g.mutability,
            content: self.val(g.content),
        }
    }

    pub(crate) fn table(&self, t: TableType) -> TableType {
        TableType {
            elem: self.ref_type(t.elem),
            ..t
        }
    }
}
