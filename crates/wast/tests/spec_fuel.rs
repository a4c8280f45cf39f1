//! The whole Wasm 2.0 spec testsuite once more with fuel metering on: every
//! action and instantiation gets a generous budget, so metering must not
//! change any result (and must not run out). One test over all files.
//!
//! The testsuite is read from `$WEFT_TESTSUITE_2_0` or
//! `../shared/testsuite-2.0` beside the repository, as in build.rs.

use weft_syntax::Features;
use weft_wast::RunOptions;

/// Fuel per action: far above what any testsuite command needs (the deepest
/// recursion tests end in "call stack exhausted" long before).
const FUEL: u64 = 10_000_000_000;

#[test]
fn testsuite_2_0_with_fuel() {
    run(weft::Strategy::Interpreter);
}

/// The same with the compiler tier, which counts fuel at the
/// interpreter's points.
#[test]
fn testsuite_2_0_with_fuel_compiled() {
    run(weft::Strategy::Compiler);
}

fn run(strategy: weft::Strategy) {
    let dir = weft_testkit::testsuite_2_0();
    let options = RunOptions {
        fuel: Some(FUEL),
        strategy,
        cranelift_debug_verifier: true,
        ..RunOptions::new(Features::WASM2)
    };
    let mut report = Vec::new();
    let summary =
        weft_wast::run_paths_with(&[dir], &options, &mut report).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        summary.failed() == 0 && summary.skipped() == 0 && summary.passed() > 0,
        "with fuel ({strategy:?}): {summary}\n{}",
        String::from_utf8_lossy(&report)
    );
}
