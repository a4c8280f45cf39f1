//! Conversions (§4.3.4 Conversions): wrap/extend, float-to-integer
//! truncation (trapping and saturating), integer-to-float conversion,
//! demote/promote and reinterpretation.
//!
//! A trapping truncation is valid exactly when the operand, truncated toward
//! zero, lies in the target range. The checks below compare the *untruncated*
//! operand against exclusive bounds that are exactly representable in the
//! source type (`-2^31 - 1 < x < 2^31` for `i32.trunc_f64_s`, `-1 < x < 2^32`
//! for unsigned targets, ...), so no rounding is involved; Rust's `as` then
//! truncates toward zero. Rust's float-to-int `as` saturates and maps NaN
//! to 0, which is exactly `trunc_sat` (§4.3.4 `trunc_sat_u`, `trunc_sat_s`),
//! and its int-to-float `as` rounds to nearest, ties to even, in one step
//! (no double rounding of `u64 -> f32` through `f64`).

use super::{f32_quiet, f64_quiet, TrapCode};

/// `i32.wrap_i64`: the low 32 bits.
#[inline]
pub fn i32_wrap_i64(a: i64) -> i32 {
    a as i32
}

/// `i64.extend_i32_s`: sign extension.
#[inline]
pub fn i64_extend_i32_s(a: i32) -> i64 {
    a as i64
}

/// `i64.extend_i32_u`: zero extension.
#[inline]
pub fn i64_extend_i32_u(a: i32) -> i64 {
    a as u32 as i64
}

macro_rules! trunc {
    ($($name:ident $mn:literal $f:ident -> $t:ident as $via:ident, $lo:literal, $hi:literal;)*) => {$(
        #[doc = concat!("`", $mn, "`: truncates toward zero; traps with \"invalid conversion to ",
                        "integer\" on NaN and \"integer overflow\" when the result is not ",
                        "representable, that is unless `", stringify!($lo), " < a < ",
                        stringify!($hi), "` (§4.3.4 `trunc`).")]
        #[inline]
        pub fn $name(a: $f) -> Result<$t, TrapCode> {
            if a.is_nan() {
                Err(TrapCode::BadConversionToInteger)
            } else if a > $lo && a < $hi {
                Ok(a as $via as $t)
            } else {
                Err(TrapCode::IntegerOverflow)
            }
        }
    )*};
}

// The lower bounds are the largest values of the source type whose
// truncation is below the target range: -1 for unsigned targets, and for
// signed ones the value next below -2^(N-1) (-2^31 - 256 in f32,
// -2^31 - 1 in f64, -2^63 - 2^40 in f32, -2^63 - 2^11 in f64).
trunc! {
    i32_trunc_f32_s "i32.trunc_f32_s" f32 -> i32 as i32, -2147483904.0, 2147483648.0;
    i32_trunc_f32_u "i32.trunc_f32_u" f32 -> i32 as u32, -1.0, 4294967296.0;
    i32_trunc_f64_s "i32.trunc_f64_s" f64 -> i32 as i32, -2147483649.0, 2147483648.0;
    i32_trunc_f64_u "i32.trunc_f64_u" f64 -> i32 as u32, -1.0, 4294967296.0;
    i64_trunc_f32_s "i64.trunc_f32_s" f32 -> i64 as i64, -9223373136366403584.0, 9223372036854775808.0;
    i64_trunc_f32_u "i64.trunc_f32_u" f32 -> i64 as u64, -1.0, 18446744073709551616.0;
    i64_trunc_f64_s "i64.trunc_f64_s" f64 -> i64 as i64, -9223372036854777856.0, 9223372036854775808.0;
    i64_trunc_f64_u "i64.trunc_f64_u" f64 -> i64 as u64, -1.0, 18446744073709551616.0;
}

macro_rules! cast {
    ($($name:ident $f:ident -> $t:ident via $($via:ident)=>*, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[inline]
        pub fn $name(a: $f) -> $t {
            a $(as $via)*
        }
    )*};
}

cast! {
    i32_trunc_sat_f32_s f32 -> i32 via i32, "`i32.trunc_sat_f32_s`: truncates toward zero, saturating; NaN gives 0.";
    i32_trunc_sat_f32_u f32 -> i32 via u32 => i32, "`i32.trunc_sat_f32_u`: truncates toward zero, saturating; NaN gives 0.";
    i32_trunc_sat_f64_s f64 -> i32 via i32, "`i32.trunc_sat_f64_s`: truncates toward zero, saturating; NaN gives 0.";
    i32_trunc_sat_f64_u f64 -> i32 via u32 => i32, "`i32.trunc_sat_f64_u`: truncates toward zero, saturating; NaN gives 0.";
    i64_trunc_sat_f32_s f32 -> i64 via i64, "`i64.trunc_sat_f32_s`: truncates toward zero, saturating; NaN gives 0.";
    i64_trunc_sat_f32_u f32 -> i64 via u64 => i64, "`i64.trunc_sat_f32_u`: truncates toward zero, saturating; NaN gives 0.";
    i64_trunc_sat_f64_s f64 -> i64 via i64, "`i64.trunc_sat_f64_s`: truncates toward zero, saturating; NaN gives 0.";
    i64_trunc_sat_f64_u f64 -> i64 via u64 => i64, "`i64.trunc_sat_f64_u`: truncates toward zero, saturating; NaN gives 0.";
    f32_convert_i32_s i32 -> f32 via f32, "`f32.convert_i32_s`: the nearest `f32` (ties to even).";
    f32_convert_i32_u i32 -> f32 via u32 => f32, "`f32.convert_i32_u`: the nearest `f32` (ties to even).";
    f32_convert_i64_s i64 -> f32 via f32, "`f32.convert_i64_s`: the nearest `f32` (ties to even).";
    f32_convert_i64_u i64 -> f32 via u64 => f32, "`f32.convert_i64_u`: the nearest `f32` (ties to even, rounded once).";
    f64_convert_i32_s i32 -> f64 via f64, "`f64.convert_i32_s`: exact.";
    f64_convert_i32_u i32 -> f64 via u32 => f64, "`f64.convert_i32_u`: exact.";
    f64_convert_i64_s i64 -> f64 via f64, "`f64.convert_i64_s`: the nearest `f64` (ties to even).";
    f64_convert_i64_u i64 -> f64 via u64 => f64, "`f64.convert_i64_u`: the nearest `f64` (ties to even).";
}

/// `f32.demote_f64`: the nearest `f32` (ties to even, overflowing to
/// infinity); a NaN keeps its sign and the top bits of its payload and is
/// quieted (§4.3.4 `demote`).
#[inline]
pub fn f32_demote_f64(a: f64) -> f32 {
    if a.is_nan() {
        let bits = a.to_bits();
        let sign = (bits >> 32) as u32 & 0x8000_0000;
        let payload = (bits >> 29) as u32 & 0x007f_ffff;
        f32_quiet(f32::from_bits(sign | 0x7f80_0000 | payload))
    } else {
        a as f32
    }
}

/// `f64.promote_f32`: exact; a NaN keeps its sign and payload (as the top
/// payload bits) and is quieted (§4.3.4 `promote`).
#[inline]
pub fn f64_promote_f32(a: f32) -> f64 {
    if a.is_nan() {
        let bits = a.to_bits() as u64;
        let sign = (bits & 0x8000_0000) << 32;
        let payload = (bits & 0x007f_ffff) << 29;
        f64_quiet(f64::from_bits(sign | 0x7ff0_0000_0000_0000 | payload))
    } else {
        a as f64
    }
}

/// `i32.reinterpret_f32`: the bit pattern.
#[inline]
pub fn i32_reinterpret_f32(a: f32) -> i32 {
    a.to_bits() as i32
}

/// `i64.reinterpret_f64`: the bit pattern.
#[inline]
pub fn i64_reinterpret_f64(a: f64) -> i64 {
    a.to_bits() as i64
}

/// `f32.reinterpret_i32`: the float with this bit pattern.
#[inline]
pub fn f32_reinterpret_i32(a: i32) -> f32 {
    f32::from_bits(a as u32)
}

/// `f64.reinterpret_i64`: the float with this bit pattern.
#[inline]
pub fn f64_reinterpret_i64(a: i64) -> f64 {
    f64::from_bits(a as u64)
}
