//! Derives, from the instruction table in `src/table.rs`, the names that
//! `macro_rules!` cannot build from the table's string literals, and emits
//! them as two exported macros (`$OUT_DIR/derived.rs`, included by
//! `lib.rs`), so that no other crate reads the table as text:
//!
//! - `for_each_visit!`: the rows of `for_each_instr!`, each with the name of
//!   its visitor method inserted after the mnemonic
//!   (`mvp [0x6A] I32Add "i32.add" visit_i32_add {} (i32 i32 -> i32)`). The
//!   name is `visit_` plus the mnemonic with `.` turned into `_`; a mnemonic
//!   that an earlier row already uses (the typed `select`) takes the
//!   snake-case variant name instead (`visit_typed_select`).
//! - `instr_fn!`: maps a variant to the function named after its mnemonic
//!   in a given module (`instr_fn!(ops, I8x16AddSatS)` is
//!   `ops::i8x16_add_sat_s`), the naming of the engine's numeric semantics.
//!
//! Tests in weft-binary and weft check that the generated rows are the
//! table's rows, in order.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `I32TruncSatF32S` -> `i32_trunc_sat_f32_s`.
fn snake(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A row of the table, split where the derived names go: everything up to
/// and including the mnemonic's closing quote, the variant, the mnemonic,
/// and the rest (immediates and signature).
struct Row<'a> {
    head: &'a str,
    variant: &'a str,
    mnemonic: &'a str,
    tail: &'a str,
}

/// Parses a line of the table; `None` for anything that is not a row.
fn row(line: &str) -> Option<Row<'_>> {
    let row = line.trim();
    // Rows look like: feature [opcode..] Variant "mnemonic" {..} (sig)
    if !row.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let (open, close) = (row.find('[')?, row.find(']')?);
    let feature = row[..open].trim();
    if open > close
        || !feature
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let q1 = row.find('"')?;
    let q2 = q1 + 1 + row[q1 + 1..].find('"')?;
    Some(Row {
        head: &row[..=q2],
        variant: row[close + 1..q1].trim(),
        mnemonic: &row[q1 + 1..q2],
        tail: row[q2 + 1..].trim(),
    })
}

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let table = dir.join("src/table.rs");
    println!("cargo:rerun-if-changed={}", table.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&table).expect("the instruction table is readable");

    let mut visit_rows = String::new();
    let mut fn_arms = String::new();
    let mut mnemonics = HashSet::new();
    let mut variants = HashSet::new();
    for r in text.lines().filter_map(row) {
        let visit = if mnemonics.insert(r.mnemonic) {
            r.mnemonic.replace('.', "_")
        } else {
            snake(r.variant)
        };
        writeln!(
            visit_rows,
            "            {} visit_{visit} {}",
            r.head, r.tail
        )
        .expect("writing to a String");
        if variants.insert(r.variant) {
            let name = r.mnemonic.replace('.', "_");
            writeln!(
                fn_arms,
                "    ($m:ident, {}) => {{ $m::{name} }};",
                r.variant
            )
            .expect("writing to a String");
        }
    }
    assert!(
        !visit_rows.is_empty(),
        "no rows found in {}",
        table.display()
    );

    let out = format!(
        "/// Invokes the macro `$mac` with every row of the instruction table\n\
         /// ([`for_each_instr!`]), each with the name of its visitor method\n\
         /// after the mnemonic:\n\
         /// `feature [opcode] Variant \"mnemonic\" visit_name {{ immediates }} (signature)`.\n\
         #[macro_export]\n\
         macro_rules! for_each_visit {{\n    ($mac:ident) => {{\n        $mac! {{\n{visit_rows}        }}\n    }};\n}}\n\
         \n\
         /// Maps a table variant to the function named after its mnemonic in\n\
         /// the module `$m` (`instr_fn!(ops, I32Add)` is `ops::i32_add`).\n\
         #[macro_export]\n\
         macro_rules! instr_fn {{\n{fn_arms}}}\n"
    );
    let path = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("derived.rs");
    std::fs::write(path, out).expect("OUT_DIR is writable");
}
