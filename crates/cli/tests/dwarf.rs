//! Source-level backtraces (`weft run` in every tier), demangled names,
//! `weft addr2line` and `weft strip`.

mod common;
use common::{root, text, weft};

const FIXTURE: &str = "crates/cli/tests/fixtures/trap_dwarf.wasm";

/// The source line of each frame (innermost first) in a backtrace printed
/// by `weft run`: the `at FILE:LINE:COL` line under each numbered frame.
fn frame_lines(err: &str) -> Vec<(String, String)> {
    let mut frames = Vec::new();
    let mut lines = err.lines().peekable();
    while let Some(l) = lines.next() {
        let Some((_, name)) = l.trim_start().split_once(": ") else {
            continue;
        };
        if !l.starts_with("  ") || l.starts_with("    ") {
            continue;
        }
        let at = match lines.peek() {
            Some(next) if next.starts_with("    at ") => next["    at ".len()..].to_string(),
            _ => String::new(),
        };
        frames.push((name.to_string(), at));
    }
    frames
}

/// A C program built with `-g` traps three calls deep; every frame of the
/// backtrace names the C file and the line of the trap or call, in every
/// tier (the lines are those `wasm-tools addr2line` gives, see the
/// fixture's source).
#[test]
fn c_trap_backtrace_has_file_and_line_in_every_tier() {
    let cases = [
        (
            "0",
            "unreachable",
            [
                "trap_dwarf.c:19:5",
                "trap_dwarf.c:24:5",
                "trap_dwarf.c:29:5",
                "trap_dwarf.c:33:5",
            ],
        ),
        (
            "1",
            "out of bounds memory access",
            [
                "trap_dwarf.c:17:37",
                "trap_dwarf.c:24:5",
                "trap_dwarf.c:29:5",
                "trap_dwarf.c:33:5",
            ],
        ),
    ];
    for tier in ["interp", "compile", "auto"] {
        for (arg, message, lines) in &cases {
            let o = weft(&["run", "--tier", tier, "--invoke", "run", FIXTURE, arg]);
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(134), "{tier} {arg}: {err}");
            assert!(
                err.starts_with(&format!("error: {message}\n")),
                "{tier}: {err}"
            );
            let frames = frame_lines(&err);
            let names: Vec<&str> = frames.iter().map(|f| f.0.as_str()).collect();
            assert_eq!(
                names,
                [
                    "trap_dwarf.wasm!innermost",
                    "trap_dwarf.wasm!middle",
                    "trap_dwarf.wasm!outer",
                    "trap_dwarf.wasm!run"
                ],
                "{tier} {arg}: {err}"
            );
            for ((_, at), line) in frames.iter().zip(lines) {
                assert!(
                    at == &format!("./{line}"),
                    "{tier} {arg}: expected {line}:\n{err}"
                );
            }
        }
    }
}

/// Names from the name section are demangled in backtraces: Rust legacy
/// and v0 symbols, and C++.
#[test]
fn backtrace_names_are_demangled() {
    let dir = std::env::temp_dir().join(format!("weft-demangle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mangled.wat");
    std::fs::write(
        &path,
        r#"(module
            (func $_ZN4core9panicking5panic17h7f0f8e5a1b2c3d4eE (unreachable))
            (func $_RNvCs1234_7mycrate5inner (call 0))
            (func $_ZN2ns5Outer3runEi (param i32) (call 1))
            (func (export "main") (call 2 (i32.const 0))))"#,
    )
    .unwrap();
    for tier in ["interp", "compile", "auto"] {
        let o = weft(&[
            "run",
            "--tier",
            tier,
            "--invoke",
            "main",
            path.to_str().unwrap(),
        ]);
        let err = text(&o.stderr);
        assert!(
            err.starts_with(
                "error: unreachable\nwasm backtrace:\n  0: <module>!core::panicking::panic\n  \
                 1: <module>!mycrate::inner\n  2: <module>!ns::Outer::run(int)\n  \
                 3: <module>!<wasm function 3>\n"
            ),
            "{tier}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A real Rust program (rustc 1.95, wasm32-wasip1) panics two calls deep:
/// the panic message reaches stderr, the process ends like a trap (134),
/// and the backtrace names the Rust functions demangled (the name section
/// holds both legacy and v0 symbols), in every tier.
#[test]
fn rust_panic_backtrace_is_demangled() {
    let fixture = "crates/cli/tests/fixtures/rust_panic.wasm";
    for tier in ["interp", "compile", "auto"] {
        let o = weft(&["run", "--tier", tier, fixture]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(134), "{tier}: {err}");
        // Rust's panic hook starts with an empty line.
        assert!(
            err.trim_start().starts_with(
                "thread 'main' (1) panicked at rust_panic.rs:10:5:\n\
                 index out of bounds: the len is 4 but the index is 4\n"
            ),
            "{tier}: {err}"
        );
        let frames = frame_lines(&err);
        let names: Vec<&str> = frames.iter().map(|f| f.0.as_str()).collect();
        let at = |name: &str| {
            names
                .iter()
                .position(|n| *n == format!("rust_panic.wasm!{name}"))
                .unwrap_or_else(|| panic!("{tier}: no frame {name} in\n{err}"))
        };
        // Innermost first: the panic machinery, then the program's calls.
        let (panic, pick, sum_to, main) = (
            at("core::panicking::panic_bounds_check"),
            at("rust_panic::pick"),
            at("rust_panic::sum_to"),
            at("rust_panic::main"),
        );
        assert!(
            panic < pick && pick < sum_to && sum_to < main,
            "{tier}: {err}"
        );
        assert_eq!(
            names.last(),
            Some(&"rust_panic.wasm!_start"),
            "{tier}: {err}"
        );
        // Nothing is left mangled.
        for n in &names {
            let symbol = n.trim_start_matches("rust_panic.wasm!");
            assert!(
                !symbol.starts_with("_ZN") && !symbol.starts_with("_R"),
                "{tier}: {n} is mangled:\n{err}"
            );
        }
    }
}

#[test]
fn addr2line_prints_function_and_location() {
    let o = weft(&["addr2line", FIXTURE, "0x6d", "0x69", "161", "0x11c"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "0x6d: innermost ./trap_dwarf.c:19:5\n\
         0x69: innermost ./trap_dwarf.c:17:37\n\
         0xa1: middle ./trap_dwarf.c:24:5\n\
         0x11c: run ./trap_dwarf.c:33:5\n"
    );
    // The code section's contents start at 0x40 in this module.
    let o = weft(&["addr2line", "--code-section-relative", FIXTURE, "0x2d"]);
    assert_eq!(text(&o.stdout), "0x2d: innermost ./trap_dwarf.c:19:5\n");
    // Outside every function body: said, and exit status 1.
    let o = weft(&["addr2line", FIXTURE, "0x10"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "0x10: not inside a function body\n");
}

#[test]
fn strip_removes_custom_sections() {
    let dir = std::env::temp_dir().join(format!("weft-strip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all = dir.join("all.wasm");
    let named = dir.join("named.wasm");
    let o = weft(&["strip", FIXTURE, "-o", all.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = weft(&[
        "strip",
        "--keep",
        "name",
        FIXTURE,
        "-o",
        named.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let original = std::fs::read(root().join(FIXTURE)).unwrap();
    let (all_bytes, named_bytes) = (std::fs::read(&all).unwrap(), std::fs::read(&named).unwrap());
    assert!(all_bytes.len() < named_bytes.len() && named_bytes.len() < original.len());
    // The code is unchanged: the trap still happens, now without source
    // lines (stripped of DWARF) and without names (stripped of all).
    for (path, name) in [
        (&all, "<module>!<wasm function 0>"),
        (&named, "trap_dwarf.wasm!innermost"),
    ] {
        let o = weft(&["run", "--invoke", "run", path.to_str().unwrap(), "0"]);
        let err = text(&o.stderr);
        assert!(
            err.starts_with(&format!(
                "error: unreachable\nwasm backtrace:\n  0: {name}\n  1: "
            )),
            "{err}"
        );
        assert!(!err.contains("    at "), "{err}");
    }
    let o = weft(&["objdump", "-h", named.to_str().unwrap()]);
    let dump = text(&o.stdout);
    assert!(
        dump.contains("\"name\"") && !dump.contains(".debug"),
        "{dump}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
