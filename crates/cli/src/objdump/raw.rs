//! What only the bytes say: the flags of each element segment (`-x` shows
//! them; the decoded module keeps the meaning, not the encoding) and the
//! raw contents of a section (`-s`).

use std::fmt::Write;
use weft_binary::{Reader, SectionHeader};
use weft_syntax::{Features, Instr};

/// The payload of a section, if it lies within the file.
pub(super) fn payload<'b>(bytes: &'b [u8], h: &SectionHeader) -> Option<&'b [u8]> {
    bytes.get(h.offset..h.offset.checked_add(h.size)?)
}

/// The flags field (0-7) of every element segment, in order; `None` if the
/// section cannot be read that far.
pub(super) fn elem_flags(bytes: &[u8], h: &SectionHeader, features: Features) -> Option<Vec<u32>> {
    let mut r = Reader::new_at(payload(bytes, h)?, h.offset, features);
    let count = r.read_u32().ok()?;
    let mut flags = Vec::new();
    for _ in 0..count {
        let f = r.read_u32().ok()?;
        // §5.5.12: bit 0 passive or declarative, bit 1 explicit table
        // index (active) or declarative, bit 2 expressions.
        let active = f & 1 == 0;
        if active && f & 2 != 0 {
            r.read_u32().ok()?;
        }
        if active {
            skip_expr(&mut r)?;
        }
        let exprs = f & 4 != 0;
        if f & 3 != 0 {
            // An element kind byte, or a reference type for expressions.
            if exprs {
                r.read_ref_type().ok()?;
            } else {
                r.read_u8().ok()?;
            }
        }
        let n = r.read_u32().ok()?;
        for _ in 0..n {
            if exprs {
                skip_expr(&mut r)?;
            } else {
                r.read_u32().ok()?;
            }
        }
        flags.push(f);
    }
    Some(flags)
}

/// The entries of a `target_features` section (tool conventions: a
/// vector of a prefix byte `+`, `-` or `=` and a feature name), as
/// `  - [+] sign-ext`; the entries up to one that cannot be read.
pub(super) fn target_features(out: &mut String, bytes: &[u8], h: &SectionHeader) {
    let Some(data) = payload(bytes, h) else {
        return;
    };
    let mut r = Reader::new_at(data, h.offset, Features::WASM3);
    let _section_name = r.read_name();
    let Ok(count) = r.read_u32() else {
        return;
    };
    for _ in 0..count {
        let Ok(prefix) = r.read_u8() else {
            return;
        };
        let Ok(name) = r.read_name() else {
            return;
        };
        let _ = writeln!(
            out,
            "  - [{}] {}",
            char::from(prefix).escape_default(),
            weft_syntax::escape_name(name)
        );
    }
}

/// Reads a constant expression up to its `end`.
fn skip_expr(r: &mut Reader<'_>) -> Option<()> {
    loop {
        if let Instr::End {} = r.read_instr().ok()? {
            return Some(());
        }
    }
}

/// `prefix` + `0000010: 6865 6c6c 6f              hello`: 16 bytes a line
/// in groups of two, the address `base` + the line's start, as wabt writes
/// data segments (`-x`, prefix `  - `) and section contents (`-s`).
pub(super) fn hexdump(out: &mut String, prefix: &str, data: &[u8], base: u64) {
    for (i, chunk) in data.chunks(16).enumerate() {
        let addr = base.wrapping_add(i as u64 * 16);
        let mut hex = String::new();
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => {
                    let _ = write!(hex, "{b:02x}");
                }
                None => hex.push_str("  "),
            }
            if j % 2 == 1 {
                hex.push(' ');
            }
        }
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '.'
                }
            })
            .collect();
        let _ = writeln!(out, "{prefix}{addr:07x}: {hex} {ascii}");
    }
}
