//! `weft addr2line` (module offsets to functions and source locations, as
//! `wasm-tools addr2line`) and `weft strip` (custom sections removed, as
//! `wasm-strip` and `wasm-tools strip`).

use std::fmt::Write;

/// An offset as given on the command line: decimal or `0x` hex.
pub(crate) fn parse_offset(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("`{s}`: expected an offset, decimal or 0x hex"))
}

/// One line per offset (of the module's binary, or of the code section's
/// contents with `code_relative`): the function that holds it and the
/// source location, then one indented line per function it was inlined
/// into. Returns the text and whether every offset was inside a function.
pub(crate) fn addr2line(
    bytes: &[u8],
    module: &weft::Module,
    offsets: &[u64],
    code_relative: bool,
) -> (String, bool) {
    let code_start = if code_relative {
        code_section_start(bytes)
    } else {
        Some(0)
    };
    let mut out = String::new();
    let mut all = true;
    for &offset in offsets {
        let at = code_start.and_then(|s| usize::try_from(offset).ok()?.checked_add(s));
        let Some(frame) = at.and_then(|at| module.frame_at(at)) else {
            let _ = writeln!(out, "{offset:#x}: not inside a function body");
            all = false;
            continue;
        };
        let name = match frame.demangled_name() {
            Some(n) => weft_syntax::escape_name(&n).to_string(),
            None => format!("<wasm function {}>", frame.func_index),
        };
        let _ = write!(out, "{offset:#x}: ");
        if frame.symbols().is_empty() {
            let _ = writeln!(out, "{name}");
        }
        for (i, s) in frame.symbols().iter().enumerate() {
            if i > 0 {
                let _ = write!(out, "{:width$}  ", "", width = format!("{offset:#x}").len());
            }
            let symbol_name = s
                .demangled_name()
                .map(|n| weft_syntax::escape_name(&n).to_string());
            let _ = write!(out, "{}", symbol_name.as_deref().unwrap_or(&name));
            let file = s.file().map(|f| weft_syntax::escape_name(f).to_string());
            let _ = write!(out, " {}", file.as_deref().unwrap_or("??"));
            if let Some(line) = s.line() {
                let _ = write!(out, ":{line}");
                if let Some(col) = s.column() {
                    let _ = write!(out, ":{col}");
                }
            }
            out.push('\n');
        }
    }
    (out, all)
}

/// A section of a binary module.
struct Section<'a> {
    id: u8,
    /// The whole section, header included.
    bytes: &'a [u8],
    /// A custom section's name.
    name: Option<&'a str>,
    /// Where its contents start in the module.
    contents: usize,
}

/// The sections of a binary module, `None` if their headers do not read.
fn sections(bytes: &[u8]) -> Option<Vec<Section<'_>>> {
    let mut r = weft_binary::Reader::new(bytes.get(8..)?, weft_syntax::Features::WASM3);
    let mut out = Vec::new();
    while !r.is_empty() {
        let start = 8 + r.position();
        let id = r.read_u8().ok()?;
        let size = r.read_size().ok()?;
        let contents = 8 + r.position();
        let body = r.read_bytes(size).ok()?;
        let name = if id == 0 {
            let mut c = weft_binary::Reader::new(body, weft_syntax::Features::WASM3);
            Some(c.read_name().ok()?)
        } else {
            None
        };
        out.push(Section {
            id,
            bytes: &bytes[start..contents + size],
            name,
            contents,
        });
    }
    Some(out)
}

/// The offset in the binary where the code section's contents start.
fn code_section_start(bytes: &[u8]) -> Option<usize> {
    sections(bytes)?
        .into_iter()
        .find(|s| s.id == 10)
        .map(|s| s.contents)
}

/// The module without its custom sections, but those named in `keep`;
/// every other byte stays as it was. Also the names of the sections
/// removed. `None` if the section headers do not read.
pub(crate) fn strip(bytes: &[u8], keep: &[String]) -> Option<(Vec<u8>, Vec<String>)> {
    let sections = sections(bytes)?;
    let mut out = bytes[..8].to_vec();
    let mut removed = Vec::new();
    for s in sections {
        match s.name {
            Some(n) if !keep.iter().any(|k| k == n) => removed.push(n.to_string()),
            _ => out.extend_from_slice(s.bytes),
        }
    }
    Some((out, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("0x1a"), Ok(26));
        assert_eq!(parse_offset("26"), Ok(26));
        assert!(parse_offset("x").is_err());
    }

    #[test]
    fn strips_custom_sections_but_kept_ones() {
        let module = [
            0, b'a', b's', b'm', 1, 0, 0, 0, //
            0, 3, 2, b'a', b'b', // custom "ab", empty
            1, 4, 1, 0x60, 0, 0, // type section
            0, 4, 1, b'c', 7, 7, // custom "c", two bytes
        ];
        let (out, removed) = strip(&module, &[]).unwrap();
        assert_eq!(out, [&module[..8], &module[13..19]].concat());
        assert_eq!(removed, ["ab", "c"]);
        let (out, removed) = strip(&module, &["c".to_string()]).unwrap();
        assert_eq!(out, [&module[..8], &module[13..]].concat());
        assert_eq!(removed, ["ab"]);
        assert!(strip(&module[..15], &[]).is_none());
    }
}
