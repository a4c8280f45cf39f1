//! Tests of the pure numerics: hand-picked edge cases. The spec
//! testsuite's assertions are checked in `spec_tests`.

use super::*;

// ---------------------------------------------------------------------------
// Hand-picked edge cases.

#[test]
fn integer_division_and_remainder() {
    use TrapCode::*;
    assert_eq!(i32_div_s(7, 0), Err(IntegerDivisionByZero));
    assert_eq!(i32_div_s(i32::MIN, -1), Err(IntegerOverflow));
    assert_eq!(i32_div_s(-7, 2), Ok(-3));
    assert_eq!(i32_div_u(-1, 2), Ok(0x7FFF_FFFF));
    assert_eq!(i32_div_u(1, 0), Err(IntegerDivisionByZero));
    assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
    assert_eq!(i32_rem_s(-7, 2), Ok(-1));
    assert_eq!(i32_rem_s(7, 0), Err(IntegerDivisionByZero));
    assert_eq!(i32_rem_u(-1, 10), Ok(5));
    assert_eq!(i64_div_s(i64::MIN, -1), Err(IntegerOverflow));
    assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
    assert_eq!(i64_rem_u(5, 0), Err(IntegerDivisionByZero));
    assert_eq!(i64_div_u(-1, 3), Ok(0x5555_5555_5555_5555));
}

#[test]
fn integer_bits() {
    assert_eq!(i32_shl(1, 33), 2);
    assert_eq!(i32_shr_s(i32::MIN, 63), -1);
    assert_eq!(i32_shr_u(i32::MIN, -1), 1);
    assert_eq!(i32_rotl(0x8000_0001u32 as i32, 33), 3);
    assert_eq!(i32_rotr(3, -31), 0x8000_0001u32 as i32);
    assert_eq!(i64_rotl(1, 64 + 63), i64::MIN);
    assert_eq!(i64_shl(1, 64), 1);
    assert_eq!(i32_clz(0), 32);
    assert_eq!(i32_ctz(0), 32);
    assert_eq!(i64_clz(0), 64);
    assert_eq!(i64_ctz(i64::MIN), 63);
    assert_eq!(i64_popcnt(-1), 64);
    assert_eq!(i32_extend8_s(0x80), -128);
    assert_eq!(i32_extend16_s(0x1_7FFF), 0x7FFF);
    assert_eq!(i64_extend32_s(0x8000_0000), -0x8000_0000);
    assert_eq!(i64_extend_i32_u(-1), 0xFFFF_FFFF);
    assert_eq!(i32_wrap_i64(0x1_0000_0005), 5);
    assert_eq!(i32_lt_u(-1, 0), 0);
    assert_eq!(i64_ge_u(-1, 0), 1);
}

const F32_CANON: u32 = 0x7FC0_0000;
const F64_CANON: u64 = 0x7FF8_0000_0000_0000;

pub(super) fn is_canonical_f32(x: f32) -> bool {
    x.to_bits() & 0x7FFF_FFFF == F32_CANON
}

pub(super) fn is_arithmetic_f32(x: f32) -> bool {
    x.to_bits() & F32_CANON == F32_CANON
}

pub(super) fn is_canonical_f64(x: f64) -> bool {
    x.to_bits() & !(1 << 63) == F64_CANON
}

pub(super) fn is_arithmetic_f64(x: f64) -> bool {
    x.to_bits() & F64_CANON == F64_CANON
}

#[test]
fn float_signs_and_nans() {
    let snan = f32::from_bits(0xFFA0_0001);
    assert_eq!(f32_abs(snan).to_bits(), 0x7FA0_0001);
    assert_eq!(f32_neg(snan).to_bits(), 0x7FA0_0001);
    assert_eq!(f32_copysign(snan, 1.0).to_bits(), 0x7FA0_0001);
    assert_eq!(f64_copysign(1.0, -0.0), -1.0);
    assert_eq!(
        f64_neg(f64::from_bits(F64_CANON)).to_bits(),
        F64_CANON | 1 << 63
    );

    assert_eq!(f32_min(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(f32_min(-0.0, 0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(f32_max(-0.0, 0.0).to_bits(), 0);
    assert_eq!(f64_max(0.0, -0.0).to_bits(), 0);
    assert!(is_canonical_f32(f32_min(f32::from_bits(F32_CANON), 1.0)));
    assert!(is_arithmetic_f32(f32_max(1.0, snan)));
    assert!(is_arithmetic_f64(f64_min(
        f64::from_bits(0x7FF0_0000_0000_0001),
        1.0
    )));

    assert!(is_arithmetic_f32(f32_ceil(snan)));
    assert!(is_arithmetic_f32(f32_add(snan, 1.0)));
    assert!(is_canonical_f32(f32_sub(f32::INFINITY, f32::INFINITY)));
    assert!(is_canonical_f64(f64_sqrt(-1.0)));
    assert!(is_canonical_f64(f64_mul(0.0, f64::INFINITY)));
    assert!(is_canonical_f64(f64_div(0.0, 0.0)));
}

#[test]
fn float_rounding() {
    assert_eq!(f32_nearest(2.5), 2.0);
    assert_eq!(f32_nearest(3.5), 4.0);
    assert_eq!(f32_nearest(-0.5).to_bits(), (-0.0f32).to_bits());
    assert_eq!(f64_nearest(4503599627370497.0), 4503599627370497.0);
    assert_eq!(f64_nearest(-4503599627370495.5), -4503599627370496.0);
    assert_eq!(f32_ceil(-0.5).to_bits(), (-0.0f32).to_bits());
    assert_eq!(f64_floor(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(f64_trunc(-0.9).to_bits(), (-0.0f64).to_bits());
    assert_eq!(f32_floor(-1.5), -2.0);
}

#[test]
fn float_to_int() {
    use TrapCode::*;
    assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
    assert_eq!(i32_trunc_f32_s(2147483648.0), Err(IntegerOverflow));
    assert_eq!(i32_trunc_f32_s(-2147483904.0), Err(IntegerOverflow));
    assert_eq!(i32_trunc_f32_s(f32::NAN), Err(BadConversionToInteger));
    assert_eq!(i32_trunc_f32_u(-0.99999994), Ok(0));
    assert_eq!(i32_trunc_f32_u(-1.0), Err(IntegerOverflow));
    assert_eq!(i32_trunc_f32_u(4294967040.0), Ok(-256));
    assert_eq!(i32_trunc_f32_u(4294967296.0), Err(IntegerOverflow));
    assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
    assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(IntegerOverflow));
    assert_eq!(i32_trunc_f64_s(2147483647.9), Ok(i32::MAX));
    assert_eq!(i32_trunc_f64_u(4294967295.9), Ok(-1));
    assert_eq!(i32_trunc_f64_u(-0.9999999999), Ok(0));
    assert_eq!(i32_trunc_f64_u(f64::INFINITY), Err(IntegerOverflow));
    assert_eq!(i64_trunc_f32_s(-9223372036854775808.0), Ok(i64::MIN));
    assert_eq!(i64_trunc_f32_s(9223372036854775808.0), Err(IntegerOverflow));
    assert_eq!(
        i64_trunc_f32_s(-9223373136366403584.0),
        Err(IntegerOverflow)
    );
    assert_eq!(
        i64_trunc_f32_s(9223371487098961920.0),
        Ok(9223371487098961920)
    );
    assert_eq!(
        i64_trunc_f64_s(-9223372036854777856.0),
        Err(IntegerOverflow)
    );
    assert_eq!(i32_trunc_f32_s(f32::NEG_INFINITY), Err(IntegerOverflow));
    assert_eq!(i64_trunc_f32_u(18446742974197923840.0), Ok(-1099511627776));
    assert_eq!(
        i64_trunc_f32_u(18446744073709551616.0),
        Err(IntegerOverflow)
    );
    assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
    assert_eq!(i64_trunc_f64_s(9223372036854775808.0), Err(IntegerOverflow));
    assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(-2048));
    assert_eq!(i64_trunc_f64_u(-f64::NAN), Err(BadConversionToInteger));

    assert_eq!(i32_trunc_sat_f32_s(f32::NAN), 0);
    assert_eq!(i32_trunc_sat_f32_s(-3e9), i32::MIN);
    assert_eq!(i32_trunc_sat_f32_u(-1.0), 0);
    assert_eq!(i32_trunc_sat_f64_u(1e10), -1);
    assert_eq!(i64_trunc_sat_f64_s(f64::INFINITY), i64::MAX);
    assert_eq!(i64_trunc_sat_f32_u(f32::INFINITY), -1);
}

#[test]
fn int_to_float() {
    // Rounding once: through f64 these would round twice.
    assert_eq!(
        f32_convert_i64_u(0x0020_0000_2000_0001).to_bits(),
        0x5A00_0001
    );
    assert_eq!(
        f32_convert_i64_s(0x0020_0000_2000_0001).to_bits(),
        0x5A00_0001
    );
    assert_eq!(f32_convert_i64_u(-1).to_bits(), 0x5F80_0000);
    assert_eq!(
        f32_convert_i64_u(0x7FFF_FF40_0000_0001).to_bits(),
        0x5EFF_FFFF
    );
    assert_eq!(f32_convert_i32_u(-1).to_bits(), 0x4F80_0000);
    assert_eq!(f32_convert_i32_s(16777217), 16777216.0);
    assert_eq!(f32_convert_i32_s(16777219), 16777220.0);
    assert_eq!(f64_convert_i64_u(-1), 18446744073709551616.0);
    assert_eq!(f64_convert_i64_s(9007199254740993), 9007199254740992.0);
    assert_eq!(f64_convert_i32_u(-1), 4294967295.0);
}

#[test]
fn demote_promote_reinterpret() {
    assert_eq!(
        f32_demote_f64(f64::from_bits(F64_CANON)).to_bits(),
        F32_CANON
    );
    assert_eq!(
        f32_demote_f64(f64::from_bits(0xFFF4_0000_0000_0000)).to_bits(),
        0xFFE0_0000
    );
    assert!(is_arithmetic_f32(f32_demote_f64(f64::from_bits(
        0x7FF0_0000_0000_0001
    ))));
    assert_eq!(f32_demote_f64(3.4028235677973366e38), f32::INFINITY);
    assert_eq!(f32_demote_f64(1.401298464324817e-45).to_bits(), 1);
    assert_eq!(f32_demote_f64(7.006492321624085e-46).to_bits(), 0);
    assert_eq!(
        f64_promote_f32(f32::from_bits(F32_CANON)).to_bits(),
        F64_CANON
    );
    assert_eq!(
        f64_promote_f32(f32::from_bits(0xFFA0_0000)).to_bits(),
        0xFFFC_0000_0000_0000
    );
    assert_eq!(
        i32_reinterpret_f32(f32_reinterpret_i32(0x7FA0_0001)),
        0x7FA0_0001
    );
    assert_eq!(
        i64_reinterpret_f64(f64_reinterpret_i64(-0x7_0001)),
        -0x7_0001
    );
}

fn v8(l: [u8; 16]) -> V128 {
    V128::from_u8x16(l)
}

#[test]
fn v128_lanes() {
    let v = V128(0x0F0E_0D0C_0B0A_0908_0706_0504_0302_0100);
    assert_eq!(v.to_u8x16()[0], 0);
    assert_eq!(v.to_u8x16()[15], 15);
    assert_eq!(v.to_u16x8()[1], 0x0302);
    assert_eq!(V128::from_u32x4(v.to_u32x4()), v);
    assert_eq!(V128::from_f64x2(v.to_f64x2()), v);
    assert_eq!(
        V128::from(weft_syntax::V128(core::array::from_fn(|i| i as u8))),
        v
    );
    assert_eq!(i8x16_extract_lane_u(v, 15), 15);
    // Lane indices are masked: never a panic.
    assert_eq!(i8x16_extract_lane_u(v, 16 + 3), 3);
    assert_eq!(i64x2_extract_lane(v, 255), 0x0F0E_0D0C_0B0A_0908);
    assert_eq!(i16x8_replace_lane(V128(0), -1, 7), V128(0xFFFF << 112));
    assert_eq!(f64x2_replace_lane(V128(0), 1.0, 9).to_f64x2(), [0.0, 1.0]);
    assert_eq!(i8x16_splat(0x1FF), V128(u128::MAX));
    assert_eq!(i16x8_splat(0x1_0002).to_i16x8(), [2; 8]);
    assert_eq!(i64x2_splat(-2).to_i64x2(), [-2; 2]);
}

#[test]
fn simd_edge_cases() {
    let v = V128(0x0F0E_0D0C_0B0A_0908_0706_0504_0302_0100);
    let sel = v8([15, 16, 255, 0, 1, 0x80, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(
        i8x16_swizzle(v, sel).to_u8x16(),
        [15, 0, 0, 0, 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    );
    let w = v128_not(v);
    let lanes = [0, 31, 16, 15, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 255];
    assert_eq!(
        i8x16_shuffle(v, w, &lanes).to_u8x16(),
        [0, !15, !0, 15, 1, !1, 2, !2, 3, !3, 4, !4, 5, !5, 6, !15]
    );
    assert_eq!(i8x16_bitmask(V128(0x80 | 0x80 << 120)), 0x8001);
    assert_eq!(i64x2_bitmask(V128(1 << 63)), 1);
    assert_eq!(i16x8_all_true(i16x8_splat(0x100)), 1);
    assert_eq!(i32x4_all_true(V128(u128::MAX >> 32)), 0);
    assert_eq!(v128_any_true(V128(1 << 127)), 1);
    assert_eq!(i8x16_abs(i8x16_splat(-128)), i8x16_splat(-128));
    assert_eq!(i8x16_popcnt(i8x16_splat(0xF7)), i8x16_splat(7));
    assert_eq!(i8x16_shl(i8x16_splat(1), 9), i8x16_splat(2));
    assert_eq!(i16x8_shr_s(i16x8_splat(-4), 17), i16x8_splat(-2));
    assert_eq!(i64x2_shr_u(i64x2_splat(-1), 127), i64x2_splat(1));
    assert_eq!(i8x16_lt_u(i8x16_splat(1), i8x16_splat(-1)), V128(u128::MAX));
    assert_eq!(i8x16_lt_s(i8x16_splat(1), i8x16_splat(-1)), V128(0));
    assert_eq!(
        i8x16_avgr_u(i8x16_splat(255), i8x16_splat(0)),
        i8x16_splat(128)
    );
    assert_eq!(
        i16x8_q15mulr_sat_s(i16x8_splat(-0x8000), i16x8_splat(-0x8000)),
        i16x8_splat(0x7FFF)
    );
    assert_eq!(
        i32x4_dot_i16x8_s(i16x8_splat(-0x8000), i16x8_splat(-0x8000)),
        i32x4_splat(i32::MIN)
    );
    assert_eq!(
        i8x16_narrow_i16x8_s(i16x8_splat(300), i16x8_splat(-300)).to_i8x16(),
        [127, 127, 127, 127, 127, 127, 127, 127, -128, -128, -128, -128, -128, -128, -128, -128]
    );
    assert_eq!(
        i16x8_narrow_i32x4_u(i32x4_splat(-5), i32x4_splat(70000)).to_u16x8(),
        [0, 0, 0, 0, 65535, 65535, 65535, 65535]
    );
    let h = V128::from_i16x8([1, -2, 3, -4, 5, -6, 7, -8]);
    assert_eq!(i32x4_extend_high_i16x8_s(h).to_i32x4(), [5, -6, 7, -8]);
    assert_eq!(i32x4_extend_low_i16x8_u(h).to_i32x4(), [1, 65534, 3, 65532]);
    assert_eq!(
        i32x4_extadd_pairwise_i16x8_s(h).to_i32x4(),
        [-1, -1, -1, -1]
    );
    assert_eq!(
        i64x2_extmul_high_i32x4_u(V128(u128::MAX), V128(u128::MAX)).to_u64x2(),
        [0xFFFF_FFFE_0000_0001; 2]
    );
    let nan = f32::from_bits(0x7FC0_0001);
    let p = V128::from_f32x4([nan, 1.0, -0.0, 0.0]);
    let q = V128::from_f32x4([1.0, nan, 0.0, -0.0]);
    assert_eq!(
        f32x4_pmin(p, q).to_u32x4(),
        [0x7FC0_0001, 1.0f32.to_bits(), (-0.0f32).to_bits(), 0]
    );
    assert_eq!(
        f32x4_pmax(p, q).to_u32x4(),
        [0x7FC0_0001, 1.0f32.to_bits(), (-0.0f32).to_bits(), 0]
    );
    assert_eq!(f32x4_eq(p, p).to_i32x4(), [0, -1, -1, -1]);
    assert_eq!(f32x4_ne(p, q).to_i32x4(), [-1, -1, 0, 0]);
    assert_eq!(
        i32x4_trunc_sat_f64x2_u_zero(V128::from_f64x2([-1.5, 5e9])).to_i32x4(),
        [0, -1, 0, 0]
    );
    assert_eq!(
        f32x4_demote_f64x2_zero(V128::from_f64x2([1.5, f64::MAX])).to_f32x4(),
        [1.5, f32::INFINITY, 0.0, 0.0]
    );
    assert_eq!(
        f64x2_convert_low_i32x4_u(V128::from_i32x4([-1, 2, 3, 4])).to_f64x2(),
        [4294967295.0, 2.0]
    );
    assert_eq!(
        v128_bitselect(V128(u128::MAX), V128(0), V128(0xF0)),
        V128(0xF0)
    );
    assert_eq!(v128_andnot(V128(0xFF), V128(0x0F)), V128(0xF0));
}

#[test]
fn into_trap_result() {
    assert_eq!(i32_add(1, 2).into_trap_result(), Ok(3));
    assert_eq!(
        i32_div_u(1, 0).into_trap_result(),
        Err(TrapCode::IntegerDivisionByZero)
    );
    assert_eq!(v128_not(V128(0)).into_trap_result(), Ok(V128(u128::MAX)));
    assert_eq!(TrapCode::IntegerOverflow.to_string(), "integer overflow");
}
