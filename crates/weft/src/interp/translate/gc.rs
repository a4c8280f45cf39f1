//! Translation of the GC instructions (0xFB rows, `ref.eq`): each becomes
//! one [`Op::Gc`] naming its [`GcOp`] (handlers in `exec/gc.rs`), except
//! `br_on_cast[_fail]`, a `ref.test` and a conditional branch. Operands
//! beyond three (and the variadic allocations) are materialised in
//! consecutive canonical temporaries and named by the first one (`a`).
//! Type immediates become engine type ids, so that the handlers read
//! layouts and test subtyping without the module.

use super::*;
use crate::interp::code::{cast_target, GcOp};
use weft_syntax::{CompositeType, DataIdx, ElemIdx, FieldIdx, StorageType};

#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    /// The engine id of module type `t`.
    pub(super) fn type_id(&self, t: TypeIdx) -> Result<u32> {
        self.m
            .type_ids
            .get(t.index())
            .copied()
            .ok_or_else(|| "internal error: unknown type".to_string())
    }

    /// Pops `n` operands into consecutive canonical temporaries; the first
    /// one's slot.
    pub(super) fn operands(&mut self, n: usize) -> Result<Slot> {
        self.materialize_top(n)?;
        let base = if n == 0 {
            (self.temp_base + self.next_pos()) as Slot
        } else {
            self.stack[self.stack.len() - n].slot
        };
        for _ in 0..n {
            self.pop()?;
        }
        Ok(base)
    }

    /// Emits `GcOp` `op` with operands `a, b, c` and immediate `imm`,
    /// pushing its result (two slots if `wide`) unless `result` is false.
    #[allow(clippy::too_many_arguments)] // the fields of `Op::Gc`
    pub(super) fn gc(
        &mut self,
        op: GcOp,
        a: Slot,
        b: Slot,
        c: Slot,
        imm: u32,
        result: Option<bool>,
    ) -> Result<()> {
        match result {
            Some(wide) => self.produce(wide, |dst| Op::Gc {
                op,
                dst,
                a,
                b,
                c,
                imm,
            }),
            None => {
                self.emit(Op::Gc {
                    op,
                    dst: 0,
                    a,
                    b,
                    c,
                    imm,
                });
                Ok(())
            }
        }
    }

    /// The storage type of field `field` of struct type `t`, or of the
    /// elements of array type `t` (`field` `None`).
    pub(super) fn storage(&self, t: TypeIdx, field: Option<FieldIdx>) -> Result<StorageType> {
        let sub = self
            .m
            .module
            .types
            .get(t)
            .ok_or("internal error: unknown type")?;
        match (&sub.composite, field) {
            (CompositeType::Struct(s), Some(f)) => s
                .fields
                .get(f.index())
                .map(|f| f.storage)
                .ok_or_else(|| "internal error: unknown field".to_string()),
            (CompositeType::Array(a), None) => Ok(a.field.storage),
            _ => Err("internal error: not an aggregate type".to_string()),
        }
    }

    pub(super) fn is_v128(&self, t: TypeIdx, field: Option<FieldIdx>) -> Result<bool> {
        Ok(self.storage(t, field)? == StorageType::Val(ValType::V128))
    }

    /// A segment index as a slot-sized immediate.
    pub(super) fn small(i: u32) -> Result<Slot> {
        Slot::try_from(i).map_err(|_| "unsupported: segment index beyond 65535".to_string())
    }

    /// The cast target immediate of heap type `h` (module indices).
    pub(super) fn target(&self, h: HeapType) -> Result<u32> {
        Ok(match h {
            HeapType::Concrete(t) => self.type_id(t)?,
            h => cast_target(h),
        })
    }

    pub(super) fn RefEq(&mut self) -> Result<()> {
        let b = self.pop_slot()?;
        let a = self.pop_slot()?;
        self.gc(GcOp::RefEq, a, b, 0, 0, Some(false))
    }

    pub(super) fn StructNew(&mut self, ty: TypeIdx) -> Result<()> {
        let n = match &self.m.module.types.get(ty).map(|s| &s.composite) {
            Some(CompositeType::Struct(s)) => s.fields.len(),
            _ => return Err("internal error: not a struct type".into()),
        };
        let base = self.operands(n)?;
        let id = self.type_id(ty)?;
        self.gc(GcOp::StructNew, base, 0, 0, id, Some(false))
    }

    pub(super) fn StructNewDefault(&mut self, ty: TypeIdx) -> Result<()> {
        let id = self.type_id(ty)?;
        self.gc(GcOp::StructNewDefault, 0, 0, 0, id, Some(false))
    }

    pub(super) fn struct_get(&mut self, op: GcOp, ty: TypeIdx, field: FieldIdx) -> Result<()> {
        let wide = self.is_v128(ty, Some(field))?;
        let r = self.pop_slot()?;
        self.gc(op, r, 0, 0, field.0, Some(wide))
    }

    pub(super) fn StructGet(&mut self, ty: TypeIdx, field: FieldIdx) -> Result<()> {
        self.struct_get(GcOp::StructGet, ty, field)
    }

    pub(super) fn StructGetS(&mut self, ty: TypeIdx, field: FieldIdx) -> Result<()> {
        self.struct_get(GcOp::StructGetS, ty, field)
    }

    pub(super) fn StructGetU(&mut self, ty: TypeIdx, field: FieldIdx) -> Result<()> {
        self.struct_get(GcOp::StructGet, ty, field)
    }

    pub(super) fn StructSet(&mut self, _ty: TypeIdx, field: FieldIdx) -> Result<()> {
        let v = self.pop_slot()?;
        let r = self.pop_slot()?;
        self.gc(GcOp::StructSet, r, v, 0, field.0, None)
    }

    pub(super) fn ArrayNew(&mut self, ty: TypeIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let v = self.pop_slot()?;
        let id = self.type_id(ty)?;
        self.gc(GcOp::ArrayNew, v, len, 0, id, Some(false))
    }

    pub(super) fn ArrayNewDefault(&mut self, ty: TypeIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let id = self.type_id(ty)?;
        self.gc(GcOp::ArrayNewDefault, 0, len, 0, id, Some(false))
    }

    pub(super) fn ArrayNewFixed(&mut self, ty: TypeIdx, len: u32) -> Result<()> {
        let n = Self::small(len)?;
        let base = self.operands(len as usize)?;
        let id = self.type_id(ty)?;
        self.gc(GcOp::ArrayNewFixed, base, 0, n, id, Some(false))
    }

    pub(super) fn ArrayNewData(&mut self, ty: TypeIdx, data: DataIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let off = self.pop_slot()?;
        let (id, d) = (self.type_id(ty)?, Self::small(data.0)?);
        self.gc(GcOp::ArrayNewData, off, len, d, id, Some(false))
    }

    pub(super) fn ArrayNewElem(&mut self, ty: TypeIdx, elem: ElemIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let off = self.pop_slot()?;
        let (id, e) = (self.type_id(ty)?, Self::small(elem.0)?);
        self.gc(GcOp::ArrayNewElem, off, len, e, id, Some(false))
    }

    pub(super) fn array_get(&mut self, op: GcOp, ty: TypeIdx) -> Result<()> {
        let wide = self.is_v128(ty, None)?;
        let i = self.pop_slot()?;
        let r = self.pop_slot()?;
        self.gc(op, r, i, 0, 0, Some(wide))
    }

    pub(super) fn ArrayGet(&mut self, ty: TypeIdx) -> Result<()> {
        self.array_get(GcOp::ArrayGet, ty)
    }

    pub(super) fn ArrayGetS(&mut self, ty: TypeIdx) -> Result<()> {
        self.array_get(GcOp::ArrayGetS, ty)
    }

    pub(super) fn ArrayGetU(&mut self, ty: TypeIdx) -> Result<()> {
        self.array_get(GcOp::ArrayGet, ty)
    }

    pub(super) fn ArraySet(&mut self, _ty: TypeIdx) -> Result<()> {
        let v = self.pop_slot()?;
        let i = self.pop_slot()?;
        let r = self.pop_slot()?;
        self.gc(GcOp::ArraySet, r, i, v, 0, None)
    }

    pub(super) fn ArrayLen(&mut self) -> Result<()> {
        let r = self.pop_slot()?;
        self.gc(GcOp::ArrayLen, r, 0, 0, 0, Some(false))
    }

    pub(super) fn ArrayFill(&mut self, _ty: TypeIdx) -> Result<()> {
        let base = self.operands(4)?;
        self.gc(GcOp::ArrayFill, base, 0, 0, 0, None)
    }

    pub(super) fn ArrayCopy(&mut self, _dst: TypeIdx, _src: TypeIdx) -> Result<()> {
        let base = self.operands(5)?;
        self.gc(GcOp::ArrayCopy, base, 0, 0, 0, None)
    }

    pub(super) fn ArrayInitData(&mut self, _ty: TypeIdx, data: DataIdx) -> Result<()> {
        let d = Self::small(data.0)?;
        let base = self.operands(4)?;
        self.gc(GcOp::ArrayInitData, base, 0, d, 0, None)
    }

    pub(super) fn ArrayInitElem(&mut self, _ty: TypeIdx, elem: ElemIdx) -> Result<()> {
        let e = Self::small(elem.0)?;
        let base = self.operands(4)?;
        self.gc(GcOp::ArrayInitElem, base, 0, e, 0, None)
    }

    pub(super) fn ref_test(&mut self, ty: HeapType, nullable: bool) -> Result<()> {
        let r = self.pop_slot()?;
        let t = self.target(ty)?;
        self.gc(GcOp::RefTest, r, 0, nullable as Slot, t, Some(false))
    }

    pub(super) fn RefTest(&mut self, ty: HeapType) -> Result<()> {
        self.ref_test(ty, false)
    }

    pub(super) fn RefTestNull(&mut self, ty: HeapType) -> Result<()> {
        self.ref_test(ty, true)
    }

    pub(super) fn ref_cast(&mut self, ty: HeapType, nullable: bool) -> Result<()> {
        let r = self.pop_slot()?;
        let t = self.target(ty)?;
        self.gc(GcOp::RefCast, r, 0, nullable as Slot, t, Some(false))
    }

    pub(super) fn RefCast(&mut self, ty: HeapType) -> Result<()> {
        self.ref_cast(ty, false)
    }

    pub(super) fn RefCastNull(&mut self, ty: HeapType) -> Result<()> {
        self.ref_cast(ty, true)
    }

    /// `br_on_cast` (`on_fail` false) or `br_on_cast_fail`: a `ref.test`
    /// into a temporary, then a branch on it with the reference on top.
    pub(super) fn br_on_cast(
        &mut self,
        flags: CastFlags,
        label: LabelIdx,
        to: HeapType,
        on_fail: bool,
    ) -> Result<()> {
        let r = *self
            .stack
            .last()
            .ok_or("internal error: operand stack underflow")?;
        let t = self.target(to)?;
        let nullable = flags.to_nullable() as Slot;
        self.gc(GcOp::RefTest, r.slot, 0, nullable, t, Some(false))?;
        let cond = self.pop()?;
        let ci = self.ctrl_at(label)?;
        if self.is_plain_branch(ci) {
            let l = self.ctrls[ci].label;
            self.cond_jump(cond, !on_fail, l);
        } else {
            let skip = self.new_label();
            self.cond_jump(cond, on_fail, skip);
            self.branch_to(ci)?;
            self.bind(skip);
        }
        Ok(())
    }

    pub(super) fn BrOnCast(
        &mut self,
        flags: CastFlags,
        label: LabelIdx,
        _from: HeapType,
        to: HeapType,
    ) -> Result<()> {
        self.br_on_cast(flags, label, to, false)
    }

    pub(super) fn BrOnCastFail(
        &mut self,
        flags: CastFlags,
        label: LabelIdx,
        _from: HeapType,
        to: HeapType,
    ) -> Result<()> {
        self.br_on_cast(flags, label, to, true)
    }

    // Custom descriptors: refused before translation
    // (`module::check_runnable_instrs`, the feature is not executed).
    pub(super) fn StructNewDesc(&mut self, _ty: TypeIdx) -> Result<()> {
        Err(super::not_executed("struct.new_desc"))
    }

    pub(super) fn StructNewDefaultDesc(&mut self, _ty: TypeIdx) -> Result<()> {
        Err(super::not_executed("struct.new_default_desc"))
    }

    pub(super) fn RefGetDesc(&mut self, _ty: TypeIdx) -> Result<()> {
        Err(super::not_executed("ref.get_desc"))
    }

    pub(super) fn RefCastDescEq(&mut self, _ty: HeapType) -> Result<()> {
        Err(super::not_executed("ref.cast_desc_eq"))
    }

    pub(super) fn RefCastDescEqNull(&mut self, _ty: HeapType) -> Result<()> {
        Err(super::not_executed("ref.cast_desc_eq"))
    }

    pub(super) fn BrOnCastDescEq(
        &mut self,
        _flags: CastFlags,
        _label: LabelIdx,
        _from: HeapType,
        _to: HeapType,
    ) -> Result<()> {
        Err(super::not_executed("br_on_cast_desc_eq"))
    }

    pub(super) fn BrOnCastDescEqFail(
        &mut self,
        _flags: CastFlags,
        _label: LabelIdx,
        _from: HeapType,
        _to: HeapType,
    ) -> Result<()> {
        Err(super::not_executed("br_on_cast_desc_eq_fail"))
    }

    /// A GC operation on one operand with one single-slot result.
    fn gc_unary(&mut self, op: GcOp) -> Result<()> {
        let a = self.pop_slot()?;
        self.gc(op, a, 0, 0, 0, Some(false))
    }

    pub(super) fn AnyConvertExtern(&mut self) -> Result<()> {
        self.gc_unary(GcOp::AnyConvertExtern)
    }

    pub(super) fn ExternConvertAny(&mut self) -> Result<()> {
        self.gc_unary(GcOp::ExternConvertAny)
    }

    pub(super) fn RefI31(&mut self) -> Result<()> {
        self.gc_unary(GcOp::RefI31)
    }

    pub(super) fn I31GetS(&mut self) -> Result<()> {
        self.gc_unary(GcOp::I31GetS)
    }

    pub(super) fn I31GetU(&mut self) -> Result<()> {
        self.gc_unary(GcOp::I31GetU)
    }
}
