//! Integer instructions (§4.3.2 Integer Operations): `i32.*` and `i64.*`
//! arithmetic, bitwise, shift, count, comparison and sign-extension ops.
//!
//! Arithmetic wraps modulo 2^N; shift and rotate counts are taken modulo the
//! bit width; division traps on a zero divisor and on signed `MIN / -1`,
//! while `rem_s(MIN, -1)` is 0 (§4.3.2 `idiv_s`, `irem_s`).

use super::TrapCode;

macro_rules! int_ops {
    ($t:ident, $u:ident, $bits:literal,
     $eqz:ident $eq:ident $ne:ident $lt_s:ident $lt_u:ident $gt_s:ident $gt_u:ident
     $le_s:ident $le_u:ident $ge_s:ident $ge_u:ident
     $clz:ident $ctz:ident $popcnt:ident $add:ident $sub:ident $mul:ident
     $div_s:ident $div_u:ident $rem_s:ident $rem_u:ident $and:ident $or:ident $xor:ident
     $shl:ident $shr_s:ident $shr_u:ident $rotl:ident $rotr:ident) => {
        #[doc = concat!("`", stringify!($t), ".eqz`: 1 if the operand is zero, else 0.")]
        #[inline]
        pub fn $eqz(a: $t) -> i32 {
            (a == 0) as i32
        }

        #[doc = concat!("`", stringify!($t), ".eq`: 1 if the operands are equal, else 0.")]
        #[inline]
        pub fn $eq(a: $t, b: $t) -> i32 {
            (a == b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".ne`: 1 if the operands differ, else 0.")]
        #[inline]
        pub fn $ne(a: $t, b: $t) -> i32 {
            (a != b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".lt_s`: signed `a < b`.")]
        #[inline]
        pub fn $lt_s(a: $t, b: $t) -> i32 {
            (a < b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".lt_u`: unsigned `a < b`.")]
        #[inline]
        pub fn $lt_u(a: $t, b: $t) -> i32 {
            ((a as $u) < (b as $u)) as i32
        }

        #[doc = concat!("`", stringify!($t), ".gt_s`: signed `a > b`.")]
        #[inline]
        pub fn $gt_s(a: $t, b: $t) -> i32 {
            (a > b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".gt_u`: unsigned `a > b`.")]
        #[inline]
        pub fn $gt_u(a: $t, b: $t) -> i32 {
            ((a as $u) > (b as $u)) as i32
        }

        #[doc = concat!("`", stringify!($t), ".le_s`: signed `a <= b`.")]
        #[inline]
        pub fn $le_s(a: $t, b: $t) -> i32 {
            (a <= b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".le_u`: unsigned `a <= b`.")]
        #[inline]
        pub fn $le_u(a: $t, b: $t) -> i32 {
            ((a as $u) <= (b as $u)) as i32
        }

        #[doc = concat!("`", stringify!($t), ".ge_s`: signed `a >= b`.")]
        #[inline]
        pub fn $ge_s(a: $t, b: $t) -> i32 {
            (a >= b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".ge_u`: unsigned `a >= b`.")]
        #[inline]
        pub fn $ge_u(a: $t, b: $t) -> i32 {
            ((a as $u) >= (b as $u)) as i32
        }

        #[doc = concat!("`", stringify!($t), ".clz`: number of leading zero bits (", stringify!($bits), " for 0).")]
        #[inline]
        pub fn $clz(a: $t) -> $t {
            a.leading_zeros() as $t
        }

        #[doc = concat!("`", stringify!($t), ".ctz`: number of trailing zero bits (", stringify!($bits), " for 0).")]
        #[inline]
        pub fn $ctz(a: $t) -> $t {
            a.trailing_zeros() as $t
        }

        #[doc = concat!("`", stringify!($t), ".popcnt`: number of one bits.")]
        #[inline]
        pub fn $popcnt(a: $t) -> $t {
            a.count_ones() as $t
        }

        #[doc = concat!("`", stringify!($t), ".add`: wrapping addition.")]
        #[inline]
        pub fn $add(a: $t, b: $t) -> $t {
            a.wrapping_add(b)
        }

        #[doc = concat!("`", stringify!($t), ".sub`: wrapping subtraction.")]
        #[inline]
        pub fn $sub(a: $t, b: $t) -> $t {
            a.wrapping_sub(b)
        }

        #[doc = concat!("`", stringify!($t), ".mul`: wrapping multiplication.")]
        #[inline]
        pub fn $mul(a: $t, b: $t) -> $t {
            a.wrapping_mul(b)
        }

        #[doc = concat!("`", stringify!($t), ".div_s`: signed division truncating toward zero; ",
                        "traps on a zero divisor and on `MIN / -1` (§4.3.2 `idiv_s`).")]
        #[inline]
        pub fn $div_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else if a == $t::MIN && b == -1 {
                Err(TrapCode::IntegerOverflow)
            } else {
                Ok(a.wrapping_div(b))
            }
        }

        #[doc = concat!("`", stringify!($t), ".div_u`: unsigned division; traps on a zero divisor.")]
        #[inline]
        pub fn $div_u(a: $t, b: $t) -> Result<$t, TrapCode> {
            match (a as $u).checked_div(b as $u) {
                Some(q) => Ok(q as $t),
                None => Err(TrapCode::IntegerDivisionByZero),
            }
        }

        #[doc = concat!("`", stringify!($t), ".rem_s`: signed remainder with the sign of the dividend; ",
                        "traps on a zero divisor; `rem_s(MIN, -1)` is 0 (§4.3.2 `irem_s`).")]
        #[inline]
        pub fn $rem_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }

        #[doc = concat!("`", stringify!($t), ".rem_u`: unsigned remainder; traps on a zero divisor.")]
        #[inline]
        pub fn $rem_u(a: $t, b: $t) -> Result<$t, TrapCode> {
            match (a as $u).checked_rem(b as $u) {
                Some(r) => Ok(r as $t),
                None => Err(TrapCode::IntegerDivisionByZero),
            }
        }

        #[doc = concat!("`", stringify!($t), ".and`: bitwise and.")]
        #[inline]
        pub fn $and(a: $t, b: $t) -> $t {
            a & b
        }

        #[doc = concat!("`", stringify!($t), ".or`: bitwise or.")]
        #[inline]
        pub fn $or(a: $t, b: $t) -> $t {
            a | b
        }

        #[doc = concat!("`", stringify!($t), ".xor`: bitwise exclusive or.")]
        #[inline]
        pub fn $xor(a: $t, b: $t) -> $t {
            a ^ b
        }

        #[doc = concat!("`", stringify!($t), ".shl`: shift left by `b` modulo ", stringify!($bits), ".")]
        #[inline]
        pub fn $shl(a: $t, b: $t) -> $t {
            a.wrapping_shl(b as u32)
        }

        #[doc = concat!("`", stringify!($t), ".shr_s`: arithmetic shift right by `b` modulo ", stringify!($bits), ".")]
        #[inline]
        pub fn $shr_s(a: $t, b: $t) -> $t {
            a.wrapping_shr(b as u32)
        }

        #[doc = concat!("`", stringify!($t), ".shr_u`: logical shift right by `b` modulo ", stringify!($bits), ".")]
        #[inline]
        pub fn $shr_u(a: $t, b: $t) -> $t {
            (a as $u).wrapping_shr(b as u32) as $t
        }

        #[doc = concat!("`", stringify!($t), ".rotl`: rotate left by `b` modulo ", stringify!($bits), ".")]
        #[inline]
        pub fn $rotl(a: $t, b: $t) -> $t {
            a.rotate_left((b as u32) % $bits)
        }

        #[doc = concat!("`", stringify!($t), ".rotr`: rotate right by `b` modulo ", stringify!($bits), ".")]
        #[inline]
        pub fn $rotr(a: $t, b: $t) -> $t {
            a.rotate_right((b as u32) % $bits)
        }
    };
}

int_ops!(i32, u32, 32,
    i32_eqz i32_eq i32_ne i32_lt_s i32_lt_u i32_gt_s i32_gt_u i32_le_s i32_le_u i32_ge_s i32_ge_u
    i32_clz i32_ctz i32_popcnt i32_add i32_sub i32_mul
    i32_div_s i32_div_u i32_rem_s i32_rem_u i32_and i32_or i32_xor
    i32_shl i32_shr_s i32_shr_u i32_rotl i32_rotr);

int_ops!(i64, u64, 64,
    i64_eqz i64_eq i64_ne i64_lt_s i64_lt_u i64_gt_s i64_gt_u i64_le_s i64_le_u i64_ge_s i64_ge_u
    i64_clz i64_ctz i64_popcnt i64_add i64_sub i64_mul
    i64_div_s i64_div_u i64_rem_s i64_rem_u i64_and i64_or i64_xor
    i64_shl i64_shr_s i64_shr_u i64_rotl i64_rotr);

/// `i32.extend8_s`: sign-extends the low 8 bits.
#[inline]
pub fn i32_extend8_s(a: i32) -> i32 {
    a as i8 as i32
}

/// `i32.extend16_s`: sign-extends the low 16 bits.
#[inline]
pub fn i32_extend16_s(a: i32) -> i32 {
    a as i16 as i32
}

/// `i64.extend8_s`: sign-extends the low 8 bits.
#[inline]
pub fn i64_extend8_s(a: i64) -> i64 {
    a as i8 as i64
}

/// `i64.extend16_s`: sign-extends the low 16 bits.
#[inline]
pub fn i64_extend16_s(a: i64) -> i64 {
    a as i16 as i64
}

/// `i64.extend32_s`: sign-extends the low 32 bits.
#[inline]
pub fn i64_extend32_s(a: i64) -> i64 {
    a as i32 as i64
}

/// The 128-bit integer `hi:lo`.
#[inline]
fn join128(lo: i64, hi: i64) -> u128 {
    u128::from(lo as u64) | (u128::from(hi as u64) << 64)
}

/// The halves `(lo, hi)` of a 128-bit integer.
#[inline]
fn split128(v: u128) -> (i64, i64) {
    (v as u64 as i64, (v >> 64) as u64 as i64)
}

/// `i64.add128` (wide arithmetic): the sum of the 128-bit integers
/// `hi1:lo1` and `hi2:lo2` modulo 2^128, as `(lo, hi)`.
#[inline]
pub fn i64_add128(lo1: i64, hi1: i64, lo2: i64, hi2: i64) -> (i64, i64) {
    split128(join128(lo1, hi1).wrapping_add(join128(lo2, hi2)))
}

/// `i64.sub128` (wide arithmetic): `hi1:lo1 - hi2:lo2` modulo 2^128, as
/// `(lo, hi)`.
#[inline]
pub fn i64_sub128(lo1: i64, hi1: i64, lo2: i64, hi2: i64) -> (i64, i64) {
    split128(join128(lo1, hi1).wrapping_sub(join128(lo2, hi2)))
}

/// `i64.mul_wide_s` (wide arithmetic): the full 128-bit product of two
/// signed 64-bit integers, as `(lo, hi)`.
#[inline]
pub fn i64_mul_wide_s(a: i64, b: i64) -> (i64, i64) {
    split128((i128::from(a) * i128::from(b)) as u128)
}

/// `i64.mul_wide_u` (wide arithmetic): the full 128-bit product of two
/// unsigned 64-bit integers, as `(lo, hi)`.
#[inline]
pub fn i64_mul_wide_u(a: i64, b: i64) -> (i64, i64) {
    split128(u128::from(a as u64) * u128::from(b as u64))
}
