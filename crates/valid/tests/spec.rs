//! The validator against the official Wasm 2.0 testsuite.
//!
//! Every module of every .wast file is encoded to binary by the `wast`
//! crate (the oracle), decoded by `weft_binary::decode` and validated:
//! - modules the script expects to be valid must validate;
//! - `assert_invalid` modules must fail with a message that starts with the
//!   expected text (the wast runner matches by prefix);
//! - binary `assert_malformed` modules that the decoder accepts (their
//!   error is inside a body) must fail with `malformed` set and the
//!   expected text.
//!
//! Text `assert_malformed` modules are the text parser's business and are
//! skipped. The testsuite's location comes from `WEFT_TESTSUITE_2_0`,
//! defaulting to `shared/testsuite-2.0` beside the workspace.

use std::fmt::Write as _;
use std::path::Path;
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute};
use weft_syntax::Features;

#[derive(Default, Debug)]
struct Counts {
    valid_ok: usize,
    invalid_ok: usize,
    malformed_ok: usize,
    malformed_by_decoder: usize,
    wast_rejected_invalid: usize,
    skipped_quote: usize,
    mismatches: usize,
    /// Expected messages of the malformed modules caught here.
    malformed_messages: std::collections::BTreeMap<String, usize>,
}

/// What a module's outcome should be.
enum Expect<'a> {
    Valid,
    Invalid(&'a str),
    Malformed(&'a str),
}

fn run_file(path: &Path, counts: &mut Counts, report: &mut String) {
    let src = std::fs::read_to_string(path).expect("read .wast");
    let mut lexer = Lexer::new(&src);
    lexer.allow_confusing_unicode(true);
    let buf =
        ParseBuffer::new_with_lexer(lexer).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let script: Wast = parser::parse(&buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    for directive in script.directives {
        let span = directive.span();
        let (line, _) = span.linecol_in(&src);
        let (mut module, expect) = match directive {
            WastDirective::Module(m) | WastDirective::ModuleDefinition(m) => (m, Expect::Valid),
            WastDirective::AssertUnlinkable { module, .. } => {
                (QuoteWat::Wat(module), Expect::Valid)
            }
            WastDirective::AssertTrap {
                exec: WastExecute::Wat(module),
                ..
            }
            | WastDirective::AssertReturn {
                exec: WastExecute::Wat(module),
                ..
            } => (QuoteWat::Wat(module), Expect::Valid),
            WastDirective::AssertInvalid {
                module, message, ..
            } => (module, Expect::Invalid(message)),
            WastDirective::AssertMalformed {
                module: QuoteWat::QuoteModule(..),
                ..
            } => {
                counts.skipped_quote += 1;
                continue;
            }
            WastDirective::AssertMalformed {
                module, message, ..
            } => (module, Expect::Malformed(message)),
            _ => continue,
        };
        let bytes = match module.encode() {
            Ok(b) => b,
            Err(e) => {
                match expect {
                    Expect::Invalid(_) => counts.wast_rejected_invalid += 1,
                    _ => {
                        counts.mismatches += 1;
                        let _ = writeln!(report, "{name}:{} wast cannot encode: {e}", line + 1);
                    }
                }
                continue;
            }
        };
        let mut mismatch = |what: String| {
            counts.mismatches += 1;
            let _ = writeln!(report, "{name}:{} {what}", line + 1);
        };
        let module = match weft_binary::decode(&bytes, Features::WASM2) {
            Ok(m) => m,
            Err(e) => {
                match expect {
                    Expect::Malformed(_) => counts.malformed_by_decoder += 1,
                    Expect::Valid => mismatch(format!("decoder rejects a valid module: {e}")),
                    Expect::Invalid(m) => {
                        mismatch(format!("decoder rejects an invalid module ({m:?}): {e}"))
                    }
                }
                continue;
            }
        };
        let result = weft_valid::validate(&module, Features::WASM2);
        match (expect, result) {
            (Expect::Valid, Ok(())) => counts.valid_ok += 1,
            (Expect::Valid, Err(e)) => mismatch(format!("valid module rejected: {e}")),
            (Expect::Invalid(m), Ok(())) => mismatch(format!("expected invalid {m:?}, got valid")),
            (Expect::Invalid(m), Err(e)) => {
                if !e.malformed && e.message.starts_with(m) {
                    counts.invalid_ok += 1;
                } else {
                    mismatch(format!(
                        "expected invalid {m:?}, got {}{e}",
                        if e.malformed { "malformed " } else { "" }
                    ));
                }
            }
            (Expect::Malformed(m), Ok(())) => {
                mismatch(format!("expected malformed {m:?}, got valid"))
            }
            (Expect::Malformed(m), Err(e)) => {
                if e.malformed && e.message.starts_with(m) {
                    counts.malformed_ok += 1;
                    *counts.malformed_messages.entry(m.to_string()).or_default() += 1;
                } else {
                    mismatch(format!(
                        "expected malformed {m:?}, got {}{e}",
                        if e.malformed {
                            "malformed "
                        } else {
                            "invalid "
                        }
                    ));
                }
            }
        }
    }
}

#[test]
fn spec_testsuite_2_0() {
    let dir = weft_testkit::testsuite_2_0();
    assert!(
        dir.is_dir(),
        "the Wasm 2.0 testsuite is missing at {} (set WEFT_TESTSUITE_2_0)",
        dir.display()
    );
    let mut files = weft_testkit::wast_files(&dir);
    files.sort();
    assert!(
        files.len() > 100,
        "only {} .wast files in {}",
        files.len(),
        dir.display()
    );
    let mut counts = Counts::default();
    let mut report = String::new();
    for f in &files {
        run_file(f, &mut counts, &mut report);
    }
    println!("{} files: {counts:#?}", files.len());
    if counts.mismatches > 0 {
        print!("{report}");
    }
    assert_eq!(counts.mismatches, 0, "mismatches:\n{report}");
}
