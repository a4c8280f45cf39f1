//! `-d`: function bodies as wabt's `wasm-objdump -d` (1.0.42) prints them.
//!
//! wabt does not print instructions in the text format: it writes each
//! immediate as a bare number in binary order (`i32.load 2 16` is the
//! alignment exponent, then the offset; a memory index other than 0 goes
//! between them), integers of `i32.const`/`i64.const` unsigned, floats in
//! hexadecimal, `v128.const` and `i8x16.shuffle` as four 32-bit words, block
//! types as `i32` or `type[3]`. Names in `<...>` follow `call`, `throw`,
//! `global.get`/`global.set`, `local.get`/`local.set`, `call_indirect`
//! (table and type), `memory.init` and `data.drop`, and nothing else.
//!
//! The immediates are printed from the instruction table, so every row has
//! a form. Deliberate differences from wabt 1.0.42, which cannot print
//! these (it stops with `unexpected opcode` or prints `<invalid>`):
//! - GC and custom-descriptor instructions (prefix 0xFB and friends) are
//!   printed with the same rule, their immediates as numbers in binary
//!   order and their heap and reference types as the text format writes
//!   them;
//! - `return_call_ref` is printed like `call_ref` (`(ref null 3)`) where
//!   wabt prints `<invalid>`;
//! - a memory offset above 2^32 - 1 (memory64) is printed whole; wabt
//!   prints its low 32 bits.

use super::names::{label, Names};
use super::{hex_f32, hex_f64};
use std::collections::HashMap;
use std::fmt::Write;
use weft_binary::Reader;
use weft_syntax::{
    BlockType, BrTable, CastFlags, Catch, Catches, DataIdx, ElemIdx, Features, FieldIdx, FuncIdx,
    GlobalIdx, HeapType, Instr, LabelIdx, LaneIdx, LocalIdx, MemArg, MemIdx, ShuffleLanes,
    TableIdx, TagIdx, TypeIdx, ValType, ZeroByte, F32, F64, V128,
};

/// Raw bytes shown per line.
const BYTES_PER_LINE: usize = 9;
/// Indentation stops growing at this block depth.
const MAX_INDENT_DEPTH: usize = 32;

/// One function body to disassemble.
pub(super) struct Body<'b> {
    /// The body's bytes (from its local declarations on), and their
    /// absolute offset.
    pub bytes: &'b [u8],
    pub offset: usize,
    /// The function's index.
    pub func: u32,
    /// Number of parameters: the first declared local's index.
    pub params: u32,
}

/// Appends the disassembly of `body`. `file` is the whole module (for the
/// raw bytes of each line).
pub(super) fn body(
    out: &mut String,
    file: &[u8],
    names: &Names,
    body: &Body<'_>,
    features: Features,
) {
    let mut r = Reader::new_at(body.bytes, body.offset, features);
    let no_locals = HashMap::new();
    let locals = names.locals.get(&body.func).unwrap_or(&no_locals);
    let decls = match r.read_len(2) {
        Ok(n) => n,
        Err(e) => {
            let _ = writeln!(out, " error: {e}");
            return;
        }
    };
    let mut local = u64::from(body.params);
    let mut at = r.offset();
    for _ in 0..decls {
        let decl = r.read_u32().and_then(|n| Ok((n, r.read_val_type()?)));
        match decl {
            Ok((n, t)) => {
                let range = match n {
                    1 => format!("local[{local}] type={t}"),
                    // wabt computes `first + n - 1` in 32 bits.
                    _ => format!(
                        "local[{local}..{}] type={t}",
                        (local + u64::from(n)).wrapping_sub(1) as u32
                    ),
                };
                local += u64::from(n);
                line(out, file, at, r.offset(), 0, &range);
                at = r.offset();
            }
            Err(e) => {
                let _ = writeln!(out, " error: {e}");
                return;
            }
        }
    }
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
        let text = instr_text(&instr, names, locals);
        let indent = match instr {
            Instr::End {} | Instr::Delegate { .. } => {
                depth = depth.saturating_sub(1);
                depth
            }
            Instr::Else {} | Instr::Catch { .. } | Instr::CatchAll {} => depth.saturating_sub(1),
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
        line(out, file, at, r.offset(), indent, &text);
    }
}

/// ` 000023: 20 00                      | local.get 0`, with the raw bytes
/// of `start..end` continued on further lines (` | ` and nothing after it,
/// as wabt leaves them).
fn line(out: &mut String, file: &[u8], start: usize, end: usize, depth: usize, text: &str) {
    let raw = file.get(start..end).unwrap_or_default();
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
        let _ = writeln!(out, " {at:06x}: {:<27}| ", hex_bytes(chunk));
        at += chunk.len();
    }
}

fn hex_bytes(bytes: &[u8]) -> String {
    let mut s = String::new();
    for b in bytes {
        let _ = write!(s, "{b:02x} ");
    }
    s
}

/// The mnemonic and immediates of one instruction, with names.
fn instr_text(instr: &Instr<'_>, names: &Names, locals: &HashMap<u32, String>) -> String {
    let m = instr.mnemonic();
    match *instr {
        Instr::Call { func } => format!("{m} {}{}", func.0, label(&names.funcs, func.0)),
        Instr::Throw { tag } => format!("{m} {}{}", tag.0, label(&names.tags, tag.0)),
        Instr::GlobalGet { global } | Instr::GlobalSet { global } => {
            format!("{m} {}{}", global.0, label(&names.globals, global.0))
        }
        Instr::LocalGet { local } | Instr::LocalSet { local } => {
            format!("{m} {}{}", local.0, label(locals, local.0))
        }
        Instr::CallIndirect { ty, table } => format!(
            "{m} {}{} (type {}{})",
            table.0,
            label(&names.tables, table.0),
            ty.0,
            label(&names.types, ty.0)
        ),
        Instr::MemoryInit { data, mem } => {
            format!("{m} {} {}{}", data.0, mem.0, label(&names.datas, data.0))
        }
        Instr::DataDrop { data } => format!("{m} {}{}", data.0, label(&names.datas, data.0)),
        Instr::CallRef { ty } | Instr::ReturnCallRef { ty } => format!("{m} (ref null {})", ty.0),
        Instr::TryTable {
            block_type,
            catches,
        } => {
            // The block type, then each clause as `kind tag label` (an
            // empty tag for the `catch_all` kinds), space-separated; the
            // mnemonic is always followed by a space.
            let mut s = String::new();
            block_type.wabt(&mut s);
            let mut s = s.trim_start().to_string();
            for c in catches.iter() {
                if !s.is_empty() {
                    s.push(' ');
                }
                let _ = match c {
                    Catch::One { tag, label } => write!(s, "catch {} {}", tag.0, label.0),
                    Catch::OneRef { tag, label } => write!(s, "catch_ref {} {}", tag.0, label.0),
                    Catch::All { label } => write!(s, "catch_all  {}", label.0),
                    Catch::AllRef { label } => write!(s, "catch_all_ref  {}", label.0),
                };
            }
            format!("{m} {s}")
        }
        _ => {
            let mut s = String::new();
            write_generic(instr, &mut s);
            s
        }
    }
}

/// How wabt writes an immediate after the mnemonic: a space, then the
/// value.
trait Wabt {
    fn wabt(&self, out: &mut String);
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl Wabt for $t {
            fn wabt(&self, out: &mut String) {
                let _ = write!(out, " {}", self.0);
            }
        }
    )*};
}
plain!(
    LabelIdx, FieldIdx, LaneIdx, TypeIdx, FuncIdx, LocalIdx, GlobalIdx, ElemIdx, DataIdx, TagIdx,
    TableIdx, MemIdx
);

impl Wabt for u32 {
    fn wabt(&self, out: &mut String) {
        let _ = write!(out, " {self}");
    }
}

impl Wabt for i32 {
    /// `i32.const` as an unsigned number.
    fn wabt(&self, out: &mut String) {
        let _ = write!(out, " {}", *self as u32);
    }
}

impl Wabt for i64 {
    /// `i64.const` as an unsigned number.
    fn wabt(&self, out: &mut String) {
        let _ = write!(out, " {}", *self as u64);
    }
}

impl Wabt for HeapType {
    fn wabt(&self, out: &mut String) {
        let _ = write!(out, " {self}");
    }
}

impl Wabt for ValType {
    fn wabt(&self, out: &mut String) {
        let _ = write!(out, " {self}");
    }
}

impl Wabt for ZeroByte {
    /// The reserved byte of `atomic.fence`, always 0.
    fn wabt(&self, out: &mut String) {
        out.push_str(" 0");
    }
}

impl Wabt for CastFlags {
    /// No wabt form (GC); the reference types follow as heap types.
    fn wabt(&self, _: &mut String) {}
}

impl Wabt for Catches<'_> {
    /// Printed by `instr_text` (the clauses depend on the block type).
    fn wabt(&self, _: &mut String) {}
}

impl Wabt for BlockType {
    fn wabt(&self, out: &mut String) {
        let _ = match self {
            BlockType::Empty => Ok(()),
            BlockType::Value(t) => write!(out, " {t}"),
            BlockType::Func(i) => write!(out, " type[{}]", i.0),
        };
    }
}

impl Wabt for BrTable<'_> {
    fn wabt(&self, out: &mut String) {
        for l in self.labels() {
            let _ = write!(out, " {}", l.0);
        }
        let _ = write!(out, " {}", self.default.0);
    }
}

impl Wabt for MemArg {
    /// The alignment exponent, the memory if not 0, the offset.
    fn wabt(&self, out: &mut String) {
        let _ = write!(out, " {}", self.align);
        if self.memory.0 != 0 {
            let _ = write!(out, " {}", self.memory.0);
        }
        let _ = write!(out, " {}", self.offset);
    }
}

impl Wabt for F32 {
    fn wabt(&self, out: &mut String) {
        out.push(' ');
        out.push_str(&hex_f32(self.0));
    }
}

impl Wabt for F64 {
    fn wabt(&self, out: &mut String) {
        out.push(' ');
        out.push_str(&hex_f64(self.0));
    }
}

/// Sixteen bytes as four little-endian 32-bit words.
fn words(out: &mut String, bytes: &[u8; 16]) {
    for w in bytes.chunks_exact(4) {
        let v = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        let _ = write!(out, " 0x{v:08x}");
    }
}

impl Wabt for V128 {
    fn wabt(&self, out: &mut String) {
        words(out, &self.0);
    }
}

impl Wabt for ShuffleLanes {
    fn wabt(&self, out: &mut String) {
        words(out, &self.0);
    }
}

macro_rules! define_wabt {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// The mnemonic and every immediate in binary order.
        fn write_generic<'a>(instr: &Instr<'a>, out: &mut String) {
            match instr {
                $( Instr::$variant { $($field),* } => {
                    out.push_str($name);
                    $( <$ty as Wabt>::wabt($field, out); )*
                } )*
            }
        }
    };
}

weft_syntax::for_each_instr!(define_wabt);
