//! The GC instructions (§3.3.2-3.3.4 of Wasm 3.0): the checks that the
//! `(array ...)` and `(field ...)` signature classes of the instruction
//! table name (see `visit_row!` in the parent module), and the `(custom)`
//! rows: allocations with a variable number of operands, `array.copy`,
//! casts and the conversions between `any` and `extern`. The rows with
//! fixed operand types (`ref.eq`, `ref.i31`, `i31.get_*`, `array.len`) are
//! validated from their `(ref: ...)` signatures.

use super::FuncValidator;
use crate::error::Result;
use crate::module::Field;
use crate::subtyping::check_heap_type;
use crate::types::{Heap, OpType, Span};
use weft_syntax::{CastFlags, ElemIdx, Feature, FieldIdx, HeapType, LabelIdx, TypeIdx};

/// The operand types named in GC signatures (see `gc_types`).
pub(super) struct GcTypes {
    pub(super) x: OpType,
    pub(super) new: OpType,
    pub(super) val: OpType,
}

impl<'c> FuncValidator<'c> {
    /// Runs the validation of a generated GC row out of line, so that the
    /// opcode loop of `validate_body`, into which every row's method is
    /// inlined, stays as small as it was before the GC rows (measured
    /// with `cargo bench -p weft-wast --bench validate`).
    #[inline(never)]
    pub(super) fn out_of_line(&mut self, row: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        row(self)
    }

    /// The operand types `x`, `new` and `val` of a GC signature on type
    /// `ty` and its field (or element) `f` (see `table.rs`).
    pub(super) fn gc_types(&self, ty: TypeIdx, f: Field) -> GcTypes {
        let heap = self.cx.subtypes.heap(HeapType::Concrete(ty));
        GcTypes {
            x: OpType::reference(true, heap),
            new: OpType::reference(false, self.alloc_heap(ty)),
            val: f.ty,
        }
    }

    /// The heap type of a new object of type `ty`: `(exact ty)` with custom
    /// descriptors (allocations are exact), else `ty`.
    fn alloc_heap(&self, ty: TypeIdx) -> Heap {
        let exact = self.cx.features.has(Feature::CustomDescriptors);
        let h = self.cx.subtypes.heap(HeapType::Concrete(ty));
        if exact {
            h.to_exact()
        } else {
            h
        }
    }

    /// The descriptor type of struct type `ty` (custom descriptors), which
    /// exists; `None` if it has none.
    fn descriptor_of(&self, ty: TypeIdx) -> Option<TypeIdx> {
        self.cx.subtypes.descriptor(ty.0)
    }

    /// `struct.new` and `struct.new_default` allocate types without a
    /// descriptor, the `_desc` forms types with one, whose descriptor, an
    /// exact `(ref null (exact y))`, is the last operand.
    fn check_alloc_desc(&self, ty: TypeIdx, desc: bool) -> Result<Option<TypeIdx>> {
        match (self.descriptor_of(ty), desc) {
            (Some(y), true) => Ok(Some(y)),
            (None, false) => Ok(None),
            (Some(_), false) => {
                Err(self.err("type with descriptor requires descriptor allocation"))
            }
            (None, true) => {
                Err(self.err("type without descriptor requires non-descriptor allocation"))
            }
        }
    }

    /// Pops the descriptor operand of an allocation of a type whose
    /// descriptor type is `y`.
    fn pop_alloc_desc(&mut self, y: Option<TypeIdx>) -> Result<()> {
        if let Some(y) = y {
            let h = self.cx.subtypes.heap(HeapType::Exact(y));
            self.pop(OpType::reference(true, h))?;
        }
        Ok(())
    }

    /// The operand type of the descriptor a descriptor cast to `h` compares
    /// with (custom descriptors): `(ref null y)` for the descriptor type `y`
    /// of the concrete target type, exact when the target is.
    fn desc_cast_operand(&self, h: HeapType) -> Result<OpType> {
        let y = h.type_index().and_then(|t| self.descriptor_of(t));
        match y {
            Some(y) => {
                let y = if h.is_exact() {
                    HeapType::Exact(y)
                } else {
                    HeapType::Concrete(y)
                };
                Ok(OpType::reference(true, self.cx.subtypes.heap(y)))
            }
            None => Err(self.err(format!("type {} does not have a descriptor", h.inexact()))),
        }
    }

    /// The fields of struct type `ty`.
    fn struct_fields(&self, ty: TypeIdx) -> Result<&'c [Field]> {
        self.cx.struct_fields(ty).map_err(|m| self.err(m))
    }

    /// Field `field` of struct type `ty`.
    pub(super) fn struct_field(&self, ty: TypeIdx, field: FieldIdx) -> Result<Field> {
        match self.struct_fields(ty)?.get(field.index()) {
            Some(&f) => Ok(f),
            None => Err(self.unknown("field", format!("{field} of type {ty}"))),
        }
    }

    /// The element field of array type `ty`.
    pub(super) fn array_field(&self, ty: TypeIdx) -> Result<Field> {
        self.cx.array_field(ty).map_err(|m| self.err(m))
    }

    /// Pushes `(ref ty)`, the result of an allocation (exact with custom
    /// descriptors).
    fn push_new(&mut self, ty: TypeIdx) {
        self.push(OpType::reference(false, self.alloc_heap(ty)));
    }

    /// A field written by `struct.set` and the array instructions must be
    /// mutable ("immutable field", "immutable array").
    pub(super) fn check_mutable(&self, f: Field, what: &str) -> Result<()> {
        if f.mutable {
            Ok(())
        } else {
            Err(self.err(format!("immutable {what}")))
        }
    }

    /// `struct.get` reads unpacked fields, `struct.get_s`/`_u` packed ones;
    /// the same for arrays.
    pub(super) fn check_packed(&self, f: Field, packed: bool, mnemonic: &str) -> Result<()> {
        if f.storage.is_packed() == packed {
            return Ok(());
        }
        Err(self.err(format!(
            "type mismatch: {mnemonic} of a field of {} type {}",
            if packed { "unpacked" } else { "packed" },
            f.storage
        )))
    }

    /// Allocations without initial values need a defaultable field type.
    pub(super) fn check_defaultable(&self, f: Field, mnemonic: &str) -> Result<()> {
        if f.defaultable() {
            return Ok(());
        }
        Err(self.err(format!(
            "type mismatch: {mnemonic} of a field of non-defaultable type {}",
            f.storage
        )))
    }

    /// `array.new_data` and `array.init_data` copy bytes into numeric or
    /// vector elements.
    pub(super) fn check_numeric_array(&self, f: Field) -> Result<()> {
        if f.ty.is_ref() {
            return Err(self.err("array type is not numeric or vector"));
        }
        Ok(())
    }

    /// The elements of segment `elem` must match the array's element type.
    pub(super) fn check_elem_array(&self, f: Field, elem: ElemIdx) -> Result<()> {
        let e = self.elem(elem)?;
        if !self.cx.subtypes.matches(e, f.ty) {
            return Err(self.err(format!(
                "type mismatch: elem segment {elem} of {e} into an array of {}",
                f.ty
            )));
        }
        Ok(())
    }

    /// A heap type named by a cast, which must exist, as packed.
    fn cast_heap(&self, h: HeapType) -> Result<Heap> {
        check_heap_type(self.cx.features, self.cx.types.len(), h).map_err(|m| self.err(m))?;
        Ok(self.cx.subtypes.heap(h))
    }

    /// `ref.test` and `ref.cast` take any reference of the same hierarchy
    /// as the target type (appendix: the operand is `(ref null top)`).
    fn pop_castable(&mut self, target: Heap) -> Result<()> {
        let top = self.cx.subtypes.top(target);
        self.pop(OpType::reference(true, top))
    }

    /// §3.3.4 `br_on_cast` and `br_on_cast_fail`: `[t* rt1] -> [t* rt]`
    /// where `rt2` matches `rt1`, the label carries `[t* rt']`, and the
    /// branch passes `rt2` (`br_on_cast`) or `rt1 \ rt2` (the fail form)
    /// and falls through with the other.
    ///
    /// With `desc` (custom descriptors: `br_on_cast_desc_eq` and its fail
    /// form) the descriptor to compare with is a further operand on top.
    fn br_on_cast(
        &mut self,
        fail: bool,
        desc: bool,
        flags: CastFlags,
        label: LabelIdx,
        from: HeapType,
        to: HeapType,
    ) -> Result<()> {
        let to_syntax = to;
        let (from, to) = (self.cast_heap(from)?, self.cast_heap(to)?);
        let rt1 = OpType::reference(flags.from_nullable(), from);
        let rt2 = OpType::reference(flags.to_nullable(), to);
        // Custom descriptors relax the rule that `rt2` matches `rt1` to the
        // two types sharing a hierarchy.
        if self.cx.features.has(Feature::CustomDescriptors) {
            let (top1, top2) = (self.cx.subtypes.top(from), self.cx.subtypes.top(to));
            if top1 != top2 && top1 != Heap::BOT && top2 != Heap::BOT {
                return Err(self.err(format!(
                    "type mismatch on cast: type {from} has a different top type than type {to}"
                )));
            }
        } else if !self.cx.subtypes.matches(rt2, rt1) {
            return Err(self.err(format!(
                "type mismatch: cast to {rt2}, which does not match {rt1}"
            )));
        }
        // rt1 \ rt2: a non-null target type leaves null to the other path.
        let diff = OpType::reference(flags.from_nullable() && !flags.to_nullable(), from);
        let (branch, fallthrough) = if fail { (diff, rt2) } else { (rt2, diff) };
        let s = self.label(label)?;
        let last = s.len.checked_sub(1).map(|n| self.pool.at(s, n));
        match last {
            Some(last) if self.cx.subtypes.matches(branch, last) => {}
            _ => {
                return Err(self.err(format!(
                    "type mismatch: the cast passes {branch} to label {label}, which carries {}",
                    crate::types::list(self.pool.get(s))
                )))
            }
        }
        if desc {
            let d = self.desc_cast_operand(to_syntax)?;
            self.pop(d)?;
        }
        self.pop(rt1)?;
        let rest = Span {
            start: s.start,
            len: s.len - 1,
        };
        self.pop_span(rest)?;
        self.push_span(rest);
        self.push(fallthrough);
        Ok(())
    }

    /// `any.convert_extern` and `extern.convert_any`: the reference keeps
    /// its nullability and changes hierarchy.
    fn convert(&mut self, from: Heap, to: Heap, mnemonic: &str) -> Result<()> {
        let t = self.pop_any()?;
        let nullable = match t.as_ref() {
            _ if t == OpType::UNKNOWN => false,
            Some((nullable, _)) if self.cx.subtypes.matches(t, OpType::reference(true, from)) => {
                nullable
            }
            _ => {
                return Err(self.err(format!(
                    "type mismatch: {mnemonic} requires [{}] but stack has [{t}]",
                    OpType::reference(true, from)
                )))
            }
        };
        self.push(OpType::reference(nullable, to));
        Ok(())
    }
}

/// The `(custom)` GC rows, one method per variant.
#[allow(non_snake_case)] // named after the table's variants so that the generated dispatch can call them
impl FuncValidator<'_> {
    /// `struct.new x`: `[t*] -> [(ref x)]` for the unpacked field types.
    #[inline(never)]
    pub(super) fn StructNew(&mut self, ty: TypeIdx) -> Result<()> {
        self.struct_new(ty, false)
    }

    /// `struct.new_default x`: every field defaultable.
    #[inline(never)]
    pub(super) fn StructNewDefault(&mut self, ty: TypeIdx) -> Result<()> {
        self.struct_new_default(ty, false)
    }

    /// `struct.new_desc x` (custom descriptors): `[t* (ref null (exact y))]
    /// -> [(ref (exact x))]` where `y` is the descriptor type of `x`.
    #[inline(never)]
    pub(super) fn StructNewDesc(&mut self, ty: TypeIdx) -> Result<()> {
        self.struct_new(ty, true)
    }

    /// `struct.new_default_desc x` (custom descriptors): `[(ref null (exact
    /// y))] -> [(ref (exact x))]`, every field defaultable.
    #[inline(never)]
    pub(super) fn StructNewDefaultDesc(&mut self, ty: TypeIdx) -> Result<()> {
        self.struct_new_default(ty, true)
    }

    fn struct_new(&mut self, ty: TypeIdx, desc: bool) -> Result<()> {
        let fields = self.struct_fields(ty)?;
        let y = self.check_alloc_desc(ty, desc)?;
        self.pop_alloc_desc(y)?;
        for f in fields.iter().rev() {
            self.pop(f.ty)?;
        }
        self.push_new(ty);
        Ok(())
    }

    fn struct_new_default(&mut self, ty: TypeIdx, desc: bool) -> Result<()> {
        for &f in self.struct_fields(ty)? {
            self.check_defaultable(f, "struct.new_default")?;
        }
        let y = self.check_alloc_desc(ty, desc)?;
        self.pop_alloc_desc(y)?;
        self.push_new(ty);
        Ok(())
    }

    /// `ref.get_desc x` (custom descriptors): `[(ref null x)] -> [(ref y)]`
    /// for the descriptor type `y` of `x`; exact `(ref (exact y))` when the
    /// operand is `(ref null (exact x))`.
    #[inline(never)]
    pub(super) fn RefGetDesc(&mut self, ty: TypeIdx) -> Result<()> {
        if self.cx.subtypes.kind(ty.0).is_none() {
            return Err(self.unknown("type", ty));
        }
        let Some(y) = self.descriptor_of(ty) else {
            return Err(self.err(format!("type without descriptor {ty}")));
        };
        let t = self.pop_any()?;
        let exact_x = OpType::reference(true, self.cx.subtypes.heap(HeapType::Exact(ty)));
        let exact = self.cx.subtypes.matches(t, exact_x);
        if !exact && !self.cx.subtypes.matches(t, self.ref_to(ty)) {
            return Err(self.mismatch(self.ref_to(ty), Some(t)));
        }
        let y = if exact {
            HeapType::Exact(y)
        } else {
            HeapType::Concrete(y)
        };
        self.push(OpType::reference(false, self.cx.subtypes.heap(y)));
        Ok(())
    }

    /// `ref.cast_desc_eq (ref ht)` (custom descriptors): `[(ref null top)
    /// (ref null y)] -> [(ref ht)]` for the descriptor type `y` of `ht`
    /// (exact if `ht` is).
    #[inline(never)]
    pub(super) fn RefCastDescEq(&mut self, ty: HeapType) -> Result<()> {
        self.ref_cast_desc_eq(ty, false)
    }

    /// `ref.cast_desc_eq (ref null ht)`.
    #[inline(never)]
    pub(super) fn RefCastDescEqNull(&mut self, ty: HeapType) -> Result<()> {
        self.ref_cast_desc_eq(ty, true)
    }

    fn ref_cast_desc_eq(&mut self, ty: HeapType, nullable: bool) -> Result<()> {
        let h = self.cast_heap(ty)?;
        let d = self.desc_cast_operand(ty)?;
        self.pop(d)?;
        self.pop_castable(h)?;
        self.push(OpType::reference(nullable, h));
        Ok(())
    }

    /// `br_on_cast_desc_eq l rt1 rt2` (custom descriptors).
    #[inline(never)]
    pub(super) fn BrOnCastDescEq(
        &mut self,
        flags: CastFlags,
        label: LabelIdx,
        from: HeapType,
        to: HeapType,
    ) -> Result<()> {
        self.br_on_cast(false, true, flags, label, from, to)
    }

    /// `br_on_cast_desc_eq_fail l rt1 rt2` (custom descriptors).
    #[inline(never)]
    pub(super) fn BrOnCastDescEqFail(
        &mut self,
        flags: CastFlags,
        label: LabelIdx,
        from: HeapType,
        to: HeapType,
    ) -> Result<()> {
        self.br_on_cast(true, true, flags, label, from, to)
    }

    /// `array.new_fixed x n`: `[t^n] -> [(ref x)]`.
    #[inline(never)]
    pub(super) fn ArrayNewFixed(&mut self, ty: TypeIdx, len: u32) -> Result<()> {
        let f = self.array_field(ty)?;
        // At most the values above the frame's height can be popped; the
        // rest come from an unreachable stack (or are missing), so a huge
        // count costs no time.
        let avail = self.vals.len() - self.height;
        let n = len as usize;
        for _ in 0..n.min(avail) {
            self.pop(f.ty)?;
        }
        if n > avail && !self.is_unreachable() {
            return Err(self.mismatch(f.ty, None));
        }
        self.push_new(ty);
        Ok(())
    }

    /// `array.copy x y`: `[(ref null x) i32 (ref null y) i32 i32] -> []`,
    /// `x` mutable and `y`'s element type matching `x`'s.
    #[inline(never)]
    pub(super) fn ArrayCopy(&mut self, dst: TypeIdx, src: TypeIdx) -> Result<()> {
        let d = self.array_field(dst)?;
        let s = self.array_field(src)?;
        self.check_mutable(d, "array")?;
        // §3.3.3 storage type matching: packed types only match themselves.
        let matches = if s.storage.is_packed() || d.storage.is_packed() {
            s.storage == d.storage
        } else {
            self.cx.subtypes.matches(s.ty, d.ty)
        };
        if !matches {
            return Err(self.err(format!(
                "array types do not match: array.copy from {} to {}",
                s.storage, d.storage
            )));
        }
        self.pop(OpType::I32)?;
        self.pop(OpType::I32)?;
        self.pop(self.ref_to(src))?;
        self.pop(OpType::I32)?;
        self.pop(self.ref_to(dst))
    }

    /// `ref.test (ref ht)`: `[(ref null top)] -> [i32]`.
    #[inline(never)]
    pub(super) fn RefTest(&mut self, ty: HeapType) -> Result<()> {
        let h = self.cast_heap(ty)?;
        self.pop_castable(h)?;
        self.push(OpType::I32);
        Ok(())
    }

    /// `ref.test (ref null ht)`.
    #[inline(never)]
    pub(super) fn RefTestNull(&mut self, ty: HeapType) -> Result<()> {
        self.RefTest(ty)
    }

    /// `ref.cast (ref ht)`: `[(ref null top)] -> [(ref ht)]`.
    #[inline(never)]
    pub(super) fn RefCast(&mut self, ty: HeapType) -> Result<()> {
        let h = self.cast_heap(ty)?;
        self.pop_castable(h)?;
        self.push(OpType::reference(false, h));
        Ok(())
    }

    /// `ref.cast (ref null ht)`: `[(ref null top)] -> [(ref null ht)]`.
    #[inline(never)]
    pub(super) fn RefCastNull(&mut self, ty: HeapType) -> Result<()> {
        let h = self.cast_heap(ty)?;
        self.pop_castable(h)?;
        self.push(OpType::reference(true, h));
        Ok(())
    }

    /// `br_on_cast l rt1 rt2`.
    #[inline(never)]
    pub(super) fn BrOnCast(
        &mut self,
        flags: CastFlags,
        label: LabelIdx,
        from: HeapType,
        to: HeapType,
    ) -> Result<()> {
        self.br_on_cast(false, false, flags, label, from, to)
    }

    /// `br_on_cast_fail l rt1 rt2`.
    #[inline(never)]
    pub(super) fn BrOnCastFail(
        &mut self,
        flags: CastFlags,
        label: LabelIdx,
        from: HeapType,
        to: HeapType,
    ) -> Result<()> {
        self.br_on_cast(true, false, flags, label, from, to)
    }

    /// `any.convert_extern`: `[(ref null? extern)] -> [(ref null? any)]`.
    #[inline(never)]
    pub(super) fn AnyConvertExtern(&mut self) -> Result<()> {
        self.convert(Heap::EXTERN, Heap::ANY, "any.convert_extern")
    }

    /// `extern.convert_any`: `[(ref null? any)] -> [(ref null? extern)]`.
    #[inline(never)]
    pub(super) fn ExternConvertAny(&mut self) -> Result<()> {
        self.convert(Heap::ANY, Heap::EXTERN, "extern.convert_any")
    }
}
