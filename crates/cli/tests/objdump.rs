//! `weft objdump` against wabt's `wasm-objdump` 1.0.42, line for line.
//!
//! Each fixture in `tests/fixtures/objdump/` is a `.wat` source, the
//! `.wasm` weft's wat2wasm made of it, and one `.txt` per mode that
//! wasm-objdump 1.0.42 printed for that `.wasm` (`regen.sh` rebuilds them;
//! CI needs no wabt). The few places where Weft deliberately prints
//! something else are listed in `DIFFERENCES`, each with its reason.

mod common;
use common::*;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    root().join("crates/cli/tests/fixtures/objdump")
}

/// `(fixture, mode, wabt's line, ours)`: where Weft prints something else
/// on purpose.
const DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    // wabt 1.0.42 cannot print the type of `return_call_ref` (function
    // references, Wasm 3.0) and writes `<invalid>`; we print it as wabt
    // prints `call_ref`'s.
    (
        "exports",
        "d",
        "| return_call_ref <invalid>",
        "| return_call_ref (ref null 0)",
    ),
    // wabt prints the low 32 bits of a memory64 offset (4294967300 is
    // 2^32 + 4); we print the offset.
    (
        "memory64",
        "d",
        "| i64.store32 2 4\n",
        "| i64.store32 2 4294967300\n",
    ),
];

/// What wabt printed for `name` in `mode`, with our deliberate differences.
fn expected(name: &str, mode: &str, file: &str) -> String {
    let path = fixtures().join(file);
    let mut text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (n, m, wabt, ours) in DIFFERENCES {
        if *n == name && *m == mode {
            assert!(text.contains(wabt), "{file}: no {wabt:?} to replace");
            text = text.replace(wabt, ours);
        }
    }
    text
}

/// Runs `weft objdump ARGS FILE` and compares standard output with
/// `expected`, reporting the first line that differs.
fn check(args: &[&str], wasm: &str, expected: &str) {
    let wasm = fixtures().join(wasm);
    let mut all = vec!["objdump", "--features", "3.0,threads,legacy-exceptions"];
    all.extend_from_slice(args);
    all.push(wasm.to_str().unwrap());
    let o = weft(&all);
    assert!(o.status.success(), "{all:?}: {}", text(&o.stderr));
    let got = text(&o.stdout);
    if got != expected {
        let first = got
            .lines()
            .zip(expected.lines())
            .position(|(g, e)| g != e)
            .unwrap_or(got.lines().count().min(expected.lines().count()));
        panic!(
            "{all:?} differs from wasm-objdump at line {}:\n  ours: {:?}\n  wabt: {:?}\n\nours:\n{got}",
            first + 1,
            got.lines().nth(first),
            expected.lines().nth(first)
        );
    }
}

fn check_fixture(name: &str) {
    for mode in ["h", "x", "d", "s"] {
        let want = expected(name, mode, &format!("{name}.{mode}.txt"));
        check(&[&format!("-{mode}")], &format!("{name}.wasm"), &want);
    }
}

#[test]
fn names_from_the_name_section_and_exports() {
    check_fixture("names");
}

#[test]
fn every_section_kind() {
    check_fixture("sections");
}

#[test]
fn instruction_immediates() {
    check_fixture("instrs");
}

#[test]
fn import_and_export_names_and_element_segments() {
    check_fixture("exports");
}

#[test]
fn memory64_locals_and_constant_expressions() {
    check_fixture("memory64");
}

#[test]
fn shared_and_64_bit_memories() {
    check_fixture("threads");
}

/// Relocatable object files (clang -c, sources beside them): the
/// `linking` section's symbol table, segment info and init functions, the
/// `reloc.*` sections, and the names they give functions and segments
/// elsewhere, in every mode.
#[test]
fn object_files_with_linking_and_relocations() {
    for name in ["object_c", "object_data", "object_init"] {
        for mode in ["h", "x", "d", "s"] {
            let want = expected(name, mode, &format!("{name}.{mode}.txt"));
            check(&[&format!("-{mode}")], &format!("{name}.o"), &want);
        }
    }
}

/// A C program's module (DWARF, producers, target features), whole and
/// one section at a time with `-j` (matched without regard to case; as in
/// wabt, `-h` and `-d` are not narrowed by it).
#[test]
fn sections_chosen_with_j() {
    let dwarf = "../trap_dwarf.wasm";
    let cases: &[(&[&str], &str)] = &[
        (&["-x"], "trap_dwarf.x.txt"),
        (
            &["-j", ".debug_info", "-s"],
            "trap_dwarf.j-debug_info.s.txt",
        ),
        (&["-j", "export", "-x", "-s"], "trap_dwarf.j-export.xs.txt"),
        (&["--section=Code", "-h", "-d"], "trap_dwarf.j-code.hd.txt"),
    ];
    for (args, file) in cases {
        check(args, dwarf, &expected("trap_dwarf", "", file));
    }
}

/// A `-j` name that matches no section prints the headers of the chosen
/// modes, then fails with wabt's message.
#[test]
fn an_unknown_section_is_an_error() {
    let wasm = fixtures().join("names.wasm");
    let o = weft(&["objdump", "-j", "Nope", "-x", wasm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stdout),
        "\nnames.wasm:\tfile format wasm 0x1\nmodule name: <m>\n\nSection Details:\n\n"
    );
    assert_eq!(text(&o.stderr), "error: Section not found: Nope\n");
}
