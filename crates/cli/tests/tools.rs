//! Every tool through the built binary: `-` for standard input and output,
//! binary versus text input, hostile input (size limit, endless streams,
//! short error messages, escaped names), `weft FILE` as `weft run FILE`,
//! and `validate` agreeing with `run` on implementation limits.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Output;

/// A scratch directory for this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-tools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn write(name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = scratch(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

/// Asserts a one-line error with status 1 that contains `needle`.
fn fails_with(o: &Output, needle: &str, what: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{what}: {err}");
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1 && err.contains(needle),
        "{what}: expected one line with `{needle}`: {err}"
    );
}

const FAC: &str = "examples/hello.wat";

#[test]
fn every_tool_reads_standard_input_and_writes_standard_output() {
    let wat = std::fs::read(root().join(FAC)).unwrap();
    let wasm = std::fs::read(root().join("examples/hello.wasm")).unwrap();

    let o = weft_with_stdin(&["validate", "-"], &wat);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = weft_with_stdin(&["validate", "-"], &wasm);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // wat2wasm: standard input goes to standard output by default, and
    // `-o -` sends a file's translation there too.
    let from_stdin = weft_with_stdin(&["wat2wasm", "-"], &wat);
    assert_eq!(
        from_stdin.status.code(),
        Some(0),
        "{}",
        text(&from_stdin.stderr)
    );
    assert!(from_stdin.stdout.starts_with(b"\0asm"));
    let from_file = weft(&["wat2wasm", FAC, "-o", "-"]);
    assert_eq!(from_file.status.code(), Some(0));
    assert_eq!(from_stdin.stdout, from_file.stdout);

    let o = weft_with_stdin(&["wasm2wat", "-", "-o", "-"], &from_file.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("(export \"fac\""),
        "{}",
        text(&o.stdout)
    );

    let o = weft_with_stdin(&["objdump", "-x", "-", "-o", "-"], &wasm);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Export["), "{}", text(&o.stdout));

    let script = b"(module (func (export \"two\") (result i32) (i32.const 2)))\n\
                   (assert_return (invoke \"two\") (i32.const 2))\n\
                   (assert_return (invoke \"two\") (i32.const 3))\n";
    let o = weft_with_stdin(&["wast", "-"], script);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "one assertion fails: {out}");
    assert!(out.contains("1 failed"), "{out}");

    let o = weft_with_stdin(&["run", "--invoke", "fac", "-", "5"], &wat);
    assert_eq!(
        (o.status.code(), text(&o.stdout).as_str()),
        (Some(0), "120\n")
    );
}

#[test]
fn output_files_still_work() {
    let out = scratch("fac.wasm");
    let o = weft(&["wat2wasm", FAC, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!((text(&o.stdout).as_str()), "");
    assert!(std::fs::read(&out).unwrap().starts_with(b"\0asm"));
    let listing = scratch("fac.txt");
    let o = weft(&[
        "objdump",
        "-h",
        out.to_str().unwrap(),
        "-o",
        listing.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(std::fs::read_to_string(listing).unwrap().contains("Code"));
}

#[test]
fn binary_input_gets_binary_messages() {
    let empty = write("empty.wasm", b"");
    let truncated = write("truncated.wasm", b"\0asm\x01\0");
    let half_magic = write("half-magic.wasm", b"\0as");
    let wrong = write("wrong-magic.wasm", b"abcdefgh");
    let wrong_zero = write("wrong-magic.bin", b"\0\0\0\0\x01\0\0\0");
    let bad_version = write("bad-version.wasm", b"\0asm\x02\0\0\0");
    let cases = [
        (&empty, "unexpected end"),
        (&truncated, "unexpected end"),
        (&half_magic, "unexpected end"),
        (&wrong, "magic header not detected"),
        (&wrong_zero, "magic header not detected"),
        (&bad_version, "unknown binary version"),
    ];
    for tool in ["validate", "wasm2wat", "objdump", "run"] {
        for (file, message) in cases {
            fails_with(&weft(&[tool, file]), message, &format!("{tool} {file}"));
        }
    }
    // Standard input has no name: a leading zero byte makes it binary.
    let o = weft_with_stdin(&["validate", "-"], b"\0as");
    fails_with(&o, "unexpected end", "validate - <\\0as");
    let o = weft_with_stdin(&["validate", "-"], b"\0\0\0\0\0\0\0\0");
    fails_with(&o, "magic header not detected", "validate - <zeros");
    // wat2wasm wants text, but says what is wrong with binary bytes too.
    fails_with(
        &weft(&["wat2wasm", &wrong, "-o", "-"]),
        "magic header not detected",
        "wat2wasm",
    );
    // Text that is not a module is a text error, with line and column.
    let junk = write("junk.wat", "hello (module)");
    fails_with(
        &weft(&["validate", &junk]),
        "unknown operator hello (at 1:1)",
        "junk text",
    );
}

#[test]
fn endless_and_huge_inputs_are_refused() {
    for tool in ["validate", "wasm2wat", "objdump", "run"] {
        let o = weft(&[tool, "/dev/zero"]);
        fails_with(&o, "magic header not detected", tool);
    }
    // A file above the 1 GiB limit is refused without being read (sparse:
    // it takes no disk space).
    let huge = scratch("huge.wat");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len((1 << 30) + 1).unwrap();
    drop(f);
    for tool in ["validate", "wat2wasm", "wasm2wat", "objdump", "run", "wast"] {
        let o = weft(&[tool, huge.to_str().unwrap()]);
        let err = text(&o.stderr);
        assert_ne!(o.status.code(), Some(0), "{tool}");
        assert!(err.contains("limit of 1073741824 bytes"), "{tool}: {err}");
        assert!(err.len() < 200, "{tool}: {err}");
    }
    std::fs::remove_file(&huge).unwrap();
}

#[test]
fn error_messages_quote_a_short_excerpt() {
    // 4 MiB of junk without a space: one enormous token.
    let junk: String = (0..4 << 20)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let p = write("junk-token.wat", &junk);
    let o = weft(&["validate", &p]);
    fails_with(
        &o,
        "unknown operator abcdefghijklmnopqrstuvwxyzabcdefghijklm",
        "junk",
    );
    assert!(text(&o.stderr).len() < 200, "{}", text(&o.stderr));
    // A long identifier and control characters in one.
    let wat = format!("(module (func (call ${}\u{1b}[2J)))", "f".repeat(100_000));
    let p = write("long-id.wat", &wat);
    let o = weft(&["validate", &p]);
    fails_with(&o, "$ffffffff", "long id");
    assert!(text(&o.stderr).len() < 200, "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains('\u{1b}'), "{}", text(&o.stderr));
    // A huge duplicate export name, in a binary (validation error).
    let name = "e".repeat(1 << 20);
    let wat = format!("(module (func (export \"{name}\")) (func (export \"{name}\")))");
    let p = write("dup-export.wat", &wat);
    let o = weft(&["validate", &p]);
    fails_with(&o, "duplicate export name \"eeee", "duplicate export");
    assert!(text(&o.stderr).len() < 200, "{}", text(&o.stderr));
}

/// A module whose names hold control characters: escape sequences that
/// would clear the terminal, a newline, a bidirectional override.
const NASTY_NAMES: &str = r#"(module $"m\1b[2J"
  (func $"f\1b[31m\0a\e2\80\ae" (export "e\1b]0;x\07") unreachable))"#;

#[test]
fn names_are_escaped_in_backtraces_and_objdump() {
    let p = write("nasty.wat", NASTY_NAMES);
    let wasm = scratch("nasty.wasm");
    let o = weft(&["wat2wasm", &p, "-o", wasm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    let o = weft(&[
        "run",
        "--invoke",
        "e\u{1b}]0;x\u{7}",
        wasm.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(134), "{err}");
    assert!(
        err.contains("  0: m\\1b[2J!f\\1b[31m\\0a\\e2\\80\\ae\n"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err}");

    let o = weft(&["objdump", "-x", wasm.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.contains(" -> \"e\\1b]0;x\\07\""), "{out}");
    assert!(out.contains("<f\\1b[31m\\0a\\e2\\80\\ae>"), "{out}");
    assert!(out.contains(" - module <m\\1b[2J>"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}'),
        "{out}"
    );
    // wasm2wat escapes the same way.
    let o = weft(&["wasm2wat", wasm.to_str().unwrap()]);
    assert!(
        text(&o.stdout).contains("\"e\\1b]0;x\\07\""),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn a_module_runs_without_the_run_command() {
    let o = weft(&["examples/hello.wasm"]);
    assert_eq!((o.status.code(), text(&o.stderr).as_str()), (Some(0), ""));
    let o = weft(&["--invoke", "fac", FAC, "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "120\n");
    let o = weft(&["examples/hello_wasi.wasm", "you"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("and hello to you\n"),
        "{}",
        text(&o.stdout)
    );
    // Subcommands and top-level flags keep their meaning.
    let o = weft(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).starts_with("weft "));
    let o = weft(&["validate", FAC]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_trap_backtrace_says_how_many_frames_it_leaves_out() {
    // fac(-1) recurses until the call stack is exhausted: in the
    // interpreter, the default `max_call_depth` of 100,000 callers below
    // the frame that traps; compiled, as many as the native stack holds.
    for tier in ["interp", "auto"] {
        let o = weft(&["run", "--tier", tier, "--invoke", "fac", FAC, "-1"]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(134), "{err}");
        let shown = err.lines().filter(|l| l.contains(": hello!fac")).count();
        let elided: usize = err
            .lines()
            .find_map(|l| {
                l.strip_prefix("  ... ")?
                    .strip_suffix(" more frames")?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no elided-frames line: {err}"));
        assert_eq!(shown, 64, "{err}");
        if tier == "interp" {
            assert_eq!(shown + elided, 100_001, "{err}");
        } else {
            assert!(shown + elided > 1000, "{err}");
        }
    }
    // A short stack is shown whole.
    let o = weft(&["run", "--invoke", "fac", FAC, "5"]);
    assert!(!text(&o.stderr).contains("more frames"));
}

/// A valid function whose operand stack needs more slots than the
/// interpreter's frames hold.
fn too_many_operands() -> String {
    let n = 70_000;
    let mut wat = String::from("(module (func (export \"f\")\n");
    wat.push_str(&"(i32.const 0)\n".repeat(n));
    wat.push_str(&"drop\n".repeat(n));
    wat.push_str("))");
    wat
}

#[test]
fn validate_reports_the_limit_run_hits() {
    let p = write("operands.wat", too_many_operands());
    let limit = "function too large: operand stack exceeds 65536 slots";
    let v = weft(&["validate", &p]);
    fails_with(&v, limit, "validate");
    // The interpreter's limit (compiled code has no operand stack).
    let r = weft(&["run", "--tier", "interp", "--invoke", "f", &p]);
    fails_with(&r, limit, "run");
    assert_eq!(text(&v.stderr), text(&r.stderr));
}

#[test]
fn usage_errors_exit_2_and_bad_input_exits_1() {
    // README: a usage error prints the usage and exits with 2 (clap's
    // convention, also wasmtime's); bad input is a one-line error and 1.
    for args in [&["validate", "--no-such-option"][..], &["wat2wasm"][..]] {
        let o = weft(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("Usage"),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
    let junk = write("usage_junk.wasm", b"\0asm\x02\0\0\0");
    fails_with(&weft(&["validate", &junk]), "version", "a wrong version");
}

/// A type error in text input is reported at its line and column (1-based,
/// as wabt's `wat2wasm` reports them: `bad.wat:3:5` for the first module,
/// `3:6` (the keyword) for the folded one) by every tool that validates.
#[test]
fn text_validation_errors_point_at_line_and_column() {
    let plain = write(
        "bad.wat",
        "(module (func (result i32)\n  i32.const 1\n    i64.eqz))\n",
    );
    let folded = write(
        "bad_folded.wat",
        "(module (func (result i32)\n  (i32.const 1)\n    (i64.eqz (i32.const 2))))\n",
    );
    for (file, at) in [(&plain, "3:5"), (&folded, "3:6")] {
        let expected = format!("{file}:{at}: type mismatch");
        for tool in [
            vec!["validate", file.as_str()],
            vec!["wat2wasm", file.as_str(), "-o", "-"],
            vec!["run", file.as_str()],
        ] {
            fails_with(&weft(&tool), &expected, &tool.join(" "));
        }
    }
}

/// Errors about a module field rather than an instruction point at the
/// field's keyword in text (`FILE:LINE:COL:`, wabt's column for a duplicate
/// export) and at the field's entry in binary (`(at offset 0x..)`), with
/// the spec's message.
#[test]
fn module_field_errors_point_at_the_field() {
    let cases = [
        (
            "export",
            "  (export \"g\" (func 7))",
            "3:4",
            "unknown function 7",
        ),
        (
            "dup",
            "  (export \"a\" (func 0))\n  (export \"a\" (func 0))",
            "4:4",
            "duplicate export name \"a\"",
        ),
        ("start", "  (start 9)", "3:4", "unknown function 9"),
        (
            "elem",
            "  (elem (i32.const 0) func 5)",
            "3:4",
            "unknown function 5",
        ),
        (
            "data",
            "  (data (memory 2) (i32.const 0) \"x\")",
            "3:4",
            "unknown memory 2",
        ),
        (
            "inline",
            "  (func (export \"a\"))",
            "4:4",
            "duplicate export name \"a\"",
        ),
    ];
    for (name, field, at, message) in cases {
        let src = format!("(module\n  (func (export \"main\"))\n{field}\n  (table 1 funcref))\n");
        // The inline case adds a second function exporting "a" after the
        // first: the duplicate is the export of the function on line 4.
        let src = if name == "inline" {
            format!("(module\n  (table 1 funcref)\n  (func (export \"a\"))\n{field})\n")
        } else {
            src
        };
        let file = write(&format!("field_{name}.wat"), &src);
        let expected = format!("{file}:{at}: {message}");
        for tool in [
            vec!["validate", file.as_str()],
            vec!["wat2wasm", file.as_str(), "-o", "-"],
            vec!["run", file.as_str()],
        ] {
            fails_with(&weft(&tool), &expected, &tool.join(" "));
        }
    }
    // The same duplicate export in binary: the offset of the second entry
    // of the export section (header 8, type 4+2, function 2+2, export
    // section id and size 2, count 1, first entry "a" func 0: 4 bytes).
    let wasm: &[u8] = &[
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // header
        1, 4, 1, 0x60, 0, 0, // type () -> ()
        3, 2, 1, 0, // function
        7, 9, 2, 1, b'a', 0, 0, 1, b'a', 0, 0, // exports "a", "a"
        10, 4, 1, 2, 0, 0x0b, // code
    ];
    let file = write("dup.wasm", wasm);
    fails_with(
        &weft(&["validate", &file]),
        "duplicate export name \"a\" (at offset 0x19)",
        "binary duplicate export",
    );
}

/// Type-section errors point at the type definition: its `type` keyword
/// in text (inside a `rec` group too), its subtype's offset in binary.
#[test]
fn type_errors_point_at_the_type() {
    let cases = [
        (
            "type_final",
            "(module\n  (type $a (func))\n  (type $b (sub $a (func (param i32)))))\n",
            "3:4",
        ),
        (
            "type_rec",
            "(module\n  (rec (type $a (struct (field (ref $b))))\n       (type $b (sub final $a (struct)))))\n",
            "3:9",
        ),
    ];
    for (name, src, at) in cases {
        let file = write(&format!("{name}.wat"), src);
        let expected = format!("{file}:{at}: sub type 1 has final super type 0");
        for tool in [
            vec!["validate", file.as_str()],
            vec!["wat2wasm", file.as_str(), "-o", "-"],
        ] {
            fails_with(&weft(&tool), &expected, &tool.join(" "));
        }
    }
    // In binary: a recursion group of two struct types, the second
    // declaring the first (final) as its supertype. Header 8, section id
    // and size 2, count 1, `rec` of 2 (2 bytes), type 0 `struct (field
    // (ref 1))` (5 bytes): type 1 starts at 0x12.
    let wasm: &[u8] = &[
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // header
        1, 0x0d, 1, 0x4e, 2, // type section: one group of two
        0x5f, 1, 0x64, 1, 0, // struct (field (ref 1))
        0x4f, 1, 0, 0x5f, 0, // sub final 0 (struct)
    ];
    let file = write("type_final.wasm", wasm);
    fails_with(
        &weft(&["validate", &file]),
        "sub type 1 has final super type 0 (at offset 0x12)",
        "binary type error",
    );
}

/// Appends a custom section to a module binary.
fn with_custom_section(mut wasm: Vec<u8>, name: &str, payload: &[u8]) -> Vec<u8> {
    let leb = |mut n: usize, out: &mut Vec<u8>| loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    };
    let mut body = Vec::new();
    leb(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    wasm.push(0);
    leb(body.len(), &mut wasm);
    wasm.extend_from_slice(&body);
    wasm
}

/// `objdump -x` summarises custom sections other than `name` by their name,
/// as wasm-objdump does: a module with 1 MiB of DWARF stays short, and the
/// extended names are listed with wasm-objdump's words.
#[test]
fn objdump_details_summarise_custom_sections() {
    let wasm = std::fs::read(root().join("examples/hello.wasm")).unwrap();
    let dwarf = vec![0x5a; 1 << 20];
    let big = write(
        "dwarf.wasm",
        with_custom_section(wasm, ".debug_info", &dwarf),
    );
    let o = weft(&["objdump", "-x", &big]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains(" - name: \".debug_info\""), "{out}");
    assert!(out.lines().count() < 1000, "{} lines", out.lines().count());

    let wat = write(
        "named.wat",
        "(module $mod (type $t (func)) (memory $m 1) (global $g i32 (i32.const 0)) (data $d \"\"))",
    );
    let named = scratch("named.wasm");
    let o = weft(&["wat2wasm", &wat, "-o", named.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&weft(&["objdump", "-x", named.to_str().unwrap()]).stdout);
    for line in [
        " - type[0] <t>",
        " - memory[0] <m>",
        " - global[0] <g>",
        " - dataseg[0] <d>",
    ] {
        assert!(out.contains(line), "{line} missing from\n{out}");
    }
}
