//! Decoding a whole module (§5.5).
//!
//! The trade-off of this module: the testsuite's expected messages are what
//! the spec's reference interpreter reports, and that decoder reads each
//! section from one stream over the whole file, checking the section size
//! only afterwards ("section size mismatch"). An item that runs past the end
//! of its section is therefore decoded from the bytes that follow, and the
//! error is whatever those bytes provoke: "length out of bounds" for a name
//! that would reach past the end of the file, "illegal opcode" for a
//! constant expression whose `end` is missing, and so on. To report the same
//! thing we read every section with a [`Reader`] that extends to the end of
//! the file, and compare the position with the declared size afterwards.
//! Function bodies are the exception: they are cut out by their declared
//! size and kept as bytes for the validator, which reads them with
//! [`Reader::read_instr`]. Only when decoding fails anyway are the bodies
//! read so far scanned the reference way (across their declared end), so
//! that an error the reference decoder meets in a body first is the one
//! reported; a module that decodes pays nothing for that.
//!
//! Vector lengths are checked against the bytes left before anything is
//! allocated, and every element takes at least one byte, so a huge count in
//! a short input fails fast.

use crate::names::parse_names;
use crate::sections::{check_header, id, rank, section_headers};
use crate::{DecodeError, Reader, Result};
use std::borrow::Cow;
use weft_syntax::{
    ArrayType, Code, CompositeType, Custom, CustomPlace, Data, DataMode, Elem, ElemItems, ElemMode,
    Export, ExportDesc, Expr, Feature, Features, FieldType, FuncIdx, FuncType, Global, GlobalIdx,
    HeapType, Import, ImportDesc, Instr, Locals, MemIdx, Module, ModuleField, RefType, StorageType,
    StructType, SubType, Table, TableIdx, TagIdx, TypeIdx, Types,
};

/// At most this many types in a module (wasmparser's limit, so that a huge
/// type section cannot make later per-type tables unbounded).
pub const MAX_TYPES: usize = 1_000_000;

/// Decodes a module binary (§5.5) with the given features enabled.
///
/// Everything of the binary format is checked except the contents of
/// function bodies, which stay encoded in [`Code::body`] for the validator.
/// Constant expressions are scanned up to their `end` (so that a malformed
/// instruction in them is reported here, as the reference decoder does) and
/// kept encoded as well. Custom sections are kept with their place; the
/// `name` section is parsed into [`Module::names`] unless it is malformed, in
/// which case it is kept as a plain custom section (custom section contents
/// never make a module malformed).
pub fn decode(bytes: &[u8], features: Features) -> Result<Module<'_>> {
    Decoder { bytes, features }.module()
}

/// The absolute offset of `field`'s entry in the binary module `bytes`
/// (of the start section's payload for [`ModuleField::Start`]), for
/// validation errors about a field as a whole. `None` if the module has no
/// such entry or its section cannot be read up to it.
pub fn field_offset(bytes: &[u8], features: Features, field: ModuleField) -> Option<usize> {
    let (section, k) = match field {
        ModuleField::Type(k) => return type_offset(bytes, features, k),
        ModuleField::Import(k) => (id::IMPORT, k),
        ModuleField::Func(k) => (id::FUNCTION, k),
        ModuleField::Table(k) => (id::TABLE, k),
        ModuleField::Memory(k) => (id::MEMORY, k),
        ModuleField::Tag(k) => (id::TAG, k),
        ModuleField::Global(k) => (id::GLOBAL, k),
        ModuleField::Export(k) => (id::EXPORT, k),
        ModuleField::Start => (id::START, 0),
        ModuleField::Elem(k) => (id::ELEMENT, k),
        ModuleField::Data(k) => (id::DATA, k),
    };
    let h = section_headers(bytes)
        .ok()?
        .into_iter()
        .find(|h| h.id == section)?;
    if section == id::START {
        return Some(h.offset);
    }
    let d = Decoder { bytes, features };
    let mut r = d.reader_at(h.offset);
    if k >= r.read_u32().ok()? {
        return None;
    }
    for _ in 0..k {
        let skipped = match section {
            id::IMPORT => d.import(&mut r).map(drop),
            id::FUNCTION => r.read_u32().map(drop),
            id::TABLE => d.table(&mut r).map(drop),
            id::MEMORY => r.read_mem_type().map(drop),
            id::TAG => r.read_tag_type().map(drop),
            id::GLOBAL => d.global(&mut r).map(drop),
            id::EXPORT => d.export(&mut r).map(drop),
            id::ELEMENT => d.elem(&mut r).map(drop),
            _ => d.data(&mut r).map(drop),
        };
        skipped.ok()?;
    }
    Some(r.offset())
}

/// The offset of the definition of type `k` in `bytes`: its subtype inside
/// its recursion group.
fn type_offset(bytes: &[u8], features: Features, k: u32) -> Option<usize> {
    let h = section_headers(bytes)
        .ok()?
        .into_iter()
        .find(|h| h.id == id::TYPE)?;
    let d = Decoder { bytes, features };
    let mut r = d.reader_at(h.offset);
    let mut next = 0u32;
    for _ in 0..r.read_u32().ok()? {
        let members = if r.peek_u8().ok()? == 0x4E && d.has(Feature::Gc) {
            r.read_u8().ok()?;
            r.read_u32().ok()?
        } else {
            1
        };
        for _ in 0..members {
            if next == k {
                return Some(r.offset());
            }
            d.sub_type(&mut r).ok()?;
            next += 1;
        }
    }
    None
}

struct Decoder<'a> {
    bytes: &'a [u8],
    features: Features,
}

impl<'a> Decoder<'a> {
    /// A reader from absolute offset `at` to the end of the input.
    fn reader_at(&self, at: usize) -> Reader<'a> {
        Reader::new_at(self.bytes.get(at..).unwrap_or_default(), at, self.features)
    }

    fn has(&self, feature: Feature) -> bool {
        self.features.has(feature)
    }

    fn module(&self) -> Result<Module<'a>> {
        check_header(self.bytes)?;
        let mut m = Module::default();
        match self.sections(&mut m) {
            Ok(()) => Ok(m),
            // The reference decoder decodes each function body before it
            // goes on, so an instruction-level error in a body read so far
            // comes first.
            Err(e) => Err(self.body_error(&m).unwrap_or(e)),
        }
    }

    /// The first function body that does not decode the way the reference
    /// decoder reads it: instruction by instruction from its start, not
    /// limited by its declared size, up to the `end` that closes it, which
    /// must be the last byte of the code entry ("section size mismatch").
    /// Only used on the error path, so valid modules pay nothing for it.
    fn body_error(&self, m: &Module<'a>) -> Option<DecodeError> {
        m.code.iter().find_map(|code| {
            let mut r = self.reader_at(code.body.offset);
            match const_expr(&mut r) {
                Err(e) => Some(e),
                Ok(expr) if expr.bytes.len() != code.body.bytes.len() => {
                    Some(DecodeError::new("section size mismatch", code.body.offset))
                }
                Ok(_) => None,
            }
        })
    }

    fn sections(&self, m: &mut Module<'a>) -> Result<()> {
        let mut pos = 8;
        // The last known section and its rank in the section order.
        let mut last: Option<(u8, u8)> = None;
        // The last custom section called "name": its index and contents.
        let mut name_section: Option<(usize, &'a [u8])> = None;
        while let Some(&section_id) = self.bytes.get(pos) {
            let known = match section_id {
                id::DATA_COUNT => self.has(Feature::BulkMemory),
                id::TAG => self.has(Feature::Exceptions),
                _ => section_id < id::DATA_COUNT,
            };
            if !known {
                return Err(DecodeError::new("malformed section id", pos));
            }
            let rank = rank(section_id);
            if let (Some(rank), Some((_, last_rank))) = (rank, last) {
                if rank <= last_rank {
                    return Err(DecodeError::new(
                        "unexpected content after last section",
                        pos,
                    ));
                }
            }
            let mut r = self.reader_at(pos + 1);
            let size = r.read_size()?;
            let start = r.offset();
            let mut r = self.reader_at(start);
            if section_id == id::CUSTOM {
                let place = match last {
                    None => CustomPlace::First,
                    Some((after, _)) => CustomPlace::After(after),
                };
                let (name, data) = self.custom(&mut r, size)?;
                if name == "name" {
                    name_section = Some((m.customs.len(), data));
                }
                m.customs.push(Custom {
                    name: Cow::Borrowed(name),
                    data: Cow::Borrowed(data),
                    place,
                });
            } else {
                self.section(section_id, &mut r, m)?;
            }
            if r.position() != size {
                return Err(DecodeError::new("section size mismatch", start));
            }
            if let Some(rank) = rank {
                last = Some((section_id, rank));
            }
            pos = start + size;
        }
        let end = self.bytes.len();
        if m.funcs.len() != m.code.len() {
            return Err(DecodeError::new(
                "function and code section have inconsistent lengths",
                end,
            ));
        }
        if let Some(n) = m.data_count {
            if n as usize != m.datas.len() {
                return Err(DecodeError::new(
                    "data count and data section have inconsistent lengths",
                    end,
                ));
            }
        }
        // The name section: the last custom section called "name" counts
        // (the format allows one; if there are more, the others stay plain
        // custom sections, which keeps encode/decode round trips stable).
        if let Some((i, data)) = name_section {
            if let Some(names) = parse_names(data, self.features) {
                m.names = names;
                m.customs.remove(i);
            }
        }
        Ok(())
    }

    /// A custom section (§5.5.3): a name and opaque bytes.
    fn custom(&self, r: &mut Reader<'a>, size: usize) -> Result<(&'a str, &'a [u8])> {
        let name = r.read_name()?;
        let used = r.position();
        if used > size {
            return Err(r.error("unexpected end of section or function"));
        }
        let data = r.read_bytes(size - used)?;
        Ok((name, data))
    }

    fn section(&self, section_id: u8, r: &mut Reader<'a>, m: &mut Module<'a>) -> Result<()> {
        match section_id {
            id::TYPE => m.types = self.types(r)?,
            id::IMPORT => m.imports = vec(r, |r| self.import(r))?,
            id::FUNCTION => m.funcs = vec(r, |r| r.read_u32().map(TypeIdx))?,
            id::TABLE => m.tables = vec(r, |r| self.table(r))?,
            id::MEMORY => m.mems = vec(r, |r| r.read_mem_type())?,
            id::TAG => m.tags = vec(r, |r| r.read_tag_type())?,
            id::GLOBAL => m.globals = vec(r, |r| self.global(r))?,
            id::EXPORT => m.exports = vec(r, |r| self.export(r))?,
            id::START => m.start = Some(FuncIdx(r.read_u32()?)),
            id::ELEMENT => m.elems = vec(r, |r| self.elem(r))?,
            id::DATA_COUNT => m.data_count = Some(r.read_u32()?),
            id::CODE => {
                // Entry by entry into the module, so that the bodies read
                // before an error can be checked (see `body_error`).
                let n = r.read_size()?;
                m.code = Vec::with_capacity(n.min(r.remaining()));
                for _ in 0..n {
                    let code = self.code(r)?;
                    m.code.push(code);
                }
            }
            id::DATA => m.datas = vec(r, |r| self.data(r))?,
            _ => return Err(r.error("malformed section id")),
        }
        Ok(())
    }

    /// The type section (§5.5.4): recursion groups.
    fn types(&self, r: &mut Reader<'a>) -> Result<Types> {
        let n = r.read_size()?;
        let mut types = Types::default();
        for _ in 0..n {
            let at = r.offset();
            if r.peek_u8()? == 0x4E && self.has(Feature::Gc) {
                r.read_u8()?;
                let group = vec(r, |r| self.sub_type(r))?;
                if types.len() + group.len() > MAX_TYPES {
                    return Err(r.error_at("too many types", at));
                }
                types.push_group(group);
            } else {
                let t = self.sub_type(r)?;
                if types.len() >= MAX_TYPES {
                    return Err(r.error_at("too many types", at));
                }
                types.push_group([t]);
            }
        }
        Ok(types)
    }

    /// A subtype (§5.3.9): `0x50` (open) or `0x4F` (final) with supertype
    /// indices, or a bare composite type (final, no supertypes).
    fn sub_type(&self, r: &mut Reader<'a>) -> Result<SubType> {
        let is_final = match r.peek_u8()? {
            0x50 if self.has(Feature::Gc) => false,
            0x4F if self.has(Feature::Gc) => true,
            _ => {
                let (describes, descriptor) = self.descriptor_clauses(r)?;
                let composite = self.composite_type(r)?;
                return Ok(SubType {
                    is_final: true,
                    supertypes: Vec::new(),
                    describes,
                    descriptor,
                    composite,
                });
            }
        };
        r.read_u8()?;
        let supertypes = vec(r, |r| Ok(HeapType::Concrete(TypeIdx(r.read_u32()?))))?;
        let (describes, descriptor) = self.descriptor_clauses(r)?;
        let composite = self.composite_type(r)?;
        Ok(SubType {
            is_final,
            supertypes,
            describes,
            descriptor,
            composite,
        })
    }

    /// The optional clauses of the custom-descriptors proposal before a
    /// composite type: `0x4C x` (describes `x`), then `0x4D y` (descriptor
    /// `y`), each at most once and in this order (a second clause or the
    /// wrong order is then read as the composite type, and is malformed).
    fn descriptor_clauses(
        &self,
        r: &mut Reader<'a>,
    ) -> Result<(Option<HeapType>, Option<HeapType>)> {
        if !self.has(Feature::CustomDescriptors) {
            return Ok((None, None));
        }
        let clause = |r: &mut Reader<'a>, byte: u8| -> Result<Option<HeapType>> {
            if r.peek_u8()? != byte {
                return Ok(None);
            }
            r.read_u8()?;
            Ok(Some(HeapType::Concrete(TypeIdx(r.read_u32()?))))
        };
        let describes = clause(r, 0x4C)?;
        let descriptor = clause(r, 0x4D)?;
        Ok((describes, descriptor))
    }

    /// A composite type (§5.3.8): `0x60` function, `0x5F` struct or `0x5E`
    /// array. The form byte is a signed LEB128 number in the reference
    /// decoder, hence the message for a set continuation bit.
    fn composite_type(&self, r: &mut Reader<'a>) -> Result<CompositeType> {
        let at = r.offset();
        match r.read_u8()? {
            0x60 => {
                let params = vec(r, |r| r.read_val_type())?;
                let results = vec(r, |r| r.read_val_type())?;
                Ok(CompositeType::Func(FuncType { params, results }))
            }
            0x5F if self.has(Feature::Gc) => {
                let fields = vec(r, |r| self.field_type(r))?;
                Ok(CompositeType::Struct(StructType { fields }))
            }
            0x5E if self.has(Feature::Gc) => Ok(CompositeType::Array(ArrayType {
                field: self.field_type(r)?,
            })),
            b if b & 0x80 != 0 => Err(r.error("integer representation too long")),
            _ => Err(r.error_at("malformed definition type", at)),
        }
    }

    /// A field type (§5.3.7): a storage type (`0x78` i8, `0x77` i16 or a
    /// value type) and a mutability flag.
    fn field_type(&self, r: &mut Reader<'a>) -> Result<FieldType> {
        let storage = match r.peek_u8()? {
            0x78 => {
                r.read_u8()?;
                StorageType::I8
            }
            0x77 => {
                r.read_u8()?;
                StorageType::I16
            }
            _ => {
                // As in the reference decoder, which tries a value type and
                // then a packed type: a byte that starts neither is a
                // malformed storage type.
                let at = r.offset();
                match r.read_val_type() {
                    Ok(t) => StorageType::Val(t),
                    Err(e) if e.message.starts_with("malformed") => {
                        return Err(r.error_at("malformed storage type", at))
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let mutability = r.read_mut()?;
        Ok(FieldType {
            mutability,
            storage,
        })
    }

    /// An import (§5.5.5).
    fn import(&self, r: &mut Reader<'a>) -> Result<Import<'a>> {
        let module = r.read_name()?;
        let name = r.read_name()?;
        let at = r.offset();
        let mut exact = false;
        let desc = match r.read_u8()? {
            0x00 => ImportDesc::Func(TypeIdx(r.read_u32()?)),
            0x20 if self.has(Feature::CustomDescriptors) => {
                exact = true;
                ImportDesc::Func(TypeIdx(r.read_u32()?))
            }
            0x01 => ImportDesc::Table(r.read_table_type()?),
            0x02 => ImportDesc::Memory(r.read_mem_type()?),
            0x03 => ImportDesc::Global(r.read_global_type()?),
            0x04 if self.has(Feature::Exceptions) => ImportDesc::Tag(r.read_tag_type()?),
            _ => return Err(r.error_at("malformed import kind", at)),
        };
        Ok(Import {
            module: Cow::Borrowed(module),
            name: Cow::Borrowed(name),
            desc,
            exact,
        })
    }

    /// A table (§5.5.6): a table type, or (Wasm 3.0) `0x40 0x00`, a table
    /// type and an initialiser expression.
    fn table(&self, r: &mut Reader<'a>) -> Result<Table<'a>> {
        if r.peek_u8()? == 0x40 && self.has(Feature::FunctionReferences) {
            r.read_u8()?;
            let at = r.offset();
            if r.read_u8()? != 0x00 {
                return Err(r.error_at("malformed table", at));
            }
            let ty = r.read_table_type()?;
            let init = const_expr(r)?;
            return Ok(Table {
                ty,
                init: Some(init),
            });
        }
        Ok(Table::from(r.read_table_type()?))
    }

    /// A global (§5.5.9).
    fn global(&self, r: &mut Reader<'a>) -> Result<Global<'a>> {
        let ty = r.read_global_type()?;
        let init = const_expr(r)?;
        Ok(Global { ty, init })
    }

    /// An export (§5.5.10).
    fn export(&self, r: &mut Reader<'a>) -> Result<Export<'a>> {
        let name = r.read_name()?;
        let at = r.offset();
        let kind = r.read_u8()?;
        let index = r.read_u32()?;
        let desc = match kind {
            0x00 => ExportDesc::Func(FuncIdx(index)),
            0x01 => ExportDesc::Table(TableIdx(index)),
            0x02 => ExportDesc::Memory(MemIdx(index)),
            0x03 => ExportDesc::Global(GlobalIdx(index)),
            0x04 if self.has(Feature::Exceptions) => ExportDesc::Tag(TagIdx(index)),
            _ => return Err(r.error_at("malformed export kind", at)),
        };
        Ok(Export {
            name: Cow::Borrowed(name),
            desc,
        })
    }

    /// An element segment (§5.5.12). Without bulk memory and reference
    /// types (Wasm 1.0) a segment is always a table index, an offset and
    /// function indices; otherwise the leading `u32` selects one of eight
    /// forms: bit 0 passive or declarative, bit 1 explicit table index (for
    /// active segments) or declarative (for the others), bit 2 expressions
    /// instead of function indices.
    fn elem(&self, r: &mut Reader<'a>) -> Result<Elem<'a>> {
        let at = r.offset();
        let flags = r.read_u32()?;
        if !self.has(Feature::BulkMemory) && !self.has(Feature::ReferenceTypes) {
            let offset = const_expr(r)?;
            let items = ElemItems::Funcs(vec(r, |r| r.read_u32().map(FuncIdx))?);
            return Ok(Elem {
                ty: RefType::FUNCREF,
                items,
                mode: ElemMode::Active {
                    table: TableIdx(flags),
                    offset,
                },
            });
        }
        if flags > 7 {
            return Err(r.error_at("malformed elements segment kind", at));
        }
        let exprs = flags & 0b100 != 0;
        let mode = match flags & 0b011 {
            0b000 => ElemMode::Active {
                table: TableIdx(0),
                offset: const_expr(r)?,
            },
            0b010 => {
                let table = TableIdx(r.read_u32()?);
                ElemMode::Active {
                    table,
                    offset: const_expr(r)?,
                }
            }
            0b001 => ElemMode::Passive,
            _ => ElemMode::Declarative,
        };
        // Forms 0 and 4 have no type: it is `funcref`.
        let explicit_type = flags & 0b011 != 0;
        let ty = if !explicit_type {
            RefType::FUNCREF
        } else if exprs {
            r.read_ref_type()?
        } else {
            let at = r.offset();
            match r.read_u8()? {
                0x00 => RefType::FUNCREF,
                _ => return Err(r.error_at("malformed element kind", at)),
            }
        };
        let items = if exprs {
            ElemItems::Exprs(vec(r, const_expr)?)
        } else {
            ElemItems::Funcs(vec(r, |r| r.read_u32().map(FuncIdx))?)
        };
        Ok(Elem { ty, items, mode })
    }

    /// A code section entry (§5.5.13): its size, the locals, and the body,
    /// which is kept encoded.
    fn code(&self, r: &mut Reader<'a>) -> Result<Code<'a>> {
        let size = r.read_size()?;
        let start = r.offset();
        let locals_at = r.offset();
        let locals = vec(r, |r| {
            let count = r.read_u32()?;
            let ty = r.read_val_type()?;
            Ok(Locals { count, ty })
        })?;
        let total: u64 = locals.iter().map(|l| u64::from(l.count)).sum();
        if total > u64::from(u32::MAX) {
            return Err(r.error_at("too many locals", locals_at));
        }
        let used = r.offset() - start;
        if used > size {
            return Err(DecodeError::new("section size mismatch", start));
        }
        let offset = r.offset();
        let body = r.read_bytes(size - used)?;
        Ok(Code {
            locals,
            body: Expr {
                bytes: Cow::Borrowed(body),
                offset,
            },
        })
    }

    /// A data segment (§5.5.14): form 0 active in memory 0, 1 passive, 2
    /// active with a memory index. Without bulk memory (Wasm 1.0) the
    /// leading `u32` is always a memory index.
    fn data(&self, r: &mut Reader<'a>) -> Result<Data<'a>> {
        let at = r.offset();
        let flags = r.read_u32()?;
        let mode = if !self.has(Feature::BulkMemory) {
            DataMode::Active {
                memory: MemIdx(flags),
                offset: const_expr(r)?,
            }
        } else {
            match flags {
                0 => DataMode::Active {
                    memory: MemIdx(0),
                    offset: const_expr(r)?,
                },
                1 => DataMode::Passive,
                2 => {
                    let memory = MemIdx(r.read_u32()?);
                    DataMode::Active {
                        memory,
                        offset: const_expr(r)?,
                    }
                }
                _ => return Err(r.error_at("malformed data segment kind", at)),
            }
        };
        let len = r.read_size()?;
        let init = r.read_bytes(len)?;
        Ok(Data {
            init: Cow::Borrowed(init),
            mode,
        })
    }
}

/// Reads a vector (§5.1.3). The count is checked against the bytes left;
/// every element takes at least one byte, so the loop ends with an error at
/// the end of the input at the latest, and the allocation is bounded by the
/// input size.
fn vec<'a, T>(
    r: &mut Reader<'a>,
    mut item: impl FnMut(&mut Reader<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = r.read_size()?;
    let mut v = Vec::with_capacity(n.min(r.remaining()));
    for _ in 0..n {
        v.push(item(r)?);
    }
    Ok(v)
}

/// Reads a constant expression (§5.4.9) up to and including its `end`,
/// instruction by instruction, and returns its bytes. Nesting is tracked so
/// that a nested block's `end` does not end the expression, and a
/// misplaced `else` is "END opcode expected" as in the reference decoder.
/// Which instructions are *allowed* is the validator's business.
pub(crate) fn const_expr<'a>(r: &mut Reader<'a>) -> Result<Expr<'a>> {
    let offset = r.offset();
    let rest = r.rest();
    let start = r.position();
    // One entry per open block: whether it is an `if` that may still take
    // an `else`. Grows by one per nesting level, i.e. by at most one per
    // two bytes of input.
    let mut open: Vec<bool> = Vec::new();
    loop {
        let at = r.offset();
        // Only the structured-control rows matter here; every other row
        // is a plain instruction whose immediates `read_instr` has already
        // consumed, so a catch-all arm is the right shape for this match.
        match r.read_instr()? {
            Instr::Block { .. }
            | Instr::Loop { .. }
            | Instr::TryTable { .. }
            | Instr::Try { .. } => open.push(false),
            Instr::If { .. } => open.push(true),
            // Legacy `delegate` ends its `try` (the validator checks that
            // there is one).
            Instr::Delegate { .. } => {
                open.pop();
            }
            Instr::Else {} => match open.last_mut() {
                Some(may_else @ true) => *may_else = false,
                _ => return Err(r.error_at("END opcode expected", at)),
            },
            Instr::End {} if open.is_empty() => break,
            Instr::End {} => {
                open.pop();
            }
            _ => {}
        }
    }
    let len = r.position() - start;
    Ok(Expr {
        bytes: Cow::Borrowed(rest.get(..len).unwrap_or_default()),
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_syntax::{HeapType, Names, ValType};

    /// A module binary with the given sections.
    fn module(sections: &[(u8, &[u8])]) -> Vec<u8> {
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        for (id, payload) in sections {
            out.push(*id);
            out.push(payload.len() as u8);
            out.extend_from_slice(payload);
        }
        out
    }

    /// Decodes a module that must be well-formed (the bytes are leaked, this
    /// is a test).
    fn ok(sections: &[(u8, &[u8])], features: Features) -> Module<'static> {
        decode(Vec::leak(module(sections)), features).unwrap()
    }

    fn err(sections: &[(u8, &[u8])], features: Features) -> String {
        decode(&module(sections), features).unwrap_err().message
    }

    #[test]
    fn wasm1_rejects_2_0_constructs() {
        let f = Features::WASM1;
        assert_eq!(err(&[(12, b"\x00")], f), "malformed section id");
        assert_eq!(
            err(&[(4, b"\x01\x6F\x00\x00")], f),
            "malformed reference type"
        );
        assert_eq!(err(&[(6, b"\x01\x7B\x00\x0B")], f), "malformed value type");
        assert_eq!(err(&[(6, b"\x01\x70\x00\x0B")], f), "malformed value type");
        // Sign extension inside a constant expression is an unknown opcode.
        assert_eq!(err(&[(6, b"\x01\x7F\x00\xC0\x0B")], f), "illegal opcode c0");
        // Segment flags are table and memory indices in 1.0.
        let m = ok(
            &[
                (9, b"\x01\x01\x41\x00\x0B\x01\x00"),
                (11, b"\x01\x01\x41\x00\x0B\x00"),
            ],
            f,
        );
        assert!(matches!(
            m.elems[0].mode,
            ElemMode::Active {
                table: TableIdx(1),
                ..
            }
        ));
        assert!(matches!(
            m.datas[0].mode,
            DataMode::Active {
                memory: MemIdx(1),
                ..
            }
        ));
    }

    #[test]
    fn wasm2_rejects_3_0_constructs() {
        let f = Features::WASM2;
        // Shared and 64-bit memories.
        assert_eq!(err(&[(5, b"\x01\x03\x01\x02")], f), "integer too large");
        assert_eq!(err(&[(5, b"\x01\x04\x01")], f), "integer too large");
        // Typed references.
        assert_eq!(
            err(&[(6, b"\x01\x63\x70\x00\x0B")], f),
            "malformed value type"
        );
        assert_eq!(
            err(&[(4, b"\x01\x64\x70\x00\x00")], f),
            "malformed reference type"
        );
        // Tables with an initialiser (0x40 0x00 prefix).
        assert_eq!(
            err(&[(4, b"\x01\x40\x00\x70\x00\x00\x0B")], f),
            "malformed reference type"
        );
        // The tag section and tag imports.
        assert_eq!(err(&[(13, b"\x00")], f), "malformed section id");
        assert_eq!(
            err(&[(2, b"\x01\x00\x00\x04\x00\x00")], f),
            "malformed import kind"
        );
        // Multiple memories are a validation matter.
        let m = ok(&[(5, b"\x02\x00\x00\x00\x01")], f);
        assert_eq!(m.mems.len(), 2);
    }

    #[test]
    fn segments() {
        let f = Features::WASM2;
        assert_eq!(
            err(&[(9, b"\x01\x08")], f),
            "malformed elements segment kind"
        );
        assert_eq!(
            err(&[(9, b"\x01\x01\x01\x00")], f),
            "malformed element kind"
        );
        assert_eq!(err(&[(11, b"\x01\x03")], f), "malformed data segment kind");
        let m = ok(
            &[(
                9,
                b"\x03\x06\x01\x41\x00\x0B\x6F\x00\x07\x70\x01\xD2\x00\x0B\x05\x6F\x01\xD0\x6F\x0B",
            )],
            f,
        );
        assert!(matches!(
            &m.elems[0],
            Elem { ty: RefType { heap: HeapType::Extern, .. }, mode: ElemMode::Active { table: TableIdx(1), .. }, items: ElemItems::Exprs(v) } if v.is_empty()
        ));
        assert!(matches!(m.elems[1].mode, ElemMode::Declarative));
        assert!(matches!(m.elems[2].mode, ElemMode::Passive));
    }

    #[test]
    fn const_expr_nesting() {
        let f = Features::WASM2;
        // A nested block's `end` does not end the expression.
        let m = ok(&[(6, b"\x01\x7F\x00\x02\x40\x0B\x41\x00\x0B")], f);
        assert_eq!(m.globals[0].init.bytes.len(), 6);
        assert_eq!(m.globals[0].init.offset, 13);
        // `else` outside an `if`.
        assert_eq!(
            err(&[(6, b"\x01\x7F\x00\x05\x0B")], f),
            "END opcode expected"
        );
        // Missing `end`: the next section's id is read as an instruction,
        // as in the reference decoder.
        assert_eq!(
            err(&[(6, b"\x01\x7F\x00\x41\x00"), (10, b"\x00")], f),
            "illegal opcode 0a"
        );
    }

    #[test]
    fn code_entries() {
        let f = Features::WASM2;
        let types = (1, &b"\x01\x60\x00\x00"[..]);
        let funcs = (3, &b"\x01\x00"[..]);
        let m = ok(
            &[types, funcs, (10, b"\x01\x06\x02\x01\x7F\x02\x7E\x0B")],
            f,
        );
        assert_eq!(m.code[0].locals.len(), 2);
        assert_eq!(m.code[0].locals[1].ty, ValType::I64);
        assert_eq!(&*m.code[0].body.bytes, b"\x0B");
        assert_eq!(
            err(
                &[
                    types,
                    funcs,
                    (10, b"\x01\x0A\x02\xFF\xFF\xFF\xFF\x0F\x7F\x01\x7E\x0B")
                ],
                f
            ),
            "too many locals"
        );
        assert_eq!(
            err(&[types, funcs], f),
            "function and code section have inconsistent lengths"
        );
        assert_eq!(
            err(&[(12, b"\x01")], f),
            "data count and data section have inconsistent lengths"
        );
        // A body without its `end` followed by a malformed section: the
        // body's error comes first, as the reference decoder reads it.
        assert_eq!(
            err(&[types, funcs, (10, b"\x01\x02\x00\x01"), (0xFF, b"")], f),
            "illegal opcode ff"
        );
    }

    #[test]
    fn custom_sections_and_names() {
        let f = Features::WASM2;
        let names = b"\x04name\x00\x02\x01m\x01\x04\x01\x00\x01f";
        let m = ok(
            &[
                (0, b"\x01a"),
                (1, b"\x01\x60\x00\x00"),
                (0, b"\x01b\xAA"),
                (0, names),
            ],
            f,
        );
        assert_eq!(m.customs.len(), 2);
        assert_eq!(m.customs[0].place, CustomPlace::First);
        assert_eq!(m.customs[1].place, CustomPlace::After(1));
        assert_eq!(&*m.customs[1].data, b"\xAA");
        assert_eq!(m.names.module.as_deref(), Some("m"));
        assert_eq!(m.names.funcs, vec![(FuncIdx(0), Cow::Borrowed("f"))]);
        // A malformed name section stays a plain custom section.
        let m = ok(&[(0, b"\x04name\x00\x09\x01m")], f);
        assert_eq!(m.names, Names::default());
        assert_eq!(m.customs[0].name, "name");
        // A custom section name must be UTF-8.
        assert_eq!(err(&[(0, b"\x01\xFF")], f), "malformed UTF-8 encoding");
        // Order.
        assert_eq!(
            err(&[(3, b"\x00"), (1, b"\x00")], f),
            "unexpected content after last section"
        );
        assert_eq!(
            err(&[(10, b"\x00"), (12, b"\x00")], f),
            "unexpected content after last section"
        );
    }
}
