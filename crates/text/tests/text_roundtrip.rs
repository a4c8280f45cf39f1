//! Text -> binary -> text -> binary on every text module of the Wasm 2.0
//! testsuite: the second binary is byte for byte the first. The first
//! binary comes from our parser and encoder, the text from our printer (flat
//! and folded), so this checks that printing loses nothing the encoder
//! writes.

use weft_syntax::Features;
use weft_text::wast::{parse_module_source, parse_wast, CommandKind, ModuleSource};
use weft_text::{parse_wat, print_with, PrintOptions};

#[test]
fn text_binary_text_binary_is_identical() {
    let features = Features::WASM2;
    let files = weft_testkit::wast_files(&weft_testkit::testsuite_2_0());
    assert!(files.len() >= 140, "only {} scripts found", files.len());
    let (mut checked, mut unprintable, mut failures) = (0, 0, Vec::new());
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap();
        let script = parse_wast(&src).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for cmd in &script.commands {
            let source = match &cmd.kind {
                CommandKind::Module { source, .. }
                | CommandKind::AssertInvalid { module: source, .. }
                | CommandKind::AssertUnlinkable { module: source, .. }
                | CommandKind::AssertUninstantiable { module: source, .. } => source,
                _ => continue,
            };
            if matches!(source, ModuleSource::Binary(_)) {
                continue;
            }
            let Ok(module) = parse_module_source(source, features) else {
                failures.push(format!("{}:{}: does not parse", file.display(), cmd.line));
                continue;
            };
            let first = weft_binary::encode(&module);
            let decoded = weft_binary::decode(&first, features)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", file.display(), cmd.line));
            // Typed `select` with other than one result type is invalid, and
            // `Instr::TypedSelect` holds exactly one type, so such a body
            // cannot be decoded to instructions and printed. Those modules
            // are counted, and must fail in exactly that way.
            if let Some(e) = undecodable_body(&decoded, features) {
                assert!(
                    e.message.starts_with("invalid result arity"),
                    "{}:{}: {e}",
                    file.display(),
                    cmd.line
                );
                unprintable += 1;
                continue;
            }
            for folded in [false, true] {
                let opts = PrintOptions {
                    folded,
                    ..PrintOptions::default()
                };
                let text = print_with(&decoded, &opts);
                let second = match parse_wat(&text, features) {
                    Ok(m) => weft_binary::encode(&m),
                    Err(e) => {
                        failures.push(format!(
                            "{}:{}: printed text (folded: {folded}) does not parse: {e}\n{text}",
                            file.display(),
                            cmd.line
                        ));
                        continue;
                    }
                };
                if second != first {
                    failures.push(format!(
                        "{}:{}: binaries differ (folded: {folded})",
                        file.display(),
                        cmd.line
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} modules fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // All text modules of the 2.0 scripts: a lower bound guards against
    // silently checking nothing.
    assert!(checked > 3700, "only {checked} modules checked");
    assert!(unprintable <= 2, "{unprintable} modules cannot be printed");
    eprintln!("{checked} text modules round-trip; {unprintable} have a multi-type select");
}

/// The first instruction-level decoding error in any function body.
fn undecodable_body(
    module: &weft_syntax::Module<'_>,
    features: Features,
) -> Option<weft_binary::DecodeError> {
    for code in &module.code {
        let mut r = weft_binary::Reader::new_at(&code.body.bytes, code.body.offset, features);
        while !r.is_empty() {
            if let Err(e) = r.read_instr() {
                return Some(e);
            }
        }
    }
    None
}
