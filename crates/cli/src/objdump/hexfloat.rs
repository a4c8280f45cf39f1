//! Floats as wabt writes them in `wasm-objdump` output: hexadecimal with
//! a normalised significand (`0x1.4p+1`, `-0x0p+0`, subnormals as
//! `0x1.p-149`), `inf`, `nan` for the canonical NaN and `nan:0x200000`
//! for another payload.

/// An `f32` given by its bits.
pub(crate) fn hex_f32(bits: u32) -> String {
    hex(u64::from(bits), 32, 23)
}

/// An `f64` given by its bits.
pub(crate) fn hex_f64(bits: u64) -> String {
    hex(bits, 64, 52)
}

/// A float of `width` bits with `sig_bits` significand bits.
fn hex(bits: u64, width: u32, sig_bits: u32) -> String {
    let exp_bits = width - 1 - sig_bits;
    let exp_mask = (1u64 << exp_bits) - 1;
    let bias = (exp_mask >> 1) as i64;
    let sig_mask = (1u64 << sig_bits) - 1;
    let negative = (bits >> (width - 1)) & 1 == 1;
    let raw_exp = (bits >> sig_bits) & exp_mask;
    let mut sig = bits & sig_mask;
    let mut s = String::new();
    if negative {
        s.push('-');
    }
    if raw_exp == exp_mask {
        if sig == 0 {
            s.push_str("inf");
        } else {
            s.push_str("nan");
            if sig != 1 << (sig_bits - 1) {
                s.push_str(&format!(":0x{sig:x}"));
            }
        }
        return s;
    }
    let is_zero = raw_exp == 0 && sig == 0;
    let mut exp = raw_exp as i64 - bias;
    s.push_str(if is_zero { "0x0" } else { "0x1" });
    if sig != 0 {
        // The significand's bits from the top of a 64-bit word.
        sig <<= 64 - sig_bits;
        if raw_exp == 0 {
            // Subnormal: shift out the leading zeros and the leading 1
            // (wabt keeps the `.` even when no digit follows).
            let zeros = sig.leading_zeros();
            sig = sig.checked_shl(zeros + 1).unwrap_or(0);
            exp -= i64::from(zeros);
        }
        s.push('.');
        while sig != 0 {
            let nybble = (sig >> 60) as u32;
            s.push(char::from_digit(nybble, 16).unwrap_or('0'));
            sig <<= 4;
        }
    }
    if is_zero {
        s.push_str("p+0");
    } else if exp < 0 {
        s.push_str(&format!("p-{}", -exp));
    } else {
        s.push_str(&format!("p+{exp}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values checked against `wasm-objdump -d` 1.0.42.
    #[test]
    fn as_wabt_writes_them() {
        assert_eq!(hex_f32(2.5f32.to_bits()), "0x1.4p+1");
        assert_eq!(hex_f32(1.5f32.to_bits()), "0x1.8p+0");
        assert_eq!(hex_f32((-0.0f32).to_bits()), "-0x0p+0");
        assert_eq!(hex_f32(0x7fc0_0000), "nan");
        assert_eq!(hex_f32(0xffa0_0000), "-nan:0x200000");
        assert_eq!(hex_f32(0x7f80_0000), "inf");
        assert_eq!(hex_f64((-0.25f64).to_bits()), "-0x1p-2");
        assert_eq!(hex_f64(1e300f64.to_bits()), "0x1.7e43c8800759cp+996");
        assert_eq!(hex_f64(0x7ff0_0000_0000_0001), "nan:0x1");
        assert_eq!(hex_f32(1), "0x1.p-149");
        assert_eq!(hex_f64(1), "0x1.p-1074");
        assert_eq!(hex_f32(3), "0x1.8p-148");
    }
}
