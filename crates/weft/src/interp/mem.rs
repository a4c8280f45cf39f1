//! What each load and store does with its bytes (§4.4.7): one function per
//! memory instruction, named after its mnemonic, from the little-endian
//! bytes read to the value (loads) or from the value to the bytes written
//! (stores). The interpreter does the address computation and the bounds
//! check, and picks the function with `instr_fn!`.

use crate::ops::V128;

macro_rules! int_loads {
    ($($name:ident: $n:literal => $t:ty, $via:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(b: [u8; $n]) -> $t {
            <$via>::from_le_bytes(b) as $t
        }
    )*};
}

int_loads! {
    i32_load: 4 => i32, i32;
    i64_load: 8 => i64, i64;
    i32_load8_s: 1 => i32, i8;
    i32_load8_u: 1 => i32, u8;
    i32_load16_s: 2 => i32, i16;
    i32_load16_u: 2 => i32, u16;
    i64_load8_s: 1 => i64, i8;
    i64_load8_u: 1 => i64, u8;
    i64_load16_s: 2 => i64, i16;
    i64_load16_u: 2 => i64, u16;
    i64_load32_s: 4 => i64, i32;
    i64_load32_u: 4 => i64, u32;
}

#[inline(always)]
pub(crate) fn f32_load(b: [u8; 4]) -> f32 {
    f32::from_bits(u32::from_le_bytes(b))
}

#[inline(always)]
pub(crate) fn f64_load(b: [u8; 8]) -> f64 {
    f64::from_bits(u64::from_le_bytes(b))
}

macro_rules! int_stores {
    ($($name:ident: $t:ty => $n:literal, $via:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(v: $t) -> [u8; $n] {
            (v as $via).to_le_bytes()
        }
    )*};
}

int_stores! {
    i32_store: i32 => 4, i32;
    i64_store: i64 => 8, i64;
    i32_store8: i32 => 1, u8;
    i32_store16: i32 => 2, u16;
    i64_store8: i64 => 1, u8;
    i64_store16: i64 => 2, u16;
    i64_store32: i64 => 4, u32;
}

#[inline(always)]
pub(crate) fn f32_store(v: f32) -> [u8; 4] {
    v.to_bits().to_le_bytes()
}

#[inline(always)]
pub(crate) fn f64_store(v: f64) -> [u8; 8] {
    v.to_bits().to_le_bytes()
}

#[inline(always)]
pub(crate) fn v128_load(b: [u8; 16]) -> V128 {
    V128(u128::from_le_bytes(b))
}

#[inline(always)]
pub(crate) fn v128_store(v: V128) -> [u8; 16] {
    v.0.to_le_bytes()
}

/// `v128.loadMxN_sx`: N lanes of M bits, extended to 2M bits.
macro_rules! extend_loads {
    ($($name:ident: $from:ty => $to:ty, $n:literal, $w:literal;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(b: [u8; 8]) -> V128 {
            let mut r = 0u128;
            for i in 0..$n {
                let mut lane = [0u8; $w / 8];
                lane.copy_from_slice(&b[i * ($w / 8)..(i + 1) * ($w / 8)]);
                let v = <$from>::from_le_bytes(lane) as $to;
                r |= (v as u128 & ((1u128 << (2 * $w)) - 1)) << (2 * $w * i);
            }
            V128(r)
        }
    )*};
}

extend_loads! {
    v128_load8x8_s: i8 => i16, 8, 8;
    v128_load8x8_u: u8 => u16, 8, 8;
    v128_load16x4_s: i16 => i32, 4, 16;
    v128_load16x4_u: u16 => u32, 4, 16;
    v128_load32x2_s: i32 => i64, 2, 32;
    v128_load32x2_u: u32 => u64, 2, 32;
}

macro_rules! splat_loads {
    ($($name:ident: $n:literal, $via:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(b: [u8; $n]) -> V128 {
            let v = <$via>::from_le_bytes(b) as u128;
            let mut r = 0u128;
            for i in 0..(16 / $n) {
                r |= v << (8 * $n * i);
            }
            V128(r)
        }
    )*};
}

splat_loads! {
    v128_load8_splat: 1, u8;
    v128_load16_splat: 2, u16;
    v128_load32_splat: 4, u32;
    v128_load64_splat: 8, u64;
}

#[inline(always)]
pub(crate) fn v128_load32_zero(b: [u8; 4]) -> V128 {
    V128(u128::from(u32::from_le_bytes(b)))
}

#[inline(always)]
pub(crate) fn v128_load64_zero(b: [u8; 8]) -> V128 {
    V128(u128::from(u64::from_le_bytes(b)))
}

macro_rules! lane_accesses {
    ($($load:ident $store:ident: $n:literal, $via:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $load(b: [u8; $n], v: V128, lane: u8) -> V128 {
            let shift = 8 * $n * (u32::from(lane) % (16 / $n));
            let mask = (<$via>::MAX as u128) << shift;
            let x = (<$via>::from_le_bytes(b) as u128) << shift;
            V128((v.0 & !mask) | x)
        }

        #[inline(always)]
        pub(crate) fn $store(v: V128, lane: u8) -> [u8; $n] {
            let shift = 8 * $n * (u32::from(lane) % (16 / $n));
            ((v.0 >> shift) as $via).to_le_bytes()
        }
    )*};
}

lane_accesses! {
    v128_load8_lane v128_store8_lane: 1, u8;
    v128_load16_lane v128_store16_lane: 2, u16;
    v128_load32_lane v128_store32_lane: 4, u32;
    v128_load64_lane v128_store64_lane: 8, u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extends_and_lanes() {
        let b = [0xff, 1, 0x80, 0, 0, 0, 0, 0];
        assert_eq!(v128_load8x8_s(b).to_i16x8()[0], -1);
        assert_eq!(v128_load8x8_u(b).to_i16x8()[0], 255);
        assert_eq!(v128_load8x8_s(b).to_i16x8()[2], -128);
        assert_eq!(
            v128_load32x2_s([0, 0, 0, 0x80, 1, 0, 0, 0]).to_i64x2(),
            [i32::MIN as i64, 1]
        );
        assert_eq!(v128_load16_splat([1, 2]).to_u16x8(), [0x201; 8]);
        let v = v128_load16_lane([0xaa, 0xbb], V128(0), 7);
        assert_eq!(v.to_u16x8()[7], 0xbbaa);
        assert_eq!(v128_store16_lane(v, 7), [0xaa, 0xbb]);
    }
}
