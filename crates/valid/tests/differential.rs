//! Differential testing against wasmparser's validator (the oracle).
//!
//! Random Wasm 2.0 modules from wasm-smith must validate; random one-byte
//! mutations of them must get the same verdict from weft (decode, then
//! validate) as from wasmparser, whenever weft's decoder accepts the
//! mutated bytes (the decoder's verdicts are tested elsewhere).

use arbitrary::Unstructured;
use weft_syntax::Features;
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
