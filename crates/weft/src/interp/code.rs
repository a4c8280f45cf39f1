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
//! pointer, checked against the frame size when the function is translated
//! (see `translate.rs`), so that execution reads slots without bounds
//! checks. Locals and constants are read in place; only values computed by
//! instructions occupy temporaries.
//!
//! Rows of the instruction table get a variant of the same name whose
//! payload type follows the row's signature class ([`Un`], [`Bin`], ...);
//! rows the interpreter handles by hand (control, locals, globals, tables,
//! constants) get the uninhabited payload [`Never`] and are never built.
//! The hand-written variants follow.

use crate::TrapCode;

/// A frame slot index.
pub(crate) type Slot = u16;

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

/// `dst = load(mem[addr + offset])`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Load {
    pub(crate) dst: Slot,
    pub(crate) addr: Slot,
    pub(crate) offset: u32,
}

/// `mem[addr + offset] = store(val)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemStore {
    pub(crate) addr: Slot,
    pub(crate) val: Slot,
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
    ((custom)) => { Never };
    (( -> )) => { Never };
    (( -> $r:ident)) => { Never };
    ((lane $n:literal : $a:ident -> $r:ident)) => { LaneUn };
    ((lane $n:literal : $a:ident $b:ident -> $r:ident)) => { LaneBin };
    ((memlane $al:literal $n:literal : addr $v:ident -> $r:ident)) => { LoadLane };
    ((memlane $al:literal $n:literal : addr $v:ident -> )) => { StoreLane };
    ((mem $al:literal : addr -> $r:ident)) => { Load };
    ((mem $al:literal : addr $v:ident -> )) => { MemStore };
    (($a:ident -> $r:ident)) => { Un };
    (($a:ident $b:ident -> $r:ident)) => { Bin };
    (($a:ident $b:ident $c:ident -> $r:ident)) => { Ter };
}

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
        /// One internal instruction (see the module documentation).
        #[derive(Clone, Copy, Debug)]
        #[allow(dead_code)] // rows with a `Never` payload exist only to keep the table complete
        pub(crate) enum Op {
            $( $variant(payload!($sig)), )*

            /// Trap with `code`.
            Trap { code: TrapCode },
            /// Charge `amount` units of fuel.
            Fuel { amount: u32 },
            /// Jump by `offset` instructions (relative to this one).
            Jump { offset: i32 },
            /// Jump if `cond` (an i32) is not zero.
            JumpIfNez { cond: Slot, offset: i32 },
            /// Jump if `cond` (an i32) is zero.
            JumpIfEqz { cond: Slot, offset: i32 },
            /// Jump if the i32 comparison `lhs <op> rhs` holds.
            JumpIfI32 { cmp: Cmp, lhs: Slot, rhs: Slot, offset: i32 },
            /// Jump if the i32 comparison `lhs <op> rhs` does not hold.
            JumpIfNotI32 { cmp: Cmp, lhs: Slot, rhs: Slot, offset: i32 },
            /// Jump if the i64 comparison `lhs <op> rhs` holds.
            JumpIfI64 { cmp: Cmp, lhs: Slot, rhs: Slot, offset: i32 },
            /// Jump if the i64 comparison `lhs <op> rhs` does not hold.
            JumpIfNotI64 { cmp: Cmp, lhs: Slot, rhs: Slot, offset: i32 },
            /// `br_table`: followed by `len + 1` `Jump`s; takes entry
            /// `min(index, len)`.
            JumpTable { index: Slot, len: u32 },
            /// `dst = src`.
            Move { dst: Slot, src: Slot },
            /// `dst, dst+1 = src, src+1` (a v128).
            Move128 { dst: Slot, src: Slot },
            /// Return; the results are already in slots 0...
            Ret,
            /// Return the one-slot value `src` (moved to slot 0).
            Ret1 { src: Slot },
            /// Return the v128 `src` (moved to slots 0, 1).
            Ret128 { src: Slot },
            /// Call function `func` (module index space); the arguments are
            /// at `base..`, and so are the results afterwards.
            CallDirect { base: Slot, func: u32 },
            /// Call the function at `table[index]`, checked against type
            /// `ty` (module type index).
            CallTable { base: Slot, index: Slot, ty: u32, table: u32 },
            /// `dst = cond != 0 ? a : b`.
            Choose { dst: Slot, cond: Slot, a: Slot, b: Slot },
            /// `select` of v128 values.
            Choose128 { dst: Slot, cond: Slot, a: Slot, b: Slot },
            /// `dst = global`.
            GlobalRead { dst: Slot, global: u32 },
            /// `dst = global` (v128).
            GlobalRead128 { dst: Slot, global: u32 },
            /// `global = src`.
            GlobalWrite { src: Slot, global: u32 },
            /// `global = src` (v128).
            GlobalWrite128 { src: Slot, global: u32 },
            /// `dst = ref.func func`.
            FuncRef { dst: Slot, func: u32 },
            /// `dst = src == null`.
            IsNull { dst: Slot, src: Slot },
            /// `dst = table[index]`.
            TableRead { dst: Slot, index: Slot, table: u32 },
            /// `table[index] = val`.
            TableWrite { index: Slot, val: Slot, table: u32 },
            /// `dst = table.size`.
            TableLen { dst: Slot, table: u32 },
            /// `dst = table.grow(init, delta)`.
            TableExtend { dst: Slot, init: Slot, delta: Slot, table: u32 },
            /// `table.fill(start, val, len)`.
            TableFillRange { start: Slot, val: Slot, len: Slot, table: u32 },
            /// `table.copy`.
            TableCopyRange { dst: Slot, src: Slot, len: Slot, dst_table: u32, src_table: u32 },
            /// `table.init`.
            TableInitRange { dst: Slot, src: Slot, len: Slot, table: u32, elem: u32 },
            /// `elem.drop`.
            ElemDiscard { elem: u32 },
            /// `dst = memory.size`.
            MemLen { dst: Slot },
            /// `dst = memory.grow(delta)`.
            MemExtend { dst: Slot, delta: Slot },
            /// `memory.fill`.
            MemFill { dst: Slot, val: Slot, len: Slot },
            /// `memory.copy`.
            MemCopy { dst: Slot, src: Slot, len: Slot },
            /// `memory.init`.
            MemInit { dst: Slot, src: Slot, len: Slot, data: u32 },
            /// `data.drop`.
            DataDiscard { data: u32 },
            /// `i8x16.shuffle` with lanes `shuffles[lanes]`.
            Shuffle { dst: Slot, a: Slot, b: Slot, lanes: u32 },
            /// `dst = value` for constants beyond the constant area.
            Const64 { dst: Slot, value: u64 },
        }

        impl Op {
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
                    | Op::MemLen { dst }
                    | Op::MemExtend { dst, .. }
                    | Op::Shuffle { dst, .. }
                    | Op::Const64 { dst, .. } => Some(dst),
                    Op::Trap { .. }
                    | Op::Fuel { .. }
                    | Op::Jump { .. }
                    | Op::JumpIfNez { .. }
                    | Op::JumpIfEqz { .. }
                    | Op::JumpIfI32 { .. }
                    | Op::JumpIfNotI32 { .. }
                    | Op::JumpIfI64 { .. }
                    | Op::JumpIfNotI64 { .. }
                    | Op::JumpTable { .. }
                    | Op::Move { .. }
                    | Op::Move128 { .. }
                    | Op::Ret
                    | Op::Ret1 { .. }
                    | Op::Ret128 { .. }
                    | Op::CallDirect { .. }
                    | Op::CallTable { .. }
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
                    | Op::DataDiscard { .. } => None,
                }
            }

            /// The jump offset of a branch instruction.
            pub(crate) fn offset_mut(&mut self) -> Option<&mut i32> {
                match self {
                    Op::Jump { offset }
                    | Op::JumpIfNez { offset, .. }
                    | Op::JumpIfEqz { offset, .. }
                    | Op::JumpIfI32 { offset, .. }
                    | Op::JumpIfNotI32 { offset, .. }
                    | Op::JumpIfI64 { offset, .. }
                    | Op::JumpIfNotI64 { offset, .. } => Some(offset),
                    _ => None,
                }
            }
        }
    };
}

weft_syntax::for_each_instr!(define_op);

/// A comparison fused into a conditional jump.
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

/// A translated function body.
pub(crate) struct CompiledFunc {
    /// The instructions.
    pub(crate) code: Box<[Op]>,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_is_small() {
        assert!(std::mem::size_of::<Op>() <= 16, "{}", std::mem::size_of::<Op>());
    }
}
