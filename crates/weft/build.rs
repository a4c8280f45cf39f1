//! Generates `instr_fn!`, which maps an instruction-table variant name to
//! the function named after its mnemonic (`I8x16AddSatS` ->
//! `$module::i8x16_add_sat_s`), so that code generated from
//! `weft_syntax::for_each_instr!` can call the `ops` functions, which are
//! named after the spec's mnemonics (`.` -> `_`). `macro_rules!` cannot
//! build identifiers from string literals, so the mapping is read from the
//! instruction table itself.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    // The dispatch loop threads handlers through tail calls, which LLVM
    // turns into jumps only when optimizing; other builds use a loop.
    println!("cargo::rustc-check-cfg=cfg(weft_tail_calls)");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if matches!(opt.as_str(), "2" | "3" | "s" | "z")
        && matches!(arch.as_str(), "x86_64" | "aarch64")
    {
        println!("cargo:rustc-cfg=weft_tail_calls");
    }
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let table = dir.join("../syntax/src/table.rs");
    println!("cargo:rerun-if-changed={}", table.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&table).expect("the instruction table is readable");
    let mut out = String::from(
        "/// Maps a table variant to the function named after its mnemonic in `$m`.\n\
         macro_rules! instr_fn {\n",
    );
    let mut seen = std::collections::HashSet::new();
    for line in text.lines() {
        let line = line.trim();
        // Rows look like: feature [opcode..] Variant "mnemonic" {..} (sig)
        let Some(close) = line.find(']') else {
            continue;
        };
        if !line.starts_with(|c: char| c.is_ascii_lowercase()) || !line.contains('"') {
            continue;
        }
        let rest = line[close + 1..].trim_start();
        let mut parts = rest.splitn(2, char::is_whitespace);
        let (Some(variant), Some(after)) = (parts.next(), parts.next()) else {
            continue;
        };
        let after = after.trim_start();
        if !after.starts_with('"') {
            continue;
        }
        let Some(end) = after[1..].find('"') else {
            continue;
        };
        let mnemonic = &after[1..1 + end];
        if !seen.insert(variant.to_string()) {
            continue;
        }
        let name = mnemonic.replace('.', "_");
        writeln!(out, "    ($m:ident, {variant}) => {{ $m::{name} }};").unwrap();
    }
    out.push_str("}\n");
    let path = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("instr_fn.rs");
    std::fs::write(path, out).expect("OUT_DIR is writable");
}
