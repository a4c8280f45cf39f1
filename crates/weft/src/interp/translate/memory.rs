//! Memory instructions: the far path (memories other than 0, 64-bit
//! memories), atomics and the bulk memory instructions.

use super::*;

impl<'m> Translator<'m> {
    /// Whether an access with `memarg` leaves the register fast path,
    /// which serves memory 0 with 32-bit addresses only.
    pub(super) fn is_far(&self, memarg: MemArg) -> bool {
        memarg.memory.0 != 0 || self.mem_is_64(memarg.memory)
    }

    pub(super) fn mem_is_64(&self, mem: MemIdx) -> bool {
        self.m.mem_types[mem.index()].addr == AddrType::I64
    }

    /// Narrows the stack entry `depth` below the top, an index into a
    /// 64-bit table, to an i32 that is out of bounds exactly when it is
    /// (`Op::Narrow64`), in its canonical temporary.
    pub(super) fn narrow(&mut self, depth: usize) -> Result<()> {
        let i = self
            .stack
            .len()
            .checked_sub(depth + 1)
            .ok_or("internal error: operand stack underflow")?;
        self.materialize(i);
        let slot = self.stack[i].slot;
        self.emit(Op::Narrow64 {
            dst: slot,
            src: slot,
        });
        Ok(())
    }

    /// An access of table row `row` through [`Op::MemFar`]: `lane` for
    /// the lane accesses (which have a vector operand), `result` for the
    /// loads (whether their value is a v128). The offset is read from a
    /// constant's slot.
    pub(super) fn far_access(
        &mut self,
        row: u16,
        memarg: MemArg,
        lane: Option<u8>,
        result: Option<bool>,
    ) -> Result<()> {
        let mem = u16::try_from(memarg.memory.0)
            .map_err(|_| "unsupported: more than 65536 memories".to_string())?;
        // Pushed above the operands, so that a constant that needs a
        // temporary does not take an operand's.
        self.constant((memarg.offset, 0, false))?;
        let off = self.pop_slot()?;
        let val = if lane.is_some() || result.is_none() {
            self.pop_slot()?
        } else {
            0
        };
        let lane = lane.unwrap_or(0);
        let addr = self.pop_slot()?;
        let make = |dst| Op::MemFar {
            row,
            dst,
            addr,
            val,
            off,
            mem,
            lane,
        };
        match result {
            Some(wide) => self.produce(wide, make),
            None => {
                self.emit(make(0));
                Ok(())
            }
        }
    }

    /// An atomic access (threads) through [`Op::Atomic`]; the offset is
    /// read from a constant's slot, as for [`Op::MemFar`].
    pub(super) fn atomic(&mut self, op: AtomicOp, memarg: MemArg) -> Result<()> {
        let mem = u16::try_from(memarg.memory.0)
            .map_err(|_| "unsupported: more than 65536 memories".to_string())?;
        self.constant((memarg.offset, 0, false))?;
        let off = self.pop_slot()?;
        let b = if op.operands() > 1 {
            self.pop_slot()?
        } else {
            0
        };
        let a = if op.operands() > 0 {
            self.pop_slot()?
        } else {
            0
        };
        let addr = self.pop_slot()?;
        let make = |dst| Op::Atomic {
            op,
            dst,
            addr,
            a,
            b,
            off,
            mem,
        };
        if op.kind() == AtomicKind::Store {
            self.emit(make(0));
            Ok(())
        } else {
            self.produce(false, make)
        }
    }
}

#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    pub(super) fn MemorySize(&mut self, mem: MemIdx) -> Result<()> {
        self.produce(false, |dst| Op::MemLen { dst, mem: mem.0 })
    }

    pub(super) fn MemoryGrow(&mut self, mem: MemIdx) -> Result<()> {
        let delta = self.pop_slot()?;
        self.produce(false, |dst| Op::MemExtend {
            dst,
            delta,
            mem: mem.0,
        })
    }

    pub(super) fn MemoryInit(&mut self, data: DataIdx, mem: MemIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let src = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::MemInit {
            dst,
            src,
            len,
            data: data.0,
            mem: mem.0,
        });
        Ok(())
    }

    pub(super) fn DataDrop(&mut self, data: DataIdx) -> Result<()> {
        self.emit(Op::DataDiscard { data: data.0 });
        Ok(())
    }

    pub(super) fn MemoryCopy(&mut self, dst_mem: MemIdx, src_mem: MemIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let src = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::MemCopy {
            dst,
            src,
            len,
            dst_mem: dst_mem.0,
            src_mem: src_mem.0,
        });
        Ok(())
    }

    pub(super) fn MemoryFill(&mut self, mem: MemIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let val = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::MemFill {
            dst,
            val,
            len,
            mem: mem.0,
        });
        Ok(())
    }
}

pub(super) fn mem_offset(memarg: MemArg) -> Result<u32> {
    u32::try_from(memarg.offset).map_err(|_| "memory offset beyond 32 bits".to_string())
}
