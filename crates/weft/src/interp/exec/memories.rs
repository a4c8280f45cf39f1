//! Handlers of the memory instructions other than the loads and stores of
//! memory 0 (which are the table rows' handlers): `memory.size`,
//! `memory.grow`, the bulk instructions, and the far path (`MemFar`) for
//! other and 64-bit memories.

use super::*;

def!(pub(super) MemLen(ip, fp, mb, ml, cx, acc, facc) Op::MemLen { dst, mem } => {
    let pages = memory(cx, mem).pages();
    // SAFETY: a slot of the frame (an i32 result is the low half, and a
    // 32-bit memory has fewer than 2^32 pages); the next instruction.
    unsafe {
        wr(fp, dst, pages);
        next!(ip.add(1), fp, mb, ml, cx, acc, facc)
    }
});

def!(pub(super) MemExtend(ip, fp, mb, ml, cx, acc, facc) Op::MemExtend { dst, delta, mem } => {
    let is_64 = memory(cx, mem).is_64();
    // SAFETY: a slot of the frame.
    let d = unsafe { addr_operand(fp, delta, is_64) };
    if cx.inner.limited {
        let m = cx.inner.instances[cx.inst as usize].mems[mem as usize];
        cx.inner.grow = Some(Grow::Memory { mem: m, delta: d, dst });
        // SAFETY: the next instruction.
        cx.resume = Regs { ip: unsafe { ip.add(1) }, fp, mb, ml, acc, facc };
        return stop(Stop::Grow);
    }
    let r = match memory(cx, mem).grow(d) {
        Some(old) => old,
        None if is_64 => u64::MAX,
        None => u64::from(u32::MAX),
    };
    // Growing memory 0 changes the registers' length.
    let (mb, ml) = if mem == 0 { mem_view(cx.inner, cx.inst) } else { (mb, ml) };
    // SAFETY: a slot of the frame; the next instruction.
    unsafe {
        wr(fp, dst, r);
        next!(ip.add(1), fp, mb, ml, cx, acc, facc)
    }
});

def!(pub(super) MemFill(ip, fp, mb, ml, cx, acc, facc) Op::MemFill { dst, val, len, mem } => {
    let m = memory(cx, mem);
    let is_64 = m.is_64();
    // SAFETY: slots of the frame.
    let (d, v, n) = unsafe { (addr_operand(fp, dst, is_64), rd::<u32>(fp, val), addr_operand(fp, len, is_64)) };
    let Some(bytes) = range_mut(&mut m.data, d, n) else {
        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
    };
    bytes.fill(v as u8);
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) MemCopy(ip, fp, mb, ml, cx, acc, facc) Op::MemCopy { dst, src, len, dst_mem, src_mem } => {
    let instance = &cx.inner.instances[cx.inst as usize];
    let (dm, sm) = (instance.mems[dst_mem as usize] as usize, instance.mems[src_mem as usize] as usize);
    let memories = &mut cx.inner.memories;
    let (d64, s64) = (memories[dm].is_64(), memories[sm].is_64());
    // SAFETY: slots of the frame. The length is an i64 only if both
    // memories are 64-bit (§3.4.7, memory.copy).
    let (d, s, n) = unsafe {
        (addr_operand(fp, dst, d64), addr_operand(fp, src, s64), addr_operand(fp, len, d64 && s64))
    };
    let ok = if dm == sm {
        let data = &mut memories[dm].data;
        match (range(data, s, n), range(data, d, n)) {
            (Some(s), Some(d)) => {
                data.copy_within(s, d.start);
                true
            }
            _ => false,
        }
    } else {
        // Two distinct memories: borrow both at once.
        let (a, b) = if dm < sm {
            let (lo, hi) = memories.split_at_mut(sm);
            (&mut lo[dm], &mut hi[0])
        } else {
            let (lo, hi) = memories.split_at_mut(dm);
            (&mut hi[0], &mut lo[sm])
        };
        match (range(&b.data, s, n), range(&a.data, d, n)) {
            (Some(s), Some(d)) => {
                a.data[d].copy_from_slice(&b.data[s]);
                true
            }
            _ => false,
        }
    };
    if !ok {
        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
    }
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

def!(pub(super) MemInit(ip, fp, mb, ml, cx, acc, facc) Op::MemInit { dst, src, len, data, mem } => {
    let StoreInner { instances, memories, .. } = &mut *cx.inner;
    let instance = &instances[cx.inst as usize];
    let m = &mut memories[instance.mems[mem as usize] as usize];
    // SAFETY: slots of the frame (the segment's offset and the length are
    // i32s).
    let (d, s, n) = unsafe { (addr_operand(fp, dst, m.is_64()), rd::<u32>(fp, src), rd::<u32>(fp, len)) };
    let seg: &[u8] = if instance.data_dropped[data as usize] {
        &[]
    } else {
        &instance.module.module.datas[data as usize].init
    };
    match (range(seg, u64::from(s), u64::from(n)), range_mut(&mut m.data, d, u64::from(n))) {
        (Some(s), Some(d)) => d.copy_from_slice(&seg[s]),
        _ => return trap(cx, ip, TrapCode::MemoryOutOfBounds),
    }
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});

/// Memory `mem` of the current instance.
#[inline(always)]
pub(super) fn memory<'c>(cx: &'c mut Cx<'_>, mem: u32) -> &'c mut crate::store::MemoryEntity {
    let m = cx.inner.instances[cx.inst as usize].mems[mem as usize];
    &mut cx.inner.memories[m as usize]
}

/// An address or length operand of a memory of address type i64
/// (`is_64`) or i32.
///
/// # Safety
/// `s` must be a slot of the frame.
#[inline(always)]
pub(super) unsafe fn addr_operand(fp: *mut u64, s: Slot, is_64: bool) -> u64 {
    if is_64 {
        rd(fp, s)
    } else {
        u64::from(rd::<u32>(fp, s))
    }
}

/// The index range `[start, start + len)` of `bytes`, if it fits.
#[inline(always)]
pub(super) fn range(bytes: &[u8], start: u64, len: u64) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    if end > bytes.len() as u64 {
        return None;
    }
    Some(start as usize..end as usize)
}

/// The bytes `[start, start + len)` of `bytes`, if they fit.
#[inline(always)]
pub(super) fn range_mut(bytes: &mut [u8], start: u64, len: u64) -> Option<&mut [u8]> {
    let r = range(bytes, start, len)?;
    Some(&mut bytes[r])
}

/// `N` bytes at effective address `addr + off` of memory `mem` of the
/// current instance, for [`Op::MemFar`]: where they are, or `None` if
/// they are out of bounds (the sum overflowing included).
///
/// # Safety
/// `addr` and `off` must be slots of the frame.
#[inline(always)]
pub(super) unsafe fn far_address<const N: usize>(
    cx: &mut Cx<'_>,
    fp: *mut u64,
    mem: u16,
    addr: Slot,
    off: Slot,
) -> Option<*mut [u8; N]> {
    let m = memory(cx, u32::from(mem));
    let a = addr_operand(fp, addr, m.is_64());
    let r = range(&m.data, a.checked_add(rd::<u64>(fp, off))?, N as u64)?;
    Some(m.data[r].as_mut_ptr().cast())
}

/// The handlers of [`Op::MemFar`], one per load and store row of the
/// instruction table, named after it.
mod far {
    use super::*;

    macro_rules! far_handler {
        ($v:ident (mem $al:literal : addr -> $r:ident)) => {
            def!($v(ip, fp, mb, ml, cx, acc, facc) Op::MemFar { dst, addr, off, mem, .. } => {
                // SAFETY: slots of the frame; the pointer is to the bytes
                // in bounds of the memory.
                unsafe {
                    let Some(p) = far_address(cx, fp, mem, addr, off) else {
                        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
                    };
                    wr(fp, dst, instr_fn!(mem, $v)(std::ptr::read_unaligned(p)));
                }
                // SAFETY: the next instruction.
                next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
            });
        };
        ($v:ident (mem $al:literal : addr $t:ident -> )) => {
            def!($v(ip, fp, mb, ml, cx, acc, facc) Op::MemFar { addr, val, off, mem, .. } => {
                // SAFETY: as for loads.
                unsafe {
                    let bytes = instr_fn!(mem, $v)(rd(fp, val));
                    let Some(p) = far_address(cx, fp, mem, addr, off) else {
                        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
                    };
                    std::ptr::write_unaligned(p, bytes);
                }
                // SAFETY: the next instruction.
                next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
            });
        };
        ($v:ident (memlane $al:literal $n:literal : addr $t:ident -> $r:ident)) => {
            def!($v(ip, fp, mb, ml, cx, acc, facc) Op::MemFar { dst, addr, val, off, mem, lane, .. } => {
                // SAFETY: as for loads.
                unsafe {
                    let Some(p) = far_address(cx, fp, mem, addr, off) else {
                        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
                    };
                    let b = std::ptr::read_unaligned(p);
                    wr(fp, dst, instr_fn!(mem, $v)(b, rd(fp, val), lane));
                }
                // SAFETY: the next instruction.
                next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
            });
        };
        ($v:ident (memlane $al:literal $n:literal : addr $t:ident -> )) => {
            def!($v(ip, fp, mb, ml, cx, acc, facc) Op::MemFar { addr, val, off, mem, lane, .. } => {
                // SAFETY: as for loads.
                unsafe {
                    let bytes = instr_fn!(mem, $v)(rd(fp, val), lane);
                    let Some(p) = far_address(cx, fp, mem, addr, off) else {
                        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
                    };
                    std::ptr::write_unaligned(p, bytes);
                }
                // SAFETY: the next instruction.
                next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
            });
        };
        ($v:ident $sig:tt) => {};
    }

    macro_rules! far_entry {
        ($t:ident, $v:ident (mem $($x:tt)*)) => {
            $t[RowTag::$v as usize] = Some($v);
        };
        ($t:ident, $v:ident (memlane $($x:tt)*)) => {
            $t[RowTag::$v as usize] = Some($v);
        };
        ($t:ident, $v:ident $sig:tt) => {};
    }

    macro_rules! far_handlers {
        ($( $feature:ident [$($opc:literal)+] $variant:ident $name:literal
            { $($field:ident : $ty:ty),* } $sig:tt )*) => {
            $( far_handler!($variant $sig); )*

            /// The handlers of [`Op::MemFar`] by the row of its access
            /// (`None` for the other rows).
            pub(crate) static FAR_HANDLERS: [Option<Handler>; RowTag::Count as usize] = {
                let mut t: [Option<Handler>; RowTag::Count as usize] = [None; RowTag::Count as usize];
                $( far_entry!(t, $variant $sig); )*
                t
            };
        };
    }

    weft_syntax::for_each_instr!(far_handlers);
}
pub(super) use far::FAR_HANDLERS;

def!(pub(super) DataDiscard(ip, fp, mb, ml, cx, acc, facc) Op::DataDiscard { data } => {
    cx.inner.instances[cx.inst as usize].data_dropped[data as usize] = true;
    // SAFETY: the next instruction.
    next!(unsafe { ip.add(1) }, fp, mb, ml, cx, acc, facc)
});
