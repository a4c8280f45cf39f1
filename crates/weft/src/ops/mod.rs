//! Pure numeric semantics (§4.3 Numerics, §4.4.3 vector instructions): one
//! function per numeric and SIMD instruction of Wasm 2.0, shared by the
//! interpreter and any later tier.
//!
//! Each function is named after its mnemonic with `.` replaced by `_`
//! (`i32.add` is [`i32_add`]) and takes its operands in stack order; a lane
//! immediate is a trailing `lane: u8`. Types: `i32`, `i64`, Rust `f32` and
//! `f64`, and [`V128`]. Instructions that can trap return
//! `Result<T, TrapCode>`; [`IntoTrapResult`] lets generated code treat both
//! kinds alike. Callers find an instruction's function by its mnemonic
//! (`instr_fn!`, generated from the instruction table).
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
mod relaxed;
mod simd;
#[cfg(all(test, feature = "wat"))]
mod spec_tests;
#[cfg(test)]
mod tests;

pub use convert::*;
pub use float::*;
pub use int::*;
pub use relaxed::*;
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
plain_into_trap_result!(i32, i64, f32, f64, V128);

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
