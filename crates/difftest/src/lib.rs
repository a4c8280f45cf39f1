//! Differential execution of Wasm 3.0 modules against wasmtime: see
//! `tests/`. This crate has no library code; it exists so that wasmtime, a
//! heavy oracle, is a dev-dependency of tests only.
