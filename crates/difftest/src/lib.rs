//! Differential execution: Weft against reference engines on random
//! modules. The library is the engine-neutral harness ([`diff`]); the
//! tests are its two oracles: `tests/wasmi.rs` (wasmi 2, Wasm 2.0 modules)
//! and `tests/wasmtime.rs` (wasmtime 48, Wasm 3.0 and GC modules, every
//! tier).

pub mod diff;
