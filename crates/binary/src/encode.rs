//! Encoding a module (§5.5).
//!
//! Every number the encoder writes itself uses its minimal LEB128 encoding;
//! function bodies and constant expressions are already encoded ([`Expr`])
//! and are copied as they are. Sections come in the spec's order, empty
//! ones are left out, custom sections go back to their [`CustomPlace`] and
//! the `name` section, built from [`Module::names`], comes last.
//!
//! Element and data segments take the binary form that `wasm-encoder` (and
//! so the `wast` crate) chooses for the same segment, so that a text module
//! encoded by either decodes to the same [`Module`].

use crate::instr::{
    encode_instr, write_heap_type, write_ref_type, write_u32, write_u64, write_val_type,
};
use crate::names::{encode_names, write_name};
use crate::sections::{id, SECTION_ORDER};
use weft_syntax::{
    AddrType, CompositeType, CustomPlace, DataMode, ElemItems, ElemMode, ExportDesc, Expr,
    FieldType, FuncType, GlobalType, HeapType, ImportDesc, Instr, Limits, MemType, Module, Mut,
    RefType, StorageType, SubType, TableType, TagType, Types,
};

/// Encodes a module in the binary format.
pub fn encode(module: &Module<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&crate::sections::MAGIC);
    out.extend_from_slice(&crate::sections::VERSION);
    let mut payload = Vec::new();
    customs(module, &mut out, |p| p == CustomPlace::First);
    for section_id in SECTION_ORDER {
        if section(module, section_id, &mut payload) {
            write_section(&mut out, section_id, &mut payload);
        } else {
            payload.clear();
        }
        customs(module, &mut out, |p| p == CustomPlace::After(section_id));
    }
    // Places that name no known section: at the end.
    customs(
        module,
        &mut out,
        |p| matches!(p, CustomPlace::After(x) if !SECTION_ORDER.contains(&x)),
    );
    if !module.names.is_empty() {
        write_name(&mut payload, "name");
        payload.extend_from_slice(&encode_names(&module.names));
        write_section(&mut out, id::CUSTOM, &mut payload);
    }
    out
}

fn write_section(out: &mut Vec<u8>, section_id: u8, payload: &mut Vec<u8>) {
    out.push(section_id);
    write_len(out, payload.len());
    out.append(payload);
}

fn write_len(out: &mut Vec<u8>, len: usize) {
    write_u64(out, len as u64);
}

/// A tag type (§5.3.11 of 3.0): attribute 0 and the type index.
fn tag_type(out: &mut Vec<u8>, t: &TagType) {
    out.push(0x00);
    write_u32(out, t.ty.0);
}

fn customs(module: &Module<'_>, out: &mut Vec<u8>, at: impl Fn(CustomPlace) -> bool) {
    let mut payload = Vec::new();
    for c in module.customs.iter().filter(|c| at(c.place)) {
        write_name(&mut payload, &c.name);
        payload.extend_from_slice(&c.data);
        write_section(out, id::CUSTOM, &mut payload);
    }
}

/// Writes the payload of a known section into `out`; false if the section
/// is empty and is left out.
fn section(m: &Module<'_>, section_id: u8, out: &mut Vec<u8>) -> bool {
    match section_id {
        id::TYPE => types(out, &m.types),
        id::IMPORT => vec(out, &m.imports, |out, i| {
            write_name(out, &i.module);
            write_name(out, &i.name);
            match i.desc {
                ImportDesc::Func(t) => {
                    // 0x20: an exact function import (custom descriptors).
                    out.push(if i.exact { 0x20 } else { 0x00 });
                    write_u32(out, t.0);
                }
                ImportDesc::Table(t) => {
                    out.push(0x01);
                    table_type(out, &t);
                }
                ImportDesc::Memory(t) => {
                    out.push(0x02);
                    mem_type(out, &t);
                }
                ImportDesc::Global(t) => {
                    out.push(0x03);
                    global_type(out, &t);
                }
                ImportDesc::Tag(t) => {
                    out.push(0x04);
                    tag_type(out, &t);
                }
            }
        }),
        id::FUNCTION => vec(out, &m.funcs, |out, t| write_u32(out, t.0)),
        id::TABLE => vec(out, &m.tables, |out, t| match &t.init {
            None => table_type(out, &t.ty),
            Some(init) => {
                out.extend_from_slice(&[0x40, 0x00]);
                table_type(out, &t.ty);
                expr(out, init);
            }
        }),
        id::MEMORY => vec(out, &m.mems, mem_type),
        id::TAG => vec(out, &m.tags, tag_type),
        id::GLOBAL => vec(out, &m.globals, |out, g| {
            global_type(out, &g.ty);
            expr(out, &g.init);
        }),
        id::EXPORT => vec(out, &m.exports, |out, e| {
            write_name(out, &e.name);
            out.push(match e.desc {
                ExportDesc::Func(_) => 0x00,
                ExportDesc::Table(_) => 0x01,
                ExportDesc::Memory(_) => 0x02,
                ExportDesc::Global(_) => 0x03,
                ExportDesc::Tag(_) => 0x04,
            });
            write_u32(out, e.desc.index());
        }),
        id::START => match m.start {
            Some(f) => {
                write_u32(out, f.0);
                true
            }
            None => false,
        },
        id::ELEMENT => vec(out, &m.elems, |out, e| elem(out, e)),
        id::DATA_COUNT => match m.data_count {
            Some(n) => {
                write_u32(out, n);
                true
            }
            None => false,
        },
        id::CODE => vec(out, &m.code, |out, c| {
            let mut entry = Vec::new();
            write_len(&mut entry, c.locals.len());
            for l in &c.locals {
                write_u32(&mut entry, l.count);
                write_val_type(&mut entry, l.ty);
            }
            entry.extend_from_slice(&c.body.bytes);
            write_len(out, entry.len());
            out.append(&mut entry);
        }),
        id::DATA => vec(out, &m.datas, |out, d| {
            match &d.mode {
                DataMode::Passive => out.push(0x01),
                DataMode::Active { memory, offset } => {
                    if memory.0 == 0 {
                        out.push(0x00);
                    } else {
                        out.push(0x02);
                        write_u32(out, memory.0);
                    }
                    expr(out, offset);
                }
            }
            write_len(out, d.init.len());
            out.extend_from_slice(&d.init);
        }),
        _ => false,
    }
}

/// Writes a vector; false if it is empty.
fn vec<T>(out: &mut Vec<u8>, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) -> bool {
    write_len(out, items.len());
    for i in items {
        item(out, i);
    }
    !items.is_empty()
}

/// The type section (§5.5.4): a group of one plain final subtype is
/// written in the short form, as Wasm 2.0 writes it; other groups as
/// `0x4E` and their subtypes (or one subtype when the group has one).
fn types(out: &mut Vec<u8>, types: &Types) -> bool {
    write_len(out, types.group_count());
    for (_, group) in types.groups() {
        if let [t] = group {
            sub_type(out, t);
        } else {
            out.push(0x4E);
            write_len(out, group.len());
            group.iter().for_each(|t| sub_type(out, t));
        }
    }
    types.group_count() > 0
}

/// A subtype (§5.3.9): the bare composite type when final without
/// supertypes, else `0x4F`/`0x50` and the supertype indices first.
fn sub_type(out: &mut Vec<u8>, t: &SubType) {
    if !(t.is_final && t.supertypes.is_empty()) {
        out.push(if t.is_final { 0x4F } else { 0x50 });
        write_len(out, t.supertypes.len());
        for &s in &t.supertypes {
            match s {
                HeapType::Concrete(i) => write_u32(out, i.0),
                // A module's supertypes are type indices; anything else
                // (a rolled group) writes what identifies it.
                h => write_heap_type(out, h),
            }
        }
    }
    // Custom descriptors: `0x4C x` (describes), then `0x4D y` (descriptor).
    for (byte, clause) in [(0x4C, t.describes), (0x4D, t.descriptor)] {
        match clause {
            Some(HeapType::Concrete(i)) => {
                out.push(byte);
                write_u32(out, i.0);
            }
            Some(h) => {
                out.push(byte);
                write_heap_type(out, h);
            }
            None => {}
        }
    }
    match &t.composite {
        CompositeType::Func(f) => func_type(out, f),
        CompositeType::Struct(s) => {
            out.push(0x5F);
            vec(out, &s.fields, |out, f| field_type(out, *f));
        }
        CompositeType::Array(a) => {
            out.push(0x5E);
            field_type(out, a.field);
        }
    }
}

fn field_type(out: &mut Vec<u8>, f: FieldType) {
    match f.storage {
        StorageType::I8 => out.push(0x78),
        StorageType::I16 => out.push(0x77),
        StorageType::Val(v) => write_val_type(out, v),
    }
    out.push(match f.mutability {
        Mut::Const => 0x00,
        Mut::Var => 0x01,
    });
}

fn func_type(out: &mut Vec<u8>, t: &FuncType) {
    out.push(0x60);
    for ts in [&t.params, &t.results] {
        write_len(out, ts.len());
        for &v in ts.iter() {
            write_val_type(out, v);
        }
    }
}

fn ref_type(out: &mut Vec<u8>, t: RefType) {
    write_ref_type(out, t);
}

/// Flags and limits (§5.3.7): bit 0 a maximum, bit 1 shared, bit 2 64-bit
/// addresses, bit 3 a page size follows the limits.
fn limits(out: &mut Vec<u8>, addr: AddrType, l: &Limits, shared: bool, page_size: Option<u32>) {
    let mut flags = 0;
    if l.max.is_some() {
        flags |= 0x01;
    }
    if shared {
        flags |= 0x02;
    }
    if addr == AddrType::I64 {
        flags |= 0x04;
    }
    if page_size.is_some() {
        flags |= 0x08;
    }
    out.push(flags);
    write_u64(out, l.min);
    if let Some(max) = l.max {
        write_u64(out, max);
    }
    if let Some(p) = page_size {
        write_u32(out, p);
    }
}

fn table_type(out: &mut Vec<u8>, t: &TableType) {
    ref_type(out, t.elem);
    limits(out, t.addr, &t.limits, false, None);
}

fn mem_type(out: &mut Vec<u8>, t: &MemType) {
    limits(out, t.addr, &t.limits, t.shared, t.page_size_log2);
}

fn global_type(out: &mut Vec<u8>, t: &GlobalType) {
    write_val_type(out, t.content);
    out.push(match t.mutability {
        Mut::Const => 0x00,
        Mut::Var => 0x01,
    });
}

fn expr(out: &mut Vec<u8>, e: &Expr<'_>) {
    out.extend_from_slice(&e.bytes);
}

/// An element segment in the form `wasm-encoder` picks: active segments
/// on table 0 whose items are function indices or `funcref` expressions use
/// the short forms 0 and 4 without a type; all others spell out the table
/// and type (forms 2 and 6), passive and declarative ones use forms 1/5
/// and 3/7. Function indices of a segment whose type is not `funcref`
/// cannot be written as indices and become `ref.func` expressions.
fn elem(out: &mut Vec<u8>, e: &weft_syntax::Elem<'_>) {
    let as_exprs = match &e.items {
        ElemItems::Funcs(_) => e.ty != RefType::FUNCREF,
        ElemItems::Exprs(_) => true,
    };
    let expr_bit = if as_exprs { 0b100 } else { 0 };
    let explicit_type = match &e.mode {
        ElemMode::Passive => {
            out.push(0b001 | expr_bit);
            true
        }
        ElemMode::Declarative => {
            out.push(0b011 | expr_bit);
            true
        }
        ElemMode::Active { table, offset } => {
            if table.0 == 0 && e.ty == RefType::FUNCREF {
                out.push(expr_bit);
                expr(out, offset);
                false
            } else {
                out.push(0b010 | expr_bit);
                write_u32(out, table.0);
                expr(out, offset);
                true
            }
        }
    };
    if explicit_type {
        if as_exprs {
            ref_type(out, e.ty);
        } else {
            out.push(0x00); // elemkind funcref
        }
    }
    match &e.items {
        ElemItems::Funcs(fs) if as_exprs => {
            write_len(out, fs.len());
            for &func in fs {
                encode_instr(&Instr::RefFunc { func }, out);
                encode_instr(&Instr::End {}, out);
            }
        }
        ElemItems::Funcs(fs) => {
            write_len(out, fs.len());
            for f in fs {
                write_u32(out, f.0);
            }
        }
        ElemItems::Exprs(es) => {
            write_len(out, es.len());
            for x in es {
                expr(out, x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, section_headers};
    use std::borrow::Cow;
    use weft_syntax::{Custom, Data, Elem, Features, FuncIdx, MemIdx, MemType, Names, TableIdx};

    fn i32_const_0() -> Expr<'static> {
        Expr {
            bytes: Cow::Borrowed(b"\x41\x00\x0B"),
            offset: 0,
        }
    }

    fn ref_null(ty: u8) -> Expr<'static> {
        Expr {
            bytes: Cow::Owned(vec![0xD0, ty, 0x0B]),
            offset: 0,
        }
    }

    fn active(table: u32) -> ElemMode<'static> {
        ElemMode::Active {
            table: TableIdx(table),
            offset: i32_const_0(),
        }
    }

    #[test]
    fn element_forms_follow_wasm_encoder() {
        let funcs = || ElemItems::Funcs(vec![FuncIdx(0)]);
        let cases: Vec<(Elem<'static>, u8)> = vec![
            (
                Elem {
                    ty: RefType::FUNCREF,
                    items: funcs(),
                    mode: active(0),
                },
                0,
            ),
            (
                Elem {
                    ty: RefType::FUNCREF,
                    items: funcs(),
                    mode: ElemMode::Passive,
                },
                1,
            ),
            (
                Elem {
                    ty: RefType::FUNCREF,
                    items: funcs(),
                    mode: active(1),
                },
                2,
            ),
            (
                Elem {
                    ty: RefType::FUNCREF,
                    items: funcs(),
                    mode: ElemMode::Declarative,
                },
                3,
            ),
            (
                Elem {
                    ty: RefType::FUNCREF,
                    items: ElemItems::Exprs(vec![ref_null(0x70)]),
                    mode: active(0),
                },
                4,
            ),
            (
                Elem {
                    ty: RefType::EXTERNREF,
                    items: ElemItems::Exprs(vec![ref_null(0x6F)]),
                    mode: ElemMode::Passive,
                },
                5,
            ),
            (
                Elem {
                    ty: RefType::EXTERNREF,
                    items: ElemItems::Exprs(vec![ref_null(0x6F)]),
                    mode: active(0),
                },
                6,
            ),
            (
                Elem {
                    ty: RefType::FUNCREF,
                    items: ElemItems::Exprs(vec![]),
                    mode: ElemMode::Declarative,
                },
                7,
            ),
        ];
        for (elem, form) in cases {
            let m = Module {
                elems: vec![elem],
                ..Module::default()
            };
            let bytes = encode(&m);
            // Header, section id, size, count, then the flags.
            assert_eq!(bytes[11], form, "{:?}", m.elems[0]);
            let back = decode(&bytes, Features::WASM2).unwrap();
            assert_eq!(back.elems[0].ty, m.elems[0].ty);
            assert_eq!(back.elems[0].items.len(), m.elems[0].items.len());
        }
    }

    #[test]
    fn data_forms_and_section_order() {
        let data = |mode| Data {
            init: Cow::Borrowed(b"hi"),
            mode,
        };
        let m = Module {
            mems: vec![MemType::new(Limits { min: 1, max: None })],
            datas: vec![
                data(DataMode::Active {
                    memory: MemIdx(0),
                    offset: i32_const_0(),
                }),
                data(DataMode::Passive),
                data(DataMode::Active {
                    memory: MemIdx(1),
                    offset: i32_const_0(),
                }),
            ],
            data_count: Some(3),
            customs: vec![
                Custom {
                    name: "end".into(),
                    data: Cow::Borrowed(b"z"),
                    place: CustomPlace::After(99),
                },
                Custom {
                    name: "first".into(),
                    data: Cow::Borrowed(b""),
                    place: CustomPlace::First,
                },
                Custom {
                    name: "after-func".into(),
                    data: Cow::Borrowed(b""),
                    place: CustomPlace::After(id::FUNCTION),
                },
            ],
            names: Names {
                module: Some("m".into()),
                ..Names::default()
            },
            ..Module::default()
        };
        let bytes = encode(&m);
        let layout: Vec<(u8, Option<String>)> = section_headers(&bytes)
            .unwrap()
            .into_iter()
            .map(|h| (h.id, h.name))
            .collect();
        let custom = |n: &str| (0, Some(n.to_string()));
        assert_eq!(
            layout,
            [
                custom("first"),
                custom("after-func"),
                (id::MEMORY, None),
                (id::DATA_COUNT, None),
                (id::DATA, None),
                custom("end"),
                custom("name"),
            ]
        );
        let back = decode(&bytes, Features::WASM2).unwrap();
        assert_eq!(back.datas.len(), 3);
        assert_eq!(back.datas[1].mode, DataMode::Passive);
        assert!(matches!(
            back.datas[2].mode,
            DataMode::Active {
                memory: MemIdx(1),
                ..
            }
        ));
        assert_eq!(back.names.module.as_deref(), Some("m"));
        // The data section: count, then form 0, 1 and 2.
        let data_section = section_headers(&bytes).unwrap()[4].offset;
        assert_eq!(&bytes[data_section..data_section + 2], [3, 0]);
    }
}
