//! Executable memory for a module's compiled functions: one mapping per
//! module, written while read-write, then switched to read-execute (never
//! both at once). x86-64 keeps instruction and data caches coherent, so no
//! flush follows the write (`Compiler::new` refuses other hosts).

use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::RwLock;

/// The address ranges of all live code mappings (start -> end), for the
/// runtime's fault handler ([`is_code`]).
static RANGES: RwLock<BTreeMap<usize, usize>> = RwLock::new(BTreeMap::new());

/// Whether `pc` is inside compiled code of a live [`CodeMemory`]. Safe to
/// call from a signal handler that interrupted compiled code: it takes a
/// read lock (which only `CodeMemory::new` and `drop`, never compiled code,
/// hold for writing) and allocates nothing.
pub fn is_code(pc: usize) -> bool {
    let ranges = RANGES.read().unwrap_or_else(|e| e.into_inner());
    ranges
        .range(..=pc)
        .next_back()
        .is_some_and(|(_, &end)| pc < end)
}

/// [`is_code`] for a handler that may have interrupted this thread while it
/// updates the ranges (making or dropping a [`CodeMemory`]): `false`
/// rather than wait, where waiting would never end.
pub fn try_is_code(pc: usize) -> bool {
    match RANGES.try_read() {
        Ok(ranges) => ranges
            .range(..=pc)
            .next_back()
            .is_some_and(|(_, &end)| pc < end),
        Err(_) => false,
    }
}

/// A read-execute mapping holding machine code.
pub struct CodeMemory {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is immutable (read-execute) once built and owned by
// this value alone.
unsafe impl Send for CodeMemory {}
// SAFETY: as for `Send`: nothing writes to it after `new`.
unsafe impl Sync for CodeMemory {}

impl CodeMemory {
    /// Copies `code` into a fresh mapping and makes it executable. `None`
    /// if the system refuses the mapping or the protection change.
    pub fn new(code: &[u8]) -> Option<CodeMemory> {
        use rustix::mm::{mmap_anonymous, mprotect, MapFlags, MprotectFlags, ProtFlags};
        let page = rustix::param::page_size();
        let len = code.len().max(1).div_ceil(page) * page;
        // SAFETY: a fresh private anonymous mapping chosen by the kernel
        // aliases nothing.
        let p = unsafe {
            mmap_anonymous(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE,
            )
        }
        .ok()?;
        let mem = CodeMemory {
            ptr: NonNull::new(p.cast())?,
            len,
        };
        // SAFETY: the mapping is `len >= code.len()` writable bytes that
        // nothing else references; then it becomes read-execute, which
        // nothing has a mutable reference into.
        unsafe {
            std::ptr::copy_nonoverlapping(code.as_ptr(), mem.ptr.as_ptr(), code.len());
            mprotect(p, len, MprotectFlags::READ | MprotectFlags::EXEC).ok()?;
        }
        let start = mem.ptr.as_ptr() as usize;
        RANGES
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(start, start + len);
        Some(mem)
    }

    /// The offset of address `pc` in this code, if it is inside.
    pub fn offset_of(&self, pc: usize) -> Option<usize> {
        let start = self.ptr.as_ptr() as usize;
        pc.checked_sub(start).filter(|&off| off < self.len)
    }

    /// The size of the mapping in bytes (the code, rounded up to pages).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: it has at least a page).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address of byte `offset` of the code.
    pub fn at(&self, offset: usize) -> *const u8 {
        assert!(offset < self.len, "offset {offset} outside the code");
        // SAFETY: `offset < len`, the mapping's size (checked above).
        unsafe { self.ptr.as_ptr().add(offset) }
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        RANGES
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(self.ptr.as_ptr() as usize));
        // SAFETY: our own mapping of `len` bytes; the module that owns this
        // value keeps it alive as long as any instance can run its code.
        unsafe {
            let _ = rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}
