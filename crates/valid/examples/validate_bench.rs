//! Validation speed against wasmparser's validator.
//!
//! `cargo run --release -p weft-valid --example validate_bench -- FILE.wasm...`
//!
//! Prints the best of several runs of: weft's decode, weft's validation
//! (of the decoded module), and wasmparser's `validate_all` (which parses
//! and validates in one go, so it compares with weft's decode + validate).
//!
//! On a busy machine wall-clock times are noisy; `--only PHASE N` runs one
//! phase (`weft`, `wasmparser` or `read`) N times and nothing else, for
//! `perf stat -e instructions:u`, whose counts do not depend on the load.

use std::time::{Duration, Instant};
use weft_syntax::Features;

fn best<F: FnMut()>(mut f: F) -> Duration {
    let mut best = Duration::MAX;
    let deadline = Instant::now() + Duration::from_secs(2);
    for i in 0.. {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        if i >= 5 && Instant::now() > deadline {
            break;
        }
    }
    best
}

/// Reads every instruction of every body, without validating.
fn read_all(module: &weft_syntax::Module<'_>) -> usize {
    let mut n = 0usize;
    for code in &module.code {
        let mut r =
            weft_binary::Reader::new_at(&code.body.bytes, code.body.offset, Features::WASM2);
        while !r.is_empty() {
            if r.read_instr().is_err() {
                break;
            }
            n += 1;
        }
    }
    n
}

fn weft(bytes: &[u8], validator: &mut weft_valid::Validator) {
    let module = weft_binary::decode(bytes, Features::WASM2).expect("weft decodes");
    validator.validate(&module).expect("weft validates");
}

fn wasmparser(bytes: &[u8]) {
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM2);
    v.validate_all(bytes).expect("wasmparser validates");
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--only") && args.len() >= 4 {
        let phase = args.remove(1);
        let n: usize = args.remove(1).parse().expect("a run count");
        let bytes = std::fs::read(&args[1]).expect("read file");
        let mut validator = weft_valid::Validator::new(Features::WASM2);
        let module = weft_binary::decode(&bytes, Features::WASM2).expect("weft decodes");
        for _ in 0..n {
            match phase.as_str() {
                "weft" => weft(&bytes, &mut validator),
                "wasmparser" => wasmparser(&bytes),
                "read" => {
                    std::hint::black_box(read_all(&module));
                }
                _ => panic!("unknown phase {phase}"),
            }
        }
        return;
    }
    if args.is_empty() {
        eprintln!("usage: validate_bench [--only weft|wasmparser|read N] FILE.wasm...");
        std::process::exit(2);
    }
    for path in args {
        let bytes = std::fs::read(&path).expect("read file");
        let module = weft_binary::decode(&bytes, Features::WASM2).expect("weft decodes");
        weft_valid::validate(&module, Features::WASM2).expect("weft validates");
        let decode = best(|| {
            std::hint::black_box(weft_binary::decode(&bytes, Features::WASM2).ok());
        });
        let mut validator = weft_valid::Validator::new(Features::WASM2);
        let validate = best(|| {
            std::hint::black_box(validator.validate(&module).ok());
        });
        let read = best(|| {
            std::hint::black_box(read_all(&module));
        });
        let wasmparser = best(|| wasmparser(&bytes));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{path}: {} bytes; weft decode {:.3} ms + validate {:.3} ms (of which reading instructions {:.3} ms) = {:.3} ms; \
             wasmparser validate_all {:.3} ms; ratio {:.2}",
            bytes.len(),
            ms(decode),
            ms(validate),
            ms(read),
            ms(decode + validate),
            ms(wasmparser),
            (decode + validate).as_secs_f64() / wasmparser.as_secs_f64()
        );
    }
}
