//! Differential execution: Weft against wasmi 2.x on random modules.
//!
//! Modules come from wasm-smith, configured for exactly WebAssembly 2.0 (the
//! same configuration approach as `crates/wast/tests/differential.rs`), with
//! NaNs canonicalised (so that every float result is deterministic), every
//! item exported and no imports. Seeds are fixed: every run checks the same
//! modules. Most modules are also instrumented by wasm-smith's
//! `ensure_termination` (a global counter decremented at every loop head and
//! function entry that traps with `unreachable` at zero), so that runaway
//! loops end the same way in both engines; both engines also run with fuel
//! as a backstop.
//!
//! For each module both engines instantiate it (start function included),
//! then call every exported function in the order of their names (wasmi
//! lists exports sorted by name), once with default
//! arguments (zeros and nulls) and once with arguments drawn from the seed,
//! and compare:
//! - whether instantiation succeeded, or how it trapped;
//! - each call's results (bit patterns; references only as null or not) or
//!   its trap (the trap codes mapped onto the spec's messages);
//! - at the end, every exported memory (size and bytes), global (value) and
//!   table (size and which elements are null).
//!
//! Fuel is counted differently by the two engines (Weft: one unit per Wasm
//! instruction; wasmi: per basic block, by its own costs), and their call
//! stacks have different limits and frame sizes. So the first call that
//! exhausts fuel or the call stack on either side ends the comparison of that
//! module: the calls before it are compared, the final state is not, and the
//! module is counted as "cut short". A module whose instantiation exhausts
//! fuel or stack on either side is skipped; so is one that wasmi rejects
//! (an implementation limit of wasmi's) or panics on (wasmi 2.0.0's
//! translator hits an `unreachable!()` in `translate_store` on a rare module,
//! e.g. seed 17501; such seeds are listed).
//!
//! wasm-smith's `disallow_traps` is off: see `config` for the wasmi bug its
//! guard code runs into.
//!
//! `WEFT_DIFF_EXEC_MODULES=N` checks N modules instead of the default 5,000;
//! `WEFT_DIFF_EXEC_SEED=S` checks only the module of seed S and prints both
//! engines' observations. A mismatch fails the test after printing the seed,
//! the export and both observations, and writing the module to
//! `diff-exec-SEED.wasm` in the test's scratch directory (see the message).

use arbitrary::Unstructured;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;
use weft_testkit::{env_u64, hex, XorShift};

/// Modules checked by a plain `cargo test`.
const DEFAULT_MODULES: u64 = 5_000;

/// Fuel for instantiation and for each call, in Weft's units (one per
/// instruction).
const FUEL: u64 = 200_000;

/// wasmi's fuel for the same: its costs per instruction are higher than
/// Weft's, so it gets more, so that a call that ends in Weft within `FUEL`
/// usually ends in wasmi too and is compared.
const WASMI_FUEL: u64 = 8 * FUEL;

/// Call depth limit, the same for both engines (they count frames alike
/// only roughly; exhausting it cuts the comparison short).
const MAX_CALL_DEPTH: usize = 1_000;

/// Stack size of the threads that run the engines. wasmi's default dispatch
/// has its instruction handlers tail-call each other, which LLVM does not
/// always turn into jumps in the test profile: there every executed
/// instruction can take a native stack frame until the Wasm function returns.
/// Fuel bounds the number of instructions, and this bounds their frames
/// (the memory is only reserved, not committed, until it is touched).
const WORKER_STACK: usize = 1 << 30;

// ----- modules --------------------------------------------------------------

/// A wasm-smith configuration for exactly WebAssembly 2.0, for execution:
/// deterministic floats, everything exported, no imports, bounded memories
/// and tables. Shape knobs are drawn from `rng`.
fn config(rng: &mut XorShift) -> wasm_smith::Config {
    let mut c = wasm_smith::Config {
        // Execution needs determinism and something to call.
        canonicalize_nans: true,
        export_everything: true,
        allow_invalid_funcs: false,
        max_imports: 0,
        // Bounded memories and tables: memory.grow and table.grow stay
        // small whatever the generated code asks for.
        max_memory32_bytes: 2 << 20,
        memory_max_size_required: true,
        max_table_elements: 1_000,
        table_max_size_required: true,
        ..weft_testkit::wasm2_config()
    };
    c.max_tables = 1 + rng.below(4);
    c.max_instructions = [10, 50, 100, 300][rng.below(4)];
    c.max_funcs = [3, 10, 30][rng.below(3)];
    // wasm-smith stops adding functions (and types) at its first "no" from
    // the input: ask for a few, which needs a type to give them.
    c.min_types = 1 + rng.below(3);
    c.min_funcs = 1 + rng.below(c.max_funcs);
    c.min_memories = u32::from(rng.chance(3, 4));
    c.min_globals = rng.below(4);
    c.min_uleb_size = if rng.chance(1, 8) {
        1 + rng.below(5) as u8
    } else {
        1
    };
    c.allow_floats = !rng.chance(1, 8);
    // Not `disallow_traps`: its guard for divisors, `select(1, d, d == 0)`
    // (an `i32.eqz` condition and a constant operand), meets a wasmi 2.0.0
    // miscompilation: `table.size 0  i32.const 7  local.get 0  local.get 0
    // i32.eqz  select  i32.add` with local 0 = 0 returns 996 where the
    // spec (and wasmtime, and Weft) say 1003 for a table of 996 elements.
    c.disallow_traps = false;
    c.generate_custom_sections = rng.chance(1, 8);
    c.bulk_memory_enabled = !rng.chance(1, 16);
    c.reference_types_enabled = !rng.chance(1, 16);
    c.simd_enabled = !rng.chance(1, 8);
    c
}

/// Makes a wasm-smith module from `rng`.
fn generate(rng: &mut XorShift) -> Vec<u8> {
    loop {
        let config = config(rng);
        let max = if rng.chance(1, 8) { 32768 } else { 8192 };
        let len = 256 + rng.below(max);
        let mut data = vec![0u8; len];
        rng.fill(&mut data);
        let mut u = Unstructured::new(&data);
        let Ok(mut m) = wasm_smith::Module::new(config, &mut u) else {
            continue;
        };
        if rng.chance(3, 4) {
            let fuel = [100, 1_000, 10_000][rng.below(3)];
            if m.ensure_termination(fuel).is_err() {
                continue;
            }
        }
        return m.to_bytes();
    }
}

// ----- what an engine observed ----------------------------------------------

/// A value, engine-neutral: numbers as bit patterns, references only as
/// null or not (their identities mean nothing across engines).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef { null: bool },
    ExternRef { null: bool },
}

/// A parameter type, engine-neutral.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

/// How an instantiation or a call ended.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    /// Returned these results (nothing for an instantiation).
    Returned(Vec<Value>),
    /// Trapped; the spec's message for the trap.
    Trapped(&'static str),
    /// Ran out of fuel or of call stack: not comparable.
    Exhausted(&'static str),
    /// Any other error: never expected.
    Error(String),
}

impl Outcome {
    fn is_exhausted(&self) -> bool {
        matches!(self, Outcome::Exhausted(_))
    }
}

/// One engine's observations of one module.
#[derive(Debug, Default)]
struct Observed {
    /// The module's exports, names and kinds, sorted by name (the order in
    /// which the functions are called).
    exports: Vec<(String, &'static str)>,
    /// `None` if the engine rejected the module.
    instantiation: Option<Outcome>,
    /// Each call: export, arguments, outcome.
    calls: Vec<(String, Vec<Value>, Outcome)>,
    /// Exported memories: name, pages, bytes.
    memories: Vec<(String, u64, Vec<u8>)>,
    /// Exported globals.
    globals: Vec<(String, Value)>,
    /// Exported tables: name, each element (null or not).
    tables: Vec<(String, Vec<Value>)>,
    /// Why the engine rejected the module, if it did.
    rejected: Option<String>,
    /// The engine panicked (the message).
    panicked: Option<String>,
}

/// The message of a caught panic.
fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(see the panic message printed above)".into())
}

/// The spec's message for a trap both engines agree is a table access out
/// of bounds: wasmi reports a `call_indirect` index beyond the table as an
/// out-of-bounds table access, Weft as "undefined element" (the testsuite's
/// word for it). Both are right; they are compared as one.
const TABLE_OOB: &str = "out of bounds table access";

/// Arguments for a function with parameters `params`: the defaults for
/// `round` 0, values from `rng` after that.
fn arguments(params: &[Ty], round: usize, rng: &mut XorShift) -> Vec<Value> {
    params
        .iter()
        .map(|ty| {
            if round == 0 {
                return match ty {
                    Ty::I32 => Value::I32(0),
                    Ty::I64 => Value::I64(0),
                    Ty::F32 => Value::F32(0),
                    Ty::F64 => Value::F64(0),
                    Ty::V128 => Value::V128(0),
                    Ty::FuncRef => Value::FuncRef { null: true },
                    Ty::ExternRef => Value::ExternRef { null: true },
                };
            }
            let small = rng.below(3) == 0;
            let bits = rng.next_u64();
            match ty {
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
                        if f.is_nan() {
                            1.0f32.to_bits()
                        } else {
                            f.to_bits()
                        }
                    }
                }),
                Ty::F64 => Value::F64(match bits % 4 {
                    0 => [0.0f64, -0.0, 1.5, -2.0, f64::NEG_INFINITY, 1e300]
                        [(bits >> 8) as usize % 6]
                        .to_bits(),
                    _ => {
                        let f = f64::from_bits(bits.rotate_left(7));
                        if f.is_nan() {
                            1.0f64.to_bits()
                        } else {
                            f.to_bits()
                        }
                    }
                }),
                Ty::V128 => Value::V128(u128::from(bits) << 64 | u128::from(rng.next_u64())),
                Ty::FuncRef => Value::FuncRef { null: true },
                Ty::ExternRef => Value::ExternRef { null: true },
            }
        })
        .collect()
}

// ----- comparison -----------------------------------------------------------

/// What checking all seeds found.
#[derive(Default)]
struct Tally {
    modules: u64,
    compared: u64,
    cut_short: u64,
    /// Why calls were cut short: "weft: ..., wasmi: ...", how often.
    cut_short_why: std::collections::BTreeMap<String, u64>,
    skipped_exhausted: u64,
    skipped_wasmi_rejects: u64,
    /// Seeds whose module makes wasmi panic (skipped; listed).
    wasmi_panics: Vec<String>,
    instantiation_traps: u64,
    calls: u64,
    call_traps: u64,
    memories: u64,
    memory_bytes: u64,
    globals: u64,
    tables: u64,
    /// How often each trap was seen in compared calls.
    traps: std::collections::BTreeMap<&'static str, u64>,
    mismatches: Vec<String>,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.modules += o.modules;
        self.compared += o.compared;
        self.cut_short += o.cut_short;
        for (w, n) in o.cut_short_why {
            *self.cut_short_why.entry(w).or_default() += n;
        }
        self.skipped_exhausted += o.skipped_exhausted;
        self.skipped_wasmi_rejects += o.skipped_wasmi_rejects;
        self.wasmi_panics.extend(o.wasmi_panics);
        self.instantiation_traps += o.instantiation_traps;
        self.calls += o.calls;
        self.call_traps += o.call_traps;
        self.memories += o.memories;
        self.memory_bytes += o.memory_bytes;
        self.globals += o.globals;
        self.tables += o.tables;
        for (t, n) in o.traps {
            *self.traps.entry(t).or_default() += n;
        }
        self.mismatches.extend(o.mismatches);
    }
}

/// The first difference between the two observations, if any. Counts what
/// was compared in `t`.
fn compare(weft: &Observed, wasmi: &Observed, t: &mut Tally) -> Option<String> {
    if weft.exports != wasmi.exports {
        return Some(format!(
            "exports differ:\n  weft:  {:?}\n  wasmi: {:?}",
            weft.exports, wasmi.exports
        ));
    }
    let (wi, mi) = (weft.instantiation.as_ref()?, wasmi.instantiation.as_ref()?);
    if wi != mi {
        return Some(format!("instantiation:\n  weft:  {wi:?}\n  wasmi: {mi:?}"));
    }
    if let Outcome::Trapped(m) = wi {
        t.instantiation_traps += 1;
        *t.traps.entry(m).or_default() += 1;
    }
    for (i, ((wn, wargs, wo), (mn, margs, mo))) in weft.calls.iter().zip(&wasmi.calls).enumerate() {
        if wn != mn || wargs != margs {
            return Some(format!(
                "call {i}: different calls: weft {wn}{wargs:?}, wasmi {mn}{margs:?}"
            ));
        }
        if wo.is_exhausted() || mo.is_exhausted() {
            t.cut_short += 1;
            let why = |o: &Outcome| match o {
                Outcome::Exhausted(m) => *m,
                Outcome::Trapped(_) => "trapped",
                Outcome::Returned(_) => "returned",
                Outcome::Error(_) => "error",
            };
            let key = format!("weft {}, wasmi {}", why(wo), why(mo));
            *t.cut_short_why.entry(key).or_default() += 1;
            return None;
        }
        t.calls += 1;
        if wo != mo {
            return Some(format!(
                "call {i}: {wn}{wargs:?}\n  weft:  {wo:?}\n  wasmi: {mo:?}"
            ));
        }
        if let Outcome::Trapped(m) = wo {
            t.call_traps += 1;
            *t.traps.entry(m).or_default() += 1;
        }
    }
    if weft.calls.len() != wasmi.calls.len() {
        return Some(format!(
            "{} calls in weft, {} in wasmi",
            weft.calls.len(),
            wasmi.calls.len()
        ));
    }
    if weft.instantiation != Some(Outcome::Returned(Vec::new())) {
        return None;
    }
    for ((wn, wp, wb), (mn, mp, mb)) in weft.memories.iter().zip(&wasmi.memories) {
        if wn != mn || wp != mp {
            return Some(format!(
                "memory {wn:?}: {wp} pages in weft, memory {mn:?}: {mp} pages in wasmi"
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
                "memory {wn:?} differs from byte {at:#x}:\n  weft:  {}\n  wasmi: {}",
                show(wb),
                show(mb)
            ));
        }
        t.memories += 1;
        t.memory_bytes += wb.len() as u64;
    }
    if weft.memories.len() != wasmi.memories.len() {
        return Some("different numbers of exported memories".into());
    }
    if weft.globals != wasmi.globals {
        return Some(format!(
            "globals:\n  weft:  {:?}\n  wasmi: {:?}",
            weft.globals, wasmi.globals
        ));
    }
    t.globals += weft.globals.len() as u64;
    if weft.tables != wasmi.tables {
        return Some(format!(
            "tables:\n  weft:  {:?}\n  wasmi: {:?}",
            weft.tables, wasmi.tables
        ));
    }
    t.tables += weft.tables.len() as u64;
    None
}

/// Checks the module of `seed`.
fn check_seed(seed: u64, verbose: bool) -> Tally {
    let mut rng = XorShift::new(seed);
    let wasm = generate(&mut rng);
    let arg_seed = rng.next_u64();
    // Half of the modules run with eager translation in Weft, half lazily.
    let eager = seed % 2 == 1;
    let mut t = Tally {
        modules: 1,
        ..Tally::default()
    };
    let wasmi = match catch_unwind(AssertUnwindSafe(|| {
        wasmi_side::observe(&wasm, &mut XorShift::new(arg_seed))
    })) {
        Ok(o) => o,
        Err(e) => {
            t.wasmi_panics
                .push(format!("seed {seed}: {}", panic_message(&e)));
            return t;
        }
    };
    let weft = catch_unwind(AssertUnwindSafe(|| {
        weft_side::observe(&wasm, eager, &mut XorShift::new(arg_seed))
    }))
    .unwrap_or_else(|e| Observed {
        panicked: Some(panic_message(&e)),
        ..Observed::default()
    });
    if verbose {
        eprintln!("seed {seed}: module ({} bytes): {}", wasm.len(), hex(&wasm));
        eprintln!(
            "weft ({}):\n{weft:#?}",
            if eager { "eager" } else { "lazy" }
        );
        eprintln!("wasmi:\n{wasmi:#?}");
    }
    let report = |what: String| {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("diff-exec-{seed}.wasm"));
        let _ = std::fs::write(&path, &wasm);
        format!(
            "MISMATCH seed {seed} (weft {}): {what}\n  module: {} (WEFT_DIFF_EXEC_SEED={seed} prints everything)",
            if eager { "eager" } else { "lazy" },
            path.display()
        )
    };
    if let Some(why) = &weft.panicked {
        t.mismatches.push(report(format!("Weft panicked: {why}")));
        return t;
    }
    if let Some(why) = &wasmi.rejected {
        if weft.rejected.is_none() {
            t.skipped_wasmi_rejects += 1;
            if verbose {
                eprintln!("skipped: wasmi rejects the module: {why}");
            }
        }
        return t;
    }
    if let Some(why) = &weft.rejected {
        t.mismatches.push(report(format!(
            "Weft rejects a module wasmi accepts: {why}"
        )));
        return t;
    }
    if weft
        .instantiation
        .as_ref()
        .is_some_and(Outcome::is_exhausted)
        || wasmi
            .instantiation
            .as_ref()
            .is_some_and(Outcome::is_exhausted)
    {
        t.skipped_exhausted += 1;
        return t;
    }
    if let Some(m) = compare(&weft, &wasmi, &mut t) {
        t.mismatches.push(report(m));
    }
    t.compared = 1;
    t
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} modules: {} compared ({} cut short by fuel or stack exhaustion), {} skipped \
             (exhaustion while instantiating), {} skipped (wasmi rejects), {} skipped (wasmi \
             panics); {} instantiation traps; \
             {} calls compared ({} trapped); final state: {} memories ({} bytes), {} globals, {} tables; \
             {} mismatches",
            self.modules,
            self.compared,
            self.cut_short,
            self.skipped_exhausted,
            self.skipped_wasmi_rejects,
            self.wasmi_panics.len(),
            self.instantiation_traps,
            self.calls,
            self.call_traps,
            self.memories,
            self.memory_bytes,
            self.globals,
            self.tables,
            self.mismatches.len()
        )
    }
}

#[test]
fn config_is_exactly_wasm2() {
    // wasm-smith's own account of the features its configuration needs.
    let mut c = config(&mut XorShift::new(0));
    c.bulk_memory_enabled = true;
    c.reference_types_enabled = true;
    c.simd_enabled = true;
    assert_eq!(c.features(), wasmparser::WasmFeatures::WASM2);
}

#[test]
fn same_execution_as_wasmi() {
    if let Some(seed) = env_u64("WEFT_DIFF_EXEC_SEED") {
        let t = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn(move || check_seed(seed, true))
            .expect("spawn a worker")
            .join()
            .expect("worker panicked");
        eprintln!("{t}");
        assert!(t.mismatches.is_empty(), "{}", t.mismatches.join("\n"));
        return;
    }
    let wanted = env_u64("WEFT_DIFF_EXEC_MODULES").unwrap_or(DEFAULT_MODULES);
    let start = Instant::now();
    let total = weft_testkit::run_seeds(
        wanted,
        Some(WORKER_STACK),
        |seed| check_seed(seed, false),
        Tally::add,
    );
    for p in &total.wasmi_panics {
        eprintln!("wasmi panicked (module skipped): {p}");
    }
    for m in &total.mismatches {
        eprintln!("{m}\n");
    }
    let traps: Vec<String> = total
        .traps
        .iter()
        .map(|(m, n)| format!("{n} {m}"))
        .collect();
    eprintln!("traps seen: {}", traps.join(", "));
    let cut: Vec<String> = total
        .cut_short_why
        .iter()
        .map(|(w, n)| format!("{n} {w}"))
        .collect();
    eprintln!("cut short: {}", cut.join("; "));
    eprintln!(
        "differential execution in {:.1} s: {total}",
        start.elapsed().as_secs_f64()
    );
    assert!(
        total.mismatches.is_empty(),
        "{} of {} modules ran differently in Weft and wasmi (listed above)",
        total.mismatches.len(),
        total.modules
    );
    // The comparison must actually compare something.
    assert!(
        total.compared * 10 >= total.modules * 8,
        "too many modules skipped: {total}"
    );
}

// ----- wasmi ----------------------------------------------------------------

mod wasmi_side {
    use super::{Observed, Outcome, Ty, Value, XorShift, MAX_CALL_DEPTH, TABLE_OOB, WASMI_FUEL};
    use wasmi::errors::{ErrorKind, InstantiationError};
    use wasmi::TrapCode;

    fn ty(t: &wasmi::ValType) -> Ty {
        match t {
            wasmi::ValType::I32 => Ty::I32,
            wasmi::ValType::I64 => Ty::I64,
            wasmi::ValType::F32 => Ty::F32,
            wasmi::ValType::F64 => Ty::F64,
            wasmi::ValType::V128 => Ty::V128,
            wasmi::ValType::FuncRef => Ty::FuncRef,
            wasmi::ValType::ExternRef => Ty::ExternRef,
        }
    }

    fn value(v: &wasmi::Val) -> Value {
        match v {
            wasmi::Val::I32(x) => Value::I32(*x),
            wasmi::Val::I64(x) => Value::I64(*x),
            wasmi::Val::F32(x) => Value::F32(x.to_bits()),
            wasmi::Val::F64(x) => Value::F64(x.to_bits()),
            wasmi::Val::V128(x) => Value::V128(x.as_u128()),
            wasmi::Val::FuncRef(r) => Value::FuncRef { null: r.is_null() },
            wasmi::Val::ExternRef(r) => Value::ExternRef { null: r.is_null() },
        }
    }

    fn to_val(v: &Value) -> wasmi::Val {
        match *v {
            Value::I32(x) => wasmi::Val::I32(x),
            Value::I64(x) => wasmi::Val::I64(x),
            Value::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
            Value::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
            Value::V128(x) => wasmi::Val::V128(wasmi::V128::from(x)),
            Value::FuncRef { .. } => wasmi::Val::default_for_ty(wasmi::ValType::FuncRef),
            Value::ExternRef { .. } => wasmi::Val::default_for_ty(wasmi::ValType::ExternRef),
        }
    }

    fn outcome(e: &wasmi::Error) -> Outcome {
        match e.as_trap_code() {
            Some(TrapCode::UnreachableCodeReached) => Outcome::Trapped("unreachable"),
            Some(TrapCode::MemoryOutOfBounds) => Outcome::Trapped("out of bounds memory access"),
            Some(TrapCode::TableOutOfBounds) => Outcome::Trapped(TABLE_OOB),
            Some(TrapCode::IndirectCallToNull) => Outcome::Trapped("uninitialized element"),
            Some(TrapCode::IntegerDivisionByZero) => Outcome::Trapped("integer divide by zero"),
            Some(TrapCode::IntegerOverflow) => Outcome::Trapped("integer overflow"),
            Some(TrapCode::BadConversionToInteger) => {
                Outcome::Trapped("invalid conversion to integer")
            }
            Some(TrapCode::BadSignature) => Outcome::Trapped("indirect call type mismatch"),
            Some(TrapCode::StackOverflow) => Outcome::Exhausted("call stack exhausted"),
            Some(TrapCode::OutOfFuel) => Outcome::Exhausted("all fuel consumed"),
            Some(_) => Outcome::Error(e.to_string()),
            // An active element segment beyond its table's end: the spec's
            // `table.init` traps there, wasmi reports an instantiation error.
            None if matches!(
                e.kind(),
                ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. })
            ) =>
            {
                Outcome::Trapped(TABLE_OOB)
            }
            None => Outcome::Error(e.to_string()),
        }
    }

    /// Runs `wasm` in wasmi: eager translation, so that fuel is only spent
    /// on execution.
    pub fn observe(wasm: &[u8], rng: &mut XorShift) -> Observed {
        let mut config = wasmi::Config::default();
        config
            .consume_fuel(true)
            .compilation_mode(wasmi::CompilationMode::Eager)
            .set_max_recursion_depth(MAX_CALL_DEPTH)
            // Exactly 2.0.
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_multi_memory(false)
            .wasm_memory64(false)
            .wasm_relaxed_simd(false);
        let engine = wasmi::Engine::new(&config);
        let mut o = Observed::default();
        let module = match wasmi::Module::new(&engine, wasm) {
            Ok(m) => m,
            Err(e) => {
                o.rejected = Some(e.to_string());
                return o;
            }
        };
        for e in module.exports() {
            let kind = match e.ty() {
                wasmi::ExternType::Func(_) => "func",
                wasmi::ExternType::Table(_) => "table",
                wasmi::ExternType::Memory(_) => "memory",
                wasmi::ExternType::Global(_) => "global",
            };
            o.exports.push((e.name().to_string(), kind));
        }
        // wasmi lists exports by name, not in the export section's order.
        o.exports.sort();
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let fuel = |store: &mut wasmi::Store<()>| store.set_fuel(WASMI_FUEL).expect("fuel is on");
        fuel(&mut store);
        let instance = match linker.instantiate_and_start(&mut store, &module) {
            Ok(i) => i,
            Err(e) => {
                o.instantiation = Some(outcome(&e));
                return o;
            }
        };
        o.instantiation = Some(Outcome::Returned(Vec::new()));
        let exports = o.exports.clone();
        'calls: for round in 0..2 {
            for (name, kind) in &exports {
                if *kind != "func" {
                    continue;
                }
                let func = instance.get_func(&store, name).expect("exported function");
                let fty = func.ty(&store);
                let params: Vec<Ty> = fty.params().iter().map(ty).collect();
                let args = super::arguments(&params, round, rng);
                let wargs: Vec<wasmi::Val> = args.iter().map(to_val).collect();
                let mut results: Vec<wasmi::Val> = fty
                    .results()
                    .iter()
                    .map(|t| wasmi::Val::default_for_ty(*t))
                    .collect();
                fuel(&mut store);
                let out = match func.call(&mut store, &wargs, &mut results) {
                    Ok(()) => Outcome::Returned(results.iter().map(value).collect()),
                    Err(e) => outcome(&e),
                };
                let stop = out.is_exhausted();
                o.calls.push((name.clone(), args, out));
                if stop {
                    break 'calls;
                }
            }
        }
        for (name, kind) in &exports {
            match *kind {
                "memory" => {
                    let m = instance.get_memory(&store, name).expect("exported memory");
                    o.memories
                        .push((name.clone(), m.size(&store), m.data(&store).to_vec()));
                }
                "global" => {
                    let g = instance.get_global(&store, name).expect("exported global");
                    o.globals.push((name.clone(), value(&g.get(&store))));
                }
                "table" => {
                    let t = instance.get_table(&store, name).expect("exported table");
                    let elems = (0..t.size(&store))
                        .map(|i| {
                            let r = t.get(&store, i).expect("in bounds");
                            value(&wasmi::Val::from(r))
                        })
                        .collect();
                    o.tables.push((name.clone(), elems));
                }
                _ => {}
            }
        }
        o
    }
}

// ----- Weft -----------------------------------------------------------------

mod weft_side {
    use super::{Observed, Outcome, Ty, Value, XorShift, FUEL, MAX_CALL_DEPTH, TABLE_OOB};
    use weft::{
        CompilationMode, Config, Engine, Error, ExternType, HeapType, Linker, Module, Store,
        TrapCode, Val, ValType,
    };

    fn ty(t: &ValType) -> Ty {
        match t {
            ValType::I32 => Ty::I32,
            ValType::I64 => Ty::I64,
            ValType::F32 => Ty::F32,
            ValType::F64 => Ty::F64,
            ValType::V128 => Ty::V128,
            ValType::Ref(r) => match r.heap {
                HeapType::Func => Ty::FuncRef,
                HeapType::Extern => Ty::ExternRef,
                // The generator makes Wasm 2.0 modules only.
                other => panic!("heap type {other} in a 2.0 module"),
            },
        }
    }

    fn value(v: &Val) -> Value {
        match v {
            Val::I32(x) => Value::I32(*x),
            Val::I64(x) => Value::I64(*x),
            Val::F32(x) => Value::F32(*x),
            Val::F64(x) => Value::F64(*x),
            Val::V128(x) => Value::V128(*x),
            Val::FuncRef(r) => Value::FuncRef { null: r.is_none() },
            Val::ExternRef(r) => Value::ExternRef { null: r.is_none() },
            // The generated modules have no GC types or exceptions.
            Val::AnyRef(r) => Value::ExternRef { null: r.is_none() },
            Val::ExnRef(r) => Value::ExternRef { null: r.is_none() },
        }
    }

    fn to_val(v: &Value) -> Val {
        match *v {
            Value::I32(x) => Val::I32(x),
            Value::I64(x) => Val::I64(x),
            Value::F32(x) => Val::F32(x),
            Value::F64(x) => Val::F64(x),
            Value::V128(x) => Val::V128(x),
            Value::FuncRef { .. } => Val::FuncRef(None),
            Value::ExternRef { .. } => Val::ExternRef(None),
        }
    }

    fn outcome(e: &Error) -> Outcome {
        let Some(trap) = e.as_trap() else {
            return Outcome::Error(format!("{:?}: {e}", e.kind()));
        };
        match trap.code() {
            TrapCode::StackOverflow | TrapCode::OutOfFuel => {
                Outcome::Exhausted(trap.code().message())
            }
            // See TABLE_OOB.
            TrapCode::UndefinedElement | TrapCode::TableOutOfBounds => Outcome::Trapped(TABLE_OOB),
            code => Outcome::Trapped(code.message()),
        }
    }

    /// Runs `wasm` in Weft through its public API, translating eagerly or
    /// lazily.
    pub fn observe(wasm: &[u8], eager: bool, rng: &mut XorShift) -> Observed {
        let mut config = Config::new();
        config
            .features(weft::Features::WASM2)
            .consume_fuel(true)
            .max_call_depth(MAX_CALL_DEPTH)
            .compilation_mode(if eager {
                CompilationMode::Eager
            } else {
                CompilationMode::Lazy
            });
        let engine = Engine::new(&config);
        let mut o = Observed::default();
        let module = match Module::from_binary(&engine, wasm) {
            Ok(m) => m,
            Err(e) => {
                o.rejected = Some(e.to_string());
                return o;
            }
        };
        for e in module.exports() {
            let kind = match e.ty() {
                ExternType::Func(_) => "func",
                ExternType::Table(_) => "table",
                ExternType::Memory(_) => "memory",
                ExternType::Global(_) => "global",
                ExternType::Tag(_) => "tag",
            };
            o.exports.push((e.name().to_string(), kind));
        }
        // wasmi lists exports by name, not in the export section's order.
        o.exports.sort();
        let mut store = Store::new(&engine, ());
        let linker = Linker::<()>::new(&engine);
        let fuel = |store: &mut Store<()>| store.set_fuel(FUEL).expect("fuel is on");
        fuel(&mut store);
        let instance = match linker.instantiate(&mut store, &module) {
            Ok(i) => i,
            Err(e) => {
                o.instantiation = Some(outcome(&e));
                return o;
            }
        };
        o.instantiation = Some(Outcome::Returned(Vec::new()));
        let exports = o.exports.clone();
        'calls: for round in 0..2 {
            for (name, kind) in &exports {
                if *kind != "func" {
                    continue;
                }
                let func = instance.get_func(&store, name).expect("exported function");
                let fty = func.ty(&store);
                let params: Vec<Ty> = fty.params.iter().map(ty).collect();
                let args = super::arguments(&params, round, rng);
                let wargs: Vec<Val> = args.iter().map(to_val).collect();
                let mut results: Vec<Val> =
                    fty.results.iter().map(|t| Val::default_for(*t)).collect();
                fuel(&mut store);
                let out = match func.call(&mut store, &wargs, &mut results) {
                    Ok(()) => Outcome::Returned(results.iter().map(value).collect()),
                    Err(e) => outcome(&e),
                };
                let stop = out.is_exhausted();
                o.calls.push((name.clone(), args, out));
                if stop {
                    break 'calls;
                }
            }
        }
        for (name, kind) in &exports {
            match *kind {
                "memory" => {
                    let m = instance.get_memory(&store, name).expect("exported memory");
                    o.memories
                        .push((name.clone(), m.size(&store), m.data(&store).to_vec()));
                }
                "global" => {
                    let g = instance.get_global(&store, name).expect("exported global");
                    o.globals.push((name.clone(), value(&g.get(&store))));
                }
                "table" => {
                    let t = instance.get_table(&store, name).expect("exported table");
                    let elems = (0..t.size(&store))
                        .map(|i| value(&t.get(&store, i).expect("in bounds")))
                        .collect();
                    o.tables.push((name.clone(), elems));
                }
                _ => {}
            }
        }
        o
    }
}
