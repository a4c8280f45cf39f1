//! The `name` custom section (spec appendix 7.4.1): module name, function
//! names and local names, and the subsections of the extended-name-section
//! proposal (labels, types, tables, memories, globals, element and data
//! segments, fields, tags) with the ids wasm-tools and wabt use.
//!
//! The spec treats custom sections as opaque: a malformed name section must
//! not make a module malformed. [`parse_names`] therefore returns `None` for
//! anything it does not accept, and the decoder keeps the section as a plain
//! custom section. Subsections with unknown ids are skipped.

use crate::instr::write_u32;
use crate::Reader;
use std::borrow::Cow;
use weft_syntax::{Features, IndirectNameMap, NameMap, Names};

const MODULE: u8 = 0;

/// The subsections after the module name, by id: the field of [`Names`]
/// each one fills. Parsing and encoding are both generated from this table.
macro_rules! subsections {
    ($($id:literal $field:ident),* $(,)?) => {
        /// Parses subsection `id` into `names`; `None` if it is malformed,
        /// `Some(false)` if the id is unknown.
        fn parse_subsection<'a>(id: u8, s: &mut Reader<'a>, names: &mut Names<'a>) -> Option<bool> {
            match id {
                $($id => names.$field = NameSubsection::parse(s)?,)*
                _ => return Some(false),
            }
            Some(true)
        }

        /// Appends every non-empty subsection, in id order.
        fn encode_subsections(names: &Names<'_>, out: &mut Vec<u8>) {
            let mut sub = Vec::new();
            $(if !names.$field.is_empty() {
                names.$field.encode(&mut sub);
                subsection(out, $id, &mut sub);
            })*
        }
    };
}

subsections! {
    1 funcs,
    2 locals,
    3 labels,
    4 types,
    5 tables,
    6 memories,
    7 globals,
    8 elems,
    9 datas,
    10 fields,
    11 tags,
}

/// A vector of `(index, item)` pairs whose indices strictly increase, as
/// both kinds of name map require; `None` if they do not.
fn parse_indexed<'a, I: From<u32>, T>(
    r: &mut Reader<'a>,
    mut item: impl FnMut(&mut Reader<'a>) -> Option<T>,
) -> Option<Vec<(I, T)>> {
    let n = count(r)?;
    let mut out = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let index = r.read_u32().ok()?;
        if last.is_some_and(|l| index <= l) {
            return None;
        }
        last = Some(index);
        out.push((I::from(index), item(r)?));
    }
    Some(out)
}

/// A name map or an indirect name map, read and written the same way for
/// every index space.
trait NameSubsection<'a>: Sized {
    fn parse(r: &mut Reader<'a>) -> Option<Self>;
    fn encode(&self, out: &mut Vec<u8>);
}

impl<'a, I: From<u32> + Into<u32> + Copy> NameSubsection<'a> for NameMap<'a, I> {
    /// `(index, name)` pairs with strictly increasing indices.
    fn parse(r: &mut Reader<'a>) -> Option<Self> {
        parse_indexed(r, |r| Some(Cow::Borrowed(r.read_name().ok()?)))
    }

    fn encode(&self, out: &mut Vec<u8>) {
        write_u32(out, self.len() as u32);
        for (i, n) in self {
            write_u32(out, (*i).into());
            write_name(out, n);
        }
    }
}

impl<'a, I: From<u32> + Into<u32> + Copy, J: From<u32> + Into<u32> + Copy> NameSubsection<'a>
    for IndirectNameMap<'a, I, J>
{
    /// `(index, name map)` pairs with strictly increasing indices.
    fn parse(r: &mut Reader<'a>) -> Option<Self> {
        parse_indexed(r, NameMap::parse)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        write_u32(out, self.len() as u32);
        for (i, map) in self {
            write_u32(out, (*i).into());
            map.encode(out);
        }
    }
}

/// Parses the contents of a `name` section (after its name), `None` if it
/// is malformed: a bad subsection header or size, subsections out of order
/// or repeated, names that are not UTF-8, or indices in a name map that are
/// not strictly increasing.
pub(crate) fn parse_names(data: &[u8], features: Features) -> Option<Names<'_>> {
    let mut r = Reader::new_at(data, 0, features);
    let mut names = Names::default();
    let mut last_id: Option<u8> = None;
    while !r.is_empty() {
        let id = r.read_u8().ok()?;
        if last_id.is_some_and(|last| id <= last) {
            return None;
        }
        last_id = Some(id);
        let size = r.read_u32().ok()? as usize;
        let body = r.read_bytes(size).ok()?;
        let mut s = Reader::new_at(body, 0, features);
        if id == MODULE {
            names.module = Some(Cow::Borrowed(s.read_name().ok()?));
        } else if !parse_subsection(id, &mut s, &mut names)? {
            continue;
        }
        if !s.is_empty() {
            return None;
        }
    }
    Some(names)
}

/// A vector count, checked against the bytes left (every entry takes at
/// least two bytes).
fn count(r: &mut Reader<'_>) -> Option<usize> {
    let n = r.read_u32().ok()? as usize;
    (n <= r.remaining() / 2).then_some(n)
}

/// Appends a name (§5.2.4).
pub(crate) fn write_name(out: &mut Vec<u8>, name: &str) {
    write_u32(out, name.len() as u32);
    out.extend_from_slice(name.as_bytes());
}

/// Appends subsection `id` with the contents of `sub`, which it empties.
fn subsection(out: &mut Vec<u8>, id: u8, sub: &mut Vec<u8>) {
    out.push(id);
    write_u32(out, sub.len() as u32);
    out.append(sub);
}

/// The contents of a `name` section (without the section name).
pub(crate) fn encode_names(names: &Names<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(module) = &names.module {
        let mut sub = Vec::new();
        write_name(&mut sub, module);
        subsection(&mut out, MODULE, &mut sub);
    }
    encode_subsections(names, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_syntax::{
        DataIdx, ElemIdx, FieldIdx, FuncIdx, GlobalIdx, LocalIdx, MemIdx, TableIdx, TagIdx, TypeIdx,
    };

    #[test]
    fn round_trip() {
        let names = Names {
            module: Some("m".into()),
            funcs: vec![(FuncIdx(0), "f".into()), (FuncIdx(3), "g".into())],
            locals: vec![(FuncIdx(3), vec![(LocalIdx(1), "x".into())])],
            labels: vec![(FuncIdx(3), vec![(2, "l".into())])],
            types: vec![(TypeIdx(0), "t".into())],
            tables: vec![(TableIdx(1), "tab".into())],
            memories: vec![(MemIdx(0), "mem".into())],
            globals: vec![(GlobalIdx(4), "g".into())],
            elems: vec![(ElemIdx(0), "e".into())],
            datas: vec![(DataIdx(2), "d".into())],
            fields: vec![(TypeIdx(1), vec![(FieldIdx(0), "x".into())])],
            tags: vec![(TagIdx(0), "exn".into())],
        };
        let bytes = encode_names(&names);
        assert_eq!(parse_names(&bytes, Features::WASM2), Some(names));
    }

    #[test]
    fn malformed() {
        let f = Features::WASM2;
        // Functions before module.
        assert_eq!(parse_names(b"\x01\x01\x00\x00\x02\x01m", f), None);
        // Indices not increasing.
        assert_eq!(parse_names(b"\x01\x07\x02\x01\x01a\x01\x01b", f), None);
        // Subsection longer than the section.
        assert_eq!(parse_names(b"\x00\x09\x01m", f), None);
        // Bad UTF-8.
        assert_eq!(parse_names(b"\x00\x02\x01\xff", f), None);
        // Unknown subsections are skipped.
        let n = parse_names(b"\x00\x02\x01m\x0c\x03abc", f).unwrap();
        assert_eq!(n.module.as_deref(), Some("m"));
    }
}
