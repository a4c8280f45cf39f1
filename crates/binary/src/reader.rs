//! Reading primitive values (§5.1, §5.2): bytes, LEB128 integers, floats,
//! names, and the type encodings of §5.3.

use crate::{DecodeError, Result};
use weft_syntax::{
    AddrType, BlockType, Feature, Features, GlobalType, HeapType, Limits, MemType, Mut, RefType,
    TableType, TagType, TypeIdx, ValType,
};

/// A cursor over a slice of the input that knows the absolute offset of the
/// slice's first byte, so that errors point into the whole file.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    features: Features,
    /// Message for reading past the end: the whole module ends with
    /// "unexpected end"; a section or function body ends with
    /// "unexpected end of section or function", as in the reference decoder.
    eof_message: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over a whole module binary (offset 0).
    pub fn new(data: &'a [u8], features: Features) -> Self {
        Reader {
            data,
            pos: 0,
            base: 0,
            features,
            eof_message: "unexpected end",
        }
    }

    /// A reader over a part of the input whose first byte is at absolute
    /// offset `base`, such as a section or a function body.
    pub fn new_at(data: &'a [u8], base: usize, features: Features) -> Self {
        Reader {
            data,
            pos: 0,
            base,
            features,
            eof_message: "unexpected end of section or function",
        }
    }

    /// The enabled features.
    #[inline]
    pub fn features(&self) -> Features {
        self.features
    }

    /// Absolute offset of the next byte.
    #[inline]
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Position relative to the start of this reader's slice.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Whether all bytes have been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Number of bytes left.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The unread bytes.
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    /// An error at the current offset.
    pub fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError::new(message, self.offset())
    }

    /// An error at the given absolute offset.
    pub fn error_at(&self, message: impl Into<String>, offset: usize) -> DecodeError {
        DecodeError::new(message, offset)
    }

    /// Reading past the end, at the current offset.
    #[inline(always)]
    fn eof(&self) -> DecodeError {
        // Only plain values cross into the out-of-line part, so that the
        // reader itself never has its address taken on the hot paths (see
        // `outlined`).
        Self::fail(self.eof_message, self.offset())
    }

    /// Runs `f`, an out-of-line slow path, on a copy of the reader and takes
    /// over the copy's position.
    ///
    /// The validator keeps its reader in registers only as long as the
    /// reader's address is never passed to a function that is not inlined;
    /// a slow path that took `&mut self` would pin the reader to memory for
    /// the whole loop. Only the copy's address escapes here.
    #[inline(always)]
    pub(crate) fn outlined<T>(
        &mut self,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T>,
    ) -> Result<T> {
        let mut copy = self.clone();
        let result = f(&mut copy);
        self.pos = copy.pos;
        result
    }

    /// An error with a fixed message, built out of line so that the inlined
    /// fast paths stay small.
    #[cold]
    #[inline(never)]
    pub(crate) fn fail(message: &'static str, offset: usize) -> DecodeError {
        DecodeError::new(message, offset)
    }

    /// Reads one byte.
    #[inline(always)]
    pub fn read_u8(&mut self) -> Result<u8> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.eof()),
        }
    }

    /// The next byte, without consuming it.
    #[inline]
    pub fn peek_u8(&self) -> Result<u8> {
        self.data.get(self.pos).copied().ok_or_else(|| self.eof())
    }

    /// Reads `n` bytes.
    #[inline(always)]
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            // Point at the end of the data, where the reader ran out.
            self.pos = self.data.len();
            return Err(self.eof());
        }
        match self.data.get(self.pos..self.pos + n) {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(self.eof()),
        }
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.read_bytes(n).map(|_| ())
    }

    /// Reads an unsigned LEB128 integer of at most `bits` bits (§5.2.2):
    /// at most `ceil(bits / 7)` bytes ("integer representation too long"),
    /// and the unused bits of the last byte must be zero ("integer too
    /// large"). Out of line: the one-byte case is handled by the callers.
    #[inline(never)]
    fn read_uleb(&mut self, bits: u32) -> Result<u64> {
        let mut result = 0u64;
        let mut shift = 0u32;
        loop {
            let byte = self.read_u8()?;
            if shift + 7 >= bits {
                // Last byte allowed: continuation bit or unused bits set is
                // an error.
                if byte & 0x80 != 0 {
                    return Err(Self::fail(
                        "integer representation too long",
                        self.offset() - 1,
                    ));
                }
                let used = bits - shift;
                if used < 7 && u32::from(byte) >> used != 0 {
                    return Err(Self::fail("integer too large", self.offset() - 1));
                }
                return Ok(result | u64::from(byte) << shift);
            }
            result |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// Reads a signed LEB128 integer of at most `bits` bits (§5.2.2). The
    /// unused bits of the last byte must be a sign extension of the last used
    /// bit ("integer too large"). Out of line: the one-byte case is handled
    /// by the callers.
    #[inline(never)]
    fn read_sleb(&mut self, bits: u32) -> Result<i64> {
        let mut result = 0i64;
        let mut shift = 0u32;
        loop {
            let byte = self.read_u8()?;
            if shift + 7 >= bits {
                if byte & 0x80 != 0 {
                    return Err(Self::fail(
                        "integer representation too long",
                        self.offset() - 1,
                    ));
                }
                let used = bits - shift; // 1..=7 bits of this byte are used
                if used < 7 {
                    // Bits `used-1 ..= 6` must all equal the sign bit.
                    let mask = 0x7fu8 << (used - 1) & 0x7f;
                    let top = byte & mask;
                    if top != 0 && top != mask {
                        return Err(Self::fail("integer too large", self.offset() - 1));
                    }
                }
                let value = result | (i64::from(byte & 0x7f) << shift);
                let total = shift + 7;
                // Sign-extend from bit `total` (if it fits in 64 bits).
                return Ok(if total < 64 {
                    value << (64 - total) >> (64 - total)
                } else {
                    value
                });
            }
            result |= i64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Ok(result << (64 - shift) >> (64 - shift));
            }
        }
    }

    /// Reads a `u32` (unsigned LEB128).
    #[inline(always)]
    pub fn read_u32(&mut self) -> Result<u32> {
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(u32::from(b));
            }
        }
        self.outlined(|r| r.read_uleb(32)).map(|v| v as u32)
    }

    /// Reads a `u64` (unsigned LEB128).
    #[inline(always)]
    pub fn read_u64(&mut self) -> Result<u64> {
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(u64::from(b));
            }
        }
        self.outlined(|r| r.read_uleb(64))
    }

    /// Reads an `i32` (signed LEB128).
    #[inline(always)]
    pub fn read_i32(&mut self) -> Result<i32> {
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                // Sign-extend from bit 6.
                return Ok(i32::from(b) << 25 >> 25);
            }
        }
        self.outlined(|r| r.read_sleb(32)).map(|v| v as i32)
    }

    /// Reads an `i64` (signed LEB128).
    #[inline(always)]
    pub fn read_i64(&mut self) -> Result<i64> {
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                // Sign-extend from bit 6.
                return Ok(i64::from(b) << 57 >> 57);
            }
        }
        self.outlined(|r| r.read_sleb(64))
    }

    /// Reads an `s33` (signed LEB128 of 33 bits), used by block types.
    #[inline]
    pub fn read_s33(&mut self) -> Result<i64> {
        self.outlined(|r| r.read_sleb(33))
    }

    /// Reads `N` bytes as an array.
    #[inline(always)]
    pub(crate) fn read_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.read_bytes(N)?);
        Ok(a)
    }

    /// Reads the bits of an `f32` (4 bytes little-endian).
    #[inline(always)]
    pub fn read_f32_bits(&mut self) -> Result<u32> {
        self.read_array().map(u32::from_le_bytes)
    }

    /// Reads the bits of an `f64` (8 bytes little-endian).
    #[inline(always)]
    pub fn read_f64_bits(&mut self) -> Result<u64> {
        self.read_array().map(u64::from_le_bytes)
    }

    /// Reads a vector length and checks it against the bytes left, assuming
    /// each element takes at least `min_size` bytes, so that a huge count
    /// fails at once instead of driving a huge allocation.
    pub fn read_len(&mut self, min_size: usize) -> Result<u32> {
        let n = self.read_u32()?;
        if (n as usize).saturating_mul(min_size) > self.remaining() {
            // The reference decoder runs off the end while reading the
            // elements; report what it reports.
            return Err(self.error(self.eof_message));
        }
        Ok(n)
    }

    /// Reads a byte length or vector length the way the reference decoder's
    /// `len32` does: a length greater than the bytes left (counted from the
    /// start of the length itself) is "length out of bounds". The caller
    /// still meets the end of the input if the length overshoots by less.
    pub fn read_size(&mut self) -> Result<usize> {
        let at = self.offset();
        let n = self.read_u32()? as usize;
        if n > self.remaining() + (self.offset() - at) {
            return Err(self.error_at("length out of bounds", at));
        }
        Ok(n)
    }

    /// Reads a name (§5.2.4): a length-prefixed UTF-8 string.
    pub fn read_name(&mut self) -> Result<&'a str> {
        let len = self.read_u32()? as usize;
        let start = self.offset();
        if len > self.remaining() {
            return Err(self.error("length out of bounds"));
        }
        let bytes = self.read_bytes(len)?;
        std::str::from_utf8(bytes).map_err(|_| self.error_at("malformed UTF-8 encoding", start))
    }

    /// Whether the features allow the abstract heap type `h`: `func` and
    /// `extern` came with reference types, `exn` and `noexn` with exception
    /// handling, the rest with GC.
    #[inline]
    fn has_abstract(&self, h: HeapType) -> bool {
        use weft_syntax::Feature;
        let f = self.features;
        match h {
            HeapType::Func => true,
            HeapType::Extern => f.has(Feature::ReferenceTypes),
            HeapType::Exn | HeapType::NoExn => f.has(Feature::Exceptions),
            HeapType::Any
            | HeapType::Eq
            | HeapType::I31
            | HeapType::Struct
            | HeapType::Array
            | HeapType::None
            | HeapType::NoFunc
            | HeapType::NoExtern => f.has(Feature::Gc),
            HeapType::Concrete(_) | HeapType::Rec(_) => f.has(Feature::FunctionReferences),
            HeapType::Exact(_) | HeapType::RecExact(_) => f.has(Feature::CustomDescriptors),
        }
    }

    /// Reads a heap type (§5.3.3): an abstract type's byte, or (with typed
    /// function references) a type index as a non-negative `s33`.
    #[inline]
    pub fn read_heap_type(&mut self) -> Result<HeapType> {
        let at = self.offset();
        let byte = self.peek_u8()?;
        if let Some(h) = HeapType::from_abstract_byte(byte) {
            self.pos += 1;
            if self.has_abstract(h) {
                return Ok(h);
            }
            return Err(Self::fail("malformed reference type", at));
        }
        if !self.features.has(weft_syntax::Feature::FunctionReferences) {
            self.pos += 1;
            return Err(Self::fail("malformed reference type", at));
        }
        // Custom descriptors: `0x62 x` is the exact type `x`.
        if byte == 0x62 && self.features.has(weft_syntax::Feature::CustomDescriptors) {
            self.pos += 1;
            // A type index as a non-negative signed number, as in the
            // reference decoder (`typeuse s32`).
            let at = self.offset();
            let idx = self.read_s33()?;
            if idx < 0 || idx > i64::from(i32::MAX) {
                return Err(Self::fail("malformed type index", at));
            }
            return Ok(HeapType::Exact(TypeIdx(idx as u32)));
        }
        let idx = self.read_s33()?;
        if idx < 0 || idx > i64::from(u32::MAX) {
            return Err(Self::fail("malformed heap type", at));
        }
        Ok(HeapType::Concrete(TypeIdx(idx as u32)))
    }

    /// Reads a reference type (§5.3.3): the short form (an abstract heap
    /// type's byte, nullable) or `0x63`/`0x64` and a heap type.
    pub fn read_ref_type(&mut self) -> Result<RefType> {
        let at = self.offset();
        let byte = self.read_u8()?;
        match self.ref_type_after(byte)? {
            Some(r) => Ok(r),
            None => Err(Self::fail("malformed reference type", at)),
        }
    }

    /// The reference type that starts with `byte` (already consumed);
    /// `None` if no reference type starts with it.
    #[inline]
    fn ref_type_after(&mut self, byte: u8) -> Result<Option<RefType>> {
        if let Some(h) = HeapType::from_abstract_byte(byte) {
            if self.has_abstract(h) {
                return Ok(Some(RefType::null(h)));
            }
            return Ok(None);
        }
        let nullable = match byte {
            0x63 => true,
            0x64 => false,
            _ => return Ok(None),
        };
        if !self.features.has(weft_syntax::Feature::FunctionReferences) {
            return Ok(None);
        }
        let heap = self.read_heap_type()?;
        Ok(Some(RefType { nullable, heap }))
    }

    /// Decodes a value type from its byte, if it is one of a single byte.
    #[inline]
    fn val_type_of(&self, byte: u8) -> Option<ValType> {
        Some(match byte {
            0x7F => ValType::I32,
            0x7E => ValType::I64,
            0x7D => ValType::F32,
            0x7C => ValType::F64,
            0x7B if self.features.has(weft_syntax::Feature::Simd) => ValType::V128,
            0x70 if self.features.has(weft_syntax::Feature::ReferenceTypes) => ValType::FUNCREF,
            0x6F if self.features.has(weft_syntax::Feature::ReferenceTypes) => ValType::EXTERNREF,
            b => match HeapType::from_abstract_byte(b) {
                Some(h) if !h.is_wasm2() && self.has_abstract(h) => ValType::Ref(RefType::null(h)),
                _ => return None,
            },
        })
    }

    /// Reads a value type (§5.3.4).
    #[inline]
    pub fn read_val_type(&mut self) -> Result<ValType> {
        let at = self.offset();
        let byte = self.read_u8()?;
        if let Some(t) = self.val_type_of(byte) {
            return Ok(t);
        }
        // The single-byte forms are all in `val_type_of`; what is left is
        // the long form of reference types.
        if matches!(byte, 0x63 | 0x64) {
            // Out of line, through a copy (see `outlined`): LLVM does not
            // inline `ref_type_after` into the validator's loop, and a call
            // with `&mut self` there pinned the reader to memory, which cost
            // decode + validate 8% more instructions.
            if let Some(r) = self.outlined(|r| r.ref_type_after(byte))? {
                return Ok(ValType::Ref(r));
            }
        }
        Err(Self::fail("malformed value type", at))
    }

    /// Reads a block type (§5.4.1): `0x40`, a value type, or an `s33` type
    /// index.
    #[inline(always)]
    pub fn read_block_type(&mut self) -> Result<BlockType> {
        let at = self.offset();
        let byte = self.peek_u8()?;
        if byte == 0x40 {
            self.pos += 1;
            return Ok(BlockType::Empty);
        }
        if let Some(t) = self.val_type_of(byte) {
            self.pos += 1;
            return Ok(BlockType::Value(t));
        }
        if matches!(byte, 0x63 | 0x64) {
            self.pos += 1;
            return match self.outlined(|r| r.ref_type_after(byte))? {
                Some(r) => Ok(BlockType::Value(ValType::Ref(r))),
                None => Err(Self::fail("malformed block type", at)),
            };
        }
        let idx = self.read_s33()?;
        if idx < 0 || idx > i64::from(u32::MAX) {
            return Err(Self::fail("malformed block type", at));
        }
        Ok(BlockType::Func(TypeIdx(idx as u32)))
    }

    /// Reads the flags and limits of a table or memory type (§5.3.7):
    /// `(address type, limits, shared, page size log2)`.
    ///
    /// Wasm 2.0 reads the flag as the reference decoder of 2.0 does, as a
    /// one-bit LEB128 number (a value above 1 is "integer too large", a set
    /// continuation bit "integer representation too long"), and the bounds
    /// as `u32`. With memory64, threads or custom page sizes the flag is a
    /// byte of bits (0x01 maximum, 0x02 shared, 0x04 64-bit addresses,
    /// 0x08 page size follows), any other bit "malformed limits flags", and
    /// the bounds are `u64`, as in Wasm 3.0.
    fn read_limits(&mut self, memory: bool) -> Result<(AddrType, Limits, bool, Option<u32>)> {
        let at = self.offset();
        let has = |f| self.features.has(f);
        if !(has(Feature::Memory64) || has(Feature::Threads) || has(Feature::CustomPageSizes)) {
            let has_max = match self.read_u8()? {
                0x00 => false,
                0x01 => true,
                0x80 | 0x81 => return Err(self.error("integer representation too long")),
                _ => return Err(self.error_at("integer too large", at)),
            };
            let min = u64::from(self.read_u32()?);
            let max = match has_max {
                true => Some(u64::from(self.read_u32()?)),
                false => None,
            };
            return Ok((AddrType::I32, Limits { min, max }, false, None));
        }
        let mut allowed = 0x01;
        if has(Feature::Memory64) {
            allowed |= 0x04;
        }
        if memory && has(Feature::Threads) {
            allowed |= 0x02;
        }
        if memory && has(Feature::CustomPageSizes) {
            allowed |= 0x08;
        }
        let flags = self.read_u8()?;
        if flags & !allowed != 0 {
            return Err(self.error_at("malformed limits flags", at));
        }
        let addr = match flags & 0x04 {
            0 => AddrType::I32,
            _ => AddrType::I64,
        };
        let min = self.read_u64()?;
        let max = match flags & 0x01 {
            0 => None,
            _ => Some(self.read_u64()?),
        };
        let page_size_log2 = match flags & 0x08 {
            0 => None,
            _ => {
                let at = self.offset();
                match self.read_u32()? {
                    p if p < 64 => Some(p),
                    _ => return Err(self.error_at("invalid custom page size", at)),
                }
            }
        };
        Ok((addr, Limits { min, max }, flags & 0x02 != 0, page_size_log2))
    }

    /// Reads a table type (§5.3.9).
    pub fn read_table_type(&mut self) -> Result<TableType> {
        let elem = self.read_ref_type()?;
        let (addr, limits, _, _) = self.read_limits(false)?;
        Ok(TableType { addr, elem, limits })
    }

    /// Reads a memory type (§5.3.8).
    pub fn read_mem_type(&mut self) -> Result<MemType> {
        let (addr, limits, shared, page_size_log2) = self.read_limits(true)?;
        Ok(MemType {
            addr,
            limits,
            shared,
            page_size_log2,
        })
    }

    /// Reads a mutability flag (§5.3.10).
    pub fn read_mut(&mut self) -> Result<Mut> {
        let at = self.offset();
        match self.read_u8()? {
            0x00 => Ok(Mut::Const),
            0x01 => Ok(Mut::Var),
            _ => Err(self.error_at("malformed mutability", at)),
        }
    }

    /// Reads a tag type (§5.3.11 of 3.0): the attribute byte 0 (an
    /// exception) and a type index.
    pub fn read_tag_type(&mut self) -> Result<TagType> {
        let at = self.offset();
        if self.read_u8()? != 0x00 {
            return Err(self.error_at("malformed tag attribute", at));
        }
        Ok(TagType {
            ty: TypeIdx(self.read_u32()?),
        })
    }

    /// Reads a global type (§5.3.10).
    pub fn read_global_type(&mut self) -> Result<GlobalType> {
        let content = self.read_val_type()?;
        let mutability = self.read_mut()?;
        Ok(GlobalType {
            mutability,
            content,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(bytes: &[u8]) -> Reader<'_> {
        Reader::new(bytes, Features::WASM2)
    }

    #[test]
    fn u32_leb() {
        assert_eq!(r(&[0x00]).read_u32(), Ok(0));
        assert_eq!(r(&[0xE5, 0x8E, 0x26]).read_u32(), Ok(624485));
        assert_eq!(r(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).read_u32(), Ok(u32::MAX));
        // Overlong but within 5 bytes is fine.
        assert_eq!(r(&[0x80, 0x80, 0x80, 0x80, 0x00]).read_u32(), Ok(0));
        let e = r(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])
            .read_u32()
            .unwrap_err();
        assert_eq!(e.message, "integer representation too long");
        let e = r(&[0xFF, 0xFF, 0xFF, 0xFF, 0x1F]).read_u32().unwrap_err();
        assert_eq!(e.message, "integer too large");
        assert_eq!(e.offset, 4);
        let e = r(&[0x80]).read_u32().unwrap_err();
        assert_eq!(e.message, "unexpected end");
    }

    #[test]
    fn i32_leb() {
        assert_eq!(r(&[0x7F]).read_i32(), Ok(-1));
        assert_eq!(r(&[0x3F]).read_i32(), Ok(63));
        assert_eq!(r(&[0xC0, 0x00]).read_i32(), Ok(64));
        assert_eq!(r(&[0x80, 0x80, 0x80, 0x80, 0x78]).read_i32(), Ok(i32::MIN));
        assert_eq!(r(&[0xFF, 0xFF, 0xFF, 0xFF, 0x07]).read_i32(), Ok(i32::MAX));
        assert_eq!(r(&[0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).read_i32(), Ok(-1));
        let e = r(&[0xFF, 0xFF, 0xFF, 0xFF, 0x4F]).read_i32().unwrap_err();
        assert_eq!(e.message, "integer too large");
        let e = r(&[0x80, 0x80, 0x80, 0x80, 0x70]).read_i32().unwrap_err();
        assert_eq!(e.message, "integer too large");
    }

    #[test]
    fn i64_leb() {
        let mut min = vec![0x80; 9];
        min.push(0x7F);
        assert_eq!(r(&min).read_i64(), Ok(i64::MIN));
        let mut max = vec![0xFF; 9];
        max.push(0x00);
        assert_eq!(r(&max).read_i64(), Ok(i64::MAX));
        let mut bad = vec![0xFF; 9];
        bad.push(0x01);
        assert_eq!(r(&bad).read_i64().unwrap_err().message, "integer too large");
        assert_eq!(r(&[0x40]).read_i64(), Ok(-64));
    }

    #[test]
    fn s33_block_type_index() {
        assert_eq!(
            r(&[0x05]).read_block_type(),
            Ok(BlockType::Func(TypeIdx(5)))
        );
        assert_eq!(r(&[0x40]).read_block_type(), Ok(BlockType::Empty));
        assert_eq!(
            r(&[0x7F]).read_block_type(),
            Ok(BlockType::Value(ValType::I32))
        );
    }
}
