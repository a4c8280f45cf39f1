//! The spec testsuite's `assert_return` and `assert_trap` lines for every
//! exported function whose body is a single numeric or SIMD instruction
//! over its parameters (`local.get 0 .. local.get n-1`, the instruction).
//! No interpreter: the instruction is applied to the arguments directly.

use super::tests::{is_arithmetic_f32, is_arithmetic_f64, is_canonical_f32, is_canonical_f64};
use super::*;
use std::collections::{BTreeMap, HashSet};
use weft_binary::Reader;
use weft_syntax::{ExportDesc, Features, ImportDesc, Instr, InstrKind};
use weft_text::wast::{
    parse_module_source, parse_wast, Action, CommandKind, Expected, FloatExpected, ModuleSource,
    NanPattern, TrapTarget, V128Expected, Value,
};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Val {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    V128(V128),
}

macro_rules! val_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Val {
            fn from(x: $t) -> Val {
                Val::$v(x)
            }
        }
    )*};
}
val_from!(i32 => I32, i64 => I64, f32 => F32, f64 => F64, V128 => V128);

macro_rules! arg {
    (i32, $e:expr) => {
        match $e {
            Val::I32(x) => x,
            _ => return None,
        }
    };
    (i64, $e:expr) => {
        match $e {
            Val::I64(x) => x,
            _ => return None,
        }
    };
    (f32, $e:expr) => {
        match $e {
            Val::F32(x) => x,
            _ => return None,
        }
    };
    (f64, $e:expr) => {
        match $e {
            Val::F64(x) => x,
            _ => return None,
        }
    };
    (v128, $e:expr) => {
        match $e {
            Val::V128(x) => x,
            _ => return None,
        }
    };
}

/// One table row's evaluation: numeric and SIMD rows (a plain or lane
/// signature with operands) call their function in `ops`; the others
/// (control, memory, constants) are not evaluated here.
macro_rules! eval_row {
    ($instr:ident $it:ident $variant:ident (custom)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident (ref: $($t:tt)*)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident (array $($t:tt)*)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident (field $($t:tt)*)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident (mem $($t:tt)*)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident (memlane $($t:tt)*)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident (atomic $($t:tt)*)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident ( -> $($r:ident)?)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident (lane $n:literal : $($p:ident)* -> $r:ident)) => {{
        let Instr::$variant { lane } = *$instr else {
            return None;
        };
        instr_fn!(super, $variant)($(arg!($p, $it.next()?)),*, lane.0)
            .into_trap_result()
            .map(Val::from)
    }};
    ($instr:ident $it:ident $variant:ident ($($p:ident)+ -> $r1:ident $r2:ident)) => {
        return None
    };
    ($instr:ident $it:ident $variant:ident ($($p:ident)+ -> $r:ident)) => {
        instr_fn!(super, $variant)($(arg!($p, $it.next()?)),*)
            .into_trap_result()
            .map(Val::from)
    };
}

/// Whether a row's signature is one `eval_row!` evaluates.
macro_rules! is_op {
    ((custom)) => {
        false
    };
    ((ref: $($t:tt)*)) => {
        false
    };
    ((array $($t:tt)*)) => {
        false
    };
    ((field $($t:tt)*)) => {
        false
    };
    ((mem $($t:tt)*)) => {
        false
    };
    ((memlane $($t:tt)*)) => {
        false
    };
    ((atomic $($t:tt)*)) => {
        false
    };
    (( -> $($r:ident)?)) => {
        false
    };
    (($($p:ident)+ -> $r1:ident $r2:ident)) => {
        false
    };
    ($sig:tt) => {
        true
    };
}

macro_rules! make_eval {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// Runs a single-instruction function; `None` for other instructions.
        #[allow(unreachable_code)] // the `return None` rows
        fn eval(instr: &Instr<'_>, args: &[Val]) -> Option<Result<Val, TrapCode>> {
            let mut it = args.iter().copied();
            // A `(custom)` row with a function here.
            if let Instr::I8x16Shuffle { lanes } = *instr {
                let (a, b) = (arg!(v128, it.next()?), arg!(v128, it.next()?));
                return Some(Ok(Val::V128(i8x16_shuffle(a, b, &lanes.0))));
            }
            let result = match *instr {
                $( Instr::$variant { .. } => eval_row!(instr it $variant $sig), )*
            };
            Some(result)
        }

        /// The numeric and SIMD instructions `eval` evaluates, with their
        /// mnemonics.
        fn numeric_kinds() -> Vec<(InstrKind, &'static str)> {
            let mut v = Vec::new();
            $( if is_op!($sig) {
                v.push((InstrKind::$variant, $name));
            } )*
            v
        }
    };
}
weft_syntax::for_each_instr!(make_eval);

fn arg_val(v: &Value) -> Option<Val> {
    Some(match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(f32::from_bits(x.0)),
        Value::F64(x) => Val::F64(f64::from_bits(x.0)),
        Value::V128(x) => Val::V128(x.into()),
        _ => return None,
    })
}

fn f32_matches(e: &FloatExpected<weft_syntax::F32>, x: f32) -> bool {
    match e {
        FloatExpected::Value(b) => b.0 == x.to_bits(),
        FloatExpected::Nan(NanPattern::Canonical) => is_canonical_f32(x),
        FloatExpected::Nan(NanPattern::Arithmetic) => is_arithmetic_f32(x),
    }
}

fn f64_matches(e: &FloatExpected<weft_syntax::F64>, x: f64) -> bool {
    match e {
        FloatExpected::Value(b) => b.0 == x.to_bits(),
        FloatExpected::Nan(NanPattern::Canonical) => is_canonical_f64(x),
        FloatExpected::Nan(NanPattern::Arithmetic) => is_arithmetic_f64(x),
    }
}

fn matches(e: &Expected, v: Val) -> bool {
    match (e, v) {
        (Expected::I32(e), Val::I32(x)) => *e == x,
        (Expected::I64(e), Val::I64(x)) => *e == x,
        (Expected::F32(e), Val::F32(x)) => f32_matches(e, x),
        (Expected::F64(e), Val::F64(x)) => f64_matches(e, x),
        (Expected::V128(e), Val::V128(x)) => match e {
            V128Expected::I8x16(l) => *l == x.to_i8x16(),
            V128Expected::I16x8(l) => *l == x.to_i16x8(),
            V128Expected::I32x4(l) => *l == x.to_i32x4(),
            V128Expected::I64x2(l) => *l == x.to_i64x2(),
            V128Expected::F32x4(l) => l.iter().zip(x.to_f32x4()).all(|(e, x)| f32_matches(e, x)),
            V128Expected::F64x2(l) => l.iter().zip(x.to_f64x2()).all(|(e, x)| f64_matches(e, x)),
        },
        _ => false,
    }
}

/// The bodies of the exported functions of `src` that are `local.get 0 ..
/// local.get n-1`, one instruction, `end`, by export name.
fn single_op_exports(src: &ModuleSource) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(module) = parse_module_source(src, Features::WASM2) else {
        return out;
    };
    let imported = module
        .imports
        .iter()
        .filter(|i| matches!(i.desc, ImportDesc::Func(_)))
        .count();
    for export in &module.exports {
        let ExportDesc::Func(f) = export.desc else {
            continue;
        };
        let Some(defined) = (f.0 as usize).checked_sub(imported) else {
            continue;
        };
        let (Some(code), Some(ty)) = (module.code.get(defined), module.funcs.get(defined)) else {
            continue;
        };
        let Some(params) = module.types.func(*ty).map(|t| t.params.len()) else {
            continue;
        };
        let bytes = &code.body.bytes;
        let mut r = Reader::new_at(bytes, 0, Features::WASM2);
        let mut next_local = 0;
        let mut op = None;
        let mut ok = false;
        while let Ok(instr) = r.read_instr() {
            match instr {
                Instr::LocalGet { local } if op.is_none() && local.0 == next_local => {
                    next_local += 1
                }
                Instr::End {} if op.is_some() => {
                    ok = r.is_empty();
                    break;
                }
                _ if op.is_none() => op = Some(instr),
                _ => break,
            }
        }
        if ok && code.locals.is_empty() && next_local as usize == params {
            out.insert(export.name.to_string(), bytes.to_vec());
        }
    }
    out
}

/// Runs the testsuite's assertions on single-instruction functions of one
/// file; returns (checked, failures) and records the instructions run.
fn run_wast(path: &str, exercised: &mut HashSet<InstrKind>) -> (usize, Vec<String>) {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let script = parse_wast(&src).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut funcs = BTreeMap::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    for cmd in &script.commands {
        let (action, want) = match &cmd.kind {
            CommandKind::Module { source, .. } => {
                funcs = single_op_exports(source);
                continue;
            }
            CommandKind::AssertReturn { action, expected } => (action, Ok(expected)),
            CommandKind::AssertTrap {
                target: TrapTarget::Action(action),
                message,
            } => (action, Err(message)),
            _ => continue,
        };
        let Action::Invoke {
            module: None,
            name,
            args,
        } = action
        else {
            continue;
        };
        let Some(body) = funcs.get(name) else {
            continue;
        };
        let Some(args) = args.iter().map(arg_val).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let mut r = Reader::new_at(body, 0, Features::WASM2);
        let instr = loop {
            match r.read_instr() {
                Ok(Instr::LocalGet { .. }) => {}
                Ok(instr) => break instr,
                Err(e) => panic!("{path}:{}: {e}", cmd.line),
            }
        };
        let Some(got) = eval(&instr, &args) else {
            continue;
        };
        checked += 1;
        exercised.insert(instr.kind());
        let ok = match (&want, got) {
            (Ok(expected), Ok(v)) => expected.len() == 1 && matches(&expected[0], v),
            (Err(message), Err(trap)) => trap.message() == message.as_str(),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{path}:{}: {name} {args:?}: expected {want:?}, got {got:?}",
                cmd.line
            ));
        }
    }
    (checked, failures)
}

#[test]
fn spec_testsuite_single_instruction_functions() {
    let suite = weft_testkit::testsuite_2_0();
    let dir = suite.display();
    let mut files: Vec<String> = [
        "i32",
        "i64",
        "f32",
        "f64",
        "f32_cmp",
        "f64_cmp",
        "f32_bitwise",
        "f64_bitwise",
        "conversions",
        "float_exprs",
        "float_misc",
        "int_exprs",
    ]
    .iter()
    .map(|f| format!("{dir}/{f}.wast"))
    .collect();
    files.extend(
        weft_testkit::wast_files(&suite.join("simd"))
            .iter()
            .map(|p| p.display().to_string()),
    );

    let mut total = 0;
    let mut failures = Vec::new();
    let mut exercised = HashSet::new();
    for file in &files {
        let (checked, mut failed) = run_wast(file, &mut exercised);
        eprintln!(
            "{file}: {checked} assertions checked, {} failed",
            failed.len()
        );
        total += checked;
        failures.append(&mut failed);
    }
    eprintln!(
        "total: {total} assertions checked, {} failed",
        failures.len()
    );
    let missing: Vec<&str> = numeric_kinds()
        .into_iter()
        .filter(|(k, _)| !exercised.contains(k))
        .map(|(_, name)| name)
        .collect();
    eprintln!(
        "{} instructions exercised; ops without a single-instruction test: {missing:?}",
        exercised.len()
    );
    for f in failures.iter().take(50) {
        eprintln!("{f}");
    }
    assert!(failures.is_empty(), "{} failures", failures.len());
    assert!(total > 20_000, "only {total} assertions checked");
}
