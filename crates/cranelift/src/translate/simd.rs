//! Helpers for the lowering of 128-bit SIMD (§4.4.3 of Wasm 2.0) and of
//! relaxed SIMD (Wasm 3.0).
//!
//! A v128 lives on the operand stack, in locals and in block parameters as
//! one Cranelift type, `i8x16`; each instruction bitcasts its operands to
//! the lane type it works on (`i32x4`, `f64x2`, ...) and its result back.
//! Bitcasts between vector types cost no instruction, and lanes are
//! little-endian as in Wasm, so lane `i` of every view is the bytes at
//! `i * width` of the value's memory layout, which is also the
//! interpreter's (a v128 in two slots, low half first).
//!
//! Relaxed SIMD takes the interpreter's deterministic choices
//! (`weft::ops::relaxed`), so that both tiers give the same results:
//! swizzle, saturating truncation, unfused multiply-add, bit select,
//! `min`/`max`, saturating Q15 multiply, and wrapping dot products.

use super::{FuncTranslator, Result};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{I16X8, I32, I32X4, I64X2, I8X16};
use cranelift_codegen::ir::{ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;
use weft_syntax::{LaneIdx, MemArg};

/// A constant vector of the 16 bytes `bytes` (lane 0 first), as `i8x16`.
pub(super) fn vconst(b: &mut FunctionBuilder<'_>, bytes: [u8; 16]) -> Value {
    let c = b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
    b.ins().vconst(I8X16, c)
}

/// `v` viewed as a vector of type `ty` (no instruction if it already is).
pub(super) fn cast(b: &mut FunctionBuilder<'_>, v: Value, ty: Type) -> Value {
    if b.func.dfg.value_type(v) == ty {
        return v;
    }
    let little = MemFlagsData::new().with_endianness(Endianness::Little);
    b.ins().bitcast(ty, little, v)
}

/// How an extracted lane narrower than 32 bits becomes an `i32`.
#[derive(Clone, Copy)]
pub(super) enum Ext {
    /// The lane is 32 or 64 bits wide, or a float.
    None,
    Signed,
    Unsigned,
}

/// The kinds of lane shift.
#[derive(Clone, Copy)]
pub(super) enum Shift {
    Shl,
    ShrS,
    ShrU,
}

/// Which half of the lanes a widening instruction takes.
#[derive(Clone, Copy)]
pub(super) enum Half {
    Low,
    High,
}

/// Widens half of `v`'s lanes to twice their width.
pub(super) fn widen(b: &mut FunctionBuilder<'_>, v: Value, signed: bool, half: Half) -> Value {
    match (signed, half) {
        (true, Half::Low) => b.ins().swiden_low(v),
        (true, Half::High) => b.ins().swiden_high(v),
        (false, Half::Low) => b.ins().uwiden_low(v),
        (false, Half::High) => b.ins().uwiden_high(v),
    }
}

/// The pairwise sums of `v`'s lanes, widened (`extadd_pairwise`).
pub(super) fn extadd_pairwise(b: &mut FunctionBuilder<'_>, v: Value, signed: bool) -> Value {
    let lo = widen(b, v, signed, Half::Low);
    let hi = widen(b, v, signed, Half::High);
    b.ins().iadd_pairwise(lo, hi)
}

/// The pairwise sums of the widened lane products of `x` and `y`, signed
/// (`i32x4.dot_i16x8_s`, and the relaxed dot products). The sums wrap.
pub(super) fn dot(b: &mut FunctionBuilder<'_>, x: Value, y: Value) -> Value {
    let (xl, yl) = (b.ins().swiden_low(x), b.ins().swiden_low(y));
    let (xh, yh) = (b.ins().swiden_high(x), b.ins().swiden_high(y));
    let lo = b.ins().imul(xl, yl);
    let hi = b.ins().imul(xh, yh);
    b.ins().iadd_pairwise(lo, hi)
}

/// `pmin` (`pmax` with `max`): `y < x ? y : x` lane by lane (`x < y ? y :
/// x`), the comparison's false case keeping `x` whatever NaNs say.
pub(super) fn pminmax(b: &mut FunctionBuilder<'_>, x: Value, y: Value, max: bool) -> Value {
    let ty = b.func.dfg.value_type(x);
    let mask = if max {
        b.ins().fcmp(FloatCC::LessThan, x, y)
    } else {
        b.ins().fcmp(FloatCC::LessThan, y, x)
    };
    let mask = cast(b, mask, ty);
    b.ins().bitselect(mask, y, x)
}

impl FuncTranslator<'_, '_> {
    /// Pops a v128 as a vector of type `ty`.
    pub(super) fn pop_v(&mut self, ty: Type) -> Result<Value> {
        let v = self.pop()?;
        Ok(cast(&mut self.b, v, ty))
    }

    /// Pushes vector `v` as a v128.
    pub(super) fn push_v(&mut self, v: Value) -> Result<()> {
        let v = cast(&mut self.b, v, I8X16);
        self.push(v)
    }

    /// A unary lane operation on lanes of type `ty`.
    pub(super) fn vun(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value,
    ) -> Result<()> {
        let x = self.pop_v(ty)?;
        let r = f(&mut self.b, x);
        self.push_v(r)
    }

    /// A binary lane operation on lanes of type `ty`.
    pub(super) fn vbin(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value,
    ) -> Result<()> {
        let y = self.pop_v(ty)?;
        let x = self.pop_v(ty)?;
        let r = f(&mut self.b, x, y);
        self.push_v(r)
    }

    /// A ternary lane operation on lanes of type `ty`.
    pub(super) fn vtern(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value, Value) -> Value,
    ) -> Result<()> {
        let z = self.pop_v(ty)?;
        let y = self.pop_v(ty)?;
        let x = self.pop_v(ty)?;
        let r = f(&mut self.b, x, y, z);
        self.push_v(r)
    }

    /// An integer lane comparison: all ones in the lanes where it holds.
    pub(super) fn vicmp(&mut self, ty: Type, cc: IntCC) -> Result<()> {
        self.vbin(ty, |b, x, y| b.ins().icmp(cc, x, y))
    }

    /// A float lane comparison: all ones in the lanes where it holds.
    pub(super) fn vfcmp(&mut self, ty: Type, cc: FloatCC) -> Result<()> {
        self.vbin(ty, |b, x, y| b.ins().fcmp(cc, x, y))
    }

    /// A v128 test giving an i32 (`all_true`, `bitmask`, `any_true`).
    pub(super) fn vtest(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value,
    ) -> Result<()> {
        let x = self.pop_v(ty)?;
        let r = f(&mut self.b, x);
        let r = if self.b.func.dfg.value_type(r) == I32 {
            r
        } else {
            self.b.ins().uextend(I32, r)
        };
        self.push(r)
    }

    /// A lane shift by the popped count, taken modulo the lane width as
    /// Wasm says (§4.3.2, `ishl` and so on on lanes).
    pub(super) fn vshift(&mut self, ty: Type, kind: Shift) -> Result<()> {
        let n = self.pop()?;
        let x = self.pop_v(ty)?;
        let b = &mut self.b;
        let n = b.ins().band_imm_u(n, i64::from(ty.lane_bits() - 1));
        let r = match kind {
            Shift::Shl => b.ins().ishl(x, n),
            Shift::ShrS => b.ins().sshr(x, n),
            Shift::ShrU => b.ins().ushr(x, n),
        };
        self.push_v(r)
    }

    /// `splat`: the popped scalar in every lane of type `ty`.
    pub(super) fn splat(&mut self, ty: Type) -> Result<()> {
        let x = self.pop()?;
        let b = &mut self.b;
        let lane = ty.lane_type();
        let x = if b.func.dfg.value_type(x).bits() > lane.bits() {
            b.ins().ireduce(lane, x)
        } else {
            x
        };
        let r = b.ins().splat(ty, x);
        self.push_v(r)
    }

    /// `extract_lane`.
    pub(super) fn extract(&mut self, ty: Type, lane: LaneIdx, ext: Ext) -> Result<()> {
        let x = self.pop_v(ty)?;
        let b = &mut self.b;
        let r = b.ins().extractlane(x, lane.0);
        let r = match ext {
            Ext::None => r,
            Ext::Signed => b.ins().sextend(I32, r),
            Ext::Unsigned => b.ins().uextend(I32, r),
        };
        self.push(r)
    }

    /// `replace_lane`.
    pub(super) fn replace(&mut self, ty: Type, lane: LaneIdx) -> Result<()> {
        let y = self.pop()?;
        let x = self.pop_v(ty)?;
        let b = &mut self.b;
        let lane_ty = ty.lane_type();
        let y = if b.func.dfg.value_type(y).bits() > lane_ty.bits() {
            b.ins().ireduce(lane_ty, y)
        } else {
            y
        };
        let r = b.ins().insertlane(x, y, lane.0);
        self.push_v(r)
    }

    /// Loads one lane of vector type `ty` from the popped address (after
    /// its bounds check).
    fn load_scalar(&mut self, memarg: MemArg, ty: Type) -> Result<Value> {
        let lane_ty = ty.lane_type();
        let at = self.address(memarg, u64::from(lane_ty.bytes()))?;
        Ok(self.b.ins().load(lane_ty, self.heap, at, 0))
    }

    /// `v128.loadN_lane`: lane `lane` of the popped vector (of type `ty`)
    /// replaced by the value loaded.
    pub(super) fn load_lane(&mut self, memarg: MemArg, ty: Type, lane: LaneIdx) -> Result<()> {
        let x = self.pop_v(ty)?;
        let y = self.load_scalar(memarg, ty)?;
        let b = &mut self.b;
        let r = b.ins().insertlane(x, y, lane.0);
        self.push_v(r)
    }

    /// `v128.storeN_lane`: stores lane `lane` of the popped vector.
    pub(super) fn store_lane(&mut self, memarg: MemArg, ty: Type, lane: LaneIdx) -> Result<()> {
        let x = self.pop_v(ty)?;
        let at = self.address(memarg, u64::from(ty.lane_type().bytes()))?;
        let b = &mut self.b;
        let y = b.ins().extractlane(x, lane.0);
        b.ins().store(self.heap, y, at, 0);
        Ok(())
    }

    /// `v128.loadN_splat`: the scalar loaded, in every lane of type `ty`.
    pub(super) fn load_splat(&mut self, memarg: MemArg, ty: Type) -> Result<()> {
        let x = self.load_scalar(memarg, ty)?;
        let r = self.b.ins().splat(ty, x);
        self.push_v(r)
    }

    /// `v128.loadN_zero`: the scalar loaded in lane 0 of type `ty`, the
    /// other lanes zero.
    pub(super) fn load_zero(&mut self, memarg: MemArg, ty: Type) -> Result<()> {
        let x = self.load_scalar(memarg, ty)?;
        let r = self.b.ins().scalar_to_vector(ty, x);
        self.push_v(r)
    }

    /// `i32x4.trunc_sat_f64x2_{s,u}_zero`: the two conversions in the low
    /// lanes, zeros above.
    pub(super) fn trunc_sat_zero(&mut self, signed: bool) -> Result<()> {
        use cranelift_codegen::ir::types::F64X2;
        self.vun(F64X2, |b, x| {
            // A `vconst` of the lane type, not a bitcast: x64 lowers only
            // this pattern of `snarrow`/`uunarrow` of 64-bit lanes.
            let c = b
                .func
                .dfg
                .constants
                .insert(ConstantData::from(&[0u8; 16][..]));
            let zero = b.ins().vconst(I64X2, c);
            if signed {
                let c = b.ins().fcvt_to_sint_sat(I64X2, x);
                b.ins().snarrow(c, zero)
            } else {
                let c = b.ins().fcvt_to_uint_sat(I64X2, x);
                b.ins().uunarrow(c, zero)
            }
        })
    }

    /// `i32x4.relaxed_dot_i8x16_i7x16_add_s`: the 16-bit dot products
    /// summed in pairs as 32-bit values, plus the third operand.
    pub(super) fn relaxed_dot_add(&mut self) -> Result<()> {
        let c = self.pop_v(I32X4)?;
        let y = self.pop_v(I8X16)?;
        let x = self.pop_v(I8X16)?;
        let b = &mut self.b;
        let d = dot(b, x, y);
        debug_assert_eq!(b.func.dfg.value_type(d), I16X8);
        let s = extadd_pairwise(b, d, true);
        let r = b.ins().iadd(s, c);
        self.push_v(r)
    }
}

/// `extmul`: the products of half of the lanes of `x` and `y`, widened.
pub(super) fn extmul(
    b: &mut FunctionBuilder<'_>,
    x: Value,
    y: Value,
    signed: bool,
    half: Half,
) -> Value {
    let x = widen(b, x, signed, half);
    let y = widen(b, y, signed, half);
    b.ins().imul(x, y)
}

/// `relaxed_madd` (`relaxed_nmadd` when `negate`): `x * y + z` (`-(x * y)
/// + z`), unfused, as the interpreter computes it.
pub(super) fn madd(
    b: &mut FunctionBuilder<'_>,
    x: Value,
    y: Value,
    z: Value,
    negate: bool,
) -> Value {
    let p = b.ins().fmul(x, y);
    let p = if negate { b.ins().fneg(p) } else { p };
    b.ins().fadd(p, z)
}
