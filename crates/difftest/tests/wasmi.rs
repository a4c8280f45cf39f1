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
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;
use weft_difftest::diff::{
    compare, panic_message, plan, weft_observe, Observed, Oracle, Outcome, Tally, FUEL,
    MAX_CALL_DEPTH,
};
use weft_testkit::{env_u64, hex, XorShift};

/// Modules checked by a plain `cargo test`.
const DEFAULT_MODULES: u64 = 5_000;

/// wasmi's fuel for the same: its costs per instruction are higher than
/// Weft's, so it gets more, so that a call that ends in Weft within `FUEL`
/// usually ends in wasmi too and is compared.
const WASMI_FUEL: u64 = 8 * FUEL;

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

// ----- comparison -----------------------------------------------------------

/// Weft's engine for the Wasm 2.0 modules (the same `MAX_CALL_DEPTH` as
/// wasmi's), translating eagerly or lazily. (Observing a module is
/// `weft_difftest::diff::weft_observe`.)
fn weft_engine(eager: bool) -> weft::Engine {
    let mut config = weft::Config::new();
    config
        .features(weft::Features::WASM2)
        .consume_fuel(true)
        .max_call_depth(MAX_CALL_DEPTH)
        .compilation_mode(if eager {
            weft::CompilationMode::Eager
        } else {
            weft::CompilationMode::Lazy
        });
    weft::Engine::new(&config)
}

/// The summary of `t`, in this test's words.
fn summary(t: &Tally) -> String {
    format!(
        "{} modules: {} compared ({} cut short by fuel or stack exhaustion), {} skipped \
         (exhaustion while instantiating), {} skipped (wasmi rejects), {} skipped (wasmi \
         panics); {} instantiation traps; \
         {} calls compared ({} trapped); final state: {} memories ({} bytes), {} globals, {} tables; \
         {} mismatches",
        t.modules,
        t.compared,
        t.cut_short,
        t.skipped_exhausted,
        t.skipped_rejected.values().sum::<u64>(),
        t.oracle_panics.len(),
        t.instantiation_traps,
        t.calls,
        t.call_traps,
        t.memories,
        t.memory_bytes,
        t.globals,
        t.tables,
        t.mismatches.len()
    )
}

/// Checks the module of `seed`.
fn check_seed(seed: u64, verbose: bool) -> Tally {
    let mut rng = XorShift::new(seed);
    let wasm = generate(&mut rng);
    let arg_seed = rng.next_u64();
    // Arguments as this test always drew them (see `Plan::draws_for_refs`).
    let plan = plan(&wasm, true);
    // Half of the modules run with eager translation in Weft, half lazily.
    let eager = seed % 2 == 1;
    let mut t = Tally {
        modules: 1,
        ..Tally::default()
    };
    let wasmi = match catch_unwind(AssertUnwindSafe(|| {
        wasmi_side::Wasmi.observe(&wasm, &plan, &mut XorShift::new(arg_seed))
    })) {
        Ok(o) => o,
        Err(e) => {
            t.oracle_panics
                .push(format!("seed {seed}: {}", panic_message(&e)));
            return t;
        }
    };
    let weft = catch_unwind(AssertUnwindSafe(|| {
        weft_observe(
            &weft_engine(eager),
            &wasm,
            &plan,
            &mut XorShift::new(arg_seed),
        )
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
            let key = why.lines().next().unwrap_or_default().to_string();
            *t.skipped_rejected
                .entry(format!("wasmi: {key}"))
                .or_default() += 1;
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
    if let Some(m) = compare(&weft, &wasmi, wasmi_side::Wasmi::NAME, &mut t) {
        t.mismatches.push(report(m));
    }
    t.compared = 1;
    t
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
        eprintln!("{}", summary(&t));
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
    total.print_details(wasmi_side::Wasmi::NAME, false);
    eprintln!(
        "differential execution in {:.1} s: {}",
        start.elapsed().as_secs_f64(),
        summary(&total)
    );
    total.assert_clean(wasmi_side::Wasmi::NAME);
}

// ----- wasmi ----------------------------------------------------------------

mod wasmi_side {
    use super::{XorShift, MAX_CALL_DEPTH, WASMI_FUEL};
    use wasmi::errors::{ErrorKind, InstantiationError};
    use wasmi::TrapCode;
    use weft_difftest::diff::{call_plan, Observed, Oracle, Outcome, Plan, Value, TABLE_OOB};

    /// The oracle.
    pub struct Wasmi;

    impl Oracle for Wasmi {
        const NAME: &'static str = "wasmi";

        fn observe(&self, wasm: &[u8], plan: &Plan, rng: &mut XorShift) -> Observed {
            observe(wasm, plan, rng)
        }
    }

    fn value(v: &wasmi::Val) -> Value {
        match v {
            wasmi::Val::I32(x) => Value::I32(*x),
            wasmi::Val::I64(x) => Value::I64(*x),
            wasmi::Val::F32(x) => Value::F32(x.to_bits()),
            wasmi::Val::F64(x) => Value::F64(x.to_bits()),
            wasmi::Val::V128(x) => Value::V128(x.as_u128()),
            wasmi::Val::FuncRef(r) => Value::Func { null: r.is_null() },
            wasmi::Val::ExternRef(r) => Value::Extern { null: r.is_null() },
        }
    }

    fn to_val(v: &Value) -> wasmi::Val {
        match *v {
            Value::I32(x) => wasmi::Val::I32(x),
            Value::I64(x) => wasmi::Val::I64(x),
            Value::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
            Value::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
            Value::V128(x) => wasmi::Val::V128(wasmi::V128::from(x)),
            Value::Func { .. } => wasmi::Val::default_for_ty(wasmi::ValType::FuncRef),
            Value::Extern { .. } => wasmi::Val::default_for_ty(wasmi::ValType::ExternRef),
            // Wasm 2.0 modules have no other parameter types.
            Value::Any(_) | Value::Exn { .. } => panic!("{v:?} in a 2.0 module"),
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
    fn observe(wasm: &[u8], plan: &Plan, rng: &mut XorShift) -> Observed {
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
        o.calls = call_plan(plan, rng, |name, args| {
            let func = instance.get_func(&store, name).expect("exported function");
            let wargs: Vec<wasmi::Val> = args.iter().map(to_val).collect();
            let mut results: Vec<wasmi::Val> = func
                .ty(&store)
                .results()
                .iter()
                .map(|t| wasmi::Val::default_for_ty(*t))
                .collect();
            fuel(&mut store);
            match func.call(&mut store, &wargs, &mut results) {
                Ok(()) => Outcome::Returned(results.iter().map(value).collect()),
                Err(e) => outcome(&e),
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
