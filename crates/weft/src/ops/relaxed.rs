//! Relaxed SIMD (Wasm 3.0, §4.3.2 "relaxed" operators): each instruction
//! may give one of a few results, chosen by the implementation. Weft
//! always gives the first one the spec lists, which is the result of the
//! spec's deterministic profile, so that every tier and every host agree:
//!
//! - `i8x16.relaxed_swizzle`: `i8x16.swizzle` (an index above 15 gives 0);
//! - `i32x4.relaxed_trunc_*`: the saturating conversions (`trunc_sat`:
//!   NaN gives 0, out-of-range values saturate);
//! - `*.relaxed_madd` / `relaxed_nmadd`: unfused, `±(a * b) + c` with two
//!   roundings;
//! - `*.relaxed_laneselect`: `v128.bitselect` (bit by bit on the mask);
//! - `*.relaxed_min` / `relaxed_max`: `f32x4.min` and so on (NaN and
//!   signed-zero rules of the non-relaxed instructions);
//! - `i16x8.relaxed_q15mulr_s`: `i16x8.q15mulr_sat_s`;
//! - `relaxed_dot_i8x16_i7x16`: both operands' lanes signed, the pairwise
//!   i16 sums wrapping.

use super::*;

/// `i8x16.relaxed_swizzle`: `i8x16.swizzle`.
#[inline]
pub fn i8x16_relaxed_swizzle(a: V128, s: V128) -> V128 {
    i8x16_swizzle(a, s)
}

/// `i32x4.relaxed_trunc_f32x4_s`: `i32x4.trunc_sat_f32x4_s`.
#[inline]
pub fn i32x4_relaxed_trunc_f32x4_s(a: V128) -> V128 {
    i32x4_trunc_sat_f32x4_s(a)
}

/// `i32x4.relaxed_trunc_f32x4_u`: `i32x4.trunc_sat_f32x4_u`.
#[inline]
pub fn i32x4_relaxed_trunc_f32x4_u(a: V128) -> V128 {
    i32x4_trunc_sat_f32x4_u(a)
}

/// `i32x4.relaxed_trunc_f64x2_s_zero`: `i32x4.trunc_sat_f64x2_s_zero`.
#[inline]
pub fn i32x4_relaxed_trunc_f64x2_s_zero(a: V128) -> V128 {
    i32x4_trunc_sat_f64x2_s_zero(a)
}

/// `i32x4.relaxed_trunc_f64x2_u_zero`: `i32x4.trunc_sat_f64x2_u_zero`.
#[inline]
pub fn i32x4_relaxed_trunc_f64x2_u_zero(a: V128) -> V128 {
    i32x4_trunc_sat_f64x2_u_zero(a)
}

/// `f32x4.relaxed_madd`: `a * b + c`, unfused.
#[inline]
pub fn f32x4_relaxed_madd(a: V128, b: V128, c: V128) -> V128 {
    f32x4_add(f32x4_mul(a, b), c)
}

/// `f32x4.relaxed_nmadd`: `-(a * b) + c`, unfused.
#[inline]
pub fn f32x4_relaxed_nmadd(a: V128, b: V128, c: V128) -> V128 {
    f32x4_add(f32x4_neg(f32x4_mul(a, b)), c)
}

/// `f64x2.relaxed_madd`: `a * b + c`, unfused.
#[inline]
pub fn f64x2_relaxed_madd(a: V128, b: V128, c: V128) -> V128 {
    f64x2_add(f64x2_mul(a, b), c)
}

/// `f64x2.relaxed_nmadd`: `-(a * b) + c`, unfused.
#[inline]
pub fn f64x2_relaxed_nmadd(a: V128, b: V128, c: V128) -> V128 {
    f64x2_add(f64x2_neg(f64x2_mul(a, b)), c)
}

/// `i8x16.relaxed_laneselect`: `v128.bitselect`.
#[inline]
pub fn i8x16_relaxed_laneselect(a: V128, b: V128, m: V128) -> V128 {
    v128_bitselect(a, b, m)
}

/// `i16x8.relaxed_laneselect`: `v128.bitselect`.
#[inline]
pub fn i16x8_relaxed_laneselect(a: V128, b: V128, m: V128) -> V128 {
    v128_bitselect(a, b, m)
}

/// `i32x4.relaxed_laneselect`: `v128.bitselect`.
#[inline]
pub fn i32x4_relaxed_laneselect(a: V128, b: V128, m: V128) -> V128 {
    v128_bitselect(a, b, m)
}

/// `i64x2.relaxed_laneselect`: `v128.bitselect`.
#[inline]
pub fn i64x2_relaxed_laneselect(a: V128, b: V128, m: V128) -> V128 {
    v128_bitselect(a, b, m)
}

/// `f32x4.relaxed_min`: `f32x4.min`.
#[inline]
pub fn f32x4_relaxed_min(a: V128, b: V128) -> V128 {
    f32x4_min(a, b)
}

/// `f32x4.relaxed_max`: `f32x4.max`.
#[inline]
pub fn f32x4_relaxed_max(a: V128, b: V128) -> V128 {
    f32x4_max(a, b)
}

/// `f64x2.relaxed_min`: `f64x2.min`.
#[inline]
pub fn f64x2_relaxed_min(a: V128, b: V128) -> V128 {
    f64x2_min(a, b)
}

/// `f64x2.relaxed_max`: `f64x2.max`.
#[inline]
pub fn f64x2_relaxed_max(a: V128, b: V128) -> V128 {
    f64x2_max(a, b)
}

/// `i16x8.relaxed_q15mulr_s`: `i16x8.q15mulr_sat_s`.
#[inline]
pub fn i16x8_relaxed_q15mulr_s(a: V128, b: V128) -> V128 {
    i16x8_q15mulr_sat_s(a, b)
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`: the sums of adjacent products of
/// signed 8-bit lanes, wrapped to 16 bits.
#[inline]
pub fn i16x8_relaxed_dot_i8x16_i7x16_s(a: V128, b: V128) -> V128 {
    let (a, b) = (a.to_i8x16(), b.to_i8x16());
    let mut r = [0i16; 8];
    for (i, r) in r.iter_mut().enumerate() {
        let p = |j: usize| i16::from(a[j]).wrapping_mul(i16::from(b[j]));
        *r = p(2 * i).wrapping_add(p(2 * i + 1));
    }
    V128::from_i16x8(r)
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s`: the 16-bit sums of
/// [`i16x8_relaxed_dot_i8x16_i7x16_s`], added in adjacent pairs as 32-bit
/// values, plus `c`.
#[inline]
pub fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: V128, b: V128, c: V128) -> V128 {
    let d = i16x8_relaxed_dot_i8x16_i7x16_s(a, b).to_i16x8();
    let c = c.to_i32x4();
    let mut r = [0i32; 4];
    for (i, r) in r.iter_mut().enumerate() {
        *r = (i32::from(d[2 * i]) + i32::from(d[2 * i + 1])).wrapping_add(c[i]);
    }
    V128::from_i32x4(r)
}
