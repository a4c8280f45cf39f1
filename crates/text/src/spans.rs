//! Where in the text each encoded instruction came from, so that an error
//! the validator reports at a byte offset of the encoding can point at the
//! line and column of the offending instruction.
//!
//! Only the text path pays for this: the body parser records one mark per
//! instruction (the byte offset in its expression and the token's
//! position), keyed by the expression's place in the module. The binary
//! offsets themselves come from decoding the encoding (a decoded module
//! knows the absolute offset of every expression), so the encoder needs no
//! bookkeeping and binary input none at all.

use std::collections::HashMap;
use weft_syntax::{DataMode, ElemItems, ElemMode, Expr, Module, ModuleField};

/// Where an expression is in a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ExprPlace {
    /// The body of the k-th function with code.
    Code(usize),
    Global(usize),
    Table(usize),
    ElemOffset(usize),
    /// Item j of element segment k.
    ElemItem(usize, usize),
    DataOffset(usize),
}

/// One instruction: its offset in the expression's bytes and the 1-based
/// line and column of the token it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mark {
    pub offset: u32,
    pub line: u32,
    pub col: u32,
}

/// The text positions of a module's instructions; see [`crate::parse_wat_with_spans`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    exprs: HashMap<ExprPlace, Vec<Mark>>,
    /// The line and column of each module field's keyword.
    fields: HashMap<ModuleField, (u32, u32)>,
}

impl SourceMap {
    pub(crate) fn insert_field(&mut self, field: ModuleField, at: (u32, u32)) {
        self.fields.insert(field, at);
    }

    /// The 1-based line and column of the keyword of module field `field`
    /// (`export` in `(export "f" (func 0))`; for an inline import or
    /// export, that of the definition it is written in), for validation
    /// errors about a field as a whole.
    pub fn locate_field(&self, field: ModuleField) -> Option<(usize, usize)> {
        let &(line, col) = self.fields.get(&field)?;
        Some((line as usize, col as usize))
    }

    pub(crate) fn insert(&mut self, place: ExprPlace, marks: Vec<Mark>) {
        if !marks.is_empty() {
            self.exprs.insert(place, marks);
        }
    }

    /// The 1-based line and column of the instruction at the absolute byte
    /// `offset` of a binary, given `decoded`, that binary decoded. The
    /// binary must be the encoding of the module this map was made with.
    /// `None` when the offset is in no expression (an error about a module
    /// field rather than an instruction).
    pub fn locate(&self, decoded: &Module<'_>, offset: usize) -> Option<(usize, usize)> {
        let (place, expr) = places(decoded).find(|(_, e)| {
            // An error at the end of an expression (a missing `end`, the
            // final `end`'s type check) is reported just past it.
            e.offset <= offset && offset <= e.offset + e.bytes.len()
        })?;
        let marks = self.exprs.get(&place)?;
        let rel = u32::try_from(offset - expr.offset).ok()?;
        let at = marks.partition_point(|m| m.offset <= rel).checked_sub(1)?;
        let m = marks.get(at)?;
        Some((m.line as usize, m.col as usize))
    }
}

/// Every expression of a module with its place.
fn places<'m, 'a>(m: &'m Module<'a>) -> impl Iterator<Item = (ExprPlace, &'m Expr<'a>)> {
    let code = m
        .code
        .iter()
        .enumerate()
        .map(|(k, c)| (ExprPlace::Code(k), &c.body));
    let globals = m
        .globals
        .iter()
        .enumerate()
        .map(|(k, g)| (ExprPlace::Global(k), &g.init));
    let tables = m
        .tables
        .iter()
        .enumerate()
        .filter_map(|(k, t)| Some((ExprPlace::Table(k), t.init.as_ref()?)));
    let elem_offsets = m
        .elems
        .iter()
        .enumerate()
        .filter_map(|(k, e)| match &e.mode {
            ElemMode::Active { offset, .. } => Some((ExprPlace::ElemOffset(k), offset)),
            _ => None,
        });
    let elem_items = m.elems.iter().enumerate().flat_map(|(k, e)| {
        let items: &[Expr<'a>] = match &e.items {
            ElemItems::Exprs(v) => v,
            ElemItems::Funcs(_) => &[],
        };
        items
            .iter()
            .enumerate()
            .map(move |(j, x)| (ExprPlace::ElemItem(k, j), x))
    });
    let data_offsets = m
        .datas
        .iter()
        .enumerate()
        .filter_map(|(k, d)| match &d.mode {
            DataMode::Active { offset, .. } => Some((ExprPlace::DataOffset(k), offset)),
            _ => None,
        });
    code.chain(globals)
        .chain(tables)
        .chain(elem_offsets)
        .chain(elem_items)
        .chain(data_offsets)
}
