//! Decode plus validation throughput, Weft next to wasmparser's validator.
//!
//! `cargo bench -p weft-wast --bench validate [-- MODULE.wasm]`
//!
//! The module is the argument, else `$WEFT_BENCH_MODULE`, else
//! `target/bench-fixtures/stl_mix.wasm` (built by
//! `benches/fixtures/build.sh`: a zig-compiled C++ program with about 1.26
//! MB of code). Both sides do the whole job on one thread:
//!
//! - Weft: `weft_binary::decode` then `weft_valid::validate`.
//! - wasmparser: `Validator::validate_all` with exactly the Wasm 2.0
//!   features, which parses every section and then validates every function
//!   body in sequence.
//!
//! After a warm-up, the two alternate for `$WEFT_BENCH_ROUNDS` rounds
//! (default 30), so that drift in the machine's load hits both alike. Printed:
//! median and minimum time, throughput as file size over time (1 MB =
//! 10^6 bytes), and the ratio of Weft's time to wasmparser's. Weft's decode
//! alone is timed as well, to show where its time goes.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use weft_syntax::Features;

fn weft(bytes: &[u8]) -> bool {
    match weft_binary::decode(bytes, Features::WASM2) {
        Ok(m) => weft_valid::validate(&m, Features::WASM2).is_ok(),
        Err(_) => false,
    }
}

fn weft_decode_only(bytes: &[u8]) -> bool {
    weft_binary::decode(bytes, Features::WASM2).is_ok()
}

fn wasmparser(bytes: &[u8]) -> bool {
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM2);
    v.validate_all(bytes).is_ok()
}

fn time(f: impl Fn(&[u8]) -> bool, bytes: &[u8]) -> Duration {
    let start = Instant::now();
    let ok = black_box(f(black_box(bytes)));
    let took = start.elapsed();
    assert!(ok, "the module stopped validating");
    took
}

struct Stats {
    median: Duration,
    min: Duration,
}

fn stats(mut times: Vec<Duration>) -> Stats {
    times.sort();
    Stats {
        median: times[times.len() / 2],
        min: times[0],
    }
}

fn mb_per_s(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / 1e6 / t.as_secs_f64()
}

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .or_else(|| std::env::var("WEFT_BENCH_MODULE").ok())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/bench-fixtures/stl_mix.wasm")
        });
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "cannot read {}: {e}\n(build it with benches/fixtures/build.sh, or pass a module \
                 as argument or in WEFT_BENCH_MODULE)",
                path.display()
            );
            std::process::exit(2);
        }
    };
    let rounds: usize = std::env::var("WEFT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .max(1);

    // Both must accept the module, or the comparison means nothing.
    let module = match weft_binary::decode(&bytes, Features::WASM2) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("Weft does not decode {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    if let Err(e) = weft_valid::validate(&module, Features::WASM2) {
        eprintln!("Weft does not validate {}: {e}", path.display());
        std::process::exit(1);
    }
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM2);
    if let Err(e) = v.validate_all(&bytes) {
        eprintln!("wasmparser does not validate {}: {e}", path.display());
        std::process::exit(1);
    }
    let code_bytes: usize = module.code.iter().map(|c| c.body.bytes.len()).sum();
    println!(
        "module: {} ({} bytes, {} function bodies, {} bytes of instructions)",
        path.display(),
        bytes.len(),
        module.code.len(),
        code_bytes
    );
    drop(module);

    // Warm-up: caches, allocator, branch predictors, CPU frequency.
    for _ in 0..3 {
        time(weft, &bytes);
        time(wasmparser, &bytes);
        time(weft_decode_only, &bytes);
    }
    let (mut w, mut p, mut d) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        w.push(time(weft, &bytes));
        p.push(time(wasmparser, &bytes));
        d.push(time(weft_decode_only, &bytes));
    }
    let (w, p, d) = (stats(w), stats(p), stats(d));
    let n = bytes.len();
    println!("{rounds} rounds, alternating; MB/s = file size / time (1 MB = 10^6 bytes)");
    for (name, s) in [
        ("weft decode+validate", &w),
        ("wasmparser validate_all", &p),
        ("  (weft decode alone)", &d),
    ] {
        println!(
            "{name:<24} median {:>8.3} ms ({:>7.1} MB/s)   min {:>8.3} ms ({:>7.1} MB/s)",
            s.median.as_secs_f64() * 1e3,
            mb_per_s(n, s.median),
            s.min.as_secs_f64() * 1e3,
            mb_per_s(n, s.min),
        );
    }
    println!(
        "ratio weft/wasmparser (time): median {:.2}, min {:.2}  ({})",
        w.median.as_secs_f64() / p.median.as_secs_f64(),
        w.min.as_secs_f64() / p.min.as_secs_f64(),
        if w.median <= p.median {
            "Weft is faster or equal"
        } else {
            "Weft is slower"
        }
    );
}
