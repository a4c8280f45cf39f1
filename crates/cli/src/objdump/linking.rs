//! The sections of relocatable object files (the tool conventions'
//! `Linking.md`, as clang and wasm-ld write them): `linking` (symbol table,
//! segment info, init functions, comdats) and `reloc.*`, shown by `-x` as
//! wasm-objdump 1.0.42 shows them. Their names also name functions,
//! globals, tables, tags and data segments elsewhere (`names.rs`).

use super::raw::payload;
use std::fmt::Write;
use weft_binary::{section_name, Reader, SectionHeader};
use weft_syntax::{escape_name, Features};

/// What a symbol refers to.
pub(super) enum Target {
    Function(u32),
    /// A data symbol: (segment, offset, size) unless undefined.
    Data(Option<(u32, u32, u32)>),
    Global(u32),
    /// A section, by its index among all the file's sections.
    Section(u32),
    Tag(u32),
    Table(u32),
}

pub(super) struct Symbol {
    pub target: Target,
    pub flags: u32,
    /// The symbol's own name (empty for an import without an explicit
    /// name, and for sections).
    pub name: String,
}

/// The `linking` section, read up to the first thing that cannot be.
#[derive(Default)]
pub(super) struct Linking {
    pub symbols: Vec<Symbol>,
    /// Segment info: (name, p2align, flags).
    pub segments: Vec<(String, u32, u32)>,
    /// Init functions: (priority, symbol).
    pub inits: Vec<(u32, u32)>,
    /// Comdats: (name, entries of (kind, index)).
    pub comdats: Vec<(String, Vec<(u8, u32)>)>,
    /// Set if some subsection was not read to its end.
    pub truncated: bool,
}

const UNDEFINED: u32 = 0x10;
const EXPLICIT_NAME: u32 = 0x40;

/// Reads a `linking` section (version 2).
pub(super) fn read(bytes: &[u8], h: &SectionHeader) -> Option<Linking> {
    let mut r = Reader::new_at(payload(bytes, h)?, h.offset, Features::WASM3);
    r.read_name().ok()?;
    if r.read_u32().ok()? != 2 {
        return None;
    }
    let mut l = Linking::default();
    while !r.is_empty() {
        let Some(()) = subsection(&mut r, &mut l) else {
            l.truncated = true;
            break;
        };
    }
    Some(l)
}

fn subsection(r: &mut Reader<'_>, l: &mut Linking) -> Option<()> {
    let kind = r.read_u8().ok()?;
    let size = r.read_u32().ok()? as usize;
    let body = r.read_bytes(size).ok()?;
    let mut s = Reader::new_at(body, r.offset() - size, Features::WASM3);
    match kind {
        // WASM_SEGMENT_INFO
        5 => {
            for _ in 0..s.read_u32().ok()? {
                let name = s.read_name().ok()?.to_string();
                let (align, flags) = (s.read_u32().ok()?, s.read_u32().ok()?);
                l.segments.push((name, align, flags));
            }
        }
        // WASM_INIT_FUNCS
        6 => {
            for _ in 0..s.read_u32().ok()? {
                l.inits.push((s.read_u32().ok()?, s.read_u32().ok()?));
            }
        }
        // WASM_COMDAT_INFO
        7 => {
            for _ in 0..s.read_u32().ok()? {
                let name = s.read_name().ok()?.to_string();
                s.read_u32().ok()?;
                let mut entries = Vec::new();
                for _ in 0..s.read_u32().ok()? {
                    entries.push((s.read_u8().ok()?, s.read_u32().ok()?));
                }
                l.comdats.push((name, entries));
            }
        }
        // WASM_SYMBOL_TABLE
        8 => {
            for _ in 0..s.read_u32().ok()? {
                l.symbols.push(symbol(&mut s)?);
            }
        }
        _ => {}
    }
    Some(())
}

fn symbol(s: &mut Reader<'_>) -> Option<Symbol> {
    let kind = s.read_u8().ok()?;
    let flags = s.read_u32().ok()?;
    let undefined = flags & UNDEFINED != 0;
    // An indexed symbol has a name of its own when it is defined, or an
    // undefined one with an explicit name.
    let named = |s: &mut Reader<'_>| -> Option<(u32, String)> {
        let index = s.read_u32().ok()?;
        let name = if !undefined || flags & EXPLICIT_NAME != 0 {
            s.read_name().ok()?.to_string()
        } else {
            String::new()
        };
        Some((index, name))
    };
    let (target, name) = match kind {
        0 => named(s).map(|(i, n)| (Target::Function(i), n))?,
        1 => {
            let name = s.read_name().ok()?.to_string();
            let place = if undefined {
                None
            } else {
                Some((s.read_u32().ok()?, s.read_u32().ok()?, s.read_u32().ok()?))
            };
            (Target::Data(place), name)
        }
        2 => named(s).map(|(i, n)| (Target::Global(i), n))?,
        3 => (Target::Section(s.read_u32().ok()?), String::new()),
        4 => named(s).map(|(i, n)| (Target::Tag(i), n))?,
        5 => named(s).map(|(i, n)| (Target::Table(i), n))?,
        _ => return None,
    };
    Some(Symbol {
        target,
        flags,
        name,
    })
}

/// The names wasm-objdump gives to entities, by index space, that the
/// details need from elsewhere (`names.rs`).
pub(super) struct Lookup<'a> {
    pub funcs: &'a std::collections::HashMap<u32, String>,
    pub globals: &'a std::collections::HashMap<u32, String>,
    pub tables: &'a std::collections::HashMap<u32, String>,
    pub tags: &'a std::collections::HashMap<u32, String>,
    pub datas: &'a std::collections::HashMap<u32, String>,
    /// Every section's name, by its index in the file.
    pub sections: Vec<String>,
}

impl Lookup<'_> {
    fn get(map: &std::collections::HashMap<u32, String>, i: u32) -> &str {
        map.get(&i).map_or("", String::as_str)
    }

    /// What wasm-objdump calls symbol `i`.
    fn symbol_name(&self, l: &Linking, i: u32) -> String {
        let Some(s) = l.symbols.get(i as usize) else {
            return "<illegal_symbol_index>".into();
        };
        match s.target {
            Target::Function(f) => Self::get(self.funcs, f).into(),
            Target::Data(_) => esc(&s.name),
            Target::Global(g) => Self::get(self.globals, g).into(),
            Target::Section(x) => self.section(x),
            Target::Tag(t) => Self::get(self.tags, t).into(),
            Target::Table(t) => Self::get(self.tables, t).into(),
        }
    }

    fn section(&self, i: u32) -> String {
        self.sections.get(i as usize).cloned().unwrap_or_default()
    }
}

fn esc(s: &str) -> String {
    escape_name(s).to_string()
}

/// The details of a `linking` section, as `-x` prints them.
pub(super) fn print(out: &mut String, l: &Linking, names: &Lookup<'_>) {
    if !l.symbols.is_empty() {
        let _ = writeln!(out, "  - symbol table [count={}]", l.symbols.len());
    }
    for (i, s) in l.symbols.iter().enumerate() {
        let own = |fallback: &str| {
            if s.name.is_empty() {
                fallback.to_string()
            } else {
                esc(&s.name)
            }
        };
        let _ = match s.target {
            Target::Function(f) => write!(
                out,
                "   - {i}: F <{}> func={f}",
                own(Lookup::get(names.funcs, f))
            ),
            Target::Data(place) => {
                let _ = write!(out, "   - {i}: D <{}>", esc(&s.name));
                match place {
                    Some((seg, off, size)) => {
                        write!(out, " segment={seg} offset={off} size={size}")
                    }
                    None => Ok(()),
                }
            }
            Target::Global(g) => write!(
                out,
                "   - {i}: G <{}> global={g}",
                own(Lookup::get(names.globals, g))
            ),
            Target::Section(x) => write!(out, "   - {i}: S <{}> section={x}", names.section(x)),
            Target::Tag(t) => write!(
                out,
                "   - {i}: E <{}> tag={t}",
                own(Lookup::get(names.tags, t))
            ),
            Target::Table(t) => write!(
                out,
                "   - {i}: T <{}> table={t}",
                own(Lookup::get(names.tables, t))
            ),
        };
        symbol_flags(out, s.flags);
    }
    if !l.segments.is_empty() {
        let _ = writeln!(out, "  - segment info [count={}]", l.segments.len());
    }
    for (i, (name, align, flags)) in l.segments.iter().enumerate() {
        let _ = write!(out, "   - {i}: {} p2align={align} [", esc(name));
        let mut f = *flags;
        for (bit, word) in [(1, "STRINGS"), (2, "TLS")] {
            if f & bit != 0 {
                let _ = write!(out, " {word}");
                f &= !bit;
            }
        }
        if f != 0 {
            let _ = write!(out, " unknown_flags={f:#x}");
        }
        out.push_str(" ]\n");
    }
    if !l.inits.is_empty() {
        let _ = writeln!(out, "  - init functions [count={}]", l.inits.len());
    }
    for &(priority, sym) in &l.inits {
        let _ = write!(out, "   - {sym}: priority={priority}");
        let name = names.symbol_name(l, sym);
        if !name.is_empty() {
            let _ = write!(out, " <{name}>");
        }
        out.push('\n');
    }
    if !l.comdats.is_empty() {
        let _ = writeln!(out, "  - comdat groups [count={}]", l.comdats.len());
    }
    for (name, entries) in &l.comdats {
        let _ = writeln!(out, "   - {}: [count={}]", esc(name), entries.len());
        for &(kind, index) in entries {
            let (word, map) = match kind {
                0 => ("segment", names.datas),
                _ => ("func", names.funcs),
            };
            let _ = write!(out, "    - {word}[{index}]");
            if let Some(n) = map.get(&index) {
                let _ = write!(out, " <{n}>");
            }
            out.push('\n');
        }
    }
}

/// ` [ flags binding=... vis=... ]` of a symbol.
fn symbol_flags(out: &mut String, flags: u32) {
    let binding = match flags & 3 {
        0 => "global",
        1 => "weak",
        2 => "local",
        _ => "unknown",
    };
    let vis = if flags & 4 != 0 { "hidden" } else { "default" };
    let mut f = flags & !7;
    out.push_str(" [");
    for (bit, word) in [
        (UNDEFINED, "undefined"),
        (0x20, "exported"),
        (EXPLICIT_NAME, "explicit_name"),
        (0x80, "no_strip"),
        (0x100, "tls"),
    ] {
        if f & bit != 0 {
            let _ = write!(out, " {word}");
            f &= !bit;
        }
    }
    if f != 0 {
        let _ = write!(out, " unknown_flags={f:#x}");
    }
    let _ = writeln!(out, " binding={binding} vis={vis} ]");
}

/// The relocation types' names (`R_WASM_*`, by number) and whether an
/// entry of the type has an addend.
const RELOCS: &[(&str, bool)] = &[
    ("R_WASM_FUNCTION_INDEX_LEB", false),
    ("R_WASM_TABLE_INDEX_SLEB", false),
    ("R_WASM_TABLE_INDEX_I32", false),
    ("R_WASM_MEMORY_ADDR_LEB", true),
    ("R_WASM_MEMORY_ADDR_SLEB", true),
    ("R_WASM_MEMORY_ADDR_I32", true),
    ("R_WASM_TYPE_INDEX_LEB", false),
    ("R_WASM_GLOBAL_INDEX_LEB", false),
    ("R_WASM_FUNCTION_OFFSET_I32", true),
    ("R_WASM_SECTION_OFFSET_I32", true),
    ("R_WASM_TAG_INDEX_LEB", false),
    ("R_WASM_MEMORY_ADDR_REL_SLEB", true),
    ("R_WASM_TABLE_INDEX_REL_SLEB", false),
    ("R_WASM_GLOBAL_INDEX_I32", false),
    ("R_WASM_MEMORY_ADDR_LEB64", true),
    ("R_WASM_MEMORY_ADDR_SLEB64", true),
    ("R_WASM_MEMORY_ADDR_I64", true),
    ("R_WASM_MEMORY_ADDR_REL_SLEB64", true),
    ("R_WASM_TABLE_INDEX_SLEB64", false),
    ("R_WASM_TABLE_INDEX_I64", false),
    ("R_WASM_TABLE_NUMBER_LEB", false),
    ("R_WASM_MEMORY_ADDR_TLS_SLEB", true),
    ("R_WASM_FUNCTION_OFFSET_I64", true),
    ("R_WASM_MEMORY_ADDR_LOCREL_I32", true),
    ("R_WASM_TABLE_INDEX_REL_SLEB64", false),
    ("R_WASM_MEMORY_ADDR_TLS_SLEB64", true),
    ("R_WASM_FUNCTION_INDEX_I32", false),
];

/// The entries of relocation section `h`, as `-x` prints them. The file
/// offsets are wasm-objdump's: from the start of the target section for a
/// known section, and, for a custom one, from the start of the reloc
/// section itself (wabt keeps one start for all custom sections, the last
/// one begun).
pub(super) fn print_relocs(
    out: &mut String,
    bytes: &[u8],
    h: &SectionHeader,
    headers: &[SectionHeader],
    l: Option<&Linking>,
    names: &Lookup<'_>,
) {
    let Some(data) = payload(bytes, h) else {
        return;
    };
    let mut r = Reader::new_at(data, h.offset, Features::WASM3);
    let empty = Linking::default();
    let l = l.unwrap_or(&empty);
    let _ = (|| -> Option<()> {
        r.read_name().ok()?;
        let section = r.read_u32().ok()?;
        let count = r.read_u32().ok()?;
        let target = headers.get(section as usize);
        let _ = writeln!(
            out,
            "  - relocations for section: {section} ({}) [{count}]",
            names.section(section)
        );
        let start = match target {
            Some(t) if t.id != 0 => t.offset,
            _ => h.offset,
        };
        for _ in 0..count {
            let ty = r.read_u8().ok()?;
            let offset = r.read_u32().ok()?;
            let index = r.read_u32().ok()?;
            let (name, has_addend) = RELOCS
                .get(ty as usize)
                .copied()
                .unwrap_or(("<unknown>", false));
            let addend = if has_addend {
                r.read_i64().ok()? as i32
            } else {
                0
            };
            let _ = write!(
                out,
                "   - {name:<18} offset={}(file={}) ",
                c_alt_hex(offset as usize),
                c_alt_hex(start + offset as usize)
            );
            if ty == 6 {
                let _ = write!(out, "type={index}");
            } else {
                let _ = write!(out, "symbol={index} <{}>", names.symbol_name(l, index));
            }
            if addend != 0 {
                let sign = if addend < 0 { '-' } else { '+' };
                let _ = write!(out, "{sign}{:#x}", addend.unsigned_abs());
            }
            out.push('\n');
        }
        Some(())
    })();
}

/// `v` as C's `printf("%#08x")` writes it: `0x` and six digits, but a
/// zero as eight digits without the prefix.
fn c_alt_hex(v: usize) -> String {
    if v == 0 {
        "00000000".into()
    } else {
        format!("{v:#08x}")
    }
}

/// Every section's name as wasm-objdump names them: the known ones by
/// their kind (`Code`), custom ones by their name.
pub(super) fn section_names(headers: &[SectionHeader]) -> Vec<String> {
    headers
        .iter()
        .map(|h| match (&h.name, h.id) {
            (Some(n), 0) => esc(n),
            (_, id) => section_name(id).unwrap_or("").to_string(),
        })
        .collect()
}
