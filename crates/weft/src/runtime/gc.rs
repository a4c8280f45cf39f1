//! The GC heap of a store: structs and arrays (§4.2.5 of Wasm 3.0,
//! aggregate instances) and their collector.
//!
//! # Object layout
//! An object is its engine type id and its fields as 64-bit slots, in the
//! slot encoding of values (`values.rs`): a struct's fields in order (a
//! `v128` field takes two slots, packed `i8`/`i16` fields one slot holding
//! the masked value), an array's elements one after another (one or two
//! slots each), an exception its tag's store address and then its payload
//! (its type id is the tag's function type: `exception.rs`). Objects live in one vector and are named by their index;
//! a reference to object `i` is `(i + 1) << 2` (see `values.rs` for the
//! whole encoding: i31 values are unboxed and need no object).
//!
//! # Roots
//! - globals, tables and the element segments of instances, read by their
//!   types (precise);
//! - the host's handles ([`crate::AnyRef`]): a list of rooted values that
//!   lives as long as the store (handles are never unrooted: simple, and
//!   bounded by what the host asks for);
//! - the interpreter's value stack, up to the top of the running frame,
//!   read conservatively: every slot that holds what could be a reference
//!   to a live object keeps it (a number that looks like one only retains
//!   garbage, never frees a live object). The accumulator registers never
//!   hold a reference when an allocation runs: the translator routes only
//!   operands of numeric and `select` consumers through them, and no
//!   allocating instruction reads them.
//!
//! # Triggering
//! An allocation in interpreted code collects first when the bytes
//! allocated since the last collection reach the threshold, which is twice
//! the live bytes after that collection (at least [`MIN_THRESHOLD`]), so
//! that the heap stays within a constant factor of the live set. Only the
//! outermost interpreted execution collects, with no compiled frame and no
//! host frame between Wasm frames: every frame is then in the one value
//! stack the collector scans. Otherwise the allocation proceeds and a later
//! one collects. Stress mode ([`Heap::stress`]) collects at every
//! allocation. The heap has a hard limit ([`MAX_OBJECTS`] objects, and the
//! byte limit [`MAX_BYTES`] of live data, or less as the store's resource
//! limiter says): an allocation beyond collects first if it can, and then
//! traps with "out of memory: GC heap limit reached" instead of growing
//! the process.
//!
//! # Why this collector
//! Mark and sweep without moving: references are indices, so nothing that
//! holds one ever needs updating, and a conservative stack scan is sound
//! (a moving collector would need precise stack maps, which the untyped
//! slots of the interpreter do not have). Cycles are collected like any
//! other garbage. Freed indices are reused through a free list.

use std::sync::Arc;

use crate::types::{Layout, TypeInfo};
use weft_syntax::{HeapType, ValType};

/// Whether slot values of heap type `h` (engine ids) may refer to heap
/// objects: every hierarchy but func (an extern may be an externalised
/// object).
pub(crate) fn may_hold_objects(types: &[Arc<TypeInfo>], h: HeapType) -> bool {
    match h {
        HeapType::Func | HeapType::NoFunc => false,
        HeapType::Concrete(t) => !matches!(types[t.index()].layout, Layout::Func),
        _ => true,
    }
}

/// Least allocation volume between two collections, in bytes.
pub(crate) const MIN_THRESHOLD: usize = 1 << 20;
/// Most objects a heap may hold at once.
pub(crate) const MAX_OBJECTS: usize = 1 << 28;
/// Most bytes of object data a heap may hold at once.
pub(crate) const MAX_BYTES: usize = 1 << 32;

/// Per-object overhead counted in the byte totals (the vector entry and
/// the allocation's header).
const OVERHEAD: usize = 32;

/// The type id of a free object slot.
const FREE: u32 = u32::MAX;

/// A struct or array.
pub(crate) struct Object {
    /// Engine type id.
    pub(crate) ty: u32,
    /// Fields or elements, in slots.
    pub(crate) data: Box<[u64]>,
}

/// The heap.
pub(crate) struct Heap {
    pub(crate) objects: Vec<Object>,
    free: Vec<u32>,
    /// Values the host holds ([`crate::AnyRef`] indexes this), behind a
    /// lock so that reading a value through a shared store can root it.
    pub(crate) roots: std::sync::Mutex<Vec<u64>>,
    /// Bytes allocated since the last collection.
    allocated: usize,
    /// Bytes of the objects alive after the last collection plus those
    /// allocated since.
    bytes: usize,
    threshold: usize,
    /// Most bytes of live objects: [`MAX_BYTES`], or less as the store's
    /// resource limiter says (`limits.rs`).
    pub(crate) limit: usize,
    /// Collect at every allocation (tests).
    pub(crate) stress: bool,
    /// Collections so far.
    pub(crate) collections: u64,
}

impl Default for Heap {
    fn default() -> Self {
        Heap {
            objects: Vec::new(),
            free: Vec::new(),
            roots: std::sync::Mutex::new(Vec::new()),
            allocated: 0,
            bytes: 0,
            threshold: MIN_THRESHOLD,
            limit: MAX_BYTES,
            stress: false,
            collections: 0,
        }
    }
}

/// The tag bits of an `anyref` slot (see `values.rs`).
pub(crate) mod enc {
    /// A reference to an externalised `any` value has this bit in the
    /// `extern` hierarchy.
    pub(crate) const EXTERNALIZED: u64 = 1 << 63;

    /// `ref.i31`: the low 31 bits of `v`, tagged.
    #[inline]
    pub(crate) fn i31(v: u32) -> u64 {
        (u64::from(v & 0x7fff_ffff) << 1) | 1
    }

    /// Whether a non-null `anyref` is an i31.
    #[inline]
    pub(crate) fn is_i31(r: u64) -> bool {
        r & 1 == 1
    }

    /// `i31.get_s`.
    #[inline]
    pub(crate) fn i31_get_s(r: u64) -> i32 {
        ((r >> 1) as u32 as i32) << 1 >> 1
    }

    /// `i31.get_u`.
    #[inline]
    pub(crate) fn i31_get_u(r: u64) -> u32 {
        (r >> 1) as u32 & 0x7fff_ffff
    }

    /// The reference to object `i`.
    #[inline]
    pub(crate) fn object(i: u32) -> u64 {
        (u64::from(i) + 1) << 2
    }

    /// The object an `anyref` refers to, if it is one.
    #[inline]
    pub(crate) fn object_index(r: u64) -> Option<u32> {
        if r != 0 && r & 3 == 0 && r & EXTERNALIZED == 0 {
            Some(((r >> 2) - 1) as u32)
        } else {
            None
        }
    }

    /// Whether a non-null `anyref` is a host reference brought in by
    /// `any.convert_extern`.
    #[inline]
    pub(crate) fn is_host(r: u64) -> bool {
        r & 3 == 2
    }

    /// `any.convert_extern`.
    #[inline]
    pub(crate) fn internalize(e: u64) -> u64 {
        if e == 0 {
            0
        } else if e & EXTERNALIZED != 0 {
            e & !EXTERNALIZED
        } else {
            (e << 2) | 2
        }
    }

    /// `extern.convert_any`.
    #[inline]
    pub(crate) fn externalize(a: u64) -> u64 {
        if a == 0 {
            0
        } else if is_host(a) {
            a >> 2
        } else {
            a | EXTERNALIZED
        }
    }
}

/// An allocation failed: the heap is at its limit. Holds the object's
/// data, for another try after a collection.
pub(crate) struct HeapFull(pub(crate) Box<[u64]>);

impl Heap {
    /// An empty heap; `stress`: collect at every allocation.
    pub(crate) fn new(stress: bool) -> Heap {
        Heap {
            stress,
            ..Heap::default()
        }
    }

    /// Whether the next allocation should collect first.
    #[inline]
    pub(crate) fn wants_collection(&self) -> bool {
        self.stress || self.allocated >= self.threshold
    }

    /// Adds an object; returns its reference.
    pub(crate) fn alloc(&mut self, ty: u32, data: Box<[u64]>) -> Result<u64, HeapFull> {
        let size = data.len() * 8 + OVERHEAD;
        if self.bytes + size > self.limit {
            return Err(HeapFull(data));
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.objects[i as usize] = Object { ty, data };
                i
            }
            None => {
                if self.objects.len() >= MAX_OBJECTS {
                    return Err(HeapFull(data));
                }
                self.objects.push(Object { ty, data });
                (self.objects.len() - 1) as u32
            }
        };
        self.allocated += size;
        self.bytes += size;
        Ok(enc::object(i))
    }

    /// The object a reference names, if it is a live one.
    #[inline]
    pub(crate) fn get(&self, r: u64) -> Option<&Object> {
        let o = self.objects.get(enc::object_index(r)? as usize)?;
        (o.ty != FREE).then_some(o)
    }

    /// The object a reference names, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, r: u64) -> Option<&mut Object> {
        let o = self.objects.get_mut(enc::object_index(r)? as usize)?;
        (o.ty != FREE).then_some(o)
    }

    /// Number of live objects (after the last collection, plus those
    /// allocated since).
    pub(crate) fn len(&self) -> usize {
        self.objects.len() - self.free.len()
    }

    /// Roots `r` for the host; the handle's index.
    pub(crate) fn root(&self, r: u64) -> u32 {
        let mut roots = self.roots.lock().unwrap_or_else(|e| e.into_inner());
        roots.push(r);
        (roots.len() - 1) as u32
    }

    /// The value of host handle `i`.
    pub(crate) fn rooted(&self, i: u32) -> u64 {
        self.roots.lock().unwrap_or_else(|e| e.into_inner())[i as usize]
    }

    /// Collects every object not reachable from `roots` (precise
    /// references, of the any or extern hierarchy), the host's handles, or
    /// `conservative` (slots that may hold references).
    pub(crate) fn collect(
        &mut self,
        types: &[Arc<TypeInfo>],
        roots: impl Iterator<Item = u64>,
        conservative: &[u64],
    ) {
        let mut marks = vec![false; self.objects.len()];
        let mut work: Vec<u32> = Vec::new();
        let objects = &self.objects;
        let mut visit = |r: u64, work: &mut Vec<u32>| {
            if let Some(i) = enc::object_index(r & !enc::EXTERNALIZED) {
                if let Some(o) = objects.get(i as usize) {
                    if o.ty != FREE && !marks[i as usize] {
                        marks[i as usize] = true;
                        work.push(i);
                    }
                }
            }
        };
        let held = self.roots.get_mut().unwrap_or_else(|e| e.into_inner());
        for r in roots.chain(held.iter().copied()) {
            visit(r, &mut work);
        }
        for &r in conservative {
            visit(r, &mut work);
        }
        while let Some(i) = work.pop() {
            let o = &objects[i as usize];
            match &types[o.ty as usize].layout {
                Layout::Struct { fields, .. } => {
                    for f in fields.iter().filter(|f| f.gc_ref) {
                        visit(o.data[f.offset as usize], &mut work);
                    }
                }
                Layout::Array { elem } if elem.gc_ref => {
                    for &r in o.data.iter() {
                        visit(r, &mut work);
                    }
                }
                Layout::Func => {
                    // An exception (`exception.rs`): its tag's address,
                    // then the payload by the tag's parameter types.
                    let mut at = 1;
                    for &p in &types[o.ty as usize].func.params {
                        if let ValType::Ref(r) = p {
                            if may_hold_objects(types, r.heap) {
                                visit(o.data[at], &mut work);
                            }
                        }
                        at += 1 + (p == ValType::V128) as usize;
                    }
                }
                Layout::Array { .. } => {}
            }
        }
        let mut bytes = 0;
        for (i, o) in self.objects.iter_mut().enumerate() {
            if o.ty == FREE {
                continue;
            }
            if marks[i] {
                bytes += o.data.len() * 8 + OVERHEAD;
            } else {
                *o = Object {
                    ty: FREE,
                    data: Box::new([]),
                };
                self.free.push(i as u32);
            }
        }
        // Trailing free slots give their memory back.
        while self.objects.last().is_some_and(|o| o.ty == FREE) {
            self.objects.pop();
        }
        let n = self.objects.len() as u32;
        self.free.retain(|&i| i < n);
        self.bytes = bytes;
        self.allocated = 0;
        self.threshold = (2 * bytes).max(MIN_THRESHOLD);
        self.collections += 1;
    }
}
