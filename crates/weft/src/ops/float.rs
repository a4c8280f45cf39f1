//! Floating-point instructions (§4.3.3 Floating-Point Operations): `f32.*`
//! and `f64.*` arithmetic, rounding, min/max, sign and comparison ops.
//!
//! `+ - * / sqrt` use the hardware's IEEE 754 round-to-nearest operations
//! (see the module docs of `ops` for why their NaNs are correct). The
//! rounding ops and min/max return a quieted operand NaN themselves, so the
//! result is an arithmetic NaN, and a canonical one when the NaN operands
//! are canonical (§4.3.3 `nans`).

macro_rules! float_ops {
    ($t:ident, $bits:ident, $quiet_bit:expr, $quiet:ident,
     $abs:ident $neg:ident $copysign:ident $ceil:ident $floor:ident $trunc:ident
     $nearest:ident $sqrt:ident $add:ident $sub:ident $mul:ident $div:ident
     $min:ident $max:ident $eq:ident $ne:ident $lt:ident $gt:ident $le:ident $ge:ident) => {
        /// The NaN `a` with its quiet bit set (payload and sign kept).
        #[inline]
        pub(crate) fn $quiet(a: $t) -> $t {
            $t::from_bits(a.to_bits() | $quiet_bit)
        }

        #[doc = concat!("`", stringify!($t), ".abs`: clears the sign bit (also of NaNs).")]
        #[inline]
        pub fn $abs(a: $t) -> $t {
            $t::from_bits(a.to_bits() & !(1 << ($bits::BITS - 1)))
        }

        #[doc = concat!("`", stringify!($t), ".neg`: flips the sign bit (also of NaNs).")]
        #[inline]
        pub fn $neg(a: $t) -> $t {
            $t::from_bits(a.to_bits() ^ (1 << ($bits::BITS - 1)))
        }

        #[doc = concat!("`", stringify!($t), ".copysign`: `a` with the sign bit of `b`.")]
        #[inline]
        pub fn $copysign(a: $t, b: $t) -> $t {
            const SIGN: $bits = 1 << ($bits::BITS - 1);
            $t::from_bits((a.to_bits() & !SIGN) | (b.to_bits() & SIGN))
        }

        #[doc = concat!("`", stringify!($t), ".ceil`: rounds toward +infinity.")]
        #[inline]
        pub fn $ceil(a: $t) -> $t {
            if a.is_nan() {
                $quiet(a)
            } else {
                a.ceil()
            }
        }

        #[doc = concat!("`", stringify!($t), ".floor`: rounds toward -infinity.")]
        #[inline]
        pub fn $floor(a: $t) -> $t {
            if a.is_nan() {
                $quiet(a)
            } else {
                a.floor()
            }
        }

        #[doc = concat!("`", stringify!($t), ".trunc`: rounds toward zero.")]
        #[inline]
        pub fn $trunc(a: $t) -> $t {
            if a.is_nan() {
                $quiet(a)
            } else {
                a.trunc()
            }
        }

        #[doc = concat!("`", stringify!($t), ".nearest`: rounds to the nearest integer, ties to even.")]
        #[inline]
        pub fn $nearest(a: $t) -> $t {
            if a.is_nan() {
                $quiet(a)
            } else {
                a.round_ties_even()
            }
        }

        #[doc = concat!("`", stringify!($t), ".sqrt`: correctly rounded square root.")]
        #[inline]
        pub fn $sqrt(a: $t) -> $t {
            a.sqrt()
        }

        #[doc = concat!("`", stringify!($t), ".add`: IEEE 754 addition.")]
        #[inline]
        pub fn $add(a: $t, b: $t) -> $t {
            a + b
        }

        #[doc = concat!("`", stringify!($t), ".sub`: IEEE 754 subtraction.")]
        #[inline]
        pub fn $sub(a: $t, b: $t) -> $t {
            a - b
        }

        #[doc = concat!("`", stringify!($t), ".mul`: IEEE 754 multiplication.")]
        #[inline]
        pub fn $mul(a: $t, b: $t) -> $t {
            a * b
        }

        #[doc = concat!("`", stringify!($t), ".div`: IEEE 754 division.")]
        #[inline]
        pub fn $div(a: $t, b: $t) -> $t {
            a / b
        }

        #[doc = concat!("`", stringify!($t), ".min`: the smaller operand; NaN if either is NaN; ",
                        "-0 is smaller than +0 (§4.3.3 `fmin`).")]
        #[inline]
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() {
                $quiet(a)
            } else if b.is_nan() {
                $quiet(b)
            } else if a == b {
                // Equal values have equal bits except for +0 and -0, where
                // or-ing the bits gives -0.
                $t::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }

        #[doc = concat!("`", stringify!($t), ".max`: the larger operand; NaN if either is NaN; ",
                        "+0 is larger than -0 (§4.3.3 `fmax`).")]
        #[inline]
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() {
                $quiet(a)
            } else if b.is_nan() {
                $quiet(b)
            } else if a == b {
                // And-ing the bits of +0 and -0 gives +0.
                $t::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }

        #[doc = concat!("`", stringify!($t), ".eq`: 1 if `a == b` (false for NaNs; -0 == +0).")]
        #[inline]
        pub fn $eq(a: $t, b: $t) -> i32 {
            (a == b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".ne`: 1 if `a != b` (true if either is NaN).")]
        #[inline]
        pub fn $ne(a: $t, b: $t) -> i32 {
            (a != b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".lt`: 1 if `a < b`.")]
        #[inline]
        pub fn $lt(a: $t, b: $t) -> i32 {
            (a < b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".gt`: 1 if `a > b`.")]
        #[inline]
        pub fn $gt(a: $t, b: $t) -> i32 {
            (a > b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".le`: 1 if `a <= b`.")]
        #[inline]
        pub fn $le(a: $t, b: $t) -> i32 {
            (a <= b) as i32
        }

        #[doc = concat!("`", stringify!($t), ".ge`: 1 if `a >= b`.")]
        #[inline]
        pub fn $ge(a: $t, b: $t) -> i32 {
            (a >= b) as i32
        }
    };
}

float_ops!(f32, u32, 0x0040_0000, f32_quiet,
    f32_abs f32_neg f32_copysign f32_ceil f32_floor f32_trunc f32_nearest f32_sqrt
    f32_add f32_sub f32_mul f32_div f32_min f32_max
    f32_eq f32_ne f32_lt f32_gt f32_le f32_ge);

float_ops!(f64, u64, 0x0008_0000_0000_0000, f64_quiet,
    f64_abs f64_neg f64_copysign f64_ceil f64_floor f64_trunc f64_nearest f64_sqrt
    f64_add f64_sub f64_mul f64_div f64_min f64_max
    f64_eq f64_ne f64_lt f64_gt f64_le f64_ge);
