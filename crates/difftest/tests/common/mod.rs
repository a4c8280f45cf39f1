//! What both engines observe of a module, engine-neutral, and how two
//! observations are compared; shared by the tests of this crate.
//!
//! Each engine instantiates the module (start function included), then
//! calls every exported function in the order of their names, once with
//! default arguments (zeros and nulls) and once with arguments drawn from
//! the seed, and records:
//! - whether instantiation succeeded, or how it trapped;
//! - each call's results (numbers as bit patterns; references as their
//!   hierarchy and null or not, and for the `any` hierarchy what they refer
//!   to: an i31 and its value, a struct, an array and its length), its trap
//!   (both engines' codes mapped onto the spec's messages) or an uncaught
//!   exception;
//! - at the end, every exported memory (size and bytes), global (value) and
//!   table (size and each element as above).
//!
//! A function with a non-nullable reference parameter has no default
//! argument: it is not called (by either engine). Fuel is counted
//! differently by the two engines (Weft: one unit per instruction;
//! wasmtime: one per instruction except `nop`, `drop`, block structure),
//! and their call stacks have different limits, so the first call that
//! exhausts fuel, stack or GC heap on either side ends the comparison of
//! that module: the calls before it are compared, the final state is not
//! ("cut short").

#![allow(dead_code, reason = "each test uses part of this module")]

pub mod wasmtime_side;
pub mod weft_side;

use std::collections::BTreeMap;
use std::fmt;
use weft_testkit::XorShift;

/// Fuel for instantiation and for each call, in Weft's units (one per
/// instruction).
pub const FUEL: u64 = 200_000;

/// wasmtime's fuel: it charges nothing for some instructions, so it gets
/// more, so that a call that ends in Weft within `FUEL` usually ends in
/// wasmtime too and is compared.
pub const WASMTIME_FUEL: u64 = 2 * FUEL;

/// Weft's call depth limit (frames).
pub const MAX_CALL_DEPTH: usize = 1_000;

/// Native stack for Wasm, both engines (Weft's compiled code, wasmtime).
pub const MAX_WASM_STACK: usize = 1 << 20;

/// Stack size of the threads that run the engines (only reserved until
/// touched).
pub const WORKER_STACK: usize = 64 << 20;

/// The spec's message for a trap both engines agree is a table access out
/// of bounds: Weft reports a `call_indirect` index beyond the table as
/// "undefined element" (the testsuite's word), wasmtime as a table access
/// out of bounds. Both are right; they are compared as one.
pub const TABLE_OOB: &str = "out of bounds table access";

/// The spec's message for a null reference: Weft names the kind
/// ("null function reference", "null structure reference", ...), wasmtime
/// does not. Compared as one.
pub const NULL_REF: &str = "null reference";

/// What an `any` reference refers to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Any {
    Null,
    I31(i32),
    Struct,
    Array(u32),
    /// A host reference converted with `any.convert_extern`.
    Host,
}

/// A value, engine-neutral: numbers as bit patterns, references without
/// their identities (which mean nothing across engines).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    Func { null: bool },
    Extern { null: bool },
    Any(Any),
    Exn { null: bool },
}

/// The top of a reference type's hierarchy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Top {
    Func,
    Extern,
    Any,
    Exn,
}

/// A parameter type, engine-neutral.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref { top: Top, nullable: bool },
}

/// How an instantiation or a call ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Returned these results (nothing for an instantiation).
    Returned(Vec<Value>),
    /// Trapped; the spec's message for the trap.
    Trapped(&'static str),
    /// An exception nobody caught, with its payload.
    Thrown(Vec<Value>),
    /// Ran out of fuel, call stack or GC heap: not comparable.
    Exhausted(&'static str),
    /// Any other error: never expected.
    Error(String),
}

impl Outcome {
    pub fn is_exhausted(&self) -> bool {
        matches!(self, Outcome::Exhausted(_))
    }
}

/// One engine's observations of one module.
#[derive(Debug, Default)]
pub struct Observed {
    /// The module's exports, names and kinds, sorted by name (the order in
    /// which the functions are called).
    pub exports: Vec<(String, &'static str)>,
    /// `None` if the engine rejected the module.
    pub instantiation: Option<Outcome>,
    /// Each call: export, arguments, outcome.
    pub calls: Vec<(String, Vec<Value>, Outcome)>,
    /// Exported memories: name, pages, bytes.
    pub memories: Vec<(String, u64, Vec<u8>)>,
    /// Exported globals.
    pub globals: Vec<(String, Value)>,
    /// Exported tables: name, each element.
    pub tables: Vec<(String, Vec<Value>)>,
    /// Why the engine rejected the module, if it did.
    pub rejected: Option<String>,
    /// The engine panicked (the message).
    pub panicked: Option<String>,
}

/// The exported functions of a module with their parameter types, from
/// wasmparser (the engines' APIs name concrete types in ways that do not
/// say their hierarchy): what both engines call, in this order (by name).
pub type Plan = Vec<(String, Vec<Ty>)>;

/// The plan of a valid module `wasm`.
pub fn plan(wasm: &[u8]) -> Plan {
    use wasmparser::{
        AbstractHeapType as A, CompositeInnerType, ExternalKind, HeapType, Payload, ValType,
    };
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    let types = v
        .validate_all(wasm)
        .expect("wasm-smith makes valid modules");
    let mut plan = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(Payload::ExportSection(exports)) = payload else {
            continue;
        };
        for e in exports {
            let e = e.expect("a valid export");
            if e.kind != ExternalKind::Func {
                continue;
            }
            let f = types[types.as_ref().core_function_at(e.index)].unwrap_func();
            let params = f
                .params()
                .iter()
                .map(|t| match t {
                    ValType::I32 => Ty::I32,
                    ValType::I64 => Ty::I64,
                    ValType::F32 => Ty::F32,
                    ValType::F64 => Ty::F64,
                    ValType::V128 => Ty::V128,
                    ValType::Ref(r) => Ty::Ref {
                        nullable: r.is_nullable(),
                        top: match r.heap_type() {
                            HeapType::Abstract { ty, .. } => match ty {
                                A::Func | A::NoFunc => Top::Func,
                                A::Extern | A::NoExtern => Top::Extern,
                                A::Exn | A::NoExn => Top::Exn,
                                A::Any | A::Eq | A::I31 | A::Struct | A::Array | A::None => {
                                    Top::Any
                                }
                                A::Cont | A::NoCont => panic!("continuations are not generated"),
                            },
                            HeapType::Concrete(i) | HeapType::Exact(i) => {
                                let id = i.as_core_type_id().expect("canonicalised");
                                match types[id].composite_type.inner {
                                    CompositeInnerType::Func(_) => Top::Func,
                                    CompositeInnerType::Struct(_)
                                    | CompositeInnerType::Array(_) => Top::Any,
                                    CompositeInnerType::Cont(_) => {
                                        panic!("continuations are not generated")
                                    }
                                }
                            }
                        },
                    },
                })
                .collect();
            plan.push((e.name.to_string(), params));
        }
    }
    plan.sort_by(|a, b| a.0.cmp(&b.0));
    plan
}

/// The message of a caught panic.
pub fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(see the panic message printed above)".into())
}

/// Arguments for a function with parameters `params`: the defaults for
/// `round` 0, values from `rng` after that; `None` if a parameter is a
/// non-nullable reference (no argument can be made for it).
pub fn arguments(params: &[Ty], round: usize, rng: &mut XorShift) -> Option<Vec<Value>> {
    params
        .iter()
        .map(|ty| {
            let null = |top| match top {
                Top::Func => Value::Func { null: true },
                Top::Extern => Value::Extern { null: true },
                Top::Any => Value::Any(Any::Null),
                Top::Exn => Value::Exn { null: true },
            };
            if let Ty::Ref { top, nullable } = *ty {
                return nullable.then(|| null(top));
            }
            if round == 0 {
                return Some(match ty {
                    Ty::I32 => Value::I32(0),
                    Ty::I64 => Value::I64(0),
                    Ty::F32 => Value::F32(0),
                    Ty::F64 => Value::F64(0),
                    _ => Value::V128(0),
                });
            }
            let small = rng.below(3) == 0;
            let bits = rng.next_u64();
            Some(match ty {
                Ty::I32 => Value::I32(if small {
                    (bits % 17) as i32 - 8
                } else {
                    bits as i32
                }),
                Ty::I64 => Value::I64(if small {
                    (bits % 17) as i64 - 8
                } else {
                    bits as i64
                }),
                // Floats from a few interesting values and random non-NaN
                // bit patterns (a NaN argument would only test wasm-smith's
                // canonicalisation).
                Ty::F32 => Value::F32(match bits % 4 {
                    0 => [0.0f32, -0.0, 1.5, -2.0, f32::INFINITY, f32::MIN_POSITIVE]
                        [(bits >> 8) as usize % 6]
                        .to_bits(),
                    _ => {
                        let f = f32::from_bits((bits >> 16) as u32);
                        if f.is_nan() { 1.0f32 } else { f }.to_bits()
                    }
                }),
                Ty::F64 => Value::F64(match bits % 4 {
                    0 => [0.0f64, -0.0, 1.5, -2.0, f64::NEG_INFINITY, 1e300]
                        [(bits >> 8) as usize % 6]
                        .to_bits(),
                    _ => {
                        let f = f64::from_bits(bits.rotate_left(7));
                        if f.is_nan() { 1.0f64 } else { f }.to_bits()
                    }
                }),
                _ => Value::V128(u128::from(bits) << 64 | u128::from(rng.next_u64())),
            })
        })
        .collect()
}

/// What checking all seeds found.
#[derive(Default)]
pub struct Tally {
    pub modules: u64,
    pub compared: u64,
    /// Weft runs compared (one per tier per module).
    pub runs: u64,
    pub cut_short: u64,
    /// Why calls were cut short: "weft ..., wasmtime ...", how often.
    pub cut_short_why: BTreeMap<String, u64>,
    pub skipped_exhausted: u64,
    pub skipped_rejected: BTreeMap<String, u64>,
    pub instantiation_traps: u64,
    pub calls: u64,
    pub call_traps: u64,
    pub exceptions: u64,
    pub memories: u64,
    pub memory_bytes: u64,
    pub globals: u64,
    pub tables: u64,
    /// References in compared results and state that were not null.
    pub non_null_refs: u64,
    /// How often each trap was seen in compared calls.
    pub traps: BTreeMap<&'static str, u64>,
    pub mismatches: Vec<String>,
}

impl Tally {
    pub fn add(&mut self, o: Tally) {
        self.modules += o.modules;
        self.compared += o.compared;
        self.runs += o.runs;
        self.cut_short += o.cut_short;
        for (w, n) in o.cut_short_why {
            *self.cut_short_why.entry(w).or_default() += n;
        }
        self.skipped_exhausted += o.skipped_exhausted;
        for (w, n) in o.skipped_rejected {
            *self.skipped_rejected.entry(w).or_default() += n;
        }
        self.instantiation_traps += o.instantiation_traps;
        self.calls += o.calls;
        self.call_traps += o.call_traps;
        self.exceptions += o.exceptions;
        self.memories += o.memories;
        self.memory_bytes += o.memory_bytes;
        self.globals += o.globals;
        self.tables += o.tables;
        self.non_null_refs += o.non_null_refs;
        for (t, n) in o.traps {
            *self.traps.entry(t).or_default() += n;
        }
        self.mismatches.extend(o.mismatches);
    }

    /// Prints what was seen (traps, why calls were cut short, mismatches).
    pub fn print_details(&self) {
        for m in &self.mismatches {
            eprintln!("{m}\n");
        }
        let list = |m: &mut dyn Iterator<Item = (String, u64)>| {
            m.map(|(w, n)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        eprintln!(
            "traps seen: {}",
            list(&mut self.traps.iter().map(|(w, n)| (w.to_string(), *n)))
        );
        eprintln!(
            "cut short: {}",
            list(&mut self.cut_short_why.iter().map(|(w, n)| (w.clone(), *n)))
        );
        eprintln!(
            "skipped, rejected: {}",
            list(&mut self.skipped_rejected.iter().map(|(w, n)| (w.clone(), *n)))
        );
    }
}

fn count_refs(vs: &[Value]) -> u64 {
    vs.iter()
        .filter(|v| {
            matches!(
                v,
                Value::Func { null: false }
                    | Value::Extern { null: false }
                    | Value::Exn { null: false }
                    | Value::Any(Any::I31(_) | Any::Struct | Any::Array(_) | Any::Host)
            )
        })
        .count() as u64
}

/// The first difference between Weft's observation and wasmtime's, if
/// any. Counts what was compared in `t`.
pub fn compare(weft: &Observed, theirs: &Observed, t: &mut Tally) -> Option<String> {
    if weft.exports != theirs.exports {
        return Some(format!(
            "exports differ:\n  weft:     {:?}\n  wasmtime: {:?}",
            weft.exports, theirs.exports
        ));
    }
    let (wi, mi) = (weft.instantiation.as_ref()?, theirs.instantiation.as_ref()?);
    if wi != mi {
        return Some(format!(
            "instantiation:\n  weft:     {wi:?}\n  wasmtime: {mi:?}"
        ));
    }
    if let Outcome::Trapped(m) = wi {
        t.instantiation_traps += 1;
        *t.traps.entry(m).or_default() += 1;
    }
    for (i, ((wn, wargs, wo), (mn, margs, mo))) in weft.calls.iter().zip(&theirs.calls).enumerate()
    {
        if wn != mn || wargs != margs {
            return Some(format!(
                "call {i}: different calls: weft {wn}{wargs:?}, wasmtime {mn}{margs:?}"
            ));
        }
        if wo.is_exhausted() || mo.is_exhausted() {
            t.cut_short += 1;
            let why = |o: &Outcome| match o {
                Outcome::Exhausted(m) => *m,
                Outcome::Trapped(_) => "trapped",
                Outcome::Returned(_) => "returned",
                Outcome::Thrown(_) => "threw",
                Outcome::Error(_) => "error",
            };
            let key = format!("weft {}, wasmtime {}", why(wo), why(mo));
            *t.cut_short_why.entry(key).or_default() += 1;
            return None;
        }
        t.calls += 1;
        if wo != mo {
            return Some(format!(
                "call {i}: {wn}{wargs:?}\n  weft:     {wo:?}\n  wasmtime: {mo:?}"
            ));
        }
        match wo {
            Outcome::Trapped(m) => {
                t.call_traps += 1;
                *t.traps.entry(m).or_default() += 1;
            }
            Outcome::Thrown(vs) | Outcome::Returned(vs) => {
                t.exceptions += u64::from(matches!(wo, Outcome::Thrown(_)));
                t.non_null_refs += count_refs(vs);
            }
            _ => {}
        }
    }
    if weft.calls.len() != theirs.calls.len() {
        return Some(format!(
            "{} calls in weft, {} in wasmtime",
            weft.calls.len(),
            theirs.calls.len()
        ));
    }
    if weft.instantiation != Some(Outcome::Returned(Vec::new())) {
        return None;
    }
    for ((wn, wp, wb), (mn, mp, mb)) in weft.memories.iter().zip(&theirs.memories) {
        if wn != mn || wp != mp {
            return Some(format!(
                "memory {wn:?}: {wp} pages in weft, memory {mn:?}: {mp} pages in wasmtime"
            ));
        }
        if wb != mb {
            let at = wb
                .iter()
                .zip(mb)
                .position(|(a, b)| a != b)
                .unwrap_or(wb.len().min(mb.len()));
            let show = |b: &[u8]| format!("{:02x?}", &b[at..(at + 16).min(b.len())]);
            return Some(format!(
                "memory {wn:?} differs from byte {at:#x}:\n  weft:     {}\n  wasmtime: {}",
                show(wb),
                show(mb)
            ));
        }
        t.memories += 1;
        t.memory_bytes += wb.len() as u64;
    }
    if weft.memories.len() != theirs.memories.len() {
        return Some("different numbers of exported memories".into());
    }
    if weft.globals != theirs.globals {
        return Some(format!(
            "globals:\n  weft:     {:?}\n  wasmtime: {:?}",
            weft.globals, theirs.globals
        ));
    }
    t.globals += weft.globals.len() as u64;
    let values: Vec<Value> = weft.globals.iter().map(|(_, v)| *v).collect();
    t.non_null_refs += count_refs(&values);
    if weft.tables != theirs.tables {
        return Some(format!(
            "tables:\n  weft:     {:?}\n  wasmtime: {:?}",
            weft.tables, theirs.tables
        ));
    }
    t.tables += weft.tables.len() as u64;
    for (_, elems) in &weft.tables {
        t.non_null_refs += count_refs(elems);
    }
    None
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} modules: {} compared in {} Weft runs ({} runs cut short by fuel, stack or GC heap \
             exhaustion), {} skipped (exhaustion while instantiating), {} skipped (rejected); \
             {} instantiation traps; {} calls compared ({} trapped, {} uncaught exceptions); \
             final state: {} memories ({} bytes), {} globals, {} tables; {} non-null references; \
             {} mismatches",
            self.modules,
            self.compared,
            self.runs,
            self.cut_short,
            self.skipped_exhausted,
            self.skipped_rejected.values().sum::<u64>(),
            self.instantiation_traps,
            self.calls,
            self.call_traps,
            self.exceptions,
            self.memories,
            self.memory_bytes,
            self.globals,
            self.tables,
            self.non_null_refs,
            self.mismatches.len()
        )
    }
}
