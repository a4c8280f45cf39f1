//! Vector instructions (§4.4.3 Vector Instructions, with the lane-wise
//! numerics of §4.3): every `v128`, `i8x16`, `i16x8`, `i32x4`, `i64x2`,
//! `f32x4` and `f64x2` instruction that does not access memory.
//!
//! Lane-wise float ops reuse the scalar functions, so they have exactly the
//! scalar NaN, signed-zero and rounding behaviour. Lane indices (`lane`
//! immediates, `swizzle` and `shuffle` selectors) are masked to the lane
//! count, so no input can index out of bounds.

use super::{
    f32_abs, f32_add, f32_ceil, f32_demote_f64, f32_div, f32_floor, f32_max, f32_min, f32_mul,
    f32_nearest, f32_neg, f32_sqrt, f32_sub, f32_trunc, f64_abs, f64_add, f64_ceil, f64_div,
    f64_floor, f64_max, f64_min, f64_mul, f64_nearest, f64_neg, f64_promote_f32, f64_sqrt, f64_sub,
    f64_trunc, V128,
};

/// `f(a[i])` for every lane.
#[inline(always)]
fn map<T: Copy, U, const N: usize>(a: [T; N], f: impl Fn(T) -> U) -> [U; N] {
    a.map(f)
}

/// `f(a[i], b[i])` for every lane.
#[inline(always)]
fn zip<T: Copy, U, const N: usize>(a: [T; N], b: [T; N], f: impl Fn(T, T) -> U) -> [U; N] {
    core::array::from_fn(|i| f(a[i], b[i]))
}

// ---------------------------------------------------------------------------
// v128 bitwise operations.

/// `v128.not`: bitwise complement.
#[inline]
pub fn v128_not(a: V128) -> V128 {
    V128(!a.0)
}

/// `v128.and`: bitwise and.
#[inline]
pub fn v128_and(a: V128, b: V128) -> V128 {
    V128(a.0 & b.0)
}

/// `v128.andnot`: `a & !b`.
#[inline]
pub fn v128_andnot(a: V128, b: V128) -> V128 {
    V128(a.0 & !b.0)
}

/// `v128.or`: bitwise or.
#[inline]
pub fn v128_or(a: V128, b: V128) -> V128 {
    V128(a.0 | b.0)
}

/// `v128.xor`: bitwise exclusive or.
#[inline]
pub fn v128_xor(a: V128, b: V128) -> V128 {
    V128(a.0 ^ b.0)
}

/// `v128.bitselect`: the bits of `a` where `mask` is 1, of `b` where it is 0.
#[inline]
pub fn v128_bitselect(a: V128, b: V128, mask: V128) -> V128 {
    V128((a.0 & mask.0) | (b.0 & !mask.0))
}

/// `v128.any_true`: 1 if any bit is set.
#[inline]
pub fn v128_any_true(a: V128) -> i32 {
    (a.0 != 0) as i32
}

// ---------------------------------------------------------------------------
// Splat, extract and replace lane, swizzle and shuffle.

/// `i8x16.splat`: the low 8 bits of `x` in every lane.
#[inline]
pub fn i8x16_splat(x: i32) -> V128 {
    V128(u128::from(x as u8) * (u128::MAX / 0xFF))
}

/// `i16x8.splat`: the low 16 bits of `x` in every lane.
#[inline]
pub fn i16x8_splat(x: i32) -> V128 {
    V128(u128::from(x as u16) * (u128::MAX / 0xFFFF))
}

/// `i32x4.splat`: `x` in every lane.
#[inline]
pub fn i32x4_splat(x: i32) -> V128 {
    V128(u128::from(x as u32) * (u128::MAX / 0xFFFF_FFFF))
}

/// `i64x2.splat`: `x` in every lane.
#[inline]
pub fn i64x2_splat(x: i64) -> V128 {
    V128(u128::from(x as u64) * (u128::MAX / 0xFFFF_FFFF_FFFF_FFFF))
}

/// `f32x4.splat`: `x` (its bits) in every lane.
#[inline]
pub fn f32x4_splat(x: f32) -> V128 {
    i32x4_splat(x.to_bits() as i32)
}

/// `f64x2.splat`: `x` (its bits) in every lane.
#[inline]
pub fn f64x2_splat(x: f64) -> V128 {
    i64x2_splat(x.to_bits() as i64)
}

/// The bits of lane `lane % (128 / width)` of `a`, in the low bits.
#[inline(always)]
fn lane_bits(a: V128, lane: u8, width: u32) -> u128 {
    let lanes = 128 / width;
    a.0 >> ((u32::from(lane) % lanes) * width)
}

/// `a` with lane `lane % (128 / width)` replaced by the low `width` bits of
/// `x`.
#[inline(always)]
fn with_lane_bits(a: V128, lane: u8, width: u32, x: u128) -> V128 {
    let lanes = 128 / width;
    let shift = (u32::from(lane) % lanes) * width;
    let mask = (u128::MAX >> (128 - width)) << shift;
    V128((a.0 & !mask) | ((x << shift) & mask))
}

/// `i8x16.extract_lane_s`: lane `lane`, sign-extended.
#[inline]
pub fn i8x16_extract_lane_s(a: V128, lane: u8) -> i32 {
    lane_bits(a, lane, 8) as i8 as i32
}

/// `i8x16.extract_lane_u`: lane `lane`, zero-extended.
#[inline]
pub fn i8x16_extract_lane_u(a: V128, lane: u8) -> i32 {
    lane_bits(a, lane, 8) as u8 as i32
}

/// `i16x8.extract_lane_s`: lane `lane`, sign-extended.
#[inline]
pub fn i16x8_extract_lane_s(a: V128, lane: u8) -> i32 {
    lane_bits(a, lane, 16) as i16 as i32
}

/// `i16x8.extract_lane_u`: lane `lane`, zero-extended.
#[inline]
pub fn i16x8_extract_lane_u(a: V128, lane: u8) -> i32 {
    lane_bits(a, lane, 16) as u16 as i32
}

/// `i32x4.extract_lane`: lane `lane`.
#[inline]
pub fn i32x4_extract_lane(a: V128, lane: u8) -> i32 {
    lane_bits(a, lane, 32) as i32
}

/// `i64x2.extract_lane`: lane `lane`.
#[inline]
pub fn i64x2_extract_lane(a: V128, lane: u8) -> i64 {
    lane_bits(a, lane, 64) as i64
}

/// `f32x4.extract_lane`: lane `lane` (its bits, NaN payloads kept).
#[inline]
pub fn f32x4_extract_lane(a: V128, lane: u8) -> f32 {
    f32::from_bits(lane_bits(a, lane, 32) as u32)
}

/// `f64x2.extract_lane`: lane `lane` (its bits, NaN payloads kept).
#[inline]
pub fn f64x2_extract_lane(a: V128, lane: u8) -> f64 {
    f64::from_bits(lane_bits(a, lane, 64) as u64)
}

/// `i8x16.replace_lane`: `a` with lane `lane` set to the low 8 bits of `x`.
#[inline]
pub fn i8x16_replace_lane(a: V128, x: i32, lane: u8) -> V128 {
    with_lane_bits(a, lane, 8, u128::from(x as u8))
}

/// `i16x8.replace_lane`: `a` with lane `lane` set to the low 16 bits of `x`.
#[inline]
pub fn i16x8_replace_lane(a: V128, x: i32, lane: u8) -> V128 {
    with_lane_bits(a, lane, 16, u128::from(x as u16))
}

/// `i32x4.replace_lane`: `a` with lane `lane` set to `x`.
#[inline]
pub fn i32x4_replace_lane(a: V128, x: i32, lane: u8) -> V128 {
    with_lane_bits(a, lane, 32, u128::from(x as u32))
}

/// `i64x2.replace_lane`: `a` with lane `lane` set to `x`.
#[inline]
pub fn i64x2_replace_lane(a: V128, x: i64, lane: u8) -> V128 {
    with_lane_bits(a, lane, 64, u128::from(x as u64))
}

/// `f32x4.replace_lane`: `a` with lane `lane` set to the bits of `x`.
#[inline]
pub fn f32x4_replace_lane(a: V128, x: f32, lane: u8) -> V128 {
    with_lane_bits(a, lane, 32, u128::from(x.to_bits()))
}

/// `f64x2.replace_lane`: `a` with lane `lane` set to the bits of `x`.
#[inline]
pub fn f64x2_replace_lane(a: V128, x: f64, lane: u8) -> V128 {
    with_lane_bits(a, lane, 64, u128::from(x.to_bits()))
}

/// `i8x16.swizzle`: lane `i` is `a[s[i]]`, or 0 where `s[i] >= 16`.
#[inline]
pub fn i8x16_swizzle(a: V128, s: V128) -> V128 {
    let a = a.to_u8x16();
    V128::from_u8x16(map(s.to_u8x16(), |k| {
        if k < 16 {
            a[usize::from(k & 15)]
        } else {
            0
        }
    }))
}

/// `i8x16.shuffle`: lane `i` is lane `lanes[i]` of the 32 lanes of `a`
/// followed by `b` (selectors are below 32 after validation; they are
/// taken modulo 32).
#[inline]
pub fn i8x16_shuffle(a: V128, b: V128, lanes: &[u8; 16]) -> V128 {
    let (a, b) = (a.to_u8x16(), b.to_u8x16());
    V128::from_u8x16(lanes.map(|k| {
        let k = k & 31;
        if k < 16 {
            a[usize::from(k & 15)]
        } else {
            b[usize::from(k & 15)]
        }
    }))
}

// ---------------------------------------------------------------------------
// Lane-wise unary and binary operations.

/// All-ones lane (as the signed lane type) if `c`, else zero.
macro_rules! mask {
    ($t:ident, $c:expr) => {
        -(($c) as $t)
    };
}

macro_rules! unop {
    ($($name:ident $mn:literal $what:literal: $to:ident $from:ident |$x:ident| $e:expr;)*) => {$(
        #[doc = concat!("`", $mn, "`: ", $what, " of each lane.")]
        #[inline]
        pub fn $name(a: V128) -> V128 {
            V128::$from(map(a.$to(), |$x| $e))
        }
    )*};
}

macro_rules! binop {
    ($($name:ident $mn:literal $what:literal: $to:ident $from:ident |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[doc = concat!("`", $mn, "`: ", $what, ", lane-wise.")]
        #[inline]
        pub fn $name(a: V128, b: V128) -> V128 {
            V128::$from(zip(a.$to(), b.$to(), |$x, $y| $e))
        }
    )*};
}

macro_rules! shift {
    ($($name:ident $mn:literal $what:literal: $to:ident $from:ident $op:ident;)*) => {$(
        #[doc = concat!("`", $mn, "`: ", $what, " of each lane by `s` modulo the lane width.")]
        #[inline]
        pub fn $name(a: V128, s: i32) -> V128 {
            // `wrapping_shl`/`wrapping_shr` take the count modulo the width.
            V128::$from(map(a.$to(), |x| x.$op(s as u32)))
        }
    )*};
}

unop! {
    i8x16_abs "i8x16.abs" "wrapping absolute value": to_i8x16 from_i8x16 |x| x.wrapping_abs();
    i16x8_abs "i16x8.abs" "wrapping absolute value": to_i16x8 from_i16x8 |x| x.wrapping_abs();
    i32x4_abs "i32x4.abs" "wrapping absolute value": to_i32x4 from_i32x4 |x| x.wrapping_abs();
    i64x2_abs "i64x2.abs" "wrapping absolute value": to_i64x2 from_i64x2 |x| x.wrapping_abs();
    i8x16_neg "i8x16.neg" "wrapping negation": to_i8x16 from_i8x16 |x| x.wrapping_neg();
    i16x8_neg "i16x8.neg" "wrapping negation": to_i16x8 from_i16x8 |x| x.wrapping_neg();
    i32x4_neg "i32x4.neg" "wrapping negation": to_i32x4 from_i32x4 |x| x.wrapping_neg();
    i64x2_neg "i64x2.neg" "wrapping negation": to_i64x2 from_i64x2 |x| x.wrapping_neg();
    i8x16_popcnt "i8x16.popcnt" "number of one bits": to_u8x16 from_u8x16 |x| x.count_ones() as u8;
    f32x4_abs "f32x4.abs" "`f32.abs`": to_f32x4 from_f32x4 |x| f32_abs(x);
    f32x4_neg "f32x4.neg" "`f32.neg`": to_f32x4 from_f32x4 |x| f32_neg(x);
    f32x4_sqrt "f32x4.sqrt" "`f32.sqrt`": to_f32x4 from_f32x4 |x| f32_sqrt(x);
    f32x4_ceil "f32x4.ceil" "`f32.ceil`": to_f32x4 from_f32x4 |x| f32_ceil(x);
    f32x4_floor "f32x4.floor" "`f32.floor`": to_f32x4 from_f32x4 |x| f32_floor(x);
    f32x4_trunc "f32x4.trunc" "`f32.trunc`": to_f32x4 from_f32x4 |x| f32_trunc(x);
    f32x4_nearest "f32x4.nearest" "`f32.nearest`": to_f32x4 from_f32x4 |x| f32_nearest(x);
    f64x2_abs "f64x2.abs" "`f64.abs`": to_f64x2 from_f64x2 |x| f64_abs(x);
    f64x2_neg "f64x2.neg" "`f64.neg`": to_f64x2 from_f64x2 |x| f64_neg(x);
    f64x2_sqrt "f64x2.sqrt" "`f64.sqrt`": to_f64x2 from_f64x2 |x| f64_sqrt(x);
    f64x2_ceil "f64x2.ceil" "`f64.ceil`": to_f64x2 from_f64x2 |x| f64_ceil(x);
    f64x2_floor "f64x2.floor" "`f64.floor`": to_f64x2 from_f64x2 |x| f64_floor(x);
    f64x2_trunc "f64x2.trunc" "`f64.trunc`": to_f64x2 from_f64x2 |x| f64_trunc(x);
    f64x2_nearest "f64x2.nearest" "`f64.nearest`": to_f64x2 from_f64x2 |x| f64_nearest(x);
}

shift! {
    i8x16_shl "i8x16.shl" "shift left": to_i8x16 from_i8x16 wrapping_shl;
    i8x16_shr_s "i8x16.shr_s" "arithmetic shift right": to_i8x16 from_i8x16 wrapping_shr;
    i8x16_shr_u "i8x16.shr_u" "logical shift right": to_u8x16 from_u8x16 wrapping_shr;
    i16x8_shl "i16x8.shl" "shift left": to_i16x8 from_i16x8 wrapping_shl;
    i16x8_shr_s "i16x8.shr_s" "arithmetic shift right": to_i16x8 from_i16x8 wrapping_shr;
    i16x8_shr_u "i16x8.shr_u" "logical shift right": to_u16x8 from_u16x8 wrapping_shr;
    i32x4_shl "i32x4.shl" "shift left": to_i32x4 from_i32x4 wrapping_shl;
    i32x4_shr_s "i32x4.shr_s" "arithmetic shift right": to_i32x4 from_i32x4 wrapping_shr;
    i32x4_shr_u "i32x4.shr_u" "logical shift right": to_u32x4 from_u32x4 wrapping_shr;
    i64x2_shl "i64x2.shl" "shift left": to_i64x2 from_i64x2 wrapping_shl;
    i64x2_shr_s "i64x2.shr_s" "arithmetic shift right": to_i64x2 from_i64x2 wrapping_shr;
    i64x2_shr_u "i64x2.shr_u" "logical shift right": to_u64x2 from_u64x2 wrapping_shr;
}

binop! {
    // Integer arithmetic.
    i8x16_add "i8x16.add" "wrapping addition": to_i8x16 from_i8x16 |x, y| x.wrapping_add(y);
    i16x8_add "i16x8.add" "wrapping addition": to_i16x8 from_i16x8 |x, y| x.wrapping_add(y);
    i32x4_add "i32x4.add" "wrapping addition": to_i32x4 from_i32x4 |x, y| x.wrapping_add(y);
    i64x2_add "i64x2.add" "wrapping addition": to_i64x2 from_i64x2 |x, y| x.wrapping_add(y);
    i8x16_sub "i8x16.sub" "wrapping subtraction": to_i8x16 from_i8x16 |x, y| x.wrapping_sub(y);
    i16x8_sub "i16x8.sub" "wrapping subtraction": to_i16x8 from_i16x8 |x, y| x.wrapping_sub(y);
    i32x4_sub "i32x4.sub" "wrapping subtraction": to_i32x4 from_i32x4 |x, y| x.wrapping_sub(y);
    i64x2_sub "i64x2.sub" "wrapping subtraction": to_i64x2 from_i64x2 |x, y| x.wrapping_sub(y);
    i16x8_mul "i16x8.mul" "wrapping multiplication": to_i16x8 from_i16x8 |x, y| x.wrapping_mul(y);
    i32x4_mul "i32x4.mul" "wrapping multiplication": to_i32x4 from_i32x4 |x, y| x.wrapping_mul(y);
    i64x2_mul "i64x2.mul" "wrapping multiplication": to_i64x2 from_i64x2 |x, y| x.wrapping_mul(y);
    i8x16_add_sat_s "i8x16.add_sat_s" "signed saturating addition": to_i8x16 from_i8x16 |x, y| x.saturating_add(y);
    i8x16_add_sat_u "i8x16.add_sat_u" "unsigned saturating addition": to_u8x16 from_u8x16 |x, y| x.saturating_add(y);
    i16x8_add_sat_s "i16x8.add_sat_s" "signed saturating addition": to_i16x8 from_i16x8 |x, y| x.saturating_add(y);
    i16x8_add_sat_u "i16x8.add_sat_u" "unsigned saturating addition": to_u16x8 from_u16x8 |x, y| x.saturating_add(y);
    i8x16_sub_sat_s "i8x16.sub_sat_s" "signed saturating subtraction": to_i8x16 from_i8x16 |x, y| x.saturating_sub(y);
    i8x16_sub_sat_u "i8x16.sub_sat_u" "unsigned saturating subtraction": to_u8x16 from_u8x16 |x, y| x.saturating_sub(y);
    i16x8_sub_sat_s "i16x8.sub_sat_s" "signed saturating subtraction": to_i16x8 from_i16x8 |x, y| x.saturating_sub(y);
    i16x8_sub_sat_u "i16x8.sub_sat_u" "unsigned saturating subtraction": to_u16x8 from_u16x8 |x, y| x.saturating_sub(y);
    i8x16_min_s "i8x16.min_s" "signed minimum": to_i8x16 from_i8x16 |x, y| x.min(y);
    i8x16_min_u "i8x16.min_u" "unsigned minimum": to_u8x16 from_u8x16 |x, y| x.min(y);
    i8x16_max_s "i8x16.max_s" "signed maximum": to_i8x16 from_i8x16 |x, y| x.max(y);
    i8x16_max_u "i8x16.max_u" "unsigned maximum": to_u8x16 from_u8x16 |x, y| x.max(y);
    i16x8_min_s "i16x8.min_s" "signed minimum": to_i16x8 from_i16x8 |x, y| x.min(y);
    i16x8_min_u "i16x8.min_u" "unsigned minimum": to_u16x8 from_u16x8 |x, y| x.min(y);
    i16x8_max_s "i16x8.max_s" "signed maximum": to_i16x8 from_i16x8 |x, y| x.max(y);
    i16x8_max_u "i16x8.max_u" "unsigned maximum": to_u16x8 from_u16x8 |x, y| x.max(y);
    i32x4_min_s "i32x4.min_s" "signed minimum": to_i32x4 from_i32x4 |x, y| x.min(y);
    i32x4_min_u "i32x4.min_u" "unsigned minimum": to_u32x4 from_u32x4 |x, y| x.min(y);
    i32x4_max_s "i32x4.max_s" "signed maximum": to_i32x4 from_i32x4 |x, y| x.max(y);
    i32x4_max_u "i32x4.max_u" "unsigned maximum": to_u32x4 from_u32x4 |x, y| x.max(y);
    i8x16_avgr_u "i8x16.avgr_u" "unsigned rounding average `(x + y + 1) / 2`":
        to_u8x16 from_u8x16 |x, y| ((u16::from(x) + u16::from(y) + 1) >> 1) as u8;
    i16x8_avgr_u "i16x8.avgr_u" "unsigned rounding average `(x + y + 1) / 2`":
        to_u16x8 from_u16x8 |x, y| ((u32::from(x) + u32::from(y) + 1) >> 1) as u16;
    i16x8_q15mulr_sat_s "i16x8.q15mulr_sat_s" "Q15 rounding multiplication, saturated":
        to_i16x8 from_i16x8 |x, y| {
            ((i32::from(x) * i32::from(y) + 0x4000) >> 15).clamp(-0x8000, 0x7FFF) as i16
        };

    // Integer comparisons: all ones where true.
    i8x16_eq "i8x16.eq" "all ones where `x == y`": to_i8x16 from_i8x16 |x, y| mask!(i8, x == y);
    i8x16_ne "i8x16.ne" "all ones where `x != y`": to_i8x16 from_i8x16 |x, y| mask!(i8, x != y);
    i8x16_lt_s "i8x16.lt_s" "all ones where signed `x < y`": to_i8x16 from_i8x16 |x, y| mask!(i8, x < y);
    i8x16_lt_u "i8x16.lt_u" "all ones where unsigned `x < y`": to_u8x16 from_u8x16 |x, y| mask!(i8, x < y) as u8;
    i8x16_gt_s "i8x16.gt_s" "all ones where signed `x > y`": to_i8x16 from_i8x16 |x, y| mask!(i8, x > y);
    i8x16_gt_u "i8x16.gt_u" "all ones where unsigned `x > y`": to_u8x16 from_u8x16 |x, y| mask!(i8, x > y) as u8;
    i8x16_le_s "i8x16.le_s" "all ones where signed `x <= y`": to_i8x16 from_i8x16 |x, y| mask!(i8, x <= y);
    i8x16_le_u "i8x16.le_u" "all ones where unsigned `x <= y`": to_u8x16 from_u8x16 |x, y| mask!(i8, x <= y) as u8;
    i8x16_ge_s "i8x16.ge_s" "all ones where signed `x >= y`": to_i8x16 from_i8x16 |x, y| mask!(i8, x >= y);
    i8x16_ge_u "i8x16.ge_u" "all ones where unsigned `x >= y`": to_u8x16 from_u8x16 |x, y| mask!(i8, x >= y) as u8;
    i16x8_eq "i16x8.eq" "all ones where `x == y`": to_i16x8 from_i16x8 |x, y| mask!(i16, x == y);
    i16x8_ne "i16x8.ne" "all ones where `x != y`": to_i16x8 from_i16x8 |x, y| mask!(i16, x != y);
    i16x8_lt_s "i16x8.lt_s" "all ones where signed `x < y`": to_i16x8 from_i16x8 |x, y| mask!(i16, x < y);
    i16x8_lt_u "i16x8.lt_u" "all ones where unsigned `x < y`": to_u16x8 from_u16x8 |x, y| mask!(i16, x < y) as u16;
    i16x8_gt_s "i16x8.gt_s" "all ones where signed `x > y`": to_i16x8 from_i16x8 |x, y| mask!(i16, x > y);
    i16x8_gt_u "i16x8.gt_u" "all ones where unsigned `x > y`": to_u16x8 from_u16x8 |x, y| mask!(i16, x > y) as u16;
    i16x8_le_s "i16x8.le_s" "all ones where signed `x <= y`": to_i16x8 from_i16x8 |x, y| mask!(i16, x <= y);
    i16x8_le_u "i16x8.le_u" "all ones where unsigned `x <= y`": to_u16x8 from_u16x8 |x, y| mask!(i16, x <= y) as u16;
    i16x8_ge_s "i16x8.ge_s" "all ones where signed `x >= y`": to_i16x8 from_i16x8 |x, y| mask!(i16, x >= y);
    i16x8_ge_u "i16x8.ge_u" "all ones where unsigned `x >= y`": to_u16x8 from_u16x8 |x, y| mask!(i16, x >= y) as u16;
    i32x4_eq "i32x4.eq" "all ones where `x == y`": to_i32x4 from_i32x4 |x, y| mask!(i32, x == y);
    i32x4_ne "i32x4.ne" "all ones where `x != y`": to_i32x4 from_i32x4 |x, y| mask!(i32, x != y);
    i32x4_lt_s "i32x4.lt_s" "all ones where signed `x < y`": to_i32x4 from_i32x4 |x, y| mask!(i32, x < y);
    i32x4_lt_u "i32x4.lt_u" "all ones where unsigned `x < y`": to_u32x4 from_u32x4 |x, y| mask!(i32, x < y) as u32;
    i32x4_gt_s "i32x4.gt_s" "all ones where signed `x > y`": to_i32x4 from_i32x4 |x, y| mask!(i32, x > y);
    i32x4_gt_u "i32x4.gt_u" "all ones where unsigned `x > y`": to_u32x4 from_u32x4 |x, y| mask!(i32, x > y) as u32;
    i32x4_le_s "i32x4.le_s" "all ones where signed `x <= y`": to_i32x4 from_i32x4 |x, y| mask!(i32, x <= y);
    i32x4_le_u "i32x4.le_u" "all ones where unsigned `x <= y`": to_u32x4 from_u32x4 |x, y| mask!(i32, x <= y) as u32;
    i32x4_ge_s "i32x4.ge_s" "all ones where signed `x >= y`": to_i32x4 from_i32x4 |x, y| mask!(i32, x >= y);
    i32x4_ge_u "i32x4.ge_u" "all ones where unsigned `x >= y`": to_u32x4 from_u32x4 |x, y| mask!(i32, x >= y) as u32;
    i64x2_eq "i64x2.eq" "all ones where `x == y`": to_i64x2 from_i64x2 |x, y| mask!(i64, x == y);
    i64x2_ne "i64x2.ne" "all ones where `x != y`": to_i64x2 from_i64x2 |x, y| mask!(i64, x != y);
    i64x2_lt_s "i64x2.lt_s" "all ones where signed `x < y`": to_i64x2 from_i64x2 |x, y| mask!(i64, x < y);
    i64x2_gt_s "i64x2.gt_s" "all ones where signed `x > y`": to_i64x2 from_i64x2 |x, y| mask!(i64, x > y);
    i64x2_le_s "i64x2.le_s" "all ones where signed `x <= y`": to_i64x2 from_i64x2 |x, y| mask!(i64, x <= y);
    i64x2_ge_s "i64x2.ge_s" "all ones where signed `x >= y`": to_i64x2 from_i64x2 |x, y| mask!(i64, x >= y);

    // Float arithmetic.
    f32x4_add "f32x4.add" "`f32.add`": to_f32x4 from_f32x4 |x, y| f32_add(x, y);
    f32x4_sub "f32x4.sub" "`f32.sub`": to_f32x4 from_f32x4 |x, y| f32_sub(x, y);
    f32x4_mul "f32x4.mul" "`f32.mul`": to_f32x4 from_f32x4 |x, y| f32_mul(x, y);
    f32x4_div "f32x4.div" "`f32.div`": to_f32x4 from_f32x4 |x, y| f32_div(x, y);
    f32x4_min "f32x4.min" "`f32.min`": to_f32x4 from_f32x4 |x, y| f32_min(x, y);
    f32x4_max "f32x4.max" "`f32.max`": to_f32x4 from_f32x4 |x, y| f32_max(x, y);
    f32x4_pmin "f32x4.pmin" "pseudo-minimum `y < x ? y : x` (no NaN handling)":
        to_f32x4 from_f32x4 |x, y| if y < x { y } else { x };
    f32x4_pmax "f32x4.pmax" "pseudo-maximum `x < y ? y : x` (no NaN handling)":
        to_f32x4 from_f32x4 |x, y| if x < y { y } else { x };
    f64x2_add "f64x2.add" "`f64.add`": to_f64x2 from_f64x2 |x, y| f64_add(x, y);
    f64x2_sub "f64x2.sub" "`f64.sub`": to_f64x2 from_f64x2 |x, y| f64_sub(x, y);
    f64x2_mul "f64x2.mul" "`f64.mul`": to_f64x2 from_f64x2 |x, y| f64_mul(x, y);
    f64x2_div "f64x2.div" "`f64.div`": to_f64x2 from_f64x2 |x, y| f64_div(x, y);
    f64x2_min "f64x2.min" "`f64.min`": to_f64x2 from_f64x2 |x, y| f64_min(x, y);
    f64x2_max "f64x2.max" "`f64.max`": to_f64x2 from_f64x2 |x, y| f64_max(x, y);
    f64x2_pmin "f64x2.pmin" "pseudo-minimum `y < x ? y : x` (no NaN handling)":
        to_f64x2 from_f64x2 |x, y| if y < x { y } else { x };
    f64x2_pmax "f64x2.pmax" "pseudo-maximum `x < y ? y : x` (no NaN handling)":
        to_f64x2 from_f64x2 |x, y| if x < y { y } else { x };
}

macro_rules! fcmp {
    ($($name:ident $mn:literal $op:tt: $to:ident $from:ident $mask:ident;)*) => {$(
        #[doc = concat!("`", $mn, "`: all ones where `x ", stringify!($op), " y` (false for NaNs except `!=`), lane-wise.")]
        #[inline]
        pub fn $name(a: V128, b: V128) -> V128 {
            V128::$from(zip(a.$to(), b.$to(), |x, y| mask!($mask, x $op y)))
        }
    )*};
}

fcmp! {
    f32x4_eq "f32x4.eq" ==: to_f32x4 from_i32x4 i32;
    f32x4_ne "f32x4.ne" !=: to_f32x4 from_i32x4 i32;
    f32x4_lt "f32x4.lt" <: to_f32x4 from_i32x4 i32;
    f32x4_gt "f32x4.gt" >: to_f32x4 from_i32x4 i32;
    f32x4_le "f32x4.le" <=: to_f32x4 from_i32x4 i32;
    f32x4_ge "f32x4.ge" >=: to_f32x4 from_i32x4 i32;
    f64x2_eq "f64x2.eq" ==: to_f64x2 from_i64x2 i64;
    f64x2_ne "f64x2.ne" !=: to_f64x2 from_i64x2 i64;
    f64x2_lt "f64x2.lt" <: to_f64x2 from_i64x2 i64;
    f64x2_gt "f64x2.gt" >: to_f64x2 from_i64x2 i64;
    f64x2_le "f64x2.le" <=: to_f64x2 from_i64x2 i64;
    f64x2_ge "f64x2.ge" >=: to_f64x2 from_i64x2 i64;
}

// ---------------------------------------------------------------------------
// Reductions: all_true and bitmask.

macro_rules! reductions {
    ($($all_true:ident $bitmask:ident $shape:literal: $to:ident;)*) => {$(
        #[doc = concat!("`", $shape, ".all_true`: 1 if every lane is non-zero.")]
        #[inline]
        pub fn $all_true(a: V128) -> i32 {
            a.$to().iter().all(|&x| x != 0) as i32
        }

        #[doc = concat!("`", $shape, ".bitmask`: bit `i` is the sign bit of lane `i`.")]
        #[inline]
        pub fn $bitmask(a: V128) -> i32 {
            a.$to()
                .iter()
                .rev()
                .fold(0, |acc, &x| (acc << 1) | i32::from(x < 0))
        }
    )*};
}

reductions! {
    i8x16_all_true i8x16_bitmask "i8x16": to_i8x16;
    i16x8_all_true i16x8_bitmask "i16x8": to_i16x8;
    i32x4_all_true i32x4_bitmask "i32x4": to_i32x4;
    i64x2_all_true i64x2_bitmask "i64x2": to_i64x2;
}

// ---------------------------------------------------------------------------
// Width-changing integer operations. A `high` variant is its `low` variant
// applied to `a >> 64`, which moves the high half into the low lanes.

/// The high 64 bits of `a` moved to the low half.
#[inline(always)]
fn high(a: V128) -> V128 {
    V128(a.0 >> 64)
}

/// `i8x16.narrow_i16x8_s`: the lanes of `a` then `b`, saturated to `i8`.
#[inline]
pub fn i8x16_narrow_i16x8_s(a: V128, b: V128) -> V128 {
    let (a, b) = (a.to_i16x8(), b.to_i16x8());
    V128::from_i8x16(core::array::from_fn(|i| {
        let x = if i < 8 { a[i & 7] } else { b[i & 7] };
        x.clamp(i8::MIN.into(), i8::MAX.into()) as i8
    }))
}

/// `i8x16.narrow_i16x8_u`: the signed lanes of `a` then `b`, saturated to
/// `u8`.
#[inline]
pub fn i8x16_narrow_i16x8_u(a: V128, b: V128) -> V128 {
    let (a, b) = (a.to_i16x8(), b.to_i16x8());
    V128::from_u8x16(core::array::from_fn(|i| {
        let x = if i < 8 { a[i & 7] } else { b[i & 7] };
        x.clamp(0, u8::MAX.into()) as u8
    }))
}

/// `i16x8.narrow_i32x4_s`: the lanes of `a` then `b`, saturated to `i16`.
#[inline]
pub fn i16x8_narrow_i32x4_s(a: V128, b: V128) -> V128 {
    let (a, b) = (a.to_i32x4(), b.to_i32x4());
    V128::from_i16x8(core::array::from_fn(|i| {
        let x = if i < 4 { a[i & 3] } else { b[i & 3] };
        x.clamp(i16::MIN.into(), i16::MAX.into()) as i16
    }))
}

/// `i16x8.narrow_i32x4_u`: the signed lanes of `a` then `b`, saturated to
/// `u16`.
#[inline]
pub fn i16x8_narrow_i32x4_u(a: V128, b: V128) -> V128 {
    let (a, b) = (a.to_i32x4(), b.to_i32x4());
    V128::from_u16x8(core::array::from_fn(|i| {
        let x = if i < 4 { a[i & 3] } else { b[i & 3] };
        x.clamp(0, u16::MAX.into()) as u16
    }))
}

macro_rules! widen {
    ($($low:ident $high:ident $mn:literal: $to:ident $from:ident $wide:ident $n:literal;)*) => {$(
        #[doc = concat!("`", $mn, "` (low): the low half of the lanes, extended.")]
        #[inline]
        pub fn $low(a: V128) -> V128 {
            let a = a.$to();
            V128::$from(core::array::from_fn(|i| <$wide>::from(a[i % $n])))
        }

        #[doc = concat!("`", $mn, "` (high): the high half of the lanes, extended.")]
        #[inline]
        pub fn $high(a: V128) -> V128 {
            $low(high(a))
        }
    )*};
}

widen! {
    i16x8_extend_low_i8x16_s i16x8_extend_high_i8x16_s "i16x8.extend_*_i8x16_s": to_i8x16 from_i16x8 i16 8;
    i16x8_extend_low_i8x16_u i16x8_extend_high_i8x16_u "i16x8.extend_*_i8x16_u": to_u8x16 from_u16x8 u16 8;
    i32x4_extend_low_i16x8_s i32x4_extend_high_i16x8_s "i32x4.extend_*_i16x8_s": to_i16x8 from_i32x4 i32 4;
    i32x4_extend_low_i16x8_u i32x4_extend_high_i16x8_u "i32x4.extend_*_i16x8_u": to_u16x8 from_u32x4 u32 4;
    i64x2_extend_low_i32x4_s i64x2_extend_high_i32x4_s "i64x2.extend_*_i32x4_s": to_i32x4 from_i64x2 i64 2;
    i64x2_extend_low_i32x4_u i64x2_extend_high_i32x4_u "i64x2.extend_*_i32x4_u": to_u32x4 from_u64x2 u64 2;
}

macro_rules! extmul {
    ($($low:ident $high:ident $mn:literal: $to:ident $from:ident $wide:ident $n:literal;)*) => {$(
        #[doc = concat!("`", $mn, "` (low): the low halves of the lanes, extended and multiplied (exact).")]
        #[inline]
        pub fn $low(a: V128, b: V128) -> V128 {
            let (a, b) = (a.$to(), b.$to());
            V128::$from(core::array::from_fn(|i| {
                <$wide>::from(a[i % $n]).wrapping_mul(<$wide>::from(b[i % $n]))
            }))
        }

        #[doc = concat!("`", $mn, "` (high): the high halves of the lanes, extended and multiplied (exact).")]
        #[inline]
        pub fn $high(a: V128, b: V128) -> V128 {
            $low(high(a), high(b))
        }
    )*};
}

extmul! {
    i16x8_extmul_low_i8x16_s i16x8_extmul_high_i8x16_s "i16x8.extmul_*_i8x16_s": to_i8x16 from_i16x8 i16 8;
    i16x8_extmul_low_i8x16_u i16x8_extmul_high_i8x16_u "i16x8.extmul_*_i8x16_u": to_u8x16 from_u16x8 u16 8;
    i32x4_extmul_low_i16x8_s i32x4_extmul_high_i16x8_s "i32x4.extmul_*_i16x8_s": to_i16x8 from_i32x4 i32 4;
    i32x4_extmul_low_i16x8_u i32x4_extmul_high_i16x8_u "i32x4.extmul_*_i16x8_u": to_u16x8 from_u32x4 u32 4;
    i64x2_extmul_low_i32x4_s i64x2_extmul_high_i32x4_s "i64x2.extmul_*_i32x4_s": to_i32x4 from_i64x2 i64 2;
    i64x2_extmul_low_i32x4_u i64x2_extmul_high_i32x4_u "i64x2.extmul_*_i32x4_u": to_u32x4 from_u64x2 u64 2;
}

macro_rules! extadd_pairwise {
    ($($name:ident $mn:literal: $to:ident $from:ident $wide:ident $n:literal;)*) => {$(
        #[doc = concat!("`", $mn, "`: lane `i` is the sum of input lanes `2i` and `2i+1`, extended (exact).")]
        #[inline]
        pub fn $name(a: V128) -> V128 {
            let a = a.$to();
            V128::$from(core::array::from_fn(|i| {
                <$wide>::from(a[(2 * i) % $n]).wrapping_add(<$wide>::from(a[(2 * i + 1) % $n]))
            }))
        }
    )*};
}

extadd_pairwise! {
    i16x8_extadd_pairwise_i8x16_s "i16x8.extadd_pairwise_i8x16_s": to_i8x16 from_i16x8 i16 16;
    i16x8_extadd_pairwise_i8x16_u "i16x8.extadd_pairwise_i8x16_u": to_u8x16 from_u16x8 u16 16;
    i32x4_extadd_pairwise_i16x8_s "i32x4.extadd_pairwise_i16x8_s": to_i16x8 from_i32x4 i32 8;
    i32x4_extadd_pairwise_i16x8_u "i32x4.extadd_pairwise_i16x8_u": to_u16x8 from_u32x4 u32 8;
}

/// `i32x4.dot_i16x8_s`: lane `i` is `a[2i]*b[2i] + a[2i+1]*b[2i+1]` of the
/// signed 16-bit lanes, wrapping (only `4 * (-2^15)^2` overflows).
#[inline]
pub fn i32x4_dot_i16x8_s(a: V128, b: V128) -> V128 {
    let (a, b) = (a.to_i16x8(), b.to_i16x8());
    V128::from_i32x4(core::array::from_fn(|i| {
        let (j, k) = ((2 * i) % 8, (2 * i + 1) % 8);
        (i32::from(a[j]) * i32::from(b[j])).wrapping_add(i32::from(a[k]) * i32::from(b[k]))
    }))
}

// ---------------------------------------------------------------------------
// Conversions.

/// `i32x4.trunc_sat_f32x4_s`: `i32.trunc_sat_f32_s` of each lane.
#[inline]
pub fn i32x4_trunc_sat_f32x4_s(a: V128) -> V128 {
    V128::from_i32x4(map(a.to_f32x4(), |x| x as i32))
}

/// `i32x4.trunc_sat_f32x4_u`: `i32.trunc_sat_f32_u` of each lane.
#[inline]
pub fn i32x4_trunc_sat_f32x4_u(a: V128) -> V128 {
    V128::from_u32x4(map(a.to_f32x4(), |x| x as u32))
}

/// `i32x4.trunc_sat_f64x2_s_zero`: `i32.trunc_sat_f64_s` of both lanes,
/// then two zero lanes.
#[inline]
pub fn i32x4_trunc_sat_f64x2_s_zero(a: V128) -> V128 {
    let [x, y] = a.to_f64x2();
    V128::from_i32x4([x as i32, y as i32, 0, 0])
}

/// `i32x4.trunc_sat_f64x2_u_zero`: `i32.trunc_sat_f64_u` of both lanes,
/// then two zero lanes.
#[inline]
pub fn i32x4_trunc_sat_f64x2_u_zero(a: V128) -> V128 {
    let [x, y] = a.to_f64x2();
    V128::from_u32x4([x as u32, y as u32, 0, 0])
}

/// `f32x4.convert_i32x4_s`: `f32.convert_i32_s` of each lane.
#[inline]
pub fn f32x4_convert_i32x4_s(a: V128) -> V128 {
    V128::from_f32x4(map(a.to_i32x4(), |x| x as f32))
}

/// `f32x4.convert_i32x4_u`: `f32.convert_i32_u` of each lane.
#[inline]
pub fn f32x4_convert_i32x4_u(a: V128) -> V128 {
    V128::from_f32x4(map(a.to_u32x4(), |x| x as f32))
}

/// `f64x2.convert_low_i32x4_s`: `f64.convert_i32_s` of lanes 0 and 1.
#[inline]
pub fn f64x2_convert_low_i32x4_s(a: V128) -> V128 {
    let [x, y, _, _] = a.to_i32x4();
    V128::from_f64x2([x.into(), y.into()])
}

/// `f64x2.convert_low_i32x4_u`: `f64.convert_i32_u` of lanes 0 and 1.
#[inline]
pub fn f64x2_convert_low_i32x4_u(a: V128) -> V128 {
    let [x, y, _, _] = a.to_u32x4();
    V128::from_f64x2([x.into(), y.into()])
}

/// `f32x4.demote_f64x2_zero`: `f32.demote_f64` of both lanes, then two
/// zero lanes.
#[inline]
pub fn f32x4_demote_f64x2_zero(a: V128) -> V128 {
    let [x, y] = a.to_f64x2();
    V128::from_f32x4([f32_demote_f64(x), f32_demote_f64(y), 0.0, 0.0])
}

/// `f64x2.promote_low_f32x4`: `f64.promote_f32` of lanes 0 and 1.
#[inline]
pub fn f64x2_promote_low_f32x4(a: V128) -> V128 {
    let [x, y, _, _] = a.to_f32x4();
    V128::from_f64x2([f64_promote_f32(x), f64_promote_f32(y)])
}
