//! Source locations for backtraces: where each function body sits in the
//! module's binary, and the module's DWARF (`.debug_*` custom sections),
//! read with `addr2line`/`gimli` the first time a frame is symbolised.
//!
//! DWARF for Wasm addresses code by its offset from the start of the code
//! section's contents, so a frame's offset in the module (what
//! [`crate::FrameInfo::module_offset`] reports) is turned into that before
//! the lookup. DWARF comes from the module, so it is untrusted: any error
//! `gimli` reports makes the frame "no location", never a panic.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock};

/// The reader over the copied DWARF sections: `Arc`-backed so that the
/// context owns its data and can live in the (shared) module.
type Reader = gimli::EndianArcSlice<gimli::LittleEndian>;

/// Where the code sits in a module's binary: the start of the code
/// section's contents and of each function body (after its size), as
/// absolute file offsets.
#[derive(Default)]
pub(crate) struct CodeLayout {
    pub(crate) code_start: usize,
    pub(crate) body_starts: Box<[usize]>,
}

impl CodeLayout {
    /// Reads the section headers of a module binary that has decoded: the
    /// code section and the sizes of its entries. `None` without a code
    /// section (or if the headers do not read, which a decoded module
    /// rules out).
    pub(crate) fn of(bytes: &[u8]) -> Option<CodeLayout> {
        let mut pos = 8;
        while pos < bytes.len() {
            let id = bytes[pos];
            let (size, n) = leb_u32(bytes.get(pos + 1..)?)?;
            let start = pos + 1 + n;
            let end = start.checked_add(size as usize)?;
            if id == 10 {
                let mut at = start;
                let (count, n) = leb_u32(bytes.get(at..end)?)?;
                at += n;
                let mut body_starts = Vec::with_capacity(count.min(1 << 20) as usize);
                for _ in 0..count {
                    let (size, n) = leb_u32(bytes.get(at..end)?)?;
                    body_starts.push(at + n);
                    at = (at + n).checked_add(size as usize)?;
                }
                return Some(CodeLayout {
                    code_start: start,
                    body_starts: body_starts.into_boxed_slice(),
                });
            }
            pos = end;
        }
        None
    }
}

/// An unsigned LEB128 `u32` and its length in bytes.
fn leb_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut v: u64 = 0;
    for (i, &b) in bytes.iter().take(5).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((u32::try_from(v).ok()?, i + 1));
        }
    }
    None
}

/// One source location of a frame (DWARF): the function there and its
/// file, line and column. An inlined call gives several, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSymbol {
    name: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
}

impl FrameSymbol {
    /// The function's name as DWARF gives it (usually mangled for Rust
    /// and C++; see [`FrameSymbol::demangled_name`]).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The function's name, demangled if it is a Rust or C++ symbol.
    pub fn demangled_name(&self) -> Option<Cow<'_, str>> {
        self.name.as_deref().map(demangle)
    }

    /// The source file, as the compiler recorded it (with its directory).
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The line, from 1.
    pub fn line(&self) -> Option<u32> {
        self.line
    }

    /// The column, from 1 (DWARF's 0, "the left edge", is `None`).
    pub fn column(&self) -> Option<u32> {
        self.column
    }
}

/// A module's DWARF, parsed on first use.
#[derive(Default)]
pub(crate) struct Dwarf {
    /// The context (behind a lock: `addr2line` fills its caches through
    /// shared references, so it is `Send` but not `Sync`), or `None` if the
    /// module has no usable DWARF.
    context: OnceLock<Option<Mutex<addr2line::Context<Reader>>>>,
}

impl Dwarf {
    /// The source locations of the instruction at `code_offset` (from the
    /// start of the code section's contents), innermost inlined function
    /// first; empty without DWARF or if the DWARF does not say.
    pub(crate) fn symbols(
        &self,
        customs: &[weft_syntax::Custom<'_>],
        code_offset: u64,
    ) -> Vec<FrameSymbol> {
        let context = self.context.get_or_init(|| load(customs).map(Mutex::new));
        let Some(context) = context else {
            return Vec::new();
        };
        // A panic elsewhere while the lock was held cannot leave the
        // context inconsistent (lookups only fill caches).
        let context = context.lock().unwrap_or_else(|e| e.into_inner());
        lookup(&context, code_offset).unwrap_or_default()
    }
}

/// The DWARF sections of `customs` as an `addr2line` context, or `None`
/// without `.debug_info` or if it does not parse.
fn load(customs: &[weft_syntax::Custom<'_>]) -> Option<addr2line::Context<Reader>> {
    if !customs.iter().any(|c| c.name == ".debug_info") {
        return None;
    }
    let section = |id: gimli::SectionId| -> Result<Reader, gimli::Error> {
        // The last section of a name counts, as for the name section.
        let data: &[u8] = customs
            .iter()
            .rev()
            .find(|c| c.name == id.name())
            .map_or(&[][..], |c| &c.data[..]);
        Ok(Reader::new(Arc::from(data), gimli::LittleEndian))
    };
    let dwarf = gimli::Dwarf::load(section).ok()?;
    addr2line::Context::from_dwarf(dwarf).ok()
}

fn lookup(
    context: &addr2line::Context<Reader>,
    code_offset: u64,
) -> Result<Vec<FrameSymbol>, gimli::Error> {
    let mut frames = context.find_frames(code_offset).skip_all_loads()?;
    let mut out = Vec::new();
    // Inlined frames are few; the bound keeps a DWARF loop finite.
    while out.len() < 64 {
        let Some(frame) = frames.next()? else { break };
        let name = match &frame.function {
            Some(f) => Some(f.raw_name()?.into_owned()),
            None => None,
        };
        let (file, line, column) = match frame.location {
            Some(l) => (l.file.map(str::to_string), l.line, l.column),
            None => (None, None, None),
        };
        out.push(FrameSymbol {
            name,
            file,
            line,
            column: column.filter(|&c| c != 0),
        });
    }
    Ok(out)
}

/// `name` demangled if it is a Rust (legacy `_ZN...E` or v0 `_R...`) or
/// C++ (Itanium `_Z...`) symbol, else as it is.
pub(crate) fn demangle(name: &str) -> Cow<'_, str> {
    if let Ok(d) = rustc_demangle::try_demangle(name) {
        // `{:#}` leaves out the hash suffix of legacy symbols.
        return Cow::Owned(format!("{d:#}"));
    }
    if name.starts_with("_Z") {
        if let Ok(sym) = cpp_demangle::Symbol::new(name) {
            if let Ok(d) = sym.demangle() {
                return Cow::Owned(d);
            }
        }
    }
    Cow::Borrowed(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demangles_rust_and_cpp() {
        assert_eq!(
            demangle("_ZN4core9panicking5panic17h0123456789abcdefE"),
            "core::panicking::panic"
        );
        assert_eq!(demangle("_RNvCs1234_7mycrate3foo"), "mycrate::foo");
        assert_eq!(demangle("_ZN3foo3barEv"), "foo::bar()");
        assert_eq!(demangle("main"), "main");
        assert_eq!(demangle("_Z"), "_Z");
    }

    #[test]
    fn layout_of_a_module() {
        // Type section (one `() -> ()`), function section, code section
        // with two empty bodies.
        let bytes = [
            0, b'a', b's', b'm', 1, 0, 0, 0, //
            1, 4, 1, 0x60, 0, 0, //
            3, 3, 2, 0, 0, //
            10, 7, 2, 2, 0, 0x0b, 2, 0, 0x0b,
        ];
        let l = CodeLayout::of(&bytes).unwrap();
        assert_eq!(l.code_start, 21);
        assert_eq!(&*l.body_starts, &[23, 26]);
        assert!(CodeLayout::of(&bytes[..24]).is_none());
    }

    #[test]
    fn malformed_dwarf_is_no_location() {
        let customs = [weft_syntax::Custom {
            name: ".debug_info".into(),
            data: vec![0xff; 40].into(),
            place: weft_syntax::CustomPlace::First,
        }];
        assert!(Dwarf::default().symbols(&customs, 0).is_empty());
    }
}
