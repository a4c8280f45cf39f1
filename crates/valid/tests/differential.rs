//! Differential testing against wasmparser's validator (the oracle).
//!
//! Random Wasm 2.0 modules from wasm-smith must validate; random one-byte
//! mutations of them must get the same verdict from weft (decode, then
//! validate) as from wasmparser, whenever weft's decoder accepts the
//! mutated bytes (the decoder's verdicts are tested elsewhere).

use arbitrary::Unstructured;
use weft_syntax::{Feature, Features};
use weft_testkit::{wasm2_config, XorShift};

fn wasmparser_ok(bytes: &[u8]) -> Result<(), String> {
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM2);
    v.validate_all(bytes).map(|_| ()).map_err(|e| e.to_string())
}

/// Known, deliberate differences in verdict: wasmparser's implementation
/// limits (the spec has none) reject modules weft accepts.
fn wasmparser_limit(message: &str) -> bool {
    message.contains("too many") || message.contains("exceeds") || message.contains("limit")
}

#[test]
fn random_modules_agree_with_wasmparser() {
    let mut rng = XorShift::from_state(0x5EED_1234_ABCD_0001);
    let mut generated = 0;
    let mut mutants = 0;
    let mut mutants_decoded = 0;
    let mut failures = Vec::new();
    for _ in 0..3000 {
        let len = 64 + (rng.next_u64() % 16384) as usize;
        let seed = rng.bytes(len);
        let mut u = Unstructured::new(&seed);
        let Ok(module) = wasm_smith::Module::new(wasm2_config(), &mut u) else {
            continue;
        };
        let bytes = module.to_bytes();
        generated += 1;
        if let Err(e) = wasmparser_ok(&bytes) {
            panic!("wasm-smith produced a module wasmparser rejects: {e}");
        }
        let m = weft_binary::decode(&bytes, Features::WASM2)
            .unwrap_or_else(|e| panic!("weft cannot decode a wasm-smith module: {e}"));
        if let Err(e) = weft_valid::validate(&m, Features::WASM2) {
            failures.push(format!("valid wasm-smith module rejected: {e}"));
            continue;
        }
        for _ in 0..8 {
            let mut mutant = bytes.clone();
            if mutant.len() <= 8 {
                break;
            }
            let at = 8 + (rng.next_u64() as usize) % (mutant.len() - 8);
            mutant[at] = rng.next_u64() as u8;
            mutants += 1;
            let Ok(m) = weft_binary::decode(&mutant, Features::WASM2) else {
                continue;
            };
            mutants_decoded += 1;
            let ours = weft_valid::validate(&m, Features::WASM2);
            let theirs = wasmparser_ok(&mutant);
            match (&ours, &theirs) {
                (Ok(()), Ok(())) | (Err(_), Err(_)) => {}
                (Ok(()), Err(e)) if wasmparser_limit(e) => {}
                _ => failures.push(format!(
                    "byte {at} of a mutant: weft {ours:?}, wasmparser {theirs:?}"
                )),
            }
        }
    }
    println!(
        "{generated} generated modules, {mutants} mutants ({mutants_decoded} decoded by weft), {} disagreements",
        failures.len()
    );
    assert!(
        generated > 100,
        "wasm-smith generated only {generated} modules"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn wasmparser_3_0_ok(bytes: &[u8]) -> Result<(), String> {
    // Wasm 3.0 as Weft's `3.0` names it: without threads, which wasmparser
    // counts in.
    let mut features = wasmparser::WasmFeatures::WASM3;
    features.remove(wasmparser::WasmFeatures::THREADS);
    let mut v = wasmparser::Validator::new_with_features(features);
    v.validate_all(bytes).map(|_| ()).map_err(|e| e.to_string())
}

/// As above with the 3.0 features the front end knows completely: GC and
/// typed function references, tail calls, extended constant expressions,
/// 64-bit and multiple memories. Mutants that Weft's decoder rejects
/// (among them every exception-handling and relaxed-SIMD construct, which
/// it does not decode yet) are skipped.
#[test]
fn random_gc_modules_agree_with_wasmparser() {
    let features = Features::from_name("3.0").expect("a feature set");
    let config = wasm_smith::Config {
        gc_enabled: true,
        tail_call_enabled: true,
        extended_const_enabled: true,
        memory64_enabled: true,
        max_memories: 4,
        ..wasm2_config()
    };
    let mut rng = XorShift::from_state(0x5EED_1234_ABCD_0003);
    let mut generated = 0;
    // Instructions of the GC and function-references rows in the generated
    // modules, so that the test shows it exercises them.
    let mut gc_instrs = 0;
    let mut mutants_decoded = 0;
    let mut failures = Vec::new();
    for _ in 0..2000 {
        let len = 64 + (rng.next_u64() % 16384) as usize;
        let seed = rng.bytes(len);
        let mut u = Unstructured::new(&seed);
        let Ok(module) = wasm_smith::Module::new(config.clone(), &mut u) else {
            continue;
        };
        let bytes = module.to_bytes();
        generated += 1;
        if let Err(e) = wasmparser_3_0_ok(&bytes) {
            panic!("wasm-smith produced a module wasmparser rejects: {e}");
        }
        let m = match weft_binary::decode(&bytes, features) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("weft cannot decode a wasm-smith module: {e}"));
                continue;
            }
        };
        if let Err(e) = weft_valid::validate(&m, features) {
            failures.push(format!("valid wasm-smith module rejected: {e}"));
            continue;
        }
        for code in &m.code {
            let mut r = weft_binary::Reader::new_at(&code.body.bytes, code.body.offset, features);
            while let Ok(i) = r.read_instr() {
                let f = i.feature();
                gc_instrs += usize::from(f == Feature::Gc || f == Feature::FunctionReferences);
            }
        }
        for _ in 0..8 {
            let mut mutant = bytes.clone();
            if mutant.len() <= 8 {
                break;
            }
            let at = 8 + (rng.next_u64() as usize) % (mutant.len() - 8);
            mutant[at] = rng.next_u64() as u8;
            let Ok(m) = weft_binary::decode(&mutant, features) else {
                continue;
            };
            mutants_decoded += 1;
            let ours = weft_valid::validate(&m, features);
            let theirs = wasmparser_3_0_ok(&mutant);
            match (&ours, &theirs) {
                (Ok(()), Ok(())) | (Err(_), Err(_)) => {}
                (Ok(()), Err(e)) if wasmparser_limit(e) => {}
                _ => failures.push(format!(
                    "byte {at} of a mutant: weft {ours:?}, wasmparser {theirs:?}"
                )),
            }
        }
    }
    println!(
        "{generated} generated 3.0 modules with {gc_instrs} GC and typed-reference instructions, \
         {mutants_decoded} mutants decoded by weft, {} disagreements",
        failures.len()
    );
    assert!(
        generated > 100,
        "wasm-smith generated only {generated} modules"
    );
    assert!(
        gc_instrs > 1000,
        "only {gc_instrs} GC instructions generated"
    );
    for f in failures.iter().take(20) {
        println!("{f}");
    }
    assert!(failures.is_empty(), "{} disagreements", failures.len());
}

/// Modules of `random_wasm3_modules_agree_with_wasmparser` in a plain
/// `cargo test`; `WEFT_DIFF_VALID_MODULES=N` checks N instead.
const WASM3_MODULES: u64 = 20_000;

/// Whether Weft's front end knows the threads proposal's instructions: a
/// shared memory and an `i32.atomic.load` decode and validate under
/// `3.0,threads`. Until it does, the random modules leave threads out.
fn weft_has_threads() -> bool {
    #[rustfmt::skip]
    const ATOMIC_LOAD: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type () -> ()
        0x03, 0x02, 0x01, 0x00, // func 0: type 0
        0x05, 0x04, 0x01, 0x03, 0x01, 0x01, // memory 1 1 shared
        0x0a, 0x0b, 0x01, 0x09, 0x00, // code: one body of 9 bytes, no locals
        0x41, 0x00, 0xfe, 0x10, 0x02, 0x00, 0x1a, 0x0b, // i32.const 0, i32.atomic.load, drop, end
    ];
    let features = Features::from_name("3.0,threads").expect("a feature set");
    weft_binary::decode(ATOMIC_LOAD, features)
        .is_ok_and(|m| weft_valid::validate(&m, features).is_ok())
}

/// Differential validation with every Wasm 3.0 feature: GC and typed
/// function references, exception handling, tail calls, 64-bit and
/// multiple memories, relaxed SIMD, extended constant expressions, and
/// threads once Weft's front end has them (`weft_has_threads`). 55% of the
/// modules get one to four random bytes changed; every module, changed or
/// not, must get the same verdict from Weft (decode, then validate) as from
/// wasmparser, with the same feature set.
#[test]
fn random_wasm3_modules_agree_with_wasmparser() {
    let threads = weft_has_threads();
    let features =
        Features::from_name(if threads { "3.0,threads" } else { "3.0" }).expect("a feature set");
    let mut theirs_features = wasmparser::WasmFeatures::WASM3;
    theirs_features.set(wasmparser::WasmFeatures::THREADS, threads);
    let theirs_verdict = |bytes: &[u8]| {
        let mut v = wasmparser::Validator::new_with_features(theirs_features);
        v.validate_all(bytes).map(|_| ()).map_err(|e| e.to_string())
    };
    let ours_verdict = |bytes: &[u8]| {
        weft_binary::decode(bytes, features)
            .map_err(|e| e.to_string())
            .and_then(|m| weft_valid::validate(&m, features).map_err(|e| e.to_string()))
    };
    let config = wasm_smith::Config {
        gc_enabled: true,
        exceptions_enabled: true,
        tail_call_enabled: true,
        extended_const_enabled: true,
        memory64_enabled: true,
        relaxed_simd_enabled: true,
        threads_enabled: threads,
        max_memories: 4,
        ..wasm2_config()
    };
    assert_eq!(
        config.features(),
        theirs_features,
        "the generator's features"
    );
    let wanted = weft_testkit::env_u64("WEFT_DIFF_VALID_MODULES").unwrap_or(WASM3_MODULES);
    let start = std::time::Instant::now();
    #[derive(Default)]
    struct Tally {
        modules: u64,
        mutated: u64,
        both_accept: u64,
        both_reject: u64,
        wasmparser_limits: u64,
        failures: Vec<String>,
    }
    let total = weft_testkit::run_seeds(
        wanted,
        None,
        |seed| {
            let mut t = Tally::default();
            let mut rng = XorShift::new(seed ^ 0x3030_5EED);
            let bytes = loop {
                let len = 64 + rng.below(16384);
                let data = rng.bytes(len);
                if let Ok(m) =
                    wasm_smith::Module::new(config.clone(), &mut Unstructured::new(&data))
                {
                    break m.to_bytes();
                }
            };
            t.modules = 1;
            let mut module = bytes.clone();
            if rng.chance(55, 100) && module.len() > 8 {
                t.mutated = 1;
                for _ in 0..1 + rng.below(4) {
                    let at = 8 + rng.below(module.len() - 8);
                    module[at] = rng.next_u64() as u8;
                }
            }
            let (ours, theirs) = (ours_verdict(&module), theirs_verdict(&module));
            match (&ours, &theirs) {
                (Ok(()), Ok(())) => t.both_accept = 1,
                (Err(_), Err(_)) => t.both_reject = 1,
                (Ok(()), Err(e)) if wasmparser_limit(e) => t.wasmparser_limits = 1,
                _ => t.failures.push(format!(
                    "seed {seed} ({}): weft {ours:?}, wasmparser {theirs:?}",
                    if t.mutated == 1 {
                        "mutated"
                    } else {
                        "as generated"
                    }
                )),
            }
            t
        },
        |a, b| {
            a.modules += b.modules;
            a.mutated += b.mutated;
            a.both_accept += b.both_accept;
            a.both_reject += b.both_reject;
            a.wasmparser_limits += b.wasmparser_limits;
            a.failures.extend(b.failures);
        },
    );
    println!(
        "{} Wasm 3.0 modules ({}threads), {} mutated, in {:.1} s: {} accepted by both, {} rejected \
         by both, {} beyond wasmparser's limits, {} disagreements",
        total.modules,
        if threads { "" } else { "no " },
        total.mutated,
        start.elapsed().as_secs_f64(),
        total.both_accept,
        total.both_reject,
        total.wasmparser_limits,
        total.failures.len()
    );
    for f in total.failures.iter().take(20) {
        println!("{f}");
    }
    assert!(
        total.failures.is_empty(),
        "{} disagreements",
        total.failures.len()
    );
    // Both verdicts must occur often, or the comparison says little.
    assert!(total.both_accept * 4 > total.modules && total.both_reject * 4 > total.modules);
}
