//! Linear memory storage whose base address never moves (§4.2.8).
//!
//! A memory reserves its whole address range up front as inaccessible
//! (`PROT_NONE`, `MAP_NORESERVE`: address space only, no memory charged)
//! and makes pages readable and writable as it grows (`mprotect`). So
//! `memory.grow` never copies, a pointer to the base stays valid for the
//! memory's whole life (compiled code and the interpreter's registers may
//! cache it), and the bytes after the accessible part are a guard region.
//!
//! How much is reserved: a 32-bit memory reserves [`RESERVATION_32`], 8 GiB
//! and one page, so that any `u32` address plus any `u32` offset plus an
//! access of up to 16 bytes lands inside the reservation: compiled code
//! does not check bounds then (`Config::memory_guards`, `crate::signals`
//! turns the fault into a trap; the interpreter checks explicitly). Such
//! memories are registered ([`in_guarded_reservation`]) for the fault
//! handler. If the process cannot get that much address space (a `ulimit
//! -v`, many live memories), the memory falls back to reserving just its
//! maximum size, unless compiled code relies on the guard (then creating
//! the memory fails).
//! Address space is returned on drop; 47-bit user address space holds
//! about 16,000 such reservations at once.
//!
//! A 64-bit memory (memory64) gets the same reservation and may grow to
//! [`MAX_BYTES_64`] (beyond, `memory.grow` fails, as the spec permits):
//! no address trick covers a 64-bit address, so every access checks its
//! bounds explicitly. Pages of 1 byte (custom-page-sizes) make the length
//! any number of bytes: the accessible part is committed in whole 64 KiB
//! units, and only the bounds checks against `len` see the exact size.

use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::RwLock;

/// Whether compiled code can rely on guard pages on this host (the fault
/// handler of `crate::signals` exists here).
pub(crate) const GUARDS_SUPPORTED: bool = cfg!(all(
    target_arch = "x86_64",
    target_os = "linux",
    feature = "cranelift"
));

/// Live reservations of [`RESERVATION_32`] bytes (start -> end), for the
/// fault handler.
static GUARDED: RwLock<BTreeMap<usize, usize>> = RwLock::new(BTreeMap::new());

/// Whether `addr` lies in the reservation of a live memory with guard
/// pages. Safe to call from a signal handler that interrupted compiled
/// code: a read lock (written only when memories come and go, never by
/// compiled code), no allocation.
#[allow(dead_code)] // used by the fault handler (feature `cranelift`)
pub(crate) fn in_guarded_reservation(addr: usize) -> bool {
    let g = GUARDED.read().unwrap_or_else(|e| e.into_inner());
    g.range(..=addr)
        .next_back()
        .is_some_and(|(_, &end)| addr < end)
}

/// Size of a memory page (§4.2.8).
pub(crate) const PAGE_SIZE: u64 = 65536;

/// Bytes reserved for a 32-bit memory: 4 GiB of addressable memory, then a
/// guard region that no `u32` address plus `u32` offset plus 16-byte access
/// can reach past.
pub(crate) const RESERVATION_32: usize = (8 << 30) + PAGE_SIZE as usize;

/// Most bytes a 64-bit memory may have in this implementation (inside the
/// same reservation as a 32-bit memory's).
pub(crate) const MAX_BYTES_64: usize = 8 << 30;

/// `n` rounded up to a whole 64 KiB unit (a multiple of the system page).
fn round_up(n: usize) -> usize {
    n.div_ceil(PAGE_SIZE as usize) * PAGE_SIZE as usize
}

/// Where a memory's bytes are, at a heap address that stays the same for
/// the memory's life, so that compiled code can hold a pointer to it and
/// always see the current length (`#[repr(C)]`: compiled code reads the
/// fields at fixed offsets).
#[repr(C)]
#[derive(Debug)]
pub(crate) struct MemoryDef {
    /// Start of the reservation (dangling when nothing is reserved).
    pub(crate) base: NonNull<u8>,
    /// Accessible (readable, writable, zero-initialised) bytes from `base`.
    pub(crate) len: usize,
}

/// The accessible bytes of a linear memory, in a reservation that does not
/// move.
pub(crate) struct LinearMemory {
    def: Box<MemoryDef>,
    /// Bytes reserved from `base`; `len <= reserved`.
    reserved: usize,
    /// Bytes made accessible from `base`: `len` rounded up to 64 KiB.
    committed: usize,
}

// SAFETY: a `LinearMemory` owns its mapping exclusively, like a `Box<[u8]>`
// owns its allocation; access goes through `&self` / `&mut self`.
unsafe impl Send for LinearMemory {}
// SAFETY: as for `Send`: shared references only read.
unsafe impl Sync for LinearMemory {}

impl LinearMemory {
    /// A memory of `len` accessible bytes that can grow to `max` bytes,
    /// reserving `RESERVATION_32` bytes if it can (and `max` bytes if not,
    /// unless `guarded`: compiled code relies on the full reservation).
    /// `None` if the address space or memory cannot be had.
    pub(crate) fn new(len: usize, max: usize, guarded: bool) -> Option<Self> {
        debug_assert!(len <= max && max <= RESERVATION_32);
        let mut mem = match Self::reserve(RESERVATION_32) {
            Some(m) => m,
            None if guarded => return None,
            None => Self::reserve(round_up(max))?,
        };
        mem.grow_to(len).then_some(mem)
    }

    /// Reserves `bytes` of inaccessible address space.
    fn reserve(bytes: usize) -> Option<Self> {
        if bytes == 0 {
            return Some(LinearMemory {
                def: Box::new(MemoryDef {
                    base: NonNull::dangling(),
                    len: 0,
                }),
                reserved: 0,
                committed: 0,
            });
        }
        use rustix::mm::{mmap_anonymous, MapFlags, ProtFlags};
        // SAFETY: a fresh private anonymous mapping at an address the kernel
        // chooses: it cannot alias anything that exists.
        let p = unsafe {
            mmap_anonymous(
                std::ptr::null_mut(),
                bytes,
                ProtFlags::empty(),
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )
        }
        .ok()?;
        let mem = LinearMemory {
            def: Box::new(MemoryDef {
                base: NonNull::new(p.cast())?,
                len: 0,
            }),
            reserved: bytes,
            committed: 0,
        };
        if bytes == RESERVATION_32 {
            let start = p as usize;
            GUARDED
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(start, start + bytes);
        }
        Some(mem)
    }

    /// Makes the first `new_len` bytes accessible; false (and nothing
    /// changed) if that exceeds the reservation or the system refuses.
    pub(crate) fn grow_to(&mut self, new_len: usize) -> bool {
        let len = self.def.len;
        if new_len <= len {
            return new_len == len;
        }
        if new_len > self.reserved {
            return false;
        }
        let need = round_up(new_len).min(self.reserved);
        if need > self.committed {
            use rustix::mm::{mprotect, MprotectFlags};
            // SAFETY: `[base + committed, base + need)` lies inside our own
            // reservation (`need <= reserved`), which nothing else uses; the
            // pages were inaccessible, so no reference to them exists.
            // `committed` is a multiple of 64 KiB, hence of the system page.
            let ok = unsafe {
                mprotect(
                    self.def.base.as_ptr().add(self.committed).cast(),
                    need - self.committed,
                    MprotectFlags::READ | MprotectFlags::WRITE,
                )
            }
            .is_ok();
            if !ok {
                return false;
            }
            self.committed = need;
        }
        // The bytes between the old and the new length are zero: nothing
        // can write beyond `len`.
        self.def.len = new_len;
        true
    }

    /// The first byte; stable for the memory's whole life.
    #[cfg(test)]
    pub(crate) fn base(&self) -> *mut u8 {
        self.def.base.as_ptr()
    }

    /// The descriptor compiled code reads; its address is stable too.
    #[allow(dead_code)] // read by the compiler tier (feature `cranelift`)
    pub(crate) fn def(&self) -> *const MemoryDef {
        &*self.def
    }

    /// Bytes reserved, accessible or not.
    #[allow(dead_code)] // read by tests and, later, by compiled code's guard-page choice
    pub(crate) fn reserved(&self) -> usize {
        self.reserved
    }
}

impl std::ops::Deref for LinearMemory {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `len` bytes from `base` are readable and initialised (zero
        // from the kernel, or written since); `base` is non-null and aligned
        // for `u8`.
        unsafe { std::slice::from_raw_parts(self.def.base.as_ptr(), self.def.len) }
    }
}

impl std::ops::DerefMut for LinearMemory {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as for `deref`, and `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.def.base.as_ptr(), self.def.len) }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        if self.reserved == RESERVATION_32 {
            GUARDED
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&(self.def.base.as_ptr() as usize));
        }
        if self.reserved != 0 {
            // SAFETY: the reservation is ours, mapped in `reserve` with this
            // length, and no borrow of it outlives `self`.
            let r = unsafe { rustix::mm::munmap(self.def.base.as_ptr().cast(), self.reserved) };
            debug_assert!(r.is_ok(), "munmap of a linear memory failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: usize = PAGE_SIZE as usize;

    #[test]
    fn grows_in_place_zeroed() {
        let mut m = LinearMemory::new(P, 4 * P, false).unwrap();
        let base = m.base();
        m[P - 1] = 7;
        assert!(m.grow_to(3 * P));
        assert_eq!(m.base(), base);
        assert_eq!(m.len(), 3 * P);
        assert_eq!(m[P - 1], 7);
        assert!(m[P..].iter().all(|&b| b == 0));
        assert!(!m.grow_to(RESERVATION_32 + 1));
        assert_eq!(m.len(), 3 * P);
    }

    #[test]
    fn empty_memory() {
        let mut m = LinearMemory::new(0, 0, false).unwrap();
        assert!(m.is_empty());
        assert!(m.grow_to(P));
        assert_eq!(m[0], 0);
    }

    /// A thousand memories alive at once each get the full reservation.
    #[test]
    fn many_live_memories() {
        let ms: Vec<_> = (0..1000)
            .map(|_| LinearMemory::new(P, 2 * P, true).unwrap())
            .collect();
        assert!(ms
            .iter()
            .all(|m| m.reserved() == RESERVATION_32 && m.len() == P));
    }

    /// Reservations are returned on drop: far more memories than the address
    /// space could hold at once come and go.
    #[test]
    fn reservations_are_unmapped() {
        for _ in 0..40_000 {
            let m = LinearMemory::new(P, 65536 * P, true).unwrap();
            assert_eq!(m.reserved(), RESERVATION_32);
        }
    }
}
