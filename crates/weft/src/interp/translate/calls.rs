//! Calls: direct, through a table, through a reference, and their tail
//! forms; argument and result slots.

use super::*;

impl<'m> Translator<'m> {
    /// `call` or, if `tail`, `return_call` (whose `TailCall` is followed
    /// by a return, which only a host callee reaches).
    pub(super) fn call(&mut self, func: FuncIdx, tail: bool) -> Result<()> {
        let ty = self.m.func_type(func.0);
        let base = self.call_args(&ty.params, &ty.results)?;
        self.emit(if tail {
            Op::TailCall { base, func: func.0 }
        } else {
            Op::CallDirect { base, func: func.0 }
        });
        self.call_results(&ty.results, tail)
    }

    /// `call_indirect` or, if `tail`, `return_call_indirect`.
    pub(super) fn call_indirect(&mut self, ty: TypeIdx, table: TableIdx, tail: bool) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(0)?;
        }
        let index = self.pop_slot()?;
        let ft = self
            .m
            .module
            .types
            .func(ty)
            .ok_or("internal error: unknown type")?;
        let base = self.call_args(&ft.params, &ft.results)?;
        let (ty, table) = (ty.0, table.0);
        self.emit(if tail {
            Op::TailCallTable {
                base,
                index,
                ty,
                table,
            }
        } else {
            Op::CallTable {
                base,
                index,
                ty,
                table,
            }
        });
        self.call_results(&ft.results, tail)
    }

    /// `call_ref` or, if `tail`, `return_call_ref` of function type `ty`
    /// (the reference is on top of the arguments).
    pub(super) fn call_ref(&mut self, ty: TypeIdx, tail: bool) -> Result<()> {
        let callee = self.pop_slot()?;
        let ft = self
            .m
            .module
            .types
            .func(ty)
            .ok_or("internal error: unknown type")?;
        let base = self.call_args(&ft.params, &ft.results)?;
        self.emit(if tail {
            Op::TailCallFuncRef { base, callee }
        } else {
            Op::CallFuncRef { base, callee }
        });
        self.call_results(&ft.results, tail)
    }

    /// Pops a call's arguments, in canonical temporaries from the slot it
    /// returns on, where the results go too.
    pub(super) fn call_args(&mut self, params: &[ValType], results: &[ValType]) -> Result<Slot> {
        let n = params.len();
        self.materialize_top(n)?;
        let base_pos = self.next_pos() - slots(params);
        for _ in 0..n {
            self.pop()?;
        }
        self.max_height = self
            .max_height
            .max(base_pos + slots(params).max(slots(results)).max(1));
        Ok((self.temp_base + base_pos) as Slot)
    }

    /// Pushes a call's results; after a tail call, returns them.
    pub(super) fn call_results(&mut self, results: &[ValType], tail: bool) -> Result<()> {
        for &r in results {
            self.push_temp(wide(r))?;
        }
        if tail {
            self.Return()?;
        }
        Ok(())
    }
}

#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    pub(super) fn Call(&mut self, func: FuncIdx) -> Result<()> {
        self.call(func, false)
    }

    pub(super) fn CallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        self.call_indirect(ty, table, false)
    }

    pub(super) fn ReturnCall(&mut self, func: FuncIdx) -> Result<()> {
        self.call(func, true)
    }

    pub(super) fn ReturnCallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        self.call_indirect(ty, table, true)
    }

    pub(super) fn CallRef(&mut self, ty: TypeIdx) -> Result<()> {
        self.call_ref(ty, false)
    }

    pub(super) fn ReturnCallRef(&mut self, ty: TypeIdx) -> Result<()> {
        self.call_ref(ty, true)
    }
}
