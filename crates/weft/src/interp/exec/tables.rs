//! Handlers of the table instructions (and `Narrow64`, which narrows a
//! 64-bit table index for them).

use super::*;

def!(pub(super) TableRead(ip, fp, mb, ml, cx, acc, facc) Op::TableRead { dst, index, table } => {
    // SAFETY: a slot of the frame.
    let i: u32 = unsafe { rd(fp, index) };
    let t = cx.inner.instances[cx.inst as usize].tables[table as usize];
    match cx.inner.tables[t as usize].elems.get(i as usize) {
        // SAFETY: a slot of the frame.
        Some(&v) => unsafe { wr(fp, dst, v) },
        None => return trap(cx, ip, TrapCode::TableOutOfBounds),
    }
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) TableWrite(ip, fp, mb, ml, cx, acc, facc) Op::TableWrite { index, val, table } => {
    // SAFETY: slots of the frame.
    let (i, v): (u32, u64) = unsafe { (rd(fp, index), rd(fp, val)) };
    let t = cx.inner.instances[cx.inst as usize].tables[table as usize];
    match cx.inner.tables[t as usize].elems.get_mut(i as usize) {
        Some(e) => *e = v,
        None => return trap(cx, ip, TrapCode::TableOutOfBounds),
    }
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) TableLen(ip, fp, mb, ml, cx, acc, facc) Op::TableLen { dst, table } => {
    let t = cx.inner.instances[cx.inst as usize].tables[table as usize];
    let n = cx.inner.tables[t as usize].elems.len() as u32;
    // SAFETY: a slot of the frame; the next instruction.
    unsafe {
        wr(fp, dst, n);
        next!(ip.add(1), fp, mb, ml, cx, acc, facc)
    }
});

def!(pub(super) TableExtend(ip, fp, mb, ml, cx, acc, facc) Op::TableExtend { dst, init, delta, table } => {
    // SAFETY: slots of the frame.
    let (v, d): (u64, u32) = unsafe { (rd(fp, init), rd(fp, delta)) };
    let t = cx.inner.instances[cx.inst as usize].tables[table as usize];
    if cx.inner.limited {
        cx.inner.grow = Some(Grow::Table { table: t, delta: u64::from(d), init: v, dst });
        // SAFETY: the next instruction.
        cx.resume = Regs { ip: unsafe { ip.add(1) }, fp, mb, ml, acc, facc };
        return stop(Stop::Grow);
    }
    let r = cx.inner.tables[t as usize]
        .grow(u64::from(d), v)
        .map_or(-1i32, |old| old as i32);
    // SAFETY: a slot of the frame; the next instruction.
    unsafe {
        wr(fp, dst, r);
        next!(ip.add(1), fp, mb, ml, cx, acc, facc)
    }
});

def!(pub(super) TableFillRange(ip, fp, mb, ml, cx, acc, facc) Op::TableFillRange { start, val, len, table } => {
    // SAFETY: slots of the frame.
    let (s, v, n): (u32, u64, u32) = unsafe { (rd(fp, start), rd(fp, val), rd(fp, len)) };
    let t = cx.inner.instances[cx.inst as usize].tables[table as usize];
    let elems = &mut cx.inner.tables[t as usize].elems;
    if !in_bounds(s, n, elems.len()) {
        return trap(cx, ip, TrapCode::TableOutOfBounds);
    }
    elems[s as usize..(s + n) as usize].fill(v);
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) TableCopyRange(ip, fp, mb, ml, cx, acc, facc) Op::TableCopyRange { dst, src, len, dst_table, src_table } => {
    // SAFETY: slots of the frame.
    let (d, s, n): (u32, u32, u32) = unsafe { (rd(fp, dst), rd(fp, src), rd(fp, len)) };
    let instance = &cx.inner.instances[cx.inst as usize];
    let dt = instance.tables[dst_table as usize] as usize;
    let st = instance.tables[src_table as usize] as usize;
    let tables = &mut cx.inner.tables;
    if !in_bounds(s, n, tables[st].elems.len()) || !in_bounds(d, n, tables[dt].elems.len()) {
        return trap(cx, ip, TrapCode::TableOutOfBounds);
    }
    let (d, s, n) = (d as usize, s as usize, n as usize);
    if dt == st {
        tables[dt].elems.copy_within(s..s + n, d);
    } else if dt < st {
        let (a, b) = tables.split_at_mut(st);
        a[dt].elems[d..d + n].copy_from_slice(&b[0].elems[s..s + n]);
    } else {
        let (a, b) = tables.split_at_mut(dt);
        b[0].elems[d..d + n].copy_from_slice(&a[st].elems[s..s + n]);
    }
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) TableInitRange(ip, fp, mb, ml, cx, acc, facc) Op::TableInitRange { dst, src, len, table, elem } => {
    // SAFETY: slots of the frame.
    let (d, s, n): (u32, u32, u32) = unsafe { (rd(fp, dst), rd(fp, src), rd(fp, len)) };
    let StoreInner { instances, tables, .. } = &mut *cx.inner;
    let instance = &instances[cx.inst as usize];
    let seg = &instance.elems[elem as usize];
    let tab = &mut tables[instance.tables[table as usize] as usize].elems;
    if !in_bounds(s, n, seg.len()) || !in_bounds(d, n, tab.len()) {
        return trap(cx, ip, TrapCode::TableOutOfBounds);
    }
    tab[d as usize..(d + n) as usize].copy_from_slice(&seg[s as usize..(s + n) as usize]);
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) ElemDiscard(ip, fp, mb, ml, cx, acc, facc) Op::ElemDiscard { elem } => {
    cx.inner.instances[cx.inst as usize].elems[elem as usize] = Vec::new();
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) Narrow64(ip, fp, mb, ml, cx, acc, facc) Op::Narrow64 { dst, src } => {
    // SAFETY: slots of the frame; the next instruction.
    unsafe {
        let v: u64 = rd(fp, src);
        wr(fp, dst, v.min(u64::from(u32::MAX)));
        next!(ip.add(1), fp, mb, ml, cx, acc, facc)
    }
});
