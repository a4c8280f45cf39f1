//! Values of numeric literals (§6.3.2, §6.3.3).
//!
//! Integers are accumulated with overflow checks. Decimal floats are
//! converted with the standard library's `from_str`, which is correctly
//! rounded (round to nearest, ties to even) for `f32` and `f64` separately,
//! so `f32` literals are never double-rounded through `f64`. Hexadecimal
//! floats are converted by [`hex_float`], which keeps 60 significant bits
//! plus a sticky bit and rounds once, exactly.

use crate::lexer::scan_digits;

/// The value of a `num` or `0x hexnum` without sign, `None` on overflow.
pub(crate) fn parse_nat(text: &str) -> Option<u64> {
    let (radix, digits) = match text.strip_prefix("0x") {
        Some(d) => (16, d),
        None => (10, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits.bytes() {
        if c == b'_' {
            continue;
        }
        let d = (c as char).to_digit(radix)?;
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(v)
}

/// The value of an integer literal as an `N`-bit pattern (`iN`, §6.3.2):
/// unsigned literals up to `2^N - 1`, negative ones down to `-2^(N-1)`.
/// `None` if the literal is out of range.
pub(crate) fn parse_int(text: &str, bits: u32) -> Option<u64> {
    let (neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let v = parse_nat(rest)?;
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    if neg {
        if v > 1u64 << (bits - 1) {
            return None;
        }
        Some(v.wrapping_neg() & mask)
    } else {
        (v <= mask).then_some(v)
    }
}

/// A binary floating-point format.
#[derive(Clone, Copy)]
pub(crate) struct FloatFormat {
    /// Explicit mantissa bits (23 or 52).
    mant_bits: u32,
    /// Exponent bits (8 or 11).
    exp_bits: u32,
}

/// `f32`.
pub(crate) const F32: FloatFormat = FloatFormat {
    mant_bits: 23,
    exp_bits: 8,
};
/// `f64`.
pub(crate) const F64: FloatFormat = FloatFormat {
    mant_bits: 52,
    exp_bits: 11,
};

/// The bit pattern of a float literal (any number token) in `fmt`, `None`
/// if it is out of range (rounds to infinity, or a NaN payload that does
/// not fit).
pub(crate) fn parse_float(text: &str, fmt: FloatFormat) -> Option<u64> {
    let (neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = if neg {
        1u64 << (fmt.mant_bits + fmt.exp_bits)
    } else {
        0
    };
    let exp_all = ((1u64 << fmt.exp_bits) - 1) << fmt.mant_bits;
    let magnitude = if rest == "inf" {
        exp_all
    } else if rest == "nan" {
        exp_all | 1u64 << (fmt.mant_bits - 1)
    } else if let Some(payload) = rest.strip_prefix("nan:0x") {
        let p = parse_nat(&format!("0x{payload}"))?;
        if p == 0 || p >= 1u64 << fmt.mant_bits {
            return None;
        }
        exp_all | p
    } else if let Some(hex) = rest.strip_prefix("0x") {
        hex_float(hex, fmt)?
    } else {
        let clean: String = rest.chars().filter(|&c| c != '_').collect();
        if fmt.mant_bits == 23 {
            let v: f32 = clean.parse().ok()?;
            if v.is_infinite() {
                return None;
            }
            u64::from(v.to_bits())
        } else {
            let v: f64 = clean.parse().ok()?;
            if v.is_infinite() {
                return None;
            }
            v.to_bits()
        }
    };
    Some(sign | magnitude)
}

/// Correctly rounded conversion of a hexadecimal float body (after `0x`,
/// without sign): `hexnum ('.' hexnum?)? ([pP] sign? num)?`.
fn hex_float(text: &str, fmt: FloatFormat) -> Option<u64> {
    let b = text.as_bytes();
    let int_len = scan_digits(b, true);
    let mut i = int_len;
    let (frac_start, frac_end) = if b.get(i) == Some(&b'.') {
        let s = i + 1;
        i = s + scan_digits(&b[s..], true);
        (s, i)
    } else {
        (i, i)
    };
    let mut exp: i64 = 0;
    if matches!(b.get(i), Some(b'p' | b'P')) {
        i += 1;
        let neg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        for &c in &b[i..] {
            if c.is_ascii_digit() {
                // Saturate: anything this large is out of range or zero.
                exp = (exp * 10 + i64::from(c - b'0')).min(1 << 40);
            }
        }
        if neg {
            exp = -exp;
        }
    }
    // value = m * 2^e, with `sticky` set if nonzero digits were dropped.
    let mut m: u64 = 0;
    let mut e: i64 = 0;
    let mut sticky = false;
    let digit = |c: u8| u64::from((c as char).to_digit(16).unwrap_or(0));
    for &c in &b[..int_len] {
        if c == b'_' {
            continue;
        }
        if m >> 60 == 0 {
            m = m * 16 + digit(c);
        } else {
            sticky |= digit(c) != 0;
            e += 4;
        }
    }
    for &c in &b[frac_start..frac_end] {
        if c == b'_' {
            continue;
        }
        if m >> 60 == 0 {
            m = m * 16 + digit(c);
            e -= 4;
        } else {
            sticky |= digit(c) != 0;
        }
    }
    e += exp;
    round_to_format(m, e, sticky, fmt)
}

/// Rounds `m * 2^e` (plus a nonzero amount below `m`'s last bit if
/// `sticky`) to nearest, ties to even, and encodes it without sign. `None`
/// if the result is infinite.
pub(crate) fn round_to_format(m: u64, e: i64, sticky: bool, fmt: FloatFormat) -> Option<u64> {
    if m == 0 {
        return Some(0);
    }
    let bits = i64::from(64 - m.leading_zeros());
    let mut top_exp = e + bits - 1;
    let bias = (1i64 << (fmt.exp_bits - 1)) - 1;
    let emin = 1 - bias;
    let prec = i64::from(fmt.mant_bits) + 1;
    let keep = if top_exp >= emin {
        prec
    } else {
        prec - (emin - top_exp)
    };
    let shift = bits - keep;
    let mut mant: u64 = if shift <= 0 {
        // Exact: fewer significant bits than the format holds.
        m << (-shift) as u32
    } else if shift > 100 {
        0
    } else {
        let m = u128::from(m);
        let shift = shift as u32;
        let mant = (m >> shift) as u64;
        let rem = m & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        let up = rem > half || (rem == half && (sticky || mant & 1 == 1));
        mant + u64::from(up)
    };
    if top_exp >= emin {
        if mant == 1u64 << prec {
            mant >>= 1;
            top_exp += 1;
        }
        if top_exp > bias {
            return None;
        }
        let biased = (top_exp + bias) as u64;
        Some(biased << fmt.mant_bits | (mant & ((1u64 << fmt.mant_bits) - 1)))
    } else {
        // Subnormal (a carry into the implicit bit yields the smallest
        // normal number, whose encoding is the same integer).
        Some(mant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32(s: &str) -> Option<u32> {
        parse_float(s, F32).map(|b| b as u32)
    }
    fn f64(s: &str) -> Option<u64> {
        parse_float(s, F64)
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int("0xffffffff", 32), Some(0xffff_ffff));
        assert_eq!(parse_int("-0x80000000", 32), Some(0x8000_0000));
        assert_eq!(parse_int("-0x80000001", 32), None);
        assert_eq!(parse_int("4294967296", 32), None);
        assert_eq!(parse_int("-1", 64), Some(u64::MAX));
        assert_eq!(parse_int("18446744073709551616", 64), None);
        assert_eq!(parse_int("1_000", 32), Some(1000));
    }

    #[test]
    fn floats() {
        assert_eq!(f32("0x1p127"), Some(0x7f00_0000));
        assert_eq!(f32("0x1p128"), None);
        assert_eq!(f32("0x1.fffffefp127"), Some(0x7f7f_ffff));
        assert_eq!(f32("0x1.ffffffp127"), None);
        assert_eq!(f32("0x1p-149"), Some(1));
        assert_eq!(f32("0x1p-150"), Some(0));
        assert_eq!(f32("0x1.000001p-150"), Some(1));
        assert_eq!(f32("0x1.00000100000000000p-50"), Some(0x2680_0000));
        assert_eq!(f32("0x1.00000100000000001p-50"), Some(0x2680_0001));
        assert_eq!(f32("0x1.000003p0"), Some(0x3f80_0002));
        assert_eq!(f32("-0x0p0"), Some(0x8000_0000));
        assert_eq!(f32("nan:0x200000"), Some(0x7fa0_0000));
        assert_eq!(f32("-nan"), Some(0xffc0_0000));
        assert_eq!(f32("nan:0x800000"), None);
        assert_eq!(f32("1e39"), None);
        assert_eq!(f32("3.4028234e38"), Some(0x7f7f_ffff));
        assert_eq!(f64("0x1.fffffffffffff8p1023"), None);
        assert_eq!(
            f64("0x1.fffffffffffff7ffp1023"),
            Some(0x7fef_ffff_ffff_ffff)
        );
        assert_eq!(f64("0x0.0000000000001p-1022"), Some(1));
        assert_eq!(f64("0x8000000000000000000p-1146"), Some(8));
        assert_eq!(f64("1_000.5e1_0"), Some(1000.5e10f64.to_bits()));
        assert_eq!(
            f64("0x1_0000_0000_0000_0000_1"),
            Some(0x4430_0000_0000_0000)
        );
    }
}
