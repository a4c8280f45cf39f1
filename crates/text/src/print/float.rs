//! Exact text for float immediates (§6.6.4).
//!
//! Finite values are printed as the shortest decimal that reads back to the
//! same bits (Rust's `Debug` formatting, which is valid WAT: `1.0`, `1e-7`,
//! `3.4028235e38`, `-0.0`). Infinities are `inf`/`-inf`; NaNs are `nan` for
//! the canonical payload and `nan:0x...` otherwise, with a `-` for a set sign
//! bit, so that every bit pattern survives a round trip.

use std::fmt::Write;

/// Appends the text of the `f32` with the given bits.
pub(crate) fn write_f32(out: &mut String, bits: u32) {
    const EXP: u32 = 0x7f80_0000;
    const MANT: u32 = 0x007f_ffff;
    const CANONICAL: u32 = 0x0040_0000;
    let negative = bits >> 31 != 0;
    if bits & EXP == EXP {
        write_special(out, negative, u64::from(bits & MANT), u64::from(CANONICAL));
    } else {
        let _ = write!(out, "{:?}", f32::from_bits(bits));
    }
}

/// Appends the text of the `f64` with the given bits.
pub(crate) fn write_f64(out: &mut String, bits: u64) {
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    const MANT: u64 = 0x000f_ffff_ffff_ffff;
    const CANONICAL: u64 = 0x0008_0000_0000_0000;
    let negative = bits >> 63 != 0;
    if bits & EXP == EXP {
        write_special(out, negative, bits & MANT, CANONICAL);
    } else {
        let _ = write!(out, "{:?}", f64::from_bits(bits));
    }
}

/// Infinity (payload 0) or NaN.
fn write_special(out: &mut String, negative: bool, payload: u64, canonical: u64) {
    if negative {
        out.push('-');
    }
    if payload == 0 {
        out.push_str("inf");
    } else if payload == canonical {
        out.push_str("nan");
    } else {
        let _ = write!(out, "nan:0x{payload:x}");
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fixed-seed xorshift generator, so that failures reproduce.
    pub(crate) struct XorShift(pub u64);

    impl XorShift {
        pub(crate) fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
    }

    /// Reads back what `write_f32`/`write_f64` print, independently of the
    /// text parser: Rust's float parser for finite values, the special
    /// forms by hand. Returns (sign, exponent-all-ones payload or finite
    /// bits).
    fn parse_f64_text(s: &str) -> u64 {
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s),
        };
        let sign = u64::from(neg) << 63;
        let special = |payload: u64| sign | 0x7ff0_0000_0000_0000 | payload;
        match body {
            "inf" => special(0),
            "nan" => special(0x0008_0000_0000_0000),
            _ => match body.strip_prefix("nan:0x") {
                Some(hex) => special(u64::from_str_radix(hex, 16).expect("hex payload")),
                None => s.parse::<f64>().expect("decimal").to_bits(),
            },
        }
    }

    fn parse_f32_text(s: &str) -> u32 {
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s),
        };
        let sign = u32::from(neg) << 31;
        let special = |payload: u32| sign | 0x7f80_0000 | payload;
        match body {
            "inf" => special(0),
            "nan" => special(0x0040_0000),
            _ => match body.strip_prefix("nan:0x") {
                Some(hex) => special(u32::from_str_radix(hex, 16).expect("hex payload")),
                None => s.parse::<f32>().expect("decimal").to_bits(),
            },
        }
    }

    /// Interesting f32 bit patterns plus random ones, including patterns
    /// biased towards NaNs, infinities and subnormals.
    pub(crate) fn f32_samples() -> Vec<u32> {
        let mut v = vec![
            0,
            0x8000_0000,
            1,
            0x8000_0001,
            0x007f_ffff,
            0x0080_0000,
            0x7f7f_ffff,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0xffc0_0000,
            0x7f80_0001,
            0x7fa0_0000,
            0xffff_ffff,
            0x3f80_0000,
            0x3dcc_cccd,
        ];
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for i in 0..20_000 {
            let r = rng.next() as u32;
            v.push(match i % 4 {
                0 => r | 0x7f80_0000,
                1 => r & 0x807f_ffff,
                _ => r,
            });
        }
        v
    }

    /// As [`f32_samples`], for f64.
    pub(crate) fn f64_samples() -> Vec<u64> {
        let mut v = vec![
            0,
            1 << 63,
            1,
            0x000f_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0xfff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
            0x7ff4_0000_0000_0000,
            u64::MAX,
            0x3ff0_0000_0000_0000,
            0x3fb9_9999_9999_999a,
        ];
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for i in 0..20_000 {
            let r = rng.next();
            v.push(match i % 4 {
                0 => r | 0x7ff0_0000_0000_0000,
                1 => r & 0x800f_ffff_ffff_ffff,
                _ => r,
            });
        }
        v
    }

    #[test]
    fn f32_round_trip() {
        for bits in f32_samples() {
            let mut s = String::new();
            write_f32(&mut s, bits);
            assert_eq!(parse_f32_text(&s), bits, "{bits:#010x} printed as {s}");
        }
    }

    #[test]
    fn f64_round_trip() {
        for bits in f64_samples() {
            let mut s = String::new();
            write_f64(&mut s, bits);
            assert_eq!(parse_f64_text(&s), bits, "{bits:#018x} printed as {s}");
        }
    }

    /// Every sample printed into a function body reads back, with our
    /// text parser, to the same bits.
    #[test]
    fn our_parser_reads_back_the_same_bits() {
        use weft_binary::Reader;
        use weft_syntax::{Features, Instr};
        let f32s = f32_samples();
        let f64s = f64_samples();
        for (c32, c64) in f32s.chunks(500).zip(f64s.chunks(500)) {
            let mut src = String::from("(module (func\n");
            for &b in c32 {
                src.push_str("f32.const ");
                write_f32(&mut src, b);
                src.push_str(" drop\n");
            }
            for &b in c64 {
                src.push_str("f64.const ");
                write_f64(&mut src, b);
                src.push_str(" drop\n");
            }
            src.push_str("))");
            let m = crate::parse_wat(&src, Features::WASM2).expect("printed floats parse");
            let body = &m.code[0].body;
            let mut r = Reader::new_at(&body.bytes, 0, Features::WASM2);
            let (mut i32s, mut i64s) = (c32.iter(), c64.iter());
            while !r.is_empty() {
                match r.read_instr().expect("body") {
                    Instr::F32Const { value } => {
                        assert_eq!(Some(&value.0), i32s.next(), "f32 {:#010x}", value.0)
                    }
                    Instr::F64Const { value } => {
                        assert_eq!(Some(&value.0), i64s.next(), "f64 {:#018x}", value.0)
                    }
                    _ => {}
                }
            }
            assert!(i32s.next().is_none() && i64s.next().is_none());
        }
    }

    #[test]
    fn special_spellings() {
        let p32 = |b| {
            let mut s = String::new();
            write_f32(&mut s, b);
            s
        };
        assert_eq!(p32(0x7fc0_0000), "nan");
        assert_eq!(p32(0xffc0_0000), "-nan");
        assert_eq!(p32(0x7f80_0001), "nan:0x1");
        assert_eq!(p32(0xff80_0000), "-inf");
        assert_eq!(p32(0x8000_0000), "-0.0");
        assert_eq!(p32(0x3f80_0000), "1.0");
        let mut s = String::new();
        write_f64(&mut s, 0x7ff4_0000_0000_0000);
        assert_eq!(s, "nan:0x4000000000000");
    }
}
