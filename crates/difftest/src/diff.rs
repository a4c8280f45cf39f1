//! The differential-execution harness: Weft against a reference engine (an
//! [`Oracle`]: wasmi in `crates/difftest/tests/wasmi.rs`, wasmtime
//! in `crates/difftest`) on the same random modules.
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
//! differently by the engines (Weft: one unit per instruction; the oracles
//! by their own costs), and their call stacks have different limits, so the
//! first call that exhausts fuel, stack or GC heap on either side ends the
//! comparison of that module: the calls before it are compared, the final
//! state is not ("cut short").
//!
//! Engine-neutral: this module names no oracle's API (wasmi and wasmtime
//! are dev-dependencies of the tests that implement [`Oracle`]).

use std::collections::BTreeMap;
use std::fmt;
use weft::{AnyKind, Engine, Error, ExternKind, Linker, Module, Store, TrapCode, Val};
use weft_testkit::XorShift;

/// Fuel for instantiation and for each call, in Weft's units (one per
/// instruction).
pub const FUEL: u64 = 200_000;

/// Call depth limit (frames) of Weft, and of an oracle that has one.
pub const MAX_CALL_DEPTH: usize = 1_000;

/// The spec's message for a trap both engines agree is a table access out
/// of bounds: Weft reports a `call_indirect` index beyond the table as
/// "undefined element" (the testsuite's word), wasmi and wasmtime as a
/// table access out of bounds. Both are right; they are compared as one.
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

/// What both engines call: the exported functions of a module with their
/// parameter types, from wasmparser (the engines' APIs name concrete types
/// in ways that do not say their hierarchy), in this order (by name).
#[derive(Clone, Debug)]
pub struct Plan {
    pub funcs: Vec<(String, Vec<Ty>)>,
    /// Whether [`arguments`] draws random bits for a reference parameter
    /// too (and then passes null) after round 0, as the Wasm 2.0 harness
    /// always did: its seeds' arguments stay what they were.
    pub draws_for_refs: bool,
}

/// The plan of a valid module `wasm` (see [`Plan::draws_for_refs`]).
pub fn plan(wasm: &[u8], draws_for_refs: bool) -> Plan {
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
    Plan {
        funcs: plan,
        draws_for_refs,
    }
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
/// non-nullable reference (no argument can be made for it). A nullable
/// reference is always null; with `draws_for_refs` it uses up the random
/// bits a number would have after round 0.
pub fn arguments(
    params: &[Ty],
    round: usize,
    draws_for_refs: bool,
    rng: &mut XorShift,
) -> Option<Vec<Value>> {
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
                if draws_for_refs && round != 0 {
                    let _ = (rng.below(3), rng.next_u64());
                }
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

/// The calls of `plan`: every function in order, twice (round 0 with
/// default arguments, round 1 with arguments from `rng`), each made by
/// `call`; a function without arguments (see [`arguments`]) is skipped. The
/// first call that exhausts fuel, stack or GC heap is the last.
pub fn call_plan(
    plan: &Plan,
    rng: &mut XorShift,
    mut call: impl FnMut(&str, &[Value]) -> Outcome,
) -> Vec<(String, Vec<Value>, Outcome)> {
    let mut calls = Vec::new();
    for round in 0..2 {
        for (name, params) in &plan.funcs {
            let Some(args) = arguments(params, round, plan.draws_for_refs, rng) else {
                continue;
            };
            let out = call(name, &args);
            let stop = out.is_exhausted();
            calls.push((name.clone(), args, out));
            if stop {
                return calls;
            }
        }
    }
    calls
}

/// The other side of the comparison: a reference engine.
pub trait Oracle {
    /// Its name in reports ("wasmi", "wasmtime").
    const NAME: &'static str;

    /// Runs `wasm`: lists its exports sorted by name, instantiates it
    /// (start function included), makes the calls of `plan` with
    /// [`call_plan`] and `rng`, and reads every exported memory, global and
    /// table, as [`weft_observe`] does for Weft.
    fn observe(&self, wasm: &[u8], plan: &Plan, rng: &mut XorShift) -> Observed;
}

/// What checking all seeds found.
#[derive(Default)]
pub struct Tally {
    pub modules: u64,
    pub compared: u64,
    /// Weft runs compared (one per tier per module).
    pub runs: u64,
    pub cut_short: u64,
    /// Why calls were cut short: "weft ..., ORACLE ...", how often.
    pub cut_short_why: BTreeMap<String, u64>,
    pub skipped_exhausted: u64,
    /// Modules skipped because the oracle rejects them, by its reason.
    pub skipped_rejected: BTreeMap<String, u64>,
    /// Seeds whose module makes the oracle panic (skipped; listed).
    pub oracle_panics: Vec<String>,
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
        self.oracle_panics.extend(o.oracle_panics);
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

    /// Prints what was seen (the oracle's panics, mismatches, traps, why
    /// calls were cut short, and with `rejections` why modules were
    /// skipped).
    pub fn print_details(&self, oracle: &str, rejections: bool) {
        for p in &self.oracle_panics {
            eprintln!("{oracle} panicked (module skipped): {p}");
        }
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
        if rejections {
            eprintln!(
                "skipped, rejected: {}",
                list(&mut self.skipped_rejected.iter().map(|(w, n)| (w.clone(), *n)))
            );
        }
    }

    /// Fails if there were mismatches, or if too many modules were skipped
    /// (the comparison must actually compare something).
    pub fn assert_clean(&self, oracle: &str) {
        assert!(
            self.mismatches.is_empty(),
            "{} of {} modules ran differently in Weft and {oracle} (listed above)",
            self.mismatches.len(),
            self.modules
        );
        assert!(
            self.compared * 10 >= self.modules * 8,
            "too many modules skipped: {self}"
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

/// The first difference between Weft's observation and the oracle's
/// (named `oracle`), if any. Counts what was compared in `t`.
pub fn compare(weft: &Observed, theirs: &Observed, oracle: &str, t: &mut Tally) -> Option<String> {
    // "weft:" and "ORACLE:" in one column.
    let w = format!("{:<1$}", "weft:", oracle.len() + 1);
    let m = format!("{oracle}:");
    if weft.exports != theirs.exports {
        return Some(format!(
            "exports differ:\n  {w} {:?}\n  {m} {:?}",
            weft.exports, theirs.exports
        ));
    }
    let (wi, mi) = (weft.instantiation.as_ref()?, theirs.instantiation.as_ref()?);
    if wi != mi {
        return Some(format!("instantiation:\n  {w} {wi:?}\n  {m} {mi:?}"));
    }
    if let Outcome::Trapped(m) = wi {
        t.instantiation_traps += 1;
        *t.traps.entry(m).or_default() += 1;
    }
    for (i, ((wn, wargs, wo), (mn, margs, mo))) in weft.calls.iter().zip(&theirs.calls).enumerate()
    {
        if wn != mn || wargs != margs {
            return Some(format!(
                "call {i}: different calls: weft {wn}{wargs:?}, {oracle} {mn}{margs:?}"
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
            let key = format!("weft {}, {oracle} {}", why(wo), why(mo));
            *t.cut_short_why.entry(key).or_default() += 1;
            return None;
        }
        t.calls += 1;
        if wo != mo {
            return Some(format!(
                "call {i}: {wn}{wargs:?}\n  {w} {wo:?}\n  {m} {mo:?}"
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
            "{} calls in weft, {} in {oracle}",
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
                "memory {wn:?}: {wp} pages in weft, memory {mn:?}: {mp} pages in {oracle}"
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
                "memory {wn:?} differs from byte {at:#x}:\n  {w} {}\n  {m} {}",
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
            "globals:\n  {w} {:?}\n  {m} {:?}",
            weft.globals, theirs.globals
        ));
    }
    t.globals += weft.globals.len() as u64;
    let values: Vec<Value> = weft.globals.iter().map(|(_, v)| *v).collect();
    t.non_null_refs += count_refs(&values);
    if weft.tables != theirs.tables {
        return Some(format!(
            "tables:\n  {w} {:?}\n  {m} {:?}",
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

// ----- Weft ---------------------------------------------------------------

fn value(store: &Store<()>, v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(*x),
        Val::F64(x) => Value::F64(*x),
        Val::V128(x) => Value::V128(*x),
        Val::FuncRef(r) => Value::Func { null: r.is_none() },
        Val::ExternRef(r) => Value::Extern { null: r.is_none() },
        Val::ExnRef(r) => Value::Exn { null: r.is_none() },
        Val::AnyRef(None) => Value::Any(Any::Null),
        Val::AnyRef(Some(r)) => Value::Any(match r.kind(store) {
            AnyKind::I31(i) => Any::I31(i),
            AnyKind::Struct => Any::Struct,
            AnyKind::Array(n) => Any::Array(n),
            AnyKind::Host(_) => Any::Host,
        }),
    }
}

fn to_val(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        Value::V128(x) => Val::V128(x),
        Value::Func { .. } => Val::FuncRef(None),
        Value::Extern { .. } => Val::ExternRef(None),
        Value::Any(_) => Val::AnyRef(None),
        Value::Exn { .. } => Val::ExnRef(None),
    }
}

fn outcome(store: &Store<()>, e: &Error) -> Outcome {
    if let Some(exn) = e.as_exception() {
        let fields = exn.fields(store).expect("an exception of this store");
        return Outcome::Thrown(fields.iter().map(|v| value(store, v)).collect());
    }
    let Some(trap) = e.as_trap() else {
        return Outcome::Error(format!("{:?}: {e}", e.kind()));
    };
    Outcome::Trapped(match trap.code() {
        TrapCode::StackOverflow | TrapCode::OutOfFuel => {
            return Outcome::Exhausted(trap.code().message())
        }
        TrapCode::GcHeapExhausted => return Outcome::Exhausted("GC heap"),
        TrapCode::UndefinedElement | TrapCode::TableOutOfBounds => TABLE_OOB,
        TrapCode::NullReference
        | TrapCode::NullFunctionReference
        | TrapCode::NullStructReference
        | TrapCode::NullArrayReference
        | TrapCode::NullI31Reference
        | TrapCode::NullExceptionReference => NULL_REF,
        code => code.message(),
    })
}

/// Runs `wasm` in Weft with `engine` through its public API: lists its
/// exports sorted by name, instantiates it with `FUEL`, makes the calls of
/// `plan` (each with `FUEL`) and reads every exported memory, global and
/// table.
pub fn weft_observe(engine: &Engine, wasm: &[u8], plan: &Plan, rng: &mut XorShift) -> Observed {
    let mut o = Observed::default();
    let module = match Module::from_binary(engine, wasm) {
        Ok(m) => m,
        Err(e) => {
            o.rejected = Some(e.to_string());
            return o;
        }
    };
    for e in module.exports() {
        let kind = match e.ty().kind() {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        };
        o.exports.push((e.name().to_string(), kind));
    }
    o.exports.sort();
    let mut store = Store::new(engine, ());
    let linker = Linker::<()>::new(engine);
    let fuel = |store: &mut Store<()>| store.set_fuel(FUEL).expect("fuel is on");
    fuel(&mut store);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            o.instantiation = Some(outcome(&store, &e));
            return o;
        }
    };
    o.instantiation = Some(Outcome::Returned(Vec::new()));
    let exports = o.exports.clone();
    o.calls = call_plan(plan, rng, |name, args| {
        let func = instance.get_func(&store, name).expect("exported function");
        let wargs: Vec<Val> = args.iter().map(to_val).collect();
        let mut results: Vec<Val> = vec![Val::I32(0); func.ty(&store).results.len()];
        fuel(&mut store);
        match func.call(&mut store, &wargs, &mut results) {
            Ok(()) => Outcome::Returned(results.iter().map(|v| value(&store, v)).collect()),
            Err(e) => outcome(&store, &e),
        }
    });
    for (name, kind) in &exports {
        match *kind {
            "memory" => {
                let m = instance.get_memory(&store, name).expect("exported memory");
                o.memories
                    .push((name.clone(), m.size(&store), m.data(&store).to_vec()));
            }
            "global" => {
                let g = instance.get_global(&store, name).expect("exported global");
                o.globals
                    .push((name.clone(), value(&store, &g.get(&store))));
            }
            "table" => {
                let t = instance.get_table(&store, name).expect("exported table");
                let elems = (0..t.size(&store))
                    .map(|i| value(&store, &t.get(&store, i).expect("in bounds")))
                    .collect();
                o.tables.push((name.clone(), elems));
            }
            _ => {}
        }
    }
    o
}
