//! Fusions and rewrites of the code just emitted (see the module
//! documentation of `translate.rs`): compare-and-branch, add-and-branch,
//! address additions, load-and-jump, operator pairs, branch negation and
//! jump threading.

use super::*;

impl<'m> Translator<'m> {
    /// Like [`fuse_add`](Self::fuse_add), for a conditional jump `op`
    /// that reads the sum from its slot (the rotated copy of a loop's
    /// exit test, typically after `i += 1`): the `i32.add` just emitted,
    /// which uses no accumulator, and `op` become one instruction.
    pub(super) fn fuse_add_in_slot(&mut self, op: Op) -> Op {
        let Some(&Op::I32Add(add)) = self.code.last() else {
            return op;
        };
        if self.modes.last() != Some(&0) {
            return op;
        }
        match add_branch(op, add, None) {
            Some(fused) => {
                self.unemit(true);
                fused
            }
            None => op,
        }
    }

    /// Emits a jump to `label` taken if `cond` is non-zero (`when` true) or
    /// zero (`when` false), fusing a just computed comparison into it.
    pub(super) fn cond_jump(&mut self, cond: Operand, when: bool, label: usize) {
        let fused = match self.last_producer {
            Some(i) if i + 1 == self.code.len() && cond.kind == Kind::Temp => {
                fuse(&self.code[i], cond.slot, when)
            }
            _ => None,
        };
        let fused = match fused {
            // The fused jump reads the comparison's operands as it did.
            Some(op) => Some((op, ACC_IN_L | ACC_IN_R)),
            // A jump on a loaded value: the load's address as it was.
            None => self
                .load_jump(&cond, when)
                .map(|op| (op, ACC_IN_L | ADDR_ADD)),
        };
        let (op, bits) = match fused {
            Some((op, keep)) => (op, self.unemit_first(true) & keep),
            None if when => (
                Op::JumpIfNez {
                    cond: cond.slot,
                    offset: 0,
                },
                self.acc_bit(&cond, ACC_IN_L),
            ),
            None => (
                Op::JumpIfEqz {
                    cond: cond.slot,
                    offset: 0,
                },
                self.acc_bit(&cond, ACC_IN_L),
            ),
        };
        let (op, bits) = self.fuse_add(op, bits);
        self.emit_jump(op, label, bits);
    }

    /// The fused load-and-jump for a jump on `cond` taken if it is not
    /// zero (`when`) or zero, if `cond` is the temporary that the
    /// `i32.load` or `i32.load8_u` just emitted loaded.
    pub(super) fn load_jump(&self, cond: &Operand, when: bool) -> Option<Op> {
        let i = self.last_producer?;
        if cond.kind != Kind::Temp || i + 1 != self.code.len() {
            return None;
        }
        let (l, wide) = match self.code[i] {
            Op::I32Load(l) => (l, true),
            Op::I32Load8U(l) => (l, false),
            _ => return None,
        };
        // Not if the load also writes a local (`SUM_TOO`).
        if l.dst != cond.slot || self.modes[i] & (ADDR_ADD | SUM_TOO) == ADDR_ADD | SUM_TOO {
            return None;
        }
        let (addr, idx, offset, jump) = (l.addr, l.idx, l.offset, 0);
        Some(match (wide, when) {
            (true, true) => Op::LoadJumpIfNez {
                addr,
                idx,
                offset,
                jump,
            },
            (true, false) => Op::LoadJumpIfEqz {
                addr,
                idx,
                offset,
                jump,
            },
            (false, true) => Op::Load8JumpIfNez {
                addr,
                idx,
                offset,
                jump,
            },
            (false, false) => Op::Load8JumpIfEqz {
                addr,
                idx,
                offset,
                jump,
            },
        })
    }

    /// Fuses an i32 compare-and-branch that takes one operand from the
    /// accumulator (`bits`) with the `i32.add` just before it that computed
    /// that operand: the add is removed and the fused jump returned.
    pub(super) fn fuse_add(&mut self, op: Op, bits: u8) -> (Op, u8) {
        let Some(&Op::I32Add(add)) = self.code.last() else {
            return (op, bits);
        };
        // The add writes the accumulator (and maybe its slot), and reads no
        // accumulator itself (so nothing before it changes).
        let in_bits = bits & !KEEP_SLOT;
        if self.modes.last().map(|m| m & !SLOT_TOO) != Some(ACC_OUT)
            || !(in_bits == ACC_IN_L || in_bits == ACC_IN_R)
        {
            return (op, bits);
        }
        let Some(fused) = add_branch(op, add, Some(in_bits == ACC_IN_R)) else {
            return (op, bits);
        };
        self.unemit(true);
        (fused, 0)
    }

    /// Fuses the `i32.add` just emitted into the memory access whose
    /// address `addr` it computed: removes it and returns the access's
    /// `addr`, `idx` and mode (`ADDR_ADD`, and `ACC_IN_L` if the add read
    /// one operand from the accumulator, which becomes `addr`). The sum
    /// is a temporary, read only by the access.
    ///
    /// For a load (`sum`), the add may also have computed a local that
    /// the access reads (`local.tee`): the access then writes it too
    /// ([`SUM_TOO`], to `addr`'s slot).
    pub(super) fn fuse_address(&mut self, addr: &Operand, sum: bool) -> Option<(Slot, Slot, u8)> {
        let i = self.last_producer?;
        let sum_too = match addr.kind {
            Kind::Temp => 0,
            Kind::Local if sum => SUM_TOO,
            _ => return None,
        };
        if i + 1 != self.code.len() {
            return None;
        }
        let Op::I32Add(add) = self.code[i] else {
            return None;
        };
        if add.dst != addr.slot {
            return None;
        }
        let m = self.unemit(true);
        Some(if m & ACC_IN_R != 0 {
            (add.rhs, add.lhs, ADDR_ADD | sum_too | ACC_IN_L)
        } else {
            (add.lhs, add.rhs, ADDR_ADD | sum_too | (m & ACC_IN_L))
        })
    }

    /// Fuses binary operator `op2` (tag), whose operands are `lhs` and
    /// `rhs` and which takes one of them from the accumulator (`bits`),
    /// with the binary operator just emitted that computed it, if the two
    /// form one of the [`PAIRS`]: removes that one and returns the pair's
    /// `a`, `b`, `c`, index and mode (`ACC_IN_L` if `a` comes from the
    /// accumulator).
    pub(super) fn fuse_pair(
        &mut self,
        op2: u16,
        bits: u8,
        lhs: Slot,
        rhs: Slot,
    ) -> Option<(Slot, Slot, Slot, u16, u8)> {
        // The first result must be a temporary that only `op2` reads.
        let c = other_operand(op2, bits, lhs, rhs)?;
        let (op1, a, b, mode) = self.last_bin()?;
        let pair = PAIRS.iter().position(|&p| p == (op1, op2))? as u16;
        self.unemit(true);
        Some((a, b, c, pair, mode))
    }

    /// The binary operator just emitted: its tag, operands `a` and `b`, and
    /// mode (`ACC_IN_L` if `a` comes from the accumulator; a commutative
    /// one that takes its right operand from there is read swapped).
    pub(super) fn last_bin(&self) -> Option<(u16, Slot, Slot, u8)> {
        let (op1, bin) = self.code.last()?.as_bin()?;
        // (The next instruction is not emitted yet: no `ACC_OUT` yet.)
        match *self.modes.last()? {
            0 => Some((op1, bin.lhs, bin.rhs, 0)),
            ACC_IN_L => Some((op1, bin.lhs, bin.rhs, ACC_IN_L)),
            ACC_IN_R if commutes(op1) => Some((op1, bin.rhs, bin.lhs, ACC_IN_L)),
            _ => None,
        }
    }

    /// Like [`fuse_pair`](Self::fuse_pair), for a load just emitted whose
    /// value `op2` takes from the accumulator: returns the load, `c`, the
    /// index in [`LOAD_PAIRS`] and the load's address mode.
    pub(super) fn fuse_load_pair(
        &mut self,
        op2: u16,
        bits: u8,
        lhs: Slot,
        rhs: Slot,
    ) -> Option<(Load, Slot, u16, u8)> {
        let c = other_operand(op2, bits, lhs, rhs)?;
        let (op1, load) = self.code.last()?.as_load()?;
        let mode = *self.modes.last()?;
        if mode & !(ACC_IN_L | ADDR_ADD) != 0 {
            return None;
        }
        let pair = LOAD_PAIRS.iter().position(|&p| p == (op1, op2))? as u16;
        self.unemit_first(true);
        Some((load, c, pair, mode))
    }

    /// Fuses store `op2` (tag), whose value is the temporary that the
    /// binary operator just emitted computed (and passes in the
    /// accumulator), with that operator, if the two are one of the
    /// [`STORE_PAIRS`]: removes the operator and returns its operands `a`
    /// and `b`, the pair's index and mode (`ACC_IN_L` for `a`).
    pub(super) fn fuse_store_pair(&mut self, op2: u16) -> Option<(Slot, Slot, u16, u8)> {
        let (op1, a, b, mode) = self.last_bin()?;
        let pair = STORE_PAIRS.iter().position(|&p| p == (op1, op2))? as u16;
        self.unemit(true);
        Some((a, b, pair, mode))
    }
}

/// For binary operator `op2` (tag) with operands `lhs` and `rhs`, one of
/// which is a temporary it takes from the accumulator (`bits`): the other
/// one, seen as the right operand (swapped if `op2` commutes).
pub(super) fn other_operand(op2: u16, bits: u8, lhs: Slot, rhs: Slot) -> Option<Slot> {
    // A local's value must reach its slot: only a temporary fuses away.
    if bits & KEEP_SLOT != 0 {
        return None;
    }
    match bits & (ACC_IN_L | ACC_IN_R) {
        ACC_IN_L => Some(rhs),
        ACC_IN_R if commutes(op2) => Some(lhs),
        _ => None,
    }
}

/// Whether integer operator `tag` is commutative (floats are left alone:
/// swapping operands could change which NaN payload propagates).
pub(super) fn commutes(tag: u16) -> bool {
    [
        RowTag::I32Add,
        RowTag::I32Mul,
        RowTag::I32And,
        RowTag::I32Or,
        RowTag::I32Xor,
        RowTag::I64Add,
        RowTag::I64Mul,
        RowTag::I64And,
        RowTag::I64Or,
        RowTag::I64Xor,
    ]
    .into_iter()
    .any(|t| t as u16 == tag)
}

/// The fused add-and-jump (`AddBrI32*`, `AddJumpIf*`) for conditional
/// jump `op`, one of whose operands is the sum `add` computes: the one on
/// the right if `right` is `Some(true)`, on the left (or the condition) if
/// `Some(false)`; if `None`, the operand that reads `add.dst` (and the
/// other must not).
pub(super) fn add_branch(op: Op, add: Bin, right: Option<bool>) -> Option<Op> {
    let (dst, a, b) = (add.dst, add.lhs, add.rhs);
    macro_rules! pick {
        ($($br:ident => $fused:ident $swapped:ident,)* ; $($jz:ident => $zfused:ident,)*) => {
            match op {
                $( Op::$br { lhs, rhs, offset } => {
                    let right = match right {
                        Some(r) => r,
                        None if lhs == dst && rhs != dst => false,
                        None if rhs == dst && lhs != dst => true,
                        None => return None,
                    };
                    // `x op v` with the sum `v` on the right is `v op' x`.
                    Some(if right {
                        Op::$swapped { dst, a, b, rhs: lhs, offset }
                    } else {
                        Op::$fused { dst, a, b, rhs, offset }
                    })
                } )*
                $( Op::$jz { cond, offset } => match right {
                    Some(false) => Some(Op::$zfused { dst, a, b, offset }),
                    None if cond == dst => Some(Op::$zfused { dst, a, b, offset }),
                    _ => None,
                }, )*
                _ => None,
            }
        };
    }
    pick! {
        BrI32Eq => AddBrI32Eq AddBrI32Eq,
        BrI32Ne => AddBrI32Ne AddBrI32Ne,
        BrI32LtS => AddBrI32LtS AddBrI32GtS,
        BrI32LtU => AddBrI32LtU AddBrI32GtU,
        BrI32GtS => AddBrI32GtS AddBrI32LtS,
        BrI32GtU => AddBrI32GtU AddBrI32LtU,
        BrI32LeS => AddBrI32LeS AddBrI32GeS,
        BrI32LeU => AddBrI32LeU AddBrI32GeU,
        BrI32GeS => AddBrI32GeS AddBrI32LeS,
        BrI32GeU => AddBrI32GeU AddBrI32LeU,
        ;
        JumpIfNez => AddJumpIfNez,
        JumpIfEqz => AddJumpIfEqz,
    }
}

/// The conditional branch that jumps exactly when `op` does not (with the
/// same side effects), if `op` is one.
pub(super) fn negate_branch(op: Op) -> Option<Op> {
    macro_rules! pairs {
        ($($a:ident $b:ident,)* ; $($za:ident $zb:ident,)* ; $($aa:ident $ab:ident,)*) => {
            match op {
                $(
                    Op::$a { lhs, rhs, offset } => Op::$b { lhs, rhs, offset },
                    Op::$b { lhs, rhs, offset } => Op::$a { lhs, rhs, offset },
                )*
                $(
                    Op::$za { cond, offset } => Op::$zb { cond, offset },
                    Op::$zb { cond, offset } => Op::$za { cond, offset },
                )*
                $(
                    Op::$aa { dst, a, b, rhs, offset } => Op::$ab { dst, a, b, rhs, offset },
                    Op::$ab { dst, a, b, rhs, offset } => Op::$aa { dst, a, b, rhs, offset },
                )*
                Op::AddJumpIfNez { dst, a, b, offset } => Op::AddJumpIfEqz { dst, a, b, offset },
                Op::LoadJumpIfNez { addr, idx, offset, jump } => Op::LoadJumpIfEqz { addr, idx, offset, jump },
                Op::LoadJumpIfEqz { addr, idx, offset, jump } => Op::LoadJumpIfNez { addr, idx, offset, jump },
                Op::Load8JumpIfNez { addr, idx, offset, jump } => Op::Load8JumpIfEqz { addr, idx, offset, jump },
                Op::Load8JumpIfEqz { addr, idx, offset, jump } => Op::Load8JumpIfNez { addr, idx, offset, jump },
                Op::AddJumpIfEqz { dst, a, b, offset } => Op::AddJumpIfNez { dst, a, b, offset },
                _ => return None,
            }
        };
    }
    Some(pairs! {
        BrI32Eq BrI32Ne, BrI32LtS BrI32GeS, BrI32LtU BrI32GeU, BrI32GtS BrI32LeS,
        BrI32GtU BrI32LeU,
        BrI64Eq BrI64Ne, BrI64LtS BrI64GeS, BrI64LtU BrI64GeU, BrI64GtS BrI64LeS,
        BrI64GtU BrI64LeU,
        BrF32Eq BrF32Ne, BrF32Lt BrF32NotLt, BrF32Gt BrF32NotGt, BrF32Le BrF32NotLe,
        BrF32Ge BrF32NotGe,
        BrF64Eq BrF64Ne, BrF64Lt BrF64NotLt, BrF64Gt BrF64NotGt, BrF64Le BrF64NotLe,
        BrF64Ge BrF64NotGe,
        ;
        JumpIfNez JumpIfEqz,
        ;
        AddBrI32Eq AddBrI32Ne, AddBrI32LtS AddBrI32GeS, AddBrI32LtU AddBrI32GeU,
        AddBrI32GtS AddBrI32LeS, AddBrI32GtU AddBrI32LeU,
    })
}

/// Jump threading: a branch to an unconditional `Jump` goes to that
/// jump's target instead (following a few in a row).
pub(super) fn thread_jumps(code: &mut [Op]) {
    for i in 0..code.len() {
        let mut op = code[i];
        let Some(off) = op.offset_mut() else {
            continue;
        };
        let mut target = i as i64 + i64::from(*off);
        for _ in 0..4 {
            match code.get(target as usize) {
                Some(Op::Jump { offset }) if target as usize != i => {
                    target += i64::from(*offset);
                }
                _ => break,
            }
        }
        *off = (target - i as i64) as i32;
        code[i] = op;
    }
}

/// The fused jump for a branch on the result of comparison `op` (which
/// wrote `cond`), if it is one that fuses.
pub(super) fn fuse(op: &Op, cond: Slot, when: bool) -> Option<Op> {
    let (cmp, b, is64) = match *op {
        Op::I32Eq(b) => (Cmp::Eq, b, false),
        Op::I32Ne(b) => (Cmp::Ne, b, false),
        Op::I32LtS(b) => (Cmp::LtS, b, false),
        Op::I32LtU(b) => (Cmp::LtU, b, false),
        Op::I32GtS(b) => (Cmp::GtS, b, false),
        Op::I32GtU(b) => (Cmp::GtU, b, false),
        Op::I32LeS(b) => (Cmp::LeS, b, false),
        Op::I32LeU(b) => (Cmp::LeU, b, false),
        Op::I32GeS(b) => (Cmp::GeS, b, false),
        Op::I32GeU(b) => (Cmp::GeU, b, false),
        Op::I64Eq(b) => (Cmp::Eq, b, true),
        Op::I64Ne(b) => (Cmp::Ne, b, true),
        Op::I64LtS(b) => (Cmp::LtS, b, true),
        Op::I64LtU(b) => (Cmp::LtU, b, true),
        Op::I64GtS(b) => (Cmp::GtS, b, true),
        Op::I64GtU(b) => (Cmp::GtU, b, true),
        Op::I64LeS(b) => (Cmp::LeS, b, true),
        Op::I64LeU(b) => (Cmp::LeU, b, true),
        Op::I64GeS(b) => (Cmp::GeS, b, true),
        Op::I64GeU(b) => (Cmp::GeU, b, true),
        Op::F32Eq(b)
        | Op::F32Ne(b)
        | Op::F32Lt(b)
        | Op::F32Gt(b)
        | Op::F32Le(b)
        | Op::F32Ge(b)
        | Op::F64Eq(b)
        | Op::F64Ne(b)
        | Op::F64Lt(b)
        | Op::F64Gt(b)
        | Op::F64Le(b)
        | Op::F64Ge(b)
            if b.dst == cond =>
        {
            return Some(fuse_float(op, b.lhs, b.rhs, when));
        }
        Op::I32Eqz(u) if u.dst == cond => {
            return Some(if when {
                Op::JumpIfEqz {
                    cond: u.src,
                    offset: 0,
                }
            } else {
                Op::JumpIfNez {
                    cond: u.src,
                    offset: 0,
                }
            });
        }
        _ => return None,
    };
    if b.dst != cond {
        return None;
    }
    // A jump when the comparison fails is a jump when its negation holds
    // (integers have no unordered case).
    let cmp = if when { cmp } else { cmp.negate() };
    let (lhs, rhs, offset) = (b.lhs, b.rhs, 0);
    macro_rules! pick {
        ($($c:ident => $i32:ident $i64:ident,)*) => {
            match (cmp, is64) {
                $(
                    (Cmp::$c, false) => Op::$i32 { lhs, rhs, offset },
                    (Cmp::$c, true) => Op::$i64 { lhs, rhs, offset },
                )*
            }
        };
    }
    Some(pick! {
        Eq => BrI32Eq BrI64Eq,
        Ne => BrI32Ne BrI64Ne,
        LtS => BrI32LtS BrI64LtS,
        LtU => BrI32LtU BrI64LtU,
        GtS => BrI32GtS BrI64GtS,
        GtU => BrI32GtU BrI64GtU,
        LeS => BrI32LeS BrI64LeS,
        LeU => BrI32LeU BrI64LeU,
        GeS => BrI32GeS BrI64GeS,
        GeU => BrI32GeU BrI64GeU,
    })
}

/// The fused jump for a branch on float comparison `op` (NaN makes every
/// ordered comparison false, so "not less" is not "greater or equal").
pub(super) fn fuse_float(op: &Op, lhs: Slot, rhs: Slot, when: bool) -> Op {
    let offset = 0;
    macro_rules! pick {
        ($($v:ident => $yes:ident $no:ident,)*) => {
            match op {
                $( Op::$v(_) => if when {
                    Op::$yes { lhs, rhs, offset }
                } else {
                    Op::$no { lhs, rhs, offset }
                }, )*
                _ => Op::Jump { offset },
            }
        };
    }
    pick! {
        F32Eq => BrF32Eq BrF32Ne,
        F32Ne => BrF32Ne BrF32Eq,
        F32Lt => BrF32Lt BrF32NotLt,
        F32Gt => BrF32Gt BrF32NotGt,
        F32Le => BrF32Le BrF32NotLe,
        F32Ge => BrF32Ge BrF32NotGe,
        F64Eq => BrF64Eq BrF64Ne,
        F64Ne => BrF64Ne BrF64Eq,
        F64Lt => BrF64Lt BrF64NotLt,
        F64Gt => BrF64Gt BrF64NotGt,
        F64Le => BrF64Le BrF64NotLe,
        F64Ge => BrF64Ge BrF64NotGe,
    }
}
