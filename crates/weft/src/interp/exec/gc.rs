//! Handler of [`Op::Gc`]: the GC instructions (§4.4.7 of Wasm 3.0,
//! aggregate and reference instructions), one out-of-line function
//! dispatching on [`GcOp`]. Objects live in the store's heap
//! (`runtime/gc.rs`), which collects before an allocation when it wants to
//! and the running execution is the only one (see there for the roots).

use super::*;
use crate::runtime::gc::{enc, HeapFull};
use crate::types::{abstract_target, FieldLayout, Layout};
use weft_syntax::{HeapType, StorageType, ValType};

def!(pub(super) Gc(ip, fp, mb, ml, cx, acc, facc) Op::Gc { op, dst, a, b, c, imm } => {
    // SAFETY: the translator named slots of the frame at `fp`.
    match unsafe { gc_op(cx, fp, op, dst, a, b, c, imm) } {
        // SAFETY: the next instruction.
        Ok(()) => next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc),
        Err(code) => trap(cx, ip, code),
    }
});

pub(crate) use crate::runtime::gc::may_hold_objects;

/// Collects garbage if this is the only execution (see `runtime/gc.rs`):
/// the roots are the store's globals, tables and element segments, and
/// the value stack up to the top of the current frame.
fn collect(cx: &mut Cx<'_>, fp: *mut u64) {
    if cx.inner.executions != 1 {
        return;
    }
    // SAFETY: the store keeps the current function's code alive.
    let frame = unsafe { (*cx.code).frame_size };
    let top = (fp_offset(cx, fp) + frame).min(cx.stack.slots.len());
    collect_store(cx.inner, &cx.stack.slots[..top]);
}

/// Collects garbage with the store's roots and the value stack `stack`
/// (read conservatively).
pub(crate) fn collect_store(inner: &mut StoreInner, stack: &[u64]) {
    let StoreInner {
        gc,
        globals,
        tables,
        instances,
        types,
        ..
    } = inner;
    let types: &[std::sync::Arc<crate::types::TypeInfo>] = types;
    let holds = |t: ValType| matches!(t, ValType::Ref(r) if may_hold_objects(types, r.heap));
    let globals = globals
        .iter()
        .filter(|g| holds(g.ty.content))
        .map(|g| g.value[0]);
    let tables = tables
        .iter()
        .filter(|t| may_hold_objects(types, t.ty.elem.heap))
        .flat_map(|t| t.elems.iter().copied());
    let segments = instances.iter().flat_map(|i| {
        let canon = crate::types::Canon(&i.module.type_ids);
        i.elems
            .iter()
            .zip(&i.module.module.elems)
            .filter(move |(_, e)| may_hold_objects(types, canon.heap(e.ty.heap)))
            .flat_map(|(v, _)| v.iter().copied())
    });
    gc.collect(types, globals.chain(tables).chain(segments), stack);
}

/// Allocates an object of engine type `ty`, collecting first if the heap
/// wants to.
pub(super) fn alloc(
    cx: &mut Cx<'_>,
    fp: *mut u64,
    ty: u32,
    data: Box<[u64]>,
) -> Result<u64, TrapCode> {
    if cx.inner.gc.wants_collection() {
        collect(cx, fp);
    }
    match cx.inner.gc.alloc(ty, data) {
        Ok(r) => Ok(r),
        // At the limit: what garbage there is goes first.
        Err(HeapFull(data)) => {
            collect(cx, fp);
            cx.inner
                .gc
                .alloc(ty, data)
                .map_err(|_| TrapCode::GcHeapExhausted)
        }
    }
}

/// A zeroed vector of `n` slots, or the heap's limit.
fn zeroed(n: u64) -> Result<Vec<u64>, TrapCode> {
    if n.saturating_mul(8) > crate::runtime::gc::MAX_BYTES as u64 {
        return Err(TrapCode::GcHeapExhausted);
    }
    let mut v = Vec::new();
    v.try_reserve_exact(n as usize)
        .map_err(|_| TrapCode::GcHeapExhausted)?;
    v.resize(n as usize, 0);
    Ok(v)
}

/// The value of a field as stored: packed fields masked (slots hold i32s
/// zero-extended already).
#[inline]
fn pack(s: StorageType, v: u64) -> u64 {
    match s {
        StorageType::I8 => v & 0xff,
        StorageType::I16 => v & 0xffff,
        StorageType::Val(_) => v,
    }
}

/// A packed field read with sign extension (`_s`).
#[inline]
fn unpack_s(s: StorageType, v: u64) -> u64 {
    match s {
        StorageType::I8 => u64::from(v as u8 as i8 as i32 as u32),
        StorageType::I16 => u64::from(v as u16 as i16 as i32 as u32),
        StorageType::Val(_) => v,
    }
}

/// Bytes of one element of storage type `s` in a data segment.
fn byte_size(s: StorageType) -> usize {
    match s {
        StorageType::I8 => 1,
        StorageType::I16 => 2,
        StorageType::Val(ValType::I64 | ValType::F64) => 8,
        StorageType::Val(ValType::V128) => 16,
        StorageType::Val(_) => 4,
    }
}

/// Reads `n` elements of storage type `s` from bytes (little-endian) into
/// slots of width `w`.
fn from_bytes(s: StorageType, bytes: &[u8], out: &mut [u64], w: usize) {
    let size = byte_size(s);
    for (i, chunk) in bytes.chunks_exact(size).enumerate() {
        let mut b = [0u8; 16];
        b[..size].copy_from_slice(chunk);
        let v = u128::from_le_bytes(b);
        out[i * w] = v as u64;
        if w == 2 {
            out[i * w + 1] = (v >> 64) as u64;
        }
    }
}

/// Whether `start + len <= size`, without overflow.
#[inline]
fn fits(start: u64, len: u64, size: usize) -> bool {
    start.checked_add(len).is_some_and(|e| e <= size as u64)
}

/// The array layout of object `o`.
fn elem_of(cx: &Cx<'_>, ty: u32) -> (FieldLayout, usize) {
    match &cx.inner.types[ty as usize].layout {
        Layout::Array { elem } => (*elem, elem.width()),
        // Validation lets only arrays reach array instructions.
        _ => (FieldLayout::NONE, 1),
    }
}

/// Whether non-null reference `r` matches cast target `t` (an engine type
/// id, or an abstract heap type encoded by `cast_target`).
pub(crate) fn ref_matches(inner: &StoreInner, r: u64, t: u32) -> bool {
    if let Some(h) = abstract_target(t) {
        let obj = || inner.gc.get(r).map(|o| &inner.types[o.ty as usize].layout);
        return match h {
            HeapType::Any | HeapType::Func | HeapType::Extern | HeapType::Exn => true,
            HeapType::Eq => enc::is_i31(r) || obj().is_some(),
            HeapType::I31 => enc::is_i31(r),
            HeapType::Struct => matches!(obj(), Some(Layout::Struct { .. })),
            HeapType::Array => matches!(obj(), Some(Layout::Array { .. })),
            _ => false,
        };
    }
    match inner.types[t as usize].layout {
        Layout::Func => {
            let f = (r - 1) as usize;
            inner
                .funcs
                .get(f)
                .is_some_and(|f| inner.is_subtype(f.ty, t))
        }
        _ => inner.gc.get(r).is_some_and(|o| inner.is_subtype(o.ty, t)),
    }
}

/// Executes `op` (see [`GcOp`] for its operands).
///
/// # Safety
/// The slots the operands name (and the consecutive ones of the
/// multi-operand forms, and `dst`, `dst + 1` for a v128 result) must be
/// slots of the frame at `fp`.
#[inline(never)]
#[allow(clippy::too_many_arguments)] // the fields of `Op::Gc`
unsafe fn gc_op(
    cx: &mut Cx<'_>,
    fp: *mut u64,
    op: GcOp,
    dst: Slot,
    a: Slot,
    b: Slot,
    c: Slot,
    imm: u32,
) -> Result<(), TrapCode> {
    let r64 = |s: Slot| -> u64 { rd(fp, s) };
    let r32 = |s: Slot| -> u32 { rd(fp, s) };
    match op {
        GcOp::RefEq => wr(fp, dst, u32::from(r64(a) == r64(b))),
        GcOp::RefI31 => wr(fp, dst, enc::i31(r32(a))),
        GcOp::I31GetS | GcOp::I31GetU => {
            let r = r64(a);
            if r == 0 {
                return Err(TrapCode::NullI31Reference);
            }
            let v = if op == GcOp::I31GetS {
                enc::i31_get_s(r) as u32
            } else {
                enc::i31_get_u(r)
            };
            wr(fp, dst, v);
        }
        GcOp::AnyConvertExtern => wr(fp, dst, enc::internalize(r64(a))),
        GcOp::ExternConvertAny => wr(fp, dst, enc::externalize(r64(a))),
        GcOp::RefTest => {
            let r = r64(a);
            let ok = if r == 0 {
                c != 0
            } else {
                ref_matches(cx.inner, r, imm)
            };
            wr(fp, dst, u32::from(ok));
        }
        GcOp::RefCast => {
            let r = r64(a);
            let ok = if r == 0 {
                c != 0
            } else {
                ref_matches(cx.inner, r, imm)
            };
            if !ok {
                return Err(TrapCode::CastFailure);
            }
            wr(fp, dst, r);
        }
        GcOp::StructNew | GcOp::StructNewDefault => {
            let Layout::Struct { fields, slots } = &cx.inner.types[imm as usize].layout else {
                return Err(TrapCode::Unreachable);
            };
            let mut data = zeroed(u64::from(*slots))?;
            if op == GcOp::StructNew {
                for f in fields.iter() {
                    let s = a + f.offset as Slot;
                    data[f.offset as usize] = pack(f.storage, r64(s));
                    if f.width() == 2 {
                        data[f.offset as usize + 1] = r64(s + 1);
                    }
                }
            }
            let r = alloc(cx, fp, imm, data.into())?;
            wr(fp, dst, r);
        }
        GcOp::StructGet | GcOp::StructGetS => {
            let o = cx
                .inner
                .gc
                .get(r64(a))
                .ok_or(TrapCode::NullStructReference)?;
            let Layout::Struct { fields, .. } = &cx.inner.types[o.ty as usize].layout else {
                return Err(TrapCode::Unreachable);
            };
            let f = fields[imm as usize];
            let v = o.data[f.offset as usize];
            let v = if op == GcOp::StructGetS {
                unpack_s(f.storage, v)
            } else {
                v
            };
            wr(fp, dst, v);
            if f.width() == 2 {
                wr(fp, dst + 1, o.data[f.offset as usize + 1]);
            }
        }
        GcOp::StructSet => {
            let StoreInner { gc, types, .. } = &mut *cx.inner;
            let o = gc.get_mut(r64(a)).ok_or(TrapCode::NullStructReference)?;
            let Layout::Struct { fields, .. } = &types[o.ty as usize].layout else {
                return Err(TrapCode::Unreachable);
            };
            let f = fields[imm as usize];
            o.data[f.offset as usize] = pack(f.storage, r64(b));
            if f.width() == 2 {
                o.data[f.offset as usize + 1] = r64(b + 1);
            }
        }
        GcOp::ArrayNew | GcOp::ArrayNewDefault | GcOp::ArrayNewFixed => {
            let (elem, w) = elem_of(cx, imm);
            let n = if op == GcOp::ArrayNewFixed {
                u64::from(c)
            } else {
                u64::from(r32(b))
            };
            let mut data = zeroed(n.saturating_mul(w as u64))?;
            match op {
                GcOp::ArrayNew => {
                    let v = [
                        pack(elem.storage, r64(a)),
                        if w == 2 { r64(a + 1) } else { 0 },
                    ];
                    for e in data.chunks_exact_mut(w) {
                        e.copy_from_slice(&v[..w]);
                    }
                }
                GcOp::ArrayNewFixed => {
                    for (i, e) in data.iter_mut().enumerate() {
                        *e = r64(a + i as Slot);
                        if w == 1 {
                            *e = pack(elem.storage, *e);
                        }
                    }
                }
                _ => {}
            }
            let r = alloc(cx, fp, imm, data.into())?;
            wr(fp, dst, r);
        }
        GcOp::ArrayNewData => {
            let (elem, w) = elem_of(cx, imm);
            let (off, n) = (u64::from(r32(a)), u64::from(r32(b)));
            let size = byte_size(elem.storage) as u64;
            let instance = &cx.inner.instances[cx.inst as usize];
            let seg: &[u8] = if instance.data_dropped[c as usize] {
                &[]
            } else {
                &instance.module.module.datas[c as usize].init
            };
            if !fits(off, n.saturating_mul(size), seg.len()) {
                return Err(TrapCode::MemoryOutOfBounds);
            }
            let bytes = seg[off as usize..(off + n * size) as usize].to_vec();
            let mut data = zeroed(n * w as u64)?;
            from_bytes(elem.storage, &bytes, &mut data, w);
            let r = alloc(cx, fp, imm, data.into())?;
            wr(fp, dst, r);
        }
        GcOp::ArrayNewElem => {
            let (off, n) = (u64::from(r32(a)), u64::from(r32(b)));
            let seg = &cx.inner.instances[cx.inst as usize].elems[c as usize];
            if !fits(off, n, seg.len()) {
                return Err(TrapCode::TableOutOfBounds);
            }
            let data: Box<[u64]> = seg[off as usize..(off + n) as usize].into();
            let r = alloc(cx, fp, imm, data)?;
            wr(fp, dst, r);
        }
        GcOp::ArrayGet | GcOp::ArrayGetS => {
            let o = cx
                .inner
                .gc
                .get(r64(a))
                .ok_or(TrapCode::NullArrayReference)?;
            let (elem, w) = elem_of(cx, o.ty);
            let i = r32(b) as usize;
            if i >= o.data.len() / w {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            let v = o.data[i * w];
            let v = if op == GcOp::ArrayGetS {
                unpack_s(elem.storage, v)
            } else {
                v
            };
            wr(fp, dst, v);
            if w == 2 {
                wr(fp, dst + 1, o.data[i * w + 1]);
            }
        }
        GcOp::ArraySet => {
            let ty = cx
                .inner
                .gc
                .get(r64(a))
                .ok_or(TrapCode::NullArrayReference)?
                .ty;
            let (elem, w) = elem_of(cx, ty);
            let o = cx
                .inner
                .gc
                .get_mut(r64(a))
                .ok_or(TrapCode::NullArrayReference)?;
            let i = r32(b) as usize;
            if i >= o.data.len() / w {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            o.data[i * w] = pack(elem.storage, r64(c));
            if w == 2 {
                o.data[i * w + 1] = r64(c + 1);
            }
        }
        GcOp::ArrayLen => {
            let o = cx
                .inner
                .gc
                .get(r64(a))
                .ok_or(TrapCode::NullArrayReference)?;
            let (_, w) = elem_of(cx, o.ty);
            wr(fp, dst, (o.data.len() / w) as u32);
        }
        GcOp::ArrayFill => {
            // (ref, offset, value, length); a v128 value takes two slots.
            let r = r64(a);
            let ty = cx.inner.gc.get(r).ok_or(TrapCode::NullArrayReference)?.ty;
            let (elem, w) = elem_of(cx, ty);
            let off = u64::from(r32(a + 1));
            let v = [
                pack(elem.storage, r64(a + 2)),
                if w == 2 { r64(a + 3) } else { 0 },
            ];
            let n = u64::from(r32(a + 2 + w as Slot));
            let o = cx.inner.gc.get_mut(r).ok_or(TrapCode::NullArrayReference)?;
            if !fits(off, n, o.data.len() / w) {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            for e in o.data[off as usize * w..(off + n) as usize * w].chunks_exact_mut(w) {
                e.copy_from_slice(&v[..w]);
            }
        }
        GcOp::ArrayCopy => {
            // (dst ref, dst offset, src ref, src offset, length).
            let (dr, d, sr, s, n) = (
                r64(a),
                u64::from(r32(a + 1)),
                r64(a + 2),
                u64::from(r32(a + 3)),
                u64::from(r32(a + 4)),
            );
            let dty = cx.inner.gc.get(dr).ok_or(TrapCode::NullArrayReference)?.ty;
            let src = cx.inner.gc.get(sr).ok_or(TrapCode::NullArrayReference)?;
            let (_, w) = elem_of(cx, dty);
            let slen = src.data.len() / w;
            let dlen = cx.inner.gc.get(dr).map_or(0, |o| o.data.len() / w);
            if !fits(d, n, dlen) || !fits(s, n, slen) {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            let (d, s, n) = (d as usize * w, s as usize * w, n as usize * w);
            if dr == sr {
                let o = cx
                    .inner
                    .gc
                    .get_mut(dr)
                    .ok_or(TrapCode::NullArrayReference)?;
                o.data.copy_within(s..s + n, d);
            } else {
                let tmp: Vec<u64> = src.data[s..s + n].to_vec();
                let o = cx
                    .inner
                    .gc
                    .get_mut(dr)
                    .ok_or(TrapCode::NullArrayReference)?;
                o.data[d..d + n].copy_from_slice(&tmp);
            }
        }
        GcOp::ArrayInitData | GcOp::ArrayInitElem => {
            // (ref, array offset, segment offset, length).
            let r = r64(a);
            let (d, s, n) = (
                u64::from(r32(a + 1)),
                u64::from(r32(a + 2)),
                u64::from(r32(a + 3)),
            );
            let ty = cx.inner.gc.get(r).ok_or(TrapCode::NullArrayReference)?.ty;
            let (elem, w) = elem_of(cx, ty);
            let len = cx.inner.gc.get(r).map_or(0, |o| o.data.len() / w);
            if !fits(d, n, len) {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            let StoreInner { gc, instances, .. } = &mut *cx.inner;
            let instance = &instances[cx.inst as usize];
            let o = gc.get_mut(r).ok_or(TrapCode::NullArrayReference)?;
            let out = &mut o.data[d as usize * w..(d + n) as usize * w];
            if op == GcOp::ArrayInitData {
                let seg: &[u8] = if instance.data_dropped[c as usize] {
                    &[]
                } else {
                    &instance.module.module.datas[c as usize].init
                };
                // The segment offset counts bytes.
                let size = byte_size(elem.storage) as u64;
                if !fits(s, n.saturating_mul(size), seg.len()) {
                    return Err(TrapCode::MemoryOutOfBounds);
                }
                let bytes = &seg[s as usize..(s + n * size) as usize];
                from_bytes(elem.storage, bytes, out, w);
            } else {
                let seg = &instance.elems[c as usize];
                if !fits(s, n, seg.len()) {
                    return Err(TrapCode::TableOutOfBounds);
                }
                out.copy_from_slice(&seg[s as usize..(s + n) as usize]);
            }
        }
    }
    Ok(())
}
