//! The names `wasm-objdump` (wabt 1.0.42) shows in `<...>` after an index.
//!
//! wabt collects them in one pass over the module, each later source
//! overwriting an earlier one: an import names its function, global, table
//! or tag `module.field`; every export of a function or global names it
//! (so the last export wins); the name section comes last and wins over
//! both. Tables and tags are not named by exports, types, data segments and
//! locals only by the name section. Names are escaped as everywhere else in
//! the tool (control characters never reach the terminal).

use std::borrow::Cow;
use std::collections::HashMap;
use weft_syntax::{escape_name, ExportDesc, ImportDesc, Module};

/// Names by index, one map per index space.
#[derive(Default)]
pub(super) struct Names {
    pub funcs: HashMap<u32, String>,
    pub globals: HashMap<u32, String>,
    /// Globals named by the name section or an export, for the global
    /// section of `-x` (which does not show import names).
    pub defined_globals: HashMap<u32, String>,
    pub tables: HashMap<u32, String>,
    /// Tables named by the name section only (the table lines of `-x`).
    pub named_tables: HashMap<u32, String>,
    pub tags: HashMap<u32, String>,
    pub types: HashMap<u32, String>,
    pub datas: HashMap<u32, String>,
    /// Local names by function, then local index.
    pub locals: HashMap<u32, HashMap<u32, String>>,
}

fn esc(s: &str) -> String {
    escape_name(s).to_string()
}

fn insert_map<I: Copy + Into<u32>>(to: &mut HashMap<u32, String>, map: &[(I, Cow<'_, str>)]) {
    for (i, n) in map {
        to.insert((*i).into(), esc(n));
    }
}

impl Names {
    pub(super) fn new(m: &Module<'_>) -> Names {
        let mut n = Names::default();
        let (mut funcs, mut globals, mut tables, mut tags) = (0u32, 0u32, 0u32, 0u32);
        for imp in &m.imports {
            let name = format!("{}.{}", esc(&imp.module), esc(&imp.name));
            let (map, counter) = match imp.desc {
                ImportDesc::Func(_) => (&mut n.funcs, &mut funcs),
                ImportDesc::Global(_) => (&mut n.globals, &mut globals),
                ImportDesc::Table(_) => (&mut n.tables, &mut tables),
                ImportDesc::Tag(_) => (&mut n.tags, &mut tags),
                ImportDesc::Memory(_) => continue,
            };
            map.insert(*counter, name);
            *counter = counter.saturating_add(1);
        }
        for e in &m.exports {
            match e.desc {
                ExportDesc::Func(f) => {
                    n.funcs.insert(f.0, esc(&e.name));
                }
                ExportDesc::Global(g) => {
                    n.globals.insert(g.0, esc(&e.name));
                    n.defined_globals.insert(g.0, esc(&e.name));
                }
                ExportDesc::Table(_) | ExportDesc::Memory(_) | ExportDesc::Tag(_) => {}
            }
        }
        n.apply_name_section(m);
        n
    }

    /// The names of the name section, over those already known.
    pub(super) fn apply_name_section(&mut self, m: &Module<'_>) {
        let n = self;
        let names = &m.names;
        insert_map(&mut n.funcs, &names.funcs);
        insert_map(&mut n.globals, &names.globals);
        insert_map(&mut n.defined_globals, &names.globals);
        insert_map(&mut n.tables, &names.tables);
        insert_map(&mut n.named_tables, &names.tables);
        insert_map(&mut n.tags, &names.tags);
        insert_map(&mut n.types, &names.types);
        insert_map(&mut n.datas, &names.datas);
        for (f, locals) in &names.locals {
            insert_map(n.locals.entry(f.0).or_default(), locals);
        }
    }

    /// The names of an object file's `linking` section, over those already
    /// known: symbols with a name of their own name their function,
    /// global, tag or table, and segment info names data segments.
    pub(super) fn apply_linking(&mut self, l: &super::linking::Linking) {
        use super::linking::Target;
        for s in l.symbols.iter().filter(|s| !s.name.is_empty()) {
            let name = esc(&s.name);
            match s.target {
                Target::Function(f) => {
                    self.funcs.insert(f, name);
                }
                Target::Global(g) => {
                    self.globals.insert(g, name.clone());
                    self.defined_globals.insert(g, name);
                }
                Target::Tag(t) => {
                    self.tags.insert(t, name);
                }
                Target::Table(t) => {
                    self.tables.insert(t, name.clone());
                    self.named_tables.insert(t, name);
                }
                Target::Data(_) | Target::Section(_) => {}
            }
        }
        for (i, (name, _, _)) in l.segments.iter().enumerate() {
            self.datas.insert(i as u32, esc(name));
        }
    }
}

/// ` <name>` if `map` has a name for `i`, else nothing.
pub(super) fn label(map: &HashMap<u32, String>, i: u32) -> String {
    match map.get(&i) {
        Some(n) => format!(" <{n}>"),
        None => String::new(),
    }
}
