//! Table instructions.

use super::*;

impl<'m> Translator<'m> {
    pub(super) fn table_is_64(&self, table: TableIdx) -> bool {
        self.m.table_types[table.index()].addr == AddrType::I64
    }
}

#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    pub(super) fn TableGet(&mut self, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(0)?;
        }
        let index = self.pop_slot()?;
        self.produce(false, |dst| Op::TableRead {
            dst,
            index,
            table: table.0,
        })
    }

    pub(super) fn TableSet(&mut self, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(1)?;
        }
        let val = self.pop_slot()?;
        let index = self.pop_slot()?;
        self.emit(Op::TableWrite {
            index,
            val,
            table: table.0,
        });
        Ok(())
    }

    pub(super) fn TableInit(&mut self, elem: ElemIdx, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(2)?;
        }
        let len = self.pop_slot()?;
        let src = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::TableInitRange {
            dst,
            src,
            len,
            table: table.0,
            elem: elem.0,
        });
        Ok(())
    }

    pub(super) fn ElemDrop(&mut self, elem: ElemIdx) -> Result<()> {
        self.emit(Op::ElemDiscard { elem: elem.0 });
        Ok(())
    }

    pub(super) fn TableCopy(&mut self, dst: TableIdx, src: TableIdx) -> Result<()> {
        // The length is an i64 only between two 64-bit tables.
        let (d64, s64) = (self.table_is_64(dst), self.table_is_64(src));
        for (depth, is_64) in [(2, d64), (1, s64), (0, d64 && s64)] {
            if is_64 {
                self.narrow(depth)?;
            }
        }
        let len = self.pop_slot()?;
        let s = self.pop_slot()?;
        let d = self.pop_slot()?;
        self.emit(Op::TableCopyRange {
            dst: d,
            src: s,
            len,
            dst_table: dst.0,
            src_table: src.0,
        });
        Ok(())
    }

    pub(super) fn TableGrow(&mut self, table: TableIdx) -> Result<()> {
        let is_64 = self.table_is_64(table);
        if is_64 {
            self.narrow(0)?;
        }
        let delta = self.pop_slot()?;
        let init = self.pop_slot()?;
        self.produce(false, |dst| Op::TableExtend {
            dst,
            init,
            delta,
            table: table.0,
        })?;
        if is_64 {
            // The old size (below 2^31) or -1, as an i64.
            visit(self, Instr::I64ExtendI32S {})?;
        }
        Ok(())
    }

    pub(super) fn TableSize(&mut self, table: TableIdx) -> Result<()> {
        self.produce(false, |dst| Op::TableLen {
            dst,
            table: table.0,
        })
    }

    pub(super) fn TableFill(&mut self, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(2)?;
            self.narrow(0)?;
        }
        let len = self.pop_slot()?;
        let val = self.pop_slot()?;
        let start = self.pop_slot()?;
        self.emit(Op::TableFillRange {
            start,
            val,
            len,
            table: table.0,
        });
        Ok(())
    }
}
