//! Script values: arguments turned into [`Val`]s, results checked against
//! the expected patterns, and both written in the script's syntax for
//! failure reports.

use std::fmt::Write as _;
use weft::{AnyKind, AnyRef, ExternRef, Store, Val};
use weft_syntax::HeapType;
use weft_text::wast::RefKind;
use weft_text::wast::{Expected, FloatExpected, NanPattern, V128Expected, Value};

/// Why a value or pattern of the `any` or `exn` hierarchy cannot be used:
/// [`Val`] has no such references yet.
fn no_val(what: &str) -> String {
    format!("{what}: the API has no values of this reference hierarchy yet")
}

/// The runtime value of a script argument. `(ref.extern N)` becomes a new
/// host reference carrying `N` (a `u32`); results are compared by `N`.
/// `Err` for an argument [`Val`] cannot express yet (the command is then
/// skipped).
pub fn to_val(store: &mut Store<()>, v: &Value) -> Result<Val, String> {
    Ok(match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x.0),
        Value::F64(x) => Val::F64(x.0),
        Value::V128(x) => Val::V128(u128::from_le_bytes(x.0)),
        Value::RefNull(h) => match h.abstract_top() {
            Some(HeapType::Func) => Val::FuncRef(None),
            Some(HeapType::Extern) => Val::ExternRef(None),
            Some(HeapType::Any) => Val::AnyRef(None),
            _ => return Err(no_val(&show_value(v))),
        },
        Value::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(&mut *store, n))),
        Value::RefHost(n) => {
            let e = ExternRef::new(&mut *store, n);
            Val::AnyRef(Some(AnyRef::from_extern(&*store, e)))
        }
    })
}

/// The number a host reference carries, if it was made by [`to_val`].
fn extern_number(store: &Store<()>, r: &ExternRef) -> Option<u32> {
    r.data(store).downcast_ref::<u32>().copied()
}

fn f32_matches(bits: u32, e: FloatExpected<weft_syntax::F32>) -> bool {
    match e {
        FloatExpected::Value(x) => bits == x.0,
        FloatExpected::Nan(NanPattern::Canonical) => bits & 0x7fff_ffff == 0x7fc0_0000,
        FloatExpected::Nan(NanPattern::Arithmetic) => bits & 0x7fc0_0000 == 0x7fc0_0000,
    }
}

fn f64_matches(bits: u64, e: FloatExpected<weft_syntax::F64>) -> bool {
    const CANONICAL: u64 = 0x7ff8_0000_0000_0000;
    match e {
        FloatExpected::Value(x) => bits == x.0,
        FloatExpected::Nan(NanPattern::Canonical) => bits & !(1 << 63) == CANONICAL,
        FloatExpected::Nan(NanPattern::Arithmetic) => bits & CANONICAL == CANONICAL,
    }
}

/// The `N` lanes of a `v128`, lane 0 first, each zero-extended to `u64`.
fn lanes<const N: usize>(v: u128) -> [u64; N] {
    let bits = 128 / N;
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let mut out = [0u64; N];
    for (i, lane) in out.iter_mut().enumerate() {
        *lane = (v >> (i * bits)) as u64 & mask;
    }
    out
}

fn v128_matches(v: u128, e: &V128Expected) -> bool {
    match e {
        V128Expected::I8x16(x) => lanes::<16>(v)
            .iter()
            .zip(x)
            .all(|(&a, &b)| a == u64::from(b as u8)),
        V128Expected::I16x8(x) => lanes::<8>(v)
            .iter()
            .zip(x)
            .all(|(&a, &b)| a == u64::from(b as u16)),
        V128Expected::I32x4(x) => lanes::<4>(v)
            .iter()
            .zip(x)
            .all(|(&a, &b)| a == u64::from(b as u32)),
        V128Expected::I64x2(x) => lanes::<2>(v).iter().zip(x).all(|(&a, &b)| a == b as u64),
        V128Expected::F32x4(x) => lanes::<4>(v)
            .iter()
            .zip(x)
            .all(|(&a, &b)| f32_matches(a as u32, b)),
        V128Expected::F64x2(x) => lanes::<2>(v)
            .iter()
            .zip(x)
            .all(|(&a, &b)| f64_matches(a, b)),
    }
}

/// Whether `(ref.null h?)` matches a null of hierarchy `top`.
fn null_of(h: Option<HeapType>, top: HeapType) -> bool {
    match h {
        None => true,
        Some(h) => h.abstract_top() == Some(top),
    }
}

/// Whether a result matches its expected pattern (exact bits for numbers,
/// NaN patterns per float and per lane, references by kind and number).
/// `Err` for a pattern the runner cannot check (a null of a heap type
/// outside the four hierarchies): the command is skipped, unless another
/// result already fails it.
pub fn matches(store: &Store<()>, actual: &Val, expected: &Expected) -> Result<bool, String> {
    Ok(match (actual, expected) {
        (_, Expected::Either(alternatives)) => {
            let mut unknown = None;
            for e in alternatives {
                match matches(store, actual, e) {
                    Ok(true) => return Ok(true),
                    Ok(false) => {}
                    Err(why) => unknown = Some(why),
                }
            }
            return unknown.map_or(Ok(false), Err);
        }
        (_, Expected::RefNull(Some(h)))
            if !matches!(
                h.abstract_top(),
                Some(HeapType::Func | HeapType::Extern | HeapType::Any | HeapType::Exn)
            ) =>
        {
            return Err(no_val(&show_expected(expected)))
        }
        (Val::ExnRef(None), Expected::RefNull(h)) => null_of(*h, HeapType::Exn),
        (Val::ExnRef(Some(_)), Expected::Ref(kind)) => *kind == RefKind::Exn,
        (Val::AnyRef(None), Expected::RefNull(h)) => null_of(*h, HeapType::Any),
        (Val::AnyRef(Some(a)), Expected::Ref(kind)) => {
            let k = a.kind(store);
            match kind {
                RefKind::Any => true,
                RefKind::Eq => !matches!(k, AnyKind::Host(_)),
                RefKind::I31 => matches!(k, AnyKind::I31(_)),
                RefKind::Struct => k == AnyKind::Struct,
                RefKind::Array => matches!(k, AnyKind::Array(_)),
                RefKind::Exn => false,
            }
        }
        (Val::AnyRef(Some(a)), Expected::RefHost(n)) => match a.kind(store) {
            AnyKind::Host(e) => extern_number(store, &e) == Some(*n),
            _ => false,
        },
        (Val::I32(a), Expected::I32(e)) => a == e,
        (Val::I64(a), Expected::I64(e)) => a == e,
        (Val::F32(a), Expected::F32(e)) => f32_matches(*a, *e),
        (Val::F64(a), Expected::F64(e)) => f64_matches(*a, *e),
        (Val::V128(a), Expected::V128(e)) => v128_matches(*a, e),
        (Val::FuncRef(None), Expected::RefNull(h)) => null_of(*h, HeapType::Func),
        (Val::ExternRef(None), Expected::RefNull(h)) => null_of(*h, HeapType::Extern),
        (Val::ExternRef(Some(r)), Expected::RefExtern(n)) => match n {
            None => true,
            Some(n) => extern_number(store, r) == Some(*n),
        },
        // A function reference's identity is not observable from a script
        // beyond being non-null.
        (Val::FuncRef(Some(_)), Expected::RefFunc(_)) => true,
        _ => false,
    })
}

fn write_f32(out: &mut String, bits: u32) {
    weft_text::write_f32(out, bits);
}

fn write_f64(out: &mut String, bits: u64) {
    weft_text::write_f64(out, bits);
}

fn write_float_expected32(out: &mut String, e: FloatExpected<weft_syntax::F32>) {
    match e {
        FloatExpected::Value(x) => write_f32(out, x.0),
        FloatExpected::Nan(p) => out.push_str(nan_name(p)),
    }
}

fn write_float_expected64(out: &mut String, e: FloatExpected<weft_syntax::F64>) {
    match e {
        FloatExpected::Value(x) => write_f64(out, x.0),
        FloatExpected::Nan(p) => out.push_str(nan_name(p)),
    }
}

fn nan_name(p: NanPattern) -> &'static str {
    match p {
        NanPattern::Canonical => "nan:canonical",
        NanPattern::Arithmetic => "nan:arithmetic",
    }
}

/// The lane shape of a `v128` for display.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

impl Shape {
    fn of(e: &V128Expected) -> Shape {
        match e {
            V128Expected::I8x16(_) => Shape::I8x16,
            V128Expected::I16x8(_) => Shape::I16x8,
            V128Expected::I32x4(_) => Shape::I32x4,
            V128Expected::I64x2(_) => Shape::I64x2,
            V128Expected::F32x4(_) => Shape::F32x4,
            V128Expected::F64x2(_) => Shape::F64x2,
        }
    }
}

/// `v128.const SHAPE lanes...` (without parentheses).
pub fn write_v128(out: &mut String, v: u128, shape: Shape) {
    match shape {
        Shape::I8x16 => {
            out.push_str("v128.const i8x16");
            for l in lanes::<16>(v) {
                let _ = write!(out, " {}", l as u8 as i8);
            }
        }
        Shape::I16x8 => {
            out.push_str("v128.const i16x8");
            for l in lanes::<8>(v) {
                let _ = write!(out, " {}", l as u16 as i16);
            }
        }
        Shape::I32x4 => {
            out.push_str("v128.const i32x4");
            for l in lanes::<4>(v) {
                let _ = write!(out, " 0x{:08x}", l as u32);
            }
        }
        Shape::I64x2 => {
            out.push_str("v128.const i64x2");
            for l in lanes::<2>(v) {
                let _ = write!(out, " 0x{l:016x}");
            }
        }
        Shape::F32x4 => {
            out.push_str("v128.const f32x4");
            for l in lanes::<4>(v) {
                out.push(' ');
                write_f32(out, l as u32);
            }
        }
        Shape::F64x2 => {
            out.push_str("v128.const f64x2");
            for l in lanes::<2>(v) {
                out.push(' ');
                write_f64(out, l);
            }
        }
    }
}

/// An argument in the script's syntax: `(i32.const 1)`.
pub fn show_value(v: &Value) -> String {
    let mut s = String::from("(");
    match *v {
        Value::I32(x) => {
            let _ = write!(s, "i32.const {x}");
        }
        Value::I64(x) => {
            let _ = write!(s, "i64.const {x}");
        }
        Value::F32(x) => {
            s.push_str("f32.const ");
            write_f32(&mut s, x.0);
        }
        Value::F64(x) => {
            s.push_str("f64.const ");
            write_f64(&mut s, x.0);
        }
        Value::V128(x) => write_v128(&mut s, u128::from_le_bytes(x.0), Shape::I32x4),
        Value::RefNull(h) => {
            let _ = write!(s, "ref.null {}", h);
        }
        Value::RefExtern(n) => {
            let _ = write!(s, "ref.extern {n}");
        }
        Value::RefHost(n) => {
            let _ = write!(s, "ref.host {n}");
        }
    }
    s.push(')');
    s
}

/// An expected result in the script's syntax.
pub fn show_expected(e: &Expected) -> String {
    let mut s = String::from("(");
    match e {
        Expected::I32(x) => {
            let _ = write!(s, "i32.const {x}");
        }
        Expected::I64(x) => {
            let _ = write!(s, "i64.const {x}");
        }
        Expected::F32(x) => {
            s.push_str("f32.const ");
            write_float_expected32(&mut s, *x);
        }
        Expected::F64(x) => {
            s.push_str("f64.const ");
            write_float_expected64(&mut s, *x);
        }
        Expected::V128(v) => {
            s.push_str("v128.const ");
            let (name, lanes): (&str, Vec<String>) = match v {
                V128Expected::I8x16(x) => ("i8x16", x.iter().map(|l| l.to_string()).collect()),
                V128Expected::I16x8(x) => ("i16x8", x.iter().map(|l| l.to_string()).collect()),
                V128Expected::I32x4(x) => (
                    "i32x4",
                    x.iter().map(|l| format!("0x{:08x}", *l as u32)).collect(),
                ),
                V128Expected::I64x2(x) => (
                    "i64x2",
                    x.iter().map(|l| format!("0x{:016x}", *l as u64)).collect(),
                ),
                V128Expected::F32x4(x) => (
                    "f32x4",
                    x.iter()
                        .map(|l| {
                            let mut t = String::new();
                            write_float_expected32(&mut t, *l);
                            t
                        })
                        .collect(),
                ),
                V128Expected::F64x2(x) => (
                    "f64x2",
                    x.iter()
                        .map(|l| {
                            let mut t = String::new();
                            write_float_expected64(&mut t, *l);
                            t
                        })
                        .collect(),
                ),
            };
            s.push_str(name);
            for l in lanes {
                s.push(' ');
                s.push_str(&l);
            }
        }
        Expected::RefNull(None) => s.push_str("ref.null"),
        Expected::RefNull(Some(h)) => {
            let _ = write!(s, "ref.null {}", h);
        }
        Expected::RefHost(n) => {
            let _ = write!(s, "ref.host {n}");
        }
        Expected::Ref(kind) => s.push_str(kind.keyword()),
        Expected::Either(alternatives) => {
            s.push_str("either");
            for a in alternatives {
                s.push(' ');
                s.push_str(&show_expected(a));
            }
        }
        Expected::RefExtern(None) => s.push_str("ref.extern"),
        Expected::RefExtern(Some(n)) => {
            let _ = write!(s, "ref.extern {n}");
        }
        Expected::RefFunc(None) => s.push_str("ref.func"),
        Expected::RefFunc(Some(n)) => {
            let _ = write!(s, "ref.func {n}");
        }
    }
    s.push(')');
    s
}

/// A result in the script's syntax; a `v128` in the lane shape of the
/// expected value it is compared with, if any. Floats also show their bits
/// so that NaN payloads and signed zeros are visible.
pub fn show_val(store: &Store<()>, v: &Val, expected: Option<&Expected>) -> String {
    let mut s = String::from("(");
    match v {
        Val::I32(x) => {
            let _ = write!(s, "i32.const {x}");
        }
        Val::I64(x) => {
            let _ = write!(s, "i64.const {x}");
        }
        Val::F32(x) => {
            s.push_str("f32.const ");
            write_f32(&mut s, *x);
            let _ = write!(s, " [0x{x:08x}]");
        }
        Val::F64(x) => {
            s.push_str("f64.const ");
            write_f64(&mut s, *x);
            let _ = write!(s, " [0x{x:016x}]");
        }
        Val::V128(x) => {
            let shape = match expected {
                Some(Expected::V128(e)) => Shape::of(e),
                _ => Shape::I32x4,
            };
            write_v128(&mut s, *x, shape);
        }
        Val::FuncRef(None) => s.push_str("ref.null func"),
        Val::FuncRef(Some(_)) => s.push_str("ref.func"),
        Val::ExternRef(None) => s.push_str("ref.null extern"),
        Val::ExternRef(Some(r)) => match extern_number(store, r) {
            Some(n) => {
                let _ = write!(s, "ref.extern {n}");
            }
            None => s.push_str("ref.extern ?"),
        },
        Val::ExnRef(None) => s.push_str("ref.null exn"),
        Val::ExnRef(Some(_)) => s.push_str("ref.exn"),
        Val::AnyRef(None) => s.push_str("ref.null any"),
        Val::AnyRef(Some(a)) => match a.kind(store) {
            AnyKind::I31(v) => {
                let _ = write!(s, "ref.i31 {v}");
            }
            AnyKind::Struct => s.push_str("ref.struct"),
            AnyKind::Array(n) => {
                let _ = write!(s, "ref.array (length {n})");
            }
            AnyKind::Host(e) => match extern_number(store, &e) {
                Some(n) => {
                    let _ = write!(s, "ref.host {n}");
                }
                None => s.push_str("ref.host ?"),
            },
        },
    }
    s.push(')');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_patterns() {
        use FloatExpected::Nan;
        use NanPattern::{Arithmetic, Canonical};
        assert!(f32_matches(0x7fc0_0000, Nan(Canonical)));
        assert!(f32_matches(0xffc0_0000, Nan(Canonical)));
        assert!(!f32_matches(0x7fc0_0001, Nan(Canonical)));
        assert!(f32_matches(0x7fc0_0001, Nan(Arithmetic)));
        assert!(!f32_matches(0x7fa0_0000, Nan(Arithmetic)));
        assert!(!f32_matches(0x7f80_0000, Nan(Arithmetic)));
        assert!(f64_matches(0xfff8_0000_0000_0000, Nan(Canonical)));
        assert!(f64_matches(0x7ff8_0000_0000_0001, Nan(Arithmetic)));
        assert!(!f64_matches(0x7ff8_0000_0000_0001, Nan(Canonical)));
        assert!(!f64_matches(0x7ff4_0000_0000_0000, Nan(Arithmetic)));
    }

    #[test]
    fn v128_lanes() {
        let v = u128::from_le_bytes([
            1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80, 3, 0, 0, 0,
        ]);
        assert!(v128_matches(v, &V128Expected::I32x4([1, -1, i32::MIN, 3])));
        assert!(!v128_matches(v, &V128Expected::I32x4([1, -1, i32::MIN, 4])));
        assert!(v128_matches(
            v,
            &V128Expected::I16x8([1, 0, -1, -1, 0, i16::MIN, 3, 0])
        ));
        let mut s = String::new();
        write_v128(&mut s, v, Shape::I32x4);
        assert_eq!(
            s,
            "v128.const i32x4 0x00000001 0xffffffff 0x80000000 0x00000003"
        );
    }
}
