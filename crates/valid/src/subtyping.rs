//! The type section's recursion groups and subtypes (§3.2.10-11), type
//! equivalence (§3.3.2, rolled groups) and matching (§3.3.3 of Wasm 3.0;
//! the reference interpreter's `valid/match.ml` is the same algorithm).
//!
//! Equivalence is decided once per module: every type index gets the
//! *canonical* index of the first type that is equivalent to it (same
//! rolled recursion group, same position in it), and [`OpType`] holds
//! canonical indices. Two operand types are then equivalent exactly when
//! they are equal, which is the fast path of every pop; matching
//! ([`TypeTable::matches`]) is the slow path. A concrete type matches
//! another by walking its declared supertypes, which are defined before it
//! (so the walk ends) and at most [`MAX_SUBTYPING_DEPTH`] deep (so it is
//! short, as in wasmparser and wasmtime; the spec sets no bound).

use crate::error::{Result, ValidationError};
use crate::types::{Heap, OpType};
use std::collections::HashMap;
use weft_syntax::{
    CompositeType, Feature, Features, FieldType, HeapType, ModuleField, Mut, RecGroup, RefType,
    StorageType, SubType, TypeIdx, Types, ValType,
};

/// The longest chain of declared supertypes a type may have.
pub(crate) const MAX_SUBTYPING_DEPTH: u32 = 63;

/// The kind of a composite type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Func,
    Struct,
    Array,
}

/// What matching needs to know of one type.
#[derive(Clone, Copy, Debug)]
struct Info {
    kind: Kind,
    /// The canonical index of the declared supertype.
    supertype: Option<u32>,
    /// Length of the chain of supertypes above this type.
    depth: u32,
    /// The type index of the type's descriptor type (custom descriptors:
    /// its `descriptor` clause).
    descriptor: Option<u32>,
}

/// The module's types for validation: canonical indices and what matching
/// needs of each type.
#[derive(Debug, Default)]
pub(crate) struct TypeTable {
    /// The canonical index of every type index.
    canon: Vec<u32>,
    /// By type index.
    info: Vec<Info>,
}

impl TypeTable {
    /// Checks the type section (§3.4.1 of 3.0: each recursion group, in
    /// order, may refer to itself and to earlier groups; each subtype's
    /// declared supertype is defined before it, not final, and its
    /// composite type matches) and computes canonical indices.
    pub(crate) fn new(types: &Types, features: Features) -> Result<TypeTable> {
        let mut table = TypeTable {
            canon: Vec::with_capacity(types.len()),
            info: Vec::with_capacity(types.len()),
        };
        // Without function references no type can name another, and every
        // type is its own canonical type (equivalence is not observable).
        let structural = features.has(Feature::FunctionReferences);
        let mut groups: HashMap<RecGroup, u32> = HashMap::new();
        for (first, group) in types.groups() {
            // The type each check is about, for the error's location.
            let mut at = first.0;
            let checked = (|| -> Result<()> {
                let end = first.0 as usize + group.len();
                if group.len() > 1 && !features.has(Feature::Gc) {
                    return Err(ValidationError::invalid(format!(
                        "invalid recursion group at type {first}: explicit groups require GC"
                    )));
                }
                check_descriptor_clauses(group, first)?;
                for (i, sub) in group.iter().enumerate() {
                    at = first.0 + i as u32;
                    check_sub_type_refs(features, sub, end, first.0 + i as u32)?;
                }
                let canon_first = if structural {
                    let rolled = RecGroup {
                        types: group.to_vec(),
                    }
                    .rolled(first, |t| {
                        HeapType::Concrete(TypeIdx(table.canon[t.index()]))
                    });
                    *groups.entry(rolled).or_insert(first.0)
                } else {
                    first.0
                };
                for (i, sub) in group.iter().enumerate() {
                    at = first.0 + i as u32;
                    let x = first.0 + i as u32;
                    table.canon.push(canon_first + i as u32);
                    let kind = match sub.composite {
                        CompositeType::Func(_) => Kind::Func,
                        CompositeType::Struct(_) => Kind::Struct,
                        CompositeType::Array(_) => Kind::Array,
                    };
                    let (supertype, depth) = match sub.supertypes[..] {
                        [] => (None, 0),
                        [HeapType::Concrete(y)] if y.0 < x => {
                            let depth = table.info[y.index()].depth + 1;
                            if depth > MAX_SUBTYPING_DEPTH {
                                return Err(ValidationError::invalid(format!(
                                    "sub type hierarchy too deep: type {x} has {depth} supertypes"
                                )));
                            }
                            (Some(table.canon[y.index()]), depth)
                        }
                        [HeapType::Concrete(y)] => {
                            return Err(ValidationError::invalid(format!(
                                "sub type {x}: forward use of super type {y}"
                            )))
                        }
                        [_] => {
                            return Err(ValidationError::invalid(format!(
                                "sub type {x}: super type is not a type index"
                            )))
                        }
                        _ => {
                            return Err(ValidationError::invalid(format!(
                                "sub type {x}: multiple supertypes"
                            )))
                        }
                    };
                    table.info.push(Info {
                        kind,
                        supertype,
                        depth,
                        descriptor: sub.descriptor.and_then(|h| h.type_index()).map(|t| t.0),
                    });
                }
                for (i, sub) in group.iter().enumerate() {
                    at = first.0 + i as u32;
                    let x = first.0 + i as u32;
                    if let Some(&HeapType::Concrete(y)) = sub.supertypes.first() {
                        let sup = types.get(y).expect("checked above: y < x");
                        if sup.is_final {
                            return Err(ValidationError::invalid(format!(
                                "sub type {x} has final super type {y}"
                            )));
                        }
                        table.check_descriptor_sub(sub, sup, x, y.0)?;
                        if !table.composite_matches(&sub.composite, &sup.composite) {
                            return Err(ValidationError::invalid(format!(
                                "sub type {x} does not match super type {y}"
                            )));
                        }
                    }
                }
                Ok(())
            })();
            checked.map_err(|e| e.in_field(ModuleField::Type(at)))?;
        }
        Ok(table)
    }

    /// The kind of type `t`, if it exists.
    pub(crate) fn kind(&self, t: u32) -> Option<Kind> {
        self.info.get(t as usize).map(|i| i.kind)
    }

    /// The descriptor type of type `t` (custom descriptors), if it has
    /// one.
    pub(crate) fn descriptor(&self, t: u32) -> Option<TypeIdx> {
        self.info.get(t as usize)?.descriptor.map(TypeIdx)
    }

    /// The rules of the custom-descriptors proposal for a declared
    /// supertype `y` of type `x`: a type with a `describes` clause has a
    /// supertype with one, describing a supertype of what it describes, and
    /// one without has a supertype without; a supertype with a `descriptor`
    /// clause needs the subtype to have one, naming a subtype of its
    /// descriptor type.
    fn check_descriptor_sub(&self, sub: &SubType, sup: &SubType, x: u32, y: u32) -> Result<()> {
        let mismatch =
            || ValidationError::invalid(format!("sub type {x} does not match super type {y}"));
        let idx = |h: Option<HeapType>| h.and_then(|h| h.type_index()).map(|t| t.0);
        let canon = |t: u32| self.canon.get(t as usize).copied().unwrap_or(t);
        match (idx(sub.describes), idx(sup.describes)) {
            (Some(a), Some(b)) => {
                if !self.is_declared_subtype(canon(a), canon(b)) {
                    return Err(ValidationError::invalid(format!(
                        "described type {a} does not match {b}"
                    )));
                }
            }
            (Some(_), None) | (None, Some(_)) => return Err(mismatch()),
            (None, None) => {}
        }
        match (idx(sub.descriptor), idx(sup.descriptor)) {
            (Some(a), Some(b)) => {
                if !self.is_declared_subtype(canon(a), canon(b)) {
                    return Err(ValidationError::invalid(format!(
                        "descriptor type {a} does not match {b}"
                    )));
                }
            }
            (None, Some(_)) => return Err(mismatch()),
            (Some(_), None) | (None, None) => {}
        }
        Ok(())
    }

    /// The operand type of a value type whose type indices exist.
    pub(crate) fn val(&self, t: ValType) -> OpType {
        match t {
            ValType::I32 => OpType::I32,
            ValType::I64 => OpType::I64,
            ValType::F32 => OpType::F32,
            ValType::F64 => OpType::F64,
            ValType::V128 => OpType::V128,
            ValType::Ref(r) => self.reference(r),
        }
    }

    /// The operand type of a reference type whose type index exists.
    pub(crate) fn reference(&self, r: RefType) -> OpType {
        OpType::reference(r.nullable, self.heap(r.heap))
    }

    /// The packed form of a heap type whose type index exists.
    pub(crate) fn heap(&self, h: HeapType) -> Heap {
        match Heap::of_abstract(h) {
            Some(h) => h,
            None => {
                let t = h.type_index().map_or(0, |t| t.0);
                let canon = self.canon.get(t as usize).copied().unwrap_or(t);
                if h.is_exact() {
                    Heap::exact(canon)
                } else {
                    Heap::concrete(canon)
                }
            }
        }
    }

    /// §3.3.3 matching of operand types: `a` may be used where `b` is
    /// expected. `UNKNOWN` matches everything.
    #[inline]
    pub(crate) fn matches(&self, a: OpType, b: OpType) -> bool {
        if a == b || a == OpType::UNKNOWN || b == OpType::UNKNOWN {
            return true;
        }
        match (a.as_ref(), b.as_ref()) {
            (Some((an, ah)), Some((bn, bh))) => (bn || !an) && self.heap_matches(ah, bh),
            _ => false,
        }
    }

    /// §3.3.3 heap type matching.
    pub(crate) fn heap_matches(&self, a: Heap, b: Heap) -> bool {
        if a == b || a == Heap::BOT {
            return true;
        }
        let kind_of = |h: Heap| h.type_index().and_then(|t| self.kind(t));
        // Custom descriptors: an exact type is matched only by itself and
        // by the bottom type of its hierarchy; an exact type matches what
        // its inexact form matches.
        if b.is_exact() {
            return match a {
                Heap::NONE => matches!(kind_of(b), Some(Kind::Struct | Kind::Array)),
                Heap::NOFUNC => kind_of(b) == Some(Kind::Func),
                _ => false,
            };
        }
        let a = a.inexact();
        if a == b {
            return true;
        }
        match a {
            Heap::NONE => {
                matches!(
                    b,
                    Heap::ANY | Heap::EQ | Heap::I31 | Heap::STRUCT | Heap::ARRAY
                ) || matches!(kind_of(b), Some(Kind::Struct | Kind::Array))
            }
            Heap::NOFUNC => b == Heap::FUNC || kind_of(b) == Some(Kind::Func),
            Heap::NOEXTERN => b == Heap::EXTERN,
            Heap::NOEXN => b == Heap::EXN,
            Heap::EQ => b == Heap::ANY,
            Heap::I31 | Heap::STRUCT | Heap::ARRAY => matches!(b, Heap::EQ | Heap::ANY),
            _ => match (a.type_index(), b.type_index()) {
                (Some(x), Some(y)) => self.is_declared_subtype(x, y),
                (Some(x), None) => match self.kind(x) {
                    Some(Kind::Func) => b == Heap::FUNC,
                    Some(Kind::Struct) => matches!(b, Heap::STRUCT | Heap::EQ | Heap::ANY),
                    Some(Kind::Array) => matches!(b, Heap::ARRAY | Heap::EQ | Heap::ANY),
                    None => false,
                },
                _ => false,
            },
        }
    }

    /// The top of the hierarchy of heap type `h` (§3.3.3 of 3.0): `any`,
    /// `func`, `extern` or `exn`; the bottom type is its own.
    pub(crate) fn top(&self, h: Heap) -> Heap {
        match h {
            Heap::FUNC | Heap::NOFUNC => Heap::FUNC,
            Heap::EXTERN | Heap::NOEXTERN => Heap::EXTERN,
            Heap::EXN | Heap::NOEXN => Heap::EXN,
            Heap::BOT => Heap::BOT,
            _ => match h.type_index().and_then(|t| self.kind(t)) {
                Some(Kind::Func) => Heap::FUNC,
                _ => Heap::ANY,
            },
        }
    }

    /// Whether canonical type `y` is `x` or one of its supertypes.
    fn is_declared_subtype(&self, x: u32, y: u32) -> bool {
        let mut t = x;
        loop {
            if t == y {
                return true;
            }
            match self.info.get(t as usize).and_then(|i| i.supertype) {
                Some(s) => t = s,
                None => return false,
            }
        }
    }

    /// Value type matching on module types (their indices are known).
    fn val_matches(&self, a: ValType, b: ValType) -> bool {
        self.matches(self.val(a), self.val(b))
    }

    /// §3.3.3 field type matching: mutable fields are invariant.
    fn field_matches(&self, a: FieldType, b: FieldType) -> bool {
        let storage = |x: StorageType, y: StorageType| match (x, y) {
            (StorageType::Val(x), StorageType::Val(y)) => self.val_matches(x, y),
            (x, y) => x == y,
        };
        a.mutability == b.mutability
            && storage(a.storage, b.storage)
            && (a.mutability == Mut::Const || storage(b.storage, a.storage))
    }

    /// §3.3.3 composite type matching.
    fn composite_matches(&self, a: &CompositeType, b: &CompositeType) -> bool {
        match (a, b) {
            (CompositeType::Func(a), CompositeType::Func(b)) => {
                a.params.len() == b.params.len()
                    && a.results.len() == b.results.len()
                    && a.params
                        .iter()
                        .zip(&b.params)
                        .all(|(&x, &y)| self.val_matches(y, x))
                    && a.results
                        .iter()
                        .zip(&b.results)
                        .all(|(&x, &y)| self.val_matches(x, y))
            }
            (CompositeType::Struct(a), CompositeType::Struct(b)) => {
                a.fields.len() >= b.fields.len()
                    && a.fields
                        .iter()
                        .zip(&b.fields)
                        .all(|(&x, &y)| self.field_matches(x, y))
            }
            (CompositeType::Array(a), CompositeType::Array(b)) => {
                self.field_matches(a.field, b.field)
            }
            _ => false,
        }
    }
}

/// The custom-descriptors rules within a recursion group starting at type
/// `first`: a `describes` clause names an earlier type of the group whose
/// `descriptor` clause names this type, and a `descriptor` clause names a
/// type of the group whose `describes` clause names this type (so that
/// descriptor chains have no cycles).
fn check_descriptor_clauses(group: &[SubType], first: TypeIdx) -> Result<()> {
    let pos = |h: HeapType| {
        h.type_index()
            .and_then(|t| t.0.checked_sub(first.0))
            .filter(|&i| (i as usize) < group.len())
    };
    for (i, sub) in group.iter().enumerate() {
        let me = Some(first.0 + i as u32);
        let idx = |h: Option<HeapType>| h.and_then(|h| h.type_index()).map(|t| t.0);
        if let Some(h) = sub.describes {
            let Some(j) = pos(h) else {
                return Err(ValidationError::invalid(
                    "described type is outside rec group",
                ));
            };
            if idx(group[j as usize].descriptor) != me {
                return Err(ValidationError::invalid(
                    "described type is not described by descriptor",
                ));
            }
            if j as usize >= i {
                return Err(ValidationError::invalid("forward use of described type"));
            }
        }
        if let Some(h) = sub.descriptor {
            let Some(j) = pos(h) else {
                return Err(ValidationError::invalid(
                    "descriptor type is outside rec group",
                ));
            };
            if idx(group[j as usize].describes) != me {
                return Err(ValidationError::invalid(
                    "type is not described by its descriptor",
                ));
            }
        }
    }
    Ok(())
}

/// The type indices a subtype (type `x` of a group ending before `end`)
/// names exist, and its value types are those of the enabled features.
fn check_sub_type_refs(features: Features, sub: &SubType, end: usize, x: u32) -> Result<()> {
    if !(features.has(Feature::Gc) || sub.is_final && sub.supertypes.is_empty()) {
        return Err(ValidationError::invalid(format!(
            "invalid sub type {x}: subtypes require GC"
        )));
    }
    let mut result = Ok(());
    let mut check = |t: ValType| {
        if result.is_ok() {
            result = check_val_type(features, end, t);
        }
    };
    match &sub.composite {
        CompositeType::Func(_) => {}
        CompositeType::Struct(_) | CompositeType::Array(_) if features.has(Feature::Gc) => {}
        CompositeType::Struct(_) | CompositeType::Array(_) => {
            return Err(ValidationError::invalid(format!(
                "invalid type {x}: struct and array types require GC"
            )))
        }
    }
    sub.composite.for_each_val_type(&mut check);
    result.map_err(ValidationError::invalid)?;
    if sub.describes.is_some() || sub.descriptor.is_some() {
        if !features.has(Feature::CustomDescriptors) {
            return Err(ValidationError::invalid(format!(
                "invalid type {x}: descriptor clauses require custom descriptors"
            )));
        }
        if !matches!(sub.composite, CompositeType::Struct(_)) {
            return Err(ValidationError::invalid(if sub.descriptor.is_some() {
                "descriptor type must be a struct"
            } else {
                "described type must be a struct"
            }));
        }
    }
    for &h in &sub.supertypes {
        check_heap_type(features, end, h).map_err(ValidationError::invalid)?;
    }
    Ok(())
}

/// A value type (§3.2.4) must be one the enabled features provide, and its
/// type index, if any, below `num_types`.
pub(crate) fn check_val_type(
    features: Features,
    num_types: usize,
    t: ValType,
) -> Result<(), String> {
    match t {
        ValType::V128 if !features.has(Feature::Simd) => {
            Err("invalid value type: v128 requires SIMD".into())
        }
        ValType::Ref(r) if !r.nullable && !features.has(Feature::FunctionReferences) => Err(
            format!("invalid value type: {r} requires function references"),
        ),
        ValType::Ref(r) => check_heap_type(features, num_types, r.heap),
        _ => Ok(()),
    }
}

/// A heap type (§3.2.3) must be one the enabled features provide, and its
/// type index below `num_types`.
pub(crate) fn check_heap_type(
    features: Features,
    num_types: usize,
    h: HeapType,
) -> Result<(), String> {
    let needs = match h {
        HeapType::Func | HeapType::Extern => return Ok(()),
        HeapType::Exn | HeapType::NoExn => Feature::Exceptions,
        HeapType::NoFunc | HeapType::NoExtern => Feature::FunctionReferences,
        HeapType::Any
        | HeapType::Eq
        | HeapType::I31
        | HeapType::Struct
        | HeapType::Array
        | HeapType::None => Feature::Gc,
        HeapType::Concrete(t) => {
            if !features.has(Feature::FunctionReferences) {
                return Err(format!(
                    "invalid heap type {t}: type indices require function references"
                ));
            }
            if t.index() >= num_types {
                return Err(format!("unknown type {t}"));
            }
            return Ok(());
        }
        HeapType::Exact(t) => {
            if !features.has(Feature::CustomDescriptors) {
                return Err(format!("invalid heap type (exact {t}): not enabled"));
            }
            if t.index() >= num_types {
                return Err(format!("unknown type {t}"));
            }
            return Ok(());
        }
        HeapType::Rec(_) | HeapType::RecExact(_) => {
            return Err("invalid heap type: a rolled recursive type".into())
        }
    };
    if features.has(needs) {
        Ok(())
    } else {
        Err(format!("invalid heap type {h}: not enabled"))
    }
}
