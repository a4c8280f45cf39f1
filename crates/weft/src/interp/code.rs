//! The internal code: a register-style instruction set whose operands are
//! frame slots.
//!
//! A frame is a window of the value stack:
//!
//! ```text
//! slot 0 ..             parameters (results are written here on return)
//!        ..             declared locals (zeroed on entry)
//!        ..             constants of the function (copied in on entry)
//! temp_base ..          operand-stack temporaries, one canonical slot per
//!                       stack position (a v128 takes two)
//! ```
//!
//! Every operand of an [`Op`] is a [`Slot`] index relative to the frame
//! pointer, below the frame size: the translator (`translate.rs`) keeps
//! it so, and the verifier (`verify.rs`) checks every translated function
//! for it (and for jumps inside the code) before it runs, so that
//! execution reads slots and follows jumps without bounds checks. Locals and constants are read in place; only values computed by
//! instructions occupy temporaries.
//!
//! Rows of the instruction table get a variant of the same name whose
//! payload type follows the row's signature class ([`Un`], [`Bin`], ...);
//! rows the interpreter handles by hand (control, locals, globals, tables,
//! constants) get the uninhabited payload [`Never`] and are never built.
//! The hand-written variants follow, from the table in `isa.rs`, which
//! also gives their tags ([`Tag`]), operand kinds ([`Op::visit_operands`]),
//! handlers and whether they end control flow. `Op` is `#[repr(u16)]` and at most
//! 16 bytes; the executed form pairs each with its handler (`exec::Inst`,
//! 24 bytes).

use crate::TrapCode;

/// A frame slot index.
pub(crate) type Slot = u16;

/// Accumulator use of an instruction (the `M` of its handler): the result
/// goes to the accumulator instead of its slot (it is a temporary that
/// only the next instruction reads).
pub(crate) const ACC_OUT: u8 = 1;
/// The first operand (or the only one, or a store's address, or a jump's
/// condition) comes from the accumulator.
pub(crate) const ACC_IN_L: u8 = 2;
/// The second operand (or a store's value) comes from the accumulator.
pub(crate) const ACC_IN_R: u8 = 4;
/// With [`ACC_OUT`]: the result goes to its slot too (it is a local's
/// new value that the next instruction also reads).
pub(crate) const SLOT_TOO: u8 = 16;
/// Loads only, with [`ADDR_ADD`]: the address sum also goes to slot `sum`
/// (a local the fused `i32.add` wrote). Loads take no second operand, so
/// this shares its bit with [`ACC_IN_R`].
pub(crate) const SUM_TOO: u8 = ACC_IN_R;
/// A load's or store's address is the i32 sum of `addr` and `idx` (an
/// `i32.add` fused into the access).
pub(crate) const ADDR_ADD: u8 = 8;

/// The payload of table rows that are never translated to their own
/// variant (control instructions, constants, ...): uninhabited.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Never {}

/// `dst = op(src)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Un {
    pub(crate) dst: Slot,
    pub(crate) src: Slot,
}

/// `dst = op(lhs, rhs)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bin {
    pub(crate) dst: Slot,
    pub(crate) lhs: Slot,
    pub(crate) rhs: Slot,
}

/// `dst = op(a, b, c)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ter {
    pub(crate) dst: Slot,
    pub(crate) a: Slot,
    pub(crate) b: Slot,
    pub(crate) c: Slot,
}

/// `dst, dst + 1 = op(lhs, rhs)`: two i64 results (wide arithmetic).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BinPair {
    pub(crate) dst: Slot,
    pub(crate) lhs: Slot,
    pub(crate) rhs: Slot,
}

/// `dst, dst + 1 = op(a, b, c, d)`: two i64 results of four (wide
/// arithmetic on 128-bit integers as two halves).
#[derive(Clone, Copy, Debug)]
pub(crate) struct QuadPair {
    pub(crate) dst: Slot,
    pub(crate) a: Slot,
    pub(crate) b: Slot,
    pub(crate) c: Slot,
    pub(crate) d: Slot,
}

/// `dst = op(src, lane)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LaneUn {
    pub(crate) dst: Slot,
    pub(crate) src: Slot,
    pub(crate) lane: u8,
}

/// `dst = op(lhs, rhs, lane)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LaneBin {
    pub(crate) dst: Slot,
    pub(crate) lhs: Slot,
    pub(crate) rhs: Slot,
    pub(crate) lane: u8,
}

/// `dst = load(mem[addr + offset])`, or `mem[(addr + idx) + offset]` in
/// mode [`ADDR_ADD`] (which writes `addr + idx` to `sum` too in mode
/// [`SUM_TOO`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Load {
    pub(crate) dst: Slot,
    pub(crate) addr: Slot,
    pub(crate) idx: Slot,
    pub(crate) sum: Slot,
    pub(crate) offset: u32,
}

/// `mem[addr + offset] = store(val)`, or `mem[(addr + idx) + offset]` in
/// mode [`ADDR_ADD`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemStore {
    pub(crate) addr: Slot,
    pub(crate) val: Slot,
    pub(crate) idx: Slot,
    pub(crate) offset: u32,
}

/// `dst = load_lane(mem[addr + offset], src, lane)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LoadLane {
    pub(crate) dst: Slot,
    pub(crate) addr: Slot,
    pub(crate) src: Slot,
    pub(crate) lane: u8,
    pub(crate) offset: u32,
}

/// `mem[addr + offset] = store_lane(val, lane)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoreLane {
    pub(crate) addr: Slot,
    pub(crate) val: Slot,
    pub(crate) lane: u8,
    pub(crate) offset: u32,
}

/// The payload type of a table row, by signature class.
macro_rules! payload {
    ((custom)) => {
        Never
    };
    ((ref: $($sig:tt)*)) => {
        Never
    };
    ((array $($sig:tt)*)) => {
        Never
    };
    ((field $($sig:tt)*)) => {
        Never
    };
    ((atomic $($sig:tt)*)) => {
        Never
    };
    (( -> )) => {
        Never
    };
    (( -> $r:ident)) => {
        Never
    };
    ((lane $n:literal : $a:ident -> $r:ident)) => {
        LaneUn
    };
    ((lane $n:literal : $a:ident $b:ident -> $r:ident)) => {
        LaneBin
    };
    ((memlane $al:literal $n:literal : addr $v:ident -> $r:ident)) => {
        LoadLane
    };
    ((memlane $al:literal $n:literal : addr $v:ident -> )) => {
        StoreLane
    };
    ((mem $al:literal : addr -> $r:ident)) => {
        Load
    };
    ((mem $al:literal : addr $v:ident -> )) => {
        MemStore
    };
    (($a:ident $b:ident -> $r1:ident $r2:ident)) => {
        BinPair
    };
    (($a:ident $b:ident $c:ident $d:ident -> $r1:ident $r2:ident)) => {
        QuadPair
    };
    (($a:ident -> $r:ident)) => {
        Un
    };
    (($a:ident $b:ident -> $r:ident)) => {
        Bin
    };
    (($a:ident $b:ident $c:ident -> $r:ident)) => {
        Ter
    };
}

/// The operands of a payload of class [`Bin`] or [`Load`], if it is one.
pub(crate) trait AsBin {
    fn as_bin(&self) -> Option<Bin> {
        None
    }
    fn as_load(&self) -> Option<Load> {
        None
    }
}

impl AsBin for Bin {
    fn as_bin(&self) -> Option<Bin> {
        Some(*self)
    }
}

impl AsBin for Never {}
impl AsBin for Un {}
impl AsBin for Ter {}
impl AsBin for LaneUn {}
impl AsBin for LaneBin {}
impl AsBin for BinPair {}
impl AsBin for QuadPair {}
impl AsBin for Load {
    fn as_load(&self) -> Option<Load> {
        Some(*self)
    }
}
impl AsBin for MemStore {}
impl AsBin for LoadLane {}
impl AsBin for StoreLane {}

/// The pairs of binary operators whose dependent sequence `op2(op1(a, b),
/// c)` is one instruction ([`Op::Pair`]): the most frequent ones in the
/// benchmark programs' loops (`x * y + z`, `x ^ (x >> k)`, ...). Only
/// operators that cannot trap. `$m!` gets `Name: Op1 Op2;` per pair.
macro_rules! for_each_pair {
    ($m:ident) => {
        $m! {
            PairI32MulAdd: I32Mul I32Add;
            PairI32AddAdd: I32Add I32Add;
            PairI32ShlAdd: I32Shl I32Add;
            PairI32AddShl: I32Add I32Shl;
            PairI32ShrUXor: I32ShrU I32Xor;
            PairI32RotlXor: I32Rotl I32Xor;
            PairI32XorAnd: I32Xor I32And;
            PairI32ShlOr: I32Shl I32Or;
            PairI32XorAdd: I32Xor I32Add;
            PairI32AddShrU: I32Add I32ShrU;
            PairI32XorXor: I32Xor I32Xor;
            PairI32AndOr: I32And I32Or;
            PairI32ShrUAnd: I32ShrU I32And;
            PairI32AddXor: I32Add I32Xor;
            PairI32MulXor: I32Mul I32Xor;
            PairI64ShrUXor: I64ShrU I64Xor;
            PairI64XorMul: I64Xor I64Mul;
            PairI64MulShrU: I64Mul I64ShrU;
            PairI64MulAdd: I64Mul I64Add;
            PairI64XorXor: I64Xor I64Xor;
            PairI64AddXor: I64Add I64Xor;
            PairI64ShlOr: I64Shl I64Or;
            PairI64RotlXor: I64Rotl I64Xor;
            PairF64MulAdd: F64Mul F64Add;
            PairF64MulMul: F64Mul F64Mul;
            PairF64AddAdd: F64Add F64Add;
            PairF64MulSub: F64Mul F64Sub;
            PairF64SubMul: F64Sub F64Mul;
        }
    };
}
pub(crate) use for_each_pair;

/// The pairs of a load and a binary operator whose dependent sequence
/// `op2(load(address), c)` is one instruction ([`Op::LoadPair`]), as
/// [`for_each_pair`]: the frequent ones (array element times or plus a
/// value, ...), without comparisons (which fuse into branches instead).
macro_rules! for_each_load_pair {
    ($m:ident) => {
        $m! {
            LoadPairI32Add: I32Load I32Add;
            LoadPairI32Sub: I32Load I32Sub;
            LoadPairI32Mul: I32Load I32Mul;
            LoadPairI32And: I32Load I32And;
            LoadPairI32Or: I32Load I32Or;
            LoadPairI32Xor: I32Load I32Xor;
            LoadPairI32Shl: I32Load I32Shl;
            LoadPairI32ShrU: I32Load I32ShrU;
            LoadPair16SMul: I32Load16S I32Mul;
            LoadPair16SAdd: I32Load16S I32Add;
            LoadPair16UAdd: I32Load16U I32Add;
            LoadPair8UAdd: I32Load8U I32Add;
            LoadPair8USub: I32Load8U I32Sub;
            LoadPair8UXor: I32Load8U I32Xor;
            LoadPair8UShl: I32Load8U I32Shl;
            LoadPair8UOr: I32Load8U I32Or;
            LoadPairI64Add: I64Load I64Add;
            LoadPairI64Xor: I64Load I64Xor;
            LoadPairF64Add: F64Load F64Add;
            LoadPairF64Sub: F64Load F64Sub;
            LoadPairF64Mul: F64Load F64Mul;
        }
    };
}
pub(crate) use for_each_load_pair;

/// The pairs of a binary operator and a store whose sequence
/// `store(addr + offset, op(a, b))` is one instruction
/// ([`Op::StorePair`]), as [`for_each_pair`].
macro_rules! for_each_store_pair {
    ($m:ident) => {
        $m! {
            StorePairI32Add: I32Add I32Store;
            StorePairI32Sub: I32Sub I32Store;
            StorePairI32Or: I32Or I32Store;
            StorePairI32And: I32And I32Store;
            StorePairI32Xor: I32Xor I32Store;
            StorePairI32Shl: I32Shl I32Store;
            StorePairI32Add8: I32Add I32Store8;
            StorePairI32Xor8: I32Xor I32Store8;
            StorePairI32ShrU8: I32ShrU I32Store8;
            StorePairI32Add16: I32Add I32Store16;
            StorePairI64Add: I64Add I64Store;
            StorePairI64Xor: I64Xor I64Store;
            StorePairF64Add: F64Add F64Store;
            StorePairF64Sub: F64Sub F64Store;
            StorePairF64Mul: F64Mul F64Store;
        }
    };
}
pub(crate) use for_each_store_pair;

/// The destination slot of a payload, if it has one.
pub(crate) trait Dst {
    fn dst_mut(&mut self) -> Option<&mut Slot>;
}

macro_rules! impl_dst {
    ($($t:ident: $has:tt;)*) => {$(
        impl Dst for $t {
            #[inline]
            fn dst_mut(&mut self) -> Option<&mut Slot> {
                impl_dst!(@ self $has)
            }
        }
    )*};
    (@ $s:ident yes) => { Some(&mut $s.dst) };
    (@ $s:ident no) => { None };
}

impl_dst! {
    Un: yes; Bin: yes; Ter: yes; LaneUn: yes; LaneBin: yes; Load: yes; LoadLane: yes;
    BinPair: yes; QuadPair: yes;
    MemStore: no; StoreLane: no;
}

impl Dst for Never {
    fn dst_mut(&mut self) -> Option<&mut Slot> {
        match *self {}
    }
}

/// What an operand of a hand-written instruction is, by its kind in the
/// table (`isa.rs`): what the verifier checks and the disassembler shows.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Operand<'a> {
    /// A frame slot and the number of slots its value takes.
    Slot(Slot, usize),
    /// A jump offset, relative to the instruction.
    Jump(i32),
    /// An index into an index space of the module or a list of the code.
    Index(Space, u32),
    /// The first slot of a call's arguments and results.
    CallBase(Slot),
    /// The first slot of a `throw`'s payload.
    Payload(Slot),
    /// The number of `br_table` entries, less one, that follow.
    BrLen(u32),
    /// A slot of a far memory access, as wide as its row's value.
    FarSlot(Slot),
    /// An immediate that needs no check.
    Imm(&'a dyn std::fmt::Debug),
}

/// The index spaces of [`Operand::Index`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Space {
    Func,
    Table,
    Memory,
    Global,
    Data,
    Elem,
    Tag,
    /// A module type index that must name a function type.
    FuncType,
    /// [`PAIRS`].
    Pair,
    /// [`LOAD_PAIRS`].
    LoadPair,
    /// [`STORE_PAIRS`].
    StorePair,
    /// The function's shuffle lanes.
    Lanes,
    /// A table row that is a memory access (of `MemFar`).
    FarRow,
}

/// The [`Operand`] of field `$v` (a reference) of kind `$kind`.
macro_rules! operand {
    (slot, $v:ident) => {
        Operand::Slot(*$v, 1)
    };
    (out, $v:ident) => {
        Operand::Slot(*$v, 1)
    };
    (slot2, $v:ident) => {
        Operand::Slot(*$v, 2)
    };
    (out2, $v:ident) => {
        Operand::Slot(*$v, 2)
    };
    (jump, $v:ident) => {
        Operand::Jump(*$v)
    };
    (func, $v:ident) => {
        Operand::Index(Space::Func, *$v)
    };
    (table, $v:ident) => {
        Operand::Index(Space::Table, *$v)
    };
    (mem, $v:ident) => {
        Operand::Index(Space::Memory, *$v)
    };
    (mem16, $v:ident) => {
        Operand::Index(Space::Memory, *$v as u32)
    };
    (global, $v:ident) => {
        Operand::Index(Space::Global, *$v)
    };
    (data, $v:ident) => {
        Operand::Index(Space::Data, *$v)
    };
    (elem, $v:ident) => {
        Operand::Index(Space::Elem, *$v)
    };
    (tag, $v:ident) => {
        Operand::Index(Space::Tag, *$v)
    };
    (func_type, $v:ident) => {
        Operand::Index(Space::FuncType, *$v)
    };
    (pair, $v:ident) => {
        Operand::Index(Space::Pair, *$v as u32)
    };
    (load_pair, $v:ident) => {
        Operand::Index(Space::LoadPair, *$v as u32)
    };
    (store_pair, $v:ident) => {
        Operand::Index(Space::StorePair, *$v as u32)
    };
    (lanes, $v:ident) => {
        Operand::Index(Space::Lanes, *$v)
    };
    (far_row, $v:ident) => {
        Operand::Index(Space::FarRow, *$v as u32)
    };
    (call_base, $v:ident) => {
        Operand::CallBase(*$v)
    };
    (payload, $v:ident) => {
        Operand::Payload(*$v)
    };
    (br_len, $v:ident) => {
        Operand::BrLen(*$v)
    };
    (far_out, $v:ident) => {
        Operand::FarSlot(*$v)
    };
    (far_slot, $v:ident) => {
        Operand::FarSlot(*$v)
    };
    // The plain immediates, by name: a kind missing from this list does not
    // compile (instead of passing unchecked as an immediate).
    (u8, $v:ident) => {
        Operand::Imm($v)
    };
    (u32, $v:ident) => {
        Operand::Imm($v)
    };
    (u64, $v:ident) => {
        Operand::Imm($v)
    };
    (TrapCode, $v:ident) => {
        Operand::Imm($v)
    };
    (GcOp, $v:ident) => {
        Operand::Imm($v)
    };
    (AtomicOp, $v:ident) => {
        Operand::Imm($v)
    };
}

/// `$d = Some($v)` if kind `$kind` is a retargetable destination.
macro_rules! pick_dst {
    ($d:ident, out, $v:ident) => {
        $d = Some($v)
    };
    ($d:ident, out2, $v:ident) => {
        $d = Some($v)
    };
    ($d:ident, far_out, $v:ident) => {
        $d = Some($v)
    };
    ($d:ident, $kind:ident, $v:ident) => {
        let _ = $v;
    };
}

/// `$d = Some($v)` if kind `$kind` is a jump offset.
macro_rules! pick_jump {
    ($d:ident, jump, $v:ident) => {
        $d = Some($v)
    };
    ($d:ident, $kind:ident, $v:ident) => {
        let _ = $v;
    };
}

/// Whether an entry's flag says it ends control flow.
macro_rules! ends {
    () => {
        false
    };
    (ends) => {
        true
    };
}

/// Receives the front end's rows (in brackets), then the hand-written
/// table (`isa.rs`).
macro_rules! define_op_all {
    ([$( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*]
     $( $(#[$attr:meta])* $hand:ident $({ $($hfield:ident : $hkind:ident),* })?
        => $($h:ident)::+ $(< $($mode:literal),+ >)? $(, $flag:ident)? ; )*) => {
        /// The tags of the table rows' variants, in table order: the same
        /// numbers as their discriminants in [`Op`] and [`Tag`].
        #[repr(u16)]
        #[allow(dead_code)] // only the numbers are used
        pub(crate) enum RowTag {
            $( $variant, )*
            /// The number of rows.
            Count,
        }

        /// The tag of every variant of [`Op`] (its discriminant): the
        /// rows', then the hand-written ones.
        #[repr(u16)]
        #[allow(dead_code)] // only the numbers are used
        #[allow(clippy::enum_variant_names)] // `ThrowTag` is a variant's name
        pub(crate) enum Tag {
            $( $variant, )*
            $( $hand, )*
            /// The number of tags.
            Count,
        }

        /// One internal instruction (see the module documentation). The
        /// primitive representation puts the `u16` tag first, which the
        /// dispatch reads to find the handler (`exec.rs`).
        #[derive(Clone, Copy, Debug)]
        #[repr(u16)]
        #[allow(dead_code)] // rows with a `Never` payload exist only to keep the table complete
        pub(crate) enum Op {
            $( $variant(payload!($sig)), )*
            $( $(#[$attr])* $hand $({ $($hfield: super::isa::kind_ty!($hkind)),* })?, )*
        }

        impl Op {
            /// The tag and operands of an instruction of class [`Load`].
            pub(crate) fn as_load(&self) -> Option<(u16, Load)> {
                match self {
                    $( Op::$variant(p) => p.as_load().map(|l| (RowTag::$variant as u16, l)), )*
                    _ => None,
                }
            }

            /// The tag and operands of an instruction of class [`Bin`].
            pub(crate) fn as_bin(&self) -> Option<(u16, Bin)> {
                match self {
                    $( Op::$variant(p) => p.as_bin().map(|b| (RowTag::$variant as u16, b)), )*
                    _ => None,
                }
            }

            /// The destination slot of an instruction that computes one
            /// value into a slot the translator may choose (kind `out`).
            pub(crate) fn dst_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $( Op::$variant(p) => p.dst_mut(), )*
                    $( Op::$hand { $($($hfield,)*)? .. } => {
                        let mut _d: Option<&mut Slot> = None;
                        $($( pick_dst!(_d, $hkind, $hfield); )*)?
                        _d
                    } )*
                }
            }

            /// The jump offset of a branch instruction (kind `jump`).
            pub(crate) fn offset_mut(&mut self) -> Option<&mut i32> {
                match self {
                    $( Op::$hand { $($($hfield,)*)? .. } => {
                        let mut _d: Option<&mut i32> = None;
                        $($( pick_jump!(_d, $hkind, $hfield); )*)?
                        _d
                    } )*
                    _ => None,
                }
            }

            /// Whether execution never goes on to the instruction after
            /// this one (flag `ends`).
            pub(crate) fn ends_flow(&self) -> bool {
                match self {
                    $( Op::$hand { .. } => ends!($($flag)?), )*
                    _ => false,
                }
            }

            /// The instruction's name: the Wasm instruction's for a row,
            /// the variant's for the others.
            pub(crate) fn name(&self) -> &'static str {
                match self {
                    $( Op::$variant(_) => $name, )*
                    $( Op::$hand { .. } => stringify!($hand), )*
                }
            }

            /// Calls `f` with each field's name and operand, in order. A
            /// row's payload is one immediate (its fields are checked by
            /// signature class, `verify.rs`).
            pub(crate) fn visit_operands(&self, mut f: impl FnMut(&'static str, Operand<'_>)) {
                match self {
                    $( Op::$variant(p) => f("", Operand::Imm(p)), )*
                    $( Op::$hand { $($($hfield,)*)? .. } => {
                        $($( f(stringify!($hfield), operand!($hkind, $hfield)); )*)?
                    } )*
                }
            }
        }
    };
}

/// Passes the front end's rows on to [`define_op_all`] with the
/// hand-written table.
macro_rules! define_op {
    ($($rows:tt)*) => {
        super::isa::for_each_op!(define_op_all [$($rows)*]);
    };
}

weft_syntax::for_each_instr!(define_op);

macro_rules! pair_table {
    ($($name:ident: $op1:ident $op2:ident;)*) => {
        /// The tags of each pair's operators, in [`for_each_pair`] order.
        pub(crate) const PAIRS: &[(u16, u16)] = &[$((RowTag::$op1 as u16, RowTag::$op2 as u16)),*];
    };
}
for_each_pair!(pair_table);

macro_rules! load_pair_table {
    ($($name:ident: $op1:ident $op2:ident;)*) => {
        /// The tags of each load pair's load and operator, in
        /// [`for_each_load_pair`] order.
        pub(crate) const LOAD_PAIRS: &[(u16, u16)] = &[$((RowTag::$op1 as u16, RowTag::$op2 as u16)),*];
    };
}
for_each_load_pair!(load_pair_table);

macro_rules! store_pair_table {
    ($($name:ident: $op1:ident $op2:ident;)*) => {
        /// The tags of each store pair's operator and store, in
        /// [`for_each_store_pair`] order.
        pub(crate) const STORE_PAIRS: &[(u16, u16)] = &[$((RowTag::$op1 as u16, RowTag::$op2 as u16)),*];
    };
}
for_each_store_pair!(store_pair_table);

/// What an [`Op::Atomic`] does: the instruction of an `(atomic A: ...)`
/// row of the instruction table, told by its mnemonic and alignment, packed
/// in one byte so that [`Op`] stays small: the [`AtomicKind`] in bits 0-3,
/// the access width in bytes as a power of two (the row's natural
/// alignment) in bits 4-5, and in bit 6 whether the value operands are i64
/// (else i32; the timeout of a wait is always i64, and its result and
/// notify's are i32).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AtomicOp(u8);

/// The atomic instructions by what they do; `Add` to `Xchg` are the
/// read-modify-write ones (result: the old value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum AtomicKind {
    /// `dst = mem[ea]`.
    Load,
    /// `mem[ea] = a`.
    Store,
    Add,
    Sub,
    And,
    Or,
    Xor,
    Xchg,
    /// `dst = mem[ea]`, replaced by `b` if it equals `a` (wrapped to the
    /// width).
    Cmpxchg,
    /// `memory.atomic.notify`: `a` is the count.
    Notify,
    /// `memory.atomic.wait32/64`: `a` the expected value, `b` the timeout.
    Wait,
}

impl AtomicKind {
    /// Every kind, by its discriminant.
    const ALL: [AtomicKind; 11] = [
        AtomicKind::Load,
        AtomicKind::Store,
        AtomicKind::Add,
        AtomicKind::Sub,
        AtomicKind::And,
        AtomicKind::Or,
        AtomicKind::Xor,
        AtomicKind::Xchg,
        AtomicKind::Cmpxchg,
        AtomicKind::Notify,
        AtomicKind::Wait,
    ];
}

impl AtomicOp {
    /// The operation of the atomic row `mnemonic` of natural alignment
    /// `2^align` bytes, read off the mnemonic's last part (`load16_u`,
    /// `rmw8.add_u`, `cmpxchg`, `notify`, `wait64`); `None` for a mnemonic
    /// of no atomic row.
    pub(crate) fn of(mnemonic: &str, align: u8) -> Option<AtomicOp> {
        let (ty, _) = mnemonic.split_once('.')?;
        let last = mnemonic.rsplit('.').next()?;
        let op = last.strip_suffix("_u").unwrap_or(last);
        let kind = match op {
            _ if op.starts_with("load") => AtomicKind::Load,
            _ if op.starts_with("store") => AtomicKind::Store,
            "add" => AtomicKind::Add,
            "sub" => AtomicKind::Sub,
            "and" => AtomicKind::And,
            "or" => AtomicKind::Or,
            "xor" => AtomicKind::Xor,
            "xchg" => AtomicKind::Xchg,
            "cmpxchg" => AtomicKind::Cmpxchg,
            "notify" => AtomicKind::Notify,
            "wait32" | "wait64" => AtomicKind::Wait,
            _ => return None,
        };
        if align > 3 {
            return None;
        }
        let wide = ty == "i64" || op == "wait64";
        Some(AtomicOp(kind as u8 | align << 4 | u8::from(wide) << 6))
    }

    /// What it does.
    pub(crate) fn kind(self) -> AtomicKind {
        AtomicKind::ALL[usize::from(self.0 & 0xF) % AtomicKind::ALL.len()]
    }

    /// The access width in bytes, as a power of two.
    pub(crate) fn width_log2(self) -> u32 {
        u32::from(self.0 >> 4 & 3)
    }

    /// Whether the value operands are i64.
    pub(crate) fn wide(self) -> bool {
        self.0 & 1 << 6 != 0
    }

    /// How many value operands it pops after the address.
    pub(crate) fn operands(self) -> usize {
        match self.kind() {
            AtomicKind::Load => 0,
            AtomicKind::Cmpxchg | AtomicKind::Wait => 2,
            _ => 1,
        }
    }
}

/// The GC instructions of [`Op::Gc`], with the meaning of its operands
/// (slots, `imm` an engine type id unless said otherwise). `base` is `a`,
/// the first of consecutive slots holding the operands in stack order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub(crate) enum GcOp {
    /// `dst = a == b`.
    RefEq,
    /// `dst = struct.new imm` of the fields at `base..`.
    StructNew,
    /// `dst = struct.new_default imm`.
    StructNewDefault,
    /// `dst = a.field[imm]` (also `struct.get_u`: packed fields are stored
    /// zero-extended).
    StructGet,
    /// `dst = a.field[imm]`, sign-extended.
    StructGetS,
    /// `a.field[imm] = b`.
    StructSet,
    /// `dst = array.new imm` of `b` copies of `a`.
    ArrayNew,
    /// `dst = array.new_default imm` of length `b`.
    ArrayNewDefault,
    /// `dst = array.new_fixed imm` of the `c` elements at `base..`.
    ArrayNewFixed,
    /// `dst = array.new_data imm` from data segment `c`, offset `a`,
    /// length `b`.
    ArrayNewData,
    /// `dst = array.new_elem imm` from element segment `c`, offset `a`,
    /// length `b`.
    ArrayNewElem,
    /// `dst = a[b]` (also `array.get_u`).
    ArrayGet,
    /// `dst = a[b]`, sign-extended.
    ArrayGetS,
    /// `a[b] = c`.
    ArraySet,
    /// `dst = array.len a`.
    ArrayLen,
    /// `array.fill` of (ref, offset, value, length) at `base..`.
    ArrayFill,
    /// `array.copy` of (dst ref, dst offset, src ref, src offset, length)
    /// at `base..`.
    ArrayCopy,
    /// `array.init_data` from data segment `c` of (ref, offset, segment
    /// offset, length) at `base..`.
    ArrayInitData,
    /// `array.init_elem` from element segment `c`, as `ArrayInitData`.
    ArrayInitElem,
    /// `dst = ref.test a` against cast target `imm` ([`cast_target`]);
    /// null matches if `c` is 1.
    RefTest,
    /// `dst = ref.cast a`, as `RefTest` (traps when it does not match).
    RefCast,
    /// `dst = any.convert_extern a`.
    AnyConvertExtern,
    /// `dst = extern.convert_any a`.
    ExternConvertAny,
    /// `dst = ref.i31 a`.
    RefI31,
    /// `dst = i31.get_s a`.
    I31GetS,
    /// `dst = i31.get_u a`.
    I31GetU,
}

/// The cast target immediate of an abstract heap type: beyond every engine
/// type id (see `types::abstract_target`).
pub(crate) fn cast_target(h: weft_syntax::HeapType) -> u32 {
    let i = weft_syntax::HeapType::ABSTRACT
        .iter()
        .position(|(a, _, _)| *a == h)
        .unwrap_or(0);
    crate::types::ABSTRACT_TARGETS + i as u32
}

/// A comparison fused into a conditional jump (by the translator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

impl Cmp {
    /// The comparison that holds exactly when this one does not.
    pub(crate) fn negate(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Ne,
            Cmp::Ne => Cmp::Eq,
            Cmp::LtS => Cmp::GeS,
            Cmp::LtU => Cmp::GeU,
            Cmp::GtS => Cmp::LeS,
            Cmp::GtU => Cmp::LeU,
            Cmp::LeS => Cmp::GtS,
            Cmp::LeU => Cmp::GtU,
            Cmp::GeS => Cmp::LtS,
            Cmp::GeU => Cmp::LtU,
        }
    }
}

/// A translated function body.
pub(crate) struct CompiledFunc {
    /// The instructions, with their handlers.
    pub(crate) code: Box<[super::exec::Inst]>,
    /// Lane vectors of `i8x16.shuffle`.
    pub(crate) shuffles: Box<[[u8; 16]]>,
    /// Slots taken by the parameters.
    pub(crate) param_slots: usize,
    /// Initial values of the slots after the parameters: zeros for the
    /// declared locals, then the constants.
    pub(crate) init: Box<[u64]>,
    /// Slots the frame needs (parameters, locals, constants,
    /// temporaries, and room for the results).
    pub(crate) frame_size: usize,
    /// For the fast call path: `init` padded to [`FAST_INIT`] slots, of
    /// which it copies the first half, or all if `fast_long` (whole
    /// blocks, without a loop or a call)...
    pub(crate) fast_init: [u64; FAST_INIT],
    pub(crate) fast_long: bool,
    /// ...and the slots that path needs from the callee's frame pointer:
    /// `frame_size`, which is then at least `param_slots` plus the slots
    /// it copies; or, if `init` is longer than `FAST_INIT`, a size no
    /// value stack has, which sends every call to the general path.
    pub(crate) fast_frame: usize,
    /// The exception handlers, innermost first (see [`CatchEntry`]).
    pub(crate) catches: Box<[CatchEntry]>,
    /// Where the instructions came from, for backtraces: sorted runs
    /// `(first instruction, offset in the module of the Wasm instruction
    /// that emitted it)`, one entry where the offset changes. A side table
    /// that only the trap and unwind paths read, so that dispatch does not
    /// carry it.
    pub(crate) offsets: Box<[(u32, u32)]>,
}

impl std::fmt::Debug for CompiledFunc {
    /// The frame's layout, then the code disassembled (`disasm.rs`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "frame of {} slots ({} of parameters, {} initialised), {} catch entries",
            self.frame_size,
            self.param_slots,
            self.init.len(),
            self.catches.len()
        )?;
        f.write_str(&super::disasm::disassemble(self))
    }
}

/// No slot: a [`CatchEntry`] that delivers no payload or no exception.
pub(crate) const NO_SLOT: Slot = Slot::MAX;

/// One catch clause of a `try_table` or a legacy `try`, or the `delegate`
/// of a legacy `try`: it covers the instructions `start..end` of its
/// function (the try block's body). A function's entries are ordered
/// innermost block first, its clauses in order, so that the first entry
/// that covers the throwing instruction (or the call a callee threw
/// through) and matches the exception is the handler (`exec/exn.rs`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CatchEntry {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) kind: CatchKind,
    /// The instruction to continue at: a landing pad that branches to the
    /// clause's label with the values in place.
    pub(crate) pad: u32,
    /// Where the payload goes (consecutive slots), or [`NO_SLOT`].
    pub(crate) payload: Slot,
    /// Where the exception reference goes, or [`NO_SLOT`].
    pub(crate) exn: Slot,
    /// The nesting depth of the block (its index in the translator's
    /// control stack), for `delegate`.
    pub(crate) depth: u32,
}

/// What a [`CatchEntry`] catches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CatchKind {
    /// Exceptions of this tag (module tag index).
    Tag(u32),
    /// Every exception.
    All,
    /// Every exception, handed on (`delegate`) to the handlers of blocks
    /// at this depth or less: entries of deeper blocks are skipped.
    Delegate(u32),
}

/// Most initial slots (locals and constants) a callee may have for the
/// fast call path.
pub(crate) const FAST_INIT: usize = 16;

impl CompiledFunc {
    /// A function of `code` whose frame starts with `param_slots`
    /// parameters and then `init`, and needs `frame_size` slots.
    /// The interpreter's code for a compiled function: `Native`, then
    /// `Ret` (see `compiled.rs`); the frame holds the larger of the
    /// parameter and result slots (a v128 takes two).
    #[cfg_attr(not(feature = "cranelift"), allow(dead_code))]
    pub(crate) fn native_stub(params: usize, results: usize) -> Self {
        let code = super::exec::thread(vec![Op::Native, Op::Ret], &[0, 0])
            .expect("`Native` and `Ret` have handlers in mode 0");
        CompiledFunc::new(
            code,
            Box::new([]),
            params,
            Box::new([]),
            params.max(results),
        )
    }

    pub(crate) fn new(
        code: Box<[super::exec::Inst]>,
        shuffles: Box<[[u8; 16]]>,
        param_slots: usize,
        init: Box<[u64]>,
        frame_size: usize,
    ) -> Self {
        let mut fast_init = [0; FAST_INIT];
        let fast_long = init.len() > FAST_INIT / 2;
        let (frame_size, fast_frame) = if init.len() <= FAST_INIT {
            fast_init[..init.len()].copy_from_slice(&init);
            let copied = if fast_long { FAST_INIT } else { FAST_INIT / 2 };
            let size = frame_size.max(param_slots + copied);
            (size, size)
        } else {
            (frame_size, usize::MAX / 2)
        };
        CompiledFunc {
            code,
            shuffles,
            param_slots,
            init,
            frame_size,
            fast_init,
            fast_long,
            fast_frame,
            catches: Box::new([]),
            offsets: Box::new([]),
        }
    }

    /// The module offset of the Wasm instruction that instruction `at` of
    /// this function came from.
    pub(crate) fn module_offset(&self, at: usize) -> Option<usize> {
        let run = self.offsets.partition_point(|&(i, _)| i as usize <= at);
        Some(self.offsets.get(run.checked_sub(1)?)?.1 as usize)
    }

    /// The index of the instruction at `ip`, if it is one of this
    /// function's.
    pub(crate) fn index_of(&self, ip: *const super::exec::Inst) -> Option<usize> {
        let start = self.code.as_ptr() as usize;
        let size = std::mem::size_of::<super::exec::Inst>();
        let i = (ip as usize).checked_sub(start)? / size;
        (i < self.code.len()).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every atomic access row (all but `atomic.fence`) has an
    /// [`AtomicOp`], which keeps its width and operand type.
    #[test]
    fn atomic_ops() {
        let rows: Vec<_> = weft_syntax::INSTRS
            .iter()
            .filter(|i| i.mnemonic.contains("atomic.") && i.mnemonic != "atomic.fence")
            .collect();
        assert_eq!(rows.len(), 66);
        for info in rows {
            for align in 0..4 {
                let op = AtomicOp::of(info.mnemonic, align)
                    .unwrap_or_else(|| panic!("{}", info.mnemonic));
                assert_eq!(op.width_log2(), u32::from(align));
                let wide = info.mnemonic.starts_with("i64") || info.mnemonic.ends_with("wait64");
                assert_eq!(op.wide(), wide, "{}", info.mnemonic);
            }
        }
        let op = AtomicOp::of("i64.atomic.rmw16.cmpxchg_u", 1).unwrap();
        assert_eq!(
            (op.kind(), op.width_log2(), op.wide(), op.operands()),
            (AtomicKind::Cmpxchg, 1, true, 2)
        );
        let op = AtomicOp::of("memory.atomic.wait32", 2).unwrap();
        assert_eq!(
            (op.kind(), op.wide(), op.operands()),
            (AtomicKind::Wait, false, 2)
        );
        let op = AtomicOp::of("i32.atomic.load8_u", 0).unwrap();
        assert_eq!((op.kind(), op.operands()), (AtomicKind::Load, 0));
        assert_eq!(AtomicOp::of("i32.atomic.rmw.nand", 2), None);
    }

    #[test]
    fn op_is_small() {
        assert!(
            std::mem::size_of::<Op>() <= 16,
            "{}",
            std::mem::size_of::<Op>()
        );
    }
}
