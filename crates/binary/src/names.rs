//! The `name` custom section (spec appendix 7.4.1): module name, function
//! names and local names.
//!
//! The spec treats custom sections as opaque: a malformed name section must
//! not make a module malformed. [`parse_names`] therefore returns `None` for
//! anything it does not accept, and the decoder keeps the section as a plain
//! custom section. Subsections other than the three of the spec (the
//! extended-name-section proposal's labels, types, tables, ...) are skipped.

use crate::instr::write_u32;
use crate::Reader;
use std::borrow::Cow;
use weft_syntax::{Features, FuncIdx, LocalIdx, Names};

const MODULE: u8 = 0;
const FUNCTIONS: u8 = 1;
const LOCALS: u8 = 2;

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
        match id {
            MODULE => names.module = Some(Cow::Borrowed(s.read_name().ok()?)),
            FUNCTIONS => {
                names.funcs = name_map(&mut s)?
                    .into_iter()
                    .map(|(i, n)| (FuncIdx(i), n))
                    .collect()
            }
            LOCALS => {
                let n = count(&mut s)?;
                let mut locals = Vec::with_capacity(n);
                let mut last = None;
                for _ in 0..n {
                    let func = s.read_u32().ok()?;
                    if last.is_some_and(|l| func <= l) {
                        return None;
                    }
                    last = Some(func);
                    let map = name_map(&mut s)?
                        .into_iter()
                        .map(|(i, n)| (LocalIdx(i), n))
                        .collect();
                    locals.push((FuncIdx(func), map));
                }
                names.locals = locals;
            }
            _ => continue,
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

/// A name map: `(index, name)` pairs with strictly increasing indices.
fn name_map<'a>(r: &mut Reader<'a>) -> Option<Vec<(u32, Cow<'a, str>)>> {
    let n = count(r)?;
    let mut map = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let index = r.read_u32().ok()?;
        if last.is_some_and(|l| index <= l) {
            return None;
        }
        last = Some(index);
        map.push((index, Cow::Borrowed(r.read_name().ok()?)));
    }
    Some(map)
}

/// Appends a name (§5.2.4).
pub(crate) fn write_name(out: &mut Vec<u8>, name: &str) {
    write_u32(out, name.len() as u32);
    out.extend_from_slice(name.as_bytes());
}

/// The contents of a `name` section (without the section name).
pub(crate) fn encode_names(names: &Names<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut sub = Vec::new();
    let subsection = |out: &mut Vec<u8>, id: u8, sub: &mut Vec<u8>| {
        out.push(id);
        write_u32(out, sub.len() as u32);
        out.append(sub);
    };
    if let Some(module) = &names.module {
        write_name(&mut sub, module);
        subsection(&mut out, MODULE, &mut sub);
    }
    if !names.funcs.is_empty() {
        write_u32(&mut sub, names.funcs.len() as u32);
        for (i, n) in &names.funcs {
            write_u32(&mut sub, i.0);
            write_name(&mut sub, n);
        }
        subsection(&mut out, FUNCTIONS, &mut sub);
    }
    if !names.locals.is_empty() {
        write_u32(&mut sub, names.locals.len() as u32);
        for (f, map) in &names.locals {
            write_u32(&mut sub, f.0);
            write_u32(&mut sub, map.len() as u32);
            for (i, n) in map {
                write_u32(&mut sub, i.0);
                write_name(&mut sub, n);
            }
        }
        subsection(&mut out, LOCALS, &mut sub);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let names = Names {
            module: Some("m".into()),
            funcs: vec![(FuncIdx(0), "f".into()), (FuncIdx(3), "g".into())],
            locals: vec![(FuncIdx(3), vec![(LocalIdx(1), "x".into())])],
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
        let n = parse_names(b"\x00\x02\x01m\x07\x03abc", f).unwrap();
        assert_eq!(n.module.as_deref(), Some("m"));
    }
}
