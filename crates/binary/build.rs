//! Generates `for_each_visit!`: the rows of the instruction table
//! (`weft_syntax::for_each_instr!`), each with the name of its visitor
//! method inserted after the mnemonic:
//!
//! ```text
//! mvp [0x6A] I32Add "i32.add" visit_i32_add {} (i32 i32 -> i32)
//! ```
//!
//! The name is `visit_` plus the mnemonic with `.` turned into `_`; a
//! mnemonic that an earlier row already uses (the typed `select`) takes the
//! snake-case variant name instead (`visit_typed_select`). `macro_rules!`
//! cannot build identifiers from string literals, so the names are made here
//! from the table's text. A unit test in `instr.rs` checks that the
//! generated rows are the table's rows, in order.

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

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let table = dir.join("../syntax/src/table.rs");
    println!("cargo:rerun-if-changed={}", table.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&table).expect("the instruction table is readable");

    let mut rows = String::new();
    let mut seen = HashSet::new();
    for line in text.lines() {
        let row = line.trim();
        // Rows look like: feature [opcode..] Variant "mnemonic" {..} (sig)
        if !row.starts_with(|c: char| c.is_ascii_lowercase()) {
            continue;
        }
        let (Some(open), Some(close)) = (row.find('['), row.find(']')) else {
            continue;
        };
        if open > close
            || !row[..open]
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let Some(q1) = row.find('"') else { continue };
        let Some(len) = row[q1 + 1..].find('"') else {
            continue;
        };
        let q2 = q1 + 1 + len;
        let variant = row[close + 1..q1].trim();
        let mnemonic = &row[q1 + 1..q2];
        let name = if seen.insert(mnemonic.to_string()) {
            mnemonic.replace('.', "_")
        } else {
            snake(variant)
        };
        writeln!(
            rows,
            "            {} visit_{name} {}",
            &row[..=q2],
            row[q2 + 1..].trim()
        )
        .expect("writing to a String");
    }
    assert!(!rows.is_empty(), "no rows found in {}", table.display());

    let out = format!(
        "/// Invokes the macro `$mac` with every row of the instruction table\n\
         /// (`weft_syntax::for_each_instr!`), each with the name of its\n\
         /// [`VisitInstr`](crate::VisitInstr) method after the mnemonic:\n\
         /// `feature [opcode] Variant \"mnemonic\" visit_name {{ immediates }} (signature)`.\n\
         #[macro_export]\n\
         macro_rules! for_each_visit {{\n    ($mac:ident) => {{\n        $mac! {{\n{rows}        }}\n    }};\n}}\n"
    );
    let path = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("visit.rs");
    std::fs::write(path, out).expect("OUT_DIR is writable");
}
