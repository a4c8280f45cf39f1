//! Helpers shared by the round-trip tests: a binary without its custom
//! sections, and a module with what only a binary can say made canonical.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::borrow::Cow;
use weft_binary::{decode, encode, encode_instr, Reader};
use weft_syntax::{Features, Instr, Locals, Module};

/// The sections of a binary other than custom ones.
pub fn without_customs(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes[..8].to_vec();
    let mut r = Reader::new_at(&bytes[8..], 8, Features::WASM3);
    while !r.is_empty() {
        let start = r.position() + 8;
        let id = r.read_u8().expect("section id");
        let size = r.read_u32().expect("section size") as usize;
        r.skip(size).expect("section payload");
        if id != 0 {
            out.extend_from_slice(&bytes[start..r.position() + 8]);
        }
    }
    out
}

/// The module with what the text format cannot express made canonical:
/// bodies re-encoded minimally, local runs merged, a data count section
/// exactly when a body uses `memory.init` or `data.drop`.
pub fn canonical(m: &Module<'_>, features: Features) -> Module<'static> {
    let reencode = |bytes: &[u8]| -> Vec<u8> {
        let mut r = Reader::new_at(bytes, 0, features);
        let mut out = Vec::new();
        while !r.is_empty() {
            match r.read_instr() {
                Ok(i) => encode_instr(&i, &mut out),
                Err(_) => return bytes.to_vec(),
            }
        }
        out
    };
    let uses_data_count = |bytes: &[u8]| -> bool {
        let mut r = Reader::new_at(bytes, 0, features);
        while let Ok(i) = r.read_instr() {
            if matches!(i, Instr::MemoryInit { .. } | Instr::DataDrop { .. }) {
                return true;
            }
        }
        false
    };
    let mut c: Module<'static> = Module {
        types: m.types.clone(),
        funcs: m.funcs.clone(),
        tables: m.tables.iter().map(|t| t.to_static()).collect(),
        mems: m.mems.clone(),
        tags: m.tags.clone(),
        start: m.start,
        data_count: m.data_count,
        ..Module::default()
    };
    // Only the parts that `encode` writes matter; rebuild owned copies.
    let owned = encode(m);
    let full = decode(&owned, features).expect("re-decode");
    c.imports = full
        .imports
        .iter()
        .map(|i| weft_syntax::Import {
            module: Cow::Owned(i.module.to_string()),
            name: Cow::Owned(i.name.to_string()),
            desc: i.desc,
            exact: i.exact,
        })
        .collect();
    let own = |e: &weft_syntax::Expr<'_>| weft_syntax::Expr {
        bytes: Cow::Owned(reencode(&e.bytes)),
        offset: 0,
    };
    c.globals = full
        .globals
        .iter()
        .map(|g| weft_syntax::Global {
            ty: g.ty,
            init: own(&g.init),
        })
        .collect();
    c.exports = full
        .exports
        .iter()
        .map(|e| weft_syntax::Export {
            name: Cow::Owned(e.name.to_string()),
            desc: e.desc,
        })
        .collect();
    c.elems = full
        .elems
        .iter()
        .map(|e| weft_syntax::Elem {
            ty: e.ty,
            items: match &e.items {
                weft_syntax::ElemItems::Funcs(f) => weft_syntax::ElemItems::Funcs(f.clone()),
                weft_syntax::ElemItems::Exprs(x) => {
                    weft_syntax::ElemItems::Exprs(x.iter().map(own).collect())
                }
            },
            mode: match &e.mode {
                weft_syntax::ElemMode::Passive => weft_syntax::ElemMode::Passive,
                weft_syntax::ElemMode::Declarative => weft_syntax::ElemMode::Declarative,
                weft_syntax::ElemMode::Active { table, offset } => weft_syntax::ElemMode::Active {
                    table: *table,
                    offset: own(offset),
                },
            },
        })
        .collect();
    c.datas = full
        .datas
        .iter()
        .map(|d| weft_syntax::Data {
            init: Cow::Owned(d.init.to_vec()),
            mode: match &d.mode {
                weft_syntax::DataMode::Passive => weft_syntax::DataMode::Passive,
                weft_syntax::DataMode::Active { memory, offset } => weft_syntax::DataMode::Active {
                    memory: *memory,
                    offset: own(offset),
                },
            },
        })
        .collect();
    c.code = full
        .code
        .iter()
        .map(|code| {
            let mut locals: Vec<Locals> = Vec::new();
            for l in &code.locals {
                match locals.last_mut() {
                    _ if l.count == 0 => {}
                    Some(last) if last.ty == l.ty => last.count += l.count,
                    _ => locals.push(*l),
                }
            }
            weft_syntax::Code {
                locals,
                body: own(&code.body),
            }
        })
        .collect();
    let needs = full.code.iter().any(|c| uses_data_count(&c.body.bytes));
    c.data_count = needs.then(|| u32::try_from(full.datas.len()).unwrap_or(u32::MAX));
    c
}
