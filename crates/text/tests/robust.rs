//! Hostile input never panics: truncated and mutated testsuite texts give
//! errors (or modules), and deep nesting neither overflows the stack nor
//! takes long.

use std::path::PathBuf;
use weft_syntax::Features;
use weft_testkit::XorShift;
use weft_text::parse_wat;
use weft_text::wast::{parse_module_source, parse_wast, CommandKind, ModuleSource, TrapTarget};

fn wast_files() -> Vec<PathBuf> {
    weft_testkit::wast_files(&weft_testkit::testsuite_2_0())
}

const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "\"",
    "$",
    "$x",
    ";;",
    "(;",
    ";)",
    "0x",
    "-",
    "+",
    "_",
    ".",
    "nan:0x1",
    "inf",
    "offset=",
    "align=3",
    "offset=0x1_0000_0000",
    "end",
    "else",
    "then",
    "(then",
    "(else",
    "block",
    "loop",
    "if",
    "br 0",
    "br_table",
    "1e400",
    "0x1p-2000",
    "\\u{",
    "\\",
    "\u{e9}",
    " ",
    "\n",
    "(param",
    "(result",
    "(type 0)",
    "(type $t)",
    "(local",
    "i32.const",
    "v128.const i8x16",
    "i8x16.shuffle",
    "(elem",
    "(data",
    "(memory",
    "(table",
    "funcref",
    "(ref",
    "declare",
    "item",
    "(module",
    "quote",
    "binary",
    "99999999999999999999",
    "-0x8000000000000001",
];

fn char_floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(src: &str, rng: &mut XorShift) -> String {
    let mut s = src.to_string();
    for _ in 0..1 + rng.below_mod(3) {
        let at = char_floor(&s, rng.below_mod(s.len() + 1));
        match rng.below_mod(3) {
            0 => s.insert_str(at, SNIPPETS[rng.below_mod(SNIPPETS.len())]),
            1 => {
                let end = char_floor(&s, at + rng.below_mod(8));
                s.replace_range(at..end, "");
            }
            _ => {
                let end = char_floor(&s, at + rng.below_mod(4));
                s.replace_range(at..end, SNIPPETS[rng.below_mod(SNIPPETS.len())]);
            }
        }
    }
    s
}

fn module_texts(src: &str) -> Vec<String> {
    let Ok(script) = parse_wast(src) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for cmd in script.commands {
        let m = match cmd.kind {
            CommandKind::Module { source, .. }
            | CommandKind::AssertInvalid { module: source, .. }
            | CommandKind::AssertMalformed { module: source, .. }
            | CommandKind::AssertUnlinkable { module: source, .. }
            | CommandKind::AssertUninstantiable { module: source, .. }
            | CommandKind::AssertTrap {
                target: TrapTarget::Module(source),
                ..
            } => source,
            _ => continue,
        };
        match m {
            ModuleSource::Text(t, _) => out.push(t),
            ModuleSource::Quote(b) => out.push(String::from_utf8_lossy(&b).into_owned()),
            ModuleSource::Binary(_) => {}
        }
    }
    out
}

#[test]
fn truncated_and_mutated_testsuite_never_panics() {
    let mut rng = XorShift::from_state(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0usize;
    for path in wast_files() {
        let src = std::fs::read_to_string(&path).unwrap();
        // Scripts cut at 40 places and mutated 40 times.
        for i in 1..40 {
            let _ = parse_wast(&src[..char_floor(&src, src.len() * i / 40)]);
            let _ = parse_wast(&mutate(&src, &mut rng));
            runs += 2;
        }
        // Every module, cut and mutated (a sample of each for big files).
        let texts = module_texts(&src);
        let step = (texts.len() / 60).max(1);
        for text in texts.iter().step_by(step) {
            for _ in 0..4 {
                let cut = char_floor(text, rng.below_mod(text.len() + 1));
                let _ = parse_wat(&text[..cut], Features::WASM2);
                let m = mutate(text, &mut rng);
                let _ = parse_wat(&m, Features::WASM2);
                let _ = parse_module_source(&ModuleSource::Quote(m.into_bytes()), Features::WASM2);
                runs += 3;
            }
        }
    }
    eprintln!("{runs} truncated or mutated inputs parsed without panicking");
}

const DEPTH: usize = 100_000;

#[test]
fn deep_parentheses_are_an_error() {
    let s = "(".repeat(DEPTH);
    assert!(parse_wast(&s).is_err());
    assert!(parse_wat(&s, Features::WASM2).is_err());
    let s = format!("(module (func {}", "(".repeat(DEPTH));
    assert!(parse_wat(&s, Features::WASM2).is_err());
    let s = format!("(module (func {}{}))", "(".repeat(DEPTH), ")".repeat(DEPTH));
    assert!(parse_wat(&s, Features::WASM2).is_err());
    let s = format!("(module (func {}", "(block ".repeat(DEPTH));
    assert!(parse_wat(&s, Features::WASM2).is_err());
    let s = format!("(assert_return (invoke \"f\" {}", "(".repeat(DEPTH));
    assert!(parse_wast(&s).is_err());
    let s = "(;".repeat(DEPTH);
    assert!(parse_wast(&s).is_err());
}

#[test]
fn deep_valid_nesting_parses() {
    let folded = format!(
        "(module (func (result i32) {}(i32.const 0){}))",
        "(i32.eqz ".repeat(DEPTH),
        ")".repeat(DEPTH)
    );
    let m = parse_wat(&folded, Features::WASM2).unwrap();
    assert_eq!(m.code[0].body.bytes.len(), DEPTH + 3);
    let blocks = format!(
        "(module (func {}{}))",
        "(block ".repeat(DEPTH),
        ")".repeat(DEPTH)
    );
    parse_wat(&blocks, Features::WASM2).unwrap();
    let plain = format!(
        "(module (func {}{}))",
        "block $l ".repeat(DEPTH),
        "br $l end ".repeat(DEPTH)
    );
    parse_wat(&plain, Features::WASM2).unwrap();
    let ifs = format!(
        "(module (func {}{}))",
        "(if (i32.const 1) (then ".repeat(DEPTH),
        "))".repeat(DEPTH)
    );
    parse_wat(&ifs, Features::WASM2).unwrap();
    let comments = format!("{}{}(module)", "(;".repeat(DEPTH), ";)".repeat(DEPTH));
    parse_wast(&comments).unwrap();
}
