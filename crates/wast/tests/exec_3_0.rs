//! Execution of the Wasm 3.0 spec testsuite as far as the engine runs it:
//! every script of `../shared/testsuite` (or `$WEFT_TESTSUITE_3_0`; the
//! root, `custom/` and `spec-core-extra/`) whose `needs` in `MANIFEST.tsv`
//! are all in [`EXECUTED`], and the proposal and legacy folders in
//! [`PROPOSALS`], must pass with 0 failed and 0 skipped, in
//! the interpreter and under the compiler tier, eager and on first call
//! (which leave what the compiler does not cover to the interpreter). Growing [`EXECUTED`] as features come to
//! run brings their scripts in.
//!
//! Scripts whose front end does not pass yet are left out: they are listed
//! with their reasons in `tests/testsuite_3_0.expected-failures`, which
//! `testsuite_3_0.rs` keeps honest (a listed script that passes there
//! fails that run, and then comes in here).

use std::path::Path;
use weft_syntax::Features;
use weft_wast::RunOptions;

/// The `needs` of `MANIFEST.tsv` that the engine executes (`-`: none).
const EXECUTED: &[&str] = &[
    "-",
    "bulk-memory",
    "custom-page-sizes",
    "exceptions",
    "extended-const",
    "func-refs",
    "gc",
    "memory64",
    "multi-memory",
    "multi-value",
    "ref-types",
    "relaxed-simd",
    "sat-trunc",
    "sign-ext",
    "simd",
    "tail-call",
    "wide-arithmetic",
];

/// Proposal folders that run whole, with their feature set (besides those
/// of `weft_testkit::FOLDER_FEATURES`, which run whole too).
const PROPOSALS: &[(&str, &str)] = &[
    ("legacy", "3.0,legacy-exceptions"),
    ("proposals/custom-page-sizes", "3.0,custom-page-sizes"),
    ("proposals/wide-arithmetic", "3.0,wide-arithmetic"),
];

/// The scripts whose front-end check is expected to fail.
fn front_end_failures() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testsuite_3_0.expected-failures");
    let list = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    list.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

fn scripts(dir: &Path) -> Vec<(String, Features)> {
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("MANIFEST.tsv").display()));
    let mut header = manifest.lines().next().unwrap_or("").split('\t');
    let needs_col = header
        .position(|c| c == "needs")
        .expect("MANIFEST.tsv has a needs column");
    let mut out = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(path), Some(needs)) = (cols.first(), cols.get(needs_col)) else {
            continue;
        };
        // The root, `custom/` and `spec-core-extra/`: the proposal and
        // legacy folders are listed below.
        let core = match path.split_once('/') {
            None => true,
            Some((folder, _)) => matches!(folder, "custom" | "spec-core-extra"),
        };
        if !core || !needs.split(',').all(|n| EXECUTED.contains(&n)) {
            continue;
        }
        out.push((path.to_string(), Features::WASM3));
    }
    // And the folders whose feature set is not `3.0,PROPOSAL` (threads).
    for (folder, features) in PROPOSALS.iter().chain(weft_testkit::FOLDER_FEATURES) {
        let features = Features::from_name(features).expect("a known feature set");
        for f in weft_testkit::wast_files(&dir.join(folder)) {
            let rel = f.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            out.push((rel, features));
        }
    }
    out
}

fn run(strategy: weft::Strategy) {
    run_with(strategy, false);
}

fn run_with(strategy: weft::Strategy, gc_stress: bool) {
    let dir = weft_testkit::testsuite_3_0();
    let skip = front_end_failures();
    let scripts: Vec<_> = scripts(&dir)
        .into_iter()
        .filter(|(rel, _)| !skip.contains(rel))
        .collect();
    assert!(scripts.len() > 100, "only {} scripts", scripts.len());
    let mut failures = Vec::new();
    let mut passed = 0;
    for (rel, features) in &scripts {
        let options = RunOptions {
            strategy,
            gc_stress,
            ..RunOptions::new(*features)
        };
        let mut report = Vec::new();
        let summary = weft_wast::run_file_with(&dir.join(rel), &options, &mut report)
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        passed += summary.passed();
        if summary.failed() != 0 || summary.skipped() != 0 {
            failures.push(format!(
                "{rel}: {summary}\n{}",
                String::from_utf8_lossy(&report)
            ));
        }
    }
    eprintln!("{} scripts, {passed} commands passed", scripts.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn testsuite_3_0_executes_interpreted() {
    run(weft::Strategy::Interpreter);
}

#[test]
fn testsuite_3_0_executes_compiled() {
    run(weft::Strategy::Compiler);
}

#[test]
fn testsuite_3_0_executes_auto() {
    run(weft::Strategy::Auto);
}

/// The collector at every allocation (`Config::gc_stress`), over the same
/// scripts: a root it misses shows up as a wrong result or a trap.
#[test]
fn testsuite_3_0_executes_with_gc_stress() {
    run_with(weft::Strategy::Interpreter, true);
}
