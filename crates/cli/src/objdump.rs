//! `weft objdump`: the contents of a binary module as wabt's
//! `wasm-objdump` (1.0.42) prints them, line for line.
//!
//! - `-h`: one line per section with its payload's start and end offsets,
//!   size and element count;
//! - `-x`: the details of every section;
//! - `-d`: every function body, one instruction per line with its absolute
//!   offset, its raw bytes and wabt's rendering (see [`disasm`]);
//! - `-s`: the raw bytes of every section;
//! - `-j NAME`: only the section NAME (`Code`, `Export`, a custom section's
//!   name; case-insensitive) in `-x` and `-s`. As in wabt, `-h` still lists
//!   every section and `-d` every body, and a name that matches no section
//!   is an error after the output.
//!
//! The decoded [`Module`] gives the contents; the byte layout that only the
//! binary has (section and body offsets, the sizes of bodies, the encoding of
//! each local declaration and instruction) is read again from the bytes with
//! the binary crate's [`Reader`]. A malformed body is shown up to the error,
//! followed by an `error:` line; nothing here panics on input.

mod disasm;
mod hexfloat;
mod linking;
mod names;
mod raw;

use hexfloat::{hex_f32, hex_f64};
use names::{label, Names};
use std::fmt::Write;
use std::path::Path;
use weft_binary::{section_headers, section_id, section_name, Reader, SectionHeader};
use weft_syntax::{
    escape_name, AddrType, CompositeType, DataMode, ElemItems, ElemMode, ExportDesc, Expr,
    Features, FieldType, FuncType, GlobalType, ImportDesc, Instr, Limits, MemType, Module, Mut,
    RefType, SubType, TableType, ValType,
};

/// What to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Section headers (`-h`).
    pub headers: bool,
    /// Details of every section (`-x`).
    pub details: bool,
    /// Disassembly of every function body (`-d`).
    pub disassemble: bool,
    /// Raw contents of every section (`-s`).
    pub full_contents: bool,
    /// Only this section in `-x` and `-s` (`-j`).
    pub section: Option<String>,
}

/// What `dump` printed, and the error to report after it (a `-j` name
/// that matches no section).
pub struct Dump {
    pub text: String,
    pub error: Option<String>,
}

/// Dumps a binary module. `bytes` is the file, `module` its decoding.
/// Fails only if the section layout cannot be read (which a successfully
/// decoded module rules out).
pub fn dump(
    path: &Path,
    bytes: &[u8],
    module: &Module<'_>,
    features: Features,
    opts: &Options,
) -> Result<Dump, String> {
    let headers = section_headers(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let linking = headers
        .iter()
        .position(|h| h.id == 0 && h.name.as_deref() == Some("linking"))
        .and_then(|i| Some((i, linking::read(bytes, &headers[i])?)));
    let mut names = Names::new(module);
    if let Some((at, l)) = &linking {
        // Names come from every source in file order, the later winning:
        // the name section (applied by `Names::new`) only wins over a
        // `linking` section it follows.
        let name_at = headers
            .iter()
            .position(|h| h.id == 0 && h.name.as_deref() == Some("name"));
        names.apply_linking(l);
        if name_at.is_some_and(|n| n > *at) {
            names.apply_name_section(module);
        }
    }
    let d = Dumper {
        bytes,
        module,
        features,
        headers: &headers,
        names,
        section: opts.section.as_deref(),
        linking: linking.map(|(_, l)| l),
    };
    let mut out = String::new();
    // wabt names the file by its base name.
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_else(|| path.to_string_lossy());
    let _ = writeln!(out, "\n{base}:\tfile format wasm 0x1");
    // wasm-objdump names the module under the header in every mode.
    if let Some(name) = &module.names.module {
        let _ = writeln!(out, "module name: <{}>", escape_name(name));
    }
    if opts.headers {
        d.section_headers(&mut out);
    }
    if opts.details {
        d.details(&mut out);
    }
    if opts.disassemble {
        d.disassemble(&mut out);
    }
    if opts.full_contents {
        d.contents(&mut out);
    }
    let error = match opts.section.as_deref() {
        Some(s) if !headers.iter().any(|h| d.selected(h)) => {
            Some(format!("Section not found: {s}"))
        }
        _ => None,
    };
    Ok(Dump { text: out, error })
}

/// `(index, name)` pairs of a name map.
fn pairs<'n, I: Copy + Into<u32>>(
    map: &'n [(I, std::borrow::Cow<'_, str>)],
) -> Vec<(u32, &'n str)> {
    map.iter().map(|(i, n)| ((*i).into(), n.as_ref())).collect()
}

/// The layout of one function body in the code section.
struct BodyLayout<'b> {
    /// Absolute offset of the body (its local declarations).
    offset: usize,
    /// The body's bytes.
    bytes: &'b [u8],
}

struct Dumper<'d, 'a> {
    bytes: &'d [u8],
    module: &'d Module<'a>,
    features: Features,
    headers: &'d [SectionHeader],
    names: Names,
    /// `-j`: the one section to show.
    section: Option<&'d str>,
    /// The `linking` section of an object file.
    linking: Option<linking::Linking>,
}

impl Dumper<'_, '_> {
    /// The names the object-file sections refer to.
    fn lookup(&self) -> linking::Lookup<'_> {
        linking::Lookup {
            funcs: &self.names.funcs,
            globals: &self.names.globals,
            tables: &self.names.tables,
            tags: &self.names.tags,
            datas: &self.names.datas,
            sections: linking::section_names(self.headers),
        }
    }

    fn imported(&self, pred: impl Fn(&ImportDesc) -> bool) -> usize {
        self.module.imports.iter().filter(|i| pred(&i.desc)).count()
    }

    fn num_imported_funcs(&self) -> usize {
        self.imported(|d| matches!(d, ImportDesc::Func(_)))
    }

    /// ` <name>` for a function that has a name.
    fn func_label(&self, f: u32) -> String {
        label(&self.names.funcs, f)
    }

    /// Whether `-j` selects section `h` (every section without `-j`).
    fn selected(&self, h: &SectionHeader) -> bool {
        let Some(want) = self.section else {
            return true;
        };
        let name = match (h.id, &h.name) {
            (section_id::CUSTOM, Some(n)) => n.as_str(),
            _ => section_name(h.id).unwrap_or(""),
        };
        name.eq_ignore_ascii_case(want)
    }

    /// `-s`: every (selected) section's payload.
    fn contents(&self, out: &mut String) {
        for h in self.headers.iter().filter(|h| self.selected(h)) {
            let name = section_name(h.id).unwrap_or("Unknown");
            let _ = writeln!(out, "\nContents of section {name}:");
            let data = raw::payload(self.bytes, h).unwrap_or_default();
            raw::hexdump(out, "", data, h.offset as u64);
        }
    }

    fn section_headers(&self, out: &mut String) {
        out.push_str("\nSections:\n\n");
        for h in self.headers {
            let name = section_name(h.id).unwrap_or("Unknown");
            let _ = write!(
                out,
                "{name:>9} start=0x{:08x} end=0x{:08x} (size=0x{:08x})",
                h.offset,
                h.offset.saturating_add(h.size),
                h.size
            );
            match (h.id, &h.name, h.count) {
                (section_id::CUSTOM, Some(n), _) => {
                    let _ = write!(out, " \"{}\"", escape_name(n));
                }
                (section_id::START, _, _) => {
                    if let Some(f) = self.module.start {
                        let _ = write!(out, " start: {}", f.0);
                    }
                }
                (_, _, Some(c)) => {
                    let _ = write!(out, " count: {c}");
                }
                _ => {}
            }
            out.push('\n');
        }
    }

    /// Every function body of the code section, as laid out in the bytes.
    fn body_layouts(&self) -> Result<Vec<BodyLayout<'_>>, String> {
        let Some(h) = self.headers.iter().find(|h| h.id == section_id::CODE) else {
            return Ok(Vec::new());
        };
        let payload = h
            .offset
            .checked_add(h.size)
            .and_then(|end| self.bytes.get(h.offset..end))
            .ok_or("code section out of bounds")?;
        let mut r = Reader::new_at(payload, h.offset, self.features);
        let count = r.read_len(1).map_err(|e| e.to_string())?;
        let mut bodies = Vec::new();
        for _ in 0..count {
            let size = r.read_u32().map_err(|e| e.to_string())?;
            let offset = r.offset();
            let bytes = r.read_bytes(size as usize).map_err(|e| e.to_string())?;
            bodies.push(BodyLayout { offset, bytes });
        }
        Ok(bodies)
    }

    fn details(&self, out: &mut String) {
        out.push_str("\nSection Details:\n\n");
        for h in self.headers.iter().filter(|h| self.selected(h)) {
            match h.id {
                section_id::TYPE => self.types(out),
                section_id::IMPORT => self.imports(out),
                section_id::FUNCTION => self.functions(out),
                section_id::TABLE => self.tables(out),
                section_id::MEMORY => self.memories(out),
                section_id::TAG => self.tags(out),
                section_id::GLOBAL => self.globals(out),
                section_id::EXPORT => self.exports(out),
                section_id::START => self.start(out),
                section_id::ELEMENT => self.elems(out, h),
                section_id::DATA_COUNT => {
                    out.push_str("DataCount:\n");
                    let _ = writeln!(out, " - data count: {}", h.count.unwrap_or(0));
                }
                section_id::CODE => self.code(out),
                section_id::DATA => self.datas(out),
                section_id::CUSTOM => self.custom(out, h),
                _ => {}
            }
        }
    }

    fn types(&self, out: &mut String) {
        let _ = writeln!(out, "Type[{}]:", self.module.types.len());
        for (i, t) in self.module.types.iter().enumerate() {
            let _ = writeln!(out, " - type[{i}] {}", sub_type(t));
        }
    }

    fn imports(&self, out: &mut String) {
        let _ = writeln!(out, "Import[{}]:", self.module.imports.len());
        let (mut funcs, mut tables, mut mems, mut globals) = (0u32, 0u32, 0u32, 0u32);
        let mut tags = 0u32;
        for imp in &self.module.imports {
            let _ = match imp.desc {
                ImportDesc::Func(t) => {
                    let label = self.func_label(funcs);
                    funcs = funcs.saturating_add(1);
                    let exact = if imp.exact { " exact" } else { "" };
                    write!(out, " - func[{}] sig={}{exact}{label}", funcs - 1, t.0)
                }
                ImportDesc::Table(t) => {
                    tables = tables.saturating_add(1);
                    write!(out, " - table[{}] {}", tables - 1, table_type(&t))
                }
                ImportDesc::Memory(m) => {
                    mems = mems.saturating_add(1);
                    write!(out, " - memory[{}] {}", mems - 1, pages(&m))
                }
                ImportDesc::Global(g) => {
                    globals = globals.saturating_add(1);
                    write!(out, " - global[{}] {}", globals - 1, global_type(&g))
                }
                ImportDesc::Tag(t) => {
                    tags = tags.saturating_add(1);
                    let name = label(&self.names.tags, tags - 1);
                    write!(out, " - tag[{}] sig={}{name}", tags - 1, t.ty.0)
                }
            };
            let _ = writeln!(
                out,
                " <- {}.{}",
                escape_name(&imp.module),
                escape_name(&imp.name)
            );
        }
    }

    fn functions(&self, out: &mut String) {
        let _ = writeln!(out, "Function[{}]:", self.module.funcs.len());
        let base = self.num_imported_funcs();
        for (k, t) in self.module.funcs.iter().enumerate() {
            let f = base.saturating_add(k);
            let label = self.func_label(f as u32);
            let _ = writeln!(out, " - func[{f}] sig={}{label}", t.0);
        }
    }

    fn tables(&self, out: &mut String) {
        let _ = writeln!(out, "Table[{}]:", self.module.tables.len());
        let base = self.imported(|d| matches!(d, ImportDesc::Table(_)));
        for (k, t) in self.module.tables.iter().enumerate() {
            let i = base + k;
            let name = label(&self.names.named_tables, i as u32);
            let _ = writeln!(out, " - table[{i}] {}{name}", table_type(&t.ty));
        }
    }

    fn memories(&self, out: &mut String) {
        let _ = writeln!(out, "Memory[{}]:", self.module.mems.len());
        let base = self.imported(|d| matches!(d, ImportDesc::Memory(_)));
        for (k, m) in self.module.mems.iter().enumerate() {
            let _ = writeln!(out, " - memory[{}] {}", base + k, pages(m));
        }
    }

    fn tags(&self, out: &mut String) {
        let _ = writeln!(out, "Tag[{}]:", self.module.tags.len());
        let base = self.imported(|d| matches!(d, ImportDesc::Tag(_)));
        for (k, t) in self.module.tags.iter().enumerate() {
            let _ = writeln!(out, " - tag[{}] sig={}", base + k, t.ty.0);
        }
    }

    fn globals(&self, out: &mut String) {
        let _ = writeln!(out, "Global[{}]:", self.module.globals.len());
        let base = self.imported(|d| matches!(d, ImportDesc::Global(_)));
        for (k, g) in self.module.globals.iter().enumerate() {
            let i = base + k;
            let _ = writeln!(
                out,
                " - global[{i}] {}{} - init {}",
                global_type(&g.ty),
                label(&self.names.defined_globals, i as u32),
                self.init(&g.init)
            );
        }
    }

    fn exports(&self, out: &mut String) {
        let _ = writeln!(out, "Export[{}]:", self.module.exports.len());
        for e in &self.module.exports {
            let _ = match e.desc {
                ExportDesc::Func(f) => write!(out, " - func[{}]{}", f.0, self.func_label(f.0)),
                ExportDesc::Table(t) => write!(out, " - table[{}]", t.0),
                ExportDesc::Memory(m) => write!(out, " - memory[{}]", m.0),
                ExportDesc::Global(g) => write!(out, " - global[{}]", g.0),
                ExportDesc::Tag(t) => write!(out, " - tag[{}]", t.0),
            };
            let _ = writeln!(out, " -> \"{}\"", escape_name(&e.name));
        }
    }

    fn start(&self, out: &mut String) {
        out.push_str("Start:\n");
        if let Some(f) = self.module.start {
            let _ = writeln!(out, " - start function: {}{}", f.0, self.func_label(f.0));
        }
    }

    /// wabt's element segments: the encoding's flags, the table (0 for
    /// passive and declarative ones), each item as `ref.func:N <name>` or
    /// its expression, numbered from the last constant offset seen (wabt
    /// keeps it across segments).
    fn elems(&self, out: &mut String, h: &SectionHeader) {
        let _ = writeln!(out, "Elem[{}]:", self.module.elems.len());
        let flags = raw::elem_flags(self.bytes, h, self.features).unwrap_or_default();
        let mut first = 0u64;
        for (k, e) in self.module.elems.iter().enumerate() {
            let flag = flags.get(k).copied().unwrap_or_else(|| derived_flags(e));
            let table = match &e.mode {
                ElemMode::Active { table, .. } => table.0,
                ElemMode::Passive | ElemMode::Declarative => 0,
            };
            let _ = write!(
                out,
                " - segment[{k}] flags={flag} table={table} count={}",
                e.items.len()
            );
            if let ElemMode::Active { offset, .. } = &e.mode {
                let _ = write!(out, " - init {}", self.init(offset));
                first = const_address(offset, self.features).unwrap_or(0);
            }
            out.push('\n');
            let mut item = |i: usize, text: String| {
                let n = first.wrapping_add(i as u64) as u32;
                let _ = writeln!(out, "  - elem[{n}] = {text}");
            };
            match &e.items {
                ElemItems::Funcs(fs) => {
                    for (i, f) in fs.iter().enumerate() {
                        item(i, format!("ref.func:{}{}", f.0, self.func_label(f.0)));
                    }
                }
                ElemItems::Exprs(xs) => {
                    for (i, x) in xs.iter().enumerate() {
                        item(i, self.init(x));
                    }
                }
            }
        }
    }

    fn code(&self, out: &mut String) {
        let _ = writeln!(out, "Code[{}]:", self.module.code.len());
        let base = self.num_imported_funcs();
        let layouts = self.body_layouts().unwrap_or_default();
        for k in 0..self.module.code.len() {
            let f = base.saturating_add(k);
            let label = self.func_label(f as u32);
            match layouts.get(k) {
                Some(b) => {
                    let _ = writeln!(out, " - func[{f}] size={}{label}", b.bytes.len());
                }
                None => {
                    let _ = writeln!(out, " - func[{f}]{label}");
                }
            }
        }
    }

    fn datas(&self, out: &mut String) {
        let _ = writeln!(out, "Data[{}]:", self.module.datas.len());
        // wabt shows a passive segment at the last constant offset seen.
        let mut base = 0u64;
        for (k, d) in self.module.datas.iter().enumerate() {
            let _ = write!(out, " - segment[{k}]{}", label(&self.names.datas, k as u32));
            match &d.mode {
                DataMode::Passive => out.push_str(" passive"),
                DataMode::Active { memory, offset } => {
                    let _ = write!(out, " memory={}", memory.0);
                    base = const_address(offset, self.features).unwrap_or(0);
                }
            }
            let _ = write!(out, " size={}", d.init.len());
            if let DataMode::Active { offset, .. } = &d.mode {
                let _ = write!(out, " - init {}", self.init(offset));
            }
            out.push('\n');
            raw::hexdump(out, "  - ", &d.init, base);
        }
    }

    fn custom(&self, out: &mut String, h: &SectionHeader) {
        out.push_str("Custom:\n");
        let name = h.name.as_deref().unwrap_or("");
        let _ = writeln!(out, " - name: \"{}\"", escape_name(name));
        if name == "name" {
            let names = &self.module.names;
            if let Some(m) = &names.module {
                let _ = writeln!(out, " - module <{}>", escape_name(m));
            }
            for (f, n) in &names.funcs {
                let _ = writeln!(out, " - func[{}] <{}>", f.0, escape_name(n));
            }
            for (f, locals) in &names.locals {
                for (l, n) in locals {
                    let _ = writeln!(out, " - func[{}] local[{}] <{}>", f.0, l.0, escape_name(n));
                }
            }
            // The extended names, with wasm-objdump's words for them.
            let spaces: [(&str, Vec<(u32, &str)>); 7] = [
                ("type", pairs(&names.types)),
                ("table", pairs(&names.tables)),
                ("memory", pairs(&names.memories)),
                ("global", pairs(&names.globals)),
                ("elemseg", pairs(&names.elems)),
                ("dataseg", pairs(&names.datas)),
                ("tag", pairs(&names.tags)),
            ];
            for (word, map) in spaces {
                for (i, n) in map {
                    let _ = writeln!(out, " - {word}[{i}] <{}>", escape_name(n));
                }
            }
        }
        if name == "target_features" {
            raw::target_features(out, self.bytes, h);
        }
        if name == "linking" {
            if let Some(l) = &self.linking {
                linking::print(out, l, &self.lookup());
            }
        }
        if name.starts_with("reloc.") {
            let lookup = self.lookup();
            linking::print_relocs(
                out,
                self.bytes,
                h,
                self.headers,
                self.linking.as_ref(),
                &lookup,
            );
        }
        // Other custom sections (DWARF, producers, ...) are summarised by
        // their name, as wasm-objdump -x does: their contents would run to
        // tens of thousands of lines.
    }

    /// The value of a constant expression as wabt shows it (`i32=5`,
    /// `global=0`), or its instructions.
    fn init(&self, e: &Expr<'_>) -> String {
        let mut r = Reader::new_at(&e.bytes, e.offset, self.features);
        let mut instrs = Vec::new();
        loop {
            match r.read_instr() {
                Ok(Instr::End {}) if r.is_empty() => break,
                Ok(i) => instrs.push(i),
                Err(err) => return format!("<error: {err}>"),
            }
        }
        if let [one] = instrs.as_slice() {
            match *one {
                Instr::I32Const { value } => return format!("i32={value}"),
                Instr::I64Const { value } => return format!("i64={value}"),
                Instr::F32Const { value } => return format!("f32={}", hex_f32(value.0)),
                Instr::F64Const { value } => return format!("f64={}", hex_f64(value.0)),
                Instr::GlobalGet { global } => {
                    let name = label(&self.names.globals, global.0);
                    return format!("global={}{name}", global.0);
                }
                Instr::RefNull { ty } => return format!("ref.null {}", RefType::null(ty)),
                Instr::RefFunc { func } => {
                    return format!("ref.func:{}{}", func.0, self.func_label(func.0))
                }
                _ => {}
            }
        }
        let texts: Vec<String> = instrs.iter().map(weft_text::print_instr).collect();
        format!("({})", texts.join(", "))
    }

    fn disassemble(&self, out: &mut String) {
        out.push_str("\nCode Disassembly:\n\n");
        let layouts = match self.body_layouts() {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
                return;
            }
        };
        let base = self.num_imported_funcs();
        for (k, b) in layouts.iter().enumerate() {
            let f = base.saturating_add(k) as u32;
            let params = self
                .module
                .funcs
                .get(k)
                .and_then(|t| self.module.types.func(*t))
                .map_or(0, |t| t.params.len() as u32);
            // wabt's header gives the offset of the body, after its size.
            let _ = writeln!(out, "{:06x} func[{f}]{}:", b.offset, self.func_label(f));
            let body = disasm::Body {
                bytes: b.bytes,
                offset: b.offset,
                func: f,
                params,
            };
            disasm::body(out, self.bytes, &self.names, &body, self.features);
        }
    }
}

/// The flags an encoder would give segment `e` (when the bytes cannot be
/// read again): the shortest form, table 0 without an explicit index.
fn derived_flags(e: &weft_syntax::Elem<'_>) -> u32 {
    let exprs = match e.items {
        ElemItems::Funcs(_) => 0,
        ElemItems::Exprs(_) => 4,
    };
    let mode = match &e.mode {
        ElemMode::Passive => 1,
        ElemMode::Declarative => 3,
        ElemMode::Active { table, .. } if table.0 != 0 => 2,
        ElemMode::Active { .. } => 0,
    };
    exprs | mode
}

/// The address of an active data segment whose offset is a constant.
fn const_address(e: &Expr<'_>, features: Features) -> Option<u64> {
    let mut r = Reader::new_at(&e.bytes, e.offset, features);
    match r.read_instr().ok()? {
        Instr::I32Const { value } => Some(u64::from(value as u32)),
        Instr::I64Const { value } => Some(value as u64),
        _ => None,
    }
}

/// A subtype as wasm-objdump shows it: the signature of a function type,
/// `struct`/`array` with the fields, `sub final? super*` before an open or
/// explicitly final type.
fn sub_type(t: &SubType) -> String {
    let field = |f: &FieldType| match f.mutability {
        Mut::Const => f.storage.to_string(),
        Mut::Var => format!("(mut {})", f.storage),
    };
    let body = match &t.composite {
        CompositeType::Func(f) => signature(f),
        CompositeType::Struct(s) => {
            let fields: Vec<String> = s.fields.iter().map(field).collect();
            format!("struct {{{}}}", fields.join(", "))
        }
        CompositeType::Array(a) => format!("array {}", field(&a.field)),
    };
    // Custom descriptors: `describes x` and `descriptor y` before the body.
    let mut clauses = String::new();
    if let Some(d) = t.describes {
        clauses.push_str(&format!("describes {d} "));
    }
    if let Some(d) = t.descriptor {
        clauses.push_str(&format!("descriptor {d} "));
    }
    let body = format!("{clauses}{body}");
    if t.is_final && t.supertypes.is_empty() {
        return body;
    }
    let mut s = String::from("sub");
    if t.is_final {
        s.push_str(" final");
    }
    for sup in &t.supertypes {
        s.push_str(&format!(" {sup}"));
    }
    format!("{s} {body}")
}

/// `(i32, i32) -> i32`, `() -> nil`, `(i64) -> (i32, i32)`.
fn signature(t: &FuncType) -> String {
    let list = |ts: &[ValType]| {
        ts.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let results = match t.results.as_slice() {
        [] => "nil".to_string(),
        [one] => one.to_string(),
        more => format!("({})", list(more)),
    };
    format!("({}) -> {results}", list(&t.params))
}

fn max_text(l: &Limits) -> String {
    match l.max {
        Some(m) => format!(" max={m}"),
        None => String::new(),
    }
}

/// `pages: initial=1 max=2 shared i64`.
fn pages(m: &MemType) -> String {
    let shared = if m.shared { " shared" } else { "" };
    let i64 = match m.addr {
        AddrType::I64 => " i64",
        AddrType::I32 => "",
    };
    format!(
        "pages: initial={}{}{shared}{i64}",
        m.limits.min,
        max_text(&m.limits)
    )
}

fn table_type(t: &TableType) -> String {
    format!(
        "type={} initial={}{}",
        t.elem,
        t.limits.min,
        max_text(&t.limits)
    )
}

fn global_type(g: &GlobalType) -> String {
    let m = match g.mutability {
        Mut::Const => 0,
        Mut::Var => 1,
    };
    format!("{} mutable={m}", g.content)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(module (func $add (param i32 i32) (result i32) local.get 0
    /// local.get 1 i32.add) (export "add" (func $add)) (memory 1)
    /// (data (i32.const 16) "hello"))`, as wabt encodes it.
    const ADD: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
        0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type
        0x03, 0x02, 0x01, 0x00, // function
        0x05, 0x03, 0x01, 0x00, 0x01, // memory
        0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, // export
        0x0a, 0x0b, 0x01, 0x09, 0x01, 0x01, 0x7f, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code
        0x0b, 0x0b, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, // data
    ];

    fn run(opts: Options) -> String {
        let module = weft_binary::decode(ADD, Features::WASM2).unwrap();
        dump(Path::new("add.wasm"), ADD, &module, Features::WASM2, &opts)
            .unwrap()
            .text
    }

    #[test]
    fn headers() {
        let out = run(Options {
            headers: true,
            ..Options::default()
        });
        assert!(
            out.contains("     Type start=0x0000000a end=0x00000011 (size=0x00000007) count: 1\n"),
            "{out}"
        );
        assert!(
            out.contains("     Code start=0x00000025 end=0x00000030 (size=0x0000000b) count: 1\n"),
            "{out}"
        );
    }

    #[test]
    fn details() {
        let out = run(Options {
            details: true,
            ..Options::default()
        });
        for line in [
            " - type[0] (i32, i32) -> i32\n",
            " - func[0] sig=0 <add>\n",
            " - memory[0] pages: initial=1\n",
            " - func[0] <add> -> \"add\"\n",
            " - func[0] size=9 <add>\n",
            " - segment[0] memory=0 size=5 - init i32=16\n",
            "  - 0000010: 6865 6c6c 6f                             hello\n",
        ] {
            assert!(out.contains(line), "{line:?} not in\n{out}");
        }
    }

    #[test]
    fn disassembly() {
        let out = run(Options {
            disassemble: true,
            ..Options::default()
        });
        let expected = "\
000027 func[0] <add>:
 000028: 01 7f                      | local[2] type=i32
 00002a: 20 00                      | local.get 0
 00002c: 20 01                      | local.get 1
 00002e: 6a                         | i32.add
 00002f: 0b                         | end
";
        assert!(out.contains(expected), "{out}");
    }

    /// Custom descriptors: the details show descriptor clauses, exact
    /// types and exact imports; the disassembly the new instructions.
    #[test]
    fn custom_descriptors() {
        let features = Features::from_name("3.0,custom-descriptors").expect("a feature set");
        let wat = r#"(module
            (type $f (func))
            (rec
              (type $a (descriptor $b) (struct (field i32)))
              (type $b (describes $a) (struct (field (ref null (exact $f))))))
            (import "m" "f" (func (exact (type $f))))
            (func (param (ref null $a)) (result (ref $b))
              (ref.get_desc $a (local.get 0))))"#;
        let module = weft_text::parse_wat(wat, features).unwrap();
        let bytes = weft_binary::encode(&module);
        let module = weft_binary::decode(&bytes, features).unwrap();
        let all = Options {
            details: true,
            disassemble: true,
            ..Options::default()
        };
        let out = dump(Path::new("cd.wasm"), &bytes, &module, features, &all)
            .unwrap()
            .text;
        for line in [
            " - type[1] descriptor 2 struct {i32}\n",
            " - type[2] describes 1 struct {(ref null (exact 0))}\n",
            " - func[0] sig=0 exact <m.f> <- m.f\n",
            "| ref.get_desc 1\n",
        ] {
            assert!(out.contains(line), "{line:?} not in\n{out}");
        }
    }

    /// Every one-byte corruption of the module that still decodes dumps
    /// without panicking.
    #[test]
    fn corrupted_modules_never_panic() {
        let all = Options {
            headers: true,
            details: true,
            disassemble: true,
            full_contents: true,
            section: None,
        };
        for at in 8..ADD.len() {
            for b in [0x00, 0x01, 0x0b, 0x7f, 0x80, 0xff] {
                let mut bytes = ADD.to_vec();
                bytes[at] = b;
                if let Ok(m) = weft_binary::decode(&bytes, Features::WASM2) {
                    let _ = dump(Path::new("x.wasm"), &bytes, &m, Features::WASM2, &all);
                }
            }
        }
    }
}
