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
//! The hand-written variants follow. `Op` is `#[repr(u16)]` and at most
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

macro_rules! define_op {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// The tags of the table rows' variants, in table order: the same
        /// numbers as their discriminants in [`Op`].
        #[repr(u16)]
        #[allow(dead_code)] // only the numbers are used
        pub(crate) enum RowTag {
            $( $variant, )*
            /// The number of rows.
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

            /// Trap with `code`.
            Trap { code: TrapCode } = tag::TRAP,
            /// Run this function's machine code on the frame's slots (the
            /// compiler tier's stub, followed by `Ret`; see `compiled.rs`).
            Native = tag::NATIVE,
            /// Charge `amount` units of fuel.
            Fuel { amount: u32 } = tag::FUEL,
            /// Trap with "interrupt" if the engine's epoch has reached the
            /// store's deadline.
            Epoch = tag::EPOCH,
            /// Jump by `offset` instructions (relative to this one).
            Jump { offset: i32 } = tag::JUMP,
            /// Jump if `cond` (an i32) is not zero.
            JumpIfNez { cond: Slot, offset: i32 } = tag::JUMP_IF_NEZ,
            /// Jump if `cond` (an i32) is zero.
            JumpIfEqz { cond: Slot, offset: i32 } = tag::JUMP_IF_EQZ,
            /// Jump if the i32 comparison `lhs eq rhs` holds.
            BrI32Eq { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_EQ,
            /// Jump if the i32 comparison `lhs ne rhs` holds.
            BrI32Ne { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_NE,
            /// Jump if the i32 comparison `lhs lts rhs` holds.
            BrI32LtS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_LT_S,
            /// Jump if the i32 comparison `lhs ltu rhs` holds.
            BrI32LtU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_LT_U,
            /// Jump if the i32 comparison `lhs gts rhs` holds.
            BrI32GtS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_GT_S,
            /// Jump if the i32 comparison `lhs gtu rhs` holds.
            BrI32GtU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_GT_U,
            /// Jump if the i32 comparison `lhs les rhs` holds.
            BrI32LeS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_LE_S,
            /// Jump if the i32 comparison `lhs leu rhs` holds.
            BrI32LeU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_LE_U,
            /// Jump if the i32 comparison `lhs ges rhs` holds.
            BrI32GeS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_GE_S,
            /// Jump if the i32 comparison `lhs geu rhs` holds.
            BrI32GeU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I32_GE_U,
            /// Jump if the i64 comparison `lhs eq rhs` holds.
            BrI64Eq { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_EQ,
            /// Jump if the i64 comparison `lhs ne rhs` holds.
            BrI64Ne { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_NE,
            /// Jump if the i64 comparison `lhs lts rhs` holds.
            BrI64LtS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_LT_S,
            /// Jump if the i64 comparison `lhs ltu rhs` holds.
            BrI64LtU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_LT_U,
            /// Jump if the i64 comparison `lhs gts rhs` holds.
            BrI64GtS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_GT_S,
            /// Jump if the i64 comparison `lhs gtu rhs` holds.
            BrI64GtU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_GT_U,
            /// Jump if the i64 comparison `lhs les rhs` holds.
            BrI64LeS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_LE_S,
            /// Jump if the i64 comparison `lhs leu rhs` holds.
            BrI64LeU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_LE_U,
            /// Jump if the i64 comparison `lhs ges rhs` holds.
            BrI64GeS { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_GE_S,
            /// Jump if the i64 comparison `lhs geu rhs` holds.
            BrI64GeU { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_I64_GE_U,
            /// Jump if the f32 comparison `Eq` holds.
            BrF32Eq { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_EQ,
            /// Jump if the f32 comparison `Ne` holds.
            BrF32Ne { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_NE,
            /// Jump if the f32 comparison `Lt` holds.
            BrF32Lt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_LT,
            /// Jump if the f32 comparison `Gt` holds.
            BrF32Gt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_GT,
            /// Jump if the f32 comparison `Le` holds.
            BrF32Le { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_LE,
            /// Jump if the f32 comparison `Ge` holds.
            BrF32Ge { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_GE,
            /// Jump if the f32 comparison `NotLt` holds.
            BrF32NotLt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_NOT_LT,
            /// Jump if the f32 comparison `NotGt` holds.
            BrF32NotGt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_NOT_GT,
            /// Jump if the f32 comparison `NotLe` holds.
            BrF32NotLe { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_NOT_LE,
            /// Jump if the f32 comparison `NotGe` holds.
            BrF32NotGe { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F32_NOT_GE,
            /// Jump if the f64 comparison `Eq` holds.
            BrF64Eq { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_EQ,
            /// Jump if the f64 comparison `Ne` holds.
            BrF64Ne { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_NE,
            /// Jump if the f64 comparison `Lt` holds.
            BrF64Lt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_LT,
            /// Jump if the f64 comparison `Gt` holds.
            BrF64Gt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_GT,
            /// Jump if the f64 comparison `Le` holds.
            BrF64Le { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_LE,
            /// Jump if the f64 comparison `Ge` holds.
            BrF64Ge { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_GE,
            /// Jump if the f64 comparison `NotLt` holds.
            BrF64NotLt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_NOT_LT,
            /// Jump if the f64 comparison `NotGt` holds.
            BrF64NotGt { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_NOT_GT,
            /// Jump if the f64 comparison `NotLe` holds.
            BrF64NotLe { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_NOT_LE,
            /// Jump if the f64 comparison `NotGe` holds.
            BrF64NotGe { lhs: Slot, rhs: Slot, offset: i32 } = tag::BR_F64_NOT_GE,
            /// `dst = src == 0 ? a : b` for an i64 `cond`.
            ChooseZ64 { dst: Slot, cond: Slot, a: Slot, b: Slot } = tag::CHOOSE_Z64,
            /// `br_table`: followed by `len + 1` `Jump`s; takes entry
            /// `min(index, len)`.
            JumpTable { index: Slot, len: u32 } = tag::JUMP_TABLE,
            /// `dst = src`.
            Move { dst: Slot, src: Slot } = tag::MOVE,
            /// `dst, dst+1 = src, src+1` (a v128).
            Move128 { dst: Slot, src: Slot } = tag::MOVE128,
            /// `dst = op2(op1(a, b), c)` for pair `pair` of
            /// [`for_each_pair`] (its handler knows which).
            Pair { dst: Slot, a: Slot, b: Slot, c: Slot, pair: u16 } = tag::PAIR,
            /// Jump if the `i32.load` at `addr` (`+ idx` in mode
            /// `ADDR_ADD`) `+ offset` is not zero.
            LoadJumpIfNez { addr: Slot, idx: Slot, offset: u32, jump: i32 } = tag::LOAD_JUMP_IF_NEZ,
            /// Jump if that `i32.load` is zero.
            LoadJumpIfEqz { addr: Slot, idx: Slot, offset: u32, jump: i32 } = tag::LOAD_JUMP_IF_EQZ,
            /// Jump if that `i32.load8_u` is not zero.
            Load8JumpIfNez { addr: Slot, idx: Slot, offset: u32, jump: i32 } = tag::LOAD8_JUMP_IF_NEZ,
            /// Jump if that `i32.load8_u` is zero.
            Load8JumpIfEqz { addr: Slot, idx: Slot, offset: u32, jump: i32 } = tag::LOAD8_JUMP_IF_EQZ,
            /// `dst = op2(load(addr (+ idx) + offset), c)` for pair `pair`
            /// of [`for_each_load_pair`] (its handler knows which).
            LoadPair { dst: Slot, addr: Slot, idx: Slot, c: Slot, pair: u16, offset: u32 } = tag::LOAD_PAIR,
            /// `store(addr + offset, op(a, b))` for pair `pair` of
            /// [`for_each_store_pair`] (its handler knows which).
            StorePair { addr: Slot, a: Slot, b: Slot, pair: u16, offset: u32 } = tag::STORE_PAIR,
            /// `dst = (x & m) == 0 ? a : b` (`select` on `eqz (and x m)`,
            /// for i32 and i64 alike: i32 slots are zero-extended).
            ChooseTestZ { dst: Slot, x: Slot, m: Slot, a: Slot, b: Slot } = tag::CHOOSE_TEST_Z,
            /// `d1 = s1`, then `d2 = s2`: two `Move`s in a row.
            Move2 { d1: Slot, s1: Slot, d2: Slot, s2: Slot } = tag::MOVE2,
            /// Return; the results are already in slots 0...
            Ret = tag::RET,
            /// Return the one-slot value `src` (moved to slot 0).
            Ret1 { src: Slot } = tag::RET1,
            /// Return the v128 `src` (moved to slots 0, 1).
            Ret128 { src: Slot } = tag::RET128,
            /// Call function `func` (module index space); the arguments are
            /// at `base..`, and so are the results afterwards.
            CallDirect { base: Slot, func: u32 } = tag::CALL_DIRECT,
            /// Call the function at `table[index]`, checked against type
            /// `ty` (module type index).
            CallTable { base: Slot, index: Slot, ty: u32, table: u32 } = tag::CALL_TABLE,
            /// `return_call`: call function `func` in place of the current
            /// one (its frame is reused: the arguments at `base..` move to
            /// slot 0). A host function is called as by `CallDirect`, and
            /// the return that follows this instruction returns its results.
            TailCall { base: Slot, func: u32 } = tag::TAIL_CALL,
            /// `return_call_indirect`: `CallTable` in place of the current
            /// function, as `TailCall`.
            TailCallTable { base: Slot, index: Slot, ty: u32, table: u32 } = tag::TAIL_CALL_TABLE,
            /// `dst = cond != 0 ? a : b`.
            Choose { dst: Slot, cond: Slot, a: Slot, b: Slot } = tag::CHOOSE,
            /// `select` of v128 values.
            Choose128 { dst: Slot, cond: Slot, a: Slot, b: Slot } = tag::CHOOSE128,
            /// `dst = global`.
            GlobalRead { dst: Slot, global: u32 } = tag::GLOBAL_READ,
            /// `dst = global` (v128).
            GlobalRead128 { dst: Slot, global: u32 } = tag::GLOBAL_READ128,
            /// `global = src`.
            GlobalWrite { src: Slot, global: u32 } = tag::GLOBAL_WRITE,
            /// `global = src` (v128).
            GlobalWrite128 { src: Slot, global: u32 } = tag::GLOBAL_WRITE128,
            /// `dst = ref.func func`.
            FuncRef { dst: Slot, func: u32 } = tag::FUNC_REF,
            /// `dst = src == null`.
            IsNull { dst: Slot, src: Slot } = tag::IS_NULL,
            /// `dst = table[index]`.
            TableRead { dst: Slot, index: Slot, table: u32 } = tag::TABLE_READ,
            /// `table[index] = val`.
            TableWrite { index: Slot, val: Slot, table: u32 } = tag::TABLE_WRITE,
            /// `dst = table.size`.
            TableLen { dst: Slot, table: u32 } = tag::TABLE_LEN,
            /// `dst = table.grow(init, delta)`.
            TableExtend { dst: Slot, init: Slot, delta: Slot, table: u32 } = tag::TABLE_EXTEND,
            /// `table.fill(start, val, len)`.
            TableFillRange { start: Slot, val: Slot, len: Slot, table: u32 } = tag::TABLE_FILL_RANGE,
            /// `table.copy`.
            TableCopyRange { dst: Slot, src: Slot, len: Slot, dst_table: u32, src_table: u32 } = tag::TABLE_COPY_RANGE,
            /// `table.init`.
            TableInitRange { dst: Slot, src: Slot, len: Slot, table: u32, elem: u32 } = tag::TABLE_INIT_RANGE,
            /// `elem.drop`.
            ElemDiscard { elem: u32 } = tag::ELEM_DISCARD,
            /// `dst = memory.size` of memory `mem`.
            MemLen { dst: Slot, mem: u32 } = tag::MEM_LEN,
            /// `dst = memory.grow(delta)` of memory `mem`.
            MemExtend { dst: Slot, delta: Slot, mem: u32 } = tag::MEM_EXTEND,
            /// `memory.fill` of memory `mem`.
            MemFill { dst: Slot, val: Slot, len: Slot, mem: u32 } = tag::MEM_FILL,
            /// `memory.copy` from memory `src_mem` to memory `dst_mem`.
            MemCopy { dst: Slot, src: Slot, len: Slot, dst_mem: u32, src_mem: u32 } = tag::MEM_COPY,
            /// `memory.init` of memory `mem`.
            MemInit { dst: Slot, src: Slot, len: Slot, data: u32, mem: u32 } = tag::MEM_INIT,
            /// The load or store of table row `row` on memory `mem`, when
            /// that is not the register fast path (a memory other than 0,
            /// or a 64-bit one): `dst = load(mem[addr + off])` or
            /// `mem[addr + off] = store(val)`, lane `lane` for the lane
            /// accesses (`val` is then the vector operand). The offset
            /// (up to 64 bits) is read from slot `off`.
            MemFar { row: u16, dst: Slot, addr: Slot, val: Slot, off: Slot, mem: u16, lane: u8 } = tag::MEM_FAR,
            /// `dst = min(src, u32::MAX)`: an index into a 64-bit table,
            /// narrowed for the table instructions (a table never has
            /// `u32::MAX` elements, so the narrowed index is out of bounds
            /// exactly when the original one is).
            Narrow64 { dst: Slot, src: Slot } = tag::NARROW64,
            /// `data.drop`.
            DataDiscard { data: u32 } = tag::DATA_DISCARD,
            /// `i8x16.shuffle` with lanes `shuffles[lanes]`.
            Shuffle { dst: Slot, a: Slot, b: Slot, lanes: u32 } = tag::SHUFFLE,
            /// `dst = value` for constants beyond the constant area.
            Const64 { dst: Slot, value: u64 } = tag::CONST64,
            /// `dst = a + b` (i32), then jump if `dst eq rhs`.
            AddBrI32Eq { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_EQ,
            /// `dst = a + b` (i32), then jump if `dst ne rhs`.
            AddBrI32Ne { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_NE,
            /// `dst = a + b` (i32), then jump if `dst lts rhs`.
            AddBrI32LtS { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_LT_S,
            /// `dst = a + b` (i32), then jump if `dst ltu rhs`.
            AddBrI32LtU { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_LT_U,
            /// `dst = a + b` (i32), then jump if `dst gts rhs`.
            AddBrI32GtS { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_GT_S,
            /// `dst = a + b` (i32), then jump if `dst gtu rhs`.
            AddBrI32GtU { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_GT_U,
            /// `dst = a + b` (i32), then jump if `dst les rhs`.
            AddBrI32LeS { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_LE_S,
            /// `dst = a + b` (i32), then jump if `dst leu rhs`.
            AddBrI32LeU { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_LE_U,
            /// `dst = a + b` (i32), then jump if `dst ges rhs`.
            AddBrI32GeS { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_GE_S,
            /// `dst = a + b` (i32), then jump if `dst geu rhs`.
            AddBrI32GeU { dst: Slot, a: Slot, b: Slot, rhs: Slot, offset: i32 } = tag::ADD_BR_I32_GE_U,
            /// `dst = a + b` (i32), then jump if `dst` is not zero.
            AddJumpIfNez { dst: Slot, a: Slot, b: Slot, offset: i32 } = tag::ADD_JUMP_IF_NEZ,
            /// `dst = a + b` (i32), then jump if `dst` is zero.
            AddJumpIfEqz { dst: Slot, a: Slot, b: Slot, offset: i32 } = tag::ADD_JUMP_IF_EQZ,

            // Typed function references (handlers in `exec/refs.rs`).

            /// `call_ref`: call the function `callee` refers to (null
            /// traps); the arguments are at `base..`, and so are the
            /// results afterwards.
            CallFuncRef { base: Slot, callee: Slot } = tag::CALL_REF,
            /// `return_call_ref`: `CallRef` in place of the current
            /// function, as `TailCall`.
            TailCallFuncRef { base: Slot, callee: Slot } = tag::TAIL_CALL_REF,
            /// Jump if the reference `cond` is null (all 64 bits zero).
            JumpIfNull { cond: Slot, offset: i32 } = tag::JUMP_IF_NULL,
            /// Jump if the reference `cond` is not null.
            JumpIfNonNull { cond: Slot, offset: i32 } = tag::JUMP_IF_NON_NULL,
            /// The GC instruction `op` ([`GcOp`] says what its operands
            /// `a`, `b`, `c` and immediate `imm` are; handler in
            /// `exec/gc.rs`), result in `dst` if it has one.
            Gc { op: GcOp, dst: Slot, a: Slot, b: Slot, c: Slot, imm: u32 } = tag::GC,

            // Threads (handler in `exec/atomic.rs`).

            /// The atomic access `op` on memory `mem` at `addr` plus the
            /// offset in slot `off` (up to 64 bits), with the operands `a`
            /// and `b` that [`AtomicKind`] says it has; result in `dst`
            /// unless it is a store.
            Atomic { op: AtomicOp, dst: Slot, addr: Slot, a: Slot, b: Slot, off: Slot, mem: u16 } = tag::ATOMIC,

            // Exceptions (handlers in `exec/exn.rs`).

            /// `throw`: a new exception of tag `tag` (module tag index)
            /// with the payload at `base..`, unwound to the innermost
            /// handler that catches it ([`CatchEntry`]).
            ThrowTag { base: Slot, tag: u32 } = tag::THROW,
            /// `throw_ref` (and the legacy `rethrow`): throws the exception
            /// `src` refers to again (null traps).
            ThrowExn { src: Slot } = tag::THROW_REF,
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
            /// value into a slot the translator may choose.
            pub(crate) fn dst_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $( Op::$variant(p) => p.dst_mut(), )*
                    Op::Choose { dst, .. }
                    | Op::Choose128 { dst, .. }
                    | Op::GlobalRead { dst, .. }
                    | Op::GlobalRead128 { dst, .. }
                    | Op::FuncRef { dst, .. }
                    | Op::IsNull { dst, .. }
                    | Op::TableRead { dst, .. }
                    | Op::TableLen { dst, .. }
                    | Op::TableExtend { dst, .. }
                    | Op::MemLen { dst, .. }
                    | Op::MemFar { dst, .. }
                    | Op::Atomic { dst, .. }
                    | Op::Narrow64 { dst, .. }
                    | Op::MemExtend { dst, .. }
                    | Op::Shuffle { dst, .. }
                    | Op::ChooseZ64 { dst, .. }
                    | Op::Pair { dst, .. }
                    | Op::LoadPair { dst, .. }
                    | Op::ChooseTestZ { dst, .. }
                    | Op::Const64 { dst, .. } => Some(dst),
                    Op::Trap { .. }
                    | Op::Native
                    | Op::Fuel { .. }
                    | Op::Epoch
                    | Op::Jump { .. }
                    | Op::JumpIfNez { .. }
                    | Op::JumpIfEqz { .. }
                    | Op::BrI32Eq { .. }
                    | Op::BrI32Ne { .. }
                    | Op::BrI32LtS { .. }
                    | Op::BrI32LtU { .. }
                    | Op::BrI32GtS { .. }
                    | Op::BrI32GtU { .. }
                    | Op::BrI32LeS { .. }
                    | Op::BrI32LeU { .. }
                    | Op::BrI32GeS { .. }
                    | Op::BrI32GeU { .. }
                    | Op::BrI64Eq { .. }
                    | Op::BrI64Ne { .. }
                    | Op::BrI64LtS { .. }
                    | Op::BrI64LtU { .. }
                    | Op::BrI64GtS { .. }
                    | Op::BrI64GtU { .. }
                    | Op::BrI64LeS { .. }
                    | Op::BrI64LeU { .. }
                    | Op::BrI64GeS { .. }
                    | Op::BrI64GeU { .. }
                    | Op::JumpTable { .. }
                    | Op::BrF32Eq { .. }
                    | Op::BrF32Ne { .. }
                    | Op::BrF32Lt { .. }
                    | Op::BrF32Gt { .. }
                    | Op::BrF32Le { .. }
                    | Op::BrF32Ge { .. }
                    | Op::BrF32NotLt { .. }
                    | Op::BrF32NotGt { .. }
                    | Op::BrF32NotLe { .. }
                    | Op::BrF32NotGe { .. }
                    | Op::BrF64Eq { .. }
                    | Op::BrF64Ne { .. }
                    | Op::BrF64Lt { .. }
                    | Op::BrF64Gt { .. }
                    | Op::BrF64Le { .. }
                    | Op::BrF64Ge { .. }
                    | Op::BrF64NotLt { .. }
                    | Op::BrF64NotGt { .. }
                    | Op::BrF64NotLe { .. }
                    | Op::BrF64NotGe { .. }
                    | Op::Move { .. }
                    | Op::Move128 { .. }
                    | Op::Move2 { .. }
                    | Op::StorePair { .. }
                    | Op::LoadJumpIfNez { .. }
                    | Op::LoadJumpIfEqz { .. }
                    | Op::Load8JumpIfNez { .. }
                    | Op::Load8JumpIfEqz { .. }
                    | Op::Ret
                    | Op::Ret1 { .. }
                    | Op::Ret128 { .. }
                    | Op::CallDirect { .. }
                    | Op::CallTable { .. }
                    | Op::TailCall { .. }
                    | Op::TailCallTable { .. }
                    | Op::GlobalWrite { .. }
                    | Op::GlobalWrite128 { .. }
                    | Op::TableWrite { .. }
                    | Op::TableFillRange { .. }
                    | Op::TableCopyRange { .. }
                    | Op::TableInitRange { .. }
                    | Op::ElemDiscard { .. }
                    | Op::MemFill { .. }
                    | Op::MemCopy { .. }
                    | Op::MemInit { .. }
                    | Op::AddBrI32Eq { .. }
                    | Op::AddBrI32Ne { .. }
                    | Op::AddBrI32LtS { .. }
                    | Op::AddBrI32LtU { .. }
                    | Op::AddBrI32GtS { .. }
                    | Op::AddBrI32GtU { .. }
                    | Op::AddBrI32LeS { .. }
                    | Op::AddBrI32LeU { .. }
                    | Op::AddBrI32GeS { .. }
                    | Op::AddBrI32GeU { .. }
                    | Op::AddJumpIfNez { .. }
                    | Op::AddJumpIfEqz { .. }
                    | Op::CallFuncRef { .. }
                    | Op::TailCallFuncRef { .. }
                    | Op::ThrowTag { .. }
                    | Op::ThrowExn { .. }
                    | Op::JumpIfNull { .. }
                    | Op::JumpIfNonNull { .. }
                    | Op::Gc { .. }
                    | Op::DataDiscard { .. } => None,
                }
            }

            /// The jump offset of a branch instruction.
            pub(crate) fn offset_mut(&mut self) -> Option<&mut i32> {
                match self {
                    Op::Jump { offset }
                    | Op::JumpIfNez { offset, .. }
                    | Op::JumpIfEqz { offset, .. }
                    | Op::BrI32Eq { offset, .. }
                    | Op::BrI32Ne { offset, .. }
                    | Op::BrI32LtS { offset, .. }
                    | Op::BrI32LtU { offset, .. }
                    | Op::BrI32GtS { offset, .. }
                    | Op::BrI32GtU { offset, .. }
                    | Op::BrI32LeS { offset, .. }
                    | Op::BrI32LeU { offset, .. }
                    | Op::BrI32GeS { offset, .. }
                    | Op::BrI32GeU { offset, .. }
                    | Op::BrI64Eq { offset, .. }
                    | Op::BrI64Ne { offset, .. }
                    | Op::BrI64LtS { offset, .. }
                    | Op::BrI64LtU { offset, .. }
                    | Op::BrI64GtS { offset, .. }
                    | Op::BrI64GtU { offset, .. }
                    | Op::BrI64LeS { offset, .. }
                    | Op::BrI64LeU { offset, .. }
                    | Op::BrI64GeS { offset, .. }
                    | Op::BrI64GeU { offset, .. }
                    | Op::BrF32Eq { offset, .. }
                    | Op::BrF32Ne { offset, .. }
                    | Op::BrF32Lt { offset, .. }
                    | Op::BrF32Gt { offset, .. }
                    | Op::BrF32Le { offset, .. }
                    | Op::BrF32Ge { offset, .. }
                    | Op::BrF32NotLt { offset, .. }
                    | Op::BrF32NotGt { offset, .. }
                    | Op::BrF32NotLe { offset, .. }
                    | Op::BrF32NotGe { offset, .. }
                    | Op::BrF64Eq { offset, .. }
                    | Op::BrF64Ne { offset, .. }
                    | Op::BrF64Lt { offset, .. }
                    | Op::BrF64Gt { offset, .. }
                    | Op::BrF64Le { offset, .. }
                    | Op::BrF64Ge { offset, .. }
                    | Op::BrF64NotLt { offset, .. }
                    | Op::BrF64NotGt { offset, .. }
                    | Op::BrF64NotLe { offset, .. }
                    | Op::AddBrI32Eq { offset, .. }
                    | Op::AddBrI32Ne { offset, .. }
                    | Op::AddBrI32LtS { offset, .. }
                    | Op::AddBrI32LtU { offset, .. }
                    | Op::AddBrI32GtS { offset, .. }
                    | Op::AddBrI32GtU { offset, .. }
                    | Op::AddBrI32LeS { offset, .. }
                    | Op::AddBrI32LeU { offset, .. }
                    | Op::AddBrI32GeS { offset, .. }
                    | Op::AddBrI32GeU { offset, .. }
                    | Op::AddJumpIfNez { offset, .. }
                    | Op::AddJumpIfEqz { offset, .. }
                    | Op::LoadJumpIfNez { jump: offset, .. }
                    | Op::LoadJumpIfEqz { jump: offset, .. }
                    | Op::Load8JumpIfNez { jump: offset, .. }
                    | Op::Load8JumpIfEqz { jump: offset, .. }
                    | Op::JumpIfNull { offset, .. }
                    | Op::JumpIfNonNull { offset, .. }
                    | Op::BrF64NotGe { offset, .. } => Some(offset),
                    _ => None,
                }
            }
        }
    };
}

weft_syntax::for_each_instr!(define_op);

/// Tags of the hand-written variants of [`Op`], after the table rows.
pub(crate) mod tag {
    use super::RowTag;
    pub(crate) const TRAP: u16 = RowTag::Count as u16;
    pub(crate) const FUEL: u16 = RowTag::Count as u16 + 1;
    pub(crate) const JUMP: u16 = RowTag::Count as u16 + 2;
    pub(crate) const JUMP_IF_NEZ: u16 = RowTag::Count as u16 + 3;
    pub(crate) const JUMP_IF_EQZ: u16 = RowTag::Count as u16 + 4;
    pub(crate) const BR_I32_EQ: u16 = RowTag::Count as u16 + 5;
    pub(crate) const BR_I32_NE: u16 = RowTag::Count as u16 + 6;
    pub(crate) const BR_I32_LT_S: u16 = RowTag::Count as u16 + 7;
    pub(crate) const BR_I32_LT_U: u16 = RowTag::Count as u16 + 8;
    pub(crate) const BR_I32_GT_S: u16 = RowTag::Count as u16 + 9;
    pub(crate) const BR_I32_GT_U: u16 = RowTag::Count as u16 + 10;
    pub(crate) const BR_I32_LE_S: u16 = RowTag::Count as u16 + 11;
    pub(crate) const BR_I32_LE_U: u16 = RowTag::Count as u16 + 12;
    pub(crate) const BR_I32_GE_S: u16 = RowTag::Count as u16 + 13;
    pub(crate) const BR_I32_GE_U: u16 = RowTag::Count as u16 + 14;
    pub(crate) const BR_I64_EQ: u16 = RowTag::Count as u16 + 15;
    pub(crate) const BR_I64_NE: u16 = RowTag::Count as u16 + 16;
    pub(crate) const BR_I64_LT_S: u16 = RowTag::Count as u16 + 17;
    pub(crate) const BR_I64_LT_U: u16 = RowTag::Count as u16 + 18;
    pub(crate) const BR_I64_GT_S: u16 = RowTag::Count as u16 + 19;
    pub(crate) const BR_I64_GT_U: u16 = RowTag::Count as u16 + 20;
    pub(crate) const BR_I64_LE_S: u16 = RowTag::Count as u16 + 21;
    pub(crate) const BR_I64_LE_U: u16 = RowTag::Count as u16 + 22;
    pub(crate) const BR_I64_GE_S: u16 = RowTag::Count as u16 + 23;
    pub(crate) const BR_I64_GE_U: u16 = RowTag::Count as u16 + 24;
    pub(crate) const JUMP_TABLE: u16 = RowTag::Count as u16 + 25;
    pub(crate) const MOVE: u16 = RowTag::Count as u16 + 26;
    pub(crate) const MOVE128: u16 = RowTag::Count as u16 + 27;
    pub(crate) const RET: u16 = RowTag::Count as u16 + 28;
    pub(crate) const RET1: u16 = RowTag::Count as u16 + 29;
    pub(crate) const RET128: u16 = RowTag::Count as u16 + 30;
    pub(crate) const CALL_DIRECT: u16 = RowTag::Count as u16 + 31;
    pub(crate) const CALL_TABLE: u16 = RowTag::Count as u16 + 32;
    pub(crate) const CHOOSE: u16 = RowTag::Count as u16 + 33;
    pub(crate) const CHOOSE128: u16 = RowTag::Count as u16 + 34;
    pub(crate) const GLOBAL_READ: u16 = RowTag::Count as u16 + 35;
    pub(crate) const GLOBAL_READ128: u16 = RowTag::Count as u16 + 36;
    pub(crate) const GLOBAL_WRITE: u16 = RowTag::Count as u16 + 37;
    pub(crate) const GLOBAL_WRITE128: u16 = RowTag::Count as u16 + 38;
    pub(crate) const FUNC_REF: u16 = RowTag::Count as u16 + 39;
    pub(crate) const IS_NULL: u16 = RowTag::Count as u16 + 40;
    pub(crate) const TABLE_READ: u16 = RowTag::Count as u16 + 41;
    pub(crate) const TABLE_WRITE: u16 = RowTag::Count as u16 + 42;
    pub(crate) const TABLE_LEN: u16 = RowTag::Count as u16 + 43;
    pub(crate) const TABLE_EXTEND: u16 = RowTag::Count as u16 + 44;
    pub(crate) const TABLE_FILL_RANGE: u16 = RowTag::Count as u16 + 45;
    pub(crate) const TABLE_COPY_RANGE: u16 = RowTag::Count as u16 + 46;
    pub(crate) const TABLE_INIT_RANGE: u16 = RowTag::Count as u16 + 47;
    pub(crate) const ELEM_DISCARD: u16 = RowTag::Count as u16 + 48;
    pub(crate) const MEM_LEN: u16 = RowTag::Count as u16 + 49;
    pub(crate) const MEM_EXTEND: u16 = RowTag::Count as u16 + 50;
    pub(crate) const MEM_FILL: u16 = RowTag::Count as u16 + 51;
    pub(crate) const MEM_COPY: u16 = RowTag::Count as u16 + 52;
    pub(crate) const MEM_INIT: u16 = RowTag::Count as u16 + 53;
    pub(crate) const DATA_DISCARD: u16 = RowTag::Count as u16 + 54;
    pub(crate) const SHUFFLE: u16 = RowTag::Count as u16 + 55;
    pub(crate) const CONST64: u16 = RowTag::Count as u16 + 56;
    pub(crate) const BR_F32_EQ: u16 = RowTag::Count as u16 + 57;
    pub(crate) const BR_F32_NE: u16 = RowTag::Count as u16 + 58;
    pub(crate) const BR_F32_LT: u16 = RowTag::Count as u16 + 59;
    pub(crate) const BR_F32_GT: u16 = RowTag::Count as u16 + 60;
    pub(crate) const BR_F32_LE: u16 = RowTag::Count as u16 + 61;
    pub(crate) const BR_F32_GE: u16 = RowTag::Count as u16 + 62;
    pub(crate) const BR_F32_NOT_LT: u16 = RowTag::Count as u16 + 63;
    pub(crate) const BR_F32_NOT_GT: u16 = RowTag::Count as u16 + 64;
    pub(crate) const BR_F32_NOT_LE: u16 = RowTag::Count as u16 + 65;
    pub(crate) const BR_F32_NOT_GE: u16 = RowTag::Count as u16 + 66;
    pub(crate) const BR_F64_EQ: u16 = RowTag::Count as u16 + 67;
    pub(crate) const BR_F64_NE: u16 = RowTag::Count as u16 + 68;
    pub(crate) const BR_F64_LT: u16 = RowTag::Count as u16 + 69;
    pub(crate) const BR_F64_GT: u16 = RowTag::Count as u16 + 70;
    pub(crate) const BR_F64_LE: u16 = RowTag::Count as u16 + 71;
    pub(crate) const BR_F64_GE: u16 = RowTag::Count as u16 + 72;
    pub(crate) const BR_F64_NOT_LT: u16 = RowTag::Count as u16 + 73;
    pub(crate) const BR_F64_NOT_GT: u16 = RowTag::Count as u16 + 74;
    pub(crate) const BR_F64_NOT_LE: u16 = RowTag::Count as u16 + 75;
    pub(crate) const BR_F64_NOT_GE: u16 = RowTag::Count as u16 + 76;
    pub(crate) const CHOOSE_Z64: u16 = RowTag::Count as u16 + 77;
    pub(crate) const ADD_BR_I32_EQ: u16 = RowTag::Count as u16 + 78;
    pub(crate) const ADD_BR_I32_NE: u16 = RowTag::Count as u16 + 79;
    pub(crate) const ADD_BR_I32_LT_S: u16 = RowTag::Count as u16 + 80;
    pub(crate) const ADD_BR_I32_LT_U: u16 = RowTag::Count as u16 + 81;
    pub(crate) const ADD_BR_I32_GT_S: u16 = RowTag::Count as u16 + 82;
    pub(crate) const ADD_BR_I32_GT_U: u16 = RowTag::Count as u16 + 83;
    pub(crate) const ADD_BR_I32_LE_S: u16 = RowTag::Count as u16 + 84;
    pub(crate) const ADD_BR_I32_LE_U: u16 = RowTag::Count as u16 + 85;
    pub(crate) const ADD_BR_I32_GE_S: u16 = RowTag::Count as u16 + 86;
    pub(crate) const ADD_BR_I32_GE_U: u16 = RowTag::Count as u16 + 87;
    pub(crate) const ADD_JUMP_IF_NEZ: u16 = RowTag::Count as u16 + 88;
    pub(crate) const ADD_JUMP_IF_EQZ: u16 = RowTag::Count as u16 + 89;
    pub(crate) const MOVE2: u16 = RowTag::Count as u16 + 90;
    pub(crate) const PAIR: u16 = RowTag::Count as u16 + 91;
    pub(crate) const LOAD_JUMP_IF_NEZ: u16 = RowTag::Count as u16 + 92;
    pub(crate) const LOAD_JUMP_IF_EQZ: u16 = RowTag::Count as u16 + 93;
    pub(crate) const LOAD8_JUMP_IF_NEZ: u16 = RowTag::Count as u16 + 94;
    pub(crate) const LOAD8_JUMP_IF_EQZ: u16 = RowTag::Count as u16 + 95;
    pub(crate) const LOAD_PAIR: u16 = RowTag::Count as u16 + 96;
    pub(crate) const STORE_PAIR: u16 = RowTag::Count as u16 + 97;
    pub(crate) const CHOOSE_TEST_Z: u16 = RowTag::Count as u16 + 98;
    pub(crate) const NATIVE: u16 = RowTag::Count as u16 + 99;
    pub(crate) const MEM_FAR: u16 = RowTag::Count as u16 + 100;
    pub(crate) const NARROW64: u16 = RowTag::Count as u16 + 101;
    pub(crate) const TAIL_CALL: u16 = RowTag::Count as u16 + 102;
    pub(crate) const TAIL_CALL_TABLE: u16 = RowTag::Count as u16 + 103;
    // Typed function references.
    pub(crate) const CALL_REF: u16 = RowTag::Count as u16 + 104;
    pub(crate) const TAIL_CALL_REF: u16 = RowTag::Count as u16 + 105;
    pub(crate) const JUMP_IF_NULL: u16 = RowTag::Count as u16 + 106;
    pub(crate) const JUMP_IF_NON_NULL: u16 = RowTag::Count as u16 + 107;
    // GC.
    pub(crate) const GC: u16 = RowTag::Count as u16 + 108;
    pub(crate) const EPOCH: u16 = RowTag::Count as u16 + 109;
    // Threads.
    pub(crate) const ATOMIC: u16 = RowTag::Count as u16 + 110;
    // Exceptions.
    pub(crate) const THROW: u16 = RowTag::Count as u16 + 111;
    pub(crate) const THROW_REF: u16 = RowTag::Count as u16 + 112;
    /// Number of tags.
    pub(crate) const COUNT: u16 = RowTag::Count as u16 + 113;
}

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
