//! Instructions (§2.4): the [`Instr`] enum and its immediates, generated
//! from the instruction table in `table.rs`.

use crate::{
    BlockType, DataIdx, ElemIdx, Feature, FieldIdx, FuncIdx, GlobalIdx, HeapType, LabelIdx,
    LocalIdx, MemIdx, TableIdx, TagIdx, TypeIdx, ValType,
};

/// Memory immediate of loads and stores (§2.4.7). `align` is the exponent
/// as written in the binary format (alignment `2^align` bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemArg {
    pub align: u32,
    pub offset: u64,
    pub memory: MemIdx,
}

/// An `f32` immediate held as its bit pattern, so that NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct F32(pub u32);

/// An `f64` immediate held as its bit pattern, so that NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct F64(pub u64);

/// A `v128` constant as its 16 bytes in little-endian lane order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct V128(pub [u8; 16]);

/// The 16 lane indices of `i8x16.shuffle` (each must be below 32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ShuffleLanes(pub [u8; 16]);

/// The cast flags of `br_on_cast` and `br_on_cast_fail` (§5.4.1): bit 0
/// says that the source type is nullable, bit 1 that the target type is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CastFlags(pub u8);

impl CastFlags {
    /// The flags of a cast from `(ref null? _)` to `(ref null? _)`.
    pub fn new(from_nullable: bool, to_nullable: bool) -> CastFlags {
        CastFlags(u8::from(from_nullable) | u8::from(to_nullable) << 1)
    }

    /// Whether the source type is nullable.
    pub fn from_nullable(self) -> bool {
        self.0 & 1 != 0
    }

    /// Whether the target type is nullable.
    pub fn to_nullable(self) -> bool {
        self.0 & 2 != 0
    }
}

/// A reserved byte that must be zero: the immediate of `atomic.fence`
/// (threads), which a later proposal may turn into ordering flags. It has no
/// text form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ZeroByte;

/// A lane index immediate of SIMD lane instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct LaneIdx(pub u8);

/// The label vector of `br_table`, without allocation: either the still
/// encoded LEB128 bytes borrowed from a binary module (already checked by the
/// decoder), or a slice built by the text parser.
#[derive(Clone, Copy, Debug)]
pub struct BrTable<'a> {
    repr: BrTableRepr<'a>,
    /// The label taken when the operand is out of range.
    pub default: LabelIdx,
}

#[derive(Clone, Copy, Debug)]
enum BrTableRepr<'a> {
    Encoded { bytes: &'a [u8], count: u32 },
    Slice(&'a [LabelIdx]),
}

impl<'a> BrTable<'a> {
    /// A table over `count` labels encoded as unsigned LEB128 in `bytes`.
    /// The caller (the binary decoder) has checked that `bytes` holds exactly
    /// `count` well-formed 32-bit LEB128 numbers.
    pub fn from_encoded(bytes: &'a [u8], count: u32, default: LabelIdx) -> Self {
        BrTable {
            repr: BrTableRepr::Encoded { bytes, count },
            default,
        }
    }

    /// A table over the given labels.
    pub fn from_slice(labels: &'a [LabelIdx], default: LabelIdx) -> Self {
        BrTable {
            repr: BrTableRepr::Slice(labels),
            default,
        }
    }

    /// Number of labels, not counting the default.
    pub fn len(&self) -> u32 {
        match self.repr {
            BrTableRepr::Encoded { count, .. } => count,
            BrTableRepr::Slice(s) => s.len() as u32,
        }
    }

    /// Whether the table has no labels besides the default.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The labels, not counting the default.
    pub fn labels(&self) -> BrTableLabels<'a> {
        BrTableLabels { repr: self.repr }
    }
}

impl PartialEq for BrTable<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.default == other.default
            && self.len() == other.len()
            && self.labels().eq(other.labels())
    }
}

/// Iterator over the labels of a [`BrTable`].
pub struct BrTableLabels<'a> {
    repr: BrTableRepr<'a>,
}

impl Iterator for BrTableLabels<'_> {
    type Item = LabelIdx;

    fn next(&mut self) -> Option<LabelIdx> {
        match &mut self.repr {
            BrTableRepr::Slice(s) => {
                let (first, rest) = s.split_first()?;
                *s = rest;
                Some(*first)
            }
            BrTableRepr::Encoded { bytes, count } => {
                if *count == 0 {
                    return None;
                }
                *count -= 1;
                // The decoder validated the encoding; decode leniently.
                let mut value = 0u32;
                let mut shift = 0;
                while let Some((&b, rest)) = bytes.split_first() {
                    *bytes = rest;
                    if shift < 32 {
                        value |= u32::from(b & 0x7f) << shift;
                    }
                    shift += 7;
                    if b & 0x80 == 0 {
                        break;
                    }
                }
                Some(LabelIdx(value))
            }
        }
    }
}

/// A catch clause of `try_table` (§2.4.8 of 3.0): which exceptions it
/// catches (one tag, or all) and where it branches, with or without the
/// caught exception's `exnref` after the payload (the `_ref` forms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Catch {
    /// `catch x l`: the payload of tag `x`.
    One { tag: TagIdx, label: LabelIdx },
    /// `catch_ref x l`: the payload of tag `x` and the exception.
    OneRef { tag: TagIdx, label: LabelIdx },
    /// `catch_all l`: nothing.
    All { label: LabelIdx },
    /// `catch_all_ref l`: the exception.
    AllRef { label: LabelIdx },
}

impl Catch {
    /// The clause's opcode byte in the binary format (§5.4.1 of 3.0) and
    /// the keyword of its text form, in that order of table rows.
    pub const KINDS: [(u8, &'static str); 4] = [
        (0x00, "catch"),
        (0x01, "catch_ref"),
        (0x02, "catch_all"),
        (0x03, "catch_all_ref"),
    ];

    /// The clause from its opcode byte, tag (ignored by the `catch_all`
    /// forms) and label; `None` for an unknown byte.
    pub fn new(kind: u8, tag: TagIdx, label: LabelIdx) -> Option<Catch> {
        Some(match kind {
            0x00 => Catch::One { tag, label },
            0x01 => Catch::OneRef { tag, label },
            0x02 => Catch::All { label },
            0x03 => Catch::AllRef { label },
            _ => return None,
        })
    }

    /// The clause's opcode byte.
    pub fn kind(self) -> u8 {
        match self {
            Catch::One { .. } => 0x00,
            Catch::OneRef { .. } => 0x01,
            Catch::All { .. } => 0x02,
            Catch::AllRef { .. } => 0x03,
        }
    }

    /// The tag it catches; `None` for the `catch_all` forms.
    pub fn tag(self) -> Option<TagIdx> {
        match self {
            Catch::One { tag, .. } | Catch::OneRef { tag, .. } => Some(tag),
            Catch::All { .. } | Catch::AllRef { .. } => None,
        }
    }

    /// The label it branches to.
    pub fn label(self) -> LabelIdx {
        match self {
            Catch::One { label, .. }
            | Catch::OneRef { label, .. }
            | Catch::All { label }
            | Catch::AllRef { label } => label,
        }
    }

    /// Whether the branch carries the exception as an `exnref`.
    pub fn is_ref(self) -> bool {
        matches!(self, Catch::OneRef { .. } | Catch::AllRef { .. })
    }
}

/// The catch clauses of `try_table`, without allocation: either still
/// encoded (borrowed from a binary module, already checked by the decoder),
/// or a slice built by the text parser. Same scheme as [`BrTable`].
#[derive(Clone, Copy, Debug)]
pub enum Catches<'a> {
    /// `count` clauses encoded in `bytes`.
    Encoded { bytes: &'a [u8], count: u32 },
    /// Clauses in a slice.
    Slice(&'a [Catch]),
}

impl<'a> Catches<'a> {
    /// Number of clauses.
    pub fn len(&self) -> u32 {
        match self {
            Catches::Encoded { count, .. } => *count,
            Catches::Slice(s) => s.len() as u32,
        }
    }

    /// Whether there are no clauses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The clauses in order.
    pub fn iter(&self) -> CatchIter<'a> {
        CatchIter { repr: *self }
    }
}

impl PartialEq for Catches<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Iterator over [`Catches`].
pub struct CatchIter<'a> {
    repr: Catches<'a>,
}

/// Reads a LEB128 `u32` leniently from the front of `bytes` (the decoder
/// checked the encoding).
fn lenient_u32(bytes: &mut &[u8]) -> u32 {
    let mut value = 0u32;
    let mut shift = 0;
    while let Some((&b, rest)) = bytes.split_first() {
        *bytes = rest;
        if shift < 32 {
            value |= u32::from(b & 0x7f) << shift;
        }
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    value
}

impl Iterator for CatchIter<'_> {
    type Item = Catch;

    fn next(&mut self) -> Option<Catch> {
        match &mut self.repr {
            Catches::Slice(s) => {
                let (first, rest) = s.split_first()?;
                *s = rest;
                Some(*first)
            }
            Catches::Encoded { bytes, count } => {
                if *count == 0 {
                    return None;
                }
                *count -= 1;
                let (&kind, rest) = bytes.split_first()?;
                *bytes = rest;
                let tag = if kind < 2 { lenient_u32(bytes) } else { 0 };
                let label = lenient_u32(bytes);
                Catch::new(kind, TagIdx(tag), LabelIdx(label))
            }
        }
    }
}

/// An opcode: one byte, or a prefix byte with a sub-opcode value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Opcode {
    pub byte: u8,
    pub sub: Option<u32>,
}

/// Static facts about one row of the instruction table.
#[derive(Clone, Copy, Debug)]
pub struct InstrInfo {
    pub opcode: Opcode,
    pub mnemonic: &'static str,
    pub feature: Feature,
}

#[doc(hidden)]
#[macro_export]
macro_rules! __opcode {
    ($byte:literal) => {
        $crate::Opcode {
            byte: $byte,
            sub: None,
        }
    };
    ($byte:literal $sub:literal) => {
        $crate::Opcode {
            byte: $byte,
            sub: Some($sub),
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __feature {
    (mvp) => {
        $crate::Feature::Mvp
    };
    (sign_ext) => {
        $crate::Feature::SignExt
    };
    (sat_float_to_int) => {
        $crate::Feature::SatFloatToInt
    };
    (bulk_memory) => {
        $crate::Feature::BulkMemory
    };
    (reference_types) => {
        $crate::Feature::ReferenceTypes
    };
    (simd) => {
        $crate::Feature::Simd
    };
    (tail_call) => {
        $crate::Feature::TailCall
    };
    (wide_arithmetic) => {
        $crate::Feature::WideArithmetic
    };
    (relaxed_simd) => {
        $crate::Feature::RelaxedSimd
    };
    (function_references) => {
        $crate::Feature::FunctionReferences
    };
    (gc) => {
        $crate::Feature::Gc
    };
    (exceptions) => {
        $crate::Feature::Exceptions
    };
    (legacy_exceptions) => {
        $crate::Feature::LegacyExceptions
    };
    (threads) => {
        $crate::Feature::Threads
    };
    (custom_descriptors) => {
        $crate::Feature::CustomDescriptors
    };
}

macro_rules! define_instr {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// One instruction with its immediates (§2.4). Generated from the
        /// instruction table; see `table.rs` for the meaning of each row.
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[allow(missing_docs)] // the variants are the spec's instructions
        pub enum Instr<'a> {
            $( $variant { $($field: $ty),* }, )*
        }

        /// Every row of the instruction table, in table order.
        pub static INSTRS: &[InstrInfo] = &[
            $( InstrInfo {
                opcode: $crate::__opcode!($($op)+),
                mnemonic: $name,
                feature: $crate::__feature!($feature),
            }, )*
        ];

        /// The row of an instruction, without its immediates. The
        /// discriminant is the row's position in [`INSTRS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // the variants are the spec's instructions
        #[repr(u16)]
        pub enum InstrKind {
            $( $variant, )*
        }

        impl InstrKind {
            /// The static facts of this row.
            pub fn info(self) -> &'static InstrInfo {
                &INSTRS[self as usize]
            }
        }

        impl Instr<'_> {
            /// The row of this instruction.
            pub fn kind(&self) -> InstrKind {
                match self {
                    $( Instr::$variant { .. } => InstrKind::$variant, )*
                }
            }

            /// The static facts of this instruction's row.
            pub fn info(&self) -> &'static InstrInfo {
                self.kind().info()
            }

            /// The text-format mnemonic, e.g. `"i32.add"`.
            pub fn mnemonic(&self) -> &'static str {
                match self {
                    $( Instr::$variant { .. } => $name, )*
                }
            }

            /// The opcode.
            pub fn opcode(&self) -> Opcode {
                match self {
                    $( Instr::$variant { .. } => $crate::__opcode!($($op)+), )*
                }
            }

            /// The proposal the instruction belongs to.
            pub fn feature(&self) -> Feature {
                match self {
                    $( Instr::$variant { .. } => $crate::__feature!($feature), )*
                }
            }
        }
    };
}

crate::for_each_instr!(define_instr);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn opcodes_are_unique() {
        let mut seen = HashSet::new();
        for info in INSTRS {
            assert!(
                seen.insert(info.opcode),
                "duplicate opcode {:?}",
                info.opcode
            );
        }
    }

    #[test]
    fn mnemonics_are_unique() {
        // `select` and typed `select` share the mnemonic: the text format
        // tells them apart by the `(result t)` annotation; `ref.test` and
        // `ref.cast` (and `ref.cast_desc_eq`, custom descriptors) have one
        // row per nullability of the target type.
        let mut seen = HashSet::new();
        for info in INSTRS {
            if seen.insert(info.mnemonic) {
                continue;
            }
            assert!(
                ["select", "ref.test", "ref.cast", "ref.cast_desc_eq"].contains(&info.mnemonic),
                "duplicate mnemonic {}",
                info.mnemonic
            );
        }
    }

    #[test]
    fn row_matches_variant() {
        let i = Instr::I32Add {};
        assert_eq!(i.info().mnemonic, "i32.add");
        let i = Instr::I16x8ExtAddPairwiseI8x16U {};
        assert_eq!(
            i.opcode(),
            Opcode {
                byte: 0xFD,
                sub: Some(0x7D)
            }
        );
        assert_eq!(i.info().mnemonic, i.mnemonic());
    }
}
