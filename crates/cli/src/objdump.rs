//! `weft objdump`: the contents of a binary module in the style of wabt's
//! `wasm-objdump`.
//!
//! - `-h`: one line per section with its payload's start and end offsets,
//!   size and element count;
//! - `-x`: the details of every section;
//! - `-d`: every function body, one instruction per line with its absolute
//!   offset, its raw bytes and its text (as the printer writes it).
//!
//! The decoded [`Module`] gives the contents; the byte layout that only the
//! binary has (section and body offsets, the sizes of bodies, the encoding of
//! each local declaration and instruction) is read again from the bytes with
//! the binary crate's [`Reader`]. A malformed body is shown up to the error,
//! followed by an `error:` line; nothing here panics on input.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;
use weft_binary::{section_headers, section_id, section_name, Reader, SectionHeader};
use weft_syntax::{
    escape_name, CompositeType, DataMode, ElemItems, ElemMode, ExportDesc, Expr, Features,
    FieldType, FuncType, GlobalType, ImportDesc, Instr, Limits, Module, Mut, SubType, TableType,
    ValType,
};

/// What to show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Section headers (`-h`).
    pub headers: bool,
    /// Details of every section (`-x`).
    pub details: bool,
    /// Disassembly of every function body (`-d`).
    pub disassemble: bool,
}

/// Raw bytes shown per line of the disassembly.
const BYTES_PER_LINE: usize = 9;
/// Indentation of the disassembly stops growing at this block depth.
const MAX_INDENT_DEPTH: usize = 32;

/// Dumps a binary module. `bytes` is the file, `module` its decoding.
/// Fails only if the section layout cannot be read (which a successfully
/// decoded module rules out).
pub fn dump(
    path: &Path,
    bytes: &[u8],
    module: &Module<'_>,
    features: Features,
    opts: Options,
) -> Result<String, String> {
    let headers = section_headers(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let d = Dumper {
        bytes,
        module,
        features,
        headers: &headers,
        func_names: func_names(module),
    };
    let mut out = String::new();
    let _ = writeln!(out, "\n{}:\tfile format wasm 0x1", path.display());
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
    Ok(out)
}

/// `(index, name)` pairs of a name map.
fn pairs<'n, I: Copy + Into<u32>>(
    map: &'n [(I, std::borrow::Cow<'_, str>)],
) -> Vec<(u32, &'n str)> {
    map.iter().map(|(i, n)| ((*i).into(), n.as_ref())).collect()
}

/// A name for every function that has one: from the name section, else the
/// import's `module.name`, else the first export's name.
fn func_names(m: &Module<'_>) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    let mut func = 0u32;
    for imp in &m.imports {
        if let ImportDesc::Func(_) = imp.desc {
            names.insert(
                func,
                format!("{}.{}", escape_name(&imp.module), escape_name(&imp.name)),
            );
            func = func.saturating_add(1);
        }
    }
    for e in &m.exports {
        if let ExportDesc::Func(f) = e.desc {
            names
                .entry(f.0)
                .or_insert_with(|| escape_name(&e.name).to_string());
        }
    }
    for (f, n) in &m.names.funcs {
        names.insert(f.0, escape_name(n).to_string());
    }
    names
}

/// The layout of one function body in the code section.
struct BodyLayout<'b> {
    /// Absolute offset of the body's size field.
    start: usize,
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
    func_names: HashMap<u32, String>,
}

impl Dumper<'_, '_> {
    fn imported(&self, pred: impl Fn(&ImportDesc) -> bool) -> usize {
        self.module.imports.iter().filter(|i| pred(&i.desc)).count()
    }

    fn num_imported_funcs(&self) -> usize {
        self.imported(|d| matches!(d, ImportDesc::Func(_)))
    }

    /// ` <name>` for a function that has a name.
    fn func_label(&self, f: u32) -> String {
        match self.func_names.get(&f) {
            Some(n) => format!(" <{n}>"),
            None => String::new(),
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
            let start = r.offset();
            let size = r.read_u32().map_err(|e| e.to_string())?;
            let offset = r.offset();
            let bytes = r.read_bytes(size as usize).map_err(|e| e.to_string())?;
            bodies.push(BodyLayout {
                start,
                offset,
                bytes,
            });
        }
        Ok(bodies)
    }

    fn details(&self, out: &mut String) {
        out.push_str("\nSection Details:\n\n");
        for h in self.headers {
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
                section_id::ELEMENT => self.elems(out),
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
                    write!(out, " - memory[{}] {}", mems - 1, pages(&m.limits))
                }
                ImportDesc::Global(g) => {
                    globals = globals.saturating_add(1);
                    write!(out, " - global[{}] {}", globals - 1, global_type(&g))
                }
                ImportDesc::Tag(t) => {
                    tags = tags.saturating_add(1);
                    write!(out, " - tag[{}] sig={}", tags - 1, t.ty.0)
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
            let _ = writeln!(out, " - table[{}] {}", base + k, table_type(&t.ty));
        }
    }

    fn memories(&self, out: &mut String) {
        let _ = writeln!(out, "Memory[{}]:", self.module.mems.len());
        let base = self.imported(|d| matches!(d, ImportDesc::Memory(_)));
        for (k, m) in self.module.mems.iter().enumerate() {
            let _ = writeln!(out, " - memory[{}] {}", base + k, pages(&m.limits));
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
            let _ = writeln!(
                out,
                " - global[{}] {} - init {}",
                base + k,
                global_type(&g.ty),
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

    fn elems(&self, out: &mut String) {
        let _ = writeln!(out, "Elem[{}]:", self.module.elems.len());
        for (k, e) in self.module.elems.iter().enumerate() {
            let _ = write!(out, " - segment[{k}]");
            match &e.mode {
                ElemMode::Passive => out.push_str(" passive"),
                ElemMode::Declarative => out.push_str(" declarative"),
                ElemMode::Active { table, .. } => {
                    let _ = write!(out, " table={}", table.0);
                }
            }
            let _ = write!(out, " count={} type={}", e.items.len(), ValType::Ref(e.ty));
            if let ElemMode::Active { offset, .. } = &e.mode {
                let _ = write!(out, " - init {}", self.init(offset));
            }
            out.push('\n');
            match &e.items {
                ElemItems::Funcs(fs) => {
                    for (i, f) in fs.iter().enumerate() {
                        let label = self.func_label(f.0);
                        let _ = writeln!(out, "  - elem[{i}] = func[{}]{label}", f.0);
                    }
                }
                ElemItems::Exprs(xs) => {
                    for (i, x) in xs.iter().enumerate() {
                        let _ = writeln!(out, "  - elem[{i}] = {}", self.init(x));
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
        for (k, d) in self.module.datas.iter().enumerate() {
            let _ = write!(out, " - segment[{k}]");
            let mut base = 0u64;
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
            hexdump(out, &d.init, base);
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
            let mut s = String::new();
            match *one {
                Instr::I32Const { value } => return format!("i32={value}"),
                Instr::I64Const { value } => return format!("i64={value}"),
                Instr::F32Const { value } => {
                    s.push_str("f32=");
                    weft_text::write_f32(&mut s, value.0);
                    return s;
                }
                Instr::F64Const { value } => {
                    s.push_str("f64=");
                    weft_text::write_f64(&mut s, value.0);
                    return s;
                }
                Instr::GlobalGet { global } => return format!("global={}", global.0),
                Instr::RefNull { ty } => return format!("null {ty}"),
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
            let f = base.saturating_add(k);
            let _ = writeln!(
                out,
                "{:06x} func[{f}]{}:",
                b.start,
                self.func_label(f as u32)
            );
            self.disassemble_body(out, b);
            out.push('\n');
        }
    }

    fn disassemble_body(&self, out: &mut String, b: &BodyLayout<'_>) {
        let mut r = Reader::new_at(b.bytes, b.offset, self.features);
        // Local declarations.
        let decls = match r.read_len(2) {
            Ok(n) => n,
            Err(e) => {
                let _ = writeln!(out, " error: {e}");
                return;
            }
        };
        let mut local = 0u64;
        for _ in 0..decls {
            let at = r.offset();
            let decl = r.read_u32().and_then(|n| Ok((n, r.read_val_type()?)));
            match decl {
                Ok((n, t)) => {
                    let range = match n {
                        0 => format!("local[] type={t}"),
                        1 => format!("local[{local}] type={t}"),
                        _ => format!("local[{local}..{}] type={t}", local + u64::from(n) - 1),
                    };
                    local += u64::from(n);
                    self.line(out, at, r.offset(), 0, &range);
                }
                Err(e) => {
                    let _ = writeln!(out, " error: {e}");
                    return;
                }
            }
        }
        // Instructions, indented by block depth.
        let mut depth = 0usize;
        while !r.is_empty() {
            let at = r.offset();
            let instr = match r.read_instr() {
                Ok(i) => i,
                Err(e) => {
                    let _ = writeln!(out, " error: {e}");
                    return;
                }
            };
            let mut text = weft_text::print_instr(&instr);
            match instr {
                Instr::Call { func } | Instr::RefFunc { func } => {
                    text.push_str(&self.func_label(func.0));
                }
                _ => {}
            }
            let indent = match instr {
                Instr::End {} | Instr::Delegate { .. } => {
                    depth = depth.saturating_sub(1);
                    depth
                }
                Instr::Else {} | Instr::Catch { .. } | Instr::CatchAll {} => {
                    depth.saturating_sub(1)
                }
                Instr::Block { .. }
                | Instr::Loop { .. }
                | Instr::If { .. }
                | Instr::TryTable { .. }
                | Instr::Try { .. } => {
                    depth += 1;
                    depth - 1
                }
                _ => depth,
            };
            self.line(out, at, r.offset(), indent, &text);
        }
    }

    /// ` 000023: 20 00                      | local.get 0`, with the raw
    /// bytes of `start..end` continued on further lines when long.
    fn line(&self, out: &mut String, start: usize, end: usize, depth: usize, text: &str) {
        let raw = self.bytes.get(start..end).unwrap_or_default();
        let mut chunks = raw.chunks(BYTES_PER_LINE);
        let first = chunks.next().unwrap_or_default();
        let _ = write!(out, " {start:06x}: {:<27}| ", hex_bytes(first));
        for _ in 0..depth.min(MAX_INDENT_DEPTH) {
            out.push_str("  ");
        }
        out.push_str(text);
        out.push('\n');
        let mut at = start + first.len();
        for chunk in chunks {
            let _ = writeln!(out, " {at:06x}: {:<27}|", hex_bytes(chunk));
            at += chunk.len();
        }
    }
}

fn hex_bytes(bytes: &[u8]) -> String {
    let mut s = String::new();
    for b in bytes {
        let _ = write!(s, "{b:02x} ");
    }
    s
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

/// `  - 0000010: 6865 6c6c 6f                             hello`, 16 bytes
/// a line.
fn hexdump(out: &mut String, data: &[u8], base: u64) {
    for (i, chunk) in data.chunks(16).enumerate() {
        let addr = base.wrapping_add(i as u64 * 16);
        let mut hex = String::new();
        for (j, b) in chunk.iter().enumerate() {
            let _ = write!(hex, "{b:02x}");
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
        let _ = writeln!(out, "  - {addr:07x}: {hex:<40}  {ascii}");
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

fn pages(l: &Limits) -> String {
    format!("pages: initial={}{}", l.min, max_text(l))
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
        dump(Path::new("add.wasm"), ADD, &module, Features::WASM2, opts).unwrap()
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
            "  - 0000010: 6865 6c6c 6f                              hello\n",
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
000026 func[0] <add>:
 000028: 01 7f                      | local[0] type=i32
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
            headers: false,
            details: true,
            disassemble: true,
        };
        let out = dump(Path::new("cd.wasm"), &bytes, &module, features, all).unwrap();
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
        };
        for at in 8..ADD.len() {
            for b in [0x00, 0x01, 0x0b, 0x7f, 0x80, 0xff] {
                let mut bytes = ADD.to_vec();
                bytes[at] = b;
                if let Ok(m) = weft_binary::decode(&bytes, Features::WASM2) {
                    let _ = dump(Path::new("x.wasm"), &bytes, &m, Features::WASM2, all);
                }
            }
        }
    }
}
