//! Differential testing against wasmparser's validator (the oracle).
//!
//! Random Wasm 2.0 modules from wasm-smith must validate; random one-byte
//! mutations of them must get the same verdict from weft (decode, then
//! validate) as from wasmparser, whenever weft's decoder accepts the
//! mutated bytes (the decoder's verdicts are tested elsewhere).

use arbitrary::Unstructured;
use weft_syntax::Features;

/// A small deterministic generator (xorshift64*), so that failures repeat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        multi_value_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        relaxed_simd_enabled: false,
        tail_call_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        max_memories: 1,
        ..wasm_smith::Config::default()
    }
}

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
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut generated = 0;
    let mut mutants = 0;
    let mut mutants_decoded = 0;
    let mut failures = Vec::new();
    for _ in 0..3000 {
        let len = 64 + (rng.next() % 16384) as usize;
        let seed = rng.bytes(len);
        let mut u = Unstructured::new(&seed);
        let Ok(module) = wasm_smith::Module::new(config(), &mut u) else {
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
            let at = 8 + (rng.next() as usize) % (mutant.len() - 8);
            mutant[at] = rng.next() as u8;
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
