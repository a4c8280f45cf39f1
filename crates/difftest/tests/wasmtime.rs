//! Differential execution: Weft, in each of its three tiers, against
//! wasmtime (Cranelift, the oracle) on random Wasm 3.0 modules.
//!
//! Modules come from wasm-smith with fixed seeds, NaNs canonicalised (so
//! that every float result is deterministic), every item exported, no
//! imports, bounded memories and tables, and (for most of them) wasm-smith's
//! `ensure_termination` instrumentation; both engines also run with fuel.
//! See `common/mod.rs` for what is observed and compared.
//!
//! - `wasm3_modules_run_as_in_wasmtime`: multiple memories, 64-bit memories
//!   and tables, tail calls, extended constant expressions, wide
//!   arithmetic, SIMD, and in a quarter of the modules typed function
//!   references (which wasm-smith generates only together with GC types),
//!   and exception handling once Weft executes it (probed, see
//!   `weft_side::runs_exceptions`). Relaxed SIMD is left out: its results
//!   may legitimately differ between engines. Threads are left out.
//! - `gc_modules_run_as_in_wasmtime`: GC on in every module (the compiler
//!   declines GC functions, so every tier interprets them).
//!
//! `WEFT_DIFF_WASMTIME_MODULES=N` checks N modules in each test instead of
//! the defaults; `WEFT_DIFF_WASMTIME_SEED=S` checks only seed S (of both
//! tests) and prints every observation. A mismatch fails the test after
//! printing the seed, the tier, the export and both observations, and
//! writing the module to `wasmtime-SEED.wasm` in the test's scratch
//! directory.

mod common;

use arbitrary::Unstructured;
use common::wasmtime_side::Wasmtime;
use common::{
    compare, panic_message, plan, weft_observe, weft_side, Observed, Oracle, Outcome, Tally,
    WORKER_STACK,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;
use weft_testkit::{env_u64, hex, XorShift};

/// Modules of `wasm3_modules_run_as_in_wasmtime` in a plain `cargo test`.
const DEFAULT_WASM3_MODULES: u64 = 5_000;

/// Modules of `gc_modules_run_as_in_wasmtime` in a plain `cargo test`.
const DEFAULT_GC_MODULES: u64 = 3_000;

/// GC seeds start here, apart from the others.
const GC_SEEDS: u64 = 1 << 32;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Wasm3,
    Gc,
}

/// A wasm-smith configuration for `kind`, its shape drawn from `rng`.
fn config(kind: Kind, exceptions: bool, rng: &mut XorShift) -> wasm_smith::Config {
    let mut c = wasm_smith::Config {
        canonicalize_nans: true,
        export_everything: true,
        allow_invalid_funcs: false,
        max_imports: 0,
        max_memory32_bytes: 2 << 20,
        max_memory64_bytes: 2 << 20,
        memory_max_size_required: true,
        max_table_elements: 1_000,
        table_max_size_required: true,
        disallow_traps: false,
        ..weft_testkit::wasm2_config()
    };
    c.max_memories = 1 + rng.below(3);
    c.min_memories = u32::from(rng.chance(3, 4));
    c.max_tables = 1 + rng.below(4);
    c.max_instructions = [10, 50, 100, 300][rng.below(4)];
    c.max_funcs = [3, 10, 30][rng.below(3)];
    c.min_types = 1 + rng.below(3);
    c.min_funcs = 1 + rng.below(c.max_funcs);
    c.min_globals = rng.below(4);
    c.allow_floats = !rng.chance(1, 8);
    c.simd_enabled = rng.chance(1, 2);
    c.memory64_enabled = !rng.chance(1, 4);
    c.tail_call_enabled = !rng.chance(1, 8);
    c.extended_const_enabled = !rng.chance(1, 8);
    c.wide_arithmetic_enabled = rng.chance(1, 2);
    c.gc_enabled = kind == Kind::Gc || rng.chance(1, 4);
    c.exceptions_enabled = exceptions && rng.chance(1, 2);
    if c.exceptions_enabled {
        c.min_tags = rng.below(3);
    }
    c
}

/// Makes a wasm-smith module of `kind` from `rng`.
fn generate(kind: Kind, exceptions: bool, rng: &mut XorShift) -> Vec<u8> {
    loop {
        let config = config(kind, exceptions, rng);
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

thread_local! {
    /// Each worker's engines: wasmtime's, and Weft's for each tier.
    static ENGINES: (Wasmtime, Vec<weft::Engine>) = (
        Wasmtime(common::wasmtime_side::engine()),
        weft_side::TIERS.iter().map(|(_, s)| weft_side::engine(*s)).collect(),
    );
}

/// Checks the module of `seed` in every tier.
fn check_seed(kind: Kind, exceptions: bool, seed: u64, verbose: bool) -> Tally {
    let mut rng = XorShift::new(seed);
    let wasm = generate(kind, exceptions, &mut rng);
    let arg_seed = rng.next_u64();
    let mut t = Tally {
        modules: 1,
        ..Tally::default()
    };
    let report = |tier: &str, what: String| {
        let path =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("wasmtime-{seed}.wasm"));
        let _ = std::fs::write(&path, &wasm);
        format!(
            "MISMATCH seed {seed} (weft {tier}): {what}\n  module: {} \
             (WEFT_DIFF_WASMTIME_SEED={seed} prints everything)",
            path.display()
        )
    };
    let plan = plan(&wasm, false);
    ENGINES.with(|(wasmtime, weft_engines)| {
        let theirs = match catch_unwind(AssertUnwindSafe(|| {
            wasmtime.observe(&wasm, &plan, &mut XorShift::new(arg_seed))
        })) {
            Ok(o) => o,
            Err(e) => {
                t.mismatches.push(report(
                    "-",
                    format!(
                        "the test panicked on wasmtime's side: {}",
                        panic_message(&e)
                    ),
                ));
                return;
            }
        };
        if verbose {
            eprintln!("seed {seed}: module ({} bytes): {}", wasm.len(), hex(&wasm));
            eprintln!("plan: {plan:?}");
            eprintln!("wasmtime:\n{theirs:#?}");
        }
        if let Some(why) = &theirs.rejected {
            let key = why.lines().next().unwrap_or_default().to_string();
            *t.skipped_rejected
                .entry(format!("wasmtime: {key}"))
                .or_default() += 1;
            return;
        }
        if theirs
            .instantiation
            .as_ref()
            .is_some_and(Outcome::is_exhausted)
        {
            t.skipped_exhausted += 1;
            return;
        }
        for ((tier, _), engine) in weft_side::TIERS.iter().zip(weft_engines) {
            let weft = catch_unwind(AssertUnwindSafe(|| {
                weft_observe(engine, &wasm, &plan, &mut XorShift::new(arg_seed))
            }))
            .unwrap_or_else(|e| Observed {
                panicked: Some(panic_message(&e)),
                ..Observed::default()
            });
            if verbose {
                eprintln!("weft ({tier}):\n{weft:#?}");
            }
            if let Some(why) = &weft.panicked {
                t.mismatches
                    .push(report(tier, format!("Weft panicked: {why}")));
                return;
            }
            if let Some(why) = &weft.rejected {
                t.mismatches.push(report(
                    tier,
                    format!("Weft rejects a module wasmtime accepts: {why}"),
                ));
                return;
            }
            if weft
                .instantiation
                .as_ref()
                .is_some_and(Outcome::is_exhausted)
            {
                t.skipped_exhausted += 1;
                return;
            }
            t.runs += 1;
            if let Some(m) = compare(&weft, &theirs, Wasmtime::NAME, &mut t) {
                t.mismatches.push(report(tier, m));
                return;
            }
        }
        t.compared = 1;
    });
    t
}

/// Checks the default number of modules of `kind` (or as the environment
/// says) and fails on any mismatch.
fn run(kind: Kind, default_modules: u64, first_seed: u64) -> Tally {
    let exceptions = weft_side::runs_exceptions();
    if let Some(seed) = env_u64("WEFT_DIFF_WASMTIME_SEED") {
        let t = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn(move || check_seed(kind, exceptions, seed, true))
            .expect("spawn a worker")
            .join()
            .expect("worker panicked");
        eprintln!("{t}");
        assert!(t.mismatches.is_empty(), "{}", t.mismatches.join("\n"));
        return t;
    }
    let wanted = env_u64("WEFT_DIFF_WASMTIME_MODULES").unwrap_or(default_modules);
    let start = Instant::now();
    let total = weft_testkit::run_seeds(
        wanted,
        Some(WORKER_STACK),
        |seed| check_seed(kind, exceptions, first_seed + seed, false),
        Tally::add,
    );
    total.print_details(Wasmtime::NAME, true);
    eprintln!(
        "differential execution against wasmtime in {:.1} s{}: {total}",
        start.elapsed().as_secs_f64(),
        if exceptions {
            ""
        } else {
            " (no exception handling: Weft does not execute it yet)"
        }
    );
    total.assert_clean(Wasmtime::NAME);
    total
}

#[test]
fn wasm3_modules_run_as_in_wasmtime() {
    run(Kind::Wasm3, DEFAULT_WASM3_MODULES, 0);
}

#[test]
fn gc_modules_run_as_in_wasmtime() {
    let t = run(Kind::Gc, DEFAULT_GC_MODULES, GC_SEEDS);
    if env_u64("WEFT_DIFF_WASMTIME_SEED").is_none() {
        // GC objects must actually reach the comparison.
        assert!(
            t.non_null_refs > t.modules / 10,
            "only {} non-null references compared",
            t.non_null_refs
        );
    }
}
