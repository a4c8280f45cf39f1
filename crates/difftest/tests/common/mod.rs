//! The wasmtime side of the differential-execution harness, and the
//! settings of Weft's side, for the tests of this crate. The harness itself
//! (what is observed, how it is compared, Weft's side) is
//! `weft_difftest::diff`.

#![allow(dead_code, reason = "each test uses part of this module")]

pub mod wasmtime_side;
pub mod weft_side;

pub use weft_difftest::diff::*;
pub use weft_testkit::XorShift;

/// wasmtime's fuel: it charges nothing for some instructions (`nop`,
/// `drop`, block structure), so it gets more, so that a call that ends in
/// Weft within `FUEL` usually ends in wasmtime too and is compared.
pub const WASMTIME_FUEL: u64 = 2 * FUEL;

/// Native stack for Wasm, both engines (Weft's compiled code, wasmtime).
pub const MAX_WASM_STACK: usize = 1 << 20;

/// Stack size of the threads that run the engines (only reserved until
/// touched).
pub const WORKER_STACK: usize = 64 << 20;
