//! Executable memory for a module's compiled functions: one mapping per
//! module, written while read-write, then switched to read-execute (never
//! both at once). x86-64 keeps instruction and data caches coherent, so no
//! flush follows the write (`Compiler::new` refuses other hosts).

use std::ptr::NonNull;

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
        Some(mem)
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
        // SAFETY: our own mapping of `len` bytes; the module that owns this
        // value keeps it alive as long as any instance can run its code.
        unsafe {
            let _ = rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}
