//! Bounds-checked access to the guest's linear memory.
//!
//! Every pointer and length the guest passes is checked here before the
//! host touches the bytes: a range that does not lie inside memory is
//! `fault`, a misaligned pointer to a structure is `inval` (what wasmtime
//! answers), text that is not UTF-8 is `ilseq`. Nothing here can panic on
//! guest input.

use crate::Errno;
use std::ops::Range;

/// Result of a WASI function body.
pub(crate) type R<T> = Result<T, Errno>;

/// The guest's memory, borrowed for one host call.
pub(crate) struct GuestMem<'a> {
    data: &'a mut [u8],
}

impl<'a> GuestMem<'a> {
    pub(crate) fn new(data: &'a mut [u8]) -> Self {
        GuestMem { data }
    }

    /// The byte range `ptr..ptr+len`, if it lies inside memory.
    pub(crate) fn range(&self, ptr: u32, len: u32) -> R<Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.data.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// Checks that a structure of `size` bytes aligned to `align` (a power
    /// of two) fits at `ptr`.
    pub(crate) fn check(&self, ptr: u32, size: u32, align: u32) -> R<()> {
        if ptr & (align - 1) != 0 {
            return Err(Errno::Inval);
        }
        self.range(ptr, size).map(|_| ())
    }

    pub(crate) fn slice(&self, ptr: u32, len: u32) -> R<&[u8]> {
        let r = self.range(ptr, len)?;
        self.data.get(r).ok_or(Errno::Fault)
    }

    pub(crate) fn slice_mut(&mut self, ptr: u32, len: u32) -> R<&mut [u8]> {
        let r = self.range(ptr, len)?;
        self.data.get_mut(r).ok_or(Errno::Fault)
    }

    /// The whole memory, for the few operations that borrow several
    /// disjoint ranges at once.
    pub(crate) fn all(&self) -> &[u8] {
        self.data
    }

    fn array<const N: usize>(&self, ptr: u32) -> R<[u8; N]> {
        if ptr & (N as u32 - 1) != 0 {
            return Err(Errno::Inval);
        }
        let s = self.slice(ptr, N as u32)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    fn put<const N: usize>(&mut self, ptr: u32, bytes: [u8; N]) -> R<()> {
        if ptr & (N as u32 - 1) != 0 {
            return Err(Errno::Inval);
        }
        self.slice_mut(ptr, N as u32)?.copy_from_slice(&bytes);
        Ok(())
    }

    pub(crate) fn read_u8(&self, ptr: u32) -> R<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    pub(crate) fn read_u16(&self, ptr: u32) -> R<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    pub(crate) fn read_u32(&self, ptr: u32) -> R<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    pub(crate) fn read_u64(&self, ptr: u32) -> R<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }
    pub(crate) fn write_u8(&mut self, ptr: u32, v: u8) -> R<()> {
        self.put(ptr, [v])
    }
    pub(crate) fn write_u16(&mut self, ptr: u32, v: u16) -> R<()> {
        self.put(ptr, v.to_le_bytes())
    }
    pub(crate) fn write_u32(&mut self, ptr: u32, v: u32) -> R<()> {
        self.put(ptr, v.to_le_bytes())
    }
    pub(crate) fn write_u64(&mut self, ptr: u32, v: u64) -> R<()> {
        self.put(ptr, v.to_le_bytes())
    }

    /// Guest text: `ilseq` unless UTF-8.
    pub(crate) fn str(&self, ptr: u32, len: u32) -> R<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// An array of `iovec`/`ciovec` (`buf: u32, buf_len: u32`), each
    /// buffer checked to lie inside memory. At most `max` entries are
    /// returned (the rest would make the operation a short one anyway).
    pub(crate) fn iovecs(&self, ptr: u32, count: u32, max: usize) -> R<Vec<Range<usize>>> {
        let bytes = count
            .checked_mul(crate::types::size::IOVEC)
            .ok_or(Errno::Fault)?;
        self.check(ptr, bytes, 4)?;
        let mut out = Vec::with_capacity((count as usize).min(max));
        for i in 0..count.min(max as u32) {
            let at = ptr + i * 8;
            let buf = self.read_u32(at)?;
            let len = self.read_u32(at + 4)?;
            out.push(self.range(buf, len)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let mut data = vec![0u8; 16];
        let mut m = GuestMem::new(&mut data);
        assert_eq!(m.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(m.slice(17, 0).err(), Some(Errno::Fault));
        assert_eq!(m.slice(u32::MAX, u32::MAX).err(), Some(Errno::Fault));
        assert_eq!(m.write_u64(8, 1), Ok(()));
        assert_eq!(m.write_u64(12, 1), Err(Errno::Inval));
        assert_eq!(m.write_u64(16, 1), Err(Errno::Fault));
        assert_eq!(m.read_u32(u32::MAX - 3), Err(Errno::Fault));
        assert_eq!(m.iovecs(0, u32::MAX, 1024).err(), Some(Errno::Fault));
    }
}
