//! Differential testing of the threads front end against wasmparser's
//! validator: random Wasm 2.0 modules with threads from wasm-smith (shared
//! memories, the 0xFE atomic instructions) must decode and validate under
//! `2.0,threads`, and one-byte mutations of them must get wasmparser's
//! verdict (2.0 plus threads) whenever Weft's decoder accepts them.

use arbitrary::Unstructured;
use weft_syntax::{Feature, Features};
use weft_testkit::{wasm2_config, XorShift};

fn wasmparser_ok(bytes: &[u8]) -> Result<(), String> {
    let features = wasmparser::WasmFeatures::WASM2 | wasmparser::WasmFeatures::THREADS;
    let mut v = wasmparser::Validator::new_with_features(features);
    v.validate_all(bytes).map(|_| ()).map_err(|e| e.to_string())
}

/// wasmparser's implementation limits (the spec has none).
fn wasmparser_limit(message: &str) -> bool {
    message.contains("too many") || message.contains("exceeds") || message.contains("limit")
}

#[test]
fn random_threads_modules_agree_with_wasmparser() {
    let features = Features::from_name("2.0,threads").expect("a feature set");
    let config = wasm_smith::Config {
        threads_enabled: true,
        ..wasm2_config()
    };
    let mut rng = XorShift::from_state(0x5EED_1234_ABCD_0007);
    let (mut generated, mut atomics, mut mutants_decoded) = (0, 0, 0);
    let mut failures = Vec::new();
    for _ in 0..1500 {
        let len = 64 + (rng.next_u64() % 16384) as usize;
        let seed = rng.bytes(len);
        let Ok(module) = wasm_smith::Module::new(config.clone(), &mut Unstructured::new(&seed))
        else {
            continue;
        };
        let bytes = module.to_bytes();
        generated += 1;
        if let Err(e) = wasmparser_ok(&bytes) {
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
                atomics += usize::from(i.feature() == Feature::Threads);
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
        "{generated} generated modules with {atomics} atomic instructions, \
         {mutants_decoded} mutants decoded by weft, {} disagreements",
        failures.len()
    );
    assert!(
        generated > 100,
        "wasm-smith generated only {generated} modules"
    );
    assert!(
        atomics > 1000,
        "only {atomics} atomic instructions generated"
    );
    for f in failures.iter().take(20) {
        println!("{f}");
    }
    assert!(failures.is_empty(), "{} disagreements", failures.len());
}
