//! Round trip of every module of the spec testsuite (2.0) through the
//! printer: `encode(parse_wat(print(decode(b))))` must equal
//! `encode(decode(b))` byte for byte, custom sections (including `name`)
//! aside, in both the flat and the folded form.
//!
//! `b` is the binary of each module of the `.wast` scripts (text modules
//! encoded by the `wast` crate, binary modules as they are) that decodes.
//! Three things a binary can say and the text format cannot are accepted as
//! known differences, and only where they explain the whole difference:
//! non-minimal LEB128 encodings inside bodies (the encoder copies bodies as
//! they are), local declarations split into several runs of one type or runs
//! of zero locals, and a data count section that the text does not call for
//! (or the lack of one it does). Modules whose bodies are malformed print
//! with an error comment and are counted apart.

use std::path::Path;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute};
use weft_binary::{decode, encode};
use weft_syntax::Features;
use weft_text::{parse_wat, print_with, PrintOptions};

mod common;
use common::{canonical, without_customs};

/// The binaries of every module of a script that the `wast` crate can
/// encode, with the line of each.
fn modules(path: &Path) -> Vec<(usize, Vec<u8>)> {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Ok(buf) = ParseBuffer::new(&src) else {
        return Vec::new();
    };
    // A few scripts use syntax the `wast` crate rejects (e.g. bidirectional
    // characters in names.wast): read those with our own script parser.
    let Ok(script) = parser::parse::<Wast>(&buf) else {
        return modules_by_weft(&src);
    };
    let mut out = Vec::new();
    for d in script.directives {
        let (span, mut q) = match d {
            WastDirective::Module(q) | WastDirective::ModuleDefinition(q) => (q.span(), q),
            WastDirective::AssertInvalid { span, module, .. }
            | WastDirective::AssertMalformed { span, module, .. } => (span, module),
            WastDirective::AssertUnlinkable { span, module, .. } => (span, QuoteWat::Wat(module)),
            WastDirective::AssertTrap {
                span,
                exec: WastExecute::Wat(w),
                ..
            } => (span, QuoteWat::Wat(w)),
            _ => continue,
        };
        if let Ok(bytes) = q.encode() {
            out.push((span.linecol_in(&src).0 + 1, bytes));
        }
    }
    out
}

/// The modules of a script as our own parser reads them, encoded.
fn modules_by_weft(src: &str) -> Vec<(usize, Vec<u8>)> {
    use weft_text::wast::{parse_module_source, parse_wast, CommandKind, TrapTarget};
    let Ok(script) = parse_wast(src) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in script.commands {
        let source = match c.kind {
            CommandKind::Module { source, .. }
            | CommandKind::AssertInvalid { module: source, .. }
            | CommandKind::AssertUnlinkable { module: source, .. }
            | CommandKind::AssertUninstantiable { module: source, .. }
            | CommandKind::AssertTrap {
                target: TrapTarget::Module(source),
                ..
            } => source,
            _ => continue,
        };
        if let Ok(m) = parse_module_source(&source, Features::WASM2) {
            out.push((c.line, encode(&m)));
        }
    }
    out
}

#[derive(Default, Debug)]
struct Counts {
    modules: usize,
    exact: usize,
    known_gap: usize,
    malformed_body: usize,
    names_equal: usize,
    failures: Vec<String>,
}

fn check(file: &Path, line: usize, bytes: &[u8], folded: bool, n: &mut Counts) {
    let Ok(module) = decode(bytes, Features::WASM2) else {
        return;
    };
    n.modules += 1;
    let expected = encode(&module);
    // The module was decoded as 2.0: its bodies are read as 2.0 too (a 3.0
    // reading of a memarg's flags differs).
    let opts = PrintOptions {
        folded,
        features: Features::WASM2,
        ..PrintOptions::default()
    };
    let text = print_with(&module, &opts);
    let where_ = format!("{}:{line} (folded: {folded})", file.display());
    if text.contains(";; error:") || text.contains("(; error:") {
        n.malformed_body += 1;
        return;
    }
    let reparsed = match parse_wat(&text, Features::WASM2) {
        Ok(m) => m,
        Err(e) => {
            n.failures.push(format!(
                "{where_}: printed text does not parse: {e}\n{text}"
            ));
            return;
        }
    };
    let actual = encode(&reparsed);
    if reparsed.names == module.names {
        n.names_equal += 1;
    } else if std::env::var_os("WEFT_SHOW_NAME_DIFFS").is_some() {
        eprintln!(
            "{where_}: names differ: {:?} vs {:?}",
            module.names, reparsed.names
        );
    }
    let (actual, expected) = (without_customs(&actual), without_customs(&expected));
    if actual == expected {
        n.exact += 1;
    } else if actual == without_customs(&encode(&canonical(&module, Features::WASM2))) {
        n.known_gap += 1;
    } else {
        n.failures.push(format!(
            "{where_}: bytes differ\n{text}\nexpected {expected:02x?}\nactual   {actual:02x?}"
        ));
    }
}

#[test]
fn testsuite_modules_round_trip_through_the_printer() {
    let files = weft_testkit::wast_files(&weft_testkit::testsuite_2_0());
    assert!(files.len() >= 100, "only {} scripts found", files.len());
    let mut flat = Counts::default();
    let mut folded = Counts::default();
    let mut unreadable = Vec::new();
    for f in &files {
        let ms = modules(f);
        if ms.is_empty() {
            unreadable.push(f.display().to_string());
        }
        for (line, bytes) in ms {
            check(f, line, &bytes, false, &mut flat);
            check(f, line, &bytes, true, &mut folded);
        }
    }
    for (form, n) in [("flat", &flat), ("folded", &folded)] {
        eprintln!(
            "{form}: {} modules decoded: {} identical, {} identical up to binary-only \
             encodings, {} with malformed bodies (printed with an error comment), {} failures; \
             {} with identical names (name section)",
            n.modules,
            n.exact,
            n.known_gap,
            n.malformed_body,
            n.failures.len(),
            n.names_equal
        );
    }
    if !unreadable.is_empty() {
        eprintln!("scripts without modules to check: {unreadable:?}");
    }
    let failures: Vec<&String> = flat.failures.iter().chain(&folded.failures).collect();
    for f in failures.iter().take(10) {
        eprintln!("{f}\n");
    }
    assert!(
        failures.is_empty(),
        "{} round-trip failures",
        failures.len()
    );
    assert!(flat.exact > 3000, "too few modules checked: {flat:?}");
}
