//! The operand stack model of the translator: where each value lives (a
//! local's slot, a constant's, or its position's temporary), the
//! preservation of locals, and the constant area.

use super::*;

impl<'m> Translator<'m> {
    pub(super) fn next_pos(&self) -> u32 {
        self.stack.last().map_or(0, |o| o.pos + o.width())
    }

    pub(super) fn push(&mut self, kind: Kind, slot: Slot, wide: bool) -> Result<Operand> {
        let pos = self.next_pos();
        let w = 1 + wide as u32;
        if self.temp_base + pos + w > MAX_FRAME - 2 {
            return Err("function too large: operand stack exceeds 65536 slots".into());
        }
        self.max_height = self.max_height.max(pos + w);
        let slot = if kind == Kind::Temp {
            (self.temp_base + pos) as Slot
        } else {
            slot
        };
        if kind == Kind::Local {
            self.local_refs += 1;
        }
        let o = Operand {
            kind,
            slot,
            wide,
            pos,
        };
        self.stack.push(o);
        Ok(o)
    }

    pub(super) fn push_temp(&mut self, wide: bool) -> Result<Slot> {
        Ok(self.push(Kind::Temp, 0, wide)?.slot)
    }

    pub(super) fn pop(&mut self) -> Result<Operand> {
        let o = self
            .stack
            .pop()
            .ok_or("internal error: operand stack underflow")?;
        if o.kind == Kind::Local {
            self.local_refs -= 1;
        }
        Ok(o)
    }

    pub(super) fn pop_slot(&mut self) -> Result<Slot> {
        Ok(self.pop()?.slot)
    }

    /// Pushes a temporary for the result of `make(dst)` and emits it.
    pub(super) fn produce(&mut self, wide: bool, make: impl FnOnce(Slot) -> Op) -> Result<()> {
        self.produce_acc(false, 0, wide, make)
    }

    /// Like `produce`, for instructions whose handlers use the accumulator:
    /// `bits` say which operand comes from it, `capable` whether the result
    /// may go to it.
    pub(super) fn produce_acc(
        &mut self,
        capable: bool,
        bits: u8,
        wide: bool,
        make: impl FnOnce(Slot) -> Op,
    ) -> Result<()> {
        let dst = self.push_temp(wide)?;
        let i = self.emit_acc(make(dst), bits);
        self.last_producer = Some(i);
        self.acc_capable = capable;
        Ok(())
    }

    pub(super) fn move_op(dst: Slot, src: Slot, wide: bool) -> Op {
        if wide {
            Op::Move128 { dst, src }
        } else {
            Op::Move { dst, src }
        }
    }

    /// Copies stack entry `i` to its canonical temporary if it is not one.
    pub(super) fn materialize(&mut self, i: usize) {
        let o = self.stack[i];
        if o.kind == Kind::Temp {
            return;
        }
        let dst = (self.temp_base + o.pos) as Slot;
        self.emit(Self::move_op(dst, o.slot, o.wide));
        if o.kind == Kind::Local {
            self.local_refs -= 1;
        }
        self.stack[i] = Operand {
            kind: Kind::Temp,
            slot: dst,
            ..o
        };
    }

    /// Materializes the top `n` entries.
    pub(super) fn materialize_top(&mut self, n: usize) -> Result<()> {
        let len = self.stack.len();
        if n > len {
            return Err("internal error: operand stack underflow".into());
        }
        for i in len - n..len {
            self.materialize(i);
        }
        Ok(())
    }

    /// Preserves every entry that reads local slot `slot`.
    pub(super) fn preserve_local(&mut self, slot: Slot) {
        if self.local_refs == 0 {
            return;
        }
        for i in 0..self.stack.len() {
            let o = self.stack[i];
            if o.kind == Kind::Local && o.slot == slot {
                self.materialize(i);
            }
        }
    }

    /// Preserves every entry that reads a local.
    pub(super) fn preserve_all_locals(&mut self) {
        if self.local_refs == 0 {
            return;
        }
        for i in 0..self.stack.len() {
            if self.stack[i].kind == Kind::Local {
                self.materialize(i);
            }
        }
    }

    pub(super) fn local(&self, l: LocalIdx) -> Result<(Slot, bool)> {
        self.locals
            .get(l.index())
            .copied()
            .ok_or_else(|| format!("internal error: unknown local {l}"))
    }

    pub(super) fn constant(&mut self, bits: (u64, u64, bool)) -> Result<()> {
        match self.consts.get(&bits) {
            Some(&slot) => {
                self.push(Kind::Const, slot, bits.2)?;
            }
            None => {
                let dst = self.push_temp(bits.2)?;
                self.emit(Op::Const64 { dst, value: bits.0 });
                if bits.2 {
                    self.emit(Op::Const64 {
                        dst: dst + 1,
                        value: bits.1,
                    });
                }
            }
        }
        Ok(())
    }

    /// Whether the top `n` entries (of slot width `w`) already sit in the
    /// canonical temporaries starting at `pos`.
    pub(super) fn in_place(&self, n: usize, w: u32, pos: u32) -> bool {
        let len = self.stack.len();
        n == 0
            || (self.stack[len - n..].iter().all(|o| o.kind == Kind::Temp)
                && self.next_pos() - w == pos)
    }

    /// Copies the top `n` entries to the canonical temporaries starting at
    /// `pos` (sources are at or above their destinations, so copying in
    /// order is safe).
    pub(super) fn copy_top_to(&mut self, n: usize, pos: u32) {
        let len = self.stack.len();
        let mut dst = self.temp_base + pos;
        for i in len - n..len {
            let o = self.stack[i];
            if o.slot as u32 != dst || o.kind != Kind::Temp {
                self.emit(Self::move_op(dst as Slot, o.slot, o.wide));
            }
            dst += o.width();
        }
    }

    /// Resets the stack to the frame's height plus `types` in canonical
    /// temporaries.
    pub(super) fn reset_stack(&mut self, height: usize, types: &[ValType]) -> Result<()> {
        while self.stack.len() > height {
            self.pop()?;
        }
        for &t in types {
            self.push_temp(wide(t))?;
        }
        Ok(())
    }
}

#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    pub(super) fn Drop(&mut self) -> Result<()> {
        self.pop()?;
        Ok(())
    }

    pub(super) fn Select(&mut self) -> Result<()> {
        let cond = self.pop()?;
        let b = self.pop()?;
        let a = self.pop_slot()?;
        let w = b.wide;
        let b = b.slot;
        // `select` on `eqz x`: select on `x` with the operands swapped.
        if let (false, Some(i), Kind::Temp) = (w, self.last_producer, cond.kind) {
            if i + 1 == self.code.len() {
                let fused = match self.code[i] {
                    Op::I32Eqz(u) if u.dst == cond.slot => Some((u.src, false)),
                    Op::I64Eqz(u) if u.dst == cond.slot => Some((u.src, true)),
                    _ => None,
                };
                if let Some((x, is64)) = fused {
                    // `x` stays in the accumulator if the eqz took it from
                    // there.
                    let bits = self.unemit(true) & ACC_IN_L;
                    // ... unless it is the temporary of an `and` just
                    // before, which then fuses too: a test-and-select.
                    if let (ACC_IN_L, Some(&ACC_OUT), Some(Op::I32And(t) | Op::I64And(t))) =
                        (bits, self.modes.last(), self.code.last().copied())
                    {
                        if t.dst == x {
                            self.unemit(true);
                            let (x, m) = (t.lhs, t.rhs);
                            return self.produce_acc(true, 0, false, |dst| Op::ChooseTestZ {
                                dst,
                                x,
                                m,
                                a,
                                b,
                            });
                        }
                    }
                    return self.produce_acc(true, bits, false, |dst| {
                        if is64 {
                            Op::ChooseZ64 { dst, cond: x, a, b }
                        } else {
                            Op::Choose {
                                dst,
                                cond: x,
                                a: b,
                                b: a,
                            }
                        }
                    });
                }
            }
        }
        let bits = if w { 0 } else { self.acc_bit(&cond, ACC_IN_L) };
        let cond = cond.slot;
        self.produce_acc(!w, bits, w, |dst| {
            if w {
                Op::Choose128 { dst, cond, a, b }
            } else {
                Op::Choose { dst, cond, a, b }
            }
        })
    }

    pub(super) fn TypedSelect(&mut self, _ty: ValType) -> Result<()> {
        self.Select()
    }

    pub(super) fn LocalGet(&mut self, local: LocalIdx) -> Result<()> {
        let (slot, w) = self.local(local)?;
        self.push(Kind::Local, slot, w)?;
        Ok(())
    }

    pub(super) fn LocalSet(&mut self, local: LocalIdx) -> Result<()> {
        let (slot, w) = self.local(local)?;
        let v = self.pop()?;
        if v.kind == Kind::Local && v.slot == slot {
            return Ok(());
        }
        let still_read = self.local_refs > 0
            && self
                .stack
                .iter()
                .any(|o| o.kind == Kind::Local && o.slot == slot);
        // A constant set before any instruction, outside loops, runs once
        // per call before anything reads the local: it becomes the local's
        // initial value.
        if v.kind == Kind::Const
            && !still_read
            && self.code.is_empty()
            && slot as u32 >= self.param_slots
            && self.ctrls.iter().all(|c| c.kind != CtrlKind::Loop)
        {
            let (from, to) = (
                (v.slot as u32 - self.param_slots) as usize,
                (slot as u32 - self.param_slots) as usize,
            );
            let w = 1 + w as usize;
            if from + w <= self.init.len() && to + w <= self.init.len() {
                self.init.copy_within(from..from + w, to);
                return Ok(());
            }
        }
        if v.kind == Kind::Temp && !still_read {
            if let Some(i) = self.last_producer {
                if i + 1 == self.code.len() {
                    if let Some(dst) = self.code[i].dst_mut() {
                        if *dst == v.slot {
                            // The instruction now computes the local, and
                            // may still pass it to the next one in the
                            // accumulator.
                            *dst = slot;
                            return Ok(());
                        }
                    }
                }
            }
        }
        self.preserve_local(slot);
        self.emit(Self::move_op(slot, v.slot, w));
        Ok(())
    }

    pub(super) fn LocalTee(&mut self, local: LocalIdx) -> Result<()> {
        self.LocalSet(local)?;
        self.LocalGet(local)
    }
}

/// The bits of a constant immediate: (low, high, wide).
pub(super) trait ConstBits {
    fn bits(self) -> (u64, u64, bool);
}

impl ConstBits for i32 {
    fn bits(self) -> (u64, u64, bool) {
        (self as u32 as u64, 0, false)
    }
}

impl ConstBits for i64 {
    fn bits(self) -> (u64, u64, bool) {
        (self as u64, 0, false)
    }
}

impl ConstBits for F32 {
    fn bits(self) -> (u64, u64, bool) {
        (u64::from(self.0), 0, false)
    }
}

impl ConstBits for F64 {
    fn bits(self) -> (u64, u64, bool) {
        (self.0, 0, false)
    }
}

impl ConstBits for V128 {
    fn bits(self) -> (u64, u64, bool) {
        let v = u128::from_le_bytes(self.0);
        (v as u64, (v >> 64) as u64, true)
    }
}

/// The hasher of the constant pool: a multiply-rotate hash (SipHash showed
/// in translation profiles), started from a random per-process seed so
/// that a module cannot be built to make its constants collide.
#[derive(Clone, Copy, Default)]
pub(super) struct BuildConstHasher;

impl std::hash::BuildHasher for BuildConstHasher {
    type Hasher = ConstHasher;
    fn build_hasher(&self) -> ConstHasher {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let seed = *SEED.get_or_init(|| {
            use std::hash::Hasher;
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        });
        ConstHasher(seed)
    }
}

pub(super) struct ConstHasher(u64);

impl std::hash::Hasher for ConstHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
}
