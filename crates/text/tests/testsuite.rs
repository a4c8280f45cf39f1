//! The spec testsuite (Wasm 2.0) through the text parser.
//!
//! For every script: it parses; every quoted `assert_malformed` module is
//! rejected with a message that starts with the expected one; every other
//! text module parses, and equals (custom sections and expression offsets
//! aside) the module the `wast` crate encodes from the same text, decoded by
//! `weft_binary::decode`.

use std::borrow::Cow;
use std::path::PathBuf;
use weft_syntax::{DataMode, ElemItems, ElemMode, Features, Module};
use weft_text::wast::{parse_module_source, parse_wast, CommandKind, ModuleSource, TrapTarget};

fn wast_files() -> Vec<PathBuf> {
    let out = weft_testkit::wast_files(&weft_testkit::testsuite_2_0());
    assert!(out.len() >= 140, "only {} .wast files found", out.len());
    out
}

/// Zeroes the offsets of all expressions and drops custom sections.
fn normalize(m: &mut Module<'_>) {
    m.customs.clear();
    for g in &mut m.globals {
        g.init.offset = 0;
    }
    for c in &mut m.code {
        c.body.offset = 0;
    }
    for e in &mut m.elems {
        if let ElemMode::Active { offset, .. } = &mut e.mode {
            offset.offset = 0;
        }
        if let ElemItems::Exprs(v) = &mut e.items {
            for x in v {
                x.offset = 0;
            }
        }
    }
    for d in &mut m.datas {
        if let DataMode::Active { offset, .. } = &mut d.mode {
            offset.offset = 0;
        }
    }
}

fn source_text(src: &ModuleSource) -> Option<Cow<'_, str>> {
    match src {
        ModuleSource::Text(t, _) => Some(Cow::Borrowed(t)),
        ModuleSource::Quote(b) => Some(String::from_utf8_lossy(b)),
        ModuleSource::Binary(_) => None,
    }
}

/// The `wast` crate's encoding of the module text, decoded by weft-binary.
fn oracle(text: &str) -> Result<Vec<u8>, String> {
    let buf = wast::parser::ParseBuffer::new(text).map_err(|e| e.to_string())?;
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).map_err(|e| e.to_string())?;
    wat.encode().map_err(|e| e.to_string())
}

#[derive(Default)]
struct Counts {
    scripts: usize,
    malformed_ok: usize,
    valid_parsed: usize,
    equal: usize,
    oracle_failed: usize,
    failures: Vec<String>,
}

fn check_valid(file: &str, line: usize, src: &ModuleSource, n: &mut Counts) {
    let Some(text) = source_text(src) else { return };
    let ours = match parse_module_source(src, Features::WASM2) {
        Ok(m) => m,
        Err(e) => {
            n.failures.push(format!("{file}:{line}: parse failed: {e}"));
            return;
        }
    };
    n.valid_parsed += 1;
    let bytes = match oracle(&text) {
        Ok(b) => b,
        Err(e) => {
            n.oracle_failed += 1;
            eprintln!("{file}:{line}: wast crate failed: {e}");
            return;
        }
    };
    let mut theirs = match weft_binary::decode(&bytes, Features::WASM2) {
        Ok(m) => m,
        Err(e) => {
            n.oracle_failed += 1;
            eprintln!("{file}:{line}: weft_binary::decode failed on wast's encoding: {e}");
            return;
        }
    };
    let mut ours = ours;
    normalize(&mut ours);
    normalize(&mut theirs);
    if ours == theirs {
        n.equal += 1;
    } else {
        n.failures.push(format!(
            "{file}:{line}: module differs from the wast crate's\n ours:   {ours:?}\n theirs: {theirs:?}"
        ));
    }
}

#[test]
fn spec_testsuite() {
    let mut n = Counts::default();
    let mut malformed_total = 0;
    for path in wast_files() {
        let file = path.display().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        let script = match parse_wast(&src) {
            Ok(s) => s,
            Err(e) => {
                n.failures
                    .push(format!("{file}: script does not parse: {e}"));
                continue;
            }
        };
        n.scripts += 1;
        for cmd in &script.commands {
            match &cmd.kind {
                CommandKind::AssertMalformed { module, message } => {
                    if matches!(module, ModuleSource::Binary(_)) {
                        continue;
                    }
                    malformed_total += 1;
                    match parse_module_source(module, Features::WASM2) {
                        Ok(_) => n.failures.push(format!(
                            "{file}:{}: malformed module accepted (expected \"{message}\")",
                            cmd.line
                        )),
                        Err(e) if e.message.starts_with(message.as_str()) => n.malformed_ok += 1,
                        Err(e) => n.failures.push(format!(
                            "{file}:{}: expected \"{message}\", got \"{e}\"",
                            cmd.line
                        )),
                    }
                }
                CommandKind::Module { source, .. }
                | CommandKind::AssertInvalid { module: source, .. }
                | CommandKind::AssertUnlinkable { module: source, .. }
                | CommandKind::AssertUninstantiable { module: source, .. }
                | CommandKind::AssertTrap {
                    target: TrapTarget::Module(source),
                    ..
                } => check_valid(&file, cmd.line, source, &mut n),
                _ => {}
            }
        }
    }
    for f in &n.failures {
        eprintln!("FAIL {f}");
    }
    eprintln!(
        "{} scripts parsed; {}/{} text assert_malformed rejected with the expected message; \
         {} text modules parsed, {} equal to the wast crate's, {} not comparable (oracle failed); {} failures",
        n.scripts,
        n.malformed_ok,
        malformed_total,
        n.valid_parsed,
        n.equal,
        n.oracle_failed,
        n.failures.len()
    );
    assert!(n.failures.is_empty(), "{} failures", n.failures.len());
}
