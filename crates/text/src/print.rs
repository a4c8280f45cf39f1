//! The printer: a [`Module`] back to the text format (§6).
//!
//! The output reads back, with our parser and with wabt or wasm-tools, to a
//! module that encodes to the same bytes (custom sections aside): every
//! function and block names its type by index (`(type N)`), so no implicit
//! type is ever added; floats print exactly (see `float.rs`); `offset=` and
//! `align=` appear only where they differ from the defaults. Names from the
//! name section become `$id`s where they are valid identifiers and unique,
//! otherwise indices are printed. Instructions are printed by code generated
//! from the instruction table (`instr.rs`); bodies are read with the binary
//! crate's reader, and a malformed body is printed up to the error, followed
//! by a comment: printing never fails and never panics.

mod body;
mod float;
mod instr;

use body::{write_body, write_const_expr, BodyCx};
use instr::Idents;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use weft_syntax::{
    AddrType, CompositeType, CustomPlace, DataMode, ElemItems, ElemMode, ExportDesc, Features,
    FieldType, FuncType, GlobalType, ImportDesc, Instr, Limits, MemType, Module, Mut, SubType,
    TableType, TypeIdx, ValType,
};

/// How [`print_with`] lays out a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    /// Print instructions in the folded form (`(i32.add (local.get 0)
    /// (i32.const 1))`) instead of one flat instruction per line.
    pub folded: bool,
    /// Use the names of the name section as `$id`s.
    pub names: bool,
    /// Print custom sections as `(@custom "name" (after ...) "bytes")`
    /// annotations instead of comments (not every parser accepts those).
    pub custom_annotations: bool,
    /// Features with which function bodies are read.
    pub features: Features,
}

impl Default for PrintOptions {
    /// Flat, with names, custom sections as comments, all features.
    fn default() -> Self {
        PrintOptions {
            folded: false,
            names: true,
            custom_annotations: false,
            // Custom descriptors only add encodings that are malformed
            // without them, so every 3.0 module prints as before.
            features: Features::WASM3.with(weft_syntax::Feature::CustomDescriptors, true),
        }
    }
}

/// Prints a module in the text format with the default options (flat
/// instructions, names from the name section).
pub fn print(module: &Module<'_>) -> String {
    print_with(module, &PrintOptions::default())
}

/// Prints a module in the text format.
pub fn print_with(module: &Module<'_>, opts: &PrintOptions) -> String {
    Printer::new(module, opts).module()
}

/// The text of one instruction in the flat form, with numeric indices and
/// without the parentheses: `i32.load offset=4`, `br_table 0 1 2`,
/// `f32.const nan:0x200000`. Used by disassemblers.
pub fn print_instr(instr: &Instr<'_>) -> String {
    let mut s = String::new();
    instr::write_instr(instr, Idents::default(), &mut s);
    s
}

/// Appends the exact text of an `f32` given by its bits (`1.5`, `-inf`,
/// `nan:0x1`).
pub fn write_f32(out: &mut String, bits: u32) {
    float::write_f32(out, bits)
}

/// Appends the exact text of an `f64` given by its bits.
pub fn write_f64(out: &mut String, bits: u64) {
    float::write_f64(out, bits)
}

/// Whether `c` may appear in an identifier (§6.3.5).
fn is_idchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-./:<=>?@\\^_`|~".contains(c)
}

/// `$name` if `name` is a valid identifier.
fn ident(name: &str) -> Option<String> {
    if name.is_empty() {
        // `$""` is an empty identifier, malformed (§6.3.5).
        None
    } else if name.chars().all(is_idchar) {
        Some(format!("${name}"))
    } else {
        // Any other name is a quoted identifier `$"..."` (§6.3.5), which
        // denotes the same identifier as its unquoted form would.
        let mut s = String::from("$");
        write_bytes_string(&mut s, name.as_bytes());
        Some(s)
    }
}

/// `(index, $id)` for the names that are valid identifiers, below `limit`,
/// and not already taken (the first occurrence wins), sorted by index.
fn idents<'n>(names: impl Iterator<Item = (u32, &'n str)>, limit: u64) -> Vec<(u32, String)> {
    let mut seen_names = HashSet::new();
    let mut seen_indices = HashSet::new();
    let mut v: Vec<(u32, String)> = Vec::new();
    for (i, name) in names {
        if u64::from(i) >= limit || !seen_indices.insert(i) {
            continue;
        }
        if let Some(id) = ident(name) {
            if seen_names.insert(id.clone()) {
                v.push((i, id));
            }
        }
    }
    v.sort_by_key(|(i, _)| *i);
    v
}

/// `(label index, $id)` for the named labels of function `f` that are
/// valid identifiers. Unlike other names, one label name may appear many
/// times in a function (`block $l` twice), so none is dropped as taken.
fn label_idents(m: &Module<'_>, f: u32) -> Vec<(u32, String)> {
    let Some((_, map)) = m.names.labels.iter().find(|(g, _)| g.0 == f) else {
        return Vec::new();
    };
    let mut v: Vec<(u32, String)> = map
        .iter()
        .filter_map(|(i, n)| Some((*i, ident(n)?)))
        .collect();
    v.sort_by_key(|(i, _)| *i);
    v.dedup_by_key(|(i, _)| *i);
    v
}

/// Appends a string literal holding `bytes` (§6.3.3): printable ASCII as
/// is, everything else as `\hh`, so that any bytes survive.
fn write_bytes_string(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:02x}");
            }
        }
    }
    out.push('"');
}

/// Appends a string literal holding a name: as [`write_bytes_string`], but
/// non-ASCII letters and digits are kept as they are
/// ([`weft_syntax::escape_name`], which backtraces and `objdump` use too).
fn write_name_string(out: &mut String, name: &str) {
    let _ = write!(out, "\"{}\"", weft_syntax::escape_name(name));
}

/// Maximum number of locals written out one by one; a function declaring
/// more (which no valid module does) gets a comment instead.
const MAX_PRINTED_LOCALS: u64 = 1 << 20;

/// Bytes per string literal in data segments.
const DATA_CHUNK: usize = 64;

/// The `$id`s of the index spaces other than functions and locals, from
/// the extended name section, as [`idents`] makes them.
#[derive(Default)]
struct SpaceIds {
    types: Vec<(u32, String)>,
    tables: Vec<(u32, String)>,
    memories: Vec<(u32, String)>,
    globals: Vec<(u32, String)>,
    elems: Vec<(u32, String)>,
    datas: Vec<(u32, String)>,
    tags: Vec<(u32, String)>,
    /// Field `$id`s by type index.
    fields: HashMap<u32, Vec<(u32, String)>>,
}

impl SpaceIds {
    fn new(m: &Module<'_>) -> Self {
        fn space<I: Copy + Into<u32>>(
            names: &[(I, Cow<'_, str>)],
            limit: usize,
        ) -> Vec<(u32, String)> {
            idents(
                names.iter().map(|(i, n)| ((*i).into(), n.as_ref())),
                limit as u64,
            )
        }
        let imported = |f: fn(&ImportDesc) -> bool| m.imports.iter().filter(|i| f(&i.desc)).count();
        let n = &m.names;
        let mut fields = HashMap::new();
        for (t, map) in &n.fields {
            let nfields = match m.types.get(*t).map(|t| &t.composite) {
                Some(CompositeType::Struct(st)) => st.fields.len(),
                _ => 0,
            };
            fields.entry(t.0).or_insert_with(|| space(map, nfields));
        }
        SpaceIds {
            types: space(&n.types, m.types.len()),
            tables: space(
                &n.tables,
                imported(|d| matches!(d, ImportDesc::Table(_))) + m.tables.len(),
            ),
            memories: space(
                &n.memories,
                imported(|d| matches!(d, ImportDesc::Memory(_))) + m.mems.len(),
            ),
            globals: space(
                &n.globals,
                imported(|d| matches!(d, ImportDesc::Global(_))) + m.globals.len(),
            ),
            elems: space(&n.elems, m.elems.len()),
            datas: space(&n.datas, m.datas.len()),
            tags: space(
                &n.tags,
                imported(|d| matches!(d, ImportDesc::Tag(_))) + m.tags.len(),
            ),
            fields,
        }
    }
}

/// Writes ` $id` for a reference to index `i`, or ` i`.
fn write_ref_id(out: &mut String, ids: &[(u32, String)], i: u32) {
    match ids.binary_search_by_key(&i, |(k, _)| *k) {
        Ok(at) => {
            out.push(' ');
            out.push_str(&ids[at].1);
        }
        Err(_) => {
            let _ = write!(out, " {i}");
        }
    }
}

/// Writes `$id ` for a definition with index `i` if it has one.
fn write_def_id(out: &mut String, ids: &[(u32, String)], i: usize) {
    let Ok(i) = u32::try_from(i) else { return };
    if let Ok(at) = ids.binary_search_by_key(&i, |(k, _)| *k) {
        if let Some((_, id)) = ids.get(at) {
            out.push_str(id);
            out.push(' ');
        }
    }
}

struct Printer<'m, 'a> {
    module: &'m Module<'a>,
    opts: &'m PrintOptions,
    out: String,
    /// The type index of every function, imports first.
    func_types: Vec<TypeIdx>,
    func_ids: Vec<(u32, String)>,
    /// `$id`s of the other index spaces (extended name section).
    ids: SpaceIds,
    /// For each function with local names, where they are in
    /// `module.names.locals` (the first entry wins).
    local_names: HashMap<u32, usize>,
}

impl<'m, 'a> Printer<'m, 'a> {
    fn new(module: &'m Module<'a>, opts: &'m PrintOptions) -> Self {
        let mut func_types: Vec<TypeIdx> = module
            .imports
            .iter()
            .filter_map(|i| match i.desc {
                ImportDesc::Func(t) => Some(t),
                _ => None,
            })
            .collect();
        func_types.extend_from_slice(&module.funcs);
        let mut local_names = HashMap::new();
        for (at, (f, _)) in module.names.locals.iter().enumerate() {
            local_names.entry(f.0).or_insert(at);
        }
        let func_ids = if opts.names {
            idents(
                module.names.funcs.iter().map(|(i, n)| (i.0, n.as_ref())),
                func_types.len() as u64,
            )
        } else {
            Vec::new()
        };
        let ids = if opts.names {
            SpaceIds::new(module)
        } else {
            SpaceIds::default()
        };
        Printer {
            module,
            opts,
            out: String::new(),
            func_types,
            func_ids,
            ids,
            local_names,
        }
    }

    fn func_ref(&mut self, i: u32) {
        match self.func_ids.binary_search_by_key(&i, |(k, _)| *k) {
            Ok(at) => {
                if let Some((_, id)) = self.func_ids.get(at) {
                    self.out.push_str(id);
                }
            }
            Err(_) => {
                let _ = write!(self.out, "{i}");
            }
        }
    }

    fn body_cx<'s>(&'s self, locals: &'s [(u32, String)], results: Option<u32>) -> BodyCx<'s> {
        BodyCx {
            types: &self.module.types,
            func_types: &self.func_types,
            idents: Idents {
                funcs: &self.func_ids,
                locals,
                tables: &self.ids.tables,
                memories: &self.ids.memories,
                globals: &self.ids.globals,
                elems: &self.ids.elems,
                datas: &self.ids.datas,
                tags: &self.ids.tags,
                labels: &[],
            },
            features: self.opts.features,
            results,
        }
    }

    fn module(mut self) -> String {
        let m = self.module;
        self.out.push_str("(module");
        if self.opts.names {
            if let Some(id) = m.names.module.as_deref().and_then(ident) {
                self.out.push(' ');
                self.out.push_str(&id);
            }
        }
        self.out.push('\n');
        self.types();
        self.imports();
        let nimported = self.func_types.len() - m.funcs.len();
        for (k, t) in m.funcs.iter().enumerate() {
            self.func(nimported + k, *t, m.code.get(k));
        }
        let ntables = m
            .imports
            .iter()
            .filter(|i| matches!(i.desc, ImportDesc::Table(_)))
            .count();
        for (k, t) in m.tables.iter().enumerate() {
            self.out.push_str("  (table ");
            write_def_id(&mut self.out, &self.ids.tables, ntables + k);
            let _ = write!(self.out, "(;{};) ", ntables + k);
            self.table_type(&t.ty);
            if let Some(init) = &t.init {
                self.out.push(' ');
                let cx = self.body_cx(&[], None);
                let mut s = String::new();
                write_const_expr(&mut s, init, &cx, None);
                self.out.push_str(&s);
            }
            self.out.push_str(")\n");
        }
        let nmems = m
            .imports
            .iter()
            .filter(|i| matches!(i.desc, ImportDesc::Memory(_)))
            .count();
        for (k, t) in m.mems.iter().enumerate() {
            self.out.push_str("  (memory ");
            write_def_id(&mut self.out, &self.ids.memories, nmems + k);
            let _ = write!(self.out, "(;{};) ", nmems + k);
            self.mem_type(t);
            self.out.push_str(")\n");
        }
        let ntags = m
            .imports
            .iter()
            .filter(|i| matches!(i.desc, ImportDesc::Tag(_)))
            .count();
        for (k, t) in m.tags.iter().enumerate() {
            self.out.push_str("  (tag ");
            write_def_id(&mut self.out, &self.ids.tags, ntags + k);
            let _ = write!(self.out, "(;{};)", ntags + k);
            self.type_use(t.ty, &[]);
            self.out.push_str(")\n");
        }
        let nglobals = m
            .imports
            .iter()
            .filter(|i| matches!(i.desc, ImportDesc::Global(_)))
            .count();
        for (k, g) in m.globals.iter().enumerate() {
            self.out.push_str("  (global ");
            write_def_id(&mut self.out, &self.ids.globals, nglobals + k);
            let _ = write!(self.out, "(;{};) ", nglobals + k);
            self.global_type(&g.ty);
            self.out.push(' ');
            let cx = self.body_cx(&[], None);
            let mut s = String::new();
            write_const_expr(&mut s, &g.init, &cx, None);
            self.out.push_str(&s);
            self.out.push_str(")\n");
        }
        for e in &m.exports {
            self.out.push_str("  (export ");
            write_name_string(&mut self.out, &e.name);
            let (kind, i) = match e.desc {
                ExportDesc::Func(i) => ("func", i.0),
                ExportDesc::Table(i) => ("table", i.0),
                ExportDesc::Memory(i) => ("memory", i.0),
                ExportDesc::Global(i) => ("global", i.0),
                ExportDesc::Tag(i) => ("tag", i.0),
            };
            let _ = write!(self.out, " ({kind} ");
            let ids = match e.desc {
                ExportDesc::Func(_) => &self.func_ids,
                ExportDesc::Table(_) => &self.ids.tables,
                ExportDesc::Memory(_) => &self.ids.memories,
                ExportDesc::Global(_) => &self.ids.globals,
                ExportDesc::Tag(_) => &self.ids.tags,
            };
            match ids.binary_search_by_key(&i, |(k, _)| *k) {
                Ok(at) => self.out.push_str(&ids[at].1),
                Err(_) => {
                    let _ = write!(self.out, "{i}");
                }
            }
            self.out.push_str("))\n");
        }
        if let Some(f) = m.start {
            self.out.push_str("  (start ");
            self.func_ref(f.0);
            self.out.push_str(")\n");
        }
        self.elems();
        self.datas();
        self.customs();
        self.out.push_str(")\n");
        self.out
    }

    /// The type section: a group of one plain final type as `(type ...)`,
    /// other groups as `(rec (type ...)*)`.
    fn types(&mut self) {
        let m = self.module;
        for (first, group) in m.types.groups() {
            let rec = !matches!(group, [t] if t.is_final && t.supertypes.is_empty() && t.describes.is_none() && t.descriptor.is_none());
            let indent = if rec {
                self.out.push_str("  (rec\n");
                "    "
            } else {
                "  "
            };
            for (k, t) in group.iter().enumerate() {
                let _ = write!(self.out, "{indent}(type ");
                write_def_id(&mut self.out, &self.ids.types, first.index() + k);
                let _ = write!(self.out, "(;{};) ", first.index() + k);
                self.sub_type(t, first.0 + k as u32);
                self.out.push_str(")\n");
            }
            if rec {
                self.out.push_str("  )\n");
            }
        }
    }

    /// `(sub final? super* comptype)`, or the bare composite type when it
    /// is final without supertypes.
    fn sub_type(&mut self, t: &SubType, index: u32) {
        let plain = t.is_final && t.supertypes.is_empty();
        if !plain {
            self.out.push_str("(sub");
            if t.is_final {
                self.out.push_str(" final");
            }
            for s in &t.supertypes {
                let _ = write!(self.out, " {s}");
            }
            self.out.push(' ');
        }
        if let Some(d) = t.describes {
            let _ = write!(self.out, "(describes {d}) ");
        }
        if let Some(d) = t.descriptor {
            let _ = write!(self.out, "(descriptor {d}) ");
        }
        match &t.composite {
            CompositeType::Func(f) => {
                self.out.push_str("(func");
                self.signature(f, &[]);
                self.out.push(')');
            }
            CompositeType::Struct(st) => {
                self.out.push_str("(struct");
                let ids = self.ids.fields.remove(&index).unwrap_or_default();
                for (k, f) in st.fields.iter().enumerate() {
                    self.out.push_str(" (field ");
                    write_def_id(&mut self.out, &ids, k);
                    self.field_type(f);
                    self.out.push(')');
                }
                self.out.push(')');
            }
            CompositeType::Array(a) => {
                self.out.push_str("(array ");
                self.field_type(&a.field);
                self.out.push(')');
            }
        }
        if !plain {
            self.out.push(')');
        }
    }

    fn field_type(&mut self, f: &FieldType) {
        let _ = match f.mutability {
            Mut::Const => write!(self.out, "{}", f.storage),
            Mut::Var => write!(self.out, "(mut {})", f.storage),
        };
    }

    /// ` (param ...) (result ...)`, naming the parameters that have an id.
    fn signature(&mut self, t: &FuncType, param_ids: &[(u32, String)]) {
        let mut group = false;
        for (i, p) in t.params.iter().enumerate() {
            let id = u32::try_from(i)
                .ok()
                .and_then(|i| param_ids.binary_search_by_key(&i, |(k, _)| *k).ok())
                .and_then(|at| param_ids.get(at));
            match id {
                Some((_, id)) => {
                    if group {
                        self.out.push(')');
                        group = false;
                    }
                    let _ = write!(self.out, " (param {id} {p})");
                }
                None => {
                    if !group {
                        self.out.push_str(" (param");
                        group = true;
                    }
                    let _ = write!(self.out, " {p}");
                }
            }
        }
        if group {
            self.out.push(')');
        }
        if !t.results.is_empty() {
            self.out.push_str(" (result");
            for r in &t.results {
                let _ = write!(self.out, " {r}");
            }
            self.out.push(')');
        }
    }

    /// `(type N)` and, when the type exists, the inline signature.
    fn type_use(&mut self, t: TypeIdx, param_ids: &[(u32, String)]) {
        let _ = write!(self.out, " (type {})", t.0);
        if let Some(ft) = self.module.types.func(t) {
            self.signature(ft, param_ids);
        }
    }

    fn limits(&mut self, l: &Limits) {
        let _ = write!(self.out, "{}", l.min);
        if let Some(max) = l.max {
            let _ = write!(self.out, " {max}");
        }
    }

    fn addr_type(&mut self, a: AddrType) {
        if a == AddrType::I64 {
            self.out.push_str("i64 ");
        }
    }

    /// `i64? limits shared? (pagesize n)?`.
    fn mem_type(&mut self, t: &MemType) {
        self.addr_type(t.addr);
        self.limits(&t.limits);
        if t.shared {
            self.out.push_str(" shared");
        }
        if let Some(log2) = t.page_size_log2 {
            let _ = write!(self.out, " (pagesize {})", 1u64 << log2);
        }
    }

    fn table_type(&mut self, t: &TableType) {
        self.addr_type(t.addr);
        self.limits(&t.limits);
        let _ = write!(self.out, " {}", t.elem);
    }

    fn global_type(&mut self, t: &GlobalType) {
        match t.mutability {
            Mut::Const => {
                let _ = write!(self.out, "{}", t.content);
            }
            Mut::Var => {
                let _ = write!(self.out, "(mut {})", t.content);
            }
        }
    }

    fn imports(&mut self) {
        let (mut funcs, mut tables, mut mems, mut globals) = (0u32, 0u32, 0u32, 0u32);
        let mut tags = 0u32;
        for imp in &self.module.imports {
            self.out.push_str("  (import ");
            write_name_string(&mut self.out, &imp.module);
            self.out.push(' ');
            write_name_string(&mut self.out, &imp.name);
            match imp.desc {
                ImportDesc::Func(t) => {
                    self.out.push_str(" (func ");
                    if self
                        .func_ids
                        .binary_search_by_key(&funcs, |(k, _)| *k)
                        .is_ok()
                    {
                        self.func_ref(funcs);
                        self.out.push(' ');
                    }
                    let _ = write!(self.out, "(;{funcs};)");
                    if imp.exact {
                        self.out.push_str(" (exact");
                    }
                    let param_ids = self.param_idents(funcs, t);
                    self.type_use(t, &param_ids);
                    if imp.exact {
                        self.out.push(')');
                    }
                    funcs += 1;
                }
                ImportDesc::Table(t) => {
                    self.out.push_str(" (table ");
                    write_def_id(&mut self.out, &self.ids.tables, tables as usize);
                    let _ = write!(self.out, "(;{tables};) ");
                    self.table_type(&t);
                    tables += 1;
                }
                ImportDesc::Memory(t) => {
                    self.out.push_str(" (memory ");
                    write_def_id(&mut self.out, &self.ids.memories, mems as usize);
                    let _ = write!(self.out, "(;{mems};) ");
                    self.mem_type(&t);
                    mems += 1;
                }
                ImportDesc::Global(t) => {
                    self.out.push_str(" (global ");
                    write_def_id(&mut self.out, &self.ids.globals, globals as usize);
                    let _ = write!(self.out, "(;{globals};) ");
                    self.global_type(&t);
                    globals += 1;
                }
                ImportDesc::Tag(t) => {
                    self.out.push_str(" (tag ");
                    write_def_id(&mut self.out, &self.ids.tags, tags as usize);
                    let _ = write!(self.out, "(;{tags};)");
                    self.type_use(t.ty, &[]);
                    tags += 1;
                }
            }
            self.out.push_str("))\n");
        }
    }

    /// The `$id`s of function `f`'s locals below `limit`.
    fn local_idents(&self, f: u32, limit: u64) -> Vec<(u32, String)> {
        if !self.opts.names {
            return Vec::new();
        }
        let names = self
            .local_names
            .get(&f)
            .and_then(|&at| self.module.names.locals.get(at))
            .into_iter()
            .flat_map(|(_, v)| v.iter().map(|(l, n)| (l.0, n.as_ref())));
        idents(names, limit)
    }

    /// The `$id`s of the parameters of imported function `f` of type `t`.
    fn param_idents(&self, f: u32, t: TypeIdx) -> Vec<(u32, String)> {
        let nparams = self
            .module
            .types
            .func(t)
            .map_or(0, |t| t.params.len() as u64);
        self.local_idents(f, nparams)
    }

    fn func(&mut self, index: usize, ty: TypeIdx, code: Option<&weft_syntax::Code<'_>>) {
        let m = self.module;
        let index32 = u32::try_from(index).unwrap_or(u32::MAX);
        let nparams = m.types.func(ty).map_or(0, |t| t.params.len() as u64);
        let nlocals: u64 = code.map_or(0, |c| c.locals.iter().map(|l| u64::from(l.count)).sum());
        let local_ids = self.local_idents(index32, nparams.saturating_add(nlocals));
        self.out.push_str("  (func ");
        if self
            .func_ids
            .binary_search_by_key(&index32, |(k, _)| *k)
            .is_ok()
        {
            self.func_ref(index32);
            self.out.push(' ');
        }
        let _ = write!(self.out, "(;{index};)");
        self.type_use(ty, &local_ids);
        let Some(code) = code else {
            self.out.push_str(" (; error: no code ;))\n");
            return;
        };
        // Locals: one `(local ...)` group per run of unnamed ones.
        if !code.locals.is_empty() {
            self.out.push('\n');
            self.out.push_str("   ");
            if nlocals > MAX_PRINTED_LOCALS {
                let _ = write!(self.out, " (; error: {nlocals} locals ;)");
            } else {
                let mut i = nparams;
                let mut group = false;
                for run in &code.locals {
                    for _ in 0..run.count {
                        let id = u32::try_from(i)
                            .ok()
                            .and_then(|i| local_ids.binary_search_by_key(&i, |(k, _)| *k).ok())
                            .and_then(|at| local_ids.get(at));
                        match id {
                            Some((_, id)) => {
                                if group {
                                    self.out.push(')');
                                    group = false;
                                }
                                let _ = write!(self.out, " (local {id} {})", run.ty);
                            }
                            None => {
                                if !group {
                                    self.out.push_str(" (local");
                                    group = true;
                                }
                                let _ = write!(self.out, " {}", run.ty);
                            }
                        }
                        i += 1;
                    }
                }
                if group {
                    self.out.push(')');
                }
            }
        }
        let results = m
            .types
            .func(ty)
            .and_then(|t| u32::try_from(t.results.len()).ok());
        let mut body = String::new();
        let label_ids = if self.opts.names {
            label_idents(m, index32)
        } else {
            Vec::new()
        };
        let mut cx = self.body_cx(&local_ids, results);
        cx.idents.labels = &label_ids;
        write_body(&mut body, &code.body, &cx, 2, self.opts.folded);
        if body.is_empty() && code.locals.is_empty() {
            self.out.push_str(")\n");
        } else {
            self.out.push('\n');
            self.out.push_str(&body);
            self.out.push_str("  )\n");
        }
    }

    fn elems(&mut self) {
        let m = self.module;
        for (k, e) in m.elems.iter().enumerate() {
            self.out.push_str("  (elem ");
            write_def_id(&mut self.out, &self.ids.elems, k);
            let _ = write!(self.out, "(;{k};)");
            match &e.mode {
                ElemMode::Passive => {}
                ElemMode::Declarative => self.out.push_str(" declare"),
                ElemMode::Active { table, offset } => {
                    if table.0 != 0 {
                        self.out.push_str(" (table");
                        write_ref_id(&mut self.out, &self.ids.tables, table.0);
                        self.out.push(')');
                    }
                    self.out.push(' ');
                    let cx = self.body_cx(&[], None);
                    let mut s = String::new();
                    write_const_expr(&mut s, offset, &cx, Some("offset"));
                    self.out.push_str(&s);
                }
            }
            match &e.items {
                ElemItems::Funcs(fs) => {
                    self.out.push_str(" func");
                    for f in fs {
                        self.out.push(' ');
                        self.func_ref(f.0);
                    }
                }
                ElemItems::Exprs(es) => {
                    let _ = write!(self.out, " {}", ValType::Ref(e.ty));
                    let cx = self.body_cx(&[], None);
                    let mut s = String::new();
                    for x in es {
                        s.push(' ');
                        write_const_expr(&mut s, x, &cx, Some("item"));
                    }
                    self.out.push_str(&s);
                }
            }
            self.out.push_str(")\n");
        }
    }

    fn datas(&mut self) {
        let m = self.module;
        for (k, d) in m.datas.iter().enumerate() {
            self.out.push_str("  (data ");
            write_def_id(&mut self.out, &self.ids.datas, k);
            let _ = write!(self.out, "(;{k};)");
            if let DataMode::Active { memory, offset } = &d.mode {
                if memory.0 != 0 {
                    self.out.push_str(" (memory");
                    write_ref_id(&mut self.out, &self.ids.memories, memory.0);
                    self.out.push(')');
                }
                self.out.push(' ');
                let cx = self.body_cx(&[], None);
                let mut s = String::new();
                write_const_expr(&mut s, offset, &cx, Some("offset"));
                self.out.push_str(&s);
            }
            let many = d.init.len() > DATA_CHUNK;
            for chunk in d.init.chunks(DATA_CHUNK) {
                self.out.push_str(if many { "\n    " } else { " " });
                write_bytes_string(&mut self.out, chunk);
            }
            self.out.push_str(")\n");
        }
    }

    fn customs(&mut self) {
        for c in &self.module.customs {
            let place = match c.place {
                CustomPlace::First => "before first",
                CustomPlace::After(id) => match id {
                    1 => "after type",
                    2 => "after import",
                    3 => "after func",
                    4 => "after table",
                    5 => "after memory",
                    6 => "after global",
                    7 => "after export",
                    8 => "after start",
                    9 => "after elem",
                    10 => "after code",
                    11 => "after data",
                    12 => "after datacount",
                    _ => "after last",
                },
            };
            if self.opts.custom_annotations {
                self.out.push_str("  (@custom ");
                write_name_string(&mut self.out, &c.name);
                let _ = write!(self.out, " ({place}) ");
                write_bytes_string(&mut self.out, &c.data);
                self.out.push_str(")\n");
            } else {
                self.out.push_str("  ;; custom section ");
                write_name_string(&mut self.out, &c.name);
                let _ = writeln!(self.out, " ({place}), {} bytes", c.data.len());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use weft_binary::encode_instr;
    use weft_syntax::{
        BlockType, Code, Data, Elem, Export, FuncIdx, Global, Import, LabelIdx, LocalIdx, Locals,
        MemArg, MemIdx, MemType, Names, TableIdx, F32, F64, V128,
    };

    fn expr(instrs: &[Instr<'_>]) -> Expr<'static> {
        let mut bytes = Vec::new();
        for i in instrs {
            encode_instr(i, &mut bytes);
        }
        encode_instr(&Instr::End {}, &mut bytes);
        Expr {
            bytes: Cow::Owned(bytes),
            offset: 0,
        }
    }

    fn raw(bytes: Vec<u8>) -> Expr<'static> {
        Expr {
            bytes: Cow::Owned(bytes),
            offset: 0,
        }
    }

    fn one_func(body: Expr<'static>) -> Module<'static> {
        Module {
            types: weft_syntax::Types::from_iter([FuncType {
                params: vec![ValType::I32],
                results: vec![ValType::I32],
            }]),
            funcs: vec![TypeIdx(0)],
            mems: vec![MemType::new(Limits { min: 1, max: None })],
            code: vec![Code {
                locals: vec![],
                body,
            }],
            ..Module::default()
        }
    }

    use weft_syntax::Expr;

    #[test]
    fn identifiers() {
        assert_eq!(ident("foo.bar"), Some("$foo.bar".to_string()));
        assert_eq!(ident("a b"), Some("$\"a b\"".to_string()));
        assert_eq!(ident(""), None);
        assert_eq!(ident("é"), Some("$\"\\c3\\a9\"".to_string()));
        assert_eq!(ident("\"\\"), Some("$\"\\\"\\\\\"".to_string()));
        let v = idents([(1, "a"), (0, "a"), (2, "b c"), (3, "d")].into_iter(), 3);
        assert_eq!(v, vec![(1, "$a".to_string()), (2, "$\"b c\"".to_string())]);
    }

    #[test]
    fn strings() {
        let mut s = String::new();
        write_bytes_string(&mut s, b"a\"\\\x00\xff~");
        assert_eq!(s, r#""a\"\\\00\ff~""#);
        let mut s = String::new();
        write_name_string(&mut s, "é\n\u{202e}");
        assert_eq!(s, "\"é\\0a\\e2\\80\\ae\"");
    }

    #[test]
    fn whole_module() {
        use Instr::*;
        let body = expr(&[
            Block {
                block_type: BlockType::Value(ValType::I32),
            },
            LocalGet { local: LocalIdx(0) },
            I32Load {
                memarg: MemArg {
                    align: 2,
                    offset: 0,
                    memory: MemIdx(0),
                },
            },
            I32Load8U {
                memarg: MemArg {
                    align: 0,
                    offset: 16,
                    memory: MemIdx(0),
                },
            },
            I64Load {
                memarg: MemArg {
                    align: 1,
                    offset: 0,
                    memory: MemIdx(0),
                },
            },
            Drop {},
            BrIf { label: LabelIdx(0) },
            End {},
            LocalTee { local: LocalIdx(1) },
            Call { func: FuncIdx(1) },
            F32Const {
                value: F32(0x7fc0_0001),
            },
            F64Const {
                value: F64(0x3ff8_0000_0000_0000),
            },
            V128Const {
                value: V128([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
            },
            CallIndirect {
                ty: TypeIdx(0),
                table: TableIdx(0),
            },
        ]);
        let mut m = one_func(body);
        m.imports.push(Import {
            module: Cow::Borrowed("env"),
            name: Cow::Borrowed("f"),
            desc: ImportDesc::Func(TypeIdx(0)),
            exact: false,
        });
        m.code[0].locals.push(Locals {
            count: 2,
            ty: ValType::I64,
        });
        m.globals.push(Global {
            ty: GlobalType {
                mutability: Mut::Var,
                content: ValType::I32,
            },
            init: expr(&[I32Const { value: -7 }]),
        });
        m.tables.push(
            TableType::new(
                weft_syntax::RefType::FUNCREF,
                Limits {
                    min: 2,
                    max: Some(3),
                },
            )
            .into(),
        );
        m.exports.push(Export {
            name: Cow::Borrowed("run"),
            desc: ExportDesc::Func(FuncIdx(1)),
        });
        m.elems.push(Elem {
            ty: weft_syntax::RefType::FUNCREF,
            items: ElemItems::Funcs(vec![FuncIdx(0), FuncIdx(1)]),
            mode: ElemMode::Active {
                table: TableIdx(0),
                offset: expr(&[I32Const { value: 0 }]),
            },
        });
        m.elems.push(Elem {
            ty: weft_syntax::RefType::FUNCREF,
            items: ElemItems::Exprs(vec![
                expr(&[RefFunc { func: FuncIdx(0) }]),
                expr(&[RefNull {
                    ty: weft_syntax::HeapType::Func,
                }]),
            ]),
            mode: ElemMode::Declarative,
        });
        m.datas.push(Data {
            init: Cow::Borrowed(b"hi\n"),
            mode: DataMode::Active {
                memory: MemIdx(0),
                offset: expr(&[I32Const { value: 8 }, I32Const { value: 1 }, I32Add {}]),
            },
        });
        m.names = Names {
            module: Some(Cow::Borrowed("m")),
            funcs: vec![
                (FuncIdx(0), Cow::Borrowed("imported")),
                (FuncIdx(1), Cow::Borrowed("run it")),
            ],
            locals: vec![(
                FuncIdx(1),
                vec![
                    (LocalIdx(0), Cow::Borrowed("x")),
                    (LocalIdx(2), Cow::Borrowed("x")),
                    (LocalIdx(1), Cow::Borrowed("y")),
                ],
            )],
            ..Names::default()
        };
        let expected = r#"(module $m
  (type (;0;) (func (param i32) (result i32)))
  (import "env" "f" (func $imported (;0;) (type 0) (param i32) (result i32)))
  (func $"run it" (;1;) (type 0) (param $x i32) (result i32)
    (local $y i64) (local i64)
    block (result i32)
      local.get $x
      i32.load
      i32.load8_u offset=16
      i64.load align=2
      drop
      br_if 0
    end
    local.tee $y
    call $"run it"
    f32.const nan:0x400001
    f64.const 1.5
    v128.const i32x4 0x00000001 0x00000002 0x00000003 0xffffffff
    call_indirect (type 0)
  )
  (table (;0;) 2 3 funcref)
  (memory (;0;) 1)
  (global (;0;) (mut i32) (i32.const -7))
  (export "run" (func $"run it"))
  (elem (;0;) (i32.const 0) func $imported $"run it")
  (elem (;1;) declare funcref (ref.func $imported) (ref.null func))
  (data (;0;) (offset i32.const 8 i32.const 1 i32.add) "hi\0a")
)
"#;
        assert_eq!(print(&m), expected);
        let folded = print_with(
            &m,
            &PrintOptions {
                folded: true,
                ..PrintOptions::default()
            },
        );
        let body = r#"
    (call $"run it"
      (local.tee $y
        (block (result i32)
          (drop (i64.load align=2 (i32.load8_u offset=16 (i32.load (local.get $x)))))
          (br_if 0))))
    (f32.const nan:0x400001)
    (call_indirect (type 0)
      (f64.const 1.5)
      (v128.const i32x4 0x00000001 0x00000002 0x00000003 0xffffffff))
  )"#;
        assert!(folded.contains(body), "{folded}");
    }

    #[test]
    fn custom_sections() {
        let mut m = Module::default();
        m.customs.push(weft_syntax::Custom {
            name: Cow::Borrowed("meta"),
            data: Cow::Borrowed(b"\x01a"),
            place: CustomPlace::After(10),
        });
        assert_eq!(
            print(&m),
            "(module\n  ;; custom section \"meta\" (after code), 2 bytes\n)\n"
        );
        let annotated = print_with(
            &m,
            &PrintOptions {
                custom_annotations: true,
                ..PrintOptions::default()
            },
        );
        assert_eq!(
            annotated,
            "(module\n  (@custom \"meta\" (after code) \"\\01a\")\n)\n"
        );
    }

    #[test]
    fn malformed_bodies_print_an_error() {
        // A truncated `i32.const`, an unknown opcode, bytes after the end,
        // a missing end.
        for (bytes, message) in [
            (vec![0x41], "error: unexpected end"),
            (vec![0x41, 0x00, 0xff, 0x0b], "error: illegal opcode"),
            (vec![0x0b, 0x01, 0x0b], "error: operators remaining"),
            (vec![0x02, 0x40, 0x01], "error: unexpected end"),
        ] {
            for folded in [false, true] {
                let m = one_func(raw(bytes.clone()));
                let opts = PrintOptions {
                    folded,
                    ..PrintOptions::default()
                };
                let text = print_with(&m, &opts);
                assert!(text.contains(message), "{text}");
            }
        }
    }

    /// Random bodies, names and indices: printing never panics.
    #[test]
    fn random_input_never_panics() {
        let mut rng = float::tests::XorShift(0x1234_5678_9abc_def1);
        for round in 0..3000 {
            let len = (rng.next() % 64) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if round % 2 == 0 {
                bytes.push(0x0b);
            }
            let mut m = one_func(raw(bytes.clone()));
            m.funcs[0] = TypeIdx((rng.next() % 3) as u32);
            m.globals.push(Global {
                ty: GlobalType {
                    mutability: Mut::Const,
                    content: ValType::I32,
                },
                init: raw(bytes),
            });
            m.names
                .locals
                .push((FuncIdx(0), vec![(LocalIdx(7), Cow::Borrowed("x"))]));
            for folded in [false, true] {
                let opts = PrintOptions {
                    folded,
                    ..PrintOptions::default()
                };
                let _ = print_with(&m, &opts);
            }
        }
    }

    /// Deep nesting neither overflows the stack nor makes the output
    /// quadratic in size.
    #[test]
    fn deep_nesting() {
        let n = 100_000;
        let mut bytes = Vec::new();
        for _ in 0..n {
            bytes.extend_from_slice(&[0x02, 0x40]);
        }
        bytes.resize(bytes.len() + n + 1, 0x0b);
        let mut chain = vec![0x41, 0x00];
        for _ in 0..n {
            chain.extend_from_slice(&[0x41, 0x01, 0x6a]);
        }
        chain.push(0x0b);
        for body in [bytes, chain] {
            for folded in [false, true] {
                let m = one_func(raw(body.clone()));
                let opts = PrintOptions {
                    folded,
                    ..PrintOptions::default()
                };
                let text = print_with(&m, &opts);
                assert!(text.len() < 20_000_000, "{}", text.len());
            }
        }
    }

    #[test]
    fn print_instr_is_numeric() {
        let i = Instr::MemoryInit {
            data: weft_syntax::DataIdx(3),
            mem: MemIdx(0),
        };
        assert_eq!(print_instr(&i), "memory.init 3");
        let i = Instr::TypedSelect {
            ty: ValType::EXTERNREF,
        };
        assert_eq!(print_instr(&i), "select (result externref)");
    }
}
