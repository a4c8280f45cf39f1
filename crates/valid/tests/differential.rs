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
