//! The whole Wasm 2.0 spec testsuite under the compiler tier
//! (`Strategy::Compiler`): every function the compiler covers runs as
//! machine code, the rest in the interpreter; every result, trap and
//! message must be the same. One test over all files; it prints how many
//! functions were compiled and why the others were not.
//!
//! The testsuite is read from `$WEFT_TESTSUITE_2_0` or
//! `../shared/testsuite-2.0` beside the repository.

use weft_syntax::Features;
use weft_wast::RunOptions;

#[test]
fn testsuite_2_0_compiled() {
    let dir = weft_testkit::testsuite_2_0();
    let options = RunOptions {
        strategy: weft::Strategy::Compiler,
        cranelift_debug_verifier: true,
        ..RunOptions::new(Features::WASM2)
    };
    let mut report = Vec::new();
    let summary =
        weft_wast::run_paths_with(&[dir], &options, &mut report).unwrap_or_else(|e| panic!("{e}"));
    let totals = weft::compiler_totals();
    let compiled = totals.get("compiled").copied().unwrap_or(0);
    let declined: u64 = totals.values().sum::<u64>() - compiled;
    eprintln!("{summary}");
    eprintln!("compiled {compiled} functions, {declined} stayed in the interpreter:");
    let mut reasons: Vec<_> = totals.iter().filter(|(k, _)| *k != "compiled").collect();
    reasons.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    for (reason, n) in &reasons {
        eprintln!("  {n:6}  {reason}");
    }
    assert!(
        summary.failed() == 0 && summary.skipped() == 0 && summary.passed() > 0,
        "compiled: {summary}\n{}",
        String::from_utf8_lossy(&report)
    );
    // A function is declined for what the compiler does not cover yet
    // (an instruction or a value type), never for a Cranelift error or a
    // translator bug.
    let unexpected: Vec<_> = reasons
        .iter()
        .filter(|(r, _)| !(r.starts_with("instruction ") || r.ends_with(" values")))
        .collect();
    assert!(unexpected.is_empty(), "declined for: {unexpected:?}");
    // The compiler covers all of Wasm 2.0, SIMD included: every one of
    // the suite's 6236 functions compiles.
    assert!(
        declined == 0 && compiled >= 6236,
        "{compiled} functions compiled, {declined} declined"
    );
}
