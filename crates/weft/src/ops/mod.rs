//! Pure numeric semantics (§4.3 Numerics, §4.4.3 vector instructions): one
//! function per numeric and SIMD instruction of Wasm 2.0, shared by the
//! interpreter and any later tier.
//!
//! Each function is named after its mnemonic with `.` replaced by `_`
//! (`i32.add` is [`i32_add`]) and takes its operands in stack order; a lane
//! immediate is a trailing `lane: u8`. Types: `i32`, `i64`, Rust `f32` and
//! `f64`, and [`V128`]. Instructions that can trap return
//! `Result<T, TrapCode>`; [`IntoTrapResult`] lets generated code treat both
//! kinds alike. [`for_each_op!`] lists every instruction with its function.
//!
//! Trade-offs, explained once:
//! - Floats are Rust `f32`/`f64`. On the supported 64-bit targets moving a
//!   float never changes its bits (signalling NaNs included); 32-bit x86
//!   returns floats on the x87 stack, which quiets signalling NaNs, and is
//!   not supported for that reason.
//! - NaN results of IEEE arithmetic (`+ - * / sqrt`) come from the hardware:
//!   Rust guarantees a NaN result is either the preferred (canonical) NaN or
//!   a quieted input NaN, which is exactly the spec's `nans{...}` rule.
//!   Where the result is computed in software (rounding, min/max, demote,
//!   promote) NaNs are produced explicitly by [`float`]'s helpers.
//! - `abs`, `neg` and `copysign` are bit operations: they never touch a NaN
//!   payload (§4.3.3 `fabs`, `fneg`, `fcopysign`).
//! - Nothing here allocates or panics: lane immediates are masked to the
//!   lane count even though the validator already checked them.

mod convert;
mod float;
mod int;
mod simd;
#[cfg(all(test, feature = "wat"))]
mod spec_tests;
#[cfg(test)]
mod tests;

pub use convert::*;
pub use float::*;
pub use int::*;
pub use simd::*;

use crate::error::TrapCode;

/// Turns the result of an op, trapping or not, into a `Result`, so that
/// generated code can write `ops::f(a, b).into_trap_result()?` for every
/// instruction.
pub trait IntoTrapResult<T> {
    /// The value as `Ok`, or the `Result` unchanged.
    fn into_trap_result(self) -> Result<T, TrapCode>;
}

impl<T> IntoTrapResult<T> for Result<T, TrapCode> {
    #[inline(always)]
    fn into_trap_result(self) -> Result<T, TrapCode> {
        self
    }
}

macro_rules! plain_into_trap_result {
    ($($t:ty),*) => {$(
        impl IntoTrapResult<$t> for $t {
            #[inline(always)]
            fn into_trap_result(self) -> Result<$t, TrapCode> {
                Ok(self)
            }
        }
    )*};
}
plain_into_trap_result!(i32, i64, u64, f32, f64, V128);

/// A `v128` value. Lane `i` of an `N`-lane shape is bits `i*128/N ..
/// (i+1)*128/N` (little-endian lane order, as in memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct V128(pub u128);

impl From<weft_syntax::V128> for V128 {
    #[inline]
    fn from(v: weft_syntax::V128) -> Self {
        V128(u128::from_le_bytes(v.0))
    }
}

impl From<V128> for weft_syntax::V128 {
    #[inline]
    fn from(v: V128) -> Self {
        weft_syntax::V128(v.0.to_le_bytes())
    }
}

macro_rules! lane_helpers {
    ($($to:ident $from:ident $t:ty, $bits:ty, $n:literal, $w:literal;)*) => {
        impl V128 {
            $(
                #[doc = concat!("The ", stringify!($n), " lanes as `", stringify!($t), "`, lane 0 first.")]
                #[inline]
                pub fn $to(self) -> [$t; $n] {
                    core::array::from_fn(|i| {
                        <$t>::from_bits_compat((self.0 >> ($w * i)) as $bits)
                    })
                }

                #[doc = concat!("The value whose lanes are `", stringify!($t), "`s, lane 0 first.")]
                #[inline]
                pub fn $from(lanes: [$t; $n]) -> Self {
                    let mut r = 0u128;
                    let mut i = 0;
                    while i < $n {
                        r |= (lanes[i].to_bits_compat() as $bits as u128) << ($w * i);
                        i += 1;
                    }
                    V128(r)
                }
            )*
        }
    };
}

/// Bit-pattern conversions between a lane type and its unsigned integer of
/// the same width, so that one macro serves integer and float lanes.
trait LaneBits: Sized {
    type Bits;
    fn from_bits_compat(bits: Self::Bits) -> Self;
    fn to_bits_compat(self) -> Self::Bits;
}

macro_rules! lane_bits {
    ($($t:ty => $bits:ty, |$b:ident| $from:expr, |$s:ident| $to:expr;)*) => {$(
        impl LaneBits for $t {
            type Bits = $bits;
            #[inline(always)]
            fn from_bits_compat($b: $bits) -> Self {
                $from
            }
            #[inline(always)]
            fn to_bits_compat(self) -> $bits {
                let $s = self;
                $to
            }
        }
    )*};
}

lane_bits! {
    u8 => u8, |b| b, |s| s;
    i8 => u8, |b| b as i8, |s| s as u8;
    u16 => u16, |b| b, |s| s;
    i16 => u16, |b| b as i16, |s| s as u16;
    u32 => u32, |b| b, |s| s;
    i32 => u32, |b| b as i32, |s| s as u32;
    u64 => u64, |b| b, |s| s;
    i64 => u64, |b| b as i64, |s| s as u64;
    f32 => u32, |b| f32::from_bits(b), |s| s.to_bits();
    f64 => u64, |b| f64::from_bits(b), |s| s.to_bits();
}

lane_helpers! {
    to_u8x16 from_u8x16 u8, u8, 16, 8;
    to_i8x16 from_i8x16 i8, u8, 16, 8;
    to_u16x8 from_u16x8 u16, u16, 8, 16;
    to_i16x8 from_i16x8 i16, u16, 8, 16;
    to_u32x4 from_u32x4 u32, u32, 4, 32;
    to_i32x4 from_i32x4 i32, u32, 4, 32;
    to_u64x2 from_u64x2 u64, u64, 2, 64;
    to_i64x2 from_i64x2 i64, u64, 2, 64;
    to_f32x4 from_f32x4 f32, u32, 4, 32;
    to_f64x2 from_f64x2 f64, u64, 2, 64;
}

/// Invokes `$mac` with one row per instruction that has a function here:
/// `Variant function [lane N] (params -> results)`, where the lane part is
/// `[]` for instructions without a lane immediate. `i8x16.shuffle` (a
/// `(custom)` row of the table) is not listed; its function is
/// [`i8x16_shuffle`].
#[allow(unused_macros)] // the interpreter maps variants with `instr_fn!`; the tests use this
macro_rules! for_each_op {
    ($mac:ident) => {
        $mac! {
            I32Eqz i32_eqz [] (i32 -> i32)
            I32Eq i32_eq [] (i32 i32 -> i32)
            I32Ne i32_ne [] (i32 i32 -> i32)
            I32LtS i32_lt_s [] (i32 i32 -> i32)
            I32LtU i32_lt_u [] (i32 i32 -> i32)
            I32GtS i32_gt_s [] (i32 i32 -> i32)
            I32GtU i32_gt_u [] (i32 i32 -> i32)
            I32LeS i32_le_s [] (i32 i32 -> i32)
            I32LeU i32_le_u [] (i32 i32 -> i32)
            I32GeS i32_ge_s [] (i32 i32 -> i32)
            I32GeU i32_ge_u [] (i32 i32 -> i32)
            I64Eqz i64_eqz [] (i64 -> i32)
            I64Eq i64_eq [] (i64 i64 -> i32)
            I64Ne i64_ne [] (i64 i64 -> i32)
            I64LtS i64_lt_s [] (i64 i64 -> i32)
            I64LtU i64_lt_u [] (i64 i64 -> i32)
            I64GtS i64_gt_s [] (i64 i64 -> i32)
            I64GtU i64_gt_u [] (i64 i64 -> i32)
            I64LeS i64_le_s [] (i64 i64 -> i32)
            I64LeU i64_le_u [] (i64 i64 -> i32)
            I64GeS i64_ge_s [] (i64 i64 -> i32)
            I64GeU i64_ge_u [] (i64 i64 -> i32)
            F32Eq f32_eq [] (f32 f32 -> i32)
            F32Ne f32_ne [] (f32 f32 -> i32)
            F32Lt f32_lt [] (f32 f32 -> i32)
            F32Gt f32_gt [] (f32 f32 -> i32)
            F32Le f32_le [] (f32 f32 -> i32)
            F32Ge f32_ge [] (f32 f32 -> i32)
            F64Eq f64_eq [] (f64 f64 -> i32)
            F64Ne f64_ne [] (f64 f64 -> i32)
            F64Lt f64_lt [] (f64 f64 -> i32)
            F64Gt f64_gt [] (f64 f64 -> i32)
            F64Le f64_le [] (f64 f64 -> i32)
            F64Ge f64_ge [] (f64 f64 -> i32)
            I32Clz i32_clz [] (i32 -> i32)
            I32Ctz i32_ctz [] (i32 -> i32)
            I32Popcnt i32_popcnt [] (i32 -> i32)
            I32Add i32_add [] (i32 i32 -> i32)
            I32Sub i32_sub [] (i32 i32 -> i32)
            I32Mul i32_mul [] (i32 i32 -> i32)
            I32DivS i32_div_s [] (i32 i32 -> i32)
            I32DivU i32_div_u [] (i32 i32 -> i32)
            I32RemS i32_rem_s [] (i32 i32 -> i32)
            I32RemU i32_rem_u [] (i32 i32 -> i32)
            I32And i32_and [] (i32 i32 -> i32)
            I32Or i32_or [] (i32 i32 -> i32)
            I32Xor i32_xor [] (i32 i32 -> i32)
            I32Shl i32_shl [] (i32 i32 -> i32)
            I32ShrS i32_shr_s [] (i32 i32 -> i32)
            I32ShrU i32_shr_u [] (i32 i32 -> i32)
            I32Rotl i32_rotl [] (i32 i32 -> i32)
            I32Rotr i32_rotr [] (i32 i32 -> i32)
            I64Clz i64_clz [] (i64 -> i64)
            I64Ctz i64_ctz [] (i64 -> i64)
            I64Popcnt i64_popcnt [] (i64 -> i64)
            I64Add i64_add [] (i64 i64 -> i64)
            I64Sub i64_sub [] (i64 i64 -> i64)
            I64Mul i64_mul [] (i64 i64 -> i64)
            I64DivS i64_div_s [] (i64 i64 -> i64)
            I64DivU i64_div_u [] (i64 i64 -> i64)
            I64RemS i64_rem_s [] (i64 i64 -> i64)
            I64RemU i64_rem_u [] (i64 i64 -> i64)
            I64And i64_and [] (i64 i64 -> i64)
            I64Or i64_or [] (i64 i64 -> i64)
            I64Xor i64_xor [] (i64 i64 -> i64)
            I64Shl i64_shl [] (i64 i64 -> i64)
            I64ShrS i64_shr_s [] (i64 i64 -> i64)
            I64ShrU i64_shr_u [] (i64 i64 -> i64)
            I64Rotl i64_rotl [] (i64 i64 -> i64)
            I64Rotr i64_rotr [] (i64 i64 -> i64)
            F32Abs f32_abs [] (f32 -> f32)
            F32Neg f32_neg [] (f32 -> f32)
            F32Ceil f32_ceil [] (f32 -> f32)
            F32Floor f32_floor [] (f32 -> f32)
            F32Trunc f32_trunc [] (f32 -> f32)
            F32Nearest f32_nearest [] (f32 -> f32)
            F32Sqrt f32_sqrt [] (f32 -> f32)
            F32Add f32_add [] (f32 f32 -> f32)
            F32Sub f32_sub [] (f32 f32 -> f32)
            F32Mul f32_mul [] (f32 f32 -> f32)
            F32Div f32_div [] (f32 f32 -> f32)
            F32Min f32_min [] (f32 f32 -> f32)
            F32Max f32_max [] (f32 f32 -> f32)
            F32Copysign f32_copysign [] (f32 f32 -> f32)
            F64Abs f64_abs [] (f64 -> f64)
            F64Neg f64_neg [] (f64 -> f64)
            F64Ceil f64_ceil [] (f64 -> f64)
            F64Floor f64_floor [] (f64 -> f64)
            F64Trunc f64_trunc [] (f64 -> f64)
            F64Nearest f64_nearest [] (f64 -> f64)
            F64Sqrt f64_sqrt [] (f64 -> f64)
            F64Add f64_add [] (f64 f64 -> f64)
            F64Sub f64_sub [] (f64 f64 -> f64)
            F64Mul f64_mul [] (f64 f64 -> f64)
            F64Div f64_div [] (f64 f64 -> f64)
            F64Min f64_min [] (f64 f64 -> f64)
            F64Max f64_max [] (f64 f64 -> f64)
            F64Copysign f64_copysign [] (f64 f64 -> f64)
            I32WrapI64 i32_wrap_i64 [] (i64 -> i32)
            I32TruncF32S i32_trunc_f32_s [] (f32 -> i32)
            I32TruncF32U i32_trunc_f32_u [] (f32 -> i32)
            I32TruncF64S i32_trunc_f64_s [] (f64 -> i32)
            I32TruncF64U i32_trunc_f64_u [] (f64 -> i32)
            I64ExtendI32S i64_extend_i32_s [] (i32 -> i64)
            I64ExtendI32U i64_extend_i32_u [] (i32 -> i64)
            I64TruncF32S i64_trunc_f32_s [] (f32 -> i64)
            I64TruncF32U i64_trunc_f32_u [] (f32 -> i64)
            I64TruncF64S i64_trunc_f64_s [] (f64 -> i64)
            I64TruncF64U i64_trunc_f64_u [] (f64 -> i64)
            F32ConvertI32S f32_convert_i32_s [] (i32 -> f32)
            F32ConvertI32U f32_convert_i32_u [] (i32 -> f32)
            F32ConvertI64S f32_convert_i64_s [] (i64 -> f32)
            F32ConvertI64U f32_convert_i64_u [] (i64 -> f32)
            F32DemoteF64 f32_demote_f64 [] (f64 -> f32)
            F64ConvertI32S f64_convert_i32_s [] (i32 -> f64)
            F64ConvertI32U f64_convert_i32_u [] (i32 -> f64)
            F64ConvertI64S f64_convert_i64_s [] (i64 -> f64)
            F64ConvertI64U f64_convert_i64_u [] (i64 -> f64)
            F64PromoteF32 f64_promote_f32 [] (f32 -> f64)
            I32ReinterpretF32 i32_reinterpret_f32 [] (f32 -> i32)
            I64ReinterpretF64 i64_reinterpret_f64 [] (f64 -> i64)
            F32ReinterpretI32 f32_reinterpret_i32 [] (i32 -> f32)
            F64ReinterpretI64 f64_reinterpret_i64 [] (i64 -> f64)
            I32Extend8S i32_extend8_s [] (i32 -> i32)
            I32Extend16S i32_extend16_s [] (i32 -> i32)
            I64Extend8S i64_extend8_s [] (i64 -> i64)
            I64Extend16S i64_extend16_s [] (i64 -> i64)
            I64Extend32S i64_extend32_s [] (i64 -> i64)
            I32TruncSatF32S i32_trunc_sat_f32_s [] (f32 -> i32)
            I32TruncSatF32U i32_trunc_sat_f32_u [] (f32 -> i32)
            I32TruncSatF64S i32_trunc_sat_f64_s [] (f64 -> i32)
            I32TruncSatF64U i32_trunc_sat_f64_u [] (f64 -> i32)
            I64TruncSatF32S i64_trunc_sat_f32_s [] (f32 -> i64)
            I64TruncSatF32U i64_trunc_sat_f32_u [] (f32 -> i64)
            I64TruncSatF64S i64_trunc_sat_f64_s [] (f64 -> i64)
            I64TruncSatF64U i64_trunc_sat_f64_u [] (f64 -> i64)
            I8x16Swizzle i8x16_swizzle [] (v128 v128 -> v128)
            I8x16Splat i8x16_splat [] (i32 -> v128)
            I16x8Splat i16x8_splat [] (i32 -> v128)
            I32x4Splat i32x4_splat [] (i32 -> v128)
            I64x2Splat i64x2_splat [] (i64 -> v128)
            F32x4Splat f32x4_splat [] (f32 -> v128)
            F64x2Splat f64x2_splat [] (f64 -> v128)
            I8x16ExtractLaneS i8x16_extract_lane_s [lane 16] (v128 -> i32)
            I8x16ExtractLaneU i8x16_extract_lane_u [lane 16] (v128 -> i32)
            I8x16ReplaceLane i8x16_replace_lane [lane 16] (v128 i32 -> v128)
            I16x8ExtractLaneS i16x8_extract_lane_s [lane 8] (v128 -> i32)
            I16x8ExtractLaneU i16x8_extract_lane_u [lane 8] (v128 -> i32)
            I16x8ReplaceLane i16x8_replace_lane [lane 8] (v128 i32 -> v128)
            I32x4ExtractLane i32x4_extract_lane [lane 4] (v128 -> i32)
            I32x4ReplaceLane i32x4_replace_lane [lane 4] (v128 i32 -> v128)
            I64x2ExtractLane i64x2_extract_lane [lane 2] (v128 -> i64)
            I64x2ReplaceLane i64x2_replace_lane [lane 2] (v128 i64 -> v128)
            F32x4ExtractLane f32x4_extract_lane [lane 4] (v128 -> f32)
            F32x4ReplaceLane f32x4_replace_lane [lane 4] (v128 f32 -> v128)
            F64x2ExtractLane f64x2_extract_lane [lane 2] (v128 -> f64)
            F64x2ReplaceLane f64x2_replace_lane [lane 2] (v128 f64 -> v128)
            I8x16Eq i8x16_eq [] (v128 v128 -> v128)
            I8x16Ne i8x16_ne [] (v128 v128 -> v128)
            I8x16LtS i8x16_lt_s [] (v128 v128 -> v128)
            I8x16LtU i8x16_lt_u [] (v128 v128 -> v128)
            I8x16GtS i8x16_gt_s [] (v128 v128 -> v128)
            I8x16GtU i8x16_gt_u [] (v128 v128 -> v128)
            I8x16LeS i8x16_le_s [] (v128 v128 -> v128)
            I8x16LeU i8x16_le_u [] (v128 v128 -> v128)
            I8x16GeS i8x16_ge_s [] (v128 v128 -> v128)
            I8x16GeU i8x16_ge_u [] (v128 v128 -> v128)
            I16x8Eq i16x8_eq [] (v128 v128 -> v128)
            I16x8Ne i16x8_ne [] (v128 v128 -> v128)
            I16x8LtS i16x8_lt_s [] (v128 v128 -> v128)
            I16x8LtU i16x8_lt_u [] (v128 v128 -> v128)
            I16x8GtS i16x8_gt_s [] (v128 v128 -> v128)
            I16x8GtU i16x8_gt_u [] (v128 v128 -> v128)
            I16x8LeS i16x8_le_s [] (v128 v128 -> v128)
            I16x8LeU i16x8_le_u [] (v128 v128 -> v128)
            I16x8GeS i16x8_ge_s [] (v128 v128 -> v128)
            I16x8GeU i16x8_ge_u [] (v128 v128 -> v128)
            I32x4Eq i32x4_eq [] (v128 v128 -> v128)
            I32x4Ne i32x4_ne [] (v128 v128 -> v128)
            I32x4LtS i32x4_lt_s [] (v128 v128 -> v128)
            I32x4LtU i32x4_lt_u [] (v128 v128 -> v128)
            I32x4GtS i32x4_gt_s [] (v128 v128 -> v128)
            I32x4GtU i32x4_gt_u [] (v128 v128 -> v128)
            I32x4LeS i32x4_le_s [] (v128 v128 -> v128)
            I32x4LeU i32x4_le_u [] (v128 v128 -> v128)
            I32x4GeS i32x4_ge_s [] (v128 v128 -> v128)
            I32x4GeU i32x4_ge_u [] (v128 v128 -> v128)
            F32x4Eq f32x4_eq [] (v128 v128 -> v128)
            F32x4Ne f32x4_ne [] (v128 v128 -> v128)
            F32x4Lt f32x4_lt [] (v128 v128 -> v128)
            F32x4Gt f32x4_gt [] (v128 v128 -> v128)
            F32x4Le f32x4_le [] (v128 v128 -> v128)
            F32x4Ge f32x4_ge [] (v128 v128 -> v128)
            F64x2Eq f64x2_eq [] (v128 v128 -> v128)
            F64x2Ne f64x2_ne [] (v128 v128 -> v128)
            F64x2Lt f64x2_lt [] (v128 v128 -> v128)
            F64x2Gt f64x2_gt [] (v128 v128 -> v128)
            F64x2Le f64x2_le [] (v128 v128 -> v128)
            F64x2Ge f64x2_ge [] (v128 v128 -> v128)
            V128Not v128_not [] (v128 -> v128)
            V128And v128_and [] (v128 v128 -> v128)
            V128AndNot v128_andnot [] (v128 v128 -> v128)
            V128Or v128_or [] (v128 v128 -> v128)
            V128Xor v128_xor [] (v128 v128 -> v128)
            V128Bitselect v128_bitselect [] (v128 v128 v128 -> v128)
            V128AnyTrue v128_any_true [] (v128 -> i32)
            F32x4DemoteF64x2Zero f32x4_demote_f64x2_zero [] (v128 -> v128)
            F64x2PromoteLowF32x4 f64x2_promote_low_f32x4 [] (v128 -> v128)
            I8x16Abs i8x16_abs [] (v128 -> v128)
            I8x16Neg i8x16_neg [] (v128 -> v128)
            I8x16Popcnt i8x16_popcnt [] (v128 -> v128)
            I8x16AllTrue i8x16_all_true [] (v128 -> i32)
            I8x16Bitmask i8x16_bitmask [] (v128 -> i32)
            I8x16NarrowI16x8S i8x16_narrow_i16x8_s [] (v128 v128 -> v128)
            I8x16NarrowI16x8U i8x16_narrow_i16x8_u [] (v128 v128 -> v128)
            F32x4Ceil f32x4_ceil [] (v128 -> v128)
            F32x4Floor f32x4_floor [] (v128 -> v128)
            F32x4Trunc f32x4_trunc [] (v128 -> v128)
            F32x4Nearest f32x4_nearest [] (v128 -> v128)
            I8x16Shl i8x16_shl [] (v128 i32 -> v128)
            I8x16ShrS i8x16_shr_s [] (v128 i32 -> v128)
            I8x16ShrU i8x16_shr_u [] (v128 i32 -> v128)
            I8x16Add i8x16_add [] (v128 v128 -> v128)
            I8x16AddSatS i8x16_add_sat_s [] (v128 v128 -> v128)
            I8x16AddSatU i8x16_add_sat_u [] (v128 v128 -> v128)
            I8x16Sub i8x16_sub [] (v128 v128 -> v128)
            I8x16SubSatS i8x16_sub_sat_s [] (v128 v128 -> v128)
            I8x16SubSatU i8x16_sub_sat_u [] (v128 v128 -> v128)
            F64x2Ceil f64x2_ceil [] (v128 -> v128)
            F64x2Floor f64x2_floor [] (v128 -> v128)
            I8x16MinS i8x16_min_s [] (v128 v128 -> v128)
            I8x16MinU i8x16_min_u [] (v128 v128 -> v128)
            I8x16MaxS i8x16_max_s [] (v128 v128 -> v128)
            I8x16MaxU i8x16_max_u [] (v128 v128 -> v128)
            F64x2Trunc f64x2_trunc [] (v128 -> v128)
            I8x16AvgrU i8x16_avgr_u [] (v128 v128 -> v128)
            I16x8ExtAddPairwiseI8x16S i16x8_extadd_pairwise_i8x16_s [] (v128 -> v128)
            I16x8ExtAddPairwiseI8x16U i16x8_extadd_pairwise_i8x16_u [] (v128 -> v128)
            I32x4ExtAddPairwiseI16x8S i32x4_extadd_pairwise_i16x8_s [] (v128 -> v128)
            I32x4ExtAddPairwiseI16x8U i32x4_extadd_pairwise_i16x8_u [] (v128 -> v128)
            I16x8Abs i16x8_abs [] (v128 -> v128)
            I16x8Neg i16x8_neg [] (v128 -> v128)
            I16x8Q15MulrSatS i16x8_q15mulr_sat_s [] (v128 v128 -> v128)
            I16x8AllTrue i16x8_all_true [] (v128 -> i32)
            I16x8Bitmask i16x8_bitmask [] (v128 -> i32)
            I16x8NarrowI32x4S i16x8_narrow_i32x4_s [] (v128 v128 -> v128)
            I16x8NarrowI32x4U i16x8_narrow_i32x4_u [] (v128 v128 -> v128)
            I16x8ExtendLowI8x16S i16x8_extend_low_i8x16_s [] (v128 -> v128)
            I16x8ExtendHighI8x16S i16x8_extend_high_i8x16_s [] (v128 -> v128)
            I16x8ExtendLowI8x16U i16x8_extend_low_i8x16_u [] (v128 -> v128)
            I16x8ExtendHighI8x16U i16x8_extend_high_i8x16_u [] (v128 -> v128)
            I16x8Shl i16x8_shl [] (v128 i32 -> v128)
            I16x8ShrS i16x8_shr_s [] (v128 i32 -> v128)
            I16x8ShrU i16x8_shr_u [] (v128 i32 -> v128)
            I16x8Add i16x8_add [] (v128 v128 -> v128)
            I16x8AddSatS i16x8_add_sat_s [] (v128 v128 -> v128)
            I16x8AddSatU i16x8_add_sat_u [] (v128 v128 -> v128)
            I16x8Sub i16x8_sub [] (v128 v128 -> v128)
            I16x8SubSatS i16x8_sub_sat_s [] (v128 v128 -> v128)
            I16x8SubSatU i16x8_sub_sat_u [] (v128 v128 -> v128)
            F64x2Nearest f64x2_nearest [] (v128 -> v128)
            I16x8Mul i16x8_mul [] (v128 v128 -> v128)
            I16x8MinS i16x8_min_s [] (v128 v128 -> v128)
            I16x8MinU i16x8_min_u [] (v128 v128 -> v128)
            I16x8MaxS i16x8_max_s [] (v128 v128 -> v128)
            I16x8MaxU i16x8_max_u [] (v128 v128 -> v128)
            I16x8AvgrU i16x8_avgr_u [] (v128 v128 -> v128)
            I16x8ExtMulLowI8x16S i16x8_extmul_low_i8x16_s [] (v128 v128 -> v128)
            I16x8ExtMulHighI8x16S i16x8_extmul_high_i8x16_s [] (v128 v128 -> v128)
            I16x8ExtMulLowI8x16U i16x8_extmul_low_i8x16_u [] (v128 v128 -> v128)
            I16x8ExtMulHighI8x16U i16x8_extmul_high_i8x16_u [] (v128 v128 -> v128)
            I32x4Abs i32x4_abs [] (v128 -> v128)
            I32x4Neg i32x4_neg [] (v128 -> v128)
            I32x4AllTrue i32x4_all_true [] (v128 -> i32)
            I32x4Bitmask i32x4_bitmask [] (v128 -> i32)
            I32x4ExtendLowI16x8S i32x4_extend_low_i16x8_s [] (v128 -> v128)
            I32x4ExtendHighI16x8S i32x4_extend_high_i16x8_s [] (v128 -> v128)
            I32x4ExtendLowI16x8U i32x4_extend_low_i16x8_u [] (v128 -> v128)
            I32x4ExtendHighI16x8U i32x4_extend_high_i16x8_u [] (v128 -> v128)
            I32x4Shl i32x4_shl [] (v128 i32 -> v128)
            I32x4ShrS i32x4_shr_s [] (v128 i32 -> v128)
            I32x4ShrU i32x4_shr_u [] (v128 i32 -> v128)
            I32x4Add i32x4_add [] (v128 v128 -> v128)
            I32x4Sub i32x4_sub [] (v128 v128 -> v128)
            I32x4Mul i32x4_mul [] (v128 v128 -> v128)
            I32x4MinS i32x4_min_s [] (v128 v128 -> v128)
            I32x4MinU i32x4_min_u [] (v128 v128 -> v128)
            I32x4MaxS i32x4_max_s [] (v128 v128 -> v128)
            I32x4MaxU i32x4_max_u [] (v128 v128 -> v128)
            I32x4DotI16x8S i32x4_dot_i16x8_s [] (v128 v128 -> v128)
            I32x4ExtMulLowI16x8S i32x4_extmul_low_i16x8_s [] (v128 v128 -> v128)
            I32x4ExtMulHighI16x8S i32x4_extmul_high_i16x8_s [] (v128 v128 -> v128)
            I32x4ExtMulLowI16x8U i32x4_extmul_low_i16x8_u [] (v128 v128 -> v128)
            I32x4ExtMulHighI16x8U i32x4_extmul_high_i16x8_u [] (v128 v128 -> v128)
            I64x2Abs i64x2_abs [] (v128 -> v128)
            I64x2Neg i64x2_neg [] (v128 -> v128)
            I64x2AllTrue i64x2_all_true [] (v128 -> i32)
            I64x2Bitmask i64x2_bitmask [] (v128 -> i32)
            I64x2ExtendLowI32x4S i64x2_extend_low_i32x4_s [] (v128 -> v128)
            I64x2ExtendHighI32x4S i64x2_extend_high_i32x4_s [] (v128 -> v128)
            I64x2ExtendLowI32x4U i64x2_extend_low_i32x4_u [] (v128 -> v128)
            I64x2ExtendHighI32x4U i64x2_extend_high_i32x4_u [] (v128 -> v128)
            I64x2Shl i64x2_shl [] (v128 i32 -> v128)
            I64x2ShrS i64x2_shr_s [] (v128 i32 -> v128)
            I64x2ShrU i64x2_shr_u [] (v128 i32 -> v128)
            I64x2Add i64x2_add [] (v128 v128 -> v128)
            I64x2Sub i64x2_sub [] (v128 v128 -> v128)
            I64x2Mul i64x2_mul [] (v128 v128 -> v128)
            I64x2Eq i64x2_eq [] (v128 v128 -> v128)
            I64x2Ne i64x2_ne [] (v128 v128 -> v128)
            I64x2LtS i64x2_lt_s [] (v128 v128 -> v128)
            I64x2GtS i64x2_gt_s [] (v128 v128 -> v128)
            I64x2LeS i64x2_le_s [] (v128 v128 -> v128)
            I64x2GeS i64x2_ge_s [] (v128 v128 -> v128)
            I64x2ExtMulLowI32x4S i64x2_extmul_low_i32x4_s [] (v128 v128 -> v128)
            I64x2ExtMulHighI32x4S i64x2_extmul_high_i32x4_s [] (v128 v128 -> v128)
            I64x2ExtMulLowI32x4U i64x2_extmul_low_i32x4_u [] (v128 v128 -> v128)
            I64x2ExtMulHighI32x4U i64x2_extmul_high_i32x4_u [] (v128 v128 -> v128)
            F32x4Abs f32x4_abs [] (v128 -> v128)
            F32x4Neg f32x4_neg [] (v128 -> v128)
            F32x4Sqrt f32x4_sqrt [] (v128 -> v128)
            F32x4Add f32x4_add [] (v128 v128 -> v128)
            F32x4Sub f32x4_sub [] (v128 v128 -> v128)
            F32x4Mul f32x4_mul [] (v128 v128 -> v128)
            F32x4Div f32x4_div [] (v128 v128 -> v128)
            F32x4Min f32x4_min [] (v128 v128 -> v128)
            F32x4Max f32x4_max [] (v128 v128 -> v128)
            F32x4PMin f32x4_pmin [] (v128 v128 -> v128)
            F32x4PMax f32x4_pmax [] (v128 v128 -> v128)
            F64x2Abs f64x2_abs [] (v128 -> v128)
            F64x2Neg f64x2_neg [] (v128 -> v128)
            F64x2Sqrt f64x2_sqrt [] (v128 -> v128)
            F64x2Add f64x2_add [] (v128 v128 -> v128)
            F64x2Sub f64x2_sub [] (v128 v128 -> v128)
            F64x2Mul f64x2_mul [] (v128 v128 -> v128)
            F64x2Div f64x2_div [] (v128 v128 -> v128)
            F64x2Min f64x2_min [] (v128 v128 -> v128)
            F64x2Max f64x2_max [] (v128 v128 -> v128)
            F64x2PMin f64x2_pmin [] (v128 v128 -> v128)
            F64x2PMax f64x2_pmax [] (v128 v128 -> v128)
            I32x4TruncSatF32x4S i32x4_trunc_sat_f32x4_s [] (v128 -> v128)
            I32x4TruncSatF32x4U i32x4_trunc_sat_f32x4_u [] (v128 -> v128)
            F32x4ConvertI32x4S f32x4_convert_i32x4_s [] (v128 -> v128)
            F32x4ConvertI32x4U f32x4_convert_i32x4_u [] (v128 -> v128)
            I32x4TruncSatF64x2SZero i32x4_trunc_sat_f64x2_s_zero [] (v128 -> v128)
            I32x4TruncSatF64x2UZero i32x4_trunc_sat_f64x2_u_zero [] (v128 -> v128)
            F64x2ConvertLowI32x4S f64x2_convert_low_i32x4_s [] (v128 -> v128)
            F64x2ConvertLowI32x4U f64x2_convert_low_i32x4_u [] (v128 -> v128)
        }
    };
}
#[allow(unused_imports)] // as for the macro itself
pub(crate) use for_each_op;
