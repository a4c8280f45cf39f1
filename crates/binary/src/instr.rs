//! Instructions (§5.4), decoded and encoded by code generated from the
//! instruction table.

use crate::{DecodeError, Reader, Result};
use weft_syntax::{
    BlockType, BrTable, CastFlags, Catches, DataIdx, ElemIdx, Feature, Features, FieldIdx, FuncIdx,
    GlobalIdx, HeapType, Instr, LabelIdx, LaneIdx, LocalIdx, MemArg, MemIdx, RefType, ShuffleLanes,
    TableIdx, TagIdx, TypeIdx, ValType, ZeroByte, F32, F64, V128,
};

/// An instruction immediate: how it is read from and written to the binary
/// format.
pub trait Immediate<'a>: Sized {
    /// Reads the immediate.
    fn decode(r: &mut Reader<'a>) -> Result<Self>;
    /// Appends the immediate's minimal encoding.
    fn encode(&self, out: &mut Vec<u8>);
}

/// Appends the unsigned LEB128 encoding of `v`.
pub fn write_u64(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends the unsigned LEB128 encoding of `v`.
pub fn write_u32(out: &mut Vec<u8>, v: u32) {
    write_u64(out, u64::from(v))
}

/// Appends the signed LEB128 encoding of `v`.
pub fn write_i64(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends the encoding of a value type.
pub fn write_val_type(out: &mut Vec<u8>, t: ValType) {
    match t {
        ValType::I32 => out.push(0x7F),
        ValType::I64 => out.push(0x7E),
        ValType::F32 => out.push(0x7D),
        ValType::F64 => out.push(0x7C),
        ValType::V128 => out.push(0x7B),
        ValType::Ref(r) => write_ref_type(out, r),
    }
}

/// Appends the encoding of a reference type (§5.3.3): the one-byte short
/// form for a nullable abstract type, else `0x63`/`0x64` and the heap type.
pub fn write_ref_type(out: &mut Vec<u8>, r: RefType) {
    match (r.nullable, r.heap.abstract_byte()) {
        (true, Some(b)) => out.push(b),
        _ => {
            out.push(if r.nullable { 0x63 } else { 0x64 });
            write_heap_type(out, r.heap);
        }
    }
}

/// Appends the encoding of a heap type (§5.3.3): an abstract type's byte,
/// or a type index as a non-negative `s33`.
pub fn write_heap_type(out: &mut Vec<u8>, h: HeapType) {
    match (h, h.abstract_byte()) {
        (_, Some(b)) => out.push(b),
        (HeapType::Concrete(t), None) => write_i64(out, i64::from(t.0)),
        // Custom descriptors: `0x62 x`, an exact type index.
        (HeapType::Exact(t), None) => {
            out.push(0x62);
            write_i64(out, i64::from(t.0));
        }
        // Rolled groups are for comparison, never encoded; write the
        // position so that the output at least decodes.
        (HeapType::Rec(i), None) => write_i64(out, i64::from(i)),
        (HeapType::RecExact(i), None) => {
            out.push(0x62);
            write_i64(out, i64::from(i));
        }
        (_, None) => unreachable!("every other heap type is abstract"),
    }
}

macro_rules! index_immediates {
    ($($t:ident),*) => {$(
        impl<'a> Immediate<'a> for $t {
            #[inline(always)]
            fn decode(r: &mut Reader<'a>) -> Result<Self> {
                r.read_u32().map($t)
            }
            fn encode(&self, out: &mut Vec<u8>) {
                write_u32(out, self.0)
            }
        }
    )*};
}
index_immediates!(
    TypeIdx, FuncIdx, TableIdx, GlobalIdx, ElemIdx, DataIdx, LocalIdx, LabelIdx, FieldIdx, TagIdx
);

impl<'a> Immediate<'a> for u32 {
    /// A count (`array.new_fixed`).
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.read_u32()
    }
    fn encode(&self, out: &mut Vec<u8>) {
        write_u32(out, *self)
    }
}

impl<'a> Immediate<'a> for CastFlags {
    /// One byte of which only the two low bits may be set (§5.4.1).
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        let at = r.offset();
        match r.read_u8()? {
            b @ 0..=3 => Ok(CastFlags(b)),
            _ => Err(Reader::fail("malformed cast flags", at)),
        }
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.0)
    }
}

impl<'a> Immediate<'a> for MemIdx {
    /// Without multi-memory the memory index of `memory.size` and friends is
    /// a single zero byte (§5.4.6).
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        if r.features().has(Feature::MultiMemory) {
            return r.read_u32().map(MemIdx);
        }
        let at = r.offset();
        match r.read_u8()? {
            0 => Ok(MemIdx(0)),
            _ => Err(Reader::fail("zero byte expected", at)),
        }
    }
    fn encode(&self, out: &mut Vec<u8>) {
        write_u32(out, self.0)
    }
}

impl<'a> Immediate<'a> for BlockType {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.read_block_type()
    }
    fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            BlockType::Empty => out.push(0x40),
            BlockType::Value(t) => write_val_type(out, t),
            BlockType::Func(i) => write_i64(out, i64::from(i.0)),
        }
    }
}

/// Reads the labels of `br_table`, out of line (see `Reader::outlined`).
#[inline(never)]
fn read_br_table<'a>(r: &mut Reader<'a>) -> Result<BrTable<'a>> {
    let count = r.read_len(1)?;
    let start = r.rest();
    let before = r.position();
    for _ in 0..count {
        r.read_u32()?;
    }
    let bytes = &start[..r.position() - before];
    let default = LabelIdx(r.read_u32()?);
    Ok(BrTable::from_encoded(bytes, count, default))
}

impl<'a> Immediate<'a> for BrTable<'a> {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.outlined(read_br_table)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        write_u32(out, self.len());
        for l in self.labels() {
            write_u32(out, l.0);
        }
        write_u32(out, self.default.0);
    }
}

/// Reads the catch clauses of `try_table`, out of line: a vector of
/// clauses, each an opcode byte (0 to 3, §5.4.1 of 3.0), a tag index for
/// the first two, and a label.
#[inline(never)]
fn read_catches<'a>(r: &mut Reader<'a>) -> Result<Catches<'a>> {
    let count = r.read_len(2)?;
    let start = r.rest();
    let before = r.position();
    for _ in 0..count {
        let at = r.offset();
        let kind = r.read_u8()?;
        if kind > 3 {
            return Err(Reader::fail("malformed catch clause", at));
        }
        if kind < 2 {
            r.read_u32()?;
        }
        r.read_u32()?;
    }
    let bytes = &start[..r.position() - before];
    Ok(Catches::Encoded { bytes, count })
}

impl<'a> Immediate<'a> for Catches<'a> {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.outlined(read_catches)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        write_u32(out, self.len());
        for c in self.iter() {
            out.push(c.kind());
            if let Some(tag) = c.tag() {
                write_u32(out, tag.0);
            }
            write_u32(out, c.label().0);
        }
    }
}

impl<'a> Immediate<'a> for ValType {
    /// The operand of typed `select`: a vector of value types that must hold
    /// exactly one (§5.4.3).
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.outlined(read_select_type)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(1);
        write_val_type(out, *self);
    }
}

/// Reads the type vector of typed `select`, out of line.
#[inline(never)]
fn read_select_type(r: &mut Reader<'_>) -> Result<ValType> {
    let at = r.offset();
    let n = r.read_u32()?;
    if n != 1 {
        return Err(Reader::fail("invalid result arity", at));
    }
    r.read_val_type()
}

impl<'a> Immediate<'a> for HeapType {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.outlined(|r| r.read_heap_type())
    }
    fn encode(&self, out: &mut Vec<u8>) {
        write_heap_type(out, *self)
    }
}

impl<'a> Immediate<'a> for MemArg {
    /// `align` then `offset` (§5.4.7). With multi-memory (3.0), bit 6 of
    /// the alignment field says that a memory index follows, the low six
    /// bits are the exponent (32 to 63 decode and fail validation), and a
    /// field of 128 or more is "malformed memop flags". Without it, as in
    /// Wasm 2.0, an exponent of 32 or more is malformed (both as in the
    /// reference decoder and the testsuites' align.wast).
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        let at = r.offset();
        let mut align = r.read_u32()?;
        let mut memory = MemIdx(0);
        if align >= 32 {
            (align, memory) = r.outlined(|r| memarg_flags(r, align, at))?;
        }
        let offset = if r.features().has(Feature::Memory64) {
            r.read_u64()?
        } else {
            u64::from(r.read_u32()?)
        };
        Ok(MemArg {
            align,
            offset,
            memory,
        })
    }
    fn encode(&self, out: &mut Vec<u8>) {
        if self.memory.0 == 0 {
            write_u32(out, self.align);
        } else {
            write_u32(out, self.align | 0x40);
            write_u32(out, self.memory.0);
        }
        write_u64(out, self.offset);
    }
}

/// The alignment field of a `memarg` of 32 or more, out of line: the
/// exponent and the memory index (see `MemArg::decode`).
#[inline(never)]
fn memarg_flags(r: &mut Reader<'_>, flags: u32, at: usize) -> Result<(u32, MemIdx)> {
    if !r.features().has(Feature::MultiMemory) || flags >= 0x80 {
        return Err(Reader::fail("malformed memop flags", at));
    }
    if flags & 0x40 == 0 {
        return Ok((flags, MemIdx(0)));
    }
    Ok((flags & !0x40, MemIdx(r.read_u32()?)))
}

impl<'a> Immediate<'a> for i32 {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.read_i32()
    }
    fn encode(&self, out: &mut Vec<u8>) {
        write_i64(out, i64::from(*self))
    }
}

impl<'a> Immediate<'a> for i64 {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.read_i64()
    }
    fn encode(&self, out: &mut Vec<u8>) {
        write_i64(out, *self)
    }
}

impl<'a> Immediate<'a> for F32 {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.read_f32_bits().map(F32)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes())
    }
}

impl<'a> Immediate<'a> for F64 {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.read_f64_bits().map(F64)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes())
    }
}

#[inline(always)]
fn read_16(r: &mut Reader<'_>) -> Result<[u8; 16]> {
    r.read_array()
}

impl<'a> Immediate<'a> for V128 {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        read_16(r).map(V128)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0)
    }
}

impl<'a> Immediate<'a> for ShuffleLanes {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        read_16(r).map(ShuffleLanes)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0)
    }
}

impl<'a> Immediate<'a> for ZeroByte {
    /// The reserved byte after `atomic.fence` (threads).
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        let at = r.offset();
        match r.read_u8()? {
            0 => Ok(ZeroByte),
            _ => Err(Reader::fail("zero byte expected", at)),
        }
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(0)
    }
}

impl<'a> Immediate<'a> for LaneIdx {
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self> {
        r.read_u8().map(LaneIdx)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.0)
    }
}

use weft_syntax::for_each_visit;

/// The `(byte, sub-opcode)` pattern of a row; a one-byte opcode matches any
/// sub-opcode (it is 0 then), so that the match dispatches on the first byte
/// alone.
macro_rules! opcode_pattern {
    ($byte:literal) => {
        ($byte, _)
    };
    ($byte:literal $sub:literal) => {
        ($byte, $sub)
    };
}

/// "illegal opcode" for the instruction at `at`, naming its opcode as the
/// reference decoder does: the byte in hex (`illegal opcode ff`), and for a
/// prefixed opcode the sub-opcode in decimal after it (`illegal opcode fc
/// 21`). Out of line: only the error path pays for the formatting.
#[cold]
#[inline(never)]
fn illegal_opcode(features: Features, byte: u8, sub: u32, at: usize) -> DecodeError {
    let message = if is_prefix(features, byte) {
        format!("illegal opcode {byte:02x} {sub}")
    } else {
        format!("illegal opcode {byte:02x}")
    };
    DecodeError::new(message, at)
}

/// Whether `byte` is a prefix followed by a LEB128 sub-opcode: GC (0xFB),
/// numeric (0xFC), SIMD (0xFD), and atomics (0xFE) when threads are
/// enabled (without them 0xFE is an illegal opcode by itself, as in the
/// reference decoder).
#[inline(always)]
fn is_prefix(features: Features, byte: u8) -> bool {
    match byte {
        0xFB..=0xFD => true,
        0xFE => features.has(Feature::Threads),
        _ => false,
    }
}

macro_rules! feature_gate {
    ($r:ident, $byte:ident, $sub:ident, $at:ident, mvp) => {};
    ($r:ident, $byte:ident, $sub:ident, $at:ident, $feature:ident) => {
        if !$r.features().has(weft_syntax::__feature!($feature)) {
            return Err(illegal_opcode($r.features(), $byte, $sub, $at));
        }
    };
}

macro_rules! define_codec {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal $visit:ident
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// A consumer of decoded instructions, one method per row of the
        /// instruction table, named `visit_` plus the mnemonic (`.` -> `_`;
        /// the typed `select` is `visit_typed_select`), taking the row's
        /// immediates in binary order. [`Reader::visit_instr`] decodes an
        /// instruction and calls the method of its row, so that a consumer
        /// such as the validator dispatches once per instruction, on the
        /// opcode, instead of once in the decoder and again on an [`Instr`].
        pub trait VisitInstr<'a> {
            /// What every method returns.
            type Output;
            $(
                #[doc = concat!("`", $name, "`")]
                fn $visit(&mut self $(, $field: $ty)*) -> Self::Output;
            )*
        }

        impl<'a> Reader<'a> {
            /// Decodes one instruction (§5.4) and hands it to the method of
            /// `v` for its row. Opcodes of features that are not enabled are
            /// rejected like unknown ones ("illegal opcode"). Immediates are
            /// all decoded before `v` sees the instruction.
            ///
            /// Always inlined: each visitor type has one call site (the
            /// validator's loop, [`Reader::read_instr`]), into which the
            /// opcode match is expanded next to the visitor's methods.
            #[inline(always)]
            pub fn visit_instr<V: VisitInstr<'a> + ?Sized>(&mut self, v: &mut V) -> Result<V::Output> {
                let at = self.offset();
                let byte = self.read_u8()?;
                let sub = if is_prefix(self.features(), byte) { self.read_u32()? } else { 0 };
                Ok(match (byte, sub) {
                    $( opcode_pattern!($($op)+) => {
                        feature_gate!(self, byte, sub, at, $feature);
                        v.$visit($(<$ty as Immediate>::decode(self)?),*)
                    } )*
                    _ => return Err(illegal_opcode(self.features(), byte, sub, at)),
                })
            }
        }

        /// The visitor behind [`Reader::read_instr`]: builds the [`Instr`].
        struct BuildInstr;

        impl<'a> VisitInstr<'a> for BuildInstr {
            type Output = Instr<'a>;
            $(
                #[inline(always)]
                fn $visit(&mut self $(, $field: $ty)*) -> Instr<'a> {
                    Instr::$variant { $($field),* }
                }
            )*
        }

        /// Appends the encoding of `instr`.
        pub fn encode_instr(instr: &Instr<'_>, out: &mut Vec<u8>) {
            let op = instr.opcode();
            out.push(op.byte);
            if let Some(sub) = op.sub {
                write_u32(out, sub);
            }
            match instr {
                $( Instr::$variant { $($field),* } => {
                    $( Immediate::encode($field, out); )*
                } )*
            }
        }

        #[cfg(test)]
        /// The rows of `for_each_visit!` as (variant, mnemonic, visit name).
        const VISIT_ROWS: &[(&str, &str, &str)] = &[ $( (stringify!($variant), $name, stringify!($visit)), )* ];
    };
}

for_each_visit!(define_codec);

impl<'a> Reader<'a> {
    /// Reads one instruction (§5.4). Opcodes of features that are not
    /// enabled are rejected like unknown ones.
    pub fn read_instr(&mut self) -> Result<Instr<'a>> {
        self.visit_instr(&mut BuildInstr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_syntax::{Features, INSTRS};

    /// Decoding the encoding of every row gives the instruction back.
    #[test]
    fn every_row_round_trips() {
        // Build one instance of each row with immediates that exercise
        // multi-byte encodings.
        // Every row decodes with every feature on.
        let all = Features::from_name(
            "3.0,threads,wide-arithmetic,custom-page-sizes,legacy-exceptions,custom-descriptors",
        )
        .expect("a feature set");
        let mut count = 0;
        for info in INSTRS {
            let mut bytes = vec![info.opcode.byte];
            if let Some(sub) = info.opcode.sub {
                write_u32(&mut bytes, sub);
            }
            // Zero bytes serve as immediates for almost every row; typed
            // `select` needs a one-type vector and `ref.null` a heap type.
            let tails: [&[u8]; 3] = [&[0; 24], &[1, 0x7F, 0], &[0x70, 0]];
            let instr = tails
                .iter()
                .find_map(|tail| {
                    let mut b = bytes.clone();
                    b.extend_from_slice(tail);
                    let mut r = Reader::new(&b, all);
                    let i = r.read_instr().ok()?;
                    let mut out = Vec::new();
                    encode_instr(&i, &mut out);
                    Some(out)
                })
                .unwrap_or_else(|| panic!("{} does not decode", info.mnemonic));
            let mut r = Reader::new(&instr, all);
            let instr = r.read_instr().unwrap();
            assert_eq!(instr.mnemonic(), info.mnemonic);
            let mut out = Vec::new();
            encode_instr(&instr, &mut out);
            assert!(r.is_empty(), "{}: minimal encoding", info.mnemonic);
            let mut r2 = Reader::new(&out, all);
            assert_eq!(r2.read_instr().unwrap(), instr, "{}", info.mnemonic);
            assert!(r2.is_empty(), "{}: minimal encoding", info.mnemonic);
            count += 1;
        }
        assert_eq!(count, INSTRS.len());
    }

    /// `for_each_visit!` (generated by weft-syntax from the table's text) has
    /// the table's rows, in order, with spec-derived method names.
    #[test]
    fn visit_rows_are_the_table() {
        assert_eq!(VISIT_ROWS.len(), INSTRS.len());
        let mut names = std::collections::HashSet::new();
        for (&(variant, mnemonic, visit), info) in VISIT_ROWS.iter().zip(INSTRS) {
            assert_eq!(mnemonic, info.mnemonic, "{variant}");
            assert!(names.insert(visit), "{visit} twice");
            if variant == "TypedSelect" {
                assert_eq!(visit, "visit_typed_select");
            } else if variant == "RefTestNull"
                || variant == "RefCastNull"
                || variant == "RefCastDescEqNull"
            {
                // The second row of a mnemonic is named after its variant.
                assert_eq!(visit, format!("visit_{}_null", mnemonic.replace('.', "_")));
            } else {
                assert_eq!(visit, format!("visit_{}", mnemonic.replace('.', "_")));
            }
        }
    }

    /// The alignment field of a `memarg`: exponents of 32 and more are
    /// malformed in 2.0; in 3.0 bit 6 says a memory index follows, the low
    /// six bits are the exponent (validation rejects those too large) and
    /// fields of 128 and more are malformed.
    #[test]
    fn memarg_flags() {
        let load = |bytes: &[u8], f: Features| {
            let mut b = vec![0x28];
            b.extend_from_slice(bytes);
            match Reader::new(&b, f).read_instr() {
                Ok(Instr::I32Load { memarg }) => Ok((memarg.align, memarg.memory.0, memarg.offset)),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e.message),
            }
        };
        let (v2, v3) = (Features::WASM2, Features::WASM3);
        assert_eq!(load(&[0x1F, 0], v2), Ok((31, 0, 0)));
        assert_eq!(load(&[0x20, 0], v2).unwrap_err(), "malformed memop flags");
        assert_eq!(load(&[0x20, 0], v3), Ok((32, 0, 0)));
        assert_eq!(load(&[0x3F, 0], v3), Ok((63, 0, 0)));
        assert_eq!(load(&[0x41, 1, 5], v3), Ok((1, 1, 5)));
        assert_eq!(load(&[0x7F, 2, 0], v3), Ok((63, 2, 0)));
        assert_eq!(
            load(&[0x80, 1, 0], v3).unwrap_err(),
            "malformed memop flags"
        );
        assert_eq!(
            load(&[0x80, 2, 0], v3).unwrap_err(),
            "malformed memop flags"
        );
    }

    /// "illegal opcode" names the opcode as the reference decoder does: the
    /// byte in hex, a prefixed opcode's sub-opcode in decimal; 0xFE is a
    /// prefix only with threads.
    #[test]
    fn illegal_opcode_messages() {
        let message = |bytes: &[u8], f: Features| match Reader::new(bytes, f).read_instr() {
            Ok(i) => panic!("{i:?} decodes"),
            Err(e) => (e.message, e.offset),
        };
        let v3 = Features::WASM3;
        let threads = Features::from_name("3.0,threads").expect("a feature set");
        assert_eq!(message(&[0xFF], v3), ("illegal opcode ff".into(), 0));
        assert_eq!(
            message(&[0xFC, 0x99, 0x01], v3),
            ("illegal opcode fc 153".into(), 0)
        );
        assert_eq!(message(&[0xFE, 0x00], v3), ("illegal opcode fe".into(), 0));
        assert_eq!(
            message(&[0xFE, 0x7F], threads),
            ("illegal opcode fe 127".into(), 0)
        );
        // A feature that is off: the opcode is as unknown as any.
        assert_eq!(
            message(&[0x12, 0x00], Features::WASM2),
            ("illegal opcode 12".into(), 0)
        );
    }

    #[test]
    fn leb_writers() {
        let mut out = Vec::new();
        write_i64(&mut out, -64);
        write_i64(&mut out, 64);
        write_u32(&mut out, 624485);
        assert_eq!(out, [0x40, 0xC0, 0x00, 0xE5, 0x8E, 0x26]);
    }
}
