//! The Wasm 3.0 spec testsuite through the front end: every script of
//! `../shared/testsuite` (or `$WEFT_TESTSUITE_3_0`) must parse, pass every
//! `assert_malformed`, `assert_invalid` and `assert_*_custom`, and decode and
//! validate every module it expects to be valid (front-end-only mode of the
//! runner: nothing is instantiated or run).
//!
//! Feature sets by folder: the root, `spec-core-extra/` and `custom/` run
//! with `3.0`; the folders of `weft_testkit::FOLDER_FEATURES` with theirs
//! (`proposals/threads` with `1.0,threads`); `proposals/NAME/` with
//! `3.0,NAME` where Weft has a switch of that name (`3.0,custom-descriptors`
//! for `proposals/custom-descriptors`), else with `3.0` alone (such scripts
//! then fail and are listed); `legacy/` with `3.0,legacy-exceptions`.
//!
//! Scripts that do not pass yet are listed, each with a reason, in
//! `tests/testsuite_3_0.expected-failures` (`path<TAB>reason`). An unlisted
//! failing script fails the run, and so does a listed script that passes
//! (remove its line). `WEFT_BLESS=1 cargo test --release -p weft-wast --test
//! testsuite_3_0` rewrites the list from the run: reasons of entries still
//! failing are kept, new entries get the feature from `MANIFEST.tsv` and
//! the script's first failure.
//!
//! The counts per folder (front end only) are printed with `--nocapture`;
//! `testsuite_3_0_counts_with_execution` also runs execution and prints both kinds of
//! count per folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use weft_syntax::Features;
use weft_wast::{RunOptions, Summary};

/// The expected-failure list, relative to this crate.
const EXPECTED: &str = "tests/testsuite_3_0.expected-failures";

/// The feature set a script runs with, by its folder; and why, when the
/// folder's proposal has no switch.
fn features_for(rel: &str) -> (Features, Option<String>) {
    let name = weft_testkit::feature_name_for(rel);
    match Features::from_name(&name) {
        Some(f) => (f, None),
        None => (
            Features::WASM3,
            Some(format!("no feature switch `{name}` yet: run with 3.0")),
        ),
    }
}

/// `path -> feature` from the testsuite's `MANIFEST.tsv`.
fn manifest(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_else(|e| panic!("{}/MANIFEST.tsv: {e}", dir.display()));
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let path = cols.next()?;
            let feature = cols.nth(2)?;
            Some((path.to_string(), feature.to_string()))
        })
        .collect()
}

/// The expected-failure list: `path -> reason`.
fn expected_failures() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (file, reason) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("{EXPECTED}:{}: expected `path<TAB>reason`", n + 1));
        assert!(
            !reason.trim().is_empty(),
            "{EXPECTED}:{}: {file} has no reason",
            n + 1
        );
        out.insert(file.to_string(), reason.to_string());
    }
    out
}

fn write_expected_failures(list: &BTreeMap<String, String>) {
    let mut text = String::from(
        "# Scripts of the 3.0 testsuite whose front-end check fails (see\n\
         # tests/testsuite_3_0.rs): path<TAB>reason. Regenerate with WEFT_BLESS=1;\n\
         # edit reasons freely, they are kept while the script fails.\n",
    );
    for (file, reason) in list {
        text.push_str(&format!("{file}\t{reason}\n"));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// One script's run.
struct ScriptRun {
    rel: String,
    summary: Summary,
    /// The first reported failure, without the path.
    first_failure: Option<String>,
}

fn run_all(execute: bool) -> (PathBuf, Vec<ScriptRun>) {
    let dir = weft_testkit::testsuite_3_0();
    let mut runs = Vec::new();
    for path in weft_testkit::wast_files(&dir) {
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let (features, _) = features_for(&rel);
        let options = RunOptions {
            execute,
            ..RunOptions::new(features)
        };
        let mut report = Vec::new();
        let summary = weft_wast::run_file_with(&path, &options, &mut report)
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let report = String::from_utf8_lossy(&report);
        let first_failure = report.lines().next().map(|l| {
            let l = l.strip_prefix(&*path.to_string_lossy()).unwrap_or(l);
            format!("line {}", l.trim_start_matches(':'))
        });
        runs.push(ScriptRun {
            rel,
            summary,
            first_failure,
        });
    }
    (dir, runs)
}

/// Counts per folder, in the order met.
fn per_folder(runs: &[ScriptRun]) -> Vec<(String, Summary)> {
    let mut rows: Vec<(String, Summary)> = Vec::new();
    for r in runs {
        let folder = match r.rel.rsplit_once('/') {
            Some((f, _)) => f.to_string(),
            None => "(root)".to_string(),
        };
        match rows.iter_mut().find(|(f, _)| *f == folder) {
            Some((_, s)) => s.add(r.summary),
            None => rows.push((folder, r.summary)),
        }
    }
    rows
}

#[test]
fn testsuite_3_0_front_end() {
    let (dir, runs) = run_all(false);
    assert!(runs.len() >= 289, "only {} scripts found", runs.len());
    let features = manifest(&dir);
    let listed = expected_failures();
    let mut errors = Vec::new();
    let mut blessed = BTreeMap::new();
    let mut passing = 0;
    for r in &runs {
        let fails = r.summary.front_end.failed > 0;
        match (fails, listed.get(&r.rel)) {
            (false, None) => passing += 1,
            (false, Some(_)) => {
                errors.push(format!("{}: passes now: remove it from {EXPECTED}", r.rel))
            }
            (true, Some(reason)) => {
                blessed.insert(r.rel.clone(), reason.clone());
            }
            (true, None) => {
                let first = r.first_failure.as_deref().unwrap_or("?");
                errors.push(format!(
                    "{}: fails ({} front-end failures) and is not listed in {EXPECTED}: {first}",
                    r.rel, r.summary.front_end.failed
                ));
                let feature = features.get(&r.rel).map_or("?", String::as_str);
                let mut reason = format!("needs {feature}; first failure: {first}");
                if let Some(why) = features_for(&r.rel).1 {
                    reason = format!("{why}; {reason}");
                }
                blessed.insert(r.rel.clone(), reason);
            }
        }
    }
    for file in listed.keys() {
        if !runs.iter().any(|r| &r.rel == file) {
            errors.push(format!(
                "{file}: listed in {EXPECTED} but not in the testsuite"
            ));
        }
    }
    println!("{}", weft_wast::summary_table(&per_folder(&runs)));
    println!(
        "{passing} of {} scripts pass the front end; {} listed as failing",
        runs.len(),
        blessed.len()
    );
    if std::env::var_os("WEFT_BLESS").is_some() {
        write_expected_failures(&blessed);
        return;
    }
    assert!(
        errors.is_empty(),
        "{} problems (WEFT_BLESS=1 rewrites the list):\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// Execution not built yet, by folder, with the reason: the only folders
/// whose execution commands may be skipped. A folder listed here whose
/// commands all run fails the test (remove its entry).
const EXECUTION_NOT_BUILT: &[(&str, &str)] = &[(
    "proposals/custom-descriptors",
    "descriptors, exact casts and exact imports are front end only: the engine refuses them as unsupported",
)];

/// Front end and execution of every script with its folder's feature set,
/// counts per folder (printed with `--nocapture`): nothing fails anywhere,
/// and execution commands are skipped only in the folders of
/// [`EXECUTION_NOT_BUILT`].
#[test]
fn testsuite_3_0_counts_with_execution() {
    let (_, runs) = run_all(true);
    let rows = per_folder(&runs);
    println!("{}", weft_wast::summary_table(&rows));
    let mut errors = Vec::new();
    for (folder, s) in &rows {
        if s.failed() > 0 {
            errors.push(format!("{folder}: {} commands failed", s.failed()));
        }
        let listed = EXECUTION_NOT_BUILT.iter().any(|(f, _)| f == folder);
        match (s.execution.skipped > 0, listed) {
            (true, false) => errors.push(format!(
                "{folder}: {} execution commands skipped",
                s.execution.skipped
            )),
            (false, true) => errors.push(format!(
                "{folder}: every command runs now: remove it from EXECUTION_NOT_BUILT"
            )),
            _ => {}
        }
    }
    for (folder, _) in EXECUTION_NOT_BUILT {
        if !rows.iter().any(|(f, _)| f == folder) {
            errors.push(format!("{folder}: listed but not in the testsuite"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
