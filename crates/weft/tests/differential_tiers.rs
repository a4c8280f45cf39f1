//! Differential execution of the tiers: random Wasm 2.0 modules (some with
//! tail calls, compiled since c0f9f7b; calls that cross the tiers are
//! covered by `difftest`'s comparison with wasmtime, whose modules have
//! exception handling, which the compiler declines) (wasm-smith, fixed
//! seeds) run in the interpreter, with
//! `Strategy::Compiler` (every function the compiler covers as machine
//! code, the rest interpreted, calls crossing between them) and with
//! `Strategy::Auto` (the same, compiled on first call), with the same
//! fuel, and must give the same results, traps, fuel left after each call,
//! and final memories, globals and tables.
//!
//! Fuel is counted at the same points in both tiers, so running out of it
//! is compared like any trap. Call-stack exhaustion is not: the
//! interpreter counts frames, compiled code bytes of native stack; the
//! first call (or start function) that exhausts the stack in either tier
//! ends the comparison of that module (counted as cut short).
//!
//! `WEFT_DIFF_TIERS_MODULES=N` checks N modules instead of the default
//! 5,000; `WEFT_DIFF_TIERS_SEED=S` checks only seed S and prints both
//! observations.

use arbitrary::Unstructured;
use weft::{Config, Engine, Extern, Linker, Module, Store, Strategy, TrapCode, Val};
use weft_syntax::{Features, ValType};
use weft_testkit::{env_u64, XorShift};

const DEFAULT_MODULES: u64 = 5_000;

/// Fuel for instantiation and for each call.
const FUEL: u64 = 100_000;

/// A wasm-smith configuration for Wasm 2.0 execution: deterministic floats,
/// everything exported, no imports, bounded memories and tables.
fn config(rng: &mut XorShift) -> wasm_smith::Config {
    let mut c = wasm_smith::Config {
        canonicalize_nans: true,
        export_everything: true,
        allow_invalid_funcs: false,
        max_imports: 0,
        max_memory32_bytes: 2 << 20,
        memory_max_size_required: true,
        max_table_elements: 1_000,
        table_max_size_required: true,
        ..weft_testkit::wasm2_config()
    };
    c.max_instructions = [10, 50, 100, 300][rng.below(4)];
    c.max_funcs = [3, 10, 30][rng.below(3)];
    c.min_types = 1 + rng.below(3);
    c.min_funcs = 1 + rng.below(c.max_funcs);
    c.min_memories = u32::from(rng.chance(3, 4));
    c.min_globals = rng.below(4);
    c.disallow_traps = rng.chance(1, 4);
    c.bulk_memory_enabled = !rng.chance(1, 8);
    c.reference_types_enabled = !rng.chance(1, 8);
    c.simd_enabled = rng.chance(1, 4);
    // Sometimes tail calls (3.0).
    c.tail_call_enabled = rng.chance(1, 8);
    c
}

fn generate(rng: &mut XorShift) -> Vec<u8> {
    loop {
        let config = config(rng);
        let len = 256 + rng.below(8192);
        let mut data = vec![0u8; len];
        rng.fill(&mut data);
        let mut u = Unstructured::new(&data);
        if let Ok(m) = wasm_smith::Module::new(config, &mut u) {
            return m.to_bytes();
        }
    }
}

/// A value with references only as null or not (identities differ
/// between stores).
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Num(Val),
    Ref { null: bool },
}

fn value(v: Val) -> Value {
    match v {
        Val::FuncRef(f) => Value::Ref { null: f.is_none() },
        Val::ExternRef(r) => Value::Ref { null: r.is_none() },
        Val::AnyRef(r) => Value::Ref { null: r.is_none() },
        Val::ExnRef(r) => Value::Ref { null: r.is_none() },
        n @ (Val::I32(_) | Val::I64(_) | Val::F32(_) | Val::F64(_) | Val::V128(_)) => Value::Num(n),
    }
}

/// How an instantiation or a call ended, and the fuel left.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Returned(Vec<Value>, u64),
    Trapped(TrapCode, u64),
    Error(String),
}

impl Outcome {
    fn of(r: weft::Result<Vec<Value>>, fuel: u64) -> Outcome {
        match r {
            Ok(v) => Outcome::Returned(v, fuel),
            Err(e) => match e.trap_code() {
                Some(code) => Outcome::Trapped(code, fuel),
                None => Outcome::Error(e.to_string()),
            },
        }
    }

    fn stack_exhausted(&self) -> bool {
        matches!(self, Outcome::Trapped(TrapCode::StackOverflow, _))
    }
}

/// What one tier observed of one module.
#[derive(Clone, Debug, Default, PartialEq)]
struct Observed {
    rejected: Option<String>,
    instantiation: Option<Outcome>,
    calls: Vec<(String, Outcome)>,
    /// Exported memories, globals and tables (tables: null or not).
    state: Vec<(String, Vec<Value>, Vec<u8>)>,
    /// Functions compiled to machine code.
    compiled: usize,
}

fn arguments(params: &[ValType], round: usize, rng: &mut XorShift) -> Vec<Val> {
    params
        .iter()
        .map(|&t| {
            if round == 0 {
                return Val::default_for(t);
            }
            let bits = rng.next_u64();
            let small = rng.chance(1, 3);
            match t {
                ValType::I32 => Val::I32(if small {
                    (bits % 17) as i32 - 8
                } else {
                    bits as i32
                }),
                ValType::I64 => Val::I64(if small {
                    (bits % 17) as i64 - 8
                } else {
                    bits as i64
                }),
                ValType::F32 => Val::F32(bits as u32),
                ValType::F64 => Val::F64(bits),
                ValType::V128 => Val::V128(u128::from(bits) << 64 | u128::from(rng.next_u64())),
                ValType::Ref(_) => Val::default_for(t),
            }
        })
        .collect()
}

/// Runs the module of `bytes` in one tier; `seed` draws the arguments.
fn observe(bytes: &[u8], strategy: Strategy, seed: u64) -> Observed {
    let mut o = Observed::default();
    let mut config = Config::new();
    config
        .features(Features::WASM2.with(weft_syntax::Feature::TailCall, true))
        .consume_fuel(true)
        .strategy(strategy)
        .cranelift_debug_verifier(true)
        .max_call_depth(1_000);
    let engine = Engine::new(&config);
    let module = match Module::new(&engine, bytes) {
        Ok(m) => m,
        Err(e) => {
            o.rejected = Some(e.to_string());
            return o;
        }
    };
    run(&engine, &module, seed, &mut o);
    // After the calls: `Auto` compiles on first call.
    o.compiled = module.compiled_functions().map_or(0, |(n, _)| n);
    o
}

/// Instantiates `module` and calls its exports, recording what happens.
fn run(engine: &Engine, module: &Module, seed: u64, o: &mut Observed) {
    let mut store = Store::new(engine, ());
    store.set_fuel(FUEL).unwrap();
    let instance = match Linker::new(engine).instantiate(&mut store, module) {
        Ok(i) => {
            o.instantiation = Some(Outcome::Returned(Vec::new(), store.get_fuel().unwrap()));
            i
        }
        Err(e) => {
            o.instantiation = Some(Outcome::of(Err(e), store.get_fuel().unwrap()));
            return;
        }
    };
    let mut exports: Vec<(String, Extern)> = instance
        .exports(&store)
        .map(|(n, e)| (n.to_string(), e))
        .collect();
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rng = XorShift::new(seed ^ 0x5eed);
    for round in 0..2 {
        for (name, e) in &exports {
            let Extern::Func(f) = e else { continue };
            let ty = f.ty(&store);
            let args = arguments(&ty.params, round, &mut rng);
            let mut results: Vec<Val> = ty.results.iter().map(|&t| Val::default_for(t)).collect();
            store.set_fuel(FUEL).unwrap();
            let r = f
                .call(&mut store, &args, &mut results)
                .map(|()| results.into_iter().map(value).collect());
            let outcome = Outcome::of(r, store.get_fuel().unwrap());
            let stop = outcome.stack_exhausted();
            o.calls.push((name.clone(), outcome));
            if stop {
                return;
            }
        }
    }
    for (name, e) in &exports {
        match e {
            Extern::Memory(m) => o
                .state
                .push((name.clone(), Vec::new(), m.data(&store).to_vec())),
            Extern::Global(g) => {
                o.state
                    .push((name.clone(), vec![value(g.get(&store))], Vec::new()))
            }
            Extern::Table(t) => {
                let elems = (0..t.size(&store))
                    .map(|i| t.get(&store, i).map_or(Value::Ref { null: true }, value))
                    .collect();
                o.state.push((name.clone(), elems, Vec::new()));
            }
            Extern::Func(_) | Extern::Tag(_) => {}
        }
    }
}

#[derive(Default)]
struct Tally {
    modules: u64,
    cut_short: u64,
    calls: u64,
    traps: u64,
    out_of_fuel: u64,
    compiled_funcs: u64,
    /// Functions compiled on first call with `Strategy::Auto`.
    auto_compiled_funcs: u64,
    mismatches: Vec<String>,
}

fn check(seed: u64, verbose: bool) -> Tally {
    let bytes = generate(&mut XorShift::new(seed));
    let interp = observe(&bytes, Strategy::Interpreter, seed);
    let mut t = compare(seed, &bytes, &interp, Strategy::Compiler, verbose);
    // Auto compiles on first call, so that some calls run interpreted
    // before their callee is compiled; results must not change.
    let auto = compare(seed, &bytes, &interp, Strategy::Auto, verbose);
    t.mismatches.extend(auto.mismatches);
    t.auto_compiled_funcs = auto.compiled_funcs;
    t
}

/// Compares the interpreter's observation of a module with `strategy`'s.
fn compare(seed: u64, bytes: &[u8], interp: &Observed, strategy: Strategy, verbose: bool) -> Tally {
    let mut t = Tally {
        modules: 1,
        ..Tally::default()
    };
    let compiled = observe(bytes, strategy, seed);
    if verbose {
        eprintln!("seed {seed}\ninterpreter: {interp:#?}\n{strategy:?}: {compiled:#?}");
    }
    t.compiled_funcs = compiled.compiled as u64;
    let (mut a, mut b) = (interp.clone(), compiled);
    a.compiled = 0;
    b.compiled = 0;
    let start_cut = |o: &Observed| {
        o.instantiation
            .as_ref()
            .is_some_and(Outcome::stack_exhausted)
    };
    if start_cut(&a) || start_cut(&b) {
        // The start function exhausted the stack: nothing to compare.
        t.cut_short = 1;
        return t;
    }
    let cut = |o: &Observed| o.calls.last().is_some_and(|(_, c)| c.stack_exhausted());
    if cut(&a) || cut(&b) {
        t.cut_short = 1;
        // Compare the calls before the first exhaustion.
        let n = a.calls.len().min(b.calls.len()) - 1;
        a.calls.truncate(n);
        b.calls.truncate(n);
        a.state.clear();
        b.state.clear();
    }
    t.calls = a.calls.len() as u64;
    for (_, c) in &a.calls {
        match c {
            Outcome::Trapped(TrapCode::OutOfFuel, _) => t.out_of_fuel += 1,
            Outcome::Trapped(..) => t.traps += 1,
            Outcome::Returned(..) | Outcome::Error(_) => {}
        }
    }
    if a != b {
        let path = std::env::temp_dir().join(format!("diff-tiers-{seed}.wasm"));
        let _ = std::fs::write(&path, bytes);
        t.mismatches.push(format!(
            "seed {seed}, {strategy:?} (module written to {}):\ninterpreter: {a:?}\n{strategy:?}: {b:?}",
            path.display()
        ));
    }
    t
}

#[test]
fn compiled_and_interpreted_agree() {
    if let Some(seed) = env_u64("WEFT_DIFF_TIERS_SEED") {
        let t = check(seed, true);
        assert!(t.mismatches.is_empty(), "{}", t.mismatches.join("\n"));
        return;
    }
    let n = env_u64("WEFT_DIFF_TIERS_MODULES").unwrap_or(DEFAULT_MODULES);
    let start = std::time::Instant::now();
    let t = weft_testkit::run_seeds(
        n,
        Some(64 << 20),
        |seed| check(seed, false),
        |total: &mut Tally, t| {
            total.modules += t.modules;
            total.cut_short += t.cut_short;
            total.calls += t.calls;
            total.traps += t.traps;
            total.out_of_fuel += t.out_of_fuel;
            total.compiled_funcs += t.compiled_funcs;
            total.auto_compiled_funcs += t.auto_compiled_funcs;
            total.mismatches.extend(t.mismatches);
        },
    );
    eprintln!(
        "{} modules in {:.1?}: {} functions compiled ({} on first call with auto), {} calls compared ({} trapped, {} ran out of fuel), {} cut short by stack exhaustion, {} mismatches",
        t.modules,
        start.elapsed(),
        t.compiled_funcs,
        t.auto_compiled_funcs,
        t.calls,
        t.traps,
        t.out_of_fuel,
        t.cut_short,
        t.mismatches.len()
    );
    assert!(
        t.mismatches.is_empty(),
        "{} of {} modules differ:\n{}",
        t.mismatches.len(),
        t.modules,
        t.mismatches
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The comparison is not vacuous: code was compiled, calls returned,
    // trapped and ran out of fuel.
    assert!(
        t.compiled_funcs > n
            && t.auto_compiled_funcs > n
            && t.calls > n
            && t.traps > 0
            && t.out_of_fuel > 0
    );
}
