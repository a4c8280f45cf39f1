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
        n
    }
}

/// ` <name>` if `map` has a name for `i`, else nothing.
pub(super) fn label(map: &HashMap<u32, String>, i: u32) -> String {
    match map.get(&i) {
        Some(n) => format!(" <{n}>"),
        None => String::new(),
    }
}
